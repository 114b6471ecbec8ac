#!/usr/bin/env python3
"""Draws the Clinic Desk icon (a white cross on a teal rounded square) into icons/.

Standard library only, so it runs on a fresh machine. Writes the RGBA PNGs Tauri
embeds (window icon) and bundles, plus icon.ico and icon.icns built from those PNGs.
Run from anywhere: ./scripts/make-icons.py
"""
import struct
import zlib
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "icons"
TEAL = (0x0F, 0x76, 0x6E)
WHITE = (0xFF, 0xFF, 0xFF)


def pixel(x: float, y: float, size: int) -> tuple[int, int, int, int]:
    """Colour at the centre of pixel (x, y): rounded square with a centred cross."""
    margin = size * 0.06
    radius = size * 0.18
    lo, hi = margin, size - margin
    # distance outside the rounded square (<= 0 means inside)
    cx = min(max(x, lo + radius), hi - radius)
    cy = min(max(y, lo + radius), hi - radius)
    dist = ((x - cx) ** 2 + (y - cy) ** 2) ** 0.5 - radius
    if dist > 0.5:
        return (0, 0, 0, 0)
    alpha = 255 if dist <= -0.5 else int(255 * (0.5 - dist))
    arm = size * 0.12  # half the width of a cross bar
    reach = size * 0.30  # half the length of a cross bar
    mid = size / 2
    in_cross = (abs(x - mid) <= arm and abs(y - mid) <= reach) or (
        abs(y - mid) <= arm and abs(x - mid) <= reach
    )
    r, g, b = WHITE if in_cross else TEAL
    return (r, g, b, alpha)


def png(size: int) -> bytes:
    rows = bytearray()
    for y in range(size):
        rows.append(0)  # filter: none
        for x in range(size):
            rows.extend(pixel(x + 0.5, y + 0.5, size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def ico(images: dict[int, bytes]) -> bytes:
    """ICO container holding PNG images (supported since Windows Vista)."""
    sizes = sorted(images)
    out = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    for s in sizes:
        data = images[s]
        dim = 0 if s >= 256 else s
        out += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return out + b"".join(images[s] for s in sizes)


def icns(images: dict[int, bytes]) -> bytes:
    kinds = {32: b"ic11", 128: b"ic07", 256: b"ic08", 512: b"ic09"}
    body = b"".join(
        kinds[s] + struct.pack(">I", 8 + len(images[s])) + images[s]
        for s in sorted(images)
        if s in kinds
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> None:
    ICONS.mkdir(exist_ok=True)
    images = {s: png(s) for s in (16, 32, 48, 128, 256, 512)}
    files = {
        "32x32.png": images[32],
        "128x128.png": images[128],
        "128x128@2x.png": images[256],
        "icon.png": images[512],
        "icon.ico": ico({s: images[s] for s in (16, 32, 48, 256)}),
        "icon.icns": icns({s: images[s] for s in (32, 128, 256, 512)}),
    }
    for name, data in files.items():
        (ICONS / name).write_bytes(data)
        print(f"wrote icons/{name} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
