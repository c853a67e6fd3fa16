"""A thread's own CPU priority: background work (the visual side of indexing, the server's player copies)
runs niced so the work someone waits for gets the CPU first."""

from __future__ import annotations

import os
import sys
import threading
from typing import Callable


def nice_this_thread(nice: int) -> None:
    """Lowers this thread's priority to niceness `nice` (the thread's own, on Linux; elsewhere, or where the
    system refuses, it keeps the priority it has). Threads it starts later inherit it; it is not raised back."""
    if nice > 0 and sys.platform.startswith("linux"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
        except OSError:
            pass


def run_niced(nice: int, fn: Callable, *args):
    """`fn(*args)` in this thread at niceness `nice` (`nice_this_thread`). Threads it starts (codec, torch
    workers) inherit it. Meant for a pool thread that ends after the call: the niceness is not lowered back."""
    nice_this_thread(nice)
    return fn(*args)
