"""Whether a file still holds the bytes a cache keeps: the store's one proof of "unchanged".

Stat can prove that a file changed, never that it did not (an in-place edit
that keeps size and mtime, a file system with coarse timestamps), so every
read of a cached file compares its bytes. This is the hot path of every
magic on a large journal, so it is done the cheap way where that is safe:

- Under a read lease the file is mapped and compared where it lies in the
  page cache. No writer can open or truncate the file while the lease is held,
  so the mapping cannot shrink under the comparison (a truncated mapping ends
  the process with SIGBUS). Nothing is copied, and no chunk is handed to the
  kernel with the GIL let go: each such read may wait for a busy thread (in a
  kernel, IPython's history writer) to give the GIL back. 8 MB: about 0.7 ms.
- Without a lease (the file is open for writing, or leases are not to be had)
  it is read a chunk at a time into one kept buffer and compared while the
  chunk is in the CPU's cache: 8 MB in about 1 ms.
"""

from __future__ import annotations

import mmap
import os
import threading
from pathlib import Path

from . import lease
from .snapshot import Snapshot

#: How much of a file is read and compared at a time without a lease.
CHUNK = 256 * 1024

_buffer = bytearray()  # made at the first read without a lease, kept for the next
_reading = threading.Lock()  # one buffer: one reader at a time


def holds(path: Path, snapshot: Snapshot) -> bool:
    """Whether the file at ``path`` holds exactly ``snapshot``'s bytes (False when it cannot be read:
    the reading path then says why)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        if os.fstat(fd).st_size != snapshot.size:
            return False
        if not snapshot.size:
            return True
        if lease.hold(fd):
            try:
                with mmap.mmap(fd, snapshot.size, access=mmap.ACCESS_READ) as mapped, memoryview(mapped) as view:
                    return snapshot.equals(view)
            finally:
                lease.release(fd)
        return _read_holds(fd, snapshot)
    except (OSError, ValueError):
        return False
    finally:
        os.close(fd)


def _read_holds(fd: int, snapshot: Snapshot) -> bool:
    global _buffer
    with _reading, open(fd, "rb", buffering=0, closefd=False) as fh:
        scratch = _buffer = _buffer or bytearray(CHUNK)
        with memoryview(scratch) as view:
            for expected in snapshot.chunks(len(scratch)):
                got = 0
                while got < len(expected) and (n := fh.readinto(view[got : len(expected)])):
                    got += n
                if got < len(expected) or not scratch.startswith(expected):
                    return False
            return not fh.readinto(view[:1])  # and nothing after them
