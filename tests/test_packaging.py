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


def test_the_config_help_names_the_defaults_file_where_it_is_installed(monkeypatch):
    """`--config`'s help said "see momentsearch/data/default.toml", a path in the checkout: an installed package
    keeps it in site-packages. The help names the file where it is, on one line (argparse had broken the path
    at the hyphen of "site-packages", so it did not paste)."""
    from momentsearch.cli import args

    installed = Path("/home/ann/.venvs/lecture-search/lib/python3.11/site-packages/momentsearch/data/default.toml")
    monkeypatch.setattr(args, "DEFAULT_CONFIG", installed, raising=False)
    monkeypatch.setenv("COLUMNS", "80")
    parser = args.build_parser()
    sub = next(a for a in parser._actions if a.choices and "index" in a.choices)
    for command in ("index", "search", "serve"):
        assert any(str(installed) in line for line in sub.choices[command].format_help().splitlines()), command


def _git_files() -> list[str]:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout: the files to build the wheel from are git's tracked ones")
    return subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()


def test_the_wheel_holds_every_file_of_the_package_and_says_what_it_is(tmp_path):
    """What an installed momentsearch runs on is the wheel: every file in momentsearch/ (the default options,
    the page's scripts and styles, the sample lecture, the tiny CLIP config, py.typed) must be in it, with the
    version the package reports and the `momentsearch` command. Built from the tracked files alone, offline."""
    import importlib.util

    for needed in ("pip", "setuptools"):  # found, not imported: setuptools imported here breaks distutils' users
        if importlib.util.find_spec(needed) is None:
            pytest.skip(f"builds the wheel offline with pip and setuptools; this venv has no {needed}")
    source = tmp_path / "src"
    tracked = _git_files()
    for name in tracked:
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                            "-q", "-w", str(tmp_path / "dist"), str(source)], capture_output=True, text=True,
                           timeout=300)
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("momentsearch-*.whl")
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        meta_dir = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(z.read(f"{meta_dir}/METADATA").decode())
        entry_points = z.read(f"{meta_dir}/entry_points.txt").decode()
    package_files = {n for n in tracked if n.startswith("momentsearch/")}
    assert package_files - names == set()
    assert {"momentsearch/__main__.py", "momentsearch/py.typed", "momentsearch/data/default.toml"} <= names
    # the options files README names (`--config fast`): a pip-installed user has no checkout's configs/
    assert {f"momentsearch/data/configs/{name}.toml" for name in ("accurate", "fast", "mpnet")} <= names
    assert metadata["Version"] == momentsearch.__version__
    assert "momentsearch = momentsearch.cli:main" in entry_points


def test_a_shipped_options_file_is_named_alone_from_any_folder(tmp_path, monkeypatch, capsys):
    """README's `--config configs/fast.toml` worked in the checkout alone: the wheel held no configs/, so a
    pip-installed user had no way to use them. They ship in the package and `--config fast` names one; a file of
    that name in the working folder comes first, and a name that is neither says which names there are."""
    from momentsearch.cli.main import main
    from momentsearch.errors import ConfigError
    from momentsearch.options import Config, load_config

    monkeypatch.chdir(tmp_path)  # no configs/ here
    assert load_config("fast").asr.model == "tiny.en" != Config().asr.model
    assert load_config("accurate.toml").asr.beam_size == 5
    assert load_config("mpnet").models.text_model == "all-mpnet-base-v2"
    (tmp_path / "fast.toml").write_text("[asr]\nbeam_size = 3\n")  # the user's own file of that name
    assert load_config("fast.toml").asr.beam_size == 3
    with pytest.raises(ConfigError, match="NAME one of accurate, fast, mpnet"):
        load_config("configs/fast.toml")
    assert main(["info", "--config", "accurate", "--db", str(tmp_path / "none")]) == 2
    assert "config" not in capsys.readouterr().err  # the options were read; the index is what is missing
    assert [p.resolve() for p in sorted((REPO / "configs").glob("*.toml"))] == sorted(
        (REPO / "momentsearch" / "data" / "configs").glob("*.toml"))  # the checkout's configs/ links to them


def test_the_version_is_written_once():
    """pyproject.toml and momentsearch/__init__.py each wrote "0.1.0": a release that bumped one left the wheel's
    version and the one the index records for each file (its upgrade check) apart. pyproject reads the package's."""
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "momentsearch.__version__"}


def test_the_help_for_an_optional_model_says_how_a_wheel_install_gets_it(monkeypatch):
    """`index --help` sent --text-model all-mpnet-base-v2 to `scripts/setup.sh --mpnet` alone, which an installed
    package does not have; the extra that installs the same weights is named too."""
    from momentsearch.cli import args

    monkeypatch.setenv("COLUMNS", "200")
    sub = next(a for a in args.build_parser()._actions if a.choices and "index" in a.choices)
    assert "pip install 'momentsearch[mpnet]'" in sub.choices["index"].format_help()
