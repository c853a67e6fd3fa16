#!/usr/bin/env python3
"""A PRODUCED online-course video (Coursera / edX style, as a learner downloads it) rendered without
momentsearch.testing, indexed and searched: a check on a kind of real recording nothing was tuned on. 1280x720
at 10 fps, ~5 min: "Kitchen Chemistry: The Science of Everyday Food", Week 3 · Lesson 2, "Why Bread Rises"
(flour and gluten; yeast and fermentation; oven spring and browning), one voice no other script uses (espeak-ng
en-us-nyc+m2 at 155 wpm), clean studio sound, a synthesised music bed (a C-G-Am-F loop at 96 bpm: pad, bass,
kick, hi-hat, arpeggio) under the voice throughout at -21 dB, loud where nobody speaks. The edit:
  intro  7 s: a logo flies in over a drifting gradient with rising sparks; title 5 s: "Week 3 · Lesson 2: ..."
  head   the lecturer (a drawn figure: blinking, mouth moving with the voice, gesturing) before a branded backdrop
  full   a slide full frame, the voice over it; pip: the lecturer keyed into the slide's bottom-right corner
         (green-screen look: cut out, a green fringe, moving); twice full <-> pip while the slide stays
  card   2.6 s chapter cards ("PART 2" / "Yeast at Work" sliding in) with a whoosh and a music swell
  quiz   "Quick check": the voice reads the question, 5 s of music and a countdown ring, the answer revealed
  outro  11 s: credits roll up (names, "Produced by ...", the university) over music.
ONE deck template no other probe uses: a warm off-white page, a terracotta title band with a white condensed
serif title, a mustard rule, mustard rounded-square bullets in condensed sans, drawings on full-frame slides.

Decisions, fixed before any result was seen. A true cut (+-1 s) is every change of what the picture is: a new slide
(in either layout), every switch between the talking head and a slide layout, and every cut to or from a chapter
card, the intro, the title card, the quiz card and the outro. Optional (neither hit nor false alarm): a switch
between full and pip while the slide stays (the lecturer appears in / leaves the corner), and the quiz's answer
reveal. The figure's motion, the logo's flight, the sparks, the countdown ring and the credits' roll are no cuts: a
detection over 1 s from every true and optional cut is a false alarm, put down to the situation whose window (its
start - 1 s to its end) holds it. Stretches: intro, title, welcome, part 1..3 (from their chapter card to the next
card, the quiz or the closing), quiz, closing, outro. Query truth: a slide's query has the slide's time on screen
(its first showing, both layouts), a talking-head query its shot; "chapter" queries (a card's title, written only
there) have the whole part as truth (a student typing a chapter's name wants the chapter; where the top result
starts is printed too); "student" queries: "the quiz question" has the quiz card's span, "who made this video, the
credits" the outro. shown = words only on the screen, never spoken (checked when rendering); said = words spoken;
concept = a paraphrase. The 18 queries were written with the material, before the first run, and not changed after.

    python3 scripts/independent_mooc_video.py [--out /tmp/mooc] [--reuse]

Prints cuts and section edges against the truth, per stretch its shots' OCR text, segments and sections, per
music-only window the transcript there, the queries' hits; writes OUT/diagnostics.json. Deterministic.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
import independent_code_lecture  # noqa: E402 (its index, query report and command line)
import independent_conference_talk  # noqa: E402 (its per-stretch report)
import independent_lecture  # noqa: E402 (its espeak-ng reader and encoder)
import independent_media_lecture  # noqa: E402 (its line wrapping and situations)

W, H, FPS, SR = 1280, 720, 10, 16000
VOICE, RATE = "en-us-nyc+m2", 155
LEAD, GAP = 0.6, 1.2  # seconds: from a shot's start to its first word; after its last word
INTRO, TITLE, CARD, THINK, OUTRO = 7.0, 5.0, 2.6, 5.0, 11.0  # seconds
BED, LOUD, STING, THINKING = 0.09, 0.8, 0.35, 0.6  # the music's RMS over the voice's: under speech, alone, ...
NAME = "kitchen-chemistry_w3-l2_why-bread-rises_720p.mp4"
FONT = "/usr/share/fonts/truetype/dejavu/{}.ttf"
TERRA, MUSTARD, PAGE, BROWN, CHOC = (176, 74, 40), (232, 172, 46), (252, 248, 240), (66, 44, 34), (48, 32, 26)
WHITE, GREEN, BOX, DIM = (255, 255, 255), (46, 140, 84), (86, 62, 50), (62, 46, 40)
FIG_W, FIG_H = 560, 640  # the lecturer's canvas

SLIDES = {  # key: (title, bullets, drawing)
    "flour": ("What Is in Flour?", ["Starch: about 70 % of the weight", "Two proteins: glutenin and gliadin",
              "Milling damages some starch granules"], "pie"),
    "gluten": ("Building the Gluten Network", ["Water unlocks the proteins", "Kneading aligns long chains",
               "Windowpane test: thin enough to see light"], None),
    "autolyse": ("A Shortcut: Autolyse", ["Mix flour and water only", "Rest for 20 to 60 minutes",
                 "Add salt and yeast afterwards"], None),
    "yeast": ("Meet the Yeast", ["Saccharomyces cerevisiae", "A single-celled fungus", "Reproduces by budding"], None),
    "ferment": ("Fermentation", ["C6H12O6 → 2 C2H5OH + 2 CO2", "Bubbles trapped in the gluten net",
                "The alcohol evaporates in the oven"], None),
    "temp": ("Temperature Sets the Pace", [], "chart"),
    "spring": ("Oven Spring", ["The last rise, in the first 10 minutes", "Yeast dies at about 60 °C",
               "Steam keeps the surface soft"], None),
    "maillard": ("Browning the Crust", ["The Maillard reaction", "Sugars + amino acids above 140 °C",
                 "Hundreds of aroma compounds"], "loaf")}
CARDS = {"card 1": ("PART 1", "Flour, Water and Gluten"), "card 2": ("PART 2", "Yeast at Work"),
         "card 3": ("PART 3", "Heat and the Crust")}
QUIZ = ("Which of these makes dough rise fastest?", ["Leaving it in the fridge overnight",
        "A warm spot at about 27 °C", "Adding twice the salt", "Using bread flour instead of plain flour"], 1)
CREDITS = ("*KITCHEN CHEMISTRY|The Science of Everyday Food|Week 3 · Lesson 2: Why Bread Rises||Presented by|"
           "+Dr. Daniel Ferreira|Lesson design|+Amira Haddad|Camera and lighting|+Jonas Lindqvist|Motion graphics|"
           "+Keiko Tanaka|Original music|+Tomasz Wrona||Produced by the Northfield Digital Learning Studio|"
           "© 2026 Northfield University").split("|")  # *: heading, +: a name
TALK = """
intro,intro,intro:
title,title,title:
head,welcome,welcome: Hello, and welcome back to Kitchen Chemistry. I'm Daniel Ferreira. Last week we saw why eggs set
  and sauces thicken when they are heated. This week we turn to one of the oldest foods there is. In this lesson we will
  find out what actually happens inside a lump of dough as it turns into a light, airy loaf with a golden crust.
card,card 1,part 1:
full,flour,part 1: Let's start with the raw material. Flour is mostly starch, packed into tiny hard granules, with a
  smaller share of protein. Two of those proteins matter more than anything else to a baker. On their own they do very
  little, but as soon as water arrives they begin to link up with each other.
pip,gluten,part 1: When you knead, you stretch and fold those proteins again and again, until they line up into long
  elastic strands. Together they form a kind of net that runs through the whole dough.
full,gluten,part 1: Bakers check it with a simple trick. Pull a small piece very thin between your fingers. If it
  stretches until light shines through it without tearing, the net is ready.
pip,autolyse,part 1: Here is a shortcut that saves a lot of effort. Mix only the flour and the water, then leave the
  bowl alone for half an hour. Enzymes in the flour begin the work, and the net starts to form without any kneading at
  all.
card,card 2,part 2:
head,starter,part 2: Now, a confession. I have kept the same sourdough starter alive in my kitchen for eleven years. I
  feed it flour and water twice a week, and it has travelled with me across three countries in a jam jar. It is alive,
  and that is the key to the next part of the story.
full,yeast,part 2: Baker's yeast is a single celled fungus. Each cell is only a few thousandths of a millimetre across,
  and it multiplies by growing a small bud that later splits off. One little packet from the supermarket holds
  billions of them, asleep until they get water and food.
pip,ferment,part 2: Inside the dough, the yeast feeds on simple sugars that enzymes cut from the starch. It gives off
  carbon dioxide and a little alcohol. The gas cannot escape through the gluten net, so it collects in thousands of
  tiny bubbles, and the dough slowly swells.
full,temp,part 2: How fast all this happens depends very strongly on temperature. Look at how long the same dough needs
  to double in size.
pip,temp,part 2: In a cool kitchen it can take most of a morning, in a warm one barely more than an hour. Many bakers
  choose the slow route on purpose, because a long, cool rise gives the bread far more flavour.
quiz,quiz,quiz: Quick check. Which of these would make your dough rise the fastest? Have a think before the answer
  appears. | The answer is B. Warmth speeds the yeast up, while cold and extra salt both slow it down. The type of
  flour changes the texture, not the speed.
card,card 3,part 3:
pip,spring,part 3: Into the oven. In the first ten minutes in a hot oven the loaf grows once more. The trapped gas
  expands in the heat, and the yeast has one last burst of activity before it dies at around sixty degrees. Bakers
  call this the oven spring.
full,maillard,part 3: Once the surface dries out and passes about one hundred and forty degrees, sugars and proteins
  start to react with each other. This creates hundreds of new flavour molecules and the brown colour we all love. The
  very same chemistry browns a steak or roasts coffee beans.
head,closing,closing: So, to sum up. Flour gives us the proteins for the net, yeast fills that net with gas, and the
  oven sets the structure and browns the outside. In the next lesson we will bake a loaf together, step by step.
  Thanks for watching, and see you then.
outro,outro,outro:
"""  # one shot a line ("kind,key,stretch: speech"; indented lines go on); in the quiz " | " parts question and answer
SHOTS = [(*head.split(","), " ".join(text.split())) for head, _, text in
         (block.partition(":") for block in re.split(r"\n(?=\S)", TALK.strip()))]
QUERIES = [  # (query, target: a slide / shot key or a stretch, type); written before the first run, not changed
    ("what milled grain is made of", "flour", "concept"), ("glutenin and gliadin", "flour", "shown"),
    ("pull a small piece very thin between your fingers", "gluten", "said"),
    ("leave the bowl alone for half an hour", "autolyse", "said"), ("Yeast at Work", "part 2", "chapter"),
    ("travelled with me across three countries", "starter", "said"), ("Saccharomyces cerevisiae", "yeast", "shown"),
    ("microorganisms turning sugar into gas that inflates the dough", "ferment", "concept"),
    ("proofing time vs dough temperature", "temp", "shown"), ("the quiz question", "quiz", "student"),
    ("why letting dough ferment slowly develops more taste", "temp", "concept"), ("Heat and the Crust", "part 3",
     "chapter"), ("bread flour instead of plain flour", "quiz", "shown"), ("we will bake a loaf together", "closing",
     "said"), ("one last burst of activity before it dies", "spring", "said"),
    ("why the outside of bread ends up darker and tastier than the inside", "maillard", "concept"),
    ("camera and lighting Jonas Lindqvist", "outro", "shown"), ("who made this video, the credits", "outro", "student")]


@functools.lru_cache(maxsize=1)
def fonts() -> dict:
    from PIL import ImageFont

    spec = {"title": ("SerifCondensed-Bold", 54), "body": ("SansCondensed", 38), "small": ("SansCondensed", 20),
            "big": ("SerifCondensed-Bold", 84), "part": ("SansCondensed-Bold", 40), "quiz": ("Sans-Bold", 44),
            "option": ("SansCondensed", 31), "label": ("SansCondensed", 24), "chart": ("SansCondensed-Bold", 30),
            "name": ("SerifCondensed", 40), "role": ("SansCondensed", 26), "head": ("Sans-Bold", 50),
            "mark": ("Sans-Bold", 46)}
    return {k: ImageFont.truetype(FONT.format("DejaVu" + name), px) for k, (name, px) in spec.items()}


def ease(p: float) -> float:
    return 1 - (1 - min(max(p, 0.0), 1.0)) ** 3


def paste(frame: np.ndarray, rgba: np.ndarray, x: int, y: int) -> None:
    """`rgba` alpha-blended onto `frame` (in place) with its top left at (x, y), clipped to the frame."""
    h, w = rgba.shape[:2]
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, frame.shape[1]), min(y + h, frame.shape[0])
    if x0 < x1 and y0 < y1:
        src = rgba[y0 - y:y1 - y, x0 - x:x1 - x].astype(np.float32)
        a = src[..., 3:4] / 255
        frame[y0:y1, x0:x1] = (src[..., :3] * a + frame[y0:y1, x0:x1] * (1 - a)).astype(np.uint8)


def canvas(size, colour):
    from PIL import Image, ImageDraw

    im = Image.new("RGBA" if len(colour) == 4 else "RGB", size, colour)
    return im, ImageDraw.Draw(im)


def logo(ink=WHITE) -> np.ndarray:
    """The course logo (RGBA 760x180): a flask with bubbles in a mustard disc, the wordmark and university."""
    im, d = canvas((760, 180), (0, 0, 0, 0))
    d.ellipse([0, 0, 180, 180], fill=MUSTARD)
    d.rectangle([76, 28, 104, 90], fill=WHITE)
    d.ellipse([42, 70, 138, 160], fill=WHITE)
    for x, y, r in ((80, 120, 10), (106, 102, 7), (98, 140, 6)):
        d.ellipse([x - r, y - r, x + r, y + r], fill=TERRA)
    d.multiline_text((206, 46), "KITCHEN CHEMISTRY\n Northfield University", font=fonts()["mark"], fill=ink, spacing=14)
    return np.asarray(im).copy()


def drawing(d, kind: str, f) -> None:
    """A slide's drawing at the right (the chart: its body): a pie chart of flour, a bar chart, a loaf's section."""
    if kind == "pie":
        at = -90.0
        for k, (share, colour, name) in enumerate(((70, MUSTARD, "starch"), (14, (120, 170, 210), "water"),
                                                   (12, TERRA, "protein"), (4, (170, 160, 150), "other"))):
            d.pieslice([860, 200, 1160, 500], at, at + 3.6 * share, fill=colour, outline=PAGE, width=3)
            d.text((850 + 180 * (k % 2), 540 + 40 * (k // 2)), f"{name} {share} %", font=f["label"], fill=BROWN)
            at += 3.6 * share
    elif kind == "chart":
        d.text((100, 168), "Proofing time vs dough temperature", font=f["chart"], fill=BROWN)
        d.line([140, 610, 860, 610], fill=BROWN, width=3)
        for k, (temp, hours) in enumerate((("18 °C", 6.0), ("21 °C", 4.0), ("24 °C", 2.5), ("27 °C", 1.5))):
            x = 190 + 170 * k
            d.rectangle([x, 610 - 60 * hours, x + 110, 610], fill=TERRA if k < 3 else MUSTARD)
            d.text((x + 55, 600 - 60 * hours), f"{hours:g} h", font=f["label"], fill=BROWN, anchor="mb")
            d.text((x + 55, 622), temp, font=f["label"], fill=BROWN, anchor="mt")
    elif kind == "loaf":
        d.chord([840, 220, 1220, 600], 180, 360, fill=(150, 82, 36))
        d.chord([862, 242, 1198, 578], 180, 360, fill=(240, 220, 180))
        d.text((850, 440), "crust 150-180 °C\ncrumb 98 °C", font=f["label"], fill=BROWN, spacing=12)


def slide_image(key: str) -> np.ndarray:
    """The deck's template: a warm off-white page, a terracotta band with the title in white condensed serif,
    a mustard rule, mustard rounded-square bullets in condensed sans wrapped within 760 px (the corner where
    the pip lecturer stands stays free), a footer with the course and the page number; a drawing at right."""
    (title, bullets, kind), f = SLIDES[key], fonts()
    im, d = canvas((W, H), PAGE)
    d.rectangle([0, 0, W, 124], fill=TERRA)
    d.rectangle([0, 124, W, 131], fill=MUSTARD)
    d.text((80, 64), title, font=f["title"], fill=WHITE, anchor="lm")
    d.ellipse([1184, 36, 1240, 92], fill=MUSTARD)
    y = 190
    for text in bullets:
        d.rounded_rectangle([90, y + 14, 110, y + 34], 5, fill=MUSTARD)
        for line in independent_media_lecture.wrap(text, f["body"], 660 if kind else 760):
            d.text((130, y), line, font=f["body"], fill=BROWN)
            y += 48
        y += 36
    d.text((80, 684), "Kitchen Chemistry  ·  Week 3  ·  Lesson 2", font=f["small"], fill=(150, 120, 100))
    d.text((W - 80, 684), str(list(SLIDES).index(key) + 2), font=f["small"], fill=(150, 120, 100), anchor="ra")
    if kind:
        drawing(d, kind, f)
    return np.asarray(im).copy()


def stills() -> dict:
    """The title card, the chapter cards' page and title layers, the credits strip and the quiz card."""
    from PIL import Image

    f, out = fonts(), {}
    im, d = canvas((W, H), PAGE)
    d.rectangle([0, 0, 36, H], fill=TERRA)
    d.text((120, 200), "Week 3 · Lesson 2:", font=f["part"], fill=TERRA)
    d.text((116, 256), "Why Bread Rises", font=f["big"], fill=BROWN)
    d.rectangle([120, 395, 420, 403], fill=MUSTARD)
    d.text((120, 440), "KITCHEN CHEMISTRY: THE SCIENCE OF EVERYDAY FOOD", font=f["label"], fill=(120, 96, 80))
    out["title"] = np.asarray(im).copy()
    paste(out["title"], logo(BROWN)[::2, ::2], 840, 600)
    yy, xx = np.mgrid[0:H, 0:W]
    out["card page"] = (np.array(TERRA) * (1 - 0.06 * (((xx + yy) // 48) % 2))[..., None]).astype(np.uint8)
    for key, (part, title) in CARDS.items():
        im, d = canvas((1140, 240), (0, 0, 0, 0))
        d.text((0, 0), part, font=f["part"], fill=MUSTARD)
        d.text((0, 70), title, font=f["big"], fill=WHITE)
        out[key] = np.asarray(im).copy()
    step = {"*": 70, "+": 78, "": 44}
    im, d = canvas((1100, sum(step.get(c[:1], 44) for c in CREDITS) + 260), (0, 0, 0, 0))
    y = 0
    for line in CREDITS:
        mark = line[:1] if line[:1] in "*+" and line else ""
        font, colour = {"*": ("head", MUSTARD), "+": ("name", WHITE), "": ("role", (214, 196, 180))}[mark]
        d.text((550, y), line.lstrip("*+"), font=f[font], fill=colour, anchor="mt")
        y += step[mark]
    im.alpha_composite(Image.fromarray(logo()), (170, y + 60))
    out["credits"] = np.asarray(im).copy()
    question, options, answer = QUIZ
    for reveal in (False, True):  # the quiz card: the question, then the answer revealed
        im, d = canvas((W, H), CHOC)
        d.rounded_rectangle([80, 50, 330, 106], 12, fill=MUSTARD)
        d.text((205, 78), "Quick check", font=f["part"], fill=CHOC, anchor="mm")
        d.text((80, 150), question, font=f["quiz"], fill=WHITE)
        for k, option in enumerate(options):
            x, y, right = 80 + 570 * (k % 2), 290 + 160 * (k // 2), reveal and k == answer
            lit = right or not reveal
            d.rounded_rectangle([x, y, x + 540, y + 130], 16, fill=GREEN if right else BOX if lit else DIM)
            d.ellipse([x + 20, y + 35, x + 80, y + 95], fill=MUSTARD if lit else (110, 96, 80))
            d.text((x + 50, y + 65), "ABCD"[k], font=f["part"], fill=CHOC, anchor="mm")
            for i, line in enumerate(independent_media_lecture.wrap(option, f["option"], 400)):
                d.text((x + 100, y + 28 + 38 * i), line, font=f["option"], fill=WHITE if lit else (170, 150, 140))
            if right:
                d.line([(x + 478, y + 66), (x + 498, y + 90), (x + 528, y + 40)], fill=WHITE, width=8)
        if reveal:
            d.text((80, 630), "Answer: B. Warmth speeds up the yeast.", font=f["option"], fill=MUSTARD)
        out[f"quiz {reveal}"] = np.asarray(im).copy()
    return out


def figure(t: float, mouth: float, scale: float, fringe: bool) -> np.ndarray:
    """The lecturer at t (RGBA, FIG_W x FIG_H times `scale`): sways, nods, blinks, gestures with the right hand;
    the mouth opens with the voice (`mouth` 0..1); `fringe`: a green-screen key's look (green spill on a rim)."""
    import cv2

    rgb, matte = np.zeros((FIG_H, FIG_W, 3), np.uint8), np.zeros((FIG_H, FIG_W), np.uint8)
    bx = int(280 + 6 * np.sin(0.7 * t))
    hx, hy = int(bx + 6 * np.sin(1.1 * t) + 3 * np.sin(2.7 * t)), int(200 + 3 * np.sin(1.9 * t))
    blazer, skin, hair, dark = (54, 62, 96), (200, 152, 120), (46, 34, 28), (36, 32, 36)
    lift = 0.5 + (0.6 + 0.4 * np.sin(0.9 * t) + 0.3 * np.sin(2.3 * t)) * (0.3 + 0.7 * (np.sin(0.31 * t) > -0.3))
    ex, ey = bx + 170, 560
    hand = (int(ex - 120 * np.sin(lift)), int(ey - 108 * np.cos(lift)))
    for im, c in ((rgb, None), (matte, 255)):
        cv2.ellipse(im, (bx, 372), (165, 62), 0, 180, 360, c or blazer, -1)
        cv2.fillPoly(im, [np.array([[bx - 165, 370], [bx + 165, 370], [bx + 205, FIG_H], [bx - 205, FIG_H]])],
                     c or blazer)
        cv2.rectangle(im, ((bx + hx) // 2 - 26, hy + 50), ((bx + hx) // 2 + 26, 336), c or skin, -1)
        for ax, ay, rx, ry in ((hx - 62, hy + 4, 12, 20), (hx + 62, hy + 4, 12, 20), (hx, hy, 62, 80)):
            cv2.ellipse(im, (ax, ay), (rx, ry), 0, 0, 360, c or skin, -1)
        cv2.ellipse(im, (hx, hy - 28), (68, 60), 0, 180, 360, c or hair, -1)
        cv2.line(im, (bx + 150, 400), (ex, ey), c or blazer, 48)
        cv2.line(im, (ex, ey), hand, c or blazer, 42)
        cv2.circle(im, hand, 24, c or skin, -1)
    cv2.fillPoly(rgb, [np.array([[bx - 42, 322], [bx + 42, 322], [bx, 430]])], (236, 232, 224))
    for sx in (-24, 24):
        cv2.circle(rgb, (hx + sx, hy - 6), 6 if (t % 4.3) > 0.15 else 2, dark, -1)  # blinking
        cv2.circle(rgb, (hx + sx, hy - 6), 18, dark, 3)
    cv2.line(rgb, (hx - 6, hy - 6), (hx + 6, hy - 6), dark, 3)
    cv2.ellipse(rgb, (hx, hy + 44), (20, 2 + int(13 * mouth)), 0, 0, 360, (120, 42, 44), -1)
    size = (int(FIG_W * scale), int(FIG_H * scale))
    rgb, matte = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), cv2.resize(matte, size)
    if fringe:
        grown = cv2.dilate(matte, np.ones((7, 7), np.uint8))
        rim = (grown > 0) & (matte < 128)
        rgb[rim] = (0.5 * rgb[rim] + 0.5 * np.array((70, 190, 90))).astype(np.uint8)
        matte = cv2.GaussianBlur(grown, (0, 0), 1.2)
    return np.dstack([rgb, matte])


class Art:
    """Every picture of the video; `frame(shot, t, mouth)` is the frame at t."""

    def __init__(self, rng):
        import cv2

        self.static, self.slides = stills(), {k: slide_image(k) for k in SLIDES}
        yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
        self.u, self.v, self.logo, self.sparks = xx / W - 0.5, yy / H - 0.5, logo(), rng.uniform(0, 1, (50, 4))
        top, bottom = np.array((26, 66, 74.0)), np.array((12, 30, 36.0))
        studio = (top + (bottom - top) * np.linspace(0, 1, H)[:, None, None] + np.zeros((H, W, 1))).astype(np.uint8)
        for x, y, r in rng.uniform(0, 1, (16, 3)):
            cv2.circle(studio, (int(x * W), int(y * H * 0.7)), int(20 + 40 * r), (60, 110, 120), -1)
        paste(studio, (self.logo * np.array([1, 1, 1, 0.35])).astype(np.uint8), 560, 150)
        self.studio = cv2.GaussianBlur(studio, (0, 0), 3)
        self.noise = rng.normal(0, 2.0, (4, H, W, 3)).astype(np.int16)

    def frame(self, shot: dict, t: float, mouth: float) -> np.ndarray:
        import cv2

        kind, key, u = shot["kind"], shot["key"], t - shot["start"]
        if kind == "intro":  # the gradient turns, sparks rise, the logo flies in and grows
            w = np.clip(0.5 + np.cos(0.6 + 0.25 * t) * self.u + np.sin(0.6 + 0.25 * t) * self.v, 0, 1)[..., None]
            frame = (np.array(TERRA) * (1 - w) + np.array((110, 40, 70)) * w).astype(np.uint8)
            for x, y, s, v in self.sparks:
                cv2.circle(frame, (int(x * W), int((y - 0.06 * (1 + v) * t) % 1 * H)), int(2 + 4 * s), (250, 200, 150),
                           -1)
            mark = cv2.resize(self.logo, None, fx=0.45 + 0.55 * ease(t / 2.2), fy=0.45 + 0.55 * ease(t / 2.2))
            paste(frame, mark, int(-mark.shape[1] + ease(t / 2.2) * (260 + mark.shape[1])), (H - mark.shape[0]) // 2)
        elif kind == "card":
            frame = self.static["card page"].copy()
            paste(frame, self.static[key], int(140 + 600 * (1 - ease(u / 0.45))), 220)
            frame[408:416, 144:144 + int(380 * ease(u / 0.6))] = MUSTARD
        elif kind == "quiz":
            a, b = shot["think"]
            frame = self.static[f"quiz {t >= b}"].copy()
            if a <= t < b:  # the countdown ring
                cv2.circle(frame, (1160, 80), 44, (86, 62, 50), 8)
                cv2.ellipse(frame, (1160, 80), (44, 44), -90, 0, 360 * (b - t) / THINK, MUSTARD, 8)
                cv2.putText(frame, str(int(np.ceil(b - t))), (1146, 96), cv2.FONT_HERSHEY_SIMPLEX, 1.3, WHITE, 3)
        elif kind == "outro":  # the credits roll until the logo is near the middle, then hold
            strip, frame = self.static["credits"], np.zeros((H, W, 3), np.uint8) + np.array((30, 22, 18), np.uint8)
            stop = H // 2 - strip.shape[0] + 150
            paste(frame, strip, (W - strip.shape[1]) // 2, int(max(stop, H - (H - stop) * u / (OUTRO - 1.5))))
        elif kind in ("title", "full"):
            frame = self.static["title"] if kind == "title" else self.slides[key]
        elif kind == "pip":
            frame = self.slides[key].copy()
            paste(frame, figure(t, mouth, 0.62, True), W - int(FIG_W * 0.62) + 30, H - int(FIG_H * 0.62))
        else:
            frame = self.studio.copy()
            paste(frame, figure(t, mouth, 1.1, False), 250, H - int(FIG_H * 1.1))
            frame = np.clip(frame + self.noise[int(t * FPS) % 4], 0, 255).astype(np.uint8)
        return frame


def music_loop() -> np.ndarray:
    """Ten seconds (4 bars at 96 bpm) to loop: pad chords C-G-Am-F, bass, kick, off-beat hi-hat, arpeggio; unit RMS."""
    beat, rng = 60 / 96, np.random.default_rng(3)
    out = np.zeros(int(16 * beat * SR))

    def note(m, at, length, decay, harmonics=(1, 0.3, 0.15), amp=1.0, attack=0.01):
        i, tt = int(at * SR), np.arange(int(length * SR)) / SR
        wave = sum(h * np.sin(2 * np.pi * 440 * 2 ** ((m - 69) / 12) * k * tt) for k, h in enumerate(harmonics, 1))
        part = amp * np.minimum(tt / attack, 1) * np.exp(-tt / decay) * wave
        out[i:i + len(part)] += part[:out.size - i]
    for bar, chord in enumerate([(60, 64, 67), (55, 59, 62), (57, 60, 64), (53, 57, 60)]):
        b0 = bar * 4 * beat
        for m in chord:
            note(m, b0, 4 * beat, 3.0, amp=0.3, attack=0.3)
        for k in range(8):
            note(chord[k % 3] + 12, b0 + k * beat / 2, beat / 2, 0.12, (1, 0.2, 0.1), 0.22)
            if k % 4 == 0:
                note(chord[0] - 24, b0 + k * beat / 2, 1.5 * beat, 0.35, (1, 0.5), 0.9)
        for k in range(4):
            i, tt = int((b0 + k * beat) * SR), np.arange(int(0.2 * SR)) / SR
            out[i:i + tt.size] += np.sin(2 * np.pi * np.cumsum(45 + 80 * np.exp(-tt / 0.03)) / SR) * np.exp(-tt / 0.07)
            j, m = int((b0 + (k + 0.5) * beat) * SR), int(0.05 * SR)
            out[j:j + m] += 0.3 * np.diff(rng.normal(0, 1, m + 1)) * np.exp(-np.arange(m) / (0.012 * SR))
    return out / np.std(out)


def sound(voice: np.ndarray, shots: list[dict], rng) -> np.ndarray:
    """The mix: the voice, the music at BED under it, LOUD alone (intro, title, outro), swelling on the cards,
    THINKING over the quiz's pause; a whoosh at each card; a little hiss."""
    from scipy.signal import butter, sosfilt

    end, loud = shots[-1]["end"], np.sqrt(np.mean(voice[np.abs(voice) > 1e-3] ** 2))
    title = next(s["end"] for s in shots if s["kind"] == "title")
    pts = [(0.0, 0.0), (0.4, LOUD), (title - 1.5, LOUD), (title + 0.3, BED)]
    for s in shots:
        a, b = s.get("think", (s["start"], s["end"]))
        if s["kind"] in ("card", "quiz"):
            g = STING if s["kind"] == "card" else THINKING
            pts += [(a - 0.3, BED), (a, g), (b - (0.4 if s["kind"] == "card" else 0.0), g), (b + 0.3, BED)]
        if s["kind"] == "outro":
            pts += [(a - 0.5, BED), (a + 0.3, LOUD), (end - 2.5, LOUD), (end, 0.0)]
    loop = music_loop()
    gain = np.interp(np.arange(voice.size) / SR, *zip(*sorted(pts)))
    audio = voice + loud * gain * np.tile(loop, voice.size // loop.size + 1)[:voice.size]
    n = int(0.8 * SR)  # a whoosh: low-passed noise shifted by a carrier sweeping 300 Hz -> 3 kHz, swelling and fading
    sweep = np.cumsum(300 * 10 ** np.linspace(0, 1, n)) / SR
    carrier = np.sin(2 * np.pi * sweep) * np.sin(np.linspace(0, np.pi, n)) ** 2
    for s in (s for s in shots if s["kind"] == "card"):
        w, i = sosfilt(butter(2, 400, fs=SR, output="sos"), rng.normal(0, 1, n)) * carrier, int((s["start"] - 0.2) * SR)
        audio[i:i + n] += 0.8 * loud * w / np.std(w)
    audio += 0.001 * rng.normal(0, 1, audio.size)
    return (audio * min(1.0, 0.95 / np.abs(audio).max())).astype(np.float32)


def timeline(clips: list[list[np.ndarray]]) -> list[dict]:
    """Each shot's start and end, its speech clips' [start, end] and, for the quiz, the pause [start, end]."""
    shots, t, fixed = [], 0.0, {"intro": INTRO, "title": TITLE, "card": CARD, "outro": OUTRO}
    for (kind, key, stretch, _), sounds in zip(SHOTS, clips):
        shot, at = {"kind": kind, "key": key, "stretch": stretch, "start": round(t, 3), "clips": []}, t + LEAD
        for k, clip in enumerate(sounds):
            shot["clips"].append([round(at, 3), round(at + len(clip) / SR, 3)])
            at += len(clip) / SR
            if kind == "quiz" and k == 0:
                shot["think"] = [round(at + 0.6, 3), round(at + 0.6 + THINK, 3)]
                at += 0.6 + THINK + 0.5
        t = t + fixed[kind] if kind in fixed else at + GAP
        shots.append(shot | {"end": round(t, 3)})
    return shots


def render(out: Path) -> dict:
    """Writes OUT/NAME, OUT/truth.json and OUT/frames/*.png (each shot's middle frame); returns the truth."""
    import av
    from PIL import Image

    rng = np.random.default_rng(23)
    clips = [[independent_lecture.speak(p.strip(), VOICE, RATE) for p in speech.split(" | ")] if speech else []
             for *_, speech in SHOTS]
    shots = timeline(clips)
    duration, starts, step = shots[-1]["end"], [s["start"] for s in shots], SR // FPS
    voice = np.zeros(int(duration * SR) + SR, np.float32)
    for sounds, shot in zip(clips, shots):
        for c, (a, _) in zip(sounds, shot["clips"]):
            voice[int(a * SR):int(a * SR) + len(c)] += 0.8 * c
    rms = np.sqrt(np.mean(voice[:int(duration * FPS) * step].reshape(-1, step) ** 2, axis=1))
    mouth, art = np.sqrt(np.clip(rms / np.percentile(rms[rms > 1e-3], 95), 0, 1)), Art(rng)
    (out / "frames").mkdir(exist_ok=True)
    with av.open(str(out / NAME), "w") as container:
        video, audio_stream = independent_lecture.streams(container, FPS)
        for f in range(int(duration * FPS)):
            k = int(np.searchsorted(starts, f / FPS, side="right")) - 1
            frame = art.frame(shots[k], f / FPS, mouth[f])
            if f == int((shots[k]["start"] + shots[k]["end"]) / 2 * FPS) or f in (15, 25, 60):
                Image.fromarray(frame).save(out / "frames" / f"{f:04d}_{k:02d}_{shots[k]['key']}.png")
            for packet in video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        independent_lecture.finish(container, video, audio_stream, sound(voice, shots, rng))
    truth = truth_of(shots)
    (out / "truth.json").write_text(json.dumps(truth, indent=1))
    print(f"rendered {duration:.1f} s at {W}x{H}, {FPS} fps; {len(shots)} shots: " +
          ", ".join(f"{s['start']:.1f} {s['kind']} {s['key']}" for s in shots))
    print(f"{len(truth['cuts'])} true cuts, optional {truth['optional']}; music only {truth['quiet']}")
    return truth


def truth_of(shots: list[dict]) -> dict:
    def words(text: str) -> str:
        return " ".join(re.findall(r"[a-z0-9']+", text.lower()))
    span: dict[str, tuple[float, float]] = {}
    for attr in ("key", "stretch"):
        runs: list[list] = []
        for s in shots:
            if runs and runs[-1][0] == s[attr]:
                runs[-1][2] = s["end"]
            else:
                runs.append([s[attr], s["start"], s["end"]])
        span |= {name: (a, b) for name, a, b in reversed(runs) if name not in span or attr == "key"}
    cuts, kinds, optional, framed = [], [], [], ("intro", "title", "card", "quiz", "outro")
    for a, b in zip(shots, shots[1:]):
        if a["key"] == b["key"]:
            optional.append(b["start"])
        else:
            cuts.append(b["start"])
            kinds.append("card" if a["kind"] in framed or b["kind"] in framed else
                         "slide" if {a["kind"], b["kind"]} <= {"full", "pip"} else "shot")
    quiz = next(s for s in shots if s["kind"] == "quiz")
    optional.append(quiz["think"][1])
    situations = {"intro animation": [0.0, 0.0, INTRO]}
    situations |= {f"chapter {s['key']}": [s["start"]] * 2 + [s["end"]] for s in shots if s["kind"] == "card"}
    situations |= {"quiz countdown": [quiz["think"][0]] * 2 + [quiz["think"][1]],
                   "quiz reveal": [quiz["think"][1]] * 2 + [quiz["end"]],
                   "credits roll": [shots[-1]["start"]] * 2 + [shots[-1]["end"]]}
    situations |= {f"shot {i:02d} {s['kind']} {s['key']}": [s["start"]] * 2 + [s["end"]] for i, s in enumerate(shots)}
    quiet = [["intro + title", 0.0, span["title"][1]], ["quiz pause", *quiz["think"]], ["outro", *span["outro"]]]
    quiet += [[s["key"], s["start"], s["end"]] for s in shots if s["kind"] == "card"]
    spoken: dict[str, str] = {}
    for s, (*_, text) in zip(shots, SHOTS):
        spoken[s["key"]] = spoken.get(s["key"], "") + " " + words(text)
    for q, target, kind in QUERIES:  # said: words spoken there; shown and chapter: words never spoken
        assert (words(q) in spoken[target]) if kind == "said" else kind not in ("shown", "chapter") or all(
            words(q) not in said for said in spoken.values()), q
    names = list(dict.fromkeys(s["stretch"] for s in shots))
    return {"shots": shots, "duration": shots[-1]["end"], "cuts": cuts, "cut_kinds": kinds, "optional": optional,
            "stretches": [[*span[n], n] for n in names], "stretch_edges": [span[n][0] for n in names[1:]],
            "situations": situations, "quiet": quiet,
            "queries": [[q, *span[target], kind] for q, target, kind in QUERIES]}


def score_cuts(cuts: list[float], sections: list[float], truth: dict) -> None:
    from momentsearch.evaluate import boundary_scores

    for label, found in (("picture cuts", cuts), ("section edges", sections)):
        sc = boundary_scores(found, truth["cuts"], optional=truth["optional"])
        print(f"{label}: found {[round(x, 1) for x in found]}: P {sc.precision:.2f} R {sc.recall:.2f} "
              f"F1 {sc.f1:.2f} at +-1 s (optional {truth['optional']})")
    got = [any(abs(x - c) <= 1 for x in cuts) for c in truth["cuts"]]
    print("  found per kind: " + ", ".join(f"{k} {sum(g for g, j in zip(got, truth['cut_kinds']) if j == k)}/"
                                          f"{truth['cut_kinds'].count(k)}" for k in ("card", "shot", "slide")))
    shots = truth["shots"]
    for c, kind in zip(truth["cuts"], truth["cut_kinds"]):
        b, hit = next(i for i, s in enumerate(shots) if s["start"] == c), [x for x in cuts if abs(x - c) <= 1]
        print(f"  true cut {c:6.1f} ({kind}: {shots[b - 1]['kind']} {shots[b - 1]['key']} -> {shots[b]['kind']} "
              f"{shots[b]['key']}): {'found at ' + str(round(hit[0], 1)) if hit else 'MISSED'}")
    print("  optional cuts found: " + ", ".join(f"{c:.1f} {any(abs(x - c) <= 1 for x in cuts)}"
                                               for c in truth["optional"]))
    for x in cuts:
        if all(abs(x - c) > 1.0 for c in truth["cuts"] + truth["optional"]):
            print(f"  false alarm {x:6.1f} in {independent_media_lecture.situation_of(x, truth)}")
    sc = boundary_scores(sections, truth["stretch_edges"])
    print(f"section edges vs stretch edges only {[round(x, 1) for x in truth['stretch_edges']]}: "
          f"P {sc.precision:.2f} R {sc.recall:.2f} F1 {sc.f1:.2f} at +-1 s")


def report_quiet(index, rec, truth: dict) -> None:
    """Per music-only window: the transcript chunks overlapping it and the words timed inside it."""
    from momentsearch.transcript import decode_times

    total = 0
    for name, a, b in truth["quiet"]:
        chunks, inside = index.speech_in(rec.path, a, b), []
        for c in chunks:
            times = decode_times(c.start, c.word_times, c.text)
            inside += [f"{w}@{s:.1f}" for w, (s, _) in zip(c.text.split(), times) if a + 0.3 <= s <= b - 0.3]
        total += len(inside)
        print(f"music only: {name} {a:.1f}-{b:.1f}: {len(chunks)} chunks overlap, words timed inside {inside}")
        for c in chunks:
            print(f"    chunk {c.start:6.1f}-{c.end:6.1f}: {c.text[:200]!r}")
    print(f"words timed inside music-only windows: {total}")


def evaluate(out: Path, truth: dict, reuse: bool) -> None:
    from momentsearch.evaluate import detected_boundaries

    index = independent_code_lecture.indexed(out, NAME, reuse)
    rec = index.videos()[0]
    cuts = detected_boundaries(index)[rec.path]
    score_cuts(cuts, [float(a) for a, _ in rec.sections[1:]], truth)
    diag = {"shots": truth["shots"], **independent_code_lecture.diagnostics(index, rec)}
    independent_conference_talk.report_topics(rec, diag, truth)
    report_quiet(index, rec, truth)
    independent_code_lecture.run_queries(index, truth["queries"], diag)
    (out / "diagnostics.json").write_text(json.dumps(diag, indent=1, default=str))


def main() -> int:
    return independent_code_lecture.run_probe(__doc__, "/tmp/mooc", render, evaluate)


if __name__ == "__main__":
    sys.exit(main())
