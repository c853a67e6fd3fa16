"""Videos made elsewhere, as users have them: AV1 from a browser or a phone, HEVC from an iPhone, a
recorder's two audio tracks. Each is written here with PyAV's own encoders: a picture that changes
colour every 2 s and a tone, so a clip can be checked for both."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import pytest

FPS = 10
RATE = 48_000  # Hz; phones and recorders write 48 kHz
COLOURS = [(200, 40, 40), (40, 170, 60), (40, 60, 200), (230, 210, 40)]


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


def write(path, codec: str, seconds: float = 8.0, fmt: str | None = None, size=(64, 64),
          options: dict | None = None, tracks: list[np.ndarray] | None = None, tag: str | None = None) -> None:
    """A `size` video in `codec` (a keyframe at the start only, as encoders make by default on short
    files), its colour one of COLOURS per 2 s, and one AAC track per `tracks` entry (channels x samples)."""
    tracks = [_tone(seconds)] if tracks is None else tracks
    with av.open(str(path), "w", format=fmt) as out:
        video = out.add_stream(codec, rate=FPS, options=options or {})
        video.width, video.height, video.pix_fmt = size[0], size[1], "yuv420p"
        if tag:
            video.codec_tag = tag
        sounds = [out.add_stream("aac", rate=RATE, layout="stereo" if t.shape[0] == 2 else "mono") for t in tracks]
        for i in range(int(seconds * FPS)):
            image = np.empty((size[1], size[0], 3), np.uint8)
            image[:] = COLOURS[int(i / FPS // 2) % len(COLOURS)]
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, FPS)
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        for stream, samples in zip(sounds, tracks):
            for off in range(0, samples.shape[1], 1024):
                frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples[:, off:off + 1024]), format="fltp",
                                                   layout=stream.layout.name)
                frame.sample_rate, frame.pts, frame.time_base = RATE, off, Fraction(1, RATE)
                out.mux(stream.encode(frame))
            out.mux(stream.encode(None))


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
