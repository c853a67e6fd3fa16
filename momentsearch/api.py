"""The Python API: `MomentIndex(db).index(paths)` and `.search(query, k) -> list[Moment]`.

The CLI and the HTTP server use this; notebooks and services can too. Models load lazily, once
per MomentIndex, and only when a call needs them.
"""

from __future__ import annotations

import os
from contextlib import nullcontext
from functools import cached_property
from pathlib import Path

from momentsearch.api_notes import WhyNothing
from momentsearch.api_remove import Removal
from momentsearch.in_use import InUse, reads
from momentsearch.options import Config, as_config
from momentsearch.search.cache import CACHE_DIRNAME, PLAYBACK_DIRNAME, search_cache_dir
from momentsearch.search.image_text import image_note, image_nothing_found_note, picture_note  # noqa: F401 (doors)
from momentsearch.search.query import SYNTAX_HELP, nothing_found_note, nothing_indexed_note  # noqa: F401 (cli/output)
from momentsearch.models.device import keep_hub_offline
from momentsearch.ranking.lexical import stem_forms  # noqa: F401 (the page marks a result's words by their stems)
from momentsearch.search.scope import Named, Scope, scope_patterns
from momentsearch.store.client import ChromaServer, default_db_dir, make_client
from momentsearch.store.relocate import relocated_files
from momentsearch.store.store import ENTRY_COLLECTIONS, Store
from momentsearch.types import FileRecord, IndexInfo, IndexReport, Moment, ProgressCallback, TranscriptChunk

QUERY_SYNTAX = SYNTAX_HELP  # what `search` accepts ("phrases", -word), for the front doors' help texts

keep_hub_offline()  # never reach for a model hub behind the user's back (unless MOMENTSEARCH_ALLOW_DOWNLOAD=1)
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


class MomentIndex(Removal, WhyNothing):
    """An index of videos and photos, on disk (`db`) or on a Chroma server (`chroma_url`). With neither given,
    $MOMENTSEARCH_CHROMA_URL names the server, else $MOMENTSEARCH_DB the folder, else ./momentsearch-db.
    `config`: a Config, an options file's path, or a dict of options ({"asr": {"model": "tiny.en"}})."""

    def __init__(self, db: str | os.PathLike | None = None, config: Config | str | os.PathLike | dict | None = None,
                 chroma_url: str | None = None, store: Store | None = None) -> None:
        self.config = as_config(config)  # a Config, an options file, or {"asr": {"model": "tiny.en"}}
        self.db = os.path.abspath(db or default_db_dir())  # absolute: a later os.chdir must not move the index
        if chroma_url is None and db is None and os.environ.get("MOMENTSEARCH_CHROMA_URL"):
            # a shared server named in the environment, unless a folder is given
            chroma_url = ChromaServer.from_env(os.environ["MOMENTSEARCH_CHROMA_URL"],
                                               named_by="$MOMENTSEARCH_CHROMA_URL")
        self.chroma_url = chroma_url  # a URL or a store.ChromaServer (token, TLS options)
        self._store = self._given_store = store
        # one-off readers (the CLI's search and info) may answer from a snapshot of a small local index
        # without chromadb (search/snapshot.py); a long-lived reader (the server) watches the live store
        self.use_snapshot = False
        self._reader = None
        self._creating = False  # only `index` may create a local index folder; the rest open an existing one
        self._in_use = InUse()  # the calls reading it now: close() lets them finish

    def close(self) -> None:
        """Let go of what this index has loaded (models, the searcher's rows and caches, its store client);
        a later call loads them again. `with MomentIndex(db) as index:` closes on the way out. Searches running
        in other threads finish first; calls made meanwhile wait, then open the index again."""
        with self._in_use.closing():
            for name in ("models", "search_clip", "search_text", "searcher", "_ocr"):  # the cached parts
                self.__dict__.pop(name, None)
            if self._store is not None and self._store is not self._given_store:
                self._store.close()  # its database files let go (a failed first `index` removes its folder)
            self._store, self._reader = self._given_store, None

    def __enter__(self) -> "MomentIndex":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- parts, built on first use -------------------------------------------------------------
    @property
    def store(self) -> Store:
        """The index's store. A local folder must already be a momentsearch index (IndexNotFoundError,
        nothing written, otherwise) unless `index` is creating it."""
        if self._store is None:
            local = None if self.chroma_url else self.db
            self._store = Store(make_client(local, self.chroma_url, create=self._creating), db_dir=local)
        return self._store

    @property
    def reader(self):
        """The store that search and info read: a valid snapshot when `use_snapshot` allows, else `store`."""
        if self._reader is None:
            self._reader = self._snapshot() or self.store
        return self._reader

    def _snapshot(self):
        if not self.use_snapshot or self.chroma_url or self._store is not None:
            return None
        from momentsearch.search import snapshot

        found = snapshot.load(self.db, self._search_cache)
        return found if found is not None else snapshot.save(self.db, self._search_cache, self.store)

    @cached_property
    def models(self):
        from momentsearch.models.build import Models

        return Models(self.config)

    @property
    def text_embedder(self):
        return self.models.text_embedder

    @property
    def clip(self):
        return self.models.clip

    @property
    def asr(self):
        return self.models.asr

    @cached_property
    def search_clip(self):
        """The CLIP model the index was built with (from its metadata), so queries land in its space."""
        if not self.reader.has("keyframes"):
            return None  # no visual entries to search: build no CLIP (and import no torch)
        return self.models.search_clip(self.reader.metadata_of("keyframes"))

    @cached_property
    def search_text(self):
        """The text model the index was built with when it is an offline one (all-MiniLM-L6-v2, all-mpnet-base-v2)
        and the configuration names none but the default, so an index made with either is searched without
        naming the model again; a model chosen in the configuration is used as chosen (mismatch: refused)."""
        return self._text_of(self.reader)

    def _text_of(self, store):
        from momentsearch.models.text import OFFLINE_MODELS, TextEmbedder
        from momentsearch.options import ModelOptions

        mine = self.text_embedder
        if mine.model_id != TextEmbedder(ModelOptions().text_model).model_id:
            return mine  # chosen, not the default
        built = store.metadata_of("transcript").get("model") if store.has("transcript") else None
        name = str(built or "").removeprefix("sentence-transformers:")
        if built and built != mine.model_id and name in OFFLINE_MODELS:
            return self.models.text_for(name)
        return mine

    @cached_property
    def searcher(self):
        from momentsearch.search.searcher import Searcher

        return Searcher(self.reader, self.search_text, self.search_clip, self.config.ranking, self._search_cache,
                        read_image_text=self._read_image_text if self.config.models.ocr else None)

    @cached_property
    def _ocr(self):  # slide OCR (None: off), built once: every `index` call and image query uses its engines
        from momentsearch.pipeline.ocr import make_ocr

        return make_ocr(self.config)

    def _read_image_text(self, image) -> str:
        """The words on a query image, read as slide text is at indexing (a search that gets no image
        imports no OCR)."""
        from momentsearch.pipeline.photo_read import photo_lines
        from momentsearch.search.image_text import query_text

        return query_text(photo_lines(self._ocr, image, self.config.ocr))

    @property
    def _cache_dir(self) -> str | None:
        """The cache folder inside a local index folder (none for a Chroma server)."""
        return None if self.chroma_url else str(Path(self.db) / CACHE_DIRNAME)

    @property
    def _search_cache(self) -> str | None:  # the searcher's: `_cache_dir`, or the user's for a read-only index
        return None if self.chroma_url else search_cache_dir(self.db)

    # -- operations ----------------------------------------------------------------------------
    def index(self, paths: list[Named] | Named, reindex: bool = False, progress: ProgressCallback | None = None,
              wait: float | None = 0.0, ray: str | None = None) -> IndexReport:
        """Index files and folders (a list of paths, or one path). Holds the folder's write lock (`wait`:
        seconds to queue behind another writer, None for ever; IndexBusyError when it is still busy).
        `ray`: process the video files on a Ray cluster ("local" starts one here; "auto", "HOST:6379"
        or "ray://HOST:10001" joins one; sizing from `config.distributed`). The report's `ray` then
        says how that went. Writing stays here, so the index is the same as without Ray.
        """
        from momentsearch.pipeline.discover import given_paths, only_missing
        from momentsearch.pipeline.indexer import Indexer, callback_errors
        from momentsearch.pipeline.partial import PARTIAL_DIRNAME
        from momentsearch.store.prune import migrate_relative_paths
        from momentsearch.store.relocate import note_index_folder

        paths = given_paths(paths)  # one path or a list; "" and None are errors, not the working folder
        if (typo := only_missing(paths)) is not None:  # no index folder made for a typo
            return typo
        partial_dir = None if self.chroma_url else Path(self.db) / PARTIAL_DIRNAME  # a killed run resumes from it
        with self.writing(wait, create=True, task="index"), callback_errors():  # `progress`'s own errors
            self.store.collection("files", model_id="none", dim=1)  # what marks a folder as an index
            migrate_relative_paths(self.store)  # records of older indexes hold paths as typed
            note_index_folder(self.store)  # where it is: a copy read at another path finds its files (relocate.py)
            # files added to an index go in with its text model when that is an offline one (as search does)
            # and with its CLIP when it was built with one and this run names none but the default
            text, clip = self._text_of(self.store), self.models.index_clip(self.store.metadata_of("keyframes"))
            indexer = Indexer(self.store, self.models.config_for(text, clip), text, self.asr, clip, progress,
                              ocr=self._ocr, partial_dir=partial_dir)
            if ray is None:
                return indexer.index([str(p) for p in paths], reindex=reindex)
            from momentsearch.pipeline.ray import RayIndexer

            return RayIndexer(indexer, address=ray).index([str(p) for p in paths], reindex=reindex)

    def writing(self, wait: float | None = 0.0, create: bool = False, task: str = "", reading: bool = False):
        """The write lock of a local index folder (none for a Chroma server, or a dry run, `reading`, of a read-only
        one). The folder must be writable (IndexWriteError); `create` makes it when missing (only `index`), else
        it must be an index (IndexNotFoundError). `task` names the writer to a second (store.lock.WriterLock)."""
        from momentsearch.search.cache import clearing_after
        from momentsearch.store.folder import (check_index, made_index, outermost_missing, prepare_writable,
                                               read_only, undone_if_empty)
        from momentsearch.store.lock import writer_lock

        if not (self.chroma_url or create):
            check_index(self.db)
        self._creating = self._creating or create  # (a Chroma server's database too: `index` makes it, as a folder)
        if self.chroma_url or (reading and read_only(self.db)):
            return nullcontext()
        made = outermost_missing(self.db) if create else None  # a first `index`: failing with nothing in, it goes
        prepare_writable(self.db, task)
        lock = clearing_after(writer_lock(self.db, timeout=wait, task=task), self._cache_dir, self.db)
        empty = lambda: not (self._store.files() if self._store is not None else made_index(self.db))  # noqa: E731
        return undone_if_empty(lock, made, empty, self.close) if made else lock

    @reads
    def search(self, query: str, k: int = 10, kind: str | None = None, video: Named | None = None,
               in_: Scope = None, everywhere: bool = False) -> list[Moment]:
        """Top-k moments for a text query. The query may hold "exact phrases" (must occur in the speech
        or slide text) and -words (must not). `video` (a path or video id) and `in_` (paths, folders,
        globs or video ids) limit the search to those files; a pattern matching no file is a QueryError.
        A lecture the query names ("recursion in week 3") that is one indexed file is searched alone (`spelled`
        says which), unless `everywhere`."""
        return self.searcher.search(query, k=k, kind=kind, scope=scope_patterns(video, in_), everywhere=everywhere)

    @reads
    def spelled(self, query: str, video: Named | None = None, in_: Scope = None, everywhere: bool = False):
        """What `search(query)` (with the same scope) ranks (search/spelling.py): `.text`, `.changes` [(typed,
        searched)], `.searched_in` (the path of the lecture the query names, or ""), `.note()`."""
        return self.searcher.spelled(query, scope_patterns(video, in_), everywhere)

    def search_image(self, image, k: int = 10, kind: str | None = None, video: Named | None = None,
                     in_: Scope = None) -> list[Moment]:
        """Top-k moments and photos for an image (a path, PIL image or RGB array): see `image_query`."""
        return self.image_query(image, k, kind, video, in_)[0]

    @reads
    def image_query(self, image, k: int = 10, kind: str | None = None, video: Named | None = None,
                    in_: Scope = None) -> tuple[list[Moment], str]:
        """`search_image`, and the words read on the image ("" when none or OCR is off): with no CLIP
        weights an image is searched by its words alone (a photo of a slide finds where it was shown)."""
        from momentsearch.query_image import load_query_image

        return self.searcher.image_query(load_query_image(image), k=k, kind=kind, scope=scope_patterns(video, in_))

    def match_labels(self, image, labels: list[str]) -> list[tuple[str, float]]:
        """Rank text descriptions for an image with CLIP (the configured model): [(label, probability)],
        best first, probabilities summing to 1. Needs CLIP weights (ModelUnavailableError otherwise)."""
        from momentsearch.errors import QueryError
        from momentsearch.query_image import load_query_image

        labels = [" ".join(str(x).split()) for x in labels]
        if not labels or not all(labels):
            raise QueryError("give at least one non-empty label, e.g. --labels \"Steel Fridge\" \"Wooden Chair\"")
        return self.clip.rank_labels(load_query_image(image), labels)

    # -- what front doors read (from the searcher's cached corpus) -----------------------------
    @reads
    def videos(self) -> list[FileRecord]:
        """The completely indexed videos and photos as FileRecords, by path: one per video id (copies of a
        recording share it; `info().files` lists every file)."""
        return sorted(self.searcher.corpus().files.values(), key=lambda r: r.path)

    @reads
    def video(self, video_id: str) -> FileRecord | None:
        """The FileRecord of a completely indexed file, or None."""
        return self.searcher.corpus().files.get(video_id)

    @reads
    def example_queries(self, n: int = 4) -> list[str]:
        """A few queries this index can answer (slide titles, then distinctive spoken words): the page's start."""
        from momentsearch.search.examples import example_queries
        corpus = self.searcher.corpus()  # one corpus for both (a write between two reads reloads it)
        return example_queries(list(corpus.ocr_text), list(corpus.chunk_text), n)

    @reads
    def channels(self) -> set[str]:
        """The channels the index holds ("transcript", "visual", "ocr")."""
        return self.searcher.channels()

    @reads
    def searchable_channels(self) -> set[str]:
        """The index's channels a search here uses: "visual" only when the CLIP weights load here."""
        channels = self.channels()
        return channels - {"visual"} if "visual" in channels and not self.searcher.visual_available() else channels

    @property
    def warnings(self) -> list[str]:
        """Why a channel the index holds is not searched here (e.g. CLIP weights missing)."""
        return self.searcher.warnings

    @reads
    def speech_in(self, video: str | os.PathLike, start: float, end: float) -> list[TranscriptChunk]:
        """A video's (id or path) transcript chunks overlapping [start, end) s, by start; QueryError if not indexed."""
        return self.searcher.corpus().speech_in(self._video_id(video), start, end)

    @reads
    def chunks_of(self, video: str | os.PathLike) -> list[TranscriptChunk]:
        """All transcript chunks of a video (video id or path), by start time; QueryError when not indexed."""
        return self.searcher.corpus().chunks_of(self._video_id(video))

    def _video_id(self, video: str | os.PathLike) -> str:
        known = isinstance(video, str) and video in self.searcher.corpus().files  # the server's checked ids
        return video if known else self.find_video(video).video_id

    @reads
    def find_video(self, video: str | os.PathLike, not_found: str | None = None) -> FileRecord:
        """The FileRecord of the one indexed file named by its path or video id, under the path named when
        that is a copy of its content; a QueryError naming `video` otherwise (`not_found`: what to do when
        nothing matches, see search.scope.one_video)."""
        from momentsearch.search.scope import NOT_INDEXED, one_video

        corpus = self.searcher.corpus()
        return one_video(corpus.files, os.fspath(video), corpus.copies, not_found or NOT_INDEXED)

    def playable_copy(self, source, record: FileRecord) -> Path | None:
        """What a web player must get to play the track the index transcribed: a copy of `record`'s file with
        that track first, made once into the index's cache folder, or None when the file plays it as it is
        or the index has no folder (a Chroma server). `source`: the file, open (see playback.playable_copy)."""
        from momentsearch.playback import playable_copy

        if not self._cache_dir:
            return None
        return playable_copy(source, record, Path(self._cache_dir) / PLAYBACK_DIRNAME,
                             lambda: {r.video_id for r in self.videos()})

    @reads
    def export_clip(self, video: str | os.PathLike, start: float, end: float, out: str | os.PathLike,
                    padding: float = 0.0, name: str | None = None, force: bool = False):
        """Cut [start - padding, end + padding] s of a video into `out` by stream copy (clips.cut_clip; an
        existing `out` is a QueryError unless `force`). `video` is a file (indexed or not), an indexed video
        id, or an open binary file object (`name`: what messages call it). A path is cut from as given when
        the file is there; an indexed one that is gone, or a video id, from a file of that content that is."""
        from momentsearch.clips import cut_clip
        from momentsearch.search.scope import existing_copy

        if hasattr(video, "read"):  # an open binary file (the server's checked descriptor)
            named = getattr(video, "name", None)  # (a descriptor opened with os.fdopen is named by its number)
            return cut_clip(video, start, end, out, padding, name or (named if isinstance(named, str) else None), force)
        path = os.fspath(video)
        if not os.path.isfile(path):
            rec = self.find_video(video, "no such file either: check the path")
            path = existing_copy(rec, self.searcher.corpus().copies)
        return cut_clip(path, start, end, out, padding, force=force)

    @reads
    def chapters(self, video: str | os.PathLike) -> list:
        """A video's table of contents (chapters.Chapter list): from its slide titles where OCR found
        slides, else from topic shifts in its speech. `video`: an indexed path or video id."""
        from momentsearch.chapters import make_chapters

        rec = self.find_video(video)
        chunks = self.chunks_of(rec.video_id)
        vectors = self.searcher.chunk_vectors(rec.video_id, [c.id for c in chunks])
        return make_chapters(self.searcher.slides_of(rec.video_id), [(c.start, c.end, c.text) for c in chunks],
                             vectors, rec.duration)

    @reads
    def warm_up(self) -> None:
        """Load what a search needs (text model, corpus, CLIP when the index has keyframes) now."""
        self.search_text.load()
        if self.searcher.corpus().files:
            self.search("warm up", k=1)

    @reads
    def info(self) -> IndexInfo:
        """What `momentsearch info` shows: every file's record (`files`, by path), channels, models, entry counts, a
        writer at work (`writing`), and `notes` (files another version or other options made)."""
        from momentsearch.pipeline.made_with import models_in
        from momentsearch.store.lock import writing_now
        # read elsewhere than made: the files at their new place
        files, moved = relocated_files(store := self.reader, self._search_cache)
        files.sort(key=lambda f: f.path)  # as videos() and /api/videos list them, whatever order they were indexed in
        models = models_in(files)  # each model that made some file's entries, not the last file's alone
        counts = {name: store.count(name) for name in ENTRY_COLLECTIONS}
        return IndexInfo(db=str(self.chroma_url or Path(self.db).resolve()), files=files, models=models, counts=counts,
                         channels=sorted({c for f in files for c in f.channels}),
                         notes=list(filter(None, [moved and moved.note()])) + self.notes(files),
                         writing=not self.chroma_url and writing_now(self.db) or "")

    @reads
    def notes(self, files: list[FileRecord] | None = None) -> list[str]:
        """Lines on files another momentsearch version made (an upgrade), each with the `--reindex` that redoes them."""
        from momentsearch.pipeline.settled import made_by_note
        note = made_by_note(self.reader.files() if files is None else files, db=None if self.chroma_url else self.db)
        return [note] if note else []

