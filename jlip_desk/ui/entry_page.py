"""The data entry page: form tabs, period and org choosers, the grid, problems and status."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from jlip_desk.periods import Period, current_quarter, parse_period
from jlip_desk.plan.model import Form, Frequency, OrgLevel
from jlip_desk.services.entry import visible_forms
from jlip_desk.services.entry_rows import scope_orgs
from jlip_desk.services.period_status import plan_periods
from jlip_desk.store.orgs import PROVINCE_CODE, OrgUnit, children, counties_under
from jlip_desk.ui.context import AppContext
from jlip_desk.ui.entry_model import EDIT_KIND, EntryModel
from jlip_desk.ui.entry_status import StatusBar
from jlip_desk.ui.entry_view import EntryView
from jlip_desk.ui.period_list import PeriodListView
from jlip_desk.ui.problems_panel import CONFIRM_KIND, ProblemsPanel

_NAME_WIDTH = 240
_LABEL_WIDTH = 126


class EntryPage(QWidget):
    """``history_requested(key, field, title)`` is the grid's, for the history panel."""

    history_requested = Signal(object, object, str)
    # What the main window's status bar says for a while (why a cell cannot change).
    status_message = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        org = ctx.org
        self.org: OrgUnit | None = org
        self.forms: list[Form] = visible_forms(ctx.plan, org) if org else []
        self.model = EntryModel(ctx, self)
        self.grid = EntryView()
        self.grid.setModel(self.model)
        self.grid.history_requested.connect(self.history_requested)
        self.grid.edit_refused.connect(self.status_message)
        self.undo_stack = self.model.undo_stack  # the window's 编辑 menu acts on it
        self.form_tabs = QTabBar()
        self.form_tabs.setExpanding(False)
        for form in self.forms:
            self.form_tabs.addTab(form.name)
        self.scope_combo = QComboBox()
        self.period_combo = QComboBox()
        self.status = StatusBar(ctx, self.model, self)
        self.problems = ProblemsPanel(ctx, self.model, self.grid, self)
        self.periods = PeriodListView(ctx)
        self.periods.setMaximumWidth(400)
        self._build_layout()
        self._fill_scopes()
        self._restore()
        self.form_tabs.currentChanged.connect(self._form_changed)
        self.scope_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.period_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.periods.period_chosen.connect(self.choose_period)
        self.periods.loaded.connect(self._show_overview)
        self.status.status_changed.connect(self._status_changed)
        self.status.message.connect(self.status_message)
        # Handed in elsewhere meanwhile: show the state the refusal spoke of.
        self.model.state_stale.connect(self.reload)
        ctx.data_changed.connect(self._data_changed)
        self.reload()

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        self.scope_label = QLabel("单位(&U):")
        self.scope_label.setBuddy(self.scope_combo)
        top.addWidget(self.scope_label)
        top.addWidget(self.scope_combo)
        period_label = QLabel("报告期(&Q):")
        period_label.setBuddy(self.period_combo)
        top.addWidget(period_label)
        top.addWidget(self.period_combo)
        top.addSpacing(16)
        top.addWidget(self.status, 1)  # the status text takes the rest of the row
        # The problem list under the grid: at least five rows at first, and the handle
        # between them moves (neither side can be squeezed away).
        self.splitter = right = QSplitter(Qt.Orientation.Vertical)
        right.setChildrenCollapsible(False)
        right.addWidget(self.grid)
        right.addWidget(self.problems)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        right.setSizes([360, 240])
        self.problems.setMinimumHeight(self.problems.view.verticalHeader().defaultSectionSize() * 3)
        body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(self.periods)
        body.addWidget(right)
        body.setStretchFactor(1, 1)
        body.setSizes([270, 1000])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.form_tabs)
        layout.addWidget(body, 1)

    # -- choices --------------------------------------------------------------

    def _fill_scopes(self) -> None:
        org = self.org
        single = org is None or org.level == OrgLevel.COUNTY
        self.scope_label.setVisible(not single)
        self.scope_combo.setVisible(not single)
        if org is None or single:
            if org is not None:
                self.scope_combo.addItem(org.name, org.code)
            return
        self.scope_combo.addItem(f"{org.name}(全部)", org.code)
        parents = children(self.ctx.store, org.code) if org.code == PROVINCE_CODE else [org]
        for parent in parents:
            if parent.code != org.code:
                self.scope_combo.addItem(parent.name, parent.code)
            for county in counties_under(self.ctx.store, parent.code):
                self.scope_combo.addItem(f"  {county.name}", county.code)

    def current_form(self) -> Form | None:
        i = self.form_tabs.currentIndex()
        return self.forms[i] if 0 <= i < len(self.forms) else None

    def current_scope(self) -> str:
        form = self.current_form()
        if form is not None and form.org_level == OrgLevel.PROVINCE:
            return PROVINCE_CODE
        return str(self.scope_combo.currentData() or (self.org.code if self.org else ""))

    def current_period(self) -> Period | None:
        data = self.period_combo.currentData()
        return parse_period(data) if data else None

    def _fill_periods(self, form: Form, wanted: str | None) -> None:
        plan = self.ctx.plan
        self.period_combo.blockSignals(True)
        self.period_combo.clear()
        for period in plan_periods(plan, {form.frequency}):
            self.period_combo.addItem(period.label, str(period))
        if wanted is None:
            latest = current_quarter()
            wanted = str(latest if form.frequency == Frequency.QUARTER else latest.year_period)
        index = self.period_combo.findData(wanted)
        self.period_combo.setCurrentIndex(index if index >= 0 else 0)
        self.period_combo.blockSignals(False)

    def _restore(self) -> None:
        settings = QSettings()
        form_id = settings.value("entry/form")
        ids = [f.id for f in self.forms]
        self.form_tabs.setCurrentIndex(ids.index(form_id) if form_id in ids else 0)
        scope = self.scope_combo.findData(settings.value("entry/scope"))
        if scope >= 0:
            self.scope_combo.setCurrentIndex(scope)
        form = self.current_form()
        if form is not None:
            self._fill_periods(form, _setting(f"entry/period/{form.frequency}"))

    def _form_changed(self, _index: int) -> None:
        form = self.current_form()
        if form is not None:
            self._fill_periods(form, _setting(f"entry/period/{form.frequency}"))
        self.reload()

    def choose_period(self, text: str) -> None:
        """Show ``text`` ("2025Q4" or "2025"), switching to a form of that frequency."""
        period = parse_period(text)
        frequency = Frequency.of(period)
        form = self.current_form()
        if form is not None and form.frequency != frequency:
            match = next((i for i, f in enumerate(self.forms) if f.frequency == frequency), -1)
            if match < 0:
                return
            self.form_tabs.blockSignals(True)
            self.form_tabs.setCurrentIndex(match)
            self.form_tabs.blockSignals(False)
            self._fill_periods(self.forms[match], text)
            self.reload()
            return
        self.period_combo.setCurrentIndex(self.period_combo.findData(text))

    # -- loading --------------------------------------------------------------

    def status_org(self) -> str | None:
        """The one org unit whose period status the buttons act on (None: several)."""
        form = self.current_form()
        if form is None:
            return None
        orgs = scope_orgs(self.ctx.store, form, self.current_scope())
        return orgs[0].code if len(orgs) == 1 else None

    def reload(self) -> None:
        form, period = self.current_form(), self.current_period()
        if form is None or period is None:
            return
        settings = QSettings()
        settings.setValue("entry/form", form.id)
        settings.setValue("entry/scope", self.current_scope())
        settings.setValue(f"entry/period/{form.frequency}", str(period))
        self.model.load(form, self.current_scope(), period)
        self._size_columns()
        self.status.show_for(self.status_org(), period)
        self.scope_combo.setEnabled(form.org_level != OrgLevel.PROVINCE)
        self._reload_periods()

    def _reload_periods(self) -> None:
        """The period list of the grid's units: one unit's own report, or the scope's."""
        single = self.status_org()
        scope = single or self.current_scope() or (self.org.code if self.org else None)
        period = self.current_period()
        if scope:
            self.periods.load(scope, own=single is not None)
        if period is not None:
            self.periods.mark(str(period))
        self._show_overview()

    def _show_overview(self) -> None:
        """The header of a scope of many units shows the period list's counts."""
        period = self.current_period()
        if self.status_org() is None and period is not None and not self.periods.loading:
            self.status.show_overview(self.periods.overview(str(period)))

    def _size_columns(self) -> None:
        metrics = self.grid.fontMetrics()
        header = self.grid.horizontalHeader()
        for column in range(self.model.columnCount()):
            field = self.model.field_at(column)
            if field is None:
                kind = self.model.headerData(column, Qt.Orientation.Horizontal)
                width = _NAME_WIDTH if kind in ("名称", "项目") else _LABEL_WIDTH
            else:
                lines = str(self.model.headerData(column, Qt.Orientation.Horizontal)).split("\n")
                width = max(metrics.horizontalAdvance(line) for line in lines) + 20
                width = max(width, 260 if field.type == "text" and field.max_length else 64)
            header.resizeSection(column, width)

    def _status_changed(self) -> None:
        self._reload_periods()

    def _data_changed(self, kinds: tuple[str, ...]) -> None:
        if set(kinds) <= {EDIT_KIND, CONFIRM_KIND}:
            # The grid already re-read its own rows; the period list recounts only what
            # the edit can change (its form, its period and the later ones).
            form, period = self.current_form(), self.current_period()
            edited, self.model.edited_orgs = self.model.edited_orgs, set()
            if form is not None and period is not None and self.periods.org_code:
                self.periods.after_edit(form.id, period, edited or {self.periods.org_code})
                return
            self._reload_periods()
            return
        self.reload()

    def jump_to(self, index: QModelIndex) -> None:
        self.grid.select_cell(index)


def _setting(key: str) -> str | None:
    value = QSettings().value(key)
    return value if isinstance(value, str) else None
