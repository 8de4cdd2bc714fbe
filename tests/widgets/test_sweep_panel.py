"""A sweep through the panel: planned in the Hypothesis tab, completed in the Result tab; the journal the magics write."""

import re

import pytest
from panel_support import fill, run, text_of
from sweep_support import BODY

from jupyter_expjournal.core.sweep import planned
from jupyter_expjournal.core.sweep_evidence import points_in

HYPOTHESIS = "A smaller gamma smooths the RBF kernel: digits should generalise better."
#: The body of BODY without its config: the panel's form fields hold the rest.
REST = "expected: accuracy +0.005\nbaseline: accuracy = 0.9889\n"
#: What the loop prints: one point per planned value.
POINTS = "print('gamma=0.0001 accuracy=0.9711')\nprint('gamma=0.001 accuracy=0.9956')\nprint('gamma=0.01 accuracy=0.86')"


def masked(text):
    """The journal with what differs between two runs of the same input left out: ids, times, prompts, assets' stamps."""
    text = re.sub(r"id [0-9a-f]{8}", "id ID", text)
    text = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d", "TIME", text)
    text = re.sub(r"\*\*Duration\*\*: .*", "**Duration**: D", text)
    text = re.sub(r"cell \[\d+\]", "cell [N]", text)
    return re.sub(r"assets/\d{12}-", "assets/STAMP-", text)


def fill_sweep(panel, rows, sweep, name="gamma sweep"):
    fill(panel, name=name, hypothesis=HYPOTHESIS, rows=rows, expected="accuracy +0.005", baseline="accuracy = 0.9889")
    panel.form.sweep.value = sweep


def other_folder(panel, monkeypatch, tmp_path, name):
    folder = tmp_path / name / "experiments"
    monkeypatch.setenv("EXPJOURNAL_DIR", str(folder))
    panel.refresh(force=True)
    return folder


@pytest.mark.parametrize(
    "line, config, rows, sweep",
    [
        # the values in the sweep field, the key's row giving its old value
        (
            "--sweep gamma=0.0001,0.001,0.01",
            "- gamma: scale\n- C: 1\n",
            (("gamma", "scale", ""), ("C", "1", "")),
            "gamma = 0.0001, 0.001, 0.01",
        ),
        # only the key: its config row lists the values
        (
            "--sweep gamma",
            "- gamma: scale → [0.0001, 0.001, 0.01]\n- C: 1\n",
            (("gamma", "scale", "[0.0001, 0.001, 0.01]"), ("C", "1", "")),
            "gamma",
        ),
    ],
)
def test_a_sweep_planned_in_the_panel_is_the_entry_the_magic_plans(
    panel, journal, ip, monkeypatch, tmp_path, line, config, rows, sweep
):
    run(ip, f"%%hypothesis gamma sweep {line}\n{HYPOTHESIS}\nconfig:\n{config}{REST}")
    by_magic = journal.journal_path.read_text(encoding="utf-8")
    assert "**Sweep**: gamma = 0.0001, 0.001, 0.01" in by_magic

    folder = other_folder(panel, monkeypatch, tmp_path, "panel")
    fill_sweep(panel, rows, sweep)
    assert panel.gate_lines() == ["✓ the gates pass"]
    panel.form.submit.click()
    by_panel = (folder / "journal.md").read_text(encoding="utf-8")
    assert masked(by_panel) == masked(by_magic)
    assert "- gamma: scale → [0.0001, 0.001, 0.01]\n" in by_panel
    said = panel.message.splitlines()
    assert said[0].startswith("Logged PLANNED 'gamma sweep' (") and said[1:2] == [
        "sweep gamma = 0.0001, 0.001, 0.01: run them in a cell (gamma=value beside the metrics each prints),"
        " then Result tab → Attach",
    ]
    assert panel.form.sweep.value == ""  # cleared with the rest of the form


def test_the_gates_see_the_sweep(panel, journal):
    fill_sweep(panel, (("gamma", "scale", ""), ("C", "1", "10")), "gamma = 0.0001, 0.001, 0.01")
    assert any(line.startswith("⚠ 2 variables change at once (gamma, C)") for line in panel.gate_lines())
    assert "2 variables change at once" in panel.form.gates.value
    # two keys listing values: a sweep over two keys at once
    fill_sweep(panel, (("gamma", "scale", "[0.0001, 0.001]"), ("C", "1", "[1, 10]")), "gamma")
    assert any(line.startswith("⚠ a sweep over 2 keys at once (gamma, C)") for line in panel.gate_lines())
    panel.form.rows[1].remove.click()
    assert panel.gate_lines() == ["✓ the gates pass"]


@pytest.mark.parametrize(
    "sweep, says",
    [
        ("nope", "the sweep names 'nope', which is not in the config"),
        ("gamma =", "the sweep of 'gamma' has no values"),
        ("gamma C", "a sweep varies one key, not 'gamma C'"),
        ("gamma = 0.1", "the sweep of 'gamma' has one value (0.1)"),
        ("gamma = 0.1, 1e-1", "the sweep of 'gamma' lists 0.1 twice (as 1e-1)"),
        ("C", "the config row of 'C' holds no list of values"),
    ],
)
def test_a_bad_sweep_is_the_cores_one_message_and_writes_nothing(panel, journal, sweep, says):
    fill_sweep(panel, (("gamma", "scale", ""), ("C", "1", "")), sweep)
    problems = [line for line in panel.gate_lines() if line.startswith("✖")]
    assert len(problems) == 1 and problems[0].startswith(f"✖ {says}"), problems
    panel.form.submit.click()
    assert panel.message.startswith(f"✖ {says}") and panel.message.endswith("(nothing was written)")
    assert len(panel.message.splitlines()) == 1
    assert not journal.journal_path.exists()
    assert panel.form.sweep.value == sweep and panel.form.name.value == "gamma sweep"  # kept, to fix and retry


def test_a_sweep_completed_from_the_panel_is_the_entry_result_writes(panel, journal, ip, monkeypatch, tmp_path):
    run(ip, f"%%hypothesis gamma sweep --sweep gamma\n{BODY}")
    run(ip, POINTS)
    run(ip, '%result --learning "gamma 1e-3 is the sweet spot"')
    by_magic = journal.journal_path.read_text(encoding="utf-8")
    [magic_curve] = journal.entries()[-1].images

    folder = other_folder(panel, monkeypatch, tmp_path, "panel")
    fill_sweep(panel, (("gamma", "scale", "[0.0001, 0.001, 0.01]"), ("C", "1", "")), "gamma")
    panel.form.submit.click()
    run(ip, POINTS)
    panel.learning.value = "gamma 1e-3 is the sweet spot"
    panel.attach.click()
    assert panel.message.startswith("'gamma sweep' COMPLETED: accuracy best 0.9956 at gamma=0.001: "), panel.message
    by_panel = (folder / "journal.md").read_text(encoding="utf-8")
    assert masked(by_panel) == masked(by_magic)

    [entry] = planned_entries = [e for e in panel.session.journal().entries() if planned(e) is not None]
    assert planned_entries and entry.status == "COMPLETED"
    assert [v for v, _ in points_in(entry)] == ["0.0001", "0.001", "0.01"]
    [curve] = entry.images
    assert curve.startswith("assets/") and f"![gamma sweep: accuracy against gamma]({curve})" in entry.actual
    png = (folder / curve).read_bytes()
    assert png.startswith(b"\x89PNG") and png == (journal.directory / magic_curve).read_bytes()
    assert f"saved {(folder / curve).name}" in panel.message


def test_a_sweep_table_from_a_csv_file_as_result_table_takes_it(panel, journal, ip, tmp_path):
    csv = tmp_path / "sweep.csv"
    csv.write_text("gamma,accuracy,fit_time\n0.0001,0.9711,0.3\n0.001,0.9956,0.2\n0.01,0.86,0.4\n", encoding="utf-8")
    (tmp_path / "bad.csv").write_text("C,accuracy\n1,0.9\n", encoding="utf-8")
    fill_sweep(panel, (("gamma", "scale", ""), ("C", "1", "")), "gamma = 0.0001, 0.001, 0.01")
    panel.form.submit.click()
    before = journal.journal_path.read_bytes()
    for path, says in [
        (tmp_path / "bad.csv", "has no column 'gamma' (the key swept): its columns are C, accuracy"),
        (tmp_path / "missing.csv", "missing.csv: cannot read it"),
    ]:
        panel.table.value = str(path)
        panel.attach.click()
        assert panel.message.startswith("✖ ") and says in panel.message and len(panel.message.splitlines()) == 1
        assert journal.journal_path.read_bytes() == before
    panel.table.value = str(csv)
    panel.attach.click()
    [entry] = journal.entries()
    assert points_in(entry) == [
        ("0.0001", {"accuracy": 0.9711, "fit_time": 0.3}),
        ("0.001", {"accuracy": 0.9956, "fit_time": 0.2}),
        ("0.01", {"accuracy": 0.86, "fit_time": 0.4}),
    ]
    [curve] = entry.images
    assert (journal.directory / curve).read_bytes().startswith(b"\x89PNG")
    assert panel.table.value == ""

    # an entry that planned no sweep takes no table
    fill(panel, name="plain")
    panel.form.submit.click()
    before = text_of(journal.journal_path)
    panel.table.value = str(csv)
    panel.attach.click()
    assert "'plain' planned no sweep" in panel.message and text_of(journal.journal_path) == before
