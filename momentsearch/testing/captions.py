"""Caption fixtures: SRT / WebVTT / ASS files, and a video with a subtitle stream muxed in (PyAV)."""

from __future__ import annotations

import os
from fractions import Fraction

ASS_HEADER = b"""[Script Info]
ScriptType: v4.00+
PlayResX: 640
PlayResY: 360

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, \
Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, \
MarginV, Encoding
Style: Default,Arial,20,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,2,2,2,10,10,10,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
"""


def _stamp(t: float, sep: str) -> str:
    ms = int(round(t * 1000))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def srt_text(cues: list[tuple[float, float, str]]) -> str:
    return "".join(f"{i}\n{_stamp(s, ',')} --> {_stamp(e, ',')}\n{t}\n\n" for i, (s, e, t) in enumerate(cues, 1))


def vtt_text(cues: list[tuple[float, float, str]]) -> str:
    return "WEBVTT\nKind: captions\n\n" + "".join(
        f"{_stamp(s, '.')} --> {_stamp(e, '.')} align:start\n{t}\n\n" for s, e, t in cues)


def mux_subtitles(video: str | os.PathLike, cues: list[tuple[float, float, str]], out: str | os.PathLike,
                  codec: str = "mov_text", language: str = "eng") -> None:
    """Copy `video`'s streams into `out` (mp4 for mov_text, mkv otherwise) and add a subtitle stream
    of `codec` (mov_text, subrip/srt, ass, webvtt) holding `cues`, tagged with `language`."""
    import av
    from av.subtitles.subtitle import SubtitleSet

    fmt = "mp4" if codec == "mov_text" else "matroska"
    with av.open(str(video)) as src, av.open(str(out), "w", format=fmt) as dst:
        streams = [s for s in src.streams if s.type in ("video", "audio")]
        outs = {s.index: dst.add_stream_from_template(s) for s in streams}
        sub = dst.add_stream(codec)
        sub.codec_context.subtitle_header = ASS_HEADER
        sub.metadata["language"] = language
        dst.start_encoding()
        for packet in src.demux(streams):
            if packet.dts is None:
                continue
            packet.stream = outs[packet.stream.index]
            dst.mux(packet)
        tb = sub.time_base or Fraction(1, 1000)
        for n, (start, end, text) in enumerate(cues):
            line = text.replace("\n", "\\N")
            subtitle = SubtitleSet.create(text=f"{n},0,Default,,0,0,0,,{line}".encode(), start=0,
                                          end=int(round((end - start) / tb)), pts=int(round(start / tb)))
            packet = sub.codec_context.encode_subtitle(subtitle)
            packet.stream = sub
            packet.pts = packet.dts = int(round(start / tb))
            packet.duration = int(round((end - start) / tb))
            dst.mux(packet)
