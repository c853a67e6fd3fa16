"""The web page marks the query's words in a result's text as the search matched them: with or without their
accents (app.js `highlight`, run in node)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import momentsearch.server as server

NODE = shutil.which("node") or shutil.which("nodejs")
APP = Path(server.__file__).parent / "web" / "app.js"

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")


def _marked(cases: list[tuple[str, str]]) -> list[str]:
    """app.js's highlight(text, query) for each case: the page's own functions, cut out of app.js."""
    page = APP.read_text(encoding="utf-8")
    functions = page[page.index("function escapeHtml("):page.index("// -- searching")]
    script = functions + f"\nconsole.log(JSON.stringify({json.dumps(cases)}.map(([t, q]) => highlight(t, q))));\n"
    out = subprocess.run([NODE, "-e", script], capture_output=True, text=True, check=True, timeout=60)
    return json.loads(out.stdout)


def test_query_words_are_marked_with_or_without_their_accents():
    """A result found for "Godel" showed "Gödel" unmarked (and "GODELS" on the slide for "Gödel"): the search
    folds accents, the page compared letters as typed."""
    cases = [("Kurt Gödel, 1931", "Godel"), ("GODELS UNVOLLSTANDIGKEITSSATZ", "Gödel"),
             ("Die Straße in München", "STRASSE Munchen"), ("AEro: Danische Insel", "Ærø"),
             ("Kurt Go\u0308del", "Gödel"),  # a decomposed name: the accent stays inside the mark
             ("Σ over all αi", "σ")]
    assert _marked(cases) == ["Kurt <mark>Gödel</mark>, 1931", "<mark>GODEL</mark>S UNVOLLSTANDIGKEITSSATZ",
                              "Die <mark>Straße</mark> in <mark>München</mark>", "<mark>AEro</mark>: Danische Insel",
                              "Kurt <mark>Go\u0308del</mark>", "Σ over all αi"]


def test_marks_stay_at_word_starts_and_the_text_stays_escaped():
    cases = [("Volcanoes erupt at the start", "volcano art"), ("a <b> & Gödel's R&D amp", "gödel amp"),
             ("no match here", "roadmap"), ("text", "")]
    assert _marked(cases) == ["<mark>Volcano</mark>es erupt at the start",
                              "a &lt;b&gt; &amp; <mark>Gödel</mark>&#39;s R&amp;D <mark>amp</mark>",
                              "no match here", "text"]


def test_a_camel_case_identifier_marks_the_words_ocr_and_speech_split_it_into():
    """A result found for "HashMap" (OCR stores the slide's "HashMap" as "Hash Map"; the speech says "hash map")
    and for "getUserId" showed no mark at all; snake_case words are marked between their underscores."""
    cases = [("Hash Map<String, Integer> counts", "HashMap"), ("the method get user ID in camel case", "getUserId"),
             ("Zero Division Error: division by zero", "ZeroDivisionError"), ("def get_user_id(name):", "get_user_id"),
             ("an eBay listing", "eBay"), ("HashMap<K, V>", "HashMap")]
    assert _marked(cases) == ["<mark>Hash</mark> <mark>Map</mark>&lt;String, Integer&gt; counts",
                              "the method <mark>get</mark> <mark>user</mark> <mark>ID</mark> in camel case",
                              "<mark>Zero</mark> <mark>Division</mark> <mark>Error</mark>: "
                              "<mark>division</mark> by <mark>zero</mark>",
                              "def <mark>get</mark>_<mark>user</mark>_<mark>id</mark>(name):",
                              "an <mark>eBay</mark> listing", "<mark>HashMap</mark>&lt;K, V&gt;"]


def test_a_subscript_or_micro_sign_is_marked_as_the_search_matched_it():
    """The search compares "CO₂" as "CO2" and "µ" (micro sign) as "μ" (NFKC); the page left a caption's "CO₂" unmarked
    for "CO2", and OCR's "CO2" for "CO₂"."""
    cases = [("Carbon dioxide, CO₂, is 44", "CO2"), ("CO2: 44.01 g/mol", "CO₂"), ("Cell size: 10 μm", "µm"),
             ("grows with x²", "x2")]
    assert _marked(cases) == ["Carbon dioxide, <mark>CO₂</mark>, is 44", "<mark>CO2</mark>: 44.01 g/mol",
                              "Cell size: 10 <mark>μm</mark>", "grows with <mark>x²</mark>"]


def test_a_word_the_search_matched_by_its_stem_is_marked_whole():
    """A result found for "glaciers" through "glacier" (the lexical channel compares stems), or for "running" through
    "run", showed no mark: the page compared letters. The words the answer's `marked_words` names are marked whole
    ("run", not the "run" of "runway")."""
    page = APP.read_text(encoding="utf-8")
    functions = page[page.index("function escapeHtml("):page.index("// -- searching")]
    cases = [("A glacier moves slowly; glaciers carve rock", "glaciers", ["glacier"]),
             ("Rivers run to the sea past the runway", "running water", ["run"]),
             ("Une École, des écoles", "schools", ["ecole"]),
             ("no form given", "glaciers", [])]
    script = functions + f"\nconsole.log(JSON.stringify({json.dumps(cases)}.map(([t, q, f]) => highlight(t, q, f))));\n"
    out = subprocess.run([NODE, "-e", script], capture_output=True, text=True, check=True, timeout=60)
    assert json.loads(out.stdout) == ["A <mark>glacier</mark> moves slowly; <mark>glaciers</mark> carve rock",
                                      "Rivers <mark>run</mark> to the sea past the runway",
                                      "Une <mark>École</mark>, des écoles",
                                      "no form given"]


def test_the_search_answer_names_the_words_matched_by_their_stem(tmp_path):
    """/api/search's `marked_words`: the words of the results' speech and slide text that hold a query word in
    another form, the ones the page cannot tell by letters; not the query's own words, not words of no query stem."""
    import sys

    from fastapi.testclient import TestClient

    from momentsearch.server.app import create_app
    from momentsearch.types import Moment

    sys.path.insert(0, str(Path(__file__).parent))
    from test_server import _FakeIndex, _record

    class Glaciers(_FakeIndex):
        def search(self, query, k=10, kind=None, video=None, everywhere=False):
            rec = next(iter(self.files.values()))
            return [Moment(video=rec.path, video_id=rec.video_id, start=1.0, end=2.0, score=0.5,
                           channels={"transcript": 0.5, "ocr": 0.5},
                           text="Today we study glaciers. A glacier moves, running water runs to the sea.",
                           evidence={"ocr": "Glaciated valleys"})]

    video = tmp_path / "geo.mp4"
    video.write_bytes(b"x")
    with TestClient(create_app(Glaciers([_record(video)]), warm=False), base_url="http://localhost") as client:
        body = client.get("/api/search", params={"q": "glaciers and the run"}).json()
    assert body["marked_words"] == ["glacier", "running", "runs"]
