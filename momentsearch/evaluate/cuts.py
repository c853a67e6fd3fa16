"""Cut detection against rendered ground truth: detected picture changes matched one to one to true ones
within `CUT_TOLERANCE` seconds (precision, recall, F1), and where an index's files changed picture."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

CUT_TOLERANCE = 1.0  # seconds; a detected boundary this close to a true picture change is a hit


@dataclass
class BoundaryScore:
    """Detected picture changes against true ones: counts, and precision / recall / F1 from them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: "BoundaryScore") -> "BoundaryScore":
        return BoundaryScore(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def boundary_scores(predicted: Iterable[float], truth: Iterable[float], tolerance: float = CUT_TOLERANCE,
                    optional: Iterable[float] = ()) -> BoundaryScore:
    """Match detected boundaries to true ones one to one, as many pairs as possible within
    `tolerance` seconds (a sweep in time order). A detection near an `optional` boundary (a bullet
    appearing on the same slide) is neither a hit nor a false alarm, and a missed optional boundary
    is not a miss."""
    pred, gt = sorted(float(p) for p in predicted), sorted(float(t) for t in truth)
    used_p, i = set(), 0
    hits = 0
    for t in gt:
        while i < len(pred) and pred[i] < t - tolerance:
            i += 1
        if i < len(pred) and pred[i] <= t + tolerance:
            used_p.add(i)
            hits += 1
            i += 1
    extra = [p for i, p in enumerate(pred) if i not in used_p]
    soft = sorted(float(o) for o in optional)
    fp = sum(not any(abs(p - o) <= tolerance for o in soft) for p in extra)
    return BoundaryScore(tp=hits, fp=fp, fn=len(gt) - hits)


def detected_boundaries(index) -> dict[str, list[float]]:
    """Per indexed file (path): where its visual segments start after the first, through
    MomentIndex.videos(), less the periodic splits of long stable stretches (not claims that the
    picture changed). The store keeps no flag for them, but a file's sections start at every real
    cut and at no periodic split, so a segment start that is no section start was a split; a file
    indexed before sections existed falls back to timing (a segment that starts within one sampling
    step after `keyframes.max_segment` seconds of the one before)."""
    cfg = index.config
    longest, step = cfg.keyframes.max_segment, 1.0 / max(cfg.sampling.fps, 1e-6)
    out = {}
    for f in index.videos():
        starts = [float(s) for s, _ in f.visual_segments]
        if f.sections:
            real = {round(float(s), 3) for s, _ in f.sections}
            out[f.path] = [b for b in starts[1:] if round(b, 3) in real]
        else:
            out[f.path] = [b for a, b in zip(starts, starts[1:]) if not longest <= b - a <= longest + step + 0.01]
    return out
