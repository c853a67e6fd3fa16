"""The options a command runs with: the shipped defaults or --config's file, with the flags over them."""

from __future__ import annotations

import os
import shlex

from momentsearch.errors import MomentSearchError
from momentsearch.options import ASROptions, Config, load_config
from momentsearch.types import REINDEX_COMMAND


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


_ENTRY_FLAGS = ("asr", "language", "text_model", "captions", "clip_model", "clip_pretrained")  # (and --no-ocr)


def option_flags(args) -> list[str]:
    """The flags of `args` that decide what a file's entries hold (--config's file and paths absolute), to be
    repeated in a command the run suggests: without them it indexed with the defaults."""
    flags = ["--config", os.path.abspath(args.config)] if getattr(args, "config", None) else []
    for name in _ENTRY_FLAGS:
        if (value := getattr(args, name, None)) is not None:
            value = os.path.abspath(value) if os.path.sep in value and os.path.exists(value) else value
            flags += [f"--{name.replace('_', '-')}", value]
    return flags + (["--no-ocr"] if getattr(args, "no_ocr", False) else [])


def with_run_flags(warnings: list[str], args) -> list[str]:
    """`warnings` whose `--reindex` command also names this run's option flags: pasted as it was, it redid the
    files with the defaults, not "with this run's options" as the note said (another --config's chunks, --asr)."""
    flags = " ".join(shlex.quote(f) for f in option_flags(args))
    return [w.replace(f"`{REINDEX_COMMAND} ", f"`{REINDEX_COMMAND} {flags} ") if flags else w for w in warnings]
