"""Numbers said and written alike: "400" and "four hundred", "mid-70s" and "mid seventies".

Whisper writes most numbers in digits; people type them either way, and a lecture's script or a
user's memory of it spells them out. Lexical matching (ranking/lexical.py, ranking/fuzzy.py) sees a
number as its English words, so both forms meet.
"""

from __future__ import annotations

import re

_UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
          "sixteen seventeen eighteen nineteen").split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
NUMBER_WORDS = frozenset(_UNITS + _TENS + ["hundred", "thousand", "million"])
# Words that only say how much, with a number: a text that matches them and the query's numbers alone
# ("90%, then one request in 10" for "trophic 10 percent rule") matched no word of the query.
QUANTITY_WORDS = frozenset(["percent"])
MAX_DIGITS = 7  # longer runs of digits (ids, phone numbers) stay as they are


def _below_thousand(n: int) -> list[str]:
    words: list[str] = []
    if n >= 100:
        words += [_UNITS[n // 100], "hundred"]
        n %= 100
        if n == 0:
            return words
    if n < 20:
        return words + [_UNITS[n]]
    return words + [_TENS[n // 10 - 2]] + ([_UNITS[n % 10]] if n % 10 else [])


def spell(n: int) -> list[str]:
    """English words of a whole number as spoken (years in pairs: 1975 -> nineteen seventy five)."""
    if 1100 <= n <= 1999 or 2010 <= n <= 2099:
        return _below_thousand(n // 100) + (_below_thousand(n % 100) if n % 100 else ["hundred"])
    if n < 1000:
        return _below_thousand(n)
    words: list[str] = []
    for size, name in ((1_000_000, "million"), (1000, "thousand")):
        if n >= size:
            words += _below_thousand(n // size % 1000) + [name]
            n %= size
    return words + (_below_thousand(n) if n else [])


def number_words(token: str) -> list[str] | None:
    """A token of digits (optionally with a plural "s": "70s") as its words, None for other tokens. A
    decade is said in the plural: "70s" -> "seventies", "1970s" -> "nineteen seventies"."""
    digits = token[:-1] if token.endswith("s") else token
    if not digits.isdigit() or len(digits) > MAX_DIGITS:
        return None
    words = spell(int(digits))
    if digits != token and words[-1] in _TENS:
        words[-1] = words[-1][:-1] + "ies"
    return words


# Written forms of one number or unit that a lecture's slides, its transcript and a user's query mix:
# "800,000" / "800000", "10%" / "10 percent" / "10 per cent", "2,023m" / "2023 m".
_ANY_DIGIT = re.compile(r"[0-9]")  # ASCII: five times faster to look for than \d
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")  # "800,000": a comma between digit groups
_PERCENT = re.compile(r"%|\bper\s*cent\b", re.IGNORECASE)
# a unit glued to its number ("2,023m", "50p", "10km", "2am"); not "s" ("1970s" is a decade) nor ordinals
_GLUED_UNIT = re.compile(r"(?<=\d)(?=(?:km|cm|mm|m|kg|mg|ms|ns|us|min|mins|sec|secs|hrs?|h|p|am|pm|x|mph)\b)",
                         re.IGNORECASE)


# a decimal said in words, as a student types what the lecturer said: "seven point four", "point oh five",
# "twenty five point five", "2 point 5"; its whole part digits or number words, or nothing at the text's start or
# before "oh" / "zero" ("p less than point oh five"); its decimals digit words. "at this point one of them" has no
# number before "point": left alone.
_DIGIT_WORDS = {**{w: str(i) for i, w in enumerate(_UNITS[:10])}, "oh": "0", "nought": "0"}
_POINT = re.compile(r"\bpoint((?:\s+(?:%s|\d)\b)+)" % "|".join(_DIGIT_WORDS), re.IGNORECASE)
_WHOLE_WORDS = frozenset(_UNITS + _TENS + ["hundred"])
_LOOK_BACK = 60  # characters before "point" searched for its whole part ("one hundred seventy seven": 25)


def _whole(words: list[str]) -> int | None:
    """The whole number some number words say ("seven", "twenty five", "one hundred twenty"), None when they
    say no one number ("one one")."""
    value, stage = 0, 0  # stage 0: nothing yet, 1: after "hundred", 2: after a tens word, 3: after a unit
    for word in words:
        if word == "hundred" and stage == 3 and 1 <= value <= 9:
            value, stage = value * 100, 1
        elif word in _TENS and stage < 2:
            value, stage = value + 10 * (_TENS.index(word) + 2), 2
        elif word in _UNITS and stage < 3 and not (stage == 2 and not 0 < _UNITS.index(word) < 10):
            value, stage = value + _UNITS.index(word), 3
        else:
            return None
    return value


def _whole_before(text: str) -> tuple[str, int]:
    """The whole number that `text` (what stands before "point") ends with, in digits, and where it begins in
    `text`: ("", len(text)) when it ends with none, or with number words that say no one number ("one one")."""
    words = text.split(" ")
    if words and words[-1] == "":
        words.pop()
    if words and words[-1].isascii() and words[-1].isdigit():
        return words[-1], len(text.rstrip()) - len(words[-1])
    run = 0
    while run < len(words) and words[-1 - run].lower() in _WHOLE_WORDS:
        run += 1
    value = _whole([w.lower() for w in words[len(words) - run:]]) if run else None
    if value is None:
        return "", len(text)
    return str(value), len(" ".join(words[:len(words) - run])) + (1 if run < len(words) else 0)


def _spoken_decimals(text: str) -> str:
    """`text` with each decimal said in words written in digits (see _POINT)."""
    parts, last = [], 0
    for match in _POINT.finditer(text):
        decimals = "".join(_DIGIT_WORDS.get(w.lower(), w) for w in match[1].split())
        window = max(last, match.start() - _LOOK_BACK)
        whole, begin = _whole_before(text[window:match.start()])
        if not whole and not (match.start() == 0 or decimals[0] == "0"):
            continue  # "at this point one of them", "one one point two": no one number before it
        parts += [text[last:window + begin], f"{whole}.{decimals}"]
        last = match.end()
    return "".join(parts) + text[last:] if parts else text


def unify_numbers(text: str) -> str:
    """`text` with numbers and units written one way, for word matching (applied to indexed texts and
    queries alike): thousands separators dropped ("800,000" -> "800000"), a percent sign or "per cent" as
    the word "percent", a unit glued to its number set apart ("2,023m" -> "2023 m"), a decimal said in
    words written in digits ("seven point four" -> "7.4", "point oh five" -> ".05")."""
    # each rewrite only where its sign is there: this runs on every indexed text, most have no number
    if "%" in text or "cent" in text.lower():
        text = _PERCENT.sub(" percent ", text)
    if "point" in text.lower():
        text = _spoken_decimals(text)
    if not _ANY_DIGIT.search(text):
        return text
    return _GLUED_UNIT.sub(" ", _THOUSANDS.sub("", text) if "," in text else text)
