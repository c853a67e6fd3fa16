"""The web player plays the audio track the index transcribed: an OBS-style recording with the desktop's
music on track 1 and the microphone on track 2 is served (/api/media) as a copy with the microphone
first, made once by stream copy into the index's cache folder, seekable with Range; a single-track
file is served as it is; a changed file gets a new copy; a copy that cannot be made falls back to the
file, with a note in the log."""

from __future__ import annotations

import contextlib
import io
import logging
import shutil
import time
from pathlib import Path

import av
import numpy as np
import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from momentsearch.api import MomentIndex  # noqa: E402
from momentsearch.server.app import create_app  # noqa: E402
from momentsearch.types import FileRecord  # noqa: E402
from test_real_codecs import RATE, write  # noqa: E402
from test_server import _FakeIndex  # noqa: E402

VID = "0123456789abcdef"


class _PlayerIndex(_FakeIndex):
    """The server's fake index with the real playable_copy, its cache folder in `cache_dir`."""

    playable_copy = MomentIndex.playable_copy

    def __init__(self, records, cache_dir: Path):
        super().__init__(records)
        self._cache_dir = str(cache_dir)


def _record(path: Path, video_id: str = VID) -> FileRecord:
    st = path.stat()
    return FileRecord(path=str(path), video_id=video_id, size=st.st_size, mtime=st.st_mtime, duration=4.0,
                      channels=["transcript"], visual_segments=[], complete=True, device=st.st_dev,
                      inode=st.st_ino, mime="video/mp4")


@pytest.fixture(scope="module")
def voice():
    from momentsearch.testing.synth import speak

    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (scripts/setup.sh installs it)")
    voice16 = speak("Today we look at how energy flows through living things, and why the second law matters.")
    t = np.arange(int(len(voice16) / 16_000 * RATE)) / RATE
    return np.interp(t, np.arange(len(voice16)) / 16_000, voice16).astype(np.float32)[None]


def _music(samples: int, pitch: float = 220.0) -> np.ndarray:
    t = np.arange(samples) / RATE
    return ((0.2 * np.sin(2 * np.pi * pitch * t) + 0.15 * np.sin(2 * np.pi * pitch * 1.26 * t))
            * (0.6 + 0.4 * np.sin(2 * np.pi * 2 * t))).astype(np.float32)[None]


def _obs_recording(path: Path, voice: np.ndarray, pitch: float = 220.0) -> None:
    """Music on track 1 (marked default, as recorders do), the voice on track 2."""
    write(path, "libx264", voice.shape[1] / RATE, tracks=[_music(voice.shape[1], pitch), voice],
          options={"preset": "ultrafast"})


def _audio_packets(data_or_path, which: int) -> list[bytes]:
    source = str(data_or_path) if isinstance(data_or_path, Path) else io.BytesIO(data_or_path)
    with av.open(source) as f:
        stream = f.streams.audio[which]
        return [bytes(p) for p in f.demux(stream) if p.size and not p.is_discard]  # (AAC's priming frame)


def test_a_two_track_recording_plays_its_speech_track_and_seeks(tmp_path, voice):
    video = tmp_path / "obs.mp4"
    _obs_recording(video, voice)
    cache = tmp_path / "db" / "momentsearch-cache"
    index = _PlayerIndex([_record(video)], cache)
    with TestClient(create_app(index, warm=False), base_url="http://localhost:8000") as client:
        r = client.get(f"/api/media/{VID}")
        assert r.status_code == 200 and r.headers["content-type"] == "video/mp4"
        served = r.content
        assert served != video.read_bytes()
        with av.open(io.BytesIO(served)) as f:
            assert [s.type for s in f.streams] == ["video", "audio", "audio"]  # the music is kept, second
            flags = [bool(s.disposition & av.stream.Disposition.default) for s in f.streams.audio]
            assert flags == [True, False]  # a player that follows the default flag takes the voice too
        # the first audio track the browser gets is the microphone's, packet for packet (stream copy)
        assert _audio_packets(served, 0) == _audio_packets(video, 1)
        assert _audio_packets(served, 1) == _audio_packets(video, 0)
        # seeking: ranges of the copy, the suffix form and HEAD agree with the whole
        size = len(served)
        r = client.get(f"/api/media/{VID}", headers={"Range": "bytes=1000-1999"})
        assert r.status_code == 206 and r.content == served[1000:2000]
        assert r.headers["content-range"] == f"bytes 1000-1999/{size}"
        r = client.get(f"/api/media/{VID}", headers={"Range": "bytes=-500"})
        assert r.status_code == 206 and r.content == served[-500:]
        assert client.get(f"/api/media/{VID}", headers={"Range": f"bytes={size}-"}).status_code == 416
        assert client.head(f"/api/media/{VID}").headers["content-length"] == str(size)
        # the copy keeps the file's clock: /api/clock, read from what the player gets, says the same
        with av.open(str(video)) as f:
            origin = max(0.0, (f.start_time or 0) / av.time_base)
        assert client.get(f"/api/clock/{VID}").json()["origin"] == pytest.approx(origin, abs=1e-3)
    copies = sorted(p.name for p in (cache / "playback").iterdir())
    assert len(copies) == 1 and copies[0].startswith(VID) and copies[0].endswith(".mp4")


def test_the_copy_is_made_once_and_again_when_the_file_changes(tmp_path, voice):
    video = tmp_path / "obs.mp4"
    _obs_recording(video, voice)
    cache = tmp_path / "momentsearch-cache"
    with TestClient(create_app(_PlayerIndex([_record(video)], cache), warm=False),
                    base_url="http://localhost:8000") as client:
        first = client.get(f"/api/media/{VID}").content
        (copy,) = (cache / "playback").iterdir()
        made = copy.stat().st_mtime_ns
        assert client.get(f"/api/media/{VID}").content == first and copy.stat().st_mtime_ns == made
    # a new server (another process) finds the copy on disk
    with TestClient(create_app(_PlayerIndex([_record(video)], cache), warm=False),
                    base_url="http://localhost:8000") as client:
        assert client.get(f"/api/media/{VID}").content == first and copy.stat().st_mtime_ns == made
    # the recording is replaced by another take (indexed again: a new record): a new copy, the old one gone
    _obs_recording(video, voice, pitch=330.0)
    with TestClient(create_app(_PlayerIndex([_record(video)], cache), warm=False),
                    base_url="http://localhost:8000") as client:
        again = client.get(f"/api/media/{VID}").content
    assert again != first and _audio_packets(again, 1) == _audio_packets(video, 0)
    assert [p.name for p in (cache / "playback").iterdir()] != [copy.name] and not copy.exists()


def test_a_starting_server_makes_the_copies_before_the_first_play(tmp_path, voice):
    obs = tmp_path / "obs.mp4"
    _obs_recording(obs, voice)
    single = tmp_path / "single.mp4"
    write(single, "libx264", 2.0, options={"preset": "ultrafast"})
    gone = tmp_path / "gone.mp4"
    write(gone, "libx264", 2.0, options={"preset": "ultrafast"})
    records = [_record(gone, "3333333333333333"), _record(single, "1111111111111111"), _record(obs, VID)]
    gone.unlink()  # moved away since indexing: skipped, the others still prepared
    cache = tmp_path / "momentsearch-cache"
    with TestClient(create_app(_PlayerIndex(records, cache), warm=False, prepare=True),
                    base_url="http://localhost:8000") as client:
        deadline = time.monotonic() + 30
        finished = lambda: [p for p in (cache / "playback").glob("*") if p.suffix != ".part"]  # noqa: E731
        while time.monotonic() < deadline and len(finished()) < 2:  # a copy is written as .part, then renamed
            time.sleep(0.05)
        made = sorted((p.suffix, p.stat().st_mtime_ns) for p in (cache / "playback").iterdir())
        assert [suffix for suffix, _ in made] == [".as-is", ".mp4"]  # before any request asked for them
        copy = next((cache / "playback").glob("*.mp4"))
        served = client.get(f"/api/media/{VID}").content
        assert _audio_packets(served, 0) == _audio_packets(obs, 1) and served == copy.read_bytes()
        assert copy.stat().st_mtime_ns == made[1][1]  # the first play took the prepared copy
        assert client.get("/api/media/3333333333333333").status_code == 409  # gone: said at its request


def test_a_single_track_file_and_a_failed_copy_are_served_as_they_are(tmp_path, voice, caplog):
    single = tmp_path / "single.mp4"
    write(single, "libx264", 2.0, options={"preset": "ultrafast"})
    obs = tmp_path / "obs.mp4"
    _obs_recording(obs, voice)
    cache = tmp_path / "momentsearch-cache"
    records = [_record(single, "1111111111111111"), _record(obs, "2222222222222222")]
    with TestClient(create_app(_PlayerIndex(records, cache), warm=False), base_url="http://localhost:8000") as client:
        assert client.get("/api/media/1111111111111111").content == single.read_bytes()
        assert client.get("/api/clock/1111111111111111").json()["origin"] == 0.0  # read after the track choice
    assert [p.suffix for p in (cache / "playback").iterdir()] == [".as-is"]  # decided once, nothing copied
    # the cache folder cannot be written (here: a file stands where it should be): the file as it is, a log note
    shutil.rmtree(cache)
    cache.write_text("not a folder")
    app = create_app(_PlayerIndex(records, cache), warm=False)
    with caplog.at_level(logging.WARNING, logger="momentsearch.server"), \
            TestClient(app, base_url="http://localhost:8000") as client:
        r = client.get("/api/media/2222222222222222", headers={"Range": "bytes=0-"})
        assert r.status_code == 206 and r.content == obs.read_bytes()
        assert client.get("/api/media/2222222222222222").content == obs.read_bytes()
        # a single-track file needs no copy: nothing to note (a read-only index noted every one of them)
        assert client.get("/api/media/1111111111111111").content == single.read_bytes()
    notes = [rec.getMessage() for rec in caplog.records if "2222222222222222" in rec.getMessage()]
    assert len(notes) == 1 and "served as it is" in notes[0], notes  # noted once, not at every range request
    assert not [rec for rec in caplog.records if "1111111111111111" in rec.getMessage()]


def test_writing_the_index_keeps_the_players_copies(tmp_path):
    from momentsearch.search.cache import PLAYBACK_DIRNAME, clear

    root = tmp_path / "momentsearch-cache"
    (root / "transcript-abc").mkdir(parents=True)
    (root / "snapshot").mkdir()
    (root / "stray.json").write_text("{}")
    (root / PLAYBACK_DIRNAME).mkdir()
    (root / PLAYBACK_DIRNAME / f"{VID}-x.mp4").write_bytes(b"copy")
    clear(root)
    assert [p.name for p in root.iterdir()] == [PLAYBACK_DIRNAME]
    assert (root / PLAYBACK_DIRNAME / f"{VID}-x.mp4").read_bytes() == b"copy"


_HEARD = """async (url) => {
  const v = document.createElement("video"); v.src = url; document.body.appendChild(v);
  const ctx = new AudioContext(), an = ctx.createAnalyser();
  an.fftSize = 4096; ctx.createMediaElementSource(v).connect(an); an.connect(ctx.destination);
  await ctx.resume(); v.currentTime = 1.0; await v.play();
  await new Promise((r) => setTimeout(r, 1200));
  const d = new Float32Array(an.frequencyBinCount); an.getFloatFrequencyData(d); v.pause();
  const p = Array.from(d, (x) => Math.pow(10, x / 10)), bin = Math.round(TONE / (ctx.sampleRate / an.fftSize));
  return {tone_share: p.slice(bin - 2, bin + 3).reduce((a, b) => a + b, 0) / p.reduce((a, b) => a + b, 0),
          time: v.currentTime};
}"""


@contextlib.contextmanager
def _live(app):
    """The app on a free port (uvicorn in a thread) and a headless Chromium: yields (base url, page)."""
    import threading
    import time

    import uvicorn

    from test_browser import CHROMIUM, CHROMIUM_ARGS, _free_port

    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (scripts/setup.sh installs it)")
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.05)
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=CHROMIUM_ARGS + ["--autoplay-policy=no-user-gesture-required"])
            try:
                yield f"http://127.0.0.1:{port}", browser.new_page()
            finally:
                browser.close()
    finally:
        server.should_exit = True
        thread.join(10)


class _PageIndex(_PlayerIndex):
    """What the page asks beyond the media: start-page examples and chapters (none here)."""

    def example_queries(self, n=4):
        return []

    def chapters(self, video):
        return []


def test_chromium_plays_the_speech_track_of_the_copy_and_the_music_of_the_file(tmp_path, voice):
    """What a user hears, in the browser: the file as it is plays its first track (a 1 kHz tone standing for
    the desktop's music), the served copy the voice; both seek (played from 1 s on)."""
    video = tmp_path / "obs.mp4"
    tone = 0.3 * np.sin(2 * np.pi * 1000 * np.arange(voice.shape[1]) / RATE).astype(np.float32)[None]
    write(video, "libx264", voice.shape[1] / RATE, tracks=[tone, voice], options={"preset": "ultrafast"})
    as_is = "1111111111111111"

    class OneAsIs(_PageIndex):
        def playable_copy(self, source, record):
            return None if record.video_id == as_is else MomentIndex.playable_copy(self, source, record)

    app = create_app(OneAsIs([_record(video), _record(video, as_is)], tmp_path / "cache"), warm=False)
    with _live(app) as (base, page):
        page.goto(base + "/")
        script = _HEARD.replace("TONE", "1000")
        copy, original = (page.evaluate(script, f"/api/media/{vid}") for vid in (VID, as_is))
    assert original["tone_share"] > 0.9 and copy["tone_share"] < 0.05, (original, copy)
    assert copy["time"] > 1.5 and original["time"] > 1.5


def test_a_file_moved_away_after_indexing_says_so_in_the_player(tmp_path):
    """The player said 'MEDIA_ELEMENT_ERROR: Format error. Is the file still where it was indexed?' for a file
    moved away, changed or replaced (the server had said exactly which, in a JSON 409 the element never
    shows), and the same for a file the browser cannot decode. Now it shows the server's reason; and the
    result's thumbnail, which the server cannot make either, is the empty box, not a broken-image icon."""
    video = tmp_path / "talk.mp4"
    write(video, "libx264", 2.0, options={"preset": "ultrafast"})
    record = _record(video)
    record.visual_segments = [(0.0, 2.0)]  # a slide, so the result has a thumbnail (which cannot be made now)
    app = create_app(_PageIndex([record], tmp_path / "cache"), warm=False)
    video.rename(tmp_path / "elsewhere.mp4")
    with _live(app) as (base, page):
        page.goto(base + "/?q=talk")
        page.click(".result")
        try:
            page.wait_for_function("() => document.getElementById('status').dataset.state === 'error'", timeout=30000)
        finally:
            status = page.inner_text("#status")  # (shown by the assertion below when the wait ran out)
        page.wait_for_function("() => document.querySelector('.result .nothumb')", timeout=10000)
        broken = page.evaluate("() => [...document.querySelectorAll('.result img')].length")
    assert status.startswith(f"The video cannot be played: the indexed file of video {VID} is gone"), status
    assert "Format error" not in status
    assert broken == 0  # the thumbnail's 409 shows the empty box, not a broken-image icon


def test_the_servers_notes_are_printed_as_uvicorns_lines(capsys):
    """`momentsearch serve` printed the note of a failed copy through Python's last-resort handler: a bare
    line among uvicorn's 'INFO:     ...' ones. Now it is a 'WARNING:  ...' line like theirs."""
    import logging.config

    from momentsearch.server.guard import log_config

    logging.config.dictConfig(log_config())
    logging.getLogger("momentsearch.server").warning("video %s: served as it is", VID)
    out = capsys.readouterr()
    assert f"WARNING:  video {VID}: served as it is" in out.out + out.err
