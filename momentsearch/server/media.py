"""What the HTTP server reads from indexed media: files by index id, keyframe thumbnails, captions.

Everything here is addressed by index ids (a video's content hash, an entry id), never by a path
from a request: a file is served only when the index holds a record for it, and only while it is
still the very file that was indexed. It is opened once, without following any symbolic link,
checked through the open descriptor (regular file; size, modification time, device and inode as
recorded), and served from that descriptor, so nothing swapped in after the check is ever read.
"""

from __future__ import annotations

import errno
import io
import mimetypes
import os
import re
import secrets
import stat
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from momentsearch import transcript
from momentsearch.errors import MediaChangedError, NotFoundError, RangeError
from momentsearch.server.guard import MEDIA_CSP
from momentsearch.store.ids import entry_fields, entry_id, is_video_id
from momentsearch.types import FileRecord

_RANGE_PART_RE = re.compile(r"([0-9]{0,18})-([0-9]{0,18})")
THUMB_MAX_SIDE = 320  # pixels; the long side of a thumbnail
THUMB_DECODE_GAP = 10.0  # seconds; a thumbnail this far after its keyframe is taken at a keyframe inside its segment
THUMB_CACHE_ITEMS = 256  # JPEGs kept in memory (a few kB each)
RANGE_MAX_PARTS = 8  # a Range header with more parts than this is refused (416)
READ_CHUNK = 256 * 1024  # bytes per read when streaming a file
MEDIA_CACHE = "private, max-age=3600"  # a video's address holds its content hash; its ETag covers a replaced copy
PICTURE_CACHE = "private, max-age=86400"  # thumbnails and photos (an ETag from the JPEG's bytes when that runs out)

_EXTRA_TYPES = {".mkv": "video/x-matroska", ".webm": "video/webm", ".m4v": "video/mp4", ".mov": "video/quicktime"}


def check_video_id(video_id: str) -> str:
    if not is_video_id(video_id):
        raise NotFoundError(f"{video_id!r} is not a video id (16 hex digits, as /api/videos lists them)")
    return video_id


@dataclass
class OpenedMedia:
    """An indexed file opened for reading, checked to be the very file that was indexed. Read from
    `fd` only (never reopen the path: it may be swapped after the check); close() once done."""

    fd: int
    size: int
    mtime: float

    def close(self) -> None:
        fd, self.fd = self.fd, -1
        if fd >= 0:
            os.close(fd)

    def file(self):
        """A binary file object on a duplicate of the descriptor, at the file's start (close it after use).
        Duplicates share one offset: use one at a time."""
        f = os.fdopen(os.dup(self.fd), "rb")
        f.seek(0)
        return f


def _open_without_links(path: str) -> int:
    """Opens `path` one component at a time from the root, refusing a symbolic link anywhere in it
    (O_NOFOLLOW at every step), so no link swapped into the path is ever followed. O_NONBLOCK: a
    FIFO swapped in is opened without waiting (and then refused as not a regular file)."""
    parts = Path(os.path.abspath(path)).parts
    fd = os.open(parts[0], os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for part in parts[1:-1]:
            nxt = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=fd)
            os.close(fd)
            fd = nxt
        return os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=fd)
    finally:
        os.close(fd)


def open_indexed(record: FileRecord) -> OpenedMedia:
    """The file of `record`, opened without following links and checked through the descriptor
    (fstat: a regular file with the size, modification time, device and inode recorded when it
    was indexed). MediaChangedError otherwise."""
    vid = record.video_id
    try:
        fd = _open_without_links(record.path)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
            raise MediaChangedError(f"the path of video {vid} now goes through a symbolic link; it is not "
                                    "served (re-index the file where it really is)") from exc
        raise MediaChangedError(f"the indexed file of video {vid} is gone ({exc.strerror}): moved or deleted "
                                "since it was indexed; index it where it is now, or `momentsearch prune` takes it "
                                "out") from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise MediaChangedError(f"the indexed file of video {vid} is not a regular file any more")
        if st.st_size != record.size or st.st_mtime != record.mtime:
            raise MediaChangedError(f"the file of video {vid} changed after indexing; re-index it")
        if record.inode and (st.st_dev, st.st_ino) != (record.device, record.inode):
            raise MediaChangedError(f"the file of video {vid} was replaced by another file after indexing; "
                                    "re-index it")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return OpenedMedia(fd, st.st_size, st.st_mtime)


def verified_path(record: FileRecord) -> Path:
    """The indexed file of `record`, checked as open_indexed checks it (then closed)."""
    open_indexed(record).close()
    return Path(record.path)


def served_type(record: FileRecord) -> str:
    """The media type a file is served as: what probing found (audio/video/image), else for older
    records a type from the name that is audio/video/image, else application/octet-stream."""
    if record.mime.split("/")[0] in ("audio", "video", "image"):
        return record.mime
    suffix = Path(record.path).suffix.lower()
    guess = _EXTRA_TYPES.get(suffix) or mimetypes.guess_type("x" + suffix)[0] or ""
    wanted = ("image",) if record.kind == "photo" else ("audio", "video")
    return guess if guess.split("/")[0] in wanted else "application/octet-stream"


def read_chunks(opened: OpenedMedia, start: int, end: int, chunk: int = READ_CHUNK, close: bool = True):
    """Lazily yields the bytes [start, end) of the opened file (pread: no shared offset); closes it
    at the end unless `close` is False."""
    try:
        pos = start
        while pos < end:
            data = os.pread(opened.fd, min(chunk, end - pos), pos)
            if not data:
                break
            pos += len(data)
            yield data
    finally:
        if close:
            opened.close()


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The one byte range [start, end) a `Range: bytes=...` header asks for; None for the whole file
    or for several ranges (see parse_ranges). A malformed or unsatisfiable range raises RangeError."""
    ranges = parse_ranges(header, size)
    return ranges[0] if ranges and len(ranges) == 1 else None


def parse_ranges(header: str | None, size: int) -> list[tuple[int, int]] | None:
    """Every byte range [start, end) of a `Range: bytes=...` header, None when there is none or when it
    counts in another unit ("items=0-9": RFC 9110 says to ignore a unit one does not know and send the
    whole file). A malformed or unsatisfiable byte range (or more than RANGE_MAX_PARTS) raises RangeError."""
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes":
        return None
    if not spec.strip():
        raise RangeError(f"malformed Range header {header[:80]!r}; expected bytes=START-END", size)
    parts = [p.strip() for p in spec.split(",")]
    if len(parts) > RANGE_MAX_PARTS:
        raise RangeError(f"too many ranges ({len(parts)}) in one Range header", size)
    return [_one_range(p, header, size) for p in parts]


@dataclass
class Body:
    """What to answer for a media request: status, headers and (lazily) the bytes, from the descriptor."""

    status: int
    headers: dict[str, str]
    chunks: FileChunks | None  # the bytes (close() it when the answer ends, however it ends); None for HEAD


def media_body(opened: OpenedMedia, ranges: list[tuple[int, int]] | None, mime: str, head: bool = False) -> Body:
    """The whole file (200), one range (206 + Content-Range) or several (206 multipart/byteranges),
    read from `opened` (closed once the bytes are sent, or at once for HEAD)."""
    size = opened.size
    headers = {"accept-ranges": "bytes", "cache-control": MEDIA_CACHE,
               "content-security-policy": MEDIA_CSP, "content-disposition": "inline"}
    if not ranges or len(ranges) == 1:
        start, end = ranges[0] if ranges else (0, size)
        headers.update({"content-type": mime, "content-length": str(end - start)})
        if ranges:
            headers["content-range"] = f"bytes {start}-{end - 1}/{size}"
        pieces = [(b"", start, end, b"")]
    else:
        boundary = secrets.token_hex(12)
        pieces = [(f"--{boundary}\r\nContent-Type: {mime}\r\nContent-Range: bytes {s}-{e - 1}/{size}\r\n\r\n"
                   .encode(), s, e, b"\r\n") for s, e in ranges]
        pieces[-1] = (*pieces[-1][:3], f"\r\n--{boundary}--\r\n".encode())
        headers.update({"content-type": f"multipart/byteranges; boundary={boundary}",
                        "content-length": str(sum(len(a) + e - s + len(b) for a, s, e, b in pieces))})
    status = 206 if ranges else 200
    if head:
        opened.close()
        return Body(status, headers, None)
    return Body(status, headers, FileChunks(opened, pieces))


class FileChunks:
    """The bytes of a media answer (an iterator), read lazily from `opened`, which is closed once they are all
    read or at close(), whether or not reading began: a generator that never started runs no `finally`, so a
    client that hung up before its first byte kept the file open for as long as the server ran."""

    def __init__(self, opened: OpenedMedia, pieces) -> None:
        self._opened = opened
        self._chunks = _pieces(opened, pieces)

    def __iter__(self):
        return self

    def __next__(self) -> bytes:
        return next(self._chunks)

    def close(self) -> None:
        try:
            self._chunks.close()
        except ValueError:  # being read in a worker thread now: its descriptor is not closed under it
            return
        self._opened.close()


def _pieces(opened: OpenedMedia, pieces):
    try:
        for before, start, end, after in pieces:
            if before:
                yield before
            yield from read_chunks(opened, start, end, close=False)
            if after:
                yield after
    finally:
        opened.close()


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


def frame_jpeg(source, time: float, max_side: int = THUMB_MAX_SIDE,
               span: tuple[float, float] | None = None) -> bytes:
    """A JPEG of the video frame shown at `time` seconds from the file's start (the index's clock:
    `time_origin` is added, so a capture whose timestamps start at 1000 s works), long side <= max_side,
    turned upright. `source` is a path or a binary file object (an OpenedMedia.file()). With `span`
    (a segment of one picture, holding `time`), a keyframe inside the span stands for it: in a file whose
    keyframes lie minutes apart, the frame at `time` is only reached by decoding from the one before."""
    import av

    from momentsearch.media import decode_from, picture_stream, time_origin

    try:
        with av.open(source if hasattr(source, "read") else str(source)) as container:
            stream = picture_stream(container)
            if stream is None:
                raise NotFoundError("this file has no video stream, so no thumbnail")
            stream.thread_type = "AUTO"
            time, origin = max(0.0, time), time_origin(container)
            chosen = _keyframe_in(container, stream, span, time, origin) if span is not None else None
            for frame in decode_from(container, stream, time, origin) if chosen is None else ():
                if chosen is not None and float(frame.time) - origin > time:
                    break
                chosen = frame
            if chosen is None:
                raise NotFoundError("no frame could be decoded at that time")
            img = chosen.to_image()
            turns = (getattr(chosen, "rotation", 0) or 0) // 90 % 4  # display matrix (phone videos), CCW
            if turns:
                img = img.rotate(90 * turns, expand=True)
    except av.FFmpegError as exc:
        raise MediaChangedError(f"the video cannot be decoded for a thumbnail ({exc})") from exc
    img.thumbnail((max_side, max_side))
    buf = io.BytesIO()
    img.convert("RGB").save(buf, format="JPEG", quality=80)
    return buf.getvalue()


def _keyframe_in(container, stream, span: tuple[float, float], time: float, origin: float):
    """The frame of the last keyframe inside `span` (a second clear of either end: no crossfade) when the
    keyframe before `time` lies more than THUMB_DECODE_GAP seconds before it; else None."""
    from momentsearch.media import decode_from, keyframe_before

    start, end = span
    before = keyframe_before(container, stream, time, origin)
    if before is None or time - before <= THUMB_DECODE_GAP:
        return None  # decoding on to `time` costs little
    inside = keyframe_before(container, stream, end - 1.0, origin)
    if inside is None or not start + 1.0 <= inside <= end - 1.0:
        return None
    return next(iter(decode_from(container, stream, inside, origin)), None)


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


# -- captions ---------------------------------------------------------------------------------------
def webvtt(rows, duration: float = 0.0) -> str:
    """A WebVTT document from a video's transcript chunks: (start, end, text[, word times as stored]); no cue
    ends after `duration` (seconds; 0: not known)."""
    return transcript.webvtt(transcript.cues(rows, until=duration))
