"""Whisper's words made fit for chunks: pieces it split off at a mark inside a word joined back, and words
it piled up at one instant (no time of their own: not heard) left out."""

from __future__ import annotations

from typing import Any, Callable, Iterable

from momentsearch.types import Word

GLUED = "'’-.,:"  # Whisper starts a new word at these, even inside a word: "3" ".5", "1" ",200", "l" "'énergie"
PILED = 3  # this many words or more with no length at one same instant are not speech


def _get(obj: Any, key: str, default: Any = None) -> Any:
    return obj.get(key, default) if isinstance(obj, dict) else getattr(obj, key, default)


def segment_words(raw_words: Iterable[Any], clamp: Callable[[Any], float]) -> list[Word]:
    """A segment's words (engine objects or dicts), stripped, times clamped (`clamp`, seconds).

    A piece Whisper split off at a mark inside a word (no space before it) joins the word before:
    "3.5", "1,200", "Est-ce" as the segment's text says (the chunks said "3 .5", "Est -ce"). A run of
    PILED or more words with no length at one instant is left out: Whisper put a whole invented repeat
    of a sentence there (159 words at the end of a 15 s .mp3, past its audio, clamped to its end)."""
    words: list[Word] = []
    for w in raw_words:
        raw = str(_get(w, "word", ""))
        word = raw.strip()
        if not word:
            continue
        start, p = clamp(_get(w, "start", 0.0)), float(_get(w, "probability", 1.0))
        end = max(start, clamp(_get(w, "end", start)))
        if words and raw[0] in GLUED and len(word) > 1 and word[1].isalnum():
            last = words[-1]
            words[-1] = Word(last.start, max(last.end, end), last.word + word, min(last.probability, p))
        else:
            words.append(Word(start, end, word, p))
    return _unpiled(words)


def _unpiled(words: list[Word]) -> list[Word]:
    out: list[Word] = []
    i = 0
    while i < len(words):
        j = i
        while j < len(words) and words[j].start == words[j].end == words[i].start:
            j += 1
        if j - i >= PILED:
            i = j
            continue
        out.append(words[i])
        i += 1
    return out
