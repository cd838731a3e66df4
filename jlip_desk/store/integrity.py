"""Read-only reads behind the integrity check: SQLite's own checks and the app's invariants."""

from __future__ import annotations

from typing import NamedTuple

from jlip_desk.store.database import Store

__all__ = [
    "COUNTED_TABLES",
    "ForeignKeyViolation",
    "RecordCode",
    "fields_in_cells",
    "foreign_key_violations",
    "integrity_problems",
    "plan_ids_in_cells",
    "record_codes",
    "row_counts",
    "stored_plan_ids",
    "values_without_history",
]

# The tables whose sizes the check reports, in the order it reports them.
COUNTED_TABLES = ("org_units", "records", "cells", "cell_history", "changes")


class ForeignKeyViolation(NamedTuple):
    """One row of ``PRAGMA foreign_key_check``."""

    table: str
    rowid: int | None  # None for a WITHOUT ROWID table
    parent: str
    fk_index: int


class RecordCode(NamedTuple):
    """What a registry record's code is made of, as stored."""

    code: str
    plan_id: str
    registry: str
    org_code: str
    seq: int


def integrity_problems(store: Store) -> list[str]:
    """The lines of ``PRAGMA integrity_check``: ``["ok"]`` when the file is sound."""
    return [row[0] for row in store.conn.execute("PRAGMA integrity_check")]


def foreign_key_violations(store: Store) -> list[ForeignKeyViolation]:
    """Every row whose reference points at no row of its parent table."""
    return [ForeignKeyViolation(*row) for row in store.conn.execute("PRAGMA foreign_key_check")]


def stored_plan_ids(store: Store) -> set[str]:
    """Ids of the plans loaded into the store (any version)."""
    return {row[0] for row in store.conn.execute("SELECT DISTINCT id FROM plans")}


def plan_ids_in_cells(store: Store) -> set[str]:
    """Ids of the plans that values were recorded under."""
    return {row[0] for row in store.conn.execute("SELECT DISTINCT plan_id FROM cells")}


def fields_in_cells(store: Store, plan_id: str) -> list[tuple[str, str]]:
    """The distinct ``(form or registry id, field id)`` pairs holding values of one plan."""
    return [
        (form, field)
        for form, field in store.conn.execute(
            "SELECT DISTINCT form, field FROM cells WHERE plan_id = ?", (plan_id,)
        )
    ]


def record_codes(store: Store) -> list[RecordCode]:
    """Code and code parts of every registry record, in the table's own order."""
    return [
        RecordCode(*row)
        for row in store.conn.execute("SELECT code, plan_id, registry, org_code, seq FROM records")
    ]


def values_without_history(store: Store) -> int:
    """How many values differ from (or lack) the newest history entry of their cell.

    The history triggers keep the two equal; a difference means rows were changed
    behind the app's back.
    """
    count: int = store.conn.execute(
        "SELECT COUNT(*) FROM cells c WHERE NOT EXISTS ("
        " SELECT 1 FROM cell_history h WHERE h.cell_id = c.id"
        " AND h.id = (SELECT MAX(id) FROM cell_history WHERE cell_id = c.id)"
        " AND (h.new_value IS c.value))"
    ).fetchone()[0]
    return count


def row_counts(store: Store) -> dict[str, int]:
    """``{table: rows}`` for each of :data:`COUNTED_TABLES`, in that order."""
    # Table names cannot be bound parameters; these come from the constant above only.
    return {
        name: store.conn.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0]
        for name in COUNTED_TABLES
    }
