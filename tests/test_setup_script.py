"""scripts/setup.sh's system packages off Debian: it names what to install; without the tests' packages it goes on
(their tests are skipped, saying why), without one it needs itself (python3-venv) it stops."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

SETUP = Path(__file__).resolve().parents[1] / "scripts" / "setup.sh"


def shell_function(name: str) -> str:
    return re.search(rf"^{name}\(\) \{{.*?^\}}", SETUP.read_text(), re.S | re.M).group(0)


def run_function(tmp_path: Path, name: str, *packages: str, tools: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """setup.sh's own function `name` (`apt_install` and the one that calls it) run with a PATH that holds only
    bash, id and `tools` (no dpkg, no apt-get), as setup.sh runs it (set -e: a failure stops the script)."""
    functions = shell_function("apt_install") + "\n" + shell_function("test_packages")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "id", *tools):
        os.symlink(shutil.which(tool), bin_dir / tool)
    script = f"set -euo pipefail\n{functions}\n{name} {' '.join(packages)}\necho went-on\n"
    return subprocess.run([str(bin_dir / "bash"), "-c", script], env={"PATH": str(bin_dir)},
                          capture_output=True, text=True, timeout=30)


def test_without_apt_get_the_tests_packages_are_named_and_setup_goes_on(tmp_path):
    done = run_function(tmp_path, "test_packages", "espeak-ng", "chromium")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "went-on"
    assert "no apt-get here: install espeak-ng chromium" in done.stderr and "going on without them" in done.stderr


def test_without_apt_get_a_package_setup_needs_stops_it_saying_what_to_install(tmp_path):
    done = run_function(tmp_path, "apt_install", "python3-venv")
    assert done.returncode == 1 and "went-on" not in done.stdout
    assert "no apt-get here: install python3-venv with" in done.stderr


def test_a_package_whose_command_is_there_is_not_asked_for(tmp_path):
    done = run_function(tmp_path, "test_packages", "sed", "espeak-ng", tools=("sed",))
    assert done.returncode == 0, done.stderr
    assert "no apt-get here: install espeak-ng with" in done.stderr  # the list is espeak-ng alone
