"""Re-encoded copies of a rendered lecture for tests: what a course folder holds beside an original (an export at
another size, bitrate or codec, an .mkv original's .mp4 copy, a copy cut a few seconds short at the start).
Written with PyAV (decoded and encoded again, nothing copied packet for packet). Times are seconds."""

from __future__ import annotations

import os
from fractions import Fraction

AUDIO_RATES = {"aac": 44_100, "libopus": 48_000, "mp3": 44_100, "libmp3lame": 44_100}  # Hz each codec is given


def reencode(src: str | os.PathLike, dst: str | os.PathLike, size: tuple[int, int] | None = None,
             video_codec: str = "libx264", audio_codec: str = "aac", audio_bitrate: int = 96_000,
             crf: int = 30, trim: float = 0.0, fps: int | None = None) -> None:
    """Writes `src` again to `dst` (its extension names the container: .mp4, .mkv, .webm): the picture scaled to
    `size` (None: as it is) at `fps` (None: the source's) in `video_codec`, the sound resampled to stereo at the
    codec's usual rate in `audio_codec` at `audio_bitrate`. `trim` seconds are cut from the start."""
    import av

    with av.open(str(src)) as source, av.open(str(dst), mode="w") as out:
        vin, ain = source.streams.video[0], source.streams.audio[0]
        rate = fps or int(round(float(vin.average_rate)))
        vout = out.add_stream(video_codec, rate=rate)
        vout.width, vout.height = size or (vin.codec_context.width, vin.codec_context.height)
        vout.pix_fmt, vout.time_base = "yuv420p", Fraction(1, rate)
        vout.options = {"crf": str(crf)} if video_codec in ("libx264", "libx265", "libvpx-vp9") else {}
        if video_codec == "libx265":
            vout.options["x265-params"] = "log-level=error"  # x265 writes its settings to stderr otherwise
        aout = out.add_stream(audio_codec, rate=AUDIO_RATES.get(audio_codec, 48_000))
        aout.codec_context.layout, aout.codec_context.bit_rate = "stereo", audio_bitrate
        resampler = av.AudioResampler(format=aout.codec_context.format.name, layout="stereo",
                                      rate=aout.codec_context.sample_rate)
        shown, heard = 0, 0
        for frame in source.decode(vin, ain):
            if frame.time is None or frame.time < trim:
                continue
            if isinstance(frame, av.VideoFrame):
                image = frame.to_ndarray(width=vout.width, height=vout.height, format="rgb24")
                while shown / rate <= frame.time - trim:  # each output frame shows the latest picture by its time
                    picture = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format="yuv420p")
                    picture.pts, picture.time_base = shown, Fraction(1, rate)
                    out.mux(vout.encode(picture))
                    shown += 1
                continue
            frame.pts = None  # the resampler counts its own samples from 0: the trimmed start is gone
            for sound in resampler.resample(frame):
                sound.pts, heard = heard, heard + sound.samples
                out.mux(aout.encode(sound))
        out.mux(vout.encode(None))
        for sound in resampler.resample(None):
            sound.pts, heard = heard, heard + sound.samples
            out.mux(aout.encode(sound))
        out.mux(aout.encode(None))
