#!/usr/bin/env python3
"""A mathematics lecture recorded as a screen capture of a LaTeX-Beamer deck shown full screen (a 4:3 PDF in
presentation mode, pillarboxed in black), rendered without momentsearch.testing, indexed and searched: a check on
a kind of real recording nothing was tuned on. 1280x720 at 10 fps, ~5 min. ONE template no other probe uses,
Beamer's "Madrid": infolines headline (section | lecture) and footline (author | title | course, "n / 15") in
three blues, a blue frame-title bar, blue balls as bullets, rounded shadowed blocks (blue title bar over a pale
body; examples green), faint navigation symbols. Fourier series in 15 slides, read by a voice no other script
uses (espeak-ng en-gb-x-rp+m8 at 150 wpm) over a little room tone. The maths is typeset glyph by glyph from a
small TeX subset, as a textbook shows it (DejaVu Serif: italic letters, upright digits and function names,
fractions with a bar, raised and shrunk scripts, ∫ and ∑ with limits, scaled brackets and braces). It has
  equations   most slides: displayed formulas next to a few words ("Definition", "Lemma", "Example")
  spoken      the lecturer reads maths aloud ("a sub n equals one over pi times the integral from minus pi
              to pi of f of x times cosine n x, d x"); some formulas are shown and never read
  builds      two derivations revealed one line per step (Beamer's \\pause: 4 steps, lines fixed in place)
  plot        axes, tick labels (−π ... π), the square wave and three partial sums; and one boxed result.

Decisions, fixed before any result was seen. The true cuts are the 14 slide changes, +-1 s. Build steps are
no cuts (the README decides: a build only adds strokes, one slide and topic): a detected boundary farther
than 1 s from every true cut is a false alarm, put down to the build step whose window (its start - 1 s to
its start + 3 s) holds it, else to the plot slide if it is on screen, else "other". Section edges are scored
against the same cuts. A query's truth is the span of the slide its words or formula are on (a build slide:
from its first step to the next slide). Types: said (words the lecturer says, spoken maths included), concept
(a paraphrase sharing no key word with its slide), shown (words only on the slide, never said), symbols (a
formula as the slide writes it, in Unicode; some also read aloud, some never) and typed (maths as a student
types it into a search box). The 18 queries were written with the deck, before the first run, not changed.

    python3 scripts/independent_maths_lecture.py [--out /tmp/mathslec] [--reuse]

Prints picture cuts and section edges against the truth (P / R / F1 at +-1 s, misses, false alarms by
situation); per slide its visual segments, what it shows (maths flattened: a_n, (1)/(π)), each OCR entry's
text, which maths symbols OCR kept, what Whisper heard; each query's type, hit or miss (top result's IoU >=
0.5), truth, top span, IoU and channel scores; the run time. Writes OUT/diagnostics.json (the index's segments,
sections, OCR, transcript, chapters; the per-slide report; each query's top 3) and OUT/frames/*.png.
`--reuse` scores what OUT holds. Deterministic (fixed seeds). One lecture in its own index: a probe.
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
import independent_media_lecture  # noqa: E402 (its cut report)

W, H, FPS, SR = 1280, 720, 10, 16000
DW, DH, DX = 960, 720, 160  # the deck page (4:3) and its left edge on the screen
VOICE, RATE = "en-gb-x-rp+m8", 150
LEAD = independent_lecture.LEAD  # seconds from a slide's start to its first word
GAP, STEP_LEAD, STEP_PAUSE = 1.5, 0.5, 0.6  # s: after a slide's last word; step shown to its first word; between
NAME = "math2410_lecture11_fourier.mp4"
FACES = {"r": "Serif", "i": "Serif-Italic", "s": "Sans", "op": "MathTeXGyre"}  # DejaVu faces
BLUE, DARK, MID, GREEN, RED = (51, 51, 179), (26, 26, 90), (38, 38, 134), (0, 120, 0), (200, 30, 30)
BLACK, WHITE, PALE = (0, 0, 0), (255, 255, 255), (233, 233, 243)
ROMAN = {"cos", "sin", "lim", "max", "Si", "odd", "even", "for", "all", "on"}  # upright in maths
SPACED = dict.fromkeys("=∼≈→≤≥∈⇒", 0.28) | dict.fromkeys("+−", 0.22)  # em of space around relations and signs
SECTIONS = ["Series", "Coefficients", "Convergence", "Further"]

# (key, title, section, steps); a step's elements: ("item" / "text" / "eq", row), ("eqa", left, right) (a derivation
# line), ("block" / "example", title, [elements]); a row: words, maths between $...$. SPEECH: a text per step.
SLIDES = [
    ("title", "Fourier Series", 0, [[]]),
    ("periodic", "Periodic functions", 0, [[
        ("block", "Definition", [("text", "A function $f$ is $2π$-periodic if"),
                                 ("eq", "$f(x + 2π) = f(x)$ for all $x ∈ ℝ$.")]),
        ("item", "Examples: $cos nx$ and $sin nx$ for every integer $n$"),
        ("item", "Enough to know $f$ on one period $[−π, π)$")]]),
    ("orthogonal", "Orthogonality", 0, [[
        ("block", "Lemma", [("text", "For integers $m, n ≥ 1$:"),
                            ("eq", r"$\int_{−π}^{π} cos mx cos nx\,dx = π δ_{mn}$"),
                            ("eq", r"$\int_{−π}^{π} sin mx cos nx\,dx = 0$")]),
        ("item", "Proof sketch: product-to-sum formulas, then integrate over a full period")]]),
    ("series", "The Fourier series", 0, [[
        ("block", "Definition", [("text", "The Fourier series of $f$ is"), ("eq", r"$f(x) ∼ \frac{a_0}{2} + "
                                 r"\sum_{n=1}^{∞} \left(a_n cos nx + b_n sin nx\right)$")]),
        ("item", "$a_n$, $b_n$: the Fourier coefficients"), ("item", r"Partial sum $S_N(x)$: stop at $n = N$")]]),
    ("derive", "Finding the coefficients", 1, [
        [("text", "Multiply both sides by $cos mx$ and integrate over $[−π, π]$:"),
         ("eqa", r"$\int_{−π}^{π} f(x) cos mx\,dx$", r"$= \sum_{n=1}^{∞} a_n \int_{−π}^{π} cos nx cos mx\,dx + "
          r"\sum_{n=1}^{∞} b_n \int_{−π}^{π} sin nx cos mx\,dx$")],
        [("eqa", "", r"$= \sum_{n=1}^{∞} a_n π δ_{nm} + 0$")], [("eqa", "", "$= π a_m$")],
        [("eqa", r"$⇒ a_m$", r"$= \frac{1}{π} \int_{−π}^{π} f(x) cos mx\,dx$")]]),
    ("formulas", "Euler–Fourier formulas", 1, [[
        ("eq", r"$\boxed{a_n = \frac{1}{π} \int_{−π}^{π} f(x) cos nx\,dx, \quad b_n = \frac{1}{π} \int_{−π}^{π} "
               r"f(x) sin nx\,dx}$"),
        ("item", "$a_n$ for $n ≥ 0$, $b_n$ for $n ≥ 1$"),
        ("item", r"$\frac{a_0}{2}$ is the average of $f$ over one period")]]),
    ("square", "Example: the square wave", 1, [[
        ("example", "Example", [("eq", r"$f(x) = \cases{−1, & −π < x < 0 \\ 1, & 0 < x < π}$"),
                                ("text", "extended $2π$-periodically")]),
        ("item", "$f$ is odd, so every $a_n = 0$"), ("item", "Only the sine coefficients $b_n$ remain")]]),
    ("bn", "Square wave: computing $b_n$", 1, [
        [("eqa", "$b_n$", r"$= \frac{2}{π} \int_{0}^{π} sin nx\,dx$")],
        [("eqa", "", r"$= \frac{2}{π} \left[ −\frac{cos nx}{n} \right]_{0}^{π}$")],
        [("eqa", "", r"$= \frac{2}{nπ} (1 − cos nπ)$")],
        [("eqa", "", r"$= \frac{2}{nπ} (1 − (−1)^n) = \cases{\frac{4}{nπ}, & n odd \\ 0, & n even}$")]]),
    ("plot", "Partial sums of the square wave", 2, [[]]),
    ("gibbs", "The Gibbs phenomenon", 2, [[
        ("item", "Near $x = 0$ every $S_N$ overshoots the value $1$"),
        ("eq", r"$\max S_N(x) → \frac{2}{π} Si(π) ≈ 1.179$ as $N → ∞$"),
        ("item", "About 9% of the jump, on each side"),
        ("item", "The bump moves towards the jump; its height stays")]]),
    ("dirichlet", "Pointwise convergence", 2, [[
        ("block", "Dirichlet's theorem", [("text", "If $f$ is $2π$-periodic and piecewise smooth, then"),
                                          ("eq", r"$\lim_{N→∞} S_N(x) = \frac{f(x^+) + f(x^−)}{2}$")]),
        ("item", "Where $f$ is continuous the limit is $f(x)$"), ("item", "Square wave: $S_N(0) = 0$ for every $N$")]]),
    ("parseval", "Parseval's identity", 2, [[
        ("block", "Theorem (Parseval)", [("eq", r"$\frac{1}{π} \int_{−π}^{π} |f(x)|^2\,dx = \frac{a_0^2}{2} + "
                                                r"\sum_{n=1}^{∞} \left(a_n^2 + b_n^2\right)$")]),
        ("item", "Proof sketch: square the series, integrate, use orthogonality")]]),
    ("basel", "The Basel problem", 3, [[
        ("example", "Example", [("text", r"$f(x) = x$ on $(−π, π)$:   $a_n = 0$,   $b_n = \frac{2(−1)^{n+1}}{n}$"),
                                ("eq", r"$\frac{1}{π} \int_{−π}^{π} x^2\,dx = \frac{2π^2}{3} = "
                                       r"\sum_{n=1}^{∞} \frac{4}{n^2}$")]),
        ("eq", r"$⇒ \sum_{n=1}^{∞} \frac{1}{n^2} = \frac{π^2}{6}$")]]),
    ("complex", "Complex form", 3, [[
        ("eq", "$e^{iθ} = cos θ + i sin θ$"),
        ("eq", r"$f(x) = \sum_{n=−∞}^{∞} c_n e^{inx}, \quad c_n = \frac{1}{2π} \int_{−π}^{π} f(x) e^{−inx}\,dx$"),
        ("item", r"$c_n = \frac{a_n − i b_n}{2}$ for $n ≥ 1$")]]),
    ("summary", "Summary", 3, [[
        ("item", "Orthogonality turns one integral into one coefficient"),
        ("item", "At a jump the series converges to the midpoint"),
        ("item", "Near a jump the overshoot stays (about 9%)"),
        ("item", "Squares of the coefficients add up to the integral of $f^2$"),
        ("item", "Next lecture: the Fourier transform")]]),
]
PLOT_TEXT = ["N = 1", "N = 3", "N = 15", "−π", "−π/2", "π/2", "π", "1", "−1", "x", "$S_N(x)$",
             r"Partial sums $S_N(x) = \frac{4}{π} \sum_{k odd, k ≤ N} \frac{sin kx}{k}$"]
SPEECH = {  # the lecturer's words, one text per build step
    "title": ["Good morning. Today we write a periodic function as a sum of sines and cosines. By the end of the hour "
              "you should be able to compute these series by hand, and to say what happens at a jump."],
    "periodic": ["A function is periodic with period two pi if shifting its graph by two pi changes nothing at all. "
                 "Cosine n x and sine n x are the simplest examples, and the question is whether every reasonable "
                 "periodic function can be built out of them."],
    "orthogonal": ["The key fact is orthogonality. The integral from minus pi to pi of cosine m x times cosine n x, "
                   "d x, is zero unless m equals n, and then it equals pi. Sine times cosine always integrates to "
                   "zero. To see why, turn each product into a sum of two cosines."],
    "series": ["So we make a guess. We write f of x as a nought over two, plus the sum from n equals one to "
               "infinity of a n cosine n x plus b n sine n x. The numbers a n and b n are the Fourier coefficients."],
    "derive": ["Now the derivation. Multiply both sides by cosine m x and integrate from minus pi to pi.",
               "By orthogonality every sine term drops out, and only the cosine term with n equal to m survives.",
               "What is left is pi times a m.", "Divide by pi, and we have a formula for every coefficient."],
    "formulas": ["Here is the result, and it is worth a box. a sub n equals one over pi times the integral from minus "
                 "pi to pi of f of x times cosine n x, d x, and b sub n is the same with sine n x. A nought over two "
                 "is simply the average value of f."],
    "square": ["Let's try the square wave, equal to minus one on the left half of the interval and plus one on the "
               "right half. It is an odd function, so every cosine coefficient vanishes. Only the sine terms are "
               "left."],
    "bn": ["b n is two over pi times the integral from zero to pi of sine n x, d x.",
           "The antiderivative is minus cosine n x over n, taken between zero and pi.",
           "That gives two over n pi times one minus cosine n pi.",
           "And cosine n pi is minus one to the n, so b n equals two over n pi times one minus minus one to the n: "
           "four over n pi when n is odd, and zero when n is even."],
    "plot": ["Here are the partial sums. With one term we get a single sine wave. With three terms the corners "
             "begin to sharpen, and with fifteen the curve hugs the square wave almost everywhere."],
    "gibbs": ["But look at the corners. This is the Gibbs phenomenon. Next to the jump every partial sum shoots past "
              "one, by about one point one seven nine: an overshoot of about nine percent of the jump. Taking more "
              "terms squeezes the bump closer to the jump, but its height never goes away."],
    "dirichlet": ["So in what sense does the series converge? If f is piecewise smooth, the partial sums converge "
                  "at every point, to the average of the limits from the left and from the right. At the jump of "
                  "the square wave the series gives zero, exactly halfway."],
    "parseval": ["The next result is about sizes. One over pi times the integral of f squared equals a nought "
                 "squared over two, plus the sum of a n squared plus b n squared. To prove it, multiply the series "
                 "by itself and integrate; orthogonality removes every cross term."],
    "basel": ["Here is a famous payoff. Take f of x equal to x. Put its coefficients into the identity: the left "
              "side is two pi squared over three, the right side four times the sum of one over n squared. So the "
              "sum of one over n squared is pi squared over six."],
    "complex": ["Finally, a compact form. Recall that e to the i theta equals cosine theta plus i sine theta. Then f "
                "of x is the sum over all integers n of c n times e to the i n x, with c n equal to one over two pi "
                "times the integral of f of x times e to the minus i n x."],
    "summary": ["To sum up. Orthogonality gives us the coefficients, the series converges to the midpoint at a jump, "
                "the overshoot near a jump never disappears, and the squares of the coefficients add up to the "
                "integral of f squared. Next time: the Fourier transform."],
}
QUERIES = [  # (query, slide key, type); written with the deck, before the first run, not changed after
    ("multiply both sides by cosine m x and integrate", "derive", "said"),
    ("a sub n equals one over pi times the integral", "formulas", "said"),
    ("two over n pi times one minus minus one to the n", "bn", "said"),
    ("an overshoot of about nine percent", "gibbs", "said"),
    ("the average of the limits from the left and from the right", "dirichlet", "said"),
    ("why distinct harmonics do not interfere with one another", "orthogonal", "concept"),
    ("persistent ringing beside an abrupt discontinuity", "gibbs", "concept"),
    ("approximations getting better as more harmonics are added", "plot", "concept"),
    ("total power of a waveform is shared out among its frequency components", "parseval", "concept"),
    ("Parseval's identity", "parseval", "shown"),
    ("Euler–Fourier formulas", "formulas", "shown"),
    ("Dirichlet's theorem", "dirichlet", "shown"),
    ("f(x + 2π) = f(x)", "periodic", "symbols"),
    ("e^{iθ} = cos θ + i sin θ", "complex", "symbols"),
    ("b_n = 2/(nπ) (1 − (−1)^n)", "bn", "symbols"),
    ("integral of f(x)cos(nx)", "formulas", "typed"),
    ("sum 1/n^2 = pi^2/6", "basel", "typed"),
    ("a0/2 + sum an cos nx + bn sin nx", "series", "typed"),
]

def raw_arg(s: str, i: int) -> tuple[str, int]:
    """The braced argument at s[i] (or the one character there) and the index after it."""
    j, depth = i, 0
    while s[i] == "{" and (j == i or depth):
        depth += {"{": 1, "}": -1}.get(s[j], 0)
        j += 1
    return (s[i + 1:j - 1], j) if s[i] == "{" else (s[i], i + 1)

def parse(s: str) -> list:
    """`s` (_ ^ {} \\frac \\int \\sum \\lim \\max \\left \\right \\boxed \\cases \\, \\quad) as a row."""
    row, i = [], 0
    while i < len(s):
        cmd, script, run = re.match(r"\\([a-zA-Z]+|.)|([_^{])|([^_^{}\\]+)", s[i:]).groups()
        i += len(run or script or cmd) + (cmd is not None)
        if run or script:
            arg, i = (run, i) if run else raw_arg(s, i - (script == "{"))
            row.append(run or ("grp" if script == "{" else script, parse(arg)))
        elif cmd == "left":
            depth, j = 1, i + 1
            while depth:
                depth += s.startswith("\\left", j) - s.startswith("\\right", j)
                j += 1
            row.append(("fence", s[i], parse(s[i + 1:j - 1]), s[j + 5]))
            i = j + 6
        elif cmd in ("frac", "boxed", "cases"):
            a, i = raw_arg(s, i)
            b, i = raw_arg(s, i) if cmd == "frac" else (None, i)
            row.append(("/", parse(a), parse(b)) if b is not None else (cmd, parse(a)) if cmd == "boxed" else
                       (cmd, [[parse(x) for x in line.split("&")] for line in a.split("\\\\")]))
        else:
            row.append({"int": ("op", "∫"), "sum": ("op", "∑"), "lim": ("lim", "lim"), "max": ("lim", "max"),
                        ",": ("sp", 0.17), "quad": ("sp", 1.0)}[cmd])
    return row

@functools.lru_cache(maxsize=None)
def font(face: str, size: int):
    from PIL import ImageFont

    return ImageFont.truetype(f"/usr/share/fonts/truetype/dejavu/DejaVu{FACES[face]}.ttf", max(7, size))

class Box:
    """Laid-out maths: width, ascent, descent (px), kind; ops from the baseline's left end: "t" text, "bar"."""

    def __init__(self, w: float = 0.0, a: float = 0.0, d: float = 0.0, ops=None, kind: str = "ord"):
        self.w, self.a, self.d, self.ops, self.kind = w, a, d, ops or [], kind

    def put(self, other: "Box", dx: float, dy: float) -> "Box":
        self.ops += [(o[0], o[1] + dx, o[2] + dy, *o[3:]) for o in other.ops]
        return self

def glyphs(text: str, face: str, size: float, kind: str = "ord") -> Box:
    f = font(face, round(size))
    _, top, _, bottom = f.getbbox(text, anchor="ls")
    return Box(f.getlength(text), max(-top, 0.45 * size), max(bottom, 0.0), [("t", 0, 0, text, f)], kind)

def hcat(boxes: list[Box], kind: str = "ord") -> Box:
    out = Box(sum(b.w for b in boxes), max([b.a for b in boxes] + [0]), max([b.d for b in boxes] + [0]), kind=kind)
    for k, b in enumerate(boxes):
        out.put(b, sum(x.w for x in boxes[:k]), 0)
    return out

def words(text: str, size: float, level: int, prev: list[Box]) -> list[Box]:
    """A plain run of maths: letters italic (names in ROMAN upright), digits and signs upright, space around
    relations and binary signs (not in scripts, nor for a sign after an opening or a relation)."""
    out = []
    for tok in re.findall(r"[A-Za-z]+|\d+(?:\.\d+)?|\s|.", text):
        if tok.isspace():
            out.append(Box(0.17 * size, kind="sp"))
        elif tok in SPACED:
            last = next((b.kind for b in reversed(prev + out) if b.kind != "sp"), "open")
            gap = SPACED[tok] * size if level == 0 and (last not in ("open", "rel") or tok not in "+−") else 0.0
            out.append(hcat([Box(gap), glyphs(tok, "r", size), Box(gap)], "rel"))
        else:
            upright = tok in ROMAN or not tok.isalpha() or tok == "ℝ"
            out.append(glyphs(tok, "r" if upright else "i", size, "open" if tok in "([|," else "ord"))
    return out

def axis(size: float) -> float:
    """Height of the maths axis (the middle of a minus sign) above the baseline."""
    _, top, _, bottom = font("r", round(size)).getbbox("−", anchor="ls")
    return -(top + bottom) / 2

def fraction(num: Box, den: Box, size: float) -> Box:
    t, gap, ax = max(1.0, size / 16), 0.12 * size, axis(size)
    w = max(num.w, den.w) + 0.25 * size
    out = Box(w, ax + t / 2 + gap + num.d + num.a, den.a + gap + t / 2 - ax + den.d)
    out.put(num, (w - num.w) / 2, -ax - t / 2 - gap - num.d).put(den, (w - den.w) / 2, -ax + t / 2 + gap + den.a)
    out.ops.append(("bar", 0.08 * size, -ax - t / 2, w - 0.16 * size, t, 0))
    return out

def scripts(base: Box, sub: Box | None, sup: Box | None, size: float) -> Box:
    """`base` with its scripts: beside it, or (a sum, lim or max) centred above and below it."""
    if base.kind == "limits":
        w, gap = max(base.w, sub.w if sub else 0, sup.w if sup else 0), 0.1 * size
        out = Box(w, base.a + (gap + sup.d + sup.a if sup else 0), base.d + (gap + sub.a + sub.d if sub else 0))
        out.put(base, (w - base.w) / 2, 0)
        if sup:
            out.put(sup, (w - sup.w) / 2, -base.a - gap - sup.d)
        return out.put(sub, (w - sub.w) / 2, base.d + gap + sub.a) if sub else out
    integral = base.kind == "int"
    up = base.a - 0.5 * size if integral else max(0.45 * size, base.a - 0.35 * size)
    down = base.d - 0.1 * size if integral else max(0.25 * size, base.d - 0.2 * size)
    tuck = -0.25 * size if integral else 0.0  # an integral's lower limit tucks under its slant
    out = hcat([base], "rel" if base.kind == "rel" else "ord")
    if sup:
        out.put(sup, base.w + 0.05 * size, -up).a = max(out.a, up + sup.a)
    if sub:
        out.put(sub, base.w + 0.02 * size + tuck, down).d = max(out.d, down + sub.d)
    out.w = base.w + max(sup.w + 0.05 * size if sup else 0, sub.w + tuck if sub else 0) + 0.08 * size
    return out

def tall(glyph: str, a: float, d: float, size: float, kind: str = "ord") -> Box:
    """`glyph` (a bracket, a brace or a big operator) scaled to reach from a above to d below the baseline."""
    face = "op" if glyph in "∫∑" else "r"
    _, top, _, bottom = font(face, round(size)).getbbox(glyph, anchor="ls")
    f = font(face, round(size * max(1.0, (a + d) / (bottom - top))))
    _, top, _, bottom = f.getbbox(glyph, anchor="ls")
    dy = (d - a) / 2 - (top + bottom) / 2  # the glyph's middle on the middle of the span
    return Box(f.getlength(glyph), -(top + dy), bottom + dy, [("t", 0, dy, glyph, f)], kind)

def atom(it, size: float, level: int, prev: list[Box]) -> list[Box]:
    if isinstance(it, str):
        return words(it, size, level, prev)
    kind, ax = it[0], axis(size)
    if kind == "grp":
        return [lay(it[1], size, level)]
    if kind == "/":
        s = size if level == 0 else size * 0.78
        return [fraction(lay(it[1], s, level), lay(it[2], s, level), size)]
    if kind == "op":
        reach = 0.95 * size if it[1] == "∫" else 0.7 * size
        return [tall(it[1], ax + reach, reach - ax, size, "int" if it[1] == "∫" else "limits")]
    if kind == "lim":
        return [glyphs(it[1], "r", size, "limits")]
    if kind == "sp":
        return [Box(it[1] * size)]
    if kind == "fence":
        body = lay(it[2], size, level)
        a, d = max(body.a, 0.75 * size) + 0.1 * size, max(body.d, 0.25 * size) + 0.1 * size
        return [tall(it[1], a, d, size, "open"), body, tall(it[3], a, d, size)]
    if kind == "boxed":
        body, pad = lay(it[1], size, level), 0.4 * size
        out = Box(body.w + 2 * pad, body.a + pad, body.d + pad).put(body, pad, 0)
        out.ops.append(("bar", 0, -body.a - pad, body.w + 2 * pad, body.a + body.d + 2 * pad, 2))
        return [out]
    rows = [[lay(c, size, level) for c in line] for line in it[1]]  # cases: a brace over (value, condition)s
    col, step = max(r[0].w for r in rows) + 0.8 * size, max(r[0].a + r[0].d for r in rows) + 0.35 * size
    body = Box(col + max(r[-1].w for r in rows), ax + len(rows) * step / 2, len(rows) * step / 2 - ax)
    for k, r in enumerate(rows):
        y = -ax + (k - (len(rows) - 1) / 2) * step + 0.3 * size
        body.put(r[0], 0, y).put(r[-1], col, y)
    return [tall("{", body.a, body.d, size), Box(0.2 * size), body]

def lay(row: list, size: float, level: int = 0) -> Box:
    """A row laid out left to right; ("_", row) and ("^", row) attach to the piece before them."""
    boxes, i = [], 0
    while i < len(row):
        got = {}
        while i < len(row) and isinstance(row[i], tuple) and row[i][0] in "_^":
            got[row[i][0]] = lay(row[i][1], size * (0.7 if level == 0 else 0.78), level + 1)
            i += 1
        if got:
            boxes.append(scripts(boxes.pop() if boxes else Box(), got.get("_"), got.get("^"), size))
        else:
            boxes += atom(row[i], size, level, boxes)
            i += 1
    return hcat(boxes)

def mixed(text: str, size: float) -> Box:
    """Words in the deck's sans face with maths between $...$ (a title, a bullet, a line in a block)."""
    return hcat([lay(parse(p), size * 1.05) if k % 2 else glyphs(p, "s", size)
                 for k, p in enumerate(text.split("$")) if p])

def flat(row) -> str:
    """A row as one line of text (what the slide shows, for the report): a_n, x^{2}, (1)/(π), ∫_{−π}^{π}."""
    if isinstance(row, (str, list)):
        return row if isinstance(row, str) else "".join(flat(x) for x in row)
    kind, *rest = row
    script = lambda a: kind + (f"{{{flat(a)}}}" if len(flat(a)) > 1 else flat(a))  # noqa: E731
    return {"_": script, "^": script, "/": lambda a, b: f"({flat(a)})/({flat(b)})", "op": str, "grp": flat,
            "lim": lambda s: s + " ", "sp": lambda _: " ", "boxed": flat, "fence": lambda a, b, c: a + flat(b) + c,
            "cases": lambda rows: "{" + "; ".join(", ".join(flat(c) for c in r) for r in rows) + "}"}[kind](*rest)

def written(text: str) -> str:
    return "".join(flat(parse(p)) if k % 2 else p for k, p in enumerate(text.split("$")))

def place(box: Box, x: float, y: float, fill, step: int = 0) -> list:
    """`box`'s ops at (x, y) (its baseline's left end) in `fill`, tagged with the build step that shows them."""
    return [(step, (o[0], o[1] + x, o[2] + y, *o[3:], fill)) for o in box.ops]

def fit(text: str, size: float, width: float) -> Box:
    box = mixed(text, size)
    return box if box.w <= width else mixed(text, size * width / box.w * 0.98)

def elements(items: list, step: int, x: float, y: float, width: float, col: float) -> tuple[list, float]:
    """Ops for a step's elements laid out from y down (`col`: where derivation lines align); and the y below."""
    ops = []
    for el in items:
        if el[0] in ("block", "example"):
            inner, end = elements(el[2], step, x + 16, y + 44, width - 32, col)
            ops += [(step, ("rr", x + 4, y + 4, x + width + 4, end + 14, (196, 196, 206), "all")),
                    (step, ("rr", x, y, x + width, end + 10, PALE, "all")),
                    (step, ("rr", x, y, x + width, y + 32, BLUE if el[0] == "block" else GREEN, "top"))]
            ops += place(mixed(el[1], 22), x + 12, y + 24, WHITE, step) + inner
            y = end + 30
        elif el[0] == "eqa":
            left, right = fit(el[1], 27, col - x), fit(el[2], 27, x + width - col)
            ops += place(left, col - 10 - left.w, y + max(left.a, right.a), BLACK, step)
            ops += place(right, col, y + max(left.a, right.a), BLACK, step)
            y += max(left.a, right.a) + max(left.d, right.d) + 22
        else:
            box, indent = fit(el[1], 29 if el[0] == "eq" else 24, width - 30), 30 if el[0] == "item" else 0
            ops += [(step, ("ball", x + 10, y + box.a - 8))] if indent else []
            ops += place(box, x + (width - box.w) / 2 if el[0] == "eq" else x + indent, y + box.a, BLACK, step)
            y += box.a + box.d + (22 if el[0] == "eq" else 16)
    return ops, y

def frame_ops(k: int) -> list:
    """Every op of slide k, tagged with its build step, the template's first."""
    key, title, section, steps = SLIDES[k]
    ops = [(0, ("rr", x0, y0, x1, y1, c, None)) for x0, y0, x1, y1, c in (
        (0, 0, DW / 2, 22, DARK), (DW / 2, 0, DW, 22, MID), (0, DH - 22, DW / 3, DH, DARK),
        (DW / 3, DH - 22, 2 * DW / 3, DH, MID), (2 * DW / 3, DH - 22, DW, DH, BLUE))]
    for x, y, text in ((DW / 4, 16, SECTIONS[section]), (3 * DW / 4, 16, "Lecture 11"),
                       (DW / 6, DH - 6, "E. Varga (Mathematics)"), (DW / 2, DH - 6, "Fourier Series"),
                       (5 * DW / 6, DH - 6, f"MATH 2410       {k + 1} / {len(SLIDES)}")):
        ops += place(glyphs(text, "s", 13), x - glyphs(text, "s", 13).w / 2, y, WHITE)
    ops += [(0, ("nav", x, DH - 40)) for x in range(DW - 190, DW - 10, 30)]  # the navigation symbols, faint
    if key == "title":
        ops.append((0, ("rr", 120, 150, DW - 120, 290, BLUE, "all")))
        for text, size, y, fill in (("Fourier Series", 44, 215, WHITE), ("Elena Varga", 24, 380, BLACK),
                                    ("Orthogonality, coefficients and convergence", 22, 262, WHITE),
                                    ("Department of Mathematics", 20, 420, BLACK),
                                    ("MATH 2410  ·  Lecture 11  ·  14 October", 20, 480, BLACK)):
            ops += place(glyphs(text, "s", size), (DW - glyphs(text, "s", size).w) / 2, y, fill)
        return ops
    ops += [(0, ("rr", 0, 22, DW, 80, BLUE, None))] + place(mixed(title, 30), 26, 62, WHITE)
    if key == "plot":
        return ops + plot_ops()
    col, y = 60 + max([mixed(e[1], 27).w for step in steps for e in step if e[0] == "eqa"] + [0]), 112
    for j, items in enumerate(steps):
        more, y = elements(items, j, 40, y, DW - 80, col)
        ops += more
    return ops

def plot_ops() -> list:
    """The square wave and its partial sums S_1, S_3, S_15 on (−π, π), with axes, ticks, legend and caption."""
    x0, x1, yc, sy, ya = 110, 870, 345, 170, 490  # x of −π and π; y of 0; pixels per unit; x of the y axis
    px = lambda x: x0 + (x + np.pi) / (2 * np.pi) * (x1 - x0)  # noqa: E731
    xs, grey = np.linspace(-np.pi, np.pi, 900), (150, 150, 150)
    lines = [([(x0 - 30, yc), (x1 + 30, yc)], BLACK), ([(ya, 600), (ya, 110)], BLACK),
             ([(x1 + 22, yc - 6), (x1 + 32, yc), (x1 + 22, yc + 6)], BLACK),
             ([(ya - 6, 118), (ya, 108), (ya + 6, 118)], BLACK),
             ([(x0, yc + sy), (ya, yc + sy), (ya, yc - sy), (x1, yc - sy)], grey)]
    lines += [([(px(x), yc - 6), (px(x), yc + 6)], BLACK) for x in (-np.pi, -np.pi / 2, np.pi / 2, np.pi)]
    lines += [([(ya - 6, yc - sy * v), (ya + 6, yc - sy * v)], BLACK) for v in (1, -1)]
    for n, colour in ((1, BLUE), (3, GREEN), (15, RED)):
        ys = 4 / np.pi * sum(np.sin(k * xs) / k for k in range(1, n + 1, 2))
        lines += [([(px(a), yc - sy * b) for a, b in zip(xs, ys)], colour)]
    ops = [(0, ("p", pts, 3, c)) for pts, c in lines] + [(0, ("rr", 100, 104, 250, 214, WHITE, None))]
    labels = [(px(x) - mixed(t, 20).w / 2, yc + 30, t) for x, t in zip((-np.pi, -np.pi / 2, np.pi / 2, np.pi),
                                                                    ("$−π$", "$−π/2$", "$π/2$", "$π$"))]
    labels += [(ya - 24, yc - sy + 7, "$1$"), (ya + 14, yc + sy + 7, "$−1$"), (x1 + 14, yc + 30, "$x$"),
               (ya + 14, 118, "$S_N(x)$")]
    for j, (t, colour) in enumerate((("$N = 1$", BLUE), ("$N = 3$", GREEN), ("$N = 15$", RED))):
        ops.append((0, ("p", [(112, 136 + 32 * j), (152, 136 + 32 * j)], 3, colour)))
        labels.append((164, 143 + 32 * j, t))
    caption = mixed(PLOT_TEXT[-1], 22)
    labels.append(((DW - caption.w) / 2, 650, PLOT_TEXT[-1]))
    return ops + [op for x, y, t in labels for op in place(mixed(t, 20 if y < 640 else 22), x, y, BLACK)]

def deck(k: int, step: int) -> np.ndarray:
    """Slide k with its build steps up to `step` shown, as the screen shows it (pillarboxed in black)."""
    from PIL import Image, ImageDraw

    im = Image.new("RGB", (DW, DH), WHITE)
    d, faint = ImageDraw.Draw(im), (200, 200, 222)
    for j, (kind, x, y, *rest) in frame_ops(k):
        if j > step:
            continue
        if kind == "t":
            d.text((x, y), rest[0], font=rest[1], fill=rest[2], anchor="ls")
        elif kind == "bar":
            d.rectangle([x, y, x + rest[0], y + rest[1]], fill=None if rest[2] else rest[3],
                        outline=rest[3] if rest[2] else None, width=max(1, round(rest[2])))
        elif kind == "rr":
            d.rounded_rectangle([x, y, rest[0] - 1, rest[1] - 1], 8 if rest[3] else 0, fill=rest[2],
                                corners=(True, True, False, False) if rest[3] == "top" else None)
        elif kind == "ball":
            d.ellipse([x - 7, y - 7, x + 7, y + 7], fill=BLUE)
            d.ellipse([x - 5, y - 5, x - 1, y - 1], fill=(150, 150, 230))
        elif kind == "nav":
            d.polygon([(x, y + 6), (x + 8, y), (x + 8, y + 12)], fill=faint)
            d.rectangle([x + 11, y + 1, x + 19, y + 11], outline=faint, width=2)
        else:  # "p": a polyline (x: its points, y: its width)
            d.line(x, fill=rest[0], width=y, joint="curve")
    screen = np.zeros((H, W, 3), np.uint8)
    screen[:, DX:DX + DW] = np.asarray(im)
    return screen

def timeline(clips: list[list[np.ndarray]]) -> list[dict]:
    """Each slide's start and end and each build step's [shown, first word, last word], in seconds."""
    slides, t = [], 0.0
    for (key, *_), sounds in zip(SLIDES, clips):
        steps, at = [], t
        for j, clip in enumerate(sounds):
            shown, lead = (at + STEP_PAUSE, STEP_LEAD) if j else (t, LEAD)
            word = shown + lead
            steps.append([round(shown, 3), round(word, 3), round(word + len(clip) / SR, 3)])
            at = word + len(clip) / SR
        slides.append({"key": key, "start": round(t, 3), "end": round(at + GAP, 3), "steps": steps})
        t = at + GAP
    return slides

def texts(el) -> list[str]:
    """The lines of words and maths in a slide's elements (titles of blocks included)."""
    if isinstance(el, str):
        return [el] if el and el not in ("item", "text", "eq", "eqa", "block", "example") else []
    return [x for part in el for x in texts(part)]

def truth_of(slides: list[dict]) -> dict:
    span = {s["key"]: (s["start"], s["end"]) for s in slides}
    norm = lambda x: re.sub(r"[^a-z ]", "", x.lower())  # noqa: E731
    assert all(kind != "said" or norm(q) in norm(" ".join(SPEECH[key])) for q, key, kind in QUERIES)
    situations = {f"build {s['key']} step {j}": [a, a, a + 3.0] for s in slides for j, (a, *_) in
                  enumerate(s["steps"]) if j}
    situations["plot slide"] = [*span["plot"][:1], *span["plot"]]
    shows = {key: [written(x) for x in [title] + texts(steps) + (PLOT_TEXT if key == "plot" else [])]
             for key, title, _, steps in SLIDES}
    return {"slides": slides, "cuts": [s["start"] for s in slides[1:]], "situations": situations, "shows": shows,
            "queries": [[q, *span[key], kind] for q, key, kind in QUERIES]}

def render(out: Path) -> dict:
    """Writes OUT/NAME, OUT/truth.json and OUT/frames/*.png (each slide fully built); returns the truth."""
    import av
    from PIL import Image

    rng = np.random.default_rng(23)
    clips = [[independent_lecture.speak(text, VOICE, RATE) for text in SPEECH[key]] for key, *_ in SLIDES]
    assert all(len(c) == len(steps) for c, (*_, steps) in zip(clips, SLIDES)), "one text per build step"
    slides = timeline(clips)
    duration = slides[-1]["end"]
    shows = [(k, j, a) for k, s in enumerate(slides) for j, (a, *_) in enumerate(s["steps"])]
    pictures = {(k, j): deck(k, j) for k, j, _ in shows}
    (out / "frames").mkdir(exist_ok=True)
    for k, s in enumerate(slides):
        Image.fromarray(pictures[(k, len(s["steps"]) - 1)]).save(out / "frames" / f"{k:02d}_{s['key']}.png")
    with av.open(str(out / NAME), "w") as container:
        video, sound = independent_lecture.streams(container, FPS)
        for f in range(int(duration * FPS)):
            k, j, _ = shows[int(np.searchsorted([a for *_, a in shows], f / FPS, side="right")) - 1]
            for packet in video.encode(av.VideoFrame.from_ndarray(pictures[(k, j)], format="rgb24")):
                container.mux(packet)
        said = [(c, w) for sounds, s in zip(clips, slides) for c, (_, w, _) in zip(sounds, s["steps"])]
        audio = independent_lecture.soundtrack([c for c, _ in said], [w - LEAD for _, w in said], duration, rng)
        independent_lecture.finish(container, video, sound, audio + 0.002 * rng.normal(0, 1, audio.size))
    truth = truth_of(slides)
    (out / "truth.json").write_text(json.dumps(truth, indent=1, ensure_ascii=False))
    print(f"rendered {duration:.1f} s at {W}x{H}, {FPS} fps; slides (build steps): " + ", ".join(
        f"{s['start']:.1f} {s['key']}" + (f" {[a for a, *_ in s['steps'][1:]]}" if s["steps"][1:] else "")
        for s in slides))
    return truth

def report_slides(rec, diag: dict, truth: dict) -> None:
    """Per slide: visual segments, what it shows, OCR entries (which maths symbols they kept), what Whisper heard."""
    diag["slides"] = []
    for s in truth["slides"]:
        a, b, shows = s["start"], s["end"], truth["shows"][s["key"]]
        inside = lambda x, y, a=a, b=b: min(b, y) - max(a, x) > 1.0  # noqa: E731
        segs = [(round(x, 1), round(y, 1)) for x, y in rec.visual_segments if inside(x, y)]
        ocr = [o for o in diag["ocr"] if inside(o[0], o[1])]
        heard = [c for c in diag["transcript"] if a - 0.5 <= c[0] < b - 0.5]  # the chunks that start in it
        symbols = sorted({c for line in shows for c in line if ord(c) > 127 and c not in "–’·"})
        kept = [c for c in symbols if c in " ".join(o[2] for o in ocr)]
        print(f"slide {s['key']} {a:.1f}-{b:.1f}: {len(segs)} visual segments {segs}, {len(ocr)} OCR entries; maths "
              f"symbols kept {''.join(kept) or '-'} of {''.join(symbols) or '-'}\n    shows: {' | '.join(shows)}")
        for what, rows in (("ocr", ocr), ("heard", heard)):
            for x, y, text in rows:
                print(f"    {what} {x:6.1f}-{y:6.1f}: {text!r}")
        diag["slides"].append({"key": s["key"], "start": a, "end": b, "shows": shows, "segments": segs,
                               "ocr": ocr, "heard": heard, "symbols": symbols, "symbols_kept": kept})

def evaluate(out: Path, truth: dict, reuse: bool) -> None:
    index = independent_code_lecture.indexed(out, NAME, reuse)
    rec = index.videos()[0]
    independent_media_lecture.score_cuts(rec, index, truth)
    diag = independent_code_lecture.diagnostics(index, rec)
    report_slides(rec, diag, truth)
    independent_code_lecture.run_queries(index, truth["queries"], diag)
    (out / "diagnostics.json").write_text(json.dumps(diag, indent=1, default=str, ensure_ascii=False))

def main() -> int:
    return independent_code_lecture.run_probe(__doc__, "/tmp/mathslec", render, evaluate)

if __name__ == "__main__":
    sys.exit(main())
