"""Tests for jupyter_expjournal.core.metrics.expectations: parse_expected."""

from __future__ import annotations

import pytest

from jupyter_expjournal.core.metrics import (
    Expectation,
    parse_expected,
)

# --------------------------------------------------------------------------
# parse_expected
# --------------------------------------------------------------------------


def E(metric, delta=None, target=None):
    return Expectation(metric, delta=delta, target=target)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("acc +0.02", E("acc", delta=0.02)),
        ("acc+0.02", E("acc", delta=0.02)),
        ("acc +2%", E("acc", delta=0.02)),
        ("acc +2 pp", E("acc", delta=0.02)),
        ("acc -0.1", E("acc", delta=-0.1)),
        ("loss \u22120.1", E("loss", delta=-0.1)),
        ("loss-0.1", E("loss", delta=-0.1)),
        ("acc = 0.96", E("acc", target=0.96)),
        ("acc: 0.96", E("acc", target=0.96)),
        ("acc == 0.96", E("acc", target=0.96)),
        ("acc ~ 0.96", E("acc", target=0.96)),
        ("acc = 96%", E("acc", target=0.96)),
        ("acc >= 0.96", E("acc", target=0.96)),
        ("acc ≥ 0.96", E("acc", target=0.96)),
        ("acc > 0.96", E("acc", target=0.96)),
        ("loss <= 0.3", E("loss", target=0.3)),
        ("loss ≤ 0.3", E("loss", target=0.3)),
        ("loss < 0.3", E("loss", target=0.3)),
        ("log_lik >= -0.5", E("log_lik", target=-0.5)),
        ("acc: +0.02", E("acc", delta=0.02)),
        ("acc = -0.01", E("acc", delta=-0.01)),
        ("+0.02 acc", E("acc", delta=0.02)),
        ("+2% acc", E("acc", delta=0.02)),
        ("-0.1 loss", E("loss", delta=-0.1)),
        ("val-loss -0.05", E("val-loss", delta=-0.05)),
        ("eval/acc +0.01", E("eval/acc", delta=0.01)),
        ("top-1 +0.5%", E("top-1", delta=0.005)),
        ("'val acc' +0.01", E("val acc", delta=0.01)),
        ("lr 1e-3 with acc +1e-2", E("acc", delta=0.01)),
    ],
)
def test_parse_expected_single_forms(text, expected):
    assert parse_expected(text) == {expected.metric: expected}


def test_parse_expected_free_text_around():
    assert parse_expected("expect acc +0.02 because the augmentation helps") == {
        "acc": E("acc", delta=0.02)
    }
    assert parse_expected("I expect roughly +0.02 acc.") == {"acc": E("acc", delta=0.02)}
    assert parse_expected("Goal: +0.02 acc") == {"acc": E("acc", delta=0.02)}


@pytest.mark.parametrize(
    "text",
    [
        "acc +0.02, loss -0.1",
        "acc +0.02; loss -0.1",
        "acc +0.02 and loss -0.1",
        "acc +0.02\nloss -0.1",
        "acc +0.02 loss -0.1",
        "+0.02 acc, -0.1 loss",
        "+0.02 acc -0.1 loss",
        "expect +0.02 acc and -0.1 loss",
        "acc: +0.02 loss: -0.1",
    ],
)
def test_parse_expected_several(text):
    assert parse_expected(text) == {"acc": E("acc", delta=0.02), "loss": E("loss", delta=-0.1)}


def test_parse_expected_mixed_kinds_keep_text_order():
    got = parse_expected("acc +0.01; f1 +2pp\nloss <= 0.3 and val-loss -0.1")
    assert list(got) == ["acc", "f1", "loss", "val-loss"]
    assert got["loss"] == E("loss", target=0.3)
    assert got["f1"] == E("f1", delta=0.02)


def test_parse_expected_delta_and_target_for_same_metric_merge():
    assert parse_expected("acc +0.01, acc >= 0.96") == {"acc": E("acc", 0.01, 0.96)}
    assert parse_expected("acc +0.01, acc +0.03") == {"acc": E("acc", delta=0.03)}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "acc 0.96",  # unsigned without operator: too ambiguous
        "should converge within 3 epochs",
        "expect +0.02",  # no metric named
        "by 2026-11-25",
        "v1.2.3 -> v1.2.4",
        "12:30",
        "better than before",
    ],
)
def test_parse_expected_ignores(text):
    assert parse_expected(text) == {}


def test_parse_expected_non_string_input():
    assert parse_expected(None) == {}  # type: ignore[arg-type]
