#!/usr/bin/env python3
"""A slide lecture by a lecturer with a strong foreign accent and disfluent, spontaneous speech, rendered without
momentsearch.testing, indexed and searched: a check on a kind of real recording nothing was tuned on. A screen
recording of the deck full frame, 1280x720 at 8 fps, ~5.5 min: "Introduction to Control Systems" (feedback,
PID, tuning, step response, stability, Bode, Nyquist, cruise control) on 14 slides of ONE template no other probe
uses (an off-white page under a black title band with white narrow bold titles and an orange rule, grey sans
bullets behind orange triangles, a footer with an orange ring, the course and "n / 14"); three slides are
drawings (a block diagram, a step-response plot, a Bode plot with labels).

The voice reads English with French letter-to-sound rules: espeak-ng `fr-be` at 135 wpm. Chosen before any
query was written: two sentences of control-systems English ("feedback control ... reference", "proportional
gain ... set point") over hiss, transcribed by the package's default ASR (Whisper base, int8, greedy), gave
WER fr-be@135 29 % ("the propulsion algorithm", "over-foss", "set-guar"), fr@140 26 %, fr+m3@135 37 %,
nl 63 %, ro 79 %, es 84 %, de 84 %, it 89 %, pt-br 105 %, tr 142 %, pl 429 % (a repetition loop), hi and ru
0 % (they read Latin text with English rules). The script is spontaneous speech: fillers ("um", "uh", "eh"),
repetitions ("the, the"), self-corrections ("the gain, sorry, the proportional gain", "of the open, no, of the
closed loop"), 7 long pauses in mid-sentence (1.4-1.8 s), two topic changes with no slide change (the homework
and lab announcement on the step-response slide; digital implementation on the Bode slide), two slides
skipped in 6-7 s ("Ah, the Laplace, you know it already. We skip."; the root locus). Room noise: drifting
low-frequency rumble, a fan's 100 Hz hum and hiss.

Decisions, fixed before any result was seen. The true cuts are all 13 slide changes (the skipped slides'
included), +-1 s; nothing else changes on screen. The topic edges are the middle of the 1.4 s silence before
each digression's first word; section edges are scored against cuts + topic edges, and the topic edges alone
are reported. Stretches: each slide's showing, the two slides with a digression split at its topic edge. A
detected boundary farther than 1 s from every true one is a false alarm, put down to the first window holding
it: a long pause (from 1 s before it to its end), a skipped slide, a digression, else its slide. A query's truth
is the stretch that holds its words or its subject. Query types: said (spoken words, not on the slide), slide+said
(spoken AND on the slide: can OCR rescue what the ASR garbled?), shown (only on the slide, never spoken), concept
(a paraphrase sharing no key word), typo (a student's misspelling of spoken and shown terms). The 27 queries were
written with the lecture, before the first run, and not changed after. WER: the whole transcript (each word
once, `transcript.sentences`) against the script, fillers removed from both (um, uh, eh, erm, ah, hmm).

    python3 scripts/independent_accented_speaker.py [--out /tmp/accent] [--reuse]

Prints picture cuts and section edges against the truth (P / R / F1 at +-1 s, each false alarm's situation), the
topic edges, per stretch the transcript against the script (WER) and its visual segments, sections and OCR text,
the whole video's WER and each key term said / heard, what the index does around each long pause (section edges,
chunk edges, sentence breaks), fillers and repeated words in the transcript, chapter titles and result snippets,
each query's type, hit or miss (top result's IoU >= 0.5), truth, top span, IoU and channel scores, and for each
spoken query whether its words were heard and read on the slide; the run time. Writes OUT/diagnostics.json.
`--reuse` scores what OUT holds. Deterministic (fixed seeds). One lecture in its own index: a probe, not a benchmark.
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
import independent_media_lecture  # noqa: E402 (its cut report and line wrapping)

W, H, FPS, SR = 1280, 720, 8, 16000
VOICE, RATE = "fr-be", 135
LEAD = independent_lecture.LEAD  # seconds from a slide's start to its first word
GAP, TOPIC_GAP = 1.5, 1.4  # seconds: after a slide's last word; the silence before a digression
NAME = "me3310_lecture02.mp4"
TITLE_FONT = "/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Bold.ttf"
BODY_FONT = "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"
PAGE, BAND, ORANGE, INK, GREY = (250, 250, 246), (14, 14, 16), (236, 98, 10), (52, 54, 60), (140, 142, 150)
BAND_H = 112
FILLERS = {"um", "uh", "eh", "erm", "ah", "hmm", "mm"}

SLIDES = {  # key: (title, bullets, drawing)
    "title": ("Introduction to Control Systems", ["ME 3310 · Lecture 2", "Dr. Étienne Marchand"], None),
    "loops": ("Open Loop and Closed Loop", ["Open loop: act without measuring", "Closed loop: measure, compare, "
              "correct", "Kettle timer vs. thermostat"], None),
    "diagram": ("The Feedback Loop", [], "diagram"),
    "laplace": ("Laplace Transform Refresher", ["L{f'(t)} = s F(s) − f(0)", "Transfer function G(s) = Y(s) / U(s)",
                                                "Zero initial conditions assumed"], None),
    "p": ("Proportional Control", ["u(t) = Kp · e(t)", "Higher Kp: faster response",
                                   "Too high: overshoot and oscillation", "Steady-state error remains"], None),
    "id": ("Integral and Derivative Action", ["Integral term removes the offset", "Derivative term damps the response",
                                              "Actuator saturation: clamp the integrator",
                                              "u = Kp e + Ki ∫e dt + Kd de/dt"], None),
    "zn": ("Tuning: Ziegler–Nichols", ["Set Ki = Kd = 0", "Raise Kp to the ultimate gain Ku", "Measure the period Tu",
                                       "Kp = 0.6 Ku,  Ti = Tu/2,  Td = Tu/8"], None),
    "step": ("Step Response", [], "step"),
    "stability": ("Stability", ["Closed-loop poles in the left half-plane", "Characteristic equation 1 + C(s)G(s) = 0",
                                "Routh–Hurwitz: count the sign changes"], None),
    "rootlocus": ("Root Locus", ["Branches start at open-loop poles", "They end at the zeros or at infinity",
                                 "Sketching rules 1 to 6"], None),
    "bode": ("Bode Plot", [], "bode"),
    "nyquist": ("Nyquist Criterion", ["Plot C(jω)G(jω) for all frequencies", "Count encirclements of −1",
                                      "Z = N + P"], None),
    "cruise": ("Case Study: Cruise Control", ["Plant: car of mass 1200 kg", "Disturbance: road slope",
                                              "PI controller: Kp = 800, Ki = 40"], None),
    "summary": ("Summary", ["Feedback: measure, compare, correct", "PID: present, past and future error",
                            "Stability: poles, Bode, Nyquist", "Next week: state-space models"], None),
}
TALK = [  # (slide key, [(stretch, speech)]); "[1.6]" is a pause of 1.6 s in mid-sentence
    ("title", [("intro", "Okay, um, good morning everybody. So, eh, today is the, the first real lecture of control "
                "systems. We will see feedback, the PID, and, uh, how we know [1.5] if a system is stable.")]),
    ("loops", [("loops", "So, first, open loop. In open loop the controller does not look at the result. Like, um, "
                "you take a shower in a hotel, you turn the knob, and you just, you just hope. In closed loop we "
                "measure the output, we compare with what we want, and we correct. This is the whole idea of "
                "feedback.")]),
    ("diagram", [("diagram", "Here is the, the block diagram. Uh, the reference comes from the left, we subtract the "
                  "measurement, and what remains is the error. The controller makes from the error the command for "
                  "the plant. And the disturbance, eh, it pushes the output away, and the loop must, um, must fight "
                  "it.")]),
    ("laplace", [("laplace", "Ah, the Laplace, you know it already. We skip.")]),
    ("p", [("p", "Now the simplest controller, the proportional. The command is the gain times the error. If you "
            "increase the, the gain, sorry, the proportional gain, the system is faster. But, eh, too much gain and "
            "you get overshoot, it oscillates, like a, like a nervous driver. [1.8] And there is always a small error "
            "that stays.")]),
    ("id", [("id", "So to kill this error we add the integral. It sums the error over time. But careful. When the "
             "actuator is saturated, the valve is already fully open, the integral continues to grow, and grow. This "
             "is called integral windup, and, uh, the system overshoots a lot. [1.5] The derivative looks at the, at "
             "the speed of the error. It is like the brakes.")]),
    ("zn", [("zn", "How do we choose the gains? Eh, there is a classic recipe from Ziegler and Nichols. You put only "
             "the proportional, and you increase it until the system oscillates, um, with constant amplitude. You "
             "note this gain, the ultimate gain, and the period, and a table gives you the three gains. It is "
             "aggressive, but it is a good start.")]),
    ("step", [("step", "Here is a step response of a, of a second order system. The rise time, how fast we go up. "
               "The overshoot, here, um, about twenty percent. And the settling time, [1.6] when we stay inside a "
               "small band."),
              ("homework", "Ah, before I forget, eh, the homework. The first homework is online, you give it, um, "
               "next Friday before noon. And the lab sessions start on Monday. Please bring your laptop with MATLAB "
               "installed.")]),
    ("stability", [("stability", "Now, the most important question. Is the system stable? After a disturbance, it "
                    "must come back. So all the poles of the open, no, of the closed loop must have a negative real "
                    "part. If one pole goes to the right side, the output grows [1.5] without limit, and, uh, "
                    "something breaks.")]),
    ("rootlocus", [("rootlocus", "The root locus, uh, no, no time today. Next week.")]),
    ("bode", [("bode", "The Bode plot. We draw the, the magnitude in decibels, and the phase, against the frequency. "
               "Where the magnitude crosses zero decibel, we read the phase. The distance to minus one hundred eighty "
               "degrees, this is the phase margin. [1.7] Here we have forty five degrees, this is comfortable."),
              ("digital", "So, eh, a small remark about computers. Today nobody builds a controller with op amps. It "
               "runs on a microcontroller, so we sample the error, maybe one thousand times per second, and we "
               "compute the command at each tick. If you sample too slow, you add delay, and the loop can become "
               "unstable.")]),
    ("nyquist", [("nyquist", "Related to Bode is the Nyquist criterion. We draw the same frequency response in the "
                  "complex plane, and we count how many times it turns around the point minus one. Um, if the open "
                  "loop is stable and the curve turns around this point, [1.4] the closed loop is unstable.")]),
    ("cruise", [("cruise", "Let's finish with an example you all know, the cruise control. The plant is the car, the "
                 "input is the, the throttle, the output is the speed. When we drive up a hill, the car slows down, "
                 "the error grows, and the controller opens the throttle. With only proportional we stay a bit slow "
                 "on the hill, so we use a PI controller.")]),
    ("summary", [("summary", "So, to summarize. Feedback, the three actions of the PID, and the, the stability tools. "
                  "Next week, eh, state space. Thank you, and, um, see you Monday in the lab.")]),
]
QUERIES = [  # (query, stretch, type); written with the lecture, before the first run, not changed after
    ("take a shower in a hotel and turn the knob", "loops", "said"), ("like a nervous driver", "p", "said"),
    ("integral windup", "id", "said"), ("output grows without limit", "stability", "said"),
    ("bring your laptop with MATLAB installed", "homework", "said"),
    ("sample the error one thousand times per second", "digital", "said"),
    ("count how many times it turns around the point minus one", "nyquist", "said"),
    ("proportional gain overshoot", "p", "slide+said"), ("actuator saturation", "id", "slide+said"),
    ("Ziegler Nichols ultimate gain", "zn", "slide+said"), ("Nyquist criterion", "nyquist", "slide+said"),
    ("phase margin 45 degrees", "bode", "slide+said"), ("cruise control", "cruise", "slide+said"),
    ("kettle timer vs thermostat", "loops", "shown"), ("Routh-Hurwitz sign changes", "stability", "shown"),
    ("branches start at open-loop poles", "rootlocus", "shown"), ("gain margin 12 dB", "bode", "shown"),
    ("mass 1200 kg road slope", "cruise", "shown"),
    ("subtracting the sensor reading from the desired value", "diagram", "concept"),
    ("choosing controller parameters from an experiment at the edge of instability", "zn", "concept"),
    ("when is the assignment due", "homework", "concept"),
    ("how much extra lag the loop tolerates before it rings out of control", "bode", "concept"),
    ("running the regulator in software on a chip", "digital", "concept"),
    ("holding a constant velocity on an incline", "cruise", "concept"),
    ("proportinal gain overshot", "p", "typo"), ("nyqist encirclements", "nyquist", "typo"),
    ("ziegler nicholls tuning", "zn", "typo"),
]
KEY_TERMS = ["feedback", "open loop", "closed loop", "block diagram", "disturbance", "laplace", "proportional",
             "overshoot", "integral", "actuator", "saturated", "windup", "derivative", "ziegler", "nichols",
             "ultimate gain", "step response", "rise time", "settling time", "homework", "matlab", "stable", "poles",
             "root locus", "bode", "decibels", "phase margin", "microcontroller", "nyquist", "complex plane",
             "cruise control", "throttle", "pi controller", "pid"]


def fonts() -> dict:
    from PIL import ImageFont

    return {"title": ImageFont.truetype(TITLE_FONT, 58), "big": ImageFont.truetype(TITLE_FONT, 76),
            "body": ImageFont.truetype(BODY_FONT, 36), "label": ImageFont.truetype(BODY_FONT, 24),
            "foot": ImageFont.truetype(BODY_FONT, 19)}


def slide_image(key: str, page: int) -> np.ndarray:
    """The template: black title band with an orange rule under it, orange-triangle bullets, a footer (ring, course,
    page of 14); the title slide has its title in the page's middle; drawings fill the body."""
    from PIL import Image, ImageDraw

    title, bullets, drawing = SLIDES[key]
    f = fonts()
    im = Image.new("RGB", (W, H), PAGE)
    d = ImageDraw.Draw(im)
    d.line([60, 672, W - 60, 672], fill=(210, 210, 206), width=2)
    d.ellipse([60, 680, 84, 704], outline=ORANGE, width=5)
    d.text((96, 681), "ME 3310  Control Systems  ·  Lecture 2", font=f["foot"], fill=GREY)
    d.text((W - 60, 681), f"{page} / {len(TALK)}", font=f["foot"], fill=GREY, anchor="ra")
    if key == "title":
        d.rectangle([0, 0, W, 250], fill=BAND)
        d.rectangle([0, 250, W, 262], fill=ORANGE)
        d.text((80, 120), title, font=f["big"], fill=(255, 255, 255))
        for k, text in enumerate(bullets):
            d.text((84, 340 + 70 * k), text, font=f["body"], fill=INK)
        return np.asarray(im)
    d.rectangle([0, 0, W, BAND_H], fill=BAND)
    d.rectangle([0, BAND_H, W, BAND_H + 8], fill=ORANGE)
    d.text((64, 26), title, font=f["title"], fill=(255, 255, 255))
    for k, text in enumerate(bullets):
        y = 184 + 104 * k
        d.polygon([(80, y + 8), (80, y + 30), (100, y + 19)], fill=ORANGE)
        d.text((124, y), text, font=f["body"], fill=INK)
    if drawing is not None:
        {"diagram": diagram, "step": step_plot, "bode": bode_plot}[drawing](d, f)
    return np.asarray(im)


def box(d, f, x: int, y: int, text: str) -> tuple[int, int, int, int]:
    d.rectangle([x, y, x + 200, y + 80], fill=(255, 240, 226), outline=INK, width=3)
    d.text((x + 100, y + 40), text, font=f["label"], fill=INK, anchor="mm")
    return x, y, x + 200, y + 80


def arrow(d, a: tuple[int, int], b: tuple[int, int], label: str = "", f=None, at: tuple[int, int] = (0, -22)):
    d.line([a, b], fill=INK, width=4)
    (x0, y0), (x1, y1) = a, b
    ux, uy = np.sign(x1 - x0), np.sign(y1 - y0)
    d.polygon([(x1, y1), (x1 - 16 * ux - 9 * uy, y1 - 16 * uy - 9 * ux), (x1 - 16 * ux + 9 * uy,
                                                                          y1 - 16 * uy + 9 * ux)], fill=INK)
    if label:
        d.text(((x0 + x1) / 2 + at[0], (y0 + y1) / 2 + at[1]), label, font=f["label"], fill=ORANGE, anchor="mm")


def diagram(d, f) -> None:
    """The loop: reference -> summing junction -> controller -> (+ disturbance) plant -> output, sensor back."""
    d.ellipse([230, 290, 290, 350], outline=INK, width=4)
    d.text((260, 320), "Σ", font=f["label"], fill=INK, anchor="mm")
    for x, y, text in ((380, 280, "Controller C(s)"), (720, 280, "Plant G(s)"), (720, 470, "Sensor H(s)")):
        box(d, f, x, y, text)
    arrow(d, (70, 320), (228, 320), "reference r", f)
    arrow(d, (292, 320), (378, 320), "error e", f)
    arrow(d, (582, 320), (718, 320), "input u", f)
    arrow(d, (922, 320), (1150, 320), "output y", f)
    arrow(d, (820, 180), (820, 278), "disturbance d", f, (0, -62))
    d.line([1040, 320, 1040, 510, 922, 510], fill=INK, width=4)
    arrow(d, (720, 510), (260, 510))
    arrow(d, (260, 510), (260, 352))
    d.text((200, 284), "+", font=f["label"], fill=INK)
    d.text((268, 358), "−", font=f["label"], fill=INK)


def axes(d, f, x0: int, y0: int, x1: int, y1: int, xlabel: str, ylabel: str) -> None:
    d.line([x0, y0, x0, y1, x1, y1], fill=INK, width=3)
    d.text(((x0 + x1) / 2, y1 + 26), xlabel, font=f["label"], fill=INK, anchor="mm")
    d.text((x0 - 14, y0 - 6), ylabel, font=f["label"], fill=INK, anchor="rb")


def step_plot(d, f) -> None:
    """A second-order step response (zeta 0.42: 23 % overshoot), with rise time, overshoot and settling time."""
    x0, y0, x1, y1 = 220, 170, 1160, 600
    axes(d, f, x0, y0, x1, y1, "time (s)", "y(t)")
    t = np.linspace(0, 10, 400)
    z, wn = 0.42, 1.6
    wd = wn * np.sqrt(1 - z * z)
    y = 1 - np.exp(-z * wn * t) * (np.cos(wd * t) + z / np.sqrt(1 - z * z) * np.sin(wd * t))
    px = x0 + (t / 10) * (x1 - x0)
    py = y1 - y / 1.4 * (y1 - y0)
    d.line(list(zip(px, py)), fill=ORANGE, width=5)
    one = y1 - 1 / 1.4 * (y1 - y0)
    d.line([x0, one, x1, one], fill=GREY, width=2)
    peak = int(np.argmax(y))
    d.text((px[peak] + 14, py[peak] - 30), f"overshoot {100 * (y[peak] - 1):.0f} %", font=f["label"], fill=INK)
    rise = int(np.argmax(y >= 0.9))
    d.text((px[rise] + 16, py[rise] + 40), "rise time", font=f["label"], fill=INK)
    settle = int(np.max(np.nonzero(np.abs(y - 1) > 0.02)))
    d.line([px[settle], y0 + 40, px[settle], y1], fill=GREY, width=2)
    d.text((px[settle] + 10, y0 + 20), "settling time (±2 %)", font=f["label"], fill=INK)


def bode_plot(d, f) -> None:
    """Magnitude and phase of a type-1 loop against log frequency, with crossover and both margins marked."""
    w = np.logspace(-1, 2, 300)
    s = 1j * w
    loop = 4.0 / (s * (1 + s / 4) * (1 + s / 40))
    mag, phase = 20 * np.log10(np.abs(loop)), np.degrees(np.unwrap(np.angle(loop)))
    x0, x1 = 220, 1100
    px = x0 + (np.log10(w) + 1) / 3 * (x1 - x0)
    for (top, bottom), values, (lo, hi), label in (((150, 380), mag, (-60, 40), "magnitude (dB)"),
                                                   ((420, 630), phase, (-270, -90), "phase (deg)")):
        axes(d, f, x0, top, x1, bottom, "", label)
        py = bottom - (np.clip(values, lo, hi) - lo) / (hi - lo) * (bottom - top)
        d.line(list(zip(px, py)), fill=ORANGE, width=4)
        ref = 0 if values is mag else -180
        ry = bottom - (ref - lo) / (hi - lo) * (bottom - top)
        d.line([x0, ry, x1, ry], fill=GREY, width=2)
    d.text((x1 + 10, 640), "frequency (rad/s)", font=f["label"], fill=INK, anchor="rm")
    cross = px[int(np.argmin(np.abs(mag)))]
    d.line([cross, 150, cross, 630], fill=GREY, width=2)
    d.text((cross + 10, 190), "gain crossover", font=f["label"], fill=INK)
    d.text((cross + 10, 470), "phase margin 45°", font=f["label"], fill=INK)
    d.text((x1 - 250, 160), "gain margin 12 dB", font=f["label"], fill=INK)


def pieces(text: str) -> list[tuple[str, float]]:
    """A speech's clips with the silence after each: "[1.6]" marks a pause in mid-sentence."""
    parts = re.split(r"\s*\[(\d+\.\d+)\]\s*", text)
    return [(parts[i], float(parts[i + 1]) if i + 1 < len(parts) else 0.0) for i in range(0, len(parts), 2)]


def spoken() -> list[list[list[np.ndarray]]]:
    return [[[independent_lecture.speak(p, VOICE, RATE) for p, _ in pieces(text)] for _, text in parts]
            for _, parts in TALK]


def timeline(clips) -> list[dict]:
    """Per slide: start, end, key, page, and per stretch its name, topic edge (None: the slide's start) and clips
    [start, end, text]; the long pauses [start, end] in mid-sentence."""
    slides, t = [], 0.0
    for page, ((key, parts), sounds) in enumerate(zip(TALK, clips), 1):
        at, stretches, pauses = t + LEAD, [], []
        for j, ((stretch, text), part) in enumerate(zip(parts, sounds)):
            edge = None
            if j:
                edge, at = round(at + TOPIC_GAP / 2, 3), at + TOPIC_GAP
            placed = []
            for (words, pause), clip in zip(pieces(text), part):
                placed.append([round(at, 3), round(at + len(clip) / SR, 3), words])
                at += len(clip) / SR
                if pause:
                    pauses.append([round(at, 3), round(at + pause, 3)])
                    at += pause
            stretches.append({"name": stretch, "edge": edge, "clips": placed})
        slides.append({"start": round(t, 3), "end": round(at + GAP, 3), "key": key, "page": page,
                       "stretches": stretches, "pauses": pauses})
        t = at + GAP
    return slides


def sound(clips, slides: list[dict], duration: float, rng) -> np.ndarray:
    """The voice placed clip by clip over the shared room rumble, a fan's hum and the microphone's hiss."""
    flat = [(c, p[0]) for sounds, s in zip(clips, slides) for part, st in zip(sounds, s["stretches"])
            for c, p in zip(part, st["clips"])]
    audio = independent_lecture.soundtrack([c for c, _ in flat], [at - LEAD for _, at in flat], duration, rng)
    t = np.arange(audio.size) / SR
    hum = 0.004 * np.sin(2 * np.pi * 100 * t) + 0.002 * np.sin(2 * np.pi * 200 * t + 1.0)
    return (audio + hum + 0.003 * rng.normal(0, 1, audio.size)).astype(np.float32)


def render(out: Path) -> dict:
    """Writes OUT/NAME, OUT/truth.json and OUT/frames/*.png (each slide); returns the truth."""
    import av
    from PIL import Image

    rng = np.random.default_rng(23)
    clips = spoken()
    slides = timeline(clips)
    duration = slides[-1]["end"]
    (out / "frames").mkdir(exist_ok=True)
    images = []
    for s in slides:
        images.append(slide_image(s["key"], s["page"]))
        Image.fromarray(images[-1]).save(out / "frames" / f"{s['page']:02d}_{s['key']}.png")
    starts = [s["start"] for s in slides]
    with av.open(str(out / NAME), "w") as container:
        video, audio_stream = independent_lecture.streams(container, FPS)
        for f in range(int(duration * FPS)):
            k = int(np.searchsorted(starts, f / FPS, side="right")) - 1
            for packet in video.encode(av.VideoFrame.from_ndarray(images[k], format="rgb24")):
                container.mux(packet)
        independent_lecture.finish(container, video, audio_stream, sound(clips, slides, duration, rng))
    truth = truth_of(slides, duration)
    (out / "truth.json").write_text(json.dumps(truth, indent=1))
    print(f"rendered {duration:.1f} s at {W}x{H}, {FPS} fps; {len(slides)} slides: " +
          ", ".join(f"{s['start']:.1f} {s['key']}" for s in slides))
    print(f"topic edges {truth['topic_edges']}; long pauses {[p[:2] for p in truth['pauses']]}; "
          f"{len(truth['reference'].split())} words spoken (fillers included)")
    return truth


def truth_of(slides: list[dict], duration: float) -> dict:
    stretches = []
    for s in slides:
        for st in s["stretches"]:
            if stretches:
                stretches[-1][1] = st["edge"] if st["edge"] is not None else s["start"]
            stretches.append([st["edge"] if st["edge"] is not None else s["start"], duration, st["name"]])
    span = {n: (a, b) for a, b, n in stretches}
    situations = {}
    pauses = [[*p, s["key"]] for s in slides for p in s["pauses"]]
    for a, b, key in pauses:
        situations[f"long pause {a:.1f} ({key})"] = [a, a, b]
    for s in slides:
        if s["key"] in ("laplace", "rootlocus"):
            situations[f"skipped {s['key']}"] = [s["start"], s["start"], s["end"]]
    for s in slides:
        for st in s["stretches"]:
            if st["edge"] is not None:
                situations[f"digression {st['name']}"] = [st["edge"], st["edge"], s["end"]]
    for s in slides:
        situations[f"slide {s['key']}"] = [s["start"], s["start"], s["end"]]
    speech = {st["name"]: " ".join(c[2] for c in st["clips"]) for s in slides for st in s["stretches"]}
    return {"slides": slides, "duration": duration, "cuts": [s["start"] for s in slides[1:]],
            "topic_edges": [st["edge"] for s in slides for st in s["stretches"] if st["edge"] is not None],
            "stretches": stretches, "situations": situations, "pauses": pauses, "speech": speech,
            "reference": " ".join(speech.values()),
            "queries": [[q, *span[stretch], kind] for q, stretch, kind in QUERIES]}


def words_of(text: str) -> list[str]:
    """Normalised words (testing.wer.normalise) without fillers."""
    from momentsearch.testing.wer import normalise

    return [w for w in normalise(text) if w not in FILLERS]


def overlap(a: float, b: float, start: float, end: float) -> float:
    return max(0.0, min(b, end) - max(a, start))


def report_stretches(rec, diag: dict, truth: dict, said: list) -> None:
    """Per stretch: WER of the sentences whose middle lies in it, visual segments, sections, OCR text, transcript."""
    from momentsearch.testing.wer import edit_distance

    for a, b, name in truth["stretches"]:
        ref = words_of(truth["speech"][name])
        hyp_text = " ".join(t for s, e, t in said if a <= (s + e) / 2 < b)
        wer = edit_distance(ref, words_of(hyp_text)) / max(1, len(ref))
        segs = [(round(s, 1), round(e, 1)) for s, e in rec.visual_segments if overlap(s, e, a, b) > 1.0]
        secs = [(round(s, 1), round(e, 1)) for s, e in rec.sections if overlap(s, e, a, b) > 1.0]
        print(f"{name} {a:.1f}-{b:.1f}: WER {100 * wer:.0f} % of {len(ref)} words; visual {segs}; sections {secs}")
        for o in diag["ocr"]:
            if overlap(o[0], o[1], a, b) > 1.0:
                print(f"    ocr {o[0]:6.1f}-{o[1]:6.1f}: {o[2][:200]!r}")
        print(f"    said : {truth['speech'][name][:300]!r}\n    heard: {hyp_text[:300]!r}")


def report_words(truth: dict, said: list) -> dict:
    """The whole video's WER (fillers out of both) and each key term's count in the script and the transcript."""
    from momentsearch.testing.wer import edit_distance

    ref, hyp = words_of(truth["reference"]), words_of(" ".join(t for *_, t in said))
    wer = edit_distance(ref, hyp) / len(ref)
    print(f"transcript WER (whole video, fillers removed): {100 * wer:.1f} % ({len(ref)} words said, {len(hyp)} "
          "heard)")
    joined_ref, joined_hyp, terms = " " + " ".join(ref) + " ", " " + " ".join(hyp) + " ", {}
    for term in KEY_TERMS:
        n, m = joined_ref.count(f" {term} "), joined_hyp.count(f" {term} ")
        terms[term] = [n, m]
    print("key terms said/heard: " + ", ".join(f"{t} {n}/{m}" + ("" if m >= n else " <-")
                                                for t, (n, m) in terms.items()))
    return {"wer": wer, "terms": terms}


def report_pauses(rec, diag: dict, truth: dict, said: list) -> None:
    """Around each long pause: section edges (not near a true edge), chunk edges and sentence breaks in it."""
    true = truth["cuts"] + truth["topic_edges"]
    for a, b, key in truth["pauses"]:
        edges = [round(s, 1) for s, _ in rec.sections[1:] if a - 1.0 <= s <= b + 1.0
                 and all(abs(s - c) > 1.0 for c in true)]
        chunk = [(round(s, 1), round(e, 1)) for s, e, _ in diag["transcript"] if a - 0.3 <= s <= b + 0.3
                 or a - 0.3 <= e <= b + 0.3]
        breaks = [(round(e, 1), t[-40:]) for s, e, t in said if a - 0.5 <= e <= b + 0.5]
        print(f"long pause {a:.1f}-{b:.1f} ({key}): section edges in it {edges or 'none'}; chunks starting/ending "
              f"in it {chunk or 'none'}; sentences ending in it {breaks or 'none'}")


def disfluencies(text: str) -> list[str]:
    """Fillers and immediately repeated words ("the the", "a, a") in `text`."""
    words = re.findall(r"[a-z']+", text.lower())
    found = [w for w in words if w in FILLERS]
    return found + [f"{w} {w}" for w, v in zip(words, words[1:]) if w == v]


def report_fillers(index, rec, diag: dict, said: list) -> None:
    """Fillers and repetitions in the transcript, the chapter titles (and the titles `chapters.from_speech`
    gives the same talk, as a copy without slides would get them) and the top results' snippets."""
    from momentsearch.chapters import from_speech

    heard = disfluencies(" ".join(t for *_, t in said))
    print(f"transcript: {len(heard)} fillers / repeated words {sorted(set(heard))}")
    chunks = index.chunks_of(rec.video_id)
    vectors = index.searcher.chunk_vectors(rec.video_id, [c.id for c in chunks])
    diag["speech_chapters"] = [c.to_json() for c in from_speech([(c.start, c.end, c.text) for c in chunks],
                                                                 vectors, rec.duration)]
    for c in diag["chapters"] + diag["speech_chapters"]:
        print(f"chapter {c['start']:6.1f} {c['source']}: {c['title']!r} {disfluencies(c['title']) or ''}")
    snips = [(q["query"], m["text"]) for q in diag["queries"] for m in q["results"][:1]]
    bad = [(q, disfluencies(t)) for q, t in snips if disfluencies(t)]
    print(f"top-result snippets with fillers or repeated words: {len(bad)}/{len(snips)}")
    for q, found in bad:
        print(f"    {q!r}: {found}")


def report_rescue(diag: dict, truth: dict, said: list) -> None:
    """Per said / slide+said / typo query: its words heard in its stretch's transcript, read in OCR there, and the
    top result's OCR and speech channel scores."""
    stop = {"the", "a", "of", "and", "in", "with", "your", "on", "at", "vs", "it", "to"}
    for q in diag["queries"]:
        if q["type"] not in ("said", "slide+said", "typo"):
            continue
        a, b = q["truth"]
        heard = set(words_of(" ".join(t for s, e, t in said if overlap(s, e, a, b) > 0)))
        read = set(words_of(" ".join(o[2] for o in diag["ocr"] if overlap(o[0], o[1], a, b) > 1.0)))
        words = [w for w in words_of(q["query"]) if w not in stop]
        top = q["results"][0] if q["results"] else {"channels": {}}
        print(f"{q['type']:10s} {'hit ' if q['iou'] >= 0.5 else 'MISS'} heard {sum(w in heard for w in words)}/"
              f"{len(words)} {[w for w in words if w not in heard]} missing; read "
              f"{sum(w in read for w in words)}/{len(words)}; top channels "
              f"{ {k: round(v, 2) for k, v in top['channels'].items()} } | {q['query']}")


def evaluate(out: Path, truth: dict, reuse: bool) -> None:
    from momentsearch.evaluate import boundary_scores
    from momentsearch.transcript import sentences

    index = independent_code_lecture.indexed(out, NAME, reuse)
    rec = index.videos()[0]
    independent_media_lecture.score_cuts(rec, index, truth)
    found = [float(a) for a, _ in rec.sections[1:]]
    sc = boundary_scores(found, truth["cuts"] + truth["topic_edges"])
    print(f"section edges vs cuts + topic edges: P {sc.precision:.2f} R {sc.recall:.2f} F1 {sc.f1:.2f} at +-1 s")
    for e in truth["topic_edges"]:
        near = [round(x, 1) for x in found if abs(x - e) <= 1.0]
        print(f"  topic edge {e:6.1f}: {'found at ' + str(near) if near else 'MISSED'}")
    diag = independent_code_lecture.diagnostics(index, rec)
    said = sentences([(c.start, c.end, c.text, c.word_times) for c in index.chunks_of(rec.video_id)])
    diag["sentences"] = said
    report_stretches(rec, diag, truth, said)
    diag["words"] = report_words(truth, said)
    report_pauses(rec, diag, truth, said)
    independent_code_lecture.run_queries(index, truth["queries"], diag)
    report_rescue(diag, truth, said)
    report_fillers(index, rec, diag, said)
    (out / "diagnostics.json").write_text(json.dumps(diag, indent=1, default=str))


def main() -> int:
    return independent_code_lecture.run_probe(__doc__, "/tmp/accent", render, evaluate)


if __name__ == "__main__":
    sys.exit(main())
