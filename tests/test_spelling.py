"""Queries as people type them: requests around the words ("where do they talk about X?") and typos
("randdomly") are searched as the words they mean (search/asking.py, search/spelling.py)."""

from __future__ import annotations

import pytest

from momentsearch.ranking.lexical import LexicalIndex
from momentsearch.search.asking import asked_for
from momentsearch.search.spelling import Vocabulary, correct

TEXTS = ["volcanoes are not scattered randomly across the map",
         "multiplying two huge primes is easy; factoring their product is hard",
         "the times of day when the lab is open",
         "times tables and other times",
         "the fridge in the lab",
         "memory is organized by color and meaning"]


def _correct(query: str, keep: frozenset[str] = frozenset()):
    lexical = LexicalIndex(TEXTS)

    def together(word, others):
        from momentsearch.ranking.lexical import normalise, stem
        rows = set(lexical.rows_of(stem(normalise(word))).tolist())
        return sum(1 for o in others for r in lexical.rows_of(o).tolist() if r in rows)

    return correct(query, Vocabulary(TEXTS), set(lexical.unknown_terms(query)), keep, together)


@pytest.mark.parametrize("typed, meant", [
    ("volcanoes scattered randdomly", "volcanoes scattered randomly"),  # a letter doubled
    ("volcanoes scatterde", "volcanoes scattered"),  # two letters swapped
    ("Scatered map", "Scattered map"),  # a letter dropped; the capital kept
    ("multiplying huge pimes", "multiplying huge primes"),  # "times" is commoner, "primes" goes with the rest
    ("factoringtheir product", "factoring their product"),  # a space left out
])
def test_a_typo_becomes_the_indexed_word_the_query_means(typed, meant):
    got = _correct(typed)
    assert got.text == meant
    assert got.changes and got.note().startswith(f"Searched for {meant!r}")


@pytest.mark.parametrize("query", [
    "bridge across the valley",  # correct English words these texts lack: not typos ("bridge" is no "fridge")
    "volcano randomly",  # another form of an indexed word (same stem) is no typo
    "mapz",  # too short to guess from
    "kubernetes",  # nothing one edit away
])
def test_words_that_are_not_typos_stay_as_typed(query):
    assert _correct(query).text == query and not _correct(query).changes


def test_a_british_spelling_finds_the_american_one_the_recogniser_wrote():
    """Whisper writes mostly American spellings: "organised" and "colour" (English words, no typos) are
    searched as the indexed "organized" and "color"; "memorise", neither way indexed, is a spelling of the English
    "memorize", not a typo of "memories"."""
    assert _correct("memory organised by colour").text == "memory organized by color"
    assert _correct("memorise").changes == ()


def test_a_quoted_word_is_never_corrected():
    assert _correct("randdomly", keep=frozenset({"randdomly"})).changes == ()


def test_a_paraphrase_word_no_lecture_uses_becomes_the_english_word():
    """A concept query's own words are often in no lecture: one typed wrong is put right from the English word
    list, so the text model reads the word meant rather than its broken pieces."""
    assert _correct("how glaciers shape the lanscape").text == "how glaciers shape the landscape"


@pytest.mark.parametrize("asked, words", [
    ("where does the lecturer talk about the roadmap?", "the roadmap"),
    ("find the part about Stockholm", "Stockholm"),
    ("Where is worksheet A discussed?", "worksheet A"),
    ("when do they explain sugar tax", "sugar tax"),
    ("can you find where they mention Dome C", "Dome C"),
    ("take me to the moment they introduce supply curves", "supply curves"),
    ("I'm looking for the bit on tulip mania", "tulip mania"),
    ("which part of the lecture explains carbolic acid", "carbolic acid"),
    ("glaciers?", "glaciers"),
    ("which week covered areal rainfall", "areal rainfall"),  # a folder of a course's weekly lectures
    ("in which session do they derive Bayes' rule", "Bayes' rule"),
    ("the lecture on the storm hydrograph", "the storm hydrograph"),
    ("the part about Stockholm", "Stockholm"),
    ("the example about taxi apps on new years eve", "taxi apps on new years eve"),
    ("the slide with the pyramid diagram", "the pyramid diagram"),
    ("the story of patient HM", "patient HM"),
    ("define procedural memory", "procedural memory"),  # requests for a definition, an example, the steps
    ("what is meant by trophic level", "trophic level"),
    ("an example of a speculative bubble", "a speculative bubble"),
    ("real world example of price ceilings", "price ceilings"),
    ("how to calculate price elasticity", "calculate price elasticity"),
    ("how do I stop cramming", "stop cramming"),
    ("steps to build the straw bridge", "build the straw bridge"),
    ("pros and cons of drug patents", "drug patents"),
])
def test_a_request_around_the_words_is_taken_off(asked, words):
    assert asked_for(asked) == words


@pytest.mark.parametrize("query", [
    "where do they talk about it",  # nothing would be left to look for
    "when one side of a sale knows more than the other",  # a "when" that is the topic, not a request
    "century ago a German researcher taught",  # a quote ending in a request's word
    "get the total benefit buyers receive", "bring a calculator", "explain the roadmap",
    "the time on the clock", "the unit of force",  # "the <place> on ..." only with a topic after it
    "how glaciers shape the landscape", "how many things we can hold in mind",  # "how" as a topic
    "examples", "define",  # nothing would be left
])
def test_words_that_are_no_request_stay(query):
    assert asked_for(query) == query


def test_an_acronym_typed_is_searched_as_the_phrase_the_lecture_writes_out():
    """Students type "PED" where the slide says "Price Elasticity of Demand" and the speech never says the
    letters: the capitals become the phrase whose initials spell them (small words between them skipped),
    from the slides first; a phrase only the speech holds must be said ACRONYM_SAID times."""
    from momentsearch.search.spelling import ACRONYM_SAID, spelled_out

    slides = ["Price Elasticity of Demand · %ΔQ / %ΔP", "Pay equals output"]
    assert spelled_out("PED", slides, ["people eat daily"]) == "price elasticity of demand"
    assert spelled_out("OTP", ["taxes on third parties", "on third parties", "One-Time Pad"], []) == "one-time pad"
    assert spelled_out("WTP", ["Willingness to pay", "Willingness to pay: the most", "what to pay"], []) \
        == "willingness to pay"
    speech = ["the transmission control protocol resends", "Transmission control protocol, again"]
    assert spelled_out("TCP", [], speech) is None  # said twice: could be chance
    assert spelled_out("TCP", [], speech * ACRONYM_SAID) == "transmission control protocol"
    lexical = LexicalIndex(slides)
    fixed = correct("PED formula", Vocabulary(slides), set(lexical.unknown_terms("PED formula")),
                    acronym=lambda w: spelled_out(w, slides, []))
    assert fixed.text == "price elasticity of demand formula"
    assert fixed.changes == (("PED", "price elasticity of demand"),)
    assert correct("Ped formula", Vocabulary(slides), set(lexical.unknown_terms("Ped formula")),
                   acronym=lambda w: spelled_out(w, slides, [])).text == "Ped formula"  # not typed in capitals


def test_the_search_puts_an_acronym_right_from_the_index(tmp_path):
    from fakes import FakeText, slide_store
    from momentsearch.options import RankingOptions
    from momentsearch.search.searcher import Searcher

    store = slide_store(tmp_path / "db", [[("Price Elasticity of Demand", 1.0), ("Midpoint formula", 0.5)],
                                          [("Price Ceilings", 1.0), ("Rent control", 0.5)]])
    searcher = Searcher(store, FakeText(), options=RankingOptions(late_share=0.0))
    assert searcher.spelled("PED formula").text == "price elasticity of demand formula"
    assert searcher.search("PED formula", k=1)[0].start == 0.0


def test_a_word_inside_a_glued_slide_word_is_no_typo():
    """OCR read "Trophic levels" as "Trophiclevels": "trophic" is the slide's own word, not a typo of the English
    "tropic" (no indexed text holds either apart); a word one edit from an indexed one is still put right."""
    texts = ["Trophiclevels and energy flow", "volcanoes are not scattered randomly"]
    lexical = LexicalIndex(texts)
    for query, searched in [("trophic level", "trophic level"), ("scattered randdomly", "scattered randomly")]:
        assert correct(query, Vocabulary(texts), set(lexical.unknown_terms(query))).text == searched
    assert Vocabulary(texts).glued("trophic") and not Vocabulary(texts).glued("tropic")


def test_a_camel_case_identifier_whose_split_words_a_slide_shows_is_no_typo(tmp_path):
    """OCR stores the slide's "HashMap<String, Integer>" as "Hash Map<String, Integer>": a student's "HashMap"
    was "corrected" to "Hash map", with a note that no indexed speech or slide text held it."""
    from fakes import FakeText, slide_store
    from momentsearch.options import RankingOptions
    from momentsearch.search.searcher import Searcher

    store = slide_store(tmp_path / "db", [[("Sorting cost", 1.0), ("Hash Map<String, Integer> counts", 0.5)],
                                          [("Looking up users", 1.0), ("get_user_id(name)", 0.5)]])
    searcher = Searcher(store, FakeText(), options=RankingOptions(late_share=0.0))
    for query in ("HashMap", "HashMap<String, Integer>", "getUserId"):
        assert searcher.spelled(query).changes == (), query
    assert [m.start for m in searcher.search("HashMap", k=1)] == [0.0]
