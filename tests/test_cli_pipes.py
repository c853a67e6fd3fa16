"""The command line in shell scripts: queries read from a pipe, output into a reader that has gone,
exit statuses that say what happened whatever stdout and stderr are connected to."""

from __future__ import annotations

import io
import json
import os
import sys
import threading
from types import SimpleNamespace

import pytest

from fakes import FakeIndex
from momentsearch.cli.main import main
from momentsearch.types import Moment, ProgressEvent


class _OneWordIndex(FakeIndex):
    """An index whose one moment is found by a query holding `word`."""

    def __init__(self, word: str = "roadmap"):
        self.word = word

    def search(self, query, k=10, kind=None, video=None, in_=None, everywhere=False):
        if self.word not in query.split():
            return []
        return [Moment(video="/srv/talk.mp4", video_id="ab" * 8, start=12.0, end=30.0, score=0.9,
                       channels={"transcript": 0.9}, text=f"the {self.word}", evidence={}, segment_id="",
                       kind="moment")]


def _fake_index(monkeypatch):
    monkeypatch.setattr(sys.modules["momentsearch.cli.main"], "_index_for", lambda args: _OneWordIndex())


def _answers(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_queries_dash_reads_the_lines_from_standard_input(capsys, monkeypatch):
    """`make_queries | momentsearch search --queries -` said "--queries -: file not found"."""
    _fake_index(monkeypatch)
    lines = '{"qid": "a", "query": "roadmap"}\n{"qid": "b", "query": "budget"}\n'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(lines.encode())))
    assert main(["search", "--queries", "-", "-k", "3"]) == 0
    answers = _answers(capsys.readouterr().out)
    assert [a["qid"] for a in answers] == ["a", "b"]
    assert [m["start"] for m in answers[0]["results"]] == [12.0] and answers[1]["results"] == []


def test_queries_from_a_named_pipe_are_answered(capsys, monkeypatch, tmp_path):
    """A shell's `--queries <(...)` (or /dev/stdin, a FIFO) exists but is no regular file: it was refused as
    "file not found"."""
    _fake_index(monkeypatch)
    fifo = tmp_path / "queries.fifo"
    os.mkfifo(fifo)

    def write():
        with open(fifo, "w", encoding="utf-8") as pipe:
            pipe.write('{"qid": 7, "query": "the roadmap"}\n')

    writer = threading.Thread(target=write)
    writer.start()
    try:
        status = main(["search", "--queries", str(fifo)])
    finally:
        writer.join(timeout=10)
        if writer.is_alive():  # the pipe was never opened for reading: let the writer go
            with open(fifo, encoding="utf-8") as pipe:
                pipe.read()
        writer.join()
    assert status == 0
    assert [(a["qid"], len(a["results"])) for a in _answers(capsys.readouterr().out)] == [(7, 1)]


def test_a_queries_file_that_is_not_utf8_is_one_error_line(capsys, monkeypatch, tmp_path):
    """A Latin-1 queries file ended in a UnicodeDecodeError traceback."""
    _fake_index(monkeypatch)
    qfile = tmp_path / "q.jsonl"
    qfile.write_bytes('{"qid": 1, "query": "caf\xe9 roadmap"}\n'.encode("latin-1"))
    assert main(["search", "--queries", str(qfile)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"momentsearch: error: --queries {qfile}: not UTF-8 text") and "Traceback" not in err


def test_queries_dash_with_standard_input_closed_says_so(capsys, monkeypatch):
    _fake_index(monkeypatch)
    monkeypatch.setattr(sys, "stdin", None)
    assert main(["search", "--queries", "-"]) == 2
    assert "standard input is closed" in capsys.readouterr().err


class _GoneReader(io.StringIO):
    """stderr whose reader has gone (`2>&1 | head -1` after its line): every write raises BrokenPipeError."""

    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")


class _IndexThatRecords:
    chroma_url, db = None, "/nonexistent/db"

    def __init__(self, failed: bool = False):
        self.done, self.failed = [], failed

    def index(self, paths, reindex=False, progress=None, wait=0.0, ray=None):
        from momentsearch.types import FileResult, IndexReport

        progress(ProgressEvent("start", total_files=len(paths), media_seconds=60.0 * len(paths)))
        for n, path in enumerate(paths):
            progress(ProgressEvent("file", path=path, index=n, total_files=len(paths)))
            progress(ProgressEvent("stage", path=path, index=n, total_files=len(paths), stage="asr"))
            self.done.append(path)
            progress(ProgressEvent("done", path=path, index=n, total_files=len(paths), media_seconds=60.0))
        status = "failed" if self.failed else "indexed"
        return IndexReport(files=[FileResult(path, status, "cannot decode" if self.failed else "") for path in paths])


def test_index_goes_on_when_the_reader_of_its_messages_has_gone(monkeypatch, capsys):
    """`momentsearch index talks/ 2>&1 | head -1`: head took "opening the index..." and left; the next
    progress line raised BrokenPipeError, which ended the run before a file was indexed, with exit status 0."""
    index = _IndexThatRecords()
    monkeypatch.setattr(sys.modules["momentsearch.cli.main"], "_index_for", lambda args: index)
    monkeypatch.setattr(sys, "stderr", _GoneReader())
    assert main(["index", "a.mp4", "b.mp4", "--json"]) == 0
    assert index.done == ["a.mp4", "b.mp4"]
    assert [f["status"] for f in json.loads(capsys.readouterr().out)["files"]] == ["indexed", "indexed"]


def test_exit_status_is_the_runs_own_when_stderr_has_no_reader(monkeypatch):
    """An error whose message met a gone reader ended in status 1 (documented as "some files failed")."""
    monkeypatch.setattr(sys, "stderr", _GoneReader())
    _fake_index(monkeypatch)
    assert main(["search", "--json"]) == 2  # no query given: an error
    index = _IndexThatRecords(failed=True)
    monkeypatch.setattr(sys.modules["momentsearch.cli.main"], "_index_for", lambda args: index)
    assert main(["index", "a.mp4", "--json"]) == 1  # a file failed


@pytest.mark.parametrize("argv, hint", [
    (["search", "-k", "1", "--", "-40", "degrees"], "momentsearch search -- '-40 degrees'"),
    (["search", "heat", "engine", "-k", "2", "--json"], "momentsearch search 'heat engine'"),
])
def test_a_query_the_shell_split_gets_the_quoting_hint(capsys, argv, hint):
    """`search -k 1 -- -40 degrees` (flags before --, as the README says) was told to give its flags before --;
    `search heat engine` got a bare "unrecognized arguments: engine"."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2 and f"quote the query as one argument: {hint}" in err
    assert "give flags before it" not in err


class _ChaptersIndex:
    """One indexed talk with two chapters and a sentence of speech."""

    chroma_url, db = None, "/nonexistent/db"

    def __init__(self):
        from momentsearch.types import FileRecord

        self.record = FileRecord(path="/srv/talk.mp4", video_id="cd" * 8, size=1, mtime=0.0, duration=40.0)

    def find_video(self, video, not_found=None):
        return self.record

    def chapters(self, video):
        from momentsearch.chapters import Chapter

        return [Chapter(0.0, 20.0, "Heat engines", "slides"), Chapter(20.0, 40.0, "Carnot efficiency", "slides")]

    def chunks_of(self, video):
        from momentsearch.types import TranscriptChunk

        return [TranscriptChunk("t1", self.record.video_id, 0.0, 6.0, "Today we talk about heat engines.")]

    def info(self):
        return SimpleNamespace(files=[self.record])


@pytest.mark.parametrize("command, said", [("chapters", "Carnot efficiency"), ("transcript", "heat engines")])
def test_out_dash_prints_instead_of_writing_a_file_named_dash(capsys, monkeypatch, tmp_path, command, said):
    """`momentsearch transcript talk.mp4 -o - | grep ...` printed nothing and left a file named "-" in the
    working folder (and the next run said "- exists: add --force")."""
    monkeypatch.setattr(sys.modules["momentsearch.cli.main"], "_index_for", lambda args: _ChaptersIndex())
    monkeypatch.chdir(tmp_path)
    assert main([command, "/srv/talk.mp4", "-o", "-"]) == 0
    assert said in capsys.readouterr().out and not (tmp_path / "-").exists()


def test_eval_out_dash_is_refused_before_anything_runs(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    truth = tmp_path / "gt.jsonl"
    truth.write_text('{"qid": 1, "query": "heat", "video": "talk.mp4", "relevant_windows": [[0, 5]]}\n')
    assert main(["eval", str(truth), "--out", "-"]) == 2
    assert "eval --out -: the metrics are printed on stdout" in capsys.readouterr().err
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("flags", [["--json"], ["--quiet"]])
def test_index_status_says_files_failed_when_the_summarys_reader_has_gone(monkeypatch, flags):
    """`momentsearch index talks/ --json | true` (a reader that left before the summary) ended with status 0
    although a file had failed: the BrokenPipeError of the summary was taken for a run that went well."""
    index = _IndexThatRecords(failed=True)
    monkeypatch.setattr(sys.modules["momentsearch.cli.main"], "_index_for", lambda args: index)
    monkeypatch.setattr(sys, "stdout", _GoneReader())
    assert main(["index", "a.mp4", *flags]) == 1 and index.done == ["a.mp4"]


def _info_index(monkeypatch, tmp_path):
    from momentsearch.types import FileRecord, IndexInfo

    video = tmp_path / "Gödel_Vorlesung.mp4"
    video.write_bytes(b"x")
    record = FileRecord(path=str(video), video_id="cd" * 8, size=1, mtime=video.stat().st_mtime, complete=True)

    class InfoIndex(_OneWordIndex):
        def info(self):
            return IndexInfo(db=str(tmp_path / "db"), files=[record], channels=["transcript"], models={}, counts={})

    monkeypatch.setattr(sys.modules["momentsearch.cli.main"], "_index_for", lambda args: InfoIndex("Gödel"))


def test_info_json_writes_accented_names_as_every_other_json_does(capsys, monkeypatch, tmp_path):
    """`info --json` wrote "G\\u00f6del" where `search --json` and the rest write "Gödel" (UTF-8)."""
    _info_index(monkeypatch, tmp_path)
    assert main(["info", "--json"]) == 0
    out = capsys.readouterr().out
    assert "Gödel_Vorlesung.mp4" in out and json.loads(out)["files"][0]["path"].endswith("Gödel_Vorlesung.mp4")


@pytest.mark.parametrize("encoding", ["ascii", "cp1252"])
@pytest.mark.parametrize("argv", [["info", "--json"], ["search", "Gödel", "--json"]])
def test_json_on_a_stdout_that_is_not_utf8_is_still_json(monkeypatch, tmp_path, encoding, argv):
    """Under `PYTHONUTF8=0 LC_ALL=C` (or a Windows code page) an accented name went out as G\\xf6del: the
    stream's backslash escape, which no JSON reader takes. Such a stdout gets JSON's own \\u escapes."""
    _info_index(monkeypatch, tmp_path)
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding=encoding, errors="strict"))
    assert main(argv) == 0
    sys.stdout.flush()
    answer = json.loads(raw.getvalue().decode("ascii"))
    said = answer["files"][0]["path"] if argv[0] == "info" else answer["query"]
    assert "Gödel" in said
