#!/usr/bin/env python3
"""One picture, many topics: two lectures whose picture says little about where a topic starts, rendered
without momentsearch.testing, indexed together in ONE index and searched: a check on a kind of real upload
nothing was tuned on. Only speech can say where a topic changes.

  still.mp4       an audio recording published under one title card (a plain plum background, the course,
                  the lecture's title, the lecturer's name, a small drawn logo) for all of its ~5.5 min:
                  music theory in 8 topics of uneven length (about 20-60 s), espeak-ng en-gb-x-rp+f2 at 140 wpm
  fewslides.mp4   nutrition in 8 topics under 4 slides of one template (a teal title bar, four bullets),
                  each slide up over two topics and naming both topics' key terms (so 3 of the 7 topic
                  changes come with a slide change and 4 do not), espeak-ng en-us-nyc+m4 at 140 wpm

Both at 1280x720 and 5 fps (a still picture needs no more), over low room noise and hiss. Speech: every
sentence is its own espeak-ng clip (silence trimmed) and every pause between two sentences is drawn from ONE
distribution (uniform 0.35-1.5 s), at a topic change or inside a topic alike. 4 of the 7 topic changes of
each video open with a cue ("Next, ...", "Now, ...", "Let's turn to ...", "Finally, ..."), the other 3 just
start on the new thing. One topic of each video holds a two-sentence aside that then returns to the topic
with a cue-like sentence ("Anyway, back to the circle.", "Right, back to fats."): still.mp4 a story from the
lecturer's student days (near the topic), fewslides.mp4 an exam announcement (off the subject).

Decisions, fixed before any result was seen. A topic's window runs from the start of its first sentence's
audio to the start of the next topic's first sentence (the last topic: to the video's end; the first topic
starts at its first word, 1 s in). The true topic changes are the starts of topics 2-8 of each video. The
true picture cuts are fewslides.mp4's 3 slide changes, each placed in the middle of the pause before the
first sentence of topics 3, 5 and 7 (so within 0.75 s of the topic change); still.mp4 has none (any cut is a
false alarm). The asides are inside their topics: a section edge there is a false alarm. Section starts
(`FileRecord.sections[1:]`, as scripts/make_benchmark.py's `section_starts`) are scored per video against
all 7 true topic changes at +-1 s and +-3 s; for fewslides.mp4 also against its 4 speech-only changes with
the slide changes neutral (make_benchmark's "topics" score). Queries, written with the narration before
the first run and not changed after: per topic a *said* one (4-7 consecutive spoken words) and a *concept*
one (a paraphrase sharing no content word with its topic's speech; checked when rendering); for
fewslides.mp4 one *shown* per slide (words only on the slide, never spoken; truth: the topic its bullet
belongs to). Truth is the topic window; a hit is a top result in the right video with IoU >= 0.5 (also
reported at 0.7); a top result in the right video that overlaps the window with IoU < 0.5 is "too long"
or "too short" (longer or shorter than the window).

    python3 scripts/independent_audio_lecture.py [--out /tmp/audiolec] [--reuse]

Prints per video the cuts and section starts against the truth, each missed topic change with the speech
around it and the topic score there (`pipeline/segment.topic_scores`, recomputed from the sentences and
vectors indexing handed to `topic_boundaries`, with `one_topic_span`'s limit per stretch), each false-alarm
section edge with its score and what was said there, each query's hit or miss with its top 3 and channel
scores, R1@0.5 and R1@0.7 per video and type, too-long / too-short counts, and the run time; writes
OUT/diagnostics.json and OUT/topic_scores.json. `--reuse` scores what OUT holds. Deterministic (fixed
seeds). Two short lectures in one index: a probe, not a benchmark.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
import independent_code_lecture  # noqa: E402 (its diagnostics and command line)
import independent_lecture  # noqa: E402 (its espeak-ng reader, soundtrack and encoder)

W, H, FPS, SR = 1280, 720, 5, 16000
LEAD_IN, TAIL, PAUSES = 1.0, 2.0, (0.35, 1.5)  # seconds: before the first word; after the last; a pause's range
TOLERANCES = (1.0, 3.0)
SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SANS_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
SERIF_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"

STILL = {"name": "still.mp4", "voice": ("en-gb-x-rp+f2", 140), "seed": 41, "topics": [  # (title, sentences)
    ("intervals", "Good morning, and welcome to the fifth lecture. We begin with intervals, the distance between "
     "two pitches. On a piano keyboard the smallest step is a half step, from one key to the very next key, black "
     "or white. Two half steps make a whole step. We name an interval by counting letter names, so from C up to E "
     "is a third, and from C up to G is a fifth. The quality, such as major or minor, tells us the exact number of "
     "half steps inside it."),
    ("major scale", "The major scale is built from a fixed pattern of whole and half steps. Whole, whole, half, "
     "whole, whole, whole, half. Start that pattern on any note and you get the familiar do re mi sound that "
     "children learn in school. On the piano, the C major scale uses only the white keys."),
    ("triads", "Next, let us stack notes on top of each other. A triad is a chord of three notes, built by piling "
     "one third on another. The bottom note is the root and gives the chord its name. If the lower third is major "
     "and the upper one minor, the chord sounds bright and stable: a major triad. Swap them and you get the darker "
     "minor triad. Shrink both to minor thirds and you get the diminished triad, which sounds tense and wants to "
     "move somewhere else. Almost every pop song you know uses only a handful of these three note chords."),
    ("circle of fifths", "Now, how do musicians keep track of all the keys? They use the circle of fifths. Arrange "
     "the twelve keys in a ring, each one a fifth above the last, starting from C at the top. Every step clockwise "
     "adds one sharp to the key signature: G has one sharp, D has two, A has three. Going the other way adds flats "
     "instead. A quick story from my own student days. I once had to write out every key signature from memory in "
     "an exam, and I drew the whole ring in the margin before I answered a single question. Anyway, back to the "
     "circle. Keys that sit next to each other on it share all but one note, which is why music moves so easily "
     "between neighbours. Keys on opposite sides share very little and sound far apart."),
    ("cadences", "Every phrase in music has to end somewhere, and the chords that end it are called a cadence. The "
     "strongest ending moves from the chord on the fifth degree to the chord on the first, and it sounds like a full "
     "stop. Moving from the fourth degree to the first gives the softer amen ending heard at the close of hymns. "
     "When the music sets up that full stop and then lands on an unexpected minor chord instead, we call it a "
     "deceptive cadence, and composers use it to keep a piece going."),
    ("rhythm and meter", "Let's turn to time. Rhythm is the pattern of long and short sounds, and meter is the "
     "regular pulse underneath it. The time signature at the start of a piece gives two numbers. The top one says "
     "how many beats are in each bar, and the bottom one says which kind of note gets one beat. Four four time, "
     "the most common, has four quarter note beats per bar, while a waltz has three. Stress normally falls on the "
     "first beat of each bar. When a melody puts its accents on the weak beats instead, or between them, we call "
     "that syncopation, and it is the heart of jazz, funk and a great deal of Latin dance music."),
    ("modulation", "Sometimes a piece changes key in the middle. Usually the composer finds a pivot chord that "
     "belongs to both the old key and the new one, and slips through it so smoothly that the listener barely "
     "notices. The effect is like turning a corner onto a new street. Modulating up by one step near the end of a "
     "song is an old trick for a final lift."),
    ("form", "Finally, we zoom out to the shape of a whole piece, which is called its form. Musicians label "
     "sections with letters. Binary form has two parts, A and then B. Ternary form returns home at the end, A B A, "
     "like a sandwich. Rondo keeps coming back to the main tune between contrasting episodes: A B A C A. And the "
     "large sonata form of the classical period presents two themes, develops them, and then recapitulates them in "
     "the home key. For next week, listen to one symphony movement and try to map its form on paper."),
], "queries": [  # (query, topic number 1-8, type); written with the narration, not changed after the first run
    ("we name an interval by counting", 1, "said"), ("measuring the gap separating a pair of tones", 1, "concept"),
    ("the familiar do re mi sound", 2, "said"), ("seven-tone ladder underlying most Western melodies", 2, "concept"),
    ("a chord of three notes", 3, "said"), ("basic harmonies whose flavour can be happy, gloomy or restless", 3,
                                            "concept"),
    ("every step clockwise adds one sharp", 4, "said"), ("a wheel chart relating tonalities and their accidentals",
                                                         4, "concept"),
    ("we call it a deceptive cadence", 5, "said"), ("harmonic formulas that conclude a melodic sentence", 5,
                                                    "concept"),
    ("the heart of jazz, funk", 6, "said"), ("grouping the steady throb of a song and shifting emphasis off it", 6,
                                             "concept"),
    ("finds a pivot chord that belongs", 7, "said"), ("switching tonality partway through a work", 7, "concept"),
    ("ternary form returns home at the end", 8, "said"), ("the overall architecture of a work, with recurring blocks",
                                                          8, "concept"),
]}

FEW = {"name": "fewslides.mp4", "voice": ("en-us-nyc+m4", 140), "seed": 43, "topics": [
    ("energy", "Welcome back. Today is about what food actually gives us, starting with energy. Food energy is "
     "measured in kilocalories, the amount of heat needed to warm a litre of water by one degree. Your body spends "
     "most of its daily energy just keeping you alive: breathing, pumping blood and holding a steady temperature. "
     "Physical activity adds the rest, and digesting the food itself costs a little too. If you take in more than "
     "you spend, the surplus is stored, mostly as body fat."),
    ("carbohydrates", "Carbohydrates are the body's preferred fuel. The simplest are sugars such as glucose and "
     "fructose, which are absorbed within minutes. Starches, found in bread, rice and potatoes, are long chains of "
     "glucose that the gut has to break down first. Fibre is a carbohydrate we cannot digest at all, yet it feeds "
     "the bacteria in the large intestine and keeps us regular. Foods that release glucose slowly keep blood sugar "
     "steady, while white bread and sweets make it spike and then crash. That crash is one reason a sugary "
     "breakfast can leave you hungry again by mid morning. Most guidelines suggest that about half of our energy "
     "should come from carbohydrates, preferably whole grains."),
    ("protein", "Now, protein. Proteins are built from amino acids, and some of these our bodies cannot make, so "
     "they must come from the diet. Animal foods like eggs, meat and milk contain all of them in good proportions. "
     "Most plant foods lack one or another, but beans eaten with grains cover each other's gaps. An adult needs "
     "roughly nought point eight grams per kilogram of body weight each day."),
    ("fats", "Let's talk about fat, which has a bad reputation that it only partly deserves. Fat carries flavour, "
     "helps us absorb several vitamins, and is the most concentrated energy source, with more than twice the "
     "energy of sugar per gram. Fats that are solid at room temperature, like butter and the fat on meat, tend to "
     "raise cholesterol in the blood. A quick word about the exam: it will be held in the main hall, not in this "
     "room. Please bring your student card with you. Right, back to fats. Fats that stay liquid, such as olive "
     "oil, do the opposite. The worst kind is made industrially by hardening vegetable oils, and many countries "
     "have now banned it. A special group of liquid fats from oily fish and some seeds helps the heart and the "
     "brain, and most people eat too little of it."),
    ("vitamins", "Vitamins are small molecules we need in tiny amounts, and they fall into two families. Four of "
     "them dissolve in fat, so the body can store them in the liver and in fatty tissue, and taking too much in "
     "pills can actually be harmful. The others dissolve in water, are flushed out in urine, and have to be eaten "
     "almost every day. Sailors on long voyages once lost their teeth for lack of fresh fruit, and children who "
     "saw little sun grew bent bones."),
    ("minerals", "Turning to minerals, these are the elements our food contains. Calcium builds bones and teeth, "
     "and iron carries oxygen in the blood. The iron in meat is absorbed far better than the iron in spinach, "
     "although vitamin C in the same meal helps. Too little iron leaves people tired and pale, and it is the most "
     "common deficiency in the world."),
    ("water", "Next, water, which we often forget to count as a nutrient. Adults lose a couple of litres a day "
     "through breath, sweat and urine. Thirst is a reliable guide for most healthy people, but older adults feel "
     "it less. After long exercise in the heat, plain water is not enough, and the salts lost in sweat need "
     "replacing too."),
    ("food labels", "The packet in the supermarket tells you most of what we discussed today, if you know how to "
     "read it. The ingredients are listed in order of weight, so if sugar comes first, the product is mostly "
     "sugar. The nutrition table gives the energy, fat, carbohydrate, protein and salt content. Always check "
     "whether the numbers refer to the whole pack or to a single portion, because manufacturers often choose a "
     "portion far smaller than anyone really eats. Some countries also print coloured symbols on the front to "
     "show at a glance whether a food is high in fat, sugar or salt. Thank you, and see you next week."),
], "slides": [  # (title, [(bullet, topic number)]); each slide is up over two topics
    ("Energy and Carbohydrates", [("Energy balance: intake vs. expenditure", 1), ("Harris-Benedict equation", 1),
                                  ("Carbohydrates: sugars, starch, fibre", 2), ("Glycaemic index of foods", 2)]),
    ("Protein and Fat", [("Protein: 20 amino acids, 9 essential", 3), ("Complete vs. incomplete proteins", 3),
                         ("Fats: saturated, unsaturated, trans", 4), ("Omega-3: salmon, walnuts, flaxseed", 4)]),
    ("Vitamins and Minerals", [("Fat-soluble A, D, E, K; water-soluble B, C", 5),
                               ("Scurvy, rickets, night blindness", 5), ("Iron, calcium, zinc, iodine", 6),
                               ("Heme vs. non-heme iron", 6)]),
    ("Water and Food Labels", [("Fluids: about 2 litres a day", 7), ("Electrolytes: sodium, potassium", 7),
                               ("Per 100 g vs. per serving", 8), ("Traffic-light front-of-pack labels", 8)]),
], "queries": [
    ("the amount of heat needed to warm", 1, "said"), ("the fuel we burn while idle versus moving", 1, "concept"),
    ("Harris-Benedict equation", 1, "shown"),
    ("fibre is a carbohydrate we cannot digest", 2, "said"), ("saccharides and the speed of their uptake", 2,
                                                              "concept"),
    ("some of these our bodies cannot make", 3, "said"),
    ("the building blocks of muscle tissue and which sources supply them all", 3, "concept"),
    ("more than twice the energy of sugar", 4, "said"), ("lipids in cooking and their effect on arteries", 4,
                                                         "concept"),
    ("salmon walnuts flaxseed", 4, "shown"),
    ("we need in tiny amounts", 5, "said"), ("micronutrient groups and what happens when you go without them", 5,
                                             "concept"),
    ("scurvy rickets night blindness", 5, "shown"),
    ("iron carries oxygen in the blood", 6, "said"), ("inorganic nutrients and how well the gut takes them up", 6,
                                                      "concept"),
    ("thirst is a reliable guide", 7, "said"), ("staying hydrated and topping up electrolytes after sports", 7,
                                                "concept"),
    ("ingredients are listed in order of weight", 8, "said"), ("decoding the information on grocery packaging", 8,
                                                               "concept"),
    ("traffic-light labels", 8, "shown"),
]}
VIDEOS = (STILL, FEW)
STOP = set("""a an the of to in on and or for with by at from as is are be it its their them they we you our your
    how what which that this these those when while whose can most all off up down into over versus vs through
    after""".split())


def split_sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.?!])\s+", text.strip()) if s]


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def shared_content(query: str, text: str) -> set[str]:
    """Content words of `query` that `text` holds too (the same first 5 letters count as the same word)."""
    said = {w[:5] for w in words(text) if w not in STOP}
    return {w for w in words(query) if w not in STOP and w[:5] in said}


def check_queries(video: dict) -> None:
    """Said: its words stand in its topic's speech in that order; concept: no content word shared with the
    topic's speech; shown: none of its content words spoken anywhere in the video."""
    everything = " ".join(text for _, text in video["topics"])
    for query, topic, kind in video["queries"]:
        text = video["topics"][topic - 1][1]
        if kind == "said":
            assert " ".join(words(query)) in " ".join(words(text)), query
            assert 4 <= len(words(query)) <= 7, query
        elif kind == "concept":
            assert not shared_content(query, text), (query, shared_content(query, text))
        else:
            bullet = [b for _, bullets in video["slides"] for b, t in bullets if set(words(query)) <= set(words(b))]
            assert bullet and topic == next(t for _, bs in video["slides"] for b, t in bs if b == bullet[0]), query
            assert not shared_content(query, everything), (query, shared_content(query, everything))


def trimmed(clip: np.ndarray) -> np.ndarray:
    """espeak-ng's clip without its leading and trailing silence (10 ms kept each side)."""
    loud = np.flatnonzero(np.abs(clip) > 0.02 * np.abs(clip).max())
    return clip[max(0, loud[0] - SR // 100):loud[-1] + SR // 100]


def timeline(video: dict, rng) -> tuple[list[np.ndarray], list[dict]]:
    """The clips and, per sentence, its topic (1-8), start, end and text; every pause drawn from PAUSES."""
    voice, rate = video["voice"]
    clips, placed, t = [], [], LEAD_IN
    for k, (_, text) in enumerate(video["topics"], 1):
        for sentence in split_sentences(text):
            clip = trimmed(independent_lecture.speak(sentence, voice, rate))
            if placed:
                t += rng.uniform(*PAUSES)
            clips.append(clip)
            placed.append({"topic": k, "start": round(t, 3), "end": round(t + len(clip) / SR, 3), "text": sentence})
            t += len(clip) / SR
    return clips, placed


def title_card() -> np.ndarray:
    """still.mp4's one picture: plum background, course, title, lecturer, a small drawn logo (a note on a staff)."""
    from PIL import Image, ImageDraw, ImageFont

    im = Image.new("RGB", (W, H), (74, 36, 78))
    d = ImageDraw.Draw(im)
    d.rectangle([0, H - 90, W, H], fill=(56, 26, 60))
    for k in range(5):  # the logo: five staff lines, a filled note head with its stem
        d.line([100, 110 + 12 * k, 220, 110 + 12 * k], fill=(236, 214, 160), width=2)
    d.ellipse([140, 140, 166, 160], fill=(236, 214, 160))
    d.line([164, 150, 164, 92], fill=(236, 214, 160), width=4)
    d.text((250, 100), "MUS 110  Foundations of Music Theory", font=ImageFont.truetype(SANS, 34),
           fill=(236, 214, 160))
    d.text((100, 250), "Lecture 5", font=ImageFont.truetype(SANS, 40), fill=(220, 210, 226))
    d.text((100, 310), "Harmony, Rhythm and Form", font=ImageFont.truetype(SERIF_BOLD, 70), fill=(255, 255, 255))
    d.text((100, 450), "Prof. Elena Marsh", font=ImageFont.truetype(SANS_BOLD, 38), fill=(236, 214, 160))
    d.text((100, H - 62), "Audio recording  ·  Autumn term  ·  School of Music", font=ImageFont.truetype(SANS, 26),
           fill=(200, 186, 206))
    return np.asarray(im).copy()


def slide_image(k: int) -> np.ndarray:
    """fewslides.mp4's template: a teal title bar, four bullets, a footer with the course and page number."""
    from PIL import Image, ImageDraw, ImageFont

    title, bullets = FEW["slides"][k]
    im = Image.new("RGB", (W, H), (250, 250, 246))
    d = ImageDraw.Draw(im)
    d.rectangle([0, 0, W, 120], fill=(0, 110, 112))
    d.text((60, 30), title, font=ImageFont.truetype(SANS_BOLD, 54), fill=(255, 255, 255))
    body = ImageFont.truetype(SANS, 40)
    for i, (text, _) in enumerate(bullets):
        y = 190 + 110 * i
        d.ellipse([66, y + 14, 84, y + 32], fill=(0, 110, 112))
        d.text((110, y), text, font=body, fill=(30, 34, 40))
    d.line([60, H - 60, W - 60, H - 60], fill=(190, 196, 196), width=2)
    foot = ImageFont.truetype(SANS, 22)
    d.text((60, H - 48), "NUTR 101  Introduction to Human Nutrition  ·  Lecture 3", font=foot, fill=(110, 116, 120))
    d.text((W - 100, H - 48), f"{k + 1} / 4", font=foot, fill=(110, 116, 120))
    return np.asarray(im).copy()


def truth_of(video: dict, placed: list[dict], duration: float) -> dict:
    firsts = [next(s for s in placed if s["topic"] == k) for k in range(1, len(video["topics"]) + 1)]
    starts = [s["start"] for s in firsts]
    ends = starts[1:] + [round(duration, 3)]
    topics = [[a, b, title] for a, b, (title, _) in zip(starts, ends, video["topics"])]
    cuts = []
    if "slides" in video:
        before = {s["topic"]: placed[i - 1] for i, s in enumerate(placed) if i and s["topic"] != placed[i - 1]["topic"]}
        cuts = [round((before[k]["end"] + starts[k - 1]) / 2, 3) for k in (3, 5, 7)]
    queries = [[q, video["name"], *topics[k - 1][:2], kind, k] for q, k, kind in video["queries"]]
    return {"name": video["name"], "duration": round(duration, 3), "topics": topics, "changes": starts[1:],
            "cuts": cuts, "sentences": placed, "queries": queries}


def render_video(out: Path, video: dict) -> dict:
    """Writes OUT/<name> (one picture, or the 4 slides changing at the truth's cuts); returns its truth."""
    import av

    check_queries(video)
    rng = np.random.default_rng(video["seed"])
    clips, placed = timeline(video, rng)
    duration = placed[-1]["end"] + TAIL
    truth = truth_of(video, placed, duration)
    pictures = [slide_image(k) for k in range(4)] if "slides" in video else [title_card()]
    with av.open(str(out / video["name"]), "w") as container:
        stream, sound = independent_lecture.streams(container, FPS)
        for f in range(int(duration * FPS)):
            k = int(np.searchsorted(truth["cuts"], f / FPS, side="right"))
            for packet in stream.encode(av.VideoFrame.from_ndarray(pictures[k], format="rgb24")):
                container.mux(packet)
        lead = independent_lecture.LEAD  # soundtrack() places each clip this long after the start it is given
        audio = independent_lecture.soundtrack(clips, [s["start"] - lead for s in placed], duration, rng)
        independent_lecture.finish(container, stream, sound, audio + 0.003 * rng.normal(0, 1, audio.size))
    for k, picture in enumerate(pictures):
        from PIL import Image
        Image.fromarray(picture).save(out / f"{Path(video['name']).stem}_{k}.png")
    return truth


def pause_report(truth: dict) -> str:
    s = truth["sentences"]
    gaps = [(b["start"] - a["end"], a["topic"] != b["topic"]) for a, b in zip(s, s[1:])]
    at = [g for g, change in gaps if change]
    inside = [g for g, change in gaps if not change]
    return (f"pauses at topic changes {np.mean(at):.2f} s (n {len(at)}, {min(at):.2f}-{max(at):.2f}), "
            f"inside topics {np.mean(inside):.2f} s (n {len(inside)}, {min(inside):.2f}-{max(inside):.2f})")


def render(out: Path) -> dict:
    """Writes both videos and OUT/truth.json; returns the truth ({"videos": [...], "queries": [...]})."""
    videos = [render_video(out, v) for v in VIDEOS]
    for v in videos:
        print(f"rendered {v['name']}: {v['duration']:.1f} s at {W}x{H}, {FPS} fps; topics " +
              ", ".join(f"{a:.1f}-{b:.1f} ({b - a:.0f} s) {n}" for a, b, n in v["topics"]) +
              (f"; slide changes {v['cuts']}" if v["cuts"] else ""))
        print(f"  {pause_report(v)}")
    truth = {"videos": videos, "queries": [q for v in videos for q in v["queries"]]}
    (out / "truth.json").write_text(json.dumps(truth, indent=1))
    return truth


def topic_record(units, vectors, cuts, duration, options, found) -> dict:
    """What `topic_boundaries` saw for one video: per gap between sentences its time, topic score, pause, cue
    and the words either side; the stretches between slide changes with `one_topic_span`'s limit."""
    from momentsearch.pipeline import segment

    times, scores = segment.topic_scores(units, vectors, options.topic_window, cuts=cuts, cue_share=options.cue_share)
    pauses = segment._pauses(units)
    text = [" ".join(w.word.strip() for w in u) for u in units]
    edges = [0.0] + sorted(c for c in cuts if 0 < c < duration) + [max(duration, float(times[-1]) if times.size else 0)]
    return {"duration": duration, "cuts": list(cuts), "found": list(found), "edges": edges,
            "units": [[[w.start, w.end, w.word] for w in u] for u in units], "vectors": np.asarray(vectors).tolist(),
            "one_topic_span": segment.one_topic_span(edges, options.one_topic),
            "options": {k: getattr(options, k) for k in ("topic_depth", "cue_share", "topic_window", "min_section",
                                                         "one_topic")},
            "gaps": [{"time": float(t), "score": float(s) if np.isfinite(s) else None, "pause": float(p),
                      "cue": segment.opens_topic(units[i + 1]), "before": text[i][-70:], "after": text[i + 1][:70]}
                     for i, (t, s, p) in enumerate(zip(times, scores, pauses))]}


def indexed(out: Path, names: list[str], reuse: bool) -> tuple:
    """The probe's index in OUT/db (both videos indexed afresh, or as it is with `reuse`) and what
    `topic_boundaries` saw per video (recorded while indexing into OUT/topic_scores.json)."""
    from momentsearch.api import MomentIndex
    from momentsearch.pipeline import process

    if not reuse:
        shutil.rmtree(out / "db", ignore_errors=True)
    index = MomentIndex(out / "db")
    if not reuse:
        seen, original = [], process.topic_boundaries

        def recording(units, vectors, cuts, duration, options=None):
            found = original(units, vectors, cuts, duration, options)
            seen.append(topic_record(units, vectors, cuts, duration, options, found))
            return found
        process.topic_boundaries = recording
        t0 = time.time()
        try:
            index.index([str(out / n) for n in names])
        finally:
            process.topic_boundaries = original
        print(f"indexed in {time.time() - t0:.0f} s")
        (out / "topic_scores.json").write_text(json.dumps(seen, indent=1))
    seen = json.loads((out / "topic_scores.json").read_text()) if (out / "topic_scores.json").exists() else []
    return index, seen


def stretch_of(t: float, rec: dict) -> tuple[float, float]:
    e = rec["edges"]
    k = max(0, min(len(e) - 2, int(np.searchsorted(e, t, side="right")) - 1))
    return e[k], e[k + 1]


def gap_line(g: dict) -> str:
    score = "crossed by a slide change" if g["score"] is None else f"score {g['score']:.2f}"
    return (f"gap {g['time']:6.1f} {score} pause {g['pause']:.2f}{' CUE' if g['cue'] else ''}: "
            f"...{g['before'][-45:]!r} | {g['after'][:45]!r}...")


def explain_edge(t: float, v: dict, rec: dict | None, label: str) -> None:
    """The speech either side of a true change (or a false-alarm edge) and the topic scores near it."""
    s = v["sentences"]
    i = int(np.searchsorted([x["start"] for x in s], t - 0.05))  # the first sentence starting at or after t
    print(f"  {label} {t:6.1f}: said ...{s[i - 1]['text'][-60:]!r} | {s[i]['text'][:60]!r}..." if 0 < i < len(s)
          else f"  {label} {t:6.1f}")
    if not rec:
        return
    lo, hi = stretch_of(t, rec)
    o = rec["options"]
    ok = hi - lo >= 2 * o["min_section"] and hi - lo > rec["one_topic_span"]
    inside = [g for g in rec["gaps"] if lo + o["min_section"] < g["time"] < hi - o["min_section"]
              and g["score"] is not None]
    best = sorted(inside, key=lambda g: -g["score"])[:3]
    print(f"    stretch {lo:.1f}-{hi:.1f} ({hi - lo:.0f} s; one-topic limit {rec['one_topic_span']:.0f} s): "
          f"{'searched' if ok else 'NOT searched (one topic by rule)'}; its best gaps " +
          ", ".join(f"{g['time']:.1f} ({g['score']:.2f})" for g in best))
    for g in sorted(rec["gaps"], key=lambda g: abs(g["time"] - t))[:2]:
        print(f"    {gap_line(g)}")


WHAT_IF = {"one_topic 0 (no one-topic-per-slide rule)": {"one_topic": 0.0},
           "one_topic 0, topic_window 4": {"one_topic": 0.0, "topic_window": 4},
           "one_topic 0, topic_depth 0.7": {"one_topic": 0.0, "topic_depth": 0.7}}


def what_if(v: dict, rec: dict, speech_only: list[float]) -> None:
    """`topic_boundaries` run again on the sentences and vectors indexing gave it, with other chunk options
    (a diagnosis: which rule keeps the true changes out; nothing in the index changes)."""
    from dataclasses import replace

    from momentsearch.evaluate import boundary_scores
    from momentsearch.options import ChunkOptions
    from momentsearch.pipeline.segment import topic_boundaries
    from momentsearch.types import Word

    units = [[Word(a, b, w) for a, b, w in u] for u in rec["units"]]
    base = ChunkOptions(**rec["options"])
    for label, change in WHAT_IF.items():
        options = replace(base, **change)
        found = topic_boundaries(units, np.asarray(rec["vectors"]), rec["cuts"], rec["duration"], options)
        edges = sorted(found + list(rec["cuts"]))
        parts = []
        for tol in TOLERANCES:
            a = boundary_scores(edges, v["changes"], tol)
            parts.append(f"+-{tol:.0f} s: all P {a.precision:.2f} R {a.recall:.2f} F1 {a.f1:.2f}")
            if v["cuts"]:
                b = boundary_scores(edges, speech_only, tol, optional=v["cuts"])
                parts[-1] += f", speech-only P {b.precision:.2f} R {b.recall:.2f}"
        print(f"  what if {label}: speech edges {[round(x, 1) for x in found]}; " + "; ".join(parts))


def score_edges(index, rec, v: dict, seen: dict | None) -> dict:
    """Cuts and section starts of one video against its truth; each missed change and false alarm explained."""
    from momentsearch.evaluate import boundary_scores, detected_boundaries

    cuts = detected_boundaries(index)[rec.path]
    sc = boundary_scores(cuts, v["cuts"])
    print(f"{v['name']}: picture cuts found {[round(x, 1) for x in cuts]} vs true {v['cuts']}: "
          f"P {sc.precision:.2f} R {sc.recall:.2f} F1 {sc.f1:.2f} (tp {sc.tp} fp {sc.fp} fn {sc.fn}) at +-1 s")
    starts = [float(a) for a, _ in rec.sections[1:]]
    print(f"  section starts {[round(x, 1) for x in starts]} vs true topic changes {v['changes']}")
    out = {"cuts": cuts, "sections": starts, "scores": {}}
    speech_only = [c for c in v["changes"] if all(abs(c - x) > 1.0 for x in v["cuts"])]
    for tol in TOLERANCES:
        rows = [("all changes", boundary_scores(starts, v["changes"], tol))]
        if v["cuts"]:
            rows.append(("speech-only changes (slide changes neutral)",
                         boundary_scores(starts, speech_only, tol, optional=v["cuts"])))
        for label, s in rows:
            print(f"  sections vs {label} at +-{tol:.0f} s: P {s.precision:.2f} R {s.recall:.2f} F1 {s.f1:.2f} "
                  f"(tp {s.tp} fp {s.fp} fn {s.fn})")
            out["scores"][f"{label} +-{tol:.0f}"] = [s.precision, s.recall, s.f1]
    if seen:
        what_if(v, seen, speech_only)
    for c in v["changes"]:
        near = [x for x in starts if abs(x - c) <= TOLERANCES[1]]
        if near and abs(near[0] - c) <= TOLERANCES[0]:
            continue
        explain_edge(c, v, seen, f"{'LATE/EARLY edge at ' + str(round(near[0], 1)) + ' for' if near else 'MISSED'}"
                                 f" change{' (slide change)' if c not in speech_only else ''}")
    for x in starts:
        if all(abs(x - c) > TOLERANCES[1] for c in v["changes"]):
            topic = next(k for k, (a, b, _) in enumerate(v["topics"], 1) if a <= x < b or k == len(v["topics"]))
            origin = "speech topic score" if seen and any(abs(x - f) < 0.05 for f in seen["found"]) else \
                "not from topic_boundaries: a change of voice (pipeline/voices.py) or a picture cut"
            explain_edge(x, v, seen, f"FALSE ALARM edge in topic {topic} ({origin})")
    return out


def topic_at(t: float, v: dict) -> int:
    return next((k for k, (a, b, _) in enumerate(v["topics"], 1) if a <= t < b), 0)


def judge(top, name: str, start: float, end: float, by_name: dict) -> tuple[float, str]:
    """(IoU, how the top result lies): right / wrong video, or in the right video: which topic its middle
    is in, and too long or too short when it overlaps the window with IoU < 0.5."""
    from momentsearch.ranking.fusion import iou as span_iou

    if top is None:
        return 0.0, "nothing"
    if Path(top.video).name != name:
        other = Path(top.video).name
        return 0.0, f"WRONG VIDEO {other} (topic {topic_at((top.start + top.end) / 2, by_name[other])})"
    iou = float(span_iou(top.start, top.end, start, end))
    where = f"middle in topic {topic_at((top.start + top.end) / 2, by_name[name])}"
    if iou < 0.5 and min(top.end, end) > max(top.start, start):
        where += " TOO LONG" if top.end - top.start > end - start else " TOO SHORT"
    return iou, where


def run_queries(index, truth: dict, diag: dict) -> None:
    """Each query's top 3; hit at IoU 0.5 and 0.7 (right video only); R1 per video and type; the shapes."""
    by_name = {v["name"]: v for v in truth["videos"]}
    table: dict[tuple, list] = {}
    for query, name, start, end, kind, topic in truth["queries"]:
        results = index.search(query, k=3)
        top = results[0] if results else None
        iou, where = judge(top, name, start, end, by_name)
        table.setdefault((name, kind), []).append((iou >= 0.5, iou >= 0.7, where))
        span = f"{top.start:6.1f}-{top.end:6.1f}" if top else "nothing"
        chans = " ".join(f"{c}={x:.2f}" for c, x in sorted(top.channels.items())) if top else ""
        print(f"{name[:5]} {kind:7s} {'hit ' if iou >= 0.5 else 'MISS'} IoU {iou:.2f} truth topic {topic} "
              f"{start:6.1f}-{end:6.1f} top {span} score {top.score if top else 0:.2f} [{chans}] {where} | {query}")
        if iou < 0.5:
            for r, m in enumerate(results[1:], 2):
                print(f"      #{r} {Path(m.video).name[:5]} {m.start:6.1f}-{m.end:6.1f} score {m.score:.2f} "
                      + " ".join(f"{c}={x:.2f}" for c, x in sorted(m.channels.items())))
        diag["queries"].append({"query": query, "video": name, "type": kind, "topic": topic, "truth": [start, end],
                                "iou": iou, "where": where, "results": [m.to_json() for m in results]})
    for name in by_name:
        rows = {k: r for (n, k), r in table.items() if n == name}
        every = [x for r in rows.values() for x in r]
        shapes = [w.split()[-2] + " " + w.split()[-1] for _, _, w in every if w.endswith(("LONG", "SHORT"))]
        print(f"{name}: R1@0.5 {sum(x[0] for x in every)}/{len(every)}, R1@0.7 {sum(x[1] for x in every)}/"
              f"{len(every)}; " + ", ".join(f"{k} {sum(x[0] for x in r)}/{len(r)} (@0.7 {sum(x[1] for x in r)})"
                                            for k, r in rows.items()) +
              f"; right video but IoU < 0.5 while overlapping: {len(shapes)} ({', '.join(shapes) or '-'})")


def evaluate(out: Path, truth: dict, reuse: bool) -> None:
    names = [v["name"] for v in truth["videos"]]
    index, seen = indexed(out, names, reuse)
    records = {Path(r.path).name: r for r in index.videos()}
    diag: dict = {"videos": {}, "queries": [],
                  "topic_scores": [{k: x for k, x in r.items() if k not in ("units", "vectors")} for r in seen]}
    for v in truth["videos"]:
        rec = records[v["name"]]
        mine = min(seen, key=lambda s: abs(s["duration"] - rec.duration), default=None)
        diag["videos"][v["name"]] = {**independent_code_lecture.diagnostics(index, rec),
                                     "edges": score_edges(index, rec, v, mine)}
        del diag["videos"][v["name"]]["queries"]
    run_queries(index, truth, diag)
    (out / "diagnostics.json").write_text(json.dumps(diag, indent=1, default=str))


def main() -> int:
    return independent_code_lecture.run_probe(__doc__, "/tmp/audiolec", render, evaluate)


if __name__ == "__main__":
    sys.exit(main())
