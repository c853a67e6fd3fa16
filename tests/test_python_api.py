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
