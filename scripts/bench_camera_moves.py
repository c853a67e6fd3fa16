"""Cut detection under camera moves and slide transitions that the benchmark's renderer never makes.

Each short lecture of a split (its own deck and template) is filmed again, once per MOVE, and the
visual side of indexing alone (`FileProcessor.cut_and_read`) is scored against the true slide changes
at +-1 s (`evaluate.boundary_scores`), per move:

- still: the lecture-hall camera as the benchmark films it, no move (the control);
- zoom-in, zoom-out: the lecture-hall camera (testing/scenes.CameraScene: perspective, shake, a walking
  lecturer, noise) zooms by 1.3-1.5x about a point near the screen's middle over 4-6 s during a slide,
  and stays so through the next changes (zoom-out: the film starts zoomed in);
- snap-in, snap-out: the same zoom in under a second, between two of the sampler's frames;
- in-and-out: zoom in, hold, zoom back out, inside one slide;
- pan: the camera pans by 10 % of the frame's width over 2 s, and stays (not followed: expected to cut);
- wipe, push, dip-to-black, slow-fade: presentation-software transitions of 1-2 s on a screen
  recording (the change is the transition's middle).

The films are written to OUT/SPLIT/ and made again only when this script changes (its hash names the
folder). No threshold is fitted to them; the test split's lectures are for reporting.

    python3 scripts/bench_camera_moves.py --split dev [--moves zoom-in,wipe] [--slides 5]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from momentsearch.evaluate import boundary_scores  # noqa: E402
from momentsearch.options import load_config  # noqa: E402
from momentsearch.pipeline.process import FileProcessor  # noqa: E402
from momentsearch.testing.corpus import load_split  # noqa: E402
from momentsearch.testing.scenes import make_scene  # noqa: E402
from momentsearch.testing.slides import TEMPLATES, draw_slide  # noqa: E402

SIZE = (640, 360)
FPS = 8
TOLERANCE = 1.0
CAMERA = ("still", "zoom-in", "zoom-out", "snap-in", "snap-out", "in-and-out", "pan")
TRANSITIONS = ("wipe", "push", "dip-to-black", "slow-fade")
MOVES = CAMERA + TRANSITIONS


def zoomed(img: np.ndarray, scale: float, fx: float, fy: float) -> np.ndarray:
    """`img` as a camera zoomed by `scale` sees it, the point (fx, fy) (shares of the frame) held still."""
    h, w = img.shape[:2]
    cw, ch = w / scale, h / scale
    box = (fx * w - cw * fx, fy * h - ch * fy, fx * w + cw * (1 - fx), fy * h + ch * (1 - fy))
    return np.asarray(Image.fromarray(img).resize((w, h), Image.BILINEAR, box=box))


def panned(img: np.ndarray, scale: float, share: float) -> np.ndarray:
    """A camera zoomed by `scale` (so there is picture to pan over) and turned by `share` of the width."""
    h, w = img.shape[:2]
    cw, ch = w / scale, h / scale
    x0 = (w - cw) / 2 + share * w
    return np.asarray(Image.fromarray(img).resize((w, h), Image.BILINEAR, box=(x0, (h - ch) / 2, x0 + cw, (h + ch) / 2)))


def ramp(t: float, start: float, seconds: float) -> float:
    return min(1.0, max(0.0, (t - start) / seconds))


def camera_move(move: str, rng, at: float):
    """(frame, t) -> frame for a camera move that begins at `at` seconds."""
    scale, fx, fy = rng.uniform(1.3, 1.5), rng.uniform(0.4, 0.6), rng.uniform(0.35, 0.55)
    slow, snap = rng.uniform(4.0, 6.0), rng.uniform(0.3, 0.8)
    if move == "pan":
        return lambda img, t: panned(img, 1.3, 0.1 * ramp(t, at, 2.0))
    if move == "still":
        return lambda img, t: img
    level = {
        "zoom-in": lambda t: 1 + (scale - 1) * ramp(t, at, slow),
        "zoom-out": lambda t: scale - (scale - 1) * ramp(t, at, slow),
        "snap-in": lambda t: 1 + (scale - 1) * ramp(t, at, snap),
        "snap-out": lambda t: scale - (scale - 1) * ramp(t, at, snap),
        "in-and-out": lambda t: 1 + (scale - 1) * (ramp(t, at, 2.0) - ramp(t, at + 4.0, 2.0)),
    }[move]
    return lambda img, t: img if level(t) == 1.0 else zoomed(img, level(t), fx, fy)


def blend(move: str, a: np.ndarray, b: np.ndarray, u: float) -> np.ndarray:
    """The transition `move` from slide a to b, `u` of the way through it."""
    w = a.shape[1]
    if move == "wipe":
        out = a.copy()
        out[:, : int(u * w)] = b[:, : int(u * w)]
        return out
    if move == "push":
        x = int(u * w)
        return np.concatenate([a[:, x:], b[:, :x]], axis=1)
    if move == "dip-to-black":
        return (a * max(0.0, 1 - 2 * u) if u < 0.5 else b * (2 * u - 1)).astype(np.uint8)
    return (a * (1 - u) + b * u).astype(np.uint8)  # slow-fade


def film(lecture, move: str, slides: int):
    """(frames as a generator, true cuts) of one lecture's first `slides` slides under `move`."""
    template = TEMPLATES.get(lecture.render.get("template"))
    shown = [s for s in lecture.sections if s.slide == "new" and s.view == "slide"][:slides]
    pictures = [np.asarray(draw_slide(s, SIZE, seed=i, template=template, page=i + 1).convert("RGB"))
                for i, s in enumerate(shown)]
    rng = np.random.default_rng(int(hashlib.sha1(f"{lecture.name}/{move}".encode()).hexdigest()[:8], 16))
    starts = np.cumsum([0.0] + [rng.uniform(7.0, 11.0) for _ in pictures])
    truth, end = [float(t) for t in starts[1:-1]], float(starts[-1])
    if move in TRANSITIONS:
        seconds = 2.0 if move == "slow-fade" else rng.uniform(0.8, 1.5)

        def frame(t: float) -> np.ndarray:
            i = int(np.searchsorted(starts, t, side="right") - 1)
            for j, cut in enumerate(truth):
                if abs(t - cut) < seconds / 2:
                    return blend(move, pictures[j], pictures[j + 1], (t - cut) / seconds + 0.5)
            return pictures[min(i, len(pictures) - 1)]
    else:
        scene = make_scene("camera", SIZE, seed=int(rng.integers(1 << 16)))
        middle = len(pictures) // 2
        moved = camera_move(move, rng, float(starts[middle] + rng.uniform(1.5, 2.5)))

        def frame(t: float) -> np.ndarray:
            i = min(int(np.searchsorted(starts, t, side="right") - 1), len(pictures) - 1)
            return moved(np.asarray(scene.frame(pictures[i], t, key=i), dtype=np.uint8), t)

    return (frame(k / FPS) for k in range(int(end * FPS))), truth


def encode(path: Path, frames) -> None:
    import av

    tmp = path.with_suffix(".part.mp4")
    with av.open(str(tmp), "w") as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = SIZE[0], SIZE[1], "yuv420p"
        stream.options = {"crf": "28", "preset": "veryfast"}
        for f in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(f), format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    tmp.replace(path)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=("dev", "test"), default="dev")
    ap.add_argument("--lectures", default=str(ROOT / "scripts" / "lectures"), help="folder of dev.toml, test.toml")
    ap.add_argument("--moves", default=",".join(MOVES), help=f"comma-separated, of {', '.join(MOVES)}")
    ap.add_argument("--slides", type=int, default=5, help="slides of each deck filmed")
    ap.add_argument("--config", default=None, help="options file (TOML/YAML)")
    ap.add_argument("--out", default=str(ROOT / "bench-out" / "moves"))
    args = ap.parse_args()
    moves = [m.strip() for m in args.moves.split(",") if m.strip()]
    if set(moves) - set(MOVES) or args.slides < 2:
        ap.error(f"unknown moves {sorted(set(moves) - set(MOVES))}" if set(moves) - set(MOVES) else "--slides >= 2")
    version = hashlib.sha1(Path(__file__).read_bytes()).hexdigest()[:8]
    folder = Path(args.out) / args.split / version
    folder.mkdir(parents=True, exist_ok=True)
    processor = FileProcessor(load_config(args.config), text_embedder=None, asr=None)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # true cuts, hits, false alarms, misses
    started = time.perf_counter()
    lectures = [lec for lec in load_split(Path(args.lectures) / f"{args.split}.toml") if lec.condition != "long"]
    for lec in lectures:
        for move in moves:
            frames, truth = film(lec, move, args.slides)
            path = folder / f"{lec.name}-{move}.mp4"
            if not path.exists():
                encode(path, frames)
            segments, _ = processor.cut_and_read(str(path))
            found = [s.start for s in segments[1:] if not s.forced]
            score = boundary_scores(found, truth, TOLERANCE)
            row = counts[move]
            for k, v in enumerate((len(truth), score.tp, score.fp, score.fn)):
                row[k] += v
            print(f"{path.stem}: {score.tp} of {len(truth)} cuts, {score.fp} false; found "
                  f"{[round(t, 1) for t in found]}, true {[round(t, 1) for t in truth]} "
                  f"({time.perf_counter() - started:.0f} s)", flush=True)
    print(f"\n**cut detection under camera moves and transitions ({args.split} decks, {len(lectures)} per move), "
          f"+-{TOLERANCE:g} s**\n")
    print("| move | true cuts | hits | false alarms | misses | F1 |")
    print("|---|---|---|---|---|---|")
    for move, (n, tp, fp, fn) in counts.items():
        print(f"| {move} | {n} | {tp} | {fp} | {fn} | {2 * tp / max(2 * tp + fp + fn, 1):.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
