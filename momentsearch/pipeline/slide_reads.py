"""Reading a slide more than once: one picture of a filmed slide often has part of its text hidden.

A lecturer walks in front of the projection, a head in the audience covers a line, a camera's
exposure washes out a corner: the keyframe that stands for a slide can catch any of these, and its
OCR then holds "Ser" and "tic: facts" where the slide says "Semantic: facts". So a picture that stayed
on screen `REREAD_SPAN` seconds or more is read again at `OcrOptions.extra_reads` (default 2) more
moments spread over its time when its read `looks_cut` (a line starting mid-word, a scrap of a word)
or it went on `REREAD_SPAN` seconds past its keyframe (`_unseen_end`: a build step revealed while the
lecturer stood in front of it), except where the frame there is the keyframe's picture stroke for
stroke (a screen recording's still slide is never read twice). The lines of the reads that show the
keyframe's slide are merged: every region of text keeps its fullest reading (`merge_reads`). A read
that shows another slide (a slide change the picture detector missed or placed late) is left out: the
slide's text must not take in its neighbour's; the time between the keyframe and that read is halved
`CHANGE_STEPS` times (a read each) to find where the slide changed, and the picture becomes two slides
there (dev_markets_long2: a change at 1689 s placed at 1689.1 s instead of the next view, 18 s on).
Lines of the keyframe's read whose rows show the same strokes at the later moment are blanked out of
that frame before it is read, so only the lines near what moved are recognised again (dev: 2134 ->
1910 lines recognised, the same slide text).

Measured on the dev split (the share of each slide's title and bullet words found in the index's
slide text, `docs/benchmarks.md`): keyframe only 0.887, read again as above 0.947 (filmed lectures
0.82 / 0.87 -> 0.91 / 0.95; screen recordings unchanged), at 2.2x the OCR reads of the keyframes
alone; reading every lasting picture again gave 0.950 at about 3x.
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

import numpy as np

from momentsearch.models.ocr import OcrLine
from momentsearch.pipeline.picture import ChangedBlocks, changed_blocks
from momentsearch.types import VisualSegment

REREAD_SPAN = 6.0  # seconds; a picture on screen at least this long is read at more moments
READ_BATCH = 8  # pictures fetched and read together (each with its extra moments)
COVERED = 0.5  # a line whose box lies this much inside a fuller line's box is that line read worse


def extra_times(picture: VisualSegment, extra: int) -> list[float]:
    """Up to `extra` moments besides the keyframe at which `picture` is read: the picture's span cut
    into `extra` + 1 equal parts, the middle of each, less the one nearest its keyframe."""
    span = picture.end - picture.start
    if span < REREAD_SPAN or extra <= 0:
        return []
    parts = extra + 1
    times = [picture.start + span * (i + 0.5) / parts for i in range(parts)]
    times.remove(min(times, key=lambda t: abs(t - picture.keyframe_time)))
    return times


def _letters(line: OcrLine) -> int:
    return sum(ch.isalnum() for ch in line.text)


def _inside(a: OcrLine, b: OcrLine) -> float:
    """Share of a's box that lies inside b's box."""
    w = min(a.left + a.box_width, b.left + b.box_width) - max(a.left, b.left)
    h = min(a.top + a.box_height, b.top + b.box_height) - max(a.top, b.top)
    return max(w, 0.0) * max(h, 0.0) / max(a.box_width * a.box_height, 1e-9)


def merge_reads(reads: Sequence[Sequence[OcrLine]]) -> list[OcrLine]:
    """One list of lines from several reads of one picture (same size, the camera still): lines taken
    fullest first (most letters, then most spaces, then surest), a line dropped when its box lies
    mostly inside one already taken (a fragment of a line another read saw whole, or the same line
    again), then put back in reading order (top to bottom, left to right within a row)."""
    if len(reads) == 1:
        return list(reads[0])
    kept: list[OcrLine] = []
    # the recogniser often drops spaces ("asa baseline"): of two readings with the same letters, the spaced one
    fullest = sorted((x for r in reads for x in r), key=lambda x: (-_letters(x), -x.text.count(" "), -x.confidence))
    for line in fullest:
        if all(_inside(line, k) < COVERED for k in kept):
            kept.append(line)
    rows: list[tuple[float, float, list[OcrLine]]] = []  # (centre, height, lines) of each row, top down
    for line in sorted(kept, key=lambda x: x.top + x.box_height / 2):
        centre = line.top + line.box_height / 2
        if rows and abs(centre - rows[-1][0]) < 0.5 * min(line.box_height, rows[-1][1]):
            rows[-1][2].append(line)
        else:
            rows.append((centre, line.box_height, [line]))
    return [line for _, _, row in rows for line in sorted(row, key=lambda x: x.left)]


def looks_cut(lines: Sequence[OcrLine]) -> bool:
    """Whether a read looks like part of its text was hidden: a line that starts in the middle of a
    word (a lowercase letter: "tic: facts", "ens Monday") or a scrap of one to three letters ("Ser",
    "Kr"). A wrapped bullet's second line starts lowercase too; reading such a slide again only costs."""
    for line in lines:
        text = _BULLET.sub("", line.text)
        letters = sum(ch.isalpha() for ch in text)
        if text[:1].islower() or (0 < letters <= 3 and not any(ch.isdigit() for ch in text)):
            return True
    return False


_BULLET = re.compile(r"^[\W_]+")  # bullet marks and punctuation before a line's first word


def read_pictures(ocr, shown: Sequence[VisualSegment], to_read: Sequence[int],
                  fetch: Callable[[list[float]], list] | None = None, extra: int = 2,
                  same_slide: Callable[[list[OcrLine], list[OcrLine]], bool] | None = None,
                  changes: dict[int, tuple[float, list[OcrLine]]] | None = None) -> dict[int, list[OcrLine]]:
    """OCR lines per picture index in `to_read`. With `fetch` (times -> sharper RGB frames, None
    where one cannot be had) the pictures are read off sharper frames, and a lasting picture whose
    read `looks_cut` or that went on past its keyframe (`_unseen_end`) is read again at `extra` more
    moments (`extra_times`; see the module's docstring), those reads kept where `same_slide(keyframe's
    lines, lines)` holds. A read that shows another slide is a slide change the picture detector
    missed or placed off: `changes` (when given) gets, per such picture, the time of that change
    (`_find_change`) and the other slide's lines. Without `fetch`, each keyframe once."""
    read: dict[int, list[OcrLine]] = {}
    # a few pictures at a time: the sharper frames (2.7 MB each at 1280 px) of a three-hour lecture's
    # hundreds of slides would otherwise all be held at once, so memory would grow with duration
    for b in range(0, len(to_read), READ_BATCH):
        part = list(to_read[b:b + READ_BATCH])
        images = [shown[i].keyframe for i in part]
        if fetch is not None:
            if extra > 0 and hasattr(fetch, "expect"):  # the moments read next: kept as the decoder passes them
                fetch.expect([t for i in part for t in extra_times(shown[i], extra)])
            sharper = fetch([shown[i].keyframe_time for i in part])
            images = [hi if hi is not None else lo for hi, lo in zip(sharper, images)]
        read.update(zip(part, ocr.read(images)))
        if fetch is not None and extra > 0:
            again = [(i, image) for i, image in zip(part, images) if looks_cut(read[i]) or _unseen_end(shown[i])]
            others = _read_again(ocr, again, shown, read, fetch, extra, same_slide)
            if changes is not None and same_slide is not None:
                for i, (t, lines) in others.items():
                    changes[i] = _find_change(ocr, fetch, same_slide, read[i], shown[i].keyframe_time, t, lines)
    return read


CHANGE_STEPS = 3  # reads that halve the time between a keyframe and a read of another slide (9 s -> 1.1 s)


def _find_change(ocr, fetch, same_slide, lines, keyframe_time: float, other_time: float,
                 other: list[OcrLine]) -> tuple[float, list[OcrLine]]:
    """(time, other slide's lines): where between the keyframe (showing `lines`) and `other_time`
    (showing `other`) the slide changed, by halving that time `CHANGE_STEPS` times with one read each;
    the time is the first moment found showing the other slide, or the last showing the keyframe's."""
    near, far = keyframe_time, other_time
    for _ in range(CHANGE_STEPS):
        mid = (near + far) / 2
        frame = fetch([mid])[0]
        if frame is None:
            break
        seen = ocr.read([frame])[0]
        if same_slide(lines, seen):
            near = mid
        else:
            far, other = mid, seen  # (an empty read is never another slide: it counts as the keyframe's)
    return (far if other_time > keyframe_time else near), other


def _unseen_end(picture: VisualSegment) -> bool:
    """The picture went on `REREAD_SPAN` seconds or more after its keyframe. The keyframe is the last
    frame that matched the settled picture, so a later build step the detector did not separate (the
    lecturer stood in front of it as it appeared), or anything else shown after it, was never read."""
    return picture.end - picture.keyframe_time >= REREAD_SPAN


def _read_again(ocr, pictures, shown, read, fetch, extra, same_slide) -> dict[int, tuple[float, list[OcrLine]]]:
    """Read `pictures` ((index, keyframe image)) at their extra moments where the frame there is not the
    keyframe's picture, and merge the reads that show the same slide into `read`. A keyframe line whose
    rows show the same strokes at that moment (`_untouched`) is blanked out of the frame before
    it is read: it would read the same, and recognising the lines is most of OCR's time. Returns, per
    picture with reads of another slide, the one nearest its keyframe: (time, lines)."""
    wanted = [(i, image, extra_times(shown[i], extra)) for i, image in pictures]
    wanted = [w for w in wanted if w[2]]
    if not wanted:
        return {}
    frames = iter(fetch([t for _, _, times in wanted for t in times]))
    jobs = []  # (picture index, time, keyframe lines still there, the frame with them blanked)
    for i, image, times in wanted:
        for t, frame in zip(times, [next(frames) for _ in times]):
            if frame is None or frame.shape != np.shape(image):
                continue
            change = changed_blocks(np.asarray(image), np.asarray(frame))
            if change is None or not change.changed.any():
                continue  # the keyframe's picture stroke for stroke: it reads the same
            still = [line for line in read[i] if _untouched(line, change)]
            jobs.append((i, t, still, _blank(np.asarray(frame), still, change.shift)))
    answers = iter(ocr.read([frame for _, _, _, frame in jobs]))
    reads: dict[int, list[list[OcrLine]]] = {}
    others: dict[int, tuple[float, list[OcrLine]]] = {}
    for i, t, still, _ in jobs:
        whole = merge_reads([still, next(answers)])  # what reading the whole frame would have given
        if same_slide is None or same_slide(read[i], whole):
            reads.setdefault(i, []).append(whole)
        elif i not in others or abs(t - shown[i].keyframe_time) < abs(others[i][0] - shown[i].keyframe_time):
            others[i] = (t, whole)
    for i, more in reads.items():
        read[i] = merge_reads([read[i]] + more)
    return others


def _untouched(line: OcrLine, change: ChangedBlocks) -> bool:
    """No block changed in the rows of `line` (half a line height above and below it), across the whole
    width: a line cut short by someone in front of its end ("'Smashed' vs" of "'Smashed' vs 'hit'") has
    what hid the rest in its rows, beyond its box. The line must lie inside the compared grid."""
    dy, dx = change.shift
    margin = 0.5 * line.box_height
    top, left = line.top + dy, line.left + dx
    bottom, right = top + line.box_height, left + line.box_width
    rows, cols = change.changed.shape
    if top < 0 or left < 0 or bottom > rows * change.block or right > cols * change.block:
        return False
    y0, y1 = max(int((top - margin) // change.block), 0), int((bottom + margin) // change.block)
    return not change.changed[y0:y1 + 1].any()


def _blank(frame: np.ndarray, lines: Sequence[OcrLine], shift: tuple[float, float]) -> np.ndarray:
    """`frame` with each line's box (moved by the camera's `shift`, a little wider) painted its own
    median colour: the slide's background there, so the detector finds no text in it."""
    if not lines:
        return frame
    out = frame.copy()
    height, width = out.shape[:2]
    for line in lines:
        pad_y, pad_x = 0.15 * line.box_height, 0.5 * line.box_height
        top, left = line.top + shift[0], line.left + shift[1]
        y0, x0 = max(int(top - pad_y), 0), max(int(left - pad_x), 0)
        y1 = min(int(np.ceil(top + line.box_height + pad_y)), height)
        x1 = min(int(np.ceil(left + line.box_width + pad_x)), width)
        if y1 > y0 and x1 > x0:
            out[y0:y1, x0:x1] = np.median(out[y0:y1, x0:x1].reshape(-1, out.shape[2]), axis=0)
    return out
