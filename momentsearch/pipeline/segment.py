"""Transcript chunks from word timestamps (sentence aligned, about min..max seconds, with overlap), and
the sections of a talk: where its topic changes when the picture does not (pauses, sentence ends, and a
drop of similarity between the sentences before and after a gap)."""

from __future__ import annotations

import bisect
from itertools import dropwhile
from typing import Sequence

import numpy as np

from momentsearch.options import ChunkOptions
from momentsearch.types import Chunk, TranscriptSegment, Word
from momentsearch.transcript import HESITATIONS, LONG_PAUSE, ends_sentence, word_times

RUN_ON = 20.0  # seconds; a sentence longer than this is several whose full stops the recogniser left out
BREAK_TOLERANCE = 1.0  # seconds; a slide change found by 1 fps sampling may lag the sentence it belongs to
SECTION_PAUSE = 2.0  # seconds of silence that closes a chunk early (a topic change is likely)
SNAP_SECONDS = 8.0  # a topic boundary moves at most this far (one sentence) to where the speaker paused ...
SNAP_PAUSE = 1.0  # ... for at least this long (seconds) ...
SNAP_RATIO = 2.0  # ... and this many times as long as at the gap the topic scores chose
PAUSE_SHARE = 0.3  # topic score a pause of SECTION_PAUSE or longer adds to a gap between sentences
SILENCE = 20.0  # seconds without a word: the talk stopped (a pre-roll before the lecture, a silent exercise) ...
SILENCE_SHARE = 1.0  # ... which alone is a topic change, placed ...
RESUME_LEAD = 1.0  # ... this many seconds before the talk resumes (the silence stays with what came before)
# cue phrases that open a new topic in spoken lectures (discourse markers as in Hirschberg and Litman's
# studies of cue phrases), matched on a sentence's first words; a general list, not the benchmark's
# (whose dev scripts open 20 of 97 sections with one: "Let me", "Let's", "Now", "Finally", "Right")
_CUES = tuple(tuple(c.split()) for c in """now|next|finally|lastly|okay|ok|alright|all right|right|anyway|
    first|firstly|second|secondly|third|thirdly|let's|let me|let us|moving on|turning to|to sum up|
    to summarise|to summarize|in summary|to recap|to conclude|in conclusion|back to|welcome back|
    before we|one more|on to|nun|jetzt|als nächstes|kommen wir|zunächst|erstens|zweitens|drittens|schließlich|
    zum schluss|zusammenfassend|abschließend|bevor wir|noch eine|noch ein|zurück zu|weiter mit""".replace("\n", "").split("|"))
# (German: "Bevor wir weitermachen", "Noch eine Bemerkung", "Kommen wir zum Carnot-Prozess" open topics too)
# ... but not "next" when the word after it names a later session: "Next time we look at costs", "Next week ..."
# close a lecture (announcements), they do not open a topic
_LATER = frozenset("""time week lecture session class term year month tuesday monday wednesday thursday friday
    saturday sunday""".split())
# a question that opens a topic asks about its content ("So why does the line slope down?"); one that closes
# a topic asks the room ("Any questions?", "Does that make sense?") and does not start with these
_ASKING = frozenset("why what how when where which who whose whom".split())
_LEADING = frozenset("so but and now then okay ok well right".split())
OPENING_QUESTION = (15, 8.0)  # at most this many words and seconds: a framing question, not a long one


def sentences(segments: list[TranscriptSegment]) -> list[list[Word]]:
    """Words grouped into sentences by end punctuation or long pauses; a run-on "sentence" (`_run_on`) is cut
    at its longest pauses."""
    words = [w for seg in segments for w in (seg.words or _segment_as_word(seg))]
    out: list[list[Word]] = []
    current: list[Word] = []
    for i, word in enumerate(words):
        current.append(word)
        nxt = words[i + 1] if i + 1 < len(words) else None
        ends = ends_sentence(word.word, nxt.word if nxt is not None else "")
        if nxt is None or ends or nxt.start - word.end >= LONG_PAUSE:
            out += _run_on(current)
            current = []
    return out


def _run_on(sentence: list[Word]) -> list[list[Word]]:
    """A sentence longer than RUN_ON seconds cut at its longest gap between words, again until no part is:
    Whisper sometimes leaves half a minute unpunctuated and shrinks its pauses under LONG_PAUSE, and a topic
    change inside such a stretch had no gap between sentences to be found at."""
    out, todo = [], [sentence]
    while todo:
        part = todo.pop()
        if len(part) < 2 or part[-1].end - part[0].start <= RUN_ON:
            out.append(part)
            continue
        gaps = np.array([b.start - a.end for a, b in zip(part, part[1:])])
        middle = -np.abs(np.arange(1, len(part)) - len(part) / 2)  # of equal gaps, the one nearest the middle
        at = int(np.lexsort((middle, np.round(gaps, 2)))[-1]) + 1
        todo += [part[at:], part[:at]]
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


def _split_at_breaks(unit: list[Word], breaks: Sequence[float]) -> list[list[Word]]:
    """A sentence that runs on across a slide change (Whisper left out the full stop), cut at the gap
    between words nearest each break that lies more than BREAK_TOLERANCE inside it. `breaks` sorted."""
    lo = bisect.bisect_right(breaks, unit[0].start + BREAK_TOLERANCE)
    hi = bisect.bisect_left(breaks, unit[-1].end - BREAK_TOLERANCE)
    inside = breaks[lo:hi]  # a three-hour lecture has thousands of sentences and hundreds of breaks
    if not inside or len(unit) < 2:
        return [unit]
    gaps = np.array([(a.end + b.start) / 2 for a, b in zip(unit, unit[1:])])
    at = sorted({int(np.argmin(np.abs(gaps - b))) + 1 for b in inside})
    return [unit[i:j] for i, j in zip([0] + at, at + [len(unit)])]


def _text(words: list[Word]) -> str:
    return " ".join(" ".join(w.word.strip() for w in words).split())


def _span(group: list[list[Word]]) -> float:
    return group[-1][-1].end - group[0][0].start


def _chunk(group: list[list[Word]]) -> Chunk:
    words = [w for unit in group for w in unit]
    return Chunk(start=words[0].start, end=words[-1].end, text=_text(words), word_times=word_times(words))


class _Chunker:
    """The state of `build_chunks`: the sentences of each chunk so far, and of the one being filled."""

    def __init__(self, options: ChunkOptions) -> None:
        self.options = options
        self.made: list[list[list[Word]]] = []  # the units of each chunk (the last one can still take a few more)
        self.current: list[list[Word]] = []

    def flush(self) -> None:
        """Close the current chunk; the next one starts with its trailing units that fit in the overlap."""
        self.made.append(list(self.current))
        carry: list[list[Word]] = []
        for unit in reversed(self.current[1:]):  # never carry the whole chunk
            if _span([unit] + carry) > self.options.overlap_seconds:
                break
            carry.insert(0, unit)
        self.current = carry

    def join_previous(self, fresh: int) -> bool:
        """The last `fresh` units of the current chunk join the chunk before, if it stays short enough."""
        if not self.made or _span(self.made[-1] + self.current[-fresh:]) > self.options.max_seconds:
            return False
        self.made[-1] = self.made[-1] + self.current[-fresh:]
        return True


def build_chunks(segments: list[TranscriptSegment], options: ChunkOptions | None = None,
                 breaks: list[float] | None = None) -> list[Chunk]:
    """Group sentences into chunks of about [min_seconds, max_seconds].

    `breaks` are times (seconds) of slide changes: a sentence that starts after a break the chunk
    has not yet crossed closes the chunk (without overlap) once it has a third of its minimum
    length, so chunks line up with slides.

    Each chunk after the first starts with the trailing sentences of the previous one that fit in
    `overlap_seconds`, so a phrase spoken across a boundary is whole in at least one chunk. A long
    pause closes a chunk early once it has half its minimum length.

    A chunk never runs on across a break, not even inside a sentence (a run-on sentence is cut at the
    word gap nearest the break): what was said since the last chunk closed, too short to
    stand alone, joins that chunk (if it stays within `max_seconds`), else it is a short chunk of
    its own. (A slide's closing remark glued to the next slide's first sentence made a chunk that
    belonged to neither slide, and a moment spanning both won the queries about either.)
    """
    options = options or ChunkOptions()
    breaks = sorted(breaks or [])
    units: list[list[Word]] = []
    for sentence in sentences(segments):
        for part in _split_at_breaks(sentence, breaks):
            units.extend(_split_long(part, options.max_seconds))
    state = _Chunker(options)
    fresh = 0  # units added since the last flush (carried units don't count)
    after_break = False  # the last chunk was closed by a break (nothing may join it from the other side)
    for unit in units:
        current = state.current
        if current and fresh:
            pause = unit[0].start - current[-1][-1].end
            too_long = unit[-1].end - current[0][0].start > options.max_seconds
            long_enough = _span(current) >= options.min_seconds
            slide_change = any(current[-1][-1].end - 0.5 <= b <= unit[0].start + BREAK_TOLERANCE for b in breaks)
            section_break = (
                (pause >= SECTION_PAUSE and _span(current) >= options.min_seconds / 2)
                or (slide_change and _span(current) >= options.min_seconds / 3)
            )
            if slide_change and not (too_long or long_enough or section_break):
                # too short to stand alone, yet the next sentence is on the other side of a break
                if after_break or not state.join_previous(fresh):
                    state.flush()
                state.current, fresh, after_break = [], 0, True
            elif too_long or long_enough or section_break:
                state.flush()
                fresh = 0
                after_break = section_break or slide_change
                if after_break:
                    state.current = []  # no overlap across a topic or slide change
        state.current.append(unit)
        fresh += 1
    if state.current and fresh:
        state.flush()
    return [_chunk(group) for group in state.made]


# -- sections: where a topic changes ------------------------------------------------------------------
def _climb(values: np.ndarray, i: int, step: int) -> float:
    """The highest value reached walking from i in direction `step` while values keep rising (TextTiling)."""
    best, j = values[i], i + step
    while 0 <= j < len(values) and values[j] >= best:
        best, j = values[j], j + step
    return float(best)


def _pauses(units: list[list[Word]]) -> np.ndarray:
    """Seconds of silence in each gap between neighbouring sentences."""
    return np.array([units[i + 1][0].start - units[i][-1].end for i in range(len(units) - 1)])


def topic_scores(units: list[list[Word]], vectors: np.ndarray, window: int = 3,
                 cuts: Sequence[float] = (), cue_share: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """(time, score) of each gap between neighbouring sentences: how much the topic changes there.

    The score is the TextTiling depth of the similarity between the mean embedding of up to `window`
    sentences before and after the gap (how far it dips below the peaks on both sides), plus a share
    for the pause at the gap (a speaker stops before a new topic), plus `cue_share` when the sentence
    after it opens with a cue phrase ("Now, ...", "Let's ...": `opens_topic`). `vectors` are
    L2-normalised rows. The time is the gap's middle, but after a silence of SILENCE seconds or more
    (nobody spoke: the room before the lecture, an exercise done in silence), which scores SILENCE_SHARE
    more whatever the words around it say, it is RESUME_LEAD seconds before the talk resumes.
    A gap during which the slide changes (one of `cuts`, within BREAK_TOLERANCE) scores -inf: that
    change is its boundary already (an exercise in silence is not split half way through its silence);
    no window reaches across it, so the talk on the next slide does not make a dip one sentence before."""
    n = len(units)
    if n < 2:
        return np.zeros(0), np.zeros(0)
    vectors = np.asarray(vectors, dtype=np.float64)
    csum = np.vstack([np.zeros(vectors.shape[1]), np.cumsum(vectors, axis=0)])
    changes = np.asarray(sorted(cuts), dtype=np.float64)
    crossed = np.array([bool(((changes >= units[i][-1].end - BREAK_TOLERANCE)
                              & (changes <= units[i + 1][0].start + BREAK_TOLERANCE)).any()) for i in range(n - 1)])
    stretch = np.concatenate([[0], np.cumsum(crossed)])  # per sentence: how many such gaps lie before it
    first = np.searchsorted(stretch, stretch, side="left")  # per sentence: the first of its stretch
    after = np.searchsorted(stretch, stretch, side="right")  # ... and one past its last
    sims = np.full(n - 1, -np.inf)  # a crossed gap stops the climbs below
    open_gaps = np.flatnonzero(~crossed)
    for i in open_gaps:  # gap after sentence i
        left = csum[i + 1] - csum[max(first[i], i + 1 - window)]
        right = csum[min(after[i], i + 1 + window)] - csum[i + 1]
        sims[i] = left @ right / max(np.linalg.norm(left) * np.linalg.norm(right), 1e-9)
    depth = np.full(n - 1, -np.inf)
    for i in open_gaps:
        depth[i] = _climb(sims, i, -1) + _climb(sims, i, 1) - 2 * sims[i]
    pauses = _pauses(units)
    times = np.array([(units[i][-1].end + units[i + 1][0].start) / 2 for i in range(n - 1)])
    silent = pauses >= SILENCE
    resumes = np.array([units[i + 1][0].start - RESUME_LEAD for i in range(n - 1)])
    times = np.where(silent, resumes, times)
    cues = np.array([opens_topic(units[i + 1]) for i in range(n - 1)], dtype=np.float64)
    return times, depth + PAUSE_SHARE * np.clip(pauses / SECTION_PAUSE, 0.0, 1.0) + cue_share * cues + \
        SILENCE_SHARE * silent


def opens_topic(sentence: list[Word]) -> bool:
    """Whether a sentence opens with a cue phrase that usually starts a new topic ("Now, ...", "Let's
    ...", "Finally, ...", "Moving on ..."), hesitations before it aside ("Eh, now ...")."""
    words = [w.word.lower().strip(" ,.;:!?\"'") for w in sentence]
    first = list(dropwhile(lambda w: w in HESITATIONS, words))[:3]
    if first[:1] == ["next"] and len(first) > 1 and first[1].removesuffix("'s").removesuffix("’s") in _LATER:
        return False
    return any(tuple(first[:len(cue)]) == cue for cue in _CUES)


def topic_boundaries(units: list[list[Word]], vectors: np.ndarray, cuts: list[float], duration: float,
                     options: ChunkOptions | None = None) -> list[float]:
    """Times (seconds) where the talk changes topic inside a stretch with no picture change.

    Between two neighbouring `cuts` (slide changes; 0 and `duration` are the ends) that lie more than
    twice `min_section` apart and further than one topic's time (`one_topic_span`), the gaps with the
    highest topic scores at least `topic_depth` become boundaries, best first, as long as every piece
    stays `min_section` long. A pause during which the slide changes is no candidate: that change is its
    boundary already (an exercise in silence is not split in the middle of its silence). Where the
    recording runs on before the first word or after the last one, the talk's ends are boundaries too
    (`_outside_talk`), on a slide of any length."""
    options = options or ChunkOptions()
    times, scores = topic_scores(units, vectors, options.topic_window, cuts=cuts, cue_share=options.cue_share)
    if times.size == 0:
        return []
    pauses = _pauses(units)
    edges = [0.0] + sorted(c for c in cuts if 0 < c < duration) + [max(duration, float(times[-1]))]
    longest_one_topic = one_topic_span(edges, options.one_topic)
    found: list[float] = []
    for lo, hi in zip(edges, edges[1:]):
        if hi - lo < 2 * options.min_section or hi - lo <= longest_one_topic:
            continue
        inside = np.flatnonzero((times > lo + options.min_section) & (times < hi - options.min_section))
        chosen = [lo, hi]
        for i in inside[np.argsort(-scores[inside], kind="stable")]:
            if scores[i] < options.topic_depth:
                break
            if all(abs(times[i] - c) >= options.min_section for c in chosen):
                chosen.append(float(times[i]))
        chosen = [lo, hi] + _at_pause(chosen, times, pauses, scores, options.min_section)
        found += sorted(_before_question(chosen, units, times, scores, pauses, options.min_section))
    return sorted(found + _outside_talk(units, edges, found, options.min_section))


def _outside_talk(units: list[list[Word]], edges: list[float], found: list[float], min_section: float) -> list[float]:
    """A boundary RESUME_LEAD seconds before the first word when nothing was said for SILENCE seconds or more
    since its stretch began (`edges`: slide changes with the video's ends), and as long after the last word
    when nothing is said for as long until its stretch ends: a recording that runs before the lecture or on
    after it (a waiting room, students leaving) is not part of the first or last topic. Each only where
    every piece stays `min_section` long (beside the slide changes and the other boundaries, `found`)."""
    first, last = units[0][0].start, units[-1][-1].end
    before = edges[bisect.bisect_right(edges, first) - 1]
    after = edges[min(bisect.bisect_right(edges, last), len(edges) - 1)]
    out = []
    if first - before >= SILENCE:
        out.append(first - RESUME_LEAD)
    if after - last >= SILENCE:
        out.append(last + RESUME_LEAD)
    return [t for t in out if all(abs(t - e) >= min_section for e in edges + found)]


ONE_TOPIC_SLIDES = 4  # slides a video needs before its median slide says how long one topic lasts


def one_topic_span(edges: Sequence[float], ratio: float) -> float:
    """Seconds up to which a stretch between picture changes (`edges`: the video's start, its slide
    changes, its end) is taken to hold one topic: `ratio` times the median stretch, when there are
    `ONE_TOPIC_SLIDES` or more; else 0 (no such rule: a talking head, a lecture of two slides).

    Lecturers keep a rhythm of about one topic per slide. A dip in the talk's similarity inside a slide
    of usual length is most often a sentence about a side point, not a new topic: on the dev split's
    47.6-minute lecture 17 of the 18 topic changes found in speech were such dips (in slides of 43-62 s,
    its median 50 s). The true changes with no slide change lay in slides shown 1.7-2.2x the median
    (two topics' time) in every dev lecture, but for two in that lecture at 1.2x, which speech did not
    place anyway (one found 13 s off, one not found)."""
    spans = np.diff(np.asarray(edges, dtype=np.float64))
    if ratio <= 0 or len(spans) < ONE_TOPIC_SLIDES:
        return 0.0
    return ratio * float(np.median(spans))


def _at_pause(chosen: list[float], times: np.ndarray, pauses: np.ndarray, scores: np.ndarray,
              min_section: float) -> list[float]:
    """The boundaries of one stretch (`chosen`: its two ends, then the topic boundaries found in it),
    each moved to a neighbouring gap at most SNAP_SECONDS away where the speaker paused clearly longer
    (SNAP_PAUSE seconds and SNAP_RATIO times as long), if every piece stays `min_section` long.

    The topic scores compare windows of sentences, so they place a change one sentence off when the new
    topic opens with a short framing sentence ("Why does the line slope down?", "A short aside, ...")
    whose vector says little; the pause before it says where the speaker turned."""
    edges = list(chosen)
    for k in range(2, len(edges)):
        i = int(np.argmin(np.abs(times - edges[k])))
        best, others = i, edges[:k] + edges[k + 1:]
        for j in (i - 1, i + 1):
            if not 0 <= j < len(times) or not np.isfinite(scores[j]) or abs(times[j] - times[i]) > SNAP_SECONDS:
                continue
            if pauses[j] >= max(SNAP_PAUSE, SNAP_RATIO * pauses[i], pauses[best] + 1e-9) and \
                    all(abs(times[j] - e) >= min_section for e in others):
                best = j
        edges[k] = float(times[best])
    return edges[2:]


def opens_with_question(sentence: list[Word]) -> bool:
    """Whether a sentence is a short question about content ("Why does the line slope down?", "So what
    happens to the price?"): the kind a lecturer asks to open a topic and then answers."""
    words = [w.word.lower().strip(" ,.;:!\"'") for w in sentence]
    if not words or not sentence[-1].word.rstrip().endswith("?"):
        return False
    if len(words) > OPENING_QUESTION[0] or sentence[-1].end - sentence[0].start > OPENING_QUESTION[1]:
        return False
    first = next((w for w in words if w not in _LEADING), "")
    return first in _ASKING


def _before_question(chosen: list[float], units: list[list[Word]], times: np.ndarray, scores: np.ndarray,
                     pauses: np.ndarray, min_section: float) -> list[float]:
    """The topic boundaries of one stretch (`chosen`: its two ends, then the boundaries), each moved one
    sentence earlier when the sentence before it is a question about content (`opens_with_question`) and
    the gap before that question is no slide change, if every piece stays `min_section` long (a boundary at
    a silence, `pauses` of SILENCE or more, stays where the silence ends the topic).

    The question opens the topic its answer discusses ("... get comfortable with it now. | Why does the
    line slope down? There are two reasons ..."), but the similarity of sentence windows and the pauses,
    which are as long before the answer as before the question, place the change after it."""
    edges = list(chosen)
    for k in range(2, len(edges)):
        i = int(np.argmin(np.abs(times - edges[k])))
        if i < 1 or not np.isfinite(scores[i - 1]) or not opens_with_question(units[i]) or pauses[i] >= SILENCE:
            continue
        if all(abs(times[i - 1] - e) >= min_section for e in edges[:k] + edges[k + 1:]):
            edges[k] = float(times[i - 1])
    return edges[2:]


def sections(boundaries: list[float], duration: float) -> list[tuple[float, float]]:
    """Consecutive (start, end) spans between sorted boundaries, covering [0, duration]."""
    edges = [0.0] + sorted({round(b, 3) for b in boundaries if 0 < b < duration}) + [duration]
    return [(a, b) for a, b in zip(edges, edges[1:]) if b > a]
