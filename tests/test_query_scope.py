"""Query syntax ("exact phrase", -word) and scoped search (--in / video= / in_=) end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from momentsearch.errors import QueryError
from momentsearch.search.query import clean_query, normalise_text, parse_query, span_text
from momentsearch.search.scope import match_scope
from momentsearch.types import FileRecord
from tests.conftest import run_cli, search_json


def test_parse_query_splits_phrases_exclusions_and_free_words():
    q = parse_query('gradient "Learning-Rate" -adam -"big data" state-of-the-art')
    assert q.text == "gradient Learning-Rate state-of-the-art"
    assert q.phrases == ("learning rate",)
    assert q.excluded == ("adam", "big data")
    assert parse_query('say \u201chello world\u201d').phrases == ("hello world",)
    assert parse_query('a stray " quote').text == "a stray quote"
    minus = parse_query("+12p -8p tax incidence -40 degrees -.5")  # a dash before a digit is a minus sign
    assert minus.excluded == () and minus.text == "+12p -8p tax incidence -40 degrees -.5"
    with pytest.raises(QueryError, match="only excludes"):
        parse_query("-only -exclusions")
    for marks in ('""', "-", "?!", '" "'):  # no word to look for: said so, not searched for weak matches
        with pytest.raises(QueryError, match="no words to look for"):
            parse_query(marks)
    assert parse_query("C++").text == "C++" and parse_query("日本").text == "日本"


def test_a_command_line_option_is_searched_not_excluded():
    """`python3 --version` on a slide: the query dropped every moment that says "version" (the slide itself),
    and `--version` alone was refused as a query of exclusions only."""
    q = parse_query("python3 --version")
    assert q.excluded == () and q.text == "python3 --version"
    assert q.accepts(normalise_text("$ python3 --version"))
    assert parse_query("--version").text == "--version"
    assert parse_query("pip install -r requirements.txt").excluded == ("r",)  # one dash: still an exclusion


def test_a_dash_before_a_phrase_never_closed_still_leaves_the_word_out():
    """`recursion -"base case` (the closing quote forgotten): the stray quote hid the dash, so "base case" was
    searched for, the opposite of what was asked, while `-\u201cbase` (a typographic quote) was left out."""
    q = parse_query('recursion -"base case')
    assert q.excluded == ("base",) and q.text == "recursion case"
    assert not q.accepts(normalise_text("without a base case the recursion never ends"))
    assert parse_query('recursion -"base').excluded == parse_query("recursion -\u201cbase").excluded == ("base",)
    assert parse_query('loop -"40 degrees').excluded == ()  # still a minus sign before a digit, as "-40" is
    assert parse_query('python3 -"--version').excluded == ()  # and a double dash an option
    with pytest.raises(QueryError, match="only excludes"):
        parse_query('-"base')


def test_full_width_and_compatibility_characters_are_searched_as_plain_ones():
    """A CJK keyboard in full-width mode types 'ＥＮＥＲＧＹ': it matched no word of the index (no results at
    all on the sample lecture, where 'ENERGY' finds every section); so did a pasted ligature ('ﬁeld')."""
    assert clean_query("ＥＮＥＲＧＹ ｆｌｏｗ") == "ENERGY flow"
    assert clean_query("ﬁeld E＝mc² ①") == "field E=mc2 1"
    assert parse_query(clean_query('"ｌｅａｒｎｉｎｇ ｒａｔｅ" －adam')).phrases == ("learning rate",)
    assert clean_query("日本語 café") == "日本語 café"  # composed, as typed


def test_a_word_pasted_with_an_invisible_mark_inside_is_searched_whole():
    """"recur\u00adsion" copied from a PDF or a web page (a soft hyphen where the line may break) was searched as
    "recur sion": two fragments, found by neither word channel (score 0.92 against 1.13 typed plainly)."""
    assert clean_query("recur\u00adsion") == "recursion"
    assert clean_query("\ufeffre\u200dcur\u2060sion \u202aHashMap\u202c") == "recursion HashMap"
    assert clean_query("recursion\u200bfactorial") == "recursion factorial"  # a zero-width space still parts words
    assert parse_query(clean_query('-"base\u00adcase" loop')).excluded == ("basecase",)
    with pytest.raises(QueryError, match="empty"):
        clean_query("\u00ad\u200d")


def test_typographic_apostrophes_and_hyphens_are_searched_as_plain_ones():
    """A phone keyboard types "it\u2019s" and a word processor "non\u2011linear": the text model read other word
    pieces than the "it's" and "non-linear" the transcript holds, and scored the same words a little differently."""
    typed = "it\u2019s \u2018non\u2011linear\u2019 f\u2032 \u221240 degrees"
    assert clean_query(typed) == "it's 'non-linear' f' -40 degrees"
    assert parse_query(clean_query("loss \u2212adam")).excluded == ("adam",)
    assert parse_query(clean_query("y = \u2212x")).excluded == ()


def test_phrases_match_whole_words_after_normalising():
    q = parse_query('"learning rate" -adam')
    assert q.accepts(normalise_text("Our LEARNING-rate, set by hand."))
    assert not q.accepts(normalise_text("learning the rate"))
    assert q.accepts(normalise_text("learning rate for adamant students"))  # "adam" is a whole word only
    assert not q.accepts(normalise_text("learning rate with Adam."))


def test_a_quoted_or_excluded_identifier_matches_the_words_ocr_and_speech_split_it_into():
    """Slide OCR stores "ZeroDivisionError" as "Zero Division Error" and Whisper says "hash map" for HashMap:
    the quoted error line of a stack trace found no moment at all, and -HashMap left the slide in."""
    trace = normalise_text("Zero Division Error: division by zero")
    quoted = parse_query('"ZeroDivisionError: division by zero"')
    assert quoted.accepts(trace) and quoted.accepts(normalise_text("ZeroDivisionError: division by zero"))
    assert not parse_query('"ZeroDivisionError: modulo by zero"').accepts(trace)
    assert not parse_query("counts -HashMap").accepts(normalise_text("a Hash Map<String, Integer> of counts"))
    assert parse_query("counts -HashMap").accepts(normalise_text("a hash of the map"))
    assert parse_query('"python3 --version"').accepts(normalise_text("$ python 3 --version"))  # OCR's spacing
    assert parse_query('"sqlite3.html"').accepts(normalise_text("library/sqlite 3.html"))
    assert not parse_query("version -python3").accepts(normalise_text("$ python 3 --version"))
    assert parse_query('"SHA-256"').accepts(normalise_text("SHA256 digests"))
    assert not parse_query('"python3"').accepts(normalise_text("python 2 and 3"))


def test_a_quoted_stack_trace_line_finds_the_slide_ocr_read_it_on(tmp_path):
    from fakes import FakeText, slide_store
    from momentsearch.options import RankingOptions
    from momentsearch.search.searcher import Searcher

    store = slide_store(tmp_path / "db", [[("Sorting cost", 1.0), ("Hash Map<String, Integer> counts", 0.5)],
                                          [("A stack trace", 1.0), ("Zero Division Error: division by zero", 0.5)]])
    searcher = Searcher(store, FakeText(), options=RankingOptions(late_share=0.0))
    assert [m.start for m in searcher.search('"ZeroDivisionError: division by zero"', k=3)] == [20.0]
    assert [m.start for m in searcher.search('"HashMap" counts', k=3)] == [0.0]


def test_span_text_takes_rows_mostly_inside_the_span():
    rows = [(0.0, 10.0, "first part"), (9.0, 20.0, "second part"), (30.0, 40.0, "far away")]
    assert span_text(rows, 8.0, 20.0) == " second part "
    assert span_text(rows, 0.0, 40.0) == " first part second part far away "


def test_match_scope_paths_folders_globs_ids(tmp_path):
    recs = {"a1": FileRecord(str(tmp_path / "w1" / "talk.mp4"), "a1", 1, 0.0),
            "b2": FileRecord(str(tmp_path / "w2" / "other.mkv"), "b2", 1, 0.0)}
    assert match_scope(recs, [str(tmp_path / "w1" / "talk.mp4")]) == {"a1"}
    assert match_scope(recs, [str(tmp_path / "w2")]) == {"b2"}
    assert match_scope(recs, ["*.mkv"]) == {"b2"}
    assert match_scope(recs, [str(tmp_path / "w*" / "*")]) == {"a1", "b2"}
    assert match_scope(recs, ["a1", "b2"]) == {"a1", "b2"}
    with pytest.raises(QueryError, match="matches no indexed file"):
        match_scope(recs, [str(tmp_path / "w1" / "tal")])  # a prefix of a name is not a folder


def test_a_name_with_a_leading_or_trailing_space_is_named_as_typed(tmp_path, monkeypatch):
    """A file named " intro.mp4" (a space first, as a copy-paste or a script leaves it) could not be named: the
    space was cut off the pattern, so `transcript`, `--in` and `remove` said it was no indexed file. Spaces
    around a path typed for a file without them are still forgiven."""
    from momentsearch.search.scope import one_video

    monkeypatch.chdir(tmp_path)
    recs = {"a1": FileRecord(str(tmp_path / " intro.mp4"), "a1", 1, 0.0),
            "b2": FileRecord(str(tmp_path / "outro.mp4 "), "b2", 1, 0.0),
            "c3": FileRecord(str(tmp_path / "plain.mp4"), "c3", 1, 0.0)}
    assert match_scope(recs, [" intro.mp4"]) == {"a1"}
    assert match_scope(recs, [str(tmp_path / "outro.mp4 ")]) == {"b2"}
    assert one_video(recs, " intro.mp4").video_id == "a1"
    assert match_scope(recs, [" plain.mp4 ", " c3"]) == {"c3"}  # pasted with spaces around it
    with pytest.raises(QueryError, match="matches no indexed file"):
        match_scope(recs, ["intro.mp4"])  # not the same name


def test_a_name_with_a_newline_or_tab_is_named_as_the_text_output_shows_it(tmp_path):
    """`info` and `removed:` show a newline, tab or escape in a file name as \\n, \\t, \\x1b (cli.output.safe_text);
    that text typed back (`remove '/talks/new\\nline.mp4'`) named no indexed file, so such a file could be named
    by its video id alone. A file really named with a backslash is still the one meant when it is there."""
    from momentsearch.cli.output import safe_text

    names = ["new\nline.mp4", "tab\there.mp4", "esc\x1b[2Jape.mp4", "\u202egnp.mp4", "back\\nslash.mp4"]
    recs = {f"v{i}": FileRecord(str(tmp_path / name), f"v{i}", 1, 0.0) for i, name in enumerate(names)}
    for vid, rec in recs.items():
        assert match_scope(recs, [safe_text(rec.path)]) == {vid}, safe_text(rec.path)
    assert match_scope(recs, [str(tmp_path / "back\\nslash.mp4")]) == {"v4"}  # as typed first


def test_a_glob_that_starts_with_a_wildcard_names_a_folder_anywhere(tmp_path, monkeypatch):
    """`--in "*/course2/*"` (or `remove "*/drafts/*"`) over a department's nested folders matched no indexed
    file: the glob was taken relative to the working folder, and its file name part alone is no name. A glob
    that starts with a wildcard is matched against the full path, as the README says; `w*/...` stays relative."""
    dept = tmp_path / "dept"
    recs = {"a1": FileRecord(str(dept / "physics" / "y2020" / "course2" / "w1" / "talk.mp4"), "a1", 1, 0.0),
            "b2": FileRecord(str(dept / "history" / "y2021" / "course3" / "w1" / "talk.mp4"), "b2", 1, 0.0)}
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")  # a user's own folder, beside the department's, not above it
    assert match_scope(recs, ["*/course2/*"]) == {"a1"}
    assert match_scope(recs, ["*/y202?/course*/w1/*.mp4"]) == {"a1", "b2"}
    assert match_scope(recs, ["../dept/physics/*"]) == {"a1"}  # relative to the working folder, as before
    with pytest.raises(QueryError, match="matches no indexed file"):
        match_scope(recs, ["physics/*"])  # no folder `physics` here: not a name to look for anywhere


def test_a_file_whose_name_has_brackets_is_named_by_its_path(tmp_path, monkeypatch):
    """yt-dlp names a downloaded webinar "Title [id].mp4", meeting tools "Sync [2026-12-07].mp4": its path, typed
    or pasted from `info`, was read as a glob whose [...] is one of those letters, and `--in`, `chapters` and
    `transcript` said it was no indexed file. The path as typed is tried first; a glob still works as one."""
    from momentsearch.search.scope import one_video

    webinar = tmp_path / "calls" / "Q3 Planning Webinar [xV3k9] (1).mp4"
    recs = {"a1": FileRecord(str(webinar), "a1", 1, 0.0),
            "b2": FileRecord(str(tmp_path / "calls" / "Q3 Planning Webinar x (1).mp4"), "b2", 1, 0.0),
            "c3": FileRecord(str(tmp_path / "team [sync]" / "monday.mp4"), "c3", 1, 0.0)}
    (tmp_path / "calls").mkdir()
    monkeypatch.chdir(tmp_path / "calls")
    assert match_scope(recs, [str(webinar)]) == {"a1"}
    assert match_scope(recs, [webinar.name]) == {"a1"}  # relative to the working folder
    assert one_video(recs, webinar.name).video_id == "a1"
    assert match_scope(recs, [str(tmp_path / "team [sync]")]) == {"c3"}  # a folder with brackets in its name
    assert match_scope(recs, ["*(1).mp4"]) == {"a1", "b2"}
    assert match_scope(recs, ["Q3 Planning Webinar [xyz] (1).mp4"]) == {"b2"}  # no such file: a glob, [xyz] a letter


def test_a_path_as_json_writes_it_names_the_file_whose_name_is_no_utf8(tmp_path):
    """`info --json` writes a name's bytes that are no UTF-8 as \\xNN; pasted back into --in, remove, chapters,
    transcript, clip or index it named nothing (only the video id worked). A file really named with a backslash
    is the one meant when it is there (the path as typed is tried first)."""
    import os

    from momentsearch.pipeline.discover import given_paths
    from momentsearch.search.scope import one_video
    from momentsearch.types import shown_path

    odd = os.fsdecode(os.fsencode(str(tmp_path)) + b"/caf\xe9.mp4")
    shown = shown_path(odd)
    assert shown == str(tmp_path / "caf\\xe9.mp4")  # what --json prints
    recs = {"a1": FileRecord(odd, "a1", 1, 0.0), "b2": FileRecord(str(tmp_path / "other.mp4"), "b2", 1, 0.0)}
    assert match_scope(recs, [shown]) == {"a1"} and one_video(recs, shown).path == odd
    assert match_scope(recs, [str(tmp_path / "*\\xe9.mp4")]) == {"a1"}  # a glob too
    Path(odd).write_bytes(b"x")
    assert given_paths([shown]) == [odd]  # index: the file on disk
    literal = tmp_path / "caf\\xe9.mp4"  # a name with a real backslash in it: kept as typed
    literal.write_bytes(b"y")
    assert given_paths([shown]) == [str(literal)]
    recs["c3"] = FileRecord(str(literal), "c3", 1, 0.0)
    assert match_scope(recs, [shown]) == {"c3"}
    assert one_video(recs, "a1").path == odd  # the id still names the other one


def test_a_name_written_decomposed_is_named_by_the_same_name_typed_composed(tmp_path):
    """A file copied from a Mac keeps its name decomposed ("o" + U+0308 for "ö"): `info` shows "Übung_Gödel.mp4",
    but --in, `remove`, `transcript` and `chapters` with that name typed (composed) matched no indexed file."""
    import unicodedata

    from momentsearch.search.scope import one_video

    mac = str(tmp_path / unicodedata.normalize("NFD", "Vorlesungen/Übung_Gödel.mp4"))
    recs = {"a1": FileRecord(mac, "a1", 1, 0.0), "b2": FileRecord(str(tmp_path / "Müller.mp4"), "b2", 1, 0.0)}
    typed = str(tmp_path / "Vorlesungen" / "Übung_Gödel.mp4")
    assert typed != mac
    assert match_scope(recs, [typed]) == {"a1"}
    assert match_scope(recs, [str(tmp_path / "Vorlesungen")]) == {"a1"}
    assert match_scope(recs, ["*Gödel*"]) == {"a1"}
    assert match_scope(recs, [str(tmp_path / "Vorlesungen" / "Übung_*")]) == {"a1"}
    assert match_scope(recs, [unicodedata.normalize("NFD", str(tmp_path / "Müller.mp4"))]) == {"b2"}
    assert one_video(recs, typed).path == mac  # the file's own name, to open it by


def test_match_scope_through_links_and_copies(tmp_path):
    """Records hold resolved paths: a linked folder or file names what it links to; a copy of an indexed
    recording (same content, one record in the corpus) is named by its own path too."""
    (tmp_path / "w1").mkdir()
    (tmp_path / "w1" / "talk.mp4").write_bytes(b"x")
    (tmp_path / "linked").symlink_to(tmp_path / "w1")
    recs = {"a1": FileRecord(str(tmp_path / "w1" / "talk.mp4"), "a1", 1, 0.0)}
    assert match_scope(recs, [str(tmp_path / "linked")]) == {"a1"}
    assert match_scope(recs, [str(tmp_path / "linked" / "talk.mp4")]) == {"a1"}
    assert match_scope(recs, [str(tmp_path / "linked" / "*.mp4")]) == {"a1"}
    copy = str(tmp_path / "backup" / "talk copy.mp4")
    with pytest.raises(QueryError, match="matches no indexed file"):
        match_scope(recs, [copy])
    assert match_scope(recs, [copy], {"a1": [str(tmp_path / "w1" / "talk.mp4"), copy]}) == {"a1"}


def test_a_search_scoped_to_one_copy_names_that_copy(tmp_path):
    """Two copies of a recording share its entries and video id, and the corpus holds one record for
    them: a search --in one copy named the other whenever the corpus held the other's record."""
    import shutil

    from PIL import Image, ImageDraw, ImageFont

    from momentsearch.api import MomentIndex
    from momentsearch.options import load_config

    board = tmp_path.resolve() / "week1" / "whiteboard.png"
    board.parent.mkdir()
    image = Image.new("RGB", (640, 360), (238, 238, 230))
    draw = ImageDraw.Draw(image)
    draw.text((40, 60), "Photosynthesis", fill=(20, 40, 160), font=ImageFont.load_default(size=40))
    draw.text((40, 160), "light makes sugar", fill=(20, 40, 160), font=ImageFont.load_default(size=32))
    image.save(board)
    copy = tmp_path.resolve() / "backup" / "whiteboard copy.png"
    copy.parent.mkdir()
    shutil.copy(board, copy)
    index = MomentIndex(tmp_path / "db", load_config(overrides={"models": {"clip_pretrained": "random",
                                                                           "clip_model": _tiny_clip()}}))
    assert len({f.video_id for f in index.index([board, copy]).files}) == 1  # one content: shared entries
    for named in (board, copy, copy.parent):
        want = [str(board if named == board else copy)]
        assert [m.video for m in index.search("photosynthesis", in_=str(named))] == want, named
        assert [m.video for m in index.search_image(str(board), in_=str(named))] == want, named
    either = [m.video for m in index.search("photosynthesis", in_=[str(board), str(copy)])]
    assert either in ([str(board)], [str(copy)])


def _videos(result):
    return {r["video"] for r in result["results"]}


def _index(db):
    """The Python API on the fixture's index (one process: the CLI's own JSON is checked below)."""
    from momentsearch.api import MomentIndex
    from momentsearch.options import load_config

    return MomentIndex(db, load_config(overrides={"models": {"clip_pretrained": "random", "clip_model": _tiny_clip()}}))


def test_phrase_must_occur_and_ranks_its_section(two_lectures):
    db, videos = two_lectures
    path, windows = videos["lecture"]
    lo, hi = windows["Project Roadmap"]
    index = _index(db)
    plain = index.search("library roof")
    assert any(r.video != str(path) for r in plain), "the words alone also rank the other lecture (by vectors)"
    res = index.search('"library roof"')
    assert res, "the phrase is spoken in the roadmap section"
    # every result holds the phrase: only the roadmap section of the first lecture says it
    for r in res:
        assert r.video == str(path) and r.start < hi and r.end > lo
    assert index.search('"purple elephant" solar') == []


def test_excluded_word_removes_the_moments_that_say_it(two_lectures):
    db, videos = two_lectures
    _, windows = videos["lecture"]
    index = _index(db)
    plain = index.search("solar panels", k=10)
    lo, hi = windows["Project Roadmap"]
    inside = lambda r: min(r.end, hi) - max(r.start, lo) > 0.5 * (r.end - r.start)  # noqa: E731
    assert any(inside(r) for r in plain), "without the exclusion the roadmap (panels roll out) is a result"
    excluded = index.search("solar panels -roadmap", k=10)
    assert excluded and not any(inside(r) for r in excluded)


def test_a_request_with_a_typo_finds_what_the_words_alone_find(two_lectures):
    """"where do they talk about the transactoin log?" ranked "where", "talk", "transactoin" before: the
    request's words matched speech and the typo matched nothing. Searched as "the transaction log" now,
    and the CLI says so; a quoted word is searched as typed."""
    db, videos = two_lectures
    index = _index(db)
    meant = [(m.video, m.start) for m in index.search("the transaction log", k=3)]
    assert meant and [(m.video, m.start) for m in index.search("where do they talk about the transactoin log?",
                                                                 k=3)] == meant
    assert index.spelled("where do they talk about the transactoin log?").changes == (("transactoin", "transaction"),)
    assert index.spelled('"transactoin" log').changes == ()
    got = search_json(db, "transactoin log")
    assert got["searched_for"] == "transaction log" and got["corrected"] == [["transactoin", "transaction"]]
    assert "searched_for" not in search_json(db, "transaction log")
    text = run_cli("search", "transactoin log", "--db", str(db), "-k", "1").stdout
    assert "Searched for 'transaction log': 'transactoin' is in no indexed speech or slide text" in text


def test_scope_limits_results_to_the_named_files(two_lectures):
    db, videos = two_lectures
    lecture_path, databases_path = videos["lecture"][0], videos["databases"][0]
    index = _index(db)
    assert index.search("solar energy")[0].video == str(lecture_path)
    scoped = index.search("solar energy", in_=str(databases_path))
    assert scoped and {m.video for m in scoped} == {str(databases_path)}
    # the CLI's --in, as a user types it: a glob and a path, both kept
    by_glob = search_json(db, "transactions", "--in", "*databases*", "--in", str(lecture_path))
    assert _videos(by_glob) <= {str(databases_path), str(lecture_path)}
    assert by_glob["results"][0]["video"] == str(databases_path)
    bad = run_cli("search", "x", "--db", str(db), "--in", "nothing-like-this.mp4", check=False)
    assert bad.returncode == 2 and "matches no indexed file" in bad.stderr


def test_api_video_and_in_scope(two_lectures):
    db, videos = two_lectures
    index = _index(db)
    databases = str(videos["databases"][0])
    got = index.search("a transaction is all or nothing", k=5, video=databases)
    assert got and {m.video for m in got} == {databases}
    lo, hi = videos["databases"][1]["Transactions"]
    assert lo - 1 <= (got[0].start + got[0].end) / 2 <= hi + 1
    assert {m.video for m in index.search("solar", k=5, in_=[databases])} == {databases}
    from momentsearch.errors import QueryError

    for bad in ([], 5, [None]):  # an empty scope would find nothing, silently
        with pytest.raises(QueryError, match="in_ is a path"):
            index.search("solar", k=5, in_=bad)
    with pytest.raises(QueryError, match="an image query is a path"):
        index.image_query(None)


def _tiny_clip() -> str:
    from momentsearch.models.clip import TINY_CLIP_CONFIG

    return str(TINY_CLIP_CONFIG)


def test_a_query_of_place_words_alone_finds_that_part_of_each_lecture(two_lectures):
    """"introduction" says nothing but where: every video in scope offers its opening (found by place
    alone, channel `place`), even where no word of the query is said or shown."""
    from momentsearch.api import MomentIndex
    from momentsearch.options import load_config

    db, videos = two_lectures
    index = MomentIndex(db, load_config(overrides={"models": {"clip_pretrained": "random",
                                                              "clip_model": _tiny_clip()}}))
    databases, windows = videos["databases"]
    got = index.search("introduction", k=3, in_=[str(databases)])
    assert got and got[0].start == 0.0 and got[0].channels.get("place") == 1.0, got[:1]
    assert got[0].end <= windows["Databases 101"][1] + 1.0 and got[0].text  # the opening, and how it begins
    both = index.search("the introduction", k=5)
    assert {m.video for m in both if m.start == 0.0} == {str(databases), str(videos["lecture"][0])}


def test_a_bare_file_name_that_is_indexed_elsewhere_says_how_to_name_it(tmp_path, monkeypatch):
    """README's `search "introduction" --in talk.mp4` run from another folder than the talk's said "matches no
    indexed file" while `info` listed talks/talk.mp4: the message now names that file and the glob for the
    name anywhere, and that glob finds it."""
    recs = {"a1": FileRecord(str(tmp_path / "talks" / "talk.mp4"), "a1", 1, 0.0),
            "b2": FileRecord(str(tmp_path / "talks" / "other.mkv"), "b2", 1, 0.0)}
    monkeypatch.chdir(tmp_path)
    with pytest.raises(QueryError, match="matches no indexed file") as caught:
        match_scope(recs, ["talk.mp4"])
    assert str(tmp_path / "talks" / "talk.mp4") in str(caught.value) and "'*/talk.mp4'" in str(caught.value)
    assert match_scope(recs, ["*/talk.mp4"]) == {"a1"}
    with pytest.raises(QueryError, match="`momentsearch info` lists them"):
        match_scope(recs, ["lecture.mp4"])  # a name no indexed file has: as before


def test_chapters_and_remove_of_a_bare_name_indexed_elsewhere_say_how_to_name_it(tmp_path, monkeypatch):
    """`chapters talk.mp4` and `remove talk.mp4` run from another folder said "not an indexed file ... index it
    first" (indexing it again would do nothing) and "`momentsearch info` lists them", as `--in` did."""
    from momentsearch.api import MomentIndex
    from momentsearch.search.scope import NOT_INDEXED, one_video

    recs = {"a1": FileRecord(str(tmp_path / "talks" / "talk.mp4"), "a1", 1, 0.0)}
    (tmp_path / "talks").mkdir()
    monkeypatch.chdir(tmp_path)
    with pytest.raises(QueryError, match="is not an indexed file or video id") as caught:
        one_video(recs, "talk.mp4")
    assert "'*/talk.mp4'" in str(caught.value) and NOT_INDEXED not in str(caught.value)
    assert one_video(recs, "*/talk.mp4").video_id == "a1"
    with pytest.raises(QueryError, match=f"not an indexed file or video id; {NOT_INDEXED}"):
        one_video(recs, "lecture.mp4")  # a name no indexed file has: as before

    from PIL import Image

    from momentsearch.options import load_config

    Image.new("RGB", (32, 24), (90, 40, 200)).save(tmp_path / "talks" / "board.png")
    index = MomentIndex(tmp_path / "db", load_config(None, {"models": {"ocr": False}}))  # a photo: no model loads
    index.index([tmp_path / "talks" / "board.png"])
    with pytest.raises(QueryError, match="names no indexed file \\(nothing was removed\\).*'\\*/board.png'"):
        index.remove(["board.png"])
    assert [Path(r.path).name for r in index.store.files()] == ["board.png"]


def test_a_pasted_paragraph_longer_than_the_limit_says_its_tail_was_not_searched(tmp_path):
    """A student pasted 2,000 words with the question at the end: everything past 2,000 characters was dropped
    without a word, and "no results; try other words" sent them re-wording the part that had been searched."""
    from fakes import FakeText, slide_store
    from momentsearch.options import MAX_QUERY_CHARS, RankingOptions
    from momentsearch.search.searcher import Searcher

    paragraph = "office hours and homework deadlines " * 100 + "the Apollo landing in 1969"
    kept = clean_query(paragraph)
    assert len(kept) <= MAX_QUERY_CHARS and paragraph.startswith(kept + " ")  # cut between words, not in one
    store = slide_store(tmp_path / "db", [[("Apollo 11", 1.0), ("July 1969", 0.5)]])
    searcher = Searcher(store, FakeText(), options=RankingOptions(late_share=0.0))
    spelled = searcher.spelled(paragraph)
    assert f"Only the first {MAX_QUERY_CHARS:,} characters" in spelled.note()
    left_out = len(paragraph.split()) - len(kept.split())
    assert spelled.to_json() == {"left_out_words": left_out} and left_out > 4
    assert searcher.spelled("Apollo 1969").note() == "" and searcher.spelled("Apollo 1969").to_json() == {}
    from momentsearch.search.query import left_out_words

    assert left_out_words(paragraph) == left_out
    assert left_out_words("the Apollo landing " + " \t" * MAX_QUERY_CHARS) == 0  # whitespace collapses first


def test_search_json_and_each_queries_line_say_why_nothing_was_found_as_the_http_api_does(monkeypatch, capsys,
                                                                                           tmp_path):
    """`search --json` and `--queries` answered `"results": []` alone where the text output and the HTTP API's
    `empty_note` say why ("every word ... too common", the filters): a script could not tell a query of common
    words, or one its -words emptied, from one that matched nothing."""
    import importlib
    import json

    cli_main = importlib.import_module("momentsearch.cli.main")

    from fakes import FakeIndex

    monkeypatch.setattr(cli_main, "_index_for", lambda args: FakeIndex())  # finds nothing
    assert cli_main.main(["search", "what is it", "--json"]) == 0
    assert "too common" in json.loads(capsys.readouterr().out)["empty_note"]
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"qid": 1, "query": "the of and"}\n{"qid": 2, "query": "volcano"}\n', encoding="utf-8")
    assert cli_main.main(["search", "--queries", str(queries)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert "too common" in lines[0]["empty_note"] and "relevance floor" in lines[1]["empty_note"]
