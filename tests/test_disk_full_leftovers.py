"""A full disk (or a file-size limit) in the middle of writing a file's kept work: no half-written temporary
file is left taking the space, and `remove`/`prune` take the temporary files a killed run left with the rest."""

from __future__ import annotations

import errno

import numpy as np
import pytest

from momentsearch.pipeline import partial
from momentsearch.pipeline.partial import PartialState, VisualResult
from momentsearch.types import VisualSegment


def _disk_fills_after(nbytes: int):
    """A numpy writer that writes `nbytes` of the file, then fails as a full disk does."""
    def write(file, *args, **kwargs):
        with open(file, "wb") as f:
            f.write(b"\0" * nbytes)
        raise OSError(errno.ENOSPC, "No space left on device")
    return write


def test_a_full_disk_while_keeping_the_pictures_leaves_no_temporary_file(tmp_path, monkeypatch):
    state = PartialState(tmp_path, "abc123", "fp")
    monkeypatch.setattr(np, "savez", _disk_fills_after(4096))
    picture = np.zeros((8, 8, 3), np.uint8)
    with pytest.raises(OSError) as caught:
        state.set_detected([VisualSegment(0.0, 5.0, 1.0, picture)])
    assert caught.value.errno == errno.ENOSPC
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing half-written, nothing claiming it is done


def test_a_full_disk_while_keeping_the_vectors_leaves_no_temporary_file(tmp_path, monkeypatch):
    state = PartialState(tmp_path, "abc123", "fp")
    monkeypatch.setattr(np, "save", _disk_fills_after(4096))
    with pytest.raises(OSError):
        state.set_visual(VisualResult([VisualSegment(0.0, 5.0, 1.0)], np.ones((1, 4), np.float32), None))
    assert [p.name for p in tmp_path.iterdir()] == []
    assert PartialState(tmp_path, "abc123", "fp").visual is None  # a re-run redoes it, reads nothing torn


def test_forget_takes_the_temporary_files_a_cut_short_write_left(tmp_path):
    for name in ("abc123.jsonl", "abc123.keyframes.tmp.npz", "abc123.visual.tmp.npy", "abc123.tmp",
                 "other9.jsonl", "other9.keyframes.tmp.npz"):
        (tmp_path / name).write_bytes(b"x" * 100)
    partial.forget(tmp_path, ["abc123"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other9.jsonl", "other9.keyframes.tmp.npz"]
