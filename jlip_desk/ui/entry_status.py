"""Status of the period shown in the entry grid, with the submit and unlock actions."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from jlip_desk.errors import JlipError
from jlip_desk.periods import Period
from jlip_desk.services.period_status import (
    STEPS,
    OpenProblemsError,
    PeriodState,
    open_problems,
    status,
    submit,
    unlock,
)
from jlip_desk.services.reporting import (
    EXEMPT_LABEL,
    EXEMPT_WHY,
    Overview,
    overview_json,
    owing_units,
)
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import get_org
from jlip_desk.ui import changes
from jlip_desk.ui.context import AppContext
from jlip_desk.ui.entry_model import EntryModel
from jlip_desk.ui.errors import show_error
from jlip_desk.ui.units_dialog import UnitsDialog

STATUS_KIND = changes.PERIOD_STATUS
SUBMIT_TEXT = "报送(锁定本期)(&S)…"
# Submitting only records the state here: the superior learns of it from the workbook.
NEXT_STEP = "下一步:如尚未导出报送文件,请在“导入导出”页导出,发送给上级单位"


class StatusBar(QWidget):
    """Shows the status; ``status_changed`` after a submit or unlock was saved."""

    status_changed = Signal()
    message = Signal(str)  # a passing word for the window's status bar

    def __init__(self, ctx: AppContext, model: EntryModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.model = ctx, model
        self.org_code: str | None = None
        self.period: Period | None = None
        self.label = QLabel()
        # The text changes with every recount: it must not re-lay out the page each time.
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.submit_button = QPushButton(SUBMIT_TEXT)
        self.unlock_button = QPushButton("解锁(&L)…")
        self.units_button = QPushButton("单位明细(&M)…")
        self.units_button.setVisible(False)
        self.units_dialog: UnitsDialog | None = None
        self.overview: Overview | None = None
        self.unlock_dialog: QInputDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self.exported: Path | None = None  # the workbook a submit-and-export wrote
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.submit_button)
        layout.addWidget(self.unlock_button)
        layout.addWidget(self.units_button)
        self.submit_button.clicked.connect(self.submit)
        self.unlock_button.clicked.connect(self.ask_unlock)
        self.units_button.clicked.connect(self.show_units)

    def show_for(self, org_code: str | None, period: Period) -> None:
        self.org_code, self.period = org_code, period
        many = org_code is None
        self.submit_button.setVisible(not many)
        self.unlock_button.setVisible(not many)
        self.units_button.setVisible(many)
        if many:
            # Several org units: the scope's overview (the period list brings it), and
            # no buttons (each unit submits its own).
            self.show_overview(None)
            return
        assert org_code is not None
        state = self.model.state(org_code)
        self._show_state(state)

    def show_overview(self, overview: Overview | None) -> None:
        """The counts of every unit of the scope for the period (None: being counted)."""
        self.overview = overview
        self.units_button.setEnabled(overview is not None)
        if overview is None:
            self.label.setText("状态:正在统计各单位的报送情况…")
            return
        self.label.setText("状态:" + overview.text())
        self.label.setToolTip(self.label.text())

    def show_units(self) -> None:
        """Every unit of the scope with its state, overdue mark and problem counts."""
        overview = self.overview
        if overview is None:
            return
        title = f"{overview.scope.name} {overview.period.label}"
        self.units_dialog = UnitsDialog(self.ctx.store, overview_json(overview), title, self)
        self.units_dialog.open()

    def _show_state(self, state: PeriodState) -> None:
        exempt = state.status == "none" and not self._owes()
        text = f"状态:{EXEMPT_LABEL if exempt else state.label}"
        if state.ended_by is not None and state.locked:
            text += f"(所属计划已结束,已由“{state.ended_by}”接续,只能查看)"
        elif state.locked:
            text += "(已锁定)"
        if state.reason:
            text += f"  原因:{state.reason}"
        exported = None
        if self.org_code is not None and self.period is not None:
            exported = self.ctx.exported.get((self.org_code, str(self.period)))
        if state.status == "submitted" and exported is not None:
            text += f"  报送文件已导出:{exported.name},请发送给上级单位"
        elif state.status == "submitted":
            text += f"  {NEXT_STEP}"
        elif exempt:
            text += f"  {EXEMPT_WHY}"
        self.label.setText(text)
        self.label.setToolTip(text)
        # An ended plan's period is handed in only after its superior reopens it.
        can_submit = state.status in STEPS["submit"].sources and not state.locked
        self.submit_button.setEnabled(can_submit)
        # The button names the state it is in: nothing left to submit once handed in.
        self.submit_button.setText(SUBMIT_TEXT if can_submit else state.label)
        self.unlock_button.setEnabled(state.status == "submitted" and state.ended_by is None)

    def _owes(self) -> bool:
        """Whether the unit owes the period shown: the one rule of every overview."""
        form, org, period = self.model.form, self.org_code, self.period
        if form is None or org is None or period is None:
            return True
        store = self.ctx.store
        owed = owing_units(store, self.ctx.plan, form.frequency, [period], [get_org(store, org)])
        return org in owed[period]

    def submit(self) -> None:
        """Refuse at once while errors remain; otherwise say what submitting means, then do it."""
        org, period, plan = self.org_code, self.period, self.ctx.plan
        if org is None or period is None:
            return
        problems = open_problems(self.ctx.store, plan, org, period)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            show_error(self, OpenProblemsError(errors), "无法报送")
            return
        choice = self.confirm_submit(org, period)
        if choice is None:
            return
        if choice == "export":
            self.submit_and_export(org, period)
            return

        def job(store: Store) -> PeriodState:
            return submit(store, plan, org, period)

        self._run(job, "无法报送")

    def submit_and_export(self, org_code: str, period: Period) -> None:
        """Write the submission workbook, which submits the period too (one step)."""
        from jlip_desk.excel.layout import file_name
        from jlip_desk.services import excel
        from jlip_desk.ui.export_panel import ask_workbook

        org = get_org(self.ctx.store, org_code)
        path = ask_workbook(self, "导出报送文件", file_name(org, period, template=False))
        if path is None:
            return
        plan = self.ctx.plan

        def job(store: Store) -> PeriodState:
            excel.export_submission(store, org_code, period, path)
            return status(store, plan.id, org_code, period)

        self.exported = path
        self._run(job, "无法报送")

    def confirm_submit(self, org_code: str, period: Period) -> str | None:
        """ "submit", "export" (submit and export the workbook now) or None (cancelled)."""
        name = get_org(self.ctx.store, org_code).name
        text = (
            f"报送后,{name}{period.label}的数据将锁定,不能再修改(如需修改,须先解锁本期并填写原因)。"
        )
        state = self.model.state(org_code)
        if state.status == "returned" and state.reason:
            # Sending a returned report back: is what the superior asked for done?
            text = f"上级单位退回本期的原因:{state.reason}\n请确认已按要求修改。\n\n" + text
        box = QMessageBox(QMessageBox.Icon.Question, "报送本期", text, parent=self)
        box.setInformativeText(
            "报送只在本机记录状态,上级单位还收不到数据:报送后请导出报送文件"
            "(Excel 工作簿,也可以稍后在“导入导出”页导出),发送给上级单位。\n\n确定报送吗?"
        )
        export = box.addButton("报送并导出报送文件…", QMessageBox.ButtonRole.AcceptRole)
        ok = box.addButton("报送并锁定", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(export)
        self.confirm_box = box
        box.exec()
        clicked = box.clickedButton()
        return "export" if clicked is export else "submit" if clicked is ok else None

    def ask_unlock(self) -> None:
        """Ask for the reason (kept in the status history), then unlock."""
        dialog = QInputDialog(self)
        dialog.setWindowTitle("解锁报告期")
        dialog.setLabelText("解锁后可以修改本期数据。请填写解锁原因:")
        dialog.textValueSelected.connect(self.unlock)
        self.unlock_dialog = dialog
        dialog.open()

    def unlock(self, reason: str) -> None:
        org, period, plan = self.org_code, self.period, self.ctx.plan
        if org is None or period is None:
            return

        def job(store: Store) -> PeriodState:
            return unlock(store, plan, org, period, reason)

        self._run(job, "无法解锁")

    def _run(self, job: object, title: str) -> None:
        def done(state: PeriodState) -> None:
            exported, self.exported = self.exported, None
            if exported is not None and self.org_code and self.period is not None:
                # Noted first: the state then says the workbook is out.
                self.ctx.note_exported(self.org_code, str(self.period), exported)
                self.message.emit(f"已报送并导出报送文件 {exported},请把它发送给上级单位")
            self._show_state(state)
            self.status_changed.emit()

        def failed(exc: JlipError) -> None:
            self.exported = None
            show_error(self, exc, title)

        self.ctx.writer.submit(job, kinds=(STATUS_KIND,), on_done=done, on_error=failed)  # type: ignore[arg-type]
