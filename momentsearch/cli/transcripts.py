"""CLI `transcript`: an indexed video's speech as text, subtitles (SRT, WebVTT) or JSON, timed by its
words. Registered by cli/main.py; printing stays in the CLI."""

from __future__ import annotations

import os

from momentsearch.cli import streams
from momentsearch.errors import QueryError
from momentsearch.transcript import FORMATS, document


def add_transcript_parser(sub, common) -> None:
    p = sub.add_parser("transcript", help="a video's speech as text, subtitles (srt, vtt) or json",
                       description="What the index heard in VIDEO (ASR or the video's own captions), each "
                                   "sentence once, timed by its words.")
    p.add_argument("video", help="an indexed video (path or video id)")
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="text ([m:ss] sentence lines), srt or vtt (subtitles for a player), json; default %(default)s")
    p.add_argument("--from", dest="start", metavar="TIME", help="only from this time (seconds or [h:]mm:ss)")
    p.add_argument("--to", dest="end", metavar="TIME", help="only up to this time (seconds or [h:]mm:ss)")
    p.add_argument("-o", "--out", type=os.path.expanduser,
                   help="write to this file instead of printing (- prints it; never over an indexed file or "
                        "the video's own captions)")
    p.add_argument("--force", action="store_true", help="with -o: replace the file if it exists")
    common(p)


def cmd_transcript(args, index) -> int:
    from momentsearch.chapters import write_text
    from momentsearch.cli.extras import parse_time

    start = parse_time(args.start) if args.start is not None else None
    end = parse_time(args.end) if args.end is not None else None
    if start is not None and end is not None and end <= start:
        raise QueryError(f"--to {args.end} is not after --from {args.start}")
    record = index.find_video(args.video)
    if record.kind == "photo":  # ("no words were heard" is no answer for a picture)
        raise QueryError(f"{record.path} is a photo: a transcript is a video's or a recording's")
    chunks = index.chunks_of(record.video_id)
    if not chunks:
        raise QueryError(f"{record.path} has no speech in the index (no words were heard, or it was "
                         "indexed without a transcript)")
    if start is not None or end is not None:
        _check_stretch(record, chunks, args, start, end)
    text = document(record, chunks, args.format, start, end)
    if args.out and args.out != "-":  # never over the video, its captions or another indexed file ("-": stdout)
        write_text(text, args.out, record.path, [f.path for f in index.info().files], args.force, "transcript")
    else:
        print(streams.for_stdout(text) if args.format == "json" else text)
    return 0


def _check_stretch(record, chunks, args, start: float | None, end: float | None) -> None:
    """QueryError when --from/--to keep none of the speech: an empty page (or an empty .srt, which players
    and editors refuse) with exit status 0 read as a transcript that was lost. It says where the speech is."""
    from momentsearch.cli.output import fmt_time
    from momentsearch.transcript import cues, sentences

    rows = [(c.start, c.end, c.text, c.word_times) for c in chunks]
    spans = cues(rows, until=record.duration) if args.format in ("srt", "vtt") else sentences(rows)
    if any((start is None or e > start) and (end is None or s < end) for s, e, _ in spans):
        return
    if start is not None and record.duration and start >= record.duration:
        raise QueryError(f"--from {args.start} is past the end of {record.path} ({fmt_time(record.duration)} long)")
    asked = f"between {fmt_time(start or 0.0)} and {fmt_time(end) if end is not None else 'the end'}"
    before = [e for _, e, _ in spans if start is not None and e <= start]
    after = [s for s, _, _ in spans if end is not None and s >= end]
    near = ([f"the speech before it ends at {fmt_time(before[-1])}"] if before else []) + (
        [f"the next starts at {fmt_time(after[0])}"] if after else [])
    raise QueryError(f"no speech in {record.path} {asked}" + (f" ({', '.join(near)})" if near else ""))
