"""A reader (`momentsearch serve`, a notebook's MomentIndex) the moment a batch writing into its folder ends.

The reader keeps its view of the files for up to a second (`CORPUS_RECHECK_SECONDS`), and the server's health
view for a few more. When the run finished the file it was indexing and let go of the lock in that time, the
reader found no writer but its view still held the file unfinished, and said
`files not searched, their indexing unfinished (a run was stopped): glaciers.mp4; running momentsearch index on
them again finishes them`: a run that had not stopped, and a command to run for nothing (seen on /api/health and
/api/search beside a `momentsearch index` that ended normally). The writer runs in a subprocess, as `index` does.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from momentsearch.api import MomentIndex
from momentsearch.search import searcher as searcher_mod
from momentsearch.store.client import make_client
from momentsearch.store.store import Store
from momentsearch.types import FileRecord

ROOT = Path(__file__).resolve().parents[1]

# argv: db, path of the file it is indexing. Holds the lock until told, then finishes the file and exits.
WRITER = r"""
import sys
from momentsearch.store.client import make_client
from momentsearch.store.lock import WriterLock
from momentsearch.store.store import Store
from momentsearch.types import FileRecord

db, path = sys.argv[1:3]
lock = WriterLock(db, "index").acquire()
print("held", flush=True)
sys.stdin.readline()
store = Store(make_client(db, create=False), db_dir=db)
store.put_file(FileRecord(path=path, video_id="b" * 16, size=1, mtime=0.0, complete=True))
store.commit()
lock.release()
"""


def test_a_run_that_finished_is_not_taken_for_one_that_was_stopped(tmp_path, monkeypatch):
    monkeypatch.setattr(searcher_mod, "CORPUS_RECHECK_SECONDS", 3600.0)  # however long the reader keeps its view
    db, done, going = tmp_path / "db", tmp_path / "volcanoes.mp4", tmp_path / "glaciers.mp4"
    for media in (done, going):
        media.write_bytes(b"x")
    store = Store(make_client(db, create=True), db_dir=db)
    store.collection("files", model_id="none", dim=1)
    store.put_file(FileRecord(path=str(done), video_id="a" * 16, size=1, mtime=0.0, complete=True))
    store.put_file(FileRecord(path=str(going), video_id="b" * 16, size=1, mtime=0.0, complete=False))
    store.commit()
    store.close()

    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(going)], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "held"
        index = MomentIndex(db)
        assert [w.split(" (pid")[0] for w in index.warnings] == [
            "files not searchable yet, being indexed now by `index`"]
        writer.stdin.write("finish\n")
        writer.stdin.flush()
        assert writer.wait(timeout=60) == 0
        assert index.warnings == []  # not "a run was stopped": the file is finished
    finally:
        writer.kill()
        writer.wait()
