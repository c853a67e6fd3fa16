"""A lecture named in a query: "recursion in week 3", "what did the stats lecture say about p-values", "in lecture 5
where is the proof", "the exam bit at the end of the algorithms lecture".

Its name is no topic: searched as words, "algorithms" found the moments of any lecture that says "algorithms", and
the one named could lose to them. When the reference names exactly one indexed file clearly (its file name's words,
or its first slide's: "week 3" is a file with "week" and 3 side by side, "week03-algorithms.mp4"; "the stats lecture"
one whose words include "stats", or failing that a word it starts, "statistics"), the rest of the query is searched
in that file alone, and the answer says so (`Spelling.searched_in`). A reference that names several files, or none,
leaves the query as it was: a query that names no indexed file ranks as before; one that names several says which
files it could be (`Spelling.could_be`), so the user can pick one. A query of place words alone ("the
end of the stats lecture") is answered by place (search/narrow.place_only), not here.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from typing import Callable

from momentsearch.ranking.accents import fold
from momentsearch.ranking.lexical import STOPWORDS, normalise, stem
from momentsearch.ranking.structure import content_words, intents
from momentsearch.search.asking import asked_for
from momentsearch.search.query import normalise_text
from momentsearch.search.spelling import Spelling, searched
from momentsearch.types import FileRecord

_NUMBERS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve thirteen "
                                       "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split())}
# what a numbered lecture is called in a query, and the short forms a file name may use for it
_KINDS = {"lecture": ("lecture", "lec", "lect"), "week": ("week", "wk"), "class": ("class",),
          "session": ("session",), "lesson": ("lesson",), "seminar": ("seminar",), "module": ("module",),
          "unit": ("unit",), "lab": ("lab",), "tutorial": ("tutorial", "tut"), "day": ("day",),
          "episode": ("episode", "ep")}
_BEFORE = r"(?:(?:in|from|of|during|for|at|on|within|inside)\s+)?"  # taken off with the reference
_NUMBERED = re.compile(rf"\b{_BEFORE}(?:the\s+)?(?P<kind>{'|'.join(_KINDS)})\s+(?:no\.?\s*|number\s+|#\s*)?"
                       rf"(?P<number>\d{{1,3}}|{'|'.join(_NUMBERS)})(?:['\u2019]s)?\b", re.IGNORECASE)
# "the stats lecture", "the algorithms lab"; not "the python class attribute" nor "the HTTP session cookie": a class,
# a session, a video or a recording named by a word is as often a topic
_NAMED = re.compile(rf"\b{_BEFORE}(?:the|our|that|this)\s+(?P<name>(?:[\w-]+\s+){{1,3}}?)"
                    r"(?P<kind>lecture|talk|seminar|lesson|lab|tutorial|webinar)s?"
                    r"(?:['\u2019]s)?\b", re.IGNORECASE)
# words before "lecture" that say which one by time or kind, not by its name ("the last lecture", "today's class")
_NO_NAME = {"last", "next", "previous", "first", "second", "third", "final", "same", "whole", "entire", "today's",
            "todays", "other", "earlier", "later", "latest", "recent", "current", "live", "recorded", "online", "full",
            "one", "end", "start", "beginning", "middle", "rest"}
_WORD = re.compile(r"[^\W\d_]+|\d+")
PREFIX_LETTERS = 3  # a name word (less a plural s) of at least this many letters may stand for a word it starts


@dataclass(frozen=True)
class Reference:
    """Words of a query that name a lecture: by its number ("week 3": kind "week", number 3) or its name ("the
    stats lecture": words ("stats",))."""

    typed: str  # as in the query: "in week 3", "the stats lecture"
    start: int
    end: int
    kind: str = ""
    number: int | None = None
    words: tuple[str, ...] = ()
    before: bool = False  # a preposition led it ("in week 3"): taken off with it; else it stands for "the lecture"


@dataclass(frozen=True)
class NamedLecture:
    """The one indexed file a query names, and the query without its name."""

    video_id: str
    path: str
    typed: str  # the reference as typed, without its preposition: "week 3"
    rest: str  # the query without it: "recursion"


def references(text: str) -> list[Reference]:
    """The lecture references in `text` (numbered first, then named), none overlapping."""
    found: list[Reference] = []
    for m in _NUMBERED.finditer(text):
        number = m["number"].lower()
        found.append(Reference(m[0], m.start(), m.end(), m["kind"].lower(),
                               int(number) if number.isdigit() else _NUMBERS[number], before=m[0] != _bare(m[0])))
    for m in _NAMED.finditer(text):
        words = [w.lower() for w in m["name"].split()]
        if any(m.start() < r.end and r.start < m.end() for r in found):
            continue
        if not words or any(w in STOPWORDS or w in _NO_NAME or w.isdigit() for w in words):
            continue
        found.append(Reference(m[0], m.start(), m.end(), m["kind"].lower(), words=tuple(words),
                               before=m[0] != _bare(m[0])))
    return found


def _bare(typed: str) -> str:
    return re.sub(rf"^{_BEFORE}", "", typed, flags=re.IGNORECASE)


def file_words(rec: FileRecord, title: str = "") -> list[str]:
    """The words (lower case, letters and numbers apart: "week03" is "week", "03") of a file's name and title."""
    name = os.path.splitext(os.path.basename(rec.path))[0]
    name = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)  # "Week3Algorithms", "introToStats"
    return _WORD.findall(fold(f"{name} {title}").lower())


def _numbered(ref: Reference, words: list[str]) -> bool:
    names = _KINDS[ref.kind]
    return any(w in names and n.isdigit() and int(n) == ref.number for w, n in zip(words, words[1:]))


def _same(word: str, words: list[str]) -> bool:
    return stem(normalise(word)) in {stem(normalise(w)) for w in words}


def _starts(word: str, words: list[str]) -> bool:
    short = word[:-1] if word.endswith("s") else word
    return len(short) >= PREFIX_LETTERS and any(w.startswith(short) and len(w) > len(short) for w in words)


def _named_by(ref: Reference, words: dict[str, list[str]]) -> list[str]:
    """The video ids whose words the reference names clearly: every name word the same word, else a word it starts
    ("stats": "statistics"), where no file holds it whole."""
    if ref.number is not None:
        return [v for v, have in words.items() if _numbered(ref, have)]
    same = [v for v, have in words.items() if all(_same(w, have) for w in ref.words)]
    same = same or [v for v, have in words.items() if all(_same(w, have) or _starts(w, have) for w in ref.words)]
    kind = [v for v in same if ref.kind in words[v]]  # "the algorithms lab": of two algorithms files, the lab
    return kind if len(same) > 1 and len(kind) == 1 else same


def _reference(text: str, files: dict[str, FileRecord], title_of) -> tuple[Reference, list[str]] | None:
    """The one lecture reference in `text` that names indexed files, with the video ids it names; None when the
    query names none, names files twice, is a place alone ("the end of week 3") or has no topic besides it."""
    refs = references(text)
    if not refs or (intents(text) and not content_words(text)):
        return None
    words = {v: file_words(rec, title_of(v)) for v, rec in files.items() if rec.kind != "photo"}
    named = [(ref, ids) for ref in refs if (ids := _named_by(ref, words))]
    if len(named) != 1:
        return None
    ref, ids = named[0]
    if not content_words(_joined(text[:ref.start], "", text[ref.end:])):  # "the stats lecture": no topic to look for
        return None
    return ref, ids


def named_lecture(text: str, files: dict[str, FileRecord], title_of: Callable[[str], str]) -> NamedLecture | None:
    """The one file of `files` a lecture reference in `text` names (module doc), with the query less the
    reference; None when the query names none, several files, or is a place alone ("the end of week 3").
    `title_of(video_id)`: the words on its first slide ("" when none), read only when the query names a lecture."""
    found = _reference(text, files, title_of)
    if found is None or len(found[1]) != 1:
        return None
    ref, (video_id,) = found
    typed = _typed(ref)
    rest = _joined(text[:ref.start], "", text[ref.end:])
    if not ref.before:  # "what did the stats lecture say about X": a request about "the lecture", taken off as one
        asked = _joined(text[:ref.start], "the lecture", text[ref.end:])
        rest = asked if "the lecture" not in asked_for(asked).lower() else rest
    return NamedLecture(video_id, files[video_id].path, typed, rest)


def lectures_meant(text: str, files: dict[str, FileRecord], title_of: Callable[[str], str]) -> tuple[str, list[str]]:
    """("the algorithms lecture", the paths of the files it could be) when the lecture a query names is several
    indexed files (week03-algorithms.mp4 and week05-algorithms-lab.mp4): searched as words, over every file, and
    said so; ("", []) when it names one file, none, or no lecture."""
    found = _reference(text, files, title_of)
    if found is None or len(found[1]) < 2:
        return "", []
    ref, ids = found
    return _typed(ref), sorted(files[v].path for v in ids)


def _typed(ref: Reference) -> str:
    return re.sub(r"['\u2019]s$", "", _bare(ref.typed))


def _joined(*parts: str) -> str:
    """The query's parts around a reference taken out, without the marks it left at an edge ("week 3: recursion")."""
    text = re.sub(r"\(\s*\)|\[\s*\]", " ", " ".join(parts))  # "recursion (week 3)"
    text = " ".join(re.sub(r"\s+([?!.,:;])", r"\1", text).split())
    return re.sub(r"^[\s,:;.\-\u2013\u2014]+|[\s,:;\-\u2013\u2014]+$", "", text)


def searched_in_lecture(parsed, corpus, files: dict[str, FileRecord], title_of: Callable[[str], str],
                        spelling: bool = True, left_out: int = 0) -> Spelling:
    """`spelling.searched` of the query less the lecture it names, with the file that lecture is (`searched_in`);
    of the query as it is when it names none clearly (module doc). A lecture in "quotes" is searched as words."""
    named = named_lecture(parsed.text, files, title_of)
    if named is not None and not _quoted(named.typed, parsed):
        found = searched(replace(parsed, text=named.rest), corpus, spelling, left_out)
        return replace(found, searched_in=named.path, lecture=named.typed)
    found = searched(parsed, corpus, spelling, left_out)  # as typed, over every file
    lecture, could_be = lectures_meant(parsed.text, files, title_of) if named is None else ("", [])
    if not lecture or _quoted(lecture, parsed):
        return found
    return replace(found, lecture=lecture, could_be=tuple(could_be))  # ranked as before: a note says what it could be


def _quoted(typed: str, parsed) -> bool:
    return any(normalise_text(typed) in f" {p} " for p in parsed.phrases)
