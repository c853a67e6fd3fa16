"""Opening images safely (query images, photos): EXIF orientation, size limits, bombs refused. And the
clock of a video file (`time_origin`, `seek_back`), shared by indexing, thumbnails and clips, so a time
from the index means the same picture everywhere."""

from __future__ import annotations

import io
import math
import os
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from momentsearch.errors import BadInputError
from momentsearch.image_repair import PNG_SIGNATURE, PNG_CUT_SHORT_NOTE, jpeg_scan_bytes, png_rows_present

MAX_PIXELS = 80_000_000  # an image that decodes to more pixels than this is refused (decompression bombs)
MAX_JPEG_PIXELS = 1_000_000_000  # a JPEG's header may state this many: it decodes at down to 1/8 of each side
                                 # (a 108 or 200 megapixel phone photo, a stitched panorama)
MAX_SIDE = 1024  # images are downscaled so their long side is at most this (CLIP reads 224)
PHOTO_MAX_SIDE = 2048  # photos (indexed or given as a query) are also read for their words, and a slide may be a
                       # third of a photo taken from the back of the hall
_ALPHA_MODES = {"RGBA", "RGBa", "LA", "La", "PA"}  # Pillow modes with an alpha channel
_DEEP_MODES = {"I;16", "I;16L", "I;16B", "I;16N", "I", "F"}  # Pillow's 16-bit, 32-bit and float grey modes
FIRST_SEEK_MARGIN = 10.0  # seconds before a file's first timestamp that a seek to its start aims at
SEEK_BACK = 1.0  # seconds; a seek that landed after the wanted time is retried this much earlier, then twice that...


JPEG_CUT_SHORT_NOTE = ("the JPEG ends early (an interrupted copy?): read from the part that decodes, as image "
                       "viewers show it; the rest of the picture is missing")
TIFF_PAGES_NOTE = ("a TIFF of {pages} pages: only its first page is read (save each page as an image of its own to "
                   "index them all)")
_JPEG_EOI = b"\xff\xd9"  # the marker that ends a JPEG's data
HEIF_REASON = ("a HEIC/HEIF photo: not supported (Pillow cannot decode it); convert it to JPEG, or set the "
               "iPhone to take JPEG (Settings > Camera > Formats > Most Compatible)")
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}  # an ftyp box's HEIF brands


@dataclass(frozen=True)
class DecodedImage:
    """An image as read by `read_image`."""

    pixels: np.ndarray  # RGB uint8, long side at most the `max_side` asked for
    note: str = ""  # why the picture may be incomplete (JPEG_CUT_SHORT_NOTE, TIFF_PAGES_NOTE); "" when whole


class _CutShort(Exception):
    """An image's data ended before its picture did (Pillow's "image file is truncated"); `format` is
    Pillow's name of its format ("JPEG", "PNG", ...)."""

    def __init__(self, message: str, format: str) -> None:
        super().__init__(message)
        self.format = format


def open_image(path, max_pixels: int = MAX_JPEG_PIXELS, max_full_decode_pixels: int = MAX_PIXELS,
               max_side: int = MAX_SIDE) -> np.ndarray:
    """`read_image`'s pixels: an RGB uint8 array. Raises BadInputError."""
    return read_image(path, max_pixels, max_full_decode_pixels, max_side).pixels


def read_image(path, max_pixels: int = MAX_JPEG_PIXELS, max_full_decode_pixels: int = MAX_PIXELS,
               max_side: int = MAX_SIDE) -> DecodedImage:
    """An image file or binary file object (first frame of a GIF) as RGB, its long side at most
    `max_side`. Raises BadInputError. The pixel count is checked from the header, before anything is
    decoded: over `max_pixels` is refused, and so is an image that would decode to more than
    `max_full_decode_pixels`. A JPEG decodes at the smallest of 1/1..1/8 scale (`draft`) that covers
    `max_side`, so a 108 megapixel phone photo decodes to 7 and is read; other formats decode whole.
    A JPEG whose end is missing (an interrupted copy) is read as far as its data goes, as image viewers
    show it, and the result's `note` says so; one that ends before any picture data is refused. A TIFF
    of several pages (a scanner's) is read from its first page, and the `note` says how many were left."""
    name = os.fspath(path) if isinstance(path, (str, os.PathLike)) else "uploaded image"  # never an object's repr
    if _is_empty(path):  # a sync's placeholder or an interrupted copy: not a "damaged image format"
        raise BadInputError(name, "empty file (0 bytes)")
    limits = (max_pixels, max_full_decode_pixels, max_side)
    try:
        return _decode(path, name, *limits)
    except _CutShort as exc:
        cut = exc
    except BadInputError as exc:  # a file that does not even open for its missing end: say that, not Pillow's words
        reason = _why_unopened(path)
        if reason:
            raise BadInputError(name, f"not a readable image ({reason})") from exc
        raise
    try:
        data = _all_bytes(path)
    except OSError as exc:
        raise BadInputError(name, f"not a readable image ({exc})") from exc
    if cut.format == "JPEG":
        repaired, note, scan = data + _JPEG_EOI, JPEG_CUT_SHORT_NOTE, jpeg_scan_bytes(data)
    elif cut.format == "PNG":  # its rows that decode, re-packed as a whole PNG
        repaired, note = png_rows_present(data)
        scan = len(repaired)
    else:
        raise BadInputError(name, f"not a readable image (the {cut.format} ends early: an interrupted copy?)")
    if scan == 0:
        raise BadInputError(name, f"not a readable image (the {cut.format} ends before any of its picture data: "
                                  "an interrupted copy?)")
    try:  # the decoder now stops where the data did
        decoded = _decode(io.BytesIO(repaired), name, *limits)
        return DecodedImage(decoded.pixels, "; ".join(n for n in (note, decoded.note) if n))
    except _CutShort as exc:
        raise BadInputError(name, f"not a readable image (damaged {cut.format} data)") from exc


_PILLOW_LIMIT = threading.Lock()  # Pillow's decompression-bomb limit is one global: raised for one open at a time


def _is_empty(source) -> bool:
    """Whether `source` names a file of 0 bytes (False for an open file object, or one that is not there)."""
    if not isinstance(source, (str, os.PathLike)):
        return False
    try:
        return os.stat(source).st_size == 0
    except OSError:  # not there, or not to be read: the decoder says which
        return False


def _decode(source, name: str, max_pixels: int, max_full_decode_pixels: int, max_side: int) -> DecodedImage:
    """`read_image`'s decoding, its errors as BadInputError; _CutShort for an image whose data ends early."""
    from PIL import Image, ImageOps

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # a camera's damaged EXIF block: Pillow reads the picture all the same, and its warning (a path
            # in Pillow and a line number) went to the terminal in the middle of an index run's progress
            warnings.filterwarnings("ignore", "Corrupt EXIF data", UserWarning)
            with _PILLOW_LIMIT:  # Pillow's own check at open, at our limit for this open only: the host
                limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, MAX_JPEG_PIXELS  # program's stays
                try:
                    opened = Image.open(source)
                finally:
                    Image.MAX_IMAGE_PIXELS = limit
            with opened as img:
                width, height = img.size
                if width * height > max_pixels:
                    raise BadInputError(name, f"image too large ({width}x{height} pixels, at most "
                                              f"{max_pixels:,}); refused as a possible decompression bomb")
                img.seek(0)
                scale = min(1.0, max_side / max(width, height, 1))  # JPEG: decode at the smallest
                img.draft("RGB", (math.ceil(width * scale), math.ceil(height * scale)))  # size that covers it
                if img.width * img.height > max_full_decode_pixels:  # the size draft left: what decodes
                    raise BadInputError(name, f"image too large to decode safely ({width}x{height} {img.format} "
                                              f"pixels; at most {max_full_decode_pixels:,} unless JPEG, which "
                                              "decodes at a reduced size); refused as a possible decompression "
                                              "bomb: use a smaller copy")
                pages = getattr(img, "n_frames", 1) if img.format == "TIFF" else 1
                note = TIFF_PAGES_NOTE.format(pages=pages) if pages > 1 else ""
                try:
                    pixels = to_rgb(ImageOps.exif_transpose(img), max_side=max_side)
                    return DecodedImage(np.asarray(pixels, dtype=np.uint8), note)
                except OSError as exc:  # Pillow's words for a JPEG whose data ran out (no type of its own)
                    if str(exc).startswith("image file is truncated"):
                        raise _CutShort(str(exc), img.format) from exc
                    raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise BadInputError(name, f"refused as a possible decompression bomb: {exc}") from exc
    except FileNotFoundError as exc:
        raise BadInputError(name, "file not found") from exc
    except PermissionError as exc:
        raise BadInputError(name, "permission denied") from exc
    except Image.UnidentifiedImageError as exc:  # its message holds the path again, or a BytesIO's repr
        raise BadInputError(name, "not a readable image (unknown or damaged image format)") from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise BadInputError(name, f"not a readable image ({exc})") from exc


def _all_bytes(source) -> bytes:
    """The whole of a file, named or an open binary file (read again from its start)."""
    if isinstance(source, (str, os.PathLike)):
        return Path(source).read_bytes()
    source.seek(0)
    return source.read()


def _why_unopened(source) -> str:
    """Why an image did not open, where its bytes tell ("" otherwise): an iPhone's HEIC photo (by its ISO
    box brands, whatever its name), a WebP with fewer bytes than its RIFF header states (libwebp reads no
    part of one), a PNG that ends before its picture data, a PDF (a deck's page would be searched by)."""
    try:
        data = _all_bytes(source)
    except OSError:
        return ""
    brands = {data[i:i + 4] for i in range(8, min(len(data), 64), 4)} if data[4:8] == b"ftyp" else set()
    if brands & _HEIF_BRANDS and not brands & {b"avif", b"avis"}:  # an AVIF says mif1 too
        return HEIF_REASON
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and int.from_bytes(data[4:8], "little") + 8 > len(data):
        return "the WebP ends early: an interrupted copy? a WebP cannot be read in part; copy it again"
    if data.startswith(b"%PDF-"):  # a slide deck's page is what a lecturer has at hand to search by
        return ("a PDF, not an image: export the page to search by as an image, e.g. page 3 with "
                "pdftoppm -png -r 100 -f 3 -l 3 deck.pdf page, and use that")
    if data.startswith(PNG_SIGNATURE) and b"IDAT" not in data and b"IEND" not in data:
        return "the PNG ends before any of its picture data: an interrupted copy?"
    return ""


def to_rgb(img, max_side: int | None = None):
    """A PIL image as RGB, downscaled to `max_side` when given. Transparent parts are laid on white:
    a diagram exported as black text on a transparent (0, 0, 0, 0) background would otherwise turn
    black on black, and its text would be lost to OCR and CLIP."""
    from PIL import Image

    if img.mode in _DEEP_MODES:
        img = _deep_to_8bit(img)
    if img.mode not in _ALPHA_MODES and "transparency" not in img.info:
        img = img.convert("RGB")
        if max_side:
            img.thumbnail((max_side, max_side))
        return img
    img = img.convert("RGBA")  # P, L, RGB, I;16 with a transparent colour; LA, PA, premultiplied modes
    if max_side:
        img.thumbnail((max_side, max_side))  # before compositing: less to lay on white
    white = Image.new("RGBA", img.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, img).convert("RGB")


def _deep_to_8bit(img):
    """A 16-bit, 32-bit or float grey image (a scanner's or microscope's 16-bit PNG or TIFF) as L, or
    LA when one grey value is marked transparent. Pillow's own convert clips these at 255 instead of
    scaling: a 16-bit scan of a page turns all white and its text is lost to OCR and CLIP. Values are
    taken as 0..1 (float), 0..255 or 0..65535, whichever the brightest pixel fits."""
    from PIL import Image

    deep = img.convert("F")
    _, high = deep.getextrema()
    top = 1.0 if img.mode == "F" and high <= 1.0 else 255.0 if high <= 255 else 65535.0
    grey = deep.point(lambda v: v * (255.0 / top)).convert("L")
    if "transparency" in img.info and isinstance(img.info["transparency"], (int, float)):
        opaque = np.asarray(deep) != float(img.info["transparency"])
        grey.putalpha(Image.fromarray(opaque.astype(np.uint8) * 255))
    return grey


def image_mime(path: str | Path) -> str:
    """The image/* type of an image file, from its header ("" when Pillow cannot tell)."""
    from PIL import Image

    try:
        with Image.open(path) as img:
            mime = img.get_format_mimetype() or ""
    except (OSError, ValueError, SyntaxError):
        return ""
    return mime if mime.startswith("image/") else ""


# -- the clock of a video file ------------------------------------------------------------------------
def time_origin(container) -> float:
    """Seconds of the file's first timestamp (FFmpeg's start time: its earliest audio or video), the
    zero of every time the index keeps. Captures and broadcast .ts files start at any time (1.4 s, or
    80,000 s after a remux); the index counts from the file's start, so whatever seeks or reads a
    stream at an index time adds this. A negative start (AAC priming in some MP4s) counts as 0."""
    import av

    start = container.start_time
    return max(0.0, start / av.time_base) if start is not None else 0.0


TS_CLOCK_WRAP = 2 ** 33 / 90_000  # seconds; MPEG-TS times are 33-bit counts of a 90 kHz clock: 26.5 hours


def stream_start(stream) -> float:
    """Seconds of a stream's first timestamp on the file's own clock (not from `time_origin`; 0 when the
    header does not say). In MPEG-TS (camcorders' .mts, broadcasts) a stream whose first packet lies
    just before the clock wraps while the file starts after it (sound that begins a few ms before the
    picture, at 0) states 26.5 hours: FFmpeg leaves that first time unwrapped, and it is taken back here."""
    if stream.start_time is None or stream.time_base is None:
        return 0.0
    start = float(stream.start_time * stream.time_base)
    container = stream.container
    if "mpegts" in container.format.name and container.start_time is not None:
        if start - time_origin(container) > TS_CLOCK_WRAP / 2:
            start -= TS_CLOCK_WRAP
    return start


def sound_start(stated: float, first_frame, origin: float) -> float:
    """Seconds from the file's start (`origin`, its `time_origin`) to an audio stream's first sample: the
    time of its first decoded frame where that is later than `stated` (the header's start, from the file's
    start). Matroska and MPEG-TS keep no start per stream: FFmpeg takes it from what its probe reads (about
    the first 5 s), so sound that begins later than that was stated to start with the picture, and its speech
    was placed that much early. Never earlier than stated (AAC priming), nor across an MPEG-TS clock wrap."""
    t = getattr(first_frame, "time", None)
    if t is None:
        return stated
    t -= origin
    return t if stated < t < stated + TS_CLOCK_WRAP / 2 else stated


def picture_stream(container):
    """The file's first video stream that moves, or None: an audio file's cover art (an attached picture,
    MP3's APIC or an M4A's covr) is a video stream to FFmpeg with one frame and no timing."""
    import av

    for stream in container.streams.video:
        if av.stream.Disposition.attached_pic not in stream.disposition:
            return stream
    return None


def seek_back(container, stream, t: float, origin: float, read: Callable[[], Iterator],
              time_of: Callable[[object], float]) -> Iterator:
    """Seeks `container` on `stream` so that `read()` (frames or packets, read after a seek) starts at
    or before `t` (seconds from the file's start; `origin` is its `time_origin`), and returns what it
    reads from there. `time_of(item)` is an item's time on the file's own clock. FFmpeg's backward
    seek may land later than asked (MPEG-TS: on the next keyframe, or past the last one, where nothing
    comes): then it seeks again further back, twice as far each time, down to the file's start, and
    last before it (`FIRST_SEEK_MARGIN`). In MP4 the first seek lands right: one seek. Nothing read
    even from there: an empty iterator."""
    import itertools

    import av

    back, before = 0.0, False
    while True:
        target = max(0.0, t - back)
        # the very last try aims before the file's first timestamp: MPEG-TS's search for exactly that time
        # can land past the first keyframe (B-frames, or a stream that starts a little earlier)
        stamp = origin - FIRST_SEEK_MARGIN if before else origin + target
        try:
            container.seek(int(stamp / stream.time_base), stream=stream, backward=True, any_frame=False)
            items = read()
            first = next(items, None)
        except av.error.FFmpegError:
            if before:
                raise
            first = None
        if first is not None and (before or time_of(first) - origin <= t + 1e-6):
            return itertools.chain([first], items)
        if before:
            return iter(())
        if target <= 0.0:
            before = True
        back = max(SEEK_BACK, 2 * back)


def decode_from(container, stream, t: float, origin: float) -> Iterator:
    """The decoded frames (with a time) of `stream` from at or before `t` (seconds from the file's
    start), seeking back further where FFmpeg lands late (`seek_back`); a stream that cannot seek
    decodes from where the demuxer is."""
    def read():
        return (f for f in container.decode(stream) if f.time is not None)

    if stream.time_base is None:
        return read()
    return seek_back(container, stream, t, origin, read, lambda frame: float(frame.time))


def keyframe_before(container, stream, t: float, origin: float) -> float | None:
    """Where the keyframe a seek to `t` (seconds from the file's start) lands on lies, on the same clock:
    demuxed, not decoded (one packet read; `seek_back` where FFmpeg lands late). None when nothing is
    there or the stream has no time base. Moves `container`'s read position."""
    if stream.time_base is None:
        return None
    packets = seek_back(container, stream, t, origin, lambda: (p for p in container.demux(stream) if p.pts is not None),
                        lambda p: float(p.pts * stream.time_base))
    first = next(packets, None)
    return None if first is None else float(first.pts * stream.time_base) - origin
