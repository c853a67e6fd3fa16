"""The lecture synthesizer: streams, timing, distinct slides, speech vs. silence."""

from __future__ import annotations

import shutil

import av
import numpy as np
import pytest

from momentsearch.errors import ConfigError
from momentsearch.testing.slides import TEMPLATES, draw_background
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


def test_slides_share_one_template_and_differ_in_their_words(lecture):
    path, sections = lecture
    first, second = ((s.start + s.end) / 2 for s in sections)
    a, b = _frame_at(path, first), _frame_at(path, second)
    changed = (np.abs(a - b).max(axis=2) > 40).mean()
    assert 0.005 < changed < 0.35, changed  # the words differ; background and title bar do not
    assert np.abs(a[:3] - b[:3]).mean() < 3  # the top of the title bar is the same colour on both
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


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_template_draws_words_and_builds(name):
    section = Section(title="Seafloor Spreading", speech="", bullets=["Magnetic stripes", "Ridges", "Trenches"])
    full = np.asarray(draw_slide(section, (320, 180), template=TEMPLATES[name], page=3), dtype=np.float32)
    other = np.asarray(draw_slide(Section("Three Boundaries", "", ["Divergent"]), (320, 180),
                                  template=TEMPLATES[name], page=4), dtype=np.float32)
    one = np.asarray(draw_slide(section, (320, 180), template=TEMPLATES[name], page=3, reveal=1), dtype=np.float32)
    assert full.std() > 10
    assert 0.003 < (np.abs(full - other).max(axis=2) > 40).mean() < 0.3  # same template, other words
    assert 0 < (np.abs(full - one).max(axis=2) > 40).mean() < 0.1  # a build adds a little ink
    background = np.asarray(draw_background(TEMPLATES[name], (320, 180)), dtype=np.float32)
    assert np.abs(background - full)[:, :, :].mean() > 0.5  # the words are drawn on the template


def test_unknown_template_scene_or_room_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="template"):
        render_lecture(tmp_path / "x.mp4", SECTIONS, template="no-such")
    with pytest.raises(ConfigError, match="scene"):
        render_lecture(tmp_path / "x.mp4", SECTIONS, scene="drone")
    with pytest.raises(ConfigError, match="room"):
        render_lecture(tmp_path / "x.mp4", SECTIONS, room="cathedral")


MIXED = [
    Section("Plate Tectonics", "The shell of the Earth is broken into plates.", ["Lithosphere", "Mantle"]),
    Section("Boundaries", "Plates pull apart, collide, or slide past.", ["Divergent", "Convergent", "Transform"],
            transition="fade", build=True, lead=0.4),
    Section("Speed", "They move as fast as fingernails grow.", slide="same"),
    Section("A Story", "Let me tell you about Iceland.", view="speaker"),
    Section("Volcanoes", "Magma rises where the crust is thin.", ["Hot spots"]),
]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    path = tmp_path_factory.mktemp("mixed") / "mixed.mp4"
    return path, render_lecture(path, MIXED, size=SIZE, fps=4, template="dev-green", fade=1.0,
                                section_keyframes=False)


def test_changes_builds_and_cut_truth(mixed):
    from momentsearch.testing.corpus import cut_truth, topic_truth

    path, sections = mixed
    assert [s.change for s in sections] == ["start", "fade", "none", "cut", "cut"]
    assert len(sections[1].builds) == 2 and sections[1].start < sections[1].builds[0] < sections[1].builds[1]
    assert sections[1].speech_start == pytest.approx(sections[1].start + 0.4, abs=1e-3)
    cuts, optional = cut_truth(sections)
    assert cuts == [sections[1].start, sections[3].start, sections[4].start]
    assert optional == sections[1].builds
    assert topic_truth(sections) == [sections[2].start]  # the topic changes, the slide stays


def test_same_slide_speaker_and_crossfade_pictures(mixed):
    path, sections = mixed
    boundaries = sections[1]
    before = _frame_at(path, boundaries.builds[1] + 0.3)
    assert np.abs(before - _frame_at(path, sections[2].start + 0.5)).mean() < 2  # topic changed, picture did not
    speaker = _frame_at(path, sections[3].start + 0.5)
    assert np.abs(speaker - before).mean() > 20  # a different shot
    a, b = _frame_at(path, boundaries.start - 1.0), _frame_at(path, boundaries.start + 0.75)
    mid = _frame_at(path, boundaries.start)  # the middle of the 1 s crossfade: between the two slides
    assert np.abs(mid - a).mean() > 0.5 and np.abs(mid - b).mean() > 0.5
    assert np.abs(mid - (a + b) / 2).mean() < min(np.abs(mid - a).mean(), np.abs(mid - b).mean())


@pytest.mark.parametrize("scene", ["camera", "screencast"])
def test_filmed_scenes_move_within_a_slide_and_show_the_slide(tmp_path, scene):
    from momentsearch.testing.scenes import make_scene
    from momentsearch.testing.slides import TEMPLATES

    path = tmp_path / f"{scene}.mp4"
    render_lecture(path, MIXED[:1] + MIXED[4:], size=(320, 180), fps=4, template="test-teal", scene=scene,
                   room="hall", section_keyframes=False)
    assert np.abs(_frame_at(path, 0.5) - _frame_at(path, 1.5)).mean() > 0.5  # never a still picture
    film = make_scene(scene, (320, 180), seed=3)
    a, b = (np.asarray(draw_slide(s, (320, 180), template=TEMPLATES["test-teal"])) for s in (MIXED[0], MIXED[4]))
    same_time = np.abs(film.frame(a, 7.0, "a").astype(float) - film.frame(b, 7.0, "b")).max(axis=2)
    assert (same_time > 30).mean() > 0.002  # the words of the slide are visible through the scene
    assert film.frame(None, 7.0).shape == (180, 320, 3)  # the speaker-only shot


def test_room_adds_reverb_tail_and_noise():
    from momentsearch.testing.acoustics import ROOMS, apply_room

    clean = np.zeros(SAMPLE_RATE * 3, dtype=np.float32)
    burst = np.random.default_rng(0).normal(0, 0.3, SAMPLE_RATE).astype(np.float32)
    clean[:SAMPLE_RATE] = burst
    wet = apply_room(clean, ROOMS["hall"], seed=1)
    assert wet.shape == clean.shape and np.abs(wet).max() <= 0.9 + 1e-6

    def rms(x):
        return float(np.sqrt(np.mean(x ** 2)))

    tail = rms(wet[SAMPLE_RATE + 320: SAMPLE_RATE + 1920])  # 0.02-0.12 s after the sound stops
    floor = rms(wet[-SAMPLE_RATE // 2:])  # long after: only the background noise
    assert tail > 2 * floor > 0  # the hall rings on, then only noise is left
    assert 10 < 20 * np.log10(rms(wet[:SAMPLE_RATE]) / floor) < 30  # about the room's 20 dB SNR


def test_a_lecture_may_name_its_frame_size(tmp_path):
    from momentsearch.testing.corpus import load_split

    section = '[[lecture.section]]\ntitle = "T"\nspeech = "Some words."\n'
    (tmp_path / "s.toml").write_text(f'[[lecture]]\nname = "hd"\nsize = [1280, 720]\n{section}'
                                     f'[[lecture]]\nname = "sd"\n{section}')
    hd, sd = load_split(tmp_path / "s.toml")
    assert hd.render["size"] == (1280, 720) and "size" not in sd.render  # sd renders at the default, as before
    # a split may name one size for all its lectures; a lecture's own still wins
    (tmp_path / "w.toml").write_text(f'size = [960, 540]\n[[lecture]]\nname = "hd"\nsize = [1280, 720]\n{section}'
                                     f'[[lecture]]\nname = "split"\n{section}')
    hd, split = load_split(tmp_path / "w.toml")
    assert hd.render["size"] == (1280, 720) and split.render["size"] == (960, 540)


def test_benchmark_splits_are_valid_and_disjoint():
    from pathlib import Path

    from momentsearch.testing.corpus import check_queries, load_split

    folder = Path(__file__).resolve().parents[1] / "scripts" / "lectures"
    splits = {name: load_split(folder / f"{name}.toml") for name in ("dev", "test") if (folder / f"{name}.toml").is_file()}
    assert "dev" in splits
    for lectures in splits.values():
        assert check_queries(lectures) == []
        assert all(q for lec in lectures for q in lec.queries if q)
    if "test" in splits:  # test is rendered from other text, templates and voices
        def used(key):
            return [{lec.render.get(key) for lec in splits[s]} for s in ("dev", "test")]
        for key in ("template", "voice"):
            dev, test = used(key)
            assert not dev & test, key
        dev_text = {s.speech for lec in splits["dev"] for s in lec.sections}
        assert not dev_text & {s.speech for lec in splits["test"] for s in lec.sections}


def _longest_quiet(audio: np.ndarray) -> float:
    """Seconds of the longest run of quiet samples (|x| <= 0.01) in a clip."""
    quiet = np.concatenate([[0], (np.abs(audio) <= 0.01).astype(np.int8), [0]])
    edges = np.flatnonzero(np.diff(quiet))
    return float((edges[1::2] - edges[::2]).max(initial=0)) / SAMPLE_RATE


def test_a_speaker_can_stop_to_think_after_a_sentence_and_run_on_into_the_next_section(tmp_path):
    from momentsearch.testing.synth import speak

    text = "Glaciers flow downhill. They carry rocks & sand. Then they melt."
    plain, paused = speak(text), speak(text, pauses=[0.0, 1.6])
    assert _longest_quiet(plain) < 0.6 and 1.45 < _longest_quiet(paused) < 1.9  # "&" is no markup error
    assert paused.size / SAMPLE_RATE == pytest.approx(plain.size / SAMPLE_RATE + 1.6 - _longest_quiet(plain), abs=0.4)
    # a tail replaces the render's gap for one section: the next section's speech follows at once
    sections = [Section("One", "First we look at ice.", tail=0.1), Section("Two", "Then at water.", lead=0.05)]
    rendered = render_lecture(tmp_path / "run_on.mp4", sections, size=SIZE, fps=5, gap=0.8)
    assert rendered[1].speech_start - rendered[0].speech_end < 0.4  # 0.1 + 0.05, rounded up to a frame
    assert rendered[1].end - rendered[1].speech_end >= 0.8 - 1e-6


def test_benchmark_lectures_pause_like_lecturers_and_keep_what_a_split_gives(tmp_path):
    from momentsearch.testing.corpus import RUN_ON, THINK, load_split

    speech = "One thing. Another thing. A third thing. A fourth thing."
    body = "".join(f'[[lecture.section]]\ntitle = "T{i}"\nspeech = "{speech}"\n' for i in range(40))
    (tmp_path / "s.toml").write_text(f'[[lecture]]\nname = "talk"\n{body}')
    first, again = load_split(tmp_path / "s.toml"), load_split(tmp_path / "s.toml")
    sections = first[0].sections
    assert [s.pauses for s in sections] == [s.pauses for s in again[0].sections]  # drawn once per lecture
    assert all(len(s.pauses) == 3 for s in sections)
    thinking = [p for s in sections for p in s.pauses if p > 0]
    run_on = [s for s in sections if s.tail is not None]
    assert 0.3 * THINK * 120 < len(thinking) < 2 * THINK * 120 and all(0.6 <= p <= 2.0 for p in thinking)
    assert 0.4 * RUN_ON * 39 < len(run_on) < 1.6 * RUN_ON * 39
    for before, after in zip(sections, sections[1:]):
        if before.tail is not None:
            assert before.tail <= 0.3 and after.lead <= 0.2
    # what a split file says stays: its pauses, and a lead it gives is never run across
    (tmp_path / "g.toml").write_text('[[lecture]]\nname = "given"\n'
                                     + "".join(f'[[lecture.section]]\ntitle = "T{i}"\nspeech = "{speech}"\n'
                                               f'lead = 0.7\npauses = [0.0, 1.0, 0.0]\n' for i in range(10)))
    given = load_split(tmp_path / "g.toml")[0].sections
    assert all(s.pauses == [0.0, 1.0, 0.0] and s.lead == 0.7 and s.tail is None for s in given)
