"""Decode media in-process with PyAV (FFmpeg ships inside its wheel; no ffmpeg binary needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np

from momentsearch.errors import BadInputError
from momentsearch.types import MediaInfo, SampledFrame

SAMPLE_RATE = 16000  # Hz; what Whisper expects


def _open(path: str | Path):
    import av

    p = Path(path)
    if not p.exists():
        raise BadInputError(str(path), "file not found (it may have been moved or deleted)")
    if p.is_file() and p.stat().st_size == 0:
        raise BadInputError(str(path), "empty file (0 bytes)")
    try:
        return av.open(str(p), metadata_errors="ignore")
    except PermissionError as exc:
        raise BadInputError(str(path), "permission denied") from exc
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise BadInputError(str(path), _unreadable_reason(p, exc)) from exc


def _unreadable_reason(path: Path, exc: Exception) -> str:
    """Why FFmpeg could not open a file, in words a user can act on."""
    try:
        with open(path, "rb") as f:
            head = f.read(12)
    except OSError:
        head = b""
    detail = getattr(exc, "strerror", None) or str(exc)
    if head[4:8] == b"ftyp":  # an MP4/MOV whose index (moov box) is missing: the usual truncated recording
        return ("an MP4/MOV file FFmpeg cannot open: probably truncated (cut short while recording or "
                f"copying, so its index is missing); re-copy or re-export it ({detail})")
    return f"not a media file FFmpeg can read: corrupt, or not audio/video ({detail})"


def probe(path: str | Path) -> MediaInfo:
    """Duration (seconds) and streams of a media file. Raises BadInputError for unreadable files."""
    with _open(path) as container:
        video = container.streams.video[0] if container.streams.video else None
        audio = container.streams.audio[0] if container.streams.audio else None
        duration = 0.0
        if container.duration is not None:
            duration = container.duration / 1_000_000  # container duration is in AV_TIME_BASE (µs)
        for stream in (video, audio):
            if stream is not None and stream.duration is not None and stream.time_base is not None:
                duration = max(duration, float(stream.duration * stream.time_base))
        if video is None and audio is None:
            raise BadInputError(str(path), "no audio or video stream")
        fps = float(video.average_rate) if video is not None and video.average_rate else 0.0
        return MediaInfo(
            path=str(path),
            duration=duration,
            has_video=video is not None,
            has_audio=audio is not None,
            width=video.codec_context.width if video is not None else 0,
            height=video.codec_context.height if video is not None else 0,
            fps=fps,
        )


def load_audio(path: str | Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """The first audio stream as mono float32 in [-1, 1] at `sample_rate` Hz. Empty if no audio."""
    import av

    chunks: list[np.ndarray] = []
    with _open(path) as container:
        if not container.streams.audio:
            return np.zeros(0, dtype=np.float32)
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
        except av.error.FFmpegError:
            if not chunks:  # keep what decoded before the damage; a truncated file still has its start
                raise BadInputError(str(path), "audio stream cannot be decoded")
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(chunks).astype(np.float32, copy=False)


def _scaled_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    scale = min(1.0, max_side / max(width, height, 1))
    # even sizes keep swscale happy with subsampled formats
    return max(2, int(round(width * scale / 2)) * 2), max(2, int(round(height * scale / 2)) * 2)


def iter_frames(path: str | Path, fps: float = 1.0, max_side: int = 320,
                skip_nonref: bool = False) -> Iterator[SampledFrame]:
    """Lazily yields RGB frames at about `fps` per second (exact timestamps), scaled to `max_side`.

    `skip_nonref`: when sampling at under half the video's frame rate, the decoder drops frames no
    other frame refers to (B-frames): about half the decode work on typical h264, and a sampled frame
    lands at most a frame or two later than it would otherwise.

    Frames are decoded one at a time; nothing but the current frame is held. A decode error after
    some frames ends the stream early (a truncated file yields what it has).
    """
    import av

    with _open(path) as container:
        if not container.streams.video:
            return
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        if skip_nonref and stream.average_rate and fps < float(stream.average_rate) / 2:
            stream.codec_context.skip_frame = "NONREF"
        step = 1.0 / fps
        next_time = 0.0
        size = None
        yielded = 0
        try:
            for frame in container.decode(stream):
                if frame.pts is None or frame.time is None:
                    continue
                t = float(frame.time)
                if t + 1e-6 < next_time:
                    continue
                if size is None:
                    size = _scaled_size(frame.width, frame.height, max_side)
                image = frame.to_ndarray(width=size[0], height=size[1], format="rgb24")
                turns = (getattr(frame, "rotation", 0) or 0) // 90 % 4  # phone videos: display matrix, CCW
                if turns:
                    image = np.ascontiguousarray(np.rot90(image, k=turns))
                yield SampledFrame(time=max(0.0, t), image=image)
                yielded += 1
                next_time = (int(t / step + 1e-9) + 1) * step  # one sample per 1/fps cell (1.4 / 0.2 is 6.999...)
        except av.error.FFmpegError:
            if yielded == 0:
                raise BadInputError(str(path), "video stream cannot be decoded")
