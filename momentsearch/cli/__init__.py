"""The command line: `momentsearch index|search|info|serve|...` (main.py), its tables and bars (output.py)."""

from momentsearch.cli.main import main

__all__ = ["main"]
