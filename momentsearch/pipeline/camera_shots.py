"""Switches between camera shots, not slides: in an edited talk with no slide (a panel's wide shot and close-ups,
`shot_switches`) and in an edit that goes back and forth between a shot without slide text and another
(`alternating_shots`: a lab demonstration's bench and a bottle's label); each such switch is marked as no
slide change (`forced`), so the sections there come from speech."""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import numpy as np

from momentsearch.options import OcrOptions
from momentsearch.pipeline.deck_text import without_repeated
from momentsearch.pipeline.keyframes import tiny_grey
from momentsearch.pipeline.ocr import SlideText, one_slide, without_readouts
from momentsearch.pipeline.slide_cuts import joined, textless
from momentsearch.types import VisualSegment

SHOT_THUMB = 32  # side of the grey thumbnails two keyframes are compared at to see one camera shot
SAME_SHOT_DIFF = 0.05  # one shot: thumbnails differing by at most this (mean grey, 0..1) ...
SAME_SHOT_CORR = 0.6  # ... and correlating at least this (a panel's close-ups of one guest: >= 0.69, <= 0.04;
#                       photos on one dark template: differ by >= 0.07)


def shot_switches(segments: list[VisualSegment], slides: Sequence[SlideText]) -> list[VisualSegment]:
    """`segments` where the picture showed no slide text on either side of a cut (`textless`, the lines every
    picture repeats left out: a channel's logo) and the cut is a camera's, not a slide change: two pieces of
    one shot (a detector's cut inside a gesturing close-up) are joined, the earlier a view; a switch between
    shots where either is seen again elsewhere (not beside it) among such pictures is marked as no slide
    change (`forced`). A panel talk edited between a wide shot and each speaker's close-up made every switch
    a section edge: the speakers' turns and topics came back cut at the camera's whim, and the speech never
    placed a topic (`scripts/independent_panel_discussion.py`). The shots' keyframes stay (an image query
    still finds each shot); sections and chunks there come from speech."""
    read = [s for s in without_repeated(slides) if s.lines]
    bare = [i for i, seg in enumerate(segments) if seg.keyframe is not None and textless(seg, read)]
    if len(bare) < 2:
        return list(segments)
    same = _same_shot(np.stack([tiny_grey(segments[i].keyframe, SHOT_THUMB).ravel() for i in bare]))
    where = {seg_index: k for k, seg_index in enumerate(bare)}

    def seen_again(i: int) -> bool:
        return any(same[where[i], where[j]] for j in bare if abs(j - i) > 1)

    out = [segments[0]]
    for i in range(1, len(segments)):
        seg = segments[i]
        camera = i - 1 in where and i in where and not seg.forced
        if camera and same[where[i - 1], where[i]]:
            out[-1] = joined(out[-1], seg)
        elif camera and (seen_again(i - 1) or seen_again(i)):
            out.append(replace(seg, forced=True))
        else:
            out.append(seg)
    return out


CARD_UP = 8.0  # seconds; the longest showing of a card that opens an edit's footage after it


def alternating_shots(segments: list[VisualSegment], slides: Sequence[SlideText],
                      same_text: float = OcrOptions.same_text) -> list[VisualSegment]:
    """`segments` with each camera switch of an edit that goes back and forth marked as no slide change
    (`forced`): a cut between two shots that look different, one with no slide text, the other no slide of
    a deck, where the shot before the cut is seen again just after the next one, or the shot after it just
    before the one before (A B A). An edited demonstration cuts every 5-20 s between a wide shot of the
    bench and a close-up of a labelled bottle and back, and every switch was a section edge: a step came
    back as the one shot its words fell in (`scripts/independent_lab_demo.py`). A shot is its picture (grey
    thumbnails alike, as `shot_switches` judges them) when it has no text, its text when it has
    (`ocr.one_slide`); readouts are no text (`ocr.readout`: a scale's display changes while the shot stays).
    A deck's slide is a picture that looks like another's with other text (one template): a card between
    two wide shots ("Step 3: Filling the Burette") stays a slide change, and so does a deck's slide between
    two shots of a talking head; two slides and a glance back between them have text on both sides. A card
    up for at most CARD_UP seconds and shown once, followed by a shot of the edit (one of its switches, or
    a picture seen in one), opens that footage: no section starts where it ends (a step's title card; a
    query for its words came back as the card's few seconds). A talking head between slides is no edit."""
    read = [kept for s in without_repeated(slides) if (kept := without_readouts(s)).lines]
    shots = [i for i, seg in enumerate(segments) if seg.keyframe is not None]
    if len(shots) < 3:
        return list(segments)
    look = _same_shot(np.stack([tiny_grey(segments[i].keyframe, SHOT_THUMB).ravel() for i in shots]))
    where = {seg_index: k for k, seg_index in enumerate(shots)}
    text = {i: None if textless(segments[i], read) else _text_over(segments[i], read) for i in shots}

    def same(i: int, j: int) -> bool:
        if i not in where or j not in where:
            return False
        a, b = text[i], text[j]
        if a is None or b is None:
            return a is b and bool(look[where[i], where[j]])
        return one_slide(a, b, same_text)

    def deck(i: int) -> bool:
        return text[i] is not None and any(look[where[i], where[j]] and text[j] is not None and not same(i, j)
                                           for j in shots if j != i)

    out, edited = list(segments), set()  # edited: the shots an edit switches between
    for i in range(1, len(segments)):
        if segments[i].forced or same(i - 1, i) or not (same(i - 2, i) or same(i - 1, i + 1)):
            continue
        if (text[i - 1] is None or text[i] is None) and not deck(i - 1) and not deck(i):
            out[i] = replace(segments[i], forced=True)
            edited |= {i - 1, i}

    def footage(i: int) -> bool:  # a shot of the edit, or one seen again in it
        return i in where and (i in edited or any(same(i, j) for j in edited))

    for i in range(1, len(segments)):  # a card opens the footage after it
        card = i - 1
        if (not out[i].forced and footage(i) and card in where and deck(card)
                and segments[card].end - segments[card].start <= CARD_UP
                and not any(same(card, j) for j in shots if j != card)):
            out[i] = replace(segments[i], forced=True)
    return out


def _text_over(seg: VisualSegment, read: Sequence[SlideText]) -> SlideText | None:
    """The entry of `read` that covers most of `seg`."""
    overlap = [(min(s.end, seg.end) - max(s.start, seg.start), k) for k, s in enumerate(read)]
    best = max(overlap, default=(0.0, -1))
    return read[best[1]] if best[0] > 0 else None


SHOT_ROWS = 16  # thumbnails compared with all the others at a time (16 x 600 x 1024 floats: 39 MB)


def _same_shot(thumbs: np.ndarray) -> np.ndarray:
    """Pairs of grey thumbnails (rows) of one camera shot: alike in grey and in pattern. Row by row: all
    pairs at once held n x n x 1024 differences (600 segments of a three-hour lecture: 1.5 GB)."""
    thumbs = thumbs.astype(np.float32)
    centred = thumbs - thumbs.mean(axis=1, keepdims=True)
    unit = centred / np.maximum(np.linalg.norm(centred, axis=1, keepdims=True), 1e-9)
    diff = np.concatenate([np.abs(thumbs[k:k + SHOT_ROWS, None, :] - thumbs[None, :, :]).mean(axis=2)
                           for k in range(0, len(thumbs), SHOT_ROWS)])
    return (diff <= SAME_SHOT_DIFF) & (unit @ unit.T >= SAME_SHOT_CORR)
