"""The panel everywhere (issue 13, point 8): a hint without ipywidgets, the review for front ends that cannot
draw the panel, the analysis' plots in the Review tab. Driven through a real IPython shell."""

import sys

import pytest
from IPython.core.error import UsageError

from jupyter_expjournal.core.draft import parse_body
from jupyter_expjournal.core.model import Outcome
from jupyter_expjournal.widgets import INSTALL_HINT, WidgetsMissing, fallback
from jupyter_expjournal.widgets.journal_panel import TAB_REVIEW, show_panel

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def two_runs(journal):
    for name, change, accuracy in (("C 10", "C 1 → 10", 0.97), ("C 100", "C 10 → 100", 0.975)):
        body = f"h\nchange: {change}\nexpected: accuracy +0.01\nbaseline: accuracy = 0.95"
        journal.hypothesize(parse_body(name, body), force=True)
        journal.complete(Outcome(output=f"accuracy = {accuracy}"))


class Published:
    """What the shell's real display publisher is handed, bundle by bundle."""

    def __init__(self, ip):
        self.ip, self.bundles = ip, []

    def __enter__(self):
        self.original = self.ip.display_pub.publish
        self.ip.display_pub.publish = lambda data, *a, **k: self.bundles.append(data)
        return self

    def __exit__(self, *exc):
        self.ip.display_pub.publish = self.original


def test_the_panels_display_carries_the_review_beside_the_view(ip, journal, monkeypatch):
    for name in ("VSCODE_PID", "VSCODE_CWD", "TERM_PROGRAM"):
        monkeypatch.delenv(name, raising=False)
    two_runs(journal)
    with Published(ip) as shown:
        panel = show_panel(ip._expjournal.session)
    try:
        (bundle,) = shown.bundles
        assert bundle[WIDGET_VIEW]["model_id"] == panel.widget.model_id  # the panel, where widgets are drawn
        assert bundle["text/plain"].startswith(fallback.INSTEAD) and "C 100" in bundle["text/plain"]
        assert "<b>C 100</b>" in bundle["text/html"] and "Journal" in bundle["text/html"]
        assert "(2 entries: 2 completed)" in bundle["text/html"]
    finally:
        panel.close()


def test_vs_code_with_ipywidgets_8_1_9_shows_the_review_as_an_output_of_its_own(ip, journal, monkeypatch):
    monkeypatch.setenv("VSCODE_PID", "4242")
    monkeypatch.setattr("ipywidgets.__version__", "8.1.9")
    two_runs(journal)
    with Published(ip) as shown:
        panel = show_panel(ip._expjournal.session)
    try:
        alone, view = shown.bundles
        assert WIDGET_VIEW not in alone and WIDGET_VIEW in view
        note = "VS Code draws no widget with ipywidgets 8.1.9 (microsoft/vscode-jupyter#17504)"
        assert alone["text/plain"].startswith(note) and note in alone["text/html"]
        assert "<b>C 100</b>" in alone["text/html"]
    finally:
        panel.close()
    monkeypatch.setattr("ipywidgets.__version__", "8.1.8")
    assert fallback.blank_view("8.1.8") == ""


def test_a_kernel_vs_code_reaches_through_a_jupyter_server_is_known_by_its_namespace(ip, journal, monkeypatch):
    """A remote kernel (VS Code on a Jupyter server it did not start) has no VSCODE_* variable, but VS Code puts
    the notebook's path in ``__vsc_ipynb_file__``, as the session reads it for the Provenance."""
    for name in ("VSCODE_PID", "VSCODE_CWD", "TERM_PROGRAM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("ipywidgets.__version__", "8.1.9")
    monkeypatch.setitem(ip.user_ns, "__vsc_ipynb_file__", "/work/nb.ipynb")
    two_runs(journal)
    with Published(ip) as shown:
        panel = show_panel(ip._expjournal.session)
    try:
        alone, view = shown.bundles
        assert WIDGET_VIEW not in alone and alone["text/plain"].startswith("VS Code draws no widget with ipywidgets 8.1.9")
    finally:
        panel.close()
    assert fallback.front_end({}, {"__vsc_ipynb_file__": "/work/nb.ipynb"}) == "VS Code"
    assert fallback.front_end({}, {}) == ""


def test_front_end_is_read_from_the_kernels_environment():
    assert fallback.front_end({"VSCODE_PID": "1"}) == "VS Code"
    assert fallback.front_end({"TERM_PROGRAM": "vscode"}) == "VS Code"
    assert fallback.front_end({"JPY_SESSION_NAME": "x.ipynb"}) == ""
    assert fallback.blank_view("8.1.9", {"VSCODE_PID": "1"}).startswith("VS Code draws no widget")
    assert fallback.blank_view("8.1.9", {}) == ""


def test_review_widget_without_ipywidgets_says_which_extra_in_one_line(ip, journal, monkeypatch):
    for name in [m for m in sys.modules if m == "ipywidgets" or m.startswith(("ipywidgets.", "jupyter_expjournal.widgets"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # what a plain `pip install jupyter_expjournal` has
    with pytest.raises(UsageError) as refused:
        ip.run_line_magic("review", "--widget")
    assert str(refused.value) == INSTALL_HINT
    assert "pip install 'jupyter_expjournal[widgets]'" in INSTALL_HINT and "\n" not in INSTALL_HINT
    with pytest.raises(ModuleNotFoundError) as imported:  # from Python: still an ImportError, with the hint
        import jupyter_expjournal.widgets  # noqa: F401
    assert type(imported.value).__name__ == WidgetsMissing.__name__ and imported.value.name == "ipywidgets"


def test_the_review_tab_shows_the_analysis_plots_when_opened(make_panel, journal):
    pytest.importorskip("matplotlib")
    two_runs(journal)
    panel = make_panel(poll_seconds=0)
    panel.refresh(force=True)
    assert "<img" not in panel.review.value and "Analysis of 2 experiments" in panel.review.value  # drawn later
    panel.tabs.selected_index = TAB_REVIEW
    assert panel.review.value.count("<img alt=") == 2 and "data:image/png;base64," in panel.review.value
    assert "accuracy over experiments" in panel.review.value


def test_the_journal_tab_counts_one_entry_as_one_entry(make_panel, journal):
    journal.hypothesize(parse_body("alone", "h"), force=True)
    panel = make_panel(poll_seconds=0)
    assert panel.count.value == "1 entry, newest first, open ones on top"
    panel.filter.value = "alone"
    assert panel.count.value == "1 of 1 entry matches"
    panel.filter.value = "nothing like it"
    assert panel.count.value == "0 of 1 entry match"


def test_the_hint_names_an_extra_that_brings_ipywidgets_without_the_versions_that_draw_nothing():
    """The extra the hint names is the one pyproject.toml declares, and it leaves out every ipywidgets version
    a front end is known to draw blank (fallback.BLANK_VIEWS), with the issue cited beside it."""
    import re
    from pathlib import Path

    from packaging.requirements import Requirement

    tomllib = pytest.importorskip("tomllib" if sys.version_info >= (3, 11) else "tomli")

    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    extras = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    (extra,) = re.findall(r"jupyter_expjournal\[(\w+)\]", INSTALL_HINT)
    (widgets,) = [Requirement(r) for r in extras[extra] if Requirement(r).name == "ipywidgets"]
    assert widgets.specifier.contains("8.1.8") and widgets.specifier.contains("8.2.0")
    for (_, version), issue in fallback.BLANK_VIEWS.items():
        assert not widgets.specifier.contains(version)
        assert issue in pyproject.read_text(encoding="utf-8")
