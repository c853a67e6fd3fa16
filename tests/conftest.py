"""Shared fixtures: generated lecture videos (Pillow slides + espeak-ng speech) and CLI runners."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

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


@pytest.fixture(scope="session")
def lecture(tmp_path_factory):
    """A rendered lecture (default sections, incl. a roadmap slide) and its true section windows."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (scripts/setup.sh installs it)")
    from momentsearch.testing.synth import default_sections, render_lecture

    path = tmp_path_factory.mktemp("lecture") / "lecture.mp4"
    sections = render_lecture(path, default_sections(), size=(480, 270), fps=5)
    return path, {s.title: (s.start, s.end) for s in sections}


@pytest.fixture(scope="session")
def second_lecture(tmp_path_factory):
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (scripts/setup.sh installs it)")
    from momentsearch.testing.synth import Section, render_lecture

    sections = [
        Section("Databases 101", "Today we learn how a database index speeds up a query. "
                "A B-tree keeps keys sorted so a lookup touches only a few pages.", ["B-trees", "Pages"], "bar"),
        Section("Transactions", "A transaction is all or nothing. If the power fails halfway, "
                "the log lets the database undo the partial work.", ["Atomicity", "Logging"], "line"),
    ]
    path = tmp_path_factory.mktemp("lecture2") / "databases.mp4"
    out = render_lecture(path, sections, size=(480, 270), fps=5)
    return path, {s.title: (s.start, s.end) for s in out}


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


@pytest.fixture(scope="session")
def indexed_lecture(lecture, tmp_path_factory):
    """The lecture indexed through the CLI with every channel (tiny CLIP); (db, video, windows, stdout)."""
    path, windows = lecture
    db = tmp_path_factory.mktemp("db")
    proc = run_cli("index", str(path), "--db", str(db), *TINY_CLIP_ARGS)
    return db, path, windows, proc.stdout


@pytest.fixture(scope="session")
def two_lectures(lecture, second_lecture, tmp_path_factory):
    """Both lectures indexed into one index through the CLI (tiny CLIP, OCR on): (db, {name: (path, windows)})."""
    db = tmp_path_factory.mktemp("two-db")
    run_cli("index", str(lecture[0]), str(second_lecture[0]), "--db", str(db), *TINY_CLIP_ARGS, "--quiet")
    return db, {"lecture": lecture, "databases": second_lecture}
