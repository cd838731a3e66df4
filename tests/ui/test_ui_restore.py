"""The restore dialog lists the backups with what they hold and restores the chosen one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from jlip_desk.services.installation import bind, open_store
from jlip_desk.store import backups
from jlip_desk.ui.restore_dialog import RestoreDialog


def test_restore_dialog_lists_backups_and_restores_the_chosen_one(
    qtbot: QtBot, data_dir: Path
) -> None:
    store = open_store()
    bind(store, "220102")
    first = store.backup(reason="manual")
    store.close()
    # A damaged backup is listed as unusable and cannot be chosen.
    (first.parent / "jlip_desk-20200101-000000-daily.sqlite3").write_bytes(b"garbage" * 100)

    store_file = data_dir / "jlip_desk.sqlite3"
    conn = sqlite3.connect(store_file)
    conn.execute("UPDATE settings SET value = '220103' WHERE key = 'installation_org'")
    conn.commit()
    conn.close()

    dialog = RestoreDialog(None, why="数据库无法使用:测试")
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 2
    texts = [item.text() for r in range(2) if (item := dialog.table.item(r, 2)) is not None]
    assert "绑定单位 220102" in texts[0]
    assert texts[1].startswith("不可用")
    dialog.table.selectRow(1)
    assert not dialog.restore_button.isEnabled()
    dialog.table.selectRow(0)
    assert dialog.restore_button.isEnabled()
    dialog.restore_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.restored is not None
    assert backups.contents(store_file).bound_org == "220102"
    assert dialog.restored.safety_copy is not None
    assert backups.contents(dialog.restored.safety_copy).bound_org == "220103"
