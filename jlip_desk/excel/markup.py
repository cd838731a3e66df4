"""A copy of the user's workbook with every bad cell highlighted and commented."""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Sequence
from pathlib import Path
from xml.etree.ElementTree import ParseError

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font

from jlip_desk.errors import ALLOWED_LABEL, InputError
from jlip_desk.excel import styles
from jlip_desk.excel.atomic import save_atomic
from jlip_desk.excel.report import Issue

ISSUES_SHEET = "导入问题"


MARKUP_SUFFIX = "_问题标注"


def markup_name(source: Path) -> str:
    return f"{source.stem}{MARKUP_SUFFIX}.xlsx"


def write_markup(source: Path, issues: Sequence[Issue], target: Path) -> Path:
    """Open ``source`` with openpyxl, mark ``issues``, save atomically as ``target``."""
    # Cached values only: the copy the program hands out never carries live formulas.
    try:
        with warnings.catch_warnings():
            # Whole-column print areas ("$A:$M", the sheets that take new rows) are
            # valid, but openpyxl does not read them and says so; the copy loses them.
            warnings.filterwarnings("ignore", message="Print area cannot be set")
            wb = load_workbook(source, keep_links=False, data_only=True)
    except (zipfile.BadZipFile, ParseError, KeyError, ValueError, IndexError, TypeError) as exc:
        # A part the import never needs (docProps/core.xml) may still be malformed.
        raise InputError(
            f"无法打开工作簿以标注问题({type(exc).__name__})", where=str(source)
        ) from exc
    notes: dict[tuple[str, str], list[str]] = {}
    for issue in issues:
        if issue.severity != "error" or not issue.sheet or not issue.cell:
            continue
        if issue.sheet not in wb.sheetnames:
            continue
        text = issue.message
        if issue.allowed and issue.allowed not in text:
            text += f"\n{ALLOWED_LABEL}:{issue.allowed}"
        notes.setdefault((issue.sheet, issue.cell), []).append(text)
    for (sheet, address), texts in notes.items():
        cell = wb[sheet][address]
        cell.fill = styles.ERROR_FILL
        comment = Comment("\n".join(texts), "JLIP Desk")
        comment.width, comment.height = 300, 40 + 30 * len(texts)
        cell.comment = comment
    if ISSUES_SHEET in wb.sheetnames:
        del wb[ISSUES_SHEET]
    ws = wb.create_sheet(ISSUES_SHEET, 0)
    ws.append(["位置", "内容", "问题", "规则", ALLOWED_LABEL])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for issue in issues:
        if issue.severity == "error":
            ws.append([issue.where, issue.value, issue.message, issue.rule, issue.allowed])
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # a value like "=1+1" stays text here too
    for letter, width in zip("ABCDE", (18, 24, 60, 30, 40), strict=True):
        ws.column_dimensions[letter].width = width
    wb.active = 0
    save_atomic(target, wb.save)
    return target
