"""A lecturer's course folder, its index inside it, copied to a USB stick and opened at another path: every
indexed file is "missing" until `index` runs on the new path. The advice the CLI gives then must find them
again in *this* index: `momentsearch index FOLDER` alone, run in the copied folder, indexed everything again
from scratch into ./momentsearch-db (the index named with --db was left as it was)."""

from __future__ import annotations

import sys

from momentsearch.api import IndexInfo
from momentsearch.cli.main import main
from momentsearch.types import FileRecord
from test_cli_pipes import _OneWordIndex

STICK_DB = "/media/stick/Course Copy/.index"  # the copied index; the files it names stayed on the laptop


def _said(capsys) -> str:
    return " ".join(capsys.readouterr().out.split())  # the terminal's wrapping undone


def test_a_search_in_a_moved_index_names_the_index_in_what_to_do(capsys, monkeypatch):
    class StickIndex(_OneWordIndex):
        db = STICK_DB

    monkeypatch.setattr(sys.modules["momentsearch.cli.main"], "_index_for", lambda args: StickIndex())
    assert main(["search", "roadmap", "--db", STICK_DB]) == 0
    said = _said(capsys)
    assert "(missing) /srv/talk.mp4" in said
    assert "index where it went with `momentsearch index FOLDER --db '/media/stick/Course Copy/.index'`" in said


def test_info_on_a_moved_index_says_how_to_find_the_files_again_not_only_prune(tmp_path, capsys, monkeypatch):
    """`info` advised only `momentsearch prune` for files not where indexed: for a copied folder that is
    every file, and pruning drops all the work that `index` at the new path would take over."""
    records = [FileRecord(path=f"/home/anna/course/week{i}.mp4", video_id=str(i) * 16, size=100, mtime=1.0,
                          duration=60.0, channels=["transcript"], complete=True) for i in (1, 2)]
    info = IndexInfo(db=STICK_DB, files=records, channels=["transcript"], models={}, counts={})

    class StickIndex:
        use_snapshot = False

        def info(self):
            return info

    monkeypatch.setattr(sys.modules["momentsearch.cli.main"], "_index_for", lambda args: StickIndex())
    assert main(["info", "--db", STICK_DB]) == 0
    said = _said(capsys)
    assert ("2 files are not where they were indexed (moved or deleted): `momentsearch index FOLDER --db "
            "'/media/stick/Course Copy/.index'` where they went takes their entries over with nothing redone; "
            "`momentsearch prune` takes missing files out") in said


def test_in_names_an_indexed_file_by_another_spelling_of_its_path(tmp_path, monkeypatch):
    """On a case-insensitive disk (an exFAT stick, a Mac) `--in lecture1.mp4` opens the indexed `Lecture1.mp4`,
    yet named no indexed file ("matches no indexed file"), and `transcript lecture1.mp4` said "not an indexed
    file". A hard link stands in for the other spelling here (Linux's disks tell case): the same file, by inode."""
    import os

    import pytest

    from momentsearch.errors import QueryError
    from momentsearch.search.scope import one_video, scope_paths

    indexed = tmp_path / "Lecture1.mp4"
    indexed.write_bytes(b"lecture" * 100)
    os.link(indexed, tmp_path / "lecture1.mp4")  # what the stick shows under the other case
    (tmp_path / "other.mp4").write_bytes(b"lecture" * 100)  # the same bytes, another file: not named by it
    files = {"a" * 16: FileRecord(path=str(indexed), video_id="a" * 16, size=700, mtime=1.0, complete=True)}
    monkeypatch.chdir(tmp_path)
    assert scope_paths(files, ["lecture1.mp4"]) == {"a" * 16: {str(indexed)}}
    assert one_video(files, str(tmp_path / "lecture1.mp4")).path == str(indexed)
    with pytest.raises(QueryError, match="matches no indexed file"):
        scope_paths(files, ["other.mp4"])
