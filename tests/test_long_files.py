"""Long recordings: audio streamed in windows cut at pauses, progress inside a file, and a file killed
halfway resumed from its finished windows into the same index an uninterrupted run makes.

The 52 s test lecture stands in for a long one by using 15 s windows; scripts/bench_index.py --long
measures the real thing (3-hour lecture, memory, kill at 70 %)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from fakes import FakeClip, FakeText

WINDOW = 15.0  # seconds; the 52 s lecture makes 4 or 5 windows (each ends at a pause in its last 7.5 s)


class Killed(BaseException):
    """What a SIGKILL does to a run, as far as the disk can tell: it stops, nothing is cleaned up."""


class CountingASR:
    """A word for each loud 0.5 s of the audio (so the words depend on the samples, as Whisper's do);
    counts its calls and, with `kill_after`, dies on that call."""

    model_id = "fake:asr"

    def __init__(self, kill_after: int | None = None):
        self.calls, self.kill_after = 0, kill_after

    def transcribe(self, audio):
        from momentsearch.types import TranscriptSegment, Word

        self.calls += 1
        if self.kill_after is not None and self.calls > self.kill_after:
            raise Killed()
        half = 8000
        loud = [i for i in range(audio.size // half) if np.abs(audio[i * half:(i + 1) * half]).max() > 0.05]
        words = [Word(i * 0.5, i * 0.5 + 0.4, f"w{int(1000 * np.abs(audio[i * half:(i + 1) * half]).mean())}.")
                 for i in loud]
        return [TranscriptSegment(w.start, w.end, w.word, [w]) for w in words]


class CountingOcr:
    """A line per picture from its mean grey (so different slides read differently); counts the
    pictures it read and, with `kill_after`, dies after reading that many."""

    model_id = "fake:ocr"

    def __init__(self, kill_after: int | None = None):
        self.read_count, self.kill_after = 0, kill_after

    def load(self):
        return self

    def read(self, images):
        from momentsearch.models.ocr import OcrLine

        if self.kill_after is not None and self.read_count >= self.kill_after:
            raise Killed()
        self.read_count += len(images)
        return [[OcrLine(f"Slide {int(np.asarray(im).mean())} roadmap", 0.97, 40.0, 300.0, 10.0, 12.0,
                         np.asarray(im).shape[0])] for im in images]


def _indexer(db: Path, asr, clip=None, progress=None, partial=True, ocr=None):
    from momentsearch.options import Config
    from momentsearch.pipeline.indexer import Indexer
    from momentsearch.pipeline.partial import PARTIAL_DIRNAME
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    config = Config()
    config.models.ocr = False
    config.asr.window_seconds = WINDOW
    return Indexer(Store(make_client(str(db))), config, FakeText(), asr, clip or FakeClip(), progress, ocr=ocr,
                   partial_dir=db / PARTIAL_DIRNAME if partial else None)


def _contents(db: Path) -> dict:
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    store = Store(make_client(str(db)))
    out = {}
    for name in ("transcript", "keyframes", "unified", "ocr"):
        if store.collection(name, create=False) is None:
            continue
        got = store.collection(name).get(include=["documents", "metadatas", "embeddings"])
        order = np.argsort(got["ids"])
        out[name] = ([got["ids"][i] for i in order], [got["metadatas"][i] for i in order],
                     [got["documents"][i] for i in order], np.asarray(got["embeddings"])[order])
    return out


def test_audio_windows_cover_the_track_and_end_in_pauses(lecture):
    from momentsearch.pipeline.decode import iter_audio_windows, load_audio
    from momentsearch.types import SAMPLE_RATE

    path, _ = lecture
    whole = load_audio(path)
    windows = list(iter_audio_windows(path, WINDOW))
    assert len(windows) >= 4 and [w.index for w in windows] == list(range(len(windows)))
    assert np.array_equal(np.concatenate([w.samples for w in windows]), whole)  # nothing lost or repeated
    for a, b in zip(windows, windows[1:]):
        assert a.end == b.start and WINDOW / 2 <= a.end - a.start <= WINDOW
        cut = int(round(a.end * SAMPLE_RATE))
        assert np.abs(whole[cut - 800: cut + 800]).max() < 0.02  # 50 ms either side of the cut: a pause
    again = [(w.start, w.end) for w in iter_audio_windows(path, WINDOW)]
    assert again == [(w.start, w.end) for w in windows]  # the same cuts every run: resumes agree
    assert [w.end for w in iter_audio_windows(path, 0)] == [whole.size / SAMPLE_RATE]  # 0: one window


def whole_and_killed(path, tmp_path) -> tuple[Path, Path]:
    """An index of `path` built uninterrupted, and one whose run died transcribing the third window (two kept)."""
    whole, db = tmp_path / "whole", tmp_path / "killed"
    _indexer(whole, CountingASR()).index([str(path)])
    with pytest.raises(Killed):  # dies transcribing the third window; two are kept on disk
        _indexer(db, CountingASR(kill_after=2)).index([str(path)])
    return whole, db


def assert_same_index(whole: Path, db: Path) -> None:
    """Every collection of `db` holds what `whole`'s does: same ids (no duplicates, no orphans), rows, vectors."""
    assert _contents(db).keys() == _contents(whole).keys()
    for name, (ids, metas, docs, vectors) in _contents(whole).items():
        got = _contents(db)[name]
        assert got[0] == ids and got[1] == metas and got[2] == docs, name
        np.testing.assert_array_equal(got[3], vectors)


def _n_windows(path) -> int:
    from momentsearch.pipeline.decode import iter_audio_windows

    return sum(1 for _ in iter_audio_windows(path, WINDOW))


def test_progress_advances_inside_a_file_as_windows_finish(lecture, tmp_path):
    path, _ = lecture
    events = []
    report = _indexer(tmp_path / "db", CountingASR(), progress=events.append).index([str(path)])
    assert report.files[0].status == "indexed"
    media = [e for e in events if e.kind == "media"]
    assert len(media) == _n_windows(path) and all(e.path == str(path) for e in media)
    seconds = [e.media_seconds for e in media]
    assert seconds == sorted(seconds) and seconds[0] <= WINDOW < seconds[-1]
    duration = media[0].file_seconds
    assert duration > 50 and seconds[-1] == pytest.approx(duration, abs=0.1)
    kinds = [e.kind for e in events]
    assert kinds.index("file") < kinds.index("media") and kinds[-1] == "done"  # inside the file's events
    start = next(e for e in events if e.kind == "start")
    assert events[-1].media_seconds == start.media_seconds == duration


def test_a_killed_file_resumes_from_its_finished_windows_into_the_same_index(lecture, tmp_path):
    from momentsearch.pipeline.partial import PARTIAL_DIRNAME

    path, _ = lecture
    whole, db = whole_and_killed(path, tmp_path)
    kept = list((db / PARTIAL_DIRNAME).glob("*.jsonl"))
    assert len(kept) == 1 and len(kept[0].read_text().splitlines()) >= 3  # header + 2 windows (+ visual)
    with open(kept[0], "a") as f:
        f.write('{"kind": "window", "index": 2, "sta')  # a line the kill cut short is ignored

    asr, clip, events = CountingASR(), FakeClip(), []
    report = _indexer(db, asr, clip, events.append).index([str(path)])
    assert report.files[0].status == "indexed"
    assert report.files[0].reason.startswith("resumed: kept 2 audio windows (speech to 0:")  # said in the summary
    assert asr.calls == _n_windows(path) - 2  # only the windows the killed run had not finished
    media = [e.media_seconds for e in events if e.kind == "media"]
    assert len(media) == _n_windows(path) and media[1] > WINDOW / 2  # the kept windows count at once
    assert_same_index(whole, db)
    assert not list((db / PARTIAL_DIRNAME).iterdir())  # the kept work is gone once the file is in the store


def test_a_run_killed_while_reading_slides_keeps_what_it_read(lecture, tmp_path, monkeypatch):
    from momentsearch.pipeline import process, slide_reads

    monkeypatch.setattr(slide_reads, "READ_BATCH", 1)  # a picture per batch, as a long lecture's hundreds make
    path, _ = lecture
    whole = tmp_path / "whole"
    first = CountingOcr()
    _indexer(whole, CountingASR(), ocr=first).index([str(path)])
    assert first.read_count >= 3  # the lecture's slides

    db = tmp_path / "killed"
    with pytest.raises(Killed):  # the visual side dies after reading the first picture
        _indexer(db, CountingASR(), ocr=CountingOcr(kill_after=1)).index([str(path)])
    again, decoded = CountingOcr(), []
    real_frames = process.sample_frames
    monkeypatch.setattr(process, "sample_frames", lambda *a, **k: decoded.append(1) or real_frames(*a, **k))
    resumed = _indexer(db, CountingASR(), ocr=again).index([str(path)]).files[0].reason
    assert "resumed: kept " in resumed and "1 picture read" in resumed, resumed
    assert 0 < again.read_count < first.read_count  # only the pictures the killed run had not read
    assert not decoded  # and the video was not decoded and cut again: the segments and pictures were kept
    assert "ocr" in _contents(db)
    assert_same_index(whole, db)


def test_kept_work_of_other_models_is_not_used(lecture, tmp_path):
    from momentsearch.pipeline.partial import PARTIAL_DIRNAME

    path, _ = lecture
    db = tmp_path / "db"
    with pytest.raises(Killed):
        _indexer(db, CountingASR(kill_after=2)).index([str(path)])
    other = CountingASR()
    other.model_id = "fake:other-asr"
    _indexer(db, other).index([str(path)])
    assert other.calls == _n_windows(path)  # every window again: the kept ones came from another model
    assert not list((db / PARTIAL_DIRNAME).iterdir())


def test_progress_bar_counts_windows_and_never_passes_the_total():
    from momentsearch.cli.output import ProgressDisplay
    from momentsearch.pipeline.indexer import ProgressEvent

    display = ProgressDisplay(enabled=False)
    display(ProgressEvent("start", total_files=2, media_seconds=100.0))
    task = display.progress.tasks[1]
    display(ProgressEvent("file", path="a.mp4", index=0, total_files=2))
    display(ProgressEvent("media", path="a.mp4", media_seconds=30.0, file_seconds=60.0))
    assert task.completed == 30
    display(ProgressEvent("media", path="a.mp4", media_seconds=61.5, file_seconds=60.0))  # audio a bit longer
    assert task.completed == 60
    display(ProgressEvent("done", path="a.mp4", index=0, total_files=2, media_seconds=60.0))
    display(ProgressEvent("media", path="b.mp4", index=1, media_seconds=20.0, file_seconds=40.0))
    assert task.completed == 80
    display(ProgressEvent("done", path="b.mp4", index=1, total_files=2, media_seconds=40.0))
    assert task.completed == task.total == 100


def test_a_failure_loop_is_cut_and_a_repeated_lecture_sentence_is_kept():
    from momentsearch.models.asr import drop_hallucinations

    def seg(text, ratio):
        words = [{"start": 0.1 * i, "end": 0.1 * i + 0.08, "word": " " + w} for i, w in enumerate(text.split())]
        return {"text": text, "start": 0.0, "end": 0.1 * len(words), "compression_ratio": ratio, "words": words}

    said = "Remember that convolution slides a filter. Remember that convolution slides a filter."
    loop = "We will see an example of N M F L " + "F " * 30
    kept = drop_hallucinations([seg(said, 2.6), seg(loop, 3.5), seg("la la la la la la", 3.0)], duration=60.0)
    assert [s.text for s in kept] == [said, "We will see an example of N M F L"]  # batched chunks are 30 s long
    assert kept[1].end == pytest.approx(0.1 * 9 + 0.08) and len(kept[1].words) == 10


def test_kept_visual_side_and_windows_read_back_exactly(tmp_path):
    from momentsearch.pipeline.ocr import SlideText
    from momentsearch.pipeline.partial import PartialState, VisualResult
    from momentsearch.types import TranscriptSegment, VisualSegment, Word

    vectors = np.random.default_rng(0).normal(size=(2, 4)).astype(np.float32)
    visual = VisualResult([VisualSegment(0.0, 1.0 / 3, 0.2), VisualSegment(1.0 / 3, 70.1, 50.0, forced=True)],
                          vectors, [SlideText(0.0, 1.0 / 3, [("Roadmap", 1.0, "Road map"), ("Q1", 0.41, "")],
                                              {"roadmap": (0.75, 0.125), "q0": (0.5, 0.25)})])
    words = [Word(300.1 + 1e-9, 300.7, "hello", 0.93), Word(300.7, 301.2, "world.", 0.5)]
    state = PartialState(tmp_path, "vid", "fp1")
    state.add_window(1, 290.123456789, 580.5, [TranscriptSegment(300.1, 301.2, "hello world.", words)])
    picture = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    cut = [VisualSegment(0.0, 1.0 / 3, 0.2, picture, views=[VisualSegment(0.1, 1.0 / 3, 0.3, picture + 1)]),
           VisualSegment(1.0 / 3, 70.1, 50.0, None, forced=True)]
    state.set_detected(cut)
    back = PartialState(tmp_path, "vid", "fp1").detected
    assert [(s.start, s.end, s.keyframe_time, s.forced, len(s.views)) for s in back] == \
        [(s.start, s.end, s.keyframe_time, s.forced, len(s.views)) for s in cut]
    np.testing.assert_array_equal(back[0].keyframe, picture)
    np.testing.assert_array_equal(back[0].views[0].keyframe, picture + 1)
    assert back[1].keyframe is None and back[0].views[0].keyframe_time == 0.3
    state.set_visual(visual)

    again = PartialState(tmp_path, "vid", "fp1")
    assert again.detected is None  # the visual side is finished: its pictures are not loaded again
    assert again.windows[1] == (290.123456789, 580.5, [TranscriptSegment(300.1, 301.2, "hello world.", words)])
    assert [(s.start, s.end, s.keyframe_time, s.forced) for s in again.visual.segments] == \
        [(s.start, s.end, s.keyframe_time, s.forced) for s in visual.segments]
    np.testing.assert_array_equal(again.visual.vectors, vectors)
    assert again.visual.slides == visual.slides
    assert PartialState(tmp_path, "vid", "fp2").windows == {}  # other models or options: start afresh
    assert not list(tmp_path.iterdir())


_ARENAS_SCRIPT = """
import ctypes, sys, threading
if sys.argv[1] == "limit":
    from momentsearch.pipeline.memory import limit_malloc_arenas
    assert limit_malloc_arenas()
go = threading.Barrier(8)
def work():
    go.wait()
    junk = [bytearray(200) for _ in range(20000)]  # eight threads allocating at once
    go.wait()
threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
ctypes.CDLL("libc.so.6").malloc_stats()  # one "Arena N:" block per malloc arena, on stderr
"""


@pytest.mark.skipif(not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc", reason="malloc arenas and mallopt are glibc's; other C libraries allocate differently")
def test_a_resumed_note_says_no_speech_for_kept_windows_of_silence(tmp_path):
    """A recording started 15 minutes early, killed in that silent stretch: the re-run's summary said
    "resumed: kept 3 audio windows (speech to 13:30)" of windows in which nobody had said a word."""
    from momentsearch.pipeline.partial import PartialState
    from momentsearch.types import TranscriptSegment

    state = PartialState(tmp_path, "vid", "fp")
    for i in range(3):
        state.add_window(i, i * 270.2, (i + 1) * 270.2, [])
    assert PartialState(tmp_path, "vid", "fp").resumed_note() == (
        "resumed: kept 3 audio windows (audio, no speech in it, to 13:30)")
    state.add_window(3, 810.6, 1080.8, [TranscriptSegment(900.0, 905.0, "Good morning everyone.", [])])
    assert "(speech to 18:00)" in PartialState(tmp_path, "vid", "fp").resumed_note()


def test_indexing_caps_malloc_arenas():
    """Threads allocating side by side get their own glibc arenas unless capped; the indexer caps them
    (a long file's resident size crept up window by window without it)."""
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])

    def arenas(mode):
        run = subprocess.run([sys.executable, "-c", _ARENAS_SCRIPT, mode], env=env, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        return sum(line.startswith("Arena ") for line in run.stderr.splitlines())

    assert arenas("free") > 2
    assert arenas("limit") == 2


def test_speech_the_batched_pass_lost_or_doubted_is_decoded_again():
    """A batched segment under whisper's fallback log-probability is dropped and its span decoded again,
    so is speech (VAD) that no word covers; spans close together are decoded as one, padded a little."""
    from momentsearch.models.asr_repair import PAD, spans_to_redo

    def seg(start, end, logprob, words):
        return {"start": start, "end": end, "avg_logprob": logprob,
                "words": [{"start": t, "end": t + 0.3, "word": " w"} for t in words]}

    invented = seg(0.0, 12.7, -1.96, [0.5, 3.0, 6.0])  # "The first place is the first place." for 30 s of talk
    good = seg(26.6, 29.0, -0.3, [26.7, 27.5, 28.3])
    speech = [(0.0, 3.9), (3.9, 8.3), (8.3, 12.7), (12.7, 14.0), (14.0, 16.0), (16.0, 19.9), (19.9, 25.9),
              (26.1, 29.5), (29.6, 29.9)]  # the last region, 0.3 s, is too short to count as lost
    asked = []

    def find_speech(lo, hi):  # voice activity in [lo, hi], as the VAD would find it
        asked.append((lo, hi))
        return [(max(a, lo), min(b, hi)) for a, b in speech if b > lo and a < hi]

    keep, spans = spans_to_redo([invented, good], 30.0, find_speech)
    assert keep == [False, True]
    assert spans == [(0.0, 25.9 + PAD)]  # the doubted segment and the lost regions after it, as one span
    assert asked == [(0.0, 26.7)]  # only the stretch with no word heard was looked at again
    asked.clear()
    heard = seg(0.0, 26.0, -0.4, [0.5 + 2.5 * i for i in range(11)])  # words every 2.5 s up to 25.5 s
    keep, spans = spans_to_redo([heard, good], 30.0, find_speech)
    assert keep == [True, True] and spans == [] and asked == []  # words all along: no second look
    keep, spans = spans_to_redo([invented, good], 30.0, find_speech, final=lambda s: s is invented)
    assert keep == [True, True]  # decoded one at a time already: kept, never decoded a third time
    # doubted but as dense as speech (10 words in 3.1 s): kept, decoded again it came out worse
    dense = seg(0.0, 3.1, -1.15, [0.3 * i for i in range(10)])
    assert spans_to_redo([dense], 3.1, lambda lo, hi: [(0.0, 3.1)]) == ([True], [])


class FailingASR:
    """Breaks on the file (as a re-index with a bad option does)."""

    model_id = "counting:asr"

    def transcribe(self, audio):
        raise ValueError("beam_size must be > 0")


def test_a_re_index_that_fails_keeps_the_entries_of_the_file_and_of_its_copies(lecture, tmp_path):
    """A re-index took the file's entries out before processing it: when processing then failed, the file
    and every copy sharing its content (their records still complete) were left with nothing to find."""
    import shutil

    path, _ = lecture
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    shutil.copy(path, first / "talk.mp4")
    shutil.copy(path, second / "talk.mp4")
    db = tmp_path / "db"
    _indexer(db, CountingASR()).index([str(first), str(second)])
    before = _contents(db)
    assert before["transcript"][0] and before["keyframes"][0]
    report = _indexer(db, FailingASR()).index([str(first)], reindex=True)
    assert report.files[0].status == "failed" and "beam_size" in report.files[0].reason
    after = _contents(db)
    for name, (ids, metas, docs, _) in before.items():
        assert after[name][0] == ids and after[name][2] == docs, name  # nothing taken out
    report = _indexer(db, CountingASR()).index([str(second)])
    assert report.files[0].status == "unchanged"  # the copy was never touched


class MissingWeightsASR:
    """An engine whose weights are not on this machine: found out when the first window is transcribed."""

    model_id = "openai-whisper:base"

    def transcribe(self, audio):
        from momentsearch.errors import ModelUnavailableError

        raise ModelUnavailableError("openai-whisper weights 'base' are not at ~/.cache/whisper/base.pt")


def test_a_new_file_that_fails_leaves_no_record_entries_or_kept_work(lecture, tmp_path):
    """A file's record is written incomplete before its processing: when processing then failed (a model
    breaking on it, or weights missing, which stops the batch), the record stayed, listed by `info` as
    "incomplete: re-run index" with the failed engine as its model. A killed run still resumes (above)."""
    from momentsearch.errors import ModelUnavailableError
    from momentsearch.pipeline.partial import PARTIAL_DIRNAME
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    path, _ = lecture
    db = tmp_path / "db"

    def left_behind():
        kept = list((db / PARTIAL_DIRNAME).iterdir()) if (db / PARTIAL_DIRNAME).is_dir() else []
        entries = {name: got[0] for name, got in _contents(db).items() if got[0]}
        return Store(make_client(str(db))).files(), entries, kept

    report = _indexer(db, FailingASR()).index([str(path)])
    assert report.files[0].status == "failed" and "beam_size" in report.files[0].reason
    assert left_behind() == ([], {}, [])
    with pytest.raises(ModelUnavailableError):  # index-wide: the batch stops, and leaves nothing half-done
        _indexer(db, MissingWeightsASR()).index([str(path)])
    assert left_behind() == ([], {}, [])
    report = _indexer(db, CountingASR()).index([str(path)])  # the next run that works indexes it whole
    assert report.files[0].status == "indexed"
    records, entries, kept = left_behind()
    assert [r.complete for r in records] == [True] and entries["transcript"] and not kept


def test_a_clause_repeated_three_times_running_is_a_failure_loop_and_said_twice_is_speech():
    # Whisper over strongly accented speech (espeak-ng's Polish voice reading English) looped on a
    # seven-word clause about thirty times; a lecturer repeats a sentence twice for emphasis
    from momentsearch.models.asr import failure_loop

    clause = "but we've been in the mask control,".split()
    heard = "So don't I met Alka,".split() + clause * 30
    assert failure_loop(heard, 4.1) == 5
    twice = "Remember that convolution slides a filter over the image.".split() * 2
    assert failure_loop(twice, 2.6) is None
    assert failure_loop(twice + ["And", "then", "we", "pool."], 1.9) is None
