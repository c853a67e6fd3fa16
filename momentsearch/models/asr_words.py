"""Whisper's words made fit for chunks: pieces it split off at a mark inside a word joined back, words
it piled up at one instant (no time of their own: not heard) left out, and the first or last words of a
segment it placed seconds away from the rest of their sentence put back beside it."""

from __future__ import annotations

from typing import Any, Callable, Iterable

from momentsearch.types import Word

GLUED = "'’-.,:"  # Whisper starts a new word at these, even inside a word: "3" ".5", "1" ",200", "l" "'énergie"
PILED = 3  # this many words or more with no length at one same instant are not speech
STRAY_GAP = 4.0  # seconds; a sentence's first or last words this far from the rest of it were misplaced
STRAY_WORDS = 3  # ... when they are at most this many
STRAY_LENGTH = 0.6  # seconds; the longest a moved word is kept (Whisper stretches a misplaced word)
SENTENCE_END = ".?!…"


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
    return _strays_moved(_unpiled(words))


def _strays_moved(words: list[Word]) -> list[Word]:
    """A segment's first (or last) `STRAY_WORDS` words or fewer that lie more than `STRAY_GAP` seconds
    before (after) the rest, with no sentence end between (a speaker does not stop 20 s between "Good"
    and "morning"), moved to just before (after) the rest, each at most `STRAY_LENGTH` long. Whisper
    aligns the first word of a window that opens with music or noise the voice detector took for speech
    to the window's start: "Good" at 0.0 s, "morning everyone!" at 20.6 s."""
    n = len(words)
    head = [i for i in range(1, min(STRAY_WORDS, n - 2) + 1) if _apart(words[i - 1], words[i])]
    if head:
        i = head[-1]
        words = _laid(words[:i], words[i].start, -1) + words[i:]
    tail = [i for i in range(max(n - STRAY_WORDS, 2), n) if _apart(words[i - 1], words[i])]
    if tail:
        i = tail[0]
        words = words[:i] + _laid(words[i:], words[i - 1].end, 1)
    return words


def _laid(words: list[Word], at: float, step: int) -> list[Word]:
    """`words` laid one after another, each at most `STRAY_LENGTH` long: ending at `at` (step -1) or
    starting there (step 1)."""
    out = []
    for w in words[::step]:
        length = min(w.end - w.start, STRAY_LENGTH)
        start = at if step > 0 else at - length
        out.append(Word(start, start + length, w.word, w.probability))
        at += step * length
    return out[::step]


def _apart(before: Word, after: Word) -> bool:
    return after.start - before.end > STRAY_GAP and not before.word.rstrip("\"')»”").endswith(tuple(SENTENCE_END))


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
