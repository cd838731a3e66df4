"""Read a workbook's values fast (python-calamine), with formulas and the 1904 date system."""

from __future__ import annotations

import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine

from jlip_desk.errors import InputError
from jlip_desk.excel.layout import META_SHEET, PLAN_SHEET
from jlip_desk.excel.meta import pairs_from_properties, pairs_from_rows
from jlip_desk.excel.plan_part import plan_text_of
from jlip_desk.excel.safety import Vetted

Grid = list[list[object]]


@dataclass(slots=True)
class WorkbookContent:
    sheet_names: list[str]
    hidden: set[str]
    grids: dict[str, Grid]
    meta: dict[str, str]
    date1904: bool = False
    # sheet name -> (row, column) zero-based of formulas whose cached value is missing
    uncached: dict[str, set[tuple[int, int]]] = field(default_factory=dict)
    # The plan definition the workbook carries (None: none, or damaged).
    plan_text: str | None = None


def _uncached_formulas(path: Path, grids: dict[str, Grid]) -> dict[str, set[tuple[int, int]]]:
    """Formula cells that carry no cached result (a program that never calculated them)."""
    from openpyxl import load_workbook

    out: dict[str, set[tuple[int, int]]] = {}
    with warnings.catch_warnings():
        # Whole-column print areas are valid; openpyxl does not read them and says so.
        warnings.filterwarnings("ignore", message="Print area cannot be set")
        wb = load_workbook(path, read_only=True, data_only=False, keep_links=False)
    try:
        for ws in wb.worksheets:
            grid = grids.get(ws.title)
            if grid is None:
                continue
            for row in ws.iter_rows():
                for cell in row:
                    if getattr(cell, "data_type", None) != "f":
                        continue
                    r, c = cell.row - 1, cell.column - 1
                    cached = grid[r][c] if r < len(grid) and c < len(grid[r]) else ""
                    if cached is None or cached == "":
                        out.setdefault(ws.title, set()).add((r, c))
    finally:
        wb.close()
    return out


def read_workbook(path: Path, vetted: Vetted) -> WorkbookContent:
    """All sheets' values (``None`` for empty cells) and the workbook's metadata.

    ``vetted`` is what :func:`safety.vet_workbook` found in this file: only vetted
    files are read, and the date system and formula facts come from that scan.
    """
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except (OSError, zipfile.BadZipFile, python_calamine.CalamineError, ValueError) as exc:
        raise InputError(
            f"无法读取工作簿:{exc}", where=path.name, allowed="完整的 .xlsx 文件"
        ) from None
    try:
        names = list(book.sheet_names)
        hidden = {
            m.name
            for m in book.sheets_metadata
            if m.visible is not python_calamine.SheetVisibleEnum.Visible
        }
        grids: dict[str, Grid] = {}
        for name in names:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            grids[name] = [[None if v == "" else v for v in row] for row in rows]
    except (python_calamine.CalamineError, ValueError) as exc:
        raise InputError(f"工作簿内容无法解析:{exc}", where=path.name) from None
    finally:
        book.close()
    meta = pairs_from_rows(grids.pop(META_SHEET, []))
    if not meta:
        meta = pairs_from_properties(path)
    content = WorkbookContent(names, hidden, grids, meta, vetted.date1904)
    content.plan_text = plan_text_of(grids.pop(PLAN_SHEET, []))
    if vetted.has_formulas:
        content.uncached = _uncached_formulas(path, grids)
    return content
