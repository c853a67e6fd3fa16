"""Word-piece vectors of transcript chunks kept on disk (`<db>/momentsearch-cache/pieces/`), so a new search
process (each `momentsearch search` is one) and a restarted server do not encode the same chunks again.

A chunk's pieces are a function of the text model and the chunk's text (models/minilm.py encodes them
without padding), so a file is named by a hash of both and is never stale. The files of one video live in
one folder, `<video id>-<stamp>`, the stamp a hash of the video's record (version, options, models,
sources): a re-index that may have changed the video's texts writes a new folder and the first write
there drops the old one, and `prune` / `remove` drop the folders of the videos they take out
(leftovers.py), so the folder holds the pieces of texts the index has (~30 KB a chunk searched).

Nothing here raises: a folder that cannot be written (read-only, full disk) turns writing off for the
process, and a file that cannot be read (missing, cut short, another layout) is "not kept".
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np

from momentsearch.file_modes import as_umask_allows
from momentsearch.ranking.late import TokenVectors
from momentsearch.search.cache import PIECES_DIRNAME
MAGIC = b"momentsearch-pieces 1\n"  # a new layout gets a new number: older files then read as "not kept"
_VIDEO_ID = re.compile(r"[0-9A-Za-z_]{1,64}")  # what a folder may be named after (video ids are hex)
_GONE = (errno.ENOENT,)  # a folder `prune` removed while we wrote: skip this file, keep writing


def text_key(model_id: str, text: str) -> str:
    """The file name of `text`'s pieces under `model_id` (sha256, 32 hex)."""
    return hashlib.sha256(f"{model_id}\0{text}".encode("utf-8", "surrogateescape")).hexdigest()[:32]


def folder_of(record) -> str | None:
    """The folder name of a video's pieces from its FileRecord (None: kept in memory only)."""
    if record is None or not _VIDEO_ID.fullmatch(str(record.video_id)):
        return None
    stamp = json.dumps([record.version, record.options, record.models, record.sources], sort_keys=True)
    return f"{record.video_id}-{hashlib.sha1(stamp.encode('utf-8', 'surrogateescape')).hexdigest()[:8]}"


class PieceFiles:
    """The pieces folder of one index (`cache_dir` None: a Chroma server, nothing kept) for one text model."""

    def __init__(self, cache_dir: str | os.PathLike | None, model_id: str) -> None:
        self.model_id = str(model_id or "")
        self.root = Path(cache_dir) / PIECES_DIRNAME if cache_dir and self.model_id else None
        self.writable = self.root is not None

    def read(self, folder: str, key: str) -> TokenVectors | None:
        """The pieces kept in `folder` under `key`, or None."""
        if self.root is None:
            return None
        try:
            data = (self.root / folder / f"{key}.pieces").read_bytes()
            if not data.startswith(MAGIC):
                return None
            at = len(MAGIC) + 4
            size = int.from_bytes(data[len(MAGIC):at], "little")
            head = json.loads(data[at:at + size].decode("utf-8"))
            tokens, dim = head["tokens"], int(head["dim"])
            body = data[at + size:]
            if head["model"] != self.model_id or head["key"] != key or len(body) != 2 * dim * len(tokens):
                return None
            return list(tokens), np.frombuffer(body, dtype="<f2").reshape(len(tokens), dim).astype(np.float16)
        except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError):
            return None

    def write(self, folder: str, key: str, pieces: TokenVectors) -> None:
        """Keep `pieces` under `key` in `folder` (a temp file renamed over it); failing, writes nothing."""
        if not self.writable:
            return
        tokens, vectors = pieces
        vectors = np.ascontiguousarray(vectors, dtype="<f2").reshape(len(tokens), -1)
        head = json.dumps({"model": self.model_id, "key": key, "dim": vectors.shape[1],
                           "tokens": list(tokens)}).encode("utf-8", "surrogateescape")
        tmp = None
        try:
            where = self._folder(folder)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=where)
            with os.fdopen(fd, "wb") as out:
                out.write(MAGIC + len(head).to_bytes(4, "little") + head + vectors.tobytes())
            as_umask_allows(tmp)  # not mkstemp's 0600: the index's other users read it too
            os.replace(tmp, where / f"{key}.pieces")
            tmp = None
        except OSError as exc:
            self.writable = exc.errno in _GONE  # read-only, full, no permission: memory only from now
        finally:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)

    def _folder(self, folder: str) -> Path:
        """`folder`, made when missing; making it drops the video's folders of an earlier record (re-indexed)."""
        where = self.root / folder
        if where.is_dir():
            return where
        where.mkdir(parents=True, exist_ok=True)
        video_id = folder.split("-", 1)[0]
        for old in self.root.glob(f"{video_id}-*"):
            if old.name != folder:
                shutil.rmtree(old, ignore_errors=True)
        return where


def forget(root: str | os.PathLike, live_ids: set[str]) -> None:
    """Drop the pieces of videos not in `live_ids` (taken out by `prune` or `remove`) from the folder `root`."""
    try:
        entries = list(Path(root).iterdir())
    except OSError:  # no pieces kept yet
        return
    for entry in entries:
        if entry.name.split("-", 1)[0] not in live_ids:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                try:
                    entry.unlink(missing_ok=True)
                except OSError:
                    pass
