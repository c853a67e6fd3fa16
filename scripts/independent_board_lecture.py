#!/usr/bin/env python3
"""A chalkboard lecture rendered without momentsearch.testing, indexed and searched: a check on a kind of
lecture nothing was tuned on (mathematics and physics are taught this way). A hall camera on a green
board split into three panels; the lecturer writes each topic's heading and points in chalk in the
next panel while talking (the writing grows letter by letter over most of the topic's speech) and
stands where he writes, covering part of it; when the three panels are full he wipes the board and
starts again at the left. Slanted, wobbling letters with a chalk grain; 1280x720 at 12 fps; the
glacier lecture of `independent_lecture.py` read by a voice no benchmark split uses (en-us+m3 at 150 wpm)
over drifting room noise.

Decisions, fixed before any result was seen. Each topic is its own moment: the queries' truth is the
topic's time (from its first word to the next topic). Writing only adds chalk, so the only picture
change is the wipe (the cut at the fourth topic, +-1 s); the other topic starts are no picture change
and count in the section-edge scores (a new heading written in an empty panel, and the talk's turn).

    python3 scripts/independent_board_lecture.py [--out /tmp/board] [--reuse]

Prints picture cuts and section edges against the truth (F1 at +-1 s), each query's top result (R1@0.5,
with its per-channel scores) and the slide text stored for each picture. One short lecture in its own
index: a probe, not a benchmark. Deterministic (fixed seeds).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import textwrap
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
import independent_lecture as lecture  # noqa: E402 (its deck, queries, espeak-ng reader and encoder)

W, H, FPS, SR = 1280, 720, 12, 16000
CHALK_FONT = "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"
BOARD = (38, 72, 52)  # slate green
PANEL_X = [60, 460, 860]  # left edge of each panel on the board
PANEL_W, TOP = 370, 90
WRITE_SHARE = 0.75  # the topic's writing is finished after this share of its speech
WIPE = 1.2  # seconds the wipe takes, in the pause before the fourth topic


def chalk_layer(title: str, items: list[str], seed: int) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """One panel's writing as a grey mask (W x H, 0..1) and the boxes of its characters in writing order
    (x0, y0, x1, y1), so the writing can be revealed letter by letter."""
    from PIL import Image, ImageDraw, ImageFont

    rng = np.random.default_rng(seed)
    lines = [(w, 40) for w in textwrap.wrap(title, 17)]  # a heading, then the points in smaller letters
    lines += [(w, 30) for item in items for w in textwrap.wrap("- " + item, 24)]
    mask = Image.new("L", (PANEL_W, H), 0)
    boxes, y = [], 0
    for text, px in lines:
        font = ImageFont.truetype(CHALK_FONT, px)
        x = int(rng.integers(0, 12))
        for ch in text:
            glyph = Image.new("L", (px * 2, px * 2), 0)
            ImageDraw.Draw(glyph).text((px // 2, px // 3), ch, font=font, fill=255)
            glyph = glyph.rotate(float(rng.normal(-4, 3)), resample=Image.BILINEAR)  # slanted, wobbling letters
            dy = int(rng.normal(0, 2))
            mask.paste(255, (x - px // 2, y + dy - px // 3), glyph)
            width = int(font.getlength(ch) * rng.uniform(1.0, 1.12))
            if not ch.isspace():
                boxes.append((x, y, x + width, y + px + 8))
            x += width
        y += int(px * 1.45) + (10 if px == 40 else 0)
    grain = rng.uniform(0.55, 1.0, (H, PANEL_W))  # chalk does not cover the board evenly
    return np.asarray(mask, np.float32) / 255 * grain, boxes


def board_frame(panels: list[tuple[int, np.ndarray, list, float]], t: float, lecturer_x: float,
                wiped: float, rng) -> np.ndarray:
    """The camera's picture: wall, board (`panels`: panel index, chalk mask, character boxes, share of
    them written), chalk dust left by a wipe (`wiped` 0..1 of the board swept so far), the lecturer."""
    import cv2

    frame = np.full((H, W, 3), (150, 146, 138), np.uint8)  # wall
    frame[40:660, 20:1260] = BOARD
    if wiped > 0:
        frame[40:660, 20:20 + int(1240 * wiped)] = (52, 84, 64)  # smeared dust
    chalk = np.zeros((H, W), np.float32)
    for panel, mask, boxes, share in panels:
        shown = np.zeros_like(mask)
        for x0, y0, x1, y1 in boxes[:int(len(boxes) * share)]:
            shown[max(y0 - 4, 0):y1, max(x0 - 4, 0):x1] = 1
        x = PANEL_X[panel]
        chalk[TOP:, x:x + PANEL_W] = np.maximum(chalk[TOP:, x:x + PANEL_W], (mask * shown)[:H - TOP])
    frame = (frame * (1 - chalk[..., None]) + np.array([232, 232, 220]) * chalk[..., None]).astype(np.uint8)
    frame[660:] = (80, 64, 50)  # floor
    x = int(lecturer_x)
    cv2.rectangle(frame, (x, 330), (x + 120, 720), (40, 40, 70), -1)
    cv2.circle(frame, (x + 60, 285), 46, (170, 140, 120), -1)
    cv2.line(frame, (x + 110, 380), (x + 165, int(300 + 20 * np.sin(t * 2))), (40, 40, 70), 22)  # writing arm
    shake = np.float32([[1, 0, 1.5 * np.sin(t * 1.3)], [0, 1, 1.0 * np.cos(t * 0.9)]])
    frame = cv2.warpAffine(frame, shake, (W, H), borderMode=cv2.BORDER_REPLICATE)
    return np.clip(frame.astype(np.int16) + rng.integers(-5, 6, frame.shape), 0, 255).astype(np.uint8)


def render(out: Path) -> None:
    """Writes OUT/board.mp4 and OUT/truth.json (the wipe; topic starts; queries with their topic's span)."""
    import av

    rng = np.random.default_rng(5)
    clips = [lecture.speak(speech) for _, _, speech in lecture.SLIDES]
    starts, t = [], 0.0
    for k, clip in enumerate(clips):
        t += WIPE + 0.5 if k == 3 else 0.0  # the wipe needs a moment before the fourth topic
        starts.append(t)
        t += len(clip) / SR + lecture.GAP
    duration = t
    layers = [chalk_layer(title, items, 20 + k) for k, (title, items, _) in enumerate(lecture.SLIDES)]
    talk = [len(c) / SR for c in clips]
    with av.open(str(out / "board.mp4"), "w") as container:
        video, sound = lecture.streams(container, FPS)
        for f in range(int(duration * FPS)):
            t = f / FPS
            k, panels, wiped = board_at(t, starts, talk, layers)
            writing_x = PANEL_X[k % 3] + 40 + (200 * (t - starts[k]) / max(talk[k], 1)) % 260  # where he writes
            picture = board_frame(panels, t, writing_x, wiped, rng)
            for packet in video.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")):
                container.mux(packet)
        lecture.finish(container, video, sound, lecture.soundtrack(clips, starts, duration, rng))
    ends = starts[1:] + [duration]
    truth = {"cuts": [starts[3] - WIPE - 0.3 + WIPE / 2], "topics": starts[1:],
             "queries": [(q, starts[i], ends[i], kind) for q, i, kind in lecture.QUERIES]}
    (out / "truth.json").write_text(json.dumps(truth))
    print(f"rendered {duration:.1f} s; topic starts {[round(s, 1) for s in starts[1:]]}, "
          f"wipe at {truth['cuts'][0]:.1f}")


def board_at(t: float, starts: list[float], talk: list[float], layers) -> tuple[int, list, float]:
    """(topic being talked about, panels on the board, share of the board wiped) at time `t`: each
    topic's writing grows from its first word until WRITE_SHARE of its speech; the wipe sweeps the
    first board away, left to right, just before the fourth topic."""
    k = max(i for i, s in enumerate(starts) if s <= t)
    wipe_start = starts[3] - WIPE - 0.3
    if k < 3 and t >= wipe_start:
        wiped = min((t - wipe_start) / WIPE, 1.0)
        gone = [i for i in range(k + 1) if (PANEL_X[i % 3] + PANEL_W - 20) / 1240 <= wiped]
        return k, [(i % 3, *layers[i], 1.0) for i in range(k + 1) if i not in gone], wiped
    panels = []
    for i in range(0 if k < 3 else 3, k + 1):
        written = 1.0 if i < k else min(1.0, max(0.0, t - starts[i] - lecture.LEAD) / (WRITE_SHARE * talk[i]))
        panels.append((i % 3, *layers[i], written))
    return k, panels, 1.0 if k >= 3 else 0.0


def evaluate(out: Path) -> None:
    from momentsearch.api import MomentIndex
    from momentsearch.evaluate import boundary_scores, detected_boundaries

    truth = json.loads((out / "truth.json").read_text())
    fresh = not (out / "db").exists()
    index = MomentIndex(out / "db")
    if fresh:
        index.index([str(out / "board.mp4")])
    rec = index.videos()[0]
    cuts = detected_boundaries(index)[rec.path]
    edges = [s for s, _ in rec.sections][1:]
    print(f"picture cuts {[round(s, 1) for s in cuts]}: F1 {boundary_scores(cuts, truth['cuts']).f1:.2f} "
          f"(truth: the wipe at {truth['cuts'][0]:.1f})")
    print(f"section edges {[round(s, 1) for s in edges]}: F1 {boundary_scores(edges, truth['topics']).f1:.2f} "
          f"(truth {[round(s, 1) for s in truth['topics']]})")
    lecture.score_queries(index, truth["queries"], channels=True)
    corpus = index.searcher.corpus()
    for meta, text in zip(corpus.ocr_meta, corpus.ocr_text):
        print(f"slide text {meta['start']:.1f}-{meta['end']:.1f}: {text[:110]!r}")


def main() -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="/tmp/board", help="folder for the video, its truth and its index")
    ap.add_argument("--reuse", action="store_true", help="score the video and index already in OUT")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if not args.reuse:
        shutil.rmtree(out / "db", ignore_errors=True)
        render(out)
    evaluate(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
