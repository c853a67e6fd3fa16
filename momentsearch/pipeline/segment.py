"""Transcript chunks from word timestamps: sentence aligned, about min..max seconds, with overlap."""

from __future__ import annotations

from momentsearch.options import ChunkOptions
from momentsearch.types import Chunk, TranscriptSegment, Word

SENTENCE_END = (".", "?", "!")
LONG_PAUSE = 1.0  # seconds of silence between words that ends a sentence even without punctuation
BREAK_TOLERANCE = 1.0  # seconds; a slide change found by 1 fps sampling may lag the sentence it belongs to
SECTION_PAUSE = 2.0  # seconds of silence that closes a chunk early (a topic change is likely)


def sentences(segments: list[TranscriptSegment]) -> list[list[Word]]:
    """Words grouped into sentences by end punctuation or long pauses."""
    words = [w for seg in segments for w in (seg.words or _segment_as_word(seg))]
    out: list[list[Word]] = []
    current: list[Word] = []
    for i, word in enumerate(words):
        current.append(word)
        nxt = words[i + 1] if i + 1 < len(words) else None
        ends = word.word.strip().endswith(SENTENCE_END)
        if nxt is None or ends or nxt.start - word.end >= LONG_PAUSE:
            out.append(current)
            current = []
    return out


def _segment_as_word(seg: TranscriptSegment) -> list[Word]:
    return [Word(start=seg.start, end=seg.end, word=seg.text)] if seg.text.strip() else []


def _split_long(sentence: list[Word], max_seconds: float) -> list[list[Word]]:
    parts: list[list[Word]] = [[]]
    for word in sentence:
        if parts[-1] and word.end - parts[-1][0].start > max_seconds:
            parts.append([])
        parts[-1].append(word)
    return parts


def _text(words: list[Word]) -> str:
    return " ".join(" ".join(w.word.strip() for w in words).split())


def build_chunks(segments: list[TranscriptSegment], options: ChunkOptions | None = None,
                 breaks: list[float] | None = None) -> list[Chunk]:
    """Group sentences into chunks of about [min_seconds, max_seconds].

    `breaks` are times (seconds) of slide changes: a sentence that starts after a break the chunk
    has not yet crossed closes the chunk (without overlap) once it has a third of its minimum
    length, so chunks line up with slides.

    Each chunk after the first starts with the trailing sentences of the previous one that fit in
    `overlap_seconds`, so a phrase spoken across a boundary is whole in at least one chunk. A long
    pause closes a chunk early once it has half its minimum length.
    """
    options = options or ChunkOptions()
    units: list[list[Word]] = []
    for sentence in sentences(segments):
        units.extend(_split_long(sentence, options.max_seconds))
    chunks: list[Chunk] = []
    current: list[list[Word]] = []

    def span(group: list[list[Word]]) -> float:
        return group[-1][-1].end - group[0][0].start

    def flush() -> None:
        nonlocal current
        words = [w for unit in current for w in unit]
        chunks.append(Chunk(start=words[0].start, end=words[-1].end, text=_text(words)))
        carry: list[list[Word]] = []
        for unit in reversed(current[1:]):  # never carry the whole chunk
            if span([unit] + carry) > options.overlap_seconds:
                break
            carry.insert(0, unit)
        current = carry

    breaks = sorted(breaks or [])
    fresh = 0  # units added since the last flush (carried units don't count)
    for unit in units:
        if current and fresh:
            pause = unit[0].start - current[-1][-1].end
            too_long = unit[-1].end - current[0][0].start > options.max_seconds
            long_enough = span(current) >= options.min_seconds
            slide_change = any(current[-1][-1].end - 0.5 <= b <= unit[0].start + BREAK_TOLERANCE for b in breaks)
            section_break = (
                (pause >= SECTION_PAUSE and span(current) >= options.min_seconds / 2)
                or (slide_change and span(current) >= options.min_seconds / 3)
            )
            if too_long or long_enough or section_break:
                flush()
                fresh = 0
                if section_break:
                    current = []  # no overlap across a topic change
        current.append(unit)
        fresh += 1
    if current and fresh:
        flush()
    return chunks
