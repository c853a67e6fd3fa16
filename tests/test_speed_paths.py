"""Correctness of the speed work: the overlapped pipeline, the vectorised lexical channel, the search
hot path (ids-only store queries, the on-disk corpus cache, cache refresh) and device resolution.
Nothing here times anything: speed is measured by scripts/bench_index.py and scripts/bench_query.py."""

from __future__ import annotations

import os
import sys
import threading

import numpy as np
import pytest

from conftest import run_cli
from fakes import FakeClip, FakeText


class FakeASR:
    """One sentence every 4 s of audio, with word times."""

    model_id = "fake:asr"

    def __init__(self, fail: bool = False):
        self.fail = fail

    def transcribe(self, audio):
        from momentsearch.types import TranscriptSegment, Word

        if self.fail:
            raise RuntimeError("asr exploded")
        seconds = audio.size / 16000
        out = []
        for i, start in enumerate(np.arange(0.0, seconds - 2.0, 4.0)):
            words = [Word(start + 0.5 * j, start + 0.5 * j + 0.4, w) for j, w in enumerate(
                f"sentence {i} about topic {i % 3}.".split())]
            out.append(TranscriptSegment(start, words[-1].end, " ".join(w.word for w in words), words))
        return out


class FakeOcr:
    def read(self, images):
        from momentsearch.models.ocr import OcrLine

        return [[OcrLine(text=f"Slide {int(np.asarray(im).mean())}", confidence=0.99, box_height=30.0,
                         box_width=200.0, top=10.0, left=10.0, image_height=np.asarray(im).shape[0])]
                for im in images]


def _processor(overlap: bool, asr=None, ocr=True):
    from momentsearch.options import Config
    from momentsearch.pipeline.process import FileProcessor

    config = Config()
    config.sampling.overlap = overlap
    config.models.ocr = False
    processor = FileProcessor(config, FakeText(), asr or FakeASR(), FakeClip())
    processor.ocr = FakeOcr() if ocr else None  # slide OCR runs in the visual thread too
    return processor


# -- the overlapped pipeline ---------------------------------------------------------------------
def test_overlapped_pipeline_gives_the_same_entries_as_the_sequential_one(lecture):
    from momentsearch.pipeline.decode import probe

    path, _windows = lecture
    info = probe(path)
    seq = _processor(False).process_video(str(path), info, "v1")
    par = _processor(True).process_video(str(path), info, "v1")
    assert seq.channels == par.channels and {"transcript", "visual"} <= set(par.channels)
    assert seq.visual_segments == par.visual_segments and len(par.visual_segments) >= 3
    assert set(seq.rows) == set(par.rows) and {"transcript", "keyframes", "unified"} <= set(par.rows)
    for name, rows in seq.rows.items():
        other = par.rows[name]
        assert rows.ids == other.ids and rows.metadatas == other.metadatas and rows.documents == other.documents
        np.testing.assert_allclose(rows.vectors, other.vectors, rtol=0, atol=1e-6)
    assert par.duration == pytest.approx(seq.duration)
    # the visual side ran in the background, and says how long it took
    assert par.times.seconds.get("decode+keyframes", 0) > 0 and "wait for visual" in par.times.seconds


def test_skipping_b_frames_and_deblocking_samples_the_same_slides(lecture):
    from momentsearch.pipeline.decode import iter_frames
    from momentsearch.pipeline.keyframes import detect_segments

    from momentsearch.options import Config

    path, windows = lecture
    # decoded at the size indexing samples at (sampling.max_side): the detector compares text strokes
    # at about keyframes.analysis_width, and in a 160-px frame a new slide's text that lands where
    # the old one was blank is told from a build only by its small title, so a cut becomes a view
    side = Config().sampling.max_side
    full = list(iter_frames(path, 1.0, side))
    fast = list(iter_frames(path, 1.0, side, skip_nonref=True))
    assert abs(len(full) - len(fast)) <= 1 and len(fast) >= 40
    assert all(abs(a.time - b.time) <= 0.5 for a, b in zip(full, fast))  # a frame or two at 5 fps
    a, b = detect_segments(iter(full), 60.0), detect_segments(iter(fast), 60.0)
    assert len(a) == len(b) == len(windows)
    assert all(abs(x.start - y.start) <= 0.5 for x, y in zip(a, b))
    # without the deblocking filter too (sampling.skip_deblock): the same cuts from slightly blockier samples
    rough = list(iter_frames(path, 1.0, side, skip_nonref=True, skip_deblock=True))
    assert [f.time for f in rough] == [f.time for f in fast]
    assert any(not np.array_equal(f.image, g.image) for f, g in zip(rough, fast))  # the filter was left out
    c = detect_segments(iter(rough), 60.0)
    assert [x.start for x in c] == [x.start for x in b]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread niceness is a Linux feature")
def test_the_visual_thread_yields_the_cpu_to_asr_and_the_caller_keeps_its_priority(lecture, monkeypatch):
    from momentsearch.pipeline.decode import probe
    from momentsearch.pipeline.process import FileProcessor

    path, _ = lecture
    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    wanted = max(before, 7)  # a thread may raise its niceness, not lower it
    seen = {}
    original = FileProcessor._visual_side

    def visual_side(self, *args):
        seen["thread"] = threading.get_native_id()
        seen["nice"] = os.getpriority(os.PRIO_PROCESS, seen["thread"])
        return original(self, *args)

    monkeypatch.setattr(FileProcessor, "_visual_side", visual_side)
    processor = _processor(True)
    processor.config.sampling.visual_nice = wanted
    out = processor.process_video(str(path), probe(path), "v1")
    assert "visual" in out.channels and seen["thread"] != threading.get_native_id()
    assert seen["nice"] == wanted
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before


def test_a_failing_asr_is_raised_and_the_visual_thread_stops(lecture):
    from momentsearch.pipeline.decode import probe

    path, _ = lecture
    with pytest.raises(RuntimeError, match="asr exploded"):
        _processor(True, asr=FakeASR(fail=True)).process_video(str(path), probe(path), "v1")


def test_an_error_in_the_visual_thread_reaches_the_caller(lecture, monkeypatch):
    from momentsearch.errors import BadInputError
    from momentsearch.pipeline import process
    from momentsearch.pipeline.decode import probe

    def broken(*args, **kwargs):
        raise BadInputError(str(args[0]), "video stream cannot be decoded")
        yield  # a generator, like sample_frames

    monkeypatch.setattr(process, "sample_frames", broken)
    path, _ = lecture
    with pytest.raises(BadInputError, match="video stream cannot be decoded"):
        _processor(True).process_video(str(path), probe(path), "v1")


# -- lexical channel -----------------------------------------------------------------------------
def _reference_search(texts, query, n):
    """The lexical score written out slowly: idf-weighted share of the query's terms each text has."""
    from momentsearch.ranking.lexical import tokenize

    docs = [set(tokenize(t)) for t in texts]
    terms = list(dict.fromkeys(tokenize(query)))
    df = {t: sum(t in d for d in docs) for t in terms}
    w = {t: np.log(1.0 + (len(texts) + 1) / (df[t] + 0.5)) for t in terms}
    cov = {i: sum(w[t] for t in terms if t in d) / sum(w.values()) for i, d in enumerate(docs)
           if any(t in d for t in terms)}
    return cov


def test_vectorised_lexical_search_matches_the_definition_and_survives_save_load(tmp_path):
    from momentsearch.ranking.lexical import LexicalIndex

    rng = np.random.default_rng(3)
    vocab = [f"word{i}" for i in range(120)]
    p = 1.0 / np.arange(1, 121)
    texts = [" ".join(rng.choice(vocab, size=15, p=p / p.sum())) for _ in range(400)] + ["", "the and of"]
    index = LexicalIndex(texts)
    index.save(tmp_path / "lex")
    loaded = LexicalIndex.load(tmp_path / "lex")
    for q in range(60):
        query = " ".join(rng.choice(vocab, size=int(rng.integers(1, 4)))) + (" unseenword" if q % 5 == 0 else "")
        want = _reference_search(texts, query, 20)
        for idx in (index, loaded):
            rows, scores = idx.search(query, 20)
            assert len(rows) == min(20, len(want))
            for r, s in zip(rows, scores):
                assert s == pytest.approx(want[int(r)], abs=1e-5)
            # nothing left out scores higher than what was returned
            assert max(want.values(), default=0) == pytest.approx(float(scores[0]) if len(scores) else 0, abs=1e-5)
            assert list(scores) == sorted(scores, reverse=True)
    assert index.search("unseenword", 5)[0].size == 0


# -- store fast path, corpus cache, refresh ------------------------------------------------------
def _fill(store, video_id: str, n: int, path: str = "/v.mp4"):
    from momentsearch.store.ids import entry_id
    from momentsearch.types import FileRecord

    starts = np.arange(n) * 10.0 + 0.123
    ids = [entry_id(video_id, "chunk", s, s + 9.5) for s in starts]
    texts = [f"chunk {i} of {video_id} talks about {'roadmap' if i == 2 else 'energy'}" for i in range(n)]
    metas = [{"video_id": video_id, "video": path, "start": float(s), "end": float(s + 9.5), "kind": "chunk"}
             for s in starts]
    store.upsert("transcript", ids, FakeText().embed_texts(texts), metas, texts)
    store.put_file(FileRecord(path=path, video_id=video_id, size=1, mtime=0.0, duration=n * 10.0,
                              channels=["transcript"], complete=True))
    return texts


@pytest.fixture
def small_store(tmp_path):
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    store = Store(make_client(str(tmp_path / "db")))
    store.collection("transcript", model_id=FakeText.model_id, dim=FakeText.dim)
    _fill(store, "a" * 16, 6)
    return store


def test_ids_only_store_query_matches_the_full_query(small_store):
    from momentsearch.store.ids import entry_fields

    q = FakeText().embed_texts(["energy"])[0]
    full = small_store.query("transcript", q, 4)
    fast = small_store.query("transcript", q, 4, metadata=False)
    assert [h.id for h in fast] == [h.id for h in full] and len(fast) == 4
    for f, h in zip(fast, full):
        assert f.similarity == pytest.approx(h.similarity)
        assert f.metadata["video_id"] == h.metadata["video_id"]
        assert f.metadata["start"] == pytest.approx(h.metadata["start"], abs=5e-4)
        assert f.metadata["end"] == pytest.approx(h.metadata["end"], abs=5e-4)
    assert entry_fields("not-an-entry-id") is None
    assert small_store.query("transcript", q, 100, metadata=False)[-1].id  # n above the count is fine


def test_searcher_disk_cache_is_used_by_a_new_process_and_rebuilt_after_a_write(small_store, tmp_path, monkeypatch):
    from momentsearch.search.searcher import Searcher
    from momentsearch.store.store import Store

    cache = tmp_path / "cache"
    first = Searcher(small_store, FakeText(), cache_dir=str(cache)).search("roadmap", k=3)
    assert any(cache.glob("transcript-*/rows.json"))
    assert "roadmap" in first[0].text and first[0].channels.get("lexical", 0) > 0

    reads = []
    fresh = Store(small_store.client)
    original = fresh.iter_all
    monkeypatch.setattr(fresh, "iter_all", lambda name, **kw: reads.append(name) or original(name, **kw))
    again = Searcher(fresh, FakeText(), cache_dir=str(cache)).search("roadmap", k=3)
    assert "transcript" not in reads  # rows and BM25 came from the cache
    assert [(m.video_id, m.start, m.end, m.text) for m in again] == [(m.video_id, m.start, m.end, m.text)
                                                                     for m in first]

    _fill(small_store, "b" * 16, 4, path="/w.mp4")  # another "process" adds a video: a new cache key
    newer = Searcher(fresh, FakeText(), cache_dir=str(cache)).search("roadmap", k=5)
    assert "transcript" in reads
    assert {m.video_id for m in newer} == {"a" * 16, "b" * 16}
    assert len(list(cache.glob("transcript-*"))) == 1  # the old key was dropped


def test_searcher_sees_its_own_store_writes_at_once(small_store):
    from momentsearch.search.searcher import Searcher

    searcher = Searcher(small_store, FakeText())
    assert {m.video_id for m in searcher.search("roadmap", k=5)} == {"a" * 16}
    _fill(small_store, "c" * 16, 3, path="/x.mp4")  # inside CORPUS_RECHECK_SECONDS, through the same Store
    assert "c" * 16 in {m.video_id for m in searcher.search("roadmap", k=5)}


# -- device --------------------------------------------------------------------------------------
def test_asr_plan_uses_float16_on_cuda_and_each_device_its_own_batch():
    from momentsearch.models.asr import FasterWhisperASR
    from momentsearch.options import ASROptions

    assert FasterWhisperASR.plan("cpu", ASROptions(cpu_batch_size=8, batch_size=16)) == ("int8", 8)
    assert FasterWhisperASR.plan("cpu", ASROptions(cpu_batch_size=0)) == ("int8", 0)  # sequential
    assert FasterWhisperASR.plan("cpu", ASROptions(vad_filter=False)) == ("int8", 0)  # batching needs VAD
    assert FasterWhisperASR.plan("cuda", ASROptions()) == ("float16", 16)
    assert FasterWhisperASR.plan("cuda", ASROptions(vad_filter=False)) == ("float16", 0)  # batching needs VAD
    assert FasterWhisperASR.plan("cuda", ASROptions(batch_size=1)) == ("float16", 0)


def test_cuda_without_a_gpu_is_a_clear_error(tmp_path):
    import torch

    from momentsearch.errors import ModelUnavailableError
    from momentsearch.models.device import resolve_device

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    assert resolve_device("auto") == "cpu"
    with pytest.raises(ModelUnavailableError, match="no usable CUDA GPU"):
        resolve_device("cuda")
    video = tmp_path / "x.mp4"
    video.write_bytes(b"not a video")
    proc = run_cli("index", str(video), "--db", str(tmp_path / "db"), "--device", "cuda", "--quiet", check=False)
    assert proc.returncode == 2 and "no usable CUDA GPU" in proc.stderr and "Traceback" not in proc.stderr
