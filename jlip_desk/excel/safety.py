"""File-level vetting of untrusted workbooks, run before any parser touches them."""

from __future__ import annotations

import posixpath
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import openpyxl
import openpyxl.xml
from defusedxml import ElementTree as SafeET
from openpyxl.workbook.workbook import Workbook

from jlip_desk.errors import InputError
from jlip_desk.excel import _cfb, _extent, _zipscan
from jlip_desk.excel._zipscan import Budget, damaged, entity_error, refuse

__all__ = [
    "DEFAULT_MAX_CELLS",
    "DEFAULT_MAX_EXTENT",
    "DEFAULT_MAX_UNCOMPRESSED",
    "Vetted",
    "load_workbook_safely",
    "vet_workbook",
]

# openpyxl decides once, at import, whether to parse through defusedxml; without it
# every later load would expand entities. Fail loudly instead of parsing unsafely.
if not openpyxl.xml.DEFUSEDXML:
    raise RuntimeError(
        "openpyxl is not using defusedxml (not installed, or OPENPYXL_DEFUSEDXML=False); "
        "refusing to parse untrusted workbooks"
    )

DEFAULT_MAX_UNCOMPRESSED = 50 * 2**20
# A 20,000-row registry sheet of the real plan is about 280,000 cells: room for that
# with headroom, while a sheet inflated to millions of cells is still refused.
DEFAULT_MAX_CELLS = 500_000
# The used area readers allocate (see _extent): rows x columns from A1, all sheets.
DEFAULT_MAX_EXTENT = _extent.MAX_EXTENT

_CONTENT_TYPES = "[Content_Types].xml"
_SPREADSHEET_MAIN = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
}
_HEAD_SIZE = 4096
_NS_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_ENCRYPTED_STREAMS = {"EncryptionInfo", "EncryptedPackage"}
_MACRO_ALLOWED = "请在 Excel 中另存为“Excel 工作簿(*.xlsx)”,不含宏"
_LINK_ALLOWED = "请在 Excel 中用“数据 → 编辑链接 → 断开链接”去掉外部链接后重新保存"


@dataclass(frozen=True, slots=True)
class Vetted:
    """What vetting learnt on its way through the file, so readers need not look again."""

    cells: int
    date1904: bool  # dates count from 1904 (old Mac Excel)
    has_formulas: bool  # some worksheet holds a formula element


def vet_workbook(
    path: Path,
    *,
    max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED,
    max_cells: int = DEFAULT_MAX_CELLS,
    max_rows: int = _extent.MAX_ROWS,
    max_columns: int = _extent.MAX_COLUMNS,
    max_extent: int = DEFAULT_MAX_EXTENT,
) -> Vetted:
    """Refuse, with an InputError in Chinese, any file that is not a plain, sane .xlsx.

    Checks the signature, the zip directory, every entry's real decompressed size
    and CRC, the package structure, macros, external links, DTDs/entities in XML
    parts, the number of cells and how far each sheet's cells reach (rows, columns
    and the area a reader would allocate), without ever holding a large entry in memory.
    """
    path = Path(path)  # callers holding a str get the same checks
    where = str(path)
    head = _read_head(path, where)
    _check_signature(path, head, where)
    with _zipscan.open_archive(path, where) as zf:
        infos = zf.infolist()
        _zipscan.check_entries(infos, where, max_uncompressed)
        parts = {info.filename: info for info in infos}
        budget = Budget(max_uncompressed)
        _check_opendocument(zf, parts, budget, where)
        _check_part_names(parts, where)

        def read_xml(name: str) -> Element:
            data, _ = _zipscan.scan_entry(zf, parts[name], budget, where, xml=True, keep=True)
            return _parse_xml(data, name, where)

        content_types = _content_types(read_xml(_CONTENT_TYPES))
        main = _main_part(content_types, parts, where)
        rels_names = {name for name in parts if name.lower().endswith(".rels")}
        sheets = {n for n in parts if n.startswith("xl/worksheets/") and n.endswith(".xml")}
        sheets |= {n for n in parts if "worksheet" in content_types.get(n, "")}
        main_rels = posixpath.join(
            posixpath.dirname(main), "_rels", posixpath.basename(main) + ".rels"
        )
        targets: dict[str, str] = {}
        for name in rels_names:
            found = _check_relationships(read_xml(name), name, where)
            sheets |= {part for _, part in found}
            if name == main_rels:
                targets = dict(reversed(found))  # the first of two equal Ids, as readers do
        workbook = read_xml(main)
        if not workbook.tag.endswith("}workbook"):
            raise refuse(f"压缩包不是 Excel 工作簿(“{main}”不是工作簿)", where)
        titles = _sheet_titles(workbook, targets)
        # The document properties are parsed by openpyxl (the formula pass, the
        # marked-up copy): a malformed one is refused here, by name, instead of
        # failing there. They are small; the budget bounds them like every part.
        for name in _property_parts(parts, content_types):
            read_xml(name)
            rels_names.add(name)  # scanned now: the loop below skips it

        cells = area = 0
        formulas: set[str] = set()
        for info in infos:
            name = info.filename
            # Parts read above were fully scanned already.
            if info.is_dir() or name in (_CONTENT_TYPES, main) or name in rels_names:
                continue
            sheet = name in sheets
            extent = (
                _extent.Extent(
                    titles.get(name, name), where, max_rows=max_rows, max_columns=max_columns
                )
                if sheet
                else None
            )
            _, count = _zipscan.scan_entry(
                zf,
                info,
                budget,
                where,
                # A worksheet is read as XML whatever its name or declared type says.
                xml=sheet or _is_xml(name, content_types),
                count_cells=sheet,
                formulas=formulas if sheet else None,
                extent=extent,
            )
            cells += count
            if extent is not None:
                area += extent.rows * extent.columns
                if area > max_extent:
                    raise _extent_error(extent, area, max_extent, where)
    if cells > max_cells:
        raise refuse(
            f"工作簿的单元格过多(约 {cells:,} 个),超过上限 {max_cells:,} 个",
            where,
            "请删除多余的行列,或拆分为多个工作簿后分别提交",
        )
    return Vetted(cells, _date1904(workbook), bool(formulas))


_PROPERTY_PARTS = ("docProps/core.xml", "docProps/app.xml", "docProps/custom.xml")
_PROPERTY_TYPES = ("core-properties", "extended-properties", "custom-properties")


def _property_parts(parts: dict[str, zipfile.ZipInfo], content_types: dict[str, str]) -> list[str]:
    named = [
        name
        for name in parts
        if name in _PROPERTY_PARTS
        or any(kind in content_types.get(name, "") for kind in _PROPERTY_TYPES)
    ]
    return sorted(set(named))


def _sheet_titles(workbook: Element, targets: dict[str, str]) -> dict[str, str]:
    """Sheet name by worksheet part, from the workbook and its relationships."""
    titles: dict[str, str] = {}
    for element in workbook:
        if not element.tag.endswith("}sheets"):
            continue
        for sheet in element:
            part = targets.get(sheet.get(f"{_NS_R}id", ""))
            if part is not None and sheet.get("name"):
                titles.setdefault(part, sheet.get("name", ""))
    return titles


def _extent_error(extent: _extent.Extent, area: int, limit: int, where: str) -> InputError:
    corner = _extent.cell_name(extent.rows, extent.columns)
    return refuse(
        f"工作簿的数据区域过大:工作表“{extent.sheet}”的内容从 A1 延伸到 {corner},"
        f"各工作表的数据区域合计约 {area:,} 个单元格(含空白单元格),超过上限 {limit:,} 个",
        where,
        "请删除表格下方和右侧多余的行列(包括只设了格式或填了空格的单元格),"
        "或拆分为多个工作簿后分别提交",
    )


def _date1904(workbook: Element) -> bool:
    for element in workbook:
        if element.tag.endswith("}workbookPr"):
            return element.get("date1904", "").lower() in ("1", "true")
    return False


def load_workbook_safely(path: Path, **kwargs: Any) -> Workbook:
    """Vet ``path``, then open it with openpyxl (which parses through defusedxml).

    What openpyxl still fails on after vetting (a malformed part) is an InputError,
    with the original exception chained for the log.
    """
    vet_workbook(path)
    try:
        with warnings.catch_warnings():
            # Whole-column print areas are valid; openpyxl does not read them and says so.
            warnings.filterwarnings("ignore", message="Print area cannot be set")
            return openpyxl.load_workbook(path, **kwargs)
    except defusedxml.DefusedXmlException as exc:
        raise entity_error(str(path), "") from exc
    except (zipfile.BadZipFile, ParseError, KeyError, ValueError, IndexError, TypeError) as exc:
        raise refuse(f"无法读取工作簿内容({type(exc).__name__})", str(path)) from exc


def _read_head(path: Path, where: str) -> bytes:
    try:
        with path.open("rb") as fp:
            return fp.read(_HEAD_SIZE)
    except FileNotFoundError:
        raise refuse("找不到文件", where) from None
    except OSError as exc:
        raise refuse(f"无法读取文件:{exc.strerror or exc}", where) from None


def _check_signature(path: Path, head: bytes, where: str) -> None:
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return
    if not head:
        raise refuse("这是一个空文件(0 字节),不是 Excel 工作簿", where)
    if head.startswith(_cfb.CFB_SIGNATURE):
        with path.open("rb") as fp:
            names = _cfb.directory_names(fp, path.stat().st_size) or set()
        if names & _ENCRYPTED_STREAMS:
            raise refuse(
                "工作簿设有打开密码,请取消密码后重新保存",
                where,
                "在 Excel 中用“文件 → 信息 → 保护工作簿 → 用密码进行加密”清空密码后另存为 .xlsx",
            )
        raise refuse(
            "这是旧版 Excel 97-2003 格式(.xls)或其他 Office 二进制文件,不是 .xlsx 工作簿",
            where,
            "请在 Excel 中“另存为” Excel 工作簿(*.xlsx)后重新提交",
        )
    if head.startswith(b"%PDF"):
        raise refuse("这是 PDF 文件,不是 Excel 工作簿", where)
    if _looks_like_text(head):
        stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        kind = "网页(HTML)或 XML 格式的表格" if stripped.startswith(b"<") else "文本文件(如 CSV)"
        raise refuse(f"这是{kind},不是 Excel 工作簿", where, "请在 Excel 中另存为 .xlsx 后重新提交")
    raise refuse("无法识别的文件格式,不是 Excel 工作簿", where)


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" export
        return True
    if any(byte < 0x20 and byte not in b"\t\r\n" for byte in head):
        return False
    for encoding in ("utf-8", "gb18030"):
        # The head may cut a multi-byte character in two.
        for cut in range(4):
            try:
                head[: len(head) - cut].decode(encoding)
            except UnicodeDecodeError:
                continue
            return True
    return False


_ODF_MIMETYPE = "application/vnd.oasis.opendocument."
_ODS_MIMETYPE = _ODF_MIMETYPE + "spreadsheet"


def _check_opendocument(
    zf: zipfile.ZipFile, parts: dict[str, zipfile.ZipInfo], budget: Budget, where: str
) -> None:
    """Name the format of an OpenDocument file (LibreOffice, WPS), which is a zip too."""
    info = parts.get("mimetype")
    if info is None or _CONTENT_TYPES in parts or info.file_size > 200:
        return
    data, _ = _zipscan.scan_entry(zf, info, budget, where, xml=False, keep=True)
    mimetype = data.decode("ascii", "replace").strip()
    if mimetype.startswith(_ODS_MIMETYPE):  # also the template, ...spreadsheet-template
        raise refuse(
            "这是 OpenDocument 表格(.ods)文件,本程序只接收 .xlsx",
            where,
            "请在表格程序中“另存为” Excel 工作簿(.xlsx)后再导入",
        )
    if mimetype.startswith(_ODF_MIMETYPE):
        raise refuse(
            "这是 OpenDocument 文档(如 .odt、.odp),不是 Excel 工作簿",
            where,
            "请提交本程序导出的模板填写后保存的 Excel 工作簿(.xlsx)",
        )


def _check_part_names(parts: dict[str, zipfile.ZipInfo], where: str) -> None:
    if _CONTENT_TYPES not in parts:
        raise refuse("压缩包不是 Excel 工作簿(缺少 [Content_Types].xml)", where)
    for name in parts:
        lower = name.lower()
        if posixpath.basename(lower) == "vbaproject.bin" or lower.startswith("xl/macrosheets/"):
            raise refuse(
                "工作簿含有宏(VBA 或 Excel 4.0 宏),不能接收启用宏的工作簿", where, _MACRO_ALLOWED
            )
        if lower.startswith("xl/externallinks/"):
            raise _link_error(where)


def _content_types(root: Element) -> dict[str, str]:
    """Content type by part name (no leading slash), and by ``*.ext`` for the defaults."""
    types: dict[str, str] = {}
    for element in root:
        if element.tag.endswith("}Override"):
            types[element.get("PartName", "").lstrip("/")] = element.get("ContentType", "")
        elif element.tag.endswith("}Default"):
            types["*." + element.get("Extension", "").lower()] = element.get("ContentType", "")
    return types


def _main_part(types: dict[str, str], parts: dict[str, zipfile.ZipInfo], where: str) -> str:
    values = " ".join(types.values()).lower()
    if "macroenabled" in values or "vbaproject" in values or "macrosheet" in values:
        raise refuse("工作簿含有宏(启用宏的工作簿),不能接收启用宏的工作簿", where, _MACRO_ALLOWED)
    if "externallink" in values:
        raise _link_error(where)
    mains = [name for name, kind in types.items() if kind in _SPREADSHEET_MAIN]
    if not mains:
        if "wordprocessingml" in values:
            raise refuse("这是 Word 文档,不是 Excel 工作簿", where)
        if "presentationml" in values:
            raise refuse("这是 PowerPoint 演示文稿,不是 Excel 工作簿", where)
        raise refuse("压缩包不是 Excel 工作簿(缺少 xl/workbook.xml)", where)
    if mains[0] not in parts:
        raise refuse(f"压缩包不是 Excel 工作簿(缺少 {mains[0]})", where)
    return mains[0]


def _check_relationships(root: Element, rels_name: str, where: str) -> list[tuple[str, str]]:
    """Refuse external links; return (Id, part) of the worksheets this .rels points at."""
    # "xl/_rels/workbook.xml.rels" describes "xl/workbook.xml": targets are relative to "xl".
    base = posixpath.dirname(posixpath.dirname(rels_name))
    sheets: list[tuple[str, str]] = []
    for element in root:
        kind = element.get("Type", "")
        target = element.get("Target", "")
        if kind.endswith("/externalLink"):
            raise _link_error(where)
        if element.get("TargetMode", "").lower() == "external":
            # Hyperlinks are inert text for us; anything else would fetch data on open.
            if kind.endswith("/hyperlink"):
                continue
            raise _link_error(where)
        if kind.endswith("/worksheet"):
            target = target.replace("\\", "/")
            resolved = target[1:] if target.startswith("/") else posixpath.join(base, target)
            sheets.append((element.get("Id", ""), posixpath.normpath(resolved)))
    return sheets


def _is_xml(name: str, types: dict[str, str]) -> bool:
    lower = name.lower()
    if lower.endswith((".xml", ".rels", ".vml")):
        return True
    kind = types.get(name) or types.get("*." + posixpath.splitext(lower)[1].lstrip("."), "")
    # SVG pictures are XML too, but no reader of ours parses them.
    return kind.endswith("xml") and not kind.startswith("image/")


def _parse_xml(data: bytes, name: str, where: str) -> Element:
    # The byte scan already refused DOCTYPE/ENTITY; defusedxml is the second lock.
    try:
        root: Element = SafeET.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise entity_error(where, name) from exc
    except ParseError as exc:
        raise damaged(where, f"“{name[:80]}”不是有效的 XML") from exc
    return root


def _link_error(where: str) -> InputError:
    return refuse("工作簿含有外部链接(引用其他文件或网络上的数据)", where, _LINK_ALLOWED)
