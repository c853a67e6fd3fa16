"""Videos made elsewhere, as users have them: AV1 from a browser or a phone, HEVC from an iPhone, a
recorder's two audio tracks. Each is written here with PyAV's own encoders: a picture that changes
colour every 2 s and a tone, so a clip can be checked for both."""

from __future__ import annotations

import os
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

FPS = 10
RATE = 48_000  # Hz; phones and recorders write 48 kHz
COLOURS = [(200, 40, 40), (40, 170, 60), (40, 60, 200), (230, 210, 40)]
LAYOUTS = {1: "mono", 2: "stereo", 6: "5.1"}  # channels -> FFmpeg's layout name


def _encoder(*names: str) -> str:
    """The first of `names` this PyAV can encode with; the test is skipped when it has none."""
    for name in names:
        try:
            av.Codec(name, "w")
            return name
        except av.codec.codec.UnknownCodecError:
            continue
    pytest.skip(f"this PyAV has none of the encoders {names}")


def _tone(seconds: float, channels: int = 2, silent: bool = False) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    wave = np.zeros_like(t) if silent else 0.3 * np.sin(2 * np.pi * 440 * t)
    return np.repeat(wave[None].astype(np.float32), channels, axis=0)


@contextmanager
def _scheduling_kept():
    """The calling thread's scheduling as it was before: SVT-AV1's encoder, run as root, makes it a
    SCHED_FIFO real-time thread of the highest priority, and every process started from it after inherits
    that (a test worker's server and Chromium then starved the whole machine: CI ran minutes late)."""
    policy, param = os.sched_getscheduler(0), os.sched_getparam(0)
    try:
        yield
    finally:
        os.sched_setscheduler(0, policy, param)


def _pictures(out, video, count: int, colour) -> None:
    """`count` frames of one colour each (`colour(i)`: RGB) into `video`, 1/FPS apart, then the flush."""
    for i in range(count):
        frame = av.VideoFrame.from_ndarray(np.full((video.height, video.width, 3), colour(i), np.uint8), format="rgb24")
        frame.pts, frame.time_base = i, Fraction(1, FPS)
        out.mux(video.encode(frame))
    out.mux(video.encode(None))


def _sounds(out, stream, samples: np.ndarray, size: int = 1024, first: int = 0) -> None:
    """`samples` (channels x samples, float) into `stream` in frames of `size`, the first at sample
    `first` (negative: before the picture), then the flush."""
    for off in range(0, samples.shape[1], size):
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples[:, off:off + size]), format="fltp",
                                           layout=stream.layout.name)
        frame.sample_rate, frame.pts, frame.time_base = RATE, off + first, Fraction(1, RATE)
        out.mux(stream.encode(frame))
    out.mux(stream.encode(None))


def write(path, codec: str, seconds: float = 8.0, fmt: str | None = None, size=(64, 64),
          options: dict | None = None, tracks: list[np.ndarray] | None = None, tag: str | None = None,
          container: dict | None = None) -> None:
    """A `size` video in `codec` (a keyframe at the start only, as encoders make by default on short
    files), its colour one of COLOURS per 2 s, and one AAC track per `tracks` entry (channels x samples).
    The picture is written first: the muxer interleaves it with the sound as far as it can hold."""
    tracks = [_tone(seconds)] if tracks is None else tracks
    with _scheduling_kept(), av.open(str(path), "w", format=fmt, options=container or {}) as out:
        video = out.add_stream(codec, rate=FPS, options=options or {})
        video.width, video.height, video.pix_fmt = size[0], size[1], "yuv420p"
        if tag:
            video.codec_tag = tag
        sounds = [out.add_stream("aac", rate=RATE, layout=LAYOUTS[t.shape[0]]) for t in tracks]
        _pictures(out, video, int(seconds * FPS), lambda i: COLOURS[int(i / FPS // 2) % len(COLOURS)])
        for stream, samples in zip(sounds, tracks):
            _sounds(out, stream, samples)


def colour_of(frame) -> int:
    mean = frame.to_ndarray(format="rgb24").reshape(-1, 3).mean(axis=0)
    return int(np.argmin([np.linalg.norm(mean - np.array(c)) for c in COLOURS]))


@pytest.mark.parametrize("suffix", [".mp4", ".mkv"])
def test_a_clip_of_an_av1_video_is_copied(tmp_path, suffix):
    """AV1 decodes with libdav1d, which encodes nothing: PyAV looked up an encoder by that name for the
    copied picture, and every clip of an AV1 file failed with a bare UnknownCodecError (a traceback from
    the CLI). The picture is copied as it is, AV1, from the file's one keyframe, with its sound."""
    from momentsearch.clips import cut_clip

    path = tmp_path / "browser_recording.mp4"
    codec = _encoder("libsvtav1", "libaom-av1", "librav1e")
    write(path, codec, options={"libsvtav1": {"preset": "12"}, "libaom-av1": {"cpu-used": "8"}}.get(codec))
    clip = cut_clip(path, 3.0, 5.0, tmp_path / f"clip{suffix}")
    assert clip.start == pytest.approx(0.0, abs=0.05) and clip.end == pytest.approx(5.0, abs=0.15)
    with av.open(clip.path) as f:
        assert [s.type for s in f.streams] == ["video", "audio"]
        assert f.streams.video[0].codec_context.codec.id == av.Codec("av1", "r").id
        frames = list(f.decode(video=0))
    assert len(frames) == pytest.approx(5 * FPS, abs=1)
    assert [colour_of(frames[k]) for k in (0, 25, 45)] == [0, 1, 2]
    assert os.sched_getscheduler(0) == os.SCHED_OTHER  # the encoder's real-time scheduling did not stay


@pytest.mark.parametrize("suffix", [".mp4", ".webm"])
def test_a_clip_of_a_two_track_recording_plays_the_speech_track_first(tmp_path, suffix):
    """A recorder's first track is often the desktop sound (silent in a lecture) and the second the
    microphone; the index reads the second. Players play a clip's first audio track, so a clip in the
    source's order played silence: the speech track comes first (copied, or encoded again for WebM)."""
    from momentsearch.clips import cut_clip
    from momentsearch.pipeline.decode import probe

    path = tmp_path / "obs.mp4"
    write(path, "libx264", tracks=[_tone(8.0, silent=True), _tone(8.0, channels=1)],
          options={"preset": "ultrafast"})
    assert probe(path).audio_note == "audio track 2 of 2 used; silent: track 1"
    clip = cut_clip(path, 1.0, 3.0, tmp_path / f"clip{suffix}")
    with av.open(clip.path) as f:
        assert [s.type for s in f.streams] == ["video", "audio", "audio"]  # the desktop track is kept, second
        assert [s.codec_context.channels for s in f.streams.audio] == [1, 2]
        first = np.concatenate([fr.to_ndarray().reshape(-1) for fr in f.decode(audio=0)])
    assert np.abs(first).max() > 0.2


def _sound_only(path, fmt: str, codec: str, rate: int, channels: int = 1, seconds: float = 2.0) -> None:
    with av.open(str(path), "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=rate, layout="mono" if channels == 1 else "stereo")
        if codec == "wmav2":
            stream.bit_rate = 64_000  # its encoder needs one
        size = stream.codec_context.frame_size or 1024
        t = np.arange(int(seconds * rate)) / rate
        wave = np.repeat((0.3 * np.sin(2 * np.pi * 440 * t))[None].astype(np.float32), channels, axis=0)
        kind = stream.codec_context.format.name
        for off in range(0, wave.shape[1], size):
            piece = wave[:, off:off + size]
            frame = (av.AudioFrame.from_ndarray((piece * 32767).astype(np.int16).T.reshape(1, -1).copy(), format="s16",
                                                layout=stream.layout.name) if kind == "s16" else
                     av.AudioFrame.from_ndarray(np.ascontiguousarray(piece), format="fltp", layout=stream.layout.name))
            frame.sample_rate, frame.pts, frame.time_base = rate, off, Fraction(1, rate)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


def test_camcorder_podcast_and_archive_files_in_a_folder_are_indexed(tmp_path):
    """A camcorder's card holds AVCHD (PRIVATE/AVCHD/BDMV/STREAM/00000.MTS: H.264 and AC-3 in 192-byte
    M2TS packets); podcasts and audiobooks come as .m4b, old course archives as .wma, phone call
    recordings as .amr, a Mac's as .aiff. FFmpeg reads them all, but a folder walk skipped every one as
    'not a media file (unknown extension)'."""
    from momentsearch.pipeline.discover import discover
    from momentsearch.pipeline.decode import load_audio, probe

    stream = tmp_path / "card" / "PRIVATE" / "AVCHD" / "BDMV" / "STREAM"
    stream.mkdir(parents=True)
    with av.open(str(stream / "00000.MTS"), "w", format="mpegts", options={"mpegts_m2ts_mode": "1"}) as out:
        video = out.add_stream("libx264", rate=FPS, options={"preset": "ultrafast"})
        video.width = video.height = 64
        sound = out.add_stream("ac3", rate=RATE, layout="stereo")
        _pictures(out, video, 20, lambda i: (30 * (i % 8),) * 3)
        _sounds(out, sound, _tone(2.0), size=1536)
    _sound_only(tmp_path / "episode 12.m4b", "ipod", "aac", 44_100, channels=2)
    _sound_only(tmp_path / "lecture 1998.wma", "asf", "wmav2", 22_050)
    amr = _encoder("libopencore_amrnb", "amr_nb")  # PyAV's wheels decode AMR; some (18.1.1) cannot write it
    if amr:
        _sound_only(tmp_path / "call.amr", "amr", amr, 8_000)
    _sound_only(tmp_path / "memo.aiff", "aiff", "pcm_s16be", 44_100)
    found = {Path(f.path).name: f.reason for f in discover([str(tmp_path)])}
    assert found == {"00000.MTS": "", "episode 12.m4b": "", "lecture 1998.wma": "", "memo.aiff": "",
                     **({"call.amr": ""} if amr else {})}
    for f in discover([str(tmp_path)]):
        info = probe(f.path)
        assert info.has_audio and info.duration == pytest.approx(2.0, abs=0.2), f.path
        assert info.has_video == f.path.endswith(".MTS")
        assert np.abs(load_audio(f.path)).max() > 0.1, f.path  # the tone is there


def _encoder(*names: str) -> str | None:
    """The first of `names` this PyAV can encode with, or None."""
    for name in names:
        try:
            av.codec.Codec(name, "w")
            return name
        except (av.codec.codec.UnknownCodecError, ValueError):
            continue
    return None


FRAGMENTED = {"movflags": "frag_keyframe+empty_moov+default_base_moof"}  # what OBS and cameras write to survive a crash


def _sound_seconds(path) -> float:
    with av.open(str(path)) as f:
        return sum(fr.samples for fr in f.decode(audio=0)) / f.streams.audio[0].rate


def test_a_clip_keeps_the_sound_stored_after_its_picture(tmp_path):
    """In a fragmented MP4 the sound of a moment may lie a second or more after its picture in the file.
    The copy stopped at the first picture past the span's end, and the clip's last second was silent
    (its sound 1 s shorter than its picture)."""
    from momentsearch.clips import cut_clip

    path = tmp_path / "fragmented.mp4"
    write(path, "libx264", seconds=10.0, options={"preset": "ultrafast"}, container=FRAGMENTED)
    with av.open(str(path)) as f:  # the fixture is what it claims: sound stored after later pictures
        order = [(p.stream.type, float(p.pts * p.time_base)) for p in f.demux() if p.pts is not None]
    ahead = max(v - a for i, (kind, a) in enumerate(order) if kind == "audio"
                for _, v in [next(((k, t) for k, t in reversed(order[:i]) if k == "video"), ("video", a))])
    assert ahead > 0.5
    clip = cut_clip(path, 2.0, 6.0, tmp_path / "clip.mp4")
    assert clip.start == pytest.approx(0.0, abs=0.05) and clip.end == pytest.approx(6.0, abs=0.1)
    assert _sound_seconds(clip.path) == pytest.approx(6.0, abs=0.1)


def test_a_clip_to_the_end_of_a_crashed_recording_decodes_to_its_end(tmp_path):
    """A fragmented MP4 cut short (the recorder crashed) ends inside its last sound packet, which FFmpeg
    flags as damaged. Copied into a clip it failed to decode at the clip's end, where players stop with
    an error; the clip now holds the sound up to the damage, all of it decodable."""
    from momentsearch.clips import cut_clip

    whole = tmp_path / "whole.mp4"
    write(whole, "libx264", seconds=10.0, options={"preset": "ultrafast"}, container=FRAGMENTED)
    data = whole.read_bytes()
    path = tmp_path / "crashed.mp4"
    path.write_bytes(data[: int(len(data) * 0.6)])
    with av.open(str(path)) as f:
        assert any(p.is_corrupt for p in f.demux(audio=0))  # the fixture ends inside a sound packet
    clip = cut_clip(path, 3.0, 9.0, tmp_path / "clip.mp4")
    with av.open(clip.path) as f:
        frames = list(f.decode(video=0))
    assert len(frames) > 3 * FPS and _sound_seconds(clip.path) > 3.0  # raised InvalidDataError at the damage


@pytest.mark.parametrize("suffix", [".mp4", ".mov"])
def test_a_clip_of_an_iphone_hevc_video_is_tagged_for_apple_players(tmp_path, suffix):
    """An iPhone records HEVC in .mov tagged hvc1. A copied stream lost its tag and FFmpeg wrote hev1,
    which QuickTime, Safari and iOS refuse to play: the clip of an iPhone video did not play on an iPhone."""
    from momentsearch.clips import cut_clip

    path = tmp_path / "IMG_0042.MOV"
    write(path, _encoder("libx265"), fmt="mov", tag="hvc1",
          options={"preset": "ultrafast", "x265-params": "log-level=error"})
    with av.open(str(path)) as f:
        assert f.streams.video[0].codec_tag == "hvc1"  # the fixture is tagged as a phone's
    clip = cut_clip(path, 1.0, 3.0, tmp_path / f"clip{suffix}")
    with av.open(clip.path) as f:
        assert f.streams.video[0].codec_context.name == "hevc" and f.streams.video[0].codec_tag == "hvc1"
        assert len(list(f.decode(video=0))) >= 3 * FPS - 3  # (B-frames that lean on a picture after the end are lost)


def test_a_mov_clip_of_a_webm_recording_is_encoded_into_what_mov_holds(tmp_path):
    """A browser or screen recorder writes VP9 and Opus in WebM. FFmpeg's MOV muxer takes neither (nor
    AV1): a .mov clip failed with 'Invalid argument'. Both are encoded again (H.264, AAC), in step."""
    from momentsearch.clips import cut_clip

    path = tmp_path / "screen.webm"
    with av.open(str(path), "w", format="webm") as out:  # what write() makes, with Opus for the sound
        video = out.add_stream("libvpx-vp9", rate=FPS, options={"deadline": "realtime", "cpu-used": "8"})
        video.width = video.height = 64
        sound = out.add_stream("libopus", rate=RATE, layout="mono")
        _pictures(out, video, 6 * FPS, lambda i: COLOURS[i // (2 * FPS)])
        _sounds(out, sound, _tone(6.0, channels=1), size=960)
    clip = cut_clip(path, 2.0, 5.0, tmp_path / "clip.mov")
    assert clip.start == pytest.approx(2.0, abs=0.15) and clip.end == pytest.approx(5.0, abs=0.15)
    with av.open(clip.path) as f:
        assert [s.codec_context.name for s in f.streams] == ["h264", "aac"]
        frames = list(f.decode(video=0))
    assert [colour_of(frames[k]) for k in (0, -1)] == [1, 2]
    assert _sound_seconds(clip.path) == pytest.approx(clip.duration, abs=0.1)


def test_an_encoded_clip_of_a_sparse_screen_recording_starts_at_the_asked_time(tmp_path):
    """A screen recorder writes a frame only when the screen changes (here at 0, 3, 6, 9 and 12 s) with
    the talk going on throughout. A clip whose picture is encoded again (WebM) began at the first frame
    after the start: 4-8 s became 6-8.4 s, the first 2 s of speech lost. It starts at 4 s with the picture
    on screen then (the 3 s frame), and ends at 8 s."""
    from momentsearch.clips import cut_clip

    from test_bad_input import write_video

    frames = [np.full((64, 64, 3), COLOURS[i % len(COLOURS)], np.uint8) for i in range(5)]
    speech = _tone(14.0, channels=1)[0][::3]  # 16 kHz, as write_video writes it
    write_video(tmp_path / "screen.mp4", frames, times=[0, 3, 6, 9, 12], audio=speech)
    clip = cut_clip(tmp_path / "screen.mp4", 4.0, 8.0, tmp_path / "clip.webm")
    assert clip.start == pytest.approx(4.0, abs=0.01) and clip.end == pytest.approx(8.0, abs=0.05)
    with av.open(clip.path) as f:
        shown = [(float(fr.time), colour_of(fr)) for fr in f.decode(video=0)]
    assert [(round(t, 2), c) for t, c in shown] == [(0.0, 1), (2.0, 2)]
    assert _sound_seconds(clip.path) == pytest.approx(4.0, abs=0.1)


def test_an_mts_whose_sound_starts_just_before_the_clock_wraps_is_on_the_file_clock(tmp_path):
    """MPEG-TS counts time in 33 bits of a 90 kHz clock. Sound that starts 40 ms before the picture at 0
    (encoder priming, or a camcorder's clock wrapping between them) has its first time written as 26.5
    hours, and FFmpeg leaves that one unwrapped: the index padded 95,443 s of silence before the speech
    (every moment at 26.5 h, past the video's end), and a clip left the sound out as 'starting later'."""
    from itertools import islice

    from momentsearch.clips import cut_clip
    from momentsearch.pipeline.decode import iter_audio_chunks, probe
    from momentsearch.types import SAMPLE_RATE

    path = tmp_path / "00001.MTS"
    with av.open(str(path), "w", format="mpegts", options={"mpegts_m2ts_mode": "1"}) as out:
        video = out.add_stream("libx264", rate=FPS, options={"preset": "ultrafast"})
        video.width = video.height = 64
        sound = out.add_stream("aac", rate=RATE, layout="stereo")
        # the picture goes out first, beyond what the muxer holds back to interleave
        _pictures(out, video, 12 * FPS, lambda i: COLOURS[i // (3 * FPS)])
        _sounds(out, sound, _tone(12.0), first=-2048)  # from -43 ms
    with av.open(str(path)) as f:  # the fixture is what it claims: the sound's first time is 26.5 hours
        assert float(f.streams.audio[0].start_time * f.streams.audio[0].time_base) > 2 ** 33 / 90_000 - 1
    assert probe(path).duration == pytest.approx(12.0, abs=0.2)
    head = np.concatenate(list(islice(iter_audio_chunks(path), 100)))[:SAMPLE_RATE]  # the index's first second
    assert head.size == SAMPLE_RATE and np.abs(head[: SAMPLE_RATE // 10]).max() > 0.1  # the tone, not silence
    clip = cut_clip(path, 0.0, 4.0, tmp_path / "clip.mp4")
    with av.open(clip.path) as f:
        assert [s.type for s in f.streams] == ["video", "audio"]
    assert _sound_seconds(clip.path) == pytest.approx(4.0, abs=0.1)


def test_of_two_tracks_with_sound_the_one_with_speech_is_transcribed(tmp_path):
    """A recorder's first track is often the desktop's sound (music, a video played in class) and the
    microphone another: of the tracks with sound, the one the voice detector hears speech on is read,
    and where both carry speech the first stays (the margin: a mix of desktop and microphone is fine)."""
    import shutil

    from momentsearch.pipeline.decode import load_audio, probe
    from momentsearch.testing.synth import speak

    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (scripts/setup.sh installs it)")
    voice16 = speak("Today we look at how energy flows through living things, and why the second law matters.")
    seconds = len(voice16) / 16_000
    t = np.arange(int(seconds * RATE)) / RATE
    voice = np.interp(t, np.arange(len(voice16)) / 16_000, voice16).astype(np.float32)[None]
    chords = ((0.2 * np.sin(2 * np.pi * 220 * t) + 0.15 * np.sin(2 * np.pi * 277 * t))
              * (0.6 + 0.4 * np.sin(2 * np.pi * 2 * t))).astype(np.float32)[None]
    music_first, both = tmp_path / "desktop-music-first.mp4", tmp_path / "mix-and-mic.mp4"
    write(music_first, "libx264", seconds, tracks=[chords, voice], options={"preset": "ultrafast"})
    write(both, "libx264", seconds, tracks=[0.5 * (voice + chords), voice], options={"preset": "ultrafast"})
    assert probe(music_first).audio_note == "audio track 2 of 2 used"
    heard = load_audio(music_first)
    n = min(len(heard), len(voice16))
    assert np.corrcoef(heard[:n], voice16[:n])[0, 1] > 0.9  # the voice, not the chords
    assert probe(both).audio_note == "audio track 1 of 2 used"


@pytest.mark.parametrize("channels", [2, 6])
def test_speech_in_every_channel_is_as_loud_mixed_down_as_in_one(tmp_path, channels):
    """Lectures are recorded in stereo (48 kHz), often the same microphone in both channels; the benchmark's
    renders are mono. FFmpeg's down-mix into float samples adds the channels up: a stereo recording came out
    1.41x as loud as it was (peaks past full scale), a 5.1 one 3.4x. Mixed down as faster-whisper's own
    decoder does, it keeps the level of one channel."""
    from momentsearch.pipeline.decode import load_audio

    path = tmp_path / f"{channels}.mp4"
    write(path, "libx264", seconds=3.0, tracks=[_tone(3.0, channels)], options={"preset": "ultrafast"})
    samples = load_audio(str(path))
    middle = samples[len(samples) // 4: 3 * len(samples) // 4]  # away from the encoder's ramps
    assert np.abs(middle).max() == pytest.approx(0.3, rel=0.1)  # the tone's own peak, give or take the encoder
