"""Cutting never loses a metric: the entry's text reads as the whole output's metrics, wherever the cut fell."""

from __future__ import annotations

from jupyter_expjournal.core.draft import parse_body
from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.model import Outcome
from jupyter_expjournal.core.outcome import cut_marker, output_metrics

BODY = "More epochs fit better.\nchange: epochs 10 → 1000\nbaseline: accuracy = 0.95\nexpected: accuracy +0.02"


def complete(tmp_path, outcome: Outcome):
    journal = Journal(tmp_path / "experiments")
    journal.hypothesize(parse_body("long run", BODY))
    return journal.complete(outcome).entry, journal


def test_a_metric_printed_only_in_the_middle_of_a_long_output_is_still_the_entrys(tmp_path):
    """A log file given to the CLI (or REST) is cut by the core: accuracy printed once, mid-log, is not lost."""
    log = "\n".join([f"step {i} loss = {1 / (i + 1):.4f}" for i in range(500)] + ["accuracy = 0.977"]
                    + [f"cleanup {i}" for i in range(500)])
    entry, journal = complete(tmp_path, Outcome(output=log, summary="trained for 1000 epochs"))
    assert "accuracy = 0.977" not in entry.actual.split("```")[1]  # cut out of the output block
    assert entry.measured["accuracy"] == 0.977 and entry.measured["loss"] == 0.002  # loss: the last step's
    assert "accuracy +0.027" in entry.delta and "better than expected" in entry.delta
    assert entry.actual.endswith("\nMetrics of the whole output (the part cut above included): loss = 0.002, accuracy = 0.977")
    assert journal.entries()[-1].measured["accuracy"] == 0.977  # read back from the file


def test_metrics_the_capture_cut_fit_between_the_head_and_the_tail():
    marker = cut_marker(99_000, 2_000_000)
    output = f"accuracy = 0.5\nloss = 0.9\n{marker}\nloss = 0.1\n"
    assert output_metrics(output, {"accuracy": 0.977, "loss": 0.2}) == {"accuracy": 0.977, "loss": 0.1}
    assert output_metrics("accuracy = 0.5", {"f1": 0.9}) == {"accuracy": 0.5, "f1": 0.9}
    assert output_metrics("accuracy = 0.5") == {"accuracy": 0.5}


def test_the_capture_s_cut_metrics_reach_the_delta_and_the_text(tmp_path):
    marker = cut_marker(99_998, 2_300_000)
    output = f"epoch 0 accuracy = 0.5\n{marker}\nsaved the model\n"
    entry, _ = complete(tmp_path, Outcome(output=output, cut_metrics={"accuracy": 0.977}))
    assert entry.measured["accuracy"] == 0.977
    assert "accuracy +0.027" in entry.delta
    assert entry.actual.startswith("accuracy = 0.977")  # the summary, from the whole output's metrics


def test_no_line_is_added_when_the_text_already_reads_right(tmp_path):
    entry, _ = complete(tmp_path, Outcome(output="loss = 0.123456789\naccuracy = 0.96\n"))
    assert "Metrics of the whole output" not in entry.actual
    assert entry.measured == {"loss": 0.123456789, "accuracy": 0.96}


def test_a_summary_of_many_metrics_names_those_the_entry_expects_first(tmp_path):
    """A classification report prints some twenty metrics: the first line says the ones the entry is about."""
    report = "\n".join(f"class{i}.precision = 0.{i}1" for i in range(1, 10)) + "\naccuracy = 0.97\n"
    entry, _ = complete(tmp_path, Outcome(output=report))
    first = entry.actual.split("\n")[0]
    assert first.startswith("accuracy = 0.97, class1.precision = 0.11") and first.endswith("(and 4 more in the output)")
    assert entry.measured["class9.precision"] == 0.91  # all of them are still read from the output
