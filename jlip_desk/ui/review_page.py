"""报送审核: the review matrix of a province or prefecture, with accept and return.

Rows are the units that report, grouped under their prefecture (whose row counts
them); columns are the periods that have ended, newest first. A cell says whether
the unit's report was not received (overdue past the plan's due date), received,
accepted or returned. Selecting cells and pressing 接收 or 退回 takes the life
cycle's own step for each (services/review.py, period_status.py) on the writer
thread; the matrix, the other pages and the counts refresh from data_changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from jlip_desk.errors import JlipError
from jlip_desk.periods import Period
from jlip_desk.services.reporting import EXEMPT_LABEL, EXEMPT_WHY
from jlip_desk.services.review import (
    KIND_LABELS,
    ReviewCell,
    ReviewMatrix,
    accept_many,
    return_many,
)
from jlip_desk.store.database import Store
from jlip_desk.ui import changes
from jlip_desk.ui.context import AppContext
from jlip_desk.ui.errors import show_error
from jlip_desk.ui.frozen_columns import FrozenColumnsTable
from jlip_desk.ui.period_list import EXEMPT_TEXT  # the grey of 无需报送, as in the period list
from jlip_desk.ui.tasks import BackgroundTask

Index = QModelIndex | QPersistentModelIndex

COLOURS = {
    "overdue": "#f8d7da",
    "missing": "#fff3cd",
    "received": "#cfe2ff",
    "accepted": "#d1e7dd",
    "returned": "#e2d9f3",
}
REVIEW_KINDS = (changes.PERIOD_STATUS, changes.RECORDS)  # what the matrix shows


def _load(path: Path | None, plan_id: str | None, scope: str) -> ReviewMatrix:
    from jlip_desk.services.review import review_matrix
    from jlip_desk.store.plans import plan_or_active

    store = Store.open(path, migrate=False)  # a connection of the pool thread's own
    try:
        return review_matrix(store, plan_or_active(store, plan_id), scope)
    finally:
        store.close()


class ReviewModel(QAbstractTableModel):
    """Prefecture rows (bold, with counts) followed by their units' rows."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.matrix: ReviewMatrix | None = None
        self._rows: list[tuple[str, Any]] = []  # ("group", OrgUnit) | ("unit", OrgUnit)

    def set_matrix(self, matrix: ReviewMatrix) -> None:
        self.beginResetModel()
        self.matrix = matrix
        self._rows = []
        for group, units in matrix.groups:
            if len(matrix.groups) > 1 or group.code != units[0].code:
                self._rows.append(("group", group))
            self._rows += [("unit", unit) for unit in units]
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self.matrix is None:
            return 0
        return 1 + len(self.matrix.periods)

    def period(self, column: int) -> Period | None:
        if self.matrix is None or column < 1:
            return None
        return self.matrix.periods[column - 1]

    def cell(self, index: Index) -> ReviewCell | None:
        """The unit's cell at ``index`` (None on a prefecture row or the name column)."""
        if self.matrix is None or not index.isValid():
            return None
        kind, org = self._rows[index.row()]
        period = self.period(index.column())
        if kind != "unit" or period is None:
            return None
        return self.matrix.cell(org.code, period)

    def row_of(self, org_code: str) -> int:
        return next(i for i, (k, o) in enumerate(self._rows) if k == "unit" and o.code == org_code)

    def column_of(self, period: Period) -> int:
        assert self.matrix is not None
        return 1 + self.matrix.periods.index(period)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section == 0:
            return "单位"
        period = self.period(section)
        return period.label if period is not None else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self.matrix is None or not index.isValid():
            return None
        kind, org = self._rows[index.row()]
        period = self.period(index.column())
        if kind == "group":
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor("#eef1f5"))
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                if period is None:
                    return org.name
                expected = self.matrix.expected(period, org.code)
                handed = self.matrix.handed_in(period, org.code)
                if role == Qt.ItemDataRole.ToolTipRole:
                    return f"{org.name} {period.label}:{self.matrix.counts_text(period, org.code)}"
                return f"{handed}/{expected}" if expected else ""
            return None
        if period is None:
            if role == Qt.ItemDataRole.DisplayRole:
                return f"  {org.name}"
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{org.name}({org.code})"
            return None
        cell = self.matrix.cell(org.code, period)
        if cell is None:
            # The unit owes nothing this period (no station or point existed then).
            if role == Qt.ItemDataRole.DisplayRole:
                return EXEMPT_LABEL
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(EXEMPT_TEXT)
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{org.name}({org.code})· {period.label}:{EXEMPT_WHY}"
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return cell.label
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(COLOURS[cell.kind]))
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [f"{org.name}({org.code})· {period.label}:{cell.label}"]
            lines.append(f"报送期限:{cell.due:%Y-%m-%d}")
            if cell.reason:
                lines.append(f"原因:{cell.reason}")
            return "\n".join(lines)
        return None


def _skipped(cells: list[ReviewCell]) -> str:
    """What a step over a selection left alone, and why (a report not received, say)."""
    if not cells:
        return ""
    names = "、".join(f"{c.org.name}{c.period.label}({c.label})" for c in cells[:3])
    more = f"等 {len(cells)} 个" if len(cells) > 3 else ""
    return f"所选的 {names}{more}当前状态不能这样处理,未作改动。"


class ReviewPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        org = ctx.org
        self.scope = org.code if org is not None else "220000"
        self.done_text: str | None = None  # what the last accept or return said
        self.model = ReviewModel(self)
        self.title = QLabel("正在读取报送情况…")
        self.title.setWordWrap(True)
        # The 单位 column stays in view when the matrix scrolls sideways to old periods.
        self.table = FrozenColumnsTable(frozen_columns=1)
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.period_label = QLabel("点选一个报告期的单元格查看未收到的单位。")
        self.period_label.setWordWrap(True)
        self.missing_list = QListWidget()
        self.missing_list.setAccessibleName("未收到的单位")
        self.accept_button = QPushButton("接收所选(&A)")
        self.accept_button.setToolTip("接收所选的“已收到”报送(可多选)")
        self.accept_button.clicked.connect(self.accept_selected)
        self.return_button = QPushButton("退回所选(&R)…")
        self.return_button.setToolTip(
            "退回所选的报送,须填写原因;原因随下次导出的工作簿交给报送单位"
        )
        self.return_button.clicked.connect(self.ask_return)
        self.legend = QLabel(
            "  ".join(
                f"<span style='background:{COLOURS[kind]}'>&nbsp;{label}&nbsp;</span>"
                for kind, label in KIND_LABELS.items()
            )
            + f"  <span style='color:{EXEMPT_TEXT.name()}'>&nbsp;{EXEMPT_LABEL}&nbsp;</span>"
        )
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.period_label)
        side_layout.addWidget(self.missing_list, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.legend)
        buttons.addStretch(1)
        buttons.addWidget(self.accept_button)
        buttons.addWidget(self.return_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self._update_buttons()
        ctx.data_changed.connect(self._data_changed)
        self.loaded = False
        QTimer.singleShot(0, self, self.refresh)

    # -- loading -----------------------------------------------------------------

    def _data_changed(self, kinds: tuple[str, ...]) -> None:
        if not kinds or any(k in REVIEW_KINDS for k in kinds):
            self.refresh()

    def refresh(self) -> None:
        if self.ctx.closed:
            return
        task = BackgroundTask(_load, self.ctx.store.path, self.ctx.viewed_plan_id, self.scope)
        task.signals.done.connect(self._show)
        task.signals.failed.connect(self._failed)
        task.start()

    def _failed(self, exc: JlipError) -> None:
        show_error(self, exc)

    def _show(self, matrix: ReviewMatrix) -> None:
        selected = self.selected_cells()
        self.model.set_matrix(matrix)
        self.table.resizeColumnsToContents()
        self.loaded = True
        if matrix.periods:
            latest = matrix.periods[0]
            self.title.setText(
                f"<b>{matrix.scope.name} · 报送审核</b>  最近一期({latest.label}):"
                f"{matrix.counts_text(latest)}"
            )
        else:
            self.title.setText(f"<b>{matrix.scope.name} · 报送审核</b>  还没有到期的报告期。")
        # Keep the reviewer's place: the same units and periods stay selected.
        for cell in selected:
            self.select(cell.org.code, cell.period, clear=False)
        self._selection_changed()
        if not selected and matrix.periods:
            self.show_period(matrix.periods[0])  # the latest period, before any click

    # -- selection ---------------------------------------------------------------

    def select(self, org_code: str, period: Period, *, clear: bool = True) -> None:
        from PySide6.QtCore import QItemSelectionModel

        try:
            index = self.model.index(self.model.row_of(org_code), self.model.column_of(period))
        except (StopIteration, ValueError):
            return  # no longer in the matrix
        flags = QItemSelectionModel.SelectionFlag.Select
        if clear:
            flags |= QItemSelectionModel.SelectionFlag.Clear
        self.table.selectionModel().select(index, flags)
        if clear:
            self.table.scrollTo(index)

    def selected_cells(self) -> list[ReviewCell]:
        cells = [self.model.cell(i) for i in self.table.selectionModel().selectedIndexes()]
        return [c for c in cells if c is not None]

    def _selection_changed(self, *_args: object) -> None:
        self._update_buttons()
        matrix = self.model.matrix
        indexes = self.table.selectionModel().selectedIndexes()
        period = self.model.period(indexes[-1].column()) if indexes else None
        if matrix is None or period is None:
            return
        self.show_period(period)

    def show_period(self, period: Period) -> None:
        """The side panel: the period's counts and every unit that has not handed it in."""
        matrix = self.model.matrix
        if matrix is None:
            return
        missing = matrix.missing(period)
        chosen = self.selected_cells()
        detail = ""
        if len(chosen) == 1:
            one = chosen[0]
            detail = f"所选:{one.org.name} {one.period.label} {one.label}"
            if one.reason:
                detail += f",原因:{one.reason}"
            detail += "<br><br>"
        due_on = next((c.due for c in matrix.cells.values() if c.period == period), None)
        due = f"报送期限 {due_on}" if due_on else ""
        self.period_label.setText(
            f"{detail}<b>{period.label}</b>({due}):"
            f"{matrix.counts_text(period)}<br>未报送(含已退回)的单位 {len(missing)} 个:"
        )
        self.missing_list.clear()
        names = {g.code: g.name for g, _ in matrix.groups}
        for cell in missing:
            group = next((g for g, units in matrix.groups if cell.org in units), None)
            prefix = names.get(group.code, "") if group is not None else ""
            notes = [cell.label] if cell.kind == "returned" else []
            notes += ["逾期"] if cell.overdue else []
            late = f"({','.join(notes)})" if notes else ""
            self.missing_list.addItem(f"{prefix} · {cell.org.name}({cell.org.code}){late}")

    def _update_buttons(self) -> None:
        cells = self.selected_cells()
        self.accept_button.setEnabled(any(c.can_accept for c in cells))
        self.return_button.setEnabled(any(c.can_return for c in cells))

    # -- accept and return -------------------------------------------------------

    def accept_selected(self) -> None:
        chosen = self.selected_cells()
        cells = [c for c in chosen if c.can_accept]
        if not cells:
            return
        self._run(
            lambda store: accept_many(
                store, self.ctx.plan, [(c.org.code, c.period) for c in cells]
            ),
            f"已接收 {len(cells)} 份报送。" + _skipped([c for c in chosen if not c.can_accept]),
        )

    def ask_return(self) -> None:
        cells = [c for c in self.selected_cells() if c.can_return]
        if not cells:
            return
        names = "、".join(f"{c.org.name}{c.period.label}" for c in cells[:5])
        more = f"等 {len(cells)} 份" if len(cells) > 5 else ""
        prompt = f"退回 {names}{more}。\n请填写退回原因(将随下次导出的工作簿交给报送单位):"
        while True:
            reason, ok = QInputDialog.getMultiLineText(self, "退回报送", prompt)
            if not ok:
                return
            if reason.strip():
                break
            # Asked again, not dropped: the reviewer meant to return these.
            QMessageBox.warning(self, "退回报送", "退回必须填写原因。请填写原因,或点“取消”不退回。")
        self.return_selected(reason)

    def return_selected(self, reason: str) -> None:
        chosen = self.selected_cells()
        cells = [c for c in chosen if c.can_return]
        if not cells:
            return
        self._run(
            lambda store: return_many(
                store, self.ctx.plan, [(c.org.code, c.period) for c in cells], reason
            ),
            f"已退回 {len(cells)} 份报送。导出这些单位的工作簿时会附上退回原因。"
            + _skipped([c for c in chosen if not c.can_return]),
        )

    def _run(self, job: Any, done_text: str) -> None:
        self.accept_button.setEnabled(False)
        self.return_button.setEnabled(False)

        def done(_result: object) -> None:
            self.done_text = done_text
            window = self.window()
            status = getattr(window, "statusBar", None)
            if callable(status):
                status().showMessage(done_text, 10_000)

        def failed(exc: JlipError) -> None:
            self._update_buttons()
            show_error(self, exc, "审核未完成")

        self.ctx.writer.submit(job, kinds=(changes.PERIOD_STATUS,), on_done=done, on_error=failed)
