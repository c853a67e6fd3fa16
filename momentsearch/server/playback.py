"""Which file the web player gets for a video: the indexed file itself, or, for a recording whose
transcribed audio track is not the one a browser plays (an OBS file with the desktop's music on track 1
and the microphone on track 2), the index's copy of it with that track first (`MomentIndex.playable_copy`,
made once by stream copy into the index's cache folder). /api/media and /api/clock both answer from it.

The indexed file is checked first (server/media.py `open_indexed`) and the copy is made from that checked
descriptor, so it holds only what the index read. A copy that cannot be made (the cache folder is read-only,
the disk is full, the muxer refuses a stream) is noted in the server's log once, and the file is served
as it is: the player then plays its first audio track, as before.

A first play of a long recording would wait for its copy (a three-hour file is a few GB to copy) with
nothing on the page but a spinner, so a starting server makes the copies its videos need in the
background (`PlayerFiles.prepare`), one file at a time, at low priority: by the time a result is played
its copy is usually there. A request for a file whose copy is being made waits for that copy (the same
lock), never makes a second one.
"""

from __future__ import annotations

import logging
import mimetypes
import os
import stat
import threading
import time
from pathlib import Path

from starlette.concurrency import run_in_threadpool

from momentsearch.errors import MediaChangedError, MomentSearchError
from momentsearch.priority import nice_this_thread
from momentsearch.server.media import _EXTRA_TYPES, OpenedMedia, open_indexed, served_type
from momentsearch.types import FileRecord

log = logging.getLogger("momentsearch.server")
PREPARE_NICE = 10  # niceness of the thread that makes the player copies at start-up (searches come first)


def _identity(record: FileRecord) -> tuple:
    return record.video_id, record.size, record.mtime, record.device, record.inode


class PlayerFiles:
    """What one app keeps for serving players: a lock per file (the first request makes the copy, the
    range requests that come with it wait for it instead of copying too), and the files served as they
    are: those that need no copy and those whose copy failed (until the server restarts), so neither is
    opened and probed again on every range request."""

    def __init__(self) -> None:
        self._locks: dict[tuple, threading.Lock] = {}
        self._guard = threading.Lock()
        self.as_is: set[tuple] = set()

    def served(self, index, record: FileRecord, opened: OpenedMedia) -> tuple[OpenedMedia, str]:
        """(the file to send, its media type): the index's copy with the transcribed track first when the
        file needs one (then `opened` is closed), else `opened` itself. Runs in a worker thread."""
        key = _identity(record)
        if record.kind == "photo" or key in self.as_is:
            return opened, served_type(record)
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key in self.as_is:  # decided by the request this one waited for
                return opened, served_type(record)
            try:
                with opened.file() as source:
                    copy = index.playable_copy(source, record)
            except MomentSearchError as exc:
                copy = None
                log.warning("video %s: its speech track cannot be put first for the player, so the file is "
                            "served as it is (browsers play its first audio track): %s", record.video_id, exc)
            if copy is None:
                self.as_is.add(key)
                return opened, served_type(record)
        try:
            served = _open_copy(Path(copy))
        except OSError as exc:  # removed since (the cache folder deleted by hand): this once, the file itself
            log.warning("video %s: the player's copy %s cannot be opened (%s); the file is served as it is",
                        record.video_id, copy, exc.strerror or exc)
            return opened, served_type(record)
        opened.close()
        return served, _copy_type(Path(copy), record)

    def open(self, index, record: FileRecord) -> tuple[OpenedMedia, str]:
        """The file the player gets for `record`, checked and opened (`open_indexed`, then `served`; close it
        after use), and its media type. MediaChangedError when the indexed file is gone or changed."""
        opened = open_indexed(record)
        try:
            return self.served(index, record, opened)
        except BaseException:
            opened.close()
            raise

    def prepare(self, index, stop: threading.Event, nice: int = PREPARE_NICE) -> int:
        """Makes the copies (and the as-is markers) of `index`'s recordings before a player asks for them,
        one file at a time, until done or `stop` is set; a file that is gone or changed is left for its
        request to report. At niceness `nice` on Linux (searches come first). Returns the copies made or
        found. Meant for a thread of its own: `start_preparing`."""
        nice_this_thread(nice)
        records = [r for r in index.videos() if r.kind != "photo"]
        t0, copies = time.monotonic(), 0
        for record in records:
            if stop.is_set():
                break
            try:
                served, _ = self.open(index, record)
            except MediaChangedError:
                continue
            copies += not _same_file(served, record)
            served.close()
        if copies:
            log.info("player copies with the speech track first: %d of %d recordings need one, ready after %.0f s",
                     copies, len(records), time.monotonic() - t0)
        return copies


def start_preparing(app) -> threading.Event:
    """Starts `PlayerFiles.prepare` for the app's index in a daemon thread; set the event it returns to stop
    it after the file in hand (a copy in flight is finished: its lock holds the requests waiting for it)."""
    stop = threading.Event()

    def run() -> None:
        try:
            app.state.players.prepare(app.state.index, stop)
        except Exception as exc:  # a broken cache folder, an index closed under it: each request decides again
            log.warning("player copies were not prepared at start-up: %s", exc)

    threading.Thread(target=run, name="momentsearch-player-copies", daemon=True).start()
    return stop


async def player_file(request, record: FileRecord) -> tuple[OpenedMedia, str]:
    """The file the player gets for `record` (checked, opened; close it after use) and its media type."""
    return await run_in_threadpool(request.app.state.players.open, request.app.state.index, record)


def _same_file(served: OpenedMedia, record: FileRecord) -> bool:
    """Whether `served` is the indexed file itself (not the player's copy of it)."""
    st = os.fstat(served.fd)
    return (st.st_dev, st.st_ino) == (record.device, record.inode) if record.inode else \
        (st.st_size, st.st_mtime) == (record.size, record.mtime)


def _open_copy(path: Path) -> OpenedMedia:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise OSError(f"{path} is not a regular file")
    return OpenedMedia(fd, st.st_size, st.st_mtime)


def _copy_type(copy: Path, record: FileRecord) -> str:
    """The copy's media type: the file's own when it kept its container, else the copy's (Matroska)."""
    if copy.suffix.lower() == Path(record.path).suffix.lower():
        return served_type(record)
    kind = "audio" if record.kind == "audio" else "video"
    return _EXTRA_TYPES.get(copy.suffix.lower()) or mimetypes.guess_type("x" + copy.suffix)[0] or f"{kind}/x-matroska"
