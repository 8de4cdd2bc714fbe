"""A repository made in a test, and the journal's CLI run in it as a person would (its own process, real git)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from jupyter_expjournal.core.journal_format import parse_journal

ROOT = Path(__file__).resolve().parents[2]
ENV = {**{k: v for k, v in os.environ.items() if k != "EXPJOURNAL_DIR"},
       "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
       "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
       "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
MARKER = re.compile(r"^(<{7}|={7}|>{7})", re.M)


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(["git", *args], cwd=repo, env=ENV, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {done.stdout}{done.stderr}")
    return done


def cli(repo: Path, *args: str, stdin: str | None = None, code: int = 0) -> subprocess.CompletedProcess:
    """``jupyter expjournal --dir <repo>/experiments ARGS`` run in ``repo``, expected to exit with ``code``."""
    return run(repo, "--dir", str(repo / "experiments"), *args, stdin=stdin, code=code)


def run(cwd: Path, *args: str, stdin: str | None = None, code: int = 0) -> subprocess.CompletedProcess:
    """``jupyter expjournal ARGS`` run in ``cwd`` (the journal found from there), expected to exit with ``code``."""
    done = subprocess.run([sys.executable, "-m", "jupyter_expjournal", *args],
                          cwd=cwd, env=ENV, capture_output=True, text=True, input=stdin)
    assert done.returncode == code, (args, done.stdout, done.stderr)
    return done


def plan(repo: Path, name: str, *extra: str) -> None:
    cli(repo, "hypothesis", name, "--hypothesis", f"{name} should help", "--change", "C 1 → 10",
        "--expected", "accuracy +0.01", "--baseline", "accuracy = 0.95", *extra)


def complete(repo: Path, name: str, accuracy: str, learning: str = "it helped") -> None:
    cli(repo, "result", "--name", name, "--output", "-", "--learning", learning, stdin=f"accuracy = {accuracy}\n")


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def journal(repo: Path) -> str:
    return (repo / "experiments" / "journal.md").read_text(encoding="utf-8")


def entries(repo: Path):
    return parse_journal(journal(repo))
