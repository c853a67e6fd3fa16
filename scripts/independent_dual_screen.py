#!/usr/bin/env python3
"""A lecture hall with TWO projection screens, filmed by the hall camera, rendered without momentsearch.testing,
indexed and searched: a check on a kind of real recording nothing was tuned on. 1280x720 at 6 fps, ~5 min. A
fixed camera at the back (slight shake, sensor noise, washed-out projection: the camera scene of
scripts/independent_lecture.py, with two screens) films the front wall with both screens side by side in
perspective:
  right  the CURRENT slide of one template deck (10 slides on bridge engineering: pale blue page, dark teal
         sans titles over an orange rule, a course footer with the page number); three slides have builds
         (a bullet appears while the lecturer gets to it)
  left   the PREVIOUS slide (PowerPoint's "previous slide" mode; black before the second slide), so every
         slide's text is on screen twice: while it is current (right) and during the next slide (left)
  doc    for 40 s in the middle the left screen shows the document camera instead: a printed textbook page
         (cream paper, black serif print, slightly turned, on a grey desk), then "previous slide" again; the
         switch to it falls inside the arch topic and the switch back inside the suspension topic
  walks  the lecturer stands at a lectern in the gap between the screens, swaying; five times she walks
         across in front of one screen and back (6-8 s), covering its lower part.
Speech: a voice no other script uses (espeak-ng en-gb-x-gbcwmd+m4 at 152 wpm) with a hall's reverb, drifting
room noise and hiss. Each topic is discussed while its slide is current on the right; the suspension slide stays
up for two topics (how a suspension bridge carries load, then the Tacoma Narrows collapse): the one topic change
with no slide change (so "a slide shown for two topics' time" and "a topic change on an unchanged slide" are the
same event here).

Decisions, fixed before any result was seen. The true cuts are the 9 changes of the RIGHT screen (the left screen
changes in the same frame, so each change is ONE cut), +-1 s. The builds (a bullet appearing on the right) and the
two document-camera switches (on, off) are OPTIONAL cuts: a detection within 1 s of one is neither a hit nor a
false alarm, a missed one is no miss (the document camera is no topic change, but half the picture does change);
whether each was detected is printed. The walks, the sway, the shake and the noise are no cuts: any other
boundary farther than 1 s from every true cut is a false alarm, put down to the situation whose window (start - 1 s
to end) holds it (a walk, a build, a document-camera switch), else "other". Section edges are scored against the
true cuts plus the one topic edge on the unchanged slide. Query truth: the topic's time, from its slide's change on
the right (0.6 s before its first word, for the second suspension topic) to the next topic's start; a *shown*
query's words are only on one slide (never spoken) and its truth is the topic while that slide is CURRENT on the
right, although the same words stay on the left screen through the next topic; no shown query is asked about the
suspension slide (current for two topics); a *doc* query ("the printed page about X") has the 40 s
document-camera stretch as truth (a build's bullet is on the right from its part's start - 0.4 s).
The 22 queries were written with the slides and the speech, before the first run, and not changed after.

    python3 scripts/independent_dual_screen.py [--out /tmp/dualscreen] [--reuse]

Prints picture cuts and section edges against the truth (P / R / F1 at +-1 s), each false alarm's situation and
each optional cut found or not; what the index holds per topic (visual segments, OCR entries with their text, and
which screen's words each OCR entry holds: right's, left's or both, and whether one OCR line holds words of both
screens); each query's type, hit or miss, truth and top span, IoU and channel scores, and for a miss whether its top
result lies on the next topic (the left screen's showing); run time. Writes OUT/diagnostics.json. `--reuse`
scores what OUT holds. Deterministic (fixed seeds). One lecture in its own index: a probe, not a benchmark.
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
import independent_media_lecture  # noqa: E402 (its situation lookup, noise texture and line wrapping)

W, H, FPS, SR = 1280, 720, 6, 16000
VOICE, RATE = "en-gb-x-gbcwmd+m4", 152
LEAD = independent_lecture.LEAD  # seconds from a slide's start to its first word
GAP, PAUSE, BUILD_AHEAD = 1.4, 0.6, 0.4  # seconds: after a topic's last word; between parts; a bullet before its part
DOC_LEN, CLEAR = 40.0, 2.0  # seconds: the document camera's stretch; no switch or walk this near a true cut
NAME = "cive1150_lecture04_hall.mp4"
SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SANS_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
SERIF = "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf"
SERIF_BOLD = "/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf"
PAGE, TEAL, ORANGE, INK = (232, 240, 248), (14, 84, 96), (232, 120, 30), (36, 40, 48)
DECK = (1024, 768)
SCREENS = {"left": [[40, 122], [592, 106], [586, 506], [50, 520]],  # corners TL TR BR BL in the frame
           "right": [[688, 106], [1240, 122], [1230, 520], [694, 506]]}
SLIDES = {  # key: (title, bullets, builds: the bullets shown at first, the rest appear one per later part)
    "title": ("How Bridges Stand Up", ["CIVE 1150 Structures in Society", "Lecture 4  Prof. Hannah Lindqvist"], 2),
    "loads": ("Loads on a Bridge", ["Dead load: self weight of deck and girders", "Live load: lorries, crowds, trains",
                                    "Gusts, snow and thermal expansion"], 0),
    "beam": ("Beam Bridges", ["Girder resting on piers", "Sagging moment, deflection limits",
                              "Economic below 80 m spans"], 3),
    "truss": ("Truss Bridges", ["Rigid triangulated frame", "Pratt, Warren and Howe patterns",
                                "Members in pure axial force"], 0),
    "arch": ("Arch Bridges", ["Horizontal thrust into abutments", "Keystone and voussoirs",
                              "Pont du Gard, about 19 BC"], 3),
    "suspension": ("Suspension Bridges", ["Main cables over two towers", "Hangers lift the deck",
                                          "Anchorages in bedrock"], 3),
    "stayed": ("Cable-Stayed Bridges", ["Stays run straight to the pylon", "Fan or harp layout",
                                        "Millau Viaduct, 343 m pylon"], 3),
    "materials": ("Materials", ["Wrought iron, then mild steel", "Prestressed concrete tendons",
                                "FRP composite decks"], 0),
    "inspection": ("Inspection", ["Fatigue cracks at welded details", "Scour holes around piers",
                                  "Load rating every 24 months"], 3),
    "summary": ("Summary", ["Forces: bending, axial, thrust, tension", "Form follows span",
                            "Reading: Gordon, Structures, ch. 10"], 3),
}
PAPER = ("4.3  The Iron Bridge at Coalbrookdale", ["Opened in 1781 across the River Severn,",
         "the first large bridge cast entirely in iron.", "Abraham Darby III cast the ribs in five",
         "half arches; the joints copy carpentry,", "with dovetails and mortise and tenon.",
         "Span 30.6 m; 378 tonnes of cast iron."])
TOPICS = [  # (slide key, topic, speech parts: each "|" a pause, and on a build slide its next bullet)
    ("title", "intro", "Good afternoon everyone. Today is all about how bridges stand up, why engineers choose one "
     "form over another, and what happens when they get it wrong."),
    ("loads", "loads", "Everything starts with the forces a crossing must carry. | The structure itself is heavy, and "
     "that weight never goes away. | Then come the vehicles and pedestrians, which move and change all day. | And "
     "the weather adds its share: the wind pushes sideways and the steel grows and shrinks with the seasons."),
    ("beam", "beam", "The simplest answer is a straight member laid between supports. When a load sits in the middle, "
     "the upper fibres are squeezed and the lower fibres are stretched, and the whole thing bends downward. That "
     "bending grows very fast with length, which is why this kind only makes sense for fairly short crossings, "
     "such as motorway overpasses."),
    ("truss", "truss", "To go further with less material, engineers connect many slender bars into triangles. | A "
     "triangle cannot change its shape unless one of its sides changes length, so the frame stays stiff. | Railway "
     "companies in the nineteenth century patented dozens of arrangements of diagonals, each named after its "
     "inventor. | Because each bar is only pulled or pushed along its length, it can be thin and light."),
    ("arch", "arch", "The oldest long span form is the curved one. An arch turns the weight above it into "
     "compression, and pushes outward at its feet, so it needs solid ground on both banks. The Romans built "
     "aqueducts this way from cut stone without any mortar. | I have put a page from our textbook under the "
     "document camera on the left screen, about the first bridge made of iron, in Shropshire in England. | Notice "
     "that its builders did not trust the new material yet, so they joined the pieces the way a carpenter joins "
     "timber. | It still stands today and you can walk across it."),
    ("suspension", "suspension", "For the longest spans of all we hang the roadway. Two thick steel ropes pass over "
     "tall supports and are tied down into heavy blocks of concrete at each end. Vertical rods drop from the ropes "
     "and carry the road. | Almost everything in this system works in tension, which steel handles very well, so "
     "the main span can exceed a kilometre and a half."),
    ("suspension", "tacoma", "Now a cautionary tale on the same kind of structure. In November nineteen forty, "
     "only four months after it opened, the Tacoma Narrows bridge in Washington State began to twist in a steady "
     "wind of about sixty kilometres per hour. The thin, flexible deck fed energy into its own motion until it "
     "tore apart. Nobody died, except a dog left in a car. Since then every long span deck is tested in a wind "
     "tunnel before it is built."),
    ("stayed", "stayed", "A more modern relative leaves out the big draped ropes. | Instead, straight cables run "
     "directly from one or two tall masts down to points along the roadway. | They can spread out from the top "
     "like a fan, or run parallel like the strings of an instrument. | The tallest example in the world crosses "
     "a valley in southern France."),
    ("materials", "materials", "What we build with has changed as much as the shapes. | Early iron was brittle "
     "and hard to trust, and the arrival of cheap steel changed everything. | Concrete is weak when pulled, so we "
     "squeeze it in advance with tensioned steel inside. | And today some footbridges use plastic reinforced with "
     "glass or carbon fibres, which never rusts."),
    ("inspection", "inspection", "Finally, a bridge is never finished. Repeated traffic makes tiny flaws grow where "
     "pieces of steel were joined by heat. Flowing water during floods can carry away the riverbed from under the "
     "foundations, which is the most common reason bridges fall down. So inspectors visit each structure on a "
     "fixed schedule and recalculate how much weight it may safely carry."),
    ("summary", "summary", "To sum up: every form is a different way of guiding forces into the ground, and the "
     "distance to be crossed decides which one wins. For next week please read the chapter on bridges in the "
     "book listed here."),
]
WALKS = [("beam", 8.0, "right"), ("arch", 26.0, "right"), ("tacoma", 12.0, "left"), ("stayed", 8.0, "left"),
         ("inspection", 9.0, "right")]  # (topic, seconds after its start, screen crossed)
WALK_LEN = 7.0
QUERIES = [  # (query, truth: a topic or "doc", type); written before the first run, not changed after
    ("the steel grows and shrinks with the seasons", "loads", "said"),
    ("the upper fibres are squeezed and the lower fibres are stretched", "beam", "said"),
    ("railway companies patented dozens of arrangements of diagonals", "truss", "said"),
    ("the Romans built aqueducts from cut stone without any mortar", "arch", "said"),
    ("a dog left in a car", "tacoma", "said"),
    ("flowing water can carry away the riverbed from under the foundations", "inspection", "said"),
    ("what pushes down on a span: its own mass, vehicles and the climate", "loads", "concept"),
    ("why a three-sided shape cannot deform under load", "truss", "concept"),
    ("a famous failure where moving air shook a span to pieces", "tacoma", "concept"),
    ("bridges whose deck hangs from diagonal wires anchored to high posts", "stayed", "concept"),
    ("why a stone-like building material is compressed before service so it copes with tension", "materials",
     "concept"),
    ("self weight of deck and girders", "loads", "shown"),
    ("Pratt, Warren and Howe patterns", "truss", "shown"),
    ("keystone and voussoirs", "arch", "shown"),
    ("Pont du Gard", "arch", "shown"),
    ("Millau Viaduct", "stayed", "shown"),
    ("FRP composite decks", "materials", "shown"),
    ("load rating every 24 months", "inspection", "shown"),
    ("economic below 80 m spans", "beam", "shown"),
    ("the printed page about the Iron Bridge at Coalbrookdale", "doc", "doc"),
    ("the printed page about Abraham Darby casting the ribs", "doc", "doc"),
    ("the printed page on the River Severn crossing opened in 1781", "doc", "doc"),
]


def font(path: str, size: int):
    from PIL import ImageFont

    return ImageFont.truetype(path, size)


def slide(key: str, shown: int, page: int) -> np.ndarray:
    """The deck's page `key` with its first `shown` bullets: pale page, teal title over an orange rule, bullets
    as orange squares, a footer with the course and the page number."""
    from PIL import Image, ImageDraw

    title, bullets, _ = SLIDES[key]
    im = Image.new("RGB", DECK, PAGE)
    d = ImageDraw.Draw(im)
    d.rectangle([0, 0, DECK[0], 16], fill=TEAL)
    big = key == "title"
    d.text((64, 250 if big else 60), title, font=font(SANS_BOLD, 72 if big else 60), fill=TEAL)
    d.rectangle([64, 345 if big else 140, 420, 351 if big else 146], fill=ORANGE)
    y = 390 if big else 190
    for text in bullets[:shown]:
        if not big:
            d.rectangle([66, y + 14, 82, y + 30], fill=ORANGE)
        for line in independent_media_lecture.wrap(text, font(SANS, 44), 860):
            d.text((64 if big else 104, y), line, font=font(SANS, 44), fill=INK)
            y += 56
        y += 36
    d.line([0, 712, DECK[0], 712], fill=(180, 196, 206), width=2)
    d.text((64, 724), "CIVE 1150  University of Northbridge", font=font(SANS, 24), fill=(110, 126, 136))
    d.text((950, 724), str(page), font=font(SANS, 24), fill=(110, 126, 136))
    return np.asarray(im)


def paper_page() -> np.ndarray:
    """The document camera's picture: a cream printed page, turned 3 degrees, on a grey desk, with a shadow."""
    import cv2
    from PIL import Image, ImageDraw

    page = Image.new("RGB", (760, 900), (246, 241, 226))
    d = ImageDraw.Draw(page)
    d.text((50, 40), "Chapter 4   Arches in Iron and Stone", font=font(SERIF, 26), fill=(90, 90, 90))
    d.text((50, 110), PAPER[0], font=font(SERIF_BOLD, 40), fill=(20, 20, 20))
    for k, line in enumerate(PAPER[1]):
        d.text((50, 190 + 58 * k), line, font=font(SERIF, 38), fill=(26, 26, 26))
    d.text((360, 850), "112", font=font(SERIF, 24), fill=(90, 90, 90))
    rng = np.random.default_rng(17)
    desk = (96 + 12 * independent_media_lecture.fractal((DECK[1], DECK[0]), rng))[..., None] * np.ones(3)
    img = desk.astype(np.uint8)
    rot = cv2.getRotationMatrix2D((380, 450), 3.0, 0.8)
    rot[:, 2] += (512 - 380, 384 - 450)
    mask = cv2.warpAffine(np.full((900, 760), 255, np.uint8), rot, DECK[::1])
    shadow = cv2.GaussianBlur(np.roll(mask, (10, 10), (0, 1)), (31, 31), 0)[..., None] / 255.0
    img = (img * (1 - 0.4 * shadow)).astype(np.uint8)
    warped = cv2.warpAffine(np.asarray(page), rot, DECK[::1])
    img[mask > 0] = warped[mask > 0]
    return img


def wall() -> np.ndarray:
    """The hall's front wall, the screens' frames (blank, dark grey) and the floor, with a dim texture."""
    import cv2

    tex = independent_media_lecture.fractal((H, W), np.random.default_rng(9))
    img = np.stack([70 + 10 * tex, 64 + 9 * tex, 58 + 8 * tex], -1)
    img[560:] = np.stack([82 + 8 * tex[560:], 62 + 6 * tex[560:], 46 + 5 * tex[560:]], -1)
    img = img.astype(np.uint8)
    for corners in SCREENS.values():
        cv2.fillPoly(img, [np.int32(corners)], (38, 38, 40))
    cv2.rectangle(img, (600, 470), (680, 600), (72, 52, 38), -1)  # the lectern
    return img


def hall(left: np.ndarray | None, right: np.ndarray) -> np.ndarray:
    """The still picture of the front wall with `left` and `right` (deck-sized images; None: black) projected:
    washed out (a camera exposed for the room) and slightly soft."""
    import cv2

    frame = wall()
    for name, image in (("left", left), ("right", right)):
        if image is None:
            continue
        warp = cv2.getPerspectiveTransform(np.float32([[0, 0], [DECK[0], 0], DECK, [0, DECK[1]]]),
                                           np.float32(SCREENS[name]))
        soft = cv2.GaussianBlur((image * 0.62 + 52).astype(np.uint8), (3, 3), 0)
        shown = cv2.warpPerspective(soft, warp, (W, H))
        inside = cv2.warpPerspective(np.ones(image.shape[:2], np.uint8), warp, (W, H)) > 0
        frame[inside] = shown[inside]
    return frame


def lecturer_x(t: float, walks: list[tuple[float, str]]) -> int:
    """The lecturer's centre at t: at the lectern, swaying, or on a walk across one screen and back."""
    x = 640 + 14 * np.sin(t / 2.3)
    for start, side in walks:
        u = (t - start) / WALK_LEN
        if 0 <= u <= 1:
            x += (-1 if side == "left" else 1) * 380 * np.sin(np.pi * u)
    return int(x)


def person(frame: np.ndarray, x: int, t: float) -> None:
    import cv2

    cv2.rectangle(frame, (x - 48, 400), (x + 48, 720), (52, 40, 60), -1)
    cv2.line(frame, (x + 44, 420), (x + 70, 470 + int(20 * np.sin(1.7 * t))), (52, 40, 60), 20)
    cv2.circle(frame, (x, 360 + int(3 * np.sin(2 * t))), 38, (150, 118, 98), -1)
    cv2.ellipse(frame, (x, 346), (40, 26), 0, 180, 360, (40, 30, 24), -1)


def parts_of(speech: str) -> list[str]:
    return [p.strip() for p in speech.split(" | ")]


def reverb(clip: np.ndarray, rng) -> np.ndarray:
    """`clip` in a hall: a decaying noise tail (about 0.6 s) mixed under the dry voice."""
    from scipy.signal import fftconvolve

    n = int(0.6 * SR)
    tail = rng.normal(0, 1, n) * np.exp(-np.arange(n) / (0.12 * SR))
    tail[:int(0.012 * SR)] = 0.0
    wet = fftconvolve(clip, 0.5 * tail / np.sqrt(np.sum(tail ** 2)))[:len(clip) + n // 2]
    out = wet.copy()
    out[:len(clip)] += clip
    return (out / (np.abs(out).max() + 1e-9) * np.abs(clip).max()).astype(np.float32)


def timeline(clips: list[list[np.ndarray]]) -> dict:
    """Topics (name, slide, start, end, parts' (start, end)), true cuts, builds (time, slide, bullets shown),
    the document camera's stretch and the walks, in seconds; checks the spacing the decisions rely on."""
    topics, builds, t = [], [], 0.0
    for (key, name, speech), sounds in zip(TOPICS, clips):
        at, placed = t + LEAD, []
        for clip in sounds:
            placed.append((round(at, 3), round(at + len(clip) / SR, 3)))
            at += len(clip) / SR + PAUSE
        topics.append({"name": name, "slide": key, "start": round(t, 3), "end": round(at - PAUSE + GAP, 3),
                       "parts": placed})
        first = SLIDES[key][2]
        if not topics[:-1] or topics[-2]["slide"] != key:
            builds += [(round(placed[k][0] - BUILD_AHEAD, 3), key, first + k) for k in range(1, len(placed))
                       if first + k <= len(SLIDES[key][1])]
        t = topics[-1]["end"]
    cuts = [b["start"] for a, b in zip(topics, topics[1:]) if a["slide"] != b["slide"]]
    edges = [b["start"] for a, b in zip(topics, topics[1:]) if a["slide"] == b["slide"]]
    arch = next(x for x in topics if x["name"] == "arch")
    doc = (round(arch["parts"][1][0] - 0.5, 3), round(arch["parts"][1][0] - 0.5 + DOC_LEN, 3))
    start = {x["name"]: x["start"] for x in topics}
    walks = [(round(start[n] + dt, 3), side) for n, dt, side in WALKS]
    for x in [*doc, *(w for w, _ in walks), *(w + WALK_LEN for w, _ in walks), *(b for b, *_ in builds)]:
        assert all(abs(x - c) >= CLEAR for c in cuts + edges), f"{x:.1f} s is too near a true cut or topic edge"
    for w, _ in walks:  # no build or document-camera switch during a walk (each false alarm has one situation)
        assert all(not w - 1.0 <= x <= w + WALK_LEN + 1.0 for x in [*doc, *(b for b, *_ in builds)]), w
    return {"topics": topics, "cuts": cuts, "topic_edges": edges, "builds": builds, "doc": doc, "walks": walks,
            "duration": t}


def screens_at(line: dict, t: float) -> tuple:
    """(left, right) at t: ("slide", key, bullets shown) / ("doc",) / None (black)."""
    keys = [x["slide"] for x in line["topics"] if x["start"] <= t]
    deck = [k for i, k in enumerate(keys) if i == 0 or keys[i - 1] != k]  # the slides shown so far, in order
    right = deck[-1]
    shown = SLIDES[right][2]
    for at, key, n in line["builds"]:
        if key == right and at <= t:
            shown = max(shown, n)
    left = ("slide", deck[-2], len(SLIDES[deck[-2]][1])) if len(deck) > 1 else None
    if line["doc"][0] <= t < line["doc"][1]:
        left = ("doc",)
    return left, ("slide", right, shown)


def picture_of(state: tuple, cache: dict) -> np.ndarray:
    if state not in cache:
        pages = {k: i + 1 for i, k in enumerate(SLIDES)}

        def image(s):
            if s is None:
                return None
            return paper_page() if s[0] == "doc" else slide(s[1], s[2], pages[s[1]])
        cache[state] = hall(image(state[0]), image(state[1]))
    return cache[state]


def camera(still: np.ndarray, t: float, line: dict, rng) -> np.ndarray:
    """The camera's frame at t: the still picture shaken by a pixel or two, the lecturer, exposure flicker and
    sensor noise."""
    import cv2

    dx = 1.2 * np.sin(1.7 * t) + 0.6 * np.sin(5.3 * t + 1) + 0.3 * rng.standard_normal()
    dy = 0.8 * np.sin(1.1 * t + 2) + 0.4 * np.sin(4.1 * t) + 0.3 * rng.standard_normal()
    frame = cv2.warpAffine(still, np.float32([[1, 0, dx], [0, 1, dy]]), (W, H), borderMode=cv2.BORDER_REFLECT)
    person(frame, lecturer_x(t, line["walks"]), t)
    gain = 1 + 0.015 * np.sin(2 * np.pi * 0.31 * t) + 0.008 * rng.standard_normal()
    noisy = frame.astype(np.int16) * gain + rng.integers(-7, 8, frame.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def render(out: Path) -> dict:
    """Writes OUT/NAME, OUT/truth.json and OUT/frames/*.png (a frame per state change); returns the truth."""
    import av
    from PIL import Image

    rng = np.random.default_rng(43)
    dry = [[independent_lecture.speak(p, VOICE, RATE) for p in parts_of(speech)] for *_, speech in TOPICS]
    line = timeline(dry)
    clips = [[reverb(c, rng) for c in sounds] for sounds in dry]
    cache: dict = {}
    (out / "frames").mkdir(exist_ok=True)
    last = None
    with av.open(str(out / NAME), "w") as container:
        video, audio_stream = independent_lecture.streams(container, FPS)
        for f in range(int(line["duration"] * FPS)):
            t = f / FPS
            state = screens_at(line, t)
            frame = camera(picture_of(state, cache), t, line, rng)
            if state != last:
                Image.fromarray(frame).save(out / "frames" / f"{t:06.1f}.png")
                last = state
            for packet in video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        starts = [a - LEAD for x in line["topics"] for a, _ in x["parts"]]
        audio = independent_lecture.soundtrack([c for s in clips for c in s], starts, line["duration"], rng)
        audio = audio + 0.004 * rng.normal(0, 1, audio.size).astype(np.float32)
        independent_lecture.finish(container, video, audio_stream, audio)
    truth = truth_of(line)
    (out / "truth.json").write_text(json.dumps(truth, indent=1))
    print(f"rendered {line['duration']:.1f} s at {W}x{H}, {FPS} fps; topics: " +
          ", ".join(f"{x['start']:.1f} {x['name']}" for x in line["topics"]))
    print(f"true cuts {truth['cuts']}; topic edge {truth['topic_edges']}; builds {truth['builds']}; "
          f"document camera {line['doc']}; walks {line['walks']}")
    return truth


def truth_of(line: dict) -> dict:
    topics = {x["name"]: (x["start"], x["end"]) for x in line["topics"]}
    span = {**topics, "doc": line["doc"]}
    situations = {f"walk {k + 1} ({side})": [a, a, a + WALK_LEN] for k, (a, side) in enumerate(line["walks"])}
    situations |= {f"build {key} {n}": [a, a, a + 1.0] for a, key, n in line["builds"]}
    situations |= {"document camera on": [line["doc"][0]] * 2 + [line["doc"][0] + 1.0],
                   "document camera off": [line["doc"][1]] * 2 + [line["doc"][1] + 1.0]}
    return {"topics": line["topics"], "cuts": line["cuts"], "topic_edges": line["topic_edges"],
            "builds": [a for a, *_ in line["builds"]], "doc": list(line["doc"]), "walks": line["walks"],
            "optional": sorted([a for a, *_ in line["builds"]] + list(line["doc"])), "situations": situations,
            "queries": [[q, *span[target], kind] for q, target, kind in QUERIES]}


STOP = {"the", "and", "of", "in", "to", "a", "at", "on", "by", "or", "cive", "1150", "university", "northbridge"}


def words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP and len(w) > 1}


def slide_words(key: str) -> set[str]:
    title, bullets, _ = SLIDES[key]
    return words(" ".join([title, *bullets]))


def screen_share(text: str, right: set[str], left: set[str]) -> str:
    """How many of the right screen's own words and of the left screen's own words (those not on both) `text`
    holds, and how many of its " · "-joined lines mix words of both."""
    r, lf = right - left, left - right
    got = words(text)
    mixed = sum(1 for ln in text.split(" · ") if words(ln) & r and words(ln) & lf)
    return f"right {len(got & r)}/{len(r)}, left {len(got & lf)}/{len(lf)}, lines mixing both {mixed}"


def score_cuts(rec, index, truth: dict) -> None:
    """Picture cuts and section edges against the truth; each true cut and optional cut found or not; each
    false alarm with its situation."""
    from momentsearch.evaluate import boundary_scores, detected_boundaries

    cuts = detected_boundaries(index)[rec.path]
    sections = [float(a) for a, _ in rec.sections[1:]]
    opt = truth["optional"]
    for label, found, true in (("picture cuts", cuts, truth["cuts"]),
                               ("section edges", sections, sorted(truth["cuts"] + truth["topic_edges"]))):
        sc = boundary_scores(found, true, optional=opt)
        print(f"{label}: found {[round(x, 1) for x in found]} vs true {[round(x, 1) for x in true]}: "
              f"P {sc.precision:.2f} R {sc.recall:.2f} F1 {sc.f1:.2f} at +-1 s (optional: builds, document camera)")
    for c in truth["cuts"]:
        near = [x for x in cuts if abs(x - c) <= 1.0]
        print(f"  true cut {c:6.1f}: {'found at ' + str([round(x, 1) for x in near]) if near else 'MISSED'}")
    names = {a: n for n, (a, _, _) in truth["situations"].items()}
    for c in opt:
        near = [x for x in cuts if abs(x - c) <= 1.0]
        print(f"  optional {names.get(c, '?'):22s} {c:6.1f}: {'found at ' + str(near) if near else 'not cut'}")
    for x in cuts:
        if all(abs(x - c) > 1.0 for c in truth["cuts"] + opt):
            print(f"  false alarm {x:6.1f} in {independent_media_lecture.situation_of(x, truth)}")
    for x in sections:
        if all(abs(x - c) > 1.0 for c in truth["cuts"] + truth["topic_edges"] + opt) and x not in cuts:
            print(f"  section edge (no picture cut) {x:6.1f} in {independent_media_lecture.situation_of(x, truth)}")
    for c in truth["topic_edges"]:
        near = [round(x, 1) for x in sections if abs(x - c) <= 1.0]
        print(f"  topic edge on the unchanged slide {c:6.1f}: {'section edge at ' + str(near) if near else 'MISSED'}")


def report_topics(rec, diag: dict, truth: dict) -> None:
    """Per topic: its visual segments and the OCR entries overlapping it by over 1 s, with which screen's words
    each entry holds (the right: this topic's slide; the left: the previous slide, or the printed page)."""
    paper = words(" ".join([PAPER[0], *PAPER[1]]))
    keys = [x["slide"] for x in truth["topics"]]
    for i, x in enumerate(truth["topics"]):
        a, end = x["start"], x["end"]
        prev = [k for k in keys[:i] if k != x["slide"]]
        right, left = slide_words(x["slide"]), slide_words(prev[-1]) if prev else set()
        segs = [(round(s, 1), round(e, 1)) for s, e in rec.visual_segments if min(e, end) - max(s, a) > 1.0]
        ocr = [o for o in diag["ocr"] if min(o[1], end) - max(o[0], a) > 1.0]
        print(f"{x['name']}: {a:.1f}-{end:.1f} right={x['slide']} left={prev[-1] if prev else 'black'}: "
              f"{len(segs)} visual segments {segs}, {len(ocr)} OCR entries")
        for s, e, text in ocr:
            doc = f", paper {len(words(text) & paper)}/{len(paper)}" if s < truth["doc"][1] and e > truth["doc"][0] \
                else ""
            print(f"    ocr {s:6.1f}-{e:6.1f} [{screen_share(text, right, left)}{doc}]: {text[:200]!r}")


def late_check(diag: dict, truth: dict) -> None:
    """For each missed query: where its top result lies (which topic holds its middle), and whether that is the
    topic after its truth (its slide then on the left screen)."""
    topics = truth["topics"]
    for q in diag["queries"]:
        if q["iou"] >= 0.5 or not q["results"]:
            continue
        m = q["results"][0]
        mid = (m["start"] + m["end"]) / 2
        at = next((k for k, x in enumerate(topics) if x["start"] <= mid < x["end"]), None)
        own = next((k for k, x in enumerate(topics) if abs(x["start"] - q["truth"][0]) < 0.01), None)
        where = topics[at]["name"] if at is not None else "?"
        late = " (ONE TOPIC LATE: its slide on the left screen)" if own is not None and at == own + 1 else ""
        print(f"miss {q['type']:7s} {q['query']!r}: top {m['start']:.1f}-{m['end']:.1f} in {where}{late}")


def evaluate(out: Path, truth: dict, reuse: bool) -> None:
    index = independent_code_lecture.indexed(out, NAME, reuse)
    rec = index.videos()[0]
    score_cuts(rec, index, truth)
    diag = independent_code_lecture.diagnostics(index, rec)
    report_topics(rec, diag, truth)
    independent_code_lecture.run_queries(index, truth["queries"], diag)
    late_check(diag, truth)
    (out / "diagnostics.json").write_text(json.dumps(diag, indent=1, default=str))


def main() -> int:
    return independent_code_lecture.run_probe(__doc__, "/tmp/dualscreen", render, evaluate)


if __name__ == "__main__":
    sys.exit(main())
