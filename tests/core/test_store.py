"""The store: atomic rewrites, single-write appends, a lock that serialises processes."""

import multiprocessing
import os
import stat

import pytest

from jupyter_expjournal.core.draft import parse_body
from jupyter_expjournal.core.errors import JournalError
from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.journal_format import parse_journal
from jupyter_expjournal.core.lock import DirLock
from jupyter_expjournal.core.model import Outcome
from jupyter_expjournal.core.store import TextFile


def test_replace_is_atomic_and_keeps_the_mode(tmp_path):
    path = tmp_path / "journal.md"
    path.write_text("old\n")
    path.chmod(0o640)
    f = TextFile(path, DirLock(tmp_path / ".lock"))
    f.replace("new\n")
    assert path.read_text() == "new\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["journal.md"]  # no temp file left


def test_cache_notices_outside_edits(tmp_path):
    path = tmp_path / "journal.md"
    f = TextFile(path, DirLock(tmp_path / ".lock"))
    path.write_text("### 2026-01-01 00:00 — a\n")
    assert [e.name for e in f.parsed("e", parse_journal)[1]] == ["a"]
    path.write_text("### 2026-01-01 00:00 — b\n")  # same size, new content
    os.utime(path, ns=(1, 1))
    assert [e.name for e in f.parsed("e", parse_journal)[1]] == ["b"]


def test_append_failure_is_a_clear_error(tmp_path):
    f = TextFile(tmp_path / "missing" / "journal.md", DirLock(tmp_path / ".lock"))
    with pytest.raises(JournalError, match="cannot write"):
        f.append("x")


def _writer(folder, worker, count):
    journal = Journal(folder)
    for i in range(count):
        name = f"w{worker}-{i}"
        journal.hypothesize(parse_body(name, f"h {name}\nbaseline: acc = 0.5"), parallel=True)
        journal.complete(Outcome(output=f"acc = 0.{i}"), name=name)
        journal.add_lesson(f"lesson {name}")


def test_concurrent_processes_lose_nothing(tmp_path):
    folder = tmp_path / "experiments"
    workers, count = 4, 15
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(folder, w, count)) for w in range(workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    journal = Journal(folder)
    names = sorted(e.name for e in journal.entries())
    assert names == sorted(f"w{w}-{i}" for w in range(workers) for i in range(count))
    assert all(e.status == "COMPLETED" and e.actual.startswith("acc = ") for e in journal.entries())
    lessons = sorted(lesson.text for lesson in journal.lessons().lessons)
    assert lessons == sorted(f"lesson w{w}-{i}" for w in range(workers) for i in range(count))
