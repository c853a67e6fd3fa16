"""The Python API as a library user calls it (README "Python API"): one path as a string, a context
manager, a video named by its path."""

from __future__ import annotations

from pathlib import Path


def test_index_takes_one_path_as_a_string_not_its_characters(tmp_path, monkeypatch):
    """`index.index("talks/")` iterated the string: each character became a path, and the "/" among them
    is the root of the file system, which it walked and indexed. One str or Path is one path now."""
    from momentsearch.api import MomentIndex

    monkeypatch.chdir(tmp_path)
    (tmp_path / "talks").mkdir()
    (tmp_path / "talks" / "notes.txt").write_text("not a lecture\n")  # skipped: nothing to decode, no models
    index = MomentIndex(tmp_path / "db")
    for one in ("talks", Path("talks")):
        report = index.index(one)
        assert [(Path(f.path).name, f.status) for f in report.files] == [("notes.txt", "skipped")], report.files


def test_an_index_is_a_context_manager_and_close_lets_go_of_what_it_loaded(tmp_path):
    """`with MomentIndex(db) as index:` was a TypeError (no context manager, no close): a service that opens
    indexes in turn kept each one's models, rows and store client until the object was dropped."""
    from momentsearch.api import MomentIndex

    (tmp_path / "talks").mkdir()
    (tmp_path / "talks" / "notes.txt").write_text("not a lecture\n")
    MomentIndex(tmp_path / "db").index([tmp_path / "talks"])  # an index with no files in it
    with MomentIndex(tmp_path / "db") as index:
        assert index.search("solar panels", k=3) == [] and index.info().files == []
        assert "searcher" in vars(index) and index._store is not None
    assert "searcher" not in vars(index) and "models" not in vars(index) and index._store is None
    assert index.search("solar panels", k=3) == []  # opened again on use
