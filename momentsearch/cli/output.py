"""What the CLI shows: progress bars, the index summary, result tables. Uses rich; CLI-only."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)
from rich.table import Table

from momentsearch.types import IndexReport, Moment, ProgressEvent

out = Console(soft_wrap=True)
err = Console(stderr=True)


def fmt_time(seconds: float) -> str:
    seconds = max(0.0, seconds)
    h, rem = divmod(int(seconds), 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class ProgressDisplay:
    """Two bars on stderr: files (count) and media seconds (with ETA); the stage in the label."""

    def __init__(self, enabled: bool = True) -> None:
        self.wanted = enabled
        self.enabled = enabled and err.is_terminal  # bars only on a terminal; a log gets one line a file
        self.progress = Progress(
            TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=err,
            disable=not self.enabled,
        )
        self.files_task = self.media_task = None
        self.current = ""

    def __enter__(self) -> "ProgressDisplay":
        self.progress.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.__exit__(*exc)

    def __call__(self, event: ProgressEvent) -> None:
        if event.kind == "start":
            self.files_task = self.progress.add_task("files", total=event.total_files)
            self.media_task = self.progress.add_task("media seconds", total=max(1, int(event.media_seconds)))
        elif event.kind == "file":
            self.current = Path(event.path).name
            self.progress.update(self.files_task, description=f"files: {self.current}")
        elif event.kind == "stage":
            self.progress.update(self.files_task, description=f"files: {self.current} [{event.stage}]")
        elif event.kind == "done":
            self.progress.advance(self.files_task)
            self.progress.advance(self.media_task, int(round(event.media_seconds)))
        if not self.enabled and event.kind == "file" and self.wanted:
            err.print(f"[{event.index + 1}/{event.total_files}] {event.path}", markup=False, highlight=False)


def print_report(report: IndexReport) -> None:
    for w in report.warnings:
        err.print(f"warning: {w}", markup=False, style="yellow")
    table = Table(title="Index summary", show_lines=False)
    for col in ("file", "status", "duration", "channels", "note"):
        table.add_column(col)
    for f in report.files:
        table.add_row(f.path, f.status, fmt_time(f.duration) if f.duration else "", ",".join(f.channels), f.reason)
    out.print(table)
    counts: dict[str, int] = {}
    for f in report.files:
        counts[f.status] = counts.get(f.status, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "no files"
    times = ", ".join(f"{k} {v:.1f}s" for k, v in report.times.seconds.items())
    out.print(f"{summary}. Time per stage: {times or '-'}", markup=False, highlight=False)
    if report.models:
        out.print("Models: " + ", ".join(f"{k}={v}" for k, v in report.models.items()), markup=False,
                  highlight=False)


def print_moments(query: str, moments: list[Moment], channels: set[str]) -> None:
    table = Table(title=f"Results for {query!r}  (channels: {', '.join(sorted(channels)) or 'none'})")
    for col in ("#", "score", "video", "time", "why (per channel)", "text"):
        table.add_column(col, overflow="fold")
    for i, m in enumerate(moments, 1):
        why = " ".join(f"{k}={v:.2f}" for k, v in sorted(m.channels.items()) if v > 0)
        text = m.text if len(m.text) <= 100 else m.text[:97] + "..."
        table.add_row(str(i), f"{m.score:.3f}", Path(m.video).name,
                      f"{fmt_time(m.start)}-{fmt_time(m.end)}", why, text)
    out.print(table)
    if not moments:
        out.print("No results.")
    for m in moments[:3]:
        out.print(f"  open: {m.url}", markup=False, highlight=False)


def print_info(info) -> None:
    out.print(f"Index: {info.db}", markup=False, highlight=False)
    out.print(f"Channels: {', '.join(info.channels) or 'none'}", markup=False, highlight=False)
    if "visual" not in info.channels:
        out.print("Visual channel: off (no CLIP weights were available when indexing; pass "
                  "--clip-pretrained /path/to/checkpoint to add it)", markup=False, highlight=False)
    for k, v in info.models.items():
        out.print(f"Model {k}: {v}", markup=False, highlight=False)
    out.print("Entries: " + ", ".join(f"{k}={v}" for k, v in info.counts.items()), markup=False, highlight=False)
    table = Table(title=f"{len(info.files)} files")
    for col in ("file", "kind", "duration", "channels", "speech from", "language", "state"):
        table.add_column(col, overflow="fold")
    for f in info.files:
        table.add_row(f.path, f.kind, fmt_time(f.duration), ",".join(f.channels),
                      f.sources.get("transcript", ""), f.language or "",
                      "complete" if f.complete else "incomplete (re-run index to finish)")
    out.print(table)
