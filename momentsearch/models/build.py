"""The models a Config asks for, built lazily and once: used by MomentIndex and by Ray workers alike."""

from __future__ import annotations

from functools import cached_property

from momentsearch.errors import ModelUnavailableError
from momentsearch.options import ASROptions, Config


def make_asr(options: ASROptions, device: str = "cpu"):
    """The ASR wrapper for `options.engine` ("faster-whisper" or "openai-whisper"); nothing is loaded yet."""
    if options.engine == "faster-whisper":
        from momentsearch.models.asr import FasterWhisperASR

        return FasterWhisperASR(options, device)
    if options.engine == "openai-whisper":
        from momentsearch.models.asr_openai import OpenAIWhisperASR

        return OpenAIWhisperASR(options, device)
    raise ModelUnavailableError(f"unknown ASR engine {options.engine!r}; use 'faster-whisper' or 'openai-whisper'")


class Models:
    """Text embedder, ASR and CLIP for `config`; nothing loads until a property is first read."""

    def __init__(self, config: Config) -> None:
        self.config = config

    @cached_property
    def text_embedder(self):
        from momentsearch.models.text import TextEmbedder

        # the device is resolved only if a sentence-transformers model needs it: the numpy MiniLM runs on
        # the CPU, and deciding "auto" may import torch (seconds) for nothing
        return TextEmbedder(self.config.models.text_model, device=self.config.models.device)

    @cached_property
    def clip(self):
        return self.clip_for(self.config.models.clip_model, self.config.models.clip_pretrained)

    @cached_property
    def asr(self):
        # the device is resolved in the wrapper's load: deciding "auto" may import torch (seconds), and a
        # run refused before any model loads (another index's models) should not wait for it
        return make_asr(self.config.asr, self.config.models.device)

    def text_for(self, model: str):
        """A text embedder for another model (an index built with it), same device."""
        from momentsearch.models.text import TextEmbedder

        return TextEmbedder(model, device=self.config.models.device)

    def clip_for(self, model: str, pretrained: str):
        """A CLIP wrapper for another architecture/weights (an index built with them), same cache and device."""
        from momentsearch.models.clip import ClipModel

        # the device is resolved in ClipModel.load: a CLIP that never loads imports no torch
        return ClipModel(model, pretrained, cache_dir=self.config.models.clip_cache_dir,
                         device=self.config.models.device)
