"""The window on a store with overwritten pages: never used, a backup offered (issue 9).

On main a store with damaged pages still opened in the window and took imports.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from jlip_desk.services.demo import generate
from jlip_desk.services.installation import bind, open_store
from jlip_desk.ui import app as app_module
from jlip_desk.ui.restore_dialog import RestoreDialog

STORE = "jlip_desk.sqlite3"


def _damage(store_file: Path) -> bytes:
    data = bytearray(store_file.read_bytes())
    page = 4096
    data[page * 3 : page * 12] = b"\xa5" * (page * 9)
    store_file.write_bytes(bytes(data))
    return bytes(data)


def _filled(data_dir: Path, *, with_backup: bool) -> Path:
    store = open_store()
    generate(store, seed=5)
    bind(store, "220000")
    if with_backup:
        store.backup(reason="manual")
    store.close()
    return data_dir / STORE


def test_the_window_offers_the_newest_backup_and_opens_the_restored_store(
    qtbot: QtBot, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QLabel

    store_file = _filled(data_dir, with_backup=True)
    damaged = _damage(store_file)
    told: list[str] = []

    def restore_newest(dialog: RestoreDialog) -> int:
        told.extend(label.text() for label in dialog.findChildren(QLabel))
        dialog.table.selectRow(0)
        dialog.restore_button.click()
        return dialog.result()

    monkeypatch.setattr(RestoreDialog, "exec", restore_newest)
    store = app_module._open_or_restore()
    assert store is not None, "the restored store opens"
    try:
        assert store.conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        assert store.conn.execute("SELECT count(*) FROM cells").fetchone()[0] > 1000
    finally:
        store.close()
    assert any("数据库无法使用" in text and "损坏" in text for text in told), told
    # The damaged file is kept aside, whole: nothing is thrown away.
    kept = [f for f in data_dir.rglob("*") if f.is_file() and f.read_bytes() == damaged]
    assert kept and store_file not in kept


def test_without_a_backup_the_window_says_so_and_touches_nothing(
    qtbot: QtBot, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_file = _filled(data_dir, with_backup=False)
    for old in (data_dir / "backups").glob("*.sqlite3"):
        old.unlink()  # the daily backup of opening, if one was taken
    damaged = _damage(store_file)
    shown: list[str] = []
    monkeypatch.setattr(
        "jlip_desk.ui.errors.show_error",
        lambda _parent, exc, _title="": shown.append(exc.message),
    )
    assert app_module._open_or_restore() is None
    assert shown and "损坏" in shown[0]
    assert store_file.read_bytes() == damaged, "nothing writes to a damaged store"
