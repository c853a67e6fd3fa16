"""The fusion arithmetic: calibration, per-span channel scores, agreement, missing channels, NMS."""

from __future__ import annotations

import numpy as np
import pytest

from momentsearch.ranking.fusion import Candidates, ChannelHits, calibrate_dense, channel_scores, fuse, select
from momentsearch.ranking.moments import build_candidates


def hits(name, rows):
    """rows: (video, start, end, score)"""
    return ChannelHits(name, np.array([r[0] for r in rows], dtype=object), np.array([r[1] for r in rows], float),
                       np.array([r[2] for r in rows], float), np.array([r[3] for r in rows], float),
                       [f"{name}{i}" for i in range(len(rows))])


def cands(rows, prior=None):
    return Candidates(np.array([r[0] for r in rows], dtype=object), np.array([r[1] for r in rows], float),
                      np.array([r[2] for r in rows], float), np.array(prior or [0.0] * len(rows), float))


def test_calibration_maps_range_to_unit_interval():
    assert np.allclose(calibrate_dense(np.array([0.1, 0.2, 0.4, 0.9]), 0.2, 0.4), [0, 0, 1, 1])
    assert np.allclose(calibrate_dense(np.array([0.3]), 0.2, 0.4), [0.5])


def test_channel_score_weights_hit_by_share_inside_span():
    c = cands([("v", 0, 10), ("v", 5, 15), ("w", 0, 10)])
    score, which = channel_scores(c, hits("t", [("v", 0, 10, 0.8)]))
    assert np.allclose(score, [0.8, 0.4, 0.0])
    assert list(which) == [0, 0, -1]


def test_agreement_beats_one_slightly_stronger_channel():
    c = cands([("v", 0, 10), ("v", 20, 30)])
    h = {"transcript": hits("transcript", [("v", 0, 10, 0.6), ("v", 20, 30, 0.7)]),
         "visual": hits("visual", [("v", 0, 10, 0.5)])}
    weights = {"transcript": 1.0, "visual": 1.0}
    f = fuse(c, h, weights, {"v": {"transcript", "visual"}}, agreement_bonus=0.25, agreement_level=0.4)
    expected_first = (0.6 + 0.5) / 2 + 0.25
    assert np.allclose(f.scores, [expected_first, 0.7 / 2])
    assert f.scores[0] > f.scores[1]
    assert np.allclose(f.parts["visual"], [0.5, 0.0])


def test_missing_channel_does_not_push_a_video_down():
    # video a has no visual channel at all; b has it but it did not match
    c = cands([("a", 0, 10), ("b", 0, 10)])
    h = {"transcript": hits("transcript", [("a", 0, 10, 0.8), ("b", 0, 10, 0.8)]),
         "visual": hits("visual", [])}
    f = fuse(c, h, {"transcript": 1.0, "visual": 1.0}, {"a": {"transcript"}, "b": {"transcript", "visual"}},
             0.25, 0.4)
    assert f.scores[0] == np.float64(0.8)  # rescaled as if a full set of channels agreed as transcript did
    assert f.scores[1] == np.float64(0.4)


def test_select_keeps_best_and_suppresses_overlaps_per_video():
    c = cands([("v", 0, 10), ("v", 1, 11), ("w", 0, 10), ("v", 30, 40)])
    order = select(c, np.array([0.9, 0.8, 0.7, 0.6]), k=10, nms_overlap=0.3)
    assert list(order) == [0, 2, 3]
    assert list(select(c, np.array([0.9, 0.8, 0.7, 0.6]), k=2, nms_overlap=0.3)) == [0, 2]


def test_equal_scores_answer_with_the_earlier_span():
    """A slide shown twice, all a query matched: the two showings score the same, and the first showing
    (where it was introduced) comes first whatever order the candidates were made in."""
    c = cands([("v", 214.6, 231.5), ("v", 25.6, 53.6), ("v", 100.0, 120.0)])
    assert list(select(c, np.array([0.66, 0.66, 0.9]), k=3, nms_overlap=0.3)) == [2, 1, 0]


def test_candidates_snap_to_slides_and_widen_short_spans():
    h = {"transcript": hits("transcript", [("v", 12, 18, 0.9)])}
    c = build_candidates(h, {"v": [(0, 10), (10, 25), (25, 40)]}, {"v": 40.0}, min_moment=4, max_moment=90)
    spans = {(s, e): p for s, e, p in zip(c.starts, c.ends, c.prior)}
    assert (12, 18) in spans and (10, 25) in spans
    assert spans[(10, 25)] > spans[(12, 18)]  # slide-aligned span wins ties
    c = build_candidates({"t": hits("t", [("v", 0, 1, 1.0)])}, {}, {"v": 40.0}, min_moment=4, max_moment=90)
    assert (c.starts[0], c.ends[0]) == (0.0, 4.0)


def test_a_seven_minute_exercise_comes_back_whole_by_default():
    """An in-class exercise or a break runs 5-10 minutes with one slide (a timer) on screen: the slide's
    whole span is a candidate under the default limits, not only the hit's own chunk."""
    from momentsearch.options import RankingOptions

    opts = RankingOptions()
    h = {"ocr": hits("ocr", [("v", 415.5, 805.5, 0.7)]), "transcript": hits("transcript", [("v", 420, 440, 0.5)])}
    c = build_candidates(h, {"v": [(0, 415.5), (415.5, 805.5), (805.5, 900)]}, {"v": 900.0},
                         min_moment=opts.min_moment, max_moment=opts.max_moment)
    assert (415.5, 805.5) in set(zip(c.starts, c.ends))

def test_numpy_bm25_scores_equal_bm25s():
    """The lexical channel's own BM25 gives bm25s' scores (lucene variant), term by term and summed,
    and survives a save/load round trip."""
    import tempfile
    from pathlib import Path

    from momentsearch.ranking.lexical import BM25Scores

    bm25s = pytest.importorskip("bm25s")
    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(40)]
    docs = [list(rng.choice(words, size=int(rng.integers(1, 30)))) for _ in range(60)]
    ours = BM25Scores.build(docs)
    with tempfile.TemporaryDirectory() as tmp:
        ours.save(Path(tmp) / "bm25")
        loaded = BM25Scores.load(Path(tmp) / "bm25")
    ref = bm25s.BM25()
    ref.index(docs, show_progress=False)
    for query in (["w0"], ["w3", "w17"], ["w39", "w39", "w1"], ["absent"], ["w5", "absent"]):
        expected = ref.get_scores([t for t in query if t in words] or ["w0"]) if any(t in words for t in query) \
            else np.zeros(len(docs))
        assert np.allclose(loaded.get_scores(query), expected, atol=1e-5), query


def test_best_share_keeps_one_sure_channel_from_being_diluted():
    """A span every query word was said in (lexical 1.0) against two vague channels that half agree elsewhere:
    the weighted mean alone prefers the vague pair; with half the evidence from the best channel the
    sure one wins, and channels that agree still beat either alone."""
    hits = {
        "lexical": ChannelHits("lexical", np.array(["v", "v"], dtype=object), np.array([0.0, 40.0]),
                               np.array([10.0, 50.0]), np.array([1.0, 0.0])),
        "transcript": ChannelHits("transcript", np.array(["v", "v"], dtype=object), np.array([0.0, 40.0]),
                                  np.array([10.0, 50.0]), np.array([0.1, 0.6])),
        "ocr": ChannelHits("ocr", np.array(["v"], dtype=object), np.array([40.0]), np.array([50.0]),
                           np.array([0.6])),
    }
    c = Candidates(np.array(["v", "v"], dtype=object), np.array([0.0, 40.0]), np.array([10.0, 50.0]), np.zeros(2))
    weights = {"transcript": 1.0, "lexical": 0.8, "ocr": 0.8}
    have = {"v": {"transcript", "lexical", "ocr"}}
    mean_only = fuse(c, hits, weights, have, agreement_bonus=0.0, agreement_level=0.4, best_share=0.0).scores
    blended = fuse(c, hits, weights, have, agreement_bonus=0.0, agreement_level=0.4, best_share=0.5).scores
    assert mean_only[1] > mean_only[0]
    assert blended[0] > blended[1]
    assert np.allclose(blended, 0.5 * mean_only + 0.5 * np.array([1.0, 0.6]))


def test_a_slide_on_screen_over_two_topics_counts_fully_for_the_one_a_query_is_in():
    """The slide stays while the lecturer moves on to a second topic at 40 s. The words of a query are
    said at 50-58 s. As one hit over 0-60 s the slide pulls the moment out over both topics; cut at the
    topic change (one entry per section, `split_at_topics`) it leaves the second topic as the answer."""
    from momentsearch.options import RankingOptions
    from momentsearch.pipeline.ocr import SlideText
    from momentsearch.pipeline.slide_cuts import split_at_topics
    from momentsearch.ranking.joint import rank

    slide = SlideText(0.0, 60.0, [("Plate Tectonics", 1.0, "")])
    pieces = split_at_topics([slide], [40.0, 59.5, 90.0])  # 59.5: too close to the slide's end to cut it
    assert [(p.start, p.end, p.text) for p in pieces] == [(0.0, 40.0, "Plate Tectonics"), (40.0, 60.0, "Plate Tectonics")]
    opts = RankingOptions()
    sections = {"v": [(0.0, 40.0), (40.0, 60.0), (60.0, 90.0)]}
    said = {"lexical": hits("lexical", [("v", 50.0, 58.0, 0.9)]),
            "transcript": hits("transcript", [("v", 28.0, 40.0, 0.4), ("v", 40.0, 50.0, 0.3), ("v", 50.0, 58.0, 0.5)])}

    def top(ocr_rows):
        r = rank({**said, "ocr": hits("ocr", ocr_rows)}, sections, {"v": 90.0}, {"v": {"lexical", "transcript", "ocr"}},
                 opts, k=1)
        i = r.chosen[0]
        return float(r.candidates.starts[i]), float(r.candidates.ends[i])

    assert top([("v", 0.0, 60.0, 0.6)]) == (0.0, 60.0)  # the whole slide: two topics
    assert top([("v", p.start, p.end, 0.6) for p in pieces]) == (40.0, 60.0)


def test_a_slide_split_by_speech_alone_is_one_answer_when_the_query_does_not_tell_its_parts_apart():
    """One slide over 0-60 s, split at 30 s where the talk seemed to change topic (a speech-only edge),
    then another slide. Its text is stored once per section, so a query of words on the slide matched
    both halves equally and came back as one half, chosen by the order of equal scores (dev: "empty
    shelves", 374-420 s, answered 374-391 s). Evidence that points into one half still picks that half."""
    from momentsearch.options import RankingOptions
    from momentsearch.ranking.joint import joined_sections, rank

    sections = {"v": [(0.0, 30.0), (30.0, 60.0), (60.0, 90.0)]}
    slide = hits("ocr", [("v", 0.0, 30.0, 0.6), ("v", 30.0, 60.0, 0.6), ("v", 60.0, 90.0, 0.2)])
    assert joined_sections(sections, {"v": [30.0]}) == {"v": [(0.0, 60.0, [(0.0, 30.0), (30.0, 60.0)])]}
    assert joined_sections(sections, {"v": [30.0]}, {"ocr": hits("ocr", [("v", 0.0, 30.0, 0.6)])}) == {}  # 30-60: no hit

    def top(found, edges, **opts):
        r = rank(found, sections, {"v": 90.0}, {"v": {"lexical", "ocr"}}, RankingOptions(**opts), k=1,
                 speech_edges=edges)
        return float(r.candidates.starts[r.chosen[0]]), float(r.candidates.ends[r.chosen[0]])

    assert top({"ocr": slide}, {"v": [30.0]}) == (0.0, 60.0)
    said = hits("lexical", [("v", 40.0, 50.0, 0.9)])
    assert top({"ocr": slide, "lexical": said}, {"v": [30.0]}) == (30.0, 60.0)
    assert top({"ocr": slide}, {"v": []}) != (0.0, 60.0)  # a picture change at 30 s: two slides, two answers
    assert top({"ocr": slide}, {"v": [30.0]}, join_share=1.0) != (0.0, 60.0)  # turned off


def test_an_excluded_span_does_not_hide_the_spans_next_to_it():
    """'solar -budget': the best span (0-12 s) says "budget", the roadmap part inside it (0-7 s) does
    not. Dropped after suppression, the best span took the roadmap with it and nothing came back."""
    from momentsearch.options import RankingOptions
    from momentsearch.ranking.joint import rank

    sections = {"v": [(0.0, 7.0), (7.0, 12.0)]}
    said = {"transcript": hits("transcript", [("v", 0.0, 12.0, 0.8), ("v", 0.0, 7.0, 0.6)])}
    args = (said, sections, {"v": 12.0}, {"v": {"transcript"}}, RankingOptions(), 3)

    def spans(r):
        return [(float(r.candidates.starts[i]), float(r.candidates.ends[i])) for i in r.chosen]

    assert spans(rank(*args))[0] == (0.0, 12.0) and (0.0, 7.0) not in spans(rank(*args))  # suppressed by it
    kept = spans(rank(*args, accept=lambda video, start, end: end <= 7.0 + 1e-6))
    assert kept and kept[0] == (0.0, 7.0) and all(end <= 7.0 + 1e-6 for _, end in kept)


def test_a_channel_weak_everywhere_does_not_join_three_slides_into_one_moment():
    """A query of a title slide's words (an image query read as text) on a video call: the slide's text
    matched the first slide (0.98), while the speech matched a little in each of three slides, about
    equally. A run of those chunks joined 0-40 s into one candidate that took the slide text's score from
    its first part and the speech's from its others, and won with its middle on the second slide. Runs of
    one channel's hits now stay inside a section; inside one they still join (a section over two chunks)."""
    from momentsearch.options import RankingOptions
    from momentsearch.ranking.joint import rank

    sections = {"v": [(0.0, 13.5), (13.5, 27.5), (27.5, 41.5), (41.5, 55.5)]}
    speech = hits("transcript", [("v", 0.3, 12.6, 0.18), ("v", 14.4, 26.0, 0.21), ("v", 27.8, 39.9, 0.19)])
    found = {"ocr": hits("ocr", [("v", 0.0, 13.5, 0.98)]), "transcript": speech,
             "lexical": hits("lexical", [("v", 27.8, 39.9, 0.04)])}
    r = rank(found, sections, {"v": 55.5}, {"v": {"ocr", "transcript", "lexical"}}, RankingOptions(), k=1)
    assert (float(r.candidates.starts[r.chosen[0]]), float(r.candidates.ends[r.chosen[0]])) == (0.0, 13.5)
    spans = set(zip(r.candidates.starts.tolist(), r.candidates.ends.tolist()))
    assert not any(s < 13.5 < e - 1 for s, e in spans)  # no candidate reaches over the first slide change
    two_chunks = hits("transcript", [("v", 14.4, 20.0, 0.5), ("v", 20.5, 26.0, 0.45)])
    c = build_candidates({"transcript": two_chunks}, sections, {"v": 55.5}, min_moment=4, max_moment=90)
    assert (14.4, 26.0) in set(zip(c.starts, c.ends))
