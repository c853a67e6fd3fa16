"""Modes of the files momentsearch makes, as the process's umask allows: an index, a cache or a model folder a
group of users shares (umask 002, a setgid folder) must be readable, and where it is an index writable, by the
group. Python's temporary files (mkstemp 0600, mkdtemp 0700) and SQLite's database file (0644) ignore the umask,
so what is made through them is given the umask's modes before it is renamed into place."""

from __future__ import annotations

import json
import os
import stat
import tempfile
import threading
from pathlib import Path

_UMASK_LOCK = threading.Lock()
TEMP_PREFIX = ".tmp-"  # a file or folder being written (search/snapshot.drop_stale_temp clears a killed writer's)


def current_umask() -> int:
    """The process's umask, read without changing it where Linux tells it (/proc/self/status)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _UMASK_LOCK:  # elsewhere set and set back: the only portable way to read it
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def as_umask_allows(path: str | os.PathLike, folder_too: bool = True) -> None:
    """Give `path` (a file, or a folder and, with `folder_too`, everything in it) the mode that a file or folder
    made with open()/mkdir() would have had: 0666 or 0777 less the umask. Failing (not the owner) changes
    nothing: the modes it has are then the ones another user gave it."""
    mask = current_umask()
    targets = [os.fspath(path)]
    if folder_too and os.path.isdir(path):
        for top, dirs, files in os.walk(path):
            targets += [os.path.join(top, name) for name in dirs + files]
    for target in targets:
        try:
            if os.path.islink(target):
                continue
            if os.path.isdir(target):  # a setgid folder's bit kept: what is made in it later keeps the group
                os.chmod(target, (0o777 & ~mask) | (os.stat(target).st_mode & stat.S_ISGID))
            else:
                os.chmod(target, 0o666 & ~mask)
        except OSError:
            pass


def write_json(path: str | os.PathLike, value) -> None:
    """Write `value` (JSON) to `path` whole: into a TEMP_PREFIX file beside it, given the umask's mode (the folder's
    other users read it too), renamed into place. Raises OSError, or ValueError/TypeError for what JSON cannot hold,
    and leaves no temporary file then."""
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=Path(path).parent)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(value, out)
        as_umask_allows(tmp)
        os.replace(tmp, path)
        tmp = None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
