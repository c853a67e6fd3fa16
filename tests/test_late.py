"""Late interaction (ranking/late.py) and its place in the transcript channel (search/searcher.py)."""

from __future__ import annotations

import numpy as np
import pytest

from fakes import FakeText, hashed_vector
from momentsearch.ranking.late import content_pieces, late_scores

# words of one group mean the same: the fake encoder gives them one vector
SAME = {"recalling": "recall", "retrieve": "recall", "recall": "recall"}


def pieces(text: str, dim: int = 8):
    words = text.lower().split()
    vectors = np.stack([hashed_vector(SAME.get(w, w), dim) for w in words]) if words else np.zeros((0, dim))
    return words, vectors.astype(np.float16)


def test_each_query_word_finds_its_best_match_and_a_repeated_word_counts_at_most_the_cap():
    """"recalling material": a text that says "retrieve" scores the first word fully, one that only
    repeats "material" scores it at most the cap; stopwords of the query do not count, an empty
    text scores 0."""
    query = pieces("actively recalling the material")
    assert content_pieces(query)[0] == ["actively", "recalling", "material"]
    paraphrase, repeat, empty = pieces("students retrieve notes"), pieces("memory material"), pieces("")
    capped = late_scores(query, [paraphrase, repeat, empty], exact_cap=0.5)
    assert capped[2] == 0.0
    assert capped[0] > capped[1]  # the idea in other words beats the repeated word
    assert capped[0] == pytest.approx((1.0 + max(hashed_vector("actively") @ hashed_vector(w) for w in
                                                  ("students", "recall", "notes")) +
                                       max(hashed_vector("material") @ hashed_vector(w) for w in
                                           ("students", "recall", "notes"))) / 3, abs=2e-3)
    uncapped = late_scores(query, [paraphrase, repeat], exact_cap=1.0)
    assert uncapped[1] > capped[1]  # without the cap the repeated word counts fully
    only_stopwords = pieces("the of")
    assert late_scores(only_stopwords, [pieces("the of")], exact_cap=1.0)[0] == pytest.approx(1.0, abs=2e-3)


class PieceText(FakeText):
    """FakeText whose word pieces are words (one vector per meaning); counts the texts it embeds."""

    def __init__(self):
        self.embedded: list[str] = []

    def embed_tokens(self, texts):
        self.embedded += list(texts)
        return [pieces(t, self.dim) for t in texts]


def test_the_transcript_channel_blends_late_interaction_and_embeds_a_chunk_once(tmp_path):
    """Two chunks whose sentence vectors the query does not tell apart: with late interaction the one
    that says "retrieve" for "recalling" leads the transcript channel; off (share 0), the word pieces
    are never computed; a second search reuses the pieces of the chunks it met."""
    from momentsearch.options import RankingOptions
    from momentsearch.search.searcher import Searcher
    from momentsearch.store.client import make_client
    from momentsearch.store.ids import entry_id
    from momentsearch.store.store import Store
    from momentsearch.types import FileRecord

    store = Store(make_client(str(tmp_path / "db")))
    store.collection("transcript", model_id=FakeText.model_id, dim=FakeText.dim)
    texts = ["memory material repeated here", "students retrieve notes"]
    ids = [entry_id("v" * 16, "chunk", s, s + 9.0) for s in (0.0, 20.0)]
    metas = [{"video_id": "v" * 16, "video": "/v.mp4", "start": s, "end": s + 9.0, "kind": "chunk"} for s in (0.0, 20.0)]
    same = hashed_vector("one sentence vector for both")
    store.upsert("transcript", ids, np.stack([same, same]), metas, texts)
    store.put_file(FileRecord(path="/v.mp4", video_id="v" * 16, size=1, mtime=0.0, duration=40.0,
                              channels=["transcript"], complete=True))

    text = PieceText()
    off = Searcher(store, text, options=RankingOptions(late_share=0.0))
    vector, none = off._query_vectors("recalling material")
    assert none is None
    off._dense_hits("transcript", "transcript", vector, {"v" * 16: None}, pieces=none)
    assert text.embedded == []

    on = Searcher(store, text, options=RankingOptions(late_share=1.0, late_exact_cap=0.5))
    query = on._query_vectors("recalling material")[1]
    hits = on._dense_hits("transcript", "transcript", same, {"v" * 16: None}, pieces=query)
    assert hits.ids[0] == ids[1] and hits.scores[0] > hits.scores[1]
    assert sorted(text.embedded) == sorted(["recalling material"] + texts)
    on._dense_hits("transcript", "transcript", same, {"v" * 16: None}, pieces=query)
    assert sorted(text.embedded) == sorted(["recalling material"] + texts)  # the chunks' pieces were kept
