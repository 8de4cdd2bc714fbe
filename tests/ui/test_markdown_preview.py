"""journal.md in JupyterLab's own Markdown preview (real Chromium): the demo's journal, and every older shape.

The demo notebook is executed in a real kernel, as ``make demo`` does; its
journal is opened with JupyterLab's "Markdown Preview" and the rendered page is
asked what a reader sees: every field its own paragraph, none inside a list
item, the output as code, the figure loaded, each entry a heading. Then the
editor beside the preview, for the README (docs/journal-rendered.png, replaced
only when missing or with EXPJOURNAL_UPDATE_DOCS=1; the shots are saved under
tests/ui/artifacts/ on every run).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nbclient
import nbformat
import pytest
from rendering_support import assert_fields_render_apart

from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.journal_format import parse_journal
from jupyter_expjournal.core.model import Outcome

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DOCS = ROOT / "docs" / "journal-rendered.png"
PREVIEW = ".jp-MarkdownViewer .jp-RenderedMarkdown"

#: What the page shows of each ``<strong>Name</strong>:``: its name, the tag of its block, whether it starts
#: the block, whether a list item holds it, whether the block sits at the top of the rendered page.
FIELDS_JS = """(root) => [...root.querySelectorAll('strong')]
    .filter((s) => s.nextSibling && s.nextSibling.nodeType === 3 && s.nextSibling.textContent.startsWith(':'))
    .map((s) => ({
        name: s.textContent,
        block: s.parentElement.tagName,
        first: s.parentElement.firstChild === s,
        inItem: !!s.closest('li'),
        top: s.parentElement.parentElement === root,
    }))"""


def demo_journal(folder: Path, monkeypatch) -> Path:
    """notebooks/01-quickstart.ipynb executed in a real kernel, its journal in ``folder``/experiments."""
    monkeypatch.setenv("EXPJOURNAL_DIR", str(folder / "experiments"))
    nb = nbformat.read(ROOT / "notebooks" / "01-quickstart.ipynb", as_version=4)
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    return folder / "experiments" / "journal.md"


def open_preview(lab, path: str, **options) -> None:
    lab.page.evaluate(
        "([path, options]) => window.jupyterapp.commands.execute('docmanager:open', "
        "{path, factory: 'Markdown Preview', options})",
        [path, options],
    )
    lab.page.wait_for_selector(f"{PREVIEW} h3", timeout=30_000)


def shown_fields(lab) -> list[dict]:
    return lab.page.locator(PREVIEW).first.evaluate(FIELDS_JS)


def wait_images(lab) -> int:
    images = lab.page.locator(f"{PREVIEW} img")
    for i in range(images.count()):
        images.nth(i).scroll_into_view_if_needed()
        lab.page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=images.nth(i).element_handle(),
                                   timeout=15_000)
    return images.count()


def test_the_demo_journal_renders_every_field_apart_in_jupyterlabs_preview(lab, monkeypatch):
    journal = demo_journal(lab.folder, monkeypatch)
    text = journal.read_text(encoding="utf-8")
    entries = parse_journal(text)
    assert len(entries) >= 2 and all(e.status == "COMPLETED" for e in entries)
    names = [name for e in entries for name in e.fields]
    assert_fields_render_apart(text, names)  # markdown-it-py (GitHub's CommonMark + GFM) agrees, below: JupyterLab's

    lab.open()
    open_preview(lab, f"{lab.rel}/experiments/journal.md")
    preview = lab.page.locator(PREVIEW).first
    shown = shown_fields(lab)
    assert [s["name"] for s in shown] == names
    for s in shown:
        assert s == {"name": s["name"], "block": "P", "first": True, "inItem": False, "top": True}, s
    headings = preview.locator("h3").all_inner_texts()
    assert [h.strip() for h in headings] == [e.heading for e in entries]
    assert preview.locator("pre code").count() == sum("```text" in e.actual for e in entries)
    assert wait_images(lab) == sum(len(e.images) for e in entries) >= 1
    config_items = preview.locator("li").all_inner_texts()
    assert config_items[:3] == ["C: 1 → 10", "kernel: rbf (unchanged)", "gamma: scale (unchanged)"]

    ARTIFACTS.mkdir(exist_ok=True)
    preview.screenshot(path=str(ARTIFACTS / "markdown-preview.png"))

    # The README's picture: the raw text in JupyterLab's editor, its preview beside it.
    lab.page.set_viewport_size({"width": 1500, "height": 1240})
    lab.page.evaluate("() => window.jupyterapp.commands.execute('application:close-all')")
    lab.page.evaluate(
        "(path) => window.jupyterapp.commands.execute('docmanager:open', {path, factory: 'Editor'})",
        f"{lab.rel}/experiments/journal.md",
    )
    lab.page.wait_for_selector(".jp-FileEditor .cm-content", timeout=30_000)
    open_preview(lab, f"{lab.rel}/experiments/journal.md", mode="split-right")
    wait_images(lab)
    lab.page.evaluate("""() => {
        window.jupyterapp.shell.collapseLeft();
        for (const w of [...window.jupyterapp.shell.widgets('main')]) if (w.id.startsWith('launcher')) w.close();
    }""")
    lab.page.wait_for_timeout(500)
    shot = ARTIFACTS / "journal-rendered.png"
    lab.page.locator("#jp-main-dock-panel").screenshot(path=str(shot))
    if not DOCS.exists() or os.environ.get("EXPJOURNAL_UPDATE_DOCS") == "1":
        shutil.copyfile(shot, DOCS)


COMPACT = """# Experiment journal

### 2026-11-25 14:03 — written by an earlier version
**Status**: PLANNED
**Hypothesis**: Higher rank captures more task-specific features.
**Change**: lora_r 32 → 64
**Config**:
- lora_r: 32 → 64
- lora_alpha: 64 (unchanged)
  **Expected outcome**: eval_acc +0.02
**Baseline**: eval_acc = 0.78
"""


def test_an_older_journal_renders_apart_once_formatted_and_a_result_renders_apart_before(lab):
    folder = lab.folder / "experiments"
    (folder / "journal.md").write_text(COMPACT, encoding="utf-8")
    journal = Journal(folder)
    journal.complete(Outcome(summary="eval_acc = 0.81", output="eval_acc = 0.81\n", source="cell [3]", learning="rank helps"))
    lab.open()
    open_preview(lab, f"{lab.rel}/experiments/journal.md")
    shown = {s["name"]: s for s in shown_fields(lab)}
    for name in ("Actual outcome", "Delta", "Learning"):  # spliced into the old entry: apart already
        assert shown[name]["block"] == "P" and shown[name]["first"] and not shown[name]["inItem"], shown[name]
    assert shown["Expected outcome"]["inItem"]  # the old bytes, not rewritten behind the user's back

    from jupyter_expjournal.cli import main

    assert main(["--dir", str(folder), "format"]) == 0
    lab.page.evaluate("() => window.jupyterapp.commands.execute('application:close-all')")
    open_preview(lab, f"{lab.rel}/experiments/journal.md")
    shown = shown_fields(lab)
    assert [s["name"] for s in shown] == list(journal.entries()[0].fields)
    assert all(s["block"] == "P" and s["first"] and s["top"] and not s["inItem"] for s in shown), shown
    assert lab.page.locator(f"{PREVIEW} pre code").count() == 1


@pytest.fixture(autouse=True)
def _no_journal_env(monkeypatch):
    monkeypatch.delenv("EXPJOURNAL_DIR", raising=False)
