"""The widget panel driven from Python through a real IPython shell: set values, click, read the files."""

import os
import re
import subprocess
import sys
import time

import ipywidgets as W
import pytest

from jupyter_expjournal.core.model import Draft, Outcome
from jupyter_expjournal.widgets import journal_panel as widgets
from jupyter_expjournal.widgets.journal_panel import PAGE, JournalPanel, walk

XSS = "<img src=x onerror=alert(1)><script>alert(2)</script> $lr$ \\(x\\)"


@pytest.fixture
def make_panel(ip, journal):
    made = []

    def make(poll_seconds=0.05):
        panel = JournalPanel(ip._expjournal.session, poll_seconds=poll_seconds)
        made.append(panel)
        return panel

    yield make
    for panel in made:
        panel.close()


@pytest.fixture
def panel(make_panel):
    return make_panel()


def run(ip, code):
    """Run a cell as a user would (pre/post_run_cell fire, so the recorder sees it)."""
    return ip.run_cell(code, store_history=True)


def fill(
    panel,
    name="SVC C=10",
    hypothesis="A larger C fits the digits more tightly.",
    rows=(("C", "1", "10"),),
    expected="accuracy +0.01",
    baseline="accuracy = 0.95",
):
    """Type into the form as a user would, field by field (the gates run at each change)."""
    form = panel.form
    form.name.value = name
    form.hypothesis.value = hypothesis
    form.set_rows(rows)
    form.expected.value = expected
    form.baseline.value = baseline


def text_of(path):
    return path.read_text(encoding="utf-8") if path.exists() else ""


def wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def html_values(panel):
    return [w.value for w in walk(panel.widget) if isinstance(w, W.HTML)]


# -- the form and its gates -------------------------------------------------------


def test_hypothesis_from_the_form_is_written_in_the_seed_format(panel, journal):
    assert panel.tabs.selected_index == widgets.TAB_HYPOTHESIS  # nothing open: the next step is a hypothesis
    fill(panel, rows=(("C", "1", "10"), ("kernel", "rbf", "")))
    assert panel.gate_lines() == ["✓ the gates pass"]
    panel.form.submit.click()
    text = journal.journal_path.read_text(encoding="utf-8")
    # The seed's fields in the seed's order (the core may add fields of its own after them).
    assert re.match(
        r"# Experiment journal\n\n### \d{4}-\d\d-\d\d \d\d:\d\d — SVC C=10\n"
        r"\*\*Status\*\*: PLANNED\n"
        r"\*\*Hypothesis\*\*: A larger C fits the digits more tightly\.\n"
        r"\*\*Change\*\*: C 1 → 10\n"
        r"\*\*Config\*\*:\n- C: 1 → 10\n- kernel: rbf \(unchanged\)\n"
        r"\*\*Expected outcome\*\*: accuracy \+0\.01\n"
        r"\*\*Baseline\*\*: accuracy = 0\.95\n",
        text,
    ), text
    assert panel.message.startswith("Logged PLANNED 'SVC C=10'")
    # the form is cleared for the next one, the panel moves on to the result
    assert panel.form.name.value == "" and [r.values for r in panel.form.rows] == [("", "", "")]
    assert panel.tabs.selected_index == widgets.TAB_RESULT
    assert panel.target.value == "SVC C=10" and not panel.target.disabled
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


# -- results, abandon, lessons ------------------------------------------------------


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
    assert panel.target.value == "from the magic"
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


def test_lessons_and_rules(panel, journal):
    panel.add_lesson.click()
    assert panel.message.startswith("✖ a lesson needs text")
    assert not journal.lessons_path.exists()
    panel.lesson_text.value = "SVC: C matters more than gamma."
    panel.lesson_reason.value = "runs 1-3"
    panel.add_lesson.click()
    panel.lesson_kind.value = "NEVER"
    assert panel.lesson_reason.description == "because"
    panel.lesson_text.value = "tune on the test split"
    panel.lesson_reason.value = "the estimate is optimistic"
    panel.add_lesson.click()
    panel.lesson_kind.value = "ALWAYS"
    assert panel.lesson_reason.description == "when"
    panel.lesson_text.value = "pin the seed"
    panel.lesson_reason.value = "comparing runs"
    panel.add_lesson.click()
    text = journal.lessons_path.read_text(encoding="utf-8")
    assert re.search(r"## Lessons\n- \d{4}-\d\d-\d\d SVC: C matters more than gamma\. Source: runs 1-3\n", text), text
    assert re.search(r"- NEVER tune on the test split because the estimate is optimistic\. Learned: \d{4}-", text), text
    assert re.search(r"- ALWAYS pin the seed when comparing runs\. Learned: \d{4}-", text), text
    assert panel.message.startswith("Added to lessons.md: - ALWAYS pin the seed")
    assert "ALWAYS pin the seed when comparing runs" in panel.review.value  # the review shows them
    assert panel.lesson_text.value == ""


def test_a_rule_about_the_changed_key_shows_under_the_form(panel, journal):
    journal.add_rule("NEVER", "raise C above 100", reason="it overfits")
    panel.refresh()
    fill(panel)
    assert "rule: NEVER raise C above 100 because it overfits" in panel.gate_lines()


# -- the list, the details, the review -------------------------------------------------


def entries_text(n, open_last=True):
    blocks = ["# Experiment journal\n"]
    for i in range(n):
        status = "PLANNED" if open_last and i == n - 1 else "COMPLETED"
        topic = "gamma" if i % 10 == 0 else "C"
        blocks.append(
            f"### 2026-01-{1 + i % 28:02d} 10:{i % 60:02d} — run {i} {topic}\n**Status**: {status}\n"
            f"**Hypothesis**: hypothesis {i}\n**Change**: {topic} {i} → {i + 1}\n**Learning**: learned {i}\n"
        )
    return "\n".join(blocks)


def test_newest_first_open_on_top_and_show_more(make_panel, journal):
    journal.directory.mkdir(parents=True)
    journal.journal_path.write_text(entries_text(120), encoding="utf-8")
    panel = make_panel()
    names = [e.name for e in panel.shown_entries]
    assert len(names) == PAGE == len(panel.entries_box.children)
    assert names[:3] == ["run 119 C", "run 118 C", "run 117 C"]  # the open one on top
    assert panel.shown_entries[0].is_open
    assert panel.count.value == "120 entries, newest first, open ones on top; showing 50"
    assert panel.more.layout.display is None and panel.more.description == "show 50 more (70 not shown)"
    panel.more.click()
    panel.more.click()
    assert len(panel.shown_entries) == 120 and panel.more.layout.display == "none"


def test_the_filter_narrows_the_list(make_panel, journal):
    journal.directory.mkdir(parents=True)
    journal.journal_path.write_text(entries_text(120), encoding="utf-8")
    panel = make_panel()
    panel.filter.value = "gamma"
    assert [e.name for e in panel.shown_entries][:2] == ["run 110 gamma", "run 100 gamma"]
    assert len(panel.shown_entries) == 12 and len(panel.entries_box.children) == 12
    assert panel.count.value == "12 of 120 entries match"
    panel.filter.value = "LEARNED 77 run"  # every word, any case, any field (run 76 changed C 76 → 77)
    assert [e.name for e in panel.shown_entries] == ["run 77 C", "run 76 C"]
    panel.filter.value = "completed gamma 110"
    assert [e.name for e in panel.shown_entries] == ["run 110 gamma"]
    panel.filter.value = "nothing like this"
    assert panel.shown_entries == [] and panel.count.value == "0 of 120 entries match"
    panel.filter.value = ""
    assert len(panel.shown_entries) == PAGE


def test_details_open_on_demand_with_images_from_the_experiments_folder(make_panel, journal, tmp_path):
    journal.directory.mkdir(parents=True)
    (journal.directory / "assets").mkdir()
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 16
    (journal.directory / "assets" / "fig.png").write_bytes(png)
    (tmp_path / "secret.png").write_bytes(b"not yours")
    journal.journal_path.write_text(
        "### 2026-01-01 10:00 — with a figure\n**Status**: COMPLETED\n**Hypothesis**: h\n"
        "**Config**:\n- C: 1 → 10\n**Actual outcome**: accuracy = 0.97\n![cell 3 figure 1](assets/fig.png)\n"
        "![outside](../secret.png)\n**Delta**: accuracy +0.02\n**Duration**: 3 s\n**Mine**: a field of my own\n",
        encoding="utf-8",
    )
    panel = make_panel()
    row = panel.shown_rows[0]  # the one entry
    assert row.details.children == () and row.details.layout.display == "none"  # built when first opened
    row.toggle.value = True
    table = row.details.children[0].value
    for text in ("accuracy +0.02", "- C: 1 → 10", "a field of my own", "3 s"):
        assert text in table
    images = [w for w in row.details.children if isinstance(w, W.Image)]
    assert [(i.value, i.format) for i in images] == [(png, "png")]  # ../secret.png is not read
    row.toggle.value = False
    assert row.details.layout.display == "none"


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
    assert wait_for(lambda: panel.target.value == "written by hand")
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


# -- life: refresh, close, entry points --------------------------------------------------


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
    import gc
    import weakref

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
        assert out.count("VBox(") == 2  # displayed twice: two views of one panel
        # as the last line of a cell, the panel shown by panel() is not shown a second time
        run(ip, "from jupyter_expjournal.widgets import panel\npanel()")
        assert capsys.readouterr().out.count("VBox(") == 1
        run(ip, "_")
        assert capsys.readouterr().out.count("VBox(") == 1
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


def test_hundreds_of_entries_stay_fast(make_panel, journal):
    journal.directory.mkdir(parents=True)
    journal.journal_path.write_text(entries_text(1000), encoding="utf-8")
    t0 = time.perf_counter()
    panel = make_panel()
    built = time.perf_counter() - t0
    t0 = time.perf_counter()
    for text in ("g", "ga", "gam", "gamm", "gamma", "gamma 9", "gamma", ""):
        panel.filter.value = text
    typed = time.perf_counter() - t0
    t0 = time.perf_counter()
    fill(panel)
    gates = time.perf_counter() - t0
    print(f"\n1000 entries: panel built in {built:.2f} s; 8 filter keystrokes {typed:.2f} s; form filled {gates:.2f} s")
    assert built < 3 and typed < 3 and gates < 2


# -- one rule behind every face: the core's search, image types and words --------------


def test_the_filter_searches_every_field_outcomes_and_metrics_too(make_panel, journal):
    journal.directory.mkdir(parents=True)
    journal.journal_path.write_text(
        entries_text(3) + "\n### 2026-02-01 10:00 — measured\n**Status**: COMPLETED\n**Hypothesis**: h\n"
        "**Actual outcome**: accuracy = 0.975\n**Delta**: accuracy +0.02\n**Mine**: zebra crossing\n",
        encoding="utf-8",
    )
    panel = make_panel()
    panel.filter.value = "accuracy = 0.975"  # the core's search text: every field, the same as the sidebar's
    assert [e.name for e in panel.shown_entries] == ["measured"]
    panel.filter.value = "ZEBRA"
    assert [e.name for e in panel.shown_entries] == ["measured"]


def test_details_show_the_image_types_of_the_core_only(make_panel, journal):
    journal.directory.mkdir(parents=True)
    assets = journal.directory / "assets"
    assets.mkdir()
    files = {
        "fig.png": b"\x89PNG\r\n\x1a\n" + b"0" * 16,
        "fig.jpg": b"\xff\xd8\xff" + b"0" * 16,
        "fig.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        "fig.gif": b"GIF89a" + b"0" * 16,  # not a type that can be attached: not shown either
    }
    for name, data in files.items():
        (assets / name).write_bytes(data)
    links = "".join(f"![{name}](assets/{name})\n" for name in files)
    journal.journal_path.write_text(
        f"### 2026-01-01 10:00 — figures\n**Status**: COMPLETED\n**Hypothesis**: h\n**Actual outcome**: done\n{links}",
        encoding="utf-8",
    )
    panel = make_panel()
    row = panel.shown_rows[0]
    row.toggle.value = True
    images = [(w.value, w.format) for w in row.details.children if isinstance(w, W.Image)]
    assert images == [(files["fig.png"], "png"), (files["fig.jpg"], "jpeg"), (files["fig.svg"], "svg+xml")]


MAGIC = ("%", "--")


def words_of(html):
    """The text of an HTML value, tags and entities left out (styles hold % signs)."""
    import html as html_lib

    return html_lib.unescape(re.sub(r"<[^>]*>", "", html))


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
    panel.target.value = "first"
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
