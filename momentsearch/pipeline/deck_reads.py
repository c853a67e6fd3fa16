"""What was read of a lecture's deck (lecture.pdf beside lecture.mp4), kept per file state for this process.

Indexing one video looked for its deck and read it several times: its bytes for the video's indexed id
(`captions.indexed_id`), read and hashed again for the record's signature (`deck_changed`, process.py,
`copies.shareable`), and read again to parse its pages; each look listed the video's folder. Here a folder's deck
names and a deck's bytes and hash are kept by the state they were read in (a folder's or file's modified time,
inode and device; a file's size too), so each is read once while it stays as it was, and again once it changes.
A state younger than RACY_NS is not kept: a second change within the file system's time resolution would leave
the same state over other content (as git's "racy" index entries)."""

from __future__ import annotations

import functools
import hashlib
import os
import threading
import time
from collections import OrderedDict
from pathlib import Path

RACY_NS = 2_000_000_000  # a state this recent (ns) is not kept: FAT's modified times are to 2 s
KEPT_BYTES = 64 << 20  # the decks' bytes kept at most (a deck is a few MB): the least recently used go first
KEPT_STATES = 4096  # decks' hashes kept at most
KEPT_FOLDERS = 256  # folders' names kept at most

_lock = threading.Lock()
_data: OrderedDict[tuple, bytes] = OrderedDict()
_digests: OrderedDict[tuple, str] = OrderedDict()


def _state(path: Path, st: os.stat_result) -> tuple | None:
    """The key of `path` in the state `st`, None where that state is too recent to keep (RACY_NS)."""
    if time.time_ns() - st.st_mtime_ns < RACY_NS:
        return None
    return os.path.abspath(path), st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev


def folder_names(folder: Path) -> tuple[str, ...]:
    """The names in `folder` (os.listdir's), kept while its entries stay as they are (its modified time changes
    with each name added, removed or renamed in it). Raises OSError where it cannot be listed."""
    key = _state(folder, os.stat(folder))
    return _listed(key) if key is not None else tuple(os.listdir(folder))


@functools.lru_cache(maxsize=KEPT_FOLDERS)
def _listed(key: tuple) -> tuple[str, ...]:
    return tuple(os.listdir(key[0]))


def file_bytes(path: Path) -> bytes:
    """The bytes of the file at `path`, read once per state (its hash, `file_digest`, kept with them). Raises
    OSError where it cannot be read (never kept: read again next time)."""
    key = _state(path, os.stat(path))
    with _lock:
        if key is not None and key in _data:
            _data.move_to_end(key)
            return _data[key]
    data = path.read_bytes()
    if key is not None:
        _keep(key, data)
    return data


def file_digest(path: Path) -> str:
    """The blake2b (8 bytes) hex digest of the file at `path`'s bytes, read and hashed once per state. Raises
    OSError where it cannot be read."""
    key = _state(path, os.stat(path))
    with _lock:
        if key is not None and key in _digests:
            return _digests[key]
    data = file_bytes(path)  # (a read keeps its digest: this one's bytes were kept, their digest is not)
    with _lock:
        if key is not None and key in _digests:
            return _digests[key]
    digest = _digest(data)
    with _lock:
        if key is not None:
            _digests[key] = digest
    return digest


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def _keep(key: tuple, data: bytes) -> str:
    """Keeps `data` (up to KEPT_BYTES of all kept, the oldest out first) and its digest under `key`."""
    digest = _digest(data)
    with _lock:
        _digests[key] = digest
        while len(_digests) > KEPT_STATES:
            _digests.popitem(last=False)
        if len(data) <= KEPT_BYTES:
            _data[key] = data
            total = sum(map(len, _data.values()))
            while total > KEPT_BYTES:
                total -= len(_data.popitem(last=False)[1])
    return digest
