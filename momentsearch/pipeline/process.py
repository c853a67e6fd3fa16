"""Processing one file into index entries: decode → keyframes / ASR → chunks → embeddings.

Pure compute with the models passed in; no store. The indexer writes what this returns, so the
same code runs in-process or on a remote worker (which sends the entries back).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from momentsearch.errors import BadInputError
from momentsearch.options import Config
from momentsearch.pipeline.captions import find_captions
from momentsearch.pipeline.decode import SAMPLE_RATE, iter_frames, load_audio
from momentsearch.pipeline.keyframes import detect_segments
from momentsearch.pipeline.ocr import FROM_CONFIG, make_ocr, read_slides, slide_rows, split_at_text_changes
from momentsearch.pipeline.segment import build_chunks, sections, sentences, topic_boundaries
from momentsearch.store.ids import entry_id
from momentsearch.types import Chunk, MediaInfo, StageTimes, VisualSegment

CLIP_TEXT_CHARS = 300  # CLIP reads 77 tokens; longer chunk text is cut before its text embedding


@dataclass
class Rows:
    """Rows for one collection: parallel lists (vectors as one float32 array)."""

    ids: list[str] = field(default_factory=list)
    vectors: np.ndarray | None = None
    metadatas: list[dict[str, Any]] = field(default_factory=list)
    documents: list[str] | None = None

    def extend(self, ids, vectors, metadatas, documents=None) -> None:
        self.ids += ids
        self.vectors = vectors if self.vectors is None else np.vstack([self.vectors, vectors])
        self.metadatas += metadatas
        if documents is not None:
            self.documents = (self.documents or [""] * (len(self.ids) - len(ids))) + documents
        elif self.documents is not None:
            self.documents += [""] * len(ids)


@dataclass
class FileEntries:
    """Everything one file adds to the index."""

    path: str
    video_id: str
    duration: float
    channels: list[str] = field(default_factory=list)
    visual_segments: list[tuple[float, float]] = field(default_factory=list)
    sections: list[tuple[float, float]] = field(default_factory=list)  # moment edges (pipeline/segment.py)
    rows: dict[str, Rows] = field(default_factory=dict)  # collection name -> rows
    note: str = ""  # e.g. "no audio track: indexed visually only"
    kind: str = "video"  # "video" or "photo" (pipeline/photos.py); the file record keeps it
    sources: dict[str, str] = field(default_factory=dict)  # channel -> where its text came from
    language: str = ""  # spoken language, "" when unknown
    times: StageTimes = field(default_factory=StageTimes)

    def add(self, collection: str, ids, vectors, metadatas, documents=None) -> None:
        self.rows.setdefault(collection, Rows()).extend(ids, vectors, metadatas, documents)


def entry_meta(video_id: str, path: str, start: float, end: float, kind: str) -> dict:
    return {"video_id": video_id, "video": path, "start": float(start), "end": float(end), "kind": kind}


class FileProcessor:
    """Turns a media file into FileEntries. `clip` may be None (no visual channel)."""

    def __init__(self, config: Config, text_embedder, asr, clip=None,
                 on_stage: Callable[[str], None] | None = None, ocr=FROM_CONFIG) -> None:
        self.config = config
        self.text = text_embedder
        self.asr = asr
        self.clip = clip
        # slide OCR model (models/ocr.py), None for none; by default built from config.models.ocr
        self.ocr = make_ocr(config) if ocr is FROM_CONFIG else ocr
        self.on_stage = on_stage or (lambda stage: None)

    @contextmanager
    def _stage(self, name: str, times: StageTimes, report: bool = True):
        """Times a stage into `times`; `report` also names it to the progress callback."""
        if report:
            self.on_stage(name)
        t0 = time.perf_counter()
        try:
            yield
        finally:
            times.add(name, time.perf_counter() - t0)

    def _visual(self, path: str, info: MediaInfo, times: StageTimes, cancel: threading.Event,
                report: bool) -> tuple[list[VisualSegment], np.ndarray | None, list | None]:
        """Decode sampled frames (streamed: only the current frame and one keyframe per segment are held),
        cut visual segments, embed their keyframes with CLIP, read their text (OCR).
        Returns (segments, CLIP image vectors or None, slides or None). `report`: send stage names
        (main thread only)."""
        cfg = self.config

        def frames():
            for frame in iter_frames(path, cfg.sampling.fps, cfg.sampling.max_side, cfg.sampling.skip_nonref):
                if cancel.is_set():
                    return
                yield frame

        with self._stage("decode+keyframes", times, report):
            segments = detect_segments(frames(), info.duration, cfg.keyframes)
        slides = None
        if segments and self.ocr is not None and not cancel.is_set():
            with self._stage("ocr", times, report):
                slides = read_slides(self.ocr, segments, cfg.ocr)
                segments = split_at_text_changes(segments, slides)  # a slide the picture's cuts missed
        image_vectors = None
        if segments and self.clip is not None and not cancel.is_set():
            with self._stage("clip", times, report):
                image_vectors = self.clip.embed_images([s.keyframe for s in segments])
        return segments, image_vectors, slides

    def _topic_changes(self, transcript, cuts: list[float], duration: float, times: StageTimes) -> list[float]:
        """Where the talk changes topic between slide changes (pipeline/segment.py)."""
        units = sentences(transcript)
        if len(units) < 3:
            return []
        with self._stage("topics", times):
            vectors = self.text.embed_texts([" ".join(w.word.strip() for w in u) for u in units])
        return topic_boundaries(units, vectors, cuts, duration, self.config.chunks)

    def process_video(self, path: str, info: MediaInfo, video_id: str) -> FileEntries:
        """Every channel of one file. With `sampling.overlap` the visual side (decode, keyframes, CLIP on
        keyframes) runs in a second thread while this one decodes audio and runs ASR; PyAV, CTranslate2 and
        torch release the GIL, so the two overlap. The entries are the same either way."""
        if not info.has_video and not info.has_audio:
            raise BadInputError(path, "no audio or video stream")
        cfg = self.config
        out = FileEntries(path=path, video_id=video_id, duration=info.duration)
        times = out.times
        chunks: list[Chunk] = []
        segments: list[VisualSegment] = []
        image_vectors = slides = None
        visual_job = None
        cancel = threading.Event()
        visual_times = StageTimes()  # its own: StageTimes is not shared across threads
        if info.has_video and cfg.sampling.overlap and info.has_audio:
            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="momentsearch-visual")
            visual_job = pool.submit(self._visual, path, info, visual_times, cancel, False)
            pool.shutdown(wait=False)
            self.on_stage("decode+keyframes+clip+ocr (background)")
        elif info.has_video:
            segments, image_vectors, slides = self._visual(path, info, times, cancel, True)
        try:
            track, caption_note = find_captions(path, info.duration, cfg.captions.mode)
            if track is not None:  # the video's own captions: no audio decoding, no ASR
                transcript, out.language = track.segments(), track.language
                out.sources["transcript"] = f"captions: {track.source}"
            elif info.has_audio:
                out.sources["transcript"] = f"asr: {self.asr.model_id}"
                with self._stage("decode audio", times):
                    audio = load_audio(path)
                if out.duration <= 0 and audio.size:
                    out.duration = audio.size / SAMPLE_RATE
                with self._stage("asr", times):
                    transcript = self.asr.transcribe(audio) if audio.size else []
                del audio  # ~115 MB an hour at 16 kHz float32: free it before the embeddings
        except BaseException:
            cancel.set()  # the visual thread stops at its next frame
            raise
        if visual_job is not None:
            with self._stage("wait for visual", times):
                segments, image_vectors, slides = visual_job.result()  # re-raises the thread's error here
            for stage, seconds in visual_times.seconds.items():
                times.add(stage, seconds)
        cuts = [s.start for s in segments[1:] if not s.forced]  # slide changes; periodic splits are none
        if info.has_audio or track is not None:
            cuts += self._topic_changes(transcript, cuts, out.duration, times)
            chunks = build_chunks(transcript, cfg.chunks, breaks=cuts)
        chunk_ids = [entry_id(video_id, "chunk", c.start, c.end) for c in chunks]
        chunk_metas = [entry_meta(video_id, path, c.start, c.end, "chunk") for c in chunks]
        chunk_texts = [c.text for c in chunks]
        if chunks:
            with self._stage("text embedding", times):
                vectors = self.text.embed_texts(chunk_texts)
            out.add("transcript", chunk_ids, vectors, chunk_metas, chunk_texts)
            out.channels.append("transcript")
        if segments and self.clip is not None:
            with self._stage("clip text", times):  # CLIP text vectors of the chunks (unified collection)
                text_vectors = self.clip.embed_texts([t[:CLIP_TEXT_CHARS] for t in chunk_texts]) if chunks else None
            ids = [entry_id(video_id, "keyframe", s.start, s.end) for s in segments]
            metas = [entry_meta(video_id, path, s.start, s.end, "keyframe") for s in segments]
            out.add("keyframes", ids, image_vectors, metas)
            out.add("unified", ids, image_vectors, metas, [""] * len(ids))
            if chunks:
                out.add("unified", chunk_ids, text_vectors, chunk_metas, chunk_texts)
            out.channels.append("visual")
        if segments and slides is not None:
            with self._stage("ocr", times):  # keyframes were read in _visual; MiniLM on their text counts here
                ids, vectors, metas, docs = slide_rows(slides, self.text, video_id, path)
            if ids:
                out.add("ocr", ids, vectors, metas, docs)
            out.channels.append("ocr")  # it ran: a video whose slides have no text has the channel, empty
        if segments:  # a variable-frame-rate file can decode past the duration its container states
            out.duration = max(out.duration, segments[-1].end)
        out.visual_segments = [(s.start, s.end) for s in segments]
        out.sections = sections(cuts, out.duration)
        if caption_note:
            out.note = caption_note
        elif not info.has_audio and track is None:
            out.note = "no audio track: indexed visually only"
        elif not chunks:
            out.note = "no speech found"
        return out
