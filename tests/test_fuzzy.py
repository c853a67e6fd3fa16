"""Lexical matching through speech recognition errors (ranking/fuzzy.py), and numbers in queries."""

from __future__ import annotations

import numpy as np
import pytest

from momentsearch.ranking.fuzzy import (FUZZY_FLOOR, FUZZY_FULL, PHRASE_FLOOR, PHRASE_FULL, fuzzy_range, fuzzy_scores,
                                         number_groups, numbers_in, sound_alike, sound_letters)
from momentsearch.ranking.lexical import LexicalIndex, query_terms
from momentsearch.ranking.slide_lexical import SlideLexicalIndex

CHUNKS = [
    "so what happens with the vision by Nero is that python raises an error right away",  # misheard
    "the app keeps an off line sink queue and replays the writes when it reconnects",  # misheard
    "an emperor called Nero ruled Rome and had a vision of a new city",  # sounds near, is not
    "we split the list into equal parts and set every element to zero",
    "lists are ordered and can hold items of any type",
]


def test_sound_letters_fold_spelling_and_spaces():
    assert sound_letters("Offline sync") == sound_letters("off line sink") == "oflinesink"
    assert sound_letters("Phone-Quiz") == "fonekwis"


def test_misheard_phrases_match_and_chance_overlaps_do_not():
    scores = fuzzy_scores("division by zero", CHUNKS)
    assert scores.argmax() == 0 and scores[0] > 0.45 and scores[0] > scores[2] + 0.15
    assert fuzzy_scores("offline sync", CHUNKS).argmax() == 1
    assert fuzzy_scores("sync", CHUNKS).max() == 0.0  # too short to match by sound


def test_exact_words_miss_the_misheard_chunk_and_sound_alike_finds_it():
    index = LexicalIndex(CHUNKS)
    rows, scores = index.search("division by zero", 10)
    assert 0 not in rows.tolist()  # no exact word of the query is in it
    rows, scores = sound_alike("division by zero", rows, scores, extra=[0, 2, 4], texts=CHUNKS, weight=1.0)
    assert rows[0] == 0 and 0 < scores[0] <= 1.0  # the misheard phrase above a chunk with only "zero"
    assert 4 not in rows.tolist()  # an unrelated chunk gets nothing from sounding
    rows, scores = sound_alike("division by zero", np.zeros(0, np.int64), np.zeros(0), [], CHUNKS, 0.8)
    assert rows.size == 0


def test_a_row_scored_by_its_sound_is_marked_and_one_scored_by_its_words_is_not():
    """The speech channel's "why" must tell "the vision by Nero" (found by sound, the query's words not in it) from
    the emperor's chunk for "emperor Nero" (its words are there: the exact score stands)."""
    from momentsearch.ranking.fuzzy import sound_alike_marked

    rows, scores = LexicalIndex(CHUNKS).search("division by zero", 10)
    rows, scores, by_sound = sound_alike_marked("division by zero", rows, scores, [0, 2, 4], CHUNKS, 1.0)
    assert rows[0] == 0 and by_sound[0]
    rows, scores = LexicalIndex(CHUNKS).search("emperor Nero", 10)
    exact = dict(zip(rows.tolist(), scores.tolist()))
    rows, scores, by_sound = sound_alike_marked("emperor Nero", rows, scores, [0, 2], CHUNKS, 1.0)
    assert rows[0] == 2 and scores[0] == pytest.approx(exact[2]) and not by_sound[0]


def test_one_long_word_heard_right_is_not_half_a_misheard_phrase():
    """A phrase's sounds may be found at half their weight (a misheard phrase keeps about half), but not when
    the half is one long word alone: "proportional" in a chunk that says nothing else of "proportional gain
    overshoot" (an accented lecture, where that chunk outranked the slide that shows the phrase). Sounds that
    run across the words still count for them: "cost-effective a company" for "costs behave as a company"."""
    texts = ["you do only the proportional and you increase it at the system or seal that",
             "next time we look inside the firm at how cost-effective a company grows",
             "the weather was fine and we walked along the river for an hour"]
    score = fuzzy_scores("proportional gain overshoot", [texts[0], texts[2]])[0]
    strict = (score - FUZZY_FLOOR) / (FUZZY_FULL - FUZZY_FLOOR)
    assert (score - PHRASE_FLOOR) / (PHRASE_FULL - PHRASE_FLOOR) > 1.5 * strict > 0  # what the phrase scale gave
    _, one = sound_alike("proportional gain overshoot", np.zeros(0, np.int64), np.zeros(0), [0, 2], texts, 1.0)
    assert one.max() == pytest.approx(strict, abs=1e-6)  # the scale of a word or two
    rows, spread = sound_alike("costs behave as a company", np.zeros(0, np.int64), np.zeros(0), [1, 2], texts, 1.0)
    floor, full = fuzzy_range("costs behave as a company")
    assert (floor, full) == (PHRASE_FLOOR, PHRASE_FULL) and rows[0] == 1
    assert spread[0] == pytest.approx((fuzzy_scores("costs behave as a company", [texts[1], texts[2]])[0] - floor) /
                                      (full - floor), abs=1e-6)


NUMBERED = [
    "let us stop here for a break, back in about 9 minutes",
    "welcome back, this is lecture 9 of the course, on ciphers",
    "the textbook chapter three covers the same ground",
    "read the textbook, chapter eight, before the quiz",
]


def test_a_number_alone_is_no_match_for_a_query_that_also_has_words():
    index = LexicalIndex(NUMBERED)
    rows, scores = index.search("lecture 9", 10)
    assert rows.tolist() == [1] and scores[0] == 1.0  # "about 9 minutes" is not lecture 9
    rows, _ = index.search("9", 10)  # a query of numbers alone still finds them
    assert set(rows.tolist()) == {0, 1}
    rows, _ = index.search("where in the lecture is the break", 10)
    assert rows.tolist() == [0]  # frame words ("lecture") still leave a query that has other words


def test_a_word_matches_whatever_ending_the_recogniser_gave_it():
    """tiny.en wrote "count in plants" for "counting plants" and "a recycled" for "recycle" (dev's talking
    head): exact words matched "plants" alone. Stems (Porter2) match the word, not its ending."""
    texts = ["you will work in pairs, count in plants and sites where frogs live",
             "the plants on the north bank were fewer", "fungi get unpacked during a recycled one year"]
    index = LexicalIndex(texts)
    rows, scores = index.search("counting plants inside square frames", 5)
    assert rows[0] == 0 and scores[0] > scores[1]
    rows, _ = index.search("bacteria recycle whatever dies", 5)
    assert rows.tolist() == [2]
    assert query_terms("seventy students counted") == ["seventy", "student", "count"]  # number words stay


def test_the_querys_own_words_rank_before_other_words_of_their_stems():
    """Porter2 stems "calculator" and "calculated" alike: by stems alone a chunk saying "brings we just
    calculated" covers "bring a calculator" fully. With `stem_share` a word held only in another form of
    its stem counts less, so the text with the query's own words ("brings" is "bring" plus an s) leads;
    the other still matches, and a plural is the query's own word."""
    texts = ["the sweet drinks levy brings we just calculated", "bring a calculator on Friday",
             "calculators for the exam"]
    index = LexicalIndex(texts)
    rows, scores = index.search("bring a calculator", 5)
    assert scores[rows.tolist().index(0)] == pytest.approx(1.0)  # stems alone: a tie at full coverage
    rows, scores = index.search("bring a calculator", 5, texts=texts, stem_share=0.8)
    assert rows.tolist()[:2] == [1, 0] and scores[0] == pytest.approx(1.0) and 0.8 < scores[1] < 1.0
    rows, scores = index.search("calculators", 5, texts=texts, stem_share=0.8)
    assert set(rows.tolist()[:2]) == {1, 2} and scores[:2] == pytest.approx([1.0, 1.0])  # a plural is its word
    assert rows[2] == 0 and scores[2] == pytest.approx(0.8)


def test_a_slide_showing_the_whole_query_word_for_word_scores_high_whatever_its_print():
    """"permanent mass" printed in a bullet (small print, weight 0.6) is that slide: 0.8 + 0.2 x 0.6; a
    slide with "Permanent" in its title and "mass" in a bullet only has the words. A one-word query keeps
    the weight of the line it is on, and the words out of order are no phrase."""
    slides = SlideLexicalIndex([
        [("Permanent Structures", 1.0, ""), ("Mass timber frames", 0.6, "")],
        [("What a Bridge Carries", 1.0, ""), ("Dead load: permanent mass", 0.6, ""), ("Live load", 0.6, "")],
        [("Higher price, more", 0.6, ""), ("offered for sale", 0.6, "")]])
    rows, scores = slides.search("permanent mass", 5)
    assert rows.tolist() == [1, 0] and scores[0] == pytest.approx(0.92)
    assert scores[1] == pytest.approx(0.8)  # its words: a title's (1.0) and a bullet's (0.6), of equal idf
    rows, scores = slides.search("mass permanent", 5)
    assert rows.tolist() == [0, 1] and scores[1] == pytest.approx(0.6)  # the words, not the phrase
    rows, scores = slides.search("timber", 5)
    assert scores[0] == pytest.approx(0.6)  # one word: the weight of its line
    rows, scores = slides.search("more offered for sale", 5)
    assert rows.tolist() == [2] and scores[0] == pytest.approx(0.92)  # a bullet wrapped over two lines


def test_slide_text_numbers_count_beside_a_word_of_the_query():
    slides = SlideLexicalIndex([[("Field Trip Logistics", 1.0, ""), ("Saturday 9:00, north car park", 0.5, "")],
                                [("Keeping Secrets", 1.0, ""), ("CS 240, lecture 9", 0.5, "")]])
    rows, scores = slides.search("lecture 9", 5)
    assert rows.tolist() == [1] and scores[0] > 0


def test_sound_alike_does_not_match_a_query_number_the_text_does_not_say():
    rows, scores = sound_alike("textbook ch. 8", np.zeros(0, np.int64), np.zeros(0), [2, 3], NUMBERED, 1.0)
    assert rows.tolist() == [3]  # "chapter eight" sounds like it and says the number; "chapter three" does not
    assert numbers_in("Chapter eight, page 12") == {"eight", "twelve"}


def test_a_query_number_counts_as_said_only_when_all_its_words_are():
    """"120 s timer" sounded like a talk saying "up to 100 m2" (one hundred, m two): two of the three words of
    "one hundred twenty" were there, so the number passed as two thirds said. A number counts whole or not."""
    texts = ["it adds up to 100 m2 over ten million years", "a timer of one hundred and twenty seconds",
             "the timer ran for 120 s"]
    rows, _ = sound_alike("120 s timer", np.zeros(0, np.int64), np.zeros(0), [0, 1, 2], texts, 1.0)
    assert 0 not in rows.tolist() and set(rows.tolist()) <= {1, 2}
    assert [sorted(g) for g in number_groups("chapters 4 and 6, page one hundred and twenty")] == [
        ["four"], ["six"], ["hundred", "one", "twenty"]]


def test_numbers_sound_the_same_in_digits_and_words_but_do_not_make_a_short_query_fuzzy():
    texts = ["about 400 business travelers book late", "four business classes", "one session online"]
    scores = fuzzy_scores("four hundred business travellers who book", texts)
    assert scores.argmax() == 0 and scores[0] > 0.7
    assert fuzzy_scores("1 - SSE/SST", texts).max() == 0.0  # three letters of words: exact matching only


def test_a_decade_in_digits_sounds_like_the_decade_said():
    texts = ["in the mid -70s, I have a severe cold snap destroyed", "in 1970 the price of seventy beans rose"]
    scores = fuzzy_scores("mid seventies a severe cold snap", texts)
    assert scores.argmax() == 0 and scores[0] > 0.7
    assert sound_letters("the 1970s") == sound_letters("the nineteen seventies")


def test_a_slide_word_typed_wrong_is_found_by_its_sound(tmp_path):
    """Slide text had exact words only: "Stokholm" or "Ebbinghaus eighteen eighty-five" found nothing on a
    slide that shows "Stockholm" / "Ebbinghaus, 1885" (the speech never said them). A query word that no slide
    holds now lets sound-alike matching score the slides; a query whose words all occur keeps its exact scores
    ("Shiffrin" in small print is not outranked by a title that only sounds a bit like it: "Fry shift")."""
    from fakes import FakeText, slide_store
    from momentsearch.options import RankingOptions
    from momentsearch.search.searcher import Searcher

    store = slide_store(tmp_path / "db", [
        [("Price Ceilings", 1.0), ("Rent control in Stockholm", 0.5)],
        [("Forgetting Curve", 1.0), ("Ebbinghaus, 1885", 0.5), ("Nonsense syllables", 0.5)],
        [("Three Stores", 1.0), ("Atkinson-Shiffrin, 1968", 0.4)],
        [("Exercise", 1.0), ("Fry shift", 0.9)]])
    searcher = Searcher(store, FakeText(), options=RankingOptions(late_share=0.0))
    corpus = searcher.corpus()
    query = np.zeros(FakeText.dim, np.float32)
    query[0] = 1.0

    def top(text):
        hits = searcher._ocr_hits(text, query, corpus, corpus.files)
        best = int(np.argmax(hits.scores)) if len(hits.ids) else None
        return (hits.evidence[best].split(" · ")[0], float(hits.scores[best])) if best is not None else (None, 0.0)

    assert top("Stokholm") == ("Price Ceilings", pytest.approx(1.0))
    assert top("rent contol Stokholm")[0] == "Price Ceilings"
    assert top("Ebbinghaus eighteen eighty-five") == ("Forgetting Curve", pytest.approx(1.0))
    name, score = top("Shiffrin")
    assert name == "Three Stores" and score == pytest.approx(0.4)  # its exact score: the weight of its line


def test_a_code_typed_glued_or_apart_finds_the_slide_that_writes_it_the_other_way():
    """"econ110" found nothing on a slide showing "ECON 110" (one unknown word), nor "psy 120" the glued
    "PSY120". A form of the query with the code split or joined is searched too, where it makes more of the
    query's words known to the index; one that does not would only dilute the query ("trophik10% rule")."""
    from momentsearch.ranking.lexical import best_of, code_forms
    from momentsearch.ranking.forms import query_forms as _forms

    slides = SlideLexicalIndex([[("How Markets Set Prices", 1.0, ""), ("ECON 110, lecture 5", 0.5, "")],
                                [("Memory and Learning", 1.0, ""), ("PSY120: Memory", 0.5, "")],
                                [("Food Webs", 1.0, ""), ("The 10% rule", 0.6, ""), ("Trophic levels", 0.6, "")]])
    assert code_forms("SHA-256 and ECON110 in the 1970s") == ["SHA-256 and ECON 110 in the 1970s",
                                                              "SHA256 and ECON110 in the 1970s"]
    for query, row in (("econ110", 0), ("ECON110", 0), ("psy 120", 1)):
        rows, scores = best_of([slides.search(q, 5) for q in _forms(query, slides)])
        assert rows.tolist()[:1] == [row] and scores[0] > 0.4, query
    assert _forms("trophik 10% rule", slides) == ["trophik 10% rule"]
    assert _forms("econ110") == ["econ110"]  # no index to ask: the query as typed


def test_a_phrase_heard_half_wrong_counts_and_a_word_or_two_keep_the_strict_scale():
    """A phrase the recogniser got half wrong ("your browser uses exactly this" written "your runner uses an
    end to end") keeps about 40 % of its sound trigrams: for a phrase that is strong evidence (chance
    overlaps of a query that long stay near 0.2), for two words it is not."""
    texts = ["your runner uses an end to end design to set up a fresh secret with every server",
             "the price of a seat rises when the flight fills up and every server is busy"]
    phrase = "your browser uses exactly this idea to set up a fresh secret"
    assert fuzzy_range(phrase) == (PHRASE_FLOOR, PHRASE_FULL) and fuzzy_range("fresh secret") == (FUZZY_FLOOR, FUZZY_FULL)
    assert fuzzy_range("hyperparameter optimisation") == (FUZZY_FLOOR, FUZZY_FULL)  # two long words: a term
    rows, scores = sound_alike(phrase, np.array([], dtype=np.int64), np.array([], dtype=np.float32), [0, 1], texts, 1.0)
    assert rows.tolist() == [0] and scores[0] >= 0.5  # the misheard text only; the chance overlap stays 0


def test_a_result_matched_by_sound_alone_says_so(tmp_path, monkeypatch):
    """"why: ocr 1.00" for "eighteen eighty five" on a slide that writes "1885" read as if those words were there:
    a result names the channels whose score came from sound-alike letters (`Moment.by_sound`, `--json`
    "by_sound", the CLI's "(by sound)"), and only those: a word written there is not marked."""
    import io

    from rich.console import Console

    from fakes import FakeText, slide_store
    from momentsearch.cli import output
    from momentsearch.options import RankingOptions
    from momentsearch.search.searcher import Searcher

    store = slide_store(tmp_path / "db", [[("Forgetting Curve", 1.0), ("Ebbinghaus, 1885", 0.5)],
                                          [("Three Stores", 1.0), ("Atkinson-Shiffrin, 1968", 0.4)]])
    searcher = Searcher(store, FakeText(), options=RankingOptions(late_share=0.0))
    sounded = searcher.search("eighteen eighty five", k=1)[0]
    assert sounded.text.startswith("Forgetting Curve") and sounded.by_sound == ["ocr"]
    assert sounded.to_json()["by_sound"] == ["ocr"]
    exact = searcher.search("Shiffrin", k=1)[0]
    assert exact.text.startswith("Three Stores") and exact.by_sound == [] and exact.to_json()["by_sound"] == []
    buffer = io.StringIO()
    monkeypatch.setattr(output, "out", Console(file=buffer, width=100))
    output.print_moments("eighteen eighty five", [sounded, exact], {"ocr"})
    assert "why: ocr 1.00 (by sound)" in buffer.getvalue() and "why: ocr 0.40\n" in buffer.getvalue()


def test_hits_kept_for_some_videos_keep_their_own_sound_marks():
    """"the summary of the glaciers lecture" keeps the hits of the lectures the name found (search/narrow.py
    `_only`); their by-sound marks must stay with their hits, not shift onto others."""
    from momentsearch.ranking.fusion import ChannelHits
    from momentsearch.search.narrow import _only

    hits = ChannelHits("lexical", np.array(["a", "b", "a"], dtype=object), np.zeros(3), np.ones(3),
                       np.array([0.9, 0.8, 0.7]), ["x", "y", "z"], ["1", "2", "3"], [True, False, True])
    kept = _only(hits, {"b"})
    assert kept.evidence == ["y"] and kept.by_sound == [False]
    assert _only(hits, {"a"}).by_sound == [True, True]
