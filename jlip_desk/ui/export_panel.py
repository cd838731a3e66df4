"""Export side of the exchange page: templates and submissions for one county or all of them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, QStringListModel, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from jlip_desk.errors import JlipError
from jlip_desk.excel.layout import file_name
from jlip_desk.periods import Period, parse_period, quarters_between
from jlip_desk.services import excel
from jlip_desk.services.period_status import OpenProblemsError, open_problems, status
from jlip_desk.services.reporting import faulty_text, units_with_errors
from jlip_desk.services.summary import latest_period
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import counties_under
from jlip_desk.ui.context import AppContext
from jlip_desk.ui.entry_status import STATUS_KIND
from jlip_desk.ui.errors import show_error
from jlip_desk.ui.task_progress import Cancelled, TaskProgress
from jlip_desk.ui.tasks import BackgroundTask

PERIOD_KEY = "exchange/period"
FOLDER_KEY = "exchange/export_folder"
Batch = Callable[..., list[excel.ExportResult]]


def _in_own_store(path: Path, fn: Callable[[Store], Any]) -> Any:
    """Pool threads may not use the GUI thread's connection: each job opens its own."""
    store = Store.open(path, migrate=False)
    try:
        return fn(store)
    finally:
        store.close()


def last_folder() -> str:
    """The folder of the last export (the home folder at first)."""
    folder = QSettings().value(FOLDER_KEY)
    return folder if isinstance(folder, str) and Path(folder).is_dir() else str(Path.home())


def ask_workbook(parent: QWidget, title: str, name: str) -> Path | None:
    """Where to save a workbook (proposed: ``name`` in the last folder); None: cancelled."""
    chosen, _filter = QFileDialog.getSaveFileName(
        parent, title, str(Path(last_folder()) / name), "Excel 工作簿 (*.xlsx)"
    )
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() != ".xlsx":
        path = path.with_name(path.name + ".xlsx")
    QSettings().setValue(FOLDER_KEY, str(path.parent))
    return path


def period_options(store: Store, ctx: AppContext) -> tuple[list[Period], Period]:
    """Every quarter and year of the plan, newest first, and the default choice."""
    plan = ctx.plan
    latest = latest_period(store, plan)
    last = max(latest, Period(plan.end_year, 4)) if latest.year <= plan.end_year else latest
    quarters = quarters_between(Period(plan.start_year, 1), last)
    years = sorted({q.year_period for q in quarters})
    # A year before its quarters, as on the entry and overview pages.
    return sorted([*quarters, *years], reverse=True), latest


class ExportPanel(QGroupBox):
    """County: its own template and submission. Prefecture/province: every county's files."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__("导出 Excel 工作簿", parent)
        self.ctx = ctx
        self.org = ctx.org
        self.period_combo = QComboBox()
        self.period_combo.setMinimumContentsLength(12)
        options, latest = period_options(ctx.store, ctx)
        for p in options:
            self.period_combo.addItem(p.label, str(p))
        saved = QSettings().value(PERIOD_KEY)
        wanted = self.period_combo.findData(saved) if isinstance(saved, str) else -1
        self.period_combo.setCurrentIndex(
            wanted if wanted >= 0 else max(0, self.period_combo.findData(str(latest)))
        )
        self.period_combo.currentIndexChanged.connect(self._period_changed)
        # A fourth quarter's workbook may carry the year's annual sheets: one file to hand in.
        self.annual_check = QCheckBox("含年报(&A)")
        self.annual_check.setToolTip(
            "第4季度的工作簿同时包含本年度的年报工作表,年底只需报送一个文件;"
            "导入时季报和年报作为两份报送分别记录"
        )
        self.period_combo.currentIndexChanged.connect(lambda _i: self._show_annual())
        org_text = f"{self.org.name}({self.org.code})" if self.org else "本机尚未绑定单位"
        form = QFormLayout()
        period_label = QLabel("报告期(&C):")
        period_label.setBuddy(self.period_combo)
        form.addRow("本机单位:", QLabel(org_text))
        form.addRow(period_label, self.period_combo)
        form.addRow("", self.annual_check)
        self._show_annual()

        self.county = self.org is not None and self.org.level == "county"
        self.template_button = QPushButton(
            "导出空白模板(&T)…" if self.county else "批量生成模板(&B)…"
        )
        self.submission_button = QPushButton(
            "导出报送文件(提交)(&S)…" if self.county else "导出各县报送文件(&X)…"
        )
        if self.county:
            self.template_button.setToolTip("导出本单位所选报告期的空白填报模板")
            self.submission_button.setToolTip("导出本单位已填报的数据;导出后本期标记为已报送并锁定")
            self.template_button.clicked.connect(self.export_template)
            self.submission_button.clicked.connect(self.export_submission)
        else:
            self.template_button.setToolTip("为所辖每个县级单位各生成一份空白模板,存入所选文件夹")
            self.submission_button.setToolTip("为所辖每个县级单位各导出一份已填报数据的工作簿")
            self.template_button.clicked.connect(lambda: self.export_all(blank=True))
            self.submission_button.clicked.connect(lambda: self.export_all(blank=False))
        for button in (self.template_button, self.submission_button):
            button.setEnabled(self.org is not None)
        self._label_submission()
        ctx.data_changed.connect(lambda _kinds: self._label_submission())

        self.status_label = QLabel("在上方选好报告期,再点导出按钮。")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.files_model = QStringListModel(self)
        self.files_view = QListView()
        self.files_view.setModel(self.files_model)
        self.files_view.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.files_view.setAccessibleName("已导出的文件")
        # A long folder is cut in the middle: the file's own name stays readable.
        self.files_view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.open_folder_button = QPushButton("打开所在文件夹(&W)")
        self.open_folder_button.setEnabled(False)
        self.open_folder_button.clicked.connect(self.open_folder)
        self.folder: Path | None = None

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.template_button)
        layout.addWidget(self.submission_button)
        layout.addWidget(self.status_label)
        layout.addWidget(self.files_view, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.open_folder_button)
        layout.addLayout(row)
        self.progress: TaskProgress | None = None
        # A submission exported elsewhere (报送并导出 on the entry page) is listed here too,
        # also when this page is first opened after it. This panel's own export is busy
        # (progress shown) when it notes one, and lists it itself.
        ctx.submission_exported.connect(self._exported_elsewhere)
        for (org_code, period), path in ctx.exported.items():
            self._exported_elsewhere(org_code, period, str(path))

    def _exported_elsewhere(self, org_code: str, period: str, path: str) -> None:
        if self.progress is not None or self.org is None or org_code != self.org.code:
            return
        label = parse_period(period).label
        self._show_files([Path(path)], f"已报送并导出{label}的报送文件,请把它发送给上级单位。")

    def selected_period(self) -> Period:
        return parse_period(self.period_combo.currentData())

    def _period_changed(self, _index: int) -> None:
        QSettings().setValue(PERIOD_KEY, self.period_combo.currentData())
        self._label_submission()

    def _submits(self, period: Period) -> bool:
        """Whether exporting the county's own submission of ``period`` hands it in now."""
        if not self.county or self.org is None:
            return False
        return not status(self.ctx.store, self.ctx.plan.id, self.org.code, period).locked

    def _label_submission(self) -> None:
        """The county's button says whether the export also submits (not for a locked period)."""
        if not self.county or self.period_combo.currentData() is None:
            return
        if self._submits(self.selected_period()):
            self.submission_button.setText("导出报送文件(提交)(&S)…")
        else:
            self.submission_button.setText("再次导出报送文件(&S)…")

    def _show_annual(self) -> None:
        self.annual_check.setVisible(self.selected_period().quarter == 4)

    def with_annual(self) -> bool:
        """Whether the workbook carries the year's annual sheets (fourth quarters only)."""
        return self.selected_period().quarter == 4 and self.annual_check.isChecked()

    def _what(self, period: Period, annual: bool) -> str:
        return f"{period.label}及{period.year}年度" if annual else period.label

    def _last_folder(self) -> str:
        return last_folder()

    def _ask_file(self, title: str, name: str) -> Path | None:
        return ask_workbook(self, title, name)

    def _busy(self, busy: bool, text: str = "") -> None:
        widgets = (self.template_button, self.submission_button, self.period_combo,
                   self.annual_check)  # fmt: skip
        for widget in widgets:
            widget.setEnabled(not busy and self.org is not None)
        if text:
            self.status_label.setText(text)

    def export_template(self) -> None:
        assert self.org is not None
        org, period, annual = self.org, self.selected_period(), self.with_annual()
        name = file_name(org, period, template=True, with_annual=annual)
        path = self._ask_file("导出空白模板", name)
        if path is None:
            return
        what = self._what(period, annual)
        self._start_progress("导出空白模板", f"正在导出{what}空白模板…", cancellable=False)

        def job(store: Store) -> list[excel.ExportResult]:
            return [excel.export_template(store, org.code, period, path, with_annual=annual)]

        task = BackgroundTask(_in_own_store, self.ctx.store.path, job)
        task.signals.done.connect(self._exported)
        task.signals.failed.connect(self._failed)
        task.start()

    def confirm_submission(self, path: Path, period: Period, annual: bool = False) -> bool:
        assert self.org is not None
        state = status(self.ctx.store, self.ctx.plan.id, self.org.code, period)
        if state.locked and not annual:
            effect = f"本期已{state.label},再次导出不会改变报送状态。"
        else:
            effect = (
                f"导出后,{self.org.name}{self._what(period, annual)}的数据将标记为“已报送”并锁定"
                "(已报送的不变),"
                "不能再修改;如需修改,须先解锁本期(记录原因)或由上级退回。"
            )
        box = QMessageBox(QMessageBox.Icon.Question, "导出报送文件", effect, parent=self)
        box.setInformativeText(f"文件:{path}\n\n确定导出吗?")
        label = "导出" if state.locked else "导出并报送"
        ok = box.addButton(label, QMessageBox.ButtonRole.AcceptRole)
        box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(ok)
        self.confirm_box = box
        box.exec()
        return box.clickedButton() is ok

    def refusal(self, period: Period) -> OpenProblemsError | None:
        """Why exporting (and so submitting) ``period`` would be refused: its open errors."""
        assert self.org is not None
        if not self._submits(period):
            return None
        problems = open_problems(self.ctx.store, self.ctx.plan, self.org.code, period)
        errors = [p for p in problems if p.severity == "error"]
        return OpenProblemsError(errors) if errors else None

    def export_submission(self) -> None:
        assert self.org is not None
        org, period, annual = self.org, self.selected_period(), self.with_annual()
        # Refused before asking for a file: no choice is made in vain (the year's part too).
        refused = self.refusal(period) or (self.refusal(Period(period.year)) if annual else None)
        if refused is not None:
            self.status_label.setText(f"{self._what(period, annual)}还有错误,不能导出报送文件。")
            show_error(self, refused, "不能导出报送文件")
            return
        name = file_name(org, period, template=False, with_annual=annual)
        path = self._ask_file("导出报送文件", name)
        if path is None or not self.confirm_submission(path, period, annual):
            return
        what = self._what(period, annual)
        self._start_progress("导出报送文件", f"正在导出{what}报送文件…", cancellable=False)
        # Marking the period submitted is a write: it runs on the writer thread.
        self.ctx.writer.submit(
            lambda store: [
                excel.export_submission(store, org.code, period, path, with_annual=annual)
            ],
            kinds=(STATUS_KIND,),
            on_done=self._submitted,
            on_error=self._failed,
        )

    def export_all(self, *, blank: bool) -> None:
        assert self.org is not None
        period, annual = self.selected_period(), self.with_annual()
        what = ("含年报的" if annual else "") + ("空白模板" if blank else "报送文件")
        chosen = QFileDialog.getExistingDirectory(
            self, f"选择保存各县{what}的文件夹", self._last_folder()
        )
        if not chosen:
            return
        folder = Path(chosen)
        QSettings().setValue(FOLDER_KEY, str(folder))
        count = len(counties_under(self.ctx.store, self.org.code))
        progress = self._start_progress(
            f"导出各县{what}", f"正在为 {count} 个县级单位导出{period.label}{what}…"
        )
        self.folder = folder
        service: Batch = excel.export_templates_all if blank else excel.export_submissions_all
        scope = self.org.code

        plan = self.ctx.plan

        def job(store: Store) -> tuple[list[excel.ExportResult], str]:
            results = service(
                store, period, folder, scope=scope, progress=progress.callback,
                with_annual=annual,
            )  # fmt: skip
            if blank:
                return results, ""
            # Which of them still have errors (refused when imported), said with the count.
            faulty = units_with_errors(store, plan, scope, period, [r.org_code for r in results])
            return results, faulty_text(faulty, period)

        task = BackgroundTask(_in_own_store, self.ctx.store.path, job)
        task.signals.done.connect(self._exported_all)
        task.signals.failed.connect(self._failed)
        task.start()

    def _exported_all(self, done: tuple[list[excel.ExportResult], str]) -> None:
        results, notice = done
        self._exported(results)
        if notice:
            self.status_label.setText(f"{self.status_label.text()}\n{notice}")

    def _start_progress(self, title: str, label: str, *, cancellable: bool = True) -> TaskProgress:
        self._busy(True, label)
        self.progress = TaskProgress(self, title, label, cancellable=cancellable)
        self.progress.start()
        return self.progress

    def _end_progress(self) -> None:
        if self.progress is not None:
            self.progress.finish()
            self.progress = None

    def _show_files(self, paths: list[Path], text: str) -> None:
        self._end_progress()
        self._busy(False, text)
        self.files_model.setStringList([str(p) for p in paths])
        self.folder = paths[0].parent if paths else self.folder
        self.open_folder_button.setEnabled(self.folder is not None and bool(paths))

    def _exported(self, results: list[excel.ExportResult]) -> None:
        paths = [r.path for r in results]
        self._show_files(paths, f"已导出 {len(paths)} 个工作簿到 {paths[0].parent}。")

    def _submitted(self, results: list[excel.ExportResult]) -> None:
        assert self.org is not None
        period = parse_period(results[0].period)
        self.ctx.note_exported(self.org.code, results[0].period, results[0].path)
        state = status(self.ctx.store, self.ctx.plan.id, self.org.code, period)
        self._show_files(
            [results[0].path], f"已导出报送文件;{period.label}现为“{state.label}”,已锁定。"
        )

    def _failed(self, exc: JlipError) -> None:
        if isinstance(exc, Cancelled):
            folder = self.folder or Path()
            paths = [folder / name for name in exc.done]
            self._show_files(paths, f"已取消:取消前已导出 {len(paths)} 个工作簿,其余未导出。")
            return
        self._end_progress()
        self._busy(False, f"导出失败:{exc.message}")
        show_error(self, exc, "导出失败")

    def open_folder(self) -> None:
        if self.folder is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder)))
