"""Options for each stage, one dataclass each, and loading them from a TOML or YAML file.

The defaults are here; momentsearch/data/default.toml repeats them with comments (a test checks).
Every field has a comment; `Config.validate()` is the one place that checks rules between fields.
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

DEFAULT_CONFIG = Path(__file__).resolve().parent / "data" / "default.toml"

# Limits of one search, the same for the library, the CLI and the HTTP API.
MAX_QUERY_CHARS = 2000  # longer query text is cut (the HTTP API refuses it): no embedding model reads further
MAX_RESULTS = 100  # most results one search returns (k above it is cut to it; the HTTP API refuses it)


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
    cpu_threads: int = 0  # CTranslate2 threads on CPU; 0 = the CPUs this process may use ($MOMENTSEARCH_THREADS)
    window_seconds: float = 300.0  # audio is decoded, transcribed and kept (for resume) in windows this long,
    #    cut at the quietest moment of their last 30 s; 0 = the whole track at once (memory grows with length)
    temperatures: list[float] = field(
        default_factory=lambda: [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    )  # a window that decodes badly at 0.0 is retried sampling at the next; [0.0] alone is deterministic
    #    (a re-index then gives the same times, so the same entry ids), the fallback is often more accurate

    def problems(self) -> list[str]:
        out = []
        if not self.temperatures or any(not 0 <= t <= 1 for t in self.temperatures):
            out.append(f"asr.temperatures must be a non-empty list in [0, 1], got {self.temperatures}")
        if self.cpu_threads < 0:
            out.append(f"asr.cpu_threads must be >= 0 (0: automatic), got {self.cpu_threads}")
        if self.batch_size < 0 or self.cpu_batch_size < 0:
            out.append(f"asr.batch_size and asr.cpu_batch_size must be >= 0, got {self.batch_size}, "
                       f"{self.cpu_batch_size}")
        if self.window_seconds != 0 and self.window_seconds < 10:
            out.append(f"asr.window_seconds must be 0 (no windows) or >= 10, got {self.window_seconds}")
        if self.engine not in ("faster-whisper", "openai-whisper"):
            out.append(f"asr.engine must be 'faster-whisper' or 'openai-whisper', got {self.engine!r}")
        if self.language is not None and self.language not in WHISPER_LANGUAGES:  # else every file fails (codes only)
            out.append(f"asr.language must be a Whisper language code (en, de, fr, zh, ...; --language auto "
                       f"detects it), got {self.language!r}")
        if self.model.endswith(".en") and self.language not in (None, "en"):  # it would transcribe English anyway
            out.append(f"asr.model {self.model!r} knows English only, asked for language {self.language!r}: "
                       "use the multilingual model (--asr base, asr.model = \"base\")")
        return out


WHISPER_LANGUAGES = frozenset("""af am ar as az ba be bg bn bo br bs ca cs cy da de el en es et eu fa fi fo fr gl gu
ha haw he hi hr ht hu hy id is it ja jw ka kk km kn ko la lb ln lo lt lv mg mi mk ml
mn mr ms mt my ne nl nn no oc pa pl ps pt ro ru sa sd si sk sl sn so sq sr su sv sw
ta te tg th tk tl tr tt uk ur uz vi yi yo yue zh""".split())  # Whisper's codes


@dataclass
class CaptionOptions:
    mode: str = "auto"  # "auto": a video's captions (sidecar .srt/.vtt/.ass or a subtitle stream) replace ASR
    #                     when they look real; "prefer": whenever they have words; "ignore": always ASR


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
        problems = []
        if self.sampling.fps <= 0:
            problems.append(f"sampling.fps must be > 0, got {self.sampling.fps}")
        if not 0 <= self.sampling.visual_nice <= 19:
            problems.append(f"sampling.visual_nice must be in 0..19, got {self.sampling.visual_nice}")
        if self.sampling.max_side < 16:
            problems.append(f"sampling.max_side must be >= 16, got {self.sampling.max_side}")
        k = self.keyframes
        if k.analysis_width < 16 or k.block < 2 or k.persistence < 1:
            problems.append("keyframes: need analysis_width >= 16, block >= 2, persistence >= 1")
        shares = (k.same_strokes, k.block_grey, k.cut_share, k.view_share)
        if not all(0 < x < 1 for x in shares) or k.view_share > k.cut_share:
            problems.append("keyframes: same_strokes, block_grey, cut_share, view_share must be in (0, 1), "
                            "view_share <= cut_share")
        if self.keyframes.max_segment <= self.keyframes.min_segment:
            problems.append("keyframes.max_segment must be larger than keyframes.min_segment")
        problems += self.asr.problems()
        if self.captions.mode not in ("auto", "prefer", "ignore"):
            problems.append(f"captions.mode must be auto, prefer or ignore, got {self.captions.mode!r}")
        if not 0 < self.chunks.min_seconds <= self.chunks.max_seconds:
            problems.append("chunks: need 0 < min_seconds <= max_seconds")
        if not 0 <= self.chunks.overlap_seconds < self.chunks.min_seconds:
            problems.append("chunks.overlap_seconds must be >= 0 and below chunks.min_seconds")
        if self.chunks.cue_share < 0:
            problems.append("chunks.cue_share must be >= 0")
        if self.chunks.one_topic < 0:
            problems.append("chunks.one_topic must be >= 0 (0 = off)")
        if self.models.device not in ("auto", "cpu", "cuda"):
            problems.append(f"models.device must be auto, cpu or cuda, got {self.models.device!r}")
        r = self.ranking
        if not (r.candidates >= 1 and 0 <= r.late_share <= 1 and r.late_candidates >= 1 and 0 <= r.late_exact_cap <= 1
                and len(r.late_scale) == 2 and r.late_scale[0] > 0):
            problems.append("ranking: need candidates >= 1, 0 <= late_share <= 1, late_candidates >= 1, "
                            "0 <= late_exact_cap <= 1, late_scale = [a > 0, b]")
        if not (0 <= r.section_share <= 1 and 0 <= r.stem_share <= 1):
            problems.append("ranking: section_share and stem_share must be in [0, 1]")
        if not (0 < self.ranking.min_moment <= self.ranking.max_moment and 0 <= self.ranking.join_share <= 1):
            problems.append("ranking: need 0 < min_moment <= max_moment and join_share in [0, 1] (1: never join)")
        bad = {k: v for k, v in self.ranking.weights.items() if v < 0}
        if bad:
            problems.append(f"ranking.weights must be >= 0, got {bad}")
        d = self.distributed
        if d.workers < 0 or d.cpus_per_worker <= 0 or d.gpus_per_worker < 0 or d.max_retries < 0:
            problems.append("distributed: need workers >= 0, cpus_per_worker > 0, gpus_per_worker >= 0, "
                            "max_retries >= 0")
        o = self.ocr
        if (o.det_max_side < 32 or not 0 <= o.min_confidence < 1 or not 0 < o.min_weight <= 1 or o.title_height <= 0
                or o.workers < 0):
            problems.append("ocr: need det_max_side >= 32, 0 <= min_confidence < 1, 0 < min_weight <= 1, "
                            "title_height > 0, workers >= 0")
        problems += self._value_problems()
        if problems:
            raise ConfigError("invalid options: " + "; ".join(problems))
        return self

    def _value_problems(self) -> list[str]:
        """Values that would fail late (a model call) or silently (a channel zeroed, a read never made)."""
        problems, r, o = [], self.ranking, self.ocr
        if self.asr.beam_size < 1 or (self.asr.max_new_tokens is not None and self.asr.max_new_tokens < 1):
            problems.append("asr: need beam_size >= 1 and max_new_tokens >= 1 (or unset)")
        if not (0 <= r.min_score and 0 <= r.best_share <= 1 and 0 <= r.nms_overlap <= 1 and r.agreement_bonus >= 0
                and 0 <= r.place_bonus and r.fuzzy_weight >= 0 and 0 <= r.review_weight <= 1
                and 0 <= r.summary_weight <= 1) \
                or not any(v > 0 for v in r.weights.values()):
            problems.append("ranking: need min_score >= 0, best_share, nms_overlap, review_weight and summary_weight "
                            "in [0, 1], agreement_bonus, place_bonus and fuzzy_weight >= 0, and one channel weight > 0")
        if any(len(c) != 2 or c[0] >= c[1] for c in r.calibration.values()) or any(v <= 0 for v in r.spread.values()):
            problems.append("ranking: each calibration is [unrelated, clearly this] with unrelated < clearly this; "
                            "each spread > 0")
        if not (0 < o.same_text <= 1 and o.extra_reads >= 0 and o.frame_side >= 32):
            problems.append("ocr: need 0 < same_text <= 1, extra_reads >= 0, frame_side >= 32")
        if self.chunks.topic_window < 1 or self.chunks.min_section < 0:
            problems.append("chunks: need topic_window >= 1 and min_section >= 0")
        return problems


def _merge(obj: Any, values: dict[str, Any], where: str) -> Any:
    names = {f.name: f for f in dataclasses.fields(obj)}
    updates = {}
    for key, value in values.items():
        if key not in names:
            raise ConfigError(f"unknown option {where}{key}; known: {', '.join(sorted(names))}")
        current = getattr(obj, key)
        if dataclasses.is_dataclass(current):
            if not isinstance(value, dict):
                raise ConfigError(f"{where}{key} must be a table of options")
            value = _merge(current, value, f"{where}{key}.")
        else:
            hint = typing.get_type_hints(type(obj))[key]
            if not _fits(value, hint):
                raise ConfigError(f"{where}{key} must be {_describe(hint)}, got {value!r:.80}")
            if isinstance(current, dict):  # per channel: a misspelt channel would be a setting with no effect
                if unknown := sorted(set(value) - set(current)):
                    raise ConfigError(f"unknown option {where}{key}.{unknown[0]}; known: {', '.join(sorted(current))}")
                value = {**current, **value}
        updates[key] = value
    return dataclasses.replace(obj, **updates)


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


def load_config(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> Config:
    """Defaults, then the shipped default file (or `path`), then `overrides` ({"asr": {"model": ...}})."""
    path = Path(path) if path else DEFAULT_CONFIG
    if not path.is_file():
        folder = " (a folder: name the file in it)" if path.is_dir() else ""
        raise ConfigError(f"config file not found: {path}{folder}")
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            values = yaml.safe_load(text) or {}
        elif path.suffix.lower() == ".json":  # read as TOML it failed with "Invalid statement"
            values = json.loads(text)
        else:
            values = tomllib.loads(text)
    except Exception as exc:  # the parsers raise their own types; name the file in one error
        raise ConfigError(f"cannot parse {path}: {' '.join(str(exc).split())}") from exc
    if not isinstance(values, dict):
        raise ConfigError(f"{path} must hold tables of options (sampling, asr, ranking, ...), not a {type(values).__name__}")
    config = _merge(Config(), values, "")
    if overrides:
        config = _merge(config, overrides, "")
    return config.validate()


def as_config(given: Config | str | Path | dict | None) -> Config:
    """The Config a caller means: a Config as it is, an options file's path (`load_config`), a dict of
    overrides on the defaults ({"asr": {"model": "tiny.en"}}), None the defaults; else a ConfigError."""
    if given is None or isinstance(given, Config):
        return given or load_config()
    if isinstance(given, (str, os.PathLike)):
        return load_config(given)
    if isinstance(given, dict):
        return load_config(overrides=given)
    raise ConfigError(f"config is a Config, an options file's path or a dict of options, not a {type(given).__name__}")
