"""The history panel: the change log of one record or one cell, and a dock that holds it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from jlip_desk.errors import JlipError
from jlip_desk.plan.model import Field
from jlip_desk.services.registry import record_history
from jlip_desk.store.cells import CellKey, HistoryEntry, history
from jlip_desk.store.records import get_record
from jlip_desk.ui.context import AppContext
from jlip_desk.ui.errors import show_error
from jlip_desk.ui.history_model import HistoryModel

PLACEHOLDER = "选择一条记录或一个单元格后,这里显示它的修改记录。"


class HistoryPanel(QWidget):
    """Shows who or what changed a record's or a cell's values, and when; stays current."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = HistoryModel(self)
        self.title = QLabel(PLACEHOLDER)
        self.title.setWordWrap(True)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 1)
        # What is shown now: ("record", code) or ("cell", key, field, title).
        self._target: tuple[object, ...] | None = None
        ctx.data_changed.connect(lambda _kinds: self.refresh())

    def show_record(self, code: str) -> None:
        self._target = ("record", code)
        self.refresh()

    def show_cell(self, key: CellKey, field: str | None, title: str) -> None:
        self._target = ("cell", key, field, title)
        self.refresh()

    def clear(self) -> None:
        self._target = None
        self.title.setText(PLACEHOLDER)
        self.model.set_entries([], {})

    def refresh(self) -> None:
        if self._target is None:
            return
        try:
            title, entries, labels = self._load()
        except JlipError as exc:
            self.clear()
            show_error(self, exc)
            return
        self.title.setText(f"<b>{title}</b> 的修改记录(共 {len(entries)} 条,最新在前)")
        self.model.set_entries(entries, labels)
        self.table.resizeColumnsToContents()

    def _load(self) -> tuple[str, list[HistoryEntry], dict[str, str]]:
        assert self._target is not None
        plan = self.ctx.plan
        if self._target[0] == "record":
            code = str(self._target[1])
            record = get_record(self.ctx.store, code)
            name = record.values.get("name")
            title = f"{name}({code})" if name else code
            return title, record_history(self.ctx.store, plan, code), self._labels(record.registry)
        _kind, key, field, cell_title = self._target
        assert isinstance(key, CellKey) and (field is None or isinstance(field, str))
        return str(cell_title), history(self.ctx.store, key, field), self._labels(key.form)

    def _labels(self, form_or_registry: str) -> dict[str, str]:
        plan = self.ctx.plan
        fields: tuple[Field, ...] = ()
        if any(r.id == form_or_registry for r in plan.registries):
            fields = plan.registry(form_or_registry).fields
        elif any(f.id == form_or_registry for f in plan.forms):
            fields = plan.form(form_or_registry).fields
        return {f.id: f.label for f in fields}


class HistoryDock(QDockWidget):
    """A dock holding a :class:`HistoryPanel`; showing something also shows the dock."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("修改记录", parent)
        self.setObjectName("historyDock")  # saveState() needs it to remember the dock
        self.panel = HistoryPanel(ctx)
        self.setWidget(self.panel)
        self.setAllowedAreas(
            Qt.DockWidgetArea.RightDockWidgetArea | Qt.DockWidgetArea.BottomDockWidgetArea
        )

    def show_record(self, code: str) -> None:
        self.panel.show_record(code)
        self._reveal()

    def show_cell(self, key: CellKey, field: str | None, title: str) -> None:
        self.panel.show_cell(key, field, title)
        self._reveal()

    def _reveal(self) -> None:
        self.show()
        if not self.isWindow():  # docked, maybe tabbed behind another dock: bring it forward
            self.raise_()


def make_history_dock(ctx: AppContext) -> HistoryDock:
    """The history dock for the main window (hidden until something asks for history)."""
    dock = HistoryDock(ctx)
    dock.hide()
    return dock
