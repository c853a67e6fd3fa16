"""A teacher's recordings move and change under an index: the folder moved (with its index) to another
drive, a video replaced by a re-edited one under the same name, a recording still being written when
it was indexed. Until `index` runs again the entries describe files that are not there, or not what is
there now: `info` and the server's answers say so, with what to do."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from momentsearch.types import FileRecord, Moment


def _record(path: Path, video_id: str) -> FileRecord:
    st = path.stat()
    return FileRecord(path=str(path), video_id=video_id, size=st.st_size, mtime=st.st_mtime, duration=3.0,
                      channels=["transcript"], visual_segments=[(0.0, 3.0)], complete=True,
                      device=st.st_dev, inode=st.st_ino, mime="video/mp4")


def _replace(path: Path, data: bytes) -> None:
    """A re-edited export saved over the old one: other bytes, another size, a later modified time."""
    old = path.stat().st_mtime
    path.write_bytes(data)
    os.utime(path, (old + 60, old + 60))


@pytest.fixture
def lectures(tmp_path):
    """Three indexed 'recordings' on a USB drive, and their records as `index` wrote them."""
    folder = tmp_path / "usb" / "lectures"
    folder.mkdir(parents=True)
    names = ["week1.mp4", "week2.mp4", "week3.mp4"]
    for i, name in enumerate(names):
        (folder / name).write_bytes(bytes([i]) * (1000 + i))
    return folder, [_record(folder / n, str(i) * 16) for i, n in enumerate(names)]


def test_file_state_tells_moved_from_replaced_from_unchanged(lectures, tmp_path):
    from momentsearch.store.filestate import MISSING, MODIFIED, PRESENT, file_state

    folder, (one, two, three) = lectures
    assert [file_state(r) for r in (one, two, three)] == [PRESENT] * 3
    _replace(folder / "week2.mp4", b"re-edited" * 50)
    (folder / "week3.mp4").rename(tmp_path / "elsewhere.mp4")
    assert [file_state(r) for r in (one, two, three)] == [PRESENT, MODIFIED, MISSING]


def test_info_says_which_file_changed_since_it_was_indexed(lectures, monkeypatch, capsys):
    """`info` called a video replaced by a re-edited one under the same name "complete", and search went on
    answering with the old version's words at the old version's times; nothing hinted at `index`."""
    import io

    from rich.console import Console

    from momentsearch.api import IndexInfo
    from momentsearch.cli import info_output, output

    folder, records = lectures
    _replace(folder / "week2.mp4", b"re-edited" * 50)
    info = IndexInfo(db=str(folder / "db"), files=records, channels=["transcript"], models={}, counts={})
    buffer = io.StringIO()
    monkeypatch.setattr(output, "out", Console(file=buffer, width=100, soft_wrap=True))
    info_output.print_info(info)
    details = buffer.getvalue().split("3 files:")[1].splitlines()
    assert details[2].endswith("complete") and details[6].endswith("complete")
    assert "file changed since indexed (`momentsearch index` on it again updates it)" in details[4]

    from test_folder_changes import info_json

    listed = info_json(info, folder / "db", monkeypatch, capsys)["files"]
    assert [(f["exists"], f["changed"]) for f in listed] == [(True, False), (True, True), (True, False)]


def test_the_server_says_which_results_cannot_be_played_as_indexed(lectures, tmp_path):
    """The folder moved to the network share with its index, one video re-edited: the page listed the
    results as if nothing had happened (health "ok", no warning) and only a press of play told, one 409 at a
    time. /api/health and /api/search now name the files moved away or changed, and what to do."""
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from momentsearch.server.app import create_app
    from test_server import _FakeIndex

    class Index(_FakeIndex):
        def search(self, query, k=10, kind=None, video=None, everywhere=False):  # one moment in each file
            return [Moment(video=r.path, video_id=r.video_id, start=0.0, end=2.0, score=0.5,
                           channels={"transcript": 0.5}, text=query) for r in self.files.values()][:k]

    folder, records = lectures
    index = Index(records)
    with TestClient(create_app(index, warm=False), base_url="http://localhost") as client:
        assert client.get("/api/health").json()["warnings"] == []
        assert client.get("/api/search", params={"q": "roadmap"}).json()["warnings"] == []

    share = tmp_path / "share" / "Vorlesungen Ünï 2026"
    share.mkdir(parents=True)
    shutil.move(str(folder), str(share / "lectures"))
    (share / "lectures" / "week1.mp4").rename(folder.parent / "week1.mp4")  # one stays where it was indexed
    _replace(folder.parent / "week1.mp4", b"re-edited" * 50)
    records[0] = replace(records[0], path=str(folder.parent / "week1.mp4"))
    index = Index(records)
    with TestClient(create_app(index, warm=False), base_url="http://localhost") as client:
        (health,) = client.get("/api/health").json()["warnings"]
        assert health.startswith("2 files not where indexed (moved or deleted): week2.mp4, week3.mp4 "
                                 "(`momentsearch index FOLDER` where they went finds them again")
        assert "1 file changed since indexed (replaced, re-edited, or still being written then): week1.mp4" in health
        (said,) = client.get("/api/search", params={"q": "roadmap", "k": 2}).json()["warnings"]
        assert said.startswith("1 file not where indexed (moved or deleted): week2.mp4 (`momentsearch index "
                               "FOLDER` where it went finds it again, `momentsearch prune` takes it out).")
        assert "week1.mp4" in said and "week3.mp4" not in said  # only the results shown
        assert client.get(f"/api/media/{records[1].video_id}").status_code == 409  # what the warning foretells


def test_a_dry_run_of_prune_or_remove_lists_from_a_read_only_index(tmp_path):
    """A colleague's read-only copy of the index (a share mounted read-only): search and info worked, but
    `prune --dry-run`, which only lists, stopped with "cannot write ... index into a writable --db" (advice
    that fits `index` alone). A dry run now lists from it, writing nothing; a real prune says it needs write
    access to this index and that its dry run works."""
    import chromadb

    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store
    from test_safety import _read_only_mount, _tree_digest

    ro = tmp_path / "ro"
    db, here, gone = ro / "db", tmp_path / "week1.mp4", tmp_path / "week2.mp4"
    here.write_bytes(b"x" * 100)
    store = Store(make_client(str(db)))
    for i, path in enumerate((here, gone)):
        store.put_file(FileRecord(path=str(path), video_id=str(i) * 16, size=100, mtime=here.stat().st_mtime,
                                  complete=True))
    del store
    chromadb.api.client.SharedSystemClient.clear_system_cache()
    before = _tree_digest(ro)

    proc = _read_only_mount(ro, ["prune", "--dry-run", "--db", str(db)])
    assert proc.returncode == 0, proc.stderr
    assert f"would remove: {gone} (file no longer exists)" in proc.stdout and str(here) not in proc.stdout
    proc = _read_only_mount(ro, ["remove", "--dry-run", "--db", str(db), str(here)])
    assert proc.returncode == 0 and f"would remove: {here}" in proc.stdout, proc.stderr
    proc = _read_only_mount(ro, ["prune", "--db", str(db)])
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "read-only file system; `prune` changes this index, so it needs write access to it" in proc.stderr
    assert "index into a writable --db" not in proc.stderr
    assert _tree_digest(ro) == before


def test_prune_after_the_folder_moved_says_index_takes_the_entries_over(lectures, tmp_path, capsys):
    """The whole folder moved to the share: `prune` refused (most files gone) but named only an unmounted
    drive, so `prune --yes` looked like the way on, and it dropped every entry that `index` at the new place
    would have taken over without redoing a second of ASR. The refusal names that way now."""
    from momentsearch import cli
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    folder, records = lectures
    db = tmp_path / "db"
    store = Store(make_client(str(db)))
    for record in records:
        store.put_file(record)
    del store
    shutil.move(str(folder), str(tmp_path / "share"))
    assert cli.main(["prune", "--db", str(db)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "prune would remove 3 of the 3 files" in err
    assert ("if their folder was moved or renamed, `momentsearch index FOLDER` where it is now takes their entries "
            "over with nothing redone") in err


def _as_a_user(command: list[str]) -> list[str]:
    """`command` run so that file permissions apply (root reads any folder: drop that power, as a user has none)."""
    if os.geteuid() != 0:
        return command
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv (util-linux): permissions cannot be made to apply")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--", *command]


def test_prune_keeps_a_file_that_only_a_permission_hides(lectures, tmp_path):
    """A subfolder of the share made unreadable (chmod 000, or another user's permissions): `prune` said its
    files "no longer exist" and took their entries out, and `info` called them missing (moved or deleted?).
    They are there; prune keeps them, and info says what stands in the way."""
    import subprocess
    import sys

    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    folder, records = lectures
    hidden = folder / "week4"
    hidden.mkdir()
    (hidden / "locked.mp4").write_bytes(b"y" * 500)
    db = tmp_path / "db"
    store = Store(make_client(str(db)))
    for record in [*records[:2], _record(hidden / "locked.mp4", "4" * 16)]:
        store.put_file(record)
    del store
    (folder / "week2.mp4").unlink()  # one really gone
    hidden.chmod(0)
    try:
        run = [sys.executable, "-m", "momentsearch.cli"]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        said = subprocess.run(_as_a_user([*run, "info", "--db", str(db)]), capture_output=True, text=True,
                              env=env, timeout=120)
        assert said.returncode == 0, said.stderr
        lines = said.stdout.splitlines()
        where = next(i for i, line in enumerate(lines) if line.strip().endswith("locked.mp4"))
        assert lines[where + 1].endswith("file cannot be looked at from here (permission denied)"), said.stdout
        pruned = subprocess.run(_as_a_user([*run, "prune", "--db", str(db)]), capture_output=True, text=True,
                                env=env, timeout=120)
        assert pruned.returncode == 0, pruned.stderr
        assert f"{folder / 'week2.mp4'}" in pruned.stdout and "locked.mp4" not in pruned.stdout, pruned.stdout
    finally:
        hidden.chmod(0o755)
    store = Store(make_client(str(db)))
    assert sorted(Path(r.path).name for r in store.files()) == ["locked.mp4", "week1.mp4"]


def test_a_result_in_a_folder_a_permission_hides_is_not_called_missing(tmp_path, monkeypatch):
    """`search` marked a result "(missing) ... moved or deleted" when its folder could not be looked into."""
    import errno
    import io

    from rich.console import Console

    from momentsearch.cli import output
    from momentsearch.store import filestate

    hidden, gone = tmp_path / "locked" / "week4.mp4", tmp_path / "week2.mp4"
    real_stat = os.stat

    def stat(path, *args, **kwargs):
        if str(path).startswith(str(hidden.parent)):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(filestate.os, "stat", stat)
    buffer = io.StringIO()
    monkeypatch.setattr(output, "out", Console(file=buffer, width=200, soft_wrap=True))
    moments = [Moment(video=str(v), video_id=v.stem * 4, start=0.0, end=3.0, score=0.9, channels={"lexical": 1.0})
               for v in (hidden, gone)]
    output.print_moments("tunnelling", moments, {"transcript"})
    heads = [line for line in buffer.getvalue().splitlines() if line.startswith((" 1.", " 2."))]
    assert "(missing)" not in heads[0] and "(missing)" in heads[1], heads


def test_indexing_a_folder_keeps_files_that_a_permission_hides(tmp_path, monkeypatch):
    """A subfolder made unreadable, its recording copied beside it (same content): `index` of the folder
    said "renamed, moved or kept as a copy (locked/week4.mp4 -> week4-copy.mp4) ... the old path was taken
    out of the index" and dropped the record of a file that is still there. It is kept, and not called gone."""
    import errno

    from momentsearch.store import filestate
    from test_folder_changes import _indexer

    folder = tmp_path / "lectures"
    (folder / "locked").mkdir(parents=True)
    hidden, copy = folder / "locked" / "week4.mp4", folder / "week4-copy.mp4"
    for path in (hidden, copy):
        path.write_bytes(b"z" * 300)
    indexer = _indexer(tmp_path / "db", None)
    for path in (hidden, copy):
        indexer.store.put_file(_record(path, "4" * 16))
    real_stat = os.stat

    def stat(path, *args, **kwargs):  # the folder's permissions as a user meets them (root reads through them)
        if str(path).startswith(str(hidden.parent)):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(filestate.os, "stat", stat)
    indexer.note_gone([str(folder)])
    assert indexer.report.warnings == []
    assert sorted(r.path for r in indexer.store.files()) == sorted([str(copy), str(hidden)])
