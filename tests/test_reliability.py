"""Indexing that survives: SIGKILL mid-run and resume, one writer at a time, searching while a
batch runs, prune, changed files, and model/schema mismatches on open."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import TINY_CLIP_ARGS, needs_espeak, run_cli

pytestmark = needs_espeak

TOPICS = [
    ("Alpha particles", "The alpha particle is a helium nucleus with two protons."),
    ("Beta decay", "Beta decay turns a neutron into a proton and an electron."),
    ("Gamma rays", "Gamma rays are light of very high energy from the nucleus."),
]


@pytest.fixture(scope="module")
def three_videos(tmp_path_factory):
    """A folder of three short lectures (about 3 s each, 160x90)."""
    from momentsearch.testing.synth import Section, render_lecture

    folder = tmp_path_factory.mktemp("three")
    for i, (title, speech) in enumerate(TOPICS):
        render_lecture(folder / f"v{i}.mp4", [Section(title, speech, ["point"], None)], size=(160, 90), fps=5)
    return folder


def dump(db: Path) -> dict:
    """Every collection's ids and metadata, read with a fresh client (another process wrote them)."""
    import chromadb
    from chromadb.api.client import SharedSystemClient
    from chromadb.config import Settings

    client = chromadb.PersistentClient(path=str(db), settings=Settings(anonymized_telemetry=False))
    out = {}
    try:
        for col in client.list_collections():
            col = client.get_collection(col.name)
            got = col.get(include=["metadatas"])
            out[col.name] = {"ids": got["ids"], "metas": got["metadatas"], "count": col.count()}
    finally:
        SharedSystemClient.clear_system_cache()
    return out


def check_consistent(state: dict) -> None:
    """No duplicate ids, counts match ids, and every entry belongs to a complete file record."""
    files = state.get("ms_files", {"ids": [], "metas": []})
    complete = {m["video_id"] for m in files["metas"] if m["complete"]}
    for name, col in state.items():
        assert len(col["ids"]) == len(set(col["ids"])) == col["count"], name
        if name != "ms_files":
            orphans = [i for i, m in zip(col["ids"], col["metas"]) if m["video_id"] not in complete]
            assert not orphans, (name, orphans)


@pytest.fixture(scope="module")
def greedy(tmp_path_factory) -> list[str]:
    """Deterministic ASR (no sampling fallback), so two runs over the same file give the same entry ids."""
    cfg = tmp_path_factory.mktemp("cfg") / "greedy.toml"
    cfg.write_text("[asr]\ntemperatures = [0.0]\n")
    return ["--config", str(cfg)]


@pytest.fixture(scope="module")
def clean_db(three_videos, greedy, tmp_path_factory) -> Path:
    """The three videos indexed by one uninterrupted run (tests copy it before changing anything)."""
    db = tmp_path_factory.mktemp("clean") / "db"
    run_cli("index", str(three_videos), "--db", str(db), *TINY_CLIP_ARGS, *greedy)
    return db


def copy_db(db: Path, tmp_path: Path) -> Path:
    shutil.copytree(db, tmp_path / "db")
    return tmp_path / "db"


def index_cmd(folder: Path, db: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "momentsearch.cli", "index", str(folder), "--db", str(db), *TINY_CLIP_ARGS, *extra]


def test_sigkill_mid_run_then_rerun_equals_uninterrupted_run(three_videos, greedy, clean_db, tmp_path):
    clean, killed = clean_db, tmp_path / "killed"
    # the interrupted run: SIGKILL as soon as the second file starts (the first is then complete)
    proc = subprocess.Popen(index_cmd(three_videos, killed, *greedy), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    seen = []
    try:
        for line in proc.stderr:
            seen.append(line)
            if line.startswith("[2/3]"):
                time.sleep(0.3)  # into the second file's work
                proc.send_signal(signal.SIGKILL)
                break
    finally:
        proc.wait(timeout=120)
    assert proc.returncode == -signal.SIGKILL, "".join(seen)
    partial = dump(killed)
    records = {Path(m["path"]).name: m["complete"] for m in partial["ms_files"]["metas"]}
    assert records.get("v0.mp4") is True and not all(records.get(f"v{i}.mp4") for i in range(3)), records

    # search answers on what the interrupted run finished, while the re-run writes the rest
    rerun = subprocess.Popen(index_cmd(three_videos, killed, *greedy, "--json"), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    found = run_cli("search", "helium nucleus with two protons", "--db", str(killed), "--json", "-k", "3")
    overlapped = rerun.poll() is None
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    top = json.loads(found.stdout)["results"][0]
    assert top["video"].endswith("v0.mp4")
    statuses = {Path(f["path"]).name: f["status"] for f in json.loads(out)["files"]}
    assert statuses == {"v0.mp4": "unchanged", "v1.mp4": "indexed", "v2.mp4": "indexed"}

    resumed, reference = dump(killed), dump(clean)
    check_consistent(resumed)
    check_consistent(reference)
    assert set(resumed) == set(reference)
    for name in reference:
        assert sorted(resumed[name]["ids"]) == sorted(reference[name]["ids"]), name
        assert resumed[name]["count"] == reference[name]["count"] > 0, name
    print(f"search overlapped the re-run: {overlapped}")


def test_changed_deleted_and_pruned_files_leave_no_orphans(three_videos, tmp_path):
    from momentsearch.testing.synth import Section, render_lecture

    folder = tmp_path / "videos"
    shutil.copytree(three_videos, folder)
    db = tmp_path / "db"
    run_cli("index", str(folder), "--db", str(db), *TINY_CLIP_ARGS)
    before = dump(db)
    old_ids = {m["path"]: m["video_id"] for m in before["ms_files"]["metas"]}
    # v1 changes content, v2 is deleted, a copy of v0 appears under another name
    render_lecture(folder / "v1.mp4", [Section("Neutrinos", "Neutrinos hardly ever interact with matter.", [], None)],
                   size=(160, 90), fps=5)
    (folder / "v2.mp4").unlink()
    shutil.copy(folder / "v0.mp4", folder / "copy_of_v0.mp4")
    proc = run_cli("index", str(folder), "--db", str(db), *TINY_CLIP_ARGS, "--json")
    statuses = {Path(f["path"]).name: f["status"] for f in json.loads(proc.stdout)["files"]}
    assert statuses == {"v0.mp4": "unchanged", "v1.mp4": "indexed", "copy_of_v0.mp4": "indexed"}
    after = dump(db)
    vids = {m["video_id"] for m in after["ms_files"]["metas"]}
    assert old_ids[str(folder / "v1.mp4")] not in vids
    stale = [i for i in after["ms_transcript"]["ids"] if i.startswith(old_ids[str(folder / "v1.mp4")])]
    assert not stale, "a changed file's old entries must be replaced, not kept beside the new ones"
    # the deleted file's record and entries are still there until prune
    assert str(folder / "v2.mp4") in {m["path"] for m in after["ms_files"]["metas"]}

    dry = json.loads(run_cli("prune", "--db", str(db), "--dry-run", "--json").stdout)
    assert dry["removed"] == [str(folder / "v2.mp4")] and dump(db)["ms_files"]["count"] == 4
    said = run_cli("prune", "--db", str(db), "--dry-run").stdout
    assert "would remove: " in said and "1 file would be removed, " in said, said
    (folder / "v0.mp4").unlink()  # its content lives on in the copy: its entries must stay
    pruned = json.loads(run_cli("prune", "--db", str(db), "--json").stdout)
    assert sorted(pruned["removed"]) == sorted([str(folder / "v0.mp4"), str(folder / "v2.mp4")])
    final = dump(db)
    check_consistent(final)
    assert sorted(m["path"] for m in final["ms_files"]["metas"]) == sorted(
        [str(folder / "copy_of_v0.mp4"), str(folder / "v1.mp4")])
    v0 = old_ids[str(folder / "v0.mp4")]
    assert any(i.startswith(v0) for i in final["ms_transcript"]["ids"])
    assert not any(i.startswith(old_ids[str(folder / "v2.mp4")]) for i in final["ms_transcript"]["ids"])
    top = json.loads(run_cli("search", "helium nucleus", "--db", str(db), "--json").stdout)["results"][0]
    assert top["video"].endswith("copy_of_v0.mp4")


def test_remove_takes_named_files_out_and_keeps_shared_content(three_videos, tmp_path):
    """`remove` takes files out by path, glob or folder while they stay on disk; a copy's entries stay
    while another record holds the same content; a target naming nothing is an error and removes nothing."""
    from momentsearch.api import MomentIndex
    from momentsearch.errors import QueryError

    folder = tmp_path / "videos"
    shutil.copytree(three_videos, folder)
    shutil.copy(folder / "v0.mp4", folder / "copy_of_v0.mp4")
    db = tmp_path / "db"
    run_cli("index", str(folder), "--db", str(db))  # speech and slide text: CLIP plays no part here
    ids = {Path(m["path"]).name: m["video_id"] for m in dump(db)["ms_files"]["metas"]}
    index = MomentIndex(db)
    with pytest.raises(QueryError, match="names no indexed file"):
        index.remove([str(folder / "v1.mp4"), str(folder / "v9.mp4")])
    assert index.remove(["v1*"], dry_run=True).removed == [str(folder / "v1.mp4")]
    assert index.remove(str(folder / "v2.mp4"), dry_run=True).removed == [str(folder / "v2.mp4")]  # one path, not its letters
    assert dump(db)["ms_files"]["count"] == 4  # neither the typo nor the dry run removed anything

    run_cli("search", "helium nucleus", "--db", str(db))  # leaves a snapshot that the removal must void
    said = run_cli("remove", str(folder / "v2.mp4"), "--db", str(db), "--dry-run").stdout
    assert "`index` of a folder that holds them adds them back" in " ".join(said.split())
    gone = json.loads(run_cli("remove", str(folder / "v0.mp4"), "--db", str(db), "--json").stdout)
    assert gone["removed"] == [str(folder / "v0.mp4")] and (folder / "v0.mp4").exists()
    found = json.loads(run_cli("search", "helium nucleus with two protons", "--db", str(db), "--json").stdout)
    assert [Path(r["video"]).name for r in found["results"]][:1] == ["copy_of_v0.mp4"]  # same content, other name

    kept = db / "momentsearch-partial" / f"{ids['v1.mp4']}.jsonl"  # as a killed re-index of v1 would leave it
    kept.parent.mkdir(exist_ok=True)
    kept.write_text("{}\n")
    assert index.remove([ids["v1.mp4"]]).removed == [str(folder / "v1.mp4")]  # by video id
    assert not kept.exists()
    state = dump(db)
    check_consistent(state)
    assert not any(i.startswith(ids["v1.mp4"]) for i in state["ms_transcript"]["ids"])
    assert sorted(Path(m["path"]).name for m in state["ms_files"]["metas"]) == ["copy_of_v0.mp4", "v2.mp4"]

    assert len(index.remove([str(folder)]).removed) == 2  # a folder: everything indexed under it
    with pytest.raises(QueryError):
        index.remove([str(folder)])
    assert index.search("helium nucleus with two protons") == []
    final = dump(db)
    assert all(not final[name]["ids"] for name in ("ms_files", "ms_transcript", "ms_ocr") if name in final)


def test_prune_sweeps_orphans_left_by_a_crash(tmp_path):
    """Entries whose content no record names (a crash between writes in an older run) go on prune."""
    import numpy as np

    from momentsearch.store.client import make_client
    from momentsearch.store.prune import prune
    from momentsearch.store.store import Store
    from momentsearch.types import FileRecord

    store = Store(make_client(str(tmp_path / "db")))
    live = tmp_path / "live.mp4"
    live.write_bytes(b"x")
    store.put_file(FileRecord(path=str(live), video_id="aaaa", size=1, mtime=0.0, complete=True))
    meta = lambda vid, s: {"video_id": vid, "video": "v", "start": s, "end": s + 1.0, "kind": "chunk"}  # noqa: E731
    store.upsert("transcript", ["aaaa:chunk:1", "bbbb:chunk:1", "bbbb:chunk:2"], np.ones((3, 4), np.float32),
                 [meta("aaaa", 0.0), meta("bbbb", 0.0), meta("bbbb", 1.0)], ["a", "b", "c"])
    report = prune(store)
    assert report.removed == [] and report.orphans["transcript"] == 2
    assert [i for i, _, _ in store.iter_all("transcript")] == ["aaaa:chunk:1"]


# -- one writer at a time --------------------------------------------------------------------------

def test_second_writer_fails_naming_the_holder_and_search_still_answers(three_videos, clean_db, tmp_path):
    from momentsearch.store.lock import WriterLock

    db = copy_db(clean_db, tmp_path)
    with WriterLock(db).acquire():
        t0 = time.monotonic()
        busy = run_cli("index", str(three_videos), "--db", str(db), "--wait", "1", check=False)
        assert busy.returncode == 2 and "Traceback" not in busy.stderr
        assert f"pid {os.getpid()}" in busy.stderr and "after waiting 1s" in busy.stderr
        assert "--wait" in busy.stderr
        assert time.monotonic() - t0 >= 1.0
        # prune is a writer too; search and info are not
        assert run_cli("prune", "--db", str(db), check=False).returncode == 2
        found = run_cli("search", "helium nucleus with two protons", "--db", str(db), "--json")
        assert json.loads(found.stdout)["results"][0]["video"].endswith("v0.mp4")
        info = json.loads(run_cli("info", "--db", str(db), "--json").stdout)
        assert info["counts"]["transcript"] >= 1 and f"pid {os.getpid()}" in info["writing"]
        said = run_cli("search", "helium nucleus with two protons", "--db", str(db)).stdout
        assert f"Note: the index is being written now by pid {os.getpid()} on " in said
    assert json.loads(run_cli("info", "--db", str(db), "--json").stdout)["writing"] == ""


def test_who_is_writing_now_is_read_without_taking_the_lock(tmp_path):
    """`info` and `search` ask whether an `index` is writing (a batch still running: its files are not
    searchable yet) without locking or creating anything."""
    from momentsearch.store.lock import LOCK_NAME, WriterLock, writing_now

    assert writing_now(tmp_path) == "" and not (tmp_path / LOCK_NAME).exists()
    with WriterLock(tmp_path, "index"):
        assert writing_now(tmp_path).startswith(f"`index` (pid {os.getpid()} on ")
        assert writing_now(tmp_path) != ""  # asking twice does not take it
    assert writing_now(tmp_path) == ""
    WriterLock(tmp_path).acquire(timeout=0).release()


def test_a_writer_starting_while_the_lock_is_probed_still_gets_it(tmp_path):
    """`writing_now` holds a shared lock for an instant; a writer told not to wait (`--wait 0`) that meets
    it retries for a moment instead of stopping with "being written by another process"."""
    import fcntl

    from momentsearch.store.lock import LOCK_NAME, WriterLock

    WriterLock(tmp_path).acquire().release()
    probe = os.open(tmp_path / LOCK_NAME, os.O_RDONLY)
    fcntl.flock(probe, fcntl.LOCK_SH)
    threading.Timer(0.1, lambda: (fcntl.flock(probe, fcntl.LOCK_UN), os.close(probe))).start()
    WriterLock(tmp_path, "index").acquire(timeout=0).release()


def test_lock_waits_for_release_and_survives_a_killed_holder(tmp_path):
    from momentsearch.errors import IndexBusyError
    from momentsearch.store.lock import WriterLock

    first = WriterLock(tmp_path).acquire()
    with pytest.raises(IndexBusyError, match=f"pid {os.getpid()}"):
        WriterLock(tmp_path).acquire(timeout=0)
    threading.Timer(0.5, first.release).start()
    t0 = time.monotonic()
    second = WriterLock(tmp_path).acquire(timeout=10)
    assert 0.3 < time.monotonic() - t0 < 5
    second.release()

    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from momentsearch.store.lock import WriterLock; "
        f"WriterLock({str(tmp_path)!r}).acquire(); print('held', flush=True); time.sleep(60)")],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(IndexBusyError, match=f"pid {holder.pid}"):
        WriterLock(tmp_path).acquire(timeout=0.3)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    WriterLock(tmp_path).acquire(timeout=5).release()  # the kernel dropped the dead holder's lock


def test_a_busy_index_names_the_command_that_writes_it(tmp_path, monkeypatch):
    """index, prune and remove take the one lock; a second writer is told which of them holds it (it was
    told that only `index` or `prune` may write, though `remove` held it), or, unrecorded, just the pid."""
    from PIL import Image

    import momentsearch.store.prune as prune_mod
    from momentsearch.api import MomentIndex
    from momentsearch.errors import IndexBusyError
    from momentsearch.options import load_config
    from momentsearch.store.lock import WriterLock

    db, photo = tmp_path / "db", tmp_path / "board.png"
    Image.new("RGB", (32, 24), (90, 40, 200)).save(photo)
    index = MomentIndex(db, load_config(None, {"models": {"ocr": False}}))  # a photo: no model loads
    told: dict[str, str] = {}

    def while_held(task, name):  # wraps a step each command takes with the lock held; tries a second writer
        real = getattr(prune_mod, name)

        def step(*args, **kwargs):
            with pytest.raises(IndexBusyError) as busy:
                WriterLock(db).acquire(timeout=0)
            told.setdefault(task, str(busy.value))  # prune migrates paths too: the first call is index's
            return real(*args, **kwargs)
        monkeypatch.setattr(prune_mod, name, step)

    for task, name in (("index", "migrate_relative_paths"), ("prune", "prune"), ("remove", "remove_files")):
        while_held(task, name)
    index.index([photo])
    index.prune()
    index.remove([str(photo)])
    for task in ("index", "prune", "remove"):
        assert told[task].startswith(f"the index {db} is being written by `{task}` (pid {os.getpid()} on "), told
        assert "one writer at a time" in told[task] and "`momentsearch index` or `prune`" not in told[task]
    with WriterLock(db).acquire(), pytest.raises(IndexBusyError, match=f"written by pid {os.getpid()} on "):
        WriterLock(db).acquire(timeout=0)  # a writer that names no command (a script's own lock)


# -- model / schema changes --------------------------------------------------------------------------

def test_changed_models_or_schema_are_refused_with_how_to_reindex(three_videos, clean_db, tmp_path):
    db = copy_db(clean_db, tmp_path)
    one = str(three_videos / "v0.mp4")
    before = dump(db)

    # another CLIP architecture (different id and embedding size)
    other = json.loads(Path(TINY_CLIP_ARGS[1]).read_text())
    other["embed_dim"] = 48
    other_cfg = tmp_path / "other_clip.json"
    other_cfg.write_text(json.dumps(other))
    proc = run_cli("index", one, "--db", str(db), "--clip-model", str(other_cfg), "--clip-pretrained", "random",
                   check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert re.search(r"open_clip:tiny_clip#sha256:[0-9a-f]{16}/random", proc.stderr)  # (the config's content too)
    assert "re-index into a new --db" in proc.stderr

    # another text model (same size, other weights): index and search both refuse it
    from momentsearch.models.text import TextEmbedder

    other_text = tmp_path / "other-minilm"
    other_text.symlink_to(TextEmbedder().model_path, target_is_directory=True)
    cfg = tmp_path / "cfg.toml"
    cfg.write_text(f'[models]\ntext_model = "{other_text}"\n')
    proc = run_cli("index", one, "--db", str(db), "--config", str(cfg), check=False)
    assert proc.returncode == 2 and "sentence-transformers:all-MiniLM-L6-v2" in proc.stderr, proc.stderr
    proc = run_cli("search", "helium", "--db", str(db), "--config", str(cfg), check=False)
    assert proc.returncode == 2 and "re-index" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr

    # an index written by another schema version
    import chromadb
    from chromadb.api.client import SharedSystemClient

    client = chromadb.PersistentClient(path=str(db))
    col = client.get_collection("ms_transcript")
    kept = {k: v for k, v in col.metadata.items() if not k.startswith("hnsw:")}  # Chroma refuses to modify those
    col.modify(metadata={**kept, "schema_version": 99})
    SharedSystemClient.clear_system_cache()
    from momentsearch.search import snapshot

    snapshot.mark_done(db)  # as any momentsearch writer leaves it: search snapshots made before are stale
    proc = run_cli("search", "helium", "--db", str(db), check=False)
    assert proc.returncode == 2 and "schema version 99" in proc.stderr and "Traceback" not in proc.stderr
    after = dump(db)
    # nothing was written by the refused runs: never mixed vectors
    assert {n: sorted(c["ids"]) for n, c in after.items()} == {n: sorted(c["ids"]) for n, c in before.items()}


def test_other_models_are_refused_before_any_weights_load(tmp_path):
    """The index's stored model ids are compared first: a refused run does not wait seconds for CLIP, OCR
    or Whisper to load (nor import torch) before saying so."""
    import chromadb
    from chromadb.config import Settings
    from PIL import Image

    from momentsearch.errors import IndexMismatchError
    from momentsearch.options import Config
    from momentsearch.pipeline.indexer import Indexer
    from momentsearch.store.store import Store

    class Model:
        def __init__(self, model_id: str) -> None:
            self.model_id, self.dim = model_id, 4

        def load(self):
            raise AssertionError(f"{self.model_id} loaded before the index's models were compared")

    Image.new("RGB", (8, 8)).save(tmp_path / "photo.png")
    client = chromadb.EphemeralClient(settings=Settings(anonymized_telemetry=False))
    built = Store(client, prefix="refused")
    built.collection("transcript", model_id="text:a", dim=4)
    built.collection("keyframes", model_id="open_clip:A/x", dim=4)
    for text, clip, named in (("text:a", "open_clip:B/y", "open_clip:A/x"), ("text:b", "open_clip:A/x", "text:a")):
        indexer = Indexer(Store(client, prefix="refused"), Config(), Model(text), Model("asr"), Model(clip),
                          ocr=Model("ocr"))
        with pytest.raises(IndexMismatchError, match=named):
            indexer.plan([str(tmp_path / "photo.png")])


def test_a_copied_or_moved_lecture_shares_its_entries_instead_of_being_indexed_again(three_videos, tmp_path):
    """The same content at a new path (a folder reorganised, a copy on another disk) gets its own record
    beside the first one's and shares its entries: nothing is decoded or transcribed again, no entry is
    added, and the copy stays searchable by its own path when the first is taken out."""
    first, second = tmp_path / "2024", tmp_path / "archive"
    first.mkdir()
    second.mkdir()
    shutil.copy(three_videos / "v1.mp4", first / "talk.mp4")
    db = tmp_path / "db"
    run_cli("index", str(first), "--db", str(db))
    before = dump(db)
    shutil.copy(first / "talk.mp4", second / "talk (copy).mp4")
    got = json.loads(run_cli("index", str(second), "--db", str(db), "--json").stdout)
    assert [(f["status"], f["reason"].split(":")[0]) for f in got["files"]] == [("indexed", f"same content as {first / 'talk.mp4'}")]
    assert "asr" not in got["times"] and "decode+keyframes" not in got["times"]  # nothing redone
    after = dump(db)
    assert after["ms_files"]["count"] == 2
    for name in before:  # the entries are the first file's, once
        if name != "ms_files":
            assert sorted(after[name]["ids"]) == sorted(before[name]["ids"]), name
    check_consistent(after)
    run_cli("remove", str(first / "talk.mp4"), "--db", str(db))
    found = json.loads(run_cli("search", "helium nucleus", "--db", str(db), "--in", str(second), "--json").stdout)
    assert found["results"] and found["results"][0]["video"] == str(second / "talk (copy).mp4")
    check_consistent(dump(db))


def test_a_folder_moved_to_another_disk_is_indexed_again_as_moved_not_beside_its_old_records(three_videos, tmp_path):
    """`index NEWPATH` after moving a folder said "same content as OLDPATH" and kept the old records, so `info`
    listed every recording twice until a `prune` (which, on a copied index, warned of an unmounted drive)."""
    old, new = tmp_path / "usb" / "lectures", tmp_path / "nas" / "lectures"
    old.mkdir(parents=True)
    shutil.copy(three_videos / "v1.mp4", old / "talk.mp4")
    db = tmp_path / "db"
    run_cli("index", str(old), "--db", str(db))
    new.parent.mkdir()
    shutil.move(old, new)
    got = json.loads(run_cli("index", str(new), "--db", str(db), "--json").stdout)
    assert [(f["status"], f["reason"].split(":")[0]) for f in got["files"]] == [("indexed", f"moved from {old / 'talk.mp4'}")]
    assert "asr" not in got["times"]  # nothing redone
    info = json.loads(run_cli("info", "--db", str(db), "--json").stdout)
    assert [f["path"] for f in info["files"]] == [str(new / "talk.mp4")]
