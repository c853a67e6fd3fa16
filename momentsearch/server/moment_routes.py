"""Routes around one video: its chapters, its transcript as sentences, clips cut from it and its clock.

Like server/routes.py, every route reads the MomentIndex from `app.state.index` through its public
methods, and looks media up by index id only.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from momentsearch.clip_names import AUDIO_SUFFIXES, clip_file_name, saved_name, visible_name
from momentsearch.clips import WRITE_REFUSED
from momentsearch.errors import DiskFullError, MediaChangedError, QueryError
from momentsearch.scratch import make_scratch, remove_scratch
from momentsearch.server import media as sm
from momentsearch.server.playback import player_file
from momentsearch.server.routes import _chunks, _record
from momentsearch.server.schemas import ERRORS, ChaptersOut, ClockOut, TranscriptOut
from momentsearch.types import shown_path

router = APIRouter(prefix="/api", tags=["api"], responses=ERRORS)


@router.get("/chapters/{video_id}", response_model=ChaptersOut)
async def chapters(video_id: str, request: Request):
    """The video's table of contents: [{start, end, title, source: slides|speech}]."""
    record = await _record(request, video_id)
    got = await run_in_threadpool(request.app.state.index.chapters, record.video_id)
    return {"video_id": record.video_id, "chapters": [c.to_json() for c in got]}


_SUBTITLE_TYPES = {"srt": "application/x-subrip; charset=utf-8", "vtt": "text/vtt; charset=utf-8",
                   "text": "text/plain; charset=utf-8"}


@router.get("/transcript/{video_id}", response_model=TranscriptOut,  # (the downloads bypass it: a Response)
            responses={200: {"content": {t.split(";")[0]: {} for t in _SUBTITLE_TYPES.values()},
                             "description": "json: the sentences; srt, vtt, text: a file to download"}})
async def transcript(video_id: str, request: Request,
                     fmt: str = Query("json", alias="format", pattern="^(json|srt|vtt|text)$",
                                      description="json (timed sentences), or a download: srt or vtt "
                                                  "subtitles, text ([m:ss] sentence lines)")):
    """The video's speech as timed sentences, where it came from (ASR or captions) and its language; or
    (`format` srt, vtt, text) the same as `momentsearch transcript` writes it, as a file to save."""
    from momentsearch.transcript import document, sentences

    record = await _record(request, video_id)
    chunks = await _chunks(request, record)
    if fmt != "json":
        name = saved_name(shown_path(Path(record.path).stem) or record.video_id, f".{'txt' if fmt == 'text' else fmt}")
        return Response(document(record, chunks, fmt), media_type=_SUBTITLE_TYPES[fmt],
                        headers={"Content-Disposition": _attachment(name)})
    rows = sentences([(c.start, c.end, c.text, c.word_times) for c in chunks])
    return {"video_id": record.video_id, "source": record.sources.get("transcript", ""),
            "language": record.language, "sentences": [{"start": s, "end": e, "text": t} for s, e, t in rows]}


def _attachment(name: str) -> str:
    """A Content-Disposition that saves the answer as `name` (any characters: RFC 6266's filename*)."""
    name = visible_name(shown_path(name))  # a file name's bytes that are no UTF-8 as \\xNN (quote takes UTF-8 only)
    plain = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)
    return f"attachment; filename=\"{plain}\"; filename*=utf-8''{quote(name)}"


CLIP_TYPES = {".mp4": "video/mp4", ".m4a": "audio/mp4", ".mp3": "audio/mpeg", ".wav": "audio/wav",
              ".flac": "audio/flac", ".ogg": "audio/ogg", ".opus": "audio/ogg"}
MATROSKA = "video/x-matroska"  # any other clip (it holds any codec)


def _clip_suffix(kind: str, suffix: str) -> str:
    """The container of a file's clip: MP4 for an MP4 or MOV video, a sound file's own kind (a .m4a talk's
    clip is a .m4a, a .wav's a .wav), else Matroska, which holds any codec."""
    if suffix in (".mp4", ".m4v", ".mov"):
        return ".mp4" if kind != "audio" else ".m4a"
    return suffix if kind == "audio" and suffix in AUDIO_SUFFIXES else ".mkv"


@router.get("/clips/{video_id}", response_class=FileResponse,
            responses={200: {"content": {t: {} for t in (*CLIP_TYPES.values(), MATROSKA)},
                             "description": "the clip, cut by stream copy: MP4 (or M4A) from an MP4 or MOV, a sound "
                                           "file's own container, else Matroska",
                             "headers": {name: {"schema": {"type": "string", "example": "12.345"},
                                                "description": f"seconds in the video where the clip {edge}s "
                                                               "(it starts on the keyframe at or before `start`)"}
                                         for name, edge in (("X-Clip-Start", "start"), ("X-Clip-End", "end"))}}})
async def clip(video_id: str, request: Request, start: float = Query(..., ge=0, description="seconds"),
               end: float = Query(..., gt=0, description="seconds"),
               pad: float = Query(0.0, ge=0, le=60, description="extra seconds on both sides")):
    """A clip of the video for download. It starts on the keyframe at or before `start`; the
    X-Clip-Start / X-Clip-End headers give the real span (seconds in the video)."""
    record = await _record(request, video_id)
    if record.kind == "photo":
        raise QueryError(f"{shown_path(Path(record.path).name)} is a photo: a clip is cut from a video or a sound file")
    opened = await run_in_threadpool(sm.open_indexed, record)  # checked; cut from this descriptor only
    path = Path(record.path)
    folder = None
    try:
        folder = make_scratch("clip")
        out = folder / clip_file_name(path.with_suffix(_clip_suffix(record.kind, path.suffix.lower())), start, end)
        with opened.file() as source:
            got = await run_in_threadpool(request.app.state.index.export_clip, source, start, end, out, pad,
                                          path.name)
    except BaseException as exc:
        if folder is not None:
            remove_scratch(folder)
        if isinstance(exc, OSError) and exc.errno in WRITE_REFUSED:  # the server's disk: not the video, no bug
            raise DiskFullError(f"no room for the clip in the server's temporary folder {tempfile.gettempdir()} "
                                f"({exc.strerror}): free space there, or set TMPDIR for `serve`") from exc
        raise
    finally:
        opened.close()
    headers = {"X-Clip-Start": f"{got.start:.3f}", "X-Clip-End": f"{got.end:.3f}", "Cache-Control": "no-store"}
    return FileResponse(out, media_type=CLIP_TYPES.get(out.suffix, MATROSKA),
                        filename=shown_path(out.name), headers=headers,  # its name's bytes as UTF-8 text
                        background=BackgroundTask(remove_scratch, folder))


@router.get("/clock/{video_id}", response_model=ClockOut)
async def clock(video_id: str, request: Request):
    """Where the file's own timestamps start (`time_origin`, seconds): every index time counts from there.
    A player that keeps the file's clock (Chromium in MP4 and Matroska/WebM) shows index time t at
    currentTime origin + t; the page measures which kind it has. 0 for a photo."""
    record = await _record(request, video_id)
    if record.kind == "photo":
        return {"video_id": record.video_id, "origin": 0.0}
    opened, _ = await player_file(request, record)  # the file the player gets (checked; read from it only)
    try:
        origin = await run_in_threadpool(_origin, opened)
    finally:
        opened.close()
    return {"video_id": record.video_id, "origin": origin}


def _origin(opened) -> float:
    import av

    from momentsearch.media import time_origin

    try:
        with opened.file() as f, av.open(f) as container:
            return round(time_origin(container), 6)
    except av.FFmpegError as exc:
        raise MediaChangedError(f"the file cannot be read for its start time ({exc})") from exc
