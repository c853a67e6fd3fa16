"""What a sampled frame shows, reduced to what slide and shot changes are made of (OpenCV + numpy).

A frame becomes a `FrameMap`: a grey picture about `width` pixels wide and its *detail* (grey minus
its 5×5 local mean: text strokes, lines, outlines), with an *ink* threshold that follows the frame's
own noise and contrast, so a dim, low-contrast camera view of a projected slide is measured like a
screen recording.

`align` moves one map onto another by their global sub-pixel translation (camera shake): the
median of phase correlations over a 3×3 grid of tiles, so a lecturer walking through one or two
tiles does not drag it, and only when most tiles agree (two different slides are not "aligned").

`compare` measures two aligned maps block by block: per block the correlation of their detail
(the same strokes correlate near 1 whatever the brightness; other words in the same template
correlate near 0), how much stroke energy each has, the change of mean grey (a new background or
picture), and the ink that appeared or went away. Two slides of one template that differ by a few
lines of words barely move a mean grey difference, but replace the strokes of every block those
lines cross. Costs a few milliseconds a frame at 320×180.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import cv2
import numpy as np

SHIFT = 8.0  # analysis pixels of global shift corrected (camera shake); a larger move is a change
STILL = 0.004  # mean grey difference (0..1) of the half-size frames below which nothing moved
CHAIN_TILES = 6  # tiles of the 3x3 grid that must agree on a shift taken through the frame before
MIN_SHIFT = 0.3  # pixels; smaller estimated shifts are left alone (a still screen recording)
INK_NOISE = 4.0  # ink stands out from the local mean by this many noise sigmas ...
INK_CONTRAST = 0.08  # ... and by this share of the frame's contrast (2nd..98th grey percentile)
INK_FLOOR = 0.02  # and never by less than this (grey in [0, 1]): flat frames have no ink
ZOOM_MIN = 0.004  # a scale this close to 1 is no zoom (`covered`: every block is shown)
ZOOM_MAX = 0.8  # a camera zoomed in or out further than this is not taken for one picture
ZOOM_STEPS = tuple(1.12 ** i for i in range(-5, 6) if i)  # scales `zoom_search` tries first
ZOOM_FOUND = 0.02  # a zoom searched for must be at least this: a smaller best is a shift, or noise
MASK_BLOCK = 16  # analysis pixels: `_mismatch` leaves out blocks of this side that b does not show
ZOOM_MISMATCH = 0.5  # strokes differing more than this (`_mismatch`) at the best scale: no zoom of one picture


@dataclass
class FrameMap:
    """A frame reduced for change detection. Arrays share one shape (rows, cols)."""

    grey: np.ndarray  # float32 in [0, 1]
    detail: np.ndarray  # float32: grey minus its local mean (strokes are far from 0)
    threshold: float  # |detail| above this is ink
    half: np.ndarray  # grey at half the size: the global shift is estimated on it (4x cheaper)
    _blocks: dict = field(default_factory=dict, repr=False)  # (what, block) -> per-block means, computed once

    def blocks(self, what: str, block: int) -> np.ndarray:
        """Per-block mean of "grey" or "energy" (squared detail), cached: a frame is compared twice."""
        key = (what, block)
        if key not in self._blocks:
            self._blocks[key] = per_block(self.grey if what == "grey" else self.detail * self.detail, block)
        return self._blocks[key]

    @property
    def ink(self) -> np.ndarray:
        return np.abs(self.detail) > self.threshold


@dataclass
class BlockChange:
    """How two frame maps differ, per block of a (gy, gx) grid (shares: 0..1 of the block's pixels)."""

    grey: np.ndarray  # absolute change of the block's mean grey
    corr: np.ndarray  # correlation of the two detail maps in the block (1: the same strokes)
    energy_a: np.ndarray  # the first map's mean squared detail over its ink threshold² (strokes: > ~0.05)
    energy_b: np.ndarray  # the same for the second map
    shift: tuple[float, float]  # (dy, dx) that aligned the second map to the first


def block_means(grey: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """`grey` (h, w) shrunk to (rows, cols) by averaging blocks (area interpolation)."""
    return cv2.resize(np.asarray(grey, dtype=np.float32), (cols, rows), interpolation=cv2.INTER_AREA)


def _detail(grey: np.ndarray) -> tuple[np.ndarray, float]:
    detail = grey - cv2.blur(grey, (5, 5))
    sample = grey[::3, ::3]
    fine = np.abs(sample - cv2.blur(sample, (3, 3)))
    noise = 1.4826 * float(np.median(fine))  # robust: most of a slide is flat, so this is the noise
    lo, hi = np.percentile(sample, [2, 98])
    return detail, max(INK_NOISE * noise, INK_CONTRAST * float(hi - lo), INK_FLOOR)


def frame_map(image: np.ndarray, width: int) -> FrameMap:
    """An RGB uint8 (h, w, 3) frame as a FrameMap about `width` pixels wide (never wider than the frame)."""
    image = np.ascontiguousarray(image, dtype=np.uint8)
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    h, w = grey.shape
    cols = max(8, min(width, w))
    rows = max(8, int(round(h * cols / w)))
    if (rows, cols) != (h, w):
        grey = block_means(grey, rows, cols)
    detail, threshold = _detail(grey)
    half = cv2.resize(grey, (cols // 2, rows // 2), interpolation=cv2.INTER_AREA)
    return FrameMap(grey=grey, detail=detail, threshold=threshold, half=half)


def block_size(shape: tuple[int, int], block: int) -> int:
    """The block side used for maps of `shape`: `block`, smaller for tiny frames (at least 4 rows of blocks)."""
    return int(max(2, min(block, shape[0] // 4)))


def grid_shape(shape: tuple[int, int], block: int) -> tuple[int, int]:
    """The (rows, cols) of blocks `compare` gives for maps of `shape`."""
    bs = block_size(shape, block)
    return shape[0] // bs, shape[1] // bs


@functools.lru_cache(maxsize=8)
def _hanning(rows: int, cols: int) -> np.ndarray:
    return cv2.createHanningWindow((cols, rows), cv2.CV_32F)


def _global_shift(a: np.ndarray, b: np.ndarray, least: int = 3) -> tuple[float, float] | None:
    """(dy, dx) moving b onto a: the median of phase correlations of a 3×3 grid of tiles, so a lecturer
    walking through one or two tiles does not drag the estimate; None when fewer than `least` tiles (and
    a majority of those with something in them) agree."""
    h, w = a.shape
    th, tw = h // 3, w // 3
    window = _hanning(th, tw)
    shifts = []
    for y in range(0, 3 * th, th):
        for x in range(0, 3 * tw, tw):
            ta, tb = a[y:y + th, x:x + tw], b[y:y + th, x:x + tw]
            if float(ta.std()) < 0.01:  # a flat tile says nothing about motion
                continue
            (dx, dy), response = cv2.phaseCorrelate(ta, tb, window)
            if response > 0.1 and max(abs(dx), abs(dy)) <= SHIFT:
                shifts.append((dy, dx))
    if len(shifts) < least:
        return None
    found = np.array(shifts)
    dy, dx = np.median(found, axis=0)
    agree = np.abs(found - (dy, dx)).max(axis=1) <= 1.0
    if agree.sum() < max(least, len(shifts) // 2 + 1):
        return None  # tiles disagree: two different pictures, not one that moved
    dy, dx = found[agree].mean(axis=0)
    return float(dy), float(dx)


def align(a: FrameMap, b: FrameMap, via: tuple[FrameMap, tuple[float, float]] | None = None
          ) -> tuple[FrameMap, tuple[float, float]]:
    """b moved onto a by the global (sub-pixel) translation between them, when it is a small one.
    `via`: a frame just before b and its own shift onto a; when a and b show too little in common to
    say (another slide on the same screen), b's shift is that frame's plus b's onto it (the camera
    shakes on, whatever the screen shows), if CHAIN_TILES tiles agree on it (the whole view moved, not
    a person talking in front of a plain background)."""
    if min(a.half.shape) < 48:
        return b, (0.0, 0.0)
    if float(np.abs(a.half - b.half).mean()) < STILL:
        return b, (0.0, 0.0)  # a still picture (a screen recording): nothing to align
    shift = _global_shift(a.grey, b.grey)
    if shift is None and via is not None:
        step = _global_shift(via[0].grey, b.grey, CHAIN_TILES)
        if step is not None:
            shift = (via[1][0] + step[0], via[1][1] + step[1])
            if max(abs(shift[0]), abs(shift[1])) > SHIFT:
                shift = None
    if shift is None or max(abs(shift[0]), abs(shift[1])) < MIN_SHIFT:
        return b, (0.0, 0.0)
    return warp(b, shift), shift


def per_block(x: np.ndarray, block: int) -> np.ndarray:
    """Mean of `x` over each block of the grid `grid_shape` gives (pixels past the last block ignored)."""
    bs = block_size(x.shape, block)
    gy, gx = x.shape[0] // bs, x.shape[1] // bs
    inner = np.ascontiguousarray(x[: gy * bs, : gx * bs], dtype=np.float32)
    return cv2.resize(inner, (gx, gy), interpolation=cv2.INTER_AREA)  # exact block means (integer factor)


def compare(a: FrameMap, b: FrameMap, block: int, aligned: bool = False) -> BlockChange:
    """Per-block differences of two maps of one shape (see the module docstring). `aligned`: b was
    already moved onto a."""
    shift = (0.0, 0.0)
    if not aligned:
        b, shift = align(a, b)

    def blocks(x: np.ndarray) -> np.ndarray:
        return per_block(x, block)

    grey = np.abs(a.blocks("grey", block) - b.blocks("grey", block))
    sa, sb = a.blocks("energy", block), b.blocks("energy", block)
    corr = blocks(a.detail * b.detail) / np.sqrt(np.maximum(sa * sb, 1e-12))
    return BlockChange(grey, corr, sa / a.threshold ** 2, sb / b.threshold ** 2, shift)



SAME_CORR = 0.8  # blocks with strokes must correlate this well for two frames to be the same picture
SAME_GREY = 0.05  # and no block's mean grey may move more than this


@dataclass
class ChangedBlocks:
    """Where a frame differs from another, block by block (`changed_blocks`)."""

    changed: np.ndarray  # bool (rows, cols): other strokes or another grey there
    block: float  # a block's side in pixels of the frames compared (not of the analysis maps)
    shift: tuple[float, float]  # (dy, dx) in frame pixels: where the first frame's content lies in the second


def changed_blocks(a: np.ndarray, b: np.ndarray, width: int = 320, block: int = 16) -> ChangedBlocks | None:
    """The blocks where RGB frame `b` shows other strokes or another grey than `a` after the camera's
    shake is taken out; None when the frames differ in size."""
    ma, mb = frame_map(a, width), frame_map(b, width)
    if ma.grey.shape != mb.grey.shape:
        return None
    change = compare(ma, mb, block)
    strokes = (change.energy_a > 0.05) | (change.energy_b > 0.05)
    changed = (strokes & (change.corr < SAME_CORR)) | (change.grey > SAME_GREY)
    scale = np.shape(a)[1] / ma.grey.shape[1]
    dy, dx = change.shift
    return ChangedBlocks(changed, block_size(ma.grey.shape, block) * scale, (dy * scale, dx * scale))


def same_picture(a: np.ndarray, b: np.ndarray, width: int = 320, block: int = 16) -> bool:
    """Whether two RGB frames show the same picture, stroke for stroke (not just the same template):
    a periodic keyframe of one slide is, the next slide of the same deck is not."""
    change = changed_blocks(a, b, width, block)
    return change is not None and not change.changed.any()


def warp(b: FrameMap, motion: tuple[float, ...]) -> FrameMap:
    """b moved by `motion` ((dy, dx) or (dy, dx, scale) about the centre: where a pixel of the
    picture aligned to is found in b), its edge repeated where b does not reach."""
    dy, dx, scale = (*motion, 1.0)[:3]
    cy, cx = b.grey.shape[0] / 2, b.grey.shape[1] / 2
    move = np.float32([[scale, 0, cx - scale * cx + dx], [0, scale, cy - scale * cy + dy]])
    size = b.grey.shape[::-1]
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    grey = cv2.warpAffine(b.grey, move, size, flags=flags, borderMode=cv2.BORDER_REPLICATE)
    detail = cv2.warpAffine(b.detail, move, size, flags=flags, borderMode=cv2.BORDER_REPLICATE)
    return FrameMap(grey, detail, b.threshold, b.half)


def inverse(motion: tuple[float, ...]) -> tuple[float, float, float]:
    """The motion that undoes `motion` (a onto b instead of b onto a)."""
    dy, dx, scale = (*motion, 1.0)[:3]
    return -dy / scale, -dx / scale, 1.0 / scale


def _within(motion: tuple[float, ...], shape: tuple[int, int]) -> bool:
    """Whether `motion` can be a camera's on one picture: a shift of at most SHIFT (a larger one, a
    scrolled page, is a change), or a zoom of at most ZOOM_MAX whose point held still lies in the frame."""
    dy, dx, scale = (*motion, 1.0)[:3]
    k = abs(scale - 1.0)
    if k < ZOOM_MIN:
        return max(abs(dy), abs(dx)) <= SHIFT
    return k <= ZOOM_MAX and max(abs(dy) - k * shape[0] / 2, abs(dx) - k * shape[1] / 2) <= SHIFT


def zoom_search(a: FrameMap, b: FrameMap) -> tuple[float, float, float] | None:
    """The zoom (dy, dx, scale) that makes b show a's picture, for a camera that zoomed in or out
    (`align` corrects a shift of at most SHIFT pixels, not a scale): b is scaled back about its
    centre by each of ZOOM_STEPS, then by finer steps around the best, each scale's shift taken from
    the whole-frame phase correlation, and the best is the one whose strokes differ least from a's
    (`_mismatch`; the correlation's own peak hardly moves with the scale on a slide that is mostly
    background). None when the best is no
    zoom (|scale - 1| < ZOOM_FOUND) or its strokes differ by more than ZOOM_MISMATCH; whether b then
    shows a's picture is for the caller to judge block by block."""
    best = (np.inf, (0.0, 0.0, 1.0))
    for steps in (ZOOM_STEPS, [1.02 ** i for i in range(-3, 4)], [1.004 ** i for i in range(-5, 6)]):
        around = best[1][2]
        for step in steps:
            scale = around * step
            moved = warp(b, (0.0, 0.0, scale))
            # copies: OpenCV's phaseCorrelate windows a whole contiguous array in place
            (dx, dy), _ = cv2.phaseCorrelate(a.grey.copy(), moved.grey.copy(), _hanning(*a.grey.shape))
            motion = (dy * scale, dx * scale, scale)
            if _within(motion, a.grey.shape):
                best = min(best, (_mismatch(a, b, motion), motion))
    motion = best[1]
    return motion if best[0] <= ZOOM_MISMATCH and abs(motion[2] - 1.0) >= ZOOM_FOUND else None


def _mismatch(a: FrameMap, b: FrameMap, motion: tuple[float, ...]) -> float:
    """How much the strokes of b moved by `motion` differ from a's where b shows them: mean absolute
    difference of the detail maps over the sum of their mean magnitudes (0: the same; about 1: unrelated)."""
    moved = warp(b, motion)
    seen = covered(a.grey.shape, MASK_BLOCK, motion)
    bs = block_size(a.grey.shape, MASK_BLOCK)
    mask = np.zeros(a.grey.shape, dtype=bool)
    mask[: seen.shape[0] * bs, : seen.shape[1] * bs] = np.repeat(np.repeat(seen, bs, 0), bs, 1)
    if not mask.any():
        return np.inf
    da, db = a.detail[mask], moved.detail[mask]
    return float(np.abs(da - db).mean() / max(np.abs(da).mean() + np.abs(db).mean(), 1e-6))


def covered(shape: tuple[int, int], block: int, motion: tuple[float, ...]) -> np.ndarray:
    """Per block of the grid `grid_shape` gives, whether a frame moved by `motion` (`warp`) shows
    it: with no zoom every block (a shake's few pixels at the edge are filled in and compare alike),
    zoomed in only those whose corners lie inside the zoomed frame."""
    gy, gx = grid_shape(shape, block)
    dy, dx, scale = (*motion, 1.0)[:3]
    if abs(scale - 1.0) < ZOOM_MIN:
        return np.ones((gy, gx), dtype=bool)
    bs = block_size(shape, block)
    cy, cx = shape[0] / 2, shape[1] / 2
    ys = cy + scale * (np.arange(gy + 1) * bs - cy) + dy  # block corners, where b shows them
    xs = cx + scale * (np.arange(gx + 1) * bs - cx) + dx
    iy, ix = (ys >= -1) & (ys <= shape[0]), (xs >= -1) & (xs <= shape[1])
    return (iy[:-1] & iy[1:])[:, None] & (ix[:-1] & ix[1:])[None, :]
