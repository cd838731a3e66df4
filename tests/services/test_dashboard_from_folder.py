"""The province's dashboard, built only from what the counties sent (issue 8, done-when).

Sixty county workbooks are made from the demo store (one quarter, registries
included, and one year's annual forms), imported as folders into a fresh province
store, and the dashboard of that store must give the demo store's own
``summary --json``: stations and service points by prefecture, indicator ratios
as ratios of sums with their coverage, activity, and completeness.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jlip_desk.cli import main
from jlip_desk.periods import Period, parse_period
from jlip_desk.services.dashboard import build_dashboard
from jlip_desk.store.database import Store

QUARTER, YEAR = Period(2025, 3), Period(2024)


def _run(*args: str) -> None:
    assert main(list(args)) == 0, args


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the demo store's folder, the province store that imported the counties' files)."""
    demo = tmp_path_factory.mktemp("demo")
    _run("--data-dir", str(demo), "init", "--org", "220000")
    _run("--data-dir", str(demo), "demo")
    inbox = tmp_path_factory.mktemp("inbox")
    for period in (QUARTER, YEAR):
        folder = inbox / str(period)
        folder.mkdir()
        args = ("export", "--period", str(period), "--all-counties", "-o", str(folder))
        _run("--data-dir", str(demo), *args)
        assert len(list(folder.glob("*.xlsx"))) == 60
    collected = tmp_path_factory.mktemp("collected")
    _run("--data-dir", str(collected), "init", "--org", "220000")
    _run("--data-dir", str(collected), "import", str(inbox))  # both folders, one batch
    return demo, collected


@pytest.fixture
def collected(folders: tuple[Path, Path]) -> Iterator[Store]:
    store = Store.open(folders[1] / "jlip_desk.sqlite3", migrate=False)
    yield store
    store.close()


def _summary(folder: Path, period: Period, capsys: Any) -> dict[str, Any]:
    capsys.readouterr()
    _run("--data-dir", str(folder), "summary", "--json", "--period", str(period))
    return json.loads(capsys.readouterr().out)


def test_counts_activity_and_completeness_of_the_quarter(
    folders: tuple[Path, Path], collected: Store, capsys: Any
) -> None:
    demo_summary = _summary(folders[0], QUARTER, capsys)
    dash = build_dashboard(collected, QUARTER)
    targets = {t["id"]: t for t in demo_summary["targets"]}
    for series in dash.counts:
        row = targets[series.id]
        assert series.count == row["count"]
        assert [(g.code, g.count) for g in series.by_group] == [
            (p["code"], p["count"]) for p in row["by_prefecture"]
        ]
        assert series.units == 60  # every county's registry was counted
    activity = {a.form_id: a for a in dash.activity}
    last = [i for i, q in enumerate(dash.quarters) if parse_period(q) == QUARTER]
    for form_id, totals in demo_summary["activity"].items():
        for field_id, total in totals.items():
            assert activity[form_id].totals[field_id][last[0]] == pytest.approx(total)
    reporting = demo_summary["reporting"]
    # The demo's counties without a station that quarter owed nothing and handed nothing
    # in; but the province exported a file for every county, and every county's file was
    # imported, so every county handed the quarter in (some with nothing in it).
    assert reporting["expected"] + len(reporting["exempt"]) == 60 and reporting["exempt"]
    assert dash.current_reporting["expected"] == dash.current_reporting["handed_in"] == 60
    assert dash.current_reporting["exempt"] == []
    assert dash.reporting.handed_in[-1] == dash.reporting.expected[-1] == 60


def test_indicators_are_ratios_of_sums_with_their_coverage(
    folders: tuple[Path, Path], collected: Store, capsys: Any
) -> None:
    demo_summary = _summary(folders[0], YEAR, capsys)
    dash = build_dashboard(collected, YEAR)
    for ind, row in zip(dash.indicators, demo_summary["indicators"], strict=True):
        assert ind.id == row["id"]
        if row["aggregation"] == "province":
            continue  # a province-level figure: no county sends it
        assert ind.value == pytest.approx(row["value"]), ind.id
        assert ind.coverage[-1].reported == row["reporting_orgs"], ind.id
        assert ind.coverage[-1].expected == 60
        if row["on_track"] is not None:
            assert (ind.status == "on_track") == row["on_track"], ind.id


def test_a_prefecture_store_claims_no_share_of_the_province(
    folders: tuple[Path, Path], tmp_path: Path
) -> None:
    """It holds only its own counties: a share of 100% of "the province" would be false."""
    inbox = tmp_path / "jilin"
    inbox.mkdir()
    demo = folders[0]
    args = ("export", "--period", str(QUARTER), "--all-counties", "--org", "220200")
    _run("--data-dir", str(demo), *args, "-o", str(inbox))
    jilin = tmp_path / "store"
    _run("--data-dir", str(jilin), "init", "--org", "220200")
    _run("--data-dir", str(jilin), "import", str(inbox))
    store = Store.open(jilin / "jlip_desk.sqlite3", migrate=False)
    try:
        dash = build_dashboard(store, QUARTER, "220200")
    finally:
        store.close()
    assert not dash.is_province
    assert all(c.share_of_province is None for c in dash.counts)
    assert all(i.share_of_province is None and i.province_value is None for i in dash.indicators)
    assert dash.count("workstations").count > 0
