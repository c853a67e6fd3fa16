"""The HTTP API and the web page: `create_app(index, token)` builds a FastAPI app, `serve` runs it.

Routes (all JSON unless said; errors are `{"error": message, "status": code}`), in server/routes.py:
  GET  /api/health                      index and model state
  GET  /api/videos                      indexed videos, durations, channels
  GET  /api/media/{video_id}            the video file, with HTTP Range (206) so players can seek
  GET  /api/thumbs/{segment_id}         a JPEG of the keyframe of a segment
  GET  /api/photos/{video_id}.jpg?side= a photo as a JPEG, upright, long side `side` (320; at most 2048)
  GET  /api/captions/{video_id}.vtt     WebVTT captions from the transcript
In server/search_routes.py, a page of ranked moments at a time (`offset`, `next_offset`):
  GET  /api/search?q=&k=&offset=&kind=  moments, as `momentsearch search --json` plus media/thumb ids and links
  POST /api/search                      multipart image upload (`image`, `k`) -> moments, and the words read on it
In server/moment_routes.py: chapters, clips, the clock, and
  GET  /api/transcript/{video_id}?format=  timed sentences (json); srt, vtt or text: a file to download
  GET  /                                the search page (momentsearch/server/web/)

The app keeps its MomentIndex in `app.state.index`. Models load once, in the start-up lifespan.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse
from fastapi.security import APIKeyCookie, APIKeyQuery, HTTPBearer
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from momentsearch.errors import (BadInputError, DiskFullError, IndexBusyError, IndexMismatchError, IndexNotFoundError,
                                 MediaChangedError, ModelUnavailableError, MomentSearchError, NotFoundError,
                                 OutOfMemoryError, QueryError, out_of_memory, server_gone)
from momentsearch.server import guard
from momentsearch.server import media as sm
from momentsearch.server.http_cache import (HeadAsGet, RevalidatedStaticFiles, add_gzip, not_modified,
                                            not_modified_response)
from momentsearch.server.moment_routes import router as moment_router
from momentsearch.server.origins import add_cors, origins
from momentsearch.server.playback import PlayerFiles, start_preparing
from momentsearch.server.routes import (MAX_UPLOAD_BYTES, TOO_LARGE, error_response, refresh_health, router,
                                        search_slots)
from momentsearch.server.search_routes import router as search_router

WEB_DIR = Path(__file__).resolve().parent / "web"
MULTIPART_SLACK = 64 * 1024  # bytes a request body may hold beyond the image (form fields, boundaries)

_STATUS_OF = [(NotFoundError, 404), (MediaChangedError, 409), (QueryError, 400), (BadInputError, 400),
              (ModelUnavailableError, 503), (IndexBusyError, 503), (OutOfMemoryError, 503), (DiskFullError, 503),
              (IndexMismatchError, 500), (IndexNotFoundError, 503),
              (MomentSearchError, 500)]


SERVE_MEMORY = "300 MB (1.5 GB of address space under `ulimit -v`)"  # measured on a small index (README)
HEALTH_REFRESH_SECONDS = 2.0  # how often /api/health's picture of the index is renewed (off the search pool)


def _auth_dependency(token: str):
    # the three schemes are declared for the OpenAPI schema; guard.given_token reads them in that order
    bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <the server's --token>")
    cookie = APIKeyCookie(name=guard.TOKEN_COOKIE, auto_error=False, description="for <video>/<img>: the token")
    query_key = APIKeyQuery(name="token", auto_error=False, description="the token (scripts; never logged)")

    def check(request: Request, _b=Depends(bearer), _c=Depends(cookie), _q=Depends(query_key)) -> None:
        given = guard.given_token(request.headers, request.cookies, request.query_params)
        if not guard.token_matches(given, token):
            raise HTTPException(401, "this server needs its token: send 'Authorization: Bearer TOKEN' (the page "
                                     "asks for it once), or ?token=TOKEN", headers={"WWW-Authenticate": "Bearer"})

    return check


def create_app(index, token: str | None = None, warm: bool = True, allowed_hosts=(),
               prepare: bool | None = None, frame_origins=(), cors_origins=()) -> FastAPI:
    """The app for one MomentIndex. With `token`, every /api call needs it; without, only requests
    naming this machine (loopback, an IP address, or one of `allowed_hosts`) are answered (see
    server/guard.py). `warm` loads models at start; `prepare` (default: as `warm`) makes the players'
    copies of recordings whose speech track is not first in the background (server/playback.py).
    `frame_origins` may show the page in an iframe, `cors_origins`' scripts may call the API (origins as
    `https://lms.example.edu`; none by default; server/origins.py checks them: ConfigError)."""
    frame_origins = origins(frame_origins, "--frame-origin")
    cors_origins = origins(cors_origins, "--cors-origin")

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if warm:
            await run_in_threadpool(_warm_up, index, app.state.startup)
        stop_preparing = start_preparing(app) if (warm if prepare is None else prepare) else None
        task = asyncio.create_task(_keep_health_fresh(app))
        try:
            yield
        finally:
            task.cancel()
            if stop_preparing is not None:
                stop_preparing.set()

    app = FastAPI(title="momentsearch", version="1", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Search lecture videos for moments; stream them from that second.")
    _local_docs(app)
    app.state.index = index
    app.state.startup = {"models_loaded": False, "warnings": []}
    app.state.thumbs = sm.ThumbCache()
    app.state.players = PlayerFiles()  # which file a player gets (a copy with the speech track first)
    app.state.search_slots = search_slots()
    app.state.health = None  # {"videos", "channels", "warnings"}: renewed by _keep_health_fresh
    _errors(app)
    app.add_middleware(ServerGone)
    app.add_middleware(BodyLimit, limit=MAX_UPLOAD_BYTES + MULTIPART_SLACK)
    app.add_middleware(guard.RequestGuard, check_host=not token, allowed_hosts=frozenset(allowed_hosts),
                       frame_origins=frame_origins, cors_origins=cors_origins)
    add_gzip(app)
    app.add_middleware(HeadAsGet)  # outside gzip: a HEAD's headers are its GET's
    add_cors(app, cors_origins)  # outermost: a refusal (401, 403) carries the CORS headers, so a script can read it
    auth = [Depends(_auth_dependency(token))] if token else []
    app.include_router(router, dependencies=auth)
    app.include_router(search_router, dependencies=auth)
    app.include_router(moment_router, dependencies=auth)
    app.add_api_route("/", _page, include_in_schema=False)
    app.mount("/web", RevalidatedStaticFiles(directory=WEB_DIR), name="web")
    return app


def _local_docs(app: FastAPI) -> None:
    """/docs: Swagger UI 5 from the swagger-ui-bundle-v2 package (FastAPI's default loads it from a CDN, so the
    page was blank offline). Without the package /docs says how to get it; /openapi.json works either way."""
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        swagger_ui_path = None
    if swagger_ui_path is not None:
        app.mount("/docs-assets", StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    async def docs():
        from fastapi.openapi.docs import get_swagger_ui_html
        from fastapi.responses import PlainTextResponse

        if swagger_ui_path is None:
            return PlainTextResponse("Swagger UI needs the swagger-ui-bundle-v2 package "
                                     "(pip install swagger-ui-bundle-v2); "
                                     "the schema is at /openapi.json", status_code=404)
        # relative to /docs, so they hold behind a proxy's path prefix (/lecture-search/docs-assets/...)
        return get_swagger_ui_html(openapi_url=app.openapi_url.lstrip("/"), title="momentsearch API",
                                   swagger_js_url="docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url="docs-assets/swagger-ui.css",
                                   swagger_favicon_url="web/favicon.svg")

    app.add_api_route("/docs", docs, include_in_schema=False)


async def _keep_health_fresh(app: FastAPI) -> None:
    """Renews /api/health's picture of the index every HEALTH_REFRESH_SECONDS, in its own thread:
    a health check answers from it at once, never waiting behind searches."""
    while True:
        await refresh_health(app)
        await asyncio.sleep(HEALTH_REFRESH_SECONDS)


async def _page(request: Request):
    st = (WEB_DIR / "index.html").stat()
    page = FileResponse(WEB_DIR / "index.html", media_type="text/html", headers={"Cache-Control": "no-cache"},
                        stat_result=st)
    if not_modified(request.headers, page.headers["etag"], st.st_mtime):
        return not_modified_response({k: page.headers[k] for k in ("etag", "last-modified", "cache-control")})
    return page


class _TooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit:,} bytes; {TOO_LARGE}")


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
            return await error_response(status, message, {"Connection": "close"})(scope, receive, send)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge(self.limit)  # an HTTPException: FastAPI passes it on to the JSON handler
            return message

        await self.app(scope, counted, send)


class ServerGone:
    """A Chroma server that does not answer (`errors.server_gone`) is a 503 that names it, and one line in the
    log. The app's catch-all handler sat in Starlette's outermost middleware, which re-raises after answering,
    so every request while the server was down wrote a whole traceback to the log."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def watched(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            if started or not server_gone(exc):
                raise
            where = scope["app"].state.index.chroma_url
            logging.getLogger("momentsearch.server").warning("the Chroma server at %s does not answer: %s", where, exc)
            await error_response(503, f"the Chroma server at {where} does not answer ({exc}); searches work again "
                                      "once it is back")(scope, receive, send)


def _warm_up(index, state: dict) -> None:
    """Loads every model a search needs, once, before the first request."""
    try:
        index.warm_up()
        state["models_loaded"] = True
    except Exception as exc:  # noqa: BLE001 - a MemoryError too: the page and players work; searches try again
        if not isinstance(exc, MomentSearchError) and not out_of_memory(exc):
            raise
        state["warnings"].append(f"models not loaded at start-up: {no_memory_note(exc) if out_of_memory(exc) else exc}")


def no_memory_note(exc: BaseException) -> str:
    """What a server that ran out of memory says (a MemoryError has no words of its own)."""
    return (f"out of memory ({str(exc) or type(exc).__name__}): `momentsearch serve` needs about {SERVE_MEMORY} "
            "of free memory; close other programs or raise the limit, then search again")


def _errors(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def httperror_response(request, exc: StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no such page or API route: {guard.route_path(request.scope)}"
        return error_response(exc.status_code, detail, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request, exc: RequestValidationError):
        parts = []
        for e in exc.errors():
            where = ".".join(str(x) for x in e.get("loc", ()) if x not in ("query", "body", "path"))
            parts.append(f"{where or 'request'}: {e.get('msg', 'invalid')}")
        hint = ""
        if guard.route_path(request.scope) == "/api/search" and request.method == "POST" and \
                not request.headers.get("content-type", "").startswith("multipart/form-data"):
            hint = ("; POST /api/search takes an image as a multipart form (field 'image'): search by text with "
                    "GET /api/search?q=...")
        return error_response(422, "invalid request: " + "; ".join(parts) + hint)

    @app.exception_handler(MomentSearchError)
    async def libraryerror_response(request, exc: MomentSearchError):
        status = next(code for cls, code in _STATUS_OF if isinstance(exc, cls))
        return error_response(status, str(exc) + (await run_in_threadpool(_being_written, request.app.state.index)
                                                  if isinstance(exc, MediaChangedError) else ""))

    @app.exception_handler(Exception)
    async def crash(request, exc: Exception):  # (a Chroma server that does not answer: ServerGone)
        if out_of_memory(exc):  # loading the text encoder, or a search, under a container's limit
            return error_response(503, no_memory_note(exc))
        return error_response(500, f"internal error ({type(exc).__name__}); see the server log")


def _being_written(index) -> str:
    """What a changed file's 409 adds while a run writes the index (a lecturer re-indexing the file just replaced):
    "re-index it" told the student watching it to do what was being done, and not that the new version comes back
    under another id."""
    from momentsearch.store.lock import writing_now

    who = "" if index.chroma_url else writing_now(index.db)
    return (f" (the index is being written now by {who}: if that run indexes this file, search again once it is done;"
            " a changed file's moments get a new id)") if who else ""


def serve(index, host: str = "127.0.0.1", port: int = 8000, token: str | None = None,
          log_level: str = "info", allowed_hosts=(), root_path: str = "", frame_origins=(), cors_origins=()) -> None:
    """Runs the app with uvicorn until interrupted (blocking). The access log never shows a token.
    `root_path`: the path prefix a reverse proxy serves it under and strips (`/lecture-search`), so /docs'
    "Try it out" and /openapi.json's `servers` name it; the page works behind such a proxy without it."""
    import uvicorn

    app = create_app(index, token=token, allowed_hosts=allowed_hosts, frame_origins=frame_origins,
                     cors_origins=cors_origins)
    uvicorn.run(app, host=host, port=port, log_level=log_level, log_config=guard.log_config(),
                root_path=root_path.rstrip("/"))
