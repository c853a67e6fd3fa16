"""The models a Config asks for, built lazily and once: used by MomentIndex and by Ray workers alike."""

from __future__ import annotations

import os
from dataclasses import replace
from functools import cached_property

from momentsearch.errors import ModelUnavailableError
from momentsearch.model_ids import model_ids_match
from momentsearch.models.device import keep_hub_offline
from momentsearch.options import ASROptions, Config, ModelOptions


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
        keep_hub_offline()  # before any model's library imports huggingface_hub (a Ray worker starts here)
        self.config = config
        self._others: dict[tuple, object] = {}  # text_for's and clip_for's models, one per name (each loads once)

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
        """A text embedder for another model (an index built with it), same device; the same one each time it is
        asked for, so a process that adds files to an all-mpnet-base-v2 index again and again loads it once."""
        from momentsearch.models.text import TextEmbedder

        key = ("text", model)
        if key not in self._others:
            self._others[key] = TextEmbedder(model, device=self.config.models.device)
        return self._others[key]

    def clip_for(self, model: str, pretrained: str):
        """A CLIP wrapper for another architecture/weights (an index built with them), same cache and device; the
        same one each time it is asked for (as text_for)."""
        from momentsearch.models.clip import ClipModel

        key = ("clip", model, pretrained)
        if key not in self._others:  # the device is resolved in ClipModel.load: one that never loads imports no torch
            self._others[key] = ClipModel(model, pretrained, cache_dir=self.config.models.clip_cache_dir,
                                          device=self.config.models.device)
        return self._others[key]

    def _clip_chosen(self) -> bool:
        """Whether the configuration names a CLIP of its own (flags, --config) rather than the default."""
        default, models = ModelOptions(), self.config.models
        return (models.clip_model, models.clip_pretrained) != (default.clip_model, default.clip_pretrained)

    def index_clip(self, built: dict):
        """The CLIP to add files to an index with, given its keyframes' metadata (`built`; {} when it has none):
        the configured one, or, where the configuration names the default and the index was built with another
        (a checkpoint named when it was made), the index's, so files added later go in with it without naming it
        again, as the text model does. A CLIP chosen otherwise is kept (and refused by the store's model check)."""
        if (not built.get("clip_model") or model_ids_match(built.get("model"), self.clip.model_id)
                or self._clip_chosen()):
            return self.clip
        return self.clip_for(built["clip_model"], built["clip_pretrained"])

    def search_clip(self, built: dict):
        """The CLIP that puts queries in the space of an index's keyframes (`built`: their metadata): the index's
        model, rebuilt from what it stored, unless the configuration names that same model and the stored
        checkpoint is gone (moved since: the path given now is where it is). A checkpoint id names only the file
        (`open_clip:ARCH/file:NAME`, and its content's fingerprint where the index was made with one), so while the
        stored file is there it is the one searched with."""
        from momentsearch.models.clip import looks_like_path

        if not built.get("clip_model"):
            return self.clip
        stored = self.clip_for(built["clip_model"], built["clip_pretrained"])
        if model_ids_match(built.get("model"), self.clip.model_id) and (stored.pretrained == self.clip.pretrained or (
                looks_like_path(stored.pretrained) and not os.path.exists(stored.pretrained))):
            return self.clip
        return stored

    def config_for(self, text, clip) -> Config:
        """The configuration with the text and CLIP models a run uses in place of those it names (an index's
        own), so what builds models from it (Ray workers) builds these."""
        models = self.config.models
        if text is not self.text_embedder:
            models = replace(models, text_model=text.model)
        if clip is not self.clip:
            models = replace(models, clip_model=clip.model_name, clip_pretrained=clip.pretrained)
        return self.config if models is self.config.models else replace(self.config, models=models)
