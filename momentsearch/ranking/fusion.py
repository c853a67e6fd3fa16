"""Joint ranking arithmetic: calibrate each channel, score candidate time spans, fuse, suppress.

Everything here is numpy over arrays; no I/O, no models. A candidate span's score on a channel is
the best calibrated hit of that channel weighted by how much of the hit lies inside the span; the
fused score is the weighted sum over channels, rescaled so a video is not pushed down for a
channel it does not have, plus a bonus for each extra channel that agrees.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def calibrate_dense(similarity: np.ndarray, lo: float, hi: float, spread: float | None = None) -> np.ndarray:
    """Per-query calibration of one dense channel's cosine similarities onto [0, 1].

    absolute: similarity mapped linearly from [lo, hi] (what "unrelated" and "clearly this" mean for
              the model) onto [0, 1], clipped: says whether the channel found anything at all.
    relative: 1 for this query's best hit, falling linearly to 0 at `spread` below it: ranks hits
              against each other, so several hits above `hi` no longer tie at 1.0.
    The result is their product. It depends only on each hit and the query's best hit, so hits
    added below the best (another, unrelated video) leave every other calibrated score unchanged.
    `spread` None: absolute only.
    """
    sim = np.nan_to_num(np.asarray(similarity, dtype=np.float64), nan=-1.0, posinf=1.0, neginf=-1.0)
    with np.errstate(over="ignore", invalid="ignore"):
        absolute = np.clip((sim - lo) / max(hi - lo, 1e-9), 0.0, 1.0)
        if spread is None or sim.size == 0:
            return absolute
        relative = np.clip(1.0 - (sim.max() - sim) / max(float(spread), 1e-9), 0.0, 1.0)
    return absolute * relative


@dataclass
class ChannelHits:
    """Hits of one channel for one query; `scores` are calibrated, in [0, 1]."""

    name: str
    video_ids: np.ndarray  # str, one per hit
    starts: np.ndarray  # seconds
    ends: np.ndarray  # seconds
    scores: np.ndarray
    evidence: list[str] = field(default_factory=list)  # what matched (text, or an entry id)
    ids: list[str] = field(default_factory=list)  # the entry id of each hit ([] when not known)
    # per hit: True where its score came from sound-alike letters (ranking/fuzzy.py), not the query's words
    # written there ([] when none did)
    by_sound: list[bool] = field(default_factory=list)

    @classmethod
    def empty(cls, name: str) -> "ChannelHits":
        z = np.zeros(0)
        return cls(name, np.zeros(0, dtype=object), z, z, z, [])

    def __len__(self) -> int:
        return len(self.scores)


@dataclass
class Candidates:
    """Candidate spans: parallel arrays, one row per span."""

    video_ids: np.ndarray  # str
    starts: np.ndarray
    ends: np.ndarray
    prior: np.ndarray  # small tie-break bonus: spans aligned to slide changes get more

    def __len__(self) -> int:
        return len(self.starts)


def overlap(a_start, a_end, b_start, b_end) -> np.ndarray:
    """Length of the intersection of intervals (broadcasts)."""
    return np.clip(np.minimum(a_end, b_end) - np.maximum(a_start, b_start), 0.0, None)


def iou(a_start, a_end, b_start, b_end) -> np.ndarray:
    inter = overlap(a_start, a_end, b_start, b_end)
    union = np.maximum(a_end, b_end) - np.minimum(a_start, b_start)
    return np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)


def channel_scores(cands: Candidates, hits: ChannelHits) -> tuple[np.ndarray, np.ndarray]:
    """(score per candidate, index of the hit that gave it or -1) for one channel."""
    n = len(cands)
    best = np.zeros(n)
    which = np.full(n, -1, dtype=np.int64)
    if n == 0 or len(hits) == 0:
        return best, which
    same = cands.video_ids[:, None] == hits.video_ids[None, :]
    length = np.maximum(hits.ends - hits.starts, 1e-3)
    inside = overlap(cands.starts[:, None], cands.ends[:, None], hits.starts[None, :], hits.ends[None, :])
    frac = np.clip(inside / length[None, :], 0.0, 1.0)
    contrib = np.where(same, frac * hits.scores[None, :], 0.0)
    which = np.argmax(contrib, axis=1)
    best = contrib[np.arange(n), which]
    which = np.where(best > 0, which, -1)
    return best, which


@dataclass
class Fused:
    scores: np.ndarray  # fused score per candidate
    parts: dict[str, np.ndarray]  # channel -> calibrated score per candidate (before weights)
    best_hit: dict[str, np.ndarray]  # channel -> index of the hit behind that score (-1: none)


def fuse(cands: Candidates, hits: dict[str, ChannelHits], weights: dict[str, float],
         available: dict[str, set[str]], agreement_bonus: float, agreement_level: float,
         best_share: float = 0.0) -> Fused:
    """Fused score per candidate.

    `available` maps video id -> channels that video has (a video without audio has no transcript
    channel). A video's weighted sum is rescaled by (weight of channels searched) / (weight of
    channels it has), so a missing channel neither adds nor subtracts. `best_share` of the evidence
    is the best channel's calibrated score, the rest the weighted mean.
    """
    names = [c for c in hits if weights.get(c, 0.0) > 0]
    parts: dict[str, np.ndarray] = {}
    best_hit: dict[str, np.ndarray] = {}
    n = len(cands)
    total = np.zeros(n)
    have_weight = np.zeros(n)
    agree = np.zeros(n)
    best = np.zeros(n)
    for name in names:
        score, which = channel_scores(cands, hits[name])
        parts[name] = score
        best_hit[name] = which
        w = weights[name]
        has = np.array([name in available.get(v, set()) for v in cands.video_ids], dtype=bool)
        total += w * score * has
        have_weight += w * has
        agree += (score >= agreement_level) & has
        best = np.maximum(best, score * has)
    searched = sum(weights[c] for c in names) or 1.0
    scale = np.where(have_weight > 0, searched / np.maximum(have_weight, 1e-9), 0.0)
    evidence = (1.0 - best_share) * total * scale / searched + best_share * best
    # the slide-alignment prior only breaks ties between spans that have evidence: a span with none
    # (a slide of a video that matched elsewhere) must not be returned for its prior alone
    fused = evidence + agreement_bonus * np.maximum(agree - 1, 0) + np.where(evidence > 0, cands.prior, 0.0)
    return Fused(scores=np.nan_to_num(fused, nan=0.0, posinf=0.0, neginf=0.0), parts=parts, best_hit=best_hit)


def select(cands: Candidates, scores: np.ndarray, k: int, nms_overlap: float,
           min_score: float = 0.0, accept=None) -> np.ndarray:
    """Indices of the top-k candidates after per-video non-maximum suppression, best first.

    A candidate is dropped when it overlaps an already kept span of the same video by more than
    `nms_overlap` IoU, or lies mostly (> 50 %) inside it. `accept(i)` (optional) drops a candidate
    before it can suppress others (a span holding a word the query excludes must not hide the
    spans next to it that do not). Equal scores go earlier span first: a slide shown twice, its text
    all a query matched, is answered by its first showing, where it was introduced. Spans of several videos
    still equal (a slide every lecture ends with) go by video id, then end: a content hash, the same wherever
    and in whatever order the files were indexed, where the candidates' own order follows the index's rows.
    """
    order = np.lexsort((cands.ends, np.asarray(cands.video_ids, dtype=str), cands.starts, -scores))
    order = order[scores[order] > min_score]
    kept: list[int] = []
    for i in order:
        if len(kept) >= k:
            break
        if accept is not None and not accept(int(i)):
            continue
        if kept:
            kk = np.array(kept)
            same = cands.video_ids[kk] == cands.video_ids[i]
            if same.any():
                kk = kk[same]
                inter = overlap(cands.starts[kk], cands.ends[kk], cands.starts[i], cands.ends[i])
                shorter = np.minimum(cands.ends[kk] - cands.starts[kk], cands.ends[i] - cands.starts[i])
                ious = iou(cands.starts[kk], cands.ends[kk], cands.starts[i], cands.ends[i])
                if (ious > nms_overlap).any() or (inter > 0.5 * np.maximum(shorter, 1e-9)).any():
                    continue
        kept.append(int(i))
    return np.array(kept, dtype=np.int64)
