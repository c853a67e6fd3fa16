"""A query's and a text's words: what counts as a word, the words too common to search for, and the light
normalisation both sides share (ranking/lexical.py ranks with them)."""

from __future__ import annotations

import re

from momentsearch.ranking.accents import fold
from momentsearch.ranking.numbers import unify_numbers

# Words too common to carry meaning anywhere.
FUNCTION_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over own
    same she should so some such than that the their theirs them themselves then there these they
    this those through to too under until up very was we were what when where which while who whom
    why will with would you your yours yourself yourselves""".split()
)
# Words that frame a query about a lecture ("where do they discuss X", "the part of the video on X"):
# left out of a query that has other words, kept when they are what the query names ("lecture 9").
FRAME_WORDS = frozenset(
    """discuss discussed discusses talk talks talked talking mention mentioned show shows shown part
    moment lecture video""".split()
)
# Hedges a query puts before a number ("approx. 4 chunks"), as "about" (a function word) does: left out.
HEDGE_WORDS = frozenset("approx approximately roughly circa".split())
# Contractions typed without their apostrophe ("whats on the exam", "dont"): function words all the same
# (with it, `tokenize` takes the clitic off: "what's" is "what").
CONTRACTED_WORDS = frozenset(
    """whats wheres whens hows whos whys thats theres heres dont doesnt didnt isnt arent wasnt werent cant
    couldnt shouldnt wouldnt havent hasnt hadnt im ive youre theyre youve weve theyve""".split()
)
STOPWORDS = FUNCTION_WORDS | FRAME_WORDS | HEDGE_WORDS | CONTRACTED_WORDS
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def normalise(word: str) -> str:
    """Lowercase and strip simple English inflections so 'roadmaps' matches 'roadmap'."""
    w = word.lower()
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    return w


def split_words(text: str) -> list[str]:
    """`text`'s words: runs of letters and digits, accents folded, number words as digits, lower case."""
    return _TOKEN.findall(unify_numbers(fold(text)).lower())


# An English clitic after an apostrophe: "what's", "Newton's", "they're", "I'll"; "n't" is "not" ("can't", "won't"
# by name: "ca", "wo" are no words). Split off as words of their own, "s", "t", "re" would match any text that
# holds a possessive or a contraction.
_NOT = re.compile(r"(?:\b(ca)|\b(wo)|\b(sha)|\B)n['\u2019]t\b", re.IGNORECASE)
_CLITIC = re.compile(r"(?<=[^\W\d_])['\u2019](?:s|re|ve|ll|d|m)\b", re.IGNORECASE)


def _unclitic(text: str) -> str:
    text = _NOT.sub(lambda m: " can not" if m[1] else " will not" if m[2] else " shall not" if m[3] else " not", text)
    return _CLITIC.sub("", text)


def tokenize(text: str, drop_stopwords: bool = True) -> list[str]:
    """A query's words, normalised; with `drop_stopwords`, without function and frame words and without the
    clitics after an apostrophe ("Newton's laws": newton, law)."""
    words = split_words(_unclitic(text)) if drop_stopwords else split_words(text)
    return [normalise(w) for w in words if not (drop_stopwords and w in STOPWORDS)]
