"""The corpus: what search keeps in memory from the store between queries.

The complete files' records, every transcript chunk (ids, metadata, text) with its BM25 index, and
the slide/photo text entries. Front doors read a video's speech through `speech_in` and
`chunks_of`, which use the chunks grouped by video (built once per corpus), never a full scan.
"""

from __future__ import annotations

import bisect
import os
import time
from dataclasses import dataclass, field

import numpy as np

from momentsearch.ranking.lexical import LexicalIndex, normalise, stem
from momentsearch.ranking.slide_lexical import SlideLexicalIndex, entry_text, parse_lines, term_weights
from momentsearch.search import cache as corpus_cache
from momentsearch.search.coverage import missing_channel_notes
from momentsearch.search.follow import Rows, followed_counts, followed_rows, read_mark
from momentsearch.search.spelling import Vocabulary, spelled_out
from momentsearch.store.changes import ChangeMark
from momentsearch.store.lock import writing_now
from momentsearch.store.relocate import relocated_files
from momentsearch.store.store import Store
from momentsearch.types import FileRecord, TranscriptChunk


@dataclass
class _VideoChunks:
    """One video's transcript chunks, sorted by start time."""

    starts: list[float]
    chunks: list[TranscriptChunk]


PICTURE_TOLERANCE = 0.5  # seconds; a section edge this close to a visual segment's start is a picture change

WAITING_RECHECK_SECONDS = 10.0  # how often a reader looks again for a moved index's files that were not found


@dataclass
class Corpus:
    """A snapshot of the index for searching (reloaded by the searcher when the index changes)."""

    generation: tuple  # the index generation it was read at (Store.generation, new on every commit)
    files: dict[str, FileRecord]  # video id -> record of a complete file (one of the copies of a content)
    lexical: LexicalIndex
    chunk_ids: list[str]
    chunk_meta: list[dict]
    chunk_text: list[str]
    channels: set[str] = field(default_factory=set)
    ocr_ids: list[str] = field(default_factory=list)  # slide / photo text entries ("ocr" collection)
    ocr_meta: list[dict] = field(default_factory=list)
    ocr_text: list[str] = field(default_factory=list)
    ocr_lexical: SlideLexicalIndex | None = None
    copies: dict[str, list[str]] = field(default_factory=dict)  # video id -> every complete file's path
    unfinished: list[str] = field(default_factory=list)  # paths of files begun but not finished (not searched)
    waiting: int = 0  # files of a moved index found neither where indexed nor at their new place (files_arrived)
    looked_at: float = field(default_factory=time.monotonic)  # when they were last looked for
    mark: ChangeMark | None = None  # the change mark its rows were read at (search/follow.py; None: unknown)
    key: str = ""  # search/cache.corpus_key of its generation and files: its files in the search cache are named by it
    _chunk_rows: dict[str, int] | None = None
    _ocr_rows: dict[str, int] | None = None
    _by_video: dict[str, _VideoChunks] | None = None
    _segments: dict[str, np.ndarray] = field(default_factory=dict)
    _speech_edges: dict[str, list[float]] = field(default_factory=dict)
    _vocabulary: Vocabulary | None = None
    _acronyms: dict[str, str | None] = field(default_factory=dict)

    def segments(self, video_id: str) -> np.ndarray:
        """A video's sections (slide and topic changes; its visual segments in an index made before
        sections existed) as an (n, 2) float array of [start, end), converted once."""
        arr = self._segments.get(video_id)
        if arr is None:
            rec = self.files.get(video_id)
            spans = (rec.sections or rec.visual_segments) if rec else []
            arr = np.asarray(spans, dtype=np.float64).reshape(-1, 2)
            self._segments[video_id] = arr
        return arr

    def speech_edges(self, video_id: str) -> list[float]:
        """Where a video's sections meet although its picture does not change there: the topic changes
        found in speech alone (section edges that are no visual segment's start)."""
        edges = self._speech_edges.get(video_id)
        if edges is None:
            rec = self.files.get(video_id)
            starts = np.asarray([s for s, _ in rec.sections[1:]] if rec else [], dtype=np.float64)
            pictures = np.asarray([s for s, _ in rec.visual_segments] if rec else [], dtype=np.float64)
            if pictures.size:
                starts = starts[np.abs(starts[:, None] - pictures[None, :]).min(axis=1) > PICTURE_TOLERANCE]
            edges = self._speech_edges[video_id] = starts.tolist()  # computed once per video, as segments
        return edges

    def unfinished_note(self, db_dir=None) -> str:
        """Why some files of the index are not searched: their indexing began and did not finish (a run that
        was stopped, or one still going); "" when there are none. `db_dir`: the index's folder, where a run
        still writing is seen (its files are that run's to finish: running `index` again would wait for it)."""
        if not self.unfinished:
            return ""
        names = ", ".join(os.path.basename(p) for p in self.unfinished[:3])
        more = f" and {len(self.unfinished) - 3} more" if len(self.unfinished) > 3 else ""
        if db_dir is not None and (writer := writing_now(db_dir)):
            return f"files not searchable yet, being indexed now by {writer}: {names}{more}"
        gone = sum(not os.path.exists(p) for p in self.unfinished)  # killed mid-file, then deleted
        why = "a run was stopped" if db_dir is not None else "a run was stopped or is still going"  # a Chroma server's
        return (f"files not searched, their indexing unfinished ({why}): {names}{more}; "
                "running `momentsearch index` on them again finishes them"
                + (f" ({gone} of them no longer there: `momentsearch prune` drops those)" if gone else ""))

    def english(self) -> bool:
        """Whether any indexed file's speech is English (or of no recorded language: an older index)."""
        return not self.files or any((rec.language or "en").startswith("en") for rec in self.files.values())

    def vocabulary(self) -> Vocabulary:
        """The words of every transcript chunk and slide text, for putting a query's typos right (built once)."""
        if self._vocabulary is None:
            self._vocabulary = Vocabulary([*self.chunk_text, *self.ocr_text])
        return self._vocabulary

    def spelled_out(self, acronym: str) -> str | None:
        """The phrase an acronym typed in capitals stands for in this index (`spelling.spelled_out`), found once."""
        if acronym not in self._acronyms:
            self._acronyms[acronym] = spelled_out(acronym, self.ocr_text, self.chunk_text)
        return self._acronyms[acronym]

    def unknown_terms(self, text: str) -> set[str]:
        """The query's stemmed terms that neither the speech nor the slide text holds in any form."""
        unknown = set(self.lexical.unknown_terms(text))
        if self.ocr_lexical is not None:
            unknown &= set(self.ocr_lexical.unknown_terms(text))
        return unknown

    def together(self, word: str, others: list[str]) -> int:
        """How many transcript chunks and slide texts hold `word` and at least one of the terms `others`."""
        term, count = stem(normalise(word)), 0
        for index in (self.lexical, self.ocr_lexical.lexical if self.ocr_lexical is not None else None):
            mine = index.rows_of(term) if index is not None else []
            if len(mine) and others:
                count += int(np.isin(mine, np.concatenate([index.rows_of(o) for o in others])).sum())
        return count

    def chunk_rows(self) -> dict[str, int]:
        """Transcript entry id -> row in chunk_ids / chunk_meta / chunk_text (built on first use)."""
        if self._chunk_rows is None:
            self._chunk_rows = {id_: i for i, id_ in enumerate(self.chunk_ids)}
        return self._chunk_rows

    def ocr_rows(self) -> dict[str, int]:
        """Slide / photo text entry id -> row in ocr_ids / ocr_meta / ocr_text (built on first use)."""
        if self._ocr_rows is None:
            self._ocr_rows = {id_: i for i, id_ in enumerate(self.ocr_ids)}
        return self._ocr_rows

    def chunks_of(self, video_id: str) -> list[TranscriptChunk]:
        """Every transcript chunk of a video, by start time ([] for an unknown video)."""
        group = self._grouped().get(video_id)
        return list(group.chunks) if group else []

    def speech_in(self, video_id: str, start: float, end: float) -> list[TranscriptChunk]:
        """The transcript chunks of a video that overlap [start, end) seconds, by start time."""
        group = self._grouped().get(video_id)
        if group is None:
            return []
        stop = bisect.bisect_left(group.starts, end)  # chunks starting at or after `end` do not overlap
        return [c for c in group.chunks[:stop] if c.end > start]

    def _grouped(self) -> dict[str, _VideoChunks]:
        """The chunks grouped by video, built once on first use (one pass over the rows)."""
        if self._by_video is None:
            groups: dict[str, list[TranscriptChunk]] = {}
            for id_, meta, text in zip(self.chunk_ids, self.chunk_meta, self.chunk_text):
                chunk = TranscriptChunk(id_, meta.get("video_id", ""), float(meta["start"]), float(meta["end"]), text,
                                        meta.get("words") or "")
                groups.setdefault(chunk.video_id, []).append(chunk)
            by_video = {}
            for video_id, chunks in groups.items():
                chunks.sort(key=lambda c: (c.start, c.end))
                by_video[video_id] = _VideoChunks([c.start for c in chunks], chunks)
            self._by_video = by_video  # assigned whole: a concurrent reader sees None or the full map
        return self._by_video


def shown_copy(records: list[FileRecord]) -> FileRecord:
    """The record that results name for a content held by several file records (a copy, a renamed or
    moved file): the first one whose file is there, else the first. `records` come in the order they were first
    written (the store reads them by insertion), so a copy made later never takes the original's place, and every
    search names the same one. The old name of a renamed file is passed over while the recording is on disk under
    its new name: it would otherwise be shown and opened though it is gone."""
    if len(records) > 1:  # one stat per copy, only where there are copies
        for rec in records:
            if os.path.isfile(rec.path):
                return rec
    return records[0]


def other_copies(corpus: Corpus, shown: FileRecord) -> list[str]:
    """The paths of the copies of `shown`'s content other than its own that are on disk, in the order indexed
    (a result lists them: the same recording is also there)."""
    paths = corpus.copies.get(shown.video_id, [])
    return [p for p in paths if p != shown.path and os.path.isfile(p)] if len(paths) > 1 else []


def load_corpus(store: Store, generation: tuple, cache_dir: str | None, kept: Corpus | None = None) -> Corpus:
    """Read the corpus from the store (transcript rows + BM25 from the disk cache when it is current). An index
    read elsewhere than where it was made names the files found at their new place (store/relocate.py). `kept`:
    the reader's corpus of an earlier state, whose rows are kept but for those of the files changed since, where
    the store's change log says which (search/follow.py); the corpus is the one a whole read gives."""
    mark, changed = read_mark(store, kept.mark if kept is not None else None)
    follow = kept if changed is not None else None
    records, moved = relocated_files(store, cache_dir)
    complete = [rec for rec in records if rec.complete]
    by_content: dict[str, list[FileRecord]] = {}
    for rec in complete:  # two copies of one recording share a video id; `--in` may name either
        by_content.setdefault(rec.video_id, []).append(rec)
    files = {video_id: shown_copy(recs) for video_id, recs in by_content.items()}
    copies = {video_id: [rec.path for rec in recs] for video_id, recs in by_content.items()}
    key = corpus_cache.corpus_key(generation, files.values())
    rows, lexical, cached = _speech_rows(store, follow, changed, key, cache_dir)
    if cached and mark is not None and mark.generation != generation[0]:
        mark = None  # the cached rows are of `generation`, not of the index's state now: of no known mark
    channels = {c for rec in files.values() for c in rec.channels}
    unfinished = sorted({rec.path for rec in records if not rec.complete and rec.video_id not in files})
    corpus = Corpus(generation, files, lexical, rows.ids, rows.metas, rows.texts, channels, copies=copies,
                    unfinished=unfinished, waiting=moved.missing - moved.found if moved else 0, mark=mark,
                    key=key)
    if "ocr" in channels:
        slides, corpus.ocr_lexical = _slide_rows(store, follow, changed)
        corpus.ocr_ids, corpus.ocr_text, corpus.ocr_meta = slides.ids, slides.texts, slides.metas
    return corpus


def _speech_rows(store: Store, kept: Corpus | None, changed: set[str] | None, key: str,
                 cache_dir: str | None) -> tuple[Rows, LexicalIndex, bool]:
    """The transcript rows and their BM25 index: `kept`'s followed by the files `changed`, else from the disk cache
    at `key` (then True), else read whole (and cached)."""
    if kept is not None and changed is not None:
        got = followed_rows(store, "transcript", Rows(kept.chunk_ids, kept.chunk_text, kept.chunk_meta), changed)
        if got is not None:
            rows, keep = got
            if len(keep) == len(rows.ids) == len(kept.chunk_ids):
                return rows, kept.lexical, False  # none of its rows changed (only a file record, or slide text)
            counts = followed_counts(kept.lexical, kept.chunk_text, keep, rows.texts[len(keep):])
            return rows, LexicalIndex(rows.texts, counts), False
    cached = corpus_cache.load(cache_dir, key) if cache_dir else None
    if cached is not None:
        ids, texts, metas, lexical = cached
        return Rows(ids, texts, metas), lexical, True
    rows = Rows([], [], [])
    for id_, doc, meta in store.iter_all("transcript"):
        rows.ids.append(id_)
        rows.texts.append(doc or "")
        rows.metas.append(meta)
    lexical = LexicalIndex(rows.texts)
    if cache_dir:
        corpus_cache.save(cache_dir, key, rows.ids, rows.texts, rows.metas, lexical)
    return rows, lexical, False


def _slide_rows(store: Store, kept: Corpus | None, changed: set[str] | None) -> tuple[Rows, SlideLexicalIndex]:
    """The slide / photo text rows and their lexical index: `kept`'s followed by the files `changed`, else read
    whole."""
    if kept is not None and changed is not None:
        got = followed_rows(store, "ocr", Rows(kept.ocr_ids, kept.ocr_text, kept.ocr_meta), changed)
        if got is not None:
            rows, keep = got
            old = kept.ocr_lexical or SlideLexicalIndex([])  # none: the kept corpus had no slide text
            added = [parse_lines(m.get("lines")) for m in rows.metas[len(keep):]]
            texts = [entry_text(e) for e in old.entries]  # counted again only where its counts are not kept
            counts = followed_counts(old.lexical, texts, keep, [entry_text(e) for e in added])
            return rows, SlideLexicalIndex([old.entries[i] for i in keep] + added,
                                           [old.term_weight[i] for i in keep] + list(map(term_weights, added)), counts)
    rows = Rows([], [], [])
    for id_, doc, meta in store.iter_all("ocr"):
        rows.ids.append(id_)
        rows.texts.append(doc or "")
        rows.metas.append(meta)
    return rows, SlideLexicalIndex([parse_lines(m.get("lines")) for m in rows.metas])


def files_arrived(corpus: Corpus, store: Store, cache_dir: str | None) -> bool:
    """Whether files of a moved index that `corpus` waits for (not found when it was read: a stick mounted, or a
    copy finished, after `serve` started) are found now; looked for at most every WAITING_RECHECK_SECONDS."""
    if not corpus.waiting or time.monotonic() - corpus.looked_at < WAITING_RECHECK_SECONDS:
        return False
    corpus.looked_at = time.monotonic()
    _, moved = relocated_files(store, cache_dir)
    return moved is not None and moved.missing - moved.found < corpus.waiting


def reload_corpus(store: Store, kept: Corpus | None, generation: tuple, cache_dir: str | None) -> tuple[Corpus, bool]:
    """The corpus to search at `generation` (the store's, just read), and whether to look at the store again at the
    next call. `kept`: the reader's view so far. While a writer replaces a file's entries (store/replacing.py) the
    kept view stays, whole, so a recording being watched does not vanish for a moment; a corpus read while the index
    changed is not taken over a kept one while a replacement is going on, and is looked at again otherwise."""
    if kept is not None and store.replaced_elsewhere:
        return kept, True
    corpus = load_corpus(store, generation, cache_dir, kept)
    if (store.generation(),) == generation:
        return corpus, False
    return (kept if kept is not None and store.replaced_elsewhere else corpus), True


def unfinished_now(corpus_of, db_dir=None) -> str:
    """`Corpus.unfinished_note` of the index as it is now. `corpus_of(recheck)`: the reader's kept corpus, or
    (`recheck`) the one of the index's generation now. A kept view holds a file unfinished that a run has since
    finished: where no writer is found now, what the last one wrote before it let go is read first, else a run
    that ended well is said to have been stopped (and `index` to be run again for nothing)."""
    corpus = corpus_of(False)
    if corpus.unfinished and db_dir is not None and not writing_now(db_dir):
        corpus = corpus_of(True)
    return corpus.unfinished_note(db_dir)


def corpus_notes(corpus_of, db_dir=None) -> list[str]:
    """What a search says of the index as it is now: files begun and not finished (`unfinished_now`), and channels
    some files were indexed without (search/coverage.py)."""
    unfinished = unfinished_now(corpus_of, db_dir)
    return [unfinished] * bool(unfinished) + missing_channel_notes(list(corpus_of(False).files.values()))
