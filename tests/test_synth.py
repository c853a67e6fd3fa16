"""The lecture synthesizer: streams, timing, distinct slides, speech vs. silence."""

from __future__ import annotations

import shutil

import av
import numpy as np
import pytest

from momentsearch.testing.synth import SAMPLE_RATE, Section, draw_slide, render_lecture

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")

SECTIONS = [
    Section(title="Cell Biology", speech="Cells are the basic units of life.", bullets=["Membranes", "Nuclei"]),
    Section(title="Project Roadmap", speech="Here is the roadmap for next year.", chart="timeline"),
]
SIZE = (320, 180)


@pytest.fixture(scope="module")
def lecture(tmp_path_factory):
    path = tmp_path_factory.mktemp("synth") / "lecture.mp4"
    return path, render_lecture(path, SECTIONS, size=SIZE, fps=5, gap=0.8)


def _frame_at(path, t: float) -> np.ndarray:
    with av.open(str(path)) as c:
        for frame in c.decode(video=0):
            if frame.time >= t:
                return frame.to_ndarray(format="rgb24").astype(np.float32)
    raise AssertionError(f"no frame at {t}s")


def test_streams_and_duration(lecture):
    path, sections = lecture
    assert [s.title for s in sections] == [s.title for s in SECTIONS]
    assert sections[0].start == 0.0
    assert sections[0].end == pytest.approx(sections[1].start)
    total = sum(s.end - s.start for s in sections)
    with av.open(str(path)) as c:
        assert len(c.streams.video) == 1 and len(c.streams.audio) == 1
        assert c.streams.video[0].codec_context.name == "h264"
        assert (c.streams.video[0].width, c.streams.video[0].height) == SIZE
        assert c.duration / 1e6 == pytest.approx(total, abs=0.3)
        keyframes = [float(p.pts * p.time_base) for p in c.demux(video=0) if p.pts is not None and p.is_keyframe]
    for s in sections:  # every section starts on a keyframe
        assert any(abs(k - s.start) < 1e-6 for k in keyframes)


def test_slides_differ_between_sections(lecture):
    path, sections = lecture
    first, second = ((s.start + s.end) / 2 for s in sections)
    a, b = _frame_at(path, first), _frame_at(path, second)
    assert np.abs(a - b).mean() > 20
    # ...and the slide is steady within a section (the change happens at the boundary)
    assert np.abs(a - _frame_at(path, sections[0].start + 0.2)).mean() < 3
    assert np.abs(b - _frame_at(path, sections[1].start)).mean() < 3


def test_audio_loud_in_speech_silent_in_gaps(lecture):
    path, sections = lecture
    with av.open(str(path)) as c:
        assert c.streams.audio[0].codec_context.sample_rate == SAMPLE_RATE
        audio = np.concatenate([f.to_ndarray().reshape(-1) for f in c.decode(audio=0)])

    def rms(t0: float, t1: float) -> float:
        return float(np.sqrt(np.mean(audio[int(t0 * SAMPLE_RATE): int(t1 * SAMPLE_RATE)] ** 2)))

    for s in sections:
        assert s.start < s.speech_end < s.end
        assert s.end - s.speech_end >= 0.8 - 1e-6
        assert rms(s.start, s.speech_end) > 0.03
        assert rms(s.start, s.start + 0.3) > 0.01  # speech starts with the slide
        assert rms(s.speech_end + 0.05, s.end - 0.02) < 1e-3


def test_video_only(tmp_path):
    path = tmp_path / "silent.mp4"
    sections = render_lecture(path, [Section(title="Only Pictures", speech="", min_seconds=1.0, chart="bar")],
                              size=SIZE, audio=False)
    assert sections[0].end == pytest.approx(1.0)
    assert sections[0].speech_end == sections[0].start
    with av.open(str(path)) as c:
        assert len(c.streams.audio) == 0 and len(c.streams.video) == 1


@pytest.mark.parametrize("chart", [None, "timeline", "bar", "pie", "line", "photo"])
def test_draw_slide_every_chart(chart):
    img = draw_slide(Section(title="A Title", speech="", bullets=["one", "two"], chart=chart), size=(320, 180))
    arr = np.asarray(img)
    assert img.size == (320, 180) and arr.std() > 10
