"""Cutting a moment out of a video by stream copy (PyAV; no re-encode, so it is fast and lossless).

A copied video stream can only start on a keyframe, so a clip starts on the last keyframe at or before the
asked start and says so (`Clip.start`). Audio packets are copied from that time on; the clip ends with the
first packet at or after the asked end. Where that keyframe lies more than `REENCODE_LEAD` seconds before the
start (screen and browser recorders often write one a minute or more apart, some only one at the start, and a
copy of a 30 s moment at 50:00 would then hold the first 50 minutes), the picture is decoded from it and
encoded again from the asked start (H.264; VP9 in WebM), and the sound is copied from there. A stream the
clip's container cannot hold as it is (H.264 or AAC in WebM, PCM in MP4, VP9, AV1 or Opus in MOV) is encoded
again too (the picture as above; the sound by `SOUND_ENCODERS`), so any source can be cut into any container.
A phone video's rotation stays with an encoded picture. A clip into a sound file (`AUDIO_SUFFIXES`: .m4a,
.mp3, .wav, .flac, .ogg, .opus) holds the track speech is read from and no picture; an audio file's clip
keeps its kind (a .m4a talk's is a .m4a). Timestamps are shifted so the clip starts at 0. Times, asked and
reported, count from the file's start (`time_origin`), as the index's do: a span asked at 5 s of a capture
whose timestamps start at 1000 s is cut at 1005 s. A stream that starts after the span is left out (a
picture that starts at 5 s: a clip of 0-2 s holds the audio only); a span with nothing in it is a
BadInputError, and writes no file."""

from __future__ import annotations

import errno
import math
import os
from dataclasses import dataclass
from pathlib import Path

from momentsearch.clip_names import AUDIO_SUFFIXES, CLIP_SUFFIXES, NAME_BYTES, clip_file_name  # noqa: F401 (its names)
from momentsearch.clip_names import part_file
from momentsearch.clip_packets import INTERLEAVE_SLACK, damaged_sound, packets_from, reached  # noqa: F401 (playback)
from momentsearch.errors import BadInputError, QueryError
from momentsearch.media import keyframe_before, picture_stream, stream_start, time_origin
from momentsearch.pipeline.discover import is_photo
from momentsearch.types import quoted_path

SOUND_ENCODERS = {"webm": "libopus", "ogg": "libopus", "mp3": "libmp3lame", "wav": "pcm_s16le", "flac": "flac"}
SOUND_KEEPS = {"ipod": ("aac", "alac"), "mp3": ("mp3",), "wav": ("pcm_",), "flac": ("flac",),  # codecs a sound
               "ogg": ("opus", "vorbis", "flac")}  # file takes as they are (FFmpeg puts AAC into WAV: none plays it)
MAX_CLIP_SECONDS = 3600.0  # one clip is at most an hour: a longer "clip" is a copy of the file
REENCODE_LEAD = 10.0  # seconds; a keyframe further than this before the start: the picture is encoded again


@dataclass(frozen=True)
class Clip:
    """A written clip. Times are seconds in the source video, from its start (the index's clock)."""

    path: str
    source: str
    start: float  # where the clip really starts (the keyframe at or before `asked_start`)
    end: float  # where it ends (the last copied packet's end)
    asked_start: float
    asked_end: float

    @property
    def duration(self) -> float:
        return self.end - self.start

    def to_json(self) -> dict:
        return {"path": self.path, "source": self.source, "start": round(self.start, 3), "end": round(self.end, 3),
                "asked_start": round(self.asked_start, 3), "asked_end": round(self.asked_end, 3),
                "duration": round(self.duration, 3)}


def check_span(start: float, end: float, padding: float = 0.0) -> tuple[float, float]:
    """The span with padding, checked: finite, start >= 0, end > start, at most MAX_CLIP_SECONDS."""
    try:
        start, end, padding = float(start), float(end), float(padding)
    except (TypeError, ValueError) as exc:
        raise QueryError(f"clip times must be numbers of seconds ({exc})") from exc
    if not all(math.isfinite(x) for x in (start, end, padding)) or padding < 0:
        raise QueryError("clip times must be finite and the padding >= 0")
    start, end = max(0.0, start - padding), end + padding
    if end <= start:
        raise QueryError(f"a clip needs END > START (got {start:g} to {end:g} s)")
    if end - start > MAX_CLIP_SECONDS:
        raise QueryError(f"a clip is at most {MAX_CLIP_SECONDS:g} s long (asked {end - start:g} s)")
    return start, end


def cut_clip(source, start: float, end: float, out: str | os.PathLike, padding: float = 0.0,
             name: str | None = None, force: bool = True) -> Clip:
    """Copy [start - padding, end + padding] seconds of `source` into `out` (a container by its suffix).
    `source` is a path or a binary file object (the server passes the descriptor it checked, so a file swapped
    in after the check is never read); `name` is what messages and the Clip call it. QueryError for bad times,
    an unknown suffix, a photo or an existing `out` without `force`; BadInputError when the source cannot be
    read or the span holds nothing of it. A failed write leaves no partial file behind."""
    import av

    is_path = isinstance(source, (str, os.PathLike))
    name = name or (os.path.abspath(source) if is_path else "video")  # (absolute, as every path shown)
    if is_path and is_photo(source):
        raise QueryError(f"{name} is a photo: a clip is cut from a video or a sound file")
    start, end = check_span(start, end, padding)
    out = Path(out)
    fmt = CLIP_SUFFIXES.get(out.suffix.lower())
    if fmt is None:
        raise QueryError(f"clip file {out.name!r}: use one of {', '.join(sorted(CLIP_SUFFIXES))}")
    if is_path and out.exists() and os.path.samefile(source, out):
        raise QueryError(f"clip file {quoted_path(out)} is the video it would be cut from: name another file")
    if out.exists() and not force:
        raise QueryError(f"clip file {quoted_path(out)} exists: pass force=True to replace it")
    tmp = part_file(out)  # (before the source is read: a folder the clip cannot go into, named as such)
    try:
        with av.open(os.fspath(source) if is_path else source) as src:
            picture = picture_stream(src)  # (an audio file's cover art is a video stream without time: left out)
            streams = [s for s in src.streams
                       if s.type == "audio" or (picture is not None and s.index == picture.index)]
            if not streams or (out.suffix.lower() in AUDIO_SUFFIXES and not src.streams.audio):
                raise BadInputError(name, f"no sound to cut into a {out.suffix} file: name a video clip (.mp4)"
                                    if streams else "no audio or video stream to cut")
            # a stream starting after the span (video from 5 s, audio from 0) holds none of it: left out
            origin = time_origin(src)
            streams = _speech_first(src, [s for s in streams if stream_start(s) - origin < end])
            if out.suffix.lower() in AUDIO_SUFFIXES:  # a sound file: the speech track alone (most hold one)
                streams = [s for s in streams if s.type == "audio"][:1]
            video = next((s for s in streams if s.type == "video"), None)
            key = keyframe_before(src, video, start, origin) if video is not None else None
            with av.open(str(tmp), mode="w", format=fmt) as dst:
                copies = _copyable(dst, streams)
                far = key is not None and start - key > REENCODE_LEAD
                if not streams:
                    span = None
                elif far or len(copies) < len(streams):
                    span = _encode(src, dst, streams, (start, end), origin, copies)
                else:
                    span = _copy(src, dst, streams, (start, end), origin)
            if span is None:  # nothing was muxed, so no file was written either
                length = f"it is {said_time(src.duration / 1e6)} long" if src.duration else "the file is shorter"
                raise BadInputError(name, f"nothing to cut between {said_time(start)} and {said_time(end)} (no "
                                          f"audio or video there: {length}, or its streams start later)")
            real_start, real_end = span
        os.replace(tmp, out)
    except av.error.FFmpegError as exc:
        if getattr(exc, "errno", None) in WRITE_REFUSED:  # the clip's disk, not the video: named as the user named it
            raise OSError(exc.errno, f"{exc.strerror} (the clip was not written)", os.fspath(out)) from exc
        raise BadInputError(name, f"cannot cut a clip: {getattr(exc, 'strerror', None) or exc}") from exc  # no errno
    finally:
        tmp.unlink(missing_ok=True)
    return Clip(os.path.abspath(out), name, real_start, real_end, start, end)  # (absolute, as every path shown)


WRITE_REFUSED = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)  # a full disk, a quota, a file-size limit (`ulimit -f`)
MOV_REFUSES = ("vp9", "av1", "opus")  # FFmpeg's MOV muxer writes these into MP4 only ('Invalid argument')


def _copyable(dst, streams: list) -> set[int]:
    """The indexes of `streams` that the clip's container `dst` holds as they are; the others are encoded
    again. PCM into MP4: FFmpeg writes it, browsers and most players do not play it. VP9, AV1 and Opus
    into MOV: FFmpeg refuses (a .mov clip of a WebM or AV1 video failed with 'Invalid argument')."""
    import av

    fmt, supported = dst.format.name, dst.supported_codecs
    refused = {av.Codec(name, "r").id for name in MOV_REFUSES} if fmt == "mov" else set()
    return {s.index for s in streams if s.codec_context.name in supported and s.codec_context.codec.id not in refused
            and not (fmt == "mp4" and s.codec_context.name.startswith("pcm_"))
            and s.codec_context.name.startswith(SOUND_KEEPS.get(fmt, ""))}


def _speech_first(src, streams: list) -> list:
    """`streams` with the audio track the index reads speech from (`pick_audio_track`) first among the
    audio: players play a file's first audio track, and a recorder's first is often the silent desktop
    sound while the microphone is the second, so a clip in source order played silence."""
    from momentsearch.pipeline.decode import pick_audio_track

    if sum(s.type == "audio" for s in streams) < 2:
        return streams
    chosen = src.streams.audio[pick_audio_track(src).index]
    return sorted(streams, key=lambda s: (s.type != "video", s is not chosen))  # stable: the rest keep their order


def _copy(src, dst, streams, span: tuple[float, float], origin: float) -> tuple[float, float] | None:
    """Copy packets of `streams` from the keyframe at or before the span's start to its end; (real start,
    end), or None when the span holds nothing (no packet in it). The span and the result count from the
    file's start; `origin` (`time_origin`) is where that is on the streams' own clock."""
    start, end = span
    video = next((s for s in streams if s.type == "video"), None)
    lead = video or streams[0]
    outs = {s.index: copied_stream(dst, s) for s in streams}
    first = None  # source seconds (the streams' clock) of the clip's first frame: the keyframe
    real_end = None  # source seconds where the last copied packet ends
    undated: list = []  # lead packets without a dts (Matroska's first after a seek), muxed once one is dated
    past: set[int] = set()  # streams read up to the span's end; the others' packets may still come
    for packet in packets_from(src, streams, lead, video is not None, start, origin):
        if packet.pts is None or damaged_sound(packet):
            continue  # a flush packet, or sound an interrupted copy cut short
        t = float(packet.pts * packet.time_base)
        if first is None:
            first = t
        if t < first - 1e-3 and packet.stream is not lead:
            continue  # audio from before the keyframe
        if packet.stream.index in past or reached(packet, lead, end + origin):
            past.add(packet.stream.index)
            if len(past) == len(streams) or reached(packet, lead, end + origin + INTERLEAVE_SLACK, lead_only=True):
                break
            continue
        if t - origin >= end:
            continue
        stop = t + float((packet.duration or 0) * packet.time_base)
        real_end = stop if real_end is None else max(real_end, stop)
        if packet.stream is lead and (packet.dts is None or undated):
            if packet.dts is None:
                undated.append(packet)
                continue
            _date(undated, packet.dts, max(int(packet.duration or 0), 1))
            for held in undated:
                _mux_from(dst, held, first, outs)
            undated = []
        _mux_from(dst, packet, first, outs)
    if undated:  # nothing dated came after them: decode order as shown order
        for held, pts in zip(undated, sorted(p.pts for p in undated)):
            held.dts = min(pts, held.pts)
            _mux_from(dst, held, first, outs)
    if real_end is None or real_end - origin <= start:
        return None  # nothing copied, or only the frames before a start past the end of the file
    return first - origin, real_end - origin


def copied_stream(dst, stream):
    """An output stream that takes `stream`'s packets as they are. It is never encoded, so it takes the
    source's own codec (opaque): for a picture, PyAV otherwise looks up an encoder by the decoder's name,
    and AV1 decodes with libdav1d (VC-1 with wmv3), which has none, so an AV1 clip failed. HEVC in MP4/MOV
    is tagged hvc1, as phones write it."""
    out = dst.add_stream_from_template(stream, opaque=True)
    if stream.codec_context.name == "hevc" and dst.format.name in ("mp4", "mov"):
        out.codec_tag = "hvc1"  # FFmpeg tags it hev1, which Apple's players (QuickTime, Safari, iOS) refuse
    return out


def _date(packets: list, next_dts: int, step: int) -> None:
    """Give `packets` (decode order, no dts) the decode times before `next_dts`, one `step` apart (the
    frame duration in the stream's time base), none after its packet's own show time."""
    for k, packet in enumerate(reversed(packets), start=1):
        packet.dts = min(next_dts - k * step, packet.pts)


def _mux_from(dst, packet, first: float, outs: dict) -> None:
    """Write a copied packet to its output stream (`outs`: source stream index -> output stream), its times
    shifted so that `first` (source seconds, the streams' clock) is the clip's 0."""
    shift = int(round(first / packet.time_base))
    packet.pts, packet.dts = packet.pts - shift, packet.dts - shift
    packet.stream = outs[packet.stream.index]
    dst.mux(packet)


def _encode(src, dst, streams, span: tuple[float, float], origin: float,
            copies: set[int]) -> tuple[float, float] | None:
    """As `_copy`, but the picture is decoded from the keyframe before the span and encoded again from
    its first frame at or after the start, so the clip starts there and not at that far keyframe; the
    other streams are copied from the same moment, or encoded again where their index is not in `copies`
    (the container cannot hold them as they are). Frames keep their times (variable frame rates too)."""
    start, end = span
    video = next((s for s in streams if s.type == "video"), None)
    others = [s for s in streams if s is not video]
    # every output stream exists before the first packet is written (the header lists them)
    picture = _video_encoder(dst, video) if video is not None else None
    copied = [s for s in others if s.index in copies]
    outs = {s.index: copied_stream(dst, s) for s in copied}
    sounds = [(s, _audio_encoder(dst, s)) for s in others if s.index not in copies and s.type == "audio"]
    first = start + origin  # source seconds (the streams' clock) of the clip's 0: the first frame shown
    ends = []  # source seconds where each written stream ends
    if video is not None:
        shown = _encode_picture(src, dst, video, picture, span, origin)
        if shown is None:
            return None
        first = shown[0]
        ends.append(shown[1])
    for packet in packets_from(src, copied, copied[0], False, start, origin) if copied else ():
        t = float(packet.pts * packet.time_base) if packet.pts is not None and packet.dts is not None else None
        if t is not None and t - origin >= end + INTERLEAVE_SLACK:
            break  # every stream is past the end (packets come in about time order)
        if t is None or t < first - 1e-3 or t - origin >= end or damaged_sound(packet):
            continue
        ends.append(t + float((packet.duration or 0) * packet.time_base))
        _mux_from(dst, packet, first, outs)
    for stream, encoder in sounds:
        ends.extend(_encode_sound(src, dst, stream, encoder, (first, end + origin), origin))
    if not ends or max(ends) - origin <= start:
        return None
    return first - origin, max(ends) - origin


def _video_encoder(dst, video):
    """An output stream that encodes `video`'s picture again: H.264, or VP9 in WebM."""
    from fractions import Fraction

    encoder = dst.add_stream("libvpx-vp9" if dst.format.name == "webm" else "libx264", rate=video.average_rate or 25)
    encoder.pix_fmt, encoder.codec_context.time_base = "yuv420p", Fraction(1, 1000)
    encoder.options = {"crf": "20", "preset": "veryfast"} if encoder.name == "libx264" else {"crf": "32", "b": "0"}
    return encoder


def _encode_picture(src, dst, video, encoder, span: tuple[float, float], origin: float) -> tuple[float, float] | None:
    """Decode `video` from the keyframe before the span and encode its frames in the span into `encoder`;
    (first frame's time, where the last one ends) in source seconds (the streams' clock), or None when
    no frame lies in the span. The picture on screen at the start is the clip's first, from the start: a
    screen recorder writes a frame only when the screen changes, seconds apart, and a clip that began at
    the next frame lost those seconds (and their sound). The first frame's rotation (display matrix) is kept."""
    from fractions import Fraction

    from momentsearch.media import decode_from

    start, end = span
    first = last = shown = None  # shown: the last frame before the start, on screen at it

    def put(frame, t: float) -> None:
        nonlocal first, last
        if first is None:
            first = t
            encoder.width, encoder.height = frame.width // 2 * 2, frame.height // 2 * 2
            if getattr(frame, "rotation", 0):
                encoder.set_display_rotation(frame.rotation)
        image = frame.reformat(width=encoder.width, height=encoder.height, format="yuv420p")
        image.pts, image.time_base = int(round((t - first) * 1000)), Fraction(1, 1000)
        dst.mux(encoder.encode(image))
        last = min(t + 1.0 / float(video.average_rate or 25), end + origin)  # (a sparse VFR rate's 1/rate is seconds)

    for frame in decode_from(src, video, start, origin):
        t = float(frame.time)
        if t - origin < start - 1e-6:
            shown = frame
            continue
        if first is None and shown is not None and t - origin > start + 1e-3:
            put(shown, start + origin)
        if t - origin >= end:
            break
        put(frame, t)
    if first is None:
        return None
    dst.mux(encoder.encode(None))
    return first, last


def _audio_encoder(dst, stream):
    """An output stream that encodes `stream`'s sound again (`SOUND_ENCODERS`, else AAC), 48 kHz, 1 or 2 channels."""
    encoder = dst.add_stream(SOUND_ENCODERS.get(dst.format.name, "aac"), rate=48_000)
    encoder.layout = "mono" if (stream.codec_context.channels or 2) == 1 else "stereo"
    return encoder


def _encode_sound(src, dst, stream, encoder, span: tuple[float, float], origin: float) -> list[float]:
    """Decode `stream` over `span` (source seconds, the streams' clock; `origin` is the file's start there)
    and encode it into `encoder`, its times shifted so that the span's start is the clip's 0; [where the
    sound ends] or [] when there was none."""
    from fractions import Fraction

    from momentsearch.media import decode_from

    first, stop = span
    last = None
    for frame in decode_from(src, stream, first - origin, origin):
        t = float(frame.time)
        if stop <= t < stop + INTERLEAVE_SLACK:
            break
        if t < first - 1e-3 or t >= stop:
            continue  # a frame begun before the clip's first picture, or a wild time (a wrapped MPEG-TS clock)
        frame.pts, frame.time_base = int(round((t - first) * frame.sample_rate)), Fraction(1, frame.sample_rate)
        dst.mux(encoder.encode(frame))
        last = t + frame.samples / frame.sample_rate
    if last is None:
        return []
    dst.mux(encoder.encode(None))
    return [last]


def said_time(seconds: float) -> str:
    """"5 s", or "10810 s (3:00:10)" past a minute: as a user typing h:mm:ss reads it."""
    if seconds < 60:
        return f"{seconds:g} s"
    h, rem = divmod(int(seconds), 3600)
    clock = f"{h}:{rem // 60:02d}:{rem % 60:02d}" if h else f"{rem // 60}:{rem % 60:02d}"
    return f"{seconds:g} s ({clock})"
