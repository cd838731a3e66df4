"""The county clerk's day (issue 10): locked cells say why, 编辑 and 帮助 menus, the guide."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from jlip_desk.periods import Period
from jlip_desk.services import period_status
from jlip_desk.services.entry import save_values
from jlip_desk.services.installation import bind
from jlip_desk.services.registry import add_record
from jlip_desk.store.cells import read_row
from jlip_desk.store.database import Store
from jlip_desk.ui import app as ui_app
from jlip_desk.ui.entry_page import EntryPage
from jlip_desk.ui.help_dialogs import SHORTCUTS, guide_path
from jlip_desk.ui.main_window import MainWindow
from jlip_desk.validation.formats import make_credit_code

COUNTY = "220102"
Q1 = Period(2025, 1)
STATION = {
    "name": "南关区知识产权维权援助工作站",
    "host_org": "南关区知识产权服务中心",
    "host_credit_code": make_credit_code("91220102MA0000001"),
    "host_type": "服务机构",
    "established_on": "2023-04-01",
    "status": "运行",
    "contact": "王伟",
    "phone": "0431-88886666",
}


@pytest.fixture
def window(qtbot, qapp: QApplication, store: Store) -> Iterator[MainWindow]:
    ui_app.create_application()
    bind(store, COUNTY)
    win = ui_app.build_main_window(store)
    qtbot.addWidget(win)
    win.resize(1366, 740)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.ctx.writer.wait_idle()
    win.ctx.writer.close()


def entry_page(qtbot, win: MainWindow) -> EntryPage:
    add_record(win.ctx.store, win.ctx.plan, "workstations", COUNTY, STATION)
    win.show_page("entry")
    page = win.page("entry")
    assert isinstance(page, EntryPage)
    page.form_tabs.setCurrentIndex([f.id for f in page.forms].index("activity"))
    page.period_combo.setCurrentIndex(page.period_combo.findData(str(Q1)))
    page.reload()
    assert page.model.rowCount() == 1
    return page


def first_field(page: EntryPage):
    model = page.model
    return model.index(0, model.first_field_column)


def test_typing_into_a_locked_cell_says_why(qtbot, window: MainWindow) -> None:
    page = entry_page(qtbot, window)
    store, plan = window.ctx.store, window.ctx.plan
    full = {f.id: "1" for f in plan.form("activity").fields if f.required}
    save_values(store, plan, "activity", COUNTY, Q1, page.model.row(0).key.subject, full)
    period_status.submit(store, plan, COUNTY, Q1)
    page.reload()
    before = read_row(store, page.model.row(0).key)
    page.grid.setCurrentIndex(first_field(page))
    page.grid.setFocus()
    with qtbot.waitSignal(page.status_message) as said:
        qtbot.keyClick(page.grid, "7")
    reason = said.args[0]
    assert "已报送并已锁定,不能修改" in reason and "解锁" in reason
    assert window.statusBar().currentMessage() == reason
    assert not [e for e in page.grid.viewport().findChildren(QLineEdit) if e.isVisible()]
    assert first_field(page).data(Qt.ItemDataRole.ToolTipRole) == reason
    assert read_row(store, page.model.row(0).key) == before
    # An open cell says nothing and takes the key.
    period_status.unlock(store, plan, COUNTY, Q1, "补报")
    page.reload()
    window.statusBar().clearMessage()
    page.grid.setCurrentIndex(first_field(page))
    qtbot.keyClick(page.grid, "7")
    assert window.statusBar().currentMessage() == ""


def test_undo_and_redo_are_in_the_edit_menu_and_toolbar(qtbot, window: MainWindow) -> None:
    menus = [a.text() for a in window.menuBar().actions()]
    assert "编辑(&E)" in menus
    undo, redo = window.edit_actions.undo, window.edit_actions.redo
    assert undo in window.ui.editMenu.actions() and redo in window.ui.editMenu.actions()
    assert undo in window.ui.editToolBar.actions() and redo in window.ui.editToolBar.actions()
    page = entry_page(qtbot, window)
    assert not undo.isEnabled()
    model = page.model
    assert model.setData(first_field(page), "12")
    key, field = model.row(0).key, model.field_at(model.first_field_column)
    assert field is not None
    qtbot.waitUntil(lambda: not model.saving)
    assert undo.isEnabled() and undo.text() == f"撤销 修改“{field.label}”"
    undo.trigger()
    window.ctx.writer.wait_idle()
    qtbot.waitUntil(lambda: not model.saving)
    assert read_row(window.ctx.store, key).get(field.id) is None
    assert redo.isEnabled()
    redo.trigger()
    window.ctx.writer.wait_idle()
    qtbot.waitUntil(lambda: read_row(window.ctx.store, key).get(field.id) == 12)
    # Another page has nothing to undo.
    window.show_page("registries")
    assert not undo.isEnabled() and not redo.isEnabled()


def test_help_menu_opens_the_guide_and_the_shortcuts(qtbot, window: MainWindow) -> None:
    texts = [a.text() for a in window.ui.helpMenu.actions()]
    assert "使用指南(&G)" in texts and "快捷键(&K)" in texts
    assert guide_path().is_file()
    assert guide_path().is_relative_to(guide_path().parents[2] / "resources")
    window.ui.actionGuide.trigger()
    dialog = window.help_actions.guide_dialog
    assert dialog is not None and dialog.isVisible()
    text = dialog.browser.toPlainText()
    for topic in ("新增工作站", "填报一个季度", "报送", "在 Excel 中填写", "被拒绝的文件"):
        assert topic in text, topic
    # Every screenshot the guide shows is shipped next to it.
    html = guide_path().read_text(encoding="utf-8")
    images = [part.split('"')[0] for part in html.split('<img src="')[1:]]
    assert images and all((guide_path().parent / name).is_file() for name in images)
    window.ui.actionShortcuts.trigger()
    shortcuts = window.help_actions.shortcuts_dialog
    assert shortcuts is not None and shortcuts.isVisible()
    shown = shortcuts.browser.toPlainText()
    assert all(keys in shown for keys, _what in SHORTCUTS)
    assert "Ctrl+Z" in shown and "F8" in shown


def test_overview_and_entry_list_the_periods_alike(qtbot, window: MainWindow) -> None:
    from jlip_desk.periods import parse_period
    from jlip_desk.ui.overview_page import OverviewPage
    from jlip_desk.ui.period_list import PERIOD_ROLE

    entry = entry_page(qtbot, window)
    listed = [
        entry.periods.list_model.index(r, 0).data(PERIOD_ROLE)
        for r in range(entry.periods.list_model.rowCount())
    ]
    window.show_page("overview")
    overview = window.page("overview")
    assert isinstance(overview, OverviewPage)
    combo = overview.period_combo
    qtbot.waitUntil(lambda: combo.count() > 0, timeout=10_000)
    offered = [combo.itemData(i) for i in range(combo.count())]
    in_plan = [p for p in offered if parse_period(p).year <= window.ctx.plan.end_year]
    assert in_plan == listed
    # The longest label fits the box.
    longest = max((combo.itemText(i) for i in range(combo.count())), key=len)
    assert combo.width() > combo.fontMetrics().horizontalAdvance(longest) + 20


def test_code_and_name_stay_in_view_when_the_grid_scrolls_sideways(
    qtbot, window: MainWindow
) -> None:
    page = entry_page(qtbot, window)
    grid = page.grid
    window.resize(1000, 700)
    qtbot.waitUntil(lambda: grid.horizontalScrollBar().maximum() > 0)
    frozen = grid.frozen
    assert frozen.isVisible() and frozen.count == page.model.first_field_column == 2
    headers = [frozen.model().headerData(c, Qt.Orientation.Horizontal) for c in range(2)]
    assert headers == ["编码", "名称"]
    grid.horizontalScrollBar().setValue(grid.horizontalScrollBar().maximum())
    # Scrolled: the grid's own label columns are out of view, the frozen ones are not.
    assert grid.columnViewportPosition(0) < 0
    name = frozen.model().index(0, 1)
    rect = frozen.visualRect(name)
    assert rect.isValid() and rect.right() <= frozen.width()
    assert frozen.indexAt(rect.center()) == name
    assert name.data() == STATION["name"]
    assert frozen.horizontalHeader().height() == grid.horizontalHeader().height()
    # Going to the first field scrolls it out from under the frozen columns.
    grid.select_cell(first_field(page))
    assert grid.visualRect(first_field(page)).left() >= frozen.width_shown() - 1


def test_the_problem_list_has_room_and_can_be_resized(qtbot, window: MainWindow) -> None:
    page = entry_page(qtbot, window)
    qtbot.waitUntil(lambda: page.problems.view.viewport().height() > 0)
    splitter = page.splitter
    # Two fifths of the height (the offscreen screen is small: a share, not rows).
    assert splitter.sizes()[1] >= 0.38 * sum(splitter.sizes())
    assert splitter.widget(0) is page.grid and splitter.widget(1) is page.problems
    grid, problems = splitter.sizes()
    splitter.moveSplitter(grid - 100, 1)
    assert splitter.sizes()[1] >= problems + 90


def test_registry_columns_fit_the_first_station(qtbot, window: MainWindow) -> None:
    from jlip_desk.ui.registry_page import RegistryPage

    window.show_page("registries")
    page = window.page("registries")
    assert isinstance(page, RegistryPage)
    tab = page.current_tab()
    assert tab.model.rowCount() == 0
    add_record(window.ctx.store, window.ctx.plan, tab.registry.id, COUNTY, STATION)
    page.reload()  # what a saved record brings (data_changed)
    view = tab.view
    metrics = view.fontMetrics()
    for column in range(tab.proxy.columnCount()):
        text = str(tab.proxy.index(0, column).data() or "")
        assert view.columnWidth(column) >= metrics.horizontalAdvance(text), text


def test_submit_offers_to_export_the_workbook_now(
    qtbot, window: MainWindow, tmp_path, monkeypatch
) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    page = entry_page(qtbot, window)
    store, plan = window.ctx.store, window.ctx.plan
    full = {f.id: "1" for f in plan.form("activity").fields if f.required}
    save_values(store, plan, "activity", COUNTY, Q1, page.model.row(0).key.subject, full)
    page.reload()
    proposed: list[str] = []

    def answer(_parent, _title, start, _filter):
        proposed.append(start)
        return str(tmp_path / "报送.xlsx"), _filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(answer))

    def click() -> None:
        box = next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, QMessageBox) and w.isVisible()
            ),
            None,
        )
        if box is None:
            QTimer.singleShot(20, click)
            return
        next(b for b in box.buttons() if b.text() == "报送并导出报送文件…").click()

    QTimer.singleShot(0, click)
    qtbot.mouseClick(page.status.submit_button, Qt.MouseButton.LeftButton)
    window.ctx.writer.wait_idle()
    qtbot.waitUntil(lambda: "已报送并导出报送文件" in window.statusBar().currentMessage())
    assert str(tmp_path / "报送.xlsx") in window.statusBar().currentMessage()
    assert proposed and proposed[0].endswith("220102_南关区_2025Q1.xlsx")
    assert (tmp_path / "报送.xlsx").exists()
    assert period_status.status(store, plan.id, COUNTY, Q1).status == "submitted"
    assert page.status.submit_button.text() == "已报送"
    # The header says the workbook is out, not to go and export it; the exchange page,
    # opened afterwards, lists it.
    assert "报送文件已导出:报送.xlsx,请发送给上级单位" in page.status.label.text()
    assert "如尚未导出" not in page.status.label.text()
    window.show_page("exchange")
    exports = window.page("exchange").export_panel  # type: ignore[attr-defined]
    assert exports.files_model.stringList() == [str(tmp_path / "报送.xlsx")]
    # A long folder is cut in the middle, never the file's name at the end.
    assert exports.files_view.textElideMode() == Qt.TextElideMode.ElideMiddle
    assert "已报送并导出2025年第1季度的报送文件" in exports.status_label.text()


def test_sending_a_returned_period_again_recalls_why_it_was_returned(
    qtbot, window: MainWindow
) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    from jlip_desk.store.status import write_status

    page = entry_page(qtbot, window)
    store, plan = window.ctx.store, window.ctx.plan
    full = {f.id: "1" for f in plan.form("activity").fields if f.required}
    save_values(store, plan, "activity", COUNTY, Q1, page.model.row(0).key.subject, full)
    with store.atomic():  # the superior's return, as its workbook brings it
        write_status(store, plan.id, COUNTY, str(Q1), "returned", "调解纠纷数偏低,请核实",
                     store.new_change("imported"))  # fmt: skip
    page.reload()
    seen: list[str] = []

    def answer() -> None:
        box = next(
            (w for w in QApplication.topLevelWidgets()
             if isinstance(w, QMessageBox) and w.isVisible()),
            None,
        )  # fmt: skip
        if box is None:
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text())
        next(b for b in box.buttons() if b.text() == "取消").click()

    QTimer.singleShot(0, answer)
    qtbot.mouseClick(page.status.submit_button, Qt.MouseButton.LeftButton)
    assert seen and seen[0].startswith(
        "上级单位退回本期的原因:调解纠纷数偏低,请核实\n请确认已按要求修改"
    )
    assert period_status.status(store, plan.id, COUNTY, Q1).status == "returned"
