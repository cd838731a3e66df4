"""Values by plan, form, org unit, period, subject and field id, with their history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from jlip_desk.store.database import Store

Value = int | float | str | None


@dataclass(frozen=True, slots=True)
class CellKey:
    plan_id: str
    form: str  # form id, or registry id for registry attributes
    org_code: str
    period: str  # '' for registry attributes
    subject: str  # record code, item id, or '' for the org unit itself


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    field: str
    old_value: Value
    new_value: Value
    at: str
    action: str
    actor: str
    source_file: str | None
    source_sha256: str | None
    note: str | None


def write_values(
    store: Store, key: CellKey, values: Mapping[str, Value], change_id: int, *, demo: bool = False
) -> int:
    """Upsert ``values`` for one row; returns how many values actually changed.

    Must run inside ``store.atomic()``. Unchanged values are left alone so
    history only records real changes.
    """
    changed = 0
    for field, value in values.items():
        row = store.conn.execute(
            "SELECT id, value FROM cells WHERE plan_id = ? AND form = ? AND org_code = ? "
            "AND period = ? AND subject = ? AND field = ?",
            (key.plan_id, key.form, key.org_code, key.period, key.subject, field),
        ).fetchone()
        if row is None:
            if value is None:
                continue
            store.conn.execute(
                "INSERT INTO cells (plan_id, form, org_code, period, subject, field, value, "
                "demo, change_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key.plan_id,
                    key.form,
                    key.org_code,
                    key.period,
                    key.subject,
                    field,
                    value,
                    int(demo),
                    change_id,
                ),
            )
            changed += 1
        elif not _same(row[1], value):
            store.conn.execute(
                "UPDATE cells SET value = ?, change_id = ?, demo = ? WHERE id = ?",
                (value, change_id, int(demo), row[0]),
            )
            changed += 1
    return changed


def _same(old: Value, new: Value) -> bool:
    return type(old) is type(new) and old == new


def read_row(store: Store, key: CellKey) -> dict[str, Value]:
    return {
        field: value
        for field, value in store.conn.execute(
            "SELECT field, value FROM cells WHERE plan_id = ? AND form = ? AND org_code = ? "
            "AND period = ? AND subject = ?",
            (key.plan_id, key.form, key.org_code, key.period, key.subject),
        )
    }


def read_form(
    store: Store, plan_id: str, form: str, period: str, org_codes: Iterable[str] | None = None
) -> dict[tuple[str, str], dict[str, Value]]:
    """All rows of one form for one period: ``{(org_code, subject): {field: value}}``."""
    sql = (
        "SELECT org_code, subject, field, value FROM cells "
        "WHERE plan_id = ? AND form = ? AND period = ?"
    )
    params: list[object] = [plan_id, form, period]
    if org_codes is not None:
        codes = list(org_codes)
        sql += f" AND org_code IN ({','.join('?' * len(codes))})"
        params.extend(codes)
    out: dict[tuple[str, str], dict[str, Value]] = {}
    for org_code, subject, field, value in store.conn.execute(sql, params):
        out.setdefault((org_code, subject), {})[field] = value
    return out


def history(store: Store, key: CellKey, field: str | None = None) -> list[HistoryEntry]:
    """Every change of a row's values (or one field's), oldest first."""
    sql = (
        "SELECT c.field, h.old_value, h.new_value, ch.at, ch.action, ch.actor, "
        "ch.source_file, ch.source_sha256, ch.note "
        "FROM cell_history h JOIN cells c ON c.id = h.cell_id "
        "JOIN changes ch ON ch.id = h.change_id "
        "WHERE c.plan_id = ? AND c.form = ? AND c.org_code = ? AND c.period = ? AND c.subject = ?"
    )
    params: list[object] = [key.plan_id, key.form, key.org_code, key.period, key.subject]
    if field is not None:
        sql += " AND c.field = ?"
        params.append(field)
    sql += " ORDER BY h.id"
    return [HistoryEntry(*row) for row in store.conn.execute(sql, params)]
