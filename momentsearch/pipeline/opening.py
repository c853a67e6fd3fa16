"""Opening a media file with PyAV, and why one cannot be opened, in words a user can act on.

Below decode and captions (both open files; discover, which decode uses, imports captions)."""

from __future__ import annotations

from pathlib import Path

from momentsearch.errors import BadInputError, StillWritingError
from momentsearch.pipeline.arriving import changed_lately
from momentsearch.types import STILL_ARRIVING


def open_media(path: str | Path):
    """The file opened by PyAV; BadInputError with a reason a user can act on when it cannot be."""
    import av

    p = Path(path)
    if not p.exists():
        raise BadInputError(str(path), "file not found (it may have been moved or deleted)")
    if p.is_file() and p.stat().st_size == 0:
        raise BadInputError(str(path), "empty file (0 bytes)")
    try:
        return av.open(str(p), metadata_errors="ignore")
    except PermissionError as exc:
        raise BadInputError(str(path), "permission denied") from exc
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise _unreadable(p, exc) from exc


def _unreadable(path: Path, exc: Exception) -> BadInputError:
    """Why FFmpeg could not open a file, in words a user can act on: a StillWritingError for an MP4 without its
    index that changed moments ago (a copy or recording under way: skipped, not failed, so a nightly batch that
    meets it does not fail), else a BadInputError."""
    try:
        with open(path, "rb") as f:
            head = f.read(12)
    except OSError:
        head = b""
    detail = getattr(exc, "strerror", None) or str(exc)
    if head[4:8] == b"ftyp":  # an MP4/MOV whose index (moov box) is missing: the usual truncated recording
        # or one still being copied (its index comes last): then "re-copy it" was wrong, the next run reads it
        if lately := changed_lately(path):
            return StillWritingError(str(path), (
                f"{STILL_ARRIVING} (an MP4/MOV without its index yet, which is written last; {lately} still being "
                "copied or recorded?): skipped; the next run indexes it once it is complete (if it stays like this, "
                f"it was cut short: re-copy or re-export it) ({detail})"))
        return BadInputError(str(path), "an MP4/MOV file FFmpeg cannot open: probably truncated (cut short while "
                             f"recording or copying, so its index is missing); re-copy or re-export it ({detail})")
    return BadInputError(str(path), f"not a media file FFmpeg can read: corrupt, or not audio/video ({detail})")
