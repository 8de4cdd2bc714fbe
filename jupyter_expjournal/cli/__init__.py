"""The command line, ``jupyter expjournal ...`` (see :mod:`.main`)."""

from .main import main

__all__ = ["main"]
