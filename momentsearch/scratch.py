"""Private temporary folders (`$TMPDIR/momentsearch-<kind>-*`): a read-only index's copy to search, a clip being
sent. One place makes them, and removes them when done, at exit, and after a stop by signal (the CLI turns SIGTERM
and SIGHUP into an unwinding exception, cli/stopping.py, so atexit runs).

A process killed outright (SIGKILL, the OOM killer, a power cut) cannot remove its own: each folder holds a
lock file that its process keeps locked (`flock`) while it lives, and the kernel lets go of it when the process
dies however it dies. Making a new folder first removes the old ones whose lock nobody holds. Folders without
that lock file (an older version's, or one in the making) are never touched: who owns them cannot be told."""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import os
import shutil
import signal
import stat
import tempfile
import time
from pathlib import Path

PREFIX = "momentsearch-"
OWNER_LOCK = ".momentsearch-owner.lock"  # inside each folder, locked by the process that made it
STALE_AFTER = 60.0  # seconds: a lock file younger than this may be one whose maker has not locked it yet
_STOPPING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

_live: dict[Path, int] = {}  # this process's folders -> the descriptor that holds its lock


def make_scratch(kind: str) -> Path:
    """A new empty private folder `$TMPDIR/momentsearch-<kind>-XXXX`, removed by `remove_scratch` or at exit;
    leftovers of killed processes are removed first."""
    remove_stale()
    # a stop signal between making the folder and noting it would leave it behind: held until it is noted
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPPING)
    try:
        folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{kind}-"))
        _live[folder] = _hold(folder)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    return folder


def remove_scratch(folder: Path) -> None:
    """Removes a folder `make_scratch` made (nothing if it is gone already)."""
    fd = _live.pop(Path(folder), -1)
    _remove(Path(folder))
    if fd >= 0:
        os.close(fd)


def remove_stale(root: str | os.PathLike | None = None) -> list[Path]:
    """Removes the folders in `root` ($TMPDIR) whose maker has died: their lock is free. Returns them."""
    removed = []
    for folder in Path(root or tempfile.gettempdir()).glob(PREFIX + "*"):
        if folder in _live or not _orphaned(folder):
            continue
        _remove(folder)
        removed.append(folder)
    return removed


def _hold(folder: Path) -> int:
    try:
        fd = os.open(folder / OWNER_LOCK, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
    except OSError:
        return -1
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return -1
    return fd


def _orphaned(folder: Path) -> bool:
    lock = folder / OWNER_LOCK
    try:
        if not folder.is_dir() or folder.is_symlink() or time.time() - lock.stat().st_mtime < STALE_AFTER:
            return False
        fd = os.open(lock, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:  # no lock file (not ours to judge), or another user's
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # (released when the descriptor closes)
        return True
    except OSError:  # held: its process lives
        return False
    finally:
        os.close(fd)


def _remove(folder: Path) -> None:
    """rmtree, after making its folders writable: a copy cut short keeps a read-only source's folder modes
    (copytree copies them as it finishes each folder), which rmtree cannot empty without a word."""
    with contextlib.suppress(OSError):
        for path, _, _ in os.walk(folder):
            with contextlib.suppress(OSError):
                os.chmod(path, stat.S_IRWXU)
    shutil.rmtree(folder, ignore_errors=True)


@atexit.register
def _remove_all() -> None:
    for folder in list(_live):
        remove_scratch(folder)
