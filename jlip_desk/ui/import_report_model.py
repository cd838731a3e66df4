"""Table models over an import report: one row per file, and the problems of one file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from jlip_desk.errors import ALLOWED_LABEL
from jlip_desk.excel.report import FileResult, ImportReport, Issue
from jlip_desk.ui.rows_model import RowsTableModel

Index = QModelIndex | QPersistentModelIndex

OUTCOME_ROLE = Qt.ItemDataRole.UserRole + 1  # "applied" / "unchanged" / "refused"
PATH_ROLE = Qt.ItemDataRole.UserRole + 2  # the imported file's full path

# Pale backgrounds: the outcome reads at a glance without relying on colour alone.
_OUTCOME_COLOURS = {"applied": "#e6f4ea", "unchanged": "#eef1f5", "refused": "#fde8e8"}


def outcome_label(result: FileResult) -> str:
    """What happened to one file, in the words the report uses."""
    if result.outcome == "refused":
        return "拒绝导入"
    if result.outcome == "unchanged":
        return "内容未变化"
    if result.revision is not None and result.revision > 1:
        return f"已导入(取代第 {result.revision - 1} 版)"
    return "已导入"


class FileResultModel(RowsTableModel):
    """The files of an import report with their outcome."""

    HEADERS = ("文件", "单位", "报告期", "结果", "说明")

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._rows: list[FileResult] = []

    def set_report(self, report: ImportReport | None) -> None:
        self.beginResetModel()
        self._rows = list(report.files) if report is not None else []
        self.endResetModel()

    def result(self, row: int) -> FileResult:
        return self._rows[row]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        result = self._rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if role == Qt.ItemDataRole.ToolTipRole and column in (0, 4):
                return result.file if column == 0 else result.text()
            return self._text(result, column)
        if role == Qt.ItemDataRole.BackgroundRole and column == 3:
            return QBrush(QColor(_OUTCOME_COLOURS[result.outcome]))
        if role == OUTCOME_ROLE:
            return result.outcome
        if role == PATH_ROLE:
            return result.file
        return None

    @staticmethod
    def _text(result: FileResult, column: int) -> str:
        if column == 0:
            return Path(result.file).name
        if column == 1:
            return f"{result.org_name}({result.org_code})" if result.org_code else ""
        if column == 2:
            return result.period
        if column == 3:
            return outcome_label(result)
        if result.outcome == "refused":
            return f"{len(result.errors)} 个问题,数据库未作任何改动"
        return result.summary

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return str(section + 1)


class ProblemModel(RowsTableModel):
    """The problems of one refused file: where, what was there, which rule, what is allowed."""

    HEADERS = ("工作表", "单元格", "内容", "问题", "规则", ALLOWED_LABEL)

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._rows: list[Issue] = []

    def set_issues(self, issues: list[Issue]) -> None:
        self.beginResetModel()
        self._rows = list(issues)
        self.endResetModel()

    def issue(self, row: int) -> Issue:
        return self._rows[row]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        issue = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = (
                issue.sheet,
                issue.cell,
                issue.value,
                issue.message if issue.severity == "error" else f"(提示){issue.message}",
                issue.rule,
                issue.allowed,
            )
            return values[index.column()] or ""
        if role == Qt.ItemDataRole.ForegroundRole and issue.severity == "note":
            return QBrush(QColor("#666666"))
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return str(section + 1)
