"""The sweep's curve: drawn as a PNG by matplotlib (Agg, pyplot untouched), saved under assets/, linked from the entry."""

import sys
from datetime import datetime

import pytest

from jupyter_expjournal import sweep_curve
from jupyter_expjournal.core.draft import parse_body
from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.model import Outcome
from jupyter_expjournal.core.sweep import plan_sweep
from jupyter_expjournal.core.sweep_result import Curve, result_of

pytest.importorskip("matplotlib")

BODY = """A smaller gamma smooths the RBF kernel.
config:
- gamma: scale → [0.0001, 0.001, 0.01]
expected: accuracy +0.005
baseline: accuracy = 0.9889
"""
OUTPUT = "gamma=0.0001 accuracy=0.9711\ngamma=0.001 accuracy=0.9956\ngamma=0.01 accuracy=0.86\n"


def test_the_curve_is_saved_under_assets_and_linked_with_its_caption(tmp_path):
    journal = Journal(tmp_path / "experiments")
    journal.hypothesize(plan_sweep(parse_body("gamma sweep", BODY), "gamma"), now=datetime(2026, 12, 1, 17, 10))
    pyplot_before = "matplotlib.pyplot" in sys.modules
    outcome = Outcome(output=OUTPUT, source="cell [3]")
    outcome = sweep_curve.attach(outcome, result_of(journal.entries()[-1], outcome))
    assert outcome.images[0][1].startswith(b"\x89PNG\r\n\x1a\n")
    assert ("matplotlib.pyplot" in sys.modules) == pyplot_before
    logged = journal.complete(outcome)
    [path] = logged.assets
    assert path.parent == journal.assets_dir and path.read_bytes() == outcome.images[0][1]
    assert f"![gamma sweep: accuracy against gamma](assets/{path.name})" in logged.entry.actual
    assert logged.entry.images == [f"assets/{path.name}"]


def test_no_curve_for_fewer_than_two_points_and_categorical_values_are_drawn_by_label():
    assert sweep_curve.draw(Curve("k", "m", ["1"], [0.5], [1.0], False, 0, False)) is None
    png = sweep_curve.draw(Curve("kernel", "accuracy", ["linear", "rbf", "poly"], [0.97, 0.99, 0.98], None, False, 1, False))
    assert png.startswith(b"\x89PNG")
    assert sweep_curve.attach(Outcome(output="x"), None) == Outcome(output="x")
