#!/usr/bin/env python3
"""A product webinar recorded from the presenter's screen share, rendered without momentsearch.testing, indexed
and searched: a check on a kind of real recording nothing was tuned on. 1280x720 at 8 fps, ~4.5 min, "Ferrolink
4.0" (fleet telemetry), a voice no other script uses (espeak-ng en-us+f4 at 165 wpm) over a laptop fan's hum and
hiss, keyboard clicks at each alt-tab and two bursts of typing. The screen switches instantly between applications:
  deck     a presentation app in edit view: title bar, ribbon, a thumbnail strip of the 5 slides (current one
           framed), the slide, a status bar; ONE template (white page, navy title over an orange bar, bullets)
  browser  tabs (docs, "Grafana", a mail inbox), URL, bookmarks, a docs page whose sticky header and sidebar stay
           while its content column is scrolled down slowly once (10 s, 600 px)
  pdf      a viewer: a report page on a light grey canvas, zoomed once 100 % -> 175 % on its table (a snap)
  sheet    a spreadsheet: a cost table and a stacked-bar chart
  player   a map replay clip (a spinning orange star over a slowly panning map, a caption, a ticking clock), 15 s
In order: slides 1-2, browser, pdf, sheet, slide 3, player, slide 2 again, slide 4. Over it all: the webcam tile
(a face-like blob) off (initials) and on twice, the "You are screen sharing" toolbar, a pointer, a calendar toast.

Decisions, fixed before any result was seen. A true cut is a switch of application or a new slide (8) and, as
README.md has it ("a scrolling screen share is not cut while it scrolls; once it settles ... it is cut"), the
settling of the scroll: 9 true cuts, +-1 s; a second line scores the brief's reading (that one optional). The
clip, the scrolling, the zoom (README: a new view), the webcam, the toolbar, the toast and the pointer are NOT
cuts: a boundary over 1 s from every true cut is a false alarm, put down to the situation whose window (start - 1 s
to end) holds it, else "other". A query's truth is the part (cut to cut) that discusses it: a said query's, where
it is said (the revisit query's: slide 2's second showing); a shown query's, the part showing the words (slide
2's: its first showing, where it is discussed). Two "clip" queries describe only the clip's picture: only CLIP,
whose weights are absent here, could answer them. The 20 queries were written before the first run, not changed.

    python3 scripts/independent_webinar_apps.py [--out /tmp/webinar] [--reuse]

Prints cuts and section edges (P / R / F1 at +-1 s, false alarms' situations), per part what the index holds, which
chrome text (tabs, URL, title bars, toast...) OCR stored and where, slide 2's two showings, each query's hit or miss
(top result's IoU >= 0.5) with channel scores; writes OUT/diagnostics.json; `--reuse` scores what OUT holds. Fixed
seeds. One webinar in its own index: a probe, not a benchmark.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from pathlib import Path

import av
import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
import independent_code_lecture  # noqa: E402 (its index, query report, diagnostics and command line)
import independent_lecture  # noqa: E402 (its espeak-ng reader, soundtrack and encoder)
import independent_media_lecture  # noqa: E402 (its cut report, line wrapping and visual side again)
from independent_seminar_lecture import overlap  # noqa: E402

W, H, FPS, SR = 1280, 720, 8, 16000
VOICE, RATE = "en-us+f4", 165
LEAD, GAP, PAUSE = independent_lecture.LEAD, 1.5, 0.6  # s: part start to first word; after last word; around events
SCROLL_S, SCROLL_PX, ZOOM = 10.0, 600, 1.75  # the browser's scroll (s, page px); the pdf's zoom
CLIP_AT, CLIP_S = 2.5, 15.0  # s into the player part when the clip starts; how long it plays
TILE = (1040, 556, 232, 150)  # the webcam tile: x, y, width, height
NAME = "ferrolink4_webinar_rec.mp4"
FACES = {"ui": "dejavu/DejaVuSans", "ui-b": "dejavu/DejaVuSans-Bold", "mono": "dejavu/DejaVuSansMono",
         "slide": "liberation/LiberationSans-Regular", "slide-b": "liberation/LiberationSans-Bold",
         "serif": "liberation/LiberationSerif-Regular", "serif-b": "liberation/LiberationSerif-Bold"}
NAVY, ORANGE, INK, GREY = (20, 36, 74), (240, 120, 20), (40, 42, 50), (120, 122, 130)
SLIDES = {  # key: (title, lines); the deck's order is the thumbnail strip's
    "title": ("Ferrolink 4.0", ["Fleet telemetry: what's new this quarter", "Priya Natarajan, Product Lead  |  "
                                "12 March 2026"]),
    "whatsnew": ("What's New in 4.0", ["Edge buffering for offline trucks", "Sub-second GPS replay",
                                       "Per-vehicle cost tracking", "SOC 2 Type II audited"]),
    "replay": ("Customer Story: Nordhavn Logistics", ["240 trucks across Denmark and Sweden", "Replays at 10 Hz "
                                                      "instead of 1 Hz", "Found 14 unsafe U-turns in a week"]),
    "next": ("Pricing and Next Steps", ["Starter: 9 EUR per vehicle per month", "Fleet: 14 EUR per vehicle per month",
                                        "Free 30-day pilot: ferrolink.io/pilot"]), "questions": ("Questions?", [])}
PARTS = [  # (key, app, slide, [speech clips]; an event falls between the clips or after the last)
    ("title", "deck", "title", ["Hi everyone, and thanks for joining us today. I'm Priya, and I look after product at "
     "Ferrolink. Over the next few minutes I'll show you what changed in version four, walk through the documentation "
     "for the new ingest interface, share our latest reliability numbers, look at costs, and play you a short replay "
     "from one of our customers. Please put your questions in the chat as we go."]),
    ("whatsnew", "deck", "whatsnew", ["So, three big changes in this release. First, the gateway in each vehicle now "
     "keeps its readings locally whenever the cellular link drops, and uploads them in order once the truck is back "
     "in coverage. Second, location history can now be replayed at a much finer time resolution, which dispatchers "
     "have been asking for since version one. And third, every vehicle now carries its own running total of fuel, "
     "tolls and maintenance."]),
    ("docs-auth", "browser", None, ["Let me switch over to the documentation. The new ingest interface lives here. "
     "Every gateway signs its requests with a token that is scoped to a single depot, so a leaked key cannot touch "
     "the rest of your fleet. You create these tokens in the admin console, and they expire on their own. Let me "
     "scroll down a bit."]),
    ("docs-limits", "browser", None, ["Here are the limits. Each gateway may send short bursts well above its normal "
     "pace, and the steady rate is lower. If you go over it, the server answers with a header telling the gateway "
     "when to try again, rather than dropping anything. Most customers never come close to these numbers, but it is "
     "worth knowing where they are before you connect a large depot."]),
    ("report", "pdf", None, ["Next, our quarterly reliability report. This is page three, which covers how often the "
     "uplink from the trucks was actually available, broken down by region. The print is a bit small, so let me "
     "zoom in on the table.", "Across every region we stayed above our target of ninety nine point eight percent. "
     "Even the slowest region still delivered data within a few seconds on median, and most of the delay there "
     "comes from rural coverage gaps. We publish this report every quarter, and the full document is linked from our "
     "website."]),
    ("costs", "sheet", None, ["Now let's talk about money. This sheet is exported straight from the new per vehicle "
     "cost view, one row per vehicle, with fuel, tolls and maintenance in separate columns. The chart on the right "
     "makes the story obvious: truck nineteen costs almost twice as much as any other vehicle, and nearly all of that "
     "is maintenance. That's the kind of outlier we want you to catch without building reports."]),
    ("replay", "deck", "replay", ["Let me go back to the slides for a customer story. Nordhavn Logistics runs two "
     "hundred and forty trucks across Denmark and Sweden, and they switched on the finer replay as soon as it was "
     "available in beta. Their safety team went through every route from the first seven days, and what they "
     "discovered surprised them. I asked their head of operations if I could show you one example, and she kindly "
     "agreed."]),
    ("clip", "player", None, ["Here is one of those replays, from a truck leaving the Aarhus depot early in the "
     "morning. Keep an eye on the loading yard. At the old resolution, this whole manoeuvre would have looked like "
     "a single point, and nobody would have noticed it. Their dispatchers now go through a handful of these with the "
     "drivers every Monday morning."]),
    ("whatsnew-again", "deck", "whatsnew", ["Let me jump back to the feature list for a moment. The replay you just "
     "saw is the second item here, and it is included in every plan at no extra cost. The buffering and the new "
     "money view come with it as well, so nothing on this list is an add-on."]),
    ("next", "deck", "next", ["To wrap up, pricing stays simple: you pay per vehicle per month, and you can start a "
     "free pilot today with up to twenty vehicles. Thank you all for your time. I'll stop sharing now and take your "
     "questions from the chat. If you would like a guided setup, just reply to the follow up email and our team will "
     "book a call with you."]),
]
TOOLBAR = ("whatsnew", 3.0, 7.0)  # (part, seconds into it, seconds shown)
TOGGLES = [("docs-auth", 9.0), ("report", 6.0), ("costs", 5.0), ("replay", 4.0)]  # webcam off, on, off, on
TOAST = ("costs", 13.0, 5.0)
CLICKS = [("docs-auth", 4.0, 7), ("costs", 20.0, 5)]  # (part, seconds in, keys): typing besides the alt-tabs
CHROME = {  # text on screen that is no slide's or page's content: where does OCR store it?
    "deck title bar": "Ferrolink_Webinar_Q3.pptx", "deck ribbon": "Transitions Animations",
    "deck status bar": "Slide 2 of 5", "browser tab": "Grafana Fleet overview", "mail tab": "Inbox (214) Mail",
    "address bar": "docs.ferrolink.io/ingest/v4/authentication", "bookmarks": "Jira Status page Payroll",
    "site chrome": "Search docs", "pdf title bar": "Q3_Reliability_Report.pdf", "sheet title bar": "fleet_costs_2025",
    "sheet tabs": "Q2 costs Notes", "player title": "route_replay_truck12.mp4", "toolbar": "You are screen sharing",
    "toast": "Quarterly board prep", "webcam name": "Priya Natarajan", "thumbnail of slide 5": "Questions"}
QUERIES = [  # (query, part, type); written with the material, before the first run, not changed after
    ("uploads them in order once the truck is back in coverage", "whatsnew", "said"),
    ("a leaked key cannot touch the rest of your fleet", "docs-auth", "said"),
    ("the slowest region still delivered data within a few seconds", "report", "said"),
    ("truck nineteen costs almost twice as much", "costs", "said"), ("would have looked like a single point", "clip",
                                                                      "said"),
    ("included in every plan at no extra cost", "whatsnew-again", "revisit"),
    ("holding on to data when a lorry loses its network connection", "whatsnew", "concept"),
    ("how each device proves its identity to the platform", "docs-auth", "concept"),
    ("throttling when a device transmits too fast", "docs-limits", "concept"),
    ("how dependable the connection was over the past three months", "report", "concept"),
    ("noticing that one lorry is far more expensive to run than the rest", "costs", "concept"),
    ("what the subscription charges are and how to trial the product", "next", "concept"),
    ("Rotate tokens every 90 days", "docs-auth", "shown"), ("500 messages per second per gateway", "docs-limits",
                                                            "shown"),
    ("Nordics Iberia Midwest", "report", "shown"), ("Q3 spend by vehicle", "costs", "shown"),
    ("SOC 2 Type II audited", "whatsnew", "shown"), ("14 unsafe U-turns in a week", "replay", "shown"),
    ("the clip with the spinning orange shape", "clip", "clip"),
    ("video of a rotating orange marker moving across a map", "clip", "clip")]


@functools.lru_cache(maxsize=None)
def font(face: str, size: int):
    return ImageFont.truetype(f"/usr/share/fonts/truetype/{FACES[face]}.ttf", size)


def canvas(colour, w: int = W, h: int = H, bar: tuple | None = None):
    """A picture and its pen; `bar`: (text, colour, height) of an application's title bar across its top."""
    im = Image.new("RGB", (w, h), colour)
    d = ImageDraw.Draw(im)
    if bar:
        d.rectangle([0, 0, W, bar[2]], fill=bar[1])
        d.text((W // 2, bar[2] // 2), bar[0], font=font("ui", 13), fill=(245, 245, 245), anchor="mm")
    return im, d


def put(d, items) -> None:  # (x, y, text, face, size, colour) items
    for x, y, text, face, size, fill in items:
        d.text((x, y), text, font=font(face, size), fill=fill)


def para(d, text: str, x: int, y: int, face: str, size: int, width: int, step: int, fill=INK) -> int:
    """`text` wrapped to `width` px from (x, y), `step` px a line; returns the y under it."""
    for line in independent_media_lecture.wrap(text, font(face, size), width):
        d.text((x, y), line, font=font(face, size), fill=fill)
        y += step
    return y


def slide_image(key: str):
    """The deck's one template at 960x540: white page, logo, navy title over an orange bar, bullets with orange
    squares, a footer with the page number (the title slide: a big title and two lines)."""
    title, lines = SLIDES[key]
    im, d = canvas((255, 255, 255), 960, 540)
    d.rectangle([40, 28, 62, 50], fill=ORANGE)
    d.line([40, 500, 920, 500], fill=(215, 217, 222))
    put(d, [(72, 30, "FERROLINK", "slide-b", 18, NAVY), (40, 508, "Ferrolink  |  Product Webinar Q3 2026", "slide", 15,
            GREY), (900, 508, str(list(SLIDES).index(key) + 1), "slide", 15, GREY)])
    if key == "title":
        d.rectangle([62, 262, 300, 268], fill=ORANGE)
        put(d, [(60, 170, title, "slide-b", 72, NAVY), (62, 292, lines[0], "slide", 32, INK),
                (62, 350, lines[1], "slide", 22, GREY)])
        return im
    d.text((40, 80), title, font=font("slide-b", 44), fill=NAVY)
    d.rectangle([40, 140, 180, 145], fill=ORANGE)
    for k, text in enumerate(lines):
        d.rectangle([44, 196 + 66 * k, 56, 208 + 66 * k], fill=ORANGE)
        d.text((76, 184 + 66 * k), text, font=font("slide", 32), fill=INK)
    return im


def deck_frame(key: str) -> np.ndarray:
    """The presentation app in edit view with slide `key` selected."""
    im, d = canvas((232, 232, 235), bar=("Ferrolink_Webinar_Q3.pptx  -  Slides", (183, 71, 42), 30))
    d.rectangle([0, 30, W, 70], fill=(246, 246, 246))
    d.rectangle([0, 70, 210, 696], fill=(222, 222, 226))
    d.rectangle([0, 696, W, H], fill=(212, 212, 215))
    dark = (60, 60, 64)
    put(d, [(16, 42, "File    Home    Insert    Design    Transitions    Animations    Slide Show    Review    View",
             "ui", 14, dark), (14, 700, f"Slide {list(SLIDES).index(key) + 1} of {len(SLIDES)}      English (US)",
                               "ui", 12, dark), (1120, 700, "Notes    100%", "ui", 12, dark)])
    for k, other in enumerate(SLIDES):
        y = 84 + 118 * k
        if other == key:
            d.rectangle([27, y - 4, 199, y + 98], outline=ORANGE, width=4)
        im.paste(slide_image(other).resize((168, 94)), (29, y - 2))
        d.text((10, y), str(k + 1), font=font("ui", 13), fill=dark)
    im.paste(slide_image(key), (265, 113))
    return np.asarray(im).copy()


def browser_chrome() -> np.ndarray:
    """The browser: tabs, address bar, bookmarks, the docs site's sticky header and sidebar; content left white."""
    im, d = canvas((255, 255, 255))
    d.rectangle([0, 0, W, 38], fill=(53, 54, 58))
    for k, tab in enumerate(["Ingest API  -  Ferrolink Docs", "Grafana  -  Fleet overview", "Inbox (214)  -  Mail"]):
        x = 80 + 250 * k
        d.rounded_rectangle([x, 6, x + 240, 40], 8, fill=(241, 243, 244) if k == 0 else (70, 72, 76))
        d.rectangle([x + 12, 16, x + 26, 30], fill=ORANGE if k == 0 else (120, 160, 220))
        d.text((x + 34, 14), tab, font=font("ui", 13), fill=(30, 30, 30) if k == 0 else (210, 210, 214))
    d.rectangle([0, 38, W, 100], fill=(241, 243, 244))
    d.rounded_rectangle([110, 44, 1180, 70], 13, fill=(255, 255, 255))
    d.line([0, 150, W, 150], fill=(222, 224, 228), width=2)
    d.rounded_rectangle([960, 110, 1240, 140], 6, outline=(200, 202, 208), fill=(248, 249, 250))
    d.rectangle([0, 151, 250, H], fill=(247, 248, 250))
    d.rectangle([0, 240, 250, 268], fill=(255, 236, 214))
    put(d, [(850, 10, "+", "ui", 18, (210, 210, 214)), (14, 46, "<   >   C", "ui-b", 15, (95, 99, 104)),
            (130, 49, "https://docs.ferrolink.io/ingest/v4/authentication", "ui", 14, (32, 33, 36)),
            (16, 80, "Docs      Jira      Grafana      Status page      Payroll", "ui", 12, (60, 64, 67)),
            (24, 112, "ferrolink docs", "ui-b", 20, NAVY), (976, 116, "Search docs...", "ui", 14, (140, 142, 150)),
            (300, 116, "Guides      API reference      Changelog", "ui", 15, (70, 74, 80))])
    for k, item in enumerate(["Getting started", "Ingest API", "   Authentication", "   Rate limits", "   Errors",
                              "Webhooks", "SDKs", "Changelog"]):
        d.text((24, 176 + 34 * k), item, font=font("ui-b" if k == 1 else "ui", 15), fill=(50, 54, 60))
    return np.asarray(im).copy()


def docs_page() -> tuple[np.ndarray, int]:
    """The docs content column (890 px wide, long); returns it and the y of its "Rate limits" heading."""
    im, d = canvas((255, 255, 255), 890, 1400)
    d.text((0, 30), "Authenticating ingest requests", font=font("ui-b", 32), fill=(24, 26, 32))
    y = para(d, "Every gateway signs its requests with a depot-scoped bearer token. Tokens are created in the admin "
             "console under Settings > Access and are bound to one depot ID.", 0, 96, "ui", 17, 850, 27)
    y = para(d, "Send the token in the Authorization header of every request:", 0, y + 14, "ui", 17, 850, 27) + 14
    d.rounded_rectangle([0, y, 860, y + 100], 6, fill=(40, 44, 52))
    for k, code in enumerate(["curl https://ingest.ferrolink.io/v4/points \\",
                              '  -H "Authorization: Bearer $FL_TOKEN" \\', "  -d @batch.json"]):
        d.text((18, y + 14 + 26 * k), code, font=font("mono", 16), fill=(171, 178, 191))
    y += 124
    d.rectangle([0, y, 860, y + 56], fill=(255, 248, 225))
    d.rectangle([0, y, 5, y + 56], fill=(245, 180, 0))
    d.text((20, y + 16), "Rotate tokens every 90 days. Expired tokens return 401 Unauthorized.", font=font("ui", 17),
           fill=(90, 70, 10))
    y = para(d, "Tokens carry the depot ID, so a request for another depot is refused even with a valid signature. "
             "Revoking a token takes effect within one minute on every ingest node.", 0, y + 80, "ui", 17, 850, 27)
    limits = y = max(y + 60, 640)
    d.text((0, y), "Rate limits", font=font("ui-b", 26), fill=(24, 26, 32))
    d.text((0, y + 50), "Limits apply per gateway, measured over a sliding window.", font=font("ui", 17), fill=INK)
    y += 90
    for k, (name, value) in enumerate([("Limit", "Value"), ("Burst", "500 messages per second per gateway"), (
            "Sustained", "120 messages per second"), ("Batch size", "2,000 points or 1 MB")]):
        d.rectangle([0, y, 860, y + 40], fill=(243, 245, 248) if k == 0 else (255, 255, 255), outline=(222, 224, 228))
        put(d, [(16, y + 10, name, "ui-b" if k == 0 else "ui", 16, INK), (240, y + 10, value, "ui-b" if k == 0
                                                                           else "ui", 16, INK)])
        y += 40
    put(d, [(0, y + 24, "Requests above the limit receive HTTP 429 with a Retry-After header.", "ui", 17, INK),
            (0, y + 94, "Errors", "ui-b", 26, (24, 26, 32))])
    return np.asarray(im).copy(), limits


def pdf_frame(zoomed: bool) -> np.ndarray:
    """The document viewer at 100 % (the page's top, centred) or 175 % (centred on the table); the page (3 of the
    reliability report: heading, text, a table, a footnote) is drawn at 2x and scaled."""
    im, d = canvas((255, 255, 255), 1120, 1584)
    black = (20, 20, 24)
    put(d, [(90, 50, "Ferrolink  |  Q3 2025 Reliability Report", "serif", 17, GREY),
            (90, 120, "3.  Uplink availability", "serif-b", 34, black),
            (90, 1490, "Measured 1 July - 30 September 2025 across 18,400 gateways.", "serif", 16, GREY),
            (1000, 1490, "3", "serif", 16, GREY)])
    y = para(d, "Availability is the share of five-minute windows in which a gateway could reach an ingest node. "
             "Delay is measured from the reading's timestamp on the vehicle to its commit in storage. Regions are "
             "listed by fleet size.", 90, 190, "serif", 21, 940, 32, black) + 30
    rows = [("Region", "Uptime", "Median delay", "Gateways"), ("Nordics", "99.97 %", "1.8 s", "4,120"),
            ("Iberia", "99.91 %", "2.4 s", "3,050"), ("Midwest US", "99.88 %", "3.1 s", "6,410"),
            ("Ontario", "99.93 %", "2.0 s", "4,820")]
    middle = y + 46 * len(rows) // 2
    for k, row in enumerate(rows):
        d.line([90, y, 1030, y], fill=(60, 60, 64), width=2 if k < 2 else 1)
        put(d, [(100 + 235 * c, y + 10, cell, f"serif{'-b' * (k == 0)}", 22, black) for c, cell in enumerate(row)])
        y += 46
    d.line([90, y, 1030, y], fill=(60, 60, 64), width=2)
    d.text((90, y + 14), "Table 2. Uplink availability by region, Q3 2025", font=font("serif", 19), fill=GREY)
    para(d, "All regions met the 99.8 % target. Delays above 3 s were concentrated in rural areas with intermittent "
         "coverage; buffered readings arrived complete and in order.", 90, y + 80, "serif", 21, 940, 32, black)
    page = np.asarray(im).copy()
    im, d = canvas((222, 223, 226), bar=("Q3_Reliability_Report.pdf  -  Document Viewer", (60, 60, 64), 32))
    d.rectangle([0, 32, W, 72], fill=(245, 245, 246))
    d.text((20, 44), f"3 / 12      -   {'175%' if zoomed else '100%'}   +      Fit width      Find      Print",
           font=font("ui", 14), fill=(50, 50, 54))
    frame = np.asarray(im).copy()
    scale = 0.5 * (ZOOM if zoomed else 1.0)
    img = cv2.resize(page, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    left, top = (W - img.shape[1]) // 2, (396 - int(middle * scale) if zoomed else 88)
    y0, x0, y1, x1 = max(top, 72), max(left, 0), min(top + img.shape[0], H), min(left + img.shape[1], W)
    frame[y0:y1, x0:x1] = img[y0 - top:y1 - top, x0 - left:x1 - left]
    return frame


def sheet_frame() -> np.ndarray:
    """The spreadsheet: chrome, a formula bar, a grid with the cost table, an embedded stacked-bar chart, tabs."""
    im, d = canvas((255, 255, 255), bar=("fleet_costs_2025.xlsx  -  Sheets", (33, 115, 70), 30))
    for y0, y1 in ((60, 88), (114, 136), (690, H)):  # toolbar, column letters, sheet tabs
        d.rectangle([0, y0, W, y1], fill=(242, 243, 245))
    put(d, [(14, 36, "File   Edit   View   Insert   Format   Data   Tools   Help", "ui", 14, (50, 50, 54)),
            (12, 94, "F5        fx   =SUM(B5:D5)", "ui", 14, (50, 50, 54))] +
        [(60 + 110 * k, 698, tab, "ui-b" if k == 0 else "ui", 13, (30, 110, 60) if k == 0 else (80, 80, 86))
         for k, tab in enumerate(["Q3 costs", "Q2 costs", "Notes"])])
    xs = np.cumsum([0, 40, 110] + [100] * 11)
    table = [("Vehicle", "Fuel", "Tolls", "Maintenance", "Total (EUR)"), ("TRK-07", "4,210", "880", "1,150", "6,240"),
             ("TRK-12", "3,980", "910", "990", "5,880"), ("TRK-19", "4,350", "860", "6,720", "11,930"),
             ("VAN-03", "1,640", "220", "480", "2,340"), ("VAN-05", "1,720", "260", "510", "2,490"),
             ("All", "15,900", "3,130", "9,850", "28,880")]
    for r in range(25):
        d.line([0, 136 + 22 * r, W, 136 + 22 * r], fill=(226, 227, 230))
        put(d, [(12, 140 + 22 * r, str(r + 1), "ui", 12, (90, 90, 96))] + [
            (int(xs[c + 1]) + 6, 140 + 22 * r, cell, "ui-b" if r in (0, 6) else "ui", 13, (20, 20, 24))
            for c, cell in enumerate(table[r] if r < len(table) else [])])
    for c, x in enumerate(xs[:-1]):
        d.line([int(x), 114, int(x), 686], fill=(226, 227, 230))
        d.text((int(x) + 40, 118), chr(64 + c) if c else "", font=font("ui", 13), fill=(90, 90, 96))
    d.rectangle([660, 160, 1230, 520], fill=(255, 255, 255), outline=(150, 150, 156), width=2)
    d.text((945, 176), "Q3 spend by vehicle (EUR)", font=font("ui-b", 17), fill=(40, 40, 44), anchor="mt")
    colours = [(66, 133, 244), (251, 140, 0), (140, 140, 150)]
    for k, row in enumerate(table[1:6]):
        y, x = 470, 720 + 95 * k
        for v, colour in zip(row[1:4], colours):
            h = int(int(v.replace(",", "")) * 0.022)
            d.rectangle([x, y - h, x + 54, y], fill=colour)
            y -= h
        d.text((x + 27, 478), row[0], font=font("ui", 12), fill=(60, 60, 64), anchor="mt")
    return np.asarray(im).copy()


def player_frame(since: float) -> np.ndarray:
    """The media player `since` seconds after it came up: poster and play button, the clip playing, its end. The
    clip at progress u: the map panning slowly after a spinning orange star that drives in, turns in the yard and
    drives out; a fading trail; a caption with a ticking clock."""
    def where(v):
        path = np.array([[80, 170], [600, 190], [760, 360], [900, 400], [780, 440], [620, 330], [1220, 560]], float)
        s = np.clip(v, 0, 1) * (len(path) - 1)
        i = min(int(s), len(path) - 2)
        return path[i] + (s - i) * (path[i + 1] - path[i])
    u, grid = float(np.clip((since - CLIP_AT) / CLIP_S, 0, 1)), np.random.default_rng(12).integers(-20, 20, (20, 2))
    img = np.zeros((720, 1300, 3), np.uint8) + np.array([34, 40, 52], np.uint8)  # the map: blocks, streets, a yard
    for k in range(9):
        cv2.line(img, (150 * k + int(grid[k, 0]), 0), (150 * k + int(grid[k, 1]), 720), (88, 96, 112), 10)
        cv2.line(img, (0, 40 + 130 * k), (1300, 40 + 130 * k + int(grid[k + 9, 0])), (88, 96, 112), 14)
    cv2.rectangle(img, (700, 300), (960, 470), (58, 70, 60), -1)
    cv2.putText(img, "LOADING YARD", (716, 460), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (150, 170, 150), 1, cv2.LINE_AA)
    ox, oy = int(30 + 220 * u), int(40 + 90 * u)
    img = img[oy:oy + 576, ox:ox + 1024].copy()
    for k in range(1, 13):
        x, y = where(u - 0.012 * k)
        cv2.circle(img, (int(x) - ox, int(y) - oy), max(2, 9 - k // 2), (200, 110, 30), -1)
    x, y = where(u)
    angle = 2 * np.pi * u * CLIP_S / 1.6  # a turn every 1.6 s
    star = [(x - ox + (34 if k % 2 == 0 else 14) * np.cos(angle + k * np.pi / 5),
             y - oy + (34 if k % 2 == 0 else 14) * np.sin(angle + k * np.pi / 5)) for k in range(10)]
    cv2.fillPoly(img, [np.array(star, np.int32)], (255, 140, 0), cv2.LINE_AA)
    img[520:] = (img[520:] * 0.35).astype(np.uint8)
    cv2.putText(img, f"Route replay  -  Truck 12  -  Aarhus depot  -  06:42:{10 + int(u * CLIP_S):02d}", (24, 556),
                cv2.FONT_HERSHEY_SIMPLEX, 0.7, (240, 240, 240), 1, cv2.LINE_AA)
    frame = np.zeros((H, W, 3), np.uint8) + np.array([24, 24, 28], np.uint8)
    frame[:30] = (40, 40, 46)
    cv2.putText(frame, "route_replay_truck12.mp4 - Media Player", (470, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.5,
                (230, 230, 234), 1, cv2.LINE_AA)
    frame[40:616, 128:1152] = img
    if since < CLIP_AT:
        cv2.circle(frame, (640, 328), 50, (240, 240, 240), 4, cv2.LINE_AA)
        cv2.fillPoly(frame, [np.array([[625, 300], [625, 356], [670, 328]], np.int32)], (240, 240, 240))
    cv2.rectangle(frame, (180, 656), (880, 662), (80, 80, 86), -1)
    cv2.rectangle(frame, (180, 656), (180 + int(700 * u), 662), (255, 140, 0), -1)
    cv2.putText(frame, f"0:{int(u * CLIP_S):02d} / 0:{int(CLIP_S):02d}", (900, 665), cv2.FONT_HERSHEY_SIMPLEX, 0.5,
                (220, 220, 224), 1, cv2.LINE_AA)
    return frame


def overlays(frame: np.ndarray, t: float, truth: dict, rng, fixed: dict) -> None:
    """The meeting app's and the desktop's layers over the shared screen at time t: its toolbar, a toast, the
    webcam tile, the mouse pointer."""
    ev = truth["events"]
    a, b = ev["toolbar"]
    if a <= t < b:
        frame[0:34, 440:840] = fixed["toolbar"]
    a, b = ev["toast"]
    if a <= t < b + 0.4:
        slide = min(1.0, (t - a) / 0.4, (b + 0.4 - t) / 0.4)
        x = W - int((W - 920) * (3 * slide * slide - 2 * slide ** 3))
        if x < W:
            frame[44:128, x:min(W, x + 340)] = fixed["toast"][:, :min(W, x + 340) - x]
    x, y, w, h = TILE
    on = sum(t >= s for s in ev["toggles"]) % 2 == 0  # the presenter's camera: a face-like blob, or initials
    tile = np.zeros((h, w, 3), np.uint8) + np.array([92, 100, 96] if on else [38, 38, 42], np.uint8)
    if on:
        tile[100:] = (70, 62, 58)
        cx, cy = int(w / 2 + 16 * np.sin(0.8 * t) + 4 * np.sin(2.3 * t)), int(62 + 4 * np.sin(2.1 * t))
        cv2.ellipse(tile, (cx, cy + 92), (70, 40), 0, 180, 360, (150, 60, 70), -1)
        cv2.ellipse(tile, (cx, cy), (30, 38), 0, 0, 360, (190, 150, 122), -1)
        cv2.ellipse(tile, (cx, cy - 18), (33, 26), 0, 180, 360, (40, 30, 26), -1)
        tile = np.clip(tile.astype(np.int16) + rng.integers(-8, 9, tile.shape), 0, 255).astype(np.uint8)
    else:
        cv2.circle(tile, (w // 2, 66), 32, (90, 110, 160), -1)
        cv2.putText(tile, "PN", (w // 2 - 20, 76), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (240, 240, 240), 2, cv2.LINE_AA)
    tile[h - 22:] = (tile[h - 22:] * 0.4).astype(np.uint8)
    cv2.putText(tile, "Priya Natarajan", (6, h - 7), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (240, 240, 240), 1, cv2.LINE_AA)
    frame[y:y + h, x:x + w] = tile
    spots = np.random.default_rng(3).uniform((60, 60), (W - 60, H - 60), (int(t // 4) + 2, 2))
    k, s = int(t // 4), min(1.0, (t % 4) / 1.2)  # the mouse rests, then glides (1.2 s) to a new spot every 4 s
    at = spots[k] + (3 * s * s - 2 * s ** 3) * (spots[k + 1] - spots[k])
    arrow = np.array([[0, 0], [0, 22], [6, 17], [10, 26], [14, 24], [10, 16], [17, 16]]) + at.astype(int)
    cv2.fillPoly(frame, [arrow.astype(np.int32)], (255, 255, 255))
    cv2.polylines(frame, [arrow.astype(np.int32)], True, (0, 0, 0), 1, cv2.LINE_AA)


def timeline(clips: list[list[np.ndarray]]) -> dict:
    """The truth: each part's start, end, key, app and slide, its clips' (start, end) and events' times (s); the
    true cuts, the overlays' times, the situations' windows, the parts' spans and the queries with their truth."""
    parts, t = [], 0.0
    for (key, app, slide, _), sounds in zip(PARTS, clips):
        at, placed, events = t + LEAD, [], {}
        for k, clip in enumerate(sounds):
            placed.append([round(at, 3), round(at + len(clip) / SR, 3)])
            at += len(clip) / SR + PAUSE
            if k == 0 and app == "pdf":
                events["zoom"] = round(at, 3)
                at += PAUSE + 0.4
        end = at - PAUSE + GAP
        if key == "docs-auth":
            events["scroll"] = round(at, 3)
            end = at + SCROLL_S
        end = max(end, t + CLIP_AT + CLIP_S + 2.0) if app == "player" else end
        parts.append({"start": round(t, 3), "end": round(end, 3), "key": key, "app": app, "slide": slide,
                      "clips": placed, "events": events})
        t = end
    span = {p["key"]: (p["start"], p["end"]) for p in parts}
    at = {p["key"]: p["start"] for p in parts}
    scroll, zoom = span["docs-limits"][0], next(p["events"]["zoom"] for p in parts if p["app"] == "pdf")
    events = {"toolbar": [at[TOOLBAR[0]] + TOOLBAR[1], at[TOOLBAR[0]] + TOOLBAR[1] + TOOLBAR[2]],
              "toast": [at[TOAST[0]] + TOAST[1], at[TOAST[0]] + TOAST[1] + TOAST[2]],
              "toggles": [at[k] + s for k, s in TOGGLES], "zoom": zoom, "scroll": [scroll - SCROLL_S, scroll],
              "clip": [at["clip"] + CLIP_AT, at["clip"] + CLIP_AT + CLIP_S]}
    situations = {n: [events[n][0]] * 2 + [events[n][1] + 2.0] for n in ("toolbar", "toast", "clip")}
    situations |= {f"webcam {('off', 'on')[k % 2]} {k // 2 + 1}": [s, s, s + 3.0] for k, s in enumerate(
        events["toggles"])} | {"zoom": [zoom, zoom, zoom + 3.0], "scroll": [scroll - SCROLL_S] * 2 + [scroll]}
    cuts = [p["start"] for p in parts[1:]]
    moments = [*events["toolbar"], *events["toast"], *events["toggles"], zoom, scroll - SCROLL_S, *events["clip"]]
    assert all(abs(m - c) > 1.5 for m in moments for c in cuts), "an overlay event is too near a true cut"
    return {"parts": parts, "cuts": cuts, "scroll_end": scroll, "events": events, "situations": situations,
            "spans": span, "queries": [[q, *span[part], kind] for q, part, kind in QUERIES]}


def sound(clips: list[list[np.ndarray]], parts: list[dict], duration: float, rng) -> np.ndarray:
    """The voice over the room, a laptop fan (hum and filtered hiss), keyboard clicks at each alt-tab and two
    bursts of typing."""
    from scipy.signal import butter, sosfilt

    flat = [(c, at - LEAD) for sounds, p in zip(clips, parts) for c, (at, _) in zip(sounds, p["clips"])]
    audio, n = independent_lecture.soundtrack(*zip(*flat), duration, rng), np.arange(int(duration * SR) + SR) / SR
    fan = sosfilt(butter(2, [180, 900], btype="band", fs=SR, output="sos"), rng.normal(0, 1, audio.size))
    audio += (0.012 * fan / np.std(fan) + 0.004 * np.sin(2 * np.pi * 118 * n) + 0.002 * np.sin(2 * np.pi * 236 * n))
    click = rng.normal(0, 1, 160) * np.exp(-np.arange(160) / 25)
    at = {p["key"]: p["start"] for p in parts}
    for t in [p["start"] - d for p in parts[1:] if p["key"] != "docs-limits" for d in (0.45, 0.25)] + [  # alt-tab
            at[k] + s + 0.18 * i for k, s, m in CLICKS for i in range(m)]:
        i = int(t * SR)
        audio[i:i + 160] += 0.07 * rng.uniform(0.6, 1.0) * click[:len(audio[i:i + 160])]
    return (audio + 0.003 * rng.normal(0, 1, audio.size)).astype(np.float32)


def render(out: Path) -> dict:
    """Writes OUT/NAME, OUT/truth.json and OUT/frames/*.png (each part's middle frame); returns the truth."""
    rng = np.random.default_rng(23)
    clips = [[independent_lecture.speak(text, VOICE, RATE) for text in texts] for *_, texts in PARTS]
    parts = (truth := timeline(clips))["parts"]
    duration, starts = parts[-1]["end"], [p["start"] for p in parts]
    page, limits = docs_page()
    assert 570 < limits < SCROLL_PX + 60, f"the Rate limits heading at {limits} px"
    bar, d = canvas((46, 160, 67), 400, 34)  # the meeting app's toolbar
    d.rounded_rectangle([270, 5, 390, 29], 5, fill=(214, 48, 49))
    put(d, [(16, 8, "You are screen sharing", "ui-b", 15, (255, 255, 255)), (290, 9, "Stop Share", "ui-b", 13,
                                                                              (255, 255, 255))])
    toast, d = canvas((250, 250, 252), 340, 84)  # a calendar notification
    d.rectangle([0, 0, 339, 83], outline=(200, 200, 206))
    d.rectangle([14, 14, 38, 38], fill=(220, 60, 60))
    put(d, [(48, 12, "Calendar  -  now", "ui", 12, GREY), (48, 32, "Quarterly board prep", "ui-b", 15, INK),
            (48, 56, "Starts in 10 minutes  -  Room 4B", "ui", 12, GREY)])
    fixed = {"toolbar": np.asarray(bar).copy(), "toast": np.asarray(toast).copy(), "chrome": browser_chrome(),
             "pdf": pdf_frame(False), "pdf zoomed": pdf_frame(True), "sheet": sheet_frame(),
             **{k: deck_frame(k) for k in SLIDES}}
    (out / "frames").mkdir(exist_ok=True)
    with av.open(str(out / NAME), "w") as container:
        video, audio_stream = independent_lecture.streams(container, FPS)
        for f in range(int(duration * FPS)):
            t = f / FPS
            k = int(np.searchsorted(starts, t, side="right")) - 1
            p = parts[k]
            if p["app"] == "browser":
                a, b = truth["events"]["scroll"]
                s = float(np.clip((t - a) / (b - a), 0, 1))
                off = int(SCROLL_PX * (3 * s * s - 2 * s ** 3))
                frame = fixed["chrome"].copy()
                frame[151:H, 290:1180] = page[off:off + H - 151]
            elif p["app"] == "pdf":
                frame = fixed["pdf zoomed" if t >= p["events"]["zoom"] else "pdf"].copy()
            elif p["app"] == "player":
                frame = player_frame(t - p["start"])
            else:
                frame = fixed["sheet" if p["app"] == "sheet" else p["slide"]].copy()
            overlays(frame, t, truth, rng, fixed)
            if f == int((p["start"] + p["end"]) / 2 * FPS):
                Image.fromarray(frame).save(out / "frames" / f"{k:02d}_{p['key']}.png")
            for packet in video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        independent_lecture.finish(container, video, audio_stream, sound(clips, parts, duration, rng))
    (out / "truth.json").write_text(json.dumps(truth, indent=1))
    print(f"rendered {duration:.1f} s at {W}x{H}, {FPS} fps; parts: " +
          ", ".join(f"{p['start']:.1f} {p['key']}" for p in parts))
    print("events: " + json.dumps({k: np.round(v, 1).tolist() for k, v in truth["events"].items()}))
    return truth


def report_index(rec, diag: dict, truth: dict) -> None:
    """Per part: visual segments, sections and OCR entries (with text) overlapping it by more than 1 s; which chrome
    strings OCR stored (all their words in one entry) and in which parts; slide 2's two showings: their sections
    and OCR entries (with the share of the slide's words they hold)."""
    def near(spans, a, b):
        return [(round(s, 1), round(e, 1)) for s, e, *_ in spans if overlap(s, e, a, b) > 1.0]
    def words(text: str) -> set[str]:
        return set(re.findall(r"[a-z0-9]+", text.lower()))
    for p in truth["parts"]:
        a, b = p["start"], p["end"]
        print(f"{p['key']} ({p['app']}) {a:.1f}-{b:.1f}: visual segments {near(rec.visual_segments, a, b)}; "
              f"sections {near(rec.sections, a, b)}")
        for s, e, text in (o for o in diag["ocr"] if overlap(o[0], o[1], a, b) > 1.0):
            print(f"    ocr {s:6.1f}-{e:6.1f}: {text[:200]!r}")
    diag["chrome"] = {}
    for label, text in CHROME.items():
        hits = [o for o in diag["ocr"] if words(text) <= words(o[2])]
        where = sorted({p["key"] for p in truth["parts"] if near(hits, p["start"], p["end"])})
        diag["chrome"][label] = {"entries": near(hits, 0, 1e9), "parts": where}
        print(f"chrome {label:16s} {text!r}: in {len(hits)} OCR entries, parts {where}")
    want = words(" ".join(SLIDES["whatsnew"][1]))
    for key in ("whatsnew", "whatsnew-again"):
        a, b = truth["spans"][key]
        ocr = [(round(o[0], 1), round(o[1], 1), round(len(want & words(o[2])) / len(want), 2)) for o in diag["ocr"]
               if overlap(o[0], o[1], a, b) > 1.0]
        print(f"revisit: {key} {a:.1f}-{b:.1f}: sections {near(rec.sections, a, b)}; OCR entries (start, end, share "
              f"of the slide's words) {ocr}")


def evaluate(out: Path, truth: dict, reuse: bool) -> None:
    from momentsearch.evaluate import boundary_scores, detected_boundaries

    index = independent_code_lecture.indexed(out, NAME, reuse)
    rec = index.videos()[0]
    independent_media_lecture.score_cuts(rec, index, truth)  # the settled scroll a true cut, as README has it
    sc = boundary_scores(detected_boundaries(index)[rec.path], [c for c in truth["cuts"] if c != truth["scroll_end"]],
                         optional=[truth["scroll_end"]])
    print(f"picture cuts vs the 8 switches (the settled scroll optional): P {sc.precision:.2f} R {sc.recall:.2f} "
          f"F1 {sc.f1:.2f} at +-1 s")
    sc = boundary_scores([float(s) for s, _ in rec.sections[1:]], truth["cuts"])
    print(f"section edges vs part edges: P {sc.precision:.2f} R {sc.recall:.2f} F1 {sc.f1:.2f}; "
          f"{len(rec.visual_segments)} visual segments, {len(rec.sections)} sections, channels {rec.channels}, "
          f"searchable {sorted(index.searchable_channels())}")
    diag = {"parts": truth["parts"], **independent_code_lecture.diagnostics(index, rec)}
    report_index(rec, diag, truth)
    independent_media_lecture.NAME = NAME  # its visual side again reads OUT/NAME
    diag["visual_detail"] = independent_media_lecture.visual_detail(out)
    print("visual side again: " + "; ".join(f"{g['start']:.1f}-{g['end']:.1f} views {g['views']}"
                                            for g in diag["visual_detail"]["segments"]))
    independent_code_lecture.run_queries(index, truth["queries"], diag)
    (out / "diagnostics.json").write_text(json.dumps(diag, indent=1, default=str))


def main() -> int:
    return independent_code_lecture.run_probe(__doc__, "/tmp/webinar", render, evaluate)


if __name__ == "__main__":
    sys.exit(main())
