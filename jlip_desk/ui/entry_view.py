"""The entry grid: keyboard first (Tab/Enter move on, typing replaces, paste, undo, Delete)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QStyledItemDelegate,
    QWidget,
)

from jlip_desk.ui.entry_commands import CellChange, paste_changes
from jlip_desk.ui.entry_model import FIELD_ROLE, KEY_ROLE, EntryModel
from jlip_desk.ui.frozen_columns import FrozenColumnsTable

HISTORY_SHORTCUT = "F8"
_NEXT = (QAbstractItemView.CursorAction.MoveNext, QAbstractItemView.CursorAction.MovePrevious)


class _KeepTypingDelegate(QStyledItemDelegate):
    """Fills an editor once: rows re-read after a save must not wipe what is being typed."""

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        if editor.property("entry_filled"):
            return
        super().setEditorData(editor, index)
        editor.setProperty("entry_filled", True)


class EntryView(FrozenColumnsTable):
    """Edits go through the model's undo stack; ``history_requested`` asks for a cell's log.

    The label columns (编码, 名称) are frozen: they stay in view when the grid scrolls
    sideways.

    ``history_requested(key, field, title)``: the CellKey of the row, the field id
    (None for the row as a whole) and a Chinese title for the history panel.
    """

    history_requested = Signal(object, object, str)
    # An attempt to change a cell that cannot be changed, with the reason (locked period…).
    edit_refused = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setWordWrap(False)
        self.setItemDelegate(_KeepTypingDelegate(self))
        self.setAlternatingRowColors(False)
        self.history_action = QAction("查看修改历史", self)
        self.history_action.setShortcut(QKeySequence(HISTORY_SHORTCUT))
        self.history_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.history_action.triggered.connect(self.request_history)
        self.addAction(self.history_action)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def frozen_column_count(self) -> int:
        model = self.model()
        return getattr(model, "first_field_column", 0) if model is not None else 0

    def entry_model(self) -> EntryModel:
        model = self.model()
        assert isinstance(model, EntryModel)
        return model

    # -- moving -------------------------------------------------------------

    def next_cell(self, index: QModelIndex, backwards: bool = False) -> QModelIndex:
        """The next (or previous) field cell in reading order, past the label columns."""
        model = self.entry_model()
        first, last = model.first_field_column, model.columnCount() - 1
        row, column = index.row(), index.column()
        if last < first:
            return index
        if row < 0:
            return model.index(0, first)
        if backwards:
            if column > first:
                return model.index(row, column - 1)
            return model.index(row - 1, last) if row > 0 else index
        if column < first:
            return model.index(row, first)
        if column < last:
            return model.index(row, column + 1)
        if row + 1 >= model.rowCount() and model.canFetchMore(QModelIndex()):
            model.fetchMore(QModelIndex())
        return model.index(row + 1, first) if row + 1 < model.rowCount() else index

    def moveCursor(
        self, cursorAction: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        if cursorAction in _NEXT and self.model() is not None:
            backwards = cursorAction == QAbstractItemView.CursorAction.MovePrevious
            return self.next_cell(self.currentIndex(), backwards)
        return super().moveCursor(cursorAction, modifiers)

    def move_next(self) -> None:
        target = self.next_cell(self.currentIndex())
        if target.isValid():
            self.setCurrentIndex(target)

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        moves = {
            QAbstractItemDelegate.EndEditHint.SubmitModelCache: False,  # Enter
            QAbstractItemDelegate.EndEditHint.EditNextItem: False,  # Tab
            QAbstractItemDelegate.EndEditHint.EditPreviousItem: True,  # Shift+Tab
        }
        if hint not in moves:
            super().closeEditor(editor, hint)
            return
        # Like a spreadsheet: commit and move on without opening an editor there, so
        # typing in the next cell replaces its content.
        super().closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
        target = self.next_cell(self.currentIndex(), moves[hint])
        if target.isValid():
            self.setCurrentIndex(target)

    # -- keys ---------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.state() != QAbstractItemView.State.EditingState:
            target = self._edit_target(event)
            if target is not None and self.refuse_edit(target):
                event.accept()
                return
            if self._handle_key(event):
                event.accept()
                return
        super().keyPressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        index = self.indexAt(event.position().toPoint())
        if index.isValid() and self.refuse_edit(index):
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def _edit_target(self, event: QKeyEvent) -> QModelIndex | None:
        """The cell the key would change (typing, F2, Delete, paste); None: it changes none."""
        if self.model() is None:
            return None
        current = self.currentIndex()
        model = self.entry_model()
        if event.matches(QKeySequence.StandardKey.Paste):
            # A block pasted on a label column lands on the first field.
            return current.siblingAtColumn(max(current.column(), model.first_field_column))
        if event.key() == Qt.Key.Key_Delete:
            cells = self.selectedIndexes() or [current]
            if any(model.is_editable(i.row(), i.column()) for i in cells):
                return None
            fields = [i for i in cells if model.field_at(i.column()) is not None]
            return fields[0] if fields else current
        plain = not event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        )
        typed = plain and bool(event.text()) and event.text().isprintable()
        return current if typed or event.key() == Qt.Key.Key_F2 else None

    def refuse_edit(self, index: QModelIndex) -> bool:
        """Say why ``index`` cannot be changed (``edit_refused``: the window's status bar)."""
        if self.model() is None or not index.isValid():
            return False
        reason = self.entry_model().locked_reason(index.row(), index.column())
        if reason is None:
            return False
        self.edit_refused.emit(reason)
        return True

    def _handle_key(self, event: QKeyEvent) -> bool:
        if self.model() is None:
            return False
        stack = self.entry_model().undo_stack
        ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste()
        elif event.matches(QKeySequence.StandardKey.Undo):
            stack.undo()
        elif event.matches(QKeySequence.StandardKey.Redo) or (ctrl and event.key() == Qt.Key.Key_Y):
            stack.redo()
        elif event.key() == Qt.Key.Key_Delete:
            self.clear_selection()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.move_next()
        else:
            return False
        return True

    # -- editing blocks ------------------------------------------------------

    def paste(self) -> None:
        """Paste a block copied from Excel/WPS with its top-left at the current cell."""
        text = QGuiApplication.clipboard().text()
        current = self.currentIndex()
        if not text or not current.isValid():
            return
        model = self.entry_model()
        column = max(current.column(), model.first_field_column)
        changes = paste_changes(model, current.row(), column, text)
        model.push_changes(changes, f"粘贴{len(changes)}个单元格")

    def clear_selection(self) -> None:
        model = self.entry_model()
        changes = []
        for index in self.selectedIndexes() or [self.currentIndex()]:
            field = model.field_at(index.column())
            if field is None or not model.is_editable(index.row(), index.column()):
                continue
            row = model.row(index.row())
            if row.values.get(field.id) is not None:
                changes.append(CellChange(row.key, field.id, row.values[field.id], ""))
        model.push_changes(changes, f"清除{len(changes)}个单元格")

    def request_history(self) -> None:
        index = self.currentIndex()
        if not index.isValid():
            return
        model = self.entry_model()
        field = model.field_at(index.column())
        row = model.row(index.row())
        title = f"{row.label} · {field.label}" if field else row.label
        self.history_requested.emit(index.data(KEY_ROLE), index.data(FIELD_ROLE), title)

    def select_cell(self, index: QModelIndex) -> None:
        """Make ``index`` current and visible (jumping from the problem list)."""
        self.setCurrentIndex(index)
        self.scrollTo(index)
        self.setFocus()
