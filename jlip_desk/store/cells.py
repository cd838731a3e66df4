"""Values by plan, form, org unit, period, subject and field id, with their history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from jlip_desk.store.bulk import insert_rows
from jlip_desk.store.database import Store
from jlip_desk.validation.values import StoredValue

__all__ = [
    "CellKey",
    "CellUpdate",
    "HistoryEntry",
    "NewCell",
    "StoredValue",
    "existing_cells",
    "filled_periods",
    "form_history",
    "history",
    "insert_cells",
    "read_form",
    "read_row",
    "same_value",
    "store_has_values",
    "update_cells",
    "write_values",
]

# A new cell: (form, period, subject, field, value) of one org unit.
NewCell = tuple[str, str, str, str, StoredValue]
# A changed cell: (new value, cell id).
CellUpdate = tuple[StoredValue, int]


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
    old_value: StoredValue
    new_value: StoredValue
    at: str
    action: str
    actor: str
    source_file: str | None
    source_sha256: str | None
    note: str | None


def write_values(
    store: Store,
    key: CellKey,
    values: Mapping[str, StoredValue],
    change_id: int,
    *,
    demo: bool = False,
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
        elif not same_value(row[1], value):
            store.conn.execute(
                "UPDATE cells SET value = ?, change_id = ?, demo = ? WHERE id = ?",
                (value, change_id, int(demo), row[0]),
            )
            changed += 1
    return changed


def store_has_values(store: Store) -> bool:
    return store.conn.execute("SELECT 1 FROM cells LIMIT 1").fetchone() is not None


def same_value(old: StoredValue, new: StoredValue) -> bool:
    """Whether a stored value is unchanged: 1 and 1.0 differ, as typed values do."""
    return type(old) is type(new) and old == new


def existing_cells(
    store: Store, plan_id: str, org_code: str, form: str, period: str
) -> dict[tuple[str, str], tuple[int, StoredValue]]:
    """``{(subject, field): (cell id, value)}`` of one org unit's form and period."""
    return {
        (subject, field_id): (cell_id, value)
        for cell_id, subject, field_id, value in store.conn.execute(
            "SELECT id, subject, field, value FROM cells WHERE plan_id = ? AND form = ? "
            "AND org_code = ? AND period = ?",
            (plan_id, form, org_code, period),
        )
    }


def insert_cells(
    store: Store, plan_id: str, org_code: str, cells: list[NewCell], change_id: int
) -> None:
    """Add new cells in bulk (history is written by the table's trigger)."""
    insert_rows(
        store,
        "INSERT INTO cells (plan_id, form, org_code, period, subject, field, value, demo, "
        "change_id)",
        "(?, ?, ?, ?, ?, ?, ?, 0, ?)",
        [
            (plan_id, form, org_code, period, subject, field_id, value, change_id)
            for form, period, subject, field_id, value in cells
        ],
    )


def update_cells(store: Store, updates: list[CellUpdate], change_id: int) -> None:
    store.conn.executemany(
        "UPDATE cells SET value = ?, change_id = ?, demo = 0 WHERE id = ?",
        [(value, change_id, cell_id) for value, cell_id in updates],
    )


def form_history(
    store: Store, plan_id: str, form_id: str, org_codes: Iterable[str], subject: str | None = None
) -> list[tuple[str, str, str, str, StoredValue]]:
    """Every stored period value of a form: ``(org, subject, period, field, value)``."""
    codes = list(org_codes)
    if not codes:
        return []
    sql = (
        "SELECT org_code, subject, period, field, value FROM cells "
        "WHERE plan_id = ? AND form = ? AND period != '' "
        f"AND org_code IN ({','.join('?' * len(codes))})"
    )
    params: list[object] = [plan_id, form_id, *codes]
    if subject is not None:
        sql += " AND subject = ?"
        params.append(subject)
    return store.conn.execute(sql, params).fetchall()


def read_row(store: Store, key: CellKey) -> dict[str, StoredValue]:
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
) -> dict[tuple[str, str], dict[str, StoredValue]]:
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
    out: dict[tuple[str, str], dict[str, StoredValue]] = {}
    for org_code, subject, field, value in store.conn.execute(sql, params):
        out.setdefault((org_code, subject), {})[field] = value
    return out


def periods_of_form(store: Store, plan_id: str, form: str) -> list[str]:
    """Every period text that holds a value of ``form`` ('' for registry attributes)."""
    rows = store.conn.execute(
        "SELECT DISTINCT period FROM cells WHERE plan_id = ? AND form = ? ORDER BY period",
        (plan_id, form),
    )
    return [row[0] for row in rows]


def filled_periods(store: Store, plan_id: str, form: str) -> set[tuple[str, str]]:
    """Every (org code, period text) that holds a value of ``form`` in a period."""
    rows = store.conn.execute(
        "SELECT DISTINCT org_code, period FROM cells "
        "WHERE plan_id = ? AND form = ? AND period != '' AND value IS NOT NULL",
        (plan_id, form),
    )
    return {(org, period) for org, period in rows}


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
