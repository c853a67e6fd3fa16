"""Entry ids and path text: the one encoder and the one parser of an index entry's id.

An id is `{video_id}:{kind}:{start_ms:09d}-{end_ms:09d}`: content hash + kind + time, so re-indexing
upserts and never duplicates. The pipeline imports this module alone from the store.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
from pathlib import Path
from typing import Any

_VIDEO_ID = re.compile(r"[0-9a-f]{16}")  # the first 16 hex digits of the content hash (content_hash)
_ENTRY_ID = re.compile(r"(?P<video>[0-9a-f]{16}):(?P<kind>[a-z_]+):(?P<start>\d{9,})-(?P<end>\d{9,})")


def content_hash(path: str, chunk: int = 1 << 20) -> str:
    """First 16 hex digits of blake2b over the file's bytes: the id of its content (a video id)."""
    h = hashlib.blake2b(digest_size=8)
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def entry_id(video_id: str, kind: str, start: float, end: float) -> str:
    """Stable id from content hash + kind + time (ms): re-indexing upserts, never duplicates."""
    return f"{video_id}:{kind}:{int(round(start * 1000)):09d}-{int(round(end * 1000)):09d}"


def entry_fields(id_: str) -> dict[str, Any] | None:
    """The metadata an `entry_id` encodes ({video_id, kind, start, end}, times to the ms), or None
    for any other text (the one parser: the store's fast path and the server's thumbnails use it)."""
    m = _ENTRY_ID.fullmatch(id_ or "")
    if m is None:
        return None
    return {"video_id": m["video"], "kind": m["kind"], "start": int(m["start"]) / 1000, "end": int(m["end"]) / 1000}


def is_video_id(text: str) -> bool:
    """Whether `text` has the form of a video id (16 lowercase hex digits)."""
    return bool(_VIDEO_ID.fullmatch(text or ""))


def display_path(path: str) -> str:
    """A path as valid UTF-8 text (Chroma and JSON need it): undecodable bytes of a file name show as \\xNN."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def path_metadata(path: str) -> dict[str, str]:
    """{"path": display form} plus, for a name that is not valid UTF-8, its exact bytes as hex."""
    shown = display_path(path)
    return {"path": shown} if shown == path else {"path": shown, "path_raw": os.fsencode(path).hex()}


def stored_path(meta: dict[str, Any]) -> str:
    """The path `path_metadata` wrote, as this process names it: the name's bytes (the UTF-8 of "path", or
    "path_raw") decoded as the file system's encoding decodes them. An index made where names are UTF-8 is
    read the same under a locale that is not (`LC_ALL=C PYTHONUTF8=0`: ASCII, Latin-1), where the text
    "path" as it is cannot be handed to the system (UnicodeEncodeError on every stat)."""
    raw = bytes.fromhex(meta["path_raw"]) if meta.get("path_raw") else meta["path"].encode("utf-8", "surrogateescape")
    return os.fsdecode(raw)


def utf8_metadata(meta: dict[str, Any]) -> dict[str, Any]:
    """Chroma refuses text that is not valid UTF-8 (a file name's undecodable bytes): escape it."""
    bad = [k for k, v in meta.items() if isinstance(v, str) and not v.isascii() and not _encodable(v)]
    return {**meta, **{k: display_path(meta[k]) for k in bad}} if bad else meta


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def absolute_path(path: str) -> str:
    """The absolute, resolved form of a path (links followed): what file records hold."""
    return os.path.realpath(path)


def path_key(path: str) -> str:
    return hashlib.sha1(str(Path(path).resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:20]


GONE_ERRNOS = (errno.ENOENT, errno.ENOTDIR, errno.ELOOP)  # what stat says of a path where nothing is


def still_there(path: str) -> bool:
    """False only when nothing is at `path` (moved or deleted). A path this user may not look into (a folder
    made unreadable, a share's permissions) counts as there: `prune` must not drop what a permission hides."""
    try:
        os.stat(path)
    except OSError as exc:
        return exc.errno not in GONE_ERRNOS
    return True
