"""Options for each stage, one dataclass each, and loading them from a TOML, YAML or JSON file.

The defaults are here; momentsearch/data/default.toml repeats them with comments (a test checks).
Every field has a comment; `Config.validate()` is the one place that checks them (the rules: option_checks.py).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from momentsearch.errors import ConfigError
from momentsearch.option_checks import WHISPER_LANGUAGES, config_problems  # noqa: F401 - the codes, re-exported

DEFAULT_CONFIG = Path(__file__).resolve().parent / "data" / "default.toml"
SHIPPED_CONFIGS = DEFAULT_CONFIG.parent / "configs"  # accurate, fast, mpnet: `--config fast` names one of them

# Limits of one search, the same for the library, the CLI and the HTTP API.
MAX_QUERY_CHARS = 2000  # longer query text is cut (the HTTP API refuses it): no embedding model reads further
MAX_RESULTS = 100  # most results one search returns (every front door refuses a k above it)


@dataclass
class SamplingOptions:
    fps: float = 1.0  # frames sampled per second of video
    max_side: int = 320  # sampled frames are decoded at most this many pixels on the long side
    overlap: bool = True  # decode + keyframes + image embedding run in a thread while ASR runs (same results)
    visual_nice: int = 19  # that thread's niceness (Linux): ASR, the longer path, gets the CPU first and the
    #    visual side the rest; 0 = the same priority (the two then slow each other down)
    skip_nonref: bool = True  # below half the video frame rate, skip decoding B-frames (~2x faster decode)
    skip_deblock: bool = False  # sampled frames skip the decoder's deblocking filter: ~20 % less decode work on
    #    H.264, but blockier samples cost cuts on filmed slides (docs/benchmarks.md, "1 Dec, late")
    skip_still: bool = True  # decode the keyframes first and skip the stretches between two that show the same
    #    picture (pipeline/sampling.py): the same samples where the picture changes, far less decoding of slides


@dataclass
class KeyframeOptions:
    # how slide / shot changes are found: see pipeline/keyframes.py (what is a cut) and picture.py (ink maps)
    analysis_width: int = 320  # pixels; frames are compared at about this width (ink maps of text strokes)
    block: int = 16  # side (analysis pixels) of the blocks changes are counted in
    same_strokes: float = 0.75  # two blocks with strokes whose detail correlates below this show other strokes
    block_grey: float = 0.12  # ... or its mean grey (0..1) moved by this much (a new background or picture)
    persistence: int = 2  # samples a change must hold, unmoving, to count (walking people, crossfades)
    cut_share: float = 0.06  # share of the blocks that show something which must change for a cut
    view_share: float = 0.04  # a smaller lasting change starts a new view in the segment (its own OCR)
    max_segment: float = 60.0  # seconds; a longer stable stretch is split, giving a periodic keyframe
    min_segment: float = 1.0  # seconds; changes closer than this to the last cut belong to it (fades)


@dataclass
class ASROptions:
    engine: str = "faster-whisper"  # "faster-whisper" or "openai-whisper"
    model: str = "base"  # name ("base", "tiny.en"), a model dir, or a hub name
    compute_type: str = "int8"  # CTranslate2 compute type on CPU; "float16" on CUDA
    language: str | None = "en"  # None detects the language
    vad_filter: bool = True  # skip silence before decoding (and so avoid text invented on silence)
    beam_size: int = 1  # 1 = greedy; larger is slower and a little more accurate
    max_new_tokens: int | None = None  # cap on decoded tokens per window (tests use it with random weights)
    batch_size: int = 16  # on CUDA (with vad_filter): speech regions decoded together; 0 or 1 = one at a time
    cpu_batch_size: int = 4  # the same on CPU: less CPU than sequential at the same WER; each more holds ~85 MB
    cpu_threads: int = 0  # CTranslate2 threads on CPU, at most its CPUs; 0 = all it may use ($MOMENTSEARCH_THREADS)
    window_seconds: float = 300.0  # audio is decoded, transcribed and kept (for resume) in windows this long,
    #    cut at the quietest moment of their last 30 s; 0 = the whole track at once (memory grows with length)
    temperatures: list[float] = field(
        default_factory=lambda: [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    )  # a window that decodes badly at 0.0 is retried sampling at the next; [0.0] alone is deterministic
    #    (a re-index then gives the same times, so the same entry ids), the fallback is often more accurate


@dataclass
class CaptionOptions:
    mode: str = "auto"  # "auto": a video's captions (sidecar .srt/.vtt/.ass or a subtitle stream) replace ASR
    #                     when they look real; "prefer": whenever they have words; "ignore": always ASR
    align: bool = True  # a caption file whose cues are all off the recording's speech by one clear shift (timed
    #                     from another start) is shifted onto it, saying so (pipeline/caption_offset.py)


@dataclass
class ChunkOptions:
    min_seconds: float = 10.0  # a transcript chunk is at least this long unless the speech ends
    max_seconds: float = 30.0  # and at most this long (split at a word boundary if a sentence runs on)
    overlap_seconds: float = 3.0  # consecutive chunks share about this much speech (whole sentences)
    topic_depth: float = 0.5  # topic score (similarity dip + pause share + cue) a gap needs to start a new section
    cue_share: float = 0.3  # topic score of a sentence opening with a cue phrase ("Now, ...", "Let's ..."; English)
    topic_window: int = 2  # sentences on each side of a gap whose mean vectors the topic score compares
    min_section: float = 8.0  # seconds; speech-made sections are at least this long
    one_topic: float = 1.5  # a slide on screen no longer than this many times the video's median slide holds
    #                         one topic: no section starts inside it from speech (needs 4 slides); 0 = off


@dataclass
class ModelOptions:
    device: str = "auto"  # "auto", "cpu" or "cuda"
    clip_model: str = "ViT-B-32"  # open_clip architecture name, or a path to an open_clip JSON config
    clip_pretrained: str = "laion2b_s34b_b79k"  # pretrained tag, a local checkpoint path, or "random" (tests only)
    clip_cache_dir: str | None = None  # where open_clip looks for / stores hub weights
    text_model: str = "all-MiniLM-L6-v2"  # sentence embedder for transcript chunks
    ocr: bool = True  # run slide OCR on keyframes


@dataclass
class OcrOptions:
    frame_side: int = 1280  # slides are read off frames decoded again at up to this long side (0: the sampled frames)
    det_max_side: int = 960  # images are shrunk so their long side is at most this many pixels before text detection
    min_confidence: float = 0.6  # recognised lines below this confidence (0..1) are dropped
    min_text_height: float = 0.02  # lines shorter than this share of the image height are dropped (noise, specks)
    title_height: float = 0.1  # a line this tall (share of image height) or taller weighs fully; smaller text less
    min_weight: float = 0.3  # the weight of the smallest readable text (a title weighs 1.0)
    same_text: float = 0.9  # neighbouring slides whose texts share this much (Jaccard of words) are one entry
    extra_reads: int = 2  # a slide on screen 6 s or more whose read looks cut (a lecturer in front of it) or that
    # went on past its keyframe is read again at this many other moments (pipeline/slide_reads.py); 0 = keyframe only
    workers: int = 0  # images read at once (a thread each, one onnxruntime thread); 0 = the CPUs this process may use


@dataclass
class RankingOptions:
    weights: dict[str, float] = field(
        default_factory=lambda: {"transcript": 1.0, "lexical": 0.8, "visual": 0.6, "ocr": 0.8, "clip_text": 0.4}
    )  # weight of each channel's calibrated score in the fused score
    calibration: dict[str, list[float]] = field(
        default_factory=lambda: {"transcript": [0.2, 0.8], "visual": [0.18, 0.32], "ocr": [0.2, 0.8],
                                 "clip_text": [0.15, 0.30]}
    )  # [similarity that means "unrelated", similarity that means "clearly this"] per dense channel
    spread: dict[str, float] = field(
        default_factory=lambda: {"transcript": 0.15, "visual": 0.05, "ocr": 0.15, "clip_text": 0.05}
    )  # per dense channel: a hit this far (cosine) below the query's best hit gets relative score 0
    candidates: int = 50  # hits fetched per channel before fusion
    late_share: float = 0.5  # share of the transcript score from word-piece late interaction (ranking/late.py); 0: off
    late_candidates: int = 25  # transcript hits (best cosines first) late interaction re-scores
    late_exact_cap: float = 0.5  # an identical word piece counts at most this (the lexical channel counts it)
    late_scale: list[float] = field(default_factory=lambda: [1.31, -0.16])  # MaxSim -> cosine scale: a * x + b
    section_share: float = 0.7  # share of a transcript hit's cosine taken from its section's vector (search/context.py)
    stem_share: float = 0.8  # what a query word counts in the lexical channel when the text holds only another
    # word of its stem ("calculated" for "calculator"); 1: stems alone decide
    spelling: bool = True  # a query word no indexed text holds: its other spelling or typo put right (search/spelling)
    fuzzy_weight: float = 1.0  # lexical score of a chunk that only sounds like the query (ranking/fuzzy.py); 0: off
    best_share: float = 0.5  # share of the fused evidence that is the best single channel's score (the rest: weighted mean)
    agreement_bonus: float = 0.1  # added per extra channel that agrees (calibrated score above agreement_level)
    agreement_level: float = 0.4  # calibrated score at which a channel counts as matching
    place_bonus: float = 0.1  # added to a span where the query points ("the recap": near the end; ranking/structure.py)
    review_weight: float = 0.5  # a hit in a recap of an earlier lecture or in an outline counts this much, unless the
    # query asks for one ("Recap of last week" repeats what another lecture taught: ranking/reviews.py); 1: off
    summary_weight: float = 0.75  # the same for the lecture's own closing summary ("Summary", "Wrap-up"); 1: off
    join_share: float = 0.8  # neighbouring sections split by speech alone (one picture) are answered together when
    # each scores at least this share of the best of them (the query does not tell them apart); 1: never
    image_speech_share: float = 0.5  # an image query's words: speech scores times this (the slide text is what it shows)
    min_moment: float = 4.0  # seconds; shorter moments are widened around their centre
    max_moment: float = 600.0  # seconds; longer candidate spans are not considered (an exercise or a break: ~10 min)
    nms_overlap: float = 0.3  # results on one video overlapping more than this (IoU) are suppressed
    min_score: float = 0.1  # relevance floor: fused scores below it (a faint match on one channel) are not returned


@dataclass
class DistributedOptions:
    workers: int = 0  # Ray worker actors, each loading the models once; 0 = cluster CPUs // cpus_per_worker
    cpus_per_worker: float = 1.0  # CPUs Ray reserves per actor; also the torch/CTranslate2 threads it uses
    gpus_per_worker: float = 0.0  # GPUs per actor (0.5 puts two actors on one GPU); >0 runs models on CUDA
    max_retries: int = 1  # a file whose worker died is tried this many more times, then reported failed


@dataclass
class Config:
    sampling: SamplingOptions = field(default_factory=SamplingOptions)
    keyframes: KeyframeOptions = field(default_factory=KeyframeOptions)
    asr: ASROptions = field(default_factory=ASROptions)
    captions: CaptionOptions = field(default_factory=CaptionOptions)
    chunks: ChunkOptions = field(default_factory=ChunkOptions)
    models: ModelOptions = field(default_factory=ModelOptions)
    ranking: RankingOptions = field(default_factory=RankingOptions)
    ocr: OcrOptions = field(default_factory=OcrOptions)
    distributed: DistributedOptions = field(default_factory=DistributedOptions)

    def validate(self) -> "Config":
        """This Config, or a ConfigError naming each option out of its range (option_checks.py: the rules)."""
        if problems := self._type_problems() or config_problems(self):  # ranges compare numbers: types first
            raise ConfigError("invalid options: " + "; ".join(problems))
        return self

    def _type_problems(self) -> list[str]:
        """A Config built in Python (`MomentIndex(db, config=Config(...))`) skips the file's type checks."""
        problems = []
        for stage in dataclasses.fields(self):
            options = getattr(self, stage.name)
            for name, hint in typing.get_type_hints(type(options)).items():
                if not _fits(value := getattr(options, name), hint):
                    problems.append(f"{stage.name}.{name} must be {_describe(hint)}, got {value!r:.80}")
        return problems


def _merge(obj: Any, values: dict[str, Any], where: str) -> Any:
    names = {f.name: f for f in dataclasses.fields(obj)}
    updates = {}
    for key, value in values.items():
        if key not in names:
            # a table name misspelt, or no such table; or an option outside its table
            what = f"section [{key}]" if not where and isinstance(value, dict) else f"option {where}{key}"
            raise ConfigError(f"unknown {what}{_elsewhere(key, where)}; known: {', '.join(sorted(names))}")
        current = getattr(obj, key)
        if dataclasses.is_dataclass(current):
            if not isinstance(value, dict):
                raise ConfigError(f"{where}{key} must be a table of options")
            value = _merge(current, value, f"{where}{key}.")
        else:
            hint = typing.get_type_hints(type(obj))[key]
            if not _fits(value, hint):
                raise ConfigError(f"{where}{key} must be {_describe(hint)}, got {value!r:.80}{_read_as(value, hint)}")
            if isinstance(current, dict):  # per channel: a misspelt channel would be a setting with no effect
                if unknown := sorted(set(value) - set(current)):
                    raise ConfigError(f"unknown option {where}{key}.{unknown[0]}; known: {', '.join(sorted(current))}")
                value = {**current, **value}
        updates[key] = value
    return dataclasses.replace(obj, **updates)


def _elsewhere(key: str, where: str) -> str:
    """Where an option put in the wrong table lives (`[ranking] model = ...`: it is asr.model)."""
    homes = [f"[{stage.name}]" for stage in dataclasses.fields(Config) if where.rstrip(".") != stage.name
             and key in {f.name for f in dataclasses.fields(stage.default_factory())}]
    return f" ({key} is an option of {' and '.join(homes)})" if homes else ""


def _read_as(value: Any, hint: Any) -> str:
    """Why a value the admin typed right arrived as another type: YAML reads `language: no` (Norwegian) as
    false and `min_score: 5e-2` (no dot) as text."""
    if isinstance(value, bool) and _fits("text", hint):
        return "; YAML reads an unquoted yes, no, on or off as true or false: quote it (\"no\")"
    if isinstance(value, str) and _fits(1.0, hint):
        try:
            number = float(value)
        except ValueError:
            return ""
        if "e" in value.lower() and math.isfinite(number):  # PyYAML's floats need a dot and a signed exponent
            plain = repr(number) if "e" not in repr(number) else f"{number:e}"
            return f"; YAML reads an exponent without a dot and a sign (5e-2, 1.0e3) as text: write {plain}"
        return "; write the number without quotes"
    return ""


def _fits(value: Any, hint: Any) -> bool:
    """Whether a value read from a config file has the option's declared type (a bool is no number, and
    "2" no number either: TOML and YAML give numbers as numbers)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, a) for a in args)
    if hint is bool or hint is str or hint is type(None):
        return isinstance(value, hint)
    if hint in (int, float):  # nan and inf pass every range check and then break indexing: refused
        return isinstance(value, int if hint is int else (int, float)) and not isinstance(value, bool) and \
            math.isfinite(value)
    if origin is list:
        return isinstance(value, list) and all(_fits(v, args[0]) for v in value)
    if origin is dict:
        return isinstance(value, dict) and all(isinstance(k, str) and _fits(v, args[1]) for k, v in value.items())
    return True


def _describe(hint: Any) -> str:
    names = {bool: "true or false", int: "a whole number", float: "a number", str: "text", type(None): "empty"}
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(a) for a in args)
    if origin is list:
        return f"a list, each {_describe(args[0])}"
    if origin is dict:
        return f"a table, each value {_describe(args[1])}"
    return names.get(hint, str(hint))


def _auto_language(values: dict) -> dict:
    """`asr.language = "auto"` read as detection (None), as `--language auto` is: TOML has no null, so a
    TOML options file could not ask for it at all."""
    asr = values.get("asr")
    if isinstance(asr, dict) and asr.get("language") == "auto":
        return {**values, "asr": {**asr, "language": None}}
    return values


def load_config(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> Config:
    """Defaults, then the shipped default file (or `path`), then `overrides` ({"asr": {"model": ...}})."""
    path = shipped_config(Path(path)) if path else DEFAULT_CONFIG
    if not path.is_file():
        folder = " (a folder: name the file in it)" if path.is_dir() else ""
        named = ", ".join(sorted(p.stem for p in SHIPPED_CONFIGS.glob("*.toml")))
        raise ConfigError(f"config file not found: {path}{folder} (one shipped with momentsearch is named alone: "
                          f"--config NAME, NAME one of {named})")
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            values = yaml.safe_load(text) or {}
        elif path.suffix.lower() == ".json":  # read as TOML it failed with "Invalid statement"
            values = json.loads(text) if text.strip() else {}  # empty: the defaults, as an empty TOML or YAML
        else:
            values = tomllib.loads(text)
    except Exception as exc:  # the parsers raise their own types; name the file in one error
        named = path.suffix.lower() in (".toml", ".yaml", ".yml", ".json") or isinstance(exc, UnicodeError)
        read_as = "" if named else " (read as TOML: a YAML file's name ends in .yaml, a JSON one's in .json)"
        raise ConfigError(f"cannot parse {path}: {' '.join(str(exc).split())}{read_as}") from exc
    if not isinstance(values, dict):
        raise ConfigError(f"{path} must hold tables of options (sampling, asr, ranking, ...), not a {type(values).__name__}")
    try:  # an admin's file of forty options: say which file the bad one is in
        from_file = _merge(Config(), _auto_language(values), "")
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    config = _merge(from_file, _auto_language(overrides), "") if overrides else from_file
    try:
        return config.validate()
    except ConfigError as exc:
        if config_problems(from_file):  # the file's own values (not only a flag's, such as --language klingon)
            raise ConfigError(f"{path}: {exc}") from None
        raise


def shipped_config(path: Path) -> Path:
    """`path`, or the options file shipped with momentsearch (SHIPPED_CONFIGS) it names by its name alone ("fast",
    "fast.toml") where no file of that name is in the working folder: an installed package has no configs/."""
    if path.exists() or path.parent != Path("."):
        return path
    shipped = SHIPPED_CONFIGS / (path.name if path.suffix else f"{path.name}.toml")
    return shipped if shipped.is_file() else path


def as_config(given: Config | str | Path | dict | None) -> Config:
    """The Config a caller means: a Config as it is, an options file's path (`load_config`), a dict of
    overrides on the defaults ({"asr": {"model": "tiny.en"}}), None the defaults; else a ConfigError."""
    if isinstance(given, Config):  # built in Python: checked as a file's options are (a negative weight, "0.5")
        return given.validate()
    if given is None:
        return load_config()
    if isinstance(given, (str, os.PathLike)):
        return load_config(given)
    if isinstance(given, dict):
        return load_config(overrides=given)
    raise ConfigError(f"config is a Config, an options file's path or a dict of options, not a {type(given).__name__}")
