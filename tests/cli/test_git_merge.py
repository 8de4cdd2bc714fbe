"""Real git merges and rebases of journal.md and lessons.md with the merge driver registered by ``git-setup``.

Two branches each log and complete experiments (through the CLI in its own
process, and through the magics in a real IPython shell), then git merges
them: every entry exactly once, no conflict markers, the bytes of entries no
side changed identical. A true conflict marks only its entry and fails the
merge; a file the driver cannot read is merged by git's own merge, as said.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from git_repo import MARKER, cli, commit, complete, entries, git, journal, plan

from jupyter_expjournal.core.lessons_format import parse_lessons


@pytest.fixture
def repo(tmp_path) -> Path:
    """A repository on main: one completed entry, one still PLANNED, a lesson; the driver set up and committed."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    plan(repo, "depth 3")
    complete(repo, "depth 3", "0.95", "depth 3 is the baseline")
    plan(repo, "open on main")
    cli(repo, "lesson", "Depth matters more than rate.", "--source", "depth 3")
    setup = cli(repo, "git-setup")
    assert ".gitattributes" in setup.stdout and "merge.expjournal.driver" in setup.stdout
    commit(repo, "base")
    return repo


def test_git_setup_is_idempotent_and_says_what_it_wrote(repo):
    attributes = (repo / ".gitattributes").read_text()
    assert attributes.splitlines() == ["experiments/journal.md merge=expjournal", "experiments/lessons.md merge=expjournal"]
    again = cli(repo, "git-setup")
    assert again.stdout.startswith("already set up")
    assert (repo / ".gitattributes").read_text() == attributes
    assert "merge-driver" in git(repo, "config", "merge.expjournal.driver").stdout


def test_git_setup_outside_a_repository_is_one_clear_error(tmp_path):
    done = cli(tmp_path, "git-setup", code=2)
    assert "not in a git repository" in done.stderr and not (tmp_path / ".gitattributes").exists()


def branches(repo: Path) -> dict[str, str]:
    """Branch a completes the entry opened on main and logs one more; branch b logs two, and a rule."""
    base = {e.id: journal(repo)[e.span[0] : e.span[1]] for e in entries(repo)}
    git(repo, "checkout", "-q", "-b", "a")
    complete(repo, "open on main", "0.97", "a larger C helps")
    plan(repo, "a: gamma 0.01")
    complete(repo, "a: gamma 0.01", "0.96")
    cli(repo, "lesson", "Gamma matters less than C.", "--source", "branch a")
    commit(repo, "a")
    git(repo, "checkout", "-q", "main")
    git(repo, "checkout", "-q", "-b", "b")
    plan(repo, "b: kernel linear", "--parallel")
    complete(repo, "b: kernel linear", "0.93")
    plan(repo, "b: still open", "--parallel")
    cli(repo, "lesson", "--never", "compare runs on different splits", "--because", "the split moves accuracy")
    commit(repo, "b")
    return base


def assert_merged(repo: Path, base: dict[str, str]) -> None:
    text = journal(repo)
    assert not MARKER.search(text), text
    found = entries(repo)
    names = [e.name for e in found]
    assert sorted(names) == sorted(["depth 3", "open on main", "a: gamma 0.01", "b: kernel linear", "b: still open"])
    assert len({e.id for e in found}) == len(found)
    by_name = {e.name: e for e in found}
    assert by_name["open on main"].status == "COMPLETED" and text.count("**Status**") == len(found)
    assert by_name["b: still open"].status == "PLANNED"
    depth = by_name["depth 3"]
    assert text[depth.span[0] : depth.span[1]] == base[depth.id]  # untouched on both sides: the same bytes
    lessons = parse_lessons((repo / "experiments" / "lessons.md").read_text(encoding="utf-8"))
    assert sorted(lesson.text for lesson in lessons.lessons) == ["Depth matters more than rate.",
                                                                 "Gamma matters less than C."]
    assert [rule.action for rule in lessons.rules] == ["compare runs on different splits"]
    assert "5 entries checked: no problems" in cli(repo, "check").stderr


def test_git_merge_keeps_every_entry_once_without_markers(repo):
    base = branches(repo)
    git(repo, "checkout", "-q", "a")
    done = git(repo, "merge", "-q", "--no-edit", "b")
    assert "merged by entry" in done.stderr
    assert "2 entries from the other side" in done.stderr and "1 lesson or rule from the other side" in done.stderr
    assert_merged(repo, base)
    found = [e.name for e in entries(repo)]
    assert found[:2] == ["depth 3", "open on main"]  # the shared entries first, then the new ones in time order


def test_git_rebase_keeps_every_entry_once_without_markers(repo):
    base = branches(repo)
    git(repo, "checkout", "-q", "b")
    git(repo, "rebase", "-q", "a")
    assert_merged(repo, base)


@pytest.mark.parametrize("how", ["merge", "rebase"])
def test_a_branch_logged_through_the_magics_merges_too(repo, ip, monkeypatch, capsys, how):
    git(repo, "checkout", "-q", "-b", "notebook")
    monkeypatch.setenv("EXPJOURNAL_DIR", str(repo / "experiments"))
    ip._expjournal.directory = ""
    ip._expjournal.session.opened.clear()
    ip.run_cell("%%hypothesis notebook: C 100 --parallel\nA larger C again.\nchange: C 10 → 100\n"
                "expected: accuracy +0.01\nbaseline: accuracy = 0.95", store_history=True)
    ip.run_cell("print('accuracy = 0.91')", store_history=True)
    ip.run_cell("%result --learning 'too large'", store_history=True)
    capsys.readouterr()
    commit(repo, "notebook")
    git(repo, "checkout", "-q", "main")
    git(repo, "checkout", "-q", "-b", "cli")
    complete(repo, "open on main", "0.97")
    commit(repo, "cli")
    if how == "merge":
        git(repo, "merge", "-q", "--no-edit", "notebook")
    else:
        git(repo, "rebase", "-q", "notebook")
    text = journal(repo)
    assert not MARKER.search(text)
    by_name = {e.name: e for e in entries(repo)}
    assert set(by_name) == {"depth 3", "open on main", "notebook: C 100"}
    assert by_name["open on main"].status == "COMPLETED" and by_name["notebook: C 100"].status == "COMPLETED"


def test_a_true_conflict_marks_only_its_entry_and_check_names_it(repo):
    git(repo, "checkout", "-q", "-b", "a")
    complete(repo, "open on main", "0.97", "C helps")
    plan(repo, "a: more", "--parallel")
    commit(repo, "a")
    git(repo, "checkout", "-q", "main")
    git(repo, "checkout", "-q", "-b", "b")
    complete(repo, "open on main", "0.91", "C hurts")
    commit(repo, "b")
    done = git(repo, "merge", "--no-edit", "a", check=False)
    assert done.returncode != 0 and "CONFLICT" in done.stdout + done.stderr
    text = journal(repo)
    assert text.count("<<<<<<< ") == 1 and text.count(">>>>>>> ") == 1
    inside = text[text.index("<<<<<<< ") : text.index(">>>>>>> ")]
    assert "C helps" in inside and "C hurts" in inside and "### " in inside
    assert "depth 3" not in inside and "a: more" not in inside  # the other entries stand outside the markers
    assert text.index("a: more") > text.index(">>>>>>> ")
    check = cli(repo, "check", code=1)
    assert "'open on main'" in check.stdout and "conflict markers" in check.stdout


def test_a_file_the_driver_cannot_read_is_merged_by_git_as_said(repo):
    path = repo / "experiments" / "journal.md"
    git(repo, "checkout", "-q", "-b", "a")
    path.write_bytes(b"# Experiment journal\n\nnot \xe9 utf-8\n\n" + path.read_bytes().split(b"\n\n", 1)[1])
    commit(repo, "a")
    git(repo, "checkout", "-q", "main")
    git(repo, "checkout", "-q", "-b", "b")
    complete(repo, "open on main", "0.97")
    commit(repo, "b")
    done = git(repo, "merge", "--no-edit", "a", check=False)
    assert "not UTF-8" in done.stderr and "merged by git's own three-way merge" in done.stderr
    assert done.returncode == 0  # the edits do not overlap: git's own merge takes both
    data = path.read_bytes()
    assert b"not \xe9 utf-8" in data and data.count(b"**Status**: COMPLETED") == 2
