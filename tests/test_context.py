"""Section context (search/context.py): a transcript hit is scored with the section it belongs to."""

from __future__ import annotations

import numpy as np
import pytest

from fakes import FakeText

VIDEO = "v" * 16


def unit(*parts: tuple[int, float]) -> np.ndarray:
    v = np.zeros(FakeText.dim, np.float32)
    for axis, value in parts:
        v[axis] = value
    return v / np.linalg.norm(v)


# the query is axis 0. Section 0-30 s: two chunks that each say half of it (cosine 0.75), together all of
# it (their mean is the query). Section 30-60 s: one chunk closer than either (0.8) next to an unrelated
# one. Section 60-90 s: one chunk alone.
CHUNKS = [(0.0, 14.0, unit((0, 0.75), (1, 0.66))), (14.0, 29.0, unit((0, 0.75), (1, -0.66))),
          (30.0, 44.0, unit((0, 0.8), (2, 0.6))), (44.0, 59.0, unit((3, 1.0))),
          (60.0, 75.0, unit((0, 0.5), (4, 0.87)))]


def make_store(tmp_path):
    from momentsearch.store.client import make_client
    from momentsearch.store.ids import entry_id
    from momentsearch.store.store import Store
    from momentsearch.types import FileRecord

    store = Store(make_client(str(tmp_path / "db")))
    store.collection("transcript", model_id=FakeText.model_id, dim=FakeText.dim)
    ids = [entry_id(VIDEO, "chunk", s, e) for s, e, _ in CHUNKS]
    metas = [{"video_id": VIDEO, "video": "/v.mp4", "start": s, "end": e, "kind": "chunk"} for s, e, _ in CHUNKS]
    store.upsert("transcript", ids, np.stack([v for _, _, v in CHUNKS]), metas, [f"chunk {i}" for i in range(5)])
    store.put_file(FileRecord(path="/v.mp4", video_id=VIDEO, size=1, mtime=0.0, duration=90.0,
                              channels=["transcript"], complete=True,
                              sections=[(0.0, 30.0), (30.0, 60.0), (60.0, 90.0)]))
    return store, ids


class CountingStore:
    def __init__(self, store) -> None:
        self.store, self.asked = store, []

    def vectors(self, name, ids):
        self.asked.append(list(ids))
        return self.store.vectors(name, ids)


def test_a_section_that_says_the_query_together_beats_a_closer_single_chunk(tmp_path):
    """Alone, the 0.8 chunk leads the transcript channel; scored with their sections, the chunks of the
    section whose words together say the query lead (0.3 x 0.75 + 0.7 x 1.0 against 0.3 x 0.8 + 0.7 x 0.57)."""
    from momentsearch.options import RankingOptions
    from momentsearch.search.searcher import Searcher

    store, ids = make_store(tmp_path)
    query = unit((0, 1.0))

    def scores(share: float) -> dict:
        searcher = Searcher(store, FakeText(), options=RankingOptions(late_share=0.0, section_share=share))
        hits = searcher._dense_hits("transcript", "transcript", query, {VIDEO: None})
        return dict(zip(hits.ids, hits.scores))

    alone, joint = scores(0.0), scores(0.7)
    assert max(alone, key=alone.get) == ids[2] and alone[ids[2]] > alone[ids[0]]
    assert joint[ids[0]] == pytest.approx(joint[ids[1]]) and joint[ids[0]] > joint[ids[2]]


def test_section_vectors_are_the_mean_of_their_chunks_made_once_and_a_lone_chunk_keeps_its_own(tmp_path):
    from momentsearch.search.context import SectionContext
    from momentsearch.search.corpus import load_corpus
    from momentsearch.store.store import Hit

    store, ids = make_store(tmp_path)
    corpus = load_corpus(store, (store.generation(),), None)
    counting = CountingStore(store)
    context = SectionContext(counting, corpus)
    hits = [Hit(i, float(v[0]), {"video_id": VIDEO, "start": s, "end": e}, "") for i, (s, e, v) in zip(ids, CHUNKS)]
    own = np.array([h.similarity for h in hits])
    got = context.scores(hits, unit((0, 1.0)), own)
    mean_b = (CHUNKS[2][2] + CHUNKS[3][2]) / np.linalg.norm(CHUNKS[2][2] + CHUNKS[3][2])
    assert np.allclose(got, [1.0, 1.0, mean_b[0], mean_b[0], own[4]], atol=1e-5)
    assert sorted(counting.asked[0]) == sorted(ids[:4])  # the lone chunk's section needs no vectors
    again = context.scores(hits[:3], unit((0, 1.0)), own[:3])
    assert np.allclose(again, got[:3]) and len(counting.asked) == 1  # kept for the corpus
    assert context.section_of(VIDEO, 95.0, 99.0) is None and context.section_of("w" * 16, 0.0, 5.0) is None
