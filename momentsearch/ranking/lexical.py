"""Lexical channel: BM25 (numpy, bm25s' formula) over transcript chunks, calibrated by idf-weighted query coverage.

BM25 scores are unbounded and depend on the corpus; for fusion each hit is instead scored by the
share of the query's information (idf-weighted terms) that the text contains, in [0, 1]. BM25 picks
the candidates and breaks ties. Exact matches of rare words (a product name, a year) score high
even when an embedding of the same text is vague.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from momentsearch.ranking.aliases import ALIAS_SHARE, GROUPS
from momentsearch.ranking.numbers import NUMBER_WORDS, QUANTITY_WORDS
from momentsearch.ranking.term_counts import TermCounts
# the word lists and `tokenize` moved to ranking/words.py; importers of this module keep finding them here
from momentsearch.ranking.words import (CONTRACTED_WORDS, FRAME_WORDS, FUNCTION_WORDS,  # noqa: F401
                                        HEDGE_WORDS, STOPWORDS, normalise, tokenize)
from momentsearch.ranking.words import split_words as _words


def normalise_text(text: str) -> str:
    """Lower-case words separated by single spaces, padded with a space on each side (so a phrase
    test `f" {phrase} " in text` matches whole words only)."""
    return " " + " ".join(_words(text)) + " "


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def camel_split(text: str) -> str:
    """`text` with each identifier written in camelCase also split into its words ("KeyError" ->
    "Key Error", "XMLHttpRequest" -> "XML Http Request"), as slide OCR stores them (it cannot tell
    an identifier from a title whose space it lost); a word with a one-letter piece ("eBay", "iPhone")
    stays whole. Returns `text` unchanged when nothing splits."""
    def split(m: re.Match) -> str:
        pieces = _CAMEL.split(m.group(0))
        return " ".join(pieces) if len(pieces) > 1 and all(len(p) >= 2 for p in pieces) else m.group(0)

    return re.sub(r"[^\W_]+", split, text)


_GLUED = re.compile(r"(?<=[^\W\d_])(?=\d)")  # letters then digits in one word: "ECON110", "SHA256"
_APART = re.compile(r"\b([^\W\d_]+)[ -](\d+)\b")  # a word, then a number: "ECON 110", "SHA-256"


def code_forms(text: str) -> list[str]:
    """`text` with its codes written the other ways people and slides write them: a word glued to its
    number split ("ECON110" -> "ECON 110"), a word and the number after it joined ("PSY 120", "SHA-256" ->
    "PSY120", "SHA256"). A decade or an ordinal ("1970s", "2nd") is left alone: digits come first there.
    Only the forms that differ from `text`; [] when there are none."""
    forms = [_GLUED.sub(" ", text), _APART.sub(r"\1\2", text)]
    return [f for f in dict.fromkeys(forms) if f != text]


def best_of(variants: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """(rows, scores) of several searches of one index merged: each row once, with its best score,
    best first."""
    if len(variants) == 1:
        return variants[0]
    best: dict[int, float] = {}
    for rows, scores in variants:
        for r, sc in zip(np.asarray(rows).tolist(), np.asarray(scores).tolist()):
            best[r] = max(sc, best.get(r, -np.inf))
    order = sorted(best, key=lambda r: -best[r])
    return np.asarray(order, dtype=np.int64), np.asarray([best[r] for r in order], dtype=np.float64)


@functools.lru_cache(maxsize=1 << 17)
def stem(word: str) -> str:
    """A normalised word's English stem (Snowball's Porter2: "counting", "counted" -> "count"), so a
    lecture term matches whatever ending the speaker or the recogniser gave it ("recycle" / "recycled").
    Numbers, number words (`number_only` must know them) and words of three letters or fewer stay."""
    if len(word) <= 3 or word.isdigit() or word in NUMBER_WORDS:
        return word
    return _stemmer().stemWord(word)


@functools.lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=1)
def _alias_table() -> dict[str, tuple[str, ...]]:
    table: dict[str, set[str]] = {}
    for group in GROUPS:
        terms = {stem(normalise(w)) for w in group}
        for term in terms:
            table.setdefault(term, set()).update(terms - {term})
    return {term: tuple(sorted(others)) for term, others in table.items()}


def aliases(term: str) -> tuple[str, ...]:
    """The other terms (stemmed, as `document_terms` makes them) that write `term`'s meaning
    (ranking/aliases.py): "chapter" -> ("ch", "chap"); () for a term with none."""
    return _alias_table().get(term, ())


def _is_number(word: str) -> bool:
    return word.isdigit() or word in NUMBER_WORDS


def query_aliases(query: str) -> dict[str, tuple[str, ...]]:
    """Each query term's other forms (`aliases`), but none for a number word or number that is part of a
    longer number ("eighteen eighty-five" is 1885, not 18, 80 and 5; "one hundred and twenty", "5 million")."""
    words = [w for w in _words(query) if w != "and"]
    part = {stem(normalise(w)) for i, w in enumerate(words) if _is_number(w)
            and any(_is_number(v) for v in words[max(i - 1, 0):i] + words[i + 1:i + 2])}
    return {t: () if t in part else aliases(t) for t in query_terms(query)}


def document_terms(text: str) -> list[str]:
    """The terms an indexed text holds (stemmed): every word but the function words (frame words stay,
    so a query that names one, "lecture 9", can match it)."""
    return [stem(normalise(w)) for w in _words(text) if w not in FUNCTION_WORDS]


_ASIDES = re.compile(r"\b(?:e\.\s?g|i\.\s?e)\b\.?|\betc\b\.?", re.IGNORECASE)  # "e.g.", "i.e.", "etc."


def query_terms(query: str) -> list[str]:
    """A query's distinct terms (stemmed, as `document_terms`): its content words, or, when it has no
    word but numbers (and frame words), its frame words too ("lecture 9", "part 2"). "e.g.", "i.e." and
    "etc." are left out (as "for example" is: its letters would match any "e" or "g")."""
    query = _ASIDES.sub(" ", query)
    terms = list(dict.fromkeys(stem(t) for t in tokenize(query)))
    if all(t.isdigit() or t in NUMBER_WORDS for t in terms):
        terms = list(dict.fromkeys(document_terms(query)))
    return terms


def stem_forms(query: str, texts: Sequence[str]) -> list[str]:
    """The words of `texts` (as the search splits them: lower case, accents folded) that hold a term of `query`
    (`query_terms`) in another form than the query's own words: what the page marks as matched ("glacier" in a
    result found for "glaciers", "run" for "running"), which comparing letters cannot tell. In order found."""
    terms = set(query_terms(query))
    own = set(_words(query))
    found: dict[str, None] = {}
    for text in texts:
        for word in _words(text):
            if word not in own and word not in found and word not in FUNCTION_WORDS and stem(normalise(word)) in terms:
                found[word] = None
    return list(found)


def number_only(terms: list[str], have: np.ndarray) -> np.ndarray:
    """Per text (columns of `have`, terms x texts, true where the text has the term): whether it
    matched nothing but numbers of a query that also has words. "9 minutes" is no match for
    "lecture 9"; a number counts beside a word of the query. "percent" counts as part of its number."""
    is_number = np.array([t.isdigit() or t in NUMBER_WORDS or t in QUANTITY_WORDS for t in terms], dtype=bool)
    if is_number.all() or not is_number.any():
        return np.zeros(have.shape[1], dtype=bool)
    return ~have[~is_number].any(axis=0)


def same_form(query: str, terms: list[str], texts: list[str]) -> np.ndarray:
    """(terms, texts), bool: true where the text holds a query term in one of the query's own word forms
    (after `normalise`: "roadmaps" is "roadmap"), or the term has no form of the query's words to compare
    (a frame word of a numbers-only query); false where only its stem ("calculated" for "calculator")."""
    forms: dict[str, set[str]] = {t: set() for t in terms}
    for word in tokenize(query):
        forms.setdefault(stem(word), set()).add(word)
    out = np.zeros((len(terms), len(texts)), dtype=bool)
    for j, text in enumerate(texts):
        words = {normalise(w) for w in _words(text)}
        for i, term in enumerate(terms):
            out[i, j] = bool(forms[term] & words) or not forms[term]
    return out


class LexicalIndex:
    """BM25 over a list of texts, built once in memory. Ids are the caller's row numbers."""

    def __init__(self, texts: list[str], counts: TermCounts | None = None) -> None:
        """`counts`: the texts' term counts, when the caller has them (a corpus following a commit keeps them: at
        40k+ chunks tokenizing and counting are most of the build)."""
        self.size = len(texts)
        if counts is None:
            counts = TermCounts.of([document_terms(t) for t in texts])
        self.counts: TermCounts | None = counts  # None in an index read from disk (`load`)
        self._df = counts.df()
        self._bm25 = BM25Scores.of_counts(*counts.pairs()) if texts else None

    def save(self, directory: str | Path) -> None:
        """Write the index to `directory` (arrays as .npy + JSON, bm25s' layout; no pickle)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "lexical.json").write_text(json.dumps({"size": self.size, "df": self._df}), encoding="utf-8")
        if self._bm25 is not None:
            self._bm25.save(directory / "bm25")

    @classmethod
    def load(cls, directory: str | Path) -> "LexicalIndex":
        """An index written by `save` (OSError / ValueError when it is missing or damaged)."""
        directory = Path(directory)
        state = json.loads((directory / "lexical.json").read_text(encoding="utf-8"))
        index = cls.__new__(cls)
        index.size, index._df, index._bm25, index.counts = int(state["size"]), dict(state["df"]), None, None
        if index.size:
            index._bm25 = BM25Scores.load(directory / "bm25")
        return index

    def _term_scores(self, term: str) -> np.ndarray:
        """BM25 score of every text for one term (zeros for a term no text has)."""
        if term not in self._df:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores([term]), dtype=np.float32)

    def rows_of(self, term: str) -> np.ndarray:
        """The texts (rows) that hold `term` (a stemmed term, as `document_terms` makes them)."""
        t = self._bm25.vocab.get(term) if self._bm25 is not None else None
        if t is None:
            return np.zeros(0, dtype=np.int32)
        return self._bm25.indices[int(self._bm25.indptr[t]):int(self._bm25.indptr[t + 1])]

    def idf(self, term: str) -> float:
        return float(np.log(1.0 + (self.size + 1) / (self._df.get(term, 0) + 0.5)))

    def term_weight(self, term: str, others: tuple[str, ...] = ()) -> float:
        """A query term's weight in coverage: its idf, or, when no text holds it but one holds one of its
        `others` forms (`query_aliases`: "chapter" for "ch"), the idf of its commonest known form."""
        known = [a for a in others if a in self._df]
        if term in self._df or not known:
            return self.idf(term)
        return min(self.idf(a) for a in known)

    def unknown_terms(self, query: str) -> list[str]:
        """The query's terms (`query_terms`) that no indexed text holds in any of their forms
        (`query_aliases`): a typo, another spelling, a word the text has only misread ("Stokholm",
        "epicenter" for "epicentre")."""
        return [t for t, others in query_aliases(query).items()
                if t not in self._df and not any(a in self._df for a in others)]

    def alias_scores(self, others: tuple[str, ...]) -> np.ndarray:
        """Per text, the best BM25 score of a term's `others` forms (zeros when it has none)."""
        scores = [self._term_scores(a) for a in others if a in self._df]
        return np.max(scores, axis=0) if scores else np.zeros(self.size, dtype=np.float32)

    def number_rows(self, query: str, n: int) -> np.ndarray:
        """Rows (at most n, highest BM25 first) that hold a number of a query that also has words: the ones
        `search` scores 0 as matching nothing but numbers, for sound-alike matching to judge when the query's
        words are typed wrong ("Ebinghaus 1885": the slide shows "Ebbinghaus, 1885")."""
        terms = query_terms(query)
        numbers = [t for t in terms if t.isdigit() or t in NUMBER_WORDS]
        if self._bm25 is None or not numbers or len(numbers) == len(terms):
            return np.zeros(0, dtype=np.int64)
        raw = np.sum([self._term_scores(t) for t in numbers], axis=0)
        rows = np.flatnonzero(raw > 0)
        return rows[np.argsort(-raw[rows], kind="stable")][:n].astype(np.int64)

    def rows_with_all(self, text: str) -> np.ndarray | None:
        """Rows whose text has every indexed word of `text` (None when `text` has none: no narrowing)."""
        terms = query_terms(text)
        if not terms:
            return None
        if self._bm25 is None or any(t not in self._df for t in terms):
            return np.zeros(0, dtype=np.int64)
        have = np.logical_and.reduce([self._term_scores(t) > 0 for t in terms])
        return np.flatnonzero(have).astype(np.int64)

    def search(self, query: str, n: int, rows: np.ndarray | None = None, texts: Sequence[str] | None = None,
               stem_share: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
        """Top-n rows for a query: (row indices, calibrated scores in [0, 1]), best first.

        Rows with no query term are not returned; `rows` (row numbers) limits the search to those.
        With `texts` (the indexed texts, by row) a query word a text holds only in another form of the
        same stem ("calculator" / "calculated") counts `stem_share` of its weight (`same_form`).
        """
        alias_of = query_aliases(query)
        terms = list(alias_of)
        if not terms or self._bm25 is None:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        # one BM25 score row per term: a text contains a term exactly where that term's score is > 0,
        # so coverage is a matrix product (no Python loop over the matched texts)
        per_term = np.stack([self._term_scores(t) for t in terms])  # (terms, texts)
        other = np.stack([self.alias_scores(alias_of[t]) for t in terms])  # another form ("ch" for "chapter")
        if rows is not None:  # a scope: the other rows score nothing
            allowed = np.zeros(self.size, dtype=bool)
            allowed[np.asarray(rows, dtype=np.int64)] = True
            per_term, other = per_term * allowed, other * allowed
        raw = np.maximum(per_term, other).sum(axis=0)
        matched = np.flatnonzero(raw > 0)
        if matched.size == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        weights = np.array([self.term_weight(t, alias_of[t]) for t in terms])
        have = per_term[:, matched] > 0
        held = np.where(have, 1.0, ALIAS_SHARE * (other[:, matched] > 0))  # the query's form, or another
        coverage = np.where(number_only(terms, held > 0), 0.0, (weights @ held) / weights.sum())
        # coverage decides; normalised BM25 breaks ties between equally covering texts
        order_key = coverage + 1e-3 * raw[matched] / raw[matched].max()
        best = np.flatnonzero(coverage > 0)
        if best.size > n:  # a common word matches most texts: partition before sorting
            best = best[np.argpartition(-order_key[best], n - 1)[:n]]
        if texts is not None and stem_share < 1.0:  # the words held only in another form of their stem
            other = have[:, best] & ~same_form(query, terms, [texts[r] for r in matched[best]])
            less = (1.0 - stem_share) * (weights @ other) / weights.sum()
            coverage[best] -= less
            order_key[best] -= less
        best = best[np.argsort(-order_key[best], kind="stable")][:n]
        return matched[best].astype(np.int64), coverage[best].astype(np.float32)


class BM25Scores:
    """BM25 ("lucene" variant, k1 = 1.5, b = 0.75, as bm25s computes it) precomputed per (term, text) in a
    compressed sparse layout: numpy alone, saved in bm25s' file layout. bm25s itself pulls in numba and
    scipy (hundreds of MB, a second to import: more than a one-off search on a small index takes);
    tests/test_fusion.py checks these scores against bm25s where it is installed."""

    K1, B = 1.5, 0.75

    def __init__(self, vocab: dict[str, int], data: np.ndarray, indices: np.ndarray, indptr: np.ndarray,
                 num_docs: int) -> None:
        self.vocab, self.data, self.indices, self.indptr, self.num_docs = vocab, data, indices, indptr, num_docs

    @classmethod
    def build(cls, docs: list[list[str]]) -> "BM25Scores":
        vocab: dict[str, int] = {}
        rows, cols, tfs = [], [], []  # (term id, text, count in the text)
        lengths = np.array([len(d) for d in docs], dtype=np.float64)
        for j, doc in enumerate(docs):
            counts: dict[str, int] = {}
            for term in doc:
                counts[term] = counts.get(term, 0) + 1
            for term, tf in counts.items():
                rows.append(vocab.setdefault(term, len(vocab)))
                cols.append(j)
                tfs.append(tf)
        return cls.of_counts(vocab, np.array(rows, np.int64), np.array(cols, np.int64), np.array(tfs, np.float64),
                             lengths)

    @classmethod
    def of_counts(cls, vocab: dict[str, int], term_ids: np.ndarray, text_ids: np.ndarray, tf: np.ndarray,
                  lengths: np.ndarray) -> "BM25Scores":
        """The scores of each (term, text) pair a text holds, `tf` times (int64, int64, float64 arrays, text by
        text; `vocab`: term -> id in order of first occurrence); `lengths`: each text's terms (float64)."""
        n = len(lengths)
        df = np.bincount(term_ids, minlength=len(vocab)).astype(np.float64)
        idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
        avgdl = max(float(lengths.mean()) if n else 0.0, 1e-9)
        norm = cls.K1 * (1.0 - cls.B + cls.B * lengths[text_ids] / avgdl)
        scores = idf[term_ids] * tf / (tf + norm)
        order = np.lexsort((text_ids, term_ids))  # term-major, texts ascending within a term
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(df.astype(np.int64), out=indptr[1:])
        return cls(vocab, scores[order].astype(np.float32), text_ids[order].astype(np.int32), indptr, n)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "data.csc.index.npy", self.data)
        np.save(folder / "indices.csc.index.npy", self.indices)
        np.save(folder / "indptr.csc.index.npy", self.indptr)
        (folder / "vocab.index.json").write_text(json.dumps(self.vocab), encoding="utf-8")
        (folder / "params.index.json").write_text(json.dumps({
            "k1": self.K1, "b": self.B, "method": "lucene", "idf_method": "lucene", "dtype": "float32",
            "num_docs": self.num_docs}), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "BM25Scores":
        params = json.loads((folder / "params.index.json").read_text(encoding="utf-8"))
        if params.get("method") != "lucene" or (folder / "nonoccurrence_array.index.npy").exists():
            raise ValueError(f"{folder}: not a lucene BM25 index")  # the cache is then rebuilt
        vocab = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
        return cls(vocab, np.load(folder / "data.csc.index.npy"), np.load(folder / "indices.csc.index.npy"),
                   np.load(folder / "indptr.csc.index.npy"), int(params["num_docs"]))

    def get_scores(self, terms: list[str]) -> np.ndarray:
        """BM25 score of every text for the query terms (summed), float32 of length num_docs."""
        scores = np.zeros(self.num_docs, dtype=np.float32)
        for term in terms:
            t = self.vocab.get(term)
            if t is not None:
                begin, end = int(self.indptr[t]), int(self.indptr[t + 1])
                np.add.at(scores, self.indices[begin:end], self.data[begin:end])
        return scores
