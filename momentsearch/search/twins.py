"""Twin recordings: one lecture indexed as two files that share no entries (a copy trimmed at the start, one with
another intro, an encoding indexed by itself with `--reindex`, a re-upload with the intro cut). Their speech is the
same at one constant shift in time, so every query found each moment twice, once per file, and the copies pushed
other lectures' moments off the first page.

Found from the stored transcript, once per corpus (index generation): each file's speech as runs of SHINGLE words
(their hashes, and when the first word is said: the stored word times, else the chunk's time spread over its words),
runs said once in the file. Two files are twins when most of the runs of each (TWIN_SHARE) are said in the other at
one shift (within SHIFT_SLACK seconds, drifting by MAX_DRIFT at most), and those runs stretch over most of each file's
speech (SPAN_SHARE). Lectures of one course sharing an intro, a recap or a joke share a few runs, at one shift but over
a short stretch; one script read again is said at a pace of its own, drifting: neither is a twin. A file is
fingerprinted once per process (by its video id and its chunks), so a new generation costs the new files and one sort
of the runs (75 minutes of speech, 8 files: about 20 ms the first time, under 1 ms after). The pairs found are kept in
the search cache (`twins-<key>.json`, keyed as the cached corpus is by the index's state), so a new process (each
`momentsearch search`) reads them instead of fingerprinting every file again (2.7 s at 100 hours).

After ranking, `fold` keeps the first (best) of a moment and its twin's (the same stretch of the lecture, shifted),
and names the twin's file and the moment's start there in the one kept (`Moment.copies`, `Moment.copies_at`); a
moment in a stretch both files hold names the other file even when its own moment did not rank."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, replace

import numpy as np

from momentsearch.search import cache as corpus_cache
from momentsearch.search.corpus import Corpus, other_copies
from momentsearch.transcript import decode_times
from momentsearch.types import Moment, TranscriptChunk

SHINGLE = 4  # words per run compared (two encodings' transcripts differ here and there by a word)
REPEAT_SLACK = 2.0  # seconds; a run found again this close (overlapping chunks) is said once, else it is ambiguous
SHIFT_SLACK = 1.5  # seconds two files' times of one run may differ from their shift (word times move a little)
MAX_DRIFT = 1.0  # seconds the shift may drift from the first run at it to the last (a pace of its own drifts more)
MIN_AGREE = 12  # runs at least, said in both at one shift: fewer tell nothing (a greeting, a joke)
TWIN_SHARE = 0.5  # least share of each file's runs said in the other at the shift
SPAN_SHARE = 0.6  # least share of each file's speech (first to last word) the runs at the shift stretch over
MAX_HOLDERS = 8  # a run said in more files than this ("in this lecture we") is no sign of a twin
FOLD_OVERLAP = 0.5  # least share of the shorter of two twins' moments that overlaps the other's, shifted
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd multiplier that spreads the word hashes of a run over 64 bits
KEPT_VERSION = 1  # of the pairs kept on disk: bump when `fingerprint` or `find_twins` change other than by a constant
_KEPT_PARAMS = [SHINGLE, REPEAT_SLACK, SHIFT_SLACK, MAX_DRIFT, MIN_AGREE, TWIN_SHARE, SPAN_SHARE, MAX_HOLDERS]


@dataclass(frozen=True)
class Twin:
    """Another file holding the same recording as this one, shifted."""

    video_id: str  # the other file's
    shift: float  # seconds: time t in this file is t + shift in the other
    start: float  # seconds in this file: where the two files' speech agrees, from the first run at the shift
    end: float  # ... to the last (a trimmed intro, another intro, a cut ending lie outside)

    def holds(self, start: float, end: float) -> bool:
        """Whether the moment [start, end) of this file lies where the two agree (its middle does)."""
        return self.start - SHIFT_SLACK <= (start + end) / 2 <= self.end + SHIFT_SLACK


Print = tuple[np.ndarray, np.ndarray]  # (uint64 hashes of the runs said once, the seconds they begin at)


def fingerprint(chunks: list[TranscriptChunk]) -> Print:
    """The runs of SHINGLE words said once in a file's speech (`chunks` by start), and when each begins."""
    words: list[int] = []
    times: list[float] = []
    for c in chunks:
        said = c.text.split()
        timed = decode_times(c.start, c.word_times, c.text)
        for i, word in enumerate(said):
            word = "".join(ch for ch in word.lower() if ch.isalnum())
            if word:
                words.append(zlib.crc32(word.encode("utf-8", "surrogateescape")))
                times.append(timed[i][0] if timed else c.start + (c.end - c.start) * i / len(said))
    n = len(words) - SHINGLE + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0)
    ids = np.asarray(words, dtype=np.uint64)
    hashes = np.zeros(n, dtype=np.uint64)
    for j in range(SHINGLE):  # wraps around at 2**64, as a hash may
        hashes = hashes * _MIX + ids[j:j + n]
    return _said_once(hashes, np.asarray(times[:n], dtype=np.float64))


def _said_once(hashes: np.ndarray, times: np.ndarray) -> Print:
    """The runs whose every saying lies within REPEAT_SLACK of the first (overlapping chunks say a few words twice),
    at their first time; a run said again later (a recap, a refrain) is left out: its shift would be ambiguous."""
    order = np.lexsort((times, hashes))
    hashes, times = hashes[order], times[order]
    first = np.flatnonzero(np.r_[True, hashes[1:] != hashes[:-1]])
    last = np.r_[first[1:], hashes.size] - 1
    once = times[last] - times[first] <= REPEAT_SLACK
    return hashes[first[once]], times[first[once]]


class Twins:
    """Every file's twins (`Twin`) in one corpus; empty in an index without any (most)."""

    def __init__(self, pairs: dict[str, list[Twin]] | None = None) -> None:
        self._of = pairs or {}

    def __bool__(self) -> bool:
        return bool(self._of)

    def of(self, video_id: str) -> list[Twin]:
        return self._of.get(video_id, [])

    def widening(self, files) -> int:
        """How many results to rank per result asked for among `files` (video ids): 1 when none has a twin there,
        else one more than the most twins one of them has (each may fold away)."""
        most = max((sum(t.video_id in files for t in self._of[v]) for v in self._of if v in files), default=0)
        return 1 + most

    def to_json(self) -> dict:
        """The pairs as kept on disk (`from_json` reads them back)."""
        pairs = {v: [[t.video_id, t.shift, t.start, t.end] for t in twins] for v, twins in self._of.items()}
        return {"version": KEPT_VERSION, "params": _KEPT_PARAMS, "pairs": pairs}

    @classmethod
    def from_json(cls, kept, files) -> Twins | None:
        """The twins `to_json` kept, None when they are of another version or made with other constants, or name a
        file not among `files` (video ids: a damaged or foreign file)."""
        try:
            if kept["version"] != KEPT_VERSION or kept["params"] != _KEPT_PARAMS:
                return None
            pairs = {v: [Twin(str(o), float(shift), float(lo), float(hi)) for o, shift, lo, hi in twins]
                     for v, twins in kept["pairs"].items()}
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        if any(v not in files or t.video_id not in files for v, twins in pairs.items() for t in twins):
            return None
        return cls(pairs)


class TwinFinder:
    """Finds the twins of a corpus, keeping each file's fingerprint for this process (by its video id and chunks),
    and the pairs found in `cache_dir` (None: not kept), where another process reads them."""

    def __init__(self, cache_dir: str | None = None) -> None:
        self.cache_dir = cache_dir
        self._prints: dict[tuple, Print] = {}
        self._last: tuple[Corpus, Twins] | None = None  # the twins of the corpus last asked about

    def twins(self, corpus: Corpus) -> Twins:
        """The twins in `corpus`, found once per corpus (a new index generation reads a new one), read from the
        search cache where a process found them at this state of the index."""
        last = self._last
        if last is None or last[0] is not corpus:
            last = self._last = (corpus, self._kept(corpus))
        return last[1]

    def _kept(self, corpus: Corpus) -> Twins:
        if not self.cache_dir:
            return self._find(corpus)
        key = corpus.key or corpus_cache.corpus_key(corpus.generation, corpus.files.values())  # (a corpus not loaded)
        name = f"twins-{key}.json"
        found = Twins.from_json(corpus_cache.load_small(self.cache_dir, name), corpus.files)
        if found is None:
            found = self._find(corpus)
            corpus_cache.save_small(self.cache_dir, name, found.to_json(), "twins-*.json")  # (failing: found again)
        return found

    def _find(self, corpus: Corpus) -> Twins:
        prints: dict[str, Print] = {}
        kept: dict[tuple, Print] = {}
        for video_id, rec in corpus.files.items():
            if rec.kind == "photo" or "transcript" not in rec.channels:
                continue
            chunks = corpus.chunks_of(video_id)
            key = (video_id, len(chunks), chunks[0].id if chunks else "", chunks[-1].id if chunks else "")
            kept[key] = prints[video_id] = self._prints.get(key) or fingerprint(chunks)
        self._prints = kept  # a file gone from the index, or indexed again, drops its old print
        return find_twins(prints)


def find_twins(prints: dict[str, Print]) -> Twins:
    """The twins among files' fingerprints (video id -> `fingerprint`): see the module docstring."""
    videos = [v for v, (h, _) in prints.items() if h.size >= MIN_AGREE]
    if len(videos) < 2:
        return Twins()
    hashes = np.concatenate([prints[v][0] for v in videos])
    times = np.concatenate([prints[v][1] for v in videos])
    owner = np.concatenate([np.full(prints[v][0].size, i) for i, v in enumerate(videos)])
    order = np.argsort(hashes, kind="stable")
    hashes, times, owner = hashes[order], times[order], owner[order]
    starts = np.r_[True, hashes[1:] != hashes[:-1]]
    group = np.cumsum(starts) - 1
    few = (np.bincount(group) <= MAX_HOLDERS)[group]
    a_rows, b_rows = [], []
    for d in range(1, MAX_HOLDERS):  # a run's holders lie next to each other: pair each with the d-th after it
        same = (hashes[:-d] == hashes[d:]) & few[:-d]
        a_rows.append(np.flatnonzero(same))
        b_rows.append(a_rows[-1] + d)
    a, b = np.concatenate(a_rows), np.concatenate(b_rows)
    if not a.size:
        return Twins()
    swap = owner[a] > owner[b]
    a, b = np.where(swap, b, a), np.where(swap, a, b)
    by_pair = np.lexsort((owner[b], owner[a]))
    a, b = a[by_pair], b[by_pair]
    firsts = np.flatnonzero(np.r_[True, (owner[a][1:] != owner[a][:-1]) | (owner[b][1:] != owner[b][:-1])])
    ends = np.r_[firsts[1:], a.size]
    sizes = np.asarray([prints[v][0].size for v in videos])
    # too few shared runs for a twin, whatever their shift: most pairs (a course's lectures), left out at once
    enough = ends - firsts >= np.maximum(MIN_AGREE, TWIN_SHARE * np.maximum(sizes[owner[a[firsts]]],
                                                                            sizes[owner[b[firsts]]]))
    out: dict[str, list[Twin]] = {}
    for lo, hi in zip(firsts[enough].tolist(), ends[enough].tolist()):
        first, second = videos[owner[a[lo]]], videos[owner[b[lo]]]
        found = _twin_pair(times[a[lo:hi]], times[b[lo:hi]], prints[first][1], prints[second][1])
        if found is not None:
            shift, (lo_a, hi_a), (lo_b, hi_b) = found
            out.setdefault(first, []).append(Twin(second, shift, lo_a, hi_a))
            out.setdefault(second, []).append(Twin(first, -shift, lo_b, hi_b))
    return Twins(out)


def _twin_pair(ta: np.ndarray, tb: np.ndarray, all_a: np.ndarray, all_b: np.ndarray):
    """(shift, agreeing stretch in a, in b) when the runs two files share (said at `ta` in one, `tb` in the other)
    make them twins (`all_a`, `all_b`: the times of every run of each), else None."""
    shifts = tb - ta
    ordered = np.sort(shifts)
    within = np.searchsorted(ordered, ordered + 2 * SHIFT_SLACK, side="right") - np.arange(ordered.size)
    best = int(np.argmax(within))
    shift = float(np.median(ordered[best:best + within[best]]))
    agree = np.abs(shifts - shift) <= SHIFT_SLACK
    n = int(agree.sum())
    if n < MIN_AGREE or n < TWIN_SHARE * max(all_a.size, all_b.size):
        return None
    slope = np.polyfit(ta[agree], shifts[agree], 1)[0]  # one recording keeps its shift; one script read again drifts
    if abs(slope) * float(np.ptp(ta[agree])) > MAX_DRIFT:
        return None
    stretch_a = (float(ta[agree].min()), float(ta[agree].max()))
    stretch_b = (float(tb[agree].min()), float(tb[agree].max()))
    for (lo, hi), every in ((stretch_a, all_a), (stretch_b, all_b)):
        if hi - lo < SPAN_SHARE * (float(every.max()) - float(every.min())):
            return None
    return shift, stretch_a, stretch_b


def fold(moments: list[Moment], twins: Twins, corpus: Corpus) -> list[Moment]:
    """`moments` (best first) with each moment of a twin file that is the same stretch of the lecture as a better one
    left out, and every moment naming its twins' files and its start there (`copies`, `copies_at`). Unchanged where
    no file of them has a twin."""
    if not twins:
        return moments
    kept: list[Moment] = []
    for m in moments:
        if not any(_same_stretch(k, m, twins) for k in kept):
            kept.append(m)
    return [_named_twins(m, twins, corpus) for m in kept]


def _same_stretch(kept: Moment, m: Moment, twins: Twins) -> bool:
    """Whether `m` is `kept`'s moment in a twin file: where the two agree, overlapping it once shifted."""
    for twin in twins.of(kept.video_id):
        if twin.video_id == m.video_id and twin.holds(kept.start, kept.end):
            start, end = kept.start + twin.shift, kept.end + twin.shift
            overlap = min(end, m.end) - max(start, m.start)
            shorter = min(end - start, m.end - m.start)
            if overlap > 0 and overlap >= FOLD_OVERLAP * shorter:
                return True
    return False


def _named_twins(m: Moment, twins: Twins, corpus: Corpus) -> Moment:
    """`m` naming the files of its twins (and their identical copies) where the moment lies in them, with its
    start there, clipped to the file's length, and the twin's video id."""
    copies, at, ids = list(m.copies), dict(m.copies_at), dict(m.copies_ids)
    for twin in twins.of(m.video_id):
        rec = corpus.files.get(twin.video_id)
        if rec is None or not twin.holds(m.start, m.end):
            continue
        start = round(min(max(0.0, m.start + twin.shift), rec.duration or float("inf")), 3)
        for path in [rec.path, *other_copies(corpus, rec)]:
            if path != m.video and path not in at:
                copies += [path] * (path not in copies)
                at[path], ids[path] = start, twin.video_id
    return replace(m, copies=copies, copies_at=at, copies_ids=ids) if at != m.copies_at else m
