"""Slide OCR as a channel, and photos in the same index (issue 4).

Unit tests drive the slide-text logic with a fake OCR model; the end-to-end tests render a lecture
whose slide titles are never spoken, and a folder of Pillow-drawn photos, and go through the CLI.
"""

from __future__ import annotations

import json
import shutil
import struct
import zlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from conftest import iou, rendered_once, run_cli, search_json
from momentsearch.models.ocr import OcrLine
from momentsearch.options import OcrOptions
from momentsearch.pipeline.ocr import SlideText, one_slide, read_slides, restore_spaces, slide_text, weighted_lines
from momentsearch.pipeline.deck_text import drop_carried_lines, moved
from momentsearch.pipeline.slide_cuts import merge_same_slide, split_at_text_changes, split_at_topics
from momentsearch.ranking.slide_lexical import SlideLexicalIndex
from momentsearch.types import VisualSegment


# -- unit: space restoring, weighting, de-duplication ------------------------------------------
@pytest.mark.parametrize("raw, expected", [
    ("PhotosynthesisandSolarPanels", "Photosynthesis and Solar Panels"),
    ("captureslight", "captures light"),
    ("Q4:review", "Q4: review"),
    ("About20%efficient", "About 20% efficient"),
    ("• Chlorophyll", "Chlorophyll"),
    ("Kubernetes cluster", "Kubernetes cluster"),  # a rare word is not cut into "Ku berne tes"
    ("Externalities", "Externalities"),  # not "External i ties": a lowercase "i" is no word
    ("WhatIThinkisthis", "What I Think is this"),
    ("Backpropagation", "Backpropagation"),  # a compound the word list lacks, not "Back propagation"
    ("Microservices", "Microservices"),
    ("Bootstrapping", "Bootstrapping"),  # an inflection of a known word ("bootstrap"), not "Boots trapping"
    ("Postprocessingofthedata", "Post processing of the data"),  # glued words, one of them a compound
    # an outline's numbers in grey beside the items in black, read without the space between
    ("5New Routes by Sea", "5 New Routes by Sea"), ("2Venice and the", "2 Venice and the"),
    ("12Things", "12 Things"), ("3D printing", "3D printing"), ("4Gb of RAM", "4Gb of RAM"), ("2nd year", "2nd year"),
])
def test_restore_spaces(raw, expected):
    assert restore_spaces(raw) == expected


def _line(text, height, confidence=0.95, top=0.0, image_height=180):
    return OcrLine(text=text, confidence=confidence, box_height=height, box_width=10.0 * len(text), top=top,
                   left=10.0, image_height=image_height)


class FakeOcr:
    """Returns canned lines per keyframe (keyed by the frame's fill value) and counts what it reads."""

    def __init__(self, by_value):
        self.by_value = by_value
        self.read_values = []

    def read(self, images):
        values = [int(img[0, 0, 0]) for img in images]
        self.read_values += values
        return [self.by_value.get(v, []) for v in values]


def _frame(value, noise=0):
    img = np.full((90, 160, 3), value, dtype=np.uint8)
    img[-4:, -4:] = noise
    return img


def test_title_weighs_more_than_small_print_and_noise_is_dropped():
    opts = OcrOptions()
    lines = weighted_lines([_line("ProjectRoadmap", 22), _line("• Ourplansfornextyear", 7),
                            _line("blurry", 20, confidence=0.3), _line("|", 20)], opts)
    assert [t for t, _, _ in lines] == ["Project Roadmap", "Our plans for next year"]
    assert lines[1][2] == "Ourplansfornextyear"  # the words as printed are kept for lexical search
    assert lines[0][1] > 1.5 * lines[1][1]
    slide = SlideText(0, 10, lines)
    assert slide.title == "Project Roadmap" and slide.embed_text.startswith("Project Roadmap. ")


def test_repeated_keyframes_are_read_once_and_same_text_is_merged():
    ocr = FakeOcr({10: [_line("Cell Biology", 20), _line("membranes", 9)],
                   200: [_line("Budget", 20)], 120: [_line("Cell Biology", 20), _line("membranes", 9)]})
    segs = [VisualSegment(0, 60, 30, _frame(10)), VisualSegment(60, 120, 90, _frame(10, noise=12)),
            VisualSegment(120, 130, 125, _frame(200)), VisualSegment(130, 140, 135, _frame(120))]
    slides = read_slides(ocr, segs, OcrOptions())
    assert ocr.read_values == [10, 200, 120]  # the periodic keyframe of one slide was not read twice
    assert [(s.start, s.end) for s in slides] == [(0, 120), (120, 130), (130, 140)]
    assert "membranes" in slides[0].text and slides[1].text == "Budget"


def test_every_lasting_view_is_read_and_a_text_change_inside_a_segment_is_a_cut():
    """A cut the picture detector missed (two slides in one segment, as views) still gets each slide's
    text at its own times, and the segment is split there; a build step is one slide with the fuller
    text; a view shorter than MIN_VIEW is not read."""
    ocr = FakeOcr({10: [_line("Cell Biology", 20)], 80: [_line("Cell Biology", 20), _line("membranes", 9)],
                   160: [_line("Budget", 20)], 230: [_line("Noise", 20)]})
    views = [VisualSegment(0, 8, 7, _frame(10)), VisualSegment(8, 20, 19, _frame(80)),  # a build
             VisualSegment(20, 21, 20.5, _frame(230)),  # a passing picture: not read
             VisualSegment(21, 40, 39, _frame(160))]  # a missed cut
    segs = [VisualSegment(0, 40, 39, _frame(160), views=views), VisualSegment(40, 50, 49, _frame(10))]
    slides = read_slides(ocr, segs, OcrOptions())
    assert ocr.read_values == [10, 80, 160, 10]
    assert [(s.start, s.end, s.title) for s in slides] == [(0, 20, "Cell Biology"), (20, 40, "Budget"),
                                                            (40, 50, "Cell Biology")]
    assert "membranes" in slides[0].text  # the build's fuller text
    split = split_at_text_changes(segs, slides)
    assert [(s.start, s.end, s.keyframe_time) for s in split] == [(0, 20, 19), (20, 40, 39), (40, 50, 49)]


def test_sharper_frames_are_fetched_a_few_at_a_time(monkeypatch):
    """A long lecture's slides are fetched at the OCR size and read in small batches (memory does not
    grow with duration), and the slides come out as if all were read at once."""
    import momentsearch.pipeline.slide_reads as reads_module

    values = [10 + 7 * i for i in range(21)]  # 21 different pictures, each its own slide
    ocr = FakeOcr({v: [_line(f"Slide {chr(65 + i)} title", 20)] for i, v in enumerate(values)})

    def picture(i):  # a different drawing each (not only another grey: that is the same picture)
        img = _frame(values[i])
        img[20:30, 5 + 7 * i:10 + 7 * i] = 255
        return img

    segs = [VisualSegment(10 * i, 10 * i + 10, 10 * i + 9, picture(i)) for i in range(len(values))]
    asked = []

    def fetch(times):
        asked.append(list(times))
        return [picture(int(t) // 10) if t < 150 else None for t in times]  # some cannot be fetched

    monkeypatch.setattr(reads_module, "READ_BATCH", 4)
    slides = read_slides(ocr, segs, OcrOptions(), fetch)
    assert [len(a) for a in asked] == [4, 4, 4, 4, 4, 1]
    assert [t for a in asked for t in a] == [s.keyframe_time for s in segs]  # whole reads: not read again
    assert [(s.start, s.end, s.title) for s in slides] == [(10 * i, 10 * i + 10, f"Slide {chr(65 + i)} title")
                                                           for i in range(21)]
    assert ocr.read_values == values  # a frame the fetch could not give is read from the keyframe


def _slide_picture(title_rows, lecturer_at=None):
    """A one-template slide (same frame and bars; the title's strokes differ) at 320x180, with a
    lecturer (a dark rectangle) standing somewhere in front of it."""
    img = np.full((180, 320, 3), 235, dtype=np.uint8)
    img[:30] = 60  # the template's title bar
    for r0, c0, c1 in title_rows:  # the title's words: white strokes in the bar
        img[8 + r0:14 + r0, c0:c1] = 250
    img[50:54, 20:300:7] = 30  # the same bullet rows on every slide
    if lecturer_at is not None:
        img[40:180, lecturer_at:lecturer_at + 40] = 20
    return img


OLD_TITLE, NEW_TITLE = [(0, 10, 90), (8, 100, 180)], [(0, 40, 200), (8, 210, 300)]


def test_a_cut_proven_by_ocr_moves_to_where_the_picture_changes():
    """A periodic split fell 3.4 s before the slide change and the detector saw no cut (a lecturer
    walking in front of a one-template deck): OCR reads other slides on each side, and the boundary
    moves to the change, as a change; a detector cut, one slide on both sides, or frames that do not
    tell the two slides apart leave it alone."""
    from momentsearch.pipeline.slide_cuts import place_text_cuts

    change = 23.4

    def look(times):
        return [_slide_picture(OLD_TITLE if t < change else NEW_TITLE, lecturer_at=int(40 + 9 * t) % 260)
                for t in times]

    old, new = _slide_picture(OLD_TITLE), _slide_picture(NEW_TITLE)
    segs = [VisualSegment(0, 20, 19.5, old), VisualSegment(20, 60, 59, new, forced=True)]
    slides = [SlideText(0, 20, [("Monopoly", 1.0, ""), ("one seller, no close rivals", 0.4, "")]),
              SlideText(20, 60, [("Information Problems", 1.0, ""), ("the market for lemons", 0.4, "")])]
    moved, texts = place_text_cuts(segs, slides, set(), look)
    at = moved[1].start
    assert abs(at - change) <= 1.0  # within a frame of the change (frames are 1 s apart)
    assert [(s.start, s.end, s.forced) for s in moved] == [(0, at, False), (at, 60, False)]
    assert [(t.start, t.end) for t in texts] == [(0, at), (at, 60)]
    assert all(s.start <= s.keyframe_time <= s.end for s in moved)

    assert place_text_cuts(segs, slides, {20.0}, look)[0] == segs  # the detector's own cut stays
    same = [slides[0], SlideText(20, 60, slides[0].lines)]
    assert place_text_cuts(segs, same, set(), look)[0] == segs  # one slide: nothing to place
    noise = np.random.default_rng(0)
    blurred = place_text_cuts(segs, slides, set(), lambda ts: [noise.integers(0, 255, (180, 320, 3), dtype=np.uint8)
                                                               for _ in ts])[0]
    assert blurred == segs  # frames like neither slide: the split stays where it was


def test_a_periodic_split_on_the_slide_change_becomes_a_change():
    """An exercise slide stayed two minutes; a periodic split fell right where the next slide came (the
    detector missed it: a build shows only its title at first). OCR reads other slides on each side, no
    frame lies between the two pictures, so the split is the change: no longer marked periodic. The
    same when frames lie between and the lecturer stands elsewhere in each picture (the two pictures
    differ most where the lecturer is; the frames are still much nearer to one slide)."""
    from momentsearch.pipeline.slide_cuts import place_text_cuts

    old, new = _slide_picture(OLD_TITLE, lecturer_at=20), _slide_picture(NEW_TITLE, lecturer_at=250)
    slides = [SlideText(60, 120, [("Exercise", 1.0, "")]), SlideText(120, 150, [("Trusses", 1.0, "")])]
    segs = [VisualSegment(60, 120, 119.5, old, forced=True), VisualSegment(120, 150, 120.5, new, forced=True)]
    moved, _ = place_text_cuts(segs, slides, set(), lambda ts: [], step=1.0)
    assert [(s.start, s.forced) for s in moved] == [(60, True), (120, False)]

    # a washed-out projection: the titles differ by a few grey levels, the lecturer (dark) stood left in
    # the old slide's last picture and right in the new one's, and walks in the middle in between
    noise = np.random.default_rng(1)

    def picture(title_grey, lecturer_cols):
        img = np.full((128, 128, 3), 128.0)
        img[10:30, 10:118] = title_grey
        img[40:120, lecturer_cols[0]:lecturer_cols[1]] = 25
        return np.clip(img + noise.normal(0, 2, img.shape), 0, 255).astype(np.uint8)  # sensor noise

    change = 130.4
    look = lambda ts: [picture(150 if t < change else 135, (50, 78)) for t in ts]
    segs = [VisualSegment(60, 120, 119.0, picture(150, (10, 40)), forced=True),
            VisualSegment(120, 150, 140.0, picture(135, (88, 118)), forced=True)]
    moved, _ = place_text_cuts(segs, slides, set(), look)
    assert abs(moved[1].start - change) <= 1.0 and not moved[1].forced


def _projected_slide(title: str, bullets: list[str], lecturer_at: int) -> np.ndarray:
    """A one-template slide as a hall camera films it (washed out, 320x180) with a lecturer, a dark
    figure a fifth of the picture wide, standing in front of it at column `lecturer_at`."""
    img = Image.new("RGB", (320, 180), (150, 150, 150))
    d = ImageDraw.Draw(img)
    d.rectangle([30, 15, 290, 40], fill=(105, 105, 115))  # the template's title bar
    font = ImageFont.load_default()
    d.text((40, 22), title, fill=(235, 235, 235), font=font)
    for n, line in enumerate(bullets):
        d.text((40, 55 + 16 * n), line, fill=(95, 95, 95), font=font)
    d.rectangle([lecturer_at, 60, lecturer_at + 64, 180], fill=(30, 28, 26))
    d.ellipse([lecturer_at + 16, 30, lecturer_at + 48, 64], fill=(30, 28, 26))
    return np.asarray(img)


def test_a_text_proven_cut_is_placed_by_the_text_not_by_where_the_lecturer_stands():
    """A lecture hall: the lecturer stood left in the old slide's last picture, walked right at 45 s and
    stood there when the slide changed at 51 s, as in the new slide's picture. The two pictures differ
    mostly where the lecturer is, so whole-picture comparison put the cut at 45 s, where she moved (seen
    on a rendered camera lecture); the blocks whose text changed put it at the slide change."""
    from momentsearch.pipeline.slide_cuts import place_text_cuts

    old_text = ("Hit Ratio", ["hit ratio = hits / requests", "working set vs capacity", "zipf popularity"])
    new_text = ("Eviction Policies", ["least recently used", "least frequently used", "clock and random"])
    change, walked = 51.0, 45.0

    def look(times):
        return [_projected_slide(*(old_text if t < change else new_text), lecturer_at=20 if t < walked else 220)
                for t in times]

    segs = [VisualSegment(25, 50.5, 36, look([36])[0]), VisualSegment(50.5, 76, 52, look([52])[0])]
    slides = [SlideText(25, 50.5, [("Hit Ratio", 1.0, ""), ("hit ratio = hits / requests", 0.4, "")]),
              SlideText(50.5, 76, [("Eviction Policies", 1.0, ""), ("least recently used", 0.4, "")])]
    moved, _ = place_text_cuts(segs, slides, set(), look)
    assert abs(moved[1].start - change) <= 1.0, moved[1].start


def test_titles_that_share_only_a_little_word_are_other_slides():
    """"Elasticity and Revenue" then "Consumer and Producer Surplus" in one segment (a camera's cut
    detector took the second for a build of the first): "and" does not make them one slide."""
    ocr = FakeOcr({10: [_line("Elasticity and Revenue", 20), _line("raise prices when buyers barely react", 9)],
                   160: [_line("Consumer and Producer Surplus", 20), _line("willingness to pay", 9)]})
    views = [VisualSegment(0, 30, 29, _frame(10)), VisualSegment(30, 60, 59, _frame(160))]
    segs = [VisualSegment(0, 60, 59, _frame(160), views=views)]
    slides = read_slides(ocr, segs, OcrOptions())
    assert [(s.start, s.end) for s in slides] == [(0, 30), (30, 60)]
    assert [(s.start, s.end) for s in split_at_text_changes(segs, slides)] == [(0, 30), (30, 60)]
    same = read_slides(FakeOcr({10: [_line("Elasticity and Revenue", 20)], 160: [_line("Elasticity and revenue", 20)]}),
                       segs, OcrOptions())
    assert [(s.start, s.end) for s in split_at_text_changes(segs, same)] == [(0, 60)]


def test_code_typed_into_an_empty_editor_is_no_text_proven_cut():
    """An editor before typing shows its tab's file name only; then code appears under it. The two reads
    share few words, but the first's are all in the second: a build, not another slide."""
    ocr = FakeOcr({10: [_line("config_loader.py", 7)],
                   160: [_line("config_loader.py x", 7), _line("import tomllib", 10), _line("from pathlib import Path", 10),
                         _line("def parse_data(path):", 10), _line("raw = Path(path).read_bytes()", 10)]})
    views = [VisualSegment(0, 3, 2, _frame(10)), VisualSegment(3, 30, 29, _frame(160))]
    segs = [VisualSegment(0, 30, 29, _frame(160), views=views)]
    assert [(s.start, s.end) for s in split_at_text_changes(segs, read_slides(ocr, segs, OcrOptions()))] == [(0, 30)]


def test_titles_that_name_the_same_subject_are_still_other_slides():
    """"Price Elasticity of Demand" then "Elasticity and Revenue" (a deck goes on about one subject):
    one shared word of the titles does not make them one slide; a title with a word hidden still is one."""
    body = {10: [_line("percent change in quantity", 9), _line("elastic: restaurant meals", 9)],
            160: [_line("raise prices when buyers barely react", 9), _line("why airlines have fifty fares", 9)]}
    views = [VisualSegment(0, 30, 29, _frame(10)), VisualSegment(30, 60, 59, _frame(160))]
    segs = [VisualSegment(0, 60, 59, _frame(160), views=views)]

    def cuts(first: str, second: str) -> list[tuple[float, float]]:
        ocr = FakeOcr({10: [_line(first, 20), *body[10]], 160: [_line(second, 20), *body[160]]})
        return [(s.start, s.end) for s in split_at_text_changes(segs, read_slides(ocr, segs, OcrOptions()))]

    assert cuts("Price Elasticity of Demand", "Elasticity and Revenue") == [(0, 30), (30, 60)]
    body[160] = body[10]  # the same slide, its title's first word hidden by the lecturer
    assert cuts("Price Elasticity of Demand", "Elasticity of Demand") == [(0, 60)]


def test_a_title_extended_by_the_next_slide_is_another_slide():
    """"Exercise 1" then "Exercise 1: Solution", "Residuals" then "Residual Plots" (a camera's detector saw
    the second for a build: the title's strokes stay, the lecturer stands in front of the bullets): other
    bullets under a title that adds words the first slide shows nowhere is a cut. A title whose added
    word the other read shows elsewhere, or the same bullets under it, is one slide."""
    views = [VisualSegment(0, 30, 29, _frame(10)), VisualSegment(30, 60, 59, _frame(160))]
    segs = [VisualSegment(0, 60, 59, _frame(160), views=views)]
    footer = _line("Applied Statistics", 8)
    exercise = [_line("Data: 8 used cars, age and price", 9), _line("Worksheet A, question 3", 9), footer]
    solution = [_line("r = -0.91", 9), _line("b1 = -1,150 per year", 9), _line("Common slip: x and y swapped", 9),
                footer]

    def cuts(first: list, second: list) -> list[tuple[float, float]]:
        slides = read_slides(FakeOcr({10: first, 160: second}), segs, OcrOptions())
        return [(s.start, s.end) for s in split_at_text_changes(segs, slides)]

    assert cuts([_line("Exercise 1", 20), *exercise], [_line("Exercise 1: Solution", 20), *solution]) == [(0, 30), (30, 60)]
    assert cuts([_line("Residuals", 20), _line("e = y - y-hat", 9), _line("League table example", 9), footer],
                [_line("Residual Plots", 20), _line("Residuals vs fitted values", 9),
                 _line("Want: a shapeless band", 9), _line("Heteroscedasticity", 9), footer]) == [(0, 30), (30, 60)]
    assert cuts([_line("Exercise 1", 20), *exercise], [_line("Exercise 1: Solution", 20), *exercise]) == [(0, 60)]
    # "Solution" shown on the first slide too: its title may be the other's, part hidden
    hinted = [*exercise, _line("Solution after the break", 9)]
    assert cuts([_line("Exercise 1", 20), *hinted], [_line("Exercise 1: Solution", 20), *solution]) == [(0, 60)]


def test_two_slides_of_one_template_with_other_titles_stay_apart():
    """A camera reads little of a slide but its template's footer: two slides whose titles share no
    content word are not one slide, however many footer words they share, so their cut stays."""
    footer = _line("ECON 101 Spring Week 7 Introduction to Markets and Prices for Everyone", 8)
    ocr = FakeOcr({10: [_line("Price Floors", 20), footer],
                   160: [_line("Deadweight Loss", 20), footer, _line("minimum wage", 9)]})
    segs = [VisualSegment(0, 30, 29, _frame(10)), VisualSegment(30, 60, 59, _frame(160))]
    slides = read_slides(ocr, segs, OcrOptions())
    assert [(s.start, s.end, s.title) for s in slides] == [(0, 30, "Price Floors"), (30, 60, "Deadweight Loss")]
    assert [(s.start, s.end) for s in merge_same_slide(segs, slides)] == [(0, 30), (30, 60)]


def test_a_cut_with_the_same_slide_read_on_both_sides_is_undone():
    """A camera's detector cut where the lecturer stepped away from the slide (two pictures of one
    slide, one with words hidden): OCR reads the same slide across the cut, so the segments are joined
    (the two pictures become its views); the real change to another slide stays a cut, and so does a
    periodic split."""
    lines = [_line("Price Ceilings", 20), _line("a legal maximum price", 9), _line("queues and shortages", 9)]
    ocr = FakeOcr({10: lines, 20: lines[:2], 160: [_line("Price Floors", 20), _line("minimum wages", 9)],
                   200: [_line("Deadweight Loss", 20)]})
    segs = [VisualSegment(0, 30, 29, _frame(20)), VisualSegment(30, 50, 49, _frame(10)),
            VisualSegment(50, 80, 79, _frame(160)), VisualSegment(80, 110, 109, _frame(200)),
            VisualSegment(110, 140, 139, _frame(200, noise=9), forced=True)]
    slides = read_slides(ocr, segs, OcrOptions())
    assert [(s.start, s.end) for s in slides][:3] == [(0, 50), (50, 80), (80, 140)]
    merged = merge_same_slide(segs, slides)
    assert [(s.start, s.end, s.forced) for s in merged] == [(0, 50, False), (50, 80, False), (80, 110, False),
                                                           (110, 140, True)]
    assert [(v.start, v.end) for v in merged[0].views] == [(0, 30), (30, 50)]
    assert merged[0].keyframe_time == 49


def test_a_recordings_own_text_does_not_make_two_slides_one():
    """A video call's recording: the share bar, the presenter's name tile and the course footer are on every
    shared slide. A title slide holds little else, so counted whole it shared most of its words with the
    next slide and the two were one entry (the title's words never stored). Compared without those lines
    they are two; a build of one slide under the same bar is still one."""
    bar = [_line("Recording...", 8), _line("You are viewing Dr. Priya Raman's screen", 9), _line("View Options", 8),
           _line("Dr. Priya Raman", 8), _line("Tom Becker", 8), _line("EPID 201 Northbridge School of Public Health", 8)]
    title = [_line("Introduction to Epidemiology", 24)]
    first = [_line("What Is Epidemiology?", 20), _line("Distribution and determinants of health", 10)]
    pages = {10: bar + title, 60: bar + first, 110: bar + first + [_line("Applied to control health problems", 10)],
             160: bar + [_line("Incidence and Prevalence", 20)], 210: bar + [_line("Reading an Epidemic Curve", 20)]}
    segs = [VisualSegment(a, a + 10, a + 9, _frame(v)) for a, v in zip(range(10, 60, 10), pages)]
    slides = read_slides(FakeOcr(pages), segs, OcrOptions())
    assert [(s.start, s.end) for s in slides] == [(10, 20), (20, 40), (40, 50), (50, 60)]
    assert "Introduction to Epidemiology" in slides[0].text and "Applied to control" in slides[1].text


def test_a_logo_over_every_shot_is_no_slide_joining_them():
    """A panel talk with no slides, a channel's logo in a corner of every shot: OCR reads the logo alone
    across several shots (one entry), which proves no slide stayed up; its cuts stay. A shot with a
    name caption under the logo is read apart as well."""
    logo = ("STREET LEVEL", 0.3, "")
    slides = [SlideText(0, 30, [logo]), SlideText(30, 40, [logo, ("Nadia Brooks", 0.4, "")]), SlideText(40, 70, [logo]),
              SlideText(70, 80, [logo, ("Henrik Aalto", 0.4, "")]), SlideText(80, 90, [logo])]
    segs = [VisualSegment(a, a + 10, a + 9, _frame(10)) for a in range(0, 90, 10)]
    assert [(s.start, s.end) for s in merge_same_slide(segs, slides)] == [(a, a + 10) for a in range(0, 90, 10)]
    slides[0].lines.append(("Cycling and the City", 0.9, ""))  # a title card over the first three shots
    assert [(s.start, s.end) for s in merge_same_slide(segs, slides)][:2] == [(0, 30), (30, 40)]


def test_one_slide_read_with_other_bullets_hidden_is_one_slide_under_its_title():
    """A camera cut where the lecturer moved from one bullet to another (dev: "Reading and Next Week",
    "Problem set 3 due Friday" read as "Problert und Friday"): the same title read in full on both sides
    and most words shared join them; two slides of one deck under one title ("Summary" then "Summary"
    with other bullets) stay two."""
    title, footer = _line("Reading and Next Week", 20), _line("Systems Seminar 31", 8)
    left = [title, _line("Mankiw chapters 4 and 6", 9), _line("Problem set 3 due Friday", 9),
            _line("Next costs and firms", 9), footer]
    right = [title, _line("Mankiw chapters 4 and 6", 9), _line("Problert und Friday", 9),
             _line("Next cg firms", 9), footer]
    segs = [VisualSegment(0, 30, 29, _frame(10)), VisualSegment(30, 60, 59, _frame(160))]
    slides = read_slides(FakeOcr({10: left, 160: right}), segs, OcrOptions())
    assert [(s.start, s.end) for s in slides] == [(0, 60)]
    assert [(s.start, s.end) for s in merge_same_slide(segs, slides)] == [(0, 60)]
    other = [title, _line("Office hours move to Thursday", 9), _line("Exam covers weeks one to six", 9), footer]
    slides = read_slides(FakeOcr({10: left, 160: other}), segs, OcrOptions())
    assert [(s.start, s.end) for s in merge_same_slide(segs, slides)] == [(0, 30), (30, 60)]


def test_lexical_scores_a_title_word_above_the_same_word_in_small_print():
    opts = OcrOptions()
    title = weighted_lines([_line("Budget Forecast", 20), _line("notes", 8)], opts)
    small = weighted_lines([_line("Weather", 20), _line("budget forecast appendix", 6)], opts)
    rows, scores = SlideLexicalIndex([small, title, []]).search("budget forecast", 5)
    assert rows.tolist() == [1, 0]
    assert scores[0] > 0.9 and 0.8 <= scores[1] < scores[0]  # the phrase in small print: above its words
    rows, scores = SlideLexicalIndex([small, title, []]).search("forecast budget", 5)
    assert rows.tolist() == [1, 0] and scores[0] > 0.9 and 0 < scores[1] < 0.6  # the words alone: their print
    rows, _ = SlideLexicalIndex([title]).search("roadmap", 5)
    assert rows.size == 0


def test_a_camel_case_identifier_typed_as_printed_finds_the_code_that_shows_it():
    """OCR cannot tell an identifier from a title whose space it lost, so it stores "KeyError" as
    "Key Error"; the query as a programmer types it is searched in that form too."""
    from momentsearch.ranking.lexical import best_of, camel_split
    from momentsearch.ranking.forms import query_forms as _forms

    opts = OcrOptions()
    code = weighted_lines([_line("app.py", 10), _line("except KeyError as missing:", 10),
                           _line("raise ConfigError(missing)", 10)], opts)
    other = weighted_lines([_line("Key facts", 20), _line("error bars on the chart", 10)], opts)
    index = SlideLexicalIndex([other, code])
    assert index.search("KeyError", 5)[0].size == 0  # the word as typed is in neither slide's text
    for query in ("KeyError", "ConfigError(missing)"):
        rows, scores = best_of([index.search(q, 5) for q in _forms(query)])
        assert rows.tolist()[:1] == [1] and scores[0] > 0.9, (query, rows, scores)
    assert _forms("eBay stock") == ["eBay stock"] and camel_split("XMLHttpRequest") == "XML Http Request"


def _board(text_lines, size=(640, 420), bg=(245, 245, 240), seed=0):
    """A Pillow-drawn "photo": a whiteboard with handwriting-sized text, or shapes when no text."""
    rng = np.random.default_rng(seed)
    img = Image.new("RGB", size, bg)
    d = ImageDraw.Draw(img)
    y = 40
    for text, px in text_lines:
        d.text((40, y), text, font=ImageFont.load_default(size=px), fill=(20, 30, 90))
        y += int(px * 1.6)
    if not text_lines:
        for _ in range(12):
            x0, y0 = rng.integers(0, size[0] - 80), rng.integers(0, size[1] - 80)
            d.ellipse([x0, y0, x0 + 70, y0 + 60], fill=tuple(int(c) for c in rng.integers(0, 255, 3)))
    return img


def test_ocr_model_reads_drawn_text():
    from momentsearch.models.ocr import OcrModel

    img = np.asarray(_board([("Roadmap", 64), ("pilot on the library roof", 30)]))
    lines = OcrModel().read([img])[0]
    words = " ".join(line.text for line in lines).lower()
    assert "roadmap" in words and "library" in words
    big = max(lines, key=lambda line: line.box_height)
    assert "roadmap" in big.text.lower() and 0.5 < big.confidence <= 1.0


def test_text_detection_runs_at_the_size_asked_for():
    """ocr.det_max_side is what detection sees (rapidocr 1.4 picks its own size under "max" otherwise):
    small print on a 1280-px frame is found at 1280 px and lost at 320 px, where the title stays."""
    from momentsearch.models.ocr import OcrModel

    img = Image.new("RGB", (1280, 720), (245, 245, 240))
    draw = ImageDraw.Draw(img)
    draw.text((40, 40), "Glacier outflow", font=ImageFont.load_default(size=64), fill=(20, 30, 90))
    draw.text((40, 300), "meltwater channels carve the valley floor", font=ImageFont.load_default(size=16),
              fill=(20, 30, 90))
    frame = np.asarray(img)
    small = OcrModel(det_max_side=320)
    read = {side: " ".join(line.text for line in model.read([frame])[0]).lower()
            for side, model in ((1280, small.with_det_side(1280)), (320, small))}
    assert "glacier" in read[320] and "meltwater" not in read[320], read
    assert "glacier" in read[1280] and "meltwater" in read[1280], read
    assert small.with_det_side(1280) is small.with_det_side(1280) and small.with_det_side(320) is small


def test_ocr_workers_read_each_image_as_one_worker_does():
    """Images read in parallel threads come back in the order given, each with its own lines."""
    from momentsearch.models.ocr import OcrModel

    boards = [np.asarray(_board([(word, 56), (f"{n} apples on the table", 28)], seed=n))
              for n, word in enumerate(["Roadmap", "Budget", "Library", "Harvest", "Bridges"])]
    one = OcrModel(workers=1).read(boards)
    two = OcrModel(workers=2).read(boards)
    assert two == one
    assert [lines[0].text for lines in two] == ["Roadmap", "Budget", "Library", "Harvest", "Bridges"]


# -- end to end: a slide title that is never spoken --------------------------------------------
HIDDEN_TITLE = "Glacier Hydrology"  # on the slide only; the narration never says these words


def _slide_sections() -> list:
    from momentsearch.testing.synth import Section

    return [
        Section("Welcome", "Good morning everyone. Today we have three short parts, so let us begin.",
                ["Three short parts"]),
        Section(HIDDEN_TITLE, "Please take a moment to read this slide carefully before we continue. "
                "I will wait a few seconds while you copy it.", ["Meltwater channels", "Moulins"]),
        Section("Bake Sale", "On Friday the student club sells cakes and cookies in the main hall. "
                "All the money goes to the new piano.", ["Friday", "Main hall"]),
    ]


@pytest.fixture(scope="module")
def slide_lecture(tmp_path_factory):
    sections = _slide_sections()
    for s in sections[:1] + sections[2:]:
        assert not set(HIDDEN_TITLE.lower().split()) & set(s.speech.lower().split())
    return rendered_once(tmp_path_factory, "slides.mp4", _slide_sections)


def _index(db, **models):
    from momentsearch.api import MomentIndex
    from momentsearch.options import load_config

    return MomentIndex(db, load_config(overrides={"models": models} if models else None))


def _phone_photo(board: Image.Image) -> Image.Image:
    """A board as a phone photographs a projection: skewed, soft, JPEG-grade."""
    w, h = board.size
    return board.transform((w, h), Image.QUAD, (40, 25, 15, h - 10, w - 30, h - 40, w - 8, 12)).filter(
        ImageFilter.GaussianBlur(1.0))


def _check_image_queries_without_clip(db, windows, tmp_path):
    """With no CLIP weights an image is searched by the words on it: a photo of one slide (another
    rendering, skewed and soft) finds the moment it was shown; an image without words is a clear error."""
    _phone_photo(_board([(HIDDEN_TITLE, 52), ("Meltwater channels", 30)], bg=(205, 215, 230))).save(
        tmp_path / "phone.jpg", quality=70)
    out = json.loads(run_cli("search", "--image", str(tmp_path / "phone.jpg"), "--db", str(db), "--json").stdout)
    assert "glacier" in out["image_text"].lower(), out["image_text"]
    # the picture itself was not compared (no CLIP): the results say so, not only which words were searched
    assert out["image_note"].startswith("searched by the words read on it only: the picture itself is not compared")
    text = run_cli("search", "--image", str(tmp_path / "phone.jpg"), "--db", str(db), "-k", "1").stdout
    assert "Words read on the image: " in text and "(searched by the words read on it only" in text, text
    # a text query asking for a kind of picture says it was answered by words alone; one for words says nothing
    asked = json.loads(run_cli("search", "a diagram of meltwater", "--db", str(db), "--json").stdout)
    assert asked["picture_note"].startswith("pictures are found here only by the words said or shown with them")
    assert json.loads(run_cli("search", "meltwater", "--db", str(db), "--json").stdout)["picture_note"] == ""
    said = run_cli("search", "photos of meltwater channels", "--db", str(db), "-k", "1").stdout
    assert "Note: pictures are found here only by the words" in said, said
    top = out["results"][0]
    assert iou((top["start"], top["end"]), windows[HIDDEN_TITLE]) >= 0.5 and top["channels"]["ocr"] >= 0.8, top
    # from the back of the hall: the slide an eighth of a 3000x2250 photo (its text under the slide-OCR floor
    # of 2 % of the picture's height, and unreadable at the 1024 px that photos are indexed at)
    hall = Image.new("RGB", (3000, 2250), (60, 55, 50))
    hall.paste(_board([(HIDDEN_TITLE, 52), ("Meltwater channels", 30)]).resize((360, 236)), (1300, 600))
    hall.save(tmp_path / "hall.jpg", quality=80)
    moments, words = _index(db).image_query(tmp_path / "hall.jpg", k=1)
    assert "glacier" in words.lower() and "meltwater" in words.lower(), words
    assert iou((moments[0].start, moments[0].end), windows[HIDDEN_TITLE]) >= 0.5, moments[0]
    _board([], seed=4).save(tmp_path / "shapes.png")
    proc = run_cli("search", "--image", str(tmp_path / "shapes.png"), "--db", str(db), check=False)
    assert proc.returncode == 2 and "none were found on it" in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stderr.endswith("none were found on it.\n"), proc.stderr  # one line, no trailing blank


def test_unspoken_slide_title_is_found_through_ocr(slide_lecture, tmp_path):
    video, windows = slide_lecture
    db = tmp_path / "db"
    proc = run_cli("index", str(video), "--db", str(db))  # default CLIP weights are absent: visual is off
    assert "1 indexed" in proc.stdout and " ocr " in proc.stdout  # the OCR stage's time is in the summary
    out = search_json(db, "glacier hydrology")
    top = out["results"][0]
    assert top["kind"] == "moment"
    assert iou((top["start"], top["end"]), windows[HIDDEN_TITLE]) >= 0.5, (top, windows)
    assert "visual" not in top["channels"]
    assert top["channels"]["ocr"] >= 0.8 and top["channels"].get("lexical", 0.0) == 0.0
    assert "glacier hydrology" in top["evidence"]["ocr"].lower()
    index = _index(db)
    assert "ocr" in index.info().channels and index.info().counts["ocr"] == 3
    top = index.search("bake sale")[0]  # another title, also never spoken as such
    assert iou((top.start, top.end), windows["Bake Sale"]) >= 0.5 and top.channels["ocr"] >= 0.8
    _check_image_queries_without_clip(db, windows, tmp_path)

    # the same lecture without OCR: no slide text in the index, and the title is no longer found (its words as
    # captions beside a copy, the narration exactly: the transcript is not what found the title above)
    from momentsearch.testing.captions import srt_text

    copy = tmp_path / "no-ocr" / video.name
    copy.parent.mkdir()
    shutil.copy(video, copy)
    copy.with_suffix(".srt").write_text(srt_text([(*windows[s.title], s.speech) for s in _slide_sections()]))
    index = _index(tmp_path / "db-no-ocr", ocr=False)
    report = index.index([copy])
    assert report.indexed[0].channels == ["transcript"] and "ocr" not in report.times.seconds
    assert "asr" not in report.times.seconds  # the captions were the transcript
    results = index.search("glacier hydrology")
    assert all("ocr" not in m.channels for m in results)
    assert not results or iou((results[0].start, results[0].end), windows[HIDDEN_TITLE]) < 0.5


# -- end to end: a folder of photos, a video and a non-image file ------------------------------
def _bomb_png(path: Path, side: int = 20000) -> None:
    """A tiny PNG file that claims side x side pixels (a decompression bomb's header)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
                     + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def photo_folder(slide_lecture, tmp_path_factory):
    from momentsearch.models.clip import TINY_CLIP_CONFIG

    root = tmp_path_factory.mktemp("photos")
    (root / "trip").mkdir()
    _board([("Roadmap", 72), ("Q1 pilot, Q2 rollout", 34)]).save(root / "whiteboard.png")
    _board([("Bicycle Repair", 60), ("tyres and brakes", 32)], bg=(230, 240, 250)).save(root / "trip" / "sign.jpg")
    _board([], seed=1).save(root / "trip" / "shapes.webp")
    # a slide photographed from the back of a hall: the slide under a seventh of a 3000x2250 picture, its
    # body text about 1.3 % of the picture's height (under the keyframes' floor for small print, 2 %)
    hall = Image.new("RGB", (3000, 2250), (60, 55, 50))
    hall.paste(_board([("Seminar Schedule", 56), ("tidal energy on Thursday", 30)]).resize((400, 262)), (1250, 600))
    hall.save(root / "trip" / "hall.jpg", quality=85)
    rotated = _board([("Library Hours", 60)], bg=(250, 235, 220)).rotate(90, expand=True)
    exif = Image.Exif()
    exif[0x0112] = 8  # EXIF orientation: stored turned; viewers (and open_image) turn it upright
    rotated.save(root / "trip" / "hours.jpg", exif=exif)
    frames = [_board([], seed=2), _board([], seed=3)]
    frames[0].save(root / "anim.gif", save_all=True, append_images=frames[1:])
    _bomb_png(root / "bomb.png")
    (root / "notes.txt").write_text("not an image")
    shutil.copy(slide_lecture[0], root / "lecture.mp4")
    # tiny random CLIP: photos get a (meaningless) CLIP vector, so the visual path runs for real
    index = _index(root.parent / (root.name + "-db"), clip_model=str(TINY_CLIP_CONFIG), clip_pretrained="random")
    return root, index, index.index([root])


def test_folder_indexes_photos_and_video_and_reports_the_rest(photo_folder):
    root, index, report = photo_folder
    status = {Path(f.path).name: (f.status, f.reason) for f in report.files}
    assert status["notes.txt"][0] == "skipped" and "not a media file" in status["notes.txt"][1]
    assert status["bomb.png"][0] == "failed" and "decompression bomb" in status["bomb.png"][1]
    indexed = {Path(f.path).name: f.channels for f in report.indexed}
    assert set(indexed) == {"whiteboard.png", "sign.jpg", "shapes.webp", "hours.jpg", "hall.jpg", "anim.gif",
                            "lecture.mp4"}
    assert indexed["whiteboard.png"] == ["visual", "ocr"] and "transcript" in indexed["lecture.mp4"]
    kinds = {Path(f.path).name: f.kind for f in index.info().files}
    assert kinds["lecture.mp4"] == "video" and [k for n, k in kinds.items() if n != "lecture.mp4"] == ["photo"] * 6
    assert report.times.seconds.get("ocr", 0) > 0


def test_text_query_finds_the_photo_with_that_text(photo_folder):
    root, index, _ = photo_folder
    top = index.search("roadmap")[0]
    assert top.kind == "photo" and top.video == str(root / "whiteboard.png"), top
    assert top.channels["ocr"] >= 0.8 and "roadmap" in top.evidence["ocr"].lower()
    assert top.url == (root / "whiteboard.png").resolve().as_uri() and top.to_json()["kind"] == "photo"
    top = index.search("bicycle repair")[0]
    assert top.video == str(root / "trip" / "sign.jpg")
    top = index.search("library hours", kind="photo")[0]  # the EXIF-turned photo is read upright
    assert top.video == str(root / "trip" / "hours.jpg")
    # small print on a photo is read (the tiny random CLIP's visual scores may still rank others first)
    found = index.search("tidal energy on thursday", kind="photo")
    hall = next((m for m in found if m.video.endswith("hall.jpg")), None)
    assert hall is not None and "tidal energy" in hall.evidence["ocr"].lower() and hall.channels["ocr"] >= 0.5, found


def test_an_image_named_without_an_image_extension_is_a_photo(tmp_path):
    """A scan saved as "scan" or "x.dat" is a photo by its first bytes (FFmpeg would take a PNG for a video
    of one frame, without the white behind its transparency); .jfif and .jpe are JPEG names in a folder too."""
    from momentsearch.pipeline.discover import is_photo

    ink = Image.new("RGBA", (640, 420), (0, 0, 0, 0))  # black words on a transparent ground
    ImageDraw.Draw(ink).text((40, 60), "Transparent Kiwi", font=ImageFont.load_default(size=64), fill=(0, 0, 0, 255))
    ink.save(tmp_path / "scan", format="PNG")
    (tmp_path / "folder").mkdir()
    _board([("Bicycle Repair", 60)]).save(tmp_path / "folder" / "sign.jfif", format="JPEG")
    (tmp_path / "notes.dat").write_text("not an image")
    assert is_photo(tmp_path / "scan") and not is_photo(tmp_path / "notes.dat")
    index = _index(tmp_path / "db")
    report = index.index([tmp_path / "scan", tmp_path / "folder"])
    assert sorted((Path(f.path).name, f.status) for f in report.files) == [("scan", "indexed"), ("sign.jfif", "indexed")]
    assert {Path(f.path).name: f.kind for f in index.info().files} == {"scan": "photo", "sign.jfif": "photo"}
    top = index.search("transparent kiwi", kind="photo")[0]
    assert top.video == str(tmp_path / "scan") and top.kind == "photo" and top.channels["ocr"] >= 0.5


def test_kind_filter_and_image_query(photo_folder):
    from momentsearch.models.clip import TINY_CLIP_CONFIG

    root, index, _ = photo_folder
    # "glacier hydrology" is on a lecture slide and on no photo: kind="photo" must not fall back to the
    # lecture; the photos' only hit is a faint OCR near-miss, which the default relevance floor drops
    assert index.search("glacier hydrology", kind="photo") == []
    # the filter itself is checked with the floor off (as in test_ranking_props), so faint hits of the
    # other kind are there to be filtered out and the lists below cannot be empty
    faint = _index(index.db, clip_model=str(TINY_CLIP_CONFIG), clip_pretrained="random")
    faint.searcher.options.min_score = 0.0
    for channel in ("transcript", "ocr"):  # and no similarity below "unrelated": every faint hit counts
        faint.searcher.options.calibration[channel] = [0.0, 0.8]
    photos = faint.search("glacier hydrology", kind="photo")
    assert photos and all(m.kind == "photo" for m in photos)
    moments = faint.search("roadmap", kind="moment")  # "roadmap" is best matched by whiteboard.png
    assert moments and all(m.kind == "moment" and m.video.endswith("lecture.mp4") for m in moments)
    assert index.search("bicycle repair", kind="photo")[0].video == str(root / "trip" / "sign.jpg")
    both = index.search("glacier hydrology")
    assert both[0].kind == "moment" and both[0].video.endswith("lecture.mp4")
    # an image query finds that photo (tiny random CLIP: the same picture is still its own nearest)
    assert index.search_image(root / "trip" / "sign.jpg", kind="photo")[0].video == str(root / "trip" / "sign.jpg")


def test_an_image_query_reads_the_words_on_it_and_finds_the_photo_that_has_them(photo_folder):
    """Another picture of the same sign (other colours, skewed, soft): tiny random CLIP cannot tell
    pictures apart, the words read on it can; the API returns them with the results."""
    root, index, _ = photo_folder
    photo = _phone_photo(_board([("Bicycle Repair", 56), ("tyres and brakes", 30)], bg=(250, 250, 225)))
    moments, words = index.image_query(photo, kind="photo")
    assert "bicycle" in words.lower() and moments[0].video == str(root / "trip" / "sign.jpg"), (words, moments[:2])
    assert moments[0].channels["ocr"] >= 0.8 and "visual" in moments[0].channels
    assert index.image_query(_board([], seed=5))[1] == ""  # no words: CLIP alone answers


def test_words_read_on_an_image_become_a_plain_query():
    """Slide text searched as typed text would turn bullets into exclusions and quotes into phrases."""
    from momentsearch.search.image_text import MAX_WORDS, query_text
    from momentsearch.search.query import parse_query

    text = query_text([('Cache "hit" ratio', 1.0, ""), ("- write-back \u2013 lazy", 0.5, ""), ("\u2022 TTL", 0.5, "")])
    assert text == "Cache hit ratio write-back lazy TTL" and not parse_query(text).filters
    assert len(query_text([("word " * 200, 1.0, "")]).split()) == MAX_WORDS


def test_a_slide_partly_hidden_at_its_keyframe_is_read_whole_from_other_moments():
    """A filmed slide with the lecturer in front of part of it when its keyframe was taken: the slide is
    also read at other moments of its time on screen, and each line keeps its fullest reading."""
    from momentsearch.models.ocr import OcrModel

    board = np.asarray(_board([("Kinds of Memory", 48), ("Episodic: events", 30), ("Semantic: facts", 30),
                               ("Procedural: skills", 30)]))

    def lecturer_at(x):  # a dark figure standing in front of the projection
        img = board.copy()
        img[:, x:x + 110] = (40, 40, 50)
        return img

    at = {2.0: lecturer_at(480), 6.0: lecturer_at(300), 11.0: lecturer_at(60)}  # he walks to the left
    asked = []

    def fetch(times):
        asked.extend(times)
        return [at[min(at, key=lambda t: abs(t - x))] for x in times]

    model, opts = OcrModel(), OcrOptions()
    keyframe_only = " ".join(t for t, _, _ in weighted_lines(model.read([at[11.0]])[0], opts))
    assert "Semantic" not in keyframe_only and "Procedural" not in keyframe_only  # the figure hides them
    slides = read_slides(model, [VisualSegment(0.0, 12.0, 11.0, at[11.0][::2, ::2])], opts, fetch)
    assert sorted(asked) == [2.0, 6.0, 11.0]  # the keyframe and two more moments of its 12 s
    text = slides[0].text
    for words in ("Kinds of Memory", "Episodic: events", "Semantic: facts", "Procedural: skills"):
        assert text.count(words) == 1, text  # whole, once, not also as the keyframe's fragments
    assert slides[0].title == "Kinds of Memory"
    assert text.index("Episodic") < text.index("Semantic") < text.index("Procedural")  # reading order


def test_reading_again_recognises_only_the_lines_near_what_changed():
    """A head in the audience hides the end of the last bullet at the keyframe and has moved away at the
    other moments: those reads recognise the lines near where it was, not the title again."""
    from momentsearch.models.ocr import OcrModel

    board = np.asarray(_board([("Kinds of Memory", 48), ("Episodic: events", 30), ("Semantic: facts", 30),
                               ("Procedural: skills", 30)]))

    def head_at(y, x):
        img = board.copy()
        img[y:y + 60, x:x + 110] = (40, 40, 50)
        return img

    keyframe = head_at(200, 150)  # over "Procedural: skills" (y 212-242), well below the title and first bullet
    moved = head_at(330, 500)  # in the empty lower right corner
    model, opts = OcrModel(), OcrOptions()
    recognised: list[list[str]] = []
    read = model.read

    def counting_read(images):
        out = read(images)
        recognised.extend([line.text for line in lines] for lines in out)
        return out

    model.read = counting_read
    slides = read_slides(model, [VisualSegment(0.0, 12.0, 1.0, keyframe[::2, ::2])], opts,
                         lambda times: [keyframe if t < 2 else moved for t in times])
    assert "Procedural: skills" not in " ".join(recognised[0])  # the keyframe's read is cut
    text = slides[0].text
    for words in ("Kinds of Memory", "Episodic: events", "Semantic: facts", "Procedural: skills"):
        assert text.count(words) == 1, text
    assert len(recognised) == 3  # the keyframe and two more moments
    for again in recognised[1:]:
        assert any("Procedural" in t for t in again), again
        assert not any("Memory" in t or "Episodic" in t for t in again), again  # blanked: they read the same


def test_a_still_slide_on_screen_is_read_once():
    """A screen recording's slide looks the same at every moment: one read, whatever its length (and
    even when its text looks cut: a bullet wrapped onto a second line)."""
    still = _frame(90)
    ocr = FakeOcr({90: [_line("Budget", 20), _line("rises next year", 8, top=40.0)]})
    slides = read_slides(ocr, [VisualSegment(0.0, 60.0, 59.0, still)], OcrOptions(),
                         lambda times: [still.copy() for _ in times])
    assert ocr.read_values == [90] and slides[0].title == "Budget"


def test_a_read_showing_the_next_slide_is_that_slide_from_where_it_began():
    """The picture detector placed a slide change late, so one of a picture's more moments shows the
    next slide of the deck: its text stays out of this slide's entry, and the next slide gets its own
    from where it began (found by halving the time between the keyframe and that moment)."""
    ocr = FakeOcr({90: [_line("Three Stores", 20), _line("ory, short-term, long-term", 8, top=40.0)],
                   91: [_line("Working Memory Capacity", 20), _line("Miller: 7 plus or minus 2", 8, top=40.0)]})
    frames = {90: _frame(90), 91: _frame(91)}
    frames[90][20:30, 10:150:9] = 255  # the two slides' strokes
    frames[91][40:70, 30:90] = 255

    def fetch(times):  # the next slide is on screen from 24 s, the detector cut at 30 s
        return [frames[91 if t >= 24 else 90] for t in times]

    slides = read_slides(ocr, [VisualSegment(0.0, 30.0, 20.0, frames[90])], OcrOptions(), fetch)
    # the keyframe, the moment that showed another picture (25 s), then 22.5, 23.75 and 24.375 s
    assert ocr.read_values == [90, 91, 90, 90, 91]
    assert [(s.start, s.end, s.title) for s in slides] == [(0.0, 24.375, "Three Stores"),
                                                            (24.375, 30.0, "Working Memory Capacity")]
    assert "Miller" not in slides[0].text  # the next slide's text was not taken in


def test_a_slide_change_inside_a_view_is_a_cut_where_the_slide_changed():
    """dev_markets_long2 at 1689 s: the picture detector's view began 2.5 s before the slide changed and
    its keyframe still showed the old slide; the view's later reads show the new one. The segment is cut
    where the new slide began (within a second), not at the next view 18 s later."""
    old = [_line("Price Ceilings", 20), _line("a legal maximum below equilibrium", 8, top=40.0)]
    ocr = FakeOcr({90: old, 120: old, 91: [_line("Price Floors", 20), _line("minimum wage", 8, top=40.0)]})
    frames = {v: _frame(v) for v in (90, 91, 120)}
    frames[91][40:70, 30:90] = 255
    frames[120][30:90, 60:80] = 40  # the lecturer

    def fetch(times):  # the old slide, the lecturer stepping in front of it at 10 s, the new slide from 14 s
        return [frames[90 if t < 10 else 120 if t < 14 else 91] for t in times]

    views = [VisualSegment(0, 10, 9, frames[90]), VisualSegment(10, 30, 11, frames[120]), VisualSegment(30, 40, 39, frames[91])]
    segs = [VisualSegment(0, 40, 39, frames[91], views=views)]
    slides = read_slides(ocr, segs, OcrOptions(), fetch)
    assert [(s.start, s.end, s.title) for s in slides] == [(0, 14.375, "Price Ceilings"), (14.375, 40, "Price Floors")]
    assert [(s.start, s.end) for s in split_at_text_changes(segs, slides)] == [(0, 14.375), (14.375, 40)]


def test_merged_reads_keep_each_line_whole_and_spaced_in_reading_order():
    from momentsearch.pipeline.slide_reads import merge_reads

    def line(text, top, left=10.0, width=None, confidence=0.9):
        return OcrLine(text=text, confidence=confidence, box_height=20.0, box_width=width or 10.0 * len(text),
                       top=top, left=left, image_height=400)

    keyframe = [line("Parallax", 10), line("Ser", 60), line("tic: facts", 60, left=80), line("asa baseline", 110)]
    later = [line("Parallax", 11, confidence=0.8), line("Semantic: facts", 61),
             line("as a baseline", 111, confidence=0.7), line("Gaia", 160)]
    merged = [x.text for x in merge_reads([keyframe, later])]
    assert merged == ["Parallax", "Semantic: facts", "as a baseline", "Gaia"]


def test_only_a_read_that_looks_cut_is_read_again():
    """Reading a filmed slide again costs a read per moment: it is done only when the keyframe's read
    looks like part of the text was hidden (a line starting mid-word, a scrap of a word)."""
    from momentsearch.pipeline.slide_reads import looks_cut

    assert looks_cut([_line("Kinds of Memory", 20), _line("tic: facts", 8)])
    assert looks_cut([_line("Card and Kr", 20), _line("Kr", 8)])
    assert looks_cut([_line("• ens Monday", 8)])
    assert not looks_cut([_line("Kinds of Memory", 20), _line("- Semantic: facts", 8), _line("Q1 2024", 8),
                          _line("1968", 8)])
    frames = {90: _frame(90), 91: _frame(91)}  # the lecturer moved: the frames differ
    frames[91][40:70, 30:90] = 255
    ocr = FakeOcr({90: [_line("Budget", 20), _line("- Rises next year", 8, top=40.0)]})
    read_slides(ocr, [VisualSegment(0.0, 30.0, 29.0, frames[90])], OcrOptions(),
                lambda times: [frames[90 if t > 25 else 91] for t in times])
    assert ocr.read_values == [90]  # the keyframe's read was whole: not read again


def test_a_build_step_after_the_keyframe_is_read():
    """A slide's keyframe is the last frame that matched its settled picture; a bullet revealed while the
    lecturer stood in front (no view of its own) came after it. A picture that went on 6 s or more past
    its keyframe is read again later in its time, and the fuller read kept."""
    two, three = _frame(90), _frame(90)
    two[20:30, 10:150:9] = 255
    three[20:30, 10:150:9] = 255
    three[40:50, 10:150:9] = 255  # the third bullet's strokes
    lines = [_line("Shifts in Demand", 20), _line("Income", 8, top=30.0), _line("Prices of substitutes", 8, top=50.0)]
    ocr = FakeOcr({90: lines})
    ocr.read = lambda images: [lines + ([_line("Tastes and expectations", 8, top=70.0)] if im[45, 10, 0] == 255 else [])
                               for im in images]
    slides = read_slides(ocr, [VisualSegment(0.0, 40.0, 12.0, two)], OcrOptions(),
                         lambda times: [three if t >= 25 else two for t in times])
    assert "Tastes and expectations" in slides[0].text


def test_indexing_a_folder_again_says_which_of_its_files_are_gone(tmp_path):
    """A photo deleted from an indexed folder is still found by search until `prune`: the next `index`
    of that folder says so (and prunes nothing itself)."""
    folder = tmp_path / "boards"
    folder.mkdir()
    _board([("Roadmap", 72)]).save(folder / "roadmap.png")
    _board([("Budget", 72)], seed=1).save(folder / "budget.png")
    index = _index(tmp_path / "db")
    assert not [w for w in index.index([folder]).warnings if "no longer exist" in w]
    (folder / "roadmap.png").unlink()
    warned = [w for w in index.index([folder]).warnings if "no longer exist" in w]
    assert len(warned) == 1 and warned[0].startswith("1 indexed file") and "roadmap.png" in warned[0], warned
    assert "momentsearch prune" in warned[0] and len(index.info().files) == 2  # nothing removed
    other = tmp_path / "elsewhere"
    other.mkdir()
    assert not [w for w in index.index([other]).warnings if "no longer exist" in w]  # only the folder indexed


def test_a_first_run_with_a_text_model_that_is_not_there_leaves_the_index_open_to_another(tmp_path, monkeypatch):
    """The index used to name the missing model in its collections before finding out, so every later
    run, with the default model too, was refused for asking another model."""
    from momentsearch.errors import ModelUnavailableError
    from momentsearch.models import mpnet_weights

    # all-mpnet-base-v2 (its size is known without its weights, so collections could be made first), as
    # on a machine without its packages: none installed, nothing unpacked in the cache
    monkeypatch.setenv("MOMENTSEARCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(mpnet_weights, "package_dir", lambda name: None)
    folder = tmp_path / "boards"
    folder.mkdir()
    _board([("Roadmap", 72)]).save(folder / "roadmap.png")
    with pytest.raises(ModelUnavailableError, match="all-mpnet-base-v2"):
        _index(tmp_path / "db", text_model="all-mpnet-base-v2").index([folder])
    report = _index(tmp_path / "db").index([folder])
    assert [f.status for f in report.files] == ["indexed"], report.files


@pytest.mark.parametrize("query, pictured", [
    ("a bar chart", True), ("photos of broken solar panels", True), ("a scatter plot of income", True),
    ("figure 3", True), ("a map of the river", True), ("how to figure out the price", False),
    ("the plot of the novel", False), ("where do they discuss the roadmap", False), ("imagine a market", False)])
def test_a_query_for_a_kind_of_picture_is_told_apart_from_one_for_words(query, pictured):
    from momentsearch.api import picture_note

    assert bool(picture_note(query, {"transcript", "ocr"})) is pictured
    assert picture_note(query, {"transcript", "ocr", "visual"}) == ""  # pictures compared: nothing to say



def test_a_close_up_between_two_showings_of_one_slide_is_the_slides_time():
    """An edited conference talk cuts from the projected slide to a close-up of the speaker and back every
    10-20 s while the slide stays up: its time came back as three moments. A shot with no slide text (the
    conference's logo is on every shot and does not count) between two showings of one slide joins them;
    a close-up between two different slides, or one longer than LOOK_AWAY, stays its own."""
    from momentsearch.pipeline.slide_cuts import LOOK_AWAY, join_looks_away

    logo = ("GREENCITY26", 0.3, "")

    def read(start, end, *lines):
        return SlideText(start, end, [*((t, 0.8, "") for t in lines), logo])

    frame = np.zeros((8, 8, 3), np.uint8)
    why = ("Why the City?", "Nectar all season", "Fewer pesticides")
    slides = [read(0, 20, "Bees on the Rooftops"), read(20, 40, *why), read(40, 52), read(52, 70, *why),
              read(70, 90, "Inside the Hive", "One queen"), read(90, 100), read(100, 120, "Good Neighbours", "Fences")]
    segments = [VisualSegment(a, b, b - 1, frame) for a, b in
                [(0, 20), (20, 40), (40, 52), (52, 70), (70, 90), (90, 100), (100, 120)]]
    joined = join_looks_away(segments, slides)
    assert [(s.start, s.end) for s in joined] == [(0, 20), (20, 70), (70, 90), (90, 100), (100, 120)]
    assert [(v.start, v.end) for v in joined[1].views] == [(20, 40), (40, 52), (52, 70)]
    assert joined[1].keyframe_time == 69  # the slide's later showing
    away = 1 + LOOK_AWAY  # the close-up in the middle now lasts longer
    later = [SlideText(s.start + away - 12, s.end + away - 12, s.lines) if s.start >= 52 else s for s in slides]
    later[2] = read(40, 40 + away)
    moved = [VisualSegment(s.start, s.end, s.end - 1, frame) for s in later]
    assert len(join_looks_away(moved, later)) == 7
    other = [slides[0], slides[1], slides[2], SlideText(52, 70, slides[4].lines)]  # another slide after it
    assert join_looks_away(segments[:4], other) == segments[:4]


def test_a_step_back_a_slide_and_forward_again_is_the_slides_time():
    """A presenter steps back a slide for 2.5 s to point at something and comes forward again: the
    slide's time and its talk came back in three pieces, the last one too short to answer for it. A
    showing of another slide of at most GLANCE_BACK seconds between two showings of one slide joins
    them; a longer one (going back to discuss it) stays a moment of its own."""
    from momentsearch.pipeline.slide_cuts import GLANCE_BACK, join_looks_away

    frame = np.zeros((8, 8, 3), np.uint8)
    spill = [("Spilling", 0.8, ""), ("Evict the furthest next use", 0.6, "")]
    live = [("Live Ranges", 0.8, ""), ("One interval per value", 0.6, "")]

    def shown(back: float):
        times = [(0, 20), (20, 30), (30, 30 + back), (30 + back, 45), (45, 60)]
        texts = [live, spill, live, spill, [("Summary", 0.8, ""), ("Linear scan", 0.6, "")]]
        return ([VisualSegment(a, b, b - 1, frame) for a, b in times],
                [SlideText(a, b, list(lines)) for (a, b), lines in zip(times, texts)])

    joined = join_looks_away(*shown(2.5))
    assert [(s.start, s.end) for s in joined] == [(0, 20), (20, 45), (45, 60)]
    assert [(v.start, v.end) for v in joined[1].views] == [(20, 30), (30, 32.5), (32.5, 45)]
    assert len(join_looks_away(*shown(GLANCE_BACK + 4))) == 5
    # a card shown once between two shots that read alike (a lab's wide shot of a balance) is no glance
    segments, slides = shown(5.0)
    slides[2] = SlideText(30, 35.0, [("Step 1: Weighing", 0.8, ""), ("Tare the balance", 0.6, "")])
    assert len(join_looks_away(segments, slides)) == 5


def test_a_zoom_into_a_detail_of_the_slide_and_back_is_the_slides_time():
    """A zooming-canvas talk flies into a labelled figure of its slide (4x closer, beyond what a zoom search
    tries), dwells 15 s and flies back out: the detail came back as a slide of its own and cut the topic in
    three. A showing of at most LOOK_AWAY seconds between two showings of one slide whose words are nearly
    all that slide's (under a title of its own) joins them; one with words of its own stays a slide."""
    from momentsearch.pipeline.slide_cuts import DETAIL_WORDS, join_looks_away

    frame = np.zeros((8, 8, 3), np.uint8)
    reef = [("Reef Builders", 0.9, ""), ("Coral polyps, a few mm across", 0.6, ""), ("Colonies of clones", 0.6, ""),
            ("Anatomy of a polyp", 0.3, ""), ("tentacles", 0.2, ""), ("mouth", 0.2, ""), ("nematocysts", 0.2, "")]
    detail = [("Anatomy of a polyp", 0.9, ""), ("tentacles", 0.6, ""), ("mouth", 0.6, ""), ("nematocysts", 0.6, "")]
    light = [("Partners in Light", 0.9, ""), ("Algae supply the food", 0.6, "")]

    def shown(middle):
        times = [(0, 20), (20, 35), (35, 50), (50, 70)]
        return ([VisualSegment(a, b, b - 1, frame) for a, b in times],
                [SlideText(a, b, list(lines)) for (a, b), lines in zip(times, [reef, middle, reef, light])])

    joined = join_looks_away(*shown(detail))
    assert [(s.start, s.end) for s in joined] == [(0, 50), (50, 70)]
    assert [(v.start, v.end) for v in joined[0].views] == [(0, 20), (20, 35), (35, 50)]
    assert len(join_looks_away(*shown(detail + [("calyx", 0.6, ""), ("septa", 0.6, "")]))) == 4  # words of its own
    assert len(join_looks_away(*shown(detail[-DETAIL_WORDS + 1:]))) == 4  # too few words to tell


def _shot(seed: int, wobble: int = 0) -> np.ndarray:
    """A camera shot's picture: blobs placed by `seed` on a backdrop; `wobble` moves them a little (the same
    shot a moment later: a guest leaning, a gesture)."""
    rng = np.random.default_rng(seed)
    img = np.full((180, 320, 3), 70, np.uint8)
    for _ in range(4):
        y, x = int(rng.integers(10, 120)), int(rng.integers(10, 260)) + wobble
        img[y:y + 50, x:x + 50] = rng.integers(100, 255, 3)
    return img


def test_switches_between_camera_shots_with_no_slide_are_no_slide_changes():
    """A panel talk with no slides, edited between a wide shot and each guest's close-up: a cut where either
    shot is seen again elsewhere is marked as no slide change, one inside a shot (a gesture) is undone; a cut
    to or from a slide stays, and so does a cut between pictures never seen twice (photos of a deck with no
    text)."""
    from momentsearch.pipeline.camera_shots import shot_switches

    wide, ana, ben = _shot(1), _shot(2), _shot(3)
    pictures = [wide, ana, ben, ana, _shot(2, wobble=3), wide, _frame(200), _shot(7), _shot(8), _shot(9)]
    segs = [VisualSegment(10.0 * k, 10.0 * k + 10, 10.0 * k + 9, p) for k, p in enumerate(pictures)]
    slides = [SlideText(60, 70, [("Cycling and the City", 0.9, ""), ("Episode 42", 0.4, "")])]
    marked = shot_switches(segs, slides)
    assert [(s.start, s.forced) for s in marked] == [(0, False), (10, True), (20, True), (30, True), (50, True),
                                                     (60, False), (70, False), (80, False), (90, False)]
    assert marked[1].keyframe is ana and not segs[1].forced  # keyframes kept; the segments given not changed
    assert [(v.start, v.end) for v in marked[3].views] == [(30, 40), (40, 50)]  # one close-up cut in two
    assert shot_switches(segs, slides + [SlideText(0, 60, [("Panel", 0.9, "")])]) == segs


def test_an_edits_switches_back_and_forth_between_two_cameras_are_no_slide_changes():
    """An edited lab demonstration cuts between a wide shot of the bench (a balance's readout its only text)
    and close-ups of labelled bottles and back every 10 s: each switch was a section edge, and a step came
    back as the one shot its words fell in. A switch between two shots, one without text, where the shot
    before it comes back after the next one (or the one after it was there before the last) is no slide
    change; a card of a deck (one template: a picture like another card's with other words) between two
    wide shots stays one, and so do slides shown between two showings of a talking head. A card up for at
    most CARD_UP seconds opens the footage after it (a step's title): no section starts after it."""
    from momentsearch.pipeline.camera_shots import CARD_UP, alternating_shots

    wide, jar, burette = _shot(1), _shot(2), _shot(4)
    card = np.full((180, 320, 3), 245, np.uint8)
    card[:40] = (0, 118, 122)  # the template's header band; the cards differ in their words only

    def read(*lines):
        return [(t, 0.8, "") for t in lines]

    label = read("Na2CO3", "99.9% ACS")
    shots = [(card, read("Step 1: Weighing the Standard", "Tare with the empty boat")), (wide, read("0.0000 g")),
             (jar, label), (wide, read("0.9446 g")), (_shot(2, wobble=3), label), (wide, read("2.6503g")), (card, read("Step 3: Filling the Burette", "Read at the meniscus")),
             (wide, []), (burette, read("HCl 0.1 M", "IRRITANT")), (wide, [])]
    segs = [VisualSegment(10.0 * k, 10.0 * k + 10, 10.0 * k + 9, p) for k, (p, _) in enumerate(shots)]
    slides = [SlideText(10.0 * k, 10.0 * k + 10, lines) for k, (_, lines) in enumerate(shots)]
    marked = alternating_shots(segs, slides)
    assert [s.start for s in marked[1:] if not s.forced] == [10, 60, 70]  # the cards' edges
    assert [s.keyframe for s in marked] == [s.keyframe for s in segs] and not any(s.forced for s in segs)
    # a card up for a few seconds opens the footage after it: its end starts no section
    segs[0], slides[0] = replace(segs[0], start=10 - CARD_UP), SlideText(10 - CARD_UP, 10, slides[0].lines)
    assert [s.start for s in alternating_shots(segs, slides)[1:] if not s.forced] == [60, 70]
    # a lecture: two slides of one template, a glance back between them, slides between a talking head's shots
    deck = [(card, read("Register Allocation", "Graph colouring")), (card, read("Spilling", "Furthest next use")),
            (card, read("Register Allocation", "Graph colouring")), (card, read("Spilling", "Furthest next use")),
            (wide, []), (card, read("Linear Scan", "One pass")), (wide, []), (card, read("Summary", "Colour or scan"))]
    times = [(0, 10), (10, 20), (20, 30), (30, 40), (40, 55), (55, 55 + CARD_UP), (55 + CARD_UP, 70), (70, 80)]
    segs = [VisualSegment(a, b, b - 1, p) for (a, b), (p, _) in zip(times, deck)]
    slides = [SlideText(a, b, lines) for (a, b), (_, lines) in zip(times, deck)]
    assert alternating_shots(segs, slides) == segs  # a short slide before a talking head is no edit's card


def test_one_slide_read_with_its_words_spaced_two_ways_is_one_slide():
    """A small, blurred slide filmed from the hall: OCR runs words together in one read and not in the
    next ("Aeroelasticflutter", "64km/h"); the two reads are one slide, another slide stays another."""
    from momentsearch.pipeline.ocr import another_slide, one_slide

    def read(*lines):
        return SlideText(0, 10, [(t, 0.9 if k == 0 else 0.5, "") for k, t in enumerate(lines)])

    spaced = read("Aeroelastic flutter", "Wind at 64 km/h", "Tacoma Narrows, 1940", "Deck twisted apart")
    glued = read("Aeroelasticflutter", "Wind at 64km/h", "Tacoma Narrows,1940", "Deck twisted apart")
    assert one_slide(spaced, glued, OcrOptions().same_text) and not another_slide(spaced, glued)
    other = read("Suspension bridges", "Main cables in tension", "Towers in compression")
    assert not one_slide(glued, other, OcrOptions().same_text) and another_slide(glued, other)
    # a backdrop's words cut short where the lecturer's head is, by a letter more or less each time
    head = read("KITCHEN CHEMISTR", "Northfield Universi", "Week 3")
    moved = read("KITCHEN CHEMISTR", "Northfield Universit", "Week 3")
    assert one_slide(head, moved, OcrOptions().same_text)
    whole = read("Networks", "Internet", "Exam")
    assert one_slide(read("Networks", "Inter", "Exam"), whole, OcrOptions().same_text)
    assert not one_slide(read("Networks", "Inte", "Exam"), whole, OcrOptions().same_text)  # too little left


def test_a_display_changing_under_one_label_is_one_picture():
    """A close-up of a balance: its readout, the largest print, changes with every spoonful under the same
    bottle label. The readout is no title, so the reads are one picture; a year alone stays a slide's title."""
    from momentsearch.pipeline.ocr import one_slide

    def close_up(reading):
        return SlideText(0, 5, [("Na2C03", 0.55, ""), ("99.9% ACS", 0.4, ""), (reading, 0.9, "")])  # O read 0

    before, after = close_up("0.0000 g"), close_up("0.2012")
    assert before.title == "Na2C03" and one_slide(before, after, OcrOptions().same_text)
    assert SlideText(0, 5, [("1989", 0.9, "")]).title == "1989"


def _placed(text, height, x, y):
    """A line whose box is centred at (x, y) px of a 320 x 180 picture."""
    width = 6.0 * len(text)
    return OcrLine(text=text, confidence=0.95, box_height=height, box_width=width, top=y - height / 2,
                   left=x - width / 2, image_height=180, image_width=320)


def test_a_slide_that_moves_to_the_second_screen_as_the_next_takes_its_place_is_a_slide_change():
    """A hall with two screens, the left one showing the previous slide: at each slide change the current
    slide moves from the right screen to the left and the next one appears on the right, so the read after
    the change holds nearly all the words of the read before it, as a build does. Its lines moved together
    by half the picture, and the new title stands where the old one stood: two slides. A build (a line
    added, the others where they were) and a zoom (the lines moved by unlike amounts) stay one slide."""
    beam = [("Beam Bridges", 16, 30), ("simple spans on piers", 9, 55), ("bending in the deck", 9, 75)]
    intro = [_placed("Introduction", 16, 80, 30), _placed("course plan", 9, 80, 55)]
    right = [_placed(t, h, 240, y) for t, h, y in beam]
    left = [_placed(t, h, 80, y) for t, h, y in beam]
    built = right + [_placed("steel or concrete", 9, 240, 95)]
    zoomed = [_placed(t, h * 1.5, 160 + (240 - 160) * 1.5, 90 + (y - 90) * 1.5) for t, h, y in beam]
    footer = [_placed("CIVE 1150 University", 8, 240, 170)]  # the right screen's own footer stays where it is
    ocr = FakeOcr({10: intro + right + footer, 200: left + [_placed("Truss Bridges", 16, 240, 20)] + footer,
                   120: intro + built,
                   60: intro + right, 250: intro[:1] + zoomed})
    for later, slides_read in ((200, 2), (120, 1), (250, 1)):
        segs = [VisualSegment(0, 30, 29, _frame(60 if later == 250 else 10)),
                VisualSegment(30, 60, 59, _frame(later))]
        slides = read_slides(ocr, segs, OcrOptions())
        assert len(slides) == slides_read, later
        assert len(merge_same_slide(segs, slides)) == slides_read
        if later == 200:  # stored, the entry after the change holds what appeared with it, not the slide before
            stored = drop_carried_lines(split_at_topics(slides, [45.0]))
            truss = "Truss Bridges · CIVE 1150 University"
            assert [(s.start, s.text) for s in stored] == [(0, slides[0].text), (30, truss), (45, truss)]
    old, new = (slide_text(0, 1, ocr.by_value[v], OcrOptions()) for v in (10, 200))
    assert one_slide(old, new, OcrOptions().same_text) and moved(old, new)  # the words alone say one slide
    preview = [_placed(t, h / 2, 270, y) for t, h, y in beam]  # a presenter view's next slide, small, ...
    presented = [_placed(t, h, 100, y) for t, h, y in beam] + [_placed("speaker notes", 8, 270, 150)]  # ... current
    assert not moved(slide_text(0, 1, intro + preview, OcrOptions()), slide_text(0, 1, presented, OcrOptions()))
    page = [f"line {word} of the notes" for word in ("one", "two", "three", "four", "five")]
    before = slide_text(0, 1, [_placed(t, 9, 160, 100 + 15 * k) for k, t in enumerate(page)], OcrOptions())
    scrolled = [_placed(t, 9, 160, 40 + 15 * k) for k, t in enumerate(page)] + [_placed("a sixth line", 9, 160, 115)]
    assert not moved(before, slide_text(0, 1, scrolled, OcrOptions()))  # a page scrolled by a third


def test_a_previous_slide_back_on_the_second_screen_after_a_document_camera_is_not_stored_again():
    """The second screen shows a document camera's page for a while, then the previous slide again: that
    slide last stood on the first screen two entries back, and its lines there are left out as well."""
    arch = [("Arch Bridges", 16, 30), ("thrust into abutments", 9, 55), ("keystone and voussoirs", 9, 75)]
    page = [_placed("The Iron Bridge", 10, 80, 40), _placed("opened in 1781", 8, 80, 60)]
    suspension = [_placed("Suspension Bridges", 16, 240, 30), _placed("main cables", 9, 240, 55)]
    reads = [[_placed(t, h, 240, y) for t, h, y in arch], page + [_placed(t, h, 240, y) for t, h, y in arch],
             page + suspension, [_placed(t, h, 80, y) for t, h, y in arch] + suspension]
    slides = [slide_text(10.0 * k, 10.0 * (k + 1), lines, OcrOptions()) for k, lines in enumerate(reads)]
    stored = drop_carried_lines(slides)
    assert stored[3].text == "Suspension Bridges · main cables" and stored[1].text == slides[1].text


@pytest.mark.parametrize("fmt", ["text", "youtube", "json", "vtt"])
def test_a_photo_has_no_chapters_in_any_format(photo_folder, fmt):
    """`chapters PHOTO --format youtube` printed an empty line and exited 0 (json, vtt: empty documents)."""
    root, _, _ = photo_folder
    db = root.parent / (root.name + "-db")
    proc = run_cli("chapters", str(root / "whiteboard.png"), "--db", str(db), "--format", fmt, check=False)
    assert proc.returncode == 2 and "whiteboard.png is a photo" in proc.stderr and not proc.stdout.strip()


def test_a_photo_has_no_transcript_and_says_it_is_a_photo(photo_folder):
    """`transcript PHOTO` said the photo had no speech in the index because 'no words were heard, or it was
    indexed without a transcript', as if it were a recording to index again."""
    root, _, _ = photo_folder
    db = root.parent / (root.name + "-db")
    proc = run_cli("transcript", str(root / "whiteboard.png"), "--db", str(db), check=False)
    assert proc.returncode == 2 and "whiteboard.png is a photo" in proc.stderr and not proc.stdout.strip()
    assert "no words were heard" not in proc.stderr


def test_exporting_clips_of_photo_results_says_why_none_was_cut(photo_folder, tmp_path):
    """`search ... --export-clips DIR` whose results were photos cut nothing and said nothing (exit 0, an
    empty folder): now one line names the photo results that have no clip."""
    root, _, _ = photo_folder
    db = root.parent / (root.name + "-db")
    out = tmp_path / "clips"
    proc = run_cli("search", "roadmap", "--kind", "photo", "--db", str(db), "--export-clips", str(out), check=False)
    assert proc.returncode == 0 and "whiteboard.png" in proc.stdout
    assert "no clip of results 1, 2" in proc.stderr and "a photo has no time to cut" in proc.stderr
    assert not list(out.glob("*"))


def test_a_photo_result_names_only_channels_a_photo_can_have(photo_folder):
    """A photo's result said transcript 0.0 and lexical 0.0, as if its speech had been searched."""
    root, index, _ = photo_folder
    top = index.search("roadmap")[0]
    assert top.kind == "photo" and "transcript" not in top.channels and top.channels["ocr"] >= 0.8, top.channels


def test_the_same_photo_under_two_names_is_read_once(tmp_path):
    """A photo copied into another folder was read (OCR) again; a video copy shares its twin's entries."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _board([("Bicycle Repair", 60)]).save(tmp_path / "a" / "sign.png")
    shutil.copy(tmp_path / "a" / "sign.png", tmp_path / "b" / "sign copy.png")
    index = _index(tmp_path / "db")
    first = index.index([tmp_path / "a"])
    report = index.index([tmp_path / "b"])
    (copy,) = report.files
    assert copy.status == "indexed" and copy.reason.startswith(f"same content as {tmp_path / 'a' / 'sign.png'}")
    assert "ocr" in first.times.seconds and "ocr" not in report.times.seconds  # nothing read again
    found = {m.video for m in index.search("bicycle repair", kind="photo")}
    assert str(tmp_path / "b" / "sign copy.png") in found or str(tmp_path / "a" / "sign.png") in found
    assert {Path(f.path).name: f.kind for f in index.info().files} == {"sign.png": "photo", "sign copy.png": "photo"}


@pytest.mark.parametrize("quarter", [1, 3])
def test_a_photo_on_its_side_without_exif_orientation_is_read_upright(quarter):
    """A phone photo of a slide whose EXIF orientation was lost (sent through a messenger, saved from the
    web) lies on its side: its words are read as they are upright, not as a line or two of upside-down
    letters (an image query of it said no words were on it)."""
    from momentsearch.models.ocr import OcrModel
    from momentsearch.pipeline.photo_read import read_photo

    hall = Image.new("RGB", (1600, 1200), (45, 42, 50))  # the slide a part of the picture, as from a seat
    hall.paste(_board([("Glacier Hydrology", 56), ("meltwater channels carve the valley", 30),
                       ("moulins drain the surface", 30)], size=(760, 320)), (420, 380))
    upright = np.asarray(hall.filter(ImageFilter.GaussianBlur(1)))
    ocr = OcrModel()
    want = " ".join(line.text for line in read_photo(ocr, upright, 2048)).lower()
    got = " ".join(line.text for line in read_photo(ocr, np.ascontiguousarray(np.rot90(upright, quarter)), 2048))
    assert "glacier hydrology" in want and "meltwater" in want, want
    for word in ("glacier hydrology", "meltwater", "moulins"):
        assert word in got.lower(), got


def test_an_image_query_too_small_to_read_says_so():
    """A 40x30 thumbnail of a slide said only "none were found on it", though the slide has words: they are a
    pixel or two high. The error names the size and asks for a larger copy; a blank page of ordinary size not."""
    from types import SimpleNamespace

    from momentsearch.errors import QueryError
    from momentsearch.search.searcher import Searcher

    searcher = object.__new__(Searcher)  # only what an image query with no words read on it reaches
    searcher.read_image_text, searcher._clip_error = (lambda image: ""), ""
    searcher.store = SimpleNamespace(db_dir=None)
    searcher.corpus = lambda recheck=False: SimpleNamespace(channels={"transcript", "ocr"}, unfinished=[], files={},
                                                            unfinished_note=lambda db: "")
    searcher.visual_available = lambda: False
    with pytest.raises(QueryError, match=r"none were found on it \(it is only 40x30 pixels: .*larger copy"):
        searcher.image_query(np.full((30, 40, 3), 255, np.uint8))
    with pytest.raises(QueryError, match=r"none were found on it\.$"):
        searcher.image_query(np.full((600, 800, 3), 255, np.uint8))


def test_an_image_query_whose_words_are_all_common_says_so_not_that_it_has_none():
    """A slide that says only "What is this?" was answered "none were found on it": its words were read, but
    each is too common to find a moment by; the error says that, with the words."""
    from types import SimpleNamespace

    from momentsearch.errors import QueryError
    from momentsearch.search.searcher import Searcher

    searcher = object.__new__(Searcher)  # only what an image query that reads no content word reaches
    searcher.read_image_text, searcher._clip_error, searcher.store = (
        lambda image: "What is this?"), "", SimpleNamespace(db_dir=None)
    searcher.corpus = lambda recheck=False: SimpleNamespace(channels={"transcript", "ocr"}, unfinished=[], files={},
                                                            unfinished_note=lambda db: "")
    searcher.visual_available = lambda: False
    with pytest.raises(QueryError, match=r"the words read on it \('What is this\?'\) are all too common") as err:
        searcher.image_query(np.full((400, 800, 3), 255, np.uint8))
    assert "none were found" not in str(err.value)
