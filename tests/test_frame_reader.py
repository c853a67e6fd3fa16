"""One decoder serves a video's many frame requests while it is indexed (pipeline/frame_reader.py).

Recorders often put keyframes minutes apart, or only one at the start; slide OCR then asks for frames
a few at a time. The reader must hand back the same frames a fresh decoder gives, decode on where
no keyframe lies between it and the next wanted time (not from the far keyframe again for every
request), keep the frames it is told will be wanted next, and still seek where keyframes are near.
Videos are made here: frame i is grey level 4 * (i % 60), so a picture says which frame it is.
"""

from __future__ import annotations

import numpy as np
import pytest

from fakes import counting_video

FPS = 10


def _video(path, seconds: float, gop_frames: int) -> None:
    counting_video(path, seconds, fps=FPS, gop=gop_frames, size=(160, 96))


def _keyframes(path) -> int:
    import av

    with av.open(str(path)) as c:
        return sum(1 for p in c.demux(c.streams.video[0]) if p.is_keyframe and p.pts is not None)


def _index_of(image) -> int:
    return int(round(float(np.asarray(image).mean()) / 4))


def _expected(t: float) -> int:
    return int(np.ceil(t * FPS - 1e-6)) % 60  # the first frame at or after t


@pytest.fixture
def counted(monkeypatch):
    """Frames decoded, over every container the reader opens."""
    from momentsearch.pipeline import decode

    decoded = []
    real_open = decode._open

    class Counting:
        def __init__(self, container):
            self.container = container

        def decode(self, *args, **kwargs):
            for frame in self.container.decode(*args, **kwargs):
                decoded.append(frame.time)
                yield frame

        def __getattr__(self, name):
            return getattr(self.container, name)

    monkeypatch.setattr(decode, "_open", lambda p: Counting(real_open(p)))
    return decoded


def test_one_keyframe_video_is_decoded_once_for_requests_in_time_order(tmp_path, counted):
    """A 30 s video with a single keyframe, asked as slide OCR asks: a batch's keyframe times (told the
    moments it will read next), then those moments, then a time behind. Before the reader, every
    request more than 5 s ahead decoded from the start again: ~1100 frames for these nine."""
    from momentsearch.pipeline.frame_reader import frames_at
    from momentsearch.pipeline.frame_reader import FrameReader

    path = tmp_path / "one_keyframe.mp4"
    _video(path, 30.0, gop_frames=10_000)
    assert _keyframes(path) == 1
    first, later = [0.0, 6.0, 12.0, 18.0, 24.0], [3.05, 9.05, 15.05, 21.05]
    with FrameReader(path) as reader:
        reader.expect(later)
        got = reader(first, 160) + reader(later, 160)
        assert len(counted) <= 24 * FPS + 2 and reader.seeks == 1, (len(counted), reader.seeks)
        behind = reader([7.5], 160)[0]  # behind the decoder: one seek, the right frame
        assert reader.seeks == 2
    assert [_index_of(im) for im in got] == [_expected(t) for t in first + later]
    assert _index_of(behind) == _expected(7.5)
    fresh = [frames_at(path, [t], 160)[0] for t in first + later]  # what a decoder of its own gives
    assert all(np.array_equal(a, b) for a, b in zip(got, fresh))


def test_near_keyframes_are_still_sought(tmp_path, counted):
    """A keyframe every second: a time 20 s or 9 s ahead is reached by a seek, not by decoding on; a
    time past the end is the last frame, decoded already."""
    from momentsearch.pipeline.frame_reader import FrameReader

    path = tmp_path / "gop1.mp4"
    _video(path, 30.0, gop_frames=FPS)
    with FrameReader(path) as reader:
        images = reader([1.0, 21.0, 21.0, 29.95, 40.0], 160)
        assert reader.seeks == 3 and len(counted) < 60, (reader.seeks, len(counted))
    assert [_index_of(im) for im in images] == [_expected(t) for t in (1.0, 21.0, 21.0)] + [299 % 60] * 2


def test_slide_reads_tell_the_reader_which_moments_come_next():
    """A lasting picture whose read looks cut is read again at moments of its time on screen: the
    fetch is told those moments before it fetches the batch's keyframes."""
    from momentsearch.options import OcrOptions
    from momentsearch.pipeline.ocr import read_slides
    from momentsearch.types import VisualSegment

    class Fetch:
        def __init__(self):
            self.expected, self.asked = [], []

        def expect(self, times):
            self.expected.append(sorted(times))

        def __call__(self, times):
            self.asked.append(sorted(times))
            return [np.full((96, 160, 3), 10 * (k + 1), dtype=np.uint8) for k in range(len(times))]

    class CutReads:  # every read looks cut (a line starting mid-word), so each picture is read again
        def read(self, images):
            return [[_line("tic: facts")] for _ in images]

    fetch = Fetch()
    shown = [VisualSegment(0.0, 12.0, 1.0, np.zeros((48, 80, 3), np.uint8)),
             VisualSegment(12.0, 30.0, 13.0, np.full((48, 80, 3), 200, np.uint8))]
    read_slides(CutReads(), shown, OcrOptions(), fetch)
    assert fetch.expected and fetch.asked[0] == [1.0, 13.0]
    assert fetch.expected[0] == sorted(t for times in fetch.asked[1:] for t in times), (fetch.expected, fetch.asked)


def _line(text: str):
    from momentsearch.models.ocr import OcrLine

    return OcrLine(text=text, confidence=0.95, box_height=20.0, box_width=120.0, top=10.0, left=10.0, image_height=96)


@pytest.mark.parametrize("gop_seconds,frame", [(40, 40 * FPS), (1, 54 * FPS)])
def test_a_thumbnail_far_from_its_keyframe_is_the_keyframe_inside_its_segment(tmp_path, gop_seconds, frame):
    """The web page's thumbnail of a segment (38-70 s) is the frame at its middle (54 s). With keyframes
    40 s apart that frame is reached only by decoding 14 s from the keyframe at 40 s, which lies inside the
    segment: that keyframe is the thumbnail. With a keyframe every second, the middle, as before."""
    from momentsearch.server.media import frame_jpeg

    path = tmp_path / f"gop{gop_seconds}.mp4"
    _video(path, 80.0, gop_frames=gop_seconds * FPS)
    assert _index_of(_jpeg_grey(frame_jpeg(str(path), 54.0, span=(38.0, 70.0)))) == frame % 60
    assert _index_of(_jpeg_grey(frame_jpeg(str(path), 54.0))) == (54 * FPS) % 60  # no span: the middle


def _jpeg_grey(data: bytes) -> np.ndarray:
    import io

    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(data)).convert("L"), dtype=float)
