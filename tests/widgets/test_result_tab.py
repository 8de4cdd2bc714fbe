"""The Result tab: attach the previous cell's outputs, abandon, log a run after the fact."""

from panel_support import fill, run

from jupyter_expjournal.widgets import journal_panel as widgets


def test_attach_completes_the_open_experiment_with_the_previous_cell(panel, journal, ip):
    fill(panel)
    panel.form.submit.click()
    run(ip, "print('accuracy = 0.97')")
    assert "attaches: cell [" in panel.attach_source.value  # refreshed after the cell
    assert "print(&#x27;accuracy = 0.97&#x27;)" in panel.attach_source.value
    panel.learning.value = "C matters less than gamma here"
    panel.next.value = "sweep gamma"
    panel.attach.click()
    entry = journal.entries()[-1]
    assert entry.status == "COMPLETED"
    assert "```text\naccuracy = 0.97\n```" in entry.actual
    assert entry.delta.startswith("accuracy +0.02")
    assert entry.learning == "C matters less than gamma here" and entry.next == "sweep gamma"
    assert "wall from hypothesis to result" in entry.duration
    assert panel.message.startswith("'SVC C=10' COMPLETED: accuracy +0.02")
    assert panel.learning.value == "" and panel.target.disabled
    assert panel.tabs.selected_index == widgets.TAB_JOURNAL


def test_the_panel_and_the_magics_share_one_session(panel, journal, ip, capsys):
    fill(panel)
    panel.form.submit.click()
    run(ip, "print('accuracy = 0.96')")
    run(ip, "%result --learning from the magic")
    assert journal.entries()[-1].status == "COMPLETED"
    assert panel.shown_entries[0].status == "COMPLETED"  # refreshed after the cell, no poll needed
    run(ip, "%%hypothesis from the magic\nIt should work.\nbaseline: accuracy = 0.96")
    assert panel.target.label.startswith("from the magic (") and panel.target.value == journal.entries()[-1].id
    run(ip, "print('accuracy = 0.99')")
    panel.attach.click()
    assert journal.entries()[-1].status == "COMPLETED"
    assert "accuracy = 0.99" in journal.entries()[-1].actual


def test_attach_with_nothing_open_says_so_and_writes_nothing(panel, journal, ip):
    run(ip, "print('accuracy = 0.9')")
    panel.attach.click()
    assert panel.message.startswith("✖ no open experiment to complete")
    assert not journal.journal_path.exists()


def test_abandon_needs_a_reason_and_closes_the_experiment(panel, journal):
    fill(panel)
    panel.form.submit.click()
    before = journal.journal_path.read_bytes()
    panel.abandon.click()
    assert "say why the experiment is abandoned" in panel.message
    assert journal.journal_path.read_bytes() == before
    panel.abandon_reason.value = "found a data leak in the split"
    panel.abandon.click()
    entry = journal.entries()[-1]
    assert entry.status == "ABANDONED" and entry.actual == "Abandoned: found a data leak in the split"
    assert panel.message == "'SVC C=10' ABANDONED: found a data leak in the split"
    assert panel.abandon_reason.value == ""


def test_a_run_with_no_hypothesis_is_logged_after_the_fact(panel, journal, ip):
    run(ip, "print('accuracy = 0.9')")
    panel.retro.click()
    assert panel.message.startswith("✖ an experiment needs a name")
    assert not journal.journal_path.exists()
    panel.retro_name.value = "quick lr probe"
    panel.learning.value = "lr 1e-2 diverges"
    panel.retro.click()
    entry = journal.entries()[-1]
    assert entry.name == "quick lr probe" and entry.status == "COMPLETED"
    assert entry.get("Logged").startswith("retrospectively")
    assert "accuracy = 0.9" in entry.actual and entry.learning == "lr 1e-2 diverges"
    assert panel.message.startswith("'quick lr probe' COMPLETED after the fact")
    assert panel.retro_name.value == panel.learning.value == ""
    assert panel.tabs.selected_index == widgets.TAB_JOURNAL


def test_a_cell_run_without_its_source_is_named_by_its_output(panel, journal, ip):
    """Colab's older events give pre_run_cell no ExecutionInfo: the recorder has the outputs, not the code.
    The Result tab names that cell by its first line of output, not "the last cell run: " and nothing."""
    fill(panel)
    panel.form.submit.click()
    ip.events.trigger("pre_run_cell")
    exec(compile("print('accuracy = 0.93')", "<colab cell>", "exec"), ip.user_ns)
    ip.events.trigger("post_run_cell")
    assert panel.attach_source.value.count("attaches: the last cell run (its output: accuracy = 0.93)") == 2  # and title
    panel.attach.click()
    assert "accuracy = 0.93" in journal.entries()[-1].actual
