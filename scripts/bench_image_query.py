#!/usr/bin/env python3
"""Image queries on the lecture benchmark: a phone photo of what a lecture showed -> that moment.

Run by hand on a benchmark index (`scripts/make_benchmark.py --split dev` first):

    python3 scripts/bench_image_query.py                  # bench-out/dev
    python3 scripts/bench_image_query.py --split test

For every picture the renderer put on screen for at least MIN_SHOWN seconds (the intervals between the
true picture changes in cuts.jsonl), the frame at the middle of its time is taken from the video, made
into two phone photos (a close-up: skewed, soft, JPEG at quality 60, half size; and one from the back of
the hall: the screen a third of a 4000x3000 picture) and each is searched with `image_query`. A
hit: the top result is in that video and its middle lies in the picture's interval. Reported overall
and per recording condition, with how many photos had words read on them; nothing here is tuned.
Without CLIP weights (the default here) this measures search by the words on the image alone.

    python3 scripts/bench_image_query.py --photos         # the other way round: a folder of those photos

`--photos` writes the same photos into a folder, indexes it alone (bench-out/SPLIT/photos/, a fresh
index each run) and searches it with every *shown* query (words that are only on a slide): a hit is a
top result among that kind of photo (`in_` the close-ups, or the hall photos) taken while the query's
section was on screen.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageFilter  # noqa: E402

from momentsearch.api import MomentIndex  # noqa: E402
from momentsearch.errors import QueryError  # noqa: E402
from momentsearch.options import load_config  # noqa: E402
from momentsearch.pipeline.frame_reader import frames_at  # noqa: E402

MIN_SHOWN = 4.0  # seconds; a picture on screen for less is a build step or a transition, not a slide


def phone_photo(frame: Image.Image) -> Image.Image:
    """The frame as a phone photographs a screen: skewed, soft, JPEG-grade, half size."""
    w, h = frame.size
    skewed = frame.transform((w, h), Image.QUAD, (w * 0.05, h * 0.04, w * 0.02, h * 0.97, w * 0.96, h * 0.92,
                                                  w * 0.99, h * 0.02)).filter(ImageFilter.GaussianBlur(1.0))
    buf = io.BytesIO()
    skewed.resize((w // 2, h // 2)).save(buf, "JPEG", quality=60)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def hall_photo(frame: Image.Image) -> Image.Image:
    """The frame as a phone photographs the projection from the back of the hall: the screen a third
    of a 4000x3000 picture of a dim room, soft, JPEG-grade."""
    room = Image.new("RGB", (4000, 3000), (62, 56, 50))
    w = 4000 // 3
    room.paste(frame.resize((w, w * frame.size[1] // frame.size[0]), Image.BICUBIC), (1400, 700))
    buf = io.BytesIO()
    room.filter(ImageFilter.GaussianBlur(1.5)).save(buf, "JPEG", quality=70)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


SHOTS = {"close": phone_photo, "hall": hall_photo}


def shown_pictures(out: Path):
    """(video, condition, (start, end), RGB frame) for every picture on screen >= MIN_SHOWN seconds."""
    for line in (out / "cuts.jsonl").read_text().splitlines():
        row = json.loads(line)
        edges = [0.0, *row["cuts"], row["duration"]]
        shown = [(a, b) for a, b in zip(edges, edges[1:]) if b - a >= MIN_SHOWN]
        path = out / "videos" / row["video"]
        for (a, b), frame in zip(shown, frames_at(str(path), [(a + b) / 2 for a, b in shown], max_side=1280)):
            if frame is not None:
                yield row["video"], row["condition"], (a, b), Image.fromarray(frame)


def photo_folder(out: Path, config) -> int:
    """Index the photos as a folder of their own; text queries of the shown kind -> the right photo."""
    import shutil

    root = out / "photos"
    shutil.rmtree(root, ignore_errors=True)
    (root / "images").mkdir(parents=True)
    taken = []  # (video, interval, file stem)
    for n, (video, _cond, span, picture) in enumerate(shown_pictures(out)):
        stem = f"{Path(video).stem}-{n:03d}"
        for shot, make in SHOTS.items():
            make(picture).save(root / "images" / f"{stem}-{shot}.jpg", quality=90)
        taken.append((video, span, stem))
    t0 = time.perf_counter()
    index = MomentIndex(root / "db", config)
    index.index([root / "images"])
    took = time.perf_counter() - t0
    hits, total = defaultdict(int), defaultdict(int)
    for row in map(json.loads, (out / "gt.jsonl").read_text().splitlines()):
        if row["type"] != "shown":
            continue
        a, b = row["relevant_windows"][0]
        right = {stem for video, (s, e), stem in taken if video == row["video"] and a <= (s + e) / 2 <= b}
        if not right:
            continue
        for shot in SHOTS:
            top = index.search(row["query"], k=1, in_=[f"*-{shot}.jpg"])
            ok = bool(top) and Path(top[0].video).name.rsplit("-", 1)[0] in right
            for cond in ("all", row["condition"]):
                total[shot, cond] += 1
                hits[shot, cond] += ok
    print(f"{out.name}: {len(taken)} pictures, {2 * len(taken)} photos indexed in {took:.0f} s; "
          f"{total['close', 'all']} shown queries; text model {index.search_text.model}")
    print_table(hits, total, "queries", "close-ups: top photo right", "hall photos: top photo right")
    return 0


def print_table(hits: dict, total: dict, counted: str, *columns: str) -> None:
    """A markdown table: per condition (all first), how many, and the hit rate of each kind of photo."""
    print(f"| condition | {counted} | {' | '.join(columns)} |\n|{'---|' * (len(columns) + 2)}")
    for cond in sorted({c for _, c in total}, key=lambda c: (c != "all", c)):
        cells = [f"{hits[s, cond] / total[s, cond]:.3f} ({hits[s, cond]})" for s in SHOTS]
        print(f"| {cond} | {total['close', cond]} | {' | '.join(cells)} |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", default="dev", choices=["dev", "test"])
    ap.add_argument("--out", default=str(ROOT / "bench-out"), help="the benchmark folder (default bench-out/)")
    ap.add_argument("--config", help="options file (TOML/YAML) for ranking")
    ap.add_argument("--photos", action="store_true", help="index the photos as a folder; search it with text")
    args = ap.parse_args()
    out = Path(args.out) / args.split
    if not (out / "cuts.jsonl").is_file() or not (out / "db").is_dir():
        print(f"no benchmark index in {out}: run python3 scripts/make_benchmark.py --split {args.split} first",
              file=sys.stderr)
        return 2
    if args.photos:
        return photo_folder(out, load_config(args.config))
    index = MomentIndex(out / "db", load_config(args.config))
    hits, total, worded = defaultdict(int), defaultdict(int), defaultdict(int)
    t0 = time.perf_counter()
    for video, condition, (a, b), picture in shown_pictures(out):
        for shot, make in SHOTS.items():
            try:
                moments, words = index.image_query(make(picture), k=1)
            except QueryError:  # no words on it and no CLIP: nothing to search with
                moments, words = [], ""
            worded[shot] += bool(words)
            ok = bool(moments) and Path(moments[0].video).name == video and \
                a <= (moments[0].start + moments[0].end) / 2 <= b
            for cond in ("all", condition):
                total[shot, cond] += 1
                hits[shot, cond] += ok
    n = total["close", "all"]
    print(f"{args.split}: {n} pictures shown >= {MIN_SHOWN:.0f} s; words read on {worded['close']} close-ups, "
          f"{worded['hall']} hall photos; {time.perf_counter() - t0:.0f} s; text model {index.search_text.model}, "
          f"channels {', '.join(sorted(index.channels()))}")
    print_table(hits, total, "pictures", "close-up: top result shows it", "from the back of the hall")
    return 0


if __name__ == "__main__":
    sys.exit(main())
