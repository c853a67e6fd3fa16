"""Property tests (Hypothesis) for the joint ranker: calibration, fusion and selection invariants."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from momentsearch.options import RankingOptions
from momentsearch.ranking.fusion import ChannelHits, calibrate_dense
from momentsearch.ranking.joint import rank

CHANNELS = ("transcript", "lexical", "visual", "ocr")
VIDEOS = ("a", "b", "c")
DURATION = 120.0

finite = st.floats(-1.0, 1.0, allow_nan=False)
raw = st.floats(allow_nan=True, allow_infinity=True)


@st.composite
def hit_rows(draw, videos=VIDEOS, min_size=0):
    rows = []
    for _ in range(draw(st.integers(min_size, 8))):
        start = draw(st.floats(0.0, DURATION - 1.0))
        length = draw(st.floats(0.5, 40.0))
        rows.append((draw(st.sampled_from(videos)), start, min(start + length, DURATION),
                     draw(st.floats(0.0, 1.0))))
    return rows


def channel(name, rows):
    if not rows:
        return ChannelHits.empty(name)
    return ChannelHits(name, np.array([r[0] for r in rows], dtype=object), np.array([r[1] for r in rows], float),
                       np.array([r[2] for r in rows], float), np.array([r[3] for r in rows], float),
                       [f"{name}:{i}" for i in range(len(rows))])


@st.composite
def scenes(draw):
    """Hits of a random subset of channels over videos a-c, slides, and which channels each video has."""
    names = draw(st.lists(st.sampled_from(CHANNELS), unique=True, max_size=4))
    hits = {n: channel(n, draw(hit_rows())) for n in names}
    visual = {}
    for v in VIDEOS:
        cuts = sorted(set(draw(st.lists(st.floats(1.0, DURATION - 1.0), max_size=6))))
        edges = [0.0, *cuts, DURATION]
        visual[v] = [(s, e) for s, e in zip(edges, edges[1:]) if e - s > 1e-3]
    available = {v: set(draw(st.lists(st.sampled_from(CHANNELS), unique=True))) for v in VIDEOS}
    return hits, visual, available


def run(hits, visual, available, k=10, **opts):
    durations = {v: DURATION for v in visual}
    opts.setdefault("min_score", 0.0)  # these properties are about the order: keep faint results too
    return rank(hits, visual, durations, available, RankingOptions(**opts), k)


@settings(max_examples=150, deadline=None)
@given(st.lists(raw, max_size=20), finite, st.floats(0.01, 1.0), st.one_of(st.none(), st.floats(0.001, 1.0)))
def test_calibrated_scores_are_finite_in_unit_interval(sims, lo, width, spread):
    out = calibrate_dense(np.array(sims, dtype=np.float64), lo, lo + width, spread)
    assert out.shape == (len(sims),)
    assert np.isfinite(out).all() and (out >= 0).all() and (out <= 1).all()


@settings(max_examples=150, deadline=None)
@given(st.lists(finite, min_size=1, max_size=20), st.lists(finite, max_size=10))
def test_calibration_of_existing_hits_ignores_weaker_hits_added(sims, extra):
    """Adding hits below the query's best (an unrelated video) leaves other calibrated scores alone."""
    sims = np.array(sims)
    extra = np.minimum(np.array(extra, dtype=np.float64), sims.max())
    before = calibrate_dense(sims, 0.1, 0.6, 0.15)
    after = calibrate_dense(np.concatenate([sims, extra]), 0.1, 0.6, 0.15)[: len(sims)]
    assert np.allclose(before, after)


@settings(max_examples=150, deadline=None)
@given(scenes())
def test_fused_scores_are_finite_and_results_sorted_without_overlaps(scene):
    hits, visual, available = scene
    r = run(hits, visual, available, max_moment=90.0)
    assert np.isfinite(r.fused.scores).all()
    chosen = r.chosen
    assert len(chosen) <= 10 and len(set(chosen.tolist())) == len(chosen)
    scores = r.fused.scores[chosen]
    assert (np.diff(scores) <= 1e-12).all() and (scores > 0).all()
    c = r.candidates
    for i in range(len(chosen)):
        for j in range(i):
            a, b = chosen[i], chosen[j]
            if c.video_ids[a] == c.video_ids[b]:
                inter = max(0.0, min(c.ends[a], c.ends[b]) - max(c.starts[a], c.starts[b]))
                union = max(c.ends[a], c.ends[b]) - min(c.starts[a], c.starts[b])
                assert inter / union <= 0.3 + 1e-9
    for i in chosen:  # moment length within bounds
        assert 4.0 - 1e-6 <= c.ends[i] - c.starts[i] <= 90.0 + 1e-6


@settings(max_examples=150, deadline=None)
@given(scenes(), st.sampled_from(CHANNELS))
def test_a_missing_or_empty_channel_never_raises(scene, absent):
    hits, visual, available = scene
    hits = {**hits, absent: ChannelHits.empty(absent)}
    run(hits, visual, available)  # an empty channel
    run({n: h for n, h in hits.items() if n != absent}, visual, available)  # a channel not searched at all
    run(hits, visual, {})  # no video reports any channel
    run(hits, {}, available)  # no slide boundaries known


@settings(max_examples=150, deadline=None)
@given(scenes(), hit_rows(videos=("z",), min_size=1))
def test_order_stable_under_adding_an_irrelevant_video(scene, z_rows):
    """A video whose hits score 0 on every channel changes nothing about the others' results."""
    hits, visual, available = scene
    before = run(hits, visual, available)
    grown = {}
    for name, h in hits.items():
        z = channel(name, [(v, s, e, 0.0) for v, s, e, _ in z_rows])
        grown[name] = ChannelHits(name, np.concatenate([h.video_ids, z.video_ids]),
                                  np.concatenate([h.starts, z.starts]), np.concatenate([h.ends, z.ends]),
                                  np.concatenate([h.scores, z.scores]), h.evidence + z.evidence)
    after = run(grown, {**visual, "z": [(0.0, 60.0), (60.0, DURATION)]}, {**available, "z": set(CHANNELS)})

    def moments(r):
        c = r.candidates
        return [(c.video_ids[i], round(c.starts[i], 6), round(c.ends[i], 6), round(r.fused.scores[i], 9))
                for i in r.chosen]

    assert moments(after) == moments(before)


@settings(max_examples=100, deadline=None)
@given(st.floats(0.45, 1.0), st.floats(0.45, 1.0), st.floats(0.0, 0.2))
def test_two_agreeing_channels_beat_one_slightly_stronger(a, b, margin):
    """Span X: transcript a and visual b agree; span Y: transcript alone, up to 0.2 stronger than a."""
    stronger = min(1.0, a + margin)
    hits = {"transcript": channel("transcript", [("a", 0, 10, a), ("a", 50, 60, stronger)]),
            "visual": channel("visual", [("a", 0, 10, b)])}
    r = run(hits, {"a": [(0, 10), (10, 50), (50, 60), (60, DURATION)]}, {"a": {"transcript", "visual"}},
            weights={"transcript": 1.0, "visual": 0.6})
    c = r.candidates
    top = r.chosen[0]
    assert (c.starts[top], c.ends[top]) == (0.0, 10.0)


@settings(max_examples=100, deadline=None)
@given(st.floats(0.05, 1.0))
def test_a_video_without_a_channel_is_not_pushed_down(score):
    """Same transcript evidence: the video lacking the visual channel ranks level with one whose
    visual channel exists and matched as well as its transcript did, above one whose visual missed."""
    hits = {"transcript": channel("transcript", [("a", 0, 10, score), ("b", 0, 10, score), ("c", 0, 10, score)]),
            "visual": channel("visual", [("b", 0, 10, score)])}
    available = {"a": {"transcript"}, "b": {"transcript", "visual"}, "c": {"transcript", "visual"}}
    r = run(hits, {v: [(0, 10), (10, DURATION)] for v in VIDEOS}, available, agreement_bonus=0.0)
    by_video = {r.candidates.video_ids[i]: r.fused.scores[i] for i in r.chosen}
    assert np.isclose(by_video["a"], by_video["b"]) and by_video["a"] > by_video["c"]


def test_exact_lexical_match_rescues_a_specific_query_over_a_vague_embedding():
    """'1998 red Civic': the embedding likes a chunk about cars in general (0.7) a little more than
    the one that says the exact words (0.5), but lexical coverage of the rare words (1.0) decides."""
    hits = {"transcript": channel("transcript", [("a", 0, 10, 0.7), ("a", 30, 40, 0.5)]),
            "lexical": channel("lexical", [("a", 30, 40, 1.0)])}
    r = run(hits, {"a": [(0, 10), (10, 30), (30, 40), (40, DURATION)]}, {"a": {"transcript", "lexical"}})
    top = r.chosen[0]
    assert (r.candidates.starts[top], r.candidates.ends[top]) == (30.0, 40.0)
    assert r.fused.parts["lexical"][top] == 1.0
