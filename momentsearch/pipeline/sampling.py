"""Sampled frames without decoding a video's still stretches: its keyframes first, then only the stretches
between two keyframes that show different pictures.

A lecture recording holds each slide for tens of seconds, and its encoder writes a keyframe every few
seconds (x264 and OBS: every 250 frames or 2-10 s, and one at most scene changes). Decoding the keyframes
alone costs a small share of decoding every frame. Where two neighbouring keyframes show the same
picture stroke for stroke (`picture.same_picture`, what tells a slide from the next slide of its deck),
the frames between them are taken to show it too, and the samples there are the first keyframe's picture
at the times a full pass would sample. Every stretch whose two keyframes differ is decoded as before, so
each change of picture is seen at the same frames as by a full pass; a filmed lecturer, a webcam tile or
a moving pointer makes every stretch differ, and after GIVE_UP such stretches in a row the video is
decoded on for a while without its keyframes (`_guided`). Two matching keyframes are not enough: a
recap slide before and after a slide that lasts less than one stretch gives matching keyframes around it
(x264 seldom starts a slide of the same template with a keyframe), so a stretch is still only when none
of its other frames is a sizeable share of its keyframe's size as well (`_quiet`: read from the packets,
nothing decoded; a still picture's frames are a few hundred bytes, a new slide's several kilobytes).

Used for the codecs whose FFmpeg decoders skip non-keyframes when asked (CODECS) when the keyframes lie
SAMPLES_PER_GOP sample periods apart or more but at most MAX_GOP seconds (the first PROBE_SECONDS of
packets tell); else every frame is decoded (`decode.iter_frames`).
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Iterator

from momentsearch.media import decode_from, picture_stream, seek_back, time_origin
from momentsearch.pipeline.decode import (_open, _scaled_size, _upright_rgb, iter_frames, next_sample_time,
                                          prepare_sampling)
from momentsearch.pipeline.picture import same_picture
from momentsearch.types import SampledFrame

MAX_GOP = 20.0  # seconds; keyframes further apart than this are not trusted to bound a still stretch
SAMPLES_PER_GOP = 3  # keyframes closer than this many sample periods leave nothing to skip
PROBE_SECONDS = 60.0  # seconds of packets read to learn how far apart the keyframes lie
PROBE_KEYFRAMES = 6  # ... or this many keyframes, whichever comes first
CODECS = frozenset({"h264", "hevc", "vp8", "vp9", "mpeg2video", "mpeg4"})  # their decoders honour NONKEY
GIVE_UP = 8  # stretches in a row that all had to be decoded: decode on for a while without keyframes
MAX_PAUSE = 600.0  # seconds; the longest such while
NEW_PICTURE_SHARE = 0.25  # a frame between two keyframes this share of the first one's size (or more), and
NEW_PICTURE_SPIKE = 4.0  # this many times the stretch's median frame, is taken for a new picture: a still slide's
#   frames measure a few per cent of its keyframe's (a constant-bitrate encoder's, refining it, ~20 % each), a new
#   slide's 50-70 %


def keyframe_spacing(path: str | Path) -> float | None:
    """Median seconds between the video's keyframes over its first PROBE_SECONDS (None when there are
    fewer than 3, no video, or a codec not in CODECS): read from the packets' flags, nothing decoded."""
    import av

    with _open(path) as container:
        stream = picture_stream(container)
        if stream is None:
            return None
        if stream.codec_context.name not in CODECS:
            return None
        times: list[float] = []
        try:
            for packet in container.demux(stream):
                if packet.pts is None or packet.time_base is None:
                    continue
                t = float(packet.pts * packet.time_base)
                if packet.is_keyframe:
                    times.append(t)
                if len(times) >= PROBE_KEYFRAMES or (times and t - times[0] > PROBE_SECONDS):
                    break
        except av.error.FFmpegError:  # damaged packets: no pattern known, `iter_frames` decodes what it can
            return None
    times.sort()
    if len(times) < 3:
        return None
    return statistics.median(b - a for a, b in zip(times, times[1:]))


def sample_frames(path: str | Path, options) -> Iterator[SampledFrame]:
    """The sampled frames indexing cuts and embeds, as `options` (a SamplingOptions) asks: with
    `skip_still`, the still stretches are not decoded (`iter_frames_guided`), else every frame is."""
    args = (path, options.fps, options.max_side, options.skip_nonref, options.skip_deblock)
    return iter_frames_guided(*args) if options.skip_still else iter_frames(*args)


def iter_frames_guided(path: str | Path, fps: float = 1.0, max_side: int = 320, skip_nonref: bool = False,
                       skip_deblock: bool = False, stats: dict | None = None) -> Iterator[SampledFrame]:
    """`decode.iter_frames`'s samples (same times, same pictures where the picture changes), decoding only
    the stretches between keyframes that differ (module docstring). Holds two keyframes at a time.
    `stats` (a dict) is filled with counts: keyframes read, stretches still and decoded, pauses; `damaged`:
    a decode error handed the rest to `iter_frames` (it yields what it can, as for any damaged file)."""
    stats = {} if stats is None else stats
    stats.update(keyframes=0, still=0, decoded=0, paused=0, guided=False, damaged=False)
    spacing = keyframe_spacing(path)
    if spacing is None or not SAMPLES_PER_GOP / fps <= spacing <= MAX_GOP:
        yield from iter_frames(path, fps, max_side, skip_nonref, skip_deblock)
        return
    import av

    stats["guided"] = True
    with _open(path) as keys_file, _open(path) as frames_file:
        sampler = _Sampler(frames_file, fps, max_side, skip_nonref, skip_deblock)
        try:
            yield from _guided(sampler, keys_file, max_side, spacing, stats)
            return
        except av.error.FFmpegError:  # damaged data: the rest is what a plain pass makes of it (below)
            resume = sampler.next_time if sampler.yielded else 0.0
    stats["damaged"] = True
    for frame in iter_frames(path, fps, max_side, skip_nonref, skip_deblock):  # yields what it can, or raises
        if frame.time + 1e-6 >= resume:  # BadInputError when nothing decodes
            yield frame


def _guided(sampler: "_Sampler", keys_file, max_side: int, spacing: float, stats: dict) -> Iterator[SampledFrame]:
    """Stretch by stretch: still ones from their keyframe, the others decoded. After GIVE_UP moving
    stretches in a row, decodes on without reading keyframes for GIVE_UP stretches' time, twice as long
    after each such run (at most MAX_PAUSE seconds), then looks again (a talking head inside a screen
    recording; a filmed hall throughout reads few of its keyframes)."""
    covered, previous, moving, pauses = 0.0, None, 0, 0  # samples are yielded up to `covered`
    packets = _Packets()
    keys = _keyframes(keys_file, max_side, 0.0, packets)
    for key in iter(lambda: next(keys, None), None):
        if key.time < covered - 1e-6:  # read again after a seek
            continue
        stats["keyframes"] += 1
        if previous is None:
            yield from sampler.decoded(covered, key.time)
        elif packets.quiet(previous.time, key.time) and key.time - previous.time <= MAX_GOP and same_picture(
                previous.image, key.image):  # (asked first, for every stretch: it forgets the sizes before `key`)
            yield from sampler.still(previous, key.time)
            moving, pauses, stats["still"] = 0, 0, stats["still"] + 1
        else:
            yield from sampler.decoded(previous.time, key.time)
            moving, stats["decoded"] = moving + 1, stats["decoded"] + 1
        previous, covered = key, key.time
        if moving >= GIVE_UP:  # a filmed hall or a webcam tile: the keyframes only cost time
            covered = key.time + min(GIVE_UP * spacing * 2 ** pauses, MAX_PAUSE)
            yield from sampler.decoded(key.time, covered)
            previous, moving, pauses, stats["paused"] = None, 0, pauses + 1, stats["paused"] + 1
            keys = _keyframes(keys_file, max_side, covered, packets)
    yield from sampler.decoded(covered, float("inf"))


class _Packets:
    """The sizes of the video packets the keyframe pass has read (seconds from the file's start), to tell a still
    stretch from one whose keyframes match around another picture; entries before a stretch asked about go."""

    def __init__(self) -> None:
        self.sizes: list[tuple[float, int, bool]] = []  # (time, bytes, keyframe)

    def read(self, container, stream, origin: float) -> Iterator:
        """`container.decode(stream)`'s frames, the packets' sizes noted as they are demuxed."""
        for packet in container.demux(stream):
            if packet.pts is not None and packet.time_base is not None:
                self.sizes.append((float(packet.pts * packet.time_base) - origin, packet.size, packet.is_keyframe))
            yield from packet.decode()

    def quiet(self, start: float, end: float) -> bool:
        """Whether no frame inside (start, end) stands out as a new picture's (NEW_PICTURE_SHARE of the keyframe at
        `start`'s size and NEW_PICTURE_SPIKE times the stretch's median frame)."""
        inside = [(t, n, key) for t, n, key in self.sizes if start - 1e-6 <= t < end - 1e-6]
        self.sizes = [s for s in self.sizes if s[0] >= end - 1e-6]
        key_size = max((n for t, n, key in inside if key and abs(t - start) < 1e-3), default=0)
        others = [n for t, n, key in inside if not key]
        if not key_size or not others:
            return True
        floor = max(NEW_PICTURE_SHARE * key_size, NEW_PICTURE_SPIKE * statistics.median(others))
        return max(others) < floor


def _keyframes(container, max_side: int, start: float, packets: _Packets) -> Iterator[SampledFrame]:
    """The video's keyframes (seconds from the file's start) from the one at or before `start` on, scaled
    to `max_side`; nothing else decoded (the sizes of all packets read are noted in `packets`)."""
    stream = picture_stream(container)
    if not stream.codec_context.is_open:  # set before the first decode, kept after a seek
        stream.thread_type = "AUTO"
        stream.codec_context.skip_frame = "NONKEY"
    origin, size = time_origin(container), None

    def read():
        return (f for f in packets.read(container, stream, origin) if f.time is not None)

    frames = seek_back(container, stream, start, origin, read, lambda f: float(f.time)) if (
        start > 0 and stream.time_base is not None) else read()
    for frame in frames:
        if frame.time is None or not frame.key_frame:  # a decoder that decodes everything anyway
            continue
        size = size or _scaled_size(frame.width, frame.height, max_side)
        yield SampledFrame(time=max(0.0, float(frame.time) - origin), image=_upright_rgb(frame, size))


class _Sampler:
    """The samples of one video, stretch by stretch, at the times `iter_frames` takes them: the first frame
    at or after each 1/fps step. Decoded stretches that follow each other are read without seeking."""

    def __init__(self, container, fps: float, max_side: int, skip_nonref: bool, skip_deblock: bool) -> None:
        self.container, self.step, self.max_side = container, 1.0 / fps, max_side
        self.stream = picture_stream(container)
        prepare_sampling(self.stream, fps, skip_nonref, skip_deblock)
        self.origin = time_origin(container)
        self.next_time = 0.0
        self.size = None
        self.frames = None  # the decoder's frames, while the last stretch was decoded
        self.pending = None  # a frame read past the end of the last decoded stretch
        self.yielded = 0

    def _take(self, t: float) -> None:
        self.next_time = next_sample_time(t, self.step)
        self.yielded += 1

    def still(self, key: SampledFrame, end: float) -> Iterator[SampledFrame]:
        """Samples of [key.time, end) that all show the keyframe's picture."""
        self.frames = self.pending = None
        while self.next_time < end - 1e-6:
            t = max(self.next_time, key.time)
            if t >= end - 1e-6:
                break
            yield SampledFrame(time=t, image=key.image)
            self._take(t)

    def decoded(self, start: float, end: float) -> Iterator[SampledFrame]:
        """Samples of [start, end), decoded (continuing the last decoded stretch, else from a seek)."""
        if self.frames is None:
            self.frames = decode_from(self.container, self.stream, start, self.origin)
            self.pending = None
        while True:
            frame = self.pending or next(self.frames, None)
            self.pending = None
            if frame is None:
                return
            t = max(0.0, float(frame.time) - self.origin)
            if t >= end - 1e-6:
                self.pending = frame
                return
            if t + 1e-6 < self.next_time:
                continue
            self.size = self.size or _scaled_size(frame.width, frame.height, self.max_side)
            yield SampledFrame(time=t, image=_upright_rgb(frame, self.size))
            self._take(t)
