"""Text that every slide of a video repeats: a deck's footer and logo, the lecturer's name, a slide
counter, and, in a video call's recording, the call's own buttons, name labels and ticking clock; a
contents slide's list of the other slides' titles (`drop_contents_lines`); and a previous slide shown
beside the current one on a second screen (`drop_carried_lines`).

Such a line tells one moment of the video from no other, yet it sat in every slide's text: a query
with "video" or "chat" in it matched all the slides of a recorded call alike, and each slide's vector
carried the course name. A line read on at least `MIN_SLIDES` of a video's distinct slides, and on at
least `SHARE` of them, is kept where it first appears (a search for the course code or the lecturer's
name still finds the video, at its start) and left out of the later slides' text. Lines are compared
by their letters and digits, every number alike ("REC 00:01:12" and "REC00:03:40" are one line; so are
"9 / 17" and "10 / 17").
"""

from __future__ import annotations

import re
from dataclasses import replace
from difflib import SequenceMatcher
from typing import Protocol, Sequence, TypeVar

import numpy as np

from momentsearch.ranking.accents import fold
from momentsearch.ranking.lexical import tokenize
from momentsearch.ranking.slide_lexical import TITLE_SHARE


class _Slide(Protocol):
    """A slide's text as `pipeline/ocr.SlideText` holds it (ocr.py uses this module: no import back)."""

    lines: list[tuple[str, float, str]]
    places: dict[str, tuple[float, ...]]

    @property
    def text(self) -> str: ...

    @property
    def title(self) -> str: ...


SlideText = TypeVar("SlideText", bound=_Slide)

MIN_SLIDES = 3  # distinct slides a line must be on before it counts as the deck's own
SHARE = 0.5  # ... and the share of the video's distinct slides
MIN_KEY = 3  # letters and digits a line needs to be compared at all
MIN_CONTENTS = 2  # lines naming other slides' titles that make a slide a contents list
UNDER_TITLE = 0.001  # how far under a title line's weight a deck line kept beside the slide's own lines stays
SAME_TITLE = 0.85  # how alike (difflib ratio of the content words) a line and a title are when it names it


def unspaced(text: str) -> str:
    """Lower-case letters and digits only: "64 km/h" and "64km/h" are "64kmh"."""
    return re.sub(r"[\W_]+", "", text.lower())


def line_key(text: str) -> str:
    """A line as compared across slides: lowercase letters and digits only, every number (a run of digits)
    one 0: a slide counter is one line from "9 / 17" to "10 / 17" (digit for digit, the counter of slides
    10-17 was a line of its own, on too few slides to count as the deck's, and stayed in their text).
    Accents are left out: OCR reads the umlaut of "Technische Universität" on one slide and not the next."""
    return unspaced(re.sub(r"\d+", "0", fold(text)))


def _comparable(text: str) -> bool:
    """Whether a line has the `MIN_KEY` letters and digits it needs to be compared at all."""
    return len(unspaced(text)) >= MIN_KEY


def repeated_keys(slides: Sequence[SlideText]) -> set[str]:
    """Keys of the lines that recur on `MIN_SLIDES` and `SHARE` of the distinct slides (a slide stored
    once per topic counts once)."""
    distinct = {frozenset(line_key(t) for t, _, _ in s.lines if _comparable(t)) for s in slides}
    distinct.discard(frozenset())
    counts: dict[str, int] = {}
    for keys in distinct:
        for key in keys:
            counts[key] = counts.get(key, 0) + 1
    least = max(MIN_SLIDES, SHARE * len(distinct))
    return {key for key, n in counts.items() if n >= least}


def drop_repeated_lines(slides: Sequence[SlideText]) -> list[SlideText]:
    """`slides` with the deck's repeated lines (`repeated_keys`) kept on the first slide that shows each
    (and on later slides with that slide's very text: one slide stored once per topic) and left out of
    the others; a slide with no other text is left out. Slides are in time order. A picture with nothing
    but such lines (a talk with no slides: a channel's logo over every shot) is kept the first time only:
    stored once per section, the logo alone was every section's slide text and each chapter's title. Where a
    repeated line is kept beside the slide's own lines it weighs no more than the lightest of them: a header
    band's university name in large letters, a call's "Recording..." badge, is no slide's title (nor chapter's);
    and under the title's share of the heaviest (`TITLE_SHARE`): where the slide's own lines all weigh about
    alike (a title band over short bullets), the lightest of them is still a title line, and a webinar's chat
    header above the slide, first in reading order, named the first chapter "Chat"."""
    repeated = repeated_keys(slides)
    if not repeated:
        return list(slides)
    first: dict[str, str] = {}  # key -> the text of the slide it was first seen on
    kept: set[str] = set()  # keys of the lines stored so far
    out: list[SlideText] = []
    for slide in slides:
        text, lines = slide.text, []
        own = [w for t, w, _ in slide.lines if line_key(t) not in repeated]
        cap = min(min(own), max(0.0, round(TITLE_SHARE * max(own) - UNDER_TITLE, 4))) if own else 0.0
        for line in slide.lines:
            key = line_key(line[0])
            if key in repeated and (first.setdefault(key, text) != text or (not own and key in kept)):
                continue
            lines.append((line[0], min(line[1], cap), line[2]) if key in repeated and own else line)
        kept.update(line_key(line[0]) for line in lines)
        if lines:
            out.append(replace(slide, lines=lines))
    return out


MOVED = 0.25  # share of the picture's width by which the lines two reads share moved sideways, all alike, ...
MOVED_SPREAD = 0.05  # ... give or take this much (a translation, not a zoom) ...
MOVED_SIZE = 1.25  # ... at most this many times taller or shorter ...
MOVED_NEAR = 0.1  # ... with another line of the later read as far across as they stood, give or take this much


def carried(a: _Slide, b: _Slide) -> set[str]:
    """Keys of the lines of `b` that `a` showed elsewhere: lines the two reads share (two or more, and most of
    those whose places both know) that moved sideways together by MOVED of the picture's width or more, about
    as large as they were, when `b` has another line on the side they stood on (as far across); else none.
    The slide went to another screen and another took its place. A hall with two screens, one showing the
    previous slide, reads the last slide and the next on both sides of a slide change, so nearly all of one
    read's words are in the other; but a build keeps its lines where they were, a zoom moves them by unlike
    amounts, a scrolled page moves them up and a presenter view's preview of the next slide grows as it
    becomes the current one. Lines that stayed (a screen's own footer) do not count against it."""
    keys_a = {line_key(t) for t, _, _ in a.lines if _comparable(t)}
    keys_b = {line_key(t) for t, _, _ in b.lines}
    shared = sorted(k for k in keys_a & keys_b if k in a.places and k in b.places)
    if len(shared) < 2:
        return set()
    shift = np.array([np.subtract(b.places[k][:2], a.places[k][:2]) for k in shared])
    typical = np.median(shift, axis=0)
    together = (np.abs(shift - typical).max(axis=1) <= MOVED_SPREAD) & np.array([_same_size(a.places[k], b.places[k])
                                                                                for k in shared])
    if abs(typical[0]) < MOVED or abs(typical[1]) > MOVED_SPREAD or together.sum() < max(2, len(shared) / 2):
        return set()
    stood = [a.places[k][0] for k, t in zip(shared, together) if t]
    lo, hi = min(stood) - MOVED_NEAR, max(stood) + MOVED_NEAR  # the side of the picture they stood on
    taken = any(lo <= b.places[k][0] <= hi for k in keys_b - keys_a if k in b.places)
    return {k for k, t in zip(shared, together) if t} if taken else set()


def _same_size(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """Whether two places of one line have letters of about one height (a slide on a screen of the same
    size; not a presenter view's small preview of the next slide that becomes the large current one)."""
    return len(a) < 3 or len(b) < 3 or 1 / MOVED_SIZE <= b[2] / max(a[2], 1e-9) <= MOVED_SIZE


def moved(a: _Slide, b: _Slide) -> bool:
    """Whether `b` shows lines of `a` that went to another screen as another slide took their place (`carried`)."""
    return bool(carried(a, b))


def without_repeated(slides: Sequence[SlideText]) -> list[SlideText]:
    """`slides` with every repeated line (`repeated_keys`) left out, the first showing too, one for one (a
    slide may keep no line): what tells two slides apart. A recording's header, clock and name label and the
    deck's footer are the same words on both sides of every slide change; counted, they made an outline slide
    and the next topic's slide share 20 of their 48 words, too many to be clearly two slides."""
    repeated = repeated_keys(slides)
    if not repeated:
        return list(slides)
    return [replace(s, lines=[line for line in s.lines if line_key(line[0]) not in repeated]) for s in slides]


def _title_key(text: str) -> str:
    """A line as compared with titles: its content words in order, a list's numbers left out."""
    return " ".join(tokenize(re.sub(r"\d+", " ", text)))


def _titles(slide: SlideText) -> set[str]:
    """Keys of a slide's title (`SlideText.title`) and of its heaviest line: on a slide small in the frame
    (a capture layout's pane) the title weighs little more than the bullets and `title` takes them all."""
    if not slide.lines:
        return set()
    heaviest = max(slide.lines, key=lambda line: line[1])[0]
    return {k for k in (_title_key(slide.title), _title_key(heaviest)) if k}


def _named(key: str, titles: dict[str, set[str]], own: set[str]) -> str | None:
    """The title not in `own` that `key` names (`titles`: each word -> the title keys holding it), or None:
    they share a word and read alike (OCR's "Mediterranian" for "Mediterranean"); the likest of them."""
    near = set().union(*(titles.get(w, set()) for w in key.split())) - own if key and key not in own else set()
    alike = [(SequenceMatcher(None, key, t).ratio(), t) for t in sorted(near)]
    best = max(alike, default=(0.0, None))
    return best[1] if best[0] >= SAME_TITLE else None


def drop_contents_lines(slides: Sequence[SlideText]) -> list[SlideText]:
    """`slides` with the lines of a contents list left out: on a slide with lines that name `MIN_CONTENTS` or
    more other slides' titles ("Outline: 1 The Silk Roads, 2 Venice and the Mediterranean, ..."), those
    lines. The outline is shown again before every topic, as real decks do, and each time it held every
    topic's name as slide text: "New Routes by Sea" found the outline (the words in a line of their own,
    the speech there saying "our route for today") before the topic's own slide. The topics' own slides
    keep their titles; the outline keeps its own ("Outline", "Agenda"), so a search for it still finds it."""
    titles: dict[str, set[str]] = {}
    for key in {k for s in slides for k in _titles(s)}:
        for word in key.split():
            titles.setdefault(word, set()).add(key)
    out: list[SlideText] = []
    for slide in slides:
        own = _titles(slide)
        names = {k: _named(_title_key(text), titles, own) for k, (text, _, _) in enumerate(slide.lines)}
        named = {k for k, name in names.items() if name}
        if len({names[k] for k in named}) < MIN_CONTENTS:  # a list names other slides, not one twice
            out.append(slide)
            continue
        lines = [line for k, line in enumerate(slide.lines) if k not in named]
        if lines:
            out.append(replace(slide, lines=lines))
    return out


CARRIED_BACK = 3  # slides before it a slide's lines are looked for (a document camera on the second screen for a while)


def drop_carried_lines(slides: Sequence[SlideText]) -> list[SlideText]:
    """`slides` (in time order) without the lines each carried over from one of the CARRIED_BACK slides before it
    to another place in the picture (`carried`): in a hall whose second screen shows the previous slide, a
    slide's entry held the slide before it too, and a search for that slide's words found the entry after its
    own as often as its own; what appeared with the entry stays. After a document camera has had the second
    screen, the previous slide comes back to it from further back. Pieces of one slide (one text, a section
    each) are all compared with the slides before the first of them."""
    out: list[SlideText] = []
    before: list[SlideText] = []  # the last slides with other texts than the current one's, latest last
    previous = None
    for slide in slides:
        if previous is not None and slide.text != previous.text:
            before = (before + [previous])[-CARRIED_BACK:]
        previous = slide
        there = set().union(*(carried(b, slide) for b in before))
        if there:
            lines = [line for line in slide.lines if line_key(line[0]) not in there]
            slide = replace(slide, lines=lines) if lines else slide
        out.append(slide)
    return out


def new_lines(other: _Slide, kept: _Slide) -> list[tuple[str, float, str]]:
    """Lines of `other` that say what `kept` does not: two words or more, at least half of its words, that
    `kept` shows nowhere (a bullet rewritten on the next slide of one title: "Merge sort splits in halves"
    then "Quicksort partitions around pivot"), not the same line read again."""
    have = {w.lower() for t, _, _ in kept.lines for w in re.findall(r"[^\W_]+", t)}
    keys = {line_key(t) for t, _, _ in kept.lines}
    out = []
    for line in other.lines:
        words = [w.lower() for w in re.findall(r"[^\W_]+", line[0])]
        new = [w for w in words if not _read_before(w, have)]
        if line_key(line[0]) not in keys and len(new) >= 2 and 2 * len(new) >= len(words):
            out.append(line)
    return out


def in_reading_order(lines: list[tuple[str, float, str]], places: dict) -> list[tuple[str, float, str]]:
    """`lines` top to bottom by where they stood when every line's place is known (a rewritten bullet next
    to the one it replaced, not after the footer, where a result's text is cut off), else as they are."""
    keys = [line_key(t) for t, _, _ in lines]
    if not all(k in places for k in keys):
        return lines
    return [line for _, line in sorted(zip(keys, lines), key=lambda kl: places[kl[0]][1])]


def _read_before(word: str, have: set[str]) -> bool:
    """Whether `word` is one of `have`, or the same word read otherwise: a piece of one, or one a piece of it
    (three letters or more: a line cut at the picture's edge, "yea" for "years", "psy" of "psy120"), or one letter or two misread ("Waiting" read "Jaiting" on the next slide). On the dev split's
    merged slides every added line was such a re-read of a line kept ("Waiting lists of yea" beside "Jaiting
    lists of years"), not a bullet of its own."""
    from difflib import SequenceMatcher

    if word in have:
        return True
    for known in have:
        short, long_ = sorted((word, known), key=len)
        if len(short) >= 3 and (long_.startswith(short) or long_.endswith(short)):
            return True
        if min(len(word), len(known)) >= 5 and SequenceMatcher(None, word, known).ratio() >= 0.8:
            return True
    return False
