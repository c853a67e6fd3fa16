"""The page's routes around a video: chapters, transcript sentences, clips, search in one video."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
import av  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from momentsearch.server.app import create_app  # noqa: E402
from momentsearch.transcript import sentences  # noqa: E402


@pytest.fixture(scope="module")
def client(two_lectures):
    from momentsearch.api import MomentIndex

    db, videos = two_lectures
    with TestClient(create_app(MomentIndex(db), warm=False), base_url="http://localhost") as c:  # no token: loopback only
        ids = {Path(v["name"]).stem: v["video_id"] for v in c.get("/api/videos").json()["videos"]}
        yield c, ids, videos


def test_videos_say_where_speech_came_from(client):
    c, _, _ = client
    rows = c.get("/api/videos").json()["videos"]
    assert all(r["sources"]["transcript"].startswith("asr: ") and r["language"] == "en" for r in rows)


def test_chapters_route(client):
    c, ids, videos = client
    body = c.get(f"/api/chapters/{ids['lecture']}").json()
    truth = sorted(s for s, _ in videos["lecture"][1].values())
    assert [round(ch["start"]) for ch in body["chapters"]] == pytest.approx([round(t) for t in truth], abs=2)
    assert c.get("/api/chapters/0123456789abcdef").status_code == 404


def test_transcript_sentences_once_each_in_order(client):
    c, ids, _ = client
    body = c.get(f"/api/transcript/{ids['lecture']}").json()
    texts = [s["text"] for s in body["sentences"]]
    assert len(texts) == len(set(texts)) >= 6
    assert all(a["start"] <= b["start"] for a, b in zip(body["sentences"], body["sentences"][1:]))
    assert any("roadmap" in t.lower() for t in texts) and body["language"] == "en"


def test_transcript_sentences_drop_the_chunk_overlap():
    rows = sentences([(0.0, 10.0, "One two. Three four."), (5.0, 15.0, "Three four. Five six.")])
    assert [t for _, _, t in rows] == ["One two.", "Three four.", "Five six."]


def test_transcript_downloads_as_subtitles(client):
    """The page's "Subtitles .srt / .vtt" links: the transcript as a file to save, as the CLI writes it."""
    from momentsearch.testing.captions import strict_cues

    c, ids, videos = client
    got = {}
    for fmt, kind in (("srt", "application/x-subrip"), ("vtt", "text/vtt"), ("text", "text/plain")):
        r = c.get(f"/api/transcript/{ids['lecture']}", params={"format": fmt})
        assert r.status_code == 200 and r.headers["content-type"] == kind + "; charset=utf-8"
        name = "lecture." + ("txt" if fmt == "text" else fmt)
        assert r.headers["content-disposition"] == f"attachment; filename=\"{name}\"; filename*=utf-8''{name}"
        got[fmt] = r.text
    srt, vtt = strict_cues(got["srt"], "srt"), strict_cues(got["vtt"], "vtt")
    assert srt == vtt and len(srt) >= 6 and any("roadmap" in t.lower() for _, _, t in srt)
    assert got["vtt"] == c.get(f"/api/captions/{ids['lecture']}.vtt").text  # what the player shows
    said = c.get(f"/api/transcript/{ids['lecture']}").json()["sentences"]
    assert got["text"].splitlines()[0].endswith(said[0]["text"]) and len(got["text"].splitlines()) == len(said)
    assert c.get(f"/api/transcript/{ids['lecture']}", params={"format": "docx"}).status_code in (400, 422)


def test_a_download_keeps_a_file_name_in_any_script():
    from momentsearch.server.moment_routes import _attachment

    assert _attachment('Vorlesung "über" Energie.srt') == (
        'attachment; filename="Vorlesung __ber_ Energie.srt"; '
        "filename*=utf-8''Vorlesung%20%22%C3%BCber%22%20Energie.srt")


def test_clip_route_cuts_a_playable_clip(client):
    c, ids, videos = client
    lo, hi = videos["lecture"][1]["Project Roadmap"]
    r = c.get(f"/api/clips/{ids['lecture']}", params={"start": lo + 2, "end": lo + 6})
    assert r.status_code == 200 and r.headers["content-type"] == "video/mp4"
    assert "attachment" in r.headers["content-disposition"]
    assert float(r.headers["x-clip-start"]) == pytest.approx(lo, abs=0.05)  # the section's keyframe
    with av.open(io.BytesIO(r.content)) as f:
        assert float(f.duration / 1e6) == pytest.approx(6.0, abs=0.3)
    assert c.get(f"/api/clips/{ids['lecture']}", params={"start": 5, "end": 2}).status_code == 400
    past = c.get(f"/api/clips/{ids['lecture']}", params={"start": 1000, "end": 1010})
    name = videos["lecture"][0].name
    assert past.status_code == 400 and past.json()["error"].startswith(f"{name}: nothing to cut")  # not "38: ..."


def test_search_in_one_video(client):
    c, ids, _ = client
    body = c.get("/api/search", params={"q": "solar energy", "video": ids["databases"], "k": 50}).json()
    assert body["results"] and {r["video_id"] for r in body["results"]} == {ids["databases"]}
    assert c.get("/api/search", params={"q": "x", "video": "0123456789abcdef"}).status_code == 404


def test_clock_route_gives_where_the_files_timestamps_start(client):
    """The page's player may keep a file's own timestamps (Chromium): /api/clock says where they start. The
    generated lectures start at 0; files starting late are played in tests/test_browser.py."""
    c, ids, _ = client
    assert c.get(f"/api/clock/{ids['lecture']}").json() == {"video_id": ids["lecture"], "origin": 0.0}
    assert c.get("/api/clock/0123456789abcdef").status_code == 404


def test_a_clip_of_a_file_with_a_long_name_gets_a_name_the_disk_takes():
    """A 250-byte file name (82 CJK characters: valid on ext4) indexed fine, but its clip's name (rank, name,
    start, end) went over 255 bytes: `--export-clips` stopped with "File name too long" and /api/clips was a
    500. The name is shortened at a whole character to fit."""
    from momentsearch.clips import NAME_BYTES, clip_file_name

    name = clip_file_name("/talks/" + "中" * 82 + ".MP4", 12.3, 3601.6, "01-")
    assert len(name.encode()) <= NAME_BYTES and name.startswith("01-中") and name.endswith("-12-3602.mp4")
    assert clip_file_name("/talks/week 3.avi", 1, 2) == "week 3-1-2.mkv"  # not copied into an .avi: .mkv


def test_a_download_name_shows_no_right_to_left_override():
    """A lecture named "lecture\\u202egnp.mp4" (a right-to-left override) downloaded its subtitles as a file a file
    manager shows as "lecturetrs.png", and its clip as "lecture4pm.5-0-...": the name passed one file off as
    another. Invisible characters become "_" in download and clip names (the page shows them as \\u202e)."""
    from momentsearch.clip_names import clip_file_name
    from momentsearch.server.moment_routes import _attachment

    assert _attachment("lecture\u202egnp.srt") == (
        "attachment; filename=\"lecture_gnp.srt\"; filename*=utf-8''lecture_gnp.srt")
    assert clip_file_name("/talks/lecture\u202egnp\u200b\u2066.mp4", 0, 5) == "lecture_gnp__-0-5.mp4"
    assert clip_file_name("/talks/Größe 中文.mp4", 0, 5) == "Größe 中文-0-5.mp4"  # visible letters stay


def test_a_subtitle_download_is_named_as_a_clip_is(tmp_path):
    """The page's "Subtitles .srt" of a recording with a 255-byte name (84 CJK characters and ".ts", valid on
    ext4) was named `STEM.srt`, 256 bytes: no disk saves it; and a name holding `?` or `"` kept them, which a
    Windows disk refuses, where the same lecture's clip names have "_". Both are now shaped the same way
    (clip_names.py)."""
    from urllib.parse import unquote

    from test_server import _FakeIndex, _record

    from momentsearch.clip_names import NAME_BYTES

    long, odd = tmp_path / ("中" * 84 + ".ts"), tmp_path / 'Q&A: "why?".mp4'
    for path in (long, odd):
        path.write_bytes(b"x" * 100)
    records = [_record(long, "a" * 16), _record(odd, "b" * 16)]
    with TestClient(create_app(_FakeIndex(records), warm=False), base_url="http://localhost") as c:
        def saved(video_id):
            r = c.get(f"/api/transcript/{video_id}", params={"format": "srt"})
            assert r.status_code == 200
            return unquote(r.headers["content-disposition"].split("filename*=utf-8''")[1])

        name = saved("a" * 16)
        assert len(name.encode()) <= NAME_BYTES and name.startswith("中") and name.endswith(".srt")
        assert saved("b" * 16) == "Q&A_ _why__.srt"
