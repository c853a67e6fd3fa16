"""What `momentsearch info` shows: the index, its channels and models, and each file with its state."""

from __future__ import annotations

import textwrap

from momentsearch.cli import output
from momentsearch.cli.output import _missing_files, _take_over, fmt_time, plural, short_path
from momentsearch.cli.safe_text import safe_text
from momentsearch.store.filestate import MISSING, MODIFIED, UNREADABLE, file_state


def print_info(info) -> None:
    width = output.columns()
    output.out.print(f"Index: {safe_text(info.db)}", markup=False, highlight=False)
    output.out.print(f"Channels: {', '.join(info.channels) or 'none'}", markup=False, highlight=False)
    if "visual" not in info.channels:
        import importlib.util

        need = ("weights: pass --clip-pretrained /path/to/checkpoint when indexing" if importlib.util.find_spec("open_clip")
                else "install it with scripts/setup.sh --clip in a checkout, or pip install 'momentsearch[clip]', "
                "and pass --clip-pretrained /path/to/checkpoint")
        output.out.print(f"Visual channel: off (no CLIP when indexing; {need})", markup=False, highlight=False)
    for k, v in info.models.items():
        output.out.print(f"Model {k}: {v}", markup=False, highlight=False)
    if info.writing:  # a batch still running: its files become searchable one by one as each finishes
        output.out.print(f"Being written now by {safe_text(info.writing)}", markup=False, highlight=False)
    output.out.print("Entries: " + ", ".join(f"{k}={v}" for k, v in info.counts.items()), markup=False, highlight=False)
    output.out.print(plural(len(info.files), "file") + ":", markup=False, highlight=False, style="bold")
    states = {f.path: file_state(f) for f in info.files}  # gone, or replaced since: its entries describe another
    missing = {path for path, state in states.items() if state == MISSING}
    first: dict[str, str] = {}  # video id -> the first file listed of that content (copies share its entries)
    for f in info.files:  # two short lines a file: readable on a narrow terminal, however long the path
        output.out.print("  " + short_path(f.path, width - 2), markup=False, highlight=False)
        extra = [f"speech from {f.sources['transcript']}"] if f.sources.get("transcript") else []
        extra += [f"language {f.language}"] if f.language else []
        if (same := first.setdefault(f.video_id, f.path)) != f.path:
            extra.append(f"same content as {short_path(same, width - 4)}")
        state = "complete" if f.complete else ("being indexed now, not searchable yet" if info.writing
                                               else "incomplete: re-run index")
        if f.path in missing:  # what matters more than being complete: there is nothing to play or cut
            state = "file missing (moved or deleted?)"
        elif f.complete and states[f.path] == MODIFIED:  # re-edited under the same name, or a recording that grew
            state = "file changed since indexed (`momentsearch index` on it again updates it)"
        elif states[f.path] == UNREADABLE:  # its folder's permissions hide it (it was called missing)
            state = "file cannot be looked at from here (permission denied)"
        details = [f.kind, fmt_time(f.duration), "+".join(f.channels) or "no channels", *extra, state]
        output.out.print("    " + ", ".join(details), markup=False, highlight=False, style="dim")
    for note in info.notes:  # files another momentsearch made: what --reindex would change
        for line in textwrap.wrap(f"Note: {safe_text(note)}", width):
            output.out.print(line, markup=False, highlight=False)
    if missing:
        db = "" if "://" in info.db else info.db  # a Chroma server's index is named by its URL
        for line in textwrap.wrap(f"{_missing_files(len(missing))}: {_take_over(db)} where they went takes their "
                                  "entries over with nothing redone; `momentsearch prune` takes missing files out "
                                  "of the index (`prune --dry-run` lists them first)", width):
            output.out.print(line, markup=False, highlight=False)
