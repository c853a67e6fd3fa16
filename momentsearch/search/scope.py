"""Searching inside some files only (`--in PATH_OR_GLOB`, `video=`): which files, and their rows.

A scope is resolved against the corpus's file records, never with a Chroma `where` filter (one
filtered query cost 80 ms at 1,000 h against 7 ms plain). A small scope is scored exactly: the
vectors of its entries are fetched by id (ids come from the cached corpus and the file records) and
kept for the next query, so a one-video search reads a few hundred rows instead of the index.
"""

from __future__ import annotations

import fnmatch
import os
import stat
import unicodedata
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path
from typing import Iterable

import numpy as np

from momentsearch.errors import BadInputError, QueryError
from momentsearch.ranking.dots import row_dots
from momentsearch.store.ids import entry_id
from momentsearch.types import FileRecord, quoted_path, unshown_path

EXACT_SCOPE_ROWS = 20_000  # a scope with at most this many entries per collection is scored exactly
SCOPE_CACHE_VIDEOS = 64  # (collection, video) vector blocks kept between queries
PHOTO_SPAN = 1.0  # seconds; must equal pipeline/photos.PHOTO_SPAN (the photo entry's id encodes it)
Named = str | os.PathLike  # a file's path (str or pathlib.Path), a folder, a glob or a video id
Scope = Named | list[Named] | tuple[Named, ...] | set[Named] | None  # `in_`: what `scope_patterns` takes


def _is_glob(pattern: str) -> bool:
    return any(ch in pattern for ch in "*?[")


def _nfc(path: str) -> str:
    """`path` in composed form, for comparing only: "Gödel" typed (ö, one character) names a file whose name a
    Mac or a copy from one wrote decomposed (o and a combining diaeresis), which looks the same in `info`. Read as
    the UTF-8 of its bytes first: where the file system's encoding is not UTF-8 (`LC_ALL=C PYTHONUTF8=0`) a name
    comes as lone surrogates, which have no composed form, and both spellings named nothing."""
    try:
        text = os.fsencode(path).decode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # text no file name decodes to under this encoding: compared as it is
        text = path
    return unicodedata.normalize("NFC", text)


def match_scope(files: dict[str, FileRecord], patterns: Iterable[str],
                copies: dict[str, list[str]] | None = None) -> set[str]:
    """Video ids of the files that any pattern names: a video id, a file path, a folder (everything
    under it) or a glob (matched against the absolute path and the file name). `copies` (video id ->
    paths) adds the other files of the same content, which `files` holds one record for. A path through
    a symbolic link names what it links to (records hold resolved paths). A pattern that names no
    indexed file is a QueryError: a typo must not silently search nothing."""
    return set(scope_paths(files, patterns, copies))


def scope_paths(files: dict[str, FileRecord], patterns: Iterable[str],
                copies: dict[str, list[str]] | None = None) -> dict[str, set[str]]:
    """match_scope's video ids, each with the absolute paths of its files that the patterns name (none
    for a video id): of two copies of one content, results must name the one the user scoped to."""
    chosen: dict[str, set[str]] = {}
    resolved = {vid: {os.path.abspath(p) for p in [rec.path, *(copies or {}).get(vid, [])]}
                for vid, rec in files.items()}
    for raw in patterns:
        typed = str(raw)
        pattern = typed.strip()
        if not pattern:
            raise QueryError("an empty --in pattern; give a file, a folder, a glob or a video id")
        # as typed first: " intro.mp4" (a name with a leading space) named no file when its space was cut off
        found = _found(typed, files, resolved) if typed != pattern else {}
        found = found or _found(pattern, files, resolved)  # spaces pasted around a path or an id
        if not found:
            raise QueryError(f"--in {quoted_path(pattern)} matches no indexed file; {_what_to_give(pattern, resolved)}")
        for vid, paths in found.items():
            chosen.setdefault(vid, set()).update(paths)
    return chosen


def _found(pattern: str, files: dict[str, FileRecord], resolved: dict[str, set[str]]) -> dict[str, set[str]]:
    """What one pattern names (scope_paths): a video id, else a path, folder or glob."""
    if pattern in files:
        return {pattern: set()}
    found = _named_by(pattern, resolved)
    if not found and (unshown := unshown_path(pattern)) != pattern:  # a path as --json writes it: \xNN
        found = _named_by(unshown, resolved)  # for a byte of the name that is no UTF-8 (typed as is: first)
    return found or _same_file(pattern, resolved)


def _same_file(pattern: str, resolved: dict[str, set[str]]) -> dict[str, set[str]]:
    """The indexed file that `pattern` names under another spelling of its path: on a case-insensitive disk (a
    Mac's, an exFAT stick) `lecture1.mp4` opens the indexed `Lecture1.mp4`, and named nothing; a hard link too.
    Told by device and inode, only once nothing else matched (one stat per indexed path)."""
    if _is_glob(pattern):
        return {}
    try:
        st = os.stat(os.path.expanduser(pattern))
    except (OSError, ValueError):
        return {}
    if not stat.S_ISREG(st.st_mode):  # a folder under another spelling: not told here
        return {}
    found: dict[str, set[str]] = {}
    for vid, paths in resolved.items():
        for path in paths:
            try:
                if os.path.samestat(os.stat(path), st):
                    found.setdefault(vid, set()).add(path)
            except (OSError, ValueError):
                continue
    return found


def _what_to_give(pattern: str, resolved: dict[str, set[str]]) -> str:
    """The end of the message for a pattern that named nothing. A bare file name is a path from the working
    folder, so `--in talk.mp4` (README's own example, run elsewhere) named nothing while `info` lists a
    talk.mp4: say which, and the glob that finds the name in any folder."""
    if not _is_glob(pattern) and os.sep not in pattern and (os.altsep or os.sep) not in pattern:
        same = sorted(path for paths in resolved.values() for path in paths
                      if _nfc(Path(path).name) == _nfc(pattern))
        if same:
            more = f" and {len(same) - 1} more" if len(same) > 1 else ""
            return (f"a name alone is a path from this folder, and the indexed {same[0]}{more} is not here: "
                    f"give its path, or the glob '*/{pattern}' for the name in any folder")
    return LISTS_THEM


LISTS_THEM = "`momentsearch info` lists them"


def _named_by(pattern: str, resolved: dict[str, set[str]]) -> dict[str, set[str]]:
    """The video ids (and their paths) that a path, folder or glob names, of `resolved` (video id -> paths).
    A pattern with glob characters that names an indexed file or folder as typed is that path: yt-dlp names a
    webinar "Title [id].mp4", and its path read as a glob ([id] one letter of those) named no file, or another."""
    glob = _is_glob(pattern)
    if glob and (literal := _named_as(pattern, resolved, glob=False)):
        return literal
    return _named_as(pattern, resolved, glob)


def _named_as(pattern: str, resolved: dict[str, set[str]], glob: bool) -> dict[str, set[str]]:
    """`_named_by` with `pattern` read as a glob or as a path (a file, or a folder of files)."""
    found: dict[str, set[str]] = {}
    named = os.path.expanduser(pattern)
    targets = {os.path.abspath(named), os.path.realpath(named)}
    if glob:  # a linked folder in front of the glob's last part
        targets.add(os.path.join(os.path.realpath(os.path.dirname(os.path.abspath(named))), os.path.basename(named)))
    if glob and named[:1] in "*?[":  # `*/course2/*`: anchored nowhere, so matched against the full path as it is
        targets.add(named)
    targets = {_nfc(t) for t in targets}
    for vid, paths in resolved.items():
        for path in paths:
            seen = _nfc(path)
            if any((fnmatch.fnmatch(seen, t) or fnmatch.fnmatch(Path(seen).name, _nfc(pattern))) if glob
                   else (seen == t or seen.startswith(t.rstrip(os.sep) + os.sep)) for t in targets):
                found.setdefault(vid, set()).add(path)
    return found


def as_named(rec: FileRecord, paths: set[str]) -> FileRecord:
    """`rec` under a path the scope named (scope_paths), when that names a copy of its content, not its file."""
    if not paths or os.path.abspath(rec.path) in paths:
        return rec
    return replace(rec, path=min(paths))


NOT_INDEXED = "index it first, or name one that `momentsearch info` lists"


def one_video(files: dict[str, FileRecord], name: str, copies: dict[str, list[str]] | None = None,
              not_found: str = NOT_INDEXED) -> FileRecord:
    """The record of the one indexed file that `name` (a path, a glob or a video id) names, as
    match_scope reads it, for commands that take one video (`chapters`, `clip`), under the path `name`
    gave when that is another copy of the record's content (as_named: `chapters COPY -o COPY` must see
    the copy, not the file the corpus holds the record of). Their QueryError names what was typed and
    no --in option, which they do not have. `not_found`: what to do when nothing matches."""
    hint = LISTS_THEM
    try:
        found = scope_paths(files, [name], copies) if files else {}
    except QueryError as exc:  # its message speaks of --in; its hint may name the file a bare name meant
        found, hint = {}, str(exc).split("; ", 1)[-1]
    if not found:
        how = not_found if hint == LISTS_THEM else hint
        raise QueryError(f"{quoted_path(name)} is not an indexed file or video id; {how}")
    if len(found) > 1:
        raise QueryError(f"{quoted_path(name)} names {len(found)} indexed files, not one; give the path or video id "
                         "of one (`momentsearch info` lists them)")
    (video_id, paths), = found.items()
    return as_named(files[video_id], paths)


def existing_copy(rec: FileRecord, copies: dict[str, list[str]]) -> str:
    """`rec`'s path when that file is there, else the path of another indexed file of its content that
    is (copies share their entries, so one cuts as the other would). BadInputError when none is: the
    bare "No such file or directory" of opening it says nothing of the index that still holds it."""
    for path in [rec.path, *sorted(copies.get(rec.video_id, []))]:
        if os.path.isfile(path):
            return path
    raise BadInputError(rec.path, "not there any more (moved or deleted since it was indexed), and no indexed "
                                  "copy of it is: cut from where it is now, or index that folder")


def scope_patterns(video, in_) -> list[str] | None:
    """`video` and `in_` as one list of scope patterns (None: the whole index)."""
    if video is None and in_ is None:
        return None
    if in_ is not None and not isinstance(in_, (str, os.PathLike)) and not (
            isinstance(in_, (list, tuple, set)) and in_ and all(isinstance(x, (str, os.PathLike)) for x in in_)):
        raise QueryError("in_ is a path, folder, glob or video id, or a non-empty list of them "
                         f"(None searches the whole index; got {in_!r:.60})")
    patterns = [] if video is None else [os.fspath(video)]
    patterns += [os.fspath(in_)] if isinstance(in_, (str, os.PathLike)) else [os.fspath(x) for x in in_ or []]
    return patterns


def rows_by_video(metas: list[dict]) -> dict[str, np.ndarray]:
    """Row numbers of each video's entries (one pass over the corpus metadata)."""
    groups: dict[str, list[int]] = {}
    for i, meta in enumerate(metas):
        groups.setdefault(meta.get("video_id", ""), []).append(i)
    return {vid: np.asarray(rows, dtype=np.int64) for vid, rows in groups.items()}


def visual_ids(rec: FileRecord) -> list[str]:
    """Ids of a file's keyframe (or photo) entries, from its record."""
    if rec.kind == "photo":
        return [entry_id(rec.video_id, "photo", 0.0, PHOTO_SPAN)]
    return [entry_id(rec.video_id, "keyframe", s, e) for s, e in rec.visual_segments]


class ScopeVectors:
    """Entry vectors of a few videos, fetched by id (search/exact.py's IndexVectors) and kept (least recently used
    out)."""

    def __init__(self, source, max_blocks: int = SCOPE_CACHE_VIDEOS) -> None:
        self.source = source
        self.max_blocks = max_blocks
        self._blocks: OrderedDict[tuple, tuple[list[str], np.ndarray]] = OrderedDict()

    def clear(self) -> None:
        self._blocks.clear()

    def block(self, collection: str, video_id: str, ids: list[str]) -> tuple[list[str], np.ndarray]:
        """(ids found, their vectors as float32 rows) of one video's entries in `collection`."""
        key = (collection, video_id)
        got = self._blocks.get(key)
        if got is not None:
            self._blocks.move_to_end(key)
            return got
        self._blocks[key] = found = self.source.rows(collection, list(ids))
        while len(self._blocks) > self.max_blocks:
            self._blocks.popitem(last=False)
        return found

    def similarities(self, collection: str, wanted: dict[str, list[str]], vector: np.ndarray
                     ) -> tuple[list[str], np.ndarray]:
        """Cosine similarity of `vector` with every entry named in `wanted` (video id -> entry ids)."""
        ids: list[str] = []
        sims: list[np.ndarray] = []
        q = np.asarray(vector, dtype=np.float32)
        q = q / max(float(np.linalg.norm(q)), 1e-12)
        for video_id, entry_ids in wanted.items():
            found, vectors = self.block(collection, video_id, entry_ids)
            if not found:
                continue
            norms = np.maximum(np.linalg.norm(vectors, axis=1), 1e-12)
            ids += found
            sims.append(row_dots(vectors, q) / norms)
        return ids, (np.concatenate(sims) if sims else np.zeros(0, dtype=np.float32))
