"""Unit tests for keyframe detection, transcript chunking, ids, discovery and options."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fakes import counting_video
from momentsearch.errors import ConfigError
from momentsearch.options import ChunkOptions, KeyframeOptions, load_config
from momentsearch.pipeline.discover import discover
from momentsearch.pipeline.keyframes import detect_segments, tiny_grey
from momentsearch.pipeline.segment import build_chunks, sentences
from momentsearch.store.ids import entry_id
from momentsearch.types import SampledFrame, TranscriptSegment, Word


def frames(colours: list[int], fps: float = 1.0, noise: float = 0.0, seed: int = 0):
    rng = np.random.default_rng(seed)
    for i, c in enumerate(colours):
        img = np.full((36, 64, 3), c, dtype=np.float64)
        img[5:15, 5 + (c % 40): 20 + (c % 40)] = 255 - c  # a "title" whose place differs per slide
        img += rng.normal(0, noise, img.shape)
        yield SampledFrame(time=i / fps, image=np.clip(img, 0, 255).astype(np.uint8))


def test_keyframes_cut_at_slide_changes_and_cover_the_video():
    colours = [30] * 10 + [200] * 5 + [90] * 8
    segs = detect_segments(frames(colours, noise=3.0), duration=23.0)
    # a change between two samples is placed half way between them
    assert [(s.start, s.end) for s in segs] == [(0.0, 9.5), (9.5, 14.5), (14.5, 23.0)]
    # the representative frame is the last one of its segment
    assert [s.keyframe_time for s in segs] == [9.0, 14.0, 22.0]
    assert all(s.keyframe.shape == (36, 64, 3) for s in segs)


def test_keyframes_split_long_stable_stretches_periodically():
    segs = detect_segments(frames([50] * 130), duration=130.0, options=KeyframeOptions(max_segment=60.0))
    assert [(s.start, s.end) for s in segs] == [(0.0, 60.0), (60.0, 120.0), (120.0, 130.0)]


def test_keyframes_ignore_flicker_shorter_than_min_segment():
    colours = [30] * 5 + [220] + [30] * 5
    segs = detect_segments(frames(colours), duration=11.0, options=KeyframeOptions(min_segment=2.0))
    assert segs[0].start == 0.0 and segs[-1].end == 11.0
    assert len(segs) <= 3
    assert all(s.end - s.start >= 1.0 for s in segs)


def test_tiny_grey_is_block_mean():
    img = np.zeros((4, 4, 3), dtype=np.uint8)
    img[:2, :2] = 255
    assert np.allclose(tiny_grey(img, 2), [[1.0, 0.0], [0.0, 0.0]])


def words_of(text: str, start: float, per_word: float = 0.4, gap_after: dict | None = None) -> list[Word]:
    out, t = [], start
    for i, w in enumerate(text.split()):
        out.append(Word(t, t + per_word - 0.05, w))
        t += per_word + (gap_after or {}).get(i, 0.0)
    return out


def speech(*sentence_texts: str, start: float = 0.0, pause: float = 0.3) -> list[TranscriptSegment]:
    segs, t = [], start
    for s in sentence_texts:
        ws = words_of(s, t)
        segs.append(TranscriptSegment(ws[0].start, ws[-1].end, s, ws))
        t = ws[-1].end + pause
    return segs


def test_sentences_split_on_punctuation_and_long_pauses():
    ws = words_of("one two three four five", 0.0, gap_after={2: 1.5})
    segs = [TranscriptSegment(0, 3, "x", ws)]
    assert [len(s) for s in sentences(segs)] == [3, 2]
    segs = speech("Hello there.", "How are you?")
    assert [" ".join(w.word for w in s) for s in sentences(segs)] == ["Hello there.", "How are you?"]


def test_chunks_are_sentence_aligned_bounded_and_overlap():
    text = "This sentence has exactly eight words in it."
    segs = speech(*[text] * 20)  # 20 sentences of 3.2 s
    chunks = build_chunks(segs, ChunkOptions(min_seconds=10, max_seconds=30, overlap_seconds=4))
    assert len(chunks) > 3
    for c in chunks:
        assert c.text.startswith("This") and c.text.endswith("in it.")  # whole sentences
        assert c.end - c.start <= 30
    for a, b in zip(chunks, chunks[1:]):
        assert b.start < a.end  # overlap of one sentence
        assert a.end - b.start <= 4.0
    assert chunks[0].start == segs[0].start and chunks[-1].end == segs[-1].end


def test_chunks_break_at_slide_changes_without_overlap():
    segs = speech(*["Short sentence of six words here."] * 8)  # 8 x 2.4 s
    change = segs[4].start - 0.1
    chunks = build_chunks(segs, ChunkOptions(min_seconds=10, max_seconds=30, overlap_seconds=3), breaks=[change])
    assert any(abs(c.start - segs[4].start) < 1e-6 for c in chunks)
    assert not any(c.start < change < c.end for c in chunks)


def test_a_short_remark_before_a_slide_change_joins_its_own_slide():
    """A chunk closes when long enough; a slide's last short sentence after it must not be glued to the
    next slide's first sentence: it joins the chunk before (or stands alone if that one is full)."""
    eight = "This sentence has exactly eight words in it."  # 3.2 s: longer than the overlap, nothing carried
    segs = speech(*[eight] * 3, "Even by hand.", *[eight] * 3)  # the remark: 1.2 s, then the slide changes
    change = segs[4].start - 0.1
    options = ChunkOptions(min_seconds=10, max_seconds=30, overlap_seconds=3)
    chunks = build_chunks(segs, options, breaks=[change])
    assert not any(c.start < change < c.end for c in chunks)
    before = [c for c in chunks if c.end <= change]
    assert len(before) == 1 and before[0].text.endswith("in it. Even by hand.")
    assert any(c.start < change < c.end for c in build_chunks(segs, options))  # without the break it runs on
    full = ChunkOptions(min_seconds=10, max_seconds=11, overlap_seconds=3)  # no room left before the change
    chunks = build_chunks(segs, full, breaks=[change])
    assert not any(c.start < change < c.end for c in chunks)
    assert [c.text for c in chunks if c.end <= change][-1] == "Even by hand."


def test_a_run_on_sentence_across_a_slide_change_is_cut_there():
    """Whisper left out the full stop where the slide changed: the sentence is cut at the word gap
    nearest the change, so no chunk belongs to two slides."""
    ws = words_of("designers rarely use a solid rectangle because the middle carries little load "
                  "the arch solves the masonry problem by turning weight into pure squeezing", 100.0)
    change = (ws[11].end + ws[12].start) / 2  # between "load" and "the arch"
    chunks = build_chunks([TranscriptSegment(ws[0].start, ws[-1].end, "", ws)],
                          ChunkOptions(min_seconds=4, max_seconds=30, overlap_seconds=3), breaks=[change + 0.1])
    assert not any(c.start < change < c.end for c in chunks)
    assert [c.text for c in chunks] == [" ".join(w.word for w in ws[:12]), " ".join(w.word for w in ws[12:])]

def test_run_on_sentence_is_split_below_max_seconds():
    ws = words_of(" ".join(["word"] * 200), 0.0)  # 80 s with no punctuation or pause
    chunks = build_chunks([TranscriptSegment(0, 80, "", ws)], ChunkOptions(min_seconds=10, max_seconds=20))
    assert all(c.end - c.start <= 20 for c in chunks)
    assert sum(len(c.text.split()) for c in chunks) >= 200


def test_no_words_no_chunks():
    assert build_chunks([]) == []


def test_entry_ids_are_stable_and_distinct():
    a = entry_id("abc", "chunk", 1.0, 12.5)
    assert a == entry_id("abc", "chunk", 1.0004, 12.4996) == "abc:chunk:000001000-000012500"
    assert a != entry_id("abc", "keyframe", 1.0, 12.5) != entry_id("abd", "chunk", 1.0, 12.5)


def test_discover_walks_folders_and_names_what_it_skips(tmp_path):
    (tmp_path / "a.mp4").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("hi")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.MKV").write_bytes(b"x")
    (tmp_path / "sub" / "loop").symlink_to(tmp_path)
    found = {f.path: f.reason for f in discover([str(tmp_path)])}
    assert found[str(tmp_path / "a.mp4")] == "" and found[str(tmp_path / "sub" / "b.MKV")] == ""
    assert "not a media file" in found[str(tmp_path / "notes.txt")]
    assert any("symlink loop" in r for r in found.values())


def test_a_link_to_a_folder_above_is_a_loop_not_more_folders(tmp_path):
    """`lectures/week1/up -> ..` (or a link to the home folder): `index lectures/week1` walked the folder above
    through it and indexed files outside the folder named; a link to a sibling folder is still followed."""
    week1, week2, shared = tmp_path / "week1", tmp_path / "week2", tmp_path / "shared"
    for folder in (week1, week2, shared):
        folder.mkdir()
        (folder / f"{folder.name}.mp4").write_bytes(b"x")
    (week1 / "up").symlink_to("..", target_is_directory=True)
    (week1 / "top").symlink_to(tmp_path, target_is_directory=True)
    (week1 / "slides").symlink_to(shared, target_is_directory=True)
    found = {f.path: f.reason for f in discover([str(week1)])}
    media = sorted(Path(p).name for p, r in found.items() if r == "")
    assert media == ["shared.mp4", "week1.mp4"]
    assert "symlink loop" in found[str(week1 / "up")] and "symlink loop" in found[str(week1 / "top")]


def test_discover_leaves_out_hidden_folders_and_index_folders(tmp_path):
    """`index .` in a course folder: the default index (./momentsearch-db) is one row saying what it is, not a
    row per database file, and a hidden folder's files (.git's, a .cache's) are left out as hidden files
    are, as are a NAS's thumbnails (@eaDir); a hidden folder named on the command line is walked."""
    (tmp_path / "talk.mp4").write_bytes(b"x")
    (tmp_path / "momentsearch-db" / "0c7e").mkdir(parents=True)
    (tmp_path / "momentsearch-db" / "chroma.sqlite3").write_bytes(b"x")
    (tmp_path / "momentsearch-db" / "0c7e" / "frame.jpg").write_bytes(b"x")
    (tmp_path / ".git" / "objects").mkdir(parents=True)
    (tmp_path / ".git" / "objects" / "ab").write_bytes(b"x")
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "old.mp4").write_bytes(b"x")
    (tmp_path / "@eaDir" / "talk.mp4").mkdir(parents=True)  # a Synology NAS's thumbnails of talk.mp4
    (tmp_path / "@eaDir" / "talk.mp4" / "SYNOVIDEO_VIDEO_SCREENSHOT.jpg").write_bytes(b"x")
    found = {f.path: f.reason for f in discover([str(tmp_path)])}
    assert found == {str(tmp_path / "talk.mp4"): "",
                     str(tmp_path / "momentsearch-db"): "a search index (a Chroma database), not media: not walked"}
    assert [f.path for f in discover([str(tmp_path / ".cache")])] == [str(tmp_path / ".cache" / "old.mp4")]
    # the index kept beside the recordings (`index . --db .`): the folder named is walked all the same
    (tmp_path / "chroma.sqlite3").write_bytes(b"x")
    (tmp_path / "6a7f7d93-2988-4e50-9231-f3f1f4e2b31b").mkdir()  # the index's own files: none is listed
    (tmp_path / "6a7f7d93-2988-4e50-9231-f3f1f4e2b31b" / "header.bin").write_bytes(b"x")
    (tmp_path / "momentsearch-cache").mkdir()
    (tmp_path / "momentsearch-cache" / "frame.jpg").write_bytes(b"x")
    found = {f.path: f.reason for f in discover([str(tmp_path)])}
    assert found == {str(tmp_path / "talk.mp4"): "",
                     str(tmp_path / "momentsearch-db"): "a search index (a Chroma database), not media: not walked"}


def test_a_heic_photo_is_skipped_with_what_to_do_walked_or_named(tmp_path):
    """An iPhone's HEIC photo is no 'unknown extension' in a folder, and named on the command line it
    never reaches FFmpeg (whose answer was 'MP4/MOV file ... probably truncated')."""
    (tmp_path / "IMG_0001.HEIC").write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic")
    (tmp_path / "scan.heif").write_bytes(b"x")
    walked = {Path(f.path).name: f for f in discover([str(tmp_path)])}
    named = discover([str(tmp_path / "IMG_0001.HEIC")])
    for found in (walked["IMG_0001.HEIC"], walked["scan.heif"], named[0]):
        assert "HEIC/HEIF photo: not supported" in found.reason and "convert it to JPEG" in found.reason
        assert not found.failed


def test_config_file_maps_onto_options_and_rejects_unknown_keys(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("asr:\n  model: base\nranking:\n  weights:\n    visual: 0.1\n")
    config = load_config(cfg)
    assert config.asr.model == "base" and config.ranking.weights["visual"] == 0.1
    assert config.ranking.weights["transcript"] == 1.0  # untouched keys keep their defaults
    cfg.write_text("asr:\n  modle: base\n")
    with pytest.raises(ConfigError, match="unknown option asr.modle"):
        load_config(cfg)
    with pytest.raises(ConfigError, match="min_seconds"):
        load_config(overrides={"chunks": {"min_seconds": 40.0}})
    with pytest.raises(ConfigError, match="join_share"):
        load_config(overrides={"ranking": {"join_share": 1.5}})


@pytest.mark.parametrize("toml,expect", [
    ('[sampling]\nfps = "2"', "sampling.fps must be a number, got '2'"),
    ("[models]\nocr = \"no\"", "models.ocr must be true or false"),  # a string was read as true
    ("[sampling]\nfps = true", "sampling.fps must be a number"),
    ("[asr]\nmodel = 5", "asr.model must be text"),
    ("[asr]\ntemperatures = 0.5", "asr.temperatures must be a list, each a number"),
    ("[ranking]\ncandidates = 2.5", "ranking.candidates must be a whole number"),
    ("[ranking.calibration]\ntranscript = [0.6, 0.2]", "unrelated < clearly this"),  # zeroed the channel
    ("[asr]\nbeam_size = 0", "asr.beam_size must be >= 1 (1: greedy), got 0"),
    ("[ocr]\nextra_reads = -3", "ocr.extra_reads must be >= 0, got -3"),
    ("[chunks]\ntopic_window = 0", "chunks.topic_window must be >= 1, got 0"),
    ("[sampling]\nfps = nan", "sampling.fps must be a number, got nan"),  # passed every range check, then every
    ("[asr]\nwindow_seconds = inf", "asr.window_seconds must be a number, got inf"),  # file failed to index
    ("[ranking.weights]\ntrnascript = 2.0", "unknown option ranking.weights.trnascript; known: clip_text, "),
    ("[ranking.spread]\nvisul = 0.1", "unknown option ranking.spread.visul"),  # had no effect, silently
    ("[asr]\nmodel = \"base\"\nlanguage = \"klingon\"", "asr.language must be a Whisper language code"),
    # one sentence listed eight options' ranges, naming neither the one given nor its value
    ("[ranking]\nnms_overlap = 2", "ranking.nms_overlap must be in [0, 1], got 2"),
    ("[ranking]\nmin_score = -1", "ranking.min_score must be >= 0, got -1"),
    ("[keyframes]\nblock = 1", "keyframes.block must be >= 2, got 1"),
    ("[distributed]\ncpus_per_worker = 0", "distributed.cpus_per_worker must be > 0, got 0"),
    ("[search]\nk = 5", "unknown section [search]; known: asr, captions,"),  # no such table
])
def test_a_config_value_of_the_wrong_type_or_range_is_one_error(tmp_path, toml, expect):
    """Each was a traceback later, or silently accepted (a string for a switch, a reversed calibration)."""
    cfg = tmp_path / "c.toml"
    cfg.write_text(toml + "\n")
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    assert expect in str(err.value)
    assert str(err.value).startswith(f"{cfg}: ")  # which of the admin's files holds it


def test_a_json_config_is_read_as_json_and_a_folder_is_named_as_one(tmp_path):
    """A .json options file was parsed as TOML ("Invalid statement"); a folder given as --config was "not found"."""
    (tmp_path / "team.json").write_text('{"ranking": {"place_bonus": 0.2}, "asr": {"model": "tiny.en"}}')
    config = load_config(tmp_path / "team.json")
    assert config.ranking.place_bonus == 0.2 and config.asr.model == "tiny.en"
    with pytest.raises(ConfigError, match="a folder: name the file in it"):
        load_config(tmp_path)


def test_a_config_file_that_is_not_tables_of_options_is_one_error(tmp_path):
    for name, body in (("list.yaml", "- a\n- b\n"), ("latin1.toml", b"# caf\xe9\n")):
        cfg = tmp_path / name
        cfg.write_bytes(body if isinstance(body, bytes) else body.encode())
        with pytest.raises(ConfigError, match=str(cfg)):
            load_config(cfg)


# -- sections from speech -------------------------------------------------------------------------------
def _talk(topics: list[int], per_sentence: float = 4.0, pause_before: dict | None = None, seed: int = 0):
    """Sentences (as word lists) whose embedding is their topic's direction plus noise."""
    rng = np.random.default_rng(seed)
    units, vectors, t = [], [], 0.0
    directions = np.eye(8)
    for i, topic in enumerate(topics):
        t += (pause_before or {}).get(i, 0.3)
        units.append([Word(t, t + per_sentence / 2, "word"), Word(t + per_sentence / 2, t + per_sentence, "end.")])
        v = directions[topic] + rng.normal(0, 0.2, 8)
        vectors.append(v / np.linalg.norm(v))
        t += per_sentence
    return units, np.array(vectors), t


def test_a_topic_change_without_a_slide_change_is_a_section_boundary():
    from momentsearch.pipeline.segment import sections, topic_boundaries

    units, vectors, end = _talk([0] * 6 + [1] * 6, pause_before={6: 1.5})
    change = (units[5][-1].end + units[6][0].start) / 2
    found = topic_boundaries(units, vectors, cuts=[], duration=end)
    assert len(found) == 1 and abs(found[0] - change) < 0.01
    assert sections(found, end) == [(0.0, round(found[0], 3)), (round(found[0], 3), end)]
    # a slide change already there: nothing to add next to it, and one topic is never split
    assert topic_boundaries(units, vectors, cuts=[change + 1.0], duration=end) == []
    units, vectors, end = _talk([2] * 12, seed=1)
    assert topic_boundaries(units, vectors, cuts=[], duration=end) == []


def test_a_long_silence_ends_a_section_where_the_talk_resumes():
    """A recording that starts before the lecture: a few words at the microphone, then 30 s in which nobody
    speaks, then the lecture, all on one slide and on one subject (no dip in the talk). The silence is a
    section boundary, a second before the voice comes back (the silence stays with what came before);
    a pause of 10 s (the lecturer lets the room think) is none, nor is a silence the slide changes in, and
    a question before the silence does not pull the boundary in front of it."""
    from momentsearch.pipeline.segment import topic_boundaries

    units, vectors, end = _talk([3] * 12, pause_before={6: 30.0}, seed=0)
    resumed = units[6][0].start - 1.0
    found = topic_boundaries(units, vectors, cuts=[], duration=end)
    assert len(found) == 1 and abs(found[0] - resumed) < 0.01
    asked = [list(u) for u in units]
    asked[5] = [Word(w.start, w.end, text) for w, text in zip(asked[5], (" Why", "not?"))]
    found = topic_boundaries(asked, vectors, cuts=[], duration=end)
    assert len(found) == 1 and abs(found[0] - resumed) < 0.01
    assert topic_boundaries(units, vectors, cuts=[units[6][0].start - 0.5], duration=end) == []
    units, vectors, end = _talk([3] * 12, pause_before={6: 10.0}, seed=0)
    assert topic_boundaries(units, vectors, cuts=[], duration=end) == []


def test_a_recording_that_runs_before_and_after_the_talk_has_sections_of_its_own():
    """Nobody speaks for the first 30 s and the last 40 s (a capture that starts on the timetable's time,
    students leaving at the end): the talk's first and last words are section edges, a second outside
    them. A slide change in the first silence leaves too little of it for a section (the change is the
    edge), and a talk that starts and ends with the recording adds none."""
    from momentsearch.pipeline.segment import topic_boundaries

    units, vectors, end = _talk([3] * 12, pause_before={0: 30.0}, seed=0)
    first, last = units[0][0].start, units[-1][-1].end
    found = topic_boundaries(units, vectors, cuts=[], duration=end + 40.0)
    assert len(found) == 2 and abs(found[0] - (first - 1.0)) < 0.01 and abs(found[1] - (last + 1.0)) < 0.01
    assert topic_boundaries(units, vectors, cuts=[15.0], duration=end) == []
    assert np.allclose(topic_boundaries(units, vectors, cuts=[last + 25.0], duration=end + 40.0),
                       [first - 1.0, last + 1.0])  # 25 s of the end's silence before the slide changes
    assert len(topic_boundaries(units, vectors, cuts=[last + 15.0], duration=end + 40.0)) == 1  # only 15 s
    units, vectors, end = _talk([3] * 12, seed=0)
    assert topic_boundaries(units, vectors, cuts=[], duration=end + 5.0) == []


def test_a_slide_of_usual_length_holds_one_topic_and_a_long_one_may_hold_two():
    """Five slides of six sentences each; the third one's talk turns half way (a clear dip). On a slide
    no longer than 1.5 times the video's median slide that dip is a side point, not a section
    (`chunks.one_topic`); the same turn on a slide shown twice as long as the others is a section, and
    so is the short one's with the rule off or with too few slides to say what usual is."""
    from momentsearch.options import ChunkOptions
    from momentsearch.pipeline.segment import one_topic_span, topic_boundaries

    def lecture(third: list[int]):
        topics = [0] * 6 + [1] * 6 + third + [4] * 6 + [5] * 6
        units, vectors, end = _talk(topics, pause_before={12 + len(third) // 2: 1.5}, seed=2)
        cuts = [units[i][0].start - 0.1 for i in (6, 12, 12 + len(third), 18 + len(third))]
        turn = (units[11 + len(third) // 2][-1].end + units[12 + len(third) // 2][0].start) / 2
        return units, vectors, end, cuts, turn

    units, vectors, end, cuts, turn = lecture([2] * 3 + [3] * 3)
    assert topic_boundaries(units, vectors, cuts, end) == []
    off = topic_boundaries(units, vectors, cuts, end, ChunkOptions(one_topic=0.0))
    assert len(off) == 1 and abs(off[0] - turn) < 0.01
    few = topic_boundaries(units, vectors, cuts[1:3], end)  # three slides: no usual length to go by
    assert sum(abs(t - turn) < 0.01 for t in few) == 1  # (the first and last now hold two topics each too)
    units, vectors, end, cuts, turn = lecture([2] * 6 + [3] * 6)
    found = topic_boundaries(units, vectors, cuts, end)
    assert len(found) == 1 and abs(found[0] - turn) < 0.01
    assert one_topic_span([0, 10, 20, 30, 70], 1.5) == 15.0 and one_topic_span([0, 10, 20, 70], 1.5) == 0.0


def test_a_two_sentence_aside_is_a_section_from_where_it_begins_to_where_it_ends():
    """A lecturer leaves the topic for two sentences and comes back: with the default two sentences on
    each side of a gap both edges are found where they are; windows of three reach across the aside
    and put its edges a sentence off (`chunks.topic_window`)."""
    from momentsearch.options import ChunkOptions
    from momentsearch.pipeline.segment import topic_boundaries

    for seed in range(6):
        units, vectors, end = _talk([0] * 5 + [1] * 2 + [0] * 5, per_sentence=5.0, seed=seed)
        edges = [(units[i][-1].end + units[i + 1][0].start) / 2 for i in (4, 6)]
        assert np.allclose(topic_boundaries(units, vectors, cuts=[], duration=end), edges, atol=0.01)
    units, vectors, end = _talk([0] * 5 + [1] * 2 + [0] * 5, per_sentence=5.0, seed=0)
    wide = topic_boundaries(units, vectors, cuts=[], duration=end, options=ChunkOptions(topic_window=3))
    assert len(wide) == 2 and not np.allclose(wide, edges, atol=1.0)


def test_a_cue_phrase_tips_a_shallow_topic_change_into_a_boundary():
    """Two neighbouring topics of one subject (their sentences only partly differ): the dip alone is
    too shallow, but the next topic opening with "Now, ..." makes it a boundary. The same words inside
    one topic split nothing, and a sentence starting "Nowhere" is no cue."""
    from momentsearch.pipeline.segment import opens_topic, topic_boundaries

    units, vectors, end = _talk([0] * 6 + [1] * 6, seed=4)
    vectors[6:] = vectors[6:] + vectors[:6].mean(axis=0)  # the second topic leans on the first
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    assert topic_boundaries(units, vectors, cuts=[], duration=end) == []
    cued = [list(u) for u in units]
    cued[6][0] = Word(cued[6][0].start, cued[6][0].end, " Now,")
    change = (units[5][-1].end + units[6][0].start) / 2
    found = topic_boundaries(cued, vectors, cuts=[], duration=end)
    assert len(found) == 1 and abs(found[0] - change) < 0.01
    one_topic, same, end = _talk([3] * 12, seed=3)
    one_topic[6][0] = Word(one_topic[6][0].start, one_topic[6][0].end, "Now,")
    assert topic_boundaries(one_topic, same, cuts=[], duration=end) == []
    assert opens_topic([Word(0, 1, " Let"), Word(1, 2, "me")]) and not opens_topic([Word(0, 1, "Nowhere")])


def test_next_time_announces_the_next_lecture_and_opens_no_topic():
    """"Next, ..." walks on to a new point; "Next time we look at costs" or "Next week ..." closes the
    lecture: the shallow dip before it stays no boundary (a closing remark is not its own section)."""
    from momentsearch.pipeline.segment import opens_topic, topic_boundaries

    def said(*words):
        return [Word(i, i + 1, w) for i, w in enumerate(words)]

    assert opens_topic(said(" Next,", "the", "supply", "side"))
    assert not opens_topic(said(" Next", "time", "we", "look")) and not opens_topic(said("Next", "week,"))
    assert not opens_topic(said(" Next", "week's", "seminar")) and not opens_topic(said(" Next", "term’s"))
    assert opens_topic(said(" Okay,", "time", "for", "questions"))  # only "next" is read this way
    assert opens_topic(said(" Eh,", "um,", "now", "the", "homework"))  # a hesitation before the cue
    assert not opens_topic(said(" Um,", "the", "homework"))
    units, vectors, end = _talk([0] * 6 + [1] * 6, seed=4)
    vectors[6:] = vectors[6:] + vectors[:6].mean(axis=0)  # a shallow dip, as in the test above
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    for opening, boundaries in ((("Next,", "the"), 1), (("Next", "time"), 0)):
        cued = [list(u) for u in units]
        cued[6][:2] = [Word(w.start, w.end, text) for w, text in zip(cued[6], opening)]
        assert len(topic_boundaries(cued, vectors, cuts=[], duration=end)) == boundaries


def test_a_topic_boundary_moves_to_the_pause_before_a_framing_sentence():
    """The new topic opens with a short framing sentence ("Why does the line slope down?") whose vector
    says little (here: the old topic's). The topic scores then dip one sentence late; the speaker's
    pause before the framing sentence is where the topic turned, and the boundary moves there. With no
    clear pause there it stays where the scores put it."""
    from momentsearch.pipeline.segment import topic_boundaries

    topics = [0] * 6 + [0] + [1] * 6  # sentence 6 frames the new topic but reads like the old one
    units, vectors, end = _talk(topics, pause_before={6: 1.5})
    turn = (units[5][-1].end + units[6][0].start) / 2
    found = topic_boundaries(units, vectors, cuts=[], duration=end)
    assert len(found) == 1 and abs(found[0] - turn) < 0.01
    units, vectors, end = _talk(topics)
    late = (units[6][-1].end + units[7][0].start) / 2
    found = topic_boundaries(units, vectors, cuts=[], duration=end)
    assert len(found) == 1 and abs(found[0] - late) < 0.01


def test_a_silence_with_a_slide_change_in_it_is_not_split_in_the_middle():
    """An exercise: one sentence on its slide, two minutes of silence, then the next slide and topic. The
    pause is the best topic gap, but the slide change inside it is the boundary already: no second
    boundary half way through the silence. Without that change the pause is a boundary."""
    from momentsearch.pipeline.segment import topic_boundaries

    units, vectors, end = _talk([0] * 4 + [1] * 6, pause_before={4: 120.0})
    quiet = (units[3][-1].end, units[4][0].start)
    change = quiet[1] - 0.5  # the new slide appears just before the lecturer speaks again
    assert topic_boundaries(units, vectors, cuts=[change], duration=end) == []
    found = topic_boundaries(units, vectors, cuts=[], duration=end)
    assert any(quiet[0] < t < quiet[1] for t in found)


def test_frames_at_gives_the_first_frame_at_or_after_each_time_in_the_order_asked(tmp_path):
    """OCR re-decodes keyframes at full size (pipeline/frame_reader.frames_at): seeks, decodes on for near
    times, answers in the caller's order, and the last frame stands for a time past the end."""
    from momentsearch.pipeline.frame_reader import frames_at

    path = tmp_path / "count.mp4"
    counting_video(path)
    times = [17.3, 0.0, 2.0, 2.1, 9.95, 30.0, 11.0]
    images = frames_at(path, times, max_side=1280)
    assert all(im is not None and im.shape == (192, 320, 3) for im in images)
    expected = [int(np.ceil(t * 5 - 1e-6)) if t < 24 else 119 for t in times]
    got = [int(round(float(im.mean()) / 4)) for im in images]
    assert got == [e % 60 for e in expected]
    assert frames_at(path, [], 640) == []
    small = frames_at(path, [3.0], max_side=160)[0]
    assert small.shape == (96, 160, 3)


def test_sentence_vectors_embedded_during_asr_equal_those_embedded_at_the_end():
    """The topic finder's sentence vectors are embedded window by window in a helper thread; the last
    sentence of a window (it may go on in the next) waits, and the result is what one call would give."""
    from momentsearch.pipeline.process import SentenceVectors
    from momentsearch.pipeline.segment import sentences
    from fakes import FakeText

    class Counting(FakeText):
        def __init__(self):
            self.calls = []

        def embed_texts(self, texts):
            self.calls.append(list(texts))
            return super().embed_texts(texts)

    first = speech("Supply falls.", "Prices rise.", "Buyers", start=0.0)
    second = speech("switch to tea.", "Then the frost ended.", start=3.0)
    embedder = Counting()
    ahead = SentenceVectors(embedder)
    ahead.feed(first)
    ahead.feed(first + second)
    texts = [" ".join(w.word.strip() for w in u) for u in sentences(first + second)]
    got = ahead.vectors(texts)
    assert np.allclose(got, FakeText().embed_texts(texts))
    assert embedder.calls[0] == ["Supply falls.", "Prices rise."]  # "Buyers" was left for later
    assert "Buyers switch to tea." in embedder.calls[1] and "Then the frost ended." in embedder.calls[-1]
    assert sum(len(c) for c in embedder.calls) == len(texts)  # each sentence embedded once


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_median_of_a_few_maps_is_numpys_median(n):
    from momentsearch.pipeline.keyframes import median_of

    maps = list(np.random.default_rng(n).random((n, 18, 32)).astype(np.float32))
    maps[0][0, :4] = maps[-1][0, :4]  # ties
    assert np.array_equal(median_of(maps), np.median(np.stack(maps), axis=0).astype(np.float32))


def test_a_question_that_opens_a_topic_starts_its_section():
    """"... get comfortable with it now. Why does the line slope down? There are two reasons ...": the
    question's words say little, so the sentence windows put the change after it; it moves before the
    question. A question to the room ("Any questions?") stays with the topic it closes, and so does a
    long one."""
    from momentsearch.pipeline.segment import opens_with_question, topic_boundaries

    def said(words: str, start: float) -> list[Word]:
        parts = words.split()
        return [Word(start + k * 0.4, start + (k + 1) * 0.4, " " + w) for k, w in enumerate(parts)]

    units, vectors, end = _talk([0] * 7 + [1] * 6, seed=5)  # sentence 6 leans on the old topic's words
    before, after = [(units[i][-1].end + units[i + 1][0].start) / 2 for i in (5, 6)]
    assert np.allclose(topic_boundaries(units, vectors, cuts=[], duration=end), [after], atol=0.01)
    for question, moved in (("So why does the line slope down?", True), ("Any questions?", False),
                            ("Does that make sense?", False),
                            ("What happens to the price of every other good in the whole economy over the "
                             "next few years?", False)):
        asked = [list(u) for u in units]
        asked[6] = said(question, units[6][0].start)
        after = (asked[6][-1].end + asked[7][0].start) / 2
        found = topic_boundaries(asked, vectors, cuts=[], duration=end)
        assert len(found) == 1 and abs(found[0] - (before if moved else after)) < 0.01, question
        assert opens_with_question(asked[6]) == moved
    # a slide change just before the question: the boundary is not moved across it
    asked = [list(u) for u in units]
    asked[6] = said("Why does the line slope down?", units[6][0].start)
    assert topic_boundaries(asked, vectors, cuts=[before], duration=end) == []


def test_a_run_on_sentence_is_cut_at_its_longest_pauses():
    """Whisper left 30 s of a lecture unpunctuated, its pauses shrunk under LONG_PAUSE ("... the tonic
    finally the last form ..."): one 83-word "sentence", so the topic change inside it had no gap between
    sentences to be found at. A sentence over RUN_ON seconds is cut at its longest gap, again until no
    part is (many words with equal gaps: parts of about half, no deep recursion)."""
    from momentsearch.pipeline.segment import RUN_ON
    from momentsearch.types import TranscriptSegment, Word

    words, t = [], 0.0
    for i in range(90):  # 0.3 s words, 0.1 s gaps, 0.6 s before word 60 (the turn to a new topic)
        t += 0.6 if i == 60 else 0.1
        words.append(Word(t, t + 0.3, f"w{i}"))
        t += 0.3
    units = sentences([TranscriptSegment(0.0, t, "", words)])
    assert [u[0].word for u in units if u[0].word == "w60"] == ["w60"]  # a unit starts at the turn
    assert all(u[-1].end - u[0].start <= RUN_ON for u in units) and sum(map(len, units)) == 90
    short = sentences([TranscriptSegment(0.0, 18.0, "", words[:40])])  # under RUN_ON: one sentence as before
    assert len(short) == 1
    many = [Word(i * 0.4, i * 0.4 + 0.3, "la") for i in range(5000)]  # 33 minutes, no pause stands out
    parts = sentences([TranscriptSegment(0.0, 2000.0, "", many)])
    assert all(10.0 <= u[-1].end - u[0].start <= RUN_ON for u in parts)
