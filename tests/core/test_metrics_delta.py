"""Tests for jupyter_expjournal.core.metrics.delta: compare, is_lower_better."""

from __future__ import annotations

import math

import pytest

from jupyter_expjournal.core.metrics import (
    MetricDelta,
    compare,
    format_delta,
    is_lower_better,
)

BETTER, AS_EXPECTED, WORSE = "better than expected", "as expected", "worse than expected"


# --------------------------------------------------------------------------
# compare
# --------------------------------------------------------------------------


def test_compare_fields():
    (d,) = compare("accuracy = 0.95", "accuracy +0.01", {"accuracy": 0.97})
    assert d == MetricDelta("accuracy", 0.95, 0.97, 0.02, 0.01, BETTER)
    assert d.change == 0.02  # float noise removed (0.97 - 0.95 = 0.0200...18)


@pytest.mark.parametrize(
    "actual, verdict",
    [
        (0.97, BETTER),
        (0.961, AS_EXPECTED),  # change 0.011: exactly at the 10 % edge
        (0.96, AS_EXPECTED),
        (0.959, AS_EXPECTED),
        (0.958, WORSE),
        (0.95, WORSE),
        (0.90, WORSE),
    ],
)
def test_compare_higher_is_better_tolerance(actual, verdict):
    (d,) = compare("acc = 0.95", "acc +0.01", {"acc": actual})
    assert d.verdict == verdict


@pytest.mark.parametrize(
    "actual, verdict",
    [(0.38, BETTER), (0.41, AS_EXPECTED), (0.39, AS_EXPECTED), (0.45, WORSE), (0.6, WORSE)],
)
def test_compare_negative_expectation_means_lower_is_better(actual, verdict):
    (d,) = compare("loss = 0.5", "loss -0.1", {"loss": actual})
    assert d.verdict == verdict


def test_compare_target_with_baseline_gives_expected_change():
    (d,) = compare("acc = 0.95", "acc >= 0.96", {"acc": 0.97})
    assert (d.expected_change, d.verdict, d.target) == (0.01, BETTER, 0.96)
    (d,) = compare("loss = 0.5", "loss = 0.4", {"loss": 0.45})
    assert (d.expected_change, d.verdict) == (-0.1, WORSE)  # target below baseline: lower better
    assert format_delta([d]) == "loss -0.05 vs expected -0.1: worse than expected"


def test_compare_zero_expected_change_uses_name_heuristics():
    (d,) = compare("loss = 0.5", "loss +0", {"loss": 0.4})
    assert d.verdict == BETTER
    (d,) = compare("acc = 0.9", "acc +0", {"acc": 0.8})
    assert d.verdict == WORSE
    (d,) = compare("acc = 0.9", "acc +0", {"acc": 0.9})
    assert d.verdict == AS_EXPECTED
    (d,) = compare("acc = 0.3", "acc = 0.3", {"acc": 0.1 + 0.2})  # float noise is not a change
    assert (d.change, d.verdict) == (0.0, AS_EXPECTED)


@pytest.mark.parametrize(
    "actual, verdict",
    [(0.97, BETTER), (0.964, AS_EXPECTED), (0.956, AS_EXPECTED), (0.95, WORSE)],
)
def test_compare_target_only(actual, verdict):
    (d,) = compare("", "accuracy >= 0.96", {"accuracy": actual})
    assert (d.baseline, d.change, d.expected_change, d.target) == (None, None, None, 0.96)
    assert d.verdict == verdict


def test_compare_target_only_lower_is_better_by_name():
    assert compare("", "val_loss <= 0.3", {"val_loss": 0.2})[0].verdict == BETTER
    assert compare("", "val_loss <= 0.3", {"val_loss": 0.4})[0].verdict == WORSE
    assert compare("", "latency_ms = 200", {"latency_ms": 200.4})[0].verdict == AS_EXPECTED


def test_compare_target_tolerance_capped_for_one_digit_targets():
    assert compare("", "lr_err = 1e-05", {"lr_err": 1.4e-05})[0].verdict == WORSE
    assert compare("", "acc = 0.9", {"acc": 0.93})[0].verdict == AS_EXPECTED


def test_compare_without_expectation():
    (d,) = compare("accuracy = 0.95", "", {"accuracy": 0.97, "f1": 0.3})
    assert d == MetricDelta("accuracy", 0.95, 0.97, 0.02, None, None)


def test_compare_delta_without_baseline():
    (d,) = compare("", "accuracy +0.01", {"accuracy": 0.96})
    assert d == MetricDelta("accuracy", None, 0.96, None, 0.01, None)


def test_compare_only_metrics_in_actual_and_named():
    assert compare("acc = 0.9", "loss -0.1", {"f1": 0.5}) == []
    assert compare("", "", {"acc": 0.5}) == []
    assert compare("acc = 0.9", "acc +0.1", {}) == []


def test_compare_names_case_insensitive_but_exact():
    (d,) = compare("ACCURACY = 0.95", "Accuracy +0.01", {"accuracy": 0.97})
    assert d.metric == "Accuracy" and d.verdict == BETTER
    assert compare("acc = 0.95", "acc +0.01", {"accuracy": 0.97}) == []


def test_compare_order_expected_then_baseline():
    got = compare("loss = 0.3, acc = 0.9", "f1 +0.01, acc +0.01", {"acc": 1, "f1": 1, "loss": 1})
    assert [d.metric for d in got] == ["f1", "acc", "loss"]


def test_compare_loose_baseline_without_equals_sign():
    (d,) = compare("accuracy 0.95 (last week's run)", "accuracy +0.01", {"accuracy": 0.97})
    assert d.baseline == 0.95 and d.verdict == BETTER
    # ...but only for metrics with an expectation: "epoch 3" is not a baseline.
    assert compare("acc 0.9 at epoch 3", "acc +0.01", {"acc": 0.91, "epoch": 3}) == [
        MetricDelta("acc", 0.9, 0.91, 0.01, 0.01, AS_EXPECTED)
    ]


def test_compare_lone_numbers_are_attributed_when_unambiguous():
    (d,) = compare("0.95", "accuracy +0.01", {"accuracy": 0.97})
    assert d.baseline == 0.95
    (d,) = compare("accuracy = 0.95", "+1%", {"accuracy": 0.96})
    assert (d.expected_change, d.verdict) == (0.01, AS_EXPECTED)
    (d,) = compare("0.95", "+0.01", {"accuracy": 0.97})
    assert (d.metric, d.baseline, d.expected_change) == ("accuracy", 0.95, 0.01)
    (d,) = compare("", ">= 0.96", {"accuracy": 0.97})
    assert (d.target, d.verdict) == (0.96, BETTER)
    # Ambiguous or not a lone signed number: nothing is invented.
    assert compare("0.95", "", {"a": 1.0, "b": 2.0}) == []
    assert compare("acc = 0.9", "within 3 epochs", {"acc": 0.95})[0].expected_change is None
    assert compare("0.9 or 0.8", "acc +0.1", {"acc": 0.95})[0].baseline is None


def test_compare_nan_actual_has_no_verdict():
    (d,) = compare("loss = 0.5", "loss -0.1", {"loss": float("nan")})
    assert d.verdict is None and d.baseline == 0.5 and math.isnan(d.change)
    assert format_delta([d]) == "loss nan (baseline 0.5): not a number"
    (d,) = compare("", "loss <= 0.3", {"loss": float("nan")})
    assert d.verdict is None
    assert format_delta([d]) == "loss nan (target 0.3): not a number"


def test_compare_infinite_actual_is_judged():
    (d,) = compare("loss = 0.5", "loss -0.1", {"loss": math.inf})
    assert d.verdict == WORSE
    assert format_delta([d]) == "loss +inf vs expected -0.1: worse than expected"


def test_compare_nan_baseline():
    (d,) = compare("loss = nan", "loss -0.1", {"loss": 0.4})
    assert d.verdict is None
    assert format_delta([d]) == "loss 0.4 (baseline nan)"


def test_compare_tolerates_junk_input():
    assert compare(None, None, None) == []  # type: ignore[arg-type]
    assert compare("acc = 1", "acc +1", {"acc": "high", "x": None}) == []


@pytest.mark.parametrize(
    "name, lower",
    [
        ("loss", True),
        ("val_loss", True),
        ("eval/err", True),
        ("test-wer", True),
        ("CER", True),
        ("logloss", True),
        ("eval_runtime", True),
        ("latency_ms", True),
        ("ppl", True),
        ("rmse", True),
        ("neg_mean_squared_error", False),
        ("accuracy", False),
        ("f1", False),
        ("samples_per_second", False),
        ("filter_rate", False),
    ],
)
def test_is_lower_better(name, lower):
    assert is_lower_better(name) is lower
