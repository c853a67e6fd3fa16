"""How a synthetic lecture sounds in a room: reverberation, background noise and mains hum.

`apply_room(audio, room, seed)` takes clean 16 kHz narration and returns what a microphone in
`room` would record. Pure numpy: the reverb is a convolution (by FFT, block by block) with a
synthetic impulse response (direct sound, a few early reflections, an exponentially decaying noise
tail of the room's RT60).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SAMPLE_RATE = 16_000  # Hz


@dataclass(frozen=True)
class Room:
    """Acoustics of one recording. Times in seconds, levels in dB."""

    name: str
    rt60: float  # reverberation time: the tail falls by 60 dB in this long; 0 = no reverb
    wet_db: float  # energy of the reverberant tail relative to the direct sound
    snr_db: float  # speech to background-noise ratio (noise: pink, like fans and air handling)
    hum_db: float | None = None  # 50 Hz mains hum relative to speech; None = no hum


ROOMS = {r.name: r for r in [
    Room("studio", 0.0, -60.0, 45.0),  # close microphone, quiet room (the demo, unit tests)
    Room("office", 0.35, -12.0, 30.0),  # a headset or laptop microphone at a desk
    Room("hall", 0.9, -6.0, 20.0, hum_db=-38.0),  # a lecture hall recorded from the room
    Room("classroom", 0.6, -9.0, 24.0),  # a lapel microphone in a classroom
]}


def impulse_response(room: Room, seed: int = 0) -> np.ndarray:
    """A synthetic room impulse response, peak 1 at sample 0."""
    if room.rt60 <= 0:
        return np.ones(1, dtype=np.float32)
    rng = np.random.default_rng(seed)
    n = int(room.rt60 * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    tail = rng.normal(0.0, 1.0, n) * np.exp(-6.91 * t / room.rt60)  # -60 dB at rt60
    tail[: int(0.005 * SAMPLE_RATE)] = 0.0  # the tail starts after the direct sound
    tail *= np.sqrt(10 ** (room.wet_db / 10) / max(1e-12, float(np.sum(tail ** 2))))  # tail energy vs direct
    ir = tail
    ir[0] = 1.0
    for delay, gain in zip(rng.uniform(0.004, 0.03, 4), rng.uniform(0.15, 0.4, 4)):  # early reflections
        ir[int(delay * SAMPLE_RATE)] += gain
    return ir.astype(np.float32)


def _convolve(x: np.ndarray, ir: np.ndarray, block: int = 1 << 18) -> np.ndarray:
    """Overlap-add FFT convolution, same length as `x` (the tail past the end is dropped)."""
    if ir.size == 1:
        return x * ir[0]
    n_fft = 1 << int(np.ceil(np.log2(block + ir.size - 1)))
    spectrum = np.fft.rfft(ir, n_fft)
    out = np.zeros(x.size + ir.size, dtype=np.float64)
    for start in range(0, x.size, block):
        chunk = x[start: start + block]
        y = np.fft.irfft(np.fft.rfft(chunk, n_fft) * spectrum, n_fft)[: chunk.size + ir.size - 1]
        out[start: start + y.size] += y
    return out[: x.size]


def pink_noise(n: int, seed: int = 0) -> np.ndarray:
    """Noise with a 1/f power spectrum, unit RMS (made in blocks so long tracks stay cheap)."""
    rng = np.random.default_rng(seed)
    block = 1 << 16
    out = np.empty(n, dtype=np.float32)
    freqs = np.fft.rfftfreq(block, 1 / SAMPLE_RATE)
    shape = 1.0 / np.sqrt(np.maximum(freqs, 20.0))
    for start in range(0, n, block):
        spec = (rng.normal(size=freqs.size) + 1j * rng.normal(size=freqs.size)) * shape
        y = np.fft.irfft(spec, block)
        out[start: start + block] = (y / np.sqrt(np.mean(y ** 2)))[: min(block, n - start)]
    return out


def apply_room(audio: np.ndarray, room: Room, seed: int = 0) -> np.ndarray:
    """`audio` (16 kHz mono float32, speech peaking near 0.8) as recorded in `room`; same length."""
    if audio.size == 0:
        return audio.astype(np.float32)
    wet = _convolve(audio.astype(np.float64), impulse_response(room, seed))
    loud = np.abs(audio) > 0.02
    speech_rms = float(np.sqrt(np.mean(audio[loud] ** 2))) if loud.any() else 0.1
    noise = pink_noise(audio.size, seed + 1) * speech_rms * 10 ** (-room.snr_db / 20)
    if room.hum_db is not None:
        t = np.arange(audio.size) / SAMPLE_RATE
        hum = np.sin(2 * np.pi * 50 * t) + 0.4 * np.sin(2 * np.pi * 150 * t)
        noise = noise + hum * speech_rms * 10 ** (room.hum_db / 20)
    out = wet + noise
    peak = float(np.abs(out).max())
    return (out * (0.9 / peak if peak > 0.9 else 1.0)).astype(np.float32)
