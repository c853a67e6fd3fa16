"""Channels some files of an index lack: a lecture indexed with `--no-ocr`, or before CLIP's weights were there,
beside others indexed with them. Its slides or pictures are not searched, and a search said nothing of it (the
files seemed simply not to match)."""

from __future__ import annotations

import os

from momentsearch.types import FileRecord

# FileRecord.models key -> (the channel as a search result names it, why a file can lack it)
_OPTIONAL = {"ocr": ("slide text (ocr)", "indexed with --no-ocr"),
             "clip": ("the visual channel", "indexed without CLIP weights")}


def missing_channel_notes(records: list[FileRecord]) -> list[str]:
    """A note per channel that some of `records` (the complete files searched) have and others lack."""
    notes = []
    for key, (channel, why) in _OPTIONAL.items():
        if not any(key in r.models for r in records):
            continue  # the whole index lacks it: said elsewhere (info, index), not a mix
        without = [r for r in records if r.models and key not in r.models]
        if not without:
            continue
        names = sorted(os.path.basename(r.path) for r in without)
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        n = len(without)
        notes.append(f"{channel} not searched in {n} of {len(records)} files ({shown}: {why}); "
                     f"`momentsearch index` of {'them' if n > 1 else 'it'} with the channel on adds it")
    return notes
