"""``python -m jupyter_expjournal ...``: the same command line as ``jupyter expjournal``."""

import sys

from .cli import main

sys.exit(main())
