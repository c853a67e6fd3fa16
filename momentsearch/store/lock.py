"""One writer at a time per index folder: an advisory file lock on DB/.momentsearch.store.lock.

Every writing command (`index`, `prune`, `remove`) holds it while it writes; `search`, `info` and
`serve` never take it, so they keep answering while a batch runs. The lock is `fcntl.flock`, which the
kernel drops when its holder exits, however it exits (SIGKILL included): a crashed run never leaves a
stale lock behind.
The file's text says who holds it (the command, pid, host, since when), so a second writer can name it.
"""

from __future__ import annotations

import errno
import os
import socket
import stat
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from momentsearch.errors import IndexBusyError, IndexNotFoundError, IndexWriteError

LOCK_NAME = ".momentsearch.store.lock"
POLL_SECONDS = 0.2  # how often a waiting writer retries
GRACE_SECONDS = 0.5  # a writer told not to wait still retries this long (`writing_now` probes the lock briefly)


def _lock_refused(path: Path) -> str:
    """Why this user may not open the writer lock `path`, and what its owner can do."""
    try:
        st = path.stat()
    except OSError:
        return f"cannot take the index's writer lock {path}: permission denied (the index's folder)"
    try:
        import pwd

        owner = pwd.getpwuid(st.st_uid).pw_name
    except (KeyError, ImportError):
        owner = f"uid {st.st_uid}"
    return (f"cannot take the index's writer lock {path}: permission denied (it belongs to {owner}, mode "
            f"{stat.S_IMODE(st.st_mode):04o}: an earlier momentsearch made it and the database 0644 whatever the "
            f"umask). To let the group write this index, its owner can run: chmod -R g+w {path.parent}")


def lock_path(db_dir: str | os.PathLike) -> Path:
    return Path(db_dir) / LOCK_NAME


def holder(db_dir: str | os.PathLike) -> str:
    """Who holds (or last held) the lock, as written in the lock file; "" if unknown."""
    try:
        return lock_path(db_dir).read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""


def writing_now(db_dir: str | os.PathLike) -> str:
    """Who is writing the index now (the lock file's text, or "another process"); "" when nobody is. Creates
    nothing. A writer writes its note after locking and empties it when done, so an empty file needs no
    test; else a shared lock that cannot be had means a writer holds it (a killed one leaves its note but no
    lock). That test holds the lock for microseconds; a writer starting then retries (`GRACE_SECONDS`)."""
    import fcntl

    if not holder(db_dir):
        return ""
    try:
        fd = os.open(lock_path(db_dir), os.O_RDONLY)
    except OSError:
        return ""
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return ""
    except OSError as exc:
        if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            return ""
        return holder(db_dir) or "another process"  # locked, its note not yet written
    finally:
        os.close(fd)


class WriterLock:
    """The write lock of one index folder. `acquire(timeout)` waits up to `timeout` seconds
    (0: fail at once; None: wait for ever) and raises IndexBusyError naming the holder. `task`: the
    command that writes ("index", "remove"), recorded for that message; "" records none."""

    def __init__(self, db_dir: str | os.PathLike, task: str = "") -> None:
        self.db_dir = Path(db_dir)
        self.task = task
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, timeout: float | None = 0.0) -> "WriterLock":
        import fcntl

        if self._fd is not None:
            return self
        fd = self._open()
        deadline = None if timeout is None else time.monotonic() + max(GRACE_SECONDS, timeout)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    if self._still_there(fd):
                        break
                    # the lock file was removed while we waited: a lock on it excludes nobody who opens the path now
                    os.close(fd)
                    fd = -1
                    if not self.db_dir.is_dir():  # a failed first `index` took its folder away: no index to write
                        raise IndexNotFoundError(f"the index {self.db_dir} was removed while this waited for its "
                                                 "writer (its first run failed and left nothing); run the command "
                                                 "again to make it anew")
                    fd = self._open()
                    continue
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                        raise
                if deadline is not None and time.monotonic() >= deadline:
                    who = holder(self.db_dir) or "another process"
                    if f"pid {os.getpid()} on {socket.gethostname()} " in who:  # a notebook's cell still running
                        who += ", in this very process (a call still running in another thread)"
                    waited = f" after waiting {timeout:g}s" if timeout else ""
                    raise IndexBusyError(
                        f"the index {self.db_dir} is being written by {who}{waited}; an index takes one "
                        "writer at a time. Wait for it to finish, or queue behind it with --wait SECONDS "
                        "(in Python: wait=SECONDS); searching works meanwhile"
                    )
                time.sleep(POLL_SECONDS)
        except BaseException:
            if fd >= 0:
                os.close(fd)
            raise
        # the time with its UTC offset: the writer (a service in UTC) and the reader of the message may keep other zones
        note = (f"pid {os.getpid()} on {socket.gethostname()} since "
                f"{time.strftime('%Y-%m-%d %H:%M:%S %z', time.localtime())}")
        note = f"`{self.task}` ({note})\n" if self.task else note + "\n"
        try:  # who holds it, for the next writer's message: worth no failure (a full disk fails the writes)
            os.ftruncate(fd, 0)
            os.pwrite(fd, note.encode("utf-8"), 0)
        except OSError:
            pass
        self._fd = fd
        return self

    def _open(self) -> int:
        self.db_dir.mkdir(parents=True, exist_ok=True)
        path = lock_path(self.db_dir)
        try:
            return os.open(path, os.O_RDWR | os.O_CREAT, 0o666)  # as the umask allows: a group shares it
        except PermissionError as exc:
            raise IndexWriteError(_lock_refused(path)) from exc

    def _still_there(self, fd: int) -> bool:
        """The locked file is the one at the lock's path (not a removed one, nor one replaced since it was opened)."""
        try:
            st = os.stat(lock_path(self.db_dir))
        except OSError:
            return False
        held = os.fstat(fd)
        return (st.st_dev, st.st_ino) == (held.st_dev, held.st_ino)

    def release(self) -> None:
        import fcntl

        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)  # nobody holds it now; the file itself stays (removing it would race)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def __enter__(self) -> "WriterLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


@contextmanager
def writer_lock(db_dir: str | os.PathLike, timeout: float | None = 0.0, task: str = "") -> Iterator[WriterLock]:
    """Hold the index folder's write lock for the `with` block (see WriterLock.acquire)."""
    lock = WriterLock(db_dir, task).acquire(timeout)
    try:
        yield lock
    finally:
        lock.release()
