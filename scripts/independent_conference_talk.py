#!/usr/bin/env python3
"""A produced conference talk (a multi-camera edit, as on YouTube) rendered without momentsearch.testing,
indexed and searched: a check on a kind of real recording nothing was tuned on. 1280x720 at 12 fps, ~6 min:
one speaker on urban beekeeping in five topics, a voice no other script uses (espeak-ng en-gb-x-gbcwmd+m2 at
130 wpm) in a large hall's reverb over audience murmur, two coughs and, in topic 3, 3.6 s of applause and
laughter after a joke. ONE deck template unlike the others: a near-black blue page, big white condensed
titles over a yellow bar, few words in a thin face; five slides are a big drawn picture over a 2-5 word
yellow caption. The edit switches every 5-20 s (a seeded cut list), mostly while one slide stays up, between:
  wide   the stage from the hall: the slide projected in perspective, washed out; the speaker small at a
         lectern beside it; silhouetted heads in front, moving slightly; sensor noise
  close  the speaker waist-up, gesturing at a lectern, over a blurred stage; NO slide (a slide change here is
         seen only at the next shot showing the slide); a lower third ("Dr. Tomas Reyes", "City Apiary
         Project - GreenCity Conference 2026") slides in 0.5 s into the first close-up and out at 10 s
  slide  the slide full frame, crisp; slide changes fall in any shot; a logo bug sits top right throughout.

Decisions, fixed before any result was seen. A cut is a picture change the viewer sees: every shot switch, and
every slide change while a wide or slide shot is on; a slide change during a close-up is none, nor are the lower
third, the heads, the gestures or the noise. Cuts are scored at +-1 s, all together and per kind (the other kind
optional); no switch lies within 1.5 s of a slide change. A boundary farther than 1 s from every true cut is a
false alarm, put down to the lower third or the applause in their windows, else to its shot. Stretches: the
intro (title slide), then five topics, each from its first word to the next topic's first word; section edges
are scored against the true cuts and against the topic edges alone. A query's truth is its whole topic (a moment
is a topic, not a shot). The 16 queries (said: 6 consecutive spoken words; shown: words only on slides, never
spoken; concept: a paraphrase) were written with the talk, before the first run, and not changed after.

    python3 scripts/independent_conference_talk.py [--out /tmp/conftalk] [--reuse]

Prints cuts and section edges against the truth (P / R / F1 at +-1 s, per kind; each false alarm's situation),
per topic its shots (with their OCR text), visual segments and sections, per slide its seconds per shot kind and
read by OCR, the transcript over the applause, each query's type, hit or miss (top result's IoU >= 0.5), truth,
top span, IoU and channel scores, top results' lengths against topics', the run time; writes OUT/diagnostics.json.
`--reuse` scores what OUT holds. Deterministic (fixed seeds). One talk in its own index: a probe, not a benchmark.
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
import independent_media_lecture  # noqa: E402 (its cut report and noise texture)

W, H, FPS, SR = 1280, 720, 12, 16000
VOICE, RATE = "en-gb-x-gbcwmd+m2", 130
LEAD = independent_lecture.LEAD  # seconds from a slide's start to its first word
GAP, PAUSE, APPLAUSE = 1.4, 0.7, 3.6  # seconds: after a slide's last word; between two clips; applause
SHOT_MIN, SHOT_MAX, FIRST_CLOSE, CLEAR = 5.0, 20.0, 13.0, 1.5  # seconds: shot lengths; no switch this near a change
TITLE_IN, TITLE_OUT = 0.5, 10.0  # seconds into the first close-up: the lower third's arrival and departure
COUGHS = {"comb": 4.0, "crowded": 11.0}  # seconds into these slides: a cough in the hall
NAME = "greencity26_urban_bees.mp4"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans{}.ttf"
YELLOW, WHITE, NIGHT = (250, 204, 44), (244, 246, 250), ((6, 10, 24), (16, 24, 52))
PIC = (1100, 480)  # a picture slide's picture: width, height
SCREEN = np.float32([[590, 70], [1180, 100], [1172, 430], [598, 418]])  # the projection in the wide shot

SLIDES = {  # key: (title or caption, lines, picture)
    "title": ("Bees on the Rooftops", ["Urban beekeeping, one colony at a time", "Tomas Reyes · City Apiary"], None),
    "why": ("Why the City?", ["Nectar all season", "Fewer pesticides", "Heat island effect"], None),
    "roof": ("Rooftop hives, Rotterdam", [], "roof"),
    "hive": ("Inside the Hive", ["One queen", "40,000 workers", "A few hundred drones"], None),
    "comb": ("Capped brood comb", [], "comb"),
    "neighbours": ("Good Neighbours", ["Raise the flight path", "Offer water", "Prevent swarms"], None),
    "vespa": ("Uninvited guest on a Vespa", [], "scooter"),
    "food": ("What City Bees Eat", ["Linden in June", "Ivy in October", "Herbs on balconies"], None),
    "jars": ("April · July · September", [], "jars"),
    "crowded": ("Too Many Hives?", ["Wild bees lose out", "Varroa and viruses", "Cap hive density"], None),
    "meadow": ("Verge at Zuiderpark, 2025", [], "meadow"),
    "thanks": ("Thank you", ["cityapiary.org", "@tomas_reyes"], None),
}
TALK = [  # (slide key, stretch, speech; " | " is the applause and laughter after the joke)
    ("title", "intro", "Good afternoon, everyone, and thank you for staying after lunch. My name is Tomas, and for "
     "eight years I have kept honey bees on flat roofs, terraces and office car parks in the middle of a very large "
     "city. Today I want to convince you that a city can be a surprisingly good home for bees, and also warn you "
     "about when it is not."),
    ("why", "topic 1", "So why would anyone put a beehive on a roof? The first reason is food. Modern farmland is "
     "often one crop as far as the eye can see, which flowers for two weeks and then leaves the bees hungry for the "
     "rest of the summer. A city is the opposite. Parks, cemeteries, railway embankments and small gardens offer "
     "something in bloom from March until the first frost. The second reason is chemistry: our street trees and "
     "window boxes are treated far less often with the poisons that are used on fields. And the third reason is "
     "warmth. Stone and traffic keep the centre a couple of degrees above the countryside, so colonies start work "
     "earlier in spring."),
    ("roof", "topic 1", "This is one of our sites, on top of a parking garage. Six colonies share the roof with a row "
     "of air conditioning units, and from up there the bees can reach more kinds of plants than a typical village "
     "holds."),
    ("hive", "topic 2", "Before you put a box on your roof, it helps to know who lives in it. A colony is really one "
     "family. A single mother lays up to two thousand eggs a day in early summer. Almost everyone else is her "
     "daughter, and every daughter changes jobs as she ages: cleaning cells, feeding larvae, building wax, guarding "
     "the entrance and, in the last weeks of her short life, flying out to collect nectar and pollen. The males do no "
     "work at all. Their only purpose is to mate with a young mother from another colony."),
    ("comb", "topic 2", "This is what you see when you lift a frame out of the box. The wax cells are perfect "
     "hexagons, which use the least material for the most storage. The light lids in the middle cover young bees that "
     "are turning from larvae into adults, and the honey is kept in an arch around the edge."),
    ("neighbours", "topic 3", "Now the part that decides whether you can keep bees in a city at all: the people next "
     "door. Bees leaving a hive climb steeply if they have to, so a tall fence or a hedge in front of the entrance "
     "sends them up over everybody's heads. They also need to drink, and if you do not give them a shallow dish with "
     "stones in it, they will find your neighbour's swimming pool or a dripping tap. The biggest worry is swarming. "
     "In May a strong colony rears a new mother, and half the bees leave with the old one to look for a new home."),
    ("vespa", "topic 3", "A swarm usually hangs on a branch for a few hours while scouts look for a cavity. Usually. "
     "This one chose a parked motorbike outside a police station. The officer who phoned me asked, very seriously, "
     "whether the bees could be charged with illegal parking. | Thank you. We collected them in a cardboard box, and "
     "they are now one of our calmest colonies. The lesson is to check every hive each week in spring, so that the "
     "swarm never happens."),
    ("food", "topic 4", "What do city bees actually live on? Mostly not the bedding plants in front of the town hall. "
     "Their main food comes from trees: in early spring willow and maple, and at the start of summer the big avenue "
     "trees whose flowers smell of honey on a warm evening. At the end of the season, when almost nothing else "
     "flowers, a climbing evergreen that covers old walls gives them a last huge meal before winter."),
    ("jars", "topic 4", "Because the flowers change through the year, so does the honey. These three jars came from "
     "the same hive in the same year. The spring harvest is almost white and sets hard, the summer one is golden and "
     "runny, and the late one is dark and tastes a little of mint."),
    ("crowded", "topic 5", "Which brings me to a warning. Honey bees are livestock, not wildlife. Some districts of "
     "London now have more than ten colonies per square kilometre, and studies there show that the food simply runs "
     "out. The losers are the solitary bees and bumblebees that nest in the ground and in hollow stems, and that "
     "nobody counts. Crowded apiaries also pass parasites and infections between colonies much faster."),
    ("meadow", "topic 5", "So if you want to help bees, start with flowers, not with a box on the roof. This strip "
     "along a tram line used to be mown grass. Now it is full of clover, cornflowers and marjoram, and last summer we "
     "counted twenty three species of bee on it. Sow first, and only then think about a colony of your own."),
    ("thanks", "topic 5", "Thank you very much for listening. I am happy to take your questions."),
]
QUERIES = [  # (query, topic, type); written with the talk, before the first run, not changed after
    ("offer something in bloom from March", "topic 1", "said"), ("fewer pesticides", "topic 1", "shown"),
    ("advantages of urban areas over agricultural land for pollinators", "topic 1", "concept"),
    ("lays up to two thousand eggs", "topic 2", "said"), ("capped brood comb", "topic 2", "shown"),
    ("division of labour among female insects as they get older", "topic 2", "concept"),
    ("will find your neighbour's swimming pool", "topic 3", "said"),
    ("could be charged with illegal parking", "topic 3", "said"), ("uninvited guest on a Vespa", "topic 3", "shown"),
    ("keeping the residents around you from complaining about stings", "topic 3", "concept"),
    ("the spring harvest is almost white", "topic 4", "said"), ("linden in June, ivy in October", "topic 4", "shown"),
    ("the seasonal sources of nectar for insects in built-up areas", "topic 4", "concept"),
    ("solitary bees and bumblebees that nest", "topic 5", "said"), ("verge at Zuiderpark", "topic 5", "shown"),
    ("overcrowding of managed colonies harming native insects", "topic 5", "concept"),
]


def fonts() -> dict:
    from PIL import ImageFont

    sizes = {"huge": 92, "title": 76, "body": 50, "caption": 52, "small": 24, "name": 40, "bug": 20}
    faces = {"body": "-ExtraLight", "small": "Condensed"}  # the others: "Condensed-Bold"
    return {k: ImageFont.truetype(FONT.format(faces.get(k, "Condensed-Bold")), px) for k, px in sizes.items()}


def hexagon(d, x: float, y: float, r: float, fill) -> None:
    d.polygon([(x + r * np.cos(a), y + r * np.sin(a)) for a in np.arange(6) * np.pi / 3], fill=fill)


def slide_image(key: str) -> np.ndarray:
    """The deck's one template: a near-black blue page, a hashtag and a yellow hexagon in the footer; a big
    white title over a yellow bar with hexagon bullets, or a picture over a yellow caption."""
    from PIL import Image, ImageDraw

    title, lines, kind = SLIDES[key]
    f = fonts()
    page = np.array(NIGHT[0]) + (np.array(NIGHT[1]) - NIGHT[0]) * np.linspace(0, 1, H)[:, None, None]
    im = Image.fromarray(np.broadcast_to(page, (H, W, 3)).astype(np.uint8))
    d = ImageDraw.Draw(im)
    d.text((70, H - 52), "#GreenCity26", font=f["small"], fill=(118, 128, 162))
    hexagon(d, W - 70, H - 40, 14, YELLOW)
    if kind is not None:
        im.paste(Image.fromarray(picture(kind, np.random.default_rng(len(key)))), (90, 44))
        d.text((90, 556), title, font=f["caption"], fill=YELLOW)
    elif key in ("title", "thanks"):
        d.text((90, 200), title, font=f["huge"], fill=YELLOW)
        d.rectangle([92, 330, 300, 338], fill=WHITE)
        d.text((90, 372), lines[0], font=f["body"], fill=WHITE)
        d.text((92, 456), lines[1], font=f["small"], fill=(170, 178, 204))
    else:
        d.text((90, 70), title, font=f["title"], fill=WHITE)
        d.rectangle([92, 178, 232, 186], fill=YELLOW)
        for k, text in enumerate(lines):
            hexagon(d, 114, 292 + 110 * k, 15, YELLOW)
            d.text((150, 262 + 110 * k), text, font=f["body"], fill=WHITE)
    return np.asarray(im).copy()


def picture(kind: str, rng) -> np.ndarray:
    """A picture slide's drawn photo (PIC): hives on a roof at dusk, comb, a swarm hanging from a scooter's
    handlebar, three honey jars on a shelf or a verge in flower; with uneven light and grain."""
    import cv2

    w, h = PIC
    tex = independent_media_lecture.fractal((h, w), rng)
    img = np.zeros((h, w, 3)) + (40, 30, 25)
    if kind == "roof":  # dusk: deep blue above, orange at the horizon
        img[:] = np.array([40, 60, 120.0]) + np.array([200, 90, -30.0]) * np.linspace(0, 1, h)[:, None, None]
        for x, top in zip(range(0, w, 80), 330 - rng.integers(60, 220, w // 80 + 1)):
            cv2.rectangle(img, (x, int(top)), (x + 80, 330), (26, 26, 36), -1)
            cv2.rectangle(img, (x + 20, int(top) + 20), (x + 28, int(top) + 30), (250, 214, 120), -1)
        img[330:] = (128, 126, 122)
        for x in range(70, 900, 140):
            cv2.rectangle(img, (x, 250), (x + 100, 352), (232, 226, 210), -1)
            cv2.rectangle(img, (x - 6, 238), (x + 106, 250), (120, 120, 126), -1)
            cv2.rectangle(img, (x + 30, 344), (x + 70, 350), (20, 20, 20), -1)
    elif kind == "comb":
        corners = 21 * np.array([(np.cos(a), np.sin(a)) for a in np.arange(6) * np.pi / 3 + np.pi / 6])
        for row in range(h // 36 + 2):
            for col in range(w // 41 + 2):
                cx, cy = col * 41.6 + 20.8 * (row % 2), row * 36
                inner = ((cx - w / 2) / (w * 0.33)) ** 2 + ((cy - h / 2) / (h * 0.38)) ** 2 < 1
                colour = (222, 196, 140) if inner else (235, 160, 30) if rng.random() < 0.75 else (90, 55, 20)
                cv2.fillPoly(img, [np.int32((cx, cy) + corners)], colour)
    elif kind == "scooter":
        img = np.stack([190 + 30 * tex, 180 + 28 * tex, 160 + 24 * tex], -1)
        img[380:] = (110, 110, 114)
        cv2.ellipse(img, (700, 300), (170, 90), 0, 0, 360, (150, 205, 200), -1)
        cv2.fillPoly(img, [np.int32([[330, 150], [400, 150], [470, 360], [380, 380]])], (150, 205, 200))
        cv2.ellipse(img, (740, 215), (110, 25), 0, 0, 360, (40, 34, 32), -1)
        for x in (420, 820):
            cv2.circle(img, (x, 400), 55, (22, 22, 24), -1)
        cv2.line(img, (300, 148), (470, 138), (50, 50, 54), 8)
        swarm = np.zeros((h, w), np.uint8)
        cv2.ellipse(swarm, (400, 245), (80, 115), 0, 0, 360, 1, -1)
        img[swarm > 0] = (np.array([110, 74, 24]) + np.array([90, 60, 20]) * rng.random((h, w, 1)))[swarm > 0]
    elif kind == "jars":
        img[380:] = (120, 80, 48) + 20 * np.sin(np.arange(w) / 7.0)[None, :, None]
        for x, colour in ((250, (245, 232, 190)), (550, (238, 170, 40)), (850, (110, 50, 15))):
            cv2.rectangle(img, (x - 100, 150), (x + 100, 385), colour, -1)
            cv2.rectangle(img, (x - 106, 110), (x + 106, 150), (190, 170, 110), -1)
            cv2.rectangle(img, (x - 70, 170), (x - 52, 360), tuple(min(255, c + 45) for c in colour), -1)
    else:  # a verge in flower: flowers grow larger towards the camera
        img = np.stack([60 + 50 * tex, 120 + 70 * tex, 40 + 30 * tex], -1)
        img[:100], img[100:160] = (150, 190, 235), (34, 80, 36)
        for y in 160 + (h - 160) * rng.random(2600) ** 0.7:
            colour = [(70, 110, 230), (245, 245, 240), (170, 90, 170), (250, 210, 60)][rng.integers(4)]
            cv2.circle(img, (int(rng.integers(0, w)), int(y)), 1 + int(7 * (y - 160) / (h - 160)), colour, -1)
    img = img * (0.85 + 0.3 * tex)[..., None] + rng.normal(0, 4, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def overlay(lines: list[str], size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(RGB, alpha): the logo bug (one line, after a hexagon) or the lower third (two lines, on a dark box)."""
    from PIL import Image, ImageDraw

    f = fonts()
    im = Image.new("RGBA", size, (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    if len(lines) == 1:
        hexagon(d, 18, size[1] / 2, 14, YELLOW + (230,))
        d.text((40, 8), lines[0], font=f["bug"], fill=WHITE + (215,))
    else:
        d.rectangle([0, 0, size[0], size[1]], fill=(8, 18, 40, 215))
        d.rectangle([0, 0, 10, size[1]], fill=YELLOW + (255,))
        d.text((32, 10), lines[0], font=f["name"], fill=WHITE + (255,))
        d.text((34, 62), lines[1], font=f["small"], fill=(200, 208, 228, 255))
    a = np.asarray(im).astype(np.float32)
    return a[..., :3], a[..., 3:] / 255.0


def blend(frame: np.ndarray, layer: tuple[np.ndarray, np.ndarray], x: int, y: int) -> None:
    rgb, alpha = (part[:, max(0, -x):] for part in layer)
    region = frame[y:y + rgb.shape[0], max(0, x):max(0, x) + rgb.shape[1]]
    region[:] = (region * (1 - alpha) + rgb * alpha).astype(np.uint8)


class Stage:
    """The three cameras' pictures: the hall (wide), the speaker (close) and the slide (full frame)."""

    def __init__(self, rng):
        self.rng, self.slides, self.projected = rng, {key: slide_image(key) for key in SLIDES}, {}
        self.hall, self.backdrop = scenery(rng)
        self.noise = [rng.normal(0, 3.5, (H, W, 3)).astype(np.int16) for _ in range(6)]
        xs = np.linspace(30, W - 30, 15) + rng.normal(0, 18, 15)
        self.heads = [(x, rng.uniform(600, 680), rng.uniform(30, 42), rng.uniform(0, 6.3)) for x in xs]
        self.bug = overlay(["GREENCITY 26"], (190, 36))
        self.title = overlay(["Dr. Tomas Reyes", "City Apiary Project — GreenCity Conference 2026"], (640, 100))

    def wide(self, key: str, t: float) -> np.ndarray:
        """The wide shot at t: the slide projected (washed out by the house lights, a little soft), the
        speaker small at the lectern left of the screen, heads in front."""
        import cv2

        if key not in self.projected:
            warp = cv2.getPerspectiveTransform(np.float32([[0, 0], [W, 0], [W, H], [0, H]]), SCREEN)
            washed = cv2.GaussianBlur(self.slides[key], (5, 5), 0) * 0.68 + 58
            shown = cv2.warpPerspective(washed.astype(np.uint8), warp, (W, H))
            inside = cv2.warpPerspective(np.ones((H, W), np.uint8), warp, (W, H)) > 0
            self.projected[key] = np.where(inside[..., None], shown, self.hall)
        img = self.projected[key].copy()
        x = int(455 + 28 * np.sin(t / 11) + 4 * np.sin(1.3 * t))
        cv2.polylines(img, [np.int32([[-10, 548], [-8, 500], [8, 500], [10, 548]]) + (x, 0)], False, (30, 30, 36), 9)
        cv2.rectangle(img, (x - 20, 430), (x + 20, 502), (46, 54, 78), -1)
        cv2.circle(img, (x + int(2 * np.sin(0.9 * t)), 414), 14, (196, 160, 134), -1)
        lift = 1.0 + 0.6 * np.sin(0.8 * t) + 0.3 * np.sin(2.1 * t)
        cv2.line(img, (x + 18, 438), (x + 18 + int(34 * np.sin(lift)), 438 + int(34 * np.cos(lift))), (46, 54, 78), 7)
        for hx, hy, hr, phase in self.heads:
            cx, cy = int(hx + 3 * np.sin(0.6 * t + phase)), int(hy + 2 * np.sin(0.9 * t + 2 * phase))
            cv2.ellipse(img, (cx, int(hy + 2.2 * hr)), (int(2.3 * hr), int(1.3 * hr)), 0, 0, 360, (6, 6, 8), -1)
            cv2.ellipse(img, (cx, cy), (int(0.85 * hr), int(hr)), 0, 0, 360, (9, 9, 11), -1)
        return img

    def close(self, t: float) -> np.ndarray:
        """The close-up at t: the speaker waist-up over the blurred stage, talking and gesturing at a lectern."""
        import cv2

        img = self.backdrop.copy()
        cx, hy = int(600 + 24 * np.sin(t / 6.5) + 6 * np.sin(1.7 * t)), int(250 + 5 * np.sin(1.9 * t))
        jacket, skin = (44, 52, 74), (205, 165, 140)
        cv2.fillPoly(img, [np.int32([[-200, H - hy], [-150, 140], [150, 140], [200, H - hy]]) + (cx, hy)], jacket)
        cv2.fillPoly(img, [np.int32([[cx - 45, hy + 138], [cx + 45, hy + 138], [cx, hy + 260]])], (225, 228, 232))
        cv2.rectangle(img, (cx - 30, hy + 70), (cx + 30, hy + 140), skin, -1)
        cv2.ellipse(img, (cx, hy), (75, 95), 0, 0, 360, skin, -1)
        cv2.ellipse(img, (cx, hy - 38), (80, 62), 0, 180, 360, (60, 45, 35), -1)
        for ex in (cx - 28, cx + 28):  # the eyes, blinking every 4.3 s
            cv2.ellipse(img, (ex, hy - 5), (8, 1 if (t % 4.3) < 0.15 else 6), 0, 0, 360, (40, 30, 28), -1)
        cv2.ellipse(img, (cx, hy + 50), (22, 3 + int(7 * abs(np.sin(9 * t)))), 0, 0, 360, (120, 60, 60), -1)
        cv2.fillPoly(img, [np.int32([[760, 540], [1180, 540], [1140, H], [800, H]])], (92, 62, 40))
        cv2.rectangle(img, (750, 528), (1190, 548), (112, 76, 50), -1)
        cv2.line(img, (900, 530), (cx + 120, hy + 150), (30, 30, 32), 5)
        lift = 0.8 + 0.7 * np.sin(0.9 * t) + 0.3 * np.sin(2.3 * t)  # the right forearm's angle from straight up
        hand = (cx + 200 + int(120 * np.sin(lift)), hy + 300 - int(120 * np.cos(lift)))
        cv2.line(img, (cx + 150, hy + 170), (cx + 200, hy + 300), jacket, 50)
        cv2.line(img, (cx + 200, hy + 300), hand, jacket, 44)
        cv2.circle(img, hand, 27, skin, -1)
        cv2.line(img, (cx - 150, hy + 170), (cx - 235, hy + 380), jacket, 50)
        return img

    def frame(self, t: float, shot: dict, key: str, lower_third: bool) -> np.ndarray:
        if shot["kind"] == "slide":
            img = self.slides[key].copy()
        else:
            img = self.wide(key, t) if shot["kind"] == "wide" else self.close(t)
            img = np.clip(img + self.noise[int(self.rng.integers(6))], 0, 255).astype(np.uint8)
        dt = t - shot["start"]
        shown = min(np.clip((dt - TITLE_IN) / 0.4, 0, 1), np.clip((TITLE_OUT - dt) / 0.4, 0, 1))
        if lower_third and shown > 0:
            blend(img, self.title, int(70 - (1 - shown) * 720), 560)
        blend(img, self.bug, W - 214, 24)
        return img


def scenery(rng) -> tuple[np.ndarray, np.ndarray]:
    """The hall without the slide (back wall, stage, the screen's frame in spill light, lectern, banner, dark
    floor for the audience), and the close-up's background (the stage out of focus, a green backdrop, lights)."""
    import cv2

    tex = independent_media_lecture.fractal((H, W), rng)[..., None]
    img = np.where(np.arange(H)[:, None, None] < 470, (22, 24, 34) + 15 * tex, (64, 46, 34) * (0.8 + 0.3 * tex))
    img[562:570], img[570:] = (90, 70, 50), (12, 12, 14)
    yy, xx = np.mgrid[0:H, 0:W]
    img += (np.exp(-(((xx - 885) / 420.0) ** 2 + ((yy - 260) / 260.0) ** 2)) * 30)[..., None]
    cv2.fillPoly(img, [np.int32(SCREEN + np.float32([[-10, -10], [10, -10], [10, 10], [-10, 10]]))], (70, 70, 76))
    cv2.fillPoly(img, [np.int32([[330, 440], [410, 440], [400, 560], [340, 560]])], (80, 55, 38))
    cv2.rectangle(img, (70, 150), (190, 470), (20, 70, 50), -1)
    cv2.circle(img, (130, 220), 34, YELLOW, -1)
    blur = (14, 16, 26) + (18, 18, 24) * tex[::-1, ::-1]
    cv2.rectangle(blur, (0, 120), (380, 620), (24, 80, 60), -1)
    for _ in range(26):
        colour = np.array((255, 190, 120) if rng.random() < 0.6 else (90, 140, 255)) * rng.uniform(0.25, 0.6)
        cv2.circle(blur, (int(rng.integers(0, W)), int(rng.integers(0, 420))), int(rng.integers(18, 60)),
                   tuple(colour.tolist()), -1)
    return tuple(np.clip(x, 0, 255).astype(np.uint8) for x in (img, cv2.GaussianBlur(blur, (0, 0), 18)))


def band(x: np.ndarray, low: float, high: float | None = None) -> np.ndarray:
    from scipy.signal import butter, sosfilt

    return sosfilt(butter(2, [low, high] if high else low, "band" if high else "high", fs=SR, output="sos"), x)


def reverb(x: np.ndarray, rng, wet: float = 0.45) -> np.ndarray:
    """`x` in a large hall: the dry sound plus a 1.8 s exponential tail (from 20 ms on), `wet` times as loud."""
    from scipy.signal import fftconvolve

    n = int(1.8 * SR)
    tail = rng.normal(0, 1, n) * np.exp(-np.arange(n) / (0.26 * SR)) * (np.arange(n) >= SR // 50)
    late = fftconvolve(x, tail)
    return (np.pad(x, (0, n - 1)) + wet * late * np.std(x) / np.std(late)).astype(np.float32)


def crowd(seconds: float, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Applause (~220 bright bursts a second from 8 kinds of hands, up in 0.3 s, dying over the last 1.4 s) and
    laughter (seven voices of breathy "ha"s), each at unit RMS, and a cough (two throaty bursts), unit peak."""
    from scipy.signal import fftconvolve

    n, t = int(seconds * SR), np.arange(int(seconds * SR)) / SR
    env = np.clip(t / 0.3, 0, 1) * np.clip((seconds - t) / 1.4, 0, 1)
    claps, laugh, m = np.zeros(n), np.zeros(n), int(0.12 * SR)
    for _ in range(8):
        train, at = np.zeros(n), rng.integers(0, n, int(28 * seconds))
        train[at] = rng.uniform(0.4, 1, at.size) * env[at]
        claps += fftconvolve(train, rng.normal(0, 1, 100) * np.exp(-np.arange(100) / 20))[:n]
    for _ in range(7):
        f0, period, at = rng.uniform(150, 330), rng.uniform(0.17, 0.24), rng.uniform(0.1, 0.9)
        for k in range(int(rng.integers(5, 13))):
            i = int((at + k * period) * SR)
            if i + m < n:
                phase = np.cumsum(np.full(m, f0 * (1 - 0.012 * k) / SR))
                laugh[i:i + m] += (2 * (phase % 1) - 1 + 0.4 * rng.normal(0, 1, m)) * np.hanning(m) * 0.93 ** k
    claps, laugh, c = band(claps, 700), band(laugh, 400, 2500), np.arange(int(0.45 * SR)) / SR
    cough = band(rng.normal(0, 1, c.size), 300, 2500) * (np.exp(-c / 0.06) + 0.6 * (c >= 0.2) * np.exp(4 - c / 0.05))
    return claps / np.std(claps), laugh / np.std(laugh), cough / np.abs(cough).max()


def sound(clips: list[list], slides: list[dict], duration: float, rng) -> np.ndarray:
    """The talk's mix: the voice in the hall, murmur, the coughs, the applause and laughter after the joke."""
    voiced = [(c, s[1]) for sounds, slide in zip(clips, slides) for c, s in zip(sounds, slide["sounds"])
              if c is not None]
    loud = 0.8 * np.std(np.concatenate([c for c, _ in voiced]))
    audio = independent_lecture.soundtrack([reverb(c, rng) for c, _ in voiced], [at - LEAD for _, at in voiced],
                                           duration, rng)
    claps, laugh, cough = crowd(APPLAUSE, rng)
    noises = {kind: at for slide in slides for kind, at, _ in slide["sounds"] if kind != "voice"}
    for x, at in [(0.8 * loud * claps + 0.5 * loud * laugh, noises["applause"])] + [
            (4.0 * loud * cough, at) for kind, at in noises.items() if kind.startswith("cough")]:
        i = int(at * SR)
        x = reverb(x, rng, 0.6)[:len(audio) - i]
        audio[i:i + len(x)] += x
    swell = np.interp(np.arange(audio.size), np.linspace(0, audio.size, 60), rng.uniform(0.5, 1.0, 60))
    murmur = band(rng.normal(0, 1, audio.size), 200, 1200) * swell
    audio += 0.06 * loud * murmur / np.std(murmur) + 0.002 * rng.normal(0, 1, audio.size)
    return audio * min(1.0, 0.95 / np.abs(audio).max())  # no clipping


def timeline(clips: list[list]) -> list[dict]:
    """Each slide's start, end, key and stretch, and its sounds' [voice / applause / cough, start, end] in s."""
    slides, t = [], 0.0
    for (key, stretch, _), sounds in zip(TALK, clips):
        at, placed = t + LEAD, []
        for clip in sounds:
            length = APPLAUSE if clip is None else len(clip) / SR
            placed.append(["voice" if clip is not None else "applause", round(at, 3), round(at + length, 3)])
            at += length + PAUSE
        if key in COUGHS:  # a cough in the hall, COUGHS[key] s into the slide
            placed.append([f"cough {key}", round(t + COUGHS[key], 3), round(t + COUGHS[key] + 0.45, 3)])
        slides.append({"start": round(t, 3), "end": round(at - PAUSE + GAP, 3), "key": key, "stretch": stretch,
                       "sounds": placed})
        t = slides[-1]["end"]
    return slides


def edit(slides: list[dict], duration: float) -> list[dict]:
    """The editor's cut list: a wide shot, then the close-up under the lower third (FIRST_CLOSE s), then shots
    of SHOT_MIN..SHOT_MAX s, each of another kind than the one before; a switch that would fall within CLEAR s
    of a slide change is moved CLEAR s after it."""
    rng = np.random.default_rng(5)
    shots, t, kind = [], 0.0, "wide"
    while duration - t > 1e-6:
        end = t + (FIRST_CLOSE if len(shots) == 1 else rng.uniform(SHOT_MIN, SHOT_MAX))
        for c in [s["start"] for s in slides[1:]]:
            end = c + CLEAR if abs(c - end) < CLEAR else end
        end = duration if duration - end < SHOT_MIN else end
        shots.append({"start": round(t, 3), "end": round(end, 3), "kind": kind})
        t = end
        kind = "close" if len(shots) == 1 else str(rng.choice([k for k in ("wide", "close", "slide") if k != kind]))
    return shots


def render(out: Path) -> dict:
    """Writes OUT/NAME, OUT/truth.json and OUT/frames/*.png (each shot's middle frame); returns the truth."""
    import av
    from PIL import Image

    rng = np.random.default_rng(47)
    parts = [[independent_lecture.speak(text, VOICE, RATE) for text in speech.split(" | ")] for *_, speech in TALK]
    clips = [[x for part in p for x in (None, part)][1:] for p in parts]  # None: the applause between two parts
    slides = timeline(clips)
    duration = slides[-1]["end"]
    shots, stage = edit(slides, duration), Stage(rng)
    first_close = next(i for i, s in enumerate(shots) if s["kind"] == "close")
    starts, shot_starts = [s["start"] for s in slides], [s["start"] for s in shots]
    (out / "frames").mkdir(exist_ok=True)
    with av.open(str(out / NAME), "w") as container:
        video, audio_stream = independent_lecture.streams(container, FPS)
        for f in range(int(duration * FPS)):
            t = f / FPS
            k = int(np.searchsorted(shot_starts, t, side="right")) - 1
            key = slides[int(np.searchsorted(starts, t, side="right")) - 1]["key"]
            frame = stage.frame(t, shots[k], key, k == first_close)
            if f == int((shots[k]["start"] + shots[k]["end"]) / 2 * FPS):
                Image.fromarray(frame).save(out / "frames" / f"{k:02d}_{shots[k]['kind']}_{key}.png")
            for packet in video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        independent_lecture.finish(container, video, audio_stream, sound(clips, slides, duration, rng))
    truth = truth_of(slides, shots, duration)
    (out / "truth.json").write_text(json.dumps(truth, indent=1))
    print(f"rendered {duration:.1f} s at {W}x{H}, {FPS} fps; {len(slides)} slides, {len(shots)} shots; "
          f"{len(truth['slide_cuts'])} slide changes seen, {len(truth['hidden_changes'])} during close-ups "
          f"{truth['hidden_changes']}; applause {truth['applause']}; coughs {truth['coughs']}; stretches: "
          + ", ".join(f"{n} {a:.1f}-{b:.1f}" for a, b, n in truth["stretches"]))
    return truth


def truth_of(slides: list[dict], shots: list[dict], duration: float) -> dict:
    first = {s["stretch"]: 0.0 if s["stretch"] == "intro" else s["sounds"][0][1] for s in reversed(slides)}
    first = dict(sorted(first.items(), key=lambda kv: kv[1]))  # each stretch's first word, in time order
    names = list(first)
    span = {n: (first[n], first[names[i + 1]] if i + 1 < len(names) else duration) for i, n in enumerate(names)}
    kind_at = {s["start"]: next(x["kind"] for x in reversed(shots) if x["start"] <= s["start"]) for s in slides[1:]}
    seen = [c for c, kind in kind_at.items() if kind != "close"]
    close = next(s["start"] for s in shots if s["kind"] == "close")
    (a, b), coughs = next(x[1:] for s in slides for x in s["sounds"] if x[0] == "applause"), [
        x[1] for s in slides for x in s["sounds"] if x[0].startswith("cough")]
    situations = {"lower third": [close + TITLE_IN] * 2 + [close + TITLE_OUT + 1.0], "applause": [a, a, b + 1.0]}
    situations.update({f"shot {i:02d} {s['kind']}": [s["start"]] * 2 + [s["end"]] for i, s in enumerate(shots)})
    return {"slides": slides, "shots": shots, "duration": duration, "shot_switches": [s["start"] for s in shots[1:]],
            "slide_cuts": seen, "cuts": sorted([s["start"] for s in shots[1:]] + seen),
            "hidden_changes": [c for c in kind_at if c not in seen], "situations": situations,
            "stretches": [[*span[n], n] for n in names], "topic_edges": [span[n][0] for n in names[1:]],
            "applause": [a, b], "coughs": coughs, "queries": [[q, *span[topic], kind] for q, topic, kind in QUERIES]}


def overlap(a: float, b: float, start: float, end: float) -> float:
    return max(0.0, min(b, end) - max(a, start))


def report_topics(rec, diag: dict, truth: dict) -> None:
    """Per stretch: its shots, visual segments and sections; per shot: the OCR text read over it."""
    for a, b, name in truth["stretches"]:
        shots = [s for s in truth["shots"] if overlap(s["start"], s["end"], a, b) > 1.0]
        segs = [e - s for s, e in rec.visual_segments if overlap(s, e, a, b) > 1.0]
        secs = [(round(s, 1), round(e, 1)) for s, e in rec.sections if overlap(s, e, a, b) > 1.0]
        print(f"{name} {a:.1f}-{b:.1f} ({b - a:.0f} s): {len(shots)} shots, {len(segs)} visual segments (median "
              f"{np.median(segs) if segs else 0:.1f} s), {len(secs)} sections {secs}")
        for s in shots:
            texts = sorted({o[2][:40] for o in diag["ocr"] if overlap(o[0], o[1], s["start"], s["end"]) > 1.0})
            print(f"    {s['kind']:5s} {s['start']:6.1f}-{s['end']:6.1f} ocr {texts}")


def report_slides(diag: dict, truth: dict) -> None:
    """Per slide: seconds on screen per shot kind, and seconds (and close-up seconds) covered by OCR entries
    that read it (two of its words of 4+ characters; entries do not overlap, so their overlaps add up)."""
    for s in truth["slides"]:
        a, b = s["start"], s["end"]
        words = set(re.findall(r"[a-z0-9]{4,}", " ".join([SLIDES[s["key"]][0], *SLIDES[s["key"]][1]]).lower()))
        spans = [(o[0], o[1]) for o in diag["ocr"] if sum(w in o[2].lower() for w in words) >= min(2, len(words))]
        seen = {k: sum(overlap(x["start"], x["end"], a, b) for x in truth["shots"] if x["kind"] == k)
                for k in ("wide", "slide", "close")}
        hidden = sum(overlap(o, e, max(a, x["start"]), min(b, x["end"])) for o, e in spans for x in truth["shots"]
                     if x["kind"] == "close")
        read = sum(overlap(o, e, a, b) for o, e in spans)
        print(f"slide {s['key']:10s} {a:6.1f}-{b:6.1f}: wide {seen['wide']:3.0f} s, full {seen['slide']:3.0f} s, "
              f"close-up {seen['close']:3.0f} s; OCR entries reading it cover {read:3.0f} s of {b - a:3.0f} s, "
              f"{hidden:3.0f} s of its close-up time")


def report_spans(diag: dict, truth: dict) -> None:
    """Each top result's length against its topic's, whether most of it lies in its topic, the shots it spans."""
    tops, topics, single, inside = [], [], 0, 0
    for q in (q for q in diag["queries"] if q["results"]):
        m, (a, b) = q["results"][0], q["truth"]
        shots = [s["kind"] for s in truth["shots"] if overlap(s["start"], s["end"], m["start"], m["end"]) > 0.5]
        tops, topics, single = tops + [m["end"] - m["start"]], topics + [b - a], single + (len(shots) == 1)
        inside += (within := overlap(m["start"], m["end"], a, b) >= 0.5 * tops[-1])
        print(f"top {m['start']:6.1f}-{m['end']:6.1f} ({tops[-1]:5.1f} s) {'in' if within else 'NOT IN'} topic "
              f"{a:6.1f}-{b:6.1f} ({b - a:5.1f} s), over {len(shots)} shots {shots} | {q['query']}")
    print(f"median top result {np.median(tops):.1f} s vs median topic {np.median(topics):.1f} s; {single}/{len(tops)} "
          f"top results inside one shot; {inside}/{len(tops)} mostly inside their topic")


def evaluate(out: Path, truth: dict, reuse: bool) -> None:
    """The cuts (all, then per kind with the other kind optional) and the topic edges; the reports; the queries."""
    from momentsearch.evaluate import boundary_scores, detected_boundaries
    from momentsearch.transcript import decode_times

    index = independent_code_lecture.indexed(out, NAME, reuse)
    rec = index.videos()[0]
    independent_media_lecture.score_cuts(rec, index, truth)
    cuts = detected_boundaries(index)[rec.path]
    for label, mine, other in (("shot switches", truth["shot_switches"], truth["slide_cuts"]),
                               ("slide changes seen", truth["slide_cuts"], truth["shot_switches"])):
        sc = boundary_scores(cuts, mine, optional=other)
        print(f"picture cuts vs {label} ({len(mine)}; the other kind optional): P {sc.precision:.2f} "
              f"R {sc.recall:.2f} F1 {sc.f1:.2f} at +-1 s")
    sc = boundary_scores([float(a) for a, _ in rec.sections[1:]], truth["topic_edges"])
    print(f"section edges vs topic edges only {[round(x, 1) for x in truth['topic_edges']]}: P {sc.precision:.2f} "
          f"R {sc.recall:.2f} F1 {sc.f1:.2f} at +-1 s; {len(rec.visual_segments)} visual segments, "
          f"{len(rec.sections)} sections, {len(cuts)} picture cuts")
    diag = {"shots": truth["shots"], **independent_code_lecture.diagnostics(index, rec)}
    report_topics(rec, diag, truth)
    report_slides(diag, truth)
    a, b = truth["applause"]
    for c in index.speech_in(rec.path, a - 1.0, b + 1.0):
        words = [f"{w}@{s:.1f}" for w, (s, _) in zip(c.text.split(), decode_times(c.start, c.word_times, c.text))
                 if a - 0.3 <= s <= b + 0.3]
        print(f"applause {a:.1f}-{b:.1f}: chunk {c.start:.1f}-{c.end:.1f}, words timed in it {words}: {c.text[:220]!r}")
    independent_code_lecture.run_queries(index, truth["queries"], diag)
    report_spans(diag, truth)
    (out / "diagnostics.json").write_text(json.dumps(diag, indent=1, default=str))


def main() -> int:
    return independent_code_lecture.run_probe(__doc__, "/tmp/conftalk", render, evaluate)


if __name__ == "__main__":
    sys.exit(main())
