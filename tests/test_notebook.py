"""The Python API as a notebook uses it: a progress display of one's own, results and index info shown in a
cell, the same index opened again when a cell is run again."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from test_python_api import _SaysHello, _talk


def _fake_models(index) -> None:
    """The index's models, cheap: a fixed transcript, hashed text vectors, no CLIP."""
    from fakes import FakeText

    index.__dict__["models"] = SimpleNamespace(text_embedder=FakeText(), asr=_SaysHello(), clip=None,
                                               index_clip=lambda built: None,  # (no CLIP: as the index has none)
                                               config_for=lambda text, clip: index.config)


@pytest.mark.parametrize("when", ["stage", "media"])
def test_an_error_in_the_callers_progress_function_stops_the_run_as_itself(tmp_path, when):
    """A notebook's progress function that raised (a closed widget, a typo in it) was caught as the file's own
    failure: every file was reported "could not be processed (ValueError: ...)", the run went on to the next
    and the error never reached the cell. It now stops the run with the caller's own exception, and the file
    is not recorded as failed: the next run indexes it."""
    from momentsearch.api import MomentIndex

    talk = tmp_path / "talk.mp4"
    _talk(talk)
    mistake = ValueError("my progress bar is broken")

    def progress(event):
        if event.kind == when:
            raise mistake

    index = MomentIndex(tmp_path / "db", config={"models": {"ocr": False}})
    _fake_models(index)
    with pytest.raises(ValueError) as raised:
        index.index(talk, progress=progress)
    assert raised.value is mistake
    report = index.index(talk)
    assert [(Path(f.path).name, f.status) for f in report.files] == [("talk.mp4", "indexed")], report.files


def test_index_info_and_reports_show_a_short_repr_however_big_the_index():
    """A notebook cell ending in `index.info()` shows its repr: every file record in full, with each file's slide
    and section times, about 1 MB of text for 300 hour-long lectures (3.3 KB a file) that the page had to
    render. Long lists now show their first items and how many there are; the values are all still there."""
    from momentsearch.types import FileRecord, FileResult, IndexInfo, IndexReport

    spans = [(i * 61.37, (i + 1) * 61.37) for i in range(60)]
    record = FileRecord(path="/lectures/week03.mp4", video_id="b736d254b1be41a8", size=10**9, mtime=1.7e9,
                        duration=3682.2, channels=["transcript", "ocr"], visual_segments=spans, sections=spans[:40],
                        models={"asr": "faster-whisper:base"}, complete=True)
    one = repr(record)
    assert len(one) < 800 and "(60 in all)" in one and "(40 in all)" in one and "path='/lectures/week03.mp4'" in one
    info = IndexInfo(db="/db", files=[record] * 300, channels=["ocr", "transcript"], models=record.models,
                     counts={"transcript": 9000})
    assert len(repr(info)) < 4 * len(one) and "(300 in all)" in repr(info)
    assert "counts={'transcript': 9000}" in repr(info) and len(info.files[0].visual_segments) == 60
    report = IndexReport(files=[FileResult(f"/lectures/{i}.mp4", "indexed") for i in range(500)])
    assert len(repr(report)) < 1000 and "(500 in all)" in repr(report)
    few = FileRecord(path="/a.mp4", video_id="v", size=1, mtime=0.0, visual_segments=[(0.0, 1.0)])
    assert "visual_segments=[(0.0, 1.0)]" in repr(few)  # short lists are shown whole


def test_a_busy_index_says_the_writer_is_this_process_and_how_python_queues(tmp_path):
    """A notebook that runs `index` in a thread (`asyncio.to_thread`, or a cell still going after the stop button
    interrupted its waiting) and then indexes again was told "being written by `index` (pid N ...) ... pass --wait
    SECONDS": N was the notebook's own process, and --wait is a flag of the command line, not of the Python
    call. It now says the writer is this very process, and names `wait=` beside the flag."""
    from momentsearch.api import MomentIndex
    from momentsearch.errors import IndexBusyError
    from momentsearch.store.lock import WriterLock

    (tmp_path / "talks").mkdir()
    (tmp_path / "talks" / "notes.txt").write_text("not a lecture\n")  # skipped: nothing to decode, no models
    index = MomentIndex(tmp_path / "db")
    index.index(tmp_path / "talks")
    with WriterLock(tmp_path / "db", task="index").acquire():  # what the other thread's `index` holds
        with pytest.raises(IndexBusyError) as busy:
            index.index(tmp_path / "talks")
    told = str(busy.value)
    assert "this very process" in told and "wait=SECONDS" in told and "--wait SECONDS" in told, told
    assert [f.status for f in index.index(tmp_path / "talks").files] == ["skipped"]


def test_the_background_stage_names_only_the_steps_that_run(tmp_path):
    """Without CLIP weights (the visual channel off, as the report says) and with OCR off, a progress display
    still showed the stage "decode+keyframes+clip+ocr (background)": steps that did not run."""
    from fakes import FakeText
    from momentsearch.options import Config
    from momentsearch.pipeline.indexer import Indexer
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    talk = tmp_path / "talk.mp4"
    _talk(talk)
    config = Config()
    config.models.ocr = False
    events = []
    Indexer(Store(make_client(str(tmp_path / "db"))), config, FakeText(), _SaysHello(), None,
            events.append).index([str(talk)])
    background = [e.stage for e in events if e.kind == "stage" and "background" in e.stage]
    assert background == ["decode+keyframes (background)"], background


def test_the_type_hints_take_what_the_calls_take():
    """With py.typed, an editor's checker (pyright in VS Code's notebooks) marked `search("x", video=Path(...))`
    and `remove(Path(...))` as errors, calls that work, since `video` was typed `str` and `targets` `list[str]`;
    and `index(progress=fn)` was untyped, so a callback taking the wrong argument was never caught."""
    import os
    import typing

    from momentsearch.api import MomentIndex
    from momentsearch.types import ProgressEvent

    def flat(hint) -> set:
        if isinstance(hint, list):  # Callable's arguments
            return set().union(*map(flat, hint))
        return {typing.get_origin(hint) or hint}.union(*map(flat, typing.get_args(hint)))  # list[str]: list, str

    for method in (MomentIndex.search, MomentIndex.search_image, MomentIndex.image_query):
        hints = typing.get_type_hints(method)
        assert {str, os.PathLike, type(None)} <= flat(hints["video"]), method
        assert {str, os.PathLike, list, type(None)} <= flat(hints["in_"]), method
    assert {str, os.PathLike, list} <= flat(typing.get_type_hints(MomentIndex.remove)["targets"])
    assert {str, os.PathLike, list} <= flat(typing.get_type_hints(MomentIndex.index)["paths"])
    progress = typing.get_type_hints(MomentIndex.index)["progress"]
    assert ProgressEvent in flat(progress) and type(None) in flat(progress)
