"""Decode media in-process with PyAV (FFmpeg ships inside its wheel; no ffmpeg binary needed)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Iterator

import numpy as np

from momentsearch.errors import BadInputError
from momentsearch.media import TS_CLOCK_WRAP, picture_stream, sound_start, stream_start, time_origin
from momentsearch.pipeline.arriving import file_state
from momentsearch.pipeline.discover import container_mime
from momentsearch.pipeline.opening import open_media as _open
from momentsearch.pipeline.packets import iter_decoded
from momentsearch.pipeline.sound import mono_pieces
from momentsearch.types import SAMPLE_RATE, MediaInfo, SampledFrame


def probe(path: str | Path) -> MediaInfo:
    """Duration (seconds) and streams of a media file. Raises BadInputError for unreadable files."""
    with _open(path) as container:
        video = picture_stream(container)
        audio = container.streams.audio[0] if container.streams.audio else None
        duration = 0.0
        if container.duration is not None:
            duration = container.duration / 1_000_000  # container duration is in AV_TIME_BASE (µs)
            if "matroska" in container.format.name:  # its header's duration is the last timestamp, not
                duration = max(0.0, duration - time_origin(container))  # the time from the first one
            if "mpegts" in container.format.name and duration > TS_CLOCK_WRAP / 2:
                duration = 0.0  # measured from a first time the 33-bit clock wrapped (media.stream_start)
        for stream in (video, audio):
            if stream is not None and stream.duration is not None and stream.time_base is not None:
                duration = max(duration, float(stream.duration * stream.time_base))
        if video is None and audio is None:
            raise BadInputError(str(path), "no audio or video stream")
        fps = float(video.average_rate) if video is not None and video.average_rate else 0.0
        track = pick_audio_track(container) if len(container.streams.audio) > 1 else None
        return MediaInfo(
            path=str(path),
            duration=duration,
            has_video=video is not None,
            has_audio=audio is not None,
            width=video.codec_context.width if video is not None else 0,
            height=video.codec_context.height if video is not None else 0,
            fps=fps,
            audio_note=track.note if track is not None else "",
            mime=container_mime(container.format.name, video is not None, Path(path).suffix),
        )


def probe_again_if_changed(path: str, info: MediaInfo | BadInputError | None,
                           then: tuple[int, int, int] | None) -> MediaInfo | BadInputError | None:
    """`info` (the batch's probe of `path`, made when its state was `then`), or a new probe where the file changed
    since: a copy that finished while the files before it were indexed is read whole (the old probe held the
    length of its first part, or failed on an MP4 whose index had not been written yet). A photo (None) stays."""
    if info is None or then is None or file_state(path) in (then, None):
        return info
    try:
        return probe(path)
    except BadInputError as exc:
        return exc


PAD_PIECE = 60  # seconds; the silence before a late audio track is yielded in pieces this long


def iter_audio_chunks(path: str | Path, sample_rate: int = SAMPLE_RATE) -> Iterator[np.ndarray]:
    """Lazily yields the audio track `pick_audio_track` chooses as mono float32 pieces (a few thousand
    samples each) at `sample_rate` Hz, in order, on the file's clock (`time_origin`): a track that starts
    5 s after the file does begins with 5 s of zeros. Nothing but the current piece is held. A packet the
    decoder refuses is silence in its place (`packets.iter_decoded`); an error reading the file after some
    audio ends the stream early (a truncated file yields what it has); before any audio it is a BadInputError."""
    import av

    with _open(path) as container:
        track = pick_audio_track(container)
        if track is None:
            return
        stream = container.streams.audio[track.index]
        frames = iter_decoded(container, stream)
        try:
            first = next(frames, None)
        except av.error.FFmpegError:
            raise BadInputError(str(path), "audio stream cannot be decoded") from None
        start = sound_start(track.start, first, time_origin(container))
        pad, piece = int(round(start * sample_rate)), PAD_PIECE * sample_rate
        for done in range(0, pad, piece):  # the first sample plays this late; a long gap is not one array
            yield np.zeros(min(pad - done, piece), dtype=np.float32)
        yielded = False
        try:
            decoded = chain((first,), frames) if first is not None else ()
            for samples in mono_pieces(decoded, stream.codec_context.channels, sample_rate):
                yielded = True
                yield samples
        except av.error.FFmpegError:
            if not yielded:  # keep what decoded before the damage; a truncated file still has its start
                raise BadInputError(str(path), "audio stream cannot be decoded")


def load_audio(path: str | Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """The chosen audio track (see `iter_audio_chunks`) as mono float32 in [-1, 1] at `sample_rate` Hz.
    Empty if no audio. Holds the whole track (~230 MB for 3 hours); long files go through `iter_audio_windows`."""
    chunks = list(iter_audio_chunks(path, sample_rate))
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(chunks).astype(np.float32, copy=False)


@dataclass
class AudioWindow:
    """A stretch of a file's audio: `samples` (mono float32 at SAMPLE_RATE) start at `start` seconds."""

    index: int  # 0-based window number in the file
    start: float  # seconds from the start of the file
    samples: np.ndarray

    @property
    def end(self) -> float:
        return self.start + self.samples.size / SAMPLE_RATE


QUIET_FRAME = 0.05  # seconds; energy is measured on frames this long ...
QUIET_SPAN = 0.4  # ... and the cut goes in the middle of the quietest stretch this long


def quietest_cut(samples: np.ndarray, lo: int, hi: int) -> int:
    """Sample index in [lo, hi) at the middle of the quietest QUIET_SPAN stretch (the pause between
    words where a window can end without cutting one). Depends only on these samples: deterministic."""
    frame = max(1, int(QUIET_FRAME * SAMPLE_RATE))
    n = (hi - lo) // frame
    if n < 2:
        return hi
    energy = np.square(samples[lo: lo + n * frame].astype(np.float64)).reshape(n, frame).mean(axis=1)
    span = max(1, min(n, int(round(QUIET_SPAN / QUIET_FRAME))))
    smooth = np.convolve(energy, np.ones(span) / span, mode="valid")
    best = int(np.argmin(smooth))  # the first of equally quiet stretches: ties break the same way every run
    return lo + (best + span // 2) * frame


def iter_audio_windows(path: str | Path, window: float = 300.0, search: float = 30.0) -> Iterator[AudioWindow]:
    """Lazily yields the audio in windows of about `window` seconds, each ending at the quietest moment
    of its last `search` seconds (a pause, not mid-word). At most one window plus a decoded piece is held,
    so memory does not grow with the file's length. The cuts depend only on the audio, so every run
    (and a resumed one) cuts in the same places. `window` <= 0 yields the whole track as one window."""
    size = int(window * SAMPLE_RATE) if window > 0 else 0
    margin = min(int(search * SAMPLE_RATE), size // 2)
    pending: list[np.ndarray] = []
    held = 0
    start_sample = 0
    index = 0
    for piece in iter_audio_chunks(path):
        pending.append(piece)
        held += piece.size
        if not size or held < size:
            continue
        buf = np.concatenate(pending)
        cut = quietest_cut(buf, size - margin, size)
        yield AudioWindow(index, start_sample / SAMPLE_RATE, buf[:cut].copy())
        start_sample += cut
        index += 1
        pending, held = [buf[cut:]], buf.size - cut
        del buf
    if held:
        yield AudioWindow(index, start_sample / SAMPLE_RATE, np.concatenate(pending))


SILENT_PEAK = 1e-3  # a track whose samples all stay within this (-60 dBFS) is silent
SILENCE_PROBE_SECONDS = 600.0  # how much of a track is decoded, at most, to tell whether it is silent
SPEECH_PROBE_SECONDS = 300.0  # of several tracks with sound, this much of each is listened to for speech
SPEECH_MARGIN = 0.1  # share of that time: another track is taken over the first only with this much more speech
SPEECH_CHOICES_KEPT = 64  # files whose speech choice is remembered (indexing, probing and clipping each ask)
_SPEECH_CHOICES: dict[tuple, int] = {}  # _file_key -> chosen track


@dataclass(frozen=True)
class AudioTrack:
    """The audio stream speech is read from, and where it sits on the file's clock (`time_origin`)."""

    index: int  # position among the file's audio streams (container.streams.audio[index])
    start: float  # seconds from the file's start (`time_origin`) to the stream's first sample
    note: str = ""  # which track was used, when the file has several


def pick_audio_track(container) -> AudioTrack | None:
    """The default audio track, else the first; with several, of those that are not silent the one with
    clearly the most speech (`_most_speech`), else the first (default first). None when the file has no audio."""
    streams = list(container.streams.audio)
    if not streams:
        return None
    order = sorted(range(len(streams)), key=lambda i: (not _is_default(streams[i]), i))
    chosen, note = order[0], ""
    if len(streams) > 1:
        silent = [i for i in order if _silent(container, streams[i])]
        sounding = [i for i in order if i not in silent]
        chosen = _most_speech(container, streams, sounding) if len(sounding) > 1 else (sounding or order)[0]
        why = f"; silent: track {', '.join(str(i + 1) for i in silent)}" if silent else ""
        note = f"audio track {chosen + 1} of {len(streams)} used{why}"
    return AudioTrack(chosen, max(0.0, stream_start(streams[chosen]) - time_origin(container)), note)


def _most_speech(container, streams, candidates: list[int]) -> int:
    """Of several tracks with sound (in order of preference), the one with clearly the most speech in its
    first SPEECH_PROBE_SECONDS: a recorder's first track is often the desktop's sound (music, a video's
    soundtrack, notification tones) and the microphone another. The first wins unless another has
    SPEECH_MARGIN more of its time as speech; without a voice detector, the first."""
    from momentsearch.models.asr import speech_share

    key = _file_key(container, candidates)
    if key is not None and key in _SPEECH_CHOICES:
        return _SPEECH_CHOICES[key]
    best, best_share = candidates[0], None
    for i in candidates:
        share = speech_share(_track_samples(container, streams[i], SPEECH_PROBE_SECONDS))
        if share is None:
            return candidates[0]
        if best_share is None or share > best_share + SPEECH_MARGIN:
            best, best_share = i, share
    if key is not None:
        if len(_SPEECH_CHOICES) >= SPEECH_CHOICES_KEPT:
            _SPEECH_CHOICES.pop(next(iter(_SPEECH_CHOICES)))
        _SPEECH_CHOICES[key] = best
    return best


def _file_key(container, candidates: list[int]) -> tuple | None:
    """What identifies a file's speech choice: its path, size and mtime (None for a file object or a path
    that cannot be read: no cache)."""
    try:
        st = os.stat(container.name)
    except (OSError, TypeError, ValueError):
        return None
    return container.name, st.st_size, st.st_mtime_ns, tuple(candidates)


def _track_samples(container, stream, seconds: float) -> np.ndarray:
    """The first `seconds` of an audio stream as 16 kHz mono float32 (what a damaged packet leaves)."""
    import av

    pieces, held = [], 0
    try:
        container.seek(0)
        for samples in mono_pieces(iter_decoded(container, stream), stream.codec_context.channels):
            pieces.append(samples)
            held += samples.size
            if held >= seconds * SAMPLE_RATE:
                break
    except av.error.FFmpegError:
        pass
    finally:
        container.seek(0)
    return np.concatenate(pieces)[: int(seconds * SAMPLE_RATE)] if pieces else np.zeros(0, np.float32)


def _is_default(stream) -> bool:
    import av

    return bool(stream.disposition & av.stream.Disposition.default)


def _silent(container, stream) -> bool:
    """Decodes `stream` from the start until a sample is louder than SILENT_PEAK (then False)."""
    import av

    start = stream_start(stream)  # frame times are the file's own: a capture's first may be 80,000 s
    try:
        container.seek(0)
        for frame in container.decode(stream):
            if np.abs(frame.to_ndarray()).max(initial=0.0) > SILENT_PEAK * _full_scale(frame):
                return False
            if frame.time is not None and frame.time - start > SILENCE_PROBE_SECONDS:
                break
    except av.error.FFmpegError:
        pass
    finally:
        container.seek(0)
    return True


def _full_scale(frame) -> float:
    """The largest sample value of the frame's format (1.0 for float formats, 32768 for s16...)."""
    name = frame.format.name.rstrip("p")
    return {"u8": 128.0, "s16": 32768.0, "s32": 2147483648.0, "s64": 9.2e18}.get(name, 1.0)


def _scaled_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    scale = min(1.0, max_side / max(width, height, 1))
    # even sizes keep swscale happy with subsampled formats
    return max(2, int(round(width * scale / 2)) * 2), max(2, int(round(height * scale / 2)) * 2)


def _upright_rgb(frame, size: tuple[int, int]) -> np.ndarray:
    """A decoded frame as RGB at `size`, turned upright (phone videos: the display matrix, CCW)."""
    image = frame.to_ndarray(width=size[0], height=size[1], format="rgb24")
    turns = (getattr(frame, "rotation", 0) or 0) // 90 % 4
    return np.ascontiguousarray(np.rot90(image, k=turns)) if turns else image


def prepare_sampling(stream, fps: float, skip_nonref: bool, skip_deblock: bool) -> None:
    """Decoder settings for sampling a video `stream` at `fps` (`iter_frames` says what the two skips do);
    before its first decode."""
    stream.thread_type = "AUTO"
    if skip_nonref and stream.average_rate and fps < float(stream.average_rate) / 2:
        stream.codec_context.skip_frame = "NONREF"
    if skip_deblock:
        stream.codec_context.options = {**stream.codec_context.options, "skip_loop_filter": "all"}


def next_sample_time(t: float, step: float) -> float:
    """When the sample after one taken at `t` seconds is due: one per `step`-second cell (1.4 / 0.2 is 6.999...)."""
    return (int(t / step + 1e-9) + 1) * step


def iter_frames(path: str | Path, fps: float = 1.0, max_side: int = 320,
                skip_nonref: bool = False, skip_deblock: bool = False) -> Iterator[SampledFrame]:
    """Lazily yields RGB frames at about `fps` per second (exact timestamps, in seconds from the file's
    start: `time_origin`), scaled to `max_side`.

    `skip_nonref`: when sampling at under half the video's frame rate, the decoder drops frames no
    other frame refers to (B-frames): about half the decode work on typical h264, and a sampled frame
    lands at most a frame or two later than it would otherwise. `skip_deblock`: the decoder leaves out
    its deblocking (loop) filter, ~20 % of H.264 decoding; block edges stay, a pixel wide at 320 px.

    Frames are decoded one at a time; nothing but the current frame is held. A packet the decoder refuses
    is skipped; an error reading the file after some frames ends the stream early (a truncated file yields
    what it has).
    """
    import av

    with _open(path) as container:
        stream = picture_stream(container)
        if stream is None:
            return
        prepare_sampling(stream, fps, skip_nonref, skip_deblock)
        step = 1.0 / fps
        origin = time_origin(container)
        next_time = 0.0
        size = None
        yielded = 0
        try:
            for frame in iter_decoded(container, stream):  # past a damaged packet: the rest is read
                if isinstance(frame, float) or frame.pts is None or frame.time is None:
                    continue
                t = float(frame.time) - origin
                if t + 1e-6 < next_time:
                    continue
                if size is None:
                    size = _scaled_size(frame.width, frame.height, max_side)
                yield SampledFrame(time=max(0.0, t), image=_upright_rgb(frame, size))
                yielded += 1
                next_time = next_sample_time(t, step)
        except av.error.FFmpegError:
            if yielded == 0:
                raise BadInputError(str(path), "video stream cannot be decoded")

