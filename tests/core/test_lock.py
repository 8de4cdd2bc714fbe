"""The folder's lock: one writer at a time across processes and threads, re-entrant within a thread."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from jupyter_expjournal.core import lock as lock_module
from jupyter_expjournal.core.errors import JournalError
from jupyter_expjournal.core.lock import DirLock


def test_the_lock_is_reentrant_within_a_thread_and_released_by_the_last_exit(tmp_path):
    lock = DirLock(tmp_path / ".expjournal.lock")
    other = DirLock(tmp_path / ".expjournal.lock")  # another Journal of the same folder in this process
    with lock, lock:
        pass
    with other:  # taken at once: the nested holds were all given back
        pass


def test_two_threads_do_not_both_hold_the_lock_even_through_one_object(tmp_path):
    lock = DirLock(tmp_path / ".expjournal.lock")
    inside, overlaps = [], []

    def write(n):
        for _ in range(50):
            with lock:
                inside.append(n)
                if len(inside) > 1:
                    overlaps.append(tuple(inside))
                time.sleep(0.0002)
                inside.remove(n)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlaps == []


HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
time.sleep(float(sys.argv[3]))
"""


def _held_by_another_process(tmp_path, seconds: float) -> subprocess.Popen:
    ready = tmp_path / "ready"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path / ".expjournal.lock"), str(ready), str(seconds)])
    while not ready.exists():
        assert holder.poll() is None
        time.sleep(0.005)
    return holder


def test_a_writer_waits_for_another_process_and_takes_the_lock_when_it_is_given_back(tmp_path):
    holder = _held_by_another_process(tmp_path, 0.3)
    t0 = time.monotonic()
    with DirLock(tmp_path / ".expjournal.lock"):
        waited = time.monotonic() - t0
    holder.wait(timeout=10)
    assert waited >= 0.2


def test_a_lock_held_too_long_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(lock_module, "LOCK_TIMEOUT", 0.2)
    holder = _held_by_another_process(tmp_path, 5)
    try:
        with pytest.raises(JournalError, match="locked by another writer .* for more than"):
            with DirLock(tmp_path / ".expjournal.lock"):
                pass
    finally:
        holder.kill()
        holder.wait()


def test_a_writer_waiting_on_a_lock_file_that_was_replaced_takes_the_new_files_lock(tmp_path):
    """Waiting on the old file's lock and then holding it would let two writers in: one on each file."""
    path = tmp_path / ".expjournal.lock"
    holder = _held_by_another_process(tmp_path, 30)
    got = threading.Event()
    waiter = DirLock(path)
    t = threading.Thread(target=lambda: (waiter.__enter__(), got.set(), waiter.__exit__(None, None, None)))
    t.start()
    time.sleep(0.1)  # the thread waits on the old file's lock
    path.unlink()
    path.write_text("")  # someone tidied the folder up; the next writer makes a new lock file
    with DirLock(path):  # and takes its lock
        holder.kill()  # the old file's lock is given back: the waiting thread gets it...
        holder.wait()
        time.sleep(0.2)
        assert not got.is_set(), "a second writer got in while the new lock file's lock is held"
    t.join(timeout=5)  # ...sees it holds a file no longer there, and takes the new one's when it is free
    assert got.is_set()
