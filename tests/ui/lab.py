"""Driving JupyterLab and the journal sidebar the way a person does: clicks, typing, Shift+Enter."""

from __future__ import annotations

import json
import time
from pathlib import Path

import nbformat

SIDEBAR = "#expjournal-sidebar"
TAB = '.jp-SideBar [data-id="expjournal-sidebar"]'


class Lab:
    def __init__(self, page, server: dict, folder: Path) -> None:
        self.page = page
        self.server = server
        self.folder = folder
        self.rel = folder.relative_to(server["root"]).as_posix()
        self.dialogs: list[str] = []
        page.on("dialog", self._on_dialog)
        self.console_errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))

    def _on_dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    # -- files -----------------------------------------------------------------

    @property
    def journal(self) -> Path:
        return self.folder / "experiments" / "journal.md"

    def journal_text(self) -> str:
        return self.journal.read_text(encoding="utf-8") if self.journal.exists() else ""

    def notebook(self, name: str, *sources: str) -> str:
        """Write a notebook of code cells into this test's folder; its server path."""
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.cells = [nbformat.v4.new_code_cell(src) for src in (sources or [""])]
        nbformat.write(nb, self.folder / name)
        return f"{self.rel}/{name}"

    def wait_for_file(self, predicate, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.journal_text()
            if predicate(text):
                return text
            time.sleep(0.1)
        raise AssertionError(f"journal.md never matched; it reads:\n{self.journal_text()}")

    # -- the page ----------------------------------------------------------------

    def open(self, path: str | None = None) -> None:
        """JupyterLab on a file (a notebook) or a folder (the file browser), layout reset."""
        url = f"{self.server['url']}/lab/tree/{path or self.rel}?reset&token={self.server['token']}"
        self.page.goto(url)
        self.page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=60_000)
        self.page.wait_for_selector(TAB, timeout=30_000)
        if path and path.endswith(".ipynb"):
            self.page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=30_000)
            self.wait_kernel_idle()

    def open_notebook7(self, path: str) -> None:
        """Notebook 7's page of a notebook (not JupyterLab's shell), its left sidebar hidden at first."""
        self.page.goto(f"{self.server['url']}/notebooks/{path}?token={self.server['token']}")
        self.page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
        assert self.page.locator(".jp-LabShell").count() == 0, "Notebook 7's own shell, not JupyterLab's"
        # Its kernel started and idle (the toolbar's indicator): a Shift+Enter before it is lost.
        self.page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)

    def show_in_notebook7(self):
        """Open the sidebar as the README says: View → Left Sidebar → Show Experiment journal."""
        self.page.get_by_role("menuitem", name="View").click()
        self.page.locator(".lm-Menu-item", has_text="Left Sidebar").hover()
        self.page.locator(".lm-Menu-item", has_text="Show Experiment journal").click()
        panel = self.page.locator(SIDEBAR)
        panel.wait_for(state="visible")
        panel.locator(".jp-ExpJournal-where").filter(has_text=f"{self.rel}/experiments/journal.md").wait_for(
            timeout=15_000
        )
        return panel

    def wait_kernel_idle(self, timeout: float = 60_000) -> None:
        """Until the current notebook's kernel is connected and idle (the toolbar says idle earlier)."""
        self.page.wait_for_function(
            """() => {
                const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
                const kernel = panel && panel.sessionContext && panel.sessionContext.session
                    && panel.sessionContext.session.kernel;
                return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
            }""",
            timeout=timeout,
        )

    def sidebar(self):
        """Show the journal sidebar (one click on its tab) and return it."""
        panel = self.page.locator(SIDEBAR)
        if not panel.is_visible():
            self.page.locator(TAB).click()
        panel.wait_for(state="visible")
        # The panel follows the notebook (or file browser) folder once the layout is restored.
        where = panel.locator(".jp-ExpJournal-where")
        where.filter(has_text=f"{self.rel}/experiments/journal.md").wait_for(timeout=15_000)
        return panel

    def entry(self, name: str):
        """The sidebar's card of the entry named exactly ``name``."""
        return self.page.locator(SIDEBAR).get_by_role("article", name=name, exact=True)

    def cell(self, index: int):
        return self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell").nth(index)

    def run_cell(self, index: int, text: str | None = None) -> None:
        """Click into cell ``index``, optionally type ``text`` in it, and press Shift+Enter."""
        editor = self.cell(index).locator(".cm-content")
        editor.click()
        if text is not None:
            self.page.keyboard.press("Control+A")
            self.page.keyboard.press("Delete")
            # insert_text types the whole text as one input: no auto-indent or bracket closing.
            self.page.keyboard.insert_text(text)
        self.page.keyboard.press("Shift+Enter")

    def wait_cell_done(self, index: int, timeout: float = 60_000) -> None:
        """Until the cell's prompt shows an execution count (not ``[*]``)."""
        self.cell(index).locator(".jp-InputPrompt").filter(has_text="[").first.wait_for(timeout=timeout)
        self.page.wait_for_function(
            """(i) => {
                const cells = document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell');
                const p = cells[i] && cells[i].querySelector('.jp-InputPrompt');
                return p && /\\[\\d+\\]/.test(p.textContent);
            }""",
            arg=index,
            timeout=timeout,
        )

    def cell_outputs(self, index: int) -> list[dict]:
        """The outputs of cell ``index`` of the current notebook, as the notebook stores them (nbformat 4)."""
        return self.page.evaluate(
            "(i) => window.jupyterapp.shell.currentWidget.content.widgets[i].model.outputs.toJSON()", index
        )

    def api(self, route: str, body: dict) -> dict:
        """POST to the journal API with the token (a write 'by the kernel' or another client)."""
        import urllib.request

        req = urllib.request.Request(
            f"{self.server['url']}/expjournal/api/{route}",
            data=json.dumps({"path": self.rel, **body}).encode(),
            headers={"Authorization": f"token {self.server['token']}", "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read())
