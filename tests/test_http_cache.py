"""HTTP caching as a class of browsers meets it: validators and 304s on media, captions, thumbnails and the page's
files; If-Range; HEAD on every GET route; gzip for JSON and never for media."""

from __future__ import annotations

import dataclasses
import os

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from momentsearch.server.app import create_app  # noqa: E402
from momentsearch.store.ids import entry_id  # noqa: E402
from momentsearch.types import TranscriptChunk  # noqa: E402
from test_server import _FakeIndex, _record  # noqa: E402

LOCAL = "http://localhost"


class _Captioned(_FakeIndex):
    """A fake index whose video has a transcript (what a re-index with another Whisper changes)."""

    text = "entropy always grows"

    def chunks_of(self, video_id):
        return [TranscriptChunk(entry_id(video_id, "chunk", 0.0, 2.0), video_id, 0.0, 2.0, self.text)]


@pytest.fixture()
def media(tmp_path):
    path = tmp_path / "talk.mp4"
    path.write_bytes(bytes(range(256)) * 40)  # 10,240 bytes
    return path


def _client(index):
    return TestClient(create_app(index, warm=False), base_url=LOCAL)


def test_media_has_validators_and_answers_conditional_requests(media):
    rec = _record(media)
    url = f"/api/media/{rec.video_id}"
    with _client(_FakeIndex([rec])) as client:
        first = client.get(url)
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        assert first.status_code == 200 and etag.startswith('"') and modified.endswith("GMT")
        for conditional in ({"If-None-Match": etag}, {"If-None-Match": f'W/{etag}, "x"'},
                            {"If-Modified-Since": modified}):
            again = client.get(url, headers=conditional)
            assert again.status_code == 304 and again.content == b"", conditional
            assert again.headers["etag"] == etag and "max-age" in again.headers["cache-control"]
        assert client.get(url, headers={"If-None-Match": '"another"'}).status_code == 200
        # If-Range: the same version gives the range; a stale one (ETag or date) gives the whole file
        assert client.get(url, headers={"Range": "bytes=0-9", "If-Range": etag}).status_code == 206
        assert client.get(url, headers={"Range": "bytes=0-9", "If-Range": modified}).status_code == 206
        for stale in ('"old"', f"W/{etag}", "Mon, 01 Jan 2001 00:00:00 GMT"):
            whole = client.get(url, headers={"Range": "bytes=0-9", "If-Range": stale})
            assert whole.status_code == 200 and whole.content == media.read_bytes(), stale
        # the ranges a player and a download manager send
        assert client.get(url, headers={"Range": "bytes=-500"}).content == media.read_bytes()[-500:]
        tail = client.get(url, headers={"Range": "bytes=100-"})
        assert tail.headers["content-range"] == "bytes 100-10239/10240" and tail.headers["etag"] == etag
        past = client.get(url, headers={"Range": "bytes=10240-"})
        assert past.status_code == 416 and past.headers["content-range"] == "bytes */10240"
        head = client.head(url)
        assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == etag
        assert head.headers["content-length"] == "10240"
        # media is never gzipped (TestClient asks for gzip): ranges count the file's bytes
        assert "content-encoding" not in first.headers and "content-encoding" not in tail.headers


def test_a_replaced_file_is_not_served_from_a_cache(media):
    """A file changed in place and indexed again keeps its address only where its bytes hash the same; its ETag
    (and Last-Modified) follow the file, so a browser's copy is not taken for it."""
    rec = _record(media)
    with _client(_FakeIndex([rec])) as client:
        old = client.get(f"/api/media/{rec.video_id}").headers["etag"]
    media.write_bytes(b"y" * 10_240)
    os.utime(media, (1_900_000_000, 1_900_000_000))
    with _client(_FakeIndex([_record(media)])) as client:
        fresh = client.get(f"/api/media/{rec.video_id}", headers={"If-None-Match": old})
        assert fresh.status_code == 200 and fresh.content == b"y" * 10_240 and fresh.headers["etag"] != old
        partial = client.get(f"/api/media/{rec.video_id}", headers={"Range": "bytes=0-3", "If-Range": old})
        assert partial.status_code == 200 and partial.content == b"y" * 10_240


def test_captions_revalidate_and_change_with_the_transcript(media):
    index = _Captioned([_record(media)])
    url = f"/api/captions/{_record(media).video_id}.vtt"
    with _client(index) as client:
        first = client.get(url)
        assert first.status_code == 200 and "entropy" in first.text
        assert first.headers["content-type"] == "text/vtt; charset=utf-8"
        assert first.headers["cache-control"] == "no-cache"
        assert client.get(url, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
        index.text = "the Carnot cycle"  # re-indexed with another model: same address, new words
        after = client.get(url, headers={"If-None-Match": first.headers["etag"]})
        assert after.status_code == 200 and "Carnot" in after.text and after.headers["etag"] != first.headers["etag"]


def test_head_is_answered_on_every_get_route_as_its_get(media):
    """HEAD got 405 on every route but /api/media (link checkers, `curl -I`, proxies' probes)."""
    rec = _record(media)
    thumb = entry_id(rec.video_id, "keyframe", 5.0, 6.0)  # not a segment of it: a 404, not a 405
    urls = ["/", "/api/health", "/api/videos", "/api/search?q=entropy", f"/api/captions/{rec.video_id}.vtt",
            f"/api/thumbs/{thumb}", "/web/app.js", "/openapi.json"]
    with _client(_Captioned([rec])) as client:
        for url in urls:
            got, head = client.get(url), client.head(url)
            assert head.status_code == got.status_code != 405, url
            assert head.content == b"", url
            for name in ("content-type", "etag", "cache-control"):
                assert head.headers.get(name) == got.headers.get(name), (url, name)
        assert client.head(f"/api/thumbs/{thumb}").headers["content-type"] == "application/json"
        assert client.request("PUT", "/api/health").status_code == 405


def test_page_files_revalidate_so_an_upgrade_is_seen(media):
    """The page's scripts had no Cache-Control: kept by heuristic, an upgraded index.html ran the old app.js."""
    with _client(_FakeIndex([_record(media)])) as client:
        for url in ("/", "/web/app.js", "/web/style.css", "/web/favicon.svg"):
            got = client.get(url)
            assert got.headers["cache-control"] == "no-cache", url
            again = client.get(url, headers={"If-None-Match": got.headers["etag"]})
            assert again.status_code == 304 and again.content == b"", url
        assert client.get("/web/favicon.svg").headers["content-type"] == "image/svg+xml"
        assert client.get("/web/app.js").headers["content-type"].startswith("text/javascript")


def test_json_is_gzipped_when_asked(tmp_path):
    records = []
    for n in range(100):
        (path := tmp_path / f"lecture-{n:03d}.mp4").write_bytes(b"x")
        records.append(dataclasses.replace(_record(path, video_id=f"{n:016x}")))
    with _client(_FakeIndex(records)) as client:
        zipped = client.get("/api/videos", headers={"Accept-Encoding": "gzip"})
        plain = client.get("/api/videos", headers={"Accept-Encoding": "identity"})
        assert zipped.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
        assert zipped.json() == plain.json()
        assert int(zipped.headers["content-length"]) * 4 < int(plain.headers["content-length"])
