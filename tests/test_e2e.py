"""End to end through the real CLI on a generated lecture: index, search --json, info."""

from __future__ import annotations

import json

from conftest import TINY_CLIP_ARGS, iou, run_cli, search_json


def test_roadmap_query_finds_the_roadmap_section(indexed_lecture):
    db, video, windows, _ = indexed_lecture
    out = search_json(db, "where do they discuss the roadmap")
    assert out["query"] == "where do they discuss the roadmap"
    top = out["results"][0]
    truth = windows["Project Roadmap"]
    assert iou((top["start"], top["end"]), truth) >= 0.5, (top, truth)
    assert top["video"] == str(video)
    assert top["url"].startswith("file://") and top["url"].endswith(f"#t={top['start']:.1f}")
    # every channel of the index reports a score, and the speech channels found it
    assert {"transcript", "lexical", "visual"} <= set(top["channels"])
    assert top["channels"]["lexical"] > 0 and top["channels"]["transcript"] > 0
    assert "roadmap" in top["text"].lower()


def test_other_sections_are_found_too(indexed_lecture):
    db, _, windows, _ = indexed_lecture
    top = search_json(db, "chlorophyll turns water and carbon dioxide into sugar")["results"][0]
    assert iou((top["start"], top["end"]), windows["Photosynthesis and Solar Panels"]) >= 0.5


def test_index_summary_and_info(indexed_lecture):
    db, video, _, stdout = indexed_lecture
    assert "1 indexed" in stdout and "asr" in stdout
    info = json.loads(run_cli("info", "--db", str(db), "--json").stdout)
    assert [f["path"] for f in info["files"]] == [str(video)]
    assert set(info["channels"]) == {"transcript", "visual", "ocr"}  # slide OCR is on by default
    assert info["files"][0]["duration"] > 40
    assert info["counts"]["transcript"] >= 3


def test_one_template_slides_are_cut_apart(indexed_lecture):
    """The deck has one template (only the words change): each of its 4 slides is its own visual segment."""
    from momentsearch.api import MomentIndex

    db, video, windows, _ = indexed_lecture
    starts = [s for s, _ in MomentIndex(db).videos()[0].visual_segments]
    for title, (start, _) in windows.items():
        assert any(abs(s - start) <= 1.0 for s in starts), (title, start, starts)


def test_reindex_is_an_upsert(indexed_lecture, tmp_path):
    db, video, _, _ = indexed_lecture
    before = json.loads(run_cli("info", "--db", str(db), "--json").stdout)["counts"]
    proc = run_cli("index", str(video), "--db", str(db), *TINY_CLIP_ARGS, "--reindex")
    assert "1 indexed" in proc.stdout
    after = json.loads(run_cli("info", "--db", str(db), "--json").stdout)["counts"]
    assert after == before


def test_folder_with_two_videos_and_batch_queries(lecture, second_lecture, tmp_path):
    folder = tmp_path / "videos"
    folder.mkdir()
    (folder / "a.mp4").write_bytes(lecture[0].read_bytes())
    (folder / "sub").mkdir()
    (folder / "sub" / "b.mp4").write_bytes(second_lecture[0].read_bytes())
    db = tmp_path / "db"
    run_cli("index", str(folder), "--db", str(db))  # no CLIP weights given: visual channel is off
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"qid": 1, "query": "the roadmap for next year"}\n'
                       '{"qid": "t", "query": "undo partial work after a power failure", "extra": 1}\n')
    lines = [json.loads(x) for x in run_cli("search", "--queries", str(queries), "--db", str(db), "-k", "3")
             .stdout.splitlines()]
    assert [x["qid"] for x in lines] == [1, "t"]
    first, second = lines[0]["results"][0], lines[1]["results"][0]
    assert first["video"].endswith("a.mp4") and second["video"].endswith("b.mp4")
    assert iou((first["start"], first["end"]), lecture[1]["Project Roadmap"]) >= 0.5
    assert iou((second["start"], second["end"]), second_lecture[1]["Transactions"]) >= 0.5
    for result in first, second:
        assert set(result["channels"]) == {"transcript", "lexical", "ocr"}  # what this index has (no CLIP)
        assert 0 < result["score"]


def test_empty_query_is_a_clear_error(indexed_lecture):
    db = indexed_lecture[0]
    proc = run_cli("search", "   ", "--db", str(db), check=False)
    assert proc.returncode == 2 and "query is empty" in proc.stderr and "Traceback" not in proc.stderr


def test_openai_whisper_backend_runs_from_the_cli_without_ffmpeg(second_lecture, tmp_path):
    """The openai-whisper engine, with a tiny random checkpoint: audio comes from PyAV, not an ffmpeg binary."""
    from momentsearch.testing.tiny_whisper import write_tiny_openai_whisper_checkpoint

    ckpt = write_tiny_openai_whisper_checkpoint(tmp_path / "tiny-random.pt")
    config = tmp_path / "c.toml"
    config.write_text("[asr]\nmax_new_tokens = 8\nlanguage = \"en\"\n")
    db = tmp_path / "db"
    env = {"PATH": "/nonexistent"}  # no ffmpeg (nor anything else) on PATH
    proc = run_cli("index", str(second_lecture[0]), "--db", str(db), "--config", str(config),
                   "--asr", f"openai-whisper:{ckpt}", env=env)
    assert "1 indexed" in proc.stdout
    assert "asr=openai-whisper:tiny-random.pt" in proc.stdout


def test_missing_openai_whisper_weights_is_a_clear_error(second_lecture, tmp_path):
    proc = run_cli("index", str(second_lecture[0]), "--db", str(tmp_path / "db"),
                   "--asr", f"openai-whisper:{tmp_path / 'missing.pt'}", check=False)
    assert proc.returncode == 2
    assert "missing.pt" in proc.stderr and "not found" in proc.stderr and "Traceback" not in proc.stderr
