"""The command line: the seed's workflow without a notebook, exit codes, check, export/import."""

import json
import os
import subprocess
import sys

import pytest


def test_whole_workflow(run):
    code, out, _ = run("hypothesis", "SVC", "C=10", "--hypothesis", "larger C fits tighter", "--config", "C: 1 → 10",
                       "--config", "kernel: rbf", "--expected", "accuracy +0.01", "--baseline", "accuracy = 0.95")
    assert code == 0 and "logged PLANNED 'SVC C=10'" in out
    code, _, err = run("hypothesis", "second", "--hypothesis", "x", "--baseline", "a = 1")
    assert code == 3 and "'SVC C=10'" in err and "still PLANNED" in err
    code, out, _ = run("result", "--output", "-", "--learning", "C helps", "--next", "gamma", stdin="epoch 1\naccuracy = 0.97\n")
    assert code == 0 and "accuracy +0.02 vs expected +0.01: better than expected" in out
    code, out, _ = run("lesson", "SVC: C helps on digits.", "--source", "run 1")
    code, out, _ = run("lesson", "--never", "skip the baseline", "--because", "memory lies")
    assert out.strip() == "- NEVER skip the baseline because memory lies. Learned: " + out.strip().rsplit(" ", 1)[1]
    code, out, _ = run("list", "--status", "completed")
    assert "COMPLETED  SVC C=10" in out
    code, out, _ = run("review")
    assert "Analysis of 1 experiment" in out and "Lessons (1) and rules (1)" in out
    code, out, _ = run("show", "SVC", "C=10")
    assert out.startswith("### ") and "**Learning**: C helps" in out
    code, out, _ = run("lessons")
    assert "SVC: C helps on digits." in out


def test_body_from_stdin_and_bad_input_writes_nothing(run):
    code, _, err = run("hypothesis", "x", "--body", "-", stdin="change: C 1 → 10\n")
    assert code == 2 and "no hypothesis" in err
    assert not run.dir.exists()
    code, _, err = run("hypothesis", "x", "--hypothesis", "h", "--config", "C 1 → 10")
    assert code == 2 and "'- C 1 → 10'" in err
    code, _, err = run("result", "--outcome", "x")
    assert code == 2 and "no open experiment" in err
    code, _, err = run("result", "--image", "plot.gif")
    assert code == 2 and "plot.gif: only" in err and ".png" in err  # the core's words for the image types
    assert not run.dir.exists()


def test_check_catches_each_of_the_seeds_mistakes(run):
    run.dir.mkdir()
    (run.dir / "journal.md").write_text(
        "### 2026-11-01 10:00 — two knobs\n**Status**: COMPLETED\n**Hypothesis**: h\n**Config**:\n- lr: 1 → 2\n- bs: 1 → 2\n"
        "**Baseline**: acc = 0.5\n**Actual outcome**: acc = 0.6\n**Learning**: l\n\n"
        "### 2026-11-01 11:00 — no baseline\n**Status**: COMPLETED\n**Hypothesis**: h\n**Change**: lr 1 → 2\n"
        "**Actual outcome**: x\n**Learning**: l\n\n"
        "### 2026-11-01 12:00 — no learning\n**Status**: COMPLETED\n**Hypothesis**: h\n**Baseline**: acc = 0.5\n"
        "**Actual outcome**: x\n\n"
        "### 2026-11-01 13:00 — after the fact\n**Status**: COMPLETED\n**Logged**: retrospectively, after the run\n"
        "**Baseline**: a = 1\n**Actual outcome**: x\n**Learning**: l\n\n"
        "### notes without a date\n**Status** PLANNED\n"
    )
    code, out, err = run("check")
    assert code == 1
    assert "'2026-11-01 10:00 — two knobs' 2 variables change at once (lr, bs)" in out
    assert "'2026-11-01 11:00 — no baseline' records no baseline" in out
    assert "'2026-11-01 12:00 — no learning' is COMPLETED without a learning" in out
    assert "'2026-11-01 13:00 — after the fact' was logged after the run" in out
    assert "heading '### notes without a date' is not read as an entry" in out
    assert "looks like a field but has no colon" in out
    assert "4 experiments completed since the last lesson" in out  # never distilling lessons
    assert "5 entries" not in err and "problems" in err


def test_clean_journal_checks_ok(run):
    run("hypothesis", "ok", "--hypothesis", "h", "--change", "lr 1 → 2", "--baseline", "acc = 0.5")
    run("result", "--outcome", "acc = 0.6", "--learning", "lr helps")
    code, out, err = run("check")
    assert (code, out) == (0, "") and "no problems" in err


def test_export_import_round_trip(run, tmp_path):
    run("hypothesis", "a", "--hypothesis", "line one\n### looks like a heading\n**Field**: no", "--change", "lr 1 → 2",
        "--baseline", "acc = 0.5")
    run("result", "--outcome", "acc = 0.6", "--learning", "l")
    run("lesson", "a lesson", "--source", "a")
    run("lesson", "--always", "pin seeds", "--when", "comparing")
    code, first, _ = run("export", "--format", "json")
    (tmp_path / "export.json").write_text(first)
    code, out, _ = run("--dir", str(tmp_path / "copy"), "import", str(tmp_path / "export.json"))
    assert code == 0 and "imported 1 entry and 2 lessons/rules" in out
    code, out, _ = run("--dir", str(tmp_path / "copy"), "import", str(tmp_path / "export.json"))
    assert "imported 0 entries and 0 lessons/rules" in out  # idempotent
    code, second, _ = run("--dir", str(tmp_path / "copy"), "export", "--format", "json")
    assert json.loads(second) == json.loads(first)
    code, csv_text, _ = run("export", "--format", "csv")
    assert csv_text.splitlines()[0].startswith("timestamp,name,status") and "metric.acc" in csv_text.splitlines()[0]


def test_import_refuses_bad_documents(run, tmp_path):
    for doc, message in [("[]", "not a jupyter_expjournal export"), ("{", "is not JSON"),
                         ('{"format": "jupyter_expjournal", "entries": [{"timestamp": "yesterday", "name": "x", "fields": []}]}',
                          "is not YYYY-MM-DD HH:MM")]:
        (tmp_path / "bad.json").write_text(doc)
        code, _, err = run("import", str(tmp_path / "bad.json"))
        assert code == 2 and message in err
    assert not run.dir.exists()


def test_module_entry_point_and_help(tmp_path):
    env = {**os.environ, "EXPJOURNAL_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "jupyter_expjournal", "--help"], capture_output=True, text=True, env=env,
                         cwd=os.getcwd())
    assert out.returncode == 0 and "Exit codes" in out.stdout
    for command in ("list", "show", "review", "lessons", "check", "export", "import", "hypothesis", "result", "lesson"):
        out = subprocess.run([sys.executable, "-m", "jupyter_expjournal", command, "--help"], capture_output=True, text=True,
                             env=env)
        assert out.returncode == 0 and "usage: jupyter expjournal" in out.stdout


def test_python_api_load_and_dataframe(run):
    pd = pytest.importorskip("pandas", reason="to_dataframe is for users who have pandas")
    run("hypothesis", "a", "--hypothesis", "h", "--config", "lr: 1 → 2", "--config", "bs: 32", "--baseline", "acc = 0.5")
    run("result", "--outcome", "acc = 0.6", "--learning", "l")
    import jupyter_expjournal

    journal = jupyter_expjournal.load(run.dir / "journal.md")
    assert [e.name for e in journal.entries()] == ["a"]
    assert jupyter_expjournal.load(run.dir.parent).directory == run.dir
    frame = journal.to_dataframe()
    assert isinstance(frame, pd.DataFrame)
    assert frame.loc[0, "config.lr"] == "2" and frame.loc[0, "metric.acc"] == 0.6


def test_dir_naming_a_fresh_project_writes_into_its_experiments_folder(tmp_path):
    project = tmp_path / "project"
    (project / "notebooks").mkdir(parents=True)
    (project / "README.md").write_text("# a project\n")
    env = {k: v for k, v in os.environ.items() if k != "EXPJOURNAL_DIR"}
    done = subprocess.run([sys.executable, "-m", "jupyter_expjournal", "--dir", str(project), "hypothesis", "first",
                           "--hypothesis", "h", "--baseline", "accuracy = 0.9"], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert (project / "experiments" / "journal.md").is_file() and not (project / "journal.md").exists()


def test_a_review_names_the_newest_repeats_and_failures_and_counts_the_rest(run):
    """A review stays a screen long at any size: 10,000 entries once printed 10,000 repeat lines (2.4 MB, kept in
    the notebook at every %review, and read whole by an agent)."""
    from jupyter_expjournal.core.journal_format import render_entry

    def entry(i):
        fields = [("Status", "COMPLETED"), ("Hypothesis", "a higher rate helps"), ("Change", "lr 1e-4 → 3e-4"),
                  ("Baseline", "loss = 0.5"), ("Actual outcome", "loss = nan"), ("Learning", f"diverged {i}")]
        return render_entry(f"2026-01-{i % 28 + 1:02d} 10:{i % 60:02d}", f"run {i}", fields, "\n")

    run.dir.mkdir(parents=True)
    (run.dir / "journal.md").write_text("# Journal\n\n" + "\n".join(entry(i) for i in range(60)), encoding="utf-8")
    code, out, _ = run("review")
    assert code == 0
    assert "  repeats: 59 experiments tried a change tried before; the newest 10:" in out
    repeats = [line for line in out.splitlines() if line.startswith("  repeat: ")]
    assert len(repeats) == 10 and repeats[-1].startswith("  repeat: 'run 59'")
    failures = [line for line in out.splitlines() if line.startswith("  failures, ")]
    assert failures and all("(60 in all; the newest 10)" in line and line.count("'run ") == 10 for line in failures)
    assert "'run 59'" in failures[0] and "'run 49'" not in failures[0]
    assert len(out) < 6000
