#!/usr/bin/env python3
"""Four short lectures in slide styles real decks use and momentsearch's renderers never drew, indexed and
checked: where the picture cuts fall against the rendered slide changes (+-1 s), what OCR read for the titles
(chapters), and whether each slide's own title words find it. 1280x720 at 10 fps, espeak-ng narration.

  dark     light text on near-black, condensed font, footer page numbers; push (0.5 s) and wipe transitions
  media    two columns with a photo-like noise picture, a slide that is one big chart, a table, a slide with
           an embedded clip playing in a box (moving content: no cut)
  bullets  consecutive slides that differ only in one bullet's text (same title, same footer but the page)
  serif    italic serif / mono oblique fonts, a table, a wipe, a push and a cut
  pages    a slide shown again with only its footer's page number changed, then another slide

The true cuts are the slide changes (a transition's midpoint). Detections are matched one-to-one within 1 s;
per style P = matched / detections, R = matched / true cuts.

    python3 scripts/probe_deck_styles.py [--out /tmp/deckstyles] [--reuse]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
import independent_lecture as il  # noqa: E402 (its espeak-ng reader, streams and encoder)

W, H, FPS, SR = 1280, 720, 10, 16000
F = "/usr/share/fonts/truetype/"
FONTS = {"cond": F + "dejavu/DejaVuSansCondensed.ttf", "cond_b": F + "dejavu/DejaVuSansCondensed-Bold.ttf",
         "narrow": F + "liberation/LiberationSansNarrow-Regular.ttf",
         "narrow_b": F + "liberation/LiberationSansNarrow-Bold.ttf",
         "serif_i": F + "liberation/LiberationSerif-Italic.ttf",
         "serif_bi": F + "liberation/LiberationSerif-BoldItalic.ttf",
         "mono_o": F + "dejavu/DejaVuSansMono-Oblique.ttf", "sans": F + "dejavu/DejaVuSans.ttf",
         "sans_b": F + "dejavu/DejaVuSans-Bold.ttf"}
LEAD, GAP = 0.5, 1.2

# each slide: (title, layout, bullets, talk, query words only its title holds)
DECKS = {
    "dark": dict(theme=((14, 15, 18), (235, 235, 240), (150, 200, 255)), fonts=("cond_b", "cond"), slides=[
        ("Volcanic Arcs", "bullets", ["Subduction feeds magma upward", "Chains parallel to trenches"],
         "Today we look at chains of volcanoes that form above a sinking plate.", "volcanic arcs"),
        ("Mantle Wedge Melting", "bullets", ["Water lowers the solidus", "Melt rises through the wedge"],
         "Water released from the slab lets the hot rock above it melt at lower temperature.", "mantle wedge"),
        ("Andesite Chemistry", "bullets", ["Intermediate silica content", "Rich in plagioclase feldspar"],
         "The typical rock is intermediate in silica, between basalt and rhyolite.", "andesite chemistry"),
        ("Stratovolcano Hazards", "bullets", ["Pyroclastic flows", "Lahars down river valleys"],
         "These steep cones erupt explosively, and mud flows can travel far down the valleys.",
         "stratovolcano hazards"),
        ("Cascadia Example", "bullets", ["Mount Rainier, Mount Hood", "Juan de Fuca plate"],
         "A good example lies in the north west of America, where a small oceanic plate dives east.",
         "cascadia example"),
    ], transitions=["push", "wipe", "push", "wipe"]),
    "media": dict(theme=((250, 250, 246), (30, 30, 34), (20, 90, 160)), fonts=("sans_b", "sans"), slides=[
        ("Coral Reef Ecology", "twocol", ["Built by colonial polyps", "Symbiotic algae supply sugar",
                                          "Cover under one percent of seabed"],
         "Reefs are built by tiny animals that live together with algae inside their tissue.", "coral reef ecology"),
        ("Bleaching Frequency", "chart", [],
         "This chart shows how often mass bleaching events have happened in each decade.",
         "bleaching frequency"),
        ("Species Census Table", "table", [["Group", "Species", "Trend"], ["Hard corals", "800", "down"],
                                           ["Reef fish", "4000", "stable"], ["Sponges", "5000", "up"]],
         "Counting the organisms gives a sense of how diverse these places are.", "species census table"),
        ("Drone Survey Footage", "video", ["Transect at 5 m depth"],
         "Here is some footage from a survey drone flying over the shallow part of the reef.",
         "drone survey footage"),
        ("Restoration Nurseries", "twocol", ["Fragments grown on frames", "Outplanted after a year"],
         "Finally, people are growing fragments on underwater frames and planting them back.",
         "restoration nurseries"),
    ], transitions=["cut", "push", "wipe", "cut"]),
    "bullets": dict(theme=((255, 255, 255), (20, 20, 20), (160, 30, 30)), fonts=("narrow_b", "narrow"), slides=[
        ("Sorting Algorithms", "bullets", ["Bubble sort swaps neighbours", "Insertion sort builds a prefix",
                                           "Merge sort splits in halves"],
         "Let us compare three classic ways of putting a list in order.", "bubble sort swaps neighbours"),
        ("Sorting Algorithms", "bullets", ["Bubble sort swaps neighbours", "Insertion sort builds a prefix",
                                           "Quicksort partitions around pivot"],
         "Now replace the last one with a method that picks a pivot element.", "quicksort partitions pivot"),
        ("Sorting Algorithms", "bullets", ["Bubble sort swaps neighbours", "Heapsort uses binary heap",
                                           "Quicksort partitions around pivot"],
         "And instead of the middle one, consider a method built on a tree shaped structure.",
         "heapsort binary heap"),
        ("Sorting Algorithms", "bullets", ["Radix sort reads digits", "Heapsort uses binary heap",
                                           "Quicksort partitions around pivot"],
         "Finally a method that never compares two elements at all.", "radix sort digits"),
    ], transitions=["cut", "cut", "cut"]),
    "serif": dict(theme=((244, 238, 222), (50, 40, 30), (120, 60, 20)), fonts=("serif_bi", "serif_i"), slides=[
        ("Baroque Counterpoint", "bullets", ["Independent melodic lines", "Fugue, canon, invention"],
         "Music of this period weaves several independent melodies together.", "baroque counterpoint"),
        ("Voice Leading Rules", "mono", ["avoid parallel fifths", "resolve the leading tone",
                                         "contrary motion preferred"],
         "Composers followed strict rules about how each voice may move.", "voice leading rules"),
        ("Cadence Types", "table", [["Name", "Chords"], ["Authentic", "V - I"], ["Plagal", "IV - I"],
                                    ["Deceptive", "V - vi"]],
         "Phrases end with characteristic chord progressions.", "cadence types"),
        ("Bach Chorales", "bullets", ["Over 370 harmonisations", "Four voices: SATB"],
         "The best known examples are the four part hymns written in Leipzig.", "bach chorales"),
        ("Fugue Exposition", "bullets", ["Subject, answer, countersubject", "Entries in tonic and dominant"],
         "A fugue begins by presenting its theme in each voice in turn.", "fugue exposition"),
    ], transitions=["wipe", "push", "cut", "wipe"]),
    "pages": dict(theme=((255, 255, 255), (40, 40, 40), (0, 100, 60)), fonts=("sans_b", "sans"), slides=[
        ("Photosynthesis Overview", "bullets", ["Light reactions in thylakoids", "Calvin cycle in stroma"],
         "Plants turn light into chemical energy in two linked stages. The first one happens in the membranes.",
         "photosynthesis overview"),
        ("Photosynthesis Overview", "bullets", ["Light reactions in thylakoids", "Calvin cycle in stroma"],
         "The same slide again: only the page number in the corner has changed, nothing else.",
         "photosynthesis overview"),
        ("Rubisco Enzyme", "bullets", ["Fixes carbon dioxide", "Slow and often confused by oxygen"],
         "The key enzyme of the second stage is remarkably slow at its job.", "rubisco enzyme"),
    ], transitions=["cut", "cut"]),
}
TRANS_S = {"cut": 0.0, "push": 0.5, "wipe": 0.6}


def font(key: str, size: int):
    return ImageFont.truetype(FONTS[key], size)


def noise_photo(w: int, h: int, seed: int) -> Image.Image:
    """A photo-like picture: smooth colour blobs plus grain."""
    rng = np.random.default_rng(seed)
    small = rng.uniform(0, 255, (h // 40 + 2, w // 40 + 2, 3)).astype(np.uint8)
    im = np.asarray(Image.fromarray(small).resize((w, h), Image.BICUBIC), np.float32)
    im += rng.normal(0, 18, im.shape)
    return Image.fromarray(np.clip(im, 0, 255).astype(np.uint8))


def slide_image(deck: dict, k: int, n: int) -> Image.Image:
    bg, fg, accent = deck["theme"]
    tf, bf = deck["fonts"]
    title, layout, items, _talk, _q = deck["slides"][k]
    im = Image.new("RGB", (W, H), bg)
    d = ImageDraw.Draw(im)
    d.text((70, 50), title, font=font(tf, 58), fill=accent)
    d.line([70, 130, W - 70, 130], fill=accent, width=3)
    if layout in ("bullets", "mono", "twocol"):
        ff = font("mono_o", 36) if layout == "mono" else font(bf, 40)
        for i, text in enumerate(items):
            d.ellipse([80, 190 + 80 * i, 96, 206 + 80 * i], fill=accent)
            d.text((115, 175 + 80 * i), text, font=ff, fill=fg)
        if layout == "twocol":
            im.paste(noise_photo(480, 400, k), (730, 170))
    elif layout == "table":
        ff = font(bf, 34)
        cw = (W - 200) // len(items[0])
        for r, row in enumerate(items):
            y = 180 + 80 * r
            if r == 0:
                d.rectangle([100, y, W - 100, y + 80], fill=accent)
            for c, cell in enumerate(row):
                d.text((120 + c * cw, y + 20), cell, font=ff, fill=bg if r == 0 else fg)
            d.line([100, y + 80, W - 100, y + 80], fill=fg, width=2)
        for c in range(len(items[0]) + 1):
            d.line([100 + c * cw, 180, 100 + c * cw, 180 + 80 * len(items)], fill=fg, width=2)
    elif layout == "chart":
        vals = [2, 3, 5, 9, 14]
        d.line([140, 640, 1180, 640], fill=fg, width=3)
        d.line([140, 160, 140, 640], fill=fg, width=3)
        for i, v in enumerate(vals):
            x = 200 + 200 * i
            d.rectangle([x, 640 - 32 * v, x + 120, 640], fill=accent)
            d.text((x + 10, 650), f"{1980 + 10 * i}s", font=font(bf, 26), fill=fg)
            d.text((x + 40, 600 - 32 * v), str(v), font=font(bf, 26), fill=fg)
    elif layout == "video":
        d.rectangle([238, 158, 1042, 612], outline=fg, width=2)
        d.text((240, 630), items[0], font=font(bf, 30), fill=fg)
    d.text((70, H - 40), "Lecture notes  ·  Spring term", font=font(bf, 16), fill=fg)
    d.text((W - 110, H - 40), f"{k + 1} / {n}", font=font(bf, 16), fill=fg)
    return im


def video_box(frame: np.ndarray, t: float) -> None:
    """Moving content inside the video slide's box: a panning textured scene and a moving dot."""
    x0, y0, x1, y1 = 240, 160, 1040, 610
    if not hasattr(video_box, "scene"):
        video_box.scene = np.asarray(noise_photo(2400, 450, 99))
    off = int(t * 60) % 1600
    frame[y0:y1, x0:x1] = video_box.scene[:, off:off + 800]
    cx, cy = int(x0 + 100 + 60 * t) % 700 + x0, int(y0 + 200 + 80 * np.sin(t * 2))
    frame[cy - 20:cy + 20, cx - 20:cx + 20] = (255, 255, 255)


def transition(a: np.ndarray, b: np.ndarray, kind: str, p: float) -> np.ndarray:
    if kind == "push":  # old slide leaves to the left, the new one comes in from the right
        x = int(W * p)
        return np.concatenate([a[:, x:], b[:, :x]], axis=1) if x else a
    if kind == "wipe":  # left-to-right wipe with a soft 60-px edge
        ramp = np.clip((np.arange(W) - (W + 60) * p + 60) / 60, 0, 1)[None, :, None]
        return (b * (1 - ramp) + a * ramp).astype(np.uint8)
    return b


def render(name: str, deck: dict, out: Path) -> dict:
    import av

    n = len(deck["slides"])
    slides = [np.asarray(slide_image(deck, k, n)) for k in range(n)]
    voice = ["en-us", "en-gb", "en+m3", "en-us+f2", "en-gb+m2"][list(DECKS).index(name)]
    clips = [il.speak(s[3], voice=voice, rate=165) for s in deck["slides"]]
    starts, t = [], 0.0  # a slide's time on screen starts when its incoming transition ends
    for k, clip in enumerate(clips):
        starts.append(t)
        t += LEAD + len(clip) / SR + GAP + (TRANS_S[deck["transitions"][k]] if k < n - 1 else 0)
    duration = t
    cuts = [starts[k] - TRANS_S[deck["transitions"][k - 1]] / 2 for k in range(1, n)]
    audio = np.zeros(int(duration * SR) + SR, np.float32)
    for s, clip in zip(starts, clips):
        i = int((s + LEAD) * SR)
        audio[i:i + len(clip)] += 0.8 * clip
    audio += np.random.default_rng(1).normal(0, 0.003, audio.size).astype(np.float32)
    path = out / f"{name}.mp4"
    with av.open(str(path), "w") as container:
        video, sound = il.streams(container, FPS)
        for f in range(int(duration * FPS)):
            ft = f / FPS
            k = max(i for i in range(n) if starts[i] - (TRANS_S[deck["transitions"][i - 1]] if i else 0) <= ft)
            kind = deck["transitions"][k - 1] if k else "cut"
            if k and ft < starts[k] and kind != "cut":
                p = 1 - (starts[k] - ft) / TRANS_S[kind]
                frame = transition(slides[k - 1], slides[k], kind, p)
            else:
                frame = slides[k].copy()
                if deck["slides"][k][1] == "video":
                    video_box(frame, ft - starts[k])
            for packet in video.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgb24")):
                container.mux(packet)
        il.finish(container, video, sound, audio)
    return {"path": str(path.resolve()), "starts": starts, "cuts": cuts, "duration": duration,
            "transitions": deck["transitions"]}


def match(found: list[float], truth: list[float], tol: float = 1.0) -> tuple[int, list]:
    pairs = sorted((abs(f - t), i, j) for i, f in enumerate(found) for j, t in enumerate(truth) if abs(f - t) <= tol)
    used_f, used_t, hits = set(), set(), []
    for dist, i, j in pairs:
        if i not in used_f and j not in used_t:
            used_f.add(i), used_t.add(j), hits.append((truth[j], found[i]))
    return len(hits), hits


def evaluate(out: Path, truth: dict) -> dict:
    from momentsearch import MomentIndex

    report = {}
    with MomentIndex(str(out / "db")) as index:
        recs = {Path(r.path).stem: r for r in index.videos()}
        for name, tr in truth.items():
            rec, deck = recs[name], DECKS[name]
            found = [s for s, _e in rec.visual_segments][1:]
            m, hits = match(found, tr["cuts"])
            chapters = [(round(c.start, 1), c.title) for c in index.chapters(rec.path)]
            queries = []
            for k, slide in enumerate(deck["slides"]):
                lo = tr["starts"][k] - (TRANS_S[tr["transitions"][k - 1]] / 2 if k else 0)
                hi = tr["cuts"][k] if k < len(tr["cuts"]) else tr["duration"]
                res = index.search(slide[4], k=3)
                top = [(Path(r.video).stem, round(r.start, 1), round(r.end, 1)) for r in res]
                ok = bool(top) and top[0][0] == name and top[0][1] < hi - 0.5 and top[0][2] > lo + 0.5 and \
                    lo - 1.0 <= top[0][1] <= lo + 1.0
                queries.append({"query": slide[4], "slide": k, "truth": [round(lo, 1), round(hi, 1)],
                                "top": top, "ok": ok})
            report[name] = {"cuts": [round(c, 2) for c in tr["cuts"]], "found": [round(f, 2) for f in found],
                            "P": m / max(len(found), 1), "R": m / max(len(tr["cuts"]), 1), "hits": hits,
                            "segments": rec.visual_segments, "chapters": chapters, "queries": queries}
    return report


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="/tmp/deckstyles")
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--only", nargs="*", default=list(DECKS))
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    tpath = out / "truth.json"
    if not a.reuse:
        truth = {name: render(name, DECKS[name], out) for name in a.only}
        tpath.write_text(json.dumps(truth, indent=1))
        from momentsearch import MomentIndex

        t0 = time.time()
        with MomentIndex(str(out / "db")) as index:
            index.index([truth[n]["path"] for n in truth])
        print(f"indexed in {time.time() - t0:.0f} s")
    truth = json.loads(tpath.read_text())
    report = evaluate(out, truth)
    (out / "report.json").write_text(json.dumps(report, indent=1))
    for name, r in report.items():
        print(f"\n== {name}: cut P {r['P']:.2f} R {r['R']:.2f}  truth {r['cuts']}  found {r['found']}")
        print("   chapters:", r["chapters"])
        for q in r["queries"]:
            print(f"   {'HIT ' if q['ok'] else 'MISS'} {q['query']!r} slide {q['slide']} {q['truth']} top {q['top']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
