"""An index shared read-only (a department's network share), and read-only folders for what a student writes.

File modes do not bite for root, and the tests run as root: there each command runs without any capability
(`setpriv --bounding-set=-all`), so a folder's modes stop it as they stop a student; where neither that nor
an unprivileged user is at hand, the tests are skipped."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from momentsearch import cli


def _unprivileged() -> list[str]:
    """The prefix that runs a command as a user whom file modes stop."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root, where file modes do not bite, and setpriv (util-linux) is not there to "
                    "drop root's capabilities")
    return ["setpriv", "--bounding-set=-all", "--inh-caps=-all"]


def _cli(*args: str, env: dict | None = None, popen: bool = False, **kw):
    command = [*_unprivileged(), sys.executable, "-m", "momentsearch.cli", *args]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), **(env or {})}
    if popen:
        return subprocess.Popen(command, env=env, **kw)
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


def _read_only(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), reverse=True) + [folder]:
        path.chmod(0o555 if path.is_dir() else 0o444)


def _writable(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def _video(path: Path, seconds: int = 2) -> Path:
    import av

    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=5)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(seconds * 5):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i * 20 % 250, np.uint8), format="rgb24")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def test_outputs_into_a_read_only_folder_are_named_as_the_user_named_them(tmp_path):
    """`clip -o media/c.mp4` into the read-only media folder said "media/week3.mp4: cannot cut a clip: Permission
    denied", blaming the source video (FFmpeg opens the output only at its first packet); `transcript -o`,
    `chapters -o` and `eval --out` named their hidden temporary file (".week2.vtt.part: Permission denied")."""
    media = tmp_path / "media"
    media.mkdir()
    video = _video(media / "week3.mp4")
    _read_only(media)
    try:
        proc = _cli("clip", str(video), "0", "1", "-o", str(media / "c.mp4"), "--db", str(tmp_path / "no-db"))
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr == f"momentsearch: error: {media / 'c.mp4'}: Permission denied\n"
        assert sorted(p.name for p in media.iterdir()) == ["week3.mp4"]
    finally:
        _writable(media)


def test_write_atomically_names_the_file_it_could_not_write(tmp_path):
    from momentsearch.chapters import write_atomically

    folder = tmp_path / "ro"
    folder.mkdir()
    _read_only(folder)
    script = (f"from momentsearch.chapters import write_atomically\n"
              f"try:\n    write_atomically({str(folder / 'week2.vtt')!r}, 'WEBVTT')\n"
              f"except OSError as exc:\n    print(exc.filename, exc.strerror)\n")
    try:
        proc = subprocess.run([*_unprivileged(), sys.executable, "-c", script], capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}, timeout=60)
        assert proc.stdout == f"{folder / 'week2.vtt'} Permission denied\n", proc.stderr
        assert list(folder.iterdir()) == []
    finally:
        _writable(folder)
    write_atomically(folder / "week2.vtt", "WEBVTT")  # (a writable folder: written)
    assert (folder / "week2.vtt").read_text() == "WEBVTT"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_stopped_by_kill_removes_its_copy_of_a_read_only_index(tmp_path):
    """`serve` on a read-only index searches a private copy in $TMPDIR. Stopped by `kill` (systemd's stop, a
    container's), uvicorn shut down and raised SIGTERM again, and Python's default ended the process before
    the copy was removed: a whole index left in /tmp at every restart."""
    db, temp = tmp_path / "share" / "Índice de cursos", tmp_path / "tmp"
    temp.mkdir()
    Image.new("RGB", (32, 24), (90, 40, 200)).save(tmp_path / "board.png")
    assert cli.main(["index", str(tmp_path / "board.png"), "--db", str(db), "--no-ocr", "--quiet"]) == 0
    _read_only(db.parent)
    port, log = _free_port(), tmp_path / "serve.log"
    try:
        with open(log, "w") as out:
            proc = _cli("serve", "--db", str(db), "--port", str(port), env={"TMPDIR": str(temp),
                        "MOMENTSEARCH_TOKEN": ""}, popen=True, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 240
            while True:
                assert proc.poll() is None, log.read_text()
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as r:
                        if json.load(r)["videos"] == 1:
                            break
                except OSError:
                    pass
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.5)
            assert [p.name[:22] for p in temp.iterdir()] == ["momentsearch-readonly-"]
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert list(temp.iterdir()) == [], log.read_text()
    finally:
        _writable(db.parent)


def _captioned_talk(folder: Path) -> Path:
    """A short video with a sidecar of captions (read instead of speech: nothing to transcribe)."""
    lines = ["Welcome to the course on algorithms and data structures.", "Today we cover merge sort and quicksort.",
             "Then we turn to hash tables, buckets and collisions.", "Finally graphs and shortest paths with Dijkstra."]
    (folder / "talk.srt").write_text("".join(f"{i + 1}\n00:00:0{2 * i},000 --> 00:00:0{2 * i + 1},800\n{text}\n\n"
                                             for i, text in enumerate(lines)))
    return _video(folder / "talk.mp4", seconds=10)


def test_searches_of_a_read_only_index_keep_their_cache_in_the_users(tmp_path):
    """A read-only index with no search cache of its own (copied to the share without one, or re-indexed since):
    every `search` copied the whole index into /tmp, opened Chroma and built the rows and BM25 again, without a
    word (4-5 s against 1.8 s for a 30-second index). They are kept in the user's cache now (a folder per index,
    keyed by its state as the index's own cache is), and a later search answers from that snapshot."""
    db, cache = tmp_path / "share" / "Índice de cursos", tmp_path / "cache"
    (tmp_path / "media").mkdir()
    assert cli.main(["index", str(_captioned_talk(tmp_path / "media")), "--db", str(db), "--no-ocr", "--quiet"]) == 0
    _read_only(db.parent)
    query = ["search", "hash tables and collisions", "--db", str(db), "--json", "-k", "1"]
    try:
        first = _cli(*query, env={"MOMENTSEARCH_CACHE": str(cache)})
        assert first.returncode == 0, first.stderr
        assert json.loads(first.stdout)["results"], first.stdout
        kept = list(cache.glob("read-only/*/snapshot/state.json"))
        assert len(kept) == 1 and list(kept[0].parent.parent.glob("transcript-*")), sorted(cache.rglob("*"))
        again = _cli(*query, env={"MOMENTSEARCH_CACHE": str(cache)})
        assert again.returncode == 0, again.stderr
        assert json.loads(again.stdout)["results"] == json.loads(first.stdout)["results"]
        assert not (db / "momentsearch-cache").exists()
    finally:
        _writable(db.parent)
    from momentsearch.search.cache import search_cache_dir

    assert search_cache_dir(db) == str(db / "momentsearch-cache")  # (writable: its own, as before)
