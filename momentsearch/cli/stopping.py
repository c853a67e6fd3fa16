"""A run stopped part way: Ctrl-C (SIGINT), `kill` (SIGTERM) or a closed terminal (SIGHUP), one line and the
shell's exit status.

Every command stopped by `kill` or a hang-up ends as a Ctrl-C does: it unwinds, so what it made for itself goes
(a read-only index's private copy in $TMPDIR, removed at exit: Python's default for SIGTERM and SIGHUP died
without running atexit, and left one copy per killed `transcript` or `chapters` in /tmp), a writer's work kept
so far stays for the same command to resume, and the terminal or log says so in one line (a log file of a killed
batch just stopped). `serve` too: uvicorn re-raises the SIGTERM it shut down on; raised as Terminated,
uvicorn.run takes it as it takes Ctrl-C, and `serve` ends as after Ctrl-C (exit 0). A signal the caller set to
be ignored (`nohup` ignores SIGHUP) stays ignored."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading

INTERRUPTED = 130  # the exit status of a command stopped by Ctrl-C (128 + SIGINT), as shells report it
TERMINATED = 143  # ... and by `kill` (128 + SIGTERM)
HUNG_UP = 129  # ... and by a closed terminal or ssh session (128 + SIGHUP)
WRITERS = ("index", "prune", "remove")  # commands that a re-run resumes
UNWOUND = (signal.SIGTERM, signal.SIGHUP)  # raised as Terminated (SIGINT raises KeyboardInterrupt already)


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised in the main thread as Ctrl-C's KeyboardInterrupt is, so it unwinds the same
    way; `signum` says which."""

    def __init__(self, signum: int = signal.SIGTERM):
        super().__init__(signum)
        self.signum = signum


_received: list[int] = []  # signals this process took: code that turns any exception a handler raises into a
                           # plain KeyboardInterrupt (Ray's ray.wait and ray.get do) loses the Terminated


def _raise_terminated(signum, frame) -> None:
    _received.append(signum)
    raise Terminated(signum)


@contextlib.contextmanager
def sigterm_as_interrupt(command: str):
    """While a command runs (in the main thread), SIGTERM and SIGHUP raise Terminated; the handlers before are
    put back. `command` is kept for the callers' sake: every command unwinds."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {}
    for signum in UNWOUND:
        if signal.getsignal(signum) is not signal.SIG_IGN:  # `nohup`, or a parent that means it: still ignored
            before[signum] = signal.signal(signum, _raise_terminated)
    try:
        yield
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)


def say_stopped(exc: KeyboardInterrupt, command: str) -> int:
    """The one line for a run stopped part way, and its exit status."""
    resume = "; re-run the same command to resume" if command in WRITERS else ""
    signum = exc.signum if isinstance(exc, Terminated) else (_received[-1] if _received else signal.SIGINT)
    words = {signal.SIGTERM: "stopped by kill (SIGTERM)", signal.SIGHUP: "stopped: the terminal hung up (SIGHUP)"}
    try:  # after a hang-up the terminal may be gone: the exit status still says what happened
        print(f"momentsearch: {words.get(signum, 'interrupted')}{resume}", file=sys.stderr)
    except (OSError, ValueError):
        pass
    return {signal.SIGTERM: TERMINATED, signal.SIGHUP: HUNG_UP}.get(signum, INTERRUPTED)
