"""Times count from the start of the file, and `frames_at` finds the picture shown at a time in any
container. Captures and broadcast MPEG-TS files (and MP4s remuxed from them) start their timestamps
anywhere: 1.4 s is usual for .ts, 1000 s or 80,000 s after a remux. Frames, audio samples, keyframes
and the duration must all count from the file's first timestamp, the way `frames_at` and the player
seek. MPEG-TS seeks also land on the keyframe *after* the wanted time, which must not change the
picture `frames_at` returns. Videos are rendered here with PyAV: one colour per slide, a tone in the
audio at a known time."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from fakes import FakeClip, FakeText

SR = 16_000  # Hz, the pipeline's sample rate
FPS = 5
SLIDE_SECONDS = 5.0  # a new colour this often
COLOURS = np.array([(200, 40, 40), (40, 170, 60), (40, 60, 200), (230, 210, 40)], float)  # one per slide


SUFFIX = {"mpegts": "ts", "mp4": "mp4", "matroska": "mkv", "webm": "webm"}


def slide_at(t: float) -> int:
    return min(len(COLOURS) - 1, int(t // SLIDE_SECONDS))


def slide_of(image: np.ndarray) -> int:
    """Which slide a decoded picture shows: the colour nearest its mean."""
    mean = image.reshape(-1, 3).mean(axis=0)
    return int(np.argmin(np.linalg.norm(COLOURS - mean, axis=1)))


def render(path, fmt: str, start: float, seconds: float = 10.0, gop: float = 2.0,
           tone: tuple[float, float] | None = None, audio_start: float | None = None,
           audio_seconds: float | None = None, codec: str = "libx264") -> None:
    """A 160x90 h264 video (or `codec`: libvpx-vp9 for WebM) whose first timestamp is `start` s, a
    keyframe every `gop` s only (no extra ones at slide changes, as in a capture), and an aac track from
    `audio_start` (default `start`) with a 440 Hz tone over `tone` = (on, off), seconds from `start`."""
    import av

    with av.open(str(path), "w", format=fmt) as out:
        video = out.add_stream(codec, rate=FPS)
        video.width, video.height, video.pix_fmt = 160, 90, "yuv420p"
        video.codec_context.gop_size = int(gop * FPS)
        video.options = ({"preset": "ultrafast", "keyint_min": str(int(gop * FPS)), "sc_threshold": "0"}
                         if codec == "libx264" else {"deadline": "realtime", "cpu-used": "8"})
        audio = None
        if tone is not None:
            audio = out.add_stream("aac", rate=SR)
            audio.codec_context.layout = "mono"
        for i in range(int(seconds * FPS)):
            image = np.empty((90, 160, 3), np.uint8)
            image[:] = COLOURS[slide_at(i / FPS)]
            image[8:20, 8 + 4 * (i % 30): 20 + 4 * (i % 30)] = 255  # a moving cursor: frames differ
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts, frame.time_base = int(round(start * FPS)) + i, Fraction(1, FPS)
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        if audio is not None:
            _write_tone(out, audio, start, tone, start if audio_start is None else audio_start,
                        seconds if audio_seconds is None else audio_seconds)


def _write_tone(out, audio, start: float, tone: tuple[float, float], audio_start: float, seconds: float) -> None:
    import av

    t = audio_start - start + np.arange(int(seconds * SR)) / SR  # seconds from the file's start
    samples = (0.5 * np.sin(2 * np.pi * 440 * t) * ((t >= tone[0]) & (t < tone[1]))).astype(np.float32)
    for off in range(0, samples.size, 1024):
        frame = av.AudioFrame.from_ndarray(samples[None, off:off + 1024], format="fltp", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = SR, int(round(audio_start * SR)) + off, Fraction(1, SR)
        out.mux(audio.encode(frame))
    out.mux(audio.encode(None))


def onset(samples: np.ndarray) -> float:
    loud = np.flatnonzero(np.abs(samples) > 0.05)
    assert loud.size, "the tone is missing"
    return loud[0] / SR


# -- times from the file's start -----------------------------------------------------------------
@pytest.mark.parametrize("fmt,start", [("mpegts", 1.4), ("mpegts", 1000.0), ("mp4", 0.0), ("mp4", 1000.0),
                                       ("matroska", 10.0)])
def test_frames_audio_and_duration_count_from_the_file_start(tmp_path, fmt, start):
    from momentsearch.pipeline.decode import iter_frames, load_audio, probe

    path = tmp_path / f"capture.{SUFFIX[fmt]}"
    render(path, fmt, start, seconds=10.0, tone=(2.0, 3.0))
    frames = list(iter_frames(path, fps=1.0))
    times = [f.time for f in frames]
    assert times[0] < 0.1 and 9.0 <= times[-1] < 10.0, times  # not 1000.0 .. 1009.0
    assert [slide_of(f.image) for f in frames] == [slide_at(t) for t in times]
    assert probe(path).duration == pytest.approx(10.0, abs=0.3)
    audio = load_audio(path)
    assert audio.size / SR == pytest.approx(10.0, abs=0.3)  # no 1000 s of padding in front
    assert onset(audio) == pytest.approx(2.0, abs=0.1)
    assert onset(audio) - times[0] == pytest.approx(2.0, abs=0.02)  # sound and picture stay in step


def test_a_late_audio_track_keeps_only_its_real_gap(tmp_path):
    """Video from 1000 s, audio from 1003 s: the audio starts 3 s into the file, not 1003 s."""
    from momentsearch.pipeline.decode import load_audio

    path = tmp_path / "late_audio.mp4"
    render(path, "mp4", 1000.0, seconds=8.0, tone=(4.0, 5.0), audio_start=1003.0, audio_seconds=5.0)
    audio = load_audio(path)
    assert onset(audio) == pytest.approx(4.0, abs=0.1)
    assert audio.size / SR == pytest.approx(8.0, abs=0.3)


@pytest.mark.parametrize("fmt,start", [("matroska", 0.0), ("mpegts", 1.4), ("mp4", 0.0)])
def test_audio_that_starts_more_than_5_s_late_keeps_its_gap_in_any_container(tmp_path, fmt, start):
    """A camera or capture whose sound starts 8 s after the picture: Matroska and MPEG-TS state no start
    time for the sound when FFmpeg's probe (its first 5 s) saw none of it, so the stream's start said 0 (or
    the picture's) and the speech was put 8 s early: transcript, hits and captions before the words."""
    from momentsearch.pipeline.decode import load_audio

    path = tmp_path / f"late_sound.{SUFFIX[fmt]}"
    render(path, fmt, start, seconds=20.0, tone=(10.0, 11.0), audio_start=start + 8.0, audio_seconds=12.0)
    audio = load_audio(path)
    assert onset(audio) == pytest.approx(10.0, abs=0.1)
    assert audio.size / SR == pytest.approx(20.0, abs=0.3)


def test_silence_before_a_late_audio_track_comes_in_bounded_pieces(tmp_path):
    """A gap before the audio is padded with zeros piece by piece (an 80,000 s gap must not be one
    5 GB array); the pieces add up to the gap, and the sound comes right after it."""
    from momentsearch.pipeline.decode import PAD_PIECE, iter_audio_chunks

    path = tmp_path / "gap.mp4"
    render(path, "mp4", 0.0, seconds=1.0, tone=(130.0, 131.0), audio_start=130.0, audio_seconds=1.0)
    pieces = list(iter_audio_chunks(path))
    assert max(p.size for p in pieces) <= PAD_PIECE * SR
    assert onset(np.concatenate(pieces)) == pytest.approx(130.0, abs=0.1)


# -- frames_at ----------------------------------------------------------------------------------
TIMES = [0.0, 2.0, 4.0, 5.5, 9.0, 11.0, 14.5, 17.0, 19.0, 25.0]  # 25 s: past the end, the last frame


@pytest.mark.parametrize("fmt,start,gop", [("mpegts", 1.4, 12.0), ("mpegts", 1.4, 50.0), ("mpegts", 1000.0, 12.0),
                                           ("mp4", 1000.0, 12.0)])
def test_frames_at_gives_the_picture_shown_at_each_time(tmp_path, fmt, start, gop):
    """A keyframe every 12 s (or only the first, 50 s GOP): MPEG-TS seeks land on the next keyframe or
    past the last; the picture must still be the one shown at each time, asked together or one by one."""
    from momentsearch.pipeline.frame_reader import frames_at

    path = tmp_path / f"slides.{'ts' if fmt == 'mpegts' else 'mp4'}"
    render(path, fmt, start, seconds=20.0, gop=gop)
    expected = [slide_at(min(t, 19.8)) for t in TIMES]  # [0, 0, 0, 1, 1, 2, 2, 3, 3, 3]
    together = frames_at(path, TIMES, max_side=160)
    one_by_one = [frames_at(path, [t], max_side=160)[0] for t in TIMES]
    assert all(im is not None for im in together + one_by_one)
    assert [slide_of(im) for im in together] == expected
    assert [slide_of(im) for im in one_by_one] == expected


def test_frames_at_seeks_once_per_far_time_in_mp4(tmp_path, monkeypatch):
    """An MP4's backward seek lands on the keyframe before the time: one seek each, no searching back,
    for the decoder and for the demuxer that looks up where that keyframe is (frame_reader.py)."""
    from momentsearch.pipeline import decode
    from momentsearch.pipeline.frame_reader import frames_at

    path = tmp_path / "gop2.mp4"
    render(path, "mp4", 0.0, seconds=20.0, gop=2.0)
    opened = []
    real_open = decode._open

    class Counting:
        def __init__(self, container):
            self.container, self.seeks, self.decodes = container, [], False
            opened.append(self)

        def __enter__(self):
            self.container.__enter__()
            return self

        def __exit__(self, *exc):
            return self.container.__exit__(*exc)

        def seek(self, *args, **kwargs):
            self.seeks.append(args)
            return self.container.seek(*args, **kwargs)

        def decode(self, *args, **kwargs):
            self.decodes = True
            return self.container.decode(*args, **kwargs)

        def __getattr__(self, name):
            return getattr(self.container, name)

    monkeypatch.setattr(decode, "_open", lambda p: Counting(real_open(p)))
    images = frames_at(path, [17.3, 1.1, 9.0], max_side=160)
    assert [slide_of(im) for im in images] == [3, 0, 1]
    decoder = [c for c in opened if c.decodes]
    assert len(decoder) == 1 and len(decoder[0].seeks) == 3
    assert sum(len(c.seeks) for c in opened if not c.decodes) == 2  # 9.0 and 17.3: is a keyframe nearer?


# -- end to end: what the index keeps ----------------------------------------------------------
class ToneASR:
    """One sentence where the tone starts in the window it is given (window-relative seconds)."""

    model_id = "fake:tone-asr"

    def transcribe(self, samples):
        from momentsearch.types import TranscriptSegment, Word

        loud = np.flatnonzero(np.abs(samples) > 0.05)
        if not loud.size:
            return []
        at = loud[0] / SR
        words = [Word(at, at + 0.4, "a"), Word(at + 0.4, at + 0.9, "tone.")]
        return [TranscriptSegment(at, at + 0.9, "a tone.", words)]


def test_an_offset_capture_is_indexed_on_its_own_clock(tmp_path):
    """A 15 s .ts whose first timestamp is 1000 s: duration 15 s (not 1015), slide changes at 5 and
    10 s, the sentence at 6 s, as a player showing the file from its start counts them."""
    from momentsearch.options import Config
    from momentsearch.pipeline.decode import probe
    from momentsearch.pipeline.process import FileProcessor

    path = tmp_path / "broadcast.ts"
    render(path, "mpegts", 1000.0, seconds=15.0, gop=12.0, tone=(6.0, 7.0))
    config = Config()
    config.models.ocr = False
    out = FileProcessor(config, FakeText(), ToneASR(), FakeClip(), ocr=None).process_video(path.as_posix(),
                                                                                           probe(path), "vid")
    assert out.duration == pytest.approx(15.0, abs=0.3)
    assert out.visual_segments[0][0] == pytest.approx(0.0, abs=0.1)
    assert out.visual_segments[-1][1] == pytest.approx(15.0, abs=0.3)
    cuts = [s for s, _ in out.visual_segments[1:]]
    assert any(abs(c - 5.0) <= 1.0 for c in cuts) and any(abs(c - 10.0) <= 1.0 for c in cuts), cuts
    starts = [m["start"] for m in out.rows["transcript"].metadatas]
    assert starts and starts[0] == pytest.approx(6.0, abs=0.1)
    assert all(e <= out.duration + 0.01 for _, e in out.sections)


@pytest.mark.parametrize("whole", [False, True])
def test_a_file_cut_short_is_as_long_as_what_decodes(tmp_path, whole):
    """A Matroska recording whose copy stopped half-way opens, and its header still states 20 s: the
    index must not hold 10 s of moments that no player can show. The whole file keeps its 20 s."""
    from momentsearch.options import Config
    from momentsearch.pipeline.decode import probe
    from momentsearch.pipeline.process import FileProcessor

    path = tmp_path / "talk.mkv"
    render(path, "matroska", 0.0, seconds=20.0, gop=2.0, tone=(3.0, 4.0))
    if not whole:
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    info = probe(path)
    assert info.duration == pytest.approx(20.0, abs=0.3)  # what the header says, either way
    config = Config()
    config.models.ocr = False
    out = FileProcessor(config, FakeText(), ToneASR(), FakeClip(), ocr=None).process_video(path.as_posix(), info, "v")
    if whole:
        assert out.duration == pytest.approx(20.0, abs=0.3) and "cut short" not in out.note
        return
    assert 6.0 < out.duration < 14.0 and "cut short" in out.note, (out.duration, out.note)
    assert out.visual_segments[-1][1] == pytest.approx(out.duration, abs=0.01)
    assert all(e <= out.duration + 0.01 for _, e in out.sections)


# -- what reads the file back at an index time: thumbnails, clips, embedded captions ----------------
THUMB_TIMES = [1.0, 5.5, 9.0, 14.5, 19.0]


@pytest.mark.parametrize("fmt,start,gop", [("mpegts", 1000.0, 2.0), ("mp4", 1000.0, 2.0), ("mpegts", 1.4, 12.0)])
def test_a_thumbnail_shows_the_picture_at_its_index_time(tmp_path, fmt, start, gop):
    """The server's thumbnails seek to index times (from the file's start): a capture starting at 1000 s
    showed its first picture for every moment; an ordinary .ts with 12 s GOPs had no frame at all after
    the last keyframe (the MPEG-TS seek lands past it)."""
    import io

    from PIL import Image

    from momentsearch.server.media import frame_jpeg

    path = tmp_path / f"talk.{'ts' if fmt == 'mpegts' else 'mp4'}"
    render(path, fmt, start, seconds=20.0, gop=gop)

    def shown(source, t):
        return slide_of(np.asarray(Image.open(io.BytesIO(frame_jpeg(source, t))).convert("RGB")))

    assert [shown(path, t) for t in THUMB_TIMES] == [slide_at(t) for t in THUMB_TIMES]
    with open(path, "rb") as f:  # the route decodes from the descriptor it checked, not the path
        assert shown(f, 14.5) == slide_at(14.5)


def _clip_slides(path) -> tuple[list[tuple[float, int]], float, list[str]]:
    """(time, slide) of every frame of a clip, its duration (s) and stream types."""
    import av

    with av.open(str(path)) as f:
        frames = [(float(fr.time), slide_of(fr.to_ndarray(format="rgb24"))) for fr in f.decode(video=0)]
        return frames, f.duration / 1e6, [s.type for s in f.streams]


@pytest.mark.parametrize("fmt,gop,tone,first_key", [("mp4", 2.0, (0.0, 20.0), 4.0), ("mpegts", 12.0, None, 0.0)])
def test_a_clip_of_an_offset_capture_is_cut_at_index_times(tmp_path, fmt, gop, tone, first_key):
    """A clip of 5-8 s of a file starting at 1000 s: the keyframe at or before 5 s (4 s with 2 s GOPs;
    0 s with 12 s GOPs, where the MPEG-TS seek lands on the 12 s keyframe) to 8 s, start and end
    reported on the index's clock, each frame the picture the source shows then. It was 'nothing to
    cut' (5 s is before the streams' first timestamp, 1000 s)."""
    from momentsearch.clips import cut_clip

    path = tmp_path / f"capture.{'ts' if fmt == 'mpegts' else 'mp4'}"
    render(path, fmt, 1000.0, seconds=20.0, gop=gop, tone=tone)
    clip = cut_clip(path, 5.0, 8.0, tmp_path / "clip.mp4")
    assert clip.start == pytest.approx(first_key, abs=0.1) and clip.end == pytest.approx(8.0, abs=0.1)
    assert (clip.asked_start, clip.asked_end) == (5.0, 8.0)
    frames, duration, types = _clip_slides(tmp_path / "clip.mp4")
    assert duration == pytest.approx(clip.duration, abs=0.1) and duration == pytest.approx(8.0 - first_key, abs=0.1)
    assert types == (["video", "audio"] if tone else ["video"])
    assert frames[0][0] == pytest.approx(0.0, abs=0.01)
    wrong = [(t, s) for t, s in frames if s != slide_at(clip.start + t + 0.01)]
    assert not wrong and {s for _, s in frames} == {slide_at(first_key), 1}


def test_a_clip_far_after_the_only_keyframe_is_encoded_again_from_its_start(tmp_path):
    """One keyframe, at the file's start (1000 s): a copy of 13-18 s would start at 0 s. The picture is
    decoded from that keyframe and encoded again from 13 s; the sound is copied from there and stays
    with it (the tone starts 1 s in); each frame is the picture the source shows then."""
    import av

    from momentsearch.clips import REENCODE_LEAD, cut_clip

    path = tmp_path / "one_keyframe.mp4"
    render(path, "mp4", 1000.0, seconds=20.0, gop=50.0, tone=(14.0, 20.0))
    assert 13.0 > REENCODE_LEAD
    clip = cut_clip(path, 13.0, 18.0, tmp_path / "clip.mp4")
    assert clip.start == pytest.approx(13.0, abs=0.1) and clip.end == pytest.approx(18.0, abs=0.21)
    frames, duration, types = _clip_slides(tmp_path / "clip.mp4")
    assert types == ["video", "audio"] and duration == pytest.approx(5.0, abs=0.25)
    assert frames[0][0] == pytest.approx(0.0, abs=0.01) and len(frames) == pytest.approx(5 * FPS, abs=1)
    wrong = [(t, s) for t, s in frames if s != slide_at(clip.start + t + 0.01)]
    assert not wrong and {s for _, s in frames} == {2, 3}
    with av.open(str(tmp_path / "clip.mp4")) as f:
        assert f.streams.video[0].codec_context.name == "h264"
        sound = np.concatenate([fr.to_ndarray().reshape(-1) for fr in f.decode(audio=0)])
    assert onset(sound) == pytest.approx(1.0, abs=0.1)


@pytest.mark.parametrize("gop", [2.0, 50.0])
def test_a_webm_clip_of_an_h264_aac_file_is_encoded_into_what_webm_holds(tmp_path, gop):
    """WebM holds VP8/VP9/AV1 and Opus/Vorbis only: a .webm clip of an H.264 + AAC file (keyframes 2 s
    apart, or one only) was a bare ValueError. The picture is encoded again from the asked start (VP9),
    the sound too (Opus), and both stay in step: each frame is the picture the source shows then, the
    tone starts where it does in the source."""
    import av

    from momentsearch.clips import cut_clip

    path = tmp_path / "lecture.mp4"
    render(path, "mp4", 1000.0, seconds=20.0, gop=gop, tone=(14.0, 20.0))
    clip = cut_clip(path, 13.0, 18.0, tmp_path / "clip.webm")
    assert clip.start == pytest.approx(13.0, abs=0.21) and clip.end == pytest.approx(18.0, abs=0.21)
    frames, duration, types = _clip_slides(tmp_path / "clip.webm")
    assert types == ["video", "audio"] and duration == pytest.approx(clip.duration, abs=0.1)
    wrong = [(t, s) for t, s in frames if s != slide_at(clip.start + t + 0.01)]
    assert not wrong and {s for _, s in frames} == {2, 3}
    with av.open(str(tmp_path / "clip.webm")) as f:
        assert [s.codec_context.name for s in f.streams] == ["vp9", "opus"]
        pieces = list(f.decode(audio=0))  # the sound may start up to one source frame after the picture
    sound = np.concatenate([fr.to_ndarray()[0] for fr in pieces])
    heard = float(pieces[0].time) + onset(sound) * SR / pieces[0].sample_rate  # clip seconds
    with av.open(str(path)) as f:
        origin = min(float(s.start_time * s.time_base) for s in f.streams)  # AAC's priming moves it
    assert heard == pytest.approx(1000.0 + 14.0 - origin - clip.start, abs=0.02)


def test_an_encoded_clip_of_a_phone_video_keeps_its_rotation(tmp_path):
    """A portrait phone video stores its picture sideways with a display matrix; a clip whose picture is
    encoded again (WebM) keeps the matrix, so it plays upright as the source does."""
    import av

    from momentsearch.clips import cut_clip

    from test_bad_input import write_video

    portrait = np.zeros((64, 32, 3), np.uint8)
    portrait[:10] = 255
    write_video(tmp_path / "phone.mp4", [portrait] * 20, rotation=90)
    cut_clip(tmp_path / "phone.mp4", 1.0, 3.0, tmp_path / "clip.webm")
    with av.open(str(tmp_path / "clip.webm")) as f:
        codec, frame = f.streams.video[0].codec_context.name, next(f.decode(video=0))
    assert codec == "vp9" and frame.rotation == 90 and (frame.width, frame.height) == (32, 64)


def test_a_clip_before_an_offset_picture_keeps_the_audio(tmp_path):
    """Audio from 1000 s, the picture from 1005 s: the file starts at 1000 s, so a clip of 0-2 s holds
    the audio of 1000-1002 s only (the picture starts after the span, 5 s into the file)."""
    import av

    from momentsearch.clips import cut_clip

    path = tmp_path / "late_camera.mp4"
    render(path, "mp4", 1005.0, seconds=4.0, tone=(-5.0, 4.0), audio_start=1000.0, audio_seconds=9.0)
    clip = cut_clip(path, 0.0, 2.0, tmp_path / "early.mp4")
    assert clip.start == pytest.approx(0.0, abs=0.07) and clip.end == pytest.approx(2.0, abs=0.1)
    with av.open(str(tmp_path / "early.mp4")) as f:
        assert [s.type for s in f.streams] == ["audio"]
        assert f.duration / 1e6 == pytest.approx(2.0, abs=0.1)


@pytest.mark.parametrize("codec", ["subrip", "mov_text"])
def test_embedded_captions_of_an_offset_file_start_at_index_times(tmp_path, codec):
    """A subtitle stream inside a file whose timestamps start at 1000 s: its cues at 1002 s and 1006 s
    of the stream's clock are at 2 s and 6 s of the index (they were at 1002 s, after the video's end)."""
    from momentsearch.pipeline.captions import embedded_tracks
    from momentsearch.testing.captions import mux_subtitles

    video = tmp_path / "capture.mp4"
    render(video, "mp4", 1000.0, seconds=10.0)
    out = tmp_path / ("captioned.mp4" if codec == "mov_text" else "captioned.mkv")
    mux_subtitles(video, [(1002.0, 1004.5, "first caption line"), (1006.0, 1008.0, "second caption line")],
                  out, codec)
    (track,) = embedded_tracks(out, 10.0)
    assert [c.text for c in track.cues] == ["first caption line", "second caption line"]
    assert [c.start for c in track.cues] == pytest.approx([2.0, 6.0], abs=0.02)
    assert [c.end for c in track.cues] == pytest.approx([4.5, 8.0], abs=0.02)


def _broadcast(path, seconds: float = 12.0, lead: float = 0.5) -> None:
    """An MPEG-TS file from 1000 s: 5 fps h264 with a keyframe every 2 s and a 440 Hz tone all through, each
    piece of sound written `lead` s before the picture of its time, as broadcast and capture muxers do."""
    import av

    with av.open(str(path), "w", format="mpegts") as out:
        video = out.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = 160, 90, "yuv420p"
        video.codec_context.gop_size = 2 * FPS
        video.options = {"preset": "ultrafast", "keyint_min": str(2 * FPS), "sc_threshold": "0"}
        audio = out.add_stream("aac", rate=SR)
        audio.codec_context.layout = "mono"
        tone = (0.5 * np.sin(2 * np.pi * 440 * np.arange(int(seconds * SR)) / SR)).astype(np.float32)
        sent = 0
        for i in range(int(seconds * FPS)):
            while sent < tone.size and sent / SR <= i / FPS + lead:
                frame = av.AudioFrame.from_ndarray(tone[None, sent:sent + 1024], format="fltp", layout="mono")
                frame.sample_rate, frame.pts, frame.time_base = SR, 1000 * SR + sent, Fraction(1, SR)
                out.mux(audio.encode(frame))
                sent += 1024
            image = np.empty((90, 160, 3), np.uint8)
            image[:] = COLOURS[slide_at(i / FPS)]
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts, frame.time_base = 1000 * FPS + i, Fraction(1, FPS)
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        out.mux(audio.encode(None))


def test_a_clip_of_a_broadcast_keeps_the_sound_stored_before_its_keyframe(tmp_path):
    """In MPEG-TS the sound of a time is stored before the picture of that time (here 0.5 s; a seek lands
    on the keyframe's bytes). A clip from the keyframe at 4 s held the sound from 4.5 s on only: the first
    half second of the clip was silent, and a word said at the moment's start was cut."""
    import av

    from momentsearch.clips import cut_clip

    path = tmp_path / "broadcast.ts"
    _broadcast(path)
    clip = cut_clip(path, 4.1, 8.0, tmp_path / "clip.mp4")  # the sound's AAC priming starts the file 0.064 s early
    assert clip.start == pytest.approx(4.064, abs=0.01)
    with av.open(str(tmp_path / "clip.mp4")) as f:
        sound = f.streams.audio[0]
        assert float(sound.start_time * sound.time_base) == pytest.approx(0.0, abs=0.07)
        samples = np.concatenate([fr.to_ndarray()[0] for fr in f.decode(sound)])
    assert onset(samples) == pytest.approx(0.0, abs=0.1)  # the tone from the clip's start (was 0.5 s)
    assert samples.size / SR == pytest.approx(8.0 - clip.start, abs=0.15)
