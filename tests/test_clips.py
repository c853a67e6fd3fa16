"""Clips by stream copy: the real start is the keyframe at or before START, duration and first frame checked."""

from __future__ import annotations

import json

import av
import numpy as np
import pytest

from momentsearch.clips import cut_clip
from momentsearch.errors import QueryError
from tests.conftest import run_cli


def _frames(path):
    with av.open(str(path)) as f:
        return [(fr.time, fr.to_ndarray(format="rgb24")) for fr in f.decode(video=0)]


def _frame_at(path, t):
    return min(_frames(path), key=lambda x: abs(x[0] - t))[1]


def test_clip_starts_on_the_keyframe_before_start_and_keeps_the_span(lecture, tmp_path):
    path, windows = lecture
    lo, hi = windows["Photosynthesis and Solar Panels"]  # the renderer puts a keyframe at each section start
    ask_start, ask_end = lo + 3.0, hi - 1.0
    out = tmp_path / "c.mp4"
    clip = cut_clip(path, ask_start, ask_end, out)
    assert clip.start == pytest.approx(lo, abs=0.01)  # no keyframe between the section start and START
    frames = _frames(out)
    with av.open(str(out)) as f:
        assert {s.type for s in f.streams} == {"video", "audio"}
        assert f.streams.video[0].codec_context.name == "h264"  # copied, not re-encoded to something else
    shown = frames[-1][0] - frames[0][0] + 0.2  # 5 fps
    assert frames[0][0] == pytest.approx(0.0, abs=0.01)
    assert shown == pytest.approx(ask_end - lo, abs=0.25)
    first = frames[0][1].astype(float)
    same = _frame_at(path, lo + 0.1).astype(float)
    other = _frame_at(path, windows["Project Roadmap"][0] + 0.5).astype(float)
    assert np.abs(first - same).mean() < 3.0 < np.abs(first - other).mean()


def test_clip_cli_padding_json_and_bad_times(lecture, tmp_path):
    path, windows = lecture
    lo, _ = windows["Project Roadmap"]
    out = tmp_path / "roadmap.mp4"
    proc = run_cli("clip", str(path), f"0:{lo + 1:04.1f}", str(lo + 5), "-o", str(out), "--pad", "1", "--json")
    got = json.loads(proc.stdout)
    assert got["asked_start"] == pytest.approx(lo, abs=0.01) and got["start"] <= got["asked_start"]
    assert got["asked_end"] == pytest.approx(lo + 6, abs=0.01)
    assert out.is_file() and got["duration"] == pytest.approx(got["end"] - got["start"], abs=0.01)
    bad = run_cli("clip", str(path), "20", "10", "-o", str(tmp_path / "x.mp4"), check=False)
    assert bad.returncode == 2 and "END > START" in bad.stderr and not (tmp_path / "x.mp4").exists()
    with pytest.raises(QueryError, match="use one of"):
        cut_clip(path, 0, 1, tmp_path / "x.gif")


def test_search_export_clips_cuts_each_result(two_lectures, tmp_path):
    db, videos = two_lectures
    path = videos["databases"][0]
    out = tmp_path / "clips"
    res = json.loads(run_cli("search", "transaction", "--db", str(db), "--in", str(path), "-k", "2",
                             "--export-clips", str(out), "--json").stdout)
    assert len(res["clips"]) == len(res["results"]) >= 1
    for moment, clip in zip(res["results"], res["clips"]):
        assert clip["source"] == str(path) and clip["start"] <= moment["start"] + 0.01
        assert (out / clip["path"].rsplit("/", 1)[-1]).is_file()
        with av.open(clip["path"]) as f:
            assert float(f.duration / 1e6) == pytest.approx(clip["duration"], abs=0.3)


def test_clip_is_cut_from_the_checked_descriptor_not_the_path(lecture, tmp_path):
    """Issue 12: the clip route cuts from the descriptor it checked; a file swapped in later is never read."""
    import shutil

    from momentsearch.server import media as sm
    from momentsearch.types import FileRecord

    path, windows = lecture
    talk = tmp_path / "talk.mp4"
    shutil.copy(path, talk)
    st = talk.stat()
    rec = FileRecord(path=str(talk), video_id="0123456789abcdef", size=st.st_size, mtime=st.st_mtime,
                     duration=60.0, channels=["transcript"], visual_segments=[], complete=True,
                     device=st.st_dev, inode=st.st_ino, mime="video/mp4")
    opened = sm.open_indexed(rec)
    talk.unlink()
    talk.write_bytes(b"\0" * st.st_size)  # swapped after the check: not a video at all
    lo, hi = windows["Project Roadmap"]
    try:
        with opened.file() as source:
            clip = cut_clip(source, lo, lo + 3, tmp_path / "c.mp4", name="talk.mp4")
    finally:
        opened.close()
    assert clip.source == "talk.mp4" and clip.start == pytest.approx(lo, abs=0.01)
    first = _frames(tmp_path / "c.mp4")[0][1].astype(float)
    assert np.abs(first - _frame_at(path, lo + 0.1).astype(float)).mean() < 3.0


def _with_b_frames(path, fmt: str, seconds=8, fps=10):
    """H.264 with B-frames as OBS and most encoders write it: in Matroska the first packets after a seek
    carry no dts; in MPEG-TS a seek to the file's first timestamp lands past its first keyframe."""
    with av.open(str(path), "w", format=fmt) as out:
        v = out.add_stream("libx264", rate=fps)
        v.width, v.height, v.pix_fmt, v.options = 160, 120, "yuv420p", {"bf": "3", "g": str(fps * 4)}
        for i in range(seconds * fps):
            img = np.zeros((120, 160, 3), np.uint8)
            img[:, (i * 2) % 160] = 255  # a bar that moves: each frame its own picture
            for p in v.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(p)
        for p in v.encode():
            out.mux(p)


@pytest.mark.parametrize("fmt,suffix", [("matroska", "mkv"), ("mpegts", "ts")])
def test_a_file_with_b_frames_is_cut_from_the_keyframe_at_start(tmp_path, fmt, suffix):
    from momentsearch.media import time_origin

    src = tmp_path / f"obs.{suffix}"
    _with_b_frames(src, fmt)
    with av.open(str(src)) as f:
        origin = time_origin(f)
        packets = [p for p in f.demux(video=0) if p.pts is not None]
    keys = [float(p.pts * p.time_base) - origin for p in packets if p.is_keyframe]
    assert len(keys) >= 2 and keys[0] == pytest.approx(0.0, abs=0.1)
    for start, end in ((1.0, 5.0), (keys[1] + 0.5, 7.5)):
        key = max(k for k in keys if k <= start)
        clip = cut_clip(src, start, end, tmp_path / "c.mp4")  # was 3.9 s for 1-5 s (mkv), nothing at all (ts)
        assert clip.start == pytest.approx(key, abs=0.01)
        frames = _frames(tmp_path / "c.mp4")
        assert len(frames) == pytest.approx((end - key) * 10, abs=1)  # every frame decodes
        assert np.abs(frames[0][1].astype(float) - _frame_at(src, key + origin).astype(float)).mean() < 3.0
    from momentsearch.pipeline.frame_reader import frames_at

    early = frames_at(src, [0.5], max_side=160)[0]  # what OCR and thumbnails read: none came for the .ts
    assert early is not None and np.abs(early.astype(float) - _frame_at(src, 0.5 + origin).astype(float)).mean() < 3.0


def test_a_clip_is_never_written_over_its_source(lecture, tmp_path):
    import shutil

    path, _ = lecture
    talk = tmp_path / "talk.mp4"
    shutil.copy(path, talk)
    before = talk.read_bytes()
    with pytest.raises(QueryError, match="the video it would be cut from"):
        cut_clip(talk, 1, 5, talk)
    bad = run_cli("clip", str(talk), "1", "5", "-o", str(talk), check=False)
    assert bad.returncode == 2 and "cut from" in bad.stderr
    assert talk.read_bytes() == before


def test_an_output_path_that_cannot_be_written_is_one_error_line(lecture, tmp_path):
    path, _ = lecture
    (tmp_path / "afile").write_text("x")
    bad = run_cli("clip", str(path), "1", "5", "-o", str(tmp_path / "afile" / "c.mp4"), check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.startswith(f"momentsearch: error: {tmp_path / 'afile'}")


def test_a_file_ffmpeg_cannot_open_is_one_plain_reason(tmp_path):
    """`clip zero.mp4` said "cannot cut a clip: [Errno 1094995529] Invalid data found ...": FFmpeg's error
    number is no help to anyone; the reason is its words alone."""
    from momentsearch.errors import BadInputError

    (tmp_path / "zero.mp4").write_bytes(b"")
    with pytest.raises(BadInputError) as got:
        cut_clip(str(tmp_path / "zero.mp4"), 0.0, 3.0, tmp_path / "z.mp4")
    assert "Invalid data found" in got.value.reason and "Errno" not in got.value.reason
    assert not (tmp_path / "z.mp4").exists()


def test_the_api_replaces_no_file_unless_told_to(lecture, tmp_path):
    """MomentIndex.export_clip wrote over any existing file without a word (the CLI asks for --force)."""
    from momentsearch.api import MomentIndex

    path, windows = lecture
    lo, _ = windows["Project Roadmap"]
    precious = tmp_path / "precious.mp4"
    precious.write_bytes(b"a video of someone's own")
    index = MomentIndex(tmp_path / "no-index")  # a clip of a file named by path needs no index
    with pytest.raises(QueryError, match="precious.mp4' exists: pass force=True to replace it"):
        index.export_clip(path, lo, lo + 3, precious)
    assert precious.read_bytes() == b"a video of someone's own"
    clip = index.export_clip(path, lo, lo + 3, precious, force=True)
    assert clip.duration > 2 and precious.stat().st_size > 1000
    proc = run_cli("clip", str(path), str(lo), str(lo + 3), "-o", str(precious), check=False)
    assert proc.returncode == 2 and "exists: add --force" in proc.stderr
    assert run_cli("clip", str(path), str(lo), str(lo + 3), "-o", str(precious), "--force").returncode == 0


def test_a_clip_names_its_files_absolute_and_says_where_a_short_file_ended(lecture, tmp_path, monkeypatch, capsys):
    """`clip talk.mp4 1 999 -o c.mp4 --json` gave "c.mp4" and "talk.mp4" (every other path shown is absolute)
    and cut a 9 s file to its end without a word."""
    import shutil

    from momentsearch.cli.extras import _print_clip

    path, _ = lecture
    shutil.copy(path, tmp_path / "talk.mp4")
    monkeypatch.chdir(tmp_path)
    clip = cut_clip("talk.mp4", 1.0, 999.0, "c.mp4")
    assert clip.path == str(tmp_path / "c.mp4") and clip.source == str(tmp_path / "talk.mp4")
    _print_clip(clip)
    assert f"(the file ends at {round(clip.end, 1):g} s, before the 999 s (16:39) asked)" in capsys.readouterr().out


def test_an_exported_clips_name_holds_no_character_windows_refuses():
    """`search --export-clips` named a clip of "pause & <Q&A> lecture.mp4" "01-pause & <Q&A> lecture-8-26.mp4":
    a name Windows (and a FAT or exFAT USB stick) refuses, so the folder of clips could not be copied there."""
    from momentsearch.clip_names import clip_file_name

    name = clip_file_name('/talks/week 3: sorting? <Q&A> "a|b*c\\d".mp4', 7.4, 26.2, "01-")
    assert name == "01-week 3_ sorting_ _Q&A_ _a_b_c_d_-7-26.mp4"
    assert clip_file_name("/talks/Größe\x07.MOV", 0, 5) == "Größe_-0-5.mov"  # other letters stay as they are


def test_clip_messages_past_an_hour_give_the_clock_a_user_typed():
    """`clip day.mp4 3:00:10 3:01:00` of a 3-hour file said "nothing to cut between 10810 and 10860 s" and "the
    file ends at 10800.0 s": the user typed h:mm:ss and could not tell how far past the end that was."""
    from momentsearch.clips import said_time

    assert said_time(10810) == "10810 s (3:00:10)" and said_time(65.5) == "65.5 s (1:05)" and said_time(7) == "7 s"


@pytest.mark.parametrize("start", [0.0, 10.0])
def test_a_sound_clip_of_a_matroska_video_holds_the_span_alone(tmp_path, start):
    """`-o moment.m4a` of 19-23 s of a Matroska video (its sound stored after the picture, as a muxer that does
    not interleave writes it; cues for the picture only): FFmpeg's seek on the sound landed at the file's start,
    and the copy held 0-23 s, the tone 20 s in instead of 1 s. Now it starts at the packet holding 19 s."""
    from momentsearch.pipeline.decode import load_audio
    from test_time_origin import SR, onset, render

    path = tmp_path / "talk.mkv"
    render(path, "matroska", start, seconds=30.0, tone=(20.0, 21.0))
    clip = cut_clip(path, 19.0, 23.0, tmp_path / "moment.m4a")
    assert clip.start == pytest.approx(19.0, abs=0.1) and clip.end == pytest.approx(23.0, abs=0.1)
    sound = load_audio(clip.path)
    assert sound.size / SR == pytest.approx(4.0, abs=0.2)
    assert onset(sound) == pytest.approx(20.0 - clip.start, abs=0.05)


def test_a_clip_named_after_a_name_near_the_limit_is_written(tmp_path):
    """A lecture named near ext4's 255 bytes (letters of two bytes each): the clip's name momentsearch gives it
    fits, and so must the hidden file it is written into first (`.NAME.part` passed the limit: the page's
    "Download clip" answered 500, `--export-clips` said "File name too long" of a name that was not)."""
    from momentsearch.chapters import write_atomically
    from momentsearch.clip_names import NAME_BYTES, clip_file_name

    src = tmp_path / ("Vorlesung_" + "ü" * 118 + ".mkv")
    _with_b_frames(src, "matroska", seconds=4)
    out = tmp_path / "clips" / clip_file_name(src, 1, 3, "01-")
    out.parent.mkdir()
    assert len(out.name.encode()) > NAME_BYTES - 6  # the case: `.NAME.part` would not fit
    clip = cut_clip(src, 1, 3, out)
    assert out.is_file() and clip.end == pytest.approx(3, abs=0.2) and _frames(out)
    text = tmp_path / "subs" / ("ü" * 125 + ".srt")  # 254 bytes: a name the user may give `transcript -o`
    write_atomically(text, "1\n00:00:00,000 --> 00:00:01,000\nhallo\n")
    assert text.read_text(encoding="utf-8").endswith("hallo\n")
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]  # no hidden file left behind
    assert sorted(p.name for p in text.parent.iterdir()) == [text.name]
