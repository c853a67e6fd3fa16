"""Writers killed part way (SIGKILL, Ctrl-C, `kill`) and run again: the re-run finishes the job and the index ends
as an uninterrupted run leaves it. A kill is played by raising at a chosen write (no timing races)."""

from __future__ import annotations

import numpy as np
import pytest

from momentsearch.api import MomentIndex
from momentsearch.options import load_config
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


def _killed_while_chroma_sets_up(db, monkeypatch, migrated: bool):
    """A first `index` into `db` SIGKILLed just after Chroma began its database file: its tables made (`migrated`)
    or only part of them, and no collection yet. (The kill is played by stopping the run where it opens Chroma:
    what Chroma has written by then stays, as after SIGKILL.)"""
    import sqlite3

    from momentsearch.store import client, folder

    def dies(path, settings, fresh=False):
        if migrated:
            import chromadb

            from chromadb.api.client import SharedSystemClient

            chromadb.PersistentClient(path=str(path), settings=settings)
            SharedSystemClient.clear_system_cache()  # as the killed process's: gone with it
        else:
            con = sqlite3.connect(path / "chroma.sqlite3")
            con.execute("CREATE TABLE migrations (dir TEXT, version INTEGER)")  # the first of Chroma's tables
            con.commit()
            con.close()
        raise KeyboardInterrupt

    monkeypatch.setattr(client, "open_persistent", dies)
    monkeypatch.setattr(folder, "undone_if_empty", lambda inner, *a: inner)  # SIGKILL runs no clean-up
    with pytest.raises(KeyboardInterrupt):
        MomentIndex(db, load_config(None, {"models": {"ocr": False}})).index([str(_photo(db.parent))])
    monkeypatch.undo()


def _photo(folder):
    from PIL import Image

    path = folder / "board.png"
    Image.new("RGB", (32, 24), (90, 40, 200)).save(path)
    return path


@pytest.mark.parametrize("migrated", [True, False])
def test_a_first_index_killed_while_chroma_set_up_its_database_runs_again(tmp_path, monkeypatch, migrated):
    """The re-run was refused for good: `... holds a Chroma database that is not a momentsearch index (its
    collections: none)` or `... is not a Chroma database momentsearch can read`, so the user had to find and
    delete the folder. Now the re-run makes the index, and a search in between says what happened."""
    from momentsearch.errors import IndexNotFoundError

    db = tmp_path / "db"
    _killed_while_chroma_sets_up(db, monkeypatch, migrated)
    assert (db / "chroma.sqlite3").exists()
    with pytest.raises(IndexNotFoundError, match="stopped before it made the index; run `momentsearch index`"):
        MomentIndex(db).info()
    report = MomentIndex(db, load_config(None, {"models": {"ocr": False}})).index([str(tmp_path / "board.png")])
    assert [f.status for f in report.files] == ["indexed"], report.files
    assert [r.path for r in MomentIndex(db).store.files()] == [str(tmp_path / "board.png")]
    assert sorted(p.name for p in db.iterdir() if p.name.startswith(".momentsearch.new")) == []


def test_another_programs_chroma_database_is_still_refused(tmp_path):
    """The mark a first run leaves is what tells its half-made database apart: without it, nothing is deleted."""
    import chromadb

    from momentsearch.errors import IndexNotFoundError

    db = tmp_path / "theirs"
    chromadb.PersistentClient(path=str(db)).get_or_create_collection("their_things")
    with pytest.raises(IndexNotFoundError, match="not a momentsearch index"):
        MomentIndex(db, load_config(None, {"models": {"ocr": False}})).index([str(_photo(tmp_path))])
    assert (db / "chroma.sqlite3").exists()
