"""momentsearch: find moments in lecture videos by what is said, shown and written on slides."""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:  # what a type checker sees (py.typed); at run time each name is imported when first asked for
    from momentsearch.api import MomentIndex
    from momentsearch.errors import (BadInputError, ConfigError, ConfirmationNeededError, DiskFullError,
                                     IndexBusyError, IndexMismatchError, IndexNotFoundError, IndexWriteError,
                                     MediaChangedError, ModelNotFoundError, ModelUnavailableError, MomentSearchError,
                                     NotFoundError, OutOfMemoryError, QueryError, StillWritingError)
    from momentsearch.types import FileRecord, IndexInfo, IndexReport, Moment, ProgressEvent


_ERRORS = ("BadInputError", "ConfigError", "ConfirmationNeededError", "DiskFullError", "IndexBusyError",
           "IndexMismatchError", "IndexNotFoundError", "IndexWriteError", "MediaChangedError", "ModelNotFoundError",
           "ModelUnavailableError", "MomentSearchError", "NotFoundError", "OutOfMemoryError", "QueryError",
           "StillWritingError")
_TYPES = ("FileRecord", "IndexInfo", "IndexReport", "Moment", "ProgressEvent")


def __getattr__(name: str):
    # imported when first asked for: MomentIndex pulls in chromadb, and the command line (cli/__init__.py)
    # must be running before anything slow is imported, so that a Ctrl-C at start ends it without a traceback
    module = "momentsearch.api" if name == "MomentIndex" else "momentsearch.errors" if name in _ERRORS else (
        "momentsearch.types" if name in _TYPES else None)
    if module is None:
        raise AttributeError(f"module 'momentsearch' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:  # the lazy names too: a notebook's tab completion offers them
    return sorted(set(globals()) | set(__all__))


__all__ = ["MomentIndex", "Moment", "IndexReport", "IndexInfo", "FileRecord", "ProgressEvent",
           "MomentSearchError", "BadInputError", "ConfigError", "ConfirmationNeededError", "DiskFullError",
           "IndexBusyError", "IndexMismatchError", "IndexNotFoundError", "IndexWriteError", "MediaChangedError",
           "ModelNotFoundError",
           "ModelUnavailableError", "NotFoundError", "OutOfMemoryError", "QueryError", "StillWritingError"]
