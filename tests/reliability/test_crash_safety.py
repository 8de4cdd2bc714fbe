"""Writers killed with SIGKILL mid-write: the files are always exactly a state some writer produced.

A writer does a known sequence of writes (appends, result rewrites, lesson
rewrites; see crash_writer.py). The test computes the bytes of journal.md and
lessons.md after every write, then kills real writer processes at random
moments, again and again, and after each kill demands that the pair of files is
one of those states, never a torn or half-written one, that the states only move
forward, and that the lock a killed writer held does not delay the next one.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import signal
import subprocess
import sys
import time

from jupyter_expjournal.core.draft import parse_body
from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.journal_format import parse_journal

from . import crash_writer
from .support import HERE, child_env

COUNT = 120  # experiments: 360 writes


def digest(path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return "absent"


def reference_states(folder, count):
    """[(journal digest, lessons digest)] after 0, 1, 2, ... writes, done here by the same code."""
    folder.mkdir()
    journal = Journal(folder)
    states = [(digest(folder / "journal.md"), digest(folder / "lessons.md"))]
    for i in range(count):
        for step in crash_writer.STEPS:
            step(journal, i)
            states.append((digest(folder / "journal.md"), digest(folder / "lessons.md")))
    return states


def start_writer(folder, count):
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "crash_writer.py"), str(folder), str(count)],
        env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdout.readline() == b"ready\n", proc.stderr.read().decode(errors="replace")
    return proc


def test_killed_writers_leave_only_whole_states(tmp_path):
    states = reference_states(tmp_path / "reference", COUNT)
    index = {state: k for k, state in enumerate(states)}
    assert len(index) == len(states)  # every write changes the files
    final = len(states) - 1

    folder = tmp_path / "experiments"
    folder.mkdir()
    rng = random.Random(20261125)
    progress, kills, lock_waits = 0, 0, []
    while progress < final and kills < 300:
        proc = start_writer(folder, COUNT)
        time.sleep(rng.uniform(0, 0.08))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills += proc.returncode == -signal.SIGKILL
        state = (digest(folder / "journal.md"), digest(folder / "lessons.md"))
        assert state in index, f"after kill {kills}: the files are no state a writer produced (last good: write {progress})"
        assert index[state] >= progress, f"the files went back from write {progress} to {index[state]}"
        progress = index[state]
        # the killed writer may have held the lock: the next writer must get it at once
        t0 = time.perf_counter()
        with Journal(folder).lock:
            lock_waits.append(time.perf_counter() - t0)
    if progress < final:  # enough kills: let one writer finish
        proc = start_writer(folder, COUNT)
        assert proc.wait(60) == 0, proc.stderr.read().decode(errors="replace")
    assert (digest(folder / "journal.md"), digest(folder / "lessons.md")) == states[-1]
    assert kills >= 20, f"only {kills} writers were killed mid-run: the test proved little"
    assert max(lock_waits) < 1.0, f"a killed writer's lock delayed the next one by {max(lock_waits):.2f} s"
    entries = parse_journal((folder / "journal.md").read_text(encoding="utf-8"))
    assert [e.name for e in entries] == [crash_writer.name(i) for i in range(COUNT)]
    assert all(e.status == "COMPLETED" for e in entries)
    print(f"{kills} writers killed; {final} writes; longest wait for the lock after a kill {max(lock_waits) * 1e3:.1f} ms")
    leftovers = sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))
    assert not leftovers, f"{len(leftovers)} temp files of killed rewrites left in the experiments folder: {leftovers[:3]}"


LOCK_HOLDER = """
import sys, time
from jupyter_expjournal.core.journal import Journal
with Journal(sys.argv[1]).lock:
    print("locked", flush=True)
    time.sleep(120)
"""


def test_lock_of_a_killed_holder_does_not_block_the_next_write(tmp_path):
    folder = tmp_path / "experiments"
    folder.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(folder)], env=child_env(), stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline() == b"locked\n"
        assert (folder / ".expjournal.lock").exists()
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    assert (folder / ".expjournal.lock").exists()  # the file stays; the lock on it died with its holder
    t0 = time.perf_counter()
    Journal(folder).hypothesize(parse_body("after the kill", "h\nbaseline: acc = 0.5"))
    assert time.perf_counter() - t0 < 1.0
    assert [e.name for e in Journal(folder).entries()] == ["after the kill"]


TORN = """
import os, signal, sys
from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.draft import parse_body

real_write = os.write

def killed_between_pages(fd, data):
    # what Linux does to a write that spans pages when a SIGKILL arrives: the first page goes in, then the process dies
    if os.readlink(f"/proc/self/fd/{fd}").endswith("/journal.md") and len(data) > 1:
        page = os.sysconf("SC_PAGE_SIZE")
        first = page - os.fstat(fd).st_size % page
        if first < len(data):
            real_write(fd, data[:first])
            os.kill(os.getpid(), signal.SIGKILL)
    return real_write(fd, data)

os.write = killed_between_pages
body = "It lands whole.\\nbaseline: acc = 0.5\\n" + "x" * 300
Journal(sys.argv[1]).hypothesize(parse_body("across a page", body), parallel=True)
print("written", flush=True)
"""


def test_an_append_across_a_page_boundary_is_whole_or_absent_when_its_writer_is_killed(tmp_path):
    """A kill between the pages of one write leaves the first page in the file (Linux checks for a fatal
    signal between pages): an append that would cross one is an atomic replace, so the journal is the
    state before the append or the one after it, never part of the entry."""
    folder = tmp_path / "experiments"
    journal = Journal(folder)
    journal.hypothesize(parse_body("first", "A first entry.\nbaseline: acc = 0.5"), parallel=True)
    path = folder / "journal.md"
    page = os.sysconf("SC_PAGE_SIZE")
    with open(path, "a", encoding="utf-8") as fh:  # the file ends 40 bytes before a page boundary
        fh.write("n" * (page - path.stat().st_size % page - 41) + "\n")
    before = path.read_bytes()
    done = subprocess.run([sys.executable, "-c", TORN, str(folder)], env=child_env(), capture_output=True, timeout=60)
    after = path.read_bytes()
    whole = re.search(rb"x{300}\n\n\*\*Provenance\*\*: id [0-9a-f]{8}\n\Z", after)
    assert after == before or (done.returncode == 0 and after.startswith(before) and whole), (
        f"the journal holds part of an entry: {after[len(before):][:80]!r}")
