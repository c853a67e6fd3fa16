"""Writers killed part way (SIGKILL, Ctrl-C, `kill`) and run again: the re-run finishes the job and the index ends
as an uninterrupted run leaves it. A kill is played by raising at a chosen write (no timing races)."""

from __future__ import annotations

import numpy as np
import pytest

from momentsearch.api import MomentIndex
from momentsearch.store.client import make_client
from momentsearch.store.store import Store
from momentsearch.types import FileRecord


def _meta(video_id: str, start: float) -> dict:
    return {"video_id": video_id, "video": "v", "start": start, "end": start + 1.0, "kind": "chunk"}


def _two_files(tmp_path):
    """An index of two complete files, each with two transcript entries (made with the store alone: no models)."""
    db = tmp_path / "db"
    store = Store(make_client(str(db)), db_dir=db)
    files = []
    for name, vid in (("keep.mp4", "a" * 16), ("gone.mp4", "b" * 16)):
        path = tmp_path / name
        path.write_bytes(b"x")
        store.put_file(FileRecord(path=str(path), video_id=vid, size=1, mtime=0.0, complete=True))
        store.upsert("transcript", [f"{vid}:chunk:0", f"{vid}:chunk:1"], np.ones((2, 4), np.float32),
                     [_meta(vid, 0.0), _meta(vid, 1.0)], ["one", "two"])
        files.append(path)
    store.close()
    return db, files


def _state(db):
    store = Store(make_client(str(db)))
    try:
        records = sorted((r.path, r.complete) for r in store.files())
        entries = sorted(i for i, _, _ in store.iter_all("transcript", documents=False))
    finally:
        store.close()
    return records, entries


def _killed_at_entries(monkeypatch):
    """The next delete of a content's entries dies (the kill lands between a record's removal and its entries')."""
    real = Store.delete_video

    def dies(self, video_id, *args, **kwargs):
        monkeypatch.setattr(Store, "delete_video", real)
        raise KeyboardInterrupt

    monkeypatch.setattr(Store, "delete_video", dies)


def test_a_remove_killed_between_record_and_entries_finishes_when_run_again(tmp_path, monkeypatch):
    """`remove FILE` killed after the record went but before its entries did: the re-run said the file `names no
    indexed file (nothing was removed)`, exit 2, and its entries stayed in the index for good (until a `prune`)."""
    db, (keep, gone) = _two_files(tmp_path)
    _killed_at_entries(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        MomentIndex(db).remove([str(gone)])
    assert MomentIndex(db).remove([str(gone)]).removed == [str(gone)]  # the same command, run again
    assert _state(db) == ([(str(keep), True)], ["a" * 16 + ":chunk:0", "a" * 16 + ":chunk:1"])


def test_a_prune_killed_between_record_and_entries_finishes_when_run_again(tmp_path, monkeypatch):
    db, (keep, gone) = _two_files(tmp_path)
    gone.unlink()
    _killed_at_entries(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        MomentIndex(db).prune()
    MomentIndex(db).prune()
    assert _state(db) == ([(str(keep), True)], ["a" * 16 + ":chunk:0", "a" * 16 + ":chunk:1"])


def test_a_search_killed_while_saving_its_cache_leaves_nothing_for_good(tmp_path):
    """A search or `serve` SIGKILLed while it wrote the corpus cache or the snapshot left its temporary folder
    (`.tmp-...`, as big as the index's vectors: up to 150 MB) in DB/momentsearch-cache/ until a writer ran; every
    search after it kept such folders. Now the next save drops the ones untouched for an hour (a save running now
    in another process is younger and stays)."""
    import os
    import time

    from momentsearch.ranking.lexical import LexicalIndex
    from momentsearch.search import cache, snapshot

    db, _ = _two_files(tmp_path)
    root = db / cache.CACHE_DIRNAME
    root.mkdir()
    dead = [root / ".tmp-k1ll3d", root / ".tmp-snapshot-k1ll3d"]
    for folder in dead:
        folder.mkdir()
        (folder / "rows.json").write_text("{half a cache")
        old = time.time() - 24 * 3600  # a day ago
        os.utime(folder, (old, old))
    busy = root / ".tmp-snapshot-n0wn0w"  # another process's save, going on now
    busy.mkdir()

    snapshot.mark_done(db)
    store = Store(make_client(str(db)), db_dir=db)
    try:
        assert snapshot.save(db, root, store) is not None
    finally:
        store.close()
    assert cache.save(root, "k" * 20, ["x"], ["alpha beta"], [{"video_id": "a" * 16}], LexicalIndex(["alpha beta"]))
    assert not any(folder.exists() for folder in dead)
    assert busy.exists()
