"""The submission as the county opens and prints it: widths, frozen panes, print setup."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from jlip_desk.excel.layout import META_SHEET, display_width
from jlip_desk.periods import Period
from jlip_desk.services.excel import export_template
from jlip_desk.store.database import Store

Q = Period(2025, 4)
VISIBLE = ["填报说明", "维权援助工作站", "信息服务网点", "服务活动"]


def _check_print_setup(ws: Worksheet) -> None:
    assert ws.page_setup.orientation == "landscape", ws.title
    assert str(ws.page_setup.paperSize) == "9", ws.title  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    assert ws.page_setup.fitToWidth in (None, 1, "1"), ws.title  # absent: the default 1
    footer = ws.oddFooter
    assert "南关区" in footer.left.text and "2025Q4" in footer.left.text, ws.title
    assert "&P" in footer.right.text and "&N" in footer.right.text, ws.title
    assert ws.print_area, ws.title


def _check_sheets(path: Path) -> None:
    wb = load_workbook(path)
    for name in VISIBLE:
        _check_print_setup(wb[name])
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
    pdf = tmp_path / "pdf" / (path.stem + ".pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))  # type: ignore[union-attr]
    assert pages == len(VISIBLE)
