"""Caption files timed off the recording by a constant: captions timed from 0 on a video with an intro before the
talk, or exported from an edit with the intro cut. Every word, moment and link was off by that much, and nothing
said so. The cues are laid against where a voice detector hears speech in the recording's first minutes.

`find_shift` is numpy alone; `heard_speech` decodes the audio and runs the voice detector; pipeline/process.py
calls `align_captions` for a caption file that replaces speech recognition."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from momentsearch.models.level import levelled
from momentsearch.pipeline.captions import CaptionTrack
from momentsearch.pipeline.decode import SAMPLE_RATE, iter_audio_windows

FRAME = 0.1  # seconds; cues and speech are compared in frames this long
MAX_SHIFT = 90.0  # seconds; shifts looked for, each way (a title sequence, a cut intro)
MIN_SHIFT = 1.0  # seconds; a smaller one is a cue's own slack, never reported
HEARD_SECONDS = 300.0  # the recording's first seconds the detector listens to (a constant shows from the start)
MIN_CUED = 20.0  # seconds of cues and of speech within them; fewer: too little to tell
ONSET = 0.4  # seconds; a cue starts "with the speech" this near a start of speech the detector heard
MIN_FIT = 0.7  # a shift is clear where the cues fit the speech at least this well shifted (0-1, see find_shift),
MIN_GAIN = 0.2  # this much better than as timed,
MARGIN = 0.15  # and this much better than at any other shift more than a second away (one clear best)
# (measured on espeak-ng talks after 5 s of silence or music, cues with and without gaps between them and 0-0.6 s
# of slack, shifted by -30..+12.5 s: the shift fitted 0.87-0.93, as timed 0.38-0.54, the best other 0.58-0.67;
# not shifted, none found)


@dataclass(frozen=True)
class CaptionShift:
    """A constant shift found between a caption file's cues and the recording's speech."""

    seconds: float  # add this to every cue's time to meet the speech (positive: the cues come too early)
    fit: float  # how well the cues fit the speech shifted (0-1, see find_shift)
    fit_as_timed: float  # ... and as the file times them


def mask(spans: list[tuple[float, float]], frames: int, offset: float = 0.0) -> np.ndarray:
    """1.0 in each FRAME of [0, frames * FRAME) that a (start, end) span in seconds, moved `offset` seconds
    later, covers; else 0.0."""
    out = np.zeros(frames, dtype=np.float64)
    for start, end in spans:
        a, b = max(0, int(round((start + offset) / FRAME))), min(frames, int(round((end + offset) / FRAME)))
        out[a:b] = 1.0
    return out


def _at_each_shift(cued: np.ndarray, heard: np.ndarray, lag: int) -> tuple[np.ndarray, np.ndarray]:
    """For `cued` laid from `lag` frames before `heard`: per shift k (0..2 lag: lag - k frames later), the frames
    where both are 1 (cross-correlation through the FFT), and the cued frames that fall within `heard`."""
    n = len(heard)
    size = 1 << int(np.ceil(np.log2(len(cued) + n)))
    both = np.fft.irfft(np.fft.rfft(cued, size) * np.conj(np.fft.rfft(heard, size)), size)[:2 * lag + 1]
    total = np.concatenate(([0.0], np.cumsum(cued)))
    k = np.arange(2 * lag + 1)
    return np.round(both, 6), total[k + n] - total[k]


def find_shift(cues: list[tuple[float, float]], speech: list[tuple[float, float]], heard: float) -> CaptionShift | None:
    """The constant shift that lays `cues` (start, end seconds) on `speech` (spans a voice detector heard in the
    recording's first `heard` seconds, their pauses kept), where it is clear (MIN_SHIFT, MIN_FIT, MIN_GAIN, MARGIN).
    A shift's fit is the mean of two shares: the overlap of cues and speech over their union, and the cues that
    start within ONSET of a start of speech (cues that run on over pauses still start where a sentence does).
    None where the cues fit as timed, or nothing stands out (too few cues or too little speech to tell)."""
    lag, n = int(round(MAX_SHIFT / FRAME)), int(heard / FRAME)
    said = mask(speech, n)
    cued = mask(cues, n + 2 * lag, MAX_SHIFT)  # from MAX_SHIFT before the heard stretch: each shift is a slice
    if said.sum() * FRAME < MIN_CUED or cued[lag:lag + n].sum() * FRAME < MIN_CUED:
        return None
    both, inside = _at_each_shift(cued, said, lag)
    overlap = both / np.maximum(inside + said.sum() - both, 1.0)
    starts = np.zeros(n + 2 * lag)
    starts[[i for s, _ in cues if 0 <= (i := int(round(s / FRAME)) + lag) < len(starts)]] = 1.0
    hits, counted = _at_each_shift(starts, mask([(s - ONSET, s + ONSET) for s, _ in speech], n), lag)
    fit = (overlap + hits / np.maximum(counted, 1.0)) / 2
    best = int(np.argmax(fit))
    far = np.abs(np.arange(2 * lag + 1) - best) > round(1.0 / FRAME)
    shift = (lag - best) * FRAME
    if abs(shift) < MIN_SHIFT or fit[best] < MIN_FIT or fit[best] - fit[lag] < MIN_GAIN:
        return None
    if fit[far].max() > fit[best] - MARGIN:
        return None
    return CaptionShift(round(shift, 1), round(float(fit[best]), 2), round(float(fit[lag]), 2))


def heard_speech(path: str, seconds: float = HEARD_SECONDS) -> tuple[list[tuple[float, float]], float]:
    """Where Silero VAD (faster-whisper's voice detector) hears speech in the first `seconds` of `path`'s audio,
    pauses of 0.15 s and more kept apart, and how many seconds it listened to; ([], 0.0) without faster-whisper or
    audio. About 1.5 s of two cores for 300 s."""
    try:
        from faster_whisper.vad import VadOptions, get_speech_timestamps
    except ImportError:
        return [], 0.0
    windows = iter_audio_windows(path, window=seconds, search=0.0)
    try:
        first = next(windows, None)
    finally:
        windows.close()
    if first is None or first.samples.size == 0:
        return [], 0.0
    found = get_speech_timestamps(levelled(first.samples), VadOptions(min_silence_duration_ms=150, speech_pad_ms=30))
    return [(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in found], first.samples.size / SAMPLE_RATE


def shift_note(shift: CaptionShift, source: str) -> str:
    """What the file's row says of a shift applied to its captions, and what to do about it."""
    later = "later" if shift.seconds > 0 else "earlier"
    return (f"captions ({source}) moved {abs(shift.seconds):.1f} s {later} to meet the speech in the recording "
            f"(they fit it {shift.fit:.2f} so, {shift.fit_as_timed:.2f} as timed: timed from another start, an intro "
            f"added or cut?); shift the caption file's times by {shift.seconds:+.1f} s to keep it right for players, "
            f"or set [captions] align = false to index it as timed")


def align_captions(track: CaptionTrack, path: str, duration: float) -> tuple[CaptionTrack, str]:
    """`track` moved onto the recording's speech where a caption file's cues are clearly off it by a constant
    (find_shift), and the note that says so; else `track` and "". A subtitle stream (no cues as written) is
    muxed with the sound it was timed to: not checked, nothing decoded."""
    if not track.written:
        return track, ""
    speech, heard = heard_speech(path)
    shift = find_shift([(c.start, c.end) for c in track.cues], speech, heard) if heard else None
    if shift is None:
        return track, ""
    return track.shifted(shift.seconds, duration), shift_note(shift, track.source)
