"""A video's transcript as timed sentences and caption cues, from its overlapping chunks.

Whisper gives every word its own start and end; a chunk keeps them (`word_times`, stored with the
chunk as `encode_times` writes them), so a sentence or a caption line starts when its first word is
said, pauses included. Chunks overlap (each starts with the last sentences of the one before); with
word times they are read as one stream of words, each word once (the words two chunks share have the
same times), cut into sentences where the chunker cuts them: at . ? ! or a pause of LONG_PAUSE, so speech
Whisper gave no punctuation has sentences too. Chunks of indexes made before that (and text without
word times) are timed by their characters: a sentence's share of its chunk's characters is its share of
the chunk's time, and a sentence one of the last few repeats is the overlap.
"""

from __future__ import annotations

import json
from typing import Sequence

from momentsearch.types import shown_path

FORMATS = ("text", "srt", "vtt", "json")  # what `document` writes
RECENT = 6  # carried sentences repeat within this many of the last sentences
CUE_MAX_WORDS = 14  # a caption cue shows at most this many words
CUE_LINE_CHARS = 42  # a longer cue is shown on two lines (caption guides: 37-42 characters a line, two lines)
CUE_MIN_SECONDS = 0.5  # a caption cue is shown at least this long (unless the next one starts sooner)
TIME_STEP = 0.01  # seconds; word times are stored in hundredths of a second after the chunk's start
SENTENCE_END = (".", "?", "!")  # a word ending in one of these ends its sentence (the chunker's and the transcript's)
HESITATIONS = frozenset("um uh uhm umm eh ah er erm hmm".split())  # sounds a speaker makes, never words said
LONG_PAUSE = 1.0  # seconds of silence between words that ends a sentence even without punctuation
SAME_WORD = 0.02  # seconds; two chunks' stored times of one word differ by at most this (each rounds to TIME_STEP)
# a period after one of these (or after an initial, "J. Smith") does not end a sentence: "Dr. Lee", "e.g. heat"
ABBREVIATIONS = frozenset("dr mr mrs ms prof st vs e.g i.e cf fig figs eq eqs approx jr sr".split())
# ... and a period after one of these does not when a number follows: "No. 5", "pp. 12" ("the answer is no." ends)
NUMBER_ABBREVIATIONS = frozenset("no nos pp vol ch".split())
# a German ordinal is a number and a period ("am 12. Februar", "im 19. Jahrhundert", "der 2. Hauptsatz"): it ends
# no sentence before a month or one of these nouns (an English "in 2012. August was ..." is rare)
ORDINAL_NOUNS = frozenset("""januar februar märz april mai juni juli august september oktober november dezember
    jahrhundert jahrhunderts hauptsatz hauptsatzes kapitel auflage mal stock platz woche semester""".split())

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


def ends_sentence(word: str, following: str = "") -> bool:
    """Whether a word ends its sentence: it ends in . ? or !, and a period is not one of a title, a common
    abbreviation or an initial ("Dr.", "e.g.", "vs.", "J."; "I." and "A." are words and do end one), nor
    one of "No."/"pp." before a number, nor a German ordinal's ("12. Februar": `ORDINAL_NOUNS`) (`following`: the
    next word, "" when none or unknown)."""
    word = word.strip()
    if not word.endswith(SENTENCE_END):
        return False
    if word.endswith("."):
        stem = word.rstrip(".").lstrip("(\"'")
        if stem.lower() in ABBREVIATIONS or (len(stem) == 1 and stem.isupper() and stem not in "IA"):
            return False
        if stem.lower() in NUMBER_ABBREVIATIONS and following.strip()[:1].isdigit():
            return False
        if stem.isdigit() and following.strip(" ,;:.!?").lower() in ORDINAL_NOUNS:
            return False
    return True


def sentence_texts(text: str) -> list[str]:
    """The sentences of a text, as `ends_sentence` ends them."""
    parts: list[str] = []
    current: list[str] = []
    words = text.split()
    for i, word in enumerate(words):
        current.append(word)
        if ends_sentence(word, words[i + 1] if i + 1 < len(words) else ""):
            parts.append(" ".join(current))
            current = []
    return parts + ([" ".join(current)] if current else [])


def _by_characters(start: float, end: float, text: str):
    """(start, end, sentence) of one chunk's sentences, each timed by its share of the chunk's characters."""
    parts = sentence_texts(text)
    total = sum(len(p) + 1 for p in parts) or 1
    t = start
    for part in parts:
        dt = (end - start) * (len(part) + 1) / total
        yield t, t + dt, part
        t += dt


def _timed_words(chunk) -> list[tuple[float, float, str]] | None:
    """(start, end, word) per word of a chunk (start, end, text[, word times as given or as stored]), or
    None when its words' times are not known."""
    start, text = chunk[0], chunk[2]
    times = chunk[3] if len(chunk) > 3 else ()
    if isinstance(times, str):
        times = decode_times(start, times, text)
    words = text.split()
    if not times or len(times) != len(words):
        return None
    return [(float(s), float(e), w) for (s, e), w in zip(times, words)]


def _shared(before: list[tuple[float, float, str]], words: list[tuple[float, float, str]]) -> int:
    """How many of a chunk's first `words` are the last words of `before`: the chunk's overlap with the
    chunks before it (the same words at the same times; each chunk stores its own rounding of them)."""
    if not before:
        return 0
    reach = 0  # words that start no later than the last one before: only these can be shared
    while reach < len(words) and words[reach][0] <= before[-1][0] + SAME_WORD:
        reach += 1
    for n in range(min(reach, len(before)), 0, -1):
        if all(a[2] == b[2] and abs(a[0] - b[0]) <= SAME_WORD and abs(a[1] - b[1]) <= SAME_WORD
               for a, b in zip(before[-n:], words[:n])):
            return n
    return 0


def _said(words: list[tuple[float, float, str]]):
    """`words` (start, end, word) grouped into sentences as the chunker groups them: ended by . ! ? or a
    pause of LONG_PAUSE seconds (speech without punctuation has sentences too)."""
    current: list[tuple[float, float, str]] = []
    for i, word in enumerate(words):
        current.append(word)
        if i + 1 == len(words) or ends_sentence(word[2], words[i + 1][2]) or words[i + 1][0] - word[1] >= LONG_PAUSE:
            yield current
            current = []


def _add(out: list, start: float, end: float, text: str, times) -> None:
    """A sentence after those in `out`: it starts no earlier than the one before ends, and lasts >= 0."""
    start = round(max(start, out[-1][1] if out else 0.0), 3)
    out.append((start, round(max(end, start), 3), text, times))


def _once(chunks):
    """Every sentence of `chunks` once (see `sentences`), with its word times or None. Chunks with word
    times are read as one stream of words, each word once (the overlap found by the words' times), and cut
    into sentences; a chunk without them is cut at its punctuation, and a sentence the last few repeat
    (the overlap) is left out."""
    out: list[tuple[float, float, str, list | None]] = []
    stream: list[tuple[float, float, str]] = []  # the words of the timed chunks since the last untimed one

    def flush() -> None:
        for group in _said(stream):
            text = " ".join(w[2] for w in group)
            # said again, yet in no time of its own (Whisper's words piled up at the end of the audio), or
            # an untimed chunk before had it (the overlap): a repeat, not speech
            if not any(x[2] == text and (x[3] is None or group[-1][1] <= out[-1][1] + SAME_WORD)
                       for x in out[-RECENT:]):
                _add(out, group[0][0], group[-1][1], text, [(w[0], w[1]) for w in group])
        stream.clear()

    for chunk in sorted(chunks, key=lambda c: (c[0], c[1])):
        words = _timed_words(chunk)
        if words is not None:
            stream.extend(words[_shared(stream, words):])
            continue
        flush()
        for s, e, part in _by_characters(*chunk[:3]):
            if part not in {x[2] for x in out[-RECENT:]}:
                _add(out, s, e, part, None)
    flush()
    return out


def sentences(chunks) -> list[tuple[float, float, str]]:
    """(start, end, text) per sentence, in order. `chunks`: (start, end, text) or (start, end, text,
    word times as `word_times` gives them or as stored). Chunks share a sentence or two at their edges
    (the overlap); each sentence is given once."""
    return [(s, e, text) for s, e, text, _ in _once(chunks)]


def cues(chunks, max_words: int = CUE_MAX_WORDS, until: float = 0.0) -> list[tuple[float, float, str]]:
    """Caption cues (start, end, text): each sentence once (as `sentences`), cut into lines of at most
    `max_words` words, each line shown from its first word's start to its last word's end (by
    characters where the words' times are unknown), and for at least CUE_MIN_SECONDS (a lone "Right."
    that Whisper gave no length, words squeezed by overlapping caption cues) while the next is not due
    and the file (`until` seconds long; 0: not known) has not ended."""
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
            out.append((s, e, line))
            t += dt
    return _shown(out, until)


def _shown(lines: list[tuple[float, float, str]], until: float = 0.0) -> list[tuple[float, float, str]]:
    """Caption `lines` (start, end, text) in order, made valid for a player: each starts when the one
    before has ended, and lasts CUE_MIN_SECONDS, or up to the next, or TIME_STEP at the very least
    (a cue of no length is never shown; WebVTT wants its end after its start); none ends after `until`
    (the file's length, when known and the cue starts before it): a last word said at the very end is
    not captioned past it."""
    out: list[tuple[float, float, str]] = []
    for i, (start, end, text) in enumerate(lines):
        start = max(start, out[-1][1]) if out else start
        due = lines[i + 1][0] if i + 1 < len(lines) else float("inf")
        end = max(end, min(start + CUE_MIN_SECONDS, due), start + TIME_STEP)
        if until > 0:
            end = min(end, max(until, start + TIME_STEP))
        out.append((round(start, 3), round(end, 3), text))
    return out


def _stamp(t: float, comma: bool = False) -> str:
    ms = int(round(max(0.0, t) * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    sec, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{sec:02d}{',' if comma else '.'}{ms:03d}"


def _two_lines(text: str) -> list[str]:
    """A cue's text as players show it: one line, or two of about equal length (cut at the space that makes
    the longer one shortest) when it is longer than CUE_LINE_CHARS."""
    if len(text) <= CUE_LINE_CHARS or " " not in text:
        return [text]
    cut = min((i for i, c in enumerate(text) if c == " "), key=lambda i: max(i, len(text) - i - 1))
    return [text[:cut], text[cut + 1:]]


def vtt_text(text: str) -> str:
    """`text` as a WebVTT cue's text: & < > as character references (a bare "<" opens a tag, and what follows
    is not shown), and "-->" (which would end the cue's text) as an arrow."""
    return text.replace("-->", "\u2192").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webvtt(timed) -> str:
    """A WebVTT document of (start, end, text) cues (a long text on two lines: `_two_lines`)."""
    lines = ["WEBVTT", ""]
    for n, (start, end, text) in enumerate(timed, 1):
        lines += [str(n), f"{_stamp(start)} --> {_stamp(end)}", *map(vtt_text, _two_lines(text)), ""]
    return "\n".join(lines)


def srt(timed) -> str:
    """A SubRip (.srt) document of (start, end, text) cues (a long text on two lines: `_two_lines`)."""
    lines = []
    for n, (start, end, text) in enumerate(timed, 1):
        shown = _two_lines(text.replace("-->", "\u2192"))
        lines += [str(n), f"{_stamp(start, True)} --> {_stamp(end, True)}", *shown, ""]
    return "\n".join(lines)


def _clock(t: float) -> str:
    minutes, seconds = divmod(int(t), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def _within(rows, start: float | None, end: float | None):
    """The rows (start, end, ...) that overlap [start, end]."""
    return [r for r in rows if (start is None or r[1] > start) and (end is None or r[0] < end)]


def document(record, chunks, fmt: str, start: float | None = None, end: float | None = None) -> str:
    """The transcript of `record` (a types.FileRecord) from its indexed `chunks` (types.TranscriptChunk) as
    one of FORMATS: text ("[m:ss] sentence" lines), srt, vtt (caption cues) or json (sentences); only what
    overlaps [start, end] (seconds) when they are given."""
    rows = [(c.start, c.end, c.text, c.word_times) for c in chunks]
    if fmt in ("srt", "vtt"):
        shown = _within(cues(rows, until=record.duration), start, end)
        return srt(shown) if fmt == "srt" else webvtt(shown)
    said = _within(sentences(rows), start, end)
    if fmt == "json":
        return json.dumps({"video": shown_path(record.path), "video_id": record.video_id,
                           "source": record.sources.get("transcript", ""), "language": record.language,
                           "sentences": [{"start": s, "end": e, "text": t} for s, e, t in said]},
                          ensure_ascii=False, indent=1)
    return "\n".join(f"[{_clock(s)}] {t}" for s, e, t in said)
