"""Erasing the words of removed entries from a local index's database file.

Chroma deletes an entry's row, but its own write-ahead log (the `embeddings_queue` table of
`chroma.sqlite3`) keeps every upsert it was given, with the document, the metadata and the vector, until
each segment of the collection has caught up with it; a local index's vector segments seldom record that
they have (its small collections never do), so the log keeps all of it for good. After `remove` took a
recording out at someone's request, its speech, slide text and path stayed in the file, readable with any
SQLite browser. What is erased here, under the index's write lock, once entries went:

- the log rows that wrote an entry whose last row deletes it (the deletion row stays: it holds only the
  entry's id, and a segment replaying the log from before it must still apply it); replaying what is left
  gives the same collection, since an entry that ends deleted ends deleted either way;
- the full-text index's deleted words, by merging its segments (FTS5 `optimize`);
- the free pages and the slack inside pages, by `VACUUM`, which rewrites the file without them;
- the unused slots of each vector segment's `data_level0.bin`: hnswlib saves its whole preallocated
  buffer, and the slots past its element count hold whatever the writing process's memory held before,
  which after a `remove` was the removed file's record (its path) and could be its words. They are zeroed,
  and so are the unused slots of `length.bin` beside it (an int32 per slot, uninitialised memory too: it held
  the removed recording's words in one run of thirty).

Not erased: copies outside the index folder (backups, the disk's own free blocks), which no program
can take back by deleting; see the README's "What `remove` erases"."""

from __future__ import annotations

import os
import shutil
import sqlite3
import struct
from pathlib import Path

from momentsearch.errors import DiskFullError, IndexWriteError

CHROMA_FILE = "chroma.sqlite3"  # what chromadb's PersistentClient keeps in its folder
DELETE_OPERATION = 3  # chroma's Operation.DELETE, as `embeddings_queue.operation` stores it
FULLTEXT_TABLE = "embedding_fulltext_search"  # chroma's FTS5 table of documents
BUSY_SECONDS = 60.0  # how long to wait for a reader (a running `serve`) to let go of the file
HNSW_HEADER = struct.Struct("<iQQQQ")  # header.bin begins: version, offset of level 0, max elements, element
                                       # count, bytes per element (chroma's hnswlib, persisted layout 1)
HNSW_LAYOUT = 1
LENGTH_BYTES = 4  # length.bin: an int32 per slot


def erase_deleted(db_dir: str | os.PathLike) -> int:
    """Erase what `chroma.sqlite3` in `db_dir` still holds of deleted entries (see the module's docstring);
    returns how many log rows went (0, and nothing done, when the folder holds no such file or another
    layout). Call under the write lock. IndexWriteError (DiskFullError) when the file cannot be rewritten."""
    path = Path(db_dir) / CHROMA_FILE
    if not path.is_file():
        return 0
    conn = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
    try:
        if not _has_log(conn):
            return 0
        conn.execute("PRAGMA secure_delete = ON")  # pages freed below are zeroed, not left as they were
        conn.execute("BEGIN IMMEDIATE")
        erased = conn.execute(
            "DELETE FROM embeddings_queue WHERE operation != ? AND (topic, id) IN ("
            " SELECT topic, id FROM embeddings_queue GROUP BY topic, id"
            " HAVING max(seq_id) = max(CASE WHEN operation = ? THEN seq_id END))",
            (DELETE_OPERATION, DELETE_OPERATION)).rowcount
        if _table_exists(conn, FULLTEXT_TABLE):
            conn.execute(f"INSERT INTO {FULLTEXT_TABLE}({FULLTEXT_TABLE}) VALUES ('optimize')")
        conn.execute("COMMIT")
        conn.execute("VACUUM")
    except sqlite3.Error as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if "full" in str(exc).lower():  # VACUUM writes a copy of the file: a full disk says only "disk is full"
            raise DiskFullError(f"disk full at {db_dir}: the deleted entries' words could not be erased from "
                                f"{CHROMA_FILE} ({exc}); rewriting it needs about {_megabytes(path)} MB free on "
                                f"its disk ({_megabytes_free(db_dir)} MB free now); any files taken out stay out: "
                                f"free some space, then `momentsearch prune` erases the words") from exc
        raise IndexWriteError(f"the index at {db_dir} was changed, but the removed entries' words could not be erased "
                              f"from {CHROMA_FILE} ({exc}); `momentsearch prune` erases them once it can") from exc
    finally:
        conn.close()
    for header in Path(db_dir).glob("*/header.bin"):
        zero_unused_slots(header.parent)
    return erased


def _megabytes(path: Path) -> int:
    """The size of `path` in whole MB, rounded up (what VACUUM's copy of it needs)."""
    try:
        return -(-path.stat().st_size // (1024 * 1024))
    except OSError:
        return 0


def _megabytes_free(folder: str | os.PathLike) -> int:
    try:
        return shutil.disk_usage(folder).free // (1024 * 1024)
    except OSError:
        return 0


def zero_unused_slots(segment: Path) -> bool:
    """Zero the slots of `segment`'s data_level0.bin past its element count (see the module's docstring).
    False, with nothing written, when the files are not laid out as expected (another chromadb)."""
    try:
        header = (segment / "header.bin").read_bytes()
        version, _, max_elements, count, per_element = HNSW_HEADER.unpack_from(header)
        data = segment / "data_level0.bin"
        if version != HNSW_LAYOUT or count > max_elements or data.stat().st_size != max_elements * per_element:
            return False
        _zero_from(data, count * per_element, (max_elements - count) * per_element)
        lengths = segment / "length.bin"  # one int32 per slot (its link list's size): unused ones held heap too
        if lengths.is_file() and lengths.stat().st_size == max_elements * LENGTH_BYTES:
            _zero_from(lengths, count * LENGTH_BYTES, (max_elements - count) * LENGTH_BYTES)
        return True
    except (OSError, struct.error):
        return False


def _zero_from(path: Path, offset: int, left: int) -> None:
    with open(path, "r+b") as f:
        f.seek(offset)
        while left:
            step = min(left, 1 << 20)
            f.write(bytes(step))
            left -= step


def _has_log(conn: sqlite3.Connection) -> bool:
    columns = {row[1] for row in conn.execute("PRAGMA table_info(embeddings_queue)")}
    return {"seq_id", "operation", "topic", "id"} <= columns


def _table_exists(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() is not None
