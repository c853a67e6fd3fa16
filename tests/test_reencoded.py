"""A lecture kept twice in different encodings (an export at another size and bitrate, an .mkv beside the .mp4) is
indexed once: the other encoding shares its entries and results name it as a copy. A different lecture of the same
length, the same talk filmed by another camera, and a copy cut shorter at the start are never taken for copies."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import TINY_CLIP_ARGS, needs_espeak, run_cli

pytestmark = needs_espeak


def _sections(first: str, second: str):
    from momentsearch.testing.synth import Section

    # one structure for every lecture here: two sections of 7 s, so all have one length
    return [Section("Heat engines", first, ["Carnot cycle"], min_seconds=7.0),
            Section("Entropy", second, ["Second law"], min_seconds=7.0)]


HEAT = _sections("A heat engine turns the flow of heat into work, and no engine beats the Carnot cycle.",
                 "Entropy never falls in a closed system: that is the second law.")
BIRDS = _sections("Birds migrate south in autumn, following the coast and the rivers.",
                  "Geese fly in a vee, so each bird saves energy in the wake of the one ahead.")


@pytest.fixture(scope="module")
def encodings(tmp_path_factory) -> dict[str, Path]:
    """The heat lecture, its re-encodings, a trimmed copy, the same talk on camera, and a lecture on birds in another
    voice of the same length."""
    from momentsearch.testing.reencode import reencode
    from momentsearch.testing.synth import render_lecture

    folder = tmp_path_factory.mktemp("encodings")
    out = {name: folder / name for name in ("heat.mp4", "heat_small.mp4", "heat.mkv", "heat_trimmed.mp4",
                                            "heat_camera.mp4", "birds.mp4")}
    render_lecture(out["heat.mp4"], HEAT, size=(192, 108), fps=5)
    render_lecture(out["heat_camera.mp4"], HEAT, size=(192, 108), fps=5, scene="camera")
    render_lecture(out["birds.mp4"], BIRDS, size=(192, 108), fps=5, voice="en-gb")
    reencode(out["heat.mp4"], out["heat_small.mp4"], size=(128, 72), crf=38, audio_bitrate=32_000)
    reencode(out["heat.mp4"], out["heat.mkv"], video_codec="mpeg4", audio_codec="mp3", fps=25)
    reencode(out["heat.mp4"], out["heat_trimmed.mp4"], trim=2.0)
    return out


def _record(path: Path):
    from momentsearch.pipeline.decode import probe
    from momentsearch.types import FileRecord

    st, info = path.stat(), probe(path)
    return FileRecord(str(path), video_id=path.stem, size=st.st_size, mtime=st.st_mtime, duration=info.duration,
                      complete=True), info


def _found(finder, path: Path, indexed: list[Path]):
    _, info = _record(path)
    st = path.stat()
    return finder.find(str(path), st.st_size, st.st_mtime, info, finder.near(info, [_record(p)[0] for p in indexed]))


def test_other_encodings_of_a_lecture_are_recognised_and_other_recordings_are_not(encodings):
    """Another size, bitrate, codec, frame rate and container: the same recording. Another lecture of the same
    length (another voice), the same talk filmed by a camera (one sound, another picture) and a copy with its first
    2 s cut (its times are not the original's): not the same, though all but the trimmed one are compared."""
    from momentsearch.pipeline.reencoded import CopyFinder

    finder = CopyFinder()
    heat, others = encodings["heat.mp4"], ["birds.mp4", "heat_camera.mp4", "heat_trimmed.mp4"]
    for name in ("heat_small.mp4", "heat.mkv"):
        assert _found(finder, encodings[name], [encodings[o] for o in others] + [heat]).path == str(heat), name
    for name in others:
        assert _found(finder, encodings[name], [heat]) is None, name
    assert _found(finder, encodings["birds.mp4"], [heat, encodings["heat_camera.mp4"]]) is None
    # birds (same length) was compared, the trimmed copy (2 s shorter) not even decoded
    assert not finder.near(_record(encodings["heat_trimmed.mp4"])[1], [_record(heat)[0]])
    assert finder.near(_record(encodings["birds.mp4"])[1], [_record(heat)[0]])


def test_a_silent_or_soundless_file_is_never_taken_for_a_copy(encodings, tmp_path):
    """Two lectures without sound of one length: nothing tells them apart, so neither is a copy of the other."""
    from momentsearch.pipeline.reencoded import CopyFinder
    from momentsearch.testing.synth import render_lecture

    quiet = [replace(s, speech="") for s in HEAT]
    render_lecture(tmp_path / "a.mp4", quiet, size=(192, 108), fps=5)
    render_lecture(tmp_path / "b.mp4", quiet, size=(192, 108), fps=5, audio=False)
    finder = CopyFinder()
    assert _found(finder, tmp_path / "a.mp4", [encodings["heat.mp4"], tmp_path / "b.mp4"]) is None
    assert _found(finder, tmp_path / "b.mp4", [tmp_path / "a.mp4"]) is None


def test_an_indexed_file_broken_or_gone_since_is_no_copy_and_fails_nothing(encodings, tmp_path):
    """An indexed file of the same length that no longer decodes (overwritten, cut short by a sync) or is gone: the
    new file is compared with nothing there and indexed itself, never failed for the other file's fault."""
    from momentsearch.pipeline.reencoded import CopyFinder

    broken, gone = tmp_path / "broken.mp4", tmp_path / "gone.mp4"
    for path in (broken, gone):
        shutil.copy(encodings["heat.mp4"], path)
    indexed = [_record(broken)[0], _record(gone)[0]]
    broken.write_bytes(b"not a video any more" * 100)
    gone.unlink()
    finder = CopyFinder()
    small = encodings["heat_small.mp4"]
    info = _record(small)[1]
    assert finder.find(str(small), small.stat().st_size, small.stat().st_mtime, info, indexed) is None


def test_a_reencoded_copy_is_not_indexed_again_and_results_name_it(encodings, tmp_path):
    """Indexing a course folder holding heat.mp4, heat_small.mp4 and heat.mkv transcribed all three (ASR and
    slides again for each) and a search listed each moment three times; now the two other encodings share the
    first one's entries, and the one result names them as copies."""
    course = tmp_path / "course"
    course.mkdir()
    for name in ("heat.mp4", "heat_small.mp4", "heat.mkv"):
        shutil.copy(encodings[name], course / name)
    db = tmp_path / "db"
    report = json.loads(run_cli("index", str(course), "--db", str(db), "--json", "--no-ocr",
                                    *TINY_CLIP_ARGS).stdout)
    status = {Path(f["path"]).name: (f["status"], f["reason"]) for f in report["files"]}
    first = next(n for n in ("heat.mkv", "heat.mp4", "heat_small.mp4") if "another encoding" not in status[n][1])
    for name in {"heat.mp4", "heat_small.mp4", "heat.mkv"} - {first}:
        assert status[name] == ("indexed", f"another encoding of {course / first}: its entries are shared, "
                                           "nothing redone"), status
    assert "asr" in report["times"] and status[first][0] == "indexed"  # once
    found = json.loads(run_cli("search", "Carnot cycle heat engine", "--db", str(db), "--json").stdout)["results"]
    heat = [r for r in found if Path(r["video"]).name.startswith("heat")]
    assert heat and len({(r["start"], r["end"]) for r in heat}) == len(heat)  # no moment twice
    assert sorted(Path(p).name for p in [heat[0]["video"], *heat[0]["copies"]]) == [
        "heat.mkv", "heat.mp4", "heat_small.mp4"]
