"""The panel as a whole, driven from Python through a real IPython shell: the review, other writers, inert
user text, the ways out in the panel's words, and its life (refresh, close, entry points)."""

import gc
import os
import re
import subprocess
import sys
import weakref

import ipywidgets as W
from panel_support import MAGIC, XSS, fill, html_values, run, wait_for, words_of

from jupyter_expjournal.core.model import Draft, Outcome
from jupyter_expjournal.widgets import journal_panel as widgets
from jupyter_expjournal.widgets.fallback import INSTEAD
from jupyter_expjournal.widgets.journal_panel import JournalPanel, walk


def test_the_review_is_shown(panel, journal):
    fill(panel)
    panel.form.submit.click()
    assert "SVC C=10" in panel.review.value and "still PLANNED" in panel.review.value
    assert "1 planned" in panel.title.value


def test_an_external_write_shows_up_after_the_poll(make_panel, journal):
    journal.hypothesize(Draft("mine", "h", baseline="acc = 1"))
    journal.complete(Outcome(summary="done"))
    panel = make_panel(poll_seconds=0.05)
    assert [e.name for e in panel.shown_entries] == ["mine"]
    with open(journal.journal_path, "a", encoding="utf-8") as fh:  # another kernel, a hand edit
        fh.write("\n### 2026-02-01 09:00 — written by hand\n**Status**: PLANNED\n**Hypothesis**: by hand\n")
    assert wait_for(lambda: [e.name for e in panel.shown_entries] == ["written by hand", "mine"])
    assert wait_for(lambda: panel.target.label.startswith("written by hand (2026-02-01 09:00)"))
    assert panel.target.value == "2026-02-01 09:00 — written by hand"  # no id (written by hand): its heading
    journal.lessons_path.write_text("## Rules (hard-won)\n- NEVER edit by hand. Learned: 2026-02-01\n", encoding="utf-8")
    assert wait_for(lambda: "NEVER edit by hand" in panel.review.value)


def test_user_text_stays_inert_in_every_html_widget(panel, journal, ip):
    fill(panel, name=XSS, hypothesis=XSS, rows=((XSS, "1", "2"),), expected=XSS, baseline=XSS)
    panel.form.submit.click()
    assert journal.open_entries()[0].name == XSS
    panel.filter.value = "onerror"
    panel.shown_rows[0].toggle.value = True  # the entry the filter found
    run(ip, f"print({XSS!r})")
    panel.learning.value = XSS
    panel.attach.click()
    panel.lesson_text.value = XSS
    panel.add_lesson.click()
    panel.abandon_reason.value = XSS  # an error message quoting nothing open
    panel.abandon.click()
    fill(panel, name=XSS, rows=((XSS, "", ""),))  # a gate error naming the row
    panel.refresh(force=True)
    values = html_values(panel)
    shown = "\n".join(values)
    for raw in ("<script", "<img src=x"):
        assert raw not in shown
    text_only = re.sub(r"""\s[\w-]+='[^']*'""", "", shown)  # attributes are never typeset
    for raw in ("$lr$", "\\(x"):  # no LaTeX delimiters a typesetter could pair in one run of text
        assert raw not in text_only
    assert shown.count("&lt;script&gt;alert(2)&lt;/script&gt;") >= 4  # details, review, gates, ...
    assert all(XSS not in (w.description or "") for w in walk(panel.widget) if isinstance(w, W.Button))


def test_ways_out_are_worded_as_the_panels_controls_never_magic_syntax(make_panel, journal, ip):
    panel = make_panel(poll_seconds=0)
    said = []

    def look():
        said.extend([panel.message, *panel.gate_lines(), words_of(panel.form.gates.value), words_of(panel.review.value)])

    # nothing open: attach says how to start, in this panel
    run(ip, "print('accuracy = 0.9')")
    panel.attach.click()
    assert "log one first in the Hypothesis tab" in panel.message
    assert "Result tab → After the fact" in panel.message
    look()

    # the open-entry refusal: live under the form, and on submit
    journal.hypothesize(Draft("first", "an open one", change="lr 1 → 2", baseline="acc = 1"))
    panel.refresh()
    fill(panel, name="second")
    assert "Result tab → Attach" in panel.gate_lines()[0]
    panel.form.submit.click()
    for way in (
        "log its result first (Result tab → Attach)",
        "abandon it (Result tab → Abandon, with a reason)",
        "tick 'parallel' to run experiments side by side",
    ):
        assert way in panel.message
    look()

    # strict mode: force is the way out
    ip._expjournal.strict = True
    panel.form.parallel.value = True
    panel.form.baseline.value = ""
    assert any("tick 'force' to log it anyway" in line for line in panel.gate_lines())
    panel.form.submit.click()
    assert "tick 'force' to log it anyway" in panel.message
    look()
    ip._expjournal.strict = False

    # several open while the panel has not looked yet: choose the one meant
    journal.hypothesize(Draft("other", "another open one", change="lr 2 → 3", baseline="acc = 1"), parallel=True)
    panel.target.options, panel.target.value = [("no open experiment", "")], ""  # as before the poll saw them
    panel.attach.click()
    assert "choose it under 'experiment' in the Result tab" in panel.message
    look()

    # reminders after a result: the other open one, and lessons due
    for i in range(3):
        journal.hypothesize(Draft(f"done {i}", "h", change=f"x {i} → {i + 1}", baseline="acc = 1"), parallel=True)
        journal.complete(Outcome(output="acc = 1"), name=f"done {i}")
    panel.refresh(force=True)
    panel.target.value = next(value for label, value in panel.target.options if label.startswith("first ("))
    run(ip, "print('acc = 1')")
    panel.attach.click()
    assert "add a lesson or rule in the Lesson tab" in panel.message
    assert "'other'" in panel.message and "Result tab → Abandon" in panel.message
    look()
    assert "add a lesson or rule in the Lesson tab" in said[-1]  # the review's reminders

    for text in said:
        for magic in MAGIC:
            at = text.find(magic)
            assert at < 0, f"{magic!r} in {text[max(0, at - 80) : at + 40]!r}"


def test_closing_stops_the_thread_and_the_cell_hook(make_panel, ip):
    hooks = ip._expjournal.session.recorder.after_cell
    before = len(hooks)
    panel = make_panel(poll_seconds=0.02)
    assert len(hooks) == before + 1 and panel._thread.is_alive()
    panel.widget.close()  # closed from outside: the thread notices and ends the panel
    assert wait_for(lambda: panel._closed)
    panel._thread.join(1)
    assert not panel._thread.is_alive() and len(hooks) == before
    assert all(w.comm is None for w in walk(panel.widget))


def test_a_panel_nobody_holds_is_collected_and_its_thread_ends(ip, journal):
    session = ip._expjournal.session
    panel = JournalPanel(session, poll_seconds=0.02)
    stop = panel._stop
    ref = weakref.ref(panel)
    for w in walk(panel.widget):  # what keeps a panel alive is its open widgets' callbacks
        w.close()
    del panel, w
    gc.collect()
    assert ref() is None and wait_for(stop.is_set)
    run(ip, "1")  # the weak cell hook drops itself
    assert not any(isinstance(h, widgets._WeakHook) and h._method() is None for h in session.recorder.after_cell)


def test_panel_entry_point_loads_the_extension_and_shows_one_panel(ip, journal, capsys):
    first = widgets.panel()
    second = widgets.panel()
    try:
        assert first is second and first.session is ip._expjournal.session
        out = capsys.readouterr().out
        # displayed twice: two views of one panel (a terminal shows each view's text: the review)
        assert out.count(INSTEAD) == 2 and "VBox(" not in out
        # as the last line of a cell, the panel shown by panel() is not shown a second time
        run(ip, "from jupyter_expjournal.widgets import panel\npanel()")
        assert capsys.readouterr().out.count(INSTEAD) == 1
        run(ip, "_")
        assert capsys.readouterr().out.count(INSTEAD) == 1
    finally:
        first.close()
    ip.run_line_magic("unload_ext", "jupyter_expjournal")
    assert not ip._expjournal.recorder.registered
    third = widgets.panel()
    try:
        assert third is not first and ip._expjournal.recorder.registered
    finally:
        third.close()


def test_importing_the_package_or_loading_the_extension_does_not_import_ipywidgets(tmp_path):
    code = (
        "import sys, jupyter_expjournal\n"
        "from IPython.testing import globalipapp\n"
        "globalipapp.get_ipython().run_line_magic('load_ext', 'jupyter_expjournal')\n"
        "assert 'ipywidgets' not in sys.modules, 'ipywidgets imported'\n"
        "assert 'jupyter_expjournal.widgets' not in sys.modules\n"
    )
    env = {**os.environ, "EXPJOURNAL_DIR": str(tmp_path / "experiments")}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=os.path.dirname(os.path.dirname(__file__)))
