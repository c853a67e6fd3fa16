"""The page's "More results" and the API's `page_url`, against the server's own /api/search (a fake index of ranked
moments behind it, answered through a reverse proxy's path prefix): "More results" asks for the next page by
`offset` and adds it under the list, and is gone when the server says there are no more; a result's `page_url`,
joined to the address a remote client reaches the server at, opens that moment in the page."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from momentsearch.server.app import create_app  # noqa: E402
from page_browser import browser, needs_chromium, page_file  # noqa: E402, F401 (a fixture)
from test_result_pages import _RankedIndex, _record  # noqa: E402

BASE, PREFIX = "http://lecture-box.test", "/lecture-search"  # the proxy strips the prefix

pytestmark = needs_chromium


@pytest.fixture()
def served(tmp_path):
    app = create_app(_RankedIndex(_record(tmp_path)), warm=False)  # (captions, chapters: 500, not asked of it here)
    with TestClient(app, base_url="http://localhost", raise_server_exceptions=False) as client:
        yield client


def _forward(route, client) -> None:
    """The page's files, and its API calls answered by the app (as a proxy passes them on, the prefix stripped)."""
    url = route.request.url
    if not url.startswith(BASE + PREFIX + "/"):
        route.fulfill(status=404, body="outside the proxy's prefix")
        return
    path = url[len(BASE + PREFIX):]
    if (own := page_file(path.split("?")[0])) is not None:
        route.fulfill(path=own)
        return
    headers = {k: v for k, v in route.request.headers.items() if k.lower() in ("content-type", "range")}
    answer = client.request(route.request.method, path, content=route.request.post_data_buffer, headers=headers)
    route.fulfill(status=answer.status_code, body=answer.content, headers=dict(answer.headers))


def _open(browser, client, address: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.route(f"{BASE}/**", lambda route: _forward(route, client))
    page.goto(BASE + PREFIX + address)
    page.wait_for_function("() => document.getElementById('index-info').textContent.includes('indexed')")
    return page, errors


def _shown(page) -> list[float]:
    return page.evaluate("() => results.map((r) => r.start)")


def test_more_results_adds_the_next_page_and_goes_when_there_are_no_more(browser, served):
    """It asked again for a bigger `k` (the search run and every result sent again), and showed the button
    whenever the list was full: with exactly 40 found, a second press drew the same 40 again."""
    served.app.state.index.found = 40
    page, errors = _open(browser, served, "/?q=moment")
    page.wait_for_selector("#more-results")
    assert _shown(page) == [float(i) for i in range(20)]
    page.click("#more-results")
    page.wait_for_function("() => results.length === 40")
    assert _shown(page) == [float(i) for i in range(40)]  # each once, in rank order
    assert page.locator("#more-results").count() == 0  # the server said there are no more
    assert "k=40" in page.url  # a reload lists as many
    assert served.app.state.index.asked == [21, 41]  # the second page asked from offset 20, not again from 0
    assert not errors, errors
    page.close()


def test_a_results_page_url_opens_that_moment_in_the_page(browser, served):
    """`url` is a file:// path on the server, which a client on another machine (an LMS) cannot open; `page_url`,
    joined to the server's address, plays the moment in the server's page, also for one ranked past the page's
    first 20 and under a proxy's path prefix."""
    body = served.get("/api/search", params={"q": "moment", "k": 10, "offset": 20}).json()
    chosen = body["results"][4]  # ranked 25th
    page, errors = _open(browser, served, "/")
    page.goto(BASE + PREFIX + chosen["page_url"])  # the server's address, then the link
    page.wait_for_function("() => current !== null && active >= 0")
    assert page.evaluate("() => [active, current.start, shownQuery]") == [24, chosen["start"], "moment"]
    assert not errors, errors
    page.close()


def test_an_everywhere_searchs_page_url_searches_every_file_in_the_page_too(browser, served):
    """page_url kept the query alone: the page ran it without `everywhere`, so a query naming a lecture was searched
    in that lecture only and the moment linked to could be missing from the list it opened."""
    body = served.get("/api/search", params={"q": "moment in week 3", "k": 5, "everywhere": "true"}).json()
    page, errors = _open(browser, served, "/")
    index = served.app.state.index
    index.searches = []
    page.goto(BASE + PREFIX + body["results"][2]["page_url"])
    page.wait_for_function("() => current !== null && active >= 0")
    assert page.evaluate("() => [active, shownQuery]") == [2, "moment in week 3"]
    # the page's own search was an `everywhere` one (the player's marks of the query's words in the video opened, a
    # search in that video, may come after it)
    assert [e for q, video, e in index.searches if video is None] == [True], index.searches
    assert "everywhere=true" in page.evaluate("() => momentHref(current)")  # and its links say so again
    page.fill("#q", "another moment")  # a search typed in the page is searched as typed
    page.press("#q", "Enter")
    page.wait_for_function("() => shownQuery === 'another moment'")
    assert [e for q, video, e in index.searches if q == "another moment" and video is None] == [False]
    assert "everywhere" not in page.url
    assert not errors, errors
    page.close()


def test_more_results_of_an_image_search_asks_for_the_next_page_too(browser, tmp_path):
    """An image search's next page is asked for by posting the image again with `offset` (a real server on this
    machine: Playwright's routes drop an uploaded file from the requests they pass on)."""
    import socket
    import threading
    import time

    import uvicorn
    from PIL import Image

    Image.new("RGB", (64, 64), "white").save(picture := tmp_path / "board.png")
    index = _RankedIndex(_record(tmp_path), found=40)
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(index, warm=False), host="127.0.0.1", port=port,
                                           log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"http://127.0.0.1:{port}/", wait_until="load")
        page.wait_for_function("() => document.getElementById('index-info').textContent.includes('indexed')")
        page.set_input_files("#image", str(picture))
        page.wait_for_selector("#more-results")
        page.click("#more-results")
        page.wait_for_function("() => results.length === 40")
        assert _shown(page) == [float(i) for i in range(40)] and page.locator("#more-results").count() == 0
        assert index.asked == [21, 41]
        assert not errors, errors
        page.close()
    finally:
        server.should_exit = True
