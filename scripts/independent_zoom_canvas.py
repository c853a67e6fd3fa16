#!/usr/bin/env python3
"""A lecture given with a zooming-canvas tool (Prezi style) and screen-recorded, rendered without
momentsearch.testing, indexed and searched: a check on a kind of real recording nothing was tuned on.
1280x720 at 8 fps, ~5 min. ALL content lives on ONE canvas of 6000x4000 px: a pale sea-green page with
the big title "Coral Reefs" / "Cities Under the Sea" in the middle, six topic frames around it (rounded
rectangles of 1500x1000 px in ONE style: white fill, teal border, navy bold heading, three bullets behind
round markers), curved paths from the title to each frame and a dashed route from frame to frame, and small
drawings (fish, shells, waves) in the gaps. Topic 2's frame is placed turned 15 degrees on the canvas (the
camera turns with it, so it is upright once settled: the flights rotate); topic 4's is turned -10 degrees and
the camera does not turn (its words are on screen at a slant). Topics 1, 3 and 5 hold a small sub-frame (a
labelled polyp diagram, a quote, a bar chart) whose print is 8-12 px on screen while the topic is shown
(meant to be readable only when the camera zooms into it; drawn at 4x so the zoom is sharp). The recording is a virtual
camera over the canvas: it opens on the overview (all frames visible, bullets ~11 px high), then flies to each
topic (pan AND zoom with a zoom-out in the middle, 2 s; 2.5 s to and from the overview), holds while the topic
is discussed (25-50 s), zooms into the sub-frame and back out (1.6 s each way), and twice (after topics 2 and
4) returns to the overview for a short bridge. No cursor, no sensor noise (a screen recording). A marine
biology lecture in a voice no other script uses (espeak-ng en-us+f3 at 152 wpm), light room noise and hiss;
nobody speaks during a flight.

Decisions, fixed before any result was seen. A true cut is arriving at a new place of the course: each of the
8 flights between a topic frame and another topic frame or the overview, at the time the flight SETTLES, +-1 s.
A detection in a flight's middle (more than 1 s before it settles) counts as a miss and a false alarm; the
report also counts, per flight, how many detections fall in [flight start - 1 s, settle + 1 s] (one flight
should give at most one). The zoom into a sub-frame and back out stays on one topic: the README calls a
camera zooming in on the same slide "the same slide, closer or wider: a new view", so it is NO cut (a
detection there is a false alarm, put down to "detail N in/out"); a second score line takes these 6 moves as
optional. Stretches: overview 0 (from 0 to the first flight's start), then each topic and each return to the
overview, from the start of the flight into it to the start of the next flight (the flight belongs to where it
goes). Section edges are scored against the true cuts, as the other probes do. Query truth: the whole stretch
of the topic whose frame holds the words or whose speech says them; a "detail" query (words only in a
sub-frame, never spoken) has its whole topic as truth (the detail is not a moment of its own); an "overview"
query's truth is overview 0 (the first showing; where its top result lands on a later overview is printed).
The 23 queries (said: spoken words; shown: words on a frame, never spoken; concept: a paraphrase; detail;
overview) were written with the canvas and the talk, before the first run, and not changed after.

    python3 scripts/independent_zoom_canvas.py [--out /tmp/zoomcanvas] [--reuse]

Prints picture cuts and section edges against the truth (P / R / F1 at +-1 s; with the detail moves optional
too), detections per flight, each false alarm's situation, per stretch its visual segments and OCR entries
with their text, which frames' words each OCR entry holds (and its share of words found on no frame: garbage),
the visual side run again (segments, views, frames read by OCR), each query's type, hit or miss (top result's
IoU >= 0.5), truth, top span and channel scores, the run time; writes OUT/diagnostics.json. `--reuse` scores
what OUT holds. Deterministic (fixed seeds). One lecture in its own index: a probe, not a benchmark.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
import independent_code_lecture  # noqa: E402 (its index, query report and command line)
import independent_lecture  # noqa: E402 (its espeak-ng reader, soundtrack and encoder)
import independent_media_lecture  # noqa: E402 (its cut report and visual side run again)

W, H, FPS, SR = 1280, 720, 8, 16000
VOICE, RATE = "en-us+f3", 152
LEAD = independent_lecture.LEAD  # seconds from a settle to the first word
GAP, PAUSE = 1.2, 0.6  # seconds: after the last word before a flight; between two parts of one topic
FLY, FLY_OVERVIEW, FLY_DETAIL = 2.0, 2.5, 1.6  # flight seconds: topic to topic; to / from the overview; detail
NAME = "marb205_lecture09_reefs.mp4"
CW, CH = 6000, 4000  # the canvas
FW, FH = 1500, 1000  # a topic frame
DETAIL = (300, 260, 400, 230)  # the sub-frame inside its topic frame: x, y from the frame's centre, width, height
PATCH = 4  # the sub-frames are drawn at this many pixels per canvas pixel
DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVu{}.ttf"
SEA, TEAL, NAVY, INK, CORAL = (222, 240, 238), (32, 140, 150), (18, 40, 86), (44, 52, 64), (236, 110, 84)

FRAMES = {  # key: (centre on the canvas, turned degrees, camera turns with it, heading, bullets, sub-frame)
    "t1": ((1000, 800), 0, False, "Reef Builders", ["Coral polyps, a few mm across",
                                                    "Limestone skeletons, layer on layer",
                                                    "Colonies of clones"], "polyp"),
    "t2": ((3000, 800), 15, True, "Partners in Light", ["Zooxanthellae live inside coral tissue",
                                                        "Algae supply up to 90% of the food",
                                                        "Coral returns nitrogen and shelter"], None),
    "t3": ((5000, 800), 0, False, "Three Kinds of Reef", ["Fringing: hugging the shore",
                                                          "Barrier: beyond a deep lagoon",
                                                          "Atoll: a ring, no island inside"], "quote"),
    "t4": ((5000, 3200), -10, False, "Crowded Reefs", ["Under 1% of the sea floor",
                                                       "A quarter of marine species",
                                                       "Cleaner wrasse stations"], None),
    "t5": ((3000, 3200), 0, False, "Reefs in Hot Water", ["Bleaching: algae expelled",
                                                          "Acidification weakens skeletons",
                                                          "Runoff and overfishing"], "chart"),
    "t6": ((1000, 3200), 0, False, "Helping Reefs Recover", ["Coral gardening in nurseries",
                                                             "Marine protected areas",
                                                             "Heat-tolerant super corals"], None),
}
TITLE = ("Coral Reefs", "Cities Under the Sea", "MARB 205 · Lecture 9 · Dr. Ana Whitfield")
SUBFRAMES = {  # key: (heading, lines); each drawn in its topic's sub-frame
    "polyp": ("Anatomy of a polyp", ["tentacles", "mouth", "nematocysts", "corallite"]),
    "quote": ("Darwin, 1842", ["\u201cReef-building corals have reared", "and preserved wonderful memorials",
                               "of the subterranean oscillations", "of level.\u201d"]),
    "chart": ("Heat stress events at Lizard Island", ["1998", "2002", "2016", "2017", "2020", "2024"]),
}
TALK = [  # (place: overview or a frame key, stretch, [(part: main / in / out, speech)])
    ("overview", "overview 0", [("main", "Welcome back, everyone. Today is all about coral reefs, and I have laid "
     "out everything we will cover as one big picture. Our subject sits in the middle, and around it are six stops "
     "that we will visit one after another. We start at the top left and work our way round.")]),
    ("t1", "topic 1", [("main", "Our first stop is the builders themselves. A coral looks like a rock or a plant, "
     "but it is an animal, a colony of tiny soft bodied creatures, each one smaller than a fingernail. Every "
     "individual sits in a cup of its own making, and as the colony grows it adds new layers beneath itself, so a "
     "reef is really a pile of old skeletons, thousands of years deep."),
     ("in", "Let me zoom in on a single individual. Around the mouth is a ring of arms armed with stinging cells, "
      "which catch drifting plankton at night. Underneath, the animal produces the stony cup that protects it."),
     ("out", "Zooming back out, remember that every colony starts from one larva, and all the rest are copies of it, "
      "budding off again and again.")]),
    ("t2", "topic 2", [("main", "Next, a partnership. Inside most reef corals live single celled algae, millions in "
     "every square centimetre. They photosynthesise in the sunlight and hand most of the sugar they make to their "
     "host. In return the animal gives them a safe home, carbon dioxide, and the waste products they need as "
     "fertiliser. This is why reefs only grow in clear, shallow water: the partners need light, and they cannot "
     "survive more than a few dozen metres down. It also explains the colours of healthy coral, which come largely "
     "from the algae and their pigments.")]),
    ("overview", "overview 1", [("main", "Let us step back for a moment and look at where we are. We have met the "
     "animals and their partners. Next we turn to the shapes they build.")]),
    ("t3", "topic 3", [("main", "Reefs come in three broad shapes. The simplest grows right along a coastline, with "
     "almost no gap between the beach and the living edge. A second kind lies much further out to sea, separated "
     "from the land by a wide and calm channel; the largest example runs for more than two thousand kilometres "
     "along the coast of Queensland. The third kind is a circle of coral around open water, with no land in the "
     "middle at all."),
     ("in", "How can such a circle form with nothing inside? Here is the idea a young naturalist proposed after his "
      "voyage on the Beagle: the volcano sank slowly, and the coral kept growing upwards towards the light."),
     ("out", "Drilling on Pacific islands in the nineteen fifties finally proved him right, when the cores reached "
      "volcanic rock more than a kilometre down.")]),
    ("t4", "topic 4", [("main", "Why do biologists get so excited about reefs? Because of how full they are. Reefs "
     "cover a tiny fraction of the ocean bottom, yet a huge share of all the fish and invertebrates in the sea "
     "depend on them at some point of their lives. Every crack holds something: crabs, worms, sponges, sea urchins. "
     "Some fish even run a service for others. Small striped fish set up shop at fixed places on the reef, and "
     "larger fish queue there to have parasites picked from their skin and gills. A single reef in Indonesia can "
     "hold more than a thousand kinds of fish.")]),
    ("overview", "overview 2", [("main", "Back to the big picture once more. So far it has been good news. The last "
     "two stops are about what is going wrong, and what we can do about it.")]),
    ("t5", "topic 5", [("main", "Now the problems. When the water stays a degree or two warmer than usual for "
     "several weeks, the partnership we saw earlier breaks down. The stressed animal throws out its algae, its "
     "tissue turns transparent, and the white skeleton shows through. If the warmth does not ease, the colony "
     "starves. At the same time, the ocean absorbs carbon dioxide from the air and turns more acidic, which makes "
     "it harder to build limestone."),
     ("in", "This little chart counts the summers when a whole stretch of the northern reef turned pale at once. Look "
      "at how the gaps between them have shrunk in recent years."),
     ("out", "On top of that come mud and fertiliser washing off farms, and too many fish taken from the reef.")]),
    ("t6", "topic 6", [("main", "Finally, what can be done? The most important step is to cut greenhouse gas "
     "emissions, because no local measure survives repeated heatwaves. But local action buys time. Divers grow "
     "fragments of coral on underwater frames, like seedlings in a greenhouse, and plant them back onto damaged "
     "reefs. Areas closed to fishing recover faster, because grazing fish keep seaweed from smothering young "
     "corals. And some researchers breed colonies that came through hot summers, hoping their offspring will cope "
     "better with the oceans of the future. Thank you, and see you next week.")]),
]
QUERIES = [  # (query, stretch, type); written with the canvas and the talk, before the first run, not changed after
    ("the map of the whole course", "overview 0", "overview"),
    ("Cities Under the Sea", "overview 0", "overview"),
    ("each one smaller than a fingernail", "topic 1", "said"),
    ("colonies of clones", "topic 1", "shown"),
    ("tiny animals whose stony remains pile up into a massive structure", "topic 1", "concept"),
    ("nematocysts and corallite", "topic 1", "detail"),
    ("hand most of the sugar they make to their host", "topic 2", "said"),
    ("Zooxanthellae live inside coral tissue", "topic 2", "shown"),
    ("mutual benefit between an animal and the microscopic plants it hosts", "topic 2", "concept"),
    ("runs for more than two thousand kilometres", "topic 3", "said"),
    ("fringing, barrier and atoll", "topic 3", "shown"),
    ("memorials of the subterranean oscillations of level", "topic 3", "detail"),
    ("larger fish queue there to have parasites picked", "topic 4", "said"),
    ("cleaner wrasse stations", "topic 4", "shown"),
    ("a quarter of marine species", "topic 4", "shown"),
    ("the enormous variety of living things packed into a small area", "topic 4", "concept"),
    ("the white skeleton shows through", "topic 5", "said"),
    ("acidification weakens skeletons", "topic 5", "shown"),
    ("heat stress events at Lizard Island", "topic 5", "detail"),
    ("rising sea temperatures making corals lose their colour", "topic 5", "concept"),
    ("grow fragments of coral on underwater frames", "topic 6", "said"),
    ("marine protected areas", "topic 6", "shown"),
    ("reproducing the toughest specimens so descendants withstand rising temperatures", "topic 6", "concept"),
]


def font(face: str, px: int):
    from PIL import ImageFont

    return ImageFont.truetype(DEJAVU.format(face), px)


def frame_tile(key: str):
    """A topic frame as an RGBA tile (FW x FH, plus a margin), upright: the ONE style every topic shares."""
    from PIL import Image, ImageDraw

    _, _, _, heading, bullets, sub = FRAMES[key]
    m = 40
    tile = Image.new("RGBA", (FW + 2 * m, FH + 2 * m), (0, 0, 0, 0))
    d = ImageDraw.Draw(tile)
    d.rounded_rectangle([m, m, m + FW, m + FH], 70, fill=(255, 255, 255, 255), outline=TEAL + (255,), width=14)
    d.text((m + 90, m + 80), heading, font=font("Sans-Bold", 100), fill=NAVY)
    d.rectangle([m + 92, m + 210, m + 420, m + 222], fill=CORAL)
    for k, text in enumerate(bullets):
        y = m + 290 + 125 * k
        d.ellipse([m + 100, y + 14, m + 136, y + 50], fill=TEAL)
        d.text((m + 170, y), text, font=font("Sans", 56), fill=INK)
    if sub is not None:
        x, y, w, h = DETAIL
        x0, y0 = m + FW // 2 + x - w // 2, m + FH // 2 + y - h // 2
        tile.paste(Image.fromarray(subframe(sub, 1)), (x0, y0))
    return tile


def subframe(key: str, k: int) -> np.ndarray:
    """A sub-frame's picture at k pixels per canvas pixel (RGB, DETAIL's size times k)."""
    from PIL import Image, ImageDraw

    w, h = DETAIL[2] * k, DETAIL[3] * k
    heading, lines = SUBFRAMES[key]
    im = Image.new("RGB", (w, h), (255, 255, 255))
    d = ImageDraw.Draw(im)
    d.rounded_rectangle([0, 0, w - 1, h - 1], 14 * k, fill=(250, 246, 236), outline=CORAL, width=3 * k)
    d.text((16 * k, 12 * k), heading, font=font("Sans-Bold", 17 * k), fill=NAVY)
    if key == "polyp":
        d.ellipse([40 * k, 80 * k, 150 * k, 200 * k], fill=(246, 190, 170), outline=INK, width=2 * k)
        for a in np.linspace(-2.6, -0.5, 6):
            d.line([95 * k, 95 * k, (95 + 70 * np.cos(a)) * k, (95 + 60 * np.sin(a)) * k], fill=CORAL, width=4 * k)
        d.rectangle([50 * k, 180 * k, 140 * k, 215 * k], fill=(210, 206, 196), outline=INK, width=2 * k)
        for j, text in enumerate(lines):
            y = (62 + 40 * j) * k
            d.line([(118 + 6 * j) * k, (100 + 30 * j) * k, 200 * k, y + 10 * k], fill=INK, width=k)
            d.text((205 * k, y), text, font=font("Sans", 15 * k), fill=INK)
    elif key == "quote":
        for j, text in enumerate(lines):
            d.text((20 * k, (60 + 36 * j) * k), text, font=font("Serif-Italic", 15 * k), fill=INK)
    else:
        for j, (text, v) in enumerate(zip(lines, (0.35, 0.45, 0.9, 0.8, 0.85, 1.0))):
            x = (36 + 58 * j) * k
            d.rectangle([x, (200 - 130 * v) * k, x + 34 * k, 200 * k], fill=CORAL)
            d.text((x - 2 * k, 204 * k), text, font=font("Sans", 12 * k), fill=INK)
    return np.asarray(im).copy()


def doodles(d, rng) -> None:
    """Small drawings in the gaps: fish, shells, wave lines."""
    for _ in range(14):
        x, y = int(rng.integers(300, CW - 300)), int(rng.integers(200, CH - 200))
        if any(abs(x - c[0]) < FW / 2 + 160 and abs(y - c[1]) < FH / 2 + 160 for c, *_ in FRAMES.values()) or \
                (abs(x - CW / 2) < 1300 and abs(y - CH / 2) < 420):
            continue
        kind = int(rng.integers(0, 3))
        if kind == 0:
            d.ellipse([x - 70, y - 30, x + 70, y + 30], fill=CORAL)
            d.polygon([(x + 60, y), (x + 120, y - 40), (x + 120, y + 40)], fill=CORAL)
            d.ellipse([x - 45, y - 12, x - 25, y + 8], fill=(255, 255, 255))
        elif kind == 1:
            for a in np.linspace(np.pi * 1.1, np.pi * 1.9, 7):
                d.line([x, y + 40, x + 90 * np.cos(a), y + 40 + 90 * np.sin(a)], fill=(200, 150, 110), width=8)
        else:
            for j in range(3):
                d.arc([x - 120 + 80 * j, y - 30, x - 40 + 80 * j, y + 30], 180, 360, fill=TEAL, width=8)


def canvas() -> np.ndarray:
    """The whole canvas (CH x CW RGB): page, paths, title, doodles, the six frames (turned where FRAMES says)."""
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(12)
    tex = independent_media_lecture.fractal((CH // 8, CW // 8), rng)
    page = np.array(SEA, np.float32) + 6 * np.kron(tex, np.ones((8, 8)))[..., None]
    im = Image.fromarray(np.clip(page, 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(im)
    centre = np.array([CW / 2, CH / 2])
    keys = list(FRAMES)
    for a, b in zip(keys, keys[1:]):  # the dashed route from frame to frame
        p, q = np.array(FRAMES[a][0], float), np.array(FRAMES[b][0], float)
        for u in np.arange(0, 1, 0.04):
            d.line([*(p + (q - p) * u), *(p + (q - p) * (u + 0.02))], fill=(150, 190, 196), width=10)
    for key in keys:  # curved paths from the title to each frame
        p = np.array(FRAMES[key][0], float)
        bend = centre + (p - centre) * 0.5 + np.array([(p - centre)[1], -(p - centre)[0]]) * 0.25
        pts = [tuple((1 - u) ** 2 * centre + 2 * u * (1 - u) * bend + u ** 2 * p) for u in np.linspace(0, 1, 60)]
        d.line(pts, fill=TEAL, width=18, joint="curve")
    d.rounded_rectangle([CW / 2 - 1200, CH / 2 - 380, CW / 2 + 1200, CH / 2 + 380], 120, fill=(255, 255, 255),
                        outline=NAVY, width=12)
    d.text((CW / 2, CH / 2 - 130), TITLE[0], font=font("Serif-Bold", 250), fill=NAVY, anchor="mm")
    d.text((CW / 2, CH / 2 + 130), TITLE[1], font=font("Serif-Italic", 120), fill=CORAL, anchor="mm")
    d.text((CW / 2, CH / 2 + 290), TITLE[2], font=font("Sans", 60), fill=INK, anchor="mm")
    doodles(d, rng)
    for key, ((x, y), turn, *_rest) in FRAMES.items():
        tile = frame_tile(key).rotate(turn, resample=Image.BICUBIC, expand=True)
        im.paste(tile, (x - tile.width // 2, y - tile.height // 2), tile)
    return np.asarray(im).copy()


def pyramid(img: np.ndarray, scale: float, levels: int) -> list[tuple[np.ndarray, float]]:
    """[(image, pixels per canvas pixel)], halving each level."""
    import cv2

    out = [(img, scale)]
    for _ in range(levels - 1):
        img = cv2.resize(img, (img.shape[1] // 2, img.shape[0] // 2), interpolation=cv2.INTER_AREA)
        scale /= 2
        out.append((img, scale))
    return out


def camera_matrix(cam: tuple) -> np.ndarray:
    """Canvas to screen for a camera (x, y, scale, turned degrees): the camera's centre at the screen's."""
    x, y, s, a = cam
    r = np.radians(-a)
    A = s * np.array([[np.cos(r), np.sin(r)], [-np.sin(r), np.cos(r)]])
    return np.hstack([A, (np.array([W / 2, H / 2]) - A @ [x, y])[:, None]])


def sample(levels, M: np.ndarray, origin=(0.0, 0.0), mask: bool = False):
    """The screen picture of a pyramid (placed at `origin` on the canvas) under canvas-to-screen M: the level
    with the fewest pixels that still has at least the screen's, warped bilinearly (and its coverage mask)."""
    import cv2

    s = float(np.sqrt(abs(np.linalg.det(M[:, :2]))))
    img, ls = next(((i, k) for i, k in reversed(levels) if k >= s), levels[0])
    L = M @ np.array([[1 / ls, 0, origin[0]], [0, 1 / ls, origin[1]], [0, 0, 1]])
    out = cv2.warpAffine(img, L, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    if not mask:
        return out
    cover = cv2.warpAffine(np.ones(img.shape[:2], np.float32), L, (W, H), flags=cv2.INTER_LINEAR)
    return out, cover


def views() -> dict:
    """Camera (x, y, scale, turn) of the overview, of each frame and of each sub-frame."""
    cams = {"overview": (CW / 2, CH / 2, 0.19, 0.0)}
    for key, ((x, y), turn, follow, *_rest, sub) in FRAMES.items():
        th = np.radians(turn)
        bw = FW * abs(np.cos(th)) + FH * abs(np.sin(th)) if not follow else FW
        bh = FH * abs(np.cos(th)) + FW * abs(np.sin(th)) if not follow else FH
        cams[key] = (x, y, min(0.94 * W / bw, 0.94 * H / bh), turn if follow else 0.0)
        if sub is not None:
            dx, dy, w, h = DETAIL
            cams[key + " detail"] = (x + dx, y + dy, min(0.9 * W / w, 0.9 * H / h), 0.0)
    return cams


def fly(a: tuple, b: tuple, u: float, dip: float) -> tuple:
    """The camera u (0..1) of the way from a to b: eased, the scale moved in log space and pulled back by
    `dip` (a share) in the middle, as zooming-canvas tools fly."""
    e = u * u * u * (u * (6 * u - 15) + 10)
    x, y = a[0] + (b[0] - a[0]) * e, a[1] + (b[1] - a[1]) * e
    s = np.exp(np.log(a[2]) + (np.log(b[2]) - np.log(a[2])) * e) * (1 - dip * np.sin(np.pi * e))
    return x, y, s, a[3] + (b[3] - a[3]) * e


def timeline(clips: list[list[np.ndarray]]) -> tuple[list[dict], list[list], float]:
    """The camera's moves ({start, settle, from, to, kind, stretch}), each part's [stretch, part, start, end]
    of speech, and the duration, in seconds."""
    moves, said, t, place = [], [], 0.0, "overview"
    for (key, stretch, parts), sounds in zip(TALK, clips):
        for (part, _), clip in zip(parts, sounds):
            to = key + " detail" if part == "in" else key
            if to != place:
                kind = {"in": "detail in", "out": "detail out"}.get(part, "flight")
                dur = FLY_DETAIL if kind != "flight" else FLY_OVERVIEW if "overview" in (key, place) else FLY
                moves.append({"start": round(t, 3), "settle": round(t + dur, 3), "from": place, "to": to,
                              "kind": kind, "stretch": stretch})
                t += dur
                place = to
            said.append([stretch, part, round(t + LEAD, 3), round(t + LEAD + len(clip) / SR, 3)])
            t += LEAD + len(clip) / SR + (PAUSE if part != parts[-1][0] else GAP)
    return moves, said, round(t, 3)


def camera_at(t: float, moves: list[dict], cams: dict) -> tuple:
    k = max((i for i, m in enumerate(moves) if m["start"] <= t), default=-1)
    if k < 0:
        return cams["overview"]
    m = moves[k]
    if t >= m["settle"]:
        return cams[m["to"]]
    dip = 0.35 if m["kind"] == "flight" and "overview" not in (m["from"], m["to"]) else 0.0
    return fly(cams[m["from"]], cams[m["to"]], (t - m["start"]) / (m["settle"] - m["start"]), dip)


def picture_at(cam: tuple, base, patches) -> np.ndarray:
    """The screen under camera `cam`: the canvas, with the sub-frames drawn sharp from their 4x pictures when
    the camera is close enough for it to matter."""
    M = camera_matrix(cam)
    out = sample(base, M)
    if cam[2] > 0.9:
        for levels, origin in patches:
            pic, cover = sample(levels, M, origin, mask=True)
            out = (out * (1 - cover[..., None]) + pic * cover[..., None]).astype(np.uint8)
    return out


def render(out: Path) -> dict:
    """Writes OUT/NAME, OUT/truth.json and OUT/frames/*.png (each hold's and each move's middle frame)."""
    import av
    from PIL import Image

    rng = np.random.default_rng(23)
    clips = [[independent_lecture.speak(text, VOICE, RATE) for _, text in parts] for *_, parts in TALK]
    moves, said, duration = timeline(clips)
    cams, base = views(), pyramid(canvas(), 1.0, 3)
    patches = [(pyramid(subframe(sub, PATCH), PATCH, 5), (x + DETAIL[0] - DETAIL[2] / 2, y + DETAIL[1] - DETAIL[3] / 2))
               for (x, y), *_rest, sub in FRAMES.values() if sub is not None]
    marks = {int((m["start"] + m["settle"]) / 2 * FPS): f"move_{i:02d}_{m['kind'].replace(' ', '')}"
             for i, m in enumerate(moves)}
    ends = [m["start"] for m in moves[1:]] + [duration]
    marks.update({int((m["settle"] + e) / 2 * FPS): f"hold_{i:02d}_{m['to'].replace(' ', '')}"
                  for i, (m, e) in enumerate(zip(moves, ends))})
    marks[int(moves[0]["start"] / 2 * FPS)] = "hold_overview0"
    (out / "frames").mkdir(exist_ok=True)
    with av.open(str(out / NAME), "w") as container:
        video, audio_stream = independent_lecture.streams(container, FPS)
        for f in range(int(duration * FPS)):
            frame = picture_at(camera_at(f / FPS, moves, cams), base, patches)
            if f in marks:
                Image.fromarray(frame).save(out / "frames" / f"{f / FPS:06.1f}_{marks[f]}.png")
            for packet in video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        voiced = [c for sounds in clips for c in sounds]
        audio = independent_lecture.soundtrack(voiced, [s[2] - LEAD for s in said], duration, rng)
        audio += 0.003 * rng.normal(0, 1, audio.size).astype(np.float32)
        independent_lecture.finish(container, video, audio_stream, audio)
    truth = truth_of(moves, said, duration)
    (out / "truth.json").write_text(json.dumps(truth, indent=1))
    print(f"rendered {duration:.1f} s at {W}x{H}, {FPS} fps; moves: " + ", ".join(
        f"{m['start']:.1f}-{m['settle']:.1f} {m['kind']} to {m['to']}" for m in moves))
    print("stretches: " + ", ".join(f"{n} {a:.1f}-{b:.1f}" for a, b, n in truth["stretches"]))
    return truth


def truth_of(moves: list[dict], said: list[list], duration: float) -> dict:
    flights = [m for m in moves if m["kind"] == "flight"]
    starts = [0.0] + [m["start"] for m in flights]
    names = ["overview 0"] + [m["stretch"] for m in flights]
    stretches = [[a, b, n] for a, b, n in zip(starts, starts[1:] + [duration], names)]
    span = {n: (a, b) for a, b, n in stretches}
    situations = {}
    for i, m in enumerate(moves):
        if m["kind"] != "flight":
            situations[f"{m['kind']} {m['stretch']}"] = [m["start"], m["settle"], m["settle"] + 1.5]
    for i, m in enumerate(flights):
        situations[f"flight {i + 1} to {m['stretch']}"] = [m["start"], m["settle"], m["settle"]]
    for a, b, n in stretches:
        situations[f"hold {n}"] = [a, a, b]
    return {"moves": moves, "said": said, "duration": duration, "cuts": [m["settle"] for m in flights],
            "detail_moves": [m["settle"] for m in moves if m["kind"] != "flight"], "stretches": stretches,
            "situations": situations, "queries": [[q, *span[n], kind] for q, n, kind in QUERIES]}


def overlap(a: float, b: float, start: float, end: float) -> float:
    return max(0.0, min(b, end) - max(a, start))


def vocabularies() -> dict:
    """Words of 4+ letters by where they are on the canvas: each frame, each sub-frame, the title."""
    def words(texts):
        return set(re.findall(r"[a-z]{4,}", " ".join(texts).lower()))
    vocab = {"title": words(TITLE)}
    for key, (*_rest, heading, bullets, sub) in FRAMES.items():
        vocab[key] = words([heading, *bullets])
        if sub is not None:
            vocab[key + " detail"] = words([SUBFRAMES[sub][0], *SUBFRAMES[sub][1]])
    return vocab


def origins(text: str, vocab: dict) -> str:
    """Which places' words an OCR text holds (word counts), and its words found nowhere on the canvas."""
    found = re.findall(r"[a-z]{4,}", text.lower())
    known = set().union(*vocab.values())
    hits = {k: sum(w in v for w in found) for k, v in vocab.items()}
    garbage = [w for w in found if w not in known]
    return (", ".join(f"{k} {n}" for k, n in hits.items() if n) +
            f"; {len(garbage)}/{len(found)} words on no frame {garbage[:8]}")


def score_moves(rec, index, truth: dict) -> None:
    """Cuts with the detail moves optional; detections per flight and per detail move."""
    from momentsearch.evaluate import boundary_scores, detected_boundaries

    cuts = detected_boundaries(index)[rec.path]
    sc = boundary_scores(cuts, truth["cuts"], optional=truth["detail_moves"])
    print(f"picture cuts with the 6 detail moves optional: P {sc.precision:.2f} R {sc.recall:.2f} F1 {sc.f1:.2f}")
    sections = [float(a) for a, _ in rec.sections[1:]]
    sc = boundary_scores(sections, truth["cuts"], optional=truth["detail_moves"])
    print(f"section edges with the detail moves optional: P {sc.precision:.2f} R {sc.recall:.2f} F1 {sc.f1:.2f}")
    for m in truth["moves"]:
        near = [round(x, 1) for x in cuts if m["start"] - 1.0 <= x <= m["settle"] + 1.0]
        edges = [round(x, 1) for x in sections if m["start"] - 1.0 <= x <= m["settle"] + 1.0]
        print(f"  {m['kind']:10s} {m['start']:6.1f}-{m['settle']:6.1f} {m['from']:>10s} -> {m['to']:10s}: "
              f"{len(near)} picture cuts {near}, section edges {edges}")


def report_stretches(rec, diag: dict, truth: dict) -> None:
    """Per stretch: its visual segments, sections and OCR entries (text, and whose words they hold)."""
    vocab = vocabularies()
    for a, b, name in truth["stretches"]:
        segs = [(round(s, 1), round(e, 1)) for s, e in rec.visual_segments if overlap(s, e, a, b) > 1.0]
        secs = [(round(s, 1), round(e, 1)) for s, e in rec.sections if overlap(s, e, a, b) > 1.0]
        ocr = [o for o in diag["ocr"] if overlap(o[0], o[1], a, b) > 0.5]
        print(f"{name} {a:.1f}-{b:.1f}: {len(segs)} visual segments {segs}; {len(secs)} sections {secs}; "
              f"{len(ocr)} OCR entries")
        for s, e, text in ocr:
            print(f"    ocr {s:6.1f}-{e:6.1f} [{origins(text, vocab)}]: {text[:200]!r}")
    for q in diag["queries"]:
        if q["type"] == "overview" and q["results"]:
            m = q["results"][0]
            where = [n for a, b, n in truth["stretches"] if overlap(m["start"], m["end"], a, b) > 0.5]
            print(f"overview query {q['query']!r}: top {m['start']:.1f}-{m['end']:.1f} lies on {where}")


def evaluate(out: Path, truth: dict, reuse: bool) -> None:
    index = independent_code_lecture.indexed(out, NAME, reuse)
    rec = index.videos()[0]
    independent_media_lecture.score_cuts(rec, index, truth)
    score_moves(rec, index, truth)
    diag = {"moves": truth["moves"], **independent_code_lecture.diagnostics(index, rec)}
    independent_media_lecture.NAME = NAME  # its visual side run again reads OUT/NAME
    diag["visual_detail"] = independent_media_lecture.visual_detail(out)
    for seg in diag["visual_detail"]["segments"]:
        print(f"  visual side again: segment {seg['start']:6.1f}-{seg['end']:6.1f} keyframe {seg['keyframe']:6.1f}"
              f"{' forced' if seg['forced'] else ''}, views {seg['views']}")
    print(f"  OCR read frames at {[round(t, 1) for t in diag['visual_detail']['ocr_frames']]}")
    independent_code_lecture.run_queries(index, truth["queries"], diag)
    report_stretches(rec, diag, truth)
    (out / "diagnostics.json").write_text(json.dumps(diag, indent=1, default=str))


def main() -> int:
    return independent_code_lecture.run_probe(__doc__, "/tmp/zoomcanvas", render, evaluate)


if __name__ == "__main__":
    sys.exit(main())
