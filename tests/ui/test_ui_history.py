"""History panel: typed, imported and demo changes of a record or a cell, newest first."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from jlip_desk.plan.model import Plan
from jlip_desk.services.demo import generate
from jlip_desk.services.installation import bind
from jlip_desk.services.registry import add_record, update_record
from jlip_desk.store.cells import CellKey, write_values
from jlip_desk.store.database import Store
from jlip_desk.ui.context import AppContext
from jlip_desk.ui.history_model import ACTION_ROLE, HistoryModel
from jlip_desk.ui.history_panel import HistoryPanel, make_history_dock
from jlip_desk.validation.formats import make_credit_code

STATION = {
    "name": "南关区维权援助工作站",
    "host_org": "南关区知识产权服务中心",
    "host_credit_code": make_credit_code("91220102MA0000001"),
    "host_type": "服务机构",
    "established_on": "2023-04-01",
    "status": "运行",
    "contact": "王伟",
    "phone": "13912345678",
}
SHA = "3f" * 32


@pytest.fixture
def ctx(store: Store) -> Iterator[AppContext]:
    bind(store, "220102")
    context = AppContext(store)
    yield context
    context.writer.close()


def rows(panel: HistoryPanel) -> list[tuple[str, ...]]:
    model = panel.model
    return [
        tuple(model.index(r, c).data() for c in range(model.columnCount()))
        for r in range(model.rowCount())
    ]


def test_record_history_follows_typed_changes(
    qtbot: QtBot, ctx: AppContext, store: Store, plan14: Plan
) -> None:
    panel = HistoryPanel(ctx)
    qtbot.addWidget(panel)
    code = add_record(store, plan14, "workstations", "220102", STATION)
    panel.show_record(code)
    assert "南关区维权援助工作站" in panel.title.text() and code in panel.title.text()
    first = rows(panel)
    assert ("联系人", "(空)", "王伟", "手工录入") in [r[1:5] for r in first]
    assert first[0][0][:4].isdigit() and "T" not in first[0][0]

    # A change made through the writer shows up on the data_changed refresh, newest first.
    ctx.writer.submit(
        lambda s: update_record(s, plan14, code, {"contact": "李娜"}), kinds=("records",)
    )
    assert ctx.writer.wait_idle()
    qtbot.waitUntil(lambda: panel.model.rowCount() == len(first) + 1)
    assert rows(panel)[0][1:5] == ("联系人", "王伟", "李娜", "手工录入")


def test_cell_history_names_the_imported_file(
    qtbot: QtBot, ctx: AppContext, store: Store, plan14: Plan
) -> None:
    code = add_record(store, plan14, "workstations", "220102", STATION)
    key = CellKey(plan14.id, "activity", "220102", "2025Q1", code)
    with store.atomic():
        typed = store.new_change("typed")
        write_values(store, key, {"consultations": 5, "cases_accepted": 1}, typed)
    with store.atomic():
        imported = store.new_change("imported", source_file="南关区2025Q1.xlsx", source_sha256=SHA)
        write_values(store, key, {"consultations": 7.0}, imported)
    dock = make_history_dock(ctx)
    qtbot.addWidget(dock)
    assert dock.objectName() and not dock.isVisible()
    dock.show_cell(key, "consultations", "南关区维权援助工作站 · 2025年第1季度 · 接待咨询")
    assert dock.isVisible()
    shown = rows(dock.panel)
    assert [r[1:5] for r in shown] == [
        ("接待咨询", "5", "7", "导入 南关区2025Q1.xlsx"),
        ("接待咨询", "(空)", "5", "手工录入"),
    ]
    assert shown[0][6] == SHA[:12] and shown[1][6] == ""
    assert dock.panel.model.index(0, 0).data(ACTION_ROLE) == "imported"
    assert "2025年第1季度" in dock.panel.title.text()
    dock.panel.show_cell(key, None, "整行")
    assert {r[1] for r in rows(dock.panel)} == {"接待咨询", "受理维权援助案件"}


def test_demo_data_is_labelled_and_the_model_passes_the_tester(
    qtmodeltester: ModelTester, qtbot: QtBot, ctx: AppContext, store: Store
) -> None:
    generate(store)
    code = store.conn.execute(
        "SELECT code FROM records WHERE org_code = '220102' ORDER BY code"
    ).fetchone()[0]
    panel = HistoryPanel(ctx)
    qtbot.addWidget(panel)
    panel.show_record(code)
    assert panel.model.rowCount() > 5
    assert {r[4] for r in rows(panel)} == {"演示数据"}
    qtmodeltester.check(panel.model)
    empty = HistoryModel()
    qtmodeltester.check(empty)
    panel.clear()
    assert panel.model.rowCount() == 0
