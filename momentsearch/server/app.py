"""The HTTP API and the web page: `create_app(index, token)` builds a FastAPI app, `serve` runs it.

Routes (all JSON unless said; errors are `{"error": message, "status": code}`):
  GET  /api/health                      index and model state
  GET  /api/videos                      indexed videos, durations, channels
  GET  /api/search?q=&k=&kind=          moments, as `momentsearch search --json` plus media/thumb ids
  POST /api/search                      multipart image upload (`image`, `k`) -> moments
  GET  /api/media/{video_id}            the video file, with HTTP Range (206) so players can seek
  GET  /api/thumbs/{segment_id}         a JPEG of the keyframe of a segment
  GET  /api/captions/{video_id}.vtt     WebVTT captions from the transcript
  GET  /                                the search page (momentsearch/server/web/)

Media are looked up by index id only (see server_media). Models load once, in the start-up
lifespan; searches and thumbnail decoding run in the thread pool, never on the event loop.
"""

from __future__ import annotations

import io
import secrets
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Literal

from fastapi import Depends, FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from fastapi.security import APIKeyQuery, HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from momentsearch.server import media as sm
from momentsearch.errors import (BadInputError, IndexBusyError, IndexMismatchError, ModelUnavailableError,
                                 MomentSearchError, QueryError)

WEB_DIR = Path(__file__).resolve().parent / "web"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # an image query larger than this is refused with 413
MULTIPART_SLACK = 64 * 1024  # bytes a request body may hold beyond the image (form fields, boundaries)
MAX_K = 100  # most results one search returns


# -- response models (the OpenAPI schema) --------------------------------------------------------
class ErrorOut(BaseModel):
    error: str = Field(description="what went wrong, and how to fix it when the caller can")
    status: int


class MomentOut(BaseModel):
    video: str = Field(description="the file's path on the server (as in `momentsearch search --json`)")
    video_id: str
    kind: str
    start: float = Field(description="seconds")
    end: float = Field(description="seconds")
    score: float
    channels: dict[str, float] = Field(description="calibrated score per channel, the parts of `score`")
    text: str
    evidence: dict[str, str]
    segment_id: str
    url: str
    name: str = Field(description="the video's file name")
    snippet: str = Field(description="text to show: the matched transcript, else slide text, else the speech in range")
    thumb_id: str | None = Field(description="segment id for /api/thumbs, null when the video has no picture")
    media_url: str
    thumb_url: str | None
    captions_url: str


class SearchOut(BaseModel):
    query: str
    results: list[MomentOut]
    took_ms: float
    warnings: list[str] = []


class VideoOut(BaseModel):
    video_id: str
    name: str
    kind: str
    duration: float = Field(description="seconds")
    channels: list[str]
    media_url: str
    captions_url: str


class VideosOut(BaseModel):
    videos: list[VideoOut]
    channels: list[str]


class HealthOut(BaseModel):
    status: Literal["ok"]
    videos: int
    channels: list[str]
    models_loaded: bool
    warnings: list[str] = []


ERRORS = {code: {"model": ErrorOut} for code in (400, 401, 404, 409, 413, 416, 422, 500, 503)}


def _error(status: int, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": message, "status": status}, status_code=status, headers=headers)


_STATUS_OF = [(sm.NotFoundError, 404), (sm.MediaChangedError, 409), (QueryError, 400), (BadInputError, 400),
              (ModelUnavailableError, 503), (IndexBusyError, 503), (IndexMismatchError, 500), (MomentSearchError, 500)]


def _auth_dependency(token: str):
    query_key = APIKeyQuery(name="token", auto_error=False, description="the server's --token")
    bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <the server's --token>")

    def check(q: str | None = Depends(query_key), b: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:
        given = (b.credentials if b else None) or q or ""
        if not secrets.compare_digest(given.encode(), token.encode()):
            raise HTTPException(401, "this server needs its token: add ?token=... or 'Authorization: Bearer ...'",
                                headers={"WWW-Authenticate": "Bearer"})

    return check


def create_app(index, token: str | None = None, warm: bool = True) -> FastAPI:
    """The app for one MomentIndex. With `token`, every /api call needs it. `warm` loads models at start."""
    state = {"models_loaded": False, "warnings": []}
    thumbs = sm.ThumbCache()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if warm:
            await run_in_threadpool(_warm_up, index, state)
        yield

    app = FastAPI(title="momentsearch", version="1", lifespan=lifespan,
                  description="Search lecture videos for moments; stream them from that second.")
    deps = [Depends(_auth_dependency(token))] if token else []
    _errors(app)
    app.add_middleware(BodyLimit, limit=MAX_UPLOAD_BYTES + MULTIPART_SLACK)

    def files():
        return index.searcher.corpus().files

    def links(video_id: str, thumb_id: str | None) -> dict:
        return {"media_url": f"/api/media/{video_id}", "captions_url": f"/api/captions/{video_id}.vtt",
                "thumb_id": thumb_id, "thumb_url": f"/api/thumbs/{thumb_id}" if thumb_id else None}

    def snippet(m, corpus) -> str:
        """What the result shows: its matched text, else its slide text, else the speech it spans."""
        if m.text or m.evidence.get("ocr"):
            return m.text or m.evidence["ocr"]
        spoken = [(float(meta["start"]), text) for meta, text in zip(corpus.chunk_meta, corpus.chunk_text)
                  if meta.get("video_id") == m.video_id and float(meta["start"]) < m.end
                  and float(meta["end"]) > m.start]
        return " ".join(text for _, text in sorted(spoken))[:600]

    def moments_out(moments) -> list[dict]:
        corpus = index.searcher.corpus()
        out = []
        for m in moments:
            rec = corpus.files.get(m.video_id)
            base = {**m.to_json(), "name": Path(m.video).name, "snippet": snippet(m, corpus)}
            if m.kind == "photo":  # the photo is its own thumbnail
                out.append({**base, **links(m.video_id, None), "thumb_url": f"/api/media/{m.video_id}"})
                continue
            thumb = m.segment_id if sm.ENTRY_ID_RE.match(m.segment_id or "") else None
            thumb = thumb or (sm.thumb_id_for(rec, m.start, m.end) if rec else None)
            out.append({**base, **links(m.video_id, thumb)})
        return out

    @app.get("/api/health", response_model=HealthOut, responses=ERRORS, dependencies=deps, tags=["api"])
    async def health():
        corpus = await run_in_threadpool(index.searcher.corpus)
        return {"status": "ok", "videos": len(corpus.files), "channels": sorted(corpus.channels),
                "models_loaded": state["models_loaded"], "warnings": state["warnings"] + index.searcher.warnings}

    @app.get("/api/videos", response_model=VideosOut, responses=ERRORS, dependencies=deps, tags=["api"])
    async def videos():
        corpus = await run_in_threadpool(index.searcher.corpus)
        rows = [{"video_id": r.video_id, "name": Path(r.path).name, "kind": r.kind, "duration": r.duration,
                 "channels": r.channels, **{k: v for k, v in links(r.video_id, None).items() if k.endswith("url")
                                            and v}} for r in sorted(corpus.files.values(), key=lambda r: r.path)]
        return {"videos": rows, "channels": sorted(corpus.channels)}

    @app.get("/api/search", response_model=SearchOut, responses=ERRORS, dependencies=deps, tags=["api"])
    async def search_text(q: str = Query(..., max_length=2000, description="what to look for"),
                          k: int = Query(10, ge=1, le=MAX_K), kind: Literal["moment", "photo"] | None = None):
        t0 = time.perf_counter()
        moments = await run_in_threadpool(index.search, q, k, kind)
        results = await run_in_threadpool(moments_out, moments)
        return {"query": q, "results": results, "took_ms": round((time.perf_counter() - t0) * 1000, 1),
                "warnings": index.searcher.warnings}

    @app.post("/api/search", response_model=SearchOut, responses=ERRORS, dependencies=deps, tags=["api"])
    async def search_image(image: UploadFile = File(..., description=f"an image, at most {MAX_UPLOAD_BYTES} bytes"),
                           k: int = Form(10, ge=1, le=MAX_K)):
        t0 = time.perf_counter()
        data = await image.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise HTTPException(413, f"the image is larger than {MAX_UPLOAD_BYTES} bytes")
        array = await run_in_threadpool(_open_upload, data, image.filename or "upload")
        moments = await run_in_threadpool(index.search_image, array, k)
        results = await run_in_threadpool(moments_out, moments)
        return {"query": f"image:{image.filename or 'upload'}", "results": results,
                "took_ms": round((time.perf_counter() - t0) * 1000, 1), "warnings": index.searcher.warnings}

    @app.get("/api/media/{video_id}", dependencies=deps, tags=["api"], response_class=FileResponse,
             responses={**ERRORS, 200: {"content": {"video/mp4": {}}, "description": "the whole file"},
                        206: {"content": {"video/mp4": {}}, "description": "the requested byte range"}})
    async def media(video_id: str, request: Request):
        record = sm.find_record(await run_in_threadpool(files), video_id)
        path = await run_in_threadpool(sm.verified_path, record)
        try:
            sm.parse_range(request.headers.get("range"), record.size)
        except sm.RangeError as exc:
            return _error(416, str(exc), {"Content-Range": f"bytes */{exc.size}"})
        # FileResponse answers the (validated) Range with 206 and the right Content-Range
        return FileResponse(path, media_type=sm.media_type(path), headers={"Cache-Control": "private, max-age=3600"},
                            stat_result=None)

    @app.get("/api/thumbs/{segment_id}", dependencies=deps, tags=["api"], response_class=Response,
             responses={**ERRORS, 200: {"content": {"image/jpeg": {}}, "description": "the keyframe, as JPEG"}})
    async def thumb(segment_id: str):
        video_id, kind, start, end = sm.parse_entry_id(segment_id)
        record = sm.find_record(await run_in_threadpool(files), video_id)

        def exists(entry):
            return index.store.has("transcript") and index.store.collection("transcript").get(ids=[entry])["ids"]

        if not await run_in_threadpool(sm.segment_is_known, record, kind, segment_id, exists):
            raise sm.NotFoundError(f"video {video_id} has no segment {segment_id!r}")
        path = await run_in_threadpool(sm.verified_path, record)
        t = (start + end) / 2
        data = await run_in_threadpool(thumbs.get, (segment_id, record.size, record.mtime),
                                       lambda: sm.frame_jpeg(path, t))
        return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=86400"})

    @app.get("/api/captions/{video_id}.vtt", dependencies=deps, tags=["api"], response_class=PlainTextResponse,
             responses={**ERRORS, 200: {"content": {"text/vtt": {}}, "description": "WebVTT captions"}})
    async def captions(video_id: str):
        sm.find_record(await run_in_threadpool(files), video_id)

        def rows():
            corpus = index.searcher.corpus()
            return [(float(m["start"]), float(m["end"]), text)
                    for m, text in zip(corpus.chunk_meta, corpus.chunk_text) if m.get("video_id") == video_id]

        return PlainTextResponse(sm.webvtt(await run_in_threadpool(rows)), media_type="text/vtt")

    @app.get("/", include_in_schema=False)
    async def page():
        return FileResponse(WEB_DIR / "index.html", media_type="text/html", headers={"Cache-Control": "no-cache"})

    app.mount("/web", StaticFiles(directory=WEB_DIR), name="web")
    return app


class _TooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


class BodyLimit:
    """ASGI middleware: a request body over `limit` bytes gets a JSON 413, checked from Content-Length
    before reading, and counted while reading (chunked uploads)."""

    def __init__(self, app, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or []).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > self.limit:
            message = "bad Content-Length" if not length.isdigit() else str(_TooLarge(self.limit).detail)
            status = 400 if not length.isdigit() else 413
            return await _error(status, message, {"Connection": "close"})(scope, receive, send)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge(self.limit)  # an HTTPException: FastAPI passes it on to the JSON handler
            return message

        await self.app(scope, counted, send)


def _open_upload(data: bytes, name: str):
    from momentsearch.media import open_image

    if not data:
        raise QueryError("the uploaded image is empty")
    try:
        return open_image(io.BytesIO(data))
    except BadInputError as exc:
        raise QueryError(f"the uploaded file {name!r} is not a usable image: {exc.reason}") from exc


def _warm_up(index, state: dict) -> None:
    """Loads every model a search needs, once, before the first request."""
    try:
        index.text_embedder.load()
        index.searcher.corpus()
        if index.searcher.corpus().files:
            index.search("warm up", k=1)  # loads CLIP too when the index has the visual channel
        state["models_loaded"] = True
    except MomentSearchError as exc:
        state["warnings"].append(f"models not loaded at start-up: {exc}")


def _errors(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request, exc: StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no such page or API route: {request.url.path}"
        return _error(exc.status_code, detail, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request, exc: RequestValidationError):
        parts = []
        for e in exc.errors():
            where = ".".join(str(x) for x in e.get("loc", ()) if x not in ("query", "body", "path"))
            parts.append(f"{where or 'request'}: {e.get('msg', 'invalid')}")
        return _error(422, "invalid request: " + "; ".join(parts))

    @app.exception_handler(MomentSearchError)
    async def library_error(request, exc: MomentSearchError):
        status = next(code for cls, code in _STATUS_OF if isinstance(exc, cls))
        return _error(status, str(exc))

    @app.exception_handler(Exception)
    async def crash(request, exc: Exception):
        return _error(500, f"internal error ({type(exc).__name__}); see the server log")


def serve(index, host: str = "127.0.0.1", port: int = 8000, token: str | None = None,
          log_level: str = "info") -> None:
    """Runs the app with uvicorn until interrupted (blocking)."""
    import uvicorn

    uvicorn.run(create_app(index, token=token), host=host, port=port, log_level=log_level)
