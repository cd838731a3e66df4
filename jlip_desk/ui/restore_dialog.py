"""从备份恢复: the backups with their time and what they hold; restore the chosen one."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from jlip_desk.errors import JlipError
from jlip_desk.services.backup import Listed, Restored, listed, restore


class RestoreDialog(QDialog):
    """Lists the backups newest first; the first good one is preselected."""

    def __init__(
        self, parent: QWidget | None = None, *, folder: Path | None = None, why: str = ""
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("从备份恢复")
        self.resize(820, 420)
        self.restored: Restored | None = None
        self.items: list[Listed] = listed(folder)
        layout = QVBoxLayout(self)
        intro = (why + "\n\n" if why else "") + (
            "选择一个备份恢复。恢复前会先备份当前数据库(无法打开的会原样移到一旁),不会丢失任何数据。"
            if self.items
            else "没有找到备份。"
        )
        label = QLabel(intro, self)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.table = QTableWidget(len(self.items), 3, self)
        self.table.setHorizontalHeaderLabels(["备份时间", "类型", "内容"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        first_good = None
        for row, item in enumerate(self.items):
            what = item.contents.text() if item.contents else f"不可用:{item.problem}"
            cells = [f"{item.info.taken:%Y-%m-%d %H:%M:%S}", item.info.reason_label, what]
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setToolTip(str(item.info.path))
                self.table.setItem(row, column, cell)
            if item.contents is not None and first_good is None:
                first_good = row
        layout.addWidget(self.table)
        self.buttons = QDialogButtonBox(self)
        self.restore_button = self.buttons.addButton(
            "恢复所选备份", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.restore_selected)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        if first_good is not None:
            self.table.selectRow(first_good)
        self._selection_changed()

    def selected(self) -> Listed | None:
        rows = self.table.selectionModel().selectedRows()
        return self.items[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        chosen = self.selected()
        self.restore_button.setEnabled(chosen is not None and chosen.contents is not None)

    def restore_selected(self) -> None:
        chosen = self.selected()
        if chosen is None or chosen.contents is None:
            return
        try:
            self.restored = restore(chosen.info.path)
        except JlipError as exc:
            QMessageBox.warning(self, "恢复失败", str(exc))
            return
        self.accept()
