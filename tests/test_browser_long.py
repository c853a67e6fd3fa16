"""The page on a long recording: dozens of chapters in a list that scrolls, the playing one kept in sight.

A lecture day of 3 hours has 50 slides or more; the chapter list beside the player shows a dozen. The
recording here is short (18 slides of 9 s at 1 fps, captions from a sidecar .srt so nothing is transcribed)
and the window low, so the list scrolls as it does for a long file."""

from __future__ import annotations

import json
import urllib.request
from fractions import Fraction
from pathlib import Path

import pytest

from conftest import run_cli
from test_browser import _serve, browser  # noqa: F401  (the fixture)

TOPICS = ["Glacier hydrology", "Volcanic ash plumes", "Tidal energy farms", "Coral reef bleaching",
          "Permafrost carbon", "Monsoon dynamics", "Urban heat islands", "Aquifer recharge", "Sediment transport",
          "Wind turbine wakes", "Ocean acidification", "Peatland restoration", "Drought indices", "Snowpack melt",
          "River delta subsidence", "Cloud seeding trials", "Solar irradiance", "Closing summary"]
READY = "() => { const v = document.getElementById('player'); return v.readyState >= 2 && !v.seeking; }"
SLIDE_S = 9  # seconds; chapters.MIN_CHAPTER (8 s) merges shorter slides into the one before


def _render_day(path: Path) -> None:
    """One slide per topic (a title bar and three lines, one template), 320x180 at 1 fps, and a cue per slide."""
    import av
    from PIL import Image, ImageDraw, ImageFont

    bold = ImageFont.truetype("DejaVuSans-Bold.ttf", 20)
    small = ImageFont.truetype("DejaVuSans.ttf", 13)
    out = av.open(str(path), "w")
    stream = out.add_stream("libx264", rate=1)
    stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
    cues = []
    for i, topic in enumerate(TOPICS):
        im = Image.new("RGB", (320, 180), (250, 250, 245))
        draw = ImageDraw.Draw(im)
        draw.rectangle([0, 0, 320, 34], fill=(30, 60, 120))
        draw.text((8, 6), topic, font=bold, fill="white")
        for k, line in enumerate([f"Slide {i + 1}: key ideas", f"- measuring {topic.split()[0].lower()}",
                                  f"- case study {1990 + i}"]):
            draw.text((12, 50 + 30 * k), line, font=small, fill=(20, 20, 20))
        frame = av.VideoFrame.from_image(im)
        for second in range(i * SLIDE_S, (i + 1) * SLIDE_S):
            frame.pts, frame.time_base = second, Fraction(1, 1)
            out.mux(stream.encode(frame))
        start = i * SLIDE_S + 1
        cues.append(f"{i + 1}\n00:{start // 60:02d}:{start % 60:02d},000 --> 00:{(start + 4) // 60:02d}:"
                    f"{(start + 4) % 60:02d},000\nNow let us look at {topic.lower()}.\n")
    out.mux(stream.encode())
    out.close()
    path.with_suffix(".srt").write_text("\n".join(cues))


@pytest.fixture(scope="module")
def long_day(tmp_path_factory):
    folder = tmp_path_factory.mktemp("day")
    _render_day(folder / "day.mp4")
    db = folder / "db"
    run_cli("index", str(folder / "day.mp4"), "--db", str(db))
    with _serve(db, "serve-long.log") as base:
        yield base


def test_the_playing_chapter_is_scrolled_into_the_list(long_day, browser):  # noqa: F811
    base = long_day
    video = json.load(urllib.request.urlopen(base + "/api/videos"))["videos"][0]
    chapters = json.load(urllib.request.urlopen(f"{base}/api/chapters/{video['video_id']}"))["chapters"]
    assert len(chapters) >= 15, chapters  # more than the list shows at once
    last = chapters[-1]
    page = browser.new_page(viewport={"width": 1280, "height": 420})
    page.goto(f"{base}/?v={video['video_id']}#t={last['start'] + 2}")  # a link near the end of the file
    # playing: time updates come after the chapter list is drawn, however late its fetch answered
    page.wait_for_function(READY, timeout=60_000)
    page.evaluate("() => document.getElementById('player').play()")
    page.wait_for_function("() => document.querySelector('#chapters li.now') !== null", timeout=60_000)
    page.wait_for_timeout(500)
    now = page.locator("#chapters li.now")
    assert last["title"] in now.inner_text()
    at = int(last["start"] + 2)  # the link names a time, not a moment: no "moment 2:35–2:35" under the player
    assert page.inner_text("#moment-time") == f"from {at // 60}:{at % 60:02d}"
    row, box = now.bounding_box(), page.locator("#chapters").bounding_box()
    assert page.evaluate("() => document.getElementById('chapters').scrollHeight") > box["height"] + 100
    # the highlighted chapter lies inside the list's visible box, not scrolled out of it below
    assert box["y"] - 1 <= row["y"] and row["y"] + row["height"] <= box["y"] + box["height"] + 1, (row, box)


def test_lists_that_come_late_mark_the_chapter_and_sentence_at_the_players_time(long_day, browser):  # noqa: F811
    """The chapter and sentence at the player's time were marked only on its time updates: lists that came after
    the player had stopped (a busy server, a short last chapter that had ended) never marked them."""
    base = long_day
    video = json.load(urllib.request.urlopen(base + "/api/videos"))["videos"][0]
    chapters = json.load(urllib.request.urlopen(f"{base}/api/chapters/{video['video_id']}"))["chapters"]
    page = browser.new_page(viewport={"width": 1280, "height": 420})
    held = []  # the lists' answers, held back until the player has stopped (as a busy server's come late)
    page.route("**/api/chapters/**", lambda route: held.append(route))
    page.goto(f"{base}/?v={video['video_id']}#t={chapters[-1]['start'] + 2}")
    page.wait_for_function(READY, timeout=60_000)
    page.evaluate("() => document.getElementById('player').pause()")
    page.wait_for_timeout(500)
    assert held, "the page asked for no chapters"
    for route in held:
        route.continue_()
    page.wait_for_function("() => document.querySelector('#chapters li.now') !== null", timeout=30_000)
    assert chapters[-1]["title"] in page.inner_text("#chapters li.now")
    assert TOPICS[-1].lower() in page.inner_text("#transcript li.now").lower()  # its sentence too
    page.evaluate("() => { const v = document.getElementById('player'); v.currentTime = v.duration; }")
    page.wait_for_function("() => { const v = document.getElementById('player'); "
                           "return !v.seeking && v.currentTime >= v.duration - 0.01; }", timeout=30_000)
    page.wait_for_timeout(300)  # at the very end (the video ended): still the last chapter, not none
    assert page.locator("#chapters li.now").count() == 1
    assert chapters[-1]["title"] in page.inner_text("#chapters li.now")
    page.close()


def test_the_next_sentence_scrolls_the_transcript_not_the_page(long_day, browser):  # noqa: F811
    """A reader who scrolled back up to the video is not pulled down to the transcript at every sentence."""
    base = long_day
    video = json.load(urllib.request.urlopen(base + "/api/videos"))["videos"][0]
    sentences = json.load(urllib.request.urlopen(f"{base}/api/transcript/{video['video_id']}"))["sentences"]
    after = sentences[-2]
    page = browser.new_page(viewport={"width": 1280, "height": 420})
    page.goto(f"{base}/?v={video['video_id']}#t={after['start'] - 3}")
    page.wait_for_function(READY, timeout=60_000)
    page.evaluate("() => document.getElementById('player').play()")
    page.wait_for_function("() => document.querySelector('#transcript li.now') !== null",
                           timeout=90_000)  # (a machine busy with other work starts the player slowly)
    page.evaluate("() => window.scrollTo(0, 0)")  # back up to the video
    shown = page.inner_text("#transcript li.now")
    page.wait_for_function("(text) => document.querySelector('#transcript li.now').textContent !== text",
                           arg=shown, timeout=90_000)  # the next sentence began (the player ran on)
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.scrollY") == 0  # the page stayed where the reader left it
    row, box = page.locator("#transcript li.now").bounding_box(), page.locator("#transcript").bounding_box()
    assert box["y"] - 1 <= row["y"] and row["y"] + row["height"] <= box["y"] + box["height"] + 1, (row, box)
