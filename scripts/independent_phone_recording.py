#!/usr/bin/env python3
"""A lecture filmed ON A PHONE BY A STUDENT in the audience and posted on a course forum, rendered without
momentsearch.testing, indexed and searched: a check on a kind of real recording nothing was tuned on.
1280x720 at 8 fps, H.264 at 350 kbit/s (blocky, smeared), mono AAC at 32 kbit/s, "VID_20260312_101503.mp4".
From row 10, left of the middle: a dim hall, the projected slide in perspective, small (~43 % of the width),
washed out (page ~220 grey, ink ~130, soft), the lecturer small beside it, an EXIT sign, three rows of heads
in the lower part that sway and, four times, one of them moves for 3-4 s; sensor grain. Hand-held: slow
drift (~30 px, ~1 degree of roll) and tremor; five autofocus hunts (0.5-1 s of blur swelling twice); an auto
exposure that follows the picture with a lag (darker when the slide fills the frame) and pumps four times
(1.5 s: darker, brighter, back); twice a digital zoom in (2.5 s ramp to 1.9x on the screen: the slide then
fills ~80 % of the width, soft) and later out (2.5-3 s); once the phone is lowered to the desk (0.8 s tilt
with motion blur, 3 s on a notebook whose notes OpenCV's script face draws like print, 0.8 s back, then a
focus hunt). ONE deck template (off-white page, teal band at the left, teal condensed title over an orange
rule, square orange bullets, footer with course and page): "How Bridges Stand Up", civil engineering in five
topics (loads and forces; beams and arches; trusses; suspension and cable-stayed; failures), 11 slides, one a
diagram (a Pratt truss, coloured members, labels). The voice, espeak-ng en-gb-scotland+f3 at 145 wpm, is
distant (the PA in a big hall: 250-3800 Hz, 1.8 s reverberant tail, quiet) under the room's murmur; and
  pre-roll  20 s before the lecture: title slide up, students chat near and across the hall (5 other voices)
  cough     a cough, then a rustle of paper, next to the phone (arch slide)
  pause     on the truss slide the lecturer says "Excuse me a moment, I need some water." and is silent for
            25 s (walks to a table); the slide stays; the students chat louder
  whisper   a neighbour whispers ~4 s (espeak-ng en-us+whisper, as loud as the lecturer) over the lecturer's
            "often fanning out like the strings of a harp"; thumps as the phone is lowered and raised;
            two faint remarks from the hall during the lecture.

Decisions, fixed before any result was seen. The true cuts are the 10 slide changes, +-1 s (one falls while
the phone is zoomed in); drift, tremor, zooms, focus hunts, exposure, the lowered phone, heads and lecturer
are no cuts: a boundary farther than 1 s from every true cut is a false alarm, put down to the situation
whose window (start - 1 s to end + 1 s) holds it, camera events first (in time order), then the pause and
the pre-roll, else "other" (drift and tremor alone). No camera event comes within 2 s of a slide change
(checked when rendering). Cuts are scored together, then recall by the phone's state at the cut (home /
zoomed in) and false alarms per kind of situation. Stretches: the intro (title slide, pre-roll included) and
the five topics (first slide to the next topic's); section edges are scored against the true cuts and the
topic edges alone. Query truth: the time span of the slide the words are on (said: spoken while it is up;
shown: only on the slide, never spoken; concept: a paraphrase without its key words; masked: said under the
whisper), as in the seminar probe, so a said query on the intro has the title slide's span (pre-roll
included) as truth and the truss slide's span holds the pause. The 16 queries were written with the
lecture, before the first run, and not changed after.

    python3 scripts/independent_phone_recording.py [--out /tmp/phonerec] [--reuse]

Prints cuts and section edges against the truth (P / R / F1 at +-1 s), each false alarm's situation, recall
by the phone's state, false alarms per situation kind, what the index holds per situation, each query's
hit or miss (top result's IoU >= 0.5) with its channel scores; writes OUT/diagnostics.json, OUT/truth.json,
OUT/frames/*.png. `--reuse` scores what OUT holds. Deterministic. One lecture in its own index: a probe.
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
import independent_code_lecture  # noqa: E402 (its index, query report and command line)
import independent_conference_talk as conf  # noqa: E402 (its band-pass, hall reverb and cough)
import independent_lecture  # noqa: E402 (its espeak-ng reader and encoder)
import independent_media_lecture  # noqa: E402 (its cut report and noise texture)
import independent_seminar_lecture  # noqa: E402 (its report of what the index holds per situation)

W, H, FPS, SR = 1280, 720, 8, 16000
VOICE, RATE = "en-gb-scotland+f3", 145
NEIGHBOUR = ("en-us+whisper", 150)
CHATTER = [("en-us+m1", 165), ("en-gb-x-rp+f2", 170), ("en-029+m6", 160), ("en-us-nyc+f5", 175),
           ("en-gb-x-gbclan+m5", 160)]  # the first two sit next to the phone
LEAD, GAP, PREROLL, SILENCE = 0.6, 2.0, 20.0, 25.0  # s: slide to first word; after the last; pre-roll; pause
NAME, VIDEO_BPS, AUDIO_BPS, LECT = "VID_20260312_101503.mp4", 350_000, 32_000, 0.05  # LECT: the voice's RMS
WORLD_W, WORLD_H = 1440, 1700  # the hall (rows 0-900) above the student's desk (900-1700), world pixels
HOME, DESK = (720.0, 430.0), (700.0, 1260.0)  # the view's centre: filming the screen; lowered to the desk
SCREEN = np.float32([[560, 150], [1110, 178], [1100, 468], [568, 458]])  # the projection, seen from the left
ZOOM = 1.9
speak = independent_lecture.speak
TEAL, ORANGE, INK, GREY = (0, 92, 104), (226, 120, 30), (48, 52, 58), (130, 134, 140)
FONT = "/usr/share/fonts/truetype/{}.ttf"

SLIDES = {  # key: (title, bullets, picture)
    "title": ("How Bridges Stand Up", ["Loads, forms and failures", "CIVE 1050  Lecture 5  Dr. Ines Valdivia"], None),
    "loads": ("Loads on a Bridge", ["Dead load: its own weight", "Live load: lorries, trains, crowds",
                                    "Wind, heat and earthquakes"], None),
    "forces": ("Tension and Compression", ["Compression squeezes, tension pulls", "Stone and concrete resist "
                                           "squeezing", "Steel cables resist pulling"], None),
    "beam": ("Beam Bridges", ["A deck resting on piers", "Girders up to about 80 m", "Box girders resist twisting"],
             None),
    "arch": ("Arch Bridges", ["Loads flow round the curve", "Pont du Gard, 1st century AD",
                              "Abutments take the thrust"], None),
    "truss": ("Truss Bridges", ["Triangles keep their shape", "Warren, Pratt and Howe patterns",
                                "Forth Bridge, Scotland, 1890"], None),
    "pratt": ("A Pratt Truss Under Load", [], "truss"),
    "suspension": ("Suspension Bridges", ["Main cables hang over towers", "Anchorages hold the cable ends",
                                          "Akashi Kaikyo: 1,991 m span"], None),
    "stayed": ("Cable-Stayed Bridges", ["Straight cables, pylon to deck", "No anchorages needed",
                                        "Millau Viaduct, France: 343 m"], None),
    "tacoma": ("Tacoma Narrows, 1940", ["Opened July, fell in November", "Wind of only 64 km/h",
                                        "Aeroelastic flutter"], None),
    "lessons": ("Lessons Learned", ["Wind tunnel tests for long spans", "Stiff, streamlined decks",
                                    "London Millennium Bridge, 2000"], None),
}
TALK = [  # (slide, stretch, speech; " || " is the lecturer's 25 s pause)
    ("title", "intro", "Okay, can everyone at the back hear me? Good, let's get started. Today is about bridges: "
     "why they stand up, the main families of bridge, and what happens when engineers get it wrong."),
    ("loads", "topic 1", "Every bridge has to carry two kinds of weight. The first is the structure itself, the "
     "steel, the concrete and the road surface, which never goes away. The second changes all the time: lorries, "
     "trains and people crossing it. On top of that come forces from the weather and the ground, a gale pushing "
     "sideways, or the deck growing longer on a hot afternoon."),
    ("forces", "topic 1", "Inside the bridge, those loads turn into two basic actions. Put a plank across a stream "
     "and stand on it. The top face is squeezed together while the bottom face is stretched apart. Masonry is "
     "excellent at taking a squeeze but cracks easily when you pull it, while a steel wire is the reverse. Good "
     "design sends each force into the material that handles it best."),
    ("beam", "topic 2", "The simplest bridge is a beam: a flat deck laid across supports, like our plank over the "
     "stream. Beams are cheap and quick to build, which is why most motorway overpasses are beams. Their weakness "
     "is length. As the span grows, the beam must get deeper and heavier, and soon it spends most of its strength "
     "just holding itself up."),
    ("arch", "topic 2", "The arch solves that problem by curving. Weight pressing down on an arch becomes a squeeze "
     "that runs around the curve and into the ground, so an arch can be built from stones that are not even "
     "glued together. The Romans built aqueducts this way that still stand after two thousand years. The catch "
     "is that an arch also pushes outwards at its feet, so it needs solid rock or massive blocks at each end."),
    ("truss", "topic 3", "Now for trusses. A square frame made of four bars joined with pins will fold flat as "
     "soon as you push on one corner. Excuse me a moment, I need some water. || Right, sorry about that. A "
     "triangle cannot fold like a square. Its shape is fixed by the lengths of its sides, so a frame built from "
     "triangles stays rigid while using very little metal. The railway age was built on iron trusses."),
    ("pratt", "topic 3", "Here is one common pattern. Follow the colours: when a train rolls across, the upper bars "
     "are pushed together, the lower bars are pulled apart, and the sloping members carry the load back towards "
     "the supports. Engineers could work out the force in every bar by hand, long before computers."),
    ("suspension", "topic 4", "For the longest crossings we hang the road instead of propping it up. Two enormous "
     "cables are draped over tall towers and tied down into huge concrete blocks on the shore. Vertical hangers "
     "drop from the cables to carry the deck. Because steel wire is so strong when it is pulled, this is the "
     "only form that can leap two kilometres, as the record holder in Japan does."),
    ("stayed", "topic 4", "A close cousin is the cable stayed bridge. Here the cables run in straight lines from "
     "the tower down to the deck, often fanning out like the strings of a harp. The deck itself takes the "
     "squeeze, so there is no need for giant anchor blocks. For spans of a few hundred metres this is now "
     "usually the cheapest choice."),
    ("tacoma", "topic 5", "Finally, what happens when it goes wrong. In nineteen forty a slender suspension bridge "
     "in Washington State began to twist in a moderate wind. The deck rolled and buckled for an hour, filmed by "
     "onlookers, until it tore apart and fell into the water. The only casualty was a dog left in a car. The "
     "cause was not simple resonance, as textbooks often say, but the wind feeding energy into the twisting "
     "motion itself."),
    ("lessons", "topic 5", "Since then, every long span is tested as a scale model before it is built. And the "
     "lessons keep coming. When a new footbridge opened in London, thousands of pedestrians began to sway in step "
     "with it, and it had to close after two days to fit dampers. That is all for today. Next week we move on "
     "to tall buildings."),
]
CHAT = [  # (CHATTER voice, anchor: "start", "pause" or a slide, seconds after it, words)
    (0, "start", 0.8, "Did you manage to do the reading for today?"), (2, "start", 1.5, "No, the other building, "
     "the one by the library."), (1, "start", 3.6, "Only the first half. Is the quiz this week or next week?"),
    (3, "start", 5.2, "I still have to print my lab report before two."), (0, "start", 8.2, "Next Friday, I "
     "think. Can I borrow a pen?"), (4, "start", 9.5, "Has anyone seen last week's slides online?"),
    (1, "start", 11.8, "Sure, here you go. Oh, she's starting."), (3, "loads", 9.0, "What page are we on?"),
    (0, "pause", 3.0, "Is the projector broken again?"), (1, "pause", 5.5, "No, she's just getting a drink. "
     "Do you want lunch after this?"), (2, "pause", 8.0, "I think the lab is cancelled on Thursday."),
    (0, "pause", 11.0, "Yes, but I have a tutorial at one. Maybe the cafe downstairs?"),
    (4, "pause", 14.0, "Can you see the board from there?"), (1, "pause", 17.0, "Fine. Look, she's back."),
    (4, "tacoma", 15.0, "I've seen that video, it's crazy."),
]
WHISPER = ("Hey. Can you send me your photos of the slides later? My battery is almost dead.", "stayed",
           "often fanning", -1.2)  # words; its slide; it starts 1.2 s before the lecturer says this phrase
EVENTS = [  # (kind, anchor: a slide or "pause", seconds after it, duration); in time order
    ("heads", "title", 3.0, 3.0), ("focus", "title", 8.0, 0.8), ("exposure", "title", 13.0, 1.5),
    ("heads", "loads", 12.0, 3.0), ("focus", "forces", 15.0, 0.6), ("zoom in", "beam", 12.0, 2.5),
    ("zoom out", "arch", 14.0, 2.5), ("exposure", "arch", 22.0, 1.5), ("heads", "pause", 6.0, 4.0),
    ("exposure", "pause", 15.0, 1.5), ("focus", "pratt", 10.0, 1.0), ("lowered", "suspension", 10.0, 4.6),
    ("focus", "suspension", 14.9, 0.7), ("heads", "stayed", 4.0, 3.0), ("zoom in", "tacoma", 6.0, 2.5),
    ("zoom out", "tacoma", 22.0, 3.0), ("focus", "lessons", 12.0, 0.5), ("exposure", "lessons", 20.0, 1.5),
]
HEAD_MOVES = [(9, 30, -22), (17, -38, 6), (11, 42, -12), (19, -30, -30)]  # per heads event: head, dx, dy
COUGH_AT = ("arch", 8.0)  # the cough; a rustle of paper follows 1 s later
QUERIES = [  # (query, slide, type); written with the lecture, before the first run, not changed after
    ("why they stand up and the main families of bridge", "title", "said"),
    ("dead load and live load", "loads", "shown"),
    ("which substances cope with being squashed and which with being stretched", "forces", "concept"),
    ("spends most of its strength just holding itself up", "beam", "said"), ("Pont du Gard", "arch", "shown"),
    ("masonry spans that hold up without mortar by pushing against their ends", "arch", "concept"),
    ("the railway age was built on iron trusses", "truss", "said"),
    ("top chord compression bottom chord tension", "pratt", "shown"),
    ("tied down into huge concrete blocks on the shore", "suspension", "said"),
    ("Akashi Kaikyo 1,991 m span", "suspension", "shown"),
    ("which kind of structure manages the widest gap of all", "suspension", "concept"),
    ("fanning out like the strings of a harp", "stayed", "masked"), ("Millau Viaduct 343 m", "stayed", "shown"),
    ("the only casualty was a dog left in a car", "tacoma", "said"), ("aeroelastic flutter", "tacoma", "shown"),
    ("a walkway in the British capital that shook under crowds and had to be shut", "lessons", "concept"),
]


def fonts() -> dict:
    from PIL import ImageFont

    narrow, sans = "liberation/LiberationSansNarrow-Bold", "dejavu/DejaVuSans"
    faces = {"huge": (narrow, 104), "title": (narrow, 76), "body": (sans, 50), "label": (sans, 38), "foot": (sans, 24)}
    return {k: ImageFont.truetype(FONT.format(face), px) for k, (face, px) in faces.items()}


def slide_image(key: str, page: int) -> np.ndarray:
    """The deck's one template: off-white page, teal band at the left, teal title over an orange rule,
    square orange bullets (or the truss diagram), a footer with the course and the page number."""
    from PIL import Image, ImageDraw

    title, lines, picture = SLIDES[key]
    f = fonts()
    im = Image.new("RGB", (W, H), (250, 250, 246))
    d = ImageDraw.Draw(im)
    d.rectangle([0, 0, 26, H], fill=TEAL)
    if key == "title":
        d.text((110, 200), title, font=f["huge"], fill=TEAL)
        d.rectangle([112, 340, 420, 348], fill=ORANGE)
        d.text((110, 380), lines[0], font=f["body"], fill=INK)
        d.text((112, 470), lines[1], font=f["foot"], fill=GREY)
    else:
        d.text((90, 46), title, font=f["title"], fill=TEAL)
        d.rectangle([92, 142, 262, 148], fill=ORANGE)
        if picture:
            truss_diagram(d, f)
        for k, text in enumerate(lines):
            d.rectangle([100, 236 + 120 * k, 118, 254 + 120 * k], fill=ORANGE)
            d.text((146, 214 + 120 * k), text, font=f["body"], fill=INK)
    d.text((90, 672), "CIVE 1050  Structures Around Us", font=f["foot"], fill=GREY)
    d.text((W - 110, 672), f"{page} / {len(SLIDES)}", font=f["foot"], fill=GREY)
    return np.asarray(im).copy()


def truss_diagram(d, f) -> None:
    """A Pratt truss of 8 panels on two supports: blue top chord and verticals (compression), red bottom
    chord and diagonals (tension), a load arrow, and labels."""
    blue, red = (40, 90, 200), (200, 40, 40)
    xs = np.linspace(170, 1110, 9)
    top, bottom = 330, 520
    for x in xs[1:-1]:
        d.line([x, top, x, bottom], fill=blue, width=6)
    for k in range(8):
        a, b = (xs[k], xs[k + 1]) if k < 4 else (xs[k + 1], xs[k])  # diagonals slope down to the middle
        if k in (0, 7):
            d.line([a, bottom, b, top], fill=blue, width=10)  # the end posts
        else:
            d.line([a, top, b, bottom], fill=red, width=6)
    d.line([xs[1], top, xs[-2], top], fill=blue, width=12)
    d.line([xs[0], bottom, xs[-1], bottom], fill=red, width=12)
    for x in (xs[0], xs[-1]):
        d.polygon([(x, bottom + 6), (x - 26, bottom + 46), (x + 26, bottom + 46)], fill=INK)
    d.line([640, 170, 640, 300], fill=INK, width=6)
    d.polygon([(640, 320), (624, 292), (656, 292)], fill=INK)
    d.text((660, 176), "train load", font=f["label"], fill=INK)
    d.text((170, 250), "top chord: compression", font=f["label"], fill=blue)
    d.text((170, 580), "bottom chord: tension", font=f["label"], fill=red)


def hall(rng) -> np.ndarray:
    """The world without the slide, the lecturer and the heads: the dim front wall lit around the screen,
    ceiling lights, a whiteboard, the EXIT sign over a door, a table with a glass, the stage, the seating
    (a laptop's glow in it), then the student's desk below: wood, a notebook with handwriting, a pen."""
    import cv2

    tex = independent_media_lecture.fractal((WORLD_H, WORLD_W), rng)[..., None]
    img = np.zeros((WORLD_H, WORLD_W, 3), np.float32) + (36, 38, 46) + 14 * tex
    yy, xx = np.mgrid[0:WORLD_H, 0:WORLD_W]
    img += (np.exp(-(((xx - 835) / 430.0) ** 2 + ((yy - 310) / 250.0) ** 2)) * 46)[..., None]
    img[:70] *= 0.55
    for x in range(150, 1400, 260):
        cv2.rectangle(img, (x, 22), (x + 120, 34), (150, 150, 140), -1)
    cv2.fillPoly(img, [np.int32(SCREEN + np.float32([[-14, -14], [14, -12], [14, 14], [-14, 12]]))], (92, 92, 98))
    img[560:600], img[600:900] = (58, 44, 34), (22, 19, 19) + 10 * tex[600:900]
    for y in (650, 722, 810):
        img[y:y + 14] = (40, 30, 27)
    for box, colour in [((150, 170, 470, 420), (84, 86, 90)), ((1250, 70, 1350, 112), (40, 160, 80)),  # board, exit
                        ((1240, 150, 1360, 560), (54, 46, 42)), ((280, 515, 370, 560), (70, 52, 40)),  # door, table
                        ((340, 492, 352, 515), (150, 170, 180)), ((330, 690, 410, 742), (150, 168, 200))]:  # glass,
        cv2.rectangle(img, box[:2], box[2:], colour, -1)  # ... a laptop's screen in the seats
    grain = (0.8 + 0.35 * tex[900:]) * (1 + 0.06 * np.sin(yy[900:, :, None] / 5.0 + 3 * tex[900:]))
    img[900:] = np.array([118, 86, 58]) * grain
    img = np.clip(img, 0, 255).astype(np.uint8)
    cv2.putText(img, "EXIT", (1262, 104), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (235, 245, 235), 2, cv2.LINE_AA)
    notes(img)
    return img


def notes(img: np.ndarray) -> None:
    """The desk's notebook (ruled, notes in OpenCV's script face), a pen, a bottle and a sleeve."""
    import cv2

    page = np.int32([[430, 1020], [990, 1000], [1010, 1500], [445, 1520]])
    cv2.fillPoly(img, [page], (228, 228, 220))
    for k in range(15):
        cv2.line(img, (440, 1060 + 30 * k - k // 2), (1000, 1040 + 30 * k - k // 2), (170, 180, 205), 1)
    for k, text in enumerate(["Lec 5 - bridges", "beam: cheap, short", "arch - squeeze!", "truss = triangles",
                              "exam 14 May"]):
        cv2.putText(img, text, (470, 1090 + 62 * k), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 1.1, (40, 50, 120), 2,
                    cv2.LINE_AA)
    cv2.line(img, (1040, 1120), (1180, 1380), (30, 40, 110), 12)
    cv2.line(img, (1040, 1120), (1070, 1176), (200, 200, 210), 14)
    cv2.rectangle(img, (1220, 940), (1330, 1300), (120, 150, 170), -1)
    cv2.ellipse(img, (250, 1640), (260, 140), -20, 0, 360, (50, 52, 60), -1)


class Scene:
    """The world at time t: the hall with the slide projected on the screen, the lecturer (who walks to
    the table during the pause) and the heads of the students in front (swaying; one moves per event)."""

    def __init__(self, rng, events: list[dict], pause: tuple[float, float]):
        self.rng, self.pause = rng, pause
        self.hall = hall(rng)
        self.worlds: dict[str, np.ndarray] = {}
        self.heads = [(x + rng.normal(0, 14), y + rng.normal(0, 4), r, rng.uniform(0, 6.3))
                      for y, r, n in ((600, 18, 9), (665, 26, 7), (740, 38, 5))
                      for x in np.linspace(170, 1330, n)]
        self.moves = [e for e in events if e["kind"] == "heads"]

    def projected(self, key: str, page: int) -> np.ndarray:
        """The hall with slide `key` on the screen: washed out by the house light, soft, brighter at its
        middle, in perspective."""
        import cv2

        if key not in self.worlds:
            deck = cv2.GaussianBlur(slide_image(key, page).astype(np.float32), (0, 0), 1.3)
            yy, xx = np.mgrid[0:H, 0:W]
            falloff = 1 - 0.12 * (((xx - W / 2) / (W / 2)) ** 2 + ((yy - H / 2) / (H / 2)) ** 2)
            washed = np.clip((deck * 0.45 + (108, 107, 104)) * falloff[..., None], 0, 255).astype(np.uint8)
            warp = cv2.getPerspectiveTransform(np.float32([[0, 0], [W, 0], [W, H], [0, H]]), SCREEN)
            shown = cv2.warpPerspective(washed, warp, (WORLD_W, WORLD_H))
            inside = cv2.warpPerspective(np.ones((H, W), np.uint8), warp, (WORLD_W, WORLD_H)) > 0
            self.worlds[key] = np.where(inside[..., None], shown, self.hall)
        return self.worlds[key]

    def world(self, key: str, page: int, t: float) -> np.ndarray:
        import cv2

        img = self.projected(key, page).copy()
        a, b = self.pause
        away = smooth((t - a - 1.0) / 3.0) - smooth((t - b + 4.0) / 3.0)  # at the table during the pause
        x = int((1 - away) * (500 + 30 * np.sin(t / 8) + 5 * np.sin(1.3 * t)) + away * 390)
        cv2.rectangle(img, (x - 11, 500), (x + 11, 560), (70, 62, 92), -1)
        cv2.circle(img, (x, 489), 9, (176, 148, 128), -1)
        cv2.line(img, (x + 9, 506), (x + 26, 520 - int(12 * np.sin(0.8 * t))), (70, 62, 92), 5)  # gestures
        offsets = {}
        for e, (head, dx, dy) in zip(self.moves, HEAD_MOVES):
            if e["start"] <= t <= e["end"]:
                share = smooth((t - e["start"]) / 0.6) - smooth((t - e["end"] + 0.6) / 0.6)
                offsets[head] = (dx * share, dy * share)
        for i, (hx, hy, r, phase) in enumerate(self.heads):
            dx, dy = offsets.get(i, (0.0, 0.0))
            cx = int(hx + dx + 3 * np.sin(0.5 * t + phase))
            cy = int(hy + dy + 2 * np.sin(0.8 * t + 2 * phase))
            cv2.ellipse(img, (cx, cy + int(1.9 * r)), (int(2.2 * r), int(1.1 * r)), 0, 0, 360,
                        (30 + 8 * (i % 3), 28, 34), -1)
            cv2.ellipse(img, (cx, cy), (int(0.85 * r), r), 0, 0, 360, (20, 18, 18), -1)
            cv2.ellipse(img, (cx, cy - r // 3), (int(0.7 * r), int(0.6 * r)), 0, 200, 340, (44, 40, 40), 2)
        return img


def smooth(u: float) -> float:
    u = float(np.clip(u, 0.0, 1.0))
    return u * u * (3 - 2 * u)


class Phone:
    """The student's phone: where it points (drift, tremor, zooms, the lowered tilt), its focus (hunts),
    its exposure (a lagging auto exposure, pumping) and its sensor grain."""

    def __init__(self, events: list[dict], frames: int, rng):
        self.events, self.rng = events, rng
        tremor = rng.normal(0, 1.4, (frames + 2, 3))
        self.tremor = (tremor[:-2] + 2 * tremor[1:-1] + tremor[2:]) / 4  # x, y (px), roll (x 0.1 degree)
        self.grain = [rng.normal(0, 3.0, (H, W, 3)).astype(np.float32) for _ in range(6)]
        self.gain, self.reference = 1.0, None

    def state(self, t: float) -> tuple[float, float, float, float, float]:
        """(centre x, centre y in the world, zoom, roll in degrees, focus blur sigma) at t."""
        zoom = lowered = sigma = 0.0
        for e in self.events:
            u = (t - e["start"]) / (e["end"] - e["start"])
            if e["kind"] == "zoom in" and u >= 0:
                zoom = smooth(u)
            elif e["kind"] == "zoom out" and u >= 0:
                zoom = 1 - smooth(u)
            elif e["kind"] == "lowered" and 0 <= u <= 1:
                lowered = smooth((t - e["start"]) / 0.8) - smooth((t - e["end"] + 0.8) / 0.8)
            elif e["kind"] == "focus" and 0 <= u <= 1:
                sigma = 4.5 * np.sin(np.pi * u) * (0.75 + 0.25 * np.cos(4 * np.pi * u))
        centre = np.array(HOME) + zoom * (SCREEN.mean(0) - HOME) + lowered * (np.array(DESK) - HOME)
        scale = (1 + zoom * (ZOOM - 1)) * (1 + 0.012 * sigma)
        roll = 0.7 * np.sin(2 * np.pi * t / 41) + 0.2 * np.sin(2 * np.pi * t / 7)
        return float(centre[0]), float(centre[1]), float(scale), float(roll), float(sigma)

    def pump(self, t: float) -> float:
        for e in self.events:
            if e["kind"] == "exposure" and e["start"] <= t <= e["end"]:
                u = (t - e["start"]) / (e["end"] - e["start"])
                return float(1 - 0.4 * np.sin(3 * np.pi * u) * np.exp(-1.5 * u))
        return 1.0

    def shoot(self, world: np.ndarray, t: float, f: int) -> np.ndarray:
        import cv2

        cx, cy, z, roll, sigma = self.state(t)
        _, before, *_ = self.state(t - 1 / FPS)
        shake = 3.0 if abs(cy - HOME[1]) > 20 and abs(cy - DESK[1]) > 20 else 1.0  # more while tilting
        dx = 22 * np.sin(2 * np.pi * t / 37 + 0.4) + 9 * np.sin(2 * np.pi * t / 13) + shake * self.tremor[f, 0]
        dy = 12 * np.sin(2 * np.pi * t / 29) + 5 * np.sin(2 * np.pi * t / 9.5 + 1) + shake * self.tremor[f, 1]
        m = cv2.getRotationMatrix2D((cx, cy), roll + 0.1 * self.tremor[f, 2], z)
        m[:, 2] += (W / 2 + dx - cx, H / 2 + dy - cy)
        img = cv2.warpAffine(world, m, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        streak = int(abs(cy - before) * z * 0.5)  # motion blur over half a frame's time
        if streak >= 3:
            img = cv2.filter2D(img, -1, np.ones((streak, 1), np.float32) / streak)
        if sigma > 0.3:
            img = cv2.GaussianBlur(img, (0, 0), sigma)
        level = float(img[::16, ::16].mean())
        self.reference = self.reference or level
        target = float(np.clip((self.reference / max(level, 1.0)) ** 0.6, 0.6, 1.6))
        self.gain += (target - self.gain) * (1 - np.exp(-1 / (FPS * 0.5)))  # follows with a 0.5 s lag
        out = img.astype(np.float32) * (self.gain * self.pump(t)) + self.grain[int(self.rng.integers(6))]
        return np.clip(out, 0, 255).astype(np.uint8)


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x))) + 1e-12)


def put(audio: np.ndarray, x: np.ndarray, at: float) -> None:
    i = int(at * SR)
    x = x[:max(0, len(audio) - i)]
    audio[i:i + len(x)] += x


def timeline(clips: list[list[np.ndarray]]) -> list[dict]:
    """Each slide's start, end, key, page and stretch, and its speech parts' [start, end] in seconds."""
    slides, t = [], 0.0
    for page, ((key, stretch, _), parts) in enumerate(zip(TALK, clips), 1):
        at, placed = (PREROLL if key == "title" else t + LEAD), []
        for k, clip in enumerate(parts):
            at += SILENCE if k else 0.0
            placed.append([round(at, 3), round(at + len(clip) / SR, 3)])
            at += len(clip) / SR
        slides.append({"start": round(t, 3), "end": round(at + GAP, 3), "key": key, "page": page,
                       "stretch": stretch, "speech": placed})
        t = at + GAP
    return slides


def anchors(slides: list[dict]) -> dict[str, float]:
    out = {s["key"]: s["start"] for s in slides}
    out["start"] = 0.0
    out["pause"] = next(s["speech"][0][1] for s in slides if len(s["speech"]) > 1)
    return out


def placed_events(slides: list[dict]) -> list[dict]:
    """EVENTS in seconds; none within 2 s of a slide change."""
    at, cuts = anchors(slides), [s["start"] for s in slides[1:]]
    events = [{"kind": kind, "start": round(at[a] + off, 3), "end": round(at[a] + off + d, 3)}
              for kind, a, off, d in EVENTS]
    for e in events:
        assert not [c for c in cuts if e["start"] - 2.0 < c < e["end"] + 2.0], f"{e} within 2 s of a slide change"
    assert [e["start"] for e in events] == sorted(e["start"] for e in events), "EVENTS in time order"
    return events


def sound(slides: list[dict], clips: list[list[np.ndarray]], events: list[dict], duration: float, rng):
    """The phone's track; returns it and the whisper's [start, end] and the cough's time."""
    audio = np.zeros(int(duration * SR) + SR, np.float32)
    far = [conf.reverb(conf.band(c, 250, 3800), rng, 0.9) for parts in clips for c in parts]
    scale = LECT / rms(np.concatenate(far))
    for x, (at, _) in zip(far, [p for s in slides for p in s["speech"]]):
        put(audio, scale * x, at)
    at = anchors(slides)
    for who, anchor, off, text in CHAT:
        x = conf.reverb(conf.band(speak(text, *CHATTER[who]), 120, 6000), rng, 0.2 if who < 2 else 0.8)
        put(audio, (0.9 if who < 2 else 0.3) * LECT * x / rms(x), at[anchor] + off)
    t = np.arange(audio.size) / SR
    busy = ((t < PREROLL) | ((t > at["pause"]) & (t < at["pause"] + SILENCE))).astype(np.float32)
    swell = np.interp(np.arange(audio.size), np.linspace(0, audio.size, 90), rng.uniform(0.6, 1.0, 90))
    murmur = conf.band(rng.normal(0, 1, audio.size), 200, 1500)
    audio += (0.2 + 0.3 * busy) * LECT * swell * murmur / rms(murmur)
    text, key, phrase, lead = WHISPER
    said = len(speak(TALK[[k for k, *_ in TALK].index(key)][2].split(phrase)[0], VOICE, RATE)) / SR
    whisper = conf.band(speak(text, *NEIGHBOUR), 300, 6000)
    w0 = next(s for s in slides if s["key"] == key)["speech"][0][0] + said + lead
    put(audio, 1.0 * LECT * whisper / rms(whisper), w0)
    cough = at[COUGH_AT[0]] + COUGH_AT[1]
    put(audio, 5 * LECT * conf.crowd(1.0, rng)[2], cough)
    put(audio, 1.2 * LECT * rustle(1.8, rng), cough + 1.0)
    for e in (e for e in events if e["kind"] == "lowered"):
        for when in (e["start"], e["end"] - 0.8):
            thump = conf.band(rng.normal(0, 1, int(0.35 * SR)), 40, 300) * np.hanning(int(0.35 * SR))
            put(audio, 2 * LECT * thump / rms(thump), when)
    audio += 0.002 * rng.normal(0, 1, audio.size)
    return audio * min(1.0, 0.95 / np.abs(audio).max()), [round(w0, 3), round(w0 + len(whisper) / SR, 3)], cough


def rustle(seconds: float, rng) -> np.ndarray:
    """Paper handled near the microphone: bright crackles in bursts, unit RMS."""
    n = int(seconds * SR)
    crackle = np.zeros(n)
    at = rng.integers(0, n, int(400 * seconds))
    crackle[at] = rng.uniform(-1, 1, at.size)
    x = conf.band(np.convolve(crackle, np.exp(-np.arange(60) / 8.0))[:n] + 0.1 * rng.normal(0, 1, n), 900, 7000)
    x *= np.interp(np.arange(n), np.linspace(0, n, 8), rng.uniform(0.2, 1.0, 8)) * np.hanning(n)
    return x / rms(x)


def render(out: Path) -> dict:
    """Writes OUT/NAME, OUT/truth.json and OUT/frames/*.png (each slide's and each camera event's middle
    frame); returns the truth."""
    import av
    from PIL import Image

    clips = [[speak(part, VOICE, RATE) for part in speech.split(" || ")] for *_, speech in TALK]
    slides = timeline(clips)
    duration, events, at = slides[-1]["end"], placed_events(slides), anchors(slides)
    pause = (at["pause"], at["pause"] + SILENCE)
    scene, frames = Scene(np.random.default_rng(53), events, pause), int(duration * FPS)
    phone = Phone(events, frames, np.random.default_rng(54))
    audio, whisper, cough = sound(slides, clips, events, duration, np.random.default_rng(55))
    snaps = {round((s["start"] + s["end"]) / 2 * FPS): f"slide_{s['page']:02d}_{s['key']}" for s in slides}
    snaps.update({round((e["start"] + e["end"]) / 2 * FPS): f"event_{i:02d}_{e['kind'].replace(' ', '_')}"
                  for i, e in enumerate(events)})
    starts = [s["start"] for s in slides]
    (out / "frames").mkdir(exist_ok=True)
    with av.open(str(out / NAME), "w") as container:
        video, audio_stream = independent_lecture.streams(container, FPS)
        video.codec_context.bit_rate, audio_stream.codec_context.bit_rate = VIDEO_BPS, AUDIO_BPS
        for f in range(frames):
            t = f / FPS
            s = slides[int(np.searchsorted(starts, t, side="right")) - 1]
            frame = phone.shoot(scene.world(s["key"], s["page"], t), t, f)
            if f in snaps:
                Image.fromarray(frame).save(out / "frames" / f"{snaps[f]}.png")
            for packet in video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        independent_lecture.finish(container, video, audio_stream, audio)
    truth = truth_of(slides, events, phone, {"whisper": whisper, "cough": cough, "pause": pause}, duration)
    (out / "truth.json").write_text(json.dumps(truth, indent=1))
    print(f"rendered {duration:.1f} s at {W}x{H}, {FPS} fps; slides: " +
          ", ".join(f"{s['start']:.1f} {s['key']}" for s in slides))
    print("camera events: " + ", ".join(f"{n} {a:.1f}-{b:.1f}" for n, (a, b, _) in truth["situations"].items()))
    print(f"cuts by the phone's state: {truth['cut_state']}")
    return truth


def truth_of(slides: list[dict], events: list[dict], phone: Phone, sounds: dict, duration: float) -> dict:
    stretches = [[g[0]["start"], g[-1]["end"], n] for n, g in
                 ((n, list(g)) for n, g in itertools.groupby(slides, key=lambda s: s["stretch"]))]
    span = {s["key"]: (s["start"], s["end"]) for s in slides}
    cuts = [s["start"] for s in slides[1:]]
    situations, counts = {}, {}
    for e in events:
        counts[e["kind"]] = counts.get(e["kind"], 0) + 1
        situations[f"{e['kind']} {counts[e['kind']]}"] = [e["start"], e["end"], round(e["end"] + 1.0, 3)]
    (a, b), (w0, w1), c = sounds["pause"], sounds["whisper"], sounds["cough"]
    situations.update({"pause": [a, b, b], "pre-roll": [0.0, PREROLL, PREROLL], "whisper": [w0, w1, w1],
                       "cough": [c, c + 2.8, c + 2.8]})
    return {"slides": slides, "events": events, "cuts": cuts, "duration": duration,
            "cut_state": [[x, "zoomed" if phone.state(x)[2] > 1.5 else "home"] for x in cuts],
            "stretches": stretches, "topic_edges": [x for x, _, _ in stretches[1:]], "situations": situations,
            "queries": [[q, *span[key], kind] for q, key, kind in QUERIES]}


def report_kinds(cuts: list[float], truth: dict) -> None:
    """Recall by the phone's state at the true cut; false alarms per kind of situation (any window holding
    them) and those in none."""
    for state in ("home", "zoomed"):
        mine = [c for c, s in truth["cut_state"] if s == state]
        found = [c for c in mine if any(abs(x - c) <= 1.0 for x in cuts)]
        print(f"true cuts with the phone {state}: {len(found)}/{len(mine)} found")
    false = [x for x in cuts if all(abs(x - c) > 1.0 for c in truth["cuts"])]
    kinds: dict[str, list] = {}
    for name, (a, _, end) in truth["situations"].items():
        inside = [round(x, 1) for x in false if a - 1.0 <= x < end]
        k = kinds.setdefault(name.rstrip("0123456789").strip(), [0, 0, []])
        k[0], k[1], k[2] = k[0] + 1, k[1] + bool(inside), k[2] + inside
    for kind, (n, hit, xs) in kinds.items():
        print(f"situation {kind}: {hit} of {n} with a false alarm in its window {xs}")
    other = [round(x, 1) for x in false if independent_media_lecture.situation_of(x, truth) == "other"]
    print(f"false alarms in no situation (drift and tremor alone): {len(other)} {other}")


def evaluate(out: Path, truth: dict, reuse: bool) -> None:
    from momentsearch.evaluate import boundary_scores, detected_boundaries

    index = independent_code_lecture.indexed(out, NAME, reuse)
    rec = index.videos()[0]
    independent_media_lecture.score_cuts(rec, index, truth)
    report_kinds(detected_boundaries(index)[rec.path], truth)
    sc = boundary_scores([float(a) for a, _ in rec.sections[1:]], truth["topic_edges"])
    print(f"section edges vs topic edges only {[round(x, 1) for x in truth['topic_edges']]}: "
          f"P {sc.precision:.2f} R {sc.recall:.2f} F1 {sc.f1:.2f} at +-1 s")
    diag = independent_code_lecture.diagnostics(index, rec)
    independent_seminar_lecture.report_situations(rec, diag, truth)
    independent_code_lecture.run_queries(index, truth["queries"], diag)
    (out / "diagnostics.json").write_text(json.dumps(diag, indent=1, default=str))


def main() -> int:
    return independent_code_lecture.run_probe(__doc__, "/tmp/phonerec", render, evaluate)


if __name__ == "__main__":
    sys.exit(main())
