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


def _spoken(spec):
    """Words said one after another (0.3 s each, 0.05 s apart), `pause` seconds of silence after each phrase."""
    words, t = [], 0.0
    for phrase, pause in spec:
        for w in phrase.split():
            words.append(Word(round(t, 2), round(t + 0.3, 2), w))
            t += 0.35
        t += pause
    return words


def test_chunk_overlaps_without_punctuation_are_said_once_at_their_own_times():
    """The chunker ends a sentence at a pause of a second as well as at a full stop, and carries the
    last sentences of a chunk into the next; the transcript split chunks at full stops only, so a carried
    piece ("forty two." after a pause, or any phrase of speech Whisper gave no punctuation) was a sentence
    of its own in the next chunk and said twice, its caption shown seconds after it was said."""
    plain = [(f"we now move p{i} along the curve", 1.2) for i in range(10)]  # no punctuation at all
    paused = [(f"Then the answer to question q{i} is", 1.3) for i in range(6)]  # ... [pause] forty two.
    paused = [x for pair in zip(paused, [(f"forty two n{i}.", 0.3) for i in range(6)]) for x in pair]
    for spec in (plain, paused):
        words = _spoken(spec)
        chunks = build_chunks([TranscriptSegment(0.0, words[-1].end, "", words)])
        assert len(chunks) >= 3 and any(a.end > b.start for a, b in zip(chunks, chunks[1:]))  # they overlap
        rows = [(c.start, c.end, c.text, encode_times(c.start, c.word_times)) for c in chunks]
        said = sentences(rows)
        assert " ".join(t for _, _, t in said).split() == [w.word for w in words]  # every word once, in order
        lines = cues(rows)
        assert " ".join(t for _, _, t in lines).split() == [w.word for w in words]
        first = 0
        for start, end, line in lines:  # each line shown from its first word's start to its last word's end
            n = len(line.split())
            assert (start, end) == (words[first].start, words[first + n - 1].end), line
            first += n
    said = sentences([(c.start, c.end, c.text, c.word_times) for c in build_chunks(
        [TranscriptSegment(0.0, 60.0, "", _spoken(plain))])])
    assert [t for _, _, t in said][:2] == ["we now move p0 along the curve", "we now move p1 along the curve"]


def test_caption_cues_always_last_a_while():
    """Whisper gives some words no length (start == end: a quick "Right." at a segment's end); its cue
    was written "00:00:03.000 --> 00:00:03.000", a cue no player shows (WebVTT wants the end after the
    start). A line is now shown for CUE_MIN_SECONDS, or until the next one starts."""
    words = _spoken([("So that works.", 1.3)]) + [Word(3.0, 3.0, "Right.")] + [
        Word(3.2 + 0.35 * i, 3.5 + 0.35 * i, w) for i, w in enumerate("Next is the proof.".split())] + [
        Word(9.0, 9.0, "Bye.")]
    chunk, = build_chunks([TranscriptSegment(0.0, 9.0, "", words)])
    lines = cues([(chunk.start, chunk.end, chunk.text, encode_times(chunk.start, chunk.word_times))])
    assert [t for _, _, t in lines] == ["So that works.", "Right.", "Next is the proof.", "Bye."]
    assert lines[1][:2] == (3.0, 3.2) and lines[3][:2] == (9.0, 9.5) and lines[0][:2] == (0.0, 1.0)
    assert all(s < e for s, e, _ in lines) and all(a[1] <= b[0] for a, b in zip(lines, lines[1:]))
    assert "00:00:03.000 --> 00:00:03.200\nRight." in webvtt(lines)


def test_titles_abbreviations_and_initials_do_not_end_a_sentence():
    """"Dr. Lee" was two sentences: the transcript, its captions, the chunker and a chapter title all
    broke after "Dr.". Words that do end one ("I.", "A.", a question) still do."""
    from momentsearch.chapters import title_from
    from momentsearch.pipeline.segment import sentences as said

    text = "Dr. Lee and J. Smith measured it, e.g. with heat vs. cold. So did I. Was it plan A? Yes."
    assert [s[2] for s in sentences([(0.0, 10.0, text)])] == [
        "Dr. Lee and J. Smith measured it, e.g. with heat vs. cold.", "So did I.", "Was it plan A?", "Yes."]
    words = [Word(start=i * 0.3, end=i * 0.3 + 0.2, word=" " + w) for i, w in enumerate(text.split())]
    assert [len(s) for s in said([TranscriptSegment(0.0, 6.0, text, words=words)])] == [12, 3, 4, 1]
    assert title_from("Dr. Smith explains entropy. Then more.") == "Dr. Smith explains entropy"


def test_a_german_ordinal_does_not_end_a_sentence():
    """"Die Klausur findet am 12. Februar statt" was two sentences in the transcript and its captions."""
    text = "Die Klausur findet am 12. Februar statt. Das war im 19. Jahrhundert. Wir sind bei Folie 12. Danke."
    assert [s[2] for s in sentences([(0.0, 10.0, text)])] == [
        "Die Klausur findet am 12. Februar statt.", "Das war im 19. Jahrhundert.", "Wir sind bei Folie 12.", "Danke."]


def test_no_before_a_number_does_not_end_a_sentence_but_the_word_no_does():
    """"Symphony No. 5" was cut after "No." in the transcript, its captions, the chunker and chapter titles
    (a period after "No" ended the sentence); "No." as an answer, not before a number, still ends one."""
    from momentsearch.chapters import title_from
    from momentsearch.pipeline.segment import sentences as said

    text = "Beethoven wrote Symphony No. 5 in 1808. The answer is no. Was it pp. 12 to 14? No. Not at all."
    assert [s[2] for s in sentences([(0.0, 10.0, text)])] == [
        "Beethoven wrote Symphony No. 5 in 1808.", "The answer is no.", "Was it pp. 12 to 14?",
        "No.", "Not at all."]
    words = [Word(start=i * 0.3, end=i * 0.3 + 0.2, word=" " + w) for i, w in enumerate(text.split())]
    assert [len(s) for s in said([TranscriptSegment(0.0, 7.0, text, words=words)])] == [7, 4, 6, 1, 3]
    assert title_from("Symphony No. 5 in C minor. Then more.") == title_from("Symphony No. 5 in C minor")


def test_no_caption_cue_runs_past_the_end_of_the_file():
    """A lecture whose speech runs to its very end ("... until the very last.", Whisper's last word a blink
    long) got a last cue held CUE_MIN_SECONDS past the end of the file: 00:00:09.000 --> 00:00:09.500 in a
    9.2 s recording, which a caption checker refuses. A cue now ends with the file at the latest."""
    import re

    from momentsearch.transcript import document
    from momentsearch.types import FileRecord, TranscriptChunk

    words = _spoken([("So that works.", 1.3)]) + [Word(9.0, 9.0, "Bye.")]
    chunk, = build_chunks([TranscriptSegment(0.0, 9.0, "", words)])
    rows = [TranscriptChunk("c0", "v", chunk.start, chunk.end, chunk.text, encode_times(chunk.start, chunk.word_times))]
    record = FileRecord(path="/talks/end.mp4", video_id="v", size=1, mtime=0.0, duration=9.2)
    for fmt in ("srt", "vtt"):
        stamps = re.findall(r"(\d\d):(\d\d):(\d\d)[,.](\d\d\d)", document(record, rows, fmt))
        seconds = [int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000 for h, m, s, ms in stamps]
        times = list(zip(seconds[::2], seconds[1::2]))
        assert times == [(0.0, 1.0), (9.0, 9.2)], fmt
    assert cues([(chunk.start, chunk.end, chunk.text, chunk.word_times)])[-1][:2] == (9.0, 9.5)  # length not known


def test_a_long_caption_line_is_shown_on_two_lines_of_caption_length():
    """Fast speech fills a cue with 14 words: "and extracts the maximum repeatedly in place, counting sort counts
    how many time" went into the .srt and .vtt as one line of 80 characters, which a player draws across the
    whole picture or cuts off (caption guides want at most 37-42 a line, two lines). It is now two lines of
    about equal length, each word once, in order; a short cue stays one line."""
    from momentsearch.testing.captions import strict_cues

    long = "and extracts the maximum repeatedly in place, counting sort counts how many time"
    timed = [(0.0, 2.0, "Here is the plan."), (2.0, 5.0, long), (5.0, 8.0, "Q&A <live> & " + long[:30])]
    for fmt, write in (("srt", srt), ("vtt", webvtt)):
        text = write(timed)
        blocks = text.split("WEBVTT\n\n")[-1].strip("\n").split("\n\n")
        assert [len(b.split("\n")) - 2 for b in blocks] == [1, 2, 2], fmt
        assert all(len(line) <= 42 for b in blocks for line in b.split("\n")[2:]), text
        assert blocks[1].split("\n")[2:] == ["and extracts the maximum repeatedly in",
                                             "place, counting sort counts how many time"]
        assert [c[2] for c in strict_cues(text, fmt)][:2] == ["Here is the plan.", long]  # every word, once


def test_a_transcript_stretch_with_no_speech_is_one_line_not_an_empty_file(tmp_path):
    """`transcript --from 7 --to 16` of a lecture that pauses there, or `--from 30` of a 26 s one, printed
    an empty line (`-o`: an empty .srt, which players and editors refuse) with exit status 0: as if the
    transcript were lost. It is now an error that says where the speech is; a stretch with words is as before."""
    import argparse

    import pytest

    from momentsearch.cli.transcripts import cmd_transcript
    from momentsearch.errors import QueryError
    from momentsearch.types import FileRecord, TranscriptChunk

    words = _spoken([("Welcome to the heat lecture.", 10.0), ("After the break we look at convection.", 0.0)])
    chunk, = build_chunks([TranscriptSegment(0.0, words[-1].end, "", words)])
    record = FileRecord(path="/talks/pause.mp4", video_id="v", size=1, mtime=0.0, duration=26.0)

    class Index:
        def find_video(self, name):
            return record

        def info(self):
            return argparse.Namespace(files=[record])

        def chunks_of(self, video_id):
            return [TranscriptChunk("c0", "v", chunk.start, chunk.end, chunk.text,
                                    encode_times(chunk.start, chunk.word_times))]

    def run(fmt, start=None, end=None, out=None):
        return cmd_transcript(argparse.Namespace(video="pause.mp4", format=fmt, start=start, end=end, out=out,
                                                 force=False), Index())

    for fmt in ("text", "srt", "vtt", "json"):
        with pytest.raises(QueryError, match=r"no speech in /talks/pause.mp4 between 0:07 and 0:10 \(the speech "
                                             r"before it ends at 0:01, the next starts at 0:11\)"):
            run(fmt, "7", "10", str(tmp_path / f"gap.{fmt}"))
        with pytest.raises(QueryError, match=r"--from 30 is past the end of /talks/pause.mp4 \(0:26 long\)"):
            run(fmt, "30")
    assert not list(tmp_path.iterdir())  # no empty file written
    assert run("srt", "11", None, str(tmp_path / "after.srt")) == 0
    assert "After the break" in (tmp_path / "after.srt").read_text(encoding="utf-8")
