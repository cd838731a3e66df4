"""Find each expected sheet, its header row and its columns, even after renames and moves."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from jlip_desk.excel.layout import INSTRUCTIONS_SHEET, LISTS_SHEET, SheetSpec
from jlip_desk.excel.reader import Grid, WorkbookContent
from jlip_desk.excel.report import Issue

_HEADER_SEARCH_ROWS = 10
_MATCH_SHARE = 0.6


@dataclass(slots=True)
class Located:
    spec: SheetSpec
    name: str  # the sheet's name in this workbook
    header_row: int  # zero-based
    columns: dict[str, int]  # column key -> zero-based index
    rows: list[tuple[int, list[object]]] = field(default_factory=list)  # non-blank, zero-based


def norm(text: object) -> str:
    """Header text compared loosely: full width folded, spaces dropped."""
    folded = unicodedata.normalize("NFKC", str(text or ""))
    return "".join(folded.split())


def _header_match(grid: Grid, spec: SheetSpec) -> tuple[float, int, dict[str, int]]:
    wanted = {norm(c.header): c.key for c in spec.columns}
    best: tuple[float, int, dict[str, int]] = (0.0, -1, {})
    for r, row in enumerate(grid[:_HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for c, value in enumerate(row):
            key = wanted.get(norm(value)) if value is not None else None
            if key is not None and key not in columns:
                columns[key] = c
        score = len(columns) / len(wanted)
        if score > best[0]:
            best = (score, r, columns)
    return best


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _data_rows(grid: Grid, header_row: int) -> list[tuple[int, list[object]]]:
    return [
        (r, row)
        for r, row in enumerate(grid[header_row + 1 :], start=header_row + 1)
        if not all(_blank(v) for v in row)
    ]


def locate(
    content: WorkbookContent, specs: Sequence[SheetSpec]
) -> tuple[list[Located], list[Issue]]:
    """Match every spec to a sheet: by name, else by its header row (a renamed sheet)."""
    issues: list[Issue] = []
    found: dict[str, tuple[str, int, dict[str, int]]] = {}
    claimed: set[str] = set()
    for spec in specs:
        grid = content.grids.get(spec.sheet)
        if grid is not None:
            score, row, columns = _header_match(grid, spec)
            if score > 0:
                found[spec.id] = (spec.sheet, row, columns)
                claimed.add(spec.sheet)
    spare = [
        n
        for n in content.sheet_names
        if n in content.grids and n not in claimed and n not in (INSTRUCTIONS_SHEET, LISTS_SHEET)
    ]
    for spec in specs:
        if spec.id in found:
            continue
        scored = [(_header_match(content.grids[n], spec), n) for n in spare]
        scored = [s for s in scored if s[0][0] >= _MATCH_SHARE]
        if not scored:
            issues.append(
                Issue(
                    f"找不到工作表“{spec.sheet}”(也没有标题行与之相符的工作表)",
                    sheet=spec.sheet,
                    rule="工作表结构",
                    allowed=f"保留模板中的工作表“{spec.sheet}”及其标题行,不要删除或改名",
                )
            )
            continue
        (score, row, columns), name = max(scored, key=lambda s: s[0][0])
        spare.remove(name)
        found[spec.id] = (name, row, columns)
        issues.append(
            Issue(
                f"工作表“{name}”已按标题行识别为“{spec.sheet}”(工作表名称被改动过)",
                sheet=name,
                severity="note",
            )
        )
    # A sheet nothing was read from says so: a copy such as "服务活动(2)" holding the
    # figures the user meant to hand in must not vanish without a word.
    for name in spare:
        issues.append(
            Issue(f"工作表“{name}”不是本表格的工作表,已忽略", sheet=name, severity="note")
        )
    located: list[Located] = []
    for spec in specs:
        if spec.id not in found:
            continue
        name, row, columns = found[spec.id]
        missing = [c for c in spec.columns if c.key not in columns and not _optional(spec, c.key)]
        for col in missing:
            issues.append(
                Issue(
                    f"缺少列“{col.header}”",
                    sheet=name,
                    rule="工作表结构",
                    allowed="保留模板中的全部列标题,不要删除或改动",
                )
            )
        if missing:
            continue
        located.append(Located(spec, name, row, columns, _data_rows(content.grids[name], row)))
    return located, issues


def _optional(spec: SheetSpec, key: str) -> bool:
    """Display-only columns (category, name) may be missing; keys and fields may not."""
    return key != spec.key_column.key and all(c.key != key or c.locked for c in spec.columns)
