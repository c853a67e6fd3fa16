"""What follows a re-encoded copy sharing its original's entries (pipeline/reencoded.py): a Ray batch sends one
encoding of a recording to a worker; a search scoped to the copy names it and lists the original as the other
copy; the copy touched since is not compared again; the original deleted is told as gone with another encoding
kept (not as "the same content"); and a moved and touched copy is found at its new place by its own bytes."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import TINY_CLIP_ARGS, needs_espeak, run_cli
from fakes import in_process_ray
from test_reencoded import HEAT

pytestmark = [needs_espeak, pytest.mark.filterwarnings("ignore:Could not reconstruct embedding function")]


@pytest.fixture(scope="module")
def encodings(tmp_path_factory) -> dict[str, Path]:
    """A short lecture and another encoding of it (smaller, at a lower bitrate)."""
    from momentsearch.testing.reencode import reencode
    from momentsearch.testing.synth import render_lecture

    folder = tmp_path_factory.mktemp("heat")
    out = {name: folder / name for name in ("heat.mp4", "heat_small.mp4", "heat.mkv")}
    render_lecture(out["heat.mp4"], HEAT, size=(192, 108), fps=5)
    reencode(out["heat.mp4"], out["heat_small.mp4"], size=(128, 72), crf=38, audio_bitrate=32_000)
    reencode(out["heat.mp4"], out["heat.mkv"], video_codec="mpeg4", audio_codec="mp3", fps=25)
    return out


def _course(encodings, folder: Path, names=("heat.mp4", "heat_small.mp4")) -> Path:
    folder.mkdir(exist_ok=True)
    for name in names:
        shutil.copy2(encodings[name], folder / name)
    return folder


def _indexer(db: Path, folder: Path):
    from momentsearch.api import MomentIndex
    from momentsearch.cli.args import build_parser
    from momentsearch.cli.main import _config
    from momentsearch.pipeline.indexer import Indexer
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    store = Store(make_client(str(db), create=True))
    index = MomentIndex(str(db), _config(build_parser().parse_args(["index", str(folder), *TINY_CLIP_ARGS,
                                                                    "--no-ocr"])), store=store)
    return Indexer(store, index.config, index.text_embedder, index.asr, index.clip)


def test_one_encoding_of_a_recording_goes_to_a_ray_worker(encodings, tmp_path):
    """Two encodings of a new lecture in one Ray batch were both sent to workers (the driver groups files by size
    and bytes) and both transcribed; an encoding of a lecture indexed before was sent too. Now one goes, and the
    others share its entries, as without Ray (here the 'worker' runs in-process)."""
    sent: list[str] = []
    InProcessWorkers = in_process_ray(sent)

    course = _course(encodings, tmp_path / "course")
    report = InProcessWorkers(_indexer(tmp_path / "db", course)).index([str(course)])
    assert len(sent) == 1, sent
    other = course / ({"heat.mp4", "heat_small.mp4"} - {Path(sent[0]).name}).pop()
    files = {f.path: (f.status, f.reason) for f in report.files}
    assert files[str(other)] == ("indexed", f"another encoding of {sent[0]}: its entries are shared, nothing redone")

    shutil.copy2(encodings["heat.mkv"], course / "heat.mkv")
    sent.clear()
    report = InProcessWorkers(_indexer(tmp_path / "db", course)).index([str(course)])
    assert sent == []
    files = {Path(f.path).name: (f.status, f.reason) for f in report.files}
    assert files["heat.mkv"][0] == "indexed" and files["heat.mkv"][1].startswith("another encoding of "), files


def test_encodings_beside_different_decks_each_go_to_a_ray_worker(encodings, tmp_path):
    """An encoding whose deck differs from the other's (heat.pdf beside heat.mp4 only) shares no entries with it
    (copies.shareable); a Ray batch held it back all the same, and the driver then indexed it in full on its own
    after the workers. Now only an encoding that could share the other's entries is held back."""
    from types import SimpleNamespace

    from momentsearch.options import Config
    from momentsearch.pipeline.decode import probe
    from momentsearch.pipeline.ray_copies import one_per_recording
    from momentsearch.pipeline.reencoded import CopyFinder

    course = _course(encodings, tmp_path / "course")
    paths = [str(course / "heat.mp4"), str(course / "heat_small.mp4")]
    infos = {path: probe(path) for path in paths}
    indexer = SimpleNamespace(copy_finder=CopyFinder(), config=Config(), report=SimpleNamespace(models={}))
    assert one_per_recording(indexer, paths, infos, reindex=False) == (paths[:1], paths[1:])
    (course / "heat.pdf").write_bytes(b"%PDF-1.4 the deck of heat.mp4")
    assert one_per_recording(indexer, paths, infos, reindex=False) == (paths, [])
    shutil.copy2(course / "heat.pdf", course / "heat_small.pdf")  # the same deck beside each: one is sent
    assert one_per_recording(indexer, paths, infos, reindex=False) == (paths[:1], paths[1:])


def test_a_reencoded_copy_is_named_touched_found_moved_and_outlives_its_original(encodings, tmp_path):
    """`search --in heat_small.mp4` named heat_small.mp4 and listed it 'also in' itself; heat.mp4 removed and
    indexed again was 'same content as' heat_small.mp4; touched, it was compared
    by its sound again; with heat.mp4 deleted, `index` said 'the same content is indexed' at heat_small.mp4; moved
    and touched with its index, it was never found (its record's id is the original's, not its bytes')."""
    from momentsearch.store.client import make_client
    from momentsearch.store.relocate import found_at
    from momentsearch.store.store import Store

    course, db = _course(encodings, tmp_path / "course"), tmp_path / "db"
    heat, small = course / "heat.mp4", course / "heat_small.mp4"
    run_cli("index", str(course), "--db", str(db), "--no-ocr", "--quiet", *TINY_CLIP_ARGS)
    found = json.loads(run_cli("search", "Carnot cycle heat engine", "--db", str(db), "--json", "--in",
                               str(small)).stdout)["results"]
    assert found and all(r["video"] == str(small) and r["copies"] == [str(heat)] for r in found), found
    run_cli("remove", str(heat), "--db", str(db))  # indexed again beside its only other encoding: not "same content"
    report = json.loads(run_cli("index", str(heat), "--db", str(db), "--no-ocr", "--json", *TINY_CLIP_ARGS).stdout)
    assert report["files"][0]["reason"] == f"another encoding of {small}: its entries are shared, nothing redone"

    st = small.stat()
    os.utime(small, ns=(st.st_atime_ns, st.st_mtime_ns + 5 * 10**9))  # `touch`: its bytes the same
    heat.unlink()
    report = json.loads(run_cli("index", str(course), "--db", str(db), "--no-ocr", "--json",
                                *TINY_CLIP_ARGS).stdout)
    assert [(f["status"], f["reason"]) for f in report["files"]] == [
        ("unchanged", "same content (its modified time changed): nothing redone")]
    assert "copies" not in report["times"]  # not compared again
    gone = [w for w in report["warnings"] if str(heat) in w]
    assert len(gone) == 1 and f"another encoding of it kept ({heat} -> {small})" in gone[0], report["warnings"]
    assert "same content" not in gone[0]

    record = Store(make_client(str(db))).get_file(str(small))
    moved = tmp_path / "stick" / "heat_small.mp4"
    moved.parent.mkdir()
    shutil.copy(small, moved)  # a copy that does not keep times
    os.utime(moved, (st.st_atime + 3600, st.st_mtime + 3600))
    assert found_at(record, str(moved)).path == str(moved)
