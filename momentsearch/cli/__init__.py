"""The command line: `momentsearch index|search|info|serve|...` (main.py), its tables and bars (output.py).

`main` here is the console script's entry point. It imports the commands (and with them numpy, the
API, ...) inside itself, so a Ctrl-C while they load ends as one later does: one line, exit status 130,
no traceback.
"""

from __future__ import annotations

import sys

INTERRUPTED = 130  # the exit status of a command stopped by Ctrl-C (128 + SIGINT), as shells report it


def main(argv: list[str] | None = None) -> int:
    """Runs `momentsearch ARGS` (cli/main.py's main) and returns its exit status."""
    try:
        from momentsearch.cli.main import main as run
    except KeyboardInterrupt:
        print("momentsearch: interrupted", file=sys.stderr)
        return INTERRUPTED
    finally:
        globals()["main"] = _entry  # importing the submodule cli/main.py rebinds the package's `main` to it
    return run(argv)


_entry = main

__all__ = ["main"]
