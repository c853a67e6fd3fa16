"""The Python API as a library user calls it (README "Python API"): one path as a string, a context
manager, a video named by its path."""

from __future__ import annotations

import os
from pathlib import Path


def test_index_takes_one_path_as_a_string_not_its_characters(tmp_path, monkeypatch):
    """`index.index("talks/")` iterated the string: each character became a path, and the "/" among them
    is the root of the file system, which it walked and indexed. One str or Path is one path now."""
    from momentsearch.api import MomentIndex

    monkeypatch.chdir(tmp_path)
    (tmp_path / "talks").mkdir()
    (tmp_path / "talks" / "notes.txt").write_text("not a lecture\n")  # skipped: nothing to decode, no models
    index = MomentIndex(tmp_path / "db")
    for one in ("talks", Path("talks")):
        report = index.index(one)
        assert [(Path(f.path).name, f.status) for f in report.files] == [("notes.txt", "skipped")], report.files


def test_an_index_is_a_context_manager_and_close_lets_go_of_what_it_loaded(tmp_path):
    """`with MomentIndex(db) as index:` was a TypeError (no context manager, no close): a service that opens
    indexes in turn kept each one's models, rows and store client until the object was dropped."""
    from momentsearch.api import MomentIndex

    (tmp_path / "talks").mkdir()
    (tmp_path / "talks" / "notes.txt").write_text("not a lecture\n")
    MomentIndex(tmp_path / "db").index([tmp_path / "talks"])  # an index with no files in it
    with MomentIndex(tmp_path / "db") as index:
        assert index.search("solar panels", k=3) == [] and index.info().files == []
        assert "searcher" in vars(index) and index._store is not None
    assert "searcher" not in vars(index) and "models" not in vars(index) and index._store is None
    assert index.search("solar panels", k=3) == []  # opened again on use


class _SaysHello:
    model_id = "fake:asr"

    def transcribe(self, audio):
        from momentsearch.types import TranscriptSegment, Word

        return [TranscriptSegment(0.2, 1.4, "Solar panels turn light into current.",
                                  [Word(0.2, 0.8, "Solar"), Word(0.8, 1.4, "panels turn light into current.")])]


def _talk(path: Path, seconds: int = 3) -> None:
    """A small video with a voice-like tone (so the file has speech to transcribe) and a grey picture."""
    import av
    import numpy as np

    with av.open(str(path), "w") as out:
        video, audio = out.add_stream("libx264", rate=5), out.add_stream("aac", rate=16000)
        video.width, video.height, video.pix_fmt = 160, 96, "yuv420p"
        for i in range(5 * seconds):
            frame = av.VideoFrame.from_ndarray(np.full((96, 160, 3), 90 + 9 * i, np.uint8), format="rgb24")
            frame.pts = i
            out.mux(video.encode(frame))
        t = np.arange(16000 * seconds) / 16000
        wave = (0.3 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 3 * t)) / 2).astype(np.float32)[None]
        for k in range(0, wave.shape[1], 1024):
            frame = av.AudioFrame.from_ndarray(wave[:, k:k + 1024], format="fltp", layout="mono")
            frame.sample_rate, frame.pts = 16000, k
            out.mux(audio.encode(frame))
        out.mux(audio.encode(None))
        out.mux(video.encode(None))


def test_speech_of_a_video_named_by_its_path_or_not_indexed(tmp_path):
    """`speech_in("talks/week3.mp4", 0, 15)` (README names videos by path everywhere else) answered [] for
    an indexed video with speech, and so it did for a video never indexed: both looked like silence."""
    import pytest

    from fakes import FakeText
    from momentsearch.api import MomentIndex
    from momentsearch.errors import QueryError
    from momentsearch.options import Config
    from momentsearch.pipeline.indexer import Indexer
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    talk = tmp_path / "talk.mp4"
    _talk(talk)
    config = Config()
    config.models.ocr = False
    Indexer(Store(make_client(str(tmp_path / "db"))), config, FakeText(), _SaysHello(), None, None).index([str(talk)])
    index = MomentIndex(tmp_path / "db")
    by_id = index.speech_in(index.videos()[0].video_id, 0, 2)
    assert [c.text for c in by_id] == ["Solar panels turn light into current."]
    assert index.speech_in(str(talk), 0, 2) == by_id == index.speech_in(talk, 0, 2)
    assert index.chunks_of(talk) == index.chunks_of(by_id[0].video_id) == by_id
    for missing in (tmp_path / "other.mp4", "0123456789abcdef"):
        with pytest.raises(QueryError, match="is not an indexed file or video id"):
            index.speech_in(missing, 0, 2)


def test_progress_stage_events_name_the_file_they_belong_to(tmp_path):
    """A program's progress display ("file 2 of 2: asr") got "stage" events with `index` 0, `total_files` 0
    and, but for "hash", no `path`: every stage after the first seemed to belong to no file, of none."""
    from fakes import FakeText
    from momentsearch.options import Config
    from momentsearch.pipeline.indexer import Indexer
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    talks = [tmp_path / "a.mp4", tmp_path / "b.mp4"]
    _talk(talks[0], seconds=2)
    _talk(talks[1], seconds=3)  # another content: both are indexed
    config = Config()
    config.models.ocr = False
    events = []
    Indexer(Store(make_client(str(tmp_path / "db"))), config, FakeText(), _SaysHello(), None,
            events.append).index([str(t) for t in talks])
    current = None
    stages = 0
    for event in events:
        if event.kind == "file":
            current = (event.path, event.index, event.total_files)
        elif event.kind == "stage":
            stages += 1
            assert (event.path, event.index, event.total_files) == current, (event, current)
    assert current == (str(talks[1]), 1, 2) and stages >= 4


def test_a_relative_index_folder_stays_where_it_was_when_the_program_changes_folder(tmp_path, monkeypatch):
    """`MomentIndex("momentsearch-db")` kept the path as typed and used it lazily: after the program's
    os.chdir (a worker, a test runner, a library that changes folder), the store already open kept reading
    the old folder while the lock, the cache and new Chroma connections took the name from the new folder,
    which made an empty index there and failed with chromadb's own InternalError ("no such table"), or said
    the index was gone ("its folder was deleted or moved while it was open")."""
    from momentsearch.api import MomentIndex

    (tmp_path / "talks").mkdir()
    (tmp_path / "talks" / "notes.txt").write_text("not a lecture\n")  # skipped: nothing to decode, no models
    monkeypatch.chdir(tmp_path)
    index = MomentIndex("db")
    index.index(["talks"])
    assert index.search("solar panels", k=3) == []
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    report = index.index([tmp_path / "talks"])
    assert [f.status for f in report.files] == ["skipped"]
    assert index.search("solar panels", k=3) == [] and index.info().db == str(tmp_path / "db")
    assert list(elsewhere.iterdir()) == []  # no second index made in the new working folder
    index.close()
    assert MomentIndex("db").db == str(elsewhere / "db")  # a new object takes the name where it is made


def test_the_package_is_marked_typed_and_its_lazy_names_have_types():
    """mypy and pyright skipped momentsearch in a program of one's own ("module is installed, but missing library
    stubs or py.typed marker"), and its lazily imported names (`from momentsearch import MomentIndex`) were
    Any to them: the annotations it carries helped no caller. The marker ships, and each name in __all__ is
    imported for type checkers."""
    import ast
    import fnmatch
    import tomllib

    import momentsearch

    package = Path(momentsearch.__file__).parent
    assert (package / "py.typed").is_file()
    shipped = tomllib.loads((package.parent / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert any(fnmatch.fnmatch("py.typed", pattern) for pattern in shipped["momentsearch"])
    tree = ast.parse((package / "__init__.py").read_text())
    checked = [node for node in tree.body
               if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"]
    typed = {alias.asname or alias.name for block in checked for node in ast.walk(block)
             if isinstance(node, ast.ImportFrom) for alias in node.names}
    assert typed == set(momentsearch.__all__)


def test_index_takes_bytes_paths_and_refuses_what_is_no_path(tmp_path, monkeypatch):
    """`index([b"talks"])` (paths as os.listdir(b".") gives them) looked for a file named "b'talks'" and
    reported it not found; `index(b"talks")` and `index(5)` were TypeErrors from deep inside, not the
    MomentSearchError the README promises for every error."""
    import pytest

    from momentsearch.api import MomentIndex
    from momentsearch.errors import QueryError

    monkeypatch.chdir(tmp_path)
    (tmp_path / "talks").mkdir()
    (tmp_path / "talks" / "notes.txt").write_text("not a lecture\n")  # skipped: nothing to decode, no models
    index = MomentIndex(tmp_path / "db")
    for given in (b"talks", [b"talks"], [os.fsencode(tmp_path / "talks")]):
        report = index.index(given)
        assert [(f.path, f.status) for f in report.files] == [(str(tmp_path / "talks" / "notes.txt"), "skipped")]
    for wrong in (5, [5], ["talks", 2.5]):
        with pytest.raises(QueryError, match="path"):
            index.index(wrong)


def test_close_from_another_thread_lets_a_running_search_finish(tmp_path):
    """`close()` called while a search ran in another thread (a service shutting down) let go of the Chroma client
    under it: the search failed inside Chroma ("'RustBindingsAPI' object has no attribute 'bindings'"). close()
    now waits for it, and the index opens again for the next call."""
    import threading

    from momentsearch.api import MomentIndex
    from momentsearch.options import Config
    from momentsearch.pipeline.indexer import Indexer
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    talk = tmp_path / "talk.mp4"
    _talk(talk)
    config = Config()
    config.models.ocr = False
    index = MomentIndex(tmp_path / "db")
    Indexer(Store(make_client(str(tmp_path / "db"))), config, index.text_embedder, _SaysHello(), None, None).index(
        [str(talk)])
    expected = index.search("solar panels", k=1)
    searcher, inside, release, events = index.searcher, threading.Event(), threading.Event(), []
    real_search, real_close = searcher.search, index.store.close

    def held_search(*args, **kwargs):  # a search that is running when close() is called
        inside.set()
        release.wait()
        found = real_search(*args, **kwargs)  # reads the store close() would have let go of
        events.append("searched")
        return found

    searcher.search = held_search
    index.store.close = lambda: (events.append("closed"), real_close())
    answers: list = []
    running = threading.Thread(target=lambda: answers.append(index.search("solar panels", k=1)), daemon=True)
    running.start()
    inside.wait()
    closing = threading.Thread(target=index.close, daemon=True)
    closing.start()
    try:
        closing.join(timeout=1.0)
        assert closing.is_alive() and events == []  # waits for the running search
    finally:
        release.set()
    running.join()
    closing.join()
    assert answers == [expected] and events == ["searched", "closed"]
    assert "searcher" not in vars(index) and index.search("solar panels", k=1) == expected  # opened again


def test_every_public_method_of_moment_index_says_what_it_does_in_help():
    """`help(MomentIndex)` is where a library user reads the API; `info()` showed no text at all, so what the
    IndexInfo it returns holds (and that it is what `momentsearch info` prints) was found only in the source."""
    import inspect

    from momentsearch.api import MomentIndex

    bare = [name for name, member in vars(MomentIndex).items()
            if not name.startswith("_") and inspect.isfunction(member) and not inspect.getdoc(member)]
    assert not bare, bare
