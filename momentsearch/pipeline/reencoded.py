"""Re-encoded copies: the same lecture in another encoding (`lecture3.mp4` and `lecture3_720p.mp4`, an .mkv original
and its .mp4 export) has other bytes, so the content hash (store/ids.py) does not see it, and it was indexed in full
(ASR and OCR again) and then every search listed each moment twice, once per copy.

Before the expensive stages, a new media file is compared with the indexed files of its length (within
`DURATION_SLACK`), cheaply: its sound's loudness envelope (a value per `ENVELOPE_STEP`, from one decode of the audio
track: about 10 s per lecture hour of 44.1 kHz stereo AAC on a busy core) must follow the other's closely
(`SOUND_MATCH`, correlation over the whole length, within `MAX_LAG`) and its picture at `PICTURE_TIMES` moments must
look the same, small and grey (`PICTURE_MATCH`): the same talk filmed by two cameras (the slides, the speaker) has
one sound and is two recordings. A copy cut shorter or shifted (a trimmed start) is not taken: its times are not the
original's, so sharing entries would point at the wrong moments; it is indexed on its own. A file without sound, or
with a near-silent track, is never taken for a copy either: nothing then tells two lectures apart."""

from __future__ import annotations

import numpy as np

from momentsearch.errors import BadInputError
from momentsearch.types import SAMPLE_RATE, FileRecord, MediaInfo

DURATION_SLACK = 0.5  # seconds two encodings of one recording may differ in length (priming, last frame's length)
ENVELOPE_STEP = 0.1  # seconds of sound per value of the loudness envelope
FLOOR_DB = -60.0  # dB full scale; quieter steps count as this (a re-encoding's noise floor is not the original's)
MIN_SPREAD_DB = 3.0  # dB; an envelope that varies less than this (silence, a steady hum) tells nothing
MIN_SECONDS = 5.0  # a file shorter than this is too short to be recognised by its sound
MAX_LAG = 3  # envelope steps one encoding's sound may lag the other's (an encoder's delay: tens of ms)
SOUND_MATCH = 0.97  # least correlation of two envelopes of one recording (re-encodings measured at >= 0.99,
# different generated lectures of one length at <= 0.25, one script read by two voices at 0.59)
PICTURE_TIMES = 8  # moments the pictures are compared at, spread over the length
PICTURE_SIDE = 32  # pixels; the pictures are compared this small, in grey, so size and codec do not matter
PICTURE_MATCH = 8.0  # most mean difference (of 255) of the small pictures of one recording (re-encodings measured
# at <= 3.4; two slide decks of one template can come as close as 8, so the sound alone tells lectures apart)
MAX_CANDIDATES = 4  # indexed files of about this length compared at most (the nearest lengths first)


def loudness_envelope(path: str) -> np.ndarray:
    """The chosen audio track's loudness in dB full scale per ENVELOPE_STEP seconds (floored at FLOOR_DB), on the
    file's clock; empty without sound. Decodes the whole track once, holding one piece at a time."""
    from momentsearch.pipeline.decode import iter_audio_chunks

    step = int(round(ENVELOPE_STEP * SAMPLE_RATE))
    energies: list[float] = []
    rest = np.zeros(0, dtype=np.float32)
    for piece in iter_audio_chunks(path):
        rest = np.concatenate([rest, piece]) if rest.size else piece
        whole = rest.size // step * step
        if whole:
            energies.extend(np.mean(np.square(rest[:whole].reshape(-1, step), dtype=np.float64), axis=1))
            rest = rest[whole:]
    if not energies:
        return np.zeros(0, dtype=np.float32)
    return np.maximum(10.0 * np.log10(np.asarray(energies) + 1e-12), FLOOR_DB).astype(np.float32)


def sound_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """The best correlation of envelopes `a` and `b` within MAX_LAG steps, over the steps both have; -1.0 where
    either is too short or too flat to tell anything."""
    if min(a.size, b.size) * ENVELOPE_STEP < MIN_SECONDS:
        return -1.0
    best = -1.0
    for lag in range(-MAX_LAG, MAX_LAG + 1):
        x, y = (a[lag:], b) if lag >= 0 else (a, b[-lag:])
        n = min(x.size, y.size)
        x, y = x[:n], y[:n]
        if np.ptp(x) < MIN_SPREAD_DB or np.ptp(y) < MIN_SPREAD_DB:
            return -1.0
        best = max(best, float(np.corrcoef(x, y)[0, 1]))
    return best


def small_pictures(path: str, duration: float) -> list[np.ndarray | None]:
    """Grey PICTURE_SIDE x PICTURE_SIDE pictures of `path` at PICTURE_TIMES moments spread over `duration`."""
    from PIL import Image

    from momentsearch.pipeline.frame_reader import frames_at

    times = [duration * (i + 0.5) / PICTURE_TIMES for i in range(PICTURE_TIMES)]
    small = []
    try:
        frames = frames_at(path, times, max_side=4 * PICTURE_SIDE)
    except (BadInputError, OSError):  # gone or broken since the sound was read
        return []
    for frame in frames:
        if frame is None:
            small.append(None)
            continue
        grey = Image.fromarray(frame).convert("L").resize((PICTURE_SIDE, PICTURE_SIDE), Image.BILINEAR)
        small.append(np.asarray(grey, dtype=np.float32))
    return small


def picture_difference(a: list[np.ndarray | None], b: list[np.ndarray | None]) -> float:
    """The mean absolute difference (of 255) of two lists of small pictures; infinite where one is missing."""
    if not a or len(a) != len(b) or any(x is None or y is None for x, y in zip(a, b)):
        return float("inf")
    return float(np.mean([np.mean(np.abs(x - y)) for x, y in zip(a, b)]))


class CopyFinder:
    """Finds, for a media file about to be indexed, an indexed file it is a re-encoding of. Fingerprints are
    kept for this process per (path, size, modified time): a batch compares each indexed file once."""

    def __init__(self) -> None:
        self._envelopes: dict[tuple, np.ndarray] = {}
        self.compared = 0  # files whose sound was decoded to compare (for tests and the report's timing)

    def _envelope(self, path: str, size: int, mtime: float) -> np.ndarray:
        key = (path, size, mtime)
        if key not in self._envelopes:
            self.compared += 1
            try:
                self._envelopes[key] = loudness_envelope(path)
            except (BadInputError, OSError):  # gone or broken since: no copy of it (its own run says why)
                self._envelopes[key] = np.zeros(0, dtype=np.float32)
        return self._envelopes[key]

    def near(self, info: MediaInfo, candidates: list[FileRecord]) -> list[FileRecord]:
        """Those of `candidates` (complete records of other files whose entries could be shared) of the kind and
        length of the file probed as `info`, nearest length first (MAX_CANDIDATES at most); [] for a file too
        short or without sound, which is never taken for a copy. Reads no file."""
        if not info.has_audio or info.duration < MIN_SECONDS:
            return []
        kind = "video" if info.has_video else "audio"
        return sorted((rec for rec in candidates if rec.kind == kind and rec.duration > 0
                       and abs(rec.duration - info.duration) <= DURATION_SLACK),
                      key=lambda rec: abs(rec.duration - info.duration))[:MAX_CANDIDATES]

    def find(self, path: str, size: int, mtime: float, info: MediaInfo,
             near: list[FileRecord]) -> FileRecord | None:
        """The first of `near` (from `near`, their files still there) that `path` (probed as `info`, of `size` and
        modified time `mtime`) is another encoding of, or None. A file with subtitles of its own is not taken."""
        if not near or has_subtitles(path):
            return None
        mine = self._envelope(path, size, mtime)
        for rec in near:
            if sound_similarity(mine, self._envelope(rec.path, rec.size, rec.mtime)) < SOUND_MATCH:
                continue
            duration = min(rec.duration, info.duration)
            if not info.has_video or picture_difference(small_pictures(path, duration),
                                                        small_pictures(rec.path, duration)) <= PICTURE_MATCH:
                return rec
        return None


def has_subtitles(path: str) -> bool:
    """Whether `path` holds a subtitle stream: its own captions could make its transcript, not the other's ASR."""
    from momentsearch.pipeline.opening import open_media

    with open_media(path) as container:
        return bool(container.streams.subtitles)
