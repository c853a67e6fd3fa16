"""A lecture's PDF deck beside its recording (lecture.pdf with lecture.mp4): each slide the recording shows is
matched to the deck page it shows, and the page's words back up what OCR read there. Before, the deck was
skipped ("a slide deck or PDF, not read") and a word OCR could not read on the filmed slide found nothing."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import iou, run_cli, search_json
from momentsearch.pipeline.deck_match import back_with_deck, match_pages
from momentsearch.pipeline.deck_pdf import DECK_ORDER, Deck, DeckPage, read_deck
from momentsearch.pipeline.discover import discover
from momentsearch.pipeline.ocr import SlideText
from momentsearch.types import DECK_NO_OCR, DECK_NOT_READ, DECK_READ, DECK_UNUSED

fpdf = pytest.importorskip("fpdf", reason="fpdf2 writes the test decks (scripts/setup.sh --test installs it)")

FOOTER = "Introduction to Earth Science"  # the template's footer, on every page as on every slide
TITLE_PAGE = ("Earth Science Week Three", ["Pangaea and the supercontinent cycle"])  # a page the talk never shows
SLIDES = [("Plate Tectonics", ["Crust floats on the mantle", "Convection moves the plates"]),
          ("Earthquake Waves", ["Primary waves arrive first", "Secondary waves shake sideways"]),
          ("Volcanoes", ["Magma rises through vents", "Ash clouds cool the climate"])]


def _write_deck(path: Path, pages: list[tuple[str, list[str]]], small_print: dict[str, str]) -> None:
    """A PDF with a text layer, one page per (title, bullets), in one template: `small_print[title]` is a line of
    print too small to film (the recording's slide does not show it legibly; the PDF has it)."""
    pdf = fpdf.FPDF(orientation="L", format=(180, 320))
    for title, bullets in pages:
        pdf.add_page()
        pdf.set_font("helvetica", "B", 28)
        pdf.cell(0, 20, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", "", 16)
        for bullet in bullets:
            pdf.cell(0, 12, bullet, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", "", 6)
        if title in small_print:
            pdf.cell(0, 8, small_print[title], new_x="LMARGIN", new_y="NEXT")
        pdf.cell(0, 8, FOOTER)
    pdf.output(str(path))


@pytest.fixture(scope="module")
def earth_lecture(tmp_path_factory):
    """A rendered one-template lecture of the three SLIDES (espeak-ng speech that never says the small print)."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (scripts/setup.sh installs it)")
    from momentsearch.testing.synth import Section, render_lecture

    speech = ["The plates of the crust move because the mantle below them flows slowly.",
              "When rock breaks, waves travel through the ground and some of them arrive before the others.",
              "Molten rock reaches the surface, and what it throws into the air can change the weather."]
    folder = tmp_path_factory.mktemp("earth")
    rendered = render_lecture(folder / "lecture.mp4", [Section(t, s, b) for (t, b), s in zip(SLIDES, speech)],
                              size=(480, 270), fps=5, template="dev-navy")
    return folder / "lecture.mp4", {r.title: (r.start, r.end) for r in rendered}


def test_a_word_only_the_deck_has_finds_the_slide_that_shows_its_page(earth_lecture, tmp_path):
    """The deck's small print ("Mohorovicic discontinuity") is on no frame OCR can read: with lecture.pdf beside
    the video, searching it finds the slide showing that page, saying the deck's page matched. The deck's title
    page, never shown, adds no moment; a PDF edited after indexing has the video indexed again."""
    video = tmp_path / "lecture.mp4"
    shutil.copy(earth_lecture[0], video)
    windows = earth_lecture[1]
    _write_deck(tmp_path / "lecture.pdf", [TITLE_PAGE, *SLIDES], {"Earthquake Waves": "Mohorovicic discontinuity"})
    db = str(tmp_path / "db")

    indexed = run_cli("index", str(tmp_path), "--db", db, "--json").stdout
    assert "slides matched to 3 of its 4 pages" in indexed and DECK_READ in indexed, indexed

    top = search_json(db, "Mohorovicic")["results"][0]
    assert iou((top["start"], top["end"]), windows["Earthquake Waves"]) >= 0.5, top
    assert top["deck"] == "lecture.pdf p. 3" and top["channels"]["ocr"] > 0
    assert "(deck lecture.pdf p. 3)" in run_cli("search", "Mohorovicic", "--db", db).stdout
    assert all(not r["deck"] and "pangaea" not in r["evidence"].get("ocr", "").lower()  # the page never shown
               for r in search_json(db, "Pangaea")["results"])

    _write_deck(tmp_path / "lecture.pdf", [TITLE_PAGE, *SLIDES], {"Volcanoes": "Krakatoa erupted in 1883"})
    assert "1 indexed" in run_cli("index", str(tmp_path), "--db", db).stdout  # only the PDF changed
    top = search_json(db, "Krakatoa")["results"][0]
    assert iou((top["start"], top["end"]), windows["Volcanoes"]) >= 0.5 and top["deck"] == "lecture.pdf p. 4"
    assert not any(r["deck"] for r in search_json(db, "Mohorovicic")["results"])  # the old page's words are gone


def _slide(start: float, *lines: str) -> SlideText:
    return SlideText(start, start + 10, [(line, 0.9 if i == 0 else 0.5, "") for i, line in enumerate(lines)])


def test_slides_are_matched_despite_misreads_and_other_screens_match_no_page():
    """A misread title ("Recursian") and a misread bullet still find their page; a page shown twice backs both
    slides; a terminal shown between them matches none (nothing is added there); a page never shown is unused;
    a deck line standing for a misread title keeps the title's weight but never becomes the title."""
    deck = Deck("lecture.pdf", [DeckPage(1, ["Recursion", "A function that calls itself", "Base case stops it"]),
                                DeckPage(2, ["Memoization", "Cache each answer", "Fibonacci in linear time"]),
                                DeckPage(3, ["Dynamic Programming", "Tables filled bottom up"])])
    slides = [_slide(0, "Recursian", "A function that calls itself"), _slide(10, "$ python3 fib.py", "Traceback"),
              _slide(20, "Recursion", "A functlon that calls itself"), _slide(30, "Dynamic Programming", "Tables")]

    assert [p and p.number for p in match_pages(slides, deck)] == [1, None, 1, 3]
    backed, note = back_with_deck(slides, deck, 0.3)
    assert backed[0].lines[2:] == [("Recursion", 0.9, ""), ("Base case stops it", 0.3, "")]
    assert backed[0].title == "Recursian" and backed[1] == slides[1]
    assert note == "slide deck lecture.pdf: 3 of 4 slides matched to 2 of its 3 pages"


def test_a_handout_page_of_two_slides_backs_each_with_its_own_half_only():
    """A 2-up handout's page holds two slides: each slide shown matches it, and gets the words of its own half that
    OCR missed; never the other slide's lines (they were added to both: "Binary Search" found on the Bayes slide),
    not even a line of the other half that no slide read (it follows that half's lines)."""
    deck = Deck("lecture.pdf", [DeckPage(1, ["Bayes Theorem", "Posterior is likelihood times prior", "Evidence",
                                             "Binary Search in Python", "Halve the range each time",
                                             "Stop when the target is found"]),
                                DeckPage(2, ["Summary", "Plants store energy as sugar", "Cells release it as ATP"])])
    slides = [_slide(0, "Bayes Theorem", "Posterior is likelihood times"),  # a camera's read: "prior" cut off
              _slide(10, "Binary Search in Python", "Halve the range each time"),
              _slide(20, "Summary", "Plants store energy as sugar", "CellsreleaseitasATP")]

    backed, note = back_with_deck(slides, deck, 0.3)
    assert [t for t, _, _ in backed[0].lines[2:]] == ["Posterior is likelihood times prior", "Evidence"]
    assert [t for t, _, _ in backed[1].lines[2:]] == ["Stop when the target is found"]
    assert [t for t, _, _ in backed[2].lines[3:]] == ["Cells release it as ATP"]  # read without its spaces
    assert note == "slide deck lecture.pdf: 3 of 3 slides matched to 2 of its 2 pages"


def test_a_divider_titled_as_a_page_gets_none_of_its_body_where_another_slide_shows_it():
    """A section divider ("Part 2: The Calvin Cycle", no page of the deck) read as its title's two words matched
    the page of that title, and the page's bullets were added to the divider's time (probe, lecture with dividers,
    its three legible scenes: 56 of 270 reads matched a page they do not show, 140 lines added where not shown; 0
    and 2 now, as without dividers). A slide whose title alone is read keeps its page where no slide's body is read
    (a camera too far to read bullets), and so does one whose page's body no slide shows."""
    deck = Deck("lecture.pdf", [DeckPage(1, ["The Calvin Cycle", "Carbon fixation by rubisco", "Sugar phosphates"]),
                                DeckPage(2, ["The Calvin Cycle in C4 Plants", "Bundle sheath holds rubisco"]),
                                DeckPage(3, ["Cellular Respiration", "Glycolysis splits glucose"]),
                                DeckPage(4, ["Fermentation Pathways", "Ethanol fermentation in yeast"])])
    slides = [_slide(0, "Part 2: The Calvin Cycle"), _slide(10, "The Calvin Cycle", "Carbon fixation by rubisco"),
              _slide(20, "Part 3: Cellular Respiration"), _slide(30, "Fermentation Pathways")]

    assert [p and p.number for p in match_pages(slides, deck)] == [None, 1, 3, 4]
    backed, note = back_with_deck(slides, deck, 0.3)
    assert backed[0] == slides[0] and [t for t, _, _ in backed[2].lines[1:]] == ["Glycolysis splits glucose"]
    far = [_slide(0, "The Calvin Cycle"), _slide(10, "Cellular Respiration"), _slide(20, "Fermentation Pathways")]
    assert [p and p.number for p in match_pages(far, deck)] == [1, 3, 4]


def _write_handout(path: Path, pages: list[list[tuple[str, list[str]]]]) -> None:
    """A handout as slides print: each page's slides (title, lines) one below the other, each title larger."""
    pdf = fpdf.FPDF(orientation="P", format="A4")
    for slides in pages:
        pdf.add_page()
        for k, (title, lines) in enumerate(slides):
            pdf.rect(20, 20 + 130 * k, 170, 110)
            pdf.set_xy(25, 25 + 130 * k)
            pdf.set_font("helvetica", "B", 20)
            pdf.cell(0, 12, title, new_x="LMARGIN", new_y="NEXT")
            for line in lines:
                pdf.set_font("helvetica", "", 6 if line.startswith("Laplace") else 12)  # small print
                pdf.set_x(25)
                pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def test_a_handout_page_is_split_into_its_slides_so_one_never_shown_adds_nothing(tmp_path):
    """A 2-up handout's page whose other slide the talk never shows: the shown slide got that slide's lines too
    (nothing on the page said they were another slide's; 20 lines a lecture in scripts/probe_pdf_decks.py). Each
    slide printed on the page (its title in the page's largest print) is a page of its own now; a page of one
    slide keeps its small print, and a slide matched on the handout's page still says its number."""
    _write_handout(tmp_path / "handout.pdf", [
        [("Bayes Theorem", ["Posterior is likelihood times prior", "Evidence", "Laplace published it in 1774"]),
         ("Binary Search", ["Halve the range each time", "Stop when the target is found"])],
        [("Summary of the Week", ["Plants store energy as sugar", "Laplace wrote the rest"])]])
    deck = read_deck(tmp_path / "handout.pdf")
    assert [(p.number, p.lines[0]) for p in deck.pages] == [(1, "Bayes Theorem"), (1, "Binary Search"),
                                                            (2, "Summary of the Week")]
    slides = [_slide(0, "Bayes Theorem", "Posterior is likelihood times"),
              _slide(10, "Summary of the Week", "Plants store energy as sugar")]
    backed, note = back_with_deck(slides, deck, 0.3)
    assert [t for t, _, _ in backed[0].lines[2:]] == ["Posterior is likelihood times prior", "Evidence",
                                                      "Laplace published it in 1774"]
    assert [t for t, _, _ in backed[1].lines[2:]] == ["Laplace wrote the rest"]
    assert json.loads(backed[0].deck)["page"] == 1 and json.loads(backed[1].deck)["page"] == 2
    assert note == "slide deck handout.pdf: 2 of 2 slides matched to 2 of its 2 pages"


def test_a_word_hyphenated_at_a_line_end_is_read_whole(tmp_path):
    """A text layer that breaks "acceptor" as "ac-" and "ceptor" (a narrow text box) reads as the word: the halves
    were no word OCR read on the slide, so both lines were added to it again, as "ceptor"."""
    pdf = fpdf.FPDF(orientation="L", format=(180, 320))
    pdf.add_page()
    pdf.set_font("helvetica", "", 16)
    pdf.multi_cell(0, 10, "The Calvin Cycle\nRegeneration of the ac-\nceptor\nAnglo-\nSaxon farming")
    pdf.output(str(tmp_path / "lecture.pdf"))
    assert read_deck(tmp_path / "lecture.pdf").pages[0].lines == [
        "The Calvin Cycle", "Regeneration of the acceptor", "Anglo-", "Saxon farming"]
    slide = _slide(0, "The Calvin Cycle", "Regeneration of the acceptor", "Anglo-Saxon farming")
    assert back_with_deck([slide], read_deck(tmp_path / "lecture.pdf"), 0.3)[0] == [slide]


def test_a_scanned_deck_says_so_and_changes_nothing(tmp_path):
    """A PDF of page images (a scan, an image export) has no text to back anything up: the video's row says so."""
    from PIL import Image

    Image.new("RGB", (64, 36), "white").save(tmp_path / "lecture.pdf", format="PDF")
    deck = read_deck(tmp_path / "lecture.pdf")
    slides = [_slide(0, "Recursion", "A function that calls itself")]
    assert deck.pages == [] and deck.note == "no text layer (scanned pages?)"
    assert back_with_deck(slides, deck, 0.3) == (slides, "slide deck lecture.pdf not used: no text layer "
                                                          "(scanned pages?)")


def test_a_scanned_deck_beside_its_video_is_not_listed_as_read(tmp_path, capsys):
    """A scan beside its video was listed under "1 slide deck (PDF) read with the video of the same name" (the name
    decided it, before the PDF was opened) while the video's row said it was not used: walked or named, it is
    told apart from a deck that is read, once under the summary with why and what to do."""
    from PIL import Image

    from momentsearch.cli.output import print_report
    from momentsearch.types import DECK_FIX, FileResult, IndexReport

    for name in ("lecture.mp4", "talk.mp4"):
        (tmp_path / name).write_bytes(b"")
    Image.new("RGB", (64, 36), "white").save(tmp_path / "lecture.pdf", format="PDF")
    _write_deck(tmp_path / "talk.pdf", SLIDES[:1], {})
    scanned = f"{DECK_UNUSED}: no text layer (scanned pages?)"
    found = discover([str(tmp_path)])
    assert {Path(f.path).name: f.reason for f in found} == {"lecture.mp4": "", "lecture.pdf": scanned,
                                                             "talk.mp4": "", "talk.pdf": DECK_READ}
    assert [f.reason for f in discover([str(tmp_path / "lecture.pdf")])] == [scanned]

    print_report(IndexReport(files=[FileResult(f.path, "skipped" if f.reason else "indexed", f.reason, duration=9.0)
                                    for f in found]))
    shown = " ".join(capsys.readouterr().out.split())
    assert "1 slide deck (PDF) read with the video of the same name" in shown, shown
    assert (f"1 slide deck (PDF) beside the video of the same name not used, no text layer (scanned pages?): "
            f"lecture.pdf; {DECK_FIX}") in shown, shown


def test_only_a_pdf_of_a_videos_name_is_read_with_it(tmp_path):
    """lecture.pdf beside lecture.mp4 is read with it, walked or named; week2.pdf (no week2 video) and a PDF beside
    an audio recording stay the unread-deck note."""
    for name in ("lecture.mp4", "week2.pdf", "talk.m4a", "talk.pdf"):
        (tmp_path / name).write_bytes(b"%PDF-1.4" if name.endswith(".pdf") else b"")
    _write_deck(tmp_path / "lecture.pdf", SLIDES[:1], {})
    found = {Path(f.path).name: f.reason for f in discover([str(tmp_path)])}
    assert found == {"lecture.mp4": "", "lecture.pdf": DECK_READ, "week2.pdf": DECK_NOT_READ, "talk.m4a": "",
                     "talk.pdf": DECK_NOT_READ}
    assert [f.reason for f in discover([str(tmp_path / "lecture.pdf"), str(tmp_path / "week2.pdf")])] == [
        DECK_READ, DECK_NOT_READ]


def test_a_deck_named_as_its_video_with_slides_after_is_read_and_one_video_has_one_deck(tmp_path):
    """Decks are named `lecture-slides.pdf`, `lecture (slides).pdf`: only `lecture.pdf` was read. Each such name is
    read with the video, found from either side (the folder walked, the PDF named, the video's own deck); of two
    decks for one video only the first in DECK_TAGS' order is read, the other said so; a PDF named as another
    recording is that one's; `lecture-notes.pdf` stays unread."""
    from momentsearch.pipeline.deck_pdf import deck_beside
    from momentsearch.types import DECK_SECOND

    for name in ("intro.mp4", "week2.mp4", "talk.mp4", "talk-slides.mp4", "lab.mkv"):
        (tmp_path / name).write_bytes(b"")
    for name in ("intro (slides).pdf", "week2.pdf", "week2_slides.pdf", "talk-slides.pdf", "lab.Slides.PDF",
                 "lab-notes.pdf"):
        _write_deck(tmp_path / name, SLIDES[:1], {})
    found = {Path(f.path).name: f.reason for f in discover([str(tmp_path)])}
    assert {n: r for n, r in found.items() if n.lower().endswith(".pdf") and r != DECK_READ} == {
        "week2_slides.pdf": f"{DECK_SECOND}: week2.mp4 is read with week2.pdf ({DECK_ORDER})",
        "lab-notes.pdf": DECK_NOT_READ}
    assert {n: (deck_beside(tmp_path / n) or Path("-")).name for n in found if n.endswith((".mp4", ".mkv"))} == {
        "intro.mp4": "intro (slides).pdf", "week2.mp4": "week2.pdf", "talk.mp4": "-",
        "talk-slides.mp4": "talk-slides.pdf", "lab.mkv": "lab.Slides.PDF"}
    assert [f.reason for f in discover([str(tmp_path / "intro (slides).pdf"), str(tmp_path / "lab.Slides.PDF")])] \
        == [DECK_READ, DECK_READ]


def test_a_second_deck_an_earlier_version_indexed_as_a_video_is_named_with_the_others(tmp_path):
    """A PDF an earlier version indexed as a video of 0:00 is named with the command that takes it out, whatever
    discovery says of it now: `week2_slides.pdf` beside `week2.pdf` (DECK_SECOND) stayed in the index unsaid."""
    from momentsearch.pipeline.discover import decks_indexed_before
    from momentsearch.types import FileRecord

    (tmp_path / "week2.mp4").write_bytes(b"")
    for name in ("week2.pdf", "week2_slides.pdf", "notes.pdf"):
        _write_deck(tmp_path / name, SLIDES[:1], {})
    found = discover([str(tmp_path)])
    held = {f.path: FileRecord(f.path, "ab" * 8, 1, 1.0, complete=True) for f in found if f.path.endswith(".pdf")}
    warnings = decks_indexed_before(found, held.get, None)
    assert len(warnings) == 1 and warnings[0].startswith(
        "3 slide decks not read now, but indexed as videos of 0:00 by an earlier version (notes.pdf, week2.pdf, "
        "week2_slides.pdf)"), warnings


def test_a_copy_keeps_its_own_deck_and_a_reencoding_shares_only_with_the_same_deck(tmp_path):
    """A copy that shares another file's entries records its own deck (it kept the other's name, so every `index`
    took the deck for changed and redid the copy); a re-encoding is offered only files indexed with a deck of its
    deck's content (one beside another deck, or none, took entries its deck's pages did not back)."""
    import os

    from momentsearch.pipeline.copies import add_copy, shareable
    from momentsearch.pipeline.deck_pdf import deck_changed, deck_signature
    from momentsearch.types import FileRecord

    class Store:
        def __init__(self):
            self.put = []

        def put_file(self, record):
            self.put.append(record)

    for name in ("lecture.mp4", "lecture_720p.mp4", "other.mp4"):
        (tmp_path / name).write_bytes(b"video")
    _write_deck(tmp_path / "lecture.pdf", SLIDES, {})
    shutil.copy(tmp_path / "lecture.pdf", tmp_path / "lecture_720p.pdf")
    twin = FileRecord(str(tmp_path / "lecture.mp4"), "ab" * 8, 5, 0.0, complete=True,
                      sources={"deck": deck_signature(tmp_path / "lecture.mp4")})
    plain = replace(twin, path=str(tmp_path / "other.mp4"), sources={})
    copy = tmp_path / "lecture_720p.mp4"

    assert shareable([twin, plain], str(copy), {}, "auto") == [twin]
    store = Store()
    add_copy(store, str(copy), twin, os.stat(copy), None, None, "cd" * 8)  # another encoding: its own id
    assert store.put[0].sources["deck"].startswith("lecture_720p.pdf ") and not deck_changed(store.put[0])
    (tmp_path / "lecture_720p.pdf").unlink()
    assert shareable([twin, plain], str(copy), {}, "auto") == [plain]


def test_a_deck_named_in_another_case_is_its_videos_as_a_caption_file_is(tmp_path):
    """`lecture.pdf` beside `Lecture.mp4` was not read ("a slide deck or PDF, not read") while `lecture.srt` beside
    it was (pipeline/captions.caption_tag): the name's case does not count either way, walked or named, except
    where a recording of the deck's own case lies beside it too (that one's, as for captions)."""
    from momentsearch.pipeline.deck_pdf import deck_beside, video_of_deck

    for name in ("Lecture.mp4", "Intro.MP4", "talk.mp4", "Talk.mp4"):
        (tmp_path / name).write_bytes(b"")
    for name in ("lecture.pdf", "INTRO-Slides.Pdf", "talk.pdf"):
        _write_deck(tmp_path / name, SLIDES[:1], {})
    found = {Path(f.path).name: f.reason for f in discover([str(tmp_path)])}
    assert {n: r for n, r in found.items() if n.lower().endswith(".pdf")} == {
        "lecture.pdf": DECK_READ, "INTRO-Slides.Pdf": DECK_READ, "talk.pdf": DECK_READ}
    assert {n: (deck_beside(tmp_path / n) or Path("-")).name for n in found if n.lower().endswith(".mp4")} == {
        "Lecture.mp4": "lecture.pdf", "Intro.MP4": "INTRO-Slides.Pdf", "talk.mp4": "talk.pdf", "Talk.mp4": "-"}
    assert video_of_deck(tmp_path / "lecture.pdf") == tmp_path / "Lecture.mp4"
    assert [f.reason for f in discover([str(tmp_path / "lecture.pdf"), str(tmp_path / "INTRO-Slides.Pdf")])] == [
        DECK_READ, DECK_READ]


GLACIER_TITLES = {40: "Glaciers and Ice Ages", 110: "How a glacier flows", 180: "Moraines and erratics"}


class TitleOcr:
    """Reads a slide's title by its grey level (GLACIER_TITLES), and one line under it."""

    model_id = "fake:ocr"

    def load(self):
        return self

    def read(self, images):
        import numpy as np

        from momentsearch.models.ocr import OcrLine

        out = []
        for image in images:
            grey = min(GLACIER_TITLES, key=lambda g: abs(g - float(np.asarray(image).mean())))
            h = int(np.asarray(image).shape[0])
            out.append([OcrLine(text, 0.95, size * h, 20.0 * len(text), top * h, 10.0, h) for text, size, top in
                        [(GLACIER_TITLES[grey], 0.1, 0.05), (f"Ice sheets covered the north {grey}", 0.05, 0.4)]])
        return out


def _grey_slides(path: Path) -> None:
    """A silent recording of three flat slides (GLACIER_TITLES' greys), 3 s each."""
    import av
    import numpy as np

    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=5)
        stream.width, stream.height, stream.pix_fmt = 160, 96, "yuv420p"
        for grey in GLACIER_TITLES:
            for _ in range(15):
                out.mux(stream.encode(av.VideoFrame.from_ndarray(np.full((96, 160, 3), grey, np.uint8), "rgb24")))
        out.mux(stream.encode())


def test_a_deck_its_video_did_not_use_is_not_listed_as_read(tmp_path, capsys):
    """A deck no slide of its video matched (another lecture's), or beside a video indexed without slide text, was
    listed under the summary as "1 slide deck (PDF) read with the video of the same name" (its name decided it,
    before a slide was read); only the video's row said it was not used. Each is now listed as not used and why,
    without the advice for scans, on this run and on the next one that finds the video unchanged."""
    from fakes import FakeClip, FakeText

    from momentsearch.cli.output import print_report
    from momentsearch.options import Config
    from momentsearch.pipeline.indexer import Indexer
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store
    from momentsearch.types import DECK_FIX, DECK_NO_MATCH, DECK_NO_OCR

    class NoSpeech:
        model_id = "fake:asr"  # (the recordings are silent: never called)

    for name in ("glaciers.mp4", "rivers.mp4"):
        _grey_slides(tmp_path / name)
    _write_deck(tmp_path / "glaciers.pdf", [(t, ["Ice sheets covered the north"]) for t in GLACIER_TITLES.values()],
                {})
    _write_deck(tmp_path / "rivers.pdf", SLIDES, {})  # another lecture's deck beside it: no page is shown

    def index(db: str, ocr) -> dict[str, str]:
        config = Config()
        config.models.ocr = False
        report = Indexer(Store(make_client(str(tmp_path / db))), config, FakeText(), NoSpeech(), FakeClip(),
                         ocr=ocr).index([str(tmp_path)])
        print_report(report)
        return {Path(f.path).name: f.reason for f in report.files if f.path.endswith(".pdf")}

    for run in range(2):  # indexed, then unchanged
        assert index("db", TitleOcr()) == {"glaciers.pdf": DECK_READ,
                                           "rivers.pdf": f"{DECK_UNUSED}: {DECK_NO_MATCH}"}, run
        shown = " ".join(capsys.readouterr().out.split())
        assert "1 slide deck (PDF) read with the video of the same name" in shown, shown
        assert f"1 slide deck (PDF) beside the video of the same name not used, {DECK_NO_MATCH}: rivers.pdf" in shown
        assert DECK_FIX not in shown
    assert index("no-ocr", None) == {n: f"{DECK_UNUSED}: {DECK_NO_OCR}" for n in ("glaciers.pdf", "rivers.pdf")}
    assert "read with the video" not in capsys.readouterr().out


def test_a_deck_whose_text_layer_lost_its_spaces_is_read_with_them_put_back(tmp_path):
    """A PDF that places each word on its own gives its text without spaces ("Thecellreleasesenergy"): none of its
    words was a word OCR read on a slide, and no page matched (probe 'no spaces': 0 of 7). Such a page's lines get
    their spaces back as OCR's reads do (common words only: "Mohorovicic" stays whole); each slide matches its own
    page, a screen of other words none, and a line left glued that the slide shows is not added to it as a word."""
    glued = [("PlateTectonics", ["Crustfloatsonthemantle", "Convectionmovestheplates"]),
             ("EarthquakeWaves", ["Primarywavesarrivefirst", "TheMohorovicicdiscontinuity"]),
             ("Volcanoes", ["Magmarisesthroughvents", "Eruptionschangetheweather", "Ashcloudscooltheclimate"])]
    _write_deck(tmp_path / "lecture.pdf", glued, {})
    deck = read_deck(tmp_path / "lecture.pdf")
    assert [p.lines for p in deck.pages] == [
        ["Plate Tectonics", "Crust floats on the mantle", "Convection moves the plates"],
        ["Earthquake Waves", "Primary waves arrive first", "The Mohorovicicdiscontinuity"],
        ["Volcanoes", "Magma rises through vents", "Eruptions change the weather", "Ashcloudscooltheclimate"]]
    slides = [_slide(0, "Plate Tectonics", "Crust floats on the mantle"), _slide(10, "$ ls -la", "total 48"),
              _slide(20, "Earthquake Waves", "Primary waves arrive first", "The Mohorovicic discontinuity"),
              _slide(30, "Volcanoes", "Magma rises through vents", "Ash clouds cool the climate")]
    backed, note = back_with_deck(slides, deck, 0.3)
    assert [p and p.number for p in match_pages(slides, deck)] == [1, None, 2, 3]
    assert [[t for t, _, _ in s.lines[len(o.lines):]] for s, o in zip(backed, slides)] == [
        ["Convection moves the plates"], [], ["The Mohorovicicdiscontinuity"], ["Eruptions change the weather"]]
    assert note == "slide deck lecture.pdf: 3 of 4 slides matched to 3 of its 3 pages"


_SEEN: list[tuple[str, str]] | None = None  # while a test sets it: the files opened and folders listed


def _audit(event: str, args: tuple) -> None:
    if _SEEN is None or event not in ("open", "os.listdir") or not isinstance(args[0], (str, Path)):
        return
    frame = sys._getframe(1)
    while frame is not None and event == "os.listdir":  # a folder listed to find a deck, not a caption file
        if f"{os.sep}deck_" in frame.f_code.co_filename:
            break
        frame = frame.f_back
    if frame is not None:
        _SEEN.append((event, os.path.basename(os.path.normpath(str(args[0])))))


@pytest.fixture
def seen():
    """The files opened and folders listed to find a deck (os.listdir in pipeline/deck_*.py) since, as (event, base
    name): an audit hook (one per process: a hook cannot be taken off) records them while this test runs."""
    global _SEEN
    if not getattr(_audit, "added", False):
        sys.addaudithook(_audit)
        _audit.added = True
    _SEEN = []
    yield _SEEN
    _SEEN = None


def _settled(*paths: Path, ago: float = 60.0) -> None:
    """`paths` (files, then their folder) modified `ago` seconds back: older than deck_reads.RACY_NS, so what is
    read of them is kept."""
    for path in paths:
        os.utime(path, (time.time() - ago, time.time() - ago))


def test_a_deck_is_found_read_and_hashed_once_a_run_and_again_once_it_changes(tmp_path, seen):
    """Indexing a video beside its deck read the PDF five times (discovery's check for a text layer, the video's
    id, the record's signature, the parse, the copies check) and listed its folder for every look; a run over it
    unchanged read it again to see it was. Now each run opens it once at most, and an edited deck once again."""
    from fakes import FakeClip, FakeText

    from momentsearch.options import Config
    from momentsearch.pipeline.indexer import Indexer
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    class NoSpeech:
        model_id = "fake:asr"  # (the recording is silent: never called)

    folder = tmp_path / "course"
    folder.mkdir()
    _grey_slides(folder / "glaciers.mp4")
    pages = [(t, ["Ice sheets covered the north"]) for t in GLACIER_TITLES.values()]
    _write_deck(folder / "glaciers.pdf", pages, {})
    _settled(folder / "glaciers.mp4", folder / "glaciers.pdf", folder)

    def index() -> tuple[list[str], int, int]:
        config = Config()
        config.models.ocr = False
        seen.clear()
        report = Indexer(Store(make_client(str(tmp_path / "db"))), config, FakeText(), NoSpeech(), FakeClip(),
                         ocr=TitleOcr()).index([str(folder)])
        return ([f.status for f in report.files if f.path.endswith(".mp4")], seen.count(("open", "glaciers.pdf")),
                seen.count(("os.listdir", "course")))

    assert index() == (["indexed"], 1, 1)
    assert index() == (["unchanged"], 0, 0)  # (this process read it as it is)
    _write_deck(folder / "glaciers.pdf", pages[:2], {})
    _settled(folder / "glaciers.pdf", ago=30.0)
    assert index() == (["indexed"], 1, 0)


def test_a_deck_changed_within_the_clock_s_resolution_is_read_again(tmp_path):
    """What is kept of a deck or folder is keyed by its state (modified time, size, inode): a state younger than
    RACY_NS is not kept, as an edit in the same tick would leave it as it was over other bytes."""
    from momentsearch.pipeline.deck_pdf import deck_beside, deck_signature

    video, deck = tmp_path / "lecture.mp4", tmp_path / "lecture.pdf"
    video.write_bytes(b"video")
    deck.write_bytes(b"%PDF-1 one")
    first = deck_signature(video)
    stamp = os.stat(deck).st_mtime_ns
    deck.write_bytes(b"%PDF-1 two")  # the same size, and the same modified time
    os.utime(deck, ns=(stamp, stamp))
    assert deck_signature(video) != first
    _settled(deck, tmp_path)
    kept = deck_signature(video)
    deck.write_bytes(b"%PDF-1 six")
    assert deck_signature(video) != kept  # (its modified time is now)
    deck.unlink()
    assert deck_beside(video) is None and deck_signature(video) == ""
    (tmp_path / "lecture-slides.pdf").write_bytes(b"%PDF-1 one")  # the folder changed: listed again
    assert deck_beside(video) == tmp_path / "lecture-slides.pdf"


def test_which_decks_went_unused_looks_for_each_videos_deck_once(tmp_path, seen):
    """`decks_used` looked for the deck of every video of a deck's folder once per deck read there: a folder of
    n lectures, each with its deck, was listed n x n times after the batch."""
    from momentsearch.pipeline.deck_match import decks_used
    from momentsearch.types import FileRecord, FileResult

    results, records = [], {}
    for k in range(4):
        video = str(tmp_path / f"week{k}.mp4")
        (tmp_path / f"week{k}.mp4").write_bytes(b"video")
        (tmp_path / f"week{k}.pdf").write_bytes(b"%PDF-1")
        records[video] = FileRecord(video, "ab" * 8, 5, 0.0, complete=True, channels=["ocr" if k else "visual"])
        results += [FileResult(video, "indexed"), FileResult(str(tmp_path / f"week{k}.pdf"), "skipped", DECK_READ)]
    seen.clear()  # (the folder is new: nothing of it is kept, each look lists it)
    decks_used(results, records.get)
    assert seen.count(("os.listdir", tmp_path.name)) <= 4
    assert [r.reason for r in results if r.path.endswith(".pdf")] == [f"{DECK_UNUSED}: {DECK_NO_OCR}"] + [
        DECK_READ] * 3
