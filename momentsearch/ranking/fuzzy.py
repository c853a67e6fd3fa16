"""Lexical matching through recognition errors: sound-alike letters, compared across word boundaries.

Whisper `tiny.en` hears lecture terms wrong all the time ("division by zero" → "the vision by Nero",
"offline sync" → "off line sink"), and writes "400" where the lecturer said "four hundred". Word
matching (ranking/lexical.py) misses them; these still share most of their *sounds*, in the same
order, with the spaces in other places. So both the query and a candidate text are reduced to a
stream of sound-alike letters without spaces, numbers spelled out (`sound_letters`: "off line sink"
and "offline sync" both become "oflinesink", "400" sounds as "four hundred"), and a text scores by
the best window of about the query's length: the idf-weighted share of the query's letter trigrams
found in it.
Texts are only those the other channels already proposed (a few dozen per query), so no index is
kept and the cost is a few milliseconds; pure numpy.
"""

from __future__ import annotations

import re

import numpy as np

from momentsearch.ranking.accents import fold
from momentsearch.ranking.numbers import NUMBER_WORDS, number_words

_RULES = [  # applied in order on lowercase letters; spelling variants that sound alike
    (re.compile(r"ph"), "f"), (re.compile(r"ck"), "k"), (re.compile(r"qu"), "kw"), (re.compile(r"x"), "ks"),
    (re.compile(r"wh"), "w"), (re.compile(r"c(?=[eiy])"), "s"), (re.compile(r"c"), "k"), (re.compile(r"z"), "s"),
    (re.compile(r"y"), "i"), (re.compile(r"([a-z])\1+"), r"\1"),
]
_NOT_LETTER = re.compile(r"[^a-z]+")
_DIGITS = re.compile(r"\d+s?")
_WORD = re.compile(r"[a-z]+")
MIN_LETTERS = 6  # a query shorter than this (in sound letters) is left to exact matching
FUZZY_FLOOR = 0.25  # fuzzy score of chance overlaps (common trigrams in any text); counts as 0
FUZZY_FULL = 0.7  # fuzzy score that counts fully (a name or term heard with a letter or two wrong)
# A query of a phrase's length overlaps a text it is not in much less by chance (dev, queries against
# chunks of other lectures: 99th percentile of the score 0.34 under 12 sound letters, 0.18-0.21 from 12
# on), and a phrase the recogniser got wrong keeps about half its trigrams: from PHRASE_WORDS words and
# PHRASE_LETTERS letters on, the score maps from PHRASE_FLOOR (counts as 0) to PHRASE_FULL (counts fully);
# two long words stay on the strict scale (dev's two-word slide terms, `scripts/bench_misheard.py --slide-terms`:
# 22 of 26 found, 21 by the letter count alone)
PHRASE_WORDS = 3
PHRASE_LETTERS = 16
PHRASE_FLOOR = 0.2
PHRASE_FULL = 0.55
SUPPORT = 0.4  # share of the trigrams touching a query word found in a text's best window: the word is found there
SLACK = 3  # letters a window may be longer than the query (a misheard word is often longer)


def _spell_digits(text: str) -> str:
    """Digits as their words ("400" -> " four hundred "), so a number sounds the same written either way;
    accents left out (`accents.fold`: "Wärme" and OCR's "Warme" sound alike)."""
    return _DIGITS.sub(lambda m: " " + " ".join(number_words(m.group()) or [m.group()]) + " ", fold(text))


def sound_letters(text: str) -> str:
    """Lowercase letters only, no spaces, spelling variants folded: "Offline sync" -> "oflinesink"."""
    s = _NOT_LETTER.sub("", _spell_digits(text.lower()))
    for pattern, repl in _RULES:
        s = pattern.sub(repl, s)
    return s


def numbers_in(text: str) -> set[str]:
    """The number words a text says, digits spelled out ("chapter 8" and "chapter eight": {"eight"})."""
    return {w for w in _WORD.findall(_spell_digits(text.lower())) if w in NUMBER_WORDS}


def number_groups(text: str) -> list[frozenset[str]]:
    """Each number a text names, as the set of its words: digits spelled out ("120": {one, hundred, twenty})
    and runs of number words ("one hundred and twenty", "eighty-five")."""
    text = fold(text.lower())
    groups = [frozenset(number_words(m.group()) or ()) for m in _DIGITS.finditer(text)]
    run: list[str] = []
    for word in _WORD.findall(text) + [""]:
        if word in NUMBER_WORDS:
            run.append(word)
        elif not (word == "and" and run):  # "one hundred and twenty" is one number
            groups, run = groups + [frozenset(run)] if run else groups, []
    return [g for g in groups if g]


def _trigrams(s: str) -> list[str]:
    return [s[i:i + 3] for i in range(len(s) - 2)]


def fuzzy_scores(query: str, texts: list[str]) -> np.ndarray:
    """Per text, in [0, 1]: the idf-weighted share of the query's sound trigrams found together in one
    window of the text about as long as the query (0 for a query whose words, numbers aside, have
    under MIN_LETTERS letters: "1 - SSE/SST" is left to exact matching)."""
    return _fuzzy(query, texts)[0]


def _fuzzy(query: str, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """`fuzzy_scores`, and per text how many of the query's words its best window holds (at least
    SUPPORT of the trigrams that touch the word found there)."""
    q = sound_letters(query)
    scores, support = np.zeros(len(texts)), np.zeros(len(texts), dtype=np.int64)
    grams = list(dict.fromkeys(_trigrams(q)))
    if len(sound_letters(_DIGITS.sub(" ", query))) < MIN_LETTERS or not texts:
        return scores, support
    streams = [_trigrams(sound_letters(t)) for t in texts]
    index = {g: k for k, g in enumerate(grams)}
    df = np.array([sum(g in set(s) for s in streams) for g in grams], dtype=np.float64) if len(texts) > 1 \
        else np.zeros(len(grams))
    weights = np.log(1.0 + (len(texts) + 1) / (df + 0.5))
    words = _word_grams(query, index)
    width = len(q) - 2 + SLACK  # trigrams in a window
    for row, stream in enumerate(streams):
        ids = np.array([index.get(g, -1) for g in stream], dtype=np.int64)
        if ids.size == 0 or (ids < 0).all():
            continue
        present = np.zeros((len(grams), ids.size + 1), dtype=np.int32)
        hit = np.flatnonzero(ids >= 0)
        present[ids[hit], hit + 1] = 1
        counts = present.cumsum(axis=1)  # trigram k seen in [s, s+width) <=> counts[k, e] > counts[k, s]
        ends = np.minimum(np.arange(ids.size) + width, ids.size)
        inside = counts[:, ends] > counts[:, : ids.size]
        per_window = weights @ inside
        best = int(per_window.argmax())
        scores[row] = float(per_window[best] / weights.sum())
        support[row] = sum(inside[w, best].mean() >= SUPPORT for w in words)
    return scores, support


def _word_grams(query: str, index: dict[str, int]) -> list[np.ndarray]:
    """Per query word with sound letters: the places in `index` of the trigrams that touch its letters, those
    across its ends too ("of" in "blocks of concrete" is heard in "lots of concrete" by "sof", "ofk")."""
    words = [w for w in (sound_letters(w) for w in _WORD.findall(_spell_digits(query.lower()))) if w]
    joined, out, at = "".join(words), [], 0
    for word in words:
        lo, hi = max(0, at - 2), min(len(joined) - 2, at + len(word))
        own = sorted({index[g] for g in _trigrams(joined[lo:hi + 2]) if g in index})
        if own:
            out.append(np.array(own, dtype=np.int64))
        at += len(word)
    return out


def fuzzy_range(query: str) -> tuple[float, float]:
    """(score that counts as 0, score that counts fully) of `fuzzy_scores` for this query: a phrase
    (PHRASE_WORDS words or more, PHRASE_LETTERS sound letters or more) needs less of its sounds found than
    a word or two, however long they are ("hyperparameter optimisation" is a term, not a sentence). A text
    is held to it only when it holds two of the phrase's words or more (`sound_alike`)."""
    if len(sound_letters(query)) >= PHRASE_LETTERS and len(_WORD.findall(_spell_digits(query.lower()))) >= PHRASE_WORDS:
        return PHRASE_FLOOR, PHRASE_FULL
    return FUZZY_FLOOR, FUZZY_FULL


def sound_alike(query: str, rows: np.ndarray, scores: np.ndarray, extra: list[int], texts: list[str],
                weight: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact lexical hits (`rows`, `scores`) joined with sound-alike matches among them and the `extra`
    rows: each row's score is the better of its exact score and `weight` × its fuzzy score rescaled
    from `fuzzy_range(query)` onto [0, 1] (chance overlaps of common trigrams stay at 0). Best first."""
    if weight <= 0:
        return rows, scores
    exact = dict(zip(np.asarray(rows).tolist(), np.asarray(scores, dtype=np.float64).tolist()))
    pool = list(dict.fromkeys(list(exact) + list(extra)))
    if not pool:
        return rows, scores
    fuzzy, support = _fuzzy(query, [texts[r] for r in pool])
    # one long word of a phrase heard right and nothing else ("proportional" for "proportional gain
    # overshoot") is half the phrase's sounds too: it stays on the scale of a word or two
    (floor, full), two = fuzzy_range(query), support >= 2
    floor, full = np.where(two, floor, FUZZY_FLOOR), np.where(two, full, FUZZY_FULL)
    fuzzy = weight * np.clip((fuzzy - floor) / (full - floor), 0.0, 1.0)
    numbers = number_groups(query) if _DIGITS.search(query) else []
    if numbers:  # a number is a few letters of sound: "textbook ch. 8" must not match "textbook chapter 3";
        # each counts when every word of it is said ("120" is not half said by "100 m2")
        said = [sum(n <= have for n in numbers) / len(numbers) for have in (numbers_in(texts[r]) for r in pool)]
        fuzzy = fuzzy * np.asarray(said)
    combined = np.array([max(exact.get(r, 0.0), f) for r, f in zip(pool, fuzzy)])
    order = np.argsort(-combined, kind="stable")
    order = order[combined[order] > 0]
    return np.array(pool, dtype=np.int64)[order], combined[order].astype(np.float32)


def sound_alike_marked(query: str, rows: np.ndarray, scores: np.ndarray, extra: list[int], texts: list[str],
                       weight: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`sound_alike`, and per row whether its score came from sound-alike letters: above the row's score by the
    query's words (0 where none is written there), so what it shows does not hold the word searched for."""
    exact = dict(zip(np.asarray(rows).tolist(), np.asarray(scores, dtype=np.float64).tolist()))
    rows, scores = sound_alike(query, rows, scores, extra, texts, weight)
    by_sound = [float(s) > exact.get(int(r), 0.0) + 1e-6 for r, s in zip(rows, scores)]
    return rows, scores, np.array(by_sound, dtype=bool)
