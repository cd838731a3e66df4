"""One window per data folder: a second window on the same store is told another is open.

Two windows on one store lose nothing (writes are serialised and go through the
gate), but neither sees what the other just changed until it refreshes, which
invites typing a quarter twice. The lock is Qt's QLockFile in the data folder: a
program that crashed leaves a lock whose process is gone, which counts as stale
and is taken over without a question.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QLockFile
from PySide6.QtWidgets import QMessageBox, QWidget

from jlip_desk import paths

log = logging.getLogger(__name__)

LOCK_FILE = "jlip_desk.lock"


def lock_path() -> Path:
    return paths.data_dir() / LOCK_FILE


def claim_data_folder(parent: QWidget | None = None) -> tuple[bool, QLockFile | None]:
    """(go on, the lock held for the window's life). Asks when another window holds it."""
    folder = paths.data_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return True, None  # opening the store will say what is wrong with the folder
    lock = QLockFile(str(folder / LOCK_FILE))
    lock.setStaleLockTime(0)  # stale only when its process is gone, however long it ran
    if lock.tryLock(0):
        return True, lock
    if lock.error() != QLockFile.LockError.LockFailedError:
        log.warning("cannot create the window lock in %s: %s", folder, lock.error())
        return True, None  # a read-only folder: the store's own check explains it
    # PySide6 gives (pid, hostname, appname); older bindings put a found flag first.
    pid, host, _app = tuple(lock.getLockInfo())[-3:]
    log.info("data folder %s already open in process %s on %s", folder, pid, host)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("JLIP Desk 已在运行")
    box.setText("另一个 JLIP Desk 窗口已经打开了这个数据文件夹。")
    box.setInformativeText(
        f"数据文件夹:{folder}\n正在使用它的程序:进程 {pid}(计算机 {host})\n\n"
        "请切换到那个窗口继续工作。两个窗口同时打开不会丢失数据,"
        "但一个窗口看不到另一个刚做的修改,容易重复录入。"
    )
    quit_button = box.addButton("退出", QMessageBox.ButtonRole.RejectRole)
    open_button = box.addButton("仍然打开", QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(quit_button)
    box.setEscapeButton(quit_button)
    box.exec()
    return box.clickedButton() is open_button, None
