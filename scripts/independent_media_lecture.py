#!/usr/bin/env python3
"""A slide lecture with moving pictures on its slides, rendered without momentsearch.testing, indexed and
searched: a check on what real decks do and our renderers never made. Nine slides on bird migration in ONE
template (cream page, teal title bar, serif title, sans bullets with orange dots, a footer with the course
and page number: only the words change), 1280x720 at 15 fps, a voice no other script uses (espeak-ng
en-us+m5 at 150 wpm) over drifting room noise and hiss. Three slides move while they are shown:

  2  an animated chart: six bars of a body-mass chart grow one after another for 15 s
  3  an embedded video clip: a 740x510 player (41 % of the frame) first shows its poster frame with a play
     button, then plays 22 s of "footage" (a textured landscape that pans and zooms, a flock of flapping
     cranes crossing it, passing cloud shade, a shaking camera, a progress bar), then holds its last frame;
     the slide's title, two bullets and the caption under the player stay
  4  pen annotation: over 20 s a thick red / blue pen inks the slide a few pixels a frame (an underline, a
     circle round a word, a hand-drawn arrow, a tick, a scribble, an asterisk, a bracket); the ink stays

Decisions, fixed before any result was seen. The true cuts are the eight slide changes (1..8), +-1 s. The
chart, the clip (poster -> playing -> last frame) and the ink are NOT slide changes: a detected boundary
farther than 1 s from every true cut is a false alarm, and it is put down to the situation whose window
(from the motion's start - 1 s to the end of its slide) holds it, else to "other". Each slide is one
moment: a query's truth is its slide's whole span (slide change to slide change), so a split at a false
cut shows in the IoU. Queries are "said" (words spoken), "shown" (words only on the slide: bullets,
chart labels, the clip's caption; never spoken) and "concept" (a paraphrase in other words), written
with the slides, before the first run, and not changed after.

    python3 scripts/independent_media_lecture.py [--out /tmp/medialec] [--reuse]

Prints picture cuts and section edges against the truth (precision / recall / F1 at +-1 s) with each false
alarm's situation, each query's type, hit or miss (top result's IoU >= 0.5), truth and top span, IoU and
per-channel scores, what the index holds during each situation (visual segments, OCR entries and their
text), and the run time; writes OUT/diagnostics.json (visual segments, sections, OCR text per entry,
transcript chunks, chapters, each query's top 3). `--reuse` scores the video and index already in OUT.
Deterministic (fixed seeds). One short lecture in its own index: a probe, not a benchmark.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
import independent_code_lecture  # noqa: E402 (its query report)
import independent_lecture  # noqa: E402 (its espeak-ng reader, soundtrack and encoder)

W, H, FPS, SR = 1280, 720, 15, 16000
VOICE, RATE = "en-us+m5", 150
GAP, LEAD = 1.5, independent_lecture.LEAD  # seconds after a slide's speech; from a slide's start to its first word
TITLE_FONT = "/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf"
BODY_FONT = "/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Regular.ttf"
SMALL_FONT = "/usr/share/fonts/truetype/liberation/LiberationSans-Italic.ttf"
PAGE, BAR, INK_TEXT = (250, 247, 238), (20, 66, 84), (45, 45, 50)
NAME = "migration_lecture.mp4"
MOTION_AT = 3.0  # seconds into its slide when the chart, the clip or the pen starts
CHART_S, CLIP_S, INK_S = 15.0, 22.0, 20.0  # how long each moves
PLAYER = (500, 128, 740, 510)  # the clip's rectangle: x, y, width, height

SLIDES = [  # (title, bullets, motion, speech)
    ("Bird Migration", ["Who migrates, and why", "Fuel, navigation and timing", "Tracking birds with tags"], None,
     "Good afternoon everyone. Today's lecture is about one of the great spectacles of the natural world: "
     "billions of birds leaving their breeding grounds every autumn and coming back every spring. We will ask "
     "why they bother, how they prepare, and how on earth they find their way."),
    ("Why Leave at All?", ["Seasonal food peak in the north", "Long days for feeding chicks",
                           "Fewer nest predators"], None,
     "So why undertake such a dangerous trip? In the far north, summer brings an explosion of insects and "
     "fresh plants, far more food than any tropical forest can offer to a newcomer. The days are also very "
     "long, so parents can hunt almost around the clock for their hungry nestlings. And animals that raid "
     "nests are rarer up there. When winter comes, that food simply disappears, and the birds must go."),
    ("Fuelling the Journey", ["Hyperphagia before departure", "Fat can double body mass"], "chart",
     "Before they leave, many songbirds go through a phase of extreme overeating. Watch this chart as it "
     "builds up. A small warbler that normally weighs around seventeen grams puts on fat every day for two "
     "weeks, until it is almost twice as heavy as before. Fat is the perfect fuel, because it stores more "
     "energy per gram than sugar or protein. Some birds even shrink their gut and liver to save weight just "
     "before take off."),
    ("Watching a Flock Depart", ["Cranes travel by day", "Families stay together"], "clip",
     "Let me play a short clip that one of our former students filmed last spring. These are common cranes, "
     "large grey birds that migrate by day. Notice how they circle and climb on columns of warm rising air, "
     "then glide off toward the north without flapping much at all. Young cranes travel with their parents "
     "on their first trip, and that is how they learn the route. Every spring around half a million of them "
     "pass through this single valley, and farmers there put out corn so the birds leave their fields alone."),
    ("Finding the Way", ["Sun compass with internal clock", "Star patterns around the pole",
                         "Magnetic sense: cryptochrome", "Smell and landmarks near home"], "ink",
     "Now, navigation. Let me mark up this slide as we go. Birds carry several compasses at once. During the "
     "day they use the position of the sun, and they correct for its movement with their internal clock. "
     "Night migrants learn the rotating sky around the pole star while they are still in the nest. They can "
     "also sense the magnetic field of the earth, probably through a light sensitive protein in the eye. "
     "Close to home, smell and familiar landmarks take over."),
    ("Flying in Formation", ["V shape saves energy", "Leaders take turns at the front",
                             "Riding the wingtip upwash"], None,
     "Large birds such as geese and ibises often fly in a V. Each bird positions itself just behind and "
     "beside the one in front, where the air swirling off that bird's wing is moving upward and gives a free "
     "lift. Tagged ibises were shown to swap places regularly, so nobody has to do the hard work at the point "
     "of the V for very long."),
    ("Tracking Tiny Travellers", ["Geolocators under one gram", "Day length gives latitude",
                                  "Motus radio towers"], None,
     "How do we know any of this? For large birds we can fit satellite transmitters, but a warbler cannot "
     "carry much. Researchers use tiny light loggers that record when the sun rises and sets each day, and "
     "from that we can work out roughly where the bird was. Another approach is a network of automated "
     "receivers stretching across the Americas that pick up a small tag as it flies past."),
    ("Threats Along the Flyway", ["Lit buildings at night", "Drained stopover wetlands",
                                  "Mismatched spring timing"], None,
     "Migration is getting harder. Brightly lit towers confuse night flying birds, and many crash into glass. "
     "The marshes and mudflats where shorebirds rest and refuel are being drained for farming and ports. And "
     "as springs get warmer, the insect boom now often peaks before the travellers arrive, so their chicks "
     "hatch too late for the feast."),
    ("Summary", ["Follow food and daylight", "Fat is the fuel", "Several compasses at once",
                 "Protect the stopovers"], None,
     "To sum up. Birds travel to follow food and daylight, they fuel up with fat, they navigate with several "
     "senses at once, and their survival depends on the places where they stop along the way. For next "
     "week, please read chapter twelve on animal navigation. Thank you."),
]
CAPTION = "Video: common cranes, Hula Valley, Israel (March)"
CHART = ("Garden warbler body mass (g)", ["Day 0", "Day 3", "Day 6", "Day 9", "Day 12", "Day 15"],
         [17, 19, 22, 26, 30, 33])
QUERIES = [  # (query, slide, type); written before the first run, not changed after
    ("an overview of the yearly journeys birds make", 0, "concept"),
    ("an explosion of insects and fresh plants", 1, "said"),
    ("reasons to breed in the far north in summer", 1, "concept"),
    ("hyperphagia before departure", 2, "shown"),
    ("stores more energy per gram than sugar or protein", 2, "said"),
    ("songbirds getting heavier before the trip", 2, "concept"),
    ("circle and climb on columns of warm rising air", 3, "said"),
    ("Hula Valley", 3, "shown"),
    ("how juvenile birds learn where to go", 3, "concept"),
    ("cryptochrome", 4, "shown"),
    ("learn the rotating sky around the pole star", 4, "said"),
    ("how birds know which direction to fly", 4, "concept"),
    ("leaders take turns at the front", 5, "shown"),
    ("tiny light loggers that record when the sun rises and sets", 6, "said"),
    ("Motus radio towers", 6, "shown"),
    ("human causes of bird deaths on the way", 7, "concept"),
]


def fonts() -> dict:
    from PIL import ImageFont

    return {"title": ImageFont.truetype(TITLE_FONT, 50), "body": ImageFont.truetype(BODY_FONT, 38),
            "small": ImageFont.truetype(SMALL_FONT, 20), "label": ImageFont.truetype(BODY_FONT, 24)}


def slide(k: int) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """Slide k in the deck's one template, without its motion; returns (image, each bullet's text box)."""
    from PIL import Image, ImageDraw

    title, bullets, motion, _ = SLIDES[k]
    f = fonts()
    im = Image.new("RGB", (W, H), PAGE)
    d = ImageDraw.Draw(im)
    d.rectangle([0, 0, W, 104], fill=BAR)
    d.rectangle([0, 104, W, 110], fill=(214, 132, 44))
    d.text((60, 26), title, font=f["title"], fill=(255, 255, 255))
    width = 380 if motion in ("chart", "clip") else 1100
    boxes, y = [], 160
    for text in bullets:
        lines = wrap(text, f["body"], width)
        d.ellipse([64, y + 14, 78, y + 28], fill=(214, 132, 44))
        x0, y0 = 96, y
        for line in lines:
            d.text((96, y), line, font=f["body"], fill=INK_TEXT)
            y += 48
        boxes.append((x0, y0, 96 + int(max(f["body"].getlength(s) for s in lines)), y - 8))
        y += 30
    d.line([60, 676, W - 60, 676], fill=(200, 196, 186), width=1)
    d.text((60, 684), "BIOL 118 Animal Behaviour  |  Lecture 9: Migration", font=f["small"], fill=(120, 118, 110))
    d.text((W - 120, 684), f"{k + 1} / {len(SLIDES)}", font=f["small"], fill=(120, 118, 110))
    if motion == "clip":
        x, y, w, h = PLAYER
        d.text((x, y + h + 8), CAPTION, font=f["small"], fill=(90, 88, 80))
    if motion == "chart":
        chart_axes(d, f)
    return np.asarray(im).copy(), boxes


def wrap(text: str, font, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and font.getlength(line + " " + word) > width:
            lines.append(line)
            line = word
        else:
            line = (line + " " + word).strip()
    return lines + [line]


CHART_BOX = (620, 170, 1180, 600)  # the chart's plot area: x0, y0 (top), x1, y1 (baseline)


def chart_axes(d, f) -> None:
    x0, y0, x1, y1 = CHART_BOX
    d.text((x0, y0 - 40), CHART[0], font=f["label"], fill=INK_TEXT)
    for g in (10, 20, 30, 40):
        y = y1 - (y1 - y0) * g / 40
        d.line([x0, y, x1, y], fill=(222, 218, 208), width=1)
        d.text((x0 - 40, y - 12), str(g), font=f["label"], fill=(110, 108, 100))
    d.line([x0, y0, x0, y1], fill=INK_TEXT, width=2)
    d.line([x0, y1, x1, y1], fill=INK_TEXT, width=2)
    step = (x1 - x0) / len(CHART[1])
    for i, label in enumerate(CHART[1]):
        d.text((x0 + step * i + 16, y1 + 8), label, font=f["label"], fill=(110, 108, 100))


def chart_frame(base: np.ndarray, u: float) -> np.ndarray:
    """The chart at u (0..1 of its animation): bar i grows during the i-th sixth, eased."""
    import cv2

    img = base.copy()
    x0, y0, x1, y1 = CHART_BOX
    step = (x1 - x0) / len(CHART[2])
    for i, grams in enumerate(CHART[2]):
        p = float(np.clip(u * len(CHART[2]) - i, 0, 1))
        p = p * p * (3 - 2 * p)
        top = int(y1 - (y1 - y0) * grams / 40 * p)
        if p > 0:
            cv2.rectangle(img, (int(x0 + step * i + 12), top), (int(x0 + step * (i + 1) - 12), y1 - 1),
                          (60, 130, 150), -1)
    return img


def fractal(shape: tuple[int, int], rng, octaves: int = 6) -> np.ndarray:
    import cv2

    out = np.zeros(shape, np.float32)
    for o in range(octaves):
        cells = (max(2, shape[0] >> (7 - o)), max(2, shape[1] >> (7 - o)))
        grid = rng.random(cells).astype(np.float32)
        out += cv2.resize(grid, shape[::-1], interpolation=cv2.INTER_CUBIC) / (1.7 ** o)
    out -= out.min()
    return out / out.max()


def landscape(rng) -> np.ndarray:
    """A valley seen from a hill: sky with clouds, a ridge, fields and a lake (RGB float 0..1, 900x2400)."""
    th, tw = 900, 2400
    sky_h = 300 + (fractal((2, tw), rng)[0] * 120).astype(int)
    ys = np.arange(th)[:, None]
    tex = fractal((th, tw), rng)
    fields = np.sin(np.arange(tw)[None, :] / 23.0 + tex * 9) * 0.5 + 0.5
    img = np.zeros((th, tw, 3), np.float32)
    green = np.stack([0.25 + 0.25 * tex, 0.42 + 0.3 * fields * tex, 0.18 + 0.1 * tex], -1)
    brown = np.stack([0.5 + 0.2 * tex, 0.4 + 0.15 * tex, 0.25 + 0.1 * tex], -1)
    ground = np.where((fields > 0.55)[..., None], brown, green)
    lake = (tex > 0.72) & (ys > 550)
    ground[lake] = [0.3, 0.45, 0.6]
    clouds = np.clip(fractal((th, tw), rng) * 1.6 - 0.7, 0, 1)[..., None]
    sky = np.stack([np.full((th, tw), 0.45), np.full((th, tw), 0.62), np.full((th, tw), 0.85)], -1)
    sky = sky + (ys / th * 0.3)[..., None] * np.array([0.6, 0.4, 0.1])
    sky = sky * (1 - clouds) + clouds * 0.95
    below = ys > sky_h[None, :]
    img[:] = np.where(below[..., None], ground, sky)
    return np.clip(img, 0, 1)


def clip_frame(texture: np.ndarray, u: float, rng) -> np.ndarray:
    """The footage at u (0..1): pan right and zoom in, flapping cranes crossing, cloud shade, shake."""
    import cv2

    _, _, w, h = PLAYER
    th, tw, _ = texture.shape
    zoom = 1.0 + 0.35 * u
    cw, ch = int(1200 / zoom), int(1200 / zoom * h / w)
    cx = int(200 + u * 1000 + 3 * np.sin(u * 90))
    cy = int(th - ch - 40 - 120 * u + 2 * np.cos(u * 70))
    view = cv2.resize(texture[cy:cy + ch, cx:cx + cw], (w, h), interpolation=cv2.INTER_LINEAR)
    shade = 0.82 + 0.18 * np.sin(2 * np.pi * (u * 3.1 + np.linspace(0, 1, w)[None, :] * 0.8))
    view = view * shade[..., None]
    img = (np.clip(view, 0, 1) * 255).astype(np.uint8)
    t = u * CLIP_S
    for b in range(15):  # a loose V of cranes gliding up and to the right
        row, side = abs(b - 7), np.sign(b - 7)
        bx = int(-120 + 50 * t - 30 * row)
        by = int(300 - 12 * t + 22 * row * side + 6 * np.sin(t * 1.3 + b))
        flap = int(9 * np.sin(t * 7 + b * 0.9))
        if -40 < bx < w + 40:
            cv2.ellipse(img, (bx, by), (11, 4), -15, 0, 360, (40, 40, 45), -1)
            cv2.line(img, (bx - 16, by - flap), (bx, by), (40, 40, 45), 3, cv2.LINE_AA)
            cv2.line(img, (bx + 16, by - flap), (bx, by), (40, 40, 45), 3, cv2.LINE_AA)
    noise = rng.integers(-5, 6, img.shape)
    return np.clip(img.astype(np.int16) + noise, 0, 255).astype(np.uint8)


def player(base: np.ndarray, footage: np.ndarray, progress: float | None, poster: bool) -> np.ndarray:
    """The slide with the player: footage, a play button on the poster, a progress bar while it plays."""
    import cv2

    img = base.copy()
    x, y, w, h = PLAYER
    img[y:y + h, x:x + w] = footage
    if poster:
        cv2.circle(img, (x + w // 2, y + h // 2), 44, (240, 240, 240), -1, cv2.LINE_AA)
        tri = np.array([[x + w // 2 - 14, y + h // 2 - 24], [x + w // 2 - 14, y + h // 2 + 24],
                        [x + w // 2 + 26, y + h // 2]], np.int32)
        cv2.fillPoly(img, [tri], (50, 50, 50), cv2.LINE_AA)
    if progress is not None:
        cv2.rectangle(img, (x, y + h - 8), (x + w, y + h), (30, 30, 30), -1)
        cv2.rectangle(img, (x, y + h - 8), (x + int(w * progress), y + h), (230, 60, 50), -1)
    return img


def pen_strokes(boxes: list[tuple[int, int, int, int]], rng) -> list[tuple[float, float, np.ndarray, tuple, int]]:
    """The ink on the navigation slide: (start s, end s after MOTION_AT, points, colour, width) per stroke,
    points about a pixel apart with a hand's wobble."""
    red, blue = (214, 38, 40), (32, 82, 210)

    def path(points, n=None) -> np.ndarray:
        pts = np.asarray(points, np.float32)
        seg = np.r_[0, np.cumsum(np.hypot(*np.diff(pts, axis=0).T))]
        s = np.linspace(0, seg[-1], n or max(2, int(seg[-1])))
        out = np.stack([np.interp(s, seg, pts[:, 0]), np.interp(s, seg, pts[:, 1])], -1)
        return out + np.cumsum(rng.normal(0, 0.25, out.shape), 0).clip(-3, 3)

    def curve(p0, p1, p2) -> list:  # a quadratic Bezier: a hand-drawn arrow's bent shaft
        v = np.linspace(0, 1, 40)[:, None]
        return list((1 - v) ** 2 * np.asarray(p0) + 2 * v * (1 - v) * np.asarray(p1) + v * v * np.asarray(p2))

    b0, b1, b2, b3 = boxes
    ang = np.linspace(0.3, 2 * np.pi + 0.9, 200)
    body = fonts()["body"]  # circle "cryptochrome", the end of the third bullet
    lead, word = body.getlength("Magnetic sense: "), body.getlength("cryptochrome")
    cx, cy, rx, ry = b2[0] + lead + word / 2, (b2[1] + b2[3]) / 2 + 4, word / 2 + 18, 34
    circle = np.stack([cx + rx * np.cos(ang) * (1 + 0.04 * ang), cy + ry * np.sin(ang)], -1)
    return [
        (0.0, 2.5, path([(b0[0] - 4, b0[3] + 10), (b0[2] + 6, b0[3] + 6)]), red, 6),
        (3.5, 6.5, path(circle), red, 6),
        (8.0, 10.0, path(curve((1120, 540), (1110, cy), (cx + rx + 8, cy - 6))), blue, 6),
        (10.0, 10.6, path([(cx + rx + 8, cy - 6), (cx + rx + 40, cy - 30)]), blue, 6),
        (10.6, 11.2, path([(cx + rx + 8, cy - 6), (cx + rx + 42, cy + 16)]), blue, 6),
        (12.5, 13.5, path([(b3[2] + 30, b3[1] + 22), (b3[2] + 44, b3[1] + 40), (b3[2] + 76, b3[1] - 2)]), red, 6),
        (14.0, 16.0, path([(b1[0] + 20 + 28 * i, b1[3] + 10 + (12 if i % 2 else 0)) for i in range(12)]), blue, 5),
        (16.5, 17.0, path([(1140, 170), (1170, 210)]), red, 6),
        (17.0, 17.5, path([(1170, 170), (1140, 210)]), red, 6),
        (17.5, 18.0, path([(1135, 190), (1175, 190)]), red, 6),
        (18.5, 20.0, path([(56, b0[1]), (42, b0[1] + 10), (42, b1[3] - 10), (56, b1[3])]), blue, 5),
    ]


def inked(base: np.ndarray, strokes, dt: float) -> np.ndarray:
    """The slide with the part of every stroke drawn dt seconds after the pen started."""
    import cv2

    img = base.copy()
    for t0, t1, pts, colour, width in strokes:
        if dt <= t0:
            continue
        n = len(pts) if dt >= t1 else max(2, int(len(pts) * (dt - t0) / (t1 - t0)))
        cv2.polylines(img, [pts[:n].round().astype(np.int32)], False, colour, width, cv2.LINE_AA)
    return img


class Deck:
    """Each slide's start and the picture at any time."""

    def __init__(self, durations: list[float], rng):
        self.starts = [float(x) for x in np.cumsum([0.0] + durations[:-1])]
        self.duration = float(sum(durations))
        self.bases = [slide(k) for k in range(len(SLIDES))]
        self.kind = [m for _, _, m, _ in SLIDES]
        self.texture = landscape(rng)
        ink = self.kind.index("ink")
        self.strokes = pen_strokes(self.bases[ink][1], rng)
        self.rng = rng
        self.poster = clip_frame(self.texture, 0.0, np.random.default_rng(0))
        self.last = clip_frame(self.texture, 1.0, np.random.default_rng(0))

    def windows(self) -> dict[str, tuple[float, float, float]]:
        """Per situation: (motion start, motion end, slide end)."""
        ends = self.starts[1:] + [self.duration]
        span = {"chart": CHART_S, "clip": CLIP_S, "ink": INK_S}
        return {m: (self.starts[k] + MOTION_AT, self.starts[k] + MOTION_AT + span[m], ends[k])
                for k, m in enumerate(self.kind) if m}

    def state(self, t: float) -> tuple:
        """A hashable key of the picture at t (frames with equal keys are equal)."""
        k = max(i for i, s in enumerate(self.starts) if s <= t)
        dt = t - self.starts[k] - MOTION_AT
        span = {"chart": CHART_S, "clip": CLIP_S, "ink": INK_S}.get(self.kind[k])
        if span is None or dt < 0:
            return (k, "before")
        if dt >= span:
            return (k, "after")
        return (k, round(dt * FPS))

    def picture(self, key: tuple) -> np.ndarray:
        k, phase = key
        base, motion = self.bases[k][0], self.kind[k]
        dt = -1.0 if phase == "before" else 1e9 if phase == "after" else phase / FPS
        if motion == "chart":
            return chart_frame(base, float(np.clip(dt / CHART_S, 0, 1)))
        if motion == "ink":
            return inked(base, self.strokes, dt)
        if motion == "clip":
            if phase in ("before", "after"):
                return player(base, self.poster if phase == "before" else self.last, None, phase == "before")
            u = dt / CLIP_S
            return player(base, clip_frame(self.texture, u, self.rng), u, False)
        return base


def render(out: Path) -> dict:
    """Writes OUT/NAME, OUT/truth.json and OUT/slides/*.png (each slide's last frame); returns the truth."""
    import av
    from PIL import Image

    rng = np.random.default_rng(23)
    clips = [independent_lecture.speak(speech, VOICE, RATE) for *_, speech in SLIDES]
    need = {"chart": CHART_S, "clip": CLIP_S, "ink": INK_S}
    durations = [max(len(c) / SR + LEAD + GAP, MOTION_AT + need.get(m, 0) + 3.0 if m else 0.0)
                 for c, (_, _, m, _) in zip(clips, SLIDES)]
    deck = Deck(durations, rng)
    (out / "slides").mkdir(exist_ok=True)
    cache: dict[tuple, np.ndarray] = {}
    with av.open(str(out / NAME), "w") as container:
        video, sound = independent_lecture.streams(container, FPS)
        for f in range(int(deck.duration * FPS)):
            key = deck.state(f / FPS)
            if key not in cache:
                if len(cache) > 32:
                    cache = {k: v for k, v in cache.items() if k[1] in ("before", "after")}
                cache[key] = deck.picture(key)
            for packet in video.encode(av.VideoFrame.from_ndarray(cache[key], format="rgb24")):
                container.mux(packet)
        audio = independent_lecture.soundtrack(clips, deck.starts, deck.duration, rng)
        audio += 0.003 * rng.normal(0, 1, audio.size).astype(np.float32)  # hiss of a lapel microphone
        independent_lecture.finish(container, video, sound, audio)
    for k in range(len(SLIDES)):
        Image.fromarray(deck.picture((k, "after"))).save(out / "slides" / f"{k}.png")
    s = [round(x, 3) for x in deck.starts] + [round(deck.duration, 3)]
    truth = {"slides": [[s[k], s[k + 1], SLIDES[k][0]] for k in range(len(SLIDES))], "cuts": s[1:-1],
             "situations": {m: [round(x, 3) for x in w] for m, w in deck.windows().items()},
             "queries": [[q, s[k], s[k + 1], kind] for q, k, kind in QUERIES]}
    (out / "truth.json").write_text(json.dumps(truth, indent=1))
    print(f"rendered {deck.duration:.1f} s at {W}x{H}, {FPS} fps; slides start {s[:-1]}")
    print("situations (motion start, motion end, slide end): " +
          ", ".join(f"{m} {w}" for m, w in truth["situations"].items()))
    return truth


def situation_of(t: float, truth: dict) -> str:
    for m, (a, _, end) in truth["situations"].items():
        if a - 1.0 <= t < end:
            return m
    return "other"


def score_cuts(rec, index, truth: dict) -> None:
    from momentsearch.evaluate import boundary_scores, detected_boundaries

    cuts = detected_boundaries(index)[rec.path]
    sections = [float(a) for a, _ in rec.sections[1:]]
    for label, found in (("picture cuts", cuts), ("section edges", sections)):
        sc = boundary_scores(found, truth["cuts"])
        print(f"{label}: found {[round(x, 1) for x in found]} vs true {[round(x, 1) for x in truth['cuts']]}: "
              f"P {sc.precision:.2f} R {sc.recall:.2f} F1 {sc.f1:.2f} at +-1 s")
    for c in truth["cuts"]:
        near = [x for x in cuts if abs(x - c) <= 1.0]
        print(f"  true cut {c:6.1f}: {'found at ' + str(round(near[0], 1)) if near else 'MISSED'}")
    for x in cuts:
        if all(abs(x - c) > 1.0 for c in truth["cuts"]):
            print(f"  false alarm {x:6.1f} in {situation_of(x, truth)}")
    for x in sections:
        if all(abs(x - c) > 1.0 for c in truth["cuts"]) and x not in cuts:
            print(f"  section edge (no picture cut) {x:6.1f} in {situation_of(x, truth)}")


def score_situations(rec, diag: dict, truth: dict) -> None:
    """What the index holds during each moving slide: visual segments (each is a keyframe entry) and OCR
    entries that overlap its slide by more than 1 s (a cut placed a few frames off is no overlap), with
    their text; and, from the visual side run again (`visual_detail`), its views and the frames OCR read."""
    detail = diag["visual_detail"]
    for m, (a, b, end) in truth["situations"].items():
        start = max(s for s, _, _ in truth["slides"] if s <= a)

        def inside(s, e):
            return min(e, end) - max(s, start) > 1.0
        segs = [(s, e) for s, e in rec.visual_segments if inside(s, e)]
        ocr = [o for o in diag["ocr"] if inside(o[0], o[1])]
        print(f"{m}: slide {start:.1f}-{end:.1f} (moving {a:.1f}-{b:.1f}): {len(segs)} visual segments "
              f"{[(round(s, 1), round(e, 1)) for s, e in segs]}, {len(ocr)} OCR entries")
        for s, e, text in ocr:
            print(f"    ocr entry {s:6.1f}-{e:6.1f}: {text!r}")
        for seg in detail["segments"]:
            if inside(seg["start"], seg["end"]):
                print(f"    visual side again: segment {seg['start']:.1f}-{seg['end']:.1f} keyframe "
                      f"{seg['keyframe']:.1f}, {len(seg['views'])} views {seg['views']}")
        reads = [t for t in detail["ocr_frames"] if start + 0.5 < t < end - 0.5]
        print(f"    OCR read {len(reads)} frames in the slide, at {[round(t, 1) for t in reads]}")


def visual_detail(out: Path) -> dict:
    """The visual side of indexing again, alone (FileProcessor.cut_and_read, as scripts/bench_cuts.py runs it),
    with the project's default options; its OCR model and frame reader are wrapped here (nothing in
    momentsearch is changed) to note the times of the frames fetched for OCR and how many images OCR read.
    Returns the segments with their views (pictures inside a segment that differ by less than a cut)."""
    import momentsearch.pipeline.process as process
    from momentsearch.options import load_config

    fetched: list[float] = []
    read = [0]
    frame_side = load_config(None).ocr.frame_side

    class Reader(process.FrameReader):
        def __call__(self, times, max_side):
            if max_side == frame_side:
                fetched.extend(float(t) for t in times)
            return super().__call__(times, max_side)

    class Counted:
        def __init__(self, ocr):
            self.ocr = ocr

        def __getattr__(self, name):
            return getattr(self.ocr, name)

        def read(self, images, *args, **kwargs):
            images = list(images)
            read[0] += len(images)
            return self.ocr.read(images, *args, **kwargs)

    processor = process.FileProcessor(load_config(None), text_embedder=None, asr=None)
    processor.ocr = Counted(processor.ocr)
    plain, process.FrameReader = process.FrameReader, Reader
    try:
        segments, _ = processor.cut_and_read(str(out / NAME))
    finally:
        process.FrameReader = plain

    def seg_json(s):
        return {"start": round(s.start, 2), "end": round(s.end, 2), "keyframe": round(s.keyframe_time, 2),
                "forced": s.forced, "views": [[round(v.start, 1), round(v.end, 1)] for v in s.views]}
    detail = {"segments": [seg_json(s) for s in segments], "ocr_frames": sorted(fetched), "ocr_images": read[0]}
    print(f"visual side again: {len(segments)} segments, OCR fetched {len(fetched)} frames, read {read[0]} images")
    return detail


def evaluate(out: Path, truth: dict, reuse: bool) -> None:
    index = independent_code_lecture.indexed(out, NAME, reuse)
    rec = index.videos()[0]
    score_cuts(rec, index, truth)
    diag = independent_code_lecture.diagnostics(index, rec)
    diag["visual_detail"] = visual_detail(out)
    score_situations(rec, diag, truth)
    independent_code_lecture.run_queries(index, truth["queries"], diag)
    (out / "diagnostics.json").write_text(json.dumps(diag, indent=1, default=str))


def main() -> int:
    return independent_code_lecture.run_probe(__doc__, "/tmp/medialec", render, evaluate)


if __name__ == "__main__":
    sys.exit(main())
