"""A facilities team's folder of photos: what a zero-byte photo and a scanner's multi-page TIFF give."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from fakes import FakeClip, FakeText
from momentsearch.errors import BadInputError
from momentsearch.media import read_image
from momentsearch.options import Config
from momentsearch.pipeline.indexer import Indexer
from momentsearch.store.client import make_client
from momentsearch.store.store import Store


class _NoSpeech:
    """An ASR for a folder with no recording to hear (its one video is empty: it fails before decoding)."""

    model_id = "fake:asr"

    def transcribe(self, audio):
        raise AssertionError("nothing here has sound to hear")


def _page(text: str) -> Image.Image:
    page = Image.new("RGB", (400, 300), (250, 250, 245))
    ImageDraw.Draw(page).text((30, 40 + 7 * len(text)), text, fill=(0, 0, 0))
    return page


def _index(folder: Path, db: Path) -> dict[str, tuple[str, str]]:
    config = Config()
    config.models.ocr = False
    indexer = Indexer(Store(make_client(str(db))), config, FakeText(), _NoSpeech(), FakeClip(), None)
    report = indexer.index([str(folder)])
    return {Path(f.path).name: (f.status, f.reason) for f in report.files}


def test_a_zero_byte_photo_fails_as_an_empty_file_not_as_a_damaged_format(tmp_path):
    """A sync's placeholder or an interrupted copy left a photo of 0 bytes: it failed as "not a readable image
    (unknown or damaged image format)", where a zero-byte video says `empty file (0 bytes)` (the README's
    table), which tells the user to copy it again rather than look for a broken camera or converter."""
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "placeholder.jpg").write_bytes(b"")
    (photos / "clip.mp4").write_bytes(b"")
    _page("ROOF EAST").save(photos / "whole.jpg")

    status = _index(photos, tmp_path / "db")

    assert status["placeholder.jpg"] == ("failed", "empty file (0 bytes)") == status["clip.mp4"], status
    assert status["whole.jpg"] == ("indexed", "")
    with pytest.raises(BadInputError) as caught:  # an image query of it says the same
        read_image(photos / "placeholder.jpg")
    assert caught.value.reason == "empty file (0 bytes)"


def test_a_multi_page_tiff_is_read_from_its_first_page_and_says_the_others_are_not(tmp_path):
    """A scanned inspection report kept as one TIFF of 3 pages was indexed from page 1 with no note: the
    words on pages 2 and 3 were never searchable and nothing said so. The note now names the pages left."""
    photos = tmp_path / "photos"
    photos.mkdir()
    pages = [_page(f"INSPECTION PAGE {n}") for n in (1, 2, 3)]
    pages[0].save(photos / "report.tif", save_all=True, append_images=pages[1:])
    pages[1].save(photos / "single.tif")

    status = _index(photos, tmp_path / "db")

    note = ("a TIFF of 3 pages: only its first page is read (save each page as an image of its own to index "
            "them all)")
    assert status["report.tif"] == ("indexed", note), status
    assert status["single.tif"] == ("indexed", ""), status
    first = read_image(photos / "report.tif", max_side=2048)
    assert first.note == note and np.array_equal(first.pixels, np.asarray(pages[0]))
    assert read_image(photos / "single.tif").note == ""


def test_an_index_made_with_a_relative_clip_config_is_searched_by_picture_from_any_folder(tmp_path, monkeypatch):
    """`momentsearch index photos --clip-model clip/arch.json --clip-pretrained clip/weights.bin` kept those
    paths as typed, so a search or `serve` run from another folder could not build the model again (`CLIP
    architecture config not found: clip/arch.json`) and image queries lost the visual channel. The index now
    keeps them absolute."""
    import shutil

    from momentsearch.api import MomentIndex
    from momentsearch.models.clip import TINY_CLIP_CONFIG
    from momentsearch.options import load_config

    work, elsewhere = tmp_path / "work", tmp_path / "elsewhere"
    (work / "clip").mkdir(parents=True)
    elsewhere.mkdir()
    shutil.copy(TINY_CLIP_CONFIG, work / "clip" / "arch.json")
    photo = work / "panel.png"
    Image.fromarray(np.random.default_rng(3).integers(0, 255, (240, 320, 3), dtype=np.uint8)).save(photo)
    monkeypatch.chdir(work)
    options = {"models": {"clip_model": "clip/arch.json", "clip_pretrained": "random", "ocr": False}}
    report = MomentIndex(tmp_path / "db", load_config(overrides=options)).index([str(photo)])
    assert [(f.status, f.channels) for f in report.files] == [("indexed", ["visual"])]

    monkeypatch.chdir(elsewhere)  # a later search, by the picture itself, from another folder
    moments, words = MomentIndex(tmp_path / "db").image_query(str(photo), k=3)
    assert [(m.video, m.kind) for m in moments] == [(str(photo), "photo")] and words == ""


def test_a_photo_with_a_damaged_exif_block_is_read_without_pillows_warning(tmp_path, recwarn):
    """A camera wrote an EXIF block shorter than its entries say: Pillow reads the picture, but its
    `UserWarning: Corrupt EXIF data` (with Pillow's path and line) was printed among the index's progress."""
    photo = tmp_path / "camera.jpg"
    picture = _page("ROOF EAST")
    broken_exif = b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x05\x01\x12\x00\x03\xff\xff\xff\xff\x00\x06"
    picture.save(photo, exif=broken_exif)

    got = read_image(photo, max_side=2048)

    assert got.pixels.shape == (300, 400, 3) and got.note == ""
    assert [str(w.message) for w in recwarn.list] == []


def test_adding_photos_with_another_clip_names_the_flags_of_the_index_own(tmp_path):
    """Photos indexed with `--clip-model ... --clip-pretrained ...`, then a new folder added without them:
    refused with "use the same model", which did not say which flags name it (searches find it alone).
    The refusal now names them, quoted for the shell."""
    from momentsearch.errors import IndexMismatchError

    store = Store(make_client(str(tmp_path / "db")))
    store.collection("files")  # what makes the folder an index
    config = str(tmp_path / "my clip" / "arch.json")
    store.collection("keyframes", model_id="open_clip:arch/file:w.bin", dim=32,
                     extra={"clip_model": config, "clip_pretrained": str(tmp_path / "w.bin")})
    store.collection("transcript", model_id="fake:text", dim=8)

    with pytest.raises(IndexMismatchError) as refused:
        Store(make_client(str(tmp_path / "db"))).check_models({"keyframes": "open_clip:ViT-B-32/laion2b_s34b_b79k"})
    assert f"(this index's: --clip-model '{config}' --clip-pretrained {tmp_path / 'w.bin'})" in str(refused.value)
    with pytest.raises(IndexMismatchError) as other:  # a text model's refusal names no CLIP flags
        Store(make_client(str(tmp_path / "db"))).check_models({"transcript": "other:text"})
    assert "--clip-model" not in str(other.value)
