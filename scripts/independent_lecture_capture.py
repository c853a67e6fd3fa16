#!/usr/bin/env python3
"""A scheduled lecture-capture recording (Panopto / Echo360 style) rendered without momentsearch.testing,
indexed and searched: a check on a kind of real recording nothing was tuned on. The room PC's projector output
(1280x720 at 2 fps, clean and mostly static) with the room microphone, started by the timetable before the
lecture and stopped after it, ~17 min. One deck template (white page, teal header band, grey bullets, a footer),
"Sleep and the Body Clock", in a voice no other script uses (espeak-ng en-gb-x-gbcwmd+f3 at 124 wpm):
  pre-roll     ~3 min: the PC's desktop (its taskbar clock changes every minute), then the title slide once the
               deck is opened; murmur, chairs, doors, three students chatting at a distance (en-us+m2,
               en-gb-scotland+f4, en-gb-x-gbclan+m2: low, reverberant; one got "four hours of sleep"), the
               lecturer testing the microphone close to it ("Is this on? Hello? One, two.") with a tap on it
  first half   ~5 min: the lecture starts on the title slide (no picture change), then six slides over a 50 Hz
               hum; one is a drawn hypnogram ("we will come back to this picture after the break")
  break        ~2.5 min: a "Break - back at 10:08" slide whose big countdown digits change every second (holding
               0:00 at the end); murmur, two students ordering coffee ("I need the caffeine"), room tone alone,
               a phone ringing once, 30 s of pop music from a laptop speaker
  second half  ~4 min: five slides; the hypnogram is shown again for ~25 s and referred to
  overrun      ~1.5 min: the summary slide stays up; chairs, doors, leaving murmur; a student at the desk (closer,
               en-us-nyc+f3) asks about the essay and the lecturer answers; then room tone to the end.

Decisions, fixed before any result was seen. The true cuts are all slide changes (desktop to title, both
halves' changes, to and from the break slide and the repeated hypnogram), +-1 s; the countdown's digits, the
taskbar clock and the lecture's start are no cuts. A boundary farther than 1 s from every true cut is a false
alarm, put down to the situation whose window (start - 1 s to end) holds it. Stretches: the pre-roll (to 0.6 s
before the lecture's first word), the first half (to the break slide), the break (the break slide on screen),
the second half (to 1.5 s after the closing "thank you"), the overrun; section edges are scored against the true
cuts and against the four stretch edges alone. Query truth: said / shown / concept: the slide its words are on
(its first showing; words said only during the repeat: the repeat; the intro's words: the title slide's time in
the lecture); "after the break": the second half's first slide; "the question at the end" and the answer's words:
the exchange (the question's first word to 1.5 s after "Great, thanks"); the microphone test: the pre-roll; the
break slide's words and the music: the break. The 22 queries were written with the material, before the first
run, and not changed after.

    python3 scripts/independent_lecture_capture.py [--out /tmp/capture] [--reuse]

Prints cuts and section edges against the truth (P / R / F1 at +-1 s, false alarms' situations); per stretch its
visual segments, sections and (outside the lecture) transcript; words timed where nobody spoke; the chapters; each
query's hit or miss (top IoU >= 0.5) with channel scores and its top 3 lying outside the lecture; the run time.
Writes OUT/diagnostics.json; `--reuse` scores what OUT holds. Deterministic. A probe, not a benchmark.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
import independent_code_lecture  # noqa: E402 (its index, query report, diagnostics and command line)
import independent_conference_talk  # noqa: E402 (its band filter and hall reverb)
import independent_lecture  # noqa: E402 (its espeak-ng reader, room noise and encoder)
import independent_media_lecture  # noqa: E402 (its cut report and situations)
from independent_seminar_lecture import overlap  # noqa: E402

W, H, FPS, SR = 1280, 720, 2, 16000
VOICE, RATE = "en-gb-x-gbcwmd+f3", 124
VOICES = {"L": (VOICE, RATE), "M": (VOICE, RATE), "S1": ("en-us+m2", 160), "S2": ("en-gb-scotland+f4", 165),
          "S3": ("en-gb-x-gbclan+m2", 155), "Q": ("en-us-nyc+f3", 158)}
LEVEL = {"L": 1.0, "M": 1.6, "S1": 0.18, "S2": 0.18, "S3": 0.18, "Q": 0.45}  # times the lecturer's loudness
WET = {"L": 0.15, "M": 0.0, "S1": 0.8, "S2": 0.8, "S3": 0.8, "Q": 0.35}  # reverb: how far from the microphone
LEAD = independent_lecture.LEAD  # seconds from a slide's start (or the lecture's start) to the first word
GAP, PAUSE = 1.5, 0.7  # seconds: after a slide's last word; between two lines
COUNTDOWN = 150  # seconds on the break slide's timer when it goes up
CLOCK_FROM = 9 * 3600 + 57 * 60  # the recording's start, time of day (s): 09:57:00
NAME = "psyc1020_lecture09_capture.mp4"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans{}.ttf"
TEAL, INK, PALE = (0, 110, 120), (50, 54, 62), (150, 156, 166)

SLIDES = {  # key: (title, bullets); "cycles" is the hypnogram picture
    "title": ("Sleep and the Body Clock", ["PSYC 1020 Introduction to Biological Psychology",
                                           "Lecture 9  -  Dr. Hannah Reid"]),
    "why": ("Why Do We Sleep?", ["Restoration: repair and clearance", "Memory consolidation", "Energy conservation",
                                 "Every mammal studied sleeps"]),
    "stages": ("Stages of Sleep", ["N1: drowsy, theta waves", "N2: spindles and K-complexes",
                                   "N3: slow-wave (delta) sleep", "REM: rapid eye movement"]),
    "cycles": ("A Night in 90-Minute Cycles", ["Hypnogram (healthy adult)"]),
    "measuring": ("Measuring Sleep", ["Polysomnography", "EEG: brain waves", "EOG: eye movements",
                                      "EMG: muscle tone", "Actigraphy at home"]),
    "dreams": ("Dreaming and REM", ["Vivid, story-like dreams", "Muscle atonia", "REM rebound",
                                    "Most REM late in the night"]),
    "deprivation": ("Sleep Deprivation", ["Randy Gardner: 264 hours awake (1964)", "Microsleeps",
                                          "Attention fails first"]),
    "break": ("Break", ["back at 10:08", "Stretch your legs - grab a coffee"]),
    "circadian": ("The Circadian Clock", ["Suprachiasmatic nucleus (SCN)", "Free-running period ~24.2 h",
                                          "Zeitgebers: light, meals, activity"]),
    "melatonin": ("Melatonin and Light", ["Pineal gland releases melatonin at dusk", "Blue light suppresses it",
                                          "Screens at bedtime?"]),
    "twoprocess": ("The Two-Process Model", ["Process S: sleep pressure (adenosine)", "Process C: circadian alerting "
                                             "signal", "Caffeine blocks adenosine receptors"]),
    "chronotypes": ("Chronotypes and Social Jet Lag", ["Larks and owls", "Teenagers drift later",
                                                       "Munich Chronotype Questionnaire", "Weekend catch-up sleep"]),
    "summary": ("Summary", ["Sleep has stages and 90-minute cycles", "The SCN times sleep; light resets it",
                            "Sleep pressure + clock = when we sleep", "Reading: Carlson, ch. 9", "Essay due 14 March"]),
}
# Shots: (picture, [items]). Items, in order: (who, words) a line (L lecturer, M the lecturer testing the
# microphone, S1-S3 students chatting, Q the student at the desk); ("wait", s) room sound only; ("mark", stretch)
# a stretch starts here (the next line LEAD s later); ("murmur", level) the hall's murmur from here on; a sound
# ("door", "chairs", "tap", "phone", "music") starts here, over what follows.
SHOTS = [
    ("desktop", [("murmur", 0.5), ("mark", "pre-roll"), ("wait", 3), ("door", 0), ("wait", 2), ("chairs", 0),
                 ("wait", 4), ("S1", "Hey, is this seat free?"), ("S2", "Yeah, go ahead. Did you finish the lab "
                 "report?"), ("S1", "Not yet. I was going to do it last night, but I fell asleep on the sofa."),
                 ("S2", "Same. I think it is due on Friday at noon."), ("wait", 4), ("chairs", 0),
                 ("S1", "Did you see the football on Saturday?"), ("S2", "No, I was working at the cafe all "
                 "weekend."), ("murmur", 0.8), ("wait", 22), ("door", 0), ("wait", 20)]),
    ("title", [("wait", 8), ("S3", "I only got about four hours of sleep last night."), ("S1", "Why, what "
               "happened?"), ("S3", "My flatmate had people over until three in the morning."),
               ("S2", "You should have brought earplugs."), ("chairs", 0), ("wait", 24), ("door", 0), ("wait", 6),
               ("M", "Is this on?"), ("wait", 1.5), ("tap", 0), ("wait", 1.0), ("M", "Hello? One, two. One, two."),
               ("wait", 3), ("M", "Can you hear me at the back?"), ("wait", 26), ("chairs", 0), ("wait", 10),
               ("murmur", 0.2), ("wait", 5), ("murmur", 0.05), ("mark", "first half"),
               ("L", "Right, good morning everyone, let's get started. Today is about something you will all do "
                "tonight, and something most of you did not get enough of last night: sleep. We will look at why "
                "we spend about a third of our lives asleep, what happens in the brain during the night, and what "
                "decides when we feel tired.")]),
    ("why", [("L", "So, why do we sleep at all? It looks like a terrible idea from an evolutionary point of view: "
              "for hours every night you cannot look for food, and you cannot watch out for predators. Yet every "
              "animal that has been carefully studied shows some form of it. There are three main explanations. "
              "The first is repair: while we are out, the brain clears away waste products that build up during "
              "the day. The second is memory: what we learned during the day is replayed and made stable. The "
              "third is simply saving energy when there is nothing useful to do. These ideas are not rivals; "
              "most researchers think all three are true."), ("L", "Think about how you feel after a night of broken "
              "sleep: slow, irritable, forgetful. Each of these explanations accounts for part of that feeling.")]),
    ("stages", [("L", "Sleep is not one state. We divide it into stages by looking at the electrical activity of "
                 "the brain. In the first, light stage you drift in and out and can easily be woken. In stage two, "
                 "the recording shows brief bursts of activity called spindles, which seem to protect sleep from "
                 "noise. Stage three is deep sleep: big, slow waves, and it is very hard to wake someone up. Then "
                 "there is a completely different state, in which the eyes dart around under the lids and the "
                 "brain looks almost awake."), ("L", "Most of the night is spent in stage two, and only a fifth or so "
                 "in deep sleep, less as we get older.")]),
    ("cycles", [("L", "Over a night, we move through these stages in a cycle that lasts about an hour and a half, "
                 "four or five times. This graph follows one volunteer from lights out to the alarm. Down is "
                 "deeper. Notice how the pattern changes as the night goes on. We will come back to this picture "
                 "after the break.")]),
    ("measuring", [("L", "How do we know all this? In a sleep laboratory, a volunteer spends the night with "
                    "electrodes glued to the scalp, next to the eyes and on the chin. Together they record the "
                    "brain, the eyes and the muscles, and a trained scorer reads the night in thirty second pages. "
                    "That is expensive, so for studies at home we often use a wristband that simply records "
                    "movement. It is cheap and comfortable, but it cannot tell quiet wakefulness from light "
                    "sleep."), ("L", "The scorer's rules were agreed in the nineteen sixties, and they have changed "
                    "surprisingly little since then.")]),
    ("dreams", [("L", "The stage with the darting eyes is where most of our vivid, story like dreams happen. And "
                 "here is a clever trick of the nervous system: during this stage the body is almost completely "
                 "paralysed, apart from the eyes and the breathing, so we do not act out our dreams. In some older "
                 "adults this switch fails, and they punch or kick in their sleep. If people are kept out of this "
                 "stage for a few nights, they catch up afterwards, spending more time in it than usual.")]),
    ("deprivation", [("L", "What happens if we skip it? In nineteen sixty four, a high school student in San Diego "
                      "stayed awake for eleven days for a science fair. He survived, but by the end he had trouble "
                      "speaking and was seeing things. Long before that, after only one night without it, ordinary "
                      "people start to have microsleeps: a few seconds in which the brain simply switches off, "
                      "even with the eyes open. Behind the wheel of a car, a few seconds is enough to kill."),
                     ("L", "Right, that is a good moment to stop. Let's take a short break, and we will carry on "
                      "at eight minutes past.")]),
    ("break", [("murmur", 1.0), ("chairs", 0), ("wait", 12), ("S1", "Do you want anything from the cafe?"),
               ("S2", "A flat white, please. I need the caffeine."), ("wait", 6), ("door", 0), ("wait", 4),
               ("phone", 0), ("wait", 7), ("murmur", 0.0), ("wait", 24), ("murmur", 0.5), ("wait", 10),
               ("music", 0), ("wait", 34), ("murmur", 0.0), ("wait", 20), ("door", 0), ("murmur", 0.7),
               ("wait", 14), ("chairs", 0), ("murmur", 0.1), ("wait", 6)]),
    ("circadian", [("mark", "second half"), ("L", "OK everyone, let's carry on. Can the people at the back hear "
                    "me? Good. So far we have looked at what sleep is. Now, what decides when we sleep? Deep in "
                    "the brain, just above where the two optic nerves cross, sits a cluster of about twenty "
                    "thousand neurons that acts as a master clock. Kept in a cave with no windows, people still "
                    "follow a daily rhythm, but it runs a little longer than a day, so each morning they get up a "
                    "bit later. Daylight resets the clock every morning, like setting a watch."), ("L", "The word "
                    "circadian comes from Latin, and simply means about a day.")]),
    ("melatonin", [("L", "The clock talks to the rest of the body partly through a hormone. As evening comes, a "
                    "small gland releases it into the blood, and we start to feel drowsy. Bright light, especially "
                    "the bluish light of a clear sky, shuts that release down. That is why scientists worry about "
                    "phones and laptops late at night, although the real effect of a screen is smaller than the "
                    "headlines suggest; what you are doing on the screen probably matters more.")]),
    ("cycles", [("L", "Now let me go back to the graph from before the break. Look again at the night. The deep "
                 "sleep is crowded into the first half of the night, while the dreaming stage gets longer towards "
                 "the morning. That is the clock at work: it favours dreaming in the early morning hours, whatever "
                 "time you went to bed.")]),
    ("twoprocess", [("L", "Two forces work together. The longer you are awake, the more a chemical builds up in "
                     "the brain and the sleepier you get; that is the sleep pressure, and it is cleared while you "
                     "sleep. At the same time, the clock sends an alerting signal that rises across the day and "
                     "holds you up in the evening. Caffeine works by blocking the receptors for that chemical, "
                     "which is why coffee hides the pressure for a few hours, but does not remove it."),
                    ("L", "When the two curves are far apart in the evening, falling asleep is easy; the trouble "
                     "starts when we try to sleep at the wrong point of the clock, as after a long flight.")]),
    ("chronotypes", [("L", "Finally, people differ. Some of us are naturally early risers, and some are night "
                      "people. In the teenage years the clock shifts later, by two hours or more, and it only "
                      "moves back in our twenties. So when a sixteen year old cannot fall asleep before midnight "
                      "and cannot get up for an eight o'clock class, that is biology as much as laziness. Many of "
                      "you live on one schedule during the week and another at the weekend, which is like flying "
                      "across several time zones every Friday and back every Monday.")]),
    ("summary", [("L", "To sum up. Sleep is an active state with its own stages and cycles. A clock in the brain "
                  "decides when it comes, and light keeps that clock in time. Pressure builds while we are awake. "
                  "For Thursday, please read chapter nine, and remember that the essay is due in two weeks. That's "
                  "all for today, thank you."), ("wait", 0.8), ("mark", "overrun"), ("murmur", 1.0),
                 ("chairs", 0), ("wait", 3), ("chairs", 0), ("wait", 5), ("door", 0), ("wait", 8), ("door", 0),
                 ("murmur", 0.4), ("wait", 4),
                 ("Q", "Excuse me, can I ask about the essay? Could I write about night shift workers, or is that "
                  "too far from today's topic?"),
                 ("L", "No, that's a very good topic. Night shift work is social jet lag taken to the extreme, and "
                  "there is plenty of research on nurses and pilots. Just make sure you use at least three journal "
                  "articles. See you on Thursday."), ("Q", "Great, thanks."), ("wait", 0.8),
                 ("door", 0), ("murmur", 0.0), ("wait", 38)]),
]
QUERIES = [  # (query, target: a slide key (its first showing), "repeat", a stretch or "exchange", type); not changed
    ("why we spend about a third of our lives asleep", "intro", "said"),
    ("theories about the purpose of slumber", "why", "concept"),
    ("brief bursts of activity called spindles", "stages", "said"),
    ("hypnogram healthy adult", "cycles", "shown"),
    ("electrodes glued to the scalp", "measuring", "said"),
    ("polysomnography EEG EOG EMG", "measuring", "shown"),
    ("the part of the night when limbs cannot move and imaginary scenes unfold", "dreams", "concept"),
    ("stayed awake for eleven days", "deprivation", "said"),
    ("Randy Gardner 264 hours", "deprivation", "shown"),
    ("a cluster of about twenty thousand neurons", "circadian", "said"),
    ("suprachiasmatic nucleus", "circadian", "shown"),
    ("why glowing devices before bed might keep you up", "melatonin", "concept"),
    ("deep sleep is crowded into the first half of the night", "repeat", "said"),
    ("caffeine works by blocking the receptors", "twoprocess", "said"),
    ("Munich Chronotype Questionnaire", "chronotypes", "shown"),
    ("why adolescents find dawn lessons so hard", "chronotypes", "concept"),
    ("after the break", "circadian", "place"),
    ("the question at the end", "exchange", "place"),
    ("social jet lag taken to the extreme", "exchange", "said"),
    ("testing the microphone", "pre-roll", "aside"),
    ("back at 10:08", "break", "aside"),
    ("pop music playing during the break", "break", "aside"),
]
IDLE = ("pre-roll", "break", "overrun")  # the stretches that are no lecture
PAGES = {key: k + 1 for k, key in enumerate(SLIDES)}  # each slide's page number in the deck


FONTS: dict = {}  # name: PIL font, filled by `fonts`


def fonts() -> dict:
    from PIL import ImageFont

    sizes = {"title": ("-Bold", 50), "big": ("-Bold", 64), "body": ("", 36), "foot": ("", 18), "label": ("", 24),
             "clock": ("-Bold", 220), "icon": ("", 15)}
    return FONTS or FONTS.update({n: ImageFont.truetype(FONT.format(w), px) for n, (w, px) in sizes.items()}) or FONTS


def page(key: str, number: int):
    """The deck's template: white page, teal header band with the title, a footer with the course and the page
    number. Returns (PIL image, draw)."""
    from PIL import Image, ImageDraw

    f = fonts()
    im = Image.new("RGB", (W, H), (255, 255, 255))
    d = ImageDraw.Draw(im)
    title = SLIDES[key][0]
    if key == "title":
        d.rectangle([0, 220, W, 400], fill=TEAL)
        d.text((W // 2, 310), title, font=f["big"], fill=(255, 255, 255), anchor="mm")
        for k, line in enumerate(SLIDES[key][1]):
            d.text((W // 2, 470 + 60 * k), line, font=f["body"], fill=INK, anchor="mm")
    else:
        d.rectangle([0, 0, W, 118], fill=TEAL)
        d.text((60, 59), title, font=f["title"], fill=(255, 255, 255), anchor="lm")
    d.line([60, 668, W - 60, 668], fill=PALE, width=1)
    d.text((60, 690), "PSYC 1020  |  Sleep and the Body Clock  |  Dr. Hannah Reid", font=f["foot"], fill=PALE,
           anchor="lm")
    d.text((W - 60, 690), str(number), font=f["foot"], fill=PALE, anchor="rm")
    return im, d


def hypnogram(d, f) -> None:
    """A night's sleep stages over 8 hours: a step line, deep sleep early, REM growing towards the morning."""
    x0, y0, x1, y1 = 220, 170, 1180, 560
    for k, name in enumerate(["Wake", "REM", "N1", "N2", "N3"]):
        y = y0 + k * (y1 - y0) / 4
        d.line([x0, y, x1, y], fill=(226, 230, 234), width=1)
        d.text((x0 - 20, y), name, font=f["label"], fill=INK, anchor="rm")
    for h in range(9):
        d.text((x0 + h * (x1 - x0) / 8, y1 + 24), str(h), font=f["label"], fill=INK, anchor="mm")
    d.text(((x0 + x1) / 2, y1 + 60), "Hours after lights out", font=f["label"], fill=INK, anchor="mm")
    steps = [(0, 0), (0.2, 2), (0.35, 3), (0.6, 4), (1.2, 3), (1.35, 1), (1.5, 3), (1.8, 4), (2.6, 3), (2.9, 1),
             (3.2, 3), (3.6, 4), (3.8, 3), (4.4, 1), (4.9, 2), (5.0, 3), (5.7, 1), (6.4, 0), (6.5, 2), (6.7, 3),
             (7.1, 1), (7.9, 0), (8.0, 0)]
    pts = [(x0 + h * (x1 - x0) / 8, y0 + s * (y1 - y0) / 4) for (a, s), (b, _) in zip(steps, steps[1:]) for h in (a, b)]
    d.line(pts, fill=TEAL, width=5)
    for p, q in zip(pts[::2], pts[1::2]):
        if p[1] == y0 + (y1 - y0) / 4:  # REM stretches drawn thick in crimson
            d.line([p, q], fill=(190, 40, 60), width=11)
    d.text((x0, 630), SLIDES["cycles"][1][0], font=f["label"], fill=PALE, anchor="lm")


def slide_image(key: str, number: int, left: int | None = None) -> np.ndarray:
    """A slide of the deck; `left`: the break slide's countdown in seconds."""
    im, d = page(key, number)
    f = FONTS
    if key == "cycles":
        hypnogram(d, f)
    elif key == "break":
        d.text((W // 2, 200), SLIDES[key][1][0], font=f["big"], fill=INK, anchor="mm")
        d.text((W // 2, 420), f"{left // 60}:{left % 60:02d}", font=f["clock"], fill=TEAL, anchor="mm")
        d.text((W // 2, 610), SLIDES[key][1][1], font=f["label"], fill=PALE, anchor="mm")
    elif key != "title":
        for k, line in enumerate(SLIDES[key][1]):
            y = 200 + 84 * k
            d.ellipse([70, y - 7, 84, y + 7], fill=TEAL)
            d.text((110, y), line, font=f["body"], fill=INK, anchor="lm")
    return np.asarray(im).copy()


def desktop(minute: int) -> np.ndarray:
    """The room PC's desktop before the deck is opened: a wallpaper, a few icons, a taskbar whose clock shows
    `minute` (minutes since midnight)."""
    from PIL import Image, ImageDraw

    f = fonts()
    yy, xx = np.mgrid[0:H, 0:W]
    u = (xx / W + yy / H) / 2
    img = np.stack([20 + 10 * u, 50 + 70 * u, 110 + 40 * u], -1)
    img += 18 * np.sin(xx / 90 + 2 * np.sin(yy / 140))[..., None]
    im = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(im)
    for k, name in enumerate(["Recycle Bin", "Lecture Capture", "PSYC1020_L09.pptx", "Room B.12 Help"]):
        y = 30 + 110 * k
        d.rounded_rectangle([60, y, 120, y + 56], 8, fill=[(200, 200, 210), (220, 60, 60), (210, 90, 40),
                                                          (80, 160, 90)][k])
        d.text((90, y + 74), name, font=f["icon"], fill=(255, 255, 255), anchor="mm")
    d.rectangle([0, H - 44, W, H], fill=(24, 26, 32))
    for k in range(5):
        d.rectangle([8 + 44 * k, H - 38, 40 + 44 * k, H - 6], fill=(60, 140, 220) if k == 0 else (90, 96, 110))
    d.text((W - 20, H - 30), f"{minute // 60:02d}:{minute % 60:02d}", font=f["icon"], fill=(235, 235, 240),
           anchor="rm")
    d.text((W - 20, H - 12), "06/12/2026", font=f["icon"], fill=(200, 200, 210), anchor="rm")
    return np.asarray(im).copy()


def picture_at(shot: dict, t: float, cache: dict) -> np.ndarray:
    """The projector's picture at t (s) during `shot`: the desktop (its clock's minute), the break slide (its
    countdown) or a static slide; `cache` keeps the last picture of each kind."""
    key = shot["key"]
    left = {"desktop": (CLOCK_FROM + int(t)) // 60, "break": max(0, COUNTDOWN - int(t - shot["start"]))}.get(key)
    if (key, left) not in cache:
        for old in [s for s in cache if s[0] == key]:
            del cache[old]
        cache[(key, left)] = desktop(left) if key == "desktop" else slide_image(key, PAGES[key], left)
    return cache[(key, left)]


def timeline(clips: list[np.ndarray]) -> dict:
    """Places SHOTS' items in time: the shots (start, end, key), the lines [who, start, end, words], the sounds
    [kind, start], the murmur's [time, level] and the marks {stretch: time}; `clips`: each line's voice, in order."""
    shots, lines, sounds, murmur, marks = [], [], [], [], {}
    voices, t = iter(clips), 0.0
    for key, items in SHOTS:
        at, spoke = t + LEAD, False
        for kind, arg in items:
            spoke = kind in VOICES
            if spoke:
                n = len(next(voices)) / SR
                lines.append([kind, round(at, 3), round(at + n, 3), arg])
                at += n + PAUSE
            elif kind == "wait":
                at += arg
            elif kind == "mark":
                first = at == t + LEAD
                marks[arg] = round(t if first else at, 3)
                at += 0.0 if first else LEAD
            elif kind == "murmur":
                murmur.append([round(at, 3), arg])
            else:
                sounds.append([kind, round(at, 3)])
        end = at - PAUSE + GAP if spoke else at
        shots.append({"start": round(t, 3), "end": round(end, 3), "key": key})
        t = end
    return {"shots": shots, "lines": lines, "sounds": sounds, "murmur": murmur, "marks": marks,
            "duration": round(t, 3)}


def effect(kind: str, rng) -> tuple[np.ndarray, float, float]:
    """A room sound at unit peak with its level (times the lecturer's loudness) and reverb: a door (thump and
    latch), a chair scraping, a tap on the microphone, a phone's ringtone (twice)."""
    band = independent_conference_talk.band
    n = {"door": 0.5, "chairs": 0.7, "tap": 0.2, "phone": 4.6}[kind]
    t = np.arange(int(n * SR)) / SR
    if kind == "door":
        x = band(rng.normal(0, 1, t.size), 40, 250) * np.exp(-t / 0.08)
        x += 0.4 * band(rng.normal(0, 1, t.size), 2000, 6000) * np.exp(-np.abs(t - 0.05) / 0.004)
    elif kind == "chairs":
        rough = 1 + 0.8 * np.sin(2 * np.pi * 31 * t + 3 * np.sin(2 * np.pi * 3 * t))
        x = band(rng.normal(0, 1, t.size), 400, 2500) * rough * np.hanning(t.size)
    else:  # the tap, or the phone's silence to ring in
        x = band(rng.normal(0, 1, t.size), 60, 300) * np.exp(-t / 0.03) * (kind == "tap")
        for rep in range(2 if kind == "phone" else 0):
            for k, hz in enumerate([1319, 988, 1175, 1568, 1319, 988]):
                i = int((rep * 2.4 + k * 0.26) * SR)
                m = np.arange(min(int(0.4 * SR), t.size - i)) / SR
                x[i:i + m.size] += np.sin(2 * np.pi * hz * m) * np.exp(-m / 0.12)
    level, wet = {"door": (1.2, 0.6), "chairs": (0.5, 0.5), "tap": (3.0, 0.0), "phone": (0.5, 0.5)}[kind]
    return (x / (np.abs(x).max() + 1e-9)).astype(np.float32), level, wet


def music(seconds: float, rng) -> np.ndarray:
    """Pop from a laptop speaker, unit RMS: four chords (I-V-vi-IV in C) at 112 bpm, a bass, kick, snare and
    hi-hat, a seeded pentatonic melody; band-limited to 350-6000 Hz, faded in and out over 1 s."""
    from scipy.signal import sawtooth

    n, beat = int(seconds * SR), 60 / 112
    t = np.arange(n) / SR
    chords = [[261.6, 329.6, 392.0], [196.0, 246.9, 293.7], [220.0, 261.6, 329.6], [174.6, 220.0, 261.6]]
    bar = (t // (4 * beat)).astype(int) % 4
    x = np.zeros(n)
    for v in range(3):
        x += 0.25 * sawtooth(2 * np.pi * np.cumsum(np.array([c[v] for c in chords])[bar]) / SR)
    x += 0.5 * np.sin(2 * np.pi * np.cumsum(np.array([c[0] / 2 for c in chords])[bar]) / SR)
    notes = rng.choice([523.3, 587.3, 659.3, 784.0, 880.0], int(seconds / beat * 2) + 1)
    half = (t // (beat / 2)).astype(int)
    x += 0.35 * np.sign(np.sin(2 * np.pi * np.cumsum(notes[half]) / SR)) * np.exp(-(t % (beat / 2)) / 0.12)
    for k in range(int(seconds / beat * 2)):
        i, m = int(k * beat / 2 * SR), np.arange(int(0.15 * SR)) / SR
        m = m[:max(0, n - i)]
        hit = 0.2 * rng.normal(0, 1, m.size) * np.exp(-m / 0.01)  # hi-hat
        if k % 2 == 0:  # kick on the beat
            hit += 1.2 * np.sin(2 * np.pi * np.cumsum(50 + 70 * np.exp(-m / 0.03)) / SR) * np.exp(-m / 0.08)
        if k % 4 == 2:  # snare on 2 and 4
            hit += 0.6 * rng.normal(0, 1, m.size) * np.exp(-m / 0.05)
        x[i:i + m.size] += hit
    x = independent_conference_talk.band(x, 350, 6000) * np.clip(t / 1.0, 0, 1) * np.clip((seconds - t) / 1.0, 0, 1)
    return (x / np.std(x)).astype(np.float32)


def sound(clips: list[np.ndarray], line: dict, rng) -> np.ndarray:
    """The room microphone: room noise and a 50 Hz hum throughout, the murmur as `line` sets it, every line at its
    speaker's level and distance, the room sounds and the music."""
    band, reverb = independent_conference_talk.band, independent_conference_talk.reverb
    lecturer = np.concatenate([c for c, (who, *_) in zip(clips, line["lines"]) if who == "L"])
    loud = 0.8 * np.std(lecturer)
    audio = independent_lecture.soundtrack([], [], line["duration"], rng)

    def place(x: np.ndarray, at: float) -> None:
        audio[int(at * SR):int(at * SR) + len(x)] += x[:max(0, len(audio) - int(at * SR))]
    t = np.arange(audio.size) / SR
    audio += 0.15 * loud * (np.sin(2 * np.pi * 50 * t) + 0.5 * np.sin(2 * np.pi * 150 * t))
    knots_t, knots_v, level = [0.0], [0.0], 0.0
    for at, new in line["murmur"]:
        knots_t += [at, at + 2.0]
        knots_v += [level, new]
        level = new
    swell = np.interp(t, np.linspace(0, t[-1], int(t[-1] / 3)), rng.uniform(0.4, 1.0, int(t[-1] / 3)))
    murmur = band(rng.normal(0, 1, audio.size), 200, 1200)
    audio += 0.25 * loud * np.interp(t, knots_t, knots_v) * swell * murmur / np.std(murmur)
    for clip, (who, at, *_) in zip(clips, line["lines"]):
        x = 0.8 * clip * LEVEL[who]
        if who.startswith("S"):
            x = band(x, 200, 3500).astype(np.float32)
        place(reverb(x, rng, WET[who]) if WET[who] else x, at)
    for kind, at in line["sounds"]:
        if kind == "music":
            place(reverb(0.45 * loud * music(30.0, rng), rng, 0.5), at)
        else:
            x, gain, wet = effect(kind, rng)
            place(reverb(gain * 4 * loud * x, rng, wet) if wet else gain * 4 * loud * x, at)
    audio += 0.002 * rng.normal(0, 1, audio.size)
    return (audio * min(1.0, 0.95 / np.abs(audio).max())).astype(np.float32)


def render(out: Path) -> dict:
    """Writes OUT/NAME, OUT/truth.json and OUT/frames/*.png (each shot's middle frame); returns the truth."""
    import av
    from PIL import Image

    rng = np.random.default_rng(47)
    clips = [independent_lecture.speak(arg, *VOICES[kind]) for _, items in SHOTS for kind, arg in items
             if kind in VOICES]
    line = timeline(clips)
    shots, cache = line["shots"], {}
    (out / "frames").mkdir(exist_ok=True)
    starts = [s["start"] for s in shots]
    with av.open(str(out / NAME), "w") as container:
        video, audio_stream = independent_lecture.streams(container, FPS)
        for f in range(int(line["duration"] * FPS)):
            t = f / FPS
            k = int(np.searchsorted(starts, t, side="right")) - 1
            frame = picture_at(shots[k], t, cache)
            if f == int((shots[k]["start"] + shots[k]["end"]) / 2 * FPS):
                Image.fromarray(frame).save(out / "frames" / f"{k:02d}_{shots[k]['key']}.png")
            for packet in video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        independent_lecture.finish(container, video, audio_stream, sound(clips, line, rng))
    truth = truth_of(line)
    (out / "truth.json").write_text(json.dumps(truth, indent=1))
    print(f"rendered {line['duration']:.1f} s at {W}x{H}, {FPS} fps; {len(shots)} shots: " +
          ", ".join(f"{s['start']:.1f} {s['key']}" for s in shots))
    print("stretches: " + ", ".join(f"{n} {a:.1f}-{b:.1f}" for n, (a, b) in truth["stretches"].items()) +
          "; sounds: " + ", ".join(f"{k} {a:.1f}" for k, a in line["sounds"]))
    return truth


def truth_of(line: dict) -> dict:
    shots, marks, end = line["shots"], line["marks"], line["duration"]
    brk = next(s for s in shots if s["key"] == "break")
    stretches = {"pre-roll": (0.0, marks["first half"]), "first half": (marks["first half"], brk["start"]),
                 "break": (brk["start"], brk["end"]), "second half": (brk["end"], marks["overrun"]),
                 "overrun": (marks["overrun"], end)}
    asked, cycles = [x for x in line["lines"] if x[0] == "Q"], [s for s in shots if s["key"] == "cycles"]
    span = {**stretches, "exchange": (asked[0][1], asked[-1][2] + GAP), "intro": (marks["first half"], shots[1]["end"]),
            "repeat": (cycles[1]["start"], cycles[1]["end"])}
    for s in shots:
        span.setdefault(s["key"], (s["start"], s["end"]))  # the first showing
    music_at = next(a for k, a in line["sounds"] if k == "music")
    situations = {"music": [music_at, music_at, music_at + 30.0], "desktop": [0.0, 0.0, shots[0]["end"]],
                  "pre-roll title": [shots[1]["start"], shots[1]["start"], marks["first half"]],
                  "break countdown": [brk["start"], brk["start"], brk["end"]],
                  "repeat": [cycles[1]["start"], cycles[1]["start"], cycles[1]["end"]],
                  "overrun": [marks["overrun"], marks["overrun"], end]}
    return {"shots": shots, "lines": line["lines"], "sounds": line["sounds"], "murmur": line["murmur"],
            "cuts": [s["start"] for s in shots[1:]], "stretches": stretches,
            "stretch_edges": [b for _, (_, b) in list(stretches.items())[:-1]], "situations": situations,
            "queries": [[q, *span[target], kind] for q, target, kind in QUERIES], "duration": end}


def stretch_of(a: float, b: float, truth: dict) -> str:
    """The stretch holding most of [a, b]."""
    return max(truth["stretches"], key=lambda n: overlap(a, b, *truth["stretches"][n]))


def report_stretches(rec, diag: dict, truth: dict) -> None:
    """Per stretch: its visual segments and sections (each with the slide it starts on and how far the nearest
    true cut is), and, for the pre-roll, the break and the overrun, every transcript chunk in it with its text."""
    shots = truth["shots"]
    for name, (a, b) in truth["stretches"].items():
        segs = [(s, e) for s, e in rec.visual_segments if overlap(s, e, a, b) > 1.0]
        secs = [float(s) for s, _ in rec.sections if a - 1.0 <= float(s) < b - 1.0]
        chunks = [c for c in diag["transcript"] if overlap(c[0], max(c[1], c[0] + 0.1), a, b) > 0]
        print(f"{name} {a:.1f}-{b:.1f}: {len(segs)} visual segments {[(round(s, 1), round(e, 1)) for s, e in segs]}; "
              f"{len(chunks)} transcript chunks; {len(secs)} sections start in it:")
        for s in secs:
            k = int(np.searchsorted([x["start"] for x in shots], s + 1.0, side="right")) - 1
            near = min([abs(s - c) for c in [0.0, *truth["cuts"]]])
            print(f"    section at {s:6.1f} on {shots[k]['key']:12s} nearest true cut {near:5.1f} s away")
        if name in IDLE:
            for s, e, text in chunks:
                print(f"    transcript {s:6.1f}-{e:6.1f}: {text[:300]!r}")


def invented_words(index, rec, truth: dict) -> list:
    """Every transcript word timed where no line was spoken (0.5 s slack either side): [time, word, stretch,
    what the room held then]; printed grouped by stretch, with how many words the students' lines produced."""
    from momentsearch.transcript import decode_times

    lines, music = truth["lines"], truth["situations"]["music"]
    invented, students = [], 0
    for c in index.chunks_of(rec.video_id):
        for w, (s, _) in zip(c.text.split(), decode_times(c.start, c.word_times, c.text)):
            who = [x[0] for x in lines if x[1] - 0.5 <= s <= x[2] + 0.5]
            students += bool(who) and all(x.startswith("S") for x in who)
            if not who:
                room = "music" if music[0] <= s <= music[2] else "murmur/room sounds/room tone"
                invented.append([round(s, 1), w, stretch_of(s, s + 0.1, truth), room])
    by: dict = {}
    for s, w, name, room in invented:
        by.setdefault((name, room), []).append(f"{w}@{s:.0f}")
    print(f"words timed where nobody spoke: {len(invented)}; words on the students' chat: {students}")
    for (name, room), words in by.items():
        print(f"    {name} ({room}): {' '.join(words)[:400]}")
    return invented


def idle_landings(diag: dict, truth: dict) -> None:
    """Each query's top-3 results that lie mostly in the pre-roll, the break or the overrun while its truth
    does not."""
    for q in diag["queries"]:
        home = stretch_of(*q["truth"], truth)
        where = [(r, m, stretch_of(m["start"], m["end"], truth)) for r, m in enumerate(q["results"], 1)]
        bad = [f"#{r} {m['start']:.1f}-{m['end']:.1f} in {n}" for r, m, n in where if n in IDLE and n != home]
        if bad:
            print(f"lands outside the lecture: {q['query']!r} ({q['type']}, truth in {home}): " + "; ".join(bad))


def evaluate(out: Path, truth: dict, reuse: bool) -> None:
    from momentsearch.evaluate import boundary_scores

    index = independent_code_lecture.indexed(out, NAME, reuse)
    rec = index.videos()[0]
    independent_media_lecture.score_cuts(rec, index, truth)
    sc = boundary_scores([float(a) for a, _ in rec.sections[1:]], truth["stretch_edges"])
    print(f"section edges vs stretch edges only {[round(x, 1) for x in truth['stretch_edges']]}: "
          f"P {sc.precision:.2f} R {sc.recall:.2f} F1 {sc.f1:.2f} at +-1 s; {len(rec.visual_segments)} visual "
          f"segments, {len(rec.sections)} sections over {truth['duration']:.0f} s")
    diag = independent_code_lecture.diagnostics(index, rec)
    report_stretches(rec, diag, truth)
    diag["invented_words"] = invented_words(index, rec, truth)
    for c in diag["chapters"]:
        print(f"chapter {c['start']:6.1f}-{c['end']:6.1f} ({c['source']}, in {stretch_of(c['start'], c['end'], truth)})"
              f": {c['title'][:90]!r}")
    independent_code_lecture.run_queries(index, truth["queries"], diag)
    idle_landings(diag, truth)
    (out / "diagnostics.json").write_text(json.dumps(diag, indent=1, default=str))


def main() -> int:
    return independent_code_lecture.run_probe(__doc__, "/tmp/capture", render, evaluate)


if __name__ == "__main__":
    sys.exit(main())
