"""`momentsearch index --ray`: files processed by Ray worker actors on a local cluster, written by
the driver. The index must equal the one built without Ray; a re-run resumes from per-file state;
a worker that dies turns into a named failure in the summary, and the batch goes on.

One real Ray run (2 actors on a local cluster started by the CLI); the driver's resume and
failure handling are tested with fake workers, which need no cluster and load no models."""

from __future__ import annotations

import json
import os
import shutil
from collections import deque
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import TINY_CLIP_ARGS, run_cli
from fakes import in_process_ray

from momentsearch.options import load_config
from momentsearch.pipeline.indexer import Indexer
from momentsearch.pipeline.ray import RayIndexer, WorkResult
from momentsearch.types import MediaInfo

# keep Ray local, quiet and small on a 2-core CI machine
RAY_ENV = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_ADDRESS": "", "RAY_DEDUP_LOGS": "0"}


def _needs_ray():
    return pytest.importorskip("ray", reason="Ray is not installed (scripts/setup.sh installs the distributed extra)")


@pytest.fixture(scope="module")
def video_folder(second_lecture, tmp_path_factory):
    """Two small generated lectures in a folder tree."""
    from momentsearch.testing.synth import Section, render_lecture

    folder = tmp_path_factory.mktemp("ray-videos")
    shutil.copy(second_lecture[0], folder / "databases.mp4")
    (folder / "sub").mkdir()
    render_lecture(folder / "sub" / "chemistry.mp4", [
        Section("Boiling Points", "Water boils at one hundred degrees Celsius at sea level. On a mountain the air "
                "pressure is lower, so water boils at a lower temperature.", ["Sea level: 100 C", "Mountains: lower"]),
    ], size=(320, 180), fps=5)
    return folder


@pytest.fixture(scope="module")
def local_index(video_folder, tmp_path_factory):
    db = tmp_path_factory.mktemp("ray-reference-db")
    # one model thread, as each Ray worker gets (cpus_per_worker = 1): results then cannot differ by
    # floating-point summation order, only by what Ray changes
    run_cli("index", str(video_folder), "--db", str(db), *TINY_CLIP_ARGS, "--quiet", env={"MOMENTSEARCH_THREADS": "1"})
    return db


def _rows(db) -> dict[str, dict[str, tuple]]:
    """collection -> id -> (document, metadata, vector) of a whole index."""
    import chromadb
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()  # chromadb caches one system per path: see what the CLI wrote since
    client = chromadb.PersistentClient(str(db))
    out = {}
    for col in client.list_collections():
        got = client.get_collection(col.name).get(include=["documents", "metadatas", "embeddings"])
        out[col.name] = {i: (d, m, np.asarray(e)) for i, d, m, e in
                         zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"])}
    return out


def _assert_same_index(a, b) -> None:
    rows_a, rows_b = _rows(a), _rows(b)
    assert set(rows_a) == set(rows_b) and {"ms_files", "ms_transcript", "ms_keyframes", "ms_unified"} <= set(rows_a)
    for name in rows_a:
        assert rows_a[name].keys() == rows_b[name].keys(), name  # same ids, so the same counts
        for key, (doc, meta, vec) in rows_a[name].items():
            other = rows_b[name][key]
            assert (doc, meta) == (other[0], other[1]), (name, key, (doc, meta), other[:2])
            assert np.allclose(vec, other[2], atol=1e-4), (name, key)


def test_ray_index_equals_local_index(video_folder, local_index, tmp_path):
    _needs_ray()
    db = tmp_path / "ray-db"
    proc = run_cli("index", str(video_folder), "--db", str(db), *TINY_CLIP_ARGS, "--quiet", "--json",
                   "--ray", "--ray-workers", "2", env=RAY_ENV)
    out = json.loads(proc.stdout)
    assert sorted(f["status"] for f in out["files"]) == ["indexed", "indexed"]
    assert [f["path"] for f in out["files"]] == sorted(f["path"] for f in out["files"])  # input order, not finish order
    ray = out["ray"]
    assert ray["workers"] == 2 and ray["nodes"] == 1 and sum(ray["per_worker"].values()) == 2
    assert ray["media_seconds"] == pytest.approx(sum(f["duration"] for f in out["files"]), abs=0.01)
    assert {"asr", "text embedding", "store"} <= set(out["times"])  # stage times came back from the workers
    _assert_same_index(local_index, db)


def _entries_from(db, record):
    """What a worker would send back for `record`'s file: its rows, read from a finished index."""
    import chromadb
    from chromadb.api.client import SharedSystemClient

    from momentsearch.pipeline.process import FileEntries

    SharedSystemClient.clear_system_cache()
    client = chromadb.PersistentClient(str(db))
    # everything a worker's FileProcessor puts in FileEntries that the driver copies into the file
    # record (Indexer._write): sections, sources and language too, not only channels and segments
    entries = FileEntries(path=record.path, video_id=record.video_id, duration=record.duration,
                          channels=list(record.channels), visual_segments=list(record.visual_segments),
                          sections=list(record.sections), kind=record.kind, sources=dict(record.sources),
                          language=record.language)
    for col in client.list_collections():
        if col.name == "ms_files":
            continue
        got = client.get_collection(col.name).get(where={"video_id": record.video_id},
                                                  include=["documents", "metadatas", "embeddings"])
        if got["ids"]:
            entries.add(col.name[len("ms_"):], list(got["ids"]), np.asarray(got["embeddings"], dtype=np.float32),
                        list(got["metadatas"]), list(got["documents"]))
    return entries


@pytest.mark.filterwarnings("ignore:Could not reconstruct embedding function")
def test_rerun_after_a_crash_resumes_from_per_file_state(video_folder, local_index, tmp_path):
    """The driver's side of a resume, with the worker faked by entries from the finished local index:
    complete files stay on the driver ("unchanged"), the unfinished one goes to a worker, and its
    partial leftovers are replaced, so the index ends up equal to the local one."""
    from chromadb.api.client import SharedSystemClient

    from momentsearch.api import MomentIndex
    from momentsearch.cli.args import build_parser
    from momentsearch.cli.main import _config
    from momentsearch.pipeline.indexer import Indexer
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    db = tmp_path / "crashed-db"
    shutil.copytree(local_index, db)
    SharedSystemClient.clear_system_cache()
    store = Store(make_client(str(db)))
    records = {Path(r.path).name: r for r in store.files()}
    crashed = records["chemistry.mp4"]
    crashed.complete = False  # the record went in, then the process died while writing entries
    store.put_file(crashed)
    store.delete_video(crashed.video_id, names=("transcript",))
    dim = len(store.collection("keyframes").get(limit=1, include=["embeddings"])["embeddings"][0])
    store.upsert("keyframes", [f"{crashed.video_id}:keyframe:leftover"], np.ones((1, dim), np.float32),
                 [{"video_id": crashed.video_id, "video": crashed.path, "start": 0.0, "end": 1.0, "kind": "keyframe"}])
    sent: list[str] = []

    class FakeWorkersIndexer(RayIndexer):
        def _run(self, remote, infos, order, total):
            ray = FakeRay()
            worker = FakeActor(ray, lambda path: WorkResult(path, os.stat(path).st_size, os.stat(path).st_mtime,
                                                            _entries_from(local_index, records[Path(path).name])))
            self._schedule(ray, [worker], deque(remote), infos, order, total)
            sent.extend(worker.calls)

    args = build_parser().parse_args(["index", str(video_folder), *TINY_CLIP_ARGS])
    index = MomentIndex(str(db), _config(args), store=store)
    indexer = Indexer(store, index.config, index.text_embedder, index.asr, index.clip)
    report = FakeWorkersIndexer(indexer).index([str(video_folder)])
    assert {Path(f.path).name: f.status for f in report.files} == {"databases.mp4": "unchanged",
                                                                   "chemistry.mp4": "indexed"}
    assert [Path(p).name for p in sent] == ["chemistry.mp4"]
    del store, index
    _assert_same_index(local_index, db)  # leftovers gone, missing rows back, record complete


def test_indexing_a_folder_again_through_ray_says_which_of_its_files_are_gone(video_folder, local_index, tmp_path):
    """As without Ray: a file of the folder deleted since it was indexed is named in a warning (the
    files still there are unchanged, so nothing goes to a worker and no cluster starts)."""
    from chromadb.api.client import SharedSystemClient

    from momentsearch.api import MomentIndex
    from momentsearch.cli.args import build_parser
    from momentsearch.cli.main import _config
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store
    from momentsearch.types import FileRecord

    db = tmp_path / "db"
    shutil.copytree(local_index, db)
    SharedSystemClient.clear_system_cache()
    store = Store(make_client(str(db)))
    store.put_file(FileRecord(path=str(video_folder / "deleted.mp4"), video_id="0123456789abcdef", size=1,
                              mtime=0.0, complete=True))
    index = MomentIndex(str(db), _config(build_parser().parse_args(["index", str(video_folder), *TINY_CLIP_ARGS])),
                        store=store)
    events = []
    indexer = Indexer(store, index.config, index.text_embedder, index.asr, index.clip, progress=events.append)
    report = RayIndexer(indexer).index([str(video_folder)])
    assert {f.status for f in report.files} == {"unchanged"}
    start = next(e for e in events if e.kind == "start")  # an unchanged file's "done" counts its seconds too
    assert sum(e.media_seconds for e in events if e.kind == "done") == pytest.approx(start.media_seconds)
    assert start.media_seconds > 0
    gone = [w for w in report.warnings if "no longer exist" in w]
    assert len(gone) == 1 and "deleted.mp4" in gone[0], report.warnings


@pytest.mark.filterwarnings("ignore:Could not reconstruct embedding function")
def test_bytes_the_index_holds_never_go_to_a_worker(video_folder, local_index, tmp_path):
    """As without Ray: a file touched since it was indexed (its bytes the same) is hashed on the driver and its
    record takes the new time, and a copy of an indexed file shares its entries; both were sent to a worker
    and transcribed again. Nothing is sent here, so no cluster starts."""
    from chromadb.api.client import SharedSystemClient

    from momentsearch.api import MomentIndex
    from momentsearch.cli.args import build_parser
    from momentsearch.cli.main import _config
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    db = tmp_path / "db"
    shutil.copytree(local_index, db)
    SharedSystemClient.clear_system_cache()
    store = Store(make_client(str(db)))
    index = MomentIndex(str(db), _config(build_parser().parse_args(["index", str(video_folder), *TINY_CLIP_ARGS])),
                        store=store)
    sent: list[str] = []

    class NoWorkers(RayIndexer):
        def _run(self, remote, infos, order, total):
            sent.extend(remote)

    talk, copy = video_folder / "databases.mp4", tmp_path / "copy of databases.mp4"
    shutil.copy(talk, copy)
    st = talk.stat()
    os.utime(talk, ns=(st.st_atime_ns, st.st_mtime_ns + 5 * 10**9))  # `touch`: the same bytes, a new time
    try:
        indexer = Indexer(store, index.config, index.text_embedder, index.asr, index.clip)
        report = NoWorkers(indexer).index([str(talk), str(copy)])
        assert store.get_file(str(talk)).mtime == talk.stat().st_mtime
    finally:
        os.utime(talk, ns=(st.st_atime_ns, st.st_mtime_ns))  # the other tests' local index holds this time
    assert sent == []
    files = {Path(f.path).name: (f.status, f.reason) for f in report.files}
    assert files["databases.mp4"] == ("unchanged", "same content (its modified time changed): nothing redone")
    assert files["copy of databases.mp4"] == ("indexed", f"same content as {talk}: its entries are shared, nothing redone")


@pytest.mark.filterwarnings("ignore:Could not reconstruct embedding function")
def test_copies_in_one_batch_go_to_a_worker_once(video_folder, tmp_path):
    """Two copies of a new lecture in one batch were both sent to workers and transcribed twice; now one
    goes, and the other shares its entries after it, as without Ray (here the 'worker' runs in-process)."""
    from momentsearch.api import MomentIndex
    from momentsearch.cli.args import build_parser
    from momentsearch.cli.main import _config

    folder = tmp_path / "talks"
    folder.mkdir()
    for name in ("monday.mp4", "monday (copy).mp4"):
        shutil.copy(video_folder / "databases.mp4", folder / name)
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    store = Store(make_client(str(tmp_path / "db"), create=True))
    index = MomentIndex(str(tmp_path / "db"), _config(build_parser().parse_args(["index", str(folder), *TINY_CLIP_ARGS])),
                        store=store)
    sent: list[str] = []

    InProcessWorkers = in_process_ray(sent)

    indexer = Indexer(store, index.config, index.text_embedder, index.asr, index.clip)
    from momentsearch.pipeline import discover

    hashed: list[str] = []
    real_hash = discover.content_hash
    discover._hash_of_state.cache_clear()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(discover, "content_hash", lambda path: hashed.append(Path(path).name) or real_hash(path))
        report = InProcessWorkers(indexer).index([str(folder)])
    assert len(sent) == 1
    # the driver hashed the two same-size files to send one; indexing them did not read them again
    assert sorted(hashed) == ["monday (copy).mp4", "monday.mp4"]
    files = {Path(f.path).name: (f.status, f.reason) for f in report.files}
    other = "monday (copy).mp4" if Path(sent[0]).name == "monday.mp4" else "monday.mp4"
    assert files[Path(sent[0]).name][0] == "indexed"
    assert files[other] == ("indexed", f"same content as {sent[0]}: its entries are shared, nothing redone")


# -- failures flowing back to the driver, with fakes for Ray (no cluster needed) --------------------

class _RayActorError(Exception):
    pass


class FakeRay:
    """Just enough of the ray module for RayIndexer._schedule: results are computed at submit time."""

    exceptions = SimpleNamespace(RayActorError=_RayActorError, RayError=Exception)

    def __init__(self) -> None:
        self.results: dict[int, object] = {}

    def submit(self, outcome) -> int:
        ref = len(self.results) + 1
        self.results[ref] = outcome
        return ref

    def wait(self, refs, num_returns=1, timeout=None):
        return sorted(refs)[:num_returns], sorted(refs)[num_returns:]

    def get(self, ref):
        value = self.results[ref]
        if isinstance(value, Exception):
            raise value
        return value


class FakeActor:
    def __init__(self, ray: FakeRay, behaviour) -> None:
        self.calls: list[str] = []
        self.process = SimpleNamespace(remote=lambda path, *args: ray.submit(self._run(behaviour, path)))

    def _run(self, behaviour, path):
        self.calls.append(path)
        return behaviour(path)


def _indexer():
    events = []
    indexer = RayIndexer(Indexer(store=None, config=load_config(), text_embedder=None, asr=None,
                                 progress=events.append, ocr=None))
    return indexer, events


def _run_schedule(indexer, ray, actors, paths):
    infos = {p: MediaInfo(p, duration=10.0, has_video=True, has_audio=True) for p in paths}
    indexer._schedule(ray, actors, deque(paths), infos, {p: i for i, p in enumerate(paths)}, len(paths))
    return indexer._remote_results


def test_a_dead_worker_fails_its_file_and_the_others_go_on():
    ray = FakeRay()
    dies = FakeActor(ray, lambda path: _RayActorError("The actor died unexpectedly.\nworker OOM"))
    bad_input = FakeActor(ray, lambda path: WorkResult(path, reason="no audio or video stream"))
    indexer, events = _indexer()
    results = _run_schedule(indexer, ray, [dies, bad_input], ["a.mp4", "b.mp4", "c.mp4", "d.mp4", "e.mp4"])
    assert set(results) == {"a.mp4", "b.mp4", "c.mp4", "d.mp4", "e.mp4"}
    assert all(r.status == "failed" for r in results.values())
    died = [p for p, r in results.items() if r.reason.startswith("Ray worker failed")]
    assert died and all("worker OOM" in results[p].reason for p in died)  # the last line of Ray's message
    assert len(dies.calls) == len(died)  # a dead actor gets no new files...
    assert len(bad_input.calls) == 5 - len(died)  # ...the live one takes the rest
    assert all(results[p].reason == "no audio or video stream" for p in bad_input.calls)
    assert sorted(e.path for e in events if e.kind == "done") == sorted(results)


def test_when_every_worker_dies_the_rest_are_reported_not_lost():
    ray = FakeRay()
    actor = FakeActor(ray, lambda path: _RayActorError("cannot load faster-whisper model"))
    indexer, events = _indexer()
    results = _run_schedule(indexer, ray, [actor], ["a.mp4", "b.mp4", "c.mp4", "d.mp4"])
    assert len(actor.calls) == 2  # two in flight when it died, nothing sent after
    assert {p for p, r in results.items() if "cannot load faster-whisper model" in r.reason} == set(actor.calls)
    left = set(results) - set(actor.calls)
    assert left == {"c.mp4", "d.mp4"} and all(results[p].reason == "no Ray worker left running" for p in left)
    assert len([e for e in events if e.kind == "done"]) == 4


def test_worker_turns_file_errors_into_reasons(tmp_path):
    from momentsearch.pipeline.ray import FileWorker

    worker = FileWorker.__new__(FileWorker)  # without loading models: the processor is a fake
    worker.name = "node1:42"

    def explode(path, info, video_id, *kept):
        raise RuntimeError("codec exploded")

    from momentsearch.options import Config

    worker.processor = SimpleNamespace(process_video=explode, config=Config())
    info = MediaInfo("x", duration=5.0, has_video=True, has_audio=True)
    missing = worker.process(str(tmp_path / "missing.mp4"), info)
    assert missing.entries is None and "not found on worker node1:42" in missing.reason
    odd = tmp_path / "odd.mp4"
    odd.write_bytes(b"not really a video")
    crashed = worker.process(str(odd), info)
    assert crashed.entries is None and crashed.reason == "could not be processed (RuntimeError: codec exploded)"


def test_an_address_where_no_ray_head_answers_is_a_clear_error_at_once():
    """Ray retries an address where nothing listens for minutes, printing only its own warnings; the
    indexer says what is wrong before handing it to Ray."""
    import socket
    import time

    from momentsearch.errors import MomentSearchError
    from momentsearch.pipeline.ray import _check_reachable

    with socket.socket() as s:  # a port that was free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.monotonic()
    for address in (f"127.0.0.1:{port}", f"ray://127.0.0.1:{port}"):
        with pytest.raises(MomentSearchError, match=f"nothing answers at 127.0.0.1:{port}"):
            _check_reachable(address)
    assert time.monotonic() - started < 5.0
    with socket.socket() as s:  # something listening: left to Ray
        s.bind(("127.0.0.1", 0))
        s.listen()
        _check_reachable(f"127.0.0.1:{s.getsockname()[1]}")
    _check_reachable("auto")


def test_done_events_carry_each_files_duration_whatever_became_of_it():
    """ProgressEvent's contract: "done" says the file's whole probed duration, failed or not, so the media bar
    ends at its total and its ETA counts them; a failed or never-sent file said 0 s, and the bar of a Ray run
    with one stopped short of its total."""
    ray = FakeRay()
    dies = FakeActor(ray, lambda path: _RayActorError("The actor died unexpectedly."))
    indexer, events = _indexer()
    results = _run_schedule(indexer, ray, [dies], ["a.mp4", "b.mp4", "c.mp4"])
    assert {r.reason for r in results.values()} == {"Ray worker failed: The actor died unexpectedly.",
                                                     "no Ray worker left running"}
    done = {e.path: e.media_seconds for e in events if e.kind == "done"}
    assert done == {"a.mp4": 10.0, "b.mp4": 10.0, "c.mp4": 10.0}


def test_starting_ray_leaves_the_callers_sigterm_handler_in_place():
    """ray.init installs its own SIGTERM handling (and its core a stack dump and abort): `kill` on a Ray run printed
    '*** SIGTERM received ... PC: @ ...' and the process aborted, instead of ending as the CLI ends a killed run."""
    import signal

    def callers(signum, frame):
        pass

    class StartsRay:
        def is_initialized(self):
            return False

        def init(self, address=None, **kwargs):
            signal.signal(signal.SIGTERM, lambda signum, frame: None)  # as ray.init does

    before = signal.signal(signal.SIGTERM, callers)
    try:
        assert RayIndexer(Indexer(store=None, config=load_config(), text_embedder=None, asr=None, ocr=None),
                          address="local")._connect(StartsRay()) is True
        assert signal.getsignal(signal.SIGTERM) is callers
    finally:
        signal.signal(signal.SIGTERM, before)


def test_a_path_given_right_after_ray_is_refused_not_taken_for_its_address(tmp_path, monkeypatch, capsys):
    """docs/deploy.md: put --ray after the paths, otherwise argparse takes the first path for the address.
    `index --ray lectures/ talk.mp4` then indexed talk.mp4 alone and exited 0: the folder was never indexed.
    The path is now refused, saying where --ray goes; a real address is still taken."""
    from momentsearch.cli.args import build_parser

    (tmp_path / "lectures").mkdir()
    (tmp_path / "talk.mp4").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    parser = build_parser()
    for argv in (["index", "--ray", "lectures", "talk.mp4"], ["index", "--ray", str(tmp_path / "talk.mp4")]):
        with pytest.raises(SystemExit) as stopped:
            parser.parse_args(argv)
        assert stopped.value.code == 2
        assert "is a file or folder: put --ray after the paths" in capsys.readouterr().err
    assert parser.parse_args(["index", "lectures", "--ray"]).ray == "local"
    for address in ("auto", "10.0.0.5:6379", "ray://head:10001"):
        assert parser.parse_args(["index", "--ray", address, "lectures"]).ray == address


def test_a_file_that_changed_since_the_batch_probed_it_is_probed_again_before_a_worker_gets_it(tmp_path):
    """A local run probes a file again at its turn where it changed since the batch's start (a copy that finished
    meanwhile); `--ray` sent the worker the first probe: the length of the copy's first part, or a file that no
    longer reads. Now the driver probes it again before it sends it, and fails it, as a local run does."""
    from test_bad_input import tiny_video

    from momentsearch.pipeline.arriving import file_state

    ray, sent = FakeRay(), {}
    actor = SimpleNamespace(process=SimpleNamespace(
        remote=lambda path, info, *args: sent.setdefault(path, info) and ray.submit(WorkResult(path, reason="x"))))
    grown, broken, same = tmp_path / "grown.mp4", tmp_path / "broken.mp4", tmp_path / "same.mp4"
    for path in (grown, broken, same):
        tiny_video(path, 10)
    indexer, events = _indexer()
    indexer.indexer.probed = {str(p): file_state(str(p)) for p in (grown, broken, same)}
    tiny_video(grown, 60)  # written again since the probe: another file
    broken.write_bytes(b"not a video any more")
    paths = [str(grown), str(broken), str(same)]
    results = _run_schedule(indexer, ray, [actor], paths)
    assert sent[str(grown)].duration != 10.0 and sent[str(grown)].has_video and sent[str(same)].duration == 10.0
    assert str(broken) not in sent and results[str(broken)].status == "failed" and results[str(broken)].reason
    assert sorted(e.path for e in events if e.kind == "done") == sorted(paths)
