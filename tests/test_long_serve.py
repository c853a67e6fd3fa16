"""A server that runs for weeks: what a request opens is closed when its answer ends, however the client ends it
(a player seeking hangs up on the range it asked for, a tab closed before the first byte), so descriptors, threads
and temporary folders do not pile up. Served by uvicorn on a real socket: TestClient never hangs up."""

from __future__ import annotations

import gc
import os
import socket
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
uvicorn = pytest.importorskip("uvicorn")

from momentsearch.server.app import create_app  # noqa: E402
from test_server import _FakeIndex  # noqa: E402
from test_server_safety import _record  # noqa: E402


def _open_on(path: Path) -> int:
    """How many of this process's descriptors are open on `path`."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}") == str(path)
        except OSError:  # (closed meanwhile)
            pass
    return count


class _Served:
    """The app on a free local port, uvicorn in a thread of its own."""

    def __init__(self, app) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="error"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "_Served":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.server.started
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    def hang_up(self, path: str, read: int = 0) -> None:
        """Asks for `path` (the whole file, as a range), reads `read` bytes of the answer (0: none) and hangs up."""
        with socket.create_connection(("127.0.0.1", self.port)) as conn:
            conn.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nRange: bytes=0-\r\n\r\n".encode())
            if read:
                conn.recv(read)


def _until(check, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        time.sleep(0.1)
    return check()


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts descriptors in /proc")
def test_media_downloads_cut_short_close_their_file(tmp_path):
    """Each media request that hung up before its first byte kept the file's descriptor open for as long as the
    server ran (the body's generator never started, so its `finally` never ran): 200 such requests, 200 open
    descriptors, and a server at its open-file limit refuses everything. One that hung up mid-file kept it until
    Python's cyclic garbage collector came by (checked here with the collector off)."""
    talk = tmp_path / "talk.mp4"
    talk.write_bytes(os.urandom(4 << 20))  # more than the socket buffers take: the answer is still being sent
    rec = _record(talk)
    app = create_app(_FakeIndex([rec]), warm=False)
    collecting = gc.isenabled()
    gc.disable()
    try:
        with _Served(app) as served:
            for n in range(24):
                served.hang_up(f"/api/media/{rec.video_id}", read=0 if n % 2 else 4096)
            assert _until(lambda: _open_on(talk) == 0), f"{_open_on(talk)} descriptors still open on the file"
            threads = threading.active_count()
            for n in range(24):
                served.hang_up(f"/api/media/{rec.video_id}", read=0 if n % 2 else 4096)
            assert _until(lambda: _open_on(talk) == 0)
            assert threading.active_count() <= threads + 2  # anyio's worker threads are reused, not added
    finally:
        if collecting:
            gc.enable()


def test_health_says_so_when_the_index_folder_is_deleted_under_the_server(tmp_path):
    """`rm -rf` of the index folder under a running server: every search answered 500 ("internal error" by its
    status), while /api/health went on answering "ok" with the old count of videos (its refresher kept the last
    view), so a monitor saw nothing wrong. Both answer 503 naming the missing index now, until it is back."""
    import shutil

    from fastapi.testclient import TestClient

    from momentsearch.api import MomentIndex

    (talks := tmp_path / "talks").mkdir()
    (talks / "notes.txt").write_text("not a lecture\n")
    db = tmp_path / "db"
    MomentIndex(db).index(talks)  # an index with no files: made in a moment
    with TestClient(create_app(MomentIndex(db), warm=False), base_url="http://localhost:8000") as client:
        assert client.get("/api/health").json()["status"] == "ok"
        shutil.copytree(db, kept := tmp_path / "kept")
        shutil.rmtree(db)
        assert _until(lambda: client.get("/api/health").status_code == 503)
        answer = client.get("/api/health").json()
        assert "is gone" in answer["error"] and str(db) in answer["error"]
        search = client.get("/api/search?q=roadmap")
        assert search.status_code == 503 and "is gone" in search.json()["error"]
        shutil.copytree(kept, db)  # put back: answered again
        assert _until(lambda: client.get("/api/health").status_code == 200)
