"""One long-lived process that indexes new files again and again through the Python API (a nightly job, a folder
watcher): each model loads once, whatever the number of `index` calls."""

from __future__ import annotations

from fakes import FakeText
from test_python_api import _SaysHello, _talk


class _CountedEngine:
    """Stands in for rapidocr's RapidOCR: counts the engines built (each one loads three ONNX sessions, about a
    second on two cores) and reads no text."""

    built = 0

    def __init__(self, **params) -> None:
        type(self).built += 1

    def __call__(self, image):
        return None, 0.0


def test_index_calls_in_one_process_build_one_ocr_engine(tmp_path, monkeypatch):
    """Every `MomentIndex.index` call built a new slide-OCR engine (three ONNX sessions loaded again: about a
    second per call), while the ASR, text and CLIP models were kept: 20 calls, 20 engines."""
    import rapidocr_onnxruntime

    from momentsearch.api import MomentIndex

    monkeypatch.setattr(rapidocr_onnxruntime, "RapidOCR", _CountedEngine)
    index = MomentIndex(tmp_path / "db")
    index.models.__dict__.update(asr=_SaysHello(), text_embedder=FakeText(), clip=None)  # no model files read
    for n in range(2):
        _talk(talk := tmp_path / f"talk{n}.mp4", seconds=2 + n)  # another content each time
        report = index.index(talk)
        assert [f.status for f in report.files] == ["indexed"] and report.models.get("ocr"), report
    assert _CountedEngine.built == 1
    assert len(index.videos()) == 2


def test_an_index_own_text_model_and_clip_are_built_once_per_process():
    """An index made with all-mpnet-base-v2 (or a CLIP checkpoint of its own), opened with the default options, had
    a new embedder made for it on every `index` call: the model loaded again each time (1.3 s for mpnet)."""
    from momentsearch.models.build import Models
    from momentsearch.options import Config

    models = Models(Config())
    assert models.text_for("all-mpnet-base-v2") is models.text_for("all-mpnet-base-v2")
    assert models.clip_for("ViT-B-16", "/x/own.pt") is models.clip_for("ViT-B-16", "/x/own.pt")
    assert models.clip_for("ViT-B-16", "/x/own.pt") is not models.clip_for("ViT-B-16", "/x/other.pt")
