#!/usr/bin/env python3
"""A German university lecture ("Vorlesung", a screen recording of the deck) rendered without
momentsearch.testing, indexed with `--language de` as the README tells a user to, and searched in German: a
check on a kind of real recording nothing was tuned on. 1280x720 at 10 fps, about 5 min. The screen shows the
deck full frame with the mouse pointer drifting to a bullet now and then. ONE template no other probe uses: a
university corporate design (white page, a green header band with a logo drawn as shapes and the wordmark
"Technische Universität Nordheim", dark sans titles over a green rule, green square bullets, the footer
"Prof. Dr. Katrin Wölfel | Thermodynamik I | WS 2026/27 | n"). Twelve slides of "Thermodynamik I, Vorlesung 7"
(Hauptsätze, Wärmeübertragung, Wärmekraftmaschinen, Carnot-Prozess, Wirkungsgrad, Zustandsgrößen, Entropie,
T-s-Diagramm, Übungsblatt) in real German typography: umlauts and ß in titles and bullets, long compounds,
„German quotes“, formulas with Greek letters and subscripts, decimal commas (0,35), a table slide and a
drawn T-s diagram. Speech: espeak-ng de+m3 at 145 wpm over ventilation noise and hiss, all in German, with
English loanwords ("das Paper", "der Workflow", "E-Mail", "Online-Portal"; "Paper" spelt for the voice as a
German says it) and two topic changes with no slide change: on the Carnot slide the lecturer turns to the exam
(Klausur), on the Entropie slide to the lab course (Praktikum: the workflow, the paper to read).

Decisions, fixed before any result was seen. The true cuts are the 11 slide changes, +-1 s; the pointer is no
cut. Parts: every slide is a part from its start to its end, except the two slides with a topic change, split at
the new topic's first word ("carnot" | "exam", "entropie" | "lab"); these two first words are topic edges, scored
with the cuts as section edges and, on a second line, alone (recall). Query truth: said / concept / compound /
english queries and queries typed without umlauts ("ascii") have the part where the words are said as truth;
shown queries (words only on a slide, never said) have the slide's whole showing; no shown query is on a slide
with a topic change. Types: said (German words spoken), ascii (the same typed as people do without umlauts or ß:
"Waermeuebertragung", "Warmekraftmaschine", "Masseinheit"), shown (incl. umlauts and ß), compound (words said or
shown only inside German compounds: "Kraftwerk Kohle" for "Kohlekraftwerk"), concept (German paraphrases) and
english (an English query for German content: the README says the sentence encoder is English-only, so these are
reported apart). The 31 queries were written with the slides, before the first run, and not changed after.
The same video is then indexed once more without a language (the default, English, as a user who forgot the flag
would) into OUT/db_en: the command's summary (its note, warnings) is printed and the same queries scored again.

    python3 scripts/independent_german_lecture.py [--out /tmp/german] [--reuse]

Prints the index commands' summaries, picture cuts and section edges against the truth (P / R / F1 at +-1 s),
per part the visual segments, OCR entries and transcript chunks, how OCR and Whisper wrote each umlaut and ß
word (and „ “ and decimal commas), each query's type, hit or miss (top result's IoU >= 0.5), truth and top
span, IoU, per-channel scores and the spelling correction the search made, the chapters and transcript as the
CLI prints them, then the English index's queries; writes OUT/diagnostics.json and OUT/diagnostics_en.json.
`--reuse` scores what OUT holds. Deterministic (fixed seeds). One lecture in its own index: a probe.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
import independent_code_lecture  # noqa: E402 (its query report, diagnostics and command line)
import independent_lecture  # noqa: E402 (its espeak-ng reader, soundtrack and encoder)
import independent_media_lecture  # noqa: E402 (its cut report and line wrapping)

W, H, FPS, SR = 1280, 720, 10, 16000
VOICE, RATE = "de+m3", 145
LEAD = independent_lecture.LEAD  # seconds from a slide's start to its first word
GAP, TURN = 1.6, 1.3  # seconds: after a slide's last word; the pause before a topic change on one slide
NAME = "thermo1_vl07_kreisprozesse.mp4"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans{}.ttf"
GREEN, INK, GREY, PALE = (0, 104, 87), (34, 38, 42), (112, 118, 122), (214, 236, 228)
BAND = 78  # pixels: the header band
SAY = {"Paper": "Peeper", "Carnot": "Karno"}  # how the voice is told to say a word (a German says them so)
FOOTER = "Prof. Dr. Katrin Wölfel  |  Thermodynamik I  |  WS 2026/27  |  {}"

SLIDES = {  # key: (title, bullets); "_{x}" is a subscript
    "title": ("Thermodynamik I", ["Vorlesung 7: Kreisprozesse, Wirkungsgrad und Entropie",
                                  "Prof. Dr. Katrin Wölfel", "Wintersemester 2026/27"]),
    "hauptsaetze": ("Rückblick: die Hauptsätze", ["1. Hauptsatz: ΔU = Q − W",
                                                  "Energieerhaltung im geschlossenen System",
                                                  "2. Hauptsatz: Wärme fließt nie von selbst vom kälteren "
                                                  "zum wärmeren Körper"]),
    "waerme": ("Wärmeübertragung", ["Wärmeleitung · Konvektion · Strahlung", "Wärmestrom: Q = λ · A · ΔT / d",
                                    "λ: Wärmeleitfähigkeit, Maßeinheit W/(m·K)",
                                    "Beispiel Ziegelwand: λ = 0,8 W/(m·K)"]),
    "maschinen": ("Wärmekraftmaschinen", ["Wärme → mechanische Arbeit", "Abwärme an die Umgebung (Kühlturm)",
                                          "Beispiele: Dampfturbine, Ottomotor, Stirlingmotor"]),
    "carnot": ("Der Carnot-Prozess", ["Sadi Carnot, „Réflexions sur la puissance motrice du feu“ (1824)",
                                      "2 Isothermen + 2 Adiabaten",
                                      "„Idealer Vergleichsprozess“: reversibel, verlustfrei"]),
    "carnot_eta": ("Carnot-Wirkungsgrad", ["η_{C} = 1 − T_{kalt} / T_{warm}",
                                           "Beispiel: T_{warm} = 600 K, T_{kalt} = 300 K",
                                           "η_{C} = 1 − 300/600 = 0,50", "Temperaturen immer in Kelvin einsetzen!"]),
    "real": ("Reale Wirkungsgrade im Vergleich", ["Kohlekraftwerk|0,40", "Ottomotor (Teillast)|0,25 – 0,35",
                                                  "GuD-Kraftwerk (Gas und Dampf)|0,60",
                                                  "Carnot bei 600 K / 300 K|0,50",
                                                  "Größenordnung eines Großkraftwerks: 1 GW elektrisch"]),
    "zustand": ("Zustandsgrößen und Prozessgrößen", ["Zustandsgröße: nur vom Zustand abhängig (p, T, V, U, S)",
                                                     "Prozessgröße: vom Weg abhängig (Q, W)",
                                                     "Im Kreisprozess: ∮ dU = 0"]),
    "entropie": ("Entropie", ["dS = δQ_{rev} / T", "Maßeinheit: J/K", "Abgeschlossenes System: ΔS ≥ 0",
                              "Rudolf Clausius, 1865"]),
    "ts": ("Carnot-Prozess im T-s-Diagramm", []),
    "uebung": ("Übungsblatt 7", ["Aufgabe 1: Wirkungsgrad einer Dampfturbine", "Aufgabe 2: Entropieänderung "
                                 "beim Mischen von Wasser", "Abgabe: Donnerstag, 14:00 Uhr, Briefkasten vor Raum "
                                 "MW 1801", "„Formelsammlung Thermodynamik“ ist zugelassen"]),
    "summary": ("Zusammenfassung", ["Carnot: obere Grenze für jeden Wirkungsgrad",
                                    "Entropie: Zustandsgröße, ΔS ≥ 0 im abgeschlossenen System",
                                    "Nächste Woche: Clausius-Rankine-Prozess", "Lesen: Baehr/Kabelac, Kapitel 3.2"]),
}
TALK = [  # (slide key, [(part, words)]): one slide each, in order; a second part is a topic change on that slide
    ("title", [("title", "Guten Morgen, meine Damen und Herren, und willkommen zur siebten Vorlesung Thermodynamik "
                "eins. Heute geht es um Kreisprozesse, um den Wirkungsgrad von Maschinen und um eine der "
                "wichtigsten Größen der Physik, die Entropie.")]),
    ("hauptsaetze", [("hauptsaetze", "Zuerst ein kurzer Rückblick. Der erste Hauptsatz sagt, dass Energie weder "
                      "erzeugt noch vernichtet wird. Die innere Energie ändert sich nur durch zugeführte Wärme und "
                      "abgegebene Arbeit. Der zweite Hauptsatz gibt die Richtung vor: Wärme fließt von allein immer "
                      "nur vom heißen zum kalten Körper.")]),
    ("waerme", [("waerme", "Wie gelangt Wärme überhaupt von einem Körper zum anderen? Bei der Wärmeübertragung "
                 "unterscheiden wir drei Mechanismen: Leitung im Festkörper, Konvektion in strömenden Flüssigkeiten "
                 "und Gasen, und Strahlung, die sogar durch das Vakuum geht. Der Wärmestrom durch eine Wand wächst "
                 "mit der Fläche und dem Temperaturunterschied und sinkt mit der Wandstärke.")]),
    ("maschinen", [("maschinen", "Eine Wärmekraftmaschine nutzt genau diesen Wärmestrom. Sie nimmt Wärme bei hoher "
                    "Temperatur auf, verwandelt einen Teil davon in mechanische Arbeit und gibt den Rest als "
                    "Abwärme an die Umgebung ab. Beispiele sind die Dampfturbine im Kraftwerk und der Ottomotor im "
                    "Auto.")]),
    ("carnot", [("carnot", "Welche Maschine wäre die beste? Der französische Ingenieur Sadi Carnot hat dazu im Jahr "
                 "achtzehnhundertvierundzwanzig einen idealen Kreisprozess beschrieben. Er besteht aus zwei "
                 "isothermen und zwei adiabaten Zustandsänderungen, und er läuft vollkommen reversibel ab, also "
                 "ohne Reibung und ohne Verluste."),
                ("exam", "Bevor wir weitermachen, kurz etwas Organisatorisches. Die Klausur findet am zwölften "
                 "Februar statt, im großen Hörsaal. Anmelden müssen Sie sich bis Ende Januar im Online-Portal. Ein "
                 "Taschenrechner ist erlaubt, ein Handy natürlich nicht.")]),
    ("carnot_eta", [("carnot_eta", "Zurück zum Carnot-Prozess. Sein Wirkungsgrad hängt nur von den beiden "
                     "Temperaturen ab: eins minus kalte durch warme Temperatur, in Kelvin. Bei sechshundert Kelvin "
                     "oben und dreihundert Kelvin unten kommen wir auf einen Wirkungsgrad von null Komma fünf, also "
                     "fünfzig Prozent. Mehr geht nicht.")]),
    ("real", [("real", "In der Praxis liegen wir deutlich darunter. Ein modernes Kohlekraftwerk erreicht etwa "
               "vierzig Prozent, ein Ottomotor im Alltag nur um die fünfunddreißig Prozent. Der Rest geht als Wärme "
               "verloren, durch den Kühlturm oder den Auspuff.")]),
    ("zustand", [("zustand", "Für die Entropie brauchen wir noch einen Begriff. Eine Zustandsgröße hängt nur vom "
                  "momentanen Zustand des Systems ab, wie Druck, Temperatur oder Volumen. Wärme und Arbeit dagegen "
                  "sind Prozessgrößen: sie hängen davon ab, auf welchem Weg wir von einem Zustand zum anderen "
                  "kommen.")]),
    ("entropie", [("entropie", "Und damit zur Entropie. Rudolf Clausius hat sie eingeführt: die reversibel "
                   "zugeführte Wärme geteilt durch die absolute Temperatur. Die Entropie ist eine Zustandsgröße. In "
                   "einem abgeschlossenen System kann sie niemals abnehmen, sie bleibt gleich oder sie wächst. Das "
                   "ist die eigentliche Aussage des zweiten Hauptsatzes."),
                  ("lab", "Noch eine Bemerkung zum Praktikum, das nächste Woche beginnt. Der Workflow ist ganz "
                   "einfach: Sie messen zuerst die Temperaturen am Versuchsstand, dann tragen Sie die Werte in die "
                   "Tabelle ein und schicken mir das Protokoll per E-Mail. Lesen Sie vorher bitte das Paper von "
                   "Müller, das ich hochgeladen habe. Es erklärt die Messtechnik sehr gut.")]),
    ("ts", [("ts", "Im Temperatur-Entropie-Diagramm wird der Carnot-Prozess zu einem einfachen Rechteck. Die Fläche "
             "innerhalb des Rechtecks ist genau die Arbeit, die die Maschine pro Umlauf leistet. Die Fläche unter "
             "der unteren Linie ist die Abwärme.")]),
    ("uebung", [("uebung", "Zum Schluss das Übungsblatt für diese Woche. In der ersten Aufgabe berechnen Sie den "
                 "Wirkungsgrad einer Dampfturbine, in der zweiten die Entropieänderung, wenn man heißes und kaltes "
                 "Wasser mischt. Die Lösungen besprechen wir in der Übung am Donnerstag.")]),
    ("summary", [("summary", "Fassen wir zusammen. Keine Wärmekraftmaschine ist besser als die Carnot-Maschine, und "
                  "die Entropie eines abgeschlossenen Systems nimmt nie ab. Nächste Woche geht es um Dampfprozesse "
                  "und den Clausius-Rankine-Prozess. Vielen Dank und bis Donnerstag.")]),
]
QUERIES = [  # (query, "p:part" (where said) or "s:slide" (its whole showing), type); not changed after
    ("Wärme fließt vom heißen zum kalten Körper", "p:hauptsaetze", "said"),
    ("Konvektion in strömenden Flüssigkeiten", "p:waerme", "said"),
    ("verwandelt einen Teil davon in mechanische Arbeit", "p:maschinen", "said"),
    ("Klausur am zwölften Februar im großen Hörsaal", "p:exam", "said"),
    ("der Workflow für das Praktikum", "p:lab", "said"),
    ("Paper von Müller", "p:lab", "said"),
    ("Kohlekraftwerk erreicht etwa vierzig Prozent", "p:real", "said"),
    ("Fläche innerhalb des Rechtecks", "p:ts", "said"),
    ("reversibel zugeführte Wärme geteilt durch die absolute Temperatur", "p:entropie", "said"),
    ("Waermeuebertragung", "p:waerme", "ascii"),
    ("Warmekraftmaschine Abwarme", "p:maschinen", "ascii"),
    ("Zustandsgroesse Druck Temperatur Volumen", "p:zustand", "ascii"),
    ("Entropieanderung beim Mischen", "p:uebung", "ascii"),
    ("Masseinheit Waermeleitfaehigkeit", "s:waerme", "ascii"),
    ("Energieerhaltung im geschlossenen System", "s:hauptsaetze", "shown"),
    ("Maßeinheit der Wärmeleitfähigkeit", "s:waerme", "shown"),
    ("Stirlingmotor", "s:maschinen", "shown"),
    ("Temperaturen immer in Kelvin einsetzen", "s:carnot_eta", "shown"),
    ("Größenordnung eines Großkraftwerks", "s:real", "shown"),
    ("Briefkasten vor Raum MW 1801", "s:uebung", "shown"),
    ("Baehr Kabelac Kapitel 3.2", "s:summary", "shown"),
    ("Leitfähigkeit Ziegel", "s:waerme", "compound"),
    ("Kraftwerk Kohle", "p:real", "compound"),
    ("Änderung der Entropie", "p:uebung", "compound"),
    ("höchstmögliche Effizienz bei gegebenem heißen und kalten Reservoir", "p:carnot_eta", "concept"),
    ("Prüfungstermin und Hilfsmittel", "p:exam", "concept"),
    ("auf welchen Wegen Hitze transportiert wird", "p:waerme", "concept"),
    ("warum Unordnung in einem isolierten Behälter nur zunehmen kann", "p:entropie", "concept"),
    ("exam date and registration", "p:exam", "english"),
    ("efficiency limit of an ideal heat engine", "p:carnot_eta", "english"),
    ("how heat is transferred: conduction, convection, radiation", "p:waerme", "english"),
]
WATCH = ["Wärmeübertragung", "Wärmeleitfähigkeit", "Maßeinheit", "fließt", "Wärmekraftmaschinen", "Kühlturm",
         "Größenordnung", "Großkraftwerks", "Zustandsgrößen", "Prozessgröße", "Übungsblatt", "Entropieänderung",
         "Rückblick", "kälteren", "Wölfel", "Universität", "Nächste", "abhängig"]  # umlaut / ß words on slides
HEARD = ["Wärmeübertragung", "Wärmekraftmaschine", "Größen", "fließt", "heißen", "Hörsaal", "zwölften", "Müller",
         "Übungsblatt", "Entropieänderung", "Zustandsgröße", "Abwärme", "Kühlturm", "Rückblick", "fünfzig",
         "Workflow", "Paper", "E-Mail", "Online-Portal"]  # umlaut / ß / loan words said
VARIANTS = {"ä": "ä|ae|a|à|á|å|ã", "ö": "ö|oe|o|ò|ó|ø|ô|0", "ü": "ü|ue|u|ù|ú|û|ii", "ß": "ß|ss|b|s|β|8|f3",
            "Ä": "ä|ae|a", "Ö": "ö|oe|o", "Ü": "ü|ue|u|ù|ú"}


def fonts() -> dict:
    from PIL import ImageFont

    def f(style, px):
        return ImageFont.truetype(FONT.format(style), px)
    return {"title": f("-Bold", 40), "body": f("", 29), "sub": f("", 19), "foot": f("", 16), "mark": f("-Bold", 21),
            "mark2": f("", 15), "big": f("-Bold", 66), "lead": f("", 32), "label": f("", 22), "bold": f("-Bold", 29)}


def rich(d, xy, text: str, font, small, fill) -> float:
    """`text` at xy with "_{x}" drawn as a subscript; returns the x after it."""
    x, y = xy
    for k, piece in enumerate(re.split(r"_\{([^}]*)\}", text)):
        f, dy = (font, 0) if k % 2 == 0 else (small, font.size * 0.45)
        d.text((x, y + dy), piece, font=f, fill=fill)
        x += d.textlength(piece, font=f)
    return x


def template(title: str | None, page: int):
    """A white page with the green header band (logo, wordmark), the title over a green rule, the footer."""
    from PIL import Image, ImageDraw

    f = fonts()
    im = Image.new("RGB", (W, H), (255, 255, 255))
    d = ImageDraw.Draw(im)
    d.rectangle([0, 0, W, BAND], fill=GREEN)
    for k, h in enumerate((30, 44, 36)):  # the logo: three bars rising from a base, a sun over them
        d.rectangle([34 + 16 * k, 60 - h, 44 + 16 * k, 60], fill=(255, 255, 255))
    d.rectangle([30, 62, 82, 66], fill=(255, 255, 255))
    d.ellipse([66, 10, 84, 28], outline=(255, 255, 255), width=3)
    d.text((100, 16), "Technische Universität Nordheim", font=f["mark"], fill=(255, 255, 255))
    d.text((100, 44), "Lehrstuhl für Technische Thermodynamik", font=f["mark2"], fill=(214, 236, 228))
    d.text((W - 40, 30), "Fakultät für Maschinenwesen", font=f["mark2"], fill=(214, 236, 228), anchor="ra")
    if title is not None:
        d.text((60, 104), title, font=f["title"], fill=INK)
        d.rectangle([60, 160, 260, 164], fill=GREEN)
    d.line([40, 676, W - 40, 676], fill=(200, 206, 204), width=1)
    d.text((60, 686), FOOTER.format(page), font=f["foot"], fill=GREY)
    return im, d, f


def slide_image(key: str, page: int) -> np.ndarray:
    title, bullets = SLIDES[key]
    if key == "title":
        im, d, f = template(None, page)
        d.text((90, 220), title, font=f["big"], fill=GREEN)
        d.rectangle([90, 310, 520, 315], fill=GREEN)
        d.text((90, 345), bullets[0], font=f["lead"], fill=INK)
        d.text((90, 420), bullets[1], font=f["body"], fill=GREY)
        d.text((90, 462), bullets[2], font=f["body"], fill=GREY)
        return np.asarray(im)
    im, d, f = template(title, page)
    if key == "ts":
        ts_diagram(d, f)
    elif key == "real":
        table(d, f, bullets)
    else:
        y = 200
        for text in bullets:
            d.rectangle([64, y + 11, 76, y + 23], fill=GREEN)
            for line in independent_media_lecture.wrap(text, f["body"], 1080):
                rich(d, (96, y), line, f["body"], f["sub"], INK)
                y += 42
            y += 30
    return np.asarray(im)


def table(d, f, rows: list[str]) -> None:
    """Rows "label|value" as a two-column table with a head and thin rules; a last row without "|" is a note."""
    d.text((80, 196), "Anlage", font=f["bold"], fill=GREEN)
    d.text((980, 196), "Wirkungsgrad η", font=f["bold"], fill=GREEN, anchor="ra")
    d.line([80, 240, 980, 240], fill=GREEN, width=2)
    y = 256
    for row in rows:
        if "|" not in row:
            d.text((80, y + 30), row, font=f["body"], fill=GREY)
            continue
        label, value = row.split("|")
        d.text((80, y), label, font=f["body"], fill=INK)
        d.text((980, y), value, font=f["body"], fill=INK, anchor="ra")
        d.line([80, y + 48, 980, y + 48], fill=(210, 214, 212), width=1)
        y += 62


def ts_diagram(d, f) -> None:
    """The Carnot cycle in the T-s plane: axes with arrows and labels, the rectangle 1-2-3-4 with arrows along
    its sides, the work inside it (filled) and the heat given off under it (hatched)."""
    x0, y0, x1, y1 = 200, 620, 1000, 200  # the axes' origin and ends
    a, b, top, low = 360, 800, 300, 470  # the rectangle: s from a to b, T from low to top
    for x in range(a, b, 14):
        d.line([x, low + 4, x + 14, y0 - 2], fill=(190, 194, 198), width=1)
    d.rectangle([a, top, b, low], fill=PALE, outline=GREEN, width=4)
    d.line([x0, y0, x1, y0], fill=INK, width=3)
    d.line([x0, y0, x0, y1], fill=INK, width=3)
    d.polygon([(x1 + 16, y0), (x1, y0 - 8), (x1, y0 + 8)], fill=INK)
    d.polygon([(x0, y1 - 16), (x0 - 8, y1), (x0 + 8, y1)], fill=INK)
    d.text((x0 - 14, y1 - 30), "T in K", font=f["label"], fill=INK, anchor="ra")
    d.text((x1, y0 + 16), "s in kJ/(kg·K)", font=f["label"], fill=INK, anchor="ra")
    for (x, y), n in zip(((a, low), (a, top), (b, top), (b, low)), "1234"):
        d.ellipse([x - 7, y - 7, x + 7, y + 7], fill=GREEN)
        d.text((x + (-24 if x == a else 12), y - 30), n, font=f["bold"], fill=GREEN)
    for (xa, ya), (xb, yb) in (((a, 390), (a, 360)), ((560, top), (600, top)), ((b, 370), (b, 400)),
                               ((620, low), (580, low))):
        d.line([xa, ya, xb, yb], fill=GREEN, width=4)
        dx, dy = np.sign(xb - xa), np.sign(yb - ya)
        d.polygon([(xb + 12 * dx, yb + 12 * dy), (xb - 10 * dy, yb + 10 * dx), (xb + 10 * dy, yb - 10 * dx)],
                  fill=GREEN)
    rich(d, (470, 368), "Nutzarbeit |W|", f["body"], f["sub"], GREEN)
    rich(d, (470, 528), "Abwärme |Q_{ab}|", f["body"], f["sub"], INK)
    rich(d, (x0 - 170, top - 16), "T_{warm} = 600 K", f["label"], f["foot"], INK)
    rich(d, (x0 - 170, low - 16), "T_{kalt} = 300 K", f["label"], f["foot"], INK)
    d.line([x0 - 6, top, a, top], fill=GREY, width=1)
    d.line([x0 - 6, low, a, low], fill=GREY, width=1)


def pointer(frame: np.ndarray, x: float, y: float) -> None:
    """The mouse pointer (an arrow, black with a white edge) with its tip at x, y."""
    import cv2

    tip = np.array([[0, 0], [0, 22], [6, 17], [10, 26], [14, 24], [10, 15], [17, 15]])
    pts = (tip + [int(x), int(y)]).astype(np.int32)
    cv2.fillPoly(frame, [pts], (20, 20, 20))
    cv2.polylines(frame, [pts], True, (255, 255, 255), 1, cv2.LINE_AA)


def timeline(clips: list[list[np.ndarray]]) -> list[dict]:
    """Each slide's start, end and page, and its parts' (name, first word, last word), in seconds."""
    slides, t = [], 0.0
    for k, ((key, lines), sounds) in enumerate(zip(TALK, clips)):
        at, parts = t + LEAD, []
        for j, ((part, _), clip) in enumerate(zip(lines, sounds)):
            at += TURN if j else 0.0
            parts.append((part, round(at, 3), round(at + len(clip) / SR, 3)))
            at += len(clip) / SR
        end = at + GAP
        slides.append({"start": round(t, 3), "end": round(end, 3), "key": key, "page": k + 1, "parts": parts})
        t = end
    return slides


def sound(clips: list[list[np.ndarray]], slides: list[dict], duration: float, rng) -> np.ndarray:
    """The voice (the shared soundtrack: its low drift), a ventilation's band-limited rush and the hiss."""
    from scipy.signal import butter, sosfilt

    flat = [c for sounds in clips for c in sounds]
    starts = [p[1] - LEAD for s in slides for p in s["parts"]]
    audio = independent_lecture.soundtrack(flat, starts, duration, rng)
    rush = sosfilt(butter(2, [120, 900], btype="band", fs=SR, output="sos"), rng.normal(0, 1, audio.size))
    audio += (0.012 * rush / (np.abs(rush).max() + 1e-9) * 4).astype(np.float32)
    return audio + 0.003 * rng.normal(0, 1, audio.size).astype(np.float32)


def spoken() -> list[list[np.ndarray]]:
    def said(text: str) -> str:
        for word, say in SAY.items():
            text = text.replace(word, say)
        return text
    return [[independent_lecture.speak(said(text), VOICE, RATE) for _, text in lines] for _, lines in TALK]


def pointer_at(t: float, slide: dict, k: int) -> tuple[float, float]:
    """The pointer rests where it was left, and 3 s into each slide glides (0.8 s) to a spot beside a bullet."""
    spots = [(900, 560), (1000, 215), (880, 470), (900, 420), (760, 470), (900, 330), (1080, 330), (900, 420),
             (600, 330), (720, 420), (1100, 450), (760, 470)]  # beside a bullet, on no word
    here, there = spots[k - 1] if k else (1180, 640), spots[k]
    u = np.clip((t - slide["start"] - 3.0) / 0.8, 0, 1)
    u = u * u * (3 - 2 * u)
    return here[0] + u * (there[0] - here[0]), here[1] + u * (there[1] - here[1])


def render(out: Path) -> dict:
    """Writes OUT/NAME, OUT/truth.json and OUT/frames/*.png (each slide's middle frame); returns the truth."""
    import av
    from PIL import Image

    rng = np.random.default_rng(47)
    clips = spoken()
    slides = timeline(clips)
    duration = slides[-1]["end"]
    pictures = [slide_image(s["key"], s["page"]) for s in slides]
    (out / "frames").mkdir(exist_ok=True)
    starts = [s["start"] for s in slides]
    with av.open(str(out / NAME), "w") as container:
        video, audio_stream = independent_lecture.streams(container, FPS)
        for f in range(int(duration * FPS)):
            t = f / FPS
            k = int(np.searchsorted(starts, t, side="right")) - 1
            frame = pictures[k].copy()
            pointer(frame, *pointer_at(t, slides[k], k))
            if f == int((slides[k]["start"] + slides[k]["end"]) / 2 * FPS):
                Image.fromarray(frame).save(out / "frames" / f"{k:02d}_{slides[k]['key']}.png")
            for packet in video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        independent_lecture.finish(container, video, audio_stream, sound(clips, slides, duration, rng))
    truth = truth_of(slides)
    (out / "truth.json").write_text(json.dumps(truth, indent=1, ensure_ascii=False))
    print(f"rendered {duration:.1f} s at {W}x{H}, {FPS} fps; {len(slides)} slides: " +
          ", ".join(f"{s['start']:.1f} {s['key']}" for s in slides))
    print("parts: " + ", ".join(f"{n} {a:.1f}-{b:.1f}" for n, (a, b) in truth["parts"].items()))
    return truth


def truth_of(slides: list[dict]) -> dict:
    parts, shown, edges = {}, {}, []
    for s in slides:
        shown[s["key"]] = (s["start"], s["end"])
        bounds = [s["start"]] + [p[1] for p in s["parts"][1:]] + [s["end"]]
        edges += bounds[1:-1]
        for (name, _, _), a, b in zip(s["parts"], bounds, bounds[1:]):
            parts[name] = (a, b)
    span = {**{f"p:{n}": v for n, v in parts.items()}, **{f"s:{n}": v for n, v in shown.items()}}
    return {"slides": slides, "cuts": [s["start"] for s in slides[1:]], "topic_edges": edges, "parts": parts,
            "situations": {n: [a, a, b] for n, (a, b) in parts.items()},
            "queries": [[q, *span[target], kind] for q, target, kind in QUERIES]}


def cli(*argv: str) -> int:
    """momentsearch's command line, in this process (what a user types and sees)."""
    from momentsearch.cli.main import main as cli_main

    print(f"$ momentsearch {' '.join(argv)}", flush=True)
    code = cli_main(list(argv))
    sys.stdout.flush()
    return code


def indexed(out: Path, db: str, language: str | None, reuse: bool):
    """OUT/DB indexed afresh through the command line (`--language` when given; none: the default, English),
    or as it is with `reuse`; the index, opened as the Python API opens it."""
    import shutil

    from momentsearch.api import MomentIndex

    if not reuse:
        shutil.rmtree(out / db, ignore_errors=True)
        t0 = time.time()
        cli("index", str(out / NAME), "--db", str(out / db), "--quiet", *(["--language", language] if language else []))
        print(f"indexed into {db} in {time.time() - t0:.0f} s")
    return MomentIndex(out / db)


def pattern(word: str) -> re.Pattern:
    """`word` with each umlaut or ß allowed in the forms OCR and ASR may give it (dots lost, ae/oe/ue, ss, B)."""
    return re.compile("".join(f"(?:{VARIANTS[c]})" if c in VARIANTS else re.escape(c) for c in word), re.I)


def forms(label: str, words: list[str], text: str) -> None:
    """How `text` writes each of `words` (every distinct form found), and its umlauts, ß and „ “ counted."""
    marks = {c: text.count(c) for c in "äöüÄÖÜß„“"}
    print(f"{label}: characters {marks}")
    for word in words:
        found = sorted({m.group(0) for m in pattern(word).finditer(text)})
        print(f"    {word!r:24s} -> {found if found else 'NOT FOUND'}")


def check_text(diag: dict) -> None:
    """What OCR made of the slides' umlauts, ß, quotes and decimal commas; what Whisper wrote for the words said."""
    ocr = "\n".join(t for _, _, t in diag["ocr"])
    forms("OCR", WATCH, ocr)
    for probe in (r".{0,3}Idealer Vergleichsprozess.{0,3}", r".{0,3}Formelsammlung Thermodynamik.{0,3}",
                  r".{0,3}R.flexions.{0,3}", r"\S*0\s?[,.]\s?(?:50|35|40|60|8)\S*", r".{0,4}GuD.{0,12}",
                  r"\S*U\s?=\s?Q\S*.{0,6}", r"\S*dS\s?=.{0,10}", r".{0,10}1 GW.{0,4}"):
        print(f"    OCR {probe!r}: {sorted(set(re.findall(probe, ocr)))}")
    speech = "\n".join(t for _, _, t in diag["transcript"])
    forms("ASR", HEARD, speech)
    for probe in (r"\S*1824\S*|achtzehnhundert\S*", r"\S*(?:50|fünfzig)\s?(?:%|Prozent)", r"\S*0[,.]5\S*"):
        print(f"    ASR {probe!r}: {sorted(set(re.findall(probe, speech, re.I)))}")


def spellings(index, queries) -> None:
    """Each query as the search ranks it: the words it changed (a typo or spelling correction), or nothing."""
    for query, *_ in queries:
        spelled = index.spelled(query)
        if spelled.changes or spelled.text != query:
            print(f"    spelling: {query!r} searched as {spelled.text!r} {spelled.changes} | {spelled.note()}")


def edges(rec, truth: dict) -> None:
    from momentsearch.evaluate import boundary_scores

    sections = [float(a) for a, _ in rec.sections[1:]]
    for label, true in (("section edges vs cuts + topic edges", sorted(truth["cuts"] + truth["topic_edges"])),
                        ("section edges vs topic edges alone", truth["topic_edges"])):
        sc = boundary_scores(sections, true)
        print(f"{label} {[round(x, 1) for x in true]}: P {sc.precision:.2f} R {sc.recall:.2f} F1 {sc.f1:.2f}")
    for e in truth["topic_edges"]:
        near = [round(x, 1) for x in sections if abs(x - e) <= 1.0]
        print(f"  topic edge {e:6.1f}: {'section starts at ' + str(near) if near else 'NO section edge'}")


def evaluate(out: Path, truth: dict, reuse: bool) -> None:
    import independent_seminar_lecture

    index = indexed(out, "db", "de", reuse)
    rec = index.videos()[0]
    print(f"stored language {getattr(rec, 'language', '?')!r}, channels {rec.channels}")
    independent_media_lecture.score_cuts(rec, index, truth)
    edges(rec, truth)
    diag = independent_code_lecture.diagnostics(index, rec)
    independent_seminar_lecture.report_situations(rec, diag, truth)
    check_text(diag)
    independent_code_lecture.run_queries(index, truth["queries"], diag)
    spellings(index, truth["queries"])
    (out / "diagnostics.json").write_text(json.dumps(diag, indent=1, default=str, ensure_ascii=False))
    video = str(out / NAME)
    cli("chapters", video, "--db", str(out / "db"))
    cli("transcript", video, "--db", str(out / "db"), "--format", "text")
    cli("search", "Waermeuebertragung", "--db", str(out / "db"), "-k", "2")
    cli("search", "Größenordnung eines Großkraftwerks", "--db", str(out / "db"), "-k", "2")
    index.close()
    print("\n=== the same video indexed without a language (the default: English) ===")
    english = indexed(out, "db_en", None, reuse)
    rec_en = english.videos()[0]
    print(f"stored language {getattr(rec_en, 'language', '?')!r}, channels {rec_en.channels}")
    diag_en = independent_code_lecture.diagnostics(english, rec_en)
    print("transcript (English index), first chunks: " + " | ".join(t[:120] for _, _, t in diag_en["transcript"][:4]))
    independent_code_lecture.run_queries(english, truth["queries"], diag_en)
    spellings(english, truth["queries"])
    (out / "diagnostics_en.json").write_text(json.dumps(diag_en, indent=1, default=str, ensure_ascii=False))


def main() -> int:
    return independent_code_lecture.run_probe(__doc__, "/tmp/german", render, evaluate)


if __name__ == "__main__":
    sys.exit(main())
