#!/usr/bin/env python3
"""A programming screencast rendered without momentsearch.testing, indexed and searched: a check on a
kind of lecture nothing was tuned on. An editor in a dark theme (VS Code's Dark+ colours: monospaced
code, line numbers, syntax colours, a file tab bar, a status bar, a blinking cursor) at 1280x720 and
12 fps, a voice no benchmark uses (espeak-ng en-gb+m7 at 140 wpm) with key clicks while typing, and
seven sections:

  0  title card in the same dark style
  1  config_loader.py typed in line by line (a build: strokes only added)
  2  validators.py, longer than the screen, scrolled one line at a time from top to bottom
  3  app.py over a terminal pane: the program is run and prints a KeyError traceback
  4  the same picture, but the talk turns to another topic (secrets in version control)
  5  test_config.py typed while an autocomplete popup flickers (0.4-1.8 s at a time)
  6  recap card

Decisions, fixed before any result was seen. The scroll (2) is ONE moment: the lecturer explains one
file under one topic, and the scroll is how the file is shown, not a new subject; momentsearch's
documented rule cuts a scrolled page once it settles, so a cut at the scroll's end is *optional* (neither
a hit nor a false alarm in the cut scores), and the queries' truth is the whole section, so a split
shows up in their IoU. The popup and the typed builds are no picture changes (a cut there is a false
alarm). The topic change (4) is no picture change either: it counts only in the section-edge scores.
The terminal's traceback stays on screen through section 4; the *shown* query on it has section 3 as
truth (where it appears and is discussed).

    python3 scripts/independent_code_lecture.py [--out /tmp/codelec] [--reuse]

Prints picture cuts and section edges against the truth (precision / recall / F1 at +-1 s), each
query's type, hit or miss (top result's IoU >= 0.5), truth and top span, IoU and per-channel scores,
and the run time; writes OUT/diagnostics.json (OCR text per entry, transcript chunks, chapters, each
query's top 3). `--reuse` scores the video and index already in OUT instead of rendering and indexing
again. Deterministic (fixed seeds). One short lecture in its own index: a probe, not a benchmark.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
import independent_lecture  # noqa: E402 (its espeak-ng reader)

W, H, FPS, SR = 1280, 720, 12, 16000
VOICE, RATE = "en-gb+m7", 140
GAP, LEAD = 2.0, 0.6  # seconds after a section's speech; from a section's start to its first word
MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SANS_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
CODE_PX, LINE_H, TERM_PX, TERM_H = 18, 26, 16, 22
X_CODE, Y_EDIT, Y_STATUS = 120, 44, 698  # code column, first editor line, status bar
BG, FG = (30, 30, 30), (212, 212, 212)
NAME = "cfgdemo_live.mp4"

CONFIG_LOADER = '''import tomllib
from pathlib import Path

DEFAULTS = {"timeout_ms": 5000, "retries": 3}


def parse_config(path):
    """Read a settings file and merge it over DEFAULTS."""
    raw = Path(path).read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))
    merged = {**DEFAULTS, **data}
    return merged'''.split("\n")

VALIDATORS = '''"""Validation rules for the settings dictionary."""
import re


class ConfigError(Exception):
    """Raised when a setting is missing or out of range."""


REQUIRED = ("name", "owner_email", "timeout_ms", "port")


def require_keys(cfg, keys=REQUIRED):
    missing = [k for k in keys if k not in cfg]
    if missing:
        raise ConfigError(f"missing keys: {', '.join(missing)}")
    return cfg


def check_timeout(cfg):
    value = cfg["timeout_ms"]
    if not isinstance(value, int) or value <= 0:
        raise ConfigError(f"timeout_ms must be > 0, got {value!r}")
    return value


EMAIL_PATTERN = re.compile(r"^[\\w.+-]+@[\\w-]+\\.[\\w.]+$")


def check_email(cfg):
    address = cfg["owner_email"]
    if not EMAIL_PATTERN.match(address):
        raise ConfigError(f"not an email address: {address}")
    return address


def check_name(cfg):
    name = cfg["name"].strip()
    if not name:
        raise ConfigError("name must not be empty")
    return name


def check_retries(cfg):
    retries = cfg.get("retries", 3)
    if retries < 0 or retries > 10:
        raise ConfigError("retries must be 0..10")
    return retries


def validate_port_range(cfg):
    port = cfg["port"]
    if not 1024 <= port <= 65535:
        raise ConfigError(f"port {port} outside 1024-65535")
    return port


def validate_all(cfg):
    require_keys(cfg)
    for rule in (check_timeout, check_email, check_name,
                 check_retries, validate_port_range):
        rule(cfg)
    return cfg'''.split("\n")

APP = '''import sys

import settings
from db import connect


def bootstrap_service(path):
    cfg = settings.load(path)
    db = connect(cfg["database_url"], timeout=cfg["timeout_ms"])
    return db


if __name__ == "__main__":
    bootstrap_service(sys.argv[1])'''.split("\n")

PROMPT = "ada@laptop:~/cfgdemo$ "
COMMAND = "python app.py staging.toml"
TRACEBACK = '''Traceback (most recent call last):
  File "/home/ada/cfgdemo/app.py", line 14, in <module>
    bootstrap_service(sys.argv[1])
  File "/home/ada/cfgdemo/app.py", line 9, in bootstrap_service
    db = connect(cfg["database_url"], timeout=cfg["timeout_ms"])
                 ~~~^^^^^^^^^^^^^^^^
KeyError: 'database_url\''''.split("\n")

TESTS = '''import os

import pytest

import settings


def write_settings(folder, text):
    path = folder / "app.toml"
    path.write_text(text)
    return path


def test_env_overrides_file(tmp_path, monkeypatch):
    path = write_settings(tmp_path, 'token = "from-file"\\n')
    monkeypatch.setenv("APP_TOKEN", "from-env")
    cfg = settings.load(path)
    assert cfg["token"] == "from-env"'''.split("\n")
TESTS_TYPED_FROM = 14  # lines from here on are typed during the section
POPUPS = [  # (seconds into the section, seconds shown, suggestions)
    (3.1, 0.5, ["write_settings", "write_text", "writable"]),
    (6.3, 1.3, ["monkeypatch", "monkeypatch.setattr", "monkeypatch.setenv", "monkeypatch.delenv"]),
    (9.6, 0.8, ["setenv", "setattr", "setitem"]),
    (12.9, 1.8, ["settings", "settings.load", "settings.loads", "setdefault"]),
    (17.2, 0.4, ["assert", "AssertionError", "ascii"]),
    (20.4, 1.6, ["cfg", "cfg.get", "cfg.items", "cfg.keys"]),
]

SECTIONS = [  # (kind, speech)
    ("title", "Hello everyone, and welcome back. In this session we are going to write a small configuration "
     "loader in Python from scratch. By the end it will read a settings file, check every value, and tell "
     "the user clearly what went wrong when something is missing."),
    ("build", "Let's start with the loader itself. We import the standard library module for reading these "
     "files, which has been built into Python since version three point eleven. The function reads the raw "
     "bytes from disk, decodes them as text, and then merges the user's values over a dictionary of "
     "defaults, so anything the user leaves out still has a sensible value."),
    ("scroll", "Next comes the validation module, which is longer, so I will scroll through it. Every rule is "
     "a tiny function that raises the same kind of error with a readable message. At the top we check that "
     "the required keys are present at all. Further down there is a regular expression for email addresses, "
     "and a check that the timeout is a positive number of milliseconds. At the very bottom we make sure the "
     "port number is not a privileged one below one thousand and twenty four."),
    ("terminal", "Now let's run the program against the staging file. It crashes straight away. Python prints "
     "a traceback, which we read from the bottom up. The last line tells us which key the dictionary lookup "
     "could not find, and the line above it shows where in our own code that lookup happened. The staging "
     "file simply never defines the connection string for the database, and our defaults do not cover it "
     "either."),
    ("same", "Before we fix that, a short detour about secrets. Passwords and tokens should never be committed "
     "to the repository inside a settings file, because anyone who can read the history can read them, even "
     "after you delete the line. Read them from environment variables instead, keep a separate file for "
     "local development that git ignores, and rotate those credentials every few months."),
    ("popup", "Finally, we need tests. Each test writes a small settings file into a temporary folder, sets an "
     "environment variable, and checks that the variable wins over the value in the file. As I type, the "
     "editor keeps offering completions in a little box; I will ignore most of them and just keep typing."),
    ("recap", "To wrap up. Keep the defaults in one place, give every validation rule the same exception, read "
     "secrets from the environment, and test the loader with throwaway files. Next week we will turn this "
     "into a small command line tool. Thanks for watching."),
]
TABS = {1: ["config_loader.py"], 2: ["config_loader.py", "validators.py"],
        3: ["config_loader.py", "validators.py", "app.py"],
        5: ["config_loader.py", "validators.py", "app.py", "test_config.py"]}
QUERIES = [  # (query, section, type); written before the first run, not changed after
    ("configuration loader in Python from scratch", 0, "said"),
    ("parse_config", 1, "shown"),
    ("merges the user's values over a dictionary of defaults", 1, "said"),
    ("filling in missing settings with fallback values", 1, "concept"),
    ("parse_config reads the raw bytes from disk", 1, "mixed"),
    ("validate_port_range", 2, "shown"),
    ("validate port range", 2, "shown"),
    ("regular expression for email addresses", 2, "said"),
    ("enforcing constraints on each configuration field", 2, "concept"),
    ("KeyError: 'database_url'", 3, "shown"),
    ("traceback after running app.py on staging.toml", 3, "mixed"),
    ("never be committed to the repository", 4, "said"),
    ("keeping credentials out of version control", 4, "concept"),
    ("test_env_overrides_file", 5, "shown"),
    ("monkeypatch setenv in a temporary folder", 5, "mixed"),
    ("summary of the takeaways at the end", 6, "concept"),
]

KEYWORDS = {"def", "class", "None", "True", "False", "not", "and", "or", "in", "is", "lambda"}
FLOW = {"import", "from", "return", "if", "raise", "for", "with", "assert", "else", "elif", "try", "except", "as"}
BUILTIN_TYPES = {"Exception", "KeyError", "Path", "isinstance"}
TOKEN = re.compile(r'(?P<comment>#.*)|(?P<string>[rbfRBF]{0,2}("""[^"]*"""|"[^"\n]*"|\'[^\'\n]*\'))'
                   r'|(?P<number>\b\d[\d_]*\b)|(?P<word>[A-Za-z_]\w*)|(?P<other>\s+|.)')


def _fonts():
    from PIL import ImageFont

    return {"code": ImageFont.truetype(MONO, CODE_PX), "term": ImageFont.truetype(MONO, TERM_PX),
            "ui": ImageFont.truetype(SANS, 13), "tab": ImageFont.truetype(SANS, 14),
            "pop": ImageFont.truetype(MONO, 15), "h1": ImageFont.truetype(SANS_BOLD, 52),
            "h2": ImageFont.truetype(SANS, 28), "li": ImageFont.truetype(SANS, 32),
            "mono22": ImageFont.truetype(MONO, 22)}


FONTS = None


def colour(kind: str, text: str, rest: str) -> tuple:
    if kind == "comment":
        return (106, 153, 85)
    if kind == "string":
        return (206, 145, 120)
    if kind == "number":
        return (181, 206, 168)
    if kind == "word":
        if text in KEYWORDS:
            return (86, 156, 214)
        if text in FLOW:
            return (197, 134, 192)
        if text in BUILTIN_TYPES or text[:1].isupper() and not text.isupper():
            return (78, 201, 176)
        if rest.lstrip().startswith("("):
            return (220, 220, 170)
        return (156, 220, 254)
    return FG


def draw_code(d, line: str, x: int, y: int, font, cw: float) -> None:
    col = 0
    for m in TOKEN.finditer(line):
        text = m.group(0)
        if not text.isspace():
            d.text((x + col * cw, y), text, font=font, fill=colour(m.lastgroup, text, line[m.end():]))
        col += len(text)


def editor(tabs: list[str], lines: list[str], first: int, cursor: tuple[int, int] | None, blink: bool,
           bottom: int = Y_STATUS, popup: list[str] | None = None):
    """The editor window: activity bar, tabs (last one active), gutter, code from line `first`
    (0-based), the cursor's line highlighted, a status bar; returns (image, draw)."""
    from PIL import Image, ImageDraw

    f = FONTS
    im = Image.new("RGB", (W, H), BG)
    d = ImageDraw.Draw(im)
    cw = f["code"].getlength("M")
    d.rectangle([0, 0, 47, H], fill=(51, 51, 51))
    for k in range(4):
        d.rounded_rectangle([13, 16 + 48 * k, 34, 37 + 48 * k], 4, outline=(133, 133, 133), width=2)
    d.rectangle([48, 0, W, 35], fill=(37, 37, 38))
    x = 48
    for i, tab in enumerate(tabs):
        width = int(f["tab"].getlength(tab)) + 46
        active = i == len(tabs) - 1
        d.rectangle([x, 0, x + width, 35], fill=BG if active else (45, 45, 45))
        d.text((x + 14, 10), tab, font=f["tab"], fill=(255, 255, 255) if active else (150, 150, 150))
        d.text((x + width - 20, 9), "×", font=f["tab"], fill=(200, 200, 200) if active else (45, 45, 45))
        x += width + 1
    rows = (bottom - Y_EDIT) // LINE_H
    for r in range(rows):
        n = first + r
        if n >= len(lines):
            break
        y = Y_EDIT + r * LINE_H
        current = cursor is not None and cursor[0] == n
        if current:
            d.rectangle([49, y - 3, W, y + LINE_H - 4], outline=(40, 40, 40), fill=(40, 40, 40))
        num = str(n + 1)
        d.text((100 - f["code"].getlength(num), y), num, font=f["code"],
               fill=(198, 198, 198) if current else (110, 118, 129))
        draw_code(d, lines[n], X_CODE, y, f["code"], cw)
    if cursor is not None and first <= cursor[0] < first + rows:
        cx, cy = X_CODE + cursor[1] * cw, Y_EDIT + (cursor[0] - first) * LINE_H
        if blink:
            d.rectangle([cx, cy - 2, cx + 1, cy + LINE_H - 6], fill=(174, 175, 173))
        if popup:
            px, py = int(cx) - 20, int(cy) + LINE_H
            d.rectangle([px, py, px + 360, py + 8 + 22 * len(popup)], fill=(37, 37, 38), outline=(69, 69, 69))
            for k, word in enumerate(popup):
                ry = py + 4 + 22 * k
                if k == 0:
                    d.rectangle([px + 1, ry, px + 359, ry + 21], fill=(4, 57, 94))
                d.rectangle([px + 8, ry + 5, px + 19, ry + 16], fill=(180, 130, 230) if "." in word else (117, 190, 255))
                d.text((px + 28, ry + 2), word, font=f["pop"], fill=FG)
                d.text((px + 270, ry + 3), "method" if "." in word else "name", font=f["ui"], fill=(140, 140, 140))
    line, col = cursor if cursor is not None else (0, 0)
    d.rectangle([0, Y_STATUS, W, H], fill=(0, 122, 204))
    d.text((60, Y_STATUS + 4), "main*   0 errors  0 warnings", font=f["ui"], fill=(255, 255, 255))
    d.text((W - 420, Y_STATUS + 4), f"Ln {line + 1}, Col {col + 1}    Spaces: 4    UTF-8    LF    Python 3.12",
           font=f["ui"], fill=(255, 255, 255))
    return im, d


def card(title: str, lines: list[str], subtitle: str, footer: str):
    from PIL import Image, ImageDraw

    f = FONTS
    im = Image.new("RGB", (W, H), BG)
    d = ImageDraw.Draw(im)
    d.rectangle([0, 0, 10, H], fill=(0, 122, 204))
    d.text((90, 80), "# cs241 / week 5", font=f["mono22"], fill=(106, 153, 85))
    d.text((90, 130), title, font=f["h1"], fill=(230, 230, 230))
    d.text((92, 205), subtitle, font=f["h2"], fill=(156, 220, 254))
    for k, text in enumerate(lines):
        d.text((110, 300 + 62 * k), "›  " + text, font=f["li"], fill=(212, 212, 212))
    d.text((90, 640), footer, font=f["mono22"], fill=(206, 145, 120))
    return im


def typed(lines: list[str], start_line: int, t: float, t0: float, per_line: float):
    """Lines as typed by t: lines before start_line are there; from t0 on each later line takes
    per_line seconds (a blank one a quarter), characters at an even pace. Returns (lines, cursor, typing)."""
    shown, clock = list(lines[:start_line]), t0
    for n in range(start_line, len(lines)):
        need = per_line if lines[n].strip() else per_line / 4
        if t >= clock + need:
            shown.append(lines[n])
            clock += need
            continue
        k = int(len(lines[n]) * max(0.0, t - clock) / need)
        shown.append(lines[n][:k])
        return shown, (n, k), True
    return shown, (len(lines) - 1, len(lines[-1])), False


def key_times(lines: list[str], start_line: int, t0: float, per_line: float) -> list[float]:
    times, clock = [], t0
    for n in range(start_line, len(lines)):
        need = per_line if lines[n].strip() else per_line / 4
        times += [clock + need * i / max(1, len(lines[n])) for i in range(len(lines[n]))] + [clock + need]
        clock += need
    return times


class Timeline:
    """Section starts and each section's picture as a function of time."""

    def __init__(self, durations: list[float]):
        self.starts = list(np.cumsum([0.0] + durations[:-1]))
        self.durations = durations
        self.duration = float(sum(durations))
        d2 = durations[2]
        self.scroll_from = self.starts[2] + 0.33 * d2
        self.scroll_lines = len(VALIDATORS) - (Y_STATUS - Y_EDIT) // LINE_H
        self.scroll_step = 0.3
        self.scroll_end = self.scroll_from + self.scroll_lines * self.scroll_step
        self.run_at = self.starts[3] + 1.0 + len(COMMAND) / 12 + 0.8  # the traceback prints
        self.tests_t0 = self.starts[5] + 2.0
        self.tests_per_line = (durations[5] - 6.0) / (len(TESTS) - TESTS_TYPED_FROM)

    def keys(self) -> list[float]:
        """When a key is struck (for the clicks in the sound)."""
        s = self.starts
        out = key_times(CONFIG_LOADER, 0, s[1] + 1.5, 1.2)
        out += [s[3] + 1.0 + i / 12 for i in range(len(COMMAND) + 1)]
        return out + key_times(TESTS, TESTS_TYPED_FROM, self.tests_t0, self.tests_per_line)

    def state(self, t: float) -> tuple:
        """A hashable description of the picture at t (frames with equal states are equal)."""
        k = max(i for i, s in enumerate(self.starts) if s <= t)
        dt, blink = t - self.starts[k], (t % 1.0) < 0.5
        if k in (0, 6):
            return (k,)
        if k == 1:
            lines, cursor, typing = typed(CONFIG_LOADER, 0, t, self.starts[1] + 1.5, 1.2)
            return (1, tuple(lines), cursor, typing or blink)
        if k == 2:
            first = min(self.scroll_lines, max(0, int((t - self.scroll_from) / self.scroll_step) + 1)) \
                if t >= self.scroll_from else 0
            return (2, first, blink)
        if k in (3, 4):
            t3 = t - self.starts[3]
            n = max(0, min(len(COMMAND), int((t3 - 1.0) * 12)))
            return (3, n, t >= self.run_at, blink or 1.0 <= t3 < self.run_at)
        lines, cursor, typing = typed(TESTS, TESTS_TYPED_FROM, t, self.tests_t0, self.tests_per_line)
        popup = next((tuple(words) for at, span, words in POPUPS if at <= dt < at + span), None)
        return (5, tuple(lines), cursor, typing or blink, popup)


def picture(state: tuple) -> np.ndarray:
    k = state[0]
    if k == 0:
        return np.asarray(card("Live coding: a config loader", ["read a settings file", "check every value",
                                                                 "explain what went wrong"],
                               "CS 241 · Software Construction · Week 5", "$ git clone git.cs241.edu/cfgdemo"))
    if k == 6:
        return np.asarray(card("Recap", ["Defaults live in one dictionary", "Every rule raises the same exception",
                                         "Secrets come from the environment", "Tests use throwaway folders"],
                               "What to take away", "next week: a command line tool"))
    if k == 1:
        _, lines, cursor, blink = state
        return np.asarray(editor(TABS[1], list(lines), 0, cursor, blink)[0])
    if k == 2:
        _, first, blink = state
        return np.asarray(editor(TABS[2], VALIDATORS, first, (first + 6, 4), blink)[0])
    if k == 3:
        _, n, ran, blink = state
        split = 420
        im, d = editor(TABS[3], APP, 0, (7, 4) if n == 0 else None, blink and n == 0, bottom=split)
        f = FONTS
        d.line([48, split, W, split], fill=(69, 69, 69))
        for x, label in ((70, "PROBLEMS"), (170, "OUTPUT"), (260, "DEBUG CONSOLE"), (400, "TERMINAL")):
            d.text((x, split + 8), label, font=f["ui"], fill=(231, 231, 231) if label == "TERMINAL" else (150, 150, 150))
        d.line([400, split + 27, 468, split + 27], fill=(231, 231, 231))
        y, cw = split + 40, f["term"].getlength("M")
        d.text((60, y), PROMPT, font=f["term"], fill=(35, 209, 139))
        d.text((60 + len(PROMPT) * cw, y), COMMAND[:n], font=f["term"], fill=(204, 204, 204))
        out = TRACEBACK if ran else []
        for i, text in enumerate(out):
            d.text((60, y + TERM_H * (i + 1)), text, font=f["term"], fill=(204, 204, 204))
        cy = y + TERM_H * (len(out) + 1) if ran else y
        cx = 60 + (len(PROMPT) + (0 if ran else n)) * cw
        if ran:
            d.text((60, cy), PROMPT, font=f["term"], fill=(35, 209, 139))
        if blink or not ran:
            d.rectangle([cx, cy, cx + cw - 1, cy + TERM_H - 4], fill=(204, 204, 204))
        return np.asarray(im)
    _, lines, cursor, blink, popup = state
    return np.asarray(editor(TABS[5], list(lines), 0, cursor, blink, popup=list(popup) if popup else None)[0])


def speak(text: str) -> np.ndarray:
    return independent_lecture.speak(text, VOICE, RATE)  # (both at SR = 16 kHz)


def soundtrack(clips, line: Timeline, rng) -> np.ndarray:
    audio = np.zeros(int(line.duration * SR) + SR, np.float32)
    for start, clip in zip(line.starts, clips):
        i = int((start + LEAD) * SR)
        audio[i:i + len(clip)] += 0.8 * clip
    click = rng.normal(0, 1, 160).astype(np.float32) * np.exp(-np.arange(160) / 25).astype(np.float32)
    for t in line.keys():  # a keyboard near the microphone
        i = int(t * SR)
        audio[i:i + 160] += 0.06 * rng.uniform(0.6, 1.0) * click
    return audio + 0.003 * rng.normal(0, 1, audio.size).astype(np.float32)


def render(out: Path) -> dict:
    """Writes OUT/NAME and OUT/truth.json; returns the truth."""
    import av

    global FONTS
    FONTS = _fonts()
    rng = np.random.default_rng(11)
    clips = [speak(text) for _, text in SECTIONS]
    line = Timeline([len(c) / SR + LEAD + GAP for c in clips])
    cache: dict[tuple, np.ndarray] = {}
    with av.open(str(out / NAME), "w") as container:
        video, sound = independent_lecture.streams(container, FPS)
        for f in range(int(line.duration * FPS)):
            state = line.state(f / FPS)
            if state not in cache:
                if len(cache) > 64:
                    cache.clear()
                cache[state] = picture(state)
            for packet in video.encode(av.VideoFrame.from_ndarray(cache[state], format="rgb24")):
                container.mux(packet)
        independent_lecture.finish(container, video, sound, soundtrack(clips, line, rng))
    s = [round(float(x), 3) for x in line.starts] + [round(line.duration, 3)]
    truth = {"sections": [[s[i], s[i + 1], kind] for i, (kind, _) in enumerate(SECTIONS)],
             "cuts": [s[i] for i in (1, 2, 3, 5, 6)], "topic_edges": [s[4]],
             "optional": [round(float(line.scroll_end), 3)],
             "queries": [[q, s[i], s[i + 1], kind] for q, i, kind in QUERIES]}
    (out / "truth.json").write_text(json.dumps(truth, indent=1))
    print(f"rendered {line.duration:.1f} s at {W}x{H}, {FPS} fps; sections start {s[:-1]}; "
          f"scroll {line.scroll_from:.1f}-{line.scroll_end:.1f} s; traceback at {line.run_at:.1f} s")
    return truth


def indexed(out: Path, name: str, reuse: bool):
    """The probe's index in OUT/db: the video OUT/NAME indexed afresh, or as it is with `reuse`."""
    from momentsearch.api import MomentIndex

    if not reuse:
        shutil.rmtree(out / "db", ignore_errors=True)
    index = MomentIndex(out / "db")
    if not reuse:
        t0 = time.time()
        index.index([str(out / name)])
        print(f"indexed in {time.time() - t0:.0f} s")
    return index


def run_queries(index, queries, diag: dict) -> None:
    """Each (query, start, end, type): printed as hit or miss (top result's IoU >= 0.5) with its truth, top
    span and per-channel scores, and kept in `diag["queries"]` with its top 3; then R1@0.5 per type."""
    from momentsearch.ranking.fusion import iou as span_iou

    hits, by_type = 0, {}
    for query, start, end, kind in queries:
        results = index.search(query, k=3)
        top = results[0] if results else None
        iou = float(span_iou(top.start, top.end, start, end)) if top is not None else 0.0
        ok = iou >= 0.5
        hits += ok
        by_type.setdefault(kind, []).append(ok)
        where = f"{top.start:6.1f}-{top.end:6.1f}" if top is not None else "   nothing   "
        chans = " ".join(f"{c}={v:.2f}" for c, v in sorted(top.channels.items())) if top is not None else ""
        print(f"{kind:7s} {'hit ' if ok else 'MISS'} IoU {iou:.2f} truth {start:6.1f}-{end:6.1f} top {where} "
              f"score {top.score if top else 0:.2f} [{chans}] | {query}")
        diag["queries"].append({"query": query, "type": kind, "truth": [start, end], "iou": iou,
                                "results": [m.to_json() for m in results]})
    print(f"R1@0.5 {hits}/{len(queries)}; " +
          ", ".join(f"{k} {sum(v)}/{len(v)}" for k, v in by_type.items()))


def evaluate(out: Path, truth: dict, reuse: bool) -> None:
    from momentsearch.evaluate import boundary_scores, detected_boundaries

    index = indexed(out, NAME, reuse)
    rec = index.videos()[0]
    cuts = detected_boundaries(index)[rec.path]
    sections = [float(a) for a, _ in rec.sections[1:]]

    def line(label, found, true):
        sc = boundary_scores(found, true, optional=truth["optional"])
        print(f"{label}: found {[round(x, 1) for x in found]} vs true {[round(x, 1) for x in true]} "
              f"(optional {truth['optional']}): P {sc.precision:.2f} R {sc.recall:.2f} F1 {sc.f1:.2f} at +-1 s")
    line("picture cuts", cuts, truth["cuts"])
    line("section edges", sections, sorted(truth["cuts"] + truth["topic_edges"]))
    diag = diagnostics(index, rec)
    run_queries(index, truth["queries"], diag)
    (out / "diagnostics.json").write_text(json.dumps(diag, indent=1, default=str))


def diagnostics(index, rec) -> dict:
    """What the index holds for the probe's one video, for OUT/diagnostics.json: visual segments, sections,
    channels, each OCR entry and transcript chunk (start, end, text; in time order), the chapters, and an
    empty list that `run_queries` fills."""
    corpus = index.searcher.corpus()
    return {"visual_segments": rec.visual_segments, "sections": rec.sections, "channels": rec.channels,
            "ocr": sorted([m["start"], m["end"], text] for m, text in zip(corpus.ocr_meta, corpus.ocr_text)
                          if m.get("video_id") == rec.video_id),
            "transcript": [[c.start, c.end, c.text] for c in index.chunks_of(rec.video_id)],
            "chapters": [c.to_json() for c in index.chapters(rec.path)], "queries": []}


def run_probe(doc: str, default_out: str, render, evaluate) -> int:
    """A probe's command line: `--out` (render there, index, score) or `--reuse` (score what OUT holds)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--out", default=default_out, help="folder for the video, its truth, index and diagnostics")
    ap.add_argument("--reuse", action="store_true", help="score the video and index already in OUT")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    reuse = args.reuse and (out / "truth.json").exists() and (out / "db").exists()
    truth = json.loads((out / "truth.json").read_text()) if reuse else render(out)
    evaluate(out, truth, reuse)
    print(f"run time {time.time() - t0:.0f} s")
    return 0


def main() -> int:
    return run_probe(__doc__, "/tmp/codelec", render, evaluate)


if __name__ == "__main__":
    sys.exit(main())
