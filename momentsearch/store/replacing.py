"""A file's entries being replaced, and the view readers keep meanwhile.

A re-index takes a file's old entries out and writes its new ones (pipeline/indexer.py, `_begin` then `_write`);
in between, the file's record is incomplete and its entries are half there, for a fraction of a second. A reader
that looked at the index then (`serve` and a notebook's MomentIndex look again within a second of a commit) lost
the file until its next look: the player's /api/media, /api/transcript, /api/chapters and /api/thumbs of a
recording being watched answered 404 (captions 400), and a search left it out. So the writer marks the files
collection's metadata while it replaces a file (`replacing`), and a reader that holds a view keeps it while the
mark is there (search/searcher.py): the old version, whole, until the new one is whole.

The mark is honoured only while a writer holds the index folder's lock (a killed writer's mark is ignored; the
next commit clears it), or, on a Chroma server (no lock to test), for REPLACING_MAX_SECONDS after it was set.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

REPLACING_KEY = "replacing"  # in the files collection's metadata: time.time() the mark was set, 0.0 when none
REPLACING_MAX_SECONDS = 60.0  # a mark older than this is a killed writer's (Chroma server indexes only)


@contextmanager
def replacing(store):
    """Around a file's old entries out and new entries in: every commit meanwhile carries the mark, and the
    commit at the end (a new generation) takes it away. A write that fails leaves the mark to the next commit."""
    store.replacing_now = True
    try:
        yield
    finally:
        store.replacing_now = False
    store.commit()


def mark(meta: dict, replacing_now: bool) -> None:
    """Set (or clear) the mark in the files collection's metadata that a commit writes."""
    meta[REPLACING_KEY] = time.time() if replacing_now else 0.0


def being_replaced(metadata: dict | None, db_dir) -> bool:
    """Whether a writer is between a file's old entries and its new ones now (`metadata`: the files collection's)."""
    since = float((metadata or {}).get(REPLACING_KEY) or 0.0)
    if not since:
        return False
    if db_dir is None:
        return time.time() - since < REPLACING_MAX_SECONDS
    from momentsearch.store.lock import writing_now

    return bool(writing_now(db_dir))
