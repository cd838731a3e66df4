"""The dashboard page: loads in the background, follows the period, drills down, exports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
from PySide6.QtGui import QImage

from jlip_desk.periods import Period
from jlip_desk.services.dashboard import build_dashboard
from jlip_desk.services.demo import generate
from jlip_desk.services.installation import bind
from jlip_desk.store.database import Store
from jlip_desk.ui import app as ui_app
from jlip_desk.ui.context import AppContext
from jlip_desk.ui.dashboard_page import DashboardPage, render_chart_images

PROVINCE, CHANGCHUN, NANGUAN = "220000", "220100", "220102"


@pytest.fixture
def demo(store: Store) -> Store:
    generate(store, seed=3)
    bind(store, PROVINCE)
    return store


@pytest.fixture
def ctx(demo: Store) -> Iterator[AppContext]:
    ui_app.create_application()
    context = AppContext(demo)
    yield context
    context.writer.close()


def _page(qtbot, ctx: AppContext) -> DashboardPage:
    page = DashboardPage(ctx)
    qtbot.addWidget(page)
    page.resize(1300, 900)
    page.show()
    qtbot.waitExposed(page)
    qtbot.waitUntil(lambda: page.loads >= 1 and not page.loading, timeout=30_000)
    return page


def _variance(image: QImage) -> float:
    """The variance of the grey levels of a sample of pixels: 0 for a blank image."""
    values = [
        image.pixelColor(x, y).lightness()
        for x in range(0, image.width(), 4)
        for y in range(0, image.height(), 4)
    ]
    mean = sum(values) / len(values)
    return sum((v - mean) ** 2 for v in values) / len(values)


def test_page_loads_and_follows_the_period(qtbot, ctx: AppContext, demo: Store) -> None:
    page = _page(qtbot, ctx)
    dash = page.dashboard
    assert dash is not None and dash.is_province
    expected = build_dashboard(demo, Period(2025, 4), PROVINCE)
    assert dash.period == "2025Q4"
    assert [s.count for s in dash.counts] == [s.count for s in expected.counts]
    assert "工作站" in page.chart("counts").title
    # Exact values on hover: the tip of the last quarter's point names its count.
    ws = dash.count("workstations")
    counts = page.chart("counts")
    last = len(dash.quarters) - 1
    tip = counts.hover_text(last, ws.cumulative[-1], pixel=(0.01, 0.01))
    assert tip is not None and f"{ws.cumulative[-1]} 个" in tip and "2025Q4" in tip

    page.period_combo.setCurrentIndex(page.period_combo.findData("2023Q2"))
    qtbot.waitUntil(lambda: page.dashboard is not None and page.dashboard.period == "2023Q2",
                    timeout=30_000)  # fmt: skip
    earlier = page.dashboard
    assert earlier is not None and len(earlier.quarters) == 10
    assert (
        earlier.count("workstations").count
        == build_dashboard(demo, Period(2023, 2), PROVINCE).count("workstations").count
    )


def test_drill_down_to_a_prefecture_and_back(qtbot, ctx: AppContext) -> None:
    page = _page(qtbot, ctx)
    assert not page.back_button.isVisibleTo(page)
    index = next(i for i, g in enumerate(page.charts.groups) if g.code == CHANGCHUN)
    page.bar_clicked(index)  # what a click on 长春市's bars calls
    qtbot.waitUntil(lambda: page.dashboard is not None and page.dashboard.org["code"] == CHANGCHUN,
                    timeout=30_000)  # fmt: skip
    assert page.back_button.isVisibleTo(page)
    names = [g.name for g in page.charts.groups]
    assert "南关区" in names and "长春市" not in names
    dash = page.dashboard
    assert dash is not None and all(s.target is None for s in dash.counts)
    assert "占全省" in page.chart("counts").plotItem.titleLabel.text
    page.bar_clicked(0)  # a county is not drillable: nothing happens
    page.back_button.click()
    qtbot.waitUntil(lambda: page.dashboard is not None and page.dashboard.org["code"] == PROVINCE,
                    timeout=30_000)  # fmt: skip
    assert not page.back_button.isVisibleTo(page)


def test_export_png_is_not_blank(qtbot, ctx: AppContext, tmp_path: Path) -> None:
    page = _page(qtbot, ctx)
    for key in ("counts", "by_group", "indicator0", "activity", "reporting"):
        target = tmp_path / f"{key}.png"
        assert page.export_png(key, target)
        image = QImage(str(target))
        assert not image.isNull() and image.width() > 200
        assert _variance(image) > 50, key


def test_data_changed_refreshes(qtbot, ctx: AppContext, demo: Store) -> None:
    page = _page(qtbot, ctx)
    before = page.loads
    dash = page.dashboard
    assert dash is not None
    ctx.data_changed.emit(("records",))
    qtbot.waitUntil(lambda: page.loads > before and not page.loading, timeout=30_000)
    assert page.dashboard is not dash


def test_a_county_sees_its_own_counts(qtbot, demo: Store) -> None:
    bind(demo, NANGUAN, force=True)
    ui_app.create_application()
    context = AppContext(demo)
    try:
        page = _page(qtbot, context)
        dash = page.dashboard
        assert dash is not None and dash.org["code"] == NANGUAN
        assert all(s.target is None for s in dash.counts)
        title = page.chart("counts").plotItem.titleLabel.text
        assert "占全省" in title and "目标路径" not in " ".join(page.chart("counts").tips())
    finally:
        context.writer.close()


def test_render_chart_images(qtbot, ctx: AppContext) -> None:
    images = render_chart_images(ctx, None, "2025Q4", (480, 300))
    assert len(images) >= 8
    for title, image in images:
        assert title and image.width() == 480 and image.height() == 300
        assert _variance(image) > 50, title


def test_the_report_of_what_the_page_shows_exports_as_pdf_and_workbook(
    qtbot, ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openpyxl import load_workbook
    from PySide6.QtWidgets import QFileDialog

    page = _page(qtbot, ctx)
    page.bar_clicked(0)  # drill into 长春市: the report follows
    qtbot.waitUntil(
        lambda: page.dashboard is not None and page.dashboard.org["code"] == CHANGCHUN,
        timeout=30_000,
    )
    for name in ("report.pdf", "report.xlsx"):
        answer = (str(tmp_path / name), "")
        monkeypatch.setattr(
            QFileDialog, "getSaveFileName", staticmethod(lambda *_a, _x=answer, **_k: _x)
        )
        page.report_button.click()
        assert page.last_report == tmp_path / name
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
    book = load_workbook(tmp_path / "report.xlsx", read_only=True)
    head = [str(row[0]) for row in book.worksheets[0].iter_rows(max_row=3, values_only=True)]
    assert any("长春市" in line for line in head), head


def test_the_dashboard_is_in_the_navigation(qtbot, ctx: AppContext) -> None:
    from jlip_desk.ui.main_window import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    titles = [window.nav_model.item(i).text() for i in range(window.nav_model.rowCount())]
    assert titles[:2] == ["进度概览", "进度图表"]


def test_the_window_starts_without_loading_pyqtgraph() -> None:
    """The charts' library is loaded when the page is first opened, not at start-up."""
    import subprocess
    import sys

    code = (
        "import sys; from jlip_desk.ui import app, main_window; "
        "main_window.default_pages(); print('pyqtgraph' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


def test_every_prefecture_has_a_label_that_fits(qtbot, ctx: AppContext) -> None:
    """延边朝鲜族自治州 was too long for its bar pair, and pyqtgraph dropped the label."""
    from jlip_desk.ui.dashboard_page import axis_name

    page = _page(qtbot, ctx)
    ticks = cast(tuple[str, ...], page.charts.by_group._head[4])
    assert len(ticks) == 9 and "延边州" in ticks
    assert all(len(t) <= 4 for t in ticks)
    assert axis_name("前郭尔罗斯蒙古族自治县") == "前郭县" and axis_name("长春市") == "长春市"


@pytest.mark.parametrize("size", [(1366, 768), (1300, 1400)], ids=["small", "tall"])
def test_no_legend_covers_the_data(qtbot, ctx: AppContext, size: tuple[int, int]) -> None:
    """At 1366x768 the legends lay over the highest points and the value labels: the
    value axis leaves the legend's own height (and a label's) free above the data."""
    from PySide6.QtCore import QPointF

    page = _page(qtbot, ctx)
    page.resize(*size)
    qtbot.wait(50)  # the charts' layout follows the resize
    for chart in page.charts.charts():
        top = chart._y_max
        if top is None or not chart.legend.items:
            continue
        vb = chart.plotItem.vb
        legend_bottom = chart.legend.pos().y() + chart.legend.height()
        data_top = vb.mapFromView(QPointF(0, top)).y()
        above = 24 if chart._labelled else 0  # two lines of small text above a bar
        assert data_top - above >= legend_bottom, (chart.key, data_top, legend_bottom)
        assert not chart.plotItem.autoBtn.isVisible()  # no auto-range "A" button


def test_a_county_s_few_stations_are_ticked_in_whole_numbers(qtbot, store: Store) -> None:
    """Two stations were ticked 0.5, 1.0, 1.5 个: counts are whole numbers."""
    bind(store, "220105")
    generate(store)  # the county's own few stations and points
    ui_app.create_application()
    context = AppContext(store)
    try:
        page = _page(qtbot, context)
        checked = 0
        for chart in page.charts.charts():
            top = chart._y_max
            if not chart._counts or top is None:
                continue
            low, high = chart.plotItem.vb.viewRange()[1]
            axis = chart.plotItem.getAxis("left")
            if high > 10:
                continue
            values = [v for _, level in axis.tickValues(low, high, 200) for v in level]
            assert values and all(float(v).is_integer() for v in values), (chart.key, values)
            checked += 1
        assert checked >= 2
    finally:
        context.writer.close()
