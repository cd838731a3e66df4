"""Backups of the store: SQLite's online backup, verified, rotated; and restore.

A backup is never a file copy of a live store (a copy taken mid-write is torn):
``sqlite3.Connection.backup`` copies a consistent snapshot page by page. Each one
is checked with ``integrity_check`` before it counts; one that fails is deleted.
Kept: the newest :data:`KEEP_LAST`, plus the newest of each of the last
:data:`KEEP_MONTHS` months.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from jlip_desk.errors import StoreError

log = logging.getLogger(__name__)

KEEP_LAST = 10
KEEP_MONTHS = 12
STALE_PART_SECONDS = 3600
SQLITE_HEADER = b"SQLite format 3\x00"
_NAME = re.compile(r"^jlip_desk-(\d{8})-(\d{6})-([a-z-]+?)(?:-(\d+))?\.sqlite3$")
REASONS = {
    "daily": "每日自动备份",
    "before-import": "导入前",
    "before-migration": "升级前",
    "before-restore": "恢复前",
    "manual": "手动备份",
}


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    taken: dt.datetime
    reason: str
    size: int

    @property
    def reason_label(self) -> str:
        return REASONS.get(self.reason, self.reason)


@dataclass(frozen=True, slots=True)
class Contents:
    """What a store file holds, read without migrating or changing it."""

    bound_org: str | None
    records: int
    values: int
    last_change: str | None

    def text(self) -> str:
        org = self.bound_org or "未绑定"
        last = self.last_change[:16].replace("T", " ") if self.last_change else "无"
        return f"绑定单位 {org},登记记录 {self.records} 条,数值 {self.values} 个,最后修改 {last}"


def backup_to(conn: sqlite3.Connection, target: Path) -> Path:
    """Write a verified online backup of ``conn`` to ``target`` (replaced only when good)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # A name of its own: two programs backing up in the same second must not write
    # (or delete) one another's half-written copy.
    partial = target.with_name(f"{target.name}.{os.getpid()}-{secrets.token_hex(4)}.part")
    try:
        dest = sqlite3.connect(str(partial))
        try:
            conn.backup(dest)
            dest.execute("PRAGMA journal_mode = DELETE")
            problems = [row[0] for row in dest.execute("PRAGMA integrity_check")]
        finally:
            dest.close()
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        from jlip_desk.store.database import FREE_SOME_SPACE, disk_nearly_full, free_space_text

        if disk_nearly_full(target.parent) or "full" in str(exc):
            raise StoreError(
                f"磁盘已满({free_space_text(target.parent)}),无法写入备份;数据库未作改动",
                where=str(target),
                allowed=FREE_SOME_SPACE,
            ) from None
        raise StoreError(f"无法写入备份:{exc}", where=str(target)) from None
    if problems != ["ok"]:
        partial.unlink(missing_ok=True)
        raise StoreError(
            f"备份未通过完整性检查,已删除:{'; '.join(problems[:3])}", where=str(target)
        )
    partial.replace(target)
    _remove_stale_parts(target.parent, f"{target.name}.*.part")
    return target


def take(conn: sqlite3.Connection, folder: Path, reason: str) -> Path:
    """A verified backup into ``folder`` named by time and reason, then prune."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = folder / f"jlip_desk-{stamp}-{reason}.sqlite3"
    counter = 1
    while target.exists():
        counter += 1
        target = folder / f"jlip_desk-{stamp}-{reason}-{counter}.sqlite3"
    backup_to(conn, target)
    log.info("store backed up to %s", target)
    prune(folder)
    return target


def list_backups(folder: Path) -> list[BackupInfo]:
    """The backups in ``folder``, newest first."""
    found = []
    if not folder.is_dir():
        return []
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if not match:
            continue
        taken = dt.datetime.strptime(match[1] + match[2], "%Y%m%d%H%M%S")
        found.append(
            (taken, int(match[4] or 1), BackupInfo(path, taken, match[3], path.stat().st_size))
        )
    # Within one second by the counter take() adds (-2, -3…), not by name: "x.sqlite3"
    # sorts after "x-2.sqlite3", which made the first of a second look the newest.
    return [b for _, _, b in sorted(found, key=lambda t: (t[0], t[1]), reverse=True)]


def prune(folder: Path, *, keep_last: int = KEEP_LAST, keep_months: int = KEEP_MONTHS) -> None:
    """Delete backups beyond the newest ``keep_last`` and one a month for ``keep_months``."""
    backups = list_backups(folder)
    keep = {b.path for b in backups[:keep_last]}
    months: set[tuple[int, int]] = set()
    for backup in backups:  # newest first: the first of each month is its newest
        month = (backup.taken.year, backup.taken.month)
        if month not in months and len(months) < keep_months:
            months.add(month)
            keep.add(backup.path)
    for backup in backups:
        if backup.path not in keep:
            try:
                backup.path.unlink()
            except OSError:
                log.warning("could not prune backup %s", backup.path, exc_info=True)
    _remove_stale_parts(folder, "*.part")


def _remove_stale_parts(folder: Path, pattern: str) -> None:
    """A backup killed midway (a power cut) leaves its ``.part`` file: never a backup,
    tidied once it is old enough that no program can still be writing it."""
    cutoff = dt.datetime.now().timestamp() - STALE_PART_SECONDS
    for partial in folder.glob(pattern):
        try:
            if partial.stat().st_mtime < cutoff:
                partial.unlink()
        except OSError:
            log.warning("could not remove partial backup %s", partial, exc_info=True)


def taken_today(folder: Path) -> bool:
    today = dt.date.today()
    return any(b.taken.date() == today for b in list_backups(folder))


def looks_like_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(16) == SQLITE_HEADER
    except OSError:
        return False


def contents(path: Path) -> Contents:
    """What the store file at ``path`` holds; StoreError if it is not a good store."""
    if not looks_like_sqlite(path):
        raise StoreError("不是 JLIP Desk 的数据库文件(不是 SQLite 数据库)", where=str(path))
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise StoreError(f"数据库文件已损坏:{'; '.join(problems[:3])}", where=str(path))
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if not {"_sqlite_migrations", "cells", "records", "settings"} <= tables:
            raise StoreError("不是 JLIP Desk 的数据库文件(缺少本程序的数据表)", where=str(path))
        bound = conn.execute("SELECT value FROM settings WHERE key = 'installation_org'").fetchone()
        records = conn.execute("SELECT count(*) FROM records").fetchone()[0]
        values = conn.execute("SELECT count(*) FROM cells").fetchone()[0]
        last = conn.execute("SELECT max(at) FROM changes").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"数据库文件无法读取:{exc}", where=str(path)) from None
    finally:
        conn.close()
    return Contents(bound[0] if bound else None, records, values, last)


def _state(conn: sqlite3.Connection) -> tuple[object, ...]:
    """What tells two stores apart cheaply: every write records a change, and binding."""
    last = conn.execute("SELECT max(id), count(*) FROM changes").fetchone()
    bound = conn.execute("SELECT value FROM settings WHERE key = 'installation_org'").fetchone()
    return (*last, bound[0] if bound else None)


def holds_state_of(conn: sqlite3.Connection, path: Path) -> bool:
    """Whether the backup at ``path`` already holds everything ``conn`` holds now (no change
    since it was taken): another backup would be the same file, and would push a useful
    older one out of the rotation."""
    try:
        backup = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return _state(backup) == _state(conn)
        finally:
            backup.close()
    except sqlite3.Error:
        return False


def restore_into(source: Path, target: Path) -> None:
    """Replace the store at ``target`` with the backup ``source`` (already vetted).

    Written with the online backup API into a new file beside the target, then
    moved over it in one rename, so a failure half-way leaves the old store whole.
    The old store's -wal and -shm files go with it: they belong to the old file.
    """
    partial = target.with_name(target.name + ".restoring")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dest = sqlite3.connect(str(partial))
    try:
        src.backup(dest)
        dest.execute("PRAGMA journal_mode = DELETE")
    finally:
        dest.close()
        src.close()
    for suffix in ("-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    partial.replace(target)
    log.info("store %s restored from %s", target, source)
