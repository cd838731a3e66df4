"""The review matrix, driven like the province's reviewer (issue 8).

On main ``accept()`` and ``return_period()`` had no button: the province could
not accept or return a submission from the window, and the missing counties were
one status line cut off at the window's edge.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QInputDialog, QMessageBox, QTableView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from jlip_desk.periods import Period
from jlip_desk.services.demo import generate
from jlip_desk.services.excel import export_submission
from jlip_desk.services.installation import bind
from jlip_desk.services.period_status import status
from jlip_desk.services.review import review_matrix
from jlip_desk.store.database import Store
from jlip_desk.store.plans import active_plan
from jlip_desk.ui.context import AppContext
from jlip_desk.ui.main_window import MainWindow
from jlip_desk.ui.review_page import ReviewPage

Q4 = Period(2025, 4)
REASON = "结案数大于受理数,请核实后重新报送"


@pytest.fixture
def province(store: Store) -> Iterator[AppContext]:
    generate(store, seed=2021)
    bind(store, "220000")
    ctx = AppContext(store)
    yield ctx
    ctx.writer.close()


def _page(qtbot: QtBot, ctx: AppContext) -> ReviewPage:
    page = ReviewPage(ctx)
    qtbot.addWidget(page)
    page.resize(1300, 700)
    page.show()
    qtbot.waitUntil(lambda: page.loaded, timeout=30_000)
    return page


def test_the_matrix_shows_every_unit_by_period_with_counts_and_the_missing_list(
    qtbot: QtBot, qtmodeltester: ModelTester, province: AppContext
) -> None:
    page = _page(qtbot, province)
    qtmodeltester.check(page.model)
    matrix = page.model.matrix
    assert matrix is not None
    # Grouped by the nine prefectures, 60 counties, every period that has ended.
    assert len(matrix.groups) == 9
    assert sum(len(units) for _, units in matrix.groups) == 60
    assert matrix.periods[0] == max(matrix.periods)
    assert Q4 in matrix.periods and Period(2025) in matrix.periods
    # The demo leaves five counties' 2025Q4 unsent, and it is long past due.
    assert matrix.counts(Q4)["overdue"] == 5
    column = page.model.column_of(Q4)
    changchun = page.model.index(0, column)
    # 长春市: 9 of its 11 counties had a station or point then (the others owe nothing).
    assert page.model.data(changchun) == "8/9"
    page.select("220102", Q4)
    assert page.missing_list.count() == 5
    items = [page.missing_list.item(i).text() for i in range(5)]
    assert all("(逾期)" in text for text in items)
    assert "榆树市" in " ".join(items)
    assert "已报送(含已接收)36/41(逾期未收到 5,已收到 36;" in page.period_label.text()
    assert "另有 19 个单位无需报送" in page.period_label.text()


def test_accept_and_return_go_through_the_life_cycle_and_are_recorded(
    qtbot: QtBot, province: AppContext, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    page = _page(qtbot, province)
    plan = active_plan(province.store)
    # Accept two received reports at once.
    page.select("220102", Q4)
    page.select("220104", Q4, clear=False)
    assert page.accept_button.isEnabled() and page.return_button.isEnabled()
    with qtbot.waitSignal(province.data_changed, timeout=30_000):
        page.accept_button.click()
    qtbot.waitUntil(
        lambda: page.model.data(page.model.index(1, page.model.column_of(Q4))) == "已接收"
    )
    assert status(province.store, plan.id, "220102", Q4).status == "accepted"
    assert status(province.store, plan.id, "220104", Q4).status == "accepted"

    # Return one with a reason; an empty reason returns nothing.
    page.select("220102", Q4)
    warned: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda _p, _t, text: warned.append(text))
    )
    # A blank reason asks again (here: then cancelled), and returns nothing.
    answers = iter([("   ", True), ("", False)])
    monkeypatch.setattr(
        QInputDialog, "getMultiLineText", staticmethod(lambda *_a, **_k: next(answers))
    )
    page.return_button.click()
    assert warned and "必须填写原因" in warned[0] and next(answers, None) is None
    assert status(province.store, plan.id, "220102", Q4).status == "accepted"
    monkeypatch.setattr(
        QInputDialog, "getMultiLineText", staticmethod(lambda *_a, **_k: (REASON, True))
    )
    with qtbot.waitSignal(province.data_changed, timeout=30_000):
        page.return_button.click()
    state = status(province.store, plan.id, "220102", Q4)
    assert (state.status, state.reason) == ("returned", REASON)

    def shown_returned() -> bool:
        cell = page.model.cell(page.model.index(1, page.model.column_of(Q4)))
        return cell is not None and cell.status == "returned"

    qtbot.waitUntil(shown_returned)
    tip = page.model.data(page.model.index(1, page.model.column_of(Q4)), 3)  # ToolTipRole
    assert REASON in tip
    # Recorded: the change log names the step and the reason.
    notes = [r[0] for r in province.store.conn.execute("SELECT note FROM changes")]
    assert any(note and "退回" in note and REASON in note for note in notes)
    # And the reason travels in the next workbook made for the county.
    made = export_submission(province.store, "220102", Q4, tmp_path)
    from jlip_desk.excel.importer import read_submitted

    assert read_submitted(made.path).meta.returned_reason == REASON


def test_a_missing_report_can_be_neither_accepted_nor_returned(
    qtbot: QtBot, province: AppContext
) -> None:
    page = _page(qtbot, province)
    matrix = page.model.matrix
    assert matrix is not None
    missing = matrix.missing(Q4)[0]
    page.select(missing.org.code, Q4)
    assert not page.accept_button.isEnabled()
    assert not page.return_button.isEnabled()
    # Selected with a received one, it is left alone, and the message says so.
    received = next(c for c in matrix.cells.values() if c.period == Q4 and c.can_accept)
    page.select(received.org.code, Q4, clear=False)
    with qtbot.waitSignal(province.data_changed, timeout=30_000):
        page.accept_button.click()
    qtbot.waitUntil(lambda: page.done_text is not None)
    assert page.done_text is not None and page.done_text.startswith("已接收 1 份报送。")
    assert (
        f"所选的 {missing.org.name}{Q4.label}(逾期未收到)当前状态不能这样处理,未作改动"
        in page.done_text
    )
    plan = active_plan(province.store)
    assert status(province.store, plan.id, missing.org.code, Q4).status == "none"


def test_only_installations_that_receive_reports_have_the_page(qtbot: QtBot, store: Store) -> None:
    bind(store, "220102")
    ctx = AppContext(store)
    try:
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        titles = [window.nav_model.item(i).text() for i in range(window.nav_model.rowCount())]
        assert "报送审核" not in titles
    finally:
        ctx.writer.close()


def test_periods_still_running_are_not_columns(store: Store) -> None:
    generate(store, seed=2021)
    bind(store, "220000")
    plan = active_plan(store)
    matrix = review_matrix(store, plan, "220200", today=dt.date(2023, 5, 1))
    quarters = [p for p in matrix.periods if p.is_quarter]
    assert max(quarters) == Period(2023, 1)
    assert Period(2023) not in matrix.periods and Period(2022) in matrix.periods
    assert len(matrix.groups) == 1 and matrix.groups[0][0].code == "220200"
    # A quarter that ended, not yet due (15 days after its end, say): missing, not overdue.
    early = review_matrix(store, plan, "220200", today=Period(2021, 1).end + dt.timedelta(days=1))
    counts = early.counts(Period(2021, 1))
    assert counts["overdue"] == 0


def test_the_matrix_counts_like_every_other_view(store: Store) -> None:
    """A returned report is owed again: not handed in, and overdue once past due."""
    from jlip_desk.services.period_status import return_period
    from jlip_desk.services.reporting import period_overview

    generate(store, seed=2021)
    bind(store, "220000")
    plan = active_plan(store)
    return_period(store, plan, "220102", Q4, REASON)
    today = dt.date(2026, 12, 3)
    matrix = review_matrix(store, plan, "220000", today=today)
    overview = period_overview(store, plan, "220000", Q4, today=today)
    assert matrix.handed_in(Q4) == overview.handed_in == 35
    assert matrix.overdue(Q4) == overview.counts["overdue"] == 6
    assert matrix.expected(Q4) == overview.expected == 60 - len(overview.exempt) == 41
    assert matrix.exempt(Q4) == len(overview.exempt)
    assert "220102" in {c.org.code for c in matrix.missing(Q4)}
    assert matrix.handed_in(Q4, "220100") == 7


def test_a_county_that_owed_nothing_is_shown_so_and_not_counted(
    qtbot: QtBot, province: AppContext
) -> None:
    """The demo's counties without a station in 2021Q3 owe nothing then: their cells say
    无需报送 and they are in no count of that quarter."""
    from jlip_desk.services.reporting import EXEMPT_WHY, period_overview

    page = _page(qtbot, province)
    matrix = page.model.matrix
    assert matrix is not None
    quarter = Period(2021, 3)
    overview = period_overview(province.store, province.plan, "220000", quarter)
    exempt = [o.code for o in overview.exempt]
    assert exempt and matrix.exempt(quarter) == len(exempt)
    assert matrix.expected(quarter) == overview.expected == 60 - len(exempt)
    cell = page.model.index(page.model.row_of(exempt[0]), page.model.column_of(quarter))
    assert cell.data() == "无需报送" and "无需报送" in page.legend.text()
    assert EXEMPT_WHY in cell.data(Qt.ItemDataRole.ToolTipRole)
    page.select(exempt[0], quarter)
    assert f"另有 {len(exempt)} 个单位无需报送" in page.period_label.text()
    assert not page.accept_button.isEnabled() and not page.return_button.isEnabled()


def test_the_unit_column_stays_in_view_when_the_matrix_scrolls_sideways(
    qtbot: QtBot, province: AppContext
) -> None:
    """Scrolled to an old period, the rows are still told apart by their 单位."""
    page = _page(qtbot, province)
    page.resize(900, 500)
    table, model = page.table, page.model
    matrix = model.matrix
    assert matrix is not None
    across, down = table.horizontalScrollBar(), table.verticalScrollBar()
    qtbot.waitUntil(lambda: across.maximum() > 0 and down.maximum() > 0)
    across.setValue(across.maximum())
    assert table.columnViewportPosition(0) < 0  # the table's own 单位 column is out of view
    frozen = table.findChild(QTableView, "frozenColumns")
    assert frozen is not None and frozen.isVisible()
    # Laid over the viewport's left edge, as tall as the header and the rows, 单位 only.
    viewport = table.viewport().geometry()
    assert frozen.geometry().left() == viewport.left()
    assert frozen.geometry().bottom() >= viewport.bottom()
    assert frozen.width() == table.columnWidth(0) > 0
    shown = [c for c in range(model.columnCount()) if not frozen.isColumnHidden(c)]
    assert shown == [0]
    assert frozen.model().headerData(0, Qt.Orientation.Horizontal) == "单位"
    assert frozen.horizontalHeader().height() == table.horizontalHeader().height()
    # The names are painted there: a prefecture row (bold, shaded) and a county row.
    prefecture, counties = matrix.groups[0]
    county = counties[0]
    row = model.row_of(county.code)
    for index, name in ((model.index(0, 0), prefecture.name), (model.index(row, 0), county.name)):
        rect = frozen.visualRect(index)
        assert frozen.viewport().rect().contains(rect.center())
        assert frozen.indexAt(rect.center()) == index
        assert index.data().strip() == name
    group = frozen.visualRect(model.index(0, 0))
    painted = frozen.viewport().grab().toImage()
    assert painted.pixelColor(group.right() - 3, group.center().y()) == QColor("#eef1f5")
    assert model.index(0, 0).data(Qt.ItemDataRole.FontRole).bold()

    # Scrolled down, the frozen rows move with the table's.
    down.setValue(down.maximum() // 2)
    assert frozen.verticalScrollBar().value() == down.value()
    last = model.rowCount() - 1
    for r in (table.rowAt(5), table.rowAt(table.viewport().height() // 2), last):
        assert frozen.rowAt(table.visualRect(model.index(r, 1)).center().y()) == r
        assert (
            frozen.visualRect(model.index(r, 0)).top() == table.visualRect(model.index(r, 1)).top()
        )

    # Selecting a cell keeps it in view right of the frozen column: the oldest period
    # from the left, and the newest one when scrolled right (it would land beneath).
    for start, period in ((0, matrix.periods[-1]), (across.maximum(), matrix.periods[0])):
        across.setValue(start)
        page.select(county.code, period)
        rect = table.visualRect(model.index(row, model.column_of(period)))
        assert rect.left() >= frozen.width() - 1
        assert rect.right() <= table.viewport().width()
        assert table.viewport().rect().contains(rect.center())
