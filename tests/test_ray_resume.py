"""A batch on Ray resumes a killed file as a local run does, and shows progress within a file.

The worker is the real FileWorker (its processor built from fake models, so nothing loads); Ray is faked as in
test_ray.py (results computed at submit time) and the workers' progress queue is a list."""

from __future__ import annotations

import os
from collections import deque

import pytest
from test_long_files import WINDOW, CountingASR, _indexer, _n_windows, assert_same_index, whole_and_killed
from test_ray import FakeRay

from momentsearch.pipeline.partial import PARTIAL_DIRNAME
from momentsearch.pipeline.ray import FileWorker, RayIndexer
from momentsearch.types import MediaInfo


class ListQueue:
    """ray.util.queue.Queue's surface that the worker and the driver use."""

    def __init__(self) -> None:
        self.items: list = []

    def put_nowait(self, item) -> None:
        self.items.append(item)

    def qsize(self) -> int:
        return len(self.items)

    def get_nowait_batch(self, count: int) -> list:
        out, self.items = self.items[:count], self.items[count:]
        return out


def _worker(processor) -> FileWorker:
    worker = FileWorker.__new__(FileWorker)  # the processor is given, not built from the config's models
    worker.processor, worker.name = processor, "node1:7"
    return worker


class WorkerActor:
    """A FileWorker behind FakeRay: `process.remote(...)` runs the file at once."""

    def __init__(self, ray: FakeRay, worker: FileWorker) -> None:
        self.process = type("Method", (), {"remote": staticmethod(lambda *args: ray.submit(worker.process(*args)))})


class FakeRayIndexer(RayIndexer):
    """The real driver (`_keep`, `_schedule`, `_commit`) with one real worker and no cluster."""

    def __init__(self, indexer, asr) -> None:
        super().__init__(indexer)
        self.asr, self.queue = asr, ListQueue()

    def _run(self, remote, infos, order, total):
        ray = FakeRay()
        actor = WorkerActor(ray, _worker(self.indexer.processor()))
        self._schedule(ray, [actor], deque(remote), infos, order, total, self._keep(), self.queue)


def test_a_file_killed_during_a_local_run_resumes_on_a_ray_worker_into_the_same_index(lecture, tmp_path):
    """Kept work was used by local runs only: a file killed at 70 % of three hours was transcribed again from
    its first second on Ray, and its bar stood still until the whole file was done."""
    path, _ = lecture
    whole, db = whole_and_killed(path, tmp_path)

    asr, events = CountingASR(), []
    report = FakeRayIndexer(_indexer(db, asr, progress=events.append), asr).index([str(path)])
    assert report.files[0].status == "indexed", report.files[0].reason
    assert report.files[0].reason.startswith("resumed: kept 2 audio windows (speech to 0:")
    assert asr.calls == _n_windows(path) - 2  # only the windows the killed run had not finished
    media = [e for e in events if e.kind == "media"]
    assert len(media) == _n_windows(path) and all(e.path == str(path) for e in media)
    assert media[-1].file_seconds > WINDOW and media[-1].media_seconds == pytest.approx(media[-1].file_seconds, abs=0.1)
    assert_same_index(whole, db)
    assert not list((db / PARTIAL_DIRNAME).iterdir())  # the driver drops the kept work once the entries are in
    assert [e.status for e in events if e.kind == "done"] == ["indexed"]
    again = []  # unchanged now: its "done" says so, so the bar takes its seconds out of the total (no instant ETA)
    FakeRayIndexer(_indexer(db, asr, progress=again.append), asr).index([str(path)])
    assert [e.status for e in again if e.kind == "done"] == ["unchanged"]


def test_a_worker_keeps_work_only_where_it_sees_the_folder_and_drops_it_when_the_file_fails(lecture, tmp_path):
    path, _ = lecture
    info = MediaInfo(str(path), duration=52.0, has_video=True, has_audio=True)
    seen = []

    class Processor:
        config = _indexer(tmp_path / "db", CountingASR()).config

        def process_video(self, path, info, video_id, partial, on_media):
            seen.append(partial)
            partial.add_window(0, 0.0, WINDOW, [])
            raise RuntimeError("codec exploded")

    folder = tmp_path / "kept"
    folder.mkdir()
    failed = _worker(Processor()).process(str(path), info, (str(folder), "fp"), None)
    assert failed.entries is None and "codec exploded" in failed.reason
    assert seen[0] is not None and not os.listdir(folder)  # a file that fails starts afresh next time

    class Elsewhere(Processor):
        def process_video(self, path, info, video_id, partial, on_media):
            seen.append(partial)
            raise RuntimeError("stop here")

    _worker(Elsewhere()).process(str(path), info, (str(tmp_path / "not-on-this-node"), "fp"), None)
    assert seen[-1] is None and not (tmp_path / "not-on-this-node").exists()  # never made on a node without it


def test_progress_from_workers_names_only_files_still_running():
    """A window's progress that arrives after its file's result (or of a file never sent) moves no bar."""
    events = []
    from momentsearch.options import load_config
    from momentsearch.pipeline.indexer import Indexer

    indexer = RayIndexer(Indexer(store=None, config=load_config(), text_embedder=None, asr=None,
                                 progress=events.append, ocr=None))
    queue = ListQueue()
    for item in [("a.mp4", 30.0), ("b.mp4", 12.5), ("gone.mp4", 5.0)]:
        queue.put_nowait(item)
    infos = {p: MediaInfo(p, duration=60.0, has_video=True, has_audio=True) for p in ("a.mp4", "b.mp4", "gone.mp4")}
    indexer._within_files(queue, {"a.mp4", "b.mp4"}, infos, {"a.mp4": 0, "b.mp4": 1, "gone.mp4": 2}, 3)
    assert [(e.kind, e.path, e.media_seconds, e.file_seconds) for e in events] == [
        ("media", "a.mp4", 30.0, 60.0), ("media", "b.mp4", 12.5, 60.0)]
    assert queue.qsize() == 0


def test_the_media_bar_adds_up_files_running_at_once():
    """Two workers each report their own file: the bar showed the last reporter's seconds alone, jumping back
    and forth between the two (it took the batch for one file at a time)."""
    from momentsearch.cli.output import ProgressDisplay
    from momentsearch.types import ProgressEvent

    display = ProgressDisplay(enabled=False)
    display(ProgressEvent("start", total_files=2, media_seconds=100.0))
    task = display.progress.tasks[1]
    display(ProgressEvent("file", path="a.mp4", index=0, total_files=2))
    display(ProgressEvent("file", path="b.mp4", index=1, total_files=2))
    display(ProgressEvent("media", path="a.mp4", media_seconds=30.0, file_seconds=60.0))
    display(ProgressEvent("media", path="b.mp4", media_seconds=10.0, file_seconds=40.0))
    assert task.completed == 40
    display(ProgressEvent("media", path="a.mp4", media_seconds=45.0, file_seconds=60.0))
    assert task.completed == 55
    display(ProgressEvent("done", path="b.mp4", index=1, total_files=2, media_seconds=40.0))
    assert task.completed == 85  # b whole, a as far as it got
    display(ProgressEvent("done", path="a.mp4", index=0, total_files=2, media_seconds=60.0))
    assert task.completed == task.total == 100
