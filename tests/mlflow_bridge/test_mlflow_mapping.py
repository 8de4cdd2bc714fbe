"""An entry as an MLflow run, without MLflow: params, metrics, status, identity, and which files leave the folder."""

from jupyter_expjournal.core.durations import duration_seconds
from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.model import Entry
from jupyter_expjournal.mlflow_bridge import mapping


def test_the_mapping_without_a_server(tmp_path):
    assert mapping.mlflow_name("acc@5") == "acc_5"
    assert mapping.mlflow_name("eval/acc", slashes=True) == "eval/acc"
    assert mapping.mlflow_name("eval/acc") == "eval_acc"
    assert mapping.mlflow_name("../x", slashes=True) == ".._x"
    assert duration_seconds("12 min 03 s wall from hypothesis to result; 41.2 s executing 5 cells") == 723
    assert duration_seconds("1 h 05 min wall") == 3900
    assert duration_seconds("2 h on 4 GPUs") == 7200
    assert duration_seconds("a while") is None
    config = "- lr: 1e-3 → 3e-4\n- warmup: (none) → 100\n- dropout: 0.1 → (none)\n- bs: 32"
    entry = Entry("2026-11-25 14:03", "x", {"Config": config})
    assert mapping.params_of(entry) == {
        "lr": "3e-4", "warmup": "100", "dropout": "(none)", "bs": "32",
        "lr.old": "1e-3", "warmup.old": "(none)", "dropout.old": "0.1"}
    crashed = Entry("2026-11-25 14:03", "x", {"Status": "COMPLETED", "Actual outcome": "Error: CUDA out of memory"})
    assert mapping.run_status(crashed) == "FAILED"
    first, second = Entry("2026-11-25 14:03", "x"), Entry("2026-11-25 14:03", "x")
    assert mapping.entry_key(first, 0) == mapping.entry_key(second, 0) != mapping.entry_key(second, 1)


def test_only_files_of_the_experiments_folder_become_artifacts(leaky_journal):
    folder, inside, skipped = leaky_journal
    [spec] = mapping.plan(Journal(folder))
    assert spec.entry.images == [*inside, *skipped]
    assert spec.artifacts == [((folder / "assets" / "x.png").resolve(), "assets")]
    assert spec.skipped == skipped and spec.missing == []


def test_a_link_inside_that_is_not_there_is_missing(tmp_path):
    folder = tmp_path / "experiments"
    folder.mkdir()
    (folder / "journal.md").write_text("### 2026-11-25 14:03 — x\n**Status**: PLANNED\n**Hypothesis**: h ![p](assets/gone.png)\n")
    [spec] = mapping.plan(Journal(folder))
    assert (spec.artifacts, spec.missing, spec.skipped) == ([], ["assets/gone.png"], [])
