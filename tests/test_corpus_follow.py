"""A reader's corpus (search/corpus.py: `serve`, a notebook's MomentIndex) follows another writer's commit by the
files it changed (search/follow.py): the rows of those files are read again, the others kept with their terms,
and the corpus is the one a whole read gives: ids, order, texts, metadata, BM25 scores, and the moments a search
returns.

Before, the first search after every commit (`index` makes three per file) read every transcript and slide text
row again and tokenized all of them: about 3 s at 40,000 rows.
"""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from fakes import FakeText, hashed_vector

WORDS = ("entropy heat engine cycle carnot pressure volume gas ideal work energy temperature reservoir efficiency "
         "piston isothermal adiabatic kelvin joule law second first system boundary flow turbine").split()
QUERIES = ["carnot engine efficiency", "isothermal piston", "second law entropy", "turbine", "kelvin joule heat"]


def _text(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 14)))


def _write(store, video_id: str, n: int, seed: int, step: float = 10.0, record: bool = True) -> None:
    """A file as the indexer writes it again: its entries out, its speech and slide text in, its record, a commit."""
    from momentsearch.store.ids import entry_id
    from momentsearch.types import FileRecord

    rng = random.Random(seed)
    store.delete_video(video_id)
    for name, kind in (("transcript", "chunk"), ("ocr", "slide")):
        spans = [(step * i, step * (i + 1) - 1) for i in range(n if kind == "chunk" else n // 2)]
        texts = [_text(rng) for _ in spans]
        ids = [entry_id(video_id, kind, s, e) for s, e in spans]
        metas = [{"video_id": video_id, "start": s, "end": e, "kind": kind} for s, e in spans]
        for meta, text in zip(metas, texts):
            if kind == "slide":
                meta["lines"] = json.dumps([[text, 1.0, ""], [_text(rng), 0.3, ""]])
        store.upsert(name, ids, np.stack([hashed_vector(t, FakeText.dim) for t in texts]), metas, texts)
    if record:
        store.put_file(FileRecord(path=f"/lectures/{video_id}.mp4", video_id=video_id, size=n, mtime=float(seed),
                                  duration=step * n, channels=["transcript", "ocr"], complete=True))
    else:
        store.commit()


@pytest.fixture()
def stores(tmp_path, monkeypatch):
    """(writer, reader, reads) of one index of four files; `reads`: (collection, first row) of every read of
    transcript or slide text rows."""
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    db = str(tmp_path / "db")
    writer = Store(make_client(db), db_dir=db)
    for name in ("transcript", "ocr"):
        writer.collection(name, model_id=FakeText.model_id, dim=FakeText.dim)
    for i, video_id in enumerate(["c0ffee0000000003", "0000000000000001", "ffff000000000004", "abcd000000000002"]):
        _write(writer, video_id, 12 + i, seed=i)
    reads = []
    real = Store.iter_all
    monkeypatch.setattr(Store, "iter_all", lambda self, name, documents=True, start=0: (
        name != "files" and reads.append((name, start)), real(self, name, documents, **({"start": start} if start
                                                                                        else {})))[1])
    return writer, Store(make_client(db, create=False), db_dir=db), reads


def _same_as_whole_read(followed, store) -> None:
    from momentsearch.search.corpus import load_corpus

    whole = load_corpus(store, followed.generation, None)
    assert followed.chunk_ids == whole.chunk_ids and followed.ocr_ids == whole.ocr_ids  # the store's order
    assert followed.chunk_text == whole.chunk_text and followed.chunk_meta == whole.chunk_meta
    assert followed.ocr_text == whole.ocr_text and followed.ocr_meta == whole.ocr_meta
    assert followed.files == whole.files and followed.channels == whole.channels
    for kept, read in ((followed.lexical, whole.lexical), (followed.ocr_lexical.lexical, whole.ocr_lexical.lexical)):
        assert kept.size == read.size and kept._df == read._df and kept._bm25.vocab == read._bm25.vocab
        for a, b in (("data", "data"), ("indices", "indices"), ("indptr", "indptr")):
            assert np.array_equal(getattr(kept._bm25, a), getattr(read._bm25, b))  # bit for bit
    for query in QUERIES:
        assert np.array_equal(followed.lexical._bm25.get_scores(query.split()), whole.lexical._bm25.get_scores(
            query.split()))
        for got, want in ((followed.lexical.search(query, 20), whole.lexical.search(query, 20)),
                          (followed.ocr_lexical.search(query, 20), whole.ocr_lexical.search(query, 20))):
            assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])


def test_a_corpus_followed_through_adds_a_removal_and_a_replaced_file_is_the_whole_reads(stores):
    from momentsearch.search.corpus import load_corpus

    writer, reader, reads = stores
    corpus = load_corpus(reader, (reader.generation(),), None)
    changes = [lambda: _write(writer, "8000000000000005", 9, seed=9),  # a new file
               lambda: (writer.delete_video("0000000000000001"),  # a file removed (`remove`)
                        writer.delete_file("/lectures/0000000000000001.mp4")),
               lambda: _write(writer, "c0ffee0000000003", 7, seed=11, step=7.5),  # re-indexed: other rows, times
               lambda: (_write(writer, "0000000000000006", 5, seed=12),  # commits the reader did not see
                        _write(writer, "ffff000000000004", 16, seed=13))]
    for change in changes:
        kept_rows = len(corpus.chunk_ids)
        change()
        reads.clear()
        corpus = load_corpus(reader, (reader.generation(),), None, kept=corpus)
        assert [name for name, _ in reads] == ["transcript", "ocr"] and all(start > 0 for _, start in reads)
        assert reads[0][1] <= kept_rows, "only the rows after the kept ones are read"
        _same_as_whole_read(corpus, reader)


def test_a_changed_files_row_updated_in_its_place_makes_the_reader_read_everything(stores):
    """A row a writer updates keeps its place in the store's order, among other files' rows: the corpus cannot
    put it there, and reads the collection whole (as when the log cannot say)."""
    from momentsearch.search.corpus import load_corpus

    writer, reader, reads = stores
    corpus = load_corpus(reader, (reader.generation(),), None)
    first = corpus.chunk_ids[0]
    writer.upsert("transcript", [first], hashed_vector("x", FakeText.dim)[None], [corpus.chunk_meta[0]],
                  ["turbine turbine reservoir"])
    writer.commit()
    reads.clear()
    corpus = load_corpus(reader, (reader.generation(),), None, kept=corpus)
    assert ("transcript", 0) in reads and corpus.chunk_ids[0] == first
    assert corpus.chunk_text[0] == "turbine turbine reservoir"
    _same_as_whole_read(corpus, reader)


def test_a_searcher_following_commits_returns_the_moments_of_a_fresh_one(stores, monkeypatch):
    from momentsearch.search import searcher
    from momentsearch.search.searcher import Searcher

    monkeypatch.setattr(searcher, "CORPUS_RECHECK_SECONDS", 0.0)  # each search looks at the index's generation
    writer, reader, reads = stores
    following = Searcher(reader, FakeText())
    before = [following.search(q, k=5) for q in QUERIES]
    _write(writer, "0000000000000001", 10, seed=21, step=12.0)  # re-indexed
    _write(writer, "8000000000000005", 8, seed=22)  # added
    reads.clear()
    after = [following.search(q, k=5) for q in QUERIES]
    assert reads and all(start > 0 for _, start in reads), "the searcher followed the commits"
    fresh = Searcher(reader, FakeText())
    assert after == [fresh.search(q, k=5) for q in QUERIES] and after != before


def test_bm25_from_kept_term_counts_is_the_build_from_the_terms_bit_for_bit():
    """Every lexical index is now built from term counts (ranking/term_counts.py): the same vocabulary, in the same
    order, and the same arrays as BM25Scores.build of the terms, also for counts kept through a subset and a join."""
    from momentsearch.ranking.lexical import BM25Scores
    from momentsearch.ranking.term_counts import TermCounts

    rng = random.Random(5)
    docs = [[rng.choice(WORDS[:rng.randint(1, len(WORDS))]) for _ in range(rng.randint(0, 30))] for _ in range(300)]
    keep = sorted(rng.sample(range(len(docs)), 200))
    counts = TermCounts.of(docs[:250])
    followed = counts.rows([i for i in keep if i < 250]).joined(TermCounts.of(docs[250:], counts.table))
    for got, terms in ((TermCounts.of(docs), docs), (followed, [d for i, d in enumerate(docs) if i in keep
                                                                 or i >= 250]), (TermCounts.of([]), [])):
        mine, want = BM25Scores.of_counts(*got.pairs()), BM25Scores.build(terms)
        assert mine.vocab == want.vocab and list(mine.vocab) == list(want.vocab) and mine.num_docs == want.num_docs
        for name in ("data", "indices", "indptr"):
            assert getattr(mine, name).dtype == getattr(want, name).dtype
            assert np.array_equal(getattr(mine, name), getattr(want, name))
