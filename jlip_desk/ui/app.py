"""Start the GUI: Qt application, Chinese translations, crash handling, store, first run."""

from __future__ import annotations

import faulthandler
import logging
import os
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from PySide6.QtCore import QLibraryInfo, QLocale, QSettings, QThreadPool, QTimer, QTranslator
from PySide6.QtWidgets import QApplication

from jlip_desk import __version__, paths
from jlip_desk.errors import JlipError
from jlip_desk.log import setup_logging
from jlip_desk.services.installation import bind, bound_org, open_store

if TYPE_CHECKING:
    from jlip_desk.store.database import Store
    from jlip_desk.ui.main_window import MainWindow

log = logging.getLogger(__name__)


# Qt's catalogues (Qt's translations folder), then ours for what they leave in English.
QT_CATALOGUES = ("qtbase_zh_CN",)
OWN_CATALOGUES = ("jlip_qt_zh_CN",)


def chinese_system_dates() -> None:
    """Linux with a non-Chinese locale: Qt's file dialog dates read 2026/12/2, not 2 12 2026.

    The file dialog formats dates in the *system* locale, which Qt reads from the
    environment once, when the application starts: so this runs before it does.
    """
    if not sys.platform.startswith("linux") or os.environ.get("LC_ALL"):
        return  # LC_ALL set: the user chose every category on purpose
    time = os.environ.get("LC_TIME") or os.environ.get("LANG") or ""
    if not time.startswith("zh"):
        os.environ["LC_TIME"] = "zh_CN.UTF-8"


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with names, settings in the data folder and zh_CN translations."""
    existing = QApplication.instance()
    if existing is None:
        chinese_system_dates()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv[:1])
    app.setOrganizationName(paths.ORG_NAME)
    app.setApplicationName(paths.APP_NAME)
    app.setApplicationVersion(__version__)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(paths.data_dir()))
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    install_translations(app)
    style = paths.ui_dir() / "app.qss"
    if style.exists():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    return app


def install_translations(app: QApplication) -> bool:
    """Every zh_CN catalogue Qt's dialogs need, so stock dialogs say 确定/取消/查找范围.

    Installed once per application (a second call finds them installed). False when
    one is missing.
    """
    if app.property("jlip_translations"):
        return True
    own = str(paths.resources_dir() / "translations")
    folders = [QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath), own]
    found = True
    for name in (*QT_CATALOGUES, *OWN_CATALOGUES):
        translator = QTranslator(app)
        if any(translator.load(name, folder) for folder in folders):
            app.installTranslator(translator)
        else:
            log.warning("Qt zh_CN translation not found: %s in %s", name, folders)
            found = False
    app.setProperty("jlip_translations", True)
    return found


def no_display_reason() -> str | None:
    """Why no window can open here (Linux with no display), in one line; None when it can.

    Qt would abort with its own English "could not connect to display" instead.
    """
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        "没有可用的图形显示(未设置 DISPLAY 或 WAYLAND_DISPLAY),无法打开窗口;"
        "命令行不需要显示,可用 jlip-desk --help 查看各命令"
    )


def run_gui() -> int:
    reason = no_display_reason()
    if reason is not None:
        if sys.stderr is not None:
            print(f"错误:{reason}", file=sys.stderr)
        return 1
    log_path = setup_logging()
    _enable_faulthandler(log_path)
    from jlip_desk.ui.errors import install_excepthooks

    app = create_application()
    install_excepthooks()
    log.info("JLIP Desk %s starting, data folder %s", __version__, paths.data_dir())
    from jlip_desk.ui.folder_lock import claim_data_folder

    go_on, lock = claim_data_folder()
    if not go_on:
        return 0
    try:
        return _run_window(app)
    finally:
        if lock is not None:
            lock.unlock()


def _run_window(app: QApplication) -> int:
    store = _open_or_restore()
    if store is None:
        return 1
    if store.info.backup:
        log.info("store migrated; backup at %s", store.info.backup)
    if bound_org(store) is None:
        from PySide6.QtWidgets import QDialog

        from jlip_desk.ui.first_run import FirstRunDialog

        dialog = FirstRunDialog(store)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.selected_org() is None:
            store.close()
            return 0
        org = dialog.selected_org()
        assert org is not None
        bind(store, org.code)
        QSettings().setValue("main/page", "registries" if org.level == "county" else "overview")
    plan_id: str | None = None
    while True:
        window = build_main_window(store, plan_id)
        if os.environ.get(STARTUP_PROBE):
            _install_startup_probe(window)
        window.show()
        code = app.exec()
        # Background reads finish before their connections and signals go away.
        QThreadPool.globalInstance().waitForDone(10_000)
        if not window.ctx.closed:
            window.ctx.close()
        if not window.reopen_requested:
            return code
        # After a restore: a new window on the restored store (or on the same one
        # when the user chose not to restore after all); after loading a plan or
        # choosing another to look at, a new window on that plan.
        plan_id = window.reopen_plan
        window.deleteLater()
        reopened = _open_or_restore()
        if reopened is None:
            return 1
        store = reopened


def _open_or_restore() -> Store | None:
    """Open the store; a damaged or emptied one is never used, a backup is offered instead."""
    from jlip_desk.errors import StoreError
    from jlip_desk.services.backup import newest_good
    from jlip_desk.ui.errors import show_error

    try:
        return open_store()
    except StoreError as exc:
        if newest_good() is None:
            show_error(None, exc, "无法打开数据库")
            return None
        from PySide6.QtWidgets import QDialog

        from jlip_desk.ui.restore_dialog import RestoreDialog

        dialog = RestoreDialog(None, why=f"数据库无法使用:{exc}")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
    except JlipError as exc:
        show_error(None, exc, "无法打开数据库")
        return None
    try:
        return open_store()
    except JlipError as exc:
        show_error(None, exc, "无法打开数据库")
        return None


STARTUP_PROBE = "JLIP_DESK_STARTUP_PROBE"


def _install_startup_probe(window: MainWindow) -> None:
    """benchmarks/startup.py: say when the window first paints and when its page is ready.

    Prints ``shown`` at the main window's first paint and ``ready`` once the first
    page is built, then quits: the real start-up path, measured from outside.
    """
    from PySide6.QtCore import QEvent, QObject

    class Probe(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                print("shown", flush=True)
                watched.removeEventFilter(self)
            return False

    probe = Probe(window)
    window.installEventFilter(probe)

    def ready(_key: str) -> None:
        print("ready", flush=True)
        QTimer.singleShot(0, window.close)

    window.page_shown.connect(ready)


def build_main_window(store: Store, plan_id: str | None = None) -> MainWindow:
    """The main window on ``store``, showing the plan ``plan_id`` (None: the active one)."""
    from jlip_desk.ui.context import AppContext
    from jlip_desk.ui.main_window import MainWindow

    return MainWindow(AppContext(store, plan_id))


def _enable_faulthandler(log_path: Path | None) -> None:
    """Hard crashes (in Qt or SQLite) leave a Python stack in the logs folder.

    A windowed program has no stderr, so the fault handler needs a file of its own.
    """
    if log_path is None:
        return
    try:
        handle = (log_path.parent / "faults.log").open("a", encoding="utf-8")
    except OSError:
        return
    _fault_files.append(handle)  # kept open for the life of the process
    faulthandler.enable(handle)


_fault_files: list[TextIO] = []


class _WarningRecords(logging.Handler):
    """Keeps the warnings and errors logged while the self-test runs."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.name}: {record.getMessage()}")


def self_test() -> int:
    """Headless smoke test for the frozen app: temp store, migrations, main window offscreen.

    Anything logged as a warning on the way fails it too: in a bundle, a missing Qt
    translation (stock dialogs in English) or the like means a file did not make it in.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # The log stays in the real (or --data-dir) folder: a windowed build has no stderr,
    # so a failure must leave its traceback in a file someone can read.
    log_path = setup_logging()
    import tempfile

    warnings = _WarningRecords()
    logging.getLogger().addHandler(warnings)
    store: Store | None = None
    try:
        # ignore_cleanup_errors: on Windows a file left open (a SQLite handle, after a
        # failure) makes the clean-up raise PermissionError, which would hide the outcome.
        with tempfile.TemporaryDirectory(
            prefix="jlip-selftest-", ignore_cleanup_errors=True
        ) as folder:
            paths.set_data_dir(Path(folder))
            try:
                app = create_application()
                store = open_store()
                bind(store, "220000")
                window = build_main_window(store)
                window.show()
                QTimer.singleShot(200, app.quit)
                app.exec()
                window.close()
                QThreadPool.globalInstance().waitForDone(10_000)
                window.ctx.close()
                _check_file_dialog(Path(folder))
            finally:
                if store is not None:
                    store.close()  # already closed on success; a failure may have left it open
                paths.set_data_dir(None)
    except Exception as exc:
        log.exception("self-test failed")
        return _self_test_failed(repr(exc), log_path, traceback.format_exc())
    finally:
        logging.getLogger().removeHandler(warnings)
    if warnings.messages:
        return _self_test_failed(";".join(warnings.messages), log_path)
    print(f"JLIP Desk {__version__} 自检通过")
    return 0


def _check_file_dialog(folder: Path) -> None:
    """Qt's own (non-native) file dialog opens and speaks Chinese: the bundle holds the
    translations and image plugins it needs (the native Windows dialog is Windows')."""
    from PySide6.QtWidgets import QFileDialog, QLabel

    dialog = QFileDialog(None, "自检", str(folder), "工作簿 (*.xlsx)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.show()
    QApplication.processEvents()
    labels = [label.text() for label in dialog.findChildren(QLabel)]
    dialog.close()
    dialog.deleteLater()
    if not any(text.startswith("查找范围") for text in labels):
        raise RuntimeError(f"file dialog labels not in Chinese: {labels}")


def _self_test_failed(reason: str, log_path: Path | None, details: str = "") -> int:
    log.error("self-test failed: %s", reason)
    if sys.stderr is not None:  # a windowed build has none; the log has it all
        if details:
            print(details, file=sys.stderr, end="")
        print(f"自检失败:{reason}(详见日志 {log_path})", file=sys.stderr)
    return 1
