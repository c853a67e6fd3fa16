#!/usr/bin/env python3
"""Decoding + cut detection with and without skipping still stretches (`sampling.skip_still`), side by side.

The benchmark splits are rendered at 2-4 frames per second, so their decoding is cheap and says little
about a real recording (25-30 fps, HD). This renders lectures of a split again at recording rates
(default 1920x1080, 30 fps, x264 with a keyframe every 10 s as the benchmark's renderer writes them;
x264's own default is every 250 frames) and, for each, runs what indexing runs before OCR, twice each
way in alternation: sampled frames -> `keyframes.detect_segments`, every frame decoded
(`decode.iter_frames`) against keyframes first (`sampling.iter_frames_guided`). Reports wall and CPU
seconds (the best of the runs), the stretches between keyframes that were still (not decoded), whether
the two found the same segments, and each way's cut F1 against the rendered truth (+-1 s).

    python3 scripts/bench_decode.py                       # dev: one screen, one screencast, one camera lecture
    python3 scripts/bench_decode.py --lectures dev_memory_long --scene screen   # slides held as long as a real deck's
    python3 scripts/bench_decode.py --independent   # slides our renderer did not draw (independent_lecture.py's),
                                                    # 1280x720 25 fps, x264's own keyframes, sensor noise
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT = ("dev_earth_screen", "dev_medicine_screencast", "dev_caching_camera")


def render(lecture, out: Path, size: tuple[int, int], fps: int, scene: str | None = None,
           ) -> tuple[Path, tuple[list[float], list[float]]]:
    """lecture at `size` and `fps` (filmed in `scene` instead of its own, if given) under `out` (kept:
    rendered once), and its true picture changes (cuts, and builds: optional)."""
    import json

    from momentsearch.testing.corpus import cut_truth
    from momentsearch.testing.synth import RenderedSection, render_lecture

    video = out / f"{lecture.name}-{size[0]}x{size[1]}-{fps}{'-' + scene if scene else ''}.mp4"
    meta = video.with_suffix(".json")
    if not (video.is_file() and meta.is_file()):
        out.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        args = {**lecture.render, "size": size, "fps": fps, **({"scene": scene} if scene else {})}
        rendered = render_lecture(video, lecture.sections, section_keyframes=False, **args)
        meta.write_text(json.dumps([r.__dict__ for r in rendered]))
        print(f"rendered {video.name} in {time.perf_counter() - t0:.0f} s", flush=True)
    rendered = [RenderedSection(**r) for r in json.loads(meta.read_text())]
    return video, cut_truth(rendered)


INDEPENDENT_SECONDS = (20, 45, 70, 30, 55)  # how long each of independent_lecture.py's slides stays


def render_independent(out: Path) -> tuple[Path, tuple[list[float], list[float]]]:
    """independent_lecture.py's slides (its own style, not momentsearch.testing's) as a screen recording:
    1280x720, 25 fps, x264 with its default keyframes (at most every 250 frames, and at scene changes),
    +-3 grey levels of sensor noise on every frame. Its true cuts."""
    import av
    import cv2
    import numpy as np
    from independent_lecture import SLIDES, slide_image

    video = out / "independent-screen-1280x720-25.mp4"
    starts = np.cumsum([0, *INDEPENDENT_SECONDS[:-1]])
    if not video.is_file():
        out.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng(3)
        images = [cv2.resize(slide_image(title, items), (1280, 720)) for title, items, _ in SLIDES]
        with av.open(str(video), "w") as container:
            stream = container.add_stream("libx264", rate=25)
            stream.width, stream.height, stream.pix_fmt = 1280, 720, "yuv420p"
            stream.options = {"preset": "veryfast", "crf": "23"}
            for f in range(sum(INDEPENDENT_SECONDS) * 25):
                image = images[int(np.searchsorted(starts, f / 25, side="right") - 1)]
                noisy = np.clip(image.astype(np.int16) + rng.integers(-3, 4, image.shape), 0, 255).astype(np.uint8)
                frame = av.VideoFrame.from_ndarray(noisy, format="rgb24")
                frame.pts = f
                container.mux(stream.encode(frame))
            container.mux(stream.encode(None))
    return video, ([float(t) for t in starts[1:]], [])


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run(path: Path, guided: bool, config, duration: float) -> dict:
    from momentsearch.pipeline.decode import iter_frames
    from momentsearch.pipeline.keyframes import detect_segments
    from momentsearch.pipeline.sampling import iter_frames_guided

    s = config.sampling
    stats: dict = {}
    args = (path, s.fps, s.max_side, s.skip_nonref, s.skip_deblock)
    frames = iter_frames_guided(*args, stats=stats) if guided else iter_frames(*args)
    t0, c0 = time.perf_counter(), cpu()
    segments = detect_segments(frames, duration, config.keyframes)
    return {"wall": time.perf_counter() - t0, "cpu": cpu() - c0, "stats": stats,
            "cuts": [round(seg.start, 2) for seg in segments[1:] if not seg.forced]}


def measure(path: Path, truth: tuple[list[float], list[float]], config, repeats: int) -> dict:
    from momentsearch.evaluate import boundary_scores
    from momentsearch.pipeline.decode import probe

    duration = probe(path).duration
    runs: dict[bool, list[dict]] = {False: [], True: []}
    for _ in range(repeats):
        for guided in (False, True):
            runs[guided].append(run(path, guided, config, duration))
    best = {g: min(r, key=lambda x: x["wall"]) for g, r in runs.items()}
    best_cpu = {g: min(x["cpu"] for x in r) for g, r in runs.items()}
    stats = best[True]["stats"]
    return {"duration": duration, "full_wall": best[False]["wall"], "guided_wall": best[True]["wall"],
            "full_cpu": best_cpu[False], "guided_cpu": best_cpu[True],
            "still": f"{stats['still']} of {stats['still'] + stats['decoded']}"
                     + (f", {stats['paused']} pauses" if stats["paused"] else "") if stats["guided"] else "not used",
            "same": best[False]["cuts"] == best[True]["cuts"],
            "f1_full": boundary_scores(best[False]["cuts"], truth[0], optional=truth[1]).f1,
            "f1_guided": boundary_scores(best[True]["cuts"], truth[0], optional=truth[1]).f1}


def main() -> int:
    from momentsearch.options import load_config
    from momentsearch.testing.corpus import load_split

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", default="dev")
    ap.add_argument("--lectures", nargs="*", help=f"lecture names (default for dev: {' '.join(DEFAULT)})")
    ap.add_argument("--size", default="1920x1080")
    ap.add_argument("--fps", type=int, default=30)
    ap.add_argument("--scene", choices=("screen", "camera", "screencast"),
                    help="film every lecture this way instead of its own (a long lecture as a screen recording)")
    ap.add_argument("--independent", action="store_true",
                    help="also a screen recording of slides our renderer did not draw (render_independent)")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--out", default=str(ROOT / "bench-out" / "decode"))
    args = ap.parse_args()
    size = tuple(int(v) for v in args.size.lower().split("x"))
    lectures = {lec.name: lec for lec in load_split(ROOT / "scripts" / "lectures" / f"{args.split}.toml")}
    names = args.lectures or [n for n in DEFAULT if n in lectures] or list(lectures)[:3]
    config = load_config(None, {})
    print("| lecture | minutes | every frame: wall / CPU s | keyframes first: "
          "wall / CPU s | wall ratio | still stretches | same cuts | cut F1 every frame / keyframes first |")
    print("|---|---|---|---|---|---|---|---|")
    sys.path.insert(0, str(ROOT / "scripts"))
    how = f"{args.size}, {args.fps} fps" + (f", filmed as {args.scene}" if args.scene else "")
    jobs = [(f"{name} ({how})", lambda name=name: render(lectures[name], Path(args.out), size, args.fps, args.scene))
            for name in (names if args.lectures or not args.independent else [])]
    if args.independent:
        jobs.append(("independent_lecture.py's slides, 1280x720 25 fps", lambda: render_independent(Path(args.out))))
    for name, make in jobs:
        path, truth = make()
        m = measure(path, truth, config, args.repeats)
        print(f"| {name} | {m['duration'] / 60:.1f} | {m['full_wall']:.1f} / {m['full_cpu']:.1f} | "
              f"{m['guided_wall']:.1f} / {m['guided_cpu']:.1f} | {m['full_wall'] / m['guided_wall']:.2f}x | "
              f"{m['still']} | {'yes' if m['same'] else 'no'} | {m['f1_full']:.2f} / {m['f1_guided']:.2f} |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
