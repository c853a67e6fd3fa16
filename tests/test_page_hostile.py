"""The page on a shared server whose files, slides and captions were named and written by someone hostile: file
names, snippets, chapter titles, transcript lines and notes carrying markup, `javascript:` URLs and a right-to-left
override. The page's own files in Debian's chromium (Playwright), the API answered by routes with such text: what
is checked is that the page shows it as text, never as markup, and shows a name's invisible characters."""

from __future__ import annotations


import pytest

from page_browser import browser, needs_chromium, page_file, videos_answer  # noqa: F401 (a fixture)

BASE = "http://lecture-box.test"
VID = "0123456789abcdef"
MARKUP = '"><img src=x onerror=alert(1)><script>alert(2)</script>'
SPOOF = "lecture\u202egnp.mp4"  # shown as "lecture4pm.png" where the override is obeyed
NAMES = {VID: MARKUP + ".mp4", "fedcba9876543210": SPOOF, "00000000000000ff": "javascript:alert(3).mp4"}
TEXT = f"magma {MARKUP} <b onmouseover=alert(4)>bold</b> {{{{7*7}}}} javascript:alert(5)"

pytestmark = needs_chromium


def _moment(video_id: str) -> dict:
    name = NAMES[video_id]
    return {"video": "/srv/" + name, "video_id": video_id, "kind": "moment", "start": 10.0, "end": 20.0,
            "score": 0.9, "channels": {"transcript": 0.9}, "text": TEXT, "evidence": {"ocr": TEXT}, "segment_id": "",
            "hit": [12.0, 14.0], "url": "file:///srv/x.mp4#t=10.0", "name": name, "snippet": TEXT,
            "media_url": f"/api/media/{video_id}", "captions_url": f"/api/captions/{video_id}.vtt",
            "thumb_id": None, "thumb_url": None}


def _answer(route) -> None:
    path = route.request.url[len(BASE):].split("?")[0]
    if (own := page_file(path)) is not None:
        route.fulfill(path=own)
    elif path == "/api/videos":
        route.fulfill(json=videos_answer(NAMES, 30.0, ["transcript", MARKUP]))
    elif path == "/api/examples":
        route.fulfill(json={"examples": [MARKUP, "magma"]})
    elif path == "/api/search":
        found = [_moment(v) for v in NAMES] if "magma" in route.request.url else []
        route.fulfill(json={"query": "magma", "results": found, "took_ms": 1, "warnings": [f"{SPOOF}: {MARKUP}"],
                            "picture_note": "", "empty_note": f"nothing: {MARKUP}"})
    elif path.startswith("/api/chapters/"):
        route.fulfill(json={"video_id": VID, "chapters": [{"start": 0.0, "end": 30.0, "title": TEXT, "source": "ocr"}]})
    elif path.startswith("/api/transcript/"):
        route.fulfill(json={"video_id": VID, "source": "captions: sidecar " + MARKUP, "language": MARKUP,
                            "sentences": [{"start": 0.0, "end": 30.0, "text": TEXT}]})
    elif path.startswith("/api/"):
        route.fulfill(status=404, json={"error": f"not here: {MARKUP}", "status": 404})
    else:
        route.fulfill(status=404, body="")




INJECTED = """() => {
  const found = [];
  document.querySelectorAll('img[src="x"], script:not([src^="web/"]), b, svg, iframe').forEach(
    (e) => found.push(e.outerHTML.slice(0, 80)));
  const hostile = (a) => /^on/i.test(a.name) || (a.name !== 'title' && /^\\s*javascript:/i.test(a.value));
  document.querySelectorAll('*').forEach((e) => {
    for (const a of e.attributes) if (hostile(a)) found.push(e.tagName + ' ' + a.name); });
  return found; }"""


def _open(browser, address: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.route(f"{BASE}/**", _answer)
    page.goto(BASE + address)
    page.wait_for_function("() => document.getElementById('index-info').textContent.includes('indexed')")
    return page, dialogs


def test_hostile_names_and_text_show_as_text_on_the_start_page_the_results_and_the_player(browser):
    page, dialogs = _open(browser, "/")
    page.wait_for_selector("#videos li")
    home = page.inner_text("#videos")
    assert MARKUP + ".mp4" in home and "javascript:alert(3).mp4" in home
    assert "lecture\\u202egnp.mp4" in home and "\u202e" not in home  # the override shown, not obeyed
    assert "\u202e" not in page.get_attribute("#videos li:nth-child(2)", "title")
    assert page.evaluate(INJECTED) == []

    page.goto(BASE + "/?q=magma")
    page.wait_for_selector(".result")
    names = page.locator(".result .name").all_inner_texts()
    assert [n.split(". ", 1)[1] for n in names] == [MARKUP + ".mp4", "lecture\\u202egnp.mp4",
                                                    "javascript:alert(3).mp4"]
    assert MARKUP in page.inner_text("#results") and "<b onmouseover=alert(4)>bold</b>" in page.inner_text("#results")
    assert page.inner_text("#index-info") == f"lecture\\u202egnp.mp4: {MARKUP}"  # a warning naming a file
    assert page.evaluate(INJECTED) == []

    page.locator(".result").nth(1).click()
    page.wait_for_function("() => document.getElementById('transcript').children.length > 0")
    assert page.inner_text("#now-playing") == "lecture\\u202egnp.mp4"
    assert MARKUP in page.inner_text("#transcript") and MARKUP in page.inner_text("#chapters")
    assert page.evaluate(INJECTED) == []

    page.goto(BASE + "/?q=" + "nothing%20here")
    page.wait_for_function("() => document.getElementById('status').dataset.state === 'empty'")
    assert MARKUP in page.inner_text("#status") and page.evaluate(INJECTED) == []
    assert dialogs == []
    page.close()
