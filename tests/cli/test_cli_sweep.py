"""A sweep from the command line: hypothesis --sweep, result --output LOG or --table CSV; the same entry as a notebook's."""

import pytest

from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.sweep_evidence import points_in

HYPOTHESIS = ("hypothesis", "gamma", "sweep", "--hypothesis", "a smaller gamma smooths the kernel",
              "--config", "gamma: scale", "--config", "C: 1", "--expected", "accuracy +0.005",
              "--baseline", "accuracy = 0.9889")
LOG = "gamma=0.0001 accuracy=0.9711\ngamma=0.001 accuracy=0.9956\ngamma=0.01 accuracy=0.8600\n"


def test_sweep_planned_and_completed_from_a_log(run):
    code, out, err = run(*HYPOTHESIS, "--sweep", "gamma=0.0001,0.001,0.01")
    assert code == 0, err
    text = (run.dir / "journal.md").read_text()
    assert "- gamma: scale → [0.0001, 0.001, 0.01]\n" in text and "**Sweep**: gamma = 0.0001, 0.001, 0.01" in text
    code, out, err = run("result", "--output", "-", "--learning", "1e-3 is best", stdin=LOG)
    assert code == 0, err
    assert "'gamma sweep' COMPLETED: accuracy best 0.9956 at gamma=0.001: +0.0067 vs expected +0.005: better than expected" in out
    [entry] = Journal(run.dir).entries()
    assert [v for v, _ in points_in(entry)] == ["0.0001", "0.001", "0.01"]
    [curve] = entry.images
    assert (run.dir / curve).read_bytes().startswith(b"\x89PNG")


def test_result_table_from_a_csv_file(run, tmp_path):
    run(*HYPOTHESIS, "--sweep", "gamma=0.0001,0.001,0.01,0.1")
    table = tmp_path / "sweep.csv"
    table.write_text("gamma,accuracy\n0.0001,0.9711\n0.001,0.9956\n0.01,0.86\n0.5,0.2\n")
    code, out, err = run("result", "--table", table)
    assert code == 0, err
    [entry] = Journal(run.dir).entries()
    assert "Planned, no result: gamma=0.1" in entry.actual and "Run, not planned: gamma=0.5" in entry.actual
    code, out, _ = run("check")
    assert "logged gamma=0.5, which its sweep never planned" in out


@pytest.mark.parametrize(
    "extra, says",
    [
        (("--sweep", "gamma"), "config row of 'gamma' holds no list of values"),
        (("--sweep", "gamma=1"), "one value (1)"),
        (("--sweep", "gamma=1,2", "--sweep", "C=1,2"), "one key, not several (gamma, C)"),
    ],
)
def test_bad_sweeps_exit_2_and_write_nothing(run, extra, says):
    code, _, err = run(*HYPOTHESIS, *extra)
    assert code == 2 and says in err
    assert not run.dir.exists()


def test_result_table_refusals_write_nothing(run, tmp_path):
    run(*HYPOTHESIS, "--sweep", "gamma=0.0001,0.001")
    before = (run.dir / "journal.md").read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_text("C,accuracy\n1,0.9\n")
    code, _, err = run("result", "--table", bad)
    assert code == 2 and "has no column 'gamma' (the key swept): its columns are C, accuracy" in err
    code, _, err = run("result", "--table", tmp_path / "missing.csv")
    assert code == 2 and "missing.csv" in err
    assert (run.dir / "journal.md").read_bytes() == before
