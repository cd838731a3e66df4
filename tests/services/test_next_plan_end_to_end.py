"""Life after 2025, end to end: the 15th plan takes over, the 14th plan's data stays whole.

A demo store of 2021-2025 under the 14th plan loads the (test) 15th plan, a county's
2026 workbook is exported, filled and imported; the old plan's summary does not move
by a byte. A province template of the 15th plan then reaches a county still on the
14th: the county sees the offer, loads the plan from the workbook and imports it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from jlip_desk.cli import main
from jlip_desk.exit_codes import EXIT_OK, EXIT_REFUSED
from jlip_desk.periods import Period
from jlip_desk.plan.model import Plan
from jlip_desk.services.dashboard import build_dashboard
from jlip_desk.services.entry import save_values
from jlip_desk.store.database import Store
from jlip_desk.store.plans import active_plan
from jlip_desk.store.records import list_records

TESTS = Path(__file__).resolve().parents[1]
PLAN15 = TESTS / "data" / "plans" / "test-plan-15.toml"
COUNTY = "220104"


def run(capsys: pytest.CaptureFixture[str], folder: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(folder), *args])
    out, err = capsys.readouterr()
    return code, out, err


def fill(path: Path, sheet: str, values: dict[str, int]) -> Path:
    """Type ``values`` (by column label) into every data row of ``sheet``, as a clerk would."""
    wb = load_workbook(path)
    ws = wb[sheet]
    columns = {
        label: cell.column
        for cell in ws[2]
        for label in values
        if isinstance(cell.value, str) and cell.value.startswith(label)
    }
    assert set(columns) == set(values), columns
    rows = 0
    for row in range(3, ws.max_row + 1):
        if ws.cell(row, 1).value:
            rows += 1
            for label, value in values.items():
                ws.cell(row, columns[label], value)
    assert rows, f"{sheet} has no rows to fill"
    filled = path.with_name(f"filled-{path.name}")
    wb.save(filled)
    return filled


def only_file(folder: Path) -> Path:
    (found,) = sorted(folder.glob("*.xlsx"))
    return found


def open_at(folder: Path) -> Store:
    from jlip_desk import paths
    from jlip_desk.services.installation import open_store

    paths.set_data_dir(folder)
    return open_store()


def test_the_15th_plan_takes_over_and_the_14th_stays_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], plan14: Plan, plan15: Plan
) -> None:
    province = tmp_path / "province"
    assert run(capsys, province, "init", "--org", "220000")[0] == EXIT_OK
    assert run(capsys, province, "demo")[0] == EXIT_OK
    code, before_2025, _ = run(capsys, province, "summary", "--period", "2025", "--json")
    assert code == EXIT_OK
    code, before_q4, _ = run(capsys, province, "summary", "--period", "2025Q4", "--json")
    # While only the 14th plan is loaded, 2026 is refused everywhere, naming its years.
    for args in (
        ("summary", "--period", "2026Q1"),
        ("template", "--org", COUNTY, "--period", "2026Q1", "-o", str(tmp_path)),
        ("status", "--period", "2026Q1"),
    ):
        code, _, err = run(capsys, province, *args)
        assert code == EXIT_REFUSED and "2021–2025年" in err, (args, err)

    code, out, _ = run(capsys, province, "plan", "load", str(PLAN15))
    assert code == EXIT_OK
    assert "[登记册] 延续:知识产权维权援助工作站" in out and "已载入并启用" in out

    # The county's 2026 template lists its stations carried over from the 14th plan.
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    args = ("template", "--org", COUNTY, "--period", "2026Q1", "-o", str(out_dir))
    assert run(capsys, province, *args)[0] == EXIT_OK
    filled = fill(only_file(out_dir), "工作站服务", {"受理维权援助案件": 4, "办结维权援助案件": 3})
    code, out, err = run(capsys, province, "import", str(filled))
    assert code == EXIT_OK, out + err

    # The 14th plan's reports are unchanged, byte for byte.
    assert run(capsys, province, "summary", "--period", "2025", "--json")[1] == before_2025
    assert run(capsys, province, "summary", "--period", "2025Q4", "--json")[1] == before_q4
    # 2026Q1 is the 15th plan's: its targets, the carried-over stations counted.
    code, out, _ = run(capsys, province, "summary", "--period", "2026Q1", "--json")
    summary = json.loads(out)
    assert summary["plan"]["id"] == plan15.id
    targets = {t["id"]: t for t in summary["targets"]}
    assert targets["workstations"]["target"] == 80 and targets["hubs"]["target"] == 40
    old_targets = {t["id"]: t for t in json.loads(before_q4)["targets"]}
    assert targets["workstations"]["count"] == old_targets["workstations"]["count"]
    assert summary["activity"]["station_quarterly"]["cases_accepted"] > 0
    # The ended plan is read-only now: a corrected 2025 workbook is refused, saying why.
    old_dir = tmp_path / "old"
    old_dir.mkdir()
    args = ("export", "--org", COUNTY, "--period", "2025Q3", "-o", str(old_dir))
    assert run(capsys, province, *args)[0] == EXIT_OK
    corrected = fill(only_file(old_dir), "服务活动", {"接待咨询": 7})
    code, out, _ = run(capsys, province, "import", str(corrected))
    assert code == EXIT_REFUSED and "所属的计划已结束" in out and plan15.name in out

    store = open_at(province)
    try:
        assert active_plan(store).id == plan15.id
        stations14 = list_records(store, plan14.id, "workstations", [COUNTY])
        assert stations14 == list_records(store, plan15.id, "workstations", [COUNTY])
        # 2026 figures typed in the grid go through the same gate, under the 15th plan.
        typed = {"cases_accepted": 5, "cases_closed": 5}
        saved = save_values(store, plan15, "station_quarterly", COUNTY, Period(2026, 2),
                            stations14[0].code, typed)  # fmt: skip
        assert saved.key.plan_id == plan15.id and saved.values == typed
        # The dashboard works for both plans.
        for plan, period in ((plan14, Period(2025, 4)), (plan15, Period(2026, 1))):
            board = build_dashboard(store, period)
            assert board.summary["plan"]["id"] == plan.id
            assert board.plan_years == (plan.start_year, plan.end_year)
            assert board.count("workstations").id == "workstations"
    finally:
        store.close()
    # And the reports of both plans.
    for label, plan in (("2025Q4", plan14), ("2026Q1", plan15)):
        report = tmp_path / f"report-{label}.xlsx"
        assert run(capsys, province, "report", "--period", label, "-o", str(report))[0] == EXIT_OK
        texts = {
            str(cell.value)
            for ws in load_workbook(report, read_only=True).worksheets
            for row in ws.iter_rows()
            for cell in row
            if cell.value is not None
        }
        assert any(plan.name in text for text in texts), label
        other = plan15 if plan is plan14 else plan14
        assert not any(other.name in text for text in texts), label


def test_a_county_on_the_14th_plan_loads_the_15th_from_the_provinces_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], plan15: Plan
) -> None:
    province, county = tmp_path / "province", tmp_path / "county"
    assert run(capsys, province, "init", "--org", "220000")[0] == EXIT_OK
    assert run(capsys, province, "demo")[0] == EXIT_OK
    assert run(capsys, province, "plan", "load", str(PLAN15))[0] == EXIT_OK
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    args = ("template", "--org", COUNTY, "--period", "2026Q1", "-o", str(out_dir))
    assert run(capsys, province, *args)[0] == EXIT_OK
    filled = fill(only_file(out_dir), "工作站服务", {"受理维权援助案件": 2, "办结维权援助案件": 1})

    assert run(capsys, county, "init", "--org", COUNTY)[0] == EXIT_OK
    # Never silently: without the user's yes the workbook is refused, with the offer.
    code, out, _ = run(capsys, county, "import", str(filled))
    assert code == EXIT_REFUSED
    assert "本机尚未载入的计划" in out and "--load-plan" in out and plan15.name in out
    code, out, _ = run(capsys, county, "plan", "show", "--json")
    assert json.loads(out)["id"] == "jilin-ip-14"
    # With it: the preview is shown, the plan loaded, the workbook imported.
    code, out, err = run(capsys, county, "import", "--load-plan", str(filled))
    assert code == EXIT_OK, out + err
    assert "[报表] 新增:工作站季度服务" in out and "已载入工作簿附带的计划" in out
    code, out, _ = run(capsys, county, "plan", "show", "--json")
    assert json.loads(out)["id"] == plan15.id
    code, out, _ = run(capsys, county, "status", "--period", "2026Q1")
    assert code == EXIT_OK and "已报送" in out


def _workbook_of_version(tmp_path: Path, capsys: pytest.CaptureFixture[str], version: str) -> Path:
    """A province template of the test 15th plan, relabelled as ``version``."""
    text = PLAN15.read_text(encoding="utf-8").replace('version = "0.9"', f'version = "{version}"')
    plan_file = tmp_path / f"plan-{version}.toml"
    plan_file.write_text(text, encoding="utf-8")
    province = tmp_path / f"province-{version}"
    assert run(capsys, province, "init", "--org", "220000")[0] == EXIT_OK
    assert run(capsys, province, "plan", "load", str(plan_file))[0] == EXIT_OK
    out_dir = tmp_path / f"out-{version}"
    out_dir.mkdir()
    args = ("template", "--org", COUNTY, "--period", "2026Q1", "-o", str(out_dir))
    assert run(capsys, province, *args)[0] == EXIT_OK
    return only_file(out_dir)


def test_older_and_unknown_plan_versions_get_the_right_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    county = tmp_path / "county"
    assert run(capsys, county, "init", "--org", COUNTY)[0] == EXIT_OK
    newer = _workbook_of_version(tmp_path, capsys, "1.1")
    assert run(capsys, county, "plan", "load", str(newer))[0] == EXIT_OK  # from the workbook
    older = _workbook_of_version(tmp_path, capsys, "1.0")
    code, out, _ = run(capsys, county, "import", "--load-plan", str(older))
    assert code == EXIT_REFUSED and "旧版本" in out and "1.1 版" in out
    # A workbook whose plan sheet was lost (saved by another program) and not loaded here.
    unknown = _workbook_of_version(tmp_path, capsys, "2.0")
    wb = load_workbook(unknown)
    del wb["_plan"]
    stripped = tmp_path / "stripped.xlsx"
    wb.save(stripped)
    code, out, _ = run(capsys, county, "import", "--load-plan", str(stripped))
    assert code == EXIT_REFUSED and "没有附带该计划的定义" in out and "载入计划" in out


def test_a_2026_workbook_cannot_back_date_a_station_into_the_ended_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from jlip_desk.validation.formats import credit_code_check_char

    province = tmp_path / "province"
    assert run(capsys, province, "init", "--org", "220000")[0] == EXIT_OK
    assert run(capsys, province, "demo")[0] == EXIT_OK
    assert run(capsys, province, "plan", "load", str(PLAN15))[0] == EXIT_OK
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    args = ("template", "--org", COUNTY, "--period", "2026Q1", "-o", str(out_dir))
    assert run(capsys, province, *args)[0] == EXIT_OK
    path = fill(only_file(out_dir), "工作站服务", {"受理维权援助案件": 1, "办结维权援助案件": 1})
    wb = load_workbook(path)
    ws = wb["维权援助工作站"]
    headers = {
        c.value.split("(")[0] if isinstance(c.value, str) else c.value: c.column for c in ws[2]
    }
    last = max(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value)
    new = last + 1
    for column in range(1, ws.max_column + 1):
        ws.cell(new, column, ws.cell(last, column).value)
    ws.cell(new, 1).value = None  # a new station: no code yet
    ws.cell(new, headers["工作站名称"], "朝阳区补登工作站")
    base = "91220104MA0000001"
    ws.cell(new, headers["依托单位统一社会信用代码"], base + credit_code_check_char(base))
    ws.cell(new, headers["依托单位"], "朝阳区补登单位")
    ws.cell(new, headers["设立日期"], "2025-06-01")
    back_dated = tmp_path / "back-dated.xlsx"
    wb.save(back_dated)
    code, out, _ = run(capsys, province, "import", str(back_dated))
    assert code == EXIT_REFUSED
    assert "设立日期 2025-06-01 在已结束的" in out and "2026-01-01" in out


def test_a_refused_workbook_leaves_the_plan_it_carries_unloaded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found in a user test: --load-plan loaded the plan of a refused workbook while the
    report said the store was not changed."""
    province, county = tmp_path / "province", tmp_path / "county"
    assert run(capsys, province, "init", "--org", "220000")[0] == EXIT_OK
    assert run(capsys, province, "demo")[0] == EXIT_OK
    assert run(capsys, province, "plan", "load", str(PLAN15))[0] == EXIT_OK
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    args = ("template", "--org", COUNTY, "--period", "2026Q1", "-o", str(out_dir))
    assert run(capsys, province, *args)[0] == EXIT_OK
    blank = only_file(out_dir)  # the stations' activity left blank: refused
    assert run(capsys, county, "init", "--org", COUNTY)[0] == EXIT_OK
    code, out, _ = run(capsys, county, "import", "--load-plan", str(blank))
    assert code == EXIT_REFUSED and "数据库未作任何改动" in out
    assert "已载入工作簿附带的计划" not in out
    code, out, _ = run(capsys, county, "plan", "show", "--json")
    assert json.loads(out)["id"] == "jilin-ip-14"
