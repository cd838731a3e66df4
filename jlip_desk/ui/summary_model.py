"""Table model over the progress report: one row per counted target and per indicator."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from jlip_desk.ui.rows_model import RowsTableModel

OK_COLOUR = QColor("#e3f4e1")
BEHIND_COLOUR = QColor("#fde4e1")
STATE_ROLE = Qt.ItemDataRole.UserRole + 1  # True on track / reached, False behind, None unknown

Index = QModelIndex | QPersistentModelIndex


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class SummaryModel(RowsTableModel):
    HEADERS = ("项目", "当前值", "计划进度", "目标", "单位", "状态")

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[tuple[str, Any, Any, Any, str, bool | None, str]] = []

    def set_summary(self, summary: dict[str, Any] | None) -> None:
        self.beginResetModel()
        self._rows = []
        if summary is not None:
            for t in summary["targets"]:
                state = t["reached"]
                label = {True: "已达成", False: "未达成", None: "无数据"}[state]
                self._rows.append(
                    (t["name"], t["count"], None, t["target"], t["unit"], state, label)
                )
            for i in summary["indicators"]:
                state = i["on_track"]
                label = {True: "符合进度", False: "落后", None: "无法判断"}[state]
                target = i["target_text"] or i["target"]
                self._rows.append(
                    (i["name"], i["value"], i["planned"], target, i["unit"], state, label)
                )
        self.endResetModel()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            column = index.column()
            if column == 5:
                return row[6]
            return _fmt(row[column]) if column not in {0, 4} else row[column]
        if role == Qt.ItemDataRole.BackgroundRole and index.column() == 5 and row[5] is not None:
            return QBrush(OK_COLOUR if row[5] else BEHIND_COLOUR)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (1, 2, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == STATE_ROLE:
            return row[5]
        return None
