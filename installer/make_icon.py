"""Draw the JLIP Desk icon and write resources/icons/jlip_desk.{png,ico} with the standard library.

The icon is a blue rounded square with three rising white bars (progress against a plan)
and a gold baseline. It is drawn from a description in unit coordinates, supersampled at
every size instead of scaled down, so the 16-pixel image stays crisp. No Pillow needed:
PNG is written with zlib and struct, and the ICO holds classic 32-bit DIB images for the
small sizes (what every Windows shell and NSIS read) plus a PNG image at 256 pixels.

Run it from the repository root: ``uv run python installer/make_icon.py``. The output is
deterministic and committed; rerun only when the design changes.
"""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
PNG_SIZE = 256
SUPERSAMPLE = 4

RGBA = tuple[int, int, int, int]

TOP = (0x2B, 0x7B, 0xD0)  # background gradient, top
BOTTOM = (0x15, 0x4C, 0x92)  # background gradient, bottom
WHITE = (0xFF, 0xFF, 0xFF)
GOLD = (0xF5, 0xB7, 0x2B)

MARGIN = 0.04  # transparent border around the rounded square
RADIUS = 0.20
# Three bars (left, top, right, bottom) in unit coordinates, and the baseline under them.
BARS = ((0.20, 0.52, 0.34, 0.76), (0.43, 0.38, 0.57, 0.76), (0.66, 0.22, 0.80, 0.76))
BASELINE = (0.16, 0.79, 0.84, 0.85)


def _inside_rounded_square(x: float, y: float) -> bool:
    lo, hi = MARGIN, 1.0 - MARGIN
    if not (lo <= x <= hi and lo <= y <= hi):
        return False
    cx = min(max(x, lo + RADIUS), hi - RADIUS)
    cy = min(max(y, lo + RADIUS), hi - RADIUS)
    return (x - cx) ** 2 + (y - cy) ** 2 <= RADIUS**2


def _in_box(x: float, y: float, box: tuple[float, float, float, float]) -> bool:
    left, top, right, bottom = box
    return left <= x <= right and top <= y <= bottom


def _sample(x: float, y: float) -> tuple[float, float, float] | None:
    """The colour at a point of the unit square, or None where the icon is transparent."""
    if not _inside_rounded_square(x, y):
        return None
    if any(_in_box(x, y, bar) for bar in BARS):
        return WHITE
    if _in_box(x, y, BASELINE):
        return GOLD
    t = (y - MARGIN) / (1.0 - 2 * MARGIN)
    return (
        TOP[0] + (BOTTOM[0] - TOP[0]) * t,
        TOP[1] + (BOTTOM[1] - TOP[1]) * t,
        TOP[2] + (BOTTOM[2] - TOP[2]) * t,
    )


def render(size: int) -> list[list[RGBA]]:
    """Rows of straight (not premultiplied) RGBA pixels, top row first."""
    n = SUPERSAMPLE
    rows: list[list[RGBA]] = []
    for py in range(size):
        row: list[RGBA] = []
        for px in range(size):
            r = g = b = 0.0
            covered = 0
            for sy in range(n):
                for sx in range(n):
                    colour = _sample((px + (sx + 0.5) / n) / size, (py + (sy + 0.5) / n) / size)
                    if colour is not None:
                        covered += 1
                        r += colour[0]
                        g += colour[1]
                        b += colour[2]
            if covered:
                row.append(
                    (
                        round(r / covered),
                        round(g / covered),
                        round(b / covered),
                        round(255 * covered / (n * n)),
                    )
                )
            else:
                row.append((0, 0, 0, 0))
        rows.append(row)
    return rows


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def encode_png(rows: list[list[RGBA]]) -> bytes:
    height, width = len(rows), len(rows[0])
    raw = b"".join(b"\x00" + bytes(c for pixel in row for c in pixel) for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(raw, 9))
        + _png_chunk(b"IEND", b"")
    )


def encode_dib(rows: list[list[RGBA]]) -> bytes:
    """A 32-bit BGRA DIB with its AND mask, as an ICO directory entry stores it."""
    height, width = len(rows), len(rows[0])
    mask_stride = ((width + 31) // 32) * 4
    pixels = bytearray()
    mask = bytearray()
    for row in reversed(rows):  # DIBs are stored bottom-up
        pixels += bytes(c for r, g, b, a in row for c in (b, g, r, a))
        bits = bytearray(mask_stride)
        for x, (_, _, _, a) in enumerate(row):
            if a == 0:
                bits[x // 8] |= 0x80 >> (x % 8)
        mask += bits
    header = struct.pack(
        "<IiiHHIIiiII", 40, width, height * 2, 1, 32, 0, len(pixels) + len(mask), 0, 0, 0, 0
    )
    return header + bytes(pixels) + bytes(mask)


def encode_ico(images: dict[int, list[list[RGBA]]]) -> bytes:
    blobs = [
        (size, encode_png(rows) if size >= 256 else encode_dib(rows))
        for size, rows in sorted(images.items())
    ]
    offset = 6 + 16 * len(blobs)
    directory = bytearray(struct.pack("<HHH", 0, 1, len(blobs)))
    for size, blob in blobs:
        side = 0 if size >= 256 else size  # 0 means 256 in an ICO directory
        directory += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(blob), offset)
        offset += len(blob)
    return bytes(directory) + b"".join(blob for _, blob in blobs)


def main() -> int:
    images = {size: render(size) for size in ICO_SIZES}
    ICONS.mkdir(parents=True, exist_ok=True)
    png_path = ICONS / "jlip_desk.png"
    ico_path = ICONS / "jlip_desk.ico"
    png_path.write_bytes(encode_png(images[PNG_SIZE]))
    ico_path.write_bytes(encode_ico(images))
    for path in (png_path, ico_path):
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
