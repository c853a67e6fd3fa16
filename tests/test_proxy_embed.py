"""The server behind a university's reverse proxy at a path prefix (https://lms.example.edu/lecture-search/, the
prefix stripped as nginx's `proxy_pass http://127.0.0.1:8000/;` does), its page framed by a course site and its
API called by that site's scripts: /docs under the prefix, `--root-path`, `--frame-origin`, `--cors-origin`."""

from __future__ import annotations

import io
import re
from urllib.parse import urljoin, urlsplit

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402
from PIL import Image  # noqa: E402

from momentsearch.cli.main import main  # noqa: E402
from momentsearch.errors import ConfigError  # noqa: E402
from momentsearch.server.app import create_app  # noqa: E402
from test_server_safety import LOCAL, _FakeIndex, _record  # noqa: E402

PREFIX = "/lecture-search"
LMS = "https://canvas.example.edu"


def _client(tmp_path, **kw) -> tuple[TestClient, str]:
    media = tmp_path / "a.mp4"
    media.write_bytes(bytes(range(256)) * 4)
    rec = _record(media)
    root_path = kw.pop("root_path", "")
    app = create_app(_FakeIndex([rec]), warm=False, **kw)
    return TestClient(app, base_url=LOCAL, root_path=root_path), rec.video_id


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="PNG")
    return out.getvalue()


def test_docs_load_their_script_style_and_schema_under_the_proxy_prefix(tmp_path):
    """/docs named /docs-assets/..., /openapi.json and /web/favicon.svg from the host's root: behind the proxy
    those are the LMS's own paths (404), and the page was blank."""
    client, _ = _client(tmp_path)
    with client:
        docs = client.get("/docs").text
        wanted = re.findall(r'(?:src|href)="([^"]+)"', docs) + re.findall(r"url: '([^']+)'", docs)
        assert len(wanted) >= 4, wanted  # script, style, icon, schema
        for url in wanted:
            public = urlsplit(urljoin(f"https://lms.example.edu{PREFIX}/docs", url))
            assert public.netloc == "lms.example.edu" and public.path.startswith(PREFIX + "/"), url
            assert client.get(public.path[len(PREFIX):]).status_code == 200, url  # what the proxy asks for


def test_root_path_names_the_prefix_in_the_schema_and_keeps_docs_working(tmp_path):
    """With `--root-path /lecture-search` (uvicorn puts it before each path), /docs' "Try it out" calls the
    API under the prefix, and /docs still gets the CSP that lets Swagger UI start."""
    client, vid = _client(tmp_path, root_path=PREFIX)
    with client:
        assert client.get(f"{PREFIX}/openapi.json").json()["servers"] == [{"url": PREFIX}]
        docs = client.get(f"{PREFIX}/docs")
        assert docs.status_code == 200 and "'unsafe-inline'" in docs.headers["content-security-policy"]
        assert client.get(f"{PREFIX}/api/media/{vid}", headers={"Range": "bytes=0-9"}).status_code == 206
        assert "script-src 'self';" in client.get(f"{PREFIX}/").headers["content-security-policy"]
        missing = client.get(f"{PREFIX}/api/nothing").json()["error"]
        assert missing == "no such page or API route: /api/nothing"
    with pytest.raises(SystemExit):
        main(["serve", "--root-path", "https://lms.example.edu/lecture-search"])


def test_the_page_is_framed_only_by_origins_named(tmp_path):
    """Without --frame-origin no page may frame it (old browsers too: X-Frame-Options); with it, the
    course site may, and nothing else changes."""
    client, _ = _client(tmp_path)
    with client:
        page = client.get("/")
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY"
    client, _ = _client(tmp_path, frame_origins=[LMS + "/", "https://LMS.example.edu:443"])
    with client:
        page = client.get("/")
        assert f"frame-ancestors 'self' {LMS} https://lms.example.edu;" in page.headers["content-security-policy"]
        assert "x-frame-options" not in page.headers
        assert "script-src 'self';" in page.headers["content-security-policy"]
    for bad in ("*", "https://*.example.edu", "lms.example.edu", "https://lms.example.edu/course", "ftp://x.org"):
        with pytest.raises(ConfigError, match="--frame-origin"):
            create_app(_FakeIndex([]), warm=False, frame_origins=[bad])


def test_scripts_of_origins_named_may_call_the_api_with_the_token(tmp_path):
    """Without --cors-origin no answer carries Access-Control-Allow-Origin (another origin's script cannot read
    it, and its preflight fails); with it, the LMS's script may search, with the token in a header (preflight),
    read a refusal, seek in a video and upload an image; other origins get nothing more than before."""
    client, _ = _client(tmp_path, token="s3cret")
    with client:
        ask = {"Origin": LMS, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"}
        assert "access-control-allow-origin" not in client.options("/api/search?q=x", headers=ask).headers
        r = client.get("/api/videos", headers={"Origin": LMS, "Authorization": "Bearer s3cret"})
        assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    client, vid = _client(tmp_path, token="s3cret", cors_origins=[LMS])
    with client:
        pre = client.options("/api/search?q=x", headers=ask)
        assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == LMS
        assert "authorization" in pre.headers["access-control-allow-headers"].lower()
        bearer = {"Origin": LMS, "Authorization": "Bearer s3cret"}
        r = client.get("/api/videos", headers=bearer)
        assert r.status_code == 200 and r.headers["access-control-allow-origin"] == LMS
        refused = client.get("/api/videos", headers={"Origin": LMS})
        assert refused.status_code == 401 and refused.headers["access-control-allow-origin"] == LMS
        part = client.get(f"/api/media/{vid}", headers={**bearer, "Range": "bytes=10-19"})
        assert part.status_code == 206 and "content-range" in part.headers["access-control-expose-headers"].lower()
        upload = client.post("/api/search", files={"image": ("a.png", _png(), "image/png")},
                             headers={**bearer, "Sec-Fetch-Site": "cross-site"})
        assert upload.status_code == 200, upload.text
        evil = {"Origin": "https://evil.example", "Authorization": "Bearer s3cret", "Sec-Fetch-Site": "cross-site"}
        assert client.options("/api/search", headers={**ask, "Origin": evil["Origin"]}).status_code == 400
        assert "access-control-allow-origin" not in client.get("/api/videos", headers=evil).headers
        upload = client.post("/api/search", files={"image": ("a.png", _png(), "image/png")}, headers=evil)
        assert upload.status_code == 403 and "cross-site" in upload.json()["error"]


def test_serve_refuses_an_origin_it_cannot_use_in_one_line(tmp_path, capsys):
    """A wildcard would let every web page read an index served on this machine (no token needed on
    localhost): refused before anything starts, naming the flag."""
    assert main(["serve", "--db", str(tmp_path / "db"), "--cors-origin", "*"]) == 2
    err = capsys.readouterr().err
    assert "--cors-origin '*'" in err and "wildcard" in err and len(err.strip().splitlines()) == 1
