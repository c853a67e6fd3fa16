"""Speech to text: 16 kHz mono float32 audio in, a list of `TranscriptSegment` (seconds, word timings) out.

Two engines behind one small interface (`model_id`, `load()`, `transcribe(audio)`):
  FasterWhisperASR  CTranslate2 (faster-whisper), the default; offline names "tiny.en" and "base"
  OpenAIWhisperASR  the reference PyTorch implementation; never shells out to ffmpeg (it gets arrays)
Both drop segments Whisper tends to invent on silence or noise (see `drop_hallucinations`).
"""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from momentsearch.errors import ModelUnavailableError
from momentsearch.models.device import (
    blas_threads,
    ctranslate2_cuda_problem,
    cuda_library_error,
    resolve_device,
    threads_for,
)
from momentsearch.models.asr_repair import spans_to_redo
from momentsearch.models.asr_words import segment_words
from momentsearch.models.level import levelled
from momentsearch.models.whisper_weights import resolve_faster_whisper_model
from momentsearch.options import ASROptions
from momentsearch.types import SAMPLE_RATE, TranscriptSegment, Word

NO_SPEECH_PROB = 0.6  # a segment above this no-speech probability ...
LOW_LOGPROB = -1.0  # ... and with a mean token log-probability below this is dropped as invented
SAMPLING_SEED = 1234  # CTranslate2's sampling seed (temperature fallback); any fixed value makes runs repeatable
MAX_COMPRESSION_RATIO = 2.4  # gzip ratio of the text; above it the text is repetitive ("thank you thank you ...")

def _as_audio(audio: np.ndarray) -> np.ndarray:
    array = np.asarray(audio, dtype=np.float32)
    if array.ndim != 1:
        raise ValueError(f"audio must be mono 1-D float32 samples at {SAMPLE_RATE} Hz, got shape {array.shape}")
    return np.ascontiguousarray(array)


def _get(obj: Any, key: str, default: Any = None) -> Any:
    return obj.get(key, default) if isinstance(obj, dict) else getattr(obj, key, default)


LOOP_REPEATS = 4  # a phrase of 1-4 words said this many times in a row is Whisper's failure loop ...
LONG_LOOP = 8  # ... in a text that compresses badly, this many times whatever the ratio: a loop followed by
# real words ("an N M P P P ... P Web sites keep only ...") compresses less than MAX_COMPRESSION_RATIO
LOOP_PHRASE = 12  # words; a loop can be a whole clause ("but we've been in the mask control," 30 times over
# accented speech) ...
CLAUSE_REPEATS = 3  # ... and a phrase of 5 or more words said 3 times in a row is one (a lecturer says a
# sentence twice for emphasis, not three times running)


def failure_loop(tokens: list[str], compression_ratio: float) -> int | None:
    """Where a segment's failure loop starts (`loop_start`), or None."""
    return loop_start(tokens, LOOP_REPEATS if compression_ratio > MAX_COMPRESSION_RATIO else LONG_LOOP)


def loop_start(tokens: list[str], repeats: int = LOOP_REPEATS) -> int | None:
    """Index of the first token of Whisper's failure loop ("thank you thank you thank you ...",
    "f f f f f ..."): a phrase of 1-4 words repeated `repeats` times in a row, or of 5 to LOOP_PHRASE
    words repeated CLAUSE_REPEATS times (half `repeats`, if more). None when there is none."""
    norm = ["".join(ch for ch in t.lower() if ch.isalnum()) for t in tokens]
    for i in range(len(norm)):
        for n in range(1, LOOP_PHRASE + 1):
            phrase, j = norm[i:i + n], i + n
            if len(phrase) < n or not any(phrase):
                break
            while norm[j:j + n] == phrase:
                j += n
            if (j - i) // n >= (repeats if n <= 4 else max(CLAUSE_REPEATS, repeats // 2)):
                return i
    return None


def ran_out(temperatures: Iterable[float]) -> float | None:
    """The temperature a segment is decoded at when the sampling fallback tried every one and each failed
    Whisper's own checks (both engines then keep a result, at the last temperature); None without a fallback."""
    temps = list(temperatures)
    return temps[-1] if len(temps) > 1 and temps[-1] > 0 else None


def drop_hallucinations(raw_segments: Iterable[Any], duration: float,
                        last_temperature: float | None = None) -> list[TranscriptSegment]:
    """Convert engine segments (objects or dicts) to `TranscriptSegment`s, dropping likely inventions.

    Dropped: empty text; no_speech_prob > NO_SPEECH_PROB with avg_logprob < LOW_LOGPROB; avg_logprob under
    LOW_LOGPROB at `last_temperature` (`ran_out`: every temperature failed, and the last sample is what was
    left: chatter in a break came out as "Thank you very much."); a text equal to the previous kept one.
    A segment is cut where its failure loop starts (`failure_loop`; dropped if that is its start) and kept
    whole if it has none: a 30 s lecture chunk that says one sentence twice compresses as well as a loop, and
    is real speech.
    Times are clamped to [0, duration].
    Word texts are stripped of the leading space Whisper puts on them (see `asr_words.segment_words`).
    Segments come back in the order of their first words' times.
    """

    def clamp(t: Any) -> float:
        return float(min(max(float(t), 0.0), duration))

    kept: list[TranscriptSegment] = []
    for seg in raw_segments:
        text = str(_get(seg, "text", "")).strip()
        if not text:
            continue
        no_speech, logprob = _get(seg, "no_speech_prob", 0.0), _get(seg, "avg_logprob", 0.0)
        if logprob < LOW_LOGPROB and (no_speech > NO_SPEECH_PROB or (
                last_temperature is not None and _get(seg, "temperature", 0.0) >= last_temperature)):
            continue
        raw_words = _get(seg, "words", None) or []
        words = segment_words(raw_words, clamp)
        if raw_words and not words:
            continue  # every word piled up at one instant: invented
        start, end = clamp(_get(seg, "start", 0.0)), clamp(_get(seg, "end", 0.0))
        cut = failure_loop([w.word for w in words] if words else text.split(), _get(seg, "compression_ratio", 0.0))
        if cut is not None:
            if words:
                words, end = words[:cut], (words[cut - 1].end if cut else start)
                text = " ".join(w.word for w in words)
            else:
                text = " ".join(text.split()[:cut])
        if not text or (kept and kept[-1].text.lower() == text.lower()):
            continue
        kept.append(TranscriptSegment(start, max(start, end), text, words))
    return in_heard_order(kept)


def in_heard_order(segments: list[TranscriptSegment]) -> list[TranscriptSegment]:
    """`segments` in the order their words were heard. A span decoded again on its own (`_redo_lost`: a
    quiet question from the room) can fall in a pause inside a segment of the batched pass ("... from Norway
    dried cod. | Good question. Let me go back ..."): that segment is cut at the pause, so that its words
    and the others' follow one another in time, and the pieces are ordered by their first words."""
    firsts = sorted(s.words[0].start for s in segments if s.words)
    pieces: list[TranscriptSegment] = []
    for seg in segments:
        inside = [t for t in firsts if seg.words and seg.words[0].start < t < seg.words[-1].start]
        if not inside:
            pieces.append(seg)
            continue
        groups: list[list[Word]] = [[]]
        for word in seg.words:
            if groups[-1] and any(groups[-1][-1].start < t <= word.start for t in inside):
                groups.append([])
            groups[-1].append(word)
        for k, group in enumerate(groups):
            start = seg.start if k == 0 else group[0].start
            end = seg.end if k == len(groups) - 1 else group[-1].end
            pieces.append(TranscriptSegment(start, max(start, end), " ".join(w.word for w in group), group))
    return sorted(pieces, key=lambda s: s.words[0].start if s.words else s.start)


def speech_share(audio: np.ndarray) -> float | None:
    """The share of `audio` (16 kHz mono float32) that Silero VAD, the voice detector faster-whisper ships
    (an ONNX file inside its wheel), hears as speech; None where faster-whisper is not installed."""
    try:
        from faster_whisper.vad import get_speech_timestamps
    except ImportError:
        return None
    audio = levelled(_as_audio(audio))  # a quiet track is judged by its speech, not its loudness
    if audio.size == 0:
        return 0.0
    spans = get_speech_timestamps(audio)
    return sum(s["end"] - s["start"] for s in spans) / audio.size


def shift_segments(segments: list[TranscriptSegment], offset: float) -> list[TranscriptSegment]:
    """`segments` with every time moved `offset` seconds later (a window's times made the file's)."""
    if not offset:
        return segments
    return [TranscriptSegment(s.start + offset, s.end + offset, s.text,
                              [Word(w.start + offset, w.end + offset, w.word, w.probability) for w in s.words])
            for s in segments]


class FasterWhisperASR:
    """faster-whisper (CTranslate2). int8 (options.compute_type) on CPU, float16 on CUDA. With VAD on,
    batched decoding (faster-whisper's BatchedInferencePipeline: speech regions of up to 30 s decoded
    side by side, options.batch_size on CUDA and options.cpu_batch_size on CPU). Silero VAD ships inside."""

    def __init__(self, options: ASROptions, device: str = "cpu") -> None:
        self.options = options
        self.device = device
        self._model: Any = None
        self._batched: Any = None  # BatchedInferencePipeline over _model when plan() batches
        self._batch = 0  # its batch size
        self.detected_language = ""  # language of the last transcribe() (detected, or the one asked for)
        self.language_probability = 0.0  # Whisper's probability of detected_language (1 when asked for)
        self._language = options.language  # the language transcribe() was asked for (None: detect it)
        self.device_note = ""  # why "auto" put it on the CPU although there is a GPU ("" when it did not)

    @staticmethod
    def plan(device: str, options: ASROptions) -> tuple[str, int]:
        """(CTranslate2 compute type, batch size; 0 = not batched) for a resolved device ("cpu"/"cuda").

        Batching needs VAD (it decodes the speech regions side by side). It pays off on a GPU and, measured
        on 2 cores (docs/benchmarks.md, "Long recordings"), on a CPU too: the batched pipeline decodes each
        region once at temperature 0 instead of retrying, and its matrix products are larger.
        """
        cuda = device == "cuda"
        size = options.batch_size if cuda else options.cpu_batch_size
        batch = size if options.vad_filter and size > 1 else 0
        return ("float16" if cuda else options.compute_type), batch

    @property
    def model_id(self) -> str:
        name = self.options.model
        return f"faster-whisper:{Path(name).name if os.sep in name else name}"

    def resolved_device(self) -> str:
        """"cpu" or "cuda" for this engine. "auto" takes CUDA only where CTranslate2 can run on it (a GPU that
        torch sees through CUDA 13 alone cannot), and then says so in `device_note`; "cuda" where it cannot
        is an error before any file, not a failure at the first window."""
        device = resolve_device(self.device)
        problem = ctranslate2_cuda_problem() if device == "cuda" else None
        if problem and self.device == "auto":
            self.device_note = f"speech recognition runs on the CPU: {problem} (docs/deploy.md, 'Indexing on a GPU')"
            return "cpu"
        if problem:
            raise cuda_library_error(problem) or ModelUnavailableError(f"device 'cuda': {problem}")
        return device

    def load(self) -> "FasterWhisperASR":
        """Load the model (a no-op once loaded). Returns self."""
        if self._model is not None:
            return self
        device = self.resolved_device()
        path = resolve_faster_whisper_model(self.options.model)
        import ctranslate2
        from faster_whisper import WhisperModel

        compute_type, batch = self.plan(device, self.options)
        # The temperature fallback samples with CTranslate2's generator: one per model thread, seeded when
        # the thread first samples. A fixed seed plus a fresh model after any window that sampled (see
        # transcribe) makes every window decode the same whatever ran before it: a local batch, a Ray
        # worker, a re-run, a resumed file's windows.
        ctranslate2.set_random_seed(SAMPLING_SEED)
        try:
            self._model = WhisperModel(
                path, device=device, compute_type=compute_type,
                cpu_threads=threads_for(self.options.cpu_threads), local_files_only=True
            )
            if batch:
                from faster_whisper import BatchedInferencePipeline

                self._batched, self._batch = BatchedInferencePipeline(model=self._model), batch
        except Exception as exc:  # CTranslate2 raises RuntimeError/ValueError for bad dirs and compute types
            raise ModelUnavailableError(
                f"cannot load faster-whisper model {self.options.model!r} from {path} "
                f"({compute_type} on {device}): {exc}"
            ) from exc
        return self

    def transcribe(self, audio: np.ndarray, language: str | None = None) -> list[TranscriptSegment]:
        """Transcribe 16 kHz mono float32 samples; segments and words in seconds from the start of `audio`
        (`shift_segments` makes a window's times its file's). The same samples give the same words every
        call (see `load` on the sampling seed). `language`: hear it in this language (one detected from the
        file's earlier audio) instead of `options.language`."""
        samples = levelled(_as_audio(audio))
        if samples.size == 0:
            return []
        self.load()
        self._language = language or self.options.language
        model = self._model
        if self._batched is None:
            raw = self._decode(model, samples)
        else:
            raw = self._decode(self._batched, samples, batch_size=self._batch)
            # the stretches decoded again are heard in the language detected from the window's speech, not
            # in one detected anew from the second or two of speech each holds
            raw = self._redo_lost(samples, self._redo_loops(samples, raw))
        if any(_get(s, "temperature", 0.0) > 0 for s in raw):
            self._model = self._batched = None  # its sampling generator moved on: reload before the next call
            gc.collect()  # free the old model now (a long file may reload it many times), not at some later GC
        return drop_hallucinations(raw, samples.size / SAMPLE_RATE, ran_out(self.options.temperatures))

    def language_of(self, audio: np.ndarray) -> tuple[str, float] | None:
        """Whisper's guess at the language spoken in 16 kHz `audio` (its first 30 s of speech): (code,
        probability); None from an English-only model, which has no language to guess."""
        samples = levelled(_as_audio(audio))
        self.load()
        if samples.size == 0 or not self._model.model.is_multilingual:
            return None
        with blas_threads(1):
            language, probability, _ = self._model.detect_language(audio=samples, vad_filter=True)
        return language, float(probability)

    def _decode(self, engine: Any, samples: np.ndarray, **extra: Any) -> list:
        try:
            return self._decode_once(engine, samples, **extra)
        except RuntimeError as exc:  # on CUDA, a missing cuBLAS shows only now, at the first matrix product
            clear = cuda_library_error(exc)
            if clear is None:
                raise
            raise clear from exc

    def _decode_once(self, engine: Any, samples: np.ndarray, **extra: Any) -> list:
        opts = self.options
        again = engine is self._model and self._batched is not None  # a stretch of a window decoded batched
        language = (self.detected_language or self._language) if again else self._language
        # faster-whisper computes the mel features with numpy: with two BLAS threads the features (and so
        # words and their times) came out a little different from one thread, so a Ray worker (Ray sets one
        # thread) transcribed "up at weary" where the local run heard "up a query". One thread for all.
        with blas_threads(1):
            segments, info = engine.transcribe(
                samples,
                language=language,
                beam_size=opts.beam_size,
                word_timestamps=True,
                vad_filter=opts.vad_filter,
                condition_on_previous_text=False,  # stops one invented phrase from repeating through the file
                compression_ratio_threshold=MAX_COMPRESSION_RATIO,
                log_prob_threshold=LOW_LOGPROB,
                no_speech_threshold=NO_SPEECH_PROB,
                max_new_tokens=opts.max_new_tokens,
                temperature=list(opts.temperatures),  # sampling fallback (sequential only); [0.0] is reproducible
                **extra,
            )
            if not again:  # the window's language, detected from its speech (or the asked language when set)
                self.detected_language = info.language or ""
                self.language_probability = float(getattr(info, "language_probability", 0.0) or 0.0)
            # faster-whisper returns a lazy generator that decodes as it is read; list() does the work here.
            return list(segments)

    def _redo_loops(self, samples: np.ndarray, raw: list) -> list:
        """Batched decoding has no temperature fallback, so a failure loop ("N M F F F F ...") would lose
        the rest of its 30 s chunk: the chunk is kept up to the loop and the rest decoded again
        sequentially (with the fallback). Rare; the segments come back as dicts in time order."""
        out: list = []
        for seg in raw:
            words = list(seg.words or [])
            cut = failure_loop([w.word for w in words], seg.compression_ratio)
            if cut is None:
                out.append(seg)
                continue
            redo_from = words[cut - 1].end if cut else seg.start
            if cut:
                out.append({"text": "".join(w.word for w in words[:cut]), "start": seg.start, "end": redo_from,
                            "words": words[:cut], "no_speech_prob": seg.no_speech_prob,
                            "avg_logprob": seg.avg_logprob, "compression_ratio": 0.0})
            out += self._decode_span(samples, redo_from, seg.end)
        return out

    def _redo_lost(self, samples: np.ndarray, raw: list) -> list:
        """The batched pass's doubted segments and the speech it left without words (models/asr_repair.py)
        decoded again sequentially, with the fallback; the segments come back in time order."""
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        def speech(lo: float, hi: float) -> list[tuple[float, float]]:  # the batched pipeline's VAD options
            a = int(lo * SAMPLE_RATE)
            found = get_speech_timestamps(samples[a:int(hi * SAMPLE_RATE)],
                                          VadOptions(max_speech_duration_s=30, min_silence_duration_ms=160))
            return [(lo + t["start"] / SAMPLE_RATE, lo + t["end"] / SAMPLE_RATE) for t in found]

        # the segments _redo_loops decoded again (dicts) were decoded one at a time already
        keep, spans = spans_to_redo(raw, samples.size / SAMPLE_RATE, speech, final=lambda seg: isinstance(seg, dict))
        if not spans:
            return raw
        out = [seg for seg, k in zip(raw, keep) if k]
        for lo, hi in spans:
            out += self._decode_span(samples, lo, hi)
        return sorted(out, key=lambda seg: float(_get(seg, "start", 0.0)))

    def _decode_span(self, samples: np.ndarray, start: float, end: float) -> list[dict]:
        """Seconds [start, end) of `samples` decoded sequentially; times shifted to the window's."""
        lo, hi = int(start * SAMPLE_RATE), int(end * SAMPLE_RATE)
        out = []
        for again in self._decode(self._model, samples[lo:hi]) if hi > lo else []:
            shifted = [{"start": w.start + start, "end": w.end + start, "word": w.word,
                        "probability": w.probability} for w in again.words or []]
            out.append({"text": again.text, "start": again.start + start, "end": again.end + start,
                        "words": shifted, "no_speech_prob": again.no_speech_prob, "temperature": again.temperature,
                        "avg_logprob": again.avg_logprob, "compression_ratio": again.compression_ratio})
        return out
