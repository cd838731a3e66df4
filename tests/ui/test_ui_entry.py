"""The entry page driven by keyboard and mouse, for the 14th plan and the made-up 15th."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit, QMessageBox

from jlip_desk.periods import Period
from jlip_desk.plan.model import Plan
from jlip_desk.services.installation import bind
from jlip_desk.services.period_status import status
from jlip_desk.store.cells import CellKey, StoredValue, read_row
from jlip_desk.store.database import Store
from jlip_desk.store.plans import save_plan
from jlip_desk.store.records import create_record
from jlip_desk.ui import app as ui_app
from jlip_desk.ui.context import AppContext
from jlip_desk.ui.entry_model import SEVERITY_ROLE
from jlip_desk.ui.entry_page import EntryPage

COUNTY = "220102"


@dataclass
class Case:
    plan: Plan
    form: str
    period: Period
    row_values: list[str]  # one value per field of the form, typed in order
    big: str  # field that must not be smaller than ...
    small: str  # ... this one (the cross-field rule)
    rule_message: str
    key: CellKey


def _record(store: Store, plan: Plan, registry_id: str, values: dict[str, object]) -> str:
    with store.atomic():
        change = store.new_change("typed")
        return create_record(store, plan.id, plan.registry(registry_id), COUNTY, values, change)  # type: ignore[arg-type]


@pytest.fixture(params=["plan14", "plan15"])
def case(request, store: Store, plan14: Plan, plan15: Plan) -> Case:
    bind(store, COUNTY)
    if request.param == "plan14":
        code = _record(
            store,
            plan14,
            "workstations",
            {"name": "南关区测试工作站", "established_on": "2020-03-01", "status": "运行"},
        )
        period = Period(2025, 1)
        key = CellKey(plan14.id, "activity", COUNTY, str(period), code)
        values = ["30", "4", "3", "5", "2", "1", "20", "1", "0", "正常"]
        return Case(plan14, "activity", period, values, "mediations", "mediations_successful",
                    "调解成功数不能大于调解纠纷数", key)  # fmt: skip
    save_plan(store, plan15)
    code = _record(
        store, plan15, "hubs", {"name": "测试驿站", "opened_on": "2025-06-01", "state": "开放"}
    )
    period = Period(2026, 1)
    key = CellKey(plan15.id, "hub_quarterly", COUNTY, str(period), code)
    return Case(plan15, "hub_quarterly", period, ["120", "6", "2"], "filings_assisted",
                "filings_granted", "获得授权数不能大于协助申请数", key)  # fmt: skip


@pytest.fixture
def page(qtbot, qapp, case: Case, store: Store) -> Iterator[EntryPage]:
    ui_app.create_application()
    ctx = AppContext(store)
    widget = EntryPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1366, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.form_tabs.setCurrentIndex([f.id for f in widget.forms].index(case.form))
    widget.period_combo.setCurrentIndex(widget.period_combo.findData(str(case.period)))
    assert widget.model.rowCount() == 1
    yield widget
    ctx.writer.wait_idle()
    ctx.writer.close()


def _editor(page: EntryPage) -> QLineEdit | None:
    editors = [e for e in page.grid.viewport().findChildren(QLineEdit) if e.isVisible()]
    return editors[0] if editors else None


def type_cell(qtbot, page: EntryPage, text: str, key: Qt.Key = Qt.Key.Key_Tab) -> None:
    """Type into the current cell as a user would: the first key opens the editor.

    Chinese comes from an input method: F2 opens the editor, the IME commits the text.
    """
    if text.isascii():
        qtbot.keyClick(page.grid, text[0])
        editor = _editor(page)
        assert editor is not None, "typing did not start editing"
        qtbot.keyClicks(editor, text[1:])
    else:
        qtbot.keyClick(page.grid, Qt.Key.Key_F2)
        editor = _editor(page)
        assert editor is not None, "F2 did not start editing"
        editor.selectAll()
        event = QInputMethodEvent()
        event.setCommitString(text)
        QApplication.sendEvent(editor, event)
    qtbot.keyClick(editor, key)
    qtbot.waitUntil(lambda: page.grid.state() != QAbstractItemView.State.EditingState)


def cell(page: EntryPage, field_id: str) -> QModelIndex:
    model = page.model
    return model.index_of(model.row(0).key, field_id)


def go_to(page: EntryPage, field_id: str) -> None:
    page.grid.setCurrentIndex(cell(page, field_id))
    page.grid.setFocus()


def settle(qtbot, page: EntryPage, check) -> None:
    """Wait for the writer and for the grid to show what it saved, then for ``check``."""
    page.ctx.writer.wait_idle()
    qtbot.waitUntil(lambda: not page.model.saving)
    qtbot.waitUntil(check)


def stored(page: EntryPage, case: Case) -> dict[str, StoredValue]:
    return read_row(page.ctx.store, case.key)


def close_message_box(qtbot) -> list[str]:
    """Accept the next message box (show_error is modal); returns its texts."""
    seen: list[str] = []

    def close() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible():
                seen.append(widget.text())
                widget.accept()
                return
        QTimer.singleShot(20, close)

    QTimer.singleShot(0, close)
    return seen


def click_box_button(text: str) -> list[str]:
    """Click the button labelled ``text`` of the next message box; returns its texts."""
    seen: list[str] = []

    def click() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible():
                seen.append(f"{widget.text()}\n{widget.informativeText()}")
                next(b for b in widget.buttons() if b.text() == text).click()
                return
        QTimer.singleShot(20, click)

    QTimer.singleShot(0, click)
    return seen


def test_keyboard_entry_saves_each_value(qtbot, page: EntryPage, case: Case) -> None:
    fields = [f.id for f in case.plan.form(case.form).fields]
    go_to(page, fields[0])
    for i, text in enumerate(case.row_values):
        # Enter on the last cell, Tab elsewhere: both move on.
        type_cell(qtbot, page, text, Qt.Key.Key_Return if i == len(fields) - 1 else Qt.Key.Key_Tab)
    expected = dict(zip(fields, case.row_values, strict=True))
    settle(qtbot, page, lambda: all(cell(page, f).data() == t for f, t in expected.items()))
    for field_id, text in expected.items():
        assert str(stored(page, case)[field_id]) == text
        assert cell(page, field_id).data() == text
    # Typing replaces: no stale digits left over from the earlier value.
    go_to(page, fields[0])
    type_cell(qtbot, page, "77")
    settle(qtbot, page, lambda: stored(page, case)[fields[0]] == 77)
    assert page.model.undo_stack.count() == len(fields) + 1


def test_paste_block_is_one_undo_step(qtbot, page: EntryPage, case: Case) -> None:
    fields = [f.id for f in case.plan.form(case.form).fields]
    QApplication.clipboard().setText("10\t3\t1\n")
    go_to(page, fields[0])
    qtbot.keyClick(page.grid, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, page, lambda: stored(page, case).get(fields[2]) == 1)
    assert [stored(page, case)[f] for f in fields[:3]] == [10, 3, 1]
    assert page.model.undo_stack.count() == 1

    qtbot.keyClick(page.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, page, lambda: stored(page, case).get(fields[0]) is None)
    assert all(stored(page, case).get(f) is None for f in fields[:3])
    assert cell(page, fields[1]).data() == ""

    qtbot.keyClick(page.grid, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, page, lambda: stored(page, case).get(fields[2]) == 1)
    assert cell(page, fields[0]).data() == "10"

    go_to(page, fields[1])
    qtbot.keyClick(page.grid, Qt.Key.Key_Delete)
    settle(qtbot, page, lambda: stored(page, case).get(fields[1]) is None)


def test_bad_value_is_kept_as_typed_and_marked(qtbot, page: EntryPage, case: Case) -> None:
    field_id = case.plan.form(case.form).fields[0].id
    go_to(page, field_id)
    type_cell(qtbot, page, "12a")
    settle(
        qtbot, page, lambda: "12a" in (cell(page, field_id).data(Qt.ItemDataRole.ToolTipRole) or "")
    )
    assert stored(page, case)[field_id] == "12a"
    index = cell(page, field_id)
    assert index.data() == "12a"
    assert index.data(SEVERITY_ROLE) == "error"
    assert "不是有效的数字" in index.data(Qt.ItemDataRole.ToolTipRole)
    listed = [page.problems.model.problem(r) for r in range(page.problems.model.rowCount())]
    assert any(p.field_id == field_id and "12a" in p.message for p in listed)


def _fill_row(qtbot, page: EntryPage, case: Case) -> None:
    fields = [f.id for f in case.plan.form(case.form).fields]
    QApplication.clipboard().setText("\t".join(case.row_values))
    go_to(page, fields[0])
    qtbot.keyClick(page.grid, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, page, lambda: len(stored(page, case)) == len(fields))


def test_rule_blocks_submit_until_fixed_then_lock_and_unlock(
    qtbot, page: EntryPage, case: Case
) -> None:
    _fill_row(qtbot, page, case)
    go_to(page, case.small)
    type_cell(qtbot, page, "99")
    settle(qtbot, page, lambda: cell(page, case.small).data(SEVERITY_ROLE) == "error")
    assert case.rule_message in cell(page, case.small).data(Qt.ItemDataRole.ToolTipRole)
    assert "错误 1 个" in page.problems.counts.text()

    # Submitting is refused with the reason, and the period stays a draft.
    seen = close_message_box(qtbot)
    qtbot.mouseClick(page.status.submit_button, Qt.MouseButton.LeftButton)
    settle(qtbot, page, lambda: bool(seen))
    assert case.rule_message in seen[0]
    assert status(page.ctx.store, case.plan.id, COUNTY, case.period).status == "none"

    # Jump from the problem list to the cell, fix it there.
    page.grid.setCurrentIndex(cell(page, case.big))
    view = page.problems.view
    center = view.visualRect(view.model().index(0, 3)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=center)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=center)
    assert page.grid.currentIndex() == cell(page, case.small)
    type_cell(qtbot, page, "1")
    settle(qtbot, page, lambda: cell(page, case.small).data(SEVERITY_ROLE) is None)

    # Asked first, told what it means and what is left to do; "取消" changes nothing.
    seen = click_box_button("取消")
    qtbot.mouseClick(page.status.submit_button, Qt.MouseButton.LeftButton)
    assert "锁定" in seen[0] and "导出报送文件" in seen[0] and "发送给上级单位" in seen[0]
    assert status(page.ctx.store, case.plan.id, COUNTY, case.period).status == "none"
    click_box_button("报送并锁定")
    qtbot.mouseClick(page.status.submit_button, Qt.MouseButton.LeftButton)
    settle(qtbot, page, lambda: "已报送" in page.status.label.text())
    assert status(page.ctx.store, case.plan.id, COUNTY, case.period).status == "submitted"
    assert "导出报送文件" in page.status.label.text()  # the next step
    assert page.status.submit_button.text() == "已报送"
    # Locked: read-only cells, typing opens no editor and changes nothing.
    assert not cell(page, case.big).flags() & Qt.ItemFlag.ItemIsEditable
    go_to(page, case.big)
    qtbot.keyClick(page.grid, "7")
    assert _editor(page) is None
    assert not page.status.submit_button.isEnabled()

    qtbot.mouseClick(page.status.unlock_button, Qt.MouseButton.LeftButton)
    dialog = page.status.unlock_dialog
    assert dialog is not None
    dialog.setTextValue("发现调解数填错")
    dialog.accept()
    settle(qtbot, page, lambda: "草稿" in page.status.label.text())
    assert "发现调解数填错" in page.status.label.text()
    history = page.ctx.store.conn.execute(
        "SELECT old_status, new_status, reason FROM period_status_history "
        "WHERE org_code = ? AND period = ? ORDER BY id",
        (COUNTY, str(case.period)),
    ).fetchall()
    assert history == [(None, "submitted", None), ("submitted", "draft", "发现调解数填错")]
    assert cell(page, case.big).flags() & Qt.ItemFlag.ItemIsEditable


def test_history_is_requested_for_the_current_cell(qtbot, page: EntryPage, case: Case) -> None:
    field_id = case.plan.form(case.form).fields[1].id
    go_to(page, field_id)
    with qtbot.waitSignal(page.history_requested) as signal:
        qtbot.keyClick(page.grid, Qt.Key.Key_F8)
    key, field, title = signal.args
    assert key == case.key and field == field_id and title


def test_models_pass_the_model_tester(qtbot, qtmodeltester, page: EntryPage, case: Case) -> None:
    _fill_row(qtbot, page, case)
    qtmodeltester.check(page.model)
    qtmodeltester.check(page.problems.model)
    qtmodeltester.check(page.periods.list_model)
