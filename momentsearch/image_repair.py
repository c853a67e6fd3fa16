"""Images cut short (an interrupted copy), made readable from what is there: a PNG's rows that inflate,
re-packed as a whole PNG, and how much picture data a JPEG holds. Used by media.read_image."""

from __future__ import annotations

import math

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # samples per pixel of each PNG colour type
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))
PNG_CUT_SHORT_NOTE = ("the PNG ends early (an interrupted copy?): read from the rows that decode, as image viewers "
                      "show it; the rest of the picture is missing")


def png_rows_present(data: bytes) -> tuple[bytes, str]:
    """A PNG cut short, made whole: the pixel data that inflates, padded with blank rows to the size its
    header states, in one new IDAT; its other chunks (palette, transparency) kept. (b"", "") when no
    picture data is there. Adam7-interlaced ones too: a pass that is missing comes out blank."""
    import zlib

    chunks, pos, idat = [], len(PNG_SIGNATURE), b""
    while pos + 8 <= len(data):
        length, kind = int.from_bytes(data[pos:pos + 4], "big"), data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IDAT":
            idat += body
        elif kind != b"IEND" and len(body) == length and not idat:
            chunks.append(data[pos:pos + 12 + length])  # IHDR, PLTE, tRNS...: whole ones before the data
        pos += 12 + length
    header = data[16:29] if data[12:16] == b"IHDR" else b""
    if not idat or len(header) != 13:
        return b"", ""
    width, height = int.from_bytes(header[0:4], "big"), int.from_bytes(header[4:8], "big")
    bits = header[8] * _PNG_CHANNELS.get(header[9], 4)  # per pixel
    size = 0  # bytes of filtered rows the header states (the caller checked its pixel count)
    for x, y, dx, dy in _ADAM7 if header[12] else ((0, 0, 1, 1),):
        w, h = max(0, (width - x + dx - 1) // dx), max(0, (height - y + dy - 1) // dy)
        size += h * (1 + math.ceil(w * bits / 8)) if w else 0
    rows = zlib.decompressobj().decompress(idat, size)
    if not rows:
        return b"", ""
    raw = rows + bytes(size - len(rows))  # blank rows (filter 0, zeros) where the data ran out

    def chunk(kind: bytes, body: bytes) -> bytes:
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")

    return PNG_SIGNATURE + b"".join(chunks) + chunk(b"IDAT", zlib.compress(raw, 1)) + chunk(b"IEND", b""), \
        PNG_CUT_SHORT_NOTE


def jpeg_scan_bytes(data: bytes) -> int:
    """How many bytes of picture data follow a JPEG's first scan header (SOS): 0 when it has none. The
    segments before it are skipped by their lengths (an EXIF thumbnail inside APP1 is a whole JPEG)."""
    pos = 2  # after the start marker
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        if data[pos + 1] == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        if data[pos + 1] == 0xDA:
            return max(0, len(data) - (pos + 2 + length))
        pos += 2 + length
    return 0
