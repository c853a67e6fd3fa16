"""More moves of a course folder with its index (store/relocate.py): a copy that dropped the files' times was read
whole by every one-off search to take its files; an index folder renamed on the stick, or an index made before it
noted where it was, took no file; files that arrived after `serve` started stayed missing; a path written on
Windows was never taken apart."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

import pytest

from momentsearch.store import relocate
from momentsearch.store.relocate import INDEX_FOLDER_NOTE, relocated_files
from momentsearch.types import FileRecord
from test_folder_changes import CountingASR, spoken_video, two_videos  # noqa: F401 (fixtures)
from test_relocate import _index, course  # noqa: F401 (fixtures)


@pytest.fixture
def hashed(monkeypatch):
    """The files whose content relocate.py reads, in a list (its in-process memory of them cleared)."""
    read = []

    def counting(path, *args):
        read.append(os.path.basename(path))
        return content_hash(path, *args)

    from momentsearch.store.ids import content_hash

    relocate._hash_of_state.cache_clear()
    monkeypatch.setattr(relocate, "content_hash", counting)
    yield read
    relocate._hash_of_state.cache_clear()


def _times_dropped(path) -> None:
    """As a copy that keeps no times leaves a file (its own time, far from the indexed file's: the fixture's copy
    kept them, and a copy made at once would fall within MTIME_SLACK of them)."""
    os.utime(path, (os.stat(path).st_mtime + 3600,) * 2)


def _paths(db) -> set[str]:
    return {r.path for r in _index(db, CountingASR()).videos()}


def test_a_copy_that_dropped_the_times_is_read_once_not_by_every_search(course, hashed):
    stick, (alpha, beta), _ = course
    _times_dropped(alpha)
    assert _paths(stick / ".index") == {str(alpha), str(beta)}
    assert hashed == ["alpha.mp4"]
    relocate._hash_of_state.cache_clear()  # another process: a second `momentsearch search`
    assert _paths(stick / ".index") == {str(alpha), str(beta)}
    assert hashed == ["alpha.mp4"]  # not read again


def test_a_file_of_the_same_name_and_size_with_other_bytes_is_never_taken(course, hashed):
    stick, (alpha, beta), _ = course
    data = bytearray(alpha.read_bytes())
    data[len(data) // 2] ^= 0xFF
    good = alpha.read_bytes()
    alpha.write_bytes(bytes(data))  # another file under its name, of its size, a new time
    _times_dropped(alpha)
    for _ in range(2):  # the second read as another process's, from the kept hashes
        relocate._hash_of_state.cache_clear()
        assert str(alpha) not in _paths(stick / ".index")
    alpha.write_bytes(good)  # the right bytes again: a new time, read again and taken
    _times_dropped(alpha)
    relocate._hash_of_state.cache_clear()
    assert str(alpha) in _paths(stick / ".index")


def test_a_renamed_index_folder_still_finds_the_files(course):
    stick, (alpha, beta), _ = course
    (stick / ".index").rename(stick / "course-index")
    index = _index(stick / "course-index", CountingASR())
    assert {r.path for r in index.videos()} == {str(alpha), str(beta)}
    (note,) = [n for n in index.info().notes if "read at" in n]
    assert f"2 indexed files not at {stick.parents[2] / 'home' / 'anna' / 'course'} any more were found" in note
    assert f"under {stick} and are read there" in note


def test_an_index_made_before_it_noted_its_place_still_finds_the_files(course):
    stick, (alpha, beta), _ = course
    with _index(stick / ".index", CountingASR()) as index:
        index.store.set_index_note(INDEX_FOLDER_NOTE, "")  # as an index made before 7 Dec holds
    index = _index(stick / ".index", CountingASR())
    assert {r.path for r in index.videos()} == {str(alpha), str(beta)}
    (note,) = [n for n in index.info().notes if "read at" in n]
    assert note.startswith(f"this index is read at {stick / '.index'}, and its files were indexed under "
                           f"{stick.parents[2] / 'home' / 'anna' / 'course'}: 2 indexed files")


def test_files_that_arrive_after_the_server_started_are_found(course, monkeypatch, tmp_path):
    from momentsearch.search import corpus

    monkeypatch.setattr(corpus, "WAITING_RECHECK_SECONDS", 0.0)
    monkeypatch.setattr("momentsearch.search.searcher.CORPUS_RECHECK_SECONDS", 0.0)
    stick, (alpha, beta), _ = course
    shutil.move(str(alpha), str(tmp_path / "still-copying.mp4"))
    index = _index(stick / ".index", CountingASR())
    assert str(alpha) not in {r.path for r in index.videos()}
    shutil.move(str(tmp_path / "still-copying.mp4"), str(alpha))
    assert {r.path for r in index.videos()} == {str(alpha), str(beta)}


@dataclass
class _Records:
    """A store's records and index note, at `db_dir` (what relocated_files reads)."""

    db_dir: str
    records: list
    noted: str = ""

    def files(self):
        return self.records

    def index_note(self, key):
        return self.noted


def _lecture(path, video_id="a" * 16) -> FileRecord:
    return FileRecord(path=str(path), video_id=video_id, size=700, mtime=1_700_000_000.0, complete=True)


def _copied(folder, name="week1.mp4"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(b"lecture" * 100)
    os.utime(folder / name, (1_700_000_000.0,) * 2)
    return folder / name


def test_paths_written_on_windows_are_found_under_the_new_place(tmp_path):
    new = _copied(tmp_path / "stick" / "course" / "w")
    store = _Records(str(tmp_path / "stick" / "course" / ".index"), [_lecture("C:\\Users\\anna\\course\\w\\week1.mp4")],
                     "C:\\Users\\anna\\course\\.index")
    (rec,), moved = relocated_files(store)
    assert rec.path == str(new) and moved.old_top == "C:\\Users\\anna"  # (they share course\\.index)
    store.noted = ""  # guessed from the path's end
    (rec,), moved = relocated_files(store)
    assert rec.path == str(new) and moved.old_top == "C:\\Users\\anna\\course"


def test_an_index_beside_its_course_or_reached_through_a_link_finds_the_files(tmp_path):
    new = _copied(tmp_path / "stick" / "course")
    beside = _Records(str(tmp_path / "stick" / "course-db"), [_lecture("/home/anna/course/week1.mp4")],
                      "/home/anna/course-db")
    assert relocated_files(beside)[0][0].path == str(new)
    (tmp_path / "link").symlink_to(tmp_path / "stick")
    linked = _Records(str(tmp_path / "link" / "course-db"), beside.records, beside.noted)
    assert relocated_files(linked)[0][0].path == str(new)  # the file itself, not through the link


def test_the_kept_hashes_are_written_as_the_search_cache_is_for_a_group_sharing_it(tmp_path):
    """relocated.json was written through NamedTemporaryFile: mode 0600 under a group's umask 002, so the group's
    other users could not read it and read every copied file whole on each search, and a process killed while
    writing it left a `tmp*.tmp` that nothing cleared (the cache's own temporary files are dropped when stale)."""
    from momentsearch.search.snapshot import STALE_TEMP_SECONDS, drop_stale_temp

    new = _copied(tmp_path / "stick" / "course")
    os.utime(new, (1_700_000_000.0 + 3600,) * 2)  # a copy that dropped the times: its content is read and kept
    record = FileRecord(path="/home/anna/course/week1.mp4", video_id=relocate.content_hash(str(new)), size=700,
                        mtime=1_700_000_000.0, complete=True)
    store = _Records(str(tmp_path / "stick" / "course-db"), [record], "/home/anna/course-db")
    cache = tmp_path / "cache"
    renamed = []  # the temporary files renamed into place
    real = os.replace
    before = os.umask(0o002)
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(relocate.os, "replace", lambda src, dst: renamed.append(str(src)) or real(src, dst))
            assert relocated_files(store, str(cache))[0][0].path == str(new)
    finally:
        os.umask(before)
    assert oct(os.stat(cache / relocate.ACCEPTED_FILE).st_mode & 0o777) == oct(0o664)
    (leftover,) = renamed  # as a writer killed before the rename leaves it, long ago
    open(leftover, "w").close()
    os.utime(leftover, (os.path.getmtime(leftover) - STALE_TEMP_SECONDS - 60,) * 2)
    drop_stale_temp(cache)
    assert not os.path.exists(leftover)
