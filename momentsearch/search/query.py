"""Query syntax: `"exact phrase"` must occur, `-word` (or `-"a phrase"`) must not, the rest ranks.

    momentsearch search 'gradient "learning rate" -adam'

Phrases and excluded words are matched on *normalised* text: lower case, every run of characters
that are not letters or digits turned into one space, compared on whole words ("Learning-rate!"
contains the phrase "learning rate"; "adamant" does not contain the word "adam"). A moment keeps
its place only when the speech or slide text inside its span contains every phrase and none of the
excluded words. The channels rank the remaining words plus the phrases' words, as before.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Iterable

from momentsearch.errors import QueryError
from momentsearch.options import MAX_QUERY_CHARS
from momentsearch.ranking.lexical import camel_split, code_forms, normalise_text, tokenize

# -"a phrase" | "a phrase" | -word   (quotes: straight or typographic; a dash only at a word's start)
# a quoted phrase (with a dash before it: excluded) or a dashed word (excluded); a dash before a digit is a minus
# sign ("+12p -8p", "-40 degrees"), not an exclusion; a double dash starts a command-line option ("python3 --version"),
# searched as its words; a stray quote after the dash (a phrase never closed: -"base case) is ignored, as any stray
# quote is, so the word after it is still left out rather than searched for; a dash after an operator is a minus
# sign too ("pH = -log[H+]", "y = -x", "a + -b": a formula pasted from a slide left out the slide that shows it)
_OPERATORS = "=+*/×÷·<>≤≥≈≠^(["
_PART = re.compile(r'(?:(?<=\s)|^)(-?)["\u201c\u201d]([^"\u201c\u201d]*)["\u201c\u201d]'
                   r'|(?:(?<=\s)|^)(?<![%s]\s)-"?(?![\d.,-])([^\s"]+)' % re.escape(_OPERATORS))

SYNTAX_HELP = ('"exact phrase" must occur in the speech or slide text (case and punctuation ignored); '
               '-word or -"a phrase" leaves out moments that contain it; the other words rank as usual')


@dataclass(frozen=True)
class ParsedQuery:
    """A query split into what ranks and what filters."""

    text: str  # what the channels rank: the free words and the phrases' words
    phrases: tuple[str, ...] = ()  # normalised (no padding); each must occur in a result's text
    excluded: tuple[str, ...] = ()  # normalised words or phrases; none may occur in a result's text
    # (phrase or excluded word, another form of it): its camelCase split and its codes apart or glued, as slide OCR
    # stores "ZeroDivisionError" ("Zero Division Error") and "python3" ("python 3"), and Whisper says "hash map" for
    # HashMap; any form counts as the typed one
    split_forms: tuple[tuple[str, str], ...] = ()

    @property
    def filters(self) -> bool:
        return bool(self.phrases or self.excluded)

    def forms(self, target: str) -> tuple[str, ...]:
        """A phrase's or excluded word's normalised forms: as typed, then the others (`split_forms`)."""
        return (target, *(split for typed, split in self.split_forms if typed == target))

    def holds(self, normalised: str, target: str) -> bool:
        """Whether normalised text holds a phrase or excluded word in any of its forms, as whole words."""
        return any(f" {form} " in normalised for form in self.forms(target))

    def accepts(self, normalised: str) -> bool:
        """Whether a moment whose text (normalise_text form) is `normalised` passes the filters."""
        return (all(self.holds(normalised, p) for p in self.phrases)
                and not any(self.holds(normalised, x) for x in self.excluded))


def clean_query(query: str) -> str:
    """Compatibility forms made plain (NFKC: full-width 'ＥＮＥＲＧＹ' as a CJK keyboard types it, ligatures,
    superscripts), invisible marks inside words dropped, control characters out, whitespace collapsed; an empty
    result is a QueryError."""
    if not isinstance(query, str):
        raise QueryError("the query must be text")
    text = _cut(_plain(query))
    if not text:
        raise QueryError("the query is empty; type some words to search for")
    return text


def _plain(query: str) -> str:
    text = "".join(_INVISIBLE.get(ch, ch) if ch.isprintable() else _INVISIBLE.get(ch, " ")
                   for ch in unicodedata.normalize("NFKC", query).translate(_TYPOGRAPHIC))
    return " ".join(text.split())


# invisible characters a word copied from a PDF or a web page carries inside it ("recur\u00adsion": a soft hyphen
# where it may break across lines; a joiner, a direction mark, a byte-order mark): part of no word, so dropped
# rather than made a space that split the word in two ("recur sion")
_INVISIBLE = {chr(c): "" for c in (0x00AD, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF,
                                   *range(0x202A, 0x202F), *range(0x2066, 0x206A))}


# a word processor's or phone keyboard's apostrophes and hyphens, typed as the plain ones: the text model read
# "it\u2019s" and "non\u2011linear" as other word pieces than the "it's" and "non-linear" the transcript holds (a
# slightly different score for the same words); a minus sign pasted from a formula is a minus ("\u221240 degrees")
_TYPOGRAPHIC = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'",
                              "\u2010": "-", "\u2011": "-", "\u2212": "-"})


def _cut(text: str) -> str:
    """`text` (whitespace collapsed) within MAX_QUERY_CHARS, cut between words where it has any: a word cut in
    two was searched as a fragment, or "corrected" into another word."""
    if len(text) <= MAX_QUERY_CHARS:
        return text
    cut = text[:MAX_QUERY_CHARS]
    return cut.rsplit(" ", 1)[0] if text[MAX_QUERY_CHARS] != " " and " " in cut else cut.rstrip()


def left_out_words(query: str) -> int:
    """How many words of `query` its cut to MAX_QUERY_CHARS left out of the search (0 when none): a pasted
    paragraph's tail was dropped without a word, and "no results" sent its user re-wording the part searched."""
    if not isinstance(query, str):
        return 0
    whole = _plain(query)
    return len(whole.split()) - len(_cut(whole).split())


def parse_query(raw: str) -> ParsedQuery:
    """Split `raw` (already cleaned by clean_query) into ranking text, phrases and exclusions.

    A stray quote is ignored; a dash inside a word ("state-of-the-art") is part of the word.
    A query of exclusions only is a QueryError: there is nothing to rank.
    """
    phrases: list[str] = []
    excluded: list[str] = []
    free: list[str] = []
    splits: list[tuple[str, str]] = []
    last = 0
    for m in _PART.finditer(raw):
        free.append(raw[last:m.start()])
        last = m.end()
        dash, quoted, word = m.group(1), m.group(2), m.group(3)
        target = normalise_text(quoted if word is None else word).strip()
        if not target:
            continue
        splits += [(target, form) for form in _other_forms(quoted if word is None else word) if form != target]
        if word is not None or dash:
            excluded.append(target)
        else:
            phrases.append(target)
            free.append(f" {quoted} ")
    free.append(raw[last:])
    text = " ".join("".join(free).replace('"', " ").replace("\u201c", " ").replace("\u201d", " ").split())
    if not text and excluded:
        raise QueryError("the query only excludes words; add something to look for, e.g. "
                         "'neural networks -convolution'")
    if not any(ch.isalnum() for ch in text):  # '""', '-', '?!': marks with no words
        raise QueryError("the query has no words to look for; type some words, e.g. 'neural networks'")
    return ParsedQuery(text, tuple(dict.fromkeys(phrases)), tuple(dict.fromkeys(excluded)),
                       tuple(dict.fromkeys(splits)))


def _other_forms(typed: str) -> list[str]:
    """The normalised forms of a phrase or excluded word that OCR and speech write it in besides the typed one:
    camelCase split ("HashMap" -> "hash map"), codes apart or glued ("python3" -> "python 3", "SHA-256" -> "sha256")."""
    split = camel_split(typed)
    return [normalise_text(form).strip() for form in dict.fromkeys([split, *code_forms(typed), *code_forms(split)])]


def span_text(rows: Iterable[tuple[float, float, str]], start: float, end: float) -> str:
    """The normalised text of the rows (start, end, text) that lie mostly inside [start, end]:
    their overlap is at least half of the shorter of the row and the span."""
    parts = []
    for s, e, text in rows:
        overlap = min(e, end) - max(s, start)
        if overlap > 0 and overlap >= 0.5 * min(max(e - s, 1e-6), max(end - start, 1e-6)):
            parts.append(text)
    return normalise_text(" ".join(parts))


def unfiltered_words(query: str) -> str:
    """What `query` ranks, without its filters: its free words and its phrases' words, no quotes, no -words."""
    return parse_query(clean_query(query)).text


def common_words_only(query: str) -> bool:
    """Whether `query` has words but none to find a moment by: all too common ("the of and", "what is it")."""
    try:
        return not tokenize(unfiltered_words(query))
    except QueryError:
        return False


def filters_to_blame(query: str, finds: Callable[[str], list]) -> bool:
    """Whether a query with "phrases" or -words that found nothing would find something without them
    (`finds(words)` searches those words alone): only then are its filters to blame (`-adam optimizer` on
    lectures that never say "optimizer" is not). The CLI and the server ask it the same way."""
    return bool(empty_filters_note(query)) and bool(finds(unfiltered_words(query)))


def nothing_found_note(query: str, filters_blamed: bool) -> str:
    """Why a text query of a searchable index found nothing, in words a user can act on: its "phrases" or
    -words (`filters_blamed`: the same words without them do find something), every word too common, or
    nothing above the relevance floor. The CLI prints it; the server sends it as `empty_note`."""
    if filters_blamed and empty_filters_note(query):
        return empty_filters_note(query)
    if common_words_only(query):
        return ("No results: every word of the query is too common to find a moment by; add a word that names what "
                "was said or shown.")
    return "No results above the relevance floor (ranking.min_score); try other words."


NOTHING_INDEXED = "The index holds no searchable file yet: "  # and ADD_SOME, or WRITING_FIRST
ADD_SOME = "`momentsearch index FOLDER` adds some."
WRITING_FIRST = "a run is indexing into it now, and each file becomes searchable when it is done."
PICTURES_UNSEARCHED = ("No results: the index's files are searched by their pictures alone (they hold no speech or "
                       "slide text), and pictures are not searched here, without the CLIP weights the index was "
                       "built with (the warning says which and how to get them).")


def nothing_indexed_note(channels: set[str], searchable: set[str], db: str | None = None) -> str:
    """Why no query can find anything in an index, the same in every front door ("" when a search here can): it
    holds no complete file yet (`db`: its folder, where a first run still writing it is seen), or only files of
    pictures, which are not searched here (`searchable`: the `channels` a search here uses, MomentIndex's)."""
    if searchable:
        return ""
    if channels:
        return PICTURES_UNSEARCHED
    from momentsearch.store.lock import writing_now

    return NOTHING_INDEXED + (WRITING_FIRST if db is not None and writing_now(db) else ADD_SOME)


def missing_kind_note(kind: str | None, records) -> str:
    """Why a search for one kind of result found nothing when the index (its FileRecords `records`) holds
    none of that kind ("" otherwise): "no results above the relevance floor" sent users re-wording a query
    that could never match."""
    if kind == "photo" and not any(r.kind == "photo" for r in records):
        return "No results: the index holds no photos; index a folder of images to search them."
    if kind == "moment" and records and all(r.kind == "photo" for r in records):
        return "No results: the index holds photos only, no video or sound recordings."
    return ""


def empty_filters_note(query: str) -> str:
    """Why a query with phrases or exclusions may have found nothing: its filters ("" when it has none)."""

    try:
        parsed = parse_query(clean_query(query))
    except QueryError:
        return ""
    rules = [f'holds "{p}"' for p in parsed.phrases] + [f'leaves out "{x}"' for x in parsed.excluded]
    if not rules:
        return ""
    return (f"No moment found that {' and '.join(rules)}: quoted phrases must occur word for word and -words not at all; "
            "drop the quotes or the minus to search the words freely.")
