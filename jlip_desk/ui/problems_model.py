"""Table model over the open problems of the period shown in the entry grid."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush

from jlip_desk.plan.model import Form
from jlip_desk.services.entry import RowProblem
from jlip_desk.ui.entry_model import ERROR_COLOUR, WARNING_COLOUR
from jlip_desk.ui.rows_model import RowsTableModel

Index = QModelIndex | QPersistentModelIndex

PROBLEM_ROLE = Qt.ItemDataRole.UserRole + 1  # the RowProblem of the row

_SEVERITY = {"error": "错误", "warning": "警告"}


class ProblemsModel(RowsTableModel):
    """Errors first, then warnings; confirmed outliers are listed as 已确认."""

    HEADERS = ("级别", "对象", "项目", "问题")

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._rows: list[RowProblem] = []
        self._labels: dict[str, str] = {}

    def set_problems(self, problems: Sequence[RowProblem], form: Form | None) -> None:
        self.beginResetModel()
        self._labels = {f.id: f.label for f in form.fields} if form else {}
        order = {"error": 0, "warning": 1}
        self._rows = sorted(problems, key=lambda p: (p.confirmed, order[p.severity]))
        self.endResetModel()

    def problem(self, row: int) -> RowProblem:
        return self._rows[row]

    def counts(self) -> tuple[int, int]:
        """(errors, open warnings)."""
        errors = sum(p.severity == "error" for p in self._rows)
        warnings = sum(p.severity == "warning" and p.open for p in self._rows)
        return errors, warnings

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        problem = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            column = index.column()
            if column == 0:
                label = _SEVERITY[problem.severity]
                return f"{label}(已确认)" if problem.confirmed else label
            if column == 1:
                return problem.label
            if column == 2:
                return self._labels.get(problem.field_id or "", "整行")
            text = problem.message
            if problem.comment:
                text += f"(说明:{problem.comment})"
            return text
        if role == Qt.ItemDataRole.BackgroundRole and index.column() == 0 and problem.open:
            return QBrush(ERROR_COLOUR if problem.severity == "error" else WARNING_COLOUR)
        if role == PROBLEM_ROLE:
            return problem
        return None
