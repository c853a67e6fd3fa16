"""Links into the web page as people share and write them: `?v=ID#t=...` with the times other players write
(`1m5s`, `1:05`, `?t=`), a negative time, no time, a video that is no longer in the index, and the address of a
file opened from the start page. The page's own files in Debian's chromium (Playwright), the API answered by
routes: what is checked is how the page reads its address, not the server."""

from __future__ import annotations

import json

import pytest

import momentsearch.server as server
from page_browser import browser, changing_video, needs_chromium, page_file, videos_answer  # noqa: F401 (a fixture)

BASE = "http://lecture-box.test"
VID, GONE = "0123456789abcdef", "fedcba9876543210"
LENGTH = 80.0
MOMENT = {"video": "/srv/talk.mp4", "video_id": VID, "kind": "moment", "start": 60.0, "end": 75.0, "score": 0.9,
          "channels": {"transcript": 0.9}, "text": "magma chambers fill up", "evidence": {}, "segment_id": "",
          "hit": None, "url": "file:///srv/talk.mp4#t=60.0", "name": "talk.mp4", "snippet": "magma chambers fill up",
          "media_url": f"/api/media/{VID}", "captions_url": f"/api/captions/{VID}.vtt", "thumb_id": None,
          "thumb_url": None}

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def video(tmp_path_factory) -> bytes:
    """An 80 s MP4 whose picture changes every second (2 frames a second, small)."""
    return changing_video(tmp_path_factory.mktemp("links") / "talk.mp4", LENGTH)




def _answer(route, video: bytes, prefix: str = "") -> None:
    """The server's answers at BASE + prefix (a reverse proxy's path prefix: nothing is answered outside it)."""
    if not route.request.url.startswith(BASE + prefix + "/"):
        route.fulfill(status=404, body="outside the proxy's prefix")
        return
    path = route.request.url[len(BASE + prefix):].split("?")[0]
    if (own := page_file(path)) is not None:
        route.fulfill(path=own)
    elif path == "/api/videos":
        route.fulfill(json=videos_answer({VID: "talk.mp4"}, LENGTH))
    elif path == f"/api/media/{VID}":  # with HTTP Range, as the server answers: the player can seek
        first, _, last = route.request.headers.get("range", "bytes=0-").removeprefix("bytes=").partition("-")
        first, last = int(first or 0), min(int(last or len(video) - 1), len(video) - 1)
        route.fulfill(status=206, body=video[first:last + 1], content_type="video/mp4",
                      headers={"Content-Range": f"bytes {first}-{last}/{len(video)}", "Accept-Ranges": "bytes"})
    elif path == "/api/examples":
        route.fulfill(json={"examples": ["magma chambers"]})
    elif path.startswith("/api/search") and f"video={GONE}" in route.request.url:  # as the server answers
        route.fulfill(status=404, json={"error": f"no indexed video has the id '{GONE}'", "status": 404})
    elif path.startswith("/api/search"):  # "magma": one moment, 60-75 s of the video
        found = [MOMENT] if "magma" in route.request.url else []
        route.fulfill(json={"query": "magma", "results": found, "took_ms": 1, "warnings": [], "picture_note": ""})
    elif path.startswith("/api/"):
        route.fulfill(status=404, json={"error": "not here", "status": 404})
    else:
        route.fulfill(status=404, body="")


def _open(browser, video: bytes, address: str, prefix: str = ""):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.route(f"{BASE}/**", lambda route: _answer(route, video, prefix))
    page.goto(BASE + prefix + address)
    page.wait_for_function("() => document.getElementById('index-info').textContent.includes('indexed')")
    return page, errors


def _opened(page) -> dict:
    """The moment the page opened from its address ({} for none), the status line and the player pane."""
    page.wait_for_timeout(300)  # openFromUrl runs right after /api/videos (or the link's search) answered
    return json.loads(page.evaluate("""() => JSON.stringify({
        video: current && current.video_id, start: current && current.start,
        status: document.getElementById('status').textContent,
        pane: !document.getElementById('player-pane').hidden})"""))


@pytest.mark.parametrize("written", ["#t=1m5s", "#t=1:05", "#t=65", "&t=65", "&t=1m5s", "#t=0h1m5s"])
def test_a_link_time_written_as_other_players_write_it_opens_that_second(browser, video, written):
    """`#t=1m5s` (YouTube's form) opened the video at 1 s, `1:05` at 1 s, and `?v=ID&t=65` not at all."""
    page, errors = _open(browser, video, f"/?v={VID}{written}")
    opened = _opened(page)
    assert opened["video"] == VID and opened["start"] == 65, (written, opened)
    assert opened["pane"] and not errors
    page.wait_for_function("() => { const t = document.getElementById('player').currentTime; "
                           "return t > 64.5 && t < 72; }", timeout=20_000)  # the player plays that second
    page.close()


@pytest.mark.parametrize("written", ["", "#t=-3", "#t=", "#t=soon"])
def test_a_link_with_no_time_or_a_negative_one_opens_the_video_at_its_start(browser, video, written):
    """`?v=ID` alone, and `#t=-3`, opened nothing at all and said nothing."""
    page, errors = _open(browser, video, f"/?v={VID}{written}")
    opened = _opened(page)
    assert opened["video"] == VID and opened["start"] == 0 and opened["pane"], (written, opened)
    if written == "#t=soon":
        assert "“soon” is no time" in opened["status"], opened
    assert not errors
    page.close()


@pytest.mark.parametrize("gone", [GONE, "constructor", "__proto__"])
def test_a_link_to_a_video_no_longer_in_the_index_says_so_and_opens_no_player(browser, video, gone):
    """A link made before its file was removed or re-indexed (a new id) showed an empty player titled with the
    id and 'The video cannot be played: ...', as if the file were broken."""
    page, errors = _open(browser, video, f"/?q=volcano&v={gone}#t=12.5")
    page.wait_for_function("() => document.getElementById('status').dataset.state === 'error'")
    opened = _opened(page)
    assert opened["video"] is None and not opened["pane"], opened
    assert opened["status"].startswith(f"The link's video (id {gone}) is not in this index: it was removed, or the "
                                       "file changed and was indexed again under a new id."), opened
    assert page.input_value("#q") == "volcano" and not errors  # the link's search still runs
    page.close()


def test_a_file_opened_from_the_start_page_is_in_the_address(browser, video):
    """Opening a file from the start page left the address at `/`: a reload or a copied address lost it."""
    page, errors = _open(browser, video, "/")
    page.wait_for_selector("#videos li")
    page.click("#videos li")
    assert page.url.endswith(f"/?v={VID}#t=0.0"), page.url
    page.reload()
    page.wait_for_function("() => document.getElementById('index-info').textContent.includes('indexed')")
    assert _opened(page)["video"] == VID
    page.go_back()  # Back: the start page again, no player
    page.wait_for_function("() => document.getElementById('player-pane').hidden && !current")
    assert page.url == BASE + "/" and not errors
    page.close()


def test_the_page_works_behind_a_reverse_proxy_under_a_path_prefix(browser, video):
    """Served as https://host/lectures/ (nginx `location /lectures/ { proxy_pass http://127.0.0.1:8000/; }`),
    the page asked for /web/app.js and /api/... at the host's root: no script, nothing worked."""
    page, errors = _open(browser, video, f"/?v={VID}#t=1m5s", prefix="/lectures")
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    opened = _opened(page)
    assert opened["video"] == VID and opened["start"] == 65, opened
    page.wait_for_function("() => document.getElementById('player').currentTime > 64.5", timeout=20_000)
    assert page.evaluate("() => document.getElementById('clip-link').href").startswith(f"{BASE}/lectures/api/clips/")
    assert page.evaluate("() => API_PATH") == "/lectures/api"  # the token cookie's path
    assert all(url.startswith(f"{BASE}/lectures/") for url in asked), asked
    assert not errors
    page.close()


def test_a_link_copied_while_a_moment_played_opens_that_moment_from_its_second(browser, video):
    """"Copy link" takes the second playing (65.0 in the moment 60-75): the link opened a bare 'moment 1:05–1:05',
    the result not marked nor on the timeline. A link to a second outside every result says where it plays."""
    page, errors = _open(browser, video, f"/?q=magma&v={VID}#t=65.0")
    page.wait_for_function("() => current && active === 0", timeout=10_000)
    assert page.evaluate("() => current.start") == 60 and page.inner_text("#moment-time") == "moment 1:00–1:15"
    page.wait_for_function("() => { const t = document.getElementById('player').currentTime; "
                           "return t > 64.5 && t < 72; }", timeout=20_000)  # from the link's second, not 60
    assert page.url.endswith("#t=65.0"), page.url  # a reload or a copy of the address keeps it
    page.goto(BASE + f"/?v={VID}#t=20")
    page.wait_for_function("() => current", timeout=10_000)
    assert page.inner_text("#moment-time") == "from 0:20" and not errors
    page.close()


def test_a_search_in_a_video_no_longer_indexed_searches_every_video(browser, video):
    """`?q=...&v=GONE&in=video` (a link that searched in one video) failed with 'Search failed: no indexed video
    has the id ...', and every search after it too while "search in this video" stayed ticked."""
    page, errors = _open(browser, video, f"/?q=magma&v={GONE}&in=video#t=3")
    page.wait_for_function("() => document.getElementById('status').dataset.state === 'error'")
    assert page.inner_text("#status").startswith(f"The link's video (id {GONE}) is not in this index"), \
        page.inner_text("#status")
    assert not page.is_checked("#scope-video") and not errors
    page.close()


def test_a_large_index_is_listed_and_linked_a_page_at_a_time(browser, video):
    """/api/videos answers a page of videos (an index of thousands came in one huge answer): the page asks for the
    next pages, so the start page lists every file and a link to one on a later page opens it (it said "not in
    this index")."""
    names = {f"{n:016x}": f"talk{n:04d}.mp4" for n in range(5)} | {VID: "talk.mp4"}
    every = videos_answer(names, LENGTH)["videos"]
    asked: list[str] = []

    def answer(route):
        path, _, query = route.request.url[len(BASE):].partition("?")
        if path != "/api/videos":
            return _answer(route, video)
        asked.append(query)
        params = dict(p.split("=") for p in query.split("&") if p)
        offset, limit = int(params.get("offset", 0)), min(int(params.get("limit", 2)), 3)  # as the server pages
        more = offset + limit < len(every)
        route.fulfill(json={"videos": every[offset:offset + limit], "channels": ["transcript"], "total": len(every),
                            "offset": offset, "limit": limit, "next_offset": offset + limit if more else None})

    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.route(f"{BASE}/**", answer)
    page.goto(BASE + "/")
    page.wait_for_selector("#videos li")
    assert page.locator("#videos li").count() == 6 and "6 files indexed" in page.inner_text("#index-info")
    assert asked == ["", "offset=2&limit=1000", "offset=5&limit=1000"]  # once each, for the list and the links
    page.goto(BASE + f"/?v={VID}#t=5")  # the last page's file
    assert _opened(page)["video"] == VID and not errors
    page.close()


def test_the_page_works_in_a_course_sites_iframe_that_may_not_keep_storage(browser, video):
    """An LMS (another site) shows the page in an iframe; browsers that block third-party storage (Safari,
    Firefox's strict mode, Chrome without third-party cookies) throw on every localStorage call there, and the
    page's first line read the token from it: no script ran, the frame stayed an empty search box."""
    lms = "http://course.example"
    page = browser.new_page()
    page.add_init_script("""if (window !== window.top) Object.defineProperty(window, 'localStorage', {get() {
        throw new DOMException("Failed to read the 'localStorage' property", 'SecurityError'); }});""")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.route(f"{BASE}/**", lambda route: _answer(route, video, "/lectures"))
    page.route(f"{lms}/**", lambda route: route.fulfill(
        content_type="text/html", body=f'<iframe id="f" src="{BASE}/lectures/?q=magma" width=900 height=600>'))
    page.goto(lms + "/course/7")
    frame = page.frame_locator("#f")
    frame.locator(".result").first.wait_for(timeout=10_000)
    assert frame.locator(".result").count() == 1
    frame.locator(".result").first.click()  # the player, beside it the captions' switch
    frame.locator("#captions-toggle").click()  # a setting the page would keep: kept for the visit instead
    assert frame.locator("#captions-toggle").inner_text() != "Captions: below"
    assert not errors, errors
    page.close()
