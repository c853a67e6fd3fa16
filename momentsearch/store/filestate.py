"""Whether the file an index record names is still the file that was indexed. A teacher's folder moves
(with its index, to another drive), a video is replaced by a re-edited one under the same name, a
recording was still being written when it was indexed: the entries then describe a file that is not
there, or not what is there now, until `index` runs again. `info`, `search` and the server say so."""

from __future__ import annotations

import os
from pathlib import Path

from momentsearch.store.ids import GONE_ERRNOS, still_there  # noqa: F401 (the CLI takes it here)
from momentsearch.types import FileRecord, shown_path


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


PRESENT = ""
MISSING = "missing"  # nothing at the path: moved or deleted
MODIFIED = "modified"  # another size or modified time than when indexed: its entries may be stale
UNREADABLE = "unreadable"  # its folder may not be read (permissions): neither known gone nor changed

_PRONOUNS = {True: {"it": "it", "they": "it"}, False: {"it": "them", "they": "they"}}


def file_state(record: FileRecord) -> str:
    """PRESENT, MISSING, MODIFIED or UNREADABLE for the file at `record.path` (one stat, links followed,
    as `index` reads them). Size and modified time are compared exactly, as `index` and the server do."""
    try:
        st = os.stat(record.path)
    except OSError as exc:
        return MISSING if exc.errno in GONE_ERRNOS else UNREADABLE
    if (st.st_size, st.st_mtime) != (record.size, record.mtime):
        return MODIFIED
    return PRESENT


def stale_note(records: list[FileRecord]) -> str:
    """One line naming the records whose files are missing or modified ("" when none), with what to do.
    The server plays neither kind (it serves only the file as indexed): a page's reader learns why first."""
    states = {r.path: file_state(r) for r in records}
    parts = []
    for state, said, fix in ((MISSING, "not where indexed (moved or deleted)",
                              "`momentsearch index FOLDER` where {they} went finds {it} again, `momentsearch prune` "
                              "takes {it} out"),
                             (MODIFIED, "changed since indexed (replaced, re-edited, or still being written "
                              "then)", "`momentsearch index` on {it} again brings the entries up to date")):
        paths = sorted(p for p, s in states.items() if s == state)
        if paths:
            more = f" and {len(paths) - 3} more" if len(paths) > 3 else ""
            names = ", ".join(shown_path(Path(p).name) for p in paths[:3]) + more
            parts.append(f"{_plural(len(paths), 'file')} {said}: {names} ({fix.format(**_PRONOUNS[len(paths) == 1])}).")
    return " ".join(parts)


def stale_results_warnings(moments, record_of) -> list[str]:
    """`stale_note` of the files a search's results (`moments`) point at, by their records (`record_of(video_id)`:
    a record by id, not a look at every file's on each search), as the one warning of the CLI's --json and
    /api/search (none when every file is as indexed)."""
    shown = {m.video for m in moments}
    records = (record_of(video_id) for video_id in {m.video_id for m in moments})
    note = stale_note([r for r in records if r is not None and r.path in shown])
    return [note] if note else []
