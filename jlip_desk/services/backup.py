"""Back up and restore this installation's store (the command line and the window share it)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from jlip_desk import paths
from jlip_desk.errors import JlipError, StoreError
from jlip_desk.store import backups
from jlip_desk.store.backups import BackupInfo, Contents
from jlip_desk.store.database import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Listed:
    info: BackupInfo
    contents: Contents | None  # None: the file is damaged or not a store
    problem: str | None


def daily_backup(store: Store) -> Path | None:
    """The first start of a day backs up a store that holds anything; never fatal."""
    if store.path is None or not store.holds_data():
        return None
    folder = store.backups_folder()
    try:
        if backups.taken_today(folder):
            return None
        return store.backup(reason="daily")
    except (JlipError, OSError):
        log.warning("daily backup failed", exc_info=True)
        return None


def listed(folder: Path | None = None) -> list[Listed]:
    """Every backup, newest first, with what it holds (or why it cannot be used)."""
    folder = folder or paths.backups_dir()
    out = []
    for info in backups.list_backups(folder):
        try:
            out.append(Listed(info, backups.contents(info.path), None))
        except StoreError as exc:
            out.append(Listed(info, None, exc.message))
    return out


def newest_good(folder: Path | None = None) -> Listed | None:
    return next((b for b in listed(folder) if b.contents is not None), None)


@dataclass(frozen=True, slots=True)
class Restored:
    source: Path
    contents: Contents
    safety_copy: Path | None  # the store as it was before, kept
    set_aside: Path | None  # a store too damaged to back up, moved here instead


def restore(source: Path, store_path: Path | None = None) -> Restored:
    """Replace the store with the backup ``source``; the current store is kept first.

    No connection to the store may be open (the window closes its own first).
    A current store that still opens is backed up the proper way; one that does
    not is moved aside whole, so nothing that was there is lost either way.
    """
    store_path = store_path or paths.store_path()
    source = source.resolve()
    held = backups.contents(source)  # refuses a damaged or foreign file, naming it
    safety: Path | None = None
    aside: Path | None = None
    if store_path.exists():
        try:
            current = Store.open(store_path, migrate=True)
        except StoreError:
            aside = store_path.with_name(
                f"{store_path.name}.damaged-{dt.datetime.now():%Y%m%d-%H%M%S}"
            )
            store_path.replace(aside)
            log.warning("unusable store moved aside to %s", aside)
        else:
            try:
                safety = current.backup(reason="before-restore")
            finally:
                current.close()
    if source == store_path.resolve():
        raise StoreError("不能用数据库文件本身恢复", where=str(source))
    backups.restore_into(source, store_path)
    log.info(
        "restored %s from %s (safety copy %s, set aside %s)", store_path, source, safety, aside
    )
    return Restored(source, held, safety, aside)
