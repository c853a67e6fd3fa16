"""The command line: `momentsearch index|search|info|serve|...` (main.py), its tables and bars (output.py).

The console script runs `from momentsearch.cli import main; sys.exit(main())`: the commands (and with them
numpy, the API, ...) are imported here, so a Ctrl-C while they load leaves a `main` that ends as a Ctrl-C
later does, with one line and exit status 130, instead of a traceback.
"""

from __future__ import annotations

import sys

from momentsearch.cli.stopping import INTERRUPTED  # (the standard library only: cheap, and safe to import first)

try:
    from momentsearch.cli.main import main
except KeyboardInterrupt:  # Ctrl-C while the libraries load: nothing ran yet, nothing to undo

    def main(argv: list[str] | None = None) -> int:  # type: ignore[misc]
        print("momentsearch: interrupted", file=sys.stderr)
        return INTERRUPTED


__all__ = ["main"]
