"""Caption files as they come beside real recordings: bare UTF-16, a name in another case, cues timed for
another recording, a minus sign between words (the sidecar probe's findings)."""

from __future__ import annotations

from momentsearch.pipeline.caption_text import clean_text
from momentsearch.pipeline.captions import find_captions, read_sidecar, sidecar_files
from momentsearch.pipeline.discover import CAPTIONS_ALONE, CAPTIONS_READ, discover
from momentsearch.testing.captions import srt_text, vtt_text

CUES = [(1.0, 4.0, "Welcome to the course on renewable energy."),
        (4.0, 8.0, "Plants capture sunlight with chlorophyll, “naïve” café."),
        (8.0, 12.0, "Let's look at the roadmap for next year.")]


def test_utf16_without_a_byte_order_mark_is_read_not_called_binary(tmp_path):
    """Some Windows tools write UTF-16 with no BOM: the video failed with "is binary, not SRT/WebVTT/ASS text"."""
    for codec in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{codec}.srt"
        path.write_bytes(srt_text(CUES).replace("\n", "\r\n").encode(codec))
        assert [(c.start, c.text) for c in read_sidecar(path, 60.0)] == [(s, t) for s, _, t in CUES]
        path = tmp_path / f"{codec}.vtt"
        path.write_bytes(vtt_text(CUES).encode(codec))
        assert [c.text for c in read_sidecar(path, 60.0)][1] == CUES[1][2]


def test_a_caption_file_named_in_another_case_is_the_videos(tmp_path):
    """lecture.srt beside Lecture.mp4 (a download onto a Mac or Windows disk, copied to Linux) was
    "subtitles with no video of the same name beside them: not read", and the video was transcribed."""
    video = tmp_path / "Lecture.mp4"
    video.write_bytes(b"")
    (tmp_path / "lecture.srt").write_text(srt_text(CUES))
    (tmp_path / "lecture.pdf").write_bytes(b"%PDF-1.4")  # the slides' deck: no video of that name
    assert [(p.name, tag) for p, tag in sidecar_files(video)] == [("lecture.srt", "")]
    assert {f.path.rsplit("/", 1)[-1]: f.reason for f in discover([str(tmp_path)])}["lecture.srt"] == CAPTIONS_READ
    track, note = find_captions(video, 60.0, "auto")
    assert note == "" and track is not None and track.source == "sidecar lecture.srt"
    (tmp_path / "Lecture.en.vtt").write_text(vtt_text(CUES))  # the video's own case goes first
    assert [p.name for p, _ in sidecar_files(video)] == ["Lecture.en.vtt", "lecture.srt"]
    (tmp_path / "lecture.mp4").write_bytes(b"")  # a video of its own case (Linux tells them apart): its, not ours
    assert [p.name for p, _ in sidecar_files(video)] == ["Lecture.en.vtt"]
    assert [p.name for p, _ in sidecar_files(tmp_path / "lecture.mp4")] == ["lecture.srt"]
    (tmp_path / "other.srt").write_text(srt_text(CUES))
    assert {f.path.rsplit("/", 1)[-1]: f.reason for f in discover([str(tmp_path)])}["other.srt"] == CAPTIONS_ALONE


def test_captions_that_start_after_the_video_ends_say_so(tmp_path):
    """Captions of a longer recording (or timed from another start) beside a video: every cue lies past its
    end, and the row said "captions (sidecar past.srt) not used: only 0 words" of a file full of words."""
    video = tmp_path / "past.mp4"
    video.write_bytes(b"")
    (tmp_path / "past.srt").write_text(srt_text([(s + 600.0, e + 600.0, t) for s, e, t in CUES]))
    for mode in ("auto", "prefer"):
        track, note = find_captions(video, 51.6, mode)
        assert track is None
        assert note == ("captions (sidecar past.srt) not used: every cue starts after the video ends at 0:51 (3 from "
                        "10:01 on: another recording's captions, or times that are off); transcribed instead"), note
    (tmp_path / "past.srt").write_text("")  # an empty file: no words, not "only 0 words"
    assert find_captions(video, 51.6, "auto")[1] == ("captions (sidecar past.srt) not used: it holds no words; "
                                                     "transcribed instead")


def test_a_dash_between_words_stays_a_dialogue_dash_goes():
    """" - " was taken for a speaker's dash anywhere in a line: "x - y = 3" was indexed and exported "x y = 3"."""
    assert clean_text("so x - y = 3 and a - b") == "so x - y = 3 and a - b"
    assert clean_text("- Is it hard?") == "Is it hard?"
    assert clean_text("<i>- Not at all.</i>") == "Not at all."
    assert clean_text(">> today we talk >> and learn") == "today we talk and learn"


def test_an_acronym_or_a_name_in_brackets_is_speech_a_sound_note_is_not():
    """Every "(Capitalised words)" was taken for a sound note: "a recurrent neural network (RNN)" was indexed
    without RNN, so a search for the acronym missed the captioned lecture that defines it."""
    assert clean_text("a recurrent neural network (RNN) and the (CPU)") == "a recurrent neural network (RNN) and the (CPU)"
    assert clean_text("the second law (Newton) says") == "the second law (Newton) says"
    assert clean_text("thanks, everyone (Laughter) (APPLAUSE)") == "thanks, everyone"
    assert clean_text("(MUSIC PLAYING) so today") == "so today"
    assert clean_text("<i>(Student asks a question)</i>") == ""  # a line of its own: a note
    assert clean_text("[Music] hi ♪") == "hi"


def test_times_without_milliseconds_are_read(tmp_path):
    """"00:00:05 --> 00:00:07" (a hand-written SRT, as FFmpeg refuses it) and VTT's short "00:05 --> 00:07" failed
    the video as "broken caption file ... cue(s) without valid times"."""
    (tmp_path / "hand.srt").write_text("1\n00:00:05 --> 00:00:07\nHello there, students.\n\n"
                                       "2\n00:00:07 --> 00:01:10\nToday we learn physics.\n")
    (tmp_path / "short.vtt").write_text("WEBVTT\n\n00:05 --> 00:07\nHello there, students.\n\n"
                                        "01:07.5 --> 01:10.250\nToday we learn physics.\n")
    assert [(c.start, c.end) for c in read_sidecar(tmp_path / "hand.srt", 90.0)] == [(5.0, 7.0), (7.0, 70.0)]
    assert [(c.start, c.end) for c in read_sidecar(tmp_path / "short.vtt", 90.0)] == [(5.0, 7.0), (67.5, 70.25)]


def test_one_stray_windows_byte_leaves_a_utf8_files_accents_right(tmp_path):
    """A 0x92 apostrophe pasted into a UTF-8 file made the whole file decode as Windows-1252: "cafÃ©", "naÃ¯ve"."""
    path = tmp_path / "mixed.srt"
    path.write_bytes(srt_text(CUES).encode("utf-8").replace(b"Let's", b"Let\x92s"))
    assert [c.text for c in read_sidecar(path, 60.0)][1:] == [CUES[1][2], "Let’s look at the roadmap for next year."]
    path.write_bytes(srt_text(CUES).encode("cp1252", errors="replace"))  # a Windows-1252 file stays one
    assert [c.text for c in read_sidecar(path, 60.0)][1] == CUES[1][2]


def test_arrows_in_a_cues_words_and_speaker_names_in_capitals(tmp_path):
    """A cue's "A --> B" was taken for a broken timing, and its words were lost; "JOHN: Welcome" indexed the
    speaker's name as a word he said (a search for John found all his lines)."""
    path = tmp_path / "logic.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:04,000\nJOHN: if A --> B and B --> C\n\n"
                    "2\n00:00:04,000 --> 00:00:06,000\n- MARY SMITH: then A --> C.\n- DR. LEE: Yes.\n\n"
                    "3\n00:00:06,000 --> 00:00:09,000\n>> SPEAKER 2: John: the ratio is 3:4.\n")
    assert [c.text for c in read_sidecar(path, 60.0)] == ["if A --> B and B --> C", "then A --> C. Yes.",
                                                           "John: the ratio is 3:4."]
