"""Tests for jupyter_expjournal.core.metrics as a whole: field text in, Delta field out."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from metrics_support import fd

from jupyter_expjournal.core.metrics import (
    Expectation,
    compare,
    format_delta,
    parse_expected,
    parse_metrics,
)

# --------------------------------------------------------------------------
# The brief's example
# --------------------------------------------------------------------------


def test_brief_example():
    actual = parse_metrics("epoch 1\naccuracy = 0.90\naccuracy = 0.97\n")
    assert fd("accuracy = 0.95", "accuracy +0.01", actual) == (
        "accuracy +0.02 vs expected +0.01: better than expected"
    )


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------




@settings(max_examples=300)
@given(st.text())
def test_property_parsers_never_raise(text):
    metrics = parse_metrics(text)
    assert all(isinstance(k, str) and isinstance(v, float) for k, v in metrics.items())
    expected = parse_expected(text)
    assert all(isinstance(e, Expectation) for e in expected.values())
    format_delta(compare(text, text, metrics))


@given(st.text(alphabet=st.sampled_from(list("acl=:+-.%0123456789 eE,'\"{}n\n>/@")), max_size=60))
def test_property_parsers_never_raise_on_metric_like_text(text):
    parse_metrics(text)
    parse_expected(text)
    format_delta(compare(text, text, {"acc": 0.5, "loss": float("nan")}))


def test_package_keeps_its_public_names():
    import jupyter_expjournal.core.metrics as metrics

    assert sorted(metrics.__all__) == [
        "ABSOLUTE_TOLERANCE", "AS_EXPECTED", "BETTER", "Expectation", "MetricDelta", "MetricStream",
        "RELATIVE_TOLERANCE", "WORSE",
        "compare", "format_change", "format_delta", "format_number",
        "is_lower_better", "metrics_from_value", "parse_expected", "parse_metrics",
    ]
    assert (metrics.BETTER, metrics.AS_EXPECTED, metrics.WORSE) == (
        "better than expected", "as expected", "worse than expected"
    )
