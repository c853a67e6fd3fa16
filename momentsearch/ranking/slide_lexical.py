"""Lexical side of the OCR channel: exact words on slides and photos, weighted by text size.

Like the transcript's lexical channel (ranking/lexical.py: BM25 picks candidates, idf-weighted
query coverage scores them in [0, 1]), except each query term counts with the weight of the
heaviest line it appears on: a word in a slide title counts fully, the same word in a chart label
counts about a third. Each line's unsplit OCR form is indexed too, so a word the space-restorer cut
("roadmap" -> "road map") still matches. A query of two words or more that a slide shows word for word,
in that order, scores at least `PHRASE_FLOOR` however small its print ("permanent mass" in a bullet "Dead
load: permanent mass" is that slide more surely than a chunk of speech that says one of the words, or
sounds like them); the rest of the way to 1 is its line's weight, so a title still leads small print.
"""

from __future__ import annotations

import itertools
import json
import re

import numpy as np

from momentsearch.ranking.accents import fold
from momentsearch.ranking.aliases import ALIAS_SHARE
from momentsearch.ranking.english import english_words
from momentsearch.ranking.lexical import (LexicalIndex, document_terms, normalise, normalise_text, number_only,
                                         query_aliases, query_terms, stem)
from momentsearch.ranking.term_counts import TermCounts

Line = tuple[str, float, str]  # (text, weight 0..1, unsplit form or "")
MAX_ALIAS_PHRASES = 16  # the query's phrase written with other forms of its words: at most this many tried
PHRASE_FLOOR = 0.8  # a slide showing the whole query word for word scores at least this (+ the rest x its line's weight)
LINE_JOIN = " · "  # between a slide's lines in its stored text (`pipeline/ocr.SlideText.text`)
TITLE_SHARE = 0.85  # a slide's title lines weigh at least this share of its heaviest line


def parse_lines(raw: str | None) -> list[Line]:
    """The weighted lines an "ocr" entry keeps in its metadata (JSON), [] when missing or broken."""
    try:
        return [(str(t), float(w), str(a)) for t, w, a in json.loads(raw or "[]")]
    except (ValueError, TypeError):
        return []


_MATHS = re.compile(r"[=<>~≈≤≥±∑∫√∞^]|[+\-*/] *\w")  # a relation, an operator before a term


def formula(text: str) -> bool:
    """Whether a line reads like a formula: a relation or an operator, and no word of four letters or more
    ("lim Sn(x) = f(x+)", "cos mx cos nxdx = n6"; not "Revenue = price x quantity", nor a title in another
    language: "Mathematik: α, β und ∑", "Teil 2 - Wärmeübertragung"). A word is an English one, or one of six
    letters or more with two vowels, as a formula's letters read together ("nxdx", "sinx") are not."""
    if not _MATHS.search(text):
        return False
    known = english_words()
    runs = re.findall(r"[^\W\d_]{4,}", text)
    return not any(_a_word(w, known) for w in runs)


def _a_word(run: str, known) -> bool:
    if not known:
        return len(run) >= 5
    plain = fold(run).lower()
    return plain in known or (len(plain) >= 6 and sum(c in "aeiouy" for c in plain) >= 2)


def figures(text: str) -> bool:
    """Whether a line is figures with hardly a word: a clock, a counter, a number ("0:12:46 II C", "214")."""
    return sum(c.isdigit() for c in text) >= 2 and sum(c.isalpha() for c in text) < 4


def deck_backing(raw: str | None) -> tuple[str, int, int] | None:
    """(deck file name, page, how many of the entry's last lines came from that page) of an "ocr" entry's "deck"
    metadata (pipeline/deck_match.py: words OCR did not read there), None for none or a value that is not one."""
    try:
        got = json.loads(raw) if raw else None
        return (str(got["file"]), int(got["page"]), max(0, int(got["lines"]))) if got else None
    except (ValueError, TypeError, KeyError):
        return None


def own_lines(meta: dict) -> list[Line]:
    """The lines OCR read on an "ocr" entry's slide: its stored lines without those its deck added."""
    lines = parse_lines(meta.get("lines"))
    backed = deck_backing(meta.get("deck"))
    return lines[:len(lines) - backed[2]] if backed else lines


def title_line(meta: dict) -> str:
    """A slide's title: the first line (reading order) among its heaviest; the stored `title` joins them all.
    A displayed formula is taller than a maths slide's title and named five of a Fourier lecture's chapters
    ("J"x²dx = 2²"), a presenter view's timer three of a lecture's ("0:12:46 II C"): lines that read like
    formulas (`formula`) or figures (`figures`) are passed over while there are others; lines its deck added are
    no title (the words OCR read are)."""
    lines = own_lines(meta)
    if not lines:
        return str(meta.get("title", ""))
    lines = [line for line in lines if not formula(line[0]) and not figures(line[0])] or lines
    top = max(w for _, w, _ in lines)
    return next(t for t, w, _ in lines if w >= TITLE_SHARE * top)


def phrase_weight(phrase: str, lines: list[Line]) -> float:
    """The weight of the heaviest line that shows `phrase` (`normalise_text` form) word for word: a line,
    its unsplit form, or two neighbouring lines (a bullet wrapped over two: the lighter one's weight);
    -1 when none does."""
    found = [w for t, w, a in lines if phrase in normalise_text(t) or (a and phrase in normalise_text(a))]
    found += [min(v, w) for (a, v, _), (b, w, _) in zip(lines, lines[1:]) if phrase in normalise_text(f"{a} {b}")]
    return max(found, default=-1.0)


def alias_phrases(query: str, alias_of: dict[str, tuple[str, ...]]) -> list[tuple[str, float]]:
    """The query as a phrase (`normalise_text` form) with share 1, and (share `ALIAS_SHARE`) as written with
    its words' other forms (`alias_of`, from `query_aliases`: "textbook chapter eight" -> "textbook ch 8");
    [] for a query of one word. At most `MAX_ALIAS_PHRASES` of the other forms."""
    words = normalise_text(query).split()
    if len(words) < 2:
        return []
    options = [[w, *alias_of.get(stem(normalise(w)), ())] for w in words]
    others = itertools.islice(itertools.product(*options), 1, 1 + MAX_ALIAS_PHRASES)
    return [(f" {' '.join(words)} ", 1.0)] + [(f" {' '.join(p)} ", ALIAS_SHARE) for p in others]


def term_weights(lines: list[Line]) -> dict[str, float]:
    """An entry's terms, each with the weight of the heaviest line that holds it."""
    weights: dict[str, float] = {}
    for text, weight, unsplit in lines:
        for term in document_terms(f"{text} {unsplit}"):
            weights[term] = max(weights.get(term, 0.0), weight)
    return weights


def entry_text(lines: list[Line]) -> str:
    """An entry's text as its lexical index holds it: each line with its unsplit form."""
    return " ".join(f"{t} {a}" for t, _, a in lines)


class SlideLexicalIndex:
    """BM25 candidates + size-weighted coverage over the lines of each entry (the caller's rows)."""

    def __init__(self, entries: list[list[Line]], term_weight: list[dict[str, float]] | None = None,
                 counts: TermCounts | None = None) -> None:
        """`term_weight` (each entry's `term_weights`), `counts` (the term counts of each one's `entry_text`): where
        the caller kept them (a corpus following a commit)."""
        self.entries = entries  # the lines, for the phrase test of a query's candidates
        self.term_weight = term_weight if term_weight is not None else [term_weights(lines) for lines in entries]
        self.lexical = LexicalIndex([entry_text(lines) for lines in entries], counts)

    def unknown_terms(self, query: str) -> list[str]:
        """The query's terms that no slide shows (a typo, another spelling, a word the OCR misread)."""
        return self.lexical.unknown_terms(query)

    def _held(self, row: int, term: str, others: tuple[str, ...]) -> float:
        """The weight of the heaviest line of entry `row` that shows `term`, or `ALIAS_SHARE` x that of one
        that shows it in one of its `others` forms ("ch" for "chapter"); 0 when none does."""
        weights = self.term_weight[row]
        other = max((weights.get(a, 0.0) for a in others), default=0.0)
        return max(weights.get(term, 0.0), ALIAS_SHARE * other)

    def number_rows(self, query: str, n: int) -> np.ndarray:
        """Rows holding a number of a query that also has words (`LexicalIndex.number_rows`)."""
        return self.lexical.number_rows(query, n)

    def search(self, query: str, n: int, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-n rows: (row indices, scores in [0, 1]), best first; rows without a query term left out.
        `rows` limits the search to those row numbers."""
        rows, _ = self.lexical.search(query, n, rows)
        terms = query_terms(query)
        if rows.size == 0 or not terms:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        alias_of = query_aliases(query)
        idf = np.array([self.lexical.term_weight(t, alias_of.get(t, ())) for t in terms])
        have = np.array([[self._held(r, t, alias_of.get(t, ())) for t in terms] for r in rows])
        scores = np.where(number_only(terms, have.T > 0), 0.0, (have @ idf) / idf.sum())
        for phrase, share in alias_phrases(query, alias_of):  # the whole query, word for word
            shown = np.array([phrase_weight(phrase, self.entries[r]) for r in rows.tolist()])
            floor = share * (PHRASE_FLOOR + (1.0 - PHRASE_FLOOR) * shown)
            scores = np.where(shown >= 0, np.maximum(scores, floor), scores)
        order = np.argsort(-scores, kind="stable")
        keep = order[scores[order] > 0]
        return rows[keep].astype(np.int64), scores[keep].astype(np.float32)
