#!/usr/bin/env python3
"""A lecture shared in PowerPoint's PRESENTER VIEW by mistake (the whole screen shared in a video call), rendered
without momentsearch.testing, indexed and searched: a check on a kind of real recording nothing was tuned on.
1280x720 at 10 fps, ~6 min. The screen is PowerPoint's dark presenter view: a top bar (Show Taskbar, Display
Settings, End Slide Show); a row with the presentation timer ("0:12:41", ticking every second, with pause and
reset icons) and the time of day ("10:42 AM"); the CURRENT slide at the left (768x432, 60 % of the width) over a
row of tool buttons (pen, laser, grid, magnifier, subtitles) and the counter "Slide 5 of 14" between arrows; at
the right a "Next Slide" preview (444x250: the NEXT slide's text is on screen the whole time) over the speaker
notes pane (light text on grey, ~9 lines of 19 px text, a scroll bar when a note is longer). A mouse pointer
moves every 8-20 s and rests, mostly on the slide. ONE deck template no other probe uses (16:9, a warm off-white
page, a deep teal band across the top holding a white condensed title over an orange stripe, serif bullets
behind orange discs, a footer "CS 3210 - Operating Systems" and the page number in a teal disc): 14 slides on
virtual memory read by a voice no other script uses (espeak-ng en-us+m6 at 142 wpm) over room noise (drift, a
fan's rumble, hiss) and a soft click at every slide change. Also: two slides with builds (Page Tables,
Replacement Policies: their 2nd and 3rd bullets appear on a click; the preview shows a slide as it first
appears, before its builds, as PowerPoint does); a step back from slide 6 to slide 5 for ~10 s and forward again;
the notes pane scrolled once (0.6 s, to the bottom) on the long note of slide 10; and, in the last ~40 s, the
lecturer notices ("you have been seeing my notes") and switches to the real slideshow (the slide full screen,
no pointer) for the rest of slide 12 and slides 13-14.

Decisions, fixed before any result was seen. True cuts (+-1 s) are the slide changes (each changes the current
slide, the preview, the notes and the counter at once; both changes of the step back count) and the switch to
the slideshow. The builds are OPTIONAL (`boundary_scores(optional=...)`: a cut there is neither hit nor false
alarm, as a bullet appearing on the same slide is elsewhere); the ticking timer, the clock, the pointer and the
notes scroll are no cuts: a boundary farther than 1 s from every true cut and build is a false alarm, put down to
the situation whose window (start - 1 s to end) holds it (a pointer move, the scroll), else "other". Query truth is
always the span of ONE slide as the current slide (its first showing; a build slide is one slide with all its
build states): said (words spoken there, in neither notes nor slides), concept (a paraphrase), shown (words only
ever on the CURRENT slide: a build's later bullet, which no preview shows, or slide 14, shown only in the
slideshow; never said), notes (words only in that slide's speaker notes, never said nor on a slide; a hit on the
slide whose notes hold them counts: they are on screen then; one is below the fold of the long note, on screen
only after the scroll) and preview (words of slide k, never said nor in notes, on screen first in the preview
during slide k-1 and then on slide k: truth is slide k's own time, not the minute before; where the top result
lies mostly on slide k-1 the report says PULLED EARLY). The 17 queries were written with the deck before the
first run and not changed after.

    python3 scripts/independent_presenter_view.py [--out /tmp/presenter] [--reuse]

Prints the cuts (P / R / F1 at +-1 s, builds optional; recall per kind of change; each false alarm's situation)
and section edges, per shot the visual segments and OCR entries over it (does OCR read the preview and the notes
as well as the current slide?), each query's type, hit or miss (top result's IoU >= 0.5), truth, top span, IoU
and channel scores, where each preview and notes query's top 3 lie (on the slide, on the slide before), the run
time; writes OUT/diagnostics.json. `--reuse` scores what OUT holds. Deterministic (fixed seeds). One lecture in
its own index: a probe, not a benchmark.
"""

from __future__ import annotations

import functools
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
import independent_media_lecture  # noqa: E402 (its line wrapping and situations)

W, H, FPS, SR = 1280, 720, 10, 16000
VOICE, RATE = "en-us+m6", 142
LEAD = independent_lecture.LEAD  # seconds from a shot's start to its first word
GAP, PAUSE, EVENT = 1.5, 0.8, 0.5  # s: after a shot's last word; between two parts; from a click to the words
NAME = "cs3210_lec09_virtual_memory.mp4"
DJ = "/usr/share/fonts/truetype/dejavu/DejaVu{}.ttf"
TEAL, ORANGE, PAGE, INK = (14, 84, 96), (236, 122, 36), (247, 244, 236), (40, 48, 56)
CUR = (20, 96, 768, 432)  # the current slide in presenter view: x, y, width, height
NEXT = (816, 96, 444, 250)  # the next-slide preview
NOTES = (816, 380, 444, 262)  # the notes pane
NOTE_PX, NOTE_LH = 19, 27  # the notes' font size and line height (pixels)
TIMER_FROM, CLOCK_FROM = 12 * 60 + 3, 10 * 3600 + 41 * 60 + 22  # s: the timer's and the clock's readings at 0
N_SLIDES = 14

SLIDES = {  # key: (title, bullets, bullets shown before the first build click or None when no build)
    "title": ("Virtual Memory", ["CS 3210 Operating Systems - Lecture 9", "Prof. Hannah Lindqvist - Spring term"],
              None),
    "why": ("Why Virtual Memory?", ["Every process gets a private address space",
                                    "Isolation: one bug cannot corrupt another program",
                                    "Programs may be larger than physical RAM"], None),
    "pages": ("Pages and Frames", ["Fixed-size blocks: 4 KiB on most machines",
                                   "Address = virtual page number + offset", "Any page can live in any frame"], None),
    "tables": ("Page Tables", ["One entry per virtual page", "Present, dirty and accessed bits",
                               "Four-level radix tree on x86-64"], 1),
    "tlb": ("Translation Lookaside Buffer", ["Caches recent translations", "64 entries, fully associative",
                                             "Flushed on a context switch unless tagged (PCID)"], None),
    "faults": ("Page Faults", ["The MMU raises a trap", "Kernel finds a free frame or evicts one",
                               "Disk read takes milliseconds"], None),
    "policies": ("Replacement Policies", ["FIFO suffers from Belady's anomaly", "True LRU is too costly to track",
                                          "Clock algorithm: a second-chance bit"], 1),
    "thrash": ("Thrashing", ["Working sets no longer fit in RAM", "CPU utilisation collapses",
                             "Remedy: suspend processes or add memory"], None),
    "cow": ("Copy-on-Write", ["fork() shares every page read-only", "A write triggers a private copy",
                              "Process creation becomes cheap"], None),
    "mmap": ("Memory-Mapped Files", ["mmap() maps a file into the address space",
                                     "Pages are loaded lazily on first touch", "Shared libraries are mapped once"],
             None),
    "huge": ("Huge Pages", ["2 MiB and 1 GiB pages on x86-64", "One TLB entry covers far more memory",
                            "Transparent Huge Pages in Linux"], None),
    "linux": ("Case Study: Linux", ["Buddy allocator hands out frames", "kswapd reclaims pages in the background",
                                    "OOM killer as the last resort"], None),
    "summary": ("Summary", ["Translation: page tables + TLB", "Faults bring pages in on demand",
                            "Policies decide what to evict", "Sharing tricks: copy-on-write, mmap"], None),
    "end": ("Questions?", ["Office hours: Thursday 14:00, room B-214", "Problem set 4 due Friday, 23:59",
                           "Reading: OSTEP chapters 18-23"], None),
}
ORDER = list(SLIDES)  # the deck's order: page numbers
NOTES_TEXT = {
    "title": "Welcome back. Quick poll: who has seen a segmentation fault this week?",
    "why": "Motivate with the old days, when one program could overwrite another. Stress protection and the "
           "private view of memory. Remind students that the midterm covers chapters 13 to 17.",
    "pages": "Draw the address split on the board: the upper bits select the page, the lower twelve bits are the "
             "offset. Mention that ARM also supports 16 KiB and 64 KiB granules.",
    "tables": "Walk through one translation step by step. The flags matter later for replacement and for "
              "copy-on-write. Ask: how much memory would a flat table need for 48-bit addresses?",
    "tlb": "Emphasise locality. Cost of a miss: several memory reads for the page walk. Context switches may "
           "flush it.",
    "faults": "Trap, handler, find a frame, schedule the I/O, update the table, restart the instruction. Minor "
              "faults need no disk at all.",
    "policies": "Belady's example: reference string 1 2 3 4 1 2 5 1 2 3 4 5 with three and with four frames. "
                "Hardware sets the accessed bit; the kernel clears it.",
    "thrash": "Show the vmstat columns si and so climbing during the demo. Link to Denning's working set model.",
    "cow": "Point out that the page table flags from earlier make this possible. Draw two tables pointing at the "
           "same frames.",
    "mmap": "Compare with read(): no extra copy into a user buffer. Explain MAP_SHARED versus MAP_PRIVATE, and how "
            "private mappings reuse copy-on-write from the previous slide. Page cache: the file's pages are the "
            "same frames the kernel uses for ordinary reads, so both views stay consistent. Mention msync for "
            "durability. A good fit for large read-mostly data such as databases and search indexes. Common exam "
            "question: what happens when two processes map the same file with MAP_SHARED? Answer: they see each "
            "other's writes. Warn them about SIGBUS when the file is truncated under a mapping. Finally, lead "
            "into the next slide: big mappings need many TLB entries.",
    "huge": "Costs: internal fragmentation, and the allocator must find contiguous physical memory. Databases "
            "often ask for them explicitly.",
    "linux": "Buddy allocator, zones, kswapd watermarks. The OOM score can be adjusted per process with "
             "oom_score_adj.",
    "summary": "Recap the four ideas and connect each back to its slide.",
    "end": "Collect the feedback cards at the door.",
}
SHOTS = [  # (slide key, "presenter" or "show", [(event before the part: None, "build" or "scroll", words)])
    ("title", "presenter", [(None, "Good morning everyone, and welcome back. Today is about virtual memory, one of "
     "the most elegant tricks in the whole operating system, and something you rely on every time you start a "
     "program.")]),
    ("why", "presenter", [(None, "So why bother? Without it, every program would have to know where in physical "
     "memory it was loaded, and any stray pointer could scribble over another program or even over the kernel. "
     "With virtual memory, each process gets the illusion that it owns the whole machine, and the hardware quietly "
     "checks every single access.")]),
    ("pages", "presenter", [(None, "The basic unit is a page. We chop the virtual address space into small blocks "
     "of equal size, and physical memory into frames of exactly the same size. The high bits of an address pick "
     "the page, the low bits say where inside it, and the kernel is free to put any page wherever it likes.")]),
    ("tables", "presenter", [(None, "How does the hardware know where each page lives? It looks it up in a page "
     "table, a big array with one entry for every virtual page."), ("build", "Each entry also carries a few flag "
     "bits: whether the page is in memory at all, whether it has been written, and whether it was used recently."),
     ("build", "On a modern sixty four bit processor one flat array would be enormous, so the table is broken into "
      "smaller pieces, and only the pieces in use are allocated.")]),
    ("tlb", "presenter", [(None, "Walking those tables on every memory access would be painfully slow, so the "
     "processor keeps a tiny cache of recent translations right next to the core. Because programs touch the "
     "same pages again and again, almost every lookup is answered from this cache in a single cycle.")]),
    ("faults", "presenter", [(None, "What if the page table says the page is not in memory at all? Then the "
     "hardware gives up and raises a trap, and the kernel takes over. It has to find a free frame, or make one by "
     "throwing another page out, and then fetch the missing data from disk. Actually, let me go back one slide "
     "for a second.")]),
    ("tlb", "presenter", [(None, "Remember this little cache? After a fault is fixed, its old entry must be "
     "replaced as well.")]),
    ("faults", "presenter", [(None, "Good, back to faults. The expensive part is the disk: a read takes "
     "milliseconds, which is millions of instructions, so we really want faults to be rare.")]),
    ("policies", "presenter", [(None, "Which page should we throw out? The simplest answer is first in, first out, "
     "but it has a famous weakness: giving it more memory can actually make it fault more often."),
     ("build", "The ideal would be to evict whatever was used least recently, but keeping exact timestamps for "
      "every access is far too expensive."), ("build", "So real systems approximate it. A hand sweeps around all "
      "the frames and gives each recently used page a reprieve before it is removed.")]),
    ("thrash", "presenter", [(None, "Now imagine too many programs running at once, each needing more memory than "
     "it can get. Every process faults, waits for the disk, and steals frames from the others, which then fault "
     "in turn. The machine looks completely busy, yet almost no useful work gets done.")]),
    ("cow", "presenter", [(None, "Virtual memory also makes some things surprisingly cheap. When a process forks, "
     "the kernel does not copy its memory at all. Parent and child share the same frames, marked read only, and a "
     "page is duplicated only when one of them writes to it. Since the child usually calls exec straight away, "
     "most pages are never copied.")]),
    ("mmap", "presenter", [(None, "The same machinery lets us treat a file as if it were memory. Instead of "
     "calling read in a loop, a program maps the file and simply uses pointers. The kernel brings in each page "
     "the first time it is touched, and writes dirty pages back later."), ("scroll", "This is also how every "
     "program shares one copy of the standard libraries, which saves a lot of memory on a busy system.")]),
    ("huge", "presenter", [(None, "Large mappings bring us back to the translation cache. With ordinary small "
     "pages, it covers only a few hundred kilobytes. Using much bigger pages, one entry can cover megabytes or "
     "even a gigabyte, which is a big win for something like a database server with a two hundred gigabyte "
     "buffer pool.")]),
    ("linux", "presenter", [(None, "Let me finish with how Linux does all this. Physical frames are handed out in "
     "power of two blocks, and a background thread starts reclaiming pages when free memory runs low."),
     (None, "Oh, I am sorry, I just noticed that you have been seeing my notes the whole time. Let me switch to "
      "the proper slide show.")]),
    ("linux", "show", [(None, "There we go, much better. If memory truly runs out, the kernel picks a process to "
     "kill, usually the largest one, which is never pleasant for whoever owned it.")]),
    ("summary", "show", [(None, "To sum up: page tables and the translation cache turn virtual addresses into "
     "physical ones, faults load pages on demand, replacement policies decide what leaves, and sharing tricks "
     "make fork and file access cheap.")]),
    ("end", "show", [(None, "That is all for today. Please bring your questions to office hours, and see you "
     "next week.")]),
]
QUERIES = [  # (query, slide key: its first showing, type); written with the deck, before the first run
    ("the illusion that it owns the whole machine", "why", "said"),
    ("midterm covers chapters 13 to 17", "why", "notes"),
    ("16 KiB and 64 KiB granules on ARM", "pages", "notes"),
    ("four-level radix tree on x86-64", "tables", "shown"),
    ("64 entries fully associative", "tlb", "preview"),
    ("answered from this cache in a single cycle", "tlb", "said"),
    ("clock algorithm second-chance bit", "policies", "shown"),
    ("which victim to discard once physical storage has no spare room", "policies", "concept"),
    ("suspend processes or add memory", "thrash", "preview"),
    ("vmstat si and so columns", "thrash", "notes"),
    ("a computer so overloaded that it only shuffles data to and from storage", "thrash", "concept"),
    ("the child usually calls exec straight away", "cow", "said"),
    ("delaying the cloning of a parent's state until somebody changes it", "cow", "concept"),
    ("SIGBUS when the file is truncated", "mmap", "notes"),
    ("Transparent Huge Pages in Linux", "huge", "preview"),
    ("a database server with a two hundred gigabyte buffer pool", "huge", "said"),
    ("problem set 4 due Friday 23:59", "end", "shown"),
]


def fonts() -> dict:
    from PIL import ImageFont

    spec = {"title": ("SansCondensed-Bold", 60), "big": ("SansCondensed-Bold", 96), "body": ("Serif", 40),
            "sub": ("Sans", 34), "foot": ("SansCondensed", 22), "note": ("Sans", NOTE_PX), "ui": ("Sans", 15),
            "label": ("Sans-Bold", 16), "count": ("Sans", 18)}
    return {k: ImageFont.truetype(DJ.format(face), px) for k, (face, px) in spec.items()}


def slide_image(key: str, shown: int | None = None) -> np.ndarray:
    """The deck's one template at 1280x720 with the first `shown` bullets (all when None)."""
    from PIL import Image, ImageDraw

    title, bullets, _ = SLIDES[key]
    f, page = fonts(), ORDER.index(key) + 1
    im = Image.new("RGB", (W, H), PAGE)
    d = ImageDraw.Draw(im)
    d.text((60, 672), "CS 3210 - Operating Systems", font=f["foot"], fill=(120, 120, 112))
    d.ellipse([W - 84, 660, W - 44, 700], fill=TEAL)
    d.text((W - 64, 680), str(page), font=f["foot"], fill=(255, 255, 255), anchor="mm")
    if key == "title":
        d.rectangle([0, 0, W, 24], fill=TEAL)
        d.text((90, 200), title, font=f["big"], fill=TEAL)
        d.rectangle([92, 330, 520, 338], fill=ORANGE)
        d.text((92, 380), bullets[0], font=f["sub"], fill=INK)
        d.text((92, 436), bullets[1], font=f["sub"], fill=(110, 110, 104))
        return np.asarray(im).copy()
    d.rectangle([0, 0, W, 128], fill=TEAL)
    d.rectangle([0, 128, W, 136], fill=ORANGE)
    d.text((60, 30), title, font=f["title"], fill=(255, 255, 255))
    y = 190
    for text in bullets[:shown]:
        d.ellipse([66, y + 14, 84, y + 32], fill=ORANGE)
        for line in independent_media_lecture.wrap(text, f["body"], 1080):
            d.text((110, y), line, font=f["body"], fill=INK)
            y += 54
        y += 40
    return np.asarray(im).copy()


@functools.lru_cache(maxsize=None)
def notes_image(key: str) -> np.ndarray:
    """The whole note of `key` as light text on the pane's grey, as tall as it needs (wider than the pane by
    nothing; the pane shows a window of it)."""
    from PIL import Image, ImageDraw

    f = fonts()
    lines = independent_media_lecture.wrap(NOTES_TEXT[key], f["note"], NOTES[2] - 40)
    im = Image.new("RGB", (NOTES[2], max(NOTES[3], 16 + NOTE_LH * len(lines))), (46, 46, 48))
    d = ImageDraw.Draw(im)
    for i, line in enumerate(lines):
        d.text((14, 10 + NOTE_LH * i), line, font=f["note"], fill=(236, 236, 236))
    return np.asarray(im).copy()


def chrome() -> np.ndarray:
    """What never changes in presenter view: the dark window, its top bar, labels, tool buttons, arrows."""
    from PIL import Image, ImageDraw

    f = fonts()
    im = Image.new("RGB", (W, H), (32, 32, 34))
    d = ImageDraw.Draw(im)
    d.rectangle([0, 0, W, 34], fill=(50, 50, 54))
    for x, text in ((16, "Show Taskbar"), (150, "Display Settings v"), (320, "End Slide Show")):
        d.text((x, 9), text, font=f["ui"], fill=(226, 226, 226))
    d.polygon([(150, 52), (150, 78), (170, 65)], fill=(200, 200, 200))  # the timer's play, pause, reset
    d.rectangle([184, 52, 190, 78], fill=(200, 200, 200))
    d.rectangle([196, 52, 202, 78], fill=(200, 200, 200))
    d.arc([214, 52, 240, 78], 40, 340, fill=(200, 200, 200), width=3)
    d.text((NEXT[0], 62), "Next Slide", font=f["label"], fill=(226, 226, 226))
    cx = CUR[0] + CUR[2] // 2
    for k in range(6):  # pen, laser, grid, magnifier, subtitles, more
        x = cx - 150 + 60 * k
        d.ellipse([x - 17, 552, x + 17, 586], outline=(190, 190, 190), width=2)
        d.line([x - 7, 569, x + 7, 569], fill=(190, 190, 190), width=2)
        d.line([x, 562, x, 576], fill=(190, 190, 190), width=2 if k % 2 else 1)
    d.polygon([(cx - 120, 630), (cx - 106, 620), (cx - 106, 640)], fill=(200, 200, 200))
    d.polygon([(cx + 120, 630), (cx + 106, 620), (cx + 106, 640)], fill=(200, 200, 200))
    d.rectangle([NOTES[0] + 300, 660, NOTES[0] + 444, 690], outline=(120, 120, 120))
    d.text((NOTES[0] + 316, 664), "A   A", font=f["label"], fill=(210, 210, 210))
    return np.asarray(im).copy()


def fit(img: np.ndarray, w: int, h: int) -> np.ndarray:
    import cv2

    return cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA)


class Screen:
    """The pictures without the timer, clock and pointer, built once per state: (shot, builds, scroll px)."""

    def __init__(self):
        self.base, self.cache, self.slides, self.notes = chrome(), {}, {}, {}

    def slide(self, key: str, shown: int | None) -> np.ndarray:
        if (key, shown) not in self.slides:
            self.slides[(key, shown)] = slide_image(key, shown)
        return self.slides[(key, shown)]

    def picture(self, key: str, mode: str, shown: int | None, scroll: int) -> np.ndarray:
        from PIL import Image, ImageDraw

        if (key, mode, shown, scroll) in self.cache:
            return self.cache[(key, mode, shown, scroll)]
        if mode == "show":
            frame = self.slide(key, shown).copy()
        else:
            frame = self.base.copy()
            x, y, w, h = CUR
            frame[y:y + h, x:x + w] = fit(self.slide(key, shown), w, h)
            nxt = ORDER[ORDER.index(key) + 1]
            x, y, w, h = NEXT
            frame[y:y + h, x:x + w] = fit(self.slide(nxt, SLIDES[nxt][2]), w, h)
            notes = self.notes.setdefault(key, notes_image(key))
            x, y, w, h = NOTES
            frame[y:y + h, x:x + w] = notes[scroll:scroll + h]
            if len(notes) > h:  # the scroll bar
                frame[y:y + h, x + w - 8:x + w - 2] = (70, 70, 72)
                top = y + int(h * scroll / len(notes))
                frame[top:top + int(h * h / len(notes)), x + w - 8:x + w - 2] = (170, 170, 172)
            im = Image.fromarray(frame)
            ImageDraw.Draw(im).text((CUR[0] + CUR[2] // 2, 630), f"Slide {ORDER.index(key) + 1} of {N_SLIDES}",
                                    font=fonts()["count"], fill=(226, 226, 226), anchor="mm")
            frame = np.asarray(im).copy()
        self.cache[(key, mode, shown, scroll)] = frame
        return frame


def timeline(clips: list[list[np.ndarray]]) -> list[dict]:
    """Each shot's start, end, key, mode, its parts' [start, end] and its events' [kind, time], in seconds."""
    shots, t = [], 0.0
    for (key, mode, parts), sounds in zip(SHOTS, clips):
        at, placed, events = t + LEAD, [], []
        for (event, _), clip in zip(parts, sounds):
            if event:
                events.append([event, round(at - EVENT, 3)])
            placed.append([round(at, 3), round(at + len(clip) / SR, 3)])
            at += len(clip) / SR + PAUSE + (EVENT if event else 0.0)
        end = at - PAUSE + GAP
        shots.append({"start": round(t, 3), "end": round(end, 3), "key": key, "mode": mode, "clips": placed,
                      "events": events})
        t = end
    return shots


def pointer_moves(shots: list[dict]) -> list[list]:
    """The pointer's moves [t0, t1, (x0, y0), (x1, y1)] in presenter view: every 8-20 s, 0.8 s long, to a point
    mostly on the current slide; none within 1.5 s of a cut, click or scroll."""
    rng = np.random.default_rng(23)
    quiet = [s["start"] for s in shots] + [e[1] for s in shots for e in s["events"]]
    end = next(s["start"] for s in shots if s["mode"] == "show")
    moves, t, at = [], 4.0, (700.0, 400.0)
    while t < end - 3.0:
        if all(abs(t - q) > 1.5 and abs(t + 0.8 - q) > 1.5 for q in quiet):
            x, y, w, h = CUR if rng.random() < 0.75 else NOTES if rng.random() < 0.5 else NEXT
            to = (float(rng.uniform(x + 30, x + w - 30)), float(rng.uniform(y + 30, y + h - 30)))
            moves.append([round(t, 2), round(t + 0.8, 2), at, to])
            at, t = to, t + float(rng.uniform(8, 20))
        else:
            t += 0.5
    return moves


def pointer_at(moves: list[list], t: float) -> tuple[float, float]:
    where = (700.0, 400.0)
    for t0, t1, a, b in moves:
        if t < t0:
            break
        u = min(1.0, (t - t0) / (t1 - t0))
        u = u * u * (3 - 2 * u)
        where = (a[0] + (b[0] - a[0]) * u, a[1] + (b[1] - a[1]) * u)
    return where


def overlay(frame: np.ndarray, t: float, moves: list[list] | None) -> None:
    """The ticking timer, the time of day and (in presenter view, `moves`) the mouse pointer, drawn in place."""
    import cv2

    if moves is None:
        return
    s = TIMER_FROM + int(t)
    cv2.putText(frame, f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}", (20, 78), cv2.FONT_HERSHEY_SIMPLEX, 1.0,
                (240, 240, 240), 2, cv2.LINE_AA)
    c = CLOCK_FROM + int(t)
    cv2.putText(frame, f"{c // 3600 % 12}:{c // 60 % 60:02d} AM", (CUR[0] + CUR[2] - 150, 78),
                cv2.FONT_HERSHEY_SIMPLEX, 0.9, (240, 240, 240), 2, cv2.LINE_AA)
    x, y = pointer_at(moves, t)
    arrow = np.array([[0, 0], [0, 22], [6, 17], [10, 26], [14, 24], [10, 16], [17, 16]]) + [int(x), int(y)]
    cv2.fillPoly(frame, [arrow], (255, 255, 255), cv2.LINE_AA)
    cv2.polylines(frame, [arrow], True, (0, 0, 0), 1, cv2.LINE_AA)


def state_at(shot: dict, t: float) -> tuple[int | None, int]:
    """(bullets shown, notes scroll in pixels) of `shot` at t."""
    shown = SLIDES[shot["key"]][2]
    scroll = 0
    for kind, at in shot["events"]:
        if kind == "build" and t >= at:
            shown += 1
        if kind == "scroll" and t >= at:
            full = len(notes_image(shot["key"])) - NOTES[3]
            u = min(1.0, (t - at) / 0.6)
            scroll = int(round(full * u * u * (3 - 2 * u) / 3)) * 3
    return shown, scroll


def sound(clips: list[list[np.ndarray]], shots: list[dict], duration: float, rng) -> np.ndarray:
    """The voice over drifting room noise, a fan's rumble and hiss; a soft click at every change and build."""
    from scipy.signal import butter, sosfilt

    voiced = [(c, at) for sounds, s in zip(clips, shots) for c, (at, _) in zip(sounds, s["clips"])]
    audio = independent_lecture.soundtrack([c for c, _ in voiced], [at - LEAD for _, at in voiced], duration, rng)
    fan = sosfilt(butter(2, [80, 400], btype="band", fs=SR, output="sos"), rng.normal(0, 1, audio.size))
    audio += (0.006 * fan / np.std(fan) + 0.003 * rng.normal(0, 1, audio.size)).astype(np.float32)
    click = (rng.normal(0, 1, 160) * np.exp(-np.arange(160) / 25)).astype(np.float32) * 0.05
    for at in [s["start"] for s in shots[1:]] + [e[1] for s in shots for e in s["events"] if e[0] == "build"]:
        i = int((at - 0.05) * SR)
        audio[i:i + click.size] += click
    return audio


def render(out: Path) -> dict:
    """Writes OUT/NAME, OUT/truth.json and OUT/frames/*.png (each shot's middle frame); returns the truth."""
    import av
    from PIL import Image

    rng = np.random.default_rng(41)
    clips = [[independent_lecture.speak(text, VOICE, RATE) for _, text in parts] for *_, parts in SHOTS]
    shots = timeline(clips)
    duration, moves, screen = shots[-1]["end"], pointer_moves(shots), Screen()
    starts = [s["start"] for s in shots]
    (out / "frames").mkdir(exist_ok=True)
    with av.open(str(out / NAME), "w") as container:
        video, audio_stream = independent_lecture.streams(container, FPS)
        for f in range(int(duration * FPS)):
            t = f / FPS
            k = int(np.searchsorted(starts, t, side="right")) - 1
            s = shots[k]
            frame = screen.picture(s["key"], s["mode"], *state_at(s, t)).copy()
            overlay(frame, t, moves if s["mode"] == "presenter" else None)
            if f == int((s["start"] + s["end"]) / 2 * FPS):
                Image.fromarray(frame).save(out / "frames" / f"{k:02d}_{s['key']}_{s['mode']}.png")
            for packet in video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        independent_lecture.finish(container, video, audio_stream, sound(clips, shots, duration, rng))
    truth = truth_of(shots, moves, duration)
    (out / "truth.json").write_text(json.dumps(truth, indent=1))
    switch = truth["switch"]
    print(f"rendered {duration:.1f} s at {W}x{H}, {FPS} fps; {len(shots)} shots: " + ", ".join(
        f"{s['start']:.1f} {s['key']}{'' if s['mode'] == 'presenter' else ' (show)'}" for s in shots))
    print(f"switch to the slideshow at {switch:.1f} s ({duration - switch:.1f} s before the end); builds "
          f"{truth['builds']}; notes scroll at {truth['scroll']}; {len(moves)} pointer moves")
    return truth


def truth_of(shots: list[dict], moves: list[list], duration: float) -> dict:
    kinds, seen = [], set()
    for prev, s in zip(shots, shots[1:]):
        kinds.append("switch" if prev["key"] == s["key"] else "show change" if s["mode"] == "show" else
                     "step back" if ORDER.index(s["key"]) < ORDER.index(prev["key"]) else
                     "step forward" if s["key"] in seen else "presenter change")
        seen.add(prev["key"])
    span = {}
    for s in reversed(shots):
        span[s["key"]] = (s["start"], s["end"])  # the first showing wins
    span["linux"] = (span["linux"][0], next(s["end"] for s in shots if s["key"] == "linux" and s["mode"] == "show"))
    builds = [e[1] for s in shots for e in s["events"] if e[0] == "build"]
    scroll = next(e[1] for s in shots for e in s["events"] if e[0] == "scroll")
    situations = {"notes scroll": [scroll, scroll, scroll + 0.6 + 1.0]}
    situations.update({f"pointer {t0:.0f}": [t0, t0, t1 + 1.0] for t0, t1, *_ in moves})
    return {"shots": shots, "duration": duration, "cuts": [s["start"] for s in shots[1:]], "cut_kinds": kinds,
            "builds": builds, "scroll": scroll, "switch": next(s["start"] for s in shots if s["mode"] == "show"),
            "pointer": moves, "situations": situations, "spans": span,
            "queries": [[q, *span[key], kind] for q, key, kind in QUERIES],
            "query_keys": {q: key for q, key, _ in QUERIES}}


def overlap(a: float, b: float, start: float, end: float) -> float:
    return max(0.0, min(b, end) - max(a, start))


def score_cuts(rec, index, truth: dict) -> None:
    """Cuts and section edges (builds optional), recall per kind of change, each false alarm's situation."""
    from momentsearch.evaluate import boundary_scores, detected_boundaries

    cuts = detected_boundaries(index)[rec.path]
    sections = [float(a) for a, _ in rec.sections[1:]]
    for label, found in (("picture cuts", cuts), ("section edges", sections)):
        sc = boundary_scores(found, truth["cuts"], optional=truth["builds"])
        print(f"{label}: found {[round(x, 1) for x in found]}: P {sc.precision:.2f} R {sc.recall:.2f} "
              f"F1 {sc.f1:.2f} at +-1 s (builds optional)")
    per: dict[str, list] = {}
    for c, kind in zip(truth["cuts"], truth["cut_kinds"]):
        near = [x for x in cuts if abs(x - c) <= 1.0]
        per.setdefault(kind, []).append(bool(near))
        print(f"  true cut {c:6.1f} {kind:16s}: {'found at ' + str(round(near[0], 1)) if near else 'MISSED'}")
    print("  recall per kind: " + ", ".join(f"{k} {sum(v)}/{len(v)}" for k, v in per.items()))
    for b in truth["builds"]:
        near = [x for x in cuts if abs(x - b) <= 1.0]
        print(f"  build {b:6.1f} (optional): {'cut at ' + str(round(near[0], 1)) if near else 'no cut'}")
    for x in cuts:
        if all(abs(x - c) > 1.0 for c in truth["cuts"] + truth["builds"]):
            print(f"  false alarm {x:6.1f} in {independent_media_lecture.situation_of(x, truth)}")


def slide_words(key: str, shown: int | None = None) -> set[str]:
    title, bullets, _ = SLIDES[key]
    return set(re.findall(r"[a-z0-9]{5,}", " ".join([title, *bullets[:shown]]).lower()))


def report_shots(rec, diag: dict, truth: dict) -> None:
    """Per shot: its visual segments, and per OCR entry over it the share of the current slide's, the preview's
    and the notes' words (5+ letters) that its text holds."""
    for s in truth["shots"]:
        a, b, key = s["start"], s["end"], s["key"]
        segs = [(round(x, 1), round(y, 1)) for x, y in rec.visual_segments if overlap(x, y, a, b) > 1.0]
        print(f"shot {a:6.1f}-{b:6.1f} {key} ({s['mode']}): visual segments {segs}")
        nxt = ORDER[min(ORDER.index(key) + 1, N_SLIDES - 1)]
        parts = {"slide": slide_words(key), "preview": slide_words(nxt, SLIDES[nxt][2]),
                 "notes": set(re.findall(r"[a-z0-9]{5,}", NOTES_TEXT[key].lower()))}
        if s["mode"] == "show":  # the slideshow shows neither preview nor notes
            parts = {"slide": parts["slide"]}
        for x, y, text in diag["ocr"]:
            if overlap(x, y, a, b) > 1.0:
                low = text.lower()
                share = {n: sum(w in low for w in ws) / max(1, len(ws)) for n, ws in parts.items()}
                print(f"    ocr {x:6.1f}-{y:6.1f} " + " ".join(f"{n} {v:.2f}" for n, v in share.items()) +
                      f" ({len(text)} chars): {text[:150]!r}")


def report_where(diag: dict, truth: dict) -> None:
    """For each preview and notes query, where its top 3 lie: seconds on the target slide and on the slide
    shown just before it (the preview's time); PULLED EARLY when the top result lies mostly on the latter."""
    shots = truth["shots"]
    for q in diag["queries"]:
        if q["type"] not in ("preview", "notes"):
            continue
        a, b = q["truth"]
        before = max((s for s in shots if s["end"] <= a + 0.01), key=lambda s: s["end"], default=None)
        pa, pb = (before["start"], before["end"]) if before else (0.0, 0.0)
        parts = []
        for rank, m in enumerate(q["results"], 1):
            on, early = overlap(m["start"], m["end"], a, b), overlap(m["start"], m["end"], pa, pb)
            flag = " PULLED EARLY" if rank == 1 and early > on else ""
            parts.append(f"#{rank} {m['start']:.1f}-{m['end']:.1f} on slide {on:.1f} s, on the slide before "
                         f"{early:.1f} s{flag}")
        print(f"{q['type']} {q['query']!r} (truth {a:.1f}-{b:.1f}, slide before {pa:.1f}-{pb:.1f}): " +
              "; ".join(parts))


def evaluate(out: Path, truth: dict, reuse: bool) -> None:
    index = independent_code_lecture.indexed(out, NAME, reuse)
    rec = index.videos()[0]
    score_cuts(rec, index, truth)
    diag = {"shots": truth["shots"], **independent_code_lecture.diagnostics(index, rec)}
    report_shots(rec, diag, truth)
    independent_code_lecture.run_queries(index, truth["queries"], diag)
    report_where(diag, truth)
    (out / "diagnostics.json").write_text(json.dumps(diag, indent=1, default=str))


def main() -> int:
    return independent_code_lecture.run_probe(__doc__, "/tmp/presenter", render, evaluate)


if __name__ == "__main__":
    sys.exit(main())
