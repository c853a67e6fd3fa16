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


def _video(path, seconds=6, fps=10):
    import av

    with av.open(str(path), "w") as out:
        v = out.add_stream("libx264", rate=fps)
        v.width, v.height, v.pix_fmt = 320, 240, "yuv420p"
        rng = np.random.default_rng(0)
        for _ in range(seconds * fps):  # noise: every frame its own picture, so the clip is tens of KB
            frame = av.VideoFrame.from_ndarray(rng.integers(0, 255, (240, 320, 3), np.uint8), format="rgb24")
            for p in v.encode(frame):
                out.mux(p)
        for p in v.encode():
            out.mux(p)


def test_a_clip_the_disk_cannot_hold_names_the_clip_not_the_video(tmp_path):
    """`clip talk.mp4 0 6 -o /usb/c.mp4` on a full stick said "talk.mp4: cannot cut a clip: No space left on
    device", blaming the video, and `search --export-clips` went on to the next clip and exited 0. A write
    the disk refuses (here a file-size limit, as `ulimit -f` sets: EFBIG) is the clip file's error."""
    import resource
    import subprocess
    import sys

    src, out = tmp_path / "talk.mp4", tmp_path / "usb" / "c.mp4"
    _video(src)
    out.parent.mkdir()

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024, resource.RLIM_INFINITY))

    done = subprocess.run([sys.executable, "-m", "momentsearch.cli", "clip", str(src), "0", "6", "-o", str(out)],
                          capture_output=True, text=True, preexec_fn=small_files, timeout=120)
    assert done.returncode == 2, done.stderr
    said = done.stderr.strip().splitlines()
    assert said == [f"momentsearch: error: {out}: File too large (the clip was not written)"]
    assert list(out.parent.iterdir()) == []  # no clip, no half-written .part


def test_a_clip_the_servers_disk_cannot_hold_is_a_503_that_names_its_folder(tmp_path, monkeypatch):
    """/api/clips with the server's temporary folder full answered 400 "talk.mkv: cannot cut a clip: No space
    left on device", blaming the viewer's request and the video; it is the server's disk, and it says where."""
    import tempfile

    from fastapi.testclient import TestClient

    from momentsearch.server.app import create_app
    from tests.test_api_contract import _FilesIndex, _matroska, _record

    class FullDisk(_FilesIndex):
        def export_clip(self, source, start, end, out, padding=0.0, name=None):
            with open(out, "wb") as f:  # the first packets fit, then the disk is full
                f.write(b"\0" * 1024)
            raise OSError(errno.ENOSPC, "No space left on device", str(out))

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    rec = _record(_matroska(tmp_path / "screen.mkv"), "c" * 16, "video", "video/x-matroska")
    with TestClient(create_app(FullDisk([rec]), warm=False), base_url="http://localhost") as client:
        response = client.get(f"/api/clips/{rec.video_id}", params={"start": 0.5, "end": 2.5})
    assert response.status_code == 503, response.text
    assert str(tmp_path / "tmp") in response.json()["error"] and "No space left" in response.json()["error"]
    assert list((tmp_path / "tmp").iterdir()) == []  # the half-cut clip went with its folder


class _VacuumOnFullDisk:
    """A sqlite3 connection whose VACUUM fails as on a disk with less room than the file's copy needs."""

    def __init__(self, real):
        self._real = real

    def execute(self, sql, *args):
        import sqlite3

        if sql.strip().upper() == "VACUUM":
            raise sqlite3.OperationalError("database or disk is full")
        return self._real.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._real, name)


def test_a_prune_whose_vacuum_the_disk_cannot_hold_says_how_much_room_it_needs(tmp_path, monkeypatch):
    """`prune` on a disk with less free space than chroma.sqlite3 said "the index ... was changed, but the removed
    entries' words could not be erased ...; `momentsearch prune` erases them once it can": to the user who just
    ran prune, and with nothing on how much room to make. It names the room VACUUM needs, and the index stays."""
    import sqlite3

    from momentsearch import MomentIndex
    from momentsearch.errors import DiskFullError
    from momentsearch.store import erase
    from tests.test_forget import _index_with_two_talks, _texts

    db, seminar, lecture = _index_with_two_talks(tmp_path)
    size_mb = -(-(db / "chroma.sqlite3").stat().st_size // (1024 * 1024))
    real_connect = sqlite3.connect
    monkeypatch.setattr(erase.sqlite3, "connect", lambda *a, **k: _VacuumOnFullDisk(real_connect(*a, **k)))
    seminar.unlink()
    with pytest.raises(DiskFullError) as caught:
        MomentIndex(db=str(db)).prune()
    said = str(caught.value)
    assert f"disk full at {db}" in said and f"needs about {size_mb} MB free" in said
    assert "was changed" not in said and "`momentsearch prune`" in said
    monkeypatch.undo()
    assert _texts(db) == ["the Carnot cycle sets the upper limit on efficiency", str(lecture)]  # the index still works


def test_a_search_under_a_file_size_limit_says_nothing_of_resuming(tmp_path):
    """Under `ulimit -f 0` `search` and `transcript` (which write nothing themselves: Chroma writes as it opens)
    said "cannot write to the index ... re-run the same command to resume (files written so far stay
    searchable)", words for a stopped `index`. They now say the index could not be opened, why, and that
    nothing was changed."""
    import resource
    import subprocess
    import sys

    from tests.test_forget import _index_with_two_talks

    db, _, _ = _index_with_two_talks(tmp_path)

    def no_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, resource.RLIM_INFINITY))

    code = "import sys; from momentsearch.api import MomentIndex; MomentIndex(sys.argv[1]).store.files()"
    done = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True,
                          preexec_fn=no_files, timeout=120)
    said = done.stderr.strip().splitlines()[-1]
    assert said.startswith("momentsearch.errors.DiskFullError: cannot open the index at "), done.stderr
    assert "resume" not in said and "written so far" not in said and "Nothing was changed" in said
