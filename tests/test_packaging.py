"""momentsearch installed as a package, not run from the checkout: what the wheel holds, and the ways in
that do not depend on being in the repository (`python -m momentsearch`, the help naming shipped files)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

import momentsearch

REPO = Path(momentsearch.__file__).resolve().parent.parent


def test_python_dash_m_momentsearch_runs_the_command_line(tmp_path):
    """`python -m momentsearch --version` (the usual way in when the script is not on PATH, e.g. a venv not
    activated) answered "No module named momentsearch.__main__"; only `python -m momentsearch.cli` worked."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "momentsearch", "--version"], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=120)
    assert (done.returncode, done.stdout.strip()) == (0, f"momentsearch {momentsearch.__version__}"), done.stderr
