"""Tidying up after a write, quietly: what fails here must not hide the error that brought us here.

A close after an interrupt, the removal of a temp file that may already be
gone, the folder's fsync after a rename (a file system that cannot fsync a
folder still renamed): none of these may raise over the real outcome.
"""

from __future__ import annotations

import os


def close(fd: int | None) -> None:
    """Close ``fd`` (None: nothing to do; already closed: an interrupt came between a close and forgetting it)."""
    if fd is not None:
        try:
            os.close(fd)
        except OSError:
            pass


def unlink(path: str | os.PathLike | None) -> None:
    """Remove ``path`` if it is still there (None: nothing to do)."""
    if path is not None:
        try:
            os.unlink(path)
        except OSError:
            pass


def fsync_dir(directory: str | os.PathLike) -> None:
    """Make a rename in ``directory`` durable, where the file system can."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
