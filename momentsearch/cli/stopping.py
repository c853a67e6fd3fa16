"""A run stopped part way: Ctrl-C (SIGINT) or `kill` (SIGTERM), one line and the shell's exit status.

A writer (`index`, `prune`, `remove`) stopped by `kill` ends as a Ctrl-C does: the work kept so far stays for
the same command to resume, and the terminal or log says so in one line, where Python's default for SIGTERM
died without a word (a log file of a killed batch just stopped)."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading

INTERRUPTED = 130  # the exit status of a command stopped by Ctrl-C (128 + SIGINT), as shells report it
TERMINATED = 143  # ... and by `kill` (128 + SIGTERM)
WRITERS = ("index", "prune", "remove")  # commands that a re-run resumes
UNWOUND_ON_TERM = (*WRITERS, "serve")  # `serve` too: uvicorn re-raises the SIGTERM it shut down on, and Python's
# default killed it there before atexit removed a read-only index's private copy (one left in /tmp per restart);
# raised as Terminated, uvicorn.run takes it as it takes Ctrl-C, and `serve` ends as after Ctrl-C (exit 0)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread as Ctrl-C's KeyboardInterrupt is, so it unwinds the same way."""


_received: list[int] = []  # SIGTERMs this process took: code that turns any exception a handler raises into a
                           # plain KeyboardInterrupt (Ray's ray.wait and ray.get do) loses the Terminated


def _raise_terminated(signum, frame) -> None:
    _received.append(signum)
    raise Terminated


@contextlib.contextmanager
def sigterm_as_interrupt(command: str):
    """While a writer or `serve` runs (in the main thread), SIGTERM raises Terminated; the handler before is put
    back."""
    if command not in UNWOUND_ON_TERM or threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def say_stopped(exc: KeyboardInterrupt, command: str) -> int:
    """The one line for a run stopped part way, and its exit status."""
    resume = "; re-run the same command to resume" if command in WRITERS else ""
    killed = isinstance(exc, Terminated) or bool(_received)
    print(f"momentsearch: {'stopped by kill (SIGTERM)' if killed else 'interrupted'}{resume}", file=sys.stderr)
    return TERMINATED if killed else INTERRUPTED
