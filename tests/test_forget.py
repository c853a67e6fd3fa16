"""Taking a recording out of an index at someone's request (a privacy request): after `remove` or `prune`
nothing the index folder holds may still carry its words, its path or the work a killed run kept of it."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

NAME = "Zebediah Quillfeather"  # said in the recording to be taken out, and nowhere else


def _all_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def _index_with_two_talks(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A local index of two recordings on disk: the seminar where a student gives their name and number,
    and a lecture; each with a record and a speech entry. Returns (db, seminar, lecture)."""
    from momentsearch.store.client import make_client
    from momentsearch.store.ids import entry_id
    from momentsearch.store.store import Store
    from momentsearch.types import FileRecord

    db, rng = tmp_path / "db", np.random.default_rng(7)
    store = Store(make_client(str(db)), db_dir=str(db))
    talks = ((tmp_path / "seminar-quillfeather.mp4", "1" * 16, f"hello, my name is {NAME}, my student number is 4471"),
             (tmp_path / "thermo.mp4", "2" * 16, "the Carnot cycle sets the upper limit on efficiency"))
    store.collection("files", model_id="none", dim=1)
    for path, video_id, text in talks:
        path.write_bytes(text.encode())
        vectors = rng.normal(size=(1, 8)).astype(np.float32)
        store.collection("transcript", model_id="fake:text", dim=8)
        store.upsert("transcript", [entry_id(video_id, "chunk", 0.0, 9.5)], vectors / np.linalg.norm(vectors),
                     [{"video_id": video_id, "video": str(path), "start": 0.0, "end": 9.5}], [text])
        store.put_file(FileRecord(path=str(path), video_id=video_id, size=1, mtime=0.0, complete=True,
                                  channels=["transcript"]))
    store.close()
    return db, talks[0][0], talks[1][0]


def _texts(db: Path) -> list[str]:
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    store = Store(make_client(str(db)), db_dir=str(db))  # a new client: Chroma reads its log again
    try:
        return [doc for _, doc, _ in store.iter_all("transcript")] + [r.path for r in store.files()]
    finally:
        store.close()


def test_remove_erases_the_recordings_words_from_the_database_file(tmp_path):
    """`remove` deleted the entries, but Chroma's own log (`embeddings_queue` in chroma.sqlite3) kept every
    write it was given: the student's name, number and the file's path stayed in the index folder,
    readable with any SQLite browser (`grep -rl Quillfeather DB` found it). Now they are erased from it; the
    other recording stays, and the index opens and reads as before."""
    from momentsearch.api import MomentIndex

    db, seminar, lecture = _index_with_two_talks(tmp_path)
    assert NAME.encode() in _all_bytes(db)  # (the store did write it)
    with MomentIndex(db) as index:
        report = index.remove(str(seminar))
    assert report.removed == [str(seminar)]
    raw = _all_bytes(db)
    for trace in (b"Quillfeather", b"seminar-quillfeather"):
        assert trace not in raw, trace
    # the number as a word: not inside the index's random hex ids ("03dec2ba43924471ae54...": failed 1 run in 40)
    assert not re.search(rb"(?<![0-9a-fA-F-])4471", raw)
    assert report.erased > 0
    texts = _texts(db)
    assert texts == ["the Carnot cycle sets the upper limit on efficiency", str(lecture)], texts


def test_prune_of_a_deleted_recording_erases_its_words_too(tmp_path):
    """The other way a user takes a recording out: delete the file, then `prune`."""
    from momentsearch.api import MomentIndex

    db, seminar, lecture = _index_with_two_talks(tmp_path)
    seminar.unlink()
    with MomentIndex(db) as index:
        report = index.prune(yes=True)
    assert report.removed == [str(seminar)]
    assert b"Quillfeather" not in _all_bytes(db) and b"seminar-quillfeather" not in _all_bytes(db)
    assert report.erased > 0
    assert _texts(db) == ["the Carnot cycle sets the upper limit on efficiency", str(lecture)]


def test_a_dry_run_erases_nothing(tmp_path):
    from momentsearch.api import MomentIndex

    db, seminar, _ = _index_with_two_talks(tmp_path)
    with MomentIndex(db) as index:
        report = index.remove(str(seminar), dry_run=True)
    assert report.erased == 0 and NAME.encode() in _all_bytes(db)


def test_remove_drops_the_work_a_killed_run_kept_of_the_recordings_new_version(tmp_path):
    """The recording was re-edited and `index` was killed while indexing the new version: its kept work
    (DB/momentsearch-partial/<new content id>.*: transcribed windows, the slides' pictures) belongs to no
    record, since the file's record still names the old content. `remove` of the file dropped the old
    content's and left the new version's on disk. Now it goes too; another changed file's kept work stays
    (its re-index resumes from it)."""
    from momentsearch.api import MomentIndex
    from momentsearch.pipeline.discover import content_hash
    from momentsearch.pipeline.partial import PARTIAL_DIRNAME
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store
    from momentsearch.types import FileRecord

    db, seminar, lecture = _index_with_two_talks(tmp_path)
    seminar.write_bytes(f"re-edited: {NAME} again".encode())
    lecture.write_bytes(b"re-edited lecture")
    kept = db / PARTIAL_DIRNAME
    kept.mkdir()
    for path in (seminar, lecture):
        (kept / f"{content_hash(str(path))}.jsonl").write_text(f'{{"kind": "window", "text": "{NAME}"}}\n')
        (kept / f"{content_hash(str(path))}.keyframes.npz").write_bytes(b"the slides' pictures")
    store = Store(make_client(str(db)), db_dir=str(db))
    store.put_file(FileRecord(path=str(tmp_path / "unfinished.mp4"), video_id="3" * 16, size=1, mtime=0.0))
    store.close()
    (kept / f"{'3' * 16}.jsonl").write_text("{}\n")  # a file killed mid-way whose record is unfinished

    with MomentIndex(db) as index:
        index.remove(str(seminar))
    left = sorted(p.name for p in kept.iterdir())
    assert left == sorted([f"{'3' * 16}.jsonl", f"{content_hash(str(lecture))}.jsonl",
                           f"{content_hash(str(lecture))}.keyframes.npz"]), left


def test_unused_vector_slots_are_zeroed_and_other_layouts_left_alone(tmp_path):
    """hnswlib saves its whole preallocated buffer: the slots past its element count hold what the writing
    process's memory held (in `remove`: the removed file's record, with its path). Those are zeroed; the
    slots in use are not touched, and a segment laid out otherwise (another chromadb) is left as it is."""
    import struct

    from momentsearch.store.erase import zero_unused_slots

    segment, other = tmp_path / "seg", tmp_path / "other"
    garbage = b'{"path": "/lectures/seminar-quillfeather.mp4"}'.ljust(48, b"#")
    for folder, version in ((segment, 1), (other, 7)):
        folder.mkdir()
        (folder / "header.bin").write_bytes(struct.pack("<iQQQQ", version, 0, 4, 2, 48).ljust(100, b"\0"))
        (folder / "data_level0.bin").write_bytes(b"in use: slot one".ljust(48, b"1") + b"slot two".ljust(48, b"2")
                                                 + garbage * 2)
        (folder / "length.bin").write_bytes(b"\x01\0\0\0\x02\0\0\0" + b"Quil" + b"lfea")  # an int32 per slot
    assert zero_unused_slots(segment) and not zero_unused_slots(other)
    data = (segment / "data_level0.bin").read_bytes()
    assert data[:96] == b"in use: slot one".ljust(48, b"1") + b"slot two".ljust(48, b"2") and data[96:] == bytes(96)
    assert (segment / "length.bin").read_bytes() == b"\x01\0\0\0\x02\0\0\0" + bytes(8)
    assert garbage in (other / "data_level0.bin").read_bytes()
    assert b"Quil" in (other / "length.bin").read_bytes()


def test_the_cli_says_how_many_log_rows_it_erased(tmp_path, capsys):
    import json

    from momentsearch.cli.main import main

    db, seminar, _ = _index_with_two_talks(tmp_path)
    assert main(["remove", str(seminar), "--db", str(db), "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["removed"] == [str(seminar)] and answer["erased"] > 0
    assert main(["prune", "--db", str(db), "--json"]) == 0  # nothing more to erase
    assert json.loads(capsys.readouterr().out)["erased"] == 0


def test_a_dry_run_lists_while_another_run_writes_or_the_lock_file_is_not_ours(tmp_path, monkeypatch):
    """`remove --dry-run` and `prune --dry-run` write nothing, but took the writer lock: while another run
    indexed, or on a group's index whose lock file a colleague's run made 0644, they stopped ("being written
    by", "cannot take the index's writer lock") instead of listing. Now they list, and say who was writing."""
    from momentsearch.api import MomentIndex
    from momentsearch.errors import IndexBusyError, IndexWriteError
    from momentsearch.store import lock

    db, seminar, _ = _index_with_two_talks(tmp_path)
    with lock.writer_lock(db, task="index"), MomentIndex(db) as index:
        report = index.remove(str(seminar), dry_run=True)
        assert report.removed == [str(seminar)] and "`index`" in report.writer
        assert index.prune(dry_run=True).writer.startswith("`index`")
        with pytest.raises(IndexBusyError):  # a real removal still waits its turn
            index.remove(str(seminar))

    def refused(self):
        raise IndexWriteError(lock._lock_refused(lock.lock_path(self.db_dir)))

    monkeypatch.setattr(lock.WriterLock, "_open", refused)
    with MomentIndex(db) as index:
        assert index.remove(str(seminar), dry_run=True).removed == [str(seminar)]
        assert index.prune(dry_run=True).writer == ""
        with pytest.raises(IndexWriteError):
            index.prune()
    assert NAME.encode() in _all_bytes(db)
