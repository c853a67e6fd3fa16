"""An index made by an older momentsearch (records without the keys added since), read by today's code."""

from __future__ import annotations

import json

from momentsearch.pipeline.captions import sidecar_changed
from momentsearch.store.records import record_from_metadata


def old_record(path, transcript: str = "asr: faster-whisper:base", kind: str = "video"):
    """A file record as a 4 Dec momentsearch wrote it: no version, no options, no sidecar in its sources."""
    return record_from_metadata({
        "path": str(path), "video_id": "1d3c1a1cb5bdd943", "size": 152655, "mtime": "1796646667.8223748",
        "kind": kind, "duration": 14.6, "channels": "transcript,ocr", "visual_segments": "[[0.0, 14.6]]",
        "sections": "[[0.0, 14.6]]", "models": json.dumps({"text": "sentence-transformers:all-MiniLM-L6-v2"}),
        "sources": json.dumps({"transcript": transcript} if transcript else {}), "language": "en",
        "complete": True, "device": "65024", "inode": "2557067", "mime": "video/mp4"})


def test_a_caption_file_next_to_a_video_an_older_version_transcribed_is_a_change(tmp_path):
    """It said "unchanged", nothing redone, and the summary that the caption file had been read as captions."""
    video = tmp_path / "week2.mp4"
    video.write_bytes(b"not decoded here")
    record = old_record(video)
    assert "sidecar" not in record.sources and not record.version  # the older layout
    assert not sidecar_changed(record, "auto")  # no caption file: nothing to redo
    (tmp_path / "week2.srt").write_text("1\n00:00:00,000 --> 00:00:02,000\nhello\n", encoding="utf-8")
    assert sidecar_changed(record, "auto")
    assert not sidecar_changed(record, "ignore")  # captions not looked for: the ASR transcript stands
    assert not sidecar_changed(old_record(video, "captions: sidecar week2.srt"), "auto")  # made from that very file
    assert sidecar_changed(old_record(video, "captions: sidecar week2.en.vtt"), "auto")  # from one since taken away
    assert not sidecar_changed(old_record(tmp_path / "week2.jpg", "", "photo"), "auto")


def test_the_reindex_note_names_the_index_and_the_files_it_is_about(tmp_path):
    """The note of files an older momentsearch made said `momentsearch index --reindex PATH`: pasted by a teacher
    whose index is at --db DIR, it indexed into ./momentsearch-db, a new index, and left theirs as it was."""
    from dataclasses import replace

    import momentsearch
    from fakes import FakeText, counting_video
    from momentsearch.options import Config
    from momentsearch.pipeline.indexer import Indexer
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store
    from test_upgrade import FakeASR

    folder, db = tmp_path / "my lectures", tmp_path / "term db"
    folder.mkdir()
    for name in ("week1.mp4", "week2.mp4"):
        counting_video(folder / name, seconds=2)
    config = Config()
    config.models.ocr = False

    def index():
        store = Store(make_client(str(db)), db_dir=str(db))
        return Indexer(store, config, FakeText(), FakeASR(), None, None).index([str(folder)]), store

    _, store = index()
    for record in store.files():
        store.put_file(replace(record, version="", options=""))  # as an index made before 7 Dec keeps them
    report, _ = index()
    command = f"`momentsearch index --reindex '{folder}/week1.mp4' '{folder}/week2.mp4' --db '{db}'`"
    assert [w for w in report.warnings if command in w], report.warnings
    assert [n for n in momentsearch.MomentIndex(str(db)).info().notes if command in n]
    from momentsearch.pipeline.settled import reindex_command  # many files: their folder, the one to index again

    many = [replace(store.files()[0], path=f"{folder}/week{i}.mp4") for i in range(9)]
    assert reindex_command(many, None) == f"momentsearch index --reindex '{folder}'"


def test_eval_on_an_index_an_older_version_made_says_so(capsys):
    """eval scored an upgraded index's old entries as today's ranker's, without a word (index and info said it)."""
    from types import SimpleNamespace

    from momentsearch.cli.extras import note_unindexed
    from momentsearch.pipeline.settled import made_by_note

    record = old_record("/term/week1.mp4")
    info = SimpleNamespace(files=[record], notes=[made_by_note([record], db="/term/db")])
    note_unindexed(SimpleNamespace(info=lambda: info), [SimpleNamespace(video="/term/week1.mp4")])
    err = capsys.readouterr().err
    assert err.count("recorded no version") == 1, err
    assert "`momentsearch index --reindex /term/week1.mp4 --db /term/db`" in err
