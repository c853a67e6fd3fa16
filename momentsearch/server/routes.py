"""The /api routes. Each reads the MomentIndex from `app.state.index` and uses only its public methods.

Media are looked up by index id only (see server/media.py). Searches, thumbnail decoding and corpus
reads run in the thread pool, never on the event loop.
"""

from __future__ import annotations

import asyncio
import os
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from momentsearch.errors import (IndexNotFoundError, MomentSearchError, NotFoundError, QueryError, RangeError,
                                 server_gone)
from momentsearch.server import http_cache as hc
from momentsearch.server import images
from momentsearch.server import media as sm
from momentsearch.server.closing import ClosingStream
from momentsearch.server.playback import player_file
from momentsearch.server.schemas import ERRORS, ExamplesOut, HealthOut, VideosOut
from momentsearch.store.filestate import stale_note
from momentsearch.store.ids import entry_fields
from momentsearch.types import shown_path

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # an image query larger than this is refused with 413
TOO_LARGE = (f"an image to search with may be at most {MAX_UPLOAD_BYTES // 2**20} MB: send a smaller copy "
             "(the photo resized, or a screenshot of it; its words stay readable at 2048 pixels)")
VIDEOS_PAGE = 200  # /api/videos answers this many videos unless asked for another `limit`
VIDEOS_PAGE_MAX = 1000  # and at most this many (an index of thousands answered in one huge JSON)
SNIPPET_CHARS = 600  # the speech a result without matched text shows
SEARCH_SLOTS = max(4, os.cpu_count() or 1)  # searches running at once; more wait their turn outside any thread
_health_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="momentsearch-health")

router = APIRouter(prefix="/api", tags=["api"], responses=ERRORS)


def error_response(status: int, message: str, headers: dict | None = None) -> JSONResponse:
    """The JSON body of every error: {"error": message, "status": code}."""
    return JSONResponse({"error": message, "status": status}, status_code=status, headers=headers)


def _links(video_id: str, thumb_id: str | None) -> dict:
    return {"media_url": f"/api/media/{video_id}", "captions_url": f"/api/captions/{video_id}.vtt",
            "thumb_id": thumb_id, "thumb_url": f"/api/thumbs/{thumb_id}" if thumb_id else None}


def _snippet(index, m) -> str:
    """What a result shows: its matched text, else its slide text, else the speech it spans."""
    if m.text or m.evidence.get("ocr"):
        return m.text or m.evidence["ocr"]
    return " ".join(c.text for c in index.speech_in(m.video_id, m.start, m.end))[:SNIPPET_CHARS]


def _thumb_id(index, m) -> str | None:
    """The keyframe entry to show for a moment: its best visual hit, else the segment where it starts."""
    fields = entry_fields(m.segment_id or "")
    if fields is not None and fields["kind"] == "keyframe":
        return m.segment_id
    record = index.video(m.video_id)
    return sm.thumb_id_for(record, m.start, m.end) if record else None


def moments_out(index, moments) -> list[dict]:
    """Moments as the API returns them: the CLI's JSON object plus name, snippet and links."""
    out = []
    for m in moments:
        base = {**m.to_json(), "name": shown_path(Path(m.video).name), "snippet": _snippet(index, m),
                "copies_ids": {shown_path(p): m.copies_ids.get(p, m.video_id) for p in m.copies}}
        if m.kind == "photo":  # the photo, small (see /api/photos)
            out.append({**base, **_links(m.video_id, None), "thumb_url": f"/api/photos/{m.video_id}.jpg"})
        else:
            out.append({**base, **_links(m.video_id, _thumb_id(index, m))})
    return out


def search_slots() -> dict:
    """What the app keeps to bound concurrent searches (the limiter is made on first use, in the loop)."""
    return {"limiter": None}


async def _in_search_slot(request: Request, fn, *args):
    """Runs `fn(*args)` in a worker thread once one of SEARCH_SLOTS is free. Waiting requests hold no
    thread, so the thread pool stays free for everything else (media, thumbnails)."""
    slots = request.app.state.search_slots
    if slots["limiter"] is None:
        slots["limiter"] = anyio.CapacityLimiter(SEARCH_SLOTS)
    return await anyio.to_thread.run_sync(fn, *args, limiter=slots["limiter"])


STALE_CHECK_SECONDS = 30.0  # how often /api/health looks again for indexed files moved away or changed
_stale_seen: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # index -> (when looked, what was found)


def _health_view(index) -> dict:
    from momentsearch.store.lock import writing_now

    who = "" if index.chroma_url else writing_now(index.db)  # a batch still running into this folder
    writing = f"The index is being written now by {who}: a file it has not finished is not searchable yet." if who else ""
    notes = _file_notes(index)  # a folder moved away, a file replaced since indexing; an older version's files
    return {"videos": len(index.videos()), "channels": sorted(index.channels()),
            "warnings": list(index.warnings) + notes, "writing": writing, "notes": notes}


def _file_notes(index) -> list[str]:
    """stale_note over every indexed file, and the index's notes (files an older momentsearch made, with the
    --reindex that redoes them, as `info` says), renewed at most every STALE_CHECK_SECONDS: one stat a file (on
    a network share, milliseconds each), where the health view itself is renewed every few seconds."""
    at, notes = _stale_seen.get(index, (-STALE_CHECK_SECONDS, []))
    if time.monotonic() - at >= STALE_CHECK_SECONDS:
        notes = [*filter(None, [stale_note(index.videos())]), *index.notes()]
        _stale_seen[index] = (time.monotonic(), notes)
    return notes


def _warnings(request: Request) -> list[str]:
    """A search answer's warnings: the index's own, and whether a batch is still writing into it (from the
    health view, renewed every few seconds)."""
    writing = (request.app.state.health or {}).get("writing", "")
    return list(request.app.state.index.warnings) + ([writing] if writing else [])


async def refresh_health(app) -> None:
    """Renews app.state.health in its own thread (not the search pool). A failure keeps the old view, but for a
    Chroma server that stopped answering or an index folder deleted: /api/health then says so (it went on saying
    "ok", and the page kept listing the videos, while every search failed)."""
    try:
        app.state.health = await asyncio.get_running_loop().run_in_executor(_health_pool, _health_view, app.state.index)
    except Exception as exc:  # noqa: BLE001 - kept for /api/health to report; the refresher goes on
        app.state.health_error = exc
        if server_gone(exc) or isinstance(exc, IndexNotFoundError):  # (a folder deleted under the server)
            app.state.health = None


@router.get("/health", response_model=HealthOut)
async def health(request: Request):
    """Answered from a view of the index renewed every few seconds off the search pool, so a flood
    of searches never delays it."""
    app, startup = request.app, request.app.state.startup
    if app.state.health is None:
        await refresh_health(app)
    if app.state.health is None:
        raise getattr(app.state, "health_error", MomentSearchError("the index cannot be read"))
    view = app.state.health
    return {"status": "ok", "videos": view["videos"], "channels": view["channels"],
            "models_loaded": startup["models_loaded"], "writing": view["writing"], "notes": view["notes"],
            "warnings": startup["warnings"] + view["warnings"] + ([view["writing"]] if view["writing"] else [])}


@router.get("/videos", response_model=VideosOut)
async def videos(request: Request, offset: int = Query(0, ge=0, description="how many videos (by path) to skip"),
                 limit: int = Query(VIDEOS_PAGE, ge=1, le=VIDEOS_PAGE_MAX, description="at most this many videos")):
    """One page of the indexed videos, by path; `total` counts them all, `next_offset` asks for the next page."""
    index = request.app.state.index

    def read() -> dict:
        everything = index.videos()
        rows = [{"video_id": r.video_id, "name": shown_path(Path(r.path).name), "kind": r.kind, "duration": r.duration,
                 "channels": r.channels, "sources": r.sources, "language": r.language,
                 "media_url": f"/api/media/{r.video_id}",
                 "captions_url": f"/api/captions/{r.video_id}.vtt"} for r in everything[offset:offset + limit]]
        more = offset + limit < len(everything)
        return {"videos": rows, "channels": sorted(index.channels()), "total": len(everything), "offset": offset,
                "limit": limit, "next_offset": offset + limit if more else None}

    return await run_in_threadpool(read)


@router.get("/examples", response_model=ExamplesOut)
async def examples(request: Request):
    """A few example queries drawn from the index, for the start page."""
    index = request.app.state.index
    return {"examples": await run_in_threadpool(index.example_queries)}


async def _record(request: Request, video_id: str):
    """The index record of a video id (NotFoundError for a malformed or unknown id)."""
    record = await run_in_threadpool(request.app.state.index.video, sm.check_video_id(video_id))
    if record is None:
        raise NotFoundError(f"no indexed video has the id {video_id!r}")
    return record


async def _chunks(request: Request, record):
    """The transcript chunks of the video `_record` found: 404 as `_record`'s when the index view renewed in between
    no longer has it (a changed file indexed again: its old id goes), not chunks_of's 400 for a name typed wrong."""
    try:
        return await run_in_threadpool(request.app.state.index.chunks_of, record.video_id)
    except QueryError as exc:
        raise NotFoundError(f"no indexed video has the id {record.video_id!r}") from exc


# served as the type probing found when indexing (server/media.py, served_type): any audio, video or image type
_MEDIA_TYPES = {"video/*": {}, "audio/*": {}, "image/*": {}, "application/octet-stream": {}}
_MEDIA_RESPONSES = {200: {"content": _MEDIA_TYPES, "description": "the whole file, as the type probing found"},
                    206: {"content": {**_MEDIA_TYPES, "multipart/byteranges": {}},
                          "description": "the requested byte range (several: multipart/byteranges)"}}


@router.get("/media/{video_id}", response_class=Response, responses=_MEDIA_RESPONSES)
@router.head("/media/{video_id}", response_class=Response, responses=_MEDIA_RESPONSES, operation_id="media_head")
async def media(video_id: str, request: Request,
                byte_range: str | None = Header(None, alias="Range", description="bytes=START-END (or START-, -LAST; "
                                                "several, comma-separated): answered 206 with those bytes")):
    """The indexed file, opened without following links, checked through its descriptor and served
    from it (see server/media.py), as the audio/video/image type probing found. A recording whose
    transcribed audio track is not its first is served as the index's copy with that track first
    (server/playback.py), so the player plays what the index heard."""
    record = await _record(request, video_id)
    opened, mime = await player_file(request, record)
    etag = hc.file_etag(video_id, opened.size, opened.mtime)  # of the file served (the player's copy, if one)
    checks = hc.validators(etag, opened.mtime, sm.MEDIA_CACHE)
    if hc.not_modified(request.headers, etag, opened.mtime):
        opened.close()
        return hc.not_modified_response(checks)
    if not hc.range_applies(request.headers, etag, opened.mtime):
        byte_range = None  # If-Range names another version: the whole file
    try:
        ranges = sm.parse_ranges(byte_range, opened.size)
    except RangeError as exc:
        opened.close()
        return error_response(416, str(exc), {"Content-Range": f"bytes */{exc.size}"})
    body = sm.media_body(opened, ranges, mime, head=request.method == "HEAD")
    body.headers.update(checks)
    if body.chunks is None:
        return Response(status_code=body.status, headers=body.headers)
    return ClosingStream(body.chunks, status_code=body.status, headers=body.headers)


@router.get("/thumbs/{segment_id}", response_class=Response,
            responses={200: {"content": {"image/jpeg": {}}, "description": "the keyframe, as JPEG"}})
async def thumb(segment_id: str, request: Request):
    video_id, kind, start, end = sm.parse_segment_id(segment_id)
    record = await _record(request, video_id)
    # a chunk's id among the video's chunks: 404 as the record's when a re-index took its old id away in between
    chunk_ids = {c.id for c in await _chunks(request, record)} if kind == "chunk" else set()
    if not sm.segment_is_known(record, kind, segment_id, chunk_ids.__contains__):
        raise NotFoundError(f"video {video_id} has no segment {segment_id!r}")
    return await _cached_jpeg(request, record, (segment_id,),
                              lambda f: sm.frame_jpeg(f, (start + end) / 2, span=(start, end)))


@router.get("/photos/{video_id}.jpg", response_class=Response,
            responses={200: {"content": {"image/jpeg": {}}, "description": "the photo as JPEG, upright"}})
async def photo(video_id: str, request: Request,
                side: int = Query(sm.THUMB_MAX_SIDE, ge=32, le=images.PHOTO_MAX_SIDE, description="its long side, pixels")):
    """An indexed photo as a small JPEG (results show it; the page shows it larger): the original may be
    a phone's 30 MB file, or a TIFF that no browser shows."""
    record = await _record(request, video_id)
    if record.kind != "photo":
        raise NotFoundError(f"{video_id} is not a photo; /api/thumbs gives a video's pictures")
    return await _cached_jpeg(request, record, (video_id, side), lambda f: images.photo_jpeg(f, side))


async def _cached_jpeg(request: Request, record, key: tuple, render) -> Response:
    """The JPEG `render(file)` makes of an indexed file, from the thumbnail cache (`key` plus the file's size
    and mtime, so an edit misses). The file is checked even when the JPEG is cached, and `render` reads the
    checked descriptor, never the path again."""
    opened = await run_in_threadpool(sm.open_indexed, record)

    def make() -> bytes:
        with opened.file() as f:
            return render(f)

    try:
        data = await run_in_threadpool(request.app.state.thumbs.get, (*key, record.size, record.mtime), make)
    finally:
        opened.close()
    return hc.conditional(request, data, "image/jpeg", sm.PICTURE_CACHE)


@router.get("/captions/{video_id}.vtt", response_class=Response,  # (PlainTextResponse documented errors as text)
            responses={200: {"content": {"text/vtt": {"schema": {"type": "string"}}},
                             "description": "WebVTT captions"}})
async def captions(video_id: str, request: Request):
    record = await _record(request, video_id)
    chunks = await _chunks(request, record)
    rows = [(c.start, c.end, c.text, c.word_times) for c in chunks]
    # the same address after a re-index (another Whisper): asked again each time, a 304 while unchanged
    return hc.conditional(request, sm.webvtt(rows, record.duration).encode("utf-8"), "text/vtt; charset=utf-8",
                          hc.REVALIDATE)
