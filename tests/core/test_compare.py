"""The compare table (core/compare.py) and its JSON (core/export.py): one table, filters and sorts for every face."""

import json

import pytest

from jupyter_expjournal.core import compare, export
from jupyter_expjournal.core.draft import parse_body
from jupyter_expjournal.core.errors import InputError
from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.model import Outcome


def log(journal, name, change, expected, baseline, output, config=""):
    body = f"h\nchange: {change}\n{config}expected: {expected}\nbaseline: {baseline}"
    journal.hypothesize(parse_body(name, body), force=True)
    if output is not None:
        journal.complete(Outcome(output=output))


@pytest.fixture
def journal(tmp_path):
    j = Journal(tmp_path / "experiments")
    log(j, "C 10", "C 1 → 10", "accuracy +0.01", "accuracy = 0.963", "test accuracy: 97.5%\nloss = 0.20",
        config="config:\n- C: 1 → 10\n- kernel: rbf\n")
    log(j, "C 100", "C 10 → 100", "accuracy +0.01", "accuracy = 0.975", "accuracy = 0.97\nloss = 0.25")
    log(j, "gamma", "gamma scale → 0.1", "accuracy +0.01", "accuracy = 0.975", "accuracy = 0.99\nf1 = 0.9")
    j.hypothesize(parse_body("open one", "h\nchange: C 100 → 1000"), force=True)
    return j


def test_rows_hold_the_changed_keys_metrics_and_the_deltas_of_the_entries_delta(journal):
    table = compare.table(journal.entries())
    first, second, third, planned = table.rows
    assert [(i.key, i.old, i.new) for i in first.changed] == [("C", "1", "10")]  # the unchanged kernel is not a change
    assert first.metrics == {"test accuracy": 0.975, "loss": 0.2}
    # "accuracy +0.01" expected of a "test accuracy" output: the Delta's number, under the measured name
    assert first.delta == {"test accuracy": pytest.approx(0.012)}
    assert "+0.012" in first.entry.delta
    assert second.delta == {"accuracy": pytest.approx(-0.005)} and third.delta == {"accuracy": pytest.approx(0.015)}
    assert planned.metrics == {} and planned.delta == {}
    # columns: the union, most common first (loss and accuracy twice; ties in first-seen order)
    assert table.metrics == ["loss", "accuracy", "test accuracy", "f1"]
    assert table.higher_is_better == {"loss": False, "accuracy": True, "test accuracy": True, "f1": True}


def test_sort_by_time_or_by_a_metric_best_first_in_its_direction(journal):
    rows = compare.table(journal.entries()).rows
    names = lambda rows: [r.entry.name for r in rows]  # noqa: E731
    assert names(compare.ordered(rows)) == ["C 10", "C 100", "gamma", "open one"]
    assert names(compare.ordered(rows, "time", reverse=True)) == ["open one", "gamma", "C 100", "C 10"]
    assert names(compare.ordered(rows, "accuracy")) == ["gamma", "C 100", "C 10", "open one"]  # without it: last
    assert names(compare.ordered(rows, "loss")) == ["C 10", "C 100", "gamma", "open one"]  # lower is better
    assert names(compare.ordered(rows, "Loss", reverse=True))[:2] == ["C 100", "C 10"]
    with pytest.raises(InputError, match="cannot sort by 'speed'.*loss, accuracy"):
        compare.ordered(rows, "speed")


def test_filters_by_status_and_by_parameter(journal):
    entries = journal.entries()
    names = lambda found: [e.name for e in found]  # noqa: E731
    assert names(compare.filtered(entries, status="planned")) == ["open one"]
    assert names(compare.filtered(entries, status="completed,abandoned")) == ["C 10", "C 100", "gamma"]
    assert names(compare.filtered(entries, params=["C=10"])) == ["C 10"]  # the run's value, not its old one
    assert names(compare.filtered(entries, params=["kernel=rbf"])) == ["C 10"]  # an unchanged row counts too
    assert names(compare.filtered(entries, params=["C=1e2"])) == ["C 100"]  # the same number
    assert names(compare.filtered(entries, status=["completed"], params=[("c", "1000")])) == []
    with pytest.raises(InputError, match="status 'done' is not one of planned, completed, abandoned"):
        compare.filtered(entries, status="done")
    with pytest.raises(InputError, match="key=value"):
        compare.filtered(entries, params=["C"])


def test_the_search_finds_outcomes_and_metrics_as_a_query_says_them(journal):
    first = journal.entries()[0]
    text = export.search_text(first)
    for query in ("accuracy = 0.975", "accuracy=0.975", "test accuracy 0.975", "97.5%", "loss = 0.2", "C=10", "kernel = rbf"):
        assert export.matches(text, query), query
    assert not export.matches(text, "accuracy = 0.99")
    # the sidebar searches the same text: the values of the JSON keys the core names
    data = export.entry(first)
    haystack = "\n".join(
        "\n".join(map(str, data[k].values())) if isinstance(data[k], dict) else str(data[k]) for k in export.SEARCH_KEYS
    ).casefold()
    assert haystack == text


def test_the_entry_json_carries_its_compare_row_and_the_review_its_columns(journal):
    data = export.review(journal.review(all=True))
    first = data["entries"][0]["compare"]
    assert first["changed"] == [{"key": "C", "old": "1", "new": "10"}]
    assert first["metrics"] == {"test accuracy": 0.975, "loss": 0.2}
    assert first["delta"] == {"test accuracy": pytest.approx(0.012)}
    assert first["shown"] == {"metrics": {"test accuracy": "0.975", "loss": "0.2"}, "delta": {"test accuracy": "+0.012"}}
    assert data["entries"][3]["compare"]["metrics"] == {} and data["entries"][3]["compare"]["delta"] == {}
    assert data["metric_names"] == ["loss", "accuracy", "test accuracy", "f1"]
    assert data["metric_higher_is_better"] == {"loss": False, "accuracy": True, "test accuracy": True, "f1": True}
    assert data["search_keys"] == ["name", "timestamp", "status", "fields", "search_terms"]
    json.dumps(data, allow_nan=False)


def test_a_value_json_cannot_hold_is_null_and_shown_as_text(tmp_path):
    j = Journal(tmp_path / "experiments")
    log(j, "diverged", "lr 1e-3 → 1", "loss -0.1", "loss = 0.5", "loss = nan\naccuracy = inf")
    row = export.entry(j.entries()[0])["compare"]
    assert row["metrics"] == {"loss": None, "accuracy": None}
    assert row["shown"]["metrics"] == {"loss": "nan", "accuracy": "inf"}
    assert "loss" not in row["delta"]  # NaN: no change to show
    json.dumps(row, allow_nan=False)


def test_a_metric_compares_whatever_its_case(tmp_path):
    j = Journal(tmp_path / "experiments")
    log(j, "one", "C 1 → 10", "accuracy +0.01", "accuracy = 0.95", "Accuracy: 96%")
    log(j, "two", "C 10 → 100", "accuracy +0.01", "Accuracy = 0.95", "accuracy = 0.97")
    table = compare.table(j.entries())
    assert table.metrics == ["accuracy"]
    assert [r.metrics for r in table.rows] == [{"accuracy": 0.96}, {"accuracy": 0.97}]
    assert [r.delta for r in table.rows] == [{"accuracy": pytest.approx(0.01)}, {"accuracy": pytest.approx(0.02)}]
    assert [r.entry.name for r in compare.ordered(table.rows, "ACCURACY")] == ["two", "one"]
    assert export.review(j.review(all=True))["metric_names"] == ["accuracy"]


def test_time_is_the_journals_order_even_where_a_hand_edit_dates_an_entry_back(tmp_path):
    from jupyter_expjournal.core.journal_format import parse_journal

    entries = parse_journal("### 2026-11-28 10:00 — first\n**Status**: PLANNED\n\n"
                            "### 2026-11-01 10:00 — written later, dated back\n**Status**: PLANNED\n")
    rows = compare.table(entries).rows
    assert [r.entry.name for r in compare.ordered(rows)] == ["first", "written later, dated back"]
