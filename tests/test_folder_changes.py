"""A folder that changes between runs of `momentsearch index`: files renamed, copied, deleted, touched."""

from __future__ import annotations

import importlib
import json

import pytest

VID = "0123456789abcdef"  # a content id (16 hex digits, as content_hash makes)


def _store_with_copies(tmp_path, order: list[str]):
    """A store holding one content under the names in `order` (records written in that order)."""
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store
    from momentsearch.types import FileRecord

    store = Store(make_client(str(tmp_path / "db")))
    for name in order:
        store.put_file(FileRecord(path=str(tmp_path / name), video_id=VID, size=1, mtime=0.0, complete=True))
    return store


@pytest.mark.parametrize("order", [["new.mp4", "old.mp4"], ["old.mp4", "new.mp4"]])
def test_results_name_the_copy_that_is_on_disk(tmp_path, order):
    """A file renamed (or one of two copies deleted) keeps a record under its old name until `prune`;
    results, /api/videos and clips must name the file that is there, whichever record came last."""
    from momentsearch.search.corpus import load_corpus

    (tmp_path / "new.mp4").write_bytes(b"x")  # old.mp4 was renamed to new.mp4
    corpus = load_corpus(_store_with_copies(tmp_path, order), (0,), None)
    assert corpus.files[VID].path == str(tmp_path / "new.mp4")
    assert sorted(corpus.copies[VID]) == [str(tmp_path / "new.mp4"), str(tmp_path / "old.mp4")]


def test_results_name_the_first_indexed_of_copies_on_disk(tmp_path):
    """Two identical files on disk share one content's entries: results named the copy indexed last (a_copy.mp4
    over the lecture.mp4 indexed first), and a later copy took the original's place in every search. The first
    indexed is named, whatever the names sort as; the others are the result's `copies`."""
    from momentsearch.search.corpus import load_corpus, other_copies

    for name in ("z_lecture.mp4", "a_copy.mp4", "m_copy.mp4"):
        (tmp_path / name).write_bytes(b"x")
    corpus = load_corpus(_store_with_copies(tmp_path, ["z_lecture.mp4", "a_copy.mp4", "gone.mp4", "m_copy.mp4"]),
                         (0,), None)
    shown = corpus.files[VID]
    assert shown.path == str(tmp_path / "z_lecture.mp4")
    assert other_copies(corpus, shown) == [str(tmp_path / "a_copy.mp4"), str(tmp_path / "m_copy.mp4")]


class CountingASR:
    """Says the same sentence for any audio; counts the windows it was given."""

    model_id = "fake:asr"

    def __init__(self):
        self.calls = 0

    def transcribe(self, audio):
        from momentsearch.types import TranscriptSegment, Word

        self.calls += 1
        return [TranscriptSegment(0.0, 1.0, "helium nucleus.", [Word(0.0, 0.5, "helium"), Word(0.5, 1.0, "nucleus.")])]


@pytest.fixture
def spoken_video(tmp_path):
    """A 3 s lecture: one slide and a spoken sentence (espeak-ng), in a folder of its own."""
    import shutil

    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (scripts/setup.sh installs it)")
    from momentsearch.testing.synth import Section, render_lecture

    folder = tmp_path / "lectures"
    folder.mkdir()
    render_lecture(folder / "alpha.mp4", [Section("Alpha particles", "The alpha particle is a helium nucleus.",
                                                  ["point"], None)], size=(160, 90), fps=5)
    return folder / "alpha.mp4"


@pytest.fixture
def two_videos(spoken_video):
    """`spoken_video` and a second lecture beside it."""
    from momentsearch.testing.synth import Section, render_lecture

    beta = spoken_video.parent / "beta.mp4"
    render_lecture(beta, [Section("Beta decay", "Beta decay turns a neutron into a proton.", ["point"], None)],
                   size=(160, 90), fps=5)
    return spoken_video, beta


def _indexer(db, asr):
    from fakes import FakeText

    from momentsearch.options import Config
    from momentsearch.pipeline.indexer import Indexer
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    config = Config()
    config.models.ocr = False
    return Indexer(Store(make_client(str(db))), config, FakeText(), asr, None)


def test_a_touched_file_is_not_indexed_again(spoken_video, tmp_path):
    """Same bytes, new modified time (`touch`, a copy or sync that drops times, a restore from backup):
    the content hash says nothing changed, so nothing is decoded or transcribed again; the record takes
    the new time, so the run after that does not even hash it."""
    import os

    asr = CountingASR()
    first = _indexer(tmp_path / "db", asr).index([str(spoken_video.parent)])
    assert [f.status for f in first.files] == ["indexed"] and asr.calls > 0
    entries = first.files[0].channels
    calls = asr.calls
    os.utime(spoken_video, (1_700_000_000, 1_700_000_000))

    second = _indexer(tmp_path / "db", asr)
    report = second.index([str(spoken_video.parent)])
    assert [(f.status, f.channels) for f in report.files] == [("unchanged", entries)], report.files
    assert "modified time changed" in report.files[0].reason
    assert asr.calls == calls and "decode+keyframes" not in report.times.seconds
    record = second.store.get_file(str(spoken_video))
    assert record.complete and record.mtime == os.stat(spoken_video).st_mtime

    third = _indexer(tmp_path / "db", asr).index([str(spoken_video.parent)])
    assert [f.status for f in third.files] == ["unchanged"] and "hash" not in third.times.seconds


def test_results_and_info_say_which_files_are_missing(tmp_path, monkeypatch, capsys):
    """A file deleted or moved away after indexing is still found (its words stay in the index until
    `prune`), but a result that would open nothing says so, and so does `info`, with what to do."""
    import io
    import json

    from rich.console import Console

    from momentsearch.api import IndexInfo
    import importlib
    from momentsearch.cli import info_output, output
    from momentsearch.types import FileRecord, Moment

    here, gone = tmp_path / "here.mp4", tmp_path / "gone.mp4"
    here.write_bytes(b"x")
    buffer = io.StringIO()
    monkeypatch.setattr(output, "out", Console(file=buffer, width=80, soft_wrap=True))
    moments = [Moment(video=str(v), video_id=v.stem * 4, start=0.0, end=3.0, score=0.9, channels={"lexical": 1.0})
               for v in (gone, here)]
    output.print_moments("helium", moments, {"transcript"})
    lines = buffer.getvalue().splitlines()
    heads = [line for line in lines if line.startswith((" 1.", " 2."))]
    assert "(missing)" in heads[0] and heads[0].endswith("gone.mp4") and "(missing)" not in heads[1]
    said = " ".join(buffer.getvalue().split())
    assert "(missing): the file is not where it was indexed (moved or deleted)" in said and "momentsearch prune" in said
    assert max(len(line) for line in lines if not line.startswith("    file://")) <= 80

    buffer.truncate(0)
    buffer.seek(0)
    output.print_moments("helium", moments[1:], {"transcript"})
    assert "missing" not in buffer.getvalue()  # nothing said when every file is there

    st = here.stat()  # the file that is there is the one indexed (same size and time): "complete"
    records = [FileRecord(path=str(v), video_id=v.stem * 4, size=st.st_size, mtime=st.st_mtime, complete=True)
               for v in (gone, here)]
    info = IndexInfo(db=str(tmp_path / "db"), files=records, channels=["transcript"], models={}, counts={})
    buffer.truncate(0)
    buffer.seek(0)
    info_output.print_info(info)
    details = buffer.getvalue().split("2 files:")[1].splitlines()
    assert details[2].endswith("file missing (moved or deleted?)") and details[4].endswith("complete")
    said = " ".join(buffer.getvalue().split())
    assert "the file is not where it was indexed (moved or deleted): `momentsearch index FOLDER --db" in said
    assert "`momentsearch prune` takes missing files out" in said

    listed = info_json(info, tmp_path / "db", monkeypatch, capsys)["files"]
    assert [(f["path"], f["exists"]) for f in listed] == [(str(gone), False), (str(here), True)]


def test_a_clip_of_a_deleted_file_says_what_happened(tmp_path):
    """`clip` of an indexed file that is gone, with no copy of it on disk: one line that says the file
    went after indexing, not the bare 'No such file or directory' of opening it."""
    from momentsearch.api import MomentIndex
    from momentsearch.errors import BadInputError

    _store_with_copies(tmp_path, ["old.mp4"])
    with pytest.raises(BadInputError, match=r"old\.mp4: not there any more \(moved or deleted since it was indexed\)"):
        MomentIndex(tmp_path / "db").export_clip(tmp_path / "old.mp4", 0.0, 2.0, tmp_path / "clip.mp4")
    assert not (tmp_path / "clip.mp4").exists()


@pytest.mark.parametrize("through_link", [False, True])
def test_a_renamed_file_follows_its_new_name_and_a_deleted_one_is_named(two_videos, tmp_path, through_link):
    """Re-indexing a folder where one lecture was moved into a subfolder and another deleted: the moved
    one shares its entries under its new path and its old path leaves the index (info would list it as
    missing for ever, and the warning said search 'still finds it'); the deleted one keeps its record
    (prune's call: an unmounted drive looks the same) and is named in the warning. The same when the
    folder is given through a symbolic link (records hold resolved paths: nothing was noticed)."""
    alpha, beta = two_videos
    folder = alpha.parent
    given = folder
    if through_link:
        given = tmp_path / "my lectures"
        given.symlink_to(folder)
    asr = CountingASR()
    _indexer(tmp_path / "db", asr).index([str(given)])
    calls = asr.calls
    (folder / "2024").mkdir()
    moved = folder / "2024" / "alpha (week 1).mp4"
    alpha.rename(moved)
    beta.unlink()

    indexer = _indexer(tmp_path / "db", asr)
    report = indexer.index([str(given)])
    assert [(f.path, f.status) for f in report.files] == [(str(moved), "indexed")] and asr.calls == calls
    assert report.files[0].reason.startswith(f"moved from {alpha}: ")  # its row says it (the old record goes)
    assert sorted(rec.path for rec in indexer.store.files()) == sorted([str(beta), str(moved)])
    notes = [w for w in report.warnings if "visual" not in w]
    assert notes == ["1 indexed file in this folder no longer exists (beta.mp4): search still finds what of them "
                     "was indexed whole; "
                     "`momentsearch prune` removes it"], notes
    video_id = indexer.store.get_file(str(moved)).video_id
    assert any(meta["video_id"] == video_id for _, _, meta in indexer.store.iter_all("transcript"))


def test_the_server_says_a_deleted_file_was_moved_or_deleted(tmp_path):
    """The page plays /api/media of a result: for a file deleted since indexing the 409 said 're-index
    it', which brings nothing back; it now says what happened and the two ways out."""
    from fastapi.testclient import TestClient

    from momentsearch.api import MomentIndex
    from momentsearch.server.app import create_app

    _store_with_copies(tmp_path, ["old.mp4"])
    with TestClient(create_app(MomentIndex(tmp_path / "db"), warm=False), base_url="http://127.0.0.1") as client:
        assert [v["name"] for v in client.get("/api/videos").json()["videos"]] == ["old.mp4"]
        r = client.get(f"/api/media/{VID}")
    assert r.status_code == 409
    assert "moved or deleted since it was indexed" in r.json()["error"] and "momentsearch prune" in r.json()["error"]


def test_prune_drops_what_a_killed_run_kept_for_a_file_it_takes_out(tmp_path):
    """`index` killed inside a long file keeps its finished windows and pictures (DB/momentsearch-partial)
    to resume from; when that file is then deleted and pruned, its kept work went nowhere and stayed
    (a long lecture's pictures: megabytes) until some later `index` ran. A file still unfinished keeps its,
    and so does a changed file whose re-index was killed (its old record stays complete meanwhile)."""
    from momentsearch.api import MomentIndex
    from momentsearch.pipeline.partial import PARTIAL_DIRNAME
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store
    from momentsearch.types import FileRecord

    store = Store(make_client(str(tmp_path / "db")))
    (tmp_path / "here.mp4").write_bytes(b"x")
    kept = tmp_path / "db" / PARTIAL_DIRNAME
    kept.mkdir()
    for name, video_id in (("gone.mp4", "1" * 16), ("here.mp4", "2" * 16)):  # both killed mid-file
        store.put_file(FileRecord(path=str(tmp_path / name), video_id=video_id, size=1, mtime=0.0, complete=False))
        (kept / f"{video_id}.jsonl").write_text("{}\n")
        (kept / f"{video_id}.keyframes.npz").write_bytes(b"pictures")

    (tmp_path / "changed.mp4").write_bytes(b"new recording")  # its new content ("3"s) was being indexed
    store.put_file(FileRecord(path=str(tmp_path / "changed.mp4"), video_id="4" * 16, size=1, mtime=0.0,
                              complete=True))
    (kept / f"{'3' * 16}.jsonl").write_text("{}\n")

    index = MomentIndex(tmp_path / "db")
    assert index.prune(dry_run=True).removed == [str(tmp_path / "gone.mp4")] and len(list(kept.iterdir())) == 5
    assert index.prune(yes=True).removed == [str(tmp_path / "gone.mp4")]
    assert sorted(p.name[:3] for p in kept.iterdir()) == ["222", "222", "333"]


def test_files_whose_indexing_stopped_are_named_where_searches_look(tmp_path, capsys):
    """An index whose run was killed (or a copy taken while a run rebuilt it) searched as if it were empty:
    the Python API returned [] and said nothing, the CLI told the user to add files. Now `warnings` (Python,
    HTTP) and the CLI's search name the files not searched because their indexing did not finish; a file whose
    re-index stopped while its old content's record stays complete is searched as before and not named."""
    from momentsearch.api import MomentIndex
    from momentsearch.cli.main import main
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store
    from momentsearch.types import FileRecord

    store = Store(make_client(str(tmp_path / "db")))
    for name, video_id, complete in (("week1.mp4", "1" * 16, False), ("week2.mp4", "2" * 16, True),
                                     ("week2 copy.mp4", "2" * 16, False)):
        (tmp_path / name).write_bytes(b"x")
        store.put_file(FileRecord(path=str(tmp_path / name), video_id=video_id, size=1, mtime=0.0,
                                  complete=complete, channels=["transcript"] if complete else []))
    del store
    notes = [w for w in MomentIndex(tmp_path / "db").warnings if "not searched" in w]
    assert len(notes) == 1 and "week1.mp4" in notes[0] and "week2" not in notes[0], notes
    assert "momentsearch index" in notes[0]
    assert main(["search", "roadmap", "--db", str(tmp_path / "db")]) == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert "not searched" in shown and "week1.mp4" in shown and "no longer there" not in shown, shown
    (tmp_path / "week1.mp4").unlink()  # killed mid-file, then deleted: indexing it again cannot finish it
    notes = [w for w in MomentIndex(tmp_path / "db").warnings if "not searched" in w]
    assert "(1 of them no longer there: `momentsearch prune` drops those)" in notes[0], notes


def test_files_a_running_index_has_not_finished_are_not_called_stopped(tmp_path):
    """A teacher indexes this week's lecture while students search through `serve`: the server's warnings said
    the file's indexing was unfinished ("a run was stopped or is still going") and that running `momentsearch
    index` on it again would finish it, beside its own line that a run is writing now (a second run would only
    wait for it). While a run holds the folder, its files are named as being indexed now by it."""
    import anyio
    from fastapi.testclient import TestClient

    from momentsearch.api import MomentIndex
    from momentsearch.server.app import create_app
    from momentsearch.server.routes import refresh_health
    from momentsearch.store.client import make_client
    from momentsearch.store.lock import WriterLock
    from momentsearch.store.store import Store
    from momentsearch.types import FileRecord

    db = tmp_path / "db"
    store = Store(make_client(str(db)))
    for name, video_id, complete in (("week5.mp4", "5" * 16, True), ("week6.mp4", "6" * 16, False)):
        (tmp_path / name).write_bytes(b"x")
        store.put_file(FileRecord(path=str(tmp_path / name), video_id=video_id, size=1, mtime=0.0,
                                  complete=complete, channels=["transcript"] if complete else []))
    del store
    index = MomentIndex(db)
    with TestClient(create_app(index, warm=False), base_url="http://127.0.0.1") as client:
        with WriterLock(db, "index"):
            anyio.run(refresh_health, client.app)
            for said in (index.warnings, client.get("/api/health").json()["warnings"],
                         client.get("/api/search", params={"q": "neurons"}).json()["warnings"]):
                notes = [w for w in said if "week6.mp4" in w]
                assert len(notes) == 1 and "being indexed now by `index` (pid" in notes[0], said
                assert not any("momentsearch index` on them again" in w or "stopped" in w for w in said), said
        anyio.run(refresh_health, client.app)
        said = client.get("/api/search", params={"q": "neurons"}).json()["warnings"]
        assert any("week6.mp4" in w and "a run was stopped)" in w and "momentsearch index" in w for w in said), said


def info_json(info, db, monkeypatch, capsys) -> dict:
    """What `momentsearch info --json` writes for an index whose `info()` is `info`."""
    class FakeIndex:
        use_snapshot = False

        def info(self):
            return info

    cli_main = importlib.import_module("momentsearch.cli.main")
    monkeypatch.setattr(cli_main, "_index_for", lambda args: FakeIndex())
    assert cli_main.main(["info", "--db", str(db), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


class OtherASR(CountingASR):
    """Another Whisper model: the same words, another model id."""

    model_id = "fake:asr-other"


def test_a_copy_re_indexed_with_other_models_leaves_no_stale_record_of_the_entries_its_twin_shares(spoken_video,
                                                                                                   tmp_path):
    """Copies of one recording share one set of entries (ids from the content hash). Indexing one copy again with
    another --asr wrote new entries for both, but the other copy's record still named the old model: `info` said
    it was heard by the old one, and the next run with the new model transcribed it again for the same entries."""
    import shutil

    twin = spoken_video.parent / "alpha (copy).mp4"
    shutil.copy(spoken_video, twin)
    first = _indexer(tmp_path / "db", CountingASR()).index([str(spoken_video.parent)])
    assert sorted(f.status for f in first.files) == ["indexed", "indexed"]
    again = _indexer(tmp_path / "db", OtherASR()).index([str(spoken_video)])
    assert [f.status for f in again.files] == ["indexed"]
    store = _indexer(tmp_path / "db", CountingASR()).store
    records = {r.path: r for r in store.files()}
    assert {r.models["asr"] for r in records.values()} == {"fake:asr-other"}
    assert records[str(twin)].sources == records[str(spoken_video)].sources
    assert records[str(twin)].complete and records[str(twin)].mtime == twin.stat().st_mtime
    asr = OtherASR()
    third = _indexer(tmp_path / "db", asr).index([str(spoken_video.parent)])
    assert [f.status for f in third.files] == ["unchanged", "unchanged"] and asr.calls == 0
    assert str(twin) in again.files[0].reason  # the summary says the copy's entries changed too


def test_a_search_result_names_the_original_and_lists_its_copy(spoken_video, tmp_path):
    """`cp lecture.mp4 a_copy.mp4` and index again: the copy shares the lecture's entries, and a search named the
    copy. It names the lecture indexed first, and `--json` / /api/search list the copy under `copies`."""
    import shutil

    from fakes import FakeText

    from momentsearch.search.searcher import Searcher

    asr = CountingASR()
    _indexer(tmp_path / "db", asr).index([str(spoken_video.parent)])
    copy = spoken_video.parent / "a_copy.mp4"
    shutil.copy(spoken_video, copy)
    indexer = _indexer(tmp_path / "db", asr)
    indexer.index([str(spoken_video.parent)])
    results = Searcher(indexer.store, FakeText()).search("helium nucleus", k=5)
    assert len(results) == 1  # one moment for the two files, as before
    got = results[0].to_json()
    assert (got["video"], got["copies"]) == (str(spoken_video), [str(copy)])


def test_a_re_index_of_one_copy_killed_half_way_leaves_no_copy_called_complete(spoken_video, tmp_path, monkeypatch):
    """Two copies share one content's entries. `index --reindex a.mp4` killed while the new entries were being
    written left the other copy's record complete over half its entries: `info` and searches took it as whole,
    and the next `index` skipped it. Both are unfinished now, and the next run finishes both, decoding once."""
    import shutil

    from momentsearch.store.store import Store

    twin = spoken_video.parent / "alpha (copy).mp4"
    shutil.copy(spoken_video, twin)
    _indexer(tmp_path / "db", CountingASR()).index([str(spoken_video.parent)])
    real = Store.upsert

    def killed(self, name, *args, **kwargs):  # the kill lands after the old entries went, among the new ones
        raise KeyboardInterrupt

    monkeypatch.setattr(Store, "upsert", killed)
    with pytest.raises(KeyboardInterrupt):
        _indexer(tmp_path / "db", CountingASR()).index([str(spoken_video)], reindex=True)
    monkeypatch.setattr(Store, "upsert", real)
    store = _indexer(tmp_path / "db", CountingASR()).store
    assert {r.path: r.complete for r in store.files()} == {str(spoken_video): False, str(twin): False}

    asr = CountingASR()
    again = _indexer(tmp_path / "db", asr)
    report = again.index([str(spoken_video.parent)])
    assert sorted(f.status for f in report.files) == ["indexed", "unchanged"], report.files
    assert all(r.complete for r in again.store.files()) and again.store.count("transcript") > 0
    calls = asr.calls
    third = _indexer(tmp_path / "db", asr).index([str(spoken_video.parent)])
    assert [f.status for f in third.files] == ["unchanged", "unchanged"] and asr.calls == calls


def test_a_touched_or_moved_file_loads_no_model(spoken_video, tmp_path, monkeypatch):
    """A re-run where one file was only touched took 36 s against 16 s for no change: every model loaded (CLIP,
    OCR, the text model's collections) before the file's hash showed that nothing had changed, and so for a folder
    moved or copied with its index (`index` at the new place takes the files over). The hash is told first now;
    the models load only for a file whose bytes are new."""
    import os
    import shutil

    from momentsearch.pipeline.indexer import Indexer

    loads = []
    real = Indexer._check_models
    monkeypatch.setattr(Indexer, "_check_models", lambda self: loads.append(1) or real(self))
    asr = CountingASR()
    _indexer(tmp_path / "db", asr).index([str(spoken_video.parent)])
    assert loads == [1]
    os.utime(spoken_video, (1_700_000_000, 1_700_000_000))
    report = _indexer(tmp_path / "db", asr).index([str(spoken_video.parent)])
    assert [(f.status, f.reason) for f in report.files] == [
        ("unchanged", "same content (its modified time changed): nothing redone")]
    assert loads == [1]

    moved = spoken_video.parent / "week1" / "alpha.mp4"
    moved.parent.mkdir()
    spoken_video.rename(moved)
    calls = asr.calls
    report = _indexer(tmp_path / "db", asr).index([str(spoken_video.parent)])
    assert [(f.status, f.reason) for f in report.files] == [
        ("indexed", f"moved from {spoken_video}: its entries are shared, nothing redone")], report.files
    assert loads == [1] and asr.calls == calls

    other = tmp_path / "other.mp4"
    shutil.copy(moved, other)
    with open(other, "r+b") as f:  # other bytes of the same size, in the same place, at the same time
        f.seek(-8, os.SEEK_END)
        f.write(b"\0" * 8)
    os.utime(other, (1_700_000_100, 1_700_000_100))
    os.replace(other, moved)
    report = _indexer(tmp_path / "db", asr).index([str(spoken_video.parent)])
    assert [f.status for f in report.files] == ["indexed"] and loads == [1, 1], report.files
