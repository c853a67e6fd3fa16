"""Why one file of a batch failed, for its report line (local or on a Ray worker)."""

from __future__ import annotations

from momentsearch.errors import BadInputError, MomentSearchError, StillWritingError


def failed_status(exc: Exception) -> str:
    """A FileResult's status for a file that raised `exc`: "skipped" for one still being written (the next run
    indexes it: a batch that meets a copy under way has not failed), else "failed"."""
    return "skipped" if isinstance(exc, StillWritingError) else "failed"


def failure_reason(exc: Exception, worker: str = "") -> str | None:
    """Why one file failed, for its report line: bad input, a file gone or unreadable, or anything a
    decoder or model raised on it. None for an index-wide problem (a MomentSearchError that is not
    bad input), which should stop a local batch; on a Ray `worker` ("host:pid") it fails only the file."""
    if isinstance(exc, BadInputError):
        return exc.reason
    if isinstance(exc, FileNotFoundError):
        if worker:
            return f"not found on worker {worker} (is the folder mounted at the same path on every node?)"
        return "file disappeared before it could be read (moved or deleted)"
    if isinstance(exc, OSError):
        return f"cannot read file{f' on worker {worker}' if worker else ''}: {exc.strerror or exc}"
    if isinstance(exc, MomentSearchError) and not worker:
        return None
    return f"could not be processed ({exc.__class__.__name__}: {exc})"
