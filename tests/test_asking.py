"""Queries typed as students ask them: contractions, possessives, questions and requests around the words."""

from __future__ import annotations

import pytest

from momentsearch.ranking.lexical import LexicalIndex, query_terms

# speech of three short lectures as faster-whisper base heard it (espeak-ng voices; one deck each)
SPEECH = [
    "Next, Newton's three laws of motion. An object keeps moving unless a force acts on it.",
    "What's on the exam? You will write a recursive function and trace a merge sort by hand.",
    "This diagram shows the normal distribution. It is a bell-shaped curve.",
    "Our first example is the mean. To compute the mean, add all the values and divide by how many there are.",
]


@pytest.mark.parametrize("query, terms", [
    ("Newton's laws", ["newton", "law"]),
    ("what's on the exam?", ["exam"]),
    ("whats on the exam", ["exam"]),  # typed without its apostrophe
    ("where’s the diagram", ["diagram"]),  # a typographic apostrophe
    ("calculators aren't allowed", ["calcul", "allow"]),
    ("why can't I divide by zero", ["divid", "zero"]),
    ("they're asking what I'd need", ["ask", "need"]),
])
def test_a_clitic_after_an_apostrophe_is_no_query_term(query, terms):
    """"what's" is "what", "Newton's" is "Newton": the "s", "t", "re" split off were terms of their own."""
    assert query_terms(query) == terms


@pytest.mark.parametrize("query, right", [("where's the diagram", 2), ("what's the mean", 3),
                                          ("when's the exam", 1)])
def test_a_contraction_matches_no_text_by_its_clitic(query, right):
    """Only the text with the query's words matches: any text with a possessive or a "what's" matched "s"
    (a third of "where's the diagram" for the Newton and exam chunks)."""
    rows, scores = LexicalIndex(SPEECH).search(query, 10)
    assert rows[0] == right
    assert all(s < 0.5 * scores[0] for s in scores[1:]), dict(zip(rows.tolist(), scores.tolist()))


@pytest.mark.parametrize("asked, words", [
    ("what did he say about the exam", "the exam"),
    ("what does the lecturer say about merge sort?", "merge sort"),
    ("what did she say at the end", "at the end"),  # a place, searched as one
    ("what does big o notation mean", "big o notation"),
    ("how does bubble sort work?", "bubble sort"),
    ("tell me about the sunset", "the sunset"),
    ("remind me when the homework deadline is", "the homework deadline is"),
    ("where's the diagram", "the diagram"),
    ("whens the final exam", "the final exam"),
    ("merge sort please", "merge sort"),  # "please" matched "please submit on time"
    ("big o notation, thanks!", "big o notation"),  # "thanks" matched "thanks for listening"
    ("thanks! where's the summary", "the summary"),
])
def test_a_students_question_around_the_words_is_taken_off(asked, words):
    """"say", "mean", "work", "tell" were searched as topic words: "mean" is a statistics lecture's topic, and
    "what did she say at the end" found nothing at all (its one word, "say", was said nowhere)."""
    from momentsearch.search.asking import asked_for

    assert asked_for(asked) == words


@pytest.mark.parametrize("query", ["what did they say", "how does it work", "what does it mean", "tell me about it",
                                   "thank you", "please"])
def test_a_question_with_nothing_else_to_look_for_stays(query):
    from momentsearch.search.asking import asked_for

    assert asked_for(query) == query


def test_a_question_about_the_end_is_answered_by_place_not_by_the_word_end(tmp_path):
    """"what did she say at the end" is "at the end" once the question is off, a place alone: its words were
    still searched when nothing else was left, so a slide early on that says "end" (or speech heard as "end",
    faster-whisper's "end map" for "exam") came first, above the lecture's closing."""
    from fakes import FakeText, slide_store

    from momentsearch.options import RankingOptions
    from momentsearch.search.searcher import Searcher
    from momentsearch.types import FileRecord

    store = slide_store(tmp_path / "db", [[("Sorting algorithms", 1.0), ("CS 61", 0.5)],
                                          [("Loops that never end", 1.0), ("The end condition", 0.5)],
                                          [("Merge sort", 1.0)], [("Big O notation", 1.0)],
                                          [("What's on the exam", 1.0)]], video="1" * 16)
    store.put_file(FileRecord(path="/1.mp4", video_id="1" * 16, size=1, mtime=0.0, duration=100.0, channels=["ocr"],
                              complete=True, sections=[[20.0 * i, 20.0 * (i + 1)] for i in range(5)]))
    searcher = Searcher(store, FakeText(), options=RankingOptions(late_share=0.0))
    for query in ("at the end", "what did she say at the end"):
        best = searcher.search(query, k=3)[0]
        assert best.start == 80.0, (query, best.start)  # the last slide, not "Loops that never end" at 20 s


@pytest.mark.parametrize("query, place, lecture", [
    ("the last part of the stats lecture", "closing", "stats"),
    ("the first part of the lecture", "opening", ""),
    ("in the final section of today's class", "closing", ""),
    ("the last bit of lecture 3", "closing", "lecture 3"),
])
def test_a_part_of_a_lecture_named_by_its_order_is_a_place(query, place, lecture):
    """"the last part of the stats lecture" was searched as the words "last" and "stats": the stats lecture's
    first slide came first. Only a part of a lecture is a place: "the first part of the proof" is a topic."""
    from momentsearch.ranking.structure import content_words, intents, named_lecture

    assert intents(query) == {place} and named_lecture(query) == lecture and content_words(query) == []


@pytest.mark.parametrize("query", ["the first part of the proof", "the last part", "the last section of the essay"])
def test_a_part_of_something_else_stays_words(query):
    from momentsearch.ranking.structure import intents, without_position

    assert not intents(query) and without_position(query) == query
