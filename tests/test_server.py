"""The HTTP API through FastAPI's test client: search, media with Range, thumbnails, captions,
image upload, token, JSON errors, and attempts to read files outside the index."""

from __future__ import annotations

import io
import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from conftest import iou  # noqa: E402
from fakes import FakeIndex  # noqa: E402
from momentsearch.server.app import create_app  # noqa: E402
from momentsearch.server.routes import MAX_UPLOAD_BYTES  # noqa: E402
from momentsearch.errors import MediaChangedError  # noqa: E402
from momentsearch.server.media import parse_range, verified_path, webvtt  # noqa: E402
from momentsearch.store.ids import entry_id  # noqa: E402
from momentsearch.types import FileRecord, Moment  # noqa: E402


@pytest.fixture(scope="module")
def served(indexed_lecture):
    """(client, index, video_id, video path, section windows) over the indexed generated lecture."""
    from momentsearch.api import MomentIndex

    db, video, windows, _ = indexed_lecture
    index = MomentIndex(db)
    with TestClient(create_app(index), base_url="http://127.0.0.1:8000") as client:
        vid = client.get("/api/videos").json()["videos"][0]["video_id"]
        yield client, index, vid, Path(video), windows


def test_health_and_videos(served):
    client, _, vid, video, _ = served
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and health["videos"] == 1 and health["models_loaded"] is True
    body = client.get("/api/videos").json()
    (v,) = body["videos"]
    assert v["name"] == video.name and v["duration"] > 40 and v["media_url"] == f"/api/media/{vid}"
    assert {"transcript", "visual"} <= set(v["channels"]) and set(v["channels"]) == set(body["channels"])


def test_search_matches_the_cli_objects_plus_ids(served):
    client, index, vid, _, windows = served
    body = client.get("/api/search", params={"q": "where do they discuss the roadmap", "k": 3}).json()
    results = body["results"]
    assert body["query"] == "where do they discuss the roadmap" and 1 <= len(results) <= 3
    top = results[0]
    assert iou((top["start"], top["end"]), windows["Project Roadmap"]) >= 0.5
    assert "roadmap" in top["text"].lower()
    library = [m.to_json() for m in index.search("where do they discuss the roadmap", k=3)]
    for api_obj, lib_obj in zip(results, library):
        assert {k: api_obj[k] for k in lib_obj} == lib_obj  # the CLI's --json object, unchanged
    assert top["media_url"] == f"/api/media/{vid}" and top["captions_url"] == f"/api/captions/{vid}.vtt"
    assert top["thumb_id"].startswith(f"{vid}:keyframe:") and top["thumb_url"] == f"/api/thumbs/{top['thumb_id']}"
    assert top["snippet"] == top["text"] and all(r["snippet"].strip() for r in results)  # speech in range
    assert "corrected" not in body or body["corrected"] == []  # nothing typed wrong
    typo = client.get("/api/search", params={"q": "where do they discuss the roadmpa", "k": 3}).json()
    assert typo["searched_for"] == "the roadmap" and typo["corrected"] == [["roadmpa", "roadmap"]]
    assert [r["start"] for r in typo["results"]] == [r["start"] for r in results]
    assert body["empty_note"] == ""  # something was found: nothing to explain


@pytest.mark.parametrize("query, why", [('"roadmap of the moon" -zebra', "quoted phrases must occur word for word"),
                                        ("the of and", "every word of the query is too common")])
def test_a_search_that_finds_nothing_says_why_as_the_cli_does(served, query, why):
    body = served[0].get("/api/search", params={"q": query}).json()
    assert body["results"] == [] and why in body["empty_note"]


def test_search_errors_are_json(served):
    client = served[0]
    for params, status, words in [({"q": "   "}, 400, "query is empty"), ({"q": "x", "k": 0}, 422, "k"),
                                  ({"q": "x", "k": "many"}, 422, "k"), ({}, 422, "q"),
                                  ({"q": "x", "kind": "song"}, 422, "kind")]:
        r = client.get("/api/search", params=params)
        assert r.status_code == status, (params, r.text)
        assert r.headers["content-type"] == "application/json" and words in r.json()["error"]
    r = client.get("/api/no-such-route")
    assert r.status_code == 404 and "no such" in r.json()["error"]


def test_media_range_requests(served):
    client, _, vid, video, _ = served
    data = video.read_bytes()
    size = len(data)
    full = client.get(f"/api/media/{vid}")
    assert full.status_code == 200 and full.content == data
    assert full.headers["accept-ranges"] == "bytes" and full.headers["content-type"] == "video/mp4"
    cases = {"bytes=0-99": (0, 100), "bytes=100-": (100, size), "bytes=-500": (size - 500, size),
             f"bytes={size - 10}-{size + 1000}": (size - 10, size)}
    for header, (start, end) in cases.items():
        r = client.get(f"/api/media/{vid}", headers={"Range": header})
        assert r.status_code == 206, header
        assert r.content == data[start:end], header
        assert r.headers["content-range"] == f"bytes {start}-{end - 1}/{size}"
    for unit in ("items=0-1", "pages=2-3"):  # a unit the server does not know is ignored (RFC 9110, 14.2)
        r = client.get(f"/api/media/{vid}", headers={"Range": unit})
        assert r.status_code == 200 and r.content == data and "content-range" not in r.headers, unit
    for bad in (f"bytes={size}-", "bytes=50-10", "bytes=abc", "bytes=", "bytes=-0"):
        r = client.get(f"/api/media/{vid}", headers={"Range": bad})
        assert r.status_code == 416, bad
        assert r.headers["content-range"] == f"bytes */{size}" and r.json()["status"] == 416
    r = client.get(f"/api/media/{vid}", headers={"Range": "bytes=0-1,5-6"})  # several ranges: multipart
    assert r.status_code == 206 and r.headers["content-type"].startswith("multipart/byteranges")
    assert data[0:2] in r.content and data[5:7] in r.content
    assert client.get(f"/api/media/{vid}", headers={"Range": f"bytes=0-1,{size}-"}).status_code == 416


ESCAPES = ["..%2F..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
           "..%252F..%252Fetc%252Fpasswd", "....//....//etc/passwd", "%00", "0000000000000000",
           "C:%5CWindows%5Cwin.ini"]


def test_paths_from_requests_are_never_read(served):
    client, _, vid, video, _ = served
    secret = Path("/etc/passwd").read_bytes()[:20]
    urls = [f"/api/media/{e}" for e in ESCAPES] + [f"/api/thumbs/{e}" for e in ESCAPES]
    urls += [f"/api/captions/{e}.vtt" for e in ESCAPES]
    urls += [f"/api/media/{str(video).replace('/', '%2F')}", f"/api/media/{vid}%2F..%2F..%2Fetc%2Fpasswd",
             f"/api/thumbs/{vid}:keyframe:..%2F..%2Fetc%2Fpasswd", "/web/..%2Fserver.py", "/web/%2e%2e/server.py",
             "/web/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd", f"/api/media/{vid}?path=/etc/passwd"]
    for url in urls:
        r = client.get(url)
        assert secret not in r.content and b"def create_app" not in r.content, url
        if url.endswith("?path=/etc/passwd"):
            assert r.status_code == 200 and r.content == video.read_bytes()  # the query is ignored, the id rules
            continue
        assert r.status_code in (404, 422), (url, r.status_code)
        assert r.headers["content-type"].startswith("application/json") and r.json()["error"], url


def test_thumbnails_are_keyframes(served):
    client, _, vid, _, _ = served
    from PIL import Image

    segments = [r["thumb_url"] for r in client.get("/api/search", params={"q": "roadmap", "k": 5}).json()["results"]]
    images = []
    for url in dict.fromkeys(segments):
        r = client.get(url)
        assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
        img = Image.open(io.BytesIO(r.content))
        assert img.format == "JPEG" and max(img.size) <= 320
        images.append(np.asarray(img.convert("L"), dtype=np.float32))
    assert len(images) >= 2
    assert np.abs(images[0] - images[1]).mean() > 5  # different slides, not one frame for all
    assert client.get(f"/api/thumbs/{vid}:keyframe:000000001-000000002").status_code == 404  # not a segment
    assert client.get(f"/api/thumbs/{'f' * 16}:keyframe:000000000-000001000").status_code == 404  # no such video


def test_captions_are_webvtt_from_the_transcript(served):
    client, _, vid, _, _ = served
    r = client.get(f"/api/captions/{vid}.vtt")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/vtt")
    text = r.text
    assert text.startswith("WEBVTT\n") and "roadmap" in text.lower()
    stamps = [line.split(" --> ") for line in text.splitlines() if " --> " in line]
    secs = [[sum(float(x) * m for x, m in zip(s.split(":"), (3600, 60, 1))) for s in pair] for pair in stamps]
    assert len(secs) >= 4 and all(a < b for a, b in secs)
    assert all(secs[i][0] >= secs[i - 1][0] for i in range(1, len(secs)))


def test_webvtt_escapes_and_splits_text():
    out = webvtt([(0.0, 10.0, "a <b> & c " + "word " * 20)])
    assert "<b>" not in out and "&lt;b&gt; &amp; c" in out
    assert out.count(" --> ") == 2 and "00:00:10.000" in out


def test_image_upload_search_and_limits(served):
    client, _, vid, _, _ = served
    from PIL import Image

    thumb = client.get(client.get("/api/search", params={"q": "roadmap"}).json()["results"][0]["thumb_url"]).content
    r = client.post("/api/search", files={"image": ("slide.jpg", thumb, "image/jpeg")}, data={"k": "3"})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert 1 <= len(results) <= 3 and all(m["video_id"] == vid and "visual" in m["channels"] for m in results)
    assert "roadmap" in r.json()["image_text"].lower()  # the slide's words, searched as text too
    assert r.json()["image_note"] == ""  # the picture itself was compared (CLIP), so nothing to say
    assert client.get("/api/search", params={"q": "a chart of the roadmap"}).json()["picture_note"] == ""  # (CLIP)
    # the text search's filters: a kind and a video (the index holds no photo: none found; a video id: its own)
    image = {"image": ("slide.jpg", thumb, "image/jpeg")}
    assert client.post("/api/search", files=image, data={"kind": "photo"}).json()["results"] == []
    assert client.post("/api/search", files=image, data={"kind": "moment", "video": vid}).json()["results"]
    assert client.post("/api/search", files=image, data={"video": "ffffffffffffffff"}).status_code == 404
    assert client.post("/api/search", files=image, data={"kind": "song"}).status_code == 422
    r = client.post("/api/search", files={"image": ("notes.txt", b"not an image at all", "text/plain")})
    assert r.status_code == 400 and "not a usable image" in r.json()["error"]
    assert "object at" not in r.json()["error"] and "unknown or damaged image format" in r.json()["error"]
    buf = io.BytesIO()
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(buf, format="PNG")
    big = buf.getvalue() + b"\0" * (MAX_UPLOAD_BYTES + 1)
    r = client.post("/api/search", files={"image": ("big.png", big, "image/png")})
    assert r.status_code == 413 and "larger than" in r.json()["error"]

    def chunked():  # no Content-Length: the limit is enforced while reading
        yield b'--xx\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n' \
              b'Content-Type: image/png\r\n\r\n'
        for _ in range(12):
            yield b"\0" * (1024 * 1024)
        yield b"\r\n--xx--\r\n"

    r = client.post("/api/search", content=chunked(), headers={"Content-Type": "multipart/form-data; boundary=xx"})
    assert r.status_code == 413 and "larger than" in r.json()["error"]
    r = client.post("/api/search", data={"k": "3"})
    assert r.status_code == 422 and "image" in r.json()["error"]


def test_start_page_examples_and_offline_docs(served):
    """The start page's example queries come from the lecture (its slide titles / spoken words) and find it;
    /docs is Swagger UI from local assets (no CDN), with the page's favicon."""
    client, _, vid, _, _ = served
    examples = client.get("/api/examples").json()["examples"]
    assert 1 <= len(examples) <= 4 and all(isinstance(q, str) and q.strip() for q in examples)
    for q in examples:
        results = client.get("/api/search", params={"q": q}).json()["results"]
        assert results and results[0]["video_id"] == vid, q
    docs = client.get("/docs")
    assert docs.status_code == 200 and 'src="docs-assets/swagger-ui-bundle.js"' in docs.text  # (relative: a prefix)
    assert "cdn" not in docs.text.lower() and "http://" not in docs.text and "https://" not in docs.text
    js = client.get("/docs-assets/swagger-ui-bundle.js")
    assert js.status_code == 200 and len(js.content) > 100_000
    assert client.get("/web/favicon.svg").status_code == 200 and 'rel="icon"' in client.get("/").text


def test_openapi_schema_describes_the_api(served):
    schema = served[0].get("/openapi.json").json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/search"])
    for p in ("/api/videos", "/api/health", "/api/media/{video_id}", "/api/thumbs/{segment_id}",
              "/api/captions/{video_id}.vtt"):
        assert "get" in paths[p], p
    moment = schema["components"]["schemas"]["MomentOut"]["properties"]
    assert {"video", "video_id", "start", "end", "score", "channels", "text", "url", "media_url", "thumb_url"} <= set(moment)
    assert "206" in paths["/api/media/{video_id}"]["get"]["responses"]


# -- with fakes: token, symlink swaps, concurrency ------------------------------------------------
class _FakeIndex(FakeIndex):
    """Just enough of MomentIndex's public API for the server: files by id, and a search that takes `delay` seconds."""

    def __init__(self, records, delay=0.0):
        self.files = {r.video_id: r for r in records}
        self.delay = delay

    def videos(self):
        return list(self.files.values())

    def notes(self):  # no file an older momentsearch made
        return []

    def video(self, video_id):
        return self.files.get(video_id)

    def chunks_of(self, video_id):
        return []

    def speech_in(self, video_id, start, end):
        return []

    def playable_copy(self, source, record):  # every file plays as it is
        return None

    def searchable_channels(self):  # an image query's picture is compared (as with CLIP weights)
        return {"transcript", "visual"}

    def search(self, query, k=10, kind=None, video=None, in_=None, everywhere=False):
        time.sleep(self.delay)
        rec = next(iter(self.files.values()))
        return [Moment(video=rec.path, video_id=rec.video_id, start=1.0, end=2.0, score=0.5,
                       channels={"transcript": 0.5}, text=query)]


def _record(path: Path, video_id: str = "0123456789abcdef") -> FileRecord:
    st = path.stat()
    return FileRecord(path=str(path), video_id=video_id, size=st.st_size, mtime=st.st_mtime, duration=3.0,
                      channels=["transcript"], visual_segments=[(0.0, 3.0)], complete=True)


def test_videos_come_a_page_at_a_time(tmp_path):
    """/api/videos answered every video at once (a 2,000-video index: one huge JSON); now a page (VIDEOS_PAGE unless
    `limit` asks, at most VIDEOS_PAGE_MAX), by path, with the total and the next page's offset."""
    from momentsearch.server.routes import VIDEOS_PAGE, VIDEOS_PAGE_MAX

    records = []
    for n in range(VIDEOS_PAGE + 5):
        (media := tmp_path / f"talk{n:04d}.mp4").write_bytes(b"x")
        records.append(_record(media, video_id=f"{n:016x}"))
    with TestClient(create_app(_FakeIndex(records), warm=False), base_url="http://localhost") as client:
        first = client.get("/api/videos").json()
        assert len(first["videos"]) == VIDEOS_PAGE and first["total"] == VIDEOS_PAGE + 5
        assert (first["offset"], first["limit"], first["next_offset"]) == (0, VIDEOS_PAGE, VIDEOS_PAGE)
        rest = client.get("/api/videos", params={"offset": first["next_offset"], "limit": VIDEOS_PAGE_MAX}).json()
        assert [v["name"] for v in first["videos"] + rest["videos"]] == [Path(r.path).name for r in records]
        assert rest["next_offset"] is None and rest["channels"] == first["channels"] == ["transcript"]
        assert client.get("/api/videos", params={"offset": 10_000}).json()["videos"] == []
        for bad in ({"limit": 0}, {"limit": VIDEOS_PAGE_MAX + 1}, {"offset": -1}):
            assert client.get("/api/videos", params=bad).status_code == 422, bad


def test_token_guards_every_api_call(tmp_path):
    media = tmp_path / "a.mp4"
    media.write_bytes(b"x" * 1000)
    rec = _record(media)
    with TestClient(create_app(_FakeIndex([rec]), token="s3cret", warm=False)) as client:
        urls = ["/api/health", "/api/videos", "/api/search?q=hello", f"/api/media/{rec.video_id}",
                f"/api/captions/{rec.video_id}.vtt", f"/api/thumbs/{entry_id(rec.video_id, 'keyframe', 0, 3)}"]
        for url in urls:
            for headers in ({}, {"Authorization": "Bearer wrong"}):
                r = client.get(url, headers=headers)
                assert r.status_code == 401 and "token" in r.json()["error"], url
                assert r.headers["www-authenticate"] == "Bearer"
        assert client.post("/api/search", files={"image": ("a.png", b"x", "image/png")}).status_code == 401
        assert client.get("/api/health?token=s3cret").status_code == 200
        assert client.get("/api/search?q=hi", headers={"Authorization": "Bearer s3cret"}).json()["results"]
        assert client.get(f"/api/media/{rec.video_id}?token=s3cret", headers={"Range": "bytes=0-9"}).status_code == 206
        assert client.get("/").status_code == 200  # the page itself holds no data; its API calls carry the token


def test_health_and_search_say_while_an_index_run_writes(tmp_path):
    """The page shows the answer's warnings: while a batch still writes into the served folder, an empty or
    short answer may only mean its file is not finished yet, and /api/health and /api/search say so."""
    import anyio

    from momentsearch.server.routes import refresh_health
    from momentsearch.store.lock import WriterLock

    (tmp_path / "talk.mp4").write_bytes(b"x")
    index = _FakeIndex([_record(tmp_path / "talk.mp4")])
    index.db = str(tmp_path / "db")
    with TestClient(create_app(index, warm=False), base_url="http://localhost") as client:
        assert client.get("/api/health").json()["warnings"] == []
        with WriterLock(index.db, "index"):
            anyio.run(refresh_health, client.app)
            for said in (client.get("/api/health").json(), client.get("/api/search", params={"q": "roadmap"}).json()):
                assert any(f"being written now by `index` (pid {os.getpid()}" in w for w in said["warnings"])
        anyio.run(refresh_health, client.app)
        assert client.get("/api/search", params={"q": "roadmap"}).json()["warnings"] == []


def test_swapped_or_symlinked_files_are_refused(tmp_path):
    media = tmp_path / "lecture.mp4"
    media.write_bytes(b"m" * 4096)
    rec = _record(media)
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"S" * 4096)  # same size as the indexed file
    os.utime(secret, (1_000_000, 1_000_000))
    with TestClient(create_app(_FakeIndex([rec]), warm=False), base_url="http://localhost") as client:
        assert client.get(f"/api/media/{rec.video_id}").content == b"m" * 4096
        media.unlink()
        media.symlink_to(secret)  # the indexed path now points elsewhere
        r = client.get(f"/api/media/{rec.video_id}")
        assert r.status_code == 409 and b"S" not in r.content and "re-index" in r.json()["error"]
        media.unlink()
        media.symlink_to(tmp_path)  # a directory
        assert client.get(f"/api/media/{rec.video_id}").status_code == 409
        media.unlink()
        assert client.get(f"/api/media/{rec.video_id}").status_code == 409  # gone
    moved = _record(secret)
    with pytest.raises(MediaChangedError):
        secret.write_bytes(b"T" * 4097)
        verified_path(moved)


def test_videos_and_transcript_say_the_language_heard_for_the_caption_track(tmp_path):
    """The page labels each video's caption track (srclang, "Transcript (French)") from /api/videos'
    `language` (it said "en" for every video); a video whose language is unknown says "" there, not "en"."""
    import dataclasses

    (tmp_path / "cours.mp4").write_bytes(b"x")
    (tmp_path / "old.mp4").write_bytes(b"y")
    french = dataclasses.replace(_record(tmp_path / "cours.mp4"), language="fr")
    unknown = _record(tmp_path / "old.mp4", video_id="fedcba9876543210")
    with TestClient(create_app(_FakeIndex([french, unknown]), warm=False), base_url="http://localhost") as client:
        said = {v["video_id"]: v["language"] for v in client.get("/api/videos").json()["videos"]}
        assert said == {french.video_id: "fr", unknown.video_id: ""}
        assert client.get(f"/api/transcript/{french.video_id}").json()["language"] == "fr"
        assert client.get(f"/api/transcript/{unknown.video_id}").json()["language"] == ""


def test_searches_run_concurrently_and_do_not_block(tmp_path):
    media = tmp_path / "a.mp4"
    media.write_bytes(b"x")
    with TestClient(create_app(_FakeIndex([_record(media)], delay=1.0), warm=False),
                    base_url="http://localhost") as client:
        out = []
        t0 = time.perf_counter()
        threads = [threading.Thread(target=lambda: out.append(client.get("/api/search?q=slow").status_code))
                   for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(0.2)
        t_health = time.perf_counter()
        assert client.get("/api/health").status_code == 200
        health_wait = time.perf_counter() - t_health
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t0
    assert out == [200] * 4
    assert health_wait < 0.6, health_wait  # the event loop answered while four searches slept
    assert elapsed < 2.5, elapsed  # four 1-second searches overlapped instead of queueing


def test_parse_range_rules():
    assert parse_range(None, 100) is None and parse_range("bytes=0-", 100) == (0, 100)
    assert parse_range("bytes=-1000", 100) == (0, 100) and parse_range("bytes=99-99", 100) == (99, 100)


def test_serve_command_warns_when_exposed_without_token(monkeypatch, capsys, tmp_path):
    import momentsearch.server.app as server
    from momentsearch import cli

    calls = []
    monkeypatch.setattr(server, "serve", lambda index, **kw: calls.append(kw))
    import importlib

    # whatever else on this machine listens on 8000 does not matter here
    monkeypatch.setattr(importlib.import_module("momentsearch.cli.main"), "_check_bind", lambda host, port: None)
    monkeypatch.delenv("MOMENTSEARCH_TOKEN", raising=False)
    from momentsearch.api import MomentIndex

    assert cli.main(["serve", "--db", str(tmp_path / "db")]) == 2  # no index there yet: serve creates none
    assert not (tmp_path / "db").exists()
    MomentIndex(tmp_path / "db").index([])  # only `index` creates one
    assert cli.main(["serve", "--db", str(tmp_path / "db"), "--host", "0.0.0.0", "--port", "8123"]) == 0
    assert "without --token" in capsys.readouterr().err
    assert cli.main(["serve", "--db", str(tmp_path / "db"), "--host", "0.0.0.0", "--token", "t"]) == 0
    assert "without --token" not in capsys.readouterr().err
    assert cli.main(["serve", "--db", str(tmp_path / "db")]) == 0
    assert "without --token" not in capsys.readouterr().err
    behind = {"allowed_hosts": (), "root_path": "", "frame_origins": (), "cors_origins": ()}  # (none by default)
    assert calls == [{"host": "0.0.0.0", "port": 8123, "token": None, **behind},
                     {"host": "0.0.0.0", "port": 8000, "token": "t", **behind},
                     {"host": "127.0.0.1", "port": 8000, "token": None, **behind}]


def test_serve_warns_that_a_token_flag_shows_in_ps_and_takes_the_variable_quietly(monkeypatch, capsys, tmp_path):
    """On a shared machine every user's `ps` shows a process's arguments: `serve --token SECRET`, as README and
    docs/deploy.md wrote it, handed the token to every student logged in. The variable (its environment is its
    owner's alone) is what the docs now give; the flag still works, with a warning that says why."""
    import importlib

    import momentsearch.server.app as server
    from momentsearch import cli
    from momentsearch.api import MomentIndex

    calls = []
    monkeypatch.setattr(server, "serve", lambda index, **kw: calls.append(kw["token"]))
    monkeypatch.setattr(importlib.import_module("momentsearch.cli.main"), "_check_bind", lambda host, port: None)
    MomentIndex(tmp_path / "db").index([])
    monkeypatch.delenv("MOMENTSEARCH_TOKEN", raising=False)
    assert cli.main(["serve", "--db", str(tmp_path / "db"), "--host", "0.0.0.0", "--token", "s3cret"]) == 0
    err = capsys.readouterr().err
    assert "shows in `ps` to every user" in err and "$MOMENTSEARCH_TOKEN" in err and "s3cret" not in err
    monkeypatch.setenv("MOMENTSEARCH_TOKEN", "s3cret")
    assert cli.main(["serve", "--db", str(tmp_path / "db"), "--host", "0.0.0.0"]) == 0
    assert capsys.readouterr().err == ""
    assert calls == ["s3cret", "s3cret"]
    for doc in ("README.md", "docs/deploy.md"):  # no serve command the docs give puts the token in its arguments
        text = (Path(__file__).resolve().parent.parent / doc).read_text()
        assert not [line for line in text.splitlines() if "momentsearch serve" in line and "--token " in line], doc


def test_concurrent_real_searches_agree_with_sequential_ones(served):
    client = served[0]
    queries = ["roadmap", "solar panels", "questions from the audience", "chlorophyll", "renewable energy"] * 2
    sequential = {q: client.get("/api/search", params={"q": q, "k": 3}).json()["results"] for q in queries}
    got: dict[str, list] = {}

    def run(q):
        got.setdefault(q, []).append(client.get("/api/search", params={"q": q, "k": 3}).json()["results"])

    threads = [threading.Thread(target=run, args=(q,)) for q in queries]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for q in queries:
        for results in got[q]:
            assert [(r["start"], r["end"]) for r in results] == [(r["start"], r["end"]) for r in sequential[q]], q


def test_serve_refuses_a_port_it_cannot_listen_on_in_one_line(capsys, tmp_path):
    """uvicorn took --port 70000 modulo 65536 (listening on 4464 while saying 70000), and a port in use
    was its own error after the "serving" line, with exit status 3."""
    import socket

    from momentsearch import cli
    from momentsearch.api import MomentIndex

    MomentIndex(tmp_path / "db").index([])
    with pytest.raises(SystemExit) as err:
        cli.main(["serve", "--db", str(tmp_path / "db"), "--port", "70000"])
    assert err.value.code == 2 and "a port is a whole number from 1 to 65535" in capsys.readouterr().err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["serve", "--db", str(tmp_path / "db"), "--port", str(port)]) == 2
    captured = capsys.readouterr()
    assert f"cannot serve at 127.0.0.1:{port}" in captured.err and "serving" not in captured.out


def test_file_names_that_are_no_utf8_are_served_as_escapes(tmp_path):
    """A file named with Latin-1 bytes ("caf\\xe9.mp4", kept by Python as a lone surrogate) made /api/videos a
    500 (the JSON encoder refuses surrogates) for the whole index, and /api/search whenever it was a result;
    its transcript's download name raised too. Names and paths go out with those bytes as \\xNN."""
    import os

    from momentsearch.server.moment_routes import _attachment

    media = Path(os.fsdecode(os.path.join(os.fsencode(tmp_path), b"caf\xe9.mp4")))
    media.write_bytes(b"x" * 1000)
    with TestClient(create_app(_FakeIndex([_record(media)]), warm=False), base_url="http://localhost") as client:
        videos = client.get("/api/videos")
        assert videos.status_code == 200 and videos.json()["videos"][0]["name"] == "caf\\xe9.mp4"
        found = client.get("/api/search", params={"q": "hello"})
        assert found.status_code == 200
        assert found.json()["results"][0]["name"] == "caf\\xe9.mp4"
        assert found.json()["results"][0]["video"].endswith("caf\\xe9.mp4")
    assert _attachment(os.fsdecode(b"caf\xe9.srt")).endswith("filename*=utf-8''caf%5Cxe9.srt")


def test_a_chroma_server_that_stops_answering_is_a_503_that_names_it(tmp_path, caplog):
    """`serve --chroma-url U` with the Chroma server killed: /api/health went on saying "ok" from its last view
    and a search was "500 internal error (ConnectError)". Both now say the server does not answer (503), and
    the log says so in one line: the catch-all handler's middleware re-raised the error after answering, so
    every request while the server was down logged a whole traceback (the test client re-raises it)."""
    import asyncio

    import httpx

    from momentsearch.server.routes import refresh_health

    media = tmp_path / "a.mp4"
    media.write_bytes(b"x" * 1000)

    class Gone(_FakeIndex):
        chroma_url = "http://chroma:8000"
        down = False

        def videos(self):
            if self.down:
                raise httpx.ConnectError("[Errno 111] Connection refused")
            return super().videos()

        def search(self, query, k=10, kind=None, video=None, everywhere=False):
            raise httpx.ConnectError("[Errno 111] Connection refused")

    index = Gone([_record(media)])
    app = create_app(index, warm=False)
    with TestClient(app, base_url="http://localhost") as client:
        assert client.get("/api/health").json()["status"] == "ok"
        index.down = True
        asyncio.run(refresh_health(client.app))  # what the app's refresher does every few seconds
        for url in ("/api/health", "/api/search?q=rubisco"):
            r = client.get(url)
            assert r.status_code == 503, url
            assert "Chroma server at http://chroma:8000 does not answer" in r.json()["error"], url
    gone = [r for r in caplog.records if "does not answer" in r.getMessage()]
    assert gone and not any(r.exc_info for r in caplog.records), [r.getMessage() for r in caplog.records]


def test_a_search_for_a_kind_the_index_does_not_hold_says_so_and_a_json_post_points_to_get(served):
    """`kind=photo` on an index of videos only said "No results above the relevance floor ... try other
    words", which no wording can change; a JSON body posted to /api/search got "image: Field required"."""
    client = served[0]
    body = client.get("/api/search", params={"q": "roadmap", "kind": "photo"}).json()
    assert body["results"] == [] and "holds no photos" in body["empty_note"], body["empty_note"]
    found = client.get("/api/search", params={"q": "roadmap", "kind": "moment"}).json()
    assert found["results"] and found["empty_note"] == ""
    r = client.post("/api/search", json={"q": "roadmap"})
    assert r.status_code == 422 and "GET /api/search?q=" in r.json()["error"], r.json()
    photo = client.post("/api/search", files={"k": (None, "3")})  # a form without its image: no GET hint
    assert photo.status_code == 422 and "GET /api/search" not in photo.json()["error"]
