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
import secrets
import shutil
import stat
import tempfile
import time
from pathlib import Path

PREFIX = "momentsearch-"
OWNER_LOCK = ".momentsearch-owner.lock"  # inside each folder, locked by the process that made it
STALE_AFTER = 60.0  # seconds: a lock file younger than this may be one whose maker has not locked it yet

_live: dict[Path, int] = {}  # this process's folders -> the descriptor that holds its lock


def make_scratch(kind: str) -> Path:
    """A new empty private folder `$TMPDIR/momentsearch-<kind>-<pid>-XXXX`, removed by `remove_scratch` or at
    exit; leftovers of killed processes are removed first."""
    remove_stale()
    # Noted before it is made: a stop signal raises KeyboardInterrupt in the main thread between any two
    # bytecodes (one right after os.mkdir returns too), and one between making and noting left the folder
    # behind. Blocking the signals cannot help: pthread_sigmask holds them for the calling thread only, and the
    # kernel hands a `kill` to another thread (a reader has one by then), whose C handler still has Python raise
    # at the next bytecode. A stop before os.mkdir leaves a note of a folder that is not there: nothing to remove.
    # (The process id in the name: a folder of that name that is there already is a dead process's.)
    while True:
        folder = Path(tempfile.gettempdir()).absolute() / f"{PREFIX}{kind}-{os.getpid()}-{secrets.token_hex(5)}"
        if folder in _live:
            continue
        _live[folder] = -1
        try:
            os.mkdir(folder, 0o700)
            break
        except FileExistsError:
            del _live[folder]  # not this one's
    _live[folder] = _hold(folder)
    return folder


def remove_scratch(folder: Path) -> None:
    """Removes a folder `make_scratch` made (nothing if it is gone already)."""
    folder = Path(folder)
    _remove(folder)  # noted until it is gone: a stop part way leaves it for the removal at exit
    fd = _live.pop(folder, -1)
    if fd >= 0:
        with contextlib.suppress(OSError):  # (closed already by a shutil.rmtree that a stop signal cut short)
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


def _remove_all() -> None:
    """Every folder this process made, even where a stop signal (a second Ctrl-C, or a `kill` sent as the command
    ended) interrupts the removal: the process ends anyway."""
    while _live:
        try:
            remove_scratch(next(iter(_live)))
        except KeyboardInterrupt:
            continue


# Run at exit twice: a stop before the first one's `try` (its first bytecodes) ends it, and atexit goes on to
# the next callback, which removes what is left.
AT_EXIT = (_remove_all, _remove_all)
for _callback in AT_EXIT:
    atexit.register(_callback)
