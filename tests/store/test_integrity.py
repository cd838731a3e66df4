"""The integrity reads see what was changed behind the app's back."""

from __future__ import annotations

from jlip_desk.services.installation import prepare
from jlip_desk.store.cells import CellKey, write_values
from jlip_desk.store.database import Store
from jlip_desk.store.integrity import (
    COUNTED_TABLES,
    fields_in_cells,
    foreign_key_violations,
    integrity_problems,
    plan_ids_in_cells,
    record_codes,
    row_counts,
    stored_plan_ids,
    values_without_history,
)
from jlip_desk.store.records import create_record

COUNTY = "220102"


def test_a_sound_store(store: Store) -> None:
    plan = prepare(store)
    with store.atomic():
        change = store.new_change("typed")
        registry = plan.registry("workstations")
        code = create_record(store, plan.id, registry, COUNTY, {"name": "甲站"}, change)
        key = CellKey(plan.id, "activity", COUNTY, "2024Q1", code)
        write_values(store, key, {"consultations": 3, "mediations": 1}, change)
    assert integrity_problems(store) == ["ok"]
    assert foreign_key_violations(store) == []
    assert stored_plan_ids(store) == {plan.id}
    assert plan_ids_in_cells(store) == {plan.id}
    assert sorted(fields_in_cells(store, plan.id)) == [
        ("activity", "consultations"),
        ("activity", "mediations"),
        ("workstations", "name"),
    ]
    assert [tuple(r) for r in record_codes(store)] == [(code, plan.id, "workstations", COUNTY, 1)]
    assert values_without_history(store) == 0
    counts = row_counts(store)
    assert list(counts) == list(COUNTED_TABLES)
    assert counts["records"] == 1
    assert counts["cells"] == counts["cell_history"] == 3
    assert counts["changes"] == 1


def test_tampering_is_seen(store: Store) -> None:
    plan = prepare(store)
    with store.atomic():
        change = store.new_change("typed")
        key = CellKey(plan.id, "activity", COUNTY, "2024Q1", "s")
        write_values(store, key, {"consultations": 3, "mediations": 1}, change)
    store.conn.execute("PRAGMA foreign_keys = OFF")
    store.conn.execute(
        "INSERT INTO cells (plan_id, form, org_code, period, subject, field, value, change_id) "
        "VALUES ('ghost', 'f', '999999', '2024', '', 'x', 1, ?)",
        (change,),
    )
    store.conn.execute("DELETE FROM cell_history WHERE id = (SELECT MIN(id) FROM cell_history)")
    [violation] = foreign_key_violations(store)
    assert (violation.table, violation.parent) == ("cells", "org_units")
    assert plan_ids_in_cells(store) == {plan.id, "ghost"}
    assert fields_in_cells(store, "ghost") == [("f", "x")]
    assert values_without_history(store) == 1
