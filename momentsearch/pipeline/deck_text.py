"""Text that every slide of a video repeats: a deck's footer and logo, the lecturer's name, a slide
counter, and, in a video call's recording, the call's own buttons, name labels and ticking clock.

Such a line tells one moment of the video from no other, yet it sat in every slide's text: a query
with "video" or "chat" in it matched all the slides of a recorded call alike, and each slide's vector
carried the course name. A line read on at least `MIN_SLIDES` of a video's distinct slides, and on at
least `SHARE` of them, is kept where it first appears (a search for the course code or the lecturer's
name still finds the video, at its start) and left out of the later slides' text. Lines are compared
by their letters and digits, every digit alike ("REC 00:01:12" and "REC00:03:40" are one line; so are
"3 / 40" and "4 / 40").
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Sequence

from momentsearch.pipeline.ocr import SlideText

MIN_SLIDES = 3  # distinct slides a line must be on before it counts as the deck's own
SHARE = 0.5  # ... and the share of the video's distinct slides
MIN_KEY = 3  # letters and digits a line needs to be compared at all


def line_key(text: str) -> str:
    """A line as compared across slides: lowercase letters and digits only, every digit a 0."""
    return re.sub(r"\d", "0", re.sub(r"[\W_]+", "", text.lower()))


def repeated_keys(slides: Sequence[SlideText]) -> set[str]:
    """Keys of the lines that recur on `MIN_SLIDES` and `SHARE` of the distinct slides (a slide stored
    once per topic counts once)."""
    distinct = {frozenset(k for t, _, _ in s.lines if len(k := line_key(t)) >= MIN_KEY) for s in slides}
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
    the others; a slide with no other text is left out. Slides are in time order."""
    repeated = repeated_keys(slides)
    if not repeated:
        return list(slides)
    first: dict[str, str] = {}  # key -> the text of the slide it was first seen on
    out: list[SlideText] = []
    for slide in slides:
        text, lines = slide.text, []
        for line in slide.lines:
            key = line_key(line[0])
            if key in repeated and first.setdefault(key, text) != text:
                continue
            lines.append(line)
        if lines:
            out.append(replace(slide, lines=lines))
    return out


def without_repeated(slides: Sequence[SlideText]) -> list[SlideText]:
    """`slides` with every repeated line (`repeated_keys`) left out, the first showing too, one for one (a
    slide may keep no line): what tells two slides apart. A recording's header, clock and name label and the
    deck's footer are the same words on both sides of every slide change; counted, they made an outline slide
    and the next topic's slide share 20 of their 48 words, too many to be clearly two slides."""
    repeated = repeated_keys(slides)
    if not repeated:
        return list(slides)
    return [replace(s, lines=[line for line in s.lines if line_key(line[0]) not in repeated]) for s in slides]
