"""The gate's choices as the user meets them: a locked-period notice, overruling a refusal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from jlip_desk.periods import Period
from jlip_desk.services import period_status
from jlip_desk.services.demo import generate
from jlip_desk.services.excel import export_submissions_all
from jlip_desk.services.installation import bind
from jlip_desk.store.database import Store
from jlip_desk.store.plans import active_plan
from jlip_desk.ui import app as ui_app
from jlip_desk.ui.context import AppContext
from jlip_desk.ui.exchange_page import ExchangePage
from jlip_desk.ui.import_panel import IMPORT_KINDS
from jlip_desk.ui.registry_page import RegistryPage

LEFT = Qt.MouseButton.LeftButton
Q4 = Period(2025, 4)
COUNTY = "220105"


@pytest.fixture
def demo_ctx(store: Store) -> Iterator[AppContext]:
    ui_app.create_application()
    generate(store, seed=2021)
    bind(store, "220000")
    ctx = AppContext(store)
    yield ctx
    ctx.writer.close()


def _import(qtbot: QtBot, page: ExchangePage, files: list[Path]) -> None:
    panel = page.import_panel
    with qtbot.waitSignal(page.ctx.data_changed, timeout=30_000) as changed:
        panel.drop_zone.files_chosen.emit(files)
    assert changed.args == [IMPORT_KINDS]
    qtbot.waitUntil(lambda: panel.progress is None)


def test_a_cleared_code_is_refused_then_matched_on_the_users_choice(
    qtbot: QtBot, demo_ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, plan = demo_ctx.store, active_plan(demo_ctx.store)
    period_status.return_period(store, plan, COUNTY, Q4, "请核对")
    path = next(
        r.path for r in export_submissions_all(store, Q4, tmp_path, scope="220100")
        if r.org_code == COUNTY
    )  # fmt: skip
    wb = load_workbook(path)
    wb["维权援助工作站"]["A3"] = None
    wb.save(path)
    page = ExchangePage(demo_ctx)
    qtbot.addWidget(page)
    page.show()
    panel = page.import_panel
    _import(qtbot, page, [path])
    assert panel.files_model.index(0, 3).data() == "拒绝导入"
    assert panel.choice_button.isVisible()
    assert panel.choice_button.text() == "按已有记录匹配后重新导入…"
    asked: list[str] = []

    def answer(_parent: object, _title: str, text: str, *_rest: object) -> object:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(answer))
    with qtbot.waitSignal(demo_ctx.data_changed, timeout=30_000):
        qtbot.mouseClick(panel.choice_button, LEFT)
    qtbot.waitUntil(lambda: panel.progress is None)
    assert "同一单位" in asked[0]
    assert panel.files_model.rowCount() == 1
    assert panel.files_model.index(0, 3).data().startswith("已导入")
    assert not panel.choice_button.isVisible()


def test_registering_a_back_dated_station_tells_which_locked_periods_keep_their_data(
    qtbot: QtBot, store: Store
) -> None:
    from PySide6.QtWidgets import QComboBox

    from jlip_desk.plan.model import FieldType
    from jlip_desk.ui.date_edit import DateEdit
    from jlip_desk.ui.record_dialog import RecordDialog
    from jlip_desk.validation.formats import credit_code_check_char

    ui_app.create_application()
    generate(store, seed=2021)
    bind(store, COUNTY)
    ctx = AppContext(store)
    page = RegistryPage(ctx)
    qtbot.addWidget(page)
    page.show()
    registry = active_plan(store).registry("workstations")
    qtbot.mouseClick(page.add_button, LEFT)
    dialog = page.dialog
    assert isinstance(dialog, RecordDialog)
    body = f"91{COUNTY}MA000000"[:17].ljust(17, "1")
    typed = {"credit_code": body + credit_code_check_char(body), "phone": "0431-88886666"}
    for field in registry.fields:
        editor = dialog.editors[field.id]
        if field.type is FieldType.CHOICE:
            assert isinstance(editor, QComboBox)
            if not editor.currentText():
                editor.setCurrentIndex(1)
            continue
        text = typed.get(field.format or "")
        if text is None and field.type is FieldType.DATE and field.required:
            text = "2025-01-10"  # established after 2025Q1 was handed in
        if text is None and field.type is FieldType.TEXT and field.required:
            text = f"补登{field.label}"[: field.max_length or 20]
        if text is not None:
            target = editor.line if isinstance(editor, DateEdit) else editor
            target.setText(text)  # type: ignore[attr-defined]
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert ctx.writer.wait_idle()
    qtbot.waitUntil(lambda: getattr(page, "notice_box", None) is not None, timeout=5000)
    text = page.notice_box.text()
    assert "2025年第1季度" in text and "2025年第4季度" in text and "不要求补报" in text
    ctx.writer.close()


def test_a_period_handed_in_elsewhere_is_shown_as_such_after_the_refused_edit(
    qtbot: QtBot, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command line submitted the period while the window was open."""
    from jlip_desk.store.records import create_record
    from jlip_desk.ui import entry_model
    from jlip_desk.ui.entry_page import EntryPage

    ui_app.create_application()
    bind(store, "220102")
    plan = active_plan(store)
    values = {"name": "甲站", "established_on": "2024-01-05", "status": "运行"}
    with store.atomic():
        create_record(store, plan.id, plan.registry("workstations"), "220102", values,
                      store.new_change("typed"))  # fmt: skip
    ctx = AppContext(store)
    page = EntryPage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.choose_period("2025Q1")
    assert "未报送" in page.status.label.text()
    shown: list[str] = []
    monkeypatch.setattr(entry_model, "show_error", lambda _p, exc, _t: shown.append(str(exc)))
    # Elsewhere (another window, the command line): the quarter is filled and handed in.
    from jlip_desk.services.entry import save_values

    full = {f.id: "1" for f in plan.form("activity").fields if f.required}
    key = page.model.row(0).key
    save_values(store, plan, "activity", "220102", Period(2025, 1), key.subject, full)
    period_status.submit(store, plan, "220102", Period(2025, 1))
    model = page.model
    field = next(c for c in range(model.columnCount()) if model.field_at(c) is not None)
    assert model.setData(model.index(0, field), "7")
    ctx.writer.wait_idle()
    qtbot.waitUntil(lambda: bool(shown))
    assert "已报送并已锁定" in shown[0]
    qtbot.waitUntil(lambda: "已报送" in page.status.label.text())
    assert page.status.unlock_button.isEnabled()
    ctx.writer.close()
