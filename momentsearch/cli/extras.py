"""CLI commands around a moment: `clip` (cut it out), `chapters` (a video's table of contents), and
`search --export-clips`. Registered by cli/main.py; printing stays in the CLI."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from momentsearch.chapters import same_file
from momentsearch.cli import streams
from momentsearch.errors import BadInputError, QueryError, server_gone

_CLOCK = re.compile(r"^(?:(\d+):)?(\d+):(\d+(?:\.\d*)?)$")


def parse_time(text: str) -> float:
    """Seconds from "75", "75.5", "1:15" or "1:01:15" (QueryError otherwise)."""
    text = str(text).strip()
    m = _CLOCK.match(text)
    try:
        if m:
            return int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
        return float(text)
    except ValueError:
        pass
    raise QueryError(f"{text!r} is not a time; use seconds (75.5) or [h:]mm:ss (1:15)")


def add_clip_parser(sub, common) -> None:
    p = sub.add_parser("clip", help="cut a moment out of a video (stream copy, no re-encode)",
                       description="Cut START..END out of VIDEO without re-encoding. The clip starts on the "
                                   "keyframe at or before START; the real start is printed.")
    p.add_argument("video", help="a video file, or the video id of an indexed file")
    p.add_argument("start", help="seconds or [h:]mm:ss")
    p.add_argument("end", help="seconds or [h:]mm:ss")
    from momentsearch.clip_names import CLIP_SUFFIXES

    p.add_argument("-o", "--out", required=True, type=os.path.expanduser,
                   help=f"the clip file ({', '.join(CLIP_SUFFIXES)})")
    p.add_argument("--pad", type=float, default=0.0, metavar="SECONDS",
                   help="extra seconds on both sides (default %(default)g)")
    p.add_argument("--force", action="store_true", help="replace the clip file if it exists (never an indexed file)")
    common(p)
    p.add_argument("--json", action="store_true", help="print the clip's file and real span as one JSON object")


def add_chapters_parser(sub, common) -> None:
    from momentsearch.chapters import FORMATS

    p = sub.add_parser("chapters", help="a video's table of contents (slide titles, or topic shifts in speech)")
    p.add_argument("video", help="an indexed video (path or video id)")
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="text, json, youtube (00:00 Title lines for a description), vtt (WebVTT chapters); "
                        "default %(default)s")
    p.add_argument("-o", "--out", type=os.path.expanduser,
                   help="write to this file instead of printing (- prints it; never over an indexed file)")
    p.add_argument("--force", action="store_true", help="with -o: replace the file if it exists")
    common(p)


def check_output(out: str, inputs: list, force: bool = False) -> None:
    """QueryError when `out` is one of the `inputs` (files read by the same command) or a folder, or exists
    and `force` is off (as `chapters -o` and `clip -o`)."""
    if Path(out).is_dir():
        raise QueryError(f"{out} is a folder: name a file to write")
    for source in inputs:
        if same_file(out, source):
            raise QueryError(f"{out} is also read by this command ({source}): name another file to write")
    if Path(out).exists() and not force:
        raise QueryError(f"{out} exists: add --force to replace it, or name another file")


def cmd_chapters(args, index) -> int:
    from momentsearch.chapters import format_chapters, write_text, youtube_note

    record = index.find_video(args.video)
    video = record.path
    if record.kind == "photo":  # (every format: an empty document said nothing)
        raise QueryError(f"{video} is a photo: chapters are a video's or a recording's")
    chapters = index.chapters(args.video)
    if args.out == "-":  # stdout, as `-o -` means to other tools (it wrote a file named "-")
        args.out = None
    if not chapters and not args.out and args.format == "text":  # an empty page, exit 0: as if they were lost
        raise QueryError(f"{video} has no chapters: no slide titles were read and no "
                         "speech was heard (or it was indexed without them)")
    text = format_chapters(chapters, args.format)
    if args.out:  # never over the video, its captions or another indexed file
        write_text(text, args.out, video, [f.path for f in index.info().files], overwrite=args.force)
    else:
        print(streams.for_stdout(text) if args.format == "json" else text)
    if args.format == "youtube" and (note := youtube_note(chapters)):  # pasted, they would silently do nothing
        print(f"momentsearch: note: {note}", file=sys.stderr)
    return 0


def note_unindexed(index, truths) -> None:
    """One line on stderr naming the ground truth's videos that the index does not hold: `eval` scores their
    queries as misses, and a lower number with no word why reads as a worse ranker. And the index's notes (files
    an older momentsearch made, searched as it made them): scored without a word, they read as today's ranker."""
    from momentsearch.evaluate import indexed_ids

    info = index.info()
    for note in info.notes:
        print(f"momentsearch: note: {note}", file=sys.stderr)
    files = info.files
    missing = sorted({t.video for t in truths if not indexed_ids(files, t.video)})
    if missing:
        queries = sum(t.video in missing for t in truths)
        names = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        print(f"momentsearch: note: {queries} quer{'y' if queries == 1 else 'ies'} counted as missed, their video is "
              f"not in the index: {names}", file=sys.stderr)


def note_unmatched(predictions: dict, truths, path: str) -> None:
    """One line on stderr for each way a predictions file and the ground truth disagree on their qids: the
    truth's queries with no prediction line score 0 and predicted qids the truth lacks are not read, and either
    way a lower number with no word why reads as a worse system (the official scorer refuses such a pair)."""
    from momentsearch.evaluate import qid_key

    predicted, known = {qid_key(q) for q in predictions}, {qid_key(t.qid) for t in truths}
    unanswered = [t.qid for t in truths if qid_key(t.qid) not in predicted]
    unknown = [q for q in predictions if qid_key(q) not in known]

    def some(qids) -> str:
        return ", ".join(repr(q) for q in qids[:3]) + (f" and {len(qids) - 3} more" if len(qids) > 3 else "")

    if unanswered:
        print(f"momentsearch: note: {len(unanswered)} quer{'y' if len(unanswered) == 1 else 'ies'} of the ground truth "
              f"ha{'s' if len(unanswered) == 1 else 've'} no line in {path}, counted as missed: {some(unanswered)}",
              file=sys.stderr)
    if unknown:
        print(f"momentsearch: note: {len(unknown)} qid{'s' * (len(unknown) != 1)} in {path} "
              f"{'are' if len(unknown) != 1 else 'is'} not in the ground truth, not scored: {some(unknown)}",
              file=sys.stderr)


def lost_server(exc: Exception, server) -> int:
    """A Chroma server that stopped answering after the run began (`server`: the ChromaServer, None for a local
    index): one line and exit status 2, as when it is down at the start; any other error is raised on."""
    if server is None or not server_gone(exc):
        raise exc
    print(f"momentsearch: error: lost the Chroma server at {server.url} ({exc or type(exc).__name__}); re-run the "
          "same command once it answers again: finished files are kept", file=sys.stderr)
    return 2


def no_memory(exc: Exception, command: str) -> int:
    """An allocation that failed (a MemoryError, a library that could not be mapped under `ulimit -v`): one line
    naming it and what to do, exit status 2."""
    from momentsearch.cli.output import safe_text
    from momentsearch.no_memory import memory_error

    message = str(memory_error(exc))
    if command not in ("index", "demo"):  # searching loads MiniLM and the index: about 200 MB
        message = (message.split(". Indexing")[0] + f". `momentsearch {command}` needs about 200 MB of free memory "
                   "(1 GB of address space under `ulimit -v`); close other programs or raise the limit")
    print(f"momentsearch: error: {safe_text(message)}", file=sys.stderr)
    return 2


def why_no_image_match(index, kind) -> str:
    """Why an image query found nothing: no result of the `kind` asked for, or no match for the words read on it."""
    from momentsearch.api import image_nothing_found_note

    return image_nothing_found_note(kind, index.videos())


def image_note_of(index) -> str:
    """What an image query was searched by ("" when the picture itself was compared too)."""
    from momentsearch.api import image_note

    return image_note(index.searchable_channels())


def picture_note_of(index, query: str) -> str:
    """Why a text query asking for a kind of picture is answered by words alone ("" when pictures are compared)."""
    from momentsearch.api import picture_note

    return picture_note(query, index.searchable_channels())


def say_queued(index, wait: float | None) -> None:
    """A writer told to `--wait` for another: says on stderr whom it waits for, once, so a long wait is not taken
    for a hang ("loading models…" was all it said while another run indexed for an hour)."""
    from momentsearch.store.lock import writing_now

    if wait and not index.chroma_url and (who := writing_now(index.db)):
        print(f"momentsearch: the index {index.db} is being written by {who}: waiting up to {wait:g}s for it to "
              "finish (--wait)", file=sys.stderr, flush=True)


def index_notes_of(index) -> list[str]:
    """What a search's user should know about the index: while another process indexes into this folder,
    which files it has not finished (not searchable yet); else the index's warnings (files whose indexing
    stopped before the end, a channel not searched here). A Chroma server's writers are not known here."""
    from momentsearch.store.lock import writing_now

    if index.chroma_url or not writing_now(index.db):
        return list(index.warnings)
    info = index.info()
    pending = [Path(f.path).name for f in info.files if not f.complete]
    names = ", ".join(pending[:3]) + (f" and {len(pending) - 3} more" if len(pending) > 3 else "")
    return [f"the index is being written now by {info.writing}"
            + (f"; not searchable until it finishes them: {names}" if pending else "")]


def print_image_words(words: str, note: str) -> None:
    from momentsearch.cli.output import safe_text

    if words:  # none: the picture alone was compared (without it and the visual channel, an error before this)
        print(f"Words read on the image: {safe_text(words)}" + (f" ({note})" if note else ""))


def add_export_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--export-clips", metavar="DIR", type=os.path.expanduser,
                   help="also cut each result into DIR (stream copy)")
    p.add_argument("--clip-pad", type=float, default=0.0, metavar="SECONDS",
                   help="with --export-clips: extra seconds on both sides of each clip (default %(default)g)")
    p.add_argument("--force", action="store_true",
                   help="with --export-clips: replace clips of the same name in DIR (never an indexed file)")


def _print_clip(clip, note: str = "") -> None:
    from momentsearch.cli.output import safe_text  # a file name's control characters are never printed raw
    from momentsearch.clips import said_time

    late = clip.asked_start - clip.start
    where = f" (starts {late:.1f} s early, on the keyframe at or before {clip.asked_start:.1f} s)" if late > 0.05 else ""
    if clip.asked_end - clip.end > 0.5:  # `clip talk.mp4 1 99` of a 9 s file: its end, not 99 s
        where += f" (the file ends at {said_time(round(clip.end, 1))}, before the {said_time(clip.asked_end)} " \
                 "asked)"
    span = f"{clip.start:.2f}-{clip.end:.2f} s"
    print(f"{safe_text(clip.path)}: {span} of {safe_text(clip.source)}{where}{note}")


def cmd_clip(args, index) -> int:
    _check_clip_out(args.out, args.video, index, args.force)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)  # -o clips/talk.mp4 into a new folder
    clip = index.export_clip(args.video, parse_time(args.start), parse_time(args.end), args.out, padding=args.pad,
                             force=True)  # (an existing file: refused above without --force)
    if args.json:
        streams.print_json(clip.to_json())
    else:
        _print_clip(clip)
    return 0


def _check_clip_out(out: str, video: str, index, force: bool) -> None:
    """QueryError when the clip would go over an indexed file, or over any existing file without --force
    (the video it is cut from: cut_clip says so itself)."""
    from momentsearch.errors import IndexNotFoundError

    if not Path(out).exists() or Path(out).is_dir() or same_file(out, video):
        return
    try:
        indexed = [f.path for f in index.info().files]
    except IndexNotFoundError:  # a clip of a file named by path needs no index
        indexed = []
    if (used := next((p for p in indexed if same_file(out, p)), None)) is not None:
        raise QueryError(f"{out} is an indexed file ({used}): name another file for the clip")
    if not force:
        raise QueryError(f"{out} exists: add --force to replace it, or name another file")


def export_clips(index, moments, folder: str, padding: float, quiet: bool = False, force: bool = False) -> list:
    """Cut each moment (photos are skipped) into `folder` as NN-name-START-END.ext; the Clips. A clip name
    that is already there (an earlier search's clip, cut with another padding or from another talk.mp4) is
    a QueryError before anything is cut, unless `force`; an indexed file is never replaced."""
    from momentsearch.clip_names import clip_file_name

    out_dir = Path(folder)
    if out_dir.exists() and not out_dir.is_dir():  # mkdir would say only "File exists"
        raise QueryError(f"--export-clips {folder} is a file: name a folder for the clips (it is created)")
    planned = []  # (rank, moment, clip path)
    for rank, m in enumerate(moments, 1):
        if m.kind != "photo":
            planned.append((rank, m, out_dir / clip_file_name(m.video, m.start, m.end, f"{rank:02d}-")))
    _check_clip_names([out for _, _, out in planned], index, force)
    if photos := [rank for rank, m in enumerate(moments, 1) if m.kind == "photo"]:  # else no clip, no word
        ranks = ", ".join(str(rank) for rank in photos)
        print(f"no clip of result{'s' if len(photos) > 1 else ''} {ranks}: a photo has no time to cut "
              "(--kind moment asks for videos and recordings only)", file=sys.stderr)
    out_dir.mkdir(parents=True, exist_ok=True)
    clips = []
    for rank, m, out in planned:
        try:
            clips.append(index.export_clip(m.video, m.start, m.end, out, padding=padding, force=True))  # checked
        except BadInputError as exc:  # one moment that cannot be cut (file gone, nothing there) stops no other
            print(f"skipped result {rank}: {exc}", file=sys.stderr)
            continue
        if not quiet:
            _print_clip(clips[-1])
    return clips


def _check_clip_names(outs: list[Path], index, force: bool) -> None:
    """QueryError when a clip of `outs` would go over an indexed file, or over any existing file without
    `force`: every name is checked before the first clip is cut, so a refused export writes nothing."""
    taken = [out for out in outs if out.exists()]
    if (folder := next((out for out in taken if out.is_dir()), None)) is not None:
        raise QueryError(f"{folder} is a folder, where a clip of these results goes: export into another folder")
    for out in taken:
        _check_clip_out(str(out), "", index, force=True)  # an indexed file: refused even with --force
    if taken and not force:
        more = f" (and {len(taken) - 1} more of these results' clips)" if len(taken) > 1 else ""
        raise QueryError(f"{taken[0]} exists{more}: add --force to replace {'them' if more else 'it'}, or export "
                         "into another folder")
