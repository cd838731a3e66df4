"""The period list: every period with its status colour and problem counts; click to open."""

from __future__ import annotations

from PySide6.QtCore import Qt

from jlip_desk.periods import Period
from jlip_desk.plan.model import Plan
from jlip_desk.services.installation import bind
from jlip_desk.services.period_status import submit
from jlip_desk.store.database import Store
from jlip_desk.ui import app as ui_app
from jlip_desk.ui.context import AppContext
from jlip_desk.ui.entry_page import EntryPage
from jlip_desk.ui.period_list import PERIOD_ROLE, STATUS_COLOURS, STATUS_ROLE

COUNTY = "220102"


def _station(store: Store, plan: Plan, established: str) -> str:
    """The county's installation with one running workstation set up on ``established``."""
    from jlip_desk.store.records import create_record

    ui_app.create_application()
    bind(store, COUNTY)
    values = {"name": "甲站", "established_on": established, "status": "运行"}
    with store.atomic():
        change = store.new_change("typed")
        return create_record(store, plan.id, plan.registry("workstations"), COUNTY, values,
                             change)  # fmt: skip


def _page(qtbot, ctx: AppContext) -> EntryPage:
    page = EntryPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_period_list_shows_status_and_opens_period(
    qtbot, qtmodeltester, store: Store, plan14: Plan
) -> None:
    ui_app.create_application()
    bind(store, COUNTY)
    submit(store, plan14, COUNTY, Period(2024, 3))
    ctx = AppContext(store)
    page = EntryPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    view = page.periods
    model = view.list_model
    qtmodeltester.check(model)
    row = model.row_of("2024Q3")
    assert model.index(row, 1).data() == "已报送"
    assert model.index(row, 1).data(STATUS_ROLE) == "submitted"
    brush = model.index(row, 0).data(Qt.ItemDataRole.BackgroundRole)
    assert brush.color() == STATUS_COLOURS["submitted"]
    # Clicking a year switches the page to the annual form for that year.
    year = model.row_of("2023")
    view.scrollTo(model.index(year, 0))
    rect = view.visualRect(model.index(year, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert model.index(year, 0).data(PERIOD_ROLE) == "2023"
    form = page.current_form()
    assert form is not None and form.id == "county_annual"
    assert str(page.current_period()) == "2023"
    ctx.writer.close()


def test_an_edit_recounts_its_period_and_the_later_ones_as_a_full_count_would(
    qtbot, store: Store, plan14: Plan
) -> None:
    """The period list after an edit equals a fresh count, and only the edit's form moved."""
    from jlip_desk.services.reporting import period_overviews

    code = _station(store, plan14, "2024-01-05")
    ctx = AppContext(store)
    page = _page(qtbot, ctx)
    page.choose_period("2024Q2")
    model = page.model
    row = next(i for i in range(model.rowCount()) if model.row(i).key.subject == code)
    field = next(c for c in range(model.columnCount()) if model.field_at(c) is not None)
    assert model.setData(model.index(row, field), "5")  # one required figure less missing
    ctx.writer.wait_idle()
    qtbot.waitUntil(lambda: not model.saving)
    shown = page.periods.list_model.overviews()
    fresh = period_overviews(store, plan14, COUNTY, own=True)
    assert [(s.period, s.errors, s.warnings) for s in shown] == [
        (s.period, s.errors, s.warnings) for s in fresh
    ]
    by_period = {s.period: s for s in shown}
    assert by_period[Period(2024, 2)].errors < by_period[Period(2024, 1)].errors
    ctx.writer.close()


def test_only_the_quarters_a_county_owes_are_marked_missing_or_overdue(
    qtbot, store: Store, plan14: Plan
) -> None:
    """A county whose first station opened in May 2024 owes no quarter before it: those
    quarters say 无需报送 in grey, not 未报送(逾期) in red; every year is owed."""
    from jlip_desk.services.reporting import EXEMPT_WHY
    from jlip_desk.ui.period_list import EXEMPT_TEXT, OVERDUE_TEXT

    _station(store, plan14, "2024-05-01")
    ctx = AppContext(store)
    page = _page(qtbot, ctx)
    model = page.periods.list_model
    state = Qt.ItemDataRole.ForegroundRole

    def cell(period: str) -> tuple[str, str, object]:
        index = model.index(model.row_of(period), 1)
        return index.data(), index.data(STATUS_ROLE), index.data(state).color()

    for period in ("2021Q1", "2023Q4", "2024Q1"):
        assert cell(period) == ("无需报送", "exempt", EXEMPT_TEXT), period
    assert EXEMPT_WHY in model.index(model.row_of("2021Q1"), 1).data(Qt.ItemDataRole.ToolTipRole)
    for period in ("2024Q2", "2025Q4", "2021", "2025"):
        assert cell(period) == ("未报送(逾期)", "none", OVERDUE_TEXT), period

    # The entry header of a quarter owed by nobody says so instead of a bare 未报送.
    page.choose_period("2023Q2")
    assert page.model.rowCount() == 0
    assert page.status.label.text() == f"状态:无需报送  {EXEMPT_WHY}"
    page.choose_period("2024Q3")
    assert page.status.label.text() == "状态:未报送"
    ctx.writer.close()
