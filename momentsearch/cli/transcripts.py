"""CLI `transcript`: an indexed video's speech as text, subtitles (SRT, WebVTT) or JSON, timed by its
words. Registered by cli/main.py; printing stays in the CLI."""

from __future__ import annotations

import os

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
                   help="write to this file instead of printing (never over an indexed file or "
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
    text = document(record, chunks, args.format, start, end)
    if args.out:  # never over the video, its captions or another indexed file
        write_text(text, args.out, record.path, [f.path for f in index.info().files], args.force, "transcript")
    else:
        print(text)
    return 0
