"""What the CLI prints: results that fit 80 columns with weak ones marked, shortened paths, plurals,
a progress bar that never runs past its total and ends without a stale stage name."""

from __future__ import annotations

import io
import os
import shlex
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from rich.console import Console

from fakes import FakeIndex
from momentsearch.cli import info_output, output
from momentsearch.cli.main import main
from momentsearch.types import Moment, ProgressEvent


def _moment(score: float, text: str, video: str = "/srv/lectures/2024/spring/physics/very-long-lecture-name-week-07.mp4",
            slide: str = ""):
    return Moment(video=video, video_id="ab" * 8, start=27.3, end=42.5, score=score,
                  channels={"transcript": 0.52, "lexical": 1.0, "ocr": 0.99} if score > 0.3 else {"lexical": 0.02},
                  text=text, evidence={"ocr": slide} if slide else {}, segment_id="", kind="moment")


def test_results_fit_80_columns_and_weak_ones_are_marked(monkeypatch):
    buffer = io.StringIO()
    monkeypatch.setattr(output, "out", Console(file=buffer, width=80, soft_wrap=True))
    long_text = "Let's look at the roadmap for next year. " * 12
    slide = "Project Roadmap · Q1: pilot · Q2: rollout to every campus building, then review " * 3
    output.print_moments("roadmap", [_moment(1.319, long_text, slide=slide), _moment(0.12, "")], {"transcript", "ocr"})
    lines = buffer.getvalue().splitlines()
    assert max(len(line) for line in lines if not line.startswith("    file://")) <= 80, lines
    link = "    file:///srv/lectures/2024/spring/physics/very-long-lecture-name-week-07.mp4#t=27.3"
    assert [line for line in lines if "file://" in line] == [link, link]  # each result's, whole
    first = [line for line in lines if line.startswith(" 1.")][0]
    second = [line for line in lines if line.startswith(" 2.")][0]
    assert "1.32" in first and "weak" not in first and "very-long-lecture-name-week-07.mp4" in first
    assert "0.12 weak" in second
    assert any("why: lexical 1.00 ocr 0.99 transcript 0.52" in line for line in lines)
    assert sum(1 for line in lines if "roadmap for next year" in line) <= 2  # the text is cut, not 8 lines
    slides = [line for line in lines if line.startswith("    slide: ")]  # the slide text that matched, one line
    assert len(slides) == 1 and slides[0].startswith("    slide: Project Roadmap · Q1: pilot") and len(slides[0]) <= 80
    assert "words at" not in buffer.getvalue()  # no hit known: nothing said about it


@pytest.mark.parametrize("columns", [50, 64])
def test_results_fit_a_terminal_narrower_than_80_columns(monkeypatch, columns):
    buffer = io.StringIO()  # COLUMNS=50: a result's lines wrapped by the terminal in mid-word at 80
    monkeypatch.setattr(output, "out", Console(file=buffer, width=columns, soft_wrap=True))
    long_text = "Let's look at the roadmap for next year and what each campus building needs. " * 6
    slide = "Project Roadmap · Q1: pilot · Q2: rollout to every campus building, then review " * 3
    output.print_moments("roadmap for the campus buildings", [_moment(1.319, long_text, slide=slide)],
                         {"transcript", "ocr", "visual"})
    lines = buffer.getvalue().splitlines()
    assert max(len(line) for line in lines if not line.startswith("    file://")) <= columns, lines
    assert any("very-long-lecture-name-week-07.mp4" in line for line in lines)  # the file name is kept whole
    assert sum(line.startswith("    ") for line in lines) >= 3  # the text and the slide are still shown


def test_each_result_has_its_own_link_under_it(monkeypatch):
    """Only the first result's link was printed ("open the first:"): a user piping the results, or opening the
    second from the terminal, had no link to it. Each result now ends with its own, whole on one line."""
    buffer = io.StringIO()
    monkeypatch.setattr(output, "out", Console(file=buffer, width=80, soft_wrap=True))
    monkeypatch.setattr(output, "still_there", lambda path: True)  # (no "(missing)" note after the results)
    talk = _moment(0.9, "the roadmap", video="/srv/lectures/week 1/talk.mp4")
    later = Moment(video="/srv/lectures/2024/spring/physics/very-long-lecture-name-week-07.mp4", video_id="cd" * 8,
                   start=3725.04, end=3760.0, score=0.5, channels={"transcript": 0.5}, text="the roadmap again")
    photo = Moment(video="/srv/boards/whiteboard.jpg", video_id="ef" * 8, start=0.0, end=0.0, score=0.4,
                   channels={"ocr": 0.4}, kind="photo", text="roadmap")
    output.print_moments("roadmap", [talk, later, photo], {"transcript", "ocr"})
    lines = buffer.getvalue().splitlines()
    heads = [i for i, line in enumerate(lines) if line.startswith((" 1.", " 2.", " 3."))]
    blocks = [lines[a:b] for a, b in zip(heads, heads[1:] + [len(lines)])]
    assert [block[-1] for block in blocks] == [  # each result's block ends with its link, unwrapped
        "    file:///srv/lectures/week%201/talk.mp4#t=27.3",
        "    file:///srv/lectures/2024/spring/physics/very-long-lecture-name-week-07.mp4#t=3725.0",
        "    file:///srv/boards/whiteboard.jpg"]
    assert all(sum("file://" in line for line in block) == 1 for block in blocks)
    assert "open the first" not in buffer.getvalue()
    assert max(len(line) for line in lines if "file://" not in line) <= 80, lines


def test_a_long_result_says_where_its_words_are(monkeypatch):
    buffer = io.StringIO()
    monkeypatch.setattr(output, "out", Console(file=buffer, width=80, soft_wrap=True))
    late, early = _moment(0.9, "the words"), _moment(0.8, "other words")
    late.hit_start, late.hit_end = 38.0, 42.5  # 10.7 s into the result: say so
    early.hit_start, early.hit_end = 29.0, 35.0  # at its start, near enough: nothing to add
    output.print_moments("words", [late, early], {"transcript"})
    heads = [line for line in buffer.getvalue().splitlines() if line.startswith((" 1.", " 2."))]
    assert "0:27-0:42 (words at 0:38)" in heads[0] and "words at" not in heads[1]
    assert late.to_json()["hit"] == [38.0, 42.5] and _moment(0.5, "").to_json()["hit"] is None


def test_no_results_says_so(monkeypatch):
    buffer = io.StringIO()
    monkeypatch.setattr(output, "out", Console(file=buffer, width=80))
    output.print_moments("zzz", [], {"transcript"})
    assert "No results" in buffer.getvalue()
    output.print_moments("zzz", [], set())  # an index with nothing searchable in it says that instead
    assert "holds no searchable file yet" in buffer.getvalue().split("No results")[-1]
    buffer.truncate(0)
    output.print_moments('"purple elephant" solar -panel', [], {"transcript"})  # the filters removed them
    said = " ".join(buffer.getvalue().split())
    assert 'No moment found that holds "purple elephant" and leaves out "panel"' in said and "No results" not in said


def test_paths_plurals_and_version(capsys):
    assert output.plural(1, "file") == "1 file" and output.plural(2, "file") == "2 files"
    assert output.short_path(os.path.join(os.getcwd(), "a", "b.mp4")) == os.path.join("a", "b.mp4")
    cut = output.short_path("/x" * 40 + "/lecture-07.mp4", 30)
    assert len(cut) <= 30 and cut.endswith("lecture-07.mp4") and "…" in cut
    try:
        main(["--version"])
    except SystemExit as exc:
        assert exc.code == 0
    assert capsys.readouterr().out.startswith("momentsearch ")


def test_a_query_starting_with_a_dash_gets_a_hint_and_after_dashes_is_a_query(capsys, tmp_path):
    with pytest.raises(SystemExit) as exc:
        main(["search", "-adam", "--db", str(tmp_path / "none")])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "unrecognized arguments: -adam" in err and "momentsearch search -- '" in err
    with pytest.raises(SystemExit):
        main(["index", "--kindd", "x"])
    assert "--kindd" in (err := capsys.readouterr().err) and "belongs to the query" not in err
    with pytest.raises(SystemExit):  # the README puts such a query after --: flags after it are no flags
        main(["search", "--", "-adam optimizer", "-k", "5"])
    err = capsys.readouterr().err
    assert "unrecognized arguments: -k 5; after -- every argument is the query, so give flags before it" in err
    assert "give the query as one quoted argument after --" not in err
    code = main(["search", "--db", str(tmp_path / "none"), "--", "-adam"])  # parsed as the query: then the
    assert code != 0 and "no momentsearch index" in capsys.readouterr().err  # index is what is missing


def test_progress_never_passes_its_total_and_ends_clean():
    display = output.ProgressDisplay(enabled=True)
    display.enabled = True
    display.progress.disable = True  # no terminal here: drive the tasks without drawing them
    with display:
        display(ProgressEvent("start", total_files=2, media_seconds=51.4))
        display(ProgressEvent("file", path="/a/first.mp4", index=0, total_files=2))
        display(ProgressEvent("stage", path="/a/first.mp4", stage="asr"))
        media = ProgressEvent("media", path="/a/first.mp4", media_seconds=20.0)
        media.file_seconds = 30.0  # a pipeline that reports within-file progress sets this
        display(media)
        media_task = display.progress.tasks[1]
        assert media_task.completed == 20  # moved within the file
        display(ProgressEvent("done", path="/a/first.mp4", media_seconds=30.0))
        display(ProgressEvent("file", path="/a/second.mp4", index=1, total_files=2))
        display(ProgressEvent("done", path="/a/second.mp4", media_seconds=22.6))  # 52.6 s > the 51 probed
        assert media_task.completed == media_task.total == 51
    assert display.progress.tasks[0].description == "files: done"


def test_demo_help_names_the_folder_demo_indexes_into(capsys, monkeypatch, tmp_path):
    """`demo` indexes into ~/.cache/momentsearch/demo-db (README "Set-up"), not ./momentsearch-db as the
    other commands: its --help must say so."""
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    said = " ".join(capsys.readouterr().out.split())
    assert "(default: ~/.cache/momentsearch/demo-db; demo-db in $MOMENTSEARCH_CACHE" in said
    assert "./momentsearch-db" not in said
    seen = {}

    def opened(args):  # the folder demo would open; stop there (nothing indexed)
        seen["db"] = args.db
        raise KeyboardInterrupt

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("MOMENTSEARCH_CACHE", raising=False)  # the cache folder's variables move it (places.py)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(sys.modules["momentsearch.cli.main"], "_index_for", opened)
    assert main(["demo"]) == 130
    assert seen["db"] == str(tmp_path / ".cache" / "momentsearch" / "demo-db")


@pytest.mark.parametrize("given", [["--db=~/idx"], ["--db", "~/idx"], []])
def test_a_tilde_the_shell_left_alone_is_the_home_folder(capsys, monkeypatch, tmp_path, given):
    """`--db=~/idx` (the shell expands ~ only at a word's start) and MOMENTSEARCH_DB="~/idx" (quoted in a
    profile) named a folder "~" in the working folder: `index` made one there. `--config=~/dept.toml` was "not found"."""
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir(), work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    monkeypatch.setenv("MOMENTSEARCH_DB", "~/idx")
    assert main(["info", *given]) == 2
    assert f"no momentsearch index at {home / 'idx'} " in capsys.readouterr().err
    (home / "dept.toml").write_text("[ranking]\nnms_overlap = 2\n")
    assert main(["info", "--config=~/dept.toml"]) == 2
    assert f"{home / 'dept.toml'}: invalid options" in capsys.readouterr().err
    assert list(work.iterdir()) == []  # no folder named "~" (nor anything else) made here


@pytest.mark.parametrize("argv, dest", [
    (["search", "--queries=~/q.jsonl"], "queries"), (["search", "--image=~/slide.png"], "image"),
    (["search", "x", "--export-clips=~/clips"], "export_clips"), (["search", "x", "--chroma-ca-cert=~/ca.pem"],
                                                                 "chroma_ca_cert"),
    (["eval", "gt.jsonl", "--out=~/pred.jsonl"], "out"), (["eval", "gt.jsonl", "--pred=~/p.jsonl"], "pred"),
    (["eval", "gt.jsonl", "--baseline=~/b.jsonl"], "baseline"), (["clip", "v", "1", "2", "-o~/c.mp4"], "out"),
    (["chapters", "v", "--out=~/ch.txt"], "out"), (["transcript", "v", "--out=~/t.srt"], "out"),
])
def test_every_path_flag_takes_a_tilde_the_shell_left_alone(monkeypatch, tmp_path, argv, dest):
    """`eval gt.jsonl --out=~/pred.jsonl` wrote into a folder named "~" in the working folder (or failed for want
    of it): the shell expands ~ only at a word's start, not after '='."""
    from momentsearch.cli.args import build_parser

    monkeypatch.setenv("HOME", str(tmp_path))
    value = getattr(build_parser().parse_args(argv), dest)
    assert not value.startswith("~") and value.startswith(str(tmp_path)), value


def test_the_command_that_creates_a_missing_index_pastes_as_is(capsys, tmp_path):
    """`search` on a --db with spaces in its name suggests the `index` command: quoted, so pasted into a
    shell it names that folder, not three arguments."""
    db = tmp_path / "my lectures" / "db"
    assert main(["search", "roadmap", "--db", str(db)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    suggested = shlex.split(err.split("create one with: ", 1)[1])
    assert suggested == ["momentsearch", "index", "FILES_OR_FOLDERS", "--db", str(db)] and not db.exists()


class _WordsIndex(FakeIndex):
    """An index whose moments are the words `found` holds: a query finds one when it ranks such a word
    and passes its -word filters (enough for what `search` prints when nothing is left)."""

    def __init__(self, found: str):
        self.found = set(found.split())

    def search(self, query, k=10, kind=None, video=None, in_=None, everywhere=False):
        words = query.split()
        if any(w[1:] in self.found for w in words if w.startswith("-")) or not self.found & set(words):
            return []
        return [_moment(0.9, " ".join(sorted(self.found)))]


@pytest.mark.parametrize("query, blamed", [("-adam optimizer", False), ("-adam roadmap", True),
                                           ('"purple elephant"', False), ("roadmap -roadmap2", False)])
def test_no_results_blames_the_filters_only_when_they_removed_something(capsys, monkeypatch, query, blamed):
    """`-adam optimizer` on lectures that never say "optimizer" found nothing because of its words, not
    because of -adam: the note must not tell the user to drop the minus (which would search for adam)."""
    index = _WordsIndex("roadmap adam" if blamed else "roadmap")
    monkeypatch.setattr(sys.modules["momentsearch.cli.main"], "_index_for", lambda args: index)
    monkeypatch.setattr(output, "out", Console(file=io.StringIO(), width=200))
    assert main(["search", "--", query]) == 0
    said = output.out.file.getvalue()
    if query.startswith("roadmap"):  # it found something: the results, no note at all
        assert "No moment found" not in said and "No results" not in said and " 1. " in said
    else:
        assert ("No moment found that" in said) == blamed and ("No results above" in said) != blamed, said


def test_a_search_for_photos_in_an_index_without_any_says_so(capsys, monkeypatch):
    """`search roadmap --kind photo` on lectures alone said "No results above the relevance floor
    (ranking.min_score); try other words": no words can find a photo the index does not hold."""
    from momentsearch.types import FileRecord

    index = _WordsIndex("roadmap")
    index.search = lambda query, k=10, kind=None, in_=None, everywhere=False: []  # a photo search finds nothing
    index.videos = lambda: [FileRecord(path="/l/a.mp4", video_id="a" * 16, size=1, mtime=0.0, duration=60.0)]
    monkeypatch.setattr(sys.modules["momentsearch.cli.main"], "_index_for", lambda args: index)
    monkeypatch.setattr(output, "out", Console(file=io.StringIO(), width=200))
    assert main(["search", "roadmap", "--kind", "photo"]) == 0
    said = output.out.file.getvalue()
    assert "the index holds no photos" in said and "relevance floor" not in said, said


@pytest.mark.parametrize("query, common", [("the of and a", True), ("What is it?", True),
                                           ("where do they discuss it", True), ("entropy", False),
                                           ("路线图", False), ("the -entropy", True)])
def test_a_query_of_common_words_only_that_finds_nothing_says_why(monkeypatch, query, common):
    """"the of and a" found nothing because no word of it can pick a moment: say that, not "no results
    above the relevance floor (ranking.min_score)", which sends the user to a setting."""
    monkeypatch.setattr(output, "out", Console(file=io.StringIO(), width=300))
    output.print_moments(query, [], {"transcript"}, blame_filters=False)
    said = output.out.file.getvalue()
    assert ("every word of the query is too common" in said) == common and ("relevance floor" in said) != common


def test_a_file_where_search_wants_a_folder_and_the_reverse_say_which(capsys, monkeypatch, tmp_path):
    """`--export-clips talk.mp4` (a file, where a folder of clips goes) said only "talk.mp4: File exists";
    `--queries talks/` (a folder, where a JSONL file goes) said "queries file not found: talks"."""
    monkeypatch.setattr(sys.modules["momentsearch.cli.main"], "_index_for", lambda args: _WordsIndex("roadmap"))
    monkeypatch.setattr(output, "out", Console(file=io.StringIO(), width=200))
    video = tmp_path / "talk.mp4"
    video.write_bytes(b"not touched")
    assert main(["search", "roadmap", "--export-clips", str(video)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"momentsearch: error: --export-clips {video} is a file: name a folder for the clips (it is created)"
    assert video.read_bytes() == b"not touched"
    assert main(["search", "--queries", f"{tmp_path}/"]) == 2
    assert f"--queries {tmp_path}/: a folder; give a JSONL" in capsys.readouterr().err
    assert main(["search", "--queries", str(tmp_path / "none.jsonl")]) == 2
    assert capsys.readouterr().err.strip().endswith("none.jsonl: file not found")


def test_a_pasted_page_of_query_is_not_echoed_whole(monkeypatch):
    """A 10,000-character query is cut to 2,000 and answered; its results' heading is one line, not 10,000 characters."""
    monkeypatch.setattr(output, "out", Console(file=io.StringIO(), width=80, soft_wrap=True))
    output.print_moments("roadmap " * 1250, [_moment(0.9, "the roadmap")], {"transcript"})
    head = output.out.file.getvalue().splitlines()[0]
    assert head.startswith("Results for 'roadmap roadmap") and "…" in head and len(head) <= 80


def _options(parser):
    """(command, option) pairs of every subcommand's flags and arguments, with their help text."""
    import argparse

    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, p in sub.choices.items():
        for action in p._actions:
            if not isinstance(action, argparse._HelpAction):
                yield name, "/".join(action.option_strings) or action.dest, action.help


def test_every_flag_of_every_command_says_what_it_does():
    """`momentsearch info --help` listed `--json` with nothing beside it (so did match and clip), and clip's
    -o named four of the five clip file types it takes."""
    from momentsearch.cli.args import build_parser
    from momentsearch.clips import CLIP_SUFFIXES

    options = list(_options(build_parser()))
    assert len(options) > 100 and not [(c, o) for c, o, text in options if not text]
    out = next(text for c, o, text in options if c == "clip" and o == "-o/--out")
    assert all(suffix in out for suffix in CLIP_SUFFIXES), out


def test_every_option_whose_default_matters_says_it_from_where_it_is_set(monkeypatch):
    """--help left out --clip-pretrained's default (and --pad's, --clip-pad's); the others that named one wrote it
    out again beside the options dataclass or argparse default that sets it. Each must show the real default."""
    import argparse

    from momentsearch.cli.args import build_parser
    from momentsearch.options import ASROptions, CaptionOptions, ModelOptions
    from momentsearch.store.client import DEFAULT_DB, ChromaServer

    set_by_config = {"--device": ModelOptions.device, "--clip-model": ModelOptions.clip_model,
                     "--clip-pretrained": ModelOptions.clip_pretrained, "--text-model": ModelOptions.text_model,
                     "--asr": ASROptions.model, "--language": ASROptions.language, "--captions": CaptionOptions.mode,
                     "--chroma-token-header": ChromaServer.token_header}
    owners = {"--device": ModelOptions, "--clip-model": ModelOptions, "--clip-pretrained": ModelOptions,
              "--text-model": ModelOptions, "--asr": ASROptions, "--language": ASROptions, "--captions": CaptionOptions,
              "--chroma-token-header": ChromaServer}
    for flag, owner in owners.items():  # another default where it is set: the help follows (no copied literal)
        attr = {"--asr": "model", "--captions": "mode", "--chroma-token-header": "token_header"}.get(
            flag, flag[2:].replace("-", "_"))
        set_by_config[flag] = f"changed-{attr}"
        monkeypatch.setattr(owner, attr, set_by_config[flag])
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    checked = 0
    for name, p in sub.choices.items():
        formatter = p._get_formatter()
        for action in p._actions:
            flag = action.option_strings[-1] if action.option_strings else ""
            shown = " ".join(formatter._expand_help(action).split()) if action.help else ""
            if isinstance(action, argparse._StoreAction) and action.default not in (None, [], argparse.SUPPRESS):
                value = f"{action.default:g}" if isinstance(action.default, float) else str(action.default)
                assert f"default {value}" in shown, (name, flag, shown)
                checked += 1
            if flag in set_by_config:
                assert str(set_by_config[flag]) in shown and "default" in shown, (name, flag, shown)
                checked += 1
            if flag == "--db":
                assert DEFAULT_DB in shown or name == "demo", (name, shown)
    assert checked > 40


def test_a_folder_of_lectures_given_as_the_index_says_so(capsys, tmp_path):
    """`info --db lectures/` (the videos, not the index) was told to make that folder an index; it is told
    what --db names and how to index the lectures in it, and nothing is written there."""
    lectures = tmp_path / "my lectures"
    lectures.mkdir()
    (lectures / "talk.mp4").write_bytes(b"\\0" * 16)
    for command in (["info"], ["search", "roadmap"]):
        assert main([*command, "--db", str(lectures)]) == 2
        err = capsys.readouterr().err
        assert "it holds other files (talk.mp4, ...): --db names the folder the index is kept in" in err, err
        assert err.strip().endswith(f"momentsearch index {shlex.quote(str(lectures))}") and "--db " + str(lectures) not in err
    assert sorted(p.name for p in lectures.iterdir()) == ["talk.mp4"]
    empty = tmp_path / "empty"  # an empty folder may well become the index
    empty.mkdir()
    assert main(["info", "--db", str(empty)]) == 2 and "create one with: momentsearch index" in capsys.readouterr().err


def test_info_says_what_the_visual_channel_lacks(monkeypatch):
    """An index without the visual channel: with open_clip installed only the weights were missing, so
    the line asks for them, not for an install that is there already; without it, for both, in a way that
    works where momentsearch was installed from a wheel (no checkout, so no scripts/setup.sh)."""
    import importlib.util

    from momentsearch.api import IndexInfo

    info = IndexInfo(db="/tmp/db", files=[], channels=["ocr", "transcript"], models={}, counts={})
    real_find_spec = importlib.util.find_spec
    lines = {}
    for installed in (True, False):
        buffer = io.StringIO()
        monkeypatch.setattr(output, "out", Console(file=buffer, width=80, soft_wrap=True))
        monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: (
            (real_find_spec("json") if installed else None) if name == "open_clip" else real_find_spec(name, *a)))
        info_output.print_info(info)
        lines[installed] = next(line for line in buffer.getvalue().splitlines() if line.startswith("Visual channel"))
    assert "--clip-pretrained" in lines[True] and "setup.sh" not in lines[True]
    assert "setup.sh --clip" in lines[False] and "--clip-pretrained" in lines[False]
    assert "pip install 'momentsearch[clip]'" in lines[False]


def test_info_while_an_index_run_writes_says_which_files_are_not_searchable_yet(monkeypatch, tmp_path):
    """A batch still running: its unfinished files are "being indexed now", not "incomplete: re-run index"
    (re-running would only wait for the running one)."""
    from momentsearch.api import IndexInfo
    from momentsearch.types import FileRecord

    for name in ("a.mp4", "b.mp4"):
        (tmp_path / name).write_bytes(b"x")
    files = [FileRecord(str(tmp_path / "a.mp4"), "a" * 16, 1, 0.0, duration=60.0, channels=["transcript"],
                        complete=True), FileRecord(str(tmp_path / "b.mp4"), "b" * 16, 1, 0.0, duration=3000.0)]
    shown = {}
    for writing in ("`index` (pid 7 on host since 2026-12-06 01:56:58)", ""):
        buffer = io.StringIO()
        monkeypatch.setattr(output, "out", Console(file=buffer, width=80, soft_wrap=True))
        info_output.print_info(IndexInfo(db="/c/db", files=files, channels=["transcript"], models={}, counts={},
                                    writing=writing))
        shown[bool(writing)] = buffer.getvalue()
    assert "Being written now by `index` (pid 7" in shown[True]
    assert "being indexed now, not searchable yet" in shown[True] and "re-run index" not in shown[True]
    assert "incomplete: re-run index" in shown[False] and "Being written" not in shown[False]


class _ClipsIndex(_WordsIndex):
    """A _WordsIndex that "cuts" a clip by writing `cut` into it, and whose indexed files are `indexed`."""

    def __init__(self, found: str, video: str, cut: bytes, indexed=()):
        super().__init__(found)
        self.video, self.cut, self.indexed = video, cut, list(indexed)

    def search(self, query, k=10, kind=None, video=None, in_=None, everywhere=False):
        return [_moment(0.9, "the roadmap", video=self.video)] if query in self.found else []

    def export_clip(self, video, start, end, out, padding=0.0, force=False):
        from momentsearch.clips import Clip

        Path(out).write_bytes(self.cut)
        return Clip(str(out), video, start, end, start, end)

    def info(self):
        return SimpleNamespace(files=[SimpleNamespace(path=p) for p in self.indexed])


def test_export_clips_never_replaces_an_earlier_clip_without_force(capsys, monkeypatch, tmp_path):
    """A second search's clip `01-talk-27-42.mp4` (the same rank, talk and span, cut with another --clip-pad
    or from another folder's talk.mp4) went over the first one without a word; now the search cuts nothing
    and says so, as `clip -o` and `chapters -o` do; --force replaces it, never an indexed file."""
    monkeypatch.setattr(output, "out", Console(file=io.StringIO(), width=200))
    clips, video = tmp_path / "clips", str(tmp_path / "talk.mp4")
    clip = clips / "01-talk-27-42.mp4"

    def search(cut: bytes, *flags, indexed=()) -> int:
        monkeypatch.setattr(sys.modules["momentsearch.cli.main"], "_index_for",
                            lambda args: _ClipsIndex("roadmap", video, cut, indexed))
        return main(["search", "roadmap", "--export-clips", str(clips), *flags])

    assert search(b"first") == 0 and clip.read_bytes() == b"first"
    capsys.readouterr()
    assert search(b"second") == 2 and clip.read_bytes() == b"first"
    assert capsys.readouterr().err.strip() == (f"momentsearch: error: {clip} exists: add --force to replace it, "
                                               "or export into another folder")
    assert search(b"second", "--force") == 0 and clip.read_bytes() == b"second"
    assert search(b"third", "--force", indexed=[str(clip)]) == 2 and clip.read_bytes() == b"second"
    assert f"{clip} is an indexed file" in capsys.readouterr().err


def test_a_reader_that_stops_early_is_no_failure(tmp_path):
    """`momentsearch info | head -1` (or search): rich answered the closed pipe with exit status 1, which says
    that files failed; a closed pipe ends the command with 0, as main() meant."""
    import os
    import subprocess
    import sys

    from momentsearch.cli.main import main

    (tmp_path / "lectures").mkdir()
    assert main(["index", str(tmp_path / "lectures"), "--db", str(tmp_path / "db"), "--quiet"]) == 0
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first line
    try:
        run = subprocess.run([sys.executable, "-c", "import sys; from momentsearch.cli.main import main; "
                              f"sys.exit(main(['info', '--db', {str(tmp_path / 'db')!r}]))"],
                             stdout=write, stderr=subprocess.PIPE, timeout=120, check=False)
    finally:
        os.close(write)
    assert run.returncode == 0, run.stderr.decode()[-500:]


@pytest.mark.parametrize("argv", [["index", "-week1.mp4"], ["index", "notes.mp4", "-week1.mp4"],
                                  ["transcript", "-week1.mp4"], ["chapters", "-week1.mp4", "--format", "json"],
                                  ["clip", "-week1.mp4", "1", "3", "-o", "c.mp4"], ["remove", "-week1.mp4"],
                                  ["remove", "a.mp4", "-week1.mp4"]])
def test_a_file_named_with_a_leading_dash_is_shown_how_to_index(capsys, argv):
    """`momentsearch index -week1.mp4` said only "the following arguments are required: paths"; `transcript`,
    `chapters`, `clip` and `remove`, which take files too, said it without the hint."""
    from momentsearch.cli.main import main

    with pytest.raises(SystemExit) as stop:
        main([*argv, "--db", "/nonexistent/db"])
    assert stop.value.code == 2 and "./-week1.mp4" in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["--in", "--image"])
def test_a_flags_file_named_with_a_leading_dash_is_shown_how_to_give(capsys, flag):
    """`search x --in -week1.mp4` said only "argument --in: expected one argument"."""
    from momentsearch.cli.main import main

    with pytest.raises(SystemExit) as stop:
        main(["search", "x", flag, "-week1.mp4", "--db", "/nonexistent/db"])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and f"{flag} ./-week1.mp4" in err and f"{flag}=-week1.mp4" in err


_CTRL_C_WHILE_IMPORTING = """
import sys

class CtrlC:  # Ctrl-C arriving while this module is being imported, as on a slow start
    def find_spec(self, name, path=None, target=None):
        if name == sys.argv[1]:
            raise KeyboardInterrupt

sys.meta_path.insert(0, CtrlC())
from momentsearch.cli import main  # what the console script runs
sys.exit(main(["info", "--db", sys.argv[2]]))
"""


@pytest.mark.parametrize("module", ["momentsearch.types", "numpy", "momentsearch.api"])
def test_ctrl_c_while_the_cli_imports_its_libraries_exits_quietly(tmp_path, module):
    import subprocess

    run = subprocess.run([sys.executable, "-c", _CTRL_C_WHILE_IMPORTING, module, str(tmp_path / "db")],
                         capture_output=True, text=True, timeout=120)
    assert (run.returncode, run.stderr) == (130, "momentsearch: interrupted\n")  # as a Ctrl-C later: no traceback


def test_index_warnings_reach_a_log_escaped_and_one_line_each(monkeypatch):
    """A warning names files (one deleted since it was indexed): its control characters went to the terminal or log
    as they were (ESC [2J clears the screen), and a log file (no terminal: rich's 80 columns) got it cut into lines."""
    from momentsearch.types import IndexReport

    buffer = io.StringIO()
    monkeypatch.setattr(output, "err", Console(file=buffer, width=80))  # a file, as `index ... 2> run.log`
    monkeypatch.setattr(output, "out", Console(file=io.StringIO(), width=80))
    gone = "1 indexed file in this folder no longer exists (evil\x1b[2Jname.mp4): search still finds it; " \
           "momentsearch prune removes it"
    output.print_report(IndexReport(warnings=[gone, "visual channel off: " + "CLIP weights are missing " * 8]))
    lines = buffer.getvalue().splitlines()
    assert len(lines) == 2 and all(line.startswith("warning: ") for line in lines), lines
    assert "\x1b" not in buffer.getvalue() and "evil\\x1b[2Jname.mp4" in lines[0]


def test_a_log_follows_a_long_file_with_a_line_a_minute_and_an_eta(monkeypatch):
    """Without a terminal (`index ... 2> run.log`) there are no bars, only a line as each file begins: a log of a
    3-hour lecture said nothing for hours. Now a plain line at most every LOG_EVERY s of wall time within a file."""
    buffer = io.StringIO()
    monkeypatch.setattr(output, "err", Console(file=buffer, width=80))  # a file, not a terminal
    now = [0.0]
    display = output.ProgressDisplay(enabled=True, clock=lambda: now[0])
    assert not display.enabled  # no terminal: no bars
    with display:
        display(ProgressEvent("start", total_files=2, media_seconds=3600.0 + 600.0))
        display(ProgressEvent("file", path="/a/long\x1b[2J.mp4", index=0, total_files=2))
        for minute in range(1, 21):  # the speech of 3 minutes transcribed every minute, a window each 30 s
            for half in (0.5, 1.0):
                now[0] = 60.0 * (minute - 1 + half)
                media = ProgressEvent("media", path="/a/long.mp4", media_seconds=min(3600.0, 180.0 * (minute - 1 + half)))
                media.file_seconds = 3600.0
                display(media)
        display(ProgressEvent("done", path="/a/long.mp4", media_seconds=3600.0))
        display(ProgressEvent("file", path="/a/short.mp4", index=1, total_files=2))
        display(ProgressEvent("done", path="/a/short.mp4", media_seconds=600.0))
    text = buffer.getvalue()
    lines = text.splitlines()
    assert "\x1b" not in text and "\r" not in text  # no control characters in a log
    assert lines[0] == "[1/2] /a/long\\x1b[2J.mp4" and lines[-1] == "[2/2] /a/short.mp4"
    progress = lines[1:-1]
    assert len(progress) == 20, progress  # one a minute, not one per window
    assert progress[0] == "  long\\x1b[2J.mp4: 3:00 of 1:00:00; all files 3:00 of 1:10:00, ETA 22:20"
    assert progress[-1].startswith("  long\\x1b[2J.mp4: 1:00:00 of 1:00:00; all files 1:00:00 of 1:10:00, ETA 3:")


_KILLED_WHILE_INDEXING = """
import os, signal, sys, time
from momentsearch.cli import main as entry

def index_until_killed(args):  # `kill PID` arrives while the batch runs
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(60)
    except KeyboardInterrupt:
        if sys.argv[3] == "ray":  # Ray's ray.wait turns what a signal handler raised into a KeyboardInterrupt
            raise KeyboardInterrupt from None
        raise
    return 0

sys.modules["momentsearch.cli.main"].cmd_index = index_until_killed
sys.exit(entry(["index", sys.argv[1], "--db", sys.argv[2]]))
"""


@pytest.mark.parametrize("inside", ["local", "ray"])
def test_kill_stops_an_index_run_with_one_line_and_status_143(tmp_path, inside):
    """`kill` (SIGTERM) on a batch: Python's default ended it without a word (a log file just stopped) and without
    unwinding as Ctrl-C does; now one line that says how to resume, and 128 + SIGTERM as shells report it."""
    import subprocess

    run = subprocess.run([sys.executable, "-c", _KILLED_WHILE_INDEXING, str(tmp_path), str(tmp_path / "db"), inside],
                         capture_output=True, text=True, timeout=120)
    assert (run.returncode, run.stderr) == (143, "momentsearch: stopped by kill (SIGTERM); re-run the same command "
                                                 "to resume\n")


def test_a_big_first_index_summary_groups_its_indexed_files(capsys):
    """A department's first index of 300 photos and 40 videos printed a table row per file, and the same
    photo note wrapped over six lines 250 times (1,688 lines): past SUMMARY_ROWS the indexed files that
    share a note (or have none) are counted in one line each, while failures and single notes stay rows."""
    from momentsearch.cli import output
    from momentsearch.types import FileResult, IndexReport

    note = "no CLIP weights and no text on it: not searchable (index with CLIP weights to find it)"
    files = [FileResult(f"/d/photos/p{i:03d}.jpg", "indexed", note, channels=["ocr"]) for i in range(250)]
    files += [FileResult(f"/d/talks/t{i:02d}.mp4", "indexed", duration=6.0, channels=["ocr", "transcript"])
              for i in range(40)]
    files += [FileResult("/d/talks/resumed.mp4", "indexed", "resumed: kept 2 audio windows", duration=600.0),
              FileResult("/d/talks/broken.mp4", "failed", "not a readable video")]
    output.print_report(IndexReport(files=files))
    shown = capsys.readouterr().out
    lines = shown.splitlines()
    assert len(lines) < 40, shown
    assert "p017.jpg" not in shown and "t03.mp4" not in shown
    assert f"250 files indexed: {note}" in shown.replace("\n", " ")
    assert "40 files indexed (4:00 of media)" in shown
    assert "broken.mp4" in shown and "not a readable video" in shown  # rows that need reading stay rows
    assert "resumed.mp4" in shown and "resumed: kept 2" in shown
    assert "292 files: 1 failed, 291 indexed" in shown
    few = files[:3] + files[-2:]  # a small batch keeps a row a file
    output.print_report(IndexReport(files=few))
    shown = capsys.readouterr().out
    assert all(Path(f.path).name in shown for f in few)


def test_a_log_names_only_the_files_a_run_works_on(monkeypatch):
    """A nightly `index /dept 2> run.log` over 680 files indexed before wrote 680 `[n/680] path` lines for a run
    that did nothing. A file's line now waits for its first stage (or a failure): unchanged files log none."""
    buffer = io.StringIO()
    monkeypatch.setattr(output, "err", Console(file=buffer, width=80))  # a file, not a terminal
    display = output.ProgressDisplay(enabled=True)
    with display:
        display(ProgressEvent("start", total_files=4, media_seconds=20.0))
        for i, name in enumerate(["old1.jpg", "old2.mp4"]):
            display(ProgressEvent("file", path=f"/d/{name}", index=i, total_files=4))
            display(ProgressEvent("done", path=f"/d/{name}", index=i, total_files=4, status="unchanged"))
        display(ProgressEvent("file", path="/d/new.mp4", index=2, total_files=4))
        display(ProgressEvent("stage", path="/d/new.mp4", stage="hash"))
        display(ProgressEvent("stage", path="/d/new.mp4", stage="asr"))
        display(ProgressEvent("done", path="/d/new.mp4", index=2, total_files=4, status="indexed"))
        display(ProgressEvent("file", path="/d/broken.mp4", index=3, total_files=4))
        display(ProgressEvent("done", path="/d/broken.mp4", index=3, total_files=4, status="failed"))
    assert buffer.getvalue().splitlines() == ["[3/4] /d/new.mp4", "[4/4] /d/broken.mp4"]


def test_a_batch_of_photos_has_no_media_seconds_bar():
    """A department's photo folders (no audio or video): the bars showed `media seconds 0/1 ETA -:--:--` from the
    start to the end, a bar that looks stuck. Without media seconds to count there is only the files bar."""
    display = output.ProgressDisplay(enabled=True)
    display.enabled = True
    display.progress.disable = True  # no terminal here: drive the tasks without drawing them
    with display:
        display(ProgressEvent("start", total_files=2, media_seconds=0.0))
        for i in range(2):
            display(ProgressEvent("file", path=f"/p/{i}.jpg", index=i, total_files=2))
            display(ProgressEvent("stage", path=f"/p/{i}.jpg", stage="ocr"))
            display(ProgressEvent("done", path=f"/p/{i}.jpg", index=i, total_files=2, status="indexed"))
    assert [t.description for t in display.progress.tasks] == ["files: done"]
    assert display.progress.tasks[0].completed == 2


def test_files_indexed_before_do_not_speed_up_the_eta(monkeypatch):
    """A nightly re-run over 10 hours indexed before and one new 20-minute talk: the unchanged files' seconds
    counted as done in no time, so a log said `ETA 0:03` with most of the talk to go (and the bar's total held
    them). They now leave the total: the ETA comes from the new talk's own rate."""
    buffer = io.StringIO()
    monkeypatch.setattr(output, "err", Console(file=buffer, width=80))  # a file, not a terminal
    now = [0.0]
    display = output.ProgressDisplay(enabled=True, clock=lambda: now[0])
    with display:
        display(ProgressEvent("start", total_files=11, media_seconds=10 * 3600.0 + 1200.0))
        for i in range(10):
            display(ProgressEvent("file", path=f"/d/old{i}.mp4", index=i, total_files=11))
            display(ProgressEvent("done", path=f"/d/old{i}.mp4", media_seconds=3600.0, status="unchanged"))
        display(ProgressEvent("file", path="/d/new.mp4", index=10, total_files=11))
        now[0] = 120.0  # two minutes of wall time for the first 5 minutes of speech
        media = ProgressEvent("media", path="/d/new.mp4", media_seconds=300.0)
        media.file_seconds = 1200.0
        display(media)
        assert display.total_seconds == 1200
    lines = buffer.getvalue().splitlines()
    assert lines[-1] == "  new.mp4: 5:00 of 20:00; all files 5:00 of 20:00, ETA 6:00", lines
    display = output.ProgressDisplay(enabled=True)
    display.enabled, display.progress.disable = True, True  # bars, not drawn here
    with display:  # a re-run with nothing new: no media bar left standing at 0/1
        display(ProgressEvent("start", total_files=1, media_seconds=3600.0))
        display(ProgressEvent("file", path="/d/old0.mp4", index=0, total_files=1))
        display(ProgressEvent("done", path="/d/old0.mp4", media_seconds=3600.0, status="unchanged"))
    assert [t.visible for t in display.progress.tasks] == [True, False]


def test_a_ray_run_on_one_worker_says_one_worker(capsys):
    """`index lectures/ --ray` on a laptop printed "1 workers on 1 nodes"."""
    from momentsearch.cli.main import _print_ray

    _print_ray(SimpleNamespace(address="local", workers=1, nodes=1, media_seconds=6.0, wall_seconds=43.4))
    _print_ray(SimpleNamespace(address="head:6379", workers=4, nodes=2, media_seconds=600.0, wall_seconds=100.0))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Ray (local): 1 worker on 1 node, 6 media s indexed in 43.4 s"), lines
    assert lines[1].startswith("Ray (head:6379): 4 workers on 2 nodes, 600 media s indexed in 100.0 s"), lines


@pytest.mark.parametrize("name, kind, said_why", [
    ("slide -copy.jpg", None, "the words read on the image are not shown or said"),
    ('"Lecture 3".png', None, "the words read on the image are not shown or said"),
    ("photo.jpg", "photo", "the index holds no photos")])
def test_an_image_query_that_finds_nothing_says_why_in_its_own_words(monkeypatch, tmp_path, name, kind, said_why):
    """A photo of a slide no lecture showed was answered with the text query's note made of its file name:
    "No moment found that leaves out "copy jpg"" for `slide -copy.jpg` (a -word the user never typed), else
    "try other words" for a query that had none."""
    from momentsearch.types import FileRecord

    index = _WordsIndex("roadmap")
    index.image_query = lambda image, k=10, kind=None, in_=None: ([], "Hash Table Collisions Separate chaining")
    index.videos = lambda: [FileRecord(path="/l/a.mp4", video_id="a" * 16, size=1, mtime=0.0, duration=60.0)]
    monkeypatch.setattr(sys.modules["momentsearch.cli.main"], "_index_for", lambda args: index)
    monkeypatch.setattr(output, "out", Console(file=io.StringIO(), width=300))
    photo = tmp_path / name
    photo.write_bytes(b"")  # the fake index reads nothing of it
    assert main(["search", "--image", str(photo)] + (["--kind", kind] if kind else [])) == 0
    said = output.out.file.getvalue()
    assert said_why in said, said
    assert "leaves out" not in said and "try other words" not in said, said


def test_info_marks_a_copy_as_the_same_content_as_the_file_it_shares_entries_with(monkeypatch, tmp_path):
    """Two copies of one recording share its entries (a search result names one of them), but `info` listed
    them as two files alike: nothing said that the second was no second lecture. Its line now says whose
    content it holds; other files say nothing of the kind."""
    from momentsearch.api import IndexInfo
    from momentsearch.types import FileRecord

    for name in ("a.mp4", "a copy.mp4", "b.mp4"):
        (tmp_path / name).write_bytes(b"x")
    files = [FileRecord(str(tmp_path / name), video_id, 1, 0.0, duration=60.0, channels=["transcript"], complete=True)
             for name, video_id in (("a.mp4", "a" * 16), ("a copy.mp4", "a" * 16), ("b.mp4", "b" * 16))]
    buffer = io.StringIO()
    monkeypatch.setattr(output, "out", Console(file=buffer, width=200, soft_wrap=True))
    monkeypatch.setattr(output, "columns", lambda: 200)  # whole paths, however deep the test's folder
    info_output.print_info(IndexInfo(db="/c/db", files=files, channels=["transcript"], models={}, counts={}))
    lines = buffer.getvalue().splitlines()
    detail = {lines[i - 1].strip(): lines[i] for i, line in enumerate(lines) if line.startswith("    ")}
    copy, first = (output.short_path(str(tmp_path / name), 198) for name in ("a copy.mp4", "a.mp4"))
    assert f", same content as {first}, " in detail[copy]
    assert [name for name, line in detail.items() if "same content" in line] == [copy]


def test_the_why_line_lists_a_channel_that_found_nothing_so_the_score_adds_up(monkeypatch):
    """A channel searched in the file that found nothing counts in the fused score's weighted mean (README,
    *Scores*): the why line showed only the ones above 0, so "lexical 0.75 transcript 0.34" could not be added up
    to the score shown. It is listed at 0.00 after the others; a moment no channel matched says so."""
    buffer = io.StringIO()
    monkeypatch.setattr(output, "out", Console(file=buffer, width=100))
    found = Moment(video="/v/a.mp4", video_id="cd" * 8, start=3.0, end=9.0, score=0.56,
                   channels={"ocr": 0.0, "transcript": 0.34, "lexical": 0.75}, text="t", evidence={},
                   segment_id="", kind="moment")
    none = Moment(video="/v/b.mp4", video_id="ef" * 8, start=3.0, end=9.0, score=0.01,
                  channels={"ocr": 0.0, "transcript": 0.0}, text="u", evidence={}, segment_id="", kind="moment")
    output.print_moments("roadmap", [found, none], {"transcript", "ocr", "lexical"})
    said = buffer.getvalue()
    assert "why: lexical 0.75 transcript 0.34 ocr 0.00\n" in said, said
    assert "why: no channel matched" in said


@pytest.mark.parametrize("columns", [50, 80])
def test_a_result_in_a_file_with_identical_copies_names_them(monkeypatch, columns):
    """`--json` and /api/search list a result's identical copies (`copies`); the plain output said nothing, so a
    user who had moved the lecture to a backup folder did not learn the moment is there too."""
    buffer = io.StringIO()
    monkeypatch.setattr(output, "out", Console(file=buffer, width=columns, soft_wrap=True))
    one, two, alone = _moment(0.9, "the roadmap"), _moment(0.8, "the roadmap again"), _moment(0.7, "elsewhere")
    one.copies = ["/backup/lectures/2024/spring/physics/very-long-lecture-name-week-07.mp4"]
    two.copies = ["/backup/a.mp4", "/mnt/usb/a.mp4", "/mnt/old/a.mp4"]
    output.print_moments("roadmap", [one, two, alone], {"transcript"})
    lines = buffer.getvalue().splitlines()
    also = [line for line in lines if line.startswith("    also in: ")]
    assert len(also) == 2, lines
    assert also[0].endswith("very-long-lecture-name-week-07.mp4") and len(also[0]) <= columns, also
    assert also[1].endswith("a.mp4 and 2 more"), also
    assert columns < 80 or also[1] == "    also in: /backup/a.mp4 and 2 more", also
    assert max(len(line) for line in lines if "file://" not in line) <= columns, lines  # links are never cut
