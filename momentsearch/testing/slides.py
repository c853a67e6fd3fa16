"""Slides for synthetic lectures: one `Template` per deck (background, title bar, fonts, footer),
so that, as in real decks, neighbouring slides differ only in their words.

`draw_slide(section, size, template, page, reveal)` draws one slide with Pillow; `reveal` shows only
the first bullets (a "build"). Fonts come from the system (DejaVu / Liberation) when installed and
fall back to Pillow's bundled font, so a fresh machine still renders.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from momentsearch.errors import ConfigError

CHART_KINDS = (None, "timeline", "bar", "pie", "line", "photo")
_SERIES = [(52, 120, 200), (230, 120, 40), (60, 160, 90), (200, 60, 80), (140, 90, 190), (40, 170, 180)]
_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation",
              "/usr/share/fonts/TTF", "/Library/Fonts")


@dataclass(frozen=True)
class Template:
    """The look shared by every slide of one deck. Colours are RGB tuples."""

    name: str
    background: tuple[int, int, int]
    ink: tuple[int, int, int]  # bullet text
    accent: tuple[int, int, int]  # title bar / rule, bullet markers
    title_style: str = "band"  # band (filled bar) | rule (line under the title) | side (bar on the left)
    title_ink: tuple[int, int, int] | None = None  # default: white on a band, else `accent`
    gradient_to: tuple[int, int, int] | None = None  # background fades to this at the bottom
    font: str = "DejaVuSans"  # a TrueType file name without extension
    bold_font: str | None = "DejaVuSans-Bold"
    footer: str = ""  # course name at the bottom left; "" draws no footer
    page_numbers: bool = True  # slide number at the bottom right
    marker: str = "dot"  # dot | square | dash
    logo: bool = False  # a small emblem in the title area


DEFAULT_TEMPLATE = Template("plain", (246, 246, 240), (25, 25, 35), (36, 86, 160), footer="")

TEMPLATES = {t.name: t for t in [
    DEFAULT_TEMPLATE,
    # dev split
    Template("dev-navy", (250, 250, 250), (30, 30, 40), (24, 48, 100), "band", footer="Introduction to Earth Science",
             logo=True),
    Template("dev-slate", (38, 44, 56), (225, 228, 235), (120, 190, 255), "rule", font="DejaVuSansCondensed",
             bold_font="DejaVuSansCondensed-Bold", footer="Systems Seminar", marker="square"),
    Template("dev-cream", (248, 242, 226), (50, 40, 30), (150, 60, 40), "side", gradient_to=(236, 226, 200),
             font="DejaVuSerif", bold_font="DejaVuSerif-Bold", footer="History of Medicine"),
    Template("dev-green", (255, 255, 255), (20, 40, 30), (30, 120, 80), "rule", font="LiberationSans-Regular",
             bold_font="LiberationSans-Bold", footer="Ecology 210", marker="dash", logo=True),
    Template("dev-plum", (244, 240, 246), (35, 25, 45), (96, 48, 120), "band", font="DejaVuSans",
             bold_font="DejaVuSans-Bold", footer="PSY 120: Memory and Learning", marker="dash"),
    Template("dev-ivory", (247, 245, 238), (40, 40, 40), (150, 70, 30), "rule", font="DejaVuSansCondensed",
             bold_font="DejaVuSansCondensed-Bold", footer="CIV 101: Structures", marker="square"),
    Template("dev-forest", (26, 38, 32), (228, 234, 226), (236, 168, 84), "band", font="LiberationSans-Regular",
             bold_font="LiberationSans-Bold", title_ink=(20, 24, 22), footer="CS 240: Security", page_numbers=False),
    # test split: other colours, fonts and title layouts
    Template("test-teal", (236, 240, 241), (33, 37, 41), (0, 128, 128), "rule", font="LiberationSans-Regular",
             bold_font="LiberationSans-Bold", footer="Applied Statistics", logo=True),
    Template("test-maroon", (255, 253, 250), (40, 30, 30), (120, 20, 40), "band", font="LiberationSerif-Regular",
             bold_font="LiberationSerif-Bold", footer="Economics of Cities", marker="square"),
    Template("test-night", (15, 18, 30), (235, 235, 220), (250, 200, 60), "side", font="DejaVuSans",
             bold_font="DejaVuSans-Bold", gradient_to=(30, 36, 60), footer="Astronomy Public Lecture"),
    Template("test-sand", (250, 246, 236), (45, 45, 45), (200, 110, 20), "band", font="LiberationSansNarrow-Regular",
             bold_font="LiberationSansNarrow-Bold", footer="Software Engineering", marker="dash"),
]}


@lru_cache(maxsize=256)
def _font(name: str | None, size: int) -> ImageFont.ImageFont:
    size = max(8, int(size))
    if name:
        for folder in _FONT_DIRS:
            path = Path(folder) / f"{name}.ttf"
            if path.is_file():
                return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def _fit_font(draw: ImageDraw.ImageDraw, name: str | None, text: str, size: int, max_width: int):
    while size > 10 and draw.textlength(text, font=_font(name, size)) > max_width:
        size -= 2
    return _font(name, size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, max_width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and draw.textlength(trial, font=font) > max_width:
            lines.append(line)
            line = word
        else:
            line = trial
    return lines + ([line] if line else [])


def template_named(name: str | None) -> Template:
    if name is None:
        return DEFAULT_TEMPLATE
    if name not in TEMPLATES:
        raise ConfigError(f"unknown slide template {name!r}; expected one of {sorted(TEMPLATES)}")
    return TEMPLATES[name]


def draw_background(template: Template, size: tuple[int, int]) -> Image.Image:
    """The empty slide of a template: background, title area, footer rule and logo."""
    w, h = size
    img = Image.new("RGB", size, template.background)
    if template.gradient_to is not None:
        t = np.linspace(0.0, 1.0, h)[:, None, None]
        a, b = np.array(template.background, float), np.array(template.gradient_to, float)
        img = Image.fromarray(np.broadcast_to(a + (b - a) * t, (h, w, 3)).astype(np.uint8))
    d = ImageDraw.Draw(img)
    title_h, margin = int(h * 0.2), max(6, w // 32)
    if template.title_style == "band":
        d.rectangle([0, 0, w, title_h], fill=template.accent)
    elif template.title_style == "rule":
        d.line([margin, title_h, w - margin, title_h], fill=template.accent, width=max(2, h // 120))
    else:  # side
        d.rectangle([0, 0, max(4, w // 60), h], fill=template.accent)
    if template.logo:
        r = title_h // 4
        cx, cy = w - margin - r, title_h // 2
        ring = (255, 255, 255) if template.title_style == "band" else template.accent
        d.ellipse([cx - r, cy - r, cx + r, cy + r], outline=ring, width=max(2, r // 4))
        d.polygon([(cx, cy - r // 2), (cx + r // 2, cy + r // 3), (cx - r // 2, cy + r // 3)], fill=ring)
    if template.footer or template.page_numbers:
        d.line([margin, h - h // 14, w - margin, h - h // 14], fill=_mix(template.background, template.ink, 0.25),
               width=1)
    if template.footer:
        d.text((margin, h - h // 28), template.footer, font=_font(template.font, h * 0.035),
               fill=_mix(template.background, template.ink, 0.6), anchor="lm")
    return img


def _mix(a, b, t: float) -> tuple[int, int, int]:
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b))


def draw_slide(section, size: tuple[int, int] = (640, 360), seed: int = 0, template: Template | None = None,
               page: int | None = None, reveal: int | None = None) -> Image.Image:
    """Draw one slide of `section` (title, bullets, optional chart) in `template`.

    `seed` varies only the chart's data; `page` is the slide number in the footer; `reveal` shows
    only the first `reveal` bullets (a build). Bullets that do not fit are dropped."""
    if section.chart not in CHART_KINDS:
        raise ConfigError(f"unknown chart {section.chart!r}; expected one of {CHART_KINDS}")
    template = template or DEFAULT_TEMPLATE
    w, h = size
    img = draw_background(template, size)
    d = ImageDraw.Draw(img)
    margin = max(6, w // 32)
    left = margin + (w // 60 if template.title_style == "side" else 0)
    title_h, line_h = int(h * 0.2), int(h * 0.075)
    title_ink = template.title_ink or ((255, 255, 255) if template.title_style == "band" else template.accent)
    logo_w = title_h // 2 + margin if template.logo else 0
    tfont = _fit_font(d, template.bold_font or template.font, section.title, int(h * 0.11), w - left - margin - logo_w)
    d.text((left, title_h // 2), section.title, font=tfont, fill=title_ink, anchor="lm")
    if page is not None and template.page_numbers:
        d.text((w - margin, h - h // 28), str(page), font=_font(template.font, h * 0.035),
               fill=_mix(template.background, template.ink, 0.6), anchor="rm")

    bottom = h - (h // 14 if template.footer or template.page_numbers else 0) - margin // 2
    body_top = title_h + h // 24
    bullets = section.bullets if reveal is None else section.bullets[:max(0, reveal)]
    if section.chart is None:
        text_box = (left, body_top, w - margin, bottom)
    elif seed % 2 == 0 or not section.bullets:
        split = int(w * (0.42 if section.bullets else 0.0)) or left
        text_box = (left, body_top, split, bottom)
        _draw_chart(img, d, section.chart, (split + margin, body_top, w - margin, bottom), seed, template.ink)
    else:  # chart below the bullets
        text_top = body_top + line_h * min(len(section.bullets), 3)  # room for up to 3 bullet lines
        text_box = (left, body_top, w - margin, text_top)
        _draw_chart(img, d, section.chart, (left, text_top + margin, w - margin, bottom), seed, template.ink)
    _draw_bullets(d, bullets, text_box, line_h, template)
    return img


def _draw_bullets(d: ImageDraw.ImageDraw, bullets: list[str], box, line_h: int, template: Template) -> None:
    x0, y, x1, y1 = box
    bfont = _font(template.font, line_h * 0.85)
    for bullet in bullets:
        for i, line in enumerate(_wrap(d, bullet, bfont, x1 - x0 - line_h)):
            if y + line_h > y1 + line_h // 3:
                return
            r, cy = line_h // 7, y + line_h // 2
            if i == 0 and template.marker == "dot":
                d.ellipse([x0, cy - r, x0 + 2 * r, cy + r], fill=template.accent)
            elif i == 0 and template.marker == "square":
                d.rectangle([x0, cy - r, x0 + 2 * r, cy + r], fill=template.accent)
            elif i == 0:
                d.line([x0, cy, x0 + 2 * r + 2, cy], fill=template.accent, width=max(2, r // 2))
            d.text((x0 + line_h // 2 + 4, y + line_h // 2), line, font=bfont, fill=template.ink, anchor="lm")
            y += line_h


def _draw_chart(img: Image.Image, d: ImageDraw.ImageDraw, kind: str, box: tuple[int, int, int, int], seed: int,
                ink: tuple[int, int, int]) -> None:
    x0, y0, x1, y1 = box
    if x1 - x0 < 20 or y1 - y0 < 20:
        return
    rng = np.random.default_rng(seed)
    font = _font("DejaVuSans", max(10, (y1 - y0) // 9))
    if kind in ("bar", "line"):
        d.line([(x0, y0), (x0, y1), (x1, y1)], fill=ink, width=2)  # axes
    if kind == "timeline":
        _draw_timeline(d, box, font, ink)
    elif kind == "bar":
        vals = rng.uniform(0.25, 1.0, 5)
        slot = (x1 - x0) / len(vals)
        for i, v in enumerate(vals):
            bx = x0 + i * slot + slot * 0.2
            d.rectangle([bx, y1 - v * (y1 - y0 - 4), bx + slot * 0.6, y1 - 1], fill=_SERIES[i % len(_SERIES)])
    elif kind == "pie":
        vals = rng.uniform(1, 3, 4)
        r = min(x1 - x0, y1 - y0) // 2 - 2
        cx, cy, angle = (x0 + x1) // 2, (y0 + y1) // 2, -90.0
        for i, v in enumerate(vals):
            sweep = 360.0 * v / vals.sum()
            d.pieslice([cx - r, cy - r, cx + r, cy + r], angle, angle + sweep,
                       fill=_SERIES[i], outline=(255, 255, 255), width=2)
            angle += sweep
    elif kind == "line":
        vals = np.cumsum(rng.normal(0.3, 1.0, 8))
        vals = (vals - vals.min()) / (np.ptp(vals) or 1.0)
        for k in range(1, 4):  # light grid
            gy = y0 + k * (y1 - y0) // 4
            d.line([x0 + 2, gy, x1, gy], fill=(200, 200, 200), width=1)
        pts = [(x0 + 6 + i * (x1 - x0 - 12) / (len(vals) - 1), y1 - 6 - v * (y1 - y0 - 12)) for i, v in enumerate(vals)]
        d.line(pts, fill=_SERIES[0], width=3)
        for px, py in pts:
            d.ellipse([px - 4, py - 4, px + 4, py + 4], fill=_SERIES[1])
    elif kind == "photo":  # drawn on its own canvas so shapes are clipped to the box
        photo = Image.new("RGB", (x1 - x0, y1 - y0))
        _draw_photo(ImageDraw.Draw(photo), (0, 0, x1 - x0 - 1, y1 - y0 - 1))
        img.paste(photo, (x0, y0))


def _draw_timeline(d: ImageDraw.ImageDraw, box, font, ink) -> None:
    """A Gantt-style roadmap: task rows, bars across four quarters, milestone diamonds."""
    x0, y0, x1, y1 = box
    tasks = [("Design", 0.0, 1.2, True), ("Pilot", 0.8, 2.1, True), ("Rollout", 1.8, 3.6, False),
             ("Review", 3.1, 3.8, True)]
    label_w = int(max(d.textlength(t[0], font=font) for t in tasks)) + 8
    gx0, header_h = x0 + label_w, int(font.size * 1.6)
    qw = (x1 - gx0) / 4
    row_h = (y1 - y0 - header_h) / len(tasks)
    for q in range(4):
        qx = gx0 + q * qw
        d.rectangle([qx, y0, qx + qw, y0 + header_h], fill=(225, 225, 225) if q % 2 else (240, 240, 240))
        d.text((qx + qw / 2, y0 + header_h / 2), f"Q{q + 1}", font=font, fill=ink, anchor="mm")
        d.line([qx, y0, qx, y1], fill=(170, 170, 170), width=1)
    d.line([x1, y0, x1, y1], fill=(170, 170, 170), width=1)
    d.line([gx0, y0 + header_h, x1, y0 + header_h], fill=ink, width=2)
    for i, (name, start, end, milestone) in enumerate(tasks):
        cy = y0 + header_h + (i + 0.5) * row_h
        d.text((x0, cy), name, font=font, fill=ink, anchor="lm")
        half = row_h * 0.25
        bx0, bx1 = gx0 + start * qw, gx0 + end * qw
        d.rectangle([bx0, cy - half, bx1, cy + half], fill=_SERIES[i % len(_SERIES)], outline=ink)
        if milestone:
            r = row_h * 0.33
            mx = min(bx1 + r + 2, x1 - r)
            d.polygon([(mx, cy - r), (mx + r, cy), (mx, cy + r), (mx - r, cy)], fill=(220, 40, 40), outline=ink)


def _draw_photo(d: ImageDraw.ImageDraw, box) -> None:
    """A simple landscape: sky gradient, sun with rays, hills, a tree."""
    x0, y0, x1, y1 = box
    horizon = y0 + int((y1 - y0) * 0.62)
    for y in range(y0, horizon):
        t = (y - y0) / max(1, horizon - y0)
        d.line([x0, y, x1, y], fill=(int(90 + 110 * t), int(160 + 60 * t), 240))
    w, h = x1 - x0, y1 - y0
    sx, sy, r = x0 + int(w * 0.72), y0 + int(h * 0.25), max(6, h // 8)
    for k in range(12):
        a = k * math.pi / 6
        d.line([sx + 1.3 * r * math.cos(a), sy + 1.3 * r * math.sin(a),
                sx + 1.9 * r * math.cos(a), sy + 1.9 * r * math.sin(a)], fill=(255, 200, 0), width=3)
    d.ellipse([sx - r, sy - r, sx + r, sy + r], fill=(255, 215, 0), outline=(240, 160, 0), width=2)
    d.rectangle([x0, horizon, x1, y1], fill=(90, 170, 70))
    d.polygon([(x0, horizon), (x0 + w * 0.25, y0 + h * 0.35), (x0 + w * 0.55, horizon)], fill=(110, 110, 130))
    d.polygon([(x0 + w * 0.35, horizon), (x0 + w * 0.55, y0 + h * 0.45), (x0 + w * 0.8, horizon)], fill=(130, 130, 150))
    d.ellipse([x0 - w * 0.1, horizon - h * 0.08, x0 + w * 0.6, horizon + h * 0.15], fill=(70, 150, 60))
    tx, tb = x0 + int(w * 0.82), y1 - h // 10
    d.rectangle([tx - 3, tb - h * 0.2, tx + 3, tb], fill=(110, 70, 30))
    d.ellipse([tx - h * 0.11, tb - h * 0.38, tx + h * 0.11, tb - h * 0.16], fill=(40, 120, 40))
    d.rectangle([x0, y0, x1, y1], outline=(60, 60, 60), width=2)
