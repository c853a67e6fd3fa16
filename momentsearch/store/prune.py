"""Pruning an index: records of files that no longer exist, and entries no file record owns."""

from __future__ import annotations

import os
from typing import Callable

from momentsearch.store.store import ENTRY_COLLECTIONS, Store
from momentsearch.types import PruneReport


def prune(store: Store, dry_run: bool = False, exists: Callable[[str], bool] = os.path.exists) -> PruneReport:
    """Remove the records (and entries) of files that no longer exist, then entries that no file
    record owns (left by a crash between writes). `dry_run` only reports. Call under the write lock."""
    report = PruneReport()
    records = store.files()
    gone = [rec for rec in records if not exists(rec.path)]
    kept = {rec.video_id for rec in records if exists(rec.path)}
    for rec in gone:
        report.removed.append(rec.path)
        if dry_run:
            continue
        if rec.video_id not in kept:
            store.delete_video(rec.video_id)
        store.delete_file(rec.path)
    owned = kept if not dry_run else {rec.video_id for rec in records}
    names = store.collection_names() - {"files"}
    for name in sorted(names | set(ENTRY_COLLECTIONS)):
        orphans = [id_ for id_, _, meta in store.iter_all(name, documents=False)
                   if meta.get("video_id") not in owned]
        report.orphans[name] = len(orphans)
        if orphans and not dry_run:
            store.collection(name).delete(ids=orphans)
    return report
