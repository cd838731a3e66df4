"""The dashboard's data agrees with ``summary --json``; a county sees its share, not targets."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jlip_desk.cli import main
from jlip_desk.periods import Period, parse_period
from jlip_desk.services.dashboard import Dashboard, build_dashboard
from jlip_desk.services.summary import indicator_status as _status
from jlip_desk.store.database import Store

Q4, YEAR, EARLY = Period(2025, 4), Period(2025), Period(2023, 2)
PROVINCE, CHANGCHUN, NANGUAN = "220000", "220100", "220102"
TODAY = dt.date(2026, 3, 1)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dash")
    assert main(["--data-dir", str(folder), "init", "--org", PROVINCE]) == 0
    assert main(["--data-dir", str(folder), "demo"]) == 0
    return folder


@pytest.fixture
def demo(demo_dir: Path) -> Iterator[Store]:
    store = Store.open(demo_dir / "jlip_desk.sqlite3", migrate=False)
    yield store
    store.close()


def _summary(demo_dir: Path, period: Period, org: str, capsys: Any) -> dict[str, Any]:
    capsys.readouterr()
    args = ["--data-dir", str(demo_dir), "summary", "--json", "--period", str(period)]
    assert main([*args, "--org", org]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("period", [Q4, YEAR, EARLY], ids=str)
def test_province_dashboard_equals_summary(
    demo: Store, demo_dir: Path, capsys: Any, period: Period
) -> None:
    summary = _summary(demo_dir, period, PROVINCE, capsys)
    dash = build_dashboard(demo, period, PROVINCE, today=TODAY)
    assert dash.is_province and dash.period == summary["period"]
    targets = {t["id"]: t for t in summary["targets"]}
    for series in dash.counts:
        row = targets[series.id]
        assert series.count == row["count"] == series.cumulative[-1]
        assert series.target == row["target"]
        assert [(g.code, g.count) for g in series.by_group] == [
            (p["code"], p["count"]) for p in row["by_prefecture"]
        ]
        assert sum(g.count for g in series.by_group) == series.count
        assert sum(n for _, n in series.by_host_type) == series.count
        assert series.planned[-1] is not None
        # Cumulative counts never exceed the quarter-end count the summary gives.
        assert len(series.cumulative) == len(dash.quarters)
    assert {c.id for c in dash.counts} == {"workstations", "service_points"}
    assert dash.count("workstations").target == 60
    assert dash.count("service_points").target == 30
    for ind, row in zip(dash.indicators, summary["indicators"], strict=True):
        assert ind.id == row["id"]
        assert ind.value == row["value"] == ind.actual[-1]
        assert ind.planned_value == row["planned"]
        assert ind.target == row["target"]
        if row["aggregation"] != "province":
            assert ind.coverage[-1].reported == row["reporting_orgs"]
            assert ind.coverage[-1].expected == 60
        if row["on_track"] is not None:
            assert (ind.status == "on_track") == row["on_track"]
    activity = {a.form_id: a for a in dash.activity}
    for form_id, totals in summary["activity"].items():
        inside = [period.contains(parse_period(q)) for q in dash.quarters]
        quarters = [i for i, keep in enumerate(inside) if keep]
        for field_id, total in totals.items():
            mine = sum(activity[form_id].totals[field_id][i] for i in quarters)
            assert mine == pytest.approx(total)
    reporting = summary["reporting"]
    assert dash.current_reporting["handed_in"] == reporting["handed_in"]
    assert dash.current_reporting["expected"] == reporting["expected"]
    # The counties without a station or point in the quarter owe nothing: counted apart.
    assert reporting["expected"] + len(reporting["exempt"]) == 60
    assert bool(reporting["exempt"]) == period.is_quarter
    if period.is_quarter:
        assert dash.reporting.periods[-1] == str(period)
        assert dash.reporting.handed_in[-1] == reporting["handed_in"]
        assert dash.reporting.expected[-1] == reporting["expected"]


def test_ratio_is_a_ratio_of_sums(demo: Store, demo_dir: Path, capsys: Any) -> None:
    summary = _summary(demo_dir, YEAR, PROVINCE, capsys)
    row = next(i for i in summary["indicators"] if i["aggregation"] == "ratio")
    ind = build_dashboard(demo, YEAR, PROVINCE).indicator(row["id"])
    assert ind.value == round(row["numerator"] / row["denominator"], ind.decimals)


def test_prefecture_counts_equal_summary_and_drill_to_counties(
    demo: Store, demo_dir: Path, capsys: Any
) -> None:
    summary = _summary(demo_dir, Q4, CHANGCHUN, capsys)
    province = build_dashboard(demo, Q4, PROVINCE)
    dash = build_dashboard(demo, Q4, CHANGCHUN)
    assert not dash.is_province and dash.parent is not None and dash.parent["code"] == PROVINCE
    for series in dash.counts:
        row = next(t for t in summary["targets"] if t["id"] == series.id)
        (pref,) = row["by_prefecture"]
        assert [(g.code, g.count) for g in series.by_group] == [
            (c["code"], c["count"]) for c in pref["counties"]
        ]
        bar = next(g for g in province.count(series.id).by_group if g.code == CHANGCHUN)
        assert bar.drillable and bar.count == series.count
        assert bar.share == pytest.approx(series.count / province.count(series.id).count)
        assert series.target is None and all(p is None for p in series.planned)


def test_county_sees_its_share_not_the_province_targets(
    demo: Store, demo_dir: Path, capsys: Any
) -> None:
    summary = _summary(demo_dir, Q4, NANGUAN, capsys)
    province = build_dashboard(demo, Q4, PROVINCE)
    dash = build_dashboard(demo, Q4, NANGUAN)
    assert dash.org["code"] == NANGUAN and dash.parent is not None
    for series in dash.counts:
        row = next(t for t in summary["targets"] if t["id"] == series.id)
        assert series.count == row["count"]
        assert series.target is None  # never the province's 60 or 30
        assert all(p is None for p in series.planned)
        whole = province.count(series.id).count
        assert series.province_count == whole
        assert series.share_of_province == pytest.approx(series.count / whole)
        assert series.units == 1
    for ind, row in zip(dash.indicators, summary["indicators"], strict=True):
        assert ind.value == row["value"]
        assert ind.target is None and ind.planned == [] and ind.status == "unknown"
        assert ind.province_value == province.indicator(ind.id).value
        if ind.aggregation == "sum" and ind.value is not None and ind.province_value:
            assert ind.share_of_province == pytest.approx(ind.value / ind.province_value)
        for cov in ind.coverage:
            assert cov.expected <= 1  # one county's figure, never "of 60"
    (activity,) = dash.activity
    assert activity.group_kind == "登记记录"
    assert {code[:6] for code, _ in activity.groups} <= {NANGUAN}


def test_status_thresholds() -> None:
    assert _status(10.0, 10.0, True) == "on_track"
    assert _status(9.6, 10.0, True) == "at_risk"
    assert _status(9.0, 10.0, True) == "off_track"
    assert _status(None, 10.0, True) == "unknown"
    assert _status(9.0, 10.0, False) == "on_track"


def test_growth_needed_and_path(demo: Store) -> None:
    dash: Dashboard = build_dashboard(demo, Period(2023), PROVINCE)
    ind = dash.indicator("valid_trademarks")
    assert ind.years == [2021, 2022, 2023]
    assert ind.planned_years[0] == 2020 and ind.planned[0] == ind.baseline
    assert ind.planned_years[-1] == 2025
    assert ind.value is not None and ind.target is not None and ind.growth_needed is not None
    assert ind.value * (1 + ind.growth_needed) ** 2 == pytest.approx(ind.target)
    path = dash.count("workstations").planned
    assert path[-1] is not None and path[-1] < 60  # 2023Q4 is not yet 2025


def test_activity_coverage_counts_only_the_units_that_owe_the_quarter(
    demo: Store, demo_dir: Path, capsys: Any
) -> None:
    """ "覆盖 36/60" read as 24 counties missing when 19 had no station to report on: the
    coverage of an activity figure is out of the units that owe the quarter."""
    dash = build_dashboard(demo, Q4, PROVINCE, today=TODAY)
    for period in (Q4, EARLY):
        reporting = _summary(demo_dir, period, PROVINCE, capsys)["reporting"]
        assert reporting["exempt"]
        index = dash.quarters.index(str(period))
        for series in dash.activity:
            cover = series.coverage[index]
            assert cover.expected == reporting["expected"] == 60 - len(reporting["exempt"])
            assert 0 < cover.reported <= cover.expected


def test_an_indicator_s_status_has_one_word_everywhere(
    demo: Store, demo_dir: Path, capsys: Any
) -> None:
    """Pledge financing read 落后(数据不全) on the overview, 明显滞后 on the chart and 落后于进度
    in the report book: the summary's status is the one all of them show."""
    from jlip_desk.services.summary import INDICATOR_STATUS_LABELS
    from jlip_desk.ui.summary_model import SummaryModel

    summary = _summary(demo_dir, YEAR, PROVINCE, capsys)
    dash = build_dashboard(demo, YEAR, PROVINCE, today=TODAY)
    model = SummaryModel()
    model.set_summary(summary)
    shown = {model.index(r, 0).data(): model.index(r, 5).data() for r in range(model.rowCount())}
    statuses = {i["status"] for i in summary["indicators"]}
    assert len(statuses) > 1  # the demo has indicators on track and behind
    for row in summary["indicators"]:
        word = INDICATOR_STATUS_LABELS[row["status"]]
        assert dash.indicator(row["id"]).status_label == word, row["id"]
        assert shown[row["name"]].startswith(word), row["id"]
