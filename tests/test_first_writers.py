"""Two writers on one index folder that did not exist yet: `momentsearch index LECTURES --db NEW` started twice at
once (two people, or a cron job and a person). Each saw no folder, so each took itself for the run that makes it,
and a first run that fails with nothing indexed removes the folder it made. The run that found the lock taken
removed the folder of the run that held it, writing meanwhile (and a run stopped with Ctrl-C while it queued with
`--wait`, or failing before it opened the index, removed the other's finished index). A writer queued on the lock
file of a folder removed so took the lock of the removed file, which kept out no writer that came after.
And a script searching such an index meanwhile (`search --json`) was not told that it was being written.
A writer told to `--wait` for another did not say that it was waiting, or for whom.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from momentsearch.api import MomentIndex
from momentsearch.errors import IndexBusyError
from momentsearch.options import load_config
from momentsearch.store import lock as lock_mod
from momentsearch.store.lock import WriterLock

ROOT = Path(__file__).resolve().parents[1]
NO_MODELS = {"models": {"ocr": False}}  # a photo indexed with no OCR loads no model

HOLDER = r"""
import sys, time
from pathlib import Path
from momentsearch.store.lock import WriterLock
db = Path(sys.argv[1])
WriterLock(db, "index").acquire()
(db / "first-run-data").write_text("written by the run that holds the lock")
print("held", flush=True)
sys.stdin.readline()  # holds the lock until told to go
"""


def _photo(tmp_path: Path) -> Path:
    photo = tmp_path / "board.png"
    Image.new("RGB", (32, 24), (90, 40, 200)).save(photo)
    return photo


def test_a_first_run_that_found_the_lock_taken_leaves_the_other_runs_folder(tmp_path):
    db = tmp_path / "new" / "db"
    late = MomentIndex(db, load_config(None, NO_MODELS))
    busy_run = late.writing(0, create=True, task="index")  # it saw no folder: it takes itself for the maker
    first = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], cwd=ROOT, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert first.stdout.readline().strip() == "held"
        with pytest.raises(IndexBusyError, match=f"`index` \\(pid {first.pid} "):
            with busy_run:
                pass
        assert (db / "first-run-data").is_file()  # the writing run's folder is still there
    finally:
        first.stdin.close()
        first.wait(timeout=30)


def test_a_run_stopped_while_queued_keeps_the_index_another_run_made(tmp_path):
    db, photo = tmp_path / "db", _photo(tmp_path)
    config = load_config(None, NO_MODELS)
    queued = MomentIndex(db, config).writing(30, create=True, task="index")  # `--wait 30`, started with the other
    MomentIndex(db, config).index([photo])  # the other run makes the index and finishes first
    with pytest.raises(KeyboardInterrupt):
        with queued:
            raise KeyboardInterrupt  # Ctrl-C before the queued run opened the index
    with MomentIndex(db, config) as index:
        assert [Path(rec.path).name for rec in index.info().files] == ["board.png"]


def test_a_writer_queued_behind_a_first_run_that_removed_its_folder_stops(tmp_path, monkeypatch):
    """A failed first run removes its folder with the lock held; the writer queued behind it got the lock of the
    removed file (which keeps out nobody who opens the lock's path now) and went on into a folder that is gone.
    It stops instead, saying why, and makes no folder."""
    from momentsearch.errors import IndexNotFoundError

    db = tmp_path / "db"
    queued_now = threading.Event()

    class Clock:  # the lock module's time, telling when the second writer has started to wait
        monotonic, strftime, localtime = time.monotonic, time.strftime, time.localtime

        @staticmethod
        def sleep(seconds):
            queued_now.set()
            time.sleep(seconds)

    monkeypatch.setattr(lock_mod, "time", Clock)
    failing = MomentIndex(db, load_config(None, NO_MODELS))
    got: list[BaseException | WriterLock] = []

    def queue():
        try:
            got.append(WriterLock(db, "prune").acquire(timeout=30))
        except BaseException as exc:  # noqa: BLE001 - what the queued writer met, for the test to look at
            got.append(exc)

    with pytest.raises(RuntimeError):
        with failing.writing(0, create=True, task="index"):
            queued = threading.Thread(target=queue)
            queued.start()
            assert queued_now.wait(30)
            raise RuntimeError("no model weights")  # the first run fails with nothing indexed
    queued.join(30)
    assert len(got) == 1 and isinstance(got[0], IndexNotFoundError), got
    assert "was removed while this waited for its writer" in str(got[0])
    assert not db.exists()


@contextlib.contextmanager
def _first_run_writing(db: Path):
    """An index its first run has made and holds (another process, `HOLDER`), no file finished yet: the
    writer's Popen while it holds the lock."""
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    store = Store(make_client(db, create=True), db_dir=db)
    store.collection("files", model_id="none", dim=1)
    store.close()
    writer = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "held"
        yield writer
    finally:
        writer.stdin.close()
        writer.wait(timeout=30)


def test_search_json_says_the_index_is_being_written(tmp_path, capsys):
    """`search --json` while `index` fills a new index answered `"results": []` and nothing else: the note the
    text output gives ("the index is being written now by `index` (pid N ...)") was not in it, so a script took
    the empty answer for the last word."""
    from momentsearch.cli.main import main

    db = tmp_path / "db"
    with _first_run_writing(db) as writer:  # an index its first run has made, no file finished yet
        assert main(["search", "sediment where rivers meet the sea", "--db", str(db), "--json"]) == 0
        said = json.loads(capsys.readouterr().out)
        assert said["results"] == []
        assert [w[:w.index(" since ")] for w in said["warnings"]] == [
            f"the index is being written now by `index` (pid {writer.pid} on {socket.gethostname()}"]
    assert main(["search", "sediment where rivers meet the sea", "--db", str(db), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["warnings"] == []


def test_search_of_an_index_its_first_run_fills_does_not_ask_for_a_run(tmp_path, capsys):
    """While the first `index` fills a new index, `search` said "The index holds no searchable file yet:
    `momentsearch index FOLDER` adds some." above the note that a run writes it now (the advised run is
    refused: the index is taken), and --json's "empty_note" named the query's words instead."""
    from momentsearch.cli.main import main

    db = tmp_path / "db"
    with _first_run_writing(db):
        assert main(["search", "sediment", "--db", str(db)]) == 0
        said = " ".join(capsys.readouterr().out.split())
        assert "no searchable file yet: a run is indexing into it now" in said and "adds some" not in said
        assert main(["search", "sediment", "--db", str(db), "--json"]) == 0
        assert "a run is indexing into it now" in json.loads(capsys.readouterr().out)["empty_note"]
    assert main(["search", "sediment", "--db", str(db), "--json"]) == 0  # no writer: the run that adds files
    assert json.loads(capsys.readouterr().out)["empty_note"].endswith("`momentsearch index FOLDER` adds some.")


@pytest.mark.parametrize("command", [["prune"], ["remove", "talk.mp4"], ["index", "talk.mp4"]])
def test_a_writer_told_to_wait_says_whom_it_waits_for(tmp_path, capsys, monkeypatch, command):
    """`index --wait 3600` behind another run said "opening the index and loading models…" and nothing more for
    as long as it waited, which looked like a hang; `prune` and `remove` said nothing at all."""
    from momentsearch.cli.main import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "talk.mp4").write_bytes(b"not a video")
    db = tmp_path / "db"
    with _first_run_writing(db) as writer:
        assert main([*command, "--db", str(db), "--wait", "0.5"]) == 2  # still busy after half a second
        said = capsys.readouterr().err
        assert f"is being written by `index` (pid {writer.pid} on " in said
        assert "waiting up to 0.5s for it to finish (--wait)" in said
        assert "after waiting 0.5s" in said  # and then why it stopped
