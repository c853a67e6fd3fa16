"""The CLI's stdout and stderr when a script reads them: a non-UTF-8 file name prints escaped, and a reader
of stderr that has gone (`momentsearch index talks/ 2>&1 | head -1`, `| grep -m1 warning`) stops no run.

Progress and messages go to stderr. When its reader goes, Python raised BrokenPipeError at the next line:
`index` stopped part way with exit status 0 (taken for "the reader had what it wanted"), and an error's
own message, raised again while printing it, ended with status 1 ("some files failed"). The rest of the
messages now go nowhere, the run goes on, and the exit status is the run's own."""

from __future__ import annotations

import codecs
import contextlib
import json
import os
import re
import sys

_NOT_ASCII = re.compile(r"[^\x00-\x7f]")


class _ReaderMayGo:
    """A text stream that, once a write or flush finds no reader, drops what is written from then on."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._drop()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._drop()

    def _drop(self) -> None:
        try:
            fd = self._stream.fileno()
        except (AttributeError, OSError, ValueError):  # an in-memory stream has no descriptor
            fd = None
        if fd is not None:  # what the stream still holds, and Python's flush at exit, go to /dev/null too
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, fd)
            os.close(null)
        self._stream = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process

    def __getattr__(self, name: str):  # isatty, fileno, encoding, ... as the stream's own
        return getattr(self._stream, name)


def stdout_gone() -> None:
    """stdout's reader has gone (`| head -1`): what it still holds, and Python's flush at exit, go to /dev/null."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # an in-memory stream (a test's): nothing to redirect
        return
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, fd)
    os.close(null)


@contextlib.contextmanager
def script_friendly_streams():
    """While a command runs: unencodable characters print escaped; stderr outlives its reader."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    before = sys.stderr
    if before is not None:
        sys.stderr = _ReaderMayGo(before)
    try:
        yield
    finally:
        if sys.stderr is not before and isinstance(sys.stderr, _ReaderMayGo):
            sys.stderr.flush()
            sys.stderr = before


def _stdout_takes_utf8() -> bool:
    try:
        return codecs.lookup(sys.stdout.encoding or "ascii").name == "utf-8"
    except (AttributeError, LookupError):
        return False


def for_stdout(json_text: str) -> str:
    """A JSON document as stdout can carry it: as it is where stdout is UTF-8; else every non-ASCII character
    as a \\u escape (`PYTHONUTF8=0 LC_ALL=C`, a Windows code page: the "backslashreplace" of such a stream
    wrote \\xe9 into strings, which no JSON reader takes)."""
    if json_text.isascii() or _stdout_takes_utf8():
        return json_text
    return _NOT_ASCII.sub(lambda m: json.dumps(m.group())[1:-1], json_text)


def print_json(value, **options) -> None:
    """Print `value` as one JSON document, non-ASCII text as itself where stdout is UTF-8 (as every command's
    --json does), escaped where it is not (`for_stdout`)."""
    flush = options.pop("flush", False)
    print(for_stdout(json.dumps(value, ensure_ascii=False, **options)), flush=flush)
