"""%review --table (the core's compare table, text and HTML in one display), its filters and sort; plurals; figures."""

import pytest
from IPython.core.error import UsageError

BODY = """A larger C fits the digits data more tightly, so accuracy should rise.
change: C {old} → {new}
config:
- C: {old} → {new}
- kernel: {kernel}
expected: accuracy +0.01
baseline: accuracy = 0.95"""


class Captured:
    """Catch what a magic displays, through the shell's real display publisher."""

    def __init__(self, ip):
        self.ip, self.bundles = ip, []

    def __enter__(self):
        pub = self.ip.display_pub
        self.original = pub.publish
        pub.publish = lambda data, *args, **kwargs: self.bundles.append(data)
        return self

    def __exit__(self, *exc):
        self.ip.display_pub.publish = self.original

    @property
    def bundle(self):
        return self.bundles[-1]


def experiment(ip, name, old, new, accuracy, kernel="rbf", loss=None):
    ip.run_cell_magic("hypothesis", f"{name} --parallel", BODY.format(old=old, new=new, kernel=kernel))
    outcome = f"accuracy = {accuracy}" + (f", loss = {loss}" if loss is not None else "")
    ip.run_line_magic("result", f'--name {name} --outcome "{outcome}" --no-output --learning l')


@pytest.fixture
def three(ip, journal):
    experiment(ip, "c10", 1, 10, 0.97, loss=0.3)
    experiment(ip, "c100", 10, 100, 0.96, kernel="linear", loss=0.2)
    ip.run_cell_magic("hypothesis", "c1000", BODY.format(old=100, new=1000, kernel="rbf"))
    return journal


def review(ip, line):
    with Captured(ip) as shown:
        ip.run_line_magic("review", line)
    return shown.bundle["text/plain"], shown.bundle["text/html"]


def test_review_table_shows_changed_keys_metrics_deltas_and_status(ip, three):
    text, html = review(ip, "--table")
    lines = text.splitlines()
    assert lines[0].split() == ["id", "entry", "time", "status", "changed", "accuracy", "↑", "loss", "↓"]
    c10 = next(line for line in lines if " c10 " in line)
    assert "COMPLETED" in c10 and "C 1 → 10" in c10 and "0.97 (+0.02)" in c10 and "0.3" in c10
    c100 = next(line for line in lines if " c100 " in line)
    assert "0.96 (+0.01)" in c100
    assert "PLANNED" in next(line for line in lines if " c1000 " in line)
    assert lines[-1].startswith("(3 entries;")
    # the same rows as HTML: one table, user text escaped, a gain in green
    assert html.count("<tr>") == 4 and "<th" in html and "C 1 → 10" in html
    assert "color:#1a7f37'>(+0.02)" in html
    ids = [e.id for e in three.entries()]
    assert all(i in text and i in html for i in ids)


def test_review_table_filters_and_sorts_as_the_core_does(ip, three):
    from jupyter_expjournal.core.compare import select
    from jupyter_expjournal.render import compare_text

    text, _ = review(ip, "--table --status completed --sort accuracy")
    rows = [line.split()[1] for line in text.splitlines()[2:-1]]
    assert rows == ["c10", "c100"]
    assert text == compare_text(select(three.entries(), status="completed", sort="accuracy", limit=5))
    text, _ = review(ip, "--table --sort loss")  # lower is better: c100 first
    assert [line.split()[1] for line in text.splitlines()[2:-1]] == ["c100", "c10", "c1000"]
    text, _ = review(ip, "--table --where kernel=linear")
    assert [line.split()[1] for line in text.splitlines()[2:-1]] == ["c100"]
    text, _ = review(ip, "--table --search accuracy = 0.97")
    assert [line.split()[1] for line in text.splitlines()[2:-1]] == ["c10"]
    text, _ = review(ip, "--table -n 1")  # the latest one
    assert [line.split()[1] for line in text.splitlines()[2:-1]] == ["c1000"]
    text, html = review(ip, "--table --status abandoned")
    assert text == "no entries match" and "no entries match" in html


def test_review_table_refuses_bad_input_in_one_line(ip, three):
    with pytest.raises(UsageError, match="^status 'done' is not one of planned, completed, abandoned$"):
        ip.run_line_magic("review", "--table --status done")
    with pytest.raises(UsageError, match="cannot sort by 'speed'"):
        ip.run_line_magic("review", "--table --sort speed")
    with pytest.raises(UsageError, match="key=value"):
        ip.run_line_magic("review", "--table --where kernel")
    with pytest.raises(UsageError, match="^--status, --sort choose the rows of the compare table: add --table$"):
        ip.run_line_magic("review", "--status completed --sort accuracy")


def test_review_says_1_entry(ip, journal):
    experiment(ip, "only", 1, 10, 0.97)
    text, html = review(ip, "")
    assert "(1 entry: 1 completed)" in text and "1 entries" not in text
    assert "(1 entry: 1 completed)" in html and "1 entries" not in html


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a0e2a6d40000000049454e44ae426082"
)


def test_review_shows_the_figures_of_its_entries(ip, journal):
    from jupyter_expjournal.core.draft import parse_body
    from jupyter_expjournal.core.model import Outcome

    journal.hypothesize(parse_body("with a figure", BODY.format(old=1, new=10, kernel="rbf")), force=True)
    journal.complete(Outcome(output="accuracy = 0.97", images=[("image/png", PNG)]))
    (link,) = journal.entries()[0].images
    text, html = review(ip, "")
    assert f"1 figure: {link}" in text
    assert html.count("<img ") == 1 and f"alt='{link}'" in html and "data:image/png;base64,iVBORw0KGgo" in html


def test_review_plot_names_points_by_entry_and_says_why_there_is_none(ip, journal):
    text, html = review(ip, "--plot")
    assert "(no plots yet: a metric needs two completed experiments" in text and "no plots yet" in html
    experiment(ip, "first run", 1, 10, 0.97)
    experiment(ip, "a much longer second run name", 10, 100, 0.98)
    text, html = review(ip, "--plot")
    assert html.count("<img alt=") == 2 and "no plots" not in text

    from jupyter_expjournal.plots import analysis_figures

    analysis = journal.review(all=True).analysis
    (title, line), (_, bars) = analysis_figures(analysis)
    assert title == "accuracy over experiments"
    ticks = [t.get_text() for t in line.axes[0].get_xticklabels()]
    assert ticks == ["first run", "a much longer sec…"]
    assert not line.axes[0].get_xlabel()  # not "experiment"
    labels = [t.get_text() for t in bars.axes[0].get_yticklabels()]
    assert labels == ["C (accuracy): a much longer second ru…"]


def test_journal_counts_one_lesson_and_one_rule_in_the_singular(ip, journal, capsys):
    ip.run_line_magic("lesson", "SVC: C matters. --source runs 1-2")
    ip.run_line_magic("lesson", "--never train unscaled --because the kernel saturates")
    capsys.readouterr()
    ip.run_line_magic("journal", "")
    assert "(1 lesson, 1 rule)" in capsys.readouterr().out


def test_review_table_keeps_user_text_inert(ip, journal):
    from jupyter_expjournal.core.draft import parse_body
    from jupyter_expjournal.core.model import Outcome

    body = "h\nchange: <b>C</b> 1 → <script>x</script>\nexpected: acc<i> +0.01\nbaseline: acc<i> = 0.5"
    journal.hypothesize(parse_body("<img src=x onerror=alert(1)>", body), force=True)
    journal.complete(Outcome(output="acc<i> = 0.6"))
    text, html = review(ip, "--table")
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>" not in html and "<b>C</b>" not in html and "<i>" not in html
    assert "<img src=x onerror=alert(1)>" in text  # the text view shows it as written


# -- the same views as a real kernel sends them, and as a terminal IPython prints them -------------------------

REAL = """%%hypothesis {name} --parallel
A larger C fits the digits data more tightly.
change: C {old} → {new}
expected: accuracy +0.01
baseline: accuracy = 0.95"""


@pytest.fixture
def kernel(venv_kernelspec, tmp_path):
    pytest.importorskip("jupyter_client")
    from live_kernel import Kernels

    (tmp_path / "experiments").mkdir()
    kernels = Kernels(tmp_path)
    yield kernels.start()
    kernels.close()


def test_a_real_kernel_sends_the_review_its_figures_plots_and_table_as_html_and_text(kernel, tmp_path):
    from live_kernel import displayed, messages

    messages(kernel, REAL.format(name="first run", old=1, new=10))
    # a cell showing a figure (the kernel's inline backend) and printing a metric
    messages(kernel, "import matplotlib.pyplot as plt\nplt.plot([1, 2]); plt.show(); print('accuracy = 0.97')")
    messages(kernel, '%result --name "first run" --learning l')
    (review,) = displayed(kernel, "%review")
    assert "(1 entry: 1 completed)" in review["text/plain"] and "1 entries" not in review["text/plain"]
    assert "(1 entry: 1 completed)" in review["text/html"]
    (link,) = [line.split("(", 1)[1].rstrip(")") for line in
               (tmp_path / "experiments" / "journal.md").read_text(encoding="utf-8").splitlines() if line.startswith("![")]
    assert f"1 figure: {link}" in review["text/plain"]
    assert review["text/html"].count("<img ") == 1 and f"alt='{link}'" in review["text/html"]

    messages(kernel, REAL.format(name="second run", old=10, new=100))
    messages(kernel, '%result --name "second run" --outcome "accuracy = 0.98" --no-output --learning l')
    (plotted,) = displayed(kernel, "%review --plot")
    plots = ("<img alt='accuracy over experiments'", "<img alt='best effect per parameter'")
    assert all(plotted["text/html"].count(plot) == 1 for plot in plots)  # beside the first run's figure
    assert "no plots" not in plotted["text/plain"]

    (table,) = displayed(kernel, "%review --table --sort accuracy")
    head, rule, best, worst, foot = table["text/plain"].splitlines()
    assert head.split() == ["id", "entry", "time", "status", "changed", "accuracy", "↑"]
    assert "second run" in best and "0.98 (+0.03)" in best and "first run" in worst
    assert "<table" in table["text/html"] and table["text/html"].index("second run") < table["text/html"].index("first run")


def test_in_a_terminal_ipython_the_table_and_the_review_are_plain_text(tmp_path):
    """A terminal session: the magics typed into IPython's own shell, what it prints read back."""
    import os
    import re
    import subprocess
    import sys
    from pathlib import Path

    checkout = str(Path(__file__).resolve().parents[2])
    lines = [
        "%load_ext jupyter_expjournal",
        f"%journal --dir {tmp_path / 'experiments'}",
        "get_ipython().run_cell_magic('hypothesis', 'c10', 'h\\nchange: C 1 → 10\\nbaseline: accuracy = 0.95')",
        '%result --outcome "accuracy = 0.97" --no-output --learning l',
        "%review --table",
        "%review",
    ]
    done = subprocess.run(
        [sys.executable, "-m", "IPython", "--no-banner", "--colors=NoColor", "--no-confirm-exit", "--simple-prompt"],
        input="\n".join(lines) + "\nexit\n", capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [checkout, os.environ.get("PYTHONPATH")]))},
    )
    out = done.stdout
    assert done.returncode == 0, done.stderr
    table = out[re.search(r"id +entry", out).start():]
    assert table.splitlines()[0].split() == ["id", "entry", "time", "status", "changed", "accuracy", "↑"]
    assert "c10" in table and "C 1 → 10" in table and "0.97 (+0.02)" in table and "(1 entry; delta:" in table
    assert "(1 entry: 1 completed)" in out and "1 entries" not in out
    assert "<table" not in out and "<div" not in out and "IPython.core.display" not in out
