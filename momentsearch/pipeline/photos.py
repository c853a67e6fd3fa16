"""Indexing one photo (jpg, png, webp, avif, bmp, gif first frame, tiff first page) into the same index as videos.

The image is opened safely (media.open_image: EXIF orientation applied, downscaled to 2048 px so
small print stays readable, decompression bombs refused with a reason). Its CLIP vector goes into the
unified CLIP space (and the keyframes collection the visual channel searches, so text and image
queries find photos and slides in one list); text on it (a whiteboard, a sign, a slide photo) goes
into the OCR collection, its text area read again at full resolution, with no floor on text height (a
slide photographed from the back of a hall is a small part of it; pipeline/photo_read.read_photo).
Entries are time-aligned like a video's over [0, PHOTO_SPAN] so the same ranker scores them.
"""

from __future__ import annotations

from momentsearch.media import PHOTO_MAX_SIDE, read_image
from momentsearch.pipeline.ocr import SlideText, slide_rows
from momentsearch.pipeline.photo_read import photo_lines
from momentsearch.pipeline.process import FileEntries, FileProcessor, entry_meta
from momentsearch.store.ids import entry_id

PHOTO_SPAN = 1.0  # seconds: a photo is one short "moment" to the ranker; results show it as 0-0


def process_photo(processor: FileProcessor, path: str, video_id: str) -> FileEntries:
    """A photo's entries, with the processor's models (CLIP and OCR may each be None).

    Raises BadInputError for a file that is not a readable image or is too large to open safely. A JPEG
    whose end is missing is indexed from what decodes of it, and its note says so (media.read_image).
    """
    out = FileEntries(path=path, video_id=video_id, duration=0.0, kind="photo")
    with processor._stage("decode image", out.times):
        decoded = read_image(path, max_side=PHOTO_MAX_SIDE)
    image = decoded.pixels
    if processor.clip is not None:
        with processor._stage("clip", out.times):
            vectors = processor.clip.embed_images([image])
        ids = [entry_id(video_id, "photo", 0.0, PHOTO_SPAN)]
        metas = [entry_meta(video_id, path, 0.0, PHOTO_SPAN, "photo")]
        out.add("keyframes", ids, vectors, metas)
        out.add("unified", ids, vectors, metas, [""])
        out.channels.append("visual")
    if processor.ocr is not None:
        with processor._stage("ocr", out.times):
            lines = photo_lines(processor.ocr, image, processor.config.ocr)
            slides = [SlideText(0.0, PHOTO_SPAN, lines)] if lines else []
            ids, vectors, metas, docs = slide_rows(slides, processor.text, video_id, path, kind="photo")
        if ids:
            out.add("ocr", ids, vectors, metas, docs)
        out.channels.append("ocr")
    if not out.rows:
        out.note = "no CLIP weights and no text on it: not searchable (index with CLIP weights to find it)"
    elif "ocr" in out.channels and "ocr" not in out.rows:
        out.note = "no text found on it"
    out.note = "; ".join(n for n in (decoded.note, out.note) if n)  # a JPEG cut short says so first
    return out
