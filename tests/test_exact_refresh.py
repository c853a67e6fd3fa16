"""A reader that searches a local index exactly (search/exact.py: `serve`, a notebook's MomentIndex) brings its
vector tables up to date after another writer's commit by reading only the rows of the files that commit changed
(store/changes.py logs them), and the table it gets is the one a whole read gives: ids, rows, order and scores.

Before, every commit (`index` makes three per file) had the first search after it read every vector of the
collection from Chroma again: about 2 s at 40,000 rows (scripts/bench_exact_refresh.py).
"""

from __future__ import annotations

import numpy as np
import pytest

from momentsearch.store.ids import entry_id

DIM = 24


def _rows(video_id: str, n: int, seed: int, step: float = 10.0):
    rng = np.random.default_rng(seed)
    starts = [step * i for i in range(n)]
    ids = [entry_id(video_id, "chunk", s, s + step - 1) for s in starts]
    metas = [{"video_id": video_id, "start": s, "end": s + step - 1, "kind": "chunk"} for s in starts]
    return ids, rng.standard_normal((n, DIM)).astype(np.float32), metas


def _write(store, video_id: str, n: int, seed: int, step: float = 10.0) -> None:
    """A file's entries as the indexer replaces them: old ones out, new ones in, a commit."""
    store.delete_video(video_id)
    ids, vectors, metas = _rows(video_id, n, seed, step)
    store.upsert("transcript", ids, vectors, metas, ["words"] * n)
    store.commit()


def _store(db, create=False):
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    return Store(make_client(str(db), create=create), db_dir=str(db))


@pytest.fixture()
def stores(tmp_path, monkeypatch):
    """(writer, reader) of one index folder holding four files, written in no order of their ids."""
    from momentsearch.search import exact

    db = tmp_path / "db"
    writer = _store(db, create=True)
    writer.collection("transcript", model_id="test", dim=DIM)
    for i, video_id in enumerate(["c0ffee0000000003", "0000000000000001", "ffff000000000004", "abcd000000000002"]):
        _write(writer, video_id, 20 + i, seed=i)
    reads = []  # the `where` of every read of a table's rows: None reads a whole collection
    real = exact.read_pages
    monkeypatch.setattr(exact, "read_pages", lambda col, include, where=None: reads.append(where) or
                        real(col, include, where))
    return writer, _store(db), reads


def _same_as_whole_read(reader_vectors, store) -> None:
    from momentsearch.search.exact import IndexVectors

    kept = reader_vectors.table("transcript")
    whole = IndexVectors(store).table("transcript")
    assert kept.ids == whole.ids == sorted(whole.ids)
    assert kept.vectors.dtype == whole.vectors.dtype == np.float32
    assert np.array_equal(kept.vectors, whole.vectors)  # bit for bit
    for seed in range(3):
        query = np.random.default_rng(100 + seed).standard_normal(DIM).astype(np.float32)
        assert kept.top(query, 15) == whole.top(query, 15)


def test_a_readers_table_after_a_file_added_removed_or_replaced_is_the_whole_reads(stores):
    from momentsearch.search.exact import IndexVectors

    writer, reader, reads = stores
    vectors = IndexVectors(reader)
    reader.generation()
    vectors.table("transcript")
    assert reads == [None]
    changes = [lambda: _write(writer, "8000000000000005", 17, seed=9),  # a new file, in the middle of the ids
               lambda: (writer.delete_video("0000000000000001"), writer.commit()),  # a file removed (prune)
               lambda: _write(writer, "c0ffee0000000003", 12, seed=11, step=7.5),  # re-indexed: other rows, times
               lambda: (_write(writer, "0000000000000006", 5, seed=12),  # two commits the reader did not see
                        _write(writer, "ffff000000000004", 30, seed=13))]
    for change in changes:
        change()
        reads.clear()
        reader.generation()  # what a searcher reads before a search: a new index state
        vectors.clear()
        _same_as_whole_read(vectors, reader)
        assert reads[0] is not None and reads[1:] == [None], "only the changed files' rows are read again"


def test_a_reader_reads_the_whole_collection_when_the_log_cannot_say(stores, monkeypatch):
    from momentsearch.search.exact import IndexVectors
    from momentsearch.store import changes

    writer, reader, reads = stores
    monkeypatch.setattr(changes, "LOG_COMMITS", 3)
    vectors = IndexVectors(reader)
    reader.generation()
    vectors.table("transcript")
    for i in range(4):  # the reader's state leaves the log
        _write(writer, f"{i + 7:016x}", 4, seed=20 + i)
    reads.clear()
    reader.generation()
    vectors.clear()
    _same_as_whole_read(vectors, reader)
    assert reads == [None, None]


def test_files_a_killed_writer_was_changing_are_read_again_after_the_next_writers_commit(stores):
    """A writer names a file's entries as pending before it writes them; one killed before its commit leaves them
    named, and the next commit takes them over: a reader that read the half-written rows reads them again."""
    from momentsearch.search.exact import IndexVectors

    writer, reader, reads = stores
    vectors = IndexVectors(reader)
    ids, vecs, metas = _rows("dead000000000009", 8, seed=30)
    writer.upsert("transcript", ids[:4], vecs[:4], metas[:4], ["words"] * 4)  # killed after half of its rows
    reader.generation()
    vectors.table("transcript")  # read meanwhile: four of them
    killed = writer
    writer = _store(reader.db_dir)
    killed.collection("transcript").upsert(ids=ids[4:], embeddings=vecs[4:], metadatas=metas[4:])  # its last write
    _write(writer, "0000000000000001", 3, seed=31)  # the next run's first file: the only one its own commit names
    reads.clear()
    reader.generation()
    vectors.clear()
    _same_as_whole_read(vectors, reader)
    assert reads[0] is not None and sorted(reads[0]["video_id"]["$in"]) == ["0000000000000001", "dead000000000009"]


def test_the_change_log_stays_short_whatever_the_commits_change():
    """Readers read the log with the generation about every second: it keeps the last commits within bounds."""
    import json

    from momentsearch.store import changes

    meta: dict = {}
    for g in range(1, 400):
        many = {f"{g:08x}{i:08x}" for i in range(changes.LOG_MAX_FILES if g % 2 else 3)}
        changes.committed(meta, g, many)
    log = json.loads(meta[changes.CHANGES_KEY])
    assert len(meta[changes.CHANGES_KEY]) <= changes.LOG_MAX_CHARS and log[-1][0] == 399
    last = {f"{399:08x}{i:08x}" for i in range(changes.LOG_MAX_FILES)}
    assert changes.changed_since(meta, 399, changes.ChangeMark(398, frozenset())) == last
    assert changes.changed_since(meta, 399, changes.ChangeMark(1, frozenset())) is None  # left the log
    changes.committed(meta, 400, {f"{i:016x}" for i in range(changes.LOG_MAX_FILES + 1)})
    assert changes.changed_since(meta, 400, changes.ChangeMark(399, frozenset())) is None  # too many to list
