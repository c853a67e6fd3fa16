"""Files still arriving while a batch runs: a nightly `index` meets recordings that are being copied, downloaded
or recorded. Names that copying and downloading tools give a file until it is complete are skipped, saying so;
a file that changed since the batch probed it is probed again (decode.probe_again_if_changed); one that changed
while it was being indexed is named, as its record keeps the state it had when its indexing began (so the next
run indexes it again)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from momentsearch.types import STILL_ARRIVING

# the names a download keeps until it is complete, then loses by a rename: Firefox's and many tools' `.part`,
# Chrome's `.crdownload`, Opera's `.opdownload`, Safari's `.download`, WinSCP's `.filepart`, `.partial` (Edge's)
UNFINISHED_SUFFIXES = frozenset(".part .partial .crdownload .opdownload .download .filepart".split())
# rsync writes a file as `.NAME.XXXXXX` (hidden, six random characters) and renames it to NAME when done
RSYNC_TEMP = re.compile(r"\.(?P<name>.+)\.[A-Za-z0-9]{6}")
ARRIVING_REASON = STILL_ARRIVING + (" ({how}): skipped; the next run indexes it once it is complete and renamed "
                                    "to {name}")
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


def changed_while_indexed(path: str, size: int, mtime: float) -> bool:
    """Whether `path` is no longer as its record (`size`, `mtime`: its stat when indexing began) says."""
    try:
        st = os.stat(path)
    except OSError:
        return False  # gone: the batch's notes on missing files say so
    return (st.st_size, st.st_mtime) != (size, mtime)


def file_state(path: str) -> tuple[int, int, int] | None:
    """(size, modification time in ns, inode) of `path`, or None where it cannot be looked at."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ino
