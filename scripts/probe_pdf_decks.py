"""Probe: does each slide a recording shows find its own page of the lecture's PDF deck, and no other?

Renders one lecture (builds, a maths slide, a code slide) four ways (the slides full frame, the benchmark's
lecture-hall camera, a screencast with a webcam tile, the camera at 320x180 where OCR reads titles only), and again
with section dividers titled as a page (a slide of its title alone, which the deck does not have), reads its slides
as indexing does (`cut_and_read`, then the same clean-up as pipeline/process.py), and matches them against PDFs of
many shapes (fpdf2 writes them): the deck as shown, with extra pages, one page per build step, shuffled, a
two-slides-per-page handout, and text layers with ligatures, words run together or hyphenated at line ends. Prints,
per lecture, scene and deck (and per lecture in all), how many slides matched the right page, a wrong one (a page
whose text the slide does not show: text added where it is not), or none; and how many lines were added at a time
they were not shown. (A slide's truth is what is on screen 0.05 s after its start, at its middle and 0.05 s
before its end: a divider read 0.3 s late counts "right" on the page of the slide after it.)

    python scripts/probe_pdf_decks.py [--out /tmp/deck-probe] [--scenes screen,camera,screencast,far]
                                      [--lectures plain,dividers]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from momentsearch.testing.synth import Section, render_lecture

SECTIONS = [
    Section("Photosynthesis Overview", "Plants turn the light of the sun into energy they can store for later.",
            ["Light energy becomes chemical energy", "Chloroplasts hold the green pigment"]),
    Section("The Calvin Cycle", "The cycle has three stages. First the plant fixes carbon. Then it reduces it. "
            "Finally it regenerates the molecule that started it all.",
            ["Carbon fixation by rubisco", "Reduction makes sugar phosphates", "Regeneration of the acceptor"],
            build=True),
    Section("Bayes Theorem", "The posterior is the likelihood times the prior, divided by the evidence.",
            ["P(A|B) = P(B|A) P(A) / P(B)", "Posterior is likelihood times prior"]),
    Section("Binary Search in Python", "We halve the range each time until the target is found.",
            ["def search(items, target):", "lo, hi = 0, len(items) - 1", "while lo <= hi:"]),
    Section("Cellular Respiration", "Respiration runs in three steps. Glycolysis comes first. Then the Krebs cycle, "
            "and the electron transport chain at the end.",
            ["Glycolysis splits glucose", "Krebs cycle releases carbon dioxide", "Electron transport makes ATP"],
            build=True),
    Section("Fermentation Pathways", "Without oxygen, cells still get a little energy by fermenting sugar.",
            ["Efficient flow of lactic acid", "Ethanol fermentation in yeast"]),
    Section("Summary", "So plants store the energy and every cell releases it again when it needs it.",
            ["Plants store energy as sugar", "Cells release it as ATP"]),
]
# the lecture again with a section divider before two sections ("Part 1: The Calvin Cycle", a slide the deck does
# not have), titled as their page: it shows none of the page's bullets, and no page should match it. (A divider of
# the very title is taken for the first step of a build of the slide after it: one slide.)
DIVIDED = [d for s in SECTIONS for d in ([Section(f"Part {SECTIONS.index(s)}: {s.title}", "", [], min_seconds=3.0)]
                                         if s.title in ("The Calvin Cycle", "Cellular Respiration") else []) + [s]]
LECTURES = {"plain": SECTIONS, "dividers": DIVIDED}
# how each scene is filmed: render_lecture's scene and frame size ("far": the lecture-hall camera at 320x180, where
# OCR reads each slide's title and none of its bullets: the page backs up what no frame shows legibly)
SCENES = {"screen": ("screen", (640, 360)), "camera": ("camera", (640, 360)), "screencast": ("screencast", (640, 360)),
          "far": ("camera", (320, 180))}
FOOTER = "Ecology 210"  # the template's footer (dev-green), on every page as on every slide
EXTRA = [("Appendix: Rubisco Structure", ["Eight large and eight small subunits", "Magnesium in the active site"]),
         ("The Calvin Cycle in C4 Plants", ["Carbon fixation in mesophyll cells", "Bundle sheath holds rubisco"]),
         ("Further Reading", ["Campbell Biology chapter ten", "Lehninger chapter nineteen"])]
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _pages(steps: bool) -> list[tuple[str, list[str], str]]:
    """(title, bullets, key) per page; `steps`: one page per build step (key "title#k")."""
    out = []
    for s in SECTIONS:
        if steps and s.build:
            out += [(s.title, s.bullets[:k], f"{s.title}#{k}") for k in range(1, len(s.bullets) + 1)]
        else:
            out.append((s.title, s.bullets, f"{s.title}#{len(s.bullets)}"))
    return out


def write_pdf(path: Path, pages: list[list[list[str]]]) -> None:
    """A PDF with a text layer: each page's slides (a handout's page holds two) one below the other, each slide's
    title larger than its other lines, then the footer, as a deck's template and a handout print them."""
    import fpdf

    pdf = fpdf.FPDF(orientation="L", format=(180, 320))
    pdf.add_font("DejaVu", "", FONT)
    for slides in pages:
        pdf.add_page()
        height = 170 / len(slides)
        for k, lines in enumerate(slides):
            pdf.set_xy(10, 5 + k * height)
            for i, line in enumerate(lines):
                pdf.set_font("DejaVu", "", 20 if i == 0 else 14)
                pdf.multi_cell(0, 9, line, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("DejaVu", "", 8)
            pdf.cell(0, 8, FOOTER, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def decks() -> dict[str, list[tuple[list[list[str]], set[str]]]]:
    """deck name -> pages as (the slides each holds: their lines, keys of the slides whose text the page holds)."""
    plain = [([t, *b], {k}) for t, b, k in _pages(False)]
    steps = [([t, *b], {k}) for t, b, k in _pages(True)]
    extra = [([t, *b], set()) for t, b in EXTRA]
    shuffled = plain[:]
    random.Random(3).shuffle(shuffled)
    one = [([lines], keys) for lines, keys in plain]  # a slide a page
    handout = [([plain[i][0], plain[i + 1][0]], plain[i][1] | plain[i + 1][1]) for i in range(0, len(plain) - 1, 2)]
    handout += [([plain[-1][0]], plain[-1][1])] if len(plain) % 2 else []
    half = [([plain[i][0], extra[i % len(extra)][0]], plain[i][1]) for i in range(len(plain))]  # the other: not shown
    liga = {"fi": "\ufb01", "fl": "\ufb02", "ff": "\ufb00"}

    def ligatures(line: str) -> str:
        for a, b in liga.items():
            line = line.replace(a, b)
        return line

    def each(change) -> list[tuple[list[list[str]], set[str]]]:  # the deck a slide a page, every line changed
        return [([[change(x) for x in lines]], keys) for lines, keys in plain]

    lost = each(lambda x: ligatures(x).translate({0xFB01: None, 0xFB02: None, 0xFB00: None}))  # a ligature glyph
    #                                                               without a Unicode mapping: "Carbon xation"
    return {"as shown": one, "build steps": [([lines], keys) for lines, keys in steps],
            "extra pages": [([lines], keys) for lines, keys in plain[:2] + extra[:2] + plain[2:] + extra[2:]],
            "shuffled": [([lines], keys) for lines, keys in shuffled], "handout 2-up": handout,
            "half-shown 2-up": half, "ligatures": each(ligatures), "ligatures lost": lost,
            "no spaces": each(lambda x: x.replace(" ", "")),
            "hyphenated": each(lambda x: x if len(x) < 22 else x[:14] + "-\n" + x[14:])}


def shown_at(rendered, sections, t: float) -> str | None:
    """The key of the slide on screen at `t` ("title#bullets shown"; a divider's "title#0")."""
    for r, s in zip(rendered, sections):
        if r.start <= t < r.end:
            return f"{s.title}#{1 + sum(b <= t for b in r.builds) if s.build else len(s.bullets)}"
    return None


def read(video: Path):
    from momentsearch.options import load_config
    from momentsearch.pipeline.deck_text import drop_carried_lines, drop_contents_lines, drop_repeated_lines
    from momentsearch.pipeline.process import FileProcessor

    _, slides = FileProcessor(load_config(), text_embedder=None, asr=None).cut_and_read(str(video))
    return drop_contents_lines(drop_carried_lines(drop_repeated_lines(slides or [])))


def score(slides, rendered, sections, deck_pages, pdf: Path) -> dict:
    from momentsearch.pipeline.deck_match import back_with_deck, match_pages
    from momentsearch.pipeline.deck_pdf import deck_words, read_deck

    write_pdf(pdf, [slides for slides, _ in deck_pages])
    deck = read_deck(pdf)
    backed, note = back_with_deck(slides, deck, 0.3)
    counts = {"right": 0, "wrong": 0, "none": 0, "lines added": 0, "lines added not shown": 0}
    for slide, after, match in zip(slides, backed, match_pages(slides, deck)):
        times = (slide.start + 0.05, (slide.start + slide.end) / 2, slide.end - 0.05)
        truth = {shown_at(rendered, sections, t) for t in times}
        page = match.number if match is not None else None
        if page is None:
            counts["none"] += 1
            continue
        keys = deck_pages[page - 1][1]
        counts["right" if keys & truth else "wrong"] += 1
        added = after.lines[len(slide.lines):]
        counts["lines added"] += len(added)
        shown = {w for key in truth if key for w in deck_words(" ".join(_shown_words(sections, key)))}
        unseen = [t for t, _, _ in added if 2 * len(set(deck_words(t)) & shown) < len(set(deck_words(t)))]
        counts["lines added not shown"] += len(unseen)
        counts.setdefault("unseen", []).extend(unseen)
    counts["note"] = note
    return counts


def _shown_words(sections, key: str) -> list[str]:
    title, n = key.rsplit("#", 1)
    section = next(s for s in sections if s.title == title and (s.bullets or n == "0"))
    return [title, *section.bullets[:int(n)]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="/tmp/deck-probe")
    ap.add_argument("--scenes", default=",".join(SCENES))
    ap.add_argument("--lectures", default=",".join(LECTURES))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for lecture in args.lectures.split(","):
        totals: dict[str, int] = {}
        for scene in args.scenes.split(","):
            video = out / f"{lecture}-{scene}.mp4"
            kind, size = SCENES[scene]
            rendered = render_lecture(video, LECTURES[lecture], size=size, template="dev-green", scene=kind,
                                      section_keyframes=False)
            slides = read(video)
            print(f"== {lecture} lecture, {scene}: {len(slides)} slides read")
            for s in slides:
                print(f"   {s.start:5.1f}-{s.end:5.1f} {s.text[:90]!r}")
            for name, pages in decks().items():
                counts = score(slides, rendered, LECTURES[lecture], pages, out / f"{lecture}-{scene}-{name}.pdf")
                print(f"   {name:15s} {counts}")
                for key, n in counts.items():
                    if isinstance(n, int):
                        totals[key] = totals.get(key, 0) + n
        print(f"== {lecture} lecture, all scenes and decks: {totals}")


if __name__ == "__main__":
    main()
