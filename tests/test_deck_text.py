"""Text every slide of a video repeats (a deck's footer, a video call's buttons and clock) is kept on
the first slide that shows it and left out of the others (pipeline/deck_text.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fakes import FakeClip, FakeText
from momentsearch.chapters import make_chapters
from momentsearch.pipeline.deck_text import drop_contents_lines, drop_repeated_lines, line_key, repeated_keys
from momentsearch.pipeline.ocr import SlideText, another_slide
from momentsearch.pipeline.slide_cuts import split_at_text_changes
from momentsearch.ranking.slide_lexical import title_line
from momentsearch.types import VisualSegment

CALL = ["Mute Stop Video Participants (23) Chat", "Dr. Ana Ruiz"]


def _slide(start, title, *more, clock=True):
    lines = [(title, 1.0, ""), *((m, 0.6, "") for m in more)]
    lines += [(c, 0.3, "") for c in CALL]
    if clock:
        lines.append((f"REC 00:{int(start) // 60:02d}:{int(start) % 60:02d}", 0.3, ""))
    return SlideText(start, start + 10.0, lines)


def test_digits_and_spacing_do_not_tell_lines_apart():
    assert line_key("REC 00:01:12") == line_key("REC00:03:40") == line_key("REC 1:00:00") == "rec000"
    assert line_key("3 / 40") == line_key("4 / 40") and line_key("GEOG 210") == line_key("geog210")
    assert line_key("9 / 17") == line_key("10 / 17")  # a counter keeps its key when it gains a digit
    assert line_key("Slide 3") != line_key("Side 3")


def test_a_call_recordings_buttons_name_and_clock_stay_on_the_first_slide_only():
    slides = [_slide(0, "Glaciers and Ice Ages"), _slide(14, "How a glacier flows", "Basal sliding"),
              _slide(27, "Moraines", "Till dumped at the snout"), _slide(41, "Orbital forcing", "Obliquity 41 kyr")]
    out = drop_repeated_lines(slides)
    assert [s.start for s in out] == [0, 14, 27, 41]
    assert "Dr. Ana Ruiz" in out[0].text and "REC 00:00:00" in out[0].text and "Chat" in out[0].text
    for slide in out[1:]:
        assert "Ruiz" not in slide.text and "REC" not in slide.text and "Participants" not in slide.text
    assert out[2].text == "Moraines · Till dumped at the snout"  # the slide's own words are all kept
    assert slides[2].text != out[2].text  # (the slides given are not changed)


def test_the_decks_line_kept_on_the_first_slide_does_not_become_its_title():
    """A university's name in a header band, set larger than the slide titles, on every slide: kept on the
    first slide (a search for it still finds the video) but lighter than that slide's own lines, so the
    first chapter is named after the slide's title, not the university."""
    band = ("Technische Universität Nordheim", 0.9, "")
    slides = [SlideText(10.0 * i, 10.0 * i + 10, [band, (title, 0.7, ""), (f"{title}: ein Beispiel", 0.4, "")])
              for i, title in enumerate(["Rückblick: die Hauptsätze", "Wärmeübertragung", "Carnot-Prozess"])]
    out = drop_repeated_lines(slides)
    assert out[0].title == "Rückblick: die Hauptsätze" and "Universität" in out[0].text
    assert [line[1] for line in out[0].lines] == [0.4, 0.7, 0.4]
    assert "Universität" not in out[1].text + out[2].text


def test_a_webinars_chat_header_over_a_slide_of_even_lines_does_not_become_its_title():
    """A webinar: the chat panel's "Chat" header stands higher than the slide's title, its banner and clock on
    every slide. The slide's own lines read about as heavy as its title (a title band, short bullets), so a
    deck line kept a little lighter than the lightest of them was still among the heaviest, and first in
    reading order: the first chapter was called "Chat"."""
    deck = [("Chat", 0.5816, ""), ("Q3 Planning Webinar Live", 0.665, ""), ("LIVE00:06", 0.5984, "")]
    slides = [SlideText(0.0, 9.5, [deck[0], ("Q3 Priorities", 0.6773, ""), ("Mobile app redesign", 0.665, ""),
                                   ("Hiring plan", 0.6717, ""), *deck[1:]]),
              SlideText(9.5, 34.5, [deck[0], ("Mobile Checkout Redesign", 0.7212, ""),
                                    ("Three steps instead of six", 0.6373, ""), *deck[1:]]),
              SlideText(34.5, 44.0, [deck[0], ("Hiring Plan", 0.7362, ""), ("Two data engineers", 0.6291, ""),
                                     *deck[1:]])]
    out = drop_repeated_lines(slides)
    assert "Chat" in out[0].text and "Q3 Planning Webinar Live" in out[0].text  # still found, at the start
    assert "Chat" not in out[0].title and "Webinar" not in out[0].title and "LIVE" not in out[0].title
    meta = {"lines": json.dumps(out[0].lines), "title": out[0].title}
    assert title_line(meta) == "Q3 Priorities"
    assert [c.title for c in make_chapters([(s.start, s.end, title_line({"lines": json.dumps(s.lines)}))
                                            for s in out], [], np.zeros((0, 4)), 44.0)] == [
        "Q3 Priorities", "Mobile Checkout Redesign", "Hiring Plan"]


def test_a_slide_stored_once_per_topic_keeps_its_footer_each_time_and_counts_once():
    shared = _slide(10, "Seafloor Spreading", "Magnetic stripes", clock=False)
    slides = [_slide(0, "Plates", clock=False), shared, SlideText(20, 30, list(shared.lines)),
              _slide(30, "Boundaries", clock=False)]
    # three distinct slides: a line on all three is the deck's; the repeated "Magnetic stripes" is not
    assert repeated_keys(slides) == {line_key(c) for c in CALL}
    out = drop_repeated_lines(slides)
    assert "Dr. Ana Ruiz" in out[0].text and "Dr. Ana Ruiz" not in out[1].text + out[2].text + out[3].text
    assert out[1].text == out[2].text == "Seafloor Spreading · Magnetic stripes"


def test_a_short_deck_or_a_line_on_few_slides_is_left_alone():
    two = [_slide(0, "Intro"), _slide(10, "Outro")]
    assert drop_repeated_lines(two) == two  # two slides say nothing about what a deck repeats
    bullets = [SlideText(10.0 * i, 10.0 * i + 10, [(f"Title {c}", 1.0, ""), ("Key idea", 0.6, "")])
               for i, c in enumerate("ABCDEFGH")]
    bullets[3].lines.append(("Exam on Friday", 0.6, ""))
    # "Title A" ... differ only by a letter (kept); "Key idea" is on all eight (the deck's); one bullet once
    out = drop_repeated_lines(bullets)
    assert [s.title for s in out] == [s.title for s in bullets]
    assert "Exam on Friday" in out[3].text and sum("Key idea" in s.text for s in out) == 1


def test_a_slide_counter_is_the_decks_line_on_both_sides_of_ten():
    slides = [SlideText(10.0 * k, 10.0 * k + 10, [(f"Topic {c}", 1.0, ""), (f"{k + 1} / 17", 0.3, "")])
              for k, c in enumerate("ABCDEFGHIJKLMNOPQ")]
    out = drop_repeated_lines(slides)
    assert out[0].text == "Topic A · 1 / 17"
    assert [s.text for s in out[1:]] == [f"Topic {c}" for c in "BCDEFGHIJKLMNOPQ"]  # "10 / 17" on too


def test_a_logo_over_a_talk_with_no_slides_is_stored_once():
    """A panel talk: the channel's logo alone over every shot, read once per section, and a name caption
    under it at each guest's first close-up. The logo is stored the first time only, each caption once."""
    logo = ("OO STREET LEVEL", 0.3, "")
    slides = [SlideText(0, 4, [logo]), SlideText(4, 11, [logo, ("Nadia Brooks · Host", 0.4, "")])]
    slides += [SlideText(11.0 + 10 * k, 21.0 + 10 * k, [logo]) for k in range(3)]
    slides += [SlideText(41, 48, [logo, ("Henrik Aalto · Transport planner", 0.4, "")]), SlideText(48, 60, [logo]),
               SlideText(60, 66, [logo, ("Carla Mendes · City councillor", 0.4, "")]), SlideText(66, 90, [logo])]
    out = drop_repeated_lines(slides)
    assert [(s.start, s.text) for s in out] == [(0, "OO STREET LEVEL"), (4, "Nadia Brooks · Host"),
                                                (41, "Henrik Aalto · Transport planner"),
                                                (60, "Carla Mendes · City councillor")]


def test_a_slide_with_nothing_but_the_decks_lines_is_left_out():
    slides = [_slide(0, "Welcome"), _slide(10, "Agenda"), _slide(20, "Methods"),
              SlideText(30, 40, [(c, 0.3, "") for c in CALL])]  # the call's screen with nothing shared
    assert [s.start for s in drop_repeated_lines(slides)] == [0, 10, 20]


class CallOcr:
    """Reads a slide's title by its grey level, with the call's buttons and name under every one."""

    TITLES = {40: "Glaciers and Ice Ages", 100: "How a glacier flows", 160: "Moraines and erratics",
              220: "Orbital forcing"}

    def read(self, images):
        from momentsearch.models.ocr import OcrLine

        out = []
        for image in images:
            grey = min(self.TITLES, key=lambda g: abs(g - float(np.asarray(image).mean())))
            h = int(np.asarray(image).shape[0])
            out.append([OcrLine(text, 0.95, size * h, 20.0 * len(text), top * h, 10.0, h)
                        for text, size, top in [(self.TITLES[grey], 0.1, 0.05), (CALL[0], 0.03, 0.9),
                                                (CALL[1], 0.03, 0.35)]])
        return out


def test_indexing_stores_the_calls_lines_with_the_first_slide_only(tmp_path):
    import av

    from momentsearch.options import Config
    from momentsearch.pipeline.decode import probe
    from momentsearch.pipeline.process import FileProcessor

    path = tmp_path / "call.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=5)
        stream.width, stream.height, stream.pix_fmt = 320, 192, "yuv420p"
        for grey in CallOcr.TITLES:
            for _ in range(20):  # 4 s each
                frame = av.VideoFrame.from_ndarray(np.full((192, 320, 3), grey, np.uint8), format="rgb24")
                out.mux(stream.encode(frame))
        out.mux(stream.encode())
    processed = FileProcessor(Config(), FakeText(), None, FakeClip(), ocr=CallOcr()).process_video(
        path.as_posix(), probe(path), "vid")
    docs = processed.rows["ocr"].documents
    assert len(docs) == 4 and [d.split(" · ")[0] for d in docs] == list(CallOcr.TITLES.values())
    assert "Dr. Ana Ruiz" in docs[0] and not any("Ruiz" in d or "Participants" in d for d in docs[1:]), docs


def test_a_slide_change_in_a_capture_layouts_text_is_proven_without_its_header_clock_and_footer():
    """A lecture-capture recording (slides beside the camera, a header with the course and a ticking
    clock, a name label, the deck's footer): the cut detector missed the change from the outline slide to
    the first topic's slide, OCR read the two apart, but the recording's and the deck's lines made them
    share 20 of their 48 words, too many for "clearly another slide", so no cut was made and the outline
    joined the topic's moment. Lines every slide repeats do not count towards that."""
    chrome = ["HIST 2140 Medieval Trade Routes - Lecture 7", "Dr. Miriam Okafor",
              "University of Northbridge | School of History"]

    def slide(start, end, title, *more):
        clock = f"10:{int(start) // 60:02d}:{int(start) % 60:02d}"
        lines = [(title, 1.0, ""), *((m, 0.6, "") for m in more), (clock, 0.3, "")]
        return SlideText(start, end, lines + [(c, 0.3, "") for c in chrome])

    topics = ["The Silk Roads", "Venice and the Mediterranean", "The Champagne Fairs", "The Hanseatic League"]
    slides = [slide(0, 20, "Merchants and Markets", "Week 7"),
              slide(20, 30, "Outline", *topics),
              slide(30, 60, "Venice and the Mediterranean", "State galleys sailed in convoys",
                    "Spices bought in Alexandria"),
              slide(60, 90, "The Champagne Fairs", "Six fairs a year", "Safe conduct for merchants")]
    frame = np.zeros((8, 8, 3), np.uint8)
    views = [VisualSegment(20, 30, 29, frame), VisualSegment(30, 60, 59, frame)]
    segments = [VisualSegment(0, 20, 19, frame), VisualSegment(20, 60, 59, frame, views=views),
                VisualSegment(60, 90, 89, frame)]
    assert not another_slide(slides[1], slides[2])  # as read, the two share the recording's words
    assert [(s.start, s.end) for s in split_at_text_changes(segments, slides)] == \
        [(0, 20), (20, 30), (30, 60), (60, 90)]
    # one slide read twice (a lecturer in front of part of it the second time) stays one
    venice = [slide(30, 45, "Venice and the Mediterranean", "State galleys sailed in convoys",
                    "Spices bought in Alexandria"),
              slide(45, 60, "Venice and the Mediterranean", "State galleys sailed")]
    halves = [VisualSegment(30, 45, 44, frame), VisualSegment(45, 60, 59, frame)]
    one = [VisualSegment(0, 20, 19, frame), VisualSegment(30, 60, 59, frame, views=halves),
           VisualSegment(60, 90, 89, frame)]
    assert [(s.start, s.end) for s in split_at_text_changes(one, [slides[0], *venice, slides[3]])] == \
        [(0, 20), (30, 60), (60, 90)]


def test_a_contents_slide_keeps_its_title_and_not_the_other_slides_titles():
    """An outline slide, shown before every topic as real decks do, lists every topic's title: "New Routes
    by Sea" found the outline before the topic's own slide. Lines naming two or more other slides' titles
    (a list's numbers and OCR's glued spaces aside) leave the contents slide; one such line is a bullet."""
    topics = ["The Silk Roads", "Venice and the Mediterranean", "The Champagne Fairs", "New Routes by Sea"]

    def slide(start, title, *more):  # a deck small in the frame: the title weighs a little more than the rest
        return SlideText(start, start + 10.0, [(title, 0.59, ""), *((m, 0.54, "") for m in more)])

    outline = slide(10, "Outline", *(f"{k + 1} {t}" for k, t in enumerate(topics)), "Reading: chapter 7")
    slides = [slide(0, "Medieval Trade Routes", "HIST 2140"), outline,
              *(slide(20 + 10 * k, t, f"Point {k}") for k, t in enumerate(topics)),
              slide(60, "Summary", "Venice and the Mediterranean", "Credit, not coins")]
    assert slides[2].title == "The Silk Roads Point 0"  # all its lines pass for the title; the heaviest is it
    out = drop_contents_lines(slides)
    assert [s.start for s in out] == [s.start for s in slides]
    assert out[1].text == "Outline · Reading: chapter 7"
    assert out[2:6] == slides[2:6]  # the topics' own slides keep their titles
    assert out[6] == slides[6]  # a summary naming one topic is not a contents list
    assert "New Routes by Sea" in slides[1].text  # (the slides given are not changed)
    # OCR reads a list's number glued on and a word a little wrong: still the title it names
    read = slide(10, "Agenda", "1The Silk Roads", "2 Venice and the Mediterranian", "3. The Champagne Fairs")
    assert drop_contents_lines([read, *slides[2:5]])[0].text == "Agenda"


def test_two_lines_naming_one_other_title_are_no_contents_list():
    """A maths slide whose heaviest line is a displayed formula: its real title and a bullet both name the
    title slide's "Fourier Series". Two lines naming one title are the slide's own words, not a list."""
    title = SlideText(0, 10, [("Fourier Series", 0.9, ""), ("MATH 2410 · Lecture 9", 0.5, "")])
    series = SlideText(10, 20, [("f(x) ~ a0/2 + Σ an cos nx", 0.78, ""), ("The Fourier series", 0.62, ""),
                                ("The Fourier series of f is", 0.5, ""), ("converges in the mean", 0.5, "")])
    assert drop_contents_lines([title, series]) == [title, series]


def test_a_bullet_rewritten_under_one_title_keeps_its_words():
    """Consecutive slides of one title that differ in one bullet read as one slide (one_slide), but the
    entry must still hold the rewritten bullet's words: "Radix sort reads digits" was stored nowhere, and a
    search for it found the slide before (scripts/probe_deck_styles.py, the "bullets" deck)."""
    from momentsearch.pipeline.ocr import merge_neighbours

    def page(start, bullets, n):
        lines = [("Sorting Algorithms", 1.0, "")] + [(b, 0.7, "") for b in bullets] + [(f"{n} / 4", 0.3, "")]
        ys = [0.1, 0.3, 0.42, 0.54, 0.95]  # where each line stood (share of the height)
        return SlideText(start, start + 6.0, lines, {line_key(t): (0.4, y, 0.05) for (t, _, _), y in zip(lines, ys)})

    first = page(0.0, ["Bubble sort swaps neighbours", "Heapsort uses binary heap",
                       "Quicksort partitions around pivot"], 3)
    second = page(6.0, ["Radix sort reads digits", "Heapsort uses binary heap",
                        "Quicksort partitions around pivot"], 4)
    merged = merge_neighbours([first, second], 0.5)
    words = set().union(*(s.words() for s in merged))
    assert {"radix", "digits", "bubble", "neighbours"} <= words
    assert merged[0].start == 0.0 and merged[-1].end == 12.0
    texts = [t for s in merged for t, _, _ in s.lines]
    assert len(texts) == len(set(texts))  # no line stored twice
    # the rewritten bullet stands with the bullets, not after the page number (a result's text is cut short)
    assert texts.index("Radix sort reads digits") < texts.index("Heapsort uses binary heap") < texts.index("3 / 4")


def test_a_build_keeps_its_fuller_text_once():
    from momentsearch.pipeline.ocr import merge_neighbours

    built = [SlideText(0.0, 4.0, [("Linear Scan", 1.0, ""), ("Live intervals sorted by start", 0.7, "")]),
             SlideText(4.0, 9.0, [("Linear Scan", 1.0, ""), ("Live intervals sorted by start", 0.7, ""),
                                  ("One pass over the intervals", 0.7, "")])]
    merged = merge_neighbours(built, 0.5)
    assert len(merged) == 1 and [t for t, _, _ in merged[0].lines] == [
        "Linear Scan", "Live intervals sorted by start", "One pass over the intervals"]


def test_a_line_read_again_with_its_ends_cut_or_a_letter_misread_is_not_added_as_a_bullet():
    """Slides merged as one kept the other's lines with two new words or more, and a line OCR read twice ("Jaiting
    lists of years" on one slide, "Waiting lists of yea" on the next; "PSY120: Memory" and "PSY 120: Memory and
    Le") went in twice: on the dev split every line so added was such a re-read."""
    from momentsearch.pipeline.ocr import merge_neighbours

    def page(start, lines):
        return SlideText(start, start + 5.0, [("Price Ceilings", 1.0, "")] + [(t, 0.7, "") for t in lines])

    for kept, again in [("Jaiting lists of years", "Waiting lists of yea"),
                        ("PSY120: Memory · and Lea", "PSY 120: Memory and Le"),
                        ("Quantity demander · nded on the horizontal", "Qu- y demanded on the horizontal")]:
        merged = merge_neighbours([page(0.0, ["A legal maximum", kept]), page(5.0, ["A legal maximum", again])], 0.5)
        lines = [t for s in merged for t, _, _ in s.lines]  # the fuller reading of the two, once
        assert lines[:2] == ["Price Ceilings", "A legal maximum"] and lines[2:] in ([kept], [again]), lines
