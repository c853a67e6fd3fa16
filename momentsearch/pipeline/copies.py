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
from momentsearch.pipeline.gone import kept_copy
from momentsearch.pipeline.made_with import same_models
from momentsearch.store.ids import still_there
from momentsearch.types import FileRecord, FileResult


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
        sidecar = "sidecar" in record.sources or "sidecar" in copy.sources  # its own caption file's signature
        sources = _own_deck({**record.sources, **({"sidecar": copy.sources.get("sidecar", "")} if sidecar else {})},
                            copy.path)  # its own deck's name (the same bytes: they are part of the id they share)
        store.put_file(replace(record, path=copy.path, size=copy.size, mtime=copy.mtime, device=copy.device,
                               inode=copy.inode, mime=copy.mime or record.mime, complete=True, sources=sources,
                               content_id=copy.content_id))  # (another encoding's own bytes)
        followed.append(copy.path)
    return sorted(followed)


def _own_deck(sources: dict[str, str], path: str) -> dict[str, str]:
    """`sources` with the signature of the deck beside `path` (`deck_pdf.deck_signature`) as its deck, none where
    it has none: a record shared with another file keeps its own deck's name."""
    out = {k: v for k, v in sources.items() if k != "deck"}
    return {**out, "deck": deck} if (deck := deck_signature(path)) else out


def copies_note(paths: list[str]) -> str:
    """The summary's note for a file whose new entries its copies share: names the first of them."""
    if not paths:
        return ""
    more = f" and {len(paths) - 1} more" if len(paths) > 1 else ""
    return f"its copies share the new entries ({paths[0]}{more}): their records updated too"


def _own_captions(path: str, record: FileRecord) -> bool:
    """Whether captions next to one of the two files (sidecars) made or would make a transcript: then the two
    do not share entries."""
    from momentsearch.pipeline.captions import sidecar_files

    return record.sources.get("transcript", "").startswith("captions: sidecar") or bool(sidecar_files(path))


def twin_of(store, path: str, video_id: str, models: dict[str, str], mode: str) -> FileRecord | None:
    """A complete record of content `video_id` at another path, made with `models` (captions `mode`), whose
    entries the file at `path` can share (a lecture moved or copied to another folder is not transcribed again).
    Not where captions next to one of the two files (sidecars) made or would make the transcript. A record of
    these very bytes comes before one of another encoding sharing its entries (pipeline/reencoded.py)."""
    for rec in sorted(store.copies_of(video_id, path), key=lambda rec: bool(rec.content_id)):
        if rec.complete and same_models(rec, models, mode):
            return None if _own_captions(path, rec) else rec
    return None


def shareable(records: list[FileRecord], path: str, models: dict[str, str], mode: str) -> list[FileRecord]:
    """Of `records`, the complete ones of other files still there, made with `models`, whose transcript no
    caption file made and whose deck (`deck_pdf.deck_signature`) has the content of `path`'s (a re-encoding of one of
    them may share its entries: pipeline/reencoded.py); [] when captions lie next to `path`."""
    from momentsearch.pipeline.captions import sidecar_files

    if sidecar_files(path):
        return []
    deck = deck_signature(path).rpartition(" ")[2]  # its deck's content: a re-encoding beside another deck (or
    #     none) does not share the entries its deck's pages backed (or would back)
    return [rec for rec in records if rec.complete and rec.path != path and os.path.isfile(rec.path)
            and same_models(rec, models, mode) and not rec.sources.get("transcript", "").startswith("captions")
            and rec.sources.get("deck", "").rpartition(" ")[2] == deck]


def add_copy(store, path: str, twin: FileRecord, st: os.stat_result, info, old: FileRecord | None,
             video_id: str) -> FileResult:
    """The record of the file at `path` (stat `st`, probe `info`; None for a photo; `video_id`: its own content's)
    beside its twin's, sharing its entries (ids derive from content and time). A twin of other content is another
    encoding of its recording: the record keeps the file's own id as its content_id (store/relocate.py)."""
    if old is not None and old.video_id != twin.video_id:
        store.drop_unshared(old.video_id, path)
    record = replace(twin, path=path, size=st.st_size, mtime=st.st_mtime, device=st.st_dev, inode=st.st_ino,
                     mime=getattr(info, "mime", "") or twin.mime,  # (a photo has no probe)
                     sources=_own_deck(twin.sources, path),  # the twin's deck, kept, made every run redo the copy
                     content_id=video_id if twin.video_id != video_id else "")
    # (an original indexed again beside its only other encoding: that one is the twin, with the original's id)
    reencoded = (twin.content_id or twin.video_id) != video_id
    store.put_file(record)
    if reencoded:
        how = "another encoding of"
    else:  # a folder moved: one record
        how = "moved from" if not still_there(twin.path) and kept_copy(store, twin.path) else "same content as"
    return FileResult(path, "indexed", f"{how} {twin.path}: its entries are shared, nothing redone",
                      video_id=twin.video_id, duration=twin.duration, channels=twin.channels)
