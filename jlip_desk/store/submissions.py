"""Imported submissions: one row per revision of an org unit's workbook for a period."""

from __future__ import annotations

from typing import NamedTuple

from jlip_desk.store.database import Store, now_iso

__all__ = ["Submission", "add_submission", "latest_submission", "submission_of_file"]


class Submission(NamedTuple):
    revision: int
    imported_at: str
    exported_at: str | None
    file_name: str
    file_sha256: str
    data_sha256: str


_COLUMNS = "revision, imported_at, exported_at, file_name, file_sha256, data_sha256"


def latest_submission(store: Store, plan_id: str, org_code: str, period: str) -> Submission | None:
    row = store.conn.execute(
        f"SELECT {_COLUMNS} FROM submissions WHERE plan_id = ? AND org_code = ? AND period = ? "
        "ORDER BY revision DESC LIMIT 1",
        (plan_id, org_code, period),
    ).fetchone()
    return Submission(*row) if row else None


def submission_of_file(
    store: Store, plan_id: str, org_code: str, period: str, file_sha256: str
) -> Submission | None:
    """The newest revision imported from exactly this file, if any."""
    row = store.conn.execute(
        f"SELECT {_COLUMNS} FROM submissions WHERE plan_id = ? AND org_code = ? AND period = ? "
        "AND file_sha256 = ? ORDER BY revision DESC LIMIT 1",
        (plan_id, org_code, period, file_sha256),
    ).fetchone()
    return Submission(*row) if row else None


def add_submission(
    store: Store,
    *,
    plan_id: str,
    plan_version: str,
    org_code: str,
    period: str,
    file_name: str,
    file_sha256: str,
    data_sha256: str,
    export_sha256: str | None,
    exported_at: str | None,
    base_revision: int | None,
    values_changed: int,
    change_id: int,
) -> int:
    """Record the next revision (inside ``atomic()``); returns its number."""
    revision: int = store.conn.execute(
        "SELECT COALESCE(MAX(revision), 0) + 1 FROM submissions "
        "WHERE plan_id = ? AND org_code = ? AND period = ?",
        (plan_id, org_code, period),
    ).fetchone()[0]
    store.conn.execute(
        "INSERT INTO submissions (plan_id, plan_version, org_code, period, revision, file_name, "
        "file_sha256, data_sha256, export_sha256, imported_at, values_changed, change_id, "
        "exported_at, base_revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (plan_id, plan_version, org_code, period, revision, file_name, file_sha256, data_sha256,
         export_sha256, now_iso(), values_changed, change_id, exported_at, base_revision),
    )  # fmt: skip
    return revision
