"""Calls reading an index, counted so that `MomentIndex.close()` from another thread lets them finish first.

`close()` let go of the Chroma client under a search running in another thread (a server shutting down, a
notebook cell), which failed inside Chroma with "'RustBindingsAPI' object has no attribute 'bindings'". Now the
running calls finish cleanly, calls that come while it closes wait for it (and then open the index again, as any
call after `close()` does), and a call on the closing thread itself is not waited for.
"""

from __future__ import annotations

import functools
import threading
from contextlib import contextmanager


class InUse:
    """How many calls are reading the index now, and whether one thread is closing it."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._running = 0
        self._closing = 0
        self._mine = threading.local()  # this thread's depth of calls (a search that reads the index's videos)

    def _depth(self) -> int:
        return getattr(self._mine, "depth", 0)

    @contextmanager
    def using(self):
        with self._changed:
            if not self._depth():  # a call inside a running one never waits (close() waits for the outer one)
                self._changed.wait_for(lambda: not self._closing)
            self._running += 1
            self._mine.depth = self._depth() + 1
        try:
            yield
        finally:
            with self._changed:
                self._running -= 1
                self._mine.depth -= 1
                self._changed.notify_all()

    @contextmanager
    def closing(self):
        """Waits until no other thread's call is running, and holds new ones back until the block ends."""
        with self._changed:
            self._closing += 1
            own = self._depth()
            self._changed.wait_for(lambda: self._running == own)
        try:
            yield
        finally:
            with self._changed:
                self._closing -= 1
                self._changed.notify_all()


def reads(method):
    """A MomentIndex method that reads the index: counted in its `_in_use`, so `close()` waits for it."""
    @functools.wraps(method)
    def counted(self, *args, **kwargs):
        in_use = getattr(self, "_in_use", None)  # None: not made by MomentIndex.__init__ (a test's stand-in)
        if in_use is None:
            return method(self, *args, **kwargs)
        with in_use.using():
            return method(self, *args, **kwargs)
    return counted
