"""momentsearch: find moments in lecture videos by what is said, shown and written on slides."""

from momentsearch.errors import (BadInputError, IndexMismatchError, ModelUnavailableError, MomentSearchError,
                                 QueryError)
from momentsearch.types import IndexReport, Moment

__version__ = "0.1.0"


def __getattr__(name: str):
    # MomentIndex pulls in chromadb; import it only when asked for
    if name == "MomentIndex":
        from momentsearch.api import MomentIndex

        return MomentIndex
    raise AttributeError(name)


__all__ = ["MomentIndex", "Moment", "IndexReport", "MomentSearchError", "BadInputError",
           "ModelUnavailableError", "IndexMismatchError", "QueryError"]
