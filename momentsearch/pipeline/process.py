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
from momentsearch.models.asr import shift_segments
from momentsearch.options import Config
from momentsearch.pipeline.arriving import no_length_note
from momentsearch.pipeline.camera_shots import alternating_shots, shot_switches
from momentsearch.pipeline.caption_offset import align_captions
from momentsearch.pipeline.captions import find_captions, language_note, sidecar_signature
from momentsearch.pipeline.deck_match import DECK_USE, back_with_deck
from momentsearch.pipeline.deck_pdf import deck_of, deck_signature
from momentsearch.pipeline.deck_text import drop_carried_lines, drop_contents_lines, drop_repeated_lines
from momentsearch.pipeline.decode import iter_audio_windows, probe
from momentsearch.pipeline.frame_reader import FrameReader
from momentsearch.pipeline.keyframes import detect_segments
from momentsearch.pipeline.ocr import FROM_CONFIG, make_ocr, read_slides, slide_rows
from momentsearch.pipeline.partial import CachedOcr, PartialState, VisualResult
from momentsearch.pipeline.sampling import sample_frames
from momentsearch.pipeline.segment import build_chunks, sections, sentences, topic_boundaries
from momentsearch.pipeline.sentence_vectors import SentenceVectors, _sentence_text
from momentsearch.pipeline.slide_cuts import (join_looks_away, merge_same_slide, place_text_cuts, split_at_text_changes,
                                               split_at_topics)
from momentsearch.pipeline.unheard import DETECT_SECONDS, Unheard
from momentsearch.pipeline.voices import VoiceTrack
from momentsearch.priority import run_niced
from momentsearch.store.ids import entry_id
from momentsearch.transcript import encode_times
from momentsearch.types import SAMPLE_RATE, Chunk, MediaInfo, StageTimes, TranscriptSegment, VisualSegment

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
    kind: str = "video"  # "video", "audio" (no picture) or "photo" (pipeline/photos.py); the record keeps it
    sources: dict[str, str] = field(default_factory=dict)  # channel -> where its text came from
    language: str = ""  # spoken language, "" when unknown
    times: StageTimes = field(default_factory=StageTimes)
    audio_end: float = 0.0  # seconds of audio that decoded (0: none decoded, or captions made the transcript)

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

    def _visual(self, path: str, info: MediaInfo, times: StageTimes, cancel: threading.Event, report: bool,
                partial: PartialState | None = None) -> tuple[list[VisualSegment], np.ndarray | None, list | None]:
        """Decode sampled frames (streamed: only the current frame and one keyframe per segment are held),
        cut visual segments, embed their keyframes with CLIP, read their text (OCR).
        Returns (segments, CLIP image vectors or None, slides or None). `report`: send stage names
        (main thread only). `partial`: where the cut video and the slides read are kept for a re-run."""
        cfg = self.config
        ocr = CachedOcr(self.ocr, partial) if partial is not None and self.ocr is not None else self.ocr

        last = [-1.0]  # time of the last frame that decoded

        def frames():
            for frame in sample_frames(path, cfg.sampling):
                if cancel.is_set():
                    return
                last[0] = frame.time
                yield frame

        segments = partial.detected if partial is not None else None
        if segments is None:
            with self._stage("decode+keyframes", times, report):
                segments = detect_segments(frames(), info.duration, cfg.keyframes)
                segments = _decoded_part(segments, last[0] + 1.0 / cfg.sampling.fps, cancel)
            if partial is not None and not cancel.is_set():
                partial.set_detected(segments)
        slides = None
        if segments and ocr is not None and not cancel.is_set():
            with self._stage("ocr", times, report), FrameReader(path) as reader:  # one decoder for every look
                sharper = cfg.ocr.frame_side > cfg.sampling.max_side  # read the text off sharper frames
                fetch = reader.sized(cfg.ocr.frame_side) if sharper else None
                certain = {s.start for s in segments[1:] if not s.forced}  # where the picture itself changed
                slides = read_slides(ocr, segments, cfg.ocr, fetch)
                segments = split_at_text_changes(segments, slides)  # a slide the picture's cuts missed
                segments = merge_same_slide(segments, slides)  # a cut with one slide on both sides
                look = reader.sized(cfg.sampling.max_side)
                segments, slides = place_text_cuts(segments, slides, certain, look, 1.0 / cfg.sampling.fps)
                segments = join_looks_away(shot_switches(segments, slides), slides, cfg.ocr.same_text)
                segments = alternating_shots(segments, slides, cfg.ocr.same_text)  # an edit's two cameras
        image_vectors = None
        if segments and self.clip is not None and not cancel.is_set():
            with self._stage("clip", times, report):
                image_vectors = self.clip.embed_images([s.keyframe for s in segments])
        return segments, image_vectors, slides

    def cut_and_read(self, path: str) -> tuple[list[VisualSegment], list | None]:
        """The visual segments of one file as indexing cuts them (the detector, then the cuts its slide
        text proves) and the slides read (None without OCR), embedding nothing and not transcribing:
        for measuring the cut detector alone (`scripts/bench_cuts.py`)."""
        segments, _, slides = self._visual(path, probe(path), StageTimes(), threading.Event(), report=False)
        return segments, slides

    def _topic_changes(self, transcript, cuts: list[float], duration: float, times: StageTimes,
                       ahead: SentenceVectors | None = None, voices: VoiceTrack | None = None) -> list[float]:
        """Where the talk changes topic between slide changes (pipeline/segment.py), and where another
        voice takes over (pipeline/voices.py). `ahead` holds the sentence vectors embedded while ASR ran."""
        units = sentences(transcript)
        if len(units) < 3:
            return []
        with self._stage("topics", times):
            texts = [_sentence_text(u) for u in units]
            vectors = ahead.vectors(texts) if ahead is not None else self.text.embed_texts(texts)
            turns = voices.changes(units, cuts) if voices is not None else []
        topics = topic_boundaries(units, vectors, cuts, duration, self.config.chunks)
        near = self.config.chunks.min_section  # a topic change this close to a change of voice is that change
        return sorted(turns + [t for t in topics if all(abs(t - turn) >= near for turn in turns)])

    def _visual_side(self, path: str, info: MediaInfo, times: StageTimes, cancel: threading.Event,
                     report: bool, partial: PartialState | None) -> VisualResult:
        """`_visual`, or what a killed run kept of it; a new result is kept for the next run and its
        keyframe images are let go (only times and vectors are needed from here on)."""
        if partial is not None and partial.visual is not None:
            return partial.visual
        segments, vectors, slides = self._visual(path, info, times, cancel, report, partial)
        for seg in segments:
            seg.keyframe, seg.views = None, []
        result = VisualResult(segments, vectors, slides)
        if partial is not None and not cancel.is_set():
            partial.set_visual(result)
        return result

    def _transcribe(self, path: str, times: StageTimes, partial: PartialState | None,
                    on_media: Callable[[float], None], ahead: SentenceVectors | None,
                    unheard: Unheard, voices: VoiceTrack) -> tuple[list[TranscriptSegment], float]:
        """The audio in windows (decoded, transcribed, let go one at a time): (transcript, seconds of audio).

        A window a killed run finished (same index and cut) is taken from `partial` instead of
        transcribed again; a new one is added to it. `on_media(seconds)` follows the windows; the speech of
        windows without words goes to `unheard`, the voices of the words to `voices`."""
        transcript: list[TranscriptSegment] = []
        audio_end = 0.0
        windows = iter_audio_windows(path, self.config.asr.window_seconds)
        self.on_stage("asr")
        while True:
            with self._stage("decode audio", times, report=False):
                window = next(windows, None)
            if window is None:
                break
            kept = partial.windows.get(window.index) if partial is not None else None
            if kept is not None and kept[:2] == (window.start, window.end):
                segments = kept[2]
            else:
                # a window too short for Whisper's 30 s of detection (a file's last) is heard in the language
                # its earlier windows were detected in, not one guessed from its few seconds
                known = unheard.language if window.samples.size < DETECT_SECONDS * SAMPLE_RATE else None
                with self._stage("asr", times, report=False):
                    heard = self.asr.transcribe(window.samples, language=known) if known else \
                        self.asr.transcribe(window.samples)
                    segments = shift_segments(heard, window.start)
                if not known and self.config.asr.language is None:  # detected: tallied for the file's language
                    unheard.heard_in(getattr(self.asr, "detected_language", ""),
                                     getattr(self.asr, "language_probability", None), segments)
                if partial is not None:
                    partial.add_window(window.index, window.start, window.end, segments)
            unheard.start(window.samples)  # the first audio, for a guess at its language
            if not segments:
                unheard.add(window.samples)  # no words: was it speech?
            voices.feed(window.samples, window.start, segments)
            transcript += segments
            if ahead is not None:
                ahead.feed(transcript)
            audio_end = window.end
            del window  # the next window is decoded into fresh memory; this one goes now
            on_media(audio_end)
        return transcript, audio_end

    def process_video(self, path: str, info: MediaInfo, video_id: str, partial: PartialState | None = None,
                      on_media: Callable[[float], None] | None = None) -> FileEntries:
        """Every channel of one file. With `sampling.overlap` the visual side (decode, keyframes, CLIP on
        keyframes, OCR) runs in a second thread while this one decodes audio and runs ASR window by
        window; PyAV, CTranslate2 and torch release the GIL, so the two overlap. The entries are the same
        either way. `partial` keeps finished windows and the visual side on disk (a killed run resumes
        from them); `on_media(seconds)` is called as the audio's windows finish (seconds from the start)."""
        if not info.has_video and not info.has_audio:
            raise BadInputError(path, "no audio or video stream")
        cfg = self.config
        on_media = on_media or (lambda seconds: None)
        out = FileEntries(path=path, video_id=video_id, duration=info.duration,
                          kind="video" if info.has_video else "audio")
        times = out.times
        visual = VisualResult([], None, None)
        visual_job = None
        cancel = threading.Event()
        visual_times = StageTimes()  # its own: StageTimes is not shared across threads
        if info.has_video and cfg.sampling.overlap and info.has_audio:
            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="momentsearch-visual")
            visual_job = pool.submit(run_niced, cfg.sampling.visual_nice, self._visual_side, path, info,
                                     visual_times, cancel, False, partial)
            pool.shutdown(wait=False)
            models = ("+clip" if self.clip is not None else "") + ("+ocr" if self.ocr is not None else "")
            self.on_stage(f"decode+keyframes{models} (background)")  # the steps it runs: none that is off
        elif info.has_video:
            visual = self._visual_side(path, info, times, cancel, True, partial)
        ahead = SentenceVectors(self.text) if cfg.sampling.overlap and info.has_audio else None
        voices = VoiceTrack()
        try:
            transcript, track, caption_note = self._speech(path, info, out, partial, on_media, ahead, voices)
        except BaseException:
            cancel.set()  # the visual thread stops at its next frame
            if ahead is not None:
                ahead.close()
            raise
        if visual_job is not None:
            with self._stage("wait for visual", times):
                visual = visual_job.result()  # re-raises the thread's error here
            for stage, seconds in visual_times.seconds.items():
                times.add(stage, seconds)
        self._add_rows(out, info, transcript if (info.has_audio or track is not None) else None, visual, ahead, voices)
        if ahead is not None:
            ahead.close()
        speech_note = caption_note  # (joined to a note _add_rows left: a file cut short says so either way)
        if not caption_note and not info.has_audio and track is None:
            speech_note = "no audio track: indexed visually only"
        elif not caption_note and "transcript" not in out.channels:
            speech_note = "no speech found"
        out.note = "; ".join(n for n in (speech_note, out.note, no_length_note(path, info.duration)) if n)
        if info.audio_note and track is None:  # several audio tracks: say which one was transcribed
            out.note = "; ".join(n for n in (out.note, info.audio_note) if n)
        return out

    def _speech(self, path: str, info: MediaInfo, out: FileEntries, partial: PartialState | None,
                on_media: Callable[[float], None], ahead: SentenceVectors | None, voices: VoiceTrack):
        """(transcript, captions track or None, note about captions): the video's own captions when
        `captions.mode` takes them, else ASR of its audio; sets the file's language and source."""
        cfg = self.config
        transcript: list[TranscriptSegment] = []
        track, caption_note = find_captions(path, info.duration, cfg.captions.mode)
        out.sources["sidecar"] = sidecar_signature(path, cfg.captions.mode)  # (a later edit is noticed)
        if deck := deck_signature(path):  # lecture.pdf beside it: its pages back up the slide text (and an edit
            out.sources["deck"] = deck  # of it is noticed too)
        if track is not None:  # the video's own captions: no ASR (a caption file's timing checked on the sound)
            track, shifted = align_captions(track, path, info.duration) if cfg.captions.align and info.has_audio \
                else (track, "")
            transcript, out.language = track.segments(), track.language
            caption_note = "; ".join(n for n in (shifted, language_note(track, cfg.asr.language)) if n)
            out.sources["transcript"] = f"captions: {track.source}"
        elif info.has_audio:
            out.sources["transcript"] = f"asr: {self.asr.model_id}"
            unheard = Unheard()
            transcript, audio_end = self._transcribe(path, out.times, partial, on_media, ahead, unheard, voices)
            out.audio_end = audio_end
            if not info.has_video and info.mime in EXACT_LENGTH_AUDIO and out.duration - audio_end > TRUNCATED_GAP:
                caption_note = "; ".join(n for n in (caption_note, f"decoding stopped at {audio_end:.1f} s of "
                                                     f"the {out.duration:.1f} s its header states: cut short?") if n)
            if out.duration <= 0 or (not info.has_video and audio_end > 0):
                out.duration = audio_end  # an audio file: what decoded (ADTS .aac, VBR .mp3 only estimate it)
            out.language = unheard.language or getattr(self.asr, "detected_language", "") or (cfg.asr.language or "")
            # no words though the voice detector heard speech, or words Whisper doubted: another language?
            caption_note = "; ".join(n for n in (caption_note, unheard.note(self.asr, cfg.asr, transcript)) if n)
        return transcript, track, caption_note

    def _add_rows(self, out: FileEntries, info: MediaInfo, transcript: list[TranscriptSegment] | None,
                  visual: VisualResult, ahead: SentenceVectors | None = None, voices: VoiceTrack | None = None) -> None:
        """Chunks from the transcript (None: the file has none) cut at slide and topic changes,
        embeddings, every collection's rows, and the file's sections."""
        cfg, path, video_id, times = self.config, out.path, out.video_id, out.times
        segments, image_vectors, slides = visual.segments, visual.vectors, visual.slides
        # a file cut short: the picture and the sound both end early (the sound unknown when captions were used)
        if info.has_video and segments and (out.audio_end > 0 or not info.has_audio):
            decoded = max(segments[-1].end, out.audio_end)
            if out.duration - decoded > TRUNCATED_GAP:
                out.note = "; ".join(n for n in (out.note, f"decoding stopped at {decoded:.1f} s of the "
                                                 f"{out.duration:.1f} s its header states: cut short?") if n)
                out.duration = decoded
        chunks: list[Chunk] = []
        cuts = [s.start for s in segments[1:] if not s.forced]  # slide changes; periodic splits are none
        if transcript is not None:
            topics = self._topic_changes(transcript, cuts, out.duration, times, ahead, voices)
            cuts += topics
            chunks = build_chunks(transcript, cfg.chunks, breaks=cuts)
            if slides:
                slides = split_at_topics(slides, topics)
        chunk_ids = [entry_id(video_id, "chunk", c.start, c.end) for c in chunks]
        chunk_metas = [{**entry_meta(video_id, path, c.start, c.end, "chunk"),
                        "words": encode_times(c.start, c.word_times)} for c in chunks]
        chunk_texts = [c.text for c in chunks]
        if chunks:
            with self._stage("text embedding", times):
                vectors = self.text.embed_texts(chunk_texts)
            out.add("transcript", chunk_ids, vectors, chunk_metas, chunk_texts)
            out.channels.append("transcript")
        if segments and self.clip is not None and image_vectors is not None:
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
                stored = drop_contents_lines(drop_carried_lines(drop_repeated_lines(slides)))
                # the lecture's own deck (lecture.pdf) backs up the words OCR misread on the slides it shows
                stored, deck_note = back_with_deck(stored, deck_of(path), cfg.ocr.min_weight)
                out.note = "; ".join(n for n in (out.note, deck_note) if n)
                out.sources.update({DECK_USE: deck_note} if deck_note else {})  # (decks_used: the summary)
                ids, vectors, metas, docs = slide_rows(stored, self.text, video_id, path)
            if ids:
                out.add("ocr", ids, vectors, metas, docs)
            out.channels.append("ocr")  # it ran: a video whose slides have no text has the channel, empty
        if segments:  # a variable-frame-rate file can decode past the duration its container states
            out.duration = max(out.duration, segments[-1].end)
        out.visual_segments = [(s.start, s.end) for s in segments]
        out.sections = sections(cuts, out.duration)


TRUNCATED_GAP = 5.0  # seconds; a file whose picture and sound end this far before its stated length is cut short
EXACT_LENGTH_AUDIO = ("audio/flac", "audio/mp4")  # sound files whose header states their length exactly (FLAC's
#    sample count, an M4A's index), unlike ADTS .aac and VBR .mp3 (estimated) or .wav and .ogg (read from the end)


def _decoded_part(segments: list[VisualSegment], end: float, cancel: threading.Event) -> list[VisualSegment]:
    """`segments` (which cover the stated duration) ending where the picture stopped decoding, when that
    is `TRUNCATED_GAP` seconds or more before their end (a truncated file; a run being cancelled has not
    decoded everything and keeps its segments as they are)."""
    if not segments or cancel.is_set() or end <= 0 or segments[-1].end - end < TRUNCATED_GAP:
        return segments
    kept = [s for s in segments if s.start < end]
    if kept:
        kept[-1].end = end
    return kept


