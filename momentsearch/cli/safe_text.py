"""Text fit for the terminal the CLI writes to (cli/output.py's lines and tables, main.py's errors)."""

from __future__ import annotations

import codecs
import sys

from momentsearch.types import shown_path


def safe_text(text: str) -> str:
    """Text fit for a terminal: control characters (an escape sequence in a file name could move the
    cursor, retitle the window or hide text) shown as \\xNN / \\uNNNN, everything else as is; and so is
    what stdout cannot write (`LC_ALL=C PYTHONUTF8=0`, a Windows code page), escaped here as the stream would
    escape it, so a line or table is laid out for its real width (a summary's rows ran past their frame)."""
    writes = _writable()
    return "".join(ch if (ch.isprintable() or ch == " ") and (ch.isascii() or writes(ch))
                   else ch.encode("unicode_escape").decode("ascii")
                   for ch in shown_path(str(text)))  # a name's bytes that are no UTF-8: \\xNN too


def _writable():
    """Whether stdout's encoding writes a character (always, where it is UTF-8)."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        if codecs.lookup(encoding).name == "utf-8":
            return lambda ch: True
    except LookupError:
        return lambda ch: True

    def writes(ch: str) -> bool:
        try:
            ch.encode(encoding)
            return True
        except UnicodeEncodeError:
            return False
    return writes
