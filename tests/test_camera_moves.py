"""A camera that zooms in or out on the projected slide is not a slide change, and the change after it
still is (pipeline/picture.py: `zoom_search`; pipeline/keyframes.py: `_Detector.zoomed`).

Before, the detector corrected shake (a shift of a few pixels) only: a slow zoom made every block move,
the moving blocks were masked for seconds after it stopped, and the next slide change fell in that
time and was never cut; a zoom between two samples was cut as a new picture. Frames are sampled at
1 fps as indexing samples them, JPEG-compressed, from slides drawn in one template."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from PIL import Image

from momentsearch.pipeline import picture
from test_cuts import cut_scores, cuts_of, jpeg, sample, slide_images

SIZE = (640, 360)


@functools.lru_cache(maxsize=1)
def _bench():
    """scripts/bench_camera_moves.py as a module, loaded once (its camera zoom and films are what these tests use)."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "bench_camera_moves", Path(__file__).resolve().parents[1] / "scripts" / "bench_camera_moves.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def zoomed(img: np.ndarray, scale: float, fx: float = 0.5, fy: float = 0.5) -> np.ndarray:
    """`img` seen by a camera zoomed by `scale` with the point (fx, fy) held still (the bench's own zoom)."""
    return _bench().zoomed(img, scale, fx, fy)


@pytest.fixture(scope="module")
def deck():
    return [np.asarray(Image.fromarray(s).resize(SIZE, Image.BICUBIC)) for s in slide_images()]


def zoom_film(deck, begin: float, end: float, start: float, seconds: float, point=(0.4, 0.45)):
    """Slides 0, 1, 2 for 10 s each; over slide 1 the camera zooms from `begin` to `end` in `seconds`
    starting `start` s into it, and stays there through the cut to slide 2. True cuts: 10 s and 20 s."""
    rng = np.random.default_rng(7)

    def picture_at(t: float) -> np.ndarray:
        i = min(int(t // 10), 2)
        u = min(1.0, max(0.0, (t - 10 - start) / seconds)) if t >= 10 else 0.0
        scale = begin + (end - begin) * u if i else 1.0
        noise = rng.normal(0, 2.0, (SIZE[1], SIZE[0], 3))
        return jpeg(np.clip(zoomed(deck[i], scale, *point) + noise, 0, 255).astype(np.uint8), 50)

    return sample(picture_at, 30.0)


@pytest.mark.parametrize("begin, end, seconds", [
    (1.0, 1.35, 6.0),  # a slow zoom in: followed sample by sample
    (1.35, 1.0, 6.0),  # and out
    (1.0, 1.5, 1.0),  # a zoom in between two samples: found by searching the scale
    (1.5, 1.0, 1.0),  # and out
])
def test_a_camera_zooming_on_a_slide_is_no_cut_and_the_next_slide_still_is(deck, begin, end, seconds):
    found = cuts_of(zoom_film(deck, begin, end, 2.0, seconds), 30.0)
    assert cut_scores(found, [10.0, 20.0]) == (1.0, 1.0), found


def test_zoom_search_finds_the_zoom_and_no_zoom_between_two_slides(deck):
    a = picture.frame_map(deck[1], 320)
    b = picture.frame_map(zoomed(deck[1], 1.45), 320)
    dy, dx, scale = picture.zoom_search(a, b)
    assert abs(scale - 1.45) < 0.02 and max(abs(dy), abs(dx)) < 1.5, (dy, dx, scale)
    back = picture.zoom_search(b, a)
    assert back is not None and abs(back[2] - 1 / 1.45) < 0.02, back
    # two slides of one template share the title bar and footer, but no zoom makes one the other
    assert picture.zoom_search(a, picture.frame_map(zoomed(deck[2], 1.45), 320)) is None
    assert a.grey.mean() == picture.frame_map(deck[1], 320).grey.mean()  # the search leaves its input alone


def test_what_a_zoomed_in_camera_cut_off_is_not_compared():
    seen = picture.covered((180, 320), 16, (0.0, 0.0, 1.5))
    assert seen[seen.shape[0] // 2, seen.shape[1] // 2] and not seen[0, 0] and not seen[-1, -1]
    assert 0.3 < seen.mean() < 0.6  # about the middle 1/1.5 of each side
    assert picture.covered((180, 320), 16, (1.0, -2.0)).all()  # a shake: every block stays
    assert picture.covered((180, 320), 16, (0.0, 0.0, 0.7)).all()  # zoomed out: it shows more, not less


def test_bench_camera_moves_films_a_deck_under_each_move(tmp_path):
    """scripts/bench_camera_moves.py: a lecture's shown slides filmed under a move, with the true
    changes; a transition film, encoded and cut by indexing's visual side, has every change found."""
    from momentsearch.options import load_config
    from momentsearch.pipeline.process import FileProcessor
    from momentsearch.testing.corpus import Lecture
    from momentsearch.testing.synth import Section

    bench = _bench()
    deck = [Section("Why Caches Exist", "", ["Memory is slow", "Keep hot data close"]),
            Section("Speaker", "", [], view="speaker"),
            Section("Hit Ratio", "", ["Share of lookups served", "Skewed workloads help"]),
            Section("Hit Ratio, again", "", ["Same slide, new topic"], slide="same"),
            Section("Eviction", "", ["Least recently used", "Random eviction"])]
    lec = Lecture("deck", "screen", deck, [], {"template": "dev-navy"})
    frames, truth = bench.film(lec, "snap-in", 3)
    frames = list(frames)
    assert len(truth) == 2 and all(f.shape == (360, 640, 3) for f in frames)  # 3 shown slides: 2 changes
    assert 7.0 <= truth[0] <= 11.0 and 14.0 <= truth[1] <= 22.0  # each slide shown 7-11 s
    frames, truth = bench.film(lec, "wipe", 3)
    path = tmp_path / "wipe.mp4"
    bench.encode(path, frames)
    segments, _ = FileProcessor(load_config(), text_embedder=None, asr=None).cut_and_read(str(path))
    found = [s.start for s in segments[1:] if not s.forced]
    assert cut_scores(found, truth) == (1.0, 1.0), (found, truth)
