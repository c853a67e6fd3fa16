"""Where momentsearch keeps what it derives, on machines without the usual home folder: a container's user with
no passwd entry and no $HOME (`Path.home()` raises there), a read-only or missing $HOME, XDG_CACHE_HOME set.

Environment variables read here:
  MOMENTSEARCH_CACHE  the cache folder itself (empty counts as unset)
  XDG_CACHE_HOME      an absolute path: its momentsearch/ folder, as every XDG program keeps its cache there
  HOME                ~/.cache/momentsearch, the default
With none of them usable, a private temporary folder, removed when the process exits.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

_PRIVATE: list[Path] = []
_PRIVATE_LOCK = threading.Lock()


def home_folder() -> Path | None:
    """The user's home folder, or None where it cannot be told (no $HOME and a uid without a passwd entry)."""
    try:
        return Path.home()
    except (RuntimeError, KeyError, OSError):
        return None


def private_cache() -> Path:
    """A folder of this process alone under the temporary folder, removed when it exits (made on first use)."""
    from momentsearch.scratch import make_scratch  # (removed at exit, and after a kill by the next run)

    with _PRIVATE_LOCK:
        if not _PRIVATE:
            _PRIVATE.append(make_scratch("cache"))
        return _PRIVATE[0]


def is_private(folder: Path) -> bool:
    """`folder` is private_cache(): it goes when this process exits."""
    return bool(_PRIVATE) and folder == _PRIVATE[0]


def cache_root() -> Path:
    """Directory for files momentsearch derives from packaged models and for a read-only index's search cache:
    $MOMENTSEARCH_CACHE, else $XDG_CACHE_HOME/momentsearch, else ~/.cache/momentsearch, else private_cache()."""
    env = os.environ.get("MOMENTSEARCH_CACHE", "").strip()
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if xdg and os.path.isabs(xdg):  # the XDG spec: a relative path is invalid and ignored
        return Path(xdg) / "momentsearch"
    home = home_folder()
    return home / ".cache" / "momentsearch" if home is not None else private_cache()


def import_chromadb():
    """chromadb, imported also where the home folder cannot be told: chromadb asks for it at import time (the
    download folder of a default embedding model momentsearch never uses) and raised RuntimeError there.

    Why HOME, process-wide, for the length of the import: chromadb calls `Path.home()` in two class bodies
    (its telemetry id and its ONNX model's folder), and neither HOME nor `Path.home` can be set for one thread
    alone; patching pathlib for the importing thread would be a stdlib patch every thread's call goes through.
    What another thread can see meanwhile is this process's own private_cache() as HOME, and only where no home
    folder can be told at all (no $HOME, a uid with no passwd entry), where that thread would find none anyway;
    HOME is put back as it was before this returns."""
    if "chromadb" in sys.modules or home_folder() is not None:
        import chromadb

        return chromadb
    had = os.environ.get("HOME")
    os.environ["HOME"] = str(private_cache())
    try:
        import chromadb
    finally:
        if had is None:
            os.environ.pop("HOME", None)
        else:
            os.environ["HOME"] = had
    return chromadb
