"""Copies of one content (the same bytes under several names) share its entries, whose ids come from the content
hash and times; so when one copy's entries are written again (`--reindex`, other models or options, `--no-ocr`),
every copy's record must say what now made them. Left as they were, a copy's record named the models, channels and
sections of entries that were gone (`info` said `asr: base` over tiny.en's words; a copy "with slide text" had
none after `index a.mp4 --no-ocr`), and the next `index` skipped it as unchanged.

While the entries are rewritten the copies' records are incomplete as well (`copies_unfinished`): a re-index of one
copy killed half way left the other one complete over half its entries, and the next `index` skipped it."""

from __future__ import annotations

import os
from dataclasses import replace

from momentsearch.pipeline.deck_pdf import deck_signature
from momentsearch.types import FileRecord


def _placed_copies(store, record: FileRecord) -> list[FileRecord]:
    """The records of `record`'s content at other paths; an old index's record with a relative path is left out
    (`prune` or `index` places it first)."""
    return [copy for copy in store.copies_of(record.video_id, record.path) if os.path.isabs(copy.path)]


def copies_unfinished(store, record: FileRecord) -> None:
    """Marks the records of `record`'s other copies incomplete, before the entries they share are taken out and
    written again: a run killed meanwhile leaves each of them to be redone (or followed) by the next run."""
    for copy in _placed_copies(store, record):
        if copy.complete:
            store.put_file(replace(copy, complete=False))


def follow_copies(store, record: FileRecord) -> list[str]:
    """Writes what `record` (a content's complete record, just written with its entries) says of the entries into
    the records of the content's other copies, each keeping its own path and stat, and complete as the entries
    they share are. Returns their paths."""
    followed = []
    for copy in _placed_copies(store, record):
        sources = {**record.sources, "sidecar": copy.sources.get("sidecar", "")}  # its own caption file's signature
        sources = sources if "sidecar" in record.sources or "sidecar" in copy.sources else dict(record.sources)
        sources.pop("deck", None)  # its own deck's name (the same bytes: they are part of the id they share)
        if deck := deck_signature(copy.path):
            sources["deck"] = deck
        store.put_file(replace(record, path=copy.path, size=copy.size, mtime=copy.mtime, device=copy.device,
                               inode=copy.inode, mime=copy.mime or record.mime, complete=True, sources=sources))
        followed.append(copy.path)
    return sorted(followed)


def copies_note(paths: list[str]) -> str:
    """The summary's note for a file whose new entries its copies share: names the first of them."""
    if not paths:
        return ""
    more = f" and {len(paths) - 1} more" if len(paths) > 1 else ""
    return f"its copies share the new entries ({paths[0]}{more}): their records updated too"
