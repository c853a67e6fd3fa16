"""Reviews of an earlier lecture ("Recap of last week") do not answer for the lecture that taught it."""

from __future__ import annotations

import numpy as np

from momentsearch.ranking.fusion import ChannelHits
from momentsearch.ranking.reviews import (
    PREVIEW,
    PREVIEW_TITLE,
    REVIEW_SAID,
    REVIEW_TITLE,
    SUMMARY,
    SUMMARY_TITLE,
    asks_review,
    demote_reviews,
    review_spans,
)


def test_a_review_is_named_by_its_title_or_by_the_words_it_opens_with():
    for title in ["Recap of Last Week", "Recap", "Review of probability", "Last week", "Previously",
                  "Quick recap", "Reminder of last lecture"]:
        assert REVIEW_TITLE.search(title), title
    for title in ["Literature Review", "Peer review process", "Summary", "Questions?", "Recapitalising banks"]:
        assert not REVIEW_TITLE.search(title), title  # a topic, or the closing summary of the lecture itself
    for said in ["A quick recap of last week. Rain forms on", "Last week in brief. Infiltration capacity",
                 "So, let's review what we covered last lecture"]:
        assert REVIEW_SAID.search(said), said
    for said in ["So, as we saw last week, the rate falls", "Okay, to recap the main points of today",
                 "Today we will not recap anything"]:
        assert not REVIEW_SAID.search(said), said  # a passing mention; a summary of today's lecture
    for title in ["Learning outcomes", "Outline", "Agenda", "Today's plan", "Learning Objectives", "Contents"]:
        assert PREVIEW_TITLE.search(title), title
    for title in ["Project Roadmap", "Overview of the immune system", "Outline of a proof", "Aims and scope"]:
        assert not PREVIEW_TITLE.search(title), title  # topics
    assert asks_review("recap of last week") and asks_review("what did we review") and asks_review("the summary")
    assert asks_review("the learning outcomes of week 4") and asks_review("the agenda")
    for title in ["Summary", "Summary and Next Week", "Wrapping Up", "Wrap-up", "Key takeaways", "Conclusions"]:
        assert SUMMARY_TITLE.search(title), title
    for title in ["Summary statistics of a sample", "Summary tables", "Wrapped cylinders"]:
        assert not SUMMARY_TITLE.search(title), title  # topics
    assert asks_review("the key takeaways") and asks_review("how did she wrap up") and asks_review("in conclusion")
    assert not asks_review("condensation nuclei") and not asks_review("Horton's equation")


def test_review_spans_and_the_hits_inside_them_are_demoted():
    spans = review_spans([(0.0, 30.0, "GEOG 210 Week 4"), (30.0, 50.0, "Recap of Last Week"), (50.0, 90.0, "Soils")],
                         [(31.0, 48.0, "A quick recap of last week. Rain forms"), (52.0, 80.0, "Infiltration is")])
    assert spans.tolist() == [[30.0, 50.0], [31.0, 48.0]]
    titles = [(0.0, 10.0, "Learning outcomes"), (10.0, 30.0, "Soils"), (30.0, 40.0, "Summary and Reading")]
    assert review_spans(titles, [], (PREVIEW,)).tolist() == [[0.0, 10.0]] and not len(review_spans(titles, []))
    assert review_spans(titles, [], (SUMMARY,)).tolist() == [[30.0, 40.0]]
    hits = {"ocr": ChannelHits("ocr", np.array(["w4", "w4", "w3"], dtype=object), np.array([30.0, 50.0, 30.0]),
                               np.array([50.0, 90.0, 50.0]), np.array([0.9, 0.6, 0.7]), ["", "", ""], ["a", "b", "c"])}
    out = demote_reviews(hits, {"w4": spans, "w3": np.zeros((0, 2))}, 0.5)
    assert np.allclose(out["ocr"].scores, [0.45, 0.6, 0.7])  # only w4's recap; w3's same times are no review
    assert demote_reviews(hits, {"w4": spans}, 1.0) is hits


def test_a_query_about_last_weeks_material_finds_where_it_was_taught(tmp_path):
    """Two weekly lectures in one index: week 4 opens with "Recap of Last Week", whose bullet repeats week 3's
    point word for word. The recap matches the query better, but the teaching is the answer; a query that asks
    for the recap still gets it, and with `review_weight` 1 the recap wins as before."""
    from fakes import FakeText, slide_store

    from momentsearch.options import RankingOptions
    from momentsearch.search.searcher import Searcher

    folder = tmp_path / "db"
    slide_store(folder, [[("How Rain Forms", 1.0), ("Vapour condenses on condensation nuclei", 0.5)],
                         [("Measuring Rainfall", 1.0), ("Gauges and radar", 0.5)]], video="3" * 16)
    store = slide_store(folder, [[("Recap of Last Week", 1.0), ("Rain forms on condensation nuclei", 0.5),
                                  ("Gauges and radar", 0.5)],
                                 [("Learning outcomes", 1.0), ("Soil water and the wilting point", 0.5)],
                                 [("Field Capacity", 1.0), ("Water held against gravity", 0.4)]], video="4" * 16)

    def top(query, weight=0.5):
        searcher = Searcher(store, FakeText(), options=RankingOptions(late_share=0.0, review_weight=weight))
        best = searcher.search(query, k=3)[0]
        return best.video_id[0], best.start

    assert top("rain forms on condensation nuclei") == ("3", 0.0)
    assert top("the recap of rain forms on condensation nuclei") == ("4", 0.0)
    assert top("rain forms on condensation nuclei", weight=1.0) == ("4", 0.0)
    assert top("recap of last week") == ("4", 0.0)  # a query of place alone: the review, found by its title
    assert top("soil water held against gravity") == ("4", 40.0)  # the teaching, not the outcomes that name it
    assert top("soil water held against gravity", weight=1.0) == ("4", 20.0)
    assert top("learning outcomes soil water") == ("4", 20.0)  # asked for: not demoted


def test_the_recap_of_last_week_is_a_place_of_its_own_not_the_closing():
    from momentsearch.ranking.structure import (
        CLOSING,
        REVIEW,
        content_words,
        intents,
        place_scores,
    )

    assert intents("recap of last week") == {REVIEW} and content_words("recap of last week") == []
    assert intents("the recap") == {CLOSING}  # today's summary, near the end
    assert intents("last week's summary and the homework") == {REVIEW, CLOSING}  # homework: the closing too
    starts, ends = np.array([0.0, 30.0, 50.0, 270.0]), np.array([30.0, 50.0, 270.0, 300.0])
    scores = place_scores(intents("recap of last week"), starts, ends, 300.0, None,
                          reviews=np.array([[30.0, 50.0]]))
    assert scores.tolist() == [0.0, 1.0, 0.0, 0.0]  # the review, not the end of the lecture



def test_the_closing_summary_and_an_outline_are_found_in_the_index_and_their_hits_count_less(tmp_path):
    """The searcher finds each kind by the stored slide titles: hits in an outline count `review_weight`, in
    the lecture's closing summary `summary_weight` (it restates today's topics, but a line quoted from it is
    said there, so less is taken off), elsewhere in full."""
    from fakes import FakeText, slide_store

    from momentsearch.options import RankingOptions
    from momentsearch.search.searcher import Searcher

    video = "s" * 16
    store = slide_store(tmp_path / "db", [[("Outline", 1.0), ("Demand curves", 0.5)],
                                          [("Demand Curves", 1.0), ("Movement along one", 0.5)],
                                          [("Summary", 1.0), ("Movement along vs a shift", 0.5)]], video=video)
    searcher = Searcher(store, FakeText(), options=RankingOptions(late_share=0.0))
    corpus = searcher.corpus()
    hits = {"ocr": ChannelHits("ocr", np.array([video] * 3, dtype=object), np.array([0.0, 20.0, 40.0]),
                               np.array([20.0, 40.0, 60.0]), np.array([0.8, 0.8, 0.8]), ["", "", ""], ["a", "b", "c"])}
    out = searcher._rows(corpus).demote(hits, 0.5, 0.75)
    assert np.allclose(out["ocr"].scores, [0.4, 0.8, 0.6])


def test_a_place_named_by_position_and_the_lecture_it_is_in(tmp_path):
    """"the end of the memory lecture" came back as the memory lecture's title slide: "end" was no place word
    (only "summary", "recap", ... were), and "memory lecture" matched the title best. "At the end", "near the
    beginning", "the first few minutes" name a place by position (not "the end of the war", nor "the start
    and end of a list"), their words are not searched ("end" is said all the time), and beside a place "of
    the memory lecture" says which lecture: its videos, answered by place."""
    from fakes import FakeText, slide_store

    from momentsearch.options import RankingOptions
    from momentsearch.ranking.structure import CLOSING, OPENING, intents, named_lecture, without_position
    from momentsearch.search.searcher import Searcher

    assert intents("the end of the memory lecture") == intents("near the end where they talk about the exam") == {
        CLOSING}
    assert intents("in the first few minutes") == intents("at the beginning of today's class") == {OPENING}
    for content in ("the end of the cold war", "why the start and end of a list are remembered", "dead end"):
        assert not intents(content) and without_position(content) == content, content
    assert without_position("near the end where they talk about the exam").split() == "where they talk about the exam".split()
    assert named_lecture("the summary of the memory lecture") == "memory" and named_lecture("the summary") == ""

    folder = tmp_path / "db"
    slide_store(folder, [[("Bridges: Forces and Forms", 1.0), ("CIV 101", 0.5)], [("Beams", 1.0)],
                         [("Arches", 1.0)], [("The End of the Bridge", 1.0)], [("Exercise", 1.0)]], video="1" * 16)
    store = slide_store(folder, [[("How Memory Works", 1.0), ("PSY 120, memory lecture", 0.5)],
                                 [("Working Memory", 1.0)], [("Forgetting", 1.0)], [("Sleep", 1.0)],
                                 [("Summary", 1.0), ("Memory is rebuilt", 0.5)]], video="2" * 16)
    searcher = Searcher(store, FakeText(), options=RankingOptions(late_share=0.0))

    def top(query):
        best = searcher.search(query, k=3)[0]
        return best.video_id[0], best.start

    assert top("the end of the memory lecture") == ("2", 80.0)  # not its title slide at 0 s
    assert named_lecture("the end of week 4") == "week 4" and intents("the end of week 4") == {CLOSING}
    assert top("at the beginning of the bridges lecture") == ("1", 0.0)
    assert top("the end of the bridge") == ("1", 60.0)  # words, not a place: the slide that says them


def test_a_query_of_position_words_alone_is_searched_by_place():
    """"the last 5 minutes" holds no word but the place: what is searched as words is empty, not blanks."""
    from momentsearch.ranking.structure import CLOSING, intents, without_position

    assert intents("the last 5 minutes") == {CLOSING} and without_position("the last 5 minutes") == ""
    assert without_position("at the end, the summary") == ", the summary"
