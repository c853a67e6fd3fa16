#!/usr/bin/env python3
"""A data-science lab recorded as a screen share of a browser with a Jupyter notebook, rendered without
momentsearch.testing, indexed and searched: a check on a kind of real recording nothing was tuned on. 1280x720 at
10 fps, ~5 min: a desktop top bar (app name, a clock ticking each minute); Firefox with three tabs (the notebook,
the course deck as a PDF, a pandas documentation page titled "pandas.DataFrame.groupby") and a URL bar
("localhost:8888/notebooks/lab04_rents.ipynb"); classic Jupyter's header, menu and toolbar; the notebook at 120 %
zoom: markdown headings and notes, monospaced code cells with "In [n]:" prompts and syntax colours, outputs
(pandas tables, printed series and numbers, a scatter plot with axis labels, a ModuleNotFoundError traceback). A
mouse pointer moves while the instructor talks and clicks Run and the tabs. A voice no other script uses
(espeak-ng en-gb-x-gbclan+m3 at 148 wpm) over room drift and hiss, key clicks while typing. Ten stretches:

  load      the notebook's top: title, a note, imports, pd.read_csv and df.head()'s table
  clean     scrolled to "2. Missing values": df.isna().sum(); a cell typed live (dropna, fillna, len) and run; as it
            grows and prints, the cells under it are pushed down, off the screen
  groupby   scrolled to "3. Rent by district": two groupby cells with their outputs (run before class)
  scatter   scrolled to "4. Area vs rent": plt.scatter and its plot (run before class)
  model     scrolled to "5. A first model": the sklearn import is run and prints ModuleNotFoundError
  terminal  Alt+Tab to a terminal: "pip install scikit-learn" typed; pip's output streams (progress bars fill) and
            scrolls the history up a few lines
  fit       Alt+Tab back: the import re-run (the traceback vanishes, the cell under it moves up); the fit typed, run
  slide 1/2 the deck's tab (Firefox's PDF viewer, pages 14, 15) in ONE template no other probe uses: pale lavender
            page, a plum band down the left with the page number, plum serif title, teal diamond bullets
  evaluate  back to the notebook's tab: the evaluation cell typed and run (R squared 0.87, MAE 96.4 EUR)

Decisions, fixed before any result was seen, following README's "scrolling screen share" (not cut while it
scrolls; once it settles on a new page, cut). True cuts: the 4 scrolls (each settles on a new page; cut at the
scroll's midpoint; 1.2-1.8 s long), the 2 tab switches, the deck's page change, the 2 app switches (instant): 9,
+-1 s. No cuts: typing (the cell grows a line at a time, moving what is below it down), the blinking cursor, a
cell's output appearing, vanishing or replaced (what is under it pushed down or pulled up: the same page, its cells
still on screen), prompt numbers, the kernel's busy dot, the pointer, the clock; a detection farther than 1 s from
every true cut is a false alarm, put down to the situation whose window holds it. The terminal's scroll as pip's
output fills it is *optional* (neither hit nor false alarm): README cuts a scrolled page once it settles, but lines
streaming into a terminal are also output appearing. A query's truth is the stretch in which that part of the
notebook is discussed (from the cut into it to the cut out of it), even where its text stays on screen later.
Types: said (words spoken), concept (a paraphrase without the key words), shown (words or identifiers only on
screen, in code or markdown, never spoken), output (only in a cell's output), code (as a student types it; some
are read aloud, "df dot groupby"), slide and terminal. The 25 queries were written with the material, before the
first run, and not changed after. Their on-screen words (checked per cell in view) show in their own stretch only,
but for three that stay up on page 5: "No module named sklearn" (model; ~6 s into fit), "intercept 148.9" and
"LinearRegression().fit(X, y)" (fit; through evaluate).

    python3 scripts/independent_notebook_demo.py [--out /tmp/notebook] [--reuse]

Prints cuts and section edges against the truth (P / R / F1 at +-1 s; per kind; offsets from each scroll; false
alarms' situations), per stretch what the index holds, which code OCR kept as written, each code / output query's
lexical terms, each query's hit or miss (top result's IoU >= 0.5) with channel scores; writes OUT/diagnostics.json
and OUT/frames/. `--reuse` scores what OUT holds. Deterministic (fixed seeds). One lab in its own index: a probe.
"""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
import independent_code_lecture  # noqa: E402 (its index, query report, token pattern and command line)
import independent_lecture  # noqa: E402 (its espeak-ng reader, soundtrack and encoder)
import independent_media_lecture  # noqa: E402 (its situation lookup)

W, H, FPS, SR = 1280, 720, 10, 16000
VOICE, RATE = "en-gb-x-gbclan+m3", 148
LEAD, PAUSE, GAP, CPS = independent_lecture.LEAD, 0.6, 1.5, 8.0  # s; s; s; characters typed per second
NAME = "data101_lab04_rents.mp4"
FONTS = "/usr/share/fonts/truetype/"
MONO, MONO_B, TERM_FONT = FONTS + "dejavu/DejaVuSansMono.ttf", FONTS + "dejavu/DejaVuSansMono-Bold.ttf", \
    FONTS + "liberation/LiberationMono-Regular.ttf"
SANS, SANS_B = FONTS + "liberation/LiberationSans-Regular.ttf", FONTS + "liberation/LiberationSans-Bold.ttf"
SERIF_B, COND, DJ = (FONTS + f"dejavu/DejaVu{x}.ttf" for x in ("Serif-Bold", "SansCondensed", "Sans"))
NB_TOP, LH, ROW, X_IN, X_CODE = 190, 23, 27, 192, 200  # notebook area's top; code line; table row; input box; code
VIEW, TERM_TOP, TERM_LH = H - NB_TOP, 66, 20
TERM_ROWS = (H - TERM_TOP - 6) // TERM_LH
PLUM, TEAL, LAV = (92, 36, 96), (32, 150, 140), (246, 243, 251)
RUN_BUTTON, TABS = (330, 175), {"notebook": (150, 44), "slides": (400, 44)}

HEAD = ([""] + "district area_m2 rooms year_built balcony rent_eur".split(), [r.split() for r in (
    "0 Zentrum 62.0 2 1998.0 True 785.0", "1 Gohlis 48.5 2 1911.0 False 520.0", "2 Lindenau 91.0 3 2016.0 True 1190.0",
    "3 Zentrum 75.2 3 NaN True 810.0", "4 Gohlis 39.0 1 1965.0 False 455.0")])
DISTRICTS = (["", "mean", "median", "count"], [["district", "", "", ""]] + [r.split() for r in (
    "Zentrum 1041.3 980.0 212", "Schleussig 1012.5 955.0 88", "Gohlis 871.6 840.0 245", "Connewitz 803.4 770.0 161",
    "Lindenau 702.9 660.0 197")])
CODE = {
    "imports": ["import pandas as pd", "import matplotlib.pyplot as plt"],
    "load": ['df = pd.read_csv("data/rents_leipzig.csv")', "df.head()"], "isna": ["df.isna().sum()"],
    "clean": ['df = df.dropna(subset=["rent_eur"])',
              'df["year_built"] = df["year_built"].fillna(df["year_built"].median())', "len(df)"],
    "district": ['by_district = df.groupby("district")["rent_eur"].agg(["mean", "median", "count"])',
                 'by_district.sort_values("median", ascending=False).head()'],
    "rooms": ['df.groupby("rooms")["rent_eur"].median()'],
    "scatter": ["plt.figure(figsize=(7, 3.4))", 'plt.scatter(df["area_m2"], df["rent_eur"], s=8, alpha=0.5)',
                'plt.xlabel("area_m2"); plt.ylabel("rent_eur")', "plt.show()"],
    "import": ["from sklearn.linear_model import LinearRegression"],
    "fit": ['X = df[["area_m2"]]', 'y = df["rent_eur"]', "model = LinearRegression().fit(X, y)",
            'print(f"slope {model.coef_[0]:.2f} EUR per m2, intercept {model.intercept_:.1f}")'],
    "eval": ["from sklearn.metrics import r2_score, mean_absolute_error", "pred = model.predict(X)",
             'print("R squared", round(r2_score(y, pred), 2))',
             'print("MAE", round(mean_absolute_error(y, pred), 1), "EUR")'],
}
OUTS = {  # (kind, content, Out[n] prompt or None)
    "load": ("table", HEAD, 2), "clean": ("text", ["1193"], 7), "district": ("table", DISTRICTS, 4),
    "isna": ("text", [f"{k:13s}{v:>2s}" for k, v in zip(HEAD[0][1:], "0 0 3 41 0 7".split())] + ["dtype: int64"], 3),
    "scatter": ("plot", [[], []], None), "rooms": ("text", ["rooms", "1     455.0", "2     640.0", "3     850.0",
                                                             "4    1120.0"], 5),
    "import": ("error", ["-" * 75, "ModuleNotFoundError                       Traceback (most recent call last)",
                         "Cell In[8], line 1", "----> 1 from sklearn.linear_model import LinearRegression", "",
                         "ModuleNotFoundError: No module named 'sklearn'"], None),
    "fit": ("text", ["slope 11.42 EUR per m2, intercept 148.9"], None),
    "eval": ("text", ["R squared 0.87", "MAE 96.4 EUR"], None),
}
CELLS = [(k, "code", None, n) if kind == "code" else (k, kind, text.split("\n"), None) for k, kind, text, n in [
    ("md_title", "h1", "Lab 4: What drives apartment rents?", 0), ("md_data", "p", "Data: 1,200 listings scraped in "
     "March 2024 from a rental portal, one row per advert.", 0), ("imports", "code", "", 1),
    ("h_load", "h2", "1. Load the data", 0), ("load", "code", "", 2), ("h_missing", "h2", "2. Missing values", 0),
    ("isna", "code", "", 3), ("md_rule", "p", "Drop rows without a rent (our target); fill a missing year_built\nwith "
     "the column's median.", 0), ("clean", "code", "", None), ("md_exercise", "p", "Exercise: which other column has "
     "gaps? Decide whether\nto drop those rows or to fill them, and write one\nsentence on why.", 0),
    ("h_district", "h2", "3. Rent by district", 0), ("district", "code", "", 4), ("rooms", "code", "", 5),
    ("h_scatter", "h2", "4. Area vs rent", 0), ("scatter", "code", "", 6), ("h_model", "h2", "5. A first model", 0),
    ("import", "code", "", None), ("fit", "code", "", None), ("eval", "code", "", None)]]  # (key, kind, md, In [n])
SLIDES = [("Least squares in one picture", ["Model: rent = b0 + b1 \u00b7 area + error",
                                            "Pick b0, b1 minimising the sum of squared gaps",
                                            "Gaps are vertical: errors in rent, not in area"]),
          ("Judging a regression", ["R\u00b2: share of the variance explained (0 to 1)",
                                    "MAE: mean absolute error, in euros", "Always plot the residuals",
                                    "Compare with a baseline that predicts the mean"])]
PROMPT, COMMAND = "(data101) student@lab-pc:~/data101$ ", "pip install scikit-learn"
HISTORY = ["student@lab-pc:~$ cd data101", "student@lab-pc:~/data101$ source .venv/bin/activate",
           PROMPT + "git pull", "Already up to date.", PROMPT + "python --version", "Python 3.11.8", PROMPT + "ls",
           "data  lab03_plots.ipynb  lab04_rents.ipynb  README.md  slides", PROMPT + "jupyter notebook --no-browser &",
           "[1] 48213", "[I 10:31:02.114 NotebookApp] Serving notebooks from local directory: /home/student/data101",
           "[I 10:31:02.114 NotebookApp] Jupyter Notebook 6.5.6 is running at:",
           "[I 10:31:02.114 NotebookApp] http://localhost:8888/?token=3f9c1e07b5a24d6c8e1f0a9b2c7d4e5f6a7b8c9d0e1f2a",
           "[I 10:31:02.115 NotebookApp] Use Control-C to stop this server and shut down all kernels.",
           "[I 10:33:47.902 NotebookApp] Kernel started: 7d2e4b1a-93c0-4f5e-8a61-2b9c0d3e4f51, name: python3",
           "[I 10:35:48.017 NotebookApp] Saving file at /lab04_rents.ipynb"]
WHL = "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
SAT = "Requirement already satisfied: numpy<2.0,>=1.19.5 in ./.venv/lib/python3.11/site-packages (from scikit-learn)"
PIP = [(0.7, "Collecting scikit-learn"), (0.5, f"  Downloading scikit_learn-1.4.1.post1-{WHL}.metadata (11 kB)"),
       (0.3, SAT + " (1.26.4)"), (0.4, "Collecting scipy>=1.6.0 (from scikit-learn)"),
       (0.3, f"  Downloading scipy-1.12.0-{WHL}.metadata (60 kB)"),
       (0.4, "Collecting joblib>=1.2.0 (from scikit-learn)"),
       (0.3, "  Downloading joblib-1.3.2-py3-none-any.whl.metadata (5.4 kB)"),
       (0.3, "Collecting threadpoolctl>=2.0.0 (from scikit-learn)"),
       (0.3, "  Downloading threadpoolctl-3.3.0-py3-none-any.whl.metadata (13 kB)"),
       (0.4, f"Downloading scikit_learn-1.4.1.post1-{WHL} (12.1 MB)"), (0.1, "12.1|18.4"),
       (1.4, f"Downloading scipy-1.12.0-{WHL} (38.4 MB)"), (0.1, "38.4|21.0"),
       (1.4, "Downloading joblib-1.3.2-py3-none-any.whl (302 kB)"),
       (0.2, "Downloading threadpoolctl-3.3.0-py3-none-any.whl (17 kB)"),
       (0.3, "Installing collected packages: threadpoolctl, scipy, joblib, scikit-learn"),
       (2.2, "Successfully installed joblib-1.3.2 scikit-learn-1.4.1.post1 scipy-1.12.0 threadpoolctl-3.3.0"),
       (0.1, PROMPT)]  # (seconds after the line before, line; "size|speed" is a progress bar)

STRETCHES = [  # (name, how the picture changes into it, steps split by " | ": say TEXT; type CELL TEXT (the cell's
    # code typed while talking); run CELL COUNT; pip TEXT (the command typed while talking, then its output))
    ("load", None, "say Welcome to lab four. Today we work through one small analysis from start to finish in a "
        "Jupyter notebook. We load a table of apartment adverts, clean it, summarise it, draw it, and then fit and "
        "judge a simple prediction model. | say The first cell imports the usual libraries. In the second one, we "
        "call pd dot read csv with the path to the file, and head shows the first five rows. Each row is one flat "
        "that was offered for rent, with its neighbourhood, its floor area in square metres, the number of rooms, "
        "the year it was built, and the monthly rent in euros. | say Let's scroll down to the second part."),
    ("clean", ("scroll", "h_missing", 1.4), "say Real data is never complete. Counting the empty values in each "
        "column shows that a few flats have no rent at all, and quite a lot are missing the construction year. | "
        "type clean A flat without a rent is useless for us, because the rent is exactly what we want to predict. So "
        "I type df dot dropna, and keep only the rows where the rent is present. For the missing years I do "
        "something gentler, and put the typical year of the whole column into each gap. | run clean 7 | say Running "
        "the cell, we still have eleven hundred and ninety three flats, which is plenty for today."),
    ("groupby", ("scroll", "h_district", 1.7), "say Now a first summary. Which neighbourhoods are expensive? With df "
        "dot groupby on the district column, pandas splits the table into one group per district, takes the rent of "
        "each group, and computes the mean, the median and how many flats there are. | say Ordered from the top, the "
        "city centre leads clearly. The second cell does the same by the number of rooms, and the rent climbs "
        "steadily with every extra room."),
    ("scatter", ("scroll", "h_scatter", 1.2), "say Tables only go so far, so let's look at a picture. P L T dot "
        "scatter puts one dot per flat, with the floor area along the bottom and the rent going up. | say The points "
        "form a fairly tight band that rises from left to right. Small flats are cheap, large ones are expensive, "
        "and the spread grows a little for the biggest apartments. That is a strong hint that a straight line could "
        "describe it."),
    ("model", ("scroll", "h_model", 1.6), "say Time for a model. The first cell imports the linear regression class "
        "from scikit learn. | run import 8 | say And there is our first surprise of the day: this environment does "
        "not have scikit learn installed. That happens to all of you at some point, so let me show you how to fix "
        "it."),
    ("terminal", ("app", "terminal"), "pip In a terminal, with the same environment active, I run pip install, "
        "followed by the name of the package. | say Pip downloads the package together with the libraries it depends "
        "on, and sets them up. When it is done, we go back to the browser."),
    ("fit", ("app", "browser"), "say Back in the notebook, I run the import again, and this time it works. | run "
        "import 9 | type fit X is a table with the single input column, the floor area, and y is the rent. Linear "
        "regression dot fit then finds the straight line through our cloud of points, and the last line prints the "
        "two numbers that describe it. | run fit 10 | say So every extra square metre adds a little more than eleven "
        "euros to the monthly rent. | say Before we judge this line, let me switch to two slides from Tuesday's "
        "lecture."),
    ("slide 1", ("tab", "slides"), "say The fitted line is the one that makes the squared vertical gaps between the "
        "points and the line as small as possible. Big misses are punished much more than small ones, because the "
        "gaps are squared."),
    ("slide 2", ("page", 1), "say To judge the fit we use two numbers. The first says which fraction of the ups and "
        "downs in the rent the line accounts for. The second is simply the typical size of a mistake, measured in "
        "euros. And do look at your mistakes in a picture, not only in a number."),
    ("evaluate", ("tab", "notebook"), "say Back to the notebook to compute both. | type eval Model dot predict gives "
        "the rent that the line expects for each flat, and the two metric functions compare those predictions with "
        "the real rents. | run eval 11 | say That is a good result for a single input. The line accounts for most of "
        "the variation, and on average it is off by less than a hundred euros. | say For next week, add the number "
        "of rooms as a second input and see whether the error shrinks. That's all for today, see you on Thursday."),
]
QUERIES = [  # (query, stretch, type); written with the material, before the first run, not changed after
    ("each row is one flat that was offered for rent", "load", "said"),
    ("a flat without a rent is useless for us", "clean", "said"),
    ("the spread grows a little for the biggest apartments", "scatter", "said"),
    ("this environment does not have scikit learn installed", "model", "said"),
    ("which parts of town cost the most to live in", "groupby", "concept"),
    ("handling absent entries in the table before modelling", "clean", "concept"),
    ("homework to extend the regression with another predictor", "evaluate", "concept"),
    ("1,200 listings scraped in March 2024", "load", "shown"), ("fillna", "clean", "shown"),
    ("sort_values ascending", "groupby", "shown"), ("year_built 41", "clean", "output"),
    ("Schleussig 1012.5", "groupby", "output"), ("No module named sklearn", "model", "output"),
    ("intercept 148.9", "fit", "output"), ("R squared 0.87", "evaluate", "output"), ("pd.read_csv", "load", "code"),
    ("df.dropna", "clean", "code"), ("df.groupby", "groupby", "code"), ("plt.scatter", "scatter", "code"),
    ("LinearRegression().fit(X, y)", "fit", "code"), ("model.predict", "evaluate", "code"),
    ("big misses are punished much more than small ones", "slide 1", "slide"),
    ("always plot the residuals", "slide 2", "slide"), ("pip install scikit-learn", "terminal", "terminal"),
    ("Successfully installed joblib threadpoolctl", "terminal", "terminal"),
]
CODE_WORDS = [q for q, _, kind in QUERIES if kind in ("shown", "output", "code", "terminal")] + [
    "df.head()", "df.isna().sum()", "year_built", "rent_eur", "area_m2", "model.coef_[0]", "r2_score"]


@lru_cache(maxsize=None)
def font(path: str, px: int):
    return ImageFont.truetype(path, px)

def layout(state: dict) -> list[tuple]:
    """(key, kind, y, input height, total height) of each cell shown in `state` (code cells: text, count, out)."""
    y, placed = 14, []
    for key, kind, text, _ in CELLS:
        if kind == "code" and key not in state:
            continue
        box = {"h1": 56, "h2": 46}.get(kind, 12 + LH * len(text or [])) if kind != "code" else \
            14 + LH * (state[key]["text"].count("\n") + 1)
        out = OUTS[key] if kind == "code" and state[key]["out"] else ("", [[], []], None)
        extra = ROW * (len(out[1][1]) + 1) + 14 if out[0] == "table" else {"": 0, "plot": 330}.get(out[0], LH * len(
            out[1]) + 14)
        placed.append((key, kind, y, box, box + extra))
        y += box + extra + 10
    return placed

def draw_code(d, line: str, y: int) -> None:
    """One line of Python in CodeMirror's default light colours (keywords bold green, strings red, ...)."""
    col, cw = 0, font(MONO, 17).getlength("M")
    for m in independent_code_lecture.TOKEN.finditer(line):
        text, kind = m.group(0), m.lastgroup
        bold = kind == "word" and text in {"import", "from", "as", "True", "False", "None", "print", "len", "round"}
        colour = (0, 128, 0) if bold else {"string": (186, 33, 33), "number": (0, 136, 0)}.get(
            kind, (170, 34, 255) if text in "=+-*/<>%" else (0, 0, 0))
        if not text.isspace():
            d.text((X_CODE + col * cw, y), text, font=font(MONO_B if bold else MONO, 17), fill=colour)
        col += len(text)

def draw_output(d, im, out, y: int) -> None:
    """A cell's output under its input box: a pandas table, the plot, printed text or a traceback."""
    kind, body, count = out
    if count is not None:
        d.text((186, y + 4), f"Out[{count}]:", font=font(MONO, 16), fill=(216, 67, 21), anchor="ra")
    if kind == "plot":
        im.paste(scatter_plot(), (X_CODE, y + 6))
    for r, row in enumerate([body[0]] + body[1] if kind == "table" else []):
        ry, right = y + 6 + ROW * r, X_CODE + 130 * len(row)
        if r % 2 == 0 and r:
            d.rectangle([X_CODE, ry - 3, right, ry + ROW - 4], fill=(245, 245, 245))
        for i, cell in enumerate(row):
            d.text((X_CODE + 120 + 130 * i, ry), cell, font=font(SANS_B if r * i == 0 else SANS, 16), fill=(0, 0, 0),
                   anchor="ra")
        d.line([X_CODE, ry + ROW - 4, right, ry + ROW - 4], fill=(0, 0, 0)) if r == 0 else None
    if kind == "error":
        d.rectangle([X_CODE - 4, y + 2, 1196, y + 10 + LH * len(body)], fill=(255, 221, 221))
    for i, text in enumerate(body if kind in ("text", "error") else []):
        d.text((X_CODE, y + 6 + LH * i), text, font=font(MONO, 16), fill=(0, 0, 0))

def draw_cell(d, im, cell: tuple, live: dict | None, active) -> None:
    """One cell at its place (y already scrolled): markdown, or prompt, code box, cursor and output."""
    key, kind, y, box, h = cell
    if kind != "code":
        size = {"h1": 34, "h2": 27}.get(kind, 17)
        for i, text in enumerate(next(c[2] for c in CELLS if c[0] == key)):
            d.text((X_CODE - 4, y + 6 + 4 * (size > 17) + LH * i), text, font=font(SANS_B if size > 17 else SANS, size),
                   fill=(0, 0, 0))
        return
    lines = live["text"].split("\n")
    d.text((186, y + 8), f"In [{live['count'] or ' '}]:", font=font(MONO, 16), fill=(48, 63, 159), anchor="ra")
    d.rectangle([X_IN, y + 2, 1196, y + box - 2], fill=(247, 247, 247), outline=(207, 207, 207))
    for i, line in enumerate(lines):
        draw_code(d, line, y + 8 + LH * i)
    if live["out"]:
        draw_output(d, im, OUTS[key], y + box)
    if active and active[0] == key:
        edit = active[1] == "edit"
        d.rectangle([78, y - 2, 1204, y + h + 2], outline=(102, 187, 106) if edit else (171, 171, 171))
        d.rectangle([78, y - 2, 83, y + h + 2], fill=(102, 187, 106) if edit else (66, 165, 245))
        if edit and active[2]:
            cx, cy = X_CODE + font(MONO, 17).getlength("M") * len(lines[-1]), y + 8 + LH * (len(lines) - 1)
            d.line([cx, cy, cx, cy + LH - 4], fill=(0, 0, 0), width=2)

@lru_cache(maxsize=256)
def viewport(key: tuple, off: int) -> np.ndarray:
    """The notebook area (W x VIEW) for the hashable notebook state `key` scrolled `off` pixels down."""
    state, active = {k: {"text": x, "count": c, "out": o} for k, x, c, o in key[0]}, key[1]
    im = Image.new("RGB", (W, VIEW), (238, 238, 238))
    (d := ImageDraw.Draw(im)).rectangle([70, 0, 1210, VIEW], fill=(255, 255, 255))
    for cell in layout(state):
        if cell[2] + cell[4] >= off and cell[2] <= off + VIEW:
            draw_cell(d, im, (*cell[:2], cell[2] - off, *cell[3:]), state.get(cell[0]), active)
    return np.asarray(im)

@lru_cache(maxsize=1)
def scatter_plot():
    """The scatter cell's figure: 300 seeded flats (rent = 148.9 + 11.42 area + noise), axes, ticks, labels."""
    rng, (x0, y0, x1, y1) = np.random.default_rng(3), (86, 12, 626, 262)
    area = rng.uniform(24, 135, 300)
    rent = 148.9 + 11.42 * area + rng.normal(0, 1, 300) * (30 + 1.2 * area)
    img, (yy, xx) = np.full((316, 640, 3), 255.0), np.mgrid[0:316, 0:640]
    for cx, cy in zip(x0 + (area - 15) / 130 * (x1 - x0), y1 - (rent - 200) / 1700 * (y1 - y0)):
        m = (xx - cx) ** 2 + (yy - cy) ** 2 <= 9
        img[m] = 0.5 * img[m] + 0.5 * np.array([31, 119, 180])
    im = Image.fromarray(img.astype(np.uint8))
    (d := ImageDraw.Draw(im)).rectangle([x0, y0, x1, y1], outline=(0, 0, 0))
    ticks = [((x0 + (v - 15) / 130 * (x1 - x0), y1 + 6), str(v), "ma") for v in range(20, 140, 20)]
    for xy, text, anchor in ticks + [((x0 - 6, y1 - (v - 200) / 1700 * (y1 - y0)), str(v), "rm") for v in (500, 1000,
                                     1500)] + [(((x0 + x1) / 2, y1 + 26), "area_m2", "ma")]:
        d.text(xy, text, font=font(SANS, 15 if text == "area_m2" else 13), fill=(0, 0, 0), anchor=anchor)
    label = Image.new("RGB", (90, 20), (255, 255, 255))
    ImageDraw.Draw(label).text((45, 10), "rent_eur", font=font(SANS, 15), fill=(0, 0, 0), anchor="mm")
    im.paste(label.rotate(90, expand=True), (12, (y0 + y1) // 2 - 45))
    return im

def window(app: str, clock: str, top: tuple):
    """A blank screen with the desktop's top bar (`app`'s name, the clock) and 26-60 px filled with `top`."""
    im = Image.new("RGB", (W, H), (255, 255, 255) if app.startswith("Firefox") else (30, 30, 30))
    (d := ImageDraw.Draw(im)).rectangle([0, 0, W, 25], fill=(0, 0, 0)), d.rectangle([0, 26, W, 61], fill=top)
    d.text((14, 5), f"Activities      {app}", font=font(SANS_B, 14), fill=(235,) * 3)
    d.text((W // 2, 5), clock, font=font(SANS_B, 14), fill=(235,) * 3, anchor="ma")
    return im, d

@lru_cache(maxsize=64)
def chrome(tab: str, busy: bool, clock: str) -> np.ndarray:
    """Firefox: three tabs, the URL bar; on the notebook's tab Jupyter's header, menu, toolbar, kernel dot."""
    im, d = window("Firefox Web Browser", clock, (222, 222, 228))
    for i, (name, title) in enumerate([("notebook", "lab04_rents - Jupyter Notebook"), ("slides", "lecture07_"
                                       "regression.pdf"), ("docs", "pandas.DataFrame.groupby \u2014 pandas")]):
        if name == tab:
            d.rounded_rectangle([8 + 250 * i, 29, 252 + 250 * i, 61], 6, fill=(255, 255, 255))
        d.ellipse([18 + 250 * i, 38, 32 + 250 * i, 52], fill=[(243, 118, 38), (200, 40, 40), (21, 4, 88)][i])
        d.text((40 + 250 * i, 37), title[:27] + " \u00d7", font=font(SANS, 14), fill=(20, 20, 30))
    d.rounded_rectangle([90, 66, 1180, 94], 5, fill=(240, 240, 244)), d.line([0, 99, W, 99], fill=(200, 200, 206))
    d.text((18, 70), "\u2190  \u2192  \u21bb", font=font(DJ, 16), fill=(60, 60, 70))
    d.text((110, 72), "localhost:8888/notebooks/lab04_rents.ipynb" if tab == "notebook" else
           "file:///home/student/data101/slides/lecture07_regression.pdf#page=14", font=font(SANS, 15), fill=(30,) * 3)
    if tab == "notebook":
        for x, y, text, f, px, grey in [(130, 110, "lab04_rents", SANS, 19, 0), (250, 114, "Last Checkpoint: 2 "
                                         "minutes ago (autosaved)", SANS, 13, 120), (20, 141, "File   Edit   View   "
                                         "Insert   Cell   Kernel   Widgets   Help", SANS, 15, 30),
                                        (1010, 141, "Trusted  |  Python 3 (ipykernel)", SANS, 13, 60),
                                        (306, 166, "\u25b6 Run   \u25a0   C   \u00bb     Code  \u25be", DJ, 15, 30)]:
            d.text((x, y), text, font=font(f, px), fill=(grey,) * 3)
        d.text((20, 106), "jupyter", font=font(SANS_B, 22), fill=(243, 118, 38))
        d.ellipse([1234, 142, 1248, 156], outline=(60,) * 3, width=2, fill=(60,) * 3 if busy else None)
        for k in range(7):
            d.rectangle([20 + 34 * k, 164, 50 + 34 * k, 186], outline=(190,) * 3)
        d.line([0, NB_TOP - 1, W, NB_TOP - 1], fill=(200,) * 3)
    return np.asarray(im).copy()

@lru_cache(maxsize=8)
def slide_frame(k: int, clock: str) -> np.ndarray:
    """The deck's tab: Firefox's PDF viewer (page 14 + k of 22) showing slide k in the deck's one template."""
    pil = Image.fromarray(chrome("slides", False, clock))
    (d := ImageDraw.Draw(pil)).rectangle([0, 100, W, H], fill=(56, 56, 61))
    d.rectangle([0, 100, W, 132], fill=(38, 38, 42))
    d.text((W // 2, 107), f"{14 + k}  of  22          \u2212   Page Fit \u25be   +", font=font(DJ, 15), fill=(230,) * 3,
           anchor="ma")
    im = Image.new("RGB", (1280, 720), LAV)
    (s := ImageDraw.Draw(im)).rectangle([0, 0, 110, 720], fill=PLUM), s.line([170, 158, 700, 158], fill=TEAL, width=4)
    s.text((55, 660), str(14 + k), font=font(SERIF_B, 34), fill=(255,) * 3, anchor="mm")
    s.text((170, 70), SLIDES[k][0], font=font(SERIF_B, 56), fill=PLUM)
    for i, text in enumerate(SLIDES[k][1]):
        s.polygon([(180, 240 + 92 * i), (192, 228 + 92 * i), (204, 240 + 92 * i), (192, 252 + 92 * i)], fill=TEAL)
        s.text((226, 220 + 92 * i), text, font=font(COND, 40), fill=(40, 30, 50))
    for i in range(9 if k == 0 else 0):  # a small least-squares drawing: points, the line, vertical gaps
        x, y = 900 + 30 * i, 560 - 22 * i + (-1) ** i * 28
        s.line([x, y, x, 575 - (x - 885) * 205 / 305], fill=(210, 60, 60), width=2)
        s.ellipse([x - 7, y - 7, x + 7, y + 7], fill=TEAL), s.line([885, 575, 1190, 370], fill=PLUM, width=4)
    s.text((170, 676), "DATA 101  Introduction to Data Science  \u00b7  Lecture 7: Regression", font=font(COND, 22),
           fill=(120, 110, 130))
    pil.paste(im.resize((960, 540), Image.LANCZOS), (160, 150))
    return np.asarray(pil).copy()

def term_lines(typed: int, t_rel: float | None) -> list[tuple[str, float | None]]:
    """The terminal's lines `t_rel` s after Enter (before it: None): (text, a progress bar's share or None)."""
    lines, at = [(x, None) for x in HISTORY] + [(PROMPT + COMMAND[:typed], None)], 0.0
    for delay, line in PIP if t_rel is not None else []:
        at += delay
        if t_rel < at:
            break
        lines.append((line, min(1.0, round((t_rel - at) / 1.2, 1)) if "|" in line else None))
    return lines

@lru_cache(maxsize=128)
def terminal(lines: tuple, blink: bool, clock: str) -> np.ndarray:
    """GNOME Terminal, maximised: the last rows of `lines` that fit (long lines wrapped), a block cursor."""
    im, d = window("Terminal", clock, (48, 48, 48))
    d.text((W // 2, 35), "student@lab-pc: ~/data101", font=font(SANS_B, 15), fill=(230,) * 3, anchor="ma")
    f, cw = font(TERM_FONT, 16), font(TERM_FONT, 16).getlength("M")
    cols = int((W - 20) / cw)
    rows = [(text[i:i + cols], bar) for text, bar in lines for i in range(0, max(1, len(text)), cols)][-TERM_ROWS:]
    for r, (text, bar) in enumerate(rows):
        y, colour = TERM_TOP + TERM_LH * r, (211, 215, 207)
        if bar is not None:  # pip's progress bar (its glyph is in DejaVu's mono face, not in Liberation's)
            size, speed = text.split("|")
            colour, n = (114, 156, 31) if bar >= 1 else (249, 38, 114), int(40 * bar)
            d.text((10 + 3 * cw, y), chr(0x2501) * n, font=font(MONO, 16), fill=colour)
            d.text((10 + (3 + n) * cw, y), chr(0x2501) * (40 - n), font=font(MONO, 16), fill=(70, 70, 70))
            text = f"{' ' * 44}{float(size) * bar:.1f}/{size} MB {speed} MB/s eta 0:00:0{0 if bar >= 1 else 1}"
        d.text((10, y), text, font=f, fill=colour)
    if blink:
        x, y = 10 + cw * len(rows[-1][0]), TERM_TOP + TERM_LH * (len(rows) - 1)
        d.rectangle([x, y, x + cw, y + 17], fill=(211, 215, 207))
    return np.asarray(im).copy()

def steps_of(text: str) -> list[tuple]:
    """A stretch's steps: ("say", text), ("type", cell, text), ("run", cell, count), ("pip", text)."""
    parts = [p.split(" ", 2 if p.startswith(("type", "run")) else 1) for p in text.split(" | ")]
    return [(p[0], p[1], int(p[2])) if p[0] == "run" else tuple(p) for p in parts]

def timeline(clips: dict) -> dict:
    """Walks STRETCHES: stretches, cuts, speech, typing, runs, scrolls, screens, key clicks, pointer moves (s)."""
    tl = {"spans": [], "cuts": [], "speech": [], "typing": {}, "runs": [], "scrolls": [], "screens": [(0.0, "nb")],
          "keys": [], "moves": [], "pip": None}
    rng, t = np.random.default_rng(17), 0.0
    for name, entry, steps in STRETCHES:
        if entry and entry[0] == "scroll":
            tl["scrolls"].append((t + 0.3, t + 0.3 + entry[2], entry[1]))
            tl["cuts"], t = tl["cuts"] + [(t + 0.3 + entry[2] / 2, "scroll")], t + entry[2] + 0.8
        elif entry:
            t = max(t, tl["pip"][2] + 1.0) if tl["pip"] else t
            tl["moves"] += [(t, t + 0.8, *TABS[entry[1]])] if entry[0] == "tab" else []
            t += 0.9 if entry[0] == "tab" else 0.4
            tl["screens"].append((t, {"terminal": "term", "slides": "slide0", 1: "slide1"}.get(entry[1], "nb")))
            tl["cuts"], tl["keys"], t = tl["cuts"] + [(t, entry[0])], tl["keys"] + [t], t + 0.4
        tl["spans"].append([tl["cuts"][-1][0] if entry else 0.0, None, name])
        for kind, *rest in steps_of(steps):
            if kind == "run":
                tl["moves"], tl["keys"] = tl["moves"] + [(t, t + 0.7, *RUN_BUTTON)], tl["keys"] + [t + 0.8]
                tl["runs"], t = tl["runs"] + [(rest[0], t + 0.8, rest[1])], t + 1.8
                continue
            clip = len(clips[rest[-1]]) / SR
            tl["speech"].append((rest[-1], t + 0.3))
            tl["moves"].append((t + 1.3, t + 2.1, rng.uniform(300, 1000), rng.uniform(260, 660)))
            typed = COMMAND if kind == "pip" else "\n".join(CODE[rest[0]]) if kind == "type" else ""
            t0, t1 = t + 0.5, t + 0.5 + len(typed) / CPS
            tl["keys"] += list(np.linspace(t0, t1, len(typed) + 1)) if typed else []
            if kind == "pip":
                tl["pip"] = (t0, t1 + 0.3, t1 + 0.3 + sum(d for d, _ in PIP))
            elif kind == "type":
                tl["typing"][rest[0]] = (t0, t1)
            t = max(t1, t + 0.3 + clip) + PAUSE
    for a, b in zip(tl["spans"], tl["spans"][1:]):
        a[1] = b[0]
    tl["spans"][-1][1] = tl["duration"] = round(t + GAP, 3)
    tl["targets"] = [next(c[2] for c in layout(nb_state(tl, t0)[0]) if c[0] == a) - 12 for t0, _, a in tl["scrolls"]]
    return tl

def nb_state(tl: dict, t: float) -> tuple[dict, tuple | None]:
    """The notebook at t: code cells' typed text, prompt count ("*": running), output shown; the active cell."""
    events = [(t0, k, "edit") for k, (t0, _) in tl["typing"].items()] + [(a, k, "cmd") for k, a, _ in tl["runs"]]
    state, fit_ran = {}, next((a for k, a, _ in tl["runs"] if k == "fit"), 1e9) + 0.5
    for key, kind, _, count in CELLS:
        if kind != "code" or (key == "eval" and t < fit_ran):
            continue
        full, (t0, t1) = "\n".join(CODE[key]), tl["typing"].get(key, (-2.0, -1.0))
        runs = [(a, n) for k, a, n in tl["runs"] if k == key and a <= t]
        count = ("*" if t < runs[-1][0] + 0.5 else runs[-1][1]) if runs else count
        state[key] = {"text": full[:int(len(full) * np.clip((t - t0) / (t1 - t0), 0, 1))],
                      "count": count, "out": key in OUTS and count not in (None, "*", 9)}
    last = max((e for e in events if e[0] <= t), default=None)
    active = None if last is None else (last[1], last[2], t < tl["typing"].get(last[1], (0, 0))[1] or t % 1 < 0.5)
    return state, active

def frame_at(tl: dict, t: float) -> np.ndarray:
    """The screen at t (terminal, a slide or the notebook, scrolled), with the mouse pointer on top."""
    screen, clock = [s for a, s in tl["screens"] if a <= t][-1], f"Thu 10:{41 + int((t + 25) // 60):02d}"
    if screen == "term":
        p0, enter, _ = tl["pip"]
        frame = terminal(tuple(term_lines(int(np.clip((t - p0) * CPS, 0, len(COMMAND))), t - enter if t >= enter
                                          else None)), t % 1 < 0.5, clock).copy()
    elif screen.startswith("slide"):
        frame = slide_frame(int(screen[-1]), clock).copy()
    else:
        off = 0.0
        for (t0, t1, _), target in zip(tl["scrolls"], tl["targets"]):
            u = np.clip((t - t0) / (t1 - t0), 0, 1)
            off = off + (target - off) * u * u * (3 - 2 * u) if t >= t0 else off
        state, active = nb_state(tl, t)
        frame = chrome("notebook", any(a <= t < a + 0.5 for _, a, _ in tl["runs"]), clock).copy()
        frame[NB_TOP:] = viewport((tuple((k, v["text"], v["count"], v["out"]) for k, v in state.items()), active),
                                  round(off))
    x, y = 900.0, 420.0
    for t0, t1, x1, y1 in tl["moves"]:
        u = np.clip((t - t0) / (t1 - t0), 0, 1) if t >= t0 else 0.0
        x, y = x + (x1 - x) * u * u * (3 - 2 * u), y + (y1 - y) * u * u * (3 - 2 * u)
    arrow = (np.array([[0, 0], [0, 17], [4, 13], [7, 20], [10, 19], [7, 12], [12, 12]]) + [x, y]).astype(np.int32)
    cv2.fillPoly(frame, [arrow], (0, 0, 0)), cv2.polylines(frame, [arrow], True, (255, 255, 255), 1)
    return frame

def sound(clips: dict, tl: dict, rng) -> np.ndarray:
    """The voice (with the room's drift), a key click per typed character, Enter and mouse click, hiss."""
    audio = independent_lecture.soundtrack([clips[s] for s, _ in tl["speech"]], [a - LEAD for _, a in tl["speech"]],
                                           tl["duration"], rng)
    click = (rng.normal(0, 1, 160) * np.exp(-np.arange(160) / 25)).astype(np.float32)
    for i in (int(t * SR) for t in tl["keys"]):
        audio[i:i + 160] += (0.05 * rng.uniform(0.6, 1.0) * click)[:max(0, len(audio) - i)]
    return audio + 0.003 * rng.normal(0, 1, audio.size).astype(np.float32)

def render(out: Path) -> dict:
    """Writes OUT/NAME, OUT/truth.json and OUT/frames/*.png (each stretch's middle); returns the truth."""
    import av

    rng = np.random.default_rng(23)
    clips = {s[-1]: independent_lecture.speak(s[-1], VOICE, RATE) for *_, text in STRETCHES for s in steps_of(text)
             if s[0] != "run"}
    tl = timeline(clips)
    middles = {int((a + b) / 2 * FPS): name for a, b, name in tl["spans"]}
    (out / "frames").mkdir(exist_ok=True)
    with av.open(str(out / NAME), "w") as container:
        video, audio_stream = independent_lecture.streams(container, FPS)
        for f in range(int(tl["duration"] * FPS)):
            frame = frame_at(tl, f / FPS)
            if f in middles:
                Image.fromarray(frame).save(out / "frames" / f"{f // FPS:03d}_{middles[f].replace(' ', '')}.png")
            for packet in video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        independent_lecture.finish(container, video, audio_stream, sound(clips, tl, rng))
    truth = truth_of(tl)
    (out / "truth.json").write_text(json.dumps(truth, indent=1))
    print(f"rendered {tl['duration']:.1f} s at {W}x{H}, {FPS} fps; cuts {[(round(t, 1), k) for t, k in tl['cuts']]}"
          f"; stretches {[(n, round(a, 1), round(b, 1)) for a, b, n in tl['spans']]}")
    return truth

def truth_of(tl: dict) -> dict:
    """Cuts, kinds, the optional terminal scroll, stretches, situations (a false alarm's cause), queries' spans."""
    span = {n: (a, b) for a, b, n in tl["spans"]}
    situations = {f"typing {k}": [a, b, b + 1.0] for k, (a, b) in tl["typing"].items()}
    situations.update({f"run {k} [{n}]": [a, a + 0.5, a + 3.0] for k, a, n in tl["runs"]})
    p0, enter, end = tl["pip"]
    situations["terminal: typing, output"] = [p0, end, end + 1.0]
    ats = enter + np.cumsum([d for d, _ in PIP])
    optional = [float(a) for i, a in enumerate(ats) if len(HISTORY) + 2 + i > TERM_ROWS] + [float(ats[-1] + 1.0)]
    situations.update({f"clock 10:{m:02d}": [s, s, s + 1.0] for m in range(42, 48) if (s := 60.0 * m - 2485)
                       < tl["duration"]})
    return {"cuts": [round(t, 3) for t, _ in tl["cuts"]], "kinds": [k for _, k in tl["cuts"]],
            "scrolls": tl["scrolls"], "optional": optional, "stretches": tl["spans"], "situations": situations,
            "duration": tl["duration"], "queries": [[q, *span[s], kind] for q, s, kind in QUERIES]}

def evaluate(out: Path, truth: dict, reuse: bool) -> None:
    """Cuts, what the index holds per stretch, code as OCR kept it, code queries' lexical terms, the queries."""
    import independent_seminar_lecture
    from momentsearch.evaluate import boundary_scores, detected_boundaries
    from momentsearch.ranking.lexical import document_terms, query_terms

    rec = (index := independent_code_lecture.indexed(out, NAME, reuse)).videos()[0]
    independent_media_lecture.score_cuts(rec, index, truth)
    cuts = detected_boundaries(index)[rec.path]
    for label, found in (("picture cuts", cuts), ("section edges", [float(a) for a, _ in rec.sections[1:]])):
        sc = boundary_scores(found, truth["cuts"], optional=truth["optional"])
        kinds = {k: [any(abs(x - c) <= 1.0 for x in found) for c, kk in zip(truth["cuts"], truth["kinds"]) if kk == k]
                 for k in dict.fromkeys(truth["kinds"])}
        print(f"{label}, terminal scroll optional: P {sc.precision:.2f} R {sc.recall:.2f} F1 {sc.f1:.2f}; recall "
              + ", ".join(f"{k} {sum(v)}/{len(v)}" for k, v in kinds.items()))
    for t0, t1, anchor in truth["scrolls"]:
        print(f"scroll to {anchor} {t0:.1f}-{t1:.1f}: cuts at " + (", ".join(f"{x:.1f} (start {x - t0:+.1f} s, end "
              f"{x - t1:+.1f} s)" for x in cuts if t0 - 2.0 <= x <= t1 + 2.0) or "none within 2 s"))
    diag = independent_code_lecture.diagnostics(index, rec)
    independent_seminar_lecture.report_situations(rec, diag, {"situations": {n: [a, b, b] for a, b, n in
                                                                             truth["stretches"]}})  # per stretch
    ocr = " ".join(o[2] for o in diag["ocr"])
    print("OCR kept as written: " + ", ".join(f"{w} {'yes' if w in ocr else 'NO'}" for w in CODE_WORDS))
    for q, a, b, kind in (q for q in truth["queries"] if q[3] in ("code", "terminal", "output")):
        terms = query_terms(q)
        held = [set(document_terms(" ".join(x[2] for x in diag[k] if x[0] < b and x[1] > a))) for k in ("ocr",
                                                                                                         "transcript")]
        print(f"lexical {q!r}: terms {terms}; in its stretch's OCR {[t for t in terms if t in held[0]]}, transcript "
              f"{[t for t in terms if t in held[1]]}")
    independent_code_lecture.run_queries(index, truth["queries"], diag)
    (out / "diagnostics.json").write_text(json.dumps(diag, indent=1, default=str))

def main() -> int:
    return independent_code_lecture.run_probe(__doc__, "/tmp/notebook", render, evaluate)

if __name__ == "__main__":
    sys.exit(main())
