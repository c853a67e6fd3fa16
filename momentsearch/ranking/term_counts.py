"""Each text's term counts, kept by a lexical index so that one over some of its texts and a few new ones (a reader's
corpus following a commit: search/follow.py) is built without tokenizing or counting the kept texts again.

BM25's scores depend on every text (idf, the mean text length), so they are computed again whole; from the counts
that is numpy alone (`BM25Scores.of_counts` of `pairs`), and gives the arrays `BM25Scores.build` gives from the
terms, bit for bit.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np


class TermTable:
    """Term -> number, shared by the counts of one reader's successive indexes (numbers are only ever added; two
    searches of `serve` may follow one commit at once: numbered under `lock`)."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.terms: list[str] = []
        self.lock = threading.Lock()

    def number(self, term: str) -> int:
        got = self.numbers.get(term)
        if got is None:
            got = self.numbers[term] = len(self.terms)
            self.terms.append(term)
        return got


@dataclass
class TermCounts:
    """Texts' distinct terms (numbers in `table`, each text's in order of first occurrence) and their counts, one
    flat array for all texts: text i's are [starts[i], starts[i + 1]). `lengths`: each text's terms."""

    table: TermTable
    terms: np.ndarray  # int32
    counts: np.ndarray  # int32
    starts: np.ndarray  # int64, one more than there are texts
    lengths: np.ndarray  # int64

    @classmethod
    def of(cls, docs: list[list[str]], table: TermTable | None = None) -> "TermCounts":
        """The counts of `docs` (each text's `document_terms`)."""
        table = table or TermTable()
        terms, counts, starts = [], [], [0]
        with table.lock:
            for doc in docs:
                seen: dict[str, int] = {}
                for term in doc:
                    seen[term] = seen.get(term, 0) + 1
                terms += [table.number(t) for t in seen]
                counts += seen.values()
                starts.append(len(terms))
        return cls(table, np.asarray(terms, np.int32), np.asarray(counts, np.int32), np.asarray(starts, np.int64),
                   np.asarray([len(d) for d in docs], np.int64))

    @property
    def size(self) -> int:
        return len(self.lengths)

    def rows(self, keep: list[int]) -> "TermCounts":
        """The counts of texts `keep` (ascending), in that order."""
        per_text = np.diff(self.starts)
        wanted = np.zeros(self.size, dtype=bool)
        wanted[np.asarray(keep, dtype=np.int64)] = True
        take = np.repeat(wanted, per_text)
        starts = np.concatenate([[0], np.cumsum(per_text[wanted])]).astype(np.int64)
        return TermCounts(self.table, self.terms[take], self.counts[take], starts, self.lengths[wanted])

    def joined(self, other: "TermCounts") -> "TermCounts":
        """These texts' counts, then `other`'s (counted with the same table)."""
        return TermCounts(self.table, np.concatenate([self.terms, other.terms]),
                          np.concatenate([self.counts, other.counts]),
                          np.concatenate([self.starts, other.starts[1:] + self.starts[-1]]),
                          np.concatenate([self.lengths, other.lengths]))

    def df(self) -> dict[str, int]:
        """Term -> how many texts hold it."""
        held = np.bincount(self.terms, minlength=len(self.table.terms))
        return {self.table.terms[t]: int(held[t]) for t in np.flatnonzero(held).tolist()}

    def pairs(self) -> tuple[dict[str, int], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """What `BM25Scores.of_counts` takes, as `BM25Scores.build` makes it of the texts' terms: the vocabulary in
        order of first occurrence, each (term, text) pair's term id, text and count (int64, int64, float64), and
        the texts' lengths (float64)."""
        numbers, first = np.unique(self.terms, return_index=True)
        numbers = numbers[np.argsort(first, kind="stable")]  # as the texts first hold them
        local = np.zeros(len(self.table.terms), dtype=np.int64)
        local[numbers] = np.arange(len(numbers))
        vocab = {self.table.terms[t]: i for i, t in enumerate(numbers.tolist())}
        texts = np.repeat(np.arange(self.size, dtype=np.int64), np.diff(self.starts))
        return vocab, local[self.terms], texts, self.counts.astype(np.float64), self.lengths.astype(np.float64)
