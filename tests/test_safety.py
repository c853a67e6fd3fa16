"""Data safety (issue 12): paths, prune guard, generations, FIFOs, full disks, read-only and foreign
index folders, audio tracks and start times, rotated thumbnails, terminal escapes in file names."""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import shlex
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import run_cli
from momentsearch import cli
from momentsearch.api import MomentIndex
from momentsearch.errors import ConfirmationNeededError, DiskFullError, IndexNotFoundError
from momentsearch.options import load_config
from momentsearch.store.client import make_client
from momentsearch.store.ids import path_key
from momentsearch.store.lock import WriterLock
from momentsearch.store.store import Store, record_metadata
from momentsearch.types import FileRecord


def _no_models_config():
    """No OCR; CLIP weights are absent here anyway: a photo is indexed without loading any model."""
    return load_config(None, {"models": {"ocr": False}})


def _photo(path: Path, shade: int = 90) -> Path:
    Image.new("RGB", (32, 24), (shade, 40, 200)).save(path)
    return path


def _tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha1(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# -- 7. absolute paths, migration, prune guard ---------------------------------------------------
def test_relative_paths_are_stored_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _photo(tmp_path / "board.png")
    index = MomentIndex(tmp_path / "db", _no_models_config())
    report = index.index(["board.png"])
    assert [f.status for f in report.files] == ["indexed"], report.files
    assert [r.path for r in index.store.files()] == [str((tmp_path / "board.png").resolve())]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # prune from another folder still finds the file
    assert MomentIndex(tmp_path / "db").prune().removed == []


def _legacy_record(store: Store, rel: str, video_id: str) -> None:
    """A record as indexes before this fix held it: the path as typed (relative), keyed by its resolved form."""
    rec = FileRecord(path=rel, video_id=video_id, size=1, mtime=0.0, complete=True)
    store.collection("files", model_id="none", dim=1).upsert(
        ids=[path_key(rel)], embeddings=[[1.0]], metadatas=[record_metadata(rec)])


def test_old_relative_records_are_migrated_and_never_pruned_from_elsewhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "talk.mp4").write_bytes(b"x")
    store = Store(make_client(str(tmp_path / "db")))
    _legacy_record(store, "talk.mp4", "a" * 16)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    report = MomentIndex(tmp_path / "db").prune()
    assert report.removed == [] and report.unplaced == ["talk.mp4"]  # kept: cannot tell where it is
    monkeypatch.chdir(tmp_path)  # from the folder it was indexed from, it is placed for good
    index = MomentIndex(tmp_path / "db")
    assert index.prune().removed == []
    assert [r.path for r in index.store.files()] == [str(tmp_path / "talk.mp4")]


def test_prune_refuses_to_empty_the_index_without_yes(tmp_path, capsys):
    store = Store(make_client(str(tmp_path / "db")))
    files = [tmp_path / f"v{i}.mp4" for i in range(3)]
    for i, f in enumerate(files):
        f.write_bytes(b"x")
        store.put_file(FileRecord(path=str(f), video_id=f"{i:016x}", size=1, mtime=0.0, complete=True))
    for f in files[:2]:
        f.unlink()  # two of three "gone": an unmounted drive looks like this
    db = str(tmp_path / "db")
    assert cli.main(["prune", "--db", db]) == 2
    err = capsys.readouterr().err
    assert "--yes" in err and "2 of the 3" in err and err.count("\n") == 1
    with pytest.raises(ConfirmationNeededError):
        MomentIndex(db).prune()
    assert len(MomentIndex(db).store.files()) == 3  # nothing removed
    assert cli.main(["prune", "--db", db, "--yes"]) == 0
    assert [r.path for r in MomentIndex(db).store.files()] == [str(files[2])]


def test_prune_and_remove_drop_the_players_copies_of_what_they_took_out(tmp_path):
    """The web player's copies of two-track recordings (DB/momentsearch-cache/playback/) stayed after `prune`
    or `remove` took their videos out, until the next copy was made; so did a copy a killed server left
    unfinished (.part). Now both go with the video; a copy being written now, and those of videos still
    indexed (a copy under another name included), stay; a dry run changes nothing."""
    import time

    from momentsearch.playback import STALE_PART_SECONDS
    from momentsearch.search.cache import CACHE_DIRNAME, PLAYBACK_DIRNAME

    db = tmp_path / "db"
    store = Store(make_client(str(db)))
    files = [tmp_path / f"v{i}.mp4" for i in range(4)]
    ids = ["0" * 16, "1" * 16, "2" * 16, "2" * 16]  # v3.mp4: a copy of v2.mp4 (one content, two records)
    for f, vid in zip(files, ids):
        f.write_bytes(b"x")
        store.put_file(FileRecord(path=str(f), video_id=vid, size=1, mtime=0.0, complete=True))
    copies = db / CACHE_DIRNAME / PLAYBACK_DIRNAME
    copies.mkdir(parents=True)
    for vid in ids[:3]:
        (copies / f"{vid}-0123456789ab.mp4").write_bytes(b"copy")
    (copies / f"{'1' * 16}-ba9876543210.as-is").touch()  # the marker of a file that plays as it is
    (copies / f"{'f' * 16}-0123456789ab.mkv").write_bytes(b"of a video removed before copies went with it")
    dead = copies / f".{ids[2]}-0123456789ab.mp4.k1ll3d.part"
    dead.write_bytes(b"half a copy")
    old = time.time() - STALE_PART_SECONDS - 60
    os.utime(dead, (old, old))
    writing = copies / f".{ids[2]}-0123456789ab.mp4.n0wn0w.part"
    writing.write_bytes(b"being written")
    files[0].unlink()
    before = sorted(p.name for p in copies.iterdir())
    assert MomentIndex(db).prune(dry_run=True).removed == [str(files[0])]
    assert sorted(p.name for p in copies.iterdir()) == before
    assert MomentIndex(db).prune().removed == [str(files[0])]
    assert sorted(p.name for p in copies.iterdir()) == sorted([
        f"{ids[1]}-0123456789ab.mp4", f"{ids[1]}-ba9876543210.as-is", f"{ids[2]}-0123456789ab.mp4", writing.name])
    MomentIndex(db).remove([str(files[1]), str(files[3])])  # v2.mp4 still holds the content of v3.mp4
    assert sorted(p.name for p in copies.iterdir()) == sorted([f"{ids[2]}-0123456789ab.mp4", writing.name])


def test_index_of_paths_that_do_not_exist_makes_no_index_folder(tmp_path, capsys):
    """`momentsearch index ~/lectrues` (a typo) left an empty index folder behind (--db, or ./momentsearch-db)
    and reported only the missing folder. Now nothing is created or touched, the summary still names each
    path (exit 1); a real folder with no media in it still makes an index, with nothing in it yet."""
    from momentsearch.pipeline.discover import NOTHING_THERE

    db = tmp_path / "db"
    args = ["--db", str(db), "--quiet", "--json"]
    assert cli.main(["index", str(tmp_path / "lectrues"), str(tmp_path / "talk.mp4"), *args]) == 1
    out = json.loads(capsys.readouterr().out)
    assert {Path(f["path"]).name: (f["status"], f["reason"]) for f in out["files"]} == {
        "lectrues": ("failed", "folder not found"), "talk.mp4": ("failed", "file not found")}
    assert out["warnings"] == [NOTHING_THERE] and not db.exists()
    (tmp_path / "lectures").mkdir()  # empty for now: an index to fill later (and `serve` meanwhile)
    assert cli.main(["index", str(tmp_path / "lectures"), *args]) == 0
    assert json.loads(capsys.readouterr().out)["files"] == [] and db.is_dir()
    before = _tree_digest(db)
    assert cli.main(["index", str(tmp_path / "lectrues"), *args]) == 1  # an index there: not touched either
    assert _tree_digest(db) == before


def test_an_empty_path_to_index_is_refused_not_taken_for_this_folder(tmp_path, capsys, monkeypatch):
    """`momentsearch index "$DIR"` with DIR unset indexed the working folder, recursively (os.path.abspath("")
    is "."): minutes of work on files nobody asked for. An empty path, and None through the Python API, are
    a clear error now, with nothing indexed and no index made."""
    from momentsearch.api import MomentIndex
    from momentsearch.errors import QueryError

    monkeypatch.chdir(tmp_path)
    db = tmp_path / "db"
    assert cli.main(["index", "", "--db", str(db), "--quiet"]) == 2
    assert "empty path" in capsys.readouterr().err and not db.exists()
    for paths in (None, "", ["  "], [str(tmp_path), ""]):
        with pytest.raises(QueryError, match="give the files|empty path"):
            MomentIndex(db).index(paths)
    assert not db.exists()


def test_a_file_indexed_with_other_models_says_why_it_is_indexed_again():
    """`index d --asr tiny.en`, then `index d`: every file was indexed again whole (speech, pictures and slide
    text) with no word why. The run now warns which models changed and how to keep the files."""
    from momentsearch.pipeline.discover import other_models_note
    from momentsearch.types import FileRecord

    now = {"text": "minilm", "asr": "faster-whisper:base"}
    old = [FileRecord(f"/l/{i}.mp4", str(i) * 16, 1, 0.0, models=dict(now, asr="faster-whisper:tiny.en"),
                      complete=True) for i in range(2)]
    same = FileRecord("/l/3.mp4", "3" * 16, 1, 0.0, models=now, complete=True)
    note = other_models_note([*old, same, None], now)
    assert len(note) == 1 and note[0].startswith("2 files indexed before with other models")
    assert "asr faster-whisper:tiny.en -> faster-whisper:base" in note[0] and "--asr" in note[0]
    assert other_models_note([same, None], now) == []


# -- 8. a running reader sees a re-index that keeps every count -----------------------------------
def test_reader_sees_reindex_with_same_counts(tmp_path, monkeypatch):
    from test_speed_paths import FakeText, _fill

    import momentsearch.search.searcher as searcher_mod
    from momentsearch.search.searcher import Searcher

    writer = Store(make_client(str(tmp_path / "db")))
    writer.collection("transcript", model_id=FakeText.model_id, dim=FakeText.dim)
    _fill(writer, "a" * 16, 4)
    reader = Searcher(Store(writer.client), FakeText())  # another Store: our writes are not its own
    assert "roadmap" in reader.search("roadmap", k=1)[0].text
    texts = [f"chunk {i} now covers the budget" for i in range(4)]  # same ids, same counts, new text
    rows = list(writer.iter_all("transcript"))
    writer.upsert("transcript", [r[0] for r in rows], FakeText().embed_texts(texts), [r[2] for r in rows], texts)
    writer.put_file(FileRecord(path="/v.mp4", video_id="a" * 16, size=2, mtime=1.0, duration=40.0,
                               channels=["transcript"], complete=True))
    monkeypatch.setattr(searcher_mod, "CORPUS_RECHECK_SECONDS", 0.0)
    assert "budget" in reader.search("budget", k=1)[0].text


# -- 9. FIFOs and full disks --------------------------------------------------------------------
def test_fifo_is_skipped_without_opening_it(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "stuck.mp4")
    os.mkfifo(tmp_path / "named.mp4")
    proc = run_cli("index", str(folder), str(tmp_path / "named.mp4"), "--db", str(tmp_path / "db"),
                   "--json", "--quiet", "--no-ocr", timeout=120)  # today's code blocks here for ever
    files = {Path(f["path"]).name: (f["status"], f["reason"]) for f in json.loads(proc.stdout)["files"]}
    assert files == {"stuck.mp4": ("skipped", "not a regular file: a named pipe (FIFO); skipped without opening it"),
                     "named.mp4": ("skipped", "not a regular file: a named pipe (FIFO); skipped without opening it")}


@pytest.mark.parametrize("how", ["free-space check", "ENOSPC from Chroma", "EFBIG from Chroma"])
def test_full_disk_stops_cleanly_and_resumes(tmp_path, monkeypatch, how):
    import chromadb.api.models.Collection as chroma_collection

    import momentsearch.store.folder as folder_mod

    photos = [_photo(tmp_path / f"p{i}.png", 40 * i) for i in range(2)]
    db = tmp_path / "db"
    MomentIndex(db, _no_models_config()).index([photos[0]])  # one file in before the disk fills
    if how == "free-space check":
        monkeypatch.setattr(folder_mod.shutil, "disk_usage", lambda p: shutil._ntuple_diskusage(10, 10, 1024))
    else:
        def full(*a, **k):  # (a file-size limit: `ulimit -f`, a quota, FAT32's 4 GB per file)
            raise OSError(errno.ENOSPC, "No space left on device") if "ENOSPC" in how else OSError(errno.EFBIG,
                                                                                                   "File too large")
        monkeypatch.setattr(chroma_collection.Collection, "upsert", full)
    with pytest.raises(DiskFullError, match=f"disk full at {db}" if "EFBIG" not in how else
                       f"cannot write to the index at {db} .*File too large.: a file-size limit"):
        MomentIndex(db, _no_models_config()).index(photos)
    monkeypatch.undo()
    WriterLock(db).acquire(0).release()  # the lock was released
    readable = MomentIndex(db).info()
    assert str(photos[0]) in [f.path for f in readable.files]
    again = MomentIndex(db, _no_models_config()).index(photos)  # resumes: the second photo goes in
    assert sorted(f.status for f in again.files) == ["indexed", "unchanged"]


def test_a_full_disk_leaves_the_index_searchable_and_the_lock_takeable(tmp_path, monkeypatch, capsys):
    """On a full disk the lock's holder note could not be written (a traceback from `prune --dry-run`), and
    Chroma, which writes as it opens, refused to open the index for a search."""
    import chromadb

    import momentsearch.store.lock as lock_mod

    photo = _photo(tmp_path / "a.png")
    db = tmp_path / "db"
    MomentIndex(db, _no_models_config()).index([photo])

    def no_room(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(lock_mod.os, "pwrite", no_room)
    WriterLock(db).acquire(0).release()  # held all the same: the note is only for the next writer's message
    opened = chromadb.PersistentClient

    def full_where_it_is(*a, path="", **k):
        if Path(path) == db:
            raise RuntimeError("database or disk is full")
        return opened(*a, path=path, **k)

    monkeypatch.setattr(chromadb, "PersistentClient", full_where_it_is)
    assert [f.path for f in MomentIndex(db).info().files] == [str(photo)]  # from a copy elsewhere
    assert cli.main(["info", "--db", str(db)]) == 0  # (a long path is shown shortened in its middle: its name kept)
    assert f"{photo.name}\n    photo, 0:00, no channels, complete" in capsys.readouterr().out


def test_full_disk_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    import momentsearch.store.folder as folder_mod

    monkeypatch.setattr(folder_mod.shutil, "disk_usage", lambda p: shutil._ntuple_diskusage(10, 10, 1024))
    rc = cli.main(["index", str(_photo(tmp_path / "a.png")), "--db", str(tmp_path / "db"), "--no-ocr", "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith("momentsearch: error: disk full at") and err.count("\n") == 1


# -- 10, 11. read-only, a file as --db, folders that are not an index -------------------------------
def _one_line_exit_2(args: list[str], capsys, expect: str) -> None:
    rc = cli.main(args)
    captured = capsys.readouterr()
    assert rc == 2, (args, captured)
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err, captured.err
    assert expect in captured.err, captured.err


def test_search_and_info_never_create_an_index(tmp_path, capsys):
    missing = tmp_path / "typo-db"
    for command in (["search", "roadmap"], ["info"], ["prune"]):
        _one_line_exit_2([*command, "--db", str(missing)], capsys, "momentsearch index")
        assert not missing.exists()
    unrelated = tmp_path / "photos"
    unrelated.mkdir()
    (unrelated / "cat.jpg").write_bytes(b"meow")
    before = _tree_digest(unrelated)
    for command in (["search", "roadmap"], ["info"]):
        _one_line_exit_2([*command, "--db", str(unrelated)], capsys, "is not a momentsearch index")
    assert _tree_digest(unrelated) == before


def test_foreign_chroma_database_is_left_untouched(tmp_path, capsys):
    import chromadb

    foreign = tmp_path / "other-app"
    chromadb.PersistentClient(str(foreign)).get_or_create_collection("docs").add(ids=["1"], embeddings=[[1.0, 0.0]])
    chromadb.api.client.SharedSystemClient.clear_system_cache()
    before = _tree_digest(foreign)
    for command in (["search", "roadmap"], ["info"], ["index", str(_photo(tmp_path / "a.png")), "--quiet"]):
        _one_line_exit_2([*command, "--db", str(foreign)], capsys, "not a momentsearch index")
    assert _tree_digest(foreign) == before


def test_an_empty_database_file_left_by_a_killed_first_run_is_indexed_into(tmp_path, capsys):
    """A first `index` killed after SQLite made chroma.sqlite3 but before Chroma wrote a page leaves an empty
    file. It holds nothing: `index` makes the index there (every command refused it as "not a Chroma database
    momentsearch can read", so re-running the killed run could not resume), and `search` says what it is."""
    db = tmp_path / "db"
    db.mkdir()
    (db / "chroma.sqlite3").write_bytes(b"")
    _one_line_exit_2(["search", "roadmap", "--db", str(db)], capsys, "is empty: an index run stopped")
    assert cli.main(["index", str(_photo(tmp_path / "a.png")), "--db", str(db), "--quiet", "--json"]) == 0
    assert [Path(f["path"]).name for f in json.loads(capsys.readouterr().out)["files"]] == ["a.png"]
    assert (db / "chroma.sqlite3").stat().st_size > 0 and len(MomentIndex(db).videos()) == 1


def test_db_that_is_a_file_is_one_clear_line(tmp_path, capsys):
    db = tmp_path / "notes.txt"
    db.write_text("hello")
    for command in (["search", "roadmap"], ["info"], ["index", str(_photo(tmp_path / "a.png")), "--quiet"]):
        _one_line_exit_2([*command, "--db", str(db)], capsys, f"--db {db} is a file")
    assert db.read_text() == "hello"


def test_a_db_variable_naming_a_file_is_named_as_the_variable(tmp_path, capsys, monkeypatch):
    db = tmp_path / "notes.txt"
    db.write_text("hello")
    monkeypatch.setenv("MOMENTSEARCH_DB", str(db))  # no --db was given: the message names what was
    for command in (["info"], ["index", str(_photo(tmp_path / "a.png")), "--quiet"]):
        _one_line_exit_2(command, capsys, f"$MOMENTSEARCH_DB={db} is a file")
    assert db.read_text() == "hello"


def _read_only_mount(folder: Path, command: list[str]) -> subprocess.CompletedProcess:
    """Runs the CLI with `folder` bind-mounted read-only over itself (a private mount namespace)."""
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare (util-linux) for a read-only mount")
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("user namespaces are not available here")
    folder = shlex.quote(str(folder))  # (a stick's folder may hold spaces)
    script = (f"mount --bind {folder} {folder} && mount -o remount,bind,ro {folder} && "
              f"exec {sys.executable} -m momentsearch.cli \"$@\"")
    return subprocess.run(["unshare", "-rm", "sh", "-c", script, "sh", *command], capture_output=True,
                          text=True, timeout=300, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})


def test_read_only_index_is_searchable_and_read_only_fs_is_one_line(indexed_lecture, tmp_path):
    src = indexed_lecture[0]
    ro = tmp_path / "ro"
    ro.mkdir()
    shutil.copytree(src, ro / "db", ignore=shutil.ignore_patterns("momentsearch-cache"))
    before = _tree_digest(ro)
    proc = _read_only_mount(ro, ["search", "roadmap", "--db", str(ro / "db"), "--json", "-k", "1"])
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["results"], proc.stdout
    proc = _read_only_mount(ro, ["info", "--db", str(ro / "db"), "--json"])
    assert proc.returncode == 0 and json.loads(proc.stdout)["files"], proc.stderr
    for db in (ro / "db", ro / "new-db"):
        proc = _read_only_mount(ro, ["index", str(_photo(tmp_path / "a.png")), "--db", str(db), "--quiet"])
        assert proc.returncode == 2 and "read-only file system" in proc.stderr, proc.stderr
        assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert _tree_digest(ro) == before


# -- 12, 13. audio start times, several audio tracks ------------------------------------------------
def _two_track_video(path: Path, audio_start: float = 5.0, seconds: int = 8, sr: int = 16000) -> None:
    """h264 video from 0 s; two aac tracks that start at `audio_start`: the first silent, the second
    a 440 Hz tone from 1 s to 2 s of its own time (so at audio_start + 1 on the video's clock)."""
    from fractions import Fraction

    import av

    with av.open(str(path), mode="w", format="mp4") as out:
        video = out.add_stream("libx264", rate=2)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        tracks = []
        for _ in range(2):
            track = out.add_stream("aac", rate=sr)
            track.codec_context.layout = "mono"
            track.time_base = Fraction(1, sr)
            tracks.append(track)
        for i in range(seconds * 2):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i * 10, np.uint8), format="rgb24")
            frame.pts = i
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        n = int((seconds - audio_start) * sr)
        t = np.arange(n) / sr
        tone = (0.5 * np.sin(2 * np.pi * 440 * t) * ((t >= 1.0) & (t < 2.0))).astype(np.float32)
        for track, samples in zip(tracks, (np.zeros(n, np.float32), tone)):
            for off in range(0, n, 1024):
                frame = av.AudioFrame.from_ndarray(samples[None, off:off + 1024], format="fltp", layout="mono")
                frame.sample_rate, frame.pts, frame.time_base = sr, int(audio_start * sr) + off, Fraction(1, sr)
                out.mux(track.encode(frame))
            out.mux(track.encode(None))


def test_audio_keeps_its_start_time_and_the_silent_track_is_passed_over(tmp_path):
    from momentsearch.pipeline.decode import SAMPLE_RATE, load_audio, probe

    path = tmp_path / "two_tracks.mp4"
    _two_track_video(path)
    audio = load_audio(path)
    loud = np.flatnonzero(np.abs(audio) > 0.05) / SAMPLE_RATE
    assert loud.size, "the silent first track was read instead of the second"
    assert loud[0] == pytest.approx(6.0, abs=0.1) and loud[-1] == pytest.approx(7.0, abs=0.1)
    assert probe(path).audio_note == "audio track 2 of 2 used; silent: track 1"


# -- 14. rotated thumbnails ------------------------------------------------------------------------
def test_thumbnail_of_rotated_video_is_upright(tmp_path):
    from test_bad_input import write_video

    from momentsearch.server.media import frame_jpeg

    portrait = np.zeros((90, 160, 3), np.uint8)
    portrait[:, :40] = 255  # a white band on the left: at the bottom once turned upright
    write_video(tmp_path / "phone.mp4", [portrait] * 4, rotation=90)
    thumb = np.asarray(Image.open(io.BytesIO(frame_jpeg(tmp_path / "phone.mp4", 0.2))).convert("L"))
    assert thumb.shape == (160, 90)  # portrait
    assert thumb[-20:].mean() > 200 and thumb[:100].mean() < 50


def test_a_folders_other_files_are_one_line_under_the_summary(capsys):
    """A course folder's notes and code are counted by extension under the table, and on a re-run the files
    indexed before in one line (--json keeps a row each); the rows that matter (indexed, failed, a reason
    to read) stay rows."""
    from momentsearch.cli.output import print_report
    from momentsearch.types import NOT_MEDIA, FileResult, IndexReport

    files = [FileResult(f"/c/notes/week{i}.txt", "skipped", NOT_MEDIA) for i in range(25)]
    files += [FileResult("/c/code.py", "skipped", NOT_MEDIA), FileResult("/c/bad.mp4", "failed", "corrupt"),
              FileResult("/c/talk.mp4", "indexed", duration=61.0, channels=["transcript"])]
    files += [FileResult(f"/c/old{i}.mp4", "unchanged", duration=3000.0) for i in range(3)]
    files += [FileResult("/c/touched.mp4", "unchanged", "same content (its modified time changed): nothing redone")]
    print_report(IndexReport(files=files))
    shown = capsys.readouterr().out
    assert "week" not in shown and "26 other files skipped, not media (.txt 25, .py 1)" in shown
    assert "bad.mp4" in shown and "corrupt" in shown and "talk.mp4" in shown and "touched.mp4" in shown
    assert "old" not in shown and "3 files already indexed and unchanged (2:30:00 of media): nothing redone" in shown
    assert "32 files: 1 failed, 1 indexed, 26 skipped, 4 unchanged" in shown
    print_report(IndexReport(files=files[-4:-1]))  # a nightly re-run that found nothing new: no empty table
    shown = capsys.readouterr().out
    assert "Index summary" not in shown and shown.startswith("3 files already indexed and unchanged")
    print_report(IndexReport(files=[FileResult(f"/c/photo{i}.jpg", "unchanged") for i in range(2)]))  # photos
    assert capsys.readouterr().out.startswith("2 files already indexed and unchanged: nothing redone")
    sidecars = [FileResult(f"/c/week{i}.srt", "skipped", "subtitles: read as the captions of the video of the same "
                                                         "name") for i in range(12)]  # a captioned course
    print_report(IndexReport(files=[*sidecars, FileResult("/c/week1.mp4", "indexed", duration=60.0)]))
    shown = capsys.readouterr().out
    assert "week3.srt" not in shown and "12 caption files read as the captions of the video of the same name" in shown


# -- 15. terminal escapes in file names ---------------------------------------------------------------
def test_file_names_with_escape_sequences_are_printed_escaped(capsys):
    from momentsearch.cli.info_output import print_info
    from momentsearch.cli.output import print_moments, print_report
    from momentsearch.types import FileResult, IndexReport, Moment

    evil = "/v/\x1b]0;pwned\x07talk\x1b[2J\x9b31m.mp4"
    print_report(IndexReport(files=[FileResult(evil, "failed", "bad \x1b[8mhidden")]))
    print_moments("q", [Moment(video=evil, video_id="a" * 16, start=0, end=1, score=1.0, channels={},
                               text="said \x1b[31mred")], {"transcript"})

    class Info:
        db, channels, models, counts, writing, notes = evil, ["transcript"], {}, {}, "", []
        files = [FileRecord(path=evil, video_id="a" * 16, size=1, mtime=0.0)]

    print_info(Info())
    out = capsys.readouterr()
    shown = out.out + out.err
    assert "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown
    assert "\\x1b]0;pwned\\x07talk" in shown and "\\x1b[8mhidden" in shown


def test_the_private_copy_of_a_read_only_index_is_writable(tmp_path):
    """`chmod -R a-w` on an index: its private copy took the modes along, and SQLite could not open it
    ("attempt to write a readonly database") for anyone but root. Modes are checked, since tests run as root."""
    import stat

    from momentsearch.store.folder import read_only_snapshot

    db = tmp_path / "db"
    (db / "segment").mkdir(parents=True)
    (db / "chroma.sqlite3").write_bytes(b"x")
    (db / "segment" / "data.bin").write_bytes(b"y")
    for path in [db / "chroma.sqlite3", db / "segment" / "data.bin", db / "segment", db]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        copy = read_only_snapshot(db)
        for path in [copy, copy / "segment", copy / "chroma.sqlite3", copy / "segment" / "data.bin"]:
            assert path.stat().st_mode & stat.S_IWUSR, path
        assert (copy / "segment" / "data.bin").read_bytes() == b"y"
    finally:
        for path in [db, db / "segment"]:
            path.chmod(0o755)


def test_an_empty_db_variable_a_huge_thread_count_and_a_second_config_are_not_taken_as_given(monkeypatch, capsys):
    """`MOMENTSEARCH_DB=` (set, empty) wrote the index into the working folder; `MOMENTSEARCH_THREADS=99999`
    crashed the recogniser; `--config a --config b` dropped the first file without a word."""
    from momentsearch.models.device import available_cpus, thread_budget
    from momentsearch.store.client import DEFAULT_DB, default_db_dir

    for value in ("", "  "):
        monkeypatch.setenv("MOMENTSEARCH_DB", value)
        assert default_db_dir() == DEFAULT_DB
    monkeypatch.setenv("MOMENTSEARCH_THREADS", "99999")
    assert thread_budget() == available_cpus()
    monkeypatch.setenv("MOMENTSEARCH_THREADS", "1")
    assert thread_budget() == 1
    with pytest.raises(SystemExit) as stop:
        cli.main(["info", "--config", "team.toml", "--config", "mine.toml", "--db", "/nonexistent/db"])
    assert stop.value.code == 2 and "--config given twice" in capsys.readouterr().err


def test_an_index_takes_its_options_as_a_file_a_dict_or_a_config(tmp_path):
    """`MomentIndex(db, config="configs/fast.toml")` failed at the first call with AttributeError."""
    from momentsearch.api import MomentIndex
    from momentsearch.errors import ConfigError

    options = tmp_path / "mine.toml"
    options.write_text('[asr]\nmodel = "tiny.en"\n')
    assert MomentIndex(tmp_path / "db", config=str(options)).config.asr.model == "tiny.en"
    assert MomentIndex(tmp_path / "db", config=options).config.asr.model == "tiny.en"
    assert MomentIndex(tmp_path / "db", config={"asr": {"model": "tiny.en"}}).config.asr.model == "tiny.en"
    with pytest.raises(ConfigError, match="unknown option"):
        MomentIndex(tmp_path / "db", config={"asr": {"modle": "tiny.en"}})
    with pytest.raises(ConfigError, match="not a list"):
        MomentIndex(tmp_path / "db", config=["asr"])


def test_an_index_deleted_or_built_again_under_an_open_reader_is_not_read_from_its_old_file(tmp_path):
    """chromadb keeps one connection per folder in a process: after `rm -rf db` and a new index there, an open
    MomentIndex (and every new one on that path) answered from the deleted database without a word."""
    from momentsearch.errors import IndexNotFoundError
    from momentsearch.search.searcher import CORPUS_RECHECK_SECONDS

    photos = [_photo(tmp_path / f"p{i}.png", 40 * i) for i in range(3)]
    db = tmp_path / "db"
    MomentIndex(db, _no_models_config()).index(photos[:2])
    reader = MomentIndex(db)
    assert len(reader.videos()) == 2 and len(reader.info().files) == 2
    shutil.rmtree(db)
    time.sleep(CORPUS_RECHECK_SECONDS + 0.1)
    with pytest.raises(IndexNotFoundError, match="is gone: its folder was deleted or moved while it was open"):
        reader.videos()
    MomentIndex(db, _no_models_config()).index(photos[2:])  # built again: one other photo
    time.sleep(CORPUS_RECHECK_SECONDS + 0.1)
    assert [r.path for r in reader.videos()] == [str(photos[2])]
    assert [f.path for f in reader.info().files] == [str(photos[2])]
    assert [f.path for f in MomentIndex(db).info().files] == [str(photos[2])]
