"""Every period of the plan at a glance, for one org unit or for all units of a scope.

Each row is a :class:`~jlip_desk.services.reporting.Overview`, the same answer the
overview page, the entry header and ``summary --json`` show. For one unit the state
column is its state; for a scope with many units it is how many have handed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from jlip_desk.errors import JlipError
from jlip_desk.periods import Period
from jlip_desk.services.reporting import (
    EXEMPT_LABEL,
    EXEMPT_WHY,
    Overview,
    covers_form,
    period_overviews,
    recount,
    reporting_units,
)
from jlip_desk.store.database import Store
from jlip_desk.store.usage import data_version
from jlip_desk.ui.context import AppContext
from jlip_desk.ui.errors import show_error
from jlip_desk.ui.rows_model import RowsTableModel
from jlip_desk.ui.tasks import BackgroundTask

Index = QModelIndex | QPersistentModelIndex

PERIOD_ROLE = Qt.ItemDataRole.UserRole + 1  # the period as text ("2025Q4", "2025")
# One unit: "none" | "draft" | "submitted" | "accepted" | "returned"; many: "many";
# nobody owes the period: "exempt".
STATUS_ROLE = Qt.ItemDataRole.UserRole + 2
OVERVIEW_ROLE = Qt.ItemDataRole.UserRole + 3

STATUS_COLOURS = {
    "none": None,
    "draft": None,
    "submitted": QColor("#d6e6fa"),
    "accepted": QColor("#dff2dc"),
    "returned": QColor("#fde0c5"),
}
ERRORS_COLOUR = QColor("#f6c9c4")
OVERDUE_TEXT = QColor("#a61b1b")
EXEMPT_TEXT = QColor("#7a7a7a")
START_DELAY_MS = 150
# Overviews with the store's data version they were counted at.
Counted = tuple[int, list[Overview]]


def _owes_nothing(overview: Overview) -> bool:
    """No unit of the scope owes the period (a county without stations that quarter)."""
    return not overview.units and bool(overview.exempt)


def _state_text(overview: Overview) -> str:
    if _owes_nothing(overview):
        return EXEMPT_LABEL
    unit = overview.single
    if unit is not None:
        return unit.state.label + ("(逾期)" if unit.overdue else "")
    overdue = overview.counts["overdue"]
    # The column is narrow: "已报 55/60" (the tooltip has the whole sentence).
    text = f"已报 {overview.handed_in}/{overview.expected}"
    return text + (f",逾期 {overdue}" if overdue else "")


def _colour(overview: Overview) -> QColor | None:
    unit = overview.single
    if unit is not None:
        return STATUS_COLOURS[unit.state.status]
    counts = overview.counts
    if counts["returned"]:
        return STATUS_COLOURS["returned"]
    if overview.units and counts["accepted"] == overview.expected:
        return STATUS_COLOURS["accepted"]
    if overview.units and overview.handed_in == overview.expected:
        return STATUS_COLOURS["submitted"]
    return None


class PeriodListModel(RowsTableModel):
    HEADERS = ("报告期", "状态", "错误", "警告")

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._rows: list[Overview] = []

    def set_overviews(self, overviews: Sequence[Overview]) -> None:
        self.beginResetModel()
        self._rows = list(overviews)
        self.endResetModel()

    def overviews(self) -> list[Overview]:
        return list(self._rows)

    def update_overviews(self, overviews: Sequence[Overview]) -> None:
        """New counts for the same periods: a change of data, not of rows (keeps selection)."""
        if [s.period for s in overviews] != [s.period for s in self._rows]:
            self.set_overviews(overviews)
            return
        old, self._rows = self._rows, list(overviews)
        last = self.columnCount() - 1
        for row, (before, after) in enumerate(zip(old, self._rows, strict=True)):
            if before != after:  # only the periods an edit moved repaint
                self.dataChanged.emit(self.index(row, 0), self.index(row, last))

    def overview(self, row: int) -> Overview:
        return self._rows[row]

    def find(self, period: str) -> Overview | None:
        row = self.row_of(period)
        return self._rows[row] if row >= 0 else None

    def row_of(self, period: str) -> int:
        return next((i for i, s in enumerate(self._rows) if str(s.period) == period), -1)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        unit = row.single
        if role == Qt.ItemDataRole.DisplayRole:
            cells = (row.period.label, _state_text(row), str(row.errors), str(row.warnings))
            return cells[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if _owes_nothing(row):
                return f"{row.period.label}:{EXEMPT_WHY}"
            if unit is None:
                return f"{row.period.label}:{row.text()}\n报送截止:{row.due.isoformat()}"
            if column == 1 and unit.state.reason:
                return f"原因:{unit.state.reason}"
            if column == 1 and unit.overdue:
                return f"报送截止日期 {row.due.isoformat()} 已过"
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            if column == 2 and row.errors:
                return QBrush(ERRORS_COLOUR)
            colour = _colour(row)
            return QBrush(colour) if colour is not None and column < 2 else None
        if role == Qt.ItemDataRole.ForegroundRole and column == 1 and row.counts["overdue"]:
            return QBrush(OVERDUE_TEXT)
        if role == Qt.ItemDataRole.ForegroundRole and _owes_nothing(row):
            return QBrush(EXEMPT_TEXT)
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == PERIOD_ROLE:
            return str(row.period)
        if role == STATUS_ROLE:
            if _owes_nothing(row):
                return "exempt"
            return unit.state.status if unit is not None else "many"
        if role == OVERVIEW_ROLE:
            return row
        return None


def _load(
    path: Path, plan_id: str | None, scope_code: str, own: bool, generation: int, version: int
) -> tuple[int, Counted]:
    """The overviews of the window's plan, off the GUI thread on a connection of its own."""
    from jlip_desk.store.plans import plan_or_active

    store = Store.open(path, migrate=False)
    try:
        overviews = period_overviews(store, plan_or_active(store, plan_id), scope_code, own=own)
        # ``version`` is the GUI connection's, read before this read began: the counts
        # are at least that new (data_version compares only on one connection).
        return generation, (version, overviews)
    finally:
        store.close()


class PeriodListView(QTableView):
    """Clicking a period emits ``period_chosen`` with its text ("2025Q4").

    ``loaded`` follows every new set of counts (after a load or an edit's recount).
    A scope of many units is counted on the pool; one unit at once.
    """

    period_chosen = Signal(str)
    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.org_code = ""
        self.own = False
        self.loading = False
        self._generation = 0
        self._stale = False
        self._cache: dict[tuple[str, bool], Counted] = {}
        self.list_model = PeriodListModel(self)
        self.setModel(self.list_model)
        self.verticalHeader().hide()
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.clicked.connect(lambda index: self.period_chosen.emit(index.data(PERIOD_ROLE)))

    def load(self, scope_code: str, *, own: bool = False) -> None:
        """Count every period for ``scope_code`` (its own report when ``own``)."""
        self.org_code, self.own = scope_code, own
        self._generation += 1
        self._stale = False
        store, plan = self.ctx.store, self.ctx.plan
        many = any(
            len(reporting_units(store, plan, scope_code, frequency, own=own)) > 1
            for frequency in {form.frequency for form in plan.forms}
        )
        version = data_version(store)
        cached = self._cache.get((scope_code, own))
        if cached is not None and cached[0] == version:
            # Nothing was written since these were counted (a tab or period change).
            self._show((self._generation, cached))
            return
        if not many:
            counted = (version, period_overviews(store, plan, scope_code, own=own))
            self._show((self._generation, counted))
            return
        shown = self.list_model.overviews()
        if shown and (shown[0].scope.code, shown[0].own) != (scope_code, own):
            self.list_model.set_overviews([])  # another scope's counts must not stand in
        self.loading = True
        generation = self._generation
        # The grid first: counting holds Python's interpreter lock for most of a
        # second, so it starts once the page has been painted, not while it opens.
        QTimer.singleShot(START_DELAY_MS, self, lambda: self._start(generation, version))

    def _start(self, generation: int, version: int) -> None:
        if generation != self._generation or self.ctx.closed:
            return
        path = self.ctx.store.path
        plan_id = self.ctx.viewed_plan_id
        task = BackgroundTask(_load, path, plan_id, self.org_code, self.own, generation, version)
        task.signals.done.connect(self._show)
        task.signals.failed.connect(self._failed)
        task.start()

    def _show(self, result: tuple[int, Counted]) -> None:
        generation, (version, overviews) = result
        if generation != self._generation or self.ctx.closed:
            return  # a later load (another scope, or an edit meanwhile) supersedes it
        self.loading = False
        if self._stale:
            self.load(self.org_code, own=self.own)
            return
        selected = self.selectionModel().selectedRows()
        period = selected[0].data(PERIOD_ROLE) if selected else None
        self.list_model.set_overviews(overviews)
        self._remember(version, overviews)
        if period:
            self.mark(period)
        self.loaded.emit()

    def forget(self) -> None:
        """Drop the kept counts: the next load counts again (benchmarks, a plan change)."""
        self._cache = {}

    def _remember(self, version: int, overviews: list[Overview]) -> None:
        """Keep the counts with the data version they were read at (the scope shown)."""
        if overviews:
            self._cache = {(self.org_code, self.own): (version, overviews)}

    def _failed(self, exc: JlipError) -> None:
        self.loading = False
        if self.ctx.closed:
            return
        show_error(self, exc, "无法统计报告期")

    def overview(self, period: str) -> Overview | None:
        return self.list_model.find(period)

    def after_edit(self, form_id: str, period: Period, edited: set[str]) -> None:
        """Recount only what an edit of ``form_id`` in ``period`` can change, if anything."""
        if self.loading:
            self._stale = True  # the counts on their way may predate the edit
            return
        store, plan = self.ctx.store, self.ctx.plan
        overviews = self.list_model.overviews()
        if not self.org_code or not covers_form(overviews, plan, form_id, edited):
            return
        fresh = recount(store, plan, overviews, form_id, period, edited)
        self.list_model.update_overviews(fresh)
        self._remember(data_version(store), fresh)
        self.loaded.emit()

    def mark(self, period: str) -> None:
        row = self.list_model.row_of(period)
        if row >= 0:
            self.selectRow(row)
