"""A folder that changes between runs of `momentsearch index`: files renamed, copied, deleted, touched."""

from __future__ import annotations

import pytest


def _store_with_copies(tmp_path, order: list[str]):
    """A store holding one content under the names in `order` (records written in that order)."""
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store
    from momentsearch.types import FileRecord

    store = Store(make_client(str(tmp_path / "db")))
    for name in order:
        store.put_file(FileRecord(path=str(tmp_path / name), video_id="aaaa", size=1, mtime=0.0, complete=True))
    return store


@pytest.mark.parametrize("order", [["new.mp4", "old.mp4"], ["old.mp4", "new.mp4"]])
def test_results_name_the_copy_that_is_on_disk(tmp_path, order):
    """A file renamed (or one of two copies deleted) keeps a record under its old name until `prune`;
    results, /api/videos and clips must name the file that is there, whichever record came last."""
    from momentsearch.search.corpus import load_corpus

    (tmp_path / "new.mp4").write_bytes(b"x")  # old.mp4 was renamed to new.mp4
    corpus = load_corpus(_store_with_copies(tmp_path, order), (0,), None)
    assert corpus.files["aaaa"].path == str(tmp_path / "new.mp4")
    assert sorted(corpus.copies["aaaa"]) == [str(tmp_path / "new.mp4"), str(tmp_path / "old.mp4")]
