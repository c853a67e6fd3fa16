"""The caller's progress callback, kept apart from the files' own errors.

Indexing catches what goes wrong on one file and records it as that file's failure, so the batch goes
on. An error raised by the caller's `progress` function (a notebook's progress widget, a bug in it) is
no fault of the file: it stops the run, like Ctrl-C (a re-run resumes), and reaches the caller as itself.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from momentsearch.types import ProgressCallback, ProgressEvent


class ProgressCallbackRaised(BaseException):
    """Carries the callback's error past the per-file `except Exception` (its __cause__ is that error): a
    BaseException, as KeyboardInterrupt is, so the file's kept work stays for the next run to resume."""


def guarded(progress: ProgressCallback | None) -> ProgressCallback:
    """`progress` (None: nothing is told) with its errors wrapped in ProgressCallbackRaised."""
    if progress is None:
        return lambda event: None

    def call(event: ProgressEvent) -> None:
        try:
            progress(event)
        except Exception as exc:
            raise ProgressCallbackRaised(exc) from exc

    return call


@contextmanager
def callback_errors() -> Iterator[None]:
    """Around a run: the callback's error is raised again as itself, with its own traceback."""
    try:
        yield
    except ProgressCallbackRaised as wrapped:
        raise wrapped.__cause__ from None
