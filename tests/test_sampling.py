"""Sampling with keyframes first (`sampling.skip_still`, pipeline/sampling.py): the samples and the cuts
are those of decoding every frame, and still stretches are really left undecoded. Videos are made here
(one-template slides drawn with the benchmark's slide renderer, H.264 with a keyframe every 4 s)."""

from __future__ import annotations

import numpy as np
import pytest

FPS = 10
GOP = 40  # frames: a keyframe every 4 s
CHANGES = (9.3, 21.7, 30.2)  # seconds; slide changes, none on a keyframe


def _slides(size=(320, 180)) -> list[np.ndarray]:
    from momentsearch.testing.slides import draw_slide, template_named
    from momentsearch.testing.synth import Section

    template = template_named(None)
    titles = ["Where the data lives", "Caching layers", "Write-back policies", "Questions"]
    return [np.asarray(draw_slide(Section(t, "", bullets=[f"point {i} of {t}", "another line"]), size,
                                  template=template, page=i + 1).convert("RGB")) for i, t in enumerate(titles)]


def _encode(path, pictures, gop: int = GOP, codec: str = "libx264") -> None:
    import av

    h, w = pictures[0].shape[:2]
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream(codec, rate=FPS)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.codec_context.gop_size = gop
        stream.options = {"sc_threshold": "0"} if codec == "mpeg4" else {  # keyframes only every `gop` frames
            "preset": "veryfast", "sc_threshold": "0"}
        for i, picture in enumerate(pictures):
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


def _slide_show(seconds: float = 40.0, moving_from: float | None = None, moving_until: float = 1e9,
                ) -> list[np.ndarray]:
    """Frames of the slides changing at CHANGES; from `moving_from` to `moving_until`, a box moves across
    every frame."""
    slides = _slides()
    out = []
    for i in range(int(seconds * FPS)):
        t = i / FPS
        picture = slides[sum(t >= c for c in CHANGES)].copy()
        if moving_from is not None and moving_from <= t < moving_until:
            x = int(i * 3) % (picture.shape[1] - 40)
            picture[120:160, x:x + 40] = (200, 30, 30)
        out.append(picture)
    return out


@pytest.fixture(scope="module")
def slide_video(tmp_path_factory):
    path = tmp_path_factory.mktemp("sampling") / "slides.mp4"
    _encode(path, _slide_show())
    return path


def _both(path, **kwargs):
    from momentsearch.pipeline.decode import iter_frames
    from momentsearch.pipeline.sampling import iter_frames_guided

    stats: dict = {}
    full = list(iter_frames(path, 1.0, 320, True, False))
    guided = list(iter_frames_guided(path, 1.0, 320, True, False, stats=stats, **kwargs))
    return full, guided, stats


def test_still_stretches_are_skipped_and_the_samples_stay_the_same(slide_video):
    from momentsearch.pipeline.keyframes import detect_segments
    from momentsearch.pipeline.sampling import keyframe_spacing

    assert keyframe_spacing(slide_video) == pytest.approx(GOP / FPS)
    full, guided, stats = _both(slide_video)
    # 10 keyframes, 9 stretches between them: the 3 with a slide change decoded, the 6 others not
    assert stats["guided"] and stats["keyframes"] == 10
    assert stats["decoded"] == len(CHANGES) and stats["still"] == 9 - len(CHANGES)
    assert [f.time for f in guided] == pytest.approx([f.time for f in full], abs=1.0 / FPS)
    for a, b in zip(full, guided):  # a still stretch's samples are its keyframe: the same picture
        assert np.abs(a.image.astype(int) - b.image.astype(int)).mean() < 2.0
    cuts = [[round(s.start, 2) for s in detect_segments(iter(frames), 40.0)][1:] for frames in (full, guided)]
    assert cuts[0] == cuts[1]
    assert cuts[1] == pytest.approx(CHANGES, abs=1.0)


def test_mpeg4_part_2_is_sampled_the_same_way(tmp_path):
    from momentsearch.pipeline.keyframes import detect_segments

    path = tmp_path / "mpeg4.mp4"
    _encode(path, _slide_show(), codec="mpeg4")
    full, guided, stats = _both(path)
    assert stats["guided"] and stats["still"] >= 5
    cuts = [[round(s.start, 2) for s in detect_segments(iter(frames), 40.0)][1:] for frames in (full, guided)]
    assert cuts[0] == cuts[1] and cuts[1] == pytest.approx(CHANGES, abs=1.0)


def test_a_picture_that_never_stays_still_is_decoded_whole(tmp_path):
    path = tmp_path / "moving.mp4"
    _encode(path, _slide_show(seconds=60.0, moving_from=0.0))
    full, guided, stats = _both(path)
    # after GIVE_UP moving stretches (32 s) it decoded on for as long again without keyframes, to the end
    assert stats["still"] == 0 and stats["decoded"] == 8 and stats["paused"] == 1 and stats["keyframes"] == 9
    assert [f.time for f in guided] == [f.time for f in full]
    assert all(np.array_equal(a.image, b.image) for a, b in zip(full, guided))


def test_after_a_moving_while_still_stretches_are_found_again(tmp_path):
    from momentsearch.pipeline.keyframes import detect_segments

    path = tmp_path / "moving_then_still.mp4"
    _encode(path, _slide_show(seconds=120.0, moving_from=0.0, moving_until=40.0))
    full, guided, stats = _both(path)
    # moving to 40 s: 8 stretches decoded (to 32 s), then 32 s without keyframes (to 64 s), then the
    # keyframe at 64 s and 13 still stretches after it
    assert stats["paused"] == 1 and stats["decoded"] == 8 and stats["still"] == 13
    assert [f.time for f in guided] == pytest.approx([f.time for f in full], abs=1.0 / FPS)
    cuts = [[round(s.start, 2) for s in detect_segments(iter(frames), 120.0)] for frames in (full, guided)]
    assert cuts[0] == cuts[1]


@pytest.mark.parametrize("gop", [1, 400])
def test_keyframes_too_close_or_too_far_apart_mean_a_plain_decode(tmp_path, gop):
    path = tmp_path / f"gop{gop}.mp4"
    _encode(path, _slide_show(), gop=gop)
    full, guided, stats = _both(path)
    assert not stats["guided"]
    assert [f.time for f in guided] == [f.time for f in full]
    assert all(np.array_equal(a.image, b.image) for a, b in zip(full, guided))


def test_indexing_samples_this_way_unless_told_not_to(slide_video, monkeypatch):
    from momentsearch.options import SamplingOptions
    from momentsearch.pipeline import sampling

    calls = []
    monkeypatch.setattr(sampling, "iter_frames_guided", lambda *a, **k: calls.append("guided") or iter([]))
    monkeypatch.setattr(sampling, "iter_frames", lambda *a, **k: calls.append("every frame") or iter([]))
    sampling.sample_frames(slide_video, SamplingOptions())
    sampling.sample_frames(slide_video, SamplingOptions(skip_still=False))
    assert calls == ["guided", "every frame"]


def test_damaged_data_yields_what_a_plain_decode_yields(slide_video, tmp_path):
    from momentsearch.pipeline.decode import iter_frames

    data = bytearray(slide_video.read_bytes())  # the media data garbled a tenth of the way in
    for i in range(len(data) // 10, len(data) // 10 + len(data) // 3, 7):
        data[i] = (data[i] * 31 + 7) % 256
    path = tmp_path / "garbled.mp4"
    path.write_bytes(bytes(data))
    plain = list(iter_frames(path, 1.0, 320, True, False))
    full, guided, stats = _both(path)
    assert stats["damaged"]  # a decode error met on the guided path ...
    assert 0 < len(plain) < len(_both(slide_video)[0])  # ... where a plain decode salvages part of the video
    assert [f.time for f in guided] == [f.time for f in plain]


def test_a_slide_shown_between_two_keyframes_of_one_picture_is_not_skipped(tmp_path):
    """A recap slide before and after a slide that lasts less than a keyframe stretch: the keyframes at both
    ends show the recap, yet the slide between them is sampled and cut as a full decode cuts it (x264 does
    not always start a slide of one template with a keyframe: slides of one deck look alike to it)."""
    from momentsearch.pipeline.keyframes import detect_segments

    recap, middle = _slides()[:2]
    pictures = [middle if 13.0 <= i / FPS < 17.0 else recap for i in range(30 * FPS)]
    path = tmp_path / "recap.mp4"
    _encode(path, pictures, gop=100)  # keyframes at 0, 10 and 20 s, all showing the recap
    full, guided, stats = _both(path)
    assert stats["guided"] and stats["keyframes"] == 3
    assert stats["still"] == 1 and stats["decoded"] == 1  # 0-10 s still; 10-20 s holds the middle slide: decoded
    cuts = [[round(s.start, 2) for s in detect_segments(iter(frames), 30.0)][1:] for frames in (full, guided)]
    assert cuts[1] == cuts[0] and cuts[1] == pytest.approx([13.0, 17.0], abs=1.0)
