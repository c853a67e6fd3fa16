"""Who is speaking: where the voice changes between two sentences (a panel's turns, a question from the hall).

A section of speech was cut only where the topic changed (pipeline/segment.py): in a panel, a seminar or a
lecture's question time, one person's answer ran on into the next person's, and a query for what one of them
said came back as both. Here each word the recogniser heard is summed as cepstra (the shape of the voice's
spectrum, 12 coefficients, 20 ms frames) while its window's audio is in memory (`VoiceTrack.feed`: a few
numbers per word, not the audio); after ASR, each pause between sentences compares the last `SPAN` seconds of
words before it with the first after it by the Bayesian information criterion (one Gaussian for both sides
against one each, per frame; `change_score`). A score over `CHANGE` is another voice. A turn shorter than
`MIN_TURN` seconds ("Right.", "Exactly.") changes nothing; a question (its last sentence ends in "?") of at
most `QUESTION_TURN` seconds goes with the answer after it. No model, no download; the cost is one FFT per
frame of speech.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from momentsearch.types import TranscriptSegment, Word

SAMPLE_RATE = 16000
FRAME, HOP = 400, 320  # 25 ms frames every 20 ms
N_FFT, N_MELS, N_CEPS = 512, 24, 12
BLOCK = 2000  # frames transformed at once
SPAN = 8.0  # seconds of words on each side of a pause that are compared
MIN_FRAMES = 60  # frames of words (1.2 s) each side needs before a pause is judged
CHANGE = 0.25  # score (BIC per frame) above which the voice after a pause is another one
MIN_TURN = 3.0  # seconds; a shorter turn (an interjection) is no turn of its own
QUESTION_TURN = 15.0  # seconds; a question no longer than this opens the section of its answer
NEAR_CUT = 2.0  # seconds; a change of voice this close to a slide change is that change
_TRI = np.triu_indices(N_CEPS)


def _mel_bank() -> np.ndarray:
    def mel(f):
        return 2595.0 * np.log10(1.0 + f / 700.0)

    edges = 700.0 * (10 ** (np.linspace(mel(60.0), mel(7600.0), N_MELS + 2) / 2595.0) - 1.0)
    bins = np.fft.rfftfreq(N_FFT, 1.0 / SAMPLE_RATE)
    lo, mid, hi = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    return np.maximum(0.0, np.minimum((bins - lo) / (mid - lo), (hi - bins) / (hi - mid))).astype(np.float32)


_BANK = _mel_bank()
_DCT = np.cos(np.pi / N_MELS * (np.arange(N_MELS) + 0.5)[None, :]
              * np.arange(1, N_CEPS + 1)[:, None]).astype(np.float32)  # DCT-II rows 1..N_CEPS


def cepstra(samples: np.ndarray) -> np.ndarray:
    """Frames x N_CEPS mel cepstra (c1..c12; c0, the loudness, left out) of 16 kHz mono audio."""
    samples = np.asarray(samples, dtype=np.float32)
    count = 1 + (len(samples) - FRAME) // HOP if len(samples) >= FRAME else 0
    if count <= 0:
        return np.zeros((0, N_CEPS), dtype=np.float32)
    window = np.hamming(FRAME).astype(np.float32)
    out = np.empty((count, N_CEPS), dtype=np.float32)
    for first in range(0, count, BLOCK):  # a block of frames at a time: a 5-minute window needs no 60 MB of FFTs
        index = np.arange(FRAME)[None, :] + HOP * np.arange(first, min(count, first + BLOCK))[:, None]
        power = (np.abs(np.fft.rfft(samples[index] * window, N_FFT)) ** 2).astype(np.float32)
        out[first:first + len(index)] = np.log(power @ _BANK.T + 1e-8) @ _DCT.T
    return out


@dataclass
class VoiceTrack:
    """Per word heard: its time and the sums of its frames' cepstra (count, sum, sum of products)."""

    times: list[tuple[float, float]] = field(default_factory=list)
    stats: list[np.ndarray] = field(default_factory=list)  # one row per window: words x (1 + 12 + 78)

    def feed(self, samples: np.ndarray, start: float, segments: list[TranscriptSegment]) -> None:
        """One window's audio (16 kHz, starting at `start` seconds) and the words heard in it."""
        words = [w for seg in segments for w in seg.words if w.end > w.start]
        if not words:
            return
        frames = cepstra(samples)
        centre = start + (np.arange(len(frames)) * HOP + FRAME / 2) / SAMPLE_RATE
        rows = np.zeros((len(words), 1 + N_CEPS + len(_TRI[0])), dtype=np.float64)
        for n, word in enumerate(words):
            x = frames[np.searchsorted(centre, word.start):np.searchsorted(centre, word.end)].astype(np.float64)
            if len(x):
                rows[n, 0] = len(x)
                rows[n, 1:1 + N_CEPS] = x.sum(0)
                rows[n, 1 + N_CEPS:] = (x.T @ x)[_TRI]
        self.times += [(w.start, w.end) for w in words]
        self.stats.append(rows.astype(np.float32))  # ~360 bytes a word: 11 MB for three hours of talk

    def changes(self, units: list[list[Word]], cuts: list[float] = ()) -> list[float]:
        """Times (mid-pause) where the speaker changes between two of `units` (sentences, in order), turns
        shorter than MIN_TURN left out and a short question kept with its answer; none within NEAR_CUT
        seconds of one of `cuts` (slide changes: the section has its edge there already)."""
        if len(units) < 2 or not self.stats:
            return []
        ends = np.array([t[1] for t in self.times])
        starts = np.array([t[0] for t in self.times])
        sums = np.cumsum(np.vstack(self.stats), axis=0, dtype=np.float64)
        total = np.vstack([np.zeros((1, sums.shape[1])), sums])  # running sums: any run of words in O(1)

        def between(lo: float, hi: float) -> np.ndarray:
            return total[np.searchsorted(ends, hi, "right")] - total[np.searchsorted(starts, lo, "left")]

        def pause(i: int) -> float:
            return (units[i - 1][-1].end + units[i][0].start) / 2

        def differ(lo: float, at: float, after: float | None = None) -> bool:
            """Whether the words from `lo` to `at` (their last SPAN seconds) and those from `after` (`at`) on
            are two voices."""
            after = at if after is None else after
            return change_score(between(max(lo, at - SPAN), at), between(after, after + SPAN)) > CHANGE

        turns = [0]  # the unit each turn starts with
        for i in range(1, len(units)):
            if differ(units[turns[-1]][0].start, pause(i)):
                turns.append(i)
        return [t for t in _kept_turns(units, turns, differ) if all(abs(t - c) > NEAR_CUT for c in cuts)]


def _kept_turns(units: list[list[Word]], turns: list[int], differ) -> list[float]:
    """The pauses before each turn but the first: a turn shorter than MIN_TURN (an interjection) joins the
    turn before, and the voice after it is judged again against that turn's; a question of at most
    QUESTION_TURN seconds goes with the answer after it."""
    bounds = [*turns, len(units)]
    kept = [0]
    skipped = None  # the first unit of interjections left out since the last kept turn
    for a, b in zip(bounds[1:], bounds[2:]):
        if units[b - 1][-1].end - units[a][0].start < MIN_TURN:
            skipped = a if skipped is None else skipped
            continue
        if skipped is not None and not differ(units[kept[-1]][0].start, units[skipped - 1][-1].end,
                                              units[a][0].start):
            skipped = None
            continue
        skipped = None
        kept.append(a)
    edges: list[float] = []
    for prev, a in zip(kept, kept[1:]):
        last = units[a - 1][-1]
        if not (last.word.rstrip().endswith("?") and last.end - units[prev][0].start <= QUESTION_TURN):
            edges.append(round((units[a - 1][-1].end + units[a][0].start) / 2, 3))
    return edges


def change_score(a: np.ndarray, b: np.ndarray) -> float:
    """BIC for two voices against one, per frame, from two sums of frames (count, sum, sum of products);
    -inf when either side has fewer than MIN_FRAMES frames."""
    if a[0] < MIN_FRAMES or b[0] < MIN_FRAMES:
        return float("-inf")

    def logdet(s: np.ndarray) -> float:
        n, mean = s[0], s[1:1 + N_CEPS] / s[0]
        products = np.zeros((N_CEPS, N_CEPS))
        products[_TRI] = s[1 + N_CEPS:]
        products = products + np.triu(products, 1).T
        cov = products / n - np.outer(mean, mean) + 1e-3 * np.eye(N_CEPS)
        return float(np.linalg.slogdet(cov)[1])

    both = a + b
    n = both[0]
    penalty = 0.5 * (N_CEPS + N_CEPS * (N_CEPS + 1) / 2) * np.log(n)
    return float((0.5 * (n * logdet(both) - a[0] * logdet(a) - b[0] * logdet(b)) - penalty) / n)
