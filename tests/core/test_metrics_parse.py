"""Tests for jupyter_expjournal.core.metrics.parse: parse_metrics, metrics_from_value."""

from __future__ import annotations

import math
from collections import namedtuple
from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from metrics_support import finite as _finite
from metrics_support import names as _names

from jupyter_expjournal.core.metrics import (
    metrics_from_value,
    parse_metrics,
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
# Properties
# --------------------------------------------------------------------------




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
