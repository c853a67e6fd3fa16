"""The ranges options must keep and the rules between them: `Config.validate()` runs these.

Each broken rule is one message that names the option's key, what it allows and the value given
("ranking.nms_overlap must be in [0, 1], got 2"): an admin with a file of forty options must not have
to guess which of eight options in one sentence it was. Works on the options dataclasses without
importing them (options.py imports this module).
"""

from __future__ import annotations

from typing import Any, Callable

WHISPER_LANGUAGES = frozenset("""af am ar as az ba be bg bn bo br bs ca cs cy da de el en es et eu fa fi fo fr gl gu
ha haw he hi hr ht hu hy id is it ja jw ka kk km kn ko la lb ln lo lt lv mg mi mk ml
mn mr ms mt my ne nl nn no oc pa pl ps pt ro ru sa sd si sk sl sn so sq sr su sv sw
ta te tg th tk tl tr tt uk ur uz vi yi yo yue zh""".split())  # Whisper's codes

# what is allowed, said once: (test, words)
AT_LEAST_0 = (lambda v: v >= 0, ">= 0")
AT_LEAST_1 = (lambda v: v >= 1, ">= 1")
ABOVE_0 = (lambda v: v > 0, "> 0")
SHARE = (lambda v: 0 <= v <= 1, "in [0, 1]")
OPEN_SHARE = (lambda v: 0 < v < 1, "in (0, 1), both ends excluded")


def _check(out: list[str], section: Any, prefix: str, rules: dict[str, tuple[Callable[[Any], bool], str]]) -> None:
    for name, (ok, allowed) in rules.items():
        value = getattr(section, name)
        if not ok(value):
            out.append(f"{prefix}.{name} must be {allowed}, got {value!r}")


def config_problems(config: Any) -> list[str]:
    """Every rule a Config breaks, one message each (empty: the options are usable)."""
    out: list[str] = []
    _check(out, config.sampling, "sampling", {"fps": ABOVE_0, "visual_nice": (lambda v: 0 <= v <= 19, "in 0..19"),
                                              "max_side": (lambda v: v >= 16, ">= 16")})
    _keyframe_problems(out, config.keyframes)
    out += asr_problems(config.asr)
    _check(out, config.captions, "captions", {"mode": (lambda v: v in ("auto", "prefer", "ignore"),
                                                       "auto, prefer or ignore")})
    _chunk_problems(out, config.chunks)
    _check(out, config.models, "models", {"device": (lambda v: v in ("auto", "cpu", "cuda"), "auto, cpu or cuda")})
    _ranking_problems(out, config.ranking)
    _check(out, config.distributed, "distributed", {"workers": AT_LEAST_0, "cpus_per_worker": ABOVE_0,
                                                    "gpus_per_worker": AT_LEAST_0, "max_retries": AT_LEAST_0})
    _check(out, config.ocr, "ocr", {
        "frame_side": (lambda v: v == 0 or v >= 32, "0 (read the sampled frames) or >= 32"),
        "det_max_side": (lambda v: v >= 32, ">= 32"), "min_confidence": (lambda v: 0 <= v < 1, "in [0, 1)"),
        "title_height": ABOVE_0, "min_weight": (lambda v: 0 < v <= 1, "in (0, 1]"),
        "same_text": (lambda v: 0 < v <= 1, "in (0, 1]"), "extra_reads": AT_LEAST_0, "workers": AT_LEAST_0})
    return out


def _keyframe_problems(out: list[str], k: Any) -> None:
    _check(out, k, "keyframes", {"analysis_width": (lambda v: v >= 16, ">= 16"), "block": (lambda v: v >= 2, ">= 2"),
                                 "persistence": AT_LEAST_1, "same_strokes": OPEN_SHARE, "block_grey": OPEN_SHARE,
                                 "cut_share": OPEN_SHARE, "view_share": OPEN_SHARE})
    if k.view_share > k.cut_share:
        out.append(f"keyframes.view_share must be <= keyframes.cut_share ({k.cut_share!r}), got {k.view_share!r}")
    if k.max_segment <= k.min_segment:
        out.append(f"keyframes.max_segment must be > keyframes.min_segment ({k.min_segment!r}), "
                   f"got {k.max_segment!r}")


def asr_problems(a: Any) -> list[str]:
    out: list[str] = []
    _check(out, a, "asr", {
        "engine": (lambda v: v in ("faster-whisper", "openai-whisper"), "'faster-whisper' or 'openai-whisper'"),
        "temperatures": (lambda v: bool(v) and all(0 <= t <= 1 for t in v), "a non-empty list of numbers in [0, 1]"),
        "cpu_threads": (lambda v: v >= 0, ">= 0 (0: automatic)"), "batch_size": AT_LEAST_0,
        "cpu_batch_size": AT_LEAST_0, "beam_size": (lambda v: v >= 1, ">= 1 (1: greedy)"),
        "max_new_tokens": (lambda v: v is None or v >= 1, ">= 1 (or unset: no cap)"),
        "window_seconds": (lambda v: v == 0 or v >= 10, "0 (no windows) or >= 10"),
        # codes only: else every file fails
        "language": (lambda v: v is None or v in WHISPER_LANGUAGES,
                     "a Whisper language code (en, de, fr, zh, ...), or auto to detect it")})
    if a.model.endswith(".en") and a.language not in (None, "en"):  # it would transcribe English anyway
        out.append(f"asr.model {a.model!r} knows English only, asked for language {a.language!r}: "
                   "use the multilingual model (--asr base, asr.model = \"base\")")
    return out


def _chunk_problems(out: list[str], c: Any) -> None:
    _check(out, c, "chunks", {"min_seconds": ABOVE_0, "overlap_seconds": AT_LEAST_0, "cue_share": AT_LEAST_0,
                              "one_topic": (lambda v: v >= 0, ">= 0 (0: off)"), "topic_window": AT_LEAST_1,
                              "min_section": AT_LEAST_0})
    if c.max_seconds < c.min_seconds:
        out.append(f"chunks.max_seconds must be >= chunks.min_seconds ({c.min_seconds!r}), got {c.max_seconds!r}")
    if c.overlap_seconds >= c.min_seconds > 0:
        out.append(f"chunks.overlap_seconds must be below chunks.min_seconds ({c.min_seconds!r}), "
                   f"got {c.overlap_seconds!r}")


def _ranking_problems(out: list[str], r: Any) -> None:
    _check(out, r, "ranking", {
        "candidates": AT_LEAST_1, "late_share": SHARE, "late_candidates": AT_LEAST_1, "late_exact_cap": SHARE,
        "late_scale": (lambda v: len(v) == 2 and v[0] > 0, "[a, b] with a > 0"), "section_share": SHARE,
        "stem_share": SHARE, "min_moment": ABOVE_0, "join_share": (lambda v: 0 <= v <= 1, "in [0, 1] (1: never join)"),
        "min_score": AT_LEAST_0, "best_share": SHARE, "nms_overlap": SHARE, "agreement_bonus": AT_LEAST_0,
        "place_bonus": AT_LEAST_0, "fuzzy_weight": AT_LEAST_0, "review_weight": SHARE, "summary_weight": SHARE})
    if r.max_moment < r.min_moment:
        out.append(f"ranking.max_moment must be >= ranking.min_moment ({r.min_moment!r}), got {r.max_moment!r}")
    for name, weight in r.weights.items():
        if weight < 0:
            out.append(f"ranking.weights.{name} must be >= 0, got {weight!r}")
    if not any(v > 0 for v in r.weights.values()):
        out.append(f"ranking.weights: at least one channel's weight must be > 0, got {r.weights}")
    for name, pair in r.calibration.items():
        if len(pair) != 2 or pair[0] >= pair[1]:
            out.append(f"ranking.calibration.{name} must be [unrelated, clearly this] with unrelated < clearly this, "
                       f"got {pair!r}")
    for name, spread in r.spread.items():
        if spread <= 0:
            out.append(f"ranking.spread.{name} must be > 0, got {spread!r}")
