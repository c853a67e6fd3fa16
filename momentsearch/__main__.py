"""`python -m momentsearch ...` runs the command line, as `python -m momentsearch.cli ...` does."""

import sys

from momentsearch.cli import main

sys.exit(main())
