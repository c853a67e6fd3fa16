#!/usr/bin/env python3
"""A recorded online class (a seminar held in a video-meeting app, Zoom / Teams, recorded by the host as
"GMT20261112-140312_Recording_1280x720.mp4") rendered without momentsearch.testing, indexed and searched: a check
on a kind of real recording nothing was tuned on. 1280x720 at 10 fps, ~5 min: "Introduction to Epidemiology"
(EPID 201), eight participants, the app's layouts drawn with PIL / OpenCV:
  gallery   3x3 tiles: three webcams (the panel probe's figures in its blurred studio: swaying, blinking,
            talking; sensor noise, auto exposure), five cameras off (a name on grey); a name and a mic-muted
            icon on each tile; a yellow-green border round whoever speaks
  speaker   the speaker full frame (webcam or name card) under a strip of four tiles; it follows the voice
            with the app's LAG (1 s)
  share     a green "You are viewing Dr. Priya Raman's screen" pill on top, the shared picture letterboxed at
            the left, four tiles at the right. Shared: ONE slide deck (white page, teal title band; a map, an
            epidemic curve, a table, two columns), later a browser (a county dashboard, then a news article
            scrolled down), then the slides again
  overlays  a "Recording..." badge; two chat toasts sliding in for 4 s; a raised hand on Maya's tile before
            she asks; a thumbs-up floating over Tom's tile; the instructor's auto exposure jumps once
Speech: the instructor (espeak-ng en-gb-x-rp+f4, 150 wpm); Tom (en-us+m4, 165 wpm, camera on) through a
band-limited headset with dropouts asks about vaccines in the slide share (the answer overlaps his last 0.5 s);
Maya (en-gb-scotland+f2, 155 wpm, camera off), quieter, with echo, asks about tracing apps in speaker view;
keyboard clicks. Topic 4 starts while topic 3's last slide is still up; topic 5 is in speaker view only.

Decisions, fixed before any result was seen. A true picture cut (+-1 s) is every change of what fills the
frame: a slide or web-page change in a share ("page"), a switch between gallery / speaker view / slide share /
browser share ("layout"), and a switch of the full-frame speaker in speaker view ("speaker": the whole frame
becomes another camera, as a camera switch in an edit; the panel probe counts those too). None: the border
moving, the strips' content, badge, toasts, hand, reaction, webcam motion, noise and exposure, the scroll. Cuts
are scored together and per kind (the other kinds optional); a boundary farther than 1 s from every true cut
is a false alarm, put down to the overlay / exposure / scroll / highlight change in whose window (its start -
1 s to its end + 1 s) it lies, else "other". Topics: intro, topics 1-6, closing, each from its first block's
start (a cut, or 0.6 s before its first word where the picture stays) to the next; section edges are scored
against the true cuts and the topic edges alone. Units: the stretches between consecutive true cuts and topic
edges. Query truth: said / concept: the unit the words are said in; shown: the unit where the words are first
on screen (slide or web page); topic: its topic; what happened: "the dashboard" the dashboard's unit, a
student's question the exchange (the question's first word to the end of the answer). The 20 queries were
written with the material, before the first run, and not changed after.

    python3 scripts/independent_meeting_class.py [--out /tmp/meeting] [--reuse]

Prints cuts (all, per kind) and section edges against the truth (P / R / F1 at +-1 s) with each false alarm's
situation, what the index holds over each situation and unit (visual segments, OCR text, transcript chunks),
the chapters, each query's type, hit or miss (top result's IoU >= 0.5), truth, top span, IoU and channel
scores, and the run time; writes OUT/diagnostics.json. `--reuse` scores what OUT holds. Deterministic (fixed
seeds). One recording in its own index: a probe, not a benchmark.
"""

from __future__ import annotations

import json
import sys
from functools import cache, lru_cache
from itertools import pairwise
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
import independent_code_lecture  # noqa: E402 (its index, query report and command line)
import independent_lecture  # noqa: E402 (its espeak-ng reader, soundtrack, narrowband sound and encoder)
import independent_media_lecture  # noqa: E402 (its cut report, noise texture and line wrapping)
import independent_panel_discussion  # noqa: E402 (its RGBA overlay blend)
import independent_seminar_lecture  # noqa: E402 (its report of what the index holds per situation)

W, H, FPS, SR = 1280, 720, 10, 16000
NAME = "GMT20261112-140312_Recording_1280x720.mp4"
LEAD = independent_lecture.LEAD  # seconds from a block's start to its first sound
GAP, PAUSE, LAG = 1.5, 0.8, 1.0  # s: after a block's last word; between two clips; the speaker view's lag
TOAST_FOR, SLIDE_IN = 4.0, 0.4  # s: a chat toast shown; its slide in / out
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans{}.ttf"
TEAL, INK, PAPER = (0, 118, 128), (36, 40, 48), (255, 255, 255)
CAM = (360, 640)  # a webcam picture's height, width
SHARE = (0, 32, 1040, 688)  # the shared picture's area: x, y, width, height
PEOPLE = {  # key: (name, look: a person of the panel probe, None: camera off; voice, rate); the gallery's order
    "I": ("Dr. Priya Raman", "M", "en-gb-x-rp+f4", 150), "T": ("Tom Becker", "A", "en-us+m4", 165),
    "A": ("Aisha Khan", "B", None, 0), "M": ("Maya Lindqvist", None, "en-gb-scotland+f2", 155),
    "J": ("Jonas Weber", None, None, 0), "L": ("Leo Park", None, None, 0), "N": ("Nora Ali", None, None, 0),
    "P": ("iPad (Sam)", None, None, 0),
}
SLIDES = {  # key: (title, lines); "title", "snow", "curve", "herd" and "designs" are drawn their own way
    "title": ("Introduction to Epidemiology", ["EPID 201  ·  Week 3 seminar", "Dr. Priya Raman"]),
    "define": ("What Is Epidemiology?", ["Distribution and determinants of health states",
                                         "Person · Place · Time", "Applied to control health problems"]),
    "measures": ("Incidence and Prevalence", ["Incidence = new cases / population at risk / period",
                                              "Prevalence = existing cases / population",
                                              "Prevalence ≈ incidence × mean duration"]),
    "snow": ("Broad Street, 1854", ["Deaths (bars) and water pumps (triangles), Soho, after J. Snow"]),
    "curve": ("Reading an Epidemic Curve", ["Point source: one sharp peak", "Propagated: successive waves"]),
    "r0": ("The Reproduction Number R0", ["Mean secondary cases from one case", "In a fully susceptible population",
                                          "R0 > 1: the outbreak grows"]),
    "herd": ("Herd Immunity Threshold", ["HIT = 1 - 1/R0", "Measles  R0 12-18  ->  92-95 %",
                                         "Polio  R0 5-7  ->  80-86 %", "Influenza  R0 1.5-2  ->  33-50 %"]),
    "designs": ("Cohort vs Case-Control", ["Cohort", "exposure -> outcome", "follow forward", "relative risk",
                                           "Case-control", "outcome -> exposure", "look back", "odds ratio"]),
    "summary": ("Summary", ["Counting disease: new and existing cases", "Outbreaks: maps and curves",
                            "Transmission and thresholds", "Two designs for causes"]),
    "reading": ("For Next Week", ["Gordis, Epidemiology, ch. 3-4", "Problem set 2 due Friday 17:00",
                                  "Office hours: Thursday 10-12, Room B214"]),
}
BLOCKS = [  # (layout, page, topic, [(who, words[, pause before])]); "K" is keyboard clicks; not changed after
    ("gallery", None, "intro", [("I", "Hi everyone, can you hear me all right? Good. Most of you have joined, so "
     "let's get started. This session is being recorded for those who could not make it. Today is our "
     "introduction to epidemiology, and I will share my slides now.")]),
    ("slides", "title", "topic 1", [("I", "So, welcome to week three. This seminar is the starting point for the "
     "whole module.")]),
    ("slides", "define", "topic 1", [("I", "Epidemiology asks who gets ill, where, and when, and then why. We "
     "compare groups of people rather than treating one patient, and the point is always practical: the results "
     "are used to prevent and control disease in the community.")]),
    ("slides", "measures", "topic 1", [("I", "Two numbers come up again and again. One counts how many people newly "
     "fall ill over a period, the other takes a snapshot of everyone who is ill on a given day. A long lasting "
     "condition like diabetes has a large snapshot, even when few new cases appear each year.")]),
    ("slides", "snow", "topic 2", [("I", "Our first outbreak is a classic. In London in eighteen fifty four, a "
     "doctor marked every cholera death on a street map, and saw them crowd around one water pump. He persuaded "
     "the parish to remove the pump handle, and the deaths fell away.")]),
    ("slides", "curve", "topic 2", [("I", "When you plot cases by the day they fell ill, the shape tells a story. A "
     "single sharp peak points to one shared source, like a contaminated meal. Several waves, each a few days "
     "apart, mean the infection is spreading from person to person.")]),
    ("slides", "r0", "topic 3", [("I", "That brings us to transmission. Imagine one infected person arriving in a "
     "town where nobody is protected. The average number of people they go on to infect is the famous R nought. "
     "If it is above one, each generation of cases is bigger than the last.")]),
    ("slides", "herd", "topic 3", [("I", "Now, if enough people are immune, the chain breaks, even for those who are "
     "not. The more contagious the disease, the higher that share must be, which is why measles needs almost "
     "everyone protected."),
     ("T", "Sorry, quick question. Does that mean that every single person has to be vaccinated, or is there some "
      "room for people who can't get the vaccine?"),
     ("I", "Great question, Tom. No, not every single person. The whole idea is that the protected majority "
      "shields the few who cannot be vaccinated, such as newborn babies or patients on chemotherapy.", -0.5)]),
    ("slides", "herd", "topic 4", [("I", "Let me change gear now and talk about how we actually study causes. There "
     "are two classic designs, and students often mix them up.")]),
    ("slides", "designs", "topic 4", [("I", "In one, we start with healthy people, record who is exposed, and follow "
     "them for years to see who gets ill. In the other, we start from people who already have the disease, find "
     "similar people who do not, and look back at their past. The second is much faster for rare diseases.")]),
    ("speaker", None, "topic 5", [("I", "I'll stop sharing for a moment, because I want to talk about something that "
     "is not on any slide: the ethics of tracing contacts. During an outbreak, health workers ask patients who "
     "they have met, and then call those people, sometimes strangers, to tell them they may be infected. That "
     "protects the public, but it also exposes private lives."),
     ("M", "Hi, it's Maya. What about the phone apps that did this automatically during the pandemic? Were they "
      "actually any good?"),
     ("I", "Good point, Maya. The apps were popular in some countries and ignored in others. The ones that kept "
      "data on the phone instead of a central server earned more trust, but far too few people installed them "
      "to make a real difference.")]),
    ("browser", "dashboard", "topic 6", [("K", ""), ("I", "Let me share my browser instead. This is the county "
     "health department's live page for the current measles outbreak. You can see the weekly counts climbing "
     "since late September, and most of the cases sit in one district in the east.", 0.2)]),
    ("browser", "article", "topic 6", [("I", "The local paper followed up, and here is their story. Reporters found "
     "that the outbreak started at a nursery where several children were too young for their second dose. Let "
     "me scroll down. The county is now running extra sessions, and parents are queueing on weekends.")]),
    ("slides", "summary", "closing", [("I", "Back to the slides to wrap up. Today we met the basic measures, "
     "outbreak curves, herd immunity and two study designs.")]),
    ("slides", "reading", "closing", [("I", "For next week, please read the third and fourth chapters, and the "
     "problem set is due on Friday.")]),
    ("gallery", None, "closing", [("I", "I'll stop sharing now. Thanks everyone, see you next week."),
                                  ("T", "Thank you, bye!", 0.4)]),
]
QUERIES = [  # (query, target: a page (its first unit), a speaker-view unit, a topic, a question; type); fixed
    ("a long lasting condition like diabetes", "measures", "said"),
    ("saw them crowd around one water pump", "snow", "said"),
    ("is there some room for people who can't get the vaccine", "herd", "said"),
    ("What about the phone apps that did this automatically", "speaker M", "said"),
    ("kept data on the phone instead of a central server", "speaker I 2", "said"),
    ("parents are queueing on weekends", "article", "said"),
    ("a Victorian physician locating the source of a waterborne epidemic", "snow", "concept"),
    ("counting fresh diagnoses versus everyone currently sick", "measures", "concept"),
    ("the privacy costs of notifying people who were near an infected patient", "speaker I 1", "concept"),
    ("research that begins with sick people and searches their history for causes", "designs", "concept"),
    ("Person Place Time", "define", "shown"), ("Polio 80-86% Influenza 33-50%", "herd", "shown"),
    ("odds ratio", "designs", "shown"), ("MMR2 coverage 86.4%", "dashboard", "shown"),
    ("free catch-up clinics at Millbrook Library", "article", "shown"),
    ("office hours Thursday Room B214", "reading", "shown"),
    ("the student question about vaccines", "question T", "what"), ("the dashboard", "dashboard", "what"),
    ("Maya's question about contact tracing apps", "question M", "what"),
    ("the part about study designs", "topic 4", "topic"),
]
ARTICLE = ["Health officials confirmed on Monday that a cluster of measles cases began at the Little Oaks daycare "
           "centre in Eastfield, where eleven children were below the age for a second dose.", "Contact tracers have "
           "reached more than four hundred families, and the county has asked unvaccinated staff to stay home for "
           "three weeks.", "The outbreak is the largest in the county since 2011. Hospital admissions remain low, "
           "but two infants were treated in intensive care.", "The county is offering free catch-up clinics at "
           "Millbrook Library every Saturday from 9 am to 1 pm, and no appointment is needed.", "Parents can check "
           "their children's records online or ask their family doctor."]
TOASTS = [("snow", 9.0, "Aisha Khan to Everyone", "Will the slides be on Moodle afterwards?"),
          ("dashboard", 8.0, "Leo Park to Everyone", "Could you paste the link in the chat?")]
HAND = ("M", 9.0)  # Maya's hand goes up this long before she speaks, down as she starts
REACTION = ("T", 3.0, 3.0)  # a thumbs-up over Tom's tile this long after the herd answer's end, floating this long
EXPOSURE = 16.0  # s into the speaker-view block: the instructor's lamp goes on (auto exposure settles)
SCROLL = (9.0, 12.0, 1500)  # s into the article: the scroll's start, length; pixels scrolled


def font(size: int, face: str = ""):
    from PIL import ImageFont

    return ImageFont.truetype(FONT.format(face), size)


@cache
def slide(key: str) -> np.ndarray:
    """The deck's one template (1280x720): white page, a teal title band, a footer with the course and page."""
    from PIL import Image, ImageDraw

    title, lines = SLIDES[key]
    im = Image.new("RGB", (1280, 720), PAPER)
    d = ImageDraw.Draw(im)
    d.line([50, 664, 1230, 664], fill=(200, 204, 210), width=2)
    d.ellipse([50, 676, 78, 704], fill=TEAL)
    d.text((92, 678), "EPID 201  ·  Northbridge School of Public Health", font=font(20), fill=(110, 114, 124))
    d.text((1200, 678), str(list(SLIDES).index(key) + 1), font=font(20), fill=(110, 114, 124))
    if key == "title":
        d.rectangle([0, 0, 1280, 300], fill=TEAL)
        d.text((80, 170), title, font=font(66, "-Bold"), fill=PAPER)
        d.text((80, 350), lines[0], font=font(40), fill=INK)
        d.text((80, 420), lines[1], font=font(34), fill=(90, 94, 104))
        return np.asarray(im).copy()
    d.rectangle([0, 0, 1280, 116], fill=TEAL)
    d.text((60, 30), title, font=font(52, "-Bold"), fill=PAPER)
    if key in ("snow", "curve"):
        (snow_map if key == "snow" else epi_curve)(d)
        for k, line in enumerate(lines):
            d.text((80 if key == "snow" else 820, 612 if key == "snow" else 200 + 90 * k), line,
                   font=font(26 if key == "snow" else 28, "-Oblique" if key == "snow" else ""), fill=INK)
    for col, x in enumerate((80, 680) if key == "designs" else ()):
        d.rounded_rectangle([x - 20, 150, x + 520, 600], 18, fill=(226, 242, 243))
        for k, line in enumerate(lines[4 * col:4 * col + 4]):
            d.text((x, 180 + 100 * k), line, font=font(44 if k == 0 else 36, "-Bold" if k == 0 else ""),
                   fill=TEAL if k == 0 else INK)
    for k, line in enumerate(lines if key not in ("snow", "curve", "designs") else ()):
        y, head = 170 + 100 * k, key == "herd" and k == 0
        if key == "herd" and k > 0:
            d.rectangle([80, y - 14, 1200, y + 62], fill=(236, 246, 246) if k % 2 else (250, 250, 250))
        else:
            d.ellipse([70, y + 14, 88, y + 32], fill=TEAL)
        d.text((110, y), line, font=font(40 if head else 36, "-Bold" if head else ""), fill=INK)
    return np.asarray(im).copy()


def snow_map(d) -> None:
    """A street map: grey streets, blue pump triangles, black bars (deaths) crowding round the Broad St pump."""
    rng = np.random.default_rng(3)
    for y in (190, 300, 420, 540):
        d.line([60, y + rng.integers(-20, 20), 1220, y + rng.integers(-20, 20)], fill=(180, 180, 186), width=14)
    for x in (200, 430, 700, 960):
        d.line([x + rng.integers(-30, 30), 140, x + rng.integers(-30, 30), 590], fill=(180, 180, 186), width=14)
    for _ in range(260):
        x, y = rng.normal(560, 90), rng.normal(350, 70)
        if 70 < x < 1210 and 140 < y < 590:
            d.rectangle([x, y, x + 9, y + 4], fill=(20, 20, 24))
    for x, y in [(560, 350), (250, 230), (980, 480), (820, 200), (330, 520)]:
        d.polygon([(x, y - 14), (x - 12, y + 8), (x + 12, y + 8)], fill=(30, 90, 210))
    d.text((580, 322), "Broad St. pump", font=font(22, "-Bold"), fill=(30, 90, 210))


def epi_curve(d) -> None:
    """Cases by day of onset: a point-source peak, then propagated waves; axes and labels."""
    counts = [1, 3, 12, 26, 14, 5, 2, 0, 1, 4, 9, 6, 2, 3, 8, 13, 9, 4, 6, 11, 15, 10, 4, 2, 1, 0, 1, 0, 0]
    for k, c in enumerate(counts):
        d.rectangle([100 + k * 24, 560 - 14 * c, 100 + k * 24 + 22, 560], fill=(214, 96, 60))
    d.line([94, 560, 800, 560], fill=INK, width=3)
    d.line([94, 150, 94, 560], fill=INK, width=3)
    d.text((300, 572), "Day of onset", font=font(24), fill=INK)
    d.text((40, 140), "Cases", font=font(24), fill=INK)


def browser(url: str, page: np.ndarray) -> np.ndarray:
    """A 1440x900 browser window (tab strip, address bar) showing the top 812 px of `page` (1440 wide)."""
    from PIL import Image, ImageDraw

    im = Image.new("RGB", (1440, 88), (222, 225, 230))
    d = ImageDraw.Draw(im)
    d.rounded_rectangle([80, 8, 420, 44], 8, fill=(250, 250, 252))
    d.text((100, 16), url.split("/")[0], font=font(16), fill=INK)
    d.rounded_rectangle([120, 50, 1380, 82], 14, fill=(250, 250, 252))
    d.text((150, 56), "https://" + url, font=font(17), fill=(60, 64, 72))
    for k, c in enumerate(((236, 96, 90), (244, 190, 80), (98, 196, 98))):
        d.ellipse([16 + 20 * k, 20, 30 + 20 * k, 34], fill=c)
    return np.concatenate([np.asarray(im), page[:812]], 0)


@cache
def web_page(key: str) -> np.ndarray:
    """The dashboard (KPI cards, weekly bars, a district table, a news link) or the article (masthead, headline,
    paragraphs, a photo box; the clinics paragraph far down), 1440 px wide."""
    from PIL import Image, ImageDraw

    dash = key == "dashboard"
    im = Image.new("RGB", (1440, 812 if dash else 2400), (246, 247, 249) if dash else PAPER)
    d = ImageDraw.Draw(im)
    if dash:
        d.rectangle([0, 0, 1440, 70], fill=(20, 44, 90))
        d.text((40, 18), "Northbridge County Public Health", font=font(28, "-Bold"), fill=PAPER)
        d.text((40, 96), "Measles Surveillance Dashboard", font=font(40, "-Bold"), fill=INK)
        for k, (label, value) in enumerate([("Confirmed cases", "214"), ("New this week", "37"),
                                            ("MMR2 coverage", "86.4%"), ("Outbreak districts", "3")]):
            d.rounded_rectangle([40 + 345 * k, 170, 360 + 345 * k, 300], 12, fill=PAPER, outline=(210, 214, 222),
                                width=2)
            d.text((60 + 345 * k, 186), label, font=font(24), fill=(90, 94, 104))
            d.text((60 + 345 * k, 226), value, font=font(50, "-Bold"), fill=(200, 60, 50) if k < 2 else TEAL)
        d.text((40, 330), "Confirmed cases by week of rash onset", font=font(24, "-Bold"), fill=INK)
        for k, c in enumerate([0, 1, 0, 2, 3, 5, 9, 14, 22, 31, 40, 50, 37]):
            d.rectangle([60 + 62 * k, 760 - 8 * c, 60 + 62 * k + 44, 760], fill=(200, 60, 50))
        d.text((920, 330), "Cases by district", font=font(24, "-Bold"), fill=INK)
        for k, (district, n) in enumerate([("Eastfield", 92), ("Harbourside", 61), ("Millbrook", 38), ("Other", 23)]):
            d.text((920, 380 + 50 * k), district, font=font(24), fill=INK)
            d.text((1240, 380 + 50 * k), str(n), font=font(24, "-Bold"), fill=INK)
        d.text((920, 640), "Latest news: Daycare cluster in Eastfield >", font=font(22), fill=(30, 90, 210))
        return np.asarray(im).copy()
    d.text((420, 24), "The Northbridge Times", font=font(48, "-Bold"), fill=INK)
    d.line([80, 100, 1360, 100], fill=INK, width=3)
    d.text((240, 140), "Measles cluster traced to Eastfield daycare", font=font(44, "-Bold"), fill=INK)
    d.text((240, 210), "By Hannah Cole  ·  9 November 2026  ·  Health", font=font(22), fill=(110, 114, 124))
    y = 290
    for k, para in enumerate(ARTICLE):
        if k == 2:
            d.rectangle([240, y, 1200, y + 420], fill=(200, 206, 200))
            d.text((250, y + 430), "Toys being cleaned at Little Oaks. Photo: N. Times", font=font(20, "-Oblique"),
                   fill=(110, 114, 124))
            y += 500
        for line in independent_media_lecture.wrap(para, font(30), 960):
            d.text((240, y), line, font=font(30), fill=INK)
            y += 46
        y += 40
    return np.asarray(im).copy()


def letterbox(picture: np.ndarray) -> np.ndarray:
    """`picture` scaled to fit the share area, centred on black (the area's size)."""
    import cv2

    _, _, w, h = SHARE
    s = min(w / picture.shape[1], h / picture.shape[0])
    pw, ph = round(picture.shape[1] * s), round(picture.shape[0] * s)
    area = np.zeros((h, w, 3), np.uint8)
    area[(h - ph) // 2:(h - ph) // 2 + ph, (w - pw) // 2:(w - pw) // 2 + pw] = cv2.resize(
        picture, (pw, ph), interpolation=cv2.INTER_AREA)
    return area


@cache
def rgba(kind: str, text: str = "", w: int = 0, h: int = 0) -> np.ndarray:
    """Overlay pictures (RGBA): a camera-off card, a tile's name label with a mic-muted icon, the recording
    badge, the share bar, a chat toast ("sender|message"), the raised hand, the thumbs-up."""
    from PIL import Image, ImageDraw

    white, yellow, f = (246, 246, 246, 255), (250, 200, 60, 255), font(h or 15)
    size, back = {"card": ((w, h), (44, 45, 50, 255)), "label": ((int(f.getlength(text)) + h * 2 + 10, h + 8),
                  (0, 0, 0, 150)), "badge": ((150, 26), (30, 30, 34, 210)), "bar": ((560, 26), (0, 0, 0, 0)),
                  "toast": ((360, 78), (0, 0, 0, 0))}.get(kind, ((48, 56), (0, 0, 0, 0)))
    im = Image.new("RGBA", size, back)
    d = ImageDraw.Draw(im)
    if kind == "card":
        d.text((w / 2, h / 2), text, font=font(max(14, h // 9), "-Bold"), fill=(236, 236, 240, 255), anchor="mm")
    elif kind == "label":
        d.rounded_rectangle([5, 3, 5 + h * 0.45, 3 + h * 0.7], 3, fill=(236, 70, 60, 255))
        d.line([3, h + 4, 10 + h * 0.6, 2], fill=(236, 70, 60, 255), width=2)
        d.text((h + 10, 3), text, font=f, fill=white)
    elif kind == "badge":
        d.ellipse([8, 7, 20, 19], fill=(236, 60, 50, 255))
        d.text((28, 4), "Recording...", font=font(15), fill=(240, 240, 240, 255))
    elif kind == "bar":
        d.rounded_rectangle([0, 0, 559, 25], 12, fill=(36, 164, 80, 255))
        d.text((16, 4), "You are viewing Dr. Priya Raman's screen", font=font(15), fill=(255, 255, 255, 255))
        d.rounded_rectangle([400, 3, 552, 22], 8, fill=(28, 130, 64, 255))
        d.text((412, 4), "View Options v", font=font(14), fill=(255, 255, 255, 255))
    elif kind == "toast":
        d.rounded_rectangle([0, 0, 359, 77], 10, fill=(250, 250, 252, 245))
        d.text((16, 10), text.split("|")[0], font=font(16, "-Bold"), fill=(50, 54, 62, 255))
        d.text((16, 40), text.split("|")[1], font=font(16), fill=(50, 54, 62, 255))
    elif kind == "hand":
        d.rounded_rectangle([8, 24, 40, 54], 8, fill=yellow)
        for k in range(4):
            d.rounded_rectangle([8 + 8 * k, 4 + 3 * abs(k - 1.5), 14 + 8 * k, 32], 3, fill=yellow)
    else:
        d.rounded_rectangle([6, 24, 40, 54], 8, fill=yellow)
        d.rounded_rectangle([14, 2, 26, 30], 5, fill=yellow)
    return np.asarray(im).copy()


def blend(frame: np.ndarray, img: np.ndarray, x: int, y: int) -> None:
    h = min(img.shape[0], frame.shape[0] - y)
    if h > 0:
        independent_panel_discussion.blend(frame[y:y + h], img[:h], x, 0)


@cache
def room(who: str) -> np.ndarray:
    """A participant's room behind them (CAM): the panel probe's studio, blurred, from their look's angle."""
    import cv2

    studio = independent_panel_discussion.studio()
    return cv2.resize(independent_panel_discussion.closeup_room(studio, PEOPLE[who][1]), CAM[::-1])


def cam(who: str, t: float, mouth: float, gain: float, noise: np.ndarray) -> np.ndarray:
    """`who`'s webcam at t (CAM): the panel probe's figure (swaying, nodding, blinking, the mouth open by
    `mouth`, 0..1) head and shoulders; Tom wears a headset; `gain` is the auto exposure's; sensor noise."""
    import cv2

    img, s = room(who).copy(), 62
    x, y = 320 + 20 * np.sin(0.3 * t + len(who)), 150
    independent_panel_discussion.figure(img, PEOPLE[who][1], x, y, s, t, mouth, False)
    if who == "T":  # the headset: a band over the head, a microphone boom
        x = int(round(x + 0.12 * s * np.sin(0.5 * t + 1) + 0.05 * s * np.sin(1.7 * t + 2)))
        cv2.ellipse(img, (x, y), (int(0.95 * s), int(1.05 * s)), 0, 180, 360, (30, 30, 34), 6)
        cv2.line(img, (x - int(0.9 * s), y + int(0.3 * s)), (x - int(0.3 * s), y + int(0.6 * s)), (30, 30, 34), 4)
    return np.clip(img * np.float32(gain) + noise, 0, 255).astype(np.uint8)


class Meeting:
    """The recording's picture at any time: the block's layout, the speaker (with the app's lag), the webcams,
    the overlays."""

    def __init__(self, blocks: list[dict], talk: dict, events: dict, rng):
        self.blocks, self.talk, self.events, self.rng = blocks, talk, events, rng
        self.starts = [b["start"] for b in blocks]
        self.turns = [(c[1] + LAG, c[0]) for b in blocks for c in b["clips"] if c[0] != "K"]
        self.noise = [rng.normal(0, 6, (*CAM, 3)).astype(np.float32) for _ in range(8)]

    def active(self, t: float) -> str:
        """Who the app shows as speaking at t: the last clip's speaker whose start + LAG is past."""
        return ([who for at, who in self.turns if at <= t] or ["I"])[-1]

    def tile(self, who: str, t: float, f: int, w: int, h: int) -> np.ndarray:
        import cv2

        if not PEOPLE[who][1]:
            return rgba("card", PEOPLE[who][0], w, h)[..., :3]
        gain = 1 + 0.02 * np.sin(2 * np.pi * 0.23 * t + len(who)) + 0.008 * self.rng.standard_normal()
        if who == "I" and 0 <= t - self.events["exposure"] < 4.0:
            gain += 0.4 * np.exp(-(t - self.events["exposure"]) / 0.6)
        picture = cam(who, t, self.talk.get(who, {}).get(f, 0.0), gain, self.noise[int(self.rng.integers(0, 8))])
        return cv2.resize(picture, (w, h), interpolation=cv2.INTER_AREA if w < CAM[1] else cv2.INTER_LINEAR)

    def put(self, frame: np.ndarray, who: str, t: float, f: int, box: tuple, speaking: bool, size: int) -> None:
        """`who`'s tile at box (x, y, w, h) with its label; a border when `speaking`; the hand, the reaction."""
        import cv2

        x, y, w, h = box
        frame[y:y + h, x:x + w] = self.tile(who, t, f, w, h)
        blend(frame, rgba("label", PEOPLE[who][0], 0, size), x + 4, y + h - size - 12)
        if speaking:
            cv2.rectangle(frame, (x, y), (x + w - 1, y + h - 1), (120, 220, 60), 3)
        (up, down), (a, b) = self.events["hand"], self.events["reaction"]
        if who == HAND[0] and up <= t < down:
            blend(frame, rgba("hand"), x + w - 54, y + 6)
        if who == REACTION[0] and a <= t < b:
            blend(frame, rgba("thumb"), x + w // 2 - 24, y + h - 60 - int(40 * (t - a) / (b - a)))

    def frame(self, t: float, f: int) -> np.ndarray:
        """The frame at t (frame f): the block's layout, then the badge and any chat toast."""
        block = self.blocks[int(np.searchsorted(self.starts, t + 1e-6, side="right")) - 1]
        now, frame = self.active(t), np.full((H, W, 3), 26, np.uint8)
        if block["layout"] == "gallery":
            for k, who in enumerate(PEOPLE):
                row, col = divmod(k, 3)
                self.put(frame, who, t, f, (12 + 420 * col + (210 if row == 2 else 0), 4 + 238 * row, 416, 234),
                         who == now, 16)
        elif block["layout"] == "speaker":
            frame[:] = self.tile(now, t, f, W, H)
            for k, who in enumerate([p for p in PEOPLE if p != now][:4]):
                self.put(frame, who, t, f, (236 + 204 * k, 6, 196, 110), False, 12)
        else:
            x, y, w, h = SHARE
            frame[y:y + h, x:x + w] = self.shared(block, t)
            blend(frame, rgba("bar"), (w - 560) // 2, 3)
            for k, who in enumerate(list(PEOPLE)[:4]):
                self.put(frame, who, t, f, (1048, 40 + 132 * k, 224, 126), who == now, 12)
        blend(frame, rgba("badge"), 8, 4)
        for at, sender, message in self.events["toasts"]:
            if 0 <= t - at <= TOAST_FOR:
                shown = min(t - at, TOAST_FOR - (t - at), SLIDE_IN) / SLIDE_IN
                blend(frame, rgba("toast", f"{sender}|{message}"), W - 8 - int(368 * shown), H - 96)
        return frame

    def shared(self, block: dict, t: float) -> np.ndarray:
        """The share area's picture: the slide, or the browser window (the article scrolled by then: eased, in
        10 px steps, as a mouse wheel)."""
        u = np.clip((t - self.events["scroll"][0]) / SCROLL[1], 0, 1) if block["page"] == "article" else 0
        return share_picture(block["page"], int(round(SCROLL[2] * (3 * u ** 2 - 2 * u ** 3) / 10) * 10))


@lru_cache(maxsize=256)
def share_picture(page: str, off: int) -> np.ndarray:
    if page in SLIDES:
        return letterbox(slide(page))
    url = {"dashboard": "health.northbridge.gov/surveillance/measles",
           "article": "northbridgetimes.com/health/2026/11/09/measles-cluster-eastfield-daycare"}[page]
    return letterbox(browser(url, web_page(page)[off:]))


def spoken() -> list[list[np.ndarray]]:
    """Each block's clips at SR: the voices as espeak-ng reads them, the keyboard's clicks for "K"."""
    return [[keyboard(np.random.default_rng(8)) if who == "K" else independent_lecture.speak(
        text, PEOPLE[who][2], PEOPLE[who][3]) for who, text, *_ in lines] for *_, lines in BLOCKS]


def keyboard(rng, seconds: float = 2.2) -> np.ndarray:
    """Typing: ~9 key clicks a second, each a 12 ms high-passed burst."""
    from scipy.signal import butter, sosfilt

    x, m = np.zeros(int(seconds * SR), np.float32), int(0.012 * SR)
    for at in np.sort(rng.uniform(0, seconds - 0.05, int(9 * seconds))):
        x[int(at * SR):int(at * SR) + m] += rng.normal(0, 1, m) * np.exp(-np.arange(m) / (0.003 * SR)) * rng.uniform(
            0.5, 1)
    return sosfilt(butter(2, 1500, "high", fs=SR, output="sos"), x).astype(np.float32)


def timeline(clips: list[list[np.ndarray]]) -> list[dict]:
    """Each block's start, end, layout, page, topic and clips [who, start, end] (s); a clip starts PAUSE after
    the one before, or its own pause (negative: an overlap)."""
    blocks, t = [], 0.0
    for (layout, page, topic, lines), sounds in zip(BLOCKS, clips):
        at, placed = t + LEAD, []
        for (who, _, *pause), clip in zip(lines, sounds):
            at = placed[-1][2] + (pause[0] if pause else PAUSE) if placed else at
            placed.append([who, round(at, 3), round(at + len(clip) / SR, 3)])
        blocks.append({"start": t, "end": snap(placed[-1][2] + GAP), "layout": layout, "page": page, "topic": topic,
                       "clips": placed})
        t = blocks[-1]["end"]
    return blocks


def sound(clips: list[list[np.ndarray]], blocks: list[dict], duration: float, rng) -> np.ndarray:
    """The instructor over the helper's room noise; Tom band-limited with dropouts (a headset over the net);
    Maya quieter with an echo (0.17 and 0.36 s); the keyboard; hiss; no clipping."""
    placed = [(c, who, at) for sounds, b in zip(clips, blocks) for c, (who, at, _) in zip(sounds, b["clips"])]
    mine = [(c, at) for c, who, at in placed if who == "I"]
    audio = independent_lecture.soundtrack([c for c, _ in mine], [at - LEAD for _, at in mine], duration, rng)
    loud = 0.8 * np.sqrt(np.mean(np.concatenate([c for c, _ in mine]) ** 2))
    for c, who, at in placed:
        if who == "T":
            c = independent_lecture.phone_band(c)
        elif who == "M":
            c = np.pad(c, (0, int(0.36 * SR)))
            c = c + 0.5 * np.roll(c, int(0.17 * SR)) + 0.3 * np.roll(c, int(0.36 * SR))
        if who != "I":
            c = {"T": 0.9, "M": 0.45, "K": 0.6}[who] * loud * c / (np.sqrt(np.mean(c ** 2)) + 1e-9)
            audio[int(at * SR):int(at * SR) + len(c)] += c[:len(audio) - int(at * SR)]
    audio = audio + 0.002 * rng.normal(0, 1, audio.size).astype(np.float32)
    return audio * min(1.0, 0.95 / np.abs(audio).max())


def mouths(clips: list[list[np.ndarray]], blocks: list[dict]) -> dict:
    """Per look (a camera-on speaker's panel figure): how open its mouth is at each frame (the panel's helper)."""
    looks = {PEOPLE[who][1]: who for who in PEOPLE if PEOPLE[who][1]}
    voiced = [(c, {"who": PEOPLE[who][1], "start": at}) for sounds, b in zip(clips, blocks)
              for c, (who, at, _) in zip(sounds, b["clips"]) if who in looks.values()]
    talk = independent_panel_discussion.mouths([x for _, x in voiced], [c for c, _ in voiced],
                                               int(blocks[-1]["end"] * FPS) + 1)
    return {looks[k]: {f: float(v) for f, v in enumerate(talk[k]) if v} for k in talk}


def events_of(blocks: list[dict]) -> dict:
    """The overlays' and the exposure's times (s) from their blocks."""
    first = {}
    for b in blocks:
        first.setdefault(b["page"] or b["layout"], b)
    maya = next(c for b in blocks for c in b["clips"] if c[0] == HAND[0])
    answer = next(b for b in blocks if b["page"] == "herd")["clips"][-1][2] + REACTION[1]
    article = first["article"]["start"]
    return {"toasts": [(round(first[page]["start"] + at, 3), who, text) for page, at, who, text in TOASTS],
            "hand": (round(maya[1] - HAND[1], 3), maya[1]),
            "reaction": (round(answer, 3), round(answer + REACTION[2], 3)),
            "exposure": round(first["speaker"]["start"] + EXPOSURE, 3),
            "scroll": (round(article + SCROLL[0], 3), round(article + sum(SCROLL[:2]), 3))}


def snap(t: float) -> float:
    """The time of the first frame at or after t (a picture change shows there)."""
    return round(float(np.ceil(t * FPS - 1e-6)) / FPS, 3)


def cuts_of(blocks: list[dict], meeting: Meeting) -> list[list]:
    """Every true cut [time, kind]: layout switches, page changes, speaker switches in speaker view."""
    cuts = [[snap(b["start"]), "layout" if a["layout"] != b["layout"] else "page"] for a, b in pairwise(blocks)
            if a["layout"] != b["layout"] or a["page"] != b["page"]]
    for b in (b for b in blocks if b["layout"] == "speaker"):
        now = meeting.active(b["start"])
        for at, who in meeting.turns:
            if b["start"] < at < b["end"] and who != now:
                cuts.append([snap(at), "speaker"])
                now = who
    return sorted(cuts)


def truth_of(blocks: list[dict], meeting: Meeting, duration: float) -> dict:
    cuts = cuts_of(blocks, meeting)
    names = list(dict.fromkeys(b["topic"] for b in blocks))
    first = {n: next(b["start"] for b in blocks if b["topic"] == n) for n in names}
    span = {n: (first[n], first[names[i + 1]] if i + 1 < len(names) else duration) for i, n in enumerate(names)}
    edges = sorted({c for c, _ in cuts} | {round(first[n], 3) for n in names[1:]})
    units, counts = {}, {}
    for a, b in zip([0.0] + edges, edges + [duration]):
        block = next(x for x in blocks if x["start"] <= (a + b) / 2 < x["end"])
        label = block["page"] or block["layout"]
        if block["layout"] == "speaker":
            who = meeting.active((a + b) / 2)
            counts[who] = counts.get(who, 0) + 1
            label = f"speaker {who}" + (f" {counts[who]}" if who == "I" else "")
        elif label == "gallery":
            counts[label] = counts.get(label, 0) + 1
            label = f"gallery {counts[label]}"
        span.setdefault(label, (a, b))  # a query's target: the first showing
        while label in units:
            label += "'"
        units[label] = (a, b)
    clips = [c for b in blocks for c in b["clips"]]
    for who in ("T", "M"):
        k = next(i for i, c in enumerate(clips) if c[0] == who)
        span[f"question {who}"] = (clips[k][1], clips[k + 1][2])
    ev = meeting.events
    situations = {f"toast {k + 1}": [at, at, at + TOAST_FOR + 1.0] for k, (at, *_) in enumerate(ev["toasts"])}
    situations.update({"hand up": [ev["hand"][0]] * 2 + [ev["hand"][0] + 1.0],
                       "hand down": [ev["hand"][1]] * 2 + [ev["hand"][1] + 1.0],
                       "reaction": [*ev["reaction"][:1], *ev["reaction"][:1], ev["reaction"][1] + 1.0],
                       "exposure": [ev["exposure"]] * 2 + [ev["exposure"] + 4.0],
                       "scroll": [ev["scroll"][0]] * 2 + [ev["scroll"][1] + 1.0]})
    for at, who in meeting.turns:
        block = next((x for x in blocks if x["start"] <= at < x["end"]), None)
        if block and block["layout"] != "speaker" and who != meeting.active(at - 0.05):
            situations[f"highlight to {who} {at:.1f}"] = [at, at, at + 1.0]
    return {"blocks": blocks, "events": ev, "duration": duration, "cuts": [c for c, _ in cuts],
            "cut_kinds": cuts, "topics": [[*span[n], n] for n in names], "topic_edges": [first[n] for n in names[1:]],
            "units": {k: [a, b, b] for k, (a, b) in units.items()}, "situations": situations,
            "queries": [[q, *span[target], kind] for q, target, kind in QUERIES]}


def render(out: Path) -> dict:
    """Writes OUT/NAME, OUT/truth.json and OUT/frames/*.png (each unit's middle frame); returns the truth."""
    import av
    from PIL import Image

    rng = np.random.default_rng(61)
    clips = spoken()
    blocks = timeline(clips)
    duration = blocks[-1]["end"]
    meeting = Meeting(blocks, mouths(clips, blocks), {}, rng)
    meeting.events = events_of(blocks)
    truth = truth_of(blocks, meeting, duration)
    middles = {int((a + b) / 2 * FPS): name for name, (a, b, _) in truth["units"].items()}
    (out / "frames").mkdir(exist_ok=True)
    with av.open(str(out / NAME), "w") as container:
        video, audio_stream = independent_lecture.streams(container, FPS)
        for f in range(int(duration * FPS)):
            frame = meeting.frame(f / FPS, f)
            if f in middles:
                Image.fromarray(frame).save(out / "frames" / f"{f / FPS:06.1f}_{middles[f].replace(' ', '_')}.png")
            for packet in video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        independent_lecture.finish(container, video, audio_stream, sound(clips, blocks, duration, rng))
    (out / "truth.json").write_text(json.dumps(truth, indent=1))
    print(f"rendered {duration:.1f} s at {W}x{H}, {FPS} fps; {len(blocks)} blocks; {len(truth['cuts'])} true cuts: "
          + ", ".join(f"{c:.1f} {k}" for c, k in truth["cut_kinds"]))
    print("topics: " + ", ".join(f"{n} {a:.1f}-{b:.1f}" for a, b, n in truth["topics"]))
    print("units: " + ", ".join(f"{n} {a:.1f}-{b:.1f}" for n, (a, b, _) in truth["units"].items()))
    print(f"events: {truth['events']}")
    return truth


def evaluate(out: Path, truth: dict, reuse: bool) -> None:
    """Cuts (all, per kind with the others optional), section edges against topic edges, what the index holds
    per situation and unit, the chapters, the queries."""
    from momentsearch.evaluate import boundary_scores, detected_boundaries

    index = independent_code_lecture.indexed(out, NAME, reuse)
    rec = index.videos()[0]
    independent_media_lecture.score_cuts(rec, index, truth)
    cuts = detected_boundaries(index)[rec.path]
    for kind in ("layout", "page", "speaker"):
        mine = [c for c, k in truth["cut_kinds"] if k == kind]
        sc = boundary_scores(cuts, mine, optional=[c for c, k in truth["cut_kinds"] if k != kind])
        print(f"picture cuts vs {kind} cuts ({len(mine)}; the others optional): P {sc.precision:.2f} "
              f"R {sc.recall:.2f} F1 {sc.f1:.2f} at +-1 s")
    sc = boundary_scores([float(a) for a, _ in rec.sections[1:]], truth["topic_edges"])
    print(f"section edges vs topic edges only {[round(x, 1) for x in truth['topic_edges']]}: P {sc.precision:.2f} "
          f"R {sc.recall:.2f} F1 {sc.f1:.2f} at +-1 s; {len(rec.visual_segments)} visual segments, "
          f"{len(rec.sections)} sections, {len(cuts)} picture cuts")
    diag = {"truth_units": truth["units"], **independent_code_lecture.diagnostics(index, rec)}
    print("== situations")
    independent_seminar_lecture.report_situations(rec, diag, truth)
    print("== units")
    independent_seminar_lecture.report_situations(rec, diag, {"situations": truth["units"]})
    for c in diag["chapters"]:
        print(f"  chapter {c['start']:6.1f}-{c['end']:6.1f} {c['title']!r}")
    independent_code_lecture.run_queries(index, truth["queries"], diag)
    (out / "diagnostics.json").write_text(json.dumps(diag, indent=1, default=str))


def main() -> int:
    return independent_code_lecture.run_probe(__doc__, "/tmp/meeting", render, evaluate)


if __name__ == "__main__":
    sys.exit(main())
