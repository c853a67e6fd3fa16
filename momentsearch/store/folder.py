"""A local index folder: is it a momentsearch index, can it be written, is there room on its disk.

Only `index` creates an index. Every other command opens an existing one and refuses, writing
nothing, a folder that is missing, a regular file, or another program's Chroma database (opening
that with chromadb would migrate it: 21 tables added). The check reads `chroma.sqlite3` with
SQLite in read-only mode, before chromadb ever sees the folder.

Chroma cannot open a database it may not write (it runs its migrations on open), so a read-only
index (read-only file system or folder) is searched from a private temporary copy.
"""

from __future__ import annotations

import errno
import os
import shlex
import shutil
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from momentsearch.errors import DiskFullError, IndexNotFoundError, IndexWriteError
from momentsearch.scratch import make_scratch

CHROMA_FILE = "chroma.sqlite3"
FILES_COLLECTION = "ms_files"  # every index `momentsearch index` made has it (the per-file records)
NEW_MARK = ".momentsearch.new"  # a first `index` is making the index here: Chroma's database is ours, not yet whole
MIN_FREE_BYTES = 64 * 1024 * 1024  # a write is refused below this much free space on the index's disk
_SNAPSHOT_SKIP = ("momentsearch-cache", "momentsearch-partial", ".momentsearch.store.lock")


def _how_to_create(db: Path) -> str:
    """The command that makes an index at `db`, quoted for a shell (a folder name with spaces pastes as one)."""
    return f"create one with: momentsearch index FILES_OR_FOLDERS --db {shlex.quote(str(db))}"


def _not_an_index(path: Path) -> str:
    """What to do with a folder given as --db that holds no index: one with files in it is likely the
    lectures themselves (indexed *from*, not *into*); an empty one can become the index."""
    try:
        sample = next((e.name for e in os.scandir(path) if not e.name.startswith(".")), None)
    except OSError:
        sample = None
    if sample is None:
        return _how_to_create(path)
    return (f"it holds other files ({sample}, ...): --db names the folder the index is kept in; to index "
            f"what is in this one: momentsearch index {shlex.quote(str(path))}")


def chroma_collections(db: Path) -> list[str] | None:
    """Collection names in `db`/chroma.sqlite3, read without writing anything; None if it is not
    a Chroma database SQLite can read."""
    target = db / CHROMA_FILE
    for mode in ("mode=ro", "immutable=1"):  # immutable: a read-only folder where -wal/-shm cannot be made
        try:
            con = sqlite3.connect(f"file:{quote(str(target))}?{mode}", uri=True)
            try:
                return [row[0] for row in con.execute("SELECT name FROM collections")]
            finally:
                con.close()
        except sqlite3.Error:
            continue
    return None


def _empty_file(path: Path) -> bool:
    try:
        return path.is_file() and path.stat().st_size == 0
    except OSError:
        return False


def _given(path: Path) -> str:
    """How the user named the index folder: `$MOMENTSEARCH_DB=PATH` where the environment gave it, else `--db PATH`."""
    from_env = os.environ.get("MOMENTSEARCH_DB", "").strip()
    return f"$MOMENTSEARCH_DB={path}" if from_env and Path(from_env) == path else f"--db {path}"


def check_index(db: str | os.PathLike) -> Path:
    """`db` if it is a momentsearch index folder, else IndexNotFoundError saying what it is instead."""
    path = Path(db)
    if not path.exists():
        raise IndexNotFoundError(f"there is no momentsearch index at {path} (no such folder); {_how_to_create(path)}")
    if not path.is_dir():
        raise IndexNotFoundError(f"{_given(path)} is a file, not an index folder; give the folder "
                                 f"`momentsearch index` made ({_how_to_create(path)})")
    if not (path / CHROMA_FILE).exists():
        raise IndexNotFoundError(f"{path} is not a momentsearch index (no {CHROMA_FILE} in it); {_not_an_index(path)}")
    if _empty_file(path / CHROMA_FILE):
        raise IndexNotFoundError(f"{path}/{CHROMA_FILE} is empty: an index run stopped before it wrote anything; "
                                 f"run `momentsearch index` into it again ({_how_to_create(path)})")
    names = chroma_collections(path)
    if FILES_COLLECTION not in (names or []) and (path / NEW_MARK).exists():
        raise IndexNotFoundError(f"{path}: the first index run into it was stopped before it made the index; "
                                 f"run `momentsearch index` into it again ({_how_to_create(path)})")
    if names is None:
        raise IndexNotFoundError(f"{path}/{CHROMA_FILE} is not a Chroma database momentsearch can read; "
                                 "nothing was changed")
    if FILES_COLLECTION not in names:
        shown = ", ".join(sorted(names)[:5]) or "none"
        raise IndexNotFoundError(f"{path} holds a Chroma database that is not a momentsearch index (its "
                                 f"collections: {shown}); it was left untouched. Give another --db, or "
                                 f"{_how_to_create(Path('NEW_FOLDER'))}")
    return path


def prepare_writable(db: str | os.PathLike, task: str = "index") -> Path:
    """The folder `index` writes to, created if missing; IndexWriteError when it cannot be written,
    IndexNotFoundError when it is a file or another program's Chroma database. `task`: the writer, whose
    way out the error names (another --db for `index`; `prune` and `remove` change this very index)."""
    path = Path(db)
    if path.exists() and not path.is_dir():
        raise IndexNotFoundError(f"{_given(path)} is a file, not an index folder; give a folder (it is created)")
    if (path / CHROMA_FILE).exists() and not _empty_file(path / CHROMA_FILE) and not half_made(path):
        check_index(path)  # never write into a foreign Chroma database (an empty file holds none: a run
        # killed before Chroma wrote its first page left it, and SQLite takes it for a new database)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        why = {errno.EROFS: "read-only file system", errno.EACCES: "permission denied"}.get(exc.errno)
        raise IndexWriteError(f"cannot create the index folder {path}: {why or exc.strerror or exc}") from exc
    if not writable(path):
        fix = ("index into a writable --db" if task in ("index", "") else f"`{task}` changes this index, so it needs "
               f"write access to it (`{task} --dry-run` only lists, and works here)")
        raise IndexWriteError(f"cannot write to the index at {path}: {_why_not_writable(path)}; {fix}")
    return path


def half_made(path: Path) -> bool:
    """A first `index` into `path` was killed while Chroma set up its database there (NEW_MARK, no files
    collection): the database holds nothing yet, and is ours to start again."""
    return (path / NEW_MARK).exists() and FILES_COLLECTION not in (chroma_collections(path) or [])


def begin_new(path: Path) -> None:
    """Before `index` opens Chroma on `path` (under the write lock): where no index is there yet, NEW_MARK says
    that this run makes the database, so a run killed before the index is made in it is told apart from another
    program's database; such a half-made database (SQLite's tables or part of them, no collection) is deleted
    to start afresh. An index made leaves no mark (`made`)."""
    chroma = path / CHROMA_FILE
    if half_made(path):
        for suffix in ("", "-wal", "-shm", "-journal"):
            (path / (CHROMA_FILE + suffix)).unlink(missing_ok=True)
    if not chroma.exists() or _empty_file(chroma):
        (path / NEW_MARK).write_text("a first `momentsearch index` is making the index in this folder\n")
    elif (path / NEW_MARK).exists():
        made(path)  # a run killed after the index was made, before it took the mark away


def made_index(path: str | os.PathLike) -> bool:
    """`path` holds a momentsearch index (its files collection is there), read without opening Chroma: a run
    that has not opened its store yet finds there the index another run made meanwhile."""
    return FILES_COLLECTION in (chroma_collections(Path(path)) or [])


def made(path: str | os.PathLike) -> None:
    """The index in `path` is made (its files collection is there): the mark of `begin_new` goes."""
    (Path(path) / NEW_MARK).unlink(missing_ok=True)


def outermost_missing(db: str | os.PathLike) -> Path | None:
    """The highest folder of `db`'s path that does not exist yet (`db` itself, or a parent `index` would
    create along with it: "--db runs/new/idx"), None when `db` exists: what a failed first run removes."""
    path, missing = Path(db).absolute(), None
    while not path.exists() and path != path.parent:
        path, missing = path.parent, path
    return missing


@contextmanager
def undone_if_empty(inner, db: str | os.PathLike, holds_nothing, let_go):
    """`inner` (the write lock) around the first `index` of a folder made for it: when the block raises
    (missing model weights, say) and the index holds no file, `db` goes (after `let_go` closes its store):
    the index folder, or the outermost folder made for it, so a failed first run leaves nothing behind.
    One that holds files stays whatever happened. Two first runs started at once both saw no folder: the one
    that did not get the lock (busy, or stopped while it waited) made nothing here and removes nothing, and
    the check and the removal happen with the lock held, so no writer that got it after is written away."""
    with inner:
        try:
            yield
        except BaseException:
            try:
                empty = holds_nothing()
            except Exception:  # a store that cannot even say: keep the folder
                empty = False
            if empty:
                let_go()
                shutil.rmtree(db, ignore_errors=True)
            raise


def writable(path: Path) -> bool:
    targets = [path] + ([path / CHROMA_FILE] if (path / CHROMA_FILE).exists() else [])
    return all(os.access(t, os.W_OK) for t in targets)


def read_only(db: str | os.PathLike) -> bool:
    """An index folder this process may not write (a read-only mount or folder, a colleague's copy): what
    only reads it (search, info, a dry run of prune or remove) takes no lock there and writes nothing."""
    return Path(db).is_dir() and not writable(Path(db))


def _why_not_writable(path: Path) -> str:
    try:
        if os.statvfs(path).f_flag & os.ST_RDONLY:
            return "read-only file system"
    except OSError:
        pass
    return "permission denied (read-only folder or file)"


def read_only_snapshot(db: Path) -> Path:
    """A private temporary copy of a read-only index (removed when this process exits)."""
    tmp = make_scratch("readonly")
    try:
        # contents only, not modes: the copy of a chmod -w index must be writable (SQLite writes as it opens)
        shutil.copytree(db, tmp / "db", ignore=shutil.ignore_patterns(*_SNAPSHOT_SKIP), copy_function=shutil.copyfile)
        for folder, _, _ in os.walk(tmp / "db"):
            os.chmod(folder, 0o700)
    except OSError as exc:
        raise IndexWriteError(f"the index at {db} is read-only ({_why_not_writable(db)}), and a temporary "
                              f"copy to search could not be made in {tmp.parent}: {exc}") from exc
    return tmp / "db"


def check_free_space(db: str | os.PathLike, need: int = MIN_FREE_BYTES) -> None:
    """DiskFullError before a write when the index's disk has less than `need` bytes free (a write
    into a full disk can block inside Chroma for ever instead of failing)."""
    try:
        free = shutil.disk_usage(db).free
    except OSError:
        return
    if free < need:
        raise disk_full(db, f"{free // (1024 * 1024)} MB free, {need // (1024 * 1024)} MB needed")


def disk_full(db, detail: str, opening: bool = False) -> DiskFullError:
    """The one-line error of a write the disk refused: full, or over a file-size limit (`ulimit -f`, a quota,
    a FAT32 disk's 4 GB per file: EFBIG, and SQLite's "disk I/O error" when a write is cut short). `opening`:
    Chroma's own writes as it opened an existing index (every command's, `search` and `transcript` too), so
    this command wrote nothing yet: nothing to resume, and no "files written so far"."""
    limit = "too large" in detail.lower() or "i/o error" in detail.lower()
    if opening:
        why = ("a file-size limit (`ulimit -f`, a quota) or a failing disk" if limit else "the disk is full")
        return DiskFullError(f"cannot open the index at {db}: Chroma writes to its database as it opens it, and the "
                             f"write was refused ({detail}): {why}, and a temporary copy to read could not be "
                             f"written either. Nothing was changed; {'lift the limit' if limit else 'free some space'}"
                             ", then run the command again")
    if limit:
        return DiskFullError(f"cannot write to the index at {db} ({detail}): a file-size limit (`ulimit -f`, a quota, "
                             "a FAT32 disk's 4 GB per file) or a failing disk; lift the limit or give another --db, then "
                             "re-run the same command to resume (files written so far stay searchable)")
    return DiskFullError(f"disk full at {db} ({detail}): free some space, then re-run the same command to "
                         "resume (files written so far stay searchable)")


def is_disk_full(exc: BaseException) -> bool:
    """An error (OSError, or Chroma/SQLite wrapping one) that says the disk is full."""
    seen: list[BaseException] = []
    while exc is not None and exc not in seen and len(seen) < 10:
        seen.append(exc)
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            return True
        text = str(exc).lower()
        if any(words in text for words in ("no space left", "database or disk is full", "disk quota", "file too large",
                                           "disk i/o error")):  # (SQLite's words for a write over a size limit)
            return True
        exc = exc.__cause__ or exc.__context__
    return False
