"""A result's other files on the web page: its twin (the same lecture trimmed: search/twins.py) named with the moment's
second there, "also in talk_cut.mp4 at 0:52", a link that plays it there (by click, by keyboard, and from the address
it leaves), and an identical copy named; readable at 320 px. The page's own files in Debian's chromium (Playwright),
the API answered by routes as the server answers them (/api/search's `copies`, `copies_at`, `copies_ids`)."""

from __future__ import annotations

import json

import pytest

from page_browser import browser, changing_video, needs_chromium, page_file, videos_answer  # noqa: F401 (a fixture)
from test_page_a11y import CONTRAST

BASE = "http://lecture-box.test"
VID, CUT = "0123456789abcdef", "fedcba9876543210"  # talk.mp4; talk_cut.mp4, its first 7.5 s cut
LENGTH = 80.0
CUT_PATH, BACKUP = "/srv/talk_cut.mp4", "/backup/2024/spring/talk.mp4"
MOMENT = {"video": "/srv/talk.mp4", "video_id": VID, "kind": "moment", "start": 60.0, "end": 75.0, "score": 0.9,
          "channels": {"transcript": 0.9}, "text": "magma chambers fill up", "evidence": {}, "segment_id": "",
          "hit": [66.0, 68.0], "url": "file:///srv/talk.mp4#t=60.0", "name": "talk.mp4",
          "snippet": "magma chambers fill up", "copies": [CUT_PATH, BACKUP],
          "copies_at": {CUT_PATH: 52.5, BACKUP: 60.0}, "copies_ids": {CUT_PATH: CUT, BACKUP: VID},
          "media_url": f"/api/media/{VID}", "captions_url": f"/api/captions/{VID}.vtt", "thumb_id": None,
          "thumb_url": None}
OTHER = {**MOMENT, "start": 10.0, "end": 20.0, "hit": None, "text": "lava", "snippet": "lava", "copies": [],
         "copies_at": {}, "copies_ids": {}}

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def video(tmp_path_factory) -> bytes:
    """An 80 s MP4 whose picture changes every second (2 frames a second, small)."""
    return changing_video(tmp_path_factory.mktemp("copies") / "talk.mp4", LENGTH)


def _answer(route, video: bytes) -> None:
    path = route.request.url[len(BASE):].split("?")[0]
    if (own := page_file(path)) is not None:
        route.fulfill(path=own)
    elif path == "/api/videos":
        route.fulfill(json=videos_answer({VID: "talk.mp4", CUT: "talk_cut.mp4"}, LENGTH))
    elif path in (f"/api/media/{VID}", f"/api/media/{CUT}"):  # with HTTP Range: the player can seek
        first, _, last = route.request.headers.get("range", "bytes=0-").removeprefix("bytes=").partition("-")
        first, last = int(first or 0), min(int(last or len(video) - 1), len(video) - 1)
        route.fulfill(status=206, body=video[first:last + 1], content_type="video/mp4",
                      headers={"Content-Range": f"bytes {first}-{last}/{len(video)}", "Accept-Ranges": "bytes"})
    elif path == "/api/search":
        found = [MOMENT, OTHER] if "magma" in route.request.url and "video=" not in route.request.url else []
        route.fulfill(json={"query": "magma", "results": found, "took_ms": 1, "warnings": [], "picture_note": ""})
    elif path.startswith("/api/"):
        route.fulfill(status=404, json={"error": "not here", "status": 404})
    else:
        route.fulfill(status=404, body="")


def _open(browser, video: bytes, address: str, width: int = 1280):
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.route(f"{BASE}/**", lambda route: _answer(route, video))
    page.goto(BASE + address)
    page.wait_for_function("() => document.getElementById('index-info').textContent.includes('indexed')")
    return page, errors


def _playing(page) -> dict:
    """The moment playing, the result marked as playing, the player's file and the address."""
    page.wait_for_function("() => current && document.getElementById('player').dataset.src", timeout=10_000)
    return json.loads(page.evaluate("""() => JSON.stringify({video: current.video_id, start: current.start,
        end: current.end,
        active: [...document.querySelectorAll('.result')].map((li) => li.getAttribute('aria-current')),
        src: document.getElementById('player').dataset.src, title: document.getElementById('now-playing').textContent,
        time: document.getElementById('moment-time').textContent, url: location.href})"""))


def _at_the_twins_second(page) -> None:
    page.wait_for_function("() => { const t = document.getElementById('player').currentTime; "
                           "return t > 52 && t < 60; }", timeout=20_000)


def test_a_result_names_its_twin_at_its_second_and_plays_it_there(browser, video):
    """The page showed neither `copies` nor `copies_at`: the trimmed copy holding the moment 7.5 s earlier was not
    named. Now "also in talk_cut.mp4 at 0:52", a link that plays the moment there (the result marked as playing), and
    the identical backup named with its folder (it plays the same file: no link); the address left opens it again."""
    page, errors = _open(browser, video, "/?q=magma")
    page.wait_for_selector(".result")
    assert page.inner_text(".result .copies") == "also in talk_cut.mp4 at 0:52, spring/talk.mp4"
    assert page.locator(".result").nth(1).locator(".copies").count() == 0
    assert page.locator("a.copy").count() == 1 and page.get_attribute("a.copy", "href") == f"?q=magma&v={CUT}#t=52.5"
    page.click("a.copy")
    playing = _playing(page)
    assert (playing["video"], playing["start"], playing["end"]) == (CUT, 52.5, 67.5), playing
    assert playing["active"] == ["true", None] and playing["src"] == f"api/media/{CUT}"
    assert playing["title"] == "talk_cut.mp4" and playing["time"] == "moment 0:52–1:07"
    assert playing["url"] == f"{BASE}/?q=magma&v={CUT}#t=52.5"
    assert page.evaluate("() => wordsAt(current)") == 58.5  # the matched words, shifted as the moment is
    _at_the_twins_second(page)
    page.reload()  # the address left: the same result, played in its twin
    page.wait_for_function("() => current && current.video_id === '%s'" % CUT, timeout=10_000)
    assert _playing(page)["end"] == 67.5 and _playing(page)["active"] == ["true", None]
    _at_the_twins_second(page)
    assert not errors, errors
    page.close()


def test_the_twin_is_played_by_keyboard(browser, video):
    """Tab from the result reaches its "also in" link; Enter plays the moment in the twin, not the result's file."""
    page, errors = _open(browser, video, "/?q=magma")
    page.wait_for_selector(".result")
    page.locator(".result").first.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.matches('a.copy')")
    page.keyboard.press("Enter")
    playing = _playing(page)
    assert (playing["video"], playing["start"], playing["active"]) == (CUT, 52.5, ["true", None]), playing
    assert not errors, errors
    page.close()


@pytest.mark.parametrize("width", [320, 1280])
def test_the_copies_line_is_readable_and_fits_a_phone(browser, video, width):
    """At 320 px (1280 at 400 %) the line wraps within the result, never widening the page, and keeps AA contrast."""
    page, errors = _open(browser, video, "/?q=magma", width)
    page.wait_for_selector(".result .copies")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    box = page.evaluate("() => { const l = document.querySelector('.result .copies').getBoundingClientRect(), "
                        "r = document.querySelector('.result').getBoundingClientRect(); return l.right <= r.right; }")
    assert box and page.evaluate(CONTRAST) == [] and not errors, errors
    page.close()
