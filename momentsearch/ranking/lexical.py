"""Lexical channel: BM25 (bm25s) over transcript chunks, calibrated by idf-weighted query coverage.

BM25 scores are unbounded and depend on the corpus; for fusion each hit is instead scored by the
share of the query's information (idf-weighted terms) that the text contains, in [0, 1]. BM25 picks
the candidates and breaks ties. Exact matches of rare words (a product name, a year) score high
even when an embedding of the same text is vague.
"""

from __future__ import annotations

import re

import numpy as np

# Words too common to carry meaning in a query about lecture content.
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over own
    same she should so some such than that the their theirs them themselves then there these they
    this those through to too under until up very was we were what when where which while who whom
    why will with would you your yours yourself yourselves discuss discussed discusses talk talks
    talked talking mention mentioned show shows shown part moment lecture video where""".split()
)
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def normalise(word: str) -> str:
    """Lowercase and strip simple English inflections so 'roadmaps' matches 'roadmap'."""
    w = word.lower()
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    return w


def tokenize(text: str, drop_stopwords: bool = True) -> list[str]:
    words = _TOKEN.findall(text)
    return [normalise(w) for w in words if not (drop_stopwords and w.lower() in STOPWORDS)]


class LexicalIndex:
    """BM25 over a list of texts, built once in memory. Ids are the caller's row numbers."""

    def __init__(self, texts: list[str]) -> None:
        import bm25s

        self.size = len(texts)
        self._doc_terms = [set(tokenize(t)) for t in texts]
        df: dict[str, int] = {}
        for terms in self._doc_terms:
            for term in terms:
                df[term] = df.get(term, 0) + 1
        self._df = df
        self._bm25 = None
        if texts:
            self._bm25 = bm25s.BM25()
            # an empty token list breaks bm25s; a placeholder token matches no query
            self._bm25.index([tokenize(t) or ["\x00"] for t in texts], show_progress=False)

    def idf(self, term: str) -> float:
        return float(np.log(1.0 + (self.size + 1) / (self._df.get(term, 0) + 0.5)))

    def search(self, query: str, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-n rows for a query: (row indices, calibrated scores in [0, 1]), best first.

        Rows with no query term are not returned.
        """
        terms = list(dict.fromkeys(tokenize(query)))
        if not terms or self._bm25 is None:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        raw = self._bm25.get_scores(terms)
        matched = np.flatnonzero(raw > 0)
        if matched.size == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        weights = np.array([self.idf(t) for t in terms])
        coverage = np.array([
            weights[[t in self._doc_terms[row] for t in terms]].sum() for row in matched
        ]) / weights.sum()
        # coverage decides; normalised BM25 breaks ties between equally covering texts
        order_key = coverage + 1e-3 * raw[matched] / raw[matched].max()
        top = matched[np.argsort(-order_key, kind="stable")[:n]]
        top_cov = coverage[np.argsort(-order_key, kind="stable")[:n]]
        return top.astype(np.int64), top_cov.astype(np.float32)
