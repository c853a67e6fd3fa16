"""eval with other people's files: QVHighlights as released, another system's predictions, no index."""

from __future__ import annotations

import json

from momentsearch.evaluate import PredictedWindow, evaluate, load_ground_truth, load_predictions
from tests.conftest import run_cli

# two lines exactly as in QVHighlights' highlight_val_release.jsonl (saliency fields and all)
QVH_LINES = [
    {"qid": 2579, "query": "A girl and her mother cooked while talking with each other on facetime.",
     "duration": 150, "vid": "NUsG9BgSes0_210.0_360.0", "relevant_clip_ids": [33, 34, 35, 36],
     "saliency_scores": [[4, 4, 3], [4, 4, 2], [4, 3, 2], [3, 3, 2]], "relevant_windows": [[66, 74]]},
    {"qid": 5071, "query": "Man in blue shirt talks to the camera.", "duration": 150,
     "vid": "xbQJTJGYJmo_60.0_210.0", "relevant_clip_ids": [0, 1, 2, 3, 4, 5],
     "saliency_scores": [[2, 2, 2]] * 6, "relevant_windows": [[0, 12], [100, 110]]},
]


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_qvhighlights_release_reads_as_is(tmp_path):
    truths = load_ground_truth(_write(tmp_path / "val.jsonl", QVH_LINES))
    assert [t.video for t in truths] == ["NUsG9BgSes0_210.0_360.0", "xbQJTJGYJmo_60.0_210.0"]
    assert truths[1].windows == [(0.0, 12.0), (100.0, 110.0)]
    # a prediction on a file named after the vid (with an extension) is on that video
    report = evaluate({2579: [PredictedWindow("/clips/NUsG9BgSes0_210.0_360.0.mp4", 66, 74, 1.0)]}, truths[:1])
    assert report.overall["R1@0.7"] == 1.0


def test_predictions_are_sorted_by_score_before_scoring(tmp_path):
    truths = load_ground_truth(_write(tmp_path / "val.jsonl", QVH_LINES[:1]))
    # the hit is listed second but has the higher score: the official scorer ranks it first
    preds = {2579: [PredictedWindow("NUsG9BgSes0_210.0_360.0", 0, 10, 0.1),
                    PredictedWindow("NUsG9BgSes0_210.0_360.0", 66, 74, 0.9)]}
    assert evaluate(preds, truths).overall["R1@0.5"] == 1.0


def test_eval_scores_another_systems_prediction_file(tmp_path):
    gt = _write(tmp_path / "val.jsonl", QVH_LINES)
    pred = _write(tmp_path / "pred.jsonl", [
        {"qid": 2579, "query": "...", "vid": "NUsG9BgSes0_210.0_360.0",
         "pred_relevant_windows": [[10, 20, 0.3], [66, 74, 0.8]], "pred_saliency_scores": [0.1] * 75},
        {"qid": 5071, "query": "...", "vid": "xbQJTJGYJmo_60.0_210.0", "pred_relevant_windows": [[50, 60, 0.9]]},
    ])
    assert len(load_predictions(pred, load_ground_truth(gt))[2579]) == 2
    proc = run_cli("eval", str(gt), "--pred", str(pred), "--json")
    metrics = json.loads(proc.stdout)
    assert metrics["overall"]["R1@0.5"] == 0.5  # first query right (after sorting), second wrong
    assert metrics["counts"]["all"] == 2
    bad = _write(tmp_path / "bad.jsonl", [{"qid": 1, "windows": []}])
    proc = run_cli("eval", str(gt), "--pred", str(bad), check=False)
    assert proc.returncode == 2 and "bad.jsonl:1" in proc.stderr


def test_eval_refuses_a_missing_or_empty_index(tmp_path):
    gt = _write(tmp_path / "val.jsonl", QVH_LINES)
    missing = tmp_path / "no-such-db"
    proc = run_cli("eval", str(gt), "--db", str(missing), check=False)
    assert proc.returncode == 2 and "no index at" in proc.stderr and not missing.exists()
    empty = tmp_path / "empty-db"
    (tmp_path / "no-media").mkdir()
    # only `index` creates an index folder (prune and the rest refuse a folder that is not one):
    # indexing a folder with no media leaves a real index with nothing in it
    run_cli("index", str(tmp_path / "no-media"), "--db", str(empty))
    assert empty.is_dir()
    proc = run_cli("eval", str(gt), "--db", str(empty), check=False)
    assert proc.returncode == 2 and "holds no indexed files" in proc.stderr
    assert "0.000" not in proc.stdout


def test_eval_compares_two_runs_query_by_query(tmp_path):
    """--baseline: the same queries scored for both runs, the difference with its interval, and which
    queries each run alone got right; a baseline that cannot be read stops eval before it searches."""
    truths = [{"qid": i, "query": f"q{i}", "video": "talk.mp4", "relevant_windows": [[10 * i, 10 * i + 10]]}
              for i in range(40)]
    gt = _write(tmp_path / "gt.jsonl", truths)

    def run(right):  # predictions that find the queries in `right`
        return _write(tmp_path / f"pred{len(right)}.jsonl", [
            {"qid": i, "video": "talk.mp4", "pred_relevant_windows": [[10 * i, 10 * i + 10, 1.0] if i in right
                                                                      else [500, 510, 1.0]]} for i in range(40)])

    old, new = run(set(range(20))), run(set(range(2, 40)))  # new: 20 gained, 2 lost
    out = json.loads(run_cli("eval", str(gt), "--pred", str(new), "--baseline", str(old), "--json").stdout)
    row = next(r for r in out["against_baseline"] if r["queries"] == "overall" and r["metric"] == "R1@0.5")
    assert (row["n"], row["gained"], row["lost"], row["before"], row["after"]) == (40, 20, 2, 0.5, 0.95)
    assert row["clear"] and row["low"] > 0.2 and row["p"] < 0.001
    assert out["interval_R1@0.5"]["overall"][0] < 0.95 < out["interval_R1@0.5"]["overall"][1]
    table = run_cli("eval", str(gt), "--pred", str(new), "--baseline", str(old)).stdout
    assert "| overall | R1@0.5 | 40 | 0.500 | 0.950 | +0.450 (clear) |" in table and "| 20 / 2 |" in table
    proc = run_cli("eval", str(gt), "--db", str(tmp_path / "no-db"), "--baseline", str(tmp_path / "nope.jsonl"),
                   check=False)
    assert proc.returncode == 2 and "predictions file not found" in proc.stderr and "no index at" not in proc.stderr


def test_ground_truth_that_cannot_be_scored_is_refused_by_its_line(tmp_path):
    import pytest

    from momentsearch.errors import QueryError

    good = QVH_LINES[0]
    cases = [({**good, "qid": 5071}, "qid 5071 is already used on line 1"),  # predictions are keyed by qid
             ({**good, "qid": 7, "query": None}, "query must be non-empty text"),
             ({**good, "qid": 7, "relevant_windows": [[float("nan"), 5]]}, "not a finite number"),
             ({**good, "qid": 7, "relevant_windows": [[True, 27]]}, "not a finite number"),
             ({**good, "qid": 7, "relevant_windows": [[-5, 3]]}, "0 <= start < end"),
             ({**good, "qid": [1]}, "qid must be a string or a whole number")]
    for row, expect in cases:
        path = tmp_path / "gt.jsonl"
        path.write_text(json.dumps(QVH_LINES[1]) + "\n" + json.dumps(row) + "\n", encoding="utf-8")
        with pytest.raises(QueryError, match="gt.jsonl:2") as err:
            load_ground_truth(path)
        assert expect in str(err.value), (row, err.value)


def test_eval_json_is_valid_json_and_out_never_overwrites_an_input(tmp_path):
    gt = _write(tmp_path / "val.jsonl", [{**QVH_LINES[0], "type": "visual"}])  # a type with no measurable query
    pred = _write(tmp_path / "pred.jsonl", [{"qid": 2579, "vid": "NUsG9BgSes0_210.0_360.0",
                                               "pred_relevant_windows": [[66, 74, 0.8]]}])
    truths = load_ground_truth(gt)
    report = evaluate(load_predictions(pred, truths), truths, {"visual": "no CLIP weights"})
    assert report.overall["R1@0.5"] != report.overall["R1@0.5"]  # NaN: a mean over no query
    assert json.loads(json.dumps(report.to_json(), allow_nan=False))["overall"]["R1@0.5"] is None
    before = gt.read_text()
    proc = run_cli("eval", str(gt), "--pred", str(pred), "--out", str(gt), check=False)
    assert proc.returncode == 2 and "also read by this command" in proc.stderr and gt.read_text() == before
    proc = run_cli("eval", str(gt), "--pred", str(pred), "--out", str(tmp_path), check=False)
    assert proc.returncode == 2 and "is a folder" in proc.stderr


def test_eval_refuses_an_index_without_any_video_of_the_ground_truth(tmp_path, capsys):
    """A --db that holds other lectures scored every query 0 without a word: the wrong index looked like
    a result. One video of the ground truth in the index is enough to search (the rest count as misses)."""
    from types import SimpleNamespace

    import pytest

    from momentsearch.errors import QueryError
    from momentsearch.evaluate import run_eval

    def index_of(*paths):
        files = [SimpleNamespace(path=p, video_id=p) for p in paths]
        return SimpleNamespace(chroma_url=None, db=str(tmp_path), info=lambda: SimpleNamespace(files=files, notes=[]),
                               search=lambda query, k: [], channels=lambda: {"transcript"})

    truths = load_ground_truth(_write(tmp_path / "val.jsonl", QVH_LINES))
    with pytest.raises(QueryError, match=r"no video of the ground truth \(NUsG9BgSes0_210.0_360.0, "
                                         r"xbQJTJGYJmo_60.0_210.0\) is in the index at"):
        run_eval(index_of("/lectures/other.mp4", "/lectures/week3.mp4"), truths)
    index = index_of("/lectures/other.mp4", "/clips/xbQJTJGYJmo_60.0_210.0.mp4")
    predictions, report = run_eval(index, truths)
    assert set(predictions) == {2579, 5071} and report.overall["R1@0.5"] == 0.0
    # `eval` names the videos it could not search in (their queries count as misses), once, on stderr
    from momentsearch.cli.extras import note_unindexed

    note_unindexed(index, truths)
    err = capsys.readouterr().err
    assert "1 query counted as missed, their video is not in the index: NUsG9BgSes0_210.0_360.0" in err
    note_unindexed(index_of("/clips/xbQJTJGYJmo_60.0_210.0.mp4", "/clips/NUsG9BgSes0_210.0_360.0.mp4"), truths)
    assert capsys.readouterr().err == ""


def test_eval_out_replaces_an_existing_file_only_with_force(tmp_path, capsys):
    """`eval GT --out pred.jsonl` went over an existing pred.jsonl (an earlier run's, kept to compare
    with) without a word; now it refuses before searching, as `chapters -o` and `clip -o` do."""
    from momentsearch.cli.main import main

    gt = _write(tmp_path / "val.jsonl", QVH_LINES)
    pred = _write(tmp_path / "pred.jsonl", [{"qid": 2579, "vid": "NUsG9BgSes0_210.0_360.0",
                                               "pred_relevant_windows": [[66, 74, 0.8]]}])
    out = tmp_path / "out.jsonl"
    out.write_text("an earlier run\n", encoding="utf-8")
    assert main(["eval", str(gt), "--pred", str(pred), "--out", str(out)]) == 2
    assert capsys.readouterr().err.strip() == (f"momentsearch: error: {out} exists: add --force to replace it, "
                                               "or name another file")
    assert out.read_text(encoding="utf-8") == "an earlier run\n"
    assert main(["eval", str(gt), "--pred", str(pred), "--out", str(out), "--force"]) == 0
    assert [json.loads(x)["qid"] for x in out.read_text(encoding="utf-8").splitlines()] == [2579, 5071]
    assert main(["eval", str(gt), "--pred", str(pred), "--out", str(gt), "--force"]) == 2  # never an input
    assert "also read by this command" in capsys.readouterr().err


def test_a_right_answer_in_a_copy_of_the_truths_video_is_a_hit(tmp_path):
    """The same bytes indexed under two names share one video id, and search names one of them: a moment in
    the copy ("mix/week3 copy.mp4") was scored a miss against "week3.mp4". And a name whose bytes are no
    UTF-8 made `eval --out` a traceback: it is written as \\xNN."""
    from types import SimpleNamespace

    from momentsearch.evaluate import GroundTruth, predictions_to_jsonl, run_eval

    files = [SimpleNamespace(path="/talks/week3.mp4", video_id="a" * 16),
             SimpleNamespace(path="/mix/week3 copy.mp4", video_id="a" * 16),
             SimpleNamespace(path="/mix/caf\udce9.mp4", video_id="b" * 16)]
    found = {"roadmap": [SimpleNamespace(video="/mix/week3 copy.mp4", video_id="a" * 16, start=10.0, end=20.0,
                                         score=0.9)],
             "menu": [SimpleNamespace(video="/mix/caf\udce9.mp4", video_id="b" * 16, start=0.0, end=5.0, score=0.5)]}
    index = SimpleNamespace(chroma_url=None, db=str(tmp_path), info=lambda: SimpleNamespace(files=files),
                            search=lambda query, k: found[query], channels=lambda: {"transcript"})
    truths = [GroundTruth("q1", "roadmap", "week3.mp4", [(10.0, 20.0)], "said"),
              GroundTruth("q2", "menu", "week3.mp4", [(0.0, 5.0)], "said")]
    predictions, report = run_eval(index, truths)
    assert report.overall["R1@0.5"] == 0.5  # the copy's moment is a hit; the other file's is not
    lines = [json.loads(line) for line in predictions_to_jsonl(truths, predictions)]
    assert lines[1]["video"] == ["/mix/caf\\xe9.mp4"]
    by_id = [GroundTruth("q1", "roadmap", "a" * 16, [(10.0, 20.0)], "said")]  # the video named by its id, as `info`
    assert run_eval(index, by_id)[1].overall["R1@0.5"] == 1.0  # lists it (it was "not in the index")


GT_ROWS = [{"qid": 1, "query": "roadmap", "video": "talk.mp4", "relevant_windows": [[0, 10]], "type": "said"},
           {"qid": 2, "query": "budget", "video": "talk.mp4", "relevant_windows": [[20, 30]], "type": "said"}]
PRED_ROWS = [{"qid": 1, "pred_relevant_windows": [[0, 10, 0.9]], "video": ["/data/talk.mp4"]},
             {"qid": 2, "pred_relevant_windows": [[50, 60, 0.9]], "video": ["/data/talk.mp4"]}]


def test_files_with_a_bom_crlf_lines_or_one_json_array_read_as_jsonl(tmp_path):
    """What Windows editors and `json.dump` write: a byte-order mark, CRLF line ends, one JSON array."""
    gt = tmp_path / "gt.jsonl"
    gt.write_text("".join(json.dumps(r) + "\r\n" for r in GT_ROWS), encoding="utf-8-sig")
    pred = tmp_path / "pred.json"
    pred.write_text(json.dumps(PRED_ROWS, indent=2), encoding="utf-8")
    truths = load_ground_truth(gt)
    assert [t.qid for t in truths] == [1, 2]
    assert evaluate(load_predictions(pred, truths), truths).overall["R1@0.5"] == 0.5
    gt_array = tmp_path / "gt.json"
    gt_array.write_text(json.dumps(GT_ROWS), encoding="utf-8-sig")
    assert load_ground_truth(gt_array) == truths
    out = json.loads(run_cli("eval", str(gt_array), "--pred", str(pred), "--json").stdout)
    assert out["overall"]["R1@0.5"] == 0.5 and out["counts"]["all"] == 2


def test_a_qid_written_as_a_number_in_one_file_and_as_text_in_the_other_is_one_query(tmp_path):
    truths = load_ground_truth(_write(tmp_path / "gt.jsonl", GT_ROWS))
    as_text = _write(tmp_path / "pred.jsonl", [{**p, "qid": str(p["qid"])} for p in PRED_ROWS])
    assert evaluate(load_predictions(as_text, truths), truths).overall["R1@0.5"] == 0.5
    # and the other way round, through the Python API's dict
    text_truths = load_ground_truth(_write(tmp_path / "gt2.jsonl", [{**g, "qid": str(g["qid"])} for g in GT_ROWS]))
    preds = {1: [PredictedWindow("/data/talk.mp4", 0, 10, 1.0)]}
    assert evaluate(preds, text_truths).overall["R1@0.5"] == 0.5


def test_predictions_that_repeat_a_qid_or_name_no_query_of_the_truth_are_refused(tmp_path):
    import pytest

    from momentsearch.errors import QueryError

    truths = load_ground_truth(_write(tmp_path / "gt.jsonl", GT_ROWS))
    again = {"qid": "1", "pred_relevant_windows": [[50, 60, 0.9]], "video": ["/data/talk.mp4"]}
    with pytest.raises(QueryError, match=r"pred\.jsonl:3: qid '1' is already predicted on line 1"):
        load_predictions(_write(tmp_path / "pred.jsonl", PRED_ROWS + [again]), truths)
    other = _write(tmp_path / "other.jsonl", [{**p, "qid": p["qid"] + 100} for p in PRED_ROWS])
    proc = run_cli("eval", str(tmp_path / "gt.jsonl"), "--pred", str(other), check=False)
    assert proc.returncode == 2 and "none of the 2 predicted qids (101, 102)" in proc.stderr
    assert "0.000" not in proc.stdout
    nan_score = _write(tmp_path / "nan.jsonl", [{"qid": 1, "pred_relevant_windows": [[0, 10, float("nan")]]}])
    with pytest.raises(QueryError, match=r"nan\.jsonl:1: .*not a finite number"):
        load_predictions(nan_score, truths)


def test_ground_truth_without_a_video_names_the_missing_field(tmp_path):
    import pytest

    from momentsearch.errors import QueryError

    path = _write(tmp_path / "gt.jsonl", [{k: v for k, v in GT_ROWS[0].items() if k != "video"}])
    with pytest.raises(QueryError, match=r"gt\.jsonl:1: .*no video \(or vid\) field"):
        load_ground_truth(path)


def test_eval_names_the_queries_a_predictions_file_leaves_out_and_the_qids_it_adds(tmp_path):
    """Scored, but not silently: a lower number with no word why reads as a worse system."""
    gt = _write(tmp_path / "gt.jsonl", GT_ROWS)
    pred = _write(tmp_path / "pred.jsonl", [PRED_ROWS[0], {**PRED_ROWS[1], "qid": 22}])
    proc = run_cli("eval", str(gt), "--pred", str(pred), "--json")
    assert json.loads(proc.stdout)["overall"]["R1@0.5"] == 0.5
    assert "1 query of the ground truth has no line in" in proc.stderr and "counted as missed: 2" in proc.stderr
    assert "1 qid in" in proc.stderr and "is not in the ground truth, not scored: 22" in proc.stderr
    whole = _write(tmp_path / "whole.jsonl", PRED_ROWS)
    assert "note" not in run_cli("eval", str(gt), "--pred", str(whole), "--baseline", str(whole)).stderr


def test_a_utf16_file_as_windows_powershell_writes_it_reads(tmp_path):
    gt = tmp_path / "gt.jsonl"
    gt.write_text("".join(json.dumps(r) + "\r\n" for r in GT_ROWS), encoding="utf-16")  # with its byte-order mark
    assert [t.qid for t in load_ground_truth(gt)] == [1, 2]
