"""Names of several words and units, read alike in output, Baseline and Expected outcome (issue 11, point 4).

"F1 score = 0.912" is the metric "F1 score", not "score"; "fit time = 0.42 s" is "fit time" in
seconds; an Expected outcome "F1 score +0.01" names the same metric, so compare and the
journal's Delta find it.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from metrics_support import fd
from metrics_support import finite as _finite

from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.metrics import compare, parse_expected, parse_metrics
from jupyter_expjournal.core.metrics.names import STOPWORDS
from jupyter_expjournal.core.metrics.parse import loose_values, tokenize
from jupyter_expjournal.core.model import Draft, Outcome

# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("F1 score = 0.912", {"F1 score": 0.912}),
        ("top-1 accuracy: 0.76", {"top-1 accuracy": 0.76}),
        ("fit time = 0.42 s", {"fit time": 0.42}),
        ("mean cv score: 0.95", {"mean cv score": 0.95}),
        ("INFO Test accuracy: 0.9", {"Test accuracy": 0.9}),  # a log level is not a word of the name
        ("2026-11-25 12:30:00 - INFO - Validation accuracy: 0.9", {"Validation accuracy": 0.9}),
        ("[INFO] val loss = 0.31", {"val loss": 0.31}),
        ("Epoch 3/10 train loss: 0.5 val loss: 0.4", {"train loss": 0.5, "val loss": 0.4}),
        ("Results: test accuracy: 0.9", {"test accuracy": 0.9}),
        ("The accuracy: 0.97.", {"accuracy": 0.97}),  # a prose word stops the name
        ("we got a test accuracy = 0.9", {"test accuracy": 0.9}),
        ("accuracy of the model: 0.9", {"model": 0.9}),
        ("step 10 loss=0.5", {"loss": 0.5}),  # a number stops it
        ("loss: 0.5 acc: 0.9", {"loss": 0.5, "acc": 0.9}),
        ("model trained very well loss: 0.2", {"loss": 0.2}),  # four words or more: prose, the last word
        ("Test set: Average loss: 0.0274", {"Average loss": 0.0274}),
        ("[10]\tvalid_0's binary_logloss: 0.12\tvalid_0's auc: 0.99", {"valid_0.binary_logloss": 0.12, "valid_0.auc": 0.99}),
        ("the model's 'val acc': 0.7", {"val acc": 0.7}),
        ("the model's accuracy: 0.9", {"accuracy": 0.9}),  # an owner only where LightGBM writes one
        ("[10] valid_1's l2: 0.5", {"valid_1.l2": 0.5}),
    ],
)
def test_names_of_several_words(text, expected):
    assert parse_metrics(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("latency = 12 ms", {"latency": 0.012}),
        ("latency = 12.5 ms", {"latency": 0.0125}),
        ("fit time = 0.42 s", {"fit time": 0.42}),
        ("step: 1.5 sec", {"step": 1.5}),
        ("kernel: 350 µs", {"kernel": 350e-6}),
        ("kernel: 350 us", {"kernel": 350e-6}),
        ("time: 3s", {}),  # glued: not a whole number token, as before
        ("time: 12ms", {}),
        ("speed: 0.5 s/it", {"speed": 0.5}),  # a rate is not a time unit
        ("acc = 81%", {"acc": 0.81}),
        ("Training: 100%|██████████| 10/10", {}),  # a progress bar's percentage
    ],
)
def test_units(text, expected):
    got = parse_metrics(text)
    assert got == pytest.approx(expected) and list(got) == list(expected)


# --------------------------------------------------------------------------
# Hand-written fields
# --------------------------------------------------------------------------


def test_tokens_join_words_one_blank_apart():
    assert [t.text for t in tokenize("F1 score +0.01")] == ["F1 score", "+0.01"]
    assert [t.text for t in tokenize("expect the F1 score +0.01")] == ["expect", "the", "F1 score", "+0.01"]
    assert [t.text for t in tokenize("F1  score")] == ["F1", "score"]  # two blanks part them
    assert [t.text for t in tokenize("a b c d e +1")][-2:] == ["e", "+1"]  # four words: prose


def test_expected_outcome_names_several_words_and_units():
    got = parse_expected("F1 score +0.01, top-1 accuracy >= 0.76; latency -2 ms, fit time <= 0.5 s")
    assert {k: (e.delta, e.target) for k, e in got.items()} == {
        "F1 score": (0.01, None),
        "top-1 accuracy": (None, 0.76),
        "latency": (-0.002, None),
        "fit time": (None, 0.5),
    }


def test_loose_baseline_names_several_words():
    assert loose_values("F1 score 0.90, latency 15 ms") == {"F1 score": 0.9, "latency": 0.015}


# --------------------------------------------------------------------------
# compare: the names found
# --------------------------------------------------------------------------


def test_compare_f1_score():
    assert fd("F1 score = 0.90", "F1 score +0.01", parse_metrics("F1 score = 0.912")) == (
        "F1 score +0.012 vs expected +0.01: better than expected"
    )


def test_compare_units_meet_in_seconds():
    actual = parse_metrics("latency: 0.013 s")
    assert fd("latency = 15 ms", "latency -2 ms", actual) == "latency -0.002 vs expected -0.002: as expected"


def test_compare_finds_the_only_longer_name():
    # a word of prose before the name in the output or the Baseline
    assert fd("accuracy = 0.95", "accuracy +0.01", parse_metrics("final accuracy = 0.96")) == (
        "accuracy +0.01 vs expected +0.01: as expected"
    )
    assert fd("previous accuracy = 0.95", "accuracy +0.01", {"accuracy": 0.97}) == (
        "accuracy +0.02 vs expected +0.01: better than expected"
    )


def test_compare_an_ambiguous_longer_name_finds_nothing():
    actual = {"train accuracy": 0.99, "test accuracy": 0.9}
    assert compare("accuracy = 0.95", "accuracy +0.01", actual) == []


def test_compare_expected_prose_finds_its_last_words():
    assert fd("accuracy = 0.95", "dropout helps accuracy +0.02", {"accuracy": 0.97}) == (
        "accuracy +0.02 vs expected +0.02: as expected"
    )


def test_compare_never_matches_by_characters():
    assert compare("acc = 0.9", "acc +0.01", {"accuracy": 0.95}) == []
    assert compare("", "val loss -0.01", {"val_loss": 0.3}) == []


def test_compare_exact_name_wins_over_a_longer_one():
    (delta,) = compare("accuracy = 0.9", "accuracy +0.01", {"accuracy": 0.91, "test accuracy": 0.5})
    assert delta.actual == 0.91


# --------------------------------------------------------------------------
# Through the journal: hypothesis, then result, the Delta field
# --------------------------------------------------------------------------


def test_journal_delta_for_a_name_of_two_words(tmp_path):
    journal = Journal(tmp_path)
    journal.hypothesize(
        Draft(name="class weights", hypothesis="Class weights lift F1.", expected="F1 score +0.01",
              baseline="F1 score = 0.90")
    )
    journal.complete(Outcome(output="epoch 1: F1 score = 0.871\nepoch 2: F1 score = 0.912\nfit time = 0.42 s\n"))
    text = (tmp_path / "journal.md").read_text(encoding="utf-8")
    assert "**Delta**: F1 score +0.012 vs expected +0.01: better than expected\n" in text
    assert "**Actual outcome**: F1 score = 0.912, fit time = 0.42\n" in text


def test_journal_delta_from_a_classification_report(tmp_path):
    from sklearn.datasets import load_iris
    from sklearn.metrics import classification_report
    from sklearn.tree import DecisionTreeClassifier

    x, y = load_iris(return_X_y=True)
    report = classification_report(y, DecisionTreeClassifier(max_depth=1, random_state=0).fit(x, y).predict(x), zero_division=0)
    journal = Journal(tmp_path)
    journal.hypothesize(
        Draft(name="stump", hypothesis="A stump gets two of three classes.", expected="macro avg.f1-score >= 0.5",
              baseline="")
    )
    journal.complete(Outcome(output=report))
    text = (tmp_path / "journal.md").read_text(encoding="utf-8")
    f1 = parse_metrics(report)["macro avg.f1-score"]
    assert f"**Delta**: macro avg.f1-score {f1:g} vs target 0.5: better than expected\n" in text


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------

_word = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,6}", fullmatch=True).filter(
    lambda w: w.lower() not in STOPWORDS and w not in {"INFO", "DEBUG", "WARN", "WARNING", "ERROR", "CRITICAL",
                                                        "FATAL", "TRACE", "nan", "inf", "NaN", "Inf"}
)
_multi = st.lists(_word, min_size=1, max_size=3).map(" ".join)


@given(st.dictionaries(_multi, _finite, min_size=1, max_size=5))
def test_property_summary_roundtrip(metrics):
    # the Actual outcome's first line ("a = 1, F1 score = 0.9") reads back as the metrics
    summary = ", ".join(f"{k} = {v!r}" for k, v in metrics.items())
    assert parse_metrics(summary) == metrics


@given(_multi, _finite)
def test_property_expected_names_what_output_names(name, value):
    assert list(parse_expected(f"{name} +0.01")) == [name]
    assert parse_metrics(f"{name} = {value!r}") == {name: value}
