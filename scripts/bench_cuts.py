"""The cut detector on renders it was not tuned on: a split's lectures filmed again in other scenes.

make_benchmark.py scores the cut detector on the lectures as written: one scene and one seed each
(the camera's placement, shake and noise, the lecturer's walk), 4-5 cuts per short lecture. Here every
short lecture of a split is rendered again in each of `--scenes`, with `--seeds` new seeds each, and
the visual side of indexing alone (`FileProcessor.cut_and_read`: the detector, then the cuts slide
text proves; no speech, no embeddings) is scored against the true picture changes at +-1 s
(`evaluate.boundary_scores`; a build step is neither a hit nor a miss), per scene.

`--hidden` also checks where text-proven cuts are placed (`pipeline/slide_cuts.place_text_cuts`), a
step that runs only when the detector misses a change, so a benchmark meets it a few times at most:
each true cut the detector found between two slides that OCR tells apart is hidden behind a periodic
split HIDE seconds before or after it, and the placement must bring it back within 1 s.

    python3 scripts/bench_cuts.py --split dev --scenes camera --seeds 3 [--hidden] [--config F.toml]

Renders are kept in OUT/SPLIT/videos (default OUT bench-out/cuts) and made again only when the renderer
changes: the dev split's 5 short lectures filmed 3 times take about 15 minutes the first time (most of
it rendering), 5 once rendered.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from momentsearch.evaluate import boundary_scores  # noqa: E402
from momentsearch.options import load_config  # noqa: E402
from momentsearch.pipeline.frame_reader import frames_at  # noqa: E402
from momentsearch.pipeline.ocr import another_slide  # noqa: E402
from momentsearch.pipeline.process import FileProcessor  # noqa: E402
from momentsearch.pipeline.slide_cuts import place_text_cuts  # noqa: E402
from momentsearch.testing.corpus import cut_truth, load_split, render_one  # noqa: E402
from momentsearch.testing.scenes import SCENES  # noqa: E402
from momentsearch.types import VisualSegment  # noqa: E402

TOLERANCE = 1.0  # seconds, as make_benchmark.py scores cuts
HIDE = (-5.0, -2.5, 2.5, 5.0)  # seconds from a true cut to the periodic split that hides it (--hidden)


def variants(lectures, scenes: list[str], seeds: int, long: bool):
    """Each lecture (not the long ones unless `long`) in each scene with `seeds` new seeds."""
    for lec in lectures:
        if lec.condition == "long" and not long:
            continue
        for scene in scenes:
            for k in range(1, seeds + 1):
                name = f"{lec.name}-{scene}{k}"  # its seed from its name, as load_split draws one
                seed = int(hashlib.sha1(name.encode()).hexdigest()[:6], 16) % 100003
                render = {**lec.render, "scene": scene, "seed": seed}
                yield dataclasses.replace(lec, name=name, condition=scene, render=render)


def hidden_placements(path: Path, segments: list[VisualSegment], slides, truth: list[float], step: float,
                      max_side: int = 320):
    """(placed right, placed wrong, not placed) over the true cuts the detector found between two slides
    OCR tells apart, each hidden in turn; frames are looked at `max_side` pixels, as indexing samples them."""
    look = lambda times: frames_at(path, times, max_side=max_side)  # noqa: E731
    starts = {s.start for s in segments[1:] if not s.forced}
    right = wrong = none = 0
    for i in range(1, len(segments)):
        prev, seg, b = segments[i - 1], segments[i], segments[i].start
        near = [c for c in truth if abs(c - b) <= TOLERANCE]
        a = next((k for k, s in enumerate(slides) if abs(s.end - b) < 1e-6), None)
        n = next((k for k, s in enumerate(slides) if abs(s.start - b) < 1e-6), None)
        if seg.forced or not near or a is None or n is None or not another_slide(slides[a], slides[n]):
            continue  # only a cut between two slides OCR tells apart is ever placed
        for off in HIDE:
            t = b + off  # the split must lie between the two pictures the placement compares
            if not (prev.start + 1 < t < seg.end - 1) or not (prev.keyframe_time < t < seg.keyframe_time):
                continue
            moved = list(segments)
            moved[i - 1] = VisualSegment(prev.start, t, prev.keyframe_time, prev.keyframe, prev.forced)
            moved[i] = VisualSegment(t, seg.end, seg.keyframe_time, seg.keyframe, True)
            texts = list(slides)
            texts[a] = dataclasses.replace(texts[a], end=t)
            texts[n] = dataclasses.replace(texts[n], start=t)
            placed, _ = place_text_cuts(moved, texts, starts - {b}, look, step)
            if placed[i].forced:
                none += 1
            elif abs(placed[i].start - near[0]) <= TOLERANCE:
                right += 1
            else:
                wrong += 1
    return right, wrong, none


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=("dev", "test"), default="dev")
    ap.add_argument("--lectures", default=str(ROOT / "scripts" / "lectures"), help="folder of dev.toml, test.toml")
    ap.add_argument("--scenes", default="camera", help=f"comma-separated, of {', '.join(SCENES)}")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--long", action="store_true", help="the long lectures too (an hour of rendering each)")
    ap.add_argument("--hidden", action="store_true", help="also hide each found cut and check its placement")
    ap.add_argument("--config", default=None, help="options file (TOML/YAML)")
    ap.add_argument("--out", default=str(ROOT / "bench-out" / "cuts"))
    args = ap.parse_args()
    scenes = [s.strip() for s in args.scenes.split(",") if s.strip()]
    unknown = sorted(set(scenes) - set(SCENES))
    if unknown or args.seeds < 1:
        ap.error(f"unknown scenes {unknown}" if unknown else "--seeds must be at least 1")
    config = load_config(args.config)
    processor = FileProcessor(config, text_embedder=None, asr=None)
    folder = Path(args.out) / args.split / "videos"
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # true cuts, hits, false alarms, misses
    placed: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    started = time.perf_counter()
    for lec in variants(load_split(Path(args.lectures) / f"{args.split}.toml"), scenes, args.seeds, args.long):
        rendered = render_one(lec, folder)
        hard, optional = cut_truth(rendered)
        path = folder / f"{lec.name}.mp4"
        segments, slides = processor.cut_and_read(str(path))
        found = [s.start for s in segments[1:] if not s.forced]
        score = boundary_scores(found, hard, TOLERANCE, optional=optional)
        row = counts[lec.condition]
        row[0] += len(hard)
        row[1] += score.tp
        row[2] += score.fp
        row[3] += score.fn
        note = ""
        if args.hidden and slides:
            got = hidden_placements(path, segments, slides, hard, 1.0 / config.sampling.fps, config.sampling.max_side)
            placed[lec.condition] = [x + y for x, y in zip(placed[lec.condition], got)]
            note = f"; hidden cuts placed right / wrong / not {got[0]} / {got[1]} / {got[2]}"
        print(f"{lec.name}: {score.tp} of {len(hard)} cuts, {score.fp} false{note} "
              f"({time.perf_counter() - started:.0f} s)", flush=True)
    print(f"\n**cut detection ({args.split} lectures filmed again, {args.seeds} seeds per scene), "
          f"+-{TOLERANCE:g} s**\n")
    print("| scene | true cuts | hits | false alarms | misses | F1 |" + (" hidden cuts placed right / wrong / not |"
                                                                          if args.hidden else ""))
    print("|---|---|---|---|---|---|" + ("---|" if args.hidden else ""))
    for scene, (n, tp, fp, fn) in counts.items():
        f1 = 2 * tp / max(2 * tp + fp + fn, 1)
        extra = f" {' / '.join(map(str, placed[scene]))} |" if args.hidden else ""
        print(f"| {scene} | {n} | {tp} | {fp} | {fn} | {f1:.3f} |{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
