"""momentsearch under locales that are not set up like ours: `LC_ALL=C` with Python's UTF-8 mode off (file
names and arguments decoded as ASCII), a Windows code page on stdout, names that are not valid UTF-8."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from test_cli_pipes import _OneWordIndex

from momentsearch.store.records import record_from_metadata, record_metadata
from momentsearch.types import FileRecord

ASCII_LOCALE = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
NAMES = ["İstanbul-ılık-café.mp4", "講義-🎓.mp4"]


def _in_ascii_locale(code: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **ASCII_LOCALE}
    env.pop("PYTHONIOENCODING", None)
    return subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


_READ_BACK = """
import json, os, sys
from momentsearch.store.records import record_from_metadata
assert sys.getfilesystemencoding() == "ascii", sys.getfilesystemencoding()
for meta in json.loads(sys.argv[1]):
    path = record_from_metadata(meta).path
    os.stat(path)
    print(os.fsencode(path).hex())
"""


def test_an_index_made_in_a_utf8_locale_reads_its_names_under_an_ascii_one(tmp_path):
    """An index made where names are UTF-8, searched with `PYTHONUTF8=0 LC_ALL=C`: `info` and `search` ended in
    UnicodeEncodeError (the stored name, as text, cannot be handed to os.stat in ASCII). Each name is found."""
    metas = []
    for name in NAMES:
        (tmp_path / name).write_bytes(b"x")
        record = FileRecord(path=str(tmp_path / name), video_id="ab" * 8, size=1, mtime=0.0)
        metas.append(record_metadata(record))
    done = _in_ascii_locale(_READ_BACK, json.dumps(metas))
    assert done.returncode == 0, done.stderr
    assert [bytes.fromhex(h) for h in done.stdout.split()] == [os.fsencode(tmp_path / n) for n in NAMES]


_WRITE = """
import json, os, sys
from momentsearch.store.records import record_metadata
from momentsearch.types import FileRecord
print(json.dumps([record_metadata(FileRecord(path=os.fsdecode(os.fsencode(p)), video_id="ab" * 8, size=1,
                                             mtime=0.0)) for p in os.listdir(sys.argv[1])]))
"""


def test_an_index_made_in_an_ascii_locale_reads_its_names_under_utf8(tmp_path):
    """The other way round: the records an ASCII-locale run writes name the same files in a UTF-8 one."""
    for name in NAMES:
        (tmp_path / name).write_bytes(b"x")
    done = _in_ascii_locale(_WRITE, str(tmp_path))
    assert done.returncode == 0, done.stderr
    paths = sorted(os.path.join(str(tmp_path), record_from_metadata(m).path) for m in json.loads(done.stdout))
    assert paths == sorted(str(tmp_path / n) for n in NAMES)


class _Recording(_OneWordIndex):
    """An index that finds nothing and keeps the queries it was asked."""

    def __init__(self):
        super().__init__("\0")  # a word no query holds
        self.asked = []

    def search(self, query, *args, **kwargs):
        self.asked.append(query)
        return super().search(query, *args, **kwargs)


def test_a_query_typed_in_an_ascii_locale_is_searched_as_typed(monkeypatch, capsys):
    """`LC_ALL=C PYTHONUTF8=0 momentsearch search "café İstanbul"`: Python hands the terminal's UTF-8 bytes over as
    lone surrogates ("caf\\udcc3\\udca9"), which were searched (a weak match where UTF-8 found it at 0.84) and
    echoed in --json as "\\udcc3", a string strict JSON readers refuse. The words are searched as typed."""
    from momentsearch.cli.main import main

    cli_main = sys.modules["momentsearch.cli.main"]
    index = _Recording()
    monkeypatch.setattr(cli_main, "_index_for", lambda args: index)
    typed = "café İstanbul 講義".encode().decode("ascii", "surrogateescape")  # what such a Python makes of argv
    assert main(["search", typed, "--json"]) == 0
    assert index.asked == ["café İstanbul 講義"]
    assert json.loads(capsys.readouterr().out)["query"] == "café İstanbul 講義"


def test_labels_typed_in_an_ascii_locale_are_read_as_typed():
    from momentsearch.cli.args import build_parser

    typed = "Café".encode().decode("ascii", "surrogateescape")
    assert build_parser().parse_args(["match", "x.png", "--labels", typed, "plain"]).labels == ["Café", "plain"]


_SCOPE = """
import os, sys, unicodedata
from momentsearch.search.scope import match_scope
from momentsearch.types import FileRecord
assert sys.getfilesystemencoding() == "ascii", sys.getfilesystemencoding()
on_disk = os.fsdecode(unicodedata.normalize("NFD", "/talks/\\u0130stanbul-caf\\xe9.mp4").encode())  # as a Mac writes
files = {"ab" * 8: FileRecord(path=on_disk, video_id="ab" * 8, size=1, mtime=0.0)}
for typed in sys.argv[1:]:
    print(sorted(match_scope(files, [typed])))
"""


def test_a_name_typed_composed_finds_the_decomposed_file_in_an_ascii_locale():
    """`--in`, `remove`, `transcript` and `chapters` take "İstanbul-café.mp4" typed composed for a file a Mac named
    decomposed (README: as in a UTF-8 locale); under `LC_ALL=C PYTHONUTF8=0` both came as lone surrogates, which
    do not compose: "matches no indexed file", for the path and for a glob alike."""
    done = _in_ascii_locale(_SCOPE, "/talks/İstanbul-café.mp4", "*café*", "/talks/")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:3] == [str(["ab" * 8])] * 3


def test_a_name_that_is_not_utf8_is_written_as_the_other_commands_take_it(tmp_path):
    """`transcript`, `chapters`, `clip`, `remove` and `--in` given a mistyped name of Latin-1 bytes said
    '/talks/nope-\\udce9.mp4' (Python's surrogate), where the rest of momentsearch writes such a byte \\xe9 (and takes
    it back): the name in the message could not be copied into the next command."""
    from momentsearch.errors import QueryError
    from momentsearch.search.scope import match_scope, one_video

    files = {"ab" * 8: FileRecord(path=os.fsdecode(b"/talks/lecture-\xe9t\xe9.mp4"), video_id="ab" * 8, size=1,
                                  mtime=0.0)}
    typo = os.fsdecode(b"/talks/lecure-\xe9t\xe9.mp4")
    for ask in (lambda: one_video(files, typo), lambda: match_scope(files, [typo])):
        with pytest.raises(QueryError) as caught:
            ask()
        assert "'/talks/lecure-\\xe9t\\xe9.mp4'" in str(caught.value) and "\\udc" not in str(caught.value)
    assert match_scope(files, ["/talks/lecture-\\xe9t\\xe9.mp4"]) == {"ab" * 8}  # as the message writes a name


_HOLD = """
import sys, time
from momentsearch.store.lock import WriterLock
lock = WriterLock(sys.argv[1], task="index").acquire()
print("held", flush=True)
sys.stdin.read()
"""


def test_the_busy_message_says_since_when_in_any_time_zone(tmp_path):
    """A nightly `index` run by a service in UTC holds the index; the user's `remove` in Kathmandu said "being written
    by `index` (pid N on HOST since 12:00:00)", a wall-clock time of the writer's zone with no zone: 5:45 off from
    the user's clock. The time now carries its UTC offset, so it names one instant wherever it is read."""
    import datetime
    import re

    from momentsearch.store.lock import holder

    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    writer = subprocess.Popen([sys.executable, "-c", _HOLD, str(tmp_path)], env={**os.environ, "TZ": "NPT-5:45"},
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "held"
        said = holder(tmp_path)
    finally:
        writer.communicate("", timeout=60)
    stamp = re.search(r"since (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4})", said)
    assert stamp, said
    when = datetime.datetime.strptime(stamp.group(1), "%Y-%m-%d %H:%M:%S %z")
    assert before <= when <= datetime.datetime.now(datetime.timezone.utc)


_CLIP_NAME = """
import os, sys, unicodedata
from momentsearch.clip_names import clip_file_name, part_file
from momentsearch.types import shown_path
from pathlib import Path
assert sys.getfilesystemencoding() == "ascii", sys.getfilesystemencoding()
video = os.fsdecode(
    ("/talks/" + unicodedata.normalize("NFD", "\\u0130stanbul-caf\\xe9") + "-\\u8b1b\\u7fa9.mp4").encode())
name = clip_file_name(video, 1.2, 4.0, "01-")
part_file(Path(sys.argv[1]) / name)  # what `search --export-clips` and /api/clips make first
print(shown_path(name).encode("ascii", "backslashreplace").decode())
"""


def test_a_clip_of_an_accented_name_is_written_in_an_ascii_locale(tmp_path):
    """`serve` (or `search --export-clips`) under `LC_ALL=C PYTHONUTF8=0`: the clip of "İstanbul-café-講義.mp4" was a
    500 (UnicodeEncodeError: its name, made as text, cannot be a file name in ASCII). It is written under the
    name's UTF-8 bytes, as in a UTF-8 locale, and downloads under that name."""
    import unicodedata

    done = _in_ascii_locale(_CLIP_NAME, str(tmp_path))
    assert done.returncode == 0, done.stderr
    expected = "01-" + unicodedata.normalize("NFD", "İstanbul-café") + "-講義-1-4.mp4"
    assert done.stdout.strip().encode().decode("unicode_escape") == expected
    assert os.listdir(tmp_path) == [f".{expected}.part"]


@pytest.mark.parametrize("encoding", ["ascii", "cp1252"])
def test_the_index_summary_keeps_its_frame_on_a_stdout_that_cannot_write_the_names(monkeypatch, encoding):
    """`LC_ALL=C PYTHONUTF8=0` (or a Windows code page): rich laid the table out for "İstanbul" and the stream
    then wrote "\\u0130stanbul", so the rows ran past the frame and out of their columns. What stdout cannot write
    is escaped before the layout, and every line of the table is as wide as its frame."""
    import io

    from momentsearch.cli import output
    from momentsearch.types import FileResult, IndexReport

    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding=encoding, errors="backslashreplace"))
    names = ["İstanbul-ılık-café.mp4", "講義-🎓-photosynthesis.mp4", "Größe.mp4"]
    output.print_report(IndexReport(files=[FileResult(f"/talks/{n}", "indexed", duration=12.0,
                                                      channels=["transcript", "ocr"]) for n in names]))
    sys.stdout.flush()
    table = [line for line in raw.getvalue().decode(encoding).splitlines() if line[:1] in "|+"]
    assert len(table) > len(names) and len({len(line) for line in table}) == 1, "\n".join(table)
