"""The openai-whisper engine (PyTorch): `--asr openai-whisper`. Weights: a checkpoint path, whisper's own cache,
or for tiny.en and base the installed faster-whisper weights converted once (models/whisper_convert.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from momentsearch.errors import ModelUnavailableError
from momentsearch.models.asr import (LOW_LOGPROB, MAX_COMPRESSION_RATIO, NO_SPEECH_PROB, _as_audio, drop_hallucinations,
                                     ran_out)
from momentsearch.models.device import downloads_allowed, resolve_device
from momentsearch.models.level import levelled
from momentsearch.models.whisper_convert import CONVERTIBLE, converted_checkpoint
from momentsearch.options import ASROptions
from momentsearch.types import SAMPLE_RATE, TranscriptSegment


class OpenAIWhisperASR:
    """openai-whisper (PyTorch). `options.model` is a checkpoint .pt path, an official name in whisper's cache,
    or "tiny.en" / "base", converted from the installed faster-whisper weights when whisper's cache lacks them.

    options.vad_filter is not applied by this engine (segments invented on silence are still dropped).
    """

    def __init__(self, options: ASROptions, device: str = "cpu") -> None:
        self.options = options
        self.device = device
        self._model: Any = None
        self._torch_device = "cpu"
        self.detected_language = ""  # language of the last transcribe() (detected, or the one asked for)
        self.language_probability: float | None = None  # Whisper's probability of a detected_language

    @property
    def model_id(self) -> str:
        name = self.options.model
        return f"openai-whisper:{Path(name).name if os.sep in name or name.endswith('.pt') else name}"

    @staticmethod
    def _download_root() -> str:
        default = os.path.join(os.path.expanduser("~"), ".cache")
        return os.path.join(os.getenv("XDG_CACHE_HOME", default), "whisper")  # whisper's own default

    def load(self) -> "OpenAIWhisperASR":
        """Load the checkpoint (a no-op once loaded). Returns self."""
        if self._model is not None:
            return self
        try:
            import whisper
        except ImportError as exc:
            raise ModelUnavailableError("the openai-whisper engine is an optional part (it needs torch): "
                                        "pip install 'momentsearch[openai-whisper]', or use the default "
                                        f"faster-whisper engine ({exc})") from exc

        device = resolve_device(self.device)
        name = self.options.model
        how = (
            "pass a checkpoint, e.g. --asr openai-whisper:/path/to/base.pt (asr.model in a config; a file with "
            "'dims' and 'model_state_dict'), "
            "or set MOMENTSEARCH_ALLOW_DOWNLOAD=1 on a machine with internet"
        )
        heads = None
        if name in whisper.available_models():
            cached = Path(self._download_root()) / os.path.basename(whisper._MODELS[name])
            if not cached.is_file() and name in CONVERTIBLE:  # the installed faster-whisper weights, converted
                name, heads = str(converted_checkpoint(name)), whisper._ALIGNMENT_HEADS[name]
            elif not cached.is_file() and not downloads_allowed():
                raise ModelUnavailableError(f"openai-whisper weights {name!r} are not at {cached}; {how}")
        elif not Path(name).expanduser().is_file():
            raise ModelUnavailableError(f"openai-whisper checkpoint {name!r} not found (no such file); {how}")
        else:
            name = str(Path(name).expanduser())
        try:
            self._model = whisper.load_model(name, device=device, download_root=self._download_root())
            if heads:  # the cross-attention heads that time words (whisper sets them for its own names only)
                self._model.set_alignment_heads(heads)
        except Exception as exc:  # torch.load, state-dict and download errors: one error naming the weights
            raise ModelUnavailableError(f"cannot load openai-whisper model {name!r}: {exc}; {how}") from exc
        self._torch_device = device
        return self

    def transcribe(self, audio: np.ndarray, language: str | None = None) -> list[TranscriptSegment]:
        """Transcribe 16 kHz mono float32 samples; segments and words in seconds from the start of `audio`.
        `language`: hear it in this language (one detected from the file's earlier audio), not `options.language`."""
        samples = levelled(_as_audio(audio))
        if samples.size == 0:
            return []
        self.load()
        opts = self.options
        decode: dict[str, Any] = {"fp16": self._torch_device == "cuda"}
        if opts.beam_size > 1:
            decode["beam_size"] = opts.beam_size
        if opts.max_new_tokens:
            decode["sample_len"] = opts.max_new_tokens
        language = language or opts.language or self._speech_language(samples)
        result = self._model.transcribe(
            samples,  # an array, so whisper never runs the ffmpeg binary
            language=language,
            word_timestamps=True,
            condition_on_previous_text=False,
            compression_ratio_threshold=MAX_COMPRESSION_RATIO,
            logprob_threshold=LOW_LOGPROB,
            no_speech_threshold=NO_SPEECH_PROB,
            verbose=None,  # None: no printing, no progress bar
            temperature=tuple(opts.temperatures),
            **decode,
        )
        self.detected_language = str(result.get("language") or language or "")
        return drop_hallucinations(result.get("segments", []), samples.size / SAMPLE_RATE, ran_out(opts.temperatures))

    def _speech_language(self, samples: np.ndarray) -> str | None:
        """The language of the first 30 s of speech in `samples` (the voice detector's, as faster-whisper
        detects it), or None (no speech, or an English-only model): whisper itself detects from the first 30 s
        of the audio, whatever they hold, and took 32 s of music before a German lecture for Nynorsk."""
        self.language_probability = None
        if not self._model.is_multilingual:
            return None
        import whisper
        from faster_whisper.vad import collect_chunks, get_speech_timestamps

        spans = get_speech_timestamps(samples)
        if not spans:
            return None
        speech = np.concatenate(collect_chunks(samples, spans)[0])
        mel = whisper.log_mel_spectrogram(whisper.pad_or_trim(speech), n_mels=self._model.dims.n_mels)
        _, probabilities = self._model.detect_language(mel.to(self._model.device))
        code = max(probabilities, key=probabilities.get)
        self.language_probability = float(probabilities[code])
        return code
