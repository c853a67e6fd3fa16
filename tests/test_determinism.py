"""The same entries give the same answer whatever order the files were indexed in (or the rows lie in).

Two identical entries (a slide every lecture of a course shows) must score exactly alike, and equal moments of
several videos must come in one order that follows their content, not the index's row order, which follows the
order files were indexed in (one batch, one by one, two batches, on two machines)."""

from __future__ import annotations

import numpy as np

from momentsearch.ranking.dots import row_dots
from momentsearch.ranking.fusion import Candidates, select
from momentsearch.search.snapshot import SnapshotStore, _Collection


def _rows(n: int = 37, dim: int = 384, same=(0, 5, 36)) -> np.ndarray:
    rng = np.random.default_rng(1)
    rows = rng.standard_normal((n, dim)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    rows[list(same)] = rows[same[0]]  # one entry stored three times, the last in the final row
    return rows


def test_identical_rows_get_identical_dot_products_wherever_they_lie():
    rows = _rows()
    q = np.random.default_rng(2).standard_normal(384).astype(np.float32)
    dots = row_dots(rows, q)
    assert dots[0] == dots[5] == dots[36]
    assert np.allclose(dots, rows @ q, atol=1e-5)


def _snapshot(ids: list[str], rows: np.ndarray) -> SnapshotStore:
    metas = [{"video_id": i.split(":")[0], "kind": "slide", "start": 0.0, "end": 10.0} for i in ids]
    return SnapshotStore({"ocr": _Collection({}, ids, [""] * len(ids), metas, rows)})


def test_the_snapshot_search_scores_and_orders_a_repeated_entry_alike_in_any_row_order():
    rows = _rows()
    ids = [f"{i:016x}:slide:000000000-000010000" for i in range(len(rows))]
    q = rows[0] + 0.01 * np.random.default_rng(3).standard_normal(384).astype(np.float32)
    order = np.random.default_rng(4).permutation(len(rows))  # the same entries, indexed in another order
    first = _snapshot(ids, rows).query("ocr", q, 2)
    other = _snapshot([ids[i] for i in order], rows[order]).query("ocr", q, 2)
    assert [(h.id, h.similarity) for h in first] == [(h.id, h.similarity) for h in other]
    assert first[0].similarity == first[1].similarity  # two of the three equal entries, by id
    assert [h.id for h in first] == sorted(ids[i] for i in (0, 5, 36))[:2]


def test_equal_moments_of_several_videos_come_in_one_order_whatever_the_candidates_order():
    videos = ["b092489d98347fdf", "1a5c0e7d3f2b4c6a", "67046d3bb66f0c2a"]
    for order in ([0, 1, 2], [2, 1, 0], [1, 2, 0]):
        cands = Candidates(video_ids=np.array([videos[i] for i in order], dtype=object),
                           starts=np.full(3, 21.5), ends=np.full(3, 33.0), prior=np.zeros(3))
        kept = select(cands, np.full(3, 0.5), k=3, nms_overlap=0.5)
        assert [cands.video_ids[i] for i in kept] == sorted(videos)
