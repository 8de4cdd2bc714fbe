"""Whether a file still holds the bytes a cache keeps: the store's one proof of "unchanged".

Stat can prove that a file changed, never that it did not (an in-place edit
that keeps size and mtime, a file system with coarse timestamps), so every
read of a cached file compares its bytes: a size that differs settles it at
once; otherwise the file is read a chunk at a time into one kept buffer and
each chunk compared while it is in the CPU's cache (8 MB in about 1 ms). This
is the hot path of every magic on a large journal. (Mapping the file under a
read lease and comparing it where it lies was tried: 0.7 ms on its own, the
same as this inside the magic, so the simpler way stays.)
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from .snapshot import Snapshot

#: How much of a file is read and compared at a time.
CHUNK = 256 * 1024

_buffer = bytearray()  # made at the first check, kept for the next
_reading = threading.Lock()  # one buffer: one reader at a time


def holds(path: Path, snapshot: Snapshot) -> bool:
    """Whether the file at ``path`` holds exactly ``snapshot``'s bytes (False when it cannot be read:
    the reading path then says why)."""
    global _buffer
    try:
        with _reading, open(path, "rb", buffering=0) as fh:
            if os.fstat(fh.fileno()).st_size != snapshot.size:
                return False  # stat can prove a change
            scratch = _buffer = _buffer or bytearray(CHUNK)
            with memoryview(scratch) as view:
                for expected in snapshot.chunks(len(scratch)):
                    got = 0
                    while got < len(expected) and (n := fh.readinto(view[got : len(expected)])):
                        got += n
                    if got < len(expected) or not scratch.startswith(expected):
                        return False
                return not fh.readinto(view[:1])  # and nothing after them
    except OSError:
        return False
