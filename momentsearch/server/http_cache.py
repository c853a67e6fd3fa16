"""HTTP caching for what the page asks for again and again (a class reloading it, a player seeking): validators
(ETag, Last-Modified) on media, thumbnails, photos and captions, conditional requests answered 304, If-Range,
HEAD on every GET route, revalidated static files, and gzip for JSON (never for media: it would break ranges).

Without validators a browser could neither revalidate a thumbnail nor keep the ranges of a video it had fetched
(Chrome's media cache stores a range only with a validator), so every reload refetched every byte.
"""

from __future__ import annotations

import hashlib
from email.utils import formatdate, parsedate_to_datetime

from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response

REVALIDATE = "no-cache"  # kept, but asked again (a 304 when unchanged): captions after a re-index, the page's files
GZIP_MIN_BYTES = 1024  # smaller answers go as they are (the gzip header and the CPU cost more than they save)
# what gzip never touches: media (ranges count the file's bytes), JPEGs, the multipart ranges answer
GZIP_EXCLUDED = ("video/*", "audio/*", "image/*", "application/octet-stream", "multipart/byteranges",
                 "text/event-stream")


def file_etag(video_id: str, size: int, mtime: float) -> str:
    """A strong ETag for a served file: its index id (a hash of its bytes), size and modification time."""
    return f'"{video_id}-{size:x}-{round(mtime * 1_000_000):x}"'


def content_etag(data: bytes) -> str:
    """A strong ETag from the bytes themselves (a JPEG, a caption file)."""
    return f'"{hashlib.blake2b(data, digest_size=12).hexdigest()}"'


def http_date(mtime: float) -> str:
    return formatdate(int(mtime), usegmt=True)


def _listed(header: str, etag: str) -> bool:
    """Whether an If-None-Match list names `etag` (weak comparison: W/ is ignored) or is `*`."""
    tags = [t.strip() for t in header.split(",")]
    return "*" in tags or etag in (t[2:] if t.startswith("W/") else t for t in tags)


def _date(text: str) -> float | None:
    try:
        return parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError, IndexError):
        return None


def not_modified(headers, etag: str, mtime: float | None = None) -> bool:
    """Whether a GET's If-None-Match (or, without one, If-Modified-Since) says the client has this version
    (RFC 9110, 13.1.2-13.1.3)."""
    if (match := headers.get("if-none-match")) is not None:
        return _listed(match, etag)
    since = headers.get("if-modified-since")
    when = _date(since) if since and mtime is not None else None
    return when is not None and int(mtime) <= when


def range_applies(headers, etag: str, mtime: float) -> bool:
    """Whether a Range header holds: without If-Range, or with an If-Range naming this version (a strong ETag,
    or the exact Last-Modified date). A stale validator means the client's piece is of another file: the
    whole file is sent (200), never a range of the new one to splice onto the old (RFC 9110, 13.1.5)."""
    validator = (headers.get("if-range") or "").strip()
    if not validator:
        return True
    if validator.startswith(('"', "W/")):
        return validator == etag  # a weak tag never matches
    return _date(validator) == float(int(mtime))


def validators(etag: str, mtime: float | None, cache_control: str) -> dict[str, str]:
    out = {"etag": etag, "cache-control": cache_control}
    if mtime is not None:
        out["last-modified"] = http_date(mtime)
    return out


def not_modified_response(headers: dict[str, str]) -> Response:
    return Response(status_code=304, headers=headers)


def conditional(request, data: bytes, media_type: str, cache_control: str, extra: dict | None = None) -> Response:
    """`data` as a response with a content ETag, or a 304 when the request already has it."""
    head = {**validators(content_etag(data), None, cache_control), **(extra or {})}
    if not_modified(request.headers, head["etag"]):
        return not_modified_response(head)
    return Response(data, media_type=media_type, headers=head)


class RevalidatedStaticFiles(StaticFiles):
    """The page's scripts and styles, asked again on every load (a 304 from their ETag when unchanged). Without a
    Cache-Control, browsers kept them by heuristic (a tenth of their age: days, for files unpacked from a wheel
    with old times), so after an upgrade the new index.html ran with the old app.js."""

    def file_response(self, *args, **kwargs) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["cache-control"] = REVALIDATE
        return response


def add_gzip(app) -> None:
    """gzip for the JSON and text answers of clients that ask for it; never for media, pictures or ranges."""
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES, exclude_content_types=GZIP_EXCLUDED)


class HeadAsGet:
    """ASGI middleware: HEAD on a route that only declares GET is answered as its GET, headers and all, without
    the body (FastAPI's routes answered 405). A route that takes HEAD itself (/api/media, which then reads no
    bytes) and the static files answer it as before: only a 405 to HEAD is asked again as GET."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "HEAD":
            return await self.app(scope, receive, send)
        refused = False

        async def unless_refused(message):
            nonlocal refused
            if message["type"] == "http.response.start" and message["status"] == 405:
                refused = True
            if not refused:
                await send(message)

        await self.app(scope, receive, unless_refused)
        if not refused:
            return

        asked = False

        async def no_body():  # a HEAD has none: the empty body once, then the client's own messages (a disconnect)
            nonlocal asked
            if asked:
                return await receive()
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}

        async def headers_only(message):
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, no_body, headers_only)
