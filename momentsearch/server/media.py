"""What the HTTP server reads from indexed media: files by index id, keyframe thumbnails, captions.

Everything here is addressed by index ids (a video's content hash, an entry id), never by a path
from a request: a file is served only when the index holds a record for it, and only while it is
still the very file that was indexed (same size and modification time), so a path swapped for a
symlink to something else after indexing is refused too.
"""

from __future__ import annotations

import io
import mimetypes
import os
import re
import stat
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from momentsearch.errors import MediaChangedError, NotFoundError, RangeError
from momentsearch.store.ids import entry_fields, entry_id, is_video_id
from momentsearch.types import FileRecord

_RANGE_PART_RE = re.compile(r"([0-9]{0,18})-([0-9]{0,18})")
THUMB_MAX_SIDE = 320  # pixels; the long side of a thumbnail
THUMB_CACHE_ITEMS = 256  # JPEGs kept in memory (a few kB each)
CUE_MAX_WORDS = 14  # a caption cue shows at most this many words
RANGE_MAX_PARTS = 8  # a Range header with more parts than this is refused (416)

_EXTRA_TYPES = {".mkv": "video/x-matroska", ".webm": "video/webm", ".m4v": "video/mp4", ".mov": "video/quicktime"}


def check_video_id(video_id: str) -> str:
    if not is_video_id(video_id):
        raise NotFoundError(f"{video_id!r} is not a video id (16 hex digits, as /api/videos lists them)")
    return video_id


def verified_path(record: FileRecord) -> Path:
    """The indexed file of `record`, checked to still be the same regular file that was indexed."""
    path = Path(record.path)
    try:
        st = os.stat(path)  # follows links: what would be read
    except OSError as exc:
        raise MediaChangedError(f"the indexed file of video {record.video_id} is gone ({exc.strerror}); "
                                "re-index it") from exc
    if not stat.S_ISREG(st.st_mode):
        raise MediaChangedError(f"the indexed file of video {record.video_id} is not a regular file any more")
    if st.st_size != record.size or st.st_mtime != record.mtime:
        raise MediaChangedError(f"the file of video {record.video_id} changed after indexing; re-index it")
    return path


def media_type(path: Path) -> str:
    suffix = path.suffix.lower()
    return _EXTRA_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The byte range [start, end) asked for by a `Range: bytes=...` header, or None for the whole file.

    With several (valid) ranges it returns None too: the response is then multipart/byteranges
    (Starlette's FileResponse) or the whole file. A malformed or unsatisfiable range raises RangeError.
    """
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or not spec.strip():
        raise RangeError(f"malformed Range header {header[:80]!r}; expected bytes=START-END", size)
    parts = [p.strip() for p in spec.split(",")]
    if len(parts) > RANGE_MAX_PARTS:
        raise RangeError(f"too many ranges ({len(parts)}) in one Range header", size)
    ranges = [_one_range(p, header, size) for p in parts]
    return ranges[0] if len(ranges) == 1 else None


def _one_range(part: str, header: str, size: int) -> tuple[int, int]:
    match = _RANGE_PART_RE.fullmatch(part)
    if not match or not (match[1] or match[2]):
        raise RangeError(f"malformed Range header {header[:80]!r}; expected bytes=START-END", size)
    first, last = match[1], match[2]
    if not first:  # suffix range: the last N bytes
        n = int(last)
        if n == 0:
            raise RangeError("a suffix range of 0 bytes cannot be satisfied", size)
        return max(0, size - n), size
    start = int(first)
    end = min(int(last) + 1, size) if last else size
    if start >= size or end <= start:
        raise RangeError(f"range {part} is outside the file's {size} bytes", size)
    return start, end


# -- thumbnails ---------------------------------------------------------------------------------
def parse_segment_id(segment_id: str) -> tuple[str, str, float, float]:
    """(video id, kind, start, end) of a keyframe or chunk entry id, else NotFoundError."""
    fields = entry_fields(segment_id)
    if fields is None or fields["kind"] not in ("keyframe", "chunk"):
        raise NotFoundError(f"{segment_id!r} is not a segment id (VIDEO:keyframe:START-END, as results give)")
    return fields["video_id"], fields["kind"], fields["start"], fields["end"]


def thumb_id_for(record: FileRecord, start: float, end: float) -> str | None:
    """The id of the keyframe segment that shows the start of [start, end), if the video has slides."""
    best, best_overlap = None, -1.0
    probe_end = min(end, start + 1.0)  # the picture seen when playback starts
    for s, e in record.visual_segments:
        overlap = min(e, probe_end) - max(s, start)
        if overlap > best_overlap:
            best, best_overlap = (s, e), overlap
    return entry_id(record.video_id, "keyframe", *best) if best is not None else None


def segment_is_known(record: FileRecord, kind: str, segment_id: str, chunk_exists) -> bool:
    if kind == "keyframe":
        return any(entry_id(record.video_id, "keyframe", s, e) == segment_id for s, e in record.visual_segments)
    return bool(chunk_exists(segment_id))


def frame_jpeg(path: Path, time: float, max_side: int = THUMB_MAX_SIDE) -> bytes:
    """A JPEG of the video frame shown at `time` seconds (PyAV seek + decode), long side <= max_side."""
    import av

    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise NotFoundError("this file has no video stream, so no thumbnail")
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            if stream.time_base:
                container.seek(int(max(0.0, time) / stream.time_base), stream=stream, backward=True)
            chosen = None
            for frame in container.decode(stream):
                if chosen is not None and frame.time is not None and frame.time > time:
                    break
                chosen = frame
            if chosen is None:
                raise NotFoundError("no frame could be decoded at that time")
            img = chosen.to_image()
    except av.FFmpegError as exc:
        raise MediaChangedError(f"the video cannot be decoded for a thumbnail ({exc})") from exc
    img.thumbnail((max_side, max_side))
    buf = io.BytesIO()
    img.convert("RGB").save(buf, format="JPEG", quality=80)
    return buf.getvalue()


class ThumbCache:
    """An LRU of thumbnail JPEGs keyed by segment id (and the file's size+mtime, so edits miss)."""

    def __init__(self, items: int = THUMB_CACHE_ITEMS) -> None:
        self.items = items
        self._data: OrderedDict[tuple, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, make) -> bytes:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        value = make()
        with self._lock:
            self._data[key] = value
            while len(self._data) > self.items:
                self._data.popitem(last=False)
        return value


# -- captions -----------------------------------------------------------------------------------
@dataclass
class Cue:
    start: float
    end: float
    text: str


def _stamp(t: float) -> str:
    ms = int(round(max(0.0, t) * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def chunk_cues(start: float, end: float, text: str, max_words: int = CUE_MAX_WORDS) -> list[Cue]:
    """A transcript chunk (10-30 s) cut into short cues, timed in proportion to their characters."""
    words = text.split()
    if not words or end <= start:
        return []
    pieces = [" ".join(words[i:i + max_words]) for i in range(0, len(words), max_words)]
    total = sum(len(p) for p in pieces)
    cues, t = [], start
    for p in pieces:
        dt = (end - start) * len(p) / total
        cues.append(Cue(t, min(end, t + dt), p))
        t += dt
    return cues


def webvtt(rows) -> str:
    """A WebVTT document from (start, end, text) transcript chunks of one video."""
    lines = ["WEBVTT", ""]
    n = 0
    for start, end, text in sorted(rows):
        for cue in chunk_cues(start, end, text):
            n += 1
            safe = cue.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("-->", "→")
            lines += [str(n), f"{_stamp(cue.start)} --> {_stamp(cue.end)}", safe, ""]
    return "\n".join(lines)
