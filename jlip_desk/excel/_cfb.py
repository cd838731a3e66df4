"""Just enough of the Compound File Binary format to list the names in its directory."""

from __future__ import annotations

import struct
from typing import BinaryIO

__all__ = ["CFB_SIGNATURE", "directory_names"]

# Legacy .xls/.doc files and password-protected .xlsx files (MS-OFFCRYPTO wraps
# the whole package in a CFB container) share this signature; only the stream
# names in the directory tell them apart.
CFB_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")

_HEADER_SIZE = 512
_HEADER_FAT_SLOTS = 109
_ENTRY_SIZE = 128
# Values at or above this are markers (free, end of chain, FAT, DIFAT), not sectors.
_MAX_REGULAR_SECTOR = 0xFFFFFFFA
_STORAGE, _STREAM, _ROOT = 1, 2, 5


class _Malformed(Exception):
    """The container is not a well-formed compound file."""


def directory_names(fp: BinaryIO, file_size: int) -> set[str] | None:
    """Names of all storages and streams in the compound file, or None if it is malformed.

    Only the header, the FAT sectors that the directory chain needs and the
    directory sectors are read, so a large encrypted package costs a few reads.
    """
    try:
        return _directory_names(fp, file_size)
    except (_Malformed, struct.error):
        return None


def _directory_names(fp: BinaryIO, file_size: int) -> set[str]:
    fp.seek(0)
    header = fp.read(_HEADER_SIZE)
    if len(header) < _HEADER_SIZE or header[:8] != CFB_SIGNATURE:
        raise _Malformed
    shift = _u16(header, 30)
    if shift not in (9, 12):  # 512-byte sectors (version 3) or 4096 (version 4)
        raise _Malformed
    size = 1 << shift
    per_sector = size // 4
    sector_count = max(file_size - size, 0) // size
    # Every walk below is bounded by the number of sectors, so a looping chain ends.
    limit = sector_count + 1

    def read_sector(number: int) -> bytes:
        if number >= sector_count:
            raise _Malformed
        fp.seek((number + 1) * size)
        data = fp.read(size)
        if len(data) < size:
            raise _Malformed
        return data

    fat_sectors = [
        n
        for n in struct.unpack_from(f"<{_HEADER_FAT_SLOTS}I", header, 76)
        if n < _MAX_REGULAR_SECTOR
    ]
    difat = _u32(header, 68)
    for _ in range(limit):
        if difat >= _MAX_REGULAR_SECTOR:
            break
        entries = struct.unpack(f"<{per_sector}I", read_sector(difat))
        fat_sectors.extend(n for n in entries[:-1] if n < _MAX_REGULAR_SECTOR)
        difat = entries[-1]
    else:
        raise _Malformed

    fat_cache: dict[int, bytes] = {}

    def next_sector(number: int) -> int:
        index, slot = divmod(number, per_sector)
        if index >= len(fat_sectors):
            raise _Malformed
        if index not in fat_cache:
            fat_cache[index] = read_sector(fat_sectors[index])
        return _u32(fat_cache[index], slot * 4)

    names: set[str] = set()
    sector = _u32(header, 48)
    for _ in range(limit):
        if sector >= _MAX_REGULAR_SECTOR:
            return names
        data = read_sector(sector)
        for offset in range(0, size, _ENTRY_SIZE):
            name_length = _u16(data, offset + 64)  # in bytes, with the UTF-16 terminator
            kind = data[offset + 66]
            if kind in (_STORAGE, _STREAM, _ROOT) and 2 <= name_length <= 64:
                raw = data[offset : offset + name_length - 2]
                names.add(raw.decode("utf-16-le", errors="replace"))
        sector = next_sector(sector)
    raise _Malformed


def _u16(data: bytes, offset: int) -> int:
    value: int = struct.unpack_from("<H", data, offset)[0]
    return value


def _u32(data: bytes, offset: int) -> int:
    value: int = struct.unpack_from("<I", data, offset)[0]
    return value
