"""The joint ranker in one call: candidate spans → per-channel scores → fused score → NMS top-k.

`search.Searcher` gathers each channel's calibrated hits (a dict of `ChannelHits`, any channel
names: transcript, lexical, visual, ocr, ...) and hands them here with what it knows about the
videos; this module is pure numpy, so property tests drive it directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from momentsearch.ranking.fusion import Candidates, ChannelHits, Fused, fuse, select
from momentsearch.ranking.moments import build_candidates
from momentsearch.ranking.structure import Place


@dataclass
class Ranking:
    """Candidates, their fused scores, and the chosen rows (indices into `candidates`, best first)."""

    candidates: Candidates
    fused: Fused
    chosen: np.ndarray


def rank(hits: dict[str, ChannelHits], visual: dict[str, list[tuple[float, float]]], durations: dict[str, float],
         available: dict[str, set[str]], options, k: int, place: Place | None = None,
         accept=None) -> Ranking:
    """Top-k moments for one query. `options` is a RankingOptions; `available` maps video id -> the
    channels that video has (a channel it lacks neither adds to nor subtracts from its score).
    `place`: where in a lecture the query points ("the summary"), scored as channel "place" and added
    times `place.bonus` (ranking.place_bonus, alone not above the default `min_score`; the searcher
    weighs it fully for a query of place words alone). `accept(video_id, start, end)`: False drops a span before
    suppression (the query's phrases and exclusions)."""
    extra = place.spans(visual, durations) if place else []
    cands = build_candidates(hits, visual, durations, options.min_moment, options.max_moment, extra)
    if len(cands) == 0:
        empty = Fused(np.zeros(0), {}, {})
        return Ranking(cands, empty, np.zeros(0, dtype=np.int64))
    fused = fuse(cands, hits, options.weights, available, options.agreement_bonus, options.agreement_level,
                 options.best_share)
    if place:
        score = place.scores(cands.video_ids, cands.starts, cands.ends, durations)
        fused.scores = fused.scores + place.bonus * score
        fused.parts["place"] = score
    test = None if accept is None else (
        lambda i: accept(cands.video_ids[i], float(cands.starts[i]), float(cands.ends[i])))
    chosen = select(cands, fused.scores, k, options.nms_overlap, options.min_score, test)
    return Ranking(cands, fused, chosen)
