"""From the ranker's chosen spans to Moments: what each channel matched, the text shown, and where in
the span the words matched.

A moment is a whole section (a slide's time, or a stretch of talk between topic changes), which in a
real lecture can run for minutes; "open at the right second" needs more than its start. So each
moment also carries its *hit*: the time of the strongest matched words inside it, the best speech hit
(transcript or lexical, whichever scored higher) whose middle lies in the span, else the slide text's;
clipped to the span. A speech hit is a chunk of 10-30 s: within it the sentence that shares the most
words with the query is the hit (from its first word's start to its last word's end, as the page's
transcript panel gives them; by its share of the chunk's characters in indexes without word times); a
query that shares no word with any keeps the chunk. A player
can start there, or offer it next to the section's start.
"""

from __future__ import annotations

from momentsearch.ranking.fusion import Candidates, ChannelHits, Fused
from momentsearch.ranking.lexical import tokenize
from momentsearch.ranking.slide_lexical import deck_backing, parse_lines
from momentsearch.search.corpus import Corpus, other_copies
from momentsearch.transcript import decode_times, sentences
from momentsearch.types import Moment

HIT_CHANNELS = (("transcript", "lexical"), ("ocr",))  # searched in this order: speech first, then slide text


def build_moments(ranking, hits: dict[str, ChannelHits], corpus: Corpus, only_place: bool = False,
                  query: str = "") -> list[Moment]:
    """The chosen candidates of `ranking` (ranking/joint.Ranking) as Moments, best first. `query`: the
    words searched for (the hit's sentence is chosen by them)."""
    cands, fused = ranking.candidates, ranking.fused
    terms = frozenset(tokenize(query))
    moments = []
    for i in ranking.chosen:
        rec = corpus.files[cands.video_ids[i]]
        photo = rec.kind == "photo"
        # the channels the file has (and `place`): a channel it lacks (a video without audio has no speech) is left
        # out of its score's weighted mean (ranking/fusion.fuse), so a "transcript 0.0" would be no part of it
        has = channels_of(rec) | {"place"}
        parts = {name: float(fused.parts[name][i]) for name in fused.parts
                 if name in has or fused.parts[name][i] > 0}
        evidence, by_sound = {}, []
        for name, which in fused.best_hit.items():
            h = which[i]
            # a hit that lies mostly outside the span scored a little, but is not what the span says
            if h >= 0 and cands.starts[i] <= (hits[name].starts[h] + hits[name].ends[h]) / 2 <= cands.ends[i]:
                evidence[name] = hits[name].evidence[h]
                if h < len(hits[name].by_sound) and hits[name].by_sound[h]:
                    by_sound.append(name)
        # the speech shown is the stronger speech hit's, as `hit` is (hit_span): the chunk that says the query's
        # words when the lexical channel scored it above the dense one's chunk
        said = max((n for n in HIT_CHANNELS[0] if evidence.get(n)), key=lambda n: fused.parts[n][i], default=None)
        text = evidence[said] if said else ""
        if only_place and not text:  # found by its place: show how it begins
            text = next((c.text for c in corpus.speech_in(rec.video_id, cands.starts[i], cands.ends[i])), "")
        hit = None if photo else hit_span(i, cands, fused, hits, terms, corpus)
        moments.append(Moment(
            video=rec.path, video_id=rec.video_id, start=0.0 if photo else float(cands.starts[i]),
            end=0.0 if photo else float(cands.ends[i]), score=float(fused.scores[i]), channels=parts,
            text=text or evidence.get("ocr", ""), evidence=evidence, segment_id=evidence.get("visual", ""),
            kind="photo" if photo else "moment", hit_start=hit[0] if hit else None, hit_end=hit[1] if hit else None,
            by_sound=by_sound, copies=other_copies(corpus, rec),
            deck=_deck_page(hits, fused, i, corpus, terms) if "ocr" in evidence else "",
        ))
    return moments


def _deck_page(hits: dict[str, ChannelHits], fused: Fused, i: int, corpus: Corpus, terms: frozenset[str]) -> str:
    """"NAME p. N" when candidate `i`'s slide-text hit matched `terms` that only the lecture's deck gave its entry
    (words OCR did not read on the slide: pipeline/deck_match.py), else ""."""
    which = fused.best_hit.get("ocr")
    h = int(which[i]) if which is not None and "ocr" in hits else -1
    row = corpus.ocr_rows().get(hits["ocr"].ids[h]) if 0 <= h < len(hits["ocr"].ids) else None
    backed = deck_backing(corpus.ocr_meta[row].get("deck")) if row is not None else None
    if not backed or not terms:
        return ""
    lines = parse_lines(corpus.ocr_meta[row].get("lines"))
    own = {w for t, _, a in lines[:len(lines) - backed[2]] for w in tokenize(f"{t} {a}")}
    added = {w for t, _, _ in lines[len(lines) - backed[2]:] for w in tokenize(t)}
    return f"{backed[0]} p. {backed[1]}" if terms & (added - own) else ""


def channels_of(rec) -> set[str]:
    """The channels a file's entries can be found by (a FileRecord's, with the ones searched in its speech)."""
    channels = set(rec.channels)
    if "transcript" in channels:
        channels.add("lexical")
        if "visual" in channels:  # chunks have CLIP text vectors when the file was indexed with CLIP
            channels.add("clip_text")
    return channels


def hit_span(i: int, cands: Candidates, fused: Fused, hits: dict[str, ChannelHits],
             terms: frozenset[str] = frozenset(), corpus: Corpus | None = None) -> tuple[float, float] | None:
    """(start, end) of the strongest matched words inside candidate `i` (see the module docstring), None
    when no speech or slide-text hit lies in it (a moment found by its picture or its place alone).
    `terms`: the query's words (`ranking.lexical.tokenize`), which pick the sentence of a speech hit;
    `corpus`: where the hit chunk's word times are (the sentence timed by them, else by its characters)."""
    lo, hi = float(cands.starts[i]), float(cands.ends[i])
    for group in HIT_CHANNELS:
        best: tuple[float, float, float, str] | None = None
        for name in group:
            which = fused.best_hit.get(name)
            h = int(which[i]) if which is not None and name in hits else -1
            if h < 0:
                continue
            start, end = float(hits[name].starts[h]), float(hits[name].ends[h])
            score = float(fused.parts[name][i])
            if lo <= (start + end) / 2 <= hi and (best is None or score > best[0]):
                text = hits[name].evidence[h] if h < len(hits[name].evidence) else ""
                speech = group is HIT_CHANNELS[0]
                best = (score, start, end, text if speech else "", _times(corpus, hits[name], h) if speech else ())
        if best is not None:
            start, end = _sentence(best[1], best[2], best[3], terms, best[4])
            return max(start, lo), min(end, hi)
    return None


def _times(corpus: Corpus | None, hits: ChannelHits, h: int) -> tuple:
    """The word times of speech hit `h`'s chunk (() when unknown: no corpus, no id, an older index)."""
    row = corpus.chunk_rows().get(hits.ids[h]) if corpus is not None and h < len(hits.ids) else None
    if row is None:
        return ()
    meta = corpus.chunk_meta[row]
    if h >= len(hits.evidence) or hits.evidence[h] != corpus.chunk_text[row]:
        return ()  # the text shown is not the chunk's own: its word times do not apply
    return decode_times(float(meta["start"]), meta.get("words"), corpus.chunk_text[row])


def _sentence(start: float, end: float, text: str, terms: frozenset[str], times=()) -> tuple[float, float]:
    """The sentence of a speech chunk ([start, end], `text`, its words' `times`) sharing the most
    `terms` (the first of equals), or the whole chunk when none shares one."""
    best, most = (start, end), 0
    for s, e, sentence in sentences([(start, end, text, times)]) if terms and text else []:
        shared = len(terms.intersection(tokenize(sentence)))
        if shared > most:
            best, most = (s, e), shared
    return best
