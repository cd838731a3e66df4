"""The restore dialog lists the backups with what they hold and restores the chosen one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
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


def test_restore_from_the_running_window_opens_it_again_on_the_restored_store(
    qtbot: QtBot, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from jlip_desk.ui import app as app_module
    from jlip_desk.ui.main_window import MainWindow

    store = open_store()
    bind(store, "220102")
    store.backup(reason="manual")
    store.close()
    conn = sqlite3.connect(data_dir / "jlip_desk.sqlite3")
    conn.execute("UPDATE settings SET value = '220103' WHERE key = 'installation_org'")
    conn.commit()
    conn.close()

    told: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes)
    )
    monkeypatch.setattr(
        QMessageBox, "information", staticmethod(lambda _parent, _title, text: told.append(text))
    )

    def choose_newest(dialog: RestoreDialog) -> int:
        dialog.table.selectRow(0)
        dialog.restore_button.click()
        return dialog.result()

    monkeypatch.setattr(RestoreDialog, "exec", choose_newest)
    windows: list[MainWindow] = []
    orgs: list[str] = []

    class App:
        """Stands in for QApplication.exec: what the user does in each window."""

        def exec(self) -> int:
            window = next(
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, MainWindow) and w.isVisible()
            )
            windows.append(window)
            qtbot.addWidget(window)
            if len(windows) == 1:
                assert window.ctx.org is not None and window.ctx.org.code == "220103"
                window.restore_backup()  # 文件 > 从备份恢复
            else:
                orgs.append(window.ctx.org.code if window.ctx.org else "")
                window.close()
            return 0

    assert app_module._run_window(App()) == 0  # type: ignore[arg-type]
    assert len(windows) == 2, "the window opened again after the restore"
    assert windows[0].ctx.closed
    assert orgs == ["220102"]  # the new window shows the restored store
    assert told and "已从备份恢复" in told[0] and "重新打开" in told[0]
