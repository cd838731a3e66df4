"""A table whose first columns stay in view when it scrolls sideways.

Qt's frozen-column pattern: a second view over the same model and the same
selection, laid over the table's left edge, showing only the frozen columns;
its row heights, column widths and vertical scrolling follow the table's.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget


class FrozenColumns(QTableView):
    """The frozen columns of ``grid`` (``grid.frozen_column_count()`` of them)."""

    def __init__(self, grid: FrozenColumnsTable):
        super().__init__(grid)
        self.grid = grid
        self.setObjectName("frozenColumns")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.verticalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # The scroll bars are kept equal: their values must mean the same (rows or pixels).
        self.setVerticalScrollMode(grid.verticalScrollMode())
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        grid.viewport().stackUnder(self)
        self.count = 0

    def attach(self, model: QAbstractItemModel) -> None:
        self.setModel(model)
        self.setSelectionModel(self.grid.selectionModel())
        self.verticalScrollBar().valueChanged.connect(self.grid.verticalScrollBar().setValue)
        self.grid.verticalScrollBar().valueChanged.connect(self.verticalScrollBar().setValue)
        self.doubleClicked.connect(self.grid.doubleClicked)
        model.modelReset.connect(self.refresh)
        model.columnsInserted.connect(self.refresh)
        model.columnsRemoved.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        model = self.grid.model()
        self.count = self.grid.frozen_column_count()
        for column in range(model.columnCount() if model is not None else 0):
            self.setColumnHidden(column, column >= self.count)
            if column < self.count:
                self.setColumnWidth(column, self.grid.columnWidth(column))
        self.setVisible(self.count > 0)
        self.place()

    def width_shown(self) -> int:
        return sum(self.grid.columnWidth(c) for c in range(self.count))

    def place(self) -> None:
        grid = self.grid
        frame = grid.frameWidth()
        header = grid.verticalHeader()
        self.horizontalHeader().setFixedHeight(grid.horizontalHeader().height())
        self.setGeometry(
            (0 if header.isHidden() else header.width()) + frame,
            frame,
            self.width_shown(),
            grid.viewport().height() + grid.horizontalHeader().height(),
        )

    def section_resized(self, column: int, _old: int, new: int) -> None:
        if column < self.count:
            self.setColumnWidth(column, new)
            self.place()


class FrozenColumnsTable(QTableView):
    """A table view whose first ``frozen_columns`` columns do not scroll sideways.

    Subclasses may override :meth:`frozen_column_count` to take the count from the model.
    """

    def __init__(self, parent: QWidget | None = None, *, frozen_columns: int = 0):
        super().__init__(parent)
        self._frozen_columns = frozen_columns
        # Pixels: scrollTo moves a cell out from beneath the frozen columns by pixels.
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.frozen = FrozenColumns(self)
        self.horizontalHeader().sectionResized.connect(self.frozen.section_resized)
        self.verticalHeader().sectionResized.connect(
            lambda row, _old, new: self.frozen.setRowHeight(row, new)
        )

    def frozen_column_count(self) -> int:
        model = self.model()
        return min(self._frozen_columns, model.columnCount()) if model is not None else 0

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        if model is not None:
            self.frozen.attach(model)

    def setVerticalScrollMode(self, mode: QAbstractItemView.ScrollMode) -> None:
        super().setVerticalScrollMode(mode)
        frozen = getattr(self, "frozen", None)  # None while the view is being built
        if frozen is not None:
            frozen.setVerticalScrollMode(mode)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.frozen.place()

    def updateGeometries(self) -> None:
        super().updateGeometries()
        frozen = getattr(self, "frozen", None)  # None while the view is being built
        if frozen is not None:
            frozen.place()

    def scrollTo(
        self,
        index: QModelIndex | QPersistentModelIndex,
        hint: QAbstractItemView.ScrollHint = QAbstractItemView.ScrollHint.EnsureVisible,
    ) -> None:
        super().scrollTo(index, hint)
        # A cell under the frozen columns: scroll it out from beneath them.
        if index.isValid() and index.column() >= self.frozen.count:
            left = self.visualRect(index).left()
            covered = self.frozen.width_shown()
            if left < covered:
                bar = self.horizontalScrollBar()
                bar.setValue(bar.value() - (covered - left))
