"""The Result tab: complete an open experiment with the previous cell's outputs, abandon it, or log a run after the fact.

Attaching goes through the kernel's session, the same recorder and timing as
``%result``: the outputs become the outcome by the core's rule, and Duration
and Provenance are recorded alike. The tab names the cell it will attach, and
picks the open experiment this kernel opened (any other can be chosen).

A sweep completes the same way, through the session that draws its curve: the
table of value → metrics comes from the cell's outputs or value, or from a CSV
file named under ``table`` (``%result --table FILE``), checked against the
sweep by the core's rule (:func:`~jupyter_expjournal.core.sweep_result.table_rows`).
"""

from __future__ import annotations

import ipywidgets as W

import jupyter_expjournal.render as render

from ..core.identity import ref
from ..core.model import Entry, Logged, Outcome
from ..core.outcome import cell_source
from .common import left, plain, text_field, wide
from .words import WORDS

NOTHING_OPEN = "no open experiment"


class ResultTab:
    """The result of an experiment: the target, what is attached, learning and next, and the three ways to close."""

    def __init__(self, session) -> None:
        self.session = session
        self.target = W.Dropdown(
            options=[(NOTHING_OPEN, "")],
            value="",
            description="experiment",
            layout=wide(),
            style={"description_width": "90px"},
        )
        self.attach_source = W.HTML("", layout=wide())
        self.learning = text_field("learning", "one sentence: what this taught you")
        self.next = text_field("next", "what to try based on this result")
        self.table = text_field(
            "table",
            "sweep.csv: a sweep's results (empty: from the cell)",
            tooltip="a CSV file: a column for the key swept, one per metric (as %result --table FILE)",
        )
        self.attach = W.Button(
            description="Attach previous cell's outputs",
            button_style="success",
            icon="paperclip",
            tooltip="complete the experiment with the outputs of the last cell run",
            layout=left(),
        )
        self.abandon_reason = text_field("reason", "why it is abandoned (a data leak in the split, ...)")
        self.abandon = W.Button(description="Abandon", button_style="danger", icon="ban", layout=left())
        self.retro_name = text_field("name", "a run that had no hypothesis")
        self.retro = W.Button(
            description="After the fact",
            icon="history",
            tooltip="log the last cell's outputs as a run with no hypothesis, marked retrospective",
            layout=left(),
        )
        self.widget = W.VBox(
            [
                self.target,
                self.attach_source,
                self.learning,
                self.next,
                self.table,
                self.attach,
                W.HTML("<hr style='margin:.6em 0'>"),
                self.abandon_reason,
                self.abandon,
                W.HTML("<hr style='margin:.6em 0'>"),
                W.HTML("<div style='opacity:.7;line-height:1.4'>no hypothesis was logged: record the run after the fact</div>"),
                self.retro_name,
                self.retro,
            ],
            layout=wide(),
        )

    # -- what the tab shows ------------------------------------------------------------

    def show_open(self, open_entries: list[Entry]) -> None:
        """Offer the open experiments, keeping the one chosen, else this kernel's, else the newest."""
        if not open_entries:
            self.target.options = [(NOTHING_OPEN, "")]
            self.target.value = ""
            self.target.disabled = True
            return
        current = self.target.value
        mine = self.session.preferred()
        # chosen by ref (the id): two open entries may share a name, and a heading
        options = [(f"{e.name} ({e.timestamp}{', id ' + e.id if e.id else ''})", ref(e)) for e in reversed(open_entries)]
        names = [value for _, value in options]
        default = mine if mine in names else names[0]
        self.target.options = options
        self.target.value = current if current in names else default
        self.target.disabled = False

    def show_source(self) -> None:
        """Name the cell whose outputs ``Attach`` takes."""
        record = self.session.recorder.previous()
        if record is None:
            text = "attaches: nothing yet (run the experiment in a cell first)"
        else:
            prompt = cell_source(record.prompt, "the last cell run")
            first = next((line for line in record.source.splitlines() if line.strip()), "")
            if first:
                text = f"attaches: {prompt}: {render.first_line(first, 70)}"
            else:  # its code unknown (Colab's older pre_run_cell has no ExecutionInfo): named by what it printed
                shown = next((line for line in record.text().splitlines() if line.strip()), "")
                text = f"attaches: {prompt}" + (f" (its output: {render.first_line(shown, 70)})" if shown else "")
        self.attach_source.value = plain(text)

    # -- the actions: each returns the message to show, or raises JournalError having written nothing --

    def complete(self) -> str:
        outcome = Outcome(learning=self.learning.value.strip(), next=self.next.value.strip())
        name = self.target.value or None
        table = self.sweep_table(name)
        logged = self.session.complete(outcome, self.session.record(), name=name, table=table)
        self.learning.value = self.next.value = self.table.value = ""
        return self._done(logged, logged.entry.status)

    def sweep_table(self, name: str | None) -> list[dict] | None:
        """The rows of the CSV file under ``table`` (None when empty), checked against the entry's sweep."""
        path = self.table.value.strip()
        if not path:
            return None
        return self.session.table_file(path, name, f"table {path}")

    def close_abandoned(self) -> str:
        reason = self.abandon_reason.value
        logged = self.session.abandon(reason, name=self.target.value or None, learning=self.learning.value.strip())
        self.abandon_reason.value = self.learning.value = self.next.value = ""
        return f"'{logged.entry.name}' ABANDONED: {render.first_line(reason, 160)}"

    def log_retro(self) -> str:
        outcome = Outcome(learning=self.learning.value.strip(), next=self.next.value.strip())
        logged = self.session.retro(self.retro_name.value, outcome, self.session.record())
        self.retro_name.value = self.learning.value = self.next.value = ""
        return self._done(logged, f"{logged.entry.status} after the fact")

    def _done(self, logged: Logged, what: str) -> str:
        done = logged.entry
        lines = [f"'{done.name}' {what}: {render.first_line(done.delta, 200)}"]
        lines += [f"saved {p.name}" for p in logged.assets]
        lines += [f"! {r.words(WORDS)}" for r in self.session.journal().reminders()]
        return "\n".join(lines)
