"""A lecture in German (scripts/independent_german_lecture.py): umlauts and ß as Whisper writes them, as slide OCR
reads them (an umlaut kept or dropped, ß read as "B") and as people type them (with or without, "ae" for "ä")."""

from __future__ import annotations

import pytest

from momentsearch.pipeline.deck_text import line_key
from momentsearch.pipeline.ocr_spaces import read_eszett, restore_spaces
from momentsearch.pipeline.segment import opens_topic
from momentsearch.ranking.accents import fold
from momentsearch.ranking.lexical import LexicalIndex
from momentsearch.search.spelling import Vocabulary, correct
from momentsearch.types import Word

TEXTS = ["Die Größe der Anlage bestimmt den Wirkungsgrad",  # as Whisper writes it
         "Warmeubertragung im Kuhlturm",  # as OCR reads a slide: umlauts dropped
         "Der Druck steigt, das Volumen bleibt gleich",
         "Welchem Weg folgt die Wärme?"]


def test_fold_leaves_accents_out_and_writes_eszett_ss():
    assert fold("Größe, Wärmeübertragung, café") == "Grosse, Warmeubertragung, cafe"
    assert fold("plain English text") == "plain English text"
    assert fold("Ærø, Łódź, œuvre") == "AEro, Lodz, oeuvre"
    assert fold("x² ﬁ CO₂ 8 µm") == "x2 fi CO2 8 μm"  # compatibility forms plain, as clean_query makes a query's


@pytest.mark.parametrize("query, row", [("Größe", 0), ("Grösse", 0), ("grosse", 0), ("Wärmeübertragung", 1),
                                        ("Kühlturm", 1), ("Warme", 3)])
def test_a_word_matches_with_or_without_its_accents(query, row):
    rows, _ = LexicalIndex(TEXTS).search(query, 2)
    assert rows.tolist()[:1] == [row]


NORDIC = ["AEro: Danische Insel · Windkraft auf AEro",  # as slide OCR reads "Ærø: Dänische Insel"
          "Die Fähre fährt von Ærøskøbing nach Svendborg",  # as a caption file or Whisper writes it
          "Les œuvres complètes de Molière", "Politechnika Łódzka"]


@pytest.mark.parametrize("query, row", [("Ærø", 0), ("AERØ", 0), ("aero", 0), ("Ærøskøbing", 1), ("Aeroskobing", 1),
                                        ("oeuvres", 2), ("Œuvres", 2), ("Lodzka", 3)])
def test_letters_with_no_accent_to_take_off_match_their_plain_spelling(query, row):
    """Æ, ø, œ, ł have no accent Unicode can take off: "Ærø" found nothing where the slide read "AEro"."""
    rows, scores = LexicalIndex(NORDIC).search(query, 2)
    assert rows.tolist()[:1] == [row] and scores[0] > 0


@pytest.mark.parametrize("read, meant", [("GroBe", "Große"), ("MaBeinheit", "Maßeinheit"), ("flieBt", "fließt"),
                                         ("Zustandsgrößen und GroBkraftwerks", "Zustandsgrößen und Großkraftwerks"),
                                         ("groB", "groß"), ("webBrowser", "webBrowser"), ("getBytes", "getBytes"),
                                         ("eBay", "eBay"), ("4 KiB pages, 2 MiB and 1 GiB", "4 KiB pages, 2 MiB and 1 GiB")])
def test_ocr_reading_eszett_as_b_is_put_right_and_camel_case_stays(read, meant):
    assert read_eszett(read) == meant


def test_a_german_word_is_not_split_into_english_ones():
    """Before, "MaBeinheit" was split at the B and then into English words: "Ma Be in he it"."""
    assert restore_spaces(read_eszett("MaBeinheit")) == "Maßeinheit"


def _correct(query: str, guess: bool = True):
    lexical = LexicalIndex(TEXTS)
    return correct(query, Vocabulary(TEXTS), set(lexical.unknown_terms(query)), guess=guess)


def test_umlauts_typed_as_ae_oe_ue_find_the_word():
    got = _correct("Waermeuebertragung Groesse")
    assert got.text == "Warmeubertragung Grosse"  # the capitals kept


def test_no_guessing_at_typos_where_no_indexed_speech_is_english():
    """A German word one edit from another word is no typo of it: "Druckes" is not "Druck", nor "welchen"
    "welchem"; with English speech indexed, a typo is still put right."""
    assert _correct("welchen Wegen", guess=False).changes == ()
    assert _correct("welchen", guess=True).text == "welchem"


def test_a_repeated_line_read_with_and_without_its_umlaut_is_one_line():
    assert line_key("Technische Universität Nordheim") == line_key("Technische Universitat Nordheim")


@pytest.mark.parametrize("sentence, opens", [("Kommen wir zum Carnot-Prozess.", True),
                                             ("Bevor wir weitermachen, noch etwas.", True),
                                             ("Als nächstes die Entropie.", True),
                                             ("Die Entropie wächst.", False)])
def test_german_cue_phrases_open_a_topic(sentence, opens):
    words = [Word(i * 0.4, i * 0.4 + 0.3, " " + w) for i, w in enumerate(sentence.split())]
    assert opens_topic(words) is opens
