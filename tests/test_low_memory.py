"""Out of memory while indexing (an old laptop, a container's limit, `ulimit -v`): one line naming the stage that ran
out and what takes less, the batch stopped with finished files kept, a re-run resuming. The failures are the
libraries' own words, raised by fakes (a real limit aborts some libraries outright: docs in the README)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from test_bad_input import FakeASR, FakeText, fake_indexer, tiny_video  # noqa: E402

from momentsearch.errors import OutOfMemoryError, out_of_memory  # noqa: E402

MKL = "mkl_malloc: failed to allocate memory"  # CTranslate2 (faster-whisper) under a limit, as seen
ORT = ("[ONNXRuntimeError] : 1 : FAIL : Load model from /x/ch_PP-OCRv4_rec_infer.onnx failed:std::bad_alloc")


def talk(path: Path, seed: int, seconds: float = 3.0) -> None:
    """A short video with sound (a tone under noise): its audio reaches the ASR."""
    import av
    import numpy as np

    rng, rate = np.random.default_rng(seed), 16000
    t = np.arange(int(seconds * rate)) / rate
    audio = (0.3 * np.sin(2 * np.pi * (180 + 40 * seed) * t) + 0.05 * rng.normal(size=t.size)).astype(np.float32)
    with av.open(str(path), "w") as out:
        video = out.add_stream("mpeg4", rate=5)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        sound = out.add_stream("aac", rate=rate)
        sound.layout = "mono"
        for i in range(int(seconds * 5)):
            frame = np.full((48, 64, 3), (seed * 40 + i * 3) % 255, np.uint8)
            out.mux(video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        out.mux(video.encode())
        for start in range(0, audio.size, 1024):
            frame = av.AudioFrame.from_ndarray(audio[None, start:start + 1024], format="fltp", layout="mono")
            frame.sample_rate = rate
            out.mux(sound.encode(frame))
        out.mux(sound.encode())


class HungryASR(FakeASR):
    """Hears the first file, runs out of memory on the next (a longer lecture), as CTranslate2 says it."""

    def __init__(self) -> None:
        self.calls = 0

    def transcribe(self, audio, language=None):
        self.calls += 1
        if self.calls > 1:
            raise RuntimeError(MKL)
        return super().transcribe(audio)


def test_the_libraries_words_for_no_memory_are_told_from_other_errors():
    assert out_of_memory(MemoryError())
    assert out_of_memory(RuntimeError(MKL)) and out_of_memory(RuntimeError(ORT))
    assert out_of_memory(ImportError("libtorch_cpu.so: failed to map segment from shared object"))
    assert out_of_memory(OSError(12, "Cannot allocate memory"))
    wrapped = ValueError("cannot load the model")
    wrapped.__cause__ = RuntimeError(MKL)
    assert out_of_memory(wrapped)
    assert not out_of_memory(RuntimeError("Invalid data found when processing input"))
    assert not out_of_memory(OSError(2, "No such file or directory"))


def test_asr_out_of_memory_stops_the_batch_keeps_finished_files_and_a_rerun_resumes(tmp_path):
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    videos = tmp_path / "lectures"
    videos.mkdir()
    talk(videos / "a.mp4", 1)
    talk(videos / "b.mp4", 2)
    db = tmp_path / "db"
    indexer = fake_indexer(db)
    indexer.asr = HungryASR()
    with pytest.raises(OutOfMemoryError) as caught:  # not "b.mp4 failed", and the next file failing the same way
        indexer.index([str(videos)])
    message = str(caught.value)
    assert "out of memory in speech recognition" in message and MKL in message and "--asr tiny.en" in message
    assert "re-run" in message and "\n" not in message
    del indexer
    records = {Path(r.path).name: r for r in Store(make_client(str(db))).files()}
    assert records["a.mp4"].complete  # the finished file is kept
    report = fake_indexer(db).index([str(videos)])  # enough memory again
    assert {Path(f.path).name: f.status for f in report.files} == {"a.mp4": "unchanged", "b.mp4": "indexed"}


def test_ocr_model_out_of_memory_stops_instead_of_indexing_without_slide_text(tmp_path, monkeypatch):
    import rapidocr_onnxruntime

    from momentsearch.options import Config
    from momentsearch.pipeline.indexer import Indexer
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    def no_memory(**_params):
        raise RuntimeError(ORT)

    monkeypatch.setattr(rapidocr_onnxruntime, "RapidOCR", no_memory)
    tiny_video(tmp_path / "a.mp4", 20)
    indexer = Indexer(Store(make_client(str(tmp_path / "db"))), Config(), FakeText(), FakeASR(), None)
    with pytest.raises(OutOfMemoryError, match="out of memory in slide OCR .*--no-ocr"):
        indexer.index([str(tmp_path / "a.mp4")])


def test_cli_says_out_of_memory_in_one_line_where_a_library_cannot_be_loaded(tmp_path, monkeypatch, capsys):
    from momentsearch.cli.main import main
    from momentsearch.pipeline import indexer as indexer_mod

    def probe(path):  # `import av` under `ulimit -v` 1 GB
        raise ImportError("libavcodec-5e6b81c2.so.62.28.102: failed to map segment from shared object")

    monkeypatch.setattr(indexer_mod, "probe", probe)
    tiny_video(tmp_path / "a.mp4", 20)
    assert main(["index", str(tmp_path / "a.mp4"), "--db", str(tmp_path / "db"), "--quiet", "--no-ocr"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("momentsearch: error: out of memory in decoding the video") and err.count("\n") == 1


def test_search_out_of_memory_is_one_line(tmp_path, monkeypatch, capsys):
    from momentsearch.api import MomentIndex
    from momentsearch.cli.main import main

    tiny_video(tmp_path / "a.mp4", 20)
    fake_indexer(tmp_path / "db").index([str(tmp_path / "a.mp4")])

    def search(self, *args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(MomentIndex, "search", search)
    assert main(["search", "hello", "--db", str(tmp_path / "db")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("momentsearch: error: out of memory") and "`momentsearch search` needs about" in err
    assert err.count("\n") == 1


def test_serve_out_of_memory_at_start_and_in_a_search_is_said_not_a_crash(tmp_path):
    """`serve` under a limit: MiniLM's weights could not be read (MemoryError) and start-up failed with uvicorn's
    traceback; now the page stays up, /api/health says why, and a search that runs out answers 503 saying so."""
    from fastapi.testclient import TestClient
    from test_server import _FakeIndex, _record

    from momentsearch.server.app import create_app

    class Starved(_FakeIndex):
        def warm_up(self):
            raise MemoryError

        def search(self, query, k=10, kind=None, video=None, everywhere=False):
            raise MemoryError

    media = tmp_path / "a.mp4"
    tiny_video(media, 20)
    app = create_app(Starved([_record(media)]), warm=True, prepare=False)
    with TestClient(app, base_url="http://127.0.0.1:8000", raise_server_exceptions=False) as client:
        health = client.get("/api/health").json()
        assert not health["models_loaded"]
        assert any("out of memory (MemoryError)" in w and "`momentsearch serve` needs about" in w
                   for w in health["warnings"])
        answer = client.get("/api/search", params={"q": "calvin cycle"})
        assert answer.status_code == 503 and "out of memory" in answer.json()["error"]
