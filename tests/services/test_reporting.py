"""The one overview of a scope and period: who should report, states, overdue, problems."""

from __future__ import annotations

import datetime as dt

import pytest

from jlip_desk.periods import Period
from jlip_desk.plan.model import Frequency
from jlip_desk.services import period_status
from jlip_desk.services.demo import generate
from jlip_desk.services.entry import save_values
from jlip_desk.services.installation import bind, prepare
from jlip_desk.services.reporting import (
    period_overview,
    period_overviews,
    recount,
    reporting_units,
)
from jlip_desk.services.summary import build_summary
from jlip_desk.store.database import Store
from jlip_desk.store.plans import active_plan
from jlip_desk.store.records import create_record

PROVINCE, CHANGCHUN, NANGUAN = "220000", "220100", "220102"
Q4 = Period(2025, 4)


def _stations(store: Store, *stations: tuple[str, str]) -> None:
    """A running workstation for each (county, established on)."""
    plan = active_plan(store)
    with store.atomic():
        change = store.new_change("typed")
        for county, established in stations:
            values = {"name": f"{county}站", "established_on": established, "status": "运行"}
            create_record(store, plan.id, plan.registry("workstations"), county, values, change)


@pytest.fixture
def demo(store: Store) -> Store:
    generate(store, seed=5)
    bind(store, PROVINCE)
    return store


def test_units_that_should_report_are_those_the_scope_covers(store: Store) -> None:
    plan = prepare(store)
    quarterly = reporting_units(store, plan, PROVINCE, Frequency.QUARTER)
    assert len(quarterly) == 60 and all(u.level == "county" for u in quarterly)
    assert [
        u.code for u in reporting_units(store, plan, PROVINCE, Frequency.QUARTER, own=True)
    ] == [PROVINCE]
    assert len(reporting_units(store, plan, CHANGCHUN, Frequency.YEAR)) == 11
    assert [u.code for u in reporting_units(store, plan, NANGUAN, Frequency.YEAR)] == [NANGUAN]
    # A prefecture has no forms of its own in this plan.
    assert reporting_units(store, plan, CHANGCHUN, Frequency.QUARTER, own=True) == []


def test_a_unit_with_nothing_received_is_not_reported_never_draft(store: Store) -> None:
    plan = prepare(store)
    bind(store, NANGUAN)
    _stations(store, ("220103", "2021-03-01"), ("220104", "2024-06-30"))
    overview = period_overview(store, plan, CHANGCHUN, Q4)
    assert overview.counts["none"] == 2 and overview.counts["draft"] == 0
    assert len(overview.exempt) == 9  # no station in the quarter: nothing owed
    period_status.submit(store, plan, NANGUAN, Q4)  # a report with nothing in it
    period_status.unlock(store, plan, NANGUAN, Q4, "补报")
    after = period_overview(store, plan, CHANGCHUN, Q4)
    unit = after.unit(NANGUAN)
    assert unit is not None and unit.state.status == "draft" and unit.state.reason == "补报"
    assert after.counts["none"] == 2 and after.counts["draft"] == 1 and len(after.exempt) == 8


def test_overdue_is_decided_by_the_plan_s_due_date(store: Store) -> None:
    plan = prepare(store)
    bind(store, NANGUAN)
    # Two counties owe the quarter; 绿园区's station opened after it ended.
    _stations(store, ("220103", "2021-03-01"), ("220104", "2025-12-31"), ("220106", "2026-01-02"))
    due = Q4.end + dt.timedelta(days=plan.due_days)
    before = period_overview(store, plan, CHANGCHUN, Q4, today=due)
    assert before.due == due and before.counts["overdue"] == 0
    period_status.submit(store, plan, NANGUAN, Q4)
    after = period_overview(store, plan, CHANGCHUN, Q4, today=due + dt.timedelta(days=1))
    assert after.counts["overdue"] == 2  # those owing it, but the unit that handed in
    assert {u.org.code for u in after.units if u.overdue} == {"220103", "220104"}
    unit = after.unit(NANGUAN)
    assert unit is not None and not unit.overdue
    assert after.unit("220106") is None and "220106" in {o.code for o in after.exempt}
    assert "逾期 2;另有 8 个单位无需报送" in after.counts_text()


def test_summary_and_the_overview_are_one_answer(demo: Store) -> None:
    plan = active_plan(demo)
    today = dt.date(2026, 1, 10)  # between 2025Q4's end and its due date
    for period in (Q4, Period(2025), Period(2023, 2)):
        for scope in (PROVINCE, CHANGCHUN):
            overview = period_overview(demo, plan, scope, period, today=today)
            reporting = build_summary(demo, period, scope, today=today)["reporting"]
            assert reporting["counts"] == overview.counts
            assert reporting["errors"] == overview.errors
            assert reporting["reported"] == overview.handed_in
            missing = {m["code"] for m in reporting["missing"]}
            assert missing == {u.org.code for u in overview.not_handed_in}
            assert sum(reporting["by_status"].values()) == overview.expected
    assert period_overview(demo, plan, PROVINCE, Q4, today=today).counts["overdue"] == 0


def test_recount_after_edits_equals_a_fresh_count(demo: Store) -> None:
    plan = active_plan(demo)
    listed = period_overviews(demo, plan, CHANGCHUN)
    pending = [
        (o.period, u.org.code)
        for o in listed
        if o.period.is_quarter
        for u in o.units
        if not u.handed_in and u.errors
    ]
    assert pending, "the demo leaves some quarters blank"
    period, county = pending[0]
    rows = [r for r in _rows(demo, plan, county, period)]
    assert rows
    for row in rows[:2]:
        save_values(demo, plan, "activity", county, period, row, {"consultations": 3})
    after = recount(demo, plan, listed, "activity", period, {county})
    fresh = period_overviews(demo, plan, CHANGCHUN)
    assert [(o.period, o.errors, o.warnings) for o in after] == [
        (o.period, o.errors, o.warnings) for o in fresh
    ]
    changed = {o.period for o, b in zip(after, listed, strict=True) if o.errors != b.errors}
    assert changed and min(changed) >= period


def _rows(store: Store, plan, county: str, period: Period) -> list[str]:
    from jlip_desk.services.entry_rows import build_rows

    return [r.key.subject for r in build_rows(store, plan, "activity", county, period)]
