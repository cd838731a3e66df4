"""The Edit menu and toolbar: undo and redo act on the page shown (the entry grid's edits)."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence, QUndoGroup, QUndoStack
from PySide6.QtWidgets import QMainWindow, QMenu, QStyle, QToolBar, QWidget


class EditActions:
    """撤销/恢复 in the 编辑 menu and the toolbar, on the undo stack of the page shown.

    A page with an ``undo_stack`` attribute (the entry page) takes part; on other
    pages both actions are disabled. The actions are the undo group's own, so their
    text names the step ("撤销 修改“接待咨询”") and Qt keeps them up to date.
    """

    def __init__(self, window: QMainWindow, menu: QMenu, toolbar: QToolBar):
        self.group = QUndoGroup(window)
        self.undo: QAction = self.group.createUndoAction(window, "撤销")
        self.redo: QAction = self.group.createRedoAction(window, "恢复")
        style = window.style()
        self.undo.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowBack))
        self.redo.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowForward))
        self.undo.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Undo))
        # Ctrl+Y as in Excel and WPS, besides the platform's own redo key.
        self.redo.setShortcuts(
            [QKeySequence("Ctrl+Y"), *QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)]
        )
        self.undo.setToolTip("撤销上一次修改(Ctrl+Z)")
        self.redo.setToolTip("恢复刚撤销的修改(Ctrl+Y)")
        menu.addActions([self.undo, self.redo])
        first = toolbar.actions()[0] if toolbar.actions() else None
        toolbar.insertActions(first, [self.undo, self.redo])  # type: ignore[arg-type]
        if first is not None:
            toolbar.insertSeparator(first)

    def page_shown(self, page: QWidget) -> None:
        stack = getattr(page, "undo_stack", None)
        if isinstance(stack, QUndoStack):
            if stack not in self.group.stacks():
                self.group.addStack(stack)
            self.group.setActiveStack(stack)
        else:
            self.group.setActiveStack(None)  # type: ignore[arg-type]
