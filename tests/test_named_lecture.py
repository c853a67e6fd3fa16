"""A lecture named in a query ("recursion in week 3", "what did the stats lecture say about p-values"): searched in
the one file it names, said so; an ambiguous or unknown name, or none, searches as before (search/lectures.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from momentsearch.search.lectures import named_lecture
from momentsearch.types import FileRecord

ROOT = Path(__file__).resolve().parents[1]
# a course folder: each topic word is also said in another lecture ("recursion" most in week 4, "proof" and
# "p-values" in lecture 6, "algorithms" in three of them)
COURSE = {
    "/course/week03-algorithms.mp4": [
        [("Week 3", 1.0), ("Algorithms", 0.8)],
        [("Recursion", 1.0), ("a function that calls itself", 0.5)],
        [("The exam", 1.0), ("one question on sorting algorithms", 0.5)]],
    "/course/week04-data-structures.mp4": [
        [("Week 4", 1.0), ("Data Structures", 0.8)],
        [("Recursion on trees", 1.0), ("recursion visits each subtree: recursion, recursion", 0.5)],
        [("Hash tables", 1.0), ("fast search algorithms; the exam covers recursion", 0.5)]],
    "/course/Lecture 5 - Statistics.mp4": [
        [("Lecture 5", 1.0), ("Statistics", 0.8)],
        [("P-values", 1.0), ("evidence against the null", 0.5)],
        [("Proof", 1.0), ("the sample mean is unbiased", 0.5)]],
    "/course/Lecture 6 - Probability.mp4": [
        [("Lecture 6", 1.0), ("Probability", 0.8)],
        [("Proof of Bayes theorem", 1.0), ("the proof uses conditional probability; proof", 0.5)],
        [("Statistics pitfalls", 1.0), ("misreading p-values; p-values are not probabilities of the null", 0.5)]],
    "/course/week05-algorithms-lab.mp4": [
        [("Week 5", 1.0), ("Algorithms Lab", 0.8)],
        [("Lab task", 1.0), ("binary search, with an exam-style question", 0.5)]],
}
ORDINARY = ["recursion", "p-values", "the proof that the sample mean is unbiased", "where do they explain hash tables",
            "algorithms exam", "which week covered binary search", "the end", "the summary of the stats lecture",
            "the last lecture on recursion", "recursion in week 9", "the exam in the algorithms lecture",
            '"week 3" recursion']


def course_searcher(folder):
    """A Searcher over COURSE's slide text (fake text vectors: the words decide), one video per path."""
    from fakes import FakeText

    from momentsearch.options import RankingOptions
    from momentsearch.search.searcher import Searcher
    from momentsearch.store.client import make_client
    from momentsearch.store.ids import entry_id
    from momentsearch.store.store import Store

    store = Store(make_client(str(folder)))
    store.collection("ocr", model_id=FakeText.model_id, dim=FakeText.dim)
    for n, (path, slides) in enumerate(COURSE.items()):
        video = f"{n}" * 16
        spans = [(20.0 * i, 20.0 * (i + 1)) for i in range(len(slides))]
        metas = [{"video_id": video, "video": path, "start": s, "end": e, "kind": "slide", "title": lines[0][0],
                  "lines": json.dumps([[t, w, ""] for t, w in lines])} for (s, e), lines in zip(spans, slides)]
        store.upsert("ocr", [entry_id(video, "slide", s, e) for s, e in spans],
                     np.tile(np.eye(FakeText.dim, dtype=np.float32)[1], (len(slides), 1)), metas,
                     [" · ".join(t for t, _ in lines) for lines in slides])
        store.put_file(FileRecord(path=path, video_id=video, size=1, mtime=0.0, duration=20.0 * len(slides),
                                  channels=["ocr"], complete=True, sections=[list(s) for s in spans]))
    return Searcher(store, FakeText(), options=RankingOptions(late_share=0.0))


def _found(moments) -> list[tuple[str, float]]:
    return [(m.video, m.start) for m in moments]


@pytest.mark.parametrize("query, path, slide, rest", [
    ("recursion in week 3", "/course/week03-algorithms.mp4", 20.0, "recursion"),
    ("what did the stats lecture say about p-values", "/course/Lecture 5 - Statistics.mp4", 20.0, "p-values"),
    ("in lecture 5 where is the proof", "/course/Lecture 5 - Statistics.mp4", 40.0, "the proof"),
    ("the exam bit at the end of week three", "/course/week03-algorithms.mp4", 40.0, "the exam bit at the end"),
    ("the exam question in the algorithms lab", "/course/week05-algorithms-lab.mp4", 20.0, "the exam question"),
])
def test_a_topic_in_a_named_lecture_is_searched_in_that_lecture(tmp_path, query, path, slide, rest):
    """The lecture's name was searched as topic words: "recursion in week 3" found week 4's recursion slides (it
    says "recursion" more), "in lecture 5 where is the proof" lecture 6's proof, the stats lecture's p-values lost
    to lecture 6's "Statistics pitfalls" slide."""
    searcher = course_searcher(tmp_path / "db")
    moments = searcher.search(query, k=3)
    assert moments and {m.video for m in moments} == {path}, _found(moments)
    assert moments[0].start == slide, _found(moments)
    spelled = searcher.spelled(query)
    assert (spelled.searched_in, spelled.text) == (path, rest)
    assert f"Searched in {Path(path).name} only" in spelled.note() and f"search {rest!r} alone" in spelled.note()
    assert spelled.to_json()["searched_in"] == path
    # the way out: everywhere=True ranks the query as typed, over every file
    assert len({m.video for m in searcher.search(query, k=10, everywhere=True)}) > 1
    assert searcher.spelled(query, everywhere=True).searched_in == ""


@pytest.mark.parametrize("query", ORDINARY)
def test_a_query_that_names_no_one_lecture_ranks_as_before(tmp_path_factory, query):
    """Plain topics, a lecture number no file has ("week 9"), a name two files share ("the algorithms lecture":
    week 3 and the week 5 lab), a place of a named lecture (answered by place): ranked as with the feature off."""
    searcher = course_searcher(tmp_path_factory.mktemp("db"))
    assert _found(searcher.search(query, k=10)) == _found(searcher.search(query, k=10, everywhere=True))
    spelled = searcher.spelled(query)
    assert spelled.searched_in == "" and "searched_in" not in spelled.to_json() and "Searched in" not in spelled.note()


AMBIGUOUS = "the exam bit of the algorithms lecture"  # week03-algorithms.mp4 or week05-algorithms-lab.mp4
BOTH = ("/course/week03-algorithms.mp4", "/course/week05-algorithms-lab.mp4")


def test_a_lecture_two_files_could_be_is_searched_as_before_and_the_answer_names_both(tmp_path):
    """A lecture two files could be was searched as words with no word of it: the user could not tell the name had
    not narrowed anything, nor how to pick one. Now the note and the JSON name both files and `--in`; the ranking
    is the same as before."""
    searcher = course_searcher(tmp_path / "db")
    assert _found(searcher.search(AMBIGUOUS, k=10)) == _found(searcher.search(AMBIGUOUS, k=10, everywhere=True))
    spelled = searcher.spelled(AMBIGUOUS)
    assert (spelled.text, spelled.searched_in, spelled.could_be) == (AMBIGUOUS, "", BOTH)
    note = spelled.note()
    assert "'the algorithms lecture' could be week03-algorithms.mp4 or week05-algorithms-lab.mp4" in note, note
    assert "--in /course/week03-algorithms.mp4" in note, note
    assert spelled.to_json() == {"lecture_could_be": list(BOTH), "ambiguous_lecture": "the algorithms lecture"}
    assert searcher.spelled(AMBIGUOUS, everywhere=True).could_be == ()  # searched everywhere, asked to: no note
    # picking one of them (--in) searches it alone, as a lecture named clearly is
    assert searcher.spelled(AMBIGUOUS, scope=[BOTH[0]]).searched_in == BOTH[0]
    for clear in ("recursion in week 3", "the exam question in the algorithms lab", "recursion",
                  '"the algorithms lecture" exam', "the algorithms lecture", "the end of the algorithms lecture"):
        assert searcher.spelled(clear).could_be == () and "could be" not in searcher.spelled(clear).note(), clear


def test_the_http_api_names_the_files_a_lecture_could_be(tmp_path):
    """/api/search answers the same keys as `search --json` (its response model kept only the ones it declares)."""
    from fastapi.testclient import TestClient
    from test_server import _FakeIndex

    from momentsearch.server.app import create_app

    searcher = course_searcher(tmp_path / "db")

    class CourseIndex(_FakeIndex):
        def spelled(self, query, video=None, in_=None, everywhere=False):
            return searcher.spelled(query, everywhere=everywhere)

    (media := tmp_path / "week03-algorithms.mp4").write_bytes(b"x")
    st = media.stat()
    index = CourseIndex([FileRecord(str(media), "0" * 16, st.st_size, st.st_mtime, duration=3.0,
                                    channels=["transcript"], complete=True)])
    with TestClient(create_app(index, warm=False), base_url="http://localhost") as client:
        body = client.get("/api/search", params={"q": AMBIGUOUS}).json()
        assert (body["lecture_could_be"], body["ambiguous_lecture"]) == (list(BOTH), "the algorithms lecture")
        body = client.get("/api/search", params={"q": AMBIGUOUS, "everywhere": True}).json()
        assert body.get("lecture_could_be") is None


def test_a_named_lecture_is_told_by_its_title_slide_when_its_file_name_says_nothing():
    files = {"a": FileRecord("/rec/2026-10-03 10-00.mp4", "a", 1, 0.0),
             "b": FileRecord("/rec/2026-10-10.mp4", "b", 1, 0.0)}
    titles = {"a": "Week 3 · Algorithms", "b": "Week 4 · Data Structures"}
    named = named_lecture("recursion in week 3", files, titles.get)
    assert named is not None and (named.video_id, named.typed, named.rest) == ("a", "week 3", "recursion")
    assert named_lecture("the recursion example in the data structures lecture", files, titles.get).video_id == "b"
    assert named_lecture("recursion in week 3", files, lambda v: "") is None  # nothing names it: as before


@pytest.mark.parametrize("query, rest", [
    ("week 3 recursion", "recursion"), ("recursion (week 3)", "recursion"), ("Week 3 — recursion?", "recursion?"),
    ("week 3's recursion example", "recursion example"),
    ("what did the stats lecture say about p-values", "what did the lecture say about p-values"),
])
def test_the_name_taken_out_leaves_no_word_of_it_to_search(query, rest):
    """"week 3 recursion" was searched as "the lecture recursion" ("lecture" a topic word), "recursion (week 3)"
    as "recursion ( )"; a request about the named lecture keeps "the lecture", which asking.py takes off."""
    from momentsearch.search.asking import asked_for

    files = {"a": FileRecord("/c/week03-algorithms.mp4", "a", 1, 0.0),
             "b": FileRecord("/c/Lecture 5 - Statistics.mp4", "b", 1, 0.0)}
    named = named_lecture(query, files, lambda v: "")
    assert named is not None and named.rest == rest
    assert "lecture" not in asked_for(named.rest)


@pytest.mark.parametrize("query", ["recursion in lecture 1", "recursion in the algorithms lecture",
                                   '"week 3" recursion', "the stats lecture", "recursion in week 3 and week 4",
                                   "the python class attribute", "the python session cookie"])
def test_a_reference_that_is_not_clearly_one_file_is_left_as_words(query):
    files = {"a": FileRecord("/c/Lecture 1 - Algorithms.mp4", "a", 1, 0.0),
             "b": FileRecord("/c/Lecture 11 - Algorithms II.mp4", "b", 1, 0.0),
             "c": FileRecord("/c/week03.mp4", "c", 1, 0.0), "d": FileRecord("/c/week04.mp4", "d", 1, 0.0),
             "e": FileRecord("/c/python-basics.mp4", "e", 1, 0.0)}
    named = named_lecture(query, files, lambda v: "")
    if query == "recursion in lecture 1":  # 1 is not 11
        assert named is not None and named.video_id == "a"
    elif query == '"week 3" recursion':  # a name in quotes: left to searched_in_lecture, which searches it as words
        assert named is not None and named.video_id == "c"
    else:  # two files, no topic beside the name, a class or session named by a word (as often a topic)
        assert named is None


def test_the_benchmark_queries_name_no_benchmark_lecture():
    """The benchmark's queries (hand-written, and the "said" ones drawn from the narration) name no lecture of it,
    so they take the path they took before this existed: their ranking is unchanged."""
    from momentsearch.testing.corpus import load_split, said_query

    for split in ("dev", "test"):
        lectures = load_split(ROOT / "scripts" / "lectures" / f"{split}.toml")
        files = {lec.name: FileRecord(f"/bench/{lec.name}.mp4", lec.name, 1, 0.0) for lec in lectures}
        titles = {lec.name: lec.sections[0].title for lec in lectures}
        speech = [s.speech for lec in lectures for s in lec.sections]
        queries = [q for lec in lectures for d in lec.queries for q in d.values()]
        queries += [said_query(s.speech, speech) for lec in lectures for s in lec.sections if s.speech]
        assert len(queries) > 100
        assert [q for q in queries if named_lecture(q, files, titles.get) is not None] == []
