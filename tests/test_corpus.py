"""The search corpus's per-video reads (what the server's snippets and captions use) agree with a
full scan of the rows, for random chunk layouts."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from momentsearch.ranking.lexical import LexicalIndex
from momentsearch.search.corpus import Corpus
from momentsearch.store.ids import entry_id


def _corpus(rows):
    """A Corpus over (video, start, end, text) rows, in the given (unsorted) order."""
    ids = [entry_id(v, "chunk", s, e) for v, s, e, _ in rows]
    metas = [{"video_id": v, "start": s, "end": e, "kind": "chunk"} for v, s, e, _ in rows]
    texts = [t for *_, t in rows]
    return Corpus((0, len(rows), 0), {}, LexicalIndex(texts), ids, metas, texts)


@st.composite
def layouts(draw):
    n = draw(st.integers(0, 40))
    rows = []
    for i in range(n):
        start = draw(st.integers(0, 600)) / 4
        rows.append((draw(st.sampled_from(["a" * 16, "b" * 16, "c" * 16])), start,
                     start + draw(st.integers(1, 120)) / 4, f"words {i}"))
    return rows, draw(st.integers(0, 700)) / 4, draw(st.integers(1, 200)) / 4


@settings(max_examples=150, deadline=None)
@given(layouts())
def test_speech_in_equals_a_full_scan(layout):
    rows, start, length = layout
    corpus = _corpus(rows)
    for video in ("a" * 16, "b" * 16, "d" * 16):
        want = sorted((s, e, t) for v, s, e, t in rows if v == video and s < start + length and e > start)
        got = corpus.speech_in(video, start, start + length)
        assert sorted((c.start, c.end, c.text) for c in got) == want
        assert [c.start for c in got] == sorted(c.start for c in got)  # in time order
        assert all(c.video_id == video and c.id == entry_id(video, "chunk", c.start, c.end) for c in got)


def test_chunks_of_gives_one_video_in_time_order():
    rows = [("a" * 16, 20.0, 30.0, "third"), ("b" * 16, 0.0, 9.0, "other video"),
            ("a" * 16, 0.0, 10.0, "first"), ("a" * 16, 10.0, 20.0, "second")]
    random.Random(0).shuffle(rows)
    corpus = _corpus(rows)
    assert [c.text for c in corpus.chunks_of("a" * 16)] == ["first", "second", "third"]
    assert [c.text for c in corpus.chunks_of("b" * 16)] == ["other video"]
    assert corpus.chunks_of("f" * 16) == [] and corpus.speech_in("f" * 16, 0, 100) == []
    assert [c.text for c in corpus.speech_in("a" * 16, 10.0, 20.0)] == ["second"]  # touching ends do not overlap


def test_speech_edges_are_the_section_edges_where_the_picture_does_not_change():
    from momentsearch.types import FileRecord

    rec = FileRecord("/x.mp4", "a" * 16, 1, 0.0, duration=130.0, complete=True,
                     visual_segments=[(0.0, 40.0), (40.0, 100.0), (100.0, 130.0)],  # 100: a periodic split
                     sections=[(0.0, 25.2), (25.2, 40.3), (40.3, 130.0)])
    old = FileRecord("/y.mp4", "b" * 16, 1, 0.0, duration=60.0, complete=True, visual_segments=[(0.0, 60.0)])
    corpus = Corpus((0, 0, 0), {rec.video_id: rec, old.video_id: old}, LexicalIndex([]), [], [], [])
    assert corpus.speech_edges(rec.video_id) == [25.2]  # 40.3: the slide change, found 0.3 s apart
    assert corpus.speech_edges(old.video_id) == [] and corpus.speech_edges("c" * 16) == []
