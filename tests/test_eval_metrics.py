"""Retrieval metrics on hand-computed cases, ground-truth parsing, and the prediction layout."""

from __future__ import annotations

import json

import numpy as np
import pytest

from momentsearch.errors import QueryError
from momentsearch.evaluate import (GroundTruth, PredictedWindow, average_precision, evaluate, format_report,
                                   load_ground_truth, predictions_to_jsonl, query_metrics, same_video)


def gt(windows, video="talk.mp4", qid="q", type_=""):
    return GroundTruth(qid, "query", video, [tuple(w) for w in windows], type_)


def pw(start, end, score=1.0, video="/data/talk.mp4"):
    return PredictedWindow(video, start, end, score)


def test_exact_hit_scores_one_everywhere():
    m = query_metrics([pw(0, 10)], gt([(0, 10)]))
    assert m == {"R1@0.5": 1.0, "R1@0.7": 1.0, "R@5@0.5": 1.0, "mAP": 1.0, "MRR": 1.0}


def test_partial_overlap_passes_only_low_thresholds():
    # IoU 6/10 = 0.6: passes 0.5, 0.55, 0.6 of the ten mAP thresholds, fails R1@0.7
    m = query_metrics([pw(0, 6)], gt([(0, 10)]))
    assert m["R1@0.5"] == 1.0 and m["R1@0.7"] == 0.0
    assert m["mAP"] == pytest.approx(0.3)
    assert m["MRR"] == 1.0


@pytest.mark.parametrize("truth, pred, threshold", [
    ((35.4, 77.1), (8.5, 91.9), "R1@0.5"),  # 41.7 / 83.4: float division gives 0.4999999999999999
    ((100.3, 109.8), (100.5, 118.9), "R1@0.5"),  # 9.3 / 18.6
    ((136.4, 169.0), (133.0, 161.6), "R1@0.7"),  # 25.2 / 36.0
])
def test_an_iou_exactly_on_the_threshold_passes_it(truth, pred, threshold):
    assert query_metrics([pw(*pred)], gt([truth]))[threshold] == 1.0
    # and mAP counts it at that threshold as well: 0.5 passes 1 of 10 thresholds, 0.7 passes 5
    assert query_metrics([pw(*pred)], gt([truth]))["mAP"] == pytest.approx(0.1 if threshold == "R1@0.5" else 0.5)


def test_window_on_another_video_is_a_miss():
    m = query_metrics([pw(0, 10, video="/data/other.mp4")], gt([(0, 10)]))
    assert m == {"R1@0.5": 0.0, "R1@0.7": 0.0, "R@5@0.5": 0.0, "mAP": 0.0, "MRR": 0.0}


def test_second_ranked_hit():
    # rank 1 wrong, rank 2 right: precision at the hit is 1/2, so AP = 0.5; reciprocal rank 1/2
    m = query_metrics([pw(20, 30, 0.9), pw(0, 10, 0.8)], gt([(0, 10)]))
    assert m["R1@0.5"] == 0.0 and m["R@5@0.5"] == 1.0
    assert m["MRR"] == 0.5 and m["mAP"] == pytest.approx(0.5)


def test_hit_below_rank_five_counts_only_for_map_and_mrr():
    preds = [pw(100 + 20 * i, 110 + 20 * i) for i in range(5)] + [pw(0, 10)]
    m = query_metrics(preds, gt([(0, 10)]))
    assert m["R@5@0.5"] == 0.0
    assert m["MRR"] == pytest.approx(1 / 6) and m["mAP"] == pytest.approx(1 / 6)


def test_each_relevant_window_is_matched_once():
    # two relevant windows; predictions: A, A again (a duplicate is a false positive), B.
    # precision [1, 1/2, 2/3], recall [1/2, 1/2, 1] -> interpolated AP = 1/2 * 1 + 1/2 * 2/3 = 5/6
    ious = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    assert average_precision(ious, 0.5) == pytest.approx(5 / 6)
    m = query_metrics([pw(0, 10), pw(0, 10), pw(20, 30)], gt([(0, 10), (20, 30)]))
    assert m["mAP"] == pytest.approx(5 / 6)


def test_only_top_ten_windows_are_read():
    preds = [pw(100 + 20 * i, 110 + 20 * i) for i in range(10)] + [pw(0, 10)]
    m = query_metrics(preds, gt([(0, 10)]))
    assert m["mAP"] == 0.0 and m["MRR"] == 0.0


def test_no_predictions_scores_zero():
    assert query_metrics([], gt([(0, 10)]))["mAP"] == 0.0


def test_video_names_match_paths_by_file_name():
    assert same_video("/x/y/talk.mp4", "talk.mp4")
    assert not same_video("/x/y/talk.mp4", "other.mp4")
    assert not same_video("/a/talk.mp4", "/b/talk.mp4")


def test_evaluate_averages_and_splits_by_type_leaving_unmeasurable_out():
    truths = [gt([(0, 10)], qid=1, type_="said"), gt([(20, 30)], qid=2, type_="said"),
              gt([(0, 10)], qid=3, type_="visual")]
    preds = {1: [pw(0, 10)], 2: [pw(0, 10)], 3: [pw(0, 10)]}
    report = evaluate(preds, truths, {"visual": "no CLIP weights"})
    assert report.overall["R1@0.5"] == 0.5  # (1 + 0) / 2: the visual query is not averaged in
    assert report.by_type == {"said": report.overall}
    assert report.counts == {"said": 2, "visual": 1, "all": 2}
    assert report.unmeasurable == {"visual": "no CLIP weights"}
    table = format_report(report)
    assert "| visual | 1 | n/a" in table and "not measurable: no CLIP weights" in table
    measured = evaluate(preds, truths)
    assert measured.overall["R1@0.5"] == pytest.approx(2 / 3) and measured.by_type["visual"]["R1@0.5"] == 1.0


def test_ground_truth_file_and_prediction_layout(tmp_path):
    path = tmp_path / "gt.jsonl"
    path.write_text(json.dumps({"qid": 7, "query": "roadmap", "video": "a.mp4", "relevant_windows": [[1, 5]],
                                "type": "said"}) + "\n\n")
    truths = load_ground_truth(path)
    assert truths == [GroundTruth(7, "roadmap", "a.mp4", [(1.0, 5.0)], "said")]
    line = json.loads(next(iter(predictions_to_jsonl(truths, {7: [pw(1, 5, 0.25, "/v/a.mp4")]}))))
    assert line == {"qid": 7, "query": "roadmap", "pred_relevant_windows": [[1, 5, 0.25]], "video": ["/v/a.mp4"]}


@pytest.mark.parametrize("bad", ['{"qid": 1, "query": "x", "video": "a"}', "not json",
                                 '{"qid": 1, "query": "x", "video": "a", "relevant_windows": [[5, 1]]}'])
def test_malformed_ground_truth_names_the_line(tmp_path, bad):
    path = tmp_path / "gt.jsonl"
    path.write_text('{"qid": 0, "query": "ok", "video": "a", "relevant_windows": [[0, 1]]}\n' + bad + "\n")
    with pytest.raises(QueryError, match=r"gt.jsonl:2"):
        load_ground_truth(path)


def test_bootstrap_interval_holds_the_mean_and_narrows_with_more_queries():
    from momentsearch.evaluate.compare import interval

    few = [1.0, 0.0] * 10  # mean 0.5 over 20 queries
    many = [1.0, 0.0] * 200  # the same mean over 400
    lo, hi = interval(few)
    assert lo < 0.5 < hi and interval(few) == (lo, hi)  # seeded: the same input, the same interval
    lo2, hi2 = interval(many)
    assert lo < lo2 < 0.5 < hi2 < hi and hi - lo > 3 * (hi2 - lo2)  # ~1/sqrt(n): 20x the queries, ~4.5x narrower
    assert 0.25 < hi - lo < 0.55  # +-0.22 for 20 coin flips, as the binomial says
    assert interval([1.0] * 30) == (1.0, 1.0)


def test_paired_comparison_counts_queries_gained_and_lost_and_says_when_it_is_noise():
    from momentsearch.evaluate.compare import compare, mcnemar_p

    assert mcnemar_p(10, 0) == pytest.approx(2 / 1024) and mcnemar_p(5, 5) == 1.0 and mcnemar_p(0, 0) == 1.0
    before = {q: float(q % 2) for q in range(100)}  # half right
    after = dict(before) | {0: 1.0, 2: 1.0, 1: 0.0}  # two gained, one lost: noise
    c = compare(before, after)
    assert (c.n, c.gained, c.lost) == (100, 2, 1) and c.difference == pytest.approx(0.01)
    assert c.low < 0 < c.high and not c.clear and c.p == 1.0
    better = dict(before) | {q: 1.0 for q in range(0, 60, 2)}  # 30 gained, none lost
    c = compare(before, better)
    assert c.clear and c.low > 0.15 and c.p < 1e-6 and c.difference == pytest.approx(0.3)
    # only the queries both runs answered are paired; a metric that is not 0/1 has no McNemar p
    c = compare({1: 0.2, 2: 0.4}, {2: 0.9, 3: 1.0}, "mAP")
    assert c.n == 1 and c.before == 0.4 and np.isnan(c.p) and c.to_json()["p"] is None


def test_a_relative_video_path_matches_wherever_eval_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # not the folder the ground truth's paths are relative to
    assert same_video("/home/u/course/lectures/week1.mp4", "lectures/week1.mp4")
    assert same_video("lectures/week1.mp4", "/home/u/course/lectures/week1.mp4")  # predictions written relative
    assert not same_video("/home/u/course/labs/week1.mp4", "lectures/week1.mp4")
    assert not same_video("/home/u/course/lectures/week1.mp4", "/elsewhere/lectures/week1.mp4")
    m = query_metrics([pw(0, 10, video="/home/u/course/lectures/week1.mp4")], gt([(0, 10)], "lectures/week1.mp4"))
    assert m["R1@0.5"] == 1.0
