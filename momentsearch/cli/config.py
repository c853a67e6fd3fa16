"""The options a command runs with: the shipped defaults or --config's file, with the flags over them."""

from __future__ import annotations

from momentsearch.errors import MomentSearchError
from momentsearch.options import ASROptions, Config, load_config


def config_for(args) -> Config:
    """--config's file (or the shipped defaults) with the flags over it."""
    overrides: dict = {}
    models = {}
    if getattr(args, "device", None):
        if args.device == "cuda":  # asked for, so refused when absent, whatever the command loads
            from momentsearch.models.device import resolve_device

            resolve_device("cuda")
        models["device"] = args.device
    if getattr(args, "clip_model", None):
        models["clip_model"] = args.clip_model
    if getattr(args, "clip_pretrained", None):
        models["clip_pretrained"] = args.clip_pretrained
    if getattr(args, "no_ocr", False):
        models["ocr"] = False
    if getattr(args, "text_model", None):
        models["text_model"] = args.text_model
    if getattr(args, "ray_workers", None) is not None:
        if args.ray_workers < 1:
            raise MomentSearchError("--ray-workers must be >= 1")
        overrides["distributed"] = {"workers": args.ray_workers}
    if models:
        overrides["models"] = models
    if getattr(args, "captions", None):
        overrides["captions"] = {"mode": args.captions}
    asr = asr_overrides(getattr(args, "asr", None), getattr(args, "language", None))
    if "language" in asr and getattr(args, "language", None) is None and args.config:  # implied by --asr base
        if load_config(args.config).asr.language != ASROptions.language:  # the file names it: de stays de
            del asr["language"]
    if asr:
        overrides["asr"] = asr
    return load_config(args.config, overrides)


def asr_overrides(asr: str | None, language: str | None) -> dict:
    """`--asr` (an engine, a model, ENGINE:MODEL) and `--language` (a Whisper code, or auto: detect)."""
    out: dict = {}
    if asr:
        engines = ("faster-whisper", "openai-whisper")
        if asr in engines:  # the engine alone: the model stays the configured one (base unless a config says)
            out["engine"] = asr
        elif ":" in asr and asr.split(":", 1)[0] in engines:
            out["engine"], out["model"] = asr.split(":", 1)
        else:
            out["model"] = asr
        if out.get("model") == "base":  # named on purpose: the multilingual model, so detect the language
            out["language"] = None
    if language is not None:  # "" too: refused by the options' check, not taken for the default (English)
        out["language"] = None if language == "auto" else language
    return out
