"""Files still arriving while a batch runs: a nightly `index` meets recordings that are being copied, downloaded
or recorded. Names that copying and downloading tools give a file until it is complete are skipped, saying so;
a file that changed since the batch probed it is probed again (decode.probe_again_if_changed); one that changed
while it was being indexed is named, as its record keeps the state it had when its indexing began (so the next
run indexes it again)."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from momentsearch.types import STILL_ARRIVING

# the names a download keeps until it is complete, then loses by a rename: Firefox's and many tools' `.part`,
# Chrome's `.crdownload`, Opera's `.opdownload`, Safari's `.download`, WinSCP's `.filepart`, `.partial` (Edge's)
UNFINISHED_SUFFIXES = frozenset(".part .partial .crdownload .opdownload .download .filepart".split())
# rsync writes a file as `.NAME.XXXXXX` (hidden, six random characters) and renames it to NAME when done
RSYNC_TEMP = re.compile(r"\.(?P<name>.+)\.[A-Za-z0-9]{6}")
ARRIVING_REASON = STILL_ARRIVING + (" ({how}): skipped; the next run indexes it once it is complete and renamed "
                                    "to {name}")
LATELY_SECONDS = 600  # a file that changed this recently may still be being copied or recorded
CHANGED_WHILE_INDEXED = ("changed while it was being indexed (still being written?): indexed as far as it was "
                         "read; the next run indexes it again")


def arriving_reason(name: str, media_suffixes: frozenset[str]) -> str:
    """Why a file named `name` (no folder) is skipped as one still being copied or downloaded, whose final name has
    one of `media_suffixes` (`lecture.mp4.part`, rsync's `.lecture.mp4.Xy12ab`); "" for any other name."""
    final, suffix = Path(name).stem, Path(name).suffix.lower()
    if suffix in UNFINISHED_SUFFIXES and Path(final).suffix.lower() in media_suffixes:
        return ARRIVING_REASON.format(how=f"an unfinished download's {suffix} name", name=final)
    rsync = RSYNC_TEMP.fullmatch(name)
    if rsync and Path(rsync["name"]).suffix.lower() in media_suffixes:
        return ARRIVING_REASON.format(how="rsync's temporary name", name=rsync["name"])
    return ""


def file_state(path: str) -> tuple[int, int, int] | None:
    """(size, modification time in ns, inode) of `path`, or None where it cannot be looked at."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ino


def changed_while_indexed(path: str, size: int, mtime: float) -> bool:
    """Whether `path` is no longer as its record (`size`, `mtime`: its stat when indexing began) says."""
    try:
        st = os.stat(path)
    except OSError:
        return False  # gone: the batch's notes on missing files say so
    return (st.st_size, st.st_mtime) != (size, mtime)


def changed_lately(path) -> str:
    """`it changed 12 s ago:` where `path` was modified less than LATELY_SECONDS ago (a copy or recording that may
    still be going on), else ""."""
    try:
        age = time.time() - os.stat(path).st_mtime
    except OSError:
        return ""
    if not 0 <= age < LATELY_SECONDS:
        return ""
    return f"it changed {age:.0f} s ago:" if age < 120 else f"it changed {age / 60:.0f} min ago:"


def no_length_note(path, header_seconds: float) -> str:
    """The note for a file whose header states no length (`header_seconds` 0: a live Matroska or WebM recording's,
    whose length is written when it stops) that changed lately: it may still be recording, so what was indexed may
    be its beginning alone (its record keeps the stat from before it was read: once it grows, the next run redoes
    it). "" otherwise (a finished stream's file without a length is nothing to say)."""
    if header_seconds > 0 or not (lately := changed_lately(path)):
        return ""
    return (f"no length in its header and {lately[:-1]}: still being recorded? indexed as far as it was read; "
            "the next run indexes it again if it has grown")
