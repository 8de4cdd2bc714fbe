"""What ``%review --widget`` sends a front end, read off a real kernel's iopub channel (issue 13, point 8).

The display_data message of the panel carries the widget view and, for front ends
that cannot draw it, the review as text/plain and text/html; in VS Code with
ipywidgets 8.1.9 (which draws no widget, microsoft/vscode-jupyter#17504) the
review comes first as an output of its own. Without ipywidgets the magic answers
with one line naming the extra, not a ModuleNotFoundError traceback.
"""

from __future__ import annotations

import pytest

pytest.importorskip("jupyter_client")
pytest.importorskip("ipywidgets")

from live_kernel import Kernels, messages, without_vscode  # noqa: E402

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
JOURNAL = """### 2026-11-24 09:40 — SVC C=10
**Status**: COMPLETED
**Hypothesis**: A larger C fits tighter.
**Change**: C 1 → 10
**Baseline**: accuracy = 0.9833
**Actual outcome**: accuracy = 0.9889
"""


@pytest.fixture
def kernel(venv_kernelspec, tmp_path):
    (tmp_path / "experiments").mkdir()
    (tmp_path / "experiments" / "journal.md").write_text(JOURNAL, encoding="utf-8")
    kernels = Kernels(tmp_path)
    yield kernels.start
    kernels.close()


def test_the_panels_display_data_carries_the_view_and_the_review(kernel):
    client = kernel(**without_vscode())
    shown = [m for m in messages(client, "%review --widget") if m["msg_type"] == "display_data"]
    (panel,) = shown
    data = panel["content"]["data"]
    assert set(data) == {WIDGET_VIEW, "text/plain", "text/html"}
    assert data[WIDGET_VIEW]["model_id"] and data[WIDGET_VIEW]["version_major"] == 2
    assert "<b>SVC C=10</b>" in data["text/html"] and "(1 entry: 1 completed)" in data["text/html"]
    assert "SVC C=10" in data["text/plain"] and "VBox(" not in data["text/plain"]


@pytest.mark.parametrize("known_by", ["environment", "namespace"])
def test_vs_code_with_ipywidgets_8_1_9_gets_the_review_as_its_own_output(kernel, known_by):
    # a kernel VS Code started has its variables; one on a Jupyter server has VS Code's __vsc_ipynb_file__
    client = kernel(**without_vscode(), VSCODE_PID="4242") if known_by == "environment" else kernel(**without_vscode())
    if known_by == "namespace":
        messages(client, "__vsc_ipynb_file__ = '/work/panel.ipynb'")
    messages(client, "import ipywidgets; ipywidgets.__version__ = '8.1.9'")  # the version VS Code cannot draw
    alone, panel = [m["content"]["data"] for m in messages(client, "%review --widget") if m["msg_type"] == "display_data"]
    assert WIDGET_VIEW not in alone and WIDGET_VIEW in panel
    assert "microsoft/vscode-jupyter#17504" in alone["text/html"] and "<b>SVC C=10</b>" in alone["text/html"]
    assert alone["text/plain"].startswith("VS Code draws no widget with ipywidgets 8.1.9")


def test_without_ipywidgets_the_magic_names_the_extra_in_one_line(kernel):
    client = kernel(**without_vscode())
    messages(client, "import sys; sys.modules['ipywidgets'] = None")  # as after a plain `pip install jupyter_expjournal`
    got = messages(client, "%review --widget", status="error")  # a UsageError: one line, no traceback
    text = "".join(m["content"].get("text", "") + "".join(m["content"].get("traceback", [])) for m in got)
    assert text.strip() == ("UsageError: the panel needs ipywidgets, an extra: "
                            "pip install 'jupyter_expjournal[widgets]', then restart the kernel")


def test_a_notebook_exported_to_html_without_widget_state_shows_the_review(venv_kernelspec, tmp_path):
    """nbconvert (as GitHub and nbviewer do) draws a widget only from widget state saved in the notebook, which
    JupyterLab does not save by default: the panel's output is then its review, as text/html."""
    nbclient = pytest.importorskip("nbclient")
    nbconvert = pytest.importorskip("nbconvert")
    import nbformat

    (tmp_path / "experiments").mkdir()
    (tmp_path / "experiments" / "journal.md").write_text(JOURNAL, encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(f"%load_ext jupyter_expjournal\n%journal --dir {tmp_path / 'experiments'}"),
                nbformat.v4.new_code_cell("%review --widget")]
    client = nbclient.NotebookClient(nb, timeout=60, kernel_name="python3", store_widget_state=False,
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute(env=without_vscode())
    html, _ = nbconvert.HTMLExporter(template_name="lab").from_notebook_node(nb)
    shown = html[html.rindex("jp-OutputArea-output"):]
    assert 'data-mime-type="text/html"' in shown[:200] and "The journal panel (ipywidgets) is not drawn here" in shown
    assert "<b>SVC C=10</b>" in shown and "(1 entry: 1 completed)" in shown
