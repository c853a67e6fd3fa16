"""Indexing a batch: find files, skip unchanged ones, process each (pipeline/process.py), write.

The orchestrator gets its store and models passed in. A broken file is skipped with a reason in
the report and the batch goes on. A file's record is written "incomplete" before its entries and
"complete" after them, and entry ids derive from content + time, so a re-run after a crash redoes
that file with upserts: no duplicates, nothing lost.
"""

from __future__ import annotations

import os
import stat
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from momentsearch import __version__
from momentsearch.errors import BadInputError, ModelNotFoundError, ModelUnavailableError
from momentsearch.no_memory import memory_error
from momentsearch.options import Config
from momentsearch.pipeline.arriving import CHANGED_WHILE_INDEXED, changed_while_indexed, file_state
from momentsearch.pipeline.callback import callback_errors, guarded  # noqa: F401 (callback_errors: api)
from momentsearch.pipeline.captions import indexed_id, sidecar_changed
from momentsearch.pipeline.copies import add_copy, copies_note, copies_unfinished, follow_copies, shareable, twin_of
from momentsearch.pipeline.deck_match import decks_used
from momentsearch.pipeline.decode import probe, probe_again_if_changed
from momentsearch.pipeline.discover import (caption_files_used, decks_indexed_before, discover, is_photo,
                                            not_regular_reason, other_models_note, remembered_hash)
from momentsearch.pipeline.failures import failed_status, failure_reason
from momentsearch.pipeline.gone import gone_notes
from momentsearch.pipeline.made_with import same_models
from momentsearch.pipeline.memory import limit_malloc_arenas
from momentsearch.pipeline.ocr import FROM_CONFIG, make_ocr
from momentsearch.pipeline.partial import PartialState, fingerprint, forget, keep_unfinished, undo_unfinished
from momentsearch.pipeline.process import FileEntries, FileProcessor
from momentsearch.pipeline.reencoded import CopyFinder
from momentsearch.pipeline.settled import (CLIP_COLLECTIONS, entry_options, options_fingerprint, remember_clip_off,
                                           settle_unchanged, unchanged_note)
from momentsearch.store.ids import absolute_path
from momentsearch.types import FileRecord, FileResult, IndexReport, MediaInfo, ProgressCallback, ProgressEvent


@dataclass
class BatchPlan:
    """What `Indexer.plan` found: the files to index, the paths already settled, and the probes."""

    todo: list[str]  # files to index, in discovery order
    settled: dict[str, FileResult]  # paths skipped or failed during discovery -> their result
    infos: dict[str, MediaInfo | BadInputError]  # media path -> probe result (photos are not probed)


class Indexer:
    """Indexes files into a store (store/store.py's Store, passed in: the pipeline imports nothing from the
    store but ids). `clip` may be None (no visual channel)."""

    def __init__(self, store, config: Config, text_embedder, asr, clip=None,
                 progress: ProgressCallback | None = None, ocr=FROM_CONFIG,
                 partial_dir: str | os.PathLike | None = None) -> None:
        limit_malloc_arenas()  # before any indexing thread allocates (pipeline/memory.py)
        self.store = store
        self.config = config
        self.text = text_embedder
        self.asr = asr
        self.clip = clip
        self.ocr = make_ocr(config) if ocr is FROM_CONFIG else ocr  # None: no slide text
        self.progress = guarded(progress)  # its errors stop the run, never fail a file (pipeline/callback.py)
        # finished windows of a file being indexed are kept here, so a killed run resumes (None: not kept)
        self.partial_dir = Path(partial_dir) if partial_dir is not None else None
        self.report = IndexReport()
        self.models_assumed = False  # the models were settled from the records (settle_unchanged), not loaded
        self.at = ProgressEvent("file")  # the file being indexed (`index`, Ray's `_progress`)
        self.probed: dict[str, tuple | None] = {}  # media path -> its file_state when `plan` probed it
        self.copy_finder = CopyFinder()  # recognises re-encoded copies (its fingerprints last the batch)

    @contextmanager
    def _stage(self, name: str, path: str = ""):
        self.progress(replace(self.at, kind="stage", stage=name, path=path or self.at.path))  # Ray hashes `path`
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.report.times.add(name, time.perf_counter() - t0)

    def _check_models(self) -> None:
        wanted = dict.fromkeys(("transcript", "ocr"), self.text.model_id)
        if self.clip is not None:
            wanted.update(dict.fromkeys(CLIP_COLLECTIONS, self.clip.model_id))
        self.store.check_models(wanted)  # an index of other models is refused at once, not after loading
        if self.clip is not None:
            try:
                self.clip.load()
            except ModelNotFoundError:  # a mistyped path or tag: stop now, not after hours without the channel
                raise
            except ModelUnavailableError as exc:
                self._stop_if_out_of_memory(exc)  # the channel is there: turned off, the index would lack it
                self.report.warnings.append(f"visual channel off: {exc}")
                remember_clip_off(self.store, self.clip, exc)  # the next run tells it without importing torch
                self.clip = None
        self.report.models = {"text": self.text.model_id, "asr": self.asr.model_id}
        if self.clip is not None:
            self.report.models["clip"] = self.clip.model_id
        if self.ocr is not None:
            try:
                self.ocr.load()
                self.report.models["ocr"] = self.ocr.model_id
            except ModelUnavailableError as exc:
                self._stop_if_out_of_memory(exc)
                self.report.warnings.append(f"ocr channel off: {exc}")
                self.ocr = None
        self._text_ef_collection()
        if self.ocr is not None:
            self._text_ef_collection("ocr")
        if self.clip is not None:
            self._clip_collections()

    def _stop_if_out_of_memory(self, exc: Exception) -> Exception | None:
        """Raises an OutOfMemoryError for an allocation that failed (every file would fail the same way: the batch
        stops, keeping what a re-run resumes from); else returns the store's disk-full error for `exc`, or None."""
        if (no_memory := memory_error(exc)) is not None:
            raise no_memory from (None if no_memory is exc else exc)
        return self.store.disk_full_error(exc)

    def _text_ef_collection(self, name: str = "transcript"):
        from momentsearch.models.chroma_functions import TextEmbeddingFunction

        if not self.store.has("transcript"):  # the first collection to name the model: its weights must be there
            # first (else a failed first run leaves an empty index that refuses every later run, the default's too)
            getattr(self.text, "model_path", None)  # raises ModelUnavailableError; an embedder without one: no check
        return self.store.collection(name, model_id=self.text.model_id, dim=self.text.dim,
                                     embedding_function=TextEmbeddingFunction(self.text))

    def _clip_collections(self) -> None:
        from momentsearch.models.chroma_functions import ClipEmbeddingFunction

        ef = ClipEmbeddingFunction(self.clip)
        rebuild = {"clip_model": self.clip.model_name, "clip_pretrained": self.clip.pretrained}  # absolute paths
        for name in CLIP_COLLECTIONS:
            self.store.collection(name, model_id=self.clip.model_id, dim=self.clip.dim, embedding_function=ef,
                                  extra=rebuild)

    # -- the batch surface (Indexer.index and pipeline/ray.py's RayIndexer both drive these) -----
    def plan(self, paths: list[str], reindex: bool = False) -> BatchPlan:
        """Finds the files, probes the media among them, announces the batch ("start" event) and
        settles which models run (a missing CLIP or OCR model turns its channel off, with a warning), from
        the records alone when every file is indexed and unchanged: then no model loads."""
        todo: list[str] = []
        settled: dict[str, FileResult] = {}
        for f in discover(paths):
            if f.reason:
                settled[f.path] = FileResult(f.path, "failed" if f.failed else "skipped", f.reason)
            elif (full := absolute_path(f.path)) not in todo:  # records hold absolute, resolved paths
                todo.append(full)
        infos: dict[str, MediaInfo | BadInputError] = {}
        for path in todo:
            if is_photo(path):
                continue
            self.probed[path] = file_state(path)  # a file still being copied may have changed by its turn
            try:
                infos[path] = probe(path)
            except BadInputError as exc:
                infos[path] = exc
        total = sum(i.duration for i in infos.values() if isinstance(i, MediaInfo))
        self.progress(ProgressEvent("start", total_files=len(todo), media_seconds=total))
        if todo:
            self.models_assumed = not reindex and settle_unchanged(self, todo)
            if not self.models_assumed:
                self._check_models()
            self.report.warnings += other_models_note(map(self.store.get_file, todo), self.report.models,
                                                      self.config.captions.mode)
        return BatchPlan(todo, settled, infos)

    def needs_indexing(self, path: str, reindex: bool) -> bool:
        """A readable file that is not indexed completely, with these models, as it is now (after `plan`).
        An unreadable file is False: `index_file` records why."""
        try:
            st = os.stat(path)
        except OSError:
            return False
        return not self._unchanged(self.store.get_file(path), st, reindex)

    def _unchanged(self, old: FileRecord | None, st: os.stat_result, reindex: bool) -> bool:
        return (old is not None and old.complete and not reindex and old.size == st.st_size
                and old.mtime == st.st_mtime and same_models(old, self.report.models, self.config.captions.mode)
                and not sidecar_changed(old, self.config.captions.mode))  # a caption file added or edited since

    def index(self, paths: list[str], reindex: bool = False) -> IndexReport:
        """Indexes files and folders one by one; a file that fails is recorded and the batch goes on."""
        batch = self.plan(paths, reindex)
        self.report.files.extend(batch.settled.values())
        total = len(batch.todo)
        for i, path in enumerate(batch.todo):
            self.at = ProgressEvent("file", path=path, index=i, total_files=total)  # what its stage events name
            self.progress(self.at)
            info = batch.infos.get(path)
            seconds = info.duration if isinstance(info, MediaInfo) else 0.0

            def on_media(done: float, at=self.at, seconds=seconds) -> None:
                self.progress(replace(at, kind="media", media_seconds=done, file_seconds=seconds))

            result = self.index_file(path, info, reindex, on_media)
            self.report.files.append(result)
            self.progress(replace(self.at, kind="done", media_seconds=seconds, status=result.status))
        return self.finish(paths, batch.todo)

    def finish(self, paths: list[str], todo: list[str]) -> IndexReport:
        """What ends a batch (`todo`: its files, from `plan`), run here or on Ray: kept work no file needs goes,
        and the notes that look at the whole batch (files made by another version, files gone) are added."""
        if todo and self.partial_dir is not None:  # kept work no unfinished file needs (changed, gone, finished)
            keep_unfinished(self.partial_dir, self.store.files())
        if todo:
            self.report.warnings += unchanged_note(self)  # made by another version or other options: said once
        if getattr(self.asr, "device_note", ""):  # "auto" found a GPU that faster-whisper cannot use
            self.report.warnings.append(self.asr.device_note)
        caption_files_used(self.report.files, self.store.get_file, self.config.captions.mode)
        decks_used(self.report.files, self.store.get_file)  # a deck no slide matched is not "read"
        self.report.warnings += decks_indexed_before(self.report.files, self.store.get_file, self.store.db_dir)
        self.note_gone(paths)
        return self.report

    def note_gone(self, paths: list[str]) -> None:
        """Notes on the indexed files under the folders in `paths` that no longer exist (pipeline/gone.py)."""
        self.report.warnings += gone_notes(self.store, paths)

    def kept_work_fingerprint(self) -> str:
        """What a file's kept work must have been made with to be taken over (models and the options that decide
        entries; a speed option makes the same work): the same here and on a Ray worker."""
        cfg = self.config
        return fingerprint(self.report.models, *entry_options(cfg), cfg.models.ocr)

    def _partial(self, video_id: str) -> PartialState | None:
        """The kept work of `video_id` made with these models and options (empty if none)."""
        if self.partial_dir is None:
            return None
        return PartialState(self.partial_dir, video_id, self.kept_work_fingerprint())

    def index_file(self, path: str, info: MediaInfo | BadInputError | None, reindex: bool,
                   on_media: Callable[[float], None] | None = None, process: bool = True) -> FileResult | None:
        """Indexes one file of a `plan` (`info`: its probe; None for a photo) in this process.
        A problem of this file is its failed FileResult; an index-wide one (model, mismatch) raises.
        `on_media(seconds)`: called as the file's audio windows finish (seconds from its start).
        A file that fails leaves no incomplete record behind (`partial.undo_unfinished`); a killed run does.
        Without `process`, a media file whose bytes are not indexed yet is left as it is: None (Ray sends it on)."""
        old = None
        try:
            if isinstance(info := probe_again_if_changed(path, info, self.probed.get(path)), BadInputError):
                raise info
            st = os.stat(path)
            if not stat.S_ISREG(st.st_mode):  # a FIFO would block the first read for ever
                raise BadInputError(path, not_regular_reason(st))
            old = self.store.get_file(path)
            if self._unchanged(old, st, reindex):
                return FileResult(path, "unchanged", video_id=old.video_id, duration=old.duration,
                                  channels=old.channels)
            with self._stage("hash", path):
                video_id = remembered_hash(path)
            photo = is_photo(path)
            if not photo:
                video_id = indexed_id(path, video_id, self.config.captions.mode)  # a captioned copy is its own
            if not reindex and old is not None and old.complete and video_id in (old.video_id, old.content_id) \
                    and same_models(old, self.report.models, self.config.captions.mode):  # (a re-encoded copy's own)
                return self._restamp(path, old, st)
            if not reindex and (twin := self._twin(path, video_id, st, info)) is not None:  # a copy (a photo's too)
                return add_copy(self.store, path, twin, st, info, old, video_id)
            if self.models_assumed:  # new bytes after all (`plan` settled from the records): load the models now
                self.models_assumed = False
                self._check_models()
            if photo:
                return self._index_photo(path, video_id, st, old)
            if not process:
                return None
            record = FileRecord(path=path, video_id=video_id, size=st.st_size, mtime=st.st_mtime,
                                duration=info.duration, models=dict(self.report.models), device=st.st_dev,
                                inode=st.st_ino, mime=info.mime)
            if old is None or not old.complete:  # a new file: its record marks a killed run's kept work wanted
                self.store.put_file(record)
            partial = self._partial(video_id)
            # processed before anything is taken out: a file that fails (a re-index with a bad option, a
            # model that breaks on it) keeps its entries, and so do the copies that share them
            resumed = partial.resumed_note() if partial is not None else ""  # said in the summary's note
            entries = self.processor().process_video(path, info, video_id, partial, on_media)
            result = self._replace(entries, record, old, resumed)
            if partial is not None:
                partial.discard()  # the entries are in the store: the kept windows are done with
            return result
        except Exception as exc:  # a decoder or model failing on one odd file must not stop the batch
            full_disk = self._stop_if_out_of_memory(exc)  # or a full disk: e.g. resume state in DB/momentsearch-partial
            if full_disk is not None and full_disk is not exc:
                raise full_disk from exc
            if full_disk is None:  # a full disk keeps what a re-run resumes from (and could not write anyway)
                undo_unfinished(self.store, self.partial_dir, path, old)
            reason = failure_reason(exc)
            if reason is None:
                raise  # index-wide problems (model, mismatch, busy) stop the batch with their own message
            return FileResult(path, failed_status(exc), reason)  # (skipped: still being written)

    def _restamp(self, path: str, old: FileRecord, st: os.stat_result) -> FileResult:
        """A file whose bytes are what were indexed though its modified time (or inode) changed: `touch`,
        a copy or sync that does not keep times, a restore from backup. Its record takes the new stat, so
        the next run skips it without hashing and the server serves it; nothing is decoded again."""
        self.store.put_file(replace(old, path=path, size=st.st_size, mtime=st.st_mtime, device=st.st_dev,
                                    inode=st.st_ino))
        return FileResult(path, "unchanged", "same content (its modified time changed): nothing redone",
                          video_id=old.video_id, duration=old.duration, channels=old.channels)

    def _twin(self, path: str, video_id: str, st: os.stat_result, info: MediaInfo | None) -> FileRecord | None:
        """A complete record made with these models whose entries this file can share: of the same content at
        another path (`copies.twin_of`), else of another encoding of the same recording (pipeline/reencoded.py)."""
        models, mode = self.report.models, self.config.captions.mode
        if (twin := twin_of(self.store, path, video_id, models, mode)) is not None or info is None:
            return twin
        near = self.copy_finder.near(info, shareable(self.store.files(), path, models, mode))
        if not near:  # no indexed file of its length: nothing is read
            return None
        with self._stage("copies", path):
            return self.copy_finder.find(path, st.st_size, st.st_mtime, info, near)

    def _begin(self, record: FileRecord, old: FileRecord | None) -> None:
        """Before a file's entries are written: its old entries out, its record in as incomplete.

        Order matters for crashes: old content's entries go first (while the old record still names them), then
        the record (and its copies') turns incomplete, then this content's entries are cleared, so a re-run after a
        kill at any point redoes the file and leaves no orphans or duplicates."""
        if old is not None and old.video_id != record.video_id:
            self.store.drop_unshared(old.video_id, record.path)
        self.store.put_file(record)  # incomplete until the end: a crash makes a re-run redo it
        copies_unfinished(self.store, record)  # they share the entries (pipeline/copies.py)
        self.store.delete_video(record.video_id)  # a re-index replaces entries, never adds beside them

    def _replace(self, entries: FileEntries, record: FileRecord, old: FileRecord | None, resumed: str = ""):
        with self.store.replacing():  # `_begin`, `_write`: readers keep their view of the old entries meanwhile
            self._begin(record, old)
            return self._write(entries, record, resumed)

    def processor(self) -> FileProcessor:
        """The models-only part; built after `plan` has settled which models run."""
        return FileProcessor(self.config, self.text, self.asr, self.clip,
                             on_stage=lambda stage: self.progress(replace(self.at, kind="stage", stage=stage)),
                             ocr=self.ocr)

    def _index_photo(self, path: str, video_id: str, st, old) -> FileResult:
        """A photo: processed first (a bad image fails before the index is touched), then written."""
        from momentsearch.media import image_mime
        from momentsearch.pipeline.photos import process_photo

        entries = process_photo(self.processor(), path, video_id)
        record = FileRecord(path=path, video_id=video_id, size=st.st_size, mtime=st.st_mtime, kind="photo",
                            models=dict(self.report.models), device=st.st_dev, inode=st.st_ino,
                            mime=image_mime(path))
        return self._replace(entries, record, old)

    def write_entries(self, entries: FileEntries, size: int, mtime: float, mime: str = "",
                      resumed: str = "") -> FileResult:
        """Writes entries processed elsewhere (a Ray worker) with the per-file state `index_file` keeps:
        record in as incomplete, the file's old entries out, new entries in, record complete.
        `size` and `mtime` are the file's stat when the worker hashed it; device and inode are
        recorded when this machine sees the same file. `resumed`: what a killed run's kept work gave the worker.
        The file's kept work (in `partial_dir`) goes once its entries are in."""
        old = self.store.get_file(entries.path)
        record = FileRecord(path=absolute_path(entries.path), video_id=entries.video_id, size=size, mtime=mtime,
                            duration=entries.duration, models=dict(self.report.models), mime=mime)
        try:
            st = os.stat(record.path)
            if (st.st_size, st.st_mtime) == (size, mtime):
                record.device, record.inode = st.st_dev, st.st_ino
        except OSError:
            pass
        result = self._replace(entries, record, old, resumed)
        if self.partial_dir is not None:
            forget(self.partial_dir, [entries.video_id])
        return result

    def _write(self, entries: FileEntries, record: FileRecord, resumed: str = "") -> FileResult:
        """Writes a file's entries, then marks its record complete. `resumed`: what a killed run's kept work gave
        it (PartialState.resumed_note), added to its note."""
        t0 = time.perf_counter()
        for name, rows in entries.rows.items():
            self.store.upsert(name, rows.ids, rows.vectors, rows.metadatas, rows.documents)
        record.duration, record.kind, record.channels = entries.duration, entries.kind, entries.channels
        record.visual_segments, record.sections = entries.visual_segments, entries.sections
        record.sources, record.language = entries.sources, entries.language
        record.version, record.options = __version__, options_fingerprint(self.config, entries.kind == "photo")
        record.complete = True
        self.store.put_file(record)
        shared = copies_note(follow_copies(self.store, record))  # copies share the entries: their records follow
        entries.times.add("store", time.perf_counter() - t0)
        for stage, seconds in entries.times.seconds.items():
            self.report.times.add(stage, seconds)
        # the record keeps the stat from before the file was read: a file still being written is indexed again
        changed = CHANGED_WHILE_INDEXED if changed_while_indexed(record.path, record.size, record.mtime) else ""
        notes = (entries.note, resumed, shared, changed)
        return FileResult(entries.path, "indexed", "; ".join(n for n in notes if n),
                          video_id=entries.video_id, duration=entries.duration, channels=entries.channels)
