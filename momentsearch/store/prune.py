"""Pruning an index: records of files that no longer exist, and entries no file record owns; and the
migration of records that older indexes stored with the path as typed (relative)."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Callable

from momentsearch.errors import ConfirmationNeededError
from momentsearch.store.ids import absolute_path, path_key, still_there
from momentsearch.store.store import ENTRY_COLLECTIONS, Store
from momentsearch.types import FileRecord, PruneReport

PRUNE_MAX_SHARE = 0.5  # prune removes more than this share of the index's files only with yes=True (--yes)


def migrate_relative_paths(store: Store, base: str | None = None) -> list[FileRecord]:
    """Indexes made before paths were stored absolute hold paths as typed. A record whose path,
    taken from `base` (the current folder), resolves to the key it is stored under (the key was
    made from the resolved path at indexing time) gets that absolute path. Returns the records
    that could not be placed (indexed from another folder): callers must not treat them as gone."""
    base = base or os.getcwd()
    unplaced = []
    for key, rec in store.file_records():
        if os.path.isabs(rec.path):
            continue
        full = absolute_path(os.path.join(base, rec.path))
        if path_key(full) == key:
            rec.path = full
            store.put_file(rec)
        else:
            unplaced.append(rec)
    return unplaced


def prune(store: Store, dry_run: bool = False, exists: Callable[[str], bool] = still_there,
          yes: bool = False) -> PruneReport:
    """Remove the records (and entries) of files that no longer exist, then entries that no file
    record owns (left by a crash between writes). `dry_run` only reports. Call under the write lock.

    Removing more than PRUNE_MAX_SHARE of the files needs `yes` (ConfirmationNeededError otherwise):
    an unmounted drive must not empty the index. Records with a relative path that cannot be placed
    (see migrate_relative_paths) are kept and listed in `report.unplaced`."""
    report = PruneReport()
    unplaced = [] if dry_run else migrate_relative_paths(store)
    records = store.file_records()
    skip = {key for key, rec in records if not os.path.isabs(rec.path)}
    report.unplaced = [rec.path for key, rec in records if key in skip] if dry_run else [r.path for r in unplaced]
    gone = [(key, rec) for key, rec in records if key not in skip and not exists(rec.path)]
    kept = {rec.video_id for key, rec in records if key in skip or exists(rec.path)}
    if gone and not dry_run and not yes and len(gone) > PRUNE_MAX_SHARE * len(records):
        raise ConfirmationNeededError(
            f"prune would remove {len(gone)} of the {len(records)} files in the index (more than "
            f"{PRUNE_MAX_SHARE:.0%}): they are not found from here, e.g. {gone[0][1].path}. If their drive or "
            "share is not mounted, mount it first; if their folder was moved or renamed, `momentsearch index "
            "FOLDER` where it is now takes their entries over with nothing redone (after prune all of it is "
            "redone); `prune --dry-run` lists them; `prune --yes` removes them")
    report.removed = [rec.path for _, rec in gone]
    if not dry_run:
        report.dropped = _take_out(store, gone, kept)
    owned = kept if not dry_run else {rec.video_id for _, rec in records}
    names = store.collection_names() - {"files"}
    for name in sorted(names | set(ENTRY_COLLECTIONS)):
        orphans = [id_ for id_, _, meta in store.iter_all(name, documents=False)
                   if meta.get("video_id") not in owned]
        report.orphans[name] = len(orphans)
        if orphans and not dry_run:
            store.delete_entries(name, orphans)
    return report


def remove_files(store: Store, records: dict[str, FileRecord], keys: set[str],
                 dry_run: bool = False) -> PruneReport:
    """Take the files whose records (`records`: every record of the index, by key) are stored under `keys`
    out of the index; the files themselves are not touched. The records go first, then the entries of
    each content no other record holds (a copy under another name keeps them). A crash between the two
    leaves orphans, which `prune` sweeps; never a record whose entries are gone (a search would miss the
    file and `index` would skip it). The report's `dropped`: the video ids whose entries went."""
    going = sorted(((key, rec) for key, rec in records.items() if key in keys), key=lambda kr: kr[1].path)
    staying = {rec.video_id for key, rec in records.items() if key not in keys}
    dropped = _take_out(store, going, staying) if not dry_run else []
    return PruneReport(removed=[rec.path for _, rec in going], dropped=dropped)


def _take_out(store: Store, going: list[tuple[str, FileRecord]], staying: set[str]) -> list[str]:
    """Delete the records `going` ((key, record)) and the entries of each content no `staying` video id holds;
    returns those contents' video ids. A kill at any point leaves what the same command, run again, finishes:
    the records whose entries go are marked incomplete first (never a complete record whose entries are gone:
    a search would miss the file and `index` would skip it), then the entries go, then the records (deleting
    the records first left orphans that a re-run of `remove` no longer found: "names no indexed file")."""
    dropped = {rec.video_id for _, rec in going} - staying
    last = []  # the records to delete once their entries are gone
    for key, rec in going:
        if rec.video_id in dropped and os.path.isabs(rec.path):  # (an old index's relative path cannot be put)
            if rec.complete:
                store.put_file(replace(rec, complete=False), key=key)
            last.append((key, rec))
        else:  # its content stays (a copy keeps it): nothing else to do
            store.delete_file(rec.path, key=key)
    for video_id in sorted(dropped):
        store.delete_video(video_id)
    for key, rec in last:
        store.delete_file(rec.path, key=key)
    if dropped and not last:
        store.commit()  # readers that cached the index before the entries went drop it again
    return sorted(dropped)
