"""Visual segments: cut the sampled frames where the picture changes (slide or shot change).

A cheap difference on tiny grey frames finds changes; each segment keeps one representative frame
(the last one before the change, which on slides with builds is the most complete), and a stable
stretch longer than `max_segment` is split, giving periodic keyframes.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from momentsearch.options import KeyframeOptions
from momentsearch.types import SampledFrame, VisualSegment

LAST_FRAME_SPAN = 0.04  # seconds a last frame is shown when nothing says how long (one frame at 25 fps)


def tiny_grey(image: np.ndarray, size: int) -> np.ndarray:
    """A size×size grey thumbnail in [0, 1] by block averaging (no resampling library needed)."""
    grey = image.astype(np.float32).mean(axis=2) / 255.0
    h, w = grey.shape
    ys = np.linspace(0, h, size + 1).astype(int)
    xs = np.linspace(0, w, size + 1).astype(int)
    # cumulative sums make each block mean O(1)
    integral = np.pad(grey.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    y0, y1 = ys[:-1], np.maximum(ys[1:], ys[:-1] + 1)
    x0, x1 = xs[:-1], np.maximum(xs[1:], xs[:-1] + 1)
    y1 = np.minimum(y1, h)
    x1 = np.minimum(x1, w)
    total = (integral[y1][:, x1] - integral[y0][:, x1] - integral[y1][:, x0] + integral[y0][:, x0])
    area = np.outer(y1 - y0, x1 - x0).clip(min=1)
    return total / area


def frame_difference(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of two tiny grey frames, in [0, 1]."""
    return float(np.abs(a - b).mean())


def detect_segments(frames: Iterable[SampledFrame], duration: float,
                    options: KeyframeOptions | None = None) -> list[VisualSegment]:
    """Consumes sampled frames (lazily) and returns visual segments covering [0, duration]."""
    options = options or KeyframeOptions()
    segments: list[VisualSegment] = []
    start = 0.0
    reference = previous = None
    last_frame: SampledFrame | None = None

    def close(end: float) -> None:
        if last_frame is not None and end > start:
            segments.append(VisualSegment(start=start, end=end, keyframe_time=last_frame.time,
                                          keyframe=last_frame.image))

    for frame in frames:
        small = tiny_grey(frame.image, options.diff_size)
        if previous is None:
            reference = previous = small
            last_frame = frame
            continue
        changed = (frame_difference(small, previous) > options.diff_threshold
                   or frame_difference(small, reference) > 2 * options.diff_threshold)
        too_long = frame.time - start >= options.max_segment
        if (changed and frame.time - start >= options.min_segment) or too_long:
            # the change happened somewhere since the previous sample: its middle halves the error
            cut = frame.time if too_long and not changed else (last_frame.time + frame.time) / 2
            close(cut)
            start = cut
            reference = small
        previous = small
        last_frame = frame
    end = max(duration, last_frame.time if last_frame else 0.0)
    if last_frame is not None and end <= start:  # a one-frame file, or a cut right on the last frame:
        end = start + LAST_FRAME_SPAN  # that frame still gets its segment
    close(end)
    return segments
