"""The problem list under the entry grid: counts, jump to a cell, confirm an outlier."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from jlip_desk.errors import JlipError
from jlip_desk.services.entry import RowProblem, confirm_outlier
from jlip_desk.store.database import Store
from jlip_desk.ui import changes
from jlip_desk.ui.context import AppContext
from jlip_desk.ui.entry_model import EntryModel
from jlip_desk.ui.entry_view import EntryView
from jlip_desk.ui.errors import show_error
from jlip_desk.ui.problems_model import ProblemsModel

CONFIRM_KIND = changes.OUTLIER_CONFIRMED


class ProblemsPanel(QWidget):
    def __init__(
        self, ctx: AppContext, model: EntryModel, grid: EntryView, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.ctx, self.entry_model, self.grid = ctx, model, grid
        self.model = ProblemsModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.verticalHeader().hide()
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.counts = QLabel()
        self.confirm_button = QPushButton("确认异常值(&K)…")
        self.confirm_button.setToolTip("数值确实偏高时,填写说明后确认,警告不再提示")
        self.confirm_dialog: QInputDialog | None = None
        top = QHBoxLayout()
        top.addWidget(self.counts, 1)
        top.addWidget(self.confirm_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        self.view.doubleClicked.connect(self.jump)
        self.confirm_button.clicked.connect(self.ask_confirm)
        self.view.selectionModel().currentChanged.connect(lambda *_a: self._update_button())
        model.problems_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        self.model.set_problems(self.entry_model.problems(), self.entry_model.form)
        errors, warnings = self.model.counts()
        self.counts.setText(f"本期问题:错误 {errors} 个,警告 {warnings} 个")
        self.view.setColumnWidth(0, 90)
        self.view.setColumnWidth(1, 260)
        self.view.setColumnWidth(2, 140)
        self._update_button()

    def selected(self) -> RowProblem | None:
        index = self.view.currentIndex()
        return self.model.problem(index.row()) if index.isValid() else None

    def _update_button(self) -> None:
        problem = self.selected()
        ok = problem is not None and problem.severity == "warning" and problem.open
        self.confirm_button.setEnabled(ok)

    def jump(self, index: QModelIndex) -> None:
        """Go to the problem's cell in the grid (double-click)."""
        problem = self.model.problem(index.row())
        target = self.entry_model.index_of(problem.key, problem.field_id)
        if target.isValid():
            self.grid.select_cell(target)

    def ask_confirm(self) -> None:
        problem = self.selected()
        if problem is None or problem.field_id is None:
            return
        dialog = QInputDialog(self)
        dialog.setWindowTitle("确认异常值")
        dialog.setLabelText(f"{problem.message}\n请说明该数值的原因:")
        dialog.textValueSelected.connect(lambda text: self.confirm(problem, text))
        self.confirm_dialog = dialog
        dialog.open()

    def confirm(self, problem: RowProblem, comment: str) -> None:
        field_id = problem.field_id
        assert field_id is not None

        def job(store: Store) -> None:
            confirm_outlier(store, problem.key, field_id, comment)

        def failed(exc: JlipError) -> None:
            show_error(self, exc, "无法确认")

        self.ctx.writer.submit(
            job,
            kinds=(CONFIRM_KIND,),
            on_done=lambda _r: self.entry_model.refresh_rows([problem.key]),
            on_error=failed,
        )
