"""A lecture's slide deck: `lecture.pdf` beside `lecture.mp4`, its pages' text read with pypdf.

Lecturers publish their slides as a PDF next to the recording. The text of its pages is exact where OCR of a
filmed or small slide misreads words ("Recursian") or cannot read them at all (small print); `deck_match`
pairs each slide the recording shows with the page it shows and backs up the slide's text with that page's
words. The deck is found by name only (the video's name with `.pdf`, or with "slides" after it: DECK_TAGS), so a
folder walk and a named video find the same one, and a video has one deck at most; its bytes are part of the
video's indexed id and its signature is kept in the file's record (`sources["deck"]`), so a deck added, edited or
taken away makes the next `index` do the video again. A handout's page is read as one page a slide (`deck_layout`).
The folder's names and the deck's bytes and hash are kept while they stay as they are (`deck_reads`): the id, the
signature and the pages of one video read its deck once.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from momentsearch.pipeline.deck_layout import page_slides
from momentsearch.pipeline.deck_reads import file_bytes, file_digest, folder_names
from momentsearch.pipeline.media_names import AUDIO_EXTENSIONS, VIDEO_EXTENSIONS
from momentsearch.types import DECK_NOT_READ, DECK_READ, DECK_SECOND, DECK_UNUSED

DECK_SUFFIXES = (".pdf", ".PDF", ".Pdf")  # a deck's extension, in any case (lecture.pdf, LECTURE.PDF): this order
# first where two lie beside one video
# what may follow a video's name in its deck's (lecture.mp4: lecture-slides.pdf), in this order of preference: of
# several such PDFs beside one video only the first is its deck. "slides" in any case; a PDF named as another
# recording beside it (lecture-slides.pdf with lecture-slides.mp4) is that recording's, not lecture.mp4's
DECK_TAGS = ("", ".slides", "-slides", "_slides", " slides", " (slides)")
DECK_ORDER = "of " + ", ".join(f"'lecture{tag}.pdf'" for tag in DECK_TAGS) + " the first there is read"
RECORDING_EXTENSIONS = VIDEO_EXTENSIONS | AUDIO_EXTENSIONS  # a recording beside a deck of its own name owns it


@dataclass
class DeckPage:
    """One page of a deck: its text lines as the PDF's text layer holds them (template lines left out)."""

    number: int  # 1-based, as a PDF viewer counts pages
    lines: list[str] = field(default_factory=list)

    def words(self) -> set[str]:
        return {w for line in self.lines for w in deck_words(line)}


@dataclass
class Deck:
    """A deck as read: its file's name, its pages with text, and why it is not used ("" when it is)."""

    name: str
    pages: list[DeckPage] = field(default_factory=list)
    note: str = ""  # e.g. "no text layer (scanned pages?)"


def deck_beside(video: str | Path) -> Path | None:
    """The slide deck of `video`: a PDF of its name beside it (`week3.mp4` -> `week3.pdf`, else `week3-slides.pdf`
    and the other DECK_TAGS, the first there), None without one or for a file that is not a video by its extension
    (a recording without pictures shows no slides). The name's case does not count, as for its caption files
    (`lecture.pdf` is `Lecture.mp4`'s), except where a recording of the deck's own case lies beside it too."""
    path = Path(video)
    if path.suffix.lower() not in VIDEO_EXTENSIONS:
        return None
    try:  # (a folder of a thousand recordings: only the few names that begin with this one's are looked at)
        names = [n for n in folder_names(path.parent) if n[:len(path.stem)].lower() == path.stem.lower()]
    except OSError:
        return None
    recordings = {Path(n).stem for n in names if Path(n).suffix.lower() in RECORDING_EXTENSIONS}
    ranked = sorted((rank, name) for name in names if (rank := _deck_rank(path.stem, name, recordings)) is not None)
    return next((deck for _, name in ranked if (deck := path.parent / name).is_file()), None)


def _deck_rank(stem: str, name: str, recordings: set[str]) -> tuple[int, bool, int] | None:
    """Where a file `name` stands among the decks of a video of stem `stem` (DECK_TAGS, then the video's own case
    first, then DECK_SUFFIXES), None when it is none of them: not so named, named as another recording of
    `recordings` (the stems of those beside it: `lecture-slides.pdf` is `lecture-slides.mp4`'s), or named in
    another case after a recording of its own case (`lecture.pdf` beside `Lecture.mp4` and `lecture.mp4`)."""
    deck = Path(name)
    base, tag = deck.stem[:len(stem)], deck.stem[len(stem):].lower()
    if deck.suffix.lower() != ".pdf" or base.lower() != stem.lower() or tag not in DECK_TAGS:
        return None
    if (base != stem and base in recordings) or (tag and deck.stem.lower() in {r.lower() for r in recordings}):
        return None
    suffix = DECK_SUFFIXES.index(deck.suffix) if deck.suffix in DECK_SUFFIXES else len(DECK_SUFFIXES)
    return DECK_TAGS.index(tag), base != stem, suffix


def video_of_deck(pdf: str | Path, names: list[str] | None = None) -> Path | None:
    """The video beside `pdf` whose deck it is (`deck_beside`), None when none is. `names`: the files of its
    folder, when the caller has listed them."""
    path = Path(pdf)
    return next((video for video in _named_after(path, names) if deck_beside(video) == path), None)


def _named_after(pdf: Path, names: list[str] | None) -> list[Path]:
    """The files beside `pdf` whose deck its name says it is (`lecture.mp4` for `lecture-slides.pdf`), by name in
    any case (`Lecture.mp4` for `lecture.pdf`: `deck_beside` has the last word)."""
    if pdf.suffix.lower() != ".pdf":
        return []
    try:
        names = list(folder_names(pdf.parent)) if names is None else names
    except OSError:
        return []
    stem = pdf.stem.lower()
    stems = {stem} | {stem[:-len(tag)] for tag in DECK_TAGS[1:] if stem.endswith(tag)}
    return [pdf.parent / name for name in sorted(names) if Path(name).stem.lower() in stems and name != pdf.name]


def deck_file_reason(pdf: str | Path, names: list[str] | None = None) -> str:
    """Why a deck file is skipped as a file of its own: DECK_READ for a video's deck (`video_of_deck`) that backs
    up its slides, DECK_UNUSED and why for one that cannot (a scan: no text layer), DECK_SECOND for one named
    after a video that has another (lecture-slides.pdf beside lecture.pdf), DECK_NOT_READ for any other
    (`lecture.pptx`, a PDF named like no video). `names`: the files of its folder, when the caller has listed them."""
    videos = _named_after(Path(pdf), names)
    if not any(deck_beside(video) == Path(pdf) for video in videos):
        taken = next(((v, deck) for v in videos if (deck := deck_beside(v)) is not None), None)
        return f"{DECK_SECOND}: {taken[0].name} is read with {taken[1].name} ({DECK_ORDER})" if taken else DECK_NOT_READ
    note = deck_unusable(pdf)
    return f"{DECK_UNUSED}: {note}" if note else DECK_READ


def deck_of(video: str | Path) -> Deck | None:
    """The deck beside `video` as read (`read_deck`), None without one."""
    deck = deck_beside(video)
    return read_deck(deck) if deck is not None else None


def deck_bytes(video: str | Path) -> bytes | None:
    """The bytes of `video`'s deck (`deck_beside`), None without one or when it cannot be read."""
    deck = deck_beside(video)
    try:
        return file_bytes(deck) if deck is not None else None
    except OSError:
        return None


def deck_signature(video: str | Path) -> str:
    """Which deck `video` has now and its content: "NAME HASH" ("" without one). Kept in the file's record
    (`sources["deck"]`): a deck added, edited or removed after indexing makes the next `index` redo the video."""
    deck = deck_beside(video)
    if deck is None:
        return ""
    try:
        return f"{deck.name} {file_digest(deck)}"
    except OSError:
        return f"{deck.name} unreadable"


def deck_changed(record) -> bool:
    """Whether the deck beside a recorded video is not the one it was indexed with (a record made before decks
    were read has none: a deck beside it now is a change, as it would be read)."""
    if getattr(record, "kind", "video") == "photo":
        return False
    return record.sources.get("deck", "") != deck_signature(record.path)


def deck_words(text: str) -> list[str]:
    """The words of a line as a deck and a slide are compared by: lower case, compatibility forms (a PDF's "ﬁ"
    ligature is "fi"), letters and digits runs holding a letter, two characters or more."""
    text = unicodedata.normalize("NFKC", text).lower()
    return [w for w in re.findall(r"[^\W_]+", text) if len(w) >= 2 and any(c.isalpha() for c in w)]


# what a damaged or unusual PDF raises inside pypdf's parser, besides its own errors
_BROKEN = (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError)
NO_TEXT_LAYER = "no text layer (scanned pages?)"  # a PDF of page images: a scan, an image export
GLUED_RUN = 16  # letters in a row no slide's word has: a page holding such a run and no space lost its spaces
TEMPLATE_SHARE = 0.5  # a line on more than this share of a deck's pages (3 or more) is its template: footer, course


def read_deck(path: str | Path) -> Deck:
    """The text of each page of the PDF at `path`. A deck that cannot be used says why in `note` (pypdf not
    installed, a damaged or encrypted file, no text layer: scanned pages) and has no pages; never raises.
    Lines that most pages repeat (the template's footer, course name) are left out of every page."""
    name = Path(path).name
    pages, note = _page_lines(path)
    if note:
        return Deck(name, note=note)
    return Deck(name, _without_template(pages))


def deck_unusable(path: str | Path) -> str:
    """Why the PDF at `path` would not back up its video's slides (`read_deck`'s note), "" when it would. Reads
    pages only until one holds words: cheap enough for a folder walk to tell a scanned deck from one it reads."""
    return _page_lines(path, until_text=True)[1]


def _page_lines(path: str | Path, until_text: bool = False) -> tuple[list[DeckPage], str]:
    """The lines holding words of each page of the PDF at `path`, a page of a handout one DeckPage a slide
    (`deck_layout`; `until_text`: the pages as they are, up to the first with words), and why it cannot be used
    ("" when it can: some page has words); never raises."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError
    except ImportError:
        return [], "pypdf is not installed (pip install pypdf)"
    quiet = logging.getLogger("pypdf")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # its warnings of odd objects would reach the terminal (the library never prints)
    pages: list[DeckPage] = []
    try:
        reader = PdfReader(BytesIO(file_bytes(Path(path))))  # (as PdfReader reads a path: all of it, at once)
        if reader.is_encrypted and not reader.decrypt(""):
            return [], "encrypted with a password"
        for number, page in enumerate(reader.pages, 1):
            for text in [page.extract_text() or ""] if until_text else page_slides(page):
                text = _unhyphenated(text)
                lines = [line for line in map(_clean, text.splitlines()) if deck_words(line)]
                pages.append(DeckPage(number, lines if until_text else _spaced(lines)))
            if until_text and pages[-1].lines:
                break
    except (PyPdfError, *_BROKEN) as exc:
        return [], f"not readable as a PDF ({type(exc).__name__})"
    finally:
        quiet.setLevel(level)
    return (pages, "") if any(p.lines for p in pages) else ([], NO_TEXT_LAYER)


def _unhyphenated(text: str) -> str:
    """`text` with words hyphenated at a line's end whole again ("ac-" then "ceptor" is "acceptor"): split, neither
    half was a word a slide's OCR read, and both halves were added to every slide. A hyphen before a capital
    ("Anglo-" then "Saxon") is kept, the line break too."""
    return re.sub(r"([^\W\d_])-[ \t]*\r?\n[ \t]*([^\W\d_])",
                  lambda m: m[1] + m[2] if m[2].islower() else m[0], text)


def _spaced(lines: list[str]) -> list[str]:
    """The lines of a page whose text layer lost the spaces between its words (most lines hold none, and one a run
    of GLUED_RUN letters: "Thecellreleasesenergy", a PDF that places each word on its own) with them put back
    where they are missing, as for OCR's reads (`ocr_spaces.restore_spaces`: only splits into common words; a rare
    word stays whole). Its words were no word a slide's OCR read, and no page matched. Others: as they are."""
    glued = [" " not in line for line in lines]
    if 2 * sum(glued) <= len(lines) or not any(re.search(rf"[^\W\d_]{{{GLUED_RUN}}}", x) for x in lines):
        return lines
    from momentsearch.pipeline.ocr_spaces import restore_spaces  # (wordninja's list: loaded for such a deck only)

    return [restore_spaces(line) if lost else line for line, lost in zip(lines, glued)]


def _clean(line: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", line).split())


def _without_template(pages: list[DeckPage]) -> list[DeckPage]:
    """`pages` without the lines more than TEMPLATE_SHARE of them repeat (3 pages or more)."""
    if len(pages) < 3:
        return pages
    counts: dict[str, int] = {}
    for page in pages:
        for key in {" ".join(deck_words(line)) for line in page.lines}:
            counts[key] = counts.get(key, 0) + 1
    template = {k for k, n in counts.items() if n > TEMPLATE_SHARE * len(pages)}
    return [DeckPage(p.number, [line for line in p.lines if " ".join(deck_words(line)) not in template])
            for p in pages]
