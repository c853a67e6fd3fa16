"""Server safety (issue 12): link and file swaps, DNS rebinding, cross-site writes, the token kept out
of URLs and logs, content types, image-upload limits, HEAD, and /api/health under a search flood."""

from __future__ import annotations

import io
import logging
import logging.config
import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402
from PIL import Image  # noqa: E402

from momentsearch.server import images  # noqa: E402
from momentsearch.server import media as sm  # noqa: E402
from momentsearch.server.app import create_app  # noqa: E402
from momentsearch.types import FileRecord  # noqa: E402
from test_server import _FakeIndex as _ServerFake  # noqa: E402

LOCAL = "http://localhost:8000"


class _FakeIndex(_ServerFake):
    def image_query(self, image, k=10, kind=None, video=None):  # (moments, the words read on the image)
        return self.search("image", k, kind, video), ""


def _record(path: Path, video_id: str = "0123456789abcdef", mime: str = "video/mp4") -> FileRecord:
    st = path.stat()
    return FileRecord(path=str(path), video_id=video_id, size=st.st_size, mtime=st.st_mtime, duration=3.0,
                      channels=["transcript"], visual_segments=[(0.0, 3.0)], complete=True,
                      device=st.st_dev, inode=st.st_ino, mime=mime)


def _client(records, **kw) -> TestClient:
    return TestClient(create_app(_FakeIndex(records, delay=kw.pop("delay", 0.0)), warm=False, **kw),
                      base_url=kw.pop("base_url", LOCAL))


# -- 1. file swaps ---------------------------------------------------------------------------------
def _same_size_and_mtime(src: Path, data: bytes) -> Path:
    """Another file with the bytes `data` (same length as src) and src's modification time copied."""
    other = src.parent / f"other-{len(list(src.parent.iterdir()))}"
    other.write_bytes(data)
    st = src.stat()
    os.utime(other, ns=(st.st_atime_ns, st.st_mtime_ns))
    return other


def test_link_and_file_swaps_with_copied_mtime_are_refused(tmp_path):
    talks = tmp_path / "talks"
    talks.mkdir()
    talk = talks / "talk.wav"
    talk.write_bytes(b"m" * 4096)
    rec = _record(talk)
    original = tmp_path / "original.wav"
    os.link(talk, original)  # keeps the indexed inode alive while the path is swapped around
    secret = _same_size_and_mtime(talk, b"S" * 4096)
    with _client([rec]) as client:
        url = f"/api/media/{rec.video_id}"
        assert client.get(url).content == b"m" * 4096
        talk.unlink()
        talk.symlink_to(secret)  # same size, same mtime: only the link gives it away
        r = client.get(url)
        assert r.status_code == 409 and b"S" not in r.content and "symbolic link" in r.json()["error"]
        talk.unlink()
        os.link(secret, talk)  # a hard link: a regular file, same size and mtime, another inode
        r = client.get(url)
        assert r.status_code == 409 and "replaced" in r.json()["error"]
        talk.unlink()
        os.link(original, talk)  # the indexed file itself again: served
        assert client.get(url).content == b"m" * 4096
        talks.rename(tmp_path / "real-talks")  # the parent folder becomes a link to a look-alike's folder
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        os.replace(_same_size_and_mtime(original, b"S" * 4096), elsewhere / "talk.wav")
        talks.symlink_to(elsewhere)
        r = client.get(url)
        assert r.status_code == 409 and b"S" not in r.content


def test_media_is_read_from_the_checked_descriptor(tmp_path):
    talk = tmp_path / "talk.mp4"
    talk.write_bytes(b"m" * 300_000)
    rec = _record(talk)
    secret = _same_size_and_mtime(talk, b"S" * 300_000)
    opened = sm.open_indexed(rec)
    talk.unlink()
    talk.symlink_to(secret)  # swapped between the check and the read
    assert b"".join(sm.read_chunks(opened, 0, rec.size)) == b"m" * 300_000  # what was checked is what is sent
    assert opened.fd == -1  # closed once read


# -- 2. DNS rebinding, cross-site writes -------------------------------------------------------------
def test_without_token_only_local_host_names_are_answered(tmp_path):
    media = tmp_path / "a.mp4"
    media.write_bytes(b"x" * 100)
    rec = _record(media)
    with _client([rec], allowed_hosts=("lecture-box",)) as client:
        for host in ("evil.example", "evil.example:8000", "127.0.0.1.nip.io", "localhost.evil.example", ""):
            for url in ("/api/videos", f"/api/media/{rec.video_id}", "/"):
                r = client.get(url, headers={"Host": host})
                assert r.status_code == 403 and "--allowed-host" in r.json()["error"], (host, url)
        for host in ("localhost:8000", "127.0.0.1", "[::1]:8000", "192.168.1.20:8000", "lecture-box:8000",
                     "LOCALHOST"):
            assert client.get("/api/videos", headers={"Host": host}).status_code == 200, host
    with _client([rec], token="s3cret") as client:  # with a token, the token guards: any host name
        r = client.get("/api/videos", headers={"Host": "nas.example", "Authorization": "Bearer s3cret"})
        assert r.status_code == 200


def test_cross_site_posts_are_refused(tmp_path):
    media = tmp_path / "a.mp4"
    media.write_bytes(b"x")
    png = io.BytesIO()
    Image.new("RGB", (8, 8)).save(png, format="PNG")
    with _client([_record(media)]) as client:
        for headers in ({"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"},
                        {"Sec-Fetch-Site": "same-site"}, {"Origin": "null"}):
            r = client.post("/api/search", files={"image": ("a.png", png.getvalue(), "image/png")}, headers=headers)
            assert r.status_code == 403 and "cross-site" in r.json()["error"], headers
        same = {"Origin": LOCAL, "Sec-Fetch-Site": "same-origin"}
        r = client.post("/api/search", files={"image": ("a.png", png.getvalue(), "image/png")}, headers=same)
        assert r.status_code != 403


# -- 3. token: header or cookie, never logged ----------------------------------------------------------
def test_token_travels_in_header_or_cookie_and_never_reaches_the_log(tmp_path, capsys):
    from momentsearch.server.guard import TOKEN_COOKIE, log_config

    media = tmp_path / "a.mp4"
    media.write_bytes(b"x" * 100)
    rec = _record(media)
    with _client([rec], token="s3cret") as client:
        assert client.get(f"/api/media/{rec.video_id}").status_code == 401
        client.cookies.set(TOKEN_COOKIE, "s3cret")  # what <video src> sends
        assert client.get(f"/api/media/{rec.video_id}").status_code == 200
        client.cookies.clear()
        assert client.get("/api/videos", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    logging.config.dictConfig(log_config())
    logging.getLogger("uvicorn.access").info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET",
                                             "/api/media/x?k=1&token=s3cret", "1.1", 200)
    out = capsys.readouterr()
    shown = out.out + out.err
    assert "/api/media/x?k=1&token=***" in shown and "s3cret" not in shown
    page = (Path(sm.__file__).parent / "web" / "app.js").read_text()
    assert '"token="' not in page and "withToken" not in page  # the page puts it in no URL


# -- 4. content types, nosniff, CSP ------------------------------------------------------------------
def test_media_types_come_from_probing_never_from_the_name(tmp_path):
    from test_bad_input import write_video

    from momentsearch.pipeline.decode import probe

    page = tmp_path / "talk.html"
    write_video(page, [np.zeros((48, 64, 3), np.uint8)] * 2)
    assert probe(page).mime == "video/mp4"  # what the index records
    old = _record(page, mime="")  # an older index: nothing recorded, and the name says text/html
    with _client([old, _record(page, "fedcba9876543210")]) as client:
        r = client.get(f"/api/media/{old.video_id}")
        assert r.status_code == 200 and r.headers["content-type"] == "application/octet-stream"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "sandbox" in r.headers["content-security-policy"]
        r = client.get("/api/media/fedcba9876543210")
        assert r.headers["content-type"] == "video/mp4"
        page_r = client.get("/")
        csp = page_r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert page_r.headers["x-content-type-options"] == "nosniff"
        assert client.get("/api/videos").headers["x-content-type-options"] == "nosniff"


# -- 5. image uploads --------------------------------------------------------------------------------
def _png_bytes(size, mode="1") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size).save(buf, format="PNG")
    return buf.getvalue()


def test_upload_pixel_count_is_checked_before_decoding(tmp_path, monkeypatch):
    from PIL import ImageFile

    loads = []
    real_load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: loads.append(self.size) or real_load(self))
    media = tmp_path / "a.mp4"
    media.write_bytes(b"x")
    huge = _png_bytes((8900, 8900))  # 79 megapixels in a few kB
    assert len(huge) < 100_000
    with _client([_record(media)]) as client:
        r = client.post("/api/search", files={"image": ("huge.png", huge, "image/png")})
        assert r.status_code == 400 and "too large" in r.json()["error"]
        assert loads == []  # refused from the header: never decoded
        big = io.BytesIO()
        Image.new("RGB", (6000, 4000), (200, 10, 10)).save(big, format="JPEG", quality=50)
        r = client.post("/api/search", files={"image": ("big.jpg", big.getvalue(), "image/jpeg")})
        assert r.status_code == 200, r.text
        assert loads and max(w * h for w, h in loads) <= 6000 * 4000 // 4  # decoded at a reduced draft size
        phone = io.BytesIO()  # a 108 megapixel phone camera's photo: decodes at 1/4 scale, so it is a query
        Image.new("L", (12000, 9000), 200).save(phone, format="JPEG", quality=50)
        r = client.post("/api/search", files={"image": ("phone.jpg", phone.getvalue(), "image/jpeg")})
        assert r.status_code == 200, r.text
        assert max(w * h for w, h in loads) <= 12000 * 9000 // 16


def test_a_photo_is_shown_as_a_small_upright_jpeg_whatever_its_format(tmp_path):
    """A photo result's thumbnail was the original file: a phone's JPEG of several MB per result, and a
    TIFF, which browsers do not show. /api/photos gives a JPEG of it, upright (EXIF), `side` pixels long."""
    from momentsearch.types import Moment

    scan = tmp_path / "scan.tif"
    Image.new("RGB", (640, 480), (200, 30, 30)).save(scan)
    phone = tmp_path / "phone.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # stored on its side: upright it is portrait
    Image.new("RGB", (4000, 3000), (30, 30, 200)).save(phone, exif=exif, quality=60)
    talk = tmp_path / "talk.mp4"
    talk.write_bytes(b"x")
    photos = [FileRecord(path=str(p), video_id=vid, size=p.stat().st_size, mtime=p.stat().st_mtime, duration=0.0,
                         channels=["ocr"], visual_segments=[], complete=True, kind="photo", mime=mime)
              for p, vid, mime in ((scan, "aaaaaaaaaaaaaaaa", "image/tiff"), (phone, "bbbbbbbbbbbbbbbb", "image/jpeg"))]

    class Photos(_FakeIndex):
        def search(self, query, k=10, kind=None, video=None, everywhere=False):
            return [Moment(video=str(scan), video_id=photos[0].video_id, start=0.0, end=0.0, score=0.5,
                           channels={"ocr": 0.5}, text=query, kind="photo")]

    app = create_app(Photos([*photos, _record(talk)]), warm=False)
    with TestClient(app, base_url=LOCAL) as client:
        top = client.get("/api/search", params={"q": "scan"}).json()["results"][0]
        assert top["thumb_url"] == "/api/photos/aaaaaaaaaaaaaaaa.jpg"
        r = client.get(top["thumb_url"])
        assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
        small = Image.open(io.BytesIO(r.content))
        assert small.format == "JPEG" and small.size == (320, 240) and small.getpixel((160, 120))[0] > 150
        r = client.get("/api/photos/bbbbbbbbbbbbbbbb.jpg", params={"side": 1000})
        assert Image.open(io.BytesIO(r.content)).size == (750, 1000) and len(r.content) < phone.stat().st_size
        assert client.get("/api/photos/0123456789abcdef.jpg").status_code == 404  # a video: /api/thumbs
        assert client.get("/api/photos/bbbbbbbbbbbbbbbb.jpg", params={"side": 9000}).status_code in (400, 422)


def test_concurrent_upload_decodes_are_bounded(tmp_path, monkeypatch):
    import momentsearch.media as media_mod

    running, peak = [0], [0]
    lock = threading.Lock()

    def slow_open(source, **kw):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.3)
        with lock:
            running[0] -= 1
        return np.zeros((8, 8, 3), np.uint8)

    monkeypatch.setattr(media_mod, "open_image", slow_open)
    media = tmp_path / "a.mp4"
    media.write_bytes(b"x")
    with _client([_record(media)]) as client:
        codes = []
        threads = [threading.Thread(target=lambda: codes.append(client.post(
            "/api/search", files={"image": ("a.png", b"x", "image/png")}).status_code)) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert codes == [200] * 6 and 1 <= peak[0] <= images.UPLOAD_DECODE_SLOTS


# -- 6. HEAD -----------------------------------------------------------------------------------------
def test_head_on_media(tmp_path):
    media = tmp_path / "a.mp4"
    media.write_bytes(bytes(range(256)) * 10)
    rec = _record(media)
    with _client([rec]) as client:
        r = client.head(f"/api/media/{rec.video_id}")
        assert r.status_code == 200 and r.headers["content-length"] == "2560" and r.content == b""
        assert r.headers["accept-ranges"] == "bytes" and r.headers["content-type"] == "video/mp4"
        r = client.head(f"/api/media/{rec.video_id}", headers={"Range": "bytes=10-19"})
        assert r.status_code == 206 and r.headers["content-range"] == "bytes 10-19/2560" and r.content == b""
        r = client.get(f"/api/media/{rec.video_id}", headers={"Range": "bytes=0-1,5-6"})
        assert r.status_code == 206 and r.headers["content-type"].startswith("multipart/byteranges")
        assert int(r.headers["content-length"]) == len(r.content) and b"\x05\x06" in r.content


# -- load: health during a search flood ----------------------------------------------------------------
def test_health_answers_at_once_while_searches_fill_every_thread(tmp_path):
    media = tmp_path / "a.mp4"
    media.write_bytes(b"x")
    release = threading.Event()
    index = _FakeIndex([_record(media)])
    index.search = lambda *args, **kwargs: release.wait(30) and []  # whatever the route passes (scope, ...)
    with TestClient(create_app(index, warm=False), base_url=LOCAL) as client:
        assert client.get("/api/health").status_code == 200
        threads = [threading.Thread(target=lambda: client.get("/api/search?q=x")) for _ in range(45)]
        for t in threads:  # more than the 40 threads of the default pool
            t.start()
        time.sleep(1.0)
        t0 = time.perf_counter()
        r = client.get("/api/health")
        waited = time.perf_counter() - t0
        release.set()
        for t in threads:
            t.join()
    assert r.status_code == 200 and r.json()["videos"] == 1
    assert waited < 0.5, waited


def test_an_image_query_that_finds_nothing_says_why(tmp_path):
    """The page showed "No moments found for photo.jpg. Try other words." for a photo of a slide no lecture
    showed: the answer carried no empty_note for an image (the user typed no words); now it says why."""
    media = tmp_path / "a.mp4"
    media.write_bytes(b"x")
    index = _FakeIndex([_record(media)])
    index.image_query = lambda image, k=10, kind=None, video=None: ([], "Hash Table Collisions")
    png = io.BytesIO()
    Image.new("RGB", (64, 48), (250, 250, 250)).save(png, format="PNG")
    with TestClient(create_app(index, warm=False), base_url=LOCAL) as client:
        for kind, why in ((None, "the words read on the image are not shown or said"),
                          ("photo", "the index holds no photos")):
            r = client.post("/api/search", files={"image": ("photo.png", png.getvalue(), "image/png")},
                            data={"kind": kind} if kind else {})
            assert r.status_code == 200 and r.json()["results"] == [], r.text
            assert why in r.json()["empty_note"], r.json()


def test_a_phone_photo_over_the_upload_limit_is_told_the_limit_and_what_to_do(tmp_path):
    """A 12 MB photo from a phone's 50 MP camera got "the request body is larger than 10551296 bytes" on the
    page: a number of bytes that is not the image limit, and nothing on what to send instead."""
    media = tmp_path / "a.mp4"
    media.write_bytes(b"x")
    photo = b"\xff\xd8\xff\xe0" + bytes(12 * 1024 * 1024)
    with _client([_record(media)]) as client:
        r = client.post("/api/search", files={"image": ("IMG_2041.jpg", photo, "image/jpeg")})
    assert r.status_code == 413
    assert "at most 10 MB" in r.json()["error"] and "smaller copy" in r.json()["error"], r.json()
