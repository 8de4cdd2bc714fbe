"""``jupyter expjournal list --table`` and the list filters, run as a user runs them (a subprocess)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from jupyter_expjournal.core.compare import select
from jupyter_expjournal.core.draft import parse_body
from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.model import Outcome
from jupyter_expjournal.render import compare_text

ROOT = Path(__file__).resolve().parents[2]


def cli(folder, *argv):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "EXPJOURNAL_DIR": str(folder)}
    done = subprocess.run([sys.executable, "-m", "jupyter_expjournal", *argv], capture_output=True, text=True, env=env,
                          timeout=60)
    return done.returncode, done.stdout, done.stderr


@pytest.fixture
def journal(tmp_path):
    j = Journal(tmp_path / "experiments")
    for name, change, kernel, output in (("c10", "C 1 → 10", "rbf", "accuracy = 0.97\nloss = 0.3"),
                                         ("c100", "C 10 → 100", "linear", "Accuracy: 96%\nloss = 0.2")):
        key, rest = change.split(" ", 1)
        body = (f"h\nchange: {change}\nconfig:\n- {key}: {rest}\n- kernel: {kernel}\n"
                "expected: accuracy +0.01\nbaseline: accuracy = 0.95")
        j.hypothesize(parse_body(name, body), force=True)
        j.complete(Outcome(output=output))
    j.hypothesize(parse_body("planned one", "h\nchange: C 100 → 1000"), force=True)
    return j


def test_list_table_is_the_core_table_as_text(journal):
    code, out, err = cli(journal.directory, "list", "--table")
    assert code == 0, err
    assert out == compare_text(select(journal.entries())) + "\n"
    head, _, c10, c100, planned, total = out.splitlines()
    assert head.split()[:5] == ["id", "entry", "time", "status", "changed"] and "accuracy ↑" in head and "loss ↓" in head
    assert "C 1 → 10" in c10 and "0.97 (+0.02)" in c10 and "COMPLETED" in c10
    assert "0.96 (+0.01)" in c100 and "PLANNED" in planned and total.startswith("(3 entries;")


def test_list_filters_and_sorts_with_or_without_the_table(journal):
    code, out, _ = cli(journal.directory, "list", "--table", "--status", "completed", "--sort", "loss")
    assert code == 0 and [line.split()[1] for line in out.splitlines()[2:-1]] == ["c100", "c10"]
    code, out, _ = cli(journal.directory, "list", "--where", "kernel=linear")
    assert code == 0 and out.splitlines() == [line for line in out.splitlines() if "c100" in line] and out.strip()
    code, out, _ = cli(journal.directory, "list", "--text", "accuracy = 0.96")  # 96% read as 0.96
    assert code == 0 and len(out.splitlines()) == 1 and "c100" in out
    code, out, _ = cli(journal.directory, "list", "--sort", "accuracy", "--reverse")
    lines = out.splitlines()
    assert code == 0 and "c100 " in lines[0] and "c10 " in lines[1] and "planned one" in lines[2]
    code, out, _ = cli(journal.directory, "list", "--table", "--where", "C=5")
    assert code == 0 and out == "no entries match\n"


def test_list_refuses_bad_filters_with_one_line(journal):
    code, out, err = cli(journal.directory, "list", "--sort", "speed")
    assert code == 2 and "cannot sort by 'speed'" in err and err.count("\n") == 1
    code, out, err = cli(journal.directory, "list", "--where", "kernel")
    assert code == 2 and "key=value" in err and err.count("\n") == 1
