"""Provenance: the commit and dirtiness of the repository, versions of loaded packages."""

import platform
import subprocess

import numpy  # noqa: F401  (loaded, so its version is recorded)

from jupyter_expjournal.core.provenance import Provenance, collect, gpu_summary


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
