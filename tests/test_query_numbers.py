"""Numbers, abbreviations and units written one way in a query and another on a slide or in speech:
"800000" / "800,000", "10 percent" / "10%", "chapter" / "ch.", "versus" / "vs", "ninth" / "9th", "fifty" / "50"."""

from __future__ import annotations

import numpy as np
import pytest

from momentsearch.ranking.aliases import ALIAS_SHARE
from momentsearch.ranking.lexical import LexicalIndex, query_aliases, query_terms
from momentsearch.ranking.numbers import unify_numbers
from momentsearch.ranking.slide_lexical import SlideLexicalIndex

SLIDES = SlideLexicalIndex([
    [("Ice Cores", 1.0, ""), ("800,000 years of climate", 0.5, "")],
    [("Food Webs", 1.0, ""), ("The 10% rule", 0.6, ""), ("Trophic levels", 0.6, "")],
    [("Wrapping Up", 1.0, ""), ("Textbook ch. 8", 0.5, ""), ("Quiz next Thursday", 0.5, "")],
    [("Summary and Reading", 1.0, ""), ("Chapter 6, sections 6.1 to 6.4", 0.5, "")],
    [("False Memories", 1.0, ""), ("Loftus: car crash wording", 0.5, ""), ("'Smashed' vs 'hit'", 0.5, "")],
    [("Counting Letters", 1.0, ""), ("Al-Kindi, 9th century", 0.5, "")],
    [("Elasticity and Revenue", 1.0, ""), ("Why airlines have fifty fares", 0.5, "")],
    [("Suspension Bridges", 1.0, ""), ("Longest span:2,023m", 0.5, "")],
    [("The 15th Century", 1.0, ""), ("Printing spreads", 0.5, "")],
])


def _top(query: str) -> tuple[int | None, float]:
    rows, scores = SLIDES.search(query, 10)
    return (int(rows[0]), float(scores[0])) if rows.size else (None, 0.0)


def test_a_number_with_or_without_thousands_separators_is_one_number():
    """"800000 years" found nothing on a slide showing "800,000 years": the comma made it "800" and "000"."""
    assert unify_numbers("800,000 years, 1,000,000 in 2,023m") == "800000 years, 1000000 in 2023 m"
    assert unify_numbers("chapters 4,6 and Walras,1874") == "chapters 4,6 and Walras,1874"  # lists, not groups
    assert _top("800000 years") == _top("800,000 years") == (0, pytest.approx(0.9))  # the phrase, in small print
    assert _top("longest span 2023 m")[0] == 7
    speech = LexicalIndex(["the ice holds 800,000 years of air", "years later it was 800 metres"])
    rows, scores = speech.search("800000 years", 5)
    assert rows.tolist() == [0, 1] and scores[0] == 1.0 > 2 * scores[1]


def test_percent_is_one_word_however_written():
    """"trophic 10 percent rule" did not match the slide's "10% rule" (a sign is no word); a text that
    only shares the quantity ("90%, then one request in 10") is no match for a query with words."""
    assert query_terms("10 per cent") == query_terms("10%") == ["10", "percent"]
    for query in ("10 percent rule", "the ten per cent rule", "10% rule"):
        assert _top(query)[0] == 1, query
    assert _top("10 percent rule")[1] > 0.9
    speech = LexicalIndex(["if that fraction is 90%, then one request in 10 goes to the database",
                           "a rule of thumb: about 10 percent of the energy moves up a trophic level"])
    rows, _ = speech.search("trophic 10 percent rule", 5)
    assert rows.tolist() == [1]


def test_an_abbreviation_matches_its_word_and_the_exact_form_leads():
    """"textbook chapter 8" ranked a slide saying "Chapter 6" over the one saying "Textbook ch. 8"; "smashed
    versus hit" the slide's "'Smashed' vs 'hit'" only by the two words. Another form of a query word counts
    almost fully (its phrase too), the query's own form a little more."""
    for query in ("textbook chapter 8", "textbook chapter eight", "textbook ch 8"):
        row, score = _top(query)
        assert row == 2 and score > 0.8, query
    assert _top("smashed versus hit") == (4, pytest.approx(_top("smashed vs hit")[1] * ALIAS_SHARE))
    index = LexicalIndex(["read chapter 8 for Monday", "read ch 8 for Monday"])
    rows, scores = index.search("chapter 8", 5)
    assert rows.tolist() == [0, 1] and 0.9 < scores[1] < scores[0] == 1.0
    assert query_aliases("lec 9 vs ch. 2")["lec"] == ("lect", "lectur")
    assert LexicalIndex(["lecture 9 begins"]).unknown_terms("lec 9") == []


def test_a_greek_letter_or_a_function_matches_its_name():
    """A maths slide shows "λ" and "cos θ"; Whisper writes "lambda", a student types "cosine theta": the
    letter and its name are one term, as an abbreviation and its word are."""
    index = LexicalIndex(["det(A − λI) = 0: each root λ is an eigenvalue", "the eigenvalue problem in general",
                         "e^{iθ} = cos θ + i sin θ"])
    rows, scores = index.search("lambda eigenvalue", 5)
    assert rows.tolist()[0] == 0 and scores[0] > scores[1]
    assert index.search("cosine theta", 5)[0].tolist() == [2]
    assert query_aliases("A v = lambda v")["lambda"] == ("λ",)


def test_ordinals_and_number_words_match_digits():
    """"Al-Kindi ninth century" / "why airlines have 50 fares": the slide writes "9th" / "fifty" (a title
    saying another century showed the word "century" in larger print)."""
    assert _top("ninth century")[0] == 5
    assert _top("Al Kindi 9th century")[0] == 5
    row, score = _top("why airlines have 50 fares")
    assert row == 6 and score > 0.8


def test_a_number_said_in_several_words_is_not_its_parts():
    """"Ebbinghaus eighteen eighty-five" is 1885, not 18, 80 and 5: its words get no digit forms (a slide's
    "pages 80-112" or "18%" must not match them)."""
    aliases = query_aliases("Ebbinghaus eighteen eighty-five, one hundred and twenty seconds, 5 million")
    assert aliases["eighteen"] == aliases["eighty"] == aliases["five"] == aliases["hundred"] == ()
    assert aliases["twenty"] == aliases["million"] == aliases["5"] == ()
    assert query_aliases("timer two minutes")["two"] == ("2",)


def test_hedges_and_asides_are_left_out_like_about():
    assert query_terms("Cowan approx. 4 chunks") == query_terms("Cowan about 4 chunks") == ["cowan", "4", "chunk"]
    assert query_terms("roughly 4 chunks") == ["4", "chunk"]
    assert query_terms("markets e.g. eBay, i.e. online etc.") == ["market", "ebay", "onlin"]
    assert query_terms("vitamin E and G-force") == ["vitamin", "e", "g", "forc"]


def test_a_misspelt_name_with_its_number_finds_the_slide_that_shows_both(tmp_path):
    """"Ebinghaus 1885" found another slide: the one showing "Ebbinghaus, 1885" matched nothing but the
    number (scored 0), the name matched no slide word, and sound-alike only looked at the slides the dense
    channel proposed. The slides holding the query's numbers are now proposed to sound-alike too."""
    from fakes import FakeText, slide_store
    from momentsearch.options import RankingOptions
    from momentsearch.search.searcher import Searcher

    store = slide_store(tmp_path / "db", [
        [("Serial Position", 1.0), ("Murdock, 1962", 0.5)],
        [("Levels of Processing", 1.0), ("Craik and Lockhart, 1972", 0.5)],
        [("Forgetting Curve", 1.0), ("Ebbinghaus, 1885", 0.5), ("Nonsense syllables", 0.5)],
        [("Hospital Deaths", 1.0), ("Vienna, 1885", 0.5)]], near=[1, 1, 0, 0], video="n" * 16)
    searcher = Searcher(store, FakeText(), options=RankingOptions(late_share=0.0, candidates=2))
    corpus = searcher.corpus()
    query = np.zeros(FakeText.dim, np.float32)
    query[0] = 1.0
    hits = searcher._ocr_hits("Ebinghaus 1885", query, corpus, corpus.files)
    best = int(np.argmax(hits.scores))
    assert hits.evidence[best].startswith("Forgetting Curve") and hits.scores[best] > 0.9


def test_a_quantity_in_other_units_finds_the_text_that_says_it_so():
    """"2 minutes of silence" found the talk that says "120 seconds of silence" no better than any talk
    of silence: the query's quantity is searched in the other units of its kind too (exact conversions,
    amounts a lecture would say)."""
    from momentsearch.ranking.forms import query_forms
    from momentsearch.ranking.lexical import best_of
    from momentsearch.ranking.units import unit_forms

    assert unit_forms("2 minutes of silence") == ["120 seconds of silence"]
    assert unit_forms("a 1.5 km walk")[1:] == ["a 1500 metres walk", "a 1500 m walk"]  # not "1500000 millimetres"
    assert unit_forms("90min")[1:] == ["5400 seconds", "1.5 hours"]
    assert unit_forms("2 kg of flour")[1:] == ["2000 grams of flour", "2000 g of flour"]
    assert unit_forms("the 1970s") == unit_forms("ECON 110") == unit_forms("5 seconds later") == []
    speech = LexicalIndex(["we sat in silence for a long time", "then 120 seconds of silence followed",
                           "the bridge is 1500 metres long", "a span of one and a half metres"])
    for query, row in (("2 minutes of silence", 1), ("a 1.5 km bridge", 2)):
        rows, scores = best_of([speech.search(q, 5) for q in query_forms(query, speech)])
        as_typed = speech.search(query, 5)[1]  # "silence" or "bridge" alone: a fifth of the query
        assert rows[0] == row and scores[0] == pytest.approx(1.0) and as_typed.max() < 0.3, query


def test_an_abbreviated_unit_finds_the_text_that_writes_it_out():
    """"120 s timer" (a student's notes) did not find the slide "Timer: 120 seconds" ("s" is no alias of
    "seconds": it is the "s" of every "Snow's"); it matched the number and "timer" alone, a third of the
    query, no better than another slide with a timer. An abbreviated unit is searched written out too."""
    from momentsearch.ranking.forms import query_forms
    from momentsearch.ranking.lexical import best_of
    from momentsearch.ranking.units import unit_forms

    assert unit_forms("120 s timer")[0] == "120 seconds timer"
    assert unit_forms("a 1.5 km walk")[0] == "a 1.5 kilometres walk" and unit_forms("90min")[0] == "90 minutes"
    slides = LexicalIndex(["Exercise: word list on the handout, timer 120 seconds", "Timer: 5 minutes, 120 words",
                           "Snow's map: 120 deaths in a week", "the walk is 1.5 kilometres long"])
    for query, row in (("120 s timer", 0), ("1.5 km walk", 3)):
        rows, scores = best_of([slides.search(q, 5) for q in query_forms(query, slides)])
        assert rows[0] == row and scores[0] == pytest.approx(1.0), (query, rows, scores)


def test_a_converted_quantity_finds_a_slide_that_writes_it_in_a_one_letter_unit():
    """"1 km track" was searched as "1000 metres track" only: a slide saying "1000 m" matched its number and
    not its unit ("m" is no alias of "metres"), no better than "1000 metres" matched "1 km" by half. The
    one-letter units (m, g) are searched as written too."""
    from momentsearch.ranking.forms import query_forms
    from momentsearch.ranking.lexical import best_of

    slides = LexicalIndex(["we walked along the track for a while", "the track is 1000 m long",
                           "the flour weighs 2000 g in all", "a track of 1000 steps"])
    for query, row in (("a 1 km track", 1), ("2 kg flour", 2)):
        rows, scores = best_of([slides.search(q, 5) for q in query_forms(query, slides)])
        assert rows[0] == row and scores[0] == pytest.approx(1.0), (query, rows, scores)
