"""Numbers, abbreviations and units written one way in a query and another on a slide or in speech:
"800000" / "800,000", "10 percent" / "10%", "chapter" / "ch.", "versus" / "vs", "ninth" / "9th", "fifty" / "50"."""

from __future__ import annotations

import json

import numpy as np

def _store(tmp_path, slides, near):
    """A store of slide-text entries (one video); the query's vector is axis 0, entry i's is near it (cosine
    0.3) where `near[i]`, orthogonal to it elsewhere."""
    from fakes import FakeText
    from momentsearch.store.client import make_client
    from momentsearch.store.ids import entry_id
    from momentsearch.store.store import Store
    from momentsearch.types import FileRecord

    video = "n" * 16
    store = Store(make_client(str(tmp_path / "db")))
    store.collection("ocr", model_id=FakeText.model_id, dim=FakeText.dim)
    spans = [(20.0 * i, 20.0 * (i + 1)) for i in range(len(slides))]
    metas = [{"video_id": video, "video": "/n.mp4", "start": s, "end": e, "kind": "slide", "title": lines[0][0],
              "lines": json.dumps([[t, w, ""] for t, w in lines])} for (s, e), lines in zip(spans, slides)]
    vectors = np.zeros((len(slides), FakeText.dim), np.float32)
    vectors[:, 1] = 1.0
    vectors[np.asarray(near, dtype=bool), 0] = 0.3
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    store.upsert("ocr", [entry_id(video, "slide", s, e) for s, e in spans], vectors, metas,
                 [" · ".join(t for t, _ in lines) for lines in slides])
    store.put_file(FileRecord(path="/n.mp4", video_id=video, size=1, mtime=0.0, duration=20.0 * len(slides),
                              channels=["ocr"], complete=True))
    return store


def test_a_misspelt_name_with_its_number_finds_the_slide_that_shows_both(tmp_path):
    """"Ebinghaus 1885" found another slide: the one showing "Ebbinghaus, 1885" matched nothing but the
    number (scored 0), the name matched no slide word, and sound-alike only looked at the slides the dense
    channel proposed. The slides holding the query's numbers are now proposed to sound-alike too."""
    from fakes import FakeText
    from momentsearch.options import RankingOptions
    from momentsearch.search.searcher import Searcher

    store = _store(tmp_path, [
        [("Serial Position", 1.0), ("Murdock, 1962", 0.5)],
        [("Levels of Processing", 1.0), ("Craik and Lockhart, 1972", 0.5)],
        [("Forgetting Curve", 1.0), ("Ebbinghaus, 1885", 0.5), ("Nonsense syllables", 0.5)],
        [("Hospital Deaths", 1.0), ("Vienna, 1885", 0.5)]], near=[1, 1, 0, 0])
    searcher = Searcher(store, FakeText(), options=RankingOptions(late_share=0.0, candidates=2))
    corpus = searcher.corpus()
    query = np.zeros(FakeText.dim, np.float32)
    query[0] = 1.0
    hits = searcher._ocr_hits("Ebinghaus 1885", query, corpus, corpus.files)
    best = int(np.argmax(hits.scores))
    assert hits.evidence[best].startswith("Forgetting Curve") and hits.scores[best] > 0.9
