"""A file's finished work kept on disk while it is indexed, so a killed run resumes instead of restarting.

One JSON-lines file per content (`<dir>/<video_id>.jsonl`), appended and fsynced as work finishes:
  {"kind": "header", "version": 1, "fingerprint": ...}   what produced the lines (models, options)
  {"kind": "window", "index": i, "start": s, "end": e, "segments": [...]}   one transcribed audio window
  {"kind": "detected", "segments": [[start, end, keyframe_time, forced, [view, ...]], ...]}   the cut video
  {"kind": "ocr", "key": ..., "lines": [...]}   what OCR read on one picture (key: a digest of its pixels)
  {"kind": "visual", "segments": [[start, end, keyframe_time, forced], ...], "slides": [...], "vectors": bool}
and `<video_id>.visual.npy` with the CLIP keyframe vectors, `<video_id>.keyframes.npz` with the detected
segments' pictures (each written before its line). A line cut short by a kill is ignored, so at most the
work in flight is lost. The visual side runs in the background at low priority (sampling.visual_nice), so
a kill often finds it unfinished: the cut video and its pictures are kept as soon as they are found
(`set_detected`) and slide reading, the costly part, picture by picture (`CachedOcr`), so a resumed run
decodes nothing again and reads only the pictures not read yet. Floats go through JSON as `repr`, which
reads back to the same double, so a resumed file's entries (ids from times) equal an uninterrupted run's.
The indexer deletes the files once the file's entries are in the store.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from momentsearch.pipeline.ocr import SlideText
from momentsearch.types import TranscriptSegment, VisualSegment, Word

PARTIAL_VERSION = 2  # 2: segments keep `forced`
PARTIAL_DIRNAME = "momentsearch-partial"  # inside a local index folder


def fingerprint(*parts: Any) -> str:
    """A short hash of what decides a file's entries (model ids, options): resumed work must match it."""
    text = json.dumps(parts, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class VisualResult:
    """The visual side of a file: segments (keyframe images dropped), CLIP vectors, slide text."""

    segments: list[VisualSegment]
    vectors: np.ndarray | None
    slides: list[SlideText] | None


def _segment_json(seg: TranscriptSegment) -> list:
    return [seg.start, seg.end, seg.text, [[w.start, w.end, w.word, w.probability] for w in seg.words]]


def _segment_from(row: list) -> TranscriptSegment:
    return TranscriptSegment(row[0], row[1], row[2], [Word(*w) for w in row[3]])


def _files(directory: str | os.PathLike, video_id: str) -> tuple[Path, Path, Path]:
    """Where one content's kept work lies: its rows, its visual vectors, its keyframe pictures."""
    folder = Path(directory)
    return folder / f"{video_id}.jsonl", folder / f"{video_id}.visual.npy", folder / f"{video_id}.keyframes.npz"


def forget(directory: str | os.PathLike, video_ids) -> None:
    """Delete the kept work of contents no file record holds any more (`prune`d or `remove`d), with the
    temporary files a write cut short left beside it (`<id>.keyframes.tmp.npz`: a killed run's, or a full disk's)."""
    folder, ids = Path(directory), set(video_ids)
    if not ids or not folder.is_dir():
        return
    for path in folder.iterdir():
        if path.name.split(".", 1)[0] in ids:
            path.unlink(missing_ok=True)


def _replace_from_temp(target: Path, suffix: str, write) -> None:
    """`write(tmp)` into a temporary file beside `target`, renamed over it: a write that fails (a full disk)
    takes its half-written temporary file with it, so no space is kept by a file nothing reads."""
    tmp = target.with_suffix(suffix)
    try:
        write(tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def keep_unfinished(directory: str | os.PathLike, records) -> None:
    """Delete the kept work of every content that no unfinished file record (`records`: FileRecords, all of
    the index's) holds: its file was finished, changed or deleted. For `index` only: the kept work of a
    changed file that a killed run left is wanted by no record (the old one stays complete meanwhile),
    and a run that indexes files resumes or drops it."""
    folder = Path(directory)
    if not folder.is_dir():
        return
    wanted = {rec.video_id for rec in records if not rec.complete}
    for path in folder.iterdir():
        if path.name.split(".", 1)[0] not in wanted:
            path.unlink(missing_ok=True)



def undo_unfinished(store, directory: str | os.PathLike | None, path: str, old) -> None:
    """After `path` failed: its incomplete record (this run's, or a killed run's that this run could not
    finish; `old`: the record before this run), the entries only it owned and its kept work (in
    `directory`) go, so `info` and `prune` never see a half-indexed file and the next run starts it
    afresh. A complete record (a failed re-index) stays with its entries. A killed run never gets here:
    its record and kept work remain to resume from."""
    record = store.get_file(path)
    if record is None or record.complete:
        return
    stale = {record.video_id} | ({old.video_id} if old is not None and not old.complete else set())
    for video_id in stale:  # entries first: a crash in between leaves an incomplete record, as before
        store.drop_unshared(video_id, path)
    store.delete_file(path)
    if directory is not None:
        forget(directory, stale - {rec.video_id for rec in store.files() if not rec.complete})

class PartialState:
    """Finished windows and visual side of one file (`video_id`), read from and appended to `directory`.

    Work recorded under another fingerprint (other models or options) is discarded when opened."""

    def __init__(self, directory: str | os.PathLike, video_id: str, fingerprint: str) -> None:
        self.path, self.vectors_path, self.pictures_path = _files(directory, video_id)
        self.fingerprint = fingerprint
        self.windows: dict[int, tuple[float, float, list[TranscriptSegment]]] = {}
        self.visual: VisualResult | None = None
        self.ocr: dict[str, list] = {}  # picture digest -> the OcrLine fields OCR read on it
        self.detected: list[VisualSegment] | None = None  # the visual segments with their pictures
        self._lock = threading.Lock()  # windows are added by the ASR side, the visual result by its thread
        self._load()

    def _load(self) -> None:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except (FileNotFoundError, UnicodeDecodeError):
            lines = []
        rows = []
        for line in lines:
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                break  # the line a kill cut short, and nothing after it
        if not rows or rows[0] != self._header():
            self.discard()
            return
        if len(rows) < len(lines):  # drop the torn line, so what is appended next starts on a line of its own
            text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
            _replace_from_temp(self.path, ".tmp", lambda tmp: tmp.write_text(text, encoding="utf-8"))
        detected = None
        for row in rows[1:]:
            if row.get("kind") == "window":
                self.windows[row["index"]] = (row["start"], row["end"], [_segment_from(s) for s in row["segments"]])
            elif row.get("kind") == "visual":
                self.visual = self._visual_from(row)
            elif row.get("kind") == "ocr":
                self.ocr[row["key"]] = row["lines"]
            elif row.get("kind") == "detected":
                detected = row
        if self.visual is None and detected is not None:  # the pictures are needed only to finish the visual side
            self.detected = self._detected_from(detected)

    def resumed_note(self) -> str:
        """What a killed run left that this run takes over, for the file's summary note ("" when nothing):
        call it before the file is processed (new work is added to the same state)."""
        kept = []
        if self.windows:
            end = max(end for _, end, _ in self.windows.values())
            n = len(self.windows)
            # windows of a silent stretch (a recording started early, a break) hold no speech: not "speech to"
            heard = "speech" if any(segments for _, _, segments in self.windows.values()) else "audio, no speech in it,"
            kept.append(f"{n} audio window{'' if n == 1 else 's'} ({heard} to {_clock(end)})")
        if self.visual is not None:
            kept.append("the pictures and slide text")
        elif self.detected is not None or self.ocr:
            read = f", {len(self.ocr)} picture{'' if len(self.ocr) == 1 else 's'} read" if self.ocr else ""
            kept.append(("the cut video" if self.detected is not None else "slide text") + read)
        return "resumed: kept " + " and ".join(kept) if kept else ""

    def _visual_from(self, row: dict) -> VisualResult | None:
        vectors = None
        if row["vectors"]:
            try:
                vectors = np.load(self.vectors_path)
            except (OSError, ValueError):
                return None
        segments = [VisualSegment(s, e, k, forced=f) for s, e, k, f in row["segments"]]
        slides = None if row["slides"] is None else \
            [_slide_from(slide) for slide in row["slides"]]
        return VisualResult(segments, vectors, slides)

    def _detected_from(self, row: dict) -> list[VisualSegment] | None:
        try:
            with np.load(self.pictures_path, allow_pickle=False) as saved:
                pictures = {name: saved[name] for name in saved.files}
        except (OSError, ValueError):
            return None
        count = itertools.count()  # pictures are numbered in the order set_detected wrote them

        def segment(r: list) -> VisualSegment:
            key = f"p{next(count)}"
            return VisualSegment(r[0], r[1], r[2], pictures.get(key), forced=r[3], views=[segment(v) for v in r[4]])

        return [segment(r) for r in row["segments"]]

    def _header(self) -> dict:
        return {"kind": "header", "version": PARTIAL_VERSION, "fingerprint": self.fingerprint}

    def _append(self, row: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.path, "a", encoding="utf-8") as f:
            new = f.tell() == 0
            if new:
                f.write(json.dumps(self._header()) + "\n")
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def add_window(self, index: int, start: float, end: float, segments: list[TranscriptSegment]) -> None:
        """Record a transcribed window (times in seconds of the file)."""
        self.windows[index] = (start, end, segments)
        self._append({"kind": "window", "index": index, "start": start, "end": end,
                      "segments": [_segment_json(s) for s in segments]})

    def set_detected(self, segments: list[VisualSegment]) -> None:
        """Record the cut video: segments, their views and every picture (the pictures first)."""
        pictures: dict[str, np.ndarray] = {}
        count = itertools.count()

        def row(seg: VisualSegment) -> list:
            key = f"p{next(count)}"  # before the views': _detected_from reads them back in this order
            if seg.keyframe is not None:
                pictures[key] = np.asarray(seg.keyframe)
            return [seg.start, seg.end, seg.keyframe_time, seg.forced, [row(v) for v in seg.views]]

        rows = [row(seg) for seg in segments]
        self.pictures_path.parent.mkdir(parents=True, exist_ok=True)
        _replace_from_temp(self.pictures_path, ".tmp.npz", lambda tmp: np.savez(tmp, **pictures))
        self.detected = segments
        self._append({"kind": "detected", "segments": rows})

    def add_ocr(self, key: str, lines: list[list]) -> None:
        """Record what OCR read on one picture (`lines`: each OcrLine's fields, in declaration order)."""
        self.ocr[key] = lines
        self._append({"kind": "ocr", "key": key, "lines": lines})

    def set_visual(self, result: VisualResult) -> None:
        """Record the finished visual side (vectors first: the line that names them comes after)."""
        if result.vectors is not None:
            self.vectors_path.parent.mkdir(parents=True, exist_ok=True)
            _replace_from_temp(self.vectors_path, ".tmp.npy", lambda tmp: np.save(tmp, result.vectors))
        self.visual, self.detected = result, None  # the cut video's pictures are not needed any more
        slides = None if result.slides is None else [[s.start, s.end, [list(x) for x in s.lines], s.places]
                                                      for s in result.slides]  # read back by _slide_from
        self._append({"kind": "visual", "segments": [[s.start, s.end, s.keyframe_time, s.forced]
                                                     for s in result.segments],
                      "slides": slides, "vectors": result.vectors is not None})

    def discard(self) -> None:
        """Forget this file's partial work (done, or made by other models/options)."""
        self.windows, self.visual, self.ocr, self.detected = {}, None, {}, None
        for p in (self.path, self.vectors_path, self.pictures_path):
            p.unlink(missing_ok=True)


def _clock(seconds: float) -> str:
    """12:05 or 1:02:05, as the summary writes times."""
    m, s = divmod(int(seconds), 60)
    return f"{m // 60}:{m % 60:02d}:{s:02d}" if m >= 60 else f"{m}:{s:02d}"


def _slide_from(row: list) -> SlideText:
    """A slide text as `set_visual` wrote it: start, end, lines, places (a row written before lines kept their
    places has no fourth item)."""
    start, end, lines, *places = row
    return SlideText(start, end, [tuple(line) for line in lines], {k: tuple(v) for k, v in (places or [{}])[0].items()})


class CachedOcr:
    """An OCR model whose answers are kept in a file's PartialState: a picture read before (the same
    pixels) is answered from it, the others are read and recorded as each batch finishes."""

    def __init__(self, inner, partial: PartialState) -> None:
        self.inner, self.partial = inner, partial

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def read(self, images) -> list:
        from momentsearch.models.ocr import OcrLine

        arrays = [np.ascontiguousarray(im) for im in images]
        keys = [hashlib.sha1(f"{a.shape}{a.dtype}".encode() + a.tobytes()).hexdigest() for a in arrays]
        missing = [i for i, k in enumerate(keys) if k not in self.partial.ocr]
        if missing:
            for i, lines in zip(missing, self.inner.read([images[i] for i in missing])):
                self.partial.add_ocr(keys[i], [list(dataclasses.astuple(line)) for line in lines])
        return [[OcrLine(*row) for row in self.partial.ocr[k]] for k in keys]
