#!/usr/bin/env python3
"""A recorded panel discussion (a podcast filmed with three cameras, as published on YouTube) rendered without
momentsearch.testing, indexed and searched: a check on a kind of real recording nothing was tuned on. NO slides.
1280x720 at 10 fps, ~6 min: "Street Level", a podcast on city cycling policy: a host (espeak-ng en-us+f4 at 165
wpm) and two guests, a transport planner (en-gb-x-rp+m6 at 140 wpm) and a city councillor (en-gb-x-gbclan+f1 at
152 wpm); the voices' variants give them different pitches. Three people in armchairs in a studio (a textured
wall, a bookshelf, a framed bicycle poster, a plant, a lamp), drawn as simple figures (heads, hair, shirts in
three colours) that sway, nod, blink and move their mouths while they talk, each with a microphone; mild sensor
noise and exposure flicker. The edit (a seeded cut list) switches between:
  wide      the three in their chairs
  close     whoever is speaking, over a blurred part of the room (each person's own angle)
  reaction  a close-up of a listener during someone else's turn (2.5-4 s, then back)
The editor cuts to the new speaker a beat after a turn starts (-0.2..0.6 s), sometimes opens a turn on the wide
shot (and then does not cut at all when the shot before was wide too), lets a short interjection pass without a
cut, and breaks long turns with a reaction shot or a few seconds of the wide shot; the host's question that
leads into topic 4 and the first seconds of the answer stay on the wide shot (one topic edge with no cut). A
lower third (name and role) slides in at each person's first close-up, for 5 s; a small channel logo sits top
right throughout. The talk: an intro, five topics of 4-5 turns (turns of 2-30 s: the host's questions are short,
the guests' answers long) and a closing; the host opens topics 1, 2, 3 and 5 ("Let's start with ...", "Let's
move on to ..."); topic 4 has no phrase: answering a question about bike sharing, a guest turns to bike theft.
Turns follow each other with a pause of 0.2-0.8 s or overlap by up to 0.3 s; the voices over room tone and hiss.

Decisions, fixed before any result was seen. A true picture cut is every switch of the edit (+-1 s); the lower
third, the logo, the figures' motion and the noise are none; a boundary farther than 1 s from every switch is a
false alarm, put down to the lower third in its window, else to its shot. The cuts are scored for information:
camera cuts are NOT topic edges. The meaningful unit is the topic: a topic runs from the first word of the turn
that opens it to the next topic's first word (the intro from 0, the closing to the end); the six topic edges
(topics 1-5 and the closing) are what section edges are scored against, at +-2 s: in conversation the change
of subject sits in the pause between two turns, the editor's cut to the new speaker falls up to 0.6 s after it,
and Whisper's word times drift by a few tenths, so a boundary anywhere in that pause, at the cut that goes with
the turn or at the first words is a correct placement; 2 s still lies well inside the shortest turn that opens a
topic (>= 7 s), so it never credits a boundary in the middle of another turn. Section edges are also scored
against all turn edges (+-2 s, for information: do moments follow turns?), and the chapters against the topic
edges. A speaker turn runs from its first word to the next turn's first word (the last to the end). Query truth:
a "topic" query ("the part about helmet laws") has its whole topic; a "said" query (words one speaker said) and
a "concept" query (a paraphrase of one speaker's point, no shared key words) have the speaker turn that says it
(a user looking for what someone said wants that answer, not the whole subject); for those, the top result's
IoU with the turn's whole topic is printed too, for information only. "Who" queries (naming a speaker) are out
of scope (no speaker identification); nothing is shown on screen but the names and the logo, so there is no
"shown" query. The 18 queries were written with the conversation, before the first run, and not changed after.

    python3 scripts/independent_panel_discussion.py [--out /tmp/panel] [--reuse]

Prints camera cuts against the edit (P / R / F1 at +-1 s, each false alarm's situation), section edges and
chapters against the topic edges (P / R / F1 at +-2 s) and against the turn edges, each section edge's kind
(at a camera cut, at a turn edge without a cut, neither), per topic its turns, shots and sections, each
query's type, hit or miss (top result's IoU >= 0.5), truth, top span, IoU and channel scores, the top results'
IoU with their turn and topic and the shots they span, and the run time; writes OUT/diagnostics.json.
`--reuse` scores what OUT holds. Deterministic (fixed seeds). One recording in its own index: a probe, not a
benchmark.
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
import independent_media_lecture  # noqa: E402 (its cut report and noise texture)

W, H, FPS, SR = 1280, 720, 10, 16000
NAME = "street_level_ep42_cycling.mp4"
LEAD = independent_lecture.LEAD  # the soundtrack helper places a clip this long after the start it is given
TOLERANCE = 2.0  # seconds; a section edge this close to a topic edge is a hit (see the docstring)
START, WIDE_OPEN, MIN_SHOT = 1.0, 5.0, 2.5  # s: the first word; the opening wide shot; the shortest shot
FORCED = {15: "wide", 16: "wide"}  # turn: how the editor opens it (the host's question and the answer that turns
# to theft stay on the wide shot: the topic edge with no camera cut)
TITLE_IN, TITLE_FOR, SLIDE = 0.8, 5.0, 0.4  # s into the first close-up; shown; sliding in or out
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans{}.ttf"
PEOPLE = {  # who: (name, role, voice, rate, loudness, shirt, skin, hair, seat x in the wide shot, close-up x)
    "M": ("Nadia Brooks", "Host, Street Level", "en-us+f4", 165, 1.0, (38, 140, 150), (226, 184, 150),
          (60, 40, 30), 290, 760),
    "A": ("Henrik Aalto", "Transport planner", "en-gb-x-rp+m6", 140, 0.9, (204, 162, 52), (236, 196, 168),
          (170, 150, 120), 640, 560),
    "B": ("Carla Mendes", "City councillor, Ward 7", "en-gb-x-gbclan+f1", 152, 1.1, (142, 40, 72),
          (150, 104, 76), (30, 24, 22), 990, 520),
}
TURNS = [  # (topic, who, words); written with the queries, before the first run
    ("intro", "M", "Hello and welcome to Street Level, the show about how our cities work. I'm Nadia Brooks. This "
     "week we are talking about cycling: who the streets are for, and what city hall can do about it. With me are "
     "Henrik Aalto, who has spent twenty years designing transport networks, and Carla Mendes, a member of the "
     "city council who rides to work every single day. Welcome, both of you."),
    ("intro", "A", "Thanks for having us. I should warn you that Carla and I don't agree on everything, so this "
     "could get lively."),
    ("topic 1", "M", "Let's start with the streets themselves. Henrik, many cities have painted bike lanes on "
     "their main roads. Is a line of white paint enough?"),
    ("topic 1", "A", "Honestly, no. A painted line is a suggestion, a kerb is a promise. When we survey people who "
     "don't cycle, the first thing they mention is fear of traffic, and a strip of paint next to a bus does "
     "nothing for that. Physical separation, even a low concrete lip or a row of planters, doubles the number "
     "who say they would try it. And the lane has to continue through the junctions, because that's exactly "
     "where people get hurt."),
    ("topic 1", "B", "And I'd add the politics. Every separated lane costs parking, and when we proposed one on "
     "Harbour Road the shop owners were furious. They were convinced their customers all arrived by car. So we "
     "counted. Most of them came on foot, by bus or by bike, and a year after the lane opened, sales on that "
     "street went up."),
    ("topic 1", "M", "So the fight is really about the kerbside, not about bicycles."),
    ("topic 1", "A", "Exactly. Kerbside space is the most valuable land the city owns, and it's usually handed out "
     "for free to whoever parks there first."),
    ("topic 2", "M", "Let's move on to helmets, which always gets our listeners writing in. Carla, should the law "
     "make every cyclist wear one?"),
    ("topic 2", "B", "I wear one myself, but I would vote against making it compulsory. Look at what happened in "
     "Australia in the early nineties. When the helmet law came in, ridership fell by a third in some cities, and "
     "it never really recovered. Fewer riders means drivers stop expecting bikes, and the streets become more "
     "dangerous for everyone who's left."),
    ("topic 2", "A", "This is where Carla and I partly disagree. A helmet clearly reduces head injuries in a "
     "crash; the evidence on that is solid. But a law is a different question from a piece of equipment. The "
     "strongest protection we know of is simply having lots of people on bikes, which researchers call safety "
     "in numbers."),
    ("topic 2", "M", "What about children, though? Surely that's different."),
    ("topic 2", "B", "It is. Most parents put a helmet on a child anyway, and schools can hand them out for free. "
     "I'm happy with a rule for kids under twelve; it's the adults I don't want to push back into their cars."),
    ("topic 3", "M", "Let's move on to bike sharing. Five years ago our city had no public bikes at all; now there "
     "are three thousand. Henrik, has it worked?"),
    ("topic 3", "A", "Mostly, yes. The stations next to the train stations are the busiest, because people use "
     "them for the last mile to the office. The hidden cost is balancing. In the morning everyone rides downhill "
     "into the centre, so the operator has vans driving around at night moving bikes back up the hill."),
    ("topic 3", "B", "The dockless scheme was a different story. For a few months we had bikes lying across "
     "footpaths, in hedges, and once at the bottom of the canal. Wheelchair users and blind residents couldn't "
     "get past. Now each operator has a permit with a hard cap on numbers and marked boxes to leave them in."),
    ("topic 3", "M", "Carla, do people in your own ward actually use them?"),
    ("topic 4", "B", "Some do. But honestly, what I hear about on the doorstep is theft. Half the people I meet "
     "who gave up riding did so after their second bike was stolen. Most of them live in flats with no room in "
     "the hallway, so the bike sits outside all night. That's why we've started putting bike hangars on "
     "residential streets: a locked steel shelter for six bikes in the space of one car."),
    ("topic 4", "A", "The numbers back that up. In our surveys, theft comes up more often than bad weather as a "
     "reason to stop. Registration helps too: when frame numbers are recorded, the police can return recovered "
     "bikes, and thieves find them harder to sell online."),
    ("topic 4", "M", "And how many hangars are there so far?"),
    ("topic 4", "B", "Forty, with a waiting list of more than a thousand names, which tells you something."),
    ("topic 5", "M", "Let's move on to electric bikes, which seem to be everywhere this year. Henrik, are they "
     "changing who cycles?"),
    ("topic 5", "A", "Very much. With a motor, a ten kilometre commute up a hill stops being a workout, so you "
     "arrive at work without needing a shower. Since they arrived we see far more riders over fifty, and whole "
     "neighbourhoods on the hills that were never cycling country."),
    ("topic 5", "B", "And then there are cargo bikes. In the old town a cargo bike can replace a delivery van for "
     "most parcels, and it never blocks a lane while the driver unloads. The worry I hear is speed. Some riders "
     "tune their motors well past twenty five kilometres an hour, and on a shared path next to children that is "
     "frightening."),
    ("topic 5", "M", "So do we need speed limits on cycle paths?"),
    ("topic 5", "A", "We need wider paths, honestly. A limit nobody can enforce won't help, but a path wide enough "
     "to overtake safely will."),
    ("closing", "M", "That's all we have time for today. Henrik Aalto and Carla Mendes, thank you both. And thank "
     "you for listening to Street Level; we'll be back next week."),
    ("closing", "B", "Thanks, Nadia. This was fun."),
]
QUERIES = [  # (query, truth: a topic or a turn's index in TURNS, type); written before the first run, not changed
    ("the part about separated bike lanes", "topic 1", "topic"),
    ("a painted line is a suggestion, a kerb is a promise", 3, "said"),
    ("a year after the lane opened, sales on that street went up", 4, "said"),
    ("retailers feared losing trade when car spaces were taken away", 4, "concept"),
    ("the part about helmet laws", "topic 2", "topic"),
    ("ridership fell by a third", 8, "said"),
    ("a larger crowd of riders lowers the danger for each of them", 9, "concept"),
    ("protective headgear rules for youngsters", 11, "concept"),
    ("the discussion of bike sharing schemes", "topic 3", "topic"),
    ("vans driving around at night moving bikes back up the hill", 13, "said"),
    ("rental cycles abandoned on pavements and in the water", 14, "concept"),
    ("the segment on bike theft and where to keep bikes at home", "topic 4", "topic"),
    ("a locked steel shelter for six bikes", 16, "said"),
    ("data showing stolen property makes people give up, and recording serial codes", 17, "concept"),
    ("the conversation about electric bikes", "topic 5", "topic"),
    ("a cargo bike can replace a delivery van", 22, "said"),
    ("battery power bringing middle-aged commuters and steep districts within reach", 21, "concept"),
    ("souped-up assisted cycles endangering youngsters on mixed-use trails", 22, "concept"),
]


def spoken() -> list[np.ndarray]:
    """Each turn's clip, at its speaker's loudness (RMS) relative to the others."""
    clips = []
    for _, who, words in TURNS:
        _, _, voice, rate, loud, *_ = PEOPLE[who]
        clip = independent_lecture.speak(words, voice, rate)
        clips.append(clip * (0.12 * loud / (np.sqrt(np.mean(clip ** 2)) + 1e-9)))
    return clips


def timeline(clips: list[np.ndarray]) -> list[dict]:
    """Each turn's topic, speaker, start and end (s): the first at START, each next one after a pause of
    0.2-0.8 s or overlapping the one before by up to 0.3 s (a seeded draw)."""
    rng, turns, t = np.random.default_rng(11), [], START
    for (topic, who, _), clip in zip(TURNS, clips):
        turns.append({"topic": topic, "who": who, "start": round(t, 3), "end": round(t + len(clip) / SR, 3)})
        gap = rng.uniform(-0.3, 0.0) if rng.random() < 0.3 else rng.uniform(0.2, 0.8)
        t = turns[-1]["end"] + gap
    return turns


def snap(t: float) -> float:
    """`t` on the frame grid (a shot starts on a frame)."""
    return round(round(t * FPS) / FPS, 3)


def turn_shots(turn: dict, nxt: float, first: bool, forced: str | None, rng) -> list[dict]:
    """The shots an editor cuts for one turn (its cut at its start until `nxt`, the next turn's cut): the
    speaker's close-up or (1 in 4, never at a speaker's first turn) the wide shot, or the `forced` kind; a turn
    under 3 s keeps the shot before; a long one gets a reaction shot of a listener or a few seconds of the wide
    shot (no earlier than 8 s into a first close-up: the lower third)."""
    who = turn["who"]
    if turn["end"] - turn["start"] < 3.0:
        return []
    cut = snap(turn["start"] + rng.uniform(-0.2, 0.6))
    kind = "wide" if not first and rng.random() < 0.25 else "close"
    kind = forced or kind
    shots = [{"start": cut, "kind": kind, "who": None if kind == "wide" else who}]
    room = nxt - cut
    if room < 14.0:
        return shots
    at = snap(cut + rng.uniform(8.0 if first else 5.0, room - 7.0))
    if kind == "wide":
        shots.append({"start": at, "kind": "close", "who": who})
    elif rng.random() < 0.55:
        other = str(rng.choice([p for p in PEOPLE if p != who]))
        shots += [{"start": at, "kind": "reaction", "who": other},
                  {"start": snap(at + rng.uniform(2.5, 4.0)), "kind": "close", "who": who}]
    else:
        shots += [{"start": at, "kind": "wide", "who": None},
                  {"start": snap(at + rng.uniform(3.0, 6.0)), "kind": "close", "who": who}]
    return shots


def edit(turns: list[dict], duration: float) -> list[dict]:
    """The cut list: the wide shot for WIDE_OPEN s, then per turn `turn_shots`; a shot that would be the same
    picture as the one before is no cut; each shot's end is the next one's start."""
    rng = np.random.default_rng(5)
    shots, seen = [{"start": 0.0, "kind": "wide", "who": None}], set()
    shots.append({"start": WIDE_OPEN, "kind": "close", "who": turns[0]["who"]})
    seen.add(turns[0]["who"])
    for i, turn in enumerate(turns[1:], 1):
        nxt = turns[i + 1]["start"] if i + 1 < len(turns) else duration
        for s in turn_shots(turn, nxt, turn["who"] not in seen, FORCED.get(i), rng):
            if (s["kind"] == "wide" and shots[-1]["kind"] == "wide") or \
                    (s["who"] == shots[-1]["who"] and s["kind"] != "wide" and shots[-1]["kind"] != "wide"):
                continue
            s["start"] = max(s["start"], snap(shots[-1]["start"] + MIN_SHOT))
            if s["start"] < duration - MIN_SHOT:
                shots.append(s)
        seen.add(turn["who"])
    for s, nxt in zip(shots, shots[1:] + [{"start": duration}]):
        s["end"] = nxt["start"]
    return shots


def fonts() -> dict:
    from PIL import ImageFont

    return {"name": ImageFont.truetype(FONT.format("-Bold"), 34), "role": ImageFont.truetype(FONT.format(""), 22),
            "logo": ImageFont.truetype(FONT.format("Condensed-Bold"), 17)}


def overlays() -> tuple[dict, np.ndarray]:
    """(per person: their lower third as RGBA, the logo as RGBA): a white bar with an accent in their shirt's
    colour, the name and the role; the logo a dark rounded box with two wheels and the show's name."""
    from PIL import Image, ImageDraw

    f, thirds = fonts(), {}
    for who, (name, role, *rest) in PEOPLE.items():
        im = Image.new("RGBA", (560, 96), (0, 0, 0, 0))
        d = ImageDraw.Draw(im)
        d.rectangle([0, 0, 559, 95], fill=(250, 250, 248, 235))
        d.rectangle([0, 0, 11, 95], fill=(*rest[3], 255))
        d.text((30, 10), name, font=f["name"], fill=(24, 26, 32, 255))
        d.text((31, 58), role, font=f["role"], fill=(80, 84, 96, 255))
        thirds[who] = np.asarray(im).copy()
    im = Image.new("RGBA", (190, 44), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    d.rounded_rectangle([0, 0, 189, 43], 10, fill=(20, 22, 28, 170))
    for x in (16, 38):
        d.ellipse([x - 9, 13, x + 9, 31], outline=(250, 204, 60, 230), width=3)
    d.text((54, 12), "STREET LEVEL", font=f["logo"], fill=(245, 245, 245, 230))
    return thirds, np.asarray(im).copy()


def blend(frame: np.ndarray, rgba: np.ndarray, x: int, y: int) -> None:
    """`rgba` laid over `frame` in place with its top left at (x, y), clipped to the frame."""
    h, w = rgba.shape[:2]
    x0, x1 = max(x, 0), min(x + w, W)
    if x1 <= x0:
        return
    part, a = rgba[:, x0 - x:x1 - x, :3].astype(np.float32), rgba[:, x0 - x:x1 - x, 3:].astype(np.float32) / 255
    frame[y:y + h, x0:x1] = (part * a + frame[y:y + h, x0:x1] * (1 - a)).astype(np.uint8)


def studio() -> np.ndarray:
    """The empty room as the wide shot sees it: a textured wall, a bookshelf, a bicycle poster, a floor lamp, a
    plant, three armchairs, a low table with mugs, a floor."""
    import cv2

    tex = independent_media_lecture.fractal((H, W), np.random.default_rng(21))
    img = np.stack([150 + 30 * tex, 132 + 26 * tex, 118 + 22 * tex], -1)
    img[470:] = (86, 70, 58)
    img = img.astype(np.uint8)
    rng = np.random.default_rng(22)
    cv2.rectangle(img, (40, 80), (230, 470), (92, 64, 44), -1)
    for y in (90, 190, 290, 390):
        x = 48
        while x < 214:
            w = int(rng.integers(10, 22))
            cv2.rectangle(img, (x, y + int(rng.integers(0, 25))), (x + w, y + 88), tuple(int(c) for c in
                          rng.integers(40, 220, 3)), -1)
            x += w + 2
    cv2.rectangle(img, (520, 70), (760, 230), (240, 236, 226), -1)
    cv2.rectangle(img, (520, 70), (760, 230), (40, 36, 34), 6)
    for x in (585, 695):
        cv2.circle(img, (x, 170), 38, (30, 30, 40), 4)
    cv2.polylines(img, [np.array([[585, 170], [630, 170], [660, 120], [695, 170], [660, 120], [610, 120]])],
                  False, (190, 40, 40), 4)
    cv2.line(img, (1160, 140), (1160, 470), (40, 40, 40), 5)
    cv2.ellipse(img, (1160, 130), (40, 26), 0, 180, 360, (236, 220, 170), -1)
    for _ in range(14):
        cv2.ellipse(img, (1080 + int(rng.integers(-40, 40)), 330 + int(rng.integers(-90, 40))), (40, 14),
                    int(rng.integers(0, 180)), 0, 360, (50, 110 + int(rng.integers(0, 60)), 60), -1)
    cv2.rectangle(img, (1050, 380), (1110, 470), (170, 90, 60), -1)
    for p in PEOPLE.values():
        x = p[8]
        cv2.rectangle(img, (x - 95, 240), (x + 95, 520), (70, 60, 80), -1)
        cv2.rectangle(img, (x - 120, 420), (x + 120, 600), (60, 52, 70), -1)
    cv2.rectangle(img, (470, 560), (810, 610), (120, 84, 56), -1)
    for x in (540, 700):
        cv2.rectangle(img, (x, 530), (x + 24, 560), (235, 235, 235), -1)
    return img


def closeup_room(room: np.ndarray, who: str) -> np.ndarray:
    """The part of the room behind `who` from their camera: a crop around their seat, enlarged and blurred."""
    import cv2

    x0 = {"M": 40, "A": 380, "B": 760}[who]  # the bookshelf; the poster; the plant and the lamp
    crop = room[120:412, x0:x0 + 520]
    return cv2.GaussianBlur(cv2.resize(crop, (W, H), interpolation=cv2.INTER_LINEAR), (0, 0), 9)


def figure(img: np.ndarray, who: str, x: float, y: float, s: float, t: float, mouth: float, arms: bool) -> None:
    """`who` drawn in place: head centre (x, y), head radius s; swaying, nodding and blinking with t; the
    mouth open by `mouth` (0..1); a gesturing hand while talking when `arms`; a microphone on a stand."""
    import cv2

    p, k = PEOPLE[who], "MAB".index(who)
    shirt, skin, hair = p[5], p[6], p[7]
    x = x + 0.12 * s * np.sin(0.5 * t + k) + 0.05 * s * np.sin(1.7 * t + 2 * k)
    y = y + 0.05 * s * np.sin(1.1 * t + k) + (0.08 * s * max(0.0, np.sin(2.4 * t + k)) if mouth == 0 else 0)
    i = lambda v: int(round(v))  # noqa: E731
    if who == "M":  # long hair behind the shoulders
        cv2.rectangle(img, (i(x - 1.0 * s), i(y - 0.2 * s)), (i(x + 1.0 * s), i(y + 1.6 * s)), hair, -1)
    body = np.array([[x - 1.6 * s, y + 1.4 * s], [x + 1.6 * s, y + 1.4 * s], [x + 2.2 * s, y + 6 * s],
                     [x - 2.2 * s, y + 6 * s]], np.int32)
    cv2.fillPoly(img, [body], shirt)
    cv2.rectangle(img, (i(x - 0.3 * s), i(y + 0.7 * s)), (i(x + 0.3 * s), i(y + 1.5 * s)), skin, -1)
    cv2.ellipse(img, (i(x), i(y)), (i(0.82 * s), i(s)), 0, 0, 360, skin, -1)
    cv2.ellipse(img, (i(x), i(y - 0.35 * s)), (i(0.88 * s), i(0.7 * s)), 0, 180, 360, hair, -1)
    if who == "B":  # a bun
        cv2.circle(img, (i(x), i(y - 1.05 * s)), i(0.35 * s), hair, -1)
    blink = (t * 0.31 + 0.37 * k) % 1 < 0.04
    for side in (-1, 1):
        e = (i(x + side * 0.32 * s), i(y - 0.05 * s))
        cv2.ellipse(img, e, (i(0.09 * s), max(1, i(0.01 * s if blink else 0.09 * s))), 0, 0, 360, (30, 26, 26), -1)
    cv2.ellipse(img, (i(x), i(y + 0.5 * s)), (i(0.25 * s), max(1, i(0.04 * s + 0.18 * s * mouth))), 0, 0, 360,
                (90, 30, 36), -1)
    side = 1 if who == "M" else -1  # the microphone's side; the gesturing hand is on the other
    if arms:
        lift = 0.6 + 0.5 * np.sin(1.3 * t + k) if mouth > 0 else 0.1
        hand = (i(x - side * 1.1 * s), i(y + (4.6 - 2.0 * lift) * s))
        sleeve = tuple(int(0.7 * c) for c in shirt)
        cv2.line(img, (i(x - side * 1.5 * s), i(y + 2.2 * s)), hand, sleeve, max(2, i(0.5 * s)))
        cv2.circle(img, hand, i(0.28 * s), skin, -1)
    mic = (x + side * 0.9 * s, y + 1.1 * s)
    cv2.line(img, (i(mic[0]), i(mic[1])), (i(mic[0]), i(y + 6 * s)), (30, 30, 34), max(2, i(0.12 * s)))
    cv2.ellipse(img, (i(mic[0]), i(mic[1])), (i(0.22 * s), i(0.4 * s)), 0, 0, 360, (24, 24, 28), -1)


def mouths(turns: list[dict], clips: list[np.ndarray], n: int) -> dict:
    """Per person: how open their mouth is at each frame (the clip's loudness over the frame, 0..1)."""
    out = {who: np.zeros(n) for who in PEOPLE}
    step = SR // FPS
    for turn, clip in zip(turns, clips):
        level = np.sqrt(np.mean(clip[:len(clip) // step * step].reshape(-1, step) ** 2, axis=1))
        f0 = int(round(turn["start"] * FPS))
        m = min(len(level), n - f0)
        out[turn["who"]][f0:f0 + m] = np.clip(level[:m] / (2 * level.mean() + 1e-9), 0, 1)
    return out


def shot_picture(shot: dict, t: float, rooms: dict, open_: dict, f: int) -> np.ndarray:
    """The shot's picture at t (frame f) without overlays: the wide shot with the three seated, or one person's
    close-up (close: the speaker; reaction: a listener) over their blurred part of the room."""
    if shot["kind"] == "wide":
        img = rooms["wide"].copy()
        for who, p in PEOPLE.items():
            figure(img, who, p[8], 300, 30, t, open_[who][f], False)
        return img
    who = shot["who"]
    img = rooms[who].copy()
    figure(img, who, PEOPLE[who][9], 290, 120, t, open_[who][f], True)
    return img


def render(out: Path) -> dict:
    """Writes OUT/NAME, OUT/truth.json and OUT/frames/*.png (each shot's middle frame); returns the truth."""
    import av
    from PIL import Image

    rng = np.random.default_rng(42)
    clips = spoken()
    turns = timeline(clips)
    duration = round(turns[-1]["end"] + 2.0, 3)
    shots = edit(turns, duration)
    n = int(duration * FPS)
    room = studio()
    rooms = {"wide": room, **{who: closeup_room(room, who) for who in PEOPLE}}
    open_, (thirds, logo) = mouths(turns, clips, n), overlays()
    firsts = {}
    for s in shots:
        if s["kind"] == "close" and s["who"] not in firsts:
            firsts[s["who"]] = s["start"]
    noise = [rng.integers(-6, 7, (H, W, 3)).astype(np.int16) for _ in range(12)]
    starts = [s["start"] for s in shots]
    (out / "frames").mkdir(exist_ok=True)
    with av.open(str(out / NAME), "w") as container:
        video, audio_stream = independent_lecture.streams(container, FPS)
        for f in range(n):
            t = f / FPS
            k = int(np.searchsorted(starts, t + 1e-6, side="right")) - 1
            shot = shots[k]
            frame = shot_picture(shot, t, rooms, open_, f)
            if shot["kind"] == "close" and firsts.get(shot["who"]) == shot["start"]:
                u = t - shot["start"] - TITLE_IN
                if 0 <= u <= TITLE_FOR:
                    slide = min(u, TITLE_FOR - u, SLIDE) / SLIDE
                    blend(frame, thirds[shot["who"]], int(60 - 640 * (1 - slide)), 560)
            gain = 1 + 0.015 * np.sin(2 * np.pi * 0.29 * t + k) + 0.006 * rng.standard_normal()
            frame = np.clip(frame * gain + noise[int(rng.integers(0, 12))], 0, 255).astype(np.uint8)
            blend(frame, logo, W - 214, 24)
            if f == int((shot["start"] + shot["end"]) / 2 * FPS):
                Image.fromarray(frame).save(out / "frames" / f"{k:02d}_{shot['kind']}_{shot['who']}.png")
            for packet in video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        independent_lecture.finish(container, video, audio_stream, sound(clips, turns, duration, rng))
    truth = truth_of(turns, shots, firsts, duration)
    (out / "truth.json").write_text(json.dumps(truth, indent=1))
    print(f"rendered {duration:.1f} s at {W}x{H}, {FPS} fps; {len(turns)} turns, {len(shots)} shots "
          f"({sum(s['kind'] == 'reaction' for s in shots)} reaction, {sum(s['kind'] == 'wide' for s in shots)} wide); "
          "topics: " + ", ".join(f"{name} {a:.1f}-{b:.1f}" for a, b, name in truth["stretches"]))
    print("turns: " + ", ".join(f"{x['who']} {x['start']:.1f}-{x['end']:.1f}" for x in turns))
    print("topic edges with no camera cut within 1 s: " + str([e for e in truth["topic_edges"]
                                                              if all(abs(e - c) > 1.0 for c in truth["cuts"])]))
    return truth


def sound(clips: list[np.ndarray], turns: list[dict], duration: float, rng) -> np.ndarray:
    """The voices at their turns' starts over the helper's room tone, plus hiss; no clipping."""
    audio = independent_lecture.soundtrack(clips, [x["start"] - LEAD for x in turns], duration, rng)
    audio = audio + 0.003 * rng.normal(0, 1, audio.size).astype(np.float32)
    return audio * min(1.0, 0.95 / np.abs(audio).max())


def truth_of(turns: list[dict], shots: list[dict], firsts: dict, duration: float) -> dict:
    names = list(dict.fromkeys(x["topic"] for x in turns))
    first = {name: next(x["start"] for x in turns if x["topic"] == name) for name in names}
    first["intro"] = 0.0
    span = {n: (first[n], first[names[i + 1]] if i + 1 < len(names) else duration) for i, n in enumerate(names)}
    turn_span = [(x["start"], turns[i + 1]["start"] if i + 1 < len(turns) else duration) for i, x in enumerate(turns)]
    situations = {f"lower third {who}": [a + TITLE_IN, a + TITLE_IN, a + TITLE_IN + TITLE_FOR + 1.0]
                  for who, a in firsts.items()}
    situations.update({f"shot {i:02d} {s['kind']} {s['who'] or ''}".strip(): [s["start"]] * 2 + [s["end"]]
                       for i, s in enumerate(shots)})
    queries = []
    for q, target, kind in QUERIES:
        a, b = span[target] if isinstance(target, str) else turn_span[target]
        queries.append([q, a, b, kind])
    topic_of = [list(span[TURNS[t][0]]) if isinstance(t, int) else None for _, t, _ in QUERIES]
    return {"turns": turns, "turn_spans": turn_span, "shots": shots, "duration": duration,
            "cuts": [s["start"] for s in shots[1:]], "situations": situations,
            "stretches": [[*span[n], n] for n in names], "topic_edges": [span[n][0] for n in names[1:]],
            "turn_edges": [x["start"] for x in turns[1:]], "queries": queries, "query_topics": topic_of}


def overlap(a: float, b: float, start: float, end: float) -> float:
    return max(0.0, min(b, end) - max(a, start))


def span_iou(a: float, b: float, start: float, end: float) -> float:
    return overlap(a, b, start, end) / max(max(b, end) - min(a, start), 1e-9)


def edge_kinds(sections: list[float], truth: dict) -> None:
    """Section edges (and chapter starts) against the topic edges at +-TOLERANCE, against all turn edges, and
    each section edge's kind: at a camera cut (+-1 s), else at a turn edge (+-TOLERANCE), else neither."""
    from momentsearch.evaluate import boundary_scores

    for label, found in (("section edges", sections), ("chapter starts", truth["chapter_starts"])):
        for what in ("topic_edges", "turn_edges"):
            sc = boundary_scores(found, truth[what], tolerance=TOLERANCE)
            print(f"{label} ({len(found)}) vs {what.replace('_', ' ')} ({len(truth[what])}): P {sc.precision:.2f} "
                  f"R {sc.recall:.2f} F1 {sc.f1:.2f} at +-{TOLERANCE:.0f} s")
    kinds = {"at a camera cut": 0, "at a turn edge, no cut": 0, "neither": 0}
    for x in sections:
        kind = "at a camera cut" if any(abs(x - c) <= 1.0 for c in truth["cuts"]) else \
            "at a turn edge, no cut" if any(abs(x - e) <= TOLERANCE for e in truth["turn_edges"]) else "neither"
        kinds[kind] += 1
    print("section edges: " + ", ".join(f"{v} {k}" for k, v in kinds.items()))
    for e in truth["topic_edges"]:
        near = sorted(sections, key=lambda x: abs(x - e))[:1]
        cut = [c for c in truth["cuts"] if abs(c - e) <= 1.0]
        chap = [c for c in truth["chapter_starts"] if abs(c - e) <= TOLERANCE]
        print(f"  topic edge {e:6.1f}: nearest section edge {near[0] if near else float('nan'):6.1f}, camera cut "
              f"{[round(c, 1) for c in cut] or 'none'} within 1 s, chapter start {[round(c, 1) for c in chap]}")


def report_topics(rec, diag: dict, truth: dict) -> None:
    """Per topic: its turns, shots and sections (those overlapping it by more than 1 s) and its chapters."""
    for a, b, name in truth["stretches"]:
        turns = [f"{x['who']} {x['start']:.1f}" for x in truth["turns"] if a <= x["start"] < b]
        shots = [f"{s['kind'][0]}{s['who'] or ''} {s['start']:.1f}" for s in truth["shots"]
                 if overlap(s["start"], s["end"], a, b) > 1.0]
        secs = [(round(s, 1), round(e, 1)) for s, e in rec.sections if overlap(s, e, a, b) > 1.0]
        print(f"{name} {a:.1f}-{b:.1f} ({b - a:.0f} s): {len(turns)} turns {turns}; {len(shots)} shots {shots}; "
              f"{len(secs)} sections {secs}")
    for c in diag["chapters"]:
        print(f"  chapter {c['start']:6.1f}-{c['end']:6.1f} {c['title']!r}")


def report_tops(diag: dict, truth: dict) -> None:
    """Per query: its top result's length, IoU with its truth and (said / concept) with the turn's topic, and
    how many shots and turns it spans; then medians against turns and topics."""
    lengths = []
    for q, topic in zip(diag["queries"], truth["query_topics"]):
        if not q["results"]:
            continue
        m = q["results"][0]
        a, b = m["start"], m["end"]
        lengths.append(b - a)
        shots = sum(overlap(s["start"], s["end"], a, b) > 0.5 for s in truth["shots"])
        turns = sum(overlap(x, y, a, b) > 0.5 for x, y in truth["turn_spans"])
        extra = f", IoU with its topic {span_iou(a, b, *topic):.2f}" if topic else ""
        print(f"top {a:6.1f}-{b:6.1f} ({b - a:5.1f} s), {shots} shots, {turns} turns; IoU {q['iou']:.2f} with its "
              f"{q['type']} truth {q['truth'][0]:.1f}-{q['truth'][1]:.1f}{extra} | {q['query']}")
    turns = [y - x for x, y in truth["turn_spans"]]
    topics = [b - a for a, b, _ in truth["stretches"]]
    shots = [s["end"] - s["start"] for s in truth["shots"]]
    print(f"median top result {np.median(lengths):.1f} s; median shot {np.median(shots):.1f} s, turn "
          f"{np.median(turns):.1f} s, topic {np.median(topics):.1f} s")


def evaluate(out: Path, truth: dict, reuse: bool) -> None:
    """Camera cuts (information), section edges and chapters against topics and turns, the reports, the queries."""
    index = independent_code_lecture.indexed(out, NAME, reuse)
    rec = index.videos()[0]
    independent_media_lecture.score_cuts(rec, index, truth)
    diag = {"shots": truth["shots"], "turns": truth["turns"], **independent_code_lecture.diagnostics(index, rec)}
    truth = {**truth, "chapter_starts": [c["start"] for c in diag["chapters"][1:]]}
    edge_kinds([float(a) for a, _ in rec.sections[1:]], truth)
    report_topics(rec, diag, truth)
    independent_code_lecture.run_queries(index, truth["queries"], diag)
    report_tops(diag, truth)
    (out / "diagnostics.json").write_text(json.dumps(diag, indent=1, default=str))


def main() -> int:
    return independent_code_lecture.run_probe(__doc__, "/tmp/panel", render, evaluate)


if __name__ == "__main__":
    sys.exit(main())
