"""The Help menu: the user guide shipped in resources/guide/, and the keyboard shortcuts."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMainWindow,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from jlip_desk import paths

GUIDE_FILE = "index.html"

# (keys, what they do), in the order a clerk meets them.
SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("Tab / Shift+Tab", "填报表格:保存本格并移到下一格 / 上一格"),
    ("Enter", "填报表格:保存本格并移到下一格"),
    ("直接输入", "填报表格:替换当前单元格的内容"),
    ("F2", "填报表格:修改当前单元格(保留原内容)"),
    ("Esc", "填报表格:放弃正在输入的内容"),
    ("Delete", "填报表格:清除所选单元格"),
    ("Ctrl+V", "填报表格:粘贴从 Excel/WPS 复制的一块数据"),
    ("Ctrl+Z", "撤销上一次修改(编辑 → 撤销)"),
    ("Ctrl+Y / Ctrl+Shift+Z", "恢复刚撤销的修改(编辑 → 恢复)"),
    ("F8", "填报表格:查看当前单元格的修改历史"),
    ("双击问题列表中的一行", "跳到出问题的单元格"),
    ("F1", "打开使用指南(帮助 → 使用指南)"),
    ("Ctrl+Q", "退出程序(文件 → 退出)"),
)


def guide_path() -> Path:
    return paths.resources_dir() / "guide" / GUIDE_FILE


def shortcuts_html() -> str:
    rows = "".join(
        f"<tr><td style='padding:3px 12px 3px 0'><b>{escape(keys)}</b></td>"
        f"<td style='padding:3px 0'>{escape(what)}</td></tr>"
        for keys, what in SHORTCUTS
    )
    return f"<h3>快捷键</h3><table>{rows}</table>"


class BrowserDialog(QDialog):
    """A text browser with a close button."""

    def __init__(self, parent: QWidget, title: str, width: int, height: int):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(width, height)
        self.browser = QTextBrowser(self)
        self.browser.setOpenExternalLinks(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)


class HelpActions:
    """帮助 → 使用指南 opens the guide in the program (offline, no browser needed)."""

    def __init__(self, window: QMainWindow, guide: QAction, shortcuts: QAction):
        self.window = window
        self.guide_dialog: BrowserDialog | None = None
        self.shortcuts_dialog: BrowserDialog | None = None
        guide.triggered.connect(self.show_guide)
        shortcuts.triggered.connect(self.show_shortcuts)

    def show_guide(self) -> BrowserDialog:
        if self.guide_dialog is None:
            dialog = BrowserDialog(self.window, "JLIP Desk 使用指南", 920, 680)
            path = guide_path()
            dialog.browser.setSearchPaths([str(path.parent)])
            if path.exists():
                dialog.browser.setSource(QUrl.fromLocalFile(str(path)))
            else:
                dialog.browser.setHtml(f"<p>找不到使用指南文件:{escape(str(path))}</p>")
            self.guide_dialog = dialog
        self.guide_dialog.show()
        self.guide_dialog.activateWindow()
        return self.guide_dialog

    def show_shortcuts(self) -> BrowserDialog:
        if self.shortcuts_dialog is None:
            self.shortcuts_dialog = BrowserDialog(self.window, "快捷键", 600, 500)
            self.shortcuts_dialog.browser.setHtml(shortcuts_html())
        self.shortcuts_dialog.show()
        self.shortcuts_dialog.activateWindow()
        return self.shortcuts_dialog
