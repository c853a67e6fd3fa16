#!/usr/bin/env python3
"""An edited lab demonstration (two cameras and inserted cards) rendered without momentsearch.testing, indexed
and searched: a check on a kind of real recording nothing was tuned on. 1280x720 at 8 fps, ~4.5 min: a chemistry
practical (a standard solution of sodium carbonate, then a titration of hydrochloric acid) in an intro, a safety
part and five steps, read by a voice no other script uses (espeak-ng en-us+f5 at 146 wpm) over lab hum (mains, a
fume-hood fan), the burner's roar while it burns and two clinks of glass. Inside a step the edit cuts every 5-20 s
(seeded) between a WIDE shot of the bench from a tripod (tiled wall, fume hood; a balance whose small display shows
the mass; bottles with unreadably small labels; a burette over a flask; a bunsen burner whose flame flickers while
lit, in step 2; the demonstrator, a figure in lab coat and goggles, moving; sensor noise) and a handheld CLOSE-UP
(one set-up per step, big, over the lab blurred; smooth shake of ~10 px and under 1 degree of roll, blurred when
fast; a gloved hand moving): step 1 the balance's big digits rising as powder is added (settling at 2.6503 g) and a
jar "Na2CO3 / 99.9% ACS"; step 2 the beaker over the flame and a wash bottle "DEIONISED H2O"; step 3 a bottle "HCl
0.1 M / IRRITANT" and the burette's funnel; step 4 the flask under the dripping burette (yellow, then peach) and a
dropper bottle "Methyl Orange / 0.1% indicator"; step 5 "NaOH 1 M / CORROSIVE" and "AQUEOUS WASTE". Full-screen
CARDS in one template (teal header, big title, 2-4 bullets, grey footer): the title, "Safety First", "Step 1:
Weighing the Standard", "Step 3: Filling the Burette", "Step 5: Cleaning Up"; steps 2 and 4 start by speech alone
("Now for the second step: ...", "Now for the titration itself.") inside an unbroken wide shot (no switch within
3 s). A lower third ("Priya Raman", "Laboratory Manager, School of Chemistry") slides in over the intro's wide shot;
the first close-up of step 3 comes in by a 1 s dissolve, all other switches are hard cuts.

Decisions, fixed before any result was seen. README documents a camera switch as no slide change (a shot away
from the slide and back is the slide's time; switches between shots with no slide text are no slide changes,
`camera_shots.shot_switches`; the conference-talk probe: "shot switches away and back are views, not cuts"). So for
the main cut metric a camera cut wide <-> close inside one step (the dissolve too) is NOT a true cut but optional
(neither hit nor false alarm); the true cuts are the cards' edges (each card's start and end), +-1 s. Also scored:
all picture changes (every shot switch, card edges, the dissolve's middle) and step changes only (each step's
start: its card's start, or the first word of a speech-only step). The lower third, digits, flame, drops, figure,
hand, shake and noise are no cuts; a cut farther than 1 s from every true one is a false alarm, put down to the
lower third or the dissolve in their windows, else to its shot. Stretches: the intro, the safety part and steps
1-5, each from its card's start or (steps 2, 4) its first word to the next one's start. A query's truth is its
whole step (a said query's too, not the shot its words fall in). Types: said (6+ consecutive spoken words),
concept (a paraphrase sharing no key word with the step's speech), shown (words only on a card, the lower third, a
label or the display, never spoken), visual (the flame or the balance: needs CLIP, absent here). The 21 queries
were written with the material, before the first run, and not changed after.

    python3 scripts/independent_lab_demo.py [--out /tmp/labdemo] [--reuse]

Prints cuts and section edges against the three truths (P / R / F1 at +-1 s, each false alarm's situation), the
speech-only step edges against the nearest section edge, per stretch its shots (with OCR text), visual segments and
sections, per close-up the label words the index holds and what OCR alone reads on its middle frame, each query's
hit or miss (top result's IoU >= 0.5) with channel scores, top results' lengths against steps', the run time;
writes OUT/diagnostics.json. `--reuse` scores what OUT holds. Deterministic (seeded). A probe, not a benchmark.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
import independent_code_lecture  # noqa: E402 (its index, query report and command line)
import independent_conference_talk  # noqa: E402 (its overlay blending, band filter, per-topic and span reports)
import independent_lecture  # noqa: E402 (its espeak-ng reader, soundtrack and encoder)
import independent_media_lecture  # noqa: E402 (its cut report, noise texture and line wrapping)

W, H, FPS, SR = 1280, 720, 8, 16000
VOICE, RATE = "en-us+f5", 146
LEAD = independent_lecture.LEAD  # seconds from a step's start to its first word
GAP, CLEAR, SHOT_MIN, SHOT_MAX = 1.4, 3.0, 5.0, 20.0  # s: after a step's last word; no switch this near an edge
CARD_S, CARD_DEFAULT = {"title": 5.0, "safety": 7.0}, 5.0  # seconds each card is up
DISSOLVE, LOWER, MARGIN = 1.0, (0.8, 8.0), 48  # s; lower third's arrival / departure in its shot; px around close-ups
NAME, FONT = "chem110_lab6_titration.mp4", "/usr/share/fonts/truetype/dejavu/DejaVuSans{}.ttf"
TEAL, INK, GREY, GLOVE = (0, 118, 122), (30, 36, 44), (120, 126, 134), (112, 96, 200)
CARDS = {  # key: (title, lines)
    "title": ("Lab 6: Acid-Base Titration", ["Making a standard solution and finding",
                                             "the concentration of an acid", "CHEM 110 General Chemistry"]),
    "safety": ("Safety First", ["Goggles on before you enter", "Gloves for acids and alkalis",
                                "Tie back long hair near the flame", "Report every spill at once"]),
    "step1": ("Step 1: Weighing the Standard", ["Tare with the empty boat", "Close the draught shield",
                                                "Record the mass to 0.1 mg"]),
    "step3": ("Step 3: Filling the Burette", ["Rinse twice with the titrant", "Fill through a small funnel",
                                              "Read at the meniscus"]),
    "step5": ("Step 5: Cleaning Up", ["Neutralise acid waste", "Rinse glassware three times",
                                      "Gas off at the bench tap"]),
}
LABELS = {  # close-up kind: [(label lines, x, y, width, height, bottle colour)]; what OCR should read there
    "balance": [(["Na2CO3", "99.9% ACS"], 960, 170, 250, 190, (236, 236, 230))],
    "flame": [(["DEIONISED", "H2O"], 90, 260, 250, 150, (240, 244, 246))],
    "burette": [(["HCl 0.1 M", "IRRITANT"], 430, 250, 330, 200, (112, 62, 30))],
    "flask": [(["Methyl Orange", "0.1% indicator"], 900, 300, 300, 150, (120, 70, 40))],
    "waste": [(["NaOH 1 M", "CORROSIVE"], 330, 230, 300, 190, (226, 230, 236)),
              (["AQUEOUS WASTE"], 800, 330, 380, 90, (40, 90, 160))],
}
STEPS = [  # (stretch, card key or None, close-up kind or None, speech); written before the first run
    ("intro", "title", None, "Hello, and welcome to the teaching lab. I'm Priya, and in this video I'll walk you "
     "through today's practical from start to finish. We are going to make a standard solution of sodium carbonate "
     "and use it to find out exactly how strong a bottle of hydrochloric acid really is. Watch each step before you "
     "try it at your own bench."),
    ("safety", "safety", None, "Before we touch anything, a word about safety. Put your eye protection on and keep "
     "it on until you leave the room, even when you think you have finished. We will be heating water over an open "
     "flame and handling corrosive liquids, so keep your sleeves rolled down and your bench tidy. If something "
     "breaks or splashes, tell a demonstrator straight away, and never try to clean up broken glass with your "
     "fingers."),
    ("step 1", "step1", "balance", "Step one. Weighing. Our standard is anhydrous sodium carbonate, a white powder "
     "that has been dried in an oven overnight so that it holds no water. Place a clean weighing boat on the pan "
     "and press the tare button, so the display reads zero. Now add the powder a little at a time with a spatula. "
     "Tap the spatula gently rather than tipping it, because a small heap can overshoot the target in an instant. "
     "We are aiming for roughly two and a half grams, but the exact amount does not matter, as long as you know "
     "it precisely. Wait until the last digit stops changing, then write the reading down straight away, before "
     "you do anything else."),
    ("step 2", None, "flame", "Now for the second step: dissolving the solid. Tip the powder into a clean beaker "
     "and rinse the boat into it with distilled water from the wash bottle, so that not a single grain is left "
     "behind. Sodium carbonate dissolves faster in warm water, so we light the burner and set the beaker on the "
     "tripod and gauze. Keep the air hole half open for a quiet blue flame, and never leave it burning "
     "unattended. Stir gently with a glass rod until the liquid is completely clear. Then let it cool, pour it "
     "into a two hundred and fifty millilitre volumetric flask, and make it up exactly to the line."),
    ("step 3", "step3", "burette", "Step three. Filling the burette. Clamp the burette upright in the stand and "
     "check that the tap is closed. Rinse it twice with a few millilitres of the hydrochloric acid, letting each "
     "rinse drain out through the tip, so that no water dilutes what follows. Then fill it slowly with the acid, "
     "using a funnel, to just above the top mark. Take the funnel out before you read the level, otherwise drops "
     "keep falling from it. Open the tap for a moment to push the trapped bubble out of the tip, and then note "
     "your starting reading, looking at the bottom of the curved surface."),
    ("step 4", None, "flask", "Now for the titration itself. Use a pipette to transfer twenty five millilitres of "
     "your carbonate solution into a conical flask, and add three drops of indicator. The solution turns yellow. "
     "Place the flask on a white tile under the burette, and let the acid run in while you swirl the flask with "
     "your other hand. At first the colour barely changes. As you get close, slow down to single drops, and rinse "
     "the inside wall of the flask with a little water. The end point is the first drop that turns the whole "
     "solution a permanent peach colour. Record the final reading, work out the volume added, and repeat the "
     "titration until two results agree within a tenth of a millilitre."),
    ("step 5", "step5", "waste", "Step five. Cleaning up. Turn off the gas at the tap on the bench, not just at "
     "the burner. Any leftover acid goes into the waste beaker, where we bring it back to neutral with a little "
     "dilute alkali before it goes into the labelled waste container. Rinse the burette and the pipette with "
     "distilled water and leave them upside down to drain. Wipe the bench, wash your hands, and only then take "
     "your goggles off. Thank you for watching, and good luck with your own titrations."),
]
FINAL_MASS, CLINKS = "2.6503", {"step 4": 0.45, "step 5": 0.55}  # g, settled in step 1; where in its speech glass rings
QUERIES = [  # (query, stretch, type); written with the material, before the first run, not changed after
    ("tap the spatula gently rather than tipping it", "step 1", "said"),
    ("keep the air hole half open for a quiet blue flame", "step 2", "said"),
    ("take the funnel out before you read the level", "step 3", "said"),
    ("as you get close, slow down to single drops", "step 4", "said"),
    ("rinse the burette and the pipette with distilled water", "step 5", "said"),
    ("never try to clean up broken glass with your fingers", "safety", "said"),
    ("measuring an accurate quantity of the reference substance on the scales", "step 1", "concept"),
    ("using a gas heater to get the salt crystals to vanish sooner", "step 2", "concept"),
    ("the dye's hue switching at neutralisation shows when to stop", "step 4", "concept"),
    ("safe disposal of used chemicals once the practical is over", "step 5", "concept"),
    ("what to wear and how to behave so that nobody gets hurt", "safety", "concept"),
    ("close the draught shield", "step 1", "shown"), ("read at the meniscus", "step 3", "shown"),
    ("tie back long hair", "safety", "shown"), ("Raman laboratory manager", "intro", "shown"),
    ("HCl 0.1 M", "step 3", "shown"), ("Methyl Orange", "step 4", "shown"), ("NaOH 1 M", "step 5", "shown"),
    ("2.6503 g", "step 1", "shown"), ("bunsen burner flame under a beaker on a tripod", "step 2", "visual"),
    ("close-up of the digital balance display", "step 1", "visual"),
]


def font(size: int, face: str = ""):
    return ImageFont.truetype(FONT.format(face), size)


def card_image(key: str) -> np.ndarray:
    """The cards' one template: white page, teal header bar (course and lab), a big dark title over a teal
    rule, bullets with teal squares, a grey footer line; the safety card adds a yellow warning triangle."""
    title, lines = CARDS[key]
    im = Image.new("RGB", (W, H), (250, 250, 248))
    d = ImageDraw.Draw(im)
    d.rectangle([0, 0, W, 70], fill=TEAL)
    d.text((40, 20), "CHEM 110  -  Lab 6", font=font(28, "-Bold"), fill=(255, 255, 255))
    d.text((W - 40, 22), "Northgate College", font=font(24), fill=(220, 240, 240), anchor="ra")
    big = key == "title"
    d.text((80, 170 if big else 120), title, font=font(66 if big else 58, "-Bold"), fill=INK)
    d.rectangle([82, 262 if big else 200, 400, 268 if big else 206], fill=TEAL)
    for k, line in enumerate(lines):
        y = (310 if big else 250) + (62 if big else 88) * k
        if not big:
            d.rectangle([86, y + 14, 104, y + 32], fill=TEAL)
        d.text((80 if big else 128, y), line, font=font(36 if big else 42), fill=GREY if big and k == 2 else INK)
    if key == "safety":
        d.polygon([(1040, 330), (1180, 570), (900, 570)], fill=(250, 204, 30), outline=INK, width=6)
        d.text((1040, 470), "!", font=font(130, "-Bold"), fill=INK, anchor="mm")
    d.line([40, H - 54, W - 40, H - 54], fill=(205, 208, 212), width=2)
    d.text((40, H - 42), "School of Chemistry  |  Teaching Laboratories", font=font(22), fill=GREY)
    return np.asarray(im).copy()


def lab_wall(rng) -> np.ndarray:
    """What the wide shot never moves: tiled wall, shelf with bottles, fume hood, wooden cabinets."""
    tex = independent_media_lecture.fractal((H, W), rng)[..., None]
    img = (np.array([206, 212, 214.0]) + 16 * tex) * np.ones((H, W, 1))
    img[::64, :], img[:, ::64] = (172, 178, 182), (172, 178, 182)
    cv2.rectangle(img, (990, 50), (1270, 400), (150, 154, 158), -1)
    cv2.rectangle(img, (1010, 80), (1250, 380), (176, 198, 204), -1)
    cv2.line(img, (60, 150), (440, 150), (120, 96, 70), 8)
    for k, colour in enumerate([(110, 60, 30), (230, 230, 226), (40, 90, 160), (110, 60, 30), (200, 200, 196)]):
        cv2.rectangle(img, (80 + 70 * k, 92), (120 + 70 * k, 146), colour, -1)
    img[400:430] = (46, 48, 52)
    img[430:] = np.array([150, 118, 86.0]) * (0.85 + 0.3 * tex[430:])
    for x in range(0, W, 320):
        cv2.rectangle(img, (x + 12, 446), (x + 308, 708), (120, 92, 64), 3)
        cv2.rectangle(img, (x + 150, 470), (x + 170, 478), (200, 200, 204), -1)
    return np.clip(img, 0, 255).astype(np.uint8)


def figure(img: np.ndarray, t: float) -> None:
    """The demonstrator behind the bench at t: lab coat, head, hair, goggles, two arms reaching to the bench."""
    x = int(620 + 250 * np.sin(t / 19) + 10 * np.sin(1.4 * t))
    hy = int(188 + 4 * np.sin(1.9 * t))
    cv2.fillPoly(img, [np.int32([[x - 78, hy + 60], [x + 78, hy + 60], [x + 92, 400], [x - 92, 400]])],
                 (244, 246, 248))
    cv2.rectangle(img, (x - 14, hy + 34), (x + 14, hy + 62), (176, 132, 104), -1)
    cv2.ellipse(img, (x, hy), (32, 40), 0, 0, 360, (182, 138, 110), -1)
    cv2.ellipse(img, (x, hy - 18), (34, 28), 0, 180, 360, (40, 30, 26), -1)
    cv2.rectangle(img, (x - 30, hy - 10), (x + 30, hy + 6), (90, 140, 190), -1)
    for side, phase in ((-1, 0.0), (1, 1.7)):
        hx = x + side * int(70 + 40 * np.sin(0.7 * t + phase))
        hand = (hx + side * 20, 388 + int(6 * np.sin(1.1 * t + phase)))
        cv2.line(img, (x + side * 70, hy + 80), hand, (236, 238, 240), 24)
        cv2.circle(img, hand, 13, GLOVE, -1)


def bench_kit(img: np.ndarray, t: float, reading: str, lit: bool, rng) -> None:
    """The equipment on the bench, drawn over the figure: balance (display showing `reading`), bottles, stand,
    burette and flask, burner under tripod and beaker (flame when `lit`), wash bottle."""
    cv2.rectangle(img, (110, 330), (300, 402), (226, 226, 220), -1)
    cv2.rectangle(img, (122, 232), (288, 330), (196, 208, 214), 3)
    cv2.rectangle(img, (150, 352), (262, 386), (18, 30, 24), -1)
    cv2.putText(img, f"{reading} g", (156, 376), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (90, 255, 120), 1, cv2.LINE_AA)
    for k, colour in enumerate([(112, 62, 30), (226, 230, 236), (120, 70, 40)]):
        x = 340 + 58 * k
        cv2.rectangle(img, (x, 322), (x + 44, 402), colour, -1)
        cv2.rectangle(img, (x + 6, 346), (x + 38, 370), (248, 248, 244), -1)
        cv2.line(img, (x + 10, 354), (x + 34, 354), (60, 60, 60), 1)
        cv2.rectangle(img, (x + 12, 308), (x + 32, 322), (30, 30, 34), -1)
    cv2.rectangle(img, (520, 392), (650, 404), (90, 92, 96), -1)
    cv2.line(img, (540, 392), (540, 96), (120, 122, 126), 6)
    cv2.line(img, (540, 170), (600, 170), (70, 70, 74), 5)
    cv2.rectangle(img, (596, 90), (606, 330), (214, 226, 232), -1)
    cv2.fillPoly(img, [np.int32([[566, 402], [636, 402], [610, 356], [610, 338], [592, 338], [592, 356]])],
                 (214, 226, 232))
    cv2.fillPoly(img, [np.int32([[572, 400], [630, 400], [618, 380], [584, 380]])], (240, 214, 90))
    cv2.rectangle(img, (806, 336), (824, 398), (120, 120, 126), -1)
    cv2.ellipse(img, (815, 400), (34, 7), 0, 0, 360, (70, 70, 76), -1)
    cv2.polylines(img, [np.int32([[770, 402], [782, 300]]), np.int32([[860, 402], [848, 300]])], False, (40, 40, 44), 4)
    cv2.rectangle(img, (766, 294), (864, 301), (110, 110, 114), -1)
    cv2.rectangle(img, (784, 236), (846, 294), (200, 214, 222), 3)
    if lit:
        h = int(34 + 8 * rng.random())
        cv2.ellipse(img, (815, 336 - h // 2), (9, h // 2), 0, 0, 360, (120, 150, 255), -1)
        cv2.ellipse(img, (815, 336 - h // 4), (5, h // 4), 0, 0, 360, (200, 220, 255), -1)
    cv2.rectangle(img, (900, 318), (942, 402), (240, 242, 244), -1)
    cv2.line(img, (921, 318), (950, 290), (240, 242, 244), 4)


def label(d, lines: list[str], box: tuple, colour: tuple) -> None:
    """A bottle (`box`: x, y, width, height of its label) in `colour` with a white printed label."""
    x, y, w, h = box
    d.rounded_rectangle([x - 40, y - 150, x + w + 40, y + h + 170], 30, fill=colour)
    d.rectangle([x + w // 2 - 50, y - 220, x + w // 2 + 50, y - 150], fill=(30, 30, 34))
    d.rectangle([x, y, x + w, y + h], fill=(250, 250, 246), outline=(200, 40, 40), width=4)
    size = 56
    while font(size, "-Bold").getlength(lines[0]) > w - 36:
        size -= 2
    d.text((x + 18, y + 14), lines[0], font=font(size, "-Bold"), fill=(20, 20, 24))
    if len(lines) > 1:
        d.text((x + 18, y + 30 + size), lines[1], font=font(32), fill=(190, 30, 30))


def close_scene(kind: str, wall: np.ndarray) -> np.ndarray:
    """A close-up's still scene ((H + 2 MARGIN) x (W + 2 MARGIN)): the lab blurred behind (shallow focus),
    the set-up's big still objects and labels, a little soft."""
    src = {"balance": (60, 200), "flame": (700, 200), "burette": (400, 150), "flask": (500, 200)}.get(kind, (800, 250))
    crop = wall[src[1]:src[1] + 260, src[0]:src[0] + 460]
    back = cv2.GaussianBlur(cv2.resize(crop, (W + 2 * MARGIN, H + 2 * MARGIN)), (0, 0), 14)
    im = Image.fromarray(back)
    d = ImageDraw.Draw(im)
    d.rectangle([0, 640, W + 2 * MARGIN, H + 2 * MARGIN], fill=(44, 46, 50))
    if kind == "balance":
        d.rounded_rectangle([180, 300, 880, 700], 20, fill=(228, 228, 222))
        d.rectangle([250, 360, 810, 500], fill=(18, 30, 24))
        d.ellipse([330, 250, 730, 310], fill=(190, 192, 196))
    elif kind == "flame":
        d.line([560, 640, 620, 420, 840, 420, 900, 640], fill=(40, 40, 44), width=10)
        d.rectangle([540, 400, 920, 420], fill=(110, 110, 114))
        d.rectangle([600, 170, 860, 400], outline=(200, 214, 222), width=8)
        d.rectangle([608, 280, 852, 392], fill=(226, 232, 236))
        d.rectangle([700, 520, 760, 640], fill=(120, 120, 126))
    elif kind == "burette":
        d.rectangle([1000, 0, 1040, 560], fill=(214, 226, 232))
        d.polygon([(930, 80), (1110, 80), (1036, 220), (1004, 220)], fill=(226, 234, 238))
    elif kind == "flask":
        d.rectangle([560, 0, 600, 200], fill=(214, 226, 232))
        d.rectangle([360, 610, 800, 650], fill=(248, 248, 248))
    elif kind == "waste":
        d.rectangle([60, 360, 260, 640], outline=(200, 214, 222), width=8)
    for lines, x, y, w, h, colour in LABELS[kind]:
        label(d, lines, (x, y, w, h), colour)
    return cv2.GaussianBlur(np.asarray(im), (0, 0), 0.8)


def close_frame(scene: np.ndarray, kind: str, t: float, state: dict, rng) -> np.ndarray:
    """The close-up at t before the shake: the scene with its moving parts (digits, flame, drops, the flask's
    colour, a gloved hand)."""
    img = scene.copy()
    if kind == "balance":
        img[380:480, 280:780] = state["digits"](state["reading"])
    elif kind == "flame" and state["lit"]:
        h = int(150 + 40 * rng.random())
        cv2.ellipse(img, (730, 520 - h // 2), (40, h // 2), 0, 0, 360, (110, 140, 255), -1)
        cv2.ellipse(img, (730, 520 - h // 4), (22, h // 4), 0, 0, 360, (190, 215, 255), -1)
    elif kind == "flask":
        wob = int(14 * np.sin(3.1 * t))
        cv2.fillPoly(img, [np.int32([[420 + wob, 610], [740 + wob, 610], [610 + wob, 330], [610 + wob, 240],
                                     [550 + wob, 240], [550 + wob, 330]])], (214, 226, 232))
        cv2.fillPoly(img, [np.int32([[434 + wob, 604], [726 + wob, 604], [668 + wob, 480], [492 + wob, 480]])],
                     state["colour"])
        drop = (t * 1.25) % 1.0
        cv2.circle(img, (580, 210 + int(260 * drop)), 9, (200, 220, 236), -1)
    hand = (int(640 + 220 * np.sin(0.6 * t)), int(560 + 50 * np.sin(1.3 * t)))
    cv2.ellipse(img, hand, (110, 70), int(20 * np.sin(0.4 * t)), 0, 360, GLOVE, -1)
    cv2.line(img, hand, (hand[0] + 260, H + 2 * MARGIN), GLOVE, 90)
    return img


def handheld(img: np.ndarray, f: int, phases: np.ndarray) -> np.ndarray:
    """The scene as the shaking camera frames it (W x H) at frame f: slow sines (seeded phases) shift it by ~10 px
    and roll it under 1 degree; a little blurred where it moves fast."""
    t = np.array([f - 1, f]) / FPS
    dx = sum(a * np.sin(w * t + p) for a, w, p in zip((7, 3, 1.5), (0.9, 2.3, 6.1), phases[:3]))
    dy = sum(a * np.sin(w * t + p) for a, w, p in zip((6, 2.5, 1.5), (0.7, 2.9, 5.3), phases[3:6]))
    m = cv2.getRotationMatrix2D(((W + 2 * MARGIN) / 2, (H + 2 * MARGIN) / 2), 0.7 * np.sin(0.8 * t[1] + phases[6]), 1)
    m[:, 2] -= (MARGIN + dx[1], MARGIN + dy[1])
    out = cv2.warpAffine(img, m, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    return cv2.blur(out, (3, 3)) if np.hypot(dx[1] - dx[0], dy[1] - dy[0]) > 4.0 else out


class Lab:
    """Every picture of the video: the wide shot, the close-ups, the cards, the lower third, the dissolve."""

    def __init__(self, steps: list[dict], shots: list[dict], rng):
        self.rng, self.steps, self.shots = rng, {s["name"]: s for s in steps}, shots
        self.wall = lab_wall(rng)
        self.cards = {key: card_image(key) for key in CARDS}
        self.scenes = {kind: close_scene(kind, self.wall) for kind in LABELS}
        self.noise = [rng.normal(0, 3.5, (H, W, 3)).astype(np.int16) for _ in range(6)]
        self.lower, self.phases, self.cache = independent_conference_talk.overlay(
            ["Priya Raman", "Laboratory Manager, School of Chemistry"], (660, 100)), rng.uniform(0, 2 * np.pi, 7), {}
        one, two = self.steps["step 1"], self.steps["step 2"]
        self.rise = (one["card_end"] + 10.0, one["card_end"] + 32.0, two["start"] + 4.0)  # adding; tipped out
        self.jumps = np.sort(rng.uniform(self.rise[0], self.rise[1], 20))
        self.values = np.cumsum(rng.dirichlet(np.ones(20))) * float(FINAL_MASS)
        self.values[-1] = float(FINAL_MASS)
        self.flame = (two["start"] + 0.35 * (two["end"] - two["start"]), two["end"])
        four = self.steps["step 4"]
        self.end_point = four["start"] + 0.75 * (four["end"] - four["start"])

    def reading(self, f: int) -> str:
        """The balance's display at frame f: zero, the powder's mass (its last digit unsettled for 0.5 s after
        each addition), zero again once the powder is tipped out."""
        t = f / FPS
        k = int(np.searchsorted(self.jumps, t, side="right")) - 1
        if k < 0 or t >= self.rise[2]:
            return "0.0000"
        wobble = ((f * 7919) % 9 - 4) * 1e-4 if t - self.jumps[k] < 0.5 and k < len(self.jumps) - 1 else 0.0
        return f"{self.values[k] + wobble:.4f}"

    def digits(self, text: str) -> np.ndarray:
        """The close-up's display (100 x 500): green digits on black."""
        if text not in self.cache:
            im = Image.new("RGB", (500, 100), (18, 30, 24))
            ImageDraw.Draw(im).text((30, 8), f"{text} g", font=font(76, "Mono-Bold"), fill=(90, 255, 120))
            self.cache[text] = np.asarray(im)
        return self.cache[text]

    def shot_picture(self, shot: dict, f: int) -> np.ndarray:
        t = f / FPS
        if shot["kind"] == "card":
            return self.cards[shot["card"]].copy()
        lit = self.flame[0] <= t < self.flame[1]
        if shot["kind"] == "wide":
            img = self.wall.copy()
            figure(img, t)
            bench_kit(img, t, self.reading(f), lit, self.rng)
        else:
            state = {"reading": self.reading(f), "digits": self.digits, "lit": lit,
                     "colour": (235, 200, 60) if t < self.end_point else (250, 186, 150)}
            img = handheld(close_frame(self.scenes[shot["close"]], shot["close"], t, state, self.rng), f, self.phases)
            img = np.clip(img * (1 + 0.03 * np.sin(2 * np.pi * 0.4 * t)), 0, 255).astype(np.uint8)
        return np.clip(img + self.noise[int(self.rng.integers(6))], 0, 255).astype(np.uint8)

    def frame(self, f: int) -> tuple[np.ndarray, int]:
        """Frame f and the index of its shot: the dissolve blends the two shots across DISSOLVE s; the lower
        third slides in over the intro's wide shot."""
        t = f / FPS
        k = int(np.searchsorted([s["start"] for s in self.shots], t, side="right")) - 1
        shot, img = self.shots[k], self.shot_picture(self.shots[k], f)
        for j in (k, k + 1):
            if 0 < j < len(self.shots) and self.shots[j].get("dissolve"):
                u = 0.5 + (t - self.shots[j]["start"]) / DISSOLVE
                if 0.0 < u < 1.0:
                    other = self.shot_picture(self.shots[j - 1 if j == k else j], f)
                    new, old = (img, other) if j == k else (other, img)
                    img = (u * new + (1 - u) * old).astype(np.uint8)
        if shot["step"] == "intro" and shot["kind"] == "wide":
            dt = t - shot["start"]
            shown = min(np.clip((dt - LOWER[0]) / 0.4, 0, 1), np.clip((LOWER[1] - dt) / 0.4, 0, 1))
            if shown > 0:
                independent_conference_talk.blend(img, self.lower, int(60 - (1 - shown) * 720), 570)
        return img, k


def timeline(clips: list[np.ndarray]) -> tuple[list[dict], float]:
    """Each step's start (its card's start, or its first word when no card opens it), end, card's end and
    speech [first word, last word] in seconds; and the video's duration."""
    steps, t = [], 0.0
    for (name, card, kind, _), clip in zip(STEPS, clips):
        first = t + LEAD
        steps.append({"name": name, "start": round(t if card else first, 3), "card": card, "kind": kind,
                      "card_end": round(t + CARD_S.get(card, CARD_DEFAULT), 3) if card else None,
                      "speech": [round(first, 3), round(first + len(clip) / SR, 3)]})
        t = first + len(clip) / SR + GAP
    duration = round(t + 1.0, 3)
    for s, after in zip(steps, steps[1:] + [{"start": duration}]):
        s["end"] = after["start"]
    return steps, duration


def edit(steps: list[dict]) -> list[dict]:
    """The editor's cut list: a card where a step has one, then wide and close-up in turn (shots of ~11 s,
    seeded), a step before a speech-only step ending on the wide shot that runs on over the edge; the
    intro and safety part in one wide shot; the first close-up of step 3 comes in by a dissolve."""
    rng = np.random.default_rng(23)
    shots: list[dict] = []
    for i, s in enumerate(steps):
        t, end = (s["card_end"] if s["card"] else s["start"]), s["end"]
        if s["card"]:
            shots.append({"start": s["start"], "end": t, "kind": "card", "card": s["card"], "step": s["name"]})
        n = 1 if s["kind"] is None else max(1, round((end - t) / 11.0))
        if i + 1 < len(steps) and steps[i + 1]["card"] is None and n % 2 == 0:
            n += 1  # end on the wide shot that carries over the speech-only edge
        lengths = rng.uniform(0.7, 1.3, n)
        edges = t + np.concatenate([[0.0], np.cumsum(lengths * (end - t) / lengths.sum())])
        for k in range(n):
            a, b = round(float(edges[k]), 3), round(float(edges[k + 1]), 3)
            if k == 0 and not s["card"] and shots and shots[-1]["kind"] == "wide":
                shots[-1]["end"] = b  # the wide shot runs on over the speech-only edge
                continue
            shots.append({"start": a, "end": b, "kind": "wide" if k % 2 == 0 else "close", "close": s["kind"],
                          "step": s["name"]})
    first_close = next(x for x in shots if x["step"] == "step 3" and x["kind"] == "close")
    first_close["dissolve"] = True
    camera = [x["end"] - x["start"] for x in shots if x["kind"] == "close"]
    assert min(camera) >= SHOT_MIN and max(camera) <= SHOT_MAX, camera
    assert all(abs(x["start"] - s["start"]) >= CLEAR for x in shots for s in steps if not s["card"])
    return shots


def clink() -> np.ndarray:
    """Glass touching glass: three ringing partials, then a softer second touch."""
    t = np.arange(int(0.7 * SR)) / SR
    ring = sum(a * np.sin(2 * np.pi * f * t) * np.exp(-t / d) for f, a, d in
               ((2630, 1.0, 0.14), (3950, 0.6, 0.09), (5270, 0.4, 0.05)))
    ring[int(0.16 * SR):] += 0.4 * ring[:len(ring) - int(0.16 * SR)]
    return ring / np.abs(ring).max()


def sound(clips: list[np.ndarray], steps: list[dict], flame: tuple[float, float], duration: float, rng) -> np.ndarray:
    """The voice, the lab's hum (mains at 50 Hz and harmonics, the fume-hood fan), the burner's roar while it
    burns, two clinks of glass, hiss."""
    band = independent_conference_talk.band
    audio = independent_lecture.soundtrack(clips, [s["speech"][0] - LEAD for s in steps], duration, rng)
    n, loud = audio.size, 0.8 * np.std(np.concatenate(clips))
    tt = np.arange(n) / SR
    hum = sum(a * np.sin(2 * np.pi * f * tt) for f, a in ((50, 1.0), (100, 0.6), (150, 0.3)))
    fan = band(rng.normal(0, 1, n), 120, 900)
    roar = band(rng.normal(0, 1, n), 200, 2500)
    burning = np.clip(np.minimum(tt - flame[0], flame[1] - tt) / 0.3, 0, 1)
    audio = audio + loud * (0.06 * hum + 0.12 * fan / np.std(fan) + 0.10 * burning * roar / np.std(roar))
    for s in steps:
        if s["name"] in CLINKS:
            i = int((s["speech"][0] + CLINKS[s["name"]] * (s["speech"][1] - s["speech"][0])) * SR)
            c = 1.5 * loud * clink()
            audio[i:i + len(c)] += c[:n - i]
    audio = audio + 0.002 * rng.normal(0, 1, n)
    return (audio * min(1.0, 0.95 / np.abs(audio).max())).astype(np.float32)


def render(out: Path) -> dict:
    """Writes OUT/NAME, OUT/truth.json and OUT/frames/*.png (each shot's middle frame); returns the truth."""
    import av

    rng = np.random.default_rng(61)
    clips = [independent_lecture.speak(text, VOICE, RATE) for *_, text in STEPS]
    steps, duration = timeline(clips)
    shots = edit(steps)
    lab = Lab(steps, shots, rng)
    (out / "frames").mkdir(exist_ok=True)
    with av.open(str(out / NAME), "w") as container:
        video, audio_stream = independent_lecture.streams(container, FPS)
        for f in range(int(duration * FPS)):
            frame, k = lab.frame(f)
            if f == int((shots[k]["start"] + shots[k]["end"]) / 2 * FPS):
                Image.fromarray(frame).save(out / "frames" / f"{k:02d}_{shots[k]['kind']}.png")
            for packet in video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        independent_lecture.finish(container, video, audio_stream, sound(clips, steps, lab.flame, duration, rng))
    truth = truth_of(steps, shots, duration)
    truth["flame"], truth["mass_settled"] = [round(x, 2) for x in lab.flame], round(float(lab.jumps[-1]), 2)
    (out / "truth.json").write_text(json.dumps(truth, indent=1))
    print(f"rendered {duration:.1f} s at {W}x{H}, {FPS} fps; {len(shots)} shots ("
          + ", ".join(f"{s['start']:.1f} {s['kind']}{'*' if s.get('dissolve') else ''}" for s in shots) + ")")
    print("steps: " + ", ".join(f"{a:.1f}-{b:.1f} {n}" for a, b, n in truth["stretches"])
          + f"; flame {truth['flame']}; mass settled at {truth['mass_settled']} s")
    return truth


def truth_of(steps: list[dict], shots: list[dict], duration: float) -> dict:
    switches = [s["start"] for s in shots[1:]]
    cards = sorted({x for s in shots if s["kind"] == "card" for x in (s["start"], s["end"])} - {0.0})
    lower = next(s["start"] for s in shots if s["step"] == "intro" and s["kind"] == "wide")
    melt = next(s["start"] for s in shots if s.get("dissolve"))
    situations = {"lower third": [lower + LOWER[0]] * 2 + [lower + LOWER[1] + 1.0],
                  "dissolve": [melt - DISSOLVE / 2] * 2 + [melt + DISSOLVE / 2 + 1.0]}
    situations.update({f"shot {i:02d} {s['kind']} {s['step']}": [s["start"]] * 2 + [s["end"]]
                       for i, s in enumerate(shots)})
    span = {s["name"]: (s["start"], s["end"]) for s in steps}
    return {"steps": steps, "shots": shots, "duration": duration, "cuts": switches, "card_edges": cards,
            "camera_switches": [x for x in switches if x not in cards], "step_edges": [s["start"] for s in steps[1:]],
            "speech_edges": [s["start"] for s in steps if not s["card"]], "situations": situations,
            "stretches": [[s["start"], s["end"], s["name"]] for s in steps],
            "queries": [[q, *span[name], kind] for q, name, kind in QUERIES]}


def report_speech_edges(cuts: list[float], sections: list[float], diag: dict, truth: dict) -> None:
    """Per step edge marked by speech alone: the nearest section edge and picture cut, the transcript chunks
    that start or end within 10 s of it, and the chapters' starts."""
    for e in truth["speech_edges"]:
        near = min(sections, key=lambda x: abs(x - e)) if sections else None
        cut = min(cuts, key=lambda x: abs(x - e)) if cuts else None
        print(f"speech-only step edge {e:6.1f}: nearest section edge {near if near is None else round(near, 1)}, "
              f"nearest picture cut {cut if cut is None else round(cut, 1)}")
        for s, end, text in diag["transcript"]:
            if abs(s - e) < 10 or abs(end - e) < 10:
                print(f"    chunk {s:6.1f}-{end:6.1f}: {text[:150]!r}")
    print("chapters: " + "; ".join(f"{c['start']:.1f} {c['title'][:40]!r}" for c in diag["chapters"]))


def report_labels(out: Path, diag: dict, truth: dict) -> None:
    """Per close-up shot: which of its label words (and the display's final mass) the index's OCR entries over
    the shot hold, and what OCR alone (momentsearch's own model and settings) reads on the shot's middle frame."""
    from momentsearch.options import load_config
    from momentsearch.pipeline.ocr import make_ocr

    ocr, rows, overlap = make_ocr(load_config(None)), [], independent_conference_talk.overlap
    for i, s in enumerate(truth["shots"]):
        if s["kind"] != "close":
            continue
        words = [w for lines, *_ in LABELS[s["close"]] for line in lines for w in line.split()]
        words += [FINAL_MASS] if s["close"] == "balance" else []
        held = " ".join(o[2] for o in diag["ocr"] if overlap(o[0], o[1], s["start"], s["end"]) > 1.0)
        found = [w for w in words if w.lower().replace(" ", "") in held.lower().replace(" ", "")]
        path = out / "frames" / f"{i:02d}_close.png"
        lines = ocr.read([np.asarray(Image.open(path).convert("RGB"))])[0] if path.exists() else []
        alone = [(ln.text, round(ln.confidence, 2), round(ln.relative_height, 3)) for ln in lines]
        print(f"close-up {s['start']:6.1f}-{s['end']:6.1f} {s['close']:8s} index holds {len(found)}/{len(words)} "
              f"label words {found}; OCR alone on its middle frame: {alone}")
        rows.append({"shot": i, "start": s["start"], "end": s["end"], "kind": s["close"], "label_words": words,
                     "held": found, "index_text": held[:400], "ocr_alone": alone})
    diag["labels"] = rows


def evaluate(out: Path, truth: dict, reuse: bool) -> None:
    """The cuts (all picture changes; card edges with camera switches optional; step changes only) and section
    edges; the speech-only edges; the reports per step and per close-up; the queries and their spans."""
    from momentsearch.evaluate import boundary_scores, detected_boundaries

    index = independent_code_lecture.indexed(out, NAME, reuse)
    rec = index.videos()[0]
    print(f"channels {rec.channels}; warnings {index.warnings}; {len(rec.visual_segments)} visual segments, "
          f"{len(rec.sections)} sections; {len(truth['shots'])} shots, {len(truth['steps'])} stretches")
    print("all picture changes (every shot switch, card edge and the dissolve) as the truth:")
    independent_media_lecture.score_cuts(rec, index, truth)
    cuts = detected_boundaries(index)[rec.path]
    sections = [float(a) for a, _ in rec.sections[1:]]
    for label, found in (("picture cuts", cuts), ("section edges", sections)):
        for name, true, optional in (("card edges, camera switches optional", truth["card_edges"],
                                      truth["camera_switches"]), ("step changes only", truth["step_edges"], [])):
            sc = boundary_scores(found, true, optional=optional)
            print(f"{label} vs {name} ({len(true)}): P {sc.precision:.2f} R {sc.recall:.2f} F1 {sc.f1:.2f} at +-1 s")
    diag = {"shots": truth["shots"], **independent_code_lecture.diagnostics(index, rec)}
    report_speech_edges(cuts, sections, diag, truth)
    independent_conference_talk.report_topics(rec, diag, truth)
    report_labels(out, diag, truth)
    independent_code_lecture.run_queries(index, truth["queries"], diag)
    independent_conference_talk.report_spans(diag, truth)
    (out / "diagnostics.json").write_text(json.dumps(diag, indent=1, default=str))


def main() -> int:
    return independent_code_lecture.run_probe(__doc__, "/tmp/labdemo", render, evaluate)


if __name__ == "__main__":
    sys.exit(main())
