"""`python -m momentsearch.cli ...` runs the command line."""

import sys

from momentsearch.cli.main import main

sys.exit(main())
