"""Entry rows, saving as typed, lock refusal, problems (prior, life cycle, outliers)."""

from __future__ import annotations

import pytest

from jlip_desk.errors import NotAllowedError
from jlip_desk.periods import Period
from jlip_desk.plan.model import Plan
from jlip_desk.services.entry import build_rows, confirm_outlier, period_problems, save_values
from jlip_desk.services.installation import bind
from jlip_desk.services.period_status import submit
from jlip_desk.store.cells import read_row
from jlip_desk.store.database import Store
from jlip_desk.store.records import create_record

COUNTY = "220102"
FULL = {"consultations": "30", "cases_accepted": "2", "cases_closed": "1", "mediations": "1",
        "mediations_successful": "1", "trainings": "1", "enterprises_served": "5",
        "reports_delivered": "0"}  # fmt: skip


def _station(store: Store, plan: Plan, established: str, **extra: str) -> str:
    values = {"name": "测试站", "established_on": established, "status": "运行", **extra}
    with store.atomic():
        change = store.new_change("typed")
        return create_record(store, plan.id, plan.registry("workstations"), COUNTY, values, change)


def test_bad_input_is_stored_as_typed(store: Store, plan14: Plan) -> None:
    bind(store, COUNTY)
    code = _station(store, plan14, "2021-01-01")
    result = save_values(
        store, plan14, "activity", COUNTY, Period(2025, 1), code, {"trainings": "12a"}
    )
    assert read_row(store, result.key)["trainings"] == "12a"
    problems = period_problems(store, plan14, "activity", COUNTY, Period(2025, 1))
    assert any(p.field_id == "trainings" and "12a" in p.message for p in problems)


def test_rows_follow_the_life_cycle(store: Store, plan14: Plan) -> None:
    bind(store, COUNTY)
    code = _station(store, plan14, "2024-05-01")
    assert [
        r.key.subject for r in build_rows(store, plan14, "activity", COUNTY, Period(2024, 2))
    ] == [code]
    assert build_rows(store, plan14, "activity", COUNTY, Period(2024, 1)) == []
    # Values before establishment make the row appear, flagged.
    save_values(store, plan14, "activity", COUNTY, Period(2024, 1), code, FULL)
    problems = period_problems(store, plan14, "activity", COUNTY, Period(2024, 1))
    assert any(p.field_id is None and "设立于2024-05-01" in p.message for p in problems)


def test_prior_is_zero_for_a_new_station_and_unknown_without_its_history(
    store: Store, plan14: Plan
) -> None:
    """prior() as decided once in the validator (and so for import and submit too)."""
    bind(store, COUNTY)
    rule = "办结案件数不能大于"
    bad = {**FULL, "cases_accepted": "0", "cases_closed": "2"}

    def flagged(period: Period) -> bool:
        problems = period_problems(store, plan14, "activity", COUNTY, period)
        return any(rule in p.message for p in problems)

    # Established during 2025Q1: nothing was open before, so prior() is 0.
    new = _station(store, plan14, "2025-02-01")
    save_values(store, plan14, "activity", COUNTY, Period(2025, 1), new, bad)
    assert flagged(Period(2025, 1))
    save_values(store, plan14, "activity", COUNTY, Period(2025, 1), new, FULL)
    # Established in 2021 but its earlier quarters were never entered here: cannot tell.
    old = _station(store, plan14, "2021-01-01")
    save_values(store, plan14, "activity", COUNTY, Period(2025, 1), old, bad)
    assert not flagged(Period(2025, 1))
    # With only 2024Q4 entered its history is still not whole (2021Q1-2024Q3 missing):
    # the cases carried over stay unknown, however many are closed (a store that holds
    # one quarter of a station must not refuse what the whole history allows).
    opened = {**FULL, "cases_accepted": "3", "cases_closed": "0"}
    save_values(store, plan14, "activity", COUNTY, Period(2024, 4), old, opened)
    save_values(
        store, plan14, "activity", COUNTY, Period(2025, 1), old, {**bad, "cases_closed": "4"}
    )
    assert not flagged(Period(2025, 1))
    save_values(store, plan14, "activity", COUNTY, Period(2025, 1), old, FULL)
    # Established in 2024Q4 with that quarter entered: its whole history, 3 open.
    recent = _station(store, plan14, "2024-10-05")
    save_values(store, plan14, "activity", COUNTY, Period(2024, 4), recent, opened)
    save_values(
        store, plan14, "activity", COUNTY, Period(2025, 1), recent, {**bad, "cases_closed": "3"}
    )
    assert not flagged(Period(2025, 1))
    save_values(
        store, plan14, "activity", COUNTY, Period(2025, 1), recent, {**bad, "cases_closed": "4"}
    )
    assert flagged(Period(2025, 1))


def test_locked_period_refuses_edits(store: Store, plan14: Plan) -> None:
    bind(store, COUNTY)
    code = _station(store, plan14, "2021-01-01")
    save_values(store, plan14, "activity", COUNTY, Period(2025, 1), code, FULL)
    submit(store, plan14, COUNTY, Period(2025, 1))
    with pytest.raises(NotAllowedError, match="不能修改"):
        save_values(store, plan14, "activity", COUNTY, Period(2025, 1), code, {"trainings": "2"})


def test_other_county_refused(store: Store, plan14: Plan) -> None:
    bind(store, "220103")
    code = _station(store, plan14, "2021-01-01")
    with pytest.raises(NotAllowedError, match="无权修改"):
        save_values(store, plan14, "activity", COUNTY, Period(2025, 1), code, FULL)


def test_outlier_warning_can_be_confirmed(store: Store, plan14: Plan) -> None:
    bind(store, COUNTY)
    code = _station(store, plan14, "2021-01-01")
    for q in range(1, 5):
        save_values(store, plan14, "activity", COUNTY, Period(2024, q), code, FULL)
    save_values(
        store, plan14, "activity", COUNTY, Period(2025, 1), code, {**FULL, "consultations": "900"}
    )
    warnings = [
        p
        for p in period_problems(store, plan14, "activity", COUNTY, Period(2025, 1))
        if p.severity == "warning"
    ]
    assert [(w.field_id, w.open) for w in warnings] == [("consultations", True)]
    confirm_outlier(store, warnings[0].key, "consultations", "举办专场咨询会")
    again = [
        p
        for p in period_problems(store, plan14, "activity", COUNTY, Period(2025, 1))
        if p.severity == "warning"
    ]
    assert again[0].confirmed and again[0].comment == "举办专场咨询会"
