"""What a local index folder keeps for a video besides its entries, dropped when `prune` or `remove` takes
the video out: the work a killed `index` run kept to resume from (`DB/momentsearch-partial/`,
pipeline/partial.py), the web player's copies of two-track recordings
(`DB/momentsearch-cache/playback/`, playback.py), with any copy a killed server left unfinished, the
word pieces search kept of its speech (`DB/momentsearch-cache/pieces/`, search/piece_files.py), and what
Chroma's database file still holds of the deleted entries (store/erase.py).
A Chroma server (`--chroma-url`) keeps none of the files, and its database is the server's: nothing to do there."""

from __future__ import annotations

import os
from pathlib import Path

from momentsearch.types import PruneReport


def forget_leftovers(db: str | os.PathLike | None, store, report: PruneReport, dry_run: bool = False) -> PruneReport:
    """After `prune` or `remove` (`report`) wrote to the index folder `db` (None: a Chroma server, nothing
    kept), under its write lock: the kept work of the contents whose entries went (`report.dropped`), and
    of the content a removed file holds now where a killed run was indexing it anew (its record still named
    the old content); the player's copies and the word pieces of every video that no record of `store` holds
    now (taken out just now, or before copies were dropped with it); and the deleted entries' rows that
    Chroma's log kept (`report.erased`). A dry run changes nothing. Returns `report`."""
    from momentsearch.pipeline.partial import PARTIAL_DIRNAME, forget
    from momentsearch.playback import drop_copies
    from momentsearch.search import piece_files
    from momentsearch.search.cache import CACHE_DIRNAME, PIECES_DIRNAME, PLAYBACK_DIRNAME
    from momentsearch.store.erase import erase_deleted

    if db is None or dry_run:
        return report
    live = {rec.video_id for rec in store.files()}
    forget(Path(db) / PARTIAL_DIRNAME, report.dropped)
    forget(Path(db) / PARTIAL_DIRNAME, _new_contents(Path(db) / PARTIAL_DIRNAME, report.removed, live))
    drop_copies(Path(db) / CACHE_DIRNAME / PLAYBACK_DIRNAME, live)
    piece_files.forget(Path(db) / CACHE_DIRNAME / PIECES_DIRNAME, live)
    report.erased = erase_deleted(db)  # every deleted entry's: also what an older version's `remove` left
    return report


def _new_contents(partial_dir: Path, removed: list[str], live: set[str]) -> set[str]:
    """The contents that the removed files still on disk hold now, where kept work that no record wants is
    theirs: a changed recording whose re-index was killed (its record named the old content, whose entries
    went). Files are hashed only when such kept work is there."""
    from momentsearch.pipeline.discover import content_hash

    kept = {p.name.split(".", 1)[0] for p in partial_dir.iterdir()} - live if partial_dir.is_dir() else set()
    if not kept:
        return set()
    found = set()
    for path in removed:
        try:
            found.add(content_hash(path))
        except OSError:  # gone, or not readable from here: its kept work is told by no other means
            continue
    return found & kept
