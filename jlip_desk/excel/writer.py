"""Write a template or submission workbook (XlsxWriter) and save it atomically."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.utility import xl_range_abs

from jlip_desk.excel import styles
from jlip_desk.excel.atomic import save_atomic
from jlip_desk.excel.data import SheetData
from jlip_desk.excel.layout import (
    FIRST_DATA_ROW,
    HEADER_ROW,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    MAX_ROW,
    META_SHEET,
    TITLE_ROW,
    Column,
    SheetKind,
    display_width,
)
from jlip_desk.excel.meta import PROP_PREFIX, Meta
from jlip_desk.excel.plan_part import write_plan_sheet
from jlip_desk.plan.model import SubjectKind

AUTHOR = "JLIP Desk"
# Characters XML 1.0 cannot carry (openpyxl refuses them too): dropped from cell text.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CARRIAGE_RETURN = re.compile(r"\r\n?")
_MAX_TEXT = 32_767  # Excel's limit for the text of one cell
# Column widths, in character cells: content decides within these limits, and a header
# longer than _HEADER_WIDTH wraps rather than widening its column.
_MIN_WIDTH = 8.0
_MAX_WIDTH = 40.0
_HEADER_WIDTH = 14.0
_A4 = 9  # XlsxWriter's paper index for A4
# A sheet of up to this many data rows is fitted onto one printed page (a county's
# quarter with ten stations and ten service points is twenty rows); a longer one prints
# one page wide and as many pages tall as it needs, rather than in unreadable type.
ONE_PAGE_ROWS = 40
_COMMENT = {"author": AUTHOR, "width": 240, "height": 90}
# Guides rather than blocks: no password; rows may be added, rows and columns resized,
# data sorted and filtered. Objects (the header comments) and scenarios stay editable.
_SHEET_PROTECTION = {"objects": True, "scenarios": True}
_DATA_PROTECTION = {
    **_SHEET_PROTECTION,
    "insert_rows": True,
    "format_columns": True,
    "format_rows": True,
    "sort": True,
    "autofilter": True,
}

# XlsxWriter objects: the package has no type information.
Workbook = Any
Worksheet = Any
Format = Any


@dataclass(frozen=True, slots=True)
class Instructions:
    """What the ``填报说明`` sheet says, line by line (already in Chinese)."""

    lines: tuple[tuple[str, str], ...]


def write_workbook(
    meta: Meta,
    instructions: Instructions,
    sheets: Sequence[SheetData],
    target: Path,
    *,
    plan_text: str = "",
) -> Path:
    """Write the workbook of ``sheets`` to ``target``, atomically; return ``target``.

    ``plan_text``: the plan definition the workbook is made for, carried along in a
    very hidden sheet (see :mod:`jlip_desk.excel.plan_part`).
    """

    def write(path: Path) -> None:
        wb = xlsxwriter.Workbook(str(path), {"in_memory": True})
        _build(wb, meta, instructions, sheets)
        if plan_text:
            write_plan_sheet(wb, plan_text)
        try:
            wb.close()
        except FileCreateError as exc:  # XlsxWriter's wrapper of the OSError that stopped it
            cause = exc.args[0] if exc.args else None
            if isinstance(cause, OSError):
                raise cause from None
            raise

    return save_atomic(target, write)


def _build(
    wb: Workbook, meta: Meta, instructions: Instructions, sheets: Sequence[SheetData]
) -> None:
    formats = _Formats(wb)
    _write_instructions(wb, instructions, formats, meta)
    refs = _write_lists(wb, sheets)
    for data in sheets:
        _write_sheet(wb, data, refs, formats, meta)
    ws = wb.add_worksheet(META_SHEET)
    ws.very_hidden()
    for row, (key, value) in enumerate(meta.pairs()):
        _ok(ws.write_string(row, 0, _text(key)), key)
        _ok(ws.write_string(row, 1, _text(value)), key)
        # Kept when a program drops the hidden sheets on saving.
        _ok(wb.set_custom_property(f"{PROP_PREFIX}{key}", value, "text"), key)
    wb.set_properties({"title": f"{meta.org_name} {meta.period}", "author": AUTHOR})


@dataclass(frozen=True, slots=True)
class _Cell:
    """The formats of one column's data cells."""

    plain: Format
    quoted: Format  # text that a spreadsheet could take for a formula: kept as text


class _Formats:
    """The cell formats of one workbook (a format belongs to its workbook), each added once."""

    def __init__(self, wb: Workbook):
        self._wb = wb
        self.title: Format = wb.add_format(dict(styles.TITLE))
        self.header: Format = wb.add_format(dict(styles.HEADER))
        self.wrapped: Format = wb.add_format({"text_wrap": True, "valign": "top"})
        self._keys: dict[str, Format] = {}
        self._cells: dict[tuple[bool, str], _Cell] = {}

    def key(self, text: str) -> Format:
        """The format of an instruction's key cell: bold, shaded if it names a colour."""
        color = styles.KEY_COLORS.get(text, "")
        if color not in self._keys:
            properties = {**styles.KEY, "bg_color": color} if color else dict(styles.KEY)
            self._keys[color] = self._wb.add_format(properties)
        return self._keys[color]

    def cell(self, col: Column, *, open_: bool = False) -> _Cell:
        """The formats of ``col``'s cells (``open_``: unlocked even for a fixed column,
        for the rows a clerk adds below the data)."""
        key = (col.locked and not open_, styles.number_format(col.field))
        if key not in self._cells:
            self._cells[key] = _Cell(
                self._wb.add_format(styles.data_cell(*key)),
                self._wb.add_format(styles.data_cell(*key, quoted=True)),
            )
        return self._cells[key]


def _ok(result: int | None, what: object) -> None:
    """XlsxWriter reports a refused call by its return value: never go on without it."""
    if result:
        raise ValueError(f"XlsxWriter refused {what!r} ({result})")


def _text(value: str) -> str:
    """Text as a cell holds it: no control characters, line feeds, at most 32,767 long."""
    value = _ILLEGAL.sub("", value)
    if "\r" in value:  # as an XML parser reads a carriage return written as it is
        value = _CARRIAGE_RETURN.sub("\n", value)
    return styles.clip(value, _MAX_TEXT)


def _write_cell(ws: Worksheet, row: int, col: int, value: object, cell: _Cell) -> None:
    """One data cell, written as the type it has: text, number, date or blank."""
    if isinstance(value, str):
        text = _ILLEGAL.sub("", value)
        # Never a live formula: "=HYPERLINK(...)" stays the text it was.
        fmt = cell.quoted if text.startswith(styles.FORMULA_PREFIXES) else cell.plain
        result = ws.write_string(row, col, _text(text), fmt)
    elif isinstance(value, bool):
        result = ws.write_boolean(row, col, value, cell.plain)
    elif isinstance(value, int | float) and math.isfinite(value):
        result = ws.write_number(row, col, value, cell.plain)
    elif isinstance(value, dt.date):
        result = ws.write_datetime(row, col, value, cell.plain)
    elif value is None or isinstance(value, float):  # NaN and infinities: no number
        result = ws.write_blank(row, col, None, cell.plain)
    else:
        result = ws.write_string(row, col, _text(str(value)), cell.plain)
    _ok(result, value)


def _footer_text(text: str) -> str:
    """Text for a header or footer: '&' starts a control code there, so it is doubled."""
    return _text(text).replace("&", "&&").replace("\n", " ")


def _print_setup(
    ws: Worksheet,
    meta: Meta,
    last_row: int,
    last_col: int,
    *,
    rows: int,
    one_page: bool,
    period: str = "",
) -> None:
    """Landscape A4, one page wide, the header rows on every page, a footer, a print area.

    ``rows`` is the number of leading rows repeated on each printed page (0: none);
    ``one_page`` fits the sheet onto a single page, else it is one page wide only.
    ``period`` is the sheet's own (a workbook may carry a quarter and its year).
    """
    ws.set_landscape()
    ws.set_paper(_A4)
    ws.fit_to_pages(1, 1 if one_page else 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.7)
    if rows:
        _ok(ws.repeat_rows(0, rows - 1), "repeat_rows")
    shown = _footer_text(period or meta.period)
    footer = f"&L{_footer_text(meta.org_name)} {shown}&R第 &P 页,共 &N 页"
    _ok(ws.set_footer(footer), footer)
    _ok(ws.print_area(0, 0, max(last_row, 0), max(last_col, 0)), "print_area")


def column_width(header: str, values: Sequence[object]) -> float:
    """The width of a column: its longest value, its header up to wrapping, within limits."""
    content = max((display_width(_shown(v)) for v in values), default=0.0)
    header_width = min(display_width(header), _HEADER_WIDTH)
    return max(_MIN_WIDTH, min(_MAX_WIDTH, max(content, header_width) + 2))


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _write_sheet(
    wb: Workbook, data: SheetData, list_refs: dict[str, str], formats: _Formats, meta: Meta
) -> None:
    spec = data.spec
    ws = wb.add_worksheet(spec.sheet)
    cells = [formats.cell(c) for c in spec.columns]
    # New records go anywhere below the data: a cell no row wrote takes its column's
    # format, so a registry's input columns stay unlocked, shaded and formatted to the
    # bottom of the sheet without writing a single blank cell. A form about registry
    # records takes new rows too (a new station's activity row: its name typed, its
    # code left blank), so there every column is open below the data.
    spare = spec.kind is SheetKind.REGISTRY or spec.subject is SubjectKind.REGISTRY
    form_rows = spec.kind is SheetKind.FORM
    for index, col in enumerate(spec.columns):
        width = column_width(col.header, [row.get(col.key) for row in data.rows])
        # The code stays locked (left blank, given on import); the name is typed.
        below = formats.cell(col, open_=form_rows and index > 0).plain if spare else None
        ws.set_column(index, index, width, below)
    header_lines = max(
        (math.ceil(display_width(c.header) / _HEADER_WIDTH) for c in spec.columns), default=1
    )
    ws.set_row(HEADER_ROW - 1, max(36, 16 * header_lines + 4))
    # The code and the name stay in view when scrolling sideways: on a form sheet they
    # are the locked columns before the first input, on a registry sheet the code and
    # the first field (the record's name).
    first_input = next((i for i, c in enumerate(spec.columns) if not c.locked), 0)
    frozen = first_input if spec.kind is SheetKind.FORM else min(2, len(spec.columns))
    ws.freeze_panes(FIRST_DATA_ROW - 1, frozen)
    # A sheet that takes new rows prints whole columns ("$A:$M": Excel and LibreOffice
    # print them down to the last row typed in, so added rows print too); a fixed one
    # prints exactly its rows. (openpyxl does not read whole-column print areas back.)
    last_row = MAX_ROW - 1 if spare else FIRST_DATA_ROW + len(data.rows) - 2
    _print_setup(
        ws, meta, max(last_row, HEADER_ROW - 1), len(spec.columns) - 1,
        rows=HEADER_ROW, one_page=len(data.rows) <= ONE_PAGE_ROWS, period=spec.period,
    )  # fmt: skip

    _ok(ws.write_string(TITLE_ROW - 1, 0, _text(spec.title), formats.title), spec.title)
    if spare:
        # The title row's other cells are written so that they do not take the column format.
        for index in range(1, len(spec.columns)):
            _ok(ws.write_blank(TITLE_ROW - 1, index, None, formats.title), index)
    for index, col in enumerate(spec.columns):
        _ok(ws.write_string(HEADER_ROW - 1, index, _text(col.header), formats.header), col.header)
        comment = _text(styles.header_comment(col.field, col.header))
        _ok(ws.write_comment(HEADER_ROW - 1, index, comment, dict(_COMMENT)), comment)
    keys = [c.key for c in spec.columns]
    for row_index, row in enumerate(data.rows, start=FIRST_DATA_ROW - 1):
        for index, (key, cell) in enumerate(zip(keys, cells, strict=True)):
            _write_cell(ws, row_index, index, row.get(key), cell)

    # On a registry sheet the drop-downs and checks reach as far as the column formats.
    last = MAX_ROW if spare else FIRST_DATA_ROW + len(data.rows) - 1
    if last >= FIRST_DATA_ROW:
        for index, col in enumerate(spec.columns):
            if col.field is None:
                continue
            options = styles.validation_for(col.field, list_refs.get(f"{spec.id}.{col.key}"))
            if options is not None:
                result = ws.data_validation(
                    FIRST_DATA_ROW - 1, index, last - 1, index, dict(options)
                )
                _ok(result, options)
    ws.protect("", dict(_DATA_PROTECTION))


def _write_instructions(
    wb: Workbook, instructions: Instructions, formats: _Formats, meta: Meta
) -> None:
    ws = wb.add_worksheet(INSTRUCTIONS_SHEET)
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 90)
    for row, (key, text) in enumerate(instructions.lines):
        _ok(ws.write_string(row, 0, _text(key), formats.key(key)), key)
        _ok(ws.write_string(row, 1, _text(text), formats.wrapped), text)
    # A page of instructions: it never splits.
    _print_setup(ws, meta, len(instructions.lines) - 1, 1, rows=0, one_page=True)
    ws.protect("", dict(_SHEET_PROTECTION))


def _write_lists(wb: Workbook, sheets: Sequence[SheetData]) -> dict[str, str]:
    """Long choice lists (over Excel's 255 characters) go to a very hidden sheet."""
    refs: dict[str, str] = {}
    columns: list[tuple[str, ...]] = []
    for data in sheets:
        for col in data.spec.columns:
            f = col.field
            if f is not None and f.choices and not styles.inline_list_fits(f.choices):
                index = len(columns)
                columns.append(f.choices)
                cells = xl_range_abs(0, index, len(f.choices) - 1, index)
                refs[f"{data.spec.id}.{col.key}"] = f"{LISTS_SHEET}!{cells}"
    if columns:
        ws = wb.add_worksheet(LISTS_SHEET)
        ws.very_hidden()
        for index, choices in enumerate(columns):
            for row, choice in enumerate(choices):
                _ok(ws.write_string(row, index, _text(choice)), choice)
    return refs
