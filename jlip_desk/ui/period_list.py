"""Every period of the plan at a glance: status colours and problem counts, for one org unit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from jlip_desk.periods import Period
from jlip_desk.services.period_status import PeriodSummary, covers_form, period_list, recount
from jlip_desk.ui.context import AppContext
from jlip_desk.ui.rows_model import RowsTableModel

Index = QModelIndex | QPersistentModelIndex

PERIOD_ROLE = Qt.ItemDataRole.UserRole + 1  # the period as text ("2025Q4", "2025")
STATUS_ROLE = (
    Qt.ItemDataRole.UserRole + 2
)  # "none" | "draft" | "submitted" | "accepted" | "returned"

STATUS_COLOURS = {
    "none": None,
    "draft": None,
    "submitted": QColor("#d6e6fa"),
    "accepted": QColor("#dff2dc"),
    "returned": QColor("#fde0c5"),
}
ERRORS_COLOUR = QColor("#f6c9c4")


class PeriodListModel(RowsTableModel):
    HEADERS = ("报告期", "状态", "错误", "警告")

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._rows: list[PeriodSummary] = []

    def set_summaries(self, summaries: Sequence[PeriodSummary]) -> None:
        self.beginResetModel()
        self._rows = list(summaries)
        self.endResetModel()

    def summaries(self) -> list[PeriodSummary]:
        return list(self._rows)

    def update_summaries(self, summaries: Sequence[PeriodSummary]) -> None:
        """New counts for the same periods: a change of data, not of rows (keeps selection)."""
        if [s.period for s in summaries] != [s.period for s in self._rows]:
            self.set_summaries(summaries)
            return
        self._rows = list(summaries)
        if self._rows:
            last = self.index(len(self._rows) - 1, self.columnCount() - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def summary(self, row: int) -> PeriodSummary:
        return self._rows[row]

    def row_of(self, period: str) -> int:
        return next((i for i, s in enumerate(self._rows) if str(s.period) == period), -1)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.period.label, row.state.label, str(row.errors), str(row.warnings))[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == 1 and row.state.reason:
            return f"原因:{row.state.reason}"
        if role == Qt.ItemDataRole.BackgroundRole:
            if column == 2 and row.errors:
                return QBrush(ERRORS_COLOUR)
            colour = STATUS_COLOURS[row.state.status]
            return QBrush(colour) if colour is not None and column < 2 else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == PERIOD_ROLE:
            return str(row.period)
        if role == STATUS_ROLE:
            return row.state.status
        return None


class PeriodListView(QTableView):
    """Clicking a period emits ``period_chosen`` with its text ("2025Q4")."""

    period_chosen = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.org_code = ""
        self.list_model = PeriodListModel(self)
        self.setModel(self.list_model)
        self.verticalHeader().hide()
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.clicked.connect(lambda index: self.period_chosen.emit(index.data(PERIOD_ROLE)))

    def load(self, org_code: str) -> None:
        """Recount for ``org_code``: one read per form covers every period."""
        self.org_code = org_code
        self.list_model.set_summaries(period_list(self.ctx.store, self.ctx.plan, org_code))

    def after_edit(self, form_id: str, period: Period, edited: set[str]) -> None:
        """Recount only what an edit of ``form_id`` in ``period`` can change, if anything."""
        store, plan = self.ctx.store, self.ctx.plan
        if not self.org_code or not covers_form(store, plan, self.org_code, form_id, edited):
            return
        summaries = recount(
            store, plan, self.org_code, self.list_model.summaries(), form_id, period
        )
        self.list_model.update_summaries(summaries)

    def mark(self, period: str) -> None:
        row = self.list_model.row_of(period)
        if row >= 0:
            self.selectRow(row)
