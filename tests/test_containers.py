"""momentsearch in containers and on shared servers: a user with no home folder to tell (no $HOME, a uid with no
passwd entry), a home it cannot write, XDG_CACHE_HOME set, and a group sharing an index or cache under umask 002."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from momentsearch.cli.output import short_path
from momentsearch.models.device import cache_root, join_files
from momentsearch.models.whisper_weights import resolve_faster_whisper_model
from momentsearch.ranking.lexical import LexicalIndex
from momentsearch.search import cache as search_cache
from momentsearch.store.client import make_client
from momentsearch.store.lock import WriterLock, lock_path


@pytest.fixture
def no_home(monkeypatch):
    """No $HOME and a uid the passwd database does not know, as `docker run --user 12345` gives."""
    import pwd

    def unknown(uid):
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("MOMENTSEARCH_CACHE", raising=False)
    monkeypatch.setattr(pwd, "getpwuid", unknown)


@pytest.fixture
def group_umask():
    """umask 002, as a group sharing a folder sets it."""
    before = os.umask(0o002)
    try:
        yield
    finally:
        os.umask(before)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_without_a_home_folder_the_cache_is_a_private_folder_and_paths_print(no_home, tmp_path):
    """`Path.home()` raised RuntimeError ("Could not determine home directory") out of cache_root and out of
    every table's short_path: a traceback from `index` for a container's user."""
    root = cache_root()  # this process's own, under the temporary folder (removed as it exits)
    assert root.parent == Path(tempfile.gettempdir()) and root.name.startswith("momentsearch-cache-")
    assert root.is_dir() and _mode(root) == 0o700
    assert short_path(str(tmp_path / "talk.mp4"), width=200).endswith("talk.mp4")


def test_xdg_cache_home_holds_the_cache(tmp_path, monkeypatch):
    """XDG_CACHE_HOME (a container's writable cache while $HOME is read-only) was ignored: the joined Whisper model
    and a read-only index's search cache went to ~/.cache all the same."""
    monkeypatch.delenv("MOMENTSEARCH_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "momentsearch"
    monkeypatch.setenv("MOMENTSEARCH_CACHE", str(tmp_path / "mine"))
    assert cache_root() == tmp_path / "mine"  # momentsearch's own variable first
    monkeypatch.setenv("MOMENTSEARCH_CACHE", "")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # invalid by the XDG spec: ignored
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_root() == tmp_path / "home" / ".cache" / "momentsearch"


def test_an_index_opens_for_a_user_without_a_home_folder(tmp_path):
    """chromadb asks for the home folder as it is imported: `momentsearch index` (and search, info, serve) of a
    user with no $HOME and no passwd entry stopped with its RuntimeError traceback."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run as a uid with no passwd entry")
    shared = Path(tempfile.mkdtemp(prefix="momentsearch-test-nohome-"))  # pytest's own folders are 0700
    shared.chmod(0o777)
    try:
        _open_without_home(shared)
    finally:
        shutil.rmtree(shared, ignore_errors=True)


def _open_without_home(shared: Path) -> None:
    code = ("import sys; from momentsearch.store.client import make_client; "
            "make_client(sys.argv[1]).heartbeat(); print('opened')")
    env = {k: v for k, v in os.environ.items() if k not in ("HOME", "XDG_CACHE_HOME", "MOMENTSEARCH_CACHE")}
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    proc = subprocess.run(["setpriv", "--reuid", "54321", "--regid", "54321", "--clear-groups", sys.executable,
                           "-c", code, str(shared / "db")], env=env, capture_output=True, text=True, timeout=120,
                          cwd=shared)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "opened"


def test_whisper_base_loads_where_the_cache_cannot_be_written(tmp_path, monkeypatch):
    """HOME=/nonexistent (or read-only) and no MOMENTSEARCH_CACHE: `index` stopped with "cannot assemble the
    faster-whisper 'base' model", although the model ships in the installed packages."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")  # a cache root under a file: no user, root included, can make it
    monkeypatch.setenv("MOMENTSEARCH_CACHE", str(blocker / "cache"))
    folder = Path(resolve_faster_whisper_model("base"))
    assert folder.parent.name.startswith("momentsearch-cache-") and folder.name == "whisper-base"
    assert (folder / "model.bin").stat().st_size > 100_000_000


def test_a_joined_model_is_readable_by_the_group_sharing_the_cache(tmp_path, group_umask):
    """join_files wrote through mkstemp (0600): another user of a shared MOMENTSEARCH_CACHE found model.bin there,
    of the right size, and faster-whisper could not open it ("Unable to open file 'model.bin'")."""
    parts = [tmp_path / "a", tmp_path / "b"]
    for i, part in enumerate(parts):
        part.write_bytes(bytes([i]) * 10)
    join_files(parts, tmp_path / "joined")
    assert (tmp_path / "joined").read_bytes() == b"\0" * 10 + b"\1" * 10
    assert _mode(tmp_path / "joined") == 0o664


def test_a_new_index_is_writable_by_the_group_when_the_umask_allows(tmp_path, group_umask):
    """SQLite makes its database 0644 and the writer lock was opened 0644, whatever the umask: under umask 002 in
    a group's folder another member's `index` stopped with "cannot write to the index ... permission denied"."""
    make_client(str(tmp_path / "db"))
    assert _mode(tmp_path / "db" / "chroma.sqlite3") == 0o664
    lock = WriterLock(tmp_path / "db").acquire()
    try:
        assert _mode(lock_path(tmp_path / "db")) == 0o664
    finally:
        lock.release()


def test_a_private_umask_keeps_a_new_index_private(tmp_path):
    before = os.umask(0o077)
    try:
        make_client(str(tmp_path / "db"))
        WriterLock(tmp_path / "db").acquire().release()
    finally:
        os.umask(before)
    assert _mode(tmp_path / "db" / "chroma.sqlite3") == 0o600
    assert _mode(lock_path(tmp_path / "db")) == 0o600


def test_a_search_cache_is_readable_by_the_group_sharing_the_index(tmp_path, group_umask):
    """The search cache was saved through mkdtemp (0700): every other member's search found it there, could not
    read it nor replace it, and built it again each time."""
    root = tmp_path / "cache"
    root.mkdir()
    root.chmod(0o2775)
    texts = ["plate tectonics and subduction", "compound interest"]
    assert search_cache.save(root, "k1", ["a", "b"], texts, [{}, {}], LexicalIndex(texts))
    saved = root / "transcript-k1"
    assert _mode(saved) == 0o2775  # the setgid bit kept: what is made in it later keeps the group
    assert {_mode(p) for p in saved.rglob("*") if p.is_file()} == {0o664}
    assert search_cache.load(root, "k1") is not None


def test_demo_without_a_home_folder_asks_for_a_folder(no_home, tmp_path, monkeypatch, capsys):
    """`momentsearch demo` with no home folder: the index went into a folder named "~" in the working folder
    (expanduser leaves "~" as it is there), or, with the private cache, into a folder removed as it exited, while
    the printed `search ... --db` command named it."""
    from momentsearch import cli

    monkeypatch.chdir(tmp_path)
    assert cli.main(["demo"]) == 2
    err = capsys.readouterr().err
    assert "--db DIR" in err and "MOMENTSEARCH_CACHE" in err
    assert list(tmp_path.iterdir()) == []


def test_missing_clip_weights_name_the_hugging_face_cache_that_was_searched(tmp_path, monkeypatch):
    """With HF_HOME set (a container's model volume) the warning said it "looked in the Hugging Face cache
    (~/.cache/huggingface/hub)", a folder it never looked in."""
    pytest.importorskip("open_clip")
    from huggingface_hub import constants

    from momentsearch.errors import ModelUnavailableError
    from momentsearch.models.clip import ClipModel

    monkeypatch.delenv("MOMENTSEARCH_ALLOW_DOWNLOAD", raising=False)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "models" / "hub"))
    with pytest.raises(ModelUnavailableError) as err:
        ClipModel("ViT-B-32", "laion2b_s34b_b79k").load()
    assert f"looked in the Hugging Face cache ({tmp_path / 'models' / 'hub'})" in str(err.value)


def test_a_lock_another_user_made_0644_says_how_to_share_the_index(tmp_path):
    """An index an earlier momentsearch made (its writer lock 0644 whatever the umask), shared by a group:
    another member's `index` stopped with a bare "...store.lock: Permission denied"."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run as another user")
    shared = Path(tempfile.mkdtemp(prefix="momentsearch-test-lock-"))  # pytest's own folders are 0700
    try:
        shared.chmod(0o777)
        (shared / "db").mkdir(mode=0o777)
        (shared / "db").chmod(0o777)
        lock_path(shared / "db").write_text("")
        lock_path(shared / "db").chmod(0o644)
        code = ("import sys; from momentsearch.errors import IndexWriteError; from momentsearch.store.lock import "
                "WriterLock\ntry:\n    WriterLock(sys.argv[1]).acquire()\nexcept IndexWriteError as exc:\n"
                "    print(exc)")
        proc = subprocess.run(["setpriv", "--reuid", "54321", "--regid", "54321", "--clear-groups", sys.executable,
                               "-c", code, str(shared / "db")], capture_output=True, text=True, timeout=120,
                              env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}, cwd=shared)
        assert proc.returncode == 0, proc.stderr
        assert "permission denied (it belongs to root, mode 0644" in proc.stdout
        assert f"chmod -R g+w {shared / 'db'}" in proc.stdout
    finally:
        shutil.rmtree(shared, ignore_errors=True)
