"""An audio stream's decoded frames (`packets.iter_decoded`) as mono float32 pieces at one sample rate."""

from __future__ import annotations

from typing import Iterator

import numpy as np

from momentsearch.types import SAMPLE_RATE

FULL_SCALE_S16 = 32768.0  # a 16-bit sample of this size is full scale (1.0 as float)


def mono_pieces(frames, channels: int, sample_rate: int = SAMPLE_RATE) -> Iterator[np.ndarray]:
    """`frames` (from `packets.iter_decoded`) as mono float32 pieces at `sample_rate` Hz (the resampler's tail
    included); a float among them is that many seconds of silence. FFmpeg's errors pass to the caller.

    Two or more channels are mixed down through 16-bit samples, as faster-whisper's and Whisper's own
    loaders do: FFmpeg scales its down-mix so no sample can pass full scale only for integer output; into
    float it adds the channels up, so a stereo recording came out 1.41x as loud as either channel (peaks
    past 1.0) and a 5.1 one up to 3.4x. (What Whisper hears is levelled afterwards, `models/level.py`.)
    A mono track is not mixed and keeps its float samples.
    """
    import av

    mixed = (channels or 1) > 1
    scale = FULL_SCALE_S16 if mixed else 1.0
    resampler, shape = None, None
    for frame in frames:
        if isinstance(frame, float):
            yield np.zeros(int(round(frame * sample_rate)), dtype=np.float32)
            continue
        if (frame.format.name, frame.layout.name, frame.sample_rate) != shape:
            # a broadcast's sound going from stereo to 5.1, or a damaged packet read as another kind of
            # frame: PyAV's resampler takes one kind only ('Frame does not match AudioResampler setup')
            yield from _drained(resampler, scale)
            shape = (frame.format.name, frame.layout.name, frame.sample_rate)
            resampler = av.AudioResampler(format="s16" if mixed else "flt", layout="mono", rate=sample_rate)
        for out in resampler.resample(frame):
            yield out.to_ndarray().reshape(-1).astype(np.float32) / scale
    yield from _drained(resampler, scale)


def _drained(resampler, scale: float) -> Iterator[np.ndarray]:
    """What `resampler` (None: none yet) still holds, as mono float32 pieces."""
    for out in resampler.resample(None) if resampler is not None else ():
        yield out.to_ndarray().reshape(-1).astype(np.float32) / scale
