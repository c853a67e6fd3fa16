"""Runs `python -m momentsearch.cli ARGS` in a fresh process forked from one that has already imported the
heavy libraries (torch, torchvision, open_clip, faster-whisper, chromadb): the command itself runs exactly as from a
shell, in its own process, without paying ~8 s of imports on each of the suite's hundreds of CLI calls.

Started as `python cli_fork.py`, it reads one JSON request per line on stdin ({"args", "env", "cwd", "out",
"err", "timeout"}) and answers one JSON line ({"returncode"} or {"timeout": true}). Nothing is imported that
starts threads which a fork would leave holding locks (onnxruntime, RapidOCR and Ray load in the child).
`FORKER.run` is the tests' side (conftest.run_cli): one server per test process, started on first use.
MOMENTSEARCH_TEST_NO_FORK=1 makes every call a plain `python -m momentsearch.cli` instead.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PRELOAD = ("numpy", "torch", "torchvision", "open_clip", "faster_whisper", "chromadb")
# variables that the preloaded libraries read when imported: a run that changes one gets a plain process
READ_AT_IMPORT = ("HF_", "TORCH", "OMP_", "MKL_", "OPENBLAS", "CUDA", "PYTHON", "CT2_", "TRANSFORMERS", "CHROMA")


def _child(request: dict) -> None:
    """In the forked process: the request's environment, folder and output files, then the CLI's __main__."""
    import runpy
    import traceback

    code = 1
    try:
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        for fd, path, flags in ((0, os.devnull, os.O_RDONLY), (1, request["out"], os.O_WRONLY),
                                (2, request["err"], os.O_WRONLY)):
            os.dup2(os.open(path, flags), fd)
    except BaseException:  # noqa: BLE001 - reported as the run's failure
        traceback.print_exc()
        os._exit(1)
    sys.argv = ["-m", *request["args"]]  # as `python -m`: runpy puts the module's path first
    sys.path[0] = request["cwd"]
    try:
        runpy.run_module("momentsearch.cli", run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
    except BaseException:  # noqa: BLE001 - as Python does: the traceback on stderr, exit status 1
        traceback.print_exc()
    try:
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def _run(request: dict) -> dict:
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        _child(request)
    deadline = time.monotonic() + request["timeout"]
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return {"returncode": os.waitstatus_to_exitcode(status)}
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return {"timeout": True}
        time.sleep(0.02)


def serve() -> None:
    for name in PRELOAD:
        __import__(name)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        print(json.dumps(_run(json.loads(line))), flush=True)


class Forker:
    """One `cli_fork.py` server per test process; `run` gives None when it is busy or cannot serve a run."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.lock = threading.Lock()
        self.read: dict = {}  # the variables the server's imports read, as it was started with them
        self.broken = os.environ.get("MOMENTSEARCH_TEST_NO_FORK") == "1"  # every CLI call a plain process

    def _start(self) -> None:
        self.read = {k: v for k, v in os.environ.items() if k.startswith(READ_AT_IMPORT)}
        self.proc = subprocess.Popen([sys.executable, __file__],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        atexit.register(self.proc.kill)
        if json.loads(self.proc.stdout.readline() or "{}").get("ready") is not True:
            self.broken = True

    def run(self, args: list[str], env: dict, timeout: float) -> subprocess.CompletedProcess | None:
        if self.broken or not self.lock.acquire(blocking=False):
            return None
        try:
            if self.proc is None:
                self._start()
            full = {**os.environ, **env}
            # a variable the server was started with, or one this call sets, must be as the server read it
            # (one that imports in this process added, e.g. torch's TORCHINDUCTOR_CACHE_DIR, was added there too)
            asked = [k for k in {*self.read, *env} if k.startswith(READ_AT_IMPORT)]
            if self.broken or any(full.get(k) != self.read.get(k) for k in asked):
                return None
            with tempfile.TemporaryDirectory() as tmp:
                out, err = Path(tmp, "out"), Path(tmp, "err")
                out.touch(), err.touch()
                request = {"args": list(args), "env": full, "cwd": os.getcwd(),
                           "out": str(out), "err": str(err), "timeout": timeout}
                self.proc.stdin.write(json.dumps(request) + "\n")
                self.proc.stdin.flush()
                line = self.proc.stdout.readline()
                if not line:  # the server died: this call and the rest run as plain processes
                    self.broken = True
                    return None
                answer = json.loads(line)
                if answer.get("timeout"):
                    raise subprocess.TimeoutExpired(["momentsearch", *args], timeout)
                return subprocess.CompletedProcess(["momentsearch", *args], answer["returncode"],
                                                   out.read_text(), err.read_text())
        finally:
            self.lock.release()


FORKER = Forker()  # one per test process


def plain_cli(args: list[str], env: dict, timeout: float) -> subprocess.CompletedProcess:
    """`python -m momentsearch.cli ARGS` as a plain process (what a forked run must answer like)."""
    return subprocess.run([sys.executable, "-m", "momentsearch.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=timeout)


if __name__ == "__main__":
    serve()
