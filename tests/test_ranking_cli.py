"""The ranker's user-facing commands through the real CLI: eval, search --image, match."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import TINY_CLIP_ARGS, iou, run_cli


def _script(name: str):
    """scripts/NAME.py loaded as a module (the scripts are not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, Path(__file__).resolve().parents[1] / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_eval_prints_metrics_and_writes_qvhighlights_predictions(indexed_lecture, tmp_path):
    db, video, windows, _ = indexed_lecture
    gt = tmp_path / "gt.jsonl"
    rows = [
        {"qid": 1, "query": "the roadmap for next year", "video": video.name, "type": "said",
         "relevant_windows": [list(windows["Project Roadmap"])]},
        {"qid": 2, "query": "chlorophyll turns water and carbon dioxide into sugar", "video": str(video),
         "type": "said", "relevant_windows": [list(windows["Photosynthesis and Solar Panels"])]},
        {"qid": 3, "query": "the roadmap for next year", "video": "some_other_video.mp4", "type": "said",
         "relevant_windows": [list(windows["Project Roadmap"])]},
        {"qid": 4, "query": "a gantt chart", "video": video.name, "type": "visual",
         "relevant_windows": [list(windows["Project Roadmap"])]},
    ]
    gt.write_text("".join(json.dumps(r) + "\n" for r in rows))
    pred = tmp_path / "pred.jsonl"
    out = run_cli("eval", str(gt), "--db", str(db), "--out", str(pred)).stdout
    assert "| overall | 3 |" in out and "R1@0.7" in out and "MRR" in out
    # the visual query is reported as not measurable (tiny random CLIP), not as a zero
    assert "| visual | 1 | n/a" in out and "not measurable" in out and "random" in out
    lines = [json.loads(x) for x in pred.read_text().splitlines()]
    assert [x["qid"] for x in lines] == [1, 2, 3, 4]
    first = lines[0]
    assert len(first["pred_relevant_windows"]) == len(first["video"]) >= 1
    st, ed, score = first["pred_relevant_windows"][0]
    assert first["video"][0] == str(video) and iou((st, ed), windows["Project Roadmap"]) >= 0.5 and score > 0
    metrics = json.loads(run_cli("eval", str(gt), "--db", str(db), "--json").stdout)
    # queries 1 and 2 are found; query 3 names another video, so its (right-looking) window is a miss
    assert metrics["overall"]["R1@0.5"] == 2 / 3
    assert metrics["by_type"]["said"]["R1@0.5"] == 2 / 3 and "visual" in metrics["unmeasurable"]


def test_eval_with_a_missing_file_is_a_clear_error(tmp_path):
    proc = run_cli("eval", str(tmp_path / "nope.jsonl"), "--db", str(tmp_path / "db"), check=False)
    assert proc.returncode == 2 and "not found" in proc.stderr and "Traceback" not in proc.stderr


def _slide_png(tmp_path, title):
    from momentsearch.testing.synth import default_sections, draw_slide

    i, section = next((i, s) for i, s in enumerate(default_sections()) if s.title == title)
    path = tmp_path / "slide.png"
    draw_slide(section, (480, 270), seed=i).save(path)
    return path


def test_search_by_image_returns_moments_with_per_channel_scores(indexed_lecture, tmp_path):
    """The picture of a slide finds that slide (CLIP image -> keyframe); with the tiny random CLIP
    only near-identical pictures are close, which is exactly this case."""
    db, video, windows, _ = indexed_lecture
    image = _slide_png(tmp_path, "Project Roadmap")
    out = json.loads(run_cli("search", "--image", str(image), "--db", str(db), "--json", "-k", "3").stdout)
    assert out["query"] == str(image) and out["results"]
    top = out["results"][0]
    assert top["video"] == str(video)
    assert iou((top["start"], top["end"]), windows["Project Roadmap"]) >= 0.5
    assert top["channels"]["visual"] > 0 and "clip_text" in top["channels"]
    assert top["evidence"]["visual"]  # which keyframe matched


def test_match_ranks_labels_for_an_image(tmp_path):
    image = _slide_png(tmp_path, "Project Roadmap")
    labels = ["Steel Fridge", "Wooden Chair", "Linen Bedding"]
    out = json.loads(run_cli("match", str(image), "--labels", *labels, "--json", *TINY_CLIP_ARGS).stdout)
    got = out["labels"]
    assert sorted(x["label"] for x in got) == sorted(labels)
    probs = np.array([x["probability"] for x in got])
    assert np.isclose(probs.sum(), 1.0, atol=1e-4) and (np.diff(probs) <= 0).all()
    text = run_cli("match", str(image), "--labels", *labels, *TINY_CLIP_ARGS).stdout
    assert text.splitlines()[0].endswith(got[0]["label"])


def test_match_without_clip_weights_says_how_to_get_them(tmp_path):
    image = _slide_png(tmp_path, "Project Roadmap")
    proc = run_cli("match", str(image), "--labels", "a", "b", "--db", str(tmp_path / "db"), check=False,
                   env={"MOMENTSEARCH_ALLOW_DOWNLOAD": "0"})
    assert proc.returncode == 2 and "--clip-pretrained" in proc.stderr and "Traceback" not in proc.stderr


def test_a_mistyped_clip_checkpoint_or_tag_stops_indexing_before_any_work(lecture, tmp_path):
    """Weights this machine lacks leave the visual channel off and indexing goes on (the default's case);
    a checkpoint path that is not there, or a tag open_clip does not know, is a mistake in the request:
    going on would make an index without the channel, to be built all over again once it is fixed."""
    from conftest import TINY_CLIP_CONFIG

    video, _ = lecture
    db = tmp_path / "db"
    for pretrained, said in ((str(tmp_path / "open_clip_model.bni"), "checkpoint file not found"),
                             ("laion2b_s34b_b79", "not a known open_clip tag")):
        proc = run_cli("index", str(video), "--db", str(db), "--clip-model", str(TINY_CLIP_CONFIG),
                       "--clip-pretrained", pretrained, check=False)
        assert proc.returncode == 2 and said in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
        assert proc.stderr.strip().splitlines()[-1].startswith("momentsearch: error:") and "indexed" not in proc.stdout
    info = run_cli("info", "--db", str(db), "--json", check=False)
    assert info.returncode == 2 or json.loads(info.stdout)["files"] == []


@pytest.mark.slow
def test_benchmark_script_builds_the_corpus_and_beats_the_baseline(tmp_path):
    """The whole dev benchmark (renders ~20 min of lectures, indexes, evaluates): many minutes. `pytest -m slow`."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    out = Path(os.environ.get("MOMENTSEARCH_BENCH_OUT", tmp_path / "bench"))
    script = Path(__file__).resolve().parents[1] / "scripts" / "make_benchmark.py"
    subprocess.run([sys.executable, str(script), "--split", "dev", "--out", str(out)], check=True, timeout=3 * 3600)
    gt = [json.loads(x) for x in (out / "dev" / "gt.jsonl").read_text().splitlines()]
    assert len(gt) >= 40 and {g["type"] for g in gt} == {"said", "concept", "shown", "visual"}
    assert {"screen", "camera", "screencast", "talking-head"} <= {g["condition"] for g in gt}
    cuts = [json.loads(x) for x in (out / "dev" / "cuts.jsonl").read_text().splitlines()]
    assert len(cuts) == len({g["video"] for g in gt}) and all(c["cuts"] for c in cuts)
    results = json.loads((out / "dev" / "results.json").read_text())
    ours, base = results["ours"]["all"]["overall"], results["baseline"]["all"]["overall"]
    assert ours["R1@0.7"] >= 2.5 * base["R1@0.7"] and ours["R1@0.5"] > base["R1@0.5"]
    assert set(results["cuts"]) >= {"all", "screen", "camera", "screencast"}
    assert any(c["topics"] for c in cuts) and "all" in results["topics"]


def test_benchmark_index_keeps_only_the_split_videos(tmp_path):
    """A record of an older render under another path (same file name, other times) is removed from the
    benchmark's index before it is scored, with its entries; the split's own files stay."""
    from momentsearch.api import MomentIndex
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store
    from momentsearch.types import FileRecord

    bench = _script("make_benchmark")
    ours, old = tmp_path / "test" / "videos" / "talk_long.mp4", tmp_path / "old" / "videos" / "talk_long.mp4"
    for path in (ours, old):  # both exist: a plain prune (missing files) would keep the old one
        path.parent.mkdir(parents=True)
        path.write_bytes(b"x")
    store = Store(make_client(str(tmp_path / "db")))
    for path, vid in ((ours, "a" * 16), (old, "b" * 16)):
        store.put_file(FileRecord(path=str(path), video_id=vid, size=1, mtime=0.0, complete=True))
        store.collection("transcript", model_id="m", dim=2).add(
            ids=[f"{vid}:chunk:0"], embeddings=[[1.0, 0.0]], metadatas=[{"video_id": vid}])
    index = MomentIndex(tmp_path / "db")
    assert bench.drop_other_files(index, [ours]) == [str(old)]
    assert [f.path for f in index.store.files()] == [str(ours)]
    assert [id_ for id_, _, _ in index.store.iter_all("transcript", documents=False)] == ["a" * 16 + ":chunk:0"]
    assert bench.drop_other_files(index, [ours]) == []


def test_benchmark_scores_topic_changes_apart_from_picture_changes():
    """The benchmark's speech-only edges: a section start near a true topic change (no picture change) is a
    hit, one near a picture change or a build is not counted (the cut table has it), one near nothing
    is a false alarm; a video without such changes adds nothing."""
    bench = _script("make_benchmark")
    cuts = [{"video": "a.mp4", "condition": "screen", "cuts": [20.0, 60.0], "optional": [75.0], "topics": [40.0, 90.0]},
            {"video": "b.mp4", "condition": "camera", "cuts": [30.0], "optional": [], "topics": []}]
    starts = {"/x/a.mp4": [20.3, 40.6, 50.0, 60.0, 75.5], "/x/b.mp4": [12.0, 30.0]}
    scores = bench.topic_change_scores(starts, cuts)
    assert set(scores) == {"all", "screen"}
    s = scores["screen"]
    assert (s.tp, s.fp, s.fn) == (1, 1, 1)  # 40.6 found, 50.0 near nothing, 90 missed
    assert (scores["all"].tp, scores["all"].fp, scores["all"].fn) == (1, 1, 1)


def test_benchmark_compares_a_run_with_an_earlier_one_per_condition(tmp_path):
    """--against: this run's predictions paired with an earlier run's, per query type and per condition;
    the side-by-side table gives our R1@0.5 with its interval."""
    from momentsearch.evaluate import GroundTruth, PredictedWindow, evaluate, predictions_to_jsonl

    bench = _script("make_benchmark")
    gt = [{"qid": f"q{i}", "condition": "camera" if i < 10 else "screen", "type": "said"} for i in range(20)]
    truths = [GroundTruth(g["qid"], "words", "talk.mp4", [(10.0 * i, 10.0 * i + 10)], "said") for i, g in enumerate(gt)]

    def found(right):
        return {t.qid: [PredictedWindow("/v/talk.mp4", *(t.windows[0] if i in right else (500.0, 510.0)), 1.0)]
                for i, t in enumerate(truths)}

    before = tmp_path / "pred.jsonl"
    before.write_text("".join(x + "\n" for x in predictions_to_jsonl(truths, found(set(range(5))))))
    table = bench.against(before, truths, gt, found(set(range(10))), {})  # camera 5 -> 10 of 10, screen unchanged
    assert "| camera | R1@0.5 | 10 | 0.500 | 1.000 | +0.500 (clear) |" in table and "| 5 / 0 |" in table
    assert "| screen | R1@0.5 | 10 | 0.000 | 0.000 | +0.000 |" in table
    report = evaluate(found(set(range(10))), truths).to_json()
    side = bench.side_by_side({"dev": {"ours": {"all": report}, "baseline": {"all": report}}})
    lo, hi = report["interval_R1@0.5"]["overall"]
    assert f"| all | 0.50 ({lo:.2f}-{hi:.2f}) |" in side and lo < 0.5 < hi


def test_topic_bench_draws_more_pauses_and_scores_every_boundary():
    """scripts/bench_topics.py: "more pauses" only lengthen pauses inside a section or shorten a
    section's own (words keep their order and length; each section start moves with its first
    sentence), and the score counts every section start, found or not."""
    from momentsearch.options import ChunkOptions
    from momentsearch.types import Word

    bench = _script("bench_topics")
    rng = np.random.default_rng(0)
    units, vectors, starts, t = [], [], [], 0.0
    for topic in range(4):  # four sections of five sentences; 0.3 s between sentences, 1.5 s before a section
        if topic:
            t += 1.2
            starts.append(t - 0.3)  # the section (its slide) starts a little before its speech
        for _ in range(5):
            units.append([Word(t, t + 2.0, "words"), Word(t + 2.0, t + 3.5, "end.")])
            v = np.eye(6)[topic] + rng.normal(0, 0.1, 6)
            vectors.append(v / np.linalg.norm(v))
            t += 3.8
    data = [("talk.mp4", t, starts, units, np.array(vectors))]
    tp, fp, fn = bench.score(data, ChunkOptions())
    assert (tp, fp, fn) == (3, 0, 0)
    for seed in range(5):
        moved, new_starts, extra = bench.more_pauses(units, starts, np.random.default_rng(seed))
        assert [w.end - w.start for u in moved for w in u] == pytest.approx([w.end - w.start for u in units for w in u])
        firsts = {i: u[0].start - units[i][0].start for i, u in enumerate(moved)}
        for old, new, first in zip(starts, new_starts, (5, 10, 15)):
            assert new - old == pytest.approx(firsts[first])  # the start moved with its section's first sentence
        assert extra == pytest.approx(moved[-1][0].start - units[-1][0].start)
        assert all(b[0].start >= a[-1].end for a, b in zip(moved, moved[1:]))
    assert sum(bench.score(data, ChunkOptions(), np.random.default_rng(1))[::2]) == 3  # hits + misses
    # a detector of pauses alone: the 1.5 s before each section, not the 0.3 s between its sentences
    from momentsearch.pipeline import segment

    try:
        segment.topic_scores = bench.pauses_only(1.0)
        assert bench.score(data, ChunkOptions()) == (3, 0, 0)
        segment.topic_scores = bench.pauses_only(2.0)
        assert bench.score(data, ChunkOptions()) == (0, 0, 3)
    finally:
        segment.topic_scores = bench.ORIGINAL_SCORES


def test_misheard_bench_picks_phrases_the_transcript_lacks():
    """scripts/bench_misheard.py: a section gives only 5-word phrases of its narration with at least three
    words its transcript lacks, three content words, and no sentence end inside; a section heard word for
    word gives none."""
    import random

    bench = _script("bench_misheard")
    speech = ("Heavy lorries cross the deck every morning. The concrete beam sags under the moving load "
              "while wind gusts push the whole span sideways.")
    heard = set(bench.normalise("heavy lorries cross the deck"))
    sections = [{"start": 0.0, "end": 20.0, "speech": speech}, {"start": 20.0, "end": 30.0, "speech": speech}]
    bench.PER_SECTION = 50  # every phrase that fits
    found = bench.phrases(sections, lambda s, e: heard if s == 0.0 else set(bench.normalise(speech)), random.Random(0))
    assert len(found) > 5 and all(k == 0 for k, _ in found)
    for _, phrase in found:
        words = phrase.split()
        assert len(words) == bench.WORDS and sum(bench._unheard(w, heard) for w in words) >= bench.UNHEARD
        assert "morning" not in phrase  # a phrase does not run across the sentence end


def test_misheard_bench_slide_terms_are_neighbouring_bullet_words_of_slides_on_screen():
    """scripts/bench_misheard.py --slide-terms: two neighbouring words of a shown slide's bullets, 16 sound
    letters or more, each asked once; a section where only the speaker is seen gives none."""
    from types import SimpleNamespace

    bench = _script("bench_misheard")
    deck = SimpleNamespace(sections=[SimpleNamespace(title="Plates", bullets=["Matching coastlines of continents", "Ice"]),
                                     SimpleNamespace(title="Plates", bullets=["Matching coastlines again"]),
                                     SimpleNamespace(title="Aside", bullets=["Seafloor spreading evidence"])])
    shown = [{"title": "Plates", "view": "slide"}, {"title": "Plates", "view": "slide"},
             {"title": "Aside", "view": "speaker"}]
    terms = bench.slide_terms(deck, shown, set())
    assert terms == [(0, "Matching coastlines"), (0, "coastlines continents")]  # "of" too short; asked once
