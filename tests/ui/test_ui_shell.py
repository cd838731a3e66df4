"""The first window: first-run dialog, main window, translations, crash dialog, forms."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from jlip_desk import paths
from jlip_desk.services.installation import bind, bound_org
from jlip_desk.store.database import Store
from jlip_desk.ui import app as ui_app
from jlip_desk.ui.first_run import FirstRunDialog
from jlip_desk.ui.forms.__main__ import generate, target_for
from jlip_desk.ui.main_window import MainWindow
from jlip_desk.ui.overview_page import OverviewPage


@pytest.fixture
def qapp_ready(qapp: QApplication) -> QApplication:
    return ui_app.create_application()


def test_generated_forms_are_up_to_date() -> None:
    sources = sorted(paths.ui_dir().glob("*.ui"))
    assert sources
    for ui_file in sources:
        assert target_for(ui_file).read_text(encoding="utf-8") == generate(ui_file), (
            f"{target_for(ui_file).name} is stale: run python -m jlip_desk.ui.forms"
        )


def test_stock_dialogs_speak_chinese(qapp_ready: QApplication) -> None:
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    assert box.button(QDialogButtonBox.StandardButton.Ok).text() == "确定"
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"


def _code(dialog: FirstRunDialog) -> str | None:
    org = dialog.selected_org()
    return None if org is None else org.code


def test_first_run_prefecture_then_county(qtbot, store: Store, qapp_ready: QApplication) -> None:
    dialog = FirstRunDialog(store)
    qtbot.addWidget(dialog)
    ui = dialog.ui
    assert ui.countyRadio.isChecked()
    # Nothing is chosen for the user: 开始使用 waits for a county.
    ok = ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok)
    assert ui.prefectureCombo.currentIndex() == -1 and _code(dialog) is None
    assert not ok.isEnabled() and "请先选择本机所属的县(市、区)" in ui.summaryLabel.text()
    ui.prefectureCombo.setCurrentIndex(ui.prefectureCombo.findText("吉林市(220200)"))
    assert ui.countyCombo.currentIndex() == -1 and not ok.isEnabled()
    counties = [ui.countyCombo.itemText(i) for i in range(ui.countyCombo.count())]
    assert "永吉县(220221)" in counties and not any("南关区" in c for c in counties)
    ui.countyCombo.setCurrentIndex(ui.countyCombo.findData("220221"))
    assert "永吉县" in ui.summaryLabel.text() and ok.isEnabled()
    assert _code(dialog) == "220221"
    qtbot.mouseClick(ui.provinceRadio, Qt.MouseButton.LeftButton)
    assert not ui.countyCombo.isEnabled()
    assert _code(dialog) == "220000"
    dialog.select("220300")
    assert ui.prefectureRadio.isChecked() and _code(dialog) == "220300"


def test_first_run_leads_to_the_county_registries(qtbot, store: Store, monkeypatch) -> None:
    store.close()

    def accept_county(self: FirstRunDialog) -> int:
        self.select("220102")
        return 1

    shown = {}

    def fake_exec(app: QApplication) -> int:
        window = next(
            w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        )
        # The first page is built just after the window's first paint.
        qtbot.waitUntil(lambda: window.current_page() != "", timeout=5000)
        shown["page"] = window.current_page()
        shown["title"] = window.windowTitle()
        window.close()
        return 0

    monkeypatch.setattr(FirstRunDialog, "exec", accept_county)
    monkeypatch.setattr(QApplication, "exec", fake_exec)
    assert ui_app.run_gui() == 0
    assert shown["page"] == "registries"
    assert "南关区" in shown["title"]
    reopened = Store.open()
    bound = bound_org(reopened)
    assert bound is not None and bound.code == "220102"
    reopened.close()


def test_main_window_navigation_and_geometry(qtbot, store: Store, qapp_ready: QApplication) -> None:
    bind(store, "220000")
    window = ui_app.build_main_window(store)
    qtbot.addWidget(window)
    window.show()
    assert window.nav_model.rowCount() >= 4
    titles = [window.nav_model.item(i).text() for i in range(window.nav_model.rowCount())]
    assert titles[0] == "进度概览"
    window.show_page("entry")
    assert window.current_page() == "entry"
    window.resize(780, 560)  # the offscreen screen is 800x600: stay inside it
    window.close()
    assert QSettings().value("main/page") == "entry"
    again = ui_app.build_main_window(window.ctx.store)
    qtbot.addWidget(again)
    again.show()  # pages are built once the window is on screen
    qtbot.waitUntil(lambda: again.current_page() == "entry")
    assert again.size() == window.size()
    assert Path(QSettings().fileName()).is_relative_to(paths.data_dir())
    again.ctx.writer.close()
    window.ctx.writer.close()


def test_overview_shows_the_summary(qtbot, store: Store, qapp_ready: QApplication) -> None:
    from jlip_desk.services.demo import generate

    generate(store, seed=2)
    bind(store, "220000")
    window = ui_app.build_main_window(store)
    qtbot.addWidget(window)
    page = window.page("overview")
    assert isinstance(page, OverviewPage)
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=10_000)
    first = page.model.index(0, 0)
    assert page.model.data(first) == "知识产权维权援助工作站"
    assert "吉林省" in page.title.text()
    assert "已报送" in page.reporting.text()
    window.ctx.writer.close()


def test_summary_model(qtmodeltester, store: Store) -> None:
    from jlip_desk.services.demo import generate
    from jlip_desk.services.summary import build_summary
    from jlip_desk.ui.summary_model import SummaryModel

    generate(store, seed=2)
    model = SummaryModel()
    model.set_summary(build_summary(store))
    qtmodeltester.check(model)


def test_uncaught_exception_shows_crash_dialog_with_log_path(
    qtbot, qapp_ready, monkeypatch
) -> None:
    from jlip_desk.log import log_file, setup_logging
    from jlip_desk.ui import crash_dialog, errors

    setup_logging()
    seen: dict[str, str] = {}

    def fake_exec(dialog: crash_dialog.CrashDialog) -> int:
        seen["path"] = dialog.ui.logPathLabel.text()
        seen["details"] = dialog.ui.detailsEdit.toPlainText()
        return 0

    monkeypatch.setattr(crash_dialog.CrashDialog, "exec", fake_exec)
    old_hook = sys.excepthook
    errors.install_excepthooks()
    try:
        try:
            raise ZeroDivisionError("boom")
        except ZeroDivisionError:
            sys.excepthook(*sys.exc_info())
        qtbot.waitUntil(lambda: "path" in seen)
    finally:
        sys.excepthook = old_hook
    assert str(log_file()) in seen["path"]
    assert "ZeroDivisionError" in seen["details"]
    assert "ZeroDivisionError" in log_file().read_text(encoding="utf-8")


def test_show_error_says_where_and_what_is_allowed(qtbot, qapp_ready) -> None:
    from jlip_desk.errors import InputError
    from jlip_desk.ui.errors import show_error

    seen: dict[str, str] = {}

    def grab() -> None:
        box = next(
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible()
        )
        seen["text"] = box.text()
        seen["info"] = box.informativeText()
        box.accept()

    QTimer.singleShot(50, grab)
    show_error(None, InputError("数值无效", where="服务活动!D7", allowed="0到100的整数"))
    assert seen == {"text": "数值无效", "info": "位置:服务活动!D7\n要求:0到100的整数"}


def test_a_bug_in_a_write_is_reported_and_the_writer_goes_on(
    qtbot, store: Store, monkeypatch
) -> None:
    from jlip_desk.errors import JlipError
    from jlip_desk.ui.tasks import INTERNAL_ERROR, Writer

    hooked: list[type[BaseException]] = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, value, tb: hooked.append(kind))
    writer = Writer(store.path)
    failures: list[JlipError] = []
    results: list[object] = []

    def buggy(_store: Store) -> None:
        raise KeyError("bug")

    writer.submit(buggy, on_error=failures.append)
    writer.submit(lambda s: s.setting("installation_org", "none"), on_done=results.append)
    qtbot.waitUntil(lambda: bool(failures and results), timeout=5000)
    writer.close()
    assert hooked == [KeyError]
    assert failures == [INTERNAL_ERROR]
    assert results == ["none"]


def test_default_data_folder_is_qts_app_data_location(qapp_ready, monkeypatch, tmp_path) -> None:
    from PySide6.QtCore import QStandardPaths

    monkeypatch.delenv(paths.DATA_DIR_ENV)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    qt = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    assert Path(qt) == paths.default_data_dir() == paths.data_dir()


def test_the_overview_says_how_many_units_a_figure_covers_and_judges_no_county(
    qtmodeltester, store: Store, tmp_path
) -> None:
    """On main a value from 1 county of 60 read "8.19 符合进度", and a county's
    overview judged it against the province's targets ("工作站 1 / 60 未达成")."""
    from jlip_desk.periods import Period
    from jlip_desk.services.demo import generate
    from jlip_desk.services.excel import export_submission, import_files
    from jlip_desk.services.installation import bind
    from jlip_desk.services.summary import build_summary
    from jlip_desk.store.database import Store as StoreClass
    from jlip_desk.ui.summary_model import SummaryModel

    demo = StoreClass.memory()
    from jlip_desk.services.installation import prepare

    prepare(demo)
    generate(demo, seed=2)
    annual = export_submission(demo, "220102", Period(2024), tmp_path).path
    demo.close()
    bind(store, "220000")
    assert import_files(store, [annual]).ok

    def rows(summary: dict[str, object]) -> dict[str, list[str]]:
        model = SummaryModel()
        model.set_summary(summary)
        qtmodeltester.check(model)
        return {
            model.index(r, 0).data(): [model.index(r, c).data() for c in range(7)]
            for r in range(model.rowCount())
        }

    province = rows(build_summary(store, Period(2024)))
    ratio = province["每万人口高价值发明专利拥有量"]
    assert ratio[6] == "1/60 个单位有数据"
    assert ratio[5] in (
        "数据不足",
        *(f"{w}(数据不全)" for w in ("符合进度", "存在风险", "明显滞后")),
    )
    county = rows(build_summary(store, Period(2024), "220102"))
    stations = county["知识产权维权援助工作站"]
    assert stations[5] == "本级不单独考核" and stations[3] == "全省 60"
    trademarks = county["有效注册商标数量"]
    assert trademarks[5] == "本级不单独考核"
    # The province's target and planned path, said to be the province's (not this unit's).
    assert trademarks[3] == "全省 45" and trademarks[2] in (None, "", "—")
