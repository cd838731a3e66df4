"""The registries page: one tab per registry of the plan, with add, edit, close and history."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from jlip_desk.plan.model import Plan, Registry
from jlip_desk.services import registry as service
from jlip_desk.services.installation import can_edit
from jlip_desk.services.registry import RecordRow
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import PROVINCE_CODE, OrgUnit, children, counties_under, get_org
from jlip_desk.ui import changes
from jlip_desk.ui.context import AppContext
from jlip_desk.ui.record_dialog import CloseDialog, RecordDialog
from jlip_desk.ui.record_model import RecordFilterModel, RecordModel

MAX_COLUMN_WIDTH = 360
KINDS = (changes.RECORDS,)


@dataclass
class RegistryTab:
    registry: Registry
    model: RecordModel
    proxy: RecordFilterModel
    view: QTableView


class RegistryPage(QWidget):
    """Stations and service points (whatever registries the plan defines) of this installation.

    ``history_requested(code)`` asks whoever shows history (the main window's dock).
    """

    history_requested = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.plan = ctx.plan
        org = ctx.org
        store = ctx.store
        # Province (or unbound) installations see every record; the others their counties'.
        wide = org is None or org.level == "province"
        self.counties: list[OrgUnit] = counties_under(store, org.code) if org else []
        self.scope = None if wide else [c.code for c in self.counties]
        self.dialog: RecordDialog | CloseDialog | None = None
        self._select_code: str | None = None

        self.add_button = QPushButton("新增(&N)…")
        self.edit_button = QPushButton("编辑(&D)…")
        self.close_button = QPushButton("关闭(设为撤销)(&C)…")
        self.history_button = QPushButton("查看历史(&I)")
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("搜索名称、编码、依托单位…")
        self.search_edit.setClearButtonEnabled(True)
        self.prefecture_combo = QComboBox()
        self.prefecture_combo.addItem("全部市(州)", "")
        for prefecture in children(store, PROVINCE_CODE):
            self.prefecture_combo.addItem(prefecture.name, prefecture.code)
        self.county_combo = QComboBox()
        closed = self.plan.registries[0].lifecycle.closed_status if self.plan.registries else ""
        self.show_closed_check = QCheckBox(f"显示已{closed}(&W)")
        self.prefecture_combo.setVisible(wide and org is not None)
        self.county_combo.setVisible(org is not None and org.level != "county")
        self._fill_counties()

        bar = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.close_button, self.history_button):
            bar.addWidget(button)
        bar.addSpacing(12)
        bar.addWidget(self.search_edit, 1)
        bar.addWidget(self.prefecture_combo)
        bar.addWidget(self.county_combo)
        bar.addWidget(self.show_closed_check)

        self.tabs = QTabWidget()
        self.registry_tabs = [self._make_tab(r) for r in self.plan.registries]
        self.count_label = QLabel()
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.count_label)

        self.add_button.clicked.connect(self.add_record)
        self.edit_button.clicked.connect(self.edit_record)
        self.close_button.clicked.connect(self.close_record)
        self.history_button.clicked.connect(self.show_history)
        self.search_edit.textChanged.connect(self._apply_filters)
        self.prefecture_combo.currentIndexChanged.connect(self._prefecture_changed)
        self.county_combo.currentIndexChanged.connect(self._apply_filters)
        self.show_closed_check.toggled.connect(self._apply_filters)
        self.tabs.currentChanged.connect(self._tab_changed)
        ctx.data_changed.connect(self._data_changed)

        self.reload()
        for tab in self.registry_tabs:
            tab.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        saved = QSettings().value("registries/tab")
        names = [t.registry.id for t in self.registry_tabs]
        if isinstance(saved, str) and saved in names:
            self.tabs.setCurrentIndex(names.index(saved))
        self._update_buttons()

    # -- building -------------------------------------------------------------

    def _make_tab(self, registry: Registry) -> RegistryTab:
        model = RecordModel(registry, self)
        proxy = RecordFilterModel(self)
        proxy.setSourceModel(model)
        view = QTableView()
        view.setModel(proxy)
        view.setSortingEnabled(True)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setWordWrap(False)
        view.verticalHeader().hide()
        view.doubleClicked.connect(lambda _index: self.edit_record())
        # Selection, not the current row: a row re-shown by a filter may be current already.
        view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.tabs.addTab(view, registry.name)
        return RegistryTab(registry, model, proxy, view)

    @staticmethod
    def _fit_columns(view: QTableView) -> None:
        """Each column as wide as its header and content (up to a limit); never narrower
        than it is, so a width the user chose stays unless the content needs more."""
        header = view.horizontalHeader()
        fitted_before = bool(view.property("fitted"))
        before = [header.sectionSize(c) if fitted_before else 0 for c in range(header.count())]
        view.setProperty("fitted", True)
        view.resizeColumnsToContents()
        for column in range(header.count()):
            fitted = min(header.sectionSize(column) + 8, MAX_COLUMN_WIDTH)
            header.resizeSection(column, max(fitted, before[column]))

    def _fill_counties(self) -> None:
        prefecture = self.prefecture_combo.currentData()
        self.county_combo.blockSignals(True)
        self.county_combo.clear()
        self.county_combo.addItem("全部县(市、区)", "")
        for county in self.counties:
            if not prefecture or county.parent_code == prefecture:
                self.county_combo.addItem(county.name, county.code)
        self.county_combo.blockSignals(False)

    # -- state ----------------------------------------------------------------

    def current_tab(self) -> RegistryTab:
        return self.registry_tabs[self.tabs.currentIndex()]

    def selected_row(self) -> RecordRow | None:
        tab = self.current_tab()
        index = tab.view.selectionModel().currentIndex()
        if not index.isValid() or not tab.view.selectionModel().isRowSelected(index.row()):
            return None
        return tab.model.record(tab.proxy.mapToSource(index).row())

    def select_code(self, code: str) -> bool:
        """Select a record of the current tab by code (if the filters show it)."""
        tab = self.current_tab()
        row = tab.model.row_of(code)
        index = tab.proxy.mapFromSource(tab.model.index(row, 0)) if row >= 0 else QModelIndex()
        if not index.isValid():
            return False
        flags = QItemSelectionModel.SelectionFlag
        tab.view.selectionModel().setCurrentIndex(index, flags.ClearAndSelect | flags.Rows)
        tab.view.scrollTo(index)
        return True

    def reload(self) -> None:
        """Re-read every registry (one query each) and keep the selection."""
        keep = self._select_code or (row.code if (row := self.selected_row()) else None)
        self._select_code = None
        for tab in self.registry_tabs:
            tab.model.set_rows(
                service.list_rows(self.ctx.store, self.plan, tab.registry.id, self.scope)
            )
        for tab in self.registry_tabs:
            self._fit_columns(tab.view)  # the first station of an empty registry too
        if keep:
            self.select_code(keep)
        self._update_counts()
        self._update_buttons()

    def _data_changed(self, kinds: tuple[str, ...]) -> None:
        if changes.RECORDS in kinds:
            self.reload()

    def _prefecture_changed(self) -> None:
        self._fill_counties()
        self._apply_filters()

    def _apply_filters(self) -> None:
        for tab in self.registry_tabs:
            tab.proxy.set_filters(
                search=self.search_edit.text(),
                prefecture=self.prefecture_combo.currentData() or "",
                county=self.county_combo.currentData() or "",
                show_closed=self.show_closed_check.isChecked(),
            )
        self._update_counts()
        self._update_buttons()

    def _tab_changed(self, index: int) -> None:
        if 0 <= index < len(self.registry_tabs):
            QSettings().setValue("registries/tab", self.registry_tabs[index].registry.id)
        self._update_counts()
        self._update_buttons()

    def _update_counts(self) -> None:
        if not self.registry_tabs:
            return
        tab = self.current_tab()
        total, shown = tab.model.rowCount(), tab.proxy.rowCount()
        self.count_label.setText(f"{tab.registry.name}:共 {total} 条,当前显示 {shown} 条")

    def _update_buttons(self) -> None:
        row = self.selected_row() if self.registry_tabs else None
        editable = row is not None and can_edit(self.ctx.store, row.org_code)
        closed = row is not None and self.current_tab().model.is_closed(row)
        self.add_button.setEnabled(bool(self.registry_tabs) and bool(self._addable()))
        self.edit_button.setEnabled(editable)
        self.close_button.setEnabled(editable and not closed)
        self.history_button.setEnabled(row is not None)

    def _addable(self) -> list[OrgUnit]:
        return [c for c in self.counties if can_edit(self.ctx.store, c.code)]

    # -- actions --------------------------------------------------------------

    def _open(self, dialog: RecordDialog | CloseDialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(lambda _result: self._forget(dialog))
        dialog.open()

    def _forget(self, dialog: RecordDialog | CloseDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _saved(
        self, dialog: RecordDialog | CloseDialog, code: str, notice: str | None = None
    ) -> None:
        self._select_code = code  # the reload that follows selects it
        dialog.saved()
        if notice:
            # Locked periods the record reaches into keep what was handed in: say so.
            box = QMessageBox(QMessageBox.Icon.Information, "已锁定的报告期", notice,
                              QMessageBox.StandardButton.Ok, self)  # fmt: skip
            self.notice_box = box
            box.open()

    def add_record(self) -> None:
        counties = self._addable()
        if not counties:
            return
        registry, plan = self.current_tab().registry, self.plan
        county = self.county_combo.currentData()
        if county:  # adding while one county is shown: start with that county
            counties.sort(key=lambda c: c.code != county)
        dialog = RecordDialog(registry, counties, parent=self)

        def submit(org_code: str, raw: dict[str, str | None]) -> None:
            self.ctx.writer.submit(
                lambda store: _noticed(
                    store, plan, service.add_record(store, plan, registry.id, org_code, raw)
                ),
                kinds=KINDS,
                on_done=lambda saved: self._saved(dialog, *saved),
                on_error=dialog.failed,
            )

        dialog.submitted.connect(submit)
        self._open(dialog)

    def edit_record(self) -> None:
        row = self.selected_row()
        if row is None or not can_edit(self.ctx.store, row.org_code):
            return
        registry, plan, code = self.current_tab().registry, self.plan, row.code
        county = get_org(self.ctx.store, row.org_code)
        dialog = RecordDialog(registry, [county], code=code, values=row.values, parent=self)

        def submit(_org_code: str, raw: dict[str, str | None]) -> None:
            self.ctx.writer.submit(
                lambda store: _updated(store, plan, code, raw),
                kinds=KINDS,
                on_done=lambda saved: self._saved(dialog, *saved),
                on_error=dialog.failed,
            )

        dialog.submitted.connect(submit)
        self._open(dialog)

    def close_record(self) -> None:
        row = self.selected_row()
        if row is None or not self.close_button.isEnabled():
            return
        plan, code = self.plan, row.code
        name = row.values.get("name")
        dialog = CloseDialog(self.current_tab().registry, f"{name}({code})" if name else code, self)

        def submit(closed_on: str) -> None:
            self.ctx.writer.submit(
                lambda store: service.close_record(store, plan, code, closed_on),
                kinds=KINDS,
                on_done=lambda _none: self._saved(dialog, code),
                on_error=dialog.failed,
            )

        dialog.submitted.connect(submit)
        self._open(dialog)

    def show_history(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        # The main window routes this to its history dock.
        self.history_requested.emit(row.code)


def _noticed(store: Store, plan: Plan, code: str) -> tuple[str, str | None]:
    """The saved record's code and what to tell about locked periods it reaches into."""
    return code, service.not_due_notice(store, plan, code)


def _updated(
    store: Store, plan: Plan, code: str, raw: dict[str, str | None]
) -> tuple[str, str | None]:
    service.update_record(store, plan, code, raw)
    return _noticed(store, plan, code)
