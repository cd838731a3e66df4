"""Period status: submit refused with open problems, unlock recorded, accept/return, list."""

from __future__ import annotations

import pytest

from jlip_desk.errors import InputError, NotAllowedError
from jlip_desk.periods import Period
from jlip_desk.plan.model import Plan
from jlip_desk.services.installation import bind
from jlip_desk.services.period_status import (
    OpenProblemsError,
    accept,
    return_period,
    status,
    submit,
    unlock,
)
from jlip_desk.services.reporting import period_overviews
from jlip_desk.store.cells import CellKey, write_values
from jlip_desk.store.database import Store

COUNTY = "220102"
Q1 = Period(2025, 1)


def _annual(store: Store, plan: Plan, values: dict[str, object]) -> None:
    with store.atomic():
        change = store.new_change("typed")
        write_values(store, CellKey(plan.id, "county_annual", COUNTY, "2025", ""), values, change)  # type: ignore[arg-type]


def test_submit_refused_while_errors_remain(store: Store, plan14: Plan) -> None:
    bind(store, COUNTY)
    values = {"population": 50.0, "high_value_patents": 90, "valid_invention_patents": 10}
    _annual(store, plan14, {**values, "valid_trademarks": 5, "pledge_amount": 1.0})
    with pytest.raises(OpenProblemsError) as refused:
        submit(store, plan14, COUNTY, Period(2025))
    assert "高价值发明专利拥有量不能大于" in refused.value.message
    assert status(store, plan14.id, COUNTY, Period(2025)).status == "none"
    _annual(store, plan14, {"valid_invention_patents": 300})
    assert submit(store, plan14, COUNTY, Period(2025)).locked


def test_unlock_needs_a_reason_and_is_recorded(store: Store, plan14: Plan) -> None:
    bind(store, COUNTY)
    submit(store, plan14, COUNTY, Q1)  # a county without stations has nothing to fix
    with pytest.raises(InputError):
        unlock(store, plan14, COUNTY, Q1, "  ")
    unlock(store, plan14, COUNTY, Q1, "补报数据")
    rows = store.conn.execute(
        "SELECT old_status, new_status, reason FROM period_status_history ORDER BY id"
    ).fetchall()
    assert rows == [(None, "submitted", None), ("submitted", "draft", "补报数据")]


def test_province_accepts_or_returns(store: Store, plan14: Plan) -> None:
    bind(store, COUNTY)
    submit(store, plan14, COUNTY, Q1)
    with pytest.raises(NotAllowedError):
        accept(store, plan14, COUNTY, Q1)  # a county cannot accept its own report
    bind(store, "220000")
    return_period(store, plan14, COUNTY, Q1, "数据不全")
    assert status(store, plan14.id, COUNTY, Q1).reason == "数据不全"
    submit(store, plan14, COUNTY, Q1)
    assert accept(store, plan14, COUNTY, Q1).status == "accepted"
    with pytest.raises(NotAllowedError):
        unlock(store, plan14, COUNTY, Q1, "改")


@pytest.mark.parametrize("plan_name", ["plan14", "plan15"])
def test_period_list_covers_every_period(store: Store, plan_name: str, request) -> None:
    from jlip_desk.store.plans import save_plan

    plan: Plan = request.getfixturevalue(plan_name)
    save_plan(store, plan)
    bind(store, COUNTY)
    listed = period_overviews(store, plan, COUNTY, own=True)
    years = len(plan.years())
    assert len(listed) == years * 5
    assert listed[0].period == Period(plan.end_year)
    # Every year is owed (the annual form is about the county); no quarter, as the
    # county has no station.
    for overview in listed:
        if overview.period.is_quarter:
            assert overview.units == () and [o.code for o in overview.exempt] == [COUNTY]
        else:
            assert overview.single is not None and overview.single.state.status == "none"


def test_refusal_says_each_record_once_with_its_fields_named(store: Store, plan14: Plan) -> None:
    """A station with an empty quarter: one line naming every empty field, not eight."""
    from jlip_desk.services.registry import add_record
    from jlip_desk.validation.formats import make_credit_code

    bind(store, COUNTY)
    station = {
        "name": "南关区知识产权维权援助工作站",
        "host_org": "南关区知识产权服务中心",
        "host_credit_code": make_credit_code("91220102MA0000001"),
        "host_type": "服务机构",
        "established_on": "2023-04-01",
        "status": "运行",
        "contact": "王伟",
        "phone": "0431-88886666",
    }
    add_record(store, plan14, "workstations", COUNTY, station)
    with pytest.raises(OpenProblemsError) as refused:
        submit(store, plan14, COUNTY, Q1)
    lines = refused.value.message.splitlines()[1:]
    assert len(refused.value.problems) > 1
    assert len(lines) == 1, lines
    assert lines[0].startswith("南关区知识产权维权援助工作站:接待咨询、受理维权援助案件、")
    assert lines[0].endswith(" 不能为空")
    assert "必填项" not in lines[0]
