"""Import side of the exchange page: drop or choose workbooks, import them, show the report."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSettings, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from jlip_desk.errors import JlipError
from jlip_desk.excel.report import FileResult, ImportReport
from jlip_desk.services.excel import backup_before_import, import_files
from jlip_desk.services.importing import CHOICES
from jlip_desk.store.database import Store
from jlip_desk.ui import changes
from jlip_desk.ui.context import AppContext
from jlip_desk.ui.drop_zone import DropZone
from jlip_desk.ui.errors import show_error
from jlip_desk.ui.import_report_model import FileResultModel, ProblemModel
from jlip_desk.ui.task_progress import TaskProgress

IMPORT_KINDS = changes.IMPORTED
REPORT_FOLDER_KEY = "exchange/report_folder"
# Long messages would push 规则/要求 off screen at 1366 px; the tooltip has the full text.
MAX_COLUMN_WIDTH = 220


def _table(model: FileResultModel | ProblemModel, name: str) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.verticalHeader().setDefaultSectionSize(24)
    # Never squeezed below its header and two rows: a shorter table painted its header
    # across its own frame.
    header = view.horizontalHeader().sizeHint().height()
    view.setMinimumHeight(header + 2 * 24 + 2 * view.frameWidth() + 4)
    return view


def _fit_columns(view: QTableView) -> None:
    view.resizeColumnsToContents()
    for column in range(view.model().columnCount()):
        view.setColumnWidth(column, min(view.columnWidth(column), MAX_COLUMN_WIDTH))


class ImportPanel(QGroupBox):
    """Imports run on the writer thread, one file at a time, and end in a per-file report."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__("导入报送的工作簿", parent)
        self.ctx = ctx
        self.report: ImportReport | None = None
        self._retrying: int | None = None  # the report row being imported again
        self._summary = ""
        self.progress: TaskProgress | None = None
        self.drop_zone = DropZone()
        self.drop_zone.files_chosen.connect(self.start_import)
        self.summary_label = QLabel(
            "尚未导入。每个文件单独检查:全部通过才写入,有问题则整份不写入。"
        )
        self.summary_label.setWordWrap(True)
        self.files_model = FileResultModel(self)
        self.files_view = _table(self.files_model, "导入结果")
        self.files_view.selectionModel().currentRowChanged.connect(self._file_selected)
        self.problems_model = ProblemModel(self)
        self.problems_view = _table(self.problems_model, "所选文件的问题")
        self.problems_label = QLabel("所选文件的问题(&Q):")
        self.problems_label.setBuddy(self.problems_view)
        self.open_markup_button = QPushButton("打开标注副本(&M)")
        self.open_markup_button.setToolTip("用电子表格程序打开标出问题单元格的工作簿副本")
        self.open_markup_button.clicked.connect(self.open_markup)
        self.open_folder_button = QPushButton("打开所在文件夹(&D)")
        self.open_folder_button.clicked.connect(self.open_folder)
        self.markup_folder_button = QPushButton("打开标注副本文件夹(&K)")
        self.markup_folder_button.setToolTip(
            "打开存放本次被拒绝文件的问题标注副本的文件夹,以便退回给报送单位"
        )
        self.markup_folder_button.clicked.connect(self.open_markup_folder)
        self.save_button = QPushButton("保存导入报告(&R)…")
        self.save_button.setToolTip("另存为 JSON(与命令行 --report 相同)或文本文件")
        self.save_button.clicked.connect(self.save_report)

        results = QWidget()
        top = QVBoxLayout(results)
        top.setContentsMargins(0, 0, 0, 0)
        files_label = QLabel("导入结果(&L):")
        files_label.setBuddy(self.files_view)
        top.addWidget(files_label)
        top.addWidget(self.files_view)
        problems = QWidget()
        bottom = QVBoxLayout(problems)
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(self.problems_label)
        bottom.addWidget(self.problems_view)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(results)
        splitter.addWidget(problems)
        splitter.setChildrenCollapsible(False)

        # A refusal the user may overrule for this one file (an older workbook, a row
        # that matches an existing record): offered here, never taken silently.
        self.choice_button = QPushButton("")
        self.choice_button.setVisible(False)
        self.choice_button.clicked.connect(self.ask_choice)
        buttons = QHBoxLayout()
        buttons.addWidget(self.choice_button)
        buttons.addWidget(self.open_markup_button)
        buttons.addWidget(self.open_folder_button)
        buttons.addWidget(self.markup_folder_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.drop_zone)
        layout.addWidget(self.summary_label)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self._update_buttons()

    def start_import(
        self,
        files: list[Path],
        *,
        replace_newer: bool = False,
        match_existing: bool = False,
        load_plan: bool = False,
    ) -> None:
        """Import ``files`` in the background (the keywords: the user's explicit choices)."""
        if self.progress is not None or not files:
            return
        self.drop_zone.setEnabled(False)
        self.progress = progress = TaskProgress(
            self, "导入工作簿", f"正在检查并导入 {len(files)} 个工作簿…"
        )
        progress.start()
        cancel = progress.cancel_requested

        def job(store: Store) -> tuple[ImportReport, bool]:
            # One import_files call per file: a cancel between files keeps the report
            # of the ones already imported (each file is its own transaction anyway).
            report = ImportReport()
            backup_before_import(store)
            for done, path in enumerate(files, start=1):
                if cancel.is_set():
                    return report, True
                report.files += import_files(
                    store,
                    [path],
                    replace_newer=replace_newer,
                    match_existing=match_existing,
                    load_plan=load_plan,
                ).files
                progress.progressed.emit(done, len(files), path.name)
            return report, False

        self.ctx.writer.submit(
            job, kinds=IMPORT_KINDS, on_done=self._imported, on_error=self._failed
        )

    def _end_progress(self) -> None:
        if self.progress is not None:
            self.progress.finish()
            self.progress = None
        self.drop_zone.setEnabled(True)

    def _imported(self, outcome: tuple[ImportReport, bool]) -> None:
        report, cancelled = outcome
        self._end_progress()
        if self._retrying is not None and self.report is not None and len(report.files) == 1:
            # A file imported again on the user's choice takes its place in the report.
            files = list(self.report.files)
            files[self._retrying] = report.files[0]
            report = ImportReport(files)
        self._retrying = None
        self.show_report(report)
        if cancelled:
            self.summary_label.setText("已取消,其余文件未导入。" + self.summary_label.text())
        loaded = [f for f in report.files if f.plan_loaded]
        reopen = getattr(self.window(), "reopen_on_plan", None)
        if loaded and reopen is not None:
            # The window's pages belong to the plan it opened on: open it again.
            names = "、".join(Path(f.file).name for f in loaded)
            QMessageBox.information(
                self, "载入计划", f"已载入工作簿附带的计划,并导入了 {names}。窗口将重新打开。"
            )
            reopen(None)

    def _failed(self, exc: JlipError) -> None:
        self._end_progress()
        show_error(self, exc, "导入失败")

    def show_report(self, report: ImportReport) -> None:
        self.report = report
        self.files_model.set_report(report)
        self.problems_model.set_issues([])
        _fit_columns(self.files_view)
        c = report.counts()
        self._summary = (
            f"导入 {len(report.files)} 个文件:成功 {c['applied']} 个,内容未变化 "
            f"{c['unchanged']} 个,拒绝 {c['refused']} 个。"
        )
        self.summary_label.setText(self._summary)
        rows = [i for i, f in enumerate(report.files) if f.outcome == "refused"] or [0]
        if report.files:
            # Land on the first refused file: its problems are what the user came for.
            index = self.files_model.index(rows[0], 0)
            flags = (
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows
            )
            self.files_view.selectionModel().setCurrentIndex(index, flags)
        self._update_buttons()

    def current_result(self) -> FileResult | None:
        index = self.files_view.currentIndex()
        return self.files_model.result(index.row()) if index.isValid() else None

    def _file_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        result = self.files_model.result(current.row()) if current.isValid() else None
        self.problems_model.set_issues(result.issues if result else [])
        _fit_columns(self.problems_view)
        if result is None or not result.issues:
            self.problems_label.setText("所选文件的问题(&Q):无")
        else:
            self.problems_label.setText(
                f"所选文件的问题(&Q):{Path(result.file).name},共 {len(result.errors)} 个"
            )
        self._update_buttons()

    def _choice(self, result: FileResult | None) -> tuple[str, str] | None:
        if result is None or result.outcome != "refused":
            return None
        rules = {i.rule for i in result.errors}
        if len(rules) != 1:
            return None  # other problems too: the choice would not be enough
        return CHOICES.get(next(iter(rules)) or "")

    def ask_choice(self) -> None:
        """Confirm the overruling choice for the selected file, then import it again."""
        result = self.current_result()
        choice = self._choice(result)
        if result is None or choice is None:
            return
        option, label = choice
        if option == "load_plan":
            self._offer_plan(result)
            return
        notes = [i.message for i in result.issues if i.severity == "note" and i.cell]
        text = result.errors[0].message
        if notes:
            text += "\n\n" + "\n".join(notes)
        answer = QMessageBox.question(
            self, label, text + f"\n\n确定{label}吗?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )  # fmt: skip
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._retrying = self.files_view.currentIndex().row()
        self.start_import(
            [Path(result.file)],
            replace_newer=option == "replace_newer",
            match_existing=option == "match_existing",
        )

    def _offer_plan(self, result: FileResult) -> None:
        """The plan the refused workbook carries: its preview, then loading and importing."""
        from jlip_desk.services.plans import plan_in_workbook
        from jlip_desk.ui.plan_menu import confirm_plan

        try:
            plan = plan_in_workbook(Path(result.file))
        except JlipError as exc:
            show_error(self, exc, "无法载入计划")
            return
        if plan is None:
            QMessageBox.warning(self, "载入计划", "此文件已不再附带计划定义,请重新选择文件导入。")
            return
        if not confirm_plan(self, self.ctx.store, plan):
            return
        self._retrying = self.files_view.currentIndex().row()
        self.start_import([Path(result.file)], load_plan=True)

    def _update_buttons(self) -> None:
        result = self.current_result()
        choice = self._choice(result)
        self.choice_button.setVisible(choice is not None)
        if choice is not None:
            self.choice_button.setText(choice[1] + "…")
        self.open_markup_button.setEnabled(result is not None and bool(result.markup))
        self.open_folder_button.setEnabled(result is not None)
        self.markup_folder_button.setEnabled(self.markup_folder() is not None)
        self.save_button.setEnabled(self.report is not None)

    def markup_folder(self) -> Path | None:
        """Where this batch's marked-up copies are (the first one's folder)."""
        if self.report is None:
            return None
        copies = [Path(f.markup) for f in self.report.files if f.markup]
        return copies[0].parent if copies else None

    def open_markup_folder(self) -> None:
        folder = self.markup_folder()
        if folder is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def open_markup(self) -> None:
        result = self.current_result()
        if result is not None and result.markup:
            QDesktopServices.openUrl(QUrl.fromLocalFile(result.markup))

    def open_folder(self) -> None:
        result = self.current_result()
        if result is not None:
            folder = Path(result.markup or result.file).parent
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def save_report(self) -> None:
        if self.report is None:
            return
        settings = QSettings()
        folder = settings.value(REPORT_FOLDER_KEY)
        start = Path(folder) if isinstance(folder, str) else Path.home()
        chosen, _filter = QFileDialog.getSaveFileName(
            self,
            "保存导入报告",
            str(start / "导入报告.json"),
            "JSON 文件 (*.json);;文本文件 (*.txt)",
        )
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() not in (".json", ".txt"):
            path = path.with_name(path.name + ".json")
        settings.setValue(REPORT_FOLDER_KEY, str(path.parent))
        try:
            if path.suffix.lower() == ".txt":
                path.write_text(self.report.text() + "\n", encoding="utf-8")
            else:
                self.report.write_json(path)
        except OSError as exc:
            show_error(
                self,
                JlipError(f"无法写入报告文件:{exc.strerror or exc}", where=str(path)),
                "保存失败",
            )
            return
        self.summary_label.setText(f"{self._summary}\n导入报告已保存:{path}")
