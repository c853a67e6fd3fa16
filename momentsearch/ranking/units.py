"""A quantity in the query also in the other units of its kind: "2 minutes" finds "120 seconds", "1.5 km"
finds "1500 metres", "2 kg" finds "2000 g" (ranking/forms.py searches these forms too).

Only exact conversions within time (seconds, minutes, hours), length (millimetres to kilometres) and mass
(grams, kilograms), and only results that are whole or a half: a lecture says "90 seconds", not "0.025
hours" (nor "1500000 millimetres"). A query without a number and a unit next to it is left alone.
"""

from __future__ import annotations

import re

# unit as written -> (kind, size in the kind's smallest unit)
_SIZES = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), ("time", 1)),
    **dict.fromkeys(("min", "mins", "minute", "minutes"), ("time", 60)),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), ("time", 3600)),
    **dict.fromkeys(("mm", "millimetre", "millimetres", "millimeter", "millimeters"), ("length", 1)),
    **dict.fromkeys(("cm", "centimetre", "centimetres", "centimeter", "centimeters"), ("length", 10)),
    **dict.fromkeys(("m", "metre", "metres", "meter", "meters"), ("length", 1000)),
    **dict.fromkeys(("km", "kilometre", "kilometres", "kilometer", "kilometers"), ("length", 1_000_000)),
    **dict.fromkeys(("g", "gram", "grams"), ("mass", 1)),
    **dict.fromkeys(("kg", "kilogram", "kilograms"), ("mass", 1000)),
}
# the words a converted quantity is written in, per kind: (size, singular, plural)
_NAMES = {
    "time": ((1, "second", "seconds"), (60, "minute", "minutes"), (3600, "hour", "hours")),
    "length": ((1, "millimetre", "millimetres"), (10, "centimetre", "centimetres"), (1000, "metre", "metres"),
               (1_000_000, "kilometre", "kilometres")),
    "mass": ((1, "gram", "grams"), (1000, "kilogram", "kilograms")),
}
# units a slide writes as one letter ("1000 m", "2000 g"), which ranking/aliases.py does not tie to their
# words ("m" is also the "m" of "I'm"): a converted quantity in one of these is searched as written so too
_SYMBOLS = {("length", 1000): "m", ("mass", 1): "g"}
# a number, then a unit: apart ("2 minutes", "5 s") or glued ("10km", "90min"); a glued "s" is a decade
_QUANTITY = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(?:\s+(%s)|(%s))\b" % (
    "|".join(sorted(_SIZES, key=len, reverse=True)),
    "|".join(u for u in sorted(_SIZES, key=len, reverse=True) if u != "s")), re.IGNORECASE)
MAX_FORMS = 4  # other ways of writing the query's quantities, at most
MAX_AMOUNT = 10_000  # a converted amount above this is not how anyone says it


def _number(value: float) -> str | None:
    """A converted amount as a lecture would say it (whole, or a half; from a half to ten thousand), None
    for anything else ("1500000 millimetres" is no way to say 1.5 km)."""
    if not 0.5 <= value <= MAX_AMOUNT:
        return None
    if value == int(value):
        return str(int(value))
    return f"{value:g}" if value * 2 == int(value * 2) else None


def unit_forms(query: str) -> list[str]:
    """The query with each quantity it names written with its unit's word when it was abbreviated ("120 s"
    -> "120 seconds") and in the other units of its kind ("2 minutes" -> "120 seconds"; "2 hours" -> "120
    minutes", "7200 seconds"); [] when it names none."""
    forms: list[str] = []
    for match in _QUANTITY.finditer(query):
        written = (match[2] or match[3]).lower()
        kind, size = _SIZES[written]
        amount = float(match[1]) * size
        for other, singular, plural in sorted(_NAMES[kind], key=lambda name: name[0] != size):  # its own first
            said = _number(amount / other) if other != size else match[1]
            if said is None:
                continue
            for unit in (singular if said == "1" else plural, _SYMBOLS.get((kind, other))):
                if unit and (other != size or unit != written):  # "120 s" is "120 seconds" too
                    forms.append(f"{query[:match.start()]}{said} {unit}{query[match.end():]}")
    return forms[:MAX_FORMS]
