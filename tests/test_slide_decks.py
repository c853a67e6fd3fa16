"""A lecturer's slide deck beside the recording (lecture.pdf, lecture.pptx, lecture.key): no reader for it is
installed, so it is skipped saying so and what to do (export its pages as images: a folder of them is indexed as
photos), never probed by FFmpeg, which read a PDF of JPEG pages as a "video" of 0:00."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from fakes import FakeClip, FakeText
from momentsearch.cli.output import print_report
from momentsearch.errors import BadInputError
from momentsearch.media import read_image
from momentsearch.options import Config
from momentsearch.pipeline.discover import discover
from momentsearch.pipeline.indexer import Indexer
from momentsearch.store.client import make_client
from momentsearch.store.store import Store
from momentsearch.types import DECK_HOW, DECK_NOT_READ, DECK_UNUSED, NOT_MEDIA, FileRecord, FileResult, IndexReport


class _NoSpeech:
    model_id = "fake:asr"

    def transcribe(self, audio):
        raise AssertionError("a deck has nothing to hear")


def _deck(path: Path, titles: list[str]) -> None:
    """A PDF as Pillow writes one (each page a JPEG, as a scanner's or an image export's are)."""
    pages = []
    for title in titles:
        page = Image.new("RGB", (640, 360), (250, 250, 245))
        ImageDraw.Draw(page).text((40, 40), title, fill=(10, 10, 90))
        pages.append(page)
    pages[0].save(path, format="PDF", save_all=True, append_images=pages[1:])


def _index(paths: list[Path], db: Path, warnings: list[str] | None = None) -> tuple[dict[str, tuple[str, str]], Store]:
    config = Config()
    config.models.ocr = False
    store = Store(make_client(str(db)), db_dir=db)
    report = Indexer(store, config, FakeText(), _NoSpeech(), FakeClip(), None).index([str(p) for p in paths])
    if warnings is not None:
        warnings += report.warnings
    return {Path(f.path).name: (f.status, f.reason) for f in report.files}, store


def test_a_pdf_named_directly_is_skipped_saying_why_not_indexed_as_a_video_of_no_length(tmp_path):
    """`momentsearch index lecture.mp4 lecture.pdf`: the PDF (JPEG pages) was probed by FFmpeg as MJPEG and
    "indexed" as a video of 0:00 with its first page's picture, its other pages and its text never read and
    nothing said. A PDF saved without its extension ("handout") is told by its first bytes."""
    _deck(tmp_path / "lecture.pdf", ["Photosynthesis", "Rubisco", "C4 plants"])
    _deck(tmp_path / "handout", ["Handout"])

    status, store = _index([tmp_path / "lecture.pdf", tmp_path / "handout"], tmp_path / "db")

    assert status == {"lecture.pdf": ("skipped", DECK_NOT_READ), "handout": ("skipped", DECK_NOT_READ)}
    assert store.get_file(str(tmp_path / "lecture.pdf")) is None and store.get_file(str(tmp_path / "handout")) is None


def test_decks_beside_a_recording_are_told_apart_from_a_folders_other_files(tmp_path):
    """A course folder: the recording, its deck in three formats, notes. The decks were `not a media file
    (unknown extension)`, as if momentsearch could not tell a lecture's slides from a stray file. The PDF of the
    video's name is read with it (tests/test_pdf_decks.py), this one a scan without text to read, said so; the other
    formats are not read."""
    (tmp_path / "lecture.mp4").write_bytes(b"")
    _deck(tmp_path / "lecture.pdf", ["Photosynthesis"])
    with zipfile.ZipFile(tmp_path / "lecture.pptx", "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    (tmp_path / "lecture.key").write_bytes(b"bplist00")
    (tmp_path / "notes.txt").write_text("mention rubisco")
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")

    found = {Path(f.path).name: f.reason for f in discover([str(tmp_path)])}

    assert found == {"lecture.mp4": "", "lecture.pdf": f"{DECK_UNUSED}: no text layer (scanned pages?)",
                     "lecture.pptx": DECK_NOT_READ,
                     "lecture.key": DECK_NOT_READ, "notes.txt": NOT_MEDIA, "notes.docx": NOT_MEDIA}


def test_the_summary_says_once_what_to_do_with_the_decks(capsys):
    files = [FileResult(f"/c/week{i}.pdf", "skipped", DECK_NOT_READ) for i in range(3)]
    files += [FileResult("/c/week1.pptx", "skipped", DECK_NOT_READ), FileResult("/c/notes.txt", "skipped", NOT_MEDIA),
              FileResult("/c/week1.mp4", "indexed", duration=60.0, channels=["transcript"])]
    print_report(IndexReport(files=files))
    shown = capsys.readouterr().out
    assert "week0.pdf" not in shown and "pdftoppm" in DECK_HOW
    assert f"4 slide decks not read (.pdf 3, .pptx 1): {DECK_HOW}" in " ".join(shown.split())
    assert "1 other file skipped, not media (.txt 1)" in shown and "6 files: 1 indexed, 5 skipped" in shown


def test_searching_by_a_pdf_page_says_to_export_it_as_an_image(tmp_path):
    """`search --image lecture.pdf` (a deck is what a lecturer has of a slide) said `not a readable image
    (unknown or damaged image format)`, sending its owner to look for a better copy of a good file."""
    _deck(tmp_path / "lecture.pdf", ["Photosynthesis", "Rubisco"])
    with pytest.raises(BadInputError) as caught:
        read_image(tmp_path / "lecture.pdf")
    assert caught.value.reason.startswith("not a readable image (a PDF, not an image: export the page")
    assert "damaged" not in caught.value.reason and "pdftoppm" in caught.value.reason


def test_a_keynote_package_is_one_deck_not_a_folder_of_photos(tmp_path):
    """Keynote may save a deck as a package, a folder the Mac shows as one file (lecture.key/preview.jpg,
    Data/*.png): walked, its preview and pictures were indexed as the user's photos under names like
    st-1234-5678.png. A package named directly is walked, as a hidden folder is."""
    package = tmp_path / "lecture.key"
    (package / "Data").mkdir(parents=True)
    for name in ("preview.jpg", "Data/st-1234-5678.png"):
        Image.new("RGB", (64, 48), "white").save(package / name)
    (tmp_path / "lecture.mp4").write_bytes(b"")

    found = {str(Path(f.path).relative_to(tmp_path)): f.reason for f in discover([str(tmp_path)])}

    assert found == {"lecture.key": DECK_NOT_READ, "lecture.mp4": ""}
    assert len(discover([str(package)])) == 2


def test_a_pdf_an_earlier_version_indexed_as_a_video_is_named_with_the_command_that_takes_it_out(tmp_path):
    """An index made before this version holds lecture.pdf as a video of 0:00 (FFmpeg read its JPEG pages as
    MJPEG). Indexed again, it is a deck that is not read, but its old entries stay searchable: said once, with
    the `remove` command; an index without one says nothing of the kind."""
    _deck(tmp_path / "lecture.pdf", ["Photosynthesis"])
    pdf = str(tmp_path / "lecture.pdf")
    _index([tmp_path / "lecture.pdf"], tmp_path / "db")[1].put_file(FileRecord(pdf, "0123456789abcdef",
                                                                               size=1, mtime=1.0, complete=True))
    warnings: list[str] = []
    status, _ = _index([tmp_path / "lecture.pdf"], tmp_path / "db", warnings)
    assert status == {"lecture.pdf": ("skipped", DECK_NOT_READ)}
    assert [w for w in warnings if "deck" in w] == [
        "1 slide deck not read now, but indexed as a video of 0:00 by an earlier version (lecture.pdf): still in the "
        f"index; momentsearch remove {pdf} --db {tmp_path / 'db'} takes it out"]
    warnings.clear()
    _index([tmp_path / "lecture.pdf"], tmp_path / "other-db", warnings)
    assert not [w for w in warnings if "deck" in w]
