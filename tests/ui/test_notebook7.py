"""The sidebar in a real Notebook 7 (the same server and the same prebuilt extension as JupyterLab):
opened from the View menu, following the notebook, the magics and the cell toolbar's attach."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .lab import SIDEBAR

pytest.importorskip("notebook", minversion="7", reason="pip install '.[test]' brings Notebook 7")

HYPOTHESIS = """%%hypothesis SVC C=10
A larger C fits the digits more tightly.
change: C 1 → 10
expected: accuracy +0.005
baseline: accuracy = 0.9833"""


def test_notebook7_sidebar_from_the_view_menu(lab):
    path = lab.notebook("nb7.ipynb", "%load_ext jupyter_expjournal", HYPOTHESIS, 'print("accuracy = 0.9889")')
    page = lab.page
    page.goto(f"{lab.server['url']}/notebooks/{path}?token={lab.server['token']}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
    assert page.locator(".jp-LabShell").count() == 0, "Notebook 7's own shell, not JupyterLab's"
    sidebar = page.locator(SIDEBAR)
    expect(sidebar).to_be_hidden()  # Notebook 7's left sidebar is hidden at first
    # As the README says: View → Left Sidebar → Show Experiment journal.
    page.get_by_role("menuitem", name="View").click()
    page.locator(".lm-Menu-item", has_text="Left Sidebar").hover()
    page.locator(".lm-Menu-item", has_text="Show Experiment journal").click()
    expect(sidebar).to_be_visible()
    expect(sidebar.locator(".jp-ExpJournal-where")).to_have_text(f"{lab.rel}/experiments/journal.md", timeout=15_000)

    for i in range(3):
        lab.run_cell(i)
        lab.wait_cell_done(i)
    entry = lab.entry("SVC C=10")
    expect(entry.locator(".jp-ExpJournal-badge")).to_have_text("PLANNED", timeout=15_000)
    assert "**Status**: PLANNED" in lab.journal_text()
    # One click on the cell's toolbar button attaches its outputs, as in JupyterLab.
    lab.cell(2).locator(".jp-InputPrompt").click()
    lab.cell(2).locator(".jp-cell-toolbar [data-command='expjournal:attach-cell']").click()
    text = lab.wait_for_file(lambda t: "**Status**: COMPLETED" in t)
    assert "accuracy = 0.9889" in text and "Output of cell [3]:" in text
    expect(entry.locator(".jp-ExpJournal-badge")).to_have_text("COMPLETED")
    toast = page.locator(".Toastify__toast", has_text="'SVC C=10' COMPLETED")
    expect(toast.get_by_role("button", name="Add learning / next")).to_be_visible()
    assert not lab.dialogs, lab.dialogs


def test_notebook7_details_open_the_notebook_at_its_cell(lab):
    """In Notebook 7 a notebook opens in a page of its own: the entry's Provenance cell is the active
    one there, scrolled to, as in JupyterLab's tab (issue 13, point 5)."""
    import nbformat
    from testkit import png

    from .test_sidebar import HELD

    (lab.folder / "experiments" / "assets").mkdir()
    (lab.folder / "experiments" / "assets" / "fig.png").write_bytes(png())
    lab.notebook("held.ipynb", *[f"x{i} = {i}" + "\n" * 8 for i in range(30)])
    cell = nbformat.read(lab.folder / "held.ipynb", as_version=4).cells[24].id
    lab.journal.write_text(HELD.format(rel=lab.rel, cell=cell), encoding="utf-8")
    lab.open_notebook7(lab.notebook("other.ipynb", "y = 1"))
    lab.show_in_notebook7()
    card = lab.entry("SVC C=10 with a fairly long name that has to wrap")
    card.locator("summary", has_text="Details").click()
    with lab.page.context.expect_page() as opened:
        card.get_by_role("button", name="Open held.ipynb at its cell").click()
    page = opened.value
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
    assert f"/notebooks/{lab.rel}/held.ipynb" in page.url, page.url
    active = page.locator(".jp-Notebook .jp-Cell.jp-mod-active")
    expect(active).to_contain_text("x24 = 24", timeout=15_000)
    expect(active).to_be_in_viewport()
    # A figure opens in Notebook 7's own viewer page (the app's way to a file), not as a raw file.
    with lab.page.context.expect_page() as opened:
        card.locator(".jp-ExpJournal-fields .jp-ExpJournal-thumb").click()
    viewer = opened.value
    viewer.wait_for_load_state()
    assert f"/edit/{lab.rel}/experiments/assets/fig.png" in viewer.url, viewer.url
    expect(viewer.locator(".jp-ImageViewer img")).to_be_visible(timeout=30_000)
    assert not lab.dialogs, lab.dialogs


def test_notebook7_actions_answer_in_place_and_its_editors_follow_the_files(lab):
    """Notebook 7, the sidebar hidden: an attach with nothing open explains in a dialog whose New
    hypothesis opens the form (the sidebar shown); Alt+Shift+R asks the learning first; an editor page
    on journal.md or lessons.md reloads when the tools write it, and warns when it holds unsaved edits."""
    page = lab.page
    lab.open_notebook7(lab.notebook("act.ipynb", 'print("accuracy = 0.98")'))
    lab.run_cell(0)
    lab.wait_cell_done(0)
    lab.cell(0).locator(".jp-InputPrompt").click()
    lab.cell(0).locator(".jp-cell-toolbar [data-command='expjournal:attach-cell']").click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_contain_text("no open experiment to attach cell [1]'s outputs to")
    dialog.get_by_role("button", name="New hypothesis").click()
    form = page.get_by_role("form", name="New hypothesis")
    expect(form).to_be_visible()
    expect(form.locator("#jp-ExpJournal-why")).to_have_text("Give a name and the hypothesis to log it.")
    form.get_by_label("Name", exact=True).fill("SVC C=100")
    form.get_by_label("Hypothesis", exact=True).fill("Tighter still.")
    form.get_by_label("Baseline").fill("accuracy = 0.975")
    form.get_by_role("button", name="Log hypothesis").click()
    expect(lab.entry("SVC C=100")).to_be_visible()
    lab.cell(0).locator(".jp-InputPrompt").click()
    page.keyboard.press("Alt+Shift+R")
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_contain_text("cell [1]: 1 output → 'SVC C=100'")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)

    for name, write, written in (
        ("lessons.md", lambda: lab.api("lesson", {"text": "check a batch by eye"}), "check a batch by eye"),
        ("journal.md", lambda: lab.api("abandon", {"name": "SVC C=100", "reason": "wrong split"}), "wrong split"),
    ):
        if name == "lessons.md":
            (lab.folder / "experiments" / "lessons.md").write_text("## Lessons\n", encoding="utf-8")
        editor_page = page.context.new_page()
        editor_page.goto(f"{lab.server['url']}/edit/{lab.rel}/experiments/{name}?token={lab.server['token']}")
        editor = editor_page.locator(".jp-FileEditor .cm-content")
        editor.wait_for(timeout=60_000)
        write()
        expect(editor).to_contain_text(written, timeout=10_000)  # not dirty: it reloads
        editor.click()
        editor_page.keyboard.press("Control+End")
        editor_page.keyboard.type("\nmy unsaved note\n")
        lab.api("lesson", {"text": "one more lesson"}) if name == "lessons.md" else lab.api(
            "hypothesis", {"name": "SVC C=1000", "hypothesis": "Tighter.", "baseline": "accuracy = 0.9"}
        )
        told = editor_page.locator(".jp-Dialog", has_text=f"{name} was changed by the journal tools")
        expect(told).to_be_visible(timeout=10_000)
        expect(told).to_contain_text("Saving now would overwrite what they wrote")
        told.get_by_role("button", name="Reload from disk").click()
        expect(editor).not_to_contain_text("my unsaved note")
        editor_page.close()
    assert not lab.dialogs, lab.dialogs
