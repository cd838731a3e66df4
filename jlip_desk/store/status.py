"""The period_status table: one org unit's reporting state per period, with its history."""

from __future__ import annotations

from typing import NamedTuple

from jlip_desk.store.database import Store

__all__ = [
    "StatusRow",
    "locked_periods",
    "periods_with_status",
    "read_org_statuses",
    "read_status",
    "read_statuses",
    "status_history",
    "write_status",
]


class StatusRow(NamedTuple):
    status: str
    reason: str | None
    change_id: int


def read_status(store: Store, plan_id: str, org_code: str, period: str) -> StatusRow | None:
    row = store.conn.execute(
        "SELECT status, reason, change_id FROM period_status "
        "WHERE plan_id = ? AND org_code = ? AND period = ?",
        (plan_id, org_code, period),
    ).fetchone()
    return StatusRow(*row) if row else None


def read_statuses(store: Store, plan_id: str, period: str) -> dict[str, StatusRow]:
    """Every recorded state of one period, by org unit."""
    return {
        code: StatusRow(status, reason, change)
        for code, status, reason, change in store.conn.execute(
            "SELECT org_code, status, reason, change_id FROM period_status "
            "WHERE plan_id = ? AND period = ?",
            (plan_id, period),
        )
    }


def read_org_statuses(store: Store, plan_id: str, org_code: str) -> dict[str, StatusRow]:
    """Every recorded state of one org unit, by period text."""
    return {
        period: StatusRow(status, reason, change)
        for period, status, reason, change in store.conn.execute(
            "SELECT period, status, reason, change_id FROM period_status "
            "WHERE plan_id = ? AND org_code = ?",
            (plan_id, org_code),
        )
    }


def locked_periods(store: Store, plan_id: str) -> dict[str, set[str]]:
    """Every handed-in (submitted or accepted) period of a plan, by org unit."""
    out: dict[str, set[str]] = {}
    for org, period in store.conn.execute(
        "SELECT org_code, period FROM period_status "
        "WHERE plan_id = ? AND status IN ('submitted', 'accepted')",
        (plan_id,),
    ):
        out.setdefault(org, set()).add(period)
    return out


def periods_with_status(store: Store, plan_id: str) -> set[tuple[str, str]]:
    """Every (org code, period text) of a plan that has a recorded state."""
    rows = store.conn.execute(
        "SELECT org_code, period FROM period_status WHERE plan_id = ?", (plan_id,)
    )
    return {(org, period) for org, period in rows}


def write_status(
    store: Store,
    plan_id: str,
    org_code: str,
    period: str,
    status: str,
    reason: str | None,
    change_id: int,
    *,
    demo: bool = False,
) -> None:
    """Record a state; the table's triggers write period_status_history. Inside atomic()."""
    store.conn.execute(
        "INSERT INTO period_status (plan_id, org_code, period, status, reason, demo, change_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (plan_id, org_code, period) DO UPDATE SET "
        "status = excluded.status, reason = excluded.reason, demo = excluded.demo, "
        "change_id = excluded.change_id",
        (plan_id, org_code, period, status, reason, int(demo), change_id),
    )


def status_history(
    store: Store, plan_id: str, org_code: str, period: str
) -> list[tuple[str | None, str, str | None, str, str]]:
    """``(old, new, reason, at, actor)`` of every state change, oldest first."""
    return store.conn.execute(
        "SELECT h.old_status, h.new_status, h.reason, c.at, c.actor "
        "FROM period_status_history h JOIN changes c ON c.id = h.change_id "
        "WHERE h.plan_id = ? AND h.org_code = ? AND h.period = ? ORDER BY h.id",
        (plan_id, org_code, period),
    ).fetchall()
