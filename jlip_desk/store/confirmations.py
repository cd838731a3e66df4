"""Outlier warnings confirmed with a comment: append-only, the newest per cell counts."""

from __future__ import annotations

from collections.abc import Iterable

from jlip_desk.store.cells import CellKey
from jlip_desk.store.database import Store
from jlip_desk.validation.values import StoredValue

__all__ = ["add_confirmation", "read_confirmations"]


def read_confirmations(
    store: Store, plan_id: str, form_id: str, org_codes: Iterable[str]
) -> list[tuple[str, str, str, str, StoredValue, str]]:
    """``(org, period, subject, field, value, comment)``, oldest first."""
    codes = list(org_codes)
    if not codes:
        return []
    return store.conn.execute(
        "SELECT org_code, period, subject, field, value, comment FROM outlier_confirmations "
        f"WHERE plan_id = ? AND form = ? AND org_code IN ({','.join('?' * len(codes))}) "
        "ORDER BY id",
        [plan_id, form_id, *codes],
    ).fetchall()


def add_confirmation(
    store: Store, key: CellKey, field_id: str, value: StoredValue, comment: str, change_id: int
) -> None:
    store.conn.execute(
        "INSERT INTO outlier_confirmations "
        "(plan_id, form, org_code, period, subject, field, value, comment, change_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (key.plan_id, key.form, key.org_code, key.period, key.subject, field_id, value, comment,
         change_id),
    )  # fmt: skip
