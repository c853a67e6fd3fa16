"""An index kept across an upgrade of momentsearch: each file's record says which version (and which options)
made its entries, a re-run says once what --reindex would change and redoes nothing by itself, and a re-run with
nothing to do loads no model (it imported torch to learn again that CLIP's weights are missing)."""

from __future__ import annotations

import json
import os
from dataclasses import replace

import pytest

from fakes import FakeText, counting_video
import momentsearch
from momentsearch.errors import ModelUnavailableError
from momentsearch.options import Config
from momentsearch.pipeline import settled
from momentsearch.pipeline.indexer import Indexer
from momentsearch.store.client import make_client
from momentsearch.store.store import Store
from momentsearch.types import TranscriptSegment, Word


class FakeASR:
    model_id = "fake:asr"

    def transcribe(self, audio):
        return [TranscriptSegment(0.0, 1.0, "hello world.", [Word(0.0, 0.5, "hello"), Word(0.5, 1.0, "world.")])]


class MissingClip:
    """CLIP whose weights are not on this machine: loading says so and where they would appear, as ClipModel
    does (`missing_weights`); counts the loads (each imported torch and open_clip)."""

    model_id, model_name, pretrained, cache_dir, dim = "open_clip:ViT-B-32/laion2b_s34b_b79k", "ViT-B-32", \
        "laion2b_s34b_b79k", None, 8

    def __init__(self, place):
        self.place, self.loads, self.missing_weights = str(place), 0, None

    def load(self):
        self.loads += 1
        self.missing_weights = None if os.path.exists(self.place) else [self.place]
        raise ModelUnavailableError("CLIP weights for ViT-B-32 with pretrained tag 'laion2b_s34b_b79k' are not on "
                                    "this machine" if self.missing_weights else "cannot load CLIP")


def _index(db, folder, clip=None, config=None):
    config = config or Config()
    config.models.ocr = False
    indexer = Indexer(Store(make_client(str(db))), config, FakeText(), FakeASR(), clip, None)
    return indexer.index([str(folder)]), indexer


def _notes(report):
    return [w for w in report.warnings if "--reindex" in w]


def test_a_rerun_with_nothing_to_do_loads_no_model(tmp_path, monkeypatch):
    monkeypatch.delenv("MOMENTSEARCH_ALLOW_DOWNLOAD", raising=False)
    folder, db, weights = tmp_path / "lectures", tmp_path / "db", tmp_path / "hub" / "models--laion--CLIP"
    folder.mkdir()
    counting_video(folder / "talk.mp4", seconds=3)
    first = MissingClip(weights)
    report, _ = _index(db, folder, first)
    assert first.loads == 1 and [f.status for f in report.files] == ["indexed"]

    again = MissingClip(weights)
    report, _ = _index(db, folder, again)
    assert again.loads == 0  # nothing to do: the records and the last run's note tell it
    assert [f.status for f in report.files] == ["unchanged"]
    assert report.models == {"text": "fake:text", "asr": "fake:asr"}  # as when CLIP was loaded and failed
    assert [w for w in report.warnings if w.startswith("visual channel off: CLIP weights")]  # said as before

    if settled.importlib.util.find_spec("open_clip") is None:
        return  # (without the extra, nothing but installing it turns CLIP on)
    weights.mkdir(parents=True)  # the weights arrive: the next run loads CLIP again
    later = MissingClip(weights)
    _index(db, folder, later)
    assert later.loads == 1


def test_clip_says_where_its_missing_weights_would_appear(tmp_path, monkeypatch):
    pytest.importorskip("open_clip")
    from momentsearch.models.clip import ClipModel

    monkeypatch.delenv("MOMENTSEARCH_ALLOW_DOWNLOAD", raising=False)
    clip = ClipModel("ViT-B-32", "laion2b_s34b_b79k", cache_dir=str(tmp_path))
    with pytest.raises(ModelUnavailableError, match="not on this machine"):
        clip.load()
    assert clip.missing_weights == [str(tmp_path / "models--laion--CLIP-ViT-B-32-laion2B-s34B-b79K")]


def test_files_made_by_another_version_or_options_are_named_once_and_not_redone(tmp_path, monkeypatch, capsys):
    folder, db, version = tmp_path / "lectures", tmp_path / "db", momentsearch.__version__
    folder.mkdir()
    counting_video(folder / "a.mp4", seconds=3)
    counting_video(folder / "b.mp4", seconds=2)
    report, indexer = _index(db, folder)
    records = {os.path.basename(r.path): r for r in indexer.store.files()}
    assert {r.version for r in records.values()} == {version}
    assert {r.options for r in records.values()} == {settled.options_fingerprint(indexer.config)}
    assert _notes(_index(db, folder)[0]) == []  # the same version and options: nothing to say
    speed = Config()  # options of how fast, not of what: they had been "other options", --reindex advised
    speed.sampling.overlap, speed.sampling.visual_nice, speed.ocr.workers = False, 0, 1
    assert _notes(_index(db, folder, config=speed)[0]) == []
    chunky = Config()  # other options alone (the teacher's --config for one file): named, redone with them
    chunky.chunks.max_seconds = 20.0
    assert _notes(_index(db, folder, config=chunky)[0]) == [
        f"2 unchanged files (a.mp4, b.mp4) were indexed with other options than this run's (this is momentsearch "
        f"{version}): searched as indexed, nothing redone; `momentsearch index --reindex {folder / 'a.mp4'} "
        f"{folder / 'b.mp4'}` indexes them again with this run's options"]

    monkeypatch.setattr(settled, "__version__", "99.0")  # an upgrade
    report, _ = _index(db, folder)
    assert {f.status for f in report.files} == {"unchanged"}  # nothing redone by itself
    assert len(_notes(report)) == 1, report.warnings
    assert _notes(report)[0].startswith(f"2 unchanged files (a.mp4, b.mp4) were indexed by momentsearch {version} "
                                        "(this is momentsearch 99.0)")
    monkeypatch.undo()

    indexer.store.put_file(replace(records["a.mp4"], version="", options=""))  # an index made before versions
    other = Config()
    other.chunks.max_seconds = 20.0  # (--config with other chunking)
    report, _ = _index(db, folder, config=other)
    assert {f.status for f in report.files} == {"unchanged"}
    assert _notes(report) == ["2 unchanged files (a.mp4, b.mp4) were indexed by a momentsearch that recorded no "
                              "version or with "
                              f"other options than this run's (this is momentsearch {version}): searched as "
                              f"indexed, nothing redone; `momentsearch index --reindex {folder / 'a.mp4'} "
                              f"{folder / 'b.mp4'}` indexes them again the way this version does"]

    info = momentsearch.MomentIndex(str(db)).info()  # info says it once too (of any options: it indexes nothing)
    assert len(info.notes) == 1 and info.notes[0].startswith("1 file (a.mp4) was indexed by a momentsearch that "
                                                             "recorded no version")
    from momentsearch.cli.main import main

    assert main(["info", "--db", str(db), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["notes"] == info.notes
    assert sorted(f["version"] or "" for f in shown["files"]) == ["", version]


def test_a_ray_run_names_files_made_by_another_version_too(tmp_path, monkeypatch):
    """`index --ray` after an upgrade said nothing of the unchanged files an older version made (the local run's
    line); every file here is unchanged, so nothing goes to a worker and no cluster starts."""
    from momentsearch.pipeline.ray import RayIndexer

    folder, db = tmp_path / "lectures", tmp_path / "db"
    folder.mkdir()
    counting_video(folder / "a.mp4", seconds=2)
    _index(db, folder)
    monkeypatch.setattr(settled, "__version__", "99.0")  # an upgrade
    config = Config()
    config.models.ocr = False
    report = RayIndexer(Indexer(Store(make_client(str(db))), config, FakeText(), FakeASR(), None, None)).index(
        [str(folder)])
    assert [f.status for f in report.files] == ["unchanged"] and report.ray is not None
    assert len(_notes(report)) == 1
    assert _notes(report)[0].startswith("1 unchanged file (a.mp4) was indexed by momentsearch ")


def test_the_server_health_answer_carries_the_upgrade_note(tmp_path, monkeypatch):
    """`info` and `index` named the files an older momentsearch made and the --reindex that redoes them; a served
    index's /api/health (whose notes the page shows at its start) said nothing of them."""
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from momentsearch.server.app import create_app

    folder, db, version = tmp_path / "lectures", tmp_path / "db", momentsearch.__version__
    folder.mkdir()
    counting_video(folder / "a.mp4", seconds=2)
    _index(db, folder)
    monkeypatch.setattr(settled, "__version__", "99.0")  # the server runs an upgraded momentsearch
    with TestClient(create_app(momentsearch.MomentIndex(str(db)), warm=False), base_url="http://localhost") as client:
        health = client.get("/api/health").json()
    note = (f"1 file (a.mp4) was indexed by momentsearch {version} (this is momentsearch 99.0): searched as indexed, "
            f"nothing redone; `momentsearch index --reindex {folder / 'a.mp4'} --db {db}` indexes it again the way "
            "this version does")
    assert health["notes"] == [note] and note in health["warnings"]
