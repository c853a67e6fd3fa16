"""The headless Chromium the page tests drive (Playwright), shared: `from page_browser import browser, needs_chromium`
(`browser` is a module-scoped fixture; `pytestmark = needs_chromium`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else shutil.which("chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--autoplay-policy=no-user-gesture-required"]
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/setup.sh installs it)")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def page_file(path: str) -> str | None:
    """The file of the page's own that a request for `path` (`/`, `/web/...`) is answered with, else None."""
    import momentsearch.server as server

    web = Path(server.__file__).parent / "web"
    if path == "/":
        return str(web / "index.html")
    return str(web / path[len("/web/"):]) if path.startswith("/web/") else None


def videos_answer(names: dict[str, str], duration: float, channels: list[str] | None = None) -> dict:
    """/api/videos's answer for videos `names` (video id -> file name, each under /srv/) of one length."""
    return {"videos": [{"video_id": v, "name": n, "path": "/srv/" + n, "kind": "video", "duration": duration,
                        "channels": channels or ["transcript"], "language": "en"} for v, n in names.items()],
            "channels": ["transcript"]}


def changing_video(path: Path, seconds: float) -> bytes:
    """A small MP4 at `path` whose picture changes every second (2 frames a second, 64x48), `seconds` long: its
    bytes, for a page test's faked media answers (the player seeks in it)."""
    from fractions import Fraction

    av = pytest.importorskip("av")
    import numpy as np

    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=2)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        stream.time_base = Fraction(1, 2)
        for n in range(int(seconds * 2)):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), (n * 3) % 256, np.uint8), format="rgb24")
            frame.pts = n
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return path.read_bytes()
