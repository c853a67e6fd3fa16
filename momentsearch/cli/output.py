"""What the CLI shows: progress bars, the index summary, results. Uses rich; CLI-only.

Everything fits the terminal, 80 columns at most (`columns()`): results are two or three short lines each,
not a table whose cells wrap; long paths keep their end (the file name) and lose the middle.
"""

from __future__ import annotations

import os
import shlex
import textwrap
import time
from pathlib import Path

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)
from rich.table import Table
from rich.text import Text

from momentsearch.cli.safe_text import safe_text
from momentsearch.places import home_folder
from momentsearch.store.filestate import still_there
from momentsearch.types import (DECK_FIX, DECK_HOW, DECK_NO_MATCH, DECK_NO_OCR, DECK_NOT_READ, DECK_READ, DECK_UNUSED,
                                NOT_MEDIA, STILL_ARRIVING, IndexReport, Moment, ProgressEvent, shown_path)

out = Console(soft_wrap=True)
err = Console(stderr=True)


def _reader_gone() -> None:
    """`momentsearch search ... | head -1`: rich's own answer to a closed pipe is exit status 1 (which says
    some files failed); raised on, main() ends it as any closed pipe, with 0."""
    raise BrokenPipeError


out.on_broken_pipe = err.on_broken_pipe = _reader_gone
WIDTH = 80  # what the output is laid out for (wider terminals just have room to spare)
MIN_WIDTH = 40  # narrower than this, lines are laid out for this many columns and the terminal wraps them
WEAK_SCORE = 0.3  # results scoring below this are marked "weak": one channel matched a little
HIT_NOTE = 5.0  # seconds: a result whose matched words lie this far past its start says where they are
LOG_EVERY = 60.0  # seconds of wall time: without a terminal, a line on the file's progress at most this often
SUMMARY_ROWS = 30  # more rows than this: the summary counts indexed files that share a note in one line each


def columns() -> int:
    """The columns to lay lines out for: WIDTH, or fewer on a narrower terminal ($COLUMNS, as rich reads it),
    so a result line is not wrapped by the terminal in the middle of a word."""
    return max(MIN_WIDTH, min(WIDTH, out.width))


def cell(text: str) -> Text:
    """A table cell shown literally: escaped (safe_text), and no rich markup read from it."""
    return Text(safe_text(text))


def fmt_time(seconds: float) -> str:
    seconds = max(0.0, seconds)
    h, rem = divmod(int(seconds), 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def plural(n: int, word: str) -> str:
    """'1 file', '2 files'."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def short_path(path: str, width: int = 40) -> str:
    """`path` relative to the current folder when inside it, ~ for the home folder, and cut in the middle
    (keeping the file name) when still longer than `width`."""
    p = str(path)
    try:
        rel = os.path.relpath(p)
        if not rel.startswith(".."):
            p = rel
    except ValueError:  # another drive (Windows)
        pass
    home = str(home_folder() or "\0")  # no home folder to tell (a container's user): nothing is shortened
    if p.startswith(home + os.sep):
        p = "~" + p[len(home):]
    p = safe_text(p)  # a file name's escape sequences never reach the terminal
    if len(p) <= width:
        return p
    name = Path(p).name
    if len(name) >= width - 4:
        return "…" + name[-(width - 1):]
    return p[: width - len(name) - 2] + "…" + os.sep + name


class ProgressDisplay:
    """Two bars on stderr: files (count) and media seconds (with ETA); the current file and stage in the label.

    The media bar moves within a file ("media" events, when the pipeline sends them), never passes its
    total, and the finished bar says "done" instead of the last stage. Without a terminal (a log file) there are
    no bars: a line as each file begins work (not for a file found indexed and unchanged: a nightly re-run of
    thousands logs none of them), and within a long file a line at most every LOG_EVERY seconds with the
    media seconds done and the batch's ETA. `clock`: seconds, monotonic (tests pass their own).
    """

    def __init__(self, enabled: bool = True, clock=time.monotonic) -> None:
        self.wanted = enabled
        self.enabled = enabled and err.is_terminal  # bars only on a terminal; a log gets one line a file
        self.progress = Progress(
            TextColumn("{task.description}", markup=False), BarColumn(bar_width=20), MofNCompleteColumn(),
            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=err,
            disable=not self.enabled,
        )
        self.files_task = self.media_task = None
        self.current = ""
        self.total_seconds = 1
        self.seconds_before = 0.0  # media seconds of the files already finished
        self.running: dict[str, float] = {}  # media seconds done in each file not finished (several on Ray)
        self.clock, self.started, self.logged = clock, clock(), clock()  # the run's start, the last line logged
        self.pending = ""  # a log's line for the file begun, written once it does some work (or ends not unchanged)

    def __enter__(self) -> "ProgressDisplay":
        self.progress.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self.files_task is not None:
            self.progress.update(self.files_task, description="files: done")
        self.progress.__exit__(*exc)

    def _media_to(self, seconds: float) -> None:
        if self.media_task is not None:
            self.progress.update(self.media_task, completed=min(self.total_seconds, int(round(seconds))))

    def __call__(self, event: ProgressEvent) -> None:
        working = event.kind in ("stage", "media") or (event.kind == "done" and event.status != "unchanged")
        if self.pending and working:
            err.print(self.pending, markup=False, highlight=False, soft_wrap=True)  # one line, whatever its length
        if working or event.kind == "done":
            self.pending = ""
        if event.kind == "start":
            self.total_seconds = max(1, int(round(event.media_seconds)))
            self.files_task = self.progress.add_task("files", total=event.total_files)
            if event.media_seconds > 0:  # photos alone: no media seconds, no bar standing at 0/1
                self.media_task = self.progress.add_task("media seconds", total=self.total_seconds)
        elif event.kind == "file":
            self.current = _label(event.path)
            self.progress.update(self.files_task, description=f"files: {self.current}")
        elif event.kind == "stage":
            self.progress.update(self.files_task, description=f"files: {self.current} [{event.stage}]")
        elif event.kind == "media":  # within a file: seconds done so far, at most its duration
            file_seconds = getattr(event, "file_seconds", 0.0) or event.media_seconds
            self.running[event.path] = min(event.media_seconds, file_seconds)
            self._media_to(self.seconds_before + sum(self.running.values()))
            if not self.enabled and self.wanted and self.clock() - self.logged >= LOG_EVERY:
                self._log_media(self.running[event.path], file_seconds)
        elif event.kind == "done" and event.status == "unchanged":  # no work: its seconds leave the total,
            self.progress.advance(self.files_task)  # or 500 h indexed before made a new 3-hour file's ETA minutes
            self.total_seconds = max(0, self.total_seconds - int(round(event.media_seconds)))
            if self.media_task is not None:  # (nothing left to count: no bar standing at 0/0)
                self.progress.update(self.media_task, total=self.total_seconds, visible=self.total_seconds > 0)
        elif event.kind == "done":
            self.progress.advance(self.files_task)
            self.running.pop(event.path, None)
            self.seconds_before += event.media_seconds
            self._media_to(self.seconds_before + sum(self.running.values()))
            self.progress.update(self.files_task, description=f"files: {self.current}")
        if not self.enabled and event.kind == "file" and self.wanted:
            self.logged = self.clock()
            if event.index == 0:  # the rate counts from the first file, not from the models' loading
                self.started = self.logged
            self.pending = f"[{event.index + 1}/{event.total_files}] {safe_text(event.path)}"


    def _log_media(self, done: float, file_seconds: float) -> None:
        """One plain line for a log: this file's media seconds done, the batch's, and the ETA from the rate so far."""
        self.logged = now = self.clock()
        batch = self.seconds_before + sum(self.running.values())
        total = max(self.total_seconds, batch)
        eta = fmt_time((total - batch) * (now - self.started) / batch) if batch > 0 else "-"
        err.print(f"  {self.current}: {fmt_time(done)} of {fmt_time(file_seconds)}; all files {fmt_time(batch)} of "
                  f"{fmt_time(total)}, ETA {eta}", markup=False, highlight=False, soft_wrap=True)


def _label(path: str, width: int = 28) -> str:
    name = safe_text(Path(path).name)
    return name if len(name) <= width else name[: width - 1] + "…"


def _group_indexed(rows: list) -> tuple[list, dict[str, list]]:
    """A first index of a department's hundreds of files: past SUMMARY_ROWS rows, the indexed files with no
    note, and those that share one (every photo without text, when CLIP is off), become a line per note under
    the table instead of a row each; failures, skips and a note of one file's own stay rows (--json: a row each)."""
    if len(rows) <= SUMMARY_ROWS:
        return rows, {}
    notes: dict[str, list] = {}
    for f in rows:
        if f.status == "indexed":
            notes.setdefault(f.reason, []).append(f)
    alike = {note: files for note, files in notes.items() if len(files) > 1 or not note}
    grouped = {id(f) for files in alike.values() for f in files}
    return [f for f in rows if id(f) not in grouped], alike


def _read_beside(captions: list, decks: list, unused: list) -> None:
    """The summary's lines for the files read with the video of their name: one line each kind, not a row each;
    `unused`: decks beside the video of their name that cannot back it up (a scan), one line each reason."""
    if captions:  # a captioned course's .srt beside every video
        out.print(f"{plural(len(captions), 'caption file')} read as the captions of the video of the same name",
                  markup=False, highlight=False)
    if decks:  # lecture.pdf beside lecture.mp4: the video's row says how many of its pages its slides matched
        out.print(f"{plural(len(decks), 'slide deck')} (PDF) read with the video of the same name",
                  markup=False, highlight=False)
    for why in sorted({f.reason[len(DECK_UNUSED) + 2:] for f in unused}):  # a scan was listed as read above
        these = [f for f in unused if f.reason.endswith(why)]
        names = ", ".join(Path(f.path).name for f in these[:3]) + (", ..." if len(these) > 3 else "")
        out.print(cell(f"{plural(len(these), 'slide deck')} (PDF) beside the video of the same name not used, {why}: "
                       f"{names}" + ("" if why in (DECK_NO_MATCH, DECK_NO_OCR) else f"; {DECK_FIX}")),
                markup=False, highlight=False)


def print_report(report: IndexReport) -> None:
    for w in report.warnings:
        # escaped (a warning can name a file, and a name's escape sequences must not reach the terminal), and one
        # line however long: a log file keeps it whole for grep, a terminal wraps it itself
        err.print(cell(f"warning: {w}"), style="yellow", soft_wrap=True)
    # rows a user need not read one by one: a course folder's PDFs and notes, and on a nightly re-run the
    # hundreds of recordings indexed before: each a line under the table (--json keeps a row each)
    other = [f for f in report.files if f.status == "skipped" and f.reason == NOT_MEDIA]
    decks = [f for f in report.files if f.status == "skipped" and f.reason == DECK_NOT_READ]
    same = [f for f in report.files if f.status == "unchanged" and not f.reason]
    captions = [f for f in report.files if f.status == "skipped" and f.reason.startswith("subtitles: read as")]
    decks_read = [f for f in report.files if f.status == "skipped" and f.reason == DECK_READ]
    unused = [f for f in report.files if f.status == "skipped" and f.reason.startswith(DECK_UNUSED)]
    arriving = [f for f in report.files if f.status == "skipped" and f.reason.startswith(STILL_ARRIVING)]
    grouped = {id(f) for f in other + decks + same + captions + arriving + decks_read + unused}
    rows = [f for f in report.files if id(f) not in grouped]
    rows, indexed_alike = _group_indexed(rows)
    if rows or not (other or decks or same or indexed_alike or arriving):
        table = Table(title="Index summary", show_lines=False)
        table.add_column("file", overflow="fold", max_width=36)
        for col in ("status", "duration", "channels"):
            table.add_column(col)
        table.add_column("note", overflow="fold", max_width=30)
        for f in rows:
            table.add_row(cell(short_path(f.path, 36)), f.status, fmt_time(f.duration) if f.duration else "",
                          ",".join(f.channels), cell(f.reason))
        out.print(table, width=max(MIN_WIDTH, min(out.width, 120)))
    for note, alike in indexed_alike.items():
        seconds = sum(f.duration for f in alike)
        media = f" ({fmt_time(seconds)} of media)" if seconds else ""
        out.print(cell(f"{plural(len(alike), 'file')} indexed{media}" + (f": {note}" if note else "")),
                  markup=False, highlight=False)
    if same:
        seconds = sum(f.duration for f in same)  # (photos alone: no "0:00 of media")
        media = f" ({fmt_time(seconds)} of media)" if seconds else ""
        out.print(f"{plural(len(same), 'file')} already indexed and unchanged{media}: nothing redone",
                  markup=False, highlight=False)
    _read_beside(captions, decks_read, unused)
    if decks:  # lecture.pptx beside lecture.mp4: not counted among a folder's other files, as if it were read
        out.print(cell(f"{plural(len(decks), 'slide deck')} not read ({_kinds(decks)}): {DECK_HOW}"),
                  markup=False, highlight=False)
    if arriving:  # a nightly run beside copies and downloads under way: said once, each file named
        names = ", ".join(Path(f.path).name for f in arriving[:3]) + (", ..." if len(arriving) > 3 else "")
        them, renamed = "them once they are" if len(arriving) > 1 else "it once it is", _renamed(arriving)
        out.print(cell(f"{plural(len(arriving), 'file')} still being copied or downloaded, skipped ({names}): the "
                       f"next run indexes {them} complete{renamed}; --json lists {them.split()[0]}"),
                  markup=False, highlight=False)
    if other:
        out.print(cell(f"{plural(len(other), 'other file')} skipped, not media ({_kinds(other)}); --json lists them"),
                  markup=False, highlight=False)
    counts: dict[str, int] = {}
    for f in report.files:
        counts[f.status] = counts.get(f.status, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "no files"
    times = ", ".join(f"{k} {v:.1f}s" for k, v in report.times.seconds.items())
    out.print(f"{plural(len(report.files), 'file')}: {summary}. Time per stage: {times or '-'}",
              markup=False, highlight=False)
    if report.models:
        out.print("Models: " + ", ".join(f"{k}={v}" for k, v in report.models.items()), markup=False,
                  highlight=False)


def _renamed(arriving) -> str:
    """" and renamed" where every file still arriving has a temporary name (a .part), else ""."""
    return " and renamed" if all("renamed to" in f.reason for f in arriving) else ""


def _kinds(files) -> str:
    """How many of `files` have each extension, most first (eight at most): `.pdf 25, .py 1`."""
    kinds: dict[str, int] = {}
    for f in files:
        kind = Path(f.path).suffix.lower() or "no extension"
        kinds[kind] = kinds.get(kind, 0) + 1
    # quoted where it ends in white space, which the line would hide (`.txt  1`): `".txt " 1`
    most = sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))[:8]
    listed = ", ".join(f"{k if k == k.rstrip() else repr(k)} {n}" for k, n in most)
    return listed + (", ..." if len(kinds) > 8 else "")


def _why(m: Moment) -> str:
    """Each channel searched in the moment's file, by score; "(by sound)" where the words matched only sound like
    the query's, "(deck lecture.pdf p. 4)" where the slide words matched are the deck's, not OCR's. A channel that
    found nothing is listed at 0.00 after the others (it counts in the fused score's mean, so the line adds up as
    the README says); "" where none matched."""
    ranked = sorted(m.channels.items(), key=lambda kv: (-kv[1], kv[0]))
    if not any(v > 0 for _, v in ranked):
        return ""
    deck = f" (deck {m.deck})" if m.deck else ""  # the slide's words that matched came from the lecture's PDF
    return " ".join(f"{k} {v:.2f}{' (by sound)' if k in m.by_sound else ''}{deck if k == 'ocr' else ''}"
                    for k, v in ranked)


def print_moments(query: str, moments: list[Moment], channels: set[str], blame_filters: bool = True,
                  spelling: str = "", empty_note: str = "", db: str = "") -> None:
    """Each result: rank, score (weak ones marked), time, file; then why it ranked; then its text; then its link.
    `blame_filters`: with no results, whether the query's "phrases" and -words removed what its words found.
    `spelling`: what was searched instead of typos, printed under the heading. `empty_note`: why nothing was
    found, as the caller's index says it (MomentIndex.why_nothing; a caller without an index leaves it out). `db`: the
    index folder, named in what to do about a moved file ("" for an index on a Chroma server)."""
    width = columns()
    tail = f" (channels: {', '.join(sorted(channels)) or 'none'})"
    room = max(20, width - len("Results for ''…") - len(tail))  # a pasted page of query is not echoed whole
    heading = f"Results for {query if len(query) <= room else query[:room] + '…'!r}"
    for line in [heading + tail] if len(heading + tail) <= width else [heading, tail.strip()]:
        out.print(line, markup=False, highlight=False, style="bold")
    if spelling:
        out.print(spelling, markup=False, highlight=False)
    if not moments:
        from momentsearch.api import nothing_found_note, nothing_indexed_note

        # without `empty_note`, `channels` (what the index holds) is all there is to go by: none, nothing is indexed
        why = empty_note or (nothing_found_note(query, blame_filters) if channels
                             else nothing_indexed_note(channels=set(), searchable=set()))
        out.print(why, markup=False, highlight=False)
        return
    missing = {m.video for m in moments if not still_there(m.video)}  # gone, not hidden by a permission
    for i, m in enumerate(moments, 1):
        weak = m.score < WEAK_SCORE
        when = "photo" if m.kind == "photo" else f"{fmt_time(m.start)}-{fmt_time(m.end)}"
        if m.hit_start is not None and m.hit_start - m.start >= HIT_NOTE:  # a long section: where its words are
            when += f" (words at {fmt_time(m.hit_start)})"
        head = f"{i:>2}. {m.score:5.2f}{' weak' if weak else ''}  {when}  {'(missing) ' if m.video in missing else ''}"
        out.print(head + short_path(m.video, max(12, width - len(head))), markup=False, highlight=False,
                  style="dim" if weak else None)
        out.print(f"    why: {_why(m) or 'no channel matched'}", markup=False, highlight=False, style="dim")
        if m.copies:  # identical files share the entries, twins are shifted: the same moment is in each of them
            more = f" and {len(m.copies) - 1} more" if len(m.copies) > 1 else ""  # --json lists each
            at = f" at {fmt_time(m.copies_at[m.copies[0]])}" if m.copies[0] in m.copies_at else ""
            out.print(f"    also in: {short_path(m.copies[0], max(12, width - 14 - len(at + more)))}{at}{more}",
                      markup=False, highlight=False, style="dim")
        if m.text:
            text = textwrap.shorten(" ".join(safe_text(m.text).split()), width=2 * (width - 6), placeholder=" …")
            for line in textwrap.wrap(text, width - 6):
                out.print(f"    {line}", markup=False, highlight=False, style="dim" if weak else None)
        slide = m.evidence.get("ocr", "")
        if slide and slide != m.text:  # the slide text that matched, when the lines above are speech
            line = textwrap.shorten(" ".join(safe_text(slide).split()), width=width - 11, placeholder=" …")
            out.print(f"    slide: {line}", markup=False, highlight=False, style="dim" if weak else None)
        # its link (the file at the moment's second) on a line of its own and never wrapped, so a terminal can still
        # open it and `| grep -o 'file://.*'` lists every result's, not the first's alone
        out.print(f"    {m.url}", markup=False, highlight=False, soft_wrap=True)
    if missing:  # indexed, then moved or deleted: the index still holds their words until told otherwise
        note = (f"(missing): {_missing_files(len(missing))}: index where it went with {_take_over(db)}, "
                "or take missing files out with `momentsearch prune`")
        for line in textwrap.wrap(note, width):
            out.print(line, markup=False, highlight=False)


def _missing_files(n: int) -> str:
    return ("the file is not where it was indexed" if n == 1 else f"{n} files are not where they were indexed") + \
        " (moved or deleted)"


def _take_over(db: str) -> str:
    """The command that finds moved files again in this index. It names the index: a folder copied to a stick
    with its index inside, then indexed without --db, was indexed again from scratch into ./momentsearch-db."""
    return f"`momentsearch index FOLDER --db {safe_text(shlex.quote(db))}`" if db else "`momentsearch index FOLDER`"
