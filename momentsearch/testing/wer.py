"""Word error rate of a transcript against the text we know was spoken (benchmarks of rendered lectures)."""

from __future__ import annotations

import re

import numpy as np

_ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen " \
        "sixteen seventeen eighteen nineteen".split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n: int) -> str:
    """0..999 spelled out ("42" -> "forty two"); larger numbers digit by digit."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return _ONES[n // 100] + " hundred" + ("" if rest == 0 else " " + number_words(rest))
    return " ".join(_ONES[int(d)] for d in str(n))


def normalise(text: str) -> list[str]:
    """Lower-case words, numbers spelled out, punctuation and hyphens as spaces ("k-means" = "k means")."""
    text = re.sub(r"\d+", lambda m: f" {number_words(int(m.group()))} ", text.lower())
    return re.findall(r"[a-z']+", text.replace("'", ""))


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    """Word-level Levenshtein distance (substitutions, deletions, insertions), one numpy row at a time."""
    if not ref or not hyp:
        return max(len(ref), len(hyp))
    vocab: dict[str, int] = {}
    r = np.array([vocab.setdefault(w, len(vocab)) for w in ref])
    h = np.array([vocab.setdefault(w, len(vocab)) for w in hyp])
    cols = np.arange(len(h) + 1)
    row = cols.copy()
    for i, word in enumerate(r, 1):
        cand = np.empty_like(row)
        cand[0] = i
        cand[1:] = np.minimum(row[:-1] + (h != word), row[1:] + 1)  # substitute/match, or delete ref word
        row = np.minimum.accumulate(cand - cols) + cols  # insert hyp words: new[j] = min(cand[j], new[j-1] + 1)
    return int(row[-1])


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Edit distance / reference words, after `normalise` (0.0 = every word right)."""
    ref, hyp = normalise(reference), normalise(hypothesis)
    return edit_distance(ref, hyp) / max(1, len(ref))
