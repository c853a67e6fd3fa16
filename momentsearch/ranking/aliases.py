"""Words that are clearly the same thing written another way: "ch" / "chapter", "vs" / "versus", "9th" /
"ninth", "20" / "twenty", "km" / "kilometres", "λ" / "lambda", "cos" / "cosine".

Slides abbreviate and write digits; speech recognition writes words or digits as it likes; a user types
either. Lexical matching (ranking/lexical.py, ranking/slide_lexical.py) lets a text that holds a query
term only in another of its forms count `ALIAS_SHARE` of that term's weight: the query's own form still
leads a tie, so a query that matches word for word keeps its order. "one" / "1" and "zero" / "0" are left
out ("the one that": a pronoun far more often than a number), and so are one-letter abbreviations ("m" is
also the "m" of "I'm", "p" the "P" of "P-waves", "v" a variable) and "us".
"""

from __future__ import annotations

from momentsearch.ranking.numbers import spell

ALIAS_SHARE = 0.9  # share of a query term's weight that a text holding it in another form gets

_ORDINALS = ("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
             "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth").split()
_SUFFIX = {1: "st", 2: "nd", 3: "rd"}

# a Greek letter on a slide and its name as Whisper writes it or a student types it ("λ" / "lambda"); one
# letter, but none of them a letter of an English word (Σ is σ once lower-cased)
_GREEK = [tuple(pair.split(":")) for pair in """alpha:α beta:β gamma:γ delta:δ epsilon:ε theta:θ lambda:λ mu:μ pi:π
    rho:ρ sigma:σ tau:τ phi:φ chi:χ psi:ψ omega:ω""".split()]

# Groups of words that mean one thing in a lecture (as written: ranking/lexical.py stems them, `aliases`).
GROUPS: list[tuple[str, ...]] = [
    ("chapter", "ch", "chap"), ("versus", "vs"), ("page", "pg", "pp"), ("figure", "fig"),
    ("equation", "eq"), ("section", "sect"), ("lecture", "lec", "lect"), ("example", "eg"),
    ("percent", "pct"), ("second", "sec"), ("minute", "min"), ("hour", "hr"), ("year", "yr"),
    ("millisecond", "ms"), ("nanosecond", "ns"),
    ("kilometre", "kilometer", "km"), ("metre", "meter"), ("centimetre", "centimeter", "cm"),
    ("millimetre", "millimeter", "mm"), ("kilogram", "kg"), ("milligram", "mg"),
    ("hundred", "100"), ("thousand", "1000"), ("million", "1000000"),
    *[(spell(n)[0], str(n)) for n in [*range(2, 20), *range(20, 100, 10)]],
    *_GREEK, ("cosine", "cos"), ("sine", "sin"), ("tangent", "tan"), ("logarithm", "log"),
    ("exponential", "exp"),
    *[(word, f"{n}{_SUFFIX.get(n, 'th')}") for n, word in enumerate(_ORDINALS, start=1)],
]
