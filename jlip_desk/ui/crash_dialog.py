"""The crash dialog: an unexpected error, the log file's path, and how to report it."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QDialog, QWidget

from jlip_desk.log import log_file
from jlip_desk.ui.forms.ui_crash_dialog import Ui_CrashDialog


class CrashDialog(QDialog):
    def __init__(self, details: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ui = Ui_CrashDialog()
        self.ui.setupUi(self)
        path = log_file()
        self.ui.logPathLabel.setText(f"日志文件:{path}")
        self.ui.detailsEdit.setPlainText(details)
        self.ui.buttonBox.rejected.connect(self.reject)
        self.ui.copyButton.clicked.connect(lambda: QGuiApplication.clipboard().setText(details))
        self.ui.openFolderButton.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))
        )
