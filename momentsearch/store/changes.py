"""Which files' entries each commit changed, so a reader that keeps the index's vectors reads only those again.

A reader that searches exactly (search/exact.py: `serve`, a notebook's MomentIndex) holds every entry vector of
a collection. After each commit of another process (`index` commits after every file) it read the whole
collection from Chroma again: about 2 s at 40,000 rows, paid by the first search after every file of a long
indexing run. The writer now keeps, in the files collection's metadata beside the generation:

- PENDING_KEY: the files (video ids) whose entries this writer is about to change and has not committed yet,
  written *before* their first write, so a reader that read the rows meanwhile, or a writer killed before its
  commit, is covered: the next commit takes them over;
- CHANGES_KEY: the last LOG_COMMITS commits, each with the generation it drew and the files it changed.

A reader notes `mark_of` (generation and pending files) before it reads the rows; later `changed_since` that
mark says which files' rows to read again, or None when the log cannot say (the mark's generation has left the
log, the index was made again, a commit changed too many files): then the reader reads everything, as before.
Writes made with chromadb directly, outside momentsearch, are not logged: they are not supported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterable

from momentsearch.store.ids import entry_fields

CHANGES_KEY = "changes"  # JSON [[generation, "video_id video_id ..."], ...], oldest first
PENDING_KEY = "changes_pending"  # "video_id video_id ...": announced, not committed yet
LOG_COMMITS = 128  # commits kept (an indexed file makes three): a reader further behind reads everything
LOG_MAX_FILES = 64  # files one commit lists; more (a prune of a whole course) is logged as ANY
LOG_MAX_CHARS = 16_000  # the log's length: every reader reads it with the generation, each second or so
ANY = "*"  # any entry may have changed (an entry id that names no file, or too many files)


@dataclass(frozen=True)
class ChangeMark:
    """Where a reader's rows stand: the generation and the files being written when it read them."""

    generation: int
    pending: frozenset[str]


def files_of_ids(ids: Iterable[str]) -> set[str]:
    """The video ids that entry ids name (ANY for an id that is no entry id)."""
    return {(fields or {}).get("video_id", ANY) for fields in map(entry_fields, ids)}


def _pending(meta: dict) -> set[str]:
    return set(str(meta.get(PENDING_KEY) or "").split())


def _log(meta: dict) -> list[list]:
    try:
        log = json.loads(str(meta.get(CHANGES_KEY) or "[]"))
        return [[int(g), str(v)] for g, v in log] if isinstance(log, list) else []
    except (ValueError, TypeError):
        return []


def announced(meta: dict, files: set[str]) -> dict | None:
    """`meta` (the files collection's, without hnsw keys) with `files` added to the pending ones; None when they
    are there already."""
    pending = _pending(meta)
    if files <= pending:
        return None
    return {**meta, PENDING_KEY: " ".join(sorted(pending | files))}


def committed(meta: dict, generation: int, files: set[str]) -> None:
    """Log the commit that drew `generation` in `meta`: the pending files and `files` were changed by it."""
    changed = _pending(meta) | files
    listed = ANY if ANY in changed or len(changed) > LOG_MAX_FILES else " ".join(sorted(changed))
    log = (_log(meta) + [[generation, listed]])[-LOG_COMMITS:]
    while len(log) > 1 and len(json.dumps(log)) > LOG_MAX_CHARS:
        log = log[len(log) // 4 or 1:]  # the oldest go: a reader that far behind reads everything
    meta[CHANGES_KEY] = json.dumps(log)
    meta[PENDING_KEY] = ""


def mark_of(meta: dict, generation: int) -> ChangeMark:
    """A reader's mark, from the files collection's metadata read before its rows (`generation`: the one in it)."""
    return ChangeMark(generation, frozenset(_pending(meta)))


def changed_since(meta: dict, generation: int, mark: ChangeMark) -> set[str] | None:
    """The files whose entries may differ now (`meta`, `generation`: the files collection's metadata and the
    generation in it, read now) from rows read at `mark`; None when the log cannot say."""
    changed = set(mark.pending) | _pending(meta)
    if generation != mark.generation:
        log = _log(meta)
        at = [g for g, _ in log]
        if mark.generation not in at or at[-1] != generation:
            return None
        for _, files in log[at.index(mark.generation) + 1:]:
            changed |= set(files.split())
    return None if ANY in changed else changed
