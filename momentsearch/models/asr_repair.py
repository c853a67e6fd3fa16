"""Where batched decoding lost speech, so those stretches can be decoded again one at a time.

faster-whisper's BatchedInferencePipeline decodes each speech region of up to 30 s once, at
temperature 0, without timestamps. Mostly it hears what the sequential decoder hears, faster; but a
region can come back as a few invented words ("The first place is the first place." for 30 s of a
lecture on glaciers, mean token log-probability -1.96) or as nothing at all, and the words of that
stretch are lost to search. The sequential decoder would have sampled again (its temperature
fallback starts under a mean log-probability of -1.0). So after a batched pass, `spans_to_redo` names
the segments the decoder itself doubted that hold too few words for their time, and the speech that no
word covers, merged into spans; voice activity is looked for only where no word was heard for a few
seconds (a second VAD pass over a whole 5-minute window took about 1 s, up to a fifth of the
recogniser's time on 2 cores).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

DOUBT_LOGPROB = -1.0  # a batched segment under this mean token log-probability (whisper's fallback threshold) ...
SPARSE = 1.0  # ... and with fewer words a second than this is taken for invented words and decoded again
MIN_GAP = 3.0  # seconds between heard words (or the window's ends) in which voice activity is looked for
MIN_MISSED = 1.0  # seconds of speech (VAD) there without a single word that are decoded again
JOIN_GAP = 1.0  # spans to redo closer than this are decoded as one
PAD = 0.2  # seconds added on both sides of a span decoded again


def _get(obj: Any, key: str, default: Any = None) -> Any:
    return obj.get(key, default) if isinstance(obj, dict) else getattr(obj, key, default)


def _invented(segment: Any) -> bool:
    """The decoder doubted it (mean log-probability under DOUBT_LOGPROB) and it holds too few words for its
    time: "The first place is the first place." over 12.7 s. A doubted segment as dense as speech is
    kept: decoded again it came out no better ("the Alpha Power Bicola Helium" became "the Alpha Pardon
    the Khilia", and the query "helium nucleus" lost its file)."""
    duration = float(_get(segment, "end", 0.0)) - float(_get(segment, "start", 0.0))
    words = len(_get(segment, "words", None) or [])
    return float(_get(segment, "avg_logprob", 0.0)) < DOUBT_LOGPROB and words < SPARSE * max(duration, 1.0)


def spans_to_redo(segments: Sequence[Any], duration: float,
                  find_speech: Callable[[float, float], list[tuple[float, float]]],
                  final: Callable[[Any], bool] = lambda segment: False
                  ) -> tuple[list[bool], list[tuple[float, float]]]:
    """(per segment: keep it?, spans in seconds to decode again). `segments`: the batched pass's
    (objects or dicts with start, end, avg_logprob, words); `final(segment)`: it was decoded one at a
    time already (with the fallback), so it is kept whatever its log-probability. `find_speech(lo, hi)`:
    voice activity in [lo, hi] seconds; it is asked only about the stretches of `MIN_GAP` or more with
    no word heard, so a window whose words run on costs no second look."""
    keep = [final(s) or not _invented(s) for s in segments]
    spans = [(float(_get(s, "start", 0.0)), float(_get(s, "end", 0.0))) for s, k in zip(segments, keep) if not k]
    heard = sorted((float(_get(w, "start", 0.0)), float(_get(w, "end", 0.0)))
                   for s, k in zip(segments, keep) if k for w in _get(s, "words", None) or [])
    edges = [0.0] + [t for w in heard for t in w] + [duration]
    for lo, hi in zip(edges[::2], edges[1::2]):  # (window start, first word start), (word end, next start), ...
        if hi - lo >= MIN_GAP:
            spans += [(a, b) for a, b in find_speech(lo, hi) if b - a >= MIN_MISSED]
    merged: list[tuple[float, float]] = []
    for lo, hi in sorted(spans):
        if merged and lo - merged[-1][1] < JOIN_GAP:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return keep, [(max(0.0, lo - PAD), min(duration, hi + PAD)) for lo, hi in merged if hi > lo]
