"""Transcript timing: chunks keep their words' times, so sentences, caption cues and subtitles start
when their first word is said (pauses included), not at their share of the chunk's characters."""

from __future__ import annotations

from momentsearch.pipeline.segment import build_chunks
from momentsearch.transcript import cues, decode_times, encode_times, sentences, srt, webvtt, word_times
from momentsearch.types import TranscriptSegment, Word

# one chunk: a short sentence, eight seconds of silence (a demo, a question), then a long one
TEXT = "Here is the plan. After the demo we look at the results of the survey in detail."
TIMES = [(0.0, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 1.5),
         (9.5, 9.9), (9.9, 10.0), (10.0, 10.5), (10.5, 10.7), (10.7, 11.0), (11.0, 11.2), (11.2, 11.4),
         (11.4, 11.8), (11.8, 12.0), (12.0, 12.2), (12.2, 12.8), (12.8, 13.0), (13.0, 13.8)]


def test_stored_word_times_round_trip_and_refuse_another_text():
    stored = encode_times(100.0, [(100 + s, 100 + e) for s, e in TIMES])
    assert stored.split()[:2] == ["0,40", "40,60"]  # hundredths of a second after the chunk's start
    back = decode_times(100.0, stored, TEXT)
    assert len(back) == 17 and back[4] == (109.5, 109.9) and back[-1] == (113.0, 113.8)
    assert decode_times(100.0, stored, TEXT + " extra") == ()  # not this text's words
    assert decode_times(100.0, "", TEXT) == () and decode_times(100.0, "x,1", "a") == ()


def test_a_sentence_after_a_pause_starts_when_it_is_said():
    by_chars = sentences([(0.0, 13.8, TEXT)])
    by_words = sentences([(0.0, 13.8, TEXT, TIMES)])
    assert [s[2] for s in by_words] == [s[2] for s in by_chars] == [
        "Here is the plan.", "After the demo we look at the results of the survey in detail."]
    assert by_chars[1][0] < 3.5  # its share of the characters: seconds before anyone speaks it
    assert by_words[0] == (0.0, 1.5, "Here is the plan.") and by_words[1][:2] == (9.5, 13.8)
    assert sentences([(0.0, 13.8, TEXT, encode_times(0.0, TIMES))]) == by_words  # as stored, the same


def test_cues_are_sentences_in_even_lines_timed_by_their_words():
    got = cues([(0.0, 13.8, TEXT, TIMES)], max_words=7)
    assert [c[2] for c in got] == ["Here is the plan.", "After the demo we look at",
                                   "the results of the survey in detail."]
    assert got[0][:2] == (0.0, 1.5) and got[1][:2] == (9.5, 11.2) and got[2][:2] == (11.2, 13.8)
    overlapping = [(0.0, 13.8, TEXT, TIMES), (9.5, 13.8, TEXT.split(". ", 1)[1], TIMES[4:])]
    assert cues(overlapping, max_words=7) == got  # a sentence two chunks share is captioned once
    assert "00:00:09,500 --> 00:00:11,200\nAfter the demo" in srt(got)
    assert webvtt(got).startswith("WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.500\nHere is the plan.")


def test_chunks_carry_their_words_times_unless_a_segment_stands_for_its_words():
    words = [Word(s, e, w) for (s, e), w in zip(TIMES, TEXT.split())]
    chunk, = build_chunks([TranscriptSegment(0.0, 13.8, TEXT, words)])
    assert chunk.text == TEXT and chunk.word_times == TIMES
    chunk, = build_chunks([TranscriptSegment(0.0, 13.8, TEXT)])  # captions or ASR without word times
    assert chunk.word_times == [] and word_times([Word(0.0, 1.0, "two words")]) == []
