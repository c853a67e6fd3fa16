"""Cuts that slide text proves (`split_at_text_changes`), placed by the frames between the two slides
(`place_text_cuts`); cuts with one slide on both sides undone (`merge_same_slide`), and around a shot away
from the slide that came back to it (`join_looks_away`); slides cut at topic changes. A camera's switches
between shots are marked in `camera_shots`."""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import numpy as np

from momentsearch.options import KeyframeOptions, OcrOptions
from momentsearch.pipeline.deck_text import without_repeated
from momentsearch.pipeline.keyframes import STROKES, tiny_grey
from momentsearch.pipeline.ocr import CONTAINED, SlideText, another_slide, one_slide, words_alike
from momentsearch.pipeline.picture import compare, frame_map
from momentsearch.types import VisualSegment

PLACE_WIDTH = 320  # width of the maps whose strokes place a text-proven cut (the detector's analysis width)
PLACE_BLOCK = 8  # their block side (pixels): finer than the detector's, a changed line spans several
PLACE_OTHER_STROKES = KeyframeOptions.same_strokes  # strokes in a block correlating below this are other text
PLACE_MIN_BLOCKS = 4  # fewer blocks of other text: the slides differ in pictures, not text (grey cells then)
PLACE_SHOWN = 1 / 3  # a frame showing strokes in fewer of those blocks is covered or blurred: it has no say
PLACE_SIZE = 64  # grey thumbnail side on which a cut is placed when the slides' text barely differs
PLACE_DIFFER = 0.03  # grey difference (0..1) at which a thumbnail cell tells the two slides apart
PLACE_MIN_CELLS = 8  # fewer such cells: the pictures are too alike to place anything
PLACE_MAX_FRAMES = 120  # frames looked at per cut (two minutes at one frame a second)
PLACE_AGREE = 0.8  # share of the frames that must side with the placement
PLACE_NEARER = 0.5  # a frame at most this share of its distance to one picture from the other is that other


def place_text_cuts(segments: list[VisualSegment], slides: list[SlideText], certain: set[float], look,
                    step: float = 1.0) -> tuple[list[VisualSegment], list[SlideText]]:
    """Cuts that OCR proved but the picture detector did not place are moved to where the picture turns
    from the one slide into the other.

    A boundary between two segments whose slides are clearly different (`another_slide`) and that is
    not one of the detector's own cuts (`certain`: it placed those where the picture changed) is a
    periodic split that fell inside the old slide, or a view that started only once a lecturer stood
    still: the slide changed somewhere between the last picture of the old slide and the first of the
    new one. The frames between them (`look(times) -> RGB images or None`, one per `step` seconds) are
    each compared with both pictures where their text differs (`_stroke_votes`); the cut goes where the
    frames turn from the old to the new, if at least PLACE_AGREE of them are clearly one of the two and
    at least PLACE_AGREE lie on their side of the turn (`_turn`). The boundary is then a change, no
    longer a periodic split; the slides' times follow it. A periodic split that fell right on the change
    (the frames turn there, or none lie between the two pictures) stays where it is and becomes a change
    too."""
    out, slides, bare = list(segments), list(slides), without_repeated(slides)
    for i in range(1, len(out)):
        prev, seg = out[i - 1], out[i]
        t = seg.start
        if any(abs(t - c) < 1e-6 for c in certain):
            continue
        a = next((k for k, s in enumerate(slides) if abs(s.end - t) < 1e-6), None)
        b = next((k for k, s in enumerate(slides) if abs(s.start - t) < 1e-6), None)
        if a is None or b is None or not another_slide(bare[a], bare[b]):
            continue
        first = seg.views[0] if seg.views else seg  # the new slide's earliest picture
        if prev.keyframe is None or first.keyframe is None:
            continue
        lo, hi = float(prev.keyframe_time), float(first.keyframe_time)
        times = [float(x) for x in np.arange(lo + step, hi - 1e-6, step)]
        if len(times) > PLACE_MAX_FRAMES:
            continue
        # no frame between the two pictures: the boundary between them is where the slide changed
        at = _turn(prev.keyframe, first.keyframe, times, look, lo, hi) if times else (t if lo <= t <= hi else None)
        if at is None or not (prev.start < at < seg.end and slides[a].start < at < slides[b].end):
            continue
        if abs(at - t) < 1e-6:  # a periodic split that fell on the change: it is a change
            out[i] = VisualSegment(seg.start, seg.end, seg.keyframe_time, seg.keyframe, False, seg.views)
            continue
        out[i - 1] = VisualSegment(prev.start, at, prev.keyframe_time, prev.keyframe, prev.forced,
                                   _views_within(prev.views, prev.start, at))
        out[i] = VisualSegment(at, seg.end, seg.keyframe_time, seg.keyframe, False, _views_within(seg.views, at, seg.end))
        slides[a], slides[b] = replace(slides[a], end=at), replace(slides[b], start=at)
    return out, slides


def _turn(old_image, new_image, times: list[float], look, lo: float, hi: float) -> float | None:
    """When the frames at `times` (between the old picture at `lo` and the new one at `hi`) turn from the
    one to the other, or None when the two pictures are too alike or the frames do not clearly say."""
    images = look(times)
    pairs = [(x, img) for x, img in zip(times, images) if img is not None]
    if not pairs:
        return None
    votes = _stroke_votes(old_image, new_image, [img for _, img in pairs])
    if votes is None:
        votes = _grey_votes(old_image, new_image, [img for _, img in pairs])
    if votes is None:
        return None
    clear = [(x, v) for (x, _), v in zip(pairs, votes) if v is not None]
    if len(clear) < PLACE_AGREE * len(pairs):
        return None  # most frames are not clearly one of the two (another shot, a blur): nothing to place by
    is_new = np.array([v for _, v in clear], dtype=bool)
    # split k: frames before it old, from it on new; the fewest frames on the wrong side
    wrong = [int(is_new[:k].sum() + (~is_new[k:]).sum()) for k in range(len(is_new) + 1)]
    k = int(np.argmin(wrong))
    if wrong[k] > (1 - PLACE_AGREE) * len(is_new):
        return None
    before = clear[k - 1][0] if k > 0 else lo
    after = clear[k][0] if k < len(clear) else hi
    return (before + after) / 2


def _stroke_votes(old_image, new_image, frames: list) -> list[bool | None] | None:
    """Per frame: True when its text is the new slide's, False the old one's, None when it cannot say
    (a lecturer covers the text, a blur). Only blocks where both slides show strokes, but other ones,
    vote: a lecturer standing somewhere else in each picture is no text, and in a lecture hall the
    lecturer, not the few changed words, is most of what differs between the two pictures, so comparing
    whole pictures places the cut where the lecturer moved. None when the slides' text differs in fewer
    than PLACE_MIN_BLOCKS blocks (or the pictures differ in size)."""
    old, new = frame_map(old_image, PLACE_WIDTH), frame_map(new_image, PLACE_WIDTH)
    if old.grey.shape != new.grey.shape:
        return None
    apart = compare(old, new, PLACE_BLOCK)
    told = (apart.energy_a > STROKES) & (apart.energy_b > STROKES) & (apart.corr < PLACE_OTHER_STROKES)
    if told.sum() < PLACE_MIN_BLOCKS:
        return None
    votes: list[bool | None] = []
    for image in frames:
        frame = frame_map(image, PLACE_WIDTH)
        if frame.grey.shape != old.grey.shape:
            votes.append(None)
            continue
        to_old, to_new = compare(old, frame, PLACE_BLOCK), compare(new, frame, PLACE_BLOCK)
        shown = told & (to_old.energy_b > STROKES)
        if shown.sum() < max(2, PLACE_SHOWN * told.sum()):
            votes.append(None)
            continue
        share = float(np.mean(to_new.corr[shown] > to_old.corr[shown]))
        votes.append(None if share == 0.5 else share > 0.5)
    return votes


def _grey_votes(old_image, new_image, frames: list) -> list[bool | None] | None:
    """`_stroke_votes` for slides whose text barely differs (a chart, a photo): each frame compared with
    both pictures on the grey thumbnail cells where they differ; None when they are too alike."""
    old, new = tiny_grey(old_image, PLACE_SIZE), tiny_grey(new_image, PLACE_SIZE)
    cells = np.abs(old - new) > PLACE_DIFFER
    if cells.sum() < PLACE_MIN_CELLS:
        return None
    # per frame, how far it is from each picture on those cells (medians: a lecturer covers a few)
    off = np.array([[np.median(np.abs(g - old)[cells]), np.median(np.abs(g - new)[cells])]
                    for g in (tiny_grey(img, PLACE_SIZE) for img in frames)])
    apart = float(np.median(np.abs(old - new)[cells]))
    # clearly one of the two: far from the other picture in absolute terms, or much nearer to one (a
    # lecturer standing elsewhere in the two pictures makes `apart` large; the slides' own difference
    # on a washed-out projection is small)
    clear = (np.abs(off[:, 0] - off[:, 1]) >= apart / 4) | (off.min(axis=1) <= PLACE_NEARER * off.max(axis=1))
    return [bool(n) if c else None for n, c in zip(off[:, 1] < off[:, 0], clear)]


def _views_within(views: list[VisualSegment], start: float, end: float) -> list[VisualSegment]:
    """The views clipped to [start, end] whose frame is still inside (none left, or one: no views)."""
    kept = [VisualSegment(max(v.start, start), min(v.end, end), v.keyframe_time, v.keyframe)
            for v in views if max(v.start, start) <= v.keyframe_time <= min(v.end, end)]
    return kept if len(kept) > 1 else []


def split_at_text_changes(segments: list[VisualSegment], slides: Sequence[SlideText]) -> list[VisualSegment]:
    """Visual segments cut where OCR read clearly another slide inside one (a cut the picture missed;
    `another_slide`): the earlier piece keeps the last frame of its views, the later the segment's keyframe."""
    bare = without_repeated(slides)  # the deck's and the recording's own lines tell no slide from another
    starts = sorted(b.start for a, b in zip(bare, bare[1:]) if another_slide(a, b))
    out: list[VisualSegment] = []
    for seg in segments:
        cuts = [t for t in starts if seg.start + 1e-6 < t < seg.end - 1e-6]
        for t in cuts:
            before = [v for v in seg.views if v.end <= t + 1e-6]
            if not before:
                continue
            out.append(VisualSegment(seg.start, t, before[-1].keyframe_time, before[-1].keyframe,
                                     forced=seg.forced, views=before if len(before) > 1 else []))
            rest = [v for v in seg.views if v.start >= t - 1e-6]
            seg = VisualSegment(t, seg.end, seg.keyframe_time, seg.keyframe, forced=False,
                                views=rest if len(rest) > 1 else [])
        out.append(seg)
    return out


def merge_same_slide(segments: list[VisualSegment], slides: Sequence[SlideText]) -> list[VisualSegment]:
    """Segments joined where OCR read one slide on both sides of the cut (`read_slides` merged the two
    pictures' text into one entry across it): the picture changed, the slide did not (a lecturer
    standing in front of it and walking away, a camera's exposure drifting, a build). The earlier
    piece and the later one become views of the joined segment, which keeps the later keyframe. An entry
    with nothing but the lines every picture repeats (a channel's logo over every shot of a talk with no
    slides) is no slide: it joined all the shots it spanned (`scripts/independent_panel_discussion.py`)."""
    across = [(s.start, s.end) for s in without_repeated(slides) if s.lines and s.end - s.start > 0]
    out: list[VisualSegment] = []
    for seg in segments:
        if out and not seg.forced and any(a + 1e-6 < seg.start < b - 1e-6 for a, b in across):
            out[-1] = joined(out[-1], seg)
            continue
        out.append(seg)
    return out


def _as_views(seg: VisualSegment) -> list[VisualSegment]:
    return seg.views or [VisualSegment(seg.start, seg.end, seg.keyframe_time, seg.keyframe)]


def joined(*segs: VisualSegment) -> VisualSegment:
    """Neighbouring segments as one: the first's start (and whether it was a periodic split), the last's
    end and keyframe, every piece a view."""
    first, last = segs[0], segs[-1]
    return VisualSegment(first.start, last.end, last.keyframe_time, last.keyframe, first.forced,
                         [view for seg in segs for view in _as_views(seg)])


LOOK_AWAY = 30.0  # seconds; the longest shot without the slide that joins two showings of the slide
GLANCE_BACK = 8.0  # seconds; the longest showing of another slide that joins two showings of a slide


def join_looks_away(segments: list[VisualSegment], slides: Sequence[SlideText],
                    same_text: float = OcrOptions.same_text) -> list[VisualSegment]:
    """Segments joined where the picture left a slide and came back to it: a shot with no slide text (a
    close-up of the speaker in an edited talk, the audience) of at most LOOK_AWAY seconds between two
    showings of one slide (its text read alike before and after, `ocr.one_slide`, the lines every slide
    repeats left out: a conference's logo bug is on every shot). The slide stayed up while the camera
    looked away, and the talk over the close-up is the slide's: an edited talk cut to the speaker every
    10-20 s, and one slide's time came back as three moments of a few seconds each
    (`scripts/independent_conference_talk.py`). So does a showing of another slide of at most GLANCE_BACK
    seconds that is shown at another time too (a presenter stepping back a slide to point at something and
    forward again): shorter than a section made from speech may be, it split the slide's time and its talk
    in three (`scripts/independent_transitions_lecture.py`). A card shown once between two shots that read
    alike is new content, not a glance (an edited lab demonstration's "Step 1" card between two wide shots
    of a balance, `scripts/independent_lab_demo.py`). So does a detail of the slide zoomed into, of at most
    LOOK_AWAY seconds (`_detail_of`: a zooming-canvas talk flew 4x closer into a labelled figure and out again,
    and the topic came back in three pieces, `scripts/independent_zoom_canvas.py`). The pieces become views;
    the later slide's keyframe stays."""
    read = [s for s in without_repeated(slides) if s.lines]

    def text_at(t: float) -> SlideText | None:
        return next((s for s in read if s.start - 1e-6 <= t <= s.end + 1e-6), None)

    def shown_elsewhere(mine: SlideText | None, a: VisualSegment, c: VisualSegment) -> bool:
        """`mine` (the middle showing's slide) is one shown before a or after c too (stepped back to, or
        skipped ahead to)."""
        return mine is not None and any(one_slide(mine, s, same_text) for s in read
                                        if s.end <= a.start + 1e-6 or s.start >= c.end - 1e-6)

    out = list(segments)
    i = 1
    while i + 1 < len(out):
        a, b, c = out[i - 1], out[i], out[i + 1]
        before, after, mine = text_at(a.end - 0.5), text_at(c.start + 0.5), text_at((b.start + b.end) / 2)
        shown = b.end - b.start
        away = (shown <= LOOK_AWAY and (textless(b, read) or _detail_of(mine, before))) or (
            shown <= GLANCE_BACK and shown_elsewhere(mine, a, c))
        if (not b.forced and away and before is not None and after is not None and before is not after
                and one_slide(before, after, same_text)):
            out[i - 1:i + 2] = [joined(a, b, c)]
            continue
        i += 1
    return out


DETAIL_WORDS = 3  # the fewest words a detail zoomed into must show to be told a part of the slide around it


def _detail_of(part: SlideText | None, whole: SlideText | None) -> bool:
    """Whether `part` reads as a detail of `whole`: at least DETAIL_WORDS words, nearly all (`ocr.CONTAINED`)
    among the whole's, under a title of its own or none (a zoom into a labelled figure of the slide)."""
    if part is None or whole is None:
        return False
    mine, theirs = words_alike(part, whole)
    return len(mine) >= DETAIL_WORDS and len(mine & theirs) >= CONTAINED * len(mine)


def textless(seg: VisualSegment, read: Sequence[SlideText]) -> bool:
    """Whether slide text (`read`: entries with lines) was read over less than half of `seg`."""
    covered = sum(max(0.0, min(s.end, seg.end) - max(s.start, seg.start)) for s in read)
    return covered < (seg.end - seg.start) / 2


MIN_PIECE = 1.0  # seconds; a topic change closer than this to a slide's edge does not cut it


def split_at_topics(slides: Sequence[SlideText], topics: Sequence[float]) -> list[SlideText]:
    """Each slide cut where the talk changes topic while it stays on screen: one entry per section it
    spans, the same text in each. A slide's evidence then counts fully for the section a query's words
    are in, instead of drawing the moment out over both topics (a hit counts for a span in proportion
    to how much of it the span covers)."""
    out: list[SlideText] = []
    for slide in slides:
        edges = [slide.start, *sorted(t for t in topics if slide.start + MIN_PIECE < t < slide.end - MIN_PIECE), slide.end]
        out += [replace(slide, start=a, end=b, lines=list(slide.lines)) for a, b in zip(edges, edges[1:])]
    return out
