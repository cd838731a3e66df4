"""A second window on the same data folder is told another is open (issue 9)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QLockFile, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from jlip_desk.ui import app as app_module
from jlip_desk.ui.folder_lock import claim_data_folder, lock_path


def _answer_with(label: str, seen: list[str]) -> None:
    """Click ``label`` on the message box once it shows (it is modal: exec() blocks)."""

    def click() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible():
                seen.append(f"{widget.windowTitle()}|{widget.text()}|{widget.informativeText()}")
                next(b for b in widget.buttons() if b.text() == label).click()
                return
        QTimer.singleShot(20, click)

    QTimer.singleShot(20, click)


def _held_elsewhere(data_dir: Path) -> QLockFile:
    data_dir.mkdir(parents=True, exist_ok=True)
    other = QLockFile(str(lock_path()))
    assert other.tryLock(0)
    return other


def test_the_first_window_takes_the_folder_without_a_question(qtbot: QtBot, data_dir: Path) -> None:
    go_on, lock = claim_data_folder()
    assert go_on and lock is not None and lock.isLocked()
    lock.unlock()
    go_on, again = claim_data_folder()  # the folder is free again once the window closed
    assert go_on and again is not None
    again.unlock()


@pytest.mark.parametrize(("label", "opens"), [("退出", False), ("仍然打开", True)])
def test_a_second_window_is_told_and_the_user_chooses(
    qtbot: QtBot, data_dir: Path, label: str, opens: bool
) -> None:
    other = _held_elsewhere(data_dir)
    try:
        seen: list[str] = []
        _answer_with(label, seen)
        go_on, lock = claim_data_folder()
    finally:
        other.unlock()
    assert go_on is opens and lock is None
    assert len(seen) == 1
    title, text, info = seen[0].split("|")
    assert title == "JLIP Desk 已在运行"
    assert "另一个 JLIP Desk 窗口已经打开了这个数据文件夹" in text
    assert str(data_dir) in info and f"进程 {os.getpid()}" in info


def test_run_gui_quits_before_opening_the_store_when_told_so(
    qtbot: QtBot, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[bool] = []
    monkeypatch.setattr(app_module, "_open_or_restore", lambda: opened.append(True))
    other = _held_elsewhere(data_dir)
    try:
        _answer_with("退出", [])
        assert app_module.run_gui() == 0
    finally:
        other.unlock()
    assert opened == []


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")
def test_the_lock_of_a_crashed_window_is_taken_over_silently(qtbot: QtBot, data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from PySide6.QtCore import QLockFile\n"
            "lock = QLockFile(sys.argv[1]); assert lock.tryLock(0)\n"
            "print('held', flush=True); time.sleep(60)\n",
            str(lock_path()),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    holder.send_signal(signal.SIGKILL)  # a crash or a power cut: the lock file stays
    holder.wait(timeout=30)
    assert lock_path().exists()
    go_on, lock = claim_data_folder()  # no dialog: the test would hang on one
    assert go_on and lock is not None
    lock.unlock()
