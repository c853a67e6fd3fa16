"""Exact cosine search over a local index's entry vectors, the same in every front door.

`momentsearch search` and `eval` answer from a snapshot of the index (search/snapshot.py); the server and the
Python API (`MomentIndex.search`) read the live store. Both score a query against every entry vector of a
collection, from one table per collection made the same way (rows L2-normalised in float32, dot products by
ranking/dots.row_dots, equal cosines by entry id), so a query gets the same moments and scores from the CLI,
the Python API and /api/search. Chroma's HNSW is approximate, and not only on big indexes: on 5,000 random
384-d rows its top 50 missed a third of the true top 50 (it searches with ef 10 unless told otherwise).

A live store's tables are read whole once; after a commit (another process indexing a file) only the rows of
the files the commit changed are read again (store/changes.py logs them), the whole collection when the log
cannot say. Rows are kept in entry id order, however the store returns them, so a table refreshed so is the
table a whole read gives, row for row.

Above EXACT_MAX_ROWS rows, or on a Chroma server (whose vectors each one-off search would download), every
front door asks Chroma's HNSW instead, so they still agree with each other.
"""

from __future__ import annotations

import threading

import numpy as np

from momentsearch.ranking.dots import row_dots
from momentsearch.store.changes import ANY, ChangeMark, changed_since, files_of_ids, mark_of
from momentsearch.store.ids import entry_fields
from momentsearch.store.store import GENERATION_KEY, Hit

EXACT_MAX_ROWS = 100_000  # rows of all collections together: about 150 MB of vectors at most, held by a reader
COLLECTIONS = ("files", "transcript", "keyframes", "unified", "ocr")
_PAGE = 5000  # rows read from Chroma per get


class VectorTable:
    """One collection's entry ids and vectors: L2-normalised float32 rows (width 0: the collection has none)."""

    def __init__(self, ids: list[str], vectors: np.ndarray) -> None:
        self.ids, self.vectors = ids, vectors
        self._rows: dict[str, int] | None = None  # id -> row, built on the first lookup

    def rows_of(self, ids: list[str]) -> list[int]:
        """The rows of `ids`, in their order; ids not in the table are left out."""
        if self._rows is None:
            self._rows = {id_: i for i, id_ in enumerate(self.ids)}
        return [self._rows[i] for i in ids if i in self._rows]

    def top(self, embedding: np.ndarray, n: int) -> list[tuple[int, float]]:
        """(row, cosine) of the n entries nearest `embedding`, best first; equal cosines by entry id."""
        if not self.ids or not self.vectors.shape[1]:
            return []
        q = np.asarray(embedding, dtype=np.float32)
        q = q / max(float(np.linalg.norm(q)), 1e-12)
        sims = row_dots(self.vectors, q)
        n = min(max(1, n), len(sims))
        cut = sims[np.argpartition(-sims, n - 1)[n - 1]]  # the n-th best: every row tied with it competes
        top = np.flatnonzero(sims >= cut)
        # equal cosines (one slide in every lecture) go by entry id, not by row: rows follow the order the files
        # were indexed in, so the same folder indexed in another order kept other entries of a tie
        top = top[np.lexsort((np.asarray([self.ids[i] for i in top.tolist()], dtype=str), -sims[top]))][:n]
        return [(i, float(sims[i])) for i in top.tolist()]


class LiveTable(VectorTable):
    """A live store's table in entry id order, so each file's rows lie together, with what a refresh needs: the
    change mark it was read at and each row's file (None: some id names no file: a refresh reads it whole)."""

    def __init__(self, ids: list[str], vectors: np.ndarray, mark: ChangeMark | None,
                 files: np.ndarray | None) -> None:
        super().__init__(ids, vectors)
        self.mark, self.files = mark, files

    @classmethod
    def whole(cls, ids: list[str], vectors: np.ndarray, mark: ChangeMark | None) -> "LiveTable":
        """The table of a collection's rows as the store gave them (any order)."""
        order = np.argsort(np.asarray(ids, dtype=str), kind="stable") if ids else np.zeros(0, dtype=np.intp)
        ids = [ids[i] for i in order.tolist()]
        files = None if ANY in files_of_ids(ids) else np.asarray([i.partition(":")[0] for i in ids], dtype=str)
        return cls(ids, vectors[order], mark, files)

    def refreshed(self, col, changed: set[str], mark: ChangeMark) -> "LiveTable | None":
        """This table with the rows of the files `changed` read again from `col` (None: read it whole instead)."""
        if self.files is None:
            return None
        if not changed:
            self.mark = mark
            return self
        new_ids, pages = [], []
        for got in read_pages(col, ["embeddings"], where={"video_id": {"$in": sorted(changed)}}):
            new_ids += list(got["ids"])
            pages.append(got.get("embeddings"))
        new = LiveTable.whole(new_ids, stacked(pages, len(new_ids)), mark)
        width = new.vectors.shape[1] if new.ids else self.vectors.shape[1]
        if new.files is None or not set(new.files.tolist()) <= changed or (new.ids and not width) or (
                self.ids and self.vectors.shape[1] != width):
            return None  # rows filed under another file than their ids say; without vectors; of another width
        fresh = normalised(new.vectors) if new.ids else np.zeros((0, width), np.float32)
        old = self.vectors if self.ids else np.zeros((0, width), np.float32)
        ids, vectors, files, at = [], [], [], 0
        for f in sorted(changed):  # each file's rows lie together: the old ones out, the new ones in their place
            lo, hi = (int(np.searchsorted(self.files, f, side)) for side in ("left", "right"))
            first, last = (int(np.searchsorted(new.files, f, side)) for side in ("left", "right"))
            ids += self.ids[at:lo] + new.ids[first:last]
            vectors += [old[at:lo], fresh[first:last]]
            files += [self.files[at:lo], new.files[first:last]]
            at = hi
        ids += self.ids[at:]
        vectors.append(old[at:])
        files.append(self.files[at:])
        return LiveTable(ids, np.concatenate(vectors), mark, np.concatenate(files))


def normalised(matrix: np.ndarray) -> np.ndarray:
    """`matrix`'s rows scaled to length 1, in place (float32: the one way every table is made)."""
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    return matrix


def read_pages(col, include: list[str], where: dict | None = None):
    """Every row of a Chroma collection (`where`: that match it), a page at a time (chromadb's `get` answers; its
    float64 embeddings as float32 at once, so that a reader holds no more than one page of them twice)."""
    offset = 0
    while True:
        got = col.get(include=include, limit=_PAGE, offset=offset, **({"where": where} if where else {}))
        if not got["ids"]:
            return
        emb = got.get("embeddings")
        got["embeddings"] = np.asarray(emb, dtype=np.float32) if emb is not None and len(emb) else None
        yield got
        offset += len(got["ids"])


def stacked(pages: list, n: int) -> np.ndarray:
    """The embeddings of `pages` as one new float32 matrix of `n` rows (width 0 when some lack them)."""
    parts = [e for e in pages if e is not None]
    if not n or not parts or sum(len(e) for e in parts) != n:
        return np.zeros((n, 0), np.float32)
    return np.concatenate(parts)


def total_rows(store) -> int:
    return sum(store.count(name) for name in COLLECTIONS)


class IndexVectors:
    """The entry vectors a Searcher scores. Exact (VectorTable per collection) on a snapshot, and on a local store
    of EXACT_MAX_ROWS rows at most, whose tables are read on first use and brought up to date after `clear` (a new
    index state: the rows of the files changed since, or the whole collection); Chroma's query and get otherwise."""

    def __init__(self, store) -> None:
        self.store = store
        self._exact: bool | None = None
        self._tables: dict[str, LiveTable | None] = {}
        self._current: set[str] = set()  # the collections whose tables are of the index state now
        self._lock = threading.Lock()

    def clear(self) -> None:
        """The index changed: each table is brought up to date on its next use."""
        with self._lock:
            self._exact, self._current = None, set()

    @property
    def exact(self) -> bool:
        if self._exact is None:
            own = getattr(self.store, "table", None)  # a snapshot's tables are its own
            local = getattr(self.store, "db_dir", None) is not None  # (none: a Chroma server)
            self._exact = own is not None or (local and total_rows(self.store) <= EXACT_MAX_ROWS)
            if not self._exact:
                self._tables = {}
        return self._exact

    def table(self, name: str) -> VectorTable | None:
        """The collection's table when searched exactly (None: not exactly, or no such collection)."""
        if not self.exact:
            return None
        own = getattr(self.store, "table", None)
        if own is not None:
            return own(name)
        with self._lock:
            if name not in self._current:
                self._tables[name] = self._read(name, self._tables.pop(name, None))
                self._current.add(name)
            return self._tables[name]

    def _read(self, name: str, kept: LiveTable | None) -> LiveTable | None:
        """The collection's table now: `kept` (the one of an earlier state) with the changed files' rows read again
        where the store's change log says which, else read whole."""
        meta = self.store.metadata_of("files")  # before the rows: what is written after shows in the next log
        generation = int(meta.get(GENERATION_KEY, 0))
        col = self.store.collection(name, create=False) if self.store.has(name) else None
        if col is None:
            return None
        mark = mark_of(meta, generation)
        if kept is not None and kept.mark is not None:
            changed = changed_since(meta, generation, kept.mark)
            table = kept.refreshed(col, changed, mark) if changed is not None else None
            if table is not None:
                return table
        del kept  # not held beside the whole new table
        ids, pages = [], []
        for got in read_pages(col, ["embeddings"]):
            ids += list(got["ids"])
            pages.append(got.get("embeddings"))
        matrix = stacked(pages, len(ids))
        del pages
        return LiveTable.whole(ids, normalised(matrix) if matrix.shape[1] else matrix, mark)

    def query(self, name: str, embedding: np.ndarray, n: int, metadata: bool = True) -> list[Hit]:
        """Store.query's hits: the n nearest entries, exactly where the index is searched exactly."""
        if not self.exact:
            return self.store.query(name, embedding, n, metadata=metadata)
        table = self.table(name)
        top = table.top(embedding, n) if table is not None else []
        ids = [table.ids[i] for i, _ in top]
        fields = [None if metadata else entry_fields(i) for i in ids]
        wanted = [i for i, f in zip(ids, fields) if f is None]
        details = self._details(name, wanted, metadata) if wanted else {}
        hits = []
        for (_, sim), id_, meta in zip(top, ids, fields):
            if meta is None and id_ not in details:
                continue  # a row another process deleted since the table was read
            meta, doc = (meta, "") if meta is not None else details[id_]
            hits.append(Hit(id=id_, similarity=sim, metadata=meta, document=doc if metadata else ""))
        return hits

    def _details(self, name: str, ids: list[str], documents: bool) -> dict[str, tuple[dict, str]]:
        include = ["metadatas", "documents"] if documents else ["metadatas"]
        got = self.store.collection(name, create=False).get(ids=ids, include=include)
        docs = got.get("documents") or [""] * len(got["ids"])
        return {i: (m or {}, d or "") for i, m, d in zip(got["ids"], got["metadatas"], docs)}

    def rows(self, name: str, ids: list[str]) -> tuple[list[str], np.ndarray]:
        """(the ids found, their vectors as float32 rows) of entries `ids` of a collection."""
        table = self.table(name)
        if table is not None:
            rows = table.rows_of(ids)
            if table.vectors.shape[1]:
                return [table.ids[r] for r in rows], table.vectors[rows]
            return [], np.zeros((0, 1), dtype=np.float32)
        col = self.store.collection(name, create=False) if ids and not self.exact else None
        if col is None:
            return [], np.zeros((0, 1), dtype=np.float32)
        res = col.get(ids=list(ids), include=["embeddings"])
        found, emb = list(res["ids"]), res.get("embeddings")
        return found, np.asarray(emb if emb is not None and len(found) else np.zeros((0, 1)), dtype=np.float32)

    def vectors(self, name: str, ids: list[str]) -> dict[str, np.ndarray]:
        """Store.vectors: id -> stored vector (normalised where searched exactly); ids not there are left out."""
        if not self.exact:
            return self.store.vectors(name, ids)
        found, matrix = self.rows(name, ids) if ids else ([], None)
        return dict(zip(found, matrix)) if found else {}
