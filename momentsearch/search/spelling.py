"""Query words typed wrong, put right from the index's own words: "volcanoes scattered randdomly" is
searched as "volcanoes scattered randomly".

A query word of `MIN_LETTERS` letters or more that no indexed text (speech or slide) holds in any of its
forms (its stem, its aliases) becomes:
- its other spelling where the index holds that (British or American: "memorise" where the speech has
  "memorize", "colour" where it has "color": one word either way);
- else, unless it is an English word or one's other spelling (wordninja's list of 126,000: a correct
  word these lectures do not use, "bridge", stays as typed rather than becoming "fridge"), the indexed or
  English word one edit away (a letter dropped, added, replaced, or two neighbours swapped). Of several,
  the one most indexed texts hold beside the query's other words wins ("pimes" beside "multiplying huge":
  "primes", not "times"), then the one the index holds most often, then the commonest English word (a
  paraphrase's word the lectures never use, "inspecion", becomes "inspection");
- else, when no word is one edit away, two indexed words whose space was left out ("carbolicacid").
A word that starts or ends an indexed word glued to another ("trophic" in OCR's "Trophiclevels") is the
index's own word, not a typo (`Vocabulary.glued`).
A word typed in capitals (3 to 6 letters) that the index does not hold is taken for an acronym: it becomes
the phrase whose words' initials spell it ("PED" -> "price elasticity of demand"; "of", "the", "and" ... may
lie between them) that the slides show most often, else one the speech says `ACRONYM_SAID` times or more
(`spelled_out`: a lecture writes the term out and rarely the letters a student types).
Quoted phrases and -words are never touched: they are matched as typed. Words are compared lower-case; the
index's words come from its speech and slide text.
"""

from __future__ import annotations

import os
import re
import shlex
from collections import Counter
from dataclasses import dataclass, replace

from momentsearch.options import MAX_QUERY_CHARS
from momentsearch.ranking.english import english_words
from momentsearch.ranking.accents import fold
from momentsearch.ranking.lexical import STOPWORDS, camel_split, normalise, query_terms, stem
from momentsearch.search.asking import asked_for

MIN_LETTERS = 5
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
ACRONYM_SAID = 3  # a phrase only the speech holds must be said this often to stand for an acronym typed
_BETWEEN = r"[\s/-]+(?:(?:of|the|and|for|in|on|to|a|an|&)[\s/-]+)?"  # between the words an acronym skips
# a word an acronym's first or last letter does not stand for ("OTP" is no "on third parties"; "WTP",
# "willingness to pay", has one inside)
_SMALL = (r"(?!(?:of|the|and|for|in|on|to|a|an|at|by|or|is|it|as|we|be|are|was|with|from|this|that|our|you|your"
          r"|not|but|so|if|do|can|will|has|have)\b)")


@dataclass(frozen=True)
class Spelling:
    """A query as searched: `text` with each (typed, searched) pair of `changes` put right."""

    text: str
    changes: tuple[tuple[str, str], ...] = ()
    left_out: int = 0  # words past the end of a query longer than MAX_QUERY_CHARS: not searched
    searched_in: str = ""  # the path of the one file a lecture named in the query stands for (search/lectures.py)
    lecture: str = ""  # ... and the words that named it ("week 3"), not searched; or those of `could_be`
    could_be: tuple[str, ...] = ()  # the paths of the files a lecture named in the query could be, when several

    def note(self) -> str:
        """One line for a front door ("" when nothing changed)."""
        notes = []
        if self.left_out:
            notes.append(f"Only the first {MAX_QUERY_CHARS:,} characters of the query were searched: its last "
                         f"{self.left_out:,} word{'s were' if self.left_out > 1 else ' was'} left out; put what "
                         "to find first, or shorten it.")
        if self.changes:
            typed = ", ".join(repr(t) for t, _ in self.changes)
            notes.append(f"Searched for {self.text!r}: {typed} {'is' if len(self.changes) == 1 else 'are'} in no "
                         'indexed speech or slide text; put a word in "quotes" to search it as typed.')
        if self.searched_in:
            notes.append(f"Searched in {os.path.basename(self.searched_in)} only, the lecture the query names "
                         f"({self.lecture!r}), for {self.text!r}; search {self.text!r} alone to search every file.")
        if self.could_be:
            names = [os.path.basename(p) for p in self.could_be]
            notes.append(f"{self.lecture!r} could be {', '.join(names[:-1])} or {names[-1]}, so every file was "
                         f"searched; to search one, add --in with its path (--in {shlex.quote(self.could_be[0])}) "
                         "or name it more closely.")
        return " ".join(notes)

    def to_json(self) -> dict:
        """{"searched_for", "corrected": [[typed, searched], ...]} when a word changed, {"left_out_words": N} when
        the query was cut, {"searched_for", "searched_in": path, "named_lecture": words} when it named one file (search/
        lectures.py), {"lecture_could_be": paths, "ambiguous_lecture": words} when it could be several, else {}."""
        out = {"left_out_words": self.left_out} if self.left_out else {}
        if self.searched_in:
            out |= {"searched_in": self.searched_in, "named_lecture": self.lecture}
        if self.could_be:
            out |= {"lecture_could_be": list(self.could_be), "ambiguous_lecture": self.lecture}
        changed = self.changes or self.searched_in
        return {"searched_for": self.text, "corrected": [list(c) for c in self.changes], **out} if changed else out


class Vocabulary:
    """The index's words (lower case, letters only) with their counts."""

    def __init__(self, texts) -> None:
        counts = Counter(_WORD.findall(fold(" ".join(texts)).lower()))  # one pass: 1.8 s for 40,000 texts of 60 words
        self.counts = Counter({w: n for w, n in counts.items() if len(w) >= 3})

    def glued(self, word: str) -> bool:
        """Whether `word` starts or ends an indexed word whose rest is an indexed or English word: OCR read
        "Trophic levels" as "trophiclevels", so "trophic" is the slide's word, no typo to put right."""
        english = english_words()
        return any(len(w) >= len(word) + 3 and (w[len(word):] in self.counts or w[len(word):] in english)
                   for w in self.counts if w.startswith(word)) or \
            any(len(w) >= len(word) + 3 and (w[:-len(word)] in self.counts or w[:-len(word)] in english)
                for w in self.counts if w.endswith(word))

    def same_word(self, word: str) -> str | None:
        """The indexed spelling of `word` from the other side of the Atlantic (`other_spellings`), or None."""
        same = [w for w in other_spellings(word) if w in self.counts]
        return max(same, key=lambda w: (self.counts[w], w)) if same else None

    def umlauts_typed(self, word: str) -> str | None:
        """`word` typed with ae / oe / ue for ä / ö / ü ("waermeuebertragung", "groesse"), as the index holds it
        with its accents left out ("warmeubertragung", "grosse"), or None."""
        plain = re.sub(r"(?<=[aou])e", "", word)
        return plain if plain != word and plain in self.counts else None

    def best(self, word: str, together=None) -> str | None:
        """The word one edit from `word` (a letter dropped, added, replaced, two neighbours swapped) that is
        most likely meant: the one most indexed texts hold beside the query's other words (`together(w)`:
        that count), then the one the index holds most often, then the commonest English word. When no indexed
        or English word is one edit away: `split` (two words whose space was left out), else None."""
        english = english_words()
        near = sorted(w for w in _edits(word) if w in self.counts or w in english)
        if not near:
            return self.split(word)
        return max(near, key=lambda w: (together(w) if together and w in self.counts else 0, self.counts.get(w, 0),
                                        -english.get(w, 99.0)))

    def split(self, word: str) -> str | None:
        """`word` as two indexed words whose space was left out ("carbolicacid" -> "carbolic acid"), the pair
        the index holds most often (its rarer word counts); None when no split gives two indexed words."""
        pairs = [(word[:i], word[i:]) for i in range(3, len(word) - 2)]
        pairs = [(a, b) for a, b in pairs if a in self.counts and b in self.counts]
        if not pairs:
            return None
        a, b = max(pairs, key=lambda p: (min(self.counts[p[0]], self.counts[p[1]]), p))
        return f"{a} {b}"


def spelled_out(acronym: str, slides: list[str], speech: list[str]) -> str | None:
    """The phrase (lower case) whose words' initials spell `acronym`, small words between them skipped: the
    one the `slides` hold most often, else one the `speech` holds ACRONYM_SAID times or more; None if none."""
    letters = acronym.lower()
    words = [(_SMALL if i in (0, len(letters) - 1) else "") + f"{re.escape(c)}[^\\W\\d_]+"
             for i, c in enumerate(letters)]
    pattern = re.compile(r"\b" + _BETWEEN.join(words) + r"\b", re.IGNORECASE)
    for texts, least in ((slides, 1), (speech, ACRONYM_SAID)):
        found = Counter(re.sub(r"\s+", " ", m.group(0).lower()) for t in texts for m in pattern.finditer(t))
        if found and max(found.values()) >= least:
            return max(found, key=lambda p: (found[p], p))
    return None


def correct(text: str, vocabulary: Vocabulary, unknown: set[str], keep: frozenset[str] = frozenset(),
            together=None, guess: bool = True, acronym=None) -> Spelling:
    """`text` with its misspelt words put right (module doc). `unknown`: the query's stemmed terms that no
    indexed text holds (`LexicalIndex.unknown_terms`); `keep`: words never to change (those of quoted phrases);
    `together(word, others)`: how many indexed texts hold `word` beside one of the stemmed terms `others`,
    which picks among a typo's neighbours the one the rest of the query goes with ("pimes" beside "multiplying
    huge": "primes", not "times"); `guess`: whether a word one edit away may replace one typed (off where no
    indexed speech is English: "welchen" is no typo of the indexed "welchem", nor "Druck" of "duck");
    `acronym(word)`: the phrase a word typed in capitals stands for (`spelled_out`), or None."""
    english = english_words()
    others = [t for t in query_terms(text) if t not in unknown]
    pick = (lambda w: together(w, others)) if together is not None and others else None
    changes: list[tuple[str, str]] = []
    pieces: list[str] = []
    last = 0
    for m in _WORD.finditer(text):
        word = m.group(0)
        low = fold(word).lower()
        right = None
        if acronym is not None and word.isupper() and 3 <= len(word) <= 6 and low not in keep \
                and stem(normalise(low)) in unknown:
            right = acronym(word)
        if right is None and len(low) >= MIN_LETTERS and low not in STOPWORDS and low not in keep \
                and stem(normalise(low)) in unknown:
            spelt = low in english or any(w in english for w in other_spellings(low)) \
                or vocabulary.glued(low)  # "memorise", "trophic" (in an OCR's "trophiclevels"): no typo
            right = vocabulary.same_word(low) or vocabulary.umlauts_typed(low) or \
                (None if spelt or not guess else vocabulary.best(low, pick))
        if right is not None:
            pieces.append(text[last:m.start()])
            pieces.append(right.capitalize() if word[:1].isupper() and not word.isupper() else right)
            last = m.end()
            if (word, right) not in changes:
                changes.append((word, right))
    pieces.append(text[last:])
    return Spelling("".join(pieces), tuple(changes)) if changes else Spelling(text)


# British and American endings of one word ("organise" / "organize", "colour" / "color", "centre" / "center",
# "modelling" / "modeling"): either way round, a query's spelling and the recogniser's (Whisper writes mostly
# American) are one word
_ENDINGS = [("isation", "ization"), ("isations", "izations"), ("ise", "ize"), ("ised", "ized"), ("ises", "izes"),
            ("ising", "izing"), ("iser", "izer"), ("isers", "izers"), ("yse", "yze"), ("ysed", "yzed"),
            ("ysing", "yzing"), ("our", "or"), ("ours", "ors"), ("oured", "ored"), ("ouring", "oring"),
            ("ourite", "orite"), ("tre", "ter"), ("tres", "ters"), ("lled", "led"), ("lling", "ling"),
            ("ller", "ler"), ("ence", "ense"), ("ogue", "og"), ("ogues", "ogs"), ("mme", "m"), ("mmes", "ms")]


def other_spellings(word: str) -> set[str]:
    """`word` spelt the other side of the Atlantic: its ending swapped ("analyse" -> "analyze", "color" ->
    "colour"), and "ae" / "oe" inside it written "e" ("paediatric" -> "pediatric")."""
    out = set()
    for british, american in _ENDINGS:
        for a, b in ((british, american), (american, british)):
            if word.endswith(a) and len(word) > len(a) + 2:
                out.add(word[:-len(a)] + b)
    for pair in ("ae", "oe"):
        if pair in word[1:]:
            out.add(word[0] + word[1:].replace(pair, "e"))
    out.discard(word)
    return out


def _edits(word: str) -> set[str]:
    """Every string one edit from `word` (Norvig's spelling corrector): its letters and a-z."""
    letters = set("abcdefghijklmnopqrstuvwxyz") | set(word)
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in letters}
    out |= {a + c + b for a, b in splits for c in letters}
    out.discard(word)
    return out


def searched(parsed, corpus, spelling: bool = True, left_out: int = 0) -> Spelling:
    """What the channels rank for a parsed query (search/query.py) on `corpus` (search/corpus.py): its words
    without a request around them (search/asking.py), typos put right unless `spelling` is off. `left_out`: the
    words its cut to MAX_QUERY_CHARS dropped (query.left_out_words), for the note."""
    text = asked_for(parsed.text)
    unknown = corpus.unknown_terms(text) if spelling and (corpus.chunk_text or corpus.ocr_text) else set()
    unknown -= _known_split(text, unknown, corpus)
    if not unknown:
        return Spelling(text, left_out=left_out)
    keep = frozenset(w for p in parsed.phrases for w in p.split())
    return replace(correct(text, corpus.vocabulary(), unknown, keep, corpus.together, guess=corpus.english(),
                           acronym=corpus.spelled_out), left_out=left_out)


def _known_split(text: str, unknown: set[str], corpus) -> set[str]:
    """The `unknown` terms of camelCase words whose split pieces the index holds: slide OCR stores "HashMap" as
    "Hash Map" and Whisper says "hash map", so a typed "HashMap" is no typo (the lexical channels search its
    split form, ranking/forms.py); it was "corrected" to "Hash map" with a note that no slide held it."""
    known: set[str] = set()
    for word in _WORD.finditer(text):
        terms = set(query_terms(word.group(0))) & unknown
        if terms and (split := camel_split(word.group(0))) != word.group(0) and not corpus.unknown_terms(split):
            known |= terms
    return known
