"""A one-off command stopped by `kill` (SIGTERM), Ctrl-C (SIGINT) or a dropped ssh session (SIGHUP) leaves
nothing of its own in $TMPDIR: a read-only index's private copy went with SIGINT only, and one
`momentsearch-readonly-*` folder stayed in /tmp per `transcript` or `chapters` a scheduler killed."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest


def _unprivileged() -> list[str]:
    """The prefix that runs a command as a user whom file modes stop (as in test_read_only_share.py)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root, where file modes do not bite, and setpriv is not there to drop root's "
                    "capabilities")
    return ["setpriv", "--bounding-set=-all", "--inh-caps=-all"]


def _read_only_copy(db: Path, where: Path) -> Path:
    copy = where / "shared-db"
    shutil.copytree(db, copy)
    for path in sorted(copy.rglob("*"), reverse=True) + [copy]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    return copy


def _default_stops() -> None:
    """In the child: the stop signals' default actions. Tests run as a background job (SIGINT ignored) or under
    nohup (SIGHUP ignored) hand those down, and an ignored signal stays ignored (the CLI keeps it so)."""
    for signum in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)


def _stopped_once_copied(args: list[str], tmp: Path, signum: int) -> subprocess.CompletedProcess:
    """Runs the command with its own TMPDIR, and sends `signum` once its private copy of the index is there."""
    env = {**os.environ, "TMPDIR": str(tmp), "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([*_unprivileged(), sys.executable, "-m", "momentsearch.cli", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_default_stops)
    deadline = time.monotonic() + 120
    while not list(tmp.glob("momentsearch-readonly-*")):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            out, err = proc.communicate()
            pytest.fail(f"no private copy was made (exit {proc.returncode}): {err}")
        time.sleep(0.002)
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.parametrize("signum, status, words", [
    (signal.SIGTERM, 143, "stopped by kill (SIGTERM)"),
    (signal.SIGHUP, 129, "stopped: the terminal hung up (SIGHUP)"),
    (signal.SIGINT, 130, "interrupted"),
])
@pytest.mark.parametrize("command", ["transcript", "chapters"])
def test_a_stopped_reader_removes_its_copy_of_a_read_only_index(indexed_lecture, tmp_path, command, signum,
                                                                 status, words):
    db, video, _, _ = indexed_lecture
    shared = _read_only_copy(db, tmp_path)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    try:
        proc = _stopped_once_copied([command, str(video), "--db", str(shared)], tmp, signum)
    finally:
        for path in [shared, *shared.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
    assert sorted(p.name for p in tmp.iterdir()) == []
    assert proc.returncode == status, proc.stderr
    assert proc.stderr == f"momentsearch: {words}\n"


_MAKE_ONE = ("import sys, time; from momentsearch.scratch import make_scratch; "
             "print(make_scratch('readonly'), flush=True); time.sleep(600)")


def _made_by_a_child(tmp: Path) -> tuple[subprocess.Popen, Path]:
    env = {**os.environ, "TMPDIR": str(tmp), "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen([sys.executable, "-c", _MAKE_ONE], env=env, stdout=subprocess.PIPE, text=True)
    folder = Path(child.stdout.readline().strip())
    old = time.time() - 3600  # as if made an hour ago: past the grace a folder in the making gets
    os.utime(folder / ".momentsearch-owner.lock", (old, old))
    return child, folder


def test_the_next_run_removes_the_copy_of_a_killed_process_and_only_that(tmp_path, monkeypatch):
    """SIGKILL (or the OOM killer) leaves a process no chance to remove its copy: the next one made removes the
    copies whose maker is dead, keeps a living one's, and never touches a folder it cannot tell the owner of."""
    from momentsearch import scratch

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    killed, orphan = _made_by_a_child(tmp_path)
    living, kept = _made_by_a_child(tmp_path)
    unknown = tmp_path / "momentsearch-readonly-older-version"
    (unknown / "db").mkdir(parents=True)
    try:
        killed.kill()
        killed.wait()
        assert orphan.is_dir()
        mine = scratch.make_scratch("readonly")
        assert not orphan.exists()
        assert kept.is_dir() and unknown.is_dir() and mine.is_dir()
        scratch.remove_scratch(mine)
        assert not mine.exists()
    finally:
        living.kill()
        living.wait()


def _stopped_at(step: int, call, counting=lambda: True) -> bool:
    """Runs `call` with a KeyboardInterrupt raised before the `step`-th bytecode of what it calls (not of this
    file) since `counting()` first held, as a stop signal's handler raises one in the main thread between any two
    bytecodes, whatever thread the kernel gave the signal to. True where it was raised (and went up to here, or
    was caught in `call`), False where `call` ended first."""
    count, before = 0, sys.gettrace()

    def tracer(frame, event, arg):
        nonlocal count
        frame.f_trace_opcodes = True
        if event == "opcode" and frame.f_code.co_filename != __file__ and (count or counting()):
            count += 1
            if count == step:
                raise KeyboardInterrupt  # (Python unsets a tracer that raises: one interrupt per run)
        return tracer

    sys.settrace(tracer)
    try:
        call()
    except KeyboardInterrupt:
        pass
    finally:
        sys.settrace(before)
    return count >= step


def _exit(scratch) -> None:
    """What atexit does with the module's callbacks: runs each, whatever the one before raised (a stop inside
    shutil.rmtree can end it with an OSError: rmtree closes a descriptor again in a `finally`)."""
    for callback in getattr(scratch, "AT_EXIT", [scratch._remove_all]):  # (before: registered once)
        try:
            callback()
        except BaseException:  # noqa: BLE001 - atexit reports any and goes on
            pass


def _in_a_thread_of_its_own(body) -> None:
    """Runs `body` in a new thread and raises what it raised: an exception raised by a tracer inside an `except`
    block (pathlib's lazy __str__ has one) leaves the thread's exception state holding it, and every later
    exception in that thread took it for its context (a pytest worker's next test read it in a message)."""
    failed = []

    def run():
        try:
            body()
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
            failed.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if failed:
        raise failed[0]


def test_a_stop_at_any_point_while_a_folder_is_made_leaves_nothing_at_exit(tmp_path, monkeypatch):
    """A folder made but not yet noted stayed behind (an empty one, or one holding its lock file alone): blocking
    the stop signals in the main thread held them only where the process had no other thread, and a reader of
    a read-only index has one (the kernel hands a `kill` to a thread that does not block it)."""
    from momentsearch import scratch

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    monkeypatch.setattr(scratch, "_live", {})  # the interrupts land inside pathlib too: their leftovers stay here

    def body():
        step = 0  # bytecodes since the folder is on disk (a stop before then finds nothing to leave)
        while _stopped_at(step := step + 1, lambda: scratch.make_scratch("readonly"), lambda: any(tmp_path.iterdir())):
            _exit(scratch)
            assert sorted(tmp_path.iterdir()) == [], f"a stop {step} bytecodes after the folder was made"
        assert step > 20  # (it was stopped all along the way)
        _exit(scratch)
        assert sorted(tmp_path.iterdir()) == []
    _in_a_thread_of_its_own(body)


def test_a_stop_while_folders_are_removed_at_exit_removes_them_all(tmp_path, monkeypatch):
    """Ctrl-C or `kill` as the command ends (a second one, or one sent as it finished) cut the removal at exit
    short, and the rest of the folder and those after it stayed."""
    from momentsearch import scratch

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    monkeypatch.setattr(scratch, "_live", {})  # the interrupts land inside pathlib too: their leftovers stay here

    def body():
        step = 0
        while True:
            copy = scratch.make_scratch("readonly") / "db"
            (copy / "segment").mkdir(parents=True)
            (copy / "segment" / "data.bin").write_bytes(b"x" * 64)
            (copy / "segment").chmod(0o555)  # as a copy cut short leaves a read-only index's folder
            scratch.make_scratch("readonly")
            step += 1 if step < 100 else 7  # every bytecode of the callbacks' start, then a sample (each run is
            stopped = _stopped_at(step, lambda: _exit(scratch))  # traced from the start: all took a minute)
            assert sorted(tmp_path.iterdir()) == [], f"a stop before bytecode {step} of the removal at exit"
            if not stopped:
                break
        assert step > 20
    _in_a_thread_of_its_own(body)
