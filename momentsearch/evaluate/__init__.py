"""Retrieval quality: QVHighlights-style moment metrics over a whole corpus, and the `eval` runner.

Ground truth, one JSON object a line (the QVHighlights layout plus the video the moment is in):
    {"qid": "said-01", "query": "...", "video": "talk.mp4", "relevant_windows": [[st, ed], ...],
     "type": "said"}                                   # `type` is optional; metrics are split by it
Predictions are written in the QVHighlights prediction layout, one line per query:
    {"qid": ..., "query": ..., "pred_relevant_windows": [[st, ed, score], ...], "video": [v, ...]}
(`video` holds the file of each window, in the same order, since the search runs over a corpus).
QVHighlights files as released read as they are: `vid` stands for `video` (a bare name matches a
file of that name, with or without its extension; a relative path any path that ends with it), other
fields are ignored; a JSON array of the same objects reads too (`evaluate/files.py`). Another system's
predictions in the prediction layout are scored by `load_predictions` + `evaluate` (`eval GT --pred
FILE`); every prediction list is sorted by score first (the official scorer sorts only for mAP, after keeping
a line's first 10 windows, and reads R1 from the first window as written: the same on sorted files).

Metrics, per query, then averaged over queries (all in [0, 1]):
- R1@t:     the top window overlaps a relevant window with IoU >= t.
- R@5@0.5:  one of the top 5 windows does, at IoU >= 0.5.
- mAP:      average precision of the top 10 windows, averaged over IoU thresholds 0.5:0.05:0.95
            (QVHighlights' interpolated AP; each relevant window is matched at most once).
- MRR:      1 / rank of the first window with IoU >= 0.5 in the top 10 (0 when none).
A window on another video than the ground truth's counts as a miss (IoU 0).
Each R1@0.5 mean comes with a 95 % bootstrap interval over the queries, and two runs over the same queries
are compared query by query (`evaluate/compare.py`; `eval --baseline FILE`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np

from momentsearch.errors import QueryError
from momentsearch.evaluate.cuts import CUT_TOLERANCE, BoundaryScore, boundary_scores, detected_boundaries  # noqa: F401
from momentsearch.evaluate.files import (GroundTruth, PredictedWindow, load_ground_truth,  # noqa: F401
                                         load_predictions, qid_key)
from momentsearch.types import shown_path

MAP_THRESHOLDS = tuple(np.round(np.arange(0.5, 0.951, 0.05), 2))  # IoU thresholds averaged by mAP
MAX_WINDOWS = 10  # mAP and MRR read this many windows per query
# IoUs are rounded to this many decimals before they meet a threshold: an IoU of exactly 0.5 in decimal seconds
# ([35.4, 77.1] in [8.5, 91.9]) comes out of binary floats as 0.4999999999999999 and read as a miss; times to the
# millisecond put any IoU that is really not on a threshold at least 5e-9 from it (windows under 2.7 hours)
IOU_DECIMALS = 9
METRICS = ("R1@0.5", "R1@0.7", "R@5@0.5", "mAP", "MRR")


@dataclass
class QueryResult:
    """Metrics of one query (values in [0, 1])."""

    qid: str | int
    type: str
    values: dict[str, float]


@dataclass
class EvalReport:
    """Means per metric overall and per query type; `unmeasurable` types are left out of `overall`."""

    overall: dict[str, float]
    by_type: dict[str, dict[str, float]]
    counts: dict[str, int]  # queries per type ("all": the queries in `overall`)
    unmeasurable: dict[str, str] = field(default_factory=dict)  # type -> why it was not measured
    per_query: list[QueryResult] = field(default_factory=list)

    def interval(self, metric: str = "R1@0.5", query_type: str | None = None) -> tuple[float, float]:
        """95 % bootstrap interval of `metric`'s mean over the queries (one type, or every counted one)."""
        from momentsearch.evaluate.compare import interval, per_query

        return interval(list(per_query(self, metric, query_type).values()))

    def to_json(self) -> dict:
        """The report as JSON-safe values: a mean over no queries (every query of an unmeasurable type) is null."""
        intervals = {"overall": self.interval()} | {t: self.interval(query_type=t) for t in self.by_type}
        return json_safe({"overall": self.overall, "by_type": self.by_type, "counts": self.counts,
                        "unmeasurable": self.unmeasurable,
                        "interval_R1@0.5": {k: [round(lo, 4), round(hi, 4)] for k, (lo, hi) in intervals.items()}})


def json_safe(value):
    """`value` with every NaN or infinite float (nested in dicts and lists) made None: JSON has no NaN."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


# ---------------------------------------------------------------------------------------- input

def same_video(predicted: str, truth: str) -> bool:
    """A ground-truth `video` given as a bare file name matches any path with that name; a relative path
    (`lectures/week1.mp4`) matches any path that ends with it, wherever `eval` runs."""
    if predicted == truth:
        return True
    p, t = Path(predicted), Path(truth)
    if len(t.parts) == 1 and (p.name == t.name or p.stem == t.name):  # QVHighlights' `vid` has no extension
        return True
    # resolved against the working folder alone, a ground truth written beside its lectures named other files
    # when eval ran elsewhere, and every right answer counted as a miss
    for rel, full in ((t, p), (p, t)):
        if rel.parts and not rel.is_absolute() and ".." not in rel.parts and full.parts[-len(rel.parts):] == rel.parts:
            return True
    return p.resolve() == t.resolve()


def indexed_ids(files, video: str) -> set[str]:
    """The video ids of the indexed `files` (FileRecords) that a ground truth's `video` names: by path or
    bare name (`same_video`), or by its video id as `info` lists it."""
    return {f.video_id for f in files if same_video(f.path, video) or f.video_id == video}


# -------------------------------------------------------------------------------------- metrics

def window_iou(pred: PredictedWindow, truth: GroundTruth) -> np.ndarray:
    """IoU of one predicted window with each relevant window (all 0 on another video)."""
    if not same_video(pred.video, truth.video):
        return np.zeros(len(truth.windows))
    gt = np.array(truth.windows, dtype=np.float64)
    inter = np.clip(np.minimum(gt[:, 1], pred.end) - np.maximum(gt[:, 0], pred.start), 0.0, None)
    union = np.maximum(gt[:, 1], pred.end) - np.minimum(gt[:, 0], pred.start)
    return np.round(np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0), IOU_DECIMALS)


def average_precision(ious: np.ndarray, threshold: float) -> float:
    """Interpolated AP (QVHighlights / ActivityNet style) of ranked windows against relevant ones.

    `ious` is (windows in rank order, relevant windows); a window is a true positive when it
    reaches `threshold` with a relevant window not matched by a better-ranked one.
    """
    n_pred, n_gt = ious.shape if ious.ndim == 2 else (0, 0)
    if n_gt == 0 or n_pred == 0:
        return 0.0
    matched = np.zeros(n_gt, dtype=bool)
    tp = np.zeros(n_pred)
    for i in range(n_pred):
        candidates = np.flatnonzero((ious[i] >= threshold) & ~matched)
        if candidates.size:
            matched[candidates[np.argmax(ious[i, candidates])]] = True
            tp[i] = 1.0
    cum_tp = np.cumsum(tp)
    precision = cum_tp / np.arange(1, n_pred + 1)
    recall = cum_tp / n_gt
    mprec = np.concatenate([[0.0], precision, [0.0]])
    mrec = np.concatenate([[0.0], recall, [1.0]])
    for i in range(len(mprec) - 2, -1, -1):
        mprec[i] = max(mprec[i], mprec[i + 1])
    idx = np.flatnonzero(mrec[1:] != mrec[:-1]) + 1
    return float(np.sum((mrec[idx] - mrec[idx - 1]) * mprec[idx]))


def query_metrics(preds: list[PredictedWindow], truth: GroundTruth) -> dict[str, float]:
    """All metrics for one query; `preds` are in rank order (best first)."""
    top = preds[:MAX_WINDOWS]
    ious = np.array([window_iou(p, truth) for p in top]).reshape(len(top), len(truth.windows))
    best = ious.max(axis=1) if len(top) else np.zeros(0)
    hits = np.flatnonzero(best >= 0.5)
    return {
        "R1@0.5": float(len(best) > 0 and best[0] >= 0.5),
        "R1@0.7": float(len(best) > 0 and best[0] >= 0.7),
        "R@5@0.5": float((best[:5] >= 0.5).any()) if len(best) else 0.0,
        "mAP": float(np.mean([average_precision(ious, t) for t in MAP_THRESHOLDS])),
        "MRR": 1.0 / (hits[0] + 1) if hits.size else 0.0,
    }


def _mean(rows: list[dict[str, float]]) -> dict[str, float]:
    return {m: float(np.mean([r[m] for r in rows])) if rows else float("nan") for m in METRICS}


def evaluate(predictions: dict, truths: list[GroundTruth], unmeasurable: dict[str, str] | None = None) -> EvalReport:
    """Metrics of `predictions` (qid -> ranked PredictedWindows) against `truths`.

    A query without predictions scores 0 everywhere. Types in `unmeasurable` (type -> reason) are
    reported as such and left out of the overall means instead of counting as zeros.
    """
    unmeasurable = dict(unmeasurable or {})
    by_key = {qid_key(q): windows for q, windows in predictions.items()}  # 7 and "7" are one query
    results = []
    for truth in truths:
        ranked = sorted(by_key.get(qid_key(truth.qid), []), key=lambda w: -w.score)  # stable: ties keep their order
        values = query_metrics(ranked, truth)
        results.append(QueryResult(truth.qid, truth.type, values))
    types = sorted({r.type for r in results if r.type})
    by_type = {t: _mean([r.values for r in results if r.type == t]) for t in types if t not in unmeasurable}
    counted = [r for r in results if r.type not in unmeasurable]
    counts = {t: sum(r.type == t for r in results) for t in types}
    counts["all"] = len(counted)
    return EvalReport(_mean([r.values for r in counted]), by_type, counts,
                      {t: why for t, why in unmeasurable.items() if t in types}, results)


# ------------------------------------------------------------------------------------- running

def predictions_to_jsonl(truths: list[GroundTruth], predictions: dict) -> Iterable[str]:
    """QVHighlights prediction lines (plus the video of each window)."""
    for truth in truths:
        windows = predictions.get(truth.qid, [])
        yield json.dumps({
            "qid": truth.qid, "query": truth.query,
            "pred_relevant_windows": [[round(w.start, 3), round(w.end, 3), round(w.score, 6)] for w in windows],
            "video": [shown_path(w.video) for w in windows],  # a name's bytes that are no UTF-8 as \\xNN
        }, ensure_ascii=False)


def visual_unmeasurable(index) -> str:
    """Why *visual* queries cannot be measured with this index and these weights ("" when they can)."""
    if "visual" not in index.channels():
        return "the index has no visual channel (no CLIP weights when indexing)"
    if "visual" not in index.searchable_channels():
        return "; ".join(index.warnings) or "CLIP weights are not available here"
    if getattr(index.search_clip, "pretrained", "") == "random":
        return "the CLIP weights are random (test-only), so visual scores mean nothing"
    return ""


def run_eval(index, truths: list[GroundTruth], k: int = MAX_WINDOWS) -> tuple[dict, EvalReport]:
    """(predictions, report) of the ground truth's queries on `index`; QueryError where it could score only zeros."""
    if not index.chroma_url and not Path(index.db).is_dir():
        raise QueryError(f"no index at {index.db}; index the videos of the ground truth first "
                         "(momentsearch index ... --db FOLDER), or give the right --db")
    where, files = index.chroma_url or index.db, index.info().files
    if not files:
        raise QueryError(f"the index at {where} holds no indexed files; index the videos of the ground truth "
                         "first (momentsearch index ...), or give --db")
    videos = sorted({t.video for t in truths})
    # a moment in a copy of the truth's video (its bytes indexed under another name too; search names one of
    # them) is in that video: the copy's path failed the name match and a right answer counted as a miss
    ids = {v: indexed_ids(files, v) for v in videos}
    if not any(ids.values()):
        raise QueryError(f"no video of the ground truth ({', '.join(videos[:3])}{', ...' * (len(videos) > 3)}) "
                         f"is in the index at {where}; index them first, or give the --db that holds them")
    predictions = {}
    for truth in truths:
        predictions[truth.qid] = [
            PredictedWindow(truth.video if m.video_id in ids[truth.video] and not same_video(m.video, truth.video)
                            else m.video, m.start, m.end, m.score) for m in index.search(truth.query, k=k)]
    why = visual_unmeasurable(index)
    return predictions, evaluate(predictions, truths, {"visual": why} if why else None)


def format_report(report: EvalReport, title: str = "") -> str:
    """A Markdown table: one row overall and one per query type."""
    head = "| queries | n | " + " | ".join(METRICS) + " | R1@0.5 95% interval |"
    lines = ([f"**{title}**", ""] if title else []) + [head, "|" + "---|" * (len(METRICS) + 3)]

    def row(name: str, n: int, values: dict[str, float], query_type: str | None) -> str:
        lo, hi = report.interval(query_type=query_type)
        return (f"| {name} | {n} | " + " | ".join(f"{values[m]:.3f}" for m in METRICS)
                + (f" | {lo:.2f}-{hi:.2f} |" if n else " | - |"))

    lines.append(row("overall", report.counts.get("all", 0), report.overall, None))
    for t in sorted(set(report.by_type) | set(report.unmeasurable)):
        if t in report.unmeasurable:
            lines.append(f"| {t} | {report.counts.get(t, 0)} | " + " | ".join("n/a" for _ in range(len(METRICS) + 1)) + " |")
        else:
            lines.append(row(t, report.counts.get(t, 0), report.by_type[t], t))
    for t, why in sorted(report.unmeasurable.items()):
        lines.append(f"\n*{t}*: not measurable: {why} (left out of overall).")
    return "\n".join(lines)
