"""The main window: navigation on the left, one page per task on the right."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, QThreadPool, QTimer, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QPaintEvent, QShowEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QDialog, QMainWindow, QWidget

from jlip_desk import __version__, paths
from jlip_desk.ui.context import AppContext
from jlip_desk.ui.edit_actions import EditActions
from jlip_desk.ui.forms.ui_main_window import Ui_MainWindow
from jlip_desk.ui.help_dialogs import HelpActions

if TYPE_CHECKING:
    from jlip_desk.ui.history_panel import HistoryDock

# Qt.ItemDataRole.UserRole + 1, spelt as a number: touching the Qt namespace makes
# PySide build all its enums (15 ms), which the window need not wait for.
PAGE_KEY_ROLE = 0x0100 + 1

PageFactory = Callable[[AppContext], QWidget]

log = logging.getLogger(__name__)


def _lazy(module: str, name: str) -> PageFactory:
    """A factory importing its page's module only when the page is first shown."""

    def build(ctx: AppContext) -> QWidget:
        page: QWidget = getattr(importlib.import_module(module), name)(ctx)
        return page

    return build


def default_pages() -> list[tuple[str, str, PageFactory]]:
    """(key, Chinese title, factory) for every navigation entry, in order."""
    return [
        ("overview", "进度概览", _lazy("jlip_desk.ui.overview_page", "OverviewPage")),
        ("dashboard", "进度图表", _lazy("jlip_desk.ui.dashboard_page", "DashboardPage")),
        ("registries", "登记册", _lazy("jlip_desk.ui.registry_page", "RegistryPage")),
        ("entry", "数据填报", _lazy("jlip_desk.ui.entry_page", "EntryPage")),
        ("exchange", "导入导出", _lazy("jlip_desk.ui.exchange_page", "ExchangePage")),
        ("review", "报送审核", _lazy("jlip_desk.ui.review_page", "ReviewPage")),
    ]


# Pages only an installation that receives others' reports has (province, prefecture).
SUPERIOR_PAGES = frozenset({"review"})


class MainWindow(QMainWindow):
    page_shown = Signal(str)

    def __init__(self, ctx: AppContext, pages: list[tuple[str, str, PageFactory]] | None = None):
        super().__init__()
        self.ctx = ctx
        self.ui = Ui_MainWindow()
        self.ui.setupUi(self)
        org = ctx.org
        title = f"JLIP Desk {__version__}"
        if org is not None:
            title += f" — {org.name}({org.code})"
        viewed = ctx.viewed_plan_id
        if viewed is not None:  # another loaded plan than the active one, to look at
            title += f" — 查看:{ctx.plan.name}"
        self.setWindowTitle(title)
        self.nav_model = QStandardItemModel(self)
        self.ui.navView.setModel(self.nav_model)
        # Pages are built on first visit: start-up pays only for the page shown.
        self.factories: dict[str, PageFactory] = {}
        self.pages: dict[str, QWidget] = {}
        county = org is None or org.level == "county"
        for key, name, factory in pages or default_pages():
            if county and key in SUPERIOR_PAGES:
                continue
            self.factories[key] = factory
            item = QStandardItem(name)
            item.setData(key, PAGE_KEY_ROLE)
            item.setEditable(False)
            self.nav_model.appendRow(item)
        self.ui.navView.selectionModel().currentChanged.connect(
            lambda current, _previous: self.show_page(current.data(PAGE_KEY_ROLE))
        )
        self.ui.splitter.setStretchFactor(1, 1)
        self.ui.splitter.setSizes([170, 1100])
        self.ui.actionQuit.triggered.connect(self.close)
        self.ui.actionCheckStore.triggered.connect(self.check_store)
        self.ui.actionBackup.triggered.connect(self.backup)
        self.ui.actionRestore.triggered.connect(self.restore_backup)
        self.ui.actionOpenDataFolder.triggered.connect(self.open_data_folder)
        self.ui.actionAbout.triggered.connect(self.about)
        from jlip_desk.ui.plan_menu import install_plan_menu

        self.plan_menu = install_plan_menu(self)
        self.edit_actions = EditActions(self, self.ui.editMenu, self.ui.editToolBar)
        self.help_actions = HelpActions(self, self.ui.actionGuide, self.ui.actionShortcuts)
        self._history_dock: HistoryDock | None = None
        self._first_page: str | None = None  # built after the first paint
        self._restore_state()
        QTimer.singleShot(500, ctx.writer.warm_up)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._first_page is not None:
            QTimer.singleShot(0, self, self._show_first_page)

    def _show_first_page(self) -> None:
        first, self._first_page = self._first_page, None
        if first is not None and not self.current_page():
            self.show_page(first)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Offscreen or minimised windows may never paint: build the page soon anyway.
        QTimer.singleShot(100, self, self._show_first_page)

    def page(self, key: str) -> QWidget:
        """The page for ``key``, built now if it was never shown."""
        widget = self.pages.get(key)
        if widget is None:
            widget = self.factories[key](self.ctx)
            self.pages[key] = widget
            self.ui.pages.addWidget(widget)
            requests = getattr(widget, "history_requested", None)
            if requests is not None:
                # Pages ask for a record's history (code) or a cell's (key, field, title).
                requests.connect(self.show_history)
            messages = getattr(widget, "status_message", None)
            if messages is not None:  # a page's passing word (why a cell cannot change)
                messages.connect(lambda text: self.statusBar().showMessage(text, 15_000))
        return widget

    @property
    def history_dock(self) -> HistoryDock:
        """The change-log dock, made when first needed (it is hidden until then)."""
        if self._history_dock is None:
            from PySide6.QtCore import Qt

            from jlip_desk.ui.history_panel import make_history_dock

            self._history_dock = make_history_dock(self.ctx)
            self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self._history_dock)
        return self._history_dock

    def show_history(self, target: object, field: object = None, title: str = "") -> None:
        """Show a record's history (``target`` is its code) or a cell's (a CellKey)."""
        from jlip_desk.store.cells import CellKey

        if isinstance(target, str):
            self.history_dock.show_record(target)
        elif isinstance(target, CellKey):
            self.history_dock.show_cell(target, field if isinstance(field, str) else None, title)

    def show_page(self, key: str) -> None:
        if key not in self.factories:
            return
        self._first_page = None
        self.ui.pages.setCurrentWidget(self.page(key))
        self.edit_actions.page_shown(self.page(key))
        row = list(self.factories).index(key)
        index = self.nav_model.index(row, 0)
        if self.ui.navView.currentIndex() != index:
            self.ui.navView.setCurrentIndex(index)
        QSettings().setValue("main/page", key)
        self.page_shown.emit(key)

    def current_page(self) -> str:
        widget = self.ui.pages.currentWidget()
        return next((k for k, w in self.pages.items() if w is widget), "")

    def _restore_state(self) -> None:
        settings = QSettings()
        geometry = settings.value("main/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 720)
        page = settings.value("main/page")
        known = isinstance(page, str) and page in self.factories
        first = page if known else next(iter(self.factories))
        # The window paints first (navigation, menus, title); the page is built right
        # after that first paint, so people see the program at once.
        selection = self.ui.navView.selectionModel()
        selection.blockSignals(True)
        self.ui.navView.setCurrentIndex(self.nav_model.index(list(self.factories).index(first), 0))
        selection.blockSignals(False)
        self._first_page = first

    def closeEvent(self, event: QCloseEvent) -> None:
        QSettings().setValue("main/geometry", self.saveGeometry())
        # Every accepted edit is already queued; wait for the writer to commit it.
        if not self.ctx.closed:
            self.ctx.writer.wait_idle(30)
        super().closeEvent(event)

    def open_data_folder(self) -> None:
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(paths.data_dir())))

    def check_store(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from jlip_desk.services.check import check_store

        report = check_store(self.ctx.store)
        icon = QMessageBox.Icon.Information if report.ok else QMessageBox.Icon.Warning
        QMessageBox(
            icon, "数据完整性检查", report.text(), QMessageBox.StandardButton.Ok, self
        ).exec()

    def backup(self) -> None:
        target = self.ctx.store.backup(reason="manual")
        self.statusBar().showMessage(f"已备份到 {target}", 10_000)

    def restore_backup(self) -> None:
        """Restore a backup: the window lets go of the store, then opens again on it.

        ``reopen_requested`` tells the start-up loop (ui/app.py) to build a fresh
        window on the restored store: every page, cache and undo step of the old
        one belonged to the data before the restore.
        """
        from PySide6.QtWidgets import QMessageBox

        from jlip_desk.ui.restore_dialog import RestoreDialog

        answer = QMessageBox.question(
            self,
            "从备份恢复",
            "恢复备份需要先关闭当前数据库;恢复后窗口会重新打开。"
            "恢复前会先把当前数据库另存一份备份。继续吗?",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.ctx.writer.wait_idle(30)
        QThreadPool.globalInstance().waitForDone(10_000)
        self.ctx.close()
        dialog = RestoreDialog(self)
        restored = dialog.exec() == QDialog.DialogCode.Accepted and dialog.restored is not None
        if restored and dialog.restored is not None:
            log.info("restored %s from the window", dialog.restored.source)
            QMessageBox.information(
                self,
                "从备份恢复",
                f"已从备份恢复({dialog.restored.contents.text()})。窗口将重新打开恢复后的数据。",
            )
        self.reopen_requested = True
        self.close()

    reopen_requested = False
    reopen_plan: str | None = None  # the plan the reopened window shows (None: active)

    def reopen_on_plan(self, plan_id: str | None) -> None:
        """Close and open the window again on ``plan_id`` (None: the active plan)."""
        self.reopen_plan = plan_id
        self.reopen_requested = True
        self.close()

    def about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        plan = self.ctx.plan
        QMessageBox.about(
            self,
            "关于 JLIP Desk",
            f"<h3>JLIP Desk {__version__}</h3><p>吉林省知识产权规划填报与进度监测工具</p>"
            f"<p>当前计划:{plan.name}(版本 {plan.version})</p><p>数据文件夹:{paths.data_dir()}</p>",
        )
