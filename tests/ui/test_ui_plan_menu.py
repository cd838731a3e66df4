"""The 计划 menu and the plan a workbook carries, driven as a user would: open a plan,
read the preview, confirm (or not); look at the older plan; load a plan from a refused
workbook and import it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from jlip_desk.periods import Period
from jlip_desk.plan.model import Plan
from jlip_desk.services.demo import generate
from jlip_desk.services.excel import export_template
from jlip_desk.services.installation import bind
from jlip_desk.store.database import Store
from jlip_desk.store.plans import active_plan, save_plan, stored_plans
from jlip_desk.ui import app as ui_app
from jlip_desk.ui import plan_menu
from jlip_desk.ui.context import AppContext
from jlip_desk.ui.exchange_page import ExchangePage
from jlip_desk.ui.import_panel import IMPORT_KINDS
from jlip_desk.ui.main_window import MainWindow

TESTS = Path(__file__).resolve().parents[1]
PLAN15 = TESTS / "data" / "plans" / "test-plan-15.toml"
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def province(store: Store) -> Iterator[AppContext]:
    ui_app.create_application()
    generate(store, seed=5)
    bind(store, "220000")
    ctx = AppContext(store)
    yield ctx
    ctx.writer.close()


def _window(qtbot: QtBot, ctx: AppContext) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    return window


def _answer_dialog(monkeypatch: pytest.MonkeyPatch, accept: bool) -> list[str]:
    """The preview dialog answers Load (or Cancel); returns what it showed."""
    shown: list[str] = []

    def exec_(dialog: plan_menu.PlanPreviewDialog) -> int:
        shown.append(dialog.preview.headline + "\n" + dialog.changes.toPlainText())
        return QDialog.DialogCode.Accepted.value if accept else QDialog.DialogCode.Rejected.value

    monkeypatch.setattr(plan_menu.PlanPreviewDialog, "exec", exec_)
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda *_a, **_k: None))
    return shown


def test_the_plan_menu_loads_a_plan_after_its_preview(
    qtbot: QtBot, province: AppContext, monkeypatch: pytest.MonkeyPatch, plan15: Plan
) -> None:
    window = _window(qtbot, province)
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles.index("计划(&P)") == titles.index("帮助(&H)") - 1
    action = window.plan_menu.findChild(type(window.ui.actionAbout), "actionLoadPlan")
    assert action is not None and action.text() == "载入计划(&L)…"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *_a: (str(PLAN15), "")))
    # Cancel: nothing is loaded, the window stays.
    shown = _answer_dialog(monkeypatch, accept=False)
    action.trigger()
    assert shown and "[登记册] 延续:知识产权维权援助工作站" in shown[0]
    assert "[报表] 新增:工作站季度服务" in shown[0] and plan15.name in shown[0]
    assert active_plan(province.store).id == "jilin-ip-14" and not window.reopen_requested
    # Load: the plan is kept and active, and the window opens again on it.
    _answer_dialog(monkeypatch, accept=True)
    action.trigger()
    qtbot.waitUntil(lambda: window.reopen_requested, timeout=10_000)
    assert window.reopen_plan is None
    assert active_plan(province.store).id == plan15.id


def test_a_plan_file_with_a_mistake_is_refused_with_file_and_line(
    qtbot: QtBot, province: AppContext, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(
        PLAN15.read_text(encoding="utf-8").replace("start_year = 2026", 'start_year = "x"'),
        encoding="utf-8",
    )
    window = _window(qtbot, province)
    errors: list[str] = []
    monkeypatch.setattr(plan_menu, "show_error", lambda _p, exc, _t="": errors.append(str(exc)))
    plan_menu.load_plan_from(window, broken)
    assert errors and "broken.toml" in errors[0] and "第" in errors[0] and "行" in errors[0]
    assert len(stored_plans(province.store)) == 1


def test_the_window_can_show_the_older_plan(
    qtbot: QtBot, province: AppContext, plan14: Plan, plan15: Plan
) -> None:
    save_plan(province.store, plan15)
    window = _window(qtbot, province)
    window.plan_menu.aboutToShow.emit()
    choices = {a.text(): a for a in window.plan_menu.actions() if a.isCheckable()}
    assert len(choices) == 2
    current = next(a for t, a in choices.items() if "当前计划" in t)
    assert current.isChecked() and plan15.name in current.text()
    older = next(a for t, a in choices.items() if plan14.name in t)
    older.trigger()
    assert window.reopen_requested and window.reopen_plan == plan14.id
    # The reopened window shows the 14th plan, its periods read-only and said so.
    again = MainWindow(AppContext(province.store, plan14.id))
    qtbot.addWidget(again)
    assert again.ctx.plan.id == plan14.id and f"查看:{plan14.name}" in again.windowTitle()
    from jlip_desk.services.period_status import status

    assert status(province.store, plan14.id, "220102", Period(2025, 3)).locked
    from jlip_desk.ui.entry_page import EntryPage
    from jlip_desk.ui.overview_page import OverviewPage

    entry = again.page("entry")
    assert isinstance(entry, EntryPage)
    periods = [entry.period_combo.itemData(i) for i in range(entry.period_combo.count())]
    assert periods[0] == "2025Q4" and periods[-1] == "2021Q1"
    # The ended plan's period says why it cannot be edited, and cannot be handed in.
    entry.form_tabs.setCurrentIndex([f.id for f in entry.forms].index("province_annual"))
    entry.period_combo.setCurrentIndex(entry.period_combo.findData("2025"))
    qtbot.waitUntil(lambda: "所属计划已结束" in entry.status.label.text(), timeout=10_000)
    assert plan15.name in entry.status.label.text()
    assert not entry.status.submit_button.isEnabled()
    active_entry = window.page("entry")
    assert isinstance(active_entry, EntryPage)
    assert str(active_entry.period_combo.itemData(0)).startswith("2030")
    # The overview of the older plan: its own latest period with data, its own targets.
    overview = again.page("overview")
    assert isinstance(overview, OverviewPage)
    qtbot.waitUntil(lambda: getattr(overview, "summary", None) is not None, timeout=30_000)
    summary = overview.summary
    assert summary is not None
    assert summary["plan"]["id"] == plan14.id and summary["period"] == "2025Q4"


def test_a_county_loads_the_plan_a_refused_workbook_carries(
    qtbot: QtBot,
    store: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    plan15: Plan,
) -> None:
    # The province's template of the 15th plan, made in another store.
    from jlip_desk import paths
    from jlip_desk.services.installation import open_store

    province_dir = tmp_path / "province"
    paths.set_data_dir(province_dir)
    other = open_store()
    bind(other, "220000")
    save_plan(other, plan15)
    template = export_template(other, "220102", Period(2026, 1), tmp_path).path
    other.close()
    paths.set_data_dir(None)

    ui_app.create_application()
    bind(store, "220102")
    ctx = AppContext(store)
    try:
        page = ExchangePage(ctx)
        qtbot.addWidget(page)
        page.show()
        panel = page.import_panel
        with qtbot.waitSignal(ctx.data_changed, timeout=30_000):
            panel.drop_zone.files_chosen.emit([template])
        qtbot.waitUntil(lambda: panel.progress is None)
        assert panel.files_model.index(0, 3).data() == "拒绝导入"
        assert panel.choice_button.isVisible()
        assert panel.choice_button.text() == "查看并载入工作簿附带的计划…"
        assert active_plan(store).id == "jilin-ip-14"  # never silently
        shown = _answer_dialog(monkeypatch, accept=True)
        reopened: list[str | None] = []
        opener = type("Window", (), {"reopen_on_plan": staticmethod(reopened.append)})()
        monkeypatch.setattr(panel, "window", lambda: opener)
        with qtbot.waitSignal(ctx.data_changed, timeout=30_000) as changed:
            qtbot.mouseClick(panel.choice_button, LEFT)
        assert changed.args == [IMPORT_KINDS]
        qtbot.waitUntil(lambda: panel.progress is None)
        assert shown and plan15.name in shown[0]
        assert panel.files_model.index(0, 3).data().startswith("已导入")
        assert active_plan(store).id == plan15.id
        assert reopened == [None]  # the window opens again on the plan now active
    finally:
        ctx.writer.close()
