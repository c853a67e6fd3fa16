"""momentsearch: find moments in lecture videos by what is said, shown and written on slides."""

from momentsearch.errors import (BadInputError, ConfigError, ConfirmationNeededError, DiskFullError, IndexBusyError,
                                 IndexMismatchError, IndexNotFoundError, IndexWriteError, MediaChangedError,
                                 ModelNotFoundError, ModelUnavailableError, MomentSearchError, NotFoundError, QueryError)
from momentsearch.types import FileRecord, IndexInfo, IndexReport, Moment, ProgressEvent

__version__ = "0.1.0"


def __getattr__(name: str):
    # MomentIndex pulls in chromadb; import it only when asked for
    if name == "MomentIndex":
        from momentsearch.api import MomentIndex

        return MomentIndex
    raise AttributeError(name)


def __dir__() -> list[str]:  # MomentIndex too (it is lazy): a notebook's tab completion offers it
    return sorted(set(globals()) | {"MomentIndex"})


__all__ = ["MomentIndex", "Moment", "IndexReport", "IndexInfo", "FileRecord", "ProgressEvent",
           "MomentSearchError", "BadInputError", "ConfigError", "ConfirmationNeededError", "DiskFullError",
           "IndexBusyError", "IndexMismatchError", "IndexNotFoundError", "IndexWriteError", "MediaChangedError",
           "ModelNotFoundError",
           "ModelUnavailableError", "NotFoundError", "QueryError"]
