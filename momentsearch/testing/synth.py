"""Synthetic lecture videos for tests, the demo and benchmarks.

A lecture is a list of `Section`s; each becomes one slide drawn with Pillow, narrated by
`espeak-ng`, and written to an mp4 with PyAV (h264 + aac). `render_lecture` returns the true
time window of every section so tests can check what the indexer finds. Times are seconds.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from momentsearch.errors import ConfigError, MomentSearchError

SAMPLE_RATE = 16_000  # Hz; narration is synthesised, stored and encoded at this rate
CHART_KINDS = (None, "timeline", "bar", "pie", "line", "photo")

# (background, accent, text) per slide; sections cycle through them so neighbours differ.
_PALETTES = [((246, 246, 238), (36, 86, 160), (20, 20, 30)), ((226, 240, 230), (30, 120, 70), (15, 35, 20)),
             ((250, 232, 220), (190, 80, 30), (40, 20, 10)), ((230, 230, 248), (90, 60, 170), (20, 15, 45)),
             ((250, 245, 215), (160, 120, 10), (40, 30, 5))]
_SERIES = [(52, 120, 200), (230, 120, 40), (60, 160, 90), (200, 60, 80), (140, 90, 190), (40, 170, 180)]


@dataclass
class Section:
    """One slide of a lecture and what the narrator says over it."""

    title: str  # drawn large at the top of the slide
    speech: str  # narration for espeak-ng; "" makes a silent section
    bullets: list[str] = field(default_factory=list)  # lines drawn under the title
    chart: str | None = None  # one of CHART_KINDS
    min_seconds: float = 0.0  # pad with silence so the section lasts at least this long


@dataclass
class RenderedSection:
    """Where a section ended up in the rendered video (seconds from the start of the file)."""

    title: str
    start: float  # first frame of the slide; narration starts here too
    end: float  # the next slide (or the end of the file) starts here
    speech: str
    speech_end: float | None = None  # narration is silent from here to `end`


def speak(text: str, voice: str = "en-us", rate: int = 165) -> np.ndarray:
    """Narrate `text` with espeak-ng. Returns 16 kHz mono float32 in [-1, 1], leading and trailing
    silence trimmed, so sample 0 is the start of speech. Empty text gives an empty array."""
    if not text.strip():
        return np.zeros(0, dtype=np.float32)
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise MomentSearchError("espeak-ng is needed to synthesise narration but was not found on PATH; "
                                "install it (e.g. 'apt-get install espeak-ng' or 'brew install espeak-ng').")
    fd, wav_path = tempfile.mkstemp(suffix=".wav", prefix="momentsearch-tts-")
    os.close(fd)
    try:
        # Text goes through stdin so a line starting with "-" is not read as an option.
        proc = subprocess.run(
            [exe, "-v", voice, "-s", str(int(rate)), "-w", wav_path, "--stdin"],
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


# ---------------------------------------------------------------------------------------- slides

def _font(size: int) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=max(8, int(size)))


def _fit_font(draw: ImageDraw.ImageDraw, text: str, size: int, max_width: int) -> ImageFont.ImageFont:
    while size > 10 and draw.textlength(text, font=_font(size)) > max_width:
        size -= 2
    return _font(size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, max_width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and draw.textlength(trial, font=font) > max_width:
            lines.append(line)
            line = word
        else:
            line = trial
    return lines + ([line] if line else [])


def draw_slide(section: Section, size: tuple[int, int] = (640, 360), seed: int = 0) -> Image.Image:
    """Draw one slide: big title, bullets, optional chart. `seed` picks the colours and layout
    (sections of one lecture get consecutive seeds, so neighbouring slides look different).
    Bullets that do not fit are dropped; a chart drawn below the bullets leaves room for three lines."""
    if section.chart not in CHART_KINDS:
        raise ConfigError(f"unknown chart {section.chart!r}; expected one of {CHART_KINDS}")
    w, h = size
    bg, accent, ink = _PALETTES[seed % len(_PALETTES)]
    img = Image.new("RGB", size, bg)
    d = ImageDraw.Draw(img)
    margin = max(6, w // 32)
    title_h, line_h, bfont = int(h * 0.2), int(h * 0.075), _font(h * 0.065)
    if seed % 2 == 0:  # even seeds: title in a coloured band; odd: accent stripe on the left
        d.rectangle([0, 0, w, title_h], fill=accent)
        title_ink, left = (255, 255, 255), margin
    else:
        d.rectangle([0, 0, max(4, w // 60), h], fill=accent)
        d.line([margin, title_h, w - margin, title_h], fill=accent, width=max(2, h // 120))
        title_ink, left = ink, margin + w // 60
    tfont = _fit_font(d, section.title, int(h * 0.12), w - left - margin)
    d.text((left, title_h // 2), section.title, font=tfont, fill=title_ink, anchor="lm")

    body_top = title_h + h // 24
    chart_right = section.chart is not None and (seed // 2) % 2 == 0
    if section.chart is None:
        text_box = (left, body_top, w - margin, h - margin)
    elif chart_right or not section.bullets:
        split = int(w * (0.42 if section.bullets else 0.0)) or left
        text_box = (left, body_top, split, h - margin)
        _draw_chart(img, d, section.chart, (split + margin, body_top, w - margin, h - margin), seed, ink)
    else:  # chart below the bullets
        text_top = body_top + line_h * min(len(section.bullets), 3)  # room for up to 3 bullet lines
        text_box = (left, body_top, w - margin, text_top)
        _draw_chart(img, d, section.chart, (left, text_top + margin, w - margin, h - margin), seed, ink)

    x0, y, x1, y1 = text_box
    for bullet in section.bullets:
        for i, line in enumerate(_wrap(d, bullet, bfont, x1 - x0 - line_h)):
            if y + line_h > y1 + line_h // 3:
                return img
            r, cy = line_h // 7, y + line_h // 2
            if i == 0:
                d.ellipse([x0, cy - r, x0 + 2 * r, cy + r], fill=accent)
            d.text((x0 + line_h // 2 + 4, y + line_h // 2), line, font=bfont, fill=ink, anchor="lm")
            y += line_h
    return img


def _draw_chart(img: Image.Image, d: ImageDraw.ImageDraw, kind: str, box: tuple[int, int, int, int], seed: int,
                ink: tuple[int, int, int]) -> None:
    x0, y0, x1, y1 = box
    if x1 - x0 < 20 or y1 - y0 < 20:
        return
    rng = np.random.default_rng(seed)
    font = _font(max(10, (y1 - y0) // 9))
    if kind in ("bar", "line"):
        d.line([(x0, y0), (x0, y1), (x1, y1)], fill=ink, width=2)  # axes
    if kind == "timeline":
        _draw_timeline(d, box, font, ink)
    elif kind == "bar":
        vals = rng.uniform(0.25, 1.0, 5)
        slot = (x1 - x0) / len(vals)
        for i, v in enumerate(vals):
            bx = x0 + i * slot + slot * 0.2
            d.rectangle([bx, y1 - v * (y1 - y0 - 4), bx + slot * 0.6, y1 - 1], fill=_SERIES[i % len(_SERIES)])
    elif kind == "pie":
        vals = rng.uniform(1, 3, 4)
        r = min(x1 - x0, y1 - y0) // 2 - 2
        cx, cy, angle = (x0 + x1) // 2, (y0 + y1) // 2, -90.0
        for i, v in enumerate(vals):
            sweep = 360.0 * v / vals.sum()
            d.pieslice([cx - r, cy - r, cx + r, cy + r], angle, angle + sweep,
                       fill=_SERIES[i], outline=(255, 255, 255), width=2)
            angle += sweep
    elif kind == "line":
        vals = np.cumsum(rng.normal(0.3, 1.0, 8))
        vals = (vals - vals.min()) / (np.ptp(vals) or 1.0)
        for k in range(1, 4):  # light grid
            gy = y0 + k * (y1 - y0) // 4
            d.line([x0 + 2, gy, x1, gy], fill=(200, 200, 200), width=1)
        pts = [(x0 + 6 + i * (x1 - x0 - 12) / (len(vals) - 1), y1 - 6 - v * (y1 - y0 - 12)) for i, v in enumerate(vals)]
        d.line(pts, fill=_SERIES[0], width=3)
        for px, py in pts:
            d.ellipse([px - 4, py - 4, px + 4, py + 4], fill=_SERIES[1])
    elif kind == "photo":  # drawn on its own canvas so shapes are clipped to the box
        photo = Image.new("RGB", (x1 - x0, y1 - y0))
        _draw_photo(ImageDraw.Draw(photo), (0, 0, x1 - x0 - 1, y1 - y0 - 1))
        img.paste(photo, (x0, y0))


def _draw_timeline(d: ImageDraw.ImageDraw, box, font, ink) -> None:
    """A Gantt-style roadmap: task rows, bars across four quarters, milestone diamonds."""
    x0, y0, x1, y1 = box
    tasks = [("Design", 0.0, 1.2, True), ("Pilot", 0.8, 2.1, True), ("Rollout", 1.8, 3.6, False),
             ("Review", 3.1, 3.8, True)]
    label_w = int(max(d.textlength(t[0], font=font) for t in tasks)) + 8
    gx0, header_h = x0 + label_w, int(font.size * 1.6)
    qw = (x1 - gx0) / 4
    row_h = (y1 - y0 - header_h) / len(tasks)
    for q in range(4):
        qx = gx0 + q * qw
        d.rectangle([qx, y0, qx + qw, y0 + header_h], fill=(225, 225, 225) if q % 2 else (240, 240, 240))
        d.text((qx + qw / 2, y0 + header_h / 2), f"Q{q + 1}", font=font, fill=ink, anchor="mm")
        d.line([qx, y0, qx, y1], fill=(170, 170, 170), width=1)
    d.line([x1, y0, x1, y1], fill=(170, 170, 170), width=1)
    d.line([gx0, y0 + header_h, x1, y0 + header_h], fill=ink, width=2)
    for i, (name, start, end, milestone) in enumerate(tasks):
        cy = y0 + header_h + (i + 0.5) * row_h
        d.text((x0, cy), name, font=font, fill=ink, anchor="lm")
        half = row_h * 0.25
        bx0, bx1 = gx0 + start * qw, gx0 + end * qw
        d.rectangle([bx0, cy - half, bx1, cy + half], fill=_SERIES[i % len(_SERIES)], outline=ink)
        if milestone:
            r = row_h * 0.33
            mx = min(bx1 + r + 2, x1 - r)
            d.polygon([(mx, cy - r), (mx + r, cy), (mx, cy + r), (mx - r, cy)], fill=(220, 40, 40), outline=ink)


def _draw_photo(d: ImageDraw.ImageDraw, box) -> None:
    """A simple landscape: sky gradient, sun with rays, hills, a tree."""
    x0, y0, x1, y1 = box
    horizon = y0 + int((y1 - y0) * 0.62)
    for y in range(y0, horizon):
        t = (y - y0) / max(1, horizon - y0)
        d.line([x0, y, x1, y], fill=(int(90 + 110 * t), int(160 + 60 * t), 240))
    w, h = x1 - x0, y1 - y0
    sx, sy, r = x0 + int(w * 0.72), y0 + int(h * 0.25), max(6, h // 8)
    for k in range(12):
        a = k * math.pi / 6
        d.line([sx + 1.3 * r * math.cos(a), sy + 1.3 * r * math.sin(a),
                sx + 1.9 * r * math.cos(a), sy + 1.9 * r * math.sin(a)], fill=(255, 200, 0), width=3)
    d.ellipse([sx - r, sy - r, sx + r, sy + r], fill=(255, 215, 0), outline=(240, 160, 0), width=2)
    d.rectangle([x0, horizon, x1, y1], fill=(90, 170, 70))
    d.polygon([(x0, horizon), (x0 + w * 0.25, y0 + h * 0.35), (x0 + w * 0.55, horizon)], fill=(110, 110, 130))
    d.polygon([(x0 + w * 0.35, horizon), (x0 + w * 0.55, y0 + h * 0.45), (x0 + w * 0.8, horizon)], fill=(130, 130, 150))
    d.ellipse([x0 - w * 0.1, horizon - h * 0.08, x0 + w * 0.6, horizon + h * 0.15], fill=(70, 150, 60))
    tx, tb = x0 + int(w * 0.82), y1 - h // 10
    d.rectangle([tx - 3, tb - h * 0.2, tx + 3, tb], fill=(110, 70, 30))
    d.ellipse([tx - h * 0.11, tb - h * 0.38, tx + h * 0.11, tb - h * 0.16], fill=(40, 120, 40))
    d.rectangle([x0, y0, x1, y1], outline=(60, 60, 60), width=2)


# ------------------------------------------------------------------------------------ rendering

def render_lecture(path: str | os.PathLike, sections: list[Section], size: tuple[int, int] = (640, 360), fps: int = 5,
                   gap: float = 0.6, voice: str = "en-us", audio: bool = True, crf: int = 28,
                   audio_bitrate: int = 32_000) -> list[RenderedSection]:
    """Write an mp4 lecture (h264 yuv420p, keyframe at every section start; aac mono 16 kHz unless
    `audio` is False) and return each section's true window in seconds.

    Each section lasts its narration plus `gap` seconds of silence (at least `min_seconds`),
    rounded up to whole video frames so slide changes and audio boundaries coincide exactly.
    `crf` is the x264 quality (higher = smaller), `audio_bitrate` the aac bits per second.
    """
    if not sections:
        raise ConfigError("render_lecture needs at least one section")
    width, height = size
    if width < 16 or height < 16 or width % 2 or height % 2:
        raise ConfigError(f"size {size} must be even and at least 16x16 (h264 yuv420p needs even sides)")
    if fps < 1 or gap < 0:
        raise ConfigError(f"fps must be >= 1 and gap >= 0 (got fps={fps}, gap={gap})")

    import av  # imported here: only rendering needs PyAV, slides and speech do not
    from av.video.frame import PictureType

    def sample_at(frame_index: int) -> int:
        return frame_index * SAMPLE_RATE // fps

    clips = [speak(s.speech, voice=voice) for s in sections]
    out = av.open(str(path), mode="w", format="mp4")
    try:
        vstream = out.add_stream("libx264", rate=fps)
        vstream.width, vstream.height, vstream.pix_fmt = width, height, "yuv420p"
        vstream.time_base = Fraction(1, fps)
        vstream.codec_context.gop_size = fps * 60
        # forced-idr: frames we mark as I become real IDR keyframes (seekable section starts).
        vstream.options = {"crf": str(crf), "preset": "medium", "tune": "stillimage", "forced-idr": "1"}
        astream = None
        if audio:
            astream = out.add_stream("aac", rate=SAMPLE_RATE)
            astream.codec_context.layout = "mono"
            astream.codec_context.bit_rate = audio_bitrate
            astream.time_base = Fraction(1, SAMPLE_RATE)

        rendered: list[RenderedSection] = []
        frame_index = 0
        for i, (section, clip) in enumerate(zip(sections, clips)):
            need = max(clip.size + int(round(gap * SAMPLE_RATE)), int(math.ceil(section.min_seconds * SAMPLE_RATE)), 1)
            n_frames = max(1, int(math.ceil(need * fps / SAMPLE_RATE)))
            while sample_at(frame_index + n_frames) - sample_at(frame_index) < need:
                n_frames += 1
            start_sample, end_sample = sample_at(frame_index), sample_at(frame_index + n_frames)

            rgb = np.asarray(draw_slide(section, size, seed=i), dtype=np.uint8)
            for k in range(n_frames):
                frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
                frame.pts = frame_index + k
                frame.pict_type = PictureType.I if k == 0 else PictureType.NONE
                out.mux(vstream.encode(frame))
            if astream is not None:
                samples = np.zeros(end_sample - start_sample, dtype=np.float32)
                samples[: clip.size] = clip
                for offset in range(0, samples.size, 1024):  # aac takes 1024-sample frames
                    aframe = av.AudioFrame.from_ndarray(samples[None, offset: offset + 1024], format="fltp",
                                                        layout="mono")
                    aframe.sample_rate, aframe.pts = SAMPLE_RATE, start_sample + offset
                    aframe.time_base = Fraction(1, SAMPLE_RATE)
                    out.mux(astream.encode(aframe))

            rendered.append(RenderedSection(
                title=section.title, start=start_sample / SAMPLE_RATE, end=end_sample / SAMPLE_RATE,
                speech=section.speech, speech_end=(start_sample + clip.size) / SAMPLE_RATE,
            ))
            frame_index += n_frames
        out.mux(vstream.encode(None))
        if astream is not None:
            out.mux(astream.encode(None))
    finally:
        out.close()
    return rendered


def default_sections() -> list[Section]:
    """The demo lecture: intro, solar energy, a "Project Roadmap" timeline slide, and Q&A (~52 s)."""
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
