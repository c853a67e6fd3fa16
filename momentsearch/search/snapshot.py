"""A read-only copy of a small local index, so a one-off `momentsearch search` needs no chromadb.

Importing chromadb and opening its folder costs one to several seconds per process, more than the
whole search on an index of a few hours. After a search has read the index from Chroma once, the
rows and vectors of every collection are written to `<db>/momentsearch-cache/snapshot/` (a JSON
file and one .npy per collection); later processes answer from them with exact numpy cosine search
(search/exact.py), as the server and the Python API search the live index: Chroma's HNSW is not exact (on
5,000 random rows its top 50 missed a third of the true ones), so neither front door asks it at this size.

A snapshot is valid only for the index state it copied. Every writer (`MomentIndex.writing`: index,
prune, remove, index --ray) first marks the index "writing" in `<db>/.momentsearch.generation` and, when it
ends, writes a new "done <token>"; a snapshot is used only while that file still says the token it
was made under. A crashed writer leaves "writing", so nothing is trusted until the next clean write.
Writes made with chromadb directly, outside momentsearch, are not seen: they are not supported.
Indexes larger than SNAPSHOT_MAX_ROWS rows are always searched through Chroma's HNSW, by every front door.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from momentsearch.file_modes import TEMP_PREFIX, as_umask_allows
from momentsearch.search.exact import (COLLECTIONS, EXACT_MAX_ROWS, IndexVectors, VectorTable, normalised, read_pages,
                                       stacked, total_rows)

SNAPSHOT_VERSION = 1
SNAPSHOT_MAX_ROWS = EXACT_MAX_ROWS  # bigger indexes stay on Chroma's HNSW, in every front door (search/exact.py)
GENERATION_FILE = ".momentsearch.generation"
STALE_TEMP_SECONDS = 3600.0  # a temporary folder untouched this long was left by a killed process


# -- the writers' generation mark ------------------------------------------------------------------

def generation(db: str | os.PathLike) -> str:
    """The index's write state: "done <token>" after a clean write, "writing ..." during one, "" if unknown."""
    try:
        return (Path(db) / GENERATION_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def mark_writing(db: str | os.PathLike) -> None:
    _write_generation(db, f"writing {uuid.uuid4().hex}")


def mark_done(db: str | os.PathLike) -> None:
    _write_generation(db, f"done {uuid.uuid4().hex}")


def _write_generation(db: str | os.PathLike, value: str) -> None:
    path = Path(db) / GENERATION_FILE
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    try:
        tmp.write_text(value + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


# -- the read-only store -----------------------------------------------------------------------

class _Collection(VectorTable):
    def __init__(self, meta: dict, ids: list[str], docs: list[str], metas: list[dict], vectors: np.ndarray) -> None:
        super().__init__(ids, vectors)
        self.metadata, self.docs, self.metas = meta, docs, metas

    def count(self) -> int:
        return len(self.ids)

    def get(self, ids: list[str] | None = None, include: list[str] | None = None, limit: int | None = None,
            offset: int = 0) -> dict[str, Any]:
        """chromadb's Collection.get for ids or a page (no `where`): what the search code asks of a collection."""
        include = include or ["metadatas", "documents"]
        if ids is None:
            rows = list(range(offset, min(len(self.ids), offset + (limit or len(self.ids)))))
        else:
            rows = self.rows_of(ids)
        out: dict[str, Any] = {"ids": [self.ids[r] for r in rows]}
        if "metadatas" in include:
            out["metadatas"] = [self.metas[r] for r in rows]
        if "documents" in include:
            out["documents"] = [self.docs[r] for r in rows]
        if "embeddings" in include:
            out["embeddings"] = self.vectors[rows] if self.vectors.shape[1] else None
        return out


class SnapshotStore:
    """The part of store.Store that search and info read, served from a snapshot (no chromadb)."""

    writes = 0  # never written through
    replaced_elsewhere = False  # nor mid-write: a snapshot is used only while the index's last write is done

    def __init__(self, collections: dict[str, _Collection], db_dir: str | os.PathLike | None = None) -> None:
        self._cols = collections
        self.db_dir = db_dir  # the index folder it was read from, as Store's: notes and advice name it

    def generation(self) -> int:
        """A snapshot never changes: one fixed generation (Store.generation is the live store's)."""
        return 0

    def has(self, name: str) -> bool:
        return name in self._cols

    def collection(self, name: str, *args: Any, create: bool = True, **kwargs: Any):
        return self._cols.get(name)

    def metadata_of(self, name: str) -> dict[str, Any]:
        col = self._cols.get(name)
        return dict(col.metadata) if col else {}

    def count(self, name: str) -> int:
        col = self._cols.get(name)
        return col.count() if col else 0

    def index_note(self, key: str) -> str:
        """Store.index_note, as the snapshot copied it ("" when none)."""
        return str(self.metadata_of("files").get(f"note:{key}", ""))

    def files(self):
        from momentsearch.store.store import record_from_metadata

        col = self._cols.get("files")
        return [record_from_metadata(m) for m in col.metas] if col else []

    def iter_all(self, name: str, documents: bool = True):
        col = self._cols.get(name)
        if col is not None:
            yield from zip(col.ids, col.docs if documents else [""] * len(col.ids), col.metas)

    def vectors(self, name: str, ids: list[str]) -> dict[str, np.ndarray]:
        """Store.vectors from the snapshot: id -> stored vector; ids not there are left out."""
        col = self._cols.get(name)
        if col is None or not ids or not col.vectors.shape[1]:
            return {}
        got = col.get(ids=list(ids), include=["embeddings"])
        return dict(zip(got["ids"], got["embeddings"]))

    def table(self, name: str) -> _Collection | None:
        """A collection's rows as search/exact.py searches them (None: no such collection)."""
        return self._cols.get(name)

    def query(self, name: str, embedding: np.ndarray, n: int, metadata: bool = True):
        """Exact cosine nearest neighbours (search/exact.py: every front door's search on a small local index)."""
        return IndexVectors(self).query(name, embedding, n, metadata)


def drop_stale_temp(root: str | Path) -> None:
    """Removes the temporary folders and files (cache.save_small's) under `root` that a search or server killed
    while saving (SIGKILL: no `finally`) left: untouched for STALE_TEMP_SECONDS. One another process writes now is
    younger and stays."""
    now = time.time()
    for entry in Path(root).glob(TEMP_PREFIX + "*"):
        try:
            stale = not entry.is_symlink() and now - entry.stat().st_mtime > STALE_TEMP_SECONDS
            if stale and entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            elif stale and entry.is_file():
                entry.unlink()
        except OSError:
            continue


# -- writing and reading snapshots -------------------------------------------------------------

def _folder(cache_dir: str | os.PathLike) -> Path:
    return Path(cache_dir) / "snapshot"


def load(db: str | os.PathLike, cache_dir: str | os.PathLike) -> SnapshotStore | None:
    """The snapshot of `db` if it matches the index's current generation, else None."""
    folder = _folder(cache_dir)
    current = generation(db)
    if not current.startswith("done "):
        return None
    try:
        state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
        if state.get("version") != SNAPSHOT_VERSION or state.get("generation") != current:
            return None
        cols = {}
        from momentsearch.store.store import SCHEMA_VERSION

        if any(c["metadata"].get("schema_version", SCHEMA_VERSION) != SCHEMA_VERSION
               for c in state["collections"].values()):
            return None  # Chroma's path says what is wrong with it
        for name, c in state["collections"].items():
            vectors = np.load(folder / f"{name}.npy") if c["has_vectors"] else np.zeros((len(c["ids"]), 0), np.float32)
            if len(vectors) != len(c["ids"]):
                return None
            cols[name] = _Collection(c["metadata"], c["ids"], c["docs"], c["metas"], vectors)
        return SnapshotStore(cols, db)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save(db: str | os.PathLike, cache_dir: str | os.PathLike, store) -> SnapshotStore | None:
    """Copy every collection of `store` (a real Store over `db`) into a snapshot; returns it, or None when
    the index is being written, changed while it was read, or is too big to snapshot."""
    before = generation(db)
    if not before.startswith("done "):
        return None
    if total_rows(store) > SNAPSHOT_MAX_ROWS:
        return None
    cols = {name: _read(store, name) for name in COLLECTIONS if store.has(name)}
    if generation(db) != before:  # a writer started meanwhile: what we read may be half old, half new
        return None
    root = Path(cache_dir)
    tmp = None
    try:
        root.mkdir(parents=True, exist_ok=True)
        drop_stale_temp(root)  # what a search killed while saving left
        tmp = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX + "snapshot-", dir=root))
        state = {"version": SNAPSHOT_VERSION, "generation": before, "collections": {}}
        for name, col in cols.items():
            has_vectors = col.vectors.shape[1] > 0
            if has_vectors:
                np.save(tmp / f"{name}.npy", col.vectors)
            state["collections"][name] = {"metadata": col.metadata, "ids": col.ids, "docs": col.docs,
                                          "metas": col.metas, "has_vectors": has_vectors}
        (tmp / "state.json").write_text(json.dumps(state), encoding="utf-8")
        as_umask_allows(tmp)  # not mkdtemp's 0700: the index's other users read it too
        target = _folder(cache_dir)
        shutil.rmtree(target, ignore_errors=True)
        os.replace(tmp, target)
        tmp = None
    except (OSError, ValueError, TypeError):
        return None
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return SnapshotStore(cols, db)


def _read(store, name: str) -> _Collection:
    col = store.collection(name, create=False)
    ids, docs, metas, pages = [], [], [], []
    for got in read_pages(col, ["metadatas", "documents", "embeddings"]):
        ids += list(got["ids"])
        docs += [d or "" for d in (got.get("documents") or [""] * len(got["ids"]))]
        metas += list(got["metadatas"])
        pages.append(got.get("embeddings"))
    matrix = stacked(pages, len(ids))
    if name == "files" or not matrix.shape[1]:
        matrix = np.zeros((len(ids), 0), np.float32)  # file records: metadata only (their vectors are dummies)
    else:
        matrix = normalised(matrix)  # as IndexVectors reads a live store's: the same numbers in every front door
    return _Collection(dict(col.metadata or {}), ids, docs, metas, matrix)
