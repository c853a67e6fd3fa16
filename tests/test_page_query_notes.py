"""What the web page says about the query it searched, as the CLI says it: a pasted paragraph longer than the
server takes, and typos put right that still found nothing. The page's own files in Debian's chromium
(Playwright), the API answered by routes as the server answers: what is checked is the page, not the server."""

from __future__ import annotations

import urllib.parse

import pytest

import momentsearch.server as server
from page_browser import browser, needs_chromium, page_file  # noqa: F401 (browser: a fixture)
from momentsearch.options import MAX_QUERY_CHARS

BASE = "http://lecture-box.test"
EMPTY = "No results above the relevance floor (ranking.min_score); try other words."

pytestmark = needs_chromium




def _answer(route, asked: list[str]) -> None:
    """The server's answers: /api/search refuses a `q` over MAX_QUERY_CHARS (422), as FastAPI does; "bucle" is
    searched as "bugle" and finds nothing."""
    path = route.request.url[len(BASE):].split("?")[0]
    if (own := page_file(path)) is not None:
        route.fulfill(path=own)
    elif path == "/api/videos":
        route.fulfill(json={"videos": [], "channels": ["transcript"]})
    elif path == "/api/examples":
        route.fulfill(json={"examples": []})
    elif path == "/api/search":
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(route.request.url).query)["q"][0]
        asked.append(q)
        if len(q) > MAX_QUERY_CHARS:
            route.fulfill(status=422, json={"error": f"invalid request: q: String should have at most "
                                                     f"{MAX_QUERY_CHARS} characters", "status": 422})
            return
        corrected = [["bucle", "bugle"]] if "bucle" in q else []
        lecture = {"searched_for": "recursion", "searched_in": "/course/week03-algorithms.mp4",
                   "named_lecture": "week 3"} if q == "recursion in week 3" else {}
        if q == "the exam bit of the algorithms lecture":  # two files it could be: searched in all, said so
            lecture = {"lecture_could_be": ["/course/week03-algorithms.mp4", "/course/week05-algorithms-lab.mp4"],
                       "ambiguous_lecture": "the algorithms lecture"}
        route.fulfill(json={"query": q, "results": [], "took_ms": 1, "warnings": [], "picture_note": "",
                            "searched_for": q.replace("bucle", "bugle") if corrected else None,
                            "corrected": corrected, "empty_note": EMPTY, **lecture})
    else:
        route.fulfill(status=404, json={"error": "not here", "status": 404})


def _search(browser, query: str) -> tuple[str, list[str]]:
    page = browser.new_page()
    asked: list[str] = []
    page.route(f"{BASE}/**", lambda route: _answer(route, asked))
    page.goto(BASE + "/")
    page.fill("#q", query)
    page.press("#q", "Enter")
    page.wait_for_function("() => document.getElementById('status').dataset.state === 'empty'", timeout=20_000)
    status = page.inner_text("#status")
    links = page.locator("#as-typed").count()
    page.close()
    return status + f" [{links} as-typed link]", asked


def test_a_pasted_paragraph_is_searched_by_its_start_and_the_page_says_the_rest_was_left_out(browser):
    """The input's maxlength cut a pasted 2,000-word paragraph to 2,000 characters without a word (the question
    at its end never searched), and "try other words" had the student re-word the part that had been."""
    paragraph = "office hours and homework deadlines " * 100 + "the Apollo landing in 1969"
    status, asked = _search(browser, paragraph)
    assert len(asked) == 1 and len(asked[0]) <= MAX_QUERY_CHARS and paragraph.startswith(asked[0] + " ")
    left_out = len(paragraph.split()) - len(asked[0].split())
    assert (f"Only the first {MAX_QUERY_CHARS:,} characters of the query were searched: its last {left_out} words "
            "were left out") in status, status
    assert EMPTY in status and "…”" in status and len(status) < 600  # the query's start echoed, not all of it


def test_typos_put_right_that_found_nothing_say_what_was_searched_as_the_cli_does(browser):
    """The CLI prints "Searched for ..." above "no results"; the page said only "No moments found for" the typed
    words, so a student never learnt that "bucle" had been searched as "bugle", nor could search it as typed."""
    status, asked = _search(browser, "el bucle infinito")
    assert asked == ["el bucle infinito"]
    assert "Searched for “el bugle infinito”: “bucle” is in no indexed speech or slide text." in status, status
    assert EMPTY in status and "[1 as-typed link]" in status
    plain, _ = _search(browser, "recursion")
    assert plain.startswith("No moments found for “recursion”. No results") and "[0 as-typed link]" in plain


def test_a_query_searched_in_the_lecture_it_names_says_so_with_a_way_to_search_every_file(browser):
    """The CLI says "Searched in week03-algorithms.mp4 only" when a query names one lecture; the page said nothing,
    so a student did not learn why other lectures' moments were missing, nor how to search them."""
    page = browser.new_page()
    asked: list[str] = []
    page.route(f"{BASE}/**", lambda route: _answer(route, asked))
    page.goto(BASE + "/")
    page.fill("#q", "recursion in week 3")
    page.press("#q", "Enter")
    page.wait_for_function("() => document.getElementById('status').dataset.state === 'empty'", timeout=20_000)
    status = page.inner_text("#status")
    assert "Searched in week03-algorithms.mp4 only, the lecture the query names (“week 3”)." in status, status
    page.click("#everywhere")
    page.wait_for_function("() => document.getElementById('q').value === 'recursion'", timeout=20_000)
    page.wait_for_function("() => !document.getElementById('everywhere')", timeout=20_000)
    page.close()
    assert asked == ["recursion in week 3", "recursion"]


def test_a_lecture_name_several_files_could_be_is_said_with_their_names(browser):
    """The API says which files "the algorithms lecture" could be (`lecture_could_be`) when it searched them all;
    the page said nothing, so a student did not learn that the name had narrowed nothing."""
    status, _ = _search(browser, "the exam bit of the algorithms lecture")
    assert ("“the algorithms lecture” could be week03-algorithms.mp4 or week05-algorithms-lab.mp4, so every file "
            "was searched; name the lecture more closely to search one.") in status, status
    plain, _ = _search(browser, "recursion")
    assert "could be" not in plain
