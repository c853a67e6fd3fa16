"""Shared fixtures: generated lecture videos (Pillow slides + espeak-ng speech) and CLI runners."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Callable

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from cli_fork import FORKER, plain_cli  # noqa: E402
from momentsearch.models.clip import TINY_CLIP_CONFIG  # noqa: E402

# A tiny randomly initialised open_clip model: the visual channel runs for real, its scores mean nothing.
TINY_CLIP_ARGS = ["--clip-model", str(TINY_CLIP_CONFIG), "--clip-pretrained", "random"]

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                  reason="espeak-ng is not installed (scripts/setup.sh installs it)")


def iou(a: tuple[float, float], b: tuple[float, float]) -> float:
    inter = max(0.0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union > 0 else 0.0


def built_once(tmp_path_factory, name: str, build: Callable[[Path], Any]) -> tuple[Path, Any]:
    """(folder, `build(folder)`'s JSON answer), made once per test run for all of pytest-xdist's workers: the
    first worker to ask builds it (under a file lock) in a folder of the run's shared temporary directory, the
    others wait for it and read the answer. What it builds is read-only to the tests: copy it to change it."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder, answer = root / f"shared-{name}", root / f"shared-{name}.json"
    with open(root / f"shared-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not answer.exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a worker that failed building left
            folder.mkdir()
            answer.write_text(json.dumps(build(folder)))
        return folder, json.loads(answer.read_text())


def rendered_once(tmp_path_factory, name: str, sections_of: Callable[[], list]) -> tuple[Path, dict]:
    """A lecture rendered once per run (480x270, 5 fps): (path, {title: (start, end)})."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (scripts/setup.sh installs it)")

    def build(folder: Path) -> dict:
        from momentsearch.testing.synth import render_lecture

        path = folder / name
        out = render_lecture(path, sections_of(), size=(480, 270), fps=5)
        return {"path": str(path), "windows": {s.title: [s.start, s.end] for s in out}}

    _, got = built_once(tmp_path_factory, Path(name).stem, build)
    return Path(got["path"]), {title: tuple(window) for title, window in got["windows"].items()}


@pytest.fixture(scope="session")
def lecture(tmp_path_factory):
    """A rendered lecture (default sections, incl. a roadmap slide) and its true section windows."""
    from momentsearch.testing.synth import default_sections

    return rendered_once(tmp_path_factory, "lecture.mp4", default_sections)


def _database_sections() -> list:
    from momentsearch.testing.synth import Section

    return [
        Section("Databases 101", "Today we learn how a database index speeds up a query. "
                "A B-tree keeps keys sorted so a lookup touches only a few pages.", ["B-trees", "Pages"], "bar"),
        Section("Transactions", "A transaction is all or nothing. If the power fails halfway, "
                "the log lets the database undo the partial work.", ["Atomicity", "Logging"], "line"),
    ]


@pytest.fixture(scope="session")
def second_lecture(tmp_path_factory):
    """Another rendered lecture (two database sections) and its true section windows."""
    return rendered_once(tmp_path_factory, "databases.mp4", _database_sections)


def run_cli(*args: str, check: bool = True, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    """Runs the real `momentsearch` command line in its own process (forked from one with torch and the
    models' libraries imported: see cli_fork.py; a plain `python -m momentsearch.cli` when it cannot)."""
    proc = FORKER.run(list(args), env or {}, timeout)
    if proc is None:
        proc = plain_cli(list(args), env or {}, timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"momentsearch {' '.join(args)} exited {proc.returncode}\n"
                             f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc


def search_json(db: Path, query: str, *extra: str) -> dict:
    return json.loads(run_cli("search", query, "--db", str(db), "--json", *extra).stdout)


def _index_once(tmp_path_factory, name: str, args: list[str]) -> tuple[Path, str]:
    """`momentsearch index ARGS --db <db>` run once per test run; each test process gets its own copy of the
    index (tests may write to it): (db, the command's stdout)."""
    def build(folder: Path) -> dict:
        return {"stdout": run_cli("index", *args, "--db", str(folder / "db")).stdout}

    folder, got = built_once(tmp_path_factory, name, build)
    db = tmp_path_factory.mktemp(name) / "db"
    shutil.copytree(folder / "db", db)
    return db, got["stdout"]


@pytest.fixture(scope="session")
def indexed_lecture(lecture, tmp_path_factory):
    """The lecture indexed through the CLI with every channel (tiny CLIP); (db, video, windows, stdout)."""
    path, windows = lecture
    db, stdout = _index_once(tmp_path_factory, "db", [str(path), *TINY_CLIP_ARGS])
    return db, path, windows, stdout


@pytest.fixture(scope="session")
def two_lectures(lecture, second_lecture, tmp_path_factory):
    """Both lectures indexed into one index through the CLI (tiny CLIP, OCR on): (db, {name: (path, windows)})."""
    db, _ = _index_once(tmp_path_factory, "two-db", [str(lecture[0]), str(second_lecture[0]), *TINY_CLIP_ARGS,
                                                     "--quiet"])
    return db, {"lecture": lecture, "databases": second_lecture}
