"""Once a plan has ended and a later plan is loaded, its periods are read-only, except
a period its superior returns for correction (through the one gate, with a reason)."""

from __future__ import annotations

import pytest

from jlip_desk.periods import Period
from jlip_desk.plan.model import Plan
from jlip_desk.services import period_status
from jlip_desk.services import registry as registry_service
from jlip_desk.services.demo import generate
from jlip_desk.services.entry import save_values
from jlip_desk.services.installation import bind
from jlip_desk.store.database import Store
from jlip_desk.store.plans import save_plan, superseded_by
from jlip_desk.store.records import list_records

STATION = {
    "name": "南关区知识产权维权援助工作站",
    "host_org": "南关区科技服务中心",
    "host_credit_code": "91350100M000100Y43",
    "host_type": "服务机构",
    "established_on": "2023-03-01",
    "status": "运行",
    "contact": "张三",
    "phone": "0431-88886666",
}
FIGURES = {"consultations": 3, "cases_accepted": 1, "cases_closed": 1, "mediations": 0,
           "mediations_successful": 0, "trainings": 1, "enterprises_served": 2,
           "reports_delivered": 0}  # fmt: skip


def _county_with_a_station(store: Store, plan14: Plan) -> str:
    bind(store, "220102")
    return registry_service.add_record(store, plan14, "workstations", "220102", STATION)


def test_an_ended_plan_stays_open_while_no_later_plan_is_loaded(store: Store, plan14: Plan) -> None:
    code = _county_with_a_station(store, plan14)
    assert superseded_by(store, plan14.id) is None
    save_values(store, plan14, "activity", "220102", Period(2024, 1), code, FIGURES)


def test_loading_the_next_plan_makes_the_old_plans_periods_read_only(
    store: Store, plan14: Plan, plan15: Plan
) -> None:
    code = _county_with_a_station(store, plan14)
    save_values(store, plan14, "activity", "220102", Period(2024, 1), code, FIGURES)
    save_plan(store, plan15)
    assert superseded_by(store, plan14.id) == plan15
    assert superseded_by(store, plan15.id) is None
    state = period_status.status(store, plan14.id, "220102", Period(2024, 2))
    assert state.status == "none" and state.locked
    with pytest.raises(period_status.PeriodLockedError) as caught:
        save_values(store, plan14, "activity", "220102", Period(2024, 2), code, FIGURES)
    message = str(caught.value)
    assert "所属的计划已结束" in message and plan15.name in message and "只能查看" in message
    with pytest.raises(period_status.PeriodLockedError):
        period_status.submit(store, plan14, "220102", Period(2024, 1))


def test_a_county_cannot_unlock_its_own_submitted_period_of_an_ended_plan(
    store: Store, plan14: Plan, plan15: Plan
) -> None:
    code = _county_with_a_station(store, plan14)
    save_values(store, plan14, "activity", "220102", Period(2024, 1), code, FIGURES)
    period_status.submit(store, plan14, "220102", Period(2024, 1))
    save_plan(store, plan15)
    with pytest.raises(period_status.PeriodLockedError) as caught:
        period_status.unlock(store, plan14, "220102", Period(2024, 1), "更正")
    assert "联系上级单位退回" in str(caught.value) and "解锁" not in str(caught.value)
    # Making the 14th plan active again does not reopen it: the 15th still covers 2026.
    save_plan(store, plan14)
    assert period_status.status(store, plan14.id, "220102", Period(2024, 2)).locked


def test_a_returned_period_of_an_ended_plan_can_be_corrected_and_handed_in_again(
    store: Store, plan14: Plan, plan15: Plan
) -> None:
    generate(store, seed=3)
    bind(store, "220000")
    save_plan(store, plan15)
    period = Period(2025, 3)
    assert period_status.status(store, plan14.id, "220104", period).status == "accepted"
    station = list_records(store, plan14.id, "workstations", ["220104"])[0]
    with pytest.raises(period_status.PeriodLockedError):
        save_values(store, plan14, "activity", "220104", period, station.code, FIGURES)
    period_status.return_period(store, plan14, "220104", period, "调解数字有误")
    state = period_status.status(store, plan14.id, "220104", period)
    assert state.status == "returned" and not state.locked
    save_values(store, plan14, "activity", "220104", period, station.code, FIGURES)
    assert period_status.submit(store, plan14, "220104", period).status == "submitted"
    assert period_status.status(store, plan14.id, "220104", period).locked


def test_the_old_plan_stays_open_until_its_last_report_is_due(
    store: Store, plan14: Plan, plan15: Plan
) -> None:
    import datetime as dt

    save_plan(store, plan15)
    assert plan14.last_due == dt.date(2026, 1, 15)
    assert superseded_by(store, plan14.id, dt.date(2026, 1, 15)) is None
    assert superseded_by(store, plan14.id, dt.date(2026, 1, 16)) == plan15


def test_a_late_report_of_an_ended_plan_is_reopened_by_the_superior(
    store: Store, plan14: Plan, plan15: Plan
) -> None:
    _county_with_a_station(store, plan14)
    bind(store, "220000")
    save_plan(store, plan15)
    period = Period(2025, 4)
    state = period_status.status(store, plan14.id, "220102", period)
    assert state.status == "none" and state.locked
    message, allowed = period_status.locked_message(store, "220102", period, state)
    assert "只能查看" in message and "补报" in allowed and "退回(重新开放)" in allowed
    period_status.return_period(store, plan14, "220102", period, "补报2025年第4季度")
    assert not period_status.status(store, plan14.id, "220102", period).locked
    # The province reopens its own late figures (it has no superior).
    own = Period(2025)
    _message, allowed = period_status.locked_message(
        store, "220000", own, period_status.status(store, plan14.id, "220000", own)
    )
    assert "jlip-desk return --org 220000" in allowed
    period_status.return_period(store, plan14, "220000", own, "满意度数据发布较晚")
    assert period_status.status(store, plan14.id, "220000", own).status == "returned"


def test_a_plan_whose_years_overlap_another_is_refused(store: Store, plan14: Plan) -> None:
    import dataclasses

    from jlip_desk.errors import NotAllowedError

    save_plan(store, plan14)
    overlap = dataclasses.replace(plan14, id="overlap", start_year=2025, end_year=2029)
    with pytest.raises(NotAllowedError) as caught:
        save_plan(store, overlap)
    assert "重叠" in str(caught.value) and "start_year = 2026" in str(caught.value)


def test_the_ended_plans_registry_is_read_only_and_its_counts_cannot_be_back_dated(
    store: Store, plan14: Plan, plan15: Plan
) -> None:
    """Found in a user test: a station back-dated into 2025 flipped the 14th plan's
    final count from 59 to 61 (target achieved) after the 15th plan took over."""
    from jlip_desk.errors import NotAllowedError
    from jlip_desk.services.summary import build_summary

    generate(store, seed=3)
    bind(store, "220000")
    save_plan(store, plan15)
    before = build_summary(store, Period(2025, 4))
    with pytest.raises(NotAllowedError) as caught:  # under the ended plan: read-only
        registry_service.add_record(store, plan14, "workstations", "220104", STATION)
    assert "只能查看" in str(caught.value) and plan15.name in str(caught.value)
    back_dated = {**STATION, "established_on": "2025-06-01"}
    with pytest.raises(NotAllowedError) as caught:  # under the new plan: not into 2025
        registry_service.add_record(store, plan15, "workstations", "220104", back_dated)
    assert "已结束" in str(caught.value) and "2026-01-01" in str(caught.value)
    station = list_records(store, plan14.id, "workstations", ["220104"])[0]
    with pytest.raises(NotAllowedError):  # nor closed with a date inside it
        registry_service.close_record(store, plan15, station.code, "2025-11-30")
    code = registry_service.add_record(
        store, plan15, "workstations", "220104", {**STATION, "established_on": "2026-02-01"}
    )
    registry_service.update_record(store, plan15, code, {"contact": "王五"})  # other fields: fine
    assert build_summary(store, Period(2025, 4)) == before
