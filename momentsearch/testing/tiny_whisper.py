"""A tiny randomly initialised openai-whisper checkpoint, for tests: it loads and runs fast, its text means nothing."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

# whisper treats n_vocab >= 51865 as multilingual; 51864 selects the English-only (gpt2.tiktoken) tokenizer
ENGLISH_VOCAB = 51864


def write_tiny_openai_whisper_checkpoint(path: str | Path, seed: int = 0) -> Path:
    """Write a 1-layer, 64-wide English-only whisper checkpoint to `path` for `whisper.load_model(path)`.

    The file holds {"dims": ..., "model_state_dict": ...} like the official checkpoints (about 16 MB,
    mostly the token embedding). Same seed, same weights.
    """
    import torch
    from whisper.model import ModelDimensions, Whisper

    dims = ModelDimensions(
        n_mels=80,
        n_audio_ctx=1500,  # 30 s windows of 20 ms frames, as every whisper model
        n_audio_state=64,
        n_audio_head=2,
        n_audio_layer=1,
        n_vocab=ENGLISH_VOCAB,
        n_text_ctx=448,
        n_text_state=64,
        n_text_head=2,
        n_text_layer=1,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = Whisper(dims)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"dims": asdict(dims), "model_state_dict": model.state_dict()}, path)
    return path
