"""Table model over the rows of one form for one period, saving every accepted edit at once."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QUndoStack

from jlip_desk.errors import JlipError
from jlip_desk.periods import Period
from jlip_desk.plan.model import Field, Form, SubjectKind
from jlip_desk.services.entry import EntryRow, RowProblem, build_rows, period_problems
from jlip_desk.services.installation import can_edit
from jlip_desk.services.period_status import (
    PeriodLockedError,
    PeriodState,
    locked_message,
    statuses,
)
from jlip_desk.services.validator import FormHistory, check_rows, load_confirmations
from jlip_desk.store.cells import CellKey, StoredValue, read_row
from jlip_desk.ui import changes
from jlip_desk.ui.context import AppContext
from jlip_desk.ui.entry_commands import CellChange, EditCellsCommand, save_job
from jlip_desk.ui.errors import show_error
from jlip_desk.validation.values import allowed_text, format_number

Index = QModelIndex | QPersistentModelIndex

KEY_ROLE = Qt.ItemDataRole.UserRole + 1  # the row's CellKey
FIELD_ROLE = Qt.ItemDataRole.UserRole + 2  # the column's field id (None: a label column)
SEVERITY_ROLE = Qt.ItemDataRole.UserRole + 3  # "error", "warning" or None

ERROR_COLOUR = QColor("#f6c9c4")
WARNING_COLOUR = QColor("#fcecb8")
LOCKED_COLOUR = QColor("#ececec")
# Rows come to the view in batches, so a province-wide grid opens at once.
FETCH_BATCH = 40
EDIT_KIND = changes.ENTRY_CELLS


def display(value: StoredValue) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float):
        return format_number(value)
    return str(value)


class EntryModel(QAbstractTableModel):
    """Rows of ``form`` for one period; columns are label columns, then the form's fields."""

    problems_changed = Signal()
    # A write was refused because the period was handed in meanwhile (another window,
    # the command line): the page re-reads the period's state.
    state_stale = Signal()

    def __init__(self, ctx: AppContext, parent: Any = None):
        super().__init__(parent)
        self.ctx = ctx
        self.undo_stack = QUndoStack(self)
        self.form: Form | None = None
        self.period: Period | None = None
        self.scope = ""
        self._rows: list[EntryRow] = []
        self._row_of: dict[CellKey, int] = {}
        self._loaded = 0
        self._labels: list[tuple[str, str]] = []  # (header, "label" | "org" | "code")
        self._problems: dict[CellKey, list[RowProblem]] = {}
        self._states: dict[str, PeriodState] = {}
        self._editable_orgs: set[str] = set()
        self._pending = 0  # saves handed to the writer and not yet reported back
        # Org units edited since the page last recounted its period list.
        self.edited_orgs: set[str] = set()
        self._stale: set[CellKey] = set()

    # -- loading ------------------------------------------------------------

    def load(self, form: Form, scope: str, period: Period) -> None:
        store, plan = self.ctx.store, self.ctx.plan
        self.beginResetModel()
        self.form, self.scope, self.period = form, scope, period
        self._rows = build_rows(store, plan, form.id, scope, period)
        self._row_of = {row.key: i for i, row in enumerate(self._rows)}
        orgs = sorted({row.key.org_code for row in self._rows})
        self._labels = self._label_columns(form, len(orgs) > 1)
        self._states = statuses(store, plan.id, period, orgs)
        self._editable_orgs = {code for code in orgs if can_edit(store, code)}
        self._set_problems(period_problems(store, plan, form.id, scope, period, self._rows))
        self._loaded = min(FETCH_BATCH, len(self._rows))
        self.endResetModel()
        self.undo_stack.clear()
        self.problems_changed.emit()

    @staticmethod
    def _label_columns(form: Form, many_orgs: bool) -> list[tuple[str, str]]:
        columns = [("单位", "org")] if many_orgs or form.subject == SubjectKind.ORG else []
        if form.subject == SubjectKind.REGISTRY:
            columns += [("编码", "code"), ("名称", "label")]
        elif form.subject == SubjectKind.ITEMS:
            columns.append(("项目", "label"))
        return columns

    def _set_problems(self, problems: Sequence[RowProblem]) -> None:
        self._problems = {}
        for problem in problems:
            self._problems.setdefault(problem.key, []).append(problem)

    def problems(self) -> list[RowProblem]:
        return [p for row in self._rows for p in self._problems.get(row.key, [])]

    def set_state(self, org_code: str, state: PeriodState) -> None:
        self._states[org_code] = state
        if self._loaded:
            self.dataChanged.emit(
                self.index(0, 0), self.index(self._loaded - 1, self.columnCount() - 1)
            )

    def state(self, org_code: str) -> PeriodState:
        return self._states.get(org_code, PeriodState())

    # -- structure ----------------------------------------------------------

    @property
    def fields(self) -> tuple[Field, ...]:
        return self.form.fields if self.form else ()

    @property
    def first_field_column(self) -> int:
        return len(self._labels)

    def field_at(self, column: int) -> Field | None:
        i = column - len(self._labels)
        return self.fields[i] if 0 <= i < len(self.fields) else None

    def row(self, row: int) -> EntryRow:
        return self._rows[row]

    @property
    def saving(self) -> bool:
        """Whether saves are still on their way to the store."""
        return self._pending > 0

    def total_rows(self) -> int:
        """All rows of the period, fetched by the view or not yet."""
        return len(self._rows)

    def index_of(self, key: CellKey, field_id: str | None) -> QModelIndex:
        """The cell of ``key`` and ``field_id``, fetching rows up to it if needed."""
        row = self._row_of.get(key)
        if row is None:
            return QModelIndex()
        while row >= self._loaded and self.canFetchMore(QModelIndex()):
            self.fetchMore(QModelIndex())
        ids = [f.id for f in self.fields]
        column = len(self._labels) + ids.index(field_id) if field_id in ids else 0
        return self.index(row, column)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._loaded

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._labels) + len(self.fields)

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self._loaded < len(self._rows)

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid():
            return
        stop = min(len(self._rows), self._loaded + FETCH_BATCH)
        if stop <= self._loaded:
            return
        self.beginInsertRows(QModelIndex(), self._loaded, stop - 1)
        self._loaded = stop
        self.endInsertRows()

    def is_editable(self, row: int, column: int) -> bool:
        if self.field_at(column) is None or not 0 <= row < self._loaded:
            return False
        org = self._rows[row].key.org_code
        return org in self._editable_orgs and not self.state(org).locked

    def locked_reason(self, row: int, column: int) -> str | None:
        """Why the cell cannot be changed, in Chinese, with the next step (None: it can)."""
        if not 0 <= row < self._loaded or self.is_editable(row, column):
            return None
        if self.field_at(column) is None:
            header = self._labels[column][0] if 0 <= column < len(self._labels) else ""
            return f"“{header}”列不能在此修改;登记信息请在“登记册”页修改"
        org = self._rows[row].key.org_code
        state = self.state(org)
        if state.locked and self.period is not None:
            message, allowed = locked_message(self.ctx.store, org, self.period, state)
            return f"{message}。{allowed}"
        return f"{self._rows[row].org_name}的数据由该单位自己填报,本机只能查看"

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.is_editable(index.row(), index.column()):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        field = self.field_at(section)
        if role == Qt.ItemDataRole.DisplayRole:
            if field is None:
                return self._labels[section][0]
            # Unit on a second line keeps columns narrow enough for a 1366-pixel screen.
            return f"{field.label}\n({field.unit})" if field.unit else field.label
        if role == Qt.ItemDataRole.ToolTipRole and field is not None:
            return field.help or allowed_text(field)
        return None

    # -- cells --------------------------------------------------------------

    def _cell_problems(self, row: EntryRow, field_id: str | None) -> list[RowProblem]:
        return [p for p in self._problems.get(row.key, []) if p.field_id == field_id and p.open]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self._loaded:
            return None
        row = self._rows[index.row()]
        field = self.field_at(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if field is not None:
                return display(row.values.get(field.id))
            kind = self._labels[index.column()][1]
            return {"org": row.org_name, "code": row.key.subject, "label": row.label}[kind]
        if role == KEY_ROLE:
            return row.key
        if role == FIELD_ROLE:
            return field.id if field else None
        # Row-wide problems (a broken rule without a field, a closed station) mark the labels.
        problems = self._cell_problems(row, field.id if field else None)
        if role in (SEVERITY_ROLE, Qt.ItemDataRole.BackgroundRole):
            severity = None
            if problems:
                errors = any(p.severity == "error" for p in problems)
                severity = "error" if errors else "warning"
            if role == SEVERITY_ROLE:
                return severity
            if severity is not None:
                return QBrush(ERROR_COLOUR if severity == "error" else WARNING_COLOUR)
            if field is not None and not self.is_editable(index.row(), index.column()):
                return QBrush(LOCKED_COLOUR)
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if problems:
                return "\n".join(p.message for p in problems)
            return self.locked_reason(index.row(), index.column()) if field else None
        if role == Qt.ItemDataRole.TextAlignmentRole and field is not None and field.is_numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not self.is_editable(index.row(), index.column()):
            return False
        field = self.field_at(index.column())
        assert field is not None
        row = self._rows[index.row()]
        text = "" if value is None else str(value)
        if text == display(row.values.get(field.id)):
            return False
        old = row.values.get(field.id)
        change = CellChange(row.key, field.id, old, text)
        self.undo_stack.push(EditCellsCommand(self, [change], f"修改“{field.label}”"))
        return True

    def push_changes(self, changes: list[CellChange], text: str) -> None:
        """One undo step for many cells (a pasted block, a cleared selection)."""
        if changes:
            self.undo_stack.push(EditCellsCommand(self, changes, text))

    # -- writing (called by the undo commands) -------------------------------

    def write(self, values: list[tuple[CellKey, str, object]]) -> None:
        """Show ``values`` at once and hand them to the writer thread in one transaction."""
        assert self.form is not None and self.period is not None
        touched: dict[CellKey, dict[str, object]] = {}
        for key, field_id, value in values:
            touched.setdefault(key, {})[field_id] = value
        for key, raw in touched.items():
            row = self._row_of.get(key)
            if row is not None:
                shown = {f: None if v == "" else v for f, v in raw.items()}
                merged = {**self._rows[row].values, **shown}
                self._rows[row] = dataclasses.replace(self._rows[row], values=merged)  # type: ignore[arg-type]
                self._row_changed(row)
        self.edited_orgs.update(key.org_code for key in touched)
        job = save_job(self.ctx.plan, self.form.id, self.period, touched)
        self._pending += 1
        self._stale.update(touched)
        self.ctx.writer.submit(
            job,
            kinds=(EDIT_KIND,),
            on_done=lambda _result: self._written(None),
            on_error=self._written,
        )

    def _written(self, exc: JlipError | None) -> None:
        self._pending -= 1
        if self._pending == 0:
            # Re-read only once the queue is drained, or an earlier save's result would
            # briefly replace values typed since.
            keys, self._stale = list(self._stale), set()
            self.refresh_rows(keys)
        if exc is not None:
            if isinstance(exc, PeriodLockedError):
                self.state_stale.emit()
            show_error(None, exc, "修改未保存")

    def refresh_rows(self, keys: list[CellKey]) -> None:
        """Re-read rows from the store and check them again (after a write)."""
        if self.form is None or self.period is None:
            return
        rows = [self._row_of[k] for k in keys if k in self._row_of]
        store, plan = self.ctx.store, self.ctx.plan
        for i in rows:
            values = read_row(store, self._rows[i].key)
            self._rows[i] = dataclasses.replace(self._rows[i], values=values)
        orgs = sorted({self._rows[i].key.org_code for i in rows})
        history = FormHistory(store, plan.id, self.form.id, orgs)
        confirmations = load_confirmations(store, plan.id, self.form.id, orgs)
        fresh = check_rows(
            self.form, [self._rows[i] for i in rows], self.period, history, confirmations
        )
        for i in rows:
            self._problems.pop(self._rows[i].key, None)
        for problem in fresh:
            self._problems.setdefault(problem.key, []).append(problem)
        for i in rows:
            self._row_changed(i)
        self.problems_changed.emit()

    def _row_changed(self, row: int) -> None:
        if row < self._loaded:
            self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
