"""/api/search a page at a time: `offset` skips the ranked results already seen and `next_offset` asks for the next
page (an API client with 150 hits ignored by `offset` got the first page again and again)."""

from __future__ import annotations

import io

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402
from PIL import Image  # noqa: E402

from fakes import FakeIndex  # noqa: E402
from momentsearch.options import MAX_RESULTS  # noqa: E402
from momentsearch.server.app import create_app  # noqa: E402
from momentsearch.types import FileRecord, Moment  # noqa: E402

FOUND = 150  # moments the query's words find, more than a search returns


class _RankedIndex(FakeIndex):
    """Enough of MomentIndex for the server: one file, and a search whose ranking holds FOUND moments, a
    second each, best first, cut to `k` (and to MAX_RESULTS, as the searcher cuts it)."""

    def __init__(self, record, found=FOUND):
        self.record, self.found, self.asked = record, found, []

    def videos(self):
        return [self.record]

    def video(self, video_id):
        return self.record if video_id == self.record.video_id else None

    def notes(self):
        return []

    def example_queries(self):
        return ["moment"]

    def speech_in(self, video_id, start, end):
        return []

    def playable_copy(self, source, record):
        return None

    def _ranked(self, k):
        self.asked.append(k)
        return [Moment(video=self.record.path, video_id=self.record.video_id, start=float(i), end=i + 1.0,
                       score=1.0 - i / 1000, channels={"transcript": 1.0 - i / 1000}, text=f"moment {i}")
                for i in range(min(k, MAX_RESULTS, self.found))]

    def search(self, query, k=10, kind=None, video=None, in_=None, everywhere=False):
        self.everywhere = everywhere  # what the last search was asked
        self.searches = [*getattr(self, "searches", []), (query, video, everywhere)]  # and every one, in order
        return self._ranked(k)

    def image_query(self, image, k=10, kind=None, video=None):
        return self._ranked(k), "words"


def _record(folder) -> FileRecord:
    """The record of a 200 s talk.mp4 made in `folder` (the file as indexed: its size and time)."""
    (media := folder / "talk.mp4").write_bytes(b"x")
    st = media.stat()
    return FileRecord(path=str(media), video_id="0123456789abcdef", size=st.st_size, mtime=st.st_mtime,
                      duration=200.0, channels=["transcript"], complete=True)


@pytest.fixture()
def client(tmp_path):
    with TestClient(create_app(_RankedIndex(_record(tmp_path)), warm=False), base_url="http://localhost") as c:
        yield c


def _starts(body):
    return [r["start"] for r in body["results"]]


def test_pages_follow_on_until_the_last_result_a_search_returns(client):
    seen, offset, pages = [], 0, 0
    while offset is not None:
        body = client.get("/api/search", params={"q": "moment", "k": 30, "offset": offset}).json()
        assert body["offset"] == offset and body["results"], body
        seen += _starts(body)
        offset, pages = body["next_offset"], pages + 1
    assert seen == [float(i) for i in range(MAX_RESULTS)] and pages == 4  # each once, in rank order
    first = client.get("/api/search", params={"q": "moment", "k": 10}).json()
    assert (first["offset"], first["next_offset"], _starts(first)) == (0, 10, [float(i) for i in range(10)])


def test_the_last_page_has_no_next_and_a_page_past_it_says_what_was_found(client):
    client.app.state.index.found = 25
    last = client.get("/api/search", params={"q": "moment", "k": 10, "offset": 20}).json()
    assert _starts(last) == [20.0, 21.0, 22.0, 23.0, 24.0] and last["next_offset"] is None
    full = client.get("/api/search", params={"q": "moment", "k": 5, "offset": 20}).json()
    assert full["next_offset"] is None and len(full["results"]) == 5  # exactly the last five: no empty page after
    past = client.get("/api/search", params={"q": "moment", "k": 10, "offset": 30}).json()
    assert past["results"] == [] and "found 25" in past["empty_note"] and "relevance floor" not in past["empty_note"]


def test_bad_offsets_are_refused_and_images_page_too(client):
    for bad in ("-1", "x", str(MAX_RESULTS + 1)):
        assert client.get("/api/search", params={"q": "moment", "offset": bad}).status_code == 422, bad
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), "white").save(buf, "PNG")
    body = client.post("/api/search", files={"image": ("a.png", buf.getvalue(), "image/png")},
                       data={"k": "10", "offset": "10"}).json()
    assert _starts(body) == [float(i) for i in range(10, 20)] and body["next_offset"] == 20


class _LectureIndex(FakeIndex):
    """Enough of MomentIndex for `momentsearch search`: three moments of two lectures and a photo, best first."""

    def __init__(self, folder):
        self.db = str(folder / "db")
        week1, week2, photo = (str(folder / n) for n in ("week1.mp4", "week2.mp4", "board.jpg"))
        self.found = [Moment(week2, "b" * 16, 60.0, 90.0, 1.1, {"transcript": 1.0}, text="second week, late"),
                      Moment(week1, "a" * 16, 300.0, 330.0, 0.9, {"transcript": 0.8}, text="first week, late"),
                      Moment(photo, "c" * 16, 0.0, 0.0, 0.8, {"ocr": 0.8}, kind="photo", text="the board"),
                      Moment(week1, "a" * 16, 10.0, 40.0, 0.7, {"transcript": 0.6}, text="first week, early"),
                      Moment(week2, "b" * 16, 5.0, 20.0, 0.5, {"transcript": 0.4}, text="second week, early")]

    def search(self, query, k=10, kind=None, video=None, in_=None, everywhere=False):
        return self.found[:k]

    def channels(self):
        return {"transcript", "ocr"}


def _cli_search(monkeypatch, capsys, tmp_path, *flags):
    import json
    import sys

    from momentsearch.cli.main import main

    monkeypatch.setattr(sys.modules["momentsearch.cli.main"], "_index_for", lambda args: _LectureIndex(tmp_path))
    assert main(["search", "week", "--json", *flags]) == 0
    return [r["text"] for r in json.loads(capsys.readouterr().out)["results"]]


def test_search_sort_time_lists_the_same_top_results_by_lecture_then_time(monkeypatch, capsys, tmp_path):
    """A student reading one lecture's hits wants them in the order they were said; --sort time lists the top k
    by file, then by time in each (the photo among the files by its name), and keeps the same k results."""
    by_score = _cli_search(monkeypatch, capsys, tmp_path)
    assert by_score[0] == "second week, late"  # the default is unchanged: best first
    assert _cli_search(monkeypatch, capsys, tmp_path, "--sort", "time") == [
        "the board", "first week, early", "first week, late", "second week, early", "second week, late"]
    assert _cli_search(monkeypatch, capsys, tmp_path, "--sort", "time", "-k", "3") == [
        "the board", "first week, late", "second week, late"]  # the top three, not the three earliest


def test_each_result_links_to_its_moment_in_the_servers_page(client):
    """`url` is a file:// path on the server machine, useless to a client elsewhere (an LMS, a script): `page_url`
    is the page's own link to the moment, relative to the server as `media_url` is (the page's k= for one ranked
    past its first 20, in=video for a search in one video; an image search has no words to run again)."""
    vid = "0123456789abcdef"
    first = client.get("/api/search", params={"q": "moment & more", "k": 2}).json()["results"]
    assert [r["page_url"] for r in first] == [f"/?q=moment+%26+more&v={vid}#t=0.0",
                                              f"/?q=moment+%26+more&v={vid}#t=1.0"]
    assert first[0]["url"].startswith("file://")  # the CLI's field is kept as it was
    later = client.get("/api/search", params={"q": "moment", "k": 2, "offset": 19, "video": vid}).json()["results"]
    assert [r["page_url"] for r in later] == [f"/?q=moment&v={vid}&in=video#t=19.0",
                                              f"/?q=moment&v={vid}&k=21&in=video#t=20.0"]
    everywhere = client.get("/api/search", params={"q": "moment in week 3", "k": 1, "everywhere": "true"}).json()
    assert everywhere["results"][0]["page_url"] == f"/?q=moment+in+week+3&v={vid}&everywhere=true#t=0.0"
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), "white").save(buf, "PNG")
    image = client.post("/api/search", files={"image": ("a.png", buf.getvalue(), "image/png")}, data={"k": "1"})
    assert image.json()["results"][0]["page_url"] == f"/?v={vid}#t=0.0"
    schema = client.get("/openapi.json").json()["components"]["schemas"]["MomentOut"]
    assert "page_url" in schema["required"] and "web page" in schema["properties"]["page_url"]["description"]


def test_the_pages_first_page_of_results_is_the_size_page_urls_assume():
    """page_url asks for k= past PAGE_FIRST results: the page lists that many at first (web/app.js PAGE)."""
    from pathlib import Path

    from momentsearch.server import search_routes

    script = (Path(search_routes.__file__).parent / "web" / "app.js").read_text(encoding="utf-8")
    assert f"const PAGE = {search_routes.PAGE_FIRST};" in script
