"""Chapters out: from slide titles, from topic shifts in speech, the four formats, and against truth."""

from __future__ import annotations

import json

import numpy as np
import pytest

from momentsearch.chapters import boundary_f1, format_chapters, from_slides, from_speech, make_chapters, title_from
from tests.conftest import run_cli


def test_slide_titles_make_chapters_builds_and_ocr_noise_merge():
    slides = [(0.0, 4.0, "Course Title"), (4.0, 20.0, "Photosynthesis basics"), (20.0, 30.0, "Photosynthesis basic"),
              (30.0, 31.5, "Blur"), (31.5, 60.0, "Roadmap"), (60.0, 70.0, "")]
    chapters = from_slides(slides, 70.0)
    assert [(c.start, c.title) for c in chapters] == [(0.0, "Photosynthesis basics"), (30.0, "Roadmap")]
    assert chapters[-1].end == 70.0 and {c.source for c in chapters} == {"slides"}


def test_questions_off_the_slides_are_their_own_chapter():
    """The camera turns to the lecturer for questions in the middle of a slide's time and again before the
    summary: each stretch without a slide in which the lecturer takes a question is a chapter "Questions";
    a stretch without a slide and without a question (a story told to the camera) is not."""
    slides = [(0.0, 60.0, "Supply"), (80.0, 120.0, "Supply"), (120.0, 180.0, "Demand"), (200.0, 230.0, "Story"),
              (260.0, 300.0, "Summary")]
    chunks = [(60.0, 70.0, "Let me take a few questions. Yes, at the back."),
              (70.0, 80.0, "Good question: the curve only needs most people to buy less."),
              (180.0, 195.0, "Let me tell you about a farmer I once met."),
              (230.0, 245.0, "We have time for one more question? The question is whether prices are fair."),
              (245.0, 260.0, "That is a real concern.")]
    chapters = make_chapters(slides, chunks, np.zeros((len(chunks), 4)), 300.0)
    assert [(c.start, c.end, c.title) for c in chapters] == [
        (0.0, 60.0, "Supply"), (60.0, 80.0, "Questions"), (80.0, 120.0, "Supply"), (120.0, 200.0, "Demand"),
        (200.0, 230.0, "Story"), (230.0, 260.0, "Questions"), (260.0, 300.0, "Summary")]


def test_speech_chapters_at_the_topic_shift_with_titles_from_their_words():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=16), rng.normal(size=16)
    chunks, vectors = [], []
    for i in range(12):
        topic = a if i < 6 else b
        first = "So, today we talk about solar cells." if i == 0 else "Now the budget of the project matters."
        text = first if i in (0, 6) else f"More words number {i}."
        chunks.append((i * 20.0, i * 20.0 + 20.0, text))
        vectors.append(topic + 0.1 * rng.normal(size=16))
    chapters = from_speech(chunks, np.array(vectors), 240.0)
    assert [c.start for c in chapters] == [0.0, 120.0]
    assert [c.title for c in chapters] == ["Today we talk about solar cells", "The budget of the project matters"]
    # no slides with titles: make_chapters takes speech
    assert make_chapters([(0, 240, "")], chunks, np.array(vectors), 240.0)[1].source == "speech"


def test_title_is_cut_to_a_few_words():
    assert title_from("Okay, so let us now look at the roadmap for the next two years in detail.") == \
        "Let us now look at the roadmap for…"


def test_a_speech_title_leaves_out_hesitations_and_words_said_twice():
    # Whisper keeps a lecturer's "eh" and "the, the" (accented, spontaneous speech); a chapter title should not
    assert title_from("Eh, you will not miss the, the ultimate gain, uh, here.") == "You will not miss the ultimate gain here"
    assert title_from("Um. So, the controller measures the output.") == "The controller measures the output"


def test_formats():
    from momentsearch.chapters import Chapter

    chapters = [Chapter(0.0, 75.5, "Intro", "slides"), Chapter(75.5, 3725.0, "Main part", "slides")]
    assert format_chapters(chapters, "youtube") == "00:00 Intro\n01:15 Main part"
    vtt = format_chapters(chapters, "vtt")
    assert vtt.startswith("WEBVTT\n\n1\n00:00:00.000 --> 00:01:15.500\nIntro\n")
    assert json.loads(format_chapters(chapters, "json"))[1] == {"start": 75.5, "end": 3725.0, "title": "Main part",
                                                              "source": "slides"}


def test_a_vtt_chapter_title_is_escaped_as_webvtt_wants():
    """A slide title OCR read as "Q&A <live> --> wrap-up" went into the chapters track as it was: a bare "<"
    opens a tag (a player showed "Q&A " and hid the rest) and "-->" in a cue's text is not WebVTT."""
    from momentsearch.chapters import Chapter

    chapters = [Chapter(0.0, 20.0, "Heat & Mass", "slides"), Chapter(20.0, 40.0, "Q&A <live> --> wrap-up", "slides")]
    vtt = format_chapters(chapters, "vtt")
    titles = [block.split("\n")[2] for block in vtt.strip().split("\n\n")[1:]]
    assert titles == ["Heat &amp; Mass", "Q&amp;A &lt;live&gt; \u2192 wrap-up"]
    assert format_chapters(chapters, "youtube").splitlines()[1] == "00:20 Q&A <live> --> wrap-up"  # plain text


def test_youtube_lines_that_youtube_would_not_take_as_chapters_are_named():
    """`chapters --format youtube` of a short lecture printed "00:00 Merge Sort" and "00:15 Counting Sort", and
    pasted into a description they did nothing: YouTube wants 3 timestamps or more, each chapter 10 s or more.
    The CLI now says so on stderr (the lines are still printed: the video may grow chapters later)."""
    from momentsearch.chapters import Chapter, youtube_note

    two = [Chapter(0.0, 15.55, "Merge Sort", "slides"), Chapter(15.55, 27.7, "Counting Sort", "slides")]
    assert "YouTube shows chapters only from 3 timestamps" in youtube_note(two)
    brief = two + [Chapter(27.7, 33.0, "Summary", "slides")]
    assert youtube_note(brief).startswith("1 chapter shorter than 10 s (00:27 Summary)")
    assert youtube_note(two[:1] + [Chapter(15.55, 30.0, "B", "slides"), Chapter(30.0, 40.0, "C", "slides")]) == ""
    assert youtube_note([]) == ""


def test_chapters_are_never_written_where_the_next_index_reads_them_as_the_videos_captions(tmp_path):
    """`chapters talk.mp4 --format vtt -o talk.vtt` (the README's own example of a slip) was refused only when
    talk.vtt was already there; written fresh, the next `index` read the chapter titles as talk.mp4's captions
    and its whole transcript became "Sorting Algorithms and Merge Sort ...": speech search lost every word."""
    from momentsearch.chapters import write_text
    from momentsearch.errors import QueryError
    from momentsearch.pipeline.captions import sidecar_files

    video = tmp_path / "talk.mp4"
    video.write_bytes(b"\0" * 64)
    track = "WEBVTT\n\n1\n00:00:00.000 --> 00:00:15.550\nSorting Algorithms and Merge Sort\n"
    for name in ("talk.vtt", "talk.en.srt", "talk.pt_BR.vtt"):
        with pytest.raises(QueryError, match="would be read as the captions of talk.mp4.*such as talk.chapters"):
            write_text(track, tmp_path / "sub" / ".." / name, str(video), [str(video)])
    assert sidecar_files(video) == []  # nothing written
    write_text(track, tmp_path / "talk.chapters.vtt", str(video), [str(video)])
    (tmp_path / "other").mkdir()
    write_text(track, tmp_path / "other" / "talk.vtt", str(video), [str(video)])  # another folder: no captions
    assert sidecar_files(video) == []  # neither is read as its captions
    write_text("WEBVTT\n", tmp_path / "talk.vtt", str(video), [str(video)], what="transcript")  # its own words


def test_boundary_f1():
    assert boundary_f1([0, 10.5, 30, 51], [0, 10, 29, 40]) == pytest.approx(
        {"precision": 2 / 3, "recall": 2 / 3, "f1": 2 / 3})


def test_chapters_of_an_indexed_lecture_match_its_sections(two_lectures):
    db, videos = two_lectures
    path, windows = videos["lecture"]
    got = json.loads(run_cli("chapters", str(path), "--db", str(db), "--format", "json").stdout)
    truth = sorted(s for s, _ in windows.values())
    f1 = boundary_f1([c["start"] for c in got], truth)["f1"]
    assert f1 >= 0.99, (got, truth)  # one slide per section, titles read by OCR
    assert {c["source"] for c in got} == {"slides"}
    assert any("Roadmap" in c["title"] for c in got)
    youtube = run_cli("chapters", str(path), "--db", str(db), "--format", "youtube").stdout
    assert youtube.startswith("00:00 ")
    bad = run_cli("chapters", "nothing.mp4", "--db", str(db), check=False)
    assert bad.returncode == 2 and "'nothing.mp4' is not an indexed file or video id" in bad.stderr


def test_a_video_not_indexed_or_named_twice_is_one_line_without_the_in_option(tmp_path):
    """chapters and clip take one video, not --in: their error names what was typed and what to do
    (it said "--in 'nothing.mp4' matches no indexed file"); search --in keeps its own wording."""
    from PIL import Image

    from tests.conftest import TINY_CLIP_ARGS

    for name, colour in (("whiteboard.png", (235, 235, 228)), ("chalkboard.png", (38, 64, 46))):
        Image.new("RGB", (320, 240), colour).save(tmp_path / name)
    db = str(tmp_path / "db")
    run_cli("index", str(tmp_path / "whiteboard.png"), str(tmp_path / "chalkboard.png"), "--db", db,
            *TINY_CLIP_ARGS, "--no-ocr", "--quiet")
    expected = {
        ("chapters", "nothing.mp4"): "'nothing.mp4' is not an indexed file or video id; index it first, or name "
                                     "one that `momentsearch info` lists",
        ("chapters", "*.png"): "'*.png' names 2 indexed files, not one; give the path or video id of one "
                               "(`momentsearch info` lists them)",
        ("clip", "nothing.mp4", "0", "1", "-o", str(tmp_path / "c.mp4")):
            "'nothing.mp4' is not an indexed file or video id; no such file either: check the path",
        ("search", "board", "--in", "nothing.mp4"):
            "--in 'nothing.mp4' matches no indexed file; `momentsearch info` lists them",
    }
    for args, message in expected.items():
        proc = run_cli(*args, "--db", db, check=False)
        assert proc.returncode == 2 and proc.stderr.strip() == f"momentsearch: error: {message}", (args, proc.stderr)


def test_chapters_written_into_a_new_folder_or_refused_in_one_line(two_lectures, tmp_path):
    db, videos = two_lectures
    path = str(videos["lecture"][0])
    out = tmp_path / "new" / "folder" / "ch.txt"
    run_cli("chapters", path, "--db", str(db), "-o", str(out))
    assert out.read_text().startswith("00:00")
    bad = run_cli("chapters", path, "--db", str(db), "-o", str(tmp_path), check=False)  # a folder
    assert bad.returncode == 2 and bad.stderr.strip() == f"momentsearch: error: {tmp_path}: Is a directory"
    before = videos["lecture"][0].read_bytes()
    over = run_cli("chapters", path, "--db", str(db), "-o", path, check=False)  # the video itself
    assert over.returncode == 2 and "is the video itself" in over.stderr and videos["lecture"][0].read_bytes() == before


def _recording(path, seconds: int = 4, fps: int = 5) -> None:
    """A small silent screen recording: a grey slide that changes shade each second, a cursor that moves."""
    import av

    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 160, 96, "yuv420p"
        for i in range(seconds * fps):
            img = np.full((96, 160, 3), 200 - 30 * (i // fps), np.uint8)
            img[40:46, 10 + 5 * i:16 + 5 * i] = (20, 20, 20)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


def test_chapters_and_clip_of_a_copy_use_the_copy_named(tmp_path):
    """A recording and its backup copy share one video id and their entries, and the index reads one of
    the two records for both: `chapters COPY -o COPY` checked -o against the other file and wrote the
    chapters over the copy, and a clip of a named file that is gone failed though a copy is there."""
    import shutil

    from tests.conftest import TINY_CLIP_ARGS

    talk, copy = tmp_path / "week1" / "talk.mp4", tmp_path / "backup" / "talk copy.mp4"
    talk.parent.mkdir()
    copy.parent.mkdir()
    _recording(talk)
    shutil.copy(talk, copy)
    db = str(tmp_path / "db")
    run_cli("index", str(talk), str(copy), "--db", db, *TINY_CLIP_ARGS, "--no-ocr", "--quiet")
    before = talk.read_bytes()
    for video in (talk, copy):
        over = run_cli("chapters", str(video), "--db", db, "-o", str(video), check=False)
        assert over.returncode == 2 and "is the video itself" in over.stderr, (video, over.stderr)
        assert video.read_bytes() == before, f"{video.name} was written over"
    silent = run_cli("chapters", str(talk), "--db", db, check=False)  # no speech, no slide text: no chapters
    assert silent.returncode == 2 and "has no chapters" in silent.stderr and not silent.stdout, silent
    clip = json.loads(run_cli("clip", str(copy), "0", "2", "-o", str(tmp_path / "c1.mp4"), "--db", db,
                              "--json").stdout)
    assert clip["source"] == str(copy)  # cut from the file named
    talk.unlink()  # gone since it was indexed: its content is still there as the copy
    clip = json.loads(run_cli("clip", str(talk), "0", "2", "-o", str(tmp_path / "c2.mp4"), "--db", db,
                              "--json").stdout)
    assert clip["source"] == str(copy) and (tmp_path / "c2.mp4").stat().st_size > 0


def test_transcript_as_subtitles_text_and_json_timed_by_words(two_lectures, tmp_path):
    from momentsearch.api import MomentIndex
    from momentsearch.transcript import decode_times

    db, videos = two_lectures
    path, windows = videos["lecture"]
    record = MomentIndex(db).find_video(str(path))
    chunks = MomentIndex(db).chunks_of(record.video_id)
    assert chunks and all(len(decode_times(c.start, c.word_times, c.text)) == len(c.text.split()) for c in chunks)
    out = tmp_path / "subs" / "lecture.srt"  # into a new folder
    run_cli("transcript", str(path), "--db", str(db), "--format", "srt", "-o", str(out))
    blocks = [b.splitlines() for b in out.read_text(encoding="utf-8").strip().split("\n\n")]
    seconds = [[t.replace(",", ".").split(":") for t in b[1].split(" --> ")] for b in blocks]
    clock = [[float(h) * 3600 + float(m) * 60 + float(s) for h, m, s in pair] for pair in seconds]
    assert [int(b[0]) for b in blocks] == list(range(1, len(blocks) + 1))
    assert all(s < e for s, e in clock) and all(clock[i][0] >= clock[i - 1][1] - 1e-6 for i in range(1, len(clock)))
    assert all(len(" ".join(b[2:]).split()) <= 14 for b in blocks)
    road = next(i for i, b in enumerate(blocks) if "roadmap" in " ".join(b[2:]).lower())
    lo, hi = windows["Project Roadmap"]
    assert lo - 0.5 <= clock[road][0] < hi  # said while its slide is on screen
    said = json.loads(run_cli("transcript", record.video_id, "--db", str(db), "--format", "json",
                              "--from", "0:00", "--to", f"{lo:.1f}").stdout)
    assert said["video_id"] == record.video_id and said["source"].startswith("asr")
    assert said["sentences"] and all(s["start"] < lo for s in said["sentences"])
    assert len({s["text"] for s in said["sentences"]}) == len(said["sentences"])  # each sentence once
    text = run_cli("transcript", str(path), "--db", str(db)).stdout.splitlines()
    assert text[0].startswith("[0:0") and any("roadmap" in line.lower() for line in text)
    bad = run_cli("transcript", str(path), "--db", str(db), "-o", str(path), "--force", check=False)
    assert bad.returncode == 2 and "is the video itself" in bad.stderr and path.stat().st_size > 10000
    again = run_cli("transcript", str(path), "--db", str(db), "--format", "srt", "-o", str(out), check=False)
    assert again.returncode == 2 and "exists: add --force" in again.stderr  # the subtitles written above stay


def test_chapters_and_clips_never_go_over_an_indexed_file_captions_or_an_existing_file(tmp_path):
    """`chapters -o` refused only the video it described: the chapters went over another indexed file (a
    lecture's backup copy), over the video's own captions (`--format vtt -o talk.vtt`) and over any existing
    file, silently; `clip -o` the same. Now those are refused in one line; an existing other file is replaced
    only with --force."""
    import shutil

    from tests.conftest import TINY_CLIP_ARGS

    talk, copy = tmp_path / "talk.mp4", tmp_path / "backup" / "talk.mp4"
    copy.parent.mkdir()
    _recording(talk)
    shutil.copy(talk, copy)
    captions = tmp_path / "talk.vtt"
    captions.write_text("WEBVTT\n\n00:00.000 --> 00:02.000\nhello\n")
    db = str(tmp_path / "db")
    run_cli("index", str(talk), str(copy), "--db", db, *TINY_CLIP_ARGS, "--no-ocr", "--quiet", "--captions", "ignore")
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    kept = {p: p.read_bytes() for p in (talk, copy, captions, notes)}
    refused = {
        (str(copy),): f"{copy} is an indexed file ({copy}): name another file for the chapters",
        (str(captions), "--format", "vtt", "--force"): f"{captions} holds the captions of talk.mp4: name another "
                                                      "file for its chapters",
        (str(notes),): f"{notes} exists: add --force to replace it, or name another file",
        (str(tmp_path / "new.mp4"), "--force"): f"{tmp_path / 'new.mp4'} is named like a media file: name a .txt, "
                                                ".json, .srt or .vtt file for the chapters",
    }
    for (out, *extra), message in refused.items():
        proc = run_cli("chapters", str(talk), "--db", db, "-o", out, *extra, check=False)
        assert proc.returncode == 2 and proc.stderr.strip() == f"momentsearch: error: {message}", (out, proc.stderr)
    assert {p: p.read_bytes() for p in kept} == kept and not (tmp_path / "new.mp4").exists()
    run_cli("chapters", str(talk), "--db", db, "-o", str(notes), "--force", "--format", "json")
    assert json.loads(notes.read_text()) == json.loads(run_cli("chapters", str(talk), "--db", db, "--format",
                                                               "json").stdout)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup", "db", "notes.txt", "talk.mp4", "talk.vtt"]
    # a clip went over any file named, an indexed one too
    clip = run_cli("clip", str(talk), "0", "2", "-o", str(copy), "--db", db, "--force", check=False)
    assert clip.returncode == 2 and clip.stderr.strip() == (f"momentsearch: error: {copy} is an indexed file "
                                                            f"({copy}): name another file for the clip")
    first = tmp_path / "first.mp4"
    run_cli("clip", str(talk), "0", "2", "-o", str(first), "--db", db)
    again = run_cli("clip", str(talk), "1", "3", "-o", str(first), "--db", db, check=False)
    assert again.returncode == 2 and "exists: add --force" in again.stderr
    run_cli("clip", str(talk), "1", "3", "-o", str(first), "--db", db, "--force")
    assert copy.read_bytes() == kept[copy]


def test_a_displayed_formula_taller_than_the_title_does_not_name_the_chapter():
    """A maths slide's displayed equation is its tallest line and named five of a Fourier lecture's
    chapters ('J"x²dx = 2²'): a line that reads like a formula is passed over for the title while the slide
    has other lines; a title stating a relation in words, or a slide of formulas alone, keeps its own."""
    from momentsearch.ranking.slide_lexical import formula, title_line

    def meta(*lines):
        return {"lines": json.dumps([[t, w, ""] for t, w in lines])}

    assert title_line(meta(('J"x²dx = 2²', 0.78), ("Parseval's identity", 0.62), ("square-integrable", 0.5))) \
        == "Parseval's identity"
    assert title_line(meta(("Revenue = price x quantity", 0.8), ("Units sold", 0.5))) == "Revenue = price x quantity"
    assert title_line(meta(("E = mc²", 0.8), ("a = F / m", 0.5))) == "E = mc²"
    assert formula("lim Sn(x) = f(x+) + f(x-)") and formula("cos mx cos nxdx = n6")
    assert not formula("Q3 2025: revenue up 4%") and not formula("C++ templates") and not formula("1989")
    # a presenter view's timer (read with its pause and reset icons), a dashboard's number: no titles either
    assert title_line(meta(("0:12:46 II C", 0.66), ("Pages and Frames", 0.64), ("a 4 KiB page", 0.5))) \
        == "Pages and Frames"
    assert title_line(meta(("214", 0.9), ("measles cases this week", 0.5))) == "measles cases this week"
    assert title_line(meta(("1989", 0.9),)) == "1989"


@pytest.mark.parametrize("title", ["Mathematik: α, β und ∑", "Kapitel 2 - Wärmeübertragung",
                                   "Beweis: Σ aₙ ≤ M"])
def test_a_title_in_another_language_with_a_symbol_in_it_names_its_chapter(title):
    """A German maths slide's title ("Mathematik: α, β und ∑") read as a formula, having no English word: its
    chapter was named after a bullet ("Summe uber alle Indizes")."""
    from momentsearch.ranking.slide_lexical import formula, title_line

    lines = [[title, 0.9, ""], ["Summe uber alle Indizes", 0.5, ""]]
    assert not formula(title) and title_line({"lines": json.dumps(lines)}) == title


def test_speech_chapters_start_where_the_talk_resumes_after_a_long_silence():
    """A coffee break, a muted microphone or music in the middle of a lecture without titled slides: the talk
    that resumes after it opens a chapter, though its words are not different enough for TextTiling to cut
    (two chunks on either side, one sentence each, is too few to find a dip in)."""
    rng = np.random.default_rng(1)
    topic = rng.normal(size=16)
    chunks = [(900.0, 911.0, "Good morning everyone. Today we study graph algorithms."),
              (1111.0, 1119.0, "The priority queue pops the vertex with the smallest distance."),
              (1737.0, 1748.0, "Welcome back from the coffee break. Let us talk about spanning trees."),
              (2008.0, 2018.0, "To summarise, the homework is due next Friday.")]
    vectors = np.array([topic + 0.05 * rng.normal(size=16) for _ in chunks])
    chapters = from_speech(chunks, vectors, 2079.0)
    assert [c.start for c in chapters] == [0.0, 1111.0, 1737.0, 2008.0]
    assert [c.title for c in chapters] == ["Good morning everyone", "The priority queue pops the vertex with the…",
                                           "Welcome back from the coffee break",
                                           "To summarise, the homework is due next Friday"]
    # a short video: one minute of music between two spoken parts
    short = [(0.0, 7.0, "A binary heap stores a complete tree in an array."),
             (68.0, 76.0, "Heap sort builds the heap in linear time.")]
    assert [c.start for c in from_speech(short, vectors[:2], 77.0)] == [0.0, 68.0]
    # pauses shorter than SILENCE between sentences of one topic cut nothing
    close = [(s, s + 9.0, "More words about one topic.") for s in np.arange(0.0, 200.0, 12.0)]
    assert len(from_speech(close, np.array([topic] * len(close)), 200.0)) == 1
