"""Zip-level vetting of a workbook: entry names and sizes, then a bounded streaming read."""

from __future__ import annotations

import copy
import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Generator
from contextlib import closing
from pathlib import Path
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from jlip_desk.errors import InputError
from jlip_desk.excel._extent import Extent

__all__ = [
    "CHUNK",
    "MAX_ENTRIES",
    "XLSX_ALLOWED",
    "Budget",
    "check_entries",
    "damaged",
    "entity_error",
    "open_archive",
    "refuse",
    "scan_entry",
]

XLSX_ALLOWED = "请提交 .xlsx 格式的工作簿(Excel 2007 及以上),不含宏、外部链接和打开密码"
CORRUPT_ALLOWED = "请重新从 Excel 保存或重新拷贝该文件后再提交"

CHUNK = 64 * 1024
MAX_ENTRIES = 10_000
MAX_RATIO = 100
# Small entries may compress very well legitimately (a sheet of identical empty
# cells); below this size a high ratio cannot hurt, the total limit still holds.
LARGE_ENTRY = 10 * 2**20
# Longer than any pattern searched for, so matches across chunk boundaries are seen.
_CARRY = 32

# What zipfile itself may raise on a damaged archive (a bad offset can surface as
# ValueError/OSError from seek, a bad name as UnicodeDecodeError, a bad stream as zlib.error).
_DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    ValueError,
    OverflowError,
    struct.error,
    OSError,
)
# Encodings in which markup is plain ASCII bytes, so the byte scans below see it.
_ASCII_COMPATIBLE = {b"utf-8", b"utf8", b"us-ascii", b"ascii", b"iso-8859-1", b"latin-1"}
_ENCODING = re.compile(rb"encoding\s*=\s*[\"']([^\"']*)[\"']")
# Real declarations are under 100 bytes; a longer one could push "encoding" out of sight.
# CHUNK is far larger, so the first chunk always holds a sane declaration whole.
_DECLARATION_MAX = 1024
_CELL = re.compile(rb"<c[\s/>]")
# Only used when a chunk has a prefixed name in it; about three times slower.
_PREFIXED_CELL = re.compile(rb"<(?:\w{1,16}:)?c[\s/>]")
_FORMULA = re.compile(rb"<(?:[A-Za-z0-9_]+:)?f[\s>/]")


def refuse(message: str, where: str, allowed: str = XLSX_ALLOWED) -> InputError:
    """The error for a refused workbook; ``where`` is the file."""
    return InputError(message, where=where, allowed=allowed)


def damaged(where: str, detail: str = "") -> InputError:
    suffix = f"({detail})" if detail else ""
    return refuse(
        f"工作簿文件已损坏或不完整{suffix},可能在保存、复制或传输中出错", where, CORRUPT_ALLOWED
    )


class Budget:
    """Bytes actually decompressed so far across all entries, against the limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0


def open_archive(path: Path, where: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except _DAMAGED as exc:
        raise damaged(where) from exc


def check_entries(infos: list[zipfile.ZipInfo], where: str, max_uncompressed: int) -> None:
    """Refuse on what the central directory says, before anything is decompressed."""
    if len(infos) > MAX_ENTRIES:
        raise refuse(f"工作簿内的文件条目过多({len(infos):,} 个,上限 {MAX_ENTRIES:,} 个)", where)
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        if _unsafe_name(name):
            raise refuse(f"工作簿内含有不安全的文件路径“{name[:80]}”,可能是恶意构造的文件", where)
        # Two parts with one name: different readers would pick different ones.
        if name in seen:
            raise refuse(f"工作簿内有重名的部件“{name[:80]}”,可能是恶意构造的文件", where)
        seen.add(name)
        if info.flag_bits & 0x1:
            raise refuse(f"工作簿内的部件“{name[:80]}”被加密,无法读取", where)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise damaged(where, f"“{name[:80]}”使用了不支持的压缩方式")
    declared = sum(info.file_size for info in infos)
    if declared > max_uncompressed:
        raise refuse(
            f"工作簿解压后的数据量过大(约 {_mb(declared)}),超过上限 {_mb(max_uncompressed)}",
            where,
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > LARGE_ENTRY and ratio > MAX_RATIO:
            raise refuse(
                f"工作簿内“{info.filename[:80]}”的压缩比异常(约 {ratio:,.0f}:1),"
                "可能是恶意构造的压缩炸弹",
                where,
            )


def scan_entry(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    budget: Budget,
    where: str,
    *,
    xml: bool,
    count_cells: bool = False,
    keep: bool = False,
    formulas: set[str] | None = None,
    extent: Extent | None = None,
) -> tuple[bytes, int]:
    """Decompress one entry in chunks, checking sizes, CRC and (for XML) what the bytes hold.

    Returns the entry's bytes when ``keep`` (else b"") and the number of ``<c>`` cell
    elements when ``count_cells``. Never holds more than one chunk unless ``keep``.
    An ``extent`` is fed every chunk, and refuses a sheet reaching too far.
    """
    name = info.filename
    kept: list[bytes] = []
    actual = cells = 0
    carry = b""
    prolog = _PrologCheck(name, where)
    with closing(_chunks(zf, info, where)) as chunks:
        for chunk in chunks:
            actual += len(chunk)
            budget.used += len(chunk)
            if actual > info.file_size:
                raise refuse(
                    f"工作簿内“{name[:80]}”解压后的实际大小超过了文件记录的大小,"
                    "文件已损坏或为恶意构造的压缩炸弹",
                    where,
                )
            if budget.used > budget.limit:
                raise refuse(f"工作簿解压后的数据量过大,超过上限 {_mb(budget.limit)}", where)
            if xml:
                buffer = carry + chunk
                _check_xml_bytes(buffer, first=not carry, name=name, where=where)
                prolog.feed(chunk)
                if count_cells:
                    pattern = _PREFIXED_CELL if b":c" in buffer else _CELL
                    # No match can hold two '<', so those lying wholly in the carry
                    # are exactly the ones already counted with the previous chunk.
                    cells += len(pattern.findall(buffer)) - len(pattern.findall(carry))
                if formulas is not None and name not in formulas and _FORMULA.search(buffer):
                    formulas.add(name)
                if extent is not None:
                    extent.feed(chunk)
                carry = buffer[-_CARRY:]
            if keep:
                kept.append(chunk)
    if actual != info.file_size:
        raise damaged(where, f"“{name[:80]}”的大小与记录不符")
    if extent is not None:
        extent.finish()
    return b"".join(kept), cells


def _chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> Generator[bytes, None, None]:
    """The entry's decompressed bytes, CHUNK at a time; zipfile failures become InputError."""
    # zipfile stops at the declared size; lift that so a lying header cannot hide
    # data that another reader (calamine) would still inflate. zipfile checks the
    # CRC when the stream really ends.
    probe = copy.copy(info)
    probe.file_size = sys.maxsize
    try:
        with zf.open(probe) as stream:
            while chunk := stream.read(CHUNK):
                yield chunk
    except _DAMAGED as exc:
        raise damaged(where, f"“{info.filename[:80]}”无法解压") from exc


def _check_xml_bytes(buffer: bytes, *, first: bool, name: str, where: str) -> None:
    # Markup found by plain byte search is only sound for ASCII-compatible text:
    # UTF-16/32 has NUL bytes, other encodings must not be declared.
    if first and not _declared_encoding_ok(buffer):
        raise refuse(f"工作簿内“{name[:80]}”使用了不支持的文字编码", where)
    if b"\x00" in buffer:
        raise refuse(f"工作簿内“{name[:80]}”使用了不支持的文字编码", where)
    # Refuse DTDs before any parser runs (see entity_error).
    if b"<!DOCTYPE" in buffer or b"<!ENTITY" in buffer:
        raise entity_error(where, name)


class _RootReached(Exception):
    """The prolog is over: no DOCTYPE can follow."""


class _StopAtRoot:
    """Parser target that ends parsing at the root element's start tag."""

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        raise _RootReached

    def close(self) -> None:
        return None


class _PrologCheck:
    """Runs defusedxml over a part's prolog, where any DOCTYPE must stand.

    The second lock behind the byte scan: it sees a DOCTYPE in any encoding the
    parser understands, and stops at the root element so that it costs next to
    nothing. A syntax error also ends it; reporting those is the real parser's job.
    """

    def __init__(self, name: str, where: str) -> None:
        self._name = name
        self._where = where
        self._parser: SafeET.DefusedXMLParser | None = SafeET.DefusedXMLParser(
            target=_StopAtRoot(), forbid_dtd=True
        )

    def feed(self, chunk: bytes) -> None:
        if self._parser is None:
            return
        try:
            self._parser.feed(chunk)
        except DefusedXmlException as exc:
            raise entity_error(self._where, self._name) from exc
        except (_RootReached, ParseError):
            self._parser = None


def entity_error(where: str, name: str) -> InputError:
    part = f"内“{name[:80]}”" if name else ""
    # A DOCTYPE is never needed in OOXML; it is the door for entity expansion
    # (billion laughs) and external entities (XXE).
    return refuse(
        f"工作簿{part}含有 XML 文档类型(DOCTYPE)或实体(ENTITY)声明,可能是恶意构造的文件", where
    )


def _declared_encoding_ok(head: bytes) -> bool:
    """False for an encoding other than UTF-8/ASCII/Latin-1, or an overlong declaration.

    ``head`` is the first chunk, which holds the whole declaration when it is sane.
    """
    body = head.removeprefix(b"\xef\xbb\xbf")
    if not body.startswith(b"<?xml"):
        return True
    end = body.find(b"?>", 0, _DECLARATION_MAX)
    if end < 0:
        return False
    match = _ENCODING.search(body, 0, end)
    return match is None or match[1].lower() in _ASCII_COMPATIBLE


def _unsafe_name(name: str) -> bool:
    normalized = name.replace("\\", "/")
    return (
        not normalized
        or normalized.startswith("/")
        or re.match(r"^[A-Za-z]:", normalized) is not None
        or ".." in normalized.split("/")
        or "\x00" in normalized
    )


def _mb(size: int) -> str:
    return f"{size / 2**20:,.0f} MB" if size >= 2**20 else f"{size / 1024:,.1f} KB"
