"""Science lectures: formulas, subscripts, units and signs as slides, caption files and Whisper write them, and as
students type them ("CO2" for "CO₂", "μm" for "µm", "pH = -log[H+]")."""

from __future__ import annotations

import pytest

from momentsearch.ranking.lexical import LexicalIndex, normalise_text
from momentsearch.ranking.numbers import unify_numbers
from momentsearch.search.query import clean_query, parse_query

# as a department's caption files write them: subscripts, superscripts, the micro sign (U+00B5), ℃
CAPTIONS = ["Carbon dioxide, CO₂, has a molar mass of 44 g/mol",
            "A red cell is about 8 µm across",
            "The variance grows with x² as the sample widens",
            "The gas law holds at 25 ℃ and one atmosphere"]


@pytest.mark.parametrize("typed, row", [("CO2", 0), ("CO₂", 0), ("8 μm", 1), ("8 µm", 1), ("x2", 2), ("x²", 2),
                                        ("25 °C", 3)])
def test_a_compatibility_form_in_the_indexed_text_matches_the_query_typed_plain(typed, row):
    """Queries were made plain (NFKC) but indexed text was not: "CO2" found no word of "CO₂" in a caption."""
    rows, scores = LexicalIndex(CAPTIONS).search(parse_query(clean_query(typed)).text, 2)
    assert rows.tolist()[:1] == [row] and scores[0] > 0


def test_a_quoted_formula_is_found_in_its_subscripted_form():
    parsed = parse_query(clean_query('"CO2" molar mass'))
    assert parsed.accepts(normalise_text(CAPTIONS[0]))


@pytest.mark.parametrize("typed", ["pH = -log[H+]", "y = -x", "a + -b", "p < -1", "a ≤ -b"])
def test_a_dash_after_an_operator_is_a_minus_sign_not_an_exclusion(typed):
    """A formula pasted from a slide ("pH = -log[H+]") left out "log h", so the slide that shows it was dropped."""
    parsed = parse_query(clean_query(typed))
    assert parsed.excluded == () and parsed.accepts(normalise_text(typed))


@pytest.mark.parametrize("typed, excluded", [("pH -log", ("log",)), ("x -y", ("y",)), ("P(A|B) -bayes", ("bayes",))])
def test_a_dash_after_a_word_still_excludes(typed, excluded):
    assert parse_query(clean_query(typed)).excluded == excluded


@pytest.mark.parametrize("said, written", [("seven point four", "7.4"), ("point oh five", ".05"),
                                           ("p less than point oh five", "p less than .05"),
                                           ("one hundred twenty point zero one", "120.01"), ("2 point 5", "2.5"),
                                           ("twenty five point five", "25.5"),
                                           # no number said before "point": the word, not a decimal
                                           ("at this point one of them left", "at this point one of them left"),
                                           ("the point is", "the point is")])
def test_a_decimal_said_in_words_is_written_in_digits(said, written):
    assert unify_numbers(said) == written


STATS = ["Blood has a pH of 7.4 in health", "We reject when p is less than 0.05", "At this point one of them left"]


@pytest.mark.parametrize("typed, row", [("seven point four", 0), ("pH seven point four", 0), ("point oh five", 1),
                                        ("zero point zero five", 1)])
def test_a_decimal_typed_in_words_finds_the_digits_the_speech_or_slide_wrote(typed, row):
    """"point oh five" found nothing, "seven point four" the sentence that says "point one" (the word "point")."""
    rows, scores = LexicalIndex(STATS).search(typed, 3)
    assert rows.tolist()[:1] == [row] and scores[0] >= 0.9
