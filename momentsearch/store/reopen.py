"""An index folder deleted, or deleted and built again, under an open reader; and the same on a Chroma server.

chromadb keeps one database connection per folder for the whole process; after `rm -rf db` and a new
`momentsearch index ... --db db` it still read the deleted file, so a running server or a `MomentIndex` in
a notebook answered from the old index without a word (every new `MomentIndex` on that path too). The
reader checks the database file's identity (device and inode) where it checks the index's generation:
a file that is gone is IndexNotFoundError; another file in its place is opened afresh.

A Chroma server has no file to watch: its index goes when the admin starts it on a fresh path or deletes the
collections, and a reader kept handles of collections that were no more (every search a NotFoundError). The
files collection, read fresh for the generation anyway, shows it: gone, or another id than the kept one.

A folder another process writes into (`momentsearch index` while `serve` runs) keeps its file, but chromadb's
reader keeps each collection's vector index (HNSW) as it loaded it and never reads the other process's writes
into it: its nearest neighbours were the deleted entries of a file indexed again, never a new file's, and
fetching a new entry's vector failed ("Error finding id"), until a restart. The sqlite rows are read fresh,
so the generation shows such a write: the store then opens the folder afresh (`reopen`).
"""

from __future__ import annotations

import os
from pathlib import Path

from momentsearch.errors import IndexNotFoundError
from momentsearch.store.folder import CHROMA_FILE


def file_identity(db_dir) -> tuple[int, int] | None:
    """(device, inode) of the index folder's database file; None when there is none."""
    try:
        st = os.stat(Path(db_dir) / CHROMA_FILE)
    except OSError:
        return None
    return st.st_dev, st.st_ino


_OPENED: dict[str, tuple[int, int] | None] = {}  # folder -> its database file's identity when chromadb opened it


def open_persistent(path, settings, fresh: bool = False):
    """chromadb's PersistentClient on `path`, never on a deleted database file: where this process opened
    `path` before and another file is there now (or none), chromadb's cached connection for it is dropped
    first (a writer after `rm -rf db` wrote into the deleted file, a reader read from it). `fresh` drops it
    in any case (another process wrote into the folder: its vectors are read again)."""
    from momentsearch.places import import_chromadb

    chromadb = import_chromadb()
    from chromadb.api.shared_system_client import SharedSystemClient

    key = str(path)
    if key in _OPENED and (fresh or _OPENED[key] != file_identity(path)):
        SharedSystemClient._identifier_to_system.pop(key, None)
    client = chromadb.PersistentClient(path=key, settings=settings)
    _OPENED[key] = file_identity(path)
    return client


def follow_folder(store) -> None:
    """Before `store` reads its generation: the same database file as when it was opened, else reopened (or
    IndexNotFoundError when the folder's index is gone). A store of a Chroma server has nothing to follow."""
    if not store.db_dir:
        return
    now = file_identity(store.db_dir)
    known = store.__dict__.setdefault("_identity", now)
    if now is None:
        raise IndexNotFoundError(f"the index at {store.db_dir} is gone: its folder was deleted or moved while it was "
                                 "open; index into it again, or open the index where it is now")
    if now == known:
        return
    from chromadb.config import Settings

    store.client, store._identity = open_persistent(store.db_dir, Settings(anonymized_telemetry=False)), now
    store._collections.clear()


def reopen(store) -> None:
    """`store`'s folder opened afresh: another process wrote into it, which chromadb's kept vector indexes do
    not show (module docstring). Handles taken before keep working on what they had loaded."""
    if not store.db_dir:
        return
    from chromadb.config import Settings

    store.client = open_persistent(Path(store.db_dir), Settings(anonymized_telemetry=False), fresh=True)
    store._collections.clear()


def fresh_files(store, name: str):
    """The files collection `name` as the store's client has it now (None when there is none), after
    `follow_folder`; where it is gone or was made again, the store's kept collection handles are dropped."""
    follow_folder(store)
    try:
        col = store.client.get_collection(name, embedding_function=None)
    except Exception:  # chromadb raises NotFoundError (ValueError in older versions): no files yet
        col = None
    kept = store._collections.get("files")
    if kept is not None and (col is None or getattr(kept, "id", None) != getattr(col, "id", None)):
        store._collections.clear()
    return col
