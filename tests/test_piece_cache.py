"""The chunks' word pieces for late interaction kept across index runs and processes (search/pieces.py,
search/piece_files.py): on disk beside the index, never in the way of a search when they cannot be."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import numpy as np
import pytest

from fakes import FakeText, hashed_vector
from momentsearch.options import RankingOptions
from momentsearch.search.cache import CACHE_DIRNAME, PIECES_DIRNAME, clear
from momentsearch.search.searcher import Searcher
from momentsearch.store.client import make_client
from momentsearch.store.ids import entry_id
from momentsearch.store.store import Store
from momentsearch.types import FileRecord, PruneReport

VIDEO, OTHER = "a" * 16, "b" * 16
TEXTS = ["memory material repeated here", "students retrieve notes"]
QUERY = "recalling material"


class PieceText(FakeText):
    """FakeText whose word pieces are words; counts the texts it embeds."""

    def __init__(self):
        self.embedded: list[str] = []

    def embed_tokens(self, texts):
        self.embedded += list(texts)
        out = []
        for t in texts:
            words = t.lower().split()
            out.append((words, np.stack([hashed_vector(w, self.dim) for w in words]).astype(np.float16)))
        return out


def _add_video(store: Store, video: str, texts: list[str], options: str = "o1") -> None:
    ids = [entry_id(video, "chunk", 20.0 * i, 20.0 * i + 9.0) for i in range(len(texts))]
    metas = [{"video_id": video, "video": f"/{video}.mp4", "start": 20.0 * i, "end": 20.0 * i + 9.0, "kind": "chunk"}
             for i in range(len(texts))]
    same = hashed_vector("one sentence vector for all")
    store.upsert("transcript", ids, np.stack([same] * len(texts)), metas, texts)
    store.put_file(FileRecord(path=f"/{video}.mp4", video_id=video, size=1, mtime=0.0, duration=40.0,
                              channels=["transcript"], complete=True, version="1", options=options))


@pytest.fixture()
def index(tmp_path):
    store = Store(make_client(str(tmp_path / "db")))
    store.collection("transcript", model_id=FakeText.model_id, dim=FakeText.dim)
    _add_video(store, VIDEO, TEXTS)
    return store, tmp_path / "db" / CACHE_DIRNAME


def _search(store, cache_dir, text=None):
    """(the transcript channel's ids and scores for QUERY, the encoder) in a searcher like a new process's."""
    text = text or PieceText()
    searcher = Searcher(store, text, options=RankingOptions(late_share=1.0, late_exact_cap=0.5),
                        cache_dir=None if cache_dir is None else str(cache_dir))
    hits = searcher._dense_hits("transcript", "transcript", hashed_vector("one sentence vector for all"),
                                {VIDEO: None, OTHER: None}, pieces=searcher._query_vectors(QUERY)[1])
    return (hits.ids, list(hits.scores)), text, searcher


def _files(cache_dir) -> list[Path]:
    return sorted((Path(cache_dir) / PIECES_DIRNAME).glob("*/*.pieces"))


def test_a_new_process_reads_the_pieces_an_earlier_one_kept_and_scores_the_same(index):
    """The first search encodes the two chunks and keeps their pieces in one folder for the video; a second
    searcher (a new `momentsearch search`) encodes only the query and ranks the same, to the bit. An index
    run clears the corpus cache but keeps the pieces (a function of the text)."""
    store, cache_dir = index
    first, text, _ = _search(store, cache_dir)
    assert sorted(text.embedded) == sorted([QUERY] + TEXTS)
    assert len(_files(cache_dir)) == 2 and len({p.parent for p in _files(cache_dir)}) == 1
    clear(cache_dir)  # what every index, prune or remove does after writing
    second, text, _ = _search(store, cache_dir)
    assert text.embedded == [QUERY]
    assert second == first


def test_a_damaged_or_foreign_pieces_file_is_encoded_again_and_rewritten(index):
    store, cache_dir = index
    first, _, _ = _search(store, cache_dir)
    cut = _files(cache_dir)[0]
    cut.write_bytes(cut.read_bytes()[:-7])  # a write cut short (a crash, a full disk)
    again, text, _ = _search(store, cache_dir)
    assert again == first and len(text.embedded) == 2  # the query and the one chunk
    _, text, _ = _search(store, cache_dir)
    assert text.embedded == [QUERY]  # written whole again


def test_an_index_run_keeps_the_pieces_of_chunks_whose_text_it_did_not_change(index):
    """A server's searcher meets a new index generation (another video indexed): the chunks it had already
    encoded are not encoded again (the in-memory cache was emptied on every index run)."""
    store, _ = index
    _, text, searcher = _search(store, None)
    _add_video(store, OTHER, ["an unrelated chunk about glaciers"])
    hits = searcher._dense_hits("transcript", "transcript", hashed_vector("one sentence vector for all"),
                                {VIDEO: None, OTHER: None}, pieces=searcher._query_vectors(QUERY)[1])
    assert len(hits.ids) == 3
    assert sorted(text.embedded) == sorted([QUERY, QUERY, "an unrelated chunk about glaciers"] + TEXTS)


@pytest.mark.parametrize("failure", ["not a folder", "disk full"])
def test_a_cache_folder_that_cannot_be_written_leaves_the_search_as_it_was(index, monkeypatch, failure):
    """Where the pieces cannot be written (the cache path is a file; the disk is full), the search answers the
    same from memory, tries to write once, and leaves no temp file behind."""
    store, cache_dir = index
    expected, _, _ = _search(store, None)
    tries = []  # attempts to write pieces (the corpus cache beside them tries on its own)
    if failure == "not a folder":
        cache_dir.parent.mkdir(parents=True, exist_ok=True)
        cache_dir.write_text("not a folder")
        real_mkdir = Path.mkdir

        def mkdir(path, *args, **kwargs):
            tries.extend([path] if PIECES_DIRNAME in path.parts else [])
            return real_mkdir(path, *args, **kwargs)

        monkeypatch.setattr(Path, "mkdir", mkdir)
    else:
        real_replace = os.replace

        def replace(source, target):
            if str(target).endswith(".pieces"):
                tries.append(target)
                raise OSError(errno.ENOSPC, "No space left on device")
            return real_replace(source, target)

        monkeypatch.setattr(os, "replace", replace)
    got, text, searcher = _search(store, cache_dir)
    assert got == expected and len(tries) == 1
    searcher._pieces._kept.clear()  # met again after leaving memory: encoded, not written
    searcher._dense_hits("transcript", "transcript", hashed_vector("one sentence vector for all"),
                         {VIDEO: None}, pieces=searcher._query_vectors(QUERY)[1])
    assert len(tries) == 1 and sorted(text.embedded).count(TEXTS[0]) == 2
    if failure == "disk full":
        assert [p.name for p in (cache_dir / PIECES_DIRNAME).rglob("*") if p.is_file()] == []


def test_a_re_indexed_video_writes_a_new_folder_and_prune_or_remove_drops_a_gone_videos(index):
    """The folder follows the video's record: re-indexed with other options (its texts may differ) the first
    write drops the old folder; a video taken out of the index loses its folder with its other leftovers."""
    from momentsearch.leftovers import forget_leftovers

    store, cache_dir = index
    _add_video(store, OTHER, ["an unrelated chunk about glaciers"])
    _search(store, cache_dir)
    old = {p.parent.name for p in _files(cache_dir)}
    assert {name.split("-")[0] for name in old} == {VIDEO, OTHER}
    _add_video(store, VIDEO, TEXTS, options="o2")
    _search(store, cache_dir)
    now = {p.parent.name for p in _files(cache_dir)}
    assert len(now) == 2 and now & old == {n for n in old if n.startswith(OTHER)}
    store.delete_video(OTHER)
    store.delete_file(f"/{OTHER}.mp4")
    forget_leftovers(str(cache_dir.parent), store, PruneReport(dropped=[OTHER]))
    assert {p.parent.name.split("-")[0] for p in _files(cache_dir)} == {VIDEO}
