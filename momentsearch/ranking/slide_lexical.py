"""Lexical side of the OCR channel: exact words on slides and photos, weighted by text size.

Like the transcript's lexical channel (ranking/lexical.py: BM25 picks candidates, idf-weighted
query coverage scores them in [0, 1]), except each query term counts with the weight of the
heaviest line it appears on: a word in a slide title counts fully, the same word in a chart label
counts about a third. Each line's unsplit OCR form is indexed too, so a word the space-restorer cut
("roadmap" -> "road map") still matches.
"""

from __future__ import annotations

import json

import numpy as np

from momentsearch.ranking.lexical import LexicalIndex, document_terms, number_only, query_terms

Line = tuple[str, float, str]  # (text, weight 0..1, unsplit form or "")


def parse_lines(raw: str | None) -> list[Line]:
    """The weighted lines an "ocr" entry keeps in its metadata (JSON), [] when missing or broken."""
    try:
        return [(str(t), float(w), str(a)) for t, w, a in json.loads(raw or "[]")]
    except (ValueError, TypeError):
        return []


class SlideLexicalIndex:
    """BM25 candidates + size-weighted coverage over the lines of each entry (the caller's rows)."""

    def __init__(self, entries: list[list[Line]]) -> None:
        self.term_weight: list[dict[str, float]] = []
        texts = []
        for lines in entries:
            weights: dict[str, float] = {}
            for text, weight, unsplit in lines:
                for term in document_terms(f"{text} {unsplit}"):
                    weights[term] = max(weights.get(term, 0.0), weight)
            self.term_weight.append(weights)
            texts.append(" ".join(f"{t} {a}" for t, _, a in lines))
        self.lexical = LexicalIndex(texts)

    def search(self, query: str, n: int, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-n rows: (row indices, scores in [0, 1]), best first; rows without a query term left out.
        `rows` limits the search to those row numbers."""
        rows, _ = self.lexical.search(query, n, rows)
        terms = query_terms(query)
        if rows.size == 0 or not terms:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        idf = np.array([self.lexical.idf(t) for t in terms])
        have = np.array([[self.term_weight[r].get(t, 0.0) for t in terms] for r in rows])
        scores = np.where(number_only(terms, have.T > 0), 0.0, (have @ idf) / idf.sum())
        order = np.argsort(-scores, kind="stable")
        keep = order[scores[order] > 0]
        return rows[keep].astype(np.int64), scores[keep].astype(np.float32)
