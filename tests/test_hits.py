"""Where in a moment its words matched (`Moment.hit_start` / `hit_end`, search/results.py): a section
can run for minutes, and a player should be able to start where the query's words were said."""

from __future__ import annotations

import numpy as np
import pytest

from momentsearch.ranking.fusion import Candidates, ChannelHits, Fused
from momentsearch.search.results import hit_span
from tests.conftest import needs_espeak


def _hits(name, spans, scores):
    return ChannelHits(name, np.array(["v"] * len(spans), dtype=object), np.array([s for s, _ in spans], float),
                       np.array([e for _, e in spans], float), np.array(scores, float), [name] * len(spans))


def test_the_hit_is_the_best_speech_hit_inside_the_span_else_the_slide_text():
    cands = Candidates(np.array(["v", "v"], dtype=object), np.array([0.0, 100.0]), np.array([60.0, 160.0]), np.zeros(2))
    hits = {"transcript": _hits("transcript", [(40, 55), (150, 170)], [0.6, 0.9]),
            "lexical": _hits("lexical", [(20, 30)], [0.8]),
            "ocr": _hits("ocr", [(100, 160)], [0.7])}
    # span 0: lexical scored higher than transcript there, so its hit is where the words are
    fused = Fused(np.ones(2), {"transcript": np.array([0.5, 0.1]), "lexical": np.array([0.7, 0.0]),
                               "ocr": np.array([0.0, 0.6])},
                  {"transcript": np.array([0, 1]), "lexical": np.array([0, -1]), "ocr": np.array([-1, 0])})
    assert hit_span(0, cands, fused, hits) == (20.0, 30.0)
    # span 1: the transcript hit's middle (160) lies on its edge: clipped to the span, chosen over the slide
    assert hit_span(1, cands, fused, hits) == (150.0, 160.0)
    # a speech hit whose middle lies outside the span is not its words: the slide text's time is
    fused.best_hit["transcript"] = np.array([0, 0])
    assert hit_span(1, cands, fused, hits) == (100.0, 160.0)
    # nothing but a picture matched: no hit
    only_visual = Fused(np.ones(2), {"visual": np.array([0.9, 0.9])}, {"visual": np.array([0, 0])})
    assert hit_span(0, cands, only_visual, {"visual": _hits("visual", [(0, 60)], [0.9])}) is None


@needs_espeak
def test_a_query_said_late_in_a_long_section_points_at_its_words(tmp_path):
    """One slide for half a minute of talk and more: the moment is the whole section, its hit the sentence
    where the query's words were said (the last one), and the HTTP/JSON result carries it. (Batched tiny.en put out
    "The first place is the first place." for this talk until the speech it lost was decoded again.)"""
    from momentsearch.api import MomentIndex
    from momentsearch.testing.synth import Section, render_lecture

    talk = ("Glaciers form where more snow falls in winter than melts in summer. Year after year the snow is "
            "pressed into firn and then into dense blue ice. Once the ice is thick enough it begins to flow "
            "downhill under its own weight. Valley glaciers follow old river valleys, while ice sheets cover "
            "whole continents. Today ice sheets remain only on Greenland and Antarctica. "
            "The flow is slow, often only a few metres a day. Rocks frozen into "
            "the base scrape the valley floor as the ice moves. When a glacier reaches the sea, its valley can "
            "flood and become a fjord with walls a kilometre high.")
    sections = render_lecture(tmp_path / "glaciers.mp4",
                              [Section("How Glaciers Work", talk, ["Snow to ice", "Flow"]),
                               Section("Questions", "Any questions about glaciers before we stop?", [])],
                              size=(160, 90), fps=2)
    index = MomentIndex(tmp_path / "db")
    index.index([str(tmp_path / "glaciers.mp4")])
    top = index.search("its valley can flood and become a fjord", k=1)[0]
    first = sections[0]
    assert top.start == pytest.approx(first.start, abs=2.0) and top.end == pytest.approx(first.end, abs=2.0)
    assert first.end - first.start >= 30  # a long section, so where the words lie matters
    assert top.start + 15 <= top.hit_start < top.hit_end <= top.end  # in its second half, not at its start
    # the last sentence (about 6 s), not the whole 10-30 s chunk that holds it
    assert top.hit_start >= first.end - 9 and top.hit_end - top.hit_start <= 9 and top.hit_end >= first.end - 2
    assert top.to_json()["hit"] == [round(top.hit_start, 3), round(top.hit_end, 3)]


def test_a_speech_hit_narrows_to_the_sentence_sharing_the_query_words():
    from momentsearch.ranking.lexical import tokenize

    cands = Candidates(np.array(["v"], dtype=object), np.array([0.0]), np.array([60.0]), np.zeros(1))
    chunk = "Ice flows downhill. Glaciers carve deep valleys. The sea floods them into fjords."
    hits = {"transcript": ChannelHits("transcript", np.array(["v"], dtype=object), np.array([20.0]),
                                      np.array([40.0]), np.array([0.8]), [chunk])}
    fused = Fused(np.ones(1), {"transcript": np.array([0.8])}, {"transcript": np.array([0])})
    start, end = hit_span(0, cands, fused, hits, frozenset(tokenize("where the sea floods the valleys")))
    # the third sentence ("valleys" alone is in the second: fewer words shared), timed by its share of characters
    assert start == pytest.approx(20 + 20 * 49 / 82, abs=0.01) and end == 40.0
    assert hit_span(0, cands, fused, hits, frozenset()) == (20.0, 40.0)  # no query words: the whole chunk
    assert hit_span(0, cands, fused, hits, frozenset(tokenize("completely unrelated"))) == (20.0, 40.0)


def test_a_channel_the_file_does_not_have_is_no_part_shown():
    """A video without audio has no speech channels: its score is the mean over the channels it has
    (ranking/fusion.fuse), so its result must not show "transcript 0.0 lexical 0.0" as parts of that score;
    a video with speech that matched nothing there shows its 0.0 (the channel ran and counts)."""
    from types import SimpleNamespace

    from momentsearch.ranking.joint import Ranking
    from momentsearch.search.results import build_moments
    from momentsearch.types import FileRecord

    files = {"mute": FileRecord("/l/mute.mp4", "mute", 1, 0.0, channels=["ocr"], duration=60.0),
             "talk": FileRecord("/l/talk.mp4", "talk", 1, 0.0, channels=["transcript", "ocr"], duration=60.0)}
    cands = Candidates(np.array(["mute", "talk"], dtype=object), np.array([0.0, 0.0]), np.array([30.0, 30.0]),
                       np.zeros(2))
    hits = {"transcript": ChannelHits.empty("transcript"), "lexical": ChannelHits.empty("lexical"),
            "ocr": ChannelHits("ocr", np.array(["mute", "talk"], dtype=object), np.zeros(2), np.full(2, 30.0),
                               np.array([0.9, 0.5]), ["Glaciers", "Ice"])}
    fused = Fused(np.array([0.9, 0.4]),
                  {"transcript": np.zeros(2), "lexical": np.zeros(2), "ocr": np.array([0.9, 0.5])},
                  {"transcript": np.array([-1, -1]), "lexical": np.array([-1, -1]), "ocr": np.array([0, 1])})
    corpus = SimpleNamespace(files=files, copies={})
    mute, talk = build_moments(Ranking(cands, fused, np.array([0, 1])), hits, corpus, query="glaciers")
    assert mute.channels == {"ocr": 0.9}
    assert talk.channels == {"transcript": 0.0, "lexical": 0.0, "ocr": 0.5}


def test_the_text_shown_is_the_speech_the_hit_points_at():
    """One section, two chunks: the lexical channel found the query's word said in the first (1.0), the dense one a
    related chunk later on (0.5). `hit` pointed at the first while `text` showed the second, which does not hold
    the word ("(words at 0:02)" printed over another sentence). Both now follow the stronger speech hit."""
    from types import SimpleNamespace

    from momentsearch.ranking.joint import Ranking
    from momentsearch.search.results import build_moments
    from momentsearch.types import FileRecord

    files = {"v": FileRecord("/l/v.mp4", "v", 1, 0.0, channels=["transcript"], duration=60.0)}
    cands = Candidates(np.array(["v"], dtype=object), np.array([0.0]), np.array([60.0]), np.zeros(1))
    said, related = "A moraine is what the ice leaves behind.", "Ice moves slowly downhill under its own weight."
    hits = {"transcript": _hits("transcript", [(30, 50)], [0.5]), "lexical": _hits("lexical", [(2, 20)], [1.0])}
    hits["transcript"].evidence, hits["lexical"].evidence = [related], [said]
    fused = Fused(np.array([0.8]), {"transcript": np.array([0.5]), "lexical": np.array([1.0])},
                  {"transcript": np.array([0]), "lexical": np.array([0])})
    corpus = SimpleNamespace(files=files, copies={})
    m, = build_moments(Ranking(cands, fused, np.array([0])), hits, corpus, query="moraine")
    assert (m.hit_start, m.hit_end) == (2.0, 20.0) and m.text == said
    assert m.evidence == {"transcript": related, "lexical": said}  # what each channel matched stays its own
    fused.parts["transcript"][0] = 1.0  # the dense chunk as strong: speech shown and hit are the transcript's
    m, = build_moments(Ranking(cands, fused, np.array([0])), hits, corpus, query="ice")
    assert m.text == related and m.hit_start == 30.0
