"""Exported workbooks: layout, metadata, protection, no formulas by accident, atomic writes."""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.dimensions import ColumnDimension
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from jlip_desk.errors import InputError
from jlip_desk.excel.data import SheetData, fingerprint
from jlip_desk.excel.layout import (
    FIRST_DATA_ROW,
    HEADER_ROW,
    INSTRUCTIONS_SHEET,
    MAX_ROW,
    META_SHEET,
    PLAN_SHEET,
    SheetKind,
    sheets_for,
)
from jlip_desk.excel.meta import PROP_PREFIX, Meta, pairs_from_properties, pairs_from_rows
from jlip_desk.excel.styles import (
    HEADER_COLOR,
    INPUT_COLOR,
    LOCKED_COLOR,
    header_comment,
    number_format,
)
from jlip_desk.periods import Period
from jlip_desk.plan.model import Field, FieldType, SubjectKind
from jlip_desk.services.excel import export_submission, export_template, export_templates_all
from jlip_desk.services.workbooks import collect
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import get_org
from jlip_desk.store.plans import active_plan
from jlip_desk.store.records import create_record
from jlip_desk.validation.formats import make_credit_code
from jlip_desk.validation.values import allowed_text

Q = Period(2025, 4)
EVIL = ['=HYPERLINK("http://x","y")', "+1+2", "-3+4", "@SUM(A1)", "\tTAB", "\rCR"]


def test_template_has_sheets_meta_and_protection(demo_store: Store, tmp_path: Path) -> None:
    result = export_template(demo_store, "220102", Q, tmp_path)
    assert result.path.name == "220102_南关区_2025Q4_模板.xlsx"
    wb = load_workbook(result.path)
    assert wb.sheetnames[:4] == ["填报说明", "维权援助工作站", "信息服务网点", "服务活动"]
    assert wb[META_SHEET].sheet_state == "veryHidden"
    meta = {r[0].value: r[1].value for r in wb[META_SHEET].iter_rows()}
    assert meta["plan_id"] == "jilin-ip-14" and meta["org_code"] == "220102"
    assert meta["period"] == "2025Q4" and meta["kind"] == "template"
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props["jlip_fingerprint"] == meta["fingerprint"]
    ws = wb["服务活动"]
    assert ws.protection.sheet and not ws.protection.password
    assert ws.freeze_panes == "D3"
    assert ws["D2"].value == "接待咨询(次)" and ws["D2"].comment is not None
    assert ws["A3"].protection.locked and not ws["D3"].protection.locked
    assert ws["D3"].value is None  # a blank template has no figures
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert "whole" in kinds
    assert all("应为" in dv.error for dv in ws.data_validations.dataValidation)
    st = wb["维权援助工作站"]
    lists = [dv for dv in st.data_validations.dataValidation if dv.type == "list"]
    assert any("运行" in (dv.formula1 or "") for dv in lists)


def test_reexport_same_name_and_fingerprint(demo_store: Store, tmp_path: Path) -> None:
    first = export_template(demo_store, "220102", Q, tmp_path)
    again = export_template(demo_store, "220102", Q, tmp_path)
    assert first.path == again.path and first.fingerprint == again.fingerprint
    assert [p.name for p in tmp_path.iterdir()] == [first.path.name]
    filled = export_submission(demo_store, "220102", Q, tmp_path)
    assert filled.path.name == "220102_南关区_2025Q4.xlsx"


def test_province_workbook_has_item_rows(demo_store: Store, tmp_path: Path) -> None:
    path = export_submission(demo_store, "220000", Q, tmp_path).path
    ws = load_workbook(path)["重大专项工作"]
    assert [ws.cell(r, 1).value for r in range(3, 14)] == [f"p{i:02d}" for i in range(1, 12)]


def test_all_counties_templates(demo_store: Store, tmp_path: Path) -> None:
    seen: list[int] = []
    results = export_templates_all(
        demo_store, Q, tmp_path, progress=lambda done, total, name: seen.append(done)
    )
    assert len(results) == 60 == len(list(tmp_path.glob("*.xlsx")))
    assert seen[-1] == 60


def test_formula_injection_is_written_as_text(tmp_path: Path) -> None:
    store = Store.memory()
    from jlip_desk.services.installation import prepare

    plan = prepare(store)
    with store.atomic():
        change = store.new_change("typed")
        for i, evil in enumerate(EVIL):
            create_record(
                store, plan.id, plan.registry("workstations"), "220102",
                {"name": evil, "host_org": evil, "host_credit_code": make_credit_code(
                    f"9122010200000000{i}"), "host_type": "其他", "established_on": "2021-01-01",
                 "status": "运行", "contact": "王", "phone": "13912345678"}, change,
            )  # fmt: skip
    path = export_submission(store, "220102", Q, tmp_path).path
    with zipfile.ZipFile(path) as archive:
        xml = b"".join(archive.read(n) for n in archive.namelist() if n.startswith("xl/")).decode()
    assert "<f>" not in xml and "<f " not in xml
    assert "HYPERLINK" in xml  # present, but as text
    ws = load_workbook(path)["维权援助工作站"]
    names = {ws.cell(r, 2).value for r in range(3, 3 + len(EVIL))}
    assert all(ws.cell(r, 2).data_type == "s" for r in range(3, 3 + len(EVIL)))
    # XML turns a bare carriage return into a line feed; the text is otherwise intact.
    assert names == {e.replace("\r", "\n") for e in EVIL}
    store.close()


def test_atomic_write_keeps_old_file_on_crash(
    demo_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = export_template(demo_store, "220102", Q, tmp_path).path
    before = good.read_bytes()

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(InputError, match="无法保存工作簿"):
        export_template(demo_store, "220102", Q, tmp_path)
    assert good.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [good.name]  # no temp file left


def test_export_marks_own_period_submitted(tmp_path: Path) -> None:
    from jlip_desk.services.installation import bind, prepare

    store = Store.memory()
    plan = prepare(store)
    bind(store, "220102")
    export_template(store, "220102", Q, tmp_path)
    assert store.conn.execute("SELECT COUNT(*) FROM period_status").fetchone()[0] == 0
    export_submission(store, "220102", Q, tmp_path)
    row = store.conn.execute("SELECT plan_id, org_code, period, status FROM period_status")
    assert row.fetchall() == [(plan.id, "220102", "2025Q4", "submitted")]
    assert active_plan(store).id == plan.id
    store.close()


def test_year_workbook_has_annual_sheet_only(demo_store: Store, tmp_path: Path) -> None:
    path = export_submission(demo_store, "220102", Period(2025), tmp_path).path
    names = load_workbook(path, read_only=True).sheetnames
    assert "年度指标" in names and "服务活动" not in names
    assert re.search(r"_2025\.xlsx$", path.name)


def _busiest_county(store: Store) -> str:
    row = store.conn.execute(
        "SELECT org_code FROM records GROUP BY org_code ORDER BY COUNT(*) DESC LIMIT 1"
    ).fetchone()
    return str(row[0])


def _column_style(ws: Worksheet, index: int) -> ColumnDimension:
    """The ``<col>`` entry covering column ``index`` (a program may merge equal columns)."""
    for dim in ws.column_dimensions.values():
        if (dim.min or 0) <= index <= (dim.max or 0):
            return dim
    raise AssertionError(f"no column style for column {index} of {ws.title}")


def _formats(ws: Worksheet) -> list[str]:
    """Number formats of the first record's cells, as exported."""
    return [_plain(c.number_format) for c in ws[FIRST_DATA_ROW]]


def _plain(number_format: str) -> str:
    return number_format.replace("\\", "")  # LibreOffice writes yyyy\-mm\-dd


def _assert_spare_area(ws: Worksheet, records: int, formats: list[str]) -> None:
    """Below the records: code column locked; input columns unlocked, shaded, formatted.

    Cells that no row wrote take their column's style in Excel and LibreOffice, so the
    column styles are what a user typing a new station under the records gets.
    """
    assert ws.max_row == FIRST_DATA_ROW + records - 1  # no blank rows written
    assert ws.protection.sheet and not ws.protection.password
    code = _column_style(ws, 1)
    assert code.protection.locked
    for index in range(2, ws.max_column + 1):
        dim = _column_style(ws, index)
        assert not dim.protection.locked, (ws.title, index)
        assert dim.fill.fgColor.rgb[-6:] == INPUT_COLOR[-6:], (ws.title, index)
        assert _plain(dim.number_format) == formats[index - 1], (ws.title, index)
    assert ws.cell(1, 2).fill.fgColor.rgb[-6:] != INPUT_COLOR[-6:]  # title row plain


def test_registry_sheet_open_for_new_rows(demo_store: Store, tmp_path: Path) -> None:
    org = _busiest_county(demo_store)
    export_submission(demo_store, org, Q, tmp_path / "first")  # validations are reused
    path = export_submission(demo_store, org, Q, tmp_path).path
    wb = load_workbook(path)
    ws = wb["维权援助工作站"]
    records = sum(1 for r in range(FIRST_DATA_ROW, ws.max_row + 1) if ws.cell(r, 1).value)
    assert records > 0
    _assert_spare_area(ws, records, _formats(ws))
    # The drop-downs and checks cover the rows below the records too.
    for dv in ws.data_validations.dataValidation:
        assert len(dv.sqref.ranges) == 1 and str(dv.sqref).endswith(str(MAX_ROW)), dv.sqref
    # A form about registry records takes a new station's row too (found in a user
    # test: 填报说明 said to add it, the protected sheet refused): below its rows the
    # code stays locked (left blank), the name and the figures are open.
    activity = wb["服务活动"]
    assert _column_style(activity, 1).protection.locked
    for index in range(2, activity.max_column + 1):
        assert not _column_style(activity, index).protection.locked, index


def test_a_form_about_the_org_unit_keeps_its_fixed_rows(demo_store: Store, tmp_path: Path) -> None:
    path = export_submission(demo_store, "220102", Period(2025), tmp_path).path
    annual = load_workbook(path)["年度指标"]
    assert all(dim.style_id == 0 for dim in annual.column_dimensions.values())


@pytest.mark.libreoffice
def test_registry_spare_area_survives_libreoffice(
    demo_store: Store, tmp_path: Path, helpers: Any
) -> None:
    org = _busiest_county(demo_store)
    path = export_submission(demo_store, org, Q, tmp_path / "out").path
    (resaved,) = helpers.resave_with_libreoffice([path], tmp_path / "lo")
    for name in ("维权援助工作站", "信息服务网点"):
        ws = load_workbook(path)[name]
        records = ws.max_row - FIRST_DATA_ROW + 1
        _assert_spare_area(load_workbook(resaved)[name], records, _formats(ws))


def test_exported_comments_open_with_their_drawing(demo_store: Store, tmp_path: Path) -> None:
    path = export_template(demo_store, "220102", Q, tmp_path).path
    with zipfile.ZipFile(path) as archive:
        drawings = [n for n in archive.namelist() if n.endswith(".vml")]
        assert drawings and all(archive.read(n).startswith(b"<xml ") for n in drawings)
    ws = load_workbook(path)["维权援助工作站"]
    headers = [c for c in ws[2] if c.value]
    assert headers and all(c.comment is not None and c.comment.text for c in headers)


def _workbook_of(
    store: Store, org_code: str, tmp_path: Path, period: Period = Q
) -> tuple[Path, list[SheetData]]:
    """An exported submission and the rows it was written from."""
    plan, org = active_plan(store), get_org(store, org_code)
    sheets = collect(store, plan, org, sheets_for(plan, org, period), blank=False)
    return export_submission(store, org_code, period, tmp_path).path, sheets


def _rgb(ws: Worksheet, coordinate: str) -> str:
    return str(ws[coordinate].fill.fgColor.rgb)[-6:]


def test_sheets_in_order_with_hidden_metadata(demo_store: Store, tmp_path: Path) -> None:
    path, sheets = _workbook_of(demo_store, _busiest_county(demo_store), tmp_path)
    # The plan definition the workbook was made for travels with it (very hidden too).
    names = [INSTRUCTIONS_SHEET, *(s.spec.sheet for s in sheets), META_SHEET, PLAN_SHEET]
    wb = load_workbook(path)
    assert [(ws.title, ws.sheet_state) for ws in wb.worksheets] == [
        (name, "veryHidden" if name in (META_SHEET, PLAN_SHEET) else "visible") for name in names
    ]
    assert wb.active is not None and wb.active.title == INSTRUCTIONS_SHEET
    book = CalamineWorkbook.from_path(str(path))
    assert [(m.name, m.visible) for m in book.sheets_metadata] == [
        (
            name,
            SheetVisibleEnum.VeryHidden
            if name in (META_SHEET, PLAN_SHEET)
            else SheetVisibleEnum.Visible,
        )
        for name in names
    ]
    book.close()


def test_metadata_in_hidden_sheet_and_document_properties(
    demo_store: Store, tmp_path: Path
) -> None:
    path, sheets = _workbook_of(demo_store, "220102", tmp_path)
    wb = load_workbook(path)
    pairs = pairs_from_rows([[c.value for c in row] for row in wb[META_SHEET].iter_rows()])
    meta = Meta.from_pairs(pairs, path.name)
    assert meta.kind == "submission" and meta.org_code == "220102" and meta.period == str(Q)
    assert meta.sheets == {s.spec.sheet: f"{s.spec.kind}:{s.spec.id}" for s in sheets}
    assert meta.fingerprint == fingerprint(sheets)
    # Every pair again as a text property, for a program that drops the hidden sheet.
    props = {p.name: p for p in wb.custom_doc_props.props}
    assert {name: p.value for name, p in props.items()} == {
        f"{PROP_PREFIX}{key}": value for key, value in meta.pairs()
    }
    assert all(type(p).__name__ == "StringProperty" for p in props.values())
    assert pairs_from_properties(path) == dict(meta.pairs())
    assert wb.properties.creator == "JLIP Desk"
    assert wb.properties.title == f"{meta.org_name} {meta.period}"


def test_program_cells_locked_input_cells_open(demo_store: Store, tmp_path: Path) -> None:
    path, sheets = _workbook_of(demo_store, _busiest_county(demo_store), tmp_path)
    wb = load_workbook(path)
    info = wb[INSTRUCTIONS_SHEET]
    assert info.protection.sheet and not info.protection.password
    assert info.protection.insertRows and info.protection.formatCells  # fully protected
    legend = [
        r for r in range(1, info.max_row + 1) if info[f"A{r}"].value in ("黄色", "灰色", "蓝色")
    ]
    assert {info[f"A{r}"].value: _rgb(info, f"A{r}") for r in legend} == {
        "黄色": INPUT_COLOR[-6:], "灰色": LOCKED_COLOR[-6:], "蓝色": HEADER_COLOR[-6:]
    }  # fmt: skip
    for data in sheets:
        ws = wb[data.spec.sheet]
        protection = ws.protection
        assert protection.sheet and not protection.password, ws.title
        # Rows may be added, resized, sorted and filtered; columns resized; nothing deleted.
        allowed = ("insertRows", "formatRows", "formatColumns", "sort", "autoFilter")
        assert not any(getattr(protection, name) for name in allowed), ws.title
        assert protection.deleteRows and protection.deleteColumns and protection.insertColumns
        assert ws["A1"].value == data.spec.title and ws["A1"].font.b and ws["A1"].font.sz == 14
        for index, col in enumerate(data.spec.columns, start=1):
            header = ws.cell(HEADER_ROW, index)
            assert header.value == col.header and header.font.b and header.protection.locked
            assert _rgb(ws, header.coordinate) == HEADER_COLOR[-6:]
            for row in range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(data.rows)):
                cell = ws.cell(row, index)
                assert cell.protection.locked is col.locked, (ws.title, cell.coordinate)
                colour = LOCKED_COLOR if col.locked else INPUT_COLOR
                assert _rgb(ws, cell.coordinate) == colour[-6:], (ws.title, cell.coordinate)


def _expected_type(f: Field) -> str:
    if f.type is FieldType.CHOICE:
        return "list"
    return {FieldType.INTEGER: "whole", FieldType.DECIMAL: "decimal", FieldType.DATE: "date"}.get(
        f.type, "textLength"
    )


def test_every_input_column_has_its_validation(demo_store: Store, tmp_path: Path) -> None:
    path, sheets = _workbook_of(demo_store, _busiest_county(demo_store), tmp_path)
    wb = load_workbook(path)
    for data in sheets:
        ws = wb[data.spec.sheet]
        by_range = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
        # Sheets that take new rows (registries, forms about their records) check them
        # to the bottom; fixed ones their own rows.
        takes_rows = (
            data.spec.kind is SheetKind.REGISTRY or data.spec.subject is SubjectKind.REGISTRY
        )
        last = MAX_ROW if takes_rows else FIRST_DATA_ROW + len(data.rows) - 1
        expected = set()
        for index, col in enumerate(data.spec.columns, start=1):
            f = col.field
            if f is None or (f.type is FieldType.TEXT and f.max_length is None):
                continue
            letter = get_column_letter(index)
            sqref = f"{letter}{FIRST_DATA_ROW}:{letter}{last}" if last > FIRST_DATA_ROW else (
                f"{letter}{FIRST_DATA_ROW}"
            )  # fmt: skip
            expected.add(sqref)
            dv = by_range[sqref]
            assert dv.type == _expected_type(f), (ws.title, col.key)
            assert dv.allow_blank and dv.showErrorMessage and dv.showInputMessage
            assert dv.errorStyle in (None, "stop")  # "stop" is the default
            assert dv.error == f"“{f.label}”应为{allowed_text(f)}" and dv.promptTitle == f.label
            assert dv.prompt == allowed_text(f)
            if f.type is FieldType.CHOICE:
                assert dv.formula1 == '"' + ",".join(f.choices) + '"'
            if f.type is FieldType.DATE:
                low = dt.date.fromisoformat(f.min) if isinstance(f.min, str) else None
                if low is not None:
                    assert int(dv.formula1) == (low - dt.date(1899, 12, 30)).days
        assert set(by_range) == expected, ws.title


def test_header_comments_explain_each_column(demo_store: Store, tmp_path: Path) -> None:
    path, sheets = _workbook_of(demo_store, "220102", tmp_path)
    wb = load_workbook(path)
    for data in sheets:
        ws = wb[data.spec.sheet]
        for index, col in enumerate(data.spec.columns, start=1):
            comment = ws.cell(HEADER_ROW, index).comment
            assert comment is not None, (ws.title, col.header)
            assert comment.text == header_comment(col.field, col.header)
            assert comment.author == "JLIP Desk"
        assert not any(c.comment for row in ws.iter_rows(min_row=FIRST_DATA_ROW) for c in row)


def test_values_keep_their_types(demo_store: Store, tmp_path: Path) -> None:
    """Dates are real dates shown as ISO dates, numbers are numbers, text stays text."""
    seen: set[FieldType] = set()
    for period in (Q, Period(2025)):
        _check_types(*_workbook_of(demo_store, _busiest_county(demo_store), tmp_path, period), seen)
    assert {FieldType.DATE, FieldType.INTEGER, FieldType.DECIMAL, FieldType.TEXT} <= seen


def _check_types(path: Path, sheets: list[SheetData], seen: set[FieldType]) -> None:
    wb = load_workbook(path)
    book = CalamineWorkbook.from_path(str(path))
    for data in sheets:
        ws = wb[data.spec.sheet]
        grid = book.get_sheet_by_name(data.spec.sheet).to_python(skip_empty_area=False)
        for r, row in enumerate(data.rows, start=FIRST_DATA_ROW):
            for c, col in enumerate(data.spec.columns, start=1):
                value, cell = row.get(col.key), ws.cell(r, c)
                assert _plain(cell.number_format) == number_format(col.field), cell.coordinate
                read = grid[r - 1][c - 1]
                if value is None:
                    assert cell.value is None and read == ""
                    continue
                if isinstance(value, dt.date):
                    assert cell.is_date and cell.value == dt.datetime.combine(value, dt.time())
                    assert read == value
                elif isinstance(value, int | float):
                    assert cell.data_type == "n" and cell.value == value and read == value
                else:
                    assert cell.data_type == "s" and cell.value == value == read
                if col.field is not None:
                    seen.add(col.field.type)
    book.close()


def test_written_with_the_usual_permissions(demo_store: Store, tmp_path: Path) -> None:
    if os.name != "posix":
        pytest.skip("file modes are a POSIX matter")
    umask = os.umask(0o022)
    os.umask(umask)
    path = export_template(demo_store, "220102", Q, tmp_path).path
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
