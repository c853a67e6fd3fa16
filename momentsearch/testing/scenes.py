"""How a synthetic lecture is filmed: the picture a viewer sees, given the slide on screen.

A scene turns the current slide (an RGB array, or None while only the speaker is shown) and the
time into one video frame:
- `ScreenScene`: the slides themselves, full frame (an exported screen recording).
- `CameraScene`: a lecture-hall camera filming a projected slide: perspective, low contrast, a
  slightly shaking camera, sensor noise, and a lecturer who walks in front of the screen.
- `ScreencastScene`: a shared screen (viewer window around the slide, a moving mouse pointer)
  with a webcam tile of the speaker in the corner, always moving.
Every scene can also show the speaker alone (a talking head). Scenes are deterministic given
their seed, so a re-render gives the same video.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

SCENES = ("screen", "camera", "screencast")


def make_scene(kind: str, size: tuple[int, int], seed: int = 0):
    from momentsearch.errors import ConfigError

    classes = {"screen": ScreenScene, "camera": CameraScene, "screencast": ScreencastScene}
    if kind not in classes:
        raise ConfigError(f"unknown scene {kind!r}; expected one of {SCENES}")
    return classes[kind](size, seed)


class _Noise:
    """A bank of sensor-noise frames, picked pseudo-randomly per frame (cheaper than fresh noise)."""

    def __init__(self, shape: tuple[int, ...], sigma: float, seed: int, bank: int = 6) -> None:
        rng = np.random.default_rng(seed)
        self.frames = [rng.normal(0.0, sigma, shape).astype(np.float32) for _ in range(bank)]

    def add(self, img: np.ndarray, t: float) -> np.ndarray:
        k = int(t * 7919) % len(self.frames)
        return np.clip(img.astype(np.float32) + self.frames[k], 0, 255).astype(np.uint8)


def _wobble(t: float, phase: float, freqs=(0.23, 0.71, 1.37)) -> float:
    """A smooth, non-repeating-looking motion in [-1, 1]."""
    return sum(math.sin(2 * math.pi * f * t + phase * (i + 1)) for i, f in enumerate(freqs)) / len(freqs)


def draw_person(d: ImageDraw.ImageDraw, cx: float, top: float, height: float, t: float, seed: int,
                talking: bool = True) -> None:
    """A lecturer from the head down (`height` pixels), head at `top`; mouth and arms move with `t`."""
    rng = np.random.default_rng(seed)
    skin = tuple(int(x) for x in rng.choice([[224, 186, 160], [170, 120, 90], [110, 75, 55], [240, 205, 180]]))
    shirt = tuple(int(x) for x in rng.integers(30, 200, 3))
    hair = tuple(int(x) for x in rng.integers(10, 90, 3))
    head = height * 0.13
    nod = head * 0.06 * _wobble(t, seed)
    hx, hy = cx + head * 0.1 * _wobble(t * 0.7, seed + 1), top + head + nod
    shoulders = top + 2.1 * head
    d.rounded_rectangle([cx - head * 1.5, shoulders, cx + head * 1.5, top + height], radius=int(head * 0.6), fill=shirt)
    swing = head * 0.5 * _wobble(t * 1.3, seed + 2)
    for side in (-1, 1):  # arms
        d.line([cx + side * head * 1.3, shoulders + head * 0.3, cx + side * (head * 1.8) + swing * side,
                shoulders + head * 2.4], fill=shirt, width=max(3, int(head * 0.5)))
    d.rectangle([hx - head * 0.3, hy + head * 0.7, hx + head * 0.3, shoulders + 2], fill=skin)  # neck
    d.ellipse([hx - head * 0.8, hy - head, hx + head * 0.8, hy + head], fill=skin)
    d.chord([hx - head * 0.85, hy - head * 1.08, hx + head * 0.85, hy + head * 0.3], 180, 360, fill=hair)
    blink = (t * 0.37 + seed * 0.1) % 1.0 < 0.04
    for side in (-1, 1):
        ex, ey = hx + side * head * 0.32, hy + head * 0.05
        if blink:
            d.line([ex - head * 0.12, ey, ex + head * 0.12, ey], fill=(30, 30, 30), width=max(1, int(head * 0.06)))
        else:
            d.ellipse([ex - head * 0.09, ey - head * 0.09, ex + head * 0.09, ey + head * 0.09], fill=(30, 30, 30))
    opening = head * 0.12 * (0.5 + 0.5 * math.sin(t * 17.0)) if talking else head * 0.02
    d.ellipse([hx - head * 0.25, hy + head * 0.45 - opening / 2, hx + head * 0.25, hy + head * 0.45 + opening / 2 + 1],
              fill=(110, 40, 40))


def _room(size: tuple[int, int], seed: int, shelves: bool) -> Image.Image:
    """A plain room behind the speaker: a wall gradient, optionally a bookshelf."""
    w, h = size
    rng = np.random.default_rng(seed)
    top, bottom = rng.integers(120, 210, 3), rng.integers(60, 140, 3)
    t = np.linspace(0.0, 1.0, h)[:, None, None]
    img = Image.fromarray(np.broadcast_to(top + (bottom - top) * t, (h, w, 3)).astype(np.uint8))
    if shelves:
        d = ImageDraw.Draw(img)
        x0 = int(w * 0.05)
        for row in range(3):
            y = int(h * (0.15 + 0.22 * row))
            d.rectangle([x0, y + h * 0.17, x0 + w * 0.25, y + h * 0.19], fill=(90, 60, 35))
            x = x0
            while x < x0 + w * 0.24:
                bw = int(rng.integers(4, 10)) * w // 320
                d.rectangle([x, y + h * rng.uniform(0.04, 0.08), x + bw, y + h * 0.17],
                            fill=tuple(int(c) for c in rng.integers(40, 220, 3)))
                x += bw + 1
    return img


class ScreenScene:
    """The slides, full frame, as a presentation tool exports them. A talking head is a webcam shot."""

    def __init__(self, size: tuple[int, int], seed: int = 0) -> None:
        self.size, self.seed = size, seed
        self._room = _room(size, seed, shelves=True)
        self._noise = _Noise((size[1], size[0], 3), 2.5, seed)

    def speaker(self, t: float) -> np.ndarray:
        img = self._room.copy()
        w, h = self.size
        draw_person(ImageDraw.Draw(img), w * 0.55 + w * 0.02 * _wobble(t * 0.3, self.seed), h * 0.12, h * 1.1, t,
                    self.seed)
        return self._noise.add(np.asarray(img), t)

    def frame(self, slide: np.ndarray | None, t: float, key=None) -> np.ndarray:
        return self.speaker(t) if slide is None else slide


def _perspective_coeffs(src: list[tuple[float, float]], dst: list[tuple[float, float]]) -> list[float]:
    """PIL PERSPECTIVE coefficients mapping output points `dst` back to input points `src`."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    return list(np.linalg.solve(np.array(rows, float), np.array(rhs, float)))


class CameraScene:
    """A camera at the back of a lecture hall filming the projection screen and the lecturer."""

    def __init__(self, size: tuple[int, int], seed: int = 0) -> None:
        self.size, self.seed = size, seed
        w, h = size
        rng = np.random.default_rng(seed)
        jitter = lambda: rng.uniform(-0.02, 0.02)  # noqa: E731
        self.quad = [(w * (0.11 + jitter()), h * (0.05 + jitter())), (w * (0.87 + jitter()), h * (0.09 + jitter())),
                     (w * (0.85 + jitter()), h * (0.74 + jitter())), (w * (0.13 + jitter()), h * (0.70 + jitter()))]
        self._hall = self._draw_hall()
        self._mask = None
        self._cache: tuple[int, Image.Image] | None = None
        self._noise = _Noise((h, w, 3), 4.0, seed)
        self._walk = self._plan_walk(rng)

    def _draw_hall(self) -> Image.Image:
        w, h = self.size
        t = np.linspace(0.0, 1.0, h)[:, None, None]
        wall = np.array([58, 54, 50]) + (np.array([34, 32, 30]) - np.array([58, 54, 50])) * t
        img = Image.fromarray(np.broadcast_to(wall, (h, w, 3)).astype(np.uint8))
        d = ImageDraw.Draw(img)
        d.rectangle([0, int(h * 0.82), w, h], fill=(48, 40, 34))  # floor / front row
        d.rectangle([int(w * 0.03), int(h * 0.62), int(w * 0.17), int(h * 0.9)], fill=(92, 70, 50))  # lectern
        d.polygon(self.quad, fill=(70, 70, 72))  # the unlit screen edge shows around the image
        return img

    def _plan_walk(self, rng) -> list[tuple[float, float]]:
        """(time, x) waypoints: the lecturer stands, then walks across at about 40 px/s."""
        w = self.size[0]
        points, t, x = [(0.0, w * 0.12)], 0.0, w * 0.12
        while t < 4 * 3600:
            t += float(rng.uniform(3.0, 14.0))  # stand still
            points.append((t, x))
            nx = float(rng.uniform(0.08, 0.92)) * w
            t += abs(nx - x) / (w / 16.0)
            x = nx
            points.append((t, x))
        return points

    def _lecturer_x(self, t: float) -> float:
        times, xs = zip(*self._walk)
        return float(np.interp(t, times, xs))

    def _projected(self, slide: np.ndarray, key) -> Image.Image:
        """The hall with `slide` on the screen: warped, washed out, slightly blurred (cached by `key`)."""
        if key is not None and self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        w, h = self.size
        washed = (70.0 + slide.astype(np.float32) * 0.55).astype(np.uint8)
        src = Image.fromarray(washed)
        corners = [(0, 0), (src.width, 0), (src.width, src.height), (0, src.height)]
        coeffs = _perspective_coeffs(corners, self.quad)
        warped = src.transform((w, h), Image.PERSPECTIVE, coeffs, Image.BILINEAR)
        if self._mask is None:
            self._mask = Image.new("L", src.size, 255).transform((w, h), Image.PERSPECTIVE, coeffs, Image.BILINEAR)
        img = self._hall.copy()
        img.paste(warped.filter(ImageFilter.GaussianBlur(0.7)), (0, 0), self._mask)
        self._cache = (key, img)
        return img

    def speaker(self, t: float) -> np.ndarray:
        """A closer shot of the lecturer at the lectern (the director cut away from the screen)."""
        w, h = self.size
        img = self._hall.resize((w * 2, h * 2)).crop((0, int(h * 0.9), w, int(h * 0.9) + h))
        draw_person(ImageDraw.Draw(img), w * 0.5 + w * 0.05 * _wobble(t * 0.2, self.seed), h * 0.15, h, t, self.seed)
        return self._noise.add(np.asarray(img), t)

    def frame(self, slide: np.ndarray | None, t: float, key=None) -> np.ndarray:
        """The frame at `t` showing `slide` (None: the speaker); `key` names the slide for caching."""
        if slide is None:
            return self.speaker(t)
        w, h = self.size
        img = self._projected(slide, key).copy()
        draw_person(ImageDraw.Draw(img), self._lecturer_x(t), h * 0.3, h * 0.72, t, self.seed)
        dx, dy = 1.8 * _wobble(t, self.seed + 3), 1.2 * _wobble(t, self.seed + 4)
        img = img.transform((w, h), Image.AFFINE, (1.004, 0, dx + 1.2, 0, 1.004, dy + 0.7), Image.BILINEAR)
        gain = 1.0 + 0.02 * _wobble(t * 0.5, self.seed + 5)  # auto exposure breathing
        return self._noise.add(np.asarray(img).astype(np.float32) * gain, t)


class ScreencastScene:
    """A shared screen: a viewer window around the slide, a mouse pointer, a webcam tile at the
    bottom right that never stops moving."""

    def __init__(self, size: tuple[int, int], seed: int = 0) -> None:
        self.size, self.seed = size, seed
        w, h = size
        self.tile = (w // 4 // 2 * 2, int(w // 4 * 0.75) // 2 * 2)
        self._room = _room(self.tile, seed + 1, shelves=True)
        self._big_room = _room(size, seed + 1, shelves=True)
        self._tile_noise = _Noise((self.tile[1], self.tile[0], 3), 5.0, seed)
        self._noise = _Noise((h, w, 3), 3.0, seed + 2)
        self._window: tuple[int, Image.Image] | None = None

    def _webcam(self, size: tuple[int, int], room: Image.Image, t: float) -> Image.Image:
        img = room.copy()
        w, h = size
        draw_person(ImageDraw.Draw(img), w * 0.5 + w * 0.06 * _wobble(t * 0.9, self.seed), h * 0.12, h * 1.3, t,
                    self.seed)
        return img

    def _screen(self, slide: np.ndarray, key) -> Image.Image:
        """The viewer window: dark frame, a toolbar, the slide scaled into it (cached by `key`)."""
        if key is not None and self._window is not None and self._window[0] == key:
            return self._window[1]
        w, h = self.size
        img = Image.new("RGB", (w, h), (40, 42, 46))
        d = ImageDraw.Draw(img)
        bar = max(10, h // 18)
        d.rectangle([0, 0, w, bar], fill=(225, 225, 228))
        for i in range(3):
            d.ellipse([6 + i * bar, bar // 4, 6 + i * bar + bar // 2, bar // 4 + bar // 2],
                      fill=[(235, 90, 80), (240, 190, 60), (90, 190, 90)][i])
        d.rectangle([w // 3, bar // 4, w * 2 // 3, bar - bar // 4], fill=(245, 245, 245))
        scale = min((w - 8) / slide.shape[1], (h - bar - 8) / slide.shape[0])
        sw, sh = int(slide.shape[1] * scale), int(slide.shape[0] * scale)
        img.paste(Image.fromarray(slide).resize((sw, sh), Image.BILINEAR), ((w - sw) // 2, bar + 4))
        self._window = (key, img)
        return img

    def frame(self, slide: np.ndarray | None, t: float, key=None) -> np.ndarray:
        w, h = self.size
        if slide is None:  # the webcam, full screen
            img = self._webcam(self.size, self._big_room, t)
            return self._noise.add(np.asarray(img), t)
        img = self._screen(slide, key).copy()
        d = ImageDraw.Draw(img)
        px = w * (0.5 + 0.35 * _wobble(t * 0.15, self.seed + 7))
        py = h * (0.5 + 0.3 * _wobble(t * 0.11, self.seed + 8))
        d.polygon([(px, py), (px, py + 14), (px + 4, py + 10), (px + 10, py + 10)], fill=(255, 255, 255),
                  outline=(0, 0, 0))
        tw, th = self.tile
        cam = self._webcam(self.tile, self._room, t)
        cam = Image.fromarray(self._tile_noise.add(np.asarray(cam), t))
        img.paste(cam, (w - tw - 6, h - th - 6))
        d.rectangle([w - tw - 7, h - th - 7, w - 6, h - 6], outline=(255, 255, 255))
        return np.asarray(img)
