"""Where in a lecture a query points: the opening, the closing, a stretch without speech, the questions.

"the summary", "the intro", "when is the break" name a part of a lecture by its place, not by its
words: the recap comes near the end (a recap of last week's lecture is where this one goes over it:
ranking/reviews.py), the overview at the start, a break or an in-class exercise is
minutes in which nobody speaks; "a student asks whether ...", "the Q&A" name the sections where the
lecturer takes questions, which the lecturer's own words mark ("let me take a few questions", "good
question", "the question is whether ..."; the student is seldom heard on the lecturer's microphone).
Its words often say little (a garbled "to recap" in a noisy room, a silent break), so the ranker adds a
small bonus to candidate spans in the right place, on top of what the other channels found there (alone
it does not pass the relevance floor). A query of place words alone ("the summary", "Q&A") is all place:
the searcher then weighs the place fully. Pure numpy.
"""

from __future__ import annotations

import re

import numpy as np

# REVIEW: "the recap of last week", the part that goes over an earlier session
from momentsearch.ranking.reviews import EARLIER, REVIEW

OPENING, CLOSING, QUIET, QUESTIONS = "opening", "closing", "quiet", "questions"
BREAK, EXERCISE = "break", "exercise"  # which quiet time a query names, beside QUIET (not both: either fits)
AFTER, BEFORE = "after", "before"  # the query points next to the part it names: "after the break"

# a place named by its position alone: "at the end", "near the beginning of the memory lecture", "the first
# few minutes"; not "the end of the war" (an "of" that names no lecture) nor "the start and end of a list"
_LECTURE = r"(?:lecture|class|session|video|talk|recording|lesson|seminar|course|webinar|hour)"
_OF_LECTURE = (rf" of (?:(?:the|this|today's|that|our) (?:\w+ ){{0,2}}{_LECTURE}"  # "of week 4": one of a course
               r"|(?:week|lecture|class|session|lesson|seminar|day|part|module|unit) \d+)")
_AT_THE = r"(?:at|near|towards?|by|in|around|from|during) the (?:very )?"
_FEW = r"(?:the |in the )?(?:{}) (?:few |couple of |\d+ |two |three |four |five |ten |fifteen )?minutes"


def _part_of(order: str) -> str:
    """"the last part of the stats lecture": a part named by its order, only of a lecture ("the first part of the
    proof" is a topic)."""
    return rf"(?:the |in the )?(?:{order}) (?:part|bit|portion|section|stretch|segment)(?={_OF_LECTURE})"


_AT_START, _AT_END = (
    rf"(?:{_AT_THE}|(?=the {word}{_OF_LECTURE})the ){word}(?={_OF_LECTURE}|(?! of\b))"
    rf"|{_FEW.format(few)}|{_part_of(few)}"
    for word, few in (("(?:beginning|start)", "first|opening"), ("end", "last|final|closing")))
_CUES = {
    OPENING: r"intro|introduction|overview|agenda|outline|outlining|opening remarks|preview of|plan for (?:today|the session"
             r"|the lecture|the class)|" + _AT_START,
    CLOSING: r"recap|recapping|summary|sum up|summing up|wrap ?up|wrap-up|wrapping up|conclusion|concluding|closing"
             r" remarks|takeaways?|homework|next (?:class|lecture|session|week|time)|" + _AT_END,
    QUIET: r"break|pause|intermission|recess|exercise|in-class (?:task|activity)|activity|worksheet|practice (?:problem"
           r"|question|task)|silent|quiet work",
    QUESTIONS: r"q ?& ?a|q and a|questions? and answers?|questions? (?:from|by|of) (?:the |a )?(?:audience"
               r"|students?|class|floor|listeners?)|(?:students?|audience(?: members?)?|listeners?|someone|somebody)"
               r" (?:asks?|asked|asking|raises?|raised|wants? to know)|(?:student|audience)(?:'s)? questions?"
               r"|questions? time|taking questions",
}
_CUES[REVIEW] = rf"{EARLIER}(?:'s)?|previously"
_PATTERNS = {name: re.compile(rf"\b(?:{cue})s?\b", re.IGNORECASE) for name, cue in _CUES.items()}
_POSITION = re.compile(rf"\b(?:{_AT_START}|{_AT_END})\b", re.IGNORECASE)
_NAMED_LECTURE = re.compile(rf"{_OF_LECTURE}s?\b", re.IGNORECASE)
_REVIEWED = re.compile(r"\b(?:recap|recapping|review|summary|sum up|summing up|reminder)s?\b", re.IGNORECASE)

OPENING_FULL, OPENING_NONE = 0.03, 0.12  # share of the video: a span starting before the first gets 1, after the second 0
CLOSING_NONE, CLOSING_FULL = 0.75, 0.85  # a span starting before the first gets 0, after the second 1
ORDER = 1e-3  # of two spans in the same place, the one nearer the video's edge scores this share of the video more
QUIET_MIN = 60.0  # seconds; a shorter span is not a break or an exercise, however quiet
_BREAK_ASKED = re.compile(r"\b(?:break|pause|intermission|recess)s?\b", re.IGNORECASE)
# what a lecturer says as a break starts: "let's stop here for a break", "stretch your legs", "back at 10:25"
BREAK_SAID = re.compile(r"\b(?:(?:a|the|our|short|quick|coffee|tea|lunch|comfort|\w+[- ]minute) break|stretch your legs"
                        r"|(?:be )?back (?:at|in) (?:\d|about|around|ten|five|fifteen|twenty)|intermission|recess)\b",
                        re.IGNORECASE)
OTHER_QUIET = 0.5  # a quiet span of the other kind (an exercise when the query names the break) keeps this share
# what a lecturer says while taking questions: "let me take a few questions", "any other questions",
# "good question", "the question is whether ...", "you asked about ...", "someone at the back asks whether
# ...", "thanks for the question"
ASKED = re.compile(r"\b(?:(?:take|taking|any|few|more|other|another|next) (?:\w+ )?questions?"
                   r"|(?:good|great|excellent|interesting|fair|important) question"
                   r"|the question (?:is|was) (?:whether|why|how|what|if|about|when|where|who)"
                   r"|(?:you|someone|somebody|a student) (?:just )?asked"
                   r"|(?:someone|somebody|a student)(?: (?:at|in|on|from) the (?:back|front|side|left|right))?"
                   r" asks (?:whether|why|how|what|if|about)"
                   r"|thanks? (?:you )?for (?:the|that|your) question)\b", re.IGNORECASE)


# words that put the query next to the place after them: "after the break", "just before the summary"
_NEXT_TO = {AFTER: re.compile(r"\b(?:after|following|since)\s+(?:the\s+|a\s+|our\s+|this\s+|that\s+)?$", re.I),
            BEFORE: re.compile(r"\b(?:before|prior\s+to|until|leading\s+up\s+to)\s+(?:the\s+|a\s+|our\s+|this\s+"
                               r"|that\s+)?$", re.I)}


def intents(query: str) -> frozenset[str]:
    """The lecture parts a query names by place (empty for a query about content alone); with QUIET, BREAK
    or EXERCISE when the query names only one of them ("when is the break", "the pair activity"); with AFTER
    or BEFORE when every place it names follows such a word ("after the break": the section next to it;
    "the break after the exercise" asks for the break)."""
    found, beside = set(), set()
    for name, pattern in _PATTERNS.items():
        for match in pattern.finditer(query):
            side = next((s for s, words in _NEXT_TO.items() if words.search(query[:match.start()])), None)
            found.add(name)
            beside.add(side)
    if QUIET in found:
        asks_break = bool(_BREAK_ASKED.search(query))
        asks_exercise = bool(_PATTERNS[QUIET].search(_BREAK_ASKED.sub(" ", query)))
        if asks_break != asks_exercise:
            found.add(BREAK if asks_break else EXERCISE)
    if REVIEW in found and CLOSING in found and not _PATTERNS[CLOSING].search(_REVIEWED.sub(" ", query)):
        found.discard(CLOSING)  # "the recap of last week" opens this lecture: no closing words but the recap's
    if len(beside) == 1 and None not in beside:
        found |= beside
    return frozenset(found)


# words that name the lecture itself or a time in it ("the pause in the middle of the session", "the wrap-up
# of today's class"): beside a place they say where, not what
_SESSION = re.compile(r"\b(?:session|class|lesson|lecture|seminar|course|today(?:'s)?|middle|halfway|beginning|start"
                      r"|end|after|following|since|before|prior to|until|leading up to|just)s?\b", re.IGNORECASE)


def without_position(query: str) -> str:
    """The query without the words that name a place by its position ("at the end", "the first few minutes"):
    a lecture says "end" and "start" all the time, so those words would match anywhere."""
    return " ".join(_POSITION.sub(" ", query).split())


def named_lecture(query: str, remove: bool = False) -> str:
    """The words that say which lecture a query of place words points into ("the end of the memory lecture":
    "memory"; "the summary of today's bridges class": "bridges"), "" when it names none that way; with
    `remove`, the query without them ("the summary")."""
    if remove:
        return _NAMED_LECTURE.sub(" ", query)
    names = []
    for match in _NAMED_LECTURE.finditer(query):
        words = re.sub(r"\b(?:of|the|this|today's|that|our)\b", " ", match[0]).split()
        names += words[:-1] if re.fullmatch(_LECTURE, words[-1], re.IGNORECASE) else words  # "week 4" stays whole
    return " ".join(names)


def content_words(query: str) -> list[str]:
    """The query's terms besides the words that name a place ("the summary" has none; "the recap of
    supply and demand" has supply, demand) and, beside a place, the lecture and times in it ("the pause in
    the middle of the session" has none)."""
    from momentsearch.ranking.lexical import query_terms

    placed = False
    for pattern in _PATTERNS.values():
        query, found = pattern.subn(" ", query)
        placed = placed or found > 0
    if placed:  # beside a place, "of the memory lecture" says which lecture, not what is in it
        query = _SESSION.sub(" ", named_lecture(query, remove=True))
    return query_terms(query)


def regions(wanted: frozenset[str], sections: np.ndarray, duration: float, speech: np.ndarray | None,
            asked: np.ndarray | None = None, breaks: np.ndarray | None = None,
            beside: np.ndarray | None = None, reviews: np.ndarray | None = None) -> list[tuple[float, float]]:
    """The sections (rows of [start, end)) of one video that lie where the query points: they become
    candidate spans even when no channel hit them."""
    if not wanted or len(sections) == 0 or duration <= 0:
        return []
    score = place_scores(wanted, sections[:, 0], sections[:, 1], duration, speech, asked, breaks, beside, reviews)
    return [(float(s), float(e)) for (s, e), v in zip(sections, score) if v > 0]


def place_scores(wanted: frozenset[str], starts: np.ndarray, ends: np.ndarray, duration: float,
                 speech: np.ndarray | None, asked: np.ndarray | None = None,
                 breaks: np.ndarray | None = None, beside: np.ndarray | None = None,
                 reviews: np.ndarray | None = None) -> np.ndarray:
    """Per span of one video, in [0, 1]: how well its place fits the parts the query names (the best
    of them). `speech`: (n, 2) spans of the video's transcript chunks; None when it has no transcript
    (then nothing is known about quiet). `asked`: (n, 2) spans where the lecturer takes questions (the
    sections holding a chunk that says so: `said_regions`): a span scores the share of it inside them.
    `breaks`: (n, 2) spans the lecturer called a break (`said_regions(..., BREAK_SAID)`): a quiet span
    of the kind the query does not name (BREAK / EXERCISE) keeps OTHER_QUIET of its quiet score. `reviews`:
    (n, 2) spans that go over an earlier session (`reviews.review_spans`), scored as `asked`. With AFTER
    or BEFORE, a span scores the share of it inside `beside` (`beside_regions`) instead."""
    starts, ends = np.asarray(starts, dtype=np.float64), np.asarray(ends, dtype=np.float64)
    out = np.zeros(len(starts))
    if duration <= 0 or len(starts) == 0:
        return out
    if wanted & {AFTER, BEFORE}:
        if beside is None or not len(beside):
            return out
        return np.clip(_covered(starts, ends, beside) / np.maximum(ends - starts, 1e-9), 0.0, 1.0)
    at = starts / duration
    if OPENING in wanted:  # of spans alike, the earliest first ("the beginning" is its first section)
        fade = np.clip((OPENING_NONE - at) / (OPENING_NONE - OPENING_FULL), 0.0, 1.0)
        out = np.maximum(out, fade - ORDER * at)
    if CLOSING in wanted:  # ... the latest first
        out = np.maximum(out, np.clip((at - CLOSING_NONE) / (CLOSING_FULL - CLOSING_NONE), 0.0, 1.0) - ORDER * (1 - at))
    if QUIET in wanted and speech is not None:
        length = np.maximum(ends - starts, 1e-9)
        quiet = 1.0 - _covered(starts, ends, speech) / length
        if breaks is not None and wanted & {BREAK, EXERCISE}:
            in_break = _covered(starts, ends, breaks) / length
            fit = in_break if BREAK in wanted else 1.0 - in_break
            quiet = quiet * (OTHER_QUIET + (1.0 - OTHER_QUIET) * fit)
        out = np.maximum(out, np.where(length >= QUIET_MIN, quiet, 0.0))
    for name, marked in ((QUESTIONS, asked), (REVIEW, reviews)):
        if name in wanted and marked is not None and len(marked):
            out = np.maximum(out, np.clip(_covered(starts, ends, marked) / np.maximum(ends - starts, 1e-9), 0.0, 1.0))
    return out


PLACE_FIT = 0.5  # a section whose place score reaches this is the part the query names ("the break")


def beside_regions(wanted: frozenset[str], sections: np.ndarray, duration: float, speech: np.ndarray | None,
                   asked: np.ndarray | None = None, breaks: np.ndarray | None = None,
                   reviews: np.ndarray | None = None) -> np.ndarray:
    """(n, 2) rows of `sections` (one video's moment edges, in order) right after (AFTER in `wanted`) or right
    before (BEFORE) each run of sections that are the part the query names (`place_scores` at least
    PLACE_FIT): "after the break" is the section that follows the break, not the break."""
    sections = np.asarray(sections, dtype=np.float64).reshape(-1, 2)
    if not wanted & {AFTER, BEFORE} or not len(sections):
        return np.zeros((0, 2))
    fit = place_scores(wanted - {AFTER, BEFORE}, sections[:, 0], sections[:, 1], duration, speech, asked,
                       breaks, reviews=reviews) >= PLACE_FIT
    near = np.zeros(len(sections), dtype=bool)
    if AFTER in wanted:
        near[1:] = fit[:-1] & ~fit[1:]
    else:
        near[:-1] = fit[1:] & ~fit[:-1]
    return sections[near]


def said_regions(chunks, sections: np.ndarray, words: re.Pattern = ASKED) -> np.ndarray:
    """(n, 2) rows of `sections` (one video's moment edges) that hold the middle of a transcript chunk
    (objects with start, end, text) that says `words` (ASKED: the lecturer takes a question; BREAK_SAID:
    a break starts)."""
    middles = np.array([(c.start + c.end) / 2 for c in chunks if words.search(c.text)], dtype=np.float64)
    sections = np.asarray(sections, dtype=np.float64).reshape(-1, 2)
    if not middles.size or not len(sections):
        return np.zeros((0, 2))
    holds = ((middles[None, :] >= sections[:, :1]) & (middles[None, :] < sections[:, 1:])).any(axis=1)
    return sections[holds]


def _covered(starts: np.ndarray, ends: np.ndarray, speech: np.ndarray) -> np.ndarray:
    """Seconds of each span [start, end) covered by the union of the `speech` spans."""
    speech = np.asarray(speech, dtype=np.float64).reshape(-1, 2)
    if len(speech) == 0:
        return np.zeros(len(starts))
    speech = speech[np.argsort(speech[:, 0])]  # chunks overlap: merge them, so no second counts twice
    reach = np.maximum.accumulate(speech[:, 1])
    first = np.concatenate([[True], speech[1:, 0] > reach[:-1]])  # a span that starts after all before it
    m = np.column_stack([speech[first, 0], reach[np.append(np.flatnonzero(first)[1:] - 1, len(speech) - 1)]])
    inside = np.clip(np.minimum(ends[:, None], m[None, :, 1]) - np.maximum(starts[:, None], m[None, :, 0]), 0.0, None)
    return inside.sum(axis=1)


class Place:
    """What one query says about place, with what the ranker needs to score it: the speech of each
    video that has a hit and a transcript (video id -> (n, 2) chunk spans)."""

    def __init__(self, wanted: frozenset[str], bonus: float, speech: dict[str, np.ndarray],
                 asked: dict[str, np.ndarray] | None = None, breaks: dict[str, np.ndarray] | None = None,
                 beside: dict[str, np.ndarray] | None = None, reviews: dict[str, np.ndarray] | None = None) -> None:
        self.wanted, self.bonus, self.speech, self.asked = wanted, bonus, speech, asked or {}
        self.breaks, self.beside, self.reviews = breaks or {}, beside or {}, reviews or {}

    def __bool__(self) -> bool:
        return bool(self.wanted) and self.bonus > 0

    def spans(self, sections: dict[str, np.ndarray], durations: dict[str, float]) -> list[tuple[str, float, float]]:
        """Candidate spans: the sections of each video where the query points."""
        return [(video, s, e) for video, secs in sections.items()
                for s, e in regions(self.wanted, np.asarray(secs, dtype=np.float64).reshape(-1, 2),
                                    durations.get(video, 0.0), self.speech.get(video), self.asked.get(video),
                                    self.breaks.get(video), self.beside.get(video), self.reviews.get(video))]

    def scores(self, video_ids: np.ndarray, starts: np.ndarray, ends: np.ndarray,
               durations: dict[str, float]) -> np.ndarray:
        """Per candidate span, in [0, 1]: how well its place fits."""
        out = np.zeros(len(starts))
        for video in set(video_ids.tolist()):
            rows = np.flatnonzero(video_ids == video)
            out[rows] = place_scores(self.wanted, starts[rows], ends[rows], durations.get(video, 0.0),
                                     self.speech.get(video), self.asked.get(video), self.breaks.get(video),
                                     self.beside.get(video), self.reviews.get(video))
        return out
