"""Every error momentsearch raises on purpose. Only the CLI turns these into messages and exit codes."""

from __future__ import annotations


class MomentSearchError(Exception):
    """Base class: a problem the user can fix; the message says how."""


class BadInputError(MomentSearchError):
    """A file that cannot be indexed (corrupt, empty, unsupported). Indexing skips it with this reason."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class StillWritingError(BadInputError):
    """A file that cannot be read yet and changed moments ago: most likely one still being copied or recorded (an
    MP4 whose index, written last, is not there yet). Indexing skips it, not failing it; the next run tries again."""


class ModelUnavailableError(MomentSearchError):
    """Weights for a model cannot be found or loaded; the message names them and how to supply them."""


class ModelNotFoundError(ModelUnavailableError):
    """The model asked for does not exist as named (a checkpoint or config path that is not there, an
    unknown tag or architecture): a mistake in the request, not weights this machine lacks. Indexing stops
    on it instead of going on without the channel, which would have to be indexed all over again."""


class IndexMismatchError(MomentSearchError):
    """The index on disk was built with another schema version or model than the one asked for."""


class QueryError(MomentSearchError):
    """A query that cannot be answered as given (empty text, bad k, unreadable image...)."""


class ConfigError(MomentSearchError):
    """An options file or a combination of options that is not valid."""


class IndexBusyError(MomentSearchError):
    """Another process is writing to the same index."""


class NotFoundError(MomentSearchError):
    """No indexed video, segment or file answers to this id (the HTTP API's 404)."""


class MediaChangedError(MomentSearchError):
    """The file on disk is no longer the one that was indexed (the HTTP API's 409)."""


class RangeError(MomentSearchError):
    """A Range header that cannot be satisfied for this file (HTTP 416)."""

    def __init__(self, message: str, size: int) -> None:
        super().__init__(message)
        self.size = size


class IndexNotFoundError(MomentSearchError):
    """The folder given as the index is not a momentsearch index (missing, a file, another program's data).
    Only `index` creates an index; everything else refuses and writes nothing."""


class IndexWriteError(MomentSearchError):
    """The index cannot be written: a read-only file system or folder, or no permission."""


class DiskFullError(IndexWriteError):
    """The disk holding the index is full. What was written stays readable; a re-run resumes."""


class OutOfMemoryError(MomentSearchError):
    """The machine (or the process's limit: a container's, `ulimit -v`) ran out of memory while a model loaded or
    ran. Not a problem of one file or a missing model: the batch stops, keeping what a re-run resumes from."""


class ConfirmationNeededError(MomentSearchError):
    """An operation would remove much of the index; it needs to be confirmed (`--yes`)."""


def server_gone(exc: BaseException) -> bool:
    """Whether an error is a Chroma server that does not answer: httpx's transport errors, which are neither
    our errors nor OSErrors (the CLI and the server each say so in their own words)."""
    return type(exc).__module__.split(".")[0] in ("httpx", "httpcore")


# what the libraries say when an allocation fails: CPython, C++ (ONNX Runtime, CTranslate2), MKL, the loader
# mapping a shared library (an address-space limit), a thread whose stack cannot be mapped, CUDA
_NO_MEMORY = ("bad_alloc", "failed to allocate memory", "failed to map segment from shared object",
              "cannot allocate memory", "can't start new thread", "out of memory")


def out_of_memory(exc: BaseException | None) -> bool:
    """Whether an error, or one it was raised from, is an allocation that failed (MemoryError, ENOMEM, or a
    library's words for it), as against a bug or a broken file."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, MemoryError) or (isinstance(exc, OSError) and exc.errno == 12):  # ENOMEM
            return True
        if any(words in str(exc).lower() for words in _NO_MEMORY):
            return True
        exc = exc.__cause__ or exc.__context__
    return False
