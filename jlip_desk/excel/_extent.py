"""How far a worksheet's content reaches, measured from its bytes before any reader runs.

Readers allocate a sheet's whole used area, from A1 to the farthest addressed cell:
one value at XFD1048576 costs python-calamine 16,384 x 1,048,576 cells (half a
terabyte). So while vetting streams a worksheet part, every ``<row>`` and ``<c>``
start tag is read for the row and column it addresses, with the readers' rules for
tags without an ``r`` attribute (the next row, the next column), and the sheet is
refused as soon as it reaches past the limits. The declared ``<dimension>`` is never
trusted: only what the cells address counts.
"""

from __future__ import annotations

import re

from jlip_desk.errors import InputError

__all__ = [
    "EXTENT_ALLOWED",
    "MAX_COLUMNS",
    "MAX_EXTENT",
    "MAX_ROWS",
    "Extent",
    "cell_name",
]

# The largest real sheet is a registry of about 20,000 rows and 14 columns; forms
# have a few hundred rows and under 20 columns. Five times the rows and ten times
# the columns leave room for notes typed beside the data, while the area a reader
# allocates stays small (2,000,000 cells are about 80 MB in python-calamine and Python).
MAX_ROWS = 100_000
MAX_COLUMNS = 200
MAX_EXTENT = 2_000_000  # rows x columns of every sheet's used area, summed over the workbook
EXTENT_ALLOWED = (
    "每个工作表最多 {rows:,} 行、{columns:,} 列(A1:{corner});"
    "请删除表格下方和右侧多余的行列(包括只设了格式或填了空格的单元格)后重新保存"
)
# A row or cell start tag is under 200 bytes in every program's output.
MAX_TAG = 4096

_DELIM = rb"\s<>/=\"'"
_NAME = rb"[^" + _DELIM + rb":!?]+"
# A <row> or <c> start tag (any prefix) and its attributes, in exact XML syntax:
# no '<' can stand inside a tag, so every tag lies between one '<' and the next.
_TAG = re.compile(
    rb"<(?:" + _NAME + rb":)?(row|c)(?=[\s/>])"
    rb"((?:\s+[^" + _DELIM + rb"]+\s*=\s*(?:\"[^\"<]*\"|'[^'<]*'))*)\s*/?>"
)
# The same tag whose name is complete but whose end is not yet in the buffer.
_OPEN = re.compile(rb"<(?:" + _NAME + rb":)?(?:row|c)(?=[\s/>])")
# Nine digits at most, so that a longer number takes the exact pass.
_SIMPLE_CELL = re.compile(rb'<c r="([A-Za-z]{1,3})([0-9]{1,9})"')
_SIMPLE_ROW = re.compile(rb'<row r="([0-9]{1,9})"')
# Both in document order: letters (empty for a row) and digits.
_SIMPLE_ANY = re.compile(rb'<(?:c r="([A-Za-z]{1,3})|row r=")([0-9]{1,9})"')
# Rows and the cells in each come in ascending order (ECMA-376): a place after the
# one before it. A cell given twice, or out of order, is read differently by each
# program (python-calamine and openpyxl keep the last, a streaming reader the first,
# Excel repairs the file), so the value the import takes may not be the one shown.
_ROW_STRIDE = 2**15  # more than any column number the limits let through
_OTHER_TAGS = re.compile(rb"<(?:c|row)[>/\t\n\r]")
_R_SPACED = re.compile(rb"r[ \t\r\n]+=")
_NAME_SO_FAR = re.compile(rb"<[^" + _DELIM + rb"!?]*")
# Every attribute named r, whatever its prefix: readers differ on namespaces.
_R = re.compile(rb"(?:^|\s)(?:[^\s=]+:)?r\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_REF = re.compile(rb"\s*\$?([A-Za-z]*)\$?([0-9]*)\s*")


def cell_name(row: int, column: int) -> str:
    """``(1, 1)`` -> ``"A1"``."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{letters}{row}"


def _column_number(letters: bytes) -> int:
    if len(letters) > 4:  # past XFD, and past any limit: no need to add it up
        return 26**4
    number = 0
    for byte in letters.upper():
        number = number * 26 + byte - ord("A") + 1
    return number


def _row_number(digits: bytes) -> int:
    return int(digits) if len(digits) <= 9 else 10**9


class Extent:
    """Fed a worksheet part chunk by chunk; refuses content past the limits."""

    def __init__(
        self,
        sheet: str,
        where: str,
        *,
        max_rows: int = MAX_ROWS,
        max_columns: int = MAX_COLUMNS,
    ) -> None:
        self.sheet = sheet
        self.where = where
        self.max_rows = max_rows
        self.max_columns = max_columns
        self.rows = 0  # the farthest row and column addressed so far
        self.columns = 0
        self._row = 0  # the current row, as a reader would number it
        self._ordinal = 0  # <row> elements seen
        self._column = 0  # the last cell's column in the current row
        self._place = 0  # row * _ROW_STRIDE + column of the last row or cell tag
        self._pending = b""
        # A row past the limit, reported at its first cell (which names the column too).
        self._far_row = 0

    def feed(self, chunk: bytes) -> None:
        buffer = self._pending + chunk
        last = buffer.rfind(b"<")
        self._pending = b""
        if last >= 0 and _TAG.match(buffer, last) is None:
            self._pending = self._unfinished(buffer[last:])
            if self._pending:
                buffer = buffer[:last]
        if self._far_row or not self._fast(buffer):
            self._exact(buffer)

    def _exact(self, region: bytes) -> None:
        """Every tag in turn, with the readers' rules for tags without ``r``."""
        matches = 0
        for match in _TAG.finditer(region):
            matches += 1
            if match[1] == b"row":
                self._start_row(match[2])
            else:
                self._cell(match[2])
        # A row or cell tag the pattern does not take is not XML; a reader might
        # still make something of it, so it is refused rather than left unmeasured.
        if matches != len(_OPEN.findall(region)):
            raise self._malformed()

    def _fast(self, region: bytes) -> bool:
        """The usual case at C speed: every tag is ``<row r="7"`` or ``<c r="B7"``.

        False (nothing measured) when the region holds anything else: prefixed
        names, tags without ``r`` or with it elsewhere, content past the limits.
        """
        if b":c" in region or b":row" in region:
            return False
        cells = _SIMPLE_CELL.findall(region)
        rows = _SIMPLE_ROW.findall(region)
        if (
            len(cells) != region.count(b"<c ")
            or len(rows) != region.count(b"<row ")
            or _OTHER_TAGS.search(region) is not None
        ):
            return False
        # Exactly one r attribute per tag and none elsewhere (with two, calamine takes
        # the last one): every "r=" is one of those the patterns took.
        found = region.count(b"r=")
        if (
            found != len(cells) + len(rows)
            or region.count(b" r=") != found
            or _R_SPACED.search(region) is not None
        ):
            return False
        if not cells and not rows:
            return True
        far_row = max(map(int, rows + [digits for _, digits in cells]))
        columns = {letters: _column_number(letters) for letters in {c[0] for c in cells}}
        far_column = max(columns.values(), default=0)
        if far_row > self.max_rows or far_column > self.max_columns:
            return False  # the exact pass names the cell
        place = self._place
        for letters, digits in _SIMPLE_ANY.findall(region):
            at = int(digits) * _ROW_STRIDE + (columns[letters] if letters else 0)
            if at <= place:
                return False  # the exact pass names the cell
            place = at
        self._place = place
        self.rows = max(self.rows, far_row)
        self.columns = max(self.columns, far_column)
        self._ordinal += len(rows)
        if rows:
            self._row = int(rows[-1])
        if cells:
            # When a row tag came last this is the row before's: an overestimate
            # for a later cell without r, never an underestimate.
            self._column = columns[cells[-1][0]]
        return True

    def finish(self) -> None:
        if self._pending and _OPEN.match(self._pending):
            raise self._malformed()
        self._pending = b""
        self._empty_far_row()

    def _empty_far_row(self) -> None:
        if self._far_row:
            raise self._too_far(f"第 {self._far_row:,} 行")

    def _unfinished(self, tail: bytes) -> bytes:
        """What to keep of the text after the last '<': only a tag that may be ours."""
        if _NAME_SO_FAR.fullmatch(tail) is None and _OPEN.match(tail) is None:
            return b""  # another element, an end tag or text: nothing to measure
        if len(tail) > MAX_TAG:
            raise self._malformed()
        return tail

    def _start_row(self, attributes: bytes) -> None:
        self._empty_far_row()
        self._ordinal += 1
        row = 0
        for letters, digits in _refs(attributes):
            if digits and not letters:
                row = max(row, _row_number(digits))
        self._row = row or max(self._row + 1, self._ordinal)
        self._column = 0
        self.rows = max(self.rows, self._row)
        if self._row > self.max_rows:
            self._far_row = self._row
        elif row:
            self._in_order(self._row, 0)

    def _cell(self, attributes: bytes) -> None:
        row = column = 0
        for letters, digits in _refs(attributes):
            if letters:
                column = max(column, _column_number(letters))
            if digits:
                row = max(row, _row_number(digits))
        self._column = column or self._column + 1
        placed = bool(row)  # readers differ on where a cell without its row goes
        row = row or max(self._row, 1)
        self.rows = max(self.rows, row)
        self.columns = max(self.columns, self._column)
        if row > self.max_rows or self._column > self.max_columns:
            name = cell_name(row, self._column)
            raise self._too_far(f"单元格 {name}(第 {row:,} 行、第 {self._column:,} 列)")
        if placed:
            self._in_order(row, self._column)

    def _in_order(self, row: int, column: int) -> None:
        """Refuse a row or cell that addresses a place at or before the last one."""
        at = row * _ROW_STRIDE + column
        if at <= self._place:
            where = f"单元格 {cell_name(row, column)}" if column else f"第 {row:,} 行"
            raise InputError(
                f"工作表“{self.sheet}”中{where}重复出现或排列顺序错乱,"
                "不同程序读出的数值可能不同(文件已损坏或被其他程序改动过)",
                where=self.where,
                allowed="请在 Excel 中打开该文件(如提示修复请确认)并重新保存后再提交",
            )
        self._place = at

    def _too_far(self, far: str) -> InputError:
        return InputError(
            f"工作表“{self.sheet}”的内容延伸到{far},超出允许的范围,"
            "读取它需要分配过多的内存(可能是误操作或恶意构造的文件)",
            where=self.where,
            allowed=self.allowed(),
        )

    def allowed(self) -> str:
        corner = cell_name(self.max_rows, self.max_columns)
        return EXTENT_ALLOWED.format(rows=self.max_rows, columns=self.max_columns, corner=corner)

    def _malformed(self) -> InputError:
        return InputError(
            f"工作表“{self.sheet}”中有无法识别的行或单元格标记(过长或不完整),文件已损坏或为恶意构造",
            where=self.where,
            allowed="请重新从 Excel 保存该文件后再提交",
        )


def _refs(attributes: bytes) -> list[tuple[bytes, bytes]]:
    """Letters and digits of every ``r`` attribute; empty parts where unparsable."""
    out = []
    for match in _R.finditer(attributes):
        value = match[1] if match[1] is not None else match[2]
        ref = _REF.fullmatch(value)
        if ref is not None:
            out.append((ref[1], ref[2]))
    return out
