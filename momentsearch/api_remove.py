"""MomentIndex's removals: `prune` (files gone from disk, entries no file owns) and `remove` (files named)."""

from __future__ import annotations

import os

from momentsearch.search.scope import Named
from momentsearch.types import quoted_path


class Removal:
    """What takes files out of an index; MomentIndex (momentsearch/api.py) is one, and gives `store`, `db`,
    `chroma_url` and `writing` (its write lock)."""

    def prune(self, wait: float | None = 0.0, dry_run: bool = False, yes: bool = False):
        """Remove files that no longer exist, and entries no file record owns. Returns a PruneReport.
        Removing more than store.prune.PRUNE_MAX_SHARE of the files needs `yes` (ConfirmationNeededError)."""
        from momentsearch.leftovers import forget_leftovers
        from momentsearch.store.prune import prune

        busy: list[str] = []
        with self._dry_run_lock(wait, "prune", busy) if dry_run else self.writing(wait, task="prune"):
            report = prune(self.store, dry_run=dry_run, yes=yes)  # kept work, player's copies, Chroma's log rows go too
            report.writer = "".join(busy)
            return forget_leftovers(None if self.chroma_url else self.db, self.store, report, dry_run)

    def remove(self, targets: list[Named] | Named, wait: float | None = 0.0, dry_run: bool = False):
        """Take files out of the index (not off the disk). Each target is a file path, a folder, a glob or a video
        id, as for `search(in_=...)`; one that names no indexed file is a QueryError and nothing is removed. Returns
        a PruneReport (`removed`). Kept work, the player's copies and Chroma's log rows of them go too (`erased`)."""
        from momentsearch.errors import QueryError
        from momentsearch.leftovers import forget_leftovers
        from momentsearch.search.scope import match_scope
        from momentsearch.store.prune import remove_files

        if isinstance(targets, (str, os.PathLike)):  # one target, not its characters one by one
            targets = [targets]
        if not targets or any(not str(t).strip() for t in targets):
            raise QueryError("remove: give the files to take out: paths, folders, globs or video ids")
        busy: list[str] = []
        with self._dry_run_lock(wait, "remove", busy) if dry_run else self.writing(wait, task="remove"):
            records = dict(self.store.file_records())  # record key -> record
            chosen: set[str] = set()
            for target in targets:
                by_id = {key for key, rec in records.items() if rec.video_id == str(target).strip()}
                try:
                    chosen |= by_id or match_scope(records, [target])
                except QueryError as exc:  # its hint: `info` lists them, or the glob for a name in another folder
                    raise QueryError(f"remove: {quoted_path(str(target))} names no indexed file (nothing was removed); "
                                     f"{str(exc).split('; ', 1)[-1]}") from None
            report = remove_files(self.store, records, chosen, dry_run=dry_run)
            report.writer = "".join(busy)
            return forget_leftovers(None if self.chroma_url else self.db, self.store, report, dry_run)

    def _dry_run_lock(self, wait: float | None, task: str, busy: list[str]):
        """The writer lock for a dry run, which writes nothing: taken where it can be (what it lists then sees no
        run half-way through writing a file), else none. Another run holding it (after `wait`), or a lock file
        this user may not open (a colleague's, 0644), stopped a dry run that only lists; it now lists, and
        `busy` gets who was writing (its orphan count may hold the entries of a file that run is writing)."""
        from contextlib import ExitStack

        from momentsearch.errors import IndexBusyError, IndexWriteError
        from momentsearch.store.lock import writing_now

        held = ExitStack()
        try:
            held.enter_context(self.writing(wait, task=task, reading=True))
        except IndexBusyError:
            busy.append(writing_now(self.db) or "another process")
        except IndexWriteError:  # the lock file's mode: a writer may hold it, or none
            busy.append(writing_now(self.db))
        return held
