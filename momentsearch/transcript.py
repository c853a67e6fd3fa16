"""A video's transcript as timed sentences and caption cues, from its overlapping chunks.

Whisper gives every word its own start and end; a chunk keeps them (`word_times`, stored with the
chunk as `encode_times` writes them), so a sentence or a caption line starts when its first word is
said, pauses included. Chunks of indexes made before that (and text without them) are timed by
their characters: a sentence's share of its chunk's characters is its share of the chunk's time.
"""

from __future__ import annotations

import re
from typing import Sequence

RECENT = 6  # carried sentences repeat within this many of the last sentences
CUE_MAX_WORDS = 14  # a caption cue shows at most this many words
TIME_STEP = 0.01  # seconds; word times are stored in hundredths of a second after the chunk's start
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

Times = Sequence[tuple[float, float]]  # (start, end) in seconds per whitespace-separated word of a text


def encode_times(start: float, times: Times) -> str:
    """Word times as stored with a chunk: "start,end" per word in hundredths of a second after the
    chunk's `start`, space-separated ("0,31 35,62 ...")."""
    return " ".join(f"{round((s - start) / TIME_STEP)},{round((e - start) / TIME_STEP)}" for s, e in times)


def decode_times(start: float, stored: str | None, text: str) -> tuple[tuple[float, float], ...]:
    """The word times `encode_times` wrote for a chunk starting at `start`, or () when there are none or
    they do not fit `text` (one pair per word)."""
    if not stored:
        return ()
    try:
        pairs = [pair.split(",") for pair in stored.split()]
        times = tuple((round(start + int(s) * TIME_STEP, 3), round(start + int(e) * TIME_STEP, 3)) for s, e in pairs)
    except ValueError:
        return ()
    return times if len(times) == len(text.split()) else ()


def word_times(words) -> list[tuple[float, float]]:
    """(start, end) per word of the text `" ".join(w.word.strip() for w in words)` (`types.Word`s, in
    order), or [] when one of them holds several words (a segment without word times stands in for its
    words): their times are not known."""
    if any(len(w.word.split()) > 1 for w in words):
        return []
    return [(w.start, w.end) for w in words if w.word.split()]


def _parts(text: str) -> list[str]:
    return [p for p in _SENTENCE_END.split(text.strip()) if p]


def _timed_parts(start: float, end: float, text: str, times: Times | str = ()):
    """(start, end, sentence, its word times or None) of one chunk's sentences: from the chunk's word
    times (as stored, or decoded) when it has them, else each sentence's share of its characters."""
    parts = _parts(text)
    if isinstance(times, str):
        times = decode_times(start, times, text)
    if times and len(times) == len(text.split()):
        i = 0
        for part in parts:
            n = len(part.split())
            yield times[i][0], times[i + n - 1][1], part, list(times[i:i + n])
            i += n
        return
    total = sum(len(p) + 1 for p in parts) or 1
    t = start
    for part in parts:
        dt = (end - start) * (len(part) + 1) / total
        yield t, t + dt, part, None
        t += dt


def _once(chunks):
    """Every sentence of `chunks` once (see `sentences`), with its word times or None."""
    out: list[tuple[float, float, str, list | None]] = []
    for chunk in sorted(chunks, key=lambda c: (c[0], c[1])):
        start, end, text = chunk[:3]
        for s, e, part, times in _timed_parts(start, end, text, chunk[3] if len(chunk) > 3 else ()):
            if part not in {x[2] for x in out[-RECENT:]}:
                out.append((round(max(s, out[-1][1] if out else 0.0), 3), round(e, 3), part, times))
    return out


def sentences(chunks) -> list[tuple[float, float, str]]:
    """(start, end, text) per sentence, in order. `chunks`: (start, end, text) or (start, end, text,
    word times as `word_times` gives them or as stored). Chunks share a sentence or two at their edges
    (the overlap); each sentence is given once."""
    return [(s, e, text) for s, e, text, _ in _once(chunks)]


def cues(chunks, max_words: int = CUE_MAX_WORDS) -> list[tuple[float, float, str]]:
    """Caption cues (start, end, text): each sentence once (as `sentences`), cut into lines of at most
    `max_words` words, each line shown from its first word's start to its last word's end (by
    characters where the words' times are unknown)."""
    out = []
    for start, end, text, times in _once(chunks):
        words = text.split()
        lines = -(-len(words) // max_words)  # as few lines as fit, of about equal length
        bounds = [round(len(words) * k / lines) for k in range(lines + 1)]
        pieces = list(zip(bounds, bounds[1:]))
        total = sum(len(" ".join(words[a:b])) + 1 for a, b in pieces) or 1
        t = start
        for a, b in pieces:
            line = " ".join(words[a:b])
            dt = (end - start) * (len(line) + 1) / total
            s, e = (max(times[a][0], start), times[b - 1][1]) if times else (t, t + dt)
            out.append((round(s, 3), round(max(e, s), 3), line))
            t += dt
    return out


def _stamp(t: float, comma: bool = False) -> str:
    ms = int(round(max(0.0, t) * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    sec, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{sec:02d}{',' if comma else '.'}{ms:03d}"


def webvtt(timed) -> str:
    """A WebVTT document of (start, end, text) cues."""
    lines = ["WEBVTT", ""]
    for n, (start, end, text) in enumerate(timed, 1):
        safe = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("-->", "\u2192")
        lines += [str(n), f"{_stamp(start)} --> {_stamp(end)}", safe, ""]
    return "\n".join(lines)


def srt(timed) -> str:
    """A SubRip (.srt) document of (start, end, text) cues."""
    lines = []
    for n, (start, end, text) in enumerate(timed, 1):
        lines += [str(n), f"{_stamp(start, True)} --> {_stamp(end, True)}", text.replace("-->", "\u2192"), ""]
    return "\n".join(lines)
