#!/usr/bin/env python3
"""A screen recording of a deck presented from PowerPoint / Keynote with its transitions and presenter tools, as
instructors record it, rendered without momentsearch.testing, indexed and searched: a check on a kind of real
recording nothing was tuned on. 1280x720 at 10 fps, the slideshow full screen: 17 slides of ONE template no other
probe uses (a pale sage page, a dark green band down the right edge, bold monospaced titles, serif bullets behind
amber triangles, a condensed footer with "n / 17"); a lecture on compilers' register allocation read by a voice
no other script uses (espeak-ng en-029 at 170 wpm) over a little room tone (drift, mains hum, hiss) and a
clicker's click at each change. Every slide change plays a transition, each kind twice, 0.3-1.0 s: push (old out
left, new in from the right), wipe (a soft edge; once across, once down), cover / uncover, zoom (the new slide
grows from the centre), fade through black, dissolve (a crossfade), morph (the title glides to its new place and
size, the rest crossfades: title -> slide 2, summary -> closing slide) and a plain cut. Presenter tools:

  laser   a red laser dot with a glow, shaking in the hand, sweeps the bullets for 7 s (slides 7 and 14)
  cursor  the mouse pointer appears, moves in two strokes to a word, rests, is hidden 3 s later (slides 9, 13)
  ink     a pen circles a word in red (drawn in 1.2 s); it stays and leaves with its slide (slides 8 and 12)
  bar     a progress bar along the bottom, over every slide and transition, glides 1.2 s to its new length
          once a new slide stands (the footer's "n / 17" belongs to the slide)
  build   slide 4 shows its title, then its four bullets fly in from below one at a time (0.5 s each)
  loop    slide 5, a diagram: a dot walks the graph's edges and a "colouring" spinner turns, for over 15 s
  back    on slide 11 the presenter goes back to slide 10 (at once) and 2.5 s later forward (push replayed)

Decisions, fixed before any result was seen. The true cuts are the 18 slide changes the viewer sees (16
forward, the step back, the step forward), each at its transition's midpoint (an instant one: the change), +-1
s. Builds are no cuts: momentsearch's README decides that a build (bullets revealed one at a time) only adds
strokes, one slide and topic; the fly-in's motion is part of it. Nor are the laser, the pointer, the ink, the
loop or the bar. Detections are matched one-to-one to the true cuts, nearest first, within 1 s. A transition
must give ONE cut: an unmatched detection from 1 s before a transition's start to 1 s after its end is a double,
charged to its kind: per kind P = matched / (matched + doubles), R = matched / its cuts. Any other unmatched
detection is charged to the tool whose window holds it (from 1 s before the tool's start to 3 s after its end;
the loop: 1 s before its slide stands to its slide's end), else to the bar (1.0-4.2 s after a slide stands),
else to "other". Query truth: the slide its words or talk are from, from the midpoint of the transition onto it
to the midpoint of the one off it (slide 11's span holds the excursion; slide 10's is its first showing). The
16 queries (said: words spoken; concept: a paraphrase without the key words; shown: words only on the slide,
never spoken) were written with the deck, before the first run, and not changed after.

    python3 scripts/independent_transitions_lecture.py [--out /tmp/transitions] [--reuse]

Prints picture cuts and section edges against the truth (P / R / F1 at +-1 s, each cut found or missed, each
false alarm's situation), P / R / F1 and offsets per transition kind, false alarms per presenter tool, what the
index holds in each tool's window (segments, views, OCR entries) and over each slide (OCR text), each query's
type, hit or miss (top result's IoU >= 0.5) with channel scores, and the run time; writes OUT/diagnostics.json
and OUT/frames/*.png (each slide's middle, each transition's midpoint). `--reuse` scores what OUT holds. Fixed
seeds. One lecture in its own index: a probe, not a benchmark.
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
import independent_lecture  # noqa: E402 (its espeak-ng reader, soundtrack and encoder)
import independent_media_lecture  # noqa: E402 (its cut report, situations and visual detail)

W, H, FPS, SR = 1280, 720, 10, 16000
VOICE, RATE = "en-029", 170
LEAD = independent_lecture.LEAD  # seconds from a slide standing to its first word
GAP, PAUSE = 1.6, 0.7  # seconds: after a slide's last word; between two parts of its talk
BAR_EASE, FLY, BACK_FOR, LOOP_MIN = 1.2, 0.5, 2.5, 16.0  # seconds: bar glide; fly-in; excursion; loop slide
LASER_S, INK_S, IDLE, AFTER = 7.0, 1.2, 3.0, 3.0  # seconds: laser sweep; ink drawn; idle pointer shown; window
NAME = "cs4120_lec14_regalloc.mp4"
MONO_BOLD = "/usr/share/fonts/truetype/liberation/LiberationMono-Bold.ttf"
SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
COND = "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf"
PAGE, GREEN, INK, AMBER = (236, 242, 232), (24, 70, 56), (44, 48, 46), (222, 146, 28)
TRACK, GREY, RED = (206, 214, 200), (112, 120, 112), (214, 26, 40)
BAND = 1236  # x where the green band down the right edge starts
BODY_X, BODY_Y, BODY_STEP = 80, 196, 92  # bullets: marker x, first row y, row pitch

SLIDES = [  # (key, title, bullets, tool, its target word, talk; " | " parts the talk of a build / the back step)
    ("title", "Register Allocation", ["CS 4120 Compilers  ·  Lecture 14", "Prof. Nadia Ferreira"], None, None,
     "Good afternoon everyone. Today is about the last big job of the compiler back end: deciding which values live "
     "in the processor's registers and which ones have to wait in memory. It is one of the most important "
     "optimisations a compiler makes."),
    ("why", "Why Registers Matter", ["Register read: under 1 ns", "L1 cache hit: ~4 cycles, DRAM: ~200",
     "x86-64: 16 general-purpose registers", "IR temporaries: unlimited"], None, None,
     "Why bother? An operand in a register is available immediately, while even the fastest cache costs several "
     "cycles and main memory costs hundreds. Yet a machine offers only a handful of them, while our intermediate "
     "code pretends there is an endless supply, so somebody has to map one onto the other."),
    ("live", "Liveness", ["Live: defined earlier, used later", "Backward data-flow analysis",
     "live-in(B) = use(B) ∪ (live-out(B) − def(B))"], None, None,
     "The first tool we need is liveness. A value is live at a point in the program if it already holds something "
     "and somebody will still read it further down. We compute this by walking the control flow graph from the exits "
     "towards the entry, collecting at each block the variables that are needed before they are overwritten."),
    ("interfere", "Interference", ["Two values interfere if live at once",
     "Interfering values need different registers", "A copy a := b creates no conflict",
     "One node per value, one edge per conflict"], "build", None,
     "Liveness gives us the notion of interference. | If two values are alive at the same moment, they clash: they "
     "cannot share a storage location. | So whenever two values clash, the allocator must keep them apart. | There "
     "is one useful exception. When one variable is simply a copy of another, the two hold the same bits, so they "
     "may share. | Put all of this together and you get a graph, with a node for every value and an edge for every "
     "clash."),
    ("graph", "The Interference Graph", [], "loop", None,
     "Here is the graph for a small loop body with six values. The animation walks through the nodes in the order "
     "the allocator visits them. Notice that node d touches four others, so it is the hardest one to place, while "
     "nodes a and f each have only two neighbours and will be easy. With three registers, this graph can be coloured "
     "without moving anything to memory."),
    ("colour", "Graph Colouring", ["k colours = k machine registers", "Chaitin et al., IBM, 1981",
     "k-colourability is NP-complete"], None, None,
     "Assigning registers is now the same problem as colouring a map: neighbours must get different colours, and the "
     "number of colours is the number of registers. Gregory Chaitin and his colleagues made this connection at the "
     "start of the eighties. The bad news is that finding the best colouring is intractable, so every practical "
     "allocator uses a heuristic."),
    ("simplify", "Simplify and Select", ["Find a node with degree < k", "Remove it, push it on a stack",
     "Repeat until the graph is empty", "Pop nodes, give each a free colour"], "laser", None,
     "Chaitin's heuristic is beautifully simple. Look for any node with fewer neighbours than there are registers. "
     "Whatever happens to the rest of the graph, that node can always be given a colour later, so we take it out and "
     "put it aside. At the end we put the nodes back in reverse order, each picking a colour its neighbours are not "
     "using."),
    ("spill", "Spilling", ["Every node has degree ≥ k: choose a victim", "Store after each definition",
     "Load before each use", "Spill cost = uses ÷ degree"], "ink", "victim",
     "Sometimes we get stuck: every remaining node has too many neighbours. Then one value must give up its register "
     "and live in memory instead. We pick the cheapest candidate, one that is used rarely but conflicts with many "
     "others, and insert a store after every write and a load before every read. Then we rebuild the graph and try "
     "again."),
    ("coalesce", "Coalescing", ["Merge the two ends of a move", "Briggs: few high-degree neighbours",
     "George: neighbours already conflict", "Too eager → more spills"], "cursor", "Briggs:",
     "If the source and destination of a move never clash, we can merge the two nodes, and the move disappears. But "
     "merging can create a node with many neighbours and make colouring harder, so we only merge when a safety test "
     "says it cannot hurt. The two classic tests are named after Preston Briggs and Lal George."),
    ("linear", "Linear Scan", ["Poletto & Sarkar, 1999", "Live intervals sorted by start", "One pass, O(n log n)",
     "Used by JIT compilers"], None, None,
     "Graph colouring can be slow for very large functions, and just in time compilers cannot wait. Linear scan "
     "approximates each value's lifetime by a single interval from its first to its last appearance, sorts the "
     "intervals, and walks over them once, handing out registers as intervals begin and taking them back as they "
     "end."),
    ("scan", "Linear Scan: Example", ["t1 [0, 9] → r1", "t2 [2, 14] → r2", "t3 [5, 7] → r3",
     "t4 [6, 18]: all busy, spill t4"], "back", None,
     "Here is a tiny example with three registers. The first three intervals each get a register as they start. When "
     "the fourth one begins, all three are taken. | Remember from the previous slide that the list is sorted by "
     "starting point. So, back to our example: the rule is to spill whichever interval ends furthest in the future, "
     "and here that is the new one itself."),
    ("classes", "Register Classes", ["Integer and floating-point files", "Caller-saved vs callee-saved",
     "Fixed registers: division, calls"], "ink", "callee-saved",
     "Real machines complicate the picture. Integers and floating point numbers often live in separate banks. The "
     "calling convention splits registers into those a called function may clobber and those it must preserve. And "
     "some instructions insist on particular registers, like division on x86, which always uses the same pair."),
    ("ssa", "SSA-based Allocation", ["SSA form gives chordal interference graphs",
     "Chordal graphs colour optimally in polynomial time", "Visit nodes in dominance order",
     "Hack, Grund & Goos, 2006"], "cursor", "Goos,",
     "A surprising result from the last twenty years: if the program is in static single assignment form, its "
     "interference graph has a special shape. For these graphs the best colouring can be found quickly, by visiting "
     "the nodes in the right order. The hard part moves to leaving the single assignment form afterwards."),
    ("real", "In Production Compilers", ["LLVM: greedy, with live-range splitting",
     "GCC: IRA, integrated regional allocator", "HotSpot C1, V8: linear scan variants"], "laser", None,
     "What do real compilers use? The clang toolchain's default allocator works greedily on the longest and most "
     "important ranges first, and splits a range into pieces when it cannot fit whole. The GNU compiler uses a "
     "regional allocator that colours loops separately. The fast tiers of Java and JavaScript engines prefer "
     "variants of linear scan."),
    ("remat", "Rematerialization", ["Recompute instead of reload", "Constants, addresses, frame offsets",
     "One ALU op beats a cache miss"], None, None,
     "One more trick. Some values are cheaper to compute again than to bring back from memory, like a constant or "
     "the address of a global. Instead of spilling them, the allocator simply recreates them right where they are "
     "needed."),
    ("summary", "Summary", ["Liveness → interference graph", "Colour: simplify, spill, select",
     "Coalescing removes moves", "Linear scan for fast compilers"], None, None,
     "To sum up: liveness analysis gives us an interference graph, colouring it assigns registers, spilling handles "
     "the cases that do not fit, coalescing cleans up copies, and linear scan trades a little quality for speed."),
    ("questions", "Questions?", ["Reading: Appel, Modern Compiler Implementation, ch. 11",
     "Next week: instruction scheduling"], None, None,
     "That's all for today. The reading is chapter eleven of the textbook. Next week we will look at the order of "
     "instructions. Any questions?"),
]
TITLE_LAYOUT = ("title", "questions")
TRANSITIONS = [("morph", 0.9), ("push", 0.6), ("wipe", 0.5), ("dissolve", 0.8), ("cut", 0.0), ("zoom", 0.6),
               ("fade", 1.0), ("cover", 0.5), ("dissolve", 0.4), ("push", 1.0), ("uncover", 0.7),
               ("wipe-down", 0.9), ("zoom", 0.3), ("cut", 0.0), ("fade", 0.6), ("morph", 0.8)]  # onto slides 2..17
KIND = {"wipe-down": "wipe", "cover": "cover/uncover", "uncover": "cover/uncover", "back": "back/forward",
        "forward": "back/forward"}  # the kinds cuts are scored by
NODES = {"a": (300, 270), "b": (520, 200), "c": (300, 500), "d": (560, 420), "e": (800, 260), "f": (820, 500)}
EDGES = ["ab", "ac", "bd", "be", "cd", "de", "df", "ef"]
COLOURS = {"a": 0, "b": 1, "c": 1, "d": 0, "e": 2, "f": 1}  # a 3-colouring: r1 teal, r2 amber, r3 plum
WALK = "abefdca"  # the loop's dot walks these edges, 1 s each
QUERIES = [  # (query, slide key, type); written with the deck, before the first run, not changed after
    ("even the fastest cache costs several cycles", "why", "said"),
    ("walking the control flow graph from the exits", "live", "said"),
    ("they cannot share a storage location", "interfere", "said"), ("node d touches four others", "graph", "said"),
    ("insert a store after every write and a load before every read", "spill", "said"),
    ("spill whichever interval ends furthest in the future", "scan", "said"),
    ("why choosing processor storage is like giving adjacent vertices distinct hues", "colour", "concept"),
    ("peeling off vertices with few connections and restoring them in opposite order", "simplify", "concept"),
    ("getting rid of transfers between two variables by joining them into one", "coalesce", "concept"),
    ("who is responsible for saving state across a subroutine invocation", "classes", "concept"),
    ("regenerating trivially derivable quantities on demand rather than fetching them back from RAM", "remat",
     "concept"),
    ("16 general-purpose registers", "why", "shown"), ("saxpy kernel", "graph", "shown"),
    ("Poletto & Sarkar 1999", "linear", "shown"), ("chordal graphs in polynomial time", "ssa", "shown"),
    ("HotSpot C1 and V8", "real", "shown"),
]


def sprite(text: str, font, fill, marker: bool = False) -> tuple[np.ndarray, int, int]:
    """`text` on a transparent page (behind an amber triangle if `marker`), cropped: (RGBA, dx, dy), (dx, dy)
    being where the crop's corner lies from the point the text is drawn at."""
    im = Image.new("RGBA", (W, 120), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    d.text((32 if marker else 0, 20), text, font=font, fill=fill + (255,))
    if marker:
        d.polygon([(2, 33), (2, 53), (20, 43)], fill=AMBER + (255,))
    left, top, right, bottom = im.getbbox()
    return np.asarray(im.crop((left, top, right, bottom))).copy(), left, top - 20


def paste(frame: np.ndarray, rgba: np.ndarray, x: int, y: int, alpha: float = 1.0) -> None:
    """`rgba` blended onto `frame` (in place) with its corner at (x, y), clipped to the frame."""
    h, w = rgba.shape[:2]
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, W), min(y + h, H)
    if x1 > x0 and y1 > y0:
        part = rgba[y0 - y:y1 - y, x0 - x:x1 - x].astype(np.float32)
        a = part[..., 3:] / 255.0 * alpha
        frame[y0:y1, x0:x1] = (frame[y0:y1, x0:x1] * (1 - a) + part[..., :3] * a + 0.5).astype(np.uint8)


class Deck:
    """The deck's layers per slide: page without title, title sprite and place, bullet sprites, word boxes."""

    def __init__(self):
        self.f = {"title": ImageFont.truetype(MONO_BOLD, 46), "big": ImageFont.truetype(MONO_BOLD, 76),
                  "body": ImageFont.truetype(SERIF, 32), "sub": ImageFont.truetype(SERIF, 30),
                  "foot": ImageFont.truetype(COND, 18), "node": ImageFont.truetype(MONO_BOLD, 34)}
        self.slides = [self.layers(i) for i in range(len(SLIDES))]
        self.cache: dict[tuple, np.ndarray] = {}

    def template(self, i: int) -> np.ndarray:
        """The page: the green band, the footer and page number; slide 5's diagram (an interference graph
        coloured with three registers, its legend and caption, the spinner's label)."""
        im = Image.new("RGB", (W, H), PAGE)
        d, f = ImageDraw.Draw(im), self.f
        d.rectangle([BAND, 0, W, H], fill=GREEN)
        d.rectangle([BAND + 12, 40, W - 12, 64], fill=AMBER)
        d.line([70, 668, BAND - 40, 668], fill=TRACK, width=2)
        d.text((70, 676), "CS 4120 Compilers  ·  Lecture 14  ·  Register Allocation", font=f["foot"], fill=GREY)
        d.text((BAND - 40, 676), f"{i + 1} / {len(SLIDES)}", font=f["foot"], fill=GREY, anchor="ra")
        if SLIDES[i][0] == "graph":
            fills = [(40, 140, 150), AMBER, (130, 70, 140)]
            for a, b in EDGES:
                d.line([NODES[a], NODES[b]], fill=INK, width=4)
            for n, (x, y) in NODES.items():
                d.ellipse([x - 36, y - 36, x + 36, y + 36], fill=fills[COLOURS[n]], outline=INK, width=3)
                d.text((x, y), n, font=f["node"], fill=(255, 255, 255), anchor="mm")
            for k in range(3):
                d.rectangle([980, 220 + 60 * k, 1016, 256 + 60 * k], fill=fills[k], outline=INK, width=2)
                d.text((1030, 222 + 60 * k), f"r{k + 1}", font=f["body"], fill=INK)
            d.text((240, 590), "Fig. 2: saxpy kernel, k = 3", font=f["sub"], fill=GREY)
            d.text((1020, 560), "colouring", font=f["foot"], fill=GREY)
        return np.asarray(im).copy()

    def layers(self, i: int) -> dict:
        key, title, bullets, *_ = SLIDES[i]
        page = self.template(i)
        if key in TITLE_LAYOUT:
            rgba, _, _ = sprite(title, self.f["big"], GREEN)
            for k, line in enumerate(bullets):
                sub, _, sy = sprite(line, self.f["sub"], INK)
                paste(page, sub, (BAND - sub.shape[1]) // 2, 400 + 56 * k + sy)
            return {"page": page, "bare": page, "title": (rgba, (BAND - rgba.shape[1]) // 2, 250), "bullets": [],
                    "words": {}}
        rgba, dx, dy = sprite(title, self.f["title"], GREEN)
        rows, words, full = [], {}, page.copy()
        for k, line in enumerate(bullets):
            spr, bx, by = sprite(line, self.f["body"], INK, marker=True)
            y = BODY_Y + BODY_STEP * k
            rows.append((spr, BODY_X + bx, y + by))
            paste(full, *rows[-1])
            for w in line.split():
                x = BODY_X + 32 + self.f["body"].getlength(line[:line.index(w)])
                words.setdefault(w, (int(x), y + 4, int(x + self.f["body"].getlength(w)), y + 40))
        return {"page": full, "bare": page, "title": (rgba, 70 + dx, 54 + dy), "bullets": rows, "words": words}

    def picture(self, i: int, shown: int | None = None, fly: float = 1.0) -> np.ndarray:
        """Slide i with its title and its first `shown` bullets (all: None), the last of them `fly` of the way
        in from below the screen (1: in place)."""
        key = (i, shown, round(fly, 2))
        if key not in self.cache:
            s = self.slides[i]
            frame = (s["page"] if shown is None else s["bare"]).copy()
            paste(frame, *s["title"])
            for k, (spr, x, y) in enumerate(s["bullets"][:shown] if shown is not None else []):
                lift = (H + 20 - y) * (1 - fly) ** 3 if k == shown - 1 else 0.0  # ease out, from below
                paste(frame, spr, x, int(y + lift))
            if len(self.cache) > 200:
                self.cache.clear()
            self.cache[key] = frame
        return self.cache[key]

    def morph(self, i: int, j: int, e: float) -> np.ndarray:
        """Slide i turning into slide j at `e` (0..1): pages crossfade, the titles glide from i's place and size
        to j's, i's fading out and j's in."""
        a, b = self.slides[i], self.slides[j]
        frame = (a["page"] * (1 - e) + b["page"] * e + 0.5).astype(np.uint8)
        (ra, xa, ya), (rb, xb, yb) = a["title"], b["title"]
        ca = np.array([xa + ra.shape[1] / 2, ya + ra.shape[0] / 2])
        cb = np.array([xb + rb.shape[1] / 2, yb + rb.shape[0] / 2])
        centre, height = ca + (cb - ca) * e, ra.shape[0] + (rb.shape[0] - ra.shape[0]) * e
        for rgba, alpha in ((ra, 1 - e), (rb, e)):
            small = cv2.resize(rgba, (max(1, int(rgba.shape[1] * height / rgba.shape[0])), max(1, int(height))),
                               interpolation=cv2.INTER_AREA)
            paste(frame, small, int(centre[0] - small.shape[1] / 2), int(centre[1] - small.shape[0] / 2), alpha)
        return frame


def smooth(u: float) -> float:
    return (u := min(max(u, 0.0), 1.0)) * u * (3 - 2 * u)


def overlay(frame: np.ndarray, tool: str, layer: dict, target: str | None, dt: float, t: float) -> None:
    """A presenter tool drawn onto `frame` (in place), `dt` s after its use started (t: the video's time)."""
    if tool == "loop":  # a dot walking the graph's edges (1 s an edge), a spinner turning once a second
        k, u = divmod(dt, 1.0)
        a, b = WALK[int(k) % (len(WALK) - 1)], WALK[int(k) % (len(WALK) - 1) + 1]
        p = (np.array(NODES[a]) + (np.array(NODES[b]) - NODES[a]) * smooth(u)).astype(int)
        cv2.circle(frame, tuple(p), 14, RED, -1, cv2.LINE_AA)
        cv2.circle(frame, tuple(p), 14, (255, 255, 255), 3, cv2.LINE_AA)
        for s in range(12):
            ang, c = 2 * np.pi * s / 12, np.array(GREY) + (np.array(PAGE) - GREY) * (((s - 12 * dt) % 12) / 12)
            cv2.line(frame, (int(1050 + 10 * np.cos(ang)), int(620 + 10 * np.sin(ang))),
                     (int(1050 + 24 * np.cos(ang)), int(620 + 24 * np.sin(ang))), c.tolist(), 5, cv2.LINE_AA)
    elif tool == "laser" and dt <= LASER_S:  # along each bullet left to right, then the next; a hand's tremor
        pts = [(x + dx, y + spr.shape[0] / 2 + 8) for spr, x, y in layer["bullets"] for dx in (40, spr.shape[1] - 20)]
        v = dt / LASER_S * (len(pts) - 1)
        k = min(int(v), len(pts) - 2)
        p = np.array(pts[k]) + (np.array(pts[k + 1]) - pts[k]) * smooth(v - k)
        p = (p + (3 * np.sin(13 * t) + 2 * np.sin(29 * t + 1), 2 * np.sin(17 * t + 2) + np.sin(23 * t))).astype(int)
        glow = frame.copy()
        cv2.circle(glow, tuple(p), 15, (255, 70, 70), -1, cv2.LINE_AA)
        frame[:] = (0.6 * frame + 0.4 * glow).astype(np.uint8)
        cv2.circle(frame, tuple(p), 7, (250, 20, 20), -1, cv2.LINE_AA)
        cv2.circle(frame, tuple(p), 2, (255, 210, 210), -1, cv2.LINE_AA)
    elif tool == "cursor" and dt <= 3.2 + IDLE:  # lower right -> mid-slide (1.4 s), pause, -> the word (1.2 s), rest
        box = layer["words"][target]
        p0, p1, p2 = np.array([1040.0, 610.0]), np.array([700.0, 470.0]), np.array([(box[0] + box[2]) / 2, box[3] + 2])
        p = p0 + (p1 - p0) * smooth(dt / 1.4) if dt < 2.0 else p1 + (p2 - p1) * smooth((dt - 2.0) / 1.2)
        arrow = np.array([(0, 0), (0, 22), (5, 17), (9, 26), (13, 24), (9, 16), (16, 16)]) + p.astype(int)
        cv2.fillPoly(frame, [arrow], (255, 255, 255), cv2.LINE_AA)
        cv2.polylines(frame, [arrow], True, (0, 0, 0), 1, cv2.LINE_AA)
    elif tool == "ink":  # a hand-drawn loop round the word, 1.15 turns, a little uneven, drawn in INK_S
        box, u = layer["words"][target], min(1.0, dt / INK_S)
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        rx, ry = (box[2] - box[0]) / 2 + 16, (box[3] - box[1]) / 2 + 12
        th = np.linspace(0, 2 * np.pi * 1.15 * u, max(2, int(120 * u)))
        wob = 1 + 0.06 * np.sin(3 * th + 0.7) + 0.04 * th / (2 * np.pi)
        pts = np.stack([cx - rx * wob * np.cos(th + 0.4), cy - ry * wob * np.sin(th + 0.4)], -1)
        cv2.polylines(frame, [pts.astype(np.int32)], False, RED, 4, cv2.LINE_AA)


def timeline(clips: list[list[np.ndarray]]) -> tuple[list[dict], list[dict]]:
    """Per slide: the transition onto it (start, kind, duration, midpoint), when it stands still, its talk's
    parts [start, end] and when the next transition starts; and the showings: every change of the picture's
    slide, the excursion's two included, each with its effect (what is drawn) and kind (what it is scored as)."""
    slides, t = [], 0.0
    for i, sounds in enumerate(clips):
        key, tool = SLIDES[i][0], SLIDES[i][3]
        kind, d = TRANSITIONS[i - 1] if i else ("start", 0.0)
        at, placed = t + d + LEAD, []
        for clip in sounds:
            placed.append([round(at, 3), round(at + len(clip) / SR, 3)])
            at += len(clip) / SR + PAUSE
        end = max(at - PAUSE + GAP, t + d + (LOOP_MIN if tool == "loop" else 0.0))
        slides.append({"key": key, "tool": tool, "start": round(t, 3), "kind": kind, "d": d,
                       "cut": round(t + d / 2, 3), "stands": round(t + d, 3), "end": round(end, 3), "clips": placed})
        t = end
    shows = []
    for i, s in enumerate(slides):
        shows.append({"slide": i, "start": s["start"], "d": s["d"], "kind": s["kind"], "effect": s["kind"]})
        if s["tool"] == "back":  # back to the slide before at once, forward with this slide's transition
            back = s["clips"][1][0]
            shows.append({"slide": i - 1, "start": back, "d": 0.0, "kind": "back", "effect": "cut"})
            shows.append({"slide": i, "start": round(back + BACK_FOR - s["d"] / 2, 3), "d": s["d"], "kind": "forward",
                          "effect": s["kind"]})
    return slides, shows


def tools(slides: list[dict]) -> list[dict]:
    """Each use of a presenter tool: its name, slide, start and end, and the end of its window."""
    uses = []
    for i, s in enumerate(slides):
        tool, a, mine = s["tool"], s["stands"], []
        if tool == "build":
            mine = [{"name": f"build {k + 1}", "start": c - 0.6, "end": c - 0.6 + FLY} for k, (c, _) in
                    enumerate(s["clips"][1:])]
        elif tool in ("laser", "cursor", "ink"):
            start = a + {"laser": 2.0, "cursor": 3.0, "ink": 5.0}[tool]
            mine = [{"name": f"{tool} {i + 1}", "start": start,
                     "end": start + {"laser": LASER_S, "cursor": 3.2 + IDLE, "ink": INK_S}[tool]}]
        elif tool == "loop":
            mine = [{"name": f"loop {i + 1}", "start": a, "end": s["end"]}]
        for u in mine:
            u.update(slide=i, start=round(u["start"], 3), end=round(u["end"], 3),
                     window=round(u["end"] if tool == "loop" else u["end"] + AFTER, 3))
            assert tool == "loop" or a + 1.0 <= u["start"] and u["window"] <= s["end"] - 1.0, u
        uses += mine
    return uses


def still(deck: Deck, slides: list[dict], uses: list[dict], i: int, t: float) -> np.ndarray:
    """Slide i standing at t, with its build's state and the presenter tools in use on it."""
    mine = [u for u in uses if u["slide"] == i]
    if slides[i]["tool"] == "build":
        starts = [u["start"] for u in mine]
        n = sum(x <= t for x in starts)
        frame = deck.picture(i, n, min(1.0, (t - starts[n - 1]) / FLY) if n else 1.0).copy()
    else:
        frame = deck.picture(i).copy()
    for u in mine:
        if t >= u["start"]:
            overlay(frame, u["name"].split()[0], deck.slides[i], SLIDES[i][4], t - u["start"], t)
    return frame


def transition(effect: str, a: np.ndarray, b: np.ndarray, u: float, deck: Deck, i: int, j: int) -> np.ndarray:
    """The frame `u` (0..1) of the way through a transition from picture a (slide i) to b (slide j)."""
    e = smooth(u)
    if effect == "morph":
        return deck.morph(i, j, e)
    if effect in ("push", "cover", "uncover"):
        x, out = round(e * W), (b if effect == "uncover" else a).copy()
        if effect != "cover":
            out[:, :W - x] = a[:, x:]  # the old slide off to the left
        if effect != "uncover":
            out[:, W - x:] = b[:, :x]  # the new one in from the right
        return out
    if effect in ("wipe", "wipe-down"):
        n, soft = (W, 80) if effect == "wipe" else (H, 60)
        w = np.clip((e * (n + soft) - soft / 2 - np.arange(n)) / soft + 0.5, 0, 1)
        w = w[None, :, None] if effect == "wipe" else w[:, None, None]
        return (a * (1 - w) + b * w + 0.5).astype(np.uint8)
    if effect == "zoom":
        small = cv2.resize(b, (max(2, int(W * (0.05 + 0.95 * e))), max(2, int(H * (0.05 + 0.95 * e)))),
                           interpolation=cv2.INTER_AREA)
        out, y0, x0 = a.copy(), (H - small.shape[0]) // 2, (W - small.shape[1]) // 2
        out[y0:y0 + small.shape[0], x0:x0 + small.shape[1]] = small
        return out
    if effect == "fade":
        return (a * max(0.0, 1 - 2 * u) + b * max(0.0, 2 * u - 1) + 0.5).astype(np.uint8)
    return (a * (1 - u) + b * u + 0.5).astype(np.uint8)  # dissolve: a crossfade


def bar_overlay(frame: np.ndarray, shows: list[dict], t: float) -> None:
    """The progress bar: the share of the deck up to the slide standing, gliding there from the last one."""
    done = [s for s in shows if s["start"] + s["d"] <= t]
    new = (done[-1]["slide"] + 1) / len(SLIDES)
    old = (done[-2]["slide"] + 1) / len(SLIDES) if len(done) > 1 else new
    x = int(BAND * (old + (new - old) * smooth((t - done[-1]["start"] - done[-1]["d"]) / BAR_EASE)))
    frame[706:714, :BAND] = TRACK
    frame[706:714, :x] = AMBER


def frame_at(deck: Deck, slides: list[dict], shows: list[dict], uses: list[dict], t: float) -> np.ndarray:
    k = max(n for n, s in enumerate(shows) if s["start"] <= t)
    sh = shows[k]
    if k and t < sh["start"] + sh["d"]:
        i, j = shows[k - 1]["slide"], sh["slide"]
        frame = transition(sh["effect"], still(deck, slides, uses, i, sh["start"]),
                           still(deck, slides, uses, j, sh["start"] + sh["d"]), (t - sh["start"]) / sh["d"], deck, i, j)
    else:
        frame = still(deck, slides, uses, sh["slide"], t)
    bar_overlay(frame, shows, t)
    return frame


def sound(clips: list[list], slides: list[dict], shows: list[dict], duration: float, rng) -> np.ndarray:
    """The voice over room tone (the shared drifting noise, mains hum, hiss) and a clicker's click per change."""
    spoken = [(c, at) for sounds, s in zip(clips, slides) for c, (at, _) in zip(sounds, s["clips"])]
    audio = independent_lecture.soundtrack([c for c, _ in spoken], [at - LEAD for _, at in spoken], duration, rng)
    t = np.arange(audio.size) / SR
    audio += (0.004 * np.sin(2 * np.pi * 50 * t) + 0.002 * np.sin(2 * np.pi * 100 * t + 1)).astype(np.float32)
    click = (rng.normal(0, 1, 240) * np.exp(-np.arange(240) / 30)).astype(np.float32)
    for sh in shows[1:]:
        i = int(sh["start"] * SR)
        audio[i:i + 240] += 0.05 * click
    return audio + 0.002 * rng.normal(0, 1, audio.size).astype(np.float32)


def render(out: Path) -> dict:
    """Writes OUT/NAME, OUT/truth.json and OUT/frames/*.png; returns the truth."""
    import av

    rng = np.random.default_rng(53)
    clips = [[independent_lecture.speak(p.strip(), VOICE, RATE) for p in talk.split(" | ")] for *_, talk in SLIDES]
    slides, shows = timeline(clips)
    deck, uses, duration = Deck(), tools(slides), slides[-1]["end"]
    snaps = {round((s["stands"] + s["end"]) / 2 * FPS): f"slide{i + 1:02d}_{s['key']}"
             for i, s in enumerate(slides)}
    snaps.update({round((sh["start"] + sh["d"] / 2) * FPS): f"change{k:02d}_{sh['kind']}"
                  for k, sh in enumerate(shows[1:], 1) if sh["d"] > 0})
    (out / "frames").mkdir(exist_ok=True)
    with av.open(str(out / NAME), "w") as container:
        video, audio_stream = independent_lecture.streams(container, FPS)
        for f in range(int(duration * FPS)):
            frame = frame_at(deck, slides, shows, uses, f / FPS)
            if f in snaps:
                Image.fromarray(frame).save(out / "frames" / f"{snaps[f]}.png")
            for packet in video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        independent_lecture.finish(container, video, audio_stream, sound(clips, slides, shows, duration, rng))
    truth = truth_of(slides, shows, uses, duration)
    (out / "truth.json").write_text(json.dumps(truth, indent=1))
    print(f"rendered {duration:.1f} s at {W}x{H}, {FPS} fps; {len(slides)} slides, {len(truth['cuts'])} changes: "
          + ", ".join(f"{c:.1f} {k}" for c, k, *_ in truth["cut_info"]))
    print("tools: " + ", ".join(f"{u['name']} {u['start']:.1f}-{u['end']:.1f}" for u in uses))
    return truth


def truth_of(slides: list[dict], shows: list[dict], uses: list[dict], duration: float) -> dict:
    info = [[round(sh["start"] + sh["d"] / 2, 3), KIND.get(sh["kind"], sh["kind"]), sh["start"],
             round(sh["start"] + sh["d"], 3)] for sh in shows[1:]]
    span = {s["key"]: [s["cut"], nxt["cut"] if nxt else round(duration, 3)]
            for s, nxt in zip(slides, slides[1:] + [None])}
    situations = {u["name"]: [u["start"], u["start"], u["window"]] for u in uses}
    for k, sh in enumerate(shows[1:], 1):  # the bar's glide: from 1 s after the slide stands (situation_of: a - 1)
        stands = sh["start"] + sh["d"]
        situations[f"bar {k}"] = [round(stands + 2.0, 3), round(stands + 2.0, 3), round(stands + BAR_EASE + AFTER, 3)]
    return {"slides": slides, "shows": shows, "tools": uses, "duration": duration, "cuts": [c[0] for c in info],
            "cut_info": info, "spans": span, "situations": situations,
            "queries": [[q, *span[key], kind] for q, key, kind in QUERIES]}


def cut_table(found: list[float], truth: dict) -> dict:
    """Detections matched one-to-one to true cuts (nearest first, 1 s); per kind P / R / F1 (doubles: unmatched
    detections in a transition's span +-1 s) and offsets; the other false alarms per presenter tool."""
    info = truth["cut_info"]
    pairs = sorted((abs(x - c[0]), i, j) for i, x in enumerate(found) for j, c in enumerate(info) if abs(x - c[0]) <= 1)
    hit: dict[int, int] = {}
    got: dict[int, int] = {}
    for _, i, j in pairs:
        if i not in hit and j not in got:
            hit[i], got[j] = j, i
    kinds = {c[1]: {"n": 0, "tp": 0, "fp": 0, "off": [], "missed": [], "doubles": []} for c in info}
    for j, c in enumerate(info):
        k = kinds[c[1]]
        k["n"] += 1
        if j in got:
            k["tp"] += 1
            k["off"].append(round(found[got[j]] - c[0], 2))
        else:
            k["missed"].append(c[0])
    blame: dict[str, list[float]] = {g: [] for g in ("build", "laser", "cursor", "ink", "loop", "bar", "other")}
    for i, x in enumerate(found):
        near = [c for c in info if c[2] - 1.0 <= x <= c[3] + 1.0]
        if i in hit:
            continue
        if near:
            kinds[near[0][1]]["fp"] += 1
            kinds[near[0][1]]["doubles"].append(round(x, 1))
        else:
            blame[independent_media_lecture.situation_of(x, truth).split()[0]].append(round(x, 1))
    print("per transition kind (P = matched / (matched + doubles), R = matched / cuts):")
    for name, k in kinds.items():
        p, r = k["tp"] / max(1, k["tp"] + k["fp"]), k["tp"] / k["n"]
        print(f"  {name:14s} cuts {k['n']} matched {k['tp']} doubles {k['fp']} P {p:.2f} R {r:.2f} "
              f"F1 {2 * p * r / max(1e-9, p + r):.2f}; offsets {k['off']} missed {k['missed']} doubles {k['doubles']}")
    print("false alarms per presenter tool: " + ", ".join(f"{g} {len(v)} {v}" for g, v in blame.items()))
    return {"kinds": kinds, "false_alarms": blame}


def report_index(rec, diag: dict, truth: dict) -> None:
    """Per tool use: the segments and views starting in its window, the OCR entries over it; per slide: the
    OCR entries stored over its span (by more than 1 s)."""
    detail = diag["visual_detail"]
    for name, (a, _, end) in truth["situations"].items():
        if not name.startswith("bar"):
            segs = [round(s, 1) for s, _ in rec.visual_segments if a - 1 <= s < end]
            views = [v for seg in detail["segments"] for v in seg["views"] if a - 1 <= v[0] < end]
            ocr = [f"{o[0]:.1f}-{o[1]:.1f} {o[2][:60]!r}" for o in diag["ocr"] if o[0] < end and o[1] > a]
            print(f"{name} {a:.1f}-{end:.1f}: segments start {segs}, views {views}; OCR {ocr}")
    for s in truth["slides"]:
        a, b = truth["spans"][s["key"]]
        texts = [f"{o[0]:.1f}-{o[1]:.1f} {o[2][:90]!r}" for o in diag["ocr"] if min(o[1], b) - max(o[0], a) > 1.0]
        print(f"slide {s['key']:9s} {a:6.1f}-{b:6.1f}: {texts}")


def evaluate(out: Path, truth: dict, reuse: bool) -> None:
    from momentsearch.evaluate import detected_boundaries

    index = independent_code_lecture.indexed(out, NAME, reuse)
    rec = index.videos()[0]
    independent_media_lecture.score_cuts(rec, index, truth)
    diag = independent_code_lecture.diagnostics(index, rec)
    diag["cut_table"] = cut_table(detected_boundaries(index)[rec.path], truth)
    independent_media_lecture.NAME = NAME  # its visual_detail reads OUT/<its NAME>
    diag["visual_detail"] = independent_media_lecture.visual_detail(out)
    report_index(rec, diag, truth)
    independent_code_lecture.run_queries(index, truth["queries"], diag)
    (out / "diagnostics.json").write_text(json.dumps(diag, indent=1, default=str))


def main() -> int:
    return independent_code_lecture.run_probe(__doc__, "/tmp/transitions", render, evaluate)


if __name__ == "__main__":
    sys.exit(main())
