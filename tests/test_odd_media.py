"""Odd but common media: a video whose picture starts late (clips), diagrams on a transparent background,
16-bit grey scans and 108 megapixel phone photos (photos)."""

from __future__ import annotations

import io
import json
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from momentsearch.clips import cut_clip
from momentsearch.errors import BadInputError
from momentsearch.media import open_image
from momentsearch.query_image import load_query_image
from tests.conftest import run_cli

AUDIO_RATE = 16000


def _render_late_video(path: Path, video_from: float = 5.0, seconds: float = 7.0) -> None:
    """A 64x64 mp4: a 440 Hz tone from 0 s, the picture only from `video_from` s (a recording whose
    camera came on late); 10 fps with a keyframe every second."""
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=10, options={"g": "10"})
        video.width = video.height = 64
        video.pix_fmt = "yuv420p"
        video.codec_context.time_base = Fraction(1, 10)
        audio = out.add_stream("aac", rate=AUDIO_RATE, layout="mono")
        t = np.arange(int(seconds * AUDIO_RATE)) / AUDIO_RATE
        wave = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        packets = []
        for i in range(0, len(wave), 1024):
            frame = av.AudioFrame.from_ndarray(wave[None, i:i + 1024], format="fltp", layout="mono")
            frame.sample_rate, frame.pts = AUDIO_RATE, i
            packets += audio.encode(frame)
        packets += audio.encode(None)
        rng = np.random.default_rng(0)
        for k in range(int((seconds - video_from) * 10)):
            frame = av.VideoFrame.from_ndarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8), format="rgb24")
            frame.pts, frame.time_base = int(video_from * 10) + k, Fraction(1, 10)
            packets += video.encode(frame)
        packets += video.encode(None)
        for packet in packets:
            out.mux(packet)


@pytest.fixture(scope="module")
def late_video(tmp_path_factory):
    path = tmp_path_factory.mktemp("late") / "late.mp4"
    _render_late_video(path)
    with av.open(str(path)) as f:  # the fixture is what it claims to be
        assert f.streams.video[0].start_time * f.streams.video[0].time_base == pytest.approx(5.0)
        assert f.streams.audio[0].start_time * f.streams.audio[0].time_base < 0.01
    return path


def test_clip_before_the_picture_starts_keeps_the_audio_there(late_video, tmp_path):
    out = tmp_path / "early.mp4"
    clip = cut_clip(late_video, 0, 2, out)
    assert clip.start == pytest.approx(0.0, abs=0.07) and clip.end == pytest.approx(2.0, abs=0.1)
    with av.open(str(out)) as f:
        assert [s.type for s in f.streams] == ["audio"]
        samples = sum(fr.samples for fr in f.decode(audio=0))
        assert float(f.duration / 1e6) == pytest.approx(2.0, abs=0.1)
    assert samples / AUDIO_RATE == pytest.approx(2.0, abs=0.1)
    assert [p.name for p in tmp_path.iterdir()] == ["early.mp4"]  # no .part left behind


def test_clip_of_nothing_is_a_clear_error_with_no_file_left(late_video, tmp_path):
    for start, end in [(30, 40), (7.5, 9)]:  # past the end of a 7 s file
        with pytest.raises(BadInputError, match=f"nothing to cut between {start:g} s and {end:g} s .*it is 7 s long"):
            cut_clip(late_video, start, end, tmp_path / "none.mp4")
    assert list(tmp_path.iterdir()) == []
    proc = run_cli("clip", str(late_video), "30", "40", "-o", str(tmp_path / "none.mp4"), check=False)
    assert proc.returncode != 0 and "nothing to cut between 30 s and 40 s" in proc.stderr
    assert "Traceback" not in proc.stderr and list(tmp_path.iterdir()) == []
    got = json.loads(run_cli("clip", str(late_video), "0", "2", "-o", str(tmp_path / "a.mp4"), "--json").stdout)
    assert got["duration"] == pytest.approx(2.0, abs=0.1) and [p.name for p in tmp_path.iterdir()] == ["a.mp4"]
    run_cli("clip", str(late_video), "0", "2", "-o", str(tmp_path / "new" / "b.mp4"))  # the folder is made
    assert (tmp_path / "new" / "b.mp4").stat().st_size > 0


def _clip_route(path: Path, params: dict, **record):
    """GET /api/clips of `path`, the one file of a server whose index cuts with the real front door
    (MomentIndex.export_clip: a file object needs nothing else); `record`: the rest of its FileRecord."""
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from momentsearch.api import MomentIndex
    from momentsearch.server.app import create_app
    from momentsearch.types import FileRecord
    from test_server import _FakeIndex

    class ClipIndex(_FakeIndex):
        export_clip = MomentIndex.export_clip

    st = path.stat()
    rec = FileRecord(path=str(path), video_id="0123456789abcdef", size=st.st_size, mtime=st.st_mtime,
                     visual_segments=[], complete=True, device=st.st_dev, inode=st.st_ino, **record)
    return TestClient(create_app(ClipIndex([rec]), warm=False), base_url="http://localhost:8000").get(
        f"/api/clips/{rec.video_id}", params=params)


def test_clip_route_answers_400_with_the_reason(late_video):
    video = {"duration": 7.0, "channels": ["transcript"], "mime": "video/mp4"}
    r = _clip_route(late_video, {"start": 30, "end": 40}, **video)
    assert r.status_code == 400 and "nothing to cut between 30 s and 40 s" in r.json()["error"]
    r = _clip_route(late_video, {"start": 0, "end": 2}, **video)
    assert r.status_code == 200 and float(r.headers["x-clip-end"]) == pytest.approx(2.0, abs=0.1)
    with av.open(io.BytesIO(r.content)) as f:
        assert [s.type for s in f.streams] == ["audio"]


# -- transparent images ----------------------------------------------------------------------------
def _diagram(mode: str = "RGBA") -> Image.Image:
    """An exported diagram: black text and a box (alpha 255) on a fully transparent (0, 0, 0, 0) ground."""
    img = Image.new("RGBA", (480, 200), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.text((30, 50), "Pipeline", font=ImageFont.load_default(size=72), fill=(0, 0, 0, 255))
    d.rectangle([380, 60, 450, 140], fill=(0, 0, 0, 255))
    if mode == "LA":
        return img.convert("LA")
    if mode == "P":  # palette with a transparent index, as GIF and small PNG exporters write it
        return img.convert("P", palette=Image.Palette.ADAPTIVE, colors=8)
    return img


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
def test_transparent_png_is_laid_on_white(mode, tmp_path):
    path = tmp_path / f"diagram-{mode}.png"
    img = _diagram(mode)
    img.save(path)
    assert mode != "P" or "transparency" in Image.open(path).info
    got = open_image(path)
    assert got.shape == (200, 480, 3) and got.dtype == np.uint8
    assert (got[:30] == 255).all() and (got[:, :20] == 255).all()  # transparent ground -> white
    assert (got[70:130, 390:440] < 10).all()  # the opaque black box stays black
    words = got[40:140, 20:360]
    assert 0.05 < (words < 100).mean() < 0.6 and 0.3 < (words > 200).mean()  # dark text on white


def test_query_image_given_as_a_transparent_pil_image_is_laid_on_white():
    got = load_query_image(_diagram())
    assert (got[:30] == 255).all() and (got[70:130, 390:440] < 10).all()


def test_ocr_reads_the_text_of_a_transparent_diagram(tmp_path):
    pytest.importorskip("rapidocr_onnxruntime")
    from momentsearch.models.ocr import OcrModel

    path = tmp_path / "diagram.png"
    _diagram().save(path)
    lines = OcrModel().read([open_image(path)])[0]
    assert "pipeline" in " ".join(line.text for line in lines).lower()


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_16_bit_grey_scan_keeps_its_text(suffix, tmp_path):
    """A 16-bit grey scan (I;16 in Pillow, values up to 65535): Pillow's convert clips it at 255, all
    white; it is scaled to 8 bits instead, dark text on a light page."""
    page = Image.new("L", (480, 200), 230)
    ImageDraw.Draw(page).text((30, 50), "Pipeline", font=ImageFont.load_default(size=72), fill=20)
    path = tmp_path / f"scan{suffix}"
    Image.fromarray(np.asarray(page).astype(np.uint16) * 257).save(path)
    assert Image.open(path).mode.startswith("I;16")
    got = open_image(path)
    assert got.shape == (200, 480, 3) and abs(int(got[:30].mean()) - 230) <= 2
    words = got[40:140, 20:360]
    assert 0.05 < (words < 100).mean() < 0.6


def test_108_megapixel_phone_photo_is_read_shrunk_and_the_same_png_refused(tmp_path, monkeypatch):
    """A 12000x9000 JPEG (a 108 MP phone camera's) is over MAX_PIXELS but decodes at 1/4 scale: it is
    read, never decoded whole. The same pixels as a PNG would decode whole: refused, with a reason."""
    from PIL import ImageFile

    from momentsearch.media import MAX_PIXELS, PHOTO_MAX_SIDE

    photo = Image.new("L", (12000, 9000), 235)
    ImageDraw.Draw(photo).rectangle([3000, 3000, 9000, 6000], fill=10)
    photo.save(tmp_path / "phone.jpg", quality=60)
    photo.save(tmp_path / "phone.png", compress_level=1)
    assert 12000 * 9000 > MAX_PIXELS
    loads = []
    real_load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: loads.append(self.size) or real_load(self))
    got = open_image(tmp_path / "phone.jpg", max_side=PHOTO_MAX_SIDE)
    assert got.shape == (1536, 2048, 3) and got[768, 1024].max() < 40 and got[100, 100].min() > 200
    assert max(w * h for w, h in loads) <= 12000 * 9000 // 16
    with pytest.raises(BadInputError, match="too large to decode safely .*decompression bomb"):
        open_image(tmp_path / "phone.png", max_side=PHOTO_MAX_SIDE)


def test_an_audio_file_with_cover_art_is_audio(tmp_path):
    """An M4A (or MP3) with cover art holds a video stream that is one attached picture: the file is
    audio (no keyframes, no slide text read off the cover over and over), and a clip of it is sound only."""
    from momentsearch.pipeline.decode import iter_frames, probe

    path = tmp_path / "episode.m4a"
    with av.open(str(path), "w", format="mp4") as out:
        sound = out.add_stream("aac", rate=AUDIO_RATE, layout="mono")
        cover = out.add_stream("mjpeg")
        cover.width, cover.height, cover.pix_fmt = 64, 64, "yuvj420p"
        cover.disposition = av.stream.Disposition.attached_pic
        picture = av.VideoFrame.from_ndarray(np.full((64, 64, 3), 200, np.uint8), format="rgb24").reformat(format="yuvj420p")
        packets = list(cover.encode(picture)) + list(cover.encode(None))
        wave = (0.3 * np.sin(2 * np.pi * 440 * np.arange(3 * AUDIO_RATE) / AUDIO_RATE)).astype(np.float32)
        for i in range(0, len(wave), 1024):
            frame = av.AudioFrame.from_ndarray(wave[None, i:i + 1024], format="fltp", layout="mono")
            frame.sample_rate, frame.pts = AUDIO_RATE, i
            packets += sound.encode(frame)
        packets += sound.encode(None)
        for packet in packets:
            out.mux(packet)
    with av.open(str(path)) as f:  # the fixture is what it claims to be
        assert len(f.streams.video) == 1 and av.stream.Disposition.attached_pic in f.streams.video[0].disposition
    info = probe(path)
    assert not info.has_video and info.has_audio and info.duration == pytest.approx(3.0, abs=0.1)
    assert list(iter_frames(path, fps=1.0)) == []
    clip = cut_clip(path, 0.5, 2.0, tmp_path / "c.mp4")
    with av.open(clip.path) as f:
        assert [s.type for s in f.streams] == ["audio"]


def _write_wav(path: Path, seconds: float = 3.0) -> Path:
    with av.open(str(path), "w", format="wav") as out:
        sound = out.add_stream("pcm_s16le", rate=AUDIO_RATE, layout="mono")
        wave = (8000 * np.sin(2 * np.pi * 440 * np.arange(int(seconds * AUDIO_RATE)) / AUDIO_RATE)).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(wave[None, :], format="s16", layout="mono")
        frame.sample_rate, frame.pts = AUDIO_RATE, 0
        for packet in [*sound.encode(frame), *sound.encode(None)]:
            out.mux(packet)
    return path


def test_a_wav_clip_into_mp4_is_encoded_to_aac(tmp_path):
    """PCM is a codec FFmpeg will put into MP4, but browsers do not play it there."""
    path = _write_wav(tmp_path / "talk.wav")
    clip = cut_clip(path, 0.5, 2.0, tmp_path / "c.mp4")
    with av.open(clip.path) as f:
        assert [s.codec_context.name for s in f.streams] == ["aac"]
        rate = f.streams.audio[0].rate
        assert sum(fr.samples for fr in f.decode(audio=0)) / rate == pytest.approx(clip.duration, abs=0.1)
    kept = cut_clip(path, 0.5, 2.0, tmp_path / "c.mkv")  # Matroska plays PCM: copied as it is
    with av.open(kept.path) as f:
        assert [s.codec_context.name for s in f.streams] == ["pcm_s16le"]


@pytest.mark.parametrize("suffix, codec", [(".m4a", "aac"), (".mp3", "mp3"), (".wav", "pcm_s16le"), (".flac", "flac"),
                                           (".ogg", "opus"), (".opus", "opus")])
def test_a_clip_into_a_sound_file_holds_the_sound_alone(late_video, tmp_path, suffix, codec):
    """A podcast or a recorded talk is kept as a sound file: its clip is one too (a .m4a's is a .m4a), and a
    video's sound can be cut into one; a video without sound cannot, in one plain line."""
    from momentsearch.clips import clip_file_name

    assert clip_file_name(f"/talks/episode{suffix}", 2, 4).endswith(f"episode-2-4{suffix}")
    clip = cut_clip(late_video, 5.5, 6.5, tmp_path / f"v{suffix}")  # the picture has begun: it is left out
    with av.open(clip.path) as f:
        assert [(s.type, s.codec_context.name.startswith(codec)) for s in f.streams] == [("audio", True)]  # mp3float
        seconds = sum(fr.samples for fr in f.decode(audio=0)) / f.streams.audio[0].rate
    assert seconds == pytest.approx(clip.duration, abs=0.1) and clip.duration == pytest.approx(1.0, abs=0.15)
    talk = cut_clip(_write_wav(tmp_path / "talk.wav"), 0.5, 2.0, tmp_path / f"t{suffix}")
    with av.open(talk.path) as f:
        assert [s.codec_context.name.startswith(codec) for s in f.streams] == [True]
    mute = tmp_path / "mute.mp4"
    with av.open(str(mute), "w") as out:
        picture = out.add_stream("mpeg4", rate=5)
        picture.width, picture.height, picture.pix_fmt = 64, 64, "yuv420p"
        for i in range(10):
            frame = av.VideoFrame.from_ndarray(np.full((64, 64, 3), 20 * i, np.uint8), format="rgb24")
            out.mux(picture.encode(frame.reformat(format="yuv420p")))
        out.mux(picture.encode(None))
    with pytest.raises(BadInputError, match=f"no sound to cut into a {suffix} file"):
        cut_clip(mute, 0.0, 1.0, tmp_path / f"m{suffix}")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["mute.mp4", "talk.wav", f"v{suffix}", f"t{suffix}"])


def test_the_clip_route_gives_a_sound_file_its_own_kind(tmp_path):
    r = _clip_route(_write_wav(tmp_path / "talk.wav"), {"start": 0.5, "end": 2}, duration=3.0, channels=["transcript"],
                    mime="audio/wav", kind="audio")
    assert r.status_code == 200 and r.headers["content-type"] == "audio/wav"
    assert 'filename="talk-0-2.wav"' in r.headers["content-disposition"]
    with av.open(io.BytesIO(r.content)) as f:
        assert [s.codec_context.name for s in f.streams] == ["pcm_s16le"]


def test_a_photo_has_no_clip_in_the_api_or_over_http(tmp_path):
    """FFmpeg reads a JPEG as a video of one frame: a "clip" of a photo was a one-frame Matroska (HTTP) or
    FFmpeg's 'Operation not permitted' (CLI). Both now say it is a photo, and write nothing."""
    from momentsearch.errors import QueryError

    photo = tmp_path / "sign.jpg"
    Image.new("RGB", (64, 48), (200, 180, 20)).save(photo)
    with pytest.raises(QueryError, match="sign.jpg is a photo: a clip is cut from a video or a sound file"):
        cut_clip(photo, 0, 1, tmp_path / "c.mp4")
    proc = run_cli("clip", str(photo), "0", "1", "-o", str(tmp_path / "c.mp4"), check=False)
    assert proc.returncode == 2 and "is a photo" in proc.stderr and not (tmp_path / "c.mp4").exists()
    r = _clip_route(photo, {"start": 0, "end": 1}, duration=0.0, channels=["ocr"], mime="image/jpeg", kind="photo")
    assert r.status_code == 400 and "sign.jpg is a photo" in r.json()["error"]


def test_an_array_query_image_of_any_usual_shape_and_type_is_made_rgb():
    """A grey, float, 16-bit or RGBA array was passed on as it came, so OCR found no words on a clear slide."""
    from momentsearch.errors import QueryError
    from momentsearch.media import PHOTO_MAX_SIDE

    grey = np.full((40, 60), 30, np.uint8)
    for given, want in [(grey, 30), (grey[..., None], 30), (grey / 255.0, 30), (grey.astype(np.float32), 30),
                        (grey.astype(np.uint16) * 257, 30), (np.dstack([grey] * 3 + [np.full_like(grey, 0)]), 255)]:
        got = load_query_image(given)  # (RGBA with nothing opaque: laid on white)
        assert got.shape == (40, 60, 3) and got.dtype == np.uint8 and (got == want).all(), (given.dtype, given.shape)
    big = load_query_image(np.zeros((9000, 12000, 3), np.uint8))
    assert max(big.shape[:2]) == PHOTO_MAX_SIDE
    for bad in (np.zeros((0, 0, 3), np.uint8), np.zeros((4, 4, 2), np.uint8), np.array(["a"]), np.zeros((2, 3, 4, 3))):
        with pytest.raises(QueryError, match="an image array is H x W"):
            load_query_image(bad)


def test_reading_an_image_leaves_pillows_own_limit_as_the_program_set_it(tmp_path):
    from PIL import Image as PILImage

    Image.new("RGB", (32, 32)).save(tmp_path / "a.png")
    before = PILImage.MAX_IMAGE_PIXELS
    open_image(tmp_path / "a.png", max_side=64)
    assert PILImage.MAX_IMAGE_PIXELS == before


def _damage_packet_at(path: Path, t: float) -> None:
    """Overwrite the audio packet playing at `t` s with seeded noise (a bad sector, a flipped copy)."""
    with av.open(str(path)) as src:
        packet = next(p for p in src.demux(audio=0) if p.pts is not None and float(p.pts * p.time_base) >= t)
        pos, size = packet.pos, packet.size
    data = bytearray(path.read_bytes())
    data[pos:pos + size] = np.random.default_rng(1).integers(0, 256, size, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("fmt,codec,suffix", [("ipod", "aac", "m4a"), ("mp3", "libmp3lame", "mp3")])
def test_one_damaged_audio_packet_loses_only_its_own_moment(tmp_path, fmt, codec, suffix):
    """A recording with one damaged packet at 15 s: the decoder refuses that packet, and decoding stopped
    there, so the speech after it (the tone at 25 s) was lost without a word and the file was 15 s long.
    Now the packet is skipped as silence, and what follows keeps its time."""
    from momentsearch.pipeline.decode import load_audio

    path = tmp_path / f"talk.{suffix}"
    t = np.arange(30 * AUDIO_RATE) / AUDIO_RATE
    tone = (0.5 * np.sin(2 * np.pi * 440 * t) * (((t >= 5) & (t < 6)) | ((t >= 25) & (t < 26)))).astype(np.float32)
    with av.open(str(path), "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=AUDIO_RATE, layout="mono")
        for off in range(0, tone.size, 1152):
            frame = av.AudioFrame.from_ndarray(tone[None, off:off + 1152], format="flt", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = AUDIO_RATE, off, Fraction(1, AUDIO_RATE)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    _damage_packet_at(path, 15.0)
    audio = load_audio(path)
    assert audio.size / AUDIO_RATE == pytest.approx(30.0, abs=0.2)
    loud = np.flatnonzero(np.abs(audio) > 0.05) / AUDIO_RATE
    assert loud.min() == pytest.approx(5.0, abs=0.1)
    assert loud[loud > 20].min() == pytest.approx(25.0, abs=0.1)  # the later speech, where it is heard (the
    # damaged packet itself may decode as a burst of noise, as it does in any player)


SLIDE_COLOURS = [(200, 40, 40), (40, 170, 60), (40, 60, 200)]  # one per 10 s


@pytest.mark.parametrize("skip_still", [True, False])
def test_one_damaged_video_packet_loses_only_its_own_moment(tmp_path, skip_still):
    """Three slides of 10 s with a keyframe every 2 s, the keyframe at 12 s damaged: decoding stopped there,
    so the third slide (20-30 s) was never read (not searchable, no chapter) and nothing said so. Now the
    damaged packet is skipped and the slides after it are sampled at their times."""
    from momentsearch.options import SamplingOptions
    from momentsearch.pipeline.sampling import sample_frames

    path = tmp_path / "slides.mp4"
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=5, options={"g": "10"})
        video.width, video.height, video.pix_fmt = 320, 180, "yuv420p"
        for i in range(150):
            image = np.empty((180, 320, 3), np.uint8)
            image[:] = SLIDE_COLOURS[i // 50]
            image[8:20, 8 + 4 * (i % 30): 20 + 4 * (i % 30)] = 255  # a moving cursor: frames differ
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, 5)
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
    with av.open(str(path)) as src:
        key = next(p for p in src.demux(video=0) if p.is_keyframe and p.pts is not None and p.pts * p.time_base >= 12)
        pos, size = key.pos, key.size
    data = bytearray(path.read_bytes())
    noise = np.random.default_rng(2).integers(0, 256, size - 4, dtype=np.uint8)
    data[pos + 4:pos + size] = noise.tobytes()  # all but its length field
    path.write_bytes(bytes(data))
    frames = list(sample_frames(path, SamplingOptions(skip_still=skip_still)))
    assert frames[-1].time >= 29.0
    late = [f for f in frames if f.time >= 20.5]
    assert late and all(np.abs(f.image.reshape(-1, 3).mean(0) - SLIDE_COLOURS[2]).max() < 40 for f in late)


def test_a_pil_image_of_a_phone_photo_is_read_upright_as_its_path_is(tmp_path):
    """`index.image_query(Image.open("photo.jpg"))` on a portrait phone photo (pixels stored on their side,
    EXIF Orientation 6) gave the models the picture on its side, where the same file's path is turned upright."""
    photo = tmp_path / "portrait.jpg"
    upright = Image.new("RGB", (60, 80), (250, 250, 250))
    upright.paste((200, 20, 20), (0, 0, 60, 20))  # a red title band on top
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to show": the pixels are stored turned the other way
    upright.transpose(Image.Transpose.ROTATE_90).save(photo, quality=95, exif=exif)  # (counter-clockwise)
    by_path = load_query_image(photo)
    with Image.open(photo) as opened:
        by_pil = load_query_image(opened)
    assert by_path.shape == by_pil.shape == (80, 60, 3)
    assert by_pil[5, 30, 0] > 150 and by_pil[5, 30, 1] < 100  # the title band on top, as it is shown
    assert np.abs(by_pil.astype(int) - by_path).max() <= 2


def _iso_image(major: bytes, *compatible: bytes) -> bytes:
    """The start of an ISO media file (HEIC, AVIF): its ftyp box, then a box with nothing Pillow can decode."""
    ftyp = b"ftyp" + major + bytes(4) + b"".join(compatible)
    return len(ftyp + b"1234").to_bytes(4, "big") + ftyp + (16).to_bytes(4, "big") + b"meta" + bytes(4000)


def test_an_iphone_heic_photo_as_a_query_is_named_as_such_not_as_damaged(tmp_path):
    """An iPhone's photo (HEIC, its default format) given to `search --image` or uploaded to the page was
    "not a readable image (unknown or damaged image format)": nothing is damaged, and indexing names the
    format and what to do. It is told by its bytes, also when saved under a .jpg name."""
    from momentsearch.errors import QueryError
    from momentsearch.server.images import open_upload

    heic = _iso_image(b"heic", b"mif1", b"heic")
    for name in ("IMG_2041.HEIC", "IMG_2041.jpg"):
        (tmp_path / name).write_bytes(heic)
        with pytest.raises(QueryError, match=r"a HEIC/HEIF photo: not supported .*convert it to JPEG"):
            load_query_image(tmp_path / name)
    with pytest.raises(QueryError, match=r"a HEIC/HEIF photo"):
        open_upload(heic, "IMG_2041.HEIC")
    (tmp_path / "broken.avif").write_bytes(_iso_image(b"avif", b"mif1", b"miaf"))  # an AVIF says mif1 too
    with pytest.raises(QueryError) as broken:
        load_query_image(tmp_path / "broken.avif")
    assert "HEIC" not in str(broken.value)
