"""Exported workbooks: layout, metadata, protection, no formulas by accident, atomic writes."""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.dimensions import ColumnDimension
from openpyxl.worksheet.worksheet import Worksheet

from jlip_desk.errors import InputError
from jlip_desk.excel.layout import FIRST_DATA_ROW, MAX_ROW, META_SHEET
from jlip_desk.excel.styles import INPUT_FILL
from jlip_desk.periods import Period
from jlip_desk.services.excel import export_submission, export_template, export_templates_all
from jlip_desk.store.database import Store
from jlip_desk.store.plans import active_plan
from jlip_desk.store.records import create_record
from jlip_desk.validation.formats import make_credit_code

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
        xml = b"".join(
            archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")
        ).decode()
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
        assert dim.fill.fgColor.rgb[-6:] == INPUT_FILL.fgColor.rgb[-6:], (ws.title, index)
        assert _plain(dim.number_format) == formats[index - 1], (ws.title, index)
    assert ws.cell(1, 2).fill.fgColor.rgb[-6:] != INPUT_FILL.fgColor.rgb[-6:]  # title row plain


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
    # Form sheets keep their fixed rows: nothing below them is open.
    assert all(dim.style_id == 0 for dim in wb["服务活动"].column_dimensions.values())


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


def test_comment_drawing_matches_openpyxl() -> None:
    """The string-built VML is byte for byte what openpyxl's ShapeWriter writes."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.comments.comment_sheet import CommentRecord, CommentSheet

    from jlip_desk.excel.writer import comments_vml

    ws = Workbook().active
    assert ws is not None
    records = []
    for coord, (width, height) in {"A2": (240, 90), "L2": (200, 75), "AB7": (100, 40)}.items():
        comment = Comment(f"“{coord}”:<数值> & 说明\n第二行", "JLIP Desk")
        comment.width, comment.height = width, height
        ws[coord].comment = comment
        records.append(CommentRecord.from_cell(ws[coord]))
    sheet = CommentSheet.from_comments(records)
    assert comments_vml(sheet) == sheet.write_shapes(None)


def test_exported_comments_open_with_their_drawing(demo_store: Store, tmp_path: Path) -> None:
    path = export_template(demo_store, "220102", Q, tmp_path).path
    with zipfile.ZipFile(path) as archive:
        drawings = [n for n in archive.namelist() if n.endswith(".vml")]
        assert drawings and all(archive.read(n).startswith(b"<xml ") for n in drawings)
    ws = load_workbook(path)["维权援助工作站"]
    headers = [c for c in ws[2] if c.value]
    assert headers and all(c.comment is not None and c.comment.text for c in headers)


def _package(store: Store, org_code: str, *, ours: bool, blank: bool) -> dict[str, Any]:
    """Every part of one workbook's package: by our writer, or openpyxl's own."""
    import datetime as dt
    import io

    from openpyxl.worksheet.datavalidation import DataValidationList
    from openpyxl.writer.excel import ExcelWriter

    from jlip_desk.excel import writer
    from jlip_desk.excel.data import collect, fingerprint
    from jlip_desk.excel.exporter import _instructions
    from jlip_desk.excel.layout import sheets_for
    from jlip_desk.excel.meta import Meta
    from jlip_desk.store.orgs import get_org

    plan, org = active_plan(store), get_org(store, org_code)
    sheets = collect(store, plan, org, sheets_for(plan, org, Q), blank=blank)
    meta = Meta(
        "1", "submission", plan.id, plan.version, org.code, org.name, str(Q), "0",
        "2025-01-01T00:00:00+08:00", fingerprint(sheets),
        {s.spec.sheet: f"{s.spec.kind}:{s.spec.id}" for s in sheets},
    )  # fmt: skip
    names = [s.spec.sheet for s in sheets]
    instructions = _instructions(store, plan, org, Q, names, blank=blank)
    buffer = io.BytesIO()
    if ours:
        writer._save(writer.build_workbook(meta, instructions, sheets), buffer)
    else:
        plain = pytest.MonkeyPatch()
        plain.setattr(writer, "_new_sheet", lambda wb, title: wb.create_sheet(title))
        plain.setattr(writer, "_Validations", DataValidationList)
        try:
            wb = writer.build_workbook(meta, instructions, sheets)
        finally:
            plain.undo()
        wb.properties.modified = dt.datetime.now(tz=dt.UTC).replace(tzinfo=None)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            ExcelWriter(wb, archive).save()
    parts: dict[str, Any] = {}
    with zipfile.ZipFile(buffer) as archive:
        for info in archive.infolist():
            data = archive.read(info)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"<dcterms:(modified|created)[^<]*</dcterms:[a-z]+>", b"", data)
            parts[info.filename] = (data, info.external_attr, info.compress_type)
    return parts


@pytest.mark.parametrize("blank", [False, True])
def test_package_is_what_openpyxl_writes(demo_store: Store, blank: bool) -> None:
    """Every part our writer writes from memory or from templates (sheets, comments,
    their drawing, cached validations) is byte for byte what openpyxl writes for the
    same workbook."""
    for org_code in (_busiest_county(demo_store), "220102"):
        ours = _package(demo_store, org_code, ours=True, blank=blank)
        theirs = _package(demo_store, org_code, ours=False, blank=blank)
        assert list(ours) == list(theirs)
        assert any(name.startswith("xl/comments") for name in ours)
        for name, part in ours.items():
            assert part == theirs[name], name


@pytest.mark.parametrize(
    "texts",
    [
        ["“A2”:<数值> & 说明\n第二行 \"引号\" '单引号'", "填写 ", "  ", "", "\n帮助\n"],
        ["a]]>b", "\t缩进", "x"],
    ],
)
def test_comments_part_matches_openpyxl(texts: list[str]) -> None:
    """The string-built comments part is byte for byte what openpyxl writes."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.comments.comment_sheet import CommentRecord, CommentSheet
    from openpyxl.xml.functions import tostring

    from jlip_desk.excel.writer import comments_xml

    ws = Workbook().active
    assert ws is not None
    records = []
    authors = ["JLIP Desk", "<审核 & 人>", "JLIP Desk"]
    for index, text in enumerate(texts):
        cell = ws.cell(row=2, column=index + 1)
        cell.comment = Comment(text, authors[index % len(authors)])
        records.append(CommentRecord.from_cell(cell))
    none = CommentRecord.from_cell(cell)
    none.ref = "Z9"
    none.text.t = None
    records.append(none)
    sheet = CommentSheet.from_comments(records)
    assert comments_xml(sheet) == tostring(sheet.to_tree())


def test_string_rows_match_openpyxl() -> None:
    """Rows written from strings are byte for byte openpyxl's, odd cells included."""
    import datetime as dt

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    from jlip_desk.excel import writer

    def sheet_xml(ours: bool) -> bytes:
        wb = Workbook(write_only=True)
        ws = writer._new_sheet(wb, "S") if ours else wb.create_sheet("S")
        ws.row_dimensions[2].height = 36
        bold = WriteOnlyCell(ws, " 前后空格 ")
        bold.font = Font(bold=True)
        blank = WriteOnlyCell(ws)
        blank.font = Font(italic=True)
        noted = WriteOnlyCell(ws, "注")
        noted.comment = Comment("说明", "JLIP Desk")
        quoted = WriteOnlyCell(ws, "=1+1")
        quoted.data_type = "s"
        quoted.quotePrefix = True
        ws.append(['a & <b> "c"', "  ", "", "x\ny\r\tz", 0, -1.5, 1e-20, 2**53 + 1, True])
        ws.append([bold, blank, None, noted, quoted, "=SUM(A1)", "#N/A", float("nan")])
        ws.append([dt.date(2025, 1, 2), dt.datetime(2025, 1, 2, 3, 4), dt.time(5, 6)])
        ws.append([])
        style = bold._style
        pairs = [" x ", "", "=1", "#N/A", 3, 2.5, float("inf"), None, "a&<>", dt.date(2025, 1, 2)]
        items = [writer._pair(v, style) or writer._cell(ws, bold, v) for v in pairs]
        writer._append(ws, [*items, None, (None, style), (None, None), noted])
        writer._append(ws, [writer._pair("=1", None, text=True), writer._pair(" ", style, True)])
        ws.close()
        return bytes(ws._writer.read())

    assert sheet_xml(ours=True) == sheet_xml(ours=False)
