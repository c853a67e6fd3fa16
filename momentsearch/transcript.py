"""A video's transcript as timed sentences (for the page's transcript panel), from its overlapping chunks."""

from __future__ import annotations

import re

RECENT = 6  # carried sentences repeat within this many of the last sentences


def sentences(chunks) -> list[tuple[float, float, str]]:
    """(start, end, text) per sentence, in order. Chunks share a sentence or two at their edges (the
    overlap); each sentence is given once. A sentence's times are its share of its chunk's characters."""
    out: list[tuple[float, float, str]] = []
    for start, end, text in sorted(chunks):
        parts = [p for p in re.split(r"(?<=[.!?])\s+", text.strip()) if p]
        total = sum(len(p) + 1 for p in parts) or 1
        t = start
        for part in parts:
            dt = (end - start) * (len(part) + 1) / total
            if part not in {s[2] for s in out[-RECENT:]}:
                out.append((round(max(t, out[-1][1] if out else 0.0), 3), round(t + dt, 3), part))
            t += dt
    return out
