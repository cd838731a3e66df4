"""Registry page driven like a user: add with a bad credit code, fix, edit, close, search."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QEvent, QModelIndex, QSettings, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QTableView, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from jlip_desk.plan.model import FieldType, Plan, Registry
from jlip_desk.services.demo import generate
from jlip_desk.services.installation import bind
from jlip_desk.store.database import Store
from jlip_desk.store.plans import save_plan
from jlip_desk.ui.context import AppContext
from jlip_desk.ui.date_edit import DateEdit
from jlip_desk.ui.history_panel import HistoryPanel
from jlip_desk.ui.record_dialog import CloseDialog, RecordDialog
from jlip_desk.ui.record_model import CLOSED_ROLE, ORG_ROLE, PREFECTURE_ROLE, RecordModel
from jlip_desk.ui.registry_page import RegistryPage
from jlip_desk.validation.formats import make_credit_code

GOOD_CODE = make_credit_code("91220102MA0000001")
BAD_CODE = GOOD_CODE[:-1] + ("0" if GOOD_CODE[-1] != "0" else "1")
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture(params=["plan14", "plan15"])
def plan(request: pytest.FixtureRequest, store: Store) -> Plan:
    chosen: Plan = request.getfixturevalue(request.param)
    save_plan(store, chosen)  # the 15th plan becomes active; the 14th already is
    return chosen


@pytest.fixture
def ctx(store: Store, plan: Plan) -> Iterator[AppContext]:
    bind(store, "220102")
    context = AppContext(store)
    yield context
    context.writer.close()


def type_into(qtbot: QtBot, editor: QWidget, text: str) -> None:
    """Replace what the editor holds by typing, as a user would."""
    target = editor.line if isinstance(editor, DateEdit) else editor
    target.setFocus()
    qtbot.keyClick(target, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(target, Qt.Key.Key_Delete)
    type_text(qtbot, target, text)


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Latin text as key presses; Chinese the way an input method delivers it (committed)."""
    if text.isascii():
        qtbot.keyClicks(widget, text)
        return
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def fill_required(
    qtbot: QtBot, dialog: RecordDialog, registry: Registry, credit_code: str, year: int = 2023
) -> None:
    for field in registry.fields:
        editor = dialog.editors[field.id]
        if field.type is FieldType.CHOICE:
            assert isinstance(editor, QComboBox)
            if not editor.currentText():
                editor.setCurrentIndex(1)
        elif field.format == "credit_code":
            type_into(qtbot, editor, credit_code)
        elif field.format == "phone":
            type_into(qtbot, editor, "0431-88886666")
        elif field.type is FieldType.DATE and field.required:
            type_into(qtbot, editor, f"{year}-04-01")
        elif field.type is FieldType.TEXT and field.required:
            type_into(qtbot, editor, f"测试{field.label}"[: field.max_length or 20])


def settle(qtbot: QtBot, ctx: AppContext, condition: Callable[[], bool]) -> None:
    assert ctx.writer.wait_idle()
    qtbot.waitUntil(condition, timeout=5000)


def click_row(qtbot: QtBot, view: QTableView, row: int) -> None:
    index = view.model().index(row, 0)
    qtbot.mouseClick(view.viewport(), LEFT, pos=view.visualRect(index).center())


def column_of(model: RecordModel, field_id: str) -> int:
    return 2 + [f.id for f in model.registry.fields].index(field_id)


def test_add_fix_edit_close_and_history(
    qtbot: QtBot, ctx: AppContext, plan: Plan, store: Store
) -> None:
    page = RegistryPage(ctx)
    qtbot.addWidget(page)
    panel = HistoryPanel(ctx)
    qtbot.addWidget(panel)
    page.history_requested.connect(panel.show_record)
    page.show()
    registry = plan.registries[0]
    assert page.tabs.count() == len(plan.registries)
    assert page.tabs.tabText(0) == registry.name
    assert not page.prefecture_combo.isVisible() and not page.county_combo.isVisible()
    tab = page.current_tab()

    # A bad credit code is refused: the field is marked, the reason listed above the fields,
    # and nothing moves as problems come and go.
    qtbot.mouseClick(page.add_button, LEFT)
    dialog = page.dialog
    assert isinstance(dialog, RecordDialog) and dialog.isVisible()
    assert dialog.code_edit.isReadOnly() and dialog.code_edit.text() == ""
    # Dates in the plan's own years: an ended plan's years take no new set-up dates.
    year = max(2023, plan.start_year)
    fill_required(qtbot, dialog, registry, BAD_CODE, year)
    credit_field = next(f.id for f in registry.fields if f.format == "credit_code")
    credit = dialog.editors[credit_field]
    assert credit.property("problem") is True and "校验位" in credit.toolTip()
    assert "校验位" in dialog.summary.text()
    qtbot.wait(50)  # layouts settle
    places = {f: e.geometry() for f, e in dialog.editors.items()}
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert ctx.writer.wait_idle()
    assert dialog.isVisible() and "校验位" in dialog.summary.text()
    assert tab.model.rowCount() == 0

    # Fixed: saved at once, listed with a generated code.
    qtbot.wait(50)
    assert {f: e.geometry() for f, e in dialog.editors.items()} == places
    type_into(qtbot, dialog.editors[credit_field], GOOD_CODE)
    assert credit.property("problem") is False and "校验位" not in dialog.summary.text()
    qtbot.wait(50)
    assert {f: e.geometry() for f, e in dialog.editors.items()} == places
    qtbot.mouseClick(dialog.ok_button, LEFT)
    code = f"220102-{registry.code_tag}-001"
    settle(qtbot, ctx, lambda: tab.model.rowCount() == 1 and page.dialog is None)
    assert tab.proxy.index(0, 0).data() == code
    assert tab.proxy.index(0, 1).data() == "南关区"

    # Edit the name.
    click_row(qtbot, tab.view, 0)
    assert page.edit_button.isEnabled()
    qtbot.mouseClick(page.edit_button, LEFT)
    dialog = page.dialog
    assert isinstance(dialog, RecordDialog) and dialog.code_edit.text() == code
    type_into(qtbot, dialog.editors["name"], "改名后的站点")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    name_column = column_of(tab.model, "name")
    settle(qtbot, ctx, lambda: tab.proxy.index(0, name_column).data() == "改名后的站点")

    # Close it: hidden by default, listed with its closed status when asked, never deleted.
    closed = registry.lifecycle.closed_status
    click_row(qtbot, tab.view, 0)
    # Not the toolbar's 撤销 (undo): the button names what it does to the station.
    assert page.close_button.text() == "关闭(设为撤销)(&C)…"
    qtbot.mouseClick(page.close_button, LEFT)
    dialog = page.dialog
    assert isinstance(dialog, CloseDialog)
    type_into(qtbot, dialog.date_edit, f"{year + 2}-06-30")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    settle(qtbot, ctx, lambda: tab.proxy.rowCount() == 0)
    assert tab.model.rowCount() == 1
    qtbot.mouseClick(page.show_closed_check, LEFT)
    assert tab.proxy.rowCount() == 1
    status_column = column_of(tab.model, registry.lifecycle.status_field)
    assert tab.proxy.index(0, status_column).data() == closed
    assert tab.proxy.index(0, 0).data(CLOSED_ROLE) is True
    assert store.conn.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 1

    # History of the record: the typed changes with old and new values.
    click_row(qtbot, tab.view, 0)
    assert not page.close_button.isEnabled()
    qtbot.mouseClick(page.history_button, LEFT)
    rows = {
        tuple(panel.model.index(r, c).data() for c in (1, 2, 3, 4))
        for r in range(panel.model.rowCount())
    }
    status_label = registry.field(registry.lifecycle.status_field).label
    assert any(r[0] == status_label and r[2] == closed and "手工录入" in r[3] for r in rows)
    name_label = registry.field("name").label
    assert (name_label, f"测试{name_label}", "改名后的站点", "手工录入") in rows
    assert code in panel.title.text()


def test_search_and_filters_in_a_province_installation(
    qtbot: QtBot, store: Store, plan14: Plan
) -> None:
    generate(store)
    bind(store, "220000")
    ctx = AppContext(store)
    try:
        page = RegistryPage(ctx)
        qtbot.addWidget(page)
        page.show()
        assert page.prefecture_combo.isVisible() and page.county_combo.isVisible()
        tab = page.current_tab()
        everything = tab.proxy.rowCount()
        assert everything > 40
        page.prefecture_combo.setCurrentIndex(page.prefecture_combo.findText("长春市"))
        in_changchun = tab.proxy.rowCount()
        assert 0 < in_changchun < everything
        assert all(
            tab.proxy.index(r, 0).data(PREFECTURE_ROLE) == "220100" for r in range(in_changchun)
        )
        page.county_combo.setCurrentIndex(page.county_combo.findText("二道区"))
        assert tab.proxy.rowCount() > 1
        assert {tab.proxy.index(r, 0).data(ORG_ROLE) for r in range(tab.proxy.rowCount())} == {
            "220105"
        }
        search: QLineEdit = page.search_edit
        qtbot.keyClicks(search, "220105-ws-002")
        assert [tab.proxy.index(r, 0).data() for r in range(tab.proxy.rowCount())] == [
            "220105-WS-002"
        ]
        search.clear()
        page.prefecture_combo.setCurrentIndex(0)
        assert tab.proxy.rowCount() == everything
        # Sorting by the establishment date column puts the oldest first.
        column = column_of(tab.model, "established_on")
        tab.view.sortByColumn(column, Qt.SortOrder.AscendingOrder)
        dates = [tab.proxy.index(r, column).data() for r in range(tab.proxy.rowCount())]
        assert dates == sorted(dates)
    finally:
        ctx.writer.close()


def test_record_models_pass_the_model_tester(
    qtmodeltester: ModelTester, store: Store, plan14: Plan
) -> None:
    generate(store)
    bind(store, "220000")
    ctx = AppContext(store)
    try:
        page = RegistryPage(ctx)
        for tab in page.registry_tabs:
            assert tab.model.rowCount() > 0
            qtmodeltester.check(tab.model)
            page.show_closed_check.setChecked(True)
            qtmodeltester.check(tab.proxy)
        assert tab.model.index(0, 0, tab.model.index(0, 0)) == QModelIndex()
        page.deleteLater()
    finally:
        ctx.writer.close()


def test_main_window_routes_history_to_its_dock(qtbot: QtBot, store: Store, plan14: Plan) -> None:
    from jlip_desk.ui.main_window import MainWindow

    generate(store)
    bind(store, "220105")
    QSettings().setValue("main/page", "registries")  # as after the first run of a county
    window = MainWindow(AppContext(store))
    try:
        window.show()
        qtbot.waitUntil(lambda: window.current_page() == "registries")
        page = window.page("registries")
        assert isinstance(page, RegistryPage)
        tab = page.current_tab()
        assert tab.proxy.rowCount() > 1
        assert not window.history_dock.isVisible()
        click_row(qtbot, tab.view, 1)
        qtbot.mouseClick(page.history_button, LEFT)
        assert window.history_dock.isVisible()
        assert tab.proxy.index(1, 0).data() in window.history_dock.panel.title.text()
        assert window.history_dock.panel.model.rowCount() > 0
    finally:
        window.close()
        window.ctx.writer.close()
        # Gone for good: later tests look for "the" main window among top-level widgets.
        window.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
