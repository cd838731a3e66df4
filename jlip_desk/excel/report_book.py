"""The consolidated progress report as tables, and its workbook (XlsxWriter).

A :class:`ReportBook` is plain data: sections of tables of already computed values.
The services build it from the progress report; this module writes it as a workbook
and the GUI layer draws the same tables into a PDF, so both show the same numbers.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError

from jlip_desk.excel import styles
from jlip_desk.excel.atomic import save_atomic
from jlip_desk.excel.layout import display_width

Kind = Literal["text", "int", "year", "number", "percent"]
Value = str | int | float | None

_A4 = 9  # XlsxWriter's paper index for A4
_MIN_WIDTH = 8.0
_MAX_WIDTH = 44.0
_HEADER_WIDTH = 16.0
AUTHOR = "JLIP Desk"


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a table: its Chinese header and how its values are shown."""

    header: str
    kind: Kind = "text"
    decimals: int = 0

    def number_format(self) -> str:
        if self.kind == "int":
            return "#,##0"
        if self.kind == "year":
            return "0"
        if self.kind == "number":
            return "#,##0." + "0" * self.decimals if self.decimals else "General"
        if self.kind == "percent":
            return "0.0%"
        return "@"

    def shown(self, value: Value) -> str:
        """The value as text, as the workbook's number format shows it (for the PDF)."""
        if value is None:
            return "—"
        if isinstance(value, str):
            return value
        if self.kind == "percent":
            return f"{value * 100:.1f}%"
        if self.kind == "int":
            return f"{round(value):,}"
        if self.kind == "year":
            return str(round(value))
        if self.kind == "number":
            if self.decimals:
                return f"{value:,.{self.decimals}f}"
            return f"{value:,.4f}".rstrip("0").rstrip(".")
        return str(value)


@dataclass(frozen=True, slots=True)
class Table:
    """A table: a caption, columns and rows; ``totals`` are row indexes shown in bold."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Value, ...], ...]
    totals: frozenset[int] = frozenset()
    empty_text: str = "(无)"


@dataclass(frozen=True, slots=True)
class Section:
    """One part of the report: a sheet of the workbook, a chapter of the PDF."""

    sheet: str
    title: str
    tables: tuple[Table, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReportBook:
    """The whole report: what it covers and its sections; ``summary`` is its source data."""

    title: str
    plan_name: str
    scope_name: str
    period_label: str
    generated: dt.date
    demo_data: bool
    sections: tuple[Section, ...]
    summary: Mapping[str, Any] = field(default_factory=dict)

    @property
    def info_line(self) -> str:
        text = f"{self.scope_name} · {self.period_label} · 生成日期 {self.generated.isoformat()}"
        if self.demo_data:
            text += " · 注意:含演示数据,不是真实填报数据"
        return text


def write_report_book(book: ReportBook, target: Path) -> Path:
    """Write ``book`` as a workbook to ``target``, atomically; return ``target``."""

    def write(path: Path) -> None:
        wb = xlsxwriter.Workbook(str(path), {"in_memory": True})
        _build(wb, book)
        try:
            wb.close()
        except FileCreateError as exc:
            cause = exc.args[0] if exc.args else None
            if isinstance(cause, OSError):
                raise cause from None
            raise

    return save_atomic(target, write)


class _Formats:
    def __init__(self, wb: Any):
        self._wb = wb
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.info = wb.add_format({"italic": True, "font_color": "#595959"})
        self.warning = wb.add_format({"bold": True, "font_color": "#C00000"})
        self.caption = wb.add_format({"bold": True, "font_size": 12})
        self.note = wb.add_format({"font_color": "#595959"})
        self.header = wb.add_format(dict(styles.HEADER))
        self._cells: dict[tuple[str, bool], Any] = {}

    def cell(self, col: Column, bold: bool) -> Any:
        key = (col.number_format(), bold)
        if key not in self._cells:
            props: dict[str, object] = {
                "border": 1,
                "border_color": styles.BORDER_COLOR,
                "num_format": key[0],
            }
            if bold:
                props.update(bold=True, bg_color=styles.LOCKED_COLOR)
            self._cells[key] = self._wb.add_format(props)
        return self._cells[key]


def _ok(result: int | None, what: object) -> None:
    if result:
        raise ValueError(f"XlsxWriter refused {what!r} ({result})")


def _footer_text(text: str) -> str:
    return text.replace("&", "&&").replace("\n", " ")


def _build(wb: Any, book: ReportBook) -> None:
    formats = _Formats(wb)
    for section in book.sections:
        _write_section(wb, book, section, formats)
    wb.set_properties(
        {
            "title": f"{book.title} {book.scope_name} {book.period_label}",
            "subject": book.plan_name,
            "author": AUTHOR,
        }
    )


def _write_section(wb: Any, book: ReportBook, section: Section, formats: _Formats) -> None:
    ws = wb.add_worksheet(section.sheet)
    ncols = max((len(t.columns) for t in section.tables), default=1)
    widths = [_MIN_WIDTH] * ncols
    _ok(ws.write_string(0, 0, f"{book.plan_name} {section.title}", formats.title), "title")
    info_format = formats.warning if book.demo_data else formats.info
    _ok(ws.write_string(1, 0, book.info_line, info_format), "info")
    row = 2
    first_header: int | None = None
    for index, table in enumerate(section.tables):
        if index:
            row += 1  # a blank row between tables
            _ok(ws.write_string(row, 0, table.title, formats.caption), table.title)
            row += 1
        header_lines = 1
        for col_index, col in enumerate(table.columns):
            _ok(ws.write_string(row, col_index, col.header, formats.header), col.header)
            header_lines = max(header_lines, math.ceil(display_width(col.header) / _HEADER_WIDTH))
            shown = [col.shown(r[col_index]) for r in table.rows]
            content = max((display_width(v) for v in shown), default=0.0)
            wanted = max(content, min(display_width(col.header), _HEADER_WIDTH)) + 2
            widths[col_index] = max(widths[col_index], min(_MAX_WIDTH, wanted))
        ws.set_row(row, max(20, 16 * header_lines + 4))
        if first_header is None:
            first_header = row
        row += 1
        if not table.rows:
            _ok(ws.write_string(row, 0, table.empty_text, formats.note), "empty")
            row += 1
        for row_index, values in enumerate(table.rows):
            bold = row_index in table.totals
            for col_index, (col, value) in enumerate(zip(table.columns, values, strict=True)):
                _write_value(ws, row, col_index, value, formats.cell(col, bold))
            row += 1
    if section.notes:
        row += 1
    for note in section.notes:
        _ok(ws.write_string(row, 0, note, formats.note), note)
        row += 1
    for col_index, width in enumerate(widths):
        ws.set_column(col_index, col_index, width)
    header_row = first_header if first_header is not None else 1
    # The first table's header stays in view and is printed on every page.
    ws.freeze_panes(header_row + 1, 0)
    ws.set_landscape()
    ws.set_paper(_A4)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.7)
    _ok(ws.repeat_rows(0, header_row), "repeat_rows")
    footer = (
        f"&L{_footer_text(book.scope_name)} {_footer_text(book.period_label)}"
        f"&C{_footer_text(section.title)}&R第 &P 页,共 &N 页"
    )
    _ok(ws.set_footer(footer), footer)
    _ok(ws.print_area(0, 0, max(row - 1, 0), ncols - 1), "print_area")


def _write_value(ws: Any, row: int, col: int, value: Value, fmt: Any) -> None:
    if isinstance(value, str):
        result = ws.write_string(row, col, value, fmt)
    elif isinstance(value, bool):
        result = ws.write_string(row, col, "是" if value else "否", fmt)
    elif isinstance(value, int | float) and math.isfinite(value):
        result = ws.write_number(row, col, value, fmt)
    else:
        result = ws.write_blank(row, col, None, fmt)
    _ok(result, value)
