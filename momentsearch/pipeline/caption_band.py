"""Burned-in subtitles (open captions) for the cut detector (pipeline/keyframes.py).

A caption line replaces the words of a thin band at the bottom of the picture every 2-5 s, each line
staying for a few samples: a lasting change of other strokes, as a slide change is, but too seldom for
the detector's mask of blocks that keep moving. Without this, a captioned lecture was cut at every new
line and the slide changes between them were partly lost. Here:

- a lasting change confined to a band of at most `BAND_ROWS` of the block rows, all in the bottom third
  (`BAND_LOW`), at least `BAND_BLOCKS` blocks of mostly replaced strokes, is a caption line's: the
  detector makes it at most a view (never a cut);
- once such a band changes again within `BAND_MEMORY` seconds (overlapping rows), it is taken for a
  caption line: its rows, whole (a line's width changes), are masked from the comparisons;
- the mask stays while the line keeps changing (at least `BAND_BLOCKS` of its blocks moved since the
  last sample, more than in the rest of the bottom third: not a lecturer walking through it), and is
  dropped `BAND_MEMORY` seconds after it last did.

A bullet revealed at the bottom of a slide adds strokes (appeared), not replaced ones: not a caption.
Captions over a filmed hall are not handled here: aligned to the shaking camera, the fixed line moves
every sample and is masked as moving anyway (README, "How slide changes and sections are found").
"""

from __future__ import annotations

import numpy as np

BAND_ROWS = 0.2  # a change within this share of the block rows (at least 2) ...
BAND_LOW = 2 / 3  # ... all below this share of the height, mostly replaced strokes, is a caption line's change
BAND_BLOCKS = 3  # ... and spans at least this many blocks (a line of words, not a lecturer's hand)
BAND_MEMORY = 20.0  # seconds: a band that changed again within this is a caption line; masked until it rests as long


class CaptionBand:
    """One video's caption line, learned from the changes the detector sees (block grid rows)."""

    def __init__(self) -> None:
        self.seen: tuple[float, int, int] | None = None  # the last caption-like change: (time, first row, last)
        self.band: tuple[int, int] | None = None  # block rows masked as a caption line (first, last)
        self.until = 0.0  # ... until this time, unless the line changes again

    def change(self, replaced: np.ndarray, added: np.ndarray, time: float) -> str:
        """Whether a lasting change (`replaced` strokes, `added` other changes, per block) is a caption
        line's: "" no; "first" a thin band in the bottom third whose strokes were mostly replaced; "again"
        such a band that overlaps the one seen within BAND_MEMORY seconds (its rows are masked from now on)."""
        rows = np.flatnonzero((replaced | added).any(axis=1))
        n = replaced.shape[0]
        if rows.size == 0 or rows[0] < BAND_LOW * n or rows[-1] - rows[0] + 1 > max(2, round(BAND_ROWS * n)) \
                or replaced.sum() < max(BAND_BLOCKS, added.sum()):
            return ""
        lo, hi = int(rows[0]), int(rows[-1])
        seen, self.seen = self.seen, (time, lo, hi)
        if seen is None or time - seen[0] > BAND_MEMORY or hi < seen[1] or lo > seen[2]:
            return "first"
        self.band = (min(lo, seen[1], *(self.band or ())), max(hi, seen[2], *(self.band or ())))
        self.until = time + BAND_MEMORY
        return "again"

    def mask(self, moved: np.ndarray, time: float) -> np.ndarray:
        """The blocks of the caption line's rows while one is known (`moved`: per block, changed since the
        last sample; a line changing keeps it known BAND_MEMORY seconds more)."""
        mask = np.zeros(moved.shape, dtype=bool)
        if self.band is None:
            return mask
        lo, hi = self.band
        inside = int(moved[lo:hi + 1].sum())
        below = moved[int(np.ceil(BAND_LOW * moved.shape[0])):]
        if inside >= BAND_BLOCKS and inside > below.sum() - inside:
            self.until = time + BAND_MEMORY
        if time > self.until:
            self.band = None
            return mask
        mask[lo:hi + 1] = True
        return mask
