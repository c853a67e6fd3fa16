"""Which of a Ray batch's new files go to workers: one per recording. Copies of one content (the same bytes) and
other encodings of one recording (pipeline/reencoded.py) share their entries, so only the first of them is sent;
the driver settles the others after it as its copies, as a run without Ray does. Left to the driver's size and hash
check alone, two encodings of a lecture in one batch were both transcribed (and so was an encoding of a lecture
indexed before), and every search listed each of their moments twice."""

from __future__ import annotations

import os

from momentsearch.errors import BadInputError
from momentsearch.pipeline.captions import indexed_id, sidecar_files
from momentsearch.pipeline.copies import shareable
from momentsearch.pipeline.deck_pdf import deck_signature
from momentsearch.pipeline.discover import remembered_hash
from momentsearch.types import FileRecord, MediaInfo


def near_indexed(indexer, records: list[FileRecord], path: str, info, reindex: bool) -> bool:
    """Whether an indexed file (of `records`) that `path` could share entries with is of its length: then the driver
    looks at it (`index_file(process=False)`) before a worker gets it. Reads no file."""
    if reindex or not isinstance(info, MediaInfo):
        return False
    models, mode = indexer.report.models, indexer.config.captions.mode
    return bool(indexer.copy_finder.near(info, shareable(records, path, models, mode)))


def one_per_recording(indexer, paths: list[str], infos: dict, reindex: bool) -> tuple[list[str], list[str]]:
    """(the files to send, the rest): of `paths` (new files for workers, probed as `infos`), only the first of
    the same bytes or of one recording whose entries the others could share (`copies.shareable`: beside a deck of
    the same content, no captions of their own) goes (`reindex`: of the same bytes only; an encoding then has its
    own entries); the rest are settled after it, in their order."""
    send, held = _one_per_content(indexer, paths)
    models, mode = indexer.report.models, indexer.config.captions.mode
    firsts: list[FileRecord] = []  # the files sent so far, as the records their workers will write (their decks)
    for path in [] if reindex else send:
        info = infos.get(path)
        if not isinstance(info, MediaInfo):
            continue
        try:
            st = os.stat(path)
            near = [rec for rec in indexer.copy_finder.near(info, shareable(firsts, path, models, mode))
                    if not _captioned(rec.path)]
            if near and indexer.copy_finder.find(path, st.st_size, st.st_mtime, info, near):
                held.add(path)
                continue
        except (BadInputError, OSError):  # unreadable or broken: its worker says why
            continue
        firsts.append(FileRecord(path, video_id="", size=st.st_size, mtime=st.st_mtime, duration=info.duration,
                                 kind="video" if info.has_video else "audio", models=models, complete=True,
                                 sources={"deck": deck_signature(path)}))
    return [p for p in paths if p not in held], [p for p in paths if p in held]


def _captioned(path: str) -> bool:
    """Whether captions of its own (beside it, or inside it) would make `path`'s transcript: no copy shares it."""
    from momentsearch.pipeline.reencoded import has_subtitles

    return bool(sidecar_files(path)) or has_subtitles(path)


def _one_per_content(indexer, paths: list[str]) -> tuple[list[str], set[str]]:
    """(one file per content, the rest): files of one size are hashed, and of those with the same bytes only the
    first is kept."""
    by_size: dict[int | None, list[str]] = {}
    for path in paths:
        by_size.setdefault(file_size(path), []).append(path)
    first: dict[str, str] = {}
    copies: set[str] = set()
    for size, group in by_size.items():
        for path in group if size is not None and len(group) > 1 else []:
            try:
                video_id = indexed_id(path, remembered_hash(path), indexer.config.captions.mode)
            except OSError:  # unreadable: its worker says why
                continue
            if first.setdefault(video_id, path) != path:
                copies.add(path)
    return [p for p in paths if p not in copies], copies


def file_size(path: str) -> int | None:
    """The file's size in bytes; None when it cannot be read (the worker, or the local path, says why)."""
    try:
        return os.stat(path).st_size
    except OSError:
        return None
