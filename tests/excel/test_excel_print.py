"""The submission as the county opens and prints it: widths, frozen panes, print setup."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
import zipfile
from collections.abc import Collection
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from jlip_desk.excel.layout import META_SHEET, display_width
from jlip_desk.excel.writer import ONE_PAGE_ROWS
from jlip_desk.periods import Period
from jlip_desk.plan.model import FieldType
from jlip_desk.services.demo import generate
from jlip_desk.services.excel import export_submissions_all, export_template
from jlip_desk.services.installation import prepare
from jlip_desk.store.cells import CellKey, write_values
from jlip_desk.store.database import Store
from jlip_desk.store.records import create_record, list_records
from jlip_desk.validation.formats import make_credit_code

Q = Period(2025, 4)
VISIBLE = ["填报说明", "维权援助工作站", "信息服务网点", "服务活动"]


def _check_print_setup(
    ws: Worksheet,
    org: str = "南关区",
    period: str = "2025Q4",
    whole_columns: Collection[str] = (),
) -> None:
    assert ws.page_setup.orientation == "landscape", ws.title
    assert str(ws.page_setup.paperSize) == "9", ws.title  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    assert ws.page_setup.fitToWidth in (None, 1, "1"), ws.title  # absent: the default 1
    # Few rows: one page tall as well (absent is the default 1).
    assert ws.page_setup.fitToHeight in (None, 1, "1"), ws.title
    footer = ws.oddFooter
    assert footer.left.text == f"{org} {period}", (ws.title, footer.left.text)
    assert "&P" in footer.right.text and "&N" in footer.right.text, ws.title
    # A sheet that takes new rows prints whole columns, which openpyxl does not read
    # back: its print area is then found among the workbook's defined names.
    assert ws.print_area or ws.title in whole_columns, ws.title


def _whole_column_print_areas(path: Path) -> set[str]:
    """Sheets whose print area is whole columns ("'服务活动'!$A:$M"), from workbook.xml."""
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/workbook.xml").decode("utf-8")
    pattern = r"_xlnm\.Print_Area[^>]*>'?([^'!<]+)'?!\$[A-Z]+:\$[A-Z]+<"
    return {m.group(1) for m in re.finditer(pattern, xml)}


def _check_sheets(path: Path) -> None:
    wb = load_workbook(path)
    whole = _whole_column_print_areas(path)
    for name in VISIBLE:
        _check_print_setup(wb[name], whole_columns=whole)
    for name in VISIBLE[1:]:
        ws = wb[name]
        assert ws.print_title_rows and ws.print_title_rows.replace("$", "") == "1:2", name
        header_height = ws.row_dimensions[2].height
        assert header_height is not None and header_height >= 30, name
    activity = wb["服务活动"]
    stations = wb["维权援助工作站"]
    # Codes and names are not cut off.
    for ws in (stations, activity):
        for letter in ("A", "B", "C"):
            values = [str(c.value) for c in ws[letter][2:] if c.value is not None]
            longest = max((display_width(v) for v in values), default=0.0)
            width = ws.column_dimensions[letter].width
            assert width >= min(longest, 40), (ws.title, letter, width, longest)


def test_submission_widths_freeze_and_print_setup(demo_store: Store, tmp_path: Path) -> None:
    path = export_template(demo_store, "220102", Q, tmp_path).path
    wb = load_workbook(path)
    assert wb[META_SHEET].sheet_state == "veryHidden"
    _check_sheets(path)
    # Dates are centred: right-aligned beside left-aligned text they printed as one word.
    dates = [
        cell
        for name in ("维权援助工作站", "信息服务网点")
        for row in wb[name].iter_rows(min_row=3)
        for cell in row
        if cell.is_date
    ]
    assert dates and all(c.alignment.horizontal == "center" for c in dates)


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    found = re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)
    assert found is not None, info.stdout
    return int(found.group(1))


def _soffice(args: list[str], helpers: Any) -> None:
    exe = helpers.need_soffice()
    profile = Path("/tmp") / f"jlip-lo-{uuid.uuid4().hex}"
    try:
        subprocess.run(
            [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", *args],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@pytest.mark.slow
def test_libreoffice_keeps_print_setup_and_prints_one_page_per_sheet(
    demo_store: Store, tmp_path: Path, helpers: Any
) -> None:
    if shutil.which("pdfinfo") is None:
        pytest.skip("pdfinfo (poppler-utils) not installed")
    path = export_template(demo_store, "220102", Q, tmp_path / "out").path
    [resaved] = helpers.resave_with_libreoffice([path], tmp_path / "resaved")
    _check_sheets(resaved)
    _soffice(["--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), str(path)], helpers)
    assert _pages(tmp_path / "pdf" / (path.stem + ".pdf")) == len(VISIBLE)


BIG = "220302"  # 铁西区, given ten stations and ten service points below
LONG_NAME = "四平市铁西区知识产权维权援助工作站第{}分站"
LONG_ADDRESS = "吉林省四平市铁西区英雄大街一二三四号科技创新大厦十二层"


@pytest.fixture(scope="module")
def ten_stations() -> Any:
    """A demo store whose county 铁西区 has ten of each station, with figures for 2025Q4."""
    store = Store.memory()
    plan = prepare(store)
    generate(store, seed=7)
    with store.atomic():
        change = store.new_change("typed")
        for tag, registry_id in enumerate(("workstations", "service_points"), start=1):
            registry = plan.registry(registry_id)
            fields = {f.id: f for f in registry.fields}
            for i in range(len(list_records(store, plan.id, registry_id, [BIG])), 10):
                values: dict[str, Any] = {
                    f.id: f.choices[0] for f in registry.fields if f.choices
                } | {"status": "运行", "established_on": "2021-01-01"}
                values |= {
                    "name": LONG_NAME.format(i),
                    "host_org": f"吉林省某科技有限公司{i}",
                    "host_credit_code": make_credit_code(f"91220302MA{tag}0000{i:02d}"),
                    "contact": "王小明",
                    "phone": "13912345678",
                    "address": LONG_ADDRESS,
                }
                values = {k: v for k, v in values.items() if k in fields}
                code = create_record(store, plan.id, registry, BIG, values, change)
                figures = {
                    f.id: 12345 for f in plan.form("activity").fields if f.type is FieldType.INTEGER
                }
                key = CellKey(plan.id, "activity", BIG, "2025Q4", code)
                write_values(store, key, figures, change)
    yield store
    store.close()


@pytest.mark.slow
def test_ten_station_county_prints_one_page_per_sheet(
    ten_stations: Store, tmp_path: Path, helpers: Any
) -> None:
    """The done-when check: LibreOffice prints each sheet of the submission on one page."""
    if shutil.which("pdfinfo") is None:
        pytest.skip("pdfinfo (poppler-utils) not installed")
    helpers.need_soffice()
    files = []
    for period in (Q, Period(2025)):
        [result] = export_submissions_all(ten_stations, period, tmp_path / "out", scope=BIG)
        files.append(result.path)
    # The fourth quarter with the year's sheets, in one workbook.
    [result] = export_submissions_all(ten_stations, Q, tmp_path / "out", scope=BIG,
                                      with_annual=True)  # fmt: skip
    files.append(result.path)
    quarter = load_workbook(files[0])
    for name in ("维权援助工作站", "信息服务网点"):
        assert quarter[name].max_row - 2 == 10, name  # ten records under the header rows
    assert 20 <= quarter["服务活动"].max_row - 2 <= ONE_PAGE_ROWS
    resaved = helpers.resave_with_libreoffice(files, tmp_path / "resaved")
    for path, shown in zip(resaved, ("2025Q4", "2025", "2025Q4"), strict=True):
        wb = load_workbook(path)
        whole = _whole_column_print_areas(path)
        visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
        for ws in visible:
            # Each sheet's footer names its own period: the year's sheet says 2025.
            year = "2025" if ws.title == "年度指标" else shown
            _check_print_setup(ws, "铁西区", year, whole)
        # Widths survive the re-save: the long names and addresses are not cut off.
        for ws in visible[1:3]:
            for col in ws.iter_cols(min_row=3):
                texts = [c.value for c in col if isinstance(c.value, str)]
                longest = max((display_width(v) for v in texts), default=0.0)
                width = ws.column_dimensions[col[0].column_letter].width
                assert width >= min(longest, 40), (ws.title, col[0].column_letter)
    _soffice(["--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), *map(str, files)], helpers)
    for path in files:
        wb = load_workbook(path)
        sheets = [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"]
        assert _pages(tmp_path / "pdf" / (path.stem + ".pdf")) == len(sheets), path.name
    assert len(sheets) == 5  # the combined workbook: instructions, two registries, two forms


def test_a_row_a_clerk_adds_below_the_data_is_open_and_printed(
    demo_store: Store, tmp_path: Path, helpers: Any
) -> None:
    """Found in a user test: 填报说明 said to add a new station's activity row at the end
    of 服务活动, but the protected sheet refused it, and the fixed print area left rows
    added below the data unprinted."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    path = export_template(demo_store, "220102", Q, tmp_path).path
    wb = load_workbook(path)
    ws = wb["服务活动"]
    below = ws.max_row + 1
    assert ws.protection.sheet
    name_cell = ws.cell(below, 2)
    name_cell.value = "南关新区知识产权维权援助工作站"
    added = tmp_path / "added.xlsx"
    wb.save(added)
    _soffice(["--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), str(added)], helpers)
    pdf = tmp_path / "pdf" / "added.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True)
    assert "南关新区知识产权维权援助工作站" in text.stdout
    visible = [s for s in load_workbook(added).worksheets if s.sheet_state == "visible"]
    assert _pages(pdf) == len(visible)  # still one page per sheet
