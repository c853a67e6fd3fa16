"""Captions in: sidecar and embedded subtitles replace ASR; styling, overlaps and broken timing handled."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from momentsearch.errors import BadInputError
from momentsearch.pipeline.captions import (embedded_tracks, find_captions, mend, parse_ass, parse_srt_vtt,
                                            read_sidecar, sidecar_files, usable)
from momentsearch.testing.captions import mux_subtitles, srt_text, vtt_text
from tests.conftest import run_cli

STYLED_SRT = """1
00:00:01,000 --> 00:00:03,500
<i>Hello</i> and <font color="red">welcome</font>,
everyone!

2
00:00:03,200 --> 00:00:02,000
{\\an8}>> today we talk &amp; learn

3
this block has no timing line

4
00:00:06,000 --> 00:00:08,000
[Music]
"""

ROLLING_VTT = """WEBVTT
Kind: captions
Language: en

00:00:00.000 --> 00:00:02.000 align:start position:0%
hello<00:00:00.500><c> there</c>

00:00:02.000 --> 00:00:04.000 align:start position:0%
hello there
how are<00:00:02.600><c> you</c>

00:00:04.000 --> 00:00:06.000
how are you
<v Ann>I am fine
"""


def test_srt_styling_overlap_reversed_time_and_sound_notes():
    cues, bad = parse_srt_vtt(STYLED_SRT)
    assert bad == 1  # the block without a timing line
    cues = mend(cues)
    assert [c.text for c in cues] == ["Hello and welcome, everyone!", "today we talk & learn"]
    # the second cue starts inside the first (which ends there) and ends before it starts: time per word
    assert cues[0].start == 1.0 and cues[0].end == 3.2
    assert cues[1].start == 3.2 and 3.2 < cues[1].end <= 6.0


def test_markup_goes_and_the_signs_of_maths_and_code_stay():
    from momentsearch.pipeline.caption_text import clean_text

    assert clean_text("<v Ana><i>if x < 5 and y > 3</i> <00:00:01.500>then {a, b}") == "if x < 5 and y > 3 then {a, b}"
    assert clean_text('{\\an8}<font color="red">1 &lt; 2</font> <c.loud>loud</c>') == "1 < 2 loud"


def test_words_between_angle_brackets_that_are_no_caption_tag_stay(tmp_path):
    """Only the tags players style with go: a comparison or a generic type in a code lecture is speech."""
    from momentsearch.pipeline.caption_text import clean_text

    path = tmp_path / "code.srt"
    path.write_text(srt_text([(0.5, 4.0, "if x <y and y> z then x is smallest"),
                              (4.0, 8.0, "we return a List<String> or a Map<K, V>"),
                              (8.0, 12.0, "a <b>bold</b> word, <I>italic</I>, <u>under</u><br/>lined")]))
    assert [c.text for c in read_sidecar(path)] == ["if x <y and y> z then x is smallest",
                                                     "we return a List<String> or a Map<K, V>",
                                                     "a bold word, italic, under lined"]
    assert clean_text("<c.yellow.bg_blue>one</c> <v.loud Bob>two</v> <lang en-US>three</lang>") == "one two three"


def test_rolling_auto_captions_keep_each_line_once():
    cues = mend(parse_srt_vtt(ROLLING_VTT)[0])
    assert [c.text for c in cues] == ["hello there", "how are you", "I am fine"]
    assert [c.start for c in cues] == [0.0, 2.0, 4.0]


def test_what_caption_files_in_the_wild_do_is_read_as_meant(tmp_path):
    """A captions probe's files: cues with no blank line between them (their text had taken in the next cue's
    number and times), overlapping cues (pushed later, a word said at 3 s was placed at 8 s), a cue past the
    file's end, an ASS script with its styles' Format line first (every cue "without valid times"), and a
    UTF-16 file with its byte-order mark ("binary")."""
    tight = "1\n00:00:01,000 --> 00:00:04,000\nhello today.\n2\n00:00:05,000 --> 00:00:09,000\na xylophone\n" \
            "3\n00:00:11,000 --> 00:00:14,000\nthe end\n"
    cues, bad = parse_srt_vtt(tight)
    assert bad == 0
    assert [(c.start, c.text) for c in cues] == [(1.0, "hello today."), (5.0, "a xylophone"), (11.0, "the end")]
    overlapping = srt_text([(1.0, 8.0, "one two"), (3.0, 6.0, "xylophone said"), (5.0, 12.0, "three four")])
    assert [(c.start, c.end) for c in mend(parse_srt_vtt(overlapping)[0])] == [(1.0, 3.0), (3.0, 5.0), (5.0, 12.0)]
    assert [c.end for c in mend(parse_srt_vtt(srt_text([(18.0, 30.0, "late words")]))[0], duration=20.0)] == [20.0]
    script = ("[Script Info]\nScriptType: v4.00+\n\n[V4+ Styles]\nFormat: Name, Fontname, Fontsize, Alignment\n"
              "Style: Default,Arial,20,2\n\n[Events]\n"
              "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
              "Dialogue: 0,0:00:01.00,0:00:03.00,Default,,0,0,0,,{\\an8}Hello\\Nthere\n")
    cues, bad = parse_ass(script)
    assert bad == 0 and [(c.start, c.end, c.text) for c in mend(cues)] == [(1.0, 3.0, "Hello there")]
    for codec in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{codec}.srt"
        path.write_bytes(("\ufeff" + srt_text([(1.0, 2.0, "café crème words")])).encode(codec))
        assert [c.text for c in read_sidecar(path)] == ["café crème words"]


def test_ass_dialogue_with_overrides_and_commas():
    text = ("[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
            "Dialogue: 0,0:00:01.00,0:00:02.50,Default,,0,0,0,,{\\i1}Hi,\\Nthere, friends\n")
    cues = mend(parse_ass(text)[0])
    assert len(cues) == 1 and cues[0].text == "Hi, there, friends" and cues[0].end == 2.5


def test_garbage_tracks_are_not_usable():
    real = mend(parse_srt_vtt(srt_text([(i * 3.0, i * 3.0 + 2.5, f"sentence number {i} about solar panels")
                                        for i in range(10)]))[0])
    assert usable(real, 30.0) == ""
    music = mend(parse_srt_vtt(srt_text([(i * 3.0, i * 3.0 + 2.5, "[Music]") for i in range(20)]))[0])
    assert "words" in usable(music, 60.0)
    loop = [c.__class__(c.start, c.end, "la la la la") for c in real]
    assert usable(loop, 30.0) == "one line repeated over and over"
    assert "symbols" in usable(mend(parse_srt_vtt(srt_text([(0, 5, "#### ** ## %% && ** ## @@ !!")]))[0]), 5.0)


def test_sidecar_order_and_broken_file(tmp_path):
    video = tmp_path / "talk.mp4"
    video.write_bytes(b"")
    for name in ("talk.de.vtt", "talk.en.srt", "talk.part2.srt", "other.srt"):
        (tmp_path / name).write_text(srt_text([(0, 1, "x")]))
    assert [p.name for p, _ in sidecar_files(video)] == ["talk.en.srt", "talk.de.vtt"]
    (tmp_path / "talk.srt").write_text("1\nnot a time\nhello\n\n2\n00:00:05 --> later\nworld\n")
    assert sidecar_files(video)[0][0].name == "talk.srt"
    with pytest.raises(BadInputError, match="broken caption file"):
        read_sidecar(tmp_path / "talk.srt")
    (tmp_path / "talk.srt").write_bytes(b"\x00\x01binary")
    with pytest.raises(BadInputError, match="binary"):
        find_captions(video, 10.0, "auto")
    assert find_captions(video, 10.0, "ignore") == (None, "")


@pytest.mark.parametrize("codec", ["mov_text", "subrip", "ass", "webvtt"])
def test_embedded_subtitle_streams_are_read(lecture, tmp_path, codec):
    cues = [(1.0, 4.0, "Hello <i>world</i> of captions"), (5.0, 9.5, "second line\nwith two rows")]
    out = tmp_path / ("e.mp4" if codec == "mov_text" else "e.mkv")
    mux_subtitles(lecture[0], cues, out, codec)
    (track,) = embedded_tracks(out, 60.0)
    assert [c.text for c in track.cues] == ["Hello world of captions", "second line with two rows"]
    assert track.language == "en"  # the stream's "eng", as Whisper and sidecar names write it
    # matroska shifts every stream by the aac priming delay (64 ms at 16 kHz); mp4 keeps 0
    assert [c.start for c in track.cues] == pytest.approx([1.0, 5.0], abs=0.07)
    assert track.cues[1].end - track.cues[1].start == pytest.approx(4.5, abs=0.01)


@pytest.fixture(scope="module")
def captioned_folder(lecture, tmp_path_factory):
    """A folder: talk.mp4 + talk.en.vtt (words ASR could never hear), embedded.mp4 (mov_text),
    broken.mp4 + broken.srt; and each section's window."""
    path, windows = lecture
    folder = tmp_path_factory.mktemp("captioned")
    for name in ("talk.mp4", "broken.mp4"):
        shutil.copy(path, folder / name)
    lo, hi = windows["Project Roadmap"]
    cues = [(s, min(e, s + 6.0), f"caption for {t}") for t, (s, e) in windows.items()]
    cues.append((lo + 1.0, hi - 1.0, "the zanzibar quokka timeline"))
    (folder / "talk.en.vtt").write_text(vtt_text(sorted(cues)), encoding="utf-8")
    mux_subtitles(path, sorted(cues[:-1] + [(lo + 1.0, hi - 1.0, "embedded marmoset milestones")]),
                  folder / "embedded.mp4", "mov_text")
    (folder / "broken.srt").write_text("1\n00:00:01,000 -> 2\nhello\n\n2\nsoon\nworld\n", encoding="utf-8")
    return folder, windows


def test_index_uses_captions_instead_of_asr(captioned_folder, tmp_path):
    folder, windows = captioned_folder
    db = tmp_path / "db"
    proc = run_cli("index", str(folder), "--db", str(db), "--no-ocr", "--json", "--quiet", check=False)
    assert proc.returncode == 1  # the broken caption file fails its video, the others are indexed
    report = {f["path"].rsplit("/", 1)[-1]: f for f in json.loads(proc.stdout)["files"]}
    assert report["broken.mp4"]["status"] == "failed"
    assert "broken caption file broken.srt" in report["broken.mp4"]["reason"]  # which of its caption files
    assert report["talk.mp4"]["status"] == report["embedded.mp4"]["status"] == "indexed"
    sidecar = report["talk.en.vtt"]  # listed as the captions it is, not as an unknown file
    assert sidecar["status"] == "skipped" and sidecar["reason"].startswith("subtitles: read as the captions"), sidecar
    assert "asr" not in json.loads(proc.stdout)["times"]  # no file was transcribed
    info = {f["path"].rsplit("/", 1)[-1]: f for f in json.loads(run_cli("info", "--db", str(db), "--json").stdout)["files"]}
    assert info["talk.mp4"]["sources"]["transcript"] == "captions: sidecar talk.en.vtt"
    assert info["talk.mp4"]["sources"]["sidecar"].startswith("talk.en.vtt ")  # which file, and its content
    assert info["talk.mp4"]["language"] == "en"
    assert info["embedded.mp4"]["sources"]["transcript"].startswith("captions: embedded mov_text")
    from momentsearch.testing.captions import strict_cues

    for name in ("talk.mp4", "embedded.mp4"):  # overlapping cues make valid subtitles, each word once
        cues = strict_cues(run_cli("transcript", str(folder / name), "--db", str(db), "--format", "vtt").stdout, "vtt")
        assert " ".join(t for _, _, t in cues).count("quokka") == (name == "talk.mp4")
    lo, hi = windows["Project Roadmap"]
    for word, name in (("zanzibar quokka", "talk.mp4"), ("marmoset milestones", "embedded.mp4")):
        res = json.loads(run_cli("search", f'"{word}"', "--db", str(db), "--json").stdout)["results"]
        assert res and res[0]["video"].endswith(name)
        assert res[0]["start"] < hi and res[0]["end"] > lo + 1.0  # cue times became chunk times


def test_a_caption_file_added_or_edited_after_indexing_is_read_on_the_next_run(lecture, tmp_path):
    """A sidecar added next to a transcribed video (or edited) left it "unchanged" until --reindex."""
    path, windows = lecture
    shutil.copy(path, tmp_path / "talk.mp4")
    db = tmp_path / "db"

    def index_once() -> str:
        report = json.loads(run_cli("index", str(tmp_path / "talk.mp4"), "--db", str(db), "--no-ocr", "--json",
                                    "--quiet").stdout)
        return report["files"][0]["status"]

    assert index_once() == "indexed"
    assert index_once() == "unchanged"
    lo, hi = windows["Project Roadmap"]
    cues = [(s, min(e, s + 6.0), f"caption for {t}") for t, (s, e) in windows.items() if (s, e) != (lo, hi)]
    (tmp_path / "talk.srt").write_text(srt_text(sorted(cues + [(lo + 1.0, hi - 1.0, "the zanzibar quokka timeline")])))
    assert index_once() == "indexed"  # the captions now make its transcript
    (rec,) = json.loads(run_cli("info", "--db", str(db), "--json").stdout)["files"]
    assert rec["sources"]["transcript"] == "captions: sidecar talk.srt"
    assert index_once() == "unchanged"
    (tmp_path / "talk.srt").write_text(srt_text(sorted(cues + [(lo + 1.0, hi - 1.0, "the marmoset milestones")])))
    assert index_once() == "indexed"  # edited: read again
    res = json.loads(run_cli("search", '"marmoset milestones"', "--db", str(db), "--json").stdout)["results"]
    assert res and res[0]["video"].endswith("talk.mp4")


def test_captions_ignore_transcribes(captioned_folder, tmp_path):
    folder, _ = captioned_folder
    db = tmp_path / "db"
    run_cli("index", str(folder / "talk.mp4"), "--db", str(db), "--no-ocr", "--captions", "ignore", "--quiet")
    (rec,) = json.loads(run_cli("info", "--db", str(db), "--json").stdout)["files"]
    assert rec["sources"]["transcript"].startswith("asr: faster-whisper")
    res = json.loads(run_cli("search", '"zanzibar quokka"', "--db", str(db), "--json").stdout)["results"]
    assert res == []  # only the captions had those words


def test_a_captioned_copy_and_a_transcribed_copy_keep_their_own_words(captioned_folder, tmp_path):
    """Copies of one recording share their entries, but not when captions next to one of them make its
    transcript: whichever is indexed second, the other keeps its own words (captions or ASR)."""
    folder, _ = captioned_folder
    captioned, plain = tmp_path / "captioned", tmp_path / "plain"
    captioned.mkdir(), plain.mkdir()
    for name in ("talk.mp4", "talk.en.vtt"):
        shutil.copy(folder / name, captioned / name)
    shutil.copy(folder / "talk.mp4", plain / "talk.mp4")
    for first, second in ((plain, captioned), (captioned, plain)):
        db = tmp_path / f"db-{first.name}-first"
        for where in (first, second):
            run_cli("index", str(where), "--db", str(db), "--no-ocr", "--quiet")
        info = {f["path"]: f for f in json.loads(run_cli("info", "--db", str(db), "--json").stdout)["files"]}
        cap, asr = info[str(captioned / "talk.mp4")], info[str(plain / "talk.mp4")]
        assert cap["sources"]["transcript"].startswith("captions: sidecar") and cap["video_id"] != asr["video_id"]
        assert asr["sources"]["transcript"].startswith("asr: ")
        for where, found in ((captioned, True), (plain, False)):  # only the captions have those words
            res = json.loads(run_cli("search", '"zanzibar quokka"', "--in", str(where), "--db", str(db),
                                     "--json").stdout)["results"]
            assert bool(res) == found, (first.name, where.name, res)


def test_a_video_cut_short_after_its_probe_is_named_truncated_not_a_bad_subtitle_stream(tmp_path):
    """A Ray worker (or a later stage) that opens a file which was probed whole and has been cut short since (a copy
    over it, a partial sync on another node) said "cannot read its subtitle stream" of a video without one."""
    import numpy as np
    from test_bad_input import write_video

    whole = tmp_path / "talk.mp4"
    write_video(whole, [np.full((48, 64, 3), 40 * i, np.uint8) for i in range(6)], fps=2)
    assert embedded_tracks(whole) == []
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[:200])  # its index (moov box, at the end) is gone
    os.utime(cut, (1_700_000_000, 1_700_000_000))  # not just now: a copy going on (test_arriving.py) is not the case
    with pytest.raises(BadInputError) as caught:
        embedded_tracks(cut)
    assert "subtitle" not in caught.value.reason and "probably truncated" in caught.value.reason


def test_a_caption_file_with_no_video_of_its_name_is_not_counted_among_the_captions_read(tmp_path):
    """week4.srt left when week4.mp4 was deleted (or notes.srt beside no notes video) was summed up as "read as the
    captions of the video of the same name", though nothing read it."""
    from momentsearch.pipeline.discover import CAPTIONS_ALONE, CAPTIONS_READ, discover

    for name in ("talk.mp4", "talk.srt", "talk.en.vtt", "week4.srt", "talk.part2.srt", "song.m4a", "song.srt"):
        (tmp_path / name).write_bytes(b"")
    reasons = {Path(f.path).name: f.reason for f in discover([str(tmp_path)])}
    assert {n: r for n, r in reasons.items() if r.startswith("subtitles")} == {
        "talk.srt": CAPTIONS_READ, "talk.en.vtt": CAPTIONS_READ, "song.srt": CAPTIONS_READ,
        "week4.srt": CAPTIONS_ALONE, "talk.part2.srt": CAPTIONS_ALONE}


def test_a_caption_file_its_video_did_not_use_is_not_counted_among_the_captions_read(lecture, tmp_path):
    """lecture.srt of five words (too few to trust) was summed up as "1 caption file read as the captions of the
    video of the same name" under the video's own row saying `captions (sidecar lecture.srt) not used`; and of
    talk.srt and talk.en.vtt only the first is read, but both were counted as read. Each now says where the
    video's speech came from instead."""
    path, windows = lecture
    short, two = tmp_path / "short", tmp_path / "two"
    cues = srt_text(sorted((s, min(e, s + 6.0), f"caption for {t}") for t, (s, e) in windows.items()))
    for folder, sidecars in ((short, {"talk.srt": srt_text([(1.0, 3.0, "hello and welcome everyone today")])}),
                             (two, {"talk.srt": cues, "talk.en.vtt": cues})):
        folder.mkdir()
        shutil.copy(path, folder / "talk.mp4")
        for name, text in sidecars.items():
            (folder / name).write_text(text, encoding="utf-8")
    proc = run_cli("index", str(short), str(two), "--db", str(tmp_path / "db"), "--no-ocr", "--json", "--quiet")
    report = {str(Path(f["path"]).relative_to(tmp_path)): (f["status"], f["reason"])
              for f in json.loads(proc.stdout)["files"]}
    assert report["short/talk.mp4"][1].startswith("captions (sidecar talk.srt) not used"), report
    assert report["short/talk.srt"][1].startswith("subtitles: not used: the speech of talk.mp4 came from asr: "), report
    assert report["two/talk.srt"][1].startswith("subtitles: read as the captions"), report
    assert report["two/talk.en.vtt"][1] == ("subtitles: not used: the speech of talk.mp4 came from captions: sidecar "
                                            "talk.srt"), report


def test_captions_in_another_language_than_the_speech_say_so(lecture, tmp_path):
    """A platform's download of an English talk came with Spanish subtitles (talk.es.vtt): with `--captions auto`
    (the default) they stood for the speech, English queries no longer found what was said, and the summary's row
    said nothing. It now says whose language the words are in and how to transcribe the talk instead; captions
    in the language the speech is taken for (or with `--language auto`) say nothing."""
    path, windows = lecture
    shutil.copy(path, tmp_path / "talk.mp4")
    cues = sorted((s, min(e, s + 6.0), f"la diapositiva sobre {t.lower()} de hoy") for t, (s, e) in windows.items())
    (tmp_path / "talk.es.vtt").write_text(vtt_text(cues), encoding="utf-8")
    db = str(tmp_path / "db")

    def reason(*flags: str) -> str:
        proc = run_cli("index", str(tmp_path / "talk.mp4"), "--db", db, "--no-ocr", "--json", "--quiet", *flags)
        (row,) = json.loads(proc.stdout)["files"]
        assert row["status"] == "indexed", row
        return row["reason"]

    note = reason()
    assert "captions in es (sidecar talk.es.vtt), not en as --language says" in note, note
    assert "--captions ignore --reindex" in note, note
    assert "captions in" not in reason("--language", "es", "--reindex")
    assert "captions in" not in reason("--language", "auto", "--reindex")
