"""A real browser on the real server: `momentsearch serve`, Debian's chromium driven by Playwright.

Index the generated lecture, open the page, search "roadmap", click the first result, and check
that the video plays from the moment's start. The screenshot goes to test-artifacts/.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

CHROMIUM = os.environ.get("MOMENTSEARCH_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() and shutil.which("chromium") is None,
                                reason="chromium is not installed (scripts/setup.sh installs it)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _serve(db: Path, log_name: str = "serve.log"):
    """`momentsearch serve --db DB` on a free port, as a user would start it; yields its base url."""
    port = _free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / log_name, "w")
    proc = subprocess.Popen([sys.executable, "-m", "momentsearch.cli", "serve", "--db", str(db), "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "MOMENTSEARCH_TOKEN": ""})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"serve exited {proc.returncode}: {(ARTIFACTS / log_name).read_text()}")
            try:
                with urllib.request.urlopen(base + "/api/health", timeout=2) as r:
                    if json.load(r)["models_loaded"]:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("serve did not answer /api/health within 240 s")
            time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def server(indexed_lecture):
    """`momentsearch serve` on the indexed lecture; yields (base url, windows)."""
    db, _, windows, _ = indexed_lecture
    with _serve(db) as base:
        yield base, windows


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the module's tests (each opens its own pages)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
                                     headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def test_a_typo_is_searched_as_the_word_and_the_page_says_so(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 760})
    page.goto(server[0] + "/")
    page.fill("#q", "where do they discuss the roadmpa")
    page.press("#q", "Enter")
    page.wait_for_selector(".result", timeout=60_000)
    status = page.inner_text("#status")
    assert "Showing results for “the roadmap”: “roadmpa” is in no indexed speech or slide text" in status, status
    assert "roadmap" in page.locator(".result").first.inner_text().lower()
    assert page.locator(".result").first.locator("mark").count() >= 1  # the word searched is highlighted
    page.click("#as-typed")  # "Search for “roadmpa” as typed": the word quoted, so it must occur as typed
    page.wait_for_function("() => document.getElementById('status').dataset.state === 'empty'", timeout=60_000)
    assert page.input_value("#q") == 'where do they discuss the "roadmpa"'
    assert "No moments found" in page.inner_text("#status") and page.locator(".result").count() == 0


def test_search_click_and_play_from_the_moment(server, browser):
    base, windows = server
    expected = json.load(urllib.request.urlopen(base + "/api/search?k=20&q=roadmap"))["results"][0]
    page = browser.new_page(viewport={"width": 1280, "height": 760})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(base + "/")
    page.fill("#q", "roadmap")
    page.press("#q", "Enter")
    page.wait_for_selector(".result", timeout=60_000)
    assert "q=roadmap" in page.url  # the URL keeps the query
    first = page.locator(".result").first
    assert "roadmap" in first.inner_text().lower()
    assert first.locator("mark").count() >= 1  # the query word is highlighted
    assert first.locator(".bar").count() == len(expected["channels"])
    first.click()
    page.wait_for_function(
        "() => { const v = document.getElementById('player');"
        " return v && !v.paused && v.readyState >= 3 && v.currentTime > 0; }", timeout=30_000)
    state = page.evaluate(
        "() => { const v = document.getElementById('player');"
        " return {t: v.currentTime, paused: v.paused, ended: v.ended, tracks: v.textTracks.length,"
        " lang: v.textTracks[0].language, label: v.textTracks[0].label}; }")
    assert abs(state["t"] - expected["start"]) <= 1.0, (state, expected["start"])
    assert not state["paused"] and not state["ended"] and state["tracks"] == 1
    # the captions say the language the index heard (they said "en" whatever it was)
    assert (state["lang"], state["label"]) == ("en", "Transcript (English)"), state
    page.wait_for_timeout(800)  # it keeps playing: time moves forward
    later = page.evaluate("() => document.getElementById('player').currentTime")
    assert later > state["t"]
    assert f"v={expected['video_id']}" in page.url and "#t=" in page.url  # a deep link to the moment
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser-roadmap.png"))
    box = page.locator("#timeline-moment").bounding_box()
    bar = page.locator("#timeline").bounding_box()
    duration = page.evaluate("() => document.getElementById('player').duration")
    assert box and box["width"] > 0  # the moment is marked on the timeline, where it is
    assert abs((box["x"] - bar["x"]) / bar["width"] * duration - expected["start"]) < 1.0
    # captions from the transcript: by default in a line below the video (the slide stays visible)
    page.wait_for_function("() => { const t = document.getElementById('player').textTracks[0];"
                           " return t.mode === 'hidden' && t.cues && t.cues.length > 3; }")
    page.wait_for_function("() => document.getElementById('caption-line').textContent.trim().length > 0")
    cue = page.evaluate("() => [...document.getElementById('player').textTracks[0].activeCues]"
                        ".map(c => c.text.replace(/\\n/g, ' ')).join(' ')")  # (a long cue: two lines)
    assert cue.strip() and cue.strip() == page.inner_text("#caption-line").strip()
    page.click("#captions-toggle")  # below -> on the video
    assert page.evaluate("() => document.getElementById('player').textTracks[0].mode") == "showing"
    assert not page.is_visible("#caption-line")
    page.click("#captions-toggle")  # -> off
    assert page.evaluate("() => document.getElementById('player').textTracks[0].mode") == "disabled"
    page.click("#captions-toggle")  # -> below again
    assert page.is_visible("#timeline-legend") and "this moment" in page.inner_text("#timeline-legend")
    assert not errors, errors
    # a deep link opens the same moment in a fresh page
    deep = browser.new_page()
    deep.goto(page.url)
    deep.wait_for_function("() => { const v = document.getElementById('player');"  # the seek follows /api/clock
                           " return v.readyState >= 1 && !v.seeking && v.currentTime > 0; }", timeout=30_000)
    t = deep.evaluate("() => document.getElementById('player').currentTime")
    assert abs(t - expected["start"]) <= 1.0


def test_keys_states_and_image_search(server, browser, tmp_path):
    """Next/previous keys, the empty-index / no-results / error / slow states, and an image upload."""
    base, _ = server
    results = json.load(urllib.request.urlopen(base + "/api/search?k=20&q=solar+panels"))["results"]
    assert len(results) >= 2
    page = browser.new_page()
    page.goto(base + "/?q=solar%20panels")  # a shared link runs its search
    page.wait_for_selector(".result")
    page.locator(".result").first.click()
    page.wait_for_function("() => !document.getElementById('player').paused")
    page.locator("body").press("j")  # next result
    page.wait_for_function("() => document.querySelector('.result.active')?.dataset.index === '1'")
    page.wait_for_function(f"() => Math.abs(document.getElementById('player').currentTime - "
                           f"{results[1]['start']}) < 1")
    page.locator("body").press("k")  # previous result
    page.wait_for_function("() => document.querySelector('.result.active')?.dataset.index === '0'")

    def state_after(route_pattern, handler, action):
        pg = browser.new_page()
        pg.route(route_pattern, handler)
        action(pg)
        pg.wait_for_function("() => ['empty', 'error', 'slow', 'empty-index']"
                             ".includes(document.getElementById('status').dataset.state)", timeout=20_000)
        out = pg.evaluate("() => [document.getElementById('status').dataset.state,"
                          " document.getElementById('status').textContent]")
        pg.close()
        return out

    def search(pg):
        pg.goto(base + "/?q=roadmap")

    empty = state_after("**/api/videos*", lambda r: r.fulfill(json={"videos": [], "channels": []}),
                        lambda pg: pg.goto(base + "/"))
    assert empty[0] == "empty-index" and "index is empty" in empty[1]

    def filling(pg):  # the first batch still running: nothing searchable yet, and not "index some videos first"
        pg.route("**/api/health*", lambda r: r.fulfill(json={
            "status": "ok", "videos": 0, "channels": [], "models_loaded": True,
            "warnings": ["The index is being written now by `index` (pid 7): a file it has not finished ..."],
            "writing": "The index is being written now by `index` (pid 7): a file it has not finished ..."}))
        pg.goto(base + "/")

    filled = state_after("**/api/videos*", lambda r: r.fulfill(json={"videos": [], "channels": []}), filling)
    assert filled[0] == "empty-index" and "being indexed now" in filled[1] and "index is empty" not in filled[1]
    none = state_after("**/api/search*", lambda r: r.fulfill(json={"query": "x", "results": [], "took_ms": 1,
                                                                   "warnings": []}), search)
    assert none[0] == "empty" and "No moments found" in none[1]
    failed = state_after("**/api/search*", lambda r: r.fulfill(status=500, json={"error": "disk on fire",
                                                                                 "status": 500}), search)
    assert failed[0] == "error" and "disk on fire" in failed[1]
    slow = state_after("**/api/search*", lambda r: None, search)  # never answered
    assert slow[0] == "slow" and "Still searching" in slow[1]

    # an image query through the file picker (tiny random CLIP: the results exist, their order means little)
    thumb = tmp_path / "slide.jpg"
    thumb.write_bytes(urllib.request.urlopen(base + results[0]["thumb_url"]).read())
    page.set_input_files("#image", str(thumb))
    page.wait_for_function("() => document.getElementById('status').dataset.state === 'results'")
    assert page.locator(".result").count() >= 1


def test_start_page_and_layout_at_1280_and_420_px(server, browser):
    """The start page lists the indexed file and example queries; at 1280 and 420 px wide the page never
    scrolls sideways, results are laid out whole, and weak results look weak. Screenshots of each width
    go to test-artifacts/ (browser-1280.png, browser-420.png)."""
    base, _ = server
    for width in (1280, 420):
        page = browser.new_page(viewport={"width": width, "height": 800})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        long_name = "Lecture_" + "x" * 200 + ".mp4"  # a file name with no place to wrap

        def long_named(route):
            body = route.fetch().json()
            body["videos"].append({**body["videos"][0], "name": long_name})
            route.fulfill(json=body)

        page.route("**/api/videos", long_named)
        page.goto(base + "/")
        page.wait_for_selector("#home:not([hidden]) #videos li", timeout=60_000)
        assert "lecture.mp4" in page.inner_text("#videos") and long_name in page.inner_text("#videos")
        examples = page.locator("#examples a")
        assert examples.count() >= 1
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(ARTIFACTS / f"browser-home-{width}.png"))
        examples.first.click()  # an example query runs and finds the lecture
        page.wait_for_selector(".result", timeout=60_000)
        assert page.is_hidden("#home")
        page.goto(base + "/?q=" + "roadmap%20and%20also%20the%20weather%20in%20spring")
        page.wait_for_selector(".result", timeout=60_000)
        page.locator(".result").first.click()
        page.wait_for_selector("#player-pane:not([hidden])")
        page.wait_for_timeout(500)
        overflow = page.evaluate("() => document.documentElement.scrollWidth")
        assert overflow <= width, f"the page scrolls sideways at {width} px ({overflow} px wide)"
        scores = page.evaluate("() => results.map(r => r.score)")
        weak = page.evaluate("() => [...document.querySelectorAll('.result')].map(li => li.classList.contains('weak'))")
        assert weak == [s < 0.3 for s in scores]
        for li in page.locator(".result").all():  # nothing inside a result sticks out of it
            outer = li.bounding_box()
            assert outer["x"] >= 0 and outer["x"] + outer["width"] <= width + 0.5
        path = ARTIFACTS / f"browser-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000  # a rendered page, not a blank one
        assert not errors, errors
        page.unroute_all(behavior="ignoreErrors")
        page.close()


def test_the_start_page_says_while_an_index_run_writes(server, browser, indexed_lecture):
    """A team's page while `index` still fills the folder: the files not finished are not searchable yet, and
    the start page says so beside what is (its health view is renewed every 2 s)."""
    from momentsearch.store.lock import WriterLock

    base, _ = server
    with WriterLock(indexed_lecture[0], "index"):
        time.sleep(2.5)
        page = browser.new_page()
        page.goto(base + "/")
        page.wait_for_selector("#home:not([hidden]) #videos li", timeout=60_000)
        info = page.inner_text("#index-info")
        assert "1 file indexed" in info and f"being written now by `index` (pid {os.getpid()}" in info
        page.close()
    time.sleep(2.5)
    page = browser.new_page()
    page.goto(base + "/")
    page.wait_for_selector("#home:not([hidden]) #videos li", timeout=60_000)
    assert "being written" not in page.inner_text("#index-info")
    page.close()


def test_transcript_chapters_hits_and_clip_beside_the_player(server, browser):
    base, windows = server
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(base + "/?q=solar")
    page.wait_for_selector(".result", timeout=60_000)
    page.locator(".result").first.click()
    page.wait_for_selector("#chapters li", timeout=30_000)
    page.wait_for_selector("#transcript li", timeout=30_000)
    assert page.locator("#chapters li").count() == len(windows)  # one slide title per section
    assert page.locator("#transcript mark").count() >= 1  # the query's words are marked
    page.wait_for_selector("#transcript li.now", timeout=30_000)  # the sentence being spoken
    page.wait_for_function("() => document.querySelectorAll('#timeline-hits .hit-mark').length >= 1")
    page.wait_for_function("() => document.querySelectorAll('#timeline-chapters .chapter-mark').length >= 2")
    roadmap = page.locator("#chapters li", has_text="Roadmap")
    roadmap.click()  # a chapter seeks to its start
    lo = windows["Project Roadmap"][0]
    page.wait_for_function(f"() => Math.abs(document.getElementById('player').currentTime - {lo}) < 2.5")
    page.wait_for_selector("#chapters li.now:has-text('Roadmap')", timeout=10_000)  # the chapter playing
    page.locator("#transcript li").nth(1).click()  # so does a sentence
    t = page.evaluate("() => document.getElementById('player').currentTime")
    assert t < lo
    href = page.evaluate("() => document.getElementById('clip-link').href")  # (relative to the page: a proxy's prefix)
    assert href.startswith(base + "/api/clips/")
    with urllib.request.urlopen(href) as r:
        assert r.headers["Content-Type"] == "video/mp4" and len(r.read()) > 1000
    from momentsearch.testing.captions import strict_cues

    for link, fmt in (("#subs-link", "srt"), ("#vtt-link", "vtt")):  # the transcript as subtitles to save
        href = page.evaluate(f"() => document.querySelector('{link}').href")
        assert page.get_attribute(link, "download") is not None and href.endswith("?format=" + fmt)
        with urllib.request.urlopen(href) as r:
            assert r.headers["Content-Disposition"].startswith('attachment; filename="lecture.')
            assert len(strict_cues(r.read().decode("utf-8"), fmt)) >= 6
    assert page.is_visible("text=speech from asr")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser-transcript.png"))
    assert not errors, errors


def test_a_long_moment_offers_to_play_from_its_words(server, browser):
    """A result whose words lie well into it says where, and "words at" plays from 3 s before them.
    The lecture's sections are short, so the search answer is given a hit 8 s in (the page only reads it)."""
    base, _ = server
    page = browser.new_page(viewport={"width": 1280, "height": 760})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def later_hit(route):
        body = route.fetch().json()
        for r in body["results"]:
            r["hit"] = [r["start"] + 8.0, r["start"] + 9.0] if r is body["results"][0] else None
        route.fulfill(json=body)

    page.route("**/api/search?*", later_hit)
    page.goto(base + "/?q=roadmap")
    page.wait_for_selector(".result", timeout=60_000)
    results = page.locator(".result")
    start = page.evaluate("() => results[0].start")
    assert "words 0:" in results.first.inner_text() and "words" not in results.nth(1).inner_text()
    results.first.click()
    page.wait_for_function("() => { const v = document.getElementById('player'); return !v.paused && v.currentTime > 0; }",
                           timeout=30_000)
    assert page.is_visible("#words-at") and "words at" in page.inner_text("#words-at")
    page.click("#words-at")
    t = page.evaluate("() => document.getElementById('player').currentTime")
    assert start + 4.5 <= t <= start + 6.0, (t, start)  # 3 s before the words, not the moment's start
    results.nth(1).click()  # a moment without a hit: nothing offered
    assert not page.is_visible("#words-at")
    assert not errors, errors


def test_the_address_back_button_captions_and_a_photo_after_a_video(server, browser):
    """The address holds the query searched (not what is typed since), Back returns to the page it names
    (the moment playing, then the empty start page), a caption line shows the words a WebVTT cue escapes,
    and a photo opened after a video leaves none of the video's things on screen, nor its sound."""
    base, _ = server
    page = browser.new_page(viewport={"width": 1280, "height": 760})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.route("**/api/captions/*", lambda route: route.fulfill(
        content_type="text/vtt", body="WEBVTT\n\n00:00.000 --> 59:00.000\nQ&amp;A on R&amp;D &lt;b&gt; &quot;ok&quot;\n"))

    def with_photo(route):  # the lecture's index has no photo: the first result again, as one
        body = route.fetch().json()
        if body["results"]:
            body["results"].append({**body["results"][0], "kind": "photo", "start": 0.0, "end": 0.0})
        route.fulfill(json=body)

    page.route("**/api/search?*", with_photo)
    page.goto(base + "/")
    page.fill("#q", "roadmap")
    page.press("#q", "Enter")
    page.wait_for_selector(".result", timeout=60_000)
    page.locator(".result").first.click()
    page.wait_for_function("() => !document.getElementById('player').paused", timeout=30_000)
    page.wait_for_function("() => document.getElementById('caption-line').textContent.trim().length > 0")
    assert page.inner_text("#caption-line").strip() == 'Q&A on R&D <b> "ok"'
    moment_url = page.url
    page.fill("#q", "something typed but never searched")
    page.locator(".result").first.click()
    assert "q=roadmap" in page.url and "typed" not in page.url
    photo = page.locator(".result").last
    photo.click()
    assert page.evaluate("() => !document.getElementById('photo').hidden")  # (its picture: none, a fake photo)
    assert not page.is_visible("#player") and not page.is_visible("#caption-line")
    assert not page.is_visible("#transcript") and not page.is_visible("#timeline-legend")
    assert page.evaluate("() => document.getElementById('player').paused")
    page.locator(".result").first.click()  # the moment again: the address names it
    page.fill("#q", "weather")
    page.press("#q", "Enter")
    page.wait_for_function("() => shownQuery === 'weather'", timeout=60_000)
    page.go_back()  # to the roadmap moment: its results, the moment marked and playing again
    page.wait_for_function("() => shownQuery === 'roadmap' && current && current.kind === 'moment'", timeout=60_000)
    assert page.url == moment_url and page.input_value("#q") == "roadmap"
    assert page.evaluate("() => document.querySelector('.result.active').dataset.index") == "0"
    page.go_back()  # to the start page: nothing of the search is left
    page.wait_for_function("() => !results.length && document.getElementById('player-pane').hidden", timeout=10_000)
    assert page.evaluate("() => document.getElementById('player').paused") and page.inner_text("#status") == ""
    assert page.evaluate("() => [fmt(59), fmt(3661), fmt(7500)]") == ["0:59", "1:01:01", "2:05:00"]
    page.goto(moment_url)  # "search in this video" travels with the link
    page.wait_for_function("() => current && current.kind === 'moment'", timeout=60_000)
    page.check("#scope-video")
    page.locator(".result").first.click()
    assert "in=video" in page.url
    page.fill("#q", "the roadmap")  # a search in this video: its address says so (Back and a reload search the same)
    page.press("#q", "Enter")
    page.wait_for_function("() => shownQuery === 'the roadmap' && results.length > 0", timeout=60_000)
    assert "q=the+roadmap" in page.url and "in=video" in page.url and "v=" in page.url
    page.locator(".result").first.click()
    other = browser.new_page()
    other.goto(page.url)
    other.wait_for_function("() => results.length > 0", timeout=60_000)
    assert other.is_checked("#scope-video") and other.evaluate("() => searchScope()").startswith("&video=")
    other.close()
    assert not errors, errors
    page.unroute_all(behavior="ignoreErrors")  # a search still in flight must not fail the next test's page
    page.close()


# -- files whose timestamps start late ---------------------------------------------------------------
LATE_LINES = ["The red slide welcomes everyone to the course.", "The green slide explains photosynthesis in leaves.",
              "The blue slide covers ocean tides and the moon.", "The yellow slide sums up the whole lecture."]
LATE_FILES = {"mp4": ("late-h264.mp4", "mp4", "libx264"), "webm": ("late-vp9.webm", "webm", "libvpx-vp9"),
              "mkv": ("late-h264.mkv", "matroska", "libx264")}


@pytest.fixture(scope="module")
def late_server(tmp_path_factory):
    """One 20 s talk whose timestamps start at 10 s, as MP4 (H.264), WebM (VP9) and Matroska (H.264): four
    coloured slides of 5 s, one caption sentence each (a sidecar .srt: no ASR), indexed and served. Yields
    (base url, {format: (file name, its time_origin)})."""
    import av

    from conftest import TINY_CLIP_ARGS, run_cli
    from momentsearch.media import time_origin
    from test_time_origin import render

    folder = tmp_path_factory.mktemp("late")
    srt = "".join(f"{i + 1}\n00:00:{5 * i:02d},000 --> 00:00:{5 * i + 5:02d},000\n{line}\n\n"
                  for i, line in enumerate(LATE_LINES))
    origins = {}
    for key, (name, fmt, codec) in LATE_FILES.items():
        path = folder / name
        render(path, fmt, 10.0, seconds=20.0, codec=codec)
        path.with_suffix(".srt").write_text(srt)
        with av.open(str(path)) as container:
            origins[key] = (name, time_origin(container))
    db = tmp_path_factory.mktemp("late-db")
    run_cli("index", str(folder), "--db", str(db), *TINY_CLIP_ARGS, "--no-ocr", "--captions", "prefer", "--quiet")
    with _serve(db, "serve-late.log") as base:
        yield base, origins


NEAR_CHANGE = 0.3  # seconds; a player this close to a slide change may show the picture or sentence either side
SETTLED_JS = ("() => { const v = document.getElementById('player');"
              " return !v.paused && !v.seeking && v.readyState >= 2; }")
SHOWN_JS = """async () => {
  const v = document.getElementById('player');
  v.pause();
  await new Promise((r) => setTimeout(r, 200));
  const c = document.createElement('canvas'); c.width = 160; c.height = 90;
  const g = c.getContext('2d'); g.drawImage(v, 0, 0, 160, 90);
  const d = g.getImageData(0, 30, 160, 60).data, rgb = [0, 0, 0];  // below the moving cursor
  for (let i = 0; i < d.length; i += 4) { rgb[0] += d[i]; rgb[1] += d[i + 1]; rgb[2] += d[i + 2]; }
  const now = document.querySelector('#transcript li.now');
  return {t: v.currentTime, rgb: rgb.map((x) => x / (d.length / 4)), now: now ? Number(now.dataset.i) : null,
          caption: document.getElementById('caption-line').textContent.trim()};
}"""


SLOW_FRAMES_JS = """(() => {  // a loaded machine: each picture reported 3 s after it is shown
  const report = HTMLVideoElement.prototype.requestVideoFrameCallback;
  HTMLVideoElement.prototype.requestVideoFrameCallback = function (cb) {
    return report.call(this, (now, meta) => setTimeout(() => cb(now, meta), 3000));
  };
})()"""


@pytest.mark.parametrize(("fmt", "slow_frames"), [(fmt, False) for fmt in LATE_FILES] + [("mkv", True)],
                         ids=[*LATE_FILES, "mkv-slow-frames"])
def test_a_file_whose_timestamps_start_late_plays_the_right_moment(late_server, browser, fmt, slow_frames):
    """Chromium plays an MP4 or a Matroska/WebM on the file's own clock, where the index counts from the first
    timestamp (10 s here): the MP4 and WebM start at currentTime 10 (a seek before lands there), the H.264
    Matroska at 0 with its first picture until 10; and the MP4's duration is the header's (20 s: the end minus
    the start) until it has read further. Without the page's clock a result at 9.5 s showed the file's first
    picture (0 s). The page must seek to the result's picture, and highlight the sentence, show the
    caption and place the timeline head for the picture on screen: checked against the slide's colour.
    slow_frames: each picture is reported 3 s after it is shown, as on CI's loaded machine, where the page gave up
    on the picture after 2 s and took the index's clock (the result played the first picture, at 9.5 s)."""
    from test_time_origin import slide_at, slide_of

    base, origins = late_server
    name, origin = origins[fmt]
    assert origin == pytest.approx(10.0)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    if slow_frames:
        page.add_init_script(SLOW_FRAMES_JS)

    def shown() -> dict:
        """The player paused: its time on the index's clock and what is on screen then."""
        state = page.evaluate(SHOWN_JS)
        state["index_t"] = state["t"] - origin
        state["slide"] = slide_of(np.array([state["rgb"]]))
        if state["index_t"] >= 0 and min(state["index_t"] % 5.0, 5.0 - state["index_t"] % 5.0) > NEAR_CHANGE:  # not a
            # frame away from a slide change (before 0: the picture is the first, and the time is wrong)
            assert state["slide"] == slide_at(state["index_t"]), state
        return state

    # searched in this file alone (a link's "in this video"): the three files hold one talk, so a search of all
    # lists its moment once, in the first file, naming the others as copies (search/twins.py)
    videos = json.load(urllib.request.urlopen(f"{base}/api/videos"))["videos"]
    video_id = next(v["video_id"] for v in videos if v["name"] == name)
    page.goto(base + f"/?q=ocean%20tides&v={video_id}&in=video")
    page.wait_for_selector(".result", timeout=60_000)
    # (its result among them: on a loaded machine the list drawn first could lack it)
    page.wait_for_function(f"() => results.some((r) => r.name === {json.dumps(name)})", timeout=60_000)
    i = page.evaluate(f"() => results.findIndex((r) => r.name === {json.dumps(name)})")
    result = page.evaluate(f"() => results[{i}]")
    assert 8.0 <= result["start"] <= 11.0 and result["end"] > 13.0, result  # the blue slide's moment
    clock = json.load(urllib.request.urlopen(f"{base}/api/clock/{result['video_id']}"))
    assert clock["origin"] == pytest.approx(origin)
    page.locator(f'.result[data-index="{i}"]').click()
    page.wait_for_function(SETTLED_JS, timeout=30_000)
    page.wait_for_selector("#transcript li", timeout=30_000)
    state = shown()
    assert result["start"] - 0.3 <= state["index_t"] <= result["start"] + 1.0, (state, result)  # not at ~0
    # the sentence and caption are timed by Whisper's words, whose first may start a few tens of ms before
    # its slide: within NEAR_CHANGE of a change either slide's sentence is right
    near = {slide_at(state["index_t"]), slide_at(state["index_t"] + NEAR_CHANGE)}
    assert state["now"] in near and state["caption"] in {LATE_LINES[n] for n in near}, state
    bar, moment = page.locator("#timeline").bounding_box(), page.locator("#timeline-moment").bounding_box()
    assert (moment["x"] - bar["x"]) / bar["width"] * 20.0 == pytest.approx(result["start"], abs=0.5)
    assert (moment["width"] / bar["width"]) * 20.0 == pytest.approx(result["end"] - result["start"], abs=0.5)

    # a sentence of the transcript (past the MP4 header's 20 s end: 10 + 15 s), then the middle of the blue slide
    # on the timeline (12.5 s of 20): each plays that picture, its sentence and its caption
    page.locator('#transcript li[data-i="3"]').click()
    page.wait_for_function(SETTLED_JS, timeout=30_000)
    page.wait_for_timeout(500)
    link = page.evaluate("() => momentLink()")  # the shared link counts from the file's start too
    assert 15.0 <= float(link.rsplit("#t=", 1)[1]) <= 17.0, link
    state = shown()
    assert 15.0 - 0.05 <= state["index_t"] <= 17.0 and state["slide"] == 3, state
    assert state["now"] == 3 and state["caption"] == LATE_LINES[3], state
    head = page.locator("#timeline-head").bounding_box()
    assert (head["x"] - bar["x"]) / bar["width"] * 20.0 == pytest.approx(state["index_t"], abs=0.5)
    page.mouse.click(bar["x"] + 0.625 * bar["width"], bar["y"] + bar["height"] / 2)
    page.evaluate("() => document.getElementById('player').play()")
    page.wait_for_function(SETTLED_JS, timeout=30_000)
    state = shown()
    assert 12.0 <= state["index_t"] <= 14.0 and state["slide"] == 2, state
    assert state["now"] == 2 and state["caption"] == LATE_LINES[2], state
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"browser-late-{fmt}.png"))
    assert not errors, errors
    page.close()


def test_a_tiff_photo_shows_in_the_results_and_the_photo_view(browser, tmp_path):
    """A scanned page kept as TIFF: found by its words, its thumbnail and its large view are pictures the
    browser shows (Chromium shows no TIFF: both were the original file, a broken image)."""
    from conftest import TINY_CLIP_ARGS, run_cli
    from test_ocr_photos import _board

    folder, db = tmp_path / "scans", tmp_path / "scans-db"
    folder.mkdir()
    _board([("Harbour Survey", 64), ("tide gauge readings", 34)]).save(folder / "survey.tif")
    run_cli("index", str(folder), "--db", str(db), *TINY_CLIP_ARGS, "--quiet")
    with _serve(db, "serve-photo.log") as base:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(base + "/?q=harbour%20survey")
        page.wait_for_selector(".result img", timeout=60_000)
        shown = "(el) => el.complete && el.naturalWidth > 0 ? [el.naturalWidth, el.naturalHeight] : null"
        page.wait_for_function(f"() => ({shown})(document.querySelector('.result img'))", timeout=30_000)
        assert page.eval_on_selector(".result img", shown) == [320, 210]
        page.locator(".result").first.click()
        page.wait_for_function(f"() => ({shown})(document.getElementById('photo'))", timeout=30_000)
        assert page.eval_on_selector("#photo", shown) == [640, 420]  # at most 1600: the photo's own size
