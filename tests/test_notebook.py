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

    index.__dict__["models"] = SimpleNamespace(text_embedder=FakeText(), asr=_SaysHello(), clip=None)


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
