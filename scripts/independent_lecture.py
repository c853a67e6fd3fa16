#!/usr/bin/env python3
"""A lecture rendered without momentsearch.testing, indexed and searched: a check on material our
benchmark renderer did not make (its own slide style: serif titles, dark theme, numbered items; 1280x720
at 25 fps; a camera warp with its own perspective, a lecturer block and a red laser dot; a voice
neither benchmark split uses, en-us+m3 at 150 wpm; drifting low-frequency noise). Ground truth and 12
queries (said / shown / concept) are written by hand below.

    python3 scripts/independent_lecture.py [--out /tmp/indep] [--layout call]

Prints the cut detector's boundaries against the true slide changes (F1 at +-1 s), each query's top
result (R1@0.5), and whether each slide of the deck, given as an image query, finds its time on
screen. One short lecture in its own index: an easy case, a sanity check, not a benchmark.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

W, H, FPS, SR = 1280, 720, 25, 16000
TITLE_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"
TEXT_FONT = "/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Italic.ttf"
VOICE, RATE = "en-us+m3", 150
GAP = 1.5  # seconds between the end of one slide's speech and the next slide
LEAD = 0.6  # seconds from a slide's appearance to its first word
SLIDES = [
 ("Glaciers and Ice Ages", ["Why ice sheets grow and shrink", "Milankovitch cycles"],
  "Welcome. Today we look at glaciers, the enormous rivers of ice that shaped the valleys around this city, and at why the planet has swung between cold and warm periods for millions of years."),
 ("How a glacier flows", ["Ice deforms under its own weight", "Basal sliding on meltwater"],
  "A glacier is not a static block. Under its own weight the ice slowly deforms like very thick toffee, and where meltwater reaches the bed the whole mass can slide forward several metres in a day."),
 ("Moraines and erratics", ["Till dumped at the snout", "Boulders carried hundreds of km"],
  "When the ice melts back it leaves behind ridges of rubble and huge stray boulders resting on completely different rock, which puzzled early geologists until the idea of ancient ice sheets was accepted."),
 ("Orbital forcing", ["Eccentricity 100 kyr", "Obliquity 41 kyr", "Precession 23 kyr"],
  "The timing of the ice ages follows small wobbles in the orbit of the Earth. The shape of the orbit, the tilt of the axis and the slow spinning of that axis change how much summer sunshine reaches the north."),
 ("Ice cores", ["Bubbles of ancient air", "800,000 years from Dome C"],
  "Drilling deep into Antarctica gives us cylinders of ice with tiny bubbles of old atmosphere trapped inside. Measuring the gas in those bubbles shows carbon dioxide rising and falling together with temperature."),
]
QUERIES = [  # (query, slide index, type)
 ("rivers of ice that shaped the valleys", 0, "said"), ("an introduction to frozen landscapes and climate swings", 0, "concept"),
 ("basal sliding on meltwater", 1, "shown"), ("ice moving downhill because it bends under its mass", 1, "concept"),
 ("huge stray boulders resting on different rock", 2, "said"), ("till dumped at the snout", 2, "shown"),
 ("wobbles in the orbit of the Earth", 3, "said"), ("obliquity 41 kyr", 3, "shown"), ("why the planet's path around the sun controls cold periods", 3, "concept"),
 ("bubbles of old atmosphere trapped inside", 4, "said"), ("Dome C", 4, "shown"), ("what drilled frozen samples reveal about past greenhouse gas", 4, "concept"),
]


def slide_image(title: str, items: list[str]) -> np.ndarray:
    from PIL import Image, ImageDraw, ImageFont

    im = Image.new("RGB", (1024, 768), (24, 28, 38))
    d = ImageDraw.Draw(im)
    d.rectangle([0, 0, 18, 768], fill=(200, 120, 40))
    d.text((60, 60), title, font=ImageFont.truetype(TITLE_FONT, 64), fill=(240, 235, 220))
    for k, text in enumerate(items):
        d.text((80, 220 + 90 * k), f"{k + 1}. {text}", font=ImageFont.truetype(TEXT_FONT, 44), fill=(200, 210, 225))
    d.text((800, 720), "GEOG 210", font=ImageFont.truetype(TEXT_FONT, 22), fill=(120, 120, 130))
    return np.asarray(im)


def speak(text: str, voice: str = VOICE, rate: int = RATE) -> np.ndarray:
    """espeak-ng's reading of `text` at SR (the other independent scripts import this)."""
    wav = subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "--stdout", text],
                         capture_output=True, check=True).stdout
    with wave.open(io.BytesIO(wav)) as w:
        x = np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float32) / 32768
        sr = w.getframerate()
    n = int(len(x) * SR / sr)
    return np.interp(np.linspace(0, len(x) - 1, n), np.arange(len(x)), x).astype(np.float32)


def soundtrack(clips: list[np.ndarray], starts: list[float], duration: float, rng) -> np.ndarray:
    audio = np.zeros(int(duration * SR) + SR, np.float32)
    for start, clip in zip(starts, clips):
        i = int((start + LEAD) * SR)
        audio[i:i + len(clip)] += 0.8 * clip
    drift = np.cumsum(rng.normal(0, 1, audio.size)).astype(np.float32)  # low-frequency room noise
    drift -= np.convolve(drift, np.ones(400) / 400, "same")
    return audio + 0.02 * drift / (np.abs(drift).max() + 1e-9)


def camera_frame(slide: np.ndarray, t: float, warp, rng) -> np.ndarray:
    import cv2

    frame = np.full((H, W, 3), (52, 48, 44), np.uint8)
    frame[600:] = (70, 55, 40)
    shown = cv2.warpPerspective((slide * 0.7 + 40).astype(np.uint8), warp, (W, H))
    inside = cv2.warpPerspective(np.ones(slide.shape[:2], np.uint8), warp, (W, H)) > 0
    frame[inside] = shown[inside]
    x = int(150 + 120 * np.sin(t / 3))  # the lecturer, walking
    cv2.rectangle(frame, (x, 300), (x + 110, 720), (90, 60, 60), -1)
    cv2.circle(frame, (x + 55, 260), 45, (180, 150, 130), -1)
    cv2.circle(frame, (int(600 + 200 * np.sin(t * 0.7)), int(350 + 80 * np.cos(t * 1.1))), 6, (255, 30, 30), -1)
    return np.clip(frame.astype(np.int16) + rng.integers(-6, 7, frame.shape), 0, 255).astype(np.uint8)


def call_frame(slide: np.ndarray, t: float, rng) -> np.ndarray:
    """A video call's recording: the 4:3 slide shared at the left, pillarboxed in the call's dark grey;
    the lecturer's camera tile at the right (moving head, flickering webcam noise) with a name label; a
    bottom bar whose recording clock ticks every second."""
    import cv2

    frame = np.full((H, W, 3), (32, 33, 36), np.uint8)
    frame[24:24 + 648, 20:20 + 864] = cv2.resize(slide, (864, 648), interpolation=cv2.INTER_AREA)
    tile = np.full((216, 352, 3), (96, 104, 88), np.uint8)
    tile[140:] = (60, 52, 48)
    cx, cy = int(176 + 18 * np.sin(t * 0.9)), int(96 + 6 * np.sin(t * 2.3))
    cv2.ellipse(tile, (cx, cy), (42, 54), 0, 0, 360, (170, 140, 120), -1)
    cv2.rectangle(tile, (cx - 70, cy + 60), (cx + 70, 216), (40, 60, 110), -1)
    tile = np.clip(tile.astype(np.int16) + rng.integers(-10, 11, tile.shape), 0, 255).astype(np.uint8)
    frame[24:240, 908:1260] = tile
    cv2.putText(frame, "Dr. Ana Ruiz", (914, 232), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (235, 235, 235), 1, cv2.LINE_AA)
    frame[684:] = (22, 22, 24)
    clock = f"REC {int(t) // 3600:02d}:{int(t) // 60 % 60:02d}:{int(t) % 60:02d}"
    cv2.circle(frame, (30, 702), 7, (230, 40, 40), -1)
    cv2.putText(frame, clock, (44, 708), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (220, 220, 220), 1, cv2.LINE_AA)
    cv2.putText(frame, "Mute   Stop Video   Participants (23)   Chat   Share Screen", (380, 708),
                cv2.FONT_HERSHEY_SIMPLEX, 0.5, (200, 200, 200), 1, cv2.LINE_AA)
    return frame


def phone_band(audio: np.ndarray) -> np.ndarray:
    """A call's sound: 8 kHz narrowband (300-3400 Hz), dropouts of 20-60 ms where packets were lost."""
    from scipy.signal import butter, resample_poly, sosfilt

    rng = np.random.default_rng(11)
    narrow = sosfilt(butter(6, [300, 3400], btype="band", fs=SR, output="sos"), audio)
    narrow = resample_poly(resample_poly(narrow, 1, 2), 2, 1)[:audio.size].astype(np.float32)
    for start in rng.integers(0, audio.size - SR, audio.size // (4 * SR)):
        narrow[start:start + int(SR * rng.uniform(0.02, 0.06))] = 0.0
    return narrow


def render(out: Path, layout: str = "camera") -> None:
    """Writes OUT/glaciers.mp4 and OUT/truth.json (true cuts; queries with their slide's span).
    `layout`: "camera" (a hall camera filming the projection) or "call" (a video call's recording with
    the slide shared, a camera tile, a ticking clock, and narrowband sound with dropouts)."""
    import av
    import cv2

    rng = np.random.default_rng(7)
    clips = [speak(speech) for _, _, speech in SLIDES]
    starts, t = [], 0.0
    for clip in clips:
        starts.append(t)
        t += len(clip) / SR + GAP
    duration = t
    images = [slide_image(title, items) for title, items, _ in SLIDES]
    warp = cv2.getPerspectiveTransform(np.float32([[0, 0], [1024, 0], [1024, 768], [0, 768]]),
                                       np.float32([[330, 90], [1010, 140], [985, 560], [350, 600]]))
    with av.open(str(out / "glaciers.mp4"), "w") as container:
        video, sound = streams(container, FPS)
        for f in range(int(duration * FPS)):
            t = f / FPS
            k = max(i for i, s in enumerate(starts) if s <= t)
            picture = camera_frame(images[k], t, warp, rng) if layout == "camera" else call_frame(images[k], t, rng)
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            for packet in video.encode(frame):
                container.mux(packet)
        audio = soundtrack(clips, starts, duration, rng)
        finish(container, video, sound, audio if layout == "camera" else phone_band(audio))
    ends = starts[1:] + [duration]
    truth = {"cuts": starts[1:], "queries": [(q, starts[i], ends[i], kind) for q, i, kind in QUERIES]}
    (out / "truth.json").write_text(json.dumps(truth))
    print(f"rendered {duration:.1f} s; true cuts {[round(s, 1) for s in starts[1:]]}")


def streams(container, fps: int) -> tuple:
    """(video, sound) streams added to `container`: H.264 at W x H and `fps`, mono AAC at SR (the other
    independent scripts use it)."""
    video = container.add_stream("libx264", rate=fps)
    video.width, video.height, video.pix_fmt = W, H, "yuv420p"
    sound = container.add_stream("aac", rate=SR)
    sound.layout = "mono"
    return video, sound


def finish(container, video, sound, audio: np.ndarray) -> None:
    """`audio` (float, SR) encoded into `sound`, then both streams flushed (the other independent scripts use it)."""
    import av

    pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16)
    for i in range(0, len(pcm), 1024):
        chunk = av.AudioFrame.from_ndarray(pcm[None, i:i + 1024], format="s16", layout="mono")
        chunk.sample_rate = SR
        for packet in sound.encode(chunk):
            container.mux(packet)
    for stream in (video, sound):
        for packet in stream.encode():
            container.mux(packet)


def score_queries(index, queries, channels: bool = False) -> int:
    """Prints each (query, start, end, kind)'s top result against its truth (IoU; `channels`: its score per
    channel) and R1@0.5; returns the hits (the other independent scripts use it)."""
    from momentsearch.ranking.fusion import iou as span_iou

    hits = 0
    for query, start, end, kind in queries:
        top = (index.search(query, k=3) or [None])[0]
        iou = float(span_iou(top.start, top.end, start, end)) if top is not None else 0.0
        hits += iou >= 0.5
        where = f"{top.start:.1f}-{top.end:.1f}" if top is not None else "nothing"
        if top is not None and channels:
            where += " " + " ".join(f"{c} {v:.2f}" for c, v in top.channels.items())
        print(f"{kind:8s} {'ok  ' if iou >= 0.5 else 'MISS'} IoU {iou:.2f} truth {start:.1f}-{end:.1f} "
              f"top {where} | {query}")
    print(f"R1@0.5 {hits}/{len(queries)}")
    return hits


def evaluate(out: Path) -> None:
    from momentsearch.api import MomentIndex
    from momentsearch.errors import QueryError
    from momentsearch.evaluate import boundary_scores
    truth = json.loads((out / "truth.json").read_text())
    shutil.rmtree(out / "db", ignore_errors=True)
    index = MomentIndex(out / "db")
    index.index([str(out / "glaciers.mp4")])
    found = [s for s, _ in index.videos()[0].visual_segments][1:]
    cuts = boundary_scores(found, truth["cuts"])
    print(f"cuts found {[round(s, 1) for s in found]}: F1 {cuts.f1:.2f} at +-1 s")
    score_queries(index, truth["queries"])
    # the deck itself as image queries ("where was this slide shown?"): words read on it, no CLIP here
    edges = [0.0, *truth["cuts"], index.videos()[0].duration]
    found = 0
    for i, (title, items, _) in enumerate(SLIDES):
        try:
            moments, words = index.image_query(slide_image(title, items), k=1)
        except QueryError as exc:
            moments, words = [], str(exc)
        ok = bool(moments) and edges[i] <= (moments[0].start + moments[0].end) / 2 <= edges[i + 1]
        found += ok
        print(f"image    {'ok  ' if ok else 'MISS'} slide {edges[i]:.1f}-{edges[i + 1]:.1f} | read: {words[:70]}")
    print(f"image queries (each slide of the deck): {found}/{len(SLIDES)}")


def main() -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="/tmp/indep", help="folder for the video, its truth and its index")
    ap.add_argument("--layout", choices=("camera", "call"), default="camera",
                    help="a hall camera filming the projection, or a video call's recording (shared slide, "
                         "camera tile, ticking clock, narrowband sound)")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    render(out, args.layout)
    evaluate(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
