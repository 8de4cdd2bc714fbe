"""Tests for jupyter_expjournal.core.metrics.format: format_delta, format_number, format_change."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from metrics_support import fd
from metrics_support import finite as _finite

from jupyter_expjournal.core.metrics import (
    MetricDelta,
    format_change,
    format_delta,
    format_number,
)

# --------------------------------------------------------------------------
# format_delta / format_number / format_change
# --------------------------------------------------------------------------


def test_format_delta_forms():
    assert format_delta([]) == ""
    assert fd("accuracy = 0.95", "", {"accuracy": 0.97}) == "accuracy +0.02 (0.95 → 0.97)"
    assert fd("", "accuracy >= 0.96", {"accuracy": 0.97}) == (
        "accuracy 0.97 vs target 0.96: better than expected"
    )
    assert fd("", "accuracy +0.01", {"accuracy": 0.97}) == (
        "accuracy 0.97 (expected +0.01, no baseline)"
    )
    assert fd("acc = 0.95, loss = 0.5", "acc +0.01, loss -0.1", {"acc": 0.96, "loss": 0.3}) == (
        "acc +0.01 vs expected +0.01: as expected; loss -0.2 vs expected -0.1: better than expected"
    )
    assert format_delta([MetricDelta("x", None, 2.0, None, None, None)]) == "x 2"
    assert format_delta([MetricDelta("x", None, float("nan"), None, None, None)]) == (
        "x nan: not a number"
    )


@pytest.mark.parametrize(
    "x, text",
    [
        (0.02, "0.02"),
        (0.97 - 0.95, "0.02"),
        (0.1 + 0.2, "0.3"),
        (0.9733333, "0.9733"),
        (0.97125, "0.97125"),
        (1234.5, "1234.5"),
        (123456.7, "123457"),
        (12345678.9, "12345679"),
        (1e-05, "1e-05"),
        (1.23456789e-7, "1.235e-07"),
        (1.23456789e20, "1.235e+20"),
        (1e16, "1e+16"),
        (3.0, "3"),
        (100, "100"),
        (-0.5, "-0.5"),
        (0.0, "0"),
        (-0.0, "0"),
        (float("nan"), "nan"),
        (float("inf"), "inf"),
        (float("-inf"), "-inf"),
    ],
)
def test_format_number(x, text):
    assert format_number(x) == text


@pytest.mark.parametrize(
    "x, text",
    [(0.02, "+0.02"), (-0.1, "-0.1"), (0, "+0"), (-0.0, "+0"), (float("nan"), "nan"),
     (float("inf"), "+inf"), (float("-inf"), "-inf"), (0.9733333, "+0.9733")],
)
def test_format_change(x, text):
    assert format_change(x) == text


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------




@given(_finite)
def test_property_format_number_is_close(x):
    text = format_number(x)
    assert float(text) == pytest.approx(x, rel=1e-3, abs=0)
    assert format_change(x).lstrip("+") == text


@given(st.floats(min_value=-1e6, max_value=1e6).map(lambda v: float(f"{v:.4g}")))
def test_property_format_number_exact_for_short_values(x):
    assert float(format_number(x)) == x
