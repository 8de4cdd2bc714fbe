"""Provenance: the commit and dirtiness of the repository (asked of git itself: plain repos, worktrees,
submodules, packed refs, git absent), versions of loaded packages."""

import os
import platform
import subprocess

import numpy  # noqa: F401  (loaded, so its version is recorded)
import pytest

from jupyter_expjournal.core.provenance import Provenance, collect, git_commit, gpu_summary


def git(cwd, *args):
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


def test_git_commit_and_dirty(tmp_path):
    git(tmp_path, "init", "-q")
    (tmp_path / "train.py").write_text("lr = 1e-3\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "x")
    head = git(tmp_path, "rev-parse", "HEAD")
    clean = collect(tmp_path)
    assert (clean.commit, clean.dirty) == (head, False)
    (tmp_path / "train.py").write_text("lr = 3e-4\n")
    assert collect(tmp_path).dirty is True
    git(tmp_path, "pack-refs", "--all")  # the commit is found in packed-refs too
    assert collect(tmp_path).commit == head


def test_packages_python_and_description(tmp_path):
    p = collect(tmp_path, notebook="nb/train.ipynb", cells=["3f2a"])
    assert p.commit == "" and p.python == platform.python_version()
    assert "numpy" in p.packages and "torch" not in p.packages
    text = p.describe()
    assert text.startswith("notebook nb/train.ipynb (cell 3f2a); Python ")
    assert f"numpy {p.packages['numpy']}" in text


def test_gpu_description():
    p = Provenance(python="3.11", gpus=["NVIDIA A100", "NVIDIA A100"])
    assert p.describe() == "Python 3.11; GPU 2 × NVIDIA A100"
    assert gpu_summary(["A", "B", "A"]) == "2 × A, 1 × B"


# git_commit asks git itself; each case below builds a real repository in tmp_path.


@pytest.fixture
def isolated_git(tmp_path, monkeypatch):
    """git with a fixed identity and none of the user's or the system's config (no signing, no hooks path)."""
    for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "a")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "a@b")
    return tmp_path


def repo(path, *files):
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    for name in files or ("train.py",):
        (path / name).write_text(f"# {path.name} {name}\n")
    git(path, "add", ".")
    git(path, "commit", "-qm", f"first of {path.name}")
    return git(path, "rev-parse", "HEAD")


def test_plain_repo_clean_then_dirty_from_a_subfolder(isolated_git):
    root = isolated_git / "project"
    head = repo(root, "train.py")
    (root / "nb").mkdir()
    assert git_commit(root / "nb") == (head, False)
    (root / "train.py").write_text("lr = 3e-4\n")
    assert git_commit(root / "nb") == (head, True)
    (root / "new.py").write_text("untracked\n")  # untracked files do not make it dirty
    git(root, "checkout", "-q", "train.py")
    assert git_commit(root) == (head, False)


def test_linked_worktree_gives_the_worktrees_own_head(isolated_git):
    main = isolated_git / "main"
    first = repo(main)
    wt = isolated_git / "wt"
    git(main, "worktree", "add", "-q", "-b", "experiment", str(wt))
    (wt / "train.py").write_text("lr = 1e-4\n")
    git(wt, "commit", "-qam", "on the worktree branch")
    head = git(wt, "rev-parse", "HEAD")
    assert head != first
    assert git_commit(wt) == (head, False)  # the old .git reader found no commit here: refs live in the common dir
    assert git_commit(main) == (first, False)
    (wt / "train.py").write_text("lr = 2e-4\n")
    assert git_commit(wt) == (head, True)
    assert git_commit(main) == (first, False)


def test_describe_in_a_worktree_names_its_commit(isolated_git):
    main = isolated_git / "main"
    repo(main)
    wt = isolated_git / "wt"
    git(main, "worktree", "add", "-q", "-b", "experiment", str(wt))
    (wt / "train.py").write_text("lr = 1e-4\n")
    git(wt, "commit", "-qam", "on the worktree branch")
    head = git(wt, "rev-parse", "HEAD")
    assert f"git {head[:10]} (clean)" in collect(wt).describe()


def test_submodule_gives_its_own_commit_not_the_superprojects(isolated_git):
    lib = isolated_git / "lib"
    lib_head = repo(lib, "model.py")
    sup = isolated_git / "super"
    sup_first = repo(sup)
    git(sup, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(lib), "lib")
    git(sup, "commit", "-qm", "add lib")
    sup_head = git(sup, "rev-parse", "HEAD")
    assert len({lib_head, sup_first, sup_head}) == 3
    assert (sup / "lib" / ".git").is_file()  # a gitdir: file, its repository in super/.git/modules/lib
    assert git_commit(sup / "lib") == (lib_head, False)
    assert git_commit(sup) == (sup_head, False)


def test_packed_refs(isolated_git):
    root = isolated_git / "project"
    head = repo(root)
    git(root, "pack-refs", "--all")
    assert not (root / ".git" / "refs" / "heads" / "main").exists()
    assert git_commit(root) == (head, False)


def test_empty_repo_and_outside_git(isolated_git):
    outside = isolated_git / "plain"
    outside.mkdir()
    assert git_commit(outside) == ("", None)
    empty = isolated_git / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    assert git_commit(empty) == ("", None)  # no commit yet


def test_other_repository_in_git_dir_is_ignored(isolated_git, monkeypatch):
    """Inside a git hook GIT_DIR names the hook's repository; the answer is still about ``start``."""
    ours = isolated_git / "ours"
    head = repo(ours)
    theirs = isolated_git / "theirs"
    repo(theirs)
    monkeypatch.setenv("GIT_DIR", str(theirs / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(theirs))
    assert git_commit(ours) == (head, False)


def test_nothing_printed_when_git_fails(isolated_git, capfd):
    fake = isolated_git / "fake"
    (fake / ".git").mkdir(parents=True)  # looks like a repository; git says "fatal: not a git repository"
    assert git_commit(fake) == ("", None)
    assert capfd.readouterr() == ("", "")


def test_git_absent_gives_nothing_and_prints_nothing(isolated_git, monkeypatch, capfd):
    root = isolated_git / "project"
    repo(root)
    no_git = isolated_git / "bin"
    no_git.mkdir()
    monkeypatch.setenv("PATH", str(no_git))
    assert git_commit(root) == ("", None)  # the old .git reader still found the commit, with dirty None
    p = collect(root)
    assert p.commit == "" and " git " not in f" {p.describe()}"
    assert capfd.readouterr() == ("", "")
