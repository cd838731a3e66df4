"""Build the hostile workbook corpus: ``uv run python tests/data/build_hostile.py [OUT_DIR]``.

Every file starts from one minimal workbook saved by openpyxl with fixed
properties, re-zipped with fixed timestamps, so the output is byte-identical on
every run (tests/excel/test_excel_safety.py checks that against the committed
files). Each file is refused by jlip_desk.excel.safety.vet_workbook for one cause.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import struct
import sys
import warnings
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import openpyxl

OUT_DIR = Path(__file__).resolve().parent / "workbooks"
FIXED_ZIP_TIME = (2024, 1, 1, 0, 0, 0)
FIXED_DATETIME = datetime(2024, 1, 1, 0, 0, 0)

NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
CT_MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
SHEET = "xl/worksheets/sheet1.xml"
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"<sheetData>"
)
SHEET_TAIL = b"</sheetData></worksheet>"

Parts = dict[str, bytes]


# --- building blocks -------------------------------------------------------------


def minimal_parts() -> Parts:
    """The parts of a small valid workbook, as openpyxl writes it, with fixed dates."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "县级报表"
    ws.append(["单位", "专利授权量"])
    ws.append(["长春市朝阳区", 12])
    wb.properties.created = FIXED_DATETIME
    wb.properties.modified = FIXED_DATETIME  # openpyxl overrides this on save; see below
    buffer = io.BytesIO()
    wb.save(buffer)
    with zipfile.ZipFile(buffer) as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}
    # openpyxl stamps "modified" with the current time on save.
    parts["docProps/core.xml"] = re.sub(
        rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
        rb"\g<1>2024-01-01T00:00:00Z\g<2>",
        parts["docProps/core.xml"],
    )
    return parts


def zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, FIXED_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # the default depends on the platform building the file
    info.external_attr = 0o100644 << 16
    return info


def zip_parts(parts: Parts, extra: Callable[[zipfile.ZipFile], None] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in parts.items():
            zf.writestr(zip_info(name), data, compresslevel=9)
        if extra is not None:
            extra(zf)
    return buffer.getvalue()


def add_override(parts: Parts, part_name: str, content_type: str) -> None:
    override = f'<Override PartName="/{part_name}" ContentType="{content_type}" />'
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", override.encode() + b"</Types>"
    )


def add_relationship(
    parts: Parts, rels: str, rel_id: str, kind: str, target: str, mode: str = ""
) -> None:
    mode_attr = f' TargetMode="{mode}"' if mode else ""
    rel = f'<Relationship Id="{rel_id}" Type="{NS_REL}/{kind}" Target="{target}"{mode_attr} />'
    if rels not in parts:
        parts[rels] = (
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b"</Relationships>"
        )
    parts[rels] = parts[rels].replace(b"</Relationships>", rel.encode() + b"</Relationships>")


def pseudo_random(seed: bytes, size: int) -> bytes:
    """Deterministic bytes that look random (ciphertext, BIFF noise)."""
    blocks = (
        hashlib.sha256(seed + i.to_bytes(4, "little")).digest() for i in range(size // 32 + 1)
    )
    return b"".join(blocks)[:size]


def central_records(data: bytes) -> dict[str, tuple[int, int]]:
    """Offsets of each entry's local header and central directory record."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        local = {info.filename: info.header_offset for info in zf.infolist()}
        position = zf.start_dir
    records = {}
    while data[position : position + 4] == b"PK\x01\x02":
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, position + 28)
        name = data[position + 46 : position + 46 + name_len].decode("utf-8")
        records[name] = (local[name], position)
        position += 46 + name_len + extra_len + comment_len
    return records


def patch_entry(data: bytes, name: str, *, file_size: int | None = None, flags: int = 0) -> bytes:
    """Rewrite an entry's uncompressed size and/or set flag bits, in both headers."""
    out = bytearray(data)
    local, central = central_records(data)[name]
    if file_size is not None:
        struct.pack_into("<I", out, local + 22, file_size)
        struct.pack_into("<I", out, central + 24, file_size)
    for offset in (local + 6, central + 8):
        (old,) = struct.unpack_from("<H", out, offset)
        struct.pack_into("<H", out, offset, old | flags)
    return bytes(out)


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A version 3 Compound File (512-byte sectors) holding ``streams`` under the root.

    Sector 0 is the FAT, sector 1 the directory, then each stream in turn. Streams
    of 4096 bytes or more live in regular sectors, so no mini stream is needed.
    """
    sector, free, end, fat_sector, no_stream = 512, 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    # Siblings form a chain to the right, which is a valid tree when the names are
    # in the CFB order: shorter first, then by upper-case text.
    names = sorted(streams, key=lambda n: (len(n), n.upper()))
    fat = [fat_sector, end]
    starts = []
    for name in names:
        assert len(streams[name]) >= 4096, "small streams would need a mini stream"
        count = -(-len(streams[name]) // sector)
        starts.append(len(fat))
        fat.extend(range(len(fat) + 1, len(fat) + count))
        fat.append(end)
    assert len(fat) <= sector // 4 and len(names) <= 3, "one FAT and one directory sector"
    fat += [free] * (sector // 4 - len(fat))

    def entry(name: str, kind: int, right: int, child: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\x00\x00" if name else b""
        return struct.pack(
            "<64sHBBIII16sIQQIQ",
            raw,
            len(raw),
            kind,
            1,  # black
            no_stream,
            right,
            child,
            b"\x00" * 16,
            0,
            0,
            0,
            start,
            size,
        )

    directory = entry("Root Entry", 5, no_stream, 1, end, 0)
    for index, name in enumerate(names):
        right = index + 2 if index + 1 < len(names) else no_stream
        directory += entry(name, 2, right, no_stream, starts[index], len(streams[name]))
    while len(directory) < sector:
        directory += entry("", 0, no_stream, no_stream, 0, 0)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        bytes.fromhex("d0cf11e0a1b11ae1"),
        b"\x00" * 16,
        0x003E,  # minor version
        3,  # major version: 512-byte sectors
        0xFFFE,  # little-endian
        9,  # sector shift
        6,  # mini sector shift
        b"\x00" * 6,
        0,  # directory sectors (always 0 in version 3)
        1,  # FAT sectors
        1,  # first directory sector
        0,
        4096,  # mini stream cutoff
        end,  # no mini FAT
        0,
        end,  # no DIFAT sectors
        0,
    )
    header += struct.pack("<109I", 0, *([free] * 108))
    body = b"".join(streams[name] + b"\x00" * (-len(streams[name]) % sector) for name in names)
    return header + struct.pack(f"<{len(fat)}I", *fat) + directory + body


def stream_sheet(zf: zipfile.ZipFile, body: bytes, repeat: int) -> None:
    """Write the worksheet entry as head + body*repeat + tail without holding it in memory."""
    with zf.open(zip_info(SHEET), "w") as entry:
        entry.write(SHEET_HEAD)
        block = body * max(1, 2**20 // len(body))
        full, rest = divmod(repeat * len(body), len(block))
        for _ in range(full):
            entry.write(block)
        entry.write(block[:rest])
        entry.write(SHEET_TAIL)


# --- the corpus --------------------------------------------------------------------


def renamed_xls() -> bytes:
    # A BIFF8 BOF record (workbook globals), then noise: a real .xls renamed .xlsx.
    bof = bytes.fromhex("0908100000060500") + bytes(12)
    return compound_file({"Workbook": bof + pseudo_random(b"xls", 8192 - len(bof))})


def encrypted() -> bytes:
    # MS-OFFCRYPTO agile encryption, as Excel writes it for "Encrypt with Password":
    # EncryptionInfo (version 4.4 + XML descriptor) and EncryptedPackage. The values
    # are noise, so no password opens it; the layout is what readers recognise.
    def b64(seed: bytes, size: int) -> str:
        return base64.b64encode(pseudo_random(seed, size)).decode()

    cipher = (
        'saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" '
        'cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512"'
    )
    descriptor = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        '<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption" '
        'xmlns:p="http://schemas.microsoft.com/office/2006/keyEncryptor/password">'
        f'<keyData {cipher} saltValue="{b64(b"salt", 16)}"/>'
        f'<dataIntegrity encryptedHmacKey="{b64(b"hmackey", 64)}" '
        f'encryptedHmacValue="{b64(b"hmacvalue", 64)}"/>'
        "<keyEncryptors><keyEncryptor "
        'uri="http://schemas.microsoft.com/office/2006/keyEncryptor/password">'
        f'<p:encryptedKey spinCount="100000" {cipher} saltValue="{b64(b"keysalt", 16)}" '
        f'encryptedVerifierHashInput="{b64(b"input", 16)}" '
        f'encryptedVerifierHashValue="{b64(b"hash", 64)}" '
        f'encryptedKeyValue="{b64(b"key", 32)}"/>'
        "</keyEncryptor></keyEncryptors></encryption>"
    ).encode()
    info = struct.pack("<HHI", 4, 4, 0x40) + descriptor
    package = struct.pack("<Q", 6000) + pseudo_random(b"package", 8192)
    # Trailing spaces after the root element keep the descriptor well-formed XML.
    return compound_file({"EncryptionInfo": info.ljust(4096, b" "), "EncryptedPackage": package})


def csv() -> bytes:
    return "单位,专利授权量\r\n长春市朝阳区,12\r\n吉林市船营区,7\r\n".encode("gb18030")


def pdf() -> bytes:
    return (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def truncated() -> bytes:
    data = zip_parts(minimal_parts())
    return data[: len(data) // 2]


def corrupt_crc() -> bytes:
    data = bytearray(zip_parts(minimal_parts()))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("xl/theme/theme1.xml")
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len
    middle = start + info.compress_size // 2
    for offset in range(middle, middle + 4):
        data[offset] ^= 0xFF
    return bytes(data)


def not_spreadsheet() -> bytes:
    word = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="{word}"/></Types>'
        ).encode(),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{NS_REL}/officeDocument" Target="word/document.xml"/>'
            "</Relationships>"
        ).encode(),
        "word/document.xml": (
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>长春市朝阳区 专利授权量 12</w:t></w:r></w:p></w:body>"
            "</w:document>"
        ).encode(),
    }
    return zip_parts(parts)


def macro_parts() -> Parts:
    parts = minimal_parts()
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        CT_MAIN.encode(), CT_MACRO_MAIN.encode()
    )
    return parts


def macro() -> bytes:
    # An .xlsm renamed .xlsx: a VBA project and the macro-enabled main content type.
    parts = macro_parts()
    parts["xl/vbaProject.bin"] = compound_file({"dir": pseudo_random(b"vba", 4096)})
    add_override(parts, "xl/vbaProject.bin", "application/vnd.ms-office.vbaProject")
    add_relationship(parts, "xl/_rels/workbook.xml.rels", "rId9", "vbaProject", "vbaProject.bin")
    return zip_parts(parts)


def macro_xlsm() -> bytes:
    # Excel 4.0 (XLM) macros live in a macro sheet, not in a VBA project.
    parts = macro_parts()
    parts["xl/macrosheets/sheet2.xml"] = (
        b'<xm:macrosheet xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
        b'<sheetData><row r="1"><c r="A1"><f>EXEC("calc.exe")</f></c></row></sheetData>'
        b"</xm:macrosheet>"
    )
    add_override(parts, "xl/macrosheets/sheet2.xml", "application/vnd.ms-excel.macrosheet+xml")
    return zip_parts(parts)


def macro_type_only() -> bytes:
    # Saved as macro-enabled but with no macro part: the content type alone refuses it.
    return zip_parts(macro_parts())


def external_link() -> bytes:
    parts = minimal_parts()
    parts["xl/externalLinks/externalLink1.xml"] = (
        b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        b'<externalBook r:id="rId1"><sheetNames><sheetName val="Sheet1"/></sheetNames>'
        b"</externalBook></externalLink>"
    )
    add_relationship(
        parts,
        "xl/externalLinks/_rels/externalLink1.xml.rels",
        "rId1",
        "externalLinkPath",
        "file:///\\\\fileserver\\share\\secret.xlsx",
        "External",
    )
    add_relationship(
        parts,
        "xl/_rels/workbook.xml.rels",
        "rId9",
        "externalLink",
        "externalLinks/externalLink1.xml",
    )
    add_override(
        parts,
        "xl/externalLinks/externalLink1.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml",
    )
    return zip_parts(parts)


def external_target() -> bytes:
    # No externalLinks part: a picture linked from a web address, fetched on open.
    parts = minimal_parts()
    add_relationship(
        parts,
        "xl/worksheets/_rels/sheet1.xml.rels",
        "rId1",
        "image",
        "http://attacker.example/track.png",
        "External",
    )
    return zip_parts(parts)


def billion_laughs() -> bytes:
    parts = minimal_parts()
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    parts["xl/sharedStrings.xml"] = (
        '<?xml version="1.0"?>'
        f'<!DOCTYPE sst [<!ENTITY lol0 "lol">{entities}]>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        'uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    ).encode()
    add_override(
        parts,
        "xl/sharedStrings.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml",
    )
    add_relationship(
        parts, "xl/_rels/workbook.xml.rels", "rId9", "sharedStrings", "sharedStrings.xml"
    )
    return zip_parts(parts)


def xxe_sheet(declared: str, codec: str) -> bytes:
    text = (
        f'<?xml version="1.0" encoding="{declared}"?>'
        '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    return text.encode(codec)


def xxe() -> bytes:
    parts = minimal_parts()
    parts[SHEET] = xxe_sheet("UTF-8", "utf-8")
    return zip_parts(parts)


def xxe_utf16() -> bytes:
    # The same entity in UTF-16, where a plain byte search for "<!DOCTYPE" finds nothing.
    parts = minimal_parts()
    parts[SHEET] = b"\xff\xfe" + xxe_sheet("UTF-16", "utf-16-le")
    return zip_parts(parts)


def without_sheet() -> Parts:
    parts = minimal_parts()
    del parts[SHEET]
    return parts


def zip_bomb() -> bytes:
    # About 190 MB of spaces that deflate packs about 1000:1; the sizes are honest.
    return zip_parts(without_sheet(), lambda zf: stream_sheet(zf, b" ", 190_000_000))


def zip_bomb_lying() -> bytes:
    # 100 MB inflated, but both headers claim 4 KB: only the real size gives it away.
    data = zip_parts(without_sheet(), lambda zf: stream_sheet(zf, b" ", 100_000_000))
    return patch_entry(data, SHEET, file_size=4096)


def too_many_cells() -> bytes:
    # 600,000 cells in 6,000 identical rows: 9 MB of XML (under the 10 MB size from
    # which the compression ratio is checked, so the cell count is what refuses it),
    # a few KB on disk.
    row = b"<row>" + b"<c><v>1</v></c>" * 100 + b"</row>"
    return zip_parts(without_sheet(), lambda zf: stream_sheet(zf, row, 6_000))


def path_traversal() -> bytes:
    parts = minimal_parts()
    parts["../../startup/evil.xml"] = b"<x/>"
    return zip_parts(parts)


def duplicate_name() -> bytes:
    def second_sheet(zf: zipfile.ZipFile) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile warns, which is the point
            zf.writestr(zip_info(SHEET), SHEET_HEAD + SHEET_TAIL)

    return zip_parts(minimal_parts(), second_sheet)


def encrypted_entry() -> bytes:
    # ZipCrypto flag on one entry (no Office application writes this).
    return patch_entry(zip_parts(minimal_parts()), "xl/styles.xml", flags=0x1)


def html_table() -> bytes:
    # A web page saved as ".xls" by many reporting systems, then renamed.
    return (
        '<html><head><meta charset="utf-8"></head><body><table>'
        "<tr><td>单位</td><td>专利授权量</td></tr><tr><td>长春市朝阳区</td><td>12</td></tr>"
        "</table></body></html>"
    ).encode()


def with_far_cell(sheet_xml: bytes, ref: str, value: bytes = b"<v>1</v>") -> bytes:
    """The sheet with one more row at the end holding one cell at ``ref`` (e.g. XFD1048576)."""
    row = "".join(ch for ch in ref if ch.isdigit())
    extra = f'<row r="{row}"><c r="{ref}">'.encode() + value + b"</c></row>"
    return sheet_xml.replace(b"</sheetData>", extra + b"</sheetData>", 1)


def with_dimension(sheet_xml: bytes, ref: str) -> bytes:
    """The sheet declaring ``ref`` as its used range, whatever its cells say."""
    return re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), sheet_xml)


def rewrite_parts(data: bytes, change: Callable[[str, bytes], bytes]) -> bytes:
    """A workbook's bytes with every part passed through ``change(name, data)``."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        parts = {info.filename: change(info.filename, zf.read(info)) for info in zf.infolist()}
    return zip_parts(parts)


def far_corner() -> bytes:
    # One value in the last cell of the sheet: 16,384 x 1,048,576 cells to a reader
    # that allocates the used area (python-calamine asks for 512 GB and aborts).
    parts = minimal_parts()
    parts[SHEET] = with_far_cell(parts[SHEET], "XFD1048576")
    return zip_parts(parts)


def far_row() -> bytes:
    parts = minimal_parts()
    parts[SHEET] = with_far_cell(parts[SHEET], "B300000")
    return zip_parts(parts)


CORPUS: dict[str, Callable[[], bytes]] = {
    "hostile_renamed_xls.xlsx": renamed_xls,
    "hostile_encrypted.xlsx": encrypted,
    "hostile_csv.xlsx": csv,
    "hostile_pdf.xlsx": pdf,
    "hostile_empty.xlsx": bytes,
    "hostile_html_table.xlsx": html_table,
    "hostile_truncated.xlsx": truncated,
    "hostile_corrupt_crc.xlsx": corrupt_crc,
    "hostile_encrypted_entry.xlsx": encrypted_entry,
    "hostile_not_spreadsheet.xlsx": not_spreadsheet,
    "hostile_macro.xlsx": macro,
    "hostile_macro.xlsm": macro_xlsm,
    "hostile_macro_type_only.xlsx": macro_type_only,
    "hostile_external_link.xlsx": external_link,
    "hostile_external_target.xlsx": external_target,
    "hostile_billion_laughs.xlsx": billion_laughs,
    "hostile_xxe.xlsx": xxe,
    "hostile_xxe_utf16.xlsx": xxe_utf16,
    "hostile_zip_bomb.xlsx": zip_bomb,
    "hostile_zip_bomb_lying.xlsx": zip_bomb_lying,
    "hostile_too_many_cells.xlsx": too_many_cells,
    "hostile_path_traversal.xlsx": path_traversal,
    "hostile_duplicate_name.xlsx": duplicate_name,
    "hostile_far_corner.xlsx": far_corner,
    "hostile_far_row.xlsx": far_row,
}


def build(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in CORPUS.items():
        path = out_dir / name
        path.write_bytes(make())
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT_DIR):
        print(f"{written_path.stat().st_size:>9,}  {written_path.name}")
