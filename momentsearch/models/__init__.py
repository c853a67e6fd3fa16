"""Model wrappers: cheap to construct, loaded lazily, batch methods return L2-normalised float32 rows.

Importing this package imports no heavy library; torch, open_clip, faster-whisper and friends load in `load()`.
"""

from momentsearch.models.asr import FasterWhisperASR
from momentsearch.models.asr_openai import OpenAIWhisperASR
from momentsearch.models.build import make_asr
from momentsearch.models.whisper_weights import resolve_faster_whisper_model
from momentsearch.models.clip import TINY_CLIP_CONFIG, ClipModel
from momentsearch.models.device import resolve_device
from momentsearch.models.text import TextEmbedder

__all__ = [
    "TINY_CLIP_CONFIG",
    "ClipModel",
    "FasterWhisperASR",
    "OpenAIWhisperASR",
    "TextEmbedder",
    "make_asr",
    "resolve_device",
    "resolve_faster_whisper_model",
]
