"""The words on a query image (a slide photographed from the back of the hall, a screenshot, a
whiteboard) as a text query, so an image finds the moments that show or say them even where no CLIP
weights are installed (the visual channel is off by default). The API reads them with the slide OCR
(`MomentIndex._read_image_text`: the lines a photo in the index keeps, pipeline/photo_read.photo_lines).

The lines are kept in reading order (a title first), and made safe as a plain query: no quotes
(phrases) and no leading dashes (exclusions), which bullets and hyphenated words on a slide are not.
"""

from __future__ import annotations

import re

from momentsearch.errors import QueryError
from momentsearch.options import MAX_QUERY_CHARS
from momentsearch.search.query import missing_kind_note

MAX_WORDS = 60  # a query of a slide's text: its title and first lines say what it is about
WORDS_ONLY = ("searched by the words read on it only: the picture itself is not compared here (that needs the "
              "visual channel: an index built with CLIP weights, and the same weights here)")


NOTHING_MATCHED = ("No results above the relevance floor (ranking.min_score): the words read on the image are not "
                   "shown or said in the indexed files; type the words you remember, or try a photo of another slide.")


def image_nothing_found_note(kind: str | None, records) -> str:
    """Why an image query found nothing, for its front door to show: the index holds no result of the `kind`
    asked for (its FileRecords `records`), or none of the words read on it matched. Not the text query's
    note: the image's file name is no query ("slide -copy.jpg" has no -word to blame), and "try other
    words" asks for words the user never typed."""
    return missing_kind_note(kind, records) or NOTHING_MATCHED


def image_note(channels: set[str]) -> str:
    """What an image query's results were found by, for its front door to show: WORDS_ONLY when the
    `channels` searched here (MomentIndex.searchable_channels) lack "visual", else ""."""
    return "" if "visual" in channels else WORDS_ONLY


# a text query that asks for a kind of picture ("a bar chart", "photos of broken solar panels"); "plot" and
# "figure" only where they are pictures ("a scatter plot", "figure 3"), not verbs ("figure out the price")
PICTURE_WORDS = re.compile(r"\b(?:(?:chart|graph|diagram|flowchart|infographic|photo|photograph|picture|image|map"
                           r"|drawing|illustration|sketch|screenshot|painting|cartoon|logo|icon)s?"
                           r"|(?:scatter|box|line|bar|pie|contour|surface) ?plots?|(?:a|the) figures?|figures? \d+)\b",
                           re.IGNORECASE)
PICTURE_NOTE = ("pictures are found here only by the words said or shown with them: the visual channel is off "
                "(an index built with CLIP weights, and the same weights here, compares the pictures themselves)")


def picture_note(query: str, channels: set[str]) -> str:
    """For a text query that names a kind of picture, PICTURE_NOTE when the `channels` searched here lack
    "visual" (a chart with no words on it cannot be found then), else ""."""
    return PICTURE_NOTE if "visual" not in channels and PICTURE_WORDS.search(query) else ""


def query_text(lines: list[tuple[str, float, str]]) -> str:
    """A text query from weighted OCR lines (text, weight, unsplit text), in their order, at most MAX_WORDS."""
    words = " ".join(text for text, _, _ in lines)
    words = re.sub(r"[\"\u201c\u201d\u201e]", " ", words)  # no phrase search from quoted slide text
    words = re.sub(r"(^|\s)[-\u2013\u2014\u2022*]+", r"\1", words)  # bullets and dashes, not exclusions
    return " ".join(words.split()[:MAX_WORDS])[:MAX_QUERY_CHARS]


SMALL_SIDE = 32  # pixels: an image query this small on a side is named as too small to read words on


def unanswerable(read: bool, warnings: list[str], size: tuple[int, int] = (0, 0), words: str = "") -> QueryError:
    """The error for an image query that no channel can answer (`read`: its words were looked for; `size`:
    the image's (height, width) pixels, to say when it is too small for its words to be read; `words`: those
    read on it, every one too common to find a moment by)."""
    found = "; none were found on it" if read else " (with slide OCR on: models.ocr, and speech or slide text indexed)"
    if read and words:
        found = f"; the words read on it ({words!r}) are all too common to find a moment by"
    elif read and 0 < min(size) < SMALL_SIDE:
        found += (f" (it is only {size[1]}x{size[0]} pixels: words that small cannot be read; give a larger copy, "
                  "such as a screenshot of the slide at full size)")
    return QueryError(("image queries need the visual channel (an index built with CLIP weights, and the same "
                      f"weights here) or words on the image to read{found}. " + " ".join(warnings)).strip())
