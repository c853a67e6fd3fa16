"""scripts/setup.sh's system packages off Debian: it names what to install and goes on (the user install needs
none of them; the tests that do are skipped, saying why)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

SETUP = Path(__file__).resolve().parents[1] / "scripts" / "setup.sh"


def apt_install(tmp_path: Path, *packages: str, tools: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """setup.sh's own `apt_install` run with a PATH that holds only bash, id and `tools` (no dpkg, no apt-get)."""
    function = re.search(r"^apt_install\(\) \{.*?^\}", SETUP.read_text(), re.S | re.M).group(0)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "id", *tools):
        os.symlink(shutil.which(tool), bin_dir / tool)
    script = f"set -euo pipefail\n{function}\napt_install {' '.join(packages)}\necho went-on\n"
    return subprocess.run([str(bin_dir / "bash"), "-c", script], env={"PATH": str(bin_dir)},
                          capture_output=True, text=True, timeout=30)


def test_without_apt_get_the_missing_packages_are_named_and_setup_goes_on(tmp_path):
    done = apt_install(tmp_path, "espeak-ng", "chromium")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "went-on"
    assert "no apt-get here: install espeak-ng chromium" in done.stderr


def test_a_package_whose_command_is_there_is_not_asked_for(tmp_path):
    done = apt_install(tmp_path, "sed", "espeak-ng", tools=("sed",))
    assert done.returncode == 0, done.stderr
    assert "no apt-get here: install espeak-ng with" in done.stderr  # the list is espeak-ng alone
