"""The merge driver tried as a team would, adversarially, with real git: each case a repository made here.

Entries without ids (an older journal, hand-written ones), an entry abandoned
on one side and completed on the other, an entry deleted on one side, a
sweep, CRLF files, a byte-order mark, ``format`` run on one side, ``git
cherry-pick``, journal.md new on both sides (no common ancestor's text), a
file that is not a journal, an experiments folder not at the repository's
top. Whatever the case, no byte of user text is lost or doubled.
"""

from __future__ import annotations

from pathlib import Path

import git_repo
import pytest
from git_repo import MARKER, cli, commit, complete, entries, git, journal, run

from jupyter_expjournal.core.journal_format import parse_journal

HEAD = "# Experiment journal\n\n"
#: Two entries as an older journal has them: written by hand, in the compact form, without ids.
OLD = (HEAD + "### 2026-11-20 09:00 — old one\n**Status**: COMPLETED\n**Hypothesis**: depth helps\n"
       "**Actual outcome**: accuracy = 0.9\n**Learning**: it did\n\n"
       "### 2026-11-20 10:00 — old two\n**Status**: PLANNED\n**Hypothesis**: width helps\n"
       "**Change**: width 8 → 16\n**Expected**: accuracy +0.01\n**Baseline**: accuracy = 0.9\n")


def plan(repo: Path, name: str, *extra: str) -> None:
    """An experiment planned beside those open ('open on main' stays open on every branch)."""
    git_repo.plan(repo, name, "--parallel", *extra)


def start(tmp_path: Path, text: str | None = None) -> Path:
    """A repository on main with the driver set up: ``text`` as journal.md, or two entries logged by the CLI."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    if text is None:
        plan(repo, "depth 3")
        complete(repo, "depth 3", "0.95")
        plan(repo, "open on main")
    else:
        (repo / "experiments").mkdir()
        (repo / "experiments" / "journal.md").write_bytes(text.encode("utf-8"))
    cli(repo, "git-setup")
    commit(repo, "base")
    return repo


def on_branch(repo: Path, name: str, work, base: str = "main") -> None:
    git(repo, "checkout", "-q", base)
    git(repo, "checkout", "-q", "-b", name)
    work()
    commit(repo, name)


def merge(repo: Path, into: str, other: str, *, clean: bool = True):
    git(repo, "checkout", "-q", into)
    done = git(repo, "merge", "--no-edit", other, check=False)
    assert (done.returncode == 0) == clean, done.stdout + done.stderr
    return done


def blob(repo: Path, rev: str, path: str = "experiments/journal.md") -> str:
    return git(repo, "show", f"{rev}:{path}").stdout


def each_once(merged: str, *sides: str) -> None:
    """Every entry of every side stands in ``merged`` once, in one of its versions; no id or heading twice."""
    found = parse_journal(merged)
    keys = [e.id or e.heading for e in found]
    assert len(keys) == len(set(keys)), keys
    wanted = {e.id or e.heading for side in sides for e in parse_journal(side)}
    assert set(keys) == wanted


def body(text: str, name: str) -> str:
    """The exact lines of the entry called ``name`` in ``text``, the blank lines after it left off."""
    entry = next(e for e in parse_journal(text) if e.name == name)
    return text[entry.span[0] : entry.span[1]].rstrip("\r\n")


def test_an_older_journal_without_ids_merges_by_heading_hand_edits_byte_for_byte(tmp_path):
    repo = start(tmp_path, OLD)
    on_branch(repo, "a", lambda: (complete(repo, "old two", "0.93"), plan(repo, "a: new")))

    def hand_edit():
        path = repo / "experiments" / "journal.md"
        path.write_text(path.read_text().replace("depth helps\n", "depth helps  (*by hand*, with  two spaces)\n"))
        with open(path, "a") as fh:  # an entry written by hand, no id
            fh.write("\n### 2026-11-21 08:00 — b: by hand\n**Status**: PLANNED\n**Hypothesis**: typed in\n")

    on_branch(repo, "b", hand_edit)
    merge(repo, "a", "b")
    text = journal(repo)
    assert not MARKER.search(text)
    each_once(text, blob(repo, "a"), blob(repo, "b"))
    assert body(blob(repo, "b"), "old one") in text and "(*by hand*, with  two spaces)" in text
    assert body(blob(repo, "a"), "old two") in text and body(blob(repo, "b"), "b: by hand") in text
    assert {e.name: e.status for e in parse_journal(text)}["old two"] == "COMPLETED"


def test_abandoned_on_one_side_completed_on_the_other_is_one_conflict_that_check_names(tmp_path):
    repo = start(tmp_path)
    on_branch(repo, "a", lambda: cli(repo, "result", "--name", "open on main", "--abandon", "the data was wrong"))
    on_branch(repo, "b", lambda: complete(repo, "open on main", "0.97"))
    done = merge(repo, "a", "b", clean=False)
    assert "'open on main'" in done.stderr
    text = journal(repo)
    assert text.count("<<<<<<< ") == text.count(">>>>>>> ") == 1
    inside = text[text.index("<<<<<<< ") : text.index(">>>>>>> ")]
    assert "ABANDONED" in inside and "COMPLETED" in inside and "depth 3" not in inside
    assert body(blob(repo, "a"), "open on main") in inside and body(blob(repo, "b"), "open on main") in inside
    assert "— open on main' is between conflict markers" in cli(repo, "check", code=1).stdout


def test_an_entry_deleted_on_one_side_stays_deleted_unless_the_other_changed_it(tmp_path):
    repo = start(tmp_path)

    def delete(name):
        path = repo / "experiments" / "journal.md"
        path.write_text(path.read_text().replace(body(path.read_text(), name) + "\n", ""))

    on_branch(repo, "a", lambda: (delete("depth 3"), delete("open on main"), plan(repo, "a: new")))
    on_branch(repo, "b", lambda: (plan(repo, "b: new"),))
    merge(repo, "a", "b")
    assert [e.name for e in entries(repo)] == ["a: new", "b: new"] and not MARKER.search(journal(repo))
    on_branch(repo, "c", lambda: complete(repo, "open on main", "0.97"))
    merge(repo, "a", "c", clean=False)
    text = journal(repo)
    assert text.count("<<<<<<< ") == 1 and body(blob(repo, "c"), "open on main") in text
    assert "— open on main' is between conflict markers" in cli(repo, "check", code=1).stdout


def test_a_sweep_completed_on_one_side_merges_with_an_entry_on_the_other(tmp_path):
    repo = start(tmp_path)

    def sweep():
        plan(repo, "gamma sweep", "--sweep", "gamma=0.001,0.01")
        table = repo / "sweep.csv"
        table.write_text("gamma,accuracy\n0.001,0.96\n0.01,0.97\n")
        cli(repo, "result", "--name", "gamma sweep", "--table", str(table), "--learning", "0.01 is best")

    on_branch(repo, "a", sweep)
    on_branch(repo, "b", lambda: (complete(repo, "open on main", "0.97"), plan(repo, "b: new")))
    merge(repo, "b", "a")
    text = journal(repo)
    assert not MARKER.search(text)
    each_once(text, blob(repo, "a"), blob(repo, "b"))
    assert body(blob(repo, "a"), "gamma sweep") in text and body(blob(repo, "b"), "open on main") in text


def test_crlf_journal_keeps_its_line_endings_through_a_merge(tmp_path):
    repo = start(tmp_path, OLD.replace("\n", "\r\n"))

    def hand_add(name, minute):
        path = repo / "experiments" / "journal.md"
        with open(path, "ab") as fh:
            fh.write(f"\r\n### 2026-11-21 08:{minute} — {name}\r\n**Status**: PLANNED\r\n**Hypothesis**: h\r\n".encode())

    on_branch(repo, "a", lambda: hand_add("a: crlf", "01"))
    on_branch(repo, "b", lambda: hand_add("b: crlf", "02"))
    merge(repo, "a", "b")
    data = (repo / "experiments" / "journal.md").read_bytes()
    assert b"\n" not in data.replace(b"\r\n", b"") and not MARKER.search(data.decode())
    assert [e.name for e in parse_journal(data.decode())] == ["old one", "old two", "a: crlf", "b: crlf"]


@pytest.mark.parametrize("who", ["theirs", "ours"])
def test_a_byte_order_mark_added_on_one_side_is_kept(tmp_path, who):
    repo = start(tmp_path)

    def add_bom():
        path = repo / "experiments" / "journal.md"
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())

    on_branch(repo, "a", add_bom)
    on_branch(repo, "b", lambda: plan(repo, "b: new"))
    if who == "theirs":
        merge(repo, "b", "a")
    else:
        merge(repo, "a", "b")
    data = (repo / "experiments" / "journal.md").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf#") and data.count(b"\xef\xbb\xbf") == 1
    assert [e.name for e in entries(repo)] == ["depth 3", "open on main", "b: new"]


def test_format_on_one_side_and_a_result_on_the_other_merge_without_a_conflict(tmp_path):
    repo = start(tmp_path, OLD)
    on_branch(repo, "a", lambda: cli(repo, "format"))
    on_branch(repo, "b", lambda: (complete(repo, "old two", "0.93"), plan(repo, "b: new")))
    assert blob(repo, "a") != OLD
    for into, other in (("a", "b"), ("b", "a")):
        git(repo, "checkout", "-q", into)
        git(repo, "checkout", "-q", "-b", f"{into}-merged")
        merge(repo, f"{into}-merged", other)
        text = journal(repo)
        assert not MARKER.search(text)
        each_once(text, blob(repo, "a"), blob(repo, "b"))
        # the result is b's, laid out as format lays it out: reads the same, renders well
        completed = {e.name: e for e in parse_journal(text)}["old two"]
        assert completed.fields == {e.name: e for e in parse_journal(blob(repo, "b"))}["old two"].fields
        assert "\n\n**Hypothesis**: width helps" in body(text, "old two")
        assert body(text, "old one") == body(blob(repo, "a"), "old one")
        assert cli(repo, "format", "--check").returncode == 0


def test_cherry_pick_then_merge_keeps_each_entry_once(tmp_path):
    repo = start(tmp_path)
    on_branch(repo, "a", lambda: (plan(repo, "a: one"), complete(repo, "a: one", "0.96")))
    plan(repo, "a: two")
    commit(repo, "a two")
    picked = git(repo, "rev-parse", "a~1").stdout.strip()
    on_branch(repo, "b", lambda: plan(repo, "b: one"))
    git(repo, "cherry-pick", picked)
    text = journal(repo)
    assert not MARKER.search(text) and [e.name for e in parse_journal(text)].count("a: one") == 1
    merge(repo, "b", "a")
    text = journal(repo)
    assert not MARKER.search(text)
    each_once(text, blob(repo, "a"), blob(repo, "b~1"))
    assert len(parse_journal(text)) == 5


def test_a_journal_new_on_both_sides_merges_entry_by_entry(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "README.md").write_text("project\n")
    cli(repo, "git-setup")
    commit(repo, "start")
    on_branch(repo, "a", lambda: (plan(repo, "a: one"), complete(repo, "a: one", "0.9"),
                                  cli(repo, "lesson", "Ours.", "--source", "a")))
    on_branch(repo, "b", lambda: (plan(repo, "b: one"), cli(repo, "lesson", "Theirs.", "--source", "b")))
    merge(repo, "a", "b")
    text = journal(repo)
    assert not MARKER.search(text)
    assert [e.name for e in parse_journal(text)] == ["a: one", "b: one"]
    lessons = (repo / "experiments" / "lessons.md").read_text()
    assert not MARKER.search(lessons) and "Ours." in lessons and "Theirs." in lessons


def test_a_file_that_is_not_a_journal_is_merged_by_git_as_said(tmp_path):
    repo = start(tmp_path, "Some notes, no entries.\n")
    path = repo / "experiments" / "journal.md"
    on_branch(repo, "a", lambda: path.write_text("Some notes, no entries.\nours\n"))
    on_branch(repo, "b", lambda: path.write_text("Some notes, no entries.\ntheirs\n"))
    done = merge(repo, "a", "b", clean=False)
    assert "no entries" in done.stderr and "git's own three-way merge" in done.stderr
    assert path.read_text() == "Some notes, no entries.\n<<<<<<< ours\nours\n=======\ntheirs\n>>>>>>> theirs\n"


def test_git_setup_from_the_top_names_the_journal_the_repository_holds_elsewhere(tmp_path):
    repo = tmp_path / "repo"
    (repo / "projA" / "experiments").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    (repo / "projA" / "experiments" / "journal.md").write_text(OLD)
    done = run(repo, "git-setup", code=2)  # the top has no experiments/: registering it would merge nothing
    assert "projA/experiments/journal.md" in done.stderr and "--dir projA" in done.stderr
    assert not (repo / ".gitattributes").exists() and git(repo, "config", "merge.expjournal.driver", check=False).returncode
    (repo / "projA" / "notebooks").mkdir()
    run(repo / "projA" / "notebooks", "git-setup")  # from the project's own folder: its experiments/
    assert (repo / ".gitattributes").read_text().splitlines() == ["projA/experiments/journal.md merge=expjournal",
                                                                  "projA/experiments/lessons.md merge=expjournal"]


def test_git_setup_in_a_worktree_and_from_a_subfolder(tmp_path):
    repo = start(tmp_path)
    git(repo, "worktree", "add", "-q", str(tmp_path / "wt"), "-b", "wt")
    (tmp_path / "wt" / "notebooks").mkdir()
    assert run(tmp_path / "wt" / "notebooks", "git-setup").stdout.startswith("already set up")
    git(repo, "config", "--unset", "merge.expjournal.driver")
    again = run(tmp_path / "wt" / "notebooks", "git-setup").stdout
    assert again.startswith(".git/config: merge.expjournal.driver") and "gitattributes" not in again
    plan(tmp_path / "wt", "wt: new")
    commit(tmp_path / "wt", "wt")
    on_branch(repo, "b", lambda: plan(repo, "b: new"))
    merge(repo, "b", "wt")
    assert [e.name for e in entries(repo)] == ["depth 3", "open on main", "wt: new", "b: new"] or \
        [e.name for e in entries(repo)] == ["depth 3", "open on main", "b: new", "wt: new"]
    assert not MARKER.search(journal(repo))
