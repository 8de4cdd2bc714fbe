"""The Hypothesis tab: the form, its config rows by the core's rule, the gates live as one types."""

import re

from panel_support import fill, run, text_of

from jupyter_expjournal.core.model import Draft
from jupyter_expjournal.widgets import journal_panel as widgets


def test_hypothesis_from_the_form_is_written_in_the_seed_format(panel, journal):
    assert panel.tabs.selected_index == widgets.TAB_HYPOTHESIS  # nothing open: the next step is a hypothesis
    fill(panel, rows=(("C", "1", "10"), ("kernel", "rbf", "")))
    assert panel.gate_lines() == ["✓ the gates pass"]
    panel.form.submit.click()
    text = journal.journal_path.read_text(encoding="utf-8")
    # The seed's fields in the seed's order (the core may add fields of its own after them).
    assert re.match(
        r"# Experiment journal\n\n### \d{4}-\d\d-\d\d \d\d:\d\d — SVC C=10\n"
        r"\*\*Status\*\*: PLANNED\n\n"
        r"\*\*Hypothesis\*\*: A larger C fits the digits more tightly\.\n\n"
        r"\*\*Change\*\*: C 1 → 10\n\n"
        r"\*\*Config\*\*:\n- C: 1 → 10\n- kernel: rbf \(unchanged\)\n\n"
        r"\*\*Expected outcome\*\*: accuracy \+0\.01\n\n"
        r"\*\*Baseline\*\*: accuracy = 0\.95\n",
        text,
    ), text
    assert panel.message.startswith("Logged PLANNED 'SVC C=10'")
    # the form is cleared for the next one, the panel moves on to the result
    assert panel.form.name.value == "" and [r.values for r in panel.form.rows] == [("", "", "")]
    assert panel.tabs.selected_index == widgets.TAB_RESULT
    # the experiment is chosen by its id (two open ones may share a name); the label names it
    assert panel.target.value == journal.entries()[-1].id and panel.target.label.startswith("SVC C=10 (")
    assert not panel.target.disabled
    assert [e.name for e in panel.shown_entries] == ["SVC C=10"]
    assert "PLANNED" in panel.entries_box.children[0].children[0].children[0].value


def test_gates_are_shown_live_as_the_form_changes(panel, journal):
    fill(panel, rows=(("C", "1", "10"), ("gamma", "scale", "0.1")))
    assert any(line.startswith("⚠ 2 variables change at once (C, gamma)") for line in panel.gate_lines())
    assert "2 variables change at once" in panel.form.gates.value
    panel.form.rows[1].remove.click()
    assert panel.gate_lines() == ["✓ the gates pass"]
    panel.form.baseline.value = ""
    assert "no baseline recorded" in panel.form.gates.value
    panel.form.add_row.click()
    assert len(panel.form.rows) == 2 and len(panel.form.rows_box.children) == 2


def test_an_open_entry_refuses_nothing_is_written_and_parallel_opens_one(panel, journal):
    journal.hypothesize(Draft("first", "an open one", change="lr 1 → 2", baseline="acc = 1"))
    panel.refresh()
    before = journal.journal_path.read_bytes()
    fill(panel, name="second")
    assert panel.gate_lines()[0].startswith("✖ refused: experiment 'first' (")
    assert "✖ refused: experiment &#x27;first&#x27;" in panel.form.gates.value
    panel.form.submit.click()
    assert panel.message.startswith("✖ experiment 'first'") and "still PLANNED" in panel.message
    assert panel.message.endswith("(nothing was written)")
    assert "color:#cf222e" in panel.status.value
    assert journal.journal_path.read_bytes() == before
    assert panel.form.name.value == "second"  # the user's text is kept to try again

    panel.form.parallel.value = True
    assert panel.gate_lines() == ["✓ the gates pass"]
    panel.form.submit.click()
    assert [e.name for e in journal.open_entries()] == ["first", "second"]
    # open ones on top, newest first
    assert [e.name for e in panel.shown_entries] == ["second", "first"]


def test_strict_mode_refuses_and_force_logs(panel, journal, ip):
    ip._expjournal.strict = True
    panel.refresh()
    assert panel.form.force.layout.display is None  # shown in strict mode only
    fill(panel, baseline="")
    assert any(line.startswith("✖ refused: no baseline recorded") for line in panel.gate_lines())
    panel.form.submit.click()
    assert not journal.journal_path.exists()
    panel.form.force.value = True
    assert any(line.startswith("⚠ no baseline") for line in panel.gate_lines())
    panel.form.submit.click()
    assert journal.open_entries()[0].name == "SVC C=10"


def test_a_change_already_tried_is_named_with_its_outcome(panel, journal, ip):
    fill(panel)
    panel.form.submit.click()
    run(ip, "print('accuracy = 0.97')")
    panel.attach.click()
    fill(panel, name="SVC C=10 again")
    assert any("already tried in 'SVC C=10'" in line and "accuracy = 0.97" in line for line in panel.gate_lines())


def test_a_malformed_config_row_is_shown_and_refused(panel, journal):
    fill(panel, rows=(("", "1", "10"),))
    assert "config row 1 needs a key" in panel.form.gates.value
    panel.form.submit.click()
    assert "config row 1 needs a key" in panel.message
    fill(panel, rows=(("C", "1 → 2", "10"),))
    assert "cannot be written as a config line" in panel.form.gates.value
    fill(panel, rows=(("dropout", "", "0.1"), ("momentum", "0.9", "(none)")))
    panel.form.submit.click()
    assert "- dropout: (none) → 0.1\n- momentum: 0.9 → (none)\n" in text_of(journal.journal_path)


def test_a_hypothesis_with_no_text_is_refused(panel, journal):
    fill(panel, hypothesis="  ")
    assert "· write the hypothesis: what you expect to happen, and why" in panel.gate_lines()
    panel.form.submit.click()
    assert "has no hypothesis" in panel.message
    assert not journal.journal_path.exists()


def test_a_rule_about_the_changed_key_shows_under_the_form(panel, journal):
    journal.add_rule("NEVER", "raise C above 100", reason="it overfits")
    panel.refresh()
    fill(panel)
    assert "rule: NEVER raise C above 100 because it overfits" in panel.gate_lines()
