"""Spaces the OCR recogniser dropped from English text ("ProjectRoadmap", "captureslight"), put back:
camelCase, punctuation, then a word-frequency splitter with guards (`restore_spaces`); bullet marks off
(`clean_line`). Used by `pipeline/ocr.py`, which keeps each line's unsplit form too."""

from __future__ import annotations

import math
import re

from momentsearch.ranking.english import english_words

_GLUED = re.compile(
    r"(?<=[a-z])(?=[A-Z][a-z])"  # camelCase: "ProjectRoadmap"
    r"|(?<=[a-z]{4})(?=[0-9])"  # "Energy101" (short prefixes like "mp3", "Q1" stay whole)
    r"|(?<=[:;,!?%)])(?=[A-Za-z(])"  # "Q4:review", "20%efficient"
    r"|(?<=\b[0-9])(?=[A-Z][a-z]{2})|(?<=\b[0-9]{2})(?=[A-Z][a-z]{2})"  # a list's number: "2Venice", "3The"
)
_BULLETS = re.compile(r"(^|\s)[·•▪●○◦■□►▸‣⁃*>»–-]+(?=\s|$)|^[·•▪●○◦■□►▸‣⁃*>»]+")  # bullet marks read as text
_CORE = re.compile(r"^([^A-Za-z]*)([A-Za-z]+)([^A-Za-z]*)$")
_MIN_SPLIT = 6  # letters; shorter unknown words are left alone
_LONG_GLUE = 12  # letters; an unknown word this long is split when its pieces are believable ...
# ... a shorter one only when a piece is a function word: "fornext", "Ourplans" are glued words, but
# "Roadmap" or "Dataset" are words the list lacks, and stay whole
_FUNCTION_WORDS = frozenset("""a an and are as at be but by for from has have in is it its of on or our so
    than that the their this to was we were what when where which who will with you your""".split())
# a long word of two pieces, the first of them one of these, is a compound the word list lacks, not two
# words glued ("Backpropagation", "Microservices", "Hyperparameters", "Postprocessing")
_COMBINING = frozenset("""anti auto back bio counter cyber down eco electro geo hydro hyper hypo inter intra macro mega
    meta micro mini multi nano neuro non out over photo poly post pre proto pseudo semi sub super tele thermo
    trans ultra under up""".split())
_SHORT_PIECE_RANK = 3000  # a piece of 1-3 letters must be this common (rank) to be believed ("and", "map")
_LONG_PIECE_RANK = 60000  # longer pieces must be in the word list at least this common


def _word_rank():
    """word -> frequency rank (0 = most common) from wordninja's English word list, or None."""
    costs = english_words()  # cost = log((rank + 1) * log(n)), see wordninja.LanguageModel
    if not costs:  # without wordninja only camelCase and punctuation are split
        return None, None
    import wordninja

    log_n = math.log(len(costs))

    def rank(word: str) -> float | None:
        cost = costs.get(word.lower())
        return None if cost is None else math.exp(cost) / log_n - 1

    return rank, wordninja.DEFAULT_LANGUAGE_MODEL.split


_RANK, _SPLIT = _word_rank()


def _believable(pieces: list[str]) -> bool:
    for piece in pieces:
        r = _RANK(piece)
        if r is None:
            return False
        if len(piece) == 1 and piece not in ("a", "A", "I"):  # "i" alone is no English word: "External i ties"
            return False
        if r > (_SHORT_PIECE_RANK if len(piece) <= 3 else _LONG_PIECE_RANK):
            return False
    return len(pieces) > 1


_SUFFIXES = ("s", "es", "ed", "ing", "er", "ers")


def _known_stem(word: str) -> bool:
    """Whether a word the list lacks is an inflection of one it has ("bootstrapping", "timestamps")."""
    word = word.lower()
    for suffix in _SUFFIXES:
        stem = word.removesuffix(suffix)
        if stem == word or len(stem) < 4:
            continue
        undoubled = (stem[:-1],) if stem[-1] == stem[-2] else ()  # "bootstrapp" -> "bootstrap"
        if any(_RANK(c) is not None for c in (stem, stem + "e", *undoubled)):
            return True
    return False


def _compound(pieces: list[str]) -> bool:
    """Two pieces, the first a combining form: one word the list lacks ("Backpropagation"), not two glued."""
    return len(pieces) == 2 and pieces[0].lower() in _COMBINING


def _split_word(word: str) -> str:
    m = _CORE.match(word)
    if _SPLIT is None or not m or len(m.group(2)) < _MIN_SPLIT or _RANK(m.group(2)) is not None \
            or _known_stem(m.group(2)):
        return word
    pieces = _SPLIT(m.group(2))
    function_word = any(p.lower() in _FUNCTION_WORDS for p in pieces)
    glued = function_word or (len(m.group(2)) >= _LONG_GLUE and not _compound(pieces))
    if not glued or not _believable(pieces):
        return word  # "Kubernetes" would become "Ku berne tes": keep a rare word whole
    return m.group(1) + " ".join(pieces) + m.group(3)


_B_WORD = re.compile(r"[^\W\d_]*[a-zäöü]B[^\W\d_]*")  # a word with a capital B after a small letter


def read_eszett(text: str) -> str:
    """`text` with the ß the recogniser read as "B" put back ("GroBe", "MaBeinheit", "flieBt", "groB": its English
    and Chinese alphabet has no ß). A B after two letters, the last small, is one when one letter follows it
    or what follows from it is no English word, and a B that ends a word when three letters come before it: a
    camelCase "webBrowser", "getBytes" and the units "KiB", "GiB" stay. Before this, "MaBeinheit" was split at
    the B and then into English words ("Ma Be in he it")."""
    return _B_WORD.sub(lambda m: _eszett_word(m.group()), text) if "B" in text else text


def _eszett_word(word: str) -> str:
    letters = list(word)
    for i, ch in enumerate(word):
        if ch != "B" or i < 2 or not word[i - 1].islower():
            continue
        rest = "b" + re.match(r"[a-zäöü]*", word[i + 1:]).group()
        if rest == "b":
            eszett = i >= 3 and i == len(word) - 1
        else:
            eszett = len(rest) == 2 or (_RANK is not None and _RANK(rest) is None and not _known_stem(rest))
        letters[i] = "ß" if eszett else "B"
    return "".join(letters)


def clean_line(text: str) -> str:
    """A recognised line without bullet marks and doubled spaces."""
    return " ".join(_BULLETS.sub(" ", " ".join(text.split())).split())


def unglue(text: str) -> str:
    """The safe half of space restoring: camelCase and punctuation ("ProjectRoadmap" -> "Project Roadmap")."""
    return " ".join(_GLUED.sub(" ", text).split())


def restore_spaces(text: str) -> str:
    """Spaces the recogniser dropped, put back: "PhotosynthesisandSolarPanels" -> "Photosynthesis and
    Solar Panels". Known words and rare unknown ones are left whole."""
    return " ".join(_split_word(w) for w in unglue(clean_line(text)).split())
