"""The joint ranker in one call: candidate spans → per-channel scores → fused score → NMS top-k.

`search.Searcher` gathers each channel's calibrated hits (a dict of `ChannelHits`, any channel
names: transcript, lexical, visual, ocr, ...) and hands them here with what it knows about the
videos; this module is pure numpy, so property tests drive it directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from momentsearch.ranking.fusion import Candidates, ChannelHits, Fused, fuse, overlap, select
from momentsearch.ranking.moments import build_candidates, span_key
from momentsearch.ranking.structure import Place


@dataclass
class Ranking:
    """Candidates, their fused scores, and the chosen rows (indices into `candidates`, best first)."""

    candidates: Candidates
    fused: Fused
    chosen: np.ndarray


JOIN_MAX = 3  # sections joined into one answer at most (a slide's time split twice by speech)
JOIN_STEP = 1e-3  # what a joined span's score differs from its best section's: it decides which of them is
# returned, never their order against other spans


def rank(hits: dict[str, ChannelHits], visual: dict[str, list[tuple[float, float]]], durations: dict[str, float],
         available: dict[str, set[str]], options, k: int, place: Place | None = None,
         accept=None, speech_edges: dict[str, list[float]] | None = None) -> Ranking:
    """Top-k moments for one query. `options` is a RankingOptions; `available` maps video id -> the
    channels that video has (a channel it lacks neither adds to nor subtracts from its score).
    `place`: where in a lecture the query points ("the summary"), scored as channel "place" and added
    times `place.bonus` (ranking.place_bonus, alone not above the default `min_score`; the searcher
    weighs it fully for a query of place words alone). `accept(video_id, start, end)`: False drops a span before
    suppression (the query's phrases and exclusions). `speech_edges`: per video, the section edges found in
    speech alone (no picture change there): neighbouring sections across them are answered together when
    the query does not tell them apart (`joined_sections`, `options.join_share`)."""
    joins = joined_sections(visual, speech_edges or {}, hits) if options.join_share < 1 else {}
    extra = (place.spans(visual, durations) if place else []) + [(v, s, e) for v, runs in joins.items()
                                                                    for s, e, _ in runs]
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
    if joins:
        prefer_joined(cands, fused.scores, joins, options.join_share)
    test = None if accept is None else (
        lambda i: accept(cands.video_ids[i], float(cands.starts[i]), float(cands.ends[i])))
    chosen = select(cands, fused.scores, k, options.nms_overlap, options.min_score, test)
    return Ranking(cands, fused, chosen)


def joined_sections(visual: dict[str, list[tuple[float, float]]], speech_edges: dict[str, list[float]],
                    hits: dict[str, ChannelHits] | None = None,
                    ) -> dict[str, list[tuple[float, float, list[tuple[float, float]]]]]:
    """Per video: (start, end, its sections) of every run of 2..JOIN_MAX neighbouring sections that meet
    only at `speech_edges` (one picture throughout: the talk's topic changes were found in speech). With
    `hits`, only runs whose every section a hit touches (another could never be preferred: `prefer_joined`)."""
    out: dict[str, list[tuple[float, float, list[tuple[float, float]]]]] = {}
    for video, edges in speech_edges.items():
        secs = np.asarray(visual.get(video, []), dtype=np.float64).reshape(-1, 2)
        if len(secs) < 2 or not len(edges):
            continue
        at = np.asarray(edges, dtype=np.float64)
        joinable = (np.abs(at[None, :] - secs[:-1, 1:2]) < 1e-3).any(axis=1)  # section i joins section i + 1
        touched = _touched(secs, video, hits) if hits is not None else np.ones(len(secs), dtype=bool)
        for i in np.flatnonzero(joinable & touched[:-1]).tolist():
            j = i
            while j + 1 < len(secs) and j + 1 - i < JOIN_MAX and joinable[j] and touched[j + 1]:
                j += 1
                run = [(float(a), float(b)) for a, b in secs[i:j + 1]]
                out.setdefault(video, []).append((run[0][0], run[-1][1], run))
    return out


def _touched(secs: np.ndarray, video: str, hits: dict[str, ChannelHits]) -> np.ndarray:
    """Per section of `video`: whether a hit of any channel overlaps it."""
    touched = np.zeros(len(secs), dtype=bool)
    for channel in hits.values():
        mine = channel.video_ids == video
        if mine.any():
            starts, ends = channel.starts[mine], channel.ends[mine]
            touched |= (overlap(secs[:, :1], secs[:, 1:], starts[None, :], ends[None, :]) > 0).any(axis=1)
    return touched


def prefer_joined(cands: Candidates, scores: np.ndarray, joins: dict, share: float) -> None:
    """In place: a joined span (`joined_sections`) scores just above its best section when each of its
    sections scores at least `share` of that (the query's evidence does not tell them apart: "the slide
    with X on it" answers the whole slide), else just below it (the section the evidence points to).
    A section that is no candidate (nothing matched in it) scores 0."""
    row = {span_key(v, s, e): i for i, (v, s, e) in enumerate(zip(cands.video_ids, cands.starts, cands.ends))
           if v in joins}
    for video, runs in joins.items():
        for start, end, members in runs:
            u = row.get(span_key(video, start, end))
            if u is None:  # longer than max_moment
                continue
            parts = [scores[row[key]] if (key := span_key(video, s, e)) in row else 0.0 for s, e in members]
            best = max(parts)
            if best <= 0:
                continue
            agree = min(parts) >= share * best
            scores[u] = best + JOIN_STEP * (len(parts) - 1) if agree else min(scores[u], best - JOIN_STEP)
