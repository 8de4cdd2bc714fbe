"""The parse kept on disk between processes is never trusted over the file.

Fresh processes (the CLI) read a large journal: the cached parse must give
exactly what parsing the file gives, after an append, after an in-place edit
that keeps the size, and with a damaged cache file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from jupyter_expjournal.core.journal_format import render_entry
from jupyter_expjournal.core.store import PERSIST_FROM

from .support import ROOT, child_env


def entry(i: int) -> str:
    fields = [("Status", "COMPLETED"), ("Hypothesis", f"run {i} hypothesis " + "x" * 400),
              ("Baseline", "acc = 0.5"), ("Actual outcome", f"acc = 0.{i % 90 + 10}"), ("Learning", f"lesson {i}")]
    return render_entry(f"2026-11-{i % 28 + 1:02d} 10:00", f"run {i}", fields)


@pytest.fixture
def large(tmp_path):
    folder = tmp_path / "experiments"
    folder.mkdir()
    (folder / "journal.md").write_text("# Journal\n\n" + "\n".join(entry(i) for i in range(800)), encoding="utf-8")
    assert (folder / "journal.md").stat().st_size > PERSIST_FROM
    return folder


def cli(folder: Path, cache: Path, *args: str, enabled: bool = True) -> str:
    env = child_env(XDG_CACHE_HOME=str(cache), EXPJOURNAL_CACHE="1" if enabled else "0")
    done = subprocess.run([sys.executable, "-m", "jupyter_expjournal", "--dir", str(folder), *args],
                          env=env, capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


def cached_files(cache: Path) -> list[Path]:
    return sorted((cache / "jupyter_expjournal").glob("*.pickle"))


def test_a_fresh_process_reads_the_cached_parse_and_gets_what_the_file_says(large, tmp_path):
    cache = tmp_path / "cache"
    truth = cli(large, cache, "list", "--json", enabled=False)
    first = cli(large, cache, "list", "--json")  # parses, keeps the parse
    assert cached_files(cache)
    assert first == truth and cli(large, cache, "list", "--json") == truth  # the second comes from the cache


def test_an_in_place_edit_that_keeps_the_size_is_seen_through_the_cache(large, tmp_path):
    cache = tmp_path / "cache"
    cli(large, cache, "list")
    path = large / "journal.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("lesson 7\n", "LESSON 7\n"), encoding="utf-8")  # same size, same entry count
    assert "LESSON 7" in cli(large, cache, "show", "run", "7")
    assert cli(large, cache, "list", "--json") == cli(large, cache, "list", "--json", enabled=False)


def test_an_append_extends_the_cached_parse(large, tmp_path):
    cache = tmp_path / "cache"
    cli(large, cache, "list")
    with open(large / "journal.md", "a", encoding="utf-8") as fh:
        fh.write("\n" + entry(999).replace("run 999", "the newest run"))
    out = cli(large, cache, "list")
    assert out.count("\n") == 801 and "the newest run" in out.splitlines()[-1]
    assert cli(large, cache, "list", "--json") == cli(large, cache, "list", "--json", enabled=False)


@pytest.mark.parametrize("damage", [b"", b"not a pickle", None])
def test_a_damaged_or_foreign_cache_file_is_only_a_miss(large, tmp_path, damage):
    cache = tmp_path / "cache"
    cli(large, cache, "list")
    (cached,) = cached_files(cache)
    if damage is None:  # a cache written for other bytes of the same size
        data = cached.read_bytes()
        cached.write_bytes(data[: len(data) // 2])
    else:
        cached.write_bytes(damage)
    assert cli(large, cache, "list", "--json") == cli(large, cache, "list", "--json", enabled=False)


def test_the_first_review_keeps_each_entrys_analysis_for_the_next_process(large, tmp_path):
    import pickle

    cache = tmp_path / "cache"
    cli(large, cache, "list")  # a plain read keeps the parse without the analysis' facts
    (cached,) = cached_files(cache)
    with open(cached, "rb") as fh:
        assert pickle.load(fh)[3] is False
    truth = cli(large, cache, "review", enabled=False)
    assert cli(large, cache, "review") == truth
    with open(cached, "rb") as fh:
        assert pickle.load(fh)[3] is True  # ... the first review adds them
    assert cli(large, cache, "review") == truth


def test_the_cache_folder_keeps_only_the_journals_used_last(tmp_path, monkeypatch):
    """Every temp folder of a test suite is a journal: the cache must not grow without bound."""
    from jupyter_expjournal.core import parse_cache

    cache = tmp_path / "cache"
    monkeypatch.setattr(parse_cache, "KEEP", 3)  # the same rule as 32, with fewer folders to make
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    from jupyter_expjournal.core.journal import Journal

    text = "# Journal\n\n" + "\n".join(entry(i) for i in range(800))
    folders = []
    for n in range(5):
        folder = tmp_path / f"p{n}" / "experiments"
        folder.mkdir(parents=True)
        (folder / "journal.md").write_text(text + f"\nnote {n}\n", encoding="utf-8")
        Journal(folder).entries()  # a full parse of a large journal: kept on disk
        folders.append(folder)
    (cache / "jupyter_expjournal" / ".dead-save.tmp").write_bytes(b"x")
    os.utime(cache / "jupyter_expjournal" / ".dead-save.tmp", (1, 1))
    Journal(folders[0]).entries()  # parsed again (its file was pruned), kept again, prunes
    kept = cached_files(cache)
    assert len(kept) == 3
    assert not (cache / "jupyter_expjournal" / ".dead-save.tmp").exists()
    # the journal used last is among those kept: a fresh process reads it from the cache
    assert parse_cache.load(folders[0] / "journal.md", (folders[0] / "journal.md").read_bytes()) is not None


def test_a_loaded_parse_that_is_dropped_is_collected(large, tmp_path, monkeypatch):
    """A parse loaded from disk is hidden from the collector while it is in use, and given back when replaced."""
    import gc
    import weakref

    from jupyter_expjournal.core.journal import Journal

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    Journal(large).review()  # parses and keeps the parse, with the analysis' facts, on disk
    journal = Journal(large)  # a new reader: loads it from disk
    first = journal.entries(derived=True)[0]  # the rest of each entry's state: its effects, which point back
    probe = weakref.ref(first)
    assert gc.is_tracked(first) and first.derived  # entry -> its effects -> entry: a cycle only the collector frees
    del first
    path = large / "journal.md"
    path.write_text(path.read_text(encoding="utf-8").replace("run 0 hypothesis", "run 0 edited!!", 1), encoding="utf-8")
    journal.entries()  # a hand edit: parsed afresh, the loaded parse is dropped
    gc.collect()
    assert probe() is None
    gc.unfreeze()


def test_the_light_part_of_a_cached_parse_comes_first_and_the_rest_when_asked(large, tmp_path, monkeypatch):
    """A fresh reader loads each entry's fields at once and what was derived from them only when asked."""
    from jupyter_expjournal.core.analysis import measured_effects
    from jupyter_expjournal.core.journal import Journal
    from jupyter_expjournal.core.journal_format import parse_journal

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    Journal(large).review()  # keeps the parse with every entry's facts
    journal = Journal(large)
    entries = journal.entries()
    assert all(not e.derived and "measured" not in e.__dict__ for e in entries)  # light: fields only
    fresh = parse_journal((large / "journal.md").read_text(encoding="utf-8"))
    assert [(e.name, e.fields, e.span, e.status) for e in entries] == [(e.name, e.fields, e.span, e.status) for e in fresh]
    full = journal.entries(derived=True)
    assert full is entries and all(e.derived and "measured" in e.__dict__ for e in entries)
    assert [e.measured for e in entries] == [e.measured for e in fresh]
    assert [[(f.metric, f.change) for f in e.derived["effects"]] for e in entries] == [
        [(f.metric, f.change) for f in measured_effects(e)] for e in fresh]
    assert all(effect.entry is e for e in entries for effect in e.derived["effects"])  # references resolved


def test_a_review_from_the_kept_analysis_says_what_analysing_again_says(large, tmp_path):
    """The analysis of every entry is kept for the next process; lessons.md is read afresh."""
    path = large / "journal.md"
    with open(path, "a", encoding="utf-8") as fh:  # an open entry, so that a rule can be "ahead"
        fh.write("\n" + render_entry("2026-11-30 09:00", "open run", [("Status", "PLANNED"), ("Hypothesis", "h"),
                                                                        ("Change", "acc_bias 0 → 1")]))
    cache = tmp_path / "cache"
    cli(large, cache, "review", "-n", "3")  # analyses, keeps the parse and the analysis
    assert (cache / "jupyter_expjournal").is_dir() and any((cache / "jupyter_expjournal").glob("*.analysis.pickle"))
    for change in ("nothing", "a rule about the open change", "a lesson"):
        if change == "a rule about the open change":
            (large / "lessons.md").write_text("## Rules (hard-won)\n\n- NEVER raise acc_bias because it leaks. "
                                              "Learned: 2026-11-29\n", encoding="utf-8")
        elif change == "a lesson":
            with open(large / "lessons.md", "a", encoding="utf-8") as fh:
                fh.write("\n## Lessons\n\n- 2026-12-01 runs: keep the seed fixed\n")
        truth = cli(large, cache, "review", "-n", "3", enabled=False)
        assert cli(large, cache, "review", "-n", "3") == truth, change
    assert "acc_bias" in truth and "lessons" in truth.lower()


@pytest.mark.parametrize("change", ["entries appended", "the last entry completed by hand", "an early entry edited in place",
                                    "the last heading removed", "many entries appended"])
def test_a_review_from_the_kept_sums_after_a_change_says_what_analysing_again_says(large, tmp_path, change):
    """The sums are kept for all entries but the last: a later version that only grew adds to them; any other
    change (an early entry edited, the entry they end before gone) is analysed afresh."""
    cache = tmp_path / "cache"
    path = large / "journal.md"
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("\n" + render_entry("2026-11-30 09:00", "open run", [("Status", "PLANNED"), ("Hypothesis", "h"),
                                                                        ("Change", "lr 1 → 2")]))
    cli(large, cache, "review", "-n", "2")  # analyses, keeps the sums
    text = path.read_text(encoding="utf-8")
    if change == "entries appended":
        text += "\n" + entry(900) + "\n" + entry(901)
    elif change == "many entries appended":
        text += "\n" + "\n".join(entry(1000 + i) for i in range(150))
    elif change == "the last entry completed by hand":
        text = text.replace("**Status**: PLANNED", "**Status**: COMPLETED") + "**Actual outcome**: acc = 0.99\n"
    elif change == "an early entry edited in place":
        text = text.replace("acc = 0.10", "acc = 0.97", 1)
    elif change == "the last heading removed":  # its lines join the entry before, which the sums hold
        text = text.replace("### 2026-11-30 09:00 — open run\n", "") + "\n" + entry(900) + "\n" + entry(901)
    path.write_text(text, encoding="utf-8")
    truth = cli(large, cache, "review", "-n", "2", enabled=False)
    assert cli(large, cache, "review", "-n", "2") == truth
    assert cli(large, cache, "review", "-n", "2") == truth  # and again, from what the last one kept
