"""Frames at chosen times of one video, asked for many times over while it is indexed.

Slide OCR asks for sharper frames a few at a time (a batch's keyframes, then more moments of the
same pictures, then the halving steps that find where a slide changed), and the text-proven cuts
look at a few more. A fresh decoder per request seeks to the keyframe before each time and decodes
from there, which is cheap when keyframes come every few seconds. Screen recorders, browser
recordings and conference tools often place them much further apart (a MediaRecorder recording:
about one per 100 s; a recorder whose keyframe interval is "infinite": one at the start), and then
every request decoded from the same far keyframe again: a 2.5-minute 1080p30 lecture with one
keyframe spent 152 s fetching 31 frames, against 9.7 s with a keyframe every 250 frames.

So one `FrameReader` serves a whole video: its decoder stays where the last request left it, a later
time is reached by decoding on unless the keyframe before it lies more than `SEEK_GAP` seconds past
the decoder (it asks the container, through a second demuxer that reads no picture, where that
keyframe is), and frames at times the caller says it will want soon (`expect`) are kept as the
decoder passes them, so the moments read after a batch's keyframes cost no second decode.
`frames_at` is one request of a reader of its own.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from momentsearch.media import decode_from, keyframe_before, picture_stream, time_origin
from momentsearch.pipeline import decode
from momentsearch.pipeline.decode import _scaled_size, _upright_rgb

SEEK_GAP = 5.0  # seconds; a keyframe no further than this past the decoder's position is not worth a seek
KEEP_LIMIT = 24  # frames kept for expected times at most (the oldest go first): 3 reads x a batch of 8


def frames_at(path: str | Path, times: list[float], max_side: int) -> list[np.ndarray | None]:
    """RGB frames at `times` (seconds from the file's start, `time_origin`), scaled to `max_side`, in the
    order asked: each is the first frame at or after its time (the last one for a time past the end), None
    where it cannot be decoded. The decoder seeks to the keyframe before a wanted time only where that
    keyframe lies more than `SEEK_GAP` seconds past where it stands (else it decodes on), so a few frames
    of an hour of video cost about what their GOPs do, not a pass over the file."""
    with FrameReader(path) as reader:
        return reader(times, max_side)


class FrameReader:
    """RGB frames of one video at times asked (seconds from the file's start, `time_origin`): each is
    the first frame at or after its time, the last frame for a time past the end, None where the
    video cannot be decoded. Open while used; `close()` (or `with`) lets the file go."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        self.seeks = 0  # seeks of the decoding container (counted for tests and benchmarks)
        self._container = self._stream = self._probe = None
        self._origin = 0.0
        self._frames = None  # the decoder's frames from where it stands (None: seek before decoding)
        self._last = self._before = None  # the frame decoded last, and its time and the one before's
        self._expected: list[float] = []
        self._kept: dict[float, object] = {}
        self._broken = self._ended = False

    def __enter__(self) -> "FrameReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for container in (self._container, self._probe):
            if container is not None:
                container.close()
        self._container = self._probe = self._frames = self._last = None
        self._kept.clear()

    def sized(self, max_side: int) -> "SizedReader":
        """This reader as `fetch(times) -> frames` at one size (`expect` passes through)."""
        return SizedReader(self, max_side)

    def expect(self, times) -> None:
        """Times that will be asked for soon: the frames there are kept when the decoder passes them."""
        self._expected = sorted(set(self._expected) | {max(0.0, float(t)) for t in times})

    def __call__(self, times, max_side: int) -> list[np.ndarray | None]:
        """The frames at `times`, in the order asked, scaled to `max_side` (the long side)."""
        out: list[np.ndarray | None] = [None] * len(times)
        if not times or not self._open():
            return out
        import av

        try:
            for i in sorted(range(len(times)), key=lambda k: times[k]):
                frame = self._frame_at(max(0.0, float(times[i])))
                if frame is not None:
                    out[i] = _upright_rgb(frame, _scaled_size(frame.width, frame.height, max_side))
        except av.error.FFmpegError:
            self._frames = None  # what was decoded stands; a missing frame is None (OCR reads the sampled one)
        return out

    def _open(self) -> bool:
        if self._container is None and not self._broken:
            self._container = decode._open(self.path)
            self._stream = picture_stream(self._container)
            if self._stream is None:
                self._broken = True
                return False
            self._stream.thread_type = "AUTO"
            self._origin = time_origin(self._container)
        return self._container is not None and not self._broken

    def _frame_at(self, t: float):
        kept = self._kept.get(t)
        if kept is not None:
            return kept
        if self._last is not None and self._before is not None and self._before[1] < t and \
                (t <= self._before[0] + 1e-6 or self._ended):
            return self._last  # the frame decoded last is the first at or after t, or the video's last
        if not self._decode_on(t):
            self._frames, self._last, self._before = decode_from(self._container, self._stream, t, self._origin), None, None
            self._ended, self.seeks = False, self.seeks + 1
        for frame in self._frames:
            now = float(frame.time) - self._origin
            # the first frame after a seek: the frames before it were not seen, it stands only for its own time
            previous = self._before[0] if self._before is not None else now - 1e-6
            self._keep(previous, now, frame)
            self._last, self._before = frame, (now, previous)
            if now + 1e-6 >= t:
                return frame
        self._frames, self._ended = None, True  # the end: the last frame stands for any later time
        return self._last

    def _decode_on(self, t: float) -> bool:
        """Whether decoding on from the decoder's position reaches `t` at least about as soon as a seek."""
        if self._frames is None or self._before is None or self._before[0] > t + 1e-6:
            return False
        position = self._before[0]
        return t - position <= SEEK_GAP or self._keyframe_before(t) <= position + SEEK_GAP

    def _keyframe_before(self, t: float) -> float:
        """Where the keyframe a seek to `t` would land on lies (seconds from the file's start); read off
        a second demuxer, which reads one packet and decodes nothing."""
        import av

        try:
            if self._probe is None:
                self._probe = decode._open(self.path)
            found = keyframe_before(self._probe, picture_stream(self._probe), t, self._origin)
        except av.error.FFmpegError:
            found = None
        return t if found is None else found  # unknown: seek, as a fresh decoder would

    def _keep(self, previous: float, now: float, frame) -> None:
        """Keep `frame` for each expected time it is the first frame at or after."""
        while self._expected and self._expected[0] <= now + 1e-6:
            wanted = self._expected.pop(0)
            if wanted > previous:
                self._kept[wanted] = frame
                while len(self._kept) > KEEP_LIMIT:
                    self._kept.pop(next(iter(self._kept)))


class SizedReader:
    """A `FrameReader` at one size: `fetch(times)` and `fetch.expect(times)`."""

    def __init__(self, reader: FrameReader, max_side: int):
        self.reader, self.max_side = reader, int(max_side)

    def __call__(self, times) -> list[np.ndarray | None]:
        return self.reader(times, self.max_side)

    def expect(self, times) -> None:
        self.reader.expect(times)
