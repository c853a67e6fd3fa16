"""The store: Chroma collections behind a small interface.

Collections (names are `{prefix}_{name}`):
- `transcript`: transcript chunks, MiniLM vectors, time-aligned (video_id, start, end, text).
- `keyframes`:  one CLIP vector per visual segment, time-aligned.
- `unified`:    one CLIP space for keyframes, photos and transcript chunks (CLIP text vectors), so a
                plain-chromadb `collection.query(query_texts=[...])` works with the open_clip function
                (persisted with the collection; this package never lets chromadb load it: `own_vectors_only`).
- `files`:      one record per indexed file: path, content hash, size, mtime, duration, channels,
                visual segment boundaries, models. (Chroma needs a vector; it is a constant.)

Every collection's metadata holds the schema version and the embedding model id; opening it with
another model or schema raises IndexMismatchError instead of mixing vectors.
"""

from __future__ import annotations

import os
import shlex
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np

from momentsearch.errors import DiskFullError, IndexMismatchError, MomentSearchError
from momentsearch.model_ids import model_ids_match
from momentsearch.store.changes import announced, committed, files_of_ids
from momentsearch.store.folder import check_free_space, disk_full, is_disk_full, made
from momentsearch.store.ids import entry_fields, path_key, utf8_metadata
from momentsearch.store.records import record_from_metadata, record_metadata  # noqa: F401 (imported from here too)
from momentsearch.store.own_vectors import own_vectors_only
from momentsearch.store.reopen import follow_folder, fresh_files, reopen
from momentsearch.store.replacing import being_replaced, mark, replacing
from momentsearch.types import FileRecord

SCHEMA_VERSION = 1
GENERATION_KEY = "generation"  # in the files collection's metadata: a new random number on every commit
_GET_PAGE = 5000  # rows per collection.get call when reading a whole collection
ENTRY_COLLECTIONS = ("transcript", "keyframes", "unified", "ocr")  # time-aligned entries of files
COLLECTIONS = ENTRY_COLLECTIONS + ("files",)  # every collection an index holds


@dataclass
class Hit:
    """One nearest-neighbour result from a collection. `similarity` is cosine similarity (1 - distance)."""

    id: str
    similarity: float
    metadata: dict[str, Any]
    document: str


class Store:
    """The index. Construct with a chromadb client (embedded or HTTP) and the model ids in use.

    `db_dir` (a local index folder) turns on the free-space check before each write. Errors that
    say the disk is full become DiskFullError (the written part stays readable; a re-run resumes).
    """

    def __init__(self, client, prefix: str = "ms", db_dir: str | os.PathLike | None = None) -> None:
        self.client = client
        self.prefix = prefix
        self.db_dir = db_dir
        self._collections: dict[str, Any] = {}
        self.writes = 0  # bumped by every write through this Store: readers' caches compare it
        self._generation: int | None = None  # the generation last read or committed here (None: not yet)
        self.replacing_now = self.replaced_elsewhere = False  # this writer / another is replacing a file's entries
        self._changing: set[str] = set()  # files whose entries this Store changed since its commit (store/changes.py)

    # -- collections ---------------------------------------------------------------------------
    def _name(self, name: str) -> str:
        return f"{self.prefix}_{name}"

    def collection(self, name: str, model_id: str | None = None, dim: int | None = None,
                   embedding_function=None, create: bool = True, extra: dict[str, Any] | None = None):
        """Get (or create) a collection, checking its schema version and model id.

        `extra` is more metadata written when the collection is created (how to rebuild the model).
        """
        if name in self._collections:
            col = self._collections[name]
        else:
            full = self._name(name)
            existing = self._existing().get(full)
            if existing is None and not create:
                return None
            meta = {"schema_version": SCHEMA_VERSION, "model": model_id or "none", "dim": dim or 1,
                    "hnsw:space": "cosine", **(extra or {})}
            kwargs = {"embedding_function": embedding_function}
            if existing is None:
                col = self.client.get_or_create_collection(full, metadata=meta, **kwargs)
                if name == "files" and self.db_dir is not None:
                    made(self.db_dir)  # the folder holds a momentsearch index now (store/folder.py's NEW_MARK)
            else:
                col = self.client.get_collection(full, **kwargs)
            own_vectors_only(col)  # the function stays persisted (plain chromadb can query by text), unloaded here
            self._check(col, model_id, dim)
            self._collections[name] = col
        return col

    def _existing(self) -> dict[str, Any]:
        return {c.name if hasattr(c, "name") else str(c): c for c in self.client.list_collections()}

    def collection_names(self) -> set[str]:
        """The names (without prefix) of this index's collections that exist."""
        prefix = f"{self.prefix}_"
        return {full[len(prefix):] for full in self._existing() if full.startswith(prefix)}

    def has(self, name: str) -> bool:
        return self._name(name) in self._existing()

    def check_models(self, wanted: dict[str, str]) -> None:
        """Refuses (IndexMismatchError) an index whose existing collections were written by another
        schema or built with other models than `wanted` (collection name -> model id), from the stored
        metadata alone: a run that may not write here says so before any weights load."""
        existing = self._existing()
        for name, model_id in wanted.items():
            if (col := existing.get(self._name(name))) is not None:
                self._check(col, model_id, None)

    def _check(self, col, model_id: str | None, dim: int | None) -> None:
        meta = col.metadata or {}
        version = meta.get("schema_version")
        if version != SCHEMA_VERSION:
            raise IndexMismatchError(
                f"index collection {col.name!r} has schema version {version}, this momentsearch writes "
                f"{SCHEMA_VERSION}; re-index into {new_index(self.db_dir)} (or delete the old one) to upgrade"
            )
        if model_id is not None and meta.get("model") != "none" and not model_ids_match(meta.get("model"), model_id):
            raise IndexMismatchError(
                f"index collection {col.name!r} was built with model {meta.get('model')!r} but "
                f"{model_id!r} was asked for; use the same model{_made_with(meta)}, or re-index into "
                f"{new_index(self.db_dir)}"
            )
        if dim is not None and meta.get("dim") not in (dim, 1) and meta.get("model") != "none":
            raise IndexMismatchError(
                f"index collection {col.name!r} holds {meta.get('dim')}-d vectors, the model gives {dim}-d"
            )

    def metadata_of(self, name: str) -> dict[str, Any]:
        """A collection's metadata (schema version, model id and how to rebuild it); {} if absent."""
        col = self._existing().get(self._name(name))
        return dict(col.metadata or {}) if col is not None else {}

    # -- notes a run leaves for the next (in the files collection's metadata) ----------------
    def index_note(self, key: str) -> str:
        """A note an earlier run left under `key` ("" when none)."""
        return str(self.metadata_of("files").get(f"note:{key}", ""))

    def set_index_note(self, key: str, value: str) -> None:
        """Leaves `value` under `key` for later runs (kept by every commit, which rewrites the metadata)."""
        if self.index_note(key) == value:
            return
        with self._writing():
            col = self.collection("files", model_id="none", dim=1)
            fresh = self.client.get_collection(self._name("files"), embedding_function=None).metadata or {}
            col.modify(metadata={**{k: v for k, v in fresh.items() if not k.startswith("hnsw:")}, f"note:{key}": value})

    # -- generation: what readers' caches compare ----------------------------------------------
    def generation(self) -> int:
        """The number each commit draws anew (kept in the files collection's metadata, read fresh, so another
        process's re-index shows even when no count changes). Compare it for equality only: it never counts."""
        col = fresh_files(self, self._name("files"))  # the folder or the server's index built again while open
        now = int((col.metadata or {}).get(GENERATION_KEY, 0)) if col is not None else 0
        self.replaced_elsewhere = col is not None and being_replaced(col.metadata, self.db_dir)  # (store/replacing.py)
        if self._generation is not None and now != self._generation:
            reopen(self)  # another process's commit: chromadb's kept vector indexes do not show its writes
        self._generation = now
        return now

    def commit(self) -> None:
        """A new generation, random (two unlocked writers on one server both wrote N + 1): readers drop caches."""
        self.writes += 1
        with self._writing():
            col = self.collection("files", model_id="none", dim=1)
            fresh = self.client.get_collection(self._name("files"), embedding_function=None).metadata or {}
            meta = {k: v for k, v in fresh.items() if not k.startswith("hnsw:")}  # fixed at creation
            meta[GENERATION_KEY] = int.from_bytes(os.urandom(8), "big") >> 2 | 1  # < 2**62 (int64), never 0
            mark(meta, self.replacing_now)
            committed(meta, meta[GENERATION_KEY], self._changing)
            col.modify(metadata=meta)
            self._changing = set()
            self._generation = meta[GENERATION_KEY]  # our own: this client's vectors hold its writes

    def _changes(self, files: set[str]) -> None:
        """Before a write to these files' entries: named in the index as pending, for readers that keep its vectors
        (store/changes.py), unless named since the last commit."""
        if files <= self._changing:
            return
        with self._writing():
            col = self.collection("files", model_id="none", dim=1)
            fresh = self.client.get_collection(self._name("files"), embedding_function=None).metadata or {}
            meta = announced({k: v for k, v in fresh.items() if not k.startswith("hnsw:")}, files)
            if meta is not None:
                col.modify(metadata=meta)
        self._changing |= files

    @contextmanager
    def _writing(self):
        """Around every write: room left on the disk first, and a full disk named as such."""
        if self.db_dir is not None:
            check_free_space(self.db_dir)
        try:
            yield
        except Exception as exc:
            if is_disk_full(exc):
                raise disk_full(self.db_dir or "the Chroma server", str(exc)) from exc
            raise

    def disk_full_error(self, exc: BaseException):
        """`exc` as a DiskFullError naming this index when it says the disk is full, else None."""
        if isinstance(exc, DiskFullError):
            return exc
        return disk_full(self.db_dir or "the Chroma server", str(exc)) if is_disk_full(exc) else None

    # -- writes --------------------------------------------------------------------------------
    def replacing(self):
        """Around a file's old entries out and new ones in: readers keep their view meanwhile (store/replacing.py)."""
        return replacing(self)

    def upsert(self, name: str, ids: list[str], embeddings: np.ndarray | None,
               metadatas: list[dict[str, Any]], documents: list[str] | None = None,
               batch: int = 2000) -> None:
        if not ids:
            return
        self.writes += 1
        col = self.collection(name)
        if len(set(ids)) != len(ids):
            raise MomentSearchError(f"duplicate ids in one write to {name}")
        if name in ENTRY_COLLECTIONS:
            self._changes(files_of_ids(ids))
        metadatas = [utf8_metadata(m) for m in metadatas]
        for i in range(0, len(ids), batch):
            sl = slice(i, i + batch)
            with self._writing():
                col.upsert(
                    ids=ids[sl],
                    embeddings=None if embeddings is None else np.asarray(embeddings[sl], dtype=np.float32),
                    metadatas=metadatas[sl],
                    documents=None if documents is None else documents[sl],
                )

    def delete_video(self, video_id: str, names: Iterable[str] = ENTRY_COLLECTIONS) -> None:
        self.writes += 1
        if set(names) & set(ENTRY_COLLECTIONS):
            self._changes({video_id})
        for name in names:
            col = self._existing().get(self._name(name))
            if col is None:
                continue
            with self._writing():
                self.collection(name).delete(where={"video_id": video_id})

    def delete_entries(self, name: str, ids: list[str]) -> None:
        if ids:
            if name in ENTRY_COLLECTIONS:
                self._changes(files_of_ids(ids))
            with self._writing():
                self.collection(name).delete(ids=ids)
            self.commit()

    def copies_of(self, video_id: str, path: str) -> list[FileRecord]:
        """The file records of content `video_id` at paths other than `path` (copies, renamed files)."""
        if not self.has("files"):
            return []
        got = self.collection("files").get(where={"video_id": video_id}, include=["metadatas"])
        return [rec for rec in map(record_from_metadata, got["metadatas"]) if rec.path != path]

    def drop_unshared(self, video_id: str, leaving_path: str) -> bool:
        """Delete a content's entries unless another file record (a copy, a renamed file) still has it."""
        if self.copies_of(video_id, leaving_path):
            return False
        self.delete_video(video_id)
        return True

    def put_file(self, record: FileRecord, key: str | None = None) -> None:
        """Write a file's record (its path must be absolute; `key`: the key it is stored under, when not its
        path's) and commit."""
        if not os.path.isabs(record.path):
            raise MomentSearchError(f"a file record needs an absolute path, got {record.path!r}")
        self.writes += 1
        with self._writing():
            self.collection("files", model_id="none", dim=1).upsert(
                ids=[key or path_key(record.path)], embeddings=[[1.0]], metadatas=[record_metadata(record)]
            )
        self.commit()

    def get_file(self, path: str) -> FileRecord | None:
        if not self.has("files"):
            return None
        got = self.collection("files").get(ids=[path_key(path)], include=["metadatas"])
        return record_from_metadata(got["metadatas"][0]) if got["ids"] else None

    def delete_file(self, path: str, key: str | None = None) -> None:
        """Remove a file's record (by its path, or by the record `key` it is stored under) and commit."""
        self.writes += 1
        if self.has("files"):
            with self._writing():
                self.collection("files").delete(ids=[key or path_key(path)])
            self.commit()

    def close(self) -> None:
        """Let go of the client (chromadb's Client.close: the last one open on a folder stops its system and
        releases the database files); the Store is not used after."""
        close = getattr(self.client, "close", None)
        if close is not None:
            close()

    def files(self) -> list[FileRecord]:
        follow_folder(self)
        return [rec for _, rec in self.file_records()]

    def file_records(self) -> list[tuple[str, FileRecord]]:
        """(key, record) of every file: the key is what the record is stored under."""
        if not self.has("files"):
            return []
        return [(key, record_from_metadata(m)) for key, _, m in self.iter_all("files", documents=False)]

    # -- reads ---------------------------------------------------------------------------------
    def count(self, name: str) -> int:
        return self.collection(name).count() if self.has(name) else 0

    def iter_all(self, name: str, documents: bool = True, start: int = 0):
        """Lazily yields (id, document, metadata) for every row of a collection, a page at a time, in the store's
        order (the order rows were first written: one updated in place keeps its place). `start`: rows skipped."""
        if not self.has(name):
            return
        col = self.collection(name)
        include = ["metadatas", "documents"] if documents else ["metadatas"]
        offset = start
        while True:
            got = col.get(include=include, limit=_GET_PAGE, offset=offset)
            if not got["ids"]:
                return
            docs = got.get("documents") or [""] * len(got["ids"])
            yield from zip(got["ids"], docs, got["metadatas"])
            offset += len(got["ids"])

    def vectors(self, name: str, ids: list[str]) -> dict[str, np.ndarray]:
        """The stored vectors of the entries `ids` of a collection (id -> vector; ids not there are left out)."""
        if not ids or not self.has(name):
            return {}
        got = self.collection(name).get(ids=list(ids), include=["embeddings"])
        embeddings = got.get("embeddings")
        if embeddings is None:
            return {}
        return {i: np.asarray(e, dtype=np.float32) for i, e in zip(got["ids"], embeddings)}

    def query(self, name: str, embedding: np.ndarray, n: int, metadata: bool = True) -> list[Hit]:
        """Nearest neighbours of one vector, no metadata filter (filters are slow in Chroma).

        `metadata=False` is the fast path (3-4x quicker at 100k rows): Chroma returns ids and distances
        only; each hit's metadata is then what its id encodes (`entry_fields`: video_id, kind, start, end)
        and its document is "". Ids that are not entry ids get their metadata fetched.
        """
        # hot path: a cached handle and no count() (Chroma returns what it has when n exceeds the count;
        # each list_collections/count round trip costs milliseconds at 100k+ rows)
        col = self._collections.get(name)
        if col is None:
            if not self.has(name):
                return []
            col = self.collection(name)
        if not metadata:
            got = col.query(query_embeddings=[np.asarray(embedding, dtype=np.float32)],
                            n_results=max(1, n), include=["distances"])
            ids, dists = got["ids"][0], got["distances"][0]
            metas = [entry_fields(i) for i in ids]
            missing = [i for i, m in zip(ids, metas) if m is None]
            if missing:
                extra = col.get(ids=missing, include=["metadatas"])
                found = dict(zip(extra["ids"], extra["metadatas"]))
                metas = [m if m is not None else found.get(i) or {} for i, m in zip(ids, metas)]
            return [Hit(id=i, similarity=1.0 - float(d), metadata=m, document="")
                    for i, d, m in zip(ids, dists, metas)]
        got = col.query(query_embeddings=[np.asarray(embedding, dtype=np.float32)],
                        n_results=max(1, n), include=["metadatas", "documents", "distances"])
        docs = (got.get("documents") or [[None]])[0] or [None] * len(got["ids"][0])
        return [
            Hit(id=i, similarity=1.0 - float(d), metadata=m, document=doc or "")
            for i, d, m, doc in zip(got["ids"][0], got["distances"][0], got["metadatas"][0], docs)
            if m is not None  # a row another process deleted between Chroma's index search and its row fetch
        ]


def _made_with(meta: dict[str, Any]) -> str:
    """The flags that name a CLIP collection's model again, for a refusal of another CLIP to say how to ask for
    the index's own: "" for a collection without them."""
    if not meta.get("clip_model"):
        return ""
    flags = (shlex.quote(str(meta["clip_model"])), shlex.quote(str(meta.get("clip_pretrained", ""))))
    return " (this index's: --clip-model {} --clip-pretrained {})".format(*flags)


def new_index(db_dir: str | os.PathLike | None) -> str:
    """Where a refusal sends an index of other models: a folder's own `--db`, or on a Chroma server (no `db_dir`)
    a database of its own, as docs/deploy.md says (a new --db there would have left the shared server)."""
    if db_dir is None:
        return "a database of its own on the Chroma server ($MOMENTSEARCH_CHROMA_DATABASE=NAME)"
    return "a new --db"
