"""Lexical matching through speech recognition errors (ranking/fuzzy.py)."""

from __future__ import annotations

import numpy as np

from momentsearch.ranking.fuzzy import fuzzy_scores, sound_alike, sound_letters
from momentsearch.ranking.lexical import LexicalIndex

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
