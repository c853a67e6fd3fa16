#!/usr/bin/env python3
"""A lecture-capture recording ("side by side", as Opencast or Panopto publish it) rendered without
momentsearch.testing, indexed and searched: a check on a kind of real recording nothing was tuned on.
1280x720 at 10 fps. Left: the slide pane (a 16:9 pane holding a 4:3 deck, pillarboxed in dark grey);
right: the presenter camera (a figure at a lectern in a room who sways, walks a little and gestures all
the time, with sensor noise and exposure flicker) over a static name label; across the top a header bar
with the course name and a burned-in clock (hh:mm:ss, changing every second). The deck is ONE template
(white page, navy serif title, a thin crimson rule under it, a university footer with a crest and the
page number): a lecture on medieval trade routes in five topics, a voice no other script uses (espeak-ng
en-gb+m4 at 145 wpm) over drifting room noise and hiss. What real decks do and this probe tests:

  outline   an "Outline" slide listing the five topics is shown at the start and again before every
            later topic (5-6 s, the coming topic in bold crimson, the others greyed), while the lecturer
            says a short bridge that names no topic ("Back to the outline. Our next stop is here.")
  pictures  two slides are mostly a picture: a photo-like courtyard inn with a caption, and a flow
            diagram of boxes and arrows (how pepper reached Bruges)
  question  in topic 4 a second voice (espeak-ng en-us+f2 at 160 wpm, quieter, with reverb, band-limited
            and over more hiss) asks a question from the hall; answering it, the lecturer goes back one
            slide for ~12 s and then returns (a back-and-forth in the slides)

Decisions, fixed before any result was seen. The true cuts are all 17 slide changes (to and from the
outline, and both changes of the back-and-forth), +-1 s; the clock, the camera tile and the noise are no
cuts: a detected boundary farther than 1 s from every true cut is a false alarm, put down to the situation
whose window (its start - 1 s to its end) holds it, else to "other" (where only the clock and the camera
change). Stretches: the intro (title slide), each outline interlude (a stretch of its own, belonging to
neither topic), the five topics (from the topic's first slide, 0.6 s before its first word, to the next
outline) and the closing summary; the back-and-forth is inside topic 4, no stretch edge. Section edges
are scored against the true cuts (momentsearch starts a section at every slide change, as the other
probes score it) and, on a second line, against the stretch edges alone. Query truth: a said / shown /
concept query's truth is the slide its words are on (its first showing), as in the media probe; an
"agenda" query (a topic's name as written on the outline, which is also its first slide's title) has
the whole topic as truth, never the outline; the question query's truth is the exchange, from the
question's first word to the end of the answer (the next outline). Each topic's first slide holds over
60 % of its topic (checked when rendering) so that a slide-sized answer there is a hit, except topic 4,
where the exchange makes the topic long: no agenda query is asked about it. The 17 queries were written
with the slides, before the first run, and not changed after.

    python3 scripts/independent_seminar_lecture.py [--out /tmp/seminar] [--reuse]

Prints picture cuts and section edges against the truth (precision / recall / F1 at +-1 s) with each false
alarm's situation, what the index holds during each situation (visual segments, OCR entries and their
text, transcript chunks), each query's type, hit or miss (top result's IoU >= 0.5), truth and top span,
IoU and per-channel scores, whether each agenda query came back on an outline slide, and the run time;
writes OUT/diagnostics.json (visual segments, sections, OCR text per entry, transcript chunks, chapters,
each query's top 3). `--reuse` scores the video and index already in OUT. Deterministic (fixed seeds).
One short lecture in its own index: a probe, not a benchmark.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
import independent_code_lecture  # noqa: E402 (its index, query report and command line)
import independent_lecture  # noqa: E402 (its espeak-ng reader, soundtrack and encoder)
import independent_media_lecture  # noqa: E402 (its cut report, noise texture and line wrapping)

W, H, FPS, SR = 1280, 720, 10, 16000
VOICE, RATE = "en-gb+m4", 145
ASKER, ASKER_RATE = "en-us+f2", 160
LEAD = independent_lecture.LEAD  # seconds from a slide's start to its first word
GAP, PAUSE, OUTLINE_MIN = 1.5, 0.8, 5.0  # seconds: after a slide's last word; between two clips; outline shown
NAME = "hist2140_lecture07.mp4"
SERIF_BOLD = "/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf"
SANS = "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"
SANS_BOLD = "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"
SANS_ITALIC = "/usr/share/fonts/truetype/liberation/LiberationSans-Italic.ttf"
NAVY, CRIMSON, INK, GREY = (16, 32, 72), (166, 28, 48), (40, 44, 56), (150, 152, 162)
DECK_W, DECK_H = 1024, 768  # the deck's own size, scaled into the pane
PANE = (8, 150, 792, 446)  # the slide pane (16:9): x, y, width, height; the 4:3 deck sits in its middle
CAMERA = (806, 150, 466, 350)  # the presenter camera: x, y, width, height
HEADER = 36  # pixels; the header bar across the top
CLOCK_FROM = 10 * 3600 + 14 * 60 + 47  # the burned-in clock's time of day at the recording's start (s)

TOPICS = ["The Silk Roads", "Venice and the Mediterranean", "The Champagne Fairs", "The Hanseatic League",
          "New Routes by Sea"]
SLIDES = {  # key: (title, bullets, picture)
    "title": ("Medieval Trade Routes", ["How goods, money and news crossed Europe and Asia, 1100-1500",
                                        "HIST 2140  Lecture 7  Dr. Miriam Okafor"], None),
    "silk": (TOPICS[0], ["Chang'an to Constantinople: 6,400 km", "Bactrian camels, 200 kg each",
                         "Relay trade between oasis towns"], None),
    "inn": ("Where Caravans Rested", ["Caravanserai near Kashan, Iran. Photo: K. Amini (2019)"], "photo"),
    "venice": (TOPICS[1], ["State galleys sailed in convoys (mude)", "Pepper bought in Alexandria",
                           "Fondaco dei Tedeschi on the Rialto"], None),
    "pepper": ("How Pepper Reached Bruges", [], "diagram"),
    "fairs": (TOPICS[2], ["Six fairs a year, four towns", "Troyes, Provins, Lagny, Bar-sur-Aube",
                          "Wardens of the fairs enforce contracts"], None),
    "credit": ("Money Without Coins", ["Bills of exchange", "Money changers at their tables",
                                       "Debts cleared on the last days"], None),
    "hansa": (TOPICS[3], ["Lübeck and Hamburg at the core", "Kontors: London, Bruges, Bergen, Novgorod",
                          "The cog: cheap bulk carrier"], None),
    "cargo": ("What Moved on the Baltic", ["Salted herring and rye", "Furs and wax from Novgorod",
                                           "Stockfish from Bergen"], None),
    "sea": (TOPICS[4], ["1453: Constantinople falls to the Ottomans", "1498: da Gama rounds the Cape",
                        "Antwerp and Lisbon rise"], None),
    "summary": ("Summary", ["Relay trade over land", "Convoys and monopolies at sea", "Fairs and paper credit",
                            "Bulk goods in the north", "Reading: Abu-Lughod, Before European Hegemony, ch. 2"],
                None),
}
SHOTS = [  # (slide key, topic highlighted on the outline, stretch, [(speaker L or Q, words)]): one per slide change
    ("title", None, "intro", [("L", "Good morning, and welcome to week seven. Last time we looked at farming and "
     "the manor. Today we follow the merchants instead: the people who moved silk, pepper, wool and fish across "
     "thousands of kilometres, long before railways or steam ships, and the institutions they invented to make "
     "that possible.")]),
    ("outline", None, "outline 0", [("L", "Here is our route for today, in five stops.")]),
    ("silk", None, "topic 1", [("L", "Let's begin in the east. The Silk Roads were never one road, but a web of "
     "tracks linking the Chinese capital with the cities of the Mediterranean. Caravans of two humped camels "
     "crossed deserts and mountain passes, each animal carrying a heavy load of cloth, porcelain or spices. "
     "Almost nobody travelled the whole way. Goods passed from hand to hand between oasis towns such as "
     "Samarkand and Kashgar, and every middleman added his own profit to the price. A bale of silk that left "
     "China could cost a hundred times more by the time it was unpacked on the shores of the Black Sea.")]),
    ("inn", None, "topic 1", [("L", "This is what a roadside inn for caravans looked like: a square courtyard "
     "inside thick walls, with one gate that was locked at night. They stood about one day's march apart, and "
     "news, languages and diseases travelled through them along with the goods.")]),
    ("outline", 1, "outline 1", [("L", "Back to the outline. Our next stop is here.")]),
    ("venice", None, "topic 2", [("L", "Now to the sea. By the thirteenth century Venice controlled much of the "
     "trade between Europe and the eastern Mediterranean. Twice a year the republic auctioned places on its "
     "state owned galleys, which sailed together in armed convoys for protection against pirates. In the ports "
     "of Egypt and Syria, Venetian agents bought pepper, ginger and cinnamon, and sold woollen cloth, metals "
     "and timber in return. German merchants had to stay in one building on the Grand Canal, where the city "
     "could watch and tax everything they did.")]),
    ("pepper", None, "topic 2", [("L", "This diagram follows one sack of pepper. It grew on islands in the far "
     "east, crossed the Indian Ocean with the monsoon winds, went through the Red Sea and over the desert to the "
     "Egyptian coast, and only then reached Venetian hands.")]),
    ("outline", 2, "outline 2", [("L", "Let us check where we are on the plan.")]),
    ("fairs", None, "topic 3", [("L", "Where did Italian and Flemish traders actually meet? For about a century "
     "and a half the answer was a cycle of markets in the county of Champagne, in north eastern France. Each "
     "market lasted several weeks, and they followed each other through the year, so that there was almost "
     "always one open somewhere. The counts of Champagne guaranteed safe passage to visiting merchants, and "
     "appointed their own officials to settle disputes, which made strangers willing to do business with "
     "each other.")]),
    ("credit", None, "topic 3", [("L", "The fairs also changed how money worked. Carrying chests of silver along "
     "the roads was slow and dangerous. Instead, a merchant could hand his coins to a banker in Florence and "
     "receive a written promise, payable weeks later at the fair in another currency.")]),
    ("outline", 3, "outline 3", [("L", "Right. On to the next part.")]),
    ("hansa", None, "topic 4", [("L", "Let's move north. The Hanseatic League was not a state but an alliance of "
     "merchant towns around the Baltic and the North Sea, led by Lubeck. Its members kept trading posts abroad, "
     "walled compounds where German merchants lived under their own laws. Their workhorse was the cog, a broad "
     "ship with one mast and a single square sail, which could carry a large cargo with a small crew.")]),
    ("cargo", None, "topic 4", [("L", "What did they carry? Mostly cheap, heavy goods that people needed every "
     "day. Grain from Prussia and Poland fed the growing towns of Flanders. Herring caught off southern Sweden "
     "was packed in salt and eaten all over Europe during Lent. From Russia came furs and beeswax for church "
     "candles, and from Norway dried cod."),
     ("Q", "Sorry, can I ask something? If the Venetian galleys were safer, why didn't the Baltic towns use "
      "galleys too?"),
     ("L", "Good question. Let me go back one slide to the ship.")]),
    ("hansa", None, "topic 4", [("L", "A galley needs over a hundred rowers, who all have to be fed and paid. "
     "For grain and fish, the cog with its small crew was far cheaper.")]),
    ("cargo", None, "topic 4", [("L", "So the goods decided the ship. Does that answer it? Good.")]),
    ("outline", 4, "outline 4", [("L", "And now the last stop of today.")]),
    ("sea", None, "topic 5", [("L", "Finally, how did this world end? In the fifteenth century the old pattern "
     "broke. The Ottoman conquest of the great city on the Bosporus gave a new power control of the western "
     "end of the land routes. Portuguese sailors found a way around Africa to India, and pepper began to "
     "arrive by ship in Lisbon, with no middlemen in Egypt or Venice. Within a few decades the centre of "
     "European trade had moved to the Atlantic coast.")]),
    ("summary", None, "closing", [("L", "To sum up. Over land, goods moved in relays; at sea, states organised "
     "convoys; at the fairs, merchants invented credit; and in the north, towns cooperated to carry everyday "
     "goods cheaply. For next week, please read the second chapter of the set book. Thank you.")]),
]
QUERIES = [  # (query, target: a slide key (its first showing), a stretch or "question", type); not changed after
    ("The Silk Roads", "topic 1", "agenda"),
    ("every middleman added his own profit", "silk", "said"),
    ("beasts of burden hauling goods through arid central Asia", "silk", "concept"),
    ("Caravanserai near Kashan", "inn", "shown"),
    ("Venice and the Mediterranean", "topic 2", "agenda"),
    ("twice a year the republic auctioned", "venice", "said"),
    ("Moluccas Calicut Aden", "pepper", "shown"),
    ("The Champagne Fairs", "topic 3", "agenda"),
    ("guaranteed safe passage to visiting merchants", "fairs", "said"),
    ("Troyes Provins Lagny", "fairs", "shown"),
    ("paying with paper credit instead of transporting cash", "credit", "concept"),
    ("a broad ship with one mast", "hansa", "said"),
    ("stockfish from Bergen", "cargo", "shown"),
    ("question from the audience about galleys in the Baltic", "question", "question"),
    ("New Routes by Sea", "topic 5", "agenda"),
    ("a way around Africa to India", "sea", "said"),
    ("the decline of the older commercial network once ships sailed round a continent", "sea", "concept"),
]


def fonts() -> dict:
    from PIL import ImageFont

    return {"title": ImageFont.truetype(SERIF_BOLD, 46), "big": ImageFont.truetype(SERIF_BOLD, 64),
            "body": ImageFont.truetype(SANS, 34), "bold": ImageFont.truetype(SANS_BOLD, 36),
            "item": ImageFont.truetype(SANS, 36), "foot": ImageFont.truetype(SANS, 18),
            "caption": ImageFont.truetype(SANS_ITALIC, 24), "box": ImageFont.truetype(SANS_BOLD, 26),
            "label": ImageFont.truetype(SANS_ITALIC, 21), "sub": ImageFont.truetype(SANS, 28)}


def template(title: str | None, page: int):
    """The deck's one template: white page, navy serif title over a thin crimson rule, a footer with the
    university's crest, name and the page number. Returns (image, draw, fonts)."""
    from PIL import Image, ImageDraw

    f = fonts()
    im = Image.new("RGB", (DECK_W, DECK_H), (255, 255, 255))
    d = ImageDraw.Draw(im)
    if title is not None:
        d.text((56, 44), title, font=f["title"], fill=NAVY)
        d.rectangle([56, 114, DECK_W - 56, 117], fill=CRIMSON)
    d.line([40, 712, DECK_W - 40, 712], fill=(205, 208, 216), width=1)
    d.rectangle([44, 722, 64, 746], fill=NAVY)
    d.polygon([(44, 746), (54, 756), (64, 746)], fill=NAVY)
    d.text((49, 724), "N", font=f["foot"], fill=(255, 255, 255))
    d.text((76, 726), "University of Northbridge  |  School of History", font=f["foot"], fill=(110, 112, 124))
    d.text((DECK_W - 80, 726), str(page), font=f["foot"], fill=(110, 112, 124))
    return im, d, f


def bullets_slide(key: str, page: int):
    title, bullets, picture = SLIDES[key]
    if key == "title":
        im, d, f = template(None, page)
        d.text((80, 250), title, font=f["big"], fill=NAVY)
        d.rectangle([80, 340, 620, 343], fill=CRIMSON)
        d.text((80, 370), bullets[0], font=f["sub"], fill=INK)
        d.text((80, 430), bullets[1], font=f["sub"], fill=(110, 112, 124))
        return im
    im, d, f = template(title, page)
    if picture == "photo":
        im.paste(photo(), (112, 150))
        d.text((112, 648), bullets[0], font=f["caption"], fill=(90, 92, 100))
        return im
    if picture == "diagram":
        diagram(d, f)
        return im
    y = 170
    for text in bullets:
        d.rectangle([64, y + 16, 76, y + 28], fill=CRIMSON)
        for line in independent_media_lecture.wrap(text, f["body"], 840):
            d.text((96, y), line, font=f["body"], fill=INK)
            y += 46
        y += 34
    return im


def outline_slide(highlight: int | None, page: int):
    """The agenda: the five topics, numbered; the coming one in bold crimson with a bar, the others grey
    (all navy when none is highlighted, at the start)."""
    im, d, f = template("Outline", page)
    for k, name in enumerate(TOPICS):
        y = 180 + 92 * k
        on = highlight == k + 1
        colour = NAVY if highlight is None else CRIMSON if on else GREY
        if on:
            d.rectangle([56, y - 8, 66, y + 48], fill=CRIMSON)
        d.text((90, y), f"{k + 1}", font=f["bold"] if on else f["item"], fill=colour)
        d.text((140, y), name, font=f["bold"] if on else f["item"], fill=colour)
    return im


def photo():
    """A photo-like picture (800x480): a courtyard inn's wall and gate with arches under a hazy sky,
    sandy ground, stone texture, vignetting and grain."""
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(5)
    h, w = 480, 800
    tex = independent_media_lecture.fractal((h, w), rng)
    grain = independent_media_lecture.fractal((h, w), rng, octaves=7)
    ys = np.arange(h)[:, None] / h
    sky = np.stack([0.62 + 0.2 * ys + 0.1 * tex, 0.70 + 0.12 * ys + 0.08 * tex, 0.82 - 0.1 * ys + 0.05 * tex], -1)
    img = np.broadcast_to(sky, (h, w, 3)).copy()
    wall = np.stack([0.72 + 0.18 * grain, 0.58 + 0.16 * grain, 0.40 + 0.12 * grain], -1)
    sand = np.stack([0.78 + 0.12 * tex, 0.66 + 0.1 * tex, 0.46 + 0.08 * tex], -1)
    mask = Image.new("L", (w, h), 0)
    m = ImageDraw.Draw(mask)
    m.rectangle([60, 150, 740, 380], fill=1)
    m.rectangle([320, 90, 480, 380], fill=1)  # the gate's tall front
    for x in range(60, 740, 40):
        m.rectangle([x, 136, x + 20, 150], fill=1)  # battlements
    holes = Image.new("L", (w, h), 0)
    o = ImageDraw.Draw(holes)
    o.rectangle([360, 200, 440, 380], fill=1)
    o.ellipse([360, 160, 440, 240], fill=1)
    for x in list(range(90, 300, 70)) + list(range(510, 720, 70)):
        o.rectangle([x, 260, x + 36, 340], fill=1)
        o.ellipse([x, 242, x + 36, 278], fill=1)
    wall_mask = (np.asarray(mask) > 0) & ~(np.asarray(holes) > 0)
    img[wall_mask] = wall[wall_mask]
    img[np.asarray(holes) > 0] = wall[np.asarray(holes) > 0] * 0.3
    img[380:] = sand[380:]
    vignette = 1 - 0.35 * (((np.arange(w) - w / 2) / w) ** 2 + ((np.arange(h)[:, None] - h / 2) / h) ** 2)
    img = img * vignette[..., None] + rng.normal(0, 0.02, img.shape)
    return Image.fromarray((np.clip(img, 0, 1) * 255).astype(np.uint8))


DIAGRAM = [("Moluccas", "ship"), ("Calicut", "ship"), ("Aden", "camel"), ("Alexandria", "galley"),
           ("Venice", "wagon"), ("Bruges", None)]  # the stops in order, each with how it went on


def diagram(d, f) -> None:
    """A flow diagram of the pepper's stops: two rows of boxes (left to right, then right to left) joined by
    arrows, each arrow labelled with the carrier; a price note in a corner."""
    boxes = []
    for k, (name, _) in enumerate(DIAGRAM):
        row, col = divmod(k, 3)
        col = col if row == 0 else 2 - col
        x, y = 90 + 310 * col, 200 + 250 * row
        boxes.append((x, y, x + 220, y + 90))
        d.rounded_rectangle(boxes[-1], 14, fill=(222, 232, 246), outline=NAVY, width=3)
        d.text((x + 110, y + 45), name, font=f["box"], fill=NAVY, anchor="mm")
    for k, (_, carrier) in enumerate(DIAGRAM[:-1]):
        a, b = boxes[k], boxes[k + 1]
        if a[1] == b[1]:
            y, way = a[1] + 45, 1 if b[0] > a[0] else -1
            x0, x1 = (a[2] + 6, b[0] - 6) if way > 0 else (a[0] - 6, b[2] + 6)
            d.line([x0, y, x1, y], fill=CRIMSON, width=5)
            d.polygon([(x1, y), (x1 - 18 * way, y - 11), (x1 - 18 * way, y + 11)], fill=CRIMSON)
            d.text(((x0 + x1) / 2, y - 24), carrier, font=f["label"], fill=INK, anchor="mm")
        else:
            x = a[0] + 110
            d.line([x, a[3] + 6, x, b[1] - 20], fill=CRIMSON, width=5)
            d.polygon([(x, b[1] - 6), (x - 11, b[1] - 24), (x + 11, b[1] - 24)], fill=CRIMSON)
            d.text((x + 20, (a[3] + b[1]) / 2), carrier, font=f["label"], fill=INK, anchor="lm")
    d.text((90, 600), "price x30", font=f["label"], fill=CRIMSON)


def chrome() -> np.ndarray:
    """What never changes: the player's background, the header bar (course name; the clock is drawn per
    frame), the pane's pillarbox bars and the name label under the camera."""
    import cv2

    frame = np.full((H, W, 3), (24, 24, 26), np.uint8)
    frame[:HEADER] = (33, 41, 56)
    cv2.putText(frame, "HIST 2140  Medieval Trade Routes  -  Lecture 7", (14, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.6,
                (230, 232, 238), 1, cv2.LINE_AA)
    x, y, w, h = PANE
    frame[y:y + h, x:x + w] = (64, 64, 66)
    cx, cy, cw, ch = CAMERA
    cv2.putText(frame, "Dr. Miriam Okafor", (cx + 4, cy + ch + 26), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (220, 220, 224),
                1, cv2.LINE_AA)
    return frame


def with_slide(base: np.ndarray, deck) -> np.ndarray:
    """`base` with the deck image scaled to the pane's height in the pane's middle (bars left and right)."""
    import cv2

    x, y, w, h = PANE
    dw = round(h * DECK_W / DECK_H)
    frame = base.copy()
    frame[y:y + h, x + (w - dw) // 2:x + (w - dw) // 2 + dw] = cv2.resize(np.asarray(deck), (dw, h),
                                                                          interpolation=cv2.INTER_AREA)
    return frame


def room() -> np.ndarray:
    """The camera's empty room: a plastered wall, a whiteboard's edge, a door, the floor."""
    import cv2

    _, _, w, h = CAMERA
    tex = independent_media_lecture.fractal((h, w), np.random.default_rng(9))
    img = np.stack([196 + 18 * tex, 186 + 16 * tex, 166 + 14 * tex], -1)
    img[:, :] -= (np.arange(w)[None, :] / w * 30)[..., None]
    img = img.astype(np.uint8)
    cv2.rectangle(img, (0, 40), (150, 200), (236, 238, 236), -1)
    cv2.rectangle(img, (0, 40), (150, 200), (120, 124, 128), 3)
    cv2.rectangle(img, (380, 60), (450, 290), (128, 92, 64), -1)
    cv2.circle(img, (392, 180), 4, (210, 190, 120), -1)
    img[290:] = (96, 84, 74)
    return img


def camera_tile(empty: np.ndarray, t: float, rng) -> np.ndarray:
    """The presenter at t: walks a little, sways, nods and gestures; a lectern in front; exposure flicker
    and sensor noise."""
    import cv2

    img = empty.copy()
    cx = int(230 + 45 * np.sin(2 * np.pi * t / 31) + 9 * np.sin(1.3 * t))
    hy = int(112 + 3 * np.sin(2.2 * t) + 2 * np.sin(0.7 * t))
    cv2.fillPoly(img, [np.array([[cx - 58, hy + 58], [cx + 58, hy + 58], [cx + 70, 350], [cx - 70, 350]])],
                 (62, 70, 98))
    cv2.rectangle(img, (cx - 12, hy + 30), (cx + 12, hy + 60), (190, 150, 124), -1)
    cv2.ellipse(img, (cx + int(4 * np.sin(0.9 * t)), hy), (27, 34), 0, 0, 360, (196, 156, 128), -1)
    cv2.ellipse(img, (cx + int(4 * np.sin(0.9 * t)), hy - 14), (29, 24), 0, 180, 360, (58, 42, 34), -1)
    lift = 0.9 + 0.6 * np.sin(0.8 * t) + 0.3 * np.sin(2.1 * t)  # the right arm's angle (radians from down)
    ex, ey = cx + 58 + int(50 * np.sin(lift)), hy + 66 + int(50 * np.cos(lift))
    cv2.line(img, (cx + 54, hy + 66), (ex, ey), (62, 70, 98), 18)
    cv2.line(img, (ex, ey), (ex + int(36 * np.sin(lift + 0.8)), ey - int(36 * np.cos(lift + 0.8))),
             (62, 70, 98), 16)
    cv2.line(img, (cx - 54, hy + 66), (cx - 66, hy + 170), (62, 70, 98), 18)
    cv2.rectangle(img, (250, 230), (380, 350), (104, 72, 48), -1)
    cv2.rectangle(img, (240, 222), (390, 236), (124, 88, 60), -1)
    gain = 1 + 0.02 * np.sin(2 * np.pi * t * 0.37) + 0.01 * rng.standard_normal()
    noisy = img.astype(np.float32) * gain + rng.normal(0, 5, img.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def clock(frame: np.ndarray, t: float) -> None:
    import cv2

    s = CLOCK_FROM + int(t)
    cv2.putText(frame, f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}", (W - 104, 24),
                cv2.FONT_HERSHEY_SIMPLEX, 0.6, (230, 232, 238), 1, cv2.LINE_AA)


def timeline(clips: list[list[np.ndarray]]) -> list[dict]:
    """Each shot's start, end and page, and its clips' (speaker, start, end), in seconds."""
    shots, t, pages = [], 0.0, {}
    for (key, hl, stretch, lines), sounds in zip(SHOTS, clips):
        at, placed = t + LEAD, []
        for (who, _), clip in zip(lines, sounds):
            placed.append((who, round(at, 3), round(at + len(clip) / SR, 3)))
            at += len(clip) / SR + PAUSE
        end = max(at - PAUSE + GAP, t + (OUTLINE_MIN if key == "outline" else 0.0))
        pages.setdefault((key, hl), len(pages) + 1)
        shots.append({"start": round(t, 3), "end": round(end, 3), "key": key, "highlight": hl,
                      "stretch": stretch, "page": pages[(key, hl)], "clips": placed})
        t = end
    assert all(a["key"] != b["key"] for a, b in zip(shots, shots[1:])), "every shot is a slide change"
    return shots


def asker_sound(clip: np.ndarray, level: float, rng) -> np.ndarray:
    """A question from the hall as the lecturer's microphone hears it: reverberant, band-limited, `level`
    times the lecturer's loudness (RMS)."""
    from scipy.signal import butter, fftconvolve, sosfilt

    n = int(0.5 * SR)
    tail = rng.normal(0, 1, n) * np.exp(-np.arange(n) / (0.13 * SR))
    tail = 0.8 * tail / np.sqrt(np.sum(tail ** 2))
    tail[0] += 0.5
    wet = sosfilt(butter(4, [250, 3400], btype="band", fs=SR, output="sos"), fftconvolve(clip, tail))
    return (wet * level / (np.sqrt(np.mean(wet ** 2)) + 1e-9)).astype(np.float32)


def sound(clips: list[list[np.ndarray]], shots: list[dict], duration: float, rng) -> np.ndarray:
    lecturer = [(c, at) for sounds, shot in zip(clips, shots) for c, (who, at, _) in zip(sounds, shot["clips"])
                if who == "L"]
    audio = independent_lecture.soundtrack([c for c, _ in lecturer], [at - LEAD for _, at in lecturer], duration,
                                           rng)
    loud = 0.8 * np.sqrt(np.mean(np.concatenate([c for c, _ in lecturer]) ** 2))
    for sounds, shot in zip(clips, shots):
        for c, (who, at, end) in zip(sounds, shot["clips"]):
            if who == "Q":
                wet = asker_sound(c, 0.35 * loud, rng)
                i = int(at * SR)
                audio[i:i + len(wet)] += wet[:len(audio) - i]
                audio[i:int(end * SR) + SR // 2] += 0.004 * rng.normal(0, 1, int(end * SR) + SR // 2 - i)
    return audio + 0.003 * rng.normal(0, 1, audio.size).astype(np.float32)  # hiss of the lapel microphone


def spoken() -> list[list[np.ndarray]]:
    return [[independent_lecture.speak(text, VOICE, RATE) if who == "L" else
             independent_lecture.speak(text, ASKER, ASKER_RATE) for who, text in lines] for *_, lines in SHOTS]


def pictures(shots: list[dict]) -> list[np.ndarray]:
    """Each shot's frame without the camera and the clock."""
    base, made = chrome(), {}
    for s in shots:
        if (s["key"], s["highlight"]) not in made:
            deck = outline_slide(s["highlight"], s["page"]) if s["key"] == "outline" else \
                bullets_slide(s["key"], s["page"])
            made[(s["key"], s["highlight"])] = with_slide(base, deck)
    return [made[(s["key"], s["highlight"])] for s in shots]


def render(out: Path) -> dict:
    """Writes OUT/NAME, OUT/truth.json and OUT/frames/*.png (each shot's middle frame); returns the truth."""
    import av
    from PIL import Image

    rng = np.random.default_rng(31)
    clips = spoken()
    shots = timeline(clips)
    duration = shots[-1]["end"]
    frames, empty = pictures(shots), room()
    (out / "frames").mkdir(exist_ok=True)
    starts = [s["start"] for s in shots]
    with av.open(str(out / NAME), "w") as container:
        video, audio_stream = independent_lecture.streams(container, FPS)
        for f in range(int(duration * FPS)):
            t = f / FPS
            k = int(np.searchsorted(starts, t, side="right")) - 1
            frame = frames[k].copy()
            x, y, w, h = CAMERA
            frame[y:y + h, x:x + w] = camera_tile(empty, t, rng)
            clock(frame, t)
            if f == int((shots[k]["start"] + shots[k]["end"]) / 2 * FPS):
                Image.fromarray(frame).save(out / "frames" / f"{k:02d}_{shots[k]['key']}.png")
            for packet in video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        independent_lecture.finish(container, video, audio_stream, sound(clips, shots, duration, rng))
    truth = truth_of(shots)
    (out / "truth.json").write_text(json.dumps(truth, indent=1))
    print(f"rendered {duration:.1f} s at {W}x{H}, {FPS} fps; {len(shots)} shots: " +
          ", ".join(f"{s['start']:.1f} {s['key']}{'' if s['highlight'] is None else s['highlight']}" for s in shots))
    print("stretches: " + ", ".join(f"{n} {a:.1f}-{b:.1f}" for a, b, n in truth["stretches"]))
    print("share of its topic on the topic's first slide: " + ", ".join(f"{n} {v:.2f}" for n, v in
                                                                        truth["first_share"].items()))
    return truth


def truth_of(shots: list[dict]) -> dict:
    stretches: list[list] = []
    for s in shots:
        if stretches and stretches[-1][2] == s["stretch"]:
            stretches[-1][1] = s["end"]
        else:
            stretches.append([s["start"], s["end"], s["stretch"]])
    span = {n: (a, b) for a, b, n in stretches}
    asked = next(c for s in shots for c in s["clips"] if c[0] == "Q")
    span["question"] = (asked[1], span["topic 4"][1])
    for s in reversed(shots):
        span[s["key"]] = (s["start"], s["end"])  # the first showing wins
    first = {n: (span[n][0], next(s["end"] for s in shots if s["start"] == span[n][0])) for n in span
             if n.startswith("topic")}
    situations = {}
    for s in shots:
        if s["key"] == "outline":
            situations[s["stretch"]] = [s["start"], s["start"], s["end"]]
    for key in ("inn", "pepper"):
        situations[f"picture {key}"] = [span[key][0], span[key][0], span[key][1]]
    back = [s for s in shots if s["stretch"] == "topic 4"]
    situations["question"] = [asked[1], asked[2], back[2]["start"]]
    situations["back-and-forth"] = [back[2]["start"], back[3]["start"], back[3]["end"]]
    return {"shots": shots, "cuts": [s["start"] for s in shots[1:]], "stretches": stretches,
            "stretch_edges": [a for a, _, _ in stretches[1:]], "situations": situations,
            "first_share": {n: round((b - a) / (span[n][1] - span[n][0]), 3) for n, (a, b) in first.items()},
            "queries": [[q, *span[target], kind] for q, target, kind in QUERIES]}


def overlap(a: float, b: float, start: float, end: float) -> float:
    return max(0.0, min(b, end) - max(a, start))


def report_situations(rec, diag: dict, truth: dict) -> None:
    """What the index holds during each situation: visual segments and OCR entries that overlap it by more
    than 1 s (a cut placed a few frames off is no overlap) and transcript chunks that start or end in it."""
    for name, (a, b, end) in truth["situations"].items():
        segs = [(s, e) for s, e in rec.visual_segments if overlap(s, e, a, end) > 1.0]
        ocr = [o for o in diag["ocr"] if overlap(o[0], o[1], a, end) > 1.0]
        lo, hi = (a, b) if name == "question" else (a, end)  # the question: while it is asked
        speech = [c for c in diag["transcript"] if lo < c[0] < hi or lo < c[1] < hi or c[0] <= lo < c[1]]
        print(f"{name}: {a:.1f}-{end:.1f}: {len(segs)} visual segments {[(round(s, 1), round(e, 1)) for s, e in segs]}"
              f", {len(ocr)} OCR entries, {len(speech)} transcript chunks")
        for s, e, text in ocr:
            print(f"    ocr entry {s:6.1f}-{e:6.1f}: {text[:160]!r}")
        for s, e, text in speech:
            print(f"    transcript {s:6.1f}-{e:6.1f}{' (START AFTER END)' if s > e else ''}: {text[:240]!r}")


def agenda_check(diag: dict, truth: dict) -> None:
    """Per agenda query: how much of its top result (and of its top 3) lies on the outline interludes."""
    outlines = [(a, end) for n, (a, _, end) in truth["situations"].items() if n.startswith("outline")]
    for q in diag["queries"]:
        if q["type"] != "agenda":
            continue
        parts = []
        for rank, m in enumerate(q["results"], 1):
            on = sum(overlap(m["start"], m["end"], a, e) for a, e in outlines)
            parts.append(f"#{rank} {m['start']:.1f}-{m['end']:.1f} {on:.1f} of {m['end'] - m['start']:.1f} s on "
                         "outline slides")
        print(f"agenda {q['query']!r}: " + "; ".join(parts))


def evaluate(out: Path, truth: dict, reuse: bool) -> None:
    from momentsearch.evaluate import boundary_scores

    index = independent_code_lecture.indexed(out, NAME, reuse)
    rec = index.videos()[0]
    independent_media_lecture.score_cuts(rec, index, truth)
    sections = [float(a) for a, _ in rec.sections[1:]]
    sc = boundary_scores(sections, truth["stretch_edges"])
    print(f"section edges vs stretch edges only {[round(x, 1) for x in truth['stretch_edges']]}: "
          f"P {sc.precision:.2f} R {sc.recall:.2f} F1 {sc.f1:.2f} at +-1 s")
    diag = independent_code_lecture.diagnostics(index, rec)
    report_situations(rec, diag, truth)
    independent_code_lecture.run_queries(index, truth["queries"], diag)
    agenda_check(diag, truth)
    (out / "diagnostics.json").write_text(json.dumps(diag, indent=1, default=str))


def main() -> int:
    return independent_code_lecture.run_probe(__doc__, "/tmp/seminar", render, evaluate)


if __name__ == "__main__":
    sys.exit(main())
