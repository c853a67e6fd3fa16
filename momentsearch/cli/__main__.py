"""`python -m momentsearch.cli ...` runs the command line."""

import sys

from momentsearch.cli import main

sys.exit(main())
