"""The 计划 menu: load the next plan (after a preview of what it changes) and choose
which loaded plan the window shows.

A plan comes from a plan file (``.toml``) or from a workbook that carries one. The
preview lists what changes against the active plan; nothing is loaded until the
user confirms. Loading, or choosing another plan to look at, opens the window
again: every page, cache and undo step of the old window belonged to the old plan.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from jlip_desk.errors import JlipError
from jlip_desk.ui.errors import show_error

if TYPE_CHECKING:
    from jlip_desk.plan.model import Plan
    from jlip_desk.services.plans import PlanPreview
    from jlip_desk.store.database import Store
    from jlip_desk.ui.main_window import MainWindow

# The menu is built with the window, but plans are read only when it opens: the window
# shows before any plan file is parsed.

log = logging.getLogger(__name__)

PLAN_FILE_FILTER = "计划定义或工作簿 (*.toml *.xlsx);;计划定义文件 (*.toml);;工作簿 (*.xlsx)"


class PlanPreviewDialog(QDialog):
    """What loading a plan changes, with 载入 and 取消 (Cancel is the default)."""

    def __init__(self, preview: PlanPreview, parent: QWidget | None = None):
        super().__init__(parent)
        self.preview = preview
        self.setWindowTitle("载入计划")
        self.setObjectName("planPreviewDialog")
        self.resize(760, 520)
        headline = QLabel(preview.headline)
        headline.setWordWrap(True)
        headline.setStyleSheet("font-weight: bold;")
        self.changes = QPlainTextEdit(preview.body())
        self.changes.setReadOnly(True)
        self.changes.setObjectName("planChanges")
        note = QLabel(
            "载入后窗口会重新打开。已填报的数据不会改动;登记册按编号延续。"
            if not preview.already_loaded
            else "此计划已在本机载入,确认后切换为当前计划。"
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("载入计划(&L)")
        ok.setAutoDefault(False)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(headline)
        layout.addWidget(QLabel("与当前计划相比的变化:"))
        layout.addWidget(self.changes, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)


def confirm_plan(parent: QWidget | None, store: Store, plan: Plan) -> bool:
    """Show what ``plan`` changes against the active plan; True when the user confirms."""
    from jlip_desk.services.plans import preview_plan

    dialog = PlanPreviewDialog(preview_plan(store, plan), parent)
    return dialog.exec() == QDialog.DialogCode.Accepted


def choose_plan_file(window: MainWindow) -> None:
    """菜单“计划 → 载入计划…”: a plan file or a workbook, its preview, then loading."""
    name, _ = QFileDialog.getOpenFileName(window, "载入计划", "", PLAN_FILE_FILTER)
    if name:
        load_plan_from(window, Path(name))


def load_plan_from(window: MainWindow, path: Path) -> None:
    from jlip_desk.services.plans import activates, read_plan_file
    from jlip_desk.store.plans import save_plan

    try:
        plan = read_plan_file(path)
    except JlipError as exc:
        show_error(window, exc, "无法载入计划")
        return
    if not confirm_plan(window, window.ctx.store, plan):
        return
    # A plan becomes active only when it is later than the active plan (an ended plan
    # loaded again is stored, never switched back to).
    activate = activates(window.ctx.store, plan)

    def job(store: Store) -> bool:
        return save_plan(store, plan, activate=activate)

    def done(_changed: object) -> None:
        log.info("loaded plan %s %s from %s", plan.id, plan.version, path)
        loaded = f"已载入“{plan.name}”({plan.version} 版)"
        if not activate:
            QMessageBox.information(
                window, "载入计划", f"{loaded};仍使用当前计划,可在“计划 → 查看计划”中查看。"
            )
            return
        QMessageBox.information(window, "载入计划", f"{loaded}。窗口将重新打开。")
        window.reopen_on_plan(None)

    window.ctx.writer.submit(
        job, on_done=done, on_error=lambda exc: show_error(window, exc, "无法载入计划")
    )


def _plan_label(plan: Plan, active: Plan) -> str:
    text = f"{plan.name}({plan.start_year}–{plan.end_year}年,{plan.version} 版)"
    return text + (" — 当前计划" if plan.id == active.id else "")


def install_plan_menu(window: MainWindow) -> QMenu:
    """Add 计划(&P) before the Help menu: 载入计划…, then the loaded plans to look at."""
    menu = QMenu("计划(&P)", window)
    menu.setObjectName("planMenu")
    load = QAction("载入计划(&L)…", menu)
    load.setObjectName("actionLoadPlan")
    load.setToolTip("打开计划定义文件或附带计划定义的工作簿,查看变化后载入")
    load.triggered.connect(lambda: choose_plan_file(window))
    menu.addAction(load)
    menu.addSection("查看计划")
    group = QActionGroup(menu)
    group.setExclusive(True)
    menu.aboutToShow.connect(lambda: _list_plans(window, menu, group))
    window.menuBar().insertMenu(window.ui.helpMenu.menuAction(), menu)
    return menu


def _list_plans(window: MainWindow, menu: QMenu, group: QActionGroup) -> None:
    """The loaded plans, each a choice of what the window shows (rebuilt on each opening)."""
    from jlip_desk.store.plans import active_plan, loaded_plans

    for action in group.actions():
        group.removeAction(action)
        menu.removeAction(action)
    store = window.ctx.store
    active, shown = active_plan(store), window.ctx.plan
    for plan in sorted(loaded_plans(store), key=lambda p: p.start_year):
        action = QAction(_plan_label(plan, active), menu)
        action.setCheckable(True)
        action.setChecked(plan.id == shown.id)
        action.setData(plan.id)
        group.addAction(action)
        menu.addAction(action)
        action.triggered.connect(
            lambda _checked=False, plan_id=plan.id: _show_plan(window, plan_id, active.id)
        )


def _show_plan(window: MainWindow, plan_id: str, active_id: str) -> None:
    if plan_id != window.ctx.plan.id:
        window.reopen_on_plan(None if plan_id == active_id else plan_id)
