"""Benchmark: our workbook writer (XlsxWriter) vs openpyxl writing the same styled workbook."""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.protection import SheetProtection

from benchmarks._excel_common import figure, paired_medians, show_figure
from benchmarks._figures import Figure
from jlip_desk import __version__
from jlip_desk.excel import styles
from jlip_desk.excel.atomic import save_atomic
from jlip_desk.excel.data import SheetData, fingerprint
from jlip_desk.excel.exporter import _instructions
from jlip_desk.excel.layout import (
    FIRST_DATA_ROW,
    FORMAT_VERSION,
    INSTRUCTIONS_SHEET,
    MAX_ROW,
    META_SHEET,
    SheetKind,
    display_width,
    sheets_for,
)
from jlip_desk.excel.meta import PROP_PREFIX, Meta
from jlip_desk.excel.writer import Instructions, write_workbook
from jlip_desk.periods import Period
from jlip_desk.services.demo import generate
from jlip_desk.services.installation import prepare
from jlip_desk.services.workbooks import collect
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import get_org
from jlip_desk.store.plans import active_plan

PERIOD = Period(2025, 4)
_EPOCH = dt.date(1899, 12, 30)
_TYPES = {"integer": "whole", "length": "textLength"}
_OPERATORS = {"<=": "lessThanOrEqual"}


def _fill(color: str) -> PatternFill:
    return PatternFill("solid", fgColor=color.lstrip("#"))


def _formula(value: object) -> str:
    if isinstance(value, dt.date):
        return str((value - _EPOCH).days)
    if isinstance(value, list):
        return '"' + ",".join(value) + '"'
    return str(value).removeprefix("=")


def _validation(options: Mapping[str, object], sqref: str) -> DataValidation:
    """The same data validation as an openpyxl object."""
    kind = str(options["validate"])
    dv = DataValidation(
        type=_TYPES.get(kind, kind),
        operator=_OPERATORS.get(str(options.get("criteria")), options.get("criteria")),
        formula1=_formula(options.get("source", options.get("minimum", options.get("value")))),
        formula2=_formula(options["maximum"]) if "maximum" in options else None,
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorStyle="stop",
        errorTitle=options["error_title"],
        error=options["error_message"],
        promptTitle=options["input_title"],
        prompt=options["input_message"],
    )
    dv.add(sqref)
    return dv


def openpyxl_workbook(
    meta: Meta, instructions: Instructions, sheets: Sequence[SheetData], target: Path
) -> None:
    """The exported workbook written the usual openpyxl way: styles, comments, checks."""
    border = Border(*(Side(style="thin", color=styles.BORDER_COLOR.lstrip("#")),) * 4)
    header_font, title_font = Font(bold=True), Font(bold=True, size=14)
    fills = {k: _fill(c) for k, c in styles.KEY_COLORS.items()}
    wb = Workbook()
    info = wb.active
    assert info is not None
    info.title = INSTRUCTIONS_SHEET
    info.column_dimensions["A"].width, info.column_dimensions["B"].width = 18, 90
    for line, (key, text) in enumerate(instructions.lines, start=1):
        head = info.cell(line, 1, key)
        head.font = header_font
        if key in fills:
            head.fill = fills[key]
        info.cell(line, 2, text).data_type = "s"
    info.protection = SheetProtection(sheet=True)
    for data in sheets:
        spec = data.spec
        ws = wb.create_sheet(spec.sheet)
        spare = spec.kind is SheetKind.REGISTRY
        for index, col in enumerate(spec.columns, start=1):
            dim = ws.column_dimensions[get_column_letter(index)]
            dim.width = max(8.0, min(40.0, display_width(col.header) + 2))
            if spare:
                dim.fill = _fill(styles.LOCKED_COLOR if col.locked else styles.INPUT_COLOR)
                dim.protection = Protection(locked=col.locked)
                dim.number_format = styles.number_format(col.field)
        ws.row_dimensions[2].height = 36
        first_input = next((i for i, c in enumerate(spec.columns) if not c.locked), 0)
        ws.freeze_panes = f"{get_column_letter(first_input + 1)}{FIRST_DATA_ROW}"
        ws.cell(1, 1, spec.title).font = title_font
        for index in range(2, len(spec.columns) + 1) if spare else ():
            ws.cell(1, index).font = title_font  # not the column style
        for index, col in enumerate(spec.columns, start=1):
            cell = ws.cell(2, index, col.header)
            cell.font, cell.fill, cell.border = header_font, fills["蓝色"], border
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            cell.comment = Comment(styles.header_comment(col.field, col.header), "JLIP Desk")
            cell.comment.width, cell.comment.height = 240, 90
        for r, row in enumerate(data.rows, start=FIRST_DATA_ROW):
            for c, col in enumerate(spec.columns, start=1):
                cell = ws.cell(r, c, row.get(col.key))
                cell.border = border
                cell.number_format = styles.number_format(col.field)
                cell.fill = fills["灰色" if col.locked else "黄色"]
                cell.protection = Protection(locked=col.locked)
        last = MAX_ROW if spare else FIRST_DATA_ROW + len(data.rows) - 1
        for index, col in enumerate(spec.columns, start=1):
            options = styles.validation_for(col.field) if col.field is not None else None
            if options is not None and last >= FIRST_DATA_ROW:
                letter = get_column_letter(index)
                ws.add_data_validation(
                    _validation(options, f"{letter}{FIRST_DATA_ROW}:{letter}{last}")
                )
        ws.protection = SheetProtection(
            sheet=True, insertRows=False, formatColumns=False, formatRows=False, sort=False,
            autoFilter=False,
        )  # fmt: skip
    ws = wb.create_sheet(META_SHEET)
    ws.sheet_state = "veryHidden"
    for key, value in meta.pairs():
        ws.append([key, value])
        wb.custom_doc_props.append(StringProperty(name=f"{PROP_PREFIX}{key}", value=value))
    wb.properties.creator = "JLIP Desk"
    wb.properties.title = f"{meta.org_name} {meta.period}"
    save_atomic(target, wb.save)


def measure(quick: bool) -> list[Figure]:
    return [run(5 if quick else 15)[1]]


def run(runs: int) -> tuple[str, Figure]:
    """What was written, and the figure."""
    store = Store.memory()
    prepare(store)
    generate(store)
    org_code = store.conn.execute(
        "SELECT org_code FROM records GROUP BY org_code ORDER BY COUNT(*) DESC LIMIT 1"
    ).fetchone()[0]
    plan, org = active_plan(store), get_org(store, org_code)
    sheets = collect(store, plan, org, sheets_for(plan, org, PERIOD), blank=False)
    names = [s.spec.sheet for s in sheets]
    instructions = _instructions(plan, org, PERIOD, names, blank=False, returned_reason=None)
    meta = Meta(
        FORMAT_VERSION, "submission", plan.id, plan.version, org.code, org.name, str(PERIOD),
        __version__, dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        fingerprint(sheets), {s.spec.sheet: f"{s.spec.kind}:{s.spec.id}" for s in sheets},
    )  # fmt: skip
    cells = sum(len(s.rows) * len(s.spec.columns) for s in sheets)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)

        def floor() -> None:
            openpyxl_workbook(meta, instructions, sheets, folder / "openpyxl.xlsx")

        def ours() -> None:
            write_workbook(meta, instructions, sheets, folder / "ours.xlsx")

        floor()  # warm up both before timing
        ours()
        floor_s, ours_s = paired_medians(floor, ours, runs=runs)
    about = (
        f"Workbook of {org.name} ({org_code}) {PERIOD}: {len(sheets) + 1} visible sheets, "
        f"{cells} data cells, median of {runs} alternating runs"
    )
    return about, figure("write one county submission", ours_s, floor_s, 0.3)


def main() -> None:
    about, written = run(15)
    print(about)
    show_figure(written, "openpyxl, same styles")


if __name__ == "__main__":
    main()
