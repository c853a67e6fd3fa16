"""Synthetic lecture videos for tests, the demo and benchmarks.

A lecture is a list of `Section`s (topics); each is narrated by `espeak-ng` over a slide drawn
with Pillow in the deck's one `Template` (slides.py), filmed by a scene (scenes.py: the slides
full frame, a lecture-hall camera, or a screencast with a webcam tile), recorded in a room
(acoustics.py), and written to an mp4 with PyAV (h264 + aac). A section can keep the previous
slide (a topic change the picture does not show), show only the speaker, fade in, or reveal its
bullets one at a time. `render_lecture` returns each section's true window and how the picture
changed at its start, so tests and benchmarks can check what the indexer finds. Times are seconds.
"""

from __future__ import annotations

import html
import math
import os
import re
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Sequence

import numpy as np

from momentsearch.errors import ConfigError, MomentSearchError
from momentsearch.testing.acoustics import ROOMS, apply_room
from momentsearch.testing.scenes import make_scene
from momentsearch.testing.slides import CHART_KINDS, Template, draw_slide, template_named  # noqa: F401

SAMPLE_RATE = 16_000  # Hz; narration is synthesised, stored and encoded at this rate


@dataclass
class Section:
    """One slide of a lecture and what the narrator says over it."""

    title: str  # drawn large at the top of the slide
    speech: str  # narration for espeak-ng; "" makes a silent section
    bullets: list[str] = field(default_factory=list)  # lines drawn under the title
    chart: str | None = None  # one of CHART_KINDS
    min_seconds: float = 0.0  # pad with silence so the section lasts at least this long
    slide: str = "new"  # new | same (keep the previous picture: a topic change the picture does not show)
    view: str = "slide"  # slide | speaker (only the speaker is visible: a talking head)
    transition: str = "cut"  # cut | fade (a crossfade from the previous slide, centred on the section start)
    build: bool = False  # reveal the bullets one at a time while the narration goes on
    lead: float = 0.0  # silence between the section start and its narration
    tail: float | None = None  # silence after the narration (None: render_lecture's `gap`)
    pauses: list[float] = field(default_factory=list)  # seconds of silence after sentence i (a speaker thinking)


@dataclass
class RenderedSection:
    """Where a section ended up in the rendered video (seconds from the start of the file)."""

    title: str
    start: float  # first frame of the slide; narration starts here too
    end: float  # the next slide (or the end of the file) starts here
    speech: str
    speech_end: float | None = None  # narration is silent from here to `end`
    change: str = "cut"  # how the picture changes at `start`: cut | fade | none | start (first section)
    builds: list[float] = field(default_factory=list)  # times a further bullet appears (no new slide)
    view: str = "slide"
    speech_start: float | None = None  # narration starts here (after the section's lead)


def speak(text: str, voice: str = "en-us", rate: int = 165, pauses: Sequence[float] = ()) -> np.ndarray:
    """Narrate `text` with espeak-ng. Returns 16 kHz mono float32 in [-1, 1], leading and trailing
    silence trimmed, so sample 0 is the start of speech. Empty text gives an empty array. `pauses[i]`
    seconds (> 0) of silence follow sentence i instead of espeak's own short pause (an SSML break)."""
    if not text.strip():
        return np.zeros(0, dtype=np.float32)
    markup = any(p > 0 for p in pauses)
    if markup:
        sentences = re.split(r"(?<=[.!?])\s+", text.strip())
        text = " ".join(html.escape(t, quote=False) + (f' <break time="{int(round(pauses[i] * 1000))}ms"/>'
                                                       if i < len(pauses) and pauses[i] > 0 else "")
                        for i, t in enumerate(sentences))
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise MomentSearchError("espeak-ng is needed to synthesise narration but was not found on PATH; "
                                "install it (e.g. 'apt-get install espeak-ng' or 'brew install espeak-ng').")
    fd, wav_path = tempfile.mkstemp(suffix=".wav", prefix="momentsearch-tts-")
    os.close(fd)
    try:
        # Text goes through stdin so a line starting with "-" is not read as an option.
        proc = subprocess.run(
            [exe, "-v", voice, "-s", str(int(rate)), "-w", wav_path, "--stdin"] + (["-m"] if markup else []),
            input=text.encode("utf-8"), capture_output=True, timeout=120,
        )
        if proc.returncode != 0:
            msg = proc.stderr.decode("utf-8", "replace").strip()
            raise MomentSearchError(f"espeak-ng failed (voice {voice!r}): {msg or 'exit ' + str(proc.returncode)}")
        with wave.open(wav_path, "rb") as w:
            sr, channels, raw = w.getframerate(), w.getnchannels(), w.readframes(w.getnframes())
    finally:
        os.unlink(wav_path)
    audio = np.frombuffer(raw, dtype="<i2").astype(np.float32).reshape(-1, channels).mean(axis=1) / 32768.0
    audio = _resample(audio, sr, SAMPLE_RATE)
    loud = np.flatnonzero(np.abs(audio) > 0.01)
    if loud.size == 0:
        return np.zeros(0, dtype=np.float32)
    audio = audio[loud[0]: loud[-1] + 1]
    return (audio * (0.8 / float(np.abs(audio).max()))).astype(np.float32)


def _resample(x: np.ndarray, sr_in: int, sr_out: int) -> np.ndarray:
    if sr_in == sr_out or x.size == 0:
        return x.astype(np.float32)
    if sr_out < sr_in:  # windowed-sinc low-pass first, so interpolation does not alias
        cutoff = 0.45 * sr_out / sr_in  # cycles per input sample
        taps = np.arange(-32, 33)
        kernel = 2 * cutoff * np.sinc(2 * cutoff * taps) * np.hamming(taps.size)
        x = np.convolve(x, kernel / kernel.sum(), mode="same")
    t_out = np.arange(int(round(x.size * sr_out / sr_in))) * (sr_in / sr_out)
    return np.interp(t_out, np.arange(x.size), x).astype(np.float32)


# ------------------------------------------------------------------------------------ rendering

@dataclass
class _Shot:
    """What is on screen from `frame` on: a slide image (or None: the speaker), its cache key."""

    frame: int
    key: object
    image: np.ndarray | None
    fade: bool = False  # crossfade into this shot from the one before


def _layout(sections: list[Section], clips: list[np.ndarray], fps: int, gap: float) -> list[tuple[int, int]]:
    """(first frame, frame count) of each section: lead + narration + gap, at least `min_seconds`,
    rounded up to whole frames so picture and sound boundaries coincide exactly."""
    out, frame_index = [], 0

    def sample_at(i: int) -> int:
        return i * SAMPLE_RATE // fps

    for section, clip in zip(sections, clips):
        tail = gap if section.tail is None else section.tail
        need = max(int(round(section.lead * SAMPLE_RATE)) + clip.size + int(round(tail * SAMPLE_RATE)),
                   int(math.ceil(section.min_seconds * SAMPLE_RATE)), 1)
        n_frames = max(1, int(math.ceil(need * fps / SAMPLE_RATE)))
        while sample_at(frame_index + n_frames) - sample_at(frame_index) < need:
            n_frames += 1
        out.append((frame_index, n_frames))
        frame_index += n_frames
    return out


def _shots(sections, layout, clips, size, template: Template, fps: int, seed: int):
    """The picture schedule and, per section, (change at its start, build times in seconds)."""
    shots: list[_Shot] = []
    notes: list[tuple[str, list[float]]] = []
    page = 0
    for i, (section, (first, n_frames), clip) in enumerate(zip(sections, layout, clips)):
        builds: list[float] = []
        if i > 0 and (section.slide == "same" and section.view != "speaker"):
            notes.append(("none", builds))
            continue
        if section.view == "speaker":
            same = bool(shots) and shots[-1].image is None
            if not same:
                shots.append(_Shot(first, ("speaker", i), None))
            notes.append(("start" if i == 0 else ("none" if same else "cut"), builds))
            continue
        page += 1
        fade = section.transition == "fade" and bool(shots) and shots[-1].image is not None
        steps = len(section.bullets) if section.build and len(section.bullets) > 1 else 0
        for k in range(max(1, steps)):
            reveal = k + 1 if steps else None
            at = first
            if k:  # bullet k+1 appears a k/steps share into the narration
                at = first + int(round((section.lead + clip.size / SAMPLE_RATE * k / steps) * fps))
                builds.append(at / fps)
            image = np.asarray(draw_slide(section, size, seed=seed + i, template=template, page=page, reveal=reveal),
                               dtype=np.uint8)
            shots.append(_Shot(at, ("slide", i, k), image, fade=fade and k == 0))
        notes.append(("start" if i == 0 else ("fade" if fade else "cut"), builds))
    return shots, notes


def _picture(shots: list[_Shot], index: int, i: int, fade_frames: int):
    """(image, key) at frame `i`; `index` is the shot on screen. Crossfades blend two shots."""
    half = fade_frames / 2
    for j in (index, index + 1):  # a fade centred on shot j's first frame
        if 0 < j < len(shots) and shots[j].fade and shots[j].frame - half <= i < shots[j].frame + half:
            alpha = (i - (shots[j].frame - half) + 0.5) / max(1.0, fade_frames)
            mixed = shots[j - 1].image * (1.0 - alpha) + shots[j].image * alpha
            return mixed.astype(np.uint8), None
    return shots[index].image, shots[index].key


def _soundtrack(clips, layout, sections, fps: int, room: str | None, seed: int) -> np.ndarray:
    end_frame = layout[-1][0] + layout[-1][1]
    track = np.zeros(end_frame * SAMPLE_RATE // fps, dtype=np.float32)
    for clip, (first, _), section in zip(clips, layout, sections):
        at = first * SAMPLE_RATE // fps + int(round(section.lead * SAMPLE_RATE))
        track[at: at + clip.size] = clip
    return apply_room(track, ROOMS[room], seed) if room else track


def _check(sections, size, fps: int, gap: float, scene: str, room: str | None) -> None:
    if not sections:
        raise ConfigError("render_lecture needs at least one section")
    width, height = size
    if width < 16 or height < 16 or width % 2 or height % 2:
        raise ConfigError(f"size {size} must be even and at least 16x16 (h264 yuv420p needs even sides)")
    if fps < 1 or gap < 0:
        raise ConfigError(f"fps must be >= 1 and gap >= 0 (got fps={fps}, gap={gap})")
    if room is not None and room not in ROOMS:
        raise ConfigError(f"unknown room {room!r}; expected one of {sorted(ROOMS)}")
    for s in sections:
        if s.slide not in ("new", "same") or s.view not in ("slide", "speaker") or s.transition not in ("cut", "fade"):
            raise ConfigError(f"section {s.title!r}: slide must be new|same, view slide|speaker, "
                              f"transition cut|fade (got {s.slide!r}, {s.view!r}, {s.transition!r})")


def render_lecture(path: str | os.PathLike, sections: list[Section], size: tuple[int, int] = (640, 360), fps: int = 5,
                   gap: float = 0.6, voice: str = "en-us", audio: bool = True, crf: int = 28,
                   audio_bitrate: int = 32_000, *, template: Template | str | None = None, scene: str = "screen",
                   room: str | None = None, rate: int = 165, fade: float = 0.8, seed: int = 0,
                   section_keyframes: bool = True) -> list[RenderedSection]:
    """Write an mp4 lecture (h264 yuv420p; aac mono 16 kHz unless `audio` is False) and return each
    section's true window in seconds.

    Each section lasts its `lead`, its narration and its `tail` (else `gap`) seconds of silence (at least
    `min_seconds`), rounded up to whole video frames. Every slide is drawn in one `template` (a
    name from slides.TEMPLATES or a Template); `scene` films it (screen | camera | screencast);
    `room` (acoustics.ROOMS; None = clean) adds reverb and noise; `voice` and `rate` (words per
    minute) go to espeak-ng; `fade` is a crossfade's length. `section_keyframes` puts an IDR frame
    at each section start (seekable starts; real recordings do not do this). `crf` is the x264
    quality (higher = smaller), `audio_bitrate` the aac bits per second.
    """
    _check(sections, size, fps, gap, scene, room)
    template = template_named(template) if not isinstance(template, Template) else template
    film = make_scene(scene, size, seed)
    clips = [speak(s.speech, voice=voice, rate=rate, pauses=s.pauses) for s in sections]
    layout = _layout(sections, clips, fps, gap)
    shots, notes = _shots(sections, layout, clips, size, template, fps, seed)
    track = _soundtrack(clips, layout, sections, fps, room, seed) if audio else None
    starts = {first for first, _ in layout} if section_keyframes else set()
    total = layout[-1][0] + layout[-1][1]
    _encode(path, size, fps, crf, audio_bitrate, shots, track, starts, film, int(round(fade * fps)), total,
            still=scene == "screen")

    rendered = []
    for section, clip, (first, n_frames), (change, builds) in zip(sections, clips, layout, notes):
        start = first * SAMPLE_RATE // fps
        speech_start = start + int(round(section.lead * SAMPLE_RATE))
        rendered.append(RenderedSection(
            title=section.title, start=start / SAMPLE_RATE, end=(first + n_frames) * SAMPLE_RATE // fps / SAMPLE_RATE,
            speech=section.speech, speech_end=(speech_start + clip.size) / SAMPLE_RATE, change=change, builds=builds,
            view=section.view, speech_start=speech_start / SAMPLE_RATE))
    return rendered


def _encode(path, size, fps: int, crf: int, audio_bitrate: int, shots: list[_Shot], track: np.ndarray | None,
            keyframes: set[int], film, fade_frames: int, total: int, still: bool) -> None:
    import av  # imported here: only rendering needs PyAV, slides and speech do not
    from av.video.frame import PictureType

    out = av.open(str(path), mode="w", format="mp4")
    try:
        vstream = out.add_stream("libx264", rate=fps)
        vstream.width, vstream.height, vstream.pix_fmt = size[0], size[1], "yuv420p"
        vstream.time_base = Fraction(1, fps)
        vstream.codec_context.gop_size = fps * (60 if keyframes else 10)
        # forced-idr: frames we mark as I become real IDR keyframes (seekable section starts).
        vstream.options = {"crf": str(crf), "preset": "medium" if still else "veryfast", "forced-idr": "1",
                           **({"tune": "stillimage"} if still else {})}
        astream = None
        if track is not None:
            astream = out.add_stream("aac", rate=SAMPLE_RATE)
            astream.codec_context.layout = "mono"
            astream.codec_context.bit_rate = audio_bitrate
            astream.time_base = Fraction(1, SAMPLE_RATE)
        index, sent = 0, 0
        for i in range(total):
            while index + 1 < len(shots) and shots[index + 1].frame <= i:
                index += 1
            image, key = _picture(shots, index, i, fade_frames)
            rgb = np.ascontiguousarray(film.frame(image, i / fps, key))
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
            frame.pts = i
            frame.pict_type = PictureType.I if i in keyframes else PictureType.NONE
            out.mux(vstream.encode(frame))
            if astream is not None:
                sent = _send_audio(out, astream, track, sent, (i + 1) * SAMPLE_RATE // fps)
        out.mux(vstream.encode(None))
        if astream is not None:
            out.mux(astream.encode(None))
    finally:
        out.close()


def _send_audio(out, astream, track: np.ndarray, sent: int, upto: int) -> int:
    """Encode `track` from sample `sent` up to `upto` in aac's 1024-sample frames; the new `sent`."""
    import av

    while sent + 1024 <= upto or (upto >= track.size and sent < track.size):
        chunk = track[sent: sent + 1024]
        aframe = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk[None, :]), format="fltp", layout="mono")
        aframe.sample_rate, aframe.pts = SAMPLE_RATE, sent
        aframe.time_base = Fraction(1, SAMPLE_RATE)
        out.mux(astream.encode(aframe))
        sent += chunk.size
    return sent


def default_sections() -> list[Section]:
    """The demo lecture: intro, solar energy, a "Project Roadmap" timeline slide, and Q&A (~52 s).
    Rendered without a `template`, every slide uses slides.DEFAULT_TEMPLATE: one template per deck."""
    return [
        Section("Renewable Energy 101", "Welcome to the course on renewable energy. Today we look at how plants and "
                "solar panels turn sunlight into energy, and then we talk about our plans for the coming year.",
                ["How sunlight becomes energy", "Plants and solar panels", "Our plans for next year"]),
        Section("Photosynthesis and Solar Panels", "Plants capture sunlight with chlorophyll and use it to turn "
                "water and carbon dioxide into sugar. Solar panels do something similar with silicon cells, which "
                "turn light directly into electric current. A typical panel converts about one fifth of the light "
                "that falls on it.",
                ["Chlorophyll captures light", "Silicon cells make current", "About 20% efficient"], chart="photo"),
        Section("Project Roadmap", "Let's look at the roadmap for next year. In the first quarter we finish the "
                "design and start a pilot on the library roof. In the second and third quarters we roll the panels "
                "out to three more buildings, and in the last quarter we review the results.",
                ["Q1: design and pilot", "Q2-Q3: rollout", "Q4: review"], chart="timeline"),
        Section("Questions and Answers", "That brings us to the end of today's lecture. Thank you for listening. "
                "Now I am happy to take your questions about solar energy or the project.",
                ["Ask about solar energy", "Ask about the project"]),
    ]
