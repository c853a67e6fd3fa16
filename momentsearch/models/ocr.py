"""Text in images (slides, whiteboards, signs) with rapidocr-onnxruntime.

Its PP-OCRv4 detection and recognition ONNX models ship inside the wheel, so nothing is downloaded.
The engine is built on first use; `read` takes RGB uint8 arrays and returns, per image, the lines
found with their confidence and box size (pixels), so callers can weigh titles above small print.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from momentsearch.errors import ModelUnavailableError


@dataclass(frozen=True)
class OcrLine:
    """One recognised line of text. Sizes and positions are pixels of the image that was read."""

    text: str
    confidence: float  # recogniser's mean character probability, 0..1
    box_height: float  # height of the text box (about the letter height)
    box_width: float
    top: float  # y of the box's upper edge
    left: float  # x of the box's left edge
    image_height: int  # height of the image the line came from, to compare sizes across images
    image_width: int = 0  # its width (0: not known)

    @property
    def relative_height(self) -> float:
        """Box height as a share of the image height (a slide title is ~0.1, body text ~0.05)."""
        return self.box_height / max(self.image_height, 1)

    @property
    def place(self) -> tuple[float, float, float] | None:
        """The box's centre as shares of the image's width and height, and its height as a share of the
        image's height; None when the width is not known."""
        if self.image_width <= 0 or self.image_height <= 0:
            return None
        return ((self.left + self.box_width / 2) / self.image_width, (self.top + self.box_height / 2) / self.image_height,
                self.relative_height)


def _package_version() -> str:
    try:
        from importlib.metadata import version

        return version("rapidocr-onnxruntime")
    except Exception:  # metadata missing in odd installs: the id still names the engine
        return "unknown"


class OcrModel:
    """rapidocr-onnxruntime. `__init__` is cheap; the ONNX sessions are created on `load()` or first use.

    det_max_side: the long side (pixels) an image is shrunk to before text detection; smaller is faster
                  and misses small print. Images are never enlarged.
    threads:      onnxruntime intra-op threads per session; None lets onnxruntime choose (all cores, which
                  spin while idle: on a few small images one thread costs about half the CPU time).
    workers:      images of one `read` call read at once, each in its own thread on one onnxruntime
                  thread (the sessions are shared; onnxruntime and OpenCV let go of the GIL): 2 workers
                  read 24 keyframes in half the time of one on 2 cores, with the same lines.
    """

    def __init__(self, det_max_side: int = 960, threads: int | None = 1, workers: int = 1) -> None:
        self.det_max_side = int(det_max_side)
        self.threads = threads
        self.workers = max(1, int(workers))
        self._engine: Any = None
        self._sibling: OcrModel | None = None  # with_det_side's reader

    @property
    def model_id(self) -> str:
        return f"rapidocr-onnxruntime:{_package_version()}:PP-OCRv4"

    def load(self) -> "OcrModel":
        """Build the engine (a no-op once built). Returns self."""
        if self._engine is not None:
            return self
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:
            raise ModelUnavailableError(
                "slide OCR needs rapidocr-onnxruntime (pip install rapidocr-onnxruntime; its models ship in "
                "the wheel), or index with --no-ocr"
            ) from exc
        # rapidocr's keyword names: "det_*" go to the detector, the rest to its global section
        params: dict[str, Any] = {
            "det_limit_type": "max",  # shrink big images, never enlarge small ones (its default enlarges
            "det_limit_side_len": self.det_max_side,  # a 320 px keyframe to 736 px high: ~10x the time)
            "use_cls": False,  # slides and photos of boards are upright; the 180-degree classifier costs time
            "rec_batch_num": 1,  # lines one by one: a batch is padded to its widest line, which cost 2x the CPU
            "print_verbose": False,
        }
        if self.threads:
            params["intra_op_num_threads"] = int(self.threads)  # copied to every session by rapidocr
        try:
            self._engine = RapidOCR(**params)
        except Exception as exc:  # onnxruntime raises its own types for broken or missing model files
            raise ModelUnavailableError(f"cannot load the rapidocr-onnxruntime models: {exc}") from exc
        self._hold_det_side(self._engine)
        return self

    def _hold_det_side(self, engine) -> None:
        """rapidocr 1.4 ignores det_limit_side_len under limit_type "max": it picks 960, 1500 or 2000
        from the image's own size, so a 1280-px frame was detected at 1280 px whatever was asked. Its
        choice is replaced by ours (one operation, the same for every image and thread)."""
        det = getattr(engine, "text_det", None)
        if det is None or not hasattr(det, "get_preprocess"):
            return  # another rapidocr layout: its own sizing stays
        op = det.get_preprocess(self.det_max_side)
        op.limit_side_len, op.limit_type = self.det_max_side, "max"
        det.get_preprocess = lambda _longest_side: op

    def with_det_side(self, det_max_side: int) -> "OcrModel":
        """This reader with text detection at up to `det_max_side` px (a photo taken from the back of a
        hall holds the slide in a third of it): one more engine, built once, on first use."""
        if int(det_max_side) == self.det_max_side:
            return self
        if self._sibling is None or self._sibling.det_max_side != int(det_max_side):
            self._sibling = OcrModel(det_max_side, self.threads, self.workers)
        return self._sibling

    def read(self, images: Sequence[np.ndarray]) -> list[list[OcrLine]]:
        """Lines of text per image (RGB uint8 arrays, H x W x 3), each list top to bottom."""
        if not images:
            return []
        self.load()
        arrays = [np.asarray(image) for image in images]
        if self.workers == 1 or len(arrays) == 1:
            return [self._read_one(a) for a in arrays]
        # threads started here inherit the caller's niceness (Linux): a niced visual side stays niced
        with ThreadPoolExecutor(min(self.workers, len(arrays)), thread_name_prefix="momentsearch-ocr") as pool:
            return list(pool.map(self._read_one, arrays))

    def _read_one(self, image: np.ndarray) -> list[OcrLine]:
        if image.ndim != 3 or image.shape[0] < 8 or image.shape[1] < 8:
            return []
        bgr = np.ascontiguousarray(image[..., :3][..., ::-1])  # rapidocr reads arrays as OpenCV BGR
        result, _elapsed = self._engine(bgr)
        lines = []
        for box, text, score in result or []:
            pts = np.asarray(box, dtype=np.float64).reshape(4, 2)
            height = (np.linalg.norm(pts[3] - pts[0]) + np.linalg.norm(pts[2] - pts[1])) / 2
            width = (np.linalg.norm(pts[1] - pts[0]) + np.linalg.norm(pts[2] - pts[3])) / 2
            text = " ".join(str(text).split())
            if text:
                lines.append(OcrLine(text=text, confidence=float(score), box_height=float(height),
                                     box_width=float(width), top=float(pts[:, 1].min()),
                                     left=float(pts[:, 0].min()), image_height=int(image.shape[0]),
                                     image_width=int(image.shape[1])))
        return join_row_pieces(lines)  # rapidocr returns boxes in reading order (top to bottom, then left to right)


ROW_GAP = 0.6  # a gap under this many box heights between two boxes of one row is a word space
ROW_ALIGN = 0.3  # box heights two boxes' centres may lie apart and be one row
ROW_HEIGHTS = 1.3  # largest ratio of two boxes' heights that are one line's pieces


def join_row_pieces(lines: list[OcrLine]) -> list[OcrLine]:
    """Neighbouring boxes (reading order) that are one line of text as one line: the detector sometimes
    splits a title at a word space ("Bleaching" | "Frequency", 6 px apart at 50 px high), and the title
    then named the chapter by its first word. Boxes of one height, on one row, a word space apart; table
    cells and columns lie farther apart."""
    out: list[OcrLine] = []
    for line in lines:
        prev = out[-1] if out else None
        if prev is not None and _one_line(prev, line):
            right = line.left + line.box_width
            width = prev.box_width + line.box_width
            out[-1] = OcrLine(text=f"{prev.text} {line.text}",
                              confidence=(prev.confidence * prev.box_width + line.confidence * line.box_width) / width,
                              box_height=max(prev.box_height, line.box_height), box_width=right - prev.left,
                              top=min(prev.top, line.top), left=prev.left, image_height=prev.image_height,
                              image_width=prev.image_width)
        else:
            out.append(line)
    return out


def _one_line(a: OcrLine, b: OcrLine) -> bool:
    h = min(a.box_height, b.box_height)
    if h <= 0 or max(a.box_height, b.box_height) > ROW_HEIGHTS * h:
        return False
    centres = abs((a.top + a.box_height / 2) - (b.top + b.box_height / 2))
    gap = b.left - (a.left + a.box_width)
    return centres <= ROW_ALIGN * h and -0.1 * h <= gap <= ROW_GAP * h
