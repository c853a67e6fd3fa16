"""Caption fixtures: SRT / WebVTT / ASS files, a video with a subtitle stream muxed in (PyAV), and a
strict reader of the subtitles momentsearch writes (`strict_cues`)."""

from __future__ import annotations

import os
import re
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


_STRICT_TIMING = {"srt": re.compile(r"^(\d\d):([0-5]\d):([0-5]\d),(\d{3}) --> (\d\d):([0-5]\d):([0-5]\d),(\d{3})$"),
                  "vtt": re.compile(r"^(\d\d):([0-5]\d):([0-5]\d)\.(\d{3}) --> (\d\d):([0-5]\d):([0-5]\d)\.(\d{3})$")}


def strict_cues(text: str, fmt: str, max_words: int = 14, repeats: bool = False) -> list[tuple[float, float, str]]:
    """The cues of subtitles we wrote (`fmt` "srt" or "vtt"), read strictly: an AssertionError says what
    a player could trip on (a block out of shape, a cue of no length, cues out of order or overlapping,
    a line of more than `max_words` words) or, unless `repeats` (the speaker did repeat a line), a line
    given twice in a row (overlapping chunks captioned twice)."""
    body = text
    if fmt == "vtt":
        assert text.startswith("WEBVTT\n\n") or text.strip() == "WEBVTT", "no WEBVTT header"
        body = text[len("WEBVTT"):].lstrip("\n")
    cues: list[tuple[float, float, str]] = []
    for n, block in enumerate([b for b in body.split("\n\n") if b.strip()], 1):
        lines = block.strip("\n").split("\n")
        assert len(lines) >= 3 and lines[0] == str(n), f"block {n} is not 'number, timing, text': {block!r}"
        m = _STRICT_TIMING[fmt].match(lines[1])
        assert m, f"cue {n}: bad timing line {lines[1]!r}"
        g = [int(x) for x in m.groups()]
        start, end = (g[0] * 3600 + g[1] * 60 + g[2] + g[3] / 1000, g[4] * 3600 + g[5] * 60 + g[6] + g[7] / 1000)
        words = " ".join(lines[2:])
        assert all(ln.strip() for ln in lines[2:]) and "-->" not in words, f"cue {n}: bad text {lines[2:]!r}"
        assert end > start, f"cue {n} has no length: {lines[1]}"
        assert not cues or start >= cues[-1][1] - 1e-9, f"cue {n} starts before cue {n - 1} ends"
        assert len(words.split()) <= max_words, f"cue {n} has {len(words.split())} words"
        assert repeats or not cues or words != cues[-1][2], f"cue {n} repeats the line before: {words!r}"
        cues.append((start, end, words))
    return cues
