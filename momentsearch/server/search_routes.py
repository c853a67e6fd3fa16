"""/api/search: a text query (GET) or an image (POST), answered a page of ranked moments at a time. Like
server/routes.py, it reads the MomentIndex from `app.state.index` through its public methods only."""

from __future__ import annotations

import time
from typing import Literal
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from momentsearch.api import image_note, image_nothing_found_note, picture_note, stem_forms
from momentsearch.options import MAX_QUERY_CHARS, MAX_RESULTS
from momentsearch.server import images
from momentsearch.server.routes import (MAX_UPLOAD_BYTES, TOO_LARGE, _in_search_slot, _record, _warnings,
                                        moments_out)
from momentsearch.server.schemas import ERRORS, SearchOut
from momentsearch.store.filestate import stale_results_warnings

# /api/search answers a page of the ranked results: `offset` skips that many; a search returns MAX_RESULTS at most
OFFSET_HELP = f"how many of the ranked results to skip (a page's `next_offset`); at most {MAX_RESULTS} in all"
PAGE_FIRST = 20  # results the web page lists at first (web/app.js PAGE): a link to one ranked lower asks for more

router = APIRouter(prefix="/api", tags=["api"], responses=ERRORS)


@router.get("/search", response_model=SearchOut)
async def search_text(request: Request, q: str = Query(..., max_length=MAX_QUERY_CHARS, description="what to look for"),
                      k: int = Query(10, ge=1, le=MAX_RESULTS), kind: Literal["moment", "photo"] | None = None,
                      video: str | None = Query(None, max_length=64, description="search in this video only (id)"),
                      everywhere: bool = Query(False, description="search every file even when the query names a "
                                                                  "lecture ('recursion in week 3')"),
                      offset: int = Query(0, ge=0, le=MAX_RESULTS, description=OFFSET_HELP)):
    index, t0 = request.app.state.index, time.perf_counter()
    if video is not None:
        await _record(request, video)
    def run():
        found = index.search(q, _asked(offset, k), kind, video, everywhere=everywhere)
        moments, next_offset = _page(found, offset, k)
        return (with_page_urls(moments_out(index, moments), offset, q, video, everywhere), next_offset,
                picture_note(q, index.searchable_channels()),
                index.spelled(q, video, everywhere=everywhere).to_json(),
                "" if moments else _past_the_end(len(found)) if found else index.why_nothing(q, kind, video,
                                                                                         everywhere=everywhere),
                stale_results_warnings(moments, index.video))

    results, next_offset, note, spelled, empty, stale = await _in_search_slot(request, run)
    return {"query": q, "picture_note": note, **spelled, "results": results, "empty_note": empty,
            "offset": offset, "next_offset": next_offset,
            "marked_words": _marked_words(spelled.get("searched_for") or q, results),
            "took_ms": round((time.perf_counter() - t0) * 1000, 1), "warnings": _warnings(request) + stale}


def with_page_urls(results: list[dict], offset: int, query: str | None, video: str | None,
                   everywhere: bool = False) -> list[dict]:
    """`results` (a page of them, after the first `offset`), each with `page_url`: the address that opens it in the
    server's own page, as the page's links do: `/?q=QUERY&v=VIDEO_ID#t=START`, relative to the server as
    `media_url` is (a client on another machine joins it to the address it reaches the server at, a proxy's path
    prefix included). The page runs the query again and plays the moment from its start; `k=` makes it list
    as many results as the moment's rank where that is past the first PAGE_FIRST, `in=video` searches the one
    video a search in it (`video`) searched, `everywhere=true` searches every file as an `everywhere` search did
    (not only a lecture the query names). An image search (`query` None) has no words to run: its link opens
    the video at the moment's start."""
    for rank, r in enumerate(results, offset + 1):
        params = {"q": query, "v": r["video_id"]} if query else {"v": r["video_id"]}
        if query and rank > PAGE_FIRST:
            params["k"] = str(rank)
        if query and video is not None and r["kind"] != "photo":
            params["in"] = "video"
        if query and everywhere:
            params["everywhere"] = "true"
        r["page_url"] = f"/?{urlencode(params)}#t={max(0.0, r['start']):.1f}"
    return results


def _asked(offset: int, k: int) -> int:
    """How many results a page asks the search for: those it skips, its own, and one more to tell whether a next
    page has any (at most MAX_RESULTS, all a search returns)."""
    return min(offset + k + 1, MAX_RESULTS)


def _page(found: list, offset: int, k: int) -> tuple[list, int | None]:
    """The `k` results after the first `offset` of `found` (the search's, asked for `_asked(offset, k)`), and the
    offset of the next page: None when there is none (the search found no more, or returns no more)."""
    return found[offset:offset + k], (offset + k if len(found) > offset + k else None)


def _past_the_end(found: int) -> str:
    """A page after the last result: how many there were (not "nothing found": the query did find some)."""
    return f"No more results: the search found {found}; ask from offset 0 for them." if found else ""


def _marked_words(query: str, results: list[dict]) -> list[str]:
    """The words of the results' texts (what the page shows: snippet and slide text) that the search matched by
    their stem in another form than the query's ("glacier" for "glaciers"): the page marks them too."""
    return stem_forms(query, [t for r in results for t in (r["snippet"], r["evidence"].get("ocr", "")) if t])


@router.post("/search", response_model=SearchOut)
async def search_image(request: Request,
                       image: UploadFile = File(..., description=f"an image, at most {MAX_UPLOAD_BYTES} bytes"),
                       k: int = Form(10, ge=1, le=MAX_RESULTS), kind: Literal["moment", "photo"] | None = Form(None),
                       video: str | None = Form(None, max_length=64, description="search in this video only (id)"),
                       offset: int = Form(0, ge=0, le=MAX_RESULTS, description=OFFSET_HELP)):
    index, t0 = request.app.state.index, time.perf_counter()
    if video is not None:
        await _record(request, video)
    data = await image.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise HTTPException(413, f"the image is larger than {MAX_UPLOAD_BYTES:,} bytes; {TOO_LARGE}")
    array = await run_in_threadpool(images.open_upload, data, image.filename or "upload")
    def run():
        found, words = index.image_query(array, _asked(offset, k), kind, video)
        moments, next_offset = _page(found, offset, k)
        stale = stale_results_warnings(moments, index.video)
        empty = _past_the_end(len(found)) if found else image_nothing_found_note(kind, index.videos())
        empty = "" if moments else empty
        results = with_page_urls(moments_out(index, moments), offset, None, video)
        return results, next_offset, words, image_note(index.searchable_channels()), empty, stale

    results, next_offset, words, note, empty, stale = await _in_search_slot(request, run)
    return {"query": f"image:{image.filename or 'upload'}", "image_text": words, "image_note": note,
            "results": results, "empty_note": empty, "offset": offset, "next_offset": next_offset,
            "took_ms": round((time.perf_counter() - t0) * 1000, 1), "warnings": _warnings(request) + stale}
