"""A lecture re-indexed while students watch it in `momentsearch serve` (`index --reindex FILE`, or a plain
`index` that picks up a changed file).

The writer takes the file's old entries out and writes its new ones; in between, its record is incomplete.
A server that looked at the index then (it looks again within a second of each commit) lost the recording
until its next look: the player's media, transcript, chapters, captions and thumbnails answered 404 (captions
400, "not an indexed file") and searches left the lecture out. The reader now keeps its whole view of the old
entries until the new ones are whole. The writer runs in a thread, paused inside that window on an event.
"""

from __future__ import annotations

import shutil
import threading

import pytest

from test_notebook import _fake_models


@pytest.fixture
def lecture(tmp_path):
    """A two-slide lecture with speech (espeak-ng), in a folder of its own."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (scripts/setup.sh installs it)")
    from momentsearch.testing.synth import Section, render_lecture

    folder = tmp_path / "lectures"
    folder.mkdir()
    render_lecture(folder / "photosynthesis.mp4", [
        Section("Light reactions", "Chlorophyll absorbs red and blue light.", ["thylakoid membrane"], None),
        Section("Calvin cycle", "Rubisco fixes carbon dioxide.", ["carbon fixation"], None)], size=(160, 90), fps=5)
    return folder / "photosynthesis.mp4"


def _player_urls(client, video_id: str) -> list[str]:
    thumbs = [r["thumb_url"] for r in client.get("/api/search", params={"q": "solar panels"}).json()["results"]
              if r["thumb_url"]]
    assert thumbs, "the lecture's moments have pictures"
    return [f"/api/media/{video_id}", f"/api/transcript/{video_id}", f"/api/chapters/{video_id}",
            f"/api/captions/{video_id}.vtt", f"/api/clock/{video_id}", *thumbs]


def _answers(client, urls: list[str]) -> dict[str, int]:
    return {url: client.get(url, headers={"Range": "bytes=0-99"}).status_code for url in urls}


def test_a_recording_being_reindexed_stays_playable_until_its_new_entries_are_in(lecture, tmp_path, monkeypatch):
    from fastapi.testclient import TestClient

    from momentsearch.api import MomentIndex
    from momentsearch.search import searcher as searcher_mod
    from momentsearch.server.app import create_app
    from momentsearch.store.store import Store

    db = tmp_path / "db"
    writer = MomentIndex(db, config={"models": {"ocr": False}})
    _fake_models(writer)
    first = writer.index([lecture])
    assert [f.status for f in first.files] == ["indexed"]
    video_id = first.files[0].video_id

    in_window, go = threading.Event(), threading.Event()
    upsert = Store.upsert

    def paused_upsert(store, *args, **kwargs):  # the writer, its old entries out, its new ones not yet in
        if threading.current_thread().name == "reindex":
            in_window.set()
            assert go.wait(timeout=120)
        return upsert(store, *args, **kwargs)

    monkeypatch.setattr(Store, "upsert", paused_upsert)
    monkeypatch.setattr(searcher_mod, "CORPUS_RECHECK_SECONDS", 0.0)  # the server's look a second later, at once
    reader = MomentIndex(db)
    _fake_models(reader)
    with TestClient(create_app(reader, warm=False), base_url="http://127.0.0.1:8000") as client:
        urls = _player_urls(client, video_id)
        assert set(_answers(client, urls).values()) <= {200, 206}
        transcript = client.get(f"/api/transcript/{video_id}").json()

        done = {}
        thread = threading.Thread(target=lambda: done.update(report=writer.index([lecture], reindex=True)),
                                  name="reindex")
        thread.start()
        try:
            assert in_window.wait(timeout=120)
            during = _answers(client, urls)
            assert {u: s for u, s in during.items() if s not in (200, 206)} == {}  # was 404 (captions 400)
            assert client.get(f"/api/transcript/{video_id}").json() == transcript  # the old version, whole
            assert [v["video_id"] for v in client.get("/api/videos").json()["videos"]] == [video_id]
            found = client.get("/api/search", params={"q": "solar panels"}).json()
            assert [r["video_id"] for r in found["results"]][:1] == [video_id]
        finally:
            go.set()
            thread.join(timeout=120)
        assert [f.status for f in done["report"].files] == ["indexed"]
        assert set(_answers(client, urls).values()) <= {200, 206}  # and the new version once it is whole
        assert client.get(f"/api/transcript/{video_id}").json() == transcript


class _SaysItAnew:
    """The re-recorded section's words, at other times than the first take's (so other entry ids)."""

    model_id = "fake:asr"

    def transcribe(self, audio):
        from momentsearch.types import TranscriptSegment, Word

        return [TranscriptSegment(0.5, 2.0, "Solar cells store no energy.",
                                  [Word(0.5, 1.2, "Solar cells"), Word(1.2, 2.0, "store no energy.")])]


def _word_pieces_text():
    """FakeText with word pieces (one per word), so searches score late interaction as the real encoder's do."""
    import numpy as np
    from fakes import FakeText, hashed_vector

    class PieceText(FakeText):
        def embed_tokens(self, texts):
            return [(t.lower().split(), np.array([hashed_vector(w) for w in t.lower().split()], np.float16)
                     .reshape(-1, self.dim)) for t in texts]

    return PieceText()


def test_a_search_while_the_new_entries_are_written_answers_from_the_old_view(lecture, tmp_path, monkeypatch):
    """Paused after the new entries are in and before the record says so: the server's index had the new
    entries (its vector search) while its view of the files and texts was the old one; a new entry's hit came
    without its text, and scoring its word pieces (an empty text) ended the search in a 500 (ValueError)."""
    from fastapi.testclient import TestClient

    from momentsearch.api import MomentIndex
    from momentsearch.search import searcher as searcher_mod
    from momentsearch.server.app import create_app
    from momentsearch.store.store import Store

    db = tmp_path / "db"
    writer = MomentIndex(db, config={"models": {"ocr": False}})
    _fake_models(writer)
    video_id = writer.index([lecture]).files[0].video_id
    writer.models.asr = _SaysItAnew()

    in_window, go = threading.Event(), threading.Event()
    put_file = Store.put_file

    def paused_put_file(store, record, *args, **kwargs):  # the new entries in, the record not yet complete
        if threading.current_thread().name == "reindex" and record.complete:
            in_window.set()
            assert go.wait(timeout=120)
        return put_file(store, record, *args, **kwargs)

    monkeypatch.setattr(Store, "put_file", paused_put_file)
    monkeypatch.setattr(searcher_mod, "CORPUS_RECHECK_SECONDS", 0.0)
    reader = MomentIndex(db)
    _fake_models(reader)
    reader.models.text_embedder = _word_pieces_text()
    with TestClient(create_app(reader, warm=False), base_url="http://127.0.0.1:8000") as client:
        before = client.get("/api/search", params={"q": "solar panels"}).json()["results"]
        assert [r["video_id"] for r in before][:1] == [video_id]
        thread = threading.Thread(target=writer.index, args=([lecture],), kwargs={"reindex": True}, name="reindex")
        thread.start()
        try:
            assert in_window.wait(timeout=120)
            during = client.get("/api/search", params={"q": "solar cells"})
            assert during.status_code == 200, during.text
            assert [(r["video_id"], r["text"]) for r in during.json()["results"]][:1] == [
                (video_id, before[0]["text"])]  # the old words at the old times, not new words at old times
        finally:
            go.set()
            thread.join(timeout=120)
        after = client.get("/api/search", params={"q": "solar cells"}).json()["results"]
        assert "Solar cells store no energy." in after[0]["text"]


def test_a_changed_file_being_indexed_says_so_in_the_players_error(lecture, tmp_path):
    """The lecturer replaced the file and `index` is at work on it: the player (the page shows the server's error)
    said `changed after indexing; re-index it` for the minute that run took, and not that the new version comes
    back under a new id."""
    from fastapi.testclient import TestClient

    from momentsearch.api import MomentIndex
    from momentsearch.server.app import create_app
    from momentsearch.store.lock import WriterLock

    index = MomentIndex(tmp_path / "db", config={"models": {"ocr": False}})
    _fake_models(index)
    video_id = index.index([lecture]).files[0].video_id
    lecture.write_bytes(lecture.read_bytes()[:-100])  # the re-recorded section, copied over the old file
    with TestClient(create_app(index, warm=False), base_url="http://127.0.0.1:8000") as client:
        idle = client.get(f"/api/media/{video_id}")
        assert idle.status_code == 409 and "being written" not in idle.json()["error"]
        lock = WriterLock(tmp_path / "db", "index").acquire()  # as `momentsearch index` holds it while it runs
        try:
            busy = client.get(f"/api/media/{video_id}")
        finally:
            lock.release()
    assert busy.status_code == 409
    assert "changed after indexing" in busy.json()["error"]
    assert "being written now by `index` (pid" in busy.json()["error"] and "new id" in busy.json()["error"]


@pytest.mark.parametrize("url", ["/api/captions/{}.vtt", "/api/transcript/{}", "/api/thumbs/{}"])
def test_a_recording_whose_old_id_goes_between_two_looks_is_a_404(lecture, tmp_path, monkeypatch, url):
    """A changed file indexed again drops its old id. A request that found the old id's record, then read its
    speech from a view renewed just after, answered 400 `'<id>' is not an indexed file or video id; index it
    first` (seen on /api/captions while a plain `index` took in an edited lecture) beside the others' 404; so did
    /api/thumbs for a transcript chunk's picture (`segment_id` of a `search --json` result), which looks its id up
    among the video's chunks."""
    from fastapi.testclient import TestClient

    from momentsearch.api import MomentIndex
    from momentsearch.search import searcher as searcher_mod
    from momentsearch.server.app import create_app

    writer = MomentIndex(tmp_path / "db", config={"models": {"ocr": False}})
    _fake_models(writer)
    video_id = writer.index([lecture]).files[0].video_id
    monkeypatch.setattr(searcher_mod, "CORPUS_RECHECK_SECONDS", 0.0)
    reader = MomentIndex(tmp_path / "db")
    _fake_models(reader)
    found = reader.video

    def then_taken_out(vid):  # the record found, then the writer's next commit lands
        record = found(vid)
        writer.remove([lecture])
        return record

    # a thumbnail is asked by segment: the first chunk of the speech
    target = reader.chunks_of(video_id)[0].id if url.startswith("/api/thumbs/") else video_id
    monkeypatch.setattr(reader, "video", then_taken_out)
    with TestClient(create_app(reader, warm=False), base_url="http://127.0.0.1:8000") as client:
        answer = client.get(url.format(target))
    assert answer.status_code == 404, answer.text
    assert video_id in answer.json()["error"]
