"""`python -m bot …` runs the `fupin` command line (for a checkout without the console script)."""

import sys

from bot.cli import main

sys.exit(main(sys.argv[1:]))
