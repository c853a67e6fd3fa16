"""Topic changes found in speech alone, scored on every section boundary of the benchmark (issue 11).

make_benchmark.py's "topic F1" counts only the topic changes with no picture change: 10 on dev, 4 on
test, too few to tell two settings apart. Every section start is a topic change in the speech as well,
whatever the picture does, so here the speech side (`pipeline/segment.topic_boundaries`) runs with no
picture cuts at all over each lecture's whole transcript and is scored against all section starts
(`evaluate.boundary_scores`, one to one, +-TOLERANCE s): 89 boundaries on dev, 58 on test.

Until 2 Dec the renderer closed every section with 0.9-1.5 s of silence while espeak's pauses between
sentences were short and even, so a one-second pause alone found 72 % of dev's boundaries at
precision 0.91 (`--pause-only 1.0`). Real lecturers pause to think in mid-topic and run on across
topics; the renderer now draws such pauses (`testing/corpus.py`: THINK, RUN_ON), and each setting is
also scored after drawing them once more over the rendered speech ("more pauses": a gap inside a
section gets 0.6-2 s more with probability THINK, a section's own gap shrinks to 0.15-0.5 s with
probability RUN_ON; the mean over SEEDS draws): a detector that leans on pauses falls there.

    python3 scripts/make_benchmark.py --split dev --render-only     # once: the videos (if not there yet)
    python3 scripts/bench_topics.py --split dev [--config F.toml] [--seeds 3] [--pause-only 1.0]

`--pause-only S` scores a detector that looks at nothing but pauses (a gap of S seconds or more is a
boundary, the longest first, sections at least `chunks.min_section` long): what the renderer's pauses
give away.

Whisper's words come from the benchmark's cache (OUT/asr-windows, filled by make_benchmark.py); a
window not in it is transcribed (and cached).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from momentsearch.evaluate import boundary_scores  # noqa: E402
from momentsearch.options import load_config  # noqa: E402
from momentsearch.pipeline import segment  # noqa: E402
from momentsearch.testing.corpus import RUN_ON, RUN_ON_LEAD, RUN_ON_TAIL, THINK, THINK_SECONDS  # noqa: E402
from momentsearch.types import Word  # noqa: E402

TOLERANCE = 1.5  # seconds; a section starts with the slide, its speech 0.3-0.9 s later
ORIGINAL_SCORES = segment.topic_scores  # the speech side's own topic scores (`--pause-only` replaces them)
RUN_ON_SECONDS = (RUN_ON_LEAD[0] + RUN_ON_TAIL[0], RUN_ON_LEAD[1] + RUN_ON_TAIL[1])  # a section's gap, run on


def lectures(out: Path, split: str, config) -> list[tuple[str, float, list[float], list[list[Word]], np.ndarray]]:
    """(video, duration, section starts after 0, sentences, sentence vectors) per lecture of the split."""
    from make_benchmark import CachedASR

    from momentsearch.models.build import Models
    from momentsearch.pipeline.decode import iter_audio_windows
    from momentsearch.pipeline.process import _sentence_text, shift_segments

    models = Models(config)
    asr = CachedASR(models.asr, out / "asr-windows", config.asr)
    truths: dict[str, set[float]] = {}
    for line in (out / split / "gt.jsonl").read_text().splitlines():
        g = json.loads(line)
        truths.setdefault(g["video"], set()).add(float(g["relevant_windows"][0][0]))
    found = []
    for line in (out / split / "cuts.jsonl").read_text().splitlines():
        c = json.loads(line)
        segs = []
        for window in iter_audio_windows(str(out / split / "videos" / c["video"]), config.asr.window_seconds):
            segs += shift_segments(asr.transcribe(window.samples), window.start)
        units = segment.sentences(segs)
        vectors = models.text_embedder.embed_texts([_sentence_text(u) for u in units])
        starts = sorted(t for t in truths.get(c["video"], ()) if t > 0)
        found.append((c["video"], float(c["duration"]), starts, units, np.asarray(vectors)))
    return found


def more_pauses(units: list[list[Word]], starts: list[float], rng: np.random.Generator):
    """The sentences moved in time as if spoken with (more) lecturers' pauses, and the section starts
    moved with them."""
    gaps = np.array([(a[-1].end + b[0].start) / 2 for a, b in zip(units, units[1:])])
    boundary = np.zeros(len(gaps), dtype=bool)
    for t in starts:
        if gaps.size and abs(gaps[np.abs(gaps - t).argmin()] - t) < 3.0:
            boundary[np.abs(gaps - t).argmin()] = True
    shift = np.zeros(len(units))
    for i in range(len(gaps)):
        pause = units[i + 1][0].start - units[i][-1].end
        add = 0.0
        if boundary[i] and rng.random() < RUN_ON:
            add = min(rng.uniform(*RUN_ON_SECONDS), pause) - pause
        elif not boundary[i] and rng.random() < THINK:
            add = rng.uniform(*THINK_SECONDS)
        shift[i + 1] = shift[i] + add
    moved = [[dataclasses.replace(w, start=w.start + s, end=w.end + s) for w in u] for u, s in zip(units, shift)]
    firsts = np.array([u[0].start for u in units])
    new_starts = [t + shift[min(int(np.searchsorted(firsts, t - TOLERANCE)), len(units) - 1)] for t in starts]
    return moved, new_starts, float(shift[-1]) if len(shift) else 0.0


def pauses_only(seconds: float):
    """`segment.topic_scores` for a detector that hears only pauses: a gap's score is 1 + its pause
    when the pause lasts `seconds` or more, else 0 (with `topic_depth` <= 1: those gaps, longest first)."""
    def scores(units, vectors, window=3, cuts=(), cue_share=0.0):
        times, _ = ORIGINAL_SCORES(units, vectors, window, cuts, cue_share)
        pauses = segment._pauses(units)
        return times, np.where(pauses >= seconds, 1.0 + pauses, 0.0)
    return scores


def score(data, options, rng: np.random.Generator | None = None) -> tuple[int, int, int]:
    """(hits, false alarms, misses) of the speech-only boundaries over all lectures."""
    tp = fp = fn = 0
    for _, duration, starts, units, vectors in data:
        if len(units) < 3:
            fn += len(starts)
            continue
        extra = 0.0
        if rng is not None:
            units, starts, extra = more_pauses(units, starts, rng)
        found = segment.topic_boundaries(units, vectors, [], duration + extra, options)
        s = boundary_scores(found, starts, TOLERANCE)
        tp, fp, fn = tp + s.tp, fp + s.fp, fn + s.fn
    return tp, fp, fn


def row(name: str, tp: float, fp: float, fn: float) -> str:
    p = tp / max(tp + fp, 1e-9)
    r = tp / max(tp + fn, 1e-9)
    f1 = 2 * p * r / max(p + r, 1e-9)
    return f"| {name} | {tp + fn:.0f} | {tp:.1f} | {fp:.1f} | {p:.2f} | {r:.2f} | {f1:.2f} |"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("dev", "test"), default="dev")
    ap.add_argument("--out", type=Path, default=ROOT / "bench-out", help="the benchmark's folder (default bench-out)")
    ap.add_argument("--config", type=Path, help="options TOML (as for make_benchmark.py)")
    ap.add_argument("--seeds", type=int, default=3, help="draws of more pauses to average (default 3)")
    ap.add_argument("--pause-only", type=float, metavar="S", help="score a detector of pauses S s or longer instead")
    args = ap.parse_args(argv)
    config = load_config(args.config)
    if args.pause_only is not None:
        segment.topic_scores = pauses_only(args.pause_only)
    if not (args.out / args.split / "cuts.jsonl").is_file():
        sys.exit(f"no benchmark in {args.out / args.split}: run scripts/make_benchmark.py --split {args.split} first")
    data = lectures(args.out, args.split, config)
    what = f"pauses of {args.pause_only} s or more only" if args.pause_only is not None else f"chunks: {config.chunks}"
    print(f"**speech-only topic boundaries ({args.split}, {len(data)} lectures, no picture cuts, +-{TOLERANCE} s; "
          f"{what})**\n")
    print("| speech | boundaries | hits | false alarms | precision | recall | F1 |\n|---|---|---|---|---|---|---|")
    print(row("as rendered", *score(data, config.chunks)))
    draws = [score(data, config.chunks, np.random.default_rng(seed)) for seed in range(1, args.seeds + 1)]
    if draws:
        print(row(f"more pauses (mean of {len(draws)})", *np.mean(draws, axis=0)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
