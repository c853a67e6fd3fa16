#!/usr/bin/env python3
"""A recorded guest lecture with a host and an audience Q&A, rendered without momentsearch.testing, indexed and
searched: a check on a kind of real recording nothing was tuned on. 1280x720 at 8 fps, ~6 min. The hall camera
of independent_lecture.py (`camera_frame`: the projected deck in perspective and washed out, a figure walking
beside it, a laser dot, sensor noise) with a row of audience heads in front that bob a little; an asker raises
a hand while asking. ONE deck template (white page, a teal band with a white title, slate bullets, a footer with
the institute and the page number). The recording, in four parts:

  host      the seminar's chair (espeak-ng en-us-nyc+m7 at 150 wpm, dry, on the lectern microphone) introduces
            the guest over the title slide (the guest's name and the talk's title); applause (4 s) follows
  talk      the guest (en-gb-x-gbclan+f4 at 175 wpm, another voice, faster) thanks the host on the title slide,
            then talks through seven slides on restoring kelp forests, then puts up a "Questions?" slide
  Q&A       three audience questions asked OFF-MIC (each its own voice: en-us+m8, en-gb-x-rp+f5,
            en-gb-scotland+m1; reverberant, band-limited, at 0.30 of the speakers' loudness, over more hiss);
            the guest repeats the first question, not the other two; answering the second (who pays), the guest
            jumps back to the costs slide and then returns to "Questions?"; the first and third are answered
            over "Questions?"
  closing   the host thanks the guest over "Questions?" (the slide stays up) and applause (5 s) ends it

Decisions, fixed before any result was seen. The true cuts are the 10 slide changes (title -> seven slides ->
"Questions?" -> costs again -> "Questions?"), +-1 s; the camera's figure, laser dot, heads, raised hands and
noise are no cuts. A detected boundary farther than 1 s from every true cut is a false alarm, put down to the
situation whose window (its start - 1 s to its end) holds it (applause, a question being asked, the costs slide
shown again), else to "other". Stretches (each starts at its first word): intro (the host, from 0), talk (the
guest's first word, on the title slide, to the first question), q1, q2, q3 (each from the asker's first word to
the next asker's first word, so a question's truth spans the question, the guest's repeat if any and the whole
answer, and for q2 the jump back and return), closing (the host's first word to the end). Their five edges are
speech edges (only the q3 edge is 0.6 s after a slide change): section edges are scored against the true cuts,
then against the speech edges alone. Query truth is the section in which the thing is discussed: a said / shown /
concept query about the talk has its slide as truth (the costs slide: its FIRST showing, in the talk); a host
query the intro or the closing; a question query (worded as a user remembers it) its exchange; the answer query
(words the guest says while the costs slide is shown again) the q2 exchange. The 20 queries were written with
the material, before the first run, and not changed after.

    python3 scripts/independent_guest_lecture.py [--out /tmp/guest] [--reuse]

Prints picture cuts and section edges against the truth (P / R / F1 at +-1 s) with each false alarm's situation,
section edges against the speech edges (each found or missed), per stretch its sections and chunks, the Whisper
words timed inside each off-mic question and each applause, the OCR entries and segments of the costs slide's
two showings and where the costs queries' top 3 land, each query's type, hit or miss (top result's IoU >= 0.5),
truth, top span, IoU and channel scores, and which exchange each question query's top result lies in; writes
OUT/diagnostics.json. `--reuse` scores what OUT holds. Deterministic (fixed seeds). One talk in its own index:
a probe, not a benchmark.
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
import independent_conference_talk  # noqa: E402 (its applause and hall reverb)
import independent_lecture  # noqa: E402 (its espeak-ng reader, hall camera, soundtrack and encoder)
import independent_media_lecture  # noqa: E402 (its cut report and line wrapping)
import independent_seminar_lecture  # noqa: E402 (its off-mic question sound)

W, H, FPS, SR = 1280, 720, 8, 16000
VOICES = {"H": ("en-us-nyc+m7", 150), "G": ("en-gb-x-gbclan+f4", 175), "A1": ("en-us+m8", 160),
          "A2": ("en-gb-x-rp+f5", 155), "A3": ("en-gb-scotland+m1", 165)}  # host, guest, three askers
ASK_LEVEL = 0.30  # an off-mic question's loudness (RMS) against the speakers'
LEAD = independent_lecture.LEAD  # seconds from a slide's start to its first sound
GAP, PAUSE = 1.5, 0.8  # seconds: after a slide's last sound; between two sounds
NAME = "env_seminar_kelp_solberg.mp4"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans{}.ttf"
TEAL, SLATE, PAPER, MUTED = (0, 112, 120), (44, 56, 68), (252, 252, 248), (120, 130, 140)
WARP_TO = [[340, 80], [1020, 120], [1000, 550], [360, 590]]  # the projection's corners in the camera picture
HEADS = [(90, 0.0), (230, 1.3), (370, 2.1), (520, 0.7), (680, 2.9), (830, 1.8), (980, 0.4), (1130, 2.4)]
ASK_HEAD = {"A1": 5, "A2": 2, "A3": 6}  # which head (index into HEADS) raises a hand for each asker

SLIDES = {  # key: (title, lines)
    "title": ("Bringing Back the Kelp", ["Restoring underwater forests, one rope at a time",
                                         "Dr. Ingrid Solberg, Nordhavn Marine Institute",
                                         "Wednesday Environment Seminar"]),
    "why": ("Why Kelp Matters", ["Grows up to 50 cm a day", "Nursery for cod and lobster",
                                 "Softens storm waves", "Carbon sent to the deep"]),
    "gone": ("Where Did the Forests Go?", ["Marine heatwaves since 2014", "Urchins graze the rock bare",
                                           "Predators fished out"]),
    "barren": ("Urchin Barrens", ["Up to 80 urchins per square metre", "2,000 km of coast affected",
                                  "Stable for 30 years or more"]),
    "ropes": ("Growing Kelp on Ropes", ["Fertile blades collected in November", "Seeded twine in the hatchery",
                                        "Lines bolted to the seabed in January"]),
    "trials": ("Field Trials 2021-2024", ["Six sites near Tromsø", "Urchins cleared by hand",
                                          "Canopy back at 4 of 6 sites"]),
    "costs": ("What It Costs", ["About 15,000 euros per hectare", "Diving time: 70 % of the bill",
                                "Seeded gravel: no divers needed"]),
    "next": ("What Comes Next", ["Seeded gravel from boats", "Urchin fishery for the sushi market",
                                 "A map of future cold-water refuges"]),
    "questions": ("Questions?", ["ingrid.solberg@nordhavn.no", "Slides: nordhavn.no/kelp"]),
}
SHOTS = [  # (slide key, [(who, words or applause seconds)]): one per slide change; X is applause
    ("title", [("H", "Good afternoon, everyone, and welcome to the Wednesday environment seminar. I'm Daniel "
                "Whitfield, and I chair the series this term. It is a real pleasure to introduce today's guest. "
                "Ingrid Solberg trained as a marine biologist in Bergen, spent six winters diving under the ice in "
                "Svalbard, and now leads the restoration programme at the Nordhavn Marine Institute. Her team has "
                "replanted more seabed than anyone else in northern Europe, and she has advised three governments "
                "on how to do it. Please join me in welcoming her."), ("X", 4.0),
               ("G", "Thank you, Daniel, and thank you all for coming out on a rainy afternoon. I want to tell you "
                "about forests that most people never see, because they grow under the sea.")]),
    ("why", [("G", "Kelp is a brown seaweed, not a plant, but it builds real forests. Along rocky shores it forms a "
              "canopy several metres tall. Under that canopy young fish hide from predators, crabs and lobsters "
              "find food, and the waves that reach the beach lose much of their power. When the fronds break off, "
              "some of them sink into deep water, and the carbon they hold is stored there for a very long time.")]),
    ("gone", [("G", "Over the last forty years, large parts of these forests have vanished. Along the coast of "
               "northern Norway, and also in California and Tasmania, the pattern is the same. Warmer summers "
               "weaken the kelp, and then grazing animals finish the job. Where their enemies have been caught by "
               "fishing boats, sea urchins multiply until they cover the rocks, and they eat every young frond "
               "that appears. What is left is bare pink rock, and almost nothing else.")]),
    ("barren", [("G", "Once such a barren has formed, it is remarkably stable. The urchins can survive for decades "
                 "on almost nothing, living on drifting scraps and the thin film of algae on the stones. So even "
                 "when the water cools again, the forest does not come back by itself. That is why we started to "
                 "think about active restoration, rather than simply waiting.")]),
    ("ropes", [("G", "The method itself is borrowed from seaweed farmers. In late autumn we collect fertile blades "
                "from the few healthy plants that are left, release their spores in the laboratory, and let them "
                "settle on thin string wound around plastic tubes. After six weeks in cold tanks the string is "
                "covered in tiny plants. We then wrap it around thick lines, which divers fix to the rocks.")]),
    ("trials", [("G", "We tested this at six places along the coast. At each one, divers first removed the urchins "
                 "from a patch the size of a tennis court, one animal at a time. Then the seeded lines went in. "
                 "Three years later, four of the six patches had a closed canopy again, and fish had moved in. The "
                 "two failures were both exposed to the open ocean, where winter storms tore the young plants "
                 "off.")]),
    ("costs", [("G", "All of this is expensive. Most of the money goes on diving, because clearing urchins by hand "
                "is slow work in cold water. We are testing ways to bring the price down, for example by growing "
                "the young plants directly on small stones that can be scattered from a boat.")]),
    ("next", [("G", "Looking ahead, there are three things I am excited about. First, the stone method, which could "
               "make restoration ten times cheaper. Second, turning the urchins into income: their roe is a "
               "delicacy in Japan, so fishermen could be paid to remove them. And third, a map of the whole coast "
               "showing where the water will stay cool enough for kelp in fifty years, so that we plant in the "
               "right places.")]),
    ("questions", [("G", "That's all from me. Thank you very much, and I'm happy to take your questions."),
                   ("A1", "Thanks, great talk. Once you have planted the kelp, what stops the urchins from simply "
                    "coming back and eating it all again?"),
                   ("G", "So the question is what keeps the urchins away from the restored patches. Honestly, "
                    "sometimes nothing does. We go back twice a year and remove any that have crept in. After about "
                    "two years the kelp is big enough that they struggle to climb it, and the fish living in it "
                    "start eating the small ones. The first two years are the fragile time."),
                   ("A2", "Who actually pays for all this? Is it public money, or is someone making a profit?"),
                   ("G", "Good point. Let me go back to the slide with the costs.")]),
    ("costs", [("G", "In our trials, about half came from the national research council. The rest came from a levy "
                "on the salmon farms along the same coast, because their licences now require them to make up for "
                "damage to the seabed. Nobody is making a profit yet. That could change if the urchins can be "
                "sold.")]),
    ("questions", [("A3", "If all the new plants come from a few parents, aren't you making the forest very "
                    "vulnerable to disease?"),
                   ("G", "That worried us too. We now take spores from at least fifty different plants at each "
                    "site, and we never move material more than about a hundred kilometres along the coast, so each "
                    "local population keeps its own genetic mix. It costs a little more, but a forest of clones "
                    "would be a bad investment."),
                   ("H", "I'm afraid that's all we have time for. Ingrid, thank you so much for a fascinating talk, "
                    "and for coming all the way from the Arctic. Next week's seminar is on microplastics in "
                    "rivers. Please join me in thanking our speaker once more."), ("X", 5.0)]),
]
QUERIES = [  # (query, truth: a slide key, a stretch or "costs" = its first showing, type); fixed before the run
    ("let them settle on thin string wound around plastic tubes", "ropes", "said"),
    ("a patch the size of a tennis court", "trials", "said"),
    ("bare pink rock, and almost nothing else", "gone", "said"),
    ("the urchins can survive for decades on almost nothing", "barren", "said"),
    ("their roe is a delicacy in Japan", "next", "said"),
    ("who introduced the speaker", "intro", "host"),
    ("spent six winters diving under the ice", "intro", "host"),
    ("next week's seminar is on microplastics in rivers", "closing", "host"),
    ("habitat for juvenile marine animals that also calms the surf", "why", "concept"),
    ("overgrazing by spiny invertebrates once the animals that hunt them were gone", "gone", "concept"),
    ("cultivating seedlings in a lab before putting them out at sea", "ropes", "concept"),
    ("how the experimental plots turned out", "trials", "concept"),
    ("grows up to 50 cm a day", "why", "shown"),
    ("2,000 km of coast affected", "barren", "shown"),
    ("about 15,000 euros per hectare", "costs", "shown"),
    ("urchin fishery for the sushi market", "next", "shown"),
    ("the question about urchins coming back after planting", "q1", "question"),
    ("the question about funding", "q2", "question"),
    ("the question about disease when all plants come from a few parents", "q3", "question"),
    ("the salmon farms paying a levy for damage to the seabed", "q2", "answer"),
]


def fonts() -> dict:
    from PIL import ImageFont

    sizes = {"title": 56, "big": 66, "body": 40, "sub": 34, "foot": 22}
    faces = {"body": "", "sub": "", "foot": ""}  # the others bold
    return {k: ImageFont.truetype(FONT.format(faces.get(k, "-Bold")), px) for k, px in sizes.items()}


def slide_image(key: str, page: int) -> np.ndarray:
    """The deck's one template (1024x768): a teal band with the white title, teal square bullets and slate
    text; the title and "Questions?" slides put a big title under a thin band instead; footer and page."""
    from PIL import Image, ImageDraw

    title, lines = SLIDES[key]
    f = fonts()
    im = Image.new("RGB", (1024, 768), PAPER)
    d = ImageDraw.Draw(im)
    d.text((48, 722), "Nordhavn Marine Institute", font=f["foot"], fill=MUTED)
    d.text((976, 722), str(page), font=f["foot"], fill=MUTED, anchor="ra")
    d.rectangle([0, 700, 1024, 703], fill=TEAL)
    if key in ("title", "questions"):
        d.rectangle([0, 0, 1024, 40], fill=TEAL)
        d.text((64, 190 if key == "title" else 250), title, font=f["big"], fill=TEAL)
        y = 310 if key == "title" else 380
        for text in lines:
            d.text((64, y), text, font=f["sub"], fill=SLATE)
            y += 62
        return np.asarray(im).copy()
    d.rectangle([0, 0, 1024, 130], fill=TEAL)
    d.text((56, 36), title, font=f["title"], fill=(255, 255, 255))
    y = 200
    for text in lines:
        d.rectangle([60, y + 14, 76, y + 30], fill=TEAL)
        for line in independent_media_lecture.wrap(text, f["body"], 860):
            d.text((100, y), line, font=f["body"], fill=SLATE)
            y += 50
        y += 46
    return np.asarray(im).copy()


def audience(frame: np.ndarray, t: float, asking: str | None) -> None:
    """The heads in the front rows, bobbing a little; the asker's raised hand while a question is asked."""
    import cv2

    for k, (x, phase) in enumerate(HEADS):
        cx, cy = int(x + 6 * np.sin(0.4 * t + phase)), int(690 + 3 * np.sin(0.9 * t + 2 * phase))
        cv2.ellipse(frame, (cx, cy + 60), (70, 40), 0, 180, 360, (28, 26, 30), -1)
        cv2.ellipse(frame, (cx, cy), (30, 38), 0, 0, 360, (36, 32, 34), -1)
        if asking is not None and ASK_HEAD[asking] == k:
            cv2.line(frame, (cx + 34, cy + 30), (cx + 52, cy - 70), (36, 32, 34), 16)
            cv2.circle(frame, (cx + 54, cy - 80), 13, (150, 120, 104), -1)


def spoken() -> list[list]:
    """Each shot's sounds: a clip at SR per spoken line, None per applause."""
    return [[None if who == "X" else independent_lecture.speak(text, *VOICES[who]) for who, text in lines]
            for _, lines in SHOTS]


def timeline(clips: list[list]) -> list[dict]:
    """Each shot's start, end, key and page, and its sounds' [who, start, end] in seconds."""
    shots, t, pages = [], 0.0, {}
    for (key, lines), sounds in zip(SHOTS, clips):
        at, placed = t + LEAD, []
        for (who, text), clip in zip(lines, sounds):
            length = float(text) if who == "X" else len(clip) / SR
            placed.append([who, round(at, 3), round(at + length, 3)])
            at += length + PAUSE
        pages.setdefault(key, len(pages) + 1)
        shots.append({"start": round(t, 3), "end": round(at - PAUSE + GAP, 3), "key": key, "page": pages[key],
                      "sounds": placed})
        t = shots[-1]["end"]
    assert all(a["key"] != b["key"] for a, b in zip(shots, shots[1:])), "every shot is a slide change"
    return shots


def sound(clips: list[list], shots: list[dict], duration: float, rng) -> np.ndarray:
    """The mix: host and guest dry on the lectern and lapel microphones over the room's drift; the askers
    off-mic (reverberant, band-limited, quieter, over more hiss); applause with the hall's reverb; hiss."""
    placed = [(c, who, at, end) for sounds, shot in zip(clips, shots) for c, (who, at, end) in
              zip(sounds, shot["sounds"])]
    miked = [(c, at) for c, who, at, _ in placed if who in ("H", "G")]
    audio = independent_lecture.soundtrack([c for c, _ in miked], [at - LEAD for _, at in miked], duration, rng)
    loud = 0.8 * np.sqrt(np.mean(np.concatenate([c for c, _ in miked]) ** 2))
    for c, who, at, end in placed:
        i = int(at * SR)
        if who.startswith("A"):
            x = independent_seminar_lecture.asker_sound(c, ASK_LEVEL * loud, rng)
            stop = min(len(audio), int(end * SR) + SR // 2)
            audio[i:stop] += 0.004 * rng.normal(0, 1, stop - i)
        elif who == "X":
            claps, _, _ = independent_conference_talk.crowd(end - at, rng)
            x = independent_conference_talk.reverb(1.2 * loud * claps, rng, 0.6)
        else:
            continue
        x = x[:len(audio) - i]
        audio[i:i + len(x)] += x
    audio = audio + 0.003 * rng.normal(0, 1, audio.size).astype(np.float32)
    return audio * min(1.0, 0.95 / np.abs(audio).max())  # no clipping


def render(out: Path) -> dict:
    """Writes OUT/NAME, OUT/truth.json and OUT/frames/*.png (each shot's middle frame); returns the truth."""
    import av
    import cv2
    from PIL import Image

    rng = np.random.default_rng(53)
    clips = spoken()
    shots = timeline(clips)
    duration = shots[-1]["end"]
    decks = {s["key"]: slide_image(s["key"], s["page"]) for s in shots}
    warp = cv2.getPerspectiveTransform(np.float32([[0, 0], [1024, 0], [1024, 768], [0, 768]]), np.float32(WARP_TO))
    asks = [(who, at, end) for s in shots for who, at, end in s["sounds"] if who.startswith("A")]
    starts = [s["start"] for s in shots]
    (out / "frames").mkdir(exist_ok=True)
    with av.open(str(out / NAME), "w") as container:
        video, audio_stream = independent_lecture.streams(container, FPS)
        for f in range(int(duration * FPS)):
            t = f / FPS
            k = int(np.searchsorted(starts, t, side="right")) - 1
            frame = independent_lecture.camera_frame(decks[shots[k]["key"]], t, warp, rng)
            asking = next((who for who, at, end in asks if at - 0.8 <= t < end + 0.5), None)
            audience(frame, t, asking)
            if f == int((shots[k]["start"] + shots[k]["end"]) / 2 * FPS):
                Image.fromarray(frame).save(out / "frames" / f"{k:02d}_{shots[k]['key']}.png")
            for packet in video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        independent_lecture.finish(container, video, audio_stream, sound(clips, shots, duration, rng))
    truth = truth_of(shots, duration)
    (out / "truth.json").write_text(json.dumps(truth, indent=1))
    print(f"rendered {duration:.1f} s at {W}x{H}, {FPS} fps; {len(shots)} shots: " +
          ", ".join(f"{s['start']:.1f} {s['key']}" for s in shots))
    print("stretches: " + ", ".join(f"{n} {a:.1f}-{b:.1f}" for a, b, n in truth["stretches"]) +
          f"; applause {truth['applause']}; asked {truth['asked']}")
    return truth


def truth_of(shots: list[dict], duration: float) -> dict:
    sounds = [x for s in shots for x in s["sounds"]]
    first_g = next(at for who, at, _ in sounds if who == "G")
    asks = [(who, at, end) for who, at, end in sounds if who.startswith("A")]
    closing = next(at for who, at, _ in sounds if who == "H" and at > asks[-1][1])
    edges = [0.0, first_g, *[at for _, at, _ in asks], closing, duration]
    names = ["intro", "talk", "q1", "q2", "q3", "closing"]
    stretches = [[edges[i], edges[i + 1], n] for i, n in enumerate(names)]
    span = {n: (a, b) for a, b, n in stretches}
    for s in reversed(shots):
        span[s["key"]] = (s["start"], s["end"])  # the first showing wins
    again = [s for s in shots if s["key"] == "costs"][1]
    applause = [[at, end] for who, at, end in sounds if who == "X"]
    situations = {f"applause {i + 1}": [a, a, b + 1.0] for i, (a, b) in enumerate(applause)}
    situations.update({f"asking {who}": [at - 0.8, at, end + 0.5] for who, at, end in asks})
    situations["costs again"] = [again["start"], again["start"], again["end"]]
    return {"shots": shots, "duration": duration, "cuts": [s["start"] for s in shots[1:]], "stretches": stretches,
            "speech_edges": edges[1:-1], "situations": situations, "applause": applause,
            "asked": [[who, at, end] for who, at, end in asks], "costs": [list(span["costs"]),
                                                                         [again["start"], again["end"]]],
            "queries": [[q, *span[target], kind] for q, target, kind in QUERIES]}


def overlap(a: float, b: float, start: float, end: float) -> float:
    return max(0.0, min(b, end) - max(a, start))


def timed_words(index, rec, a: float, b: float) -> list[list]:
    """Whisper's words timed between a and b, as [word, start, chunk start] (chunks overlap: one copy each)."""
    from momentsearch.transcript import decode_times

    words, seen = [], set()
    for c in index.speech_in(rec.path, a - 1.0, b + 1.0):
        for w, (s, _) in zip(c.text.split(), decode_times(c.start, c.word_times, c.text)):
            if a <= s <= b and (w, round(s, 1)) not in seen:
                seen.add((w, round(s, 1)))
                words.append([w, round(s, 2), round(c.start, 2)])
    return sorted(words, key=lambda x: x[1])


def report_speech_edges(rec, truth: dict) -> None:
    """Section edges against the five speech edges alone (each found or missed), and per stretch its sections."""
    from momentsearch.evaluate import boundary_scores

    sections = [float(a) for a, _ in rec.sections[1:]]
    sc = boundary_scores(sections, truth["speech_edges"])
    print(f"section edges vs speech edges only {[round(x, 1) for x in truth['speech_edges']]}: "
          f"P {sc.precision:.2f} R {sc.recall:.2f} F1 {sc.f1:.2f} at +-1 s")
    for (_, _, name), e in zip(truth["stretches"][1:], truth["speech_edges"]):
        near = [x for x in sections if abs(x - e) <= 1.0]
        print(f"  {name} starts {e:6.1f}: {'section edge at ' + str(round(near[0], 1)) if near else 'NO EDGE'}")
    for a, b, name in truth["stretches"]:
        secs = [(round(s, 1), round(e, 1)) for s, e in rec.sections if overlap(s, e, a, b) > 1.0]
        print(f"stretch {name} {a:.1f}-{b:.1f}: {len(secs)} sections {secs}")


def report_heard(index, rec, diag: dict, truth: dict) -> None:
    """The words Whisper timed inside each off-mic question and each applause (and 1 s after it)."""
    diag["heard"] = {}
    windows = [(f"asked {who}", at, end) for who, at, end in truth["asked"]] + \
        [(f"applause {i + 1}", a, b + 1.0) for i, (a, b) in enumerate(truth["applause"])]
    for label, a, b in windows:
        words = timed_words(index, rec, a, b)
        diag["heard"][label] = {"window": [a, b], "words": words}
        print(f"{label} {a:.1f}-{b:.1f}: {len(words)} words timed in it: "
              f"{' '.join(w for w, *_ in words)[:300]!r}")
    text = " ".join(t for _, _, t in diag["transcript"]).lower()
    for probe in ("keeps the urchins away", "who actually pays", "public money", "vulnerable to disease",
                  "few parents"):
        print(f"  transcript holds {probe!r}: {probe in text}")


def report_costs(rec, diag: dict, truth: dict) -> None:
    """The costs slide's two showings: their visual segments and OCR entries; where each costs query's top 3
    lie (first showing, second showing, elsewhere)."""
    (a1, b1), (a2, b2) = truth["costs"]
    for label, a, b in (("costs shown first", a1, b1), ("costs shown again", a2, b2)):
        segs = [(round(s, 1), round(e, 1)) for s, e in rec.visual_segments if overlap(s, e, a, b) > 1.0]
        ocr = [o for o in diag["ocr"] if overlap(o[0], o[1], a, b) > 1.0]
        print(f"{label} {a:.1f}-{b:.1f}: visual segments {segs}, {len(ocr)} OCR entries")
        for s, e, text in ocr:
            print(f"    ocr entry {s:6.1f}-{e:6.1f}: {text[:160]!r}")
    for q in diag["queries"]:
        if q["query"] not in ("about 15,000 euros per hectare", "the question about funding",
                              "the salmon farms paying a levy for damage to the seabed"):
            continue
        where = []
        for m in q["results"]:
            on = "first" if overlap(m["start"], m["end"], a1, b1) > 1.0 else \
                "again" if overlap(m["start"], m["end"], a2, b2) > 1.0 else "elsewhere"
            where.append(f"{m['start']:.1f}-{m['end']:.1f} ({on})")
        print(f"costs {q['query']!r}: " + "; ".join(where))


def report_exchanges(diag: dict, truth: dict) -> None:
    """Per question / answer / host query: which stretches its top result covers, and how much of each."""
    for q in diag["queries"]:
        if q["type"] not in ("question", "answer", "host") or not q["results"]:
            continue
        m = q["results"][0]
        parts = [f"{n} {overlap(m['start'], m['end'], a, b):.0f}/{b - a:.0f} s" for a, b, n in truth["stretches"]
                 if overlap(m["start"], m["end"], a, b) > 0.5]
        print(f"{q['type']} top {m['start']:.1f}-{m['end']:.1f} covers {', '.join(parts)} | {q['query']}")


def report_ocr(diag: dict) -> None:
    for s, e, text in diag["ocr"]:
        print(f"ocr entry {s:6.1f}-{e:6.1f}: {text[:140]!r}")


def evaluate(out: Path, truth: dict, reuse: bool) -> None:
    index = independent_code_lecture.indexed(out, NAME, reuse)
    rec = index.videos()[0]
    independent_media_lecture.score_cuts(rec, index, truth)
    report_speech_edges(rec, truth)
    diag = independent_code_lecture.diagnostics(index, rec)
    report_ocr(diag)
    report_heard(index, rec, diag, truth)
    independent_code_lecture.run_queries(index, truth["queries"], diag)
    report_costs(rec, diag, truth)
    report_exchanges(diag, truth)
    (out / "diagnostics.json").write_text(json.dumps(diag, indent=1, default=str))


def main() -> int:
    return independent_code_lecture.run_probe(__doc__, "/tmp/guest", render, evaluate)


if __name__ == "__main__":
    sys.exit(main())
