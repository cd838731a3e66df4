"""Plans own their years: a period belongs to the loaded plan whose years cover it (issue 11).

A period no loaded plan covers is refused everywhere a user names one, with a message
that names the loaded plans and their years; nothing is extrapolated past a plan's end.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from jlip_desk.cli import EXIT_REFUSED, main
from jlip_desk.errors import InputError
from jlip_desk.periods import Period
from jlip_desk.plan.model import Plan
from jlip_desk.services.demo import generate
from jlip_desk.services.excel import export_submission, import_files
from jlip_desk.services.installation import bind
from jlip_desk.services.summary import build_summary
from jlip_desk.store.database import Store
from jlip_desk.store.plans import plan_for_period, save_plan

PLAN14_YEARS = "2021–2025"
PLAN15_YEARS = "2026–2030"


def _run(data_dir: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["--data-dir", str(data_dir), *args])
    return code, capsys.readouterr().err


@pytest.fixture
def demo_dir(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert _run(data_dir, capsys, "demo")[0] == 0
    return data_dir


@pytest.mark.parametrize(
    "args",
    [
        ("summary", "--period", "2030"),
        ("summary", "--period", "2030", "--json"),
        ("status", "--period", "2031"),
        ("status", "--period", "2019Q4"),
        ("status", "--period", "2020"),
        ("export", "--period", "2026Q1", "--org", "220102", "-o", "."),
        ("template", "--period", "2026Q1", "--org", "220102"),
        ("export", "--period", "2026Q1", "--all-counties", "-o", "."),
        ("submit", "--period", "2026Q1", "--org", "220102"),
        ("unlock", "--period", "2026Q1", "--org", "220102", "--reason", "改"),
        ("accept", "--period", "2026Q1", "--org", "220102"),
        ("return", "--period", "2026Q1", "--org", "220102", "--reason", "改"),
        ("report", "--period", "2026", "-o", "report.xlsx"),
        ("export-data", "--format", "csv", "--period", "2026Q1", "-o", "values.csv"),
    ],
)
def test_a_period_outside_the_plan_is_refused(
    demo_dir: Path,
    plan14: Plan,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
) -> None:
    monkeypatch.chdir(tmp_path)
    code, err = _run(demo_dir, capsys, *args)
    assert code == EXIT_REFUSED, err
    assert plan14.name in err and PLAN14_YEARS in err
    assert "不在计划的年份内" in err
    assert not list(tmp_path.glob("*.xlsx")) and not (tmp_path / "values.csv").exists()


def test_a_period_inside_the_plan_still_works(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for args in (("summary", "--period", "2021Q1"), ("status", "--period", "2025")):
        assert _run(demo_dir, capsys, *args)[0] == 0


def test_nothing_is_planned_past_the_plan(plan14: Plan, plan15: Plan) -> None:
    for indicator in plan14.indicators:
        assert indicator.planned_value(2026) is None
        assert indicator.planned_value(2030) is None
    for indicator in plan15.indicators:
        assert indicator.planned_value(2031) is None


def test_services_refuse_a_period_outside_the_plan(store: Store, plan14: Plan) -> None:
    generate(store, seed=1)
    with pytest.raises(InputError) as caught:
        build_summary(store, Period(2030))
    assert plan14.name in str(caught.value) and PLAN14_YEARS in str(caught.value)
    with pytest.raises(InputError):
        plan_for_period(store, Period(2020, 4))
    assert plan_for_period(store, Period(2021, 1)) == plan14
    assert plan_for_period(store, Period(2025)) == plan14


def _set_period(path: Path, period: str) -> None:
    """Change a workbook's period in its _meta sheet and its document properties."""
    wb = load_workbook(path)
    for row in wb["_meta"].iter_rows():
        if row[0].value == "period":
            row[1].value = period
    for prop in wb.custom_doc_props.props:
        if prop.name == "jlip_period":
            prop.value = period
    wb.save(path)


def test_a_workbook_for_a_period_outside_its_plan_is_refused(
    store: Store, plan14: Plan, tmp_path: Path
) -> None:
    generate(store, seed=1)
    bind(store, "220000")
    path = export_submission(store, "220102", Period(2025, 4), tmp_path).path
    _set_period(path, "2026Q1")
    report = import_files(store, [path])
    (result,) = report.files
    assert result.outcome == "refused"
    text = " ".join(issue.text() for issue in result.issues)
    assert "2026" in text and plan14.name in text and PLAN14_YEARS in text
    assert not store.conn.execute(
        "SELECT 1 FROM cells WHERE period LIKE '2026%' LIMIT 1"
    ).fetchone()


def test_each_period_belongs_to_the_plan_that_covers_it(
    store: Store, plan14: Plan, plan15: Plan
) -> None:
    save_plan(store, plan15)
    assert plan_for_period(store, Period(2026, 1)) == plan15
    assert plan_for_period(store, Period(2030)) == plan15
    assert plan_for_period(store, Period(2025, 4)) == plan14
    save_plan(store, plan14)  # the active plan does not decide a period's plan
    assert plan_for_period(store, Period(2026, 1)) == plan15
    assert plan_for_period(store, Period(2025, 4)) == plan14
    assert build_summary(store, Period(2026, 1))["plan"]["id"] == plan15.id
    assert build_summary(store, Period(2025, 4))["plan"]["id"] == plan14.id
    with pytest.raises(InputError) as caught:
        plan_for_period(store, Period(2031, 1))
    message = str(caught.value)
    assert plan14.name in message and PLAN14_YEARS in message
    assert plan15.name in message and PLAN15_YEARS in message


def test_both_plans_loaded_on_the_command_line(
    demo_dir: Path, plan15: Plan, capsys: pytest.CaptureFixture[str]
) -> None:
    from jlip_desk.paths import default_plan_file

    plan15_file = Path(__file__).resolve().parents[1] / "data" / "plans" / "test-plan-15.toml"
    assert _run(demo_dir, capsys, "plan", "load", str(plan15_file))[0] == 0
    assert _run(demo_dir, capsys, "plan", "load", str(default_plan_file()))[0] == 0
    # The 14th plan is active again, yet 2026 is the 15th plan's year.
    assert _run(demo_dir, capsys, "status", "--period", "2026Q1")[0] == 0
    code, err = _run(demo_dir, capsys, "status", "--period", "2031")
    assert code == EXIT_REFUSED and plan15.name in err and PLAN15_YEARS in err


def test_summary_of_a_named_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`summary --plan ID` reports any loaded plan; an unknown id lists the loaded ones."""
    from jlip_desk.cli import main as cli

    folder = tmp_path / "named"
    assert cli(["--data-dir", str(folder), "init", "--org", "220000"]) == 0
    assert cli(["--data-dir", str(folder), "demo"]) == 0
    capsys.readouterr()
    assert cli(["--data-dir", str(folder), "summary", "--plan", "jilin-ip-14", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["plan"]["id"] == "jilin-ip-14" and data["period"] == "2025Q4"
    assert cli(["--data-dir", str(folder), "summary", "--plan", "jilin-ip-99"]) == 1
    err = capsys.readouterr().err
    assert "本机没有载入计划“jilin-ip-99”" in err and "已载入的计划:jilin-ip-14 1.0 版" in err
    args = ["summary", "--plan", "jilin-ip-14", "--period", "2026Q1"]
    assert cli(["--data-dir", str(folder), *args]) == 1
    assert "2021–2025年" in capsys.readouterr().err
