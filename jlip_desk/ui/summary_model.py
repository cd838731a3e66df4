"""Table model over the progress report: one row per counted target and per indicator."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from jlip_desk.services.summary import INDICATOR_STATUS_LABELS
from jlip_desk.services.summary_text import coverage_words, is_partial
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
    HEADERS = ("项目", "当前值", "计划进度", "目标", "单位", "状态", "覆盖")

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[tuple[str, Any, Any, Any, str, bool | None, str, str]] = []

    def set_summary(self, summary: dict[str, Any] | None) -> None:
        self.beginResetModel()
        self._rows = []
        if summary is not None:
            r = summary["reporting"]
            handed = f"{r['handed_in']}/{r['expected']} 个单位已报送" if r["expected"] else ""
            for t in summary["targets"]:
                applies = t.get("applies", True)
                state = t["reached"] if applies else None
                label = {True: "已达成", False: "未达成", None: "无数据"}[state]
                target: Any = t["target"]
                if not applies:
                    # The plan's targets are the province's: shown, never judged here.
                    label, target = "本级不单独考核", f"全省 {_fmt(t['target'])}"
                cover = handed if "by_prefecture" in t else "省级数据"
                self._rows.append(
                    (t["name"], t["count"], None, target, t["unit"], state, label, cover)
                )
            for i in summary["indicators"]:
                state = i["on_track"]
                label = INDICATOR_STATUS_LABELS[i.get("status", "unknown")]
                target = i["target_text"] or i["target"]
                planned = i["planned"]
                if not i.get("applies", True) and state is None:
                    # A province total (valid trademarks, pledge financing): its target
                    # and path are the province's, said so, not read as this unit's.
                    label = "本级不单独考核"
                    target = f"全省 {_fmt(target) if isinstance(target, float | int) else target}"
                    planned = None
                cover = coverage_words(i) or "省级数据"
                if is_partial(i) and state is not None:
                    label += "(数据不全)"  # 1 of 60 counties never passes for all
                self._rows.append(
                    (i["name"], i["value"], planned, target, i["unit"], state, label, cover)
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
            if column == 6:
                return row[7]
            value = row[column]
            return _fmt(value) if column not in {0, 4} and not isinstance(value, str) else value
        if role == Qt.ItemDataRole.BackgroundRole and index.column() == 5 and row[5] is not None:
            return QBrush(OK_COLOUR if row[5] else BEHIND_COLOUR)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (1, 2, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == STATE_ROLE:
            return row[5]
        return None
