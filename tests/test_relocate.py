"""A lecturer's course folder, its index inside it (`course/.index`), copied whole to a USB stick or a share at
another path (renamed, maybe read-only) and opened there. The records named the files where they were indexed, so
every result was "(missing)", the server answered 409 for every video, and on a read-only stick `index` could not
take the files over. Readers now find each file at its place under the copied folder when it is the file indexed
(store/relocate.py), writing nothing to the index."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from dataclasses import replace

import pytest

from test_folder_changes import CountingASR, spoken_video, two_videos  # noqa: F401 (fixtures)


class _FakeModels:
    """What MomentIndex.index and search take from its models: fakes (no weights load), OCR and CLIP off."""

    def __init__(self, asr):
        from fakes import FakeText

        from momentsearch.options import Config

        self.config = Config()
        self.config.models.ocr = False
        self.asr, self.text_embedder, self.clip = asr, FakeText(), None

    def index_clip(self, built):
        return None

    def config_for(self, text, clip):
        return self.config


def _index(db, asr):
    from momentsearch.api import MomentIndex

    index = MomentIndex(db)
    index.__dict__["models"] = _FakeModels(asr)
    return index


@pytest.fixture
def course(two_videos, tmp_path):  # noqa: F811
    """/home/anna/course with two lectures and its index in `.index`, indexed there; then copied to a stick under
    another name, the laptop's folder moved away: (stick folder, [alpha, beta] there, the ASR's call count)."""
    alpha, beta = two_videos
    home = tmp_path / "home" / "anna" / "course"
    home.parent.mkdir(parents=True)
    shutil.move(str(alpha.parent), str(home))
    asr = CountingASR()
    with _index(home / ".index", asr) as index:
        report = index.index([str(home)])
    assert [f.status for f in report.files] == ["indexed", "indexed"], report.files
    stick = tmp_path / "media" / "stick" / "Course Copy"
    stick.parent.mkdir(parents=True)
    shutil.copytree(home, stick)
    alpha_time = os.stat(stick / "alpha.mp4").st_mtime + 3600  # no time kept (`cp -r`): the content tells the file
    os.utime(stick / "alpha.mp4", (alpha_time, alpha_time))  # (copytree keeps times; a copy at once is within 2 s)
    os.utime(stick / "beta.mp4", ns=(os.stat(home / "beta.mp4").st_mtime_ns,) * 2)  # (a copy that keeps times)
    shutil.move(str(home), str(tmp_path / "laptop-gone"))
    return stick, [stick / "alpha.mp4", stick / "beta.mp4"], asr


def test_a_copied_course_folder_is_searched_and_played_where_it_is_now(course, monkeypatch, capsys):
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from momentsearch.cli.main import main
    from momentsearch.server.app import create_app
    from momentsearch.store.filestate import PRESENT, file_state

    stick, (alpha, beta), _ = course
    index = _index(stick / ".index", CountingASR())
    found = {m.video for m in index.search("helium nucleus", k=5)} | {m.video for m in index.search("neutron", k=5)}
    assert found == {str(alpha), str(beta)}
    assert {r.path for r in index.videos()} == {str(alpha), str(beta)}
    assert all(file_state(r) == PRESENT for r in index.videos())

    info = index.info()
    assert sorted(f.path for f in info.files) == [str(alpha), str(beta)]
    (note,) = [n for n in info.notes if "read at" in n]
    assert f"is read at {stick / '.index'} (moved or copied with its files): 2 indexed files" in note
    assert f"found at their new place under {stick} and are read there" in note
    assert f"`momentsearch index '{stick}' --db '{stick / '.index'}'` records them there, with nothing redone" in note

    monkeypatch.setattr(sys.modules["momentsearch.cli.main"], "_index_for", lambda args: index)
    assert main(["search", "helium nucleus", "--db", str(stick / ".index"), "-k", "1"]) == 0
    said = capsys.readouterr().out
    # both lectures say "helium nucleus" (the stand-in ASR's words): the first is either, at its new place
    assert re.search(r"media/stick/Course%20Copy/(alpha|beta)\.mp4#t=0\.0", said) and "(missing)" not in said

    with TestClient(create_app(index, warm=False), base_url="http://localhost") as client:
        for path in (alpha, beta):
            video_id = index.find_video(str(path)).video_id
            got = client.get(f"/api/media/{video_id}", headers={"Range": "bytes=0-99"})
            assert got.status_code == 206, got.text
            assert got.content == path.read_bytes()[:100]
        assert client.get("/api/health").json()["warnings"] == []


def test_a_file_of_another_size_at_the_new_place_is_not_taken(course):
    stick, (alpha, beta), _ = course
    with open(beta, "ab") as f:
        f.write(b"\0")  # another file under its name (its time kept)
    index = _index(stick / ".index", CountingASR())
    shown = {r.path for r in index.videos()}
    assert str(alpha) in shown and str(beta) not in shown  # beta's record still names the laptop's file
    (note,) = [n for n in index.info().notes if "read at" in n]
    assert f"1 of the 2 indexed files not at {stick.parent.parent.parent / 'home' / 'anna' / 'course'} any more " \
        f"was found at its new place under {stick}; the rest are not there (or are not the files indexed)" in note


def test_index_at_the_new_place_still_takes_the_files_over_with_nothing_redone(course):
    stick, (alpha, beta), asr = course
    calls = asr.calls
    with _index(stick / ".index", asr) as index:
        report = index.index([str(stick)])
        assert [f.status for f in report.files] == ["indexed", "indexed"], report.files
        assert all("nothing redone" in f.reason for f in report.files), report.files
        assert asr.calls == calls
        assert sorted(r.path for r in index.store.files()) == [str(alpha), str(beta)]
        assert [n for n in index.info().notes if "read at" in n] == []  # the note names this place now


def test_info_of_a_read_only_copy_names_the_files_at_their_new_place(course, tmp_path):
    """The stick mounted read-only: `info` (the CLI's own process: it reads the index's snapshot) takes the files."""
    from test_safety import _read_only_mount, _tree_digest

    stick, (alpha, beta), _ = course
    before = _tree_digest(stick)
    proc = _read_only_mount(stick, ["info", "--db", str(stick / ".index"), "--json"])
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert sorted((f["path"], f["exists"], f["changed"]) for f in got["files"]) == [
        (str(alpha), True, False), (str(beta), True, False)]
    assert any("found at their new place" in n for n in got["notes"]), got["notes"]
    assert _tree_digest(stick) == before


def test_the_top_folders_are_the_paths_without_the_end_they_share():
    from momentsearch.store.relocate import moved_tops

    assert moved_tops("/home/anna/course/.index", "/media/stick/Course Copy/.index") == (
        "/home/anna/course", "/media/stick/Course Copy")
    assert moved_tops("/home/anna/course/.index", "/mnt/share/course/.index") == ("/home/anna", "/mnt/share")
    assert moved_tops("/a/db", "/a/b/db") == ("/a", "/a/b")
    assert moved_tops("/db", "/x/db") == ("/", "/x")


def test_a_file_is_taken_by_its_size_and_time_or_its_content(tmp_path):
    """A time within 2 s (FAT keeps times to 2 s) is the file indexed; another time, only with the same bytes."""
    from momentsearch.store.ids import content_hash
    from momentsearch.store.relocate import found_at
    from momentsearch.types import FileRecord

    path = tmp_path / "week1.mp4"
    path.write_bytes(b"lecture" * 100)
    os.utime(path, (1_700_000_001.5, 1_700_000_001.5))
    record = FileRecord(path="/old/week1.mp4", video_id="0" * 16, size=700, mtime=1_700_000_000.0, complete=True)
    taken = found_at(record, str(path))
    assert (taken.path, taken.mtime, taken.inode) == (str(path), path.stat().st_mtime, path.stat().st_ino)
    os.utime(path, (1_700_000_005.0, 1_700_000_005.0))
    assert found_at(record, str(path)) is None  # another time, other bytes
    assert found_at(replace(record, video_id=content_hash(str(path))), str(path)).path == str(path)
    assert found_at(replace(record, size=701, video_id=content_hash(str(path))), str(path)) is None
    assert found_at(record, str(tmp_path / "none.mp4")) is None
    (tmp_path / "link.mp4").symlink_to(path)
    assert found_at(replace(record, video_id=content_hash(str(path))), str(tmp_path / "link.mp4")) is None
