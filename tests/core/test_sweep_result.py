"""The result of a sweep from what real runs leave: printed lines, a dict, a DataFrame, cv_results_, a CSV file.

The runs are real: scikit-learn's SVC over gamma on its bundled digits data,
its GridSearchCV, pandas frames. Each result goes through Journal.hypothesize
and Journal.complete and is read back from journal.md: one entry, its table
(rendered as a GFM table by markdown-it-py), its best value and its Delta.
"""

from datetime import datetime

import pytest
from rendering_support import assert_fields_render_apart, render
from sweep_support import BODY, GAMMAS, run_loop

from jupyter_expjournal.core import compare
from jupyter_expjournal.core.checks import check_journal
from jupyter_expjournal.core.draft import parse_body
from jupyter_expjournal.core.errors import InputError
from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.model import Outcome
from jupyter_expjournal.core.sweep import plan_sweep
from jupyter_expjournal.core.sweep_evidence import evidence, points_and_best, points_in, read_table
from jupyter_expjournal.core.sweep_points import csv_rows, from_text, from_value, table_points
from jupyter_expjournal.core.sweep_result import result_of

sklearn = pytest.importorskip("sklearn")
pd = pytest.importorskip("pandas")

from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

T0 = datetime(2026, 12, 1, 17, 10)


@pytest.fixture(scope="module")
def digits_run():
    """The loop a person writes: fit per gamma, print ``gamma=... accuracy=...``; its output and its scores."""
    return run_loop()


@pytest.fixture
def journal(tmp_path):
    return Journal(tmp_path / "experiments")


def planned_sweep(journal, body=BODY, spec="gamma", name="gamma sweep"):
    return journal.hypothesize(plan_sweep(parse_body(name, body), spec), now=T0).entry


def test_printed_lines_complete_a_sweep_that_reads_back_with_its_table_best_value_and_delta(journal, digits_run):
    output, scores = digits_run
    planned_sweep(journal)
    done = journal.complete(Outcome(output=output, source="cell [3]", learning="gamma 1e-3 is best")).entry
    best = max(scores, key=scores.get)
    entry = journal.entries()[-1]
    assert entry.status == "COMPLETED" and len(journal.entries()) == 1
    assert [v for v, _ in points_in(entry)] == ["0.0001", "0.001", "0.01"]
    assert [m["accuracy"] for _, m in points_in(entry)] == [round(scores[g], 4) for g in GAMMAS]
    assert entry.actual.startswith(f"gamma sweep, 3 of 3 planned values run: best accuracy {round(scores[best], 4)} "
                                   f"at gamma={best} (peaked)")
    change = round(round(scores[best], 4) - 0.9889, 4)
    verdict = "better than expected" if change > 0.0055 else "as expected" if change >= 0.0045 else "worse than expected"
    assert entry.delta == f"accuracy best {round(scores[best], 4)} at gamma={best}: {change:+g} vs expected +0.005: {verdict}"
    # the entry measures its best run (what the compare table and the review's series read)
    assert entry.measured["accuracy"] == round(scores[best], 4)
    assert done.id == entry.id
    text = journal.journal_path.read_text()
    assert "| gamma | accuracy |\n| --- | --- |\n" in text
    assert f"| **{best}** | **{round(scores[best], 4)}** |" in text
    assert "```text\ngamma=0.0001 accuracy=" in text  # the run's own output is kept, as for any result


def test_the_table_renders_as_a_gfm_table_and_every_field_stays_its_own_paragraph(journal, digits_run):
    planned_sweep(journal)
    journal.complete(Outcome(output=digits_run[0], source="cell [3]", learning="l", next="n"))
    text = journal.journal_path.read_text()
    tree = assert_fields_render_apart(text)
    [table] = tree.find("table")
    assert [th.text for th in table.find("th")] == ["gamma", "accuracy"]
    rows = [[td.text for td in tr.find("td")] for tr in table.find("tbody")[0].find("tr")]
    assert [r[0] for r in rows] == ["0.0001", "0.001", "0.01"]
    assert table.find("strong"), "the best row is bold"
    assert [n.text for n in render(text).find("h3")] == ["2026-12-01 17:10 — gamma sweep"]


def test_a_dict_of_value_to_metrics_and_planned_values_without_result_or_never_planned(journal, digits_run):
    _, scores = digits_run
    planned_sweep(journal, BODY.replace("0.01]", "0.01, 0.1]"))
    result = {0.0001: {"accuracy": scores[0.0001]}, 1e-3: {"accuracy": scores[0.001]}, 0.5: {"accuracy": 0.1}}
    journal.complete(Outcome(), result_value=result)
    entry = journal.entries()[-1]
    assert entry.actual.startswith("gamma sweep, 2 of 4 planned values run (and 1 not planned): best accuracy")
    assert "Planned, no result: gamma=0.01, gamma=0.1" in entry.actual
    assert "Run, not planned: gamma=0.5" in entry.actual
    assert "| 0.5 (not planned) | 0.1 |" in entry.actual
    assert "| **0.001** |" in entry.actual  # the planned spelling of the value the dict keyed as 1e-3
    text, entries = journal.parsed()
    [problem] = [p for p in check_journal(text, entries) if "never planned" in p.message]
    assert problem.entry == entry.heading and "logged gamma=0.5, which its sweep never planned" in problem.message


def test_a_dict_of_lone_numbers_is_named_after_the_one_metric_expected(journal):
    planned_sweep(journal)
    journal.complete(Outcome(), result_value={0.0001: 0.97, 0.001: 0.99, 0.01: 0.86})
    assert journal.entries()[-1].delta.startswith("accuracy best 0.99 at gamma=0.001: +0.0011 vs expected +0.005")


def test_a_pandas_dataframe_with_the_key_as_a_column_or_as_its_index(journal, digits_run):
    _, scores = digits_run
    frame = pd.DataFrame({"gamma": GAMMAS, "accuracy": [scores[g] for g in GAMMAS], "kernel": "rbf"})
    assert [v for v, _ in from_value(frame, "gamma")] == ["0.0001", "0.001", "0.01"]
    assert from_value(frame.set_index("gamma"), "gamma") == from_value(frame, "gamma")
    assert from_value(frame.set_index("gamma")["accuracy"], "gamma") == from_value(frame, "gamma")
    planned_sweep(journal)
    journal.complete(Outcome(output=repr(frame)), result_value=frame)
    assert [m["accuracy"] for _, m in points_in(journal.entries()[-1])] == [round(scores[g], 4) for g in GAMMAS]


def test_grid_search_cv_results_are_columns_with_param_key(journal):
    X, y = load_digits(return_X_y=True)
    search = GridSearchCV(SVC(), {"gamma": [0.0001, 0.001, 0.01]}, cv=3).fit(X[:600], y[:600])
    points = from_value(search.cv_results_, "gamma", "score")
    assert [v for v, _ in points] == ["0.0001", "0.001", "0.01"]
    assert all("mean_test_score" in m and "rank_test_score" in m for _, m in points)
    body = BODY.replace("expected: accuracy +0.005", "expected: mean_test_score +0.005").replace(
        "baseline: accuracy = 0.9889", "baseline: mean_test_score = 0.95")
    planned_sweep(journal, body)
    journal.complete(Outcome(), result_value=search.cv_results_)
    entry = journal.entries()[-1]
    best = search.best_params_["gamma"]
    assert entry.delta.startswith(f"mean_test_score best {round(search.best_score_, 4)} at gamma={best}")
    assert entry.actual.split("\n\n")[1].startswith("| gamma | mean_test_score |")  # the judged metric first
    assert "Also measured (not in the table):" in entry.actual


def test_a_csv_table_file(journal, tmp_path, digits_run):
    _, scores = digits_run
    path = tmp_path / "sweep.csv"
    frame = pd.DataFrame({"gamma": GAMMAS, "accuracy": [scores[g] for g in GAMMAS]})
    frame.to_csv(path, index=False)
    rows = csv_rows(path.read_text(), str(path))
    assert table_points(rows, "gamma", str(path)) == from_value(frame, "gamma")
    planned_sweep(journal)
    journal.complete(Outcome(source=f"table {path.name}"), result_value=rows)
    assert len(points_in(journal.entries()[-1])) == 3
    with pytest.raises(InputError, match=r"has no column 'gamma' \(the key swept\): its columns are C, accuracy"):
        table_points(csv_rows("C,accuracy\n1,0.9\n10,0.95\n"), "gamma")
    with pytest.raises(InputError, match="is empty"):
        csv_rows("")
    with pytest.raises(InputError, match="a header row and no rows"):
        csv_rows("gamma,accuracy\n")


def test_every_printed_form_the_metrics_package_reads():
    text = (
        "Epoch 1/1 ... gamma=1e-4\n"  # a mention with no metric opens a block: the lines under it hold them
        "32/32 - 0s - loss: 0.31 - accuracy: 0.91\n"
        "gamma: 0.001 {'accuracy': 0.99, 'f1': 0.98}\n"
        "accuracy = 97% at gamma=0.01\n"
        "[CV] END C=1, gamma=0.1;, score=0.5 total time= 0.1s\n"
        "gamma=1\n"
        "              precision    recall  f1-score   support\n\n"
        "           0       1.00      1.00      1.00        10\n\n"
        "    accuracy                           0.90        10\n"
        "   macro avg       0.90      0.90      0.90        10\n"
    )
    points = dict(from_text(text, "gamma"))
    assert points["1e-4"] == {"loss": 0.31, "accuracy": 0.91}
    assert points["0.001"] == {"accuracy": 0.99, "f1": 0.98}
    assert points["0.01"] == {"accuracy": 0.97}
    assert points["0.1"] == {"score": 0.5}
    assert points["1"]["accuracy"] == 0.9 and points["1"]["macro avg.f1-score"] == 0.9
    assert from_text("gamma_max=3 accuracy=0.9\nmygamma=1 accuracy=0.8", "gamma") == []


def test_a_loss_is_best_lowest_and_the_curve_data(journal):
    body = ("A larger learning rate converges faster.\nconfig:\n- lr: 0.001 → [0.0001, 0.001, 0.01, 0.1]\n"
            "expected: val_loss -0.05\nbaseline: val_loss = 0.40\n")
    planned_sweep(journal, body, "lr", "lr sweep")
    output = "".join(f"lr={lr} val_loss={loss}\n" for lr, loss in [(0.1, 0.9), (0.0001, 0.5), (0.001, 0.35), (0.01, 0.3)])
    entry = journal.entries()[-1]
    result = result_of(entry, Outcome(output=output))
    curve = result.curve()
    assert curve.labels == ["0.0001", "0.001", "0.01", "0.1"] and curve.log and curve.lower_is_better
    assert curve.ys == [0.5, 0.35, 0.3, 0.9] and curve.labels[curve.best] == "0.01" and curve.shape == "peaked"
    journal.complete(Outcome(output=output))
    assert journal.entries()[-1].delta == "val_loss best 0.3 at lr=0.01: -0.1 vs expected -0.05: better than expected"


def test_shapes_and_linear_scale():
    from jupyter_expjournal.core.sweep_result import Curve

    def shape(ys, xs=(1, 2, 3)):
        return Curve("k", "accuracy", [str(x) for x in xs], list(ys), list(xs), False, 0, False).shape

    assert shape([0.5, 0.6, 0.7]) == "rising"
    assert shape([0.7, 0.6, 0.5]) == "falling"
    assert shape([0.5, 0.7, 0.6]) == "peaked"
    assert shape([0.700, 0.701, 0.7005]) == "flat"
    assert Curve("k", "m", ["a", "b"], [1.0, 2.0], None, False, 1, False).shape == "unordered"


def test_evidence_in_the_review_and_a_row_of_the_compare_table_that_expands_to_its_points(journal, digits_run):
    output, scores = digits_run
    planned_sweep(journal)
    journal.complete(Outcome(output=output))
    entry = journal.entries()[-1]
    found = evidence(entry)
    best = max(scores, key=scores.get)
    assert found.describe() == f"gamma (accuracy, 3 points): best {round(scores[best], 4)} at gamma={best}, peaked"
    [sweep] = journal.review().analysis.sweeps
    assert sweep.entry.id == entry.id and sweep.best_value == str(best) and sweep.shape == "peaked"
    [row] = compare.table(journal.entries()).rows
    assert [v for v, _ in row.points] == ["0.0001", "0.001", "0.01"]
    assert row.metrics == {"accuracy": round(scores[best], 4)}  # the key swept is a parameter, not a metric
    assert list(journal.review().analysis.series) == ["accuracy"]


def test_a_sweep_whose_run_named_no_point_is_completed_plainly_and_says_why(journal):
    planned_sweep(journal)
    journal.complete(Outcome(output="accuracy = 0.99\n"))
    entry = journal.entries()[-1]
    assert entry.status == "COMPLETED" and not points_in(entry)
    assert "no point of the gamma sweep was found: print gamma=value beside each run's metrics" in entry.delta


def test_read_table_takes_back_escaped_cells():
    text = "x\n\n| kernel | acc |\n| --- | --- |\n| a\\|b | 0.5 |\n| **c** | **0.7** |\n\nafter"
    assert read_table(text, "kernel") == [("a|b", {"acc": 0.5}), ("c", {"acc": 0.7})]


def test_a_cell_ending_in_a_dict_of_metrics_is_not_taken_for_the_table_the_loop_printed(journal, digits_run):
    output, scores = digits_run
    planned_sweep(journal)
    journal.complete(Outcome(output=output), result_value={"accuracy": 0.5, "f1": 0.4})
    assert [v for v, _ in points_in(journal.entries()[-1])] == ["0.0001", "0.001", "0.01"]


def test_points_typed_as_the_outcome(journal):
    planned_sweep(journal)
    journal.complete(Outcome(summary="gamma=0.0001 accuracy=0.97; gamma=0.001 accuracy=0.99; gamma=0.01 accuracy=0.86"))
    entry = journal.entries()[-1]
    assert [v for v, _ in points_in(entry)] == ["0.0001", "0.001", "0.01"]
    assert entry.actual.startswith("gamma=0.0001 accuracy=0.97; gamma=0.001")  # what was typed comes first, kept


def test_a_printed_dataframe_or_markdown_table_with_the_key_as_a_column(digits_run):
    _, scores = digits_run
    frame = pd.DataFrame({"gamma": GAMMAS, "accuracy": [scores[g] for g in GAMMAS]})
    expected = [(v, pytest.approx(m, rel=1e-5)) for v, m in from_value(frame, "gamma")]  # a repr keeps 6 digits
    assert from_text(str(frame), "gamma") == expected  # print(df): the index column is dropped
    assert from_text(frame.to_string(index=False), "gamma") == expected
    piped = "| gamma | accuracy |\n|---:|---:|\n" + "".join(f"| {g} | {scores[g]} |\n" for g in GAMMAS)
    assert from_text(piped, "gamma") == expected
    assert from_text("Results for every gamma we tried\nsee the plot", "gamma") == []


def test_a_sweep_of_words_is_unordered_and_narrowing_the_review_to_its_key_keeps_it(journal):
    body = "The kernel's shape matters most.\nconfig:\n- kernel: rbf → [linear, rbf, poly]\nbaseline: accuracy = 0.98\n"
    planned_sweep(journal, body, "kernel", "kernel sweep")
    journal.complete(Outcome(output="kernel=linear accuracy=0.97\nkernel='rbf' accuracy=0.99\nkernel=poly accuracy=0.98\n"))
    entry = journal.entries()[-1]
    assert [v for v, _ in points_in(entry)] == ["linear", "rbf", "poly"]
    assert entry.delta == "accuracy best 0.99 at kernel=rbf: +0.01 (0.98 → 0.99)"
    [found] = journal.review(param="kernel").analysis.sweeps
    assert found.shape == "unordered" and found.best_value == "rbf" and found.curve.xs is None
    assert journal.review(param="gamma").analysis.sweeps == []


def test_table_rows_are_checked_against_the_entrys_sweep(journal):
    from jupyter_expjournal.core.sweep_result import table_rows

    entry = planned_sweep(journal)
    assert table_rows(entry, "gamma,accuracy\n0.001,0.99\n", "t.csv") == [{"gamma": 0.001, "accuracy": 0.99}]
    with pytest.raises(InputError, match=r"t.csv holds no number beside 'gamma'"):
        table_rows(entry, "gamma,kernel\n0.001,rbf\n", "t.csv")
    journal.abandon("wrong split")
    plain = journal.hypothesize(parse_body("plain", BODY.replace("[0.0001, 0.001, 0.01]", "0.001")), now=T0).entry
    with pytest.raises(InputError, match=r"'plain' planned no sweep: t.csv is a table of values"):
        table_rows(plain, "gamma,accuracy\n0.001,0.99\n", "t.csv")


def test_a_loop_an_error_stopped_keeps_its_points_and_says_so(journal):
    planned_sweep(journal)
    journal.complete(Outcome(output="gamma=0.0001 accuracy=0.97\ngamma=0.001 accuracy=0.99\nTraceback ...",
                             error="MemoryError: out of memory at gamma=0.01"))
    entry = journal.entries()[-1]
    assert [v for v, _ in points_in(entry)] == ["0.0001", "0.001"]
    assert entry.actual.split("\n")[1] == "Error: MemoryError: out of memory at gamma=0.01"
    assert "Planned, no result: gamma=0.01" in entry.actual
    [failure] = journal.review().analysis.failures["out of memory"]
    assert failure.entry.id == entry.id


def test_a_sweep_planned_by_its_config_row_alone_as_a_form_sends_it(journal):
    """The sidebar's and the panel's forms send rows: a row whose new value is a list is a sweep, no option needed."""
    from jupyter_expjournal.core.draft import config_rows
    from jupyter_expjournal.core.model import Draft

    rows = config_rows([("gamma", "scale", "[0.0001, 0.001, 0.01]"), ("C", "1", "")])
    journal.hypothesize(Draft("gamma sweep", "h", config=rows, expected="accuracy +0.005", baseline="accuracy = 0.9889"))
    journal.complete(Outcome(output="gamma=0.0001 accuracy=0.97\ngamma=0.001 accuracy=0.99\ngamma=0.01 accuracy=0.86\n"))
    entry = journal.entries()[-1]
    assert "**Sweep**" not in journal.journal_path.read_text()
    assert entry.delta == "accuracy best 0.99 at gamma=0.001: +0.0011 vs expected +0.005: worse than expected"


def test_the_best_point_is_the_row_its_table_writes_in_bold_even_one_never_planned():
    from jupyter_expjournal.core.compare import row
    from jupyter_expjournal.core.journal_format import parse_journal

    text = ("### 2026-12-01 10:00 — gamma sweep\n**Status**: COMPLETED\n**Hypothesis**: h\n"
            "**Config**:\n- gamma: scale → [0.1, 1]\n**Sweep**: gamma = 0.1, 1\n**Actual outcome**: swept\n\n"
            "| gamma | acc |\n| --- | --- |\n| 0.1 | 0.5 |\n| 1 | 0.6 |\n| **0.5 (not planned)** | **0.7** |\n")
    [entry] = parse_journal(text)
    assert points_and_best(entry) == ([("0.1", {"acc": 0.5}), ("1", {"acc": 0.6}), ("0.5", {"acc": 0.7})], "0.5")
    assert row(entry).best == "0.5"
    by_hand = text.replace("| **0.5 (not planned)** | **0.7** |", "| 0.5 | 0.7 |")  # a table written by hand, no mark
    assert points_and_best(parse_journal(by_hand)[0])[1] is None
