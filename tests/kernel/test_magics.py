"""The magics through a real IPython shell: what a user types, what lands in the files."""

import re

import pytest
from IPython.core.error import UsageError
from IPython.testing import globalipapp

BODY = """A larger C fits the digits data more tightly, so accuracy should rise.
change: C 1 → 10
config:
- C: 1 → 10
- kernel: rbf
expected: accuracy +0.01
baseline: accuracy = 0.95"""


def run(ip, code):
    """Run a cell as a user would (pre/post_run_cell fire, so the recorder sees it)."""
    return ip.run_cell(code, store_history=True)


def test_load_ext_prints_one_status_line(ip, journal, capsys):
    ip.run_line_magic("reload_ext", "jupyter_expjournal")
    out = capsys.readouterr().out.strip().splitlines()
    assert out == [f"expjournal: journal will be created at {journal.journal_path} (no entries yet)"]


def test_the_status_line_counts_one_entry_as_one(ip, journal, capsys):
    run(ip, f"%%hypothesis SVC C=10\n{BODY}")
    ip.run_line_magic("reload_ext", "jupyter_expjournal")
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1] == f"expjournal: {journal.journal_path}: 1 entry; open: 'SVC C=10'"


def test_hypothesis_then_result_end_to_end(ip, journal, capsys):
    run(ip, f"%%hypothesis SVC C=10\n{BODY}")
    out = capsys.readouterr().out
    assert "Logged PLANNED 'SVC C=10'" in out
    entry = journal.open_entries()[0]
    assert entry.hypothesis.startswith("A larger C") and entry.baseline == "accuracy = 0.95"

    run(ip, "print('epoch 1: accuracy = 0.91')\nprint('accuracy = 0.97')\n{'f1': 0.96}")
    run(ip, '%result --learning "C matters less than gamma here" --next sweep gamma')
    out = capsys.readouterr().out
    assert "'SVC C=10' COMPLETED: accuracy +0.02 vs expected +0.01: better than expected" in out
    (done,) = journal.entries()
    assert done.status == "COMPLETED"
    assert done.learning == "C matters less than gamma here"
    assert done.next == "sweep gamma"
    assert "accuracy = 0.97" in done.actual and "{'f1': 0.96}" in done.actual
    assert re.search(r"wall from hypothesis to result; [\d.]+ s executing 1 cell", done.duration)


def test_second_hypothesis_refused_names_the_open_one(ip, journal):
    ip.run_cell_magic("hypothesis", "first", BODY)
    before = journal.journal_path.read_bytes()
    with pytest.raises(UsageError, match="'first' .*still PLANNED"):
        ip.run_cell_magic("hypothesis", "second", BODY.replace("10", "100"))
    assert journal.journal_path.read_bytes() == before
    ip.run_cell_magic("hypothesis", "second --parallel", BODY.replace("10", "100"))
    assert len(journal.open_entries()) == 2


def test_config_diffed_from_two_dicts(ip, journal):
    ip.user_ns.update(new_cfg={"C": 10, "kernel": "rbf"}, old_cfg={"C": 1, "kernel": "rbf"})
    ip.run_cell_magic("hypothesis", "dicts --config new_cfg --base old_cfg", "h\nbaseline: accuracy = 0.95")
    entry = journal.entries()[0]
    assert entry.change == "C 1 → 10"
    assert entry.get("Config") == "- C: 1 → 10\n- kernel: rbf (unchanged)"


@pytest.mark.parametrize(
    "line, body, message",
    [
        ("x --nope", "h", "unrecognized arguments: --nope"),
        ("", "h", "needs a name"),
        ("x", "", "the cell body is empty"),
        ("x", "change: C 1 → 10", "no hypothesis"),
        ("x --config missing", "h", "no variable named 'missing'"),
        ("x --config a_list", "h", "list, not a dict"),
        ("x --base old_cfg", "h", "--base needs --config"),
    ],
)
def test_bad_hypothesis_input_is_one_clear_error(ip, journal, line, body, message):
    ip.user_ns["a_list"] = [1, 2]
    with pytest.raises(UsageError, match=re.escape(message)):
        ip.run_cell_magic("hypothesis", line, body)
    assert not journal.journal_path.exists()


def test_result_with_nothing_open(ip, journal):
    run(ip, "1 + 1")
    with pytest.raises(UsageError, match="no open experiment"):
        ip.run_line_magic("result", "")
    assert not journal.journal_path.exists()


def test_result_cell_form_and_error_outcome(ip, journal, capsys):
    ip.run_cell_magic("hypothesis", "crashy", BODY)
    run(ip, "1 / 0")
    run(ip, "%%result\nlearning: the run crashed\nnext: fix the division")
    (entry,) = journal.entries()
    assert entry.status == "COMPLETED"
    assert entry.summary_outcome() == "Error: ZeroDivisionError: division by zero"
    assert entry.learning == "the run crashed" and entry.next == "fix the division"


def test_result_cell_option_picks_by_prompt(ip, journal):
    ip.run_cell_magic("hypothesis", "by prompt", BODY)
    run(ip, "print('accuracy = 0.99')")
    prompt = ip.execution_count - 1
    run(ip, "print('accuracy = 0.10')")
    run(ip, f"%result --cell {prompt}")
    assert journal.entries()[0].delta.startswith("accuracy +0.04")


def test_image_output_becomes_an_asset(ip, journal):
    ip.run_cell_magic("hypothesis", "plot", BODY)
    pixel = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    run(ip, "import matplotlib\nmatplotlib.use('agg')\nfrom IPython.display import Image, display\n"
            f"import base64\npng = base64.b64decode('{pixel}')\n"
            "display(Image(png))")
    run(ip, "%result")
    entry = journal.entries()[0]
    (asset,) = journal.assets_dir.iterdir()
    assert asset.suffix == ".png" and f"(assets/{asset.name})" in entry.actual


def test_abandon_and_retro(ip, journal):
    ip.run_cell_magic("hypothesis", "leaky", BODY)
    ip.run_line_magic("result", '--abandon "found a data leak"')
    run(ip, "print('accuracy = 0.5')")
    run(ip, "%result --retro quick probe --learning probes are cheap")
    leaky, probe = journal.entries()
    assert leaky.status == "ABANDONED" and "found a data leak" in leaky.actual
    assert probe.status == "COMPLETED" and probe.get("Logged").startswith("retrospectively")
    assert probe.learning == "probes are cheap"


def test_review_text_and_html(ip, journal):
    ip.run_cell_magic("hypothesis", "<img src=x onerror=alert(1)>", BODY)
    with _Captured(ip) as shown:
        ip.run_line_magic("review", "")
    text, html = shown.bundle["text/plain"], shown.bundle["text/html"]
    assert "Open experiments:" in text and "<img src=x onerror=alert(1)>" in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img" not in html
    assert "still PLANNED" in text


class _Captured:
    """Catch what %review displays, through the shell's real display publisher."""

    def __init__(self, ip):
        self.ip, self.bundle = ip, None

    def __enter__(self):
        pub = self.ip.display_pub
        self.original = pub.publish

        def publish(data, *args, **kwargs):
            self.bundle = data

        pub.publish = publish
        return self

    def __exit__(self, *exc):
        self.ip.display_pub.publish = self.original


def test_lessons_and_rules(ip, journal, capsys):
    ip.run_line_magic("lesson", "SVC: C matters more than gamma near 'scale'. --source runs 1-4")
    ip.run_line_magic("lesson", '--never "train without scaling the pixels" --because "the RBF kernel saturates"')
    ip.run_line_magic("lesson", "--always pin the split seed --when comparing runs")
    ip.run_cell_magic("lesson", "", "Don't trust one split: it's noisy.")
    lessons = journal.lessons()
    assert [lesson.text for lesson in lessons.lessons] == [
        "SVC: C matters more than gamma near 'scale'.", "Don't trust one split: it's noisy."]
    assert lessons.lessons[0].source == "runs 1-4"
    assert [r.text for r in lessons.rules] == [
        "NEVER train without scaling the pixels because the RBF kernel saturates",
        "ALWAYS pin the split seed when comparing runs",
    ]
    with pytest.raises(UsageError, match="either never or always"):
        ip.run_line_magic("lesson", "--never a --always b")


def test_journal_settings(ip, journal, tmp_path, capsys):
    ip.run_line_magic("journal", f"--dir {tmp_path / 'elsewhere'} --strict on")
    out = capsys.readouterr().out
    assert f"journal: {tmp_path / 'elsewhere' / 'journal.md'}" in out and "strict: on" in out
    with pytest.raises(UsageError, match="strict mode"):
        ip.run_cell_magic("hypothesis", "no baseline", "h")
    ip.run_line_magic("journal", "--dir auto --strict off")
    assert ip._expjournal.current().directory == journal.directory


def test_traitlets_config(tmp_path):
    from traitlets.config import Config

    from jupyter_expjournal.kernel.magics import ExpJournal

    cfg = Config()
    cfg.ExpJournal.directory = str(tmp_path)
    cfg.ExpJournal.strict = True
    shell = globalipapp.get_ipython()
    magics = ExpJournal(shell=shell, config=cfg)
    assert magics.current().directory == tmp_path and magics.strict is True


def test_long_cell_without_hypothesis_is_nudged(ip, journal, capsys):
    ip._expjournal.nudge_seconds = 0.2
    try:
        run(ip, "import time; time.sleep(0.3)")
    finally:
        ip._expjournal.nudge_seconds = 60
    assert "with no open hypothesis" in capsys.readouterr().out


def test_hypothesis_records_provenance(ip, journal):
    ip.run_cell_magic("hypothesis", "with provenance", BODY)
    provenance = journal.entries()[0].get("Provenance")
    assert "Python " in provenance and "host " in provenance


def test_review_analysis_param_since_and_plots(ip, journal):
    ip.run_cell_magic("hypothesis", "c10", BODY)
    run(ip, "print('accuracy = 0.97')")
    run(ip, "%result --learning l")
    ip.run_cell_magic("hypothesis", "gamma", BODY.replace("C 1 → 10", "gamma 1 → 2").replace("- C: 1 → 10", "- gamma: 1 → 2"))
    run(ip, "print('accuracy = 0.96')")
    run(ip, "%result --learning l")
    with _Captured(ip) as shown:
        ip.run_line_magic("review", "--plot")
    text, html = shown.bundle["text/plain"], shown.bundle["text/html"]
    assert "helped most: C 1 → 10 in 'c10'" in text and "untested: kernel" in text
    assert html.count("<img alt=") == 2 and "data:image/png;base64," in html
    with _Captured(ip) as shown:
        ip.run_line_magic("review", "--param gamma")
    assert "Analysis of 1 experiment:" in shown.bundle["text/plain"]
    with _Captured(ip) as shown:
        ip.run_line_magic("review", "--since 2999-01")
    assert "Analysis of 0 experiments" in shown.bundle["text/plain"]
    with pytest.raises(UsageError, match="since takes a date"):
        ip.run_line_magic("review", "--since yesterday")


# -- the magics' vocabulary: the core's ways out in magic syntax -------------------------


def test_refusals_name_the_magic_options(ip, journal):
    ip.run_cell_magic("hypothesis", "first", BODY)
    with pytest.raises(UsageError) as refused:
        ip.run_cell_magic("hypothesis", "second", BODY.replace("10", "100"))
    text = str(refused.value)
    assert "'first'" in text and "still PLANNED" in text
    assert "(%result)" in text and '%result --abandon "reason"' in text and "--parallel" in text
    ip.run_cell_magic("hypothesis", "second --parallel", BODY.replace("10", "100"))
    ip._expjournal.session.opened.clear()
    with pytest.raises(UsageError, match="2 experiments are open .*choose one with --name NAME"):
        ip.run_line_magic("result", "--outcome x --no-output")
    ip.run_line_magic("journal", "--strict on")
    try:
        with pytest.raises(UsageError, match=r"no baseline recorded.*\(strict mode\): --force logs it anyway"):
            ip.run_cell_magic("hypothesis", "third --parallel", "h")
    finally:
        ip.run_line_magic("journal", "--strict off")


def test_nothing_open_offers_the_magics(ip, journal):
    ways = "log one first with %%hypothesis NAME or record a run after the fact with %result --retro NAME"
    with pytest.raises(UsageError, match=ways):
        ip.run_line_magic("result", "--outcome x --no-output")


def test_reminders_and_review_in_magic_words(ip, journal, capsys):
    with _Captured(ip) as shown:
        ip.run_line_magic("review", "")
    assert "No entries yet: log one first with %%hypothesis NAME." in shown.bundle["text/plain"]
    assert "log one first with %%hypothesis NAME" in shown.bundle["text/html"]
    for i in range(4):
        ip.run_cell_magic("hypothesis", f"e{i}", BODY.replace("C 1 → 10", f"C {i} → {i + 1}"))
        ip.run_line_magic("result", "--outcome ok --no-output")
    out = capsys.readouterr().out
    assert '! 4 experiments completed since the last lesson: distill what they taught: %lesson "context: lesson"' in out
    ip.run_cell_magic("hypothesis", "still open", BODY)
    with _Captured(ip) as shown:
        ip.run_line_magic("review", "")
    assert "'still open'" in shown.bundle["text/plain"]
    assert '%result --abandon "reason"' in shown.bundle["text/plain"]
    assert "%result --abandon &quot;reason&quot;" in shown.bundle["text/html"]


def test_render_names_no_magic_syntax():
    import inspect

    import jupyter_expjournal.render as render

    source = inspect.getsource(render)
    assert "%%hypothesis" not in source and "%result" not in source and "%lesson" not in source
    assert not re.search(r"[\"'` ]--[a-z]", source)


# -- lessons, --since, --dir through the core's rules -------------------------------------


@pytest.mark.parametrize(
    "line, options",
    [
        ("--never x --always y", dict(never="x", always="y")),
        ("text --never x", dict(text="text", never="x")),
        ("text --because y", dict(text="text", because="y")),
        ("text --when y", dict(text="text", when="y")),
        ("--never x --when y", dict(never="x", when="y")),
        ("--always x --because y", dict(always="x", because="y")),
        ("--always x --context c", dict(always="x", context="c")),
        ("--never x --source s", dict(never="x", source="s")),
    ],
)
def test_lesson_options_are_refused_by_the_core_rule(ip, journal, line, options):
    """The magic says what the core says: it names options as every face does (never, always, because, ...)."""
    from jupyter_expjournal.core.draft import lesson_request
    from jupyter_expjournal.core.errors import InputError

    with pytest.raises(InputError) as core:
        lesson_request(**options)
    with pytest.raises(UsageError) as refused:
        ip.run_line_magic("lesson", line)
    assert str(refused.value) == str(core.value)
    assert not journal.lessons_path.exists()


def test_since_is_checked_by_the_core(ip, journal):
    ip.run_cell_magic("hypothesis", "dated", BODY)
    with _Captured(ip) as shown:
        ip.run_line_magic("review", "--since 2026-01-01T09:00")  # the core's form with a T
    assert "Analysis of 1 experiment" in shown.bundle["text/plain"]
    with pytest.raises(UsageError, match="^since takes a date like 2026-11-25 or 2026-11, not 'yesterday'$"):
        ip.run_line_magic("review", "--since yesterday")
    with pytest.raises(UsageError, match="since takes a date"):
        ip.run_line_magic("review", "--since yesterday --widget")
    with pytest.raises(UsageError, match="-n must be 0 or more"):
        ip.run_line_magic("review", "-n -1")


def test_journal_dir_takes_the_project_folder(ip, journal, tmp_path, capsys):
    project = tmp_path / "project"
    (project / "experiments").mkdir(parents=True)
    try:
        ip.run_line_magic("journal", f"--dir {project}")
        out = capsys.readouterr().out
        assert f"journal: {project / 'experiments' / 'journal.md'}" in out
        assert ip._expjournal.directory == str(project / "experiments")
        ip.run_line_magic("journal", f"--dir {project / 'experiments' / 'journal.md'}")
        assert ip._expjournal.directory == str(project / "experiments")
    finally:
        ip.run_line_magic("journal", "--dir auto")


def test_a_result_field_pasted_into_a_hypothesis_is_refused(ip, journal):
    """Issue 11: a **Learning** line in the body, then %result --learning, gave the entry two Learning fields."""
    body = "Deeper trees fit better.\n**Learning**: depth matters\nbaseline: acc = 0.9"
    with pytest.raises(UsageError, match=re.escape("a hypothesis cannot carry **Learning**: the result writes it")):
        ip.run_cell_magic("hypothesis", "depth 5", body)
    assert not journal.journal_path.exists()  # nothing written
    ip.run_cell_magic("hypothesis", "depth 5", body.replace("**Learning**: depth matters\n", ""))
    ip.run_cell("print('acc = 0.95')")
    ip.run_line_magic("result", "--learning depth matters")
    assert journal.journal_path.read_text(encoding="utf-8").count("**Learning**") == 1


def test_result_attaches_the_run_not_the_journal_talk_after_it(ip, journal):
    """A %review looked at, a %result refused and retried: the outputs attached are still the experiment's."""
    run(ip, f"%%hypothesis first\n{BODY}")
    run(ip, f"%%hypothesis second --parallel\n{BODY.replace('10', '100')}")
    run(ip, "print('accuracy = 0.971')")
    run(ip, "%review")
    ip._expjournal.session.opened.clear()  # as if opened by another kernel: the result must be told which
    refused = run(ip, "%result")
    assert not refused.success
    run(ip, "# looked at the journal\n%journal")
    run(ip, "%result --name first")
    (first,) = [e for e in journal.entries() if e.name == "first"]
    assert "accuracy = 0.971" in first.actual and "UsageError" not in first.actual and "Recent" not in first.actual


def test_result_says_what_it_attached_and_warns_of_a_cell_that_showed_nothing(ip, journal, capsys):
    run(ip, f"%%hypothesis shown\n{BODY}")
    run(ip, "print('accuracy = 0.97')\nprint('done')")
    capsys.readouterr()
    run(ip, "%result")
    out = capsys.readouterr().out
    assert re.search(r"^  attached cell \[\d+\]: 2 lines of text$", out, re.M), out
    run(ip, f"%%hypothesis silent --parallel\n{BODY.replace('10', '100')}")
    run(ip, "x = 1")  # a cell that shows nothing
    before = journal.journal_path.read_bytes()
    refused = run(ip, "%result --name silent")
    assert not refused.success and "showed no output to attach and no outcome was given" in str(refused.error_in_exec)
    assert journal.journal_path.read_bytes() == before  # nothing written
    run(ip, "x = 2")
    capsys.readouterr()
    run(ip, "%result --name silent --outcome 'accuracy = 0.98, read from the dashboard'")
    out = capsys.readouterr().out
    assert re.search(r"^! attached cell \[\d+\]: it showed no output$", out, re.M), out
    assert journal.entries()[-1].actual.startswith("accuracy = 0.98")


@pytest.mark.parametrize("cell", ["x = 1", "print('training done')"])
def test_a_metric_typed_as_the_outcome_makes_the_delta_when_the_output_shows_none(ip, journal, cell):
    """`%result --outcome "accuracy = 0.97"` after a cell that printed no metric: the typed metric is the
    result (the Delta said "no metric ... was found in the output")."""
    run(ip, "%%hypothesis typed\nC helps.\nchange: C 1 -> 10\nbaseline: accuracy = 0.95")
    run(ip, cell)
    run(ip, '%result --outcome "accuracy = 0.97"')
    assert journal.entries()[-1].fields["Delta"] == "accuracy +0.02 (0.95 → 0.97)"


def test_the_output_s_metric_wins_over_a_typed_one_of_the_same_name(ip, journal):
    run(ip, "%%hypothesis both\nC helps.\nchange: C 1 -> 10\nbaseline: accuracy = 0.95")
    run(ip, "print('accuracy = 0.9712')")
    run(ip, '%result --outcome "accuracy = 0.97, roughly"')
    assert journal.entries()[-1].fields["Delta"] == "accuracy +0.0212 (0.95 → 0.9712)"


def test_captured_text_utf8_cannot_store_is_shown_as_the_replacement_character(ip, journal):
    """A cell printing a name decoded with surrogateescape (bytes that are not UTF-8): %result attaches it
    (it raised UnicodeEncodeError from deep in the store), the character shown as U+FFFD."""
    run(ip, "%%hypothesis odd bytes\nC helps.\nbaseline: accuracy = 0.95")
    run(ip, "import sys; sys.stdout.write('file caf\\udce9.csv: accuracy = 0.97\\n')")
    result = run(ip, "%result")
    assert result.success, result.error_in_exec
    text = journal.journal_path.read_text(encoding="utf-8")
    assert "file caf\ufffd.csv: accuracy = 0.97" in text and journal.entries()[-1].status == "COMPLETED"
