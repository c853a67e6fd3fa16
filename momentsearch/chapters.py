"""Chapters out: a video's table of contents, from its slide titles or, without slides, its speech.

With slides (OCR found titles over at least SLIDE_SHARE of the video): a chapter starts where the
slide title changes (builds of one slide, and OCR noise between near-identical titles, stay one
chapter). Without: TextTiling over the transcript chunks' sentence vectors: a chapter starts at
the deepest dips in similarity between the chunks before and after a gap, and where the talk resumes after
a silence of SILENCE seconds or more (a coffee break, a muted microphone, music: a topic change whatever the
words say, as for sections), at least MIN_SPEECH_CHAPTER apart; its title is the first sentence of its own
first words. Times are seconds.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from momentsearch.clip_names import part_name
from momentsearch.pipeline.segment import SILENCE
from momentsearch.transcript import HESITATIONS, sentence_texts, vtt_text

SLIDE_SHARE = 0.3  # titled slides must cover this share of the video for slide chapters
MIN_CHAPTER = 8.0  # seconds; a shorter slide chapter is merged into the next (from its start, the next title)
MIN_SPEECH_CHAPTER = 45.0  # seconds between speech chapter starts (shorter videos: a tenth of it)
SAME_TITLE = 0.85  # character similarity at which two slide titles are one chapter (OCR noise)
MIN_DEPTH = 0.05  # cosine; a dip shallower than this between chunk windows is no topic shift
TITLE_WORDS = 8  # a speech chapter's title is at most this many words
FILLERS = {"so", "okay", "ok", "now", "alright", "right", "well", "and", "then", "next"} | HESITATIONS
FORMATS = ("text", "json", "youtube", "vtt")
YOUTUBE_MIN_CHAPTERS = 3  # YouTube shows a description's chapters only from this many timestamps ...
YOUTUBE_MIN_SECONDS = 10.0  # ... each chapter at least this long (else the lines stay plain text)


@dataclass(frozen=True)
class Chapter:
    start: float
    end: float
    title: str
    source: str  # "slides" or "speech"

    def to_json(self) -> dict:
        return {"start": round(self.start, 3), "end": round(self.end, 3), "title": self.title, "source": self.source}


def _same(a: str, b: str) -> bool:
    """Titles that differ by OCR noise only (a letter or two)."""
    from difflib import SequenceMatcher

    return SequenceMatcher(None, a.lower(), b.lower()).ratio() >= SAME_TITLE


def from_slides(slides: list[tuple[float, float, str]], duration: float) -> list[Chapter]:
    """Chapters where the slide title changes; `slides` are (start, end, title), "" for no title."""
    starts: list[tuple[float, str]] = []
    for start, _end, title in sorted(slides):
        title = " ".join(title.split())
        if not title or (starts and _same(title, starts[-1][1])):
            continue
        if starts and start - starts[-1][0] < MIN_CHAPTER:
            # the slide before lasted only seconds (a title card, a transition frame): the lasting title names it
            starts[-1] = (starts[-1][0], title)
            continue
        starts.append((start, title))
    return _close(starts, duration, "slides")


def _close(starts: list[tuple[float, str]], duration: float, source: str) -> list[Chapter]:
    if not starts:
        return []
    starts[0] = (0.0, starts[0][1])  # the table of contents starts at the start
    ends = [s for s, _ in starts[1:]] + [max(duration, starts[-1][0])]
    return [Chapter(round(s, 3), round(e, 3), t, source) for (s, t), e in zip(starts, ends)]


def title_from(text: str) -> str:
    """A short title from a chunk's own words: its first sentence of more than fillers, fillers off the front,
    hesitations ("eh", "um") and a word said twice running ("the, the") out of it, cut to TITLE_WORDS."""
    for sentence in sentence_texts(text) or [""]:  # "Um." alone is no sentence to name a chapter by
        words = _fluent(sentence.rstrip(".!?").split())
        while words and words[0].lower().strip(",") in FILLERS:
            words.pop(0)
        if words:
            break
    if not words:
        words = text.split()[:TITLE_WORDS]
    cut = len(words) > TITLE_WORDS
    words = words[:TITLE_WORDS]
    words[-1] = words[-1].rstrip(",;:") if words else ""
    title = " ".join(words)
    return (title[:1].upper() + title[1:] + ("…" if cut else "")) if title else "Untitled"


def _fluent(words: list[str]) -> list[str]:
    """Words without hesitation sounds and without a word repeated right after itself: "the, the ultimate"
    -> "the ultimate", "gain, uh, matters" -> "gain matters"."""
    out: list[str] = []
    for word in words:
        bare = word.lower().strip(",;:-")
        repeat = bool(out and bare and bare == out[-1].lower().strip(",;:-"))
        if bare in HESITATIONS or repeat:
            if out and (bare in HESITATIONS or not word.endswith(",")):
                out[-1] = out[-1].rstrip(",")
            continue
        out.append(word)
    return out


def from_speech(chunks: list[tuple[float, float, str]], vectors: np.ndarray, duration: float) -> list[Chapter]:
    """Chapters at topic shifts: TextTiling depth scores over the chunks' vectors (rows, any scale)."""
    if not chunks:
        return []
    n = len(chunks)
    min_gap = MIN_SPEECH_CHAPTER if duration >= 10 * MIN_SPEECH_CHAPTER else max(MIN_CHAPTER, duration / 10)
    cuts: list[int] = []  # chunk i starts a chapter

    def cut_at(i: int) -> None:
        t = _boundary(chunks, i)
        if t >= min_gap and duration - t >= min_gap / 2 and all(abs(t - _boundary(chunks, c)) >= min_gap for c in cuts):
            cuts.append(i)

    # nobody spoke for SILENCE seconds: the talk stopped, and resumes on a new chapter (the silence ends the one before)
    for i in range(1, n):
        if chunks[i][0] - chunks[i - 1][1] >= SILENCE:
            cut_at(i)
    if n >= 3 and len(vectors) == n:
        v = np.asarray(vectors, dtype=np.float64)
        v = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
        gap_sim = np.array([_cos(v[max(0, i - 2):i].mean(0), v[i:i + 2].mean(0)) for i in range(1, n)])
        depth = np.array([(gap_sim[:i + 1].max() - s) + (gap_sim[i:].max() - s) for i, s in enumerate(gap_sim)])
        cutoff = max(depth.mean() + depth.std() / 2, MIN_DEPTH)  # the clearly deeper dips only
        for i in np.argsort(-depth, kind="stable"):
            if depth[i] < cutoff:
                break
            cut_at(i + 1)
    starts = [(0.0, title_from(chunks[0][2]))]
    starts += [(_boundary(chunks, c), title_from(_fresh_text(chunks, c))) for c in sorted(cuts)]
    return _close(starts, duration, "speech")


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-12))


def _boundary(chunks, i: int) -> float:
    """Where chunk i's new speech starts: after the sentences it carried over from chunk i-1."""
    prev_end = chunks[i - 1][1]
    return prev_end if chunks[i][0] < prev_end else chunks[i][0]


def _fresh_text(chunks, i: int) -> str:
    """Chunk i's text without the sentences it repeats from chunk i-1 (chunks overlap by a sentence or two)."""
    text, prev = chunks[i][2], chunks[i - 1][2]
    for cut in range(min(len(text), len(prev)), 0, -1):
        if prev.endswith(text[:cut]) and (cut == len(text) or text[cut] == " "):
            return text[cut:].strip() or text
    return text


def make_chapters(slides, chunks, vectors, duration: float) -> list[Chapter]:
    """Slide chapters when titled slides cover SLIDE_SHARE of the video (with a "Questions" chapter where
    the lecturer takes questions off the slides: `with_questions`), else speech chapters."""
    titled = sum(e - s for s, e, t in slides if t.strip())
    if slides and duration > 0 and titled >= SLIDE_SHARE * duration:
        chapters = from_slides(slides, duration)
        if len(chapters) > 1 or not chunks:
            return with_questions(chapters, slides, chunks)
    return from_speech(chunks, vectors, duration)


def with_questions(chapters: list[Chapter], slides, chunks) -> list[Chapter]:
    """`chapters` with a chapter "Questions" over each stretch of MIN_CHAPTER seconds or more with no titled
    slide on screen (the camera on the lecturer) in which the lecturer takes a question
    (`ranking.structure.ASKED`: "let me take a few questions", "good question"); the chapter it lay in
    goes on after it under its own title."""
    from momentsearch.ranking.structure import ASKED

    if not chapters:
        return chapters
    gaps, at = [], 0.0
    for start, end in sorted((s, e) for s, e, t in slides if t.strip()) + [(chapters[-1].end, chapters[-1].end)]:
        if start - at >= MIN_CHAPTER:
            gaps.append((at, start))
        at = max(at, end)
    for g0, g1 in gaps:
        if not any(g0 <= (c0 + c1) / 2 < g1 and ASKED.search(text) for c0, c1, text in chunks):
            continue
        kept = [piece for ch in chapters for piece in (Chapter(ch.start, min(ch.end, g0), ch.title, ch.source),
                                                       Chapter(max(ch.start, g1), ch.end, ch.title, ch.source))
                if piece.end - piece.start > 1e-6]
        chapters = sorted(kept + [Chapter(g0, g1, "Questions", "speech")], key=lambda c: c.start)
    return chapters


# -------------------------------------------------------------------------------------- formats

def _clock(t: float, always_hours: bool = False) -> str:
    t = int(t)
    h, m, s = t // 3600, t // 60 % 60, t % 60
    return f"{h}:{m:02d}:{s:02d}" if h or always_hours else f"{m:02d}:{s:02d}"


def _vtt_stamp(t: float) -> str:
    ms = int(round(t * 1000))
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def format_chapters(chapters: list[Chapter], fmt: str) -> str:
    """`text` (start, end, source, title), `json`, `youtube` (the "00:00 Title" lines a description takes)
    or `vtt` (a WebVTT chapters track)."""
    if fmt == "json":
        return json.dumps([c.to_json() for c in chapters], ensure_ascii=False)
    if fmt == "youtube":
        hours = bool(chapters) and chapters[-1].start >= 3600
        return "\n".join(f"{_clock(c.start, hours)} {c.title}" for c in chapters)
    if fmt == "vtt":
        cues = [f"{i}\n{_vtt_stamp(c.start)} --> {_vtt_stamp(c.end)}\n{vtt_text(c.title)}\n"
                for i, c in enumerate(chapters, 1)]
        return "WEBVTT\n\n" + "\n".join(cues)
    if fmt == "text":
        return "\n".join(f"{_clock(c.start)}-{_clock(c.end)}  {c.title}  [{c.source}]" for c in chapters)
    raise ValueError(f"unknown chapter format {fmt!r}; one of {', '.join(FORMATS)}")


def youtube_note(chapters: list[Chapter]) -> str:
    """Why YouTube would show no chapters from these `youtube` lines ("" when it would): it wants at least
    YOUTUBE_MIN_CHAPTERS timestamps, each chapter YOUTUBE_MIN_SECONDS long or more."""
    if not chapters:
        return ""
    if len(chapters) < YOUTUBE_MIN_CHAPTERS:
        return (f"{len(chapters)} chapter{'s' if len(chapters) > 1 else ''}: YouTube shows chapters only from "
                f"{YOUTUBE_MIN_CHAPTERS} timestamps on, so these lines stay plain text in a description")
    short = [c for c in chapters if c.end - c.start < YOUTUBE_MIN_SECONDS]
    if short:
        return (f"{len(short)} chapter{'s' if len(short) > 1 else ''} shorter than {YOUTUBE_MIN_SECONDS:g} s "
                f"({_clock(short[0].start)} {short[0].title}): YouTube shows no chapters while one is")
    return ""


def write_text(text: str, out: str | os.PathLike, video: str, inputs: list[str], overwrite: bool = False,
               what: str = "chapters") -> None:
    """Write `text` about `video` (its `what`: chapters, transcript) to `out`, never over data: QueryError
    when `out` is named like a media file (text: `-o talk.mp4` is a slip of the keyboard), is the `video`
    itself or another of the
    `inputs` (indexed files), is a caption file of the video (`talk.vtt` next to `talk.mp4`: `--format vtt
    -o talk.vtt` is the natural slip; a transcript as subtitles is written beside the video only under
    another name), is a folder, or exists and `overwrite` is off. Written to a temporary
    file first and renamed, so a failed write leaves the old file as it was."""
    from momentsearch.errors import QueryError
    from momentsearch.pipeline.captions import named_as_captions, sidecar_files
    from momentsearch.pipeline.discover import HEIF_EXTENSIONS, MEDIA_EXTENSIONS

    out = Path(out)
    if same_file(out, video):
        raise QueryError(f"{out} is the video itself: name another file for its {what}")
    if (used := next((p for p in inputs if same_file(out, p)), None)) is not None:
        raise QueryError(f"{out} is an indexed file ({used}): name another file for the {what}")
    if any(same_file(out, p) for p, _ in sidecar_files(video)):
        raise QueryError(f"{out} holds the captions of {Path(video).name}: name another file for its {what}")
    if what == "chapters" and named_as_captions(video, out):  # (a transcript there is the video's own words)
        raise QueryError(f"{out} would be read as the captions of {Path(video).name} when it is indexed again "
                         f"(its chapter titles in place of its speech): name another file, such as "
                         f"{Path(video).stem}.chapters{out.suffix}")
    if out.suffix.lower() in MEDIA_EXTENSIONS | HEIF_EXTENSIONS:
        raise QueryError(f"{out} is named like a media file: name a .txt, .json, .srt or .vtt file for the {what}")
    if out.is_dir():
        raise QueryError(f"{out}: Is a directory")
    if out.exists():
        if not overwrite:
            raise QueryError(f"{out} exists: add --force to replace it, or name another file")
    write_atomically(out, text + "\n")


def write_atomically(out: str | os.PathLike, text: str) -> None:
    """Write `text` (UTF-8) to `out`, its folder made when missing, through a temporary file renamed into
    place: a failed write leaves the old file as it was, and never half a file."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = part_name(out)
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, out)
    except OSError as exc:  # named as the user named it: "media/.week2.vtt.part: Permission denied" read as a bug
        raise OSError(exc.errno, exc.strerror, os.fspath(out)) from exc
    finally:
        tmp.unlink(missing_ok=True)


def same_file(a: str | os.PathLike | None, b: str | os.PathLike | None) -> bool:
    """Whether the paths `a` and `b` name one existing file (through links too): an output never goes over an input."""
    try:
        return bool(a and b) and os.path.samefile(a, b)
    except OSError:  # one of the two is not there
        return False


def boundary_f1(predicted: list[float], truth: list[float], tolerance: float = 2.0) -> dict[str, float]:
    """Precision, recall and F1 of chapter starts against true section starts, each true start matched at
    most once within `tolerance` seconds. The start of the video (0) is left out of both."""
    pred = sorted(t for t in predicted if t > tolerance)
    gold = sorted(t for t in truth if t > tolerance)
    used: set[int] = set()
    hits = 0
    for t in pred:
        best = min((j for j in range(len(gold)) if j not in used and abs(gold[j] - t) <= tolerance),
                   key=lambda j: abs(gold[j] - t), default=None)
        if best is not None:
            used.add(best)
            hits += 1
    p = hits / len(pred) if pred else float(not gold)
    r = hits / len(gold) if gold else 1.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}
