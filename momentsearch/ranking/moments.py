"""Moments from fused hits: candidate spans snapped to slide changes and sentence ends, then chosen.

Candidate spans for a video (only videos with at least one hit are considered):
- each hit's own span (a transcript chunk is sentence aligned; a keyframe's span is its visual segment);
- each visual segment that a hit touches (slide-aligned, preferred on ties);
- each hit joined with the visual segment around its middle, and runs of neighbouring strong hits
  of one text channel inside one section joined together, up to RUN_MAX seconds (so a section spread
  over two chunks comes back whole; keyframe hits are whole sections, and a run of them would span the
  video; a run over several sections would take each channel's score from a different one of them:
  neighbouring sections are answered together only by `joint.joined_sections`);
- the sections where the query points by place ("the recap": ranking/structure.py), passed as `extra`.
Spans shorter than `min_moment` are widened around their centre; longer than `max_moment` dropped.
"""

from __future__ import annotations

import numpy as np

from momentsearch.ranking.fusion import Candidates, ChannelHits

SLIDE_PRIOR = 0.01  # tie-break bonus for spans that start and end at slide changes
JOINED_PRIOR = 0.005  # and for a hit joined with its slide
JOIN_GAP = 2.0  # seconds; hits of one channel closer than this can be joined into one span
WHOLE_SPANS = ("visual", "clip_text")  # channels whose hits are never joined into runs (see above)
JOIN_RATIO = 0.6  # a neighbour is joined when its score is at least this share of the best hit's
RUN_MAX = 90.0  # seconds; a joined run of hits is at most this long (a section may be longer: max_moment)


def span_key(video: str, start: float, end: float) -> tuple[str, float, float]:
    """A candidate span's identity: its video and its times to the hundredth of a second (spans that close
    are one candidate)."""
    return video, round(float(start), 2), round(float(end), 2)


def build_candidates(hits: dict[str, ChannelHits], visual: dict[str, list[tuple[float, float]]],
                     durations: dict[str, float], min_moment: float, max_moment: float,
                     extra: list[tuple[str, float, float]] = ()) -> Candidates:
    rows: dict[tuple[str, float, float], float] = {}

    def add(video: str, start: float, end: float, prior: float) -> None:
        duration = durations.get(video, 0.0) or max(end, 0.0)
        if end - start < min_moment:
            mid = (start + end) / 2
            start, end = mid - min_moment / 2, mid + min_moment / 2
            if start < 0:
                start, end = 0.0, min(min_moment, duration) if duration else min_moment
            if duration and end > duration:
                start, end = max(0.0, duration - min_moment), duration
        if end - start > max_moment + 1e-6 or end <= start:
            return
        key = span_key(video, start, end)
        rows[key] = max(rows.get(key, 0.0), prior)

    segment_arrays: dict[str, np.ndarray] = {}  # video -> (n, 2) starts/ends, built once per query

    def segments_of(video: str) -> np.ndarray:
        if video not in segment_arrays:
            segs = visual.get(video)
            segment_arrays[video] = np.asarray([] if segs is None else segs, dtype=np.float64).reshape(-1, 2)
        return segment_arrays[video]

    def segments_touching(video: str, start: float, end: float) -> np.ndarray:
        # numpy, not a Python loop: an hour of video has ~200 segments and a query ~150 hits
        segs = segments_of(video)
        return segs[(segs[:, 0] < end) & (segs[:, 1] > start)]

    for channel in hits.values():
        for video, start, end in zip(channel.video_ids, channel.starts, channel.ends):
            start, end = float(start), float(end)
            add(video, start, end, 0.0)
            mid = (start + end) / 2
            for vs, ve in segments_touching(video, start, end).tolist():
                add(video, vs, ve, SLIDE_PRIOR)
                if vs <= mid < ve:
                    add(video, min(vs, start), max(ve, end), JOINED_PRIOR)
        if channel.name not in WHOLE_SPANS:  # a keyframe hit is a whole section already
            _add_joined_runs(channel, add, segments_of)

    for video, start, end in extra:  # spans the caller wants considered (sections where the query points)
        add(video, start, end, SLIDE_PRIOR)
    if not rows:
        z = np.zeros(0)
        return Candidates(np.zeros(0, dtype=object), z, z, z)
    keys = list(rows)
    return Candidates(
        video_ids=np.array([k[0] for k in keys], dtype=object),
        starts=np.array([k[1] for k in keys], dtype=np.float64),
        ends=np.array([k[2] for k in keys], dtype=np.float64),
        prior=np.array([rows[k] for k in keys], dtype=np.float64),
    )


def _add_joined_runs(channel: ChannelHits, add, segments_of) -> None:
    """Runs of neighbouring strong hits of one channel inside one section (`segments_of(video)`: the (n, 2)
    spans moments are cut to, in order), each a candidate span."""
    if len(channel) < 2:
        return
    for video in set(channel.video_ids.tolist()):
        idx = np.flatnonzero(channel.video_ids == video)
        if idx.size < 2:
            continue
        strong = idx[channel.scores[idx] >= JOIN_RATIO * channel.scores[idx].max()]
        strong = strong[np.argsort(channel.starts[strong])]
        slide = np.searchsorted(segments_of(video)[:, 0], (channel.starts[strong] + channel.ends[strong]) / 2,
                                side="right")
        run_start, run_end, count = channel.starts[strong[0]], channel.ends[strong[0]], 1
        for k, i in enumerate(strong[1:], start=1):
            if channel.starts[i] <= run_end + JOIN_GAP and slide[k] == slide[k - 1]:
                run_end = max(run_end, channel.ends[i])
                count += 1
                continue
            if count > 1 and run_end - run_start <= RUN_MAX:
                add(video, float(run_start), float(run_end), 0.0)
            run_start, run_end, count = channel.starts[i], channel.ends[i], 1
        if count > 1 and run_end - run_start <= RUN_MAX:
            add(video, float(run_start), float(run_end), 0.0)
