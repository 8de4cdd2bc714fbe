"""The metrics of real library output, one case per format issue 11 names (point 4).

Made by the libraries themselves where they install here (scikit-learn, pandas, LightGBM, tqdm,
rich), else copied from their documented output into tests/core/metrics_corpus/ (each file says
which source and version its layout follows). Each case asserts the exact metrics and the wrong
names that must not appear; every case is also fed to a MetricStream cut at many offsets.
"""

from __future__ import annotations

import contextlib
import io
import math
import warnings
from pathlib import Path

import pytest

from jupyter_expjournal.core.metrics import MetricStream, metrics_from_value, parse_metrics
from jupyter_expjournal.core.metrics.parse import scan_lines

CORPUS = Path(__file__).parent / "metrics_corpus"


def fixture(name: str) -> str:
    """A corpus file's output, after its provenance comment; {CR} and {ESC} stand for \\r and \\x1b."""
    text = (CORPUS / name).read_text(encoding="utf-8")
    return text.split("# ---\n", 1)[1].replace("{CR}", "\r").replace("{ESC}", "\x1b")


def check(text: str, expected: dict[str, float], absent: tuple[str, ...] = ()) -> None:
    got = parse_metrics(text)
    assert got == pytest.approx(expected), got
    assert list(got) == list(expected)
    for name in absent:
        assert name not in got, name
    streamed(text)


def streamed(text: str) -> None:
    """The stream reads the text cut anywhere as one scan of it reads it."""
    whole: dict[str, float] = {}
    scan_lines(text, whole)
    step = max(1, len(text) // 60)
    for cut in range(0, len(text) + 1, step):
        stream = MetricStream()
        stream.feed(text[:cut])
        stream.feed(text[cut:])
        stream.close()
        assert stream.values == pytest.approx(whole), cut


# --------------------------------------------------------------------------
# scikit-learn, made by scikit-learn (bundled data sets only)
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def iris_model():
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    x, y = load_iris(return_X_y=True)
    return LogisticRegression(max_iter=500).fit(x, y), x, y


def test_classification_report_text_names_as_its_dict(iris_model):
    from sklearn.metrics import classification_report

    model, x, y = iris_model
    predicted = model.predict(x)
    names = ["setosa", "versicolor", "virginica"]
    text = classification_report(y, predicted, target_names=names, digits=4)
    as_dict = classification_report(y, predicted, target_names=names, output_dict=True)
    expected = {k: round(v, 4) for k, v in metrics_from_value(as_dict).items()}
    check(text, expected, absent=("precision", "recall", "support", "avg", "macro", "f1-score"))
    assert "macro avg.f1-score" in expected and "accuracy" in expected and "setosa.precision" in expected


def test_classification_report_binary_default_digits():
    from sklearn.datasets import load_breast_cancer
    from sklearn.metrics import classification_report
    from sklearn.tree import DecisionTreeClassifier

    x, y = load_breast_cancer(return_X_y=True)
    predicted = DecisionTreeClassifier(max_depth=2, random_state=0).fit(x, y).predict(x)
    text = "Classification report:\n" + classification_report(y, predicted)
    as_dict = classification_report(y, predicted, output_dict=True)
    check(text, {k: round(v, 2) for k, v in metrics_from_value(as_dict).items()}, absent=("report",))


def test_classification_report_output_dict_as_cell_result(iris_model):
    from sklearn.metrics import classification_report

    model, x, y = iris_model
    report = classification_report(y, model.predict(x), output_dict=True)
    from_value = metrics_from_value(report)
    assert from_value["macro avg.f1-score"] == report["macro avg"]["f1-score"]
    assert from_value["accuracy"] == report["accuracy"]
    assert from_value["0.support"] == 50.0
    assert parse_metrics(repr(report)) == from_value  # the text/plain of the result reads the same


def test_cross_val_score_summaries(iris_model):
    from sklearn.model_selection import cross_val_score

    model, x, y = iris_model
    scores = cross_val_score(model, x, y, cv=5)
    mean, std = scores.mean(), scores.std()
    # As scikit-learn's user guide (cross_validation.rst) prints it, and the older "(+/- 2 std)" form.
    check(f"{mean:0.2f} accuracy with a standard deviation of {std:0.2f}", {"accuracy": round(mean, 2)},
          absent=("deviation", "standard deviation"))
    check(f"Accuracy: {mean:0.2f} (+/- {std * 2:0.2f})", {"Accuracy": round(mean, 2)})
    check(f"cv scores: {scores} mean {mean:.2f}", {"cv scores": round(mean, 2)}, absent=("mean", "scores"))
    check(f"CV scores: {list(scores)}\nMean CV score: {mean:.4f}", {"Mean CV score": round(mean, 4)},
          absent=("score", "CV scores"))
    assert parse_metrics(f"cv scores: {scores}") == {}  # a list alone: no one result


def test_grid_search_best_score_and_params(iris_model):
    from sklearn.model_selection import GridSearchCV
    from sklearn.svm import SVC

    _, x, y = iris_model
    grid = GridSearchCV(SVC(), {"C": [0.1, 1, 10], "kernel": ["linear", "rbf"]}, cv=3).fit(x, y)
    best = grid.best_score_
    out = f"Best score: {best:.4f}\nBest parameters: {grid.best_params_}\n"
    check(out, {"Best score": round(best, 4), "C": float(grid.best_params_["C"])}, absent=("score", "kernel"))
    check(f"best_score_ = {best}", {"best_score_": best})
    check(f"Best: {best:.3f} using {grid.best_params_}", {"Best": round(best, 3), "C": float(grid.best_params_["C"])})


# --------------------------------------------------------------------------
# Keras, Hugging Face, Lightning, XGBoost: from their documented output
# --------------------------------------------------------------------------


def test_keras2_progress_lines():
    check(
        fixture("keras2_fit.txt"),
        {"loss": 0.0901, "accuracy": 0.9719, "val_loss": 0.0886, "val_accuracy": 0.9726},
        absent=("Epoch", "ETA", "step", "ms"),
    )


def test_keras3_progress_lines_with_colours():
    check(
        fixture("keras3_fit.txt"),
        {"accuracy": 0.9655, "loss": 0.1131, "val_accuracy": 0.9703, "val_loss": 0.0998},
        absent=("Epoch", "m", "step"),
    )


def test_hugging_face_trainer_dicts_and_metrics_table():
    check(
        fixture("hf_trainer_terminal.txt"),
        {
            "loss": 0.2318, "grad_norm": 3.0181, "learning_rate": 1.6666666666666667e-05, "epoch": 2.0,
            "eval_loss": 0.2871, "eval_accuracy": 0.9012, "eval_runtime": 2.2101,
            "eval_samples_per_second": 452.488, "eval_steps_per_second": 56.561, "train_runtime": 120.5,
            "train_samples_per_second": 74.689, "train_steps_per_second": 9.336, "train_loss": 0.3512,
        },
    )
    # the "***** eval metrics *****" block alone: its h:mm:ss runtime is not a number
    block = fixture("hf_trainer_terminal.txt").split("*****\n", 2)[-1]
    check(block, {"epoch": 2.0, "eval_accuracy": 0.9012, "eval_loss": 0.2871, "eval_samples_per_second": 452.488,
                  "eval_steps_per_second": 56.561}, absent=("eval_runtime",))


def test_hugging_face_model_card_results_table():
    check(
        fixture("hf_model_card.txt"),
        {"Epoch": 3.0, "Step": 189.0, "Validation Loss": 0.2987, "Accuracy": 0.8925, "F1": 0.8919,
         "Training Loss": 0.2117},
        absent=("Training results", "No log"),
    )


def test_hugging_face_evaluate_result_and_train_output():
    result = {"eval_loss": 0.2871, "eval_accuracy": 0.9012, "eval_runtime": 2.2101, "epoch": 2.0}
    assert parse_metrics(repr(result)) == metrics_from_value(result) == result
    text = "TrainOutput(global_step=189, training_loss=0.3512, metrics={'train_runtime': 120.5, 'epoch': 3.0})"
    check(text, {"global_step": 189.0, "training_loss": 0.3512, "train_runtime": 120.5, "epoch": 3.0})


def test_lightning_rich_table_from_the_docs():
    check(fixture("lightning_rich_test.txt"), {"test_acc": 0.9769999980926514, "test_loss": 0.0731201171875},
          absent=("Test metric", "DataLoader 0"))


def test_lightning_rich_table_made_by_rich():
    rich_console = pytest.importorskip("rich.console")
    from rich.table import Column, Table

    # As _print_results builds it: one centred column per header, max(25, longest name) wide.
    headers = ["Validate metric", "DataLoader 0", "DataLoader 1"]
    table = Table(*[Column(h, justify="center", style="magenta", width=25) for h in headers])
    table.add_row("val_acc", "0.9516000151634216", "0.9279999732971191")
    table.add_row("val_loss", "0.15622559189796448", " ")
    buffer = io.StringIO()
    rich_console.Console(file=buffer, width=120, color_system=None).print(table)
    check(
        buffer.getvalue(),
        {"val_acc/dataloader_idx_0": 0.9516000151634216, "val_acc/dataloader_idx_1": 0.9279999732971191,
         "val_loss/dataloader_idx_0": 0.15622559189796448},
        absent=("val_acc", "DataLoader 0"),
    )


def test_lightning_plain_tables():
    check(fixture("lightning_plain_test.txt"), {"test_acc": 0.9769999980926514, "test_loss": 0.0731201171875},
          absent=("Test metric", "Testing DataLoader 0"))
    check(
        fixture("lightning_plain_validate.txt"),
        {"val_acc/dataloader_idx_0": 0.9516000151634216, "val_acc/dataloader_idx_1": 0.9279999732971191,
         "val_loss/dataloader_idx_0": 0.15622559189796448},
    )


def test_xgboost_eval_logs():
    check(
        fixture("xgboost_sklearn.txt"),
        {"validation_0-logloss": 0.00948, "validation_0-auc": 1.0, "validation_1-logloss": 0.0811,
         "validation_1-auc": 0.97102},
        absent=("logloss", "auc"),
    )
    check(
        fixture("xgboost_train_cv.txt"),
        {"train-rmse": 0.48913, "eval-rmse": 2.9317, "train-auc": 0.99417, "test-auc": 0.98139},
    )


def test_pytorch_mnist_example():
    check(fixture("pytorch_mnist.txt"), {"Train Epoch": 2.0, "Loss": 0.011362, "Average loss": 0.0309, "Accuracy": 0.99},
          absent=("loss", "Test set"))


# --------------------------------------------------------------------------
# LightGBM and tqdm, made by themselves
# --------------------------------------------------------------------------


def test_lightgbm_logs():
    lgb = pytest.importorskip("lightgbm")
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    x, y = load_breast_cancer(return_X_y=True)
    x_train, x_valid, y_train, y_valid = train_test_split(x, y, random_state=0)
    train, valid = lgb.Dataset(x_train, y_train), lgb.Dataset(x_valid, y_valid)
    evals: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        lgb.train(
            {"objective": "binary", "metric": ["binary_logloss", "auc"], "verbose": -1},
            train, num_boost_round=20, valid_sets=[train, valid],
            callbacks=[lgb.log_evaluation(5), lgb.record_evaluation(evals)],
        )
    text = out.getvalue()
    assert "valid_1's binary_logloss" in text
    last = {f"{s}.{m}": values[-1] for s, by in evals.items() for m, values in by.items()}
    check(text, {k: pytest.approx(v, abs=1e-6) for k, v in last.items()}, absent=("binary_logloss", "auc", "s"))
    assert metrics_from_value(evals) == last  # the same names as the model's record

    out = io.StringIO()
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lgb.train({"objective": "binary", "verbose": -1}, train, num_boost_round=40, valid_sets=[valid],
                  valid_names=["val"], callbacks=[lgb.early_stopping(3, verbose=True), lgb.log_evaluation(10)])
    got = parse_metrics(out.getvalue())
    assert list(got) == ["val.binary_logloss"]  # the best iteration's, printed last
    streamed(out.getvalue())


def test_tqdm_postfix():
    tqdm = pytest.importorskip("tqdm")
    buffer = io.StringIO()
    bar = tqdm.tqdm(range(10), file=buffer, desc="Training", mininterval=0, ascii=False)
    for i in bar:
        bar.set_postfix(loss=1 / (i + 2), acc=i / 10)
    bar.close()
    text = buffer.getvalue()
    assert "%|" in text and "\r" in text
    check(text, {"acc": 0.9, "loss": pytest.approx(1 / 11, rel=1e-2)}, absent=("Training",))  # tqdm sorts the postfix
    check("100%|██████████| 10/10 [00:01<00:00,  9.1it/s, loss=0.123, acc=0.9]", {"loss": 0.123, "acc": 0.9})


# --------------------------------------------------------------------------
# pandas as the cell's result: the object and its text/plain say the same
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda pd: pd.DataFrame([{"accuracy": 0.95, "f1": 0.93}]), {"accuracy": 0.95, "f1": 0.93}),
        (lambda pd: pd.DataFrame({"metric": ["accuracy", "f1"], "value": [0.95, 0.93]}), {"accuracy": 0.95, "f1": 0.93}),
        (lambda pd: pd.DataFrame({"epoch": [1, 2, 3], "loss": [0.5, 0.4, 0.3], "val acc": [0.8, 0.85, None]}),
         {"epoch": 3.0, "loss": 0.3, "val acc": 0.85}),
        (lambda pd: pd.DataFrame({"loss": [0.5, 0.4], "acc": [0.8, 0.9]}, index=pd.Index([1, 2], name="epoch")),
         {"loss": 0.4, "acc": 0.9}),
        (lambda pd: pd.DataFrame({"loss": [0.5, 0.4], "acc": [0.8, 0.9]}), {}),  # rows 0, 1: no one result
        (lambda pd: pd.DataFrame({"loss": [0.5, 0.4], "acc": [0.8, 0.9]}).mean(), {"loss": 0.45, "acc": 0.85}),
        (lambda pd: pd.Series({"accuracy": 0.95, "F1 score": 0.9}, name="test"), {"accuracy": 0.95, "F1 score": 0.9}),
    ],
)
def test_pandas_results(make, expected):
    pd = pytest.importorskip("pandas")
    value = make(pd)
    assert metrics_from_value(value) == pytest.approx(expected)
    assert metrics_from_value({"run": value}) == pytest.approx({f"run.{k}": v for k, v in expected.items()})
    check(repr(value), expected)


def test_pandas_classification_report_frame(iris_model):
    pd = pytest.importorskip("pandas")
    from sklearn.metrics import classification_report

    model, x, y = iris_model
    frame = pd.DataFrame(classification_report(y, model.predict(x), output_dict=True)).transpose()
    got = metrics_from_value(frame)
    assert got["macro avg.f1-score"] == pytest.approx(frame.loc["macro avg", "f1-score"])
    assert parse_metrics(repr(frame)) == pytest.approx({k: round(v, 6) for k, v in got.items()}, abs=1e-6)


# --------------------------------------------------------------------------
# Names, units and repeats
# --------------------------------------------------------------------------


def test_multi_word_names_units_and_last_value():
    check("F1 score = 0.912", {"F1 score": 0.912}, absent=("score",))
    check("top-1 accuracy: 0.76\ntop-5 accuracy: 0.93", {"top-1 accuracy": 0.76, "top-5 accuracy": 0.93},
          absent=("accuracy",))
    check("fit time = 0.42 s", {"fit time": 0.42}, absent=("time",))
    check("latency: 12 ms, throughput = 830.5", {"latency": 0.012, "throughput": 830.5})
    check("inference: 350 µs", {"inference": pytest.approx(0.00035)})
    check("acc = 97.5 %", {"acc": 0.975})
    check("time: 3s, step: 12ms", {}, absent=("time", "step"))  # glued units: not whole number tokens
    check("val loss: 0.5\nval loss: 0.4\nval loss: 0.3", {"val loss": 0.3})
    check("after 12 epochs the final validation loss: 0.31", {"final validation loss": 0.31}, absent=("loss",))
    assert math.isnan(parse_metrics("grad norm = nan")["grad norm"])
