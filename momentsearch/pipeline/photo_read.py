"""The text on a photo, indexed or given as a query: a slide photographed from the back of a hall, a
whiteboard, a screenshot. Read over the whole picture first, then where text was found again at full
resolution; a photo whose lines stand on their side (a phone photo whose EXIF orientation was lost: sent
through a messenger, saved from the web) is read turned upright.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import numpy as np

from momentsearch.media import PHOTO_MAX_SIDE
from momentsearch.models.ocr import OcrLine
from momentsearch.options import OcrOptions
from momentsearch.pipeline.ocr import weighted_lines

PHOTO_TEXT_PAD = 0.5  # a photo's text area is re-read with this share of its larger side around it
PHOTO_WHOLE = 0.5  # ... unless that area is this much of the picture: then the whole, detected at full size
ON_SIDE = 1.5  # a line's box this many times taller than wide stands on its side (the recogniser's own rule)


def read_photo(ocr, image: np.ndarray, det_side: int) -> list[OcrLine]:
    """The lines of a photo (indexed, or a query). Text is looked for over the whole picture at the
    keyframes' detection size; where it was found, that area (and half its size around it, for the
    small print under a title) is read again at full resolution, detected at up to `det_side` px: a
    slide photographed from the back of a hall is a small part of the picture, its bullets a few
    pixels high at 960 px. A photo with no text costs one small detection; text all over the
    picture (a page, a close-up of a board) is read whole at `det_side`. When most of the text found
    stands on its side, the photo is read turned a quarter each way as well and kept the way that reads
    best (two more small reads, only then). Line sizes are relative to the area read."""
    lines = ocr.read([image])[0]
    if not lines or not hasattr(ocr, "with_det_side"):
        return lines  # nothing to zoom into (or a test's stand-in reader)
    if _on_side(lines):
        image, lines = _upright(ocr, image, lines)
    h, w = image.shape[:2]
    x0, x1 = min(ln.left for ln in lines), max(ln.left + ln.box_width for ln in lines)
    y0, y1 = min(ln.top for ln in lines), max(ln.top + ln.box_height for ln in lines)
    pad = PHOTO_TEXT_PAD * max(x1 - x0, y1 - y0)
    x0, x1 = int(max(0, x0 - pad)), int(min(w, x1 + pad))
    y0, y1 = int(max(0, y0 - pad)), int(min(h, y1 + pad))
    if (x1 - x0) * (y1 - y0) >= PHOTO_WHOLE * w * h:
        return ocr.with_det_side(det_side).read([image])[0]
    zoomed = ocr.with_det_side(det_side).read([image[y0:y1, x0:x1]])[0]
    return zoomed if _letters(zoomed) >= _letters(lines) else lines


def _letters(lines: Sequence[OcrLine]) -> int:
    return sum(ch.isalnum() for ln in lines for ch in ln.text)


def _on_side(lines: Sequence[OcrLine]) -> bool:
    """Most letters read stand in boxes taller than wide (one tall label on an upright chart does not count)."""
    side = sum(ch.isalnum() for ln in lines if ln.box_height > ON_SIDE * ln.box_width for ch in ln.text)
    return side * 2 > _letters(lines)


def _upright(ocr, image: np.ndarray, lines: list[OcrLine]) -> tuple[np.ndarray, list[OcrLine]]:
    """The photo as read best of: as it is, a quarter turn left, a quarter turn right. "Best" weighs each
    letter by its line's confidence: text read upside down comes back as few letters of low confidence."""
    reads = [(image, lines)]
    for quarter in (1, 3):
        turned = np.ascontiguousarray(np.rot90(image, quarter))
        reads.append((turned, ocr.read([turned])[0]))
    return max(reads, key=lambda read: sum(ln.confidence * _letters([ln]) for ln in read[1]))


def photo_lines(ocr, image: np.ndarray, options: OcrOptions) -> list[tuple[str, float, str]]:
    """weighted_lines of a photo (indexed, or a query), read with read_photo up to PHOTO_MAX_SIDE and
    with no floor on text height: a slide or a whiteboard photographed from the back of a hall is a
    small part of the picture."""
    return weighted_lines(read_photo(ocr, image, PHOTO_MAX_SIDE), replace(options, min_text_height=0.0))
