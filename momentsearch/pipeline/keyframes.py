"""Visual segments: cut the sampled frames where the slide or shot changes, and nowhere else.

Each sampled frame is aligned to the segment's first picture and compared block by block
(pipeline/picture.py) with what the picture has been lately: the per-pixel median of the last
`HISTORY` samples, so a lecturer walking through it is not part of it. A block is *replaced* when
both show strokes there but other strokes (other words), *appeared* when strokes came where there
were none or were added next to the ones there (the block's stroke energy grew), *vanished* /
*grey-changed* otherwise. A cut needs a change that is

- **persistent**: the same blocks are off the reference in `persistence` consecutive samples and
  unmoved between them. A lecturer walking in front of the slide, a crossfade's blended frame or a
  flicker changes blocks that change again by the next sample: no cut. A crossfade gives one cut,
  half way between the last sample of the old picture and the first of the new;
- **not in a region that keeps moving**: blocks that changed between samples in most recent samples
  (a webcam tile in a screencast, a video playing on a slide) are masked out;
- **not a caption line**: burned-in subtitles (open captions) replace a line of text at the bottom every
  few seconds, more slowly than the masking above notices. A lasting change confined to a thin band
  of rows in the frame's bottom third, mostly other strokes (text replaced, not a bullet revealed), is
  at most a view; once such a band changed twice within 20 seconds it is taken for a
  caption line and masked (all its rows) until nothing has moved in it for that long;
- **text replaced**: at least `cut_share` of the blocks that show anything have other strokes than
  the reference (two slides of one template differing by a few lines: cut; noise, compression and
  shake: not), or half of all blocks changed their mean grey for good (a new picture or shot), or
  the whole frame's thumbnail stopped resembling the settled picture (the camera cut to the lecturer).

Decisions (documented in README, "How slide changes are found"):
- **Builds** (bullets revealed one by one) only add strokes: not a cut. Each step is a new *view*
  of the segment; the segment's keyframe is its last, fullest frame, and OCR reads each view.
- **Occlusion**: strokes hidden by a lecturer vanish, and come back (appear) when they leave:
  neither is a cut (at most a view).
- **Wipes**: a board wiped or a page cleared takes strokes away for good while the blocks keep
  their grey (nobody stands in front of them): once `WIPED` of the blocks with something in them
  lost their strokes that way it is a cut, and the keyframe is the fullest sample since the last view
  (the board with all its writing; chalk written letter by letter is a build, no cut), also where a wipe
  over seconds is cut as a new picture (half-wiped letters are other strokes) but took more than it replaced.
- **Scrolling** screen share: while it scrolls nothing is persistent; when it settles the text
  under every line has moved, so the blocks are replaced and it is cut (a new page of text is a new
  picture). A scroll of a few pixels (< `picture.SHIFT`) is aligned away like shake.
- **Zoom**: a camera zooming in or out moves the strokes of most blocks, so once it settles it is a
  cut (or view) candidate; then `zoomed` checks whether the old picture, scaled
  (`picture.zoom_search`), shows the same strokes: a new view of the slide, anchored at the zoomed
  picture, not a cut. A camera pan larger than a shake is cut, like a scroll (OCR reads both sides).

Smaller persistent changes (`view_share` of the blocks more than at the last view) start a new view
inside the segment with its own last frame, so OCR reads every picture that stayed on screen and can
still split a segment whose views show different slides (a missed cut). A view starts once fewer
blocks move between samples than changed for good: a lecturer still walking past a new slide's title
must not hold it back until the recent samples' median has taken the new slide in and the change is
gone (a slide never read).

A stable stretch longer than `max_segment` is split (periodic keyframes); such a segment is marked
`forced`, so its start is not taken for a change of topic.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np

from momentsearch.options import KeyframeOptions
from momentsearch.pipeline.caption_band import CaptionBand
from momentsearch.pipeline.picture import (FrameMap, align, block_means, compare, covered, frame_map, grid_shape,
                                           inverse, warp, zoom_search)
from momentsearch.types import SampledFrame, VisualSegment

LAST_FRAME_SPAN = 0.04  # seconds a last frame is shown when nothing says how long (one frame at 25 fps)
ACTIVITY_RATE = 0.1  # how fast a block's moving-average activity follows its changes between samples
ACTIVE = 0.6  # a block changing between samples more often than this (moving average) is masked
MIN_CONTENT = 0.08  # share of all blocks used as the least denominator (a nearly empty slide)
STROKES = 0.05  # a block's mean squared detail, in units of the ink threshold², above which it shows strokes
ADDED = 1.6  # a block whose stroke energy grew this much had strokes added, not replaced
HISTORY = 5  # recent samples whose median is the picture a new one is compared with
SHOT_SIZE = 32  # thumbnail side (pixels) whole pictures are compared at to see a change of shot
SHOT_CORR = 0.5  # a thumbnail correlating less than this with the settled picture ...
SHOT_DIFF = 0.08  # ... and differing by this much (mean grey) shows another shot (camera to lecturer)
REPLACED = 0.5  # share of blocks whose mean grey changed for good: the whole picture was replaced
ZOOM_CHANGED = 0.5  # share of the blocks with something in them a change must reach to be checked for a zoom
WIPED = 0.3  # share of the blocks with something in them whose strokes went for good (grey unmoved): a cut
ZOOM_SAME = 0.25  # a zoomed frame with other strokes in fewer of its blocks than this shows the same picture


def tiny_grey(image: np.ndarray, size: int) -> np.ndarray:
    """A size×size grey thumbnail in [0, 1] by block averaging (no resampling library needed)."""
    grey = np.asarray(image, dtype=np.float32).mean(axis=2) / 255.0
    return block_means(grey, size, size)


def thumbnail(fmap: FrameMap) -> np.ndarray:
    """The frame's grey as a SHOT_SIZE x SHOT_SIZE thumbnail (block means; the whole picture, unaligned)."""
    return block_means(fmap.grey, SHOT_SIZE, SHOT_SIZE)


def median_of(arrays: list[np.ndarray]) -> np.ndarray:
    """Element-wise median of a few equal-shape arrays (np.median's result), by a sorting network of
    element-wise min/max: for the 5 recent samples about 15x faster than np.median, which was two
    thirds of the cut detector's time."""
    a = list(arrays)
    n = len(a)
    for i in range(n):
        for j in range(n - 1 - i):
            a[j], a[j + 1] = np.minimum(a[j], a[j + 1]), np.maximum(a[j], a[j + 1])
    return a[n // 2] if n % 2 else (a[n // 2 - 1] + a[n // 2]) / 2


def frame_difference(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of two tiny grey frames, in [0, 1]."""
    return float(np.abs(a - b).mean())


@dataclass
class _Sample:
    time: float
    frame: SampledFrame
    replaced: np.ndarray  # bool per block: other strokes than the reference's (text replaced)
    appeared: np.ndarray  # bool per block: strokes where the reference had none (a build, a reveal)
    other: np.ndarray  # bool per block: strokes vanished, or the mean grey moved
    grey: np.ndarray  # bool per block: the mean grey moved
    moved: np.ndarray  # bool per block: differs from the previous sample
    tiny: np.ndarray | None = None  # SHOT_SIZE grey thumbnail of the whole frame
    erased: np.ndarray | None = None  # bool per block: strokes gone, the background's grey unmoved (a wipe)
    ink: int = 0  # blocks showing strokes


@dataclass
class _Open:
    """The segment being built."""

    start: float
    forced: bool = False  # started by a periodic split, not by a change
    view_start: float = 0.0
    views: list[VisualSegment] = field(default_factory=list)


class _Detector:
    def __init__(self, options: KeyframeOptions) -> None:
        self.o = options
        self.segments: list[VisualSegment] = []
        self.recent: deque[_Sample] = deque(maxlen=options.persistence + 2)
        self.reference: FrameMap | None = None  # the segment's first picture; later frames are aligned to it
        self.previous: FrameMap | None = None  # the previous sample, aligned to the reference
        self.last_raw: tuple[FrameMap, tuple[float, float]] | None = None  # the previous sample as read, its shift
        self.history: deque[FrameMap] = deque(maxlen=HISTORY)  # recent samples, aligned to the reference
        self.thumbs: deque[np.ndarray] = deque(maxlen=HISTORY)  # their whole-frame thumbnails (not aligned)
        self.activity: np.ndarray | None = None
        self.last_match: SampledFrame | None = None  # last sample with nothing lastingly changed
        self.last: SampledFrame | None = None  # the previous sample
        self.fullest: _Sample | None = None  # most blocks with strokes since the last rebase (before a wipe)
        self.open = _Open(0.0)
        self.trace: list[tuple[float, float, float]] | None = None  # (time, share replaced, share changed)
        self.captions = CaptionBand()  # burned-in subtitles: a band of rows masked while it changes

    def classify(self, change) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(replaced, appeared, vanished or grey moved, grey moved) per block."""
        o = self.o
        a, b = change.energy_a > STROKES, change.energy_b > STROKES
        other = a & b & (change.corr < o.same_strokes)
        # strokes added next to the ones there (a bullet revealed under the last; text a lecturer
        # stops hiding) raise the block's energy; replaced text keeps it about the same
        added = other & (change.energy_b > ADDED * change.energy_a)
        replaced = other & ~added
        appeared = ((change.energy_b > 4 * STROKES) & ~a) | added
        vanished = (change.energy_a > 4 * STROKES) & ~b
        grey = change.grey > o.block_grey
        return replaced, appeared, vanished | grey, grey

    def settled(self) -> FrameMap:
        """What the picture has been lately: the per-pixel median of the recent samples, so a lecturer
        walking through it is not part of it (nor is a slide revealed where they stood a moment ago)."""
        if len(self.history) < 3:
            return self.history[-1]
        grey = median_of([m.grey for m in self.history])
        detail = median_of([m.detail for m in self.history])
        threshold = float(np.median([m.threshold for m in self.history]))
        return FrameMap(grey=grey, detail=detail, threshold=threshold, half=self.reference.half)

    def rebase(self, frame: SampledFrame, fmap: FrameMap, anchor: bool = True, keep: list[_Sample] = ()) -> None:
        """`frame` is the picture the current segment (or view) shows from now on; `anchor`: later
        frames are aligned to it (a new segment), else to the segment's first picture (a new view).
        `keep` (with `anchor`): earlier samples that already showed it (the streak of the cut or zoom)
        stay among the recent pictures, so a change one sample later is compared with their median
        instead of being taken in as the latest picture itself (a chapter card shown for two samples, a
        slide change just after the camera zoomed: their cut was lost)."""
        earlier = [align(fmap, frame_map(s.frame.image, self.o.analysis_width))[0] for s in keep]  # onto the new
        if anchor:
            self.reference = self.previous = fmap
            self.last_raw = (fmap, (0.0, 0.0))
        self.history.clear()
        self.history.append(self.previous if not anchor else fmap)
        if anchor:  # a view is the same shot: the thumbnails before it stay, to compare a new shot with
            self.thumbs.clear()
            self.thumbs.append(thumbnail(fmap))
        self.last_match = frame
        zeros = np.zeros(grid_shape(fmap.grey.shape, self.o.block), dtype=bool)
        if self.activity is None or self.activity.shape != zeros.shape:
            self.activity = np.zeros(zeros.shape, dtype=np.float32)
        self.recent.clear()
        self.recent.append(_Sample(frame.time, frame, zeros, zeros, zeros, zeros, zeros, erased=zeros))
        self.fullest = None
        for picture in reversed(earlier):
            self.history.appendleft(picture)

    def feed(self, frame: SampledFrame) -> None:
        fmap = frame_map(frame.image, self.o.analysis_width)
        if self.reference is None or self.reference.grey.shape != fmap.grey.shape:
            if self.reference is not None:  # a resolution change mid-stream: a new picture
                self.cut(frame.time, self.last)
            self.rebase(frame, fmap)
            self.last = frame
            return
        current, shift = align(self.reference, fmap, self.last_raw)
        self.last_raw = (fmap, shift)
        moved = np.logical_or.reduce(self.classify(compare(self.previous, current, self.o.block, aligned=True)))
        active = (self.activity > ACTIVE) | self.captions.mask(moved, frame.time)
        self.activity += ACTIVITY_RATE * (moved - self.activity)
        versus = compare(self.settled(), current, self.o.block, aligned=True)
        replaced, appeared, other, grey = self.classify(versus)
        self.previous = current
        self.history.append(current)
        tiny = thumbnail(fmap)
        self.thumbs.append(tiny)
        erased = other & ~grey & (versus.energy_a > 4 * STROKES)  # strokes gone, nothing in front of them
        sample = _Sample(frame.time, frame, replaced & ~active, appeared & ~active, other & ~active,
                         grey & ~active, moved, tiny, erased & ~active, int((versus.energy_b > STROKES).sum()))
        self.recent.append(sample)
        if self.fullest is None or sample.ink >= self.fullest.ink:
            self.fullest = sample
        self.decide(sample, versus, active, fmap)
        self.last = frame

    def lasting(self, streak: list[_Sample], name: str) -> np.ndarray:
        """Blocks off the reference in every sample of the streak, unmoved between them."""
        out = np.logical_and.reduce([getattr(s, name) for s in streak])
        for s in streak[1:]:
            out = out & ~s.moved
        return out

    def decide(self, sample: _Sample, versus, active: np.ndarray, fmap: FrameMap) -> None:
        o = self.o
        streak = list(self.recent)[-o.persistence:]
        if len(streak) < o.persistence:
            streak = []
        if streak:
            replaced, appeared, grey, erased = (self.lasting(streak, n) for n in ("replaced", "appeared", "grey", "erased"))
        else:
            replaced = appeared = grey = erased = np.zeros_like(active)
        content = ((versus.energy_a > STROKES) | (versus.energy_b > STROKES) | grey) & ~active
        denominator = max(content.sum(), MIN_CONTENT * content.size, 1)
        # a view starts when lasting new strokes grow (a build step, a slide the cut missed); strokes a
        # lecturer hides (vanished) are not a new picture to read
        share, changed = replaced.sum() / denominator, (replaced | appeared).sum()
        whole = grey.sum() / max((~active).sum(), 1)
        if self.trace is not None:
            self.trace.append((sample.time, float(share), float(changed / denominator)))
        if not (sample.replaced | sample.appeared | sample.other).any():
            self.last_match = sample.frame
        first_new = streak[0] if streak else sample
        # a change soon after a periodic split is no slow fade of a cut: it is a cut of its own
        settled = bool(streak) and (first_new.time - self.open.start >= o.min_segment or self.open.forced)
        caption = settled and self.captions.change(replaced, appeared | grey, sample.time)
        if caption == "again":  # the caption line changed once more: its rows are masked from now on
            self.rebase(sample.frame, fmap, anchor=False)
            return
        shot = bool(streak) and self.other_shot([s.tiny for s in streak])
        # a zoom moves the strokes of most blocks with something in them; a build step or a person does not
        moving = (sample.replaced | sample.appeared | sample.other).sum() >= ZOOM_CHANGED * denominator
        new = whole >= REPLACED or share >= o.cut_share or shot
        # a board wiped, a page cleared: strokes gone for good where nothing stands in front of them
        emptied = erased.sum() / denominator >= WIPED
        wiped = not new and emptied
        if settled and not caption and (new or wiped):
            # a wipe over seconds, cut as a new picture: still the board in full, not the last quiet sample
            # (with a lecturer walking, one from long before: the writing since then was never read)
            before = self.keyframe_before(first_new.time, fullest=emptied and erased.sum() > replaced.sum())
            at = self.cut_time(first_new)
            zoomed = moving and not wiped and self.zoomed(before, fmap)  # a zoom moves strokes, it keeps them
            if zoomed:  # the same picture, closer or wider: a view of it, read again
                self.close_view(at, before)
                self.open.view_start = at
            else:
                self.cut(at, before)
            self.rebase(sample.frame, fmap, keep=streak[:-1])
        elif settled and changed >= max(o.view_share * denominator, 1) and \
                sample.moved.sum() < max(o.view_share * denominator, changed, 1):  # once it moves less than it changed
            at = self.cut_time(first_new)
            before = self.keyframe_before(first_new.time)
            self.close_view(at, before)
            self.open.view_start = at
            zoomed = moving and self.zoomed(before, fmap)  # wider: more of the slide appeared
            self.rebase(sample.frame, fmap, anchor=zoomed, keep=streak[:-1] if zoomed else [])
        elif sample.time - self.open.start >= o.max_segment:
            # bookkeeping only: the picture did not change, so the reference and the recent samples stay
            # (were the split's frame taken as the new reference, a slide change under way would be lost)
            self.cut(sample.time, self.last, forced=True)
        elif streak and not settled and (share > 0 or whole > 0):
            self.rebase(sample.frame, fmap)  # a change right after a cut belongs to it (a slow fade)

    def zoomed(self, before: SampledFrame, fmap: FrameMap) -> bool:
        """Whether `fmap` shows the picture of frame `before` with the camera zoomed in or out
        (`picture.zoom_search`): in what both show, fewer than ZOOM_SAME of the blocks with strokes
        have other ones, and under half another grey. Two single frames are compared, not the median
        of recent ones, so a lecturer in front of the screen is in one and elsewhere in the other. The
        larger picture is scaled down onto the smaller, so strokes are compared at the smaller size."""
        old = frame_map(before.image, self.o.analysis_width)
        motion = zoom_search(old, fmap) if old.grey.shape == fmap.grey.shape else None
        if motion is None:
            return False
        a, b, motion = (old, fmap, motion) if motion[2] >= 1.0 else (fmap, old, inverse(motion))
        change = compare(a, warp(b, motion), self.o.block, aligned=True)
        replaced, _, _, grey = self.classify(change)
        seen = covered(a.grey.shape, self.o.block, motion)
        content = ((change.energy_a > STROKES) | (change.energy_b > STROKES)) & seen
        if content.sum() < MIN_CONTENT * seen.size:
            return False  # too little in common to tell
        return (replaced & seen).sum() < ZOOM_SAME * content.sum() and (grey & seen).sum() < REPLACED * seen.sum()

    def other_shot(self, thumbs: list[np.ndarray | None]) -> bool:
        """Every one of `thumbs` (the streak, the latest thumbnails) no longer looks like the picture
        before them (median of the recent thumbnails before the streak; with the streak in it, it would
        lean towards the new shot): a cut from the projected slide to the lecturer, or back. Block
        comparison misses it (aligning two unrelated shots, masking what moves); a walking lecturer or
        camera shake keeps the correlation."""
        before = list(self.thumbs)[:-len(thumbs)] if thumbs else []
        if not thumbs or any(t is None for t in thumbs) or len(before) < 2:
            return False
        settled = median_of(before)
        a = settled - settled.mean()
        for tiny in thumbs:
            b = tiny - tiny.mean()
            corr = float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum() + 1e-12))
            if corr >= SHOT_CORR or float(np.abs(settled - tiny).mean()) <= SHOT_DIFF:
                return False
        return True

    def keyframe_before(self, time: float, fullest: bool = False) -> SampledFrame:
        """The last frame of the old picture inside the open segment: the last with nothing new, else the
        last sample before `time` (a periodic split keeps the reference, so an older match may lie
        before the segment's start). `fullest`: the sample before `time` showing strokes in the most
        blocks, recent or since the last view (before a wipe, the board with all its writing, which the
        last match may predate and a wipe over seconds has begun to take from every recent sample)."""
        start = self.open.start
        shown = [s for s in self.recent if start <= s.time < time]
        if fullest:
            written = shown + [s for s in [self.fullest] if s is not None and start <= s.time < time]
            if written:
                return max(written, key=lambda s: (s.ink, s.time)).frame
        if self.last_match is not None and start <= self.last_match.time < time:
            return self.last_match
        before = [s.frame for s in shown]
        if before:
            return before[-1]
        return self.last if self.last is not None and self.last.time >= start else (self.last_match or self.last)

    def cut_time(self, first_new: _Sample) -> float:
        """Half way between the last sample of the old picture and the first of the new one."""
        before = [s.time for s in self.recent if s.time < first_new.time]
        lo = before[-1] if before else first_new.time
        return max((lo + first_new.time) / 2, self.open.start)

    def close_view(self, end: float, keyframe: SampledFrame | None) -> None:
        if keyframe is not None and end > self.open.view_start:
            self.open.views.append(VisualSegment(self.open.view_start, end, keyframe.time, keyframe.image))

    def cut(self, at: float, keyframe: SampledFrame | None, forced: bool = False) -> None:
        if not forced and self.open.forced and at - self.open.start < self.o.min_segment and self.segments:
            # a slide change just after a periodic split: the split moves onto the change (no sliver)
            last = self.segments[-1]
            self.segments[-1] = VisualSegment(last.start, at, last.keyframe_time, last.keyframe, last.forced, last.views)
            self.open = _Open(at, forced=False, view_start=at)
            return
        if keyframe is not None and at > self.open.start:
            self.close_view(at, keyframe)
            views = self.open.views if len(self.open.views) > 1 else []
            self.segments.append(VisualSegment(self.open.start, at, keyframe.time, keyframe.image,
                                               forced=self.open.forced, views=views))
            self.open = _Open(at, forced=forced, view_start=at)

    def finish(self, duration: float) -> list[VisualSegment]:
        if self.last is None:
            return self.segments
        end = max(duration, self.last.time)
        if end <= self.open.start:  # a one-frame file, or a cut right on the last frame:
            end = self.open.start + LAST_FRAME_SPAN  # that frame still gets its segment
        self.cut(end, self.last)
        return self.segments


def detect_segments(frames: Iterable[SampledFrame], duration: float,
                    options: KeyframeOptions | None = None) -> list[VisualSegment]:
    """Consumes sampled frames (lazily) and returns visual segments covering [0, duration].

    Each segment's keyframe is the last frame that showed its settled picture; `views` lists the
    pictures inside it that differ by less than a cut (see the module docstring)."""
    detector = _Detector(options or KeyframeOptions())
    for frame in frames:
        detector.feed(frame)
    return detector.finish(duration)
