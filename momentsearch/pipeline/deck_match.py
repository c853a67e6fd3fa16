"""Which deck page each slide shown in a recording is, and the page's words that back up what OCR read.

A slide is matched to a page by the words they share, each weighted by how few pages hold it (a word of the
template, on every page, tells nothing), with a word OCR misread ("Recursian") counted as the deck's word it is
one or two letters from. Recall (how much of what OCR read the page holds) must be high enough, so a screen that
is no page of the deck (a terminal, a web page, another deck) matches none; of the pages that pass, the best
balance of recall and precision wins, so a build's shorter page is the one a slide shows before its last bullet.
A page two slides match, each showing lines of it the other does not (a 2-up handout), backs each with its own
lines only. Pages never shown are never used, and a page shown twice backs both slides: nothing is added at a
time the recording did not show a slide, so no slide is invented.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import replace
from difflib import SequenceMatcher
from typing import Sequence

from momentsearch.pipeline.deck_pdf import GLUED_RUN, Deck, DeckPage, deck_beside, deck_words
from momentsearch.pipeline.deck_text import unspaced
from momentsearch.pipeline.ocr import SlideText
from momentsearch.types import DECK_NO_MATCH, DECK_NO_OCR, DECK_READ, DECK_UNUSED

MIN_RECALL = 0.5  # share of a slide's (weighted) words its page must hold
MIN_SHARED = 2  # words of the slide, on at most half the deck's pages, its page must hold (1 for a 1-word slide)
DECK_USE = "deck_use"  # the key of a video's FileRecord.sources that keeps `back_with_deck`'s note
GLUED = 8  # letters and digits a deck line needs to be found in a slide's text read without its spaces
SAME_LINE = 0.6  # character likeness (difflib ratio) at which a deck line is taken for an OCR line it stands for


def match_pages(slides: Sequence[SlideText], deck: Deck) -> list[DeckPage | None]:
    """The page each of `slides` shows, None where no page matches well enough (module docstring). A page comes
    without the lines another slide shows in its place (`_shown_part`: a handout's other slide)."""
    pages = [p for p in deck.pages if p.lines]
    if not pages:
        return [None] * len(slides)
    page_words = [p.words() for p in pages]
    df: dict[str, int] = {}
    for words in page_words:
        for w in words:
            df[w] = df.get(w, 0) + 1
    n = len(pages)
    idf = {w: math.log((n + 1) / c) for w, c in df.items()}
    unknown = math.log(n + 1)  # a word no page has weighs as a word of one page: it speaks against every page
    by_length: dict[int, list[str]] = {}
    for w in df:
        by_length.setdefault(len(w), []).append(w)
    seen: dict[str, str | None] = {}
    reads = [{seen.setdefault(w, _deck_word(w, df, by_length)) or w for t, _, _ in slide.lines for w in deck_words(t)}
             for slide in slides]
    glued = [unspaced(" ".join(t for t, _, _ in slide.lines)) for slide in slides]
    best: list[DeckPage | None] = []
    for words in reads:
        total = sum(idf.get(w, unknown) for w in words)
        distinctive = {w for w in words if w in df and df[w] <= max(1, n // 2)}
        found, found_score = None, 0.0
        for page, pw in zip(pages, page_words):
            shared = words & pw
            kept = sum(idf[w] for w in shared)
            if not total or len(shared & distinctive) < min(MIN_SHARED, len(distinctive)) or not shared & distinctive:
                continue
            recall, precision = kept / total, kept / max(sum(idf[w] for w in pw), 1e-9)
            score = 2 * recall * precision / (recall + precision) if recall + precision else 0.0
            if recall >= MIN_RECALL and score > found_score:
                found, found_score = page, score
        best.append(found)
    best = _without_title_alone(best, reads, glued)
    return [_shown_part(i, page, reads, glued, best) if page is not None else None for i, page in enumerate(best)]


def _without_title_alone(best: list[DeckPage | None], reads: list[set[str]], glued: list[str]) -> list[DeckPage | None]:
    """`best` (each slide's page; `reads`, `glued`: each slide's words and unspaced text) without the page of a
    slide that read words of its title alone (none of the lines under it), all of them in the title of a page whose
    lines under its title another slide read: a section divider ("Part 2: The Calvin Cycle", no page of the deck)
    or a build's first step shows a title without the body, which the recording shows legibly on that other slide.
    The page's body was added to the divider's time as if shown there. A slide whose titles alone are read (a
    camera too far to read any slide's bullets) keeps its page: its body is what the deck is read for."""
    def title(page: DeckPage) -> set[str]:
        return set(deck_words(page.lines[0]))

    bodies = [title(page) for j, page in enumerate(best) if page is not None and _shown(page, reads[j], glued[j]) - {0}]
    return [None if page is not None and len(page.lines) > 1 and (shared := reads[i] & page.words()) <= title(page)
            and any(shared <= shown for shown in bodies) else page for i, page in enumerate(best)]


def _shown(page: DeckPage, read: set[str], glued: str) -> set[int]:
    """Which of `page`'s lines a slide that read the words `read` (`glued`: its text, `unspaced`) shows: those
    whose every word it read, or that it read with their spaces lost ("CellsreleaseitasATP")."""
    return {k for k, line in enumerate(page.lines)
            if set(deck_words(line)) <= read or (len(key := unspaced(line)) >= GLUED and key in glued)}


def _shown_part(i: int, page: DeckPage, reads: list[set[str]], glued: list[str],
                best: list[DeckPage | None]) -> DeckPage:
    """`page` for slide `i` without the lines another slide matched to it shows where slide `i` shows none of
    them (`reads`, `glued`: each slide's words and unspaced text, `best`: each slide's page): a handout's page
    holds two slides, each showing its own half; the other half is not on this slide."""
    own = _shown(page, reads[i], glued[i])
    others = [reads[j] for j, other in enumerate(best)
              if j != i and other is page and not _shown(page, reads[j], glued[j]) & own]
    claimed: set[int] = set()
    theirs = False  # a line no slide read (half its words) goes with the lines before it: a handout's slides are
    #                 blocks of lines
    for k, line in enumerate(page.lines):
        words = set(deck_words(line))
        if k in own or any(2 * len(words & read) >= len(words) for read in (reads[i], *others)):
            theirs = k not in own and _theirs(words, reads[i], others)
        if theirs:
            claimed.add(k)
    return DeckPage(page.number, [line for k, line in enumerate(page.lines) if k not in claimed]) if claimed else page


def _theirs(words: set[str], mine: set[str], others: list[set[str]]) -> bool:
    """Whether a line of `words` is another slide's: one of `others` read half of them or more, and more than
    `mine` (OCR read its words but not all of them: "Posterior is likelihood times", the camera's read)."""
    return any(2 * len(words & read) >= len(words) and len(words & read) > len(words & mine) for read in others)


def _deck_word(word: str, df: dict[str, int], by_length: dict[int, list[str]]) -> str | None:
    """The deck's word `word` is: itself, or the one word one letter from it (two for eight letters or more) that
    OCR misread; None when no deck word is, or several are equally near."""
    if word in df:
        return word
    if len(word) < 4 or not any(c.isalpha() for c in word):
        return None
    most = 2 if len(word) >= 8 else 1
    near = [(d, w) for size in range(len(word) - most, len(word) + most + 1) for w in by_length.get(size, ())
            if (d := _distance(word, w, most)) <= most]
    if not near:
        return None
    nearest = min(d for d, _ in near)
    found = [w for d, w in near if d == nearest]
    return found[0] if len(found) == 1 else None


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of `a` and `b`, or `limit + 1` once it is sure to exceed `limit`."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
        if min(row) > limit:
            return limit + 1
    return row[-1]


def back_with_deck(slides: Sequence[SlideText], deck: Deck | None, min_weight: float) -> tuple[list[SlideText], str]:
    """`slides` with the lines of the deck page each shows that hold a word OCR did not read there, added after
    its own lines: each at the weight of the OCR line it stands for (a misread title stays a title's weight),
    else at `min_weight` (small print OCR could not read); such a slide's `deck` says the page and how many of
    its last lines came from it. And a note for the file's row: how many slides matched which pages, or why the
    deck is not used. No deck: `slides` as they are, ""."""
    if deck is None:
        return list(slides), ""
    if deck.note:
        return list(slides), f"slide deck {deck.name} not used: {deck.note}"
    matches = match_pages(slides, deck)
    out = []
    for slide, page in zip(slides, matches):
        added = _missing_lines(slide, page, min_weight) if page is not None else []
        if added:
            slide = replace(slide, lines=slide.lines + added,
                            deck=json.dumps({"file": deck.name, "page": page.number, "lines": len(added)}))
        out.append(slide)
    shown = sorted({p.number for p in matches if p is not None})
    matched = sum(p is not None for p in matches)
    if not shown:
        return out, f"slide deck {deck.name} not used: {DECK_NO_MATCH} ({len(slides)} slides read)"
    return out, (f"slide deck {deck.name}: {matched} of {len(slides)} slides matched to {len(shown)} of its "
                 f"{len({p.number for p in deck.pages})} pages")  # (a handout's page: a DeckPage a slide)


def _missing_lines(slide: SlideText, page: DeckPage, min_weight: float) -> list[tuple[str, float, str]]:
    read = {w for t, _, _ in slide.lines for w in deck_words(t)}
    glued = unspaced(" ".join(t for t, _, _ in slide.lines))
    added = []
    for line in page.lines:
        if set(deck_words(line)) <= read or (" " not in line and len(key := unspaced(line)) >= GLUED_RUN
                                              and key in glued):  # a line the deck lost its spaces in, shown
            continue
        like = [(SequenceMatcher(None, line.lower(), t.lower()).ratio(), w) for t, w, _ in slide.lines]
        ratio, weight = max(like, default=(0.0, min_weight))
        added.append((line, round(weight if ratio >= SAME_LINE else min_weight, 4), ""))
    return added


def decks_used(results: list, record_of) -> None:
    """Puts right, once a batch is done, the reason of each deck that discovery took as read by its name
    (DECK_READ) and that its video did not use: it was indexed without slide text (DECK_NO_OCR) or no page matched
    a slide it shows (DECK_NO_MATCH). The summary counted such a deck among the decks read, and only the video's
    row said otherwise. `record_of(path)`: a file's FileRecord or None. A deck stays read where a video of the
    batch used it, where its video failed (its row says why), or where the video's record is older than DECK_USE."""
    folders = {os.path.dirname(os.path.realpath(r.path)) for r in results if r.reason == DECK_READ}
    whys: dict[str, list[str]] = {}  # a deck (its real path) -> why each video of its folder read with it did not
    for r in results:  # use it: each video's deck is looked for once (each deck looked for all: decks x videos)
        if r.status in ("indexed", "unchanged") and (folder := os.path.dirname(os.path.realpath(r.path))) in folders \
                and (record := record_of(r.path)) is not None and (deck := deck_beside(record.path)) is not None \
                and os.path.dirname(deck := os.path.realpath(deck)) == folder:
            whys.setdefault(deck, []).append(_unused(record))
    for r in results:
        if r.reason == DECK_READ and (unused := whys.get(os.path.realpath(r.path))) and all(unused):
            r.reason = f"{DECK_UNUSED}: {unused[0]}"


def _unused(record) -> str:
    """Why the video of `record` did not use its deck, "" when it did (or its record does not say)."""
    if "ocr" not in record.channels:
        return DECK_NO_OCR
    return DECK_NO_MATCH if f" not used: {DECK_NO_MATCH}" in record.sources.get(DECK_USE, "") else ""
