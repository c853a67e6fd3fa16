"""Other origins the server lets in, each named by the one who runs it (none by default):

- **framing** (`--frame-origin`): the page may be shown in an iframe of these origins (a course site, an LMS).
  Without any, no page may frame it (`frame-ancestors 'none'`, and `X-Frame-Options: DENY` for old browsers).
- **CORS** (`--cors-origin`): these origins' scripts may call the API (`Access-Control-Allow-Origin` for
  them alone, a preflight that allows the `Authorization` header, the headers a player or a clip download
  reads exposed). Without any, the browser keeps another origin's script from reading an answer.

An origin is `scheme://host[:port]`, exactly as a browser sends it in `Origin`: no path, no wildcard (`*`
would let every web page read an index served on this machine without a token).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from momentsearch.errors import ConfigError

CORS_METHODS = ("GET", "HEAD", "POST")
CORS_HEADERS = ("Authorization",)  # the token; a multipart image upload needs no other header allowed
CORS_EXPOSED = ("Content-Range", "Accept-Ranges", "Content-Length", "Content-Disposition", "X-Clip-Start",
                "X-Clip-End")
CORS_MAX_AGE = 600  # seconds a browser may keep a preflight's answer


def origin(text: str, flag: str) -> str:
    """`text` as an origin a browser sends (`https://lms.example.edu`, lower case, no default port), or a
    ConfigError naming `flag` and what is wrong."""
    given = text.strip()
    parts = urlsplit(given)
    why = ""
    if given == "*" or "*" in given:
        why = "a wildcard lets every web page in; name each origin (repeat the flag)"
    elif parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        why = "it needs a scheme and a host name, as https://lms.example.edu"
    elif parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
        why = "an origin is scheme://host[:port] alone, without a path (the browser sends no path in Origin)"
    else:
        try:
            port = parts.port
        except ValueError:
            port, why = None, "its port is not a number from 0 to 65535"
    if why:
        raise ConfigError(f"{flag} {text!r}: {why}")
    scheme, host = parts.scheme.lower(), parts.hostname.lower()
    host = f"[{host}]" if ":" in host else host
    default = {"http": 80, "https": 443}[scheme]
    return f"{scheme}://{host}" + (f":{port}" if port not in (None, default) else "")


def origins(texts, flag: str) -> tuple[str, ...]:
    """Each of `texts` as an origin (see `origin`), in order, each once."""
    return tuple(dict.fromkeys(origin(t, flag) for t in texts))


def frame_ancestors(allowed: tuple[str, ...]) -> str:
    """The CSP `frame-ancestors` source list: 'none' unless origins are named; then the server itself and them."""
    return "'self' " + " ".join(allowed) if allowed else "'none'"


def add_cors(app, allowed: tuple[str, ...]) -> None:
    """Lets `allowed` origins' scripts call the API; nothing is added without any. Cookies are not sent
    cross-origin (`allow_credentials` off): such a script sends the token as `Authorization: Bearer`."""
    if not allowed:
        return
    from starlette.middleware.cors import CORSMiddleware

    app.add_middleware(CORSMiddleware, allow_origins=list(allowed), allow_methods=list(CORS_METHODS),
                       allow_headers=list(CORS_HEADERS), expose_headers=list(CORS_EXPOSED),
                       allow_credentials=False, max_age=CORS_MAX_AGE)
