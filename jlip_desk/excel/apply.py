"""Turn checked rows into the store's writes: what changes, then all of it in bulk."""

from __future__ import annotations

from dataclasses import dataclass, field

from jlip_desk.excel.validate import Checked
from jlip_desk.plan.model import Plan
from jlip_desk.store.bulk import insert_rows
from jlip_desk.store.cells import Value
from jlip_desk.store.database import Store
from jlip_desk.store.records import create_records_with_codes, format_code


@dataclass(slots=True)
class Diff:
    # New records: code, registry id, attribute values.
    records: list[tuple[str, str, dict[str, Value]]] = field(default_factory=list)
    inserts: list[tuple[str, str, str, str, Value]] = field(default_factory=list)
    updates: list[tuple[Value, int]] = field(default_factory=list)  # value, cell id

    @property
    def values_changed(self) -> int:
        new = sum(1 for _, _, values in self.records for v in values.values() if v is not None)
        return new + len(self.inserts) + len(self.updates)

    @property
    def empty(self) -> bool:
        return not (self.records or self.inserts or self.updates)


def _same(old: Value, new: Value) -> bool:
    return type(old) is type(new) and old == new


class _Existing:
    """Stored values of one org unit, loaded once per (form, period)."""

    def __init__(self, store: Store, plan_id: str, org_code: str):
        self.store, self.plan_id, self.org_code = store, plan_id, org_code
        self._cache: dict[tuple[str, str], dict[tuple[str, str], tuple[int, Value]]] = {}

    def get(self, form: str, period: str) -> dict[tuple[str, str], tuple[int, Value]]:
        key = (form, period)
        if key not in self._cache:
            self._cache[key] = {
                (subject, field_id): (cell_id, value)
                for cell_id, subject, field_id, value in self.store.conn.execute(
                    "SELECT id, subject, field, value FROM cells WHERE plan_id = ? AND form = ? "
                    "AND org_code = ? AND period = ?",
                    (self.plan_id, form, self.org_code, period),
                )
            }
        return self._cache[key]


def compute_diff(store: Store, plan: Plan, org_code: str, checked: Checked) -> Diff:
    """What importing ``checked`` would change; new records get their codes here."""
    diff = Diff()
    existing = _Existing(store, plan.id, org_code)
    next_seq: dict[str, int] = {}
    for registry in plan.registries:
        row = store.conn.execute(
            "SELECT COALESCE(MAX(seq), 0) FROM records WHERE org_code = ? AND registry = ?",
            (org_code, registry.id),
        ).fetchone()
        in_file = [
            int(r.code.rsplit("-", 1)[1])
            for r in checked.records
            if r.registry == registry.id and r.code is not None
        ]
        next_seq[registry.id] = max([row[0], *in_file]) + 1

    def write(form: str, period: str, subject: str, values: dict[str, Value]) -> None:
        stored = existing.get(form, period)
        for field_id, value in values.items():
            old = stored.get((subject, field_id))
            if old is None:
                if value is not None:
                    diff.inserts.append((form, period, subject, field_id, value))
            elif not _same(old[1], value):
                diff.updates.append((value, old[0]))

    for record in checked.records:
        code = record.code
        if code is None:
            registry = plan.registry(record.registry)
            seq = next_seq[registry.id]
            next_seq[registry.id] += 1
            diff.records.append(
                (format_code(org_code, registry.code_tag, seq), registry.id, record.values)
            )
        elif not record.known:
            diff.records.append((code, record.registry, record.values))
        else:
            write(record.registry, "", code, record.values)
    for form_row in checked.rows:
        write(form_row.form, form_row.period, form_row.subject, form_row.values)
    return diff


def apply_diff(store: Store, plan: Plan, org_code: str, diff: Diff, change_id: int) -> None:
    """Write ``diff``; must run inside ``store.atomic()``."""
    for registry in plan.registries:
        new = [(code, values) for code, rid, values in diff.records if rid == registry.id]
        if new:
            create_records_with_codes(store, plan.id, registry, org_code, new, change_id)
    insert_rows(
        store,
        "INSERT INTO cells (plan_id, form, org_code, period, subject, field, value, demo, "
        "change_id)",
        "(?, ?, ?, ?, ?, ?, ?, 0, ?)",
        [
            (plan.id, form, org_code, period, subject, field_id, value, change_id)
            for form, period, subject, field_id, value in diff.inserts
        ],
    )
    store.conn.executemany(
        "UPDATE cells SET value = ?, change_id = ?, demo = 0 WHERE id = ?",
        [(value, change_id, cell_id) for value, cell_id in diff.updates],
    )
