"""Slide / shot change detection on rendered frames, one test per recording condition.

Frames are drawn here with Pillow the way a 1 fps sampler sees real material: every slide of a deck
in one template (same background and title bar, only the words change), JPEG compression and noise,
a lecture-hall camera view (perspective, low contrast, shake, a lecturer walking in front), a
screencast with a webcam tile, crossfades and builds. Each test checks the cuts found against the
true slide changes at ±1 s (the issue's metric), both ways: every change found, nothing else cut.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from momentsearch.options import KeyframeOptions
from momentsearch.pipeline.keyframes import detect_segments
from momentsearch.testing.synth import Section, draw_slide
from momentsearch.types import SampledFrame

SIZE = (320, 180)  # what the sampler decodes (sampling.max_side 320)
TOLERANCE = 1.0  # seconds

DECK = [
    Section("Error handling", "", ["Exceptions carry the problem upward", "Handlers match by type",
                                   "Finally blocks always run"]),
    Section("Division by zero", "", ["Raised by integer division", "Caught like any other error"]),
    Section("Offline sync", "", ["Queue writes while offline", "Replay them on reconnect", "Resolve conflicts"]),
    Section("Offline sync", "", ["Conflicts: last writer wins", "Or merge field by field", "Resolve conflicts"]),
    Section("Retry budgets", "", ["Back off exponentially", "Cap the total wait"]),
    Section("Summary", "", ["Fail loudly", "Retry with a budget", "Sync when back online"]),
]
DURATIONS = [11.3, 9.6, 12.2, 8.7, 10.4, 9.0]  # seconds per slide: changes fall between samples


def slide_images(deck=DECK, template_seed: int | None = 0) -> list[np.ndarray]:
    """One template for the whole deck (seed fixed), or a new look per slide (seed None: the old renderer)."""
    return [np.asarray(draw_slide(s, SIZE, seed=template_seed if template_seed is not None else i))
            for i, s in enumerate(deck)]


def timeline(durations=DURATIONS) -> tuple[list[float], list[float]]:
    starts = list(np.cumsum([0.0] + list(durations)))
    return starts[:-1], starts[1:-1]  # slide start times, true cuts


def jpeg(img: np.ndarray, quality: int = 35) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def noisy(img: np.ndarray, rng, sigma: float) -> np.ndarray:
    return np.clip(img + rng.normal(0, sigma, img.shape), 0, 255).astype(np.uint8)


def _perspective_coeffs(dst_quad, src_quad):
    """PIL PERSPECTIVE coefficients mapping output points (dst) back to input points (src)."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst_quad, src_quad):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    return np.linalg.solve(np.array(rows, float), np.array(rhs, float)).tolist()


def camera_view(slide: np.ndarray, t: float, rng) -> np.ndarray:
    """The slide projected on a screen, filmed from the back of a dim hall: perspective, low contrast,
    a lecturer walking in front, hand-held shake, sensor noise and compression."""
    w, h = SIZE
    dim = (90 + slide.astype(np.float32) * (80 / 255)).astype(np.uint8)  # washed-out projection
    quad = [(52, 22), (268, 30), (262, 146), (58, 150)]  # screen corners in the camera frame
    coeffs = _perspective_coeffs(quad, [(0, 0), (w, 0), (w, h), (0, h)])
    room = Image.new("RGB", SIZE, (38, 36, 40))
    d = ImageDraw.Draw(room)
    d.rectangle([0, 150, w, h], fill=(55, 45, 40))  # desks
    screen = Image.fromarray(dim).transform(SIZE, Image.PERSPECTIVE, coeffs, Image.BILINEAR)
    mask = Image.new("L", SIZE, 0)
    ImageDraw.Draw(mask).polygon(quad, fill=255)
    room.paste(screen, (0, 0), mask)
    d = ImageDraw.Draw(room)
    x = 40 + (t * 23) % 240  # the lecturer walks across, and again
    d.ellipse([x - 9, 60, x + 9, 80], fill=(70, 55, 50))  # head
    d.rectangle([x - 16, 80, x + 16, 170], fill=(30, 34, 60))  # body
    d.rectangle([x - 24 + 8 * np.sin(t), 90, x - 16, 130], fill=(30, 34, 60))  # a waving arm
    img = np.asarray(room)
    dy, dx = rng.integers(-3, 4, 2)  # shake
    img = np.roll(img, (int(dy), int(dx)), axis=(0, 1))
    return jpeg(noisy(img, rng, 5.0), 40)


def webcam(img: np.ndarray, t: float, rng) -> np.ndarray:
    """A webcam tile in the bottom-right corner: a head that keeps moving on a noisy background."""
    out = Image.fromarray(img.copy())
    tile = Image.fromarray(rng.integers(60, 110, (54, 72, 3), dtype=np.uint8))
    d = ImageDraw.Draw(tile)
    cx, cy = 36 + 9 * np.sin(1.7 * t), 30 + 5 * np.cos(2.3 * t)
    d.ellipse([cx - 14, cy - 18, cx + 14, cy + 18], fill=(200, 160, 130))
    d.rectangle([cx - 22, cy + 16, cx + 22, 54], fill=(40, 70, 120))
    d.line([cx - 6, cy - 4, cx - 2, cy - 4], fill=(20, 20, 20), width=2)  # eyes and a mouth that move
    d.line([cx + 3, cy - 4, cx + 7, cy - 4], fill=(20, 20, 20), width=2)
    d.line([cx - 5, cy + 8 + 2 * np.sin(5 * t), cx + 5, cy + 8], fill=(120, 40, 40), width=2)
    out.paste(tile, (SIZE[0] - 78, SIZE[1] - 60))
    return np.asarray(out)


def sample(picture_at, duration: float, fps: float = 1.0) -> list[SampledFrame]:
    return [SampledFrame(float(t), picture_at(float(t))) for t in np.arange(0.0, duration, 1.0 / fps)]


def slide_at(starts, t: float) -> int:
    return int(np.searchsorted(starts, t, side="right") - 1)


def cut_scores(found: list[float], truth: list[float], tolerance: float = TOLERANCE) -> tuple[float, float]:
    """(precision, recall) of found cuts against true ones, one-to-one within ±tolerance."""
    unmatched = list(truth)
    hits = 0
    for t in found:
        near = [u for u in unmatched if abs(u - t) <= tolerance]
        if near:
            unmatched.remove(min(near, key=lambda u: abs(u - t)))
            hits += 1
    return hits / max(len(found), 1), hits / max(len(truth), 1)


def cuts_of(frames, duration) -> list[float]:
    return [s.start for s in detect_segments(frames, duration)[1:] if not s.forced]


@pytest.fixture(scope="module")
def deck():
    return slide_images()


def test_same_template_slides_are_cut_through_compression(deck):
    rng = np.random.default_rng(1)
    starts, truth = timeline()
    frames = sample(lambda t: jpeg(noisy(deck[slide_at(starts, t)], rng, 2.0)), sum(DURATIONS))
    found = cuts_of(frames, sum(DURATIONS))
    assert cut_scores(found, truth) == (1.0, 1.0), (found, truth)


def test_old_renderer_with_a_colour_per_slide_still_cuts():
    slides = slide_images(template_seed=None)
    starts, truth = timeline()
    frames = sample(lambda t: slides[slide_at(starts, t)], sum(DURATIONS))
    assert cut_scores(cuts_of(frames, sum(DURATIONS)), truth) == (1.0, 1.0)


def test_camera_view_with_a_lecturer_walking_in_front_and_shake(deck):
    rng = np.random.default_rng(2)
    starts, truth = timeline()
    frames = sample(lambda t: camera_view(deck[slide_at(starts, t)], t, rng), sum(DURATIONS))
    found = cuts_of(frames, sum(DURATIONS))
    precision, recall = cut_scores(found, truth)
    # this view is harsher than the benchmark's camera (the lecturer crosses the text every few
    # seconds, shake of +-3 px a frame): nothing false is cut, and the changes the lecturer does not
    # cover while they happen are found (the benchmark's dev camera lectures measure recall: F1 0.9+)
    assert precision == 1.0 and recall >= 0.4, (found, truth)


def test_camera_view_of_one_slide_is_never_cut(deck):
    """Only the lecturer, shake and noise change: nothing to cut (but the periodic split)."""
    rng = np.random.default_rng(3)
    frames = sample(lambda t: camera_view(deck[2], t, rng), 50.0)
    assert cuts_of(frames, 50.0) == []


@pytest.mark.parametrize("seed", [1, 4])
def test_a_cut_from_the_projected_slide_to_the_lecturer_and_back(deck, seed):
    """The camera director cuts to a close shot of the lecturer for questions, then back: both cuts
    are found within a second, though the block comparison (aligning unrelated shots, masking what
    moves) sees little. (The walking lecturer still causes an occasional false cut in this harsh
    synthetic view, e.g. at 12.5 s with seed 4: the benchmark's camera lectures measure that.)"""
    from momentsearch.testing.scenes import make_scene

    scene = make_scene("camera", SIZE, seed=seed)
    frames = sample(lambda t: scene.frame(None if 30 <= t < 55 else deck[1], t, key=1), 80.0)
    found = cuts_of(frames, 80.0)
    assert any(abs(t - 30) <= 1.0 for t in found) and any(abs(t - 55) <= 1.0 for t in found), found


def test_screencast_with_a_moving_webcam_tile(deck):
    rng = np.random.default_rng(4)
    starts, truth = timeline()
    frames = sample(lambda t: jpeg(webcam(deck[slide_at(starts, t)], t, rng)), sum(DURATIONS))
    found = cuts_of(frames, sum(DURATIONS))
    assert cut_scores(found, truth) == (1.0, 1.0), (found, truth)


CAPTIONS = [" ".join(w) for w in np.array_split((
    "so the point here is that every handler matches by type and the runtime walks up the stack until one "
    "of them accepts the error then the finally blocks run on the way out of each frame we left").split(), 5)]


def captioned(img: np.ndarray, t: float, period: float, boxed: bool) -> np.ndarray:
    """Burned-in subtitles (open captions): the next line of speech every `period` s at the bottom,
    white on a black box or outlined in black."""
    from momentsearch.testing.slides import _font

    out = Image.fromarray(img.copy())
    d = ImageDraw.Draw(out)
    text, font = CAPTIONS[int(t // period) % len(CAPTIONS)], _font(None, 11)
    x, y = (SIZE[0] - d.textlength(text, font=font)) / 2, SIZE[1] - 22
    if boxed:
        d.rectangle([x - 4, y - 2, SIZE[0] - x + 4, y + 14], fill=(0, 0, 0))
    else:
        for dx, dy in ((-1, -1), (-1, 1), (1, -1), (1, 1)):
            d.text((x + dx, y + dy), text, fill=(0, 0, 0), font=font)
    d.text((x, y), text, fill=(255, 255, 255), font=font)
    return np.asarray(out)


@pytest.mark.parametrize("period,boxed,tile", [(2.0, True, False), (3.0, False, False), (3.0, True, True)])
def test_burned_in_captions_are_not_cut(deck, period, boxed, tile):
    """A new caption line every 2-3 s replaces the strokes of a band at the bottom, each for a few samples:
    it was cut as a slide change (17 cuts for 5 changes), and the changes it hid were missed. Once the
    band has changed twice it is masked; the slide changes are still all found, and nothing else."""
    rng = np.random.default_rng(7)
    starts, truth = timeline()

    def picture(t: float) -> np.ndarray:
        img = deck[slide_at(starts, t)]
        img = webcam(img, t, rng) if tile else img
        return jpeg(captioned(noisy(img, rng, 2.0), t, period, boxed), 50)

    found = cuts_of(sample(picture, sum(DURATIONS)), sum(DURATIONS))
    assert cut_scores(found, truth) == (1.0, 1.0), (found, truth)


def test_a_crossfade_is_one_cut_half_way(deck):
    starts, truth = timeline()
    fade = 1.2  # seconds; the blend is centred on the true change

    def picture(t: float) -> np.ndarray:
        i = slide_at(starts, t)
        for j, cut in enumerate(truth):
            if abs(t - cut) < fade / 2:
                a = (t - cut + fade / 2) / fade
                return (deck[j] * (1 - a) + deck[j + 1] * a).astype(np.uint8)
        return deck[i]

    frames = sample(picture, sum(DURATIONS), fps=1.0)
    found = cuts_of(frames, sum(DURATIONS))
    assert cut_scores(found, truth) == (1.0, 1.0), (found, truth)


@pytest.mark.parametrize("shown", [2.2, 2.6, 2.9])
def test_a_picture_shown_for_two_samples_keeps_the_cut_out_of_it(deck, shown):
    """A chapter card (or any picture) on screen for only two samples between two slides: both cuts,
    into it and out of it. The samples that showed the new picture before its cut was decided stay
    its recent pictures, so the next sample is compared with them and not taken in as the latest one
    (the cut out of the card was lost)."""
    card = np.asarray(draw_slide(Section("Part two", "", []), SIZE, seed=0))
    rng = np.random.default_rng(8)
    starts = [0.0, 11.3, 11.3 + shown]
    truth = starts[1:]

    def picture(t: float) -> np.ndarray:
        return jpeg(noisy([deck[0], card, deck[1]][slide_at(starts, t)], rng, 2.0))

    found = cuts_of(sample(picture, 26.0), 26.0)
    assert cut_scores(found, truth) == (1.0, 1.0), (found, truth)


def test_builds_are_one_segment_whose_keyframe_is_the_full_slide():
    """Bullets revealed one at a time are one slide (documented decision): no cut, but each step is a
    view of its own, and the keyframe is the last, fullest frame."""
    full = DECK[0]
    steps = [np.asarray(draw_slide(Section(full.title, "", full.bullets[:k]), SIZE, seed=0)) for k in range(1, 4)]
    nxt = np.asarray(draw_slide(DECK[4], SIZE, seed=0))
    pictures = [steps[0]] * 6 + [steps[1]] * 6 + [steps[2]] * 6 + [nxt] * 6
    segs = detect_segments([SampledFrame(float(i), p) for i, p in enumerate(pictures)], 24.0)
    assert [round(s.start, 1) for s in segs] == [0.0, 17.5]
    assert np.array_equal(segs[0].keyframe, steps[2])
    assert len(segs[0].views) == 3 and [round(v.start, 1) for v in segs[0].views] == [0.0, 5.5, 11.5]


def test_noise_alone_is_never_cut(deck):
    rng = np.random.default_rng(5)
    frames = sample(lambda t: jpeg(noisy(deck[1], rng, 6.0), 25), 40.0)
    assert cuts_of(frames, 40.0) == []


def test_a_long_slide_is_split_periodically_and_marked_forced(deck):
    frames = sample(lambda t: deck[0], 130.0)
    segs = detect_segments(frames, 130.0, KeyframeOptions(max_segment=60.0))
    assert [(s.start, s.end, s.forced) for s in segs] == [(0.0, 60.0, False), (60.0, 120.0, True),
                                                         (120.0, 130.0, True)]


@pytest.mark.parametrize("change", [59.5, 60.0, 60.5, 61.0])
def test_a_slide_change_at_a_periodic_split_is_still_a_cut(deck, change):
    """A slide shown for about max_segment seconds: the periodic split waits for the change under way
    instead of taking the new slide as its reference (which lost the real cut)."""
    frames = sample(lambda t: deck[0] if t < change else deck[1], 100.0, fps=2.0)
    segs = detect_segments(frames, 100.0, KeyframeOptions(max_segment=60.0))
    real = [s.start for s in segs[1:] if not s.forced]
    assert len(real) == 1 and abs(real[0] - change) <= 1.0, [(s.start, s.forced) for s in segs]


def test_same_picture_tells_slides_of_one_template_apart(deck):
    """OCR reuses a keyframe's text only for the same picture: a mean grey difference says two slides of
    one template are the same (it is under 0.01 here), stroke correlation says they are not."""
    from momentsearch.pipeline.keyframes import frame_difference, tiny_grey
    from momentsearch.pipeline.picture import same_picture

    rng = np.random.default_rng(6)
    assert frame_difference(tiny_grey(deck[2], 32), tiny_grey(deck[3], 32)) < 0.01
    assert not same_picture(deck[2], deck[3])
    assert same_picture(deck[2], jpeg(noisy(deck[2], rng, 2.0)))


def test_another_shot_is_compared_with_the_pictures_before_it():
    """A cut from a close shot of the lecturer back to the wide view is found while the lecturer still
    walks (so no block change lasts): the new shot's thumbnails no longer look like the ones *before*
    them. Were the new thumbnails part of the median they are compared with, two of five would pull it
    towards themselves and the change would go unseen, the median holding the new shot a sample later."""
    from momentsearch.pipeline.keyframes import SHOT_SIZE, _Detector

    rng = np.random.default_rng(0)
    shape = (SHOT_SIZE * 9 // 16, SHOT_SIZE)
    old, other = rng.uniform(0.2, 0.6, shape), rng.uniform(0.2, 0.6, shape)
    new = 0.3 * old + 0.7 * other + 0.1  # another shot, sharing a little of the layout
    detector = _Detector(KeyframeOptions())
    detector.thumbs.extend(old + rng.normal(0, 0.08, shape) for _ in range(3))  # the lecturer moving
    streak = [new + rng.normal(0, 0.02, shape) for _ in range(2)]
    detector.thumbs.extend(streak)
    assert detector.other_shot(streak)
    detector.thumbs.clear()  # the old shot, still moving: no change
    detector.thumbs.extend(old + rng.normal(0, 0.08, shape) for _ in range(5))
    assert not detector.other_shot(list(detector.thumbs)[-2:])


def test_a_frame_of_a_new_slide_is_aligned_through_the_frame_before_it():
    """The camera shakes on when the slide changes: a frame of the new slide has too little in common
    with the old slide's picture to align to it, so it is aligned through the frame just before it
    (same new slide, its own shift known), and the shifts add up. Without that frame it is not aligned."""
    import cv2

    from momentsearch.pipeline.picture import align, frame_map

    rng = np.random.default_rng(1)

    def texture() -> np.ndarray:  # a picture with detail in every tile
        return cv2.GaussianBlur(rng.uniform(0, 255, (180, 320, 3)).astype(np.float32), (0, 0), 2.0)

    def moved(img: np.ndarray, dy: float, dx: float) -> np.ndarray:
        m = np.float32([[1, 0, dx], [0, 1, dy]])
        return cv2.warpAffine(img, m, (320, 180), borderMode=cv2.BORDER_REPLICATE).clip(0, 255).astype(np.uint8)

    old_slide, new_slide = texture(), texture()
    reference = frame_map(moved(old_slide, 0, 0), 320)
    before = frame_map(moved(new_slide, 1.0, -1.0), 320)  # the new slide's first frame, 1 px down and left
    frame = frame_map(moved(new_slide, 2.0, 1.5), 320)
    _, alone = align(reference, frame)
    assert alone == (0.0, 0.0)  # two different pictures: nothing to align by
    _, chained = align(reference, frame, (before, (1.0, -1.0)))
    assert abs(chained[0] - 2.0) < 0.25 and abs(chained[1] - 1.5) < 0.25, chained


def test_a_person_moving_on_a_plain_background_is_not_taken_for_camera_shake():
    """Aligning through the frame before needs most of the view to move together: a lecturer filmed
    against a plain wall (texture in the middle column of tiles only) who sways is not a shake to
    correct, though the three tiles with them in agree on their move."""
    import cv2

    from momentsearch.pipeline.picture import align, frame_map

    rng = np.random.default_rng(2)
    person = cv2.GaussianBlur(rng.uniform(0, 255, (150, 70, 3)).astype(np.float32), (0, 0), 2.0)

    def shot(dy: int, dx: int) -> np.ndarray:  # the wall: grey with the camera's noise
        img = rng.normal(90, 3, (180, 320, 3))
        img[15 + dy:165 + dy, 125 + dx:195 + dx] = person
        return img.clip(0, 255).astype(np.uint8)

    slide = frame_map(np.asarray(cv2.GaussianBlur(rng.uniform(0, 255, (180, 320, 3)).astype(np.float32),
                                                  (0, 0), 2.0).clip(0, 255), np.uint8), 320)
    before, frame = frame_map(shot(0, 0), 320), frame_map(shot(2, 3), 320)
    assert align(slide, frame, (before, (0.0, 0.0)))[1] == (0.0, 0.0)


def test_bench_cuts_films_each_short_lecture_again_and_hidden_cuts_are_placed_back(lecture):
    """scripts/bench_cuts.py: every short lecture of a split in each scene with new seeds (the long ones
    left out), and a true cut hidden behind a periodic split 2.5-5 s away is placed back within 1 s by
    the cuts its slide text proves (the rendered lecture's own cuts, indexing's visual side)."""
    import importlib.util
    from pathlib import Path

    from momentsearch.options import load_config
    from momentsearch.pipeline.process import FileProcessor
    from momentsearch.testing.corpus import Lecture

    spec = importlib.util.spec_from_file_location(
        "bench_cuts", Path(__file__).resolve().parents[1] / "scripts" / "bench_cuts.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    lectures = [Lecture("a", "screen", [], [], {"seed": 5}), Lecture("b", "long", [], [], {"seed": 9})]
    made = list(bench.variants(lectures, ["camera", "screencast"], 2, long=False))
    assert [(v.name, v.condition, v.render["scene"]) for v in made] == [
        ("a-camera1", "camera", "camera"), ("a-camera2", "camera", "camera"),
        ("a-screencast1", "screencast", "screencast"), ("a-screencast2", "screencast", "screencast")]
    assert len({v.render["seed"] for v in made} | {5}) == 5  # new seeds, none the lecture's own
    assert len(list(bench.variants(lectures, ["camera"], 1, long=True))) == 2

    path, windows = lecture
    config = load_config()
    segments, slides = FileProcessor(config, text_embedder=None, asr=None).cut_and_read(str(path))
    truth = sorted(start for start, _ in windows.values())[1:]
    right, wrong, none = bench.hidden_placements(path, segments, slides, truth, 1.0 / config.sampling.fps)
    assert right >= 2 and wrong == 0 and none == 0  # two of its three cuts are between slides OCR tells apart


def test_a_slide_that_comes_while_the_lecturer_walks_is_a_picture_of_its_own():
    """A slide of three bullets gives way to the next slide's title alone (a build) while the lecturer
    walks across the hall's screen: too few blocks change for a cut, and the lecturer never stands
    still before the recent samples' median has taken the new slide in. It must still start a view (a
    picture OCR reads, whose text then proves the cut), as it does once the walking moves fewer blocks
    than the lasting change; before, the title-only slide was never read."""
    from momentsearch.testing.synth import Section

    old = Section("Public Keys", "", ["Diffie-Hellman, 1976", "Padlock anyone can close", "RSA rests on factoring"])
    new = Section("Fingerprints of Data", "", [])
    pictures = [np.asarray(draw_slide(s, SIZE, seed=0)) for s in (old, new)]
    change, rng = 20.2, np.random.default_rng(3)
    w, h = SIZE
    quad = [(52, 22), (268, 30), (262, 146), (58, 150)]
    coeffs = _perspective_coeffs(quad, [(0, 0), (w, 0), (w, h), (0, h)])
    mask = Image.new("L", SIZE, 0)
    ImageDraw.Draw(mask).polygon(quad, fill=255)

    def filmed(t: float) -> np.ndarray:
        slide = pictures[0] if t < change else pictures[1]
        room = Image.new("RGB", SIZE, (38, 36, 40))
        ImageDraw.Draw(room).rectangle([0, 150, w, h], fill=(55, 45, 40))  # desks
        screen = (90 + slide.astype(np.float32) * (80 / 255)).astype(np.uint8)
        room.paste(Image.fromarray(screen).transform(SIZE, Image.PERSPECTIVE, coeffs, Image.BILINEAR), (0, 0), mask)
        x = 60.0 + 23 * float(np.clip(t - change + 1, 0, 4))  # stands, walks from 1 s before the change for 4 s
        d = ImageDraw.Draw(room)
        d.ellipse([x - 9, 60, x + 9, 80], fill=(70, 55, 50))
        d.rectangle([x - 16, 80, x + 16, 170], fill=(30, 34, 60))
        dy, dx = rng.integers(-3, 4, 2)  # shake
        return jpeg(noisy(np.roll(np.asarray(room), (int(dy), int(dx)), axis=(0, 1)), rng, 5.0), 40)

    segments = detect_segments(sample(filmed, 40.0), 40.0)
    starts = [s.start for s in segments[1:]] + [v.start for s in segments for v in s.views[1:]]
    assert any(change <= t <= change + 4.0 for t in starts), [(s.start, [v.start for v in s.views]) for s in segments]


def board(lines: list[str], shown: float, person: int | None = None) -> np.ndarray:
    """A green board with `lines` written on it, the first `shown` share of their letters (writing in
    progress), and a lecturer standing at x = `person` (None: nobody)."""
    img = Image.new("RGB", SIZE, (38, 72, 52))
    d = ImageDraw.Draw(img)
    letters = int(sum(len(x) for x in lines) * shown)
    for k, line in enumerate(lines):
        d.text((20, 20 + 26 * k), line[:max(letters, 0)], fill=(232, 232, 220), font_size=18)
        letters -= len(line)
    if person is not None:
        d.rectangle([person, 60, person + 50, SIZE[1]], fill=(40, 40, 70))
        d.ellipse([person + 5, 25, person + 45, 65], fill=(170, 140, 120))
    return np.asarray(img)


BOARD_1 = ["Glaciers flow downhill", "- ice deforms under its weight", "- basal sliding on meltwater",
           "Moraines and erratics", "- till dumped at the snout"]
BOARD_2 = ["Orbital forcing", "- eccentricity 100 kyr", "- obliquity 41 kyr"]


def test_a_wiped_board_is_a_cut_and_its_fullest_picture_the_keyframe():
    """A chalkboard written letter by letter (a build: strokes only added), wiped, then written again:
    the wipe takes the text away for good with the board's grey unchanged, so it is a cut, and the
    first picture's keyframe is the board with all its writing, not the last quiet frame before it
    (`scripts/independent_board_lecture.py`). The writing itself is no cut."""
    def at(t: float) -> np.ndarray:
        if t < 20:
            return board(BOARD_1, min(t / 16, 1.0), person=40 + int(12 * t))
        return board(BOARD_2, min((t - 21) / 12, 1.0), person=60 + int(8 * (t - 20)))
    frames = sample(at, 40.0)
    segs = detect_segments(frames, 40.0)
    assert [round(s.start) for s in segs if not s.forced] in ([0, 20], [0, 21]), [s.start for s in segs]
    assert segs[0].keyframe_time >= 16  # the board written in full (at 16 s), which the wipe then took away


@pytest.mark.parametrize("wipe", [2.0, 4.0])
def test_a_board_wiped_over_seconds_keeps_its_fullest_picture_as_keyframe(wipe):
    """A board is wiped left to right over a few seconds, as a lecturer does, while the lecturer walks
    (no sample is quiet for long). The half-wiped letters are other strokes, so the wipe is cut as a new
    picture; its keyframe was then the last quiet sample, from seconds before the writing was done, and
    the last recent samples were already half wiped: OCR never read the board's last lines. The keyframe
    is the board in full, as for a wipe in one go."""
    def at(t: float) -> np.ndarray:
        person = 40 + int(12 * t) if t < 20 else 60 + int(8 * (t - 20))
        if t < 20:
            return board(BOARD_1, min(t / 16, 1.0), person=person)
        if t < 20 + wipe:
            shown, empty = board(BOARD_1, 1.0, person=person), board([], 0.0, person=person)
            x = int(SIZE[0] * (t - 20) / wipe)
            return np.concatenate([empty[:, :x], shown[:, x:]], axis=1)
        return board(BOARD_2, float(np.clip((t - 21 - wipe) / 12, 0.0, 1.0)), person=person)
    segs = [s for s in detect_segments(sample(at, 45.0), 45.0) if not s.forced]
    assert len(segs) == 2 and 20 <= segs[1].start <= 21 + wipe, [s.start for s in segs]
    assert 16 <= segs[0].keyframe_time < 20 + 1, segs[0].keyframe_time  # written in full, not yet wiped

