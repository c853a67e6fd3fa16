#!/usr/bin/env python3
"""The sharper frames slide OCR reads, fetched by one reader per video against a fresh decoder per request.

Slide OCR asks for full-size frames a few at a time (a batch's keyframes, more moments of the same
pictures, the steps that find where a slide changed; `pipeline/slide_reads.py`). Recorders differ in
how far apart they put keyframes: x264's default is 250 frames, browser and screen recorders often a
minute or more, some only one at the start. Each video given is encoded again with each `--keyint`
(x264, frames between keyframes; 0 = only the first frame is one) and its visual side runs as indexing
runs it (`FileProcessor.cut_and_read`: cut detection, then OCR), twice each way in alternation:

- one reader per video (`pipeline/frame_reader.FrameReader`, what indexing uses): its decoder stays
  where the last request left it, decodes on where no keyframe lies before the next wanted time, and
  keeps the frames of the moments it is told come next;
- a fresh decoder per request (`frame_reader.frames_at` for each call, as indexing fetched until 3 Dec).

Reports the best wall time of each way for the whole visual side and for the fetches alone, the seeks,
and whether both ways read the same slides.

    python3 scripts/bench_fetch.py bench-out/dev/videos/dev_caching_camera.mp4 --keyint 250,0
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def encode(source: Path, keyint: int, out: Path) -> Path:
    """`source`'s picture (no sound: the visual side does not read it) encoded again with x264, a keyframe
    every `keyint` frames (0: only the first frame), no extra keyframes at scene changes; kept in `out`."""
    import av

    video = out / f"{source.stem}-keyint{keyint or 'first'}.mp4"
    if video.is_file():
        return video
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with av.open(str(source)) as src, av.open(str(video) + ".part", "w", format="mp4") as dst:
        vs = src.streams.video[0]
        rate = vs.average_rate or 25
        stream = dst.add_stream("libx264", rate=rate)
        stream.width, stream.height, stream.pix_fmt = vs.width, vs.height, "yuv420p"
        gop = keyint or 1_000_000
        stream.options = {"preset": "veryfast", "crf": "23",
                          "x264-params": f"keyint={gop}:min-keyint={min(gop, 250)}:scenecut=0"}
        for n, frame in enumerate(src.decode(vs)):
            picture = av.VideoFrame.from_ndarray(frame.to_ndarray(format="yuv420p"), format="yuv420p")
            picture.pts = n
            dst.mux(stream.encode(picture))
        dst.mux(stream.encode(None))
    Path(str(video) + ".part").rename(video)
    print(f"encoded {video.name} in {time.perf_counter() - t0:.0f} s", flush=True)
    return video


def keyframes(video: Path) -> tuple[int, float]:
    """How many keyframes, and the longest time between two (or to the end), in seconds."""
    import av

    with av.open(str(video)) as c:
        stream = c.streams.video[0]
        times = sorted(float(p.pts * stream.time_base) for p in c.demux(stream) if p.is_keyframe and p.pts is not None)
        end = float(c.duration or 0) / 1e6
    gaps = [b - a for a, b in zip(times, times[1:] + [end])]
    return len(times), max(gaps, default=0.0)


class FreshPerRequest:
    """Stands in for `FrameReader` in process.py: every request opens a decoder of its own."""

    def __init__(self, path):
        self.path = path

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def sized(self, max_side: int):
        from momentsearch.pipeline.frame_reader import frames_at

        return lambda times: frames_at(self.path, times, max_side)


def run(processor, video: Path, fresh: bool) -> dict:
    from momentsearch.pipeline import frame_reader, process

    counts = {"fetch": 0.0, "requests": 0, "seeks": 0}
    call = frame_reader.FrameReader.__call__

    def timed(self, times, max_side):
        t0 = time.perf_counter()
        seeks = self.seeks
        try:
            return call(self, times, max_side)
        finally:
            counts["fetch"] += time.perf_counter() - t0
            counts["requests"] += 1
            counts["seeks"] += self.seeks - seeks

    frame_reader.FrameReader.__call__ = timed
    process.FrameReader = FreshPerRequest if fresh else frame_reader.FrameReader
    try:
        t0 = time.perf_counter()
        segments, slides = processor.cut_and_read(str(video))
        counts["wall"] = time.perf_counter() - t0
    finally:
        frame_reader.FrameReader.__call__ = call
        process.FrameReader = frame_reader.FrameReader
    counts["read"] = [(round(s.start, 2), round(s.end, 2), s.text) for s in slides or []]
    return counts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("videos", nargs="+", type=Path)
    ap.add_argument("--keyint", default="250,0", help="comma-separated frames between keyframes; 0 = only the first")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--out", type=Path, default=ROOT / "bench-out" / "fetch")
    ap.add_argument("--config", default=None, help="options file (TOML/YAML)")
    args = ap.parse_args()

    from momentsearch.options import load_config
    from momentsearch.pipeline.process import FileProcessor

    processor = FileProcessor(load_config(args.config), text_embedder=None, asr=None)
    print("| video | keyframes (longest gap) | requests | fetch s: fresh / one reader | seeks | "
          "visual side s: fresh / one reader | ratio | same slides |\n|---|---|---|---|---|---|---|---|")
    for source in args.videos:
        for keyint in (int(k) for k in args.keyint.split(",")):
            video = encode(source, keyint, args.out)
            runs: dict[bool, list[dict]] = {True: [], False: []}
            for _ in range(args.repeats):
                for fresh in (True, False):
                    runs[fresh].append(run(processor, video, fresh))
            best = {f: min(r, key=lambda x: x["wall"]) for f, r in runs.items()}
            count, gap = keyframes(video)
            print(f"| {video.name} | {count} ({gap:.0f} s) | {best[False]['requests']} | "
                  f"{best[True]['fetch']:.1f} / {best[False]['fetch']:.1f} | "
                  f"{best[True]['seeks']} / {best[False]['seeks']} | "
                  f"{best[True]['wall']:.1f} / {best[False]['wall']:.1f} | "
                  f"**{best[True]['wall'] / max(best[False]['wall'], 1e-9):.2f}x** | "
                  f"{'yes' if best[True]['read'] == best[False]['read'] else 'NO'} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
