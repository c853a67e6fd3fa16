"""A nightly `index` of a folder that recordings are still arriving in: files being downloaded or copied under
temporary names, a copy that finishes while the batch runs, a recording that grows while it is being indexed."""

from __future__ import annotations

import os
import re

import numpy as np
import pytest

from momentsearch.errors import StillWritingError
from momentsearch.pipeline.arriving import CHANGED_WHILE_INDEXED
from momentsearch.types import STILL_ARRIVING


class SayingASR:
    """Says one sentence per audio window; `during(n)` runs as window n is heard (the copy going on)."""

    model_id = "fake:asr"

    def __init__(self, during=None):
        self.calls, self.during = 0, during

    def transcribe(self, audio):
        from momentsearch.types import TranscriptSegment, Word

        self.calls += 1
        if self.during is not None:
            self.during(self.calls)
        return [TranscriptSegment(0.0, 1.0, "magma rises.", [Word(0.0, 0.5, "magma"), Word(0.5, 1.0, "rises.")])]


def _recording(path, seconds: float = 8.0, fmt: str | None = None, options: dict | None = None) -> bytes:
    """A small recording (a picture that changes each second, a tone), as a camera or OBS writes it; its bytes.
    `options`: the muxer's (Matroska's `live`: no length in the header, as a recording under way has none)."""
    import av

    fps, rate = 5, 16000
    with av.open(str(path), "w", format=fmt, options=options or {}) as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = 160, 96, "yuv420p"
        audio = out.add_stream("aac", rate=rate)
        audio.layout = "mono"
        for i in range(int(seconds * fps)):
            frame = av.VideoFrame.from_ndarray(np.full((96, 160, 3), 40 * (i // fps) % 250, np.uint8), format="rgb24")
            out.mux(video.encode(frame))
        out.mux(video.encode())
        t = np.arange(int(seconds * rate)) / rate
        tone = (0.3 * np.sin(2 * np.pi * 220 * t) * 32767).astype(np.int16)
        for at in range(0, len(tone), 1024):
            frame = av.AudioFrame.from_ndarray(tone[at:at + 1024].reshape(1, -1), format="s16", layout="mono")
            frame.sample_rate, frame.pts = rate, at
            out.mux(audio.encode(frame))
        out.mux(audio.encode())
    return path.read_bytes()


def _indexer(db, asr):
    from fakes import FakeText

    from momentsearch.options import Config
    from momentsearch.pipeline.indexer import Indexer
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    config = Config()
    config.models.ocr = False
    return Indexer(Store(make_client(str(db))), config, FakeText(), asr, None)


def test_downloads_and_copies_under_way_are_skipped_saying_so(tmp_path, capsys):
    """A browser's `.part` / `.crdownload` and rsync's hidden `.NAME.XXXXXX` are files on their way in: they were
    "not a media file" (a .part) or left out without a word (rsync's); each is skipped naming the file it becomes,
    and the summary says so in one line. Other hidden files are left out unsaid, a Mac's `._week4.mp4` too (its
    AppleDouble metadata beside the recording on a share: it failed every run as not media FFmpeg reads); other
    names stay not media."""
    from momentsearch.cli.output import print_report
    from momentsearch.pipeline.discover import discover
    from momentsearch.types import NOT_MEDIA, FileResult, IndexReport

    for name in ("week1.mp4.part", "week2.mkv.crdownload", ".week3.mp4.Xy12ab", "notes.txt.part", ".DS_Store",
                 "._week4.mp4"):
        (tmp_path / name).write_bytes(b"\x00" * 64)
    found = {os.path.basename(f.path): f.reason for f in discover([str(tmp_path)])}
    assert set(found) == {"week1.mp4.part", "week2.mkv.crdownload", ".week3.mp4.Xy12ab", "notes.txt.part"}, found
    assert found["notes.txt.part"] == NOT_MEDIA
    for name, final, how in (("week1.mp4.part", "week1.mp4", ".part"), ("week2.mkv.crdownload", "week2.mkv",
                                                                          ".crdownload"),
                             (".week3.mp4.Xy12ab", "week3.mp4", "rsync")):
        assert found[name].startswith("still arriving") and how in found[name], found[name]
        assert found[name].endswith(f"renamed to {final}") and "skipped" in found[name]

    print_report(IndexReport(files=[FileResult(os.path.join(tmp_path, n), "skipped", r) for n, r in found.items()]))
    out = capsys.readouterr().out
    assert "3 files still being copied or downloaded, skipped (" in out and "week1.mp4.part" in out, out
    assert "1 other file skipped, not media (.part 1)" in out, out


def test_a_recording_that_grows_while_it_is_indexed_is_said_and_redone(tmp_path):
    """The copy goes on while the file is read: its record must keep the state from before it was read (not claim
    the final size with the early content), the run says so, and the next run indexes the whole file once, its
    early entries replaced."""
    whole = _recording(tmp_path / "made.ts", seconds=40.0, fmt="mpegts")
    folder = tmp_path / "lectures"
    folder.mkdir()
    growing = folder / "live.ts"
    half = len(whole) // 2
    growing.write_bytes(whole[:half])

    def copy_goes_on(window: int) -> None:
        if window == 1:
            with open(growing, "ab") as f:
                f.write(whole[half:])

    first = _indexer(tmp_path / "db", SayingASR(copy_goes_on))
    report = first.index([str(folder)])
    (result,) = report.files
    assert result.status == "indexed" and CHANGED_WHILE_INDEXED in result.reason, result
    record = first.store.get_file(str(growing))
    assert record.size == half and record.complete, record

    second = _indexer(tmp_path / "db", SayingASR())
    (again,) = second.index([str(folder)]).files
    assert again.status == "indexed" and CHANGED_WHILE_INDEXED not in again.reason, again
    assert again.duration > 35.0 and again.video_id != result.video_id
    record = second.store.get_file(str(growing))
    assert record.size == len(whole) and record.video_id == again.video_id
    assert [r.path for r in second.store.files()] == [str(growing)]
    third = _indexer(tmp_path / "db", SayingASR()).index([str(folder)])
    assert [f.status for f in third.files] == ["unchanged"]


@pytest.mark.parametrize("fmt, suffix", [(None, ".mp4"), ("mpegts", ".ts")])
def test_a_copy_that_finishes_before_its_turn_is_read_whole(tmp_path, fmt, suffix):
    """The batch probes every file first; a copy that finished while the files before it were indexed was read
    with that early probe: an MP4 without its index yet failed as "probably truncated" though it was whole by
    its turn, and an MPEG-TS kept the length of its first half."""
    whole = _recording(tmp_path / f"made{suffix}", seconds=24.0, fmt=fmt)
    folder = tmp_path / "lectures"
    folder.mkdir()
    _recording(folder / f"a_first{suffix}", seconds=4.0, fmt=fmt)
    arriving = folder / f"b_arriving{suffix}"
    half = len(whole) // 2
    arriving.write_bytes(whole[:half])

    def progress(event) -> None:
        if event.kind == "file" and event.path.endswith(f"a_first{suffix}"):
            with open(arriving, "ab") as f:
                f.write(whole[half:])

    indexer = _indexer(tmp_path / "db", SayingASR())
    indexer.progress = progress
    results = {os.path.basename(f.path): f for f in indexer.index([str(folder)]).files}
    late = results[f"b_arriving{suffix}"]
    from momentsearch.pipeline.decode import probe

    assert late.status == "indexed" and abs(late.duration - probe(tmp_path / f"made{suffix}").duration) < 0.5, late
    assert "cut short" not in late.reason and CHANGED_WHILE_INDEXED not in late.reason, late
    assert indexer.store.get_file(str(arriving)).size == len(whole)


def test_an_mp4_still_being_copied_is_not_called_a_file_to_copy_again(tmp_path):
    """An MP4 whose copy is under way has no index yet (it comes last): "re-copy or re-export it" sent its owner
    to redo a copy that was going on; one that changed just now says the next run indexes it once complete. One
    that has not changed for a day is truncated, and keeps that advice."""
    from momentsearch.errors import BadInputError
    from momentsearch.pipeline.decode import probe

    whole = _recording(tmp_path / "made.mp4", seconds=4.0)
    copying = tmp_path / "copying.mp4"
    copying.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(StillWritingError) as caught:
        probe(copying)
    assert caught.value.reason.startswith(STILL_ARRIVING) and re.search(r"it changed \d+ s ago:", caught.value.reason)
    assert "still being copied or recorded?): skipped; the next run indexes it once it is complete" in \
        caught.value.reason

    os.utime(copying, (1_700_000_000, 1_700_000_000))
    with pytest.raises(BadInputError) as caught:
        probe(copying)
    assert "changed" not in caught.value.reason and "); re-copy or re-export it" in caught.value.reason
    assert not isinstance(caught.value, StillWritingError)


class _IndexReporting:
    """A MomentIndex stand-in for the CLI that answers `index` with a report made beforehand."""

    chroma_url, db = None, "/nonexistent/db"

    def __init__(self, report):
        self.report = report

    def index(self, paths, reindex=False, progress=None, wait=0.0, ray=None):
        return self.report


def test_an_mp4_still_being_copied_is_skipped_and_the_batch_goes_on(tmp_path, monkeypatch, capsys):
    """A nightly `index` met an MP4 whose copy was under way (no index yet, changed seconds ago): it failed, and the
    run ended with exit 1 as if something were broken. It is skipped saying so, the rest of the batch is indexed,
    the exit status (3) says files are still arriving, and the next run, after the copy ended, indexes it."""
    import sys

    from momentsearch.cli.main import main

    whole = _recording(tmp_path / "made.mp4", seconds=4.0)
    folder = tmp_path / "lectures"
    folder.mkdir()
    _recording(folder / "done.mp4", seconds=3.0)
    copying = folder / "copying.mp4"
    copying.write_bytes(whole[: len(whole) // 2])
    report = _indexer(tmp_path / "db", SayingASR()).index([str(folder)])
    results = {os.path.basename(f.path): f for f in report.files}
    assert results["done.mp4"].status == "indexed", results
    late = results["copying.mp4"]
    assert late.status == "skipped" and late.reason.startswith(STILL_ARRIVING), late
    assert "the next run indexes it once it is complete" in late.reason

    monkeypatch.setattr(sys.modules["momentsearch.cli.main"], "_index_for", lambda args: _IndexReporting(report))
    assert main(["index", str(folder), "--quiet"]) == 3
    out = capsys.readouterr().out
    assert "1 file still being copied or downloaded, skipped (copying.mp4): the next run indexes it once it is " \
           "complete;" in " ".join(out.split()), out

    copying.write_bytes(whole)  # the copy ends
    again = {os.path.basename(f.path): f for f in _indexer(tmp_path / "db", SayingASR()).index([str(folder)]).files}
    assert again["copying.mp4"].status == "indexed" and again["done.mp4"].status == "unchanged", again


def test_a_live_recording_without_a_length_is_said_and_redone_once_it_has_grown(tmp_path):
    """An MKV being recorded (OBS) has no length in its header until it stops: it was indexed as far as it had been
    written, with no word, so its owner took the short result for the whole lecture. The run says so; once the
    recording has grown, the next run indexes it whole; one that has not changed since is not redone."""
    from momentsearch.pipeline.decode import probe

    whole = _recording(tmp_path / "made.mkv", seconds=20.0, fmt="matroska", options={"live": "1"})
    assert probe(tmp_path / "made.mkv").duration == 0.0  # the case: the header states no length
    folder = tmp_path / "lectures"
    folder.mkdir()
    live = folder / "live.mkv"
    live.write_bytes(whole[: len(whole) // 2])
    (first,) = _indexer(tmp_path / "db", SayingASR()).index([str(folder)]).files
    assert first.status == "indexed" and first.duration < 15.0, first
    assert "no length in its header" in first.reason and "still being recorded?" in first.reason, first
    assert "the next run indexes it again if it has grown" in first.reason

    live.write_bytes(whole)  # the recording went on
    (second,) = _indexer(tmp_path / "db", SayingASR()).index([str(folder)]).files
    assert second.status == "indexed" and second.duration > 19.0, second
    os.utime(live, (1_700_000_000, 1_700_000_000))  # long stopped (a finished stream's file: nothing to say)
    (third,) = _indexer(tmp_path / "db", SayingASR()).index([str(folder)]).files
    assert third.status in ("unchanged", "indexed") and "no length" not in third.reason, third
