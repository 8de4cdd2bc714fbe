"""Leases (core/lease.py): a descriptor left open for writing is waited for once, not at every read, but a
change since (a new file that got the same inode number, or a write by its holder) is waited for again."""

from __future__ import annotations

import os
import time

from jupyter_expjournal.core import lease


def waited(path, timeout=0.2) -> float:
    fd = os.open(path, os.O_RDONLY)
    try:
        t0 = time.monotonic()
        assert lease.hold_within(fd, timeout) is False
        return time.monotonic() - t0
    finally:
        os.close(fd)


def test_a_file_left_open_for_writing_is_waited_for_once_until_it_changes(tmp_path):
    path = tmp_path / "journal.md"
    path.write_bytes(b"# Journal\n")
    holder = os.open(path, os.O_WRONLY | os.O_APPEND)  # a descriptor left open for writing (not saving)
    try:
        assert waited(path) >= 0.2
        assert waited(path) < 0.05  # known as left open: not waited for again
        time.sleep(0.01)
        os.write(holder, b"a line\n")  # its holder writes: a save may be under way again
        assert waited(path) >= 0.2
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        os.write(fd, b"ours\n")
        lease.wrote(fd)  # the store's own append: the file stays known as left open
        os.close(fd)
        assert waited(path) < 0.05
    finally:
        os.close(holder)
