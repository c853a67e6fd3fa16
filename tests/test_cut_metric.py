"""The cut detector's metric: boundary precision / recall / F1 at +-1 s, optional build boundaries."""

from __future__ import annotations

import pytest

from momentsearch.evaluate import BoundaryScore, boundary_scores


def test_hits_misses_and_false_alarms():
    s = boundary_scores([10.4, 20.0, 31.5, 50.0], [10.0, 21.2, 30.9])
    assert (s.tp, s.fp, s.fn) == (2, 2, 1)  # 20.0 is 1.2 s from 21.2: too far
    assert s.precision == pytest.approx(0.5) and s.recall == pytest.approx(2 / 3)
    assert s.f1 == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))


def test_one_to_one_matching_finds_as_many_pairs_as_possible():
    # two detections around one cut (a crossfade cut twice): one hit, one false alarm
    s = boundary_scores([9.6, 10.1], [10.0])
    assert (s.tp, s.fp, s.fn) == (1, 1, 0)
    # 10.9 is nearer 11.0, but pairing it with 10.0 lets 11.8 match 11.0: two hits, not one
    s = boundary_scores([10.9, 11.8], [10.0, 11.0])
    assert (s.tp, s.fp, s.fn) == (2, 0, 0)


def test_optional_boundaries_neither_count_for_nor_against():
    with_builds = boundary_scores([10.0, 14.2, 18.0], [10.0], optional=[14.0, 18.5])
    assert (with_builds.tp, with_builds.fp, with_builds.fn) == (1, 0, 0)
    assert boundary_scores([10.0], [10.0], optional=[14.0]) == BoundaryScore(1, 0, 0)


def test_empty_cases_and_sums():
    assert boundary_scores([], []).f1 == 1.0  # nothing to find, nothing found
    assert boundary_scores([], [5.0]).f1 == 0.0
    assert boundary_scores([5.0], []).precision == 0.0
    total = boundary_scores([1.0], [1.0]) + boundary_scores([7.0], [3.0])
    assert (total.tp, total.fp, total.fn) == (1, 1, 1)


def test_detected_boundaries_leave_out_periodic_splits():
    from types import SimpleNamespace

    from momentsearch.evaluate import detected_boundaries
    from momentsearch.options import load_config

    config = load_config()
    longest = config.keyframes.max_segment
    record = SimpleNamespace(path="/v/a.mp4", sections=[], visual_segments=[
        (0.0, 12.0), (12.0, 12.0 + longest), (12.0 + longest + 0.4, 200.0), (200.0, 201.0)])
    index = SimpleNamespace(config=config, videos=lambda: [record])
    # an index without sections: 12 is a change; 12 + max_segment (+0.4 s, one sampling step late) a
    # periodic split; 200 a change
    assert detected_boundaries(index) == {"/v/a.mp4": [12.0, 200.0]}
    # with sections (they start at every real cut, never at a split, and at topic changes in speech):
    # a slide change that came exactly max_segment after the last cut counts; 150 is a topic change
    record.visual_segments = [(0.0, 12.0), (12.0, 12.0 + longest), (12.0 + longest, 200.0), (200.0, 201.0)]
    record.sections = [(0.0, 12.0), (12.0, 12.0 + longest), (12.0 + longest, 150.0), (150.0, 200.0), (200.0, 201.0)]
    assert detected_boundaries(index) == {"/v/a.mp4": [12.0, 12.0 + longest, 200.0]}
    record.sections = [(0.0, 12.0), (12.0, 150.0), (150.0, 200.0), (200.0, 201.0)]
    assert detected_boundaries(index) == {"/v/a.mp4": [12.0, 200.0]}
