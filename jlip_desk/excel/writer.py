"""Write a template or submission workbook (openpyxl, streaming) and save it atomically."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import stat
import tempfile
import time
import zipfile
from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar
from xml.etree.ElementTree import _escape_attrib, _escape_cdata  # type: ignore[attr-defined]

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell._writer import write_cell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.comments.comment_sheet import CommentRecord, CommentSheet
from openpyxl.compat import safe_string
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.packaging.custom import StringProperty
from openpyxl.packaging.relationship import Relationship
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.datavalidation import DataValidation, DataValidationList
from openpyxl.worksheet.protection import SheetProtection
from openpyxl.writer.excel import ExcelWriter
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import tostring

from jlip_desk.errors import InputError
from jlip_desk.excel import styles
from jlip_desk.excel.data import SheetData
from jlip_desk.excel.layout import (
    FIRST_DATA_ROW,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    MAX_ROW,
    META_SHEET,
    Column,
    SheetKind,
    display_width,
)
from jlip_desk.excel.meta import PROP_PREFIX, Meta


@dataclass(frozen=True, slots=True)
class Instructions:
    """What the ``填报说明`` sheet says, line by line (already in Chinese)."""

    lines: tuple[tuple[str, str], ...]


def _attr(value: object) -> str:
    """An attribute value escaped as ElementTree escapes it."""
    return str(_escape_attrib(value))


def _cdata(value: str) -> str:
    """Element text escaped as ElementTree escapes it."""
    return str(_escape_cdata(value))


class _SheetWriter(WorksheetWriter):  # type: ignore[misc]
    """openpyxl's sheet writer; each row and its plain cells written from strings.

    The same bytes as openpyxl's ``write_row``/``write_cell`` for empty, number and
    plain text cells; anything else (formulas, dates, rich text, hyperlinks, errors)
    goes to openpyxl's own ``write_cell``.
    """

    def write_row(self, xf: Any, row: Any, row_idx: int) -> None:
        ws = self.ws
        write = xf._file  # the stream openpyxl writes the sheet's elements to
        attrs = {"r": f"{row_idx}"}
        attrs.update(ws.row_dimensions.get(row_idx, {}))
        parts = ["<row" + "".join(f' {k}="{_attr(v)}"' for k, v in attrs.items()) + ">"]
        plain = type(row) is _PlainRow
        cell_styles = ws.parent._cell_styles
        for col, item in enumerate(row, 1):
            if plain:
                if item is None:
                    continue
                if type(item) is tuple:
                    value, style = item
                    styled = style is not None and any(style)
                    if value is None and not styled:
                        continue
                    parts.append(
                        _c(
                            f"{get_column_letter(col)}{row_idx}",
                            f' s="{cell_styles.add(style)}"' if styled else "",
                            "n" if value is None or type(value) is not str else "s",
                            value,
                        )
                    )
                    continue
                item.column, item.row = col, row_idx
                if item.hyperlink is not None:
                    item.hyperlink.ref = item.coordinate
            cell = item
            comment = cell._comment
            if comment is not None:
                ws._comments.append(CommentRecord.from_cell(cell))
            value = cell._value
            styled = cell.has_style
            if value is None and not styled and not comment:
                continue
            kind = cell.data_type
            if cell.hyperlink or not (kind == "n" or (kind == "s" and type(value) is str)):
                write("".join(parts))
                parts.clear()
                write_cell(xf, ws, cell, styled)
                continue
            style_attr = f' s="{cell.style_id}"' if styled else ""
            parts.append(_c(cell.coordinate, style_attr, kind, value))
        parts.append("</row>")
        write("".join(parts))


def _c(coordinate: str, style: str, kind: str, value: Any) -> str:
    """A number (``kind`` "n") or plain text ("s") cell as openpyxl's ``write_cell``."""
    if kind == "n":
        if value is None or value == "":
            return f'<c r="{coordinate}"{style} t="n" />'
        text = _cdata(safe_string(value))  # "" for NaN and infinities
        v = f"<v>{text}</v>" if text else "<v />"
        return f'<c r="{coordinate}"{style} t="n">{v}</c>'
    if value == "":
        return f'<c r="{coordinate}"{style} t="inlineStr" />'
    stripped = value.strip()
    space = ' xml:space="preserve"' if stripped and value != stripped else ""
    return f'<c r="{coordinate}"{style} t="inlineStr"><is><t{space}>{_cdata(value)}</t></is></c>'


class _PlainRow(tuple):  # type: ignore[type-arg]
    """A row for :class:`_Sheet` without a cell per value.

    Each item is ``None`` (no cell), a cell, or a ``(value, style array or None)``
    pair whose value openpyxl would write as a plain number or text (see :func:`_pair`).
    """

    __slots__ = ()


def _pair(value: object, style: Any, text: bool = False) -> Any:
    """``(value, style)`` for a :class:`_PlainRow` if a cell holding ``value`` (its type
    forced to text if ``text``) is a plain number or text cell, else ``None``."""
    kind = type(value)
    if kind is not str:
        ok = not text and (value is None or kind is int or kind is float)
        return (value, style) if ok else None
    assert isinstance(value, str)
    if len(value) > 32767 or ILLEGAL_CHARACTERS_RE.search(value):
        return None
    if not text and ((len(value) > 1 and value[0] == "=") or value in ERROR_CODES):
        return None
    return (value, style)


class _Sheet(WriteOnlyWorksheet):  # type: ignore[misc]
    """A write-only sheet streaming its XML into memory, not into a temporary file.

    openpyxl makes, reopens and deletes a named temporary file per sheet; for the few
    kilobytes of a sheet here that cost more than writing its rows.
    """

    def _get_writer(self) -> None:
        if getattr(self, "_writer", None) is None:
            writer = _SheetWriter(self, out=io.BytesIO())
            writer.write_top()
            self._writer = writer

    def _values_to_row(self, values: Any, row_idx: int) -> Any:
        if type(values) is _PlainRow:
            return values
        return super()._values_to_row(values, row_idx)


def _new_sheet(wb: Workbook, title: str) -> Any:
    """``wb.create_sheet(title)`` of a write-only workbook, as a :class:`_Sheet`."""
    ws = _Sheet(parent=wb, title=title)
    wb._add_sheet(ws)
    return ws


class _Validations:
    """A sheet's data validations, serialised once per distinct list of them.

    Stands in for the sheet's ``DataValidationList``, which the sheet writer only asks
    for its length and its element. The validations are shared and never changed
    (:func:`styles.validation_over`): every sheet exported with the same ones gets the
    same element, which is only ever serialised.
    """

    _trees: ClassVar[dict[tuple[int, ...], tuple[DataValidationList, Any]]] = {}

    def __init__(self) -> None:
        self.dataValidation: list[DataValidation] = []

    def __len__(self) -> int:
        return len(self.dataValidation)

    def append(self, dv: DataValidation) -> None:
        self.dataValidation.append(dv)

    def to_tree(self) -> Any:
        key = tuple(map(id, self.dataValidation))
        hit = self._trees.get(key)
        if hit is None:
            if len(self._trees) >= 256:
                self._trees.clear()
            # The list holds the validations: their ids are not reused while cached.
            validations = DataValidationList(dataValidation=list(self.dataValidation))
            hit = (validations, validations.to_tree())
            self._trees[key] = hit
        return hit[1]


class _Styles:
    """The cell styles of one workbook, each worked out once.

    Setting a font, fill or border on a cell hashes the style objects to find their
    index in the workbook; done per cell that cost more than writing the cell.
    """

    def __init__(self, ws: Any):
        self._ws = ws  # any sheet of the workbook: these cells are never appended to it
        self._columns: dict[tuple[bool, str], WriteOnlyCell] = {}
        self.header = WriteOnlyCell(self._ws)
        self.header.font = styles.HEADER_FONT
        self.header.fill = styles.HEADER_FILL
        self.header.border = styles.BORDER
        self.header.alignment = styles.WRAP
        self.header.protection = styles.LOCKED
        self.title = WriteOnlyCell(self._ws)
        self.title.font = styles.TITLE_FONT

    def column(self, col: Column) -> WriteOnlyCell:
        """A blank cell styled for ``col``'s data cells."""
        number_format = styles.number_format(col.field)
        key = (col.locked, number_format)
        if key not in self._columns:
            cell = WriteOnlyCell(self._ws)
            cell.border = styles.BORDER
            cell.number_format = number_format
            cell.fill = styles.LOCKED_FILL if col.locked else styles.INPUT_FILL
            cell.protection = styles.LOCKED if col.locked else styles.UNLOCKED
            self._columns[key] = cell
        return self._columns[key]


def _styled(ws: Any, template: WriteOnlyCell, value: object = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value)
    cell._style = copy(template._style)
    return cell


def _append(ws: Any, items: list[Any]) -> None:
    """Append a row of cells, ``None`` and :func:`_pair` pairs.

    A :class:`_Sheet` writes the pairs without making a cell for them; any other sheet
    gets the cells they stand for (the same cells the pairs are written as).
    """
    if isinstance(ws, _Sheet):
        ws.append(_PlainRow(items))
        return
    row = []
    for item in items:
        if type(item) is not tuple:
            row.append(item)
            continue
        value, style = item
        cell = WriteOnlyCell(ws, value)
        if style is not None:
            cell._style = style
        if type(value) is str:
            cell.data_type = "s"
        row.append(cell)
    ws.append(row)


def _data_item(ws: Any, template: WriteOnlyCell, value: object) -> Any:
    value = _clean(value)
    if isinstance(value, str) and value.startswith(styles.FORMULA_PREFIXES):
        return _cell(ws, template, value)
    return _pair(value, template._style) or _cell(ws, template, value)


def _cell(ws: Any, template: WriteOnlyCell, value: object) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, _clean(value))
    if isinstance(cell.value, str) and cell.value.startswith(styles.FORMULA_PREFIXES):
        # Never a live formula: "=HYPERLINK(...)" stays the text it was.
        cell._style = copy(template._style)
        cell.data_type = "s"
        cell.quotePrefix = True
    else:
        # Shared, never changed: a write-only sheet serialises each row as it is appended.
        cell._style = template._style
    return cell


def _clean(value: object) -> object:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _write_sheet(
    wb: Workbook, data: SheetData, list_refs: dict[str, str], cell_styles: _Styles
) -> None:
    spec = data.spec
    ws = _new_sheet(wb, spec.sheet)
    templates = [cell_styles.column(c) for c in spec.columns]
    for index, col in enumerate(spec.columns, start=1):
        width = max(8.0, min(40.0, display_width(col.header) + 2))
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.row_dimensions[2].height = 36
    first_input = next((i for i, c in enumerate(spec.columns) if not c.locked), 0)
    ws.freeze_panes = f"{get_column_letter(first_input + 1)}{FIRST_DATA_ROW}"

    ws.data_validations = _Validations()
    spare = spec.kind is SheetKind.REGISTRY
    if spare:
        # New records go anywhere below the data: every cell a row never wrote takes its
        # column's style, so the input columns stay unlocked, shaded and formatted to the
        # bottom of the sheet without writing a single blank cell.
        for index, template in enumerate(templates, start=1):
            ws.column_dimensions[get_column_letter(index)]._style = copy(template._style)

    title = WriteOnlyCell(ws, spec.title)
    title.font = styles.TITLE_FONT
    # The title row's other cells are written so that they do not take the column style.
    title_style = cell_styles.title._style
    _append(ws, [title, *((None, title_style) for _ in spec.columns[1:])] if spare else [title])
    headers = []
    for col in spec.columns:
        cell = _styled(ws, cell_styles.header, col.header)
        comment = Comment(styles.header_comment(col.field, col.header), "JLIP Desk")
        comment.width, comment.height = 240, 90
        cell.comment = comment
        headers.append(cell)
    ws.append(headers)
    keys = [c.key for c in spec.columns]
    for row in data.rows:
        _append(ws, [_data_item(ws, t, row.get(k)) for t, k in zip(templates, keys, strict=True)])
    # On a registry sheet the drop-downs and checks reach as far as the column styles.
    last = MAX_ROW if spare else FIRST_DATA_ROW + len(data.rows) - 1
    if last >= FIRST_DATA_ROW:
        for index, col in enumerate(spec.columns, start=1):
            if col.field is None:
                continue
            letter = get_column_letter(index)
            dv = styles.validation_over(
                col.field,
                list_refs.get(f"{spec.id}.{col.key}"),
                f"{letter}{FIRST_DATA_ROW}:{letter}{last}",
            )
            if dv is not None:
                ws.data_validations.append(dv)
    # Guides rather than blocks: no password, rows may be added, columns resized, sorted.
    ws.protection = SheetProtection(
        sheet=True, insertRows=False, formatColumns=False, formatRows=False, sort=False,
        autoFilter=False,
    )  # fmt: skip


def _write_instructions(wb: Workbook, instructions: Instructions) -> Any:
    ws = _new_sheet(wb, INSTRUCTIONS_SHEET)
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 90
    fills = {"黄色": styles.INPUT_FILL, "灰色": styles.LOCKED_FILL, "蓝色": styles.HEADER_FILL}
    # Each style worked out once (a font or fill set on a cell is looked up in the
    # workbook's style lists), then shared: a row is serialised as it is appended.
    plain = WriteOnlyCell(ws)
    plain.font = styles.HEADER_FONT
    heads: dict[str, WriteOnlyCell] = {}
    for key, text in instructions.lines:
        if key in fills and key not in heads:  # in line order, as the fills were added
            heads[key] = WriteOnlyCell(ws)
            heads[key].font = styles.HEADER_FONT
            heads[key].fill = fills[key]
        style = heads.get(key, plain)._style
        head = _pair(_clean(key), style)
        if head is None:
            head = WriteOnlyCell(ws, _clean(key))
            head._style = style
        body = _pair(_clean(text), None, text=True)
        if body is None:
            body = WriteOnlyCell(ws, _clean(text))
            body.data_type = "s"
        _append(ws, [head, body])
    ws.protection = SheetProtection(sheet=True)
    return ws


def _write_lists(wb: Workbook, sheets: Sequence[SheetData]) -> dict[str, str]:
    """Long choice lists (over Excel's 255 characters) go to a very hidden sheet."""
    refs: dict[str, str] = {}
    columns: list[list[str]] = []
    for data in sheets:
        for col in data.spec.columns:
            f = col.field
            if f is not None and f.choices and not styles.inline_list_fits(f.choices):
                columns.append(list(f.choices))
                letter = get_column_letter(len(columns))
                refs[f"{data.spec.id}.{col.key}"] = (
                    f"{LISTS_SHEET}!${letter}$1:${letter}${len(f.choices)}"
                )
    if columns:
        ws = _new_sheet(wb, LISTS_SHEET)
        ws.sheet_state = "veryHidden"
        for i in range(max(len(c) for c in columns)):
            ws.append([c[i] if i < len(c) else None for c in columns])
    return refs


def build_workbook(meta: Meta, instructions: Instructions, sheets: Sequence[SheetData]) -> Workbook:
    wb = Workbook(write_only=True)
    cell_styles = _Styles(_write_instructions(wb, instructions))
    refs = _write_lists(wb, sheets)
    for data in sheets:
        _write_sheet(wb, data, refs, cell_styles)
    ws = _new_sheet(wb, META_SHEET)
    ws.sheet_state = "veryHidden"
    for key, value in meta.pairs():
        cell = _pair(value, None, text=True)
        if cell is None:
            cell = WriteOnlyCell(ws, value)
            cell.data_type = "s"
        _append(ws, [_pair(key, None) or WriteOnlyCell(ws, key), cell])
    for key, value in meta.pairs():
        wb.custom_doc_props.append(StringProperty(name=f"{PROP_PREFIX}{key}", value=value))
    wb.properties.creator = "JLIP Desk"
    wb.properties.title = f"{meta.org_name} {meta.period}"
    return wb


_VML_HEAD = (
    '<xml xmlns:ns0="urn:schemas-microsoft-com:office:office" '
    'xmlns:ns1="urn:schemas-microsoft-com:vml" xmlns:ns2="urn:schemas-microsoft-com:office:excel">'
    '<ns0:shapelayout ns1:ext="edit"><ns0:idmap ns1:ext="edit" data="1" /></ns0:shapelayout>'
    '<ns1:shapetype id="_x0000_t202" coordsize="21600,21600" ns0:spt="202" '
    'path="m,l,21600r21600,l21600,xe"><ns1:stroke joinstyle="miter" />'
    '<ns1:path gradientshapeok="t" ns0:connecttype="rect" /></ns1:shapetype>'
)
_VML_SHAPE = (
    '<ns1:shape type="#_x0000_t202" style="position:absolute; margin-left:59.25pt;'
    'margin-top:1.5pt;width:{width}px;height:{height}px;z-index:1;visibility:hidden" '
    'fillcolor="#ffffe1" ns0:insetmode="auto" id="_x0000_s{id:04d}">'
    '<ns1:fill color2="#ffffe1" /><ns1:shadow color="black" obscured="t" />'
    '<ns1:path ns0:connecttype="none" /><ns1:textbox style="mso-direction-alt:auto">'
    '<div style="text-align:left" /></ns1:textbox><ns2:ClientData ObjectType="Note">'
    "<ns2:MoveWithCells /><ns2:SizeWithCells /><ns2:AutoFill>False</ns2:AutoFill>"
    "<ns2:Row>{row}</ns2:Row><ns2:Column>{column}</ns2:Column></ns2:ClientData></ns1:shape>"
)


def comments_vml(comments: CommentSheet) -> bytes:
    """The legacy drawing of a sheet's comments: what openpyxl's ShapeWriter writes.

    The same bytes from a string template: building it as an element tree cost more
    than all the header cells together.
    """
    shapes = []
    for idx, (coord, comment) in enumerate(comments.comments, 1026):
        row, column = coordinate_to_tuple(coord)
        shapes.append(
            _VML_SHAPE.format(
                width=comment.width, height=comment.height, id=idx, row=row - 1, column=column - 1
            )
        )
    return (_VML_HEAD + "".join(shapes) + "</xml>").encode("utf-8")


# What ZipFile.write records for openpyxl's temporary sheet file (a 0600 regular file).
_SHEET_FILE_ATTR = (stat.S_IFREG | 0o600) << 16


def _text(value: str) -> str:
    """Element text escaped as ElementTree escapes it."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _rich(record: CommentRecord) -> bool:
    """Anything beyond a plain text comment (never so for the header comments)."""
    text = record.text
    return bool(
        record.guid is not None
        or record.commentPr is not None
        or record.shapeId != 0
        or text.r
        or text.rPh
        or text.phoneticPr is not None
    )


def comments_xml(comments: CommentSheet) -> bytes:
    """A sheet's comments part (``xl/comments/commentN.xml``): what openpyxl writes.

    The same bytes from strings, without building and serialising an element tree.
    """
    if any(_rich(record) for record in comments.commentList):
        return bytes(tostring(comments.to_tree()))
    authors = "".join(f"<author>{_text(a)}</author>" for a in comments.authors.author)
    out = [f'<comments xmlns="{SHEET_MAIN_NS}"><authors>{authors}</authors><commentList>']
    for record in comments.commentList:
        text = record.text.t
        if text is None:
            body = "<text />"
        else:
            stripped = text.strip()
            space = ' xml:space="preserve"' if stripped and text != stripped else ""
            body = f"<text><t{space}>{_text(text)}</t></text>" if text else "<text><t /></text>"
        out.append(
            f'<comment ref="{record.ref}" authorId="{record.authorId}" shapeId="0">{body}</comment>'
        )
    out.append("</commentList></comments>")
    return "".join(out).encode("utf-8")


class _ExcelWriter(ExcelWriter):  # type: ignore[misc]
    """openpyxl's package writer; the comments' drawing comes from :func:`comments_vml`
    and the sheets from memory (:class:`_Sheet`)."""

    def write_worksheet(self, ws: Any) -> None:
        out = ws._writer.out if isinstance(ws, _Sheet) and ws._writer is not None else None
        if not isinstance(out, io.BytesIO):
            super().write_worksheet(ws)
            return
        # openpyxl's write_worksheet for a write-only sheet, the part from memory.
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        if not ws.closed:
            ws.close()
        ws._rels = ws._writer._rels
        info = zipfile.ZipInfo(ws.path[1:], time.localtime(time.time())[:6])
        info.external_attr = _SHEET_FILE_ATTR
        info.compress_type = self._archive.compression
        self._archive.writestr(info, out.getvalue())
        self.manifest.append(ws)

    def _write_comment(self, ws: Any) -> None:
        if ws.legacy_drawing is not None:  # never so for a new workbook
            super()._write_comment(ws)
            return
        cs = CommentSheet.from_comments(ws._comments)
        self._comments.append(cs)
        cs._id = len(self._comments)
        self._archive.writestr(cs.path[1:], comments_xml(cs))
        self.manifest.append(cs)
        ws.legacy_drawing = f"xl/drawings/commentsDrawing{cs._id}.vml"
        self._archive.writestr(ws.legacy_drawing, comments_vml(cs))
        self.vba_modified.add(ws.legacy_drawing)
        ws._rels.append(Relationship(Id="comments", type=cs._rel_type, Target=cs.path))


def _save(wb: Workbook, handle: Any) -> None:
    """``wb.save(handle)``, with :class:`_ExcelWriter` (as openpyxl's ``save_workbook``)."""
    if wb.write_only and not wb.worksheets:
        wb.create_sheet()
    archive = zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    wb.properties.modified = dt.datetime.now(tz=dt.UTC).replace(tzinfo=None)
    _ExcelWriter(wb, archive).save()


def save_atomic(wb: Workbook, target: Path) -> Path:
    """Save next to ``target``, flush to disk, then rename: never half a workbook."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".~", suffix=".xlsx.tmp", dir=target.parent)
    except OSError as exc:
        raise InputError(f"无法写入文件夹:{exc.strerror}", where=str(target.parent)) from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            _save(wb, handle)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise InputError(
            f"无法保存工作簿:{exc.strerror}",
            where=str(target),
            allowed="关闭正在打开该文件的程序后重试",
        ) from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return target
