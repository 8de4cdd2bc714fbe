"""``jupyter expjournal format [--check]``: the diff first, then the rewrite; --check writes nothing and exits 1."""

import subprocess
import sys

COMPACT = """# Experiment journal

### 2026-11-25 14:03 — SVC C=10
**Status**: COMPLETED
**Hypothesis**: A larger C fits tighter.
**Config**:
- C: 1 → 10
  **Expected outcome**: accuracy +0.01
**Baseline**: accuracy = 0.95
**Actual outcome**: accuracy = 0.97
**Learning**: C helps
"""
FORMATTED = """# Experiment journal

### 2026-11-25 14:03 — SVC C=10
**Status**: COMPLETED

**Hypothesis**: A larger C fits tighter.

**Config**:
- C: 1 → 10

**Expected outcome**: accuracy +0.01

**Baseline**: accuracy = 0.95

**Actual outcome**: accuracy = 0.97

**Learning**: C helps
"""
LESSONS = "## Lessons\n- 2026-11-25 SVC: C helps. Source: run 1\nA note under it.\n"


def write(run, journal=COMPACT, lessons=None):
    run.dir.mkdir(parents=True, exist_ok=True)
    (run.dir / "journal.md").write_bytes(journal.encode())
    if lessons is not None:
        (run.dir / "lessons.md").write_bytes(lessons.encode())


def test_check_shows_the_diff_writes_nothing_and_exits_1(run):
    write(run, lessons=LESSONS)
    code, out, err = run("format", "--check")
    assert code == 1
    assert out.startswith("--- a/journal.md\n+++ b/journal.md\n@@ ")
    assert "\n-  **Expected outcome**: accuracy +0.01\n" in out and "\n+**Expected outcome**: accuracy +0.01\n" in out
    assert "--- a/lessons.md\n+++ b/lessons.md\n" in out
    assert "journal.md: 1 entry would be reformatted" in err and "lessons.md: 1 lesson or rule would be" in err
    assert "jupyter expjournal format" in err
    assert (run.dir / "journal.md").read_text() == COMPACT and (run.dir / "lessons.md").read_text() == LESSONS


def test_format_prints_the_diff_then_writes_and_a_second_run_has_nothing_to_do(run):
    write(run, lessons=LESSONS)
    code, out, err = run("format")
    assert code == 0 and out.startswith("--- a/journal.md\n") and "reformatted" in err
    assert (run.dir / "journal.md").read_text() == FORMATTED
    assert (run.dir / "lessons.md").read_text() == LESSONS.replace("run 1\nA note", "run 1\n\nA note")
    code, out, err = run("format", "--check")
    assert (code, out) == (0, "") and "nothing to reformat" in err
    code, out, _ = run("check")
    assert "indented" not in out


def test_check_names_a_field_indented_under_a_list_item(run):
    write(run)
    code, out, _ = run("check")
    assert code == 1
    assert "journal.md:8: '2026-11-25 14:03 — SVC C=10' **Expected outcome** is indented under a list item" in out
    code, out, _ = run("list")
    assert "accuracy" in out  # and it is read: the entry has its fields
    code, out, _ = run("show", "SVC C=10")
    assert "  **Expected outcome**" in out  # shown as written


def test_format_takes_dir_before_or_after_and_leaves_a_formatted_journal_alone(run, tmp_path):
    write(run, FORMATTED)
    before = (run.dir / "journal.md").stat().st_mtime_ns
    assert run("--dir", run.dir, "format")[0] == 0
    assert run("format", "--dir", run.dir, "--check")[0] == 0
    assert (run.dir / "journal.md").stat().st_mtime_ns == before


def test_an_unreadable_journal_is_one_error_and_nothing_written(run):
    run.dir.mkdir(parents=True)
    (run.dir / "journal.md").write_bytes(b"### 2026-11-25 \xff bad\n**Status**: PLANNED\n**Baseline**: x\n")
    code, out, err = run("format")
    assert code == 4 and out == "" and err.count("\n") == 1 and "not UTF-8" in err
    assert (run.dir / "journal.md").read_bytes().startswith(b"### 2026-11-25 \xff")


def test_a_journal_that_does_not_exist_yet_is_nothing_to_do(run):
    code, _, err = run("format", "--check")
    assert code == 0 and "nothing to reformat" in err and not run.dir.exists()


def test_format_has_help_and_refuses_an_unknown_option(run):
    code, out, _ = run("format", "--help")
    assert code == 0 and "--check" in out and "diff" in out
    code, _, err = run("format", "--write")
    assert code == 2 and "unrecognized arguments: --write" in err


def test_format_as_a_process_for_ci(tmp_path):
    folder = tmp_path / "experiments"
    folder.mkdir()
    (folder / "journal.md").write_text(COMPACT, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "jupyter_expjournal", "format", "--check", "--dir", str(folder)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stdout.startswith("--- a/journal.md")


def test_format_shows_the_diff_before_it_writes(tmp_path):
    """The diff is on standard output before the write waits for the folder's lock (held here by another writer)."""
    import fcntl
    import selectors
    import time

    folder = tmp_path / "experiments"
    folder.mkdir()
    (folder / "journal.md").write_text(COMPACT, encoding="utf-8")
    with open(folder / ".expjournal.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        proc = subprocess.Popen([sys.executable, "-m", "jupyter_expjournal", "format", "--dir", str(folder)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            selector = selectors.DefaultSelector()
            selector.register(proc.stdout, selectors.EVENT_READ)
            shown, deadline = b"", time.monotonic() + 20
            while b"+**Expected outcome**" not in shown and time.monotonic() < deadline and proc.poll() is None:
                if selector.select(timeout=0.5):
                    shown += proc.stdout.read1(65536)
            assert shown.startswith(b"--- a/journal.md\n"), "no diff while the write waited for the lock"
            assert (folder / "journal.md").read_text(encoding="utf-8") == COMPACT  # not written yet
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert (shown + out).count(b"--- a/journal.md") == 1  # the diff once
    assert (folder / "journal.md").read_text(encoding="utf-8") == FORMATTED
