#!/usr/bin/env python3
"""A tutor's document-camera (visualizer) recording rendered without momentsearch.testing, indexed and searched:
a check on a kind of real recording nothing was tuned on. 1280x720 at 8 fps, 4 min: a camera looks straight
down at a desk (wood grain) where sheets of paper lie slightly turned; mild vignetting, sensor noise, a soft
lens, H.264 at crf 28. A maths/physics tutorial (Pythagoras, then motion graphs) in a voice no other script
uses (espeak-ng en-gb-x-rp+m3 at 138 wpm) over room noise, pen scratching and paper rustle. Five sheets:
  1  squared paper: a handwritten heading, a 3-4-5 right triangle drawn line by line, an arrow to
     "hypotenuse", the formula, the side labels, "9 + 16 = 25" with a tick, a note "Pythagorean triple!"
  2  a PRINTED worksheet (heading, name line, four numbered exercises, footer): exercise 1 circled and solved
  3  lined paper: axes, a velocity-time graph (rising, then flat), the slope worked out, hatching under it;
     then, lower on the same sheet, a second part: "SUVAT" underlined and two equations, boxed
  4  a second PRINTED worksheet: a phrase underlined, an answer written, exercise 2 circled
  5  plain paper: a short handwritten summary
Handwriting: Liberation Serif Italic thickened like a pen, jittered per character (size, turn, spacing,
baseline), dark blue, revealed character by character (a wipe in each) while its sentence is said; lines are
drawn point by point. A hand (skin blob, fingers, pen, sleeve, soft shadow) follows the pen tip, covers part
of the page, rests at the bottom right or leaves. A page change (1.6 s): the hand slides the old sheet out to
the right (0.7 s), the new one in (0.7 s), lets go. The page is nudged twice (7-8 px, 0.3 degrees, in 0.25 s);
the auto-exposure hunts once (gain +-20 %, settled in 1.2 s).

Decisions, fixed before any result was seen. The true cuts are the four page changes, each at the moment the
old sheet has left and the new one starts to come in (0.7 s into the change), +-1 s (the README's rule: a new
sheet is a new picture; writing only adds strokes, a build, no cut). Writing, the hand, the nudges and the
exposure hunting are no cuts: a boundary farther than 1 s from every true cut is a false alarm, put down to
the first situation whose window holds it: a nudge or the exposure hunting (1 s before it to 1.5 s after), a
page change (1 s before it to 1.5 s after its end), the item being written (1 s before its first stroke to
1 s after its last), else "other" (the hand or a still page). Stretches: each sheet from its cut (0 for the
first) to the next cut (the end for the last), except sheet 3, split at the first word of its second part
("Right. Let me write down the equations...") into "graph" and "equations". Section edges are scored against
the cuts plus that edge. A query's truth is the stretch in which its page / part is discussed: said (words
spoken), concept (a paraphrase without the key words), shown-printed (words only on a printed worksheet, never
spoken), shown-handwritten (words only written by hand, never spoken), diagram (the 3-4-5 triangle, the
velocity-time graph). The 18 queries were written with the material, before the first run, not changed after.

    python3 scripts/independent_document_camera.py [--out /tmp/doccam] [--reuse]

Prints cuts and section edges against the truth (P / R / F1 at +-1 s; false alarms' situations); per stretch
its segments, sections, OCR text and transcript; the visual side run again (views, frames read); per written
item when it was written, which words OCR read, and when the first OCR entry holding it starts; each query's
hit or miss (top result's IoU >= 0.5), channel scores, R1@0.5 per type, where shown / diagram results' words
lie; the run time. Writes OUT/diagnostics.json, OUT/frames/. `--reuse` scores what OUT holds. Deterministic.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
import independent_code_lecture  # noqa: E402 (its index, query report, diagnostics and command line)
import independent_lecture  # noqa: E402 (its espeak-ng reader, soundtrack and encoder)
import independent_media_lecture  # noqa: E402 (its cut report, visual side again, noise texture, wrapping)
from independent_seminar_lecture import overlap  # noqa: E402

W, H, FPS, SR = 1280, 720, 8, 16000
VOICE, RATE = "en-gb-x-rp+m3", 138
LEAD = independent_lecture.LEAD  # seconds from a sheet's arrival to its first word
GAP, PAUSE, CHANGE, SWAP, SLIDE = 1.6, 0.7, 1.6, 0.7, 0.7  # s: after the last word; between clips; page change
NAME = "tutorial04_visualizer.mp4"
HAND_FONT = "/usr/share/fonts/truetype/liberation/LiberationSerif-Italic.ttf"
PRINT = {"head": ("/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf", 32),
         "body": ("/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf", 24),
         "small": ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf", 18)}
INK = np.array([28, 42, 122], np.float32)
PAGE_W, PAGE_H = 900, 800  # the part of the sheet the camera can see, in page pixels (frame pixels at rest)
POSES = [(0, 0, -1.4), (6, -4, 1.1), (-4, 3, -0.7), (3, 5, 1.6), (-6, -2, -1.0)]  # per sheet: dx, dy, degrees
GRIP = (800, 420)  # where the hand holds a sheet it moves (page pixels)
REST, AWAY = (1215, 700), (1500, 930)  # the pen tip's frame position when resting, when the hand has left
EY = [150, 290, 420, 550]  # a worksheet's exercises: top of each one's first line
FRAME = lambda m, p: m @ np.array([p[0], p[1], 1.0])  # noqa: E731 (page pixels to frame pixels)

WORKSHEETS = {
    "worksheet A": ("Worksheet 4A: Right-angled triangles", [
        "A ladder 5 m long leans against a vertical wall. Its foot is 3 m from the wall. How high up the wall does "
        "the ladder reach?",
        "A rectangular garden gate is 120 cm wide and 160 cm tall. Find the length of its diagonal brace.",
        "Show that a triangle with sides of 7 cm, 24 cm and 25 cm must contain a right angle.",
        "A ship sails 9 km due north and then 12 km due east. How far is it from the harbour?"]),
    "worksheet B": ("Worksheet 4B: Motion in a straight line", [
        "A cyclist starts from rest and accelerates at 2 m/s² for 6 s. How far does she travel?",
        "A train slows down uniformly from 30 m/s to 10 m/s in 40 s. Find its deceleration.",
        "A stone is dropped from a bridge and hits the water 3 s later. Estimate the height of the bridge.",
        "Sketch the velocity-time graph of a lift that rises from the ground and stops at the fifth floor."]),
}
FOOTER = "Northfield Tutoring  -  Year 10 Mathematics  -  Unit 4"
HATCH = [("path", [(x, 420), (x, round(420 - (x - 130) * 200 / 160) if x < 290 else 220)])
         for x in range(160, 520, 30)]
TALK = [  # (sheet key, paper, [(stretch, speech, ink drawn while it is said)])
    ("triangles", "squared", [
        ("sheet 1", "Hello again, and welcome to tutorial four. Today we practise two things: right angled triangles "
         "first, and after that, graphs of motion. Have a pen and some paper ready, because I will write everything "
         "down as we go.", [("text", "Tutorial 4 - Triangles & motion", 60, 80, 42), ("path", [(60, 96), (650, 92)])]),
        ("sheet 1", "Let's start with a triangle that has one square corner. I'll draw the two short sides first, and "
         "then the long side that joins them.", [("path", [(110, 245), (110, 470)]), ("path", [(110, 470), (410, 470)]),
                                                ("path", [(110, 245), (410, 470)]),
                                                ("path", [(110, 446), (134, 446), (134, 470)])]),
        ("sheet 1", "The long side, opposite the square corner, is called the hypotenuse. It is always the longest of "
         "the three.", [("arrow", 470, 250, 226, 318), ("text", "hypotenuse", 480, 258, 36)]),
        ("sheet 1", "Pythagoras tells us that the squares on the two short sides add up to the square on the long "
         "side.", [("text", "a² + b² = c²", 520, 350, 46)]),
        ("sheet 1", "Let's give our triangle real lengths. The short sides are three and four centimetres, and the "
         "long side is five.", [("text", "3", 76, 372, 38), ("text", "4", 250, 512, 38), ("text", "5", 272, 342, 38)]),
        ("sheet 1", "Check it. Three squared is nine, four squared is sixteen, and together they make twenty five, "
         "which is exactly five squared. It works.", [("text", "9 + 16 = 25", 520, 440, 42),
                                                      ("path", [(790, 425), (802, 440), (826, 404)])]),
        ("sheet 1", "Whole numbers that fit together like this are rare, and worth remembering, so I will put a little "
         "note next to it.", [("text", "Pythagorean triple!", 500, 530, 36)])]),
    ("worksheet A", "print", [
        ("sheet 2", "Here is the first worksheet. Let's do number one together, and you can try the rest at home.",
         [("ellipse", 72, EY[0] + 13, 27, 22)]),
        ("sheet 2", "The ladder is the long side here, so this time we subtract: five squared minus three squared is "
         "twenty five minus nine, which leaves sixteen.", [("text", "h² = 25 - 9 = 16", 110, 262, 34)]),
        ("sheet 2", "The square root of sixteen is four, so the top of the ladder reaches four metres up the wall.",
         [("text", "h = 4 m", 470, 262, 34), ("path", [(620, 248), (631, 262), (652, 228)])]),
        ("sheet 2", "Always check which side is the longest before you start. The other questions work in the same "
         "way.", [])]),
    ("motion", "lined", [
        ("graph", "Now for the second half of today: motion. I will sketch how fast a car is going, against time.",
         [("arrow", 130, 420, 130, 120), ("arrow", 130, 420, 545, 420), ("text", "v (m/s)", 146, 128, 30),
          ("text", "t (s)", 548, 452, 30)]),
        ("graph", "The car starts from rest, speeds up steadily for ten seconds until it is doing twenty metres per "
         "second, and then it cruises at that speed.", [
             ("path", [(130, 420), (290, 220), (520, 220)]), ("path", [(290, 412), (290, 428)]),
             ("text", "10", 278, 456, 28), ("path", [(122, 220), (138, 220)]), ("text", "20", 84, 230, 28)]),
        ("graph", "The slope of the first part is the acceleration: twenty divided by ten, which gives two metres per "
         "second squared.", [("text", "a = 20 ÷ 10 = 2 m/s²", 555, 205, 32)]),
        ("graph", "And the area under the line tells you how far the car has travelled.",
         HATCH + [("text", "distance = area", 575, 300, 34)]),
        ("equations", "Right. Let me write down the equations you will use whenever the acceleration stays constant.",
         [("text", "SUVAT", 100, 530, 46), ("path", [(100, 542), (258, 539)])]),
        ("equations", "The final speed equals the starting speed plus the acceleration multiplied by the time.",
         [("text", "v = u + at", 130, 604, 40)]),
        ("equations", "And the distance is the starting speed times the time, plus one half of the acceleration times "
         "the time squared.", [("text", "s = ut + ½at²", 430, 604, 40)]),
        ("equations", "Learn these two by heart, because the exam will not give them to you.",
         [("path", [(106, 562), (722, 560), (724, 624), (104, 626), (106, 562)])])]),
    ("worksheet B", "print", [
        ("sheet 4", "The second worksheet puts those equations to work. Look at the cyclist in number one.",
         [("underline", 0, "starts from rest")]),
        ("sheet 4", "She begins standing still, so u is zero, and the distance is a half, times two, times six "
         "squared, which makes thirty six metres.", [("text", "s = ½ × 2 × 6² = 36 m", 110, 262, 34),
                                                     ("path", [(530, 248), (541, 262), (562, 228)])]),
        ("sheet 4", "Number two is about a train that is slowing down, so watch out: its acceleration comes out "
         "negative.", [("ellipse", 72, EY[1] + 13, 27, 22)]),
        ("sheet 4", "Please finish the others before Thursday, and bring your calculator.", [])]),
    ("summary", "plain", [
        ("sheet 5", "Finally, a quick summary on a clean sheet.",
         [("text", "Summary", 80, 100, 48), ("path", [(80, 112), (290, 109)])]),
        ("sheet 5", "For triangles, square the two short sides and add them: that gives the square of the long side.",
         [("text", "1)  a² + b² = c²", 90, 200, 40)]),
        ("sheet 5", "For motion, the slope of a speed graph is the acceleration, and the area under it is the "
         "distance.", [("text", "2)  slope = a,  area = s", 90, 290, 40)]),
        ("sheet 5", "That's all for today. See you next week.", [])]),
]
NUDGES = [(0, 5, 1.5, (7, 4, 0.3)), (2, 2, 0.8, (-5, 6, -0.3))]  # (sheet, clip, s into it, (dx, dy, degrees))
EXPOSURE = (3, 2, 0.4)  # (sheet, clip, s into it): the auto-exposure hunts for 1.2 s
QUERIES = [  # (query, stretch, type); written with the material, before the first run, not changed after
    ("it is always the longest of the three", "sheet 1", "said"),
    ("the famous theorem about edge lengths when one angle is ninety degrees", "sheet 1", "concept"),
    ("Pythagorean triple", "sheet 1", "shown-handwritten"),
    ("the triangle with sides 3 4 5", "sheet 1", "diagram"),
    ("the top of the ladder reaches four metres up the wall", "sheet 2", "said"),
    ("diagonal brace of a garden gate", "sheet 2", "shown-printed"),
    ("the ship that sails north and then east", "sheet 2", "shown-printed"),
    ("finding an unknown leg by taking away instead of adding", "sheet 2", "concept"),
    ("then it cruises at that speed", "graph", "said"),
    ("the velocity time graph that rises and then goes flat", "graph", "diagram"),
    ("the steepness of a plotted curve reveals how quickly velocity grows", "graph", "concept"),
    ("the exam will not give them to you", "equations", "said"),
    ("SUVAT", "equations", "shown-handwritten"),
    ("formulas for uniformly changing velocity to memorise", "equations", "concept"),
    ("its acceleration comes out negative", "sheet 4", "said"),
    ("a stone dropped from a bridge", "sheet 4", "shown-printed"),
    ("a lift that stops at the fifth floor", "sheet 4", "shown-printed"),
    ("a recap of everything covered in this session", "sheet 5", "concept"),
]


@functools.lru_cache(maxsize=None)
def font(path: str, px: int):
    from PIL import ImageFont

    return ImageFont.truetype(path, px)


def glyphs(text: str, x: float, y: float, size: int, rng) -> list[tuple]:
    """Handwritten `text` with its baseline at (x, y): per character ("glyph", left, top, alpha patch 0..1, 1
    writing unit), each with its own size, turn, baseline and spacing, thickened to a pen's even stroke."""
    from PIL import Image, ImageDraw, ImageFilter

    out = []
    for ch in text:
        if ch == " ":
            x += font(HAND_FONT, size).getlength(" ") * rng.uniform(1.5, 2.0)
            continue
        px = max(8, round(size * rng.uniform(0.88, 1.12)))
        f = font(HAND_FONT, px)
        im = Image.new("L", (2 * px + int(f.getlength(ch)), 2 * px), 0)
        ImageDraw.Draw(im).text((px, 1.4 * px), ch, font=f, fill=255, anchor="ls")
        im = im.filter(ImageFilter.MaxFilter(3)).rotate(rng.uniform(-8, 8), Image.BILINEAR, center=(px, 1.4 * px))
        top, box = y - 1.4 * px + rng.normal(0, 2.2), im.getbbox()
        out += [("glyph", int(x - px + box[0]), int(top + box[1]), np.asarray(im.crop(box), np.float32) / 255, 1.0)]
        x += f.getlength(ch) * rng.uniform(0.96, 1.1) + rng.uniform(-0.5, 1.5)
    return out


def strokes(item: tuple, key: str, rng) -> list[tuple]:
    """An ink item as pieces drawn one after another: glyphs, or ("seg", p0, p1, None, units: 1 per 55 px)."""
    kind, *a = item
    if kind == "text":
        return glyphs(*a, rng)
    if kind == "arrow":
        x0, y0, x1, y1 = a
        d = np.array([x1 - x0, y1 - y0], float) / np.hypot(x1 - x0, y1 - y0)
        h0, h1 = (np.array([x1, y1]) - 20 * (np.array([[np.cos(r), -np.sin(r)], [np.sin(r), np.cos(r)]]) @ d)
                  for r in (0.45, -0.45))
        lines = [[(x0, y0), (x1, y1)], [tuple(h0), (x1, y1), tuple(h1)]]
    elif kind == "ellipse":
        u = np.linspace(0.3, 0.3 + 2.15 * np.pi, 24)
        lines = [list(zip(a[0] + a[2] * np.cos(u) * (1 + 0.04 * u), a[1] + a[3] * np.sin(u)))]
    elif kind == "underline":  # under a phrase of a worksheet's exercise, as `printed` sets it
        f = font(*PRINT["body"])
        k, text = next((k, s) for k, s in enumerate(independent_media_lecture.wrap(WORKSHEETS[key][1][a[0]], f, 760))
                       if a[1] in s)
        x0, y = 100 + f.getlength(text[:text.index(a[1])]), EY[a[0]] + 30 * k + 27
        lines = [[(x0, y), (x0 + f.getlength(a[1]), y + 1)]]
    else:
        lines = [a[0]]
    return [("seg", (p0[0] + rng.normal(0, 0.6), p0[1] + rng.normal(0, 0.6)), p1, None,
             max(0.15, np.hypot(p1[0] - p0[0], p1[1] - p0[1]) / 55)) for ln in lines for p0, p1 in zip(ln, ln[1:])]


def paper(kind: str, key: str, rng) -> np.ndarray:
    """A sheet's paper (float RGB, PAGE_H x PAGE_W): off-white with fibre; squared, lined, plain or printed (a
    worksheet: heading, name and date line, four numbered exercises, the school's footer)."""
    from PIL import Image, ImageDraw

    tex = independent_media_lecture.fractal((PAGE_H, PAGE_W), rng)[..., None]
    base = np.array((246, 245, 240) if kind == "print" else (238, 234, 222), np.float32)
    im = Image.fromarray(np.clip(base + 6 * (tex - 0.5), 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(im)
    for v in range(14, PAGE_W, 28) if kind == "squared" else ():
        d.line([v, 0, v, PAGE_H], fill=(186, 202, 222))
        d.line([0, v, PAGE_W, v], fill=(186, 202, 222))
    for v in range(70, PAGE_H, 36) if kind == "lined" else ():
        d.line([0, v, PAGE_W, v], fill=(160, 184, 220), width=2)
    if kind == "lined":
        d.line([72, 0, 72, PAGE_H], fill=(222, 128, 128), width=2)
    if kind == "print":
        heading, exercises = WORKSHEETS[key]
        d.text((60, 48), heading, font=font(*PRINT["head"]), fill=(20, 20, 24))
        d.text((60, 100), "Name: ______________________     Date: ____________", font=font(*PRINT["small"]),
               fill=(50, 50, 56))
        for k, text in enumerate(exercises):
            d.text((60, EY[k]), f"{k + 1}.", font=font(*PRINT["body"]), fill=(20, 20, 24))
            for i, s in enumerate(independent_media_lecture.wrap(text, font(*PRINT["body"]), 760)):
                d.text((100, EY[k] + 30 * i), s, font=font(*PRINT["body"]), fill=(20, 20, 24))
        d.text((60, 664), FOOTER, font=font(*PRINT["small"]), fill=(90, 90, 96))
    return np.asarray(im, np.float32)


def timeline(clips: list[list[np.ndarray]]) -> dict:
    """Sheets (arrival, each clip's start and end, departure, start and end of its time), cuts, duration."""
    sheets, t = [], 0.0
    for (key, kind, _), sounds in zip(TALK, clips):
        at, placed = t + LEAD, []
        for clip in sounds:
            placed.append((round(at, 3), round(at + len(clip) / SR, 3)))
            at += len(clip) / SR + PAUSE
        sheets.append({"key": key, "paper": kind, "arrive": round(t, 3), "leave": round(at - PAUSE + GAP, 3),
                       "clips": placed})
        t = sheets[-1]["leave"] + CHANGE
    duration = round(sheets[-1]["leave"] + 0.5, 3)
    cuts = [round(s["leave"] + SWAP, 3) for s in sheets[:-1]]
    for k, s in enumerate(sheets):
        s["start"], s["end"] = ([0.0] + cuts)[k], (cuts + [duration])[k]
    return {"sheets": sheets, "cuts": cuts, "duration": duration}


def schedule(line: dict, rng) -> list[dict]:
    """Every piece of ink with its sheet, item and [t0, t1], in time order: each clip's items are drawn from
    0.4 s after its first word to its last word, at most 0.42 s a unit, with 0.6 units of travel between items."""
    pieces: list[dict] = []
    for k, ((key, _, lines), sheet) in enumerate(zip(TALK, line["sheets"])):
        for (_, _, items), (a, b) in zip(lines, sheet["clips"]):
            parts = [strokes(item, key, rng) for item in items]
            units = sum(p[-1] for part in parts for p in part) + 0.6 * max(0, len(parts) - 1)
            unit, t = min(0.42, (b - a - 0.4) / max(units, 1e-6)), a + 0.4
            for item, part in zip(items, parts):
                n = len({p["id"] for p in pieces})
                for p in part:
                    pieces.append({"sheet": k, "t0": t, "t1": t + p[-1] * unit, "piece": p, "id": n,
                                   "item": item[1] if item[0] == "text" else item[0]})
                    t += p[-1] * unit
                t += 0.6 * unit
    return pieces


def draw_piece(alpha: np.ndarray, piece: tuple, frac: float) -> tuple[float, float]:
    """`frac` of a piece of ink added into `alpha` (max); returns where the pen tip is."""
    import cv2

    kind, a, b, patch, _ = piece
    if kind == "glyph":
        h, w = patch.shape
        n = max(1, round(w * frac))
        view = alpha[max(0, b):b + h, max(0, a):a + n]
        np.maximum(view, patch[max(0, -b):max(0, -b) + view.shape[0], max(0, -a):max(0, -a) + view.shape[1]],
                   out=view)
        return a + n, b + 0.7 * h
    p = (a[0] + (b[0] - a[0]) * frac, a[1] + (b[1] - a[1]) * frac)
    cv2.line(alpha, (int(a[0] * 4), int(a[1] * 4)), (int(p[0] * 4), int(p[1] * 4)), 0.95, 3, cv2.LINE_AA, 2)
    return p


def placement(line: dict, k: int, t: float) -> np.ndarray:
    """Sheet k's page-to-frame matrix at t: its resting pose, the nudges so far, sliding out and in."""
    import cv2

    dx, dy, th = POSES[k]
    sheet = line["sheets"][k]
    for s, c, after, (ndx, ndy, nth) in NUDGES:
        u = np.clip((t - sheet["clips"][c][0] - after) / 0.25, 0, 1) if s == k else 0.0
        dx, dy, th = dx + u * ndx, dy + u * ndy, th + u * nth
    ease = lambda u: 0.5 - 0.5 * np.cos(np.pi * np.clip(u, 0, 1))  # noqa: E731
    dx += 1150 * ease((t - sheet["leave"]) / SLIDE)
    dx += 1150 * (1 - ease((t - sheet["arrive"] + CHANGE - SWAP) / SLIDE)) if k else 0.0
    m = cv2.getRotationMatrix2D((PAGE_W / 2, 345), th, 1.0)
    m[:, 2] += (W / 2 + dx - PAGE_W / 2, 375 + dy - 345)
    return m


HAND = [("poly", [(70, 30), (470, 300), (380, 420), (20, 120)], (60, 84, 70)),  # the sleeve
        ("poly", [(60, 50), (240, 170), (190, 250), (30, 110)], (214, 160, 128)),  # the forearm
        ("ellipse", ((92, 96), (64, 46), 35), (222, 170, 138)), ("ellipse", ((40, 52), (22, 13), 48), (226, 176, 146)),
        ("ellipse", ((30, 80), (24, 11), 8), (218, 166, 134)), ("pen", (58, 72), (32, 32, 44))]


def hand(frame: np.ndarray, p: np.ndarray) -> np.ndarray:
    """`frame` (uint8) with the hand whose pen tip is at p: its soft shadow down and to the left, then a sleeve,
    a forearm, a palm, fingers and a pen (float)."""
    import cv2

    if p[0] > W + 60 and p[1] > H + 60:
        return frame.astype(np.float32)
    mask, colour = np.zeros((H, W), np.uint8), np.zeros((H, W, 3), np.uint8)
    for kind, a, rgb in HAND:
        for img, val in ((mask, 255), (colour, rgb)):
            if kind == "poly":
                cv2.fillPoly(img, [np.array([(p[0] + u, p[1] + v) for u, v in a], np.int32)], val, cv2.LINE_AA)
            elif kind == "ellipse":
                cv2.ellipse(img, (int(p[0] + a[0][0]), int(p[1] + a[0][1])), a[1], a[2], 0, 360, val, -1,
                            cv2.LINE_AA)
            else:
                cv2.line(img, (int(p[0]), int(p[1])), (int(p[0] + a[0]), int(p[1] + a[1])), val, 7, cv2.LINE_AA)
    shadow = cv2.GaussianBlur(np.roll(mask, (14, -18), (0, 1)), (0, 0), 10).astype(np.float32)[..., None] / 255
    soft = cv2.GaussianBlur(mask, (0, 0), 1.2).astype(np.float32)[..., None] / 255
    lit = colour.astype(np.float32) * (0.9 + 0.15 * np.linspace(1, 0, W, dtype=np.float32)[None, :, None])
    return frame.astype(np.float32) * (1 - 0.38 * shadow) * (1 - soft) + lit * soft


def desk(rng) -> np.ndarray:
    """Wood grain: stretched fractal noise, rings, two planks' seam."""
    import cv2

    tex = cv2.resize(independent_media_lecture.fractal((H // 8, W), rng), (W, H), interpolation=cv2.INTER_CUBIC)
    rings = np.sin(np.linspace(0, 18, W)[None, :] + 9 * tex + np.linspace(0, 3, H)[:, None])
    img = np.stack([150 + 30 * tex + 8 * rings, 102 + 22 * tex + 6 * rings, 62 + 14 * tex + 4 * rings], -1)
    img[:, 636:640] *= 0.7
    return np.clip(img, 0, 255).astype(np.uint8)


def target(line: dict, pieces: list[dict], k: int, t: float, m: np.ndarray) -> tuple:
    """Where the pen tip goes at t and whether it is held there: a sheet being slid (held once it moves), the
    start of the next item within 0.8 s, rest for 1.2 s after writing, else away."""
    sheet = line["sheets"][k]
    if t >= sheet["leave"] - 0.8 and k + 1 < len(line["sheets"]):
        return FRAME(m, GRIP), t >= sheet["leave"]
    if k and t < sheet["arrive"] - 0.2:
        return FRAME(m, GRIP), True
    ahead = next((p for p in pieces if p["sheet"] == k and p["t1"] > t), None)
    if ahead and ahead["t0"] - t < 0.8:
        piece = ahead["piece"]
        return FRAME(m, (piece[1], piece[2]) if piece[0] == "glyph" else piece[1]), False
    done = [p["t1"] for p in pieces if p["sheet"] == k and p["t1"] <= t]
    return (REST if done and t - done[-1] < 1.2 else AWAY), False


class Camera:
    """The pictures: each sheet's paper and ink, placed on the desk, the hand, light, noise and a soft lens."""

    def __init__(self, line: dict, pieces: list[dict], rng):
        import cv2

        self.line, self.pieces, self.rng = line, pieces, rng
        self.papers = [paper(s["paper"], s["key"], np.random.default_rng(20 + k)) for k, s in enumerate(line["sheets"])]
        self.desk, self.pen = desk(np.random.default_rng(3)), np.array(AWAY, float)
        yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
        r2 = ((xx - W / 2) / (W / 2)) ** 2 + ((yy - H / 2) / (H / 2)) ** 2
        self.light = (1.02 - 0.16 * r2 - 0.04 * (xx / W))[..., None]
        self.noise = [cv2.GaussianBlur(rng.normal(0, 6.4, (H, W, 3)).astype(np.float32), (0, 0), 0.6)
                      for _ in range(10)]
        self.sheet, self.alpha, self.done, self.cache = -1, None, 0, (None, None)

    def page(self, k: int, t: float) -> tuple[np.ndarray, tuple | None]:
        """Sheet k's page at t (paper and ink) and the pen tip in page pixels (None when not writing)."""
        if k != self.sheet:
            self.sheet, self.alpha = k, np.zeros((PAGE_H, PAGE_W), np.float32)
            self.done = next((i for i, p in enumerate(self.pieces) if p["sheet"] >= k), len(self.pieces))
        todo = self.pieces[self.done:]
        while todo and todo[0]["sheet"] == k and todo[0]["t1"] <= t:
            draw_piece(self.alpha, todo.pop(0)["piece"], 1.0)
            self.done += 1
        alpha, tip, key = self.alpha, None, (k, self.done)
        if todo and todo[0]["sheet"] == k and todo[0]["t0"] <= t:
            alpha, p = self.alpha.copy(), todo[0]
            tip, key = draw_piece(alpha, p["piece"], (t - p["t0"]) / (p["t1"] - p["t0"])), (k, self.done, t)
        if self.cache[0] != key:
            self.cache = (key, self.papers[k] * (1 - 0.92 * alpha[..., None]) + INK * 0.92 * alpha[..., None])
        return self.cache[1], tip

    def frame(self, t: float) -> np.ndarray:
        """The picture at t: the sheet under the camera (the old one until it has slid out) with its shadow on
        the desk, the hand, the light (vignetting, exposure), noise and the lens's blur."""
        import cv2

        k = next(i for i, s in enumerate(self.line["sheets"]) if t < s["leave"] + SWAP or i == len(self.papers) - 1)
        page, tip = self.page(k, t)
        m = placement(self.line, k, t)
        out = self.desk.copy()
        corners = np.array([FRAME(m, c) for c in ((0, 0), (PAGE_W, 0), (PAGE_W, PAGE_H + 300), (0, PAGE_H + 300))])
        cv2.fillPoly(out, [(corners + (-5, 7)).astype(np.int32)], (84, 58, 36), cv2.LINE_AA)
        cv2.warpAffine(page.astype(np.uint8), m, (W, H), dst=out, borderMode=cv2.BORDER_TRANSPARENT)
        goal, held = (FRAME(m, tip), True) if tip is not None else target(self.line, self.pieces, k, t, m)
        d = np.asarray(goal, float) - self.pen
        self.pen += d if held or np.hypot(*d) <= 180 else d * 180 / np.hypot(*d)
        s, c, after = EXPOSURE
        u = t - self.line["sheets"][s]["clips"][c][0] - after
        gain = 1.0 + (0.2 * np.sin(2 * np.pi * u / 1.2) * (1 - u / 1.2) if 0 <= u < 1.2 else 0.0)
        pic = hand(out, self.pen) * (self.light * gain) + self.noise[int(self.rng.integers(len(self.noise)))]
        return cv2.GaussianBlur(np.clip(pic, 0, 255).astype(np.uint8), (0, 0), 0.7)


def sound(clips: list[np.ndarray], line: dict, pieces: list[dict], rng) -> np.ndarray:
    """The voice over room noise (independent_lecture.soundtrack), pen scratching while ink is drawn, paper
    rustling while a sheet slides, and hiss."""
    from scipy.signal import butter, sosfilt

    audio = independent_lecture.soundtrack(clips, [a - LEAD for s in line["sheets"] for a, _ in s["clips"]],
                                           line["duration"], rng)
    n = audio.size
    pen, rustle = np.zeros(n, np.float32), np.zeros(n, np.float32)
    for p in pieces:
        pen[int(p["t0"] * SR):int(p["t1"] * SR)] = rng.uniform(0.5, 1.0)
    for s in line["sheets"][:-1]:
        rustle[int(s["leave"] * SR):int((s["leave"] + CHANGE - 0.2) * SR)] = 1.0
    audio += 0.012 * pen * sosfilt(butter(4, [2500, 6000], "band", fs=SR, output="sos"), rng.normal(0, 1, n))
    audio += 0.05 * rustle * sosfilt(butter(2, [400, 4000], "band", fs=SR, output="sos"), rng.normal(0, 1, n))
    return audio + 0.003 * rng.normal(0, 1, n).astype(np.float32)


def render(out: Path) -> dict:
    """Writes OUT/NAME, OUT/truth.json and OUT/frames/*.png (each sheet's fullest frame, each cut, the nudges
    and the exposure hunting); returns the truth."""
    import av
    from PIL import Image

    rng = np.random.default_rng(41)
    clips = [independent_lecture.speak(text, VOICE, RATE) for _, _, lines in TALK for _, text, _ in lines]
    it = iter(clips)
    line = timeline([[next(it) for _ in lines] for _, _, lines in TALK])
    pieces = sorted(schedule(line, np.random.default_rng(5)), key=lambda p: p["t0"])
    truth, camera = truth_of(line, pieces), Camera(line, pieces, rng)
    keep = {round(s["leave"] * FPS) - 2: f"{k + 1}_full" for k, s in enumerate(line["sheets"])}
    keep.update({round(c * FPS): f"cut{k + 1}" for k, c in enumerate(line["cuts"])})
    keep.update({round(a * FPS) + 1: n for n, (a, _, _) in truth["situations"].items() if n[:5] in ("nudge", "expos")})
    (out / "frames").mkdir(exist_ok=True)
    with av.open(str(out / NAME), "w") as container:
        video, audio_stream = independent_lecture.streams(container, FPS)
        video.options = {"crf": "28"}
        for f in range(int(line["duration"] * FPS)):
            frame = camera.frame(f / FPS)
            if f in keep:
                Image.fromarray(frame).save(out / "frames" / f"{f / FPS:06.1f}_{keep[f]}.png")
            for packet in video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        independent_lecture.finish(container, video, audio_stream, sound(clips, line, pieces, rng))
    (out / "truth.json").write_text(json.dumps(truth, indent=1))
    print(f"rendered {line['duration']:.1f} s at {W}x{H}, {FPS} fps; cuts {line['cuts']}; stretches: " +
          ", ".join(f"{n} {a:.1f}-{b:.1f}" for a, b, n in truth["stretches"]) + "; events: " +
          ", ".join(f"{n} {a:.1f}" for n, (a, _, _) in truth["situations"].items() if not n.startswith("writing")))
    return truth


def truth_of(line: dict, pieces: list[dict]) -> dict:
    """Cuts, stretches (a sheet, or a part of sheet 3 from its first word), each written item's time, the
    situations false alarms are put down to (in the order they are looked up), the queries' spans."""
    stretches: list[list] = []
    for s, (_, _, lines) in zip(line["sheets"], TALK):
        for i, ((a, _), (name, _, _)) in enumerate(zip(s["clips"], lines)):
            if i == 0:
                stretches.append([s["start"], s["end"], name])
            elif name != stretches[-1][2]:
                stretches[-1][1] = a
                stretches.append([a, s["end"], name])
    items: dict = {}
    for p in pieces:
        items.setdefault(p["id"], {"sheet": p["sheet"], "text": p["item"], "start": p["t0"]})["end"] = p["t1"]
    situations = {}
    for n, (s, c, after, *_) in enumerate([*NUDGES, (*EXPOSURE, "exposure")], 1):
        a = line["sheets"][s]["clips"][c][0] + after
        situations[f"nudge {n}" if n <= len(NUDGES) else "exposure hunting"] = [a, a, a + 1.5]
    for k, s in enumerate(line["sheets"][:-1], 1):
        situations[f"page change {k}"] = [s["leave"], s["leave"], s["leave"] + CHANGE + 1.5]
    for it in items.values():
        name = f"writing {it['text']!r} on sheet {it['sheet'] + 1} at {it['start']:.1f}"
        situations[name] = [it["start"], it["start"], it["end"] + 1.0]
    span = {n: (a, b) for a, b, n in stretches}
    return {"sheets": line["sheets"], "duration": line["duration"], "cuts": line["cuts"], "stretches": stretches,
            "stretch_edges": [a for a, _, _ in stretches[1:]], "situations": situations,
            "ink": [it for it in items.values() if it["text"] not in ("path", "arrow", "ellipse", "underline")],
            "queries": [[q, *span[target], kind] for q, target, kind in QUERIES]}


def report_stretches(rec, diag: dict, truth: dict) -> None:
    """Per stretch: the visual segments, sections, OCR entries (text) and transcript chunks overlapping it 1 s+."""
    for a, b, name in truth["stretches"]:
        segs = [(round(s, 1), round(e, 1)) for s, e in rec.visual_segments if overlap(s, e, a, b) > 1.0]
        secs = [(round(s, 1), round(e, 1)) for s, e in rec.sections if overlap(s, e, a, b) > 1.0]
        print(f"{name} {a:.1f}-{b:.1f}: visual segments {segs}, sections {secs}")
        for s, e, text in (o for o in diag["ocr"] if overlap(o[0], o[1], a, b) > 1.0):
            print(f"    ocr {s:6.1f}-{e:6.1f}: {text[:400]!r}")
        for s, e, text in (c for c in diag["transcript"] if overlap(c[0], c[1], a, b) > 1.0):
            print(f"    asr {s:6.1f}-{e:6.1f}: {text[:200]!r}")


def handwriting(diag: dict, truth: dict) -> None:
    """Per handwritten item: when it was written, which of its words the OCR entries over its sheet hold, the
    OCR line most like it, and the first entry holding most of its words (placed before or after the writing)."""
    words = lambda text: re.findall(r"[a-z0-9]+", text.lower())  # noqa: E731
    got, total = 0, 0
    for it in truth["ink"]:
        sheet = truth["sheets"][it["sheet"]]
        entries = [o for o in diag["ocr"] if overlap(o[0], o[1], sheet["start"], sheet["end"]) > 1.0]
        want, have = words(it["text"]), {w for o in entries for w in words(o[2])}
        found = [w for w in want if w in have]
        got, total = got + len(found), total + len(want)
        best = max((ln for o in entries for ln in o[2].split(" · ")), default="",
                   key=lambda ln: difflib.SequenceMatcher(None, ln.lower(), it["text"].lower()).ratio())
        first = next((o for o in entries if want and 2 * sum(w in words(o[2]) for w in want) >= len(want)), None)
        when = f"first entry holding it {first[0]:.1f}-{first[1]:.1f} ({first[0] - it['start']:+.1f} s from the " \
               "writing's start)" if first else "in no entry"
        print(f"hand sheet {it['sheet'] + 1} written {it['start']:6.1f}-{it['end']:6.1f} {it['text']!r}: words "
              f"read {len(found)}/{len(want)} {found}; likest OCR line {best!r}; {when}")
    print(f"handwritten words found in the OCR text of their sheet: {got}/{total}")


def evaluate(out: Path, truth: dict, reuse: bool) -> None:
    from momentsearch.evaluate import boundary_scores, detected_boundaries

    index = independent_code_lecture.indexed(out, NAME, reuse)
    rec = index.videos()[0]
    independent_media_lecture.score_cuts(rec, index, truth)
    kinds = [re.sub(r" \d.*| '.*", "", independent_media_lecture.situation_of(x, truth))
             for x in detected_boundaries(index)[rec.path] if all(abs(x - c) > 1.0 for c in truth["cuts"])]
    print(f"false alarms per situation kind: {dict((k, kinds.count(k)) for k in sorted(set(kinds)))}")
    sc = boundary_scores([float(a) for a, _ in rec.sections[1:]], truth["stretch_edges"])
    print(f"section edges vs stretch edges {[round(x, 1) for x in truth['stretch_edges']]}: P {sc.precision:.2f} "
          f"R {sc.recall:.2f} F1 {sc.f1:.2f} at +-1 s")
    diag = independent_code_lecture.diagnostics(index, rec)
    report_stretches(rec, diag, truth)
    independent_media_lecture.NAME = NAME  # its visual_detail reads OUT/NAME by its own module's name
    diag["visual_detail"] = independent_media_lecture.visual_detail(out)
    print("\n".join(f"    segment {g['start']}-{g['end']} keyframe {g['keyframe']}{' forced' * g['forced']}, views "
                    f"{g['views']}" for g in diag["visual_detail"]["segments"]) + "\n    OCR read frames at "
          f"{[round(t, 1) for t in diag['visual_detail']['ocr_frames']]}")
    handwriting(diag, truth)
    independent_code_lecture.run_queries(index, truth["queries"], diag)
    for q in (q for q in diag["queries"] if q["type"] not in ("said", "concept") and q["results"]):
        top = q["results"][0]
        print(f"{q['type']:17s} truth {q['truth'][0]:6.1f}-{q['truth'][1]:6.1f} top {top['start']}-{top['end']} "
              f"words at {top['hit']}, evidence {json.dumps(top['evidence'])[:200]} | {q['query']}")
    (out / "diagnostics.json").write_text(json.dumps(diag, indent=1, default=str))


def main() -> int:
    return independent_code_lecture.run_probe(__doc__, "/tmp/doccam", render, evaluate)


if __name__ == "__main__":
    sys.exit(main())
