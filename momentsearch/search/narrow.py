"""One search's narrowing: a scope (some files) and the query's phrases and exclusions.

The searcher asks it, per channel, for the candidate hits of a small scope (scored exactly, see
search/scope.py) and for the rows the lexical channels may return (a phrase narrows them to the
rows that contain it, so its occurrences are always candidates); at the end it keeps the moments
whose own text passes the phrase and exclusion tests.
"""

from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np

from momentsearch.ranking.reviews import PREVIEW, REVIEW, SUMMARY, demote_reviews, review_spans
from momentsearch.ranking.slide_lexical import title_line
from momentsearch.ranking.lexical import query_terms
from momentsearch.ranking.structure import (AFTER, BEFORE, BREAK, BREAK_SAID, EXERCISE, QUESTIONS, Place,
                                             beside_regions, content_words, named_lecture, said_regions,
                                             without_position)
from momentsearch.search.query import ParsedQuery, normalise_text, span_text
from momentsearch.search.scope import EXACT_SCOPE_ROWS, ScopeVectors, rows_by_video, visual_ids
from momentsearch.store.ids import entry_fields
from momentsearch.store.store import Hit
from momentsearch.types import FileRecord

WIDEN = 4  # with filters, rank this many times k moments (plus 20) before filtering them


class VideoRows:
    """Each video's transcript and slide-text rows in a corpus, grouped on first use (a plain
    unscoped search without filters never pays for it)."""

    def __init__(self, corpus) -> None:
        self.corpus = corpus
        self._transcript: dict[str, np.ndarray] | None = None
        self._ocr: dict[str, np.ndarray] | None = None
        self._reviews: dict[tuple[str, tuple[str, ...]], np.ndarray] = {}
        self._titles: dict[str, list[tuple[float, float, str]]] = {}

    @property
    def transcript(self) -> dict[str, np.ndarray]:
        if self._transcript is None:
            self._transcript = rows_by_video(self.corpus.chunk_meta)
        return self._transcript

    @property
    def ocr(self) -> dict[str, np.ndarray]:
        if self._ocr is None:
            self._ocr = rows_by_video(self.corpus.ocr_meta)
        return self._ocr

    def reviews(self, videos, kinds: tuple[str, ...] = (REVIEW,)) -> dict[str, np.ndarray]:
        """Per video, the (n, 2) spans of `kinds` (ranking/reviews.py: a review of an earlier session, a
        list of what the lecture will teach, its closing summary), found once."""
        for video in set(videos):
            if (video, kinds) not in self._reviews:
                if video not in self._titles:  # each entry's title read once, whatever kinds are asked for
                    self._titles[video] = [(float(m["start"]), float(m["end"]), title_line(m))
                                           for m in (self.corpus.ocr_meta[r] for r in self.ocr.get(video, ()))]
                chunks = ((c.start, c.end, c.text) for c in self.corpus.chunks_of(video))
                self._reviews[video, kinds] = review_spans(self._titles[video], chunks, kinds)
        return {video: self._reviews[video, kinds] for video in videos}

    def first_slide(self, video: str) -> str:
        """The text of a video's first slide-text entry ("" when it has none): its title slide, which names it."""
        rows = self.ocr.get(video, ())
        return self.corpus.ocr_text[min(rows, key=lambda r: float(self.corpus.ocr_meta[r]["start"]))] if len(rows) \
            else ""

    def demote(self, hits: dict, review_weight: float, summary_weight: float) -> dict:
        """`hits` with those inside a review or a preview counted `review_weight`, inside the closing summary
        `summary_weight` (for a query that asks for none of them: `reviews.asks_review`)."""
        videos = {v for h in hits.values() for v in h.video_ids.tolist()}
        hits = demote_reviews(hits, self.reviews(videos, (REVIEW, PREVIEW)), review_weight)
        return demote_reviews(hits, self.reviews(videos, (SUMMARY,)), summary_weight)


class Narrowing:
    """What limits one search. `files` is the scope (video id -> record); `scoped` says whether the
    caller asked for a scope (else `files` is every file of the asked kind)."""

    def __init__(self, corpus, rows: VideoRows, query: ParsedQuery, files: dict[str, FileRecord],
                 scoped: bool, vectors: ScopeVectors) -> None:
        self.corpus = corpus
        self.rows = rows
        self.query = query
        self.files = files
        self.scoped = scoped
        self.vectors = vectors
        self._t_rows = self._o_rows = None
        if scoped:
            self._t_rows = _concat(rows.transcript, files)
            self._o_rows = _concat(rows.ocr, files)

    @property
    def exact(self) -> bool:
        """A scope small enough to score every entry of it exactly."""
        if not self.scoped:
            return False
        n_visual = sum(len(rec.visual_segments) or 1 for rec in self.files.values())
        return max(len(self._t_rows), len(self._o_rows), n_visual) <= EXACT_SCOPE_ROWS

    def within(self, path: str) -> Narrowing:
        """This narrowing limited to the indexed file at `path` (a lecture the query names); itself for ""."""
        chosen = {v: rec for v, rec in self.files.items() if path and rec.path == path}
        if not chosen:
            return self
        return Narrowing(self.corpus, self.rows, self.query, chosen, True, self.vectors)

    def rank_k(self, k: int) -> int:
        return min(1000, WIDEN * k + 20) if self.query.filters else k

    # -- candidates ---------------------------------------------------------------------------
    def dense(self, collection: str, vector: np.ndarray, n: int, kind: str | None = None) -> list[Hit]:
        """The top-n entries of the scope in `collection` by cosine similarity (exact scope only)."""
        corpus = self.corpus
        if collection == "keyframes" or (collection == "unified" and kind != "chunk"):
            wanted = {v: visual_ids(rec) for v, rec in self.files.items()}
        elif collection == "ocr":
            wanted = {v: [corpus.ocr_ids[r] for r in self.rows.ocr.get(v, ())] for v in self.files}
        else:  # transcript chunks (and their CLIP text vectors in "unified")
            wanted = {v: [corpus.chunk_ids[r] for r in self.rows.transcript.get(v, ())] for v in self.files}
        ids, sims = self.vectors.similarities(collection, wanted, vector)
        if len(ids) > n:
            top = np.argpartition(-sims, n - 1)[:n]
            ids, sims = [ids[i] for i in top], sims[top]
        hits = [Hit(id_, float(s), entry_fields(id_) or {}, "") for id_, s in zip(ids, sims)]
        if collection == "ocr":  # slide text and its metadata (weighted lines) come from the corpus
            row_of = {corpus.ocr_ids[r]: r for v in self.files for r in self.rows.ocr.get(v, ())}
            for h in hits:
                r = row_of[h.id]
                h.metadata, h.document = corpus.ocr_meta[r], corpus.ocr_text[r]
        return hits

    def lexical_rows(self) -> np.ndarray | None:
        """Transcript rows the lexical channel may return (None: all)."""
        return self._phrase_rows(self.corpus.lexical, self.corpus.chunk_text, self._t_rows)

    def ocr_rows(self) -> np.ndarray | None:
        """Slide-text rows the OCR lexical channel may return (None: all)."""
        lexical = getattr(self.corpus.ocr_lexical, "lexical", None)
        return self._phrase_rows(lexical, self.corpus.ocr_text, self._o_rows)

    def _phrase_rows(self, lexical, texts: list[str], scope_rows: np.ndarray | None) -> np.ndarray | None:
        if not self.query.phrases or lexical is None:
            return scope_rows
        rows = scope_rows
        for phrase in self.query.phrases:  # rows with every word of every phrase (in a form of it), from the postings
            found = [lexical.rows_with_all(form) for form in self.query.forms(phrase)]
            if any(have is None for have in found):
                continue
            have = functools.reduce(np.union1d, found)
            rows = have if rows is None else np.intersect1d(rows, have, assume_unique=True)
        if rows is None:  # phrases of stop words only: every row is a candidate
            rows = np.arange(len(texts))
        query = self.query
        keep = [r for r in rows.tolist() if all(query.holds(normalise_text(texts[r]), p) for p in query.phrases)]
        return np.asarray(keep, dtype=np.int64)

    # -- results -------------------------------------------------------------------------------
    def text_of(self, video_id: str, start: float, end: float) -> str:
        """The normalised speech and slide text inside a span of one video."""
        c = self.corpus
        rows = [(float(c.chunk_meta[r]["start"]), float(c.chunk_meta[r]["end"]), c.chunk_text[r])
                for r in self.rows.transcript.get(video_id, ())]
        rows += [(float(c.ocr_meta[r]["start"]), float(c.ocr_meta[r]["end"]), c.ocr_text[r])
                 for r in self.rows.ocr.get(video_id, ())]
        return span_text(rows, start, end)

    def accepts(self, video_id: str, start: float, end: float) -> bool:
        """Whether a span's text passes the query's phrase and exclusion tests (a photo: its text)."""
        rec = self.corpus.files.get(video_id)
        if rec is not None and rec.kind == "photo":
            start, end = 0.0, 1.0
        return self.query.accepts(self.text_of(video_id, start, end))

    def keep(self, moments: list, k: int) -> list:
        """The first k moments whose text passes the query's phrase and exclusion tests."""
        if not self.query.filters:
            return moments[:k]
        kept = [m for m in moments if self.accepts(m.video_id, m.start, m.end)]
        return kept[:k]

    def named(self, moments: list) -> list:
        """The moments under the paths the scope named: copies of one content share its entries and video
        id, and the corpus holds one of their records, which may be the copy the user did not name (then that
        one is among the moment's other copies, and the one named is not)."""
        return [replace(m, video=rec.path, copies=[p for p in [m.video, *m.copies] if p != rec.path])
                if (rec := self.files.get(m.video_id)) and rec.path != m.video else m for m in moments]


NAMED_SHARE = 0.8  # a video the lecture's name finds at least this share as much of as of the best one is named too


def place_only(text: str, wanted: frozenset[str], hits: dict, files: dict[str, FileRecord], place_bonus: float,
               hits_for) -> tuple[dict, dict[str, FileRecord] | None]:
    """(hits, the files whose place alone answers) for a query of place words ("the summary", "the
    introduction": every video in scope is a candidate, None when the query says more than a place). When the
    place words name the lecture ("the end of the memory lecture"), the files are the videos those words find
    best (`hits_for(words)`: channel hits), answered by place alone: the name is in the title slide, so as a
    query it found the opening."""
    if not wanted or place_bonus <= 0 or content_words(text):
        return hits, None
    if not (named := named_lecture(text)):
        return hits, files
    found: dict[str, float] = {}  # per video, how much of it the name finds (a lecture says its subject often)
    said: dict[str, float] = {}  # ... and how often it says the name as written ("week 5", not "next week ... 5")
    phrase, by_name = normalise_text(named), hits_for(named)
    for channel in by_name.values():
        for i, (video, score) in enumerate(zip(channel.video_ids.tolist(), channel.scores.tolist())):
            found[video] = found.get(video, 0.0) + float(score)
            if i < len(channel.evidence) and phrase in normalise_text(channel.evidence[i]):
                said[video] = said.get(video, 0.0) + 1.0
    found = said or found
    top = max(found.values(), default=0.0)
    chosen = {v: rec for v, rec in files.items() if top > 0 and found.get(v, 0.0) >= NAMED_SHARE * top}
    if not chosen:
        return hits, files
    place_words = without_position(named_lecture(text, remove=True))  # "the summary" of "the summary of the X lecture"
    if query_terms(place_words):
        return {name: _only(channel, chosen) for name, channel in hits_for(place_words).items()}, chosen
    # "the end of the X lecture": no word to search; the name's hits in them stay as spans to place, scoring nothing
    spans = {name: _only(h, chosen) for name, h in by_name.items()}
    return {name: replace(h, scores=h.scores * 0.0) for name, h in spans.items()}, chosen


PLACE_ONLY = 1.0  # the place score's weight when a query says nothing but a place ("the summary")


def place_of(wanted: frozenset[str], files: dict[str, FileRecord], corpus, bonus: float,
             rows: VideoRows) -> Place | None:
    """Where the query points in a lecture (None when it names no place), with each video's speech spans."""
    if not wanted or bonus <= 0:
        return None
    talks = {v: corpus.chunks_of(v) for v, rec in files.items() if "transcript" in rec.channels}
    speech = {v: np.array([(c.start, c.end) for c in chunks]).reshape(-1, 2) for v, chunks in talks.items()}
    asked = {v: said_regions(chunks, corpus.segments(v)) for v, chunks in talks.items()} if QUESTIONS in wanted else {}
    breaks = ({v: said_regions(chunks, corpus.segments(v), BREAK_SAID) for v, chunks in talks.items()}
              if wanted & {BREAK, EXERCISE} else {})
    reviews = rows.reviews(files) if REVIEW in wanted else {}
    beside = ({v: beside_regions(wanted, corpus.segments(v), rec.duration, speech.get(v), asked.get(v), breaks.get(v),
                                 reviews.get(v)) for v, rec in files.items()} if wanted & {AFTER, BEFORE} else {})
    return Place(wanted, bonus, speech, asked, breaks, beside, reviews)


def _only(hits, videos) -> object:
    """Channel hits of `videos` only."""
    keep = np.isin(hits.video_ids.astype(str), list(videos))
    return replace(hits, video_ids=hits.video_ids[keep], starts=hits.starts[keep], ends=hits.ends[keep],
                   scores=hits.scores[keep], evidence=[e for e, k in zip(hits.evidence, keep) if k] if hits.evidence
                   else [], ids=[i for i, k in zip(hits.ids, keep) if k] if hits.ids else [],
                   by_sound=[b for b, k in zip(hits.by_sound, keep) if k])


def _concat(groups: dict[str, np.ndarray], files) -> np.ndarray:
    parts = [groups[v] for v in files if v in groups]
    return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
