"""The slides one page of a PDF deck holds, told apart by its layout: a handout prints 2, 3, 4, 6 or 9 slides a page.

A handout's page repeats its slides' template: each slide's title in one size, larger than every other line of the
page, and its lines after it. A page whose largest print starts two such blocks or more is split there, so that each
slide the recording shows is matched to its own block: a slide of the handout never shown adds nothing to the one
shown beside it. Any other page is one slide, as are pages whose print sizes do not part cleanly into titles and
the rest (a size between the two), whose text pypdf gives without the sizes, and lone titles (a block of a title
alone). A page wrongly split backs a slide with part of its page only: fewer words, never another page's.
"""

from __future__ import annotations

import math
import re

TITLE_SCALE = 1.2  # a handout's slide titles are this much larger than every other line of the page, or more
SAME_SIZE = 0.95  # print within this share of the largest print on the page is title print
MOST_UP = 9  # handouts put at most this many slides on a page


def page_slides(page) -> list[str]:
    """The text of each slide on `page` (a pypdf page), top to bottom as the page holds them: one text for a page
    that is one slide (module docstring)."""
    pieces: list[tuple[str, float]] = []

    def visit(text, cm, tm, font, size) -> None:  # (pypdf's visitor_text: each run of text and its matrices)
        pieces.append((text, size * _scale(cm, tm)))

    text = page.extract_text(visitor_text=visit) or ""
    if "".join(t for t, _ in pieces) != text:  # the runs do not add up to the text: its sizes are not known
        return [text]
    lines = _sized_lines(pieces)
    starts = _title_starts(lines)
    if len(starts) < 2:
        return [text]
    bounds = [0, *starts[1:], len(lines)]
    return ["\n".join(line for line, _ in lines[a:b]) for a, b in zip(bounds, bounds[1:])]


def _title_starts(lines: list[tuple[str, float | None]]) -> list[int]:
    """Where each slide's title starts among `lines` ((text, print size) each), [] unless the page parts cleanly
    into 2 to MOST_UP blocks of title lines, each followed by smaller lines."""
    sizes = [s for line, s in lines if s and re.search(r"[^\W\d_]", line)]  # lines with a letter
    if not sizes:
        return []
    top = max(sizes)
    if any(top / TITLE_SCALE < s < SAME_SIZE * top for s in sizes):  # a size between title and body: not a handout
        return []
    title = [bool(s and s >= SAME_SIZE * top and re.search(r"[^\W\d_]", line)) for line, s in lines]
    starts = [k for k, t in enumerate(title) if t and (k == 0 or not title[k - 1])]
    ends = starts[1:] + [len(lines)]
    if not 2 <= len(starts) <= MOST_UP:
        return []
    for start, end in zip(starts, ends):  # each title has lines of its slide after it
        body = [k for k in range(start, end) if not title[k] and re.search(r"[^\W\d_]", lines[k][0])]
        if not body:
            return []
    return starts


def _sized_lines(pieces: list[tuple[str, float]]) -> list[tuple[str, float | None]]:
    """The lines of the text `pieces` ((text, print size) each, in order) make, each with the size of its first
    printed character (None for a blank line)."""
    lines: list[tuple[str, float | None]] = []
    current, size = "", None
    for text, piece_size in pieces:
        for k, part in enumerate(text.split("\n")):
            if k:
                lines.append((current, size))
                current, size = "", None
            if size is None and part.strip():
                size = piece_size
            current += part
    lines.append((current, size))
    return lines


def _scale(cm: list[float], tm: list[float]) -> float:
    """How much the text matrix `tm` and the page's matrix `cm` together scale print vertically."""
    return math.hypot(tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])
