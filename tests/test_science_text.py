"""Science lectures: formulas, subscripts, units and signs as slides, caption files and Whisper write them, and as
students type them ("CO2" for "CO₂", "μm" for "µm", "pH = -log[H+]")."""

from __future__ import annotations

import pytest

from momentsearch.ranking.lexical import LexicalIndex, normalise_text
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
