"""Numeric reads for the report: only numbers count, scoped by plan, form, period and org."""

from __future__ import annotations

from jlip_desk.services.installation import prepare
from jlip_desk.store.aggregates import (
    field_totals,
    has_demo_values,
    org_value,
    quarters_with_data,
    sums_by_org,
)
from jlip_desk.store.cells import CellKey, StoredValue, write_values
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import PROVINCE_CODE
from jlip_desk.store.status import read_statuses

A, B, C = "220102", "220103", "220104"


def _write(store: Store, rows: list[tuple[CellKey, dict[str, StoredValue]]]) -> None:
    with store.atomic():
        change = store.new_change("typed")
        for key, values in rows:
            write_values(store, key, values, change)


def test_sums_skip_text_and_other_scopes(store: Store) -> None:
    plan = prepare(store)
    rows: list[tuple[str, str, str, str, StoredValue]] = [
        (plan.id, A, "2024Q1", "220102-WS-001", 3),
        (plan.id, A, "2024Q1", "220102-WS-002", 2.5),
        (plan.id, A, "2024Q2", "220102-WS-001", 100),
        (plan.id, B, "2024Q1", "220103-WS-001", "n/a"),
        (plan.id, C, "2024Q1", "220104-WS-001", 7),
        ("other-plan", A, "2024Q1", "220102-WS-001", 50),
    ]
    _write(
        store,
        [
            (CellKey(plan_id, "activity", org, period, subject), {"consultations": value})
            for plan_id, org, period, subject, value in rows
        ],
    )
    assert sums_by_org(store, plan.id, "activity", "2024Q1", "consultations", [A, B]) == {A: 5.5}
    assert sums_by_org(store, plan.id, "activity", "2024Q1", "consultations", []) == {}
    totals = field_totals(store, plan.id, "activity", ["2024Q1", "2024Q2"], [A, B, C])
    assert totals == {"consultations": 112.5}
    assert field_totals(store, plan.id, "activity", ["2023Q1"], [A]) == {}
    assert sorted(quarters_with_data(store, plan.id, ["activity"])) == ["2024Q1", "2024Q2"]
    assert quarters_with_data(store, plan.id, ["special_projects"]) == []
    assert not has_demo_values(store)


def test_org_value_is_the_unit_itself_and_numeric(store: Store) -> None:
    plan = prepare(store)
    own = CellKey(plan.id, "province_annual", PROVINCE_CODE, "2024", "")
    _write(
        store,
        [
            (own, {"satisfaction": 82, "protection_centres": "两个"}),
            (CellKey(plan.id, own.form, own.org_code, own.period, "x"), {"operation_centres": 4}),
        ],
    )

    def value(period: str, field: str) -> float | None:
        return org_value(store, plan.id, own.form, PROVINCE_CODE, period, field)

    assert value("2024", "satisfaction") == 82.0
    assert isinstance(value("2024", "satisfaction"), float)
    for field in ("protection_centres", "operation_centres", "national_satisfaction"):
        assert value("2024", field) is None
    assert value("2023", "satisfaction") is None


def test_demo_flag_and_recorded_statuses(store: Store) -> None:
    plan = prepare(store)
    with store.atomic():
        change = store.new_change("typed")
        key = CellKey(plan.id, "activity", A, "2024Q1", "s")
        write_values(store, key, {"mediations": 1}, change, demo=True)
        store.conn.execute(
            "INSERT INTO period_status (plan_id, org_code, period, status, change_id) "
            "VALUES (?, ?, '2024Q1', 'submitted', ?), (?, ?, '2024Q2', 'draft', ?)",
            (plan.id, A, change, plan.id, B, change),
        )
    assert has_demo_values(store)
    assert {c: r.status for c, r in read_statuses(store, plan.id, "2024Q1").items()} == {
        A: "submitted"
    }
    assert read_statuses(store, plan.id, "2025Q1") == {}
