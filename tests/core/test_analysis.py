"""The review's analysis on a crafted journal: effects, calibration, repeats, untested, failures."""

import pytest

from jupyter_expjournal.core.analysis import analyze, failures_of
from jupyter_expjournal.core.draft import parse_body
from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.model import Entry, Outcome


def log(journal, name, key, old, new, expected, baseline, output, extra_config="- batch_size: 32"):
    body = f"h\nconfig:\n- {key}: {old} → {new}\n{extra_config}\nexpected: {expected}\nbaseline: {baseline}"
    journal.hypothesize(parse_body(name, body), force=True)
    journal.complete(Outcome(output=output))


@pytest.fixture
def journal(tmp_path):
    j = Journal(tmp_path / "experiments")
    log(j, "lr 3e-4", "lr", "1e-3", "3e-4", "acc +0.02", "acc = 0.80", "acc = 0.83")  # better
    log(j, "lr 1e-4", "lr", "3e-4", "1e-4", "acc +0.01", "acc = 0.83", "acc = 0.82")  # worse
    log(j, "dropout 0.2", "dropout", "0.1", "0.2", "acc +0.01", "acc = 0.83", "acc = 0.84")  # as expected
    log(j, "lr 3e-4 again", "lr", "1e-3", "3e-4", "acc +0.02", "acc = 0.80", "acc = 0.80")  # repeat
    log(j, "bs 512", "batch_size", "32", "512", "acc +0.01", "acc = 0.83",
        "Traceback (most recent call last):\nRuntimeError: CUDA out of memory. Tried to allocate 2 GiB",
        extra_config="- lr: 3e-4")
    log(j, "lr 1e-2", "lr", "3e-4", "1e-2", "loss -0.1", "loss = 0.5", "loss = 0.6\nloss = 1.4\nloss = 9.8\nloss = nan")
    j.add_rule("NEVER", "raise lr above 1e-3", reason="training diverges")
    j.hypothesize(parse_body("lr 2e-3", "h\nchange: lr 3e-4 → 2e-3\nbaseline: acc = 0.83"))
    return j


def test_effects_per_parameter(journal):
    a = analyze(journal.entries(), journal.lessons())
    lr = next(p for p in a.parameters if p.key == "lr")
    assert lr.times_changed == 5  # the open entry counts as a change, not as an effect
    assert [e.entry.name for e in lr.effects["acc"]] == ["lr 3e-4", "lr 1e-4", "lr 3e-4 again"]
    assert lr.best("acc").entry.name == "lr 3e-4" and lr.best("acc").change == pytest.approx(0.03)
    assert lr.worst("acc").entry.name == "lr 1e-4"
    assert lr.verdicts() == {"better than expected": 1, "as expected": 0, "worse than expected": 2}
    summary, effect = a.helped_most
    assert (summary.key, effect.entry.name) == ("lr", "lr 3e-4")


def test_calibration_repeats_untested(journal):
    a = analyze(journal.entries(), journal.lessons())
    assert a.calibration["better than expected"] == 1
    assert a.calibration["as expected"] == 1
    assert a.calibration["worse than expected"] >= 2
    assert [(later.name, earlier.name) for later, earlier in a.repeats] == [("lr 3e-4 again", "lr 3e-4")]
    assert a.untested == []  # batch_size and lr were both changed somewhere
    b = analyze([e for e in journal.entries() if e.name in ("lr 3e-4", "lr 1e-4")], journal.lessons())
    assert b.untested == ["batch_size"]


def test_failures_are_recognised_and_grouped(journal):
    a = analyze(journal.entries(), journal.lessons())
    assert [f.entry.name for f in a.failures["out of memory"]] == ["bs 512"]
    assert [f.entry.name for f in a.failures["diverging loss"]] == ["lr 1e-2"]
    assert [f.entry.name for f in a.failures["NaN or inf metric"]] == ["lr 1e-2"]
    crash = Entry("2026-01-01 00:00", "segv", {"Actual outcome": "Error: Segmentation fault (core dumped)"})
    assert [f.kind for f in failures_of(crash)] == ["crash"]


def test_rules_ahead_and_open(journal):
    a = analyze(journal.entries(), journal.lessons())
    assert [e.name for e in a.open] == ["lr 2e-3"]
    assert [(r.kind, keys) for r, keys in a.rules_ahead] == [("NEVER", ["lr"])]


def test_narrowing(journal):
    a = analyze(journal.entries(), journal.lessons(), param="dropout")
    assert [e.name for e in a.entries] == ["dropout 0.2"]
    assert [p.key for p in a.parameters] == ["dropout"]
    assert analyze(journal.entries(), journal.lessons(), since="2999").entries == []
