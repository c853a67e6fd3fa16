"""Queries that name a part of a lecture by its place: "the recap", "the intro", "the break", "a student
asks"."""

from __future__ import annotations

import numpy as np
import pytest

from momentsearch.options import RankingOptions
from momentsearch.ranking.joint import rank
from types import SimpleNamespace

from momentsearch.ranking.structure import (AFTER, BEFORE, BREAK, BREAK_SAID, CLOSING, EXERCISE, OPENING, QUESTIONS,
                                            QUIET, Place, beside_regions, content_words, intents, place_scores,
                                            said_regions)
from tests.test_fusion import hits

# one-minute sections, but for a two-minute silent one at 5:00
SECTIONS = {"v": [(float(s), float(s + 60)) for s in (0, 60, 120, 180, 240)] + [(300.0, 420.0)]
            + [(float(s), float(s + 60)) for s in (420, 480, 540)]}
SPEECH = np.array([(s, s + 9.0) for s in range(0, 600, 10) if not 300 <= s < 420])  # nobody speaks 300-420 s


def test_intents_come_from_words_that_name_a_place():
    assert intents("where is the recap of today's session") == {CLOSING}
    assert intents("Summary and homework") == {CLOSING}
    assert intents("an overview of the course") == {OPENING}
    assert intents("when is the break") == {QUIET, BREAK}
    assert intents("the pair activity on supply shocks") == {QUIET, EXERCISE}
    assert intents("the break after the exercise") == {QUIET}  # both: either quiet time fits
    assert intents("breaking a cipher by counting letters") == frozenset()  # "breaking" is content
    assert intents("heat capacity of water") == frozenset()
    assert intents("a student asks whether the model needs rational shoppers") == {QUESTIONS}
    assert intents("Q&A") == intents("questions from the audience") == intents("student questions") == {QUESTIONS}
    assert content_words("a student asks whether the model needs rational shoppers")[0] == "whether"
    assert intents("how the wording of a question can plant false details") == frozenset()  # a question as content


def test_beside_a_place_the_lecture_and_its_times_are_no_content():
    """ "the pause in the middle of the session" names a place and nothing else, so it is searched as one
    (every video's breaks); without a place those words are content ("middle school", "class inheritance")."""
    assert content_words("pause in the middle of the session") == []
    assert content_words("the wrap-up of today's class") == []
    assert content_words("the recap of class inheritance") == ["inherit"]
    assert content_words("middle school class sizes") == ["middl", "school", "class", "size"]


def test_place_scores_follow_the_position_and_the_silence():
    starts = np.array([0.0, 60.0, 300.0, 420.0, 540.0])
    ends = starts + 60.0
    ends[2] = 420.0
    # the spans in a place score alike but for ORDER: the nearer the video's edge, the higher ("the end")
    assert place_scores(frozenset({CLOSING}), starts, ends, 600.0, SPEECH).tolist() == pytest.approx([0, 0, 0, 0, 1],
                                                                                                      abs=1e-3)
    opening = place_scores(frozenset({OPENING}), starts, ends, 600.0, SPEECH)
    assert opening[0] == 1.0 and 0.0 < opening[1] < 0.5 and opening[2:].tolist() == [0, 0, 0]  # fades by 12 %
    closing = place_scores(frozenset({CLOSING}), np.array([520.0, 540.0]), np.array([540.0, 600.0]), 600.0, SPEECH)
    assert 1.0 > closing[1] > closing[0] > 0.99
    quiet = place_scores(frozenset({QUIET}), starts, ends, 600.0, SPEECH)
    assert quiet[2] == 1.0 and quiet[[0, 1, 3, 4]].max() < 0.2  # 9 s of speech every 10 s elsewhere
    # a video without a transcript says nothing about silence
    assert place_scores(frozenset({QUIET}), starts, ends, 600.0, None).tolist() == [0, 0, 0, 0, 0]


def _top(rows, query, by_place=True):
    """The best span for `query` given hits `rows` (channel, video, start, end, score), and its place score."""
    opts = RankingOptions()
    place = Place(intents(query), opts.place_bonus, {"v": SPEECH}) if by_place else None
    channels = {}
    for name, *row in rows:
        channels.setdefault(name, []).append(tuple(row))
    r = rank({name: hits(name, found) for name, found in channels.items()}, SECTIONS, {"v": 600.0},
             {"v": {"transcript", "ocr"}}, opts, 1, place)
    i = r.chosen[0]
    return (float(r.candidates.starts[i]), float(r.candidates.ends[i])), float(r.fused.parts.get("place", [0.0] * (i + 1))[i])


def test_the_recap_near_the_end_beats_the_same_words_earlier():
    """The lecturer names "supply and demand" at 2 min and again in the closing recap, a little less
    clearly: a query about the topic alone takes the first, a query for the recap the second."""
    rows = [("transcript", "v", 120.0, 130.0, 0.55), ("transcript", "v", 560.0, 570.0, 0.5)]
    assert _top(rows, "supply and demand") == ((120.0, 180.0), 0.0)
    assert _top(rows, "the recap of supply and demand") == ((540.0, 600.0), pytest.approx(1.0, abs=1e-3))


def test_the_break_is_where_nobody_speaks():
    """ "we will take a break at ten past" is said at 1:40; the break itself (5:00-7:00) is silent, its
    slide reads "Break". By the words the mention wins; the place makes it the break."""
    rows = [("transcript", "v", 100.0, 110.0, 0.35), ("ocr", "v", 300.0, 420.0, 0.3)]
    assert _top(rows, "when do we take a break", by_place=False)[0] == (60.0, 120.0)
    assert _top(rows, "when do we take a break") == ((300.0, 420.0), 1.0)


def _chunk(start: float, text: str):
    return SimpleNamespace(start=start, end=start + 10.0, text=text)


def test_questions_are_the_sections_where_the_lecturer_takes_them():
    """What the lecturer says while taking questions marks the section; a question as content, or a
    promise of questions later, does not."""
    chunks = [_chunk(5.0, "Today: supply, demand, and I will leave time for your questions at the end."),
              _chunk(65.0, "The hardest question in policy is who pays. Someone always asks about rent."),
              _chunk(305.0, "Let me pause and take a few questions. Yes, at the back."),
              _chunk(325.0, "The question is whether people are rational. Good question."),
              _chunk(545.0, "Another question, at the side: will this be on the exam?")]
    regions = said_regions(chunks, np.array(SECTIONS["v"]))
    assert regions.tolist() == [[300.0, 420.0], [540.0, 600.0]]
    starts, ends = np.array([0.0, 60.0, 300.0, 360.0, 540.0]), np.array([60.0, 120.0, 420.0, 420.0, 600.0])
    scores = place_scores(frozenset({QUESTIONS}), starts, ends, 600.0, SPEECH, regions)
    assert scores.tolist() == [0.0, 0.0, 1.0, 1.0, 1.0]
    # a span reaching into the questions from the section before counts for the part inside them
    assert place_scores(frozenset({QUESTIONS}), np.array([240.0]), np.array([330.0]), 600.0, SPEECH,
                        regions).tolist() == [1 / 3]


def test_a_student_question_beats_the_same_topic_in_the_lecture():
    """The rent-control topic is taught at 1:00-2:00 and asked about in the questions at 5:00-7:00 (the
    lecturer's answer matches the words a little less): the topic alone takes the lecture, the student's
    question the questions."""
    rows = [("transcript", "v", 70.0, 80.0, 0.5), ("transcript", "v", 330.0, 340.0, 0.45)]
    opts = RankingOptions()
    regions = said_regions([_chunk(305.0, "let me take a few questions")], np.array(SECTIONS["v"]))

    def top(query):
        place = Place(intents(query), opts.place_bonus, {"v": SPEECH}, {"v": regions})
        channels = {"transcript": [r[1:] for r in rows]}
        r = rank({n: hits(n, found) for n, found in channels.items()}, SECTIONS, {"v": 600.0},
                 {"v": {"transcript"}}, opts, 1, place)
        i = r.chosen[0]
        return float(r.candidates.starts[i]), float(r.candidates.ends[i])

    assert top("why rent control causes shortages") == (60.0, 120.0)
    assert top("a student asks why rent control causes shortages") == (300.0, 420.0)


def test_the_break_and_an_exercise_are_told_apart_by_what_the_lecturer_says():
    """Two quiet stretches of two minutes: a break the lecturer announces ("stretch your legs, back at ten
    past") and an exercise ("work in pairs on the worksheet"). A query for the break prefers the break, a
    query for an exercise the exercise; the other keeps half its quiet score, as a query naming both keeps
    both whole."""
    sections = np.array([(0.0, 60.0), (60.0, 180.0), (180.0, 240.0), (240.0, 360.0), (360.0, 420.0)])
    speech = np.array([(0.0, 60.0), (60.0, 66.0), (180.0, 240.0), (240.0, 246.0), (360.0, 420.0)])
    chunks = [_chunk(56.0, "Let's stop here for a short break. Stretch your legs, back at ten past."),
              _chunk(236.0, "Now work in pairs on the worksheet, I will come round.")]
    breaks = said_regions(chunks, sections, BREAK_SAID)
    assert breaks.tolist() == [[60.0, 180.0]]
    starts, ends = sections[[1, 3], 0], sections[[1, 3], 1]

    def scores(query):
        return place_scores(intents(query), starts, ends, 420.0, speech, None, breaks).round(3).tolist()

    assert scores("when is the break") == [0.95, 0.475]
    assert scores("the pair activity") == [0.475, 0.95]
    assert scores("the break and the exercise") == [0.95, 0.95]


def test_after_or_before_a_place_is_the_section_next_to_it():
    """ "after the break" asks for what the lecture did once the break was over, not for the break: the
    section right after the silent one. "the break after the exercise" still asks for a break."""
    assert intents("after the break") == {AFTER, QUIET, BREAK}
    assert intents("just before the summary") == {BEFORE, CLOSING} and content_words("just before the summary") == []
    assert intents("the break after the exercise") == {QUIET}
    sections = np.array(SECTIONS["v"])
    after = beside_regions(intents("after the break"), sections, 600.0, SPEECH)
    assert after.tolist() == [[420.0, 480.0]]
    assert beside_regions(intents("before the pause"), sections, 600.0, SPEECH).tolist() == [[240.0, 300.0]]
    assert beside_regions(intents("before the pause"), sections, 600.0, None).tolist() == []  # nothing known
    starts = np.array([300.0, 420.0, 450.0, 480.0])
    scores = place_scores(intents("after the break"), starts, starts + 60.0, 600.0, SPEECH, beside=after)
    assert scores.tolist() == [0.0, 1.0, 0.5, 0.0]
    rows = [("ocr", "v", 300.0, 420.0, 0.3), ("transcript", "v", 100.0, 110.0, 0.35)]
    opts = RankingOptions()  # a query of place words alone weighs its place fully (searcher.PLACE_ONLY)
    place = Place(intents("after the break"), 1.0, {"v": SPEECH}, beside={"v": after})
    r = rank({name: hits(name, [row]) for name, *row in rows}, SECTIONS, {"v": 600.0},
             {"v": {"transcript", "ocr"}}, opts, 1, place)
    i = r.chosen[0]
    assert (r.candidates.starts[i], r.candidates.ends[i]) == (420.0, 480.0)
