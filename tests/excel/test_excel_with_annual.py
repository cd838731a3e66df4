"""One workbook for the fourth quarter and its year: exported, instructed, imported as two."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from jlip_desk.errors import InputError
from jlip_desk.excel.layout import INSTRUCTIONS_SHEET, META_SHEET, PLAN_SHEET
from jlip_desk.excel.meta import Meta
from jlip_desk.periods import Period
from jlip_desk.services.excel import (
    export_submission,
    export_submissions_all,
    export_template,
    import_files,
)
from jlip_desk.store.database import Store
from jlip_desk.store.submissions import latest_submission

PLAN = "jilin-ip-14"
ORG = "220104"  # 朝阳区
Q4, YEAR = Period(2025, 4), Period(2025)
BOTH = [str(Q4), str(YEAR)]


def _combined(demo_store: Store, folder: Path) -> Path:
    [result] = export_submissions_all(demo_store, Q4, folder, scope=ORG, with_annual=True)
    return result.path


def _lines(path: Path) -> dict[str, str]:
    ws = load_workbook(path)[INSTRUCTIONS_SHEET]
    return {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}


def test_fourth_quarter_workbook_carries_the_annual_sheets(
    demo_store: Store, tmp_path: Path
) -> None:
    path = _combined(demo_store, tmp_path)
    assert path.name == "220104_朝阳区_2025Q4_含年报.xlsx"
    wb = load_workbook(path)
    assert wb.sheetnames == ["填报说明", "维权援助工作站", "信息服务网点", "服务活动", "年度指标",
                             META_SHEET, PLAN_SHEET]  # fmt: skip
    meta = {r[0].value: r[1].value for r in wb[META_SHEET].iter_rows()}
    assert meta["period"] == "2025Q4" and meta["periods"] == "2025Q4,2025"
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props["jlip_periods"] == "2025Q4,2025"  # kept if a program drops the hidden sheet
    assert "2025年度" in wb["年度指标"]["A1"].value
    lines = _lines(path)
    assert "2025年第4季度" in lines["报告期"] and "2025年度" in lines["报告期"]
    assert "“服务活动”" in lines["两部分"] and "“年度指标”" in lines["两部分"]
    assert "两部分都不导入" in lines["导入方式"] and "分别导出" in lines["导入方式"]
    template = export_template(demo_store, ORG, Q4, tmp_path, with_annual=True).path
    assert template.name == "220104_朝阳区_2025Q4_含年报_模板.xlsx"
    # The separate forms stay as they were: no periods in their metadata.
    alone = export_template(demo_store, ORG, Q4, tmp_path).path
    meta = {r[0].value: r[1].value for r in load_workbook(alone)[META_SHEET].iter_rows()}
    assert "periods" not in meta and "年度指标" not in load_workbook(alone).sheetnames


def test_only_a_fourth_quarter_carries_its_year(demo_store: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="只有第4季度"):
        export_template(demo_store, ORG, Period(2025, 3), tmp_path, with_annual=True)


def test_old_metadata_carries_one_period() -> None:
    pairs = {f.name: "x" for f in dataclasses.fields(Meta) if f.name != "sheets"}
    pairs |= {"period": "2025Q4", "periods": ""}
    assert Meta.from_pairs(pairs, "f").carried() == ["2025Q4"]
    pairs["periods"] = "2025Q4,2025"
    assert Meta.from_pairs(pairs, "f").carried() == ["2025Q4", "2025"]


def test_import_records_both_periods_as_their_own_revisions(
    demo_store: Store, target: Store, tmp_path: Path, helpers: Any
) -> None:
    path = _combined(demo_store, tmp_path)
    report = import_files(target, [path])
    assert report.ok, report.text()
    [result] = report.files
    assert result.outcome == "applied"
    assert "2025年第4季度:已作为第 1 版导入" in result.summary
    assert "2025年度:已作为第 1 版导入" in result.summary
    for period in BOTH:
        sub = latest_submission(target, PLAN, ORG, period)
        assert sub is not None and sub.revision == 1 and sub.file_name == path.name, period
    assert helpers.snapshot(target, PLAN, ORG, BOTH) == helpers.snapshot(
        demo_store, PLAN, ORG, BOTH
    )
    statuses = dict(target.conn.execute("SELECT period, status FROM period_status").fetchall())
    assert statuses == {"2025Q4": "submitted", "2025": "submitted"}
    before = target.content_hash()
    again = import_files(target, [path]).files[0]
    assert again.outcome == "unchanged" and target.content_hash() == before


def test_errors_in_the_annual_part_refuse_both(
    demo_store: Store, target: Store, tmp_path: Path
) -> None:
    path = _combined(demo_store, tmp_path)
    wb = load_workbook(path)
    wb["年度指标"]["D3"] = "很多"  # 高价值发明专利拥有量: a number is required
    wb.save(path)
    before = target.content_hash()
    [result] = import_files(target, [path]).files
    assert result.outcome == "refused"
    bad = [i for i in result.errors if i.sheet == "年度指标"]
    assert bad and bad[0].cell == "D3", result.text()
    assert any("2025年度部分未通过,2025年第4季度部分也未导入" in i.message for i in result.issues)
    assert target.content_hash() == before
    assert latest_submission(target, PLAN, ORG, "2025Q4") is None
    assert result.markup is not None and Path(result.markup).exists()


def test_errors_in_the_quarter_part_refuse_both(
    demo_store: Store, target: Store, tmp_path: Path
) -> None:
    path = _combined(demo_store, tmp_path)
    wb = load_workbook(path)
    wb["服务活动"]["D3"] = -5
    wb.save(path)
    before = target.content_hash()
    [result] = import_files(target, [path]).files
    assert result.outcome == "refused"
    assert any(i.sheet == "服务活动" and i.cell == "D3" for i in result.errors), result.text()
    assert target.content_hash() == before


def test_a_locked_year_with_other_figures_refuses_both(
    demo_store: Store, target: Store, tmp_path: Path
) -> None:
    annual = export_submission(demo_store, ORG, YEAR, tmp_path / "annual").path
    assert import_files(target, [annual]).ok  # the year is handed in (and locked) first
    path = _combined(demo_store, tmp_path)
    wb = load_workbook(path)
    wb["年度指标"]["D3"] = 999
    wb.save(path)
    [result] = import_files(target, [path]).files
    assert result.outcome == "refused"
    [locked] = result.errors
    assert locked.rule == "报告期状态"
    assert "朝阳区2025年度已报送并已锁定" in locked.message and "1 个数值" in locked.message
    assert latest_submission(target, PLAN, ORG, "2025Q4") is None
    # The same year's figures: the quarter comes in, the locked year stays as it was.
    fresh = _combined(demo_store, tmp_path / "fresh")
    [result] = import_files(target, [fresh]).files
    assert result.outcome == "applied", result.text()
    assert "2025年度:工作簿中的数据与本机已有数据完全一致" in result.summary
    sub = latest_submission(target, PLAN, ORG, "2025")
    assert sub is not None and sub.revision == 1
    quarter = latest_submission(target, PLAN, ORG, "2025Q4")
    assert quarter is not None and quarter.revision == 1


def test_metadata_naming_other_periods_is_refused(
    demo_store: Store, target: Store, tmp_path: Path
) -> None:
    path = _combined(demo_store, tmp_path)
    wb = load_workbook(path)
    ws = wb[META_SHEET]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "periods")
    ws.cell(row, 2, "2025Q4,2024")
    wb.save(path)
    before = target.content_hash()
    [result] = import_files(target, [path]).files
    assert result.outcome == "refused"
    assert "报告期“2025Q4、2024”不是一个第4季度与其年度" in result.errors[0].message
    assert target.content_hash() == before


@pytest.mark.slow
def test_a_libreoffice_resave_still_imports_as_both_periods(
    demo_store: Store, target: Store, tmp_path: Path, helpers: Any
) -> None:
    path = _combined(demo_store, tmp_path / "out")
    [resaved] = helpers.resave_with_libreoffice([path], tmp_path / "resaved")
    report = import_files(target, [resaved])
    assert report.ok, report.text()
    for period in BOTH:
        assert latest_submission(target, PLAN, ORG, period) is not None, period
    assert helpers.snapshot(target, PLAN, ORG, BOTH) == helpers.snapshot(
        demo_store, PLAN, ORG, BOTH
    )
