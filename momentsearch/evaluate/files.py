"""Reading the files `eval` is given: ground truth and another system's predictions.

Both are read as JSON Lines (one object a line; CRLF line ends, a UTF-8 byte-order mark and UTF-16 with
its mark, as Windows editors and PowerShell write them, are fine) or as one JSON array of the same
objects (a `.json` file as `json.dump` writes it). A qid is a string or a whole number, and `7` and
`"7"` name the same query: a ground truth written with whole numbers and predictions written with
strings (or the other way round) are not silently scored as zeros.
"""

from __future__ import annotations

import codecs
import json
import math
from dataclasses import dataclass
from pathlib import Path

from momentsearch.errors import QueryError

GT_LAYOUT = "{qid, query, video (or vid), relevant_windows: [[st, ed], ...]}"
PRED_LAYOUT = "{qid, pred_relevant_windows: [[st, ed, score], ...]}"


@dataclass
class GroundTruth:
    qid: str | int
    query: str
    video: str  # a file name or a path
    windows: list[tuple[float, float]]  # seconds
    type: str = ""


@dataclass
class PredictedWindow:
    video: str  # the file the window is in (a path)
    start: float
    end: float
    score: float


def qid_key(qid) -> str:
    """The key a qid is matched by: `7` and `"7"` are one query."""
    return str(qid)


def _entries(path: Path, what: str, layout: str) -> list[tuple[str, object]]:
    """(where, parsed object) for each entry of a JSONL file or a JSON array file; `where` is `PATH:LINE`
    (`PATH: entry N` in an array). A QueryError names the place of any entry that is no JSON."""
    if not path.is_file():
        raise QueryError(f"{what} file not found: {path}")
    raw = path.read_bytes()
    # UTF-16 with its byte-order mark is what Windows PowerShell's `>` writes; -sig: a UTF-8 mark is no text
    utf16 = raw[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    try:
        text = raw.decode("utf-16" if utf16 else "utf-8-sig")
    except UnicodeDecodeError as exc:
        what = "UTF-16" if utf16 else "UTF-8"
        raise QueryError(f"{path}: not {what} text ({exc.reason} at byte {exc.start})") from exc
    if text.lstrip().startswith("["):  # one JSON array of objects, not one object a line
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise QueryError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg}); expected a JSON array of "
                             f"{layout}, or one such object a line") from exc
        if isinstance(items, list):
            return [(f"{path}: entry {n}", item) for n, item in enumerate(items, 1)]
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append((f"{path}:{n}", json.loads(line)))
        except json.JSONDecodeError as exc:
            raise QueryError(f"{path}:{n}: expected {layout} (JSONDecodeError: {exc})") from exc
    return out


def load_ground_truth(path: str | Path) -> list[GroundTruth]:
    """Read a ground-truth file (JSONL or a JSON array); a QueryError names the line of any malformed entry."""
    path = Path(path)
    items, seen = [], {}
    for where, obj in _entries(path, "ground-truth", GT_LAYOUT):
        try:
            if not isinstance(obj, dict):
                raise TypeError(f"a JSON object is expected, not {type(obj).__name__}")
            windows = [(_number(w[0]), _number(w[1])) for w in obj["relevant_windows"]]
            if "video" not in obj and "vid" not in obj:
                raise ValueError("no video (or vid) field: the file the query's moment is in")
            video = obj["video"] if "video" in obj else obj["vid"]
            if not isinstance(obj["qid"], (str, int)) or isinstance(obj["qid"], bool):
                raise TypeError("qid must be a string or a whole number")
            if not isinstance(obj["query"], str) or not obj["query"].strip() or not isinstance(video, str):
                raise TypeError("query must be non-empty text and video a file name or path")
            item = GroundTruth(obj["qid"], obj["query"], video, windows, str(obj.get("type") or ""))
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise QueryError(f"{where}: expected {GT_LAYOUT} ({type(exc).__name__}: {exc})") from exc
        if not windows or any(e <= s or s < 0 for s, e in windows):
            raise QueryError(f"{where}: relevant_windows must be non-empty [start, end] pairs, 0 <= start < end")
        key = qid_key(item.qid)
        if key in seen:  # predictions are keyed by qid: a repeat would score another query's
            raise QueryError(f"{where}: qid {item.qid!r} is already used on {_place(seen[key])}")
        seen[key] = where
        items.append(item)
    if not items:
        raise QueryError(f"{path} holds no ground-truth queries")
    return items


def _place(where: str) -> str:
    """`line 3` (or `entry 3`) of a `where` from `_entries`."""
    tail = where.rsplit(":", 1)[1].strip()
    return tail if tail.startswith("entry") else f"line {tail}"


def _number(x) -> float:
    """A finite number (not a bool, NaN or infinity)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        raise ValueError(f"{x!r} is not a finite number")
    return float(x)


def load_predictions(path: str | Path, truths: list[GroundTruth]) -> dict:
    """Another system's predictions (QVHighlights layout: {qid, pred_relevant_windows: [[st, ed, score],
    ...]} plus `vid` or `video`: one file for all windows, or a list with one per window); qid -> windows,
    keyed by the ground truth's own qid. A query of `truths` with no line scores 0; a window without a
    video is on the truth's. A qid given twice, or a file none of whose qids is in `truths`, is refused."""
    path = Path(path)
    truth_of = {qid_key(t.qid): t for t in truths}
    out: dict = {}
    seen: dict[str, str] = {}
    for where, obj in _entries(path, "predictions", PRED_LAYOUT):
        try:
            if not isinstance(obj, dict):
                raise TypeError(f"a JSON object is expected, not {type(obj).__name__}")
            qid, windows = obj["qid"], obj["pred_relevant_windows"]
            truth = truth_of.get(qid_key(qid))
            videos = obj.get("video", obj.get("vid", truth.video if truth else ""))
            videos = videos if isinstance(videos, list) else [videos] * len(windows)
            ranked = [PredictedWindow(str(v), _number(w[0]), _number(w[1]), _number(w[2]) if len(w) > 2 else 0.0)
                      for w, v in zip(windows, videos, strict=True)]
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise QueryError(f"{where}: expected {PRED_LAYOUT} ({type(exc).__name__}: {exc})") from exc
        if qid_key(qid) in seen:  # which of the two lines is the system's answer? Scoring either would guess
            raise QueryError(f"{where}: qid {qid!r} is already predicted on {_place(seen[qid_key(qid)])}")
        seen[qid_key(qid)] = where
        out[truth.qid if truth else qid] = ranked
    if not out:
        raise QueryError(f"{path} holds no predictions")
    if not any(qid_key(q) in truth_of for q in out):
        sample = ", ".join(repr(q) for q in list(out)[:3])
        raise QueryError(f"none of the {len(out)} predicted qids ({sample}{', ...' * (len(out) > 3)}) is a qid of "
                         "the ground truth: every query would score 0; are these predictions for another set?")
    return out
