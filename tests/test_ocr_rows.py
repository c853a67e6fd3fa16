"""A line of text the OCR detector cut into boxes is one line again (models/ocr.join_row_pieces); boxes of
one row that lie farther apart (table cells, columns) stay apart."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from momentsearch.models.ocr import OcrLine, OcrModel
from momentsearch.options import OcrOptions
from momentsearch.pipeline.ocr import slide_text

SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SANS_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def _chart_slide() -> np.ndarray:
    """A slide that is one big bar chart under a two-word title, as a deck draws it (scripts/probe_deck_styles.py):
    PP-OCRv4's detector reads its title as two boxes 6 px apart."""
    im = Image.new("RGB", (1280, 720), (250, 250, 246))
    d = ImageDraw.Draw(im)
    d.text((70, 50), "Bleaching Frequency", font=ImageFont.truetype(SANS_BOLD, 58), fill=(20, 90, 160))
    d.line([70, 130, 1210, 130], fill=(20, 90, 160), width=3)
    d.line([140, 640, 1180, 640], fill=(30, 30, 34), width=3)
    d.line([140, 160, 140, 640], fill=(30, 30, 34), width=3)
    for i, v in enumerate([2, 3, 5, 9, 14]):
        x = 200 + 200 * i
        d.rectangle([x, 640 - 32 * v, x + 120, 640], fill=(20, 90, 160))
        d.text((x + 10, 650), f"{1980 + 10 * i}s", font=ImageFont.truetype(SANS, 26), fill=(30, 30, 34))
        d.text((x + 40, 600 - 32 * v), str(v), font=ImageFont.truetype(SANS, 26), fill=(30, 30, 34))
    return np.asarray(im)


def test_a_title_the_detector_split_is_one_line():
    lines = OcrModel().read([_chart_slide()])[0]
    slide = slide_text(0.0, 10.0, lines, OcrOptions())
    first = slide.lines[0][0]
    assert first.startswith("Bleaching Fre"), slide.lines  # the recogniser may read "Freguency"
    assert slide.title == first  # the chapter's title is the whole title, not "Bleaching"


def _box(text, left, width, top=100.0, height=40.0):
    return OcrLine(text=text, confidence=0.9, box_height=height, box_width=width, top=top, left=left,
                   image_height=720, image_width=1280)


def test_pieces_of_one_row_join_and_cells_do_not():
    from momentsearch.models.ocr import join_row_pieces

    pieces = [_box("Species", 100, 150), _box("Census", 262, 130)]  # a word space (12 px at 40 px high)
    cells = [_box("Hard corals", 120, 200, 300), _box("800", 480, 60, 300), _box("down", 840, 90, 300)]
    below = [_box("Reef fish", 120, 160, 380)]
    out = join_row_pieces(pieces + cells + below)
    assert [x.text for x in out] == ["Species Census", "Hard corals", "800", "down", "Reef fish"]
    assert out[0].left == 100 and out[0].box_width == 292
    small = [_box("Species", 100, 150), _box("census", 255, 60, 110, 15)]  # small print beside a title
    assert len(join_row_pieces(small)) == 2
