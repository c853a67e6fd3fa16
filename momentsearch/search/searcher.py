"""Query time: score a text (or image) query on every channel, fuse per segment, build moments."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from momentsearch.errors import IndexMismatchError, ModelUnavailableError, QueryError
from momentsearch.options import MAX_RESULTS, RankingOptions
from momentsearch.ranking.fusion import ChannelHits, calibrate_dense
from momentsearch.ranking.fuzzy import sound_alike_marked
from momentsearch.ranking.reviews import asks_review
from momentsearch.ranking.joint import rank
from momentsearch.ranking.late import TokenVectors, late_scores
from momentsearch.ranking.forms import query_forms
from momentsearch.ranking.lexical import best_of
from momentsearch.ranking.slide_lexical import title_line
from momentsearch.ranking.structure import content_words, intents, without_position
from momentsearch.search.context import SectionContext
from momentsearch.search.corpus import Corpus, corpus_notes, files_arrived, reload_corpus
from momentsearch.search.exact import IndexVectors
from momentsearch.search.image_text import unanswerable
from momentsearch.search.lectures import searched_in_lecture
from momentsearch.search.narrow import PLACE_ONLY, Narrowing, VideoRows, place_of, place_only
from momentsearch.search.pieces import PieceCache
from momentsearch.search.query import clean_query, left_out_words, parse_query
from momentsearch.search.results import build_moments, channels_of
from momentsearch.search.spelling import Spelling
from momentsearch.search.twins import TwinFinder, fold
from momentsearch.search.scope import ScopeVectors, as_named, scope_paths
from momentsearch.store.store import Hit, Store, new_index
from momentsearch.types import FileRecord, Moment

CORPUS_RECHECK_SECONDS = 1.0  # another process's commits show up within this; our own writes at once


class Searcher:
    """Searches one store. Models are passed in (and loaded lazily by their wrappers)."""

    def __init__(self, store: Store, text_embedder, clip=None, options: RankingOptions | None = None,
                 cache_dir: str | None = None, read_image_text=None) -> None:
        """`cache_dir`: where to keep the transcript rows + BM25 between processes (corpus_cache); None reads them
        from the store in each process. `read_image_text(image)`: a query image's words (None: CLIP alone)."""
        self.read_image_text = read_image_text
        self.store = store
        self.cache_dir = cache_dir
        self.text = text_embedder
        self.clip = clip
        self.options = options or RankingOptions()
        self._corpus: Corpus | None = None
        self._checked_at = -1e9  # time.monotonic() of the last look at the store's counts
        self._seen_writes = -1  # store.writes when the cache was last checked
        self._clip_error: str | None = None  # None: not tried yet; "": loaded
        self._text_checked = False  # the transcript collection's model id matched ours once
        self._video_rows: VideoRows | None = None  # each video's rows in the current corpus (scopes, phrases)
        self._vectors = IndexVectors(store)  # exact search on a small local index, whatever the front door
        self._scope_vectors = ScopeVectors(self._vectors)  # vectors of recently searched scopes
        self._pieces: PieceCache | None = None  # chunks' word-piece vectors, by text (kept across index runs)
        self._sections: SectionContext | None = None  # section vectors of the current corpus
        self._twins = TwinFinder(cache_dir)  # files of one recording shifted (search/twins.py), folded into one result

    # -- cached corpus -------------------------------------------------------------------------
    def corpus(self, recheck: bool = False) -> Corpus:
        # The writer draws the index's generation anew on every commit (Store.commit). Reading it costs
        # about a millisecond, so it is read at most every CORPUS_RECHECK_SECONDS (or when asked: `recheck`), and
        # at once after a write through this process's own Store; a changed generation reloads the corpus.
        now, writes = time.monotonic(), getattr(self.store, "writes", 0)
        if (self._corpus is not None and writes == self._seen_writes and not recheck
                and now - self._checked_at < CORPUS_RECHECK_SECONDS):
            return self._corpus
        generation = (self.store.generation(),)  # (a check that raised, the folder gone, is no check: asked again)
        self._checked_at, self._seen_writes = now, writes
        if (self._corpus is not None and self._corpus.generation == generation
                and not files_arrived(self._corpus, self.store, self.cache_dir)):
            return self._corpus
        self._corpus, look_again = reload_corpus(self.store, self._corpus, generation, self.cache_dir)
        self._checked_at = -1e9 if look_again else self._checked_at  # a file being replaced: look again next call
        return self._corpus

    def channels(self) -> set[str]:
        return set(self.corpus().channels)

    # -- channels ------------------------------------------------------------------------------
    def _dense_hits(self, name: str, collection: str, vector: np.ndarray, files,
                    kind: str | None = None, narrow: Narrowing | None = None,
                    pieces: TokenVectors | None = None) -> ChannelHits:
        """Hits of one dense channel, calibrated per query; `kind` keeps only entries of that kind. A small scope
        (`narrow.exact`) is scored exactly, not by the ANN index. `pieces`: late interaction (transcript; `_late`)."""
        lo, hi = self.options.calibration.get(name, [0.0, 1.0])
        if narrow is not None and narrow.exact:
            hits = narrow.dense(collection, vector, self.options.candidates, kind)
        else:  # ids + distances only (fast path); a transcript hit's exact times and text come from the corpus
            n = self.options.candidates * (4 if narrow is not None and narrow.scoped else 1)
            hits = [h for h in self._vectors.query(collection, vector, n, metadata=False)
                    if h.metadata.get("video_id") in files and kind in (None, h.metadata.get("kind"))]
        if collection == "transcript" or kind == "chunk":
            corpus = self.corpus()
            rows = corpus.chunk_rows()  # a hit the corpus lacks is of another index state (a re-index meanwhile)
            hits = [h for h in hits if h.id in rows]
            for h in hits:
                h.metadata, h.document = corpus.chunk_meta[rows[h.id]], corpus.chunk_text[rows[h.id]]
        sims = np.array([h.similarity for h in hits])
        share = getattr(self.options, "section_share", 0.0)
        if share > 0 and collection == "transcript" and hits:
            sims = (1.0 - share) * sims + share * self._context().scores(hits, vector, sims)
        if pieces is not None and collection == "transcript" and hits:
            order = np.argsort(-sims, kind="stable")
            hits, sims = [hits[i] for i in order], sims[order]
            top = self.options.late_candidates  # the best cosines are re-scored; the rest keep theirs
            sims = np.concatenate([self._late(pieces, hits[:top], sims[:top]), sims[top:]])
            order = np.argsort(-sims, kind="stable")
            hits, sims = [hits[i] for i in order], sims[order]
        return _to_channel(name, hits, calibrate_dense(sims, lo, hi, self.options.spread.get(name)))

    def _context(self) -> SectionContext:
        """The section vectors of the current corpus (search/context.py), made as queries need them."""
        corpus = self.corpus()
        if self._sections is None or self._sections.corpus is not corpus:
            self._sections = SectionContext(self._vectors, corpus)
        return self._sections

    def _query_vectors(self, text: str) -> tuple[np.ndarray, TokenVectors | None]:
        """The query's sentence vector and its word pieces for late interaction (None when it is off or the
        encoder cannot give them), from one pass through the encoder where it gives both."""
        late = self.options.late_share > 0
        both = getattr(self.text, "embed_with_tokens", None)
        if late and both is not None:
            vectors, pieces = both([text])
            return vectors[0], pieces[0]
        tokens = getattr(self.text, "embed_tokens", None)
        return self.text.embed_texts([text])[0], (tokens([text])[0] if late and tokens is not None else None)

    def _late(self, query: TokenVectors, hits: list[Hit], sims: np.ndarray) -> np.ndarray:
        """Cosines blended with late interaction (ranking/late.py): `late_share` of the score is the word-piece
        MaxSim, mapped onto the cosine's scale by `late_scale`."""
        if self._pieces is None:  # kept on disk beside the index too (search/piece_files.py; not for a Chroma server)
            self._pieces = PieceCache(self.text.embed_tokens, self.cache_dir, getattr(self.text, "model_id", ""))
        texts = self._pieces.get(hits, self.corpus().files)
        scale, shift = self.options.late_scale
        late = scale * late_scores(query, texts, self.options.late_exact_cap) + shift
        share = self.options.late_share
        return (1.0 - share) * sims + share * late

    def _lexical_hits(self, query: str, corpus: Corpus, files=None, proposed: list[str] | None = None,
                      narrow: Narrowing | None = None) -> ChannelHits:
        """Exact words (BM25 candidates, idf-weighted coverage), or the same sounds heard wrong
        (ranking/fuzzy.py) in the exact candidates and the chunks `proposed` (ids) by the dense channel.
        `narrow` limits the exact candidates (a scope; the rows holding the query's phrases)."""
        files = corpus.files if files is None else files
        allowed = narrow.lexical_rows() if narrow is not None else None
        rows, scores = best_of([corpus.lexical.search(q, self.options.candidates, allowed, corpus.chunk_text,
                                                      self.options.stem_share)
                               for q in query_forms(query, corpus.lexical)])
        chunk_rows = corpus.chunk_rows()
        extra = [chunk_rows[i] for i in proposed or [] if i in chunk_rows]
        if corpus.lexical.unknown_terms(query):  # "Ebinghaus 1885": the chunks saying its number may say the name
            extra += corpus.lexical.number_rows(query, self.options.candidates).tolist()
        rows, scores, sounded = sound_alike_marked(query, rows, scores, extra, corpus.chunk_text,
                                                   self.options.fuzzy_weight)
        keep = [i for i, r in enumerate(rows) if corpus.chunk_meta[r].get("video_id") in files]
        hits = [Hit(corpus.chunk_ids[rows[i]], float(scores[i]), corpus.chunk_meta[rows[i]],
                    corpus.chunk_text[rows[i]]) for i in keep]
        return _to_channel("lexical", hits, scores[keep], sounded[keep].tolist())

    def _ocr_hits(self, query: str, vector: np.ndarray, corpus: Corpus, files,
                  narrow: Narrowing | None = None) -> ChannelHits:
        """Slide and photo text: per entry the better of its dense (MiniLM, calibrated like the
        transcript) and its size-weighted lexical score, so an exact title word and a paraphrase both count.
        A query word no slide shows ("Stokholm") lets sound-alike matching (ranking/fuzzy.py) score them too."""
        lo, hi = self.options.calibration.get("ocr", [0.0, 1.0])
        if narrow is not None and narrow.exact:
            dense = narrow.dense("ocr", vector, self.options.candidates)
        else:
            dense = [h for h in self._vectors.query("ocr", vector, self.options.candidates)
                     if h.metadata.get("video_id") in files]
        spread = getattr(self.options, "spread", {}).get("ocr")
        scores = calibrate_dense(np.array([h.similarity for h in dense]), lo, hi, spread)
        best: dict[str, tuple[float, Hit]] = {h.id: (float(sc), h) for h, sc in zip(dense, scores)}
        sounded: dict[str, bool] = {}  # entry id -> whether its best score is a sound-alike match
        if corpus.ocr_lexical is not None:
            allowed = narrow.ocr_rows() if narrow is not None else None
            rows, scores = best_of([corpus.ocr_lexical.search(q, self.options.candidates, allowed)
                                    for q in query_forms(query, corpus.ocr_lexical)])
            marks = np.zeros(len(rows), dtype=bool)
            if corpus.ocr_lexical.unknown_terms(query):  # typed or read wrong: "Stokholm", "Ebinghaus"
                proposed = [r for r in map(corpus.ocr_rows().get, best) if r is not None]
                proposed += corpus.ocr_lexical.number_rows(query, self.options.candidates).tolist()
                rows, scores, marks = sound_alike_marked(query, rows, scores, proposed, corpus.ocr_text,
                                                         self.options.fuzzy_weight)
            for r, score, by_sound in zip(rows, scores, marks):
                meta = corpus.ocr_meta[r]
                id_ = corpus.ocr_ids[r]
                if meta.get("video_id") in files and score > best.get(id_, (0.0, None))[0]:
                    best[id_] = (float(score), Hit(id_, float(score), meta, corpus.ocr_text[r]))
                    sounded[id_] = bool(by_sound)
        if not best:
            return ChannelHits.empty("ocr")
        chosen = sorted(best.values(), key=lambda x: -x[0])[: self.options.candidates]
        return _to_channel("ocr", [h for _, h in chosen], np.array([sc for sc, _ in chosen]),
                           [sounded.get(h.id, False) for _, h in chosen])

    def visual_available(self) -> bool:
        """CLIP can embed the query, and the index has keyframes. Missing weights leave it off."""
        if self.clip is None or "visual" not in self.corpus().channels:
            return False
        if self._clip_error is None:
            try:
                self.clip.load()
                self._clip_error = ""
            except ModelUnavailableError as exc:
                self._clip_error = str(exc)
        return not self._clip_error

    def _check_text_model(self) -> None:
        """Query vectors from another text model than the index's would rank garbage: refuse."""
        if self._text_checked:
            return
        built = self.store.metadata_of("transcript").get("model")
        if built not in (None, "none", self.text.model_id):
            raise IndexMismatchError(
                f"the index's transcript vectors were made with {built!r}, but this search uses {self.text.model_id!r}"
                "; search with the model the index was built with (option models.text_model), or re-index into "
                f"{new_index(self.store.db_dir)} with this one")
        self._text_checked = True

    @property
    def warnings(self) -> list[str]:
        """Why a channel the index has was not searched (e.g. CLIP weights missing here), or some of its files."""
        notes = [f"visual channel not searched: {self._clip_error}"] if self._clip_error else []
        return notes + corpus_notes(self.corpus, self.store.db_dir)

    # -- public --------------------------------------------------------------------------------
    def search(self, query: str, k: int = 10, kind: str | None = None, scope=None,
               everywhere: bool = False) -> list[Moment]:
        """Top-k moments (and photos) for a text query, best first. `kind`: "moment" or "photo" only. `scope`:
        files to search in (search/scope.py). "exact phrases" and -exclusions: search/query.py; requests, typos and
        a lecture named in it, searched in that file unless `everywhere` (what is ranked, and where): `spelled`."""
        parsed = parse_query(clean_query(query))
        k = _check_k(k)
        corpus = self.corpus()
        narrow = self._narrowing(corpus, parsed, _of_kind(corpus.files, kind), scope)
        spelling = self._spelling(parsed, corpus, narrow.files, everywhere)
        narrow = narrow.within(spelling.searched_in)
        files, text = narrow.files, spelling.text
        if not files:
            return []
        words = without_position(text)  # "at the end": a place, not words ("end" is said anywhere)
        hits = self._text_hits(words, corpus, narrow) if words else {}
        if self.visual_available():
            vector = self.clip.embed_texts([text])[0]
            hits["visual"] = self._dense_hits("visual", "keyframes", vector, files, narrow=narrow)
        if not asks_review(text):  # a recap, an outline, the closing summary: not where a topic is taught
            hits = self._rows(corpus).demote(hits, self.options.review_weight, self.options.summary_weight)
        accept = narrow.accepts if parsed.filters else None  # before suppression: see ranking.fusion.select
        wanted = intents(text)
        hits, only_place = place_only(text, wanted, hits, files, self.options.place_bonus,
                                      lambda words: self._text_hits(words, corpus, narrow))
        twins = self._twins.twins(corpus)
        wide = twins.widening(files)  # 1 where no file searched has a twin: ranked as before
        moments = self._moments(hits, narrow.rank_k(k * wide), corpus, wanted, accept, only_place, text)
        return narrow.named(fold(narrow.keep(moments, k * wide), twins, corpus)[:k])

    def spelled(self, query: str, scope=None, everywhere: bool = False) -> Spelling:
        """What `search` ranks for `query`: no request around it, typos put right (search/spelling.py), and the
        file a lecture it names stands for (search/lectures.py)."""
        parsed, corpus = parse_query(clean_query(query)), self.corpus()
        files = self._narrowing(corpus, parsed, corpus.files, scope).files
        return self._spelling(parsed, corpus, files, everywhere, left_out_words(query))

    def _spelling(self, parsed, corpus, files, everywhere: bool, left_out: int = 0) -> Spelling:
        rows = self._rows(corpus)
        return searched_in_lecture(parsed, corpus, {} if everywhere else files, rows.first_slide,
                                   self.options.spelling, left_out)

    def _text_hits(self, text: str, corpus: Corpus, narrow: Narrowing) -> dict[str, ChannelHits]:
        """The text channels' hits for `text`: transcript (dense), lexical, slide text."""
        hits: dict[str, ChannelHits] = {}
        if not corpus.channels & {"transcript", "ocr"}:
            return hits
        self._check_text_model()
        files = narrow.files
        text_vector, pieces = self._query_vectors(text)
        if "transcript" in corpus.channels:
            hits["transcript"] = self._dense_hits("transcript", "transcript", text_vector, files, narrow=narrow,
                                                  pieces=pieces)
            hits["lexical"] = self._lexical_hits(text, corpus, files, hits["transcript"].ids, narrow)
        if "ocr" in corpus.channels:
            hits["ocr"] = self._ocr_hits(text, text_vector, corpus, files, narrow)
        return hits

    def search_image(self, image, k: int = 10, kind: str | None = None, scope=None) -> list[Moment]:
        return self.image_query(image, k, kind, scope)[0]

    def image_query(self, image, k: int = 10, kind: str | None = None, scope=None) -> tuple[list[Moment], str]:
        """(top-k moments and photos, the words read on it) for an image: CLIP image -> keyframes, photos,
        transcript chunks (CLIP text vectors); its words (OCR) as a text query. Either alone answers."""
        k = _check_k(k)
        corpus = self.corpus()
        visual = self.visual_available()
        read = self.read_image_text is not None and bool(corpus.channels & {"transcript", "ocr"})
        words = self.read_image_text(image) if read else ""
        if not visual and not content_words(words):
            raise unanswerable(read, self.warnings, tuple(np.shape(image)[:2]), words)
        narrow = self._narrowing(corpus, parse_query("image"), _of_kind(corpus.files, kind), scope)
        hits = self._text_hits(words, corpus, narrow) if content_words(words) else {}
        for name in set(hits) & {"transcript", "lexical"}:  # words on a picture: where a slide showed them first
            hits[name] = replace(hits[name], scores=hits[name].scores * self.options.image_speech_share)
        if visual:
            vector = self.clip.embed_images([image])[0]
            hits["visual"] = self._dense_hits("visual", "keyframes", vector, narrow.files, narrow=narrow)
            if "transcript" in corpus.channels and self.store.has("unified"):
                # image -> speech: transcript chunks through their CLIP text vectors (the unified collection)
                hits["clip_text"] = self._dense_hits("clip_text", "unified", vector, narrow.files, kind="chunk",
                                                     narrow=narrow)
        twins = self._twins.twins(corpus)
        moments = self._moments(hits, k * twins.widening(narrow.files), corpus, query=words)
        return narrow.named(fold(moments, twins, corpus)[:k]), words

    def _rows(self, corpus) -> VideoRows:
        if self._video_rows is None or self._video_rows.corpus is not corpus:
            self._video_rows = VideoRows(corpus)  # a new corpus: rows and cached vectors are stale
            self._scope_vectors.clear()
            self._vectors.clear()
        return self._video_rows

    def slides_of(self, video_id: str) -> list[tuple[float, float, str]]:
        """A video's slide-text entries as (start, end, title), by start time."""
        corpus = self.corpus()
        metas = [corpus.ocr_meta[r] for r in self._rows(corpus).ocr.get(video_id, ())]
        return sorted((float(m["start"]), float(m["end"]), title_line(m)) for m in metas)

    def chunk_vectors(self, video_id: str, ids: list[str]) -> np.ndarray:
        """The text vectors of a video's transcript chunks `ids`, in that order (rows of zeros for missing ones)."""
        self._rows(self.corpus())
        found, vectors = self._scope_vectors.block("transcript", video_id, list(ids))
        row = {id_: i for i, id_ in enumerate(found)}
        out = np.zeros((len(ids), vectors.shape[1] if len(found) else 1), dtype=np.float32)
        for i, id_ in enumerate(ids):
            if id_ in row:
                out[i] = vectors[row[id_]]
        return out

    def _narrowing(self, corpus, parsed, files: dict[str, FileRecord], scope) -> Narrowing:
        """The scope (files matching `scope`, None for all) and the query's filters for one search."""
        self._rows(corpus)
        if scope is not None:
            if isinstance(scope, str):
                scope = [scope]
            wanted = scope_paths(corpus.files, scope, corpus.copies)
            files = {v: as_named(rec, wanted[v]) for v, rec in files.items() if v in wanted}
        return Narrowing(corpus, self._video_rows, parsed, files, scope is not None, self._scope_vectors)

    def _moments(self, hits: dict[str, ChannelHits], k: int, corpus: Corpus,
                 wanted: frozenset[str] = frozenset(), accept=None, only_place=None, query: str = "") -> list[Moment]:
        opts = self.options
        # only the videos with a hit: at 1,000 hours a dict over every file costs more than the query
        hit_files = {v: corpus.files[v] for h in hits.values() for v in h.video_ids.tolist() if v in corpus.files}
        if only_place:  # a query of place words alone: the videos in scope, whatever matched
            hit_files.update({v: rec for v, rec in only_place.items() if rec.kind != "photo" and rec.duration > 0})
        visual = {v: corpus.segments(v) for v in hit_files}
        durations = {v: rec.duration for v, rec in hit_files.items()}
        available = {v: channels_of(rec) for v, rec in hit_files.items()}
        place = place_of(wanted, hit_files, corpus, PLACE_ONLY if only_place else opts.place_bonus, self._rows(corpus))
        edges = {v: corpus.speech_edges(v) for v in hit_files}
        ranking = rank(hits, visual, durations, available, opts, k, place, accept, edges)
        return build_moments(ranking, hits, corpus, bool(only_place), query)


def _of_kind(files: dict[str, FileRecord], kind: str | None) -> dict[str, FileRecord]:
    """The files whose results are of `kind` ("photo": photo files; "moment": videos), all for None."""
    if kind is None:
        return files
    if kind not in ("moment", "photo"):
        raise QueryError(f"kind must be 'moment' or 'photo', got {kind!r}")
    want_photo = kind == "photo"
    return {v: rec for v, rec in files.items() if (rec.kind == "photo") == want_photo}


def _check_k(k: int) -> int:
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise QueryError(f"k must be a whole number >= 1, got {k!r}")
    if k > MAX_RESULTS:  # refused as the HTTP API refuses it: cut, a script asking for 500 never learnt it got 100
        raise QueryError(f"k must be at most {MAX_RESULTS} (a search returns at most {MAX_RESULTS} results), got {k}")
    return k


def _to_channel(name: str, hits: list[Hit], scores: np.ndarray, by_sound: list[bool] | None = None) -> ChannelHits:
    if not hits:
        return ChannelHits.empty(name)
    return ChannelHits(
        name=name, video_ids=np.array([h.metadata["video_id"] for h in hits], dtype=object),
        starts=np.array([float(h.metadata["start"]) for h in hits]),
        ends=np.array([float(h.metadata["end"]) for h in hits]), scores=np.asarray(scores, dtype=np.float64),
        evidence=[h.document or h.id for h in hits], ids=[h.id for h in hits], by_sound=list(by_sound or []))
