"""Slide text: OCR on keyframes and lasting views, one weighted text per slide shown, repeats merged.

A slide's words are often the best evidence of what a stretch of a lecture is about, and often never
spoken. Keyframes are read (a few a minute at most; one like the previous reuses its text), each line
weighted by its confidence and size, so a title counts more than small print. Neighbouring segments
with the same text (periodic keyframes of a long slide, a build adding a bullet) become one entry.
Every picture that stayed on screen is read, not only one per visual segment: a segment's *views*
(pictures that differ by less than a cut) that lasted `MIN_VIEW` seconds too, and a change of text,
between two of them or inside one (`slide_reads`), is itself a cut (`slide_cuts.split_at_text_changes`): no
slide's text is skipped because the picture detector missed it. A cut with the same slide read on
both sides is undone (`slide_cuts.merge_same_slide`).

The recogniser often drops the spaces of English text ("ProjectRoadmap", "captureslight");
`ocr_spaces.restore_spaces` puts them back (camelCase, punctuation, then a word-frequency splitter with
guards), and each line keeps its unsplit form too, so lexical search matches either.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from momentsearch.models.ocr import OcrLine
from momentsearch.options import OcrOptions
from momentsearch.pipeline.deck_text import in_reading_order, line_key, moved, new_lines, unspaced, without_repeated
from momentsearch.pipeline.ocr_spaces import clean_line, read_eszett, restore_spaces, unglue
from momentsearch.pipeline.picture import same_picture
from momentsearch.pipeline.slide_reads import read_pictures
from momentsearch.ranking.lexical import tokenize
from momentsearch.ranking.slide_lexical import LINE_JOIN, TITLE_SHARE, deck_backing
from momentsearch.store.ids import entry_id
from momentsearch.types import VisualSegment

@dataclass
class SlideText:
    """The text of one slide (or photo) over [start, end] seconds. Lines are in reading order."""

    start: float
    end: float
    lines: list[tuple[str, float, str]] = field(default_factory=list)  # (text, weight 0..1, unsplit form or "")
    # the unsplit form is the line with only camelCase / punctuation spaces restored ("Project Roadmap"
    # where the text says "Project Road map"), so lexical search matches the word as printed
    places: dict[str, tuple[float, ...]] = field(default_factory=dict)  # where the lines stood, as far as
    # known: `deck_text.line_key` of a line -> its box's centre and height (`OcrLine.place`)
    deck: str = ""  # JSON {"file", "page", "lines"}: its last `lines` lines are from that page of the lecture's
    # deck (pipeline/deck_match.py), words OCR did not read there; "" when none are

    @property
    def text(self) -> str:
        """All lines, in reading order: what a result shows."""
        return LINE_JOIN.join(t for t, _, _ in self.lines)

    @property
    def title(self) -> str:
        """The heaviest lines (largest, surest text): usually the slide title. Readouts (`readout`)
        are passed over while there are other lines, however large (a balance's readout "0.2012" above a
        bottle's label, a timer "0:12:46"): a close-up whose display changes under one label is one
        picture, not a new slide per reading. A slide of readouts alone ("1989") keeps them."""
        backed = deck_backing(self.deck)  # the deck's lines back up what OCR read, and are never its title
        own = self.lines[:len(self.lines) - backed[2]] if backed else self.lines
        lines = without_readouts(SlideText(self.start, self.end, own)).lines or own
        if not lines:
            return ""
        top = max(w for _, w, _ in lines)
        return " ".join(t for t, w, _ in lines if w >= TITLE_SHARE * top)

    @property
    def embed_text(self) -> str:
        """What the sentence embedder reads: the title first and again in the text, so it weighs more."""
        title = self.title
        return f"{title}. {self.text}" if title and title != self.text else self.text

    def words(self) -> set[str]:
        return set(self.word_list())

    def word_list(self) -> list[str]:
        return [w.lower() for t, _, _ in self.lines for w in re.findall(r"[^\W_]+", t)]


def readout(text: str) -> bool:
    """Whether a line is a reading more than words: twice as many digits as letters, two at least ("0.2012",
    "2.6503g", "0:12:46", "1989"; not "Na2C03", "99.9% ACS", "Week 3"). Stricter than the search side's
    `slide_lexical.figures` (fewer than four letters), which a formula read with O as 0 ("Na2C03") passes:
    here a line so judged stops telling two pictures apart."""
    digits = sum(c.isdigit() for c in text)
    return digits >= 2 and digits >= 2 * sum(c.isalpha() for c in text)


def without_readouts(slide: SlideText) -> SlideText:
    """The slide without its readouts' lines (`readout`)."""
    return SlideText(slide.start, slide.end, [line for line in slide.lines if not readout(line[0])])


FROM_CONFIG = object()  # "build the OCR model the config asks for" (None means no OCR)


def make_ocr(config):
    """The OCR model `config.models.ocr` asks for, or None when OCR is off. Cheap: loads nothing."""
    if not config.models.ocr:
        return None
    from momentsearch.models.device import thread_budget
    from momentsearch.models.ocr import OcrModel

    return OcrModel(det_max_side=config.ocr.det_max_side, workers=config.ocr.workers or thread_budget())


# -- weighting ---------------------------------------------------------------------------------
def line_weight(line: OcrLine, options: OcrOptions) -> float:
    """confidence x size factor: text `title_height` tall or taller counts fully, the smallest `min_weight`."""
    size = min(1.0, max(0.0, line.relative_height / options.title_height))
    return float(line.confidence * (options.min_weight + (1.0 - options.min_weight) * size))


def _readable(lines: Sequence[OcrLine], options: OcrOptions) -> list[tuple[OcrLine, tuple[str, float, str]]]:
    """Readable lines, each with its (text with spaces restored, weight, unsplit text when it differs)."""
    out = []
    for line in lines:
        if line.confidence < options.min_confidence or line.relative_height < options.min_text_height:
            continue
        text = read_eszett(clean_line(line.text))
        if sum(ch.isalnum() for ch in text) < 2:
            continue  # a stray "|" or "1" from a chart axis says nothing
        spaced, safe = restore_spaces(text), unglue(text)
        out.append((line, (spaced, round(line_weight(line, options), 4), safe if safe != spaced else "")))
    return out


def weighted_lines(lines: Sequence[OcrLine], options: OcrOptions) -> list[tuple[str, float, str]]:
    """Readable lines as (text with spaces restored, weight, unsplit text when it differs)."""
    return [kept for _, kept in _readable(lines, options)]


def slide_text(start: float, end: float, lines: Sequence[OcrLine], options: OcrOptions) -> SlideText:
    """The readable `lines` of one picture as its text over [start, end], with where they stood."""
    readable = _readable(lines, options)
    keys = [line_key(kept[0]) for _, kept in readable]  # a line read twice (one footer on two screens) has no place
    places = {k: place for k, (line, _) in zip(keys, readable) if keys.count(k) == 1 and (place := line.place)}
    return SlideText(start, end, [kept for _, kept in readable], places)


# -- slides ----------------------------------------------------------------------------------------
MIN_VIEW = 2.0  # seconds; a view inside a segment shorter than this is not read (a passing picture)
MAX_VIEWS = 3  # earlier views read per segment at most (the longest), besides the segment's keyframe


def one_slide(a: SlideText, b: SlideText, threshold: float) -> bool:
    """One slide: words shared (Jaccard) at least `threshold`, or one's words nearly all in the other's
    (a build that added a bullet; a lecturer hiding part of it), or one title (two content words or more)
    and most words (a lecturer in front of other bullets: "Problem set 3 due" / "Problert und"); never
    two titles without a content word in common (two slides of one template repeat its header and
    footer, and a camera may read little else of them)."""
    wa, wb = words_alike(a, b)
    if not wa or not wb or _titles_apart(a, b):
        return False
    shared = len(wa & wb)
    contained = shared / min(len(wa), len(wb))
    return shared / len(wa | wb) >= threshold or contained >= CONTAINED or (
        _same_title(a, b) and contained >= SAME_TITLE_CONTAINED)


def words_alike(a: SlideText, b: SlideText) -> tuple[set[str], set[str]]:
    """The two slides' words, where two or three neighbours in one run together into a word of the other
    read as that word: OCR spaces a small or blurred slide's words one way and then another ("64 km/h" and
    "64km/h", "Aeroelasticflutter"), and two reads of one slide shared too few words to be one; and a word
    cut short where a person stands in front ("Universi") as the other's word it begins (`CUT_WORD`); lines of
    readouts left out (`_lasting_words`)."""
    la, lb = _lasting_words(a), _lasting_words(b)
    wa, wb = _glued(la, set(lb)), _glued(lb, set(la))
    return _completed(wa, wb), _completed(wb, wa)


def _lasting_words(slide: SlideText) -> list[str]:
    """The slide's words but those of readouts (`readout`: a scale's display, a clock, a counter), which
    change while the picture stays, unless it shows nothing else."""
    return without_readouts(slide).word_list() or slide.word_list()


CUT_WORD = 5  # letters a word cut short must keep to be read as the other read's word it begins


def _completed(words: set[str], other: set[str]) -> set[str]:
    longer = sorted(w for w in other - words if len(w) > CUT_WORD)
    return {next((o for o in longer if o.startswith(w)), w) if len(w) >= CUT_WORD and w not in other else w
            for w in words}


def _glued(words: list[str], other: set[str]) -> set[str]:
    out, i = set(), 0
    while i < len(words):
        n = next((n for n in (3, 2) if i + n <= len(words) and "".join(words[i:i + n]) in other), 1)
        out.add("".join(words[i:i + n]))
        i += n
    return out


CONTAINED = 0.85  # share of the smaller word set found in the larger: the same slide, built or hidden
SAME_TITLE_CONTAINED = 0.6  # ... under one title (two slides titled alike share it and the footer, little else)


def _same_title(a: SlideText, b: SlideText) -> bool:
    return len(ta := set(tokenize(a.title))) >= 2 and ta == set(tokenize(b.title))


def pictures(segments: Sequence[VisualSegment]) -> list[VisualSegment]:
    """What OCR reads, in time order: each segment's views that stayed `MIN_VIEW` seconds or more (a
    build step, a slide whose cut was missed; the `MAX_VIEWS` longest), and always the segment's own
    keyframe, over its last view. Each picture spans from the end of the previous one."""
    out: list[VisualSegment] = []
    for seg in segments:
        views = [v for v in list(seg.views)[:-1] if v.keyframe is not None and v.end - v.start >= MIN_VIEW]
        longest = sorted(views, key=lambda v: v.start - v.end)[:MAX_VIEWS]  # OCR costs: the longest few
        start = seg.start
        for view in views:
            if view in longest and view.end > start:
                out.append(VisualSegment(start, view.end, view.keyframe_time, view.keyframe))
                start = view.end
        out.append(VisualSegment(start, seg.end, seg.keyframe_time, seg.keyframe))
    return out


def read_slides(ocr, segments: Sequence[VisualSegment], options: OcrOptions | None = None,
                fetch=None) -> list[SlideText]:
    """Slide text per picture on screen (segments and their lasting views), neighbours with the same
    text merged (a build keeps its fullest text); a picture whose reads showed another slide too is two
    slides, split where the slide changed (`slide_reads.read_pictures`).

    `ocr` has `read(list of RGB arrays) -> list[list[OcrLine]]`. Pictures without a keyframe or the same
    picture as the previous keyframe (`picture.same_picture`) are not read; those without text left out.
    `fetch(times) -> images` gives the pictures sharper than the sampled keyframes (a projected slide's
    bullets are a few pixels high at 320 px); one it cannot give (None) is read from the keyframe."""
    options = options or OcrOptions()
    shown = pictures(segments)
    to_read: list[int] = []
    source: list[int] = []  # per picture: index of the picture whose OCR it uses (-1: none)
    previous = None
    for i, seg in enumerate(shown):
        if seg.keyframe is None:
            source.append(-1)
            continue
        # the same picture stroke for stroke (a periodic keyframe of one slide): reuse its text; a mean
        # grey difference cannot tell two slides of one template apart
        if previous is not None and source and source[-1] >= 0 and same_picture(previous, np.asarray(seg.keyframe)):
            source.append(source[-1])
        else:
            to_read.append(i)
            source.append(i)
        previous = np.asarray(seg.keyframe)

    def same_slide(a: list, b: list) -> bool:  # two reads of one picture: not clearly two slides
        return not another_slide(SlideText(0.0, 0.0, weighted_lines(a, options)),
                                 SlideText(0.0, 0.0, weighted_lines(b, options)))

    changes: dict[int, tuple[float, list]] = {}  # a picture that showed another slide too: when, and its lines
    read = read_pictures(ocr, shown, to_read, fetch, options.extra_reads, same_slide, changes)
    pieces: list[SlideText] = []
    for i, (seg, src) in enumerate(zip(shown, source)):
        lines = read.get(src, []) if src >= 0 else []
        spans = [(float(seg.start), float(seg.end), lines)]
        if i in changes and seg.start < changes[i][0] < seg.end:
            t, other = changes[i]
            first, second = (lines, other) if t > seg.keyframe_time else (other, lines)
            spans = [(float(seg.start), t, first), (t, float(seg.end), second)]
        pieces += [slide_text(start, end, found, options) for start, end, found in spans]
    return merge_neighbours([p for p in pieces if p.lines], options.same_text)


def merge_neighbours(pieces: list[SlideText], threshold: float) -> list[SlideText]:
    """Neighbouring pictures' texts (in time order) that read one slide (`one_slide`) as one entry; of a
    build, the fuller text. They are compared without the lines the recording repeats on most pictures
    (`deck_text.without_repeated`): a video call's share bar, name tiles and course footer are the same
    words on a title slide and the next one, and made them one slide (the title slide's words were never
    stored: `scripts/independent_meeting_class.py`). Two pictures with nothing else are compared whole."""
    slides: list[SlideText] = []
    last_bare = None  # the last entry's text without those lines
    for slide, bare in zip(pieces, without_repeated(pieces)):
        last = slides[-1] if slides else None
        pair = (last_bare, bare) if last is not None and (last_bare.lines or bare.lines) else (last, slide)
        if last is not None and abs(last.end - slide.start) < 1e-6 and one_slide(*pair, threshold) and \
                not moved(*pair):
            last.end = slide.end
            kept, other = (slide, last) if len(slide.words()) > len(last.words()) else (last, slide)
            new = new_lines(other, kept)  # a build keeps the fuller text; a bullet rewritten under one
            # title keeps its words too (they were never stored: scripts/probe_deck_styles.py)
            places = {**{k: v for k, v in other.places.items() if k in {line_key(t) for t, _, _ in new}},
                      **kept.places}
            last.lines, last.places = in_reading_order(kept.lines + new, places), places
            if kept is slide:
                last_bare = bare
        else:
            slides.append(slide)
            last_bare = bare
    return slides


def _titles_apart(a: SlideText, b: SlideText) -> bool:
    """Both slides have a title and the titles share at most half the shorter one's content words: "Price
    Elasticity of Demand" / "Elasticity and Revenue" are two slides, "Elasticity of Demand" one hidden."""
    ta, tb = set(tokenize(a.title)), set(tokenize(b.title))
    if unspaced(a.title) == unspaced(b.title):  # one title spaced two ways ("Aeroelasticflutter")
        return False
    return bool(ta and tb) and len(ta & tb) <= min(len(ta), len(tb)) / 2


def another_slide(a: SlideText, b: SlideText) -> bool:
    """Clearly another slide, not one read differently (a lecturer in front, a camera's blur): titles apart
    or one extending the other ("Exercise 1" / "Exercise 1: Solution"), under a third of the words shared,
    neither holding nearly all the other's (a tab name, then code typed)."""
    wa, wb = words_alike(a, b)
    return bool(wa and wb) and (_titles_apart(a, b) or _title_extended(a, b)) and \
        len(wa & wb) < min(len(wa | wb) / 3, CONTAINED * min(len(wa), len(wb)))


def _title_extended(a: SlideText, b: SlideText) -> bool:
    """One slide's title is the other's with content words added that the other shows nowhere: "Residuals"
    then "Residual Plots", "Exercise 1" then "Exercise 1: Solution" (a deck's next slide often extends the
    title). Only the words decide then (`another_slide`): a lecturer hiding a title's word hides the body's
    words too, and what is left of them is the other read's."""
    ta, tb = set(tokenize(a.title)), set(tokenize(b.title))
    if not ta or not tb or ta == tb:
        return False
    short, long_, other = (ta, tb, a) if len(ta) < len(tb) else (tb, ta, b)
    shown = set(tokenize(" ".join(t for t, _, _ in other.lines)))
    return short <= long_ and not (long_ - short) & shown


def slide_rows(slides: Sequence[SlideText], embedder, video_id: str, path: str, kind: str = "slide"):
    """(ids, vectors, metadatas, documents) for the "ocr" collection: MiniLM vectors of the
    title-weighted text, documents = the text shown, metadata time-aligned like transcript chunks
    plus the weighted lines (JSON) the lexical side reads."""
    if not slides:
        return [], None, [], []
    ids = [entry_id(video_id, kind, s.start, s.end) for s in slides]
    texts = [s.embed_text for s in slides]
    unique = {text: n for n, text in enumerate(dict.fromkeys(texts))}  # a slide split at topics: one text, embedded once
    vectors = np.asarray(embedder.embed_texts(list(unique)))[[unique[text] for text in texts]]
    metas = [{"video_id": video_id, "video": path, "start": float(s.start), "end": float(s.end), "kind": kind,
              "title": s.title, "lines": json.dumps(s.lines, ensure_ascii=False),
              **({"deck": s.deck} if s.deck else {})} for s in slides]
    return ids, vectors, metas, [s.text for s in slides]

