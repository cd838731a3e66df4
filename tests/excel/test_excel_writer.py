"""The workbook writer on its own: long choice lists, awkward values, failed saves."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from jlip_desk.errors import InputError
from jlip_desk.excel import writer
from jlip_desk.excel.data import Row, SheetData
from jlip_desk.excel.layout import CODE, LISTS_SHEET, Column, SheetKind, SheetSpec
from jlip_desk.excel.meta import Meta
from jlip_desk.excel.writer import Instructions, write_workbook
from jlip_desk.plan.model import Field, FieldType

LONG = tuple(f"第{i:02d}类,较长的类别名称" for i in range(40))  # over 255 characters, commas
SHORT = ("是", "否")
NOTE = Field("note", "说明", FieldType.TEXT, max_length=40_000)
FIELDS = (
    Field("kind", "类别", FieldType.CHOICE, choices=LONG),
    Field("tisc", "是否", FieldType.CHOICE, choices=SHORT),
    Field("other", "其他类别", FieldType.CHOICE, choices=LONG[::-1]),
    Field("count", "数量", FieldType.INTEGER),
    Field("share", "比例", FieldType.DECIMAL, decimals=2),
    Field("since", "日期", FieldType.DATE),
    NOTE,
)
SPEC = SheetSpec(
    SheetKind.REGISTRY, "things", "物品", "物品登记", "",
    (Column(CODE, "编码"), *(Column(f.id, f.label, f) for f in FIELDS)),
)  # fmt: skip
META = Meta(
    "1", "template", "p", "1", "220102", "南关区", "2025Q4", "0", "2025-01-01T00:00:00+08:00",
    "f" * 64, {"物品": "registry:things"},
)  # fmt: skip


def _write(tmp_path: Path, rows: list[Row]) -> Path:
    path = tmp_path / "out.xlsx"
    instructions = Instructions((("填报说明", "说明"), ("黄色", "需要填写的单元格")))
    return write_workbook(META, instructions, [SheetData(SPEC, rows)], path)


def test_long_choice_lists_come_from_a_very_hidden_sheet(tmp_path: Path) -> None:
    path = _write(tmp_path, [{CODE: "A-1", "kind": LONG[3]}])
    wb = load_workbook(path)
    assert [ws.title for ws in wb.worksheets] == ["填报说明", LISTS_SHEET, "物品", "_meta"]
    assert wb[LISTS_SHEET].sheet_state == "veryHidden"
    lists = [[c.value for c in col] for col in wb[LISTS_SHEET].iter_cols()]
    assert [c[: len(LONG)] for c in lists] == [list(LONG), list(LONG[::-1])]
    formulas = {str(dv.sqref): dv.formula1 for dv in wb["物品"].data_validations.dataValidation}
    assert formulas["B3:B1048576"] == f"{LISTS_SHEET}!$A$1:$A${len(LONG)}"
    assert formulas["D3:D1048576"] == f"{LISTS_SHEET}!$B$1:$B${len(LONG)}"
    assert formulas["C3:C1048576"] == '"是,否"'
    book = CalamineWorkbook.from_path(str(path))
    visible = {m.name: m.visible for m in book.sheets_metadata}
    assert visible[LISTS_SHEET] is SheetVisibleEnum.VeryHidden
    book.close()


def test_awkward_values_are_written_as_a_user_would_read_them(tmp_path: Path) -> None:
    rows: list[Row] = [
        {CODE: "A-1", "note": "控制\x01字符\x1f去掉", "count": 3, "share": float("nan")},
        {CODE: "A-2", "note": "第一行\r\n第二行\r第三行", "share": 0.25},
        {CODE: "A-3", "note": "=1+1", "since": dt.date(2024, 3, 5), "kind": ""},
        {CODE: "A-4", "note": "长" * 40_000, "count": 2**40},
    ]
    path = _write(tmp_path, rows)
    ws = load_workbook(path)["物品"]
    note, count, share, since = (
        [ws.cell(r, c).value for r in range(3, 7)] for c in (8, 5, 6, 7)
    )  # fmt: skip
    assert note == ["控制字符去掉", "第一行\n第二行\n第三行", "=1+1", "长" * 32_767]
    assert ws.cell(5, 8).data_type == "s" and ws.cell(5, 8).quotePrefix  # text, not a formula
    assert count == [3, None, None, 2**40] and share == [None, 0.25, None, None]
    assert since == [None, None, dt.datetime(2024, 3, 5), None]
    assert not ws.cell(5, 2).value and not ws.cell(5, 2).protection.locked  # empty text
    book = CalamineWorkbook.from_path(str(path))
    grid = book.get_sheet_by_name("物品").to_python(skip_empty_area=False)
    book.close()
    assert [row[7] for row in grid[2:6]] == note
    assert grid[4][6] == dt.date(2024, 3, 5)


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, [])
    before = path.read_bytes()

    def broken(*args: object) -> None:
        raise RuntimeError("a bug half way through")

    monkeypatch.setattr(writer, "_write_lists", broken)
    with pytest.raises(RuntimeError):
        _write(tmp_path, [])
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_unwritable_folder_is_an_input_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(InputError, match="无法写入文件夹"):
        write_workbook(META, Instructions(()), [SheetData(SPEC)], blocker / "out.xlsx")
