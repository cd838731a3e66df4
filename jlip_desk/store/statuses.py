"""Read-only reads of the reporting states recorded per org unit and period."""

from __future__ import annotations

from jlip_desk.store.database import Store

__all__ = ["recorded_statuses"]


def recorded_statuses(store: Store, plan_id: str, period: str) -> dict[str, str]:
    """``{org_code: status}`` of every org unit with a state recorded for ``period``.

    Org units that never saved or submitted the period have no row and are absent.
    """
    return dict(
        store.conn.execute(
            "SELECT org_code, status FROM period_status WHERE plan_id = ? AND period = ?",
            (plan_id, period),
        ).fetchall()
    )
