"""Who may talk to the server, and what every answer carries.

- **Host check** (DNS rebinding): without a token, a request must name this machine: a loopback
  name (`localhost`, `*.localhost`), an IP address literal (a rebinding attack always uses its own
  domain name), or a name given with `--allowed-host`. Anything else gets 403. With a token the
  token guards every API call, so any Host is accepted.
- **Cross-site writes**: a POST (or any method but GET/HEAD/OPTIONS) whose `Sec-Fetch-Site` is not
  same-origin/none, or whose `Origin` is not this server, gets 403, unless its `Origin` is one named
  with `--cors-origin` (server/origins.py).
- **Token**: `Authorization: Bearer TOKEN` (the page's API calls), the `momentsearch_token` cookie
  (what `<video>` and `<img>` send: SameSite=Strict, path /api), or `?token=` (scripts; the access
  log never shows its value).
- **Headers on every answer**: `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, and
  a Content-Security-Policy that lets the page load only its own scripts (no inline script) and be framed
  only by the origins given with `--frame-origin` (none by default: also `X-Frame-Options: DENY`).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import secrets
from urllib.parse import urlsplit

from momentsearch.server.origins import frame_ancestors

TOKEN_COOKIE = "momentsearch_token"
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
            "media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
            "frame-ancestors 'none'; form-action 'self'")  # (frame-ancestors: as --frame-origin names)
DOCS_CSP = PAGE_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")  # Swagger UI starts inline
MEDIA_CSP = "default-src 'none'; sandbox"  # a served file is never a document that runs anything
_TOKEN_IN_QUERY = re.compile(r"([?&]token=)[^&#\s]*", re.IGNORECASE)


def host_name(host_header: str) -> str:
    """The name in a Host header, without port or IPv6 brackets, lower case."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def host_allowed(host_header: str, allowed: frozenset[str]) -> bool:
    name = host_name(host_header).rstrip(".")
    if not name:
        return False
    if name in LOOPBACK_NAMES or name.endswith(".localhost") or name in allowed:
        return True
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return False


def cross_site(headers: dict[bytes, bytes], host_header: str, allowed_origins=frozenset()) -> str | None:
    """Why a state-changing request comes from another site, or None when it does not (or comes from one
    of `allowed_origins`, the --cors-origin ones, whose scripts may call the API)."""
    if allowed_origins and headers.get(b"origin", b"").decode("latin-1").lower() in allowed_origins:
        return None
    site = headers.get(b"sec-fetch-site", b"").decode("latin-1").lower()
    if site and site not in ("same-origin", "none"):
        return f"Sec-Fetch-Site is {site}"
    origin = headers.get(b"origin", b"").decode("latin-1")
    if origin and origin != "null" and urlsplit(origin).netloc.lower() != host_header.strip().lower():
        return f"Origin {origin} is not this server"
    if origin == "null":
        return "Origin is null"
    return None


def _reject(message: str):
    body = json.dumps({"error": message, "status": 403}).encode()

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"x-content-type-options", b"nosniff")]})
        await send({"type": "http.response.body", "body": body})

    return app


class RequestGuard:
    """ASGI middleware: the Host check (when `check_host`), the cross-site write check, and the
    security headers on every response."""

    def __init__(self, app, check_host: bool, allowed_hosts: frozenset[str] = frozenset(),
                 frame_origins: tuple[str, ...] = (), cors_origins: tuple[str, ...] = ()) -> None:
        self.app = app
        self.check_host = check_host
        self.allowed = frozenset(h.lower().rstrip(".") for h in allowed_hosts)
        self.cors_origins = frozenset(cors_origins)
        ancestors = "frame-ancestors " + frame_ancestors(tuple(frame_origins))
        self.page_csp, self.docs_csp = (c.replace("frame-ancestors 'none'", ancestors).encode()
                                        for c in (PAGE_CSP, DOCS_CSP))
        # (X-Frame-Options cannot name origins: sent only where no page may frame this one)
        self.frame_options = [] if frame_origins else [(b"x-frame-options", b"DENY")]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        host = headers.get(b"host", b"").decode("latin-1")
        if self.check_host and not host_allowed(host, self.allowed):
            return await _reject(
                f"this server answers only to localhost or its IP address, not to the host name "
                f"{host_name(host)!r} (a DNS-rebinding guard); start it with --allowed-host "
                f"{host_name(host) or 'NAME'}, or with --token")(scope, receive, send)
        if scope.get("method", "GET") not in SAFE_METHODS and \
                (why := cross_site(headers, host, self.cors_origins)):
            return await _reject(f"cross-site request refused ({why})")(scope, receive, send)

        csp = self.docs_csp if route_path(scope).startswith("/docs") else self.page_csp

        async def with_headers(message):
            if message["type"] == "http.response.start":
                have = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                         (b"content-security-policy", csp), *self.frame_options]
                message = {**message, "headers": list(message.get("headers", [])) +
                           [(k, v) for k, v in extra if k not in have]}
            await send(message)

        await self.app(scope, receive, with_headers)


def route_path(scope) -> str:
    """The request's path inside the app: without the `--root-path` prefix that uvicorn puts before it."""
    path, root = scope.get("path", ""), scope.get("root_path", "").rstrip("/")
    return path[len(root):] or "/" if root and (path == root or path.startswith(root + "/")) else path


def token_matches(given: str | None, token: str) -> bool:
    return bool(given) and secrets.compare_digest(given.encode(), token.encode())


def given_token(headers, cookies, query) -> str:
    """The token a request carries: Bearer header, else the cookie, else ?token=."""
    auth = headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    return cookies.get(TOKEN_COOKIE) or query.get("token") or ""


def redact(text: str) -> str:
    """`?token=...` in a URL shown as `?token=***`."""
    return _TOKEN_IN_QUERY.sub(r"\1***", text)


class RedactTokenFilter(logging.Filter):
    """Keeps token values out of uvicorn's access log (its args hold the path with the query)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def log_config() -> dict:
    """uvicorn's logging set-up with RedactTokenFilter on the access log, and the `momentsearch` loggers
    printed as uvicorn prints its own (they went to Python's last-resort handler, without a level)."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_token"] = {"()": f"{__name__}.RedactTokenFilter"}
    config["handlers"]["access"].setdefault("filters", []).append("redact_token")
    # the server's own notes (a player's copy that cannot be made) as uvicorn's lines: "WARNING:  ..."
    config["loggers"]["momentsearch"] = {"handlers": ["default"], "level": "INFO"}  # (propagates: pytest sees it)
    return config
