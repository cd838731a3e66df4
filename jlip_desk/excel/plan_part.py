"""The plan definition a workbook was made for, carried inside it (a very hidden sheet).

A county cannot download anything: the province's template brings the plan along, so
the county's installation can show what changes and load it before importing. The
sheet holds a marker and the SHA-256 of the text in its first row, then the plan
file one line per row; a text whose digest does not match is treated as absent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from jlip_desk.excel.layout import PLAN_SHEET

__all__ = ["PLAN_MARKER", "PLAN_SHEET", "plan_text_of", "write_plan_sheet"]

PLAN_MARKER = "jlip-plan-definition"


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").rstrip("\n").split("\n")


def _digest(lines: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def write_plan_sheet(wb: Any, text: str) -> None:
    """Add the very hidden plan sheet to an XlsxWriter workbook."""
    lines = _lines(text)
    ws = wb.add_worksheet(PLAN_SHEET)
    ws.very_hidden()
    ws.write_string(0, 0, PLAN_MARKER)
    ws.write_string(0, 1, _digest(lines))
    for row, line in enumerate(lines, start=1):
        if line:
            ws.write_string(row, 0, line)


def plan_text_of(grid: Sequence[Sequence[object]]) -> str | None:
    """The plan text of a plan sheet's rows, or None when absent or damaged."""
    if not grid or len(grid[0]) < 2 or grid[0][0] != PLAN_MARKER:
        return None
    lines = ["" if not row or row[0] is None else str(row[0]) for row in grid[1:]]
    while lines and not lines[-1]:
        lines.pop()
    if _digest(lines) != grid[0][1]:
        return None
    return "\n".join(lines) + "\n"
