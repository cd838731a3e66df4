"""Showing problems to the user: expected errors in a message box, bugs in the crash dialog."""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QApplication

from jlip_desk.errors import ALLOWED_LABEL, JlipError

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)


def show_error(parent: QWidget | None, exc: JlipError, title: str = "无法完成操作") -> None:
    """The one place expected problems are shown: what, where, and what is allowed."""
    from PySide6.QtWidgets import QMessageBox  # not needed until something goes wrong

    box = QMessageBox(
        QMessageBox.Icon.Warning, title, exc.message, QMessageBox.StandardButton.Ok, parent
    )
    details = []
    if exc.where:
        details.append(f"位置:{exc.where}")
    if exc.allowed:
        details.append(f"{ALLOWED_LABEL}:{exc.allowed}")
    if details:
        box.setInformativeText("\n".join(details))
    box.exec()


class _CrashRelay(QObject):
    """Carries a crash from any thread to the GUI thread, where the dialog may be shown."""

    crashed = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        # Automatic connection: queued when a worker thread crashes, so the dialog
        # always opens on the GUI thread.
        self.crashed.connect(self._show)
        self.showing = False

    @Slot(str)
    def _show(self, details: str) -> None:
        if self.showing or QApplication.instance() is None:
            return
        self.showing = True
        try:
            from jlip_desk.ui.crash_dialog import CrashDialog

            CrashDialog(details, QApplication.activeWindow()).exec()
        finally:
            self.showing = False


_relay: _CrashRelay | None = None


def install_excepthooks() -> None:
    """Uncaught exceptions go to the log file and the crash dialog, never silently away."""
    global _relay  # noqa: PLW0603 - one relay per process
    _relay = _CrashRelay()

    def report(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        details = "".join(traceback.format_exception(kind, value, tb))
        log.critical("uncaught exception\n%s", details)
        if _relay is not None:
            _relay.crashed.emit(details)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        report(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback)

    sys.excepthook = report
    threading.excepthook = thread_hook
