"""A station typed under the registry's records needs its row in the activity sheet too."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from jlip_desk.excel.layout import INSTRUCTIONS_SHEET
from jlip_desk.periods import Period
from jlip_desk.services.excel import export_submission, import_files
from jlip_desk.store.database import Store
from jlip_desk.store.records import list_records
from jlip_desk.validation.formats import make_credit_code

Q = Period(2025, 4)
ORG = "220104"  # 朝阳区: three stations in the demo data
NEW = "朝阳区新设维权援助工作站"


def _with_new_station(demo_store: Store, tmp_path: Path) -> tuple[Path, int]:
    """The county's workbook with a new station typed under the records (no activity row)."""
    path = export_submission(demo_store, ORG, Q, tmp_path / "out").path
    wb = load_workbook(path)
    ws = wb["维权援助工作站"]
    row = ws.max_row + 1
    values = [None, NEW, "吉林省某科技有限公司", make_credit_code("91220104MA0000001"),
              "其他", "2025-10-08", "运行", None, "王明", "13912345678"]  # fmt: skip
    for col, value in enumerate(values, start=1):
        ws.cell(row, col, value)
    edited = tmp_path / path.name
    wb.save(edited)
    return edited, row


def test_missing_activity_row_of_a_new_station_is_named(
    demo_store: Store, target: Store, tmp_path: Path
) -> None:
    path, row = _with_new_station(demo_store, tmp_path)
    report = import_files(target, [path])
    [result] = report.files
    assert result.outcome == "refused"
    [issue] = [i for i in result.issues if i.rule == "每条在期记录都须填报"]
    # Which station, where it was typed, and which sheet lacks its row.
    assert f"工作表“服务活动”缺少新增的知识产权维权援助工作站“{NEW}”的活动行" in issue.message
    assert f"(登记在“维权援助工作站”第 {row} 行)" in issue.message
    assert issue.sheet == "服务活动"
    assert issue.allowed is not None
    assert f"在“服务活动”末尾为“{NEW}”添加一行" in issue.allowed
    assert f"名称填“{NEW}”" in issue.allowed
    assert list_records(target, "jilin-ip-14", "workstations", [ORG]) == []


def test_adding_the_activity_row_as_told_imports(
    demo_store: Store, target: Store, tmp_path: Path
) -> None:
    path, _row = _with_new_station(demo_store, tmp_path)
    wb = load_workbook(path)
    ws = wb["服务活动"]
    headers = [c.value for c in ws[2]]
    row = ws.max_row + 1
    ws.cell(row, headers.index("名称") + 1, NEW)
    for col, header in enumerate(headers, start=1):
        if "(" in str(header):  # the figures: a quiet first quarter
            ws.cell(row, col, 0)
    wb.save(path)
    report = import_files(target, [path])
    assert report.ok, report.text()
    names = [r.values["name"] for r in list_records(target, "jilin-ip-14", "workstations", [ORG])]
    assert NEW in names


def test_instructions_say_a_new_station_needs_an_activity_row(
    demo_store: Store, tmp_path: Path
) -> None:
    path = export_submission(demo_store, ORG, Q, tmp_path).path
    ws = load_workbook(path)[INSTRUCTIONS_SHEET]
    lines = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    text = lines["新增记录的活动"]
    assert "“服务活动”末尾为它添加一行" in text and "编码留空" in text
    assert "名称与登记表中填写的完全一致" in text
    annual = export_submission(demo_store, ORG, Period(2025), tmp_path).path
    ws = load_workbook(annual)[INSTRUCTIONS_SHEET]
    # A year's workbook has no activity sheet: no line about one.
    assert "新增记录的活动" not in [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
