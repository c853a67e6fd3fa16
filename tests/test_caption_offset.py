"""Caption files timed from another start than the recording (captions timed from 0 on a video with an intro, or
exported from an edit that cut it): every word, moment and link was off by the intro's length, and nothing said so
(the captions2 probe). The cues are laid against the speech a voice detector hears, and a clear shift applied."""

from __future__ import annotations

import json
import shutil

import pytest

from momentsearch.pipeline.caption_offset import align_captions, find_shift
from momentsearch.pipeline.captions import find_captions
from momentsearch.testing.captions import srt_text, strict_cues
from momentsearch.testing.synth import Section, render_lecture
from tests.conftest import run_cli

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is needed for the speech")

SAID = ["Welcome to the course on renewable energy.", "Today we look at solar panels and how they work.",
        "A photovoltaic cell turns light into an electric current.", "Silicon is the most common material.",
        "Wind turbines convert the kinetic energy of moving air.", "Storage is the hard part of any system.",
        "Batteries, pumped hydro and hydrogen all play a role.", "Solar has become much cheaper in ten years.",
        "Offshore wind is still more expensive than onshore wind.", "Next week we discuss the electricity market."]
INTRO = 6.0  # seconds of title before the talk


@pytest.fixture(scope="module")
def talk(tmp_path_factory):
    """A lecture whose speech starts after a 6 s intro, and its sentences' true times."""
    folder = tmp_path_factory.mktemp("offset")
    sections = [Section(f"Part {i}", text, slide="new" if i % 3 == 0 else "same", lead=INTRO if i == 0 else 0.0,
                        tail=0.4 + 0.3 * (i % 4)) for i, text in enumerate(SAID)]
    rendered = render_lecture(folder / "talk.mp4", sections, size=(320, 180), fps=2)
    return folder / "talk.mp4", [(r.speech_start, r.speech_end, r.speech) for r in rendered]


def _captions(video, cues, slack=0.3):
    """A caption file beside `video`, cues running on over the pauses as captioners write them."""
    timed = [(max(0.0, s - 0.1), (cues[i + 1][0] - slack if i + 1 < len(cues) else e + slack), t)
             for i, (s, e, t) in enumerate(cues)]
    video.with_suffix(".srt").write_text(srt_text(timed))


def test_captions_timed_from_0_on_a_video_with_an_intro_are_moved_onto_its_speech(talk):
    video, truth = talk
    duration = truth[-1][1] + 1.0
    _captions(video, [(s - INTRO, e - INTRO, t) for s, e, t in truth])  # timed from the intro's end
    track, _ = find_captions(video, duration, "auto")
    moved, note = align_captions(track, str(video), duration)
    assert [c.text for c in moved.cues] == SAID
    assert all(abs(c.start - (s - 0.1)) <= 0.5 for c, (s, _, _) in zip(moved.cues, truth)), moved.cues
    assert note.startswith("captions (sidecar talk.srt) moved 6.") and " s later to meet the speech" in note, note
    assert "shift the caption file's times by +6." in note and "[captions] align = false" in note
    _captions(video, [(s + 4.0, e + 4.0, t) for s, e, t in truth])  # from an edit with a longer intro: too late
    track, _ = find_captions(video, duration, "auto")
    moved, note = align_captions(track, str(video), duration)
    assert " s earlier" in note and moved.cues[-1].text == SAID[-1]  # the cue first cut at the end is back


def test_captions_timed_right_are_left_as_they_are(talk):
    video, truth = talk
    duration = truth[-1][1] + 1.0
    _captions(video, truth)
    track, _ = find_captions(video, duration, "auto")
    assert align_captions(track, str(video), duration) == (track, "")


def test_too_little_or_no_speech_finds_no_shift():
    cues = [(float(i), i + 0.8) for i in range(0, 60, 2)]
    assert find_shift(cues, [], 60.0) is None  # a silent recording
    assert find_shift(cues[:5], [(s + 5, e + 5) for s, e in cues[:5]], 60.0) is None  # 4 s of cues: too little
    assert find_shift(cues, [(s + 1.0, e + 1.0) for s, e in cues], 60.0) is None  # a period: no one clear shift


def test_index_says_it_moved_the_captions_and_align_false_keeps_them_as_timed(talk, tmp_path):
    """Through the command line: the file's row says what was moved and what to do; the transcript's times are the
    speech's; `[captions] align = false` indexes the file as timed."""
    video, truth = talk
    shutil.copy(video, tmp_path / "talk.mp4")
    _captions(tmp_path / "talk.mp4", [(s - INTRO, e - INTRO, t) for s, e, t in truth])
    db = str(tmp_path / "db")

    def index(*flags: str) -> tuple[str, float]:
        proc = run_cli("index", str(tmp_path / "talk.mp4"), "--db", db, "--no-ocr", "--json", "--quiet", *flags)
        (row,) = json.loads(proc.stdout)["files"]
        said = run_cli("transcript", str(tmp_path / "talk.mp4"), "--db", db, "--format", "srt").stdout
        return row["reason"], strict_cues(said, "srt")[0][0]

    note, first = index()
    assert "captions (sidecar talk.srt) moved 6." in note and abs(first - (truth[0][0] - 0.1)) <= 0.5, (note, first)
    (tmp_path / "as-timed.toml").write_text("[captions]\nalign = false\n")
    note, first = index("--config", str(tmp_path / "as-timed.toml"), "--reindex")
    assert "moved" not in note and first == 0.0, (note, first)
