"""Speech brought to one loudness before Whisper (and its voice detector) hears it.

Recordings arrive at any level: a lecture-hall camera's microphone far from the lecturer records speech
20-30 dB below full scale, a phone close to the mouth near it. Whisper and Silero VAD are not
indifferent to that: on the benchmark's filmed lecture (hall reverb, hum, noise) the word error rate was
17 % as rendered (speech peaks at -1 dBFS), 27 % at a third of that level and 87 % at a tenth, where
the voice detector heard too little of the speech to pass on; brought back to one level first, all three
read 17 % (`docs/benchmarks.md`, 5 Dec). So each stretch of audio is scaled until its loud speech
(`speech_level`: the 99th percentile of 50 ms frame levels) sits at TARGET_DB, the level of speech
recorded well and normalised to -1 dBFS peaks, and never so far that its peaks pass full scale.
Audio within BAND_DB of that level is passed as it is: Whisper reads it about as well (three dev
lectures at 0.5, 0.71 and 1.41 times their level: 17.6, 18.6 and 16.8 % of words wrong against 17.3 %),
and any change of the samples reshuffles its words (levelling the renders, all within 6 dB of the target,
left the word error rate as it was, 22.0 -> 21.9 %, and the benchmark lost 13 queries and gained 5).
"""

from __future__ import annotations

import numpy as np

from momentsearch.types import SAMPLE_RATE

FRAME = SAMPLE_RATE // 20  # samples in a 50 ms frame
TARGET_DB = -14.0  # loud speech after levelling (dBFS); the benchmark's renders: -12 to -19 per window
BAND_DB = 6.0  # audio whose speech level is this close to TARGET_DB is left as it is
SILENT_DB = -70.0  # audio quieter than this holds nothing to level (digital silence) and is left as it is
MAX_GAIN_DB = 40.0  # at most this much louder: a quiet recording's hiss is not made into a roar
PEAK = 0.98  # the loud end of the samples (PEAK_QUANTILE of |x|: a lone click may pass it) stays under this
PEAK_QUANTILE = 99.99


def speech_level(samples: np.ndarray) -> float:
    """dBFS of the 99th percentile of the 50 ms frames' RMS levels: how loud the speech in `samples` is
    (pauses and silence, whatever their share, do not pull it down). -inf for empty or silent audio."""
    x = np.asarray(samples, dtype=np.float64)
    if x.size < FRAME:
        rms = np.sqrt(np.mean(x * x)) if x.size else 0.0
    else:
        frames = x[: x.size // FRAME * FRAME].reshape(-1, FRAME)
        rms = float(np.percentile(np.sqrt(np.mean(frames * frames, axis=1)), 99))
    return 20.0 * np.log10(rms) if rms > 0 else float("-inf")


def levelled(samples: np.ndarray) -> np.ndarray:
    """`samples` (mono float32) scaled so their speech level is TARGET_DB, at most MAX_GAIN_DB louder and
    with their loud end under PEAK; speech already within BAND_DB of it, and silence (under SILENT_DB),
    come back unchanged."""
    x = np.asarray(samples, dtype=np.float32)
    level = speech_level(x)
    if not np.isfinite(level) or level < SILENT_DB or abs(level - TARGET_DB) <= BAND_DB:
        return x
    gain = 10.0 ** (min(TARGET_DB - level, MAX_GAIN_DB) / 20.0)
    loud = float(np.percentile(np.abs(x), PEAK_QUANTILE))
    if loud > 0:
        gain = min(gain, PEAK / loud)
    return (x * np.float32(gain)).astype(np.float32, copy=False)
