"""A progress dialog for file-by-file work on another thread, with a cancel that really stops."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from jlip_desk.errors import JlipError


class Cancelled(JlipError):
    """The user pressed 取消; raised from the progress callback between two files."""

    def __init__(self, done: list[str]):
        super().__init__("操作已取消", where="进度", allowed="已完成的文件保留,其余未处理")
        self.done = done


class TaskProgress(QObject):
    """Owns the dialog on the GUI thread; ``callback`` is handed to the service.

    The service calls ``callback(done, total, name)`` on its own thread after each
    file. It only emits a signal (queued to the GUI thread, where the dialog is
    updated) and checks a thread-safe flag, raising ``Cancelled`` when it is set.
    """

    progressed = Signal(int, int, str)

    def __init__(self, parent: QWidget, title: str, label: str, *, cancellable: bool = True):
        super().__init__(parent)
        self.label = label
        self.dialog = QProgressDialog(label, "取消", 0, 0, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        # Shown at once: even a single file takes long enough to look frozen otherwise.
        self.dialog.setMinimumDuration(0)
        self.cancel_requested = threading.Event()
        self.dialog.canceled.connect(self.cancel_requested.set)
        if not cancellable:
            # One file cannot be stopped halfway: offer no button that would not work.
            self.dialog.setCancelButton(None)
        self.progressed.connect(self._show, Qt.ConnectionType.QueuedConnection)
        # Names of the files finished so far, appended on the worker thread and read
        # on the GUI thread only after the job ended (done or cancelled).
        self.finished_names: list[str] = []

    def start(self) -> None:
        self.dialog.setValue(0)
        self.dialog.show()

    def callback(self, done: int, total: int, name: str) -> None:
        """Runs on the worker thread: never touches a widget."""
        self.finished_names.append(name)
        self.progressed.emit(done, total, name)
        if self.cancel_requested.is_set() and done < total:
            raise Cancelled(list(self.finished_names))

    @Slot(int, int, str)
    def _show(self, done: int, total: int, name: str) -> None:
        if self.cancel_requested.is_set():
            return
        self.dialog.setMaximum(total)
        self.dialog.setValue(done)
        self.dialog.setLabelText(f"{self.label}\n已完成 {done}/{total}:{name}")

    def finish(self) -> None:
        self.dialog.reset()
        self.dialog.hide()
        self.dialog.deleteLater()
