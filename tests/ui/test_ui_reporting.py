"""Aggregate views tell one story: overview, entry header, period list and ``summary --json``.

On the demo store, for a quarter, a year and a quarter with returned and accepted
units, every view shows the counts of the one overview function, and the period
list's error counts equal the problems pane under the grid.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt

from jlip_desk.cli import main
from jlip_desk.periods import Period
from jlip_desk.services import period_status
from jlip_desk.services.demo import generate
from jlip_desk.services.installation import bind
from jlip_desk.services.reporting import data_text
from jlip_desk.store.database import Store
from jlip_desk.store.plans import active_plan
from jlip_desk.ui import app as ui_app
from jlip_desk.ui.context import AppContext
from jlip_desk.ui.entry_page import EntryPage
from jlip_desk.ui.overview_page import OverviewPage

PROVINCE, CHANGCHUN = "220000", "220100"
Q4, YEAR, OLD = Period(2025, 4), Period(2025), Period(2024, 2)
RETURNED = "220103"  # had a station in OLD: it owed and handed the quarter in


@pytest.fixture
def demo(store: Store) -> Store:
    generate(store, seed=3)
    bind(store, PROVINCE)
    # An older quarter with accepted units and one returned with a reason.
    period_status.return_period(store, active_plan(store), RETURNED, OLD, "请补充说明")
    return store


@pytest.fixture
def ctx(demo: Store) -> Iterator[AppContext]:
    ui_app.create_application()
    context = AppContext(demo)
    yield context
    context.writer.close()


def _summary_json(capsys: pytest.CaptureFixture[str], period: Period, org: str) -> dict[str, Any]:
    assert main(["summary", "--json", "--period", str(period), "--org", org]) == 0
    return json.loads(capsys.readouterr().out)["reporting"]


def _entry_page(qtbot, ctx: AppContext) -> EntryPage:
    page = EntryPage(ctx)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    qtbot.waitExposed(page)
    return page


def _show(qtbot, page: EntryPage, scope: str, period: Period) -> None:
    page.scope_combo.setCurrentIndex(page.scope_combo.findData(scope))
    page.choose_period(str(period))
    qtbot.waitUntil(lambda: not page.periods.loading, timeout=20_000)
    qtbot.waitUntil(lambda: page.periods.overview(str(period)) is not None, timeout=20_000)


@pytest.mark.parametrize("period", [Q4, YEAR, OLD], ids=str)
def test_every_aggregate_view_shows_the_same_counts(
    qtbot, ctx: AppContext, capsys: pytest.CaptureFixture[str], period: Period
) -> None:
    reporting = _summary_json(capsys, period, PROVINCE)
    counts = reporting["counts"]
    owing = reporting["expected"]
    assert owing == sum(counts[k] for k in counts if k != "overdue")
    assert owing + len(reporting["exempt"]) == 60
    if period == OLD:
        assert counts["returned"] == 1 and counts["accepted"] > 0
    words = data_text(reporting)

    # The overview page.
    overview = OverviewPage(ctx)
    qtbot.addWidget(overview)
    qtbot.waitUntil(lambda: overview.period_combo.count() > 0, timeout=20_000)
    overview.period_combo.setCurrentIndex(overview.period_combo.findData(str(period)))
    qtbot.waitUntil(lambda: words in overview.reporting.text(), timeout=20_000)

    # The entry page: header and period list of 吉林省(全部).
    page = _entry_page(qtbot, ctx)
    _show(qtbot, page, PROVINCE, period)
    assert page.status.label.text() == f"状态:{words}"
    listed = page.periods.overview(str(period))
    assert listed is not None
    assert (listed.counts, listed.errors, listed.warnings) == (
        counts,
        reporting["errors"],
        reporting["warnings"],
    )
    row = page.periods.list_model.row_of(str(period))
    shown = page.periods.list_model.index(row, 1).data()
    assert shown.startswith(f"已报 {reporting['handed_in']}/{owing}")
    assert page.periods.list_model.index(row, 2).data() == str(reporting["errors"])

    # ``status --json`` is the same overview.
    assert main(["status", "--json", "--period", str(period)]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["counts"] == counts and status["units"] == reporting["units"]


@pytest.mark.parametrize("scope", [PROVINCE, CHANGCHUN])
def test_period_list_errors_equal_the_problems_pane(
    qtbot, ctx: AppContext, capsys: pytest.CaptureFixture[str], scope: str
) -> None:
    page = _entry_page(qtbot, ctx)
    checked = 0
    for period in (Q4, Period(2025, 3), YEAR):
        _show(qtbot, page, scope, period)
        errors, warnings = page.problems.model.counts()
        listed = page.periods.overview(str(period))
        assert listed is not None
        assert (listed.errors, listed.warnings) == (errors, warnings), period
        assert page.problems.counts.text() == f"本期问题:错误 {errors} 个,警告 {warnings} 个"
        assert listed.errors == _summary_json(capsys, period, scope)["errors"]
        checked += errors
    assert checked > 0  # the demo leaves some units' periods blank on purpose


def test_an_edit_in_a_scope_recounts_the_period_list_as_a_fresh_count(
    qtbot, ctx: AppContext
) -> None:
    from jlip_desk.services.reporting import period_overviews

    page = _entry_page(qtbot, ctx)
    period = Q4
    _show(qtbot, page, PROVINCE, period)
    model = page.model
    before = page.periods.overview(str(period))
    assert before is not None and before.errors > 0
    # Fill one blank required cell of a unit that has not handed the quarter in.
    pending = {u.org.code for u in before.units if not u.handed_in and u.errors}
    while model.canFetchMore(QModelIndex()):  # as scrolling down does
        model.fetchMore(QModelIndex())
    row = next(i for i in range(model.rowCount()) if model.row(i).key.org_code in pending)
    column = next(
        c
        for c in range(model.columnCount())
        if (f := model.field_at(c)) is not None
        and f.required
        and model.row(row).values.get(f.id) is None
    )
    assert model.setData(model.index(row, column), "1")
    ctx.writer.wait_idle()
    qtbot.waitUntil(lambda: not model.saving)
    qtbot.waitUntil(lambda: (page.periods.overview(str(period)) or before).errors < before.errors)
    shown = page.periods.list_model.overviews()
    fresh = period_overviews(ctx.store, ctx.plan, PROVINCE)
    assert [(o.period, o.counts, o.errors, o.warnings) for o in shown] == [
        (o.period, o.counts, o.errors, o.warnings) for o in fresh
    ]
    now = next(o for o in fresh if o.period == period)
    assert page.status.label.text() == f"状态:{now.text()}"


def test_the_missing_units_are_all_listed(qtbot, ctx: AppContext) -> None:
    """No cut-off line: the overview names the count and a dialog lists every unit."""
    from jlip_desk.services.reporting import period_overview

    # Make many units miss 2025Q4 so the line must abbreviate.
    plan = ctx.plan
    for unit in period_overview(ctx.store, plan, PROVINCE, Q4).units:
        if unit.state.status == "submitted" and unit.org.parent_code in ("220200", "220300"):
            period_status.return_period(ctx.store, plan, unit.org.code, Q4, "请核对")
    expected = period_overview(ctx.store, plan, PROVINCE, Q4)
    pending = sorted(u.org.code for u in expected.not_handed_in)
    assert len(pending) > 8

    page = OverviewPage(ctx)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    qtbot.waitUntil(lambda: page.period_combo.count() > 0, timeout=20_000)
    page.period_combo.setCurrentIndex(page.period_combo.findData(str(Q4)))
    qtbot.waitUntil(lambda: expected.text() in page.reporting.text(), timeout=20_000)
    assert f"等 {len(pending)} 个" in page.reporting.text()
    assert page.units_button.isEnabled()
    page.units_button.click()
    dialog = page.units_dialog
    assert dialog is not None and dialog.isVisible()
    # Sorted by code, ascending, as the header's arrow says.
    header = dialog.table.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        0,
        Qt.SortOrder.AscendingOrder,
    )
    assert dialog.shown_codes() == sorted(dialog.shown_codes())
    # Every unit that owes the quarter (not those with nothing to report).
    assert dialog.model.rowCount() == expected.expected == 60 - len(expected.exempt)
    assert f"另有 {len(expected.exempt)} 个单位无需报送" in dialog.summary.text()
    dialog.filter_combo.setCurrentIndex(dialog.filter_combo.findData("pending"))
    assert sorted(dialog.shown_codes()) == pending
    assert dialog.shown.text() == f"共 {len(pending)} / {expected.expected} 个单位"
    dialog.filter_combo.setCurrentIndex(dialog.filter_combo.findData("returned"))
    assert len(dialog.shown_codes()) == expected.counts["returned"]
    dialog.close()


def test_the_entry_header_opens_the_units_of_its_scope(qtbot, ctx: AppContext) -> None:
    page = _entry_page(qtbot, ctx)
    _show(qtbot, page, CHANGCHUN, Q4)
    assert page.status.units_button.isVisible() and not page.status.submit_button.isVisible()
    page.status.units_button.click()
    dialog = page.status.units_dialog
    assert dialog is not None
    # Changchun's 11 counties: those that owe the quarter are listed, the rest counted.
    overview = page.status.overview
    assert overview is not None and overview.exempt
    assert dialog.model.rowCount() == overview.expected == 11 - len(overview.exempt)
    # One county: its own state and the submit button, no units button.
    _show(qtbot, page, "220102", Q4)
    assert not page.status.units_button.isVisible() and page.status.submit_button.isVisible()


def test_the_period_list_recounts_only_after_a_write(
    qtbot, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tab or period change reuses the counts; anything written makes them count again."""
    from jlip_desk.ui import period_list

    page = _entry_page(qtbot, ctx)
    _show(qtbot, page, RETURNED, Q4)
    calls: list[str] = []
    real = period_list.period_overviews  # type: ignore[attr-defined]

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[2])
        return real(*args, **kwargs)

    monkeypatch.setattr(period_list, "period_overviews", counting)
    page.periods.load(RETURNED, own=True)
    assert calls == []
    # Written through another connection, as the writer thread or an import does.
    other = Store.open(ctx.store.path, migrate=False)
    try:
        period_status.return_period(other, active_plan(other), RETURNED, Q4, "请核对")
    finally:
        other.close()
    page.periods.load(RETURNED, own=True)
    assert calls == [RETURNED]
    listed = page.periods.overview(str(Q4))
    assert listed is not None and listed.single is not None
    assert listed.single.state.status == "returned"
