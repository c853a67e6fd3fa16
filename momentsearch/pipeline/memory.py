"""Process memory settings for long indexing runs (Linux with glibc; elsewhere nothing happens).

Indexing runs the visual side in a thread beside ASR, and ONNX Runtime, CTranslate2 and torch keep
their own thread pools. glibc gives each thread that allocates concurrently its own malloc arena (up
to 8 per core), and memory freed in one arena is not reused by another, so the resident size of a
long file crept up window by window. Two arenas keep the same speed (the heavy buffers are the
libraries' own) and a lower, flatter resident size: on the 60-minute benchmark lecture the peak
went from 2835 MB to 2691 MB (`scripts/bench_index.py --trace-minutes 60`, docs/benchmarks.md).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

M_ARENA_MAX = -8  # mallopt parameter (malloc.h)
ARENAS = 2
_done = False


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas for this process (once; before the indexing threads start). A
    MALLOC_ARENA_MAX in the environment wins. True when the cap is in force."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux") or os.environ.get("MALLOC_ARENA_MAX"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        ok = bool(libc.mallopt(M_ARENA_MAX, int(arenas)))
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    _done = ok
    return ok
