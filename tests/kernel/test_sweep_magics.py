"""A sweep through a real IPython shell: %%hypothesis --sweep, the loop, %result; one entry, its table and curve."""

import pytest
from IPython.core.error import UsageError
from sweep_support import BODY, LOOP

from jupyter_expjournal.core.sweep_evidence import points_in

pytest.importorskip("sklearn")


def run(ip, code):
    result = ip.run_cell(code, store_history=True)
    if result.error_in_exec is not None:
        raise result.error_in_exec
    return result


def test_a_sweep_planned_run_in_a_loop_and_completed_reads_as_one_entry_with_its_table_and_curve(ip, journal, capsys):
    run(ip, f"%%hypothesis gamma sweep --sweep gamma\n{BODY}")
    assert "Logged PLANNED 'gamma sweep'" in capsys.readouterr().out
    assert "**Sweep**: gamma = 0.0001, 0.001, 0.01" in journal.journal_path.read_text()
    run(ip, LOOP)
    run(ip, '%result --learning "gamma 1e-3 is the sweet spot" --next "sweep C at gamma=0.001"')
    out = capsys.readouterr().out
    scores = ip.user_ns["scores"]
    best = max(scores, key=scores.get)
    assert f"'gamma sweep' COMPLETED: accuracy best {round(scores[best], 4)} at gamma={best}:" in out
    [entry] = journal.entries()
    assert entry.status == "COMPLETED" and entry.learning == "gamma 1e-3 is the sweet spot"
    assert [v for v, _ in points_in(entry)] == ["0.0001", "0.001", "0.01"]
    [curve] = entry.images
    assert (journal.directory / curve).read_bytes().startswith(b"\x89PNG")
    assert f"![gamma sweep: accuracy against gamma]({curve})" in entry.actual
    assert f"saved {journal.directory / curve}" in out


def test_sweep_key_equals_values_and_a_dataframe_as_the_cells_result(ip, journal):
    pd = pytest.importorskip("pandas")
    body = BODY.replace("- gamma: scale → [0.0001, 0.001, 0.01]", "- gamma: 0.001")
    run(ip, f"%%hypothesis C sweep --sweep C=0.1,1,10\n{body}")
    [planned] = journal.open_entries()
    assert {i.key: (i.old, i.new) for i in planned.config}["C"] == ("1", "[0.1, 1, 10]")  # its row, old value kept
    ip.user_ns["pd"] = pd
    run(ip, "pd.DataFrame({'C': [0.1, 1, 10], 'accuracy': [0.95, 0.99, 0.985]})")
    run(ip, "%result")
    [entry] = journal.entries()
    assert [v for v, _ in points_in(entry)] == ["0.1", "1", "10"]
    assert entry.delta.startswith("accuracy best 0.99 at C=1:")


def test_result_table_takes_a_csv_file(ip, journal, tmp_path, monkeypatch):
    run(ip, f"%%hypothesis gamma sweep --sweep gamma\n{BODY}")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sweep.csv").write_text("gamma,accuracy,fit_time\n0.0001,0.9711,0.3\n0.001,0.9956,0.2\n0.01,0.86,0.4\n")
    run(ip, "%result --table sweep.csv --no-output")
    [entry] = journal.entries()
    assert points_in(entry) == [("0.0001", {"accuracy": 0.9711, "fit_time": 0.3}),
                                ("0.001", {"accuracy": 0.9956, "fit_time": 0.2}),
                                ("0.01", {"accuracy": 0.86, "fit_time": 0.4})]


@pytest.mark.parametrize(
    "line, says",
    [
        ("--sweep nope", "'nope', which is not in the config"),
        ("--sweep gamma=", "has no values"),
        ("--sweep gamma C", "one key, not 'gamma C'"),
        ("--sweep C", "config row of 'C' holds no list of values"),
    ],
)
def test_bad_sweeps_are_one_usage_error_and_write_nothing(ip, journal, line, says):
    with pytest.raises(UsageError, match=says):
        ip.run_cell_magic("hypothesis", f"gamma sweep {line}", BODY)
    assert not journal.journal_path.exists()


def test_result_table_refuses_a_file_without_the_key_or_an_entry_without_a_sweep(ip, journal, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.csv").write_text("C,accuracy\n1,0.9\n")
    ip.run_cell_magic("hypothesis", "gamma sweep --sweep gamma", BODY)
    before = journal.journal_path.read_bytes()
    with pytest.raises(UsageError, match=r"bad.csv has no column 'gamma' \(the key swept\): its columns are C, accuracy"):
        ip.run_line_magic("result", "--table bad.csv")
    with pytest.raises(UsageError, match="missing.csv"):
        ip.run_line_magic("result", "--table missing.csv")
    assert journal.journal_path.read_bytes() == before
    ip.run_line_magic("result", "--abandon wrong data")
    ip.run_cell_magic("hypothesis", "plain", BODY.replace("[0.0001, 0.001, 0.01]", "0.001"))
    with pytest.raises(UsageError, match="planned no sweep"):
        ip.run_line_magic("result", "--table bad.csv")


def test_the_review_names_each_sweep_and_the_compare_table_expands_it_to_its_points(ip, journal, capsys):
    run(ip, f"%%hypothesis gamma sweep --sweep gamma\n{BODY}")
    run(ip, "print('gamma=0.0001 accuracy=0.9711')\nprint('gamma=0.001 accuracy=0.9956')\nprint('gamma=0.01 accuracy=0.86')")
    run(ip, "%result")
    capsys.readouterr()
    run(ip, "%review")
    out = capsys.readouterr().out
    assert "  sweep in 'gamma sweep' (" in out and "gamma (accuracy, 3 points): best 0.9956 at gamma=0.001, peaked" in out
    run(ip, "%review --table")
    lines = capsys.readouterr().out.splitlines()
    at = next(i for i, line in enumerate(lines) if "gamma sweep" in line)
    assert "0.9956 (+0.0067)" in lines[at] and "gamma ↑" not in lines[0]  # the row: its best point; the key no column
    assert [line.split() for line in lines[at + 1 : at + 4]] == [["gamma=0.0001", "0.9711"],
                                                                ["gamma=0.001", "(best)", "0.9956"], ["gamma=0.01", "0.86"]]
