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
