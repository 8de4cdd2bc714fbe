"""Tests for jupyter_expjournal.core.metrics (pure core, stdlib only)."""

from __future__ import annotations

import math
from collections import namedtuple
from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_expjournal.core.metrics import (
    Expectation,
    MetricDelta,
    compare,
    format_change,
    format_delta,
    format_number,
    is_lower_better,
    metrics_from_value,
    parse_expected,
    parse_metrics,
)

BETTER, AS_EXPECTED, WORSE = "better than expected", "as expected", "worse than expected"


def fd(baseline, expected, actual):
    return format_delta(compare(baseline, expected, actual))


# --------------------------------------------------------------------------
# The brief's example
# --------------------------------------------------------------------------


def test_brief_example():
    actual = parse_metrics("epoch 1\naccuracy = 0.90\naccuracy = 0.97\n")
    assert fd("accuracy = 0.95", "accuracy +0.01", actual) == (
        "accuracy +0.02 vs expected +0.01: better than expected"
    )


# --------------------------------------------------------------------------
# parse_metrics
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("accuracy = 0.81", {"accuracy": 0.81}),
        ("accuracy: 0.81", {"accuracy": 0.81}),
        ("accuracy=0.81", {"accuracy": 0.81}),
        ("accuracy:0.81", {"accuracy": 0.81}),
        ("acc=81%", {"acc": 0.81}),
        ("acc: 97.5 %", {"acc": 0.975}),
        ("'accuracy': 0.81", {"accuracy": 0.81}),
        ('"accuracy": 0.81', {"accuracy": 0.81}),
        ("lr = 3e-4", {"lr": 3e-4}),
        ("lr = 1E+2", {"lr": 100.0}),
        ("x = .5", {"x": 0.5}),
        ("x = 5.", {"x": 5.0}),
        ("x = +2", {"x": 2.0}),
        ("log_lik = -12.5", {"log_lik": -12.5}),
        ("delta = \u22120.5", {"delta": -0.5}),  # typographic minus
        ("eval/acc = 0.5", {"eval/acc": 0.5}),
        ("val-loss: 0.25", {"val-loss": 0.25}),
        ("f1.macro = 0.7", {"f1.macro": 0.7}),
        ("top-1: 0.76", {"top-1": 0.76}),
        ("acc@5 = 0.93", {"acc@5": 0.93}),
        ("_private = 1", {"_private": 1.0}),
        ("Accuracy = 0.9", {"Accuracy": 0.9}),  # case kept
        ("The accuracy: 0.97.", {"accuracy": 0.97}),  # sentence-final period
        ("--lr=0.1", {"lr": 0.1}),
        ("INFO:root:loss=0.5", {"loss": 0.5}),
        ("loss=0.5,acc=0.9;f1=0.8", {"loss": 0.5, "acc": 0.9, "f1": 0.8}),
    ],
)
def test_parse_metrics_forms(text, expected):
    assert parse_metrics(text) == expected


def test_parse_metrics_nan_and_inf():
    got = parse_metrics("loss = nan\ngrad: NaN\nppl=inf\nlow: -inf\njs: -Infinity")
    assert math.isnan(got["loss"]) and math.isnan(got["grad"])
    assert got["ppl"] == math.inf
    assert got["low"] == -math.inf
    assert got["js"] == -math.inf


def test_parse_metrics_nan_inf_need_whole_words():
    assert parse_metrics("level: info\nname: nancy") == {}


def test_parse_metrics_last_occurrence_wins():
    log = "\n".join(f"epoch {i}: loss = {1 / i:.3f}, acc = 0.{i}" for i in range(1, 6))
    assert parse_metrics(log) == {"loss": 0.2, "acc": 0.5}


def test_parse_metrics_keeps_first_position_for_repeated_names():
    assert list(parse_metrics("a = 1 b = 2 a = 3")) == ["a", "b"]


def test_parse_metrics_case_variants_are_distinct():
    assert parse_metrics("Acc = 0.1 acc = 0.2") == {"Acc": 0.1, "acc": 0.2}


def test_parse_metrics_epoch_prefix():
    assert parse_metrics("epoch 3: loss = 0.5") == {"loss": 0.5}
    # Documented decision: "epoch: 3" is an ordinary name/value pair.
    assert parse_metrics("epoch: 3") == {"epoch": 3.0}
    assert parse_metrics("Epoch 3/10") == {}


def test_parse_metrics_keras_progress_line():
    line = "1875/1875 [====] - 3s 2ms/step - loss: 0.2950 - accuracy: 0.9146 - val_loss: 0.1400"
    assert parse_metrics(line) == {"loss": 0.295, "accuracy": 0.9146, "val_loss": 0.14}


def test_parse_metrics_tqdm_postfix():
    line = "100%|██████████| 10/10 [00:01<00:00,  9.1it/s, loss=0.123, acc=0.9]"
    assert parse_metrics(line) == {"loss": 0.123, "acc": 0.9}


def test_parse_metrics_python_dict_repr():
    assert parse_metrics("{'accuracy': 0.97, 'f1': 0.95}") == {"accuracy": 0.97, "f1": 0.95}


def test_parse_metrics_dict_repr_embedded_in_other_output():
    text = "Done!\n{'eval_loss': 0.31, 'eval_accuracy': 0.9, 'epoch': 3.0, 'ok': True}\n"
    assert parse_metrics(text) == {"eval_loss": 0.31, "eval_accuracy": 0.9, "epoch": 3.0}


def test_parse_metrics_json():
    assert parse_metrics('{"accuracy": 0.97, "f1": 0.95, "note": "x"}') == {
        "accuracy": 0.97,
        "f1": 0.95,
    }


def test_parse_metrics_json_nested_is_flattened_and_keeps_nan():
    got = parse_metrics('{"val": {"acc": 0.9}, "loss": NaN, "n": 3}')
    assert got["val.acc"] == 0.9 and got["n"] == 3.0 and math.isnan(got["loss"])


def test_parse_metrics_python_literal_nested():
    assert parse_metrics("{'val': {'acc': 0.9}, 'train': {'acc': 0.99}}") == {
        "val.acc": 0.9,
        "train.acc": 0.99,
    }


def test_parse_metrics_compact_json():
    assert parse_metrics('prefix {"a":1,"b":2.5}') == {"a": 1.0, "b": 2.5}


def test_parse_metrics_quoted_key_with_space():
    assert parse_metrics("{'macro avg': 0.8, 'weighted avg': 0.85, 'x': np.nan}") == {
        "macro avg": 0.8,
        "weighted avg": 0.85,
    }


def test_parse_metrics_apostrophes_do_not_open_keys():
    assert parse_metrics("it's the model's 'val acc': 0.7") == {"val acc": 0.7}


def test_parse_metrics_numpy_and_torch_scalar_reprs():
    text = "{'acc': np.float64(0.97), 'n': np.int64(3), 'loss': tensor(0.25, device='cuda:0')}"
    assert parse_metrics(text) == {"acc": 0.97, "n": 3.0, "loss": 0.25}


def test_parse_metrics_string_literal_is_not_a_metric():
    assert parse_metrics("device='cuda:0'") == {}


@pytest.mark.parametrize(
    "text",
    [
        "12:30",
        "at 12:30:45 we stopped",
        "time: 12:30",
        "elapsed: 0:01:23",
        "2026-11-25T12:30:00Z",
        "date: 2026-11-25",
        "version: 1.2.3",
        "v1.2.3 = ",
        "ip: 192.168.0.1",
        "host: 10.0.0.1:8888",
        "http://localhost:8888/?token=abc",
        "samples: 1,000",
        "time: 3s",
        "lr: 0.1-0.2",
        "ratio: 5/10",
        "mask: 0x1F",
        "n = 1_000",
        "acc == 0.9",
        "acc := 0.9",
        "acc >= 0.9",
        "acc != 0.9",
        "myaccuracy",
        "3acc = 0.5",
        "Epoch 1/10",
        "",
    ],
)
def test_parse_metrics_ignores_non_metrics(text):
    assert parse_metrics(text) == {}


def test_parse_metrics_does_not_match_inside_words():
    assert parse_metrics("myacc=0.5") == {"myacc": 0.5}
    assert "acc" not in parse_metrics("myacc=0.5")
    assert parse_metrics("2ms/step=5") == {}


def test_parse_metrics_timestamps_around_metrics():
    log = "2026-11-25 12:30:00,123 INFO step 10 loss=0.5 (12:31)"
    assert parse_metrics(log) == {"loss": 0.5}


def test_parse_metrics_unicode_names():
    assert parse_metrics("точность = 0.9") == {"точность": 0.9}


def test_parse_metrics_non_string_input():
    assert parse_metrics(None) == {}  # type: ignore[arg-type]


def test_parse_metrics_big_input_is_fast():
    import time

    text = ("loss = 0.5 " + "x" * 50 + " a-b/c.d@e " * 20 + "'q' ") * 2000
    start = time.perf_counter()
    assert parse_metrics(text) == {"loss": 0.5}
    assert time.perf_counter() - start < 2.0


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


# --------------------------------------------------------------------------
# metrics_from_value
# --------------------------------------------------------------------------


def test_metrics_from_value_flat_and_nested():
    value = {"acc": 0.9, "n": 3, "val": {"acc": 0.8, "deep": {"f1": 0.7}}}
    assert metrics_from_value(value) == {
        "acc": 0.9,
        "n": 3.0,
        "val.acc": 0.8,
        "val.deep.f1": 0.7,
    }


def test_metrics_from_value_ignores_bools_strings_none():
    assert metrics_from_value({"ok": True, "bad": False, "s": "0.5", "x": None, "a": 1}) == {
        "a": 1.0
    }


def test_metrics_from_value_non_mapping_top_level():
    assert metrics_from_value(0.5) == {}
    assert metrics_from_value("acc = 0.5") == {}
    assert metrics_from_value(None) == {}
    assert metrics_from_value(object()) == {}


def test_metrics_from_value_lists_last_wins():
    history = {"loss": [0.9, 0.5, 0.4], "acc": [0.5, 0.8]}  # keras History.history
    assert metrics_from_value(history) == {"loss": 0.4, "acc": 0.8}
    log = [{"loss": 0.9, "epoch": 1}, {"loss": 0.5, "epoch": 2}, {"eval_loss": 0.6}]
    assert metrics_from_value(log) == {"loss": 0.5, "epoch": 2.0, "eval_loss": 0.6}


def test_metrics_from_value_special_numbers():
    got = metrics_from_value(
        {"d": Decimal("0.25"), "big": 10**400, "nan": float("nan"), "c": 1j, "dn": Decimal("sNaN")}
    )
    assert got["d"] == 0.25 and got["big"] == math.inf and math.isnan(got["nan"])
    assert "c" not in got and "dn" not in got


def test_metrics_from_value_scalar_like_objects():
    class Scalar:  # stands in for a numpy/torch 0-d value
        ndim = 0

        def __float__(self):
            return 0.75

    class Vector:
        ndim = 1

        def __float__(self):
            raise TypeError("only size-1 arrays")

    assert metrics_from_value({"s": Scalar(), "v": Vector()}) == {"s": 0.75}


def test_metrics_from_value_non_string_keys_dataclass_namedtuple():
    @dataclass
    class Result:
        acc: float
        name: str

    Point = namedtuple("Point", "x y")
    assert metrics_from_value({1: 0.5, "r": Result(0.9, "a"), "p": Point(1, 2)}) == {
        "1": 0.5,
        "r.acc": 0.9,
        "p.x": 1.0,
        "p.y": 2.0,
    }


def test_metrics_from_value_cycles_do_not_recurse_forever():
    d = {"a": 1}
    d["self"] = d
    assert metrics_from_value(d) == {"a": 1.0}


def test_metrics_from_value_broken_mapping():
    from collections.abc import Mapping

    class Broken(Mapping):
        def __getitem__(self, key):
            raise RuntimeError

        def __iter__(self):
            raise RuntimeError

        def __len__(self):
            return 1

    assert metrics_from_value({"ok": 1, "b": Broken()}) == {"ok": 1.0}


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

_segment = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
_names = st.builds(
    lambda first, rest: first + "".join(sep + seg for sep, seg in rest),
    _segment,
    st.lists(st.tuples(st.sampled_from(".-/"), _segment), max_size=3),
)
_finite = st.floats(allow_nan=False, allow_infinity=False)


@given(name=_names, value=_finite)
def test_property_name_value_roundtrip(name, value):
    assert parse_metrics(f"{name} = {value!r}")[name] == value


@given(name=_names, value=_finite, noise=st.sampled_from(["", "\n", "x = 1\n", "epoch 3: "]))
def test_property_roundtrip_in_context(name, value, noise):
    text = f"{noise}{name}: {value!r}, other=2\n"
    assert parse_metrics(text)[name] == value


@given(st.dictionaries(_names, _finite, max_size=5))
def test_property_dict_repr_roundtrip(d):
    assert parse_metrics(repr(d)) == d
    assert metrics_from_value(d) == d


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


@given(_finite)
def test_property_format_number_is_close(x):
    text = format_number(x)
    assert float(text) == pytest.approx(x, rel=1e-3, abs=0)
    assert format_change(x).lstrip("+") == text


@given(st.floats(min_value=-1e6, max_value=1e6).map(lambda v: float(f"{v:.4g}")))
def test_property_format_number_exact_for_short_values(x):
    assert float(format_number(x)) == x
