"""The Hypothesis tab: the form that logs a hypothesis, with the gates shown live under it.

Each keystroke runs the core's gates on the form as it is (``Journal.check``,
against the cached parse: no file read, nothing written), so the refusals and
warnings ``Log hypothesis`` would meet are in sight before it is clicked. The
config rows are read by the core's one rule (:func:`~jupyter_expjournal.core.draft.config_rows`),
the same as the sidebar's and the REST API's.

The ``sweep`` field plans a one-variable sweep: it holds what ``%%hypothesis
--sweep`` takes (``gamma = 0.001, 0.01, 0.1``, or only ``gamma`` when its config
row lists the values), and the core's :func:`~jupyter_expjournal.core.sweep.plan_sweep`
makes the draft of it, as for the magic: the gates see the sweep's row, a bad
sweep is the core's one message under the form and nothing is written.
"""

from __future__ import annotations

import ipywidgets as W

import jupyter_expjournal.render as render

from ..core.config import ABSENT, ConfigItem
from ..core.draft import config_rows
from ..core.errors import JournalError
from ..core.model import Draft
from ..core.sweep import plan_sweep, planned
from .common import NO_MATH, WRAP, close_tree, fitting, inert, left, share, text_field, wide
from .words import WORDS

#: A gate line's colour, by its first character: refused, warned, passed, a rule.
GATE_COLORS = {"✖": "#cf222e", "⚠": "#b26b00", "✓": "#1a7f37", "r": "#0969da"}


class ConfigRow:
    """One config row: key, old, new, and a button removing the row (read by the core's rule)."""

    def __init__(self, on_change, on_remove) -> None:
        self.key = W.Text(placeholder="key", layout=share())
        self.old = W.Text(
            placeholder="old (or value)",
            layout=share(),
            tooltip=f"empty or {ABSENT}: the key was absent (it is added)",
        )
        self.new = W.Text(
            placeholder="new (empty: unchanged)",
            layout=share(),
            tooltip=f"empty: unchanged at old; {ABSENT}: the key is removed",
        )
        self.remove = W.Button(icon="times", tooltip="remove this row", layout=W.Layout(width="36px", flex="0 0 auto"))
        self.widget = W.HBox([self.key, self.old, self.new, self.remove], layout=wide())
        for w in (self.key, self.old, self.new):
            w.observe(on_change, "value")
        self.remove.on_click(lambda _: on_remove(self))

    @property
    def values(self) -> tuple[str, str, str]:
        return self.key.value.strip(), self.old.value.strip(), self.new.value.strip()


def marked(gate_line: str) -> str:
    """A line of :func:`render.gate_lines` with the panel's mark: ⚠ for a warning, where text faces write !."""
    return "⚠ " + gate_line[2:] if gate_line.startswith("! ") else gate_line


class HypothesisForm:
    """The form logging a hypothesis through the kernel's session, with the gates shown live under it.

    ``on_change`` is called at each change of a field (the panel redraws the gates under its lock).
    """

    def __init__(self, session, on_change) -> None:
        self.session = session
        self._on_change = on_change
        self.name = text_field("name", "SVC C=10")
        self.hypothesis = W.Textarea(
            description="hypothesis",
            placeholder="What you expect to happen, and why.",
            rows=3,
            layout=wide(),
            style={"description_width": "90px"},
        )
        self.change = text_field("change", "C 1 → 10 (empty: from the config rows)")
        self.expected = text_field("expected", "accuracy +0.01")
        self.baseline = text_field("baseline", "accuracy = 0.95")
        self.rows: list[ConfigRow] = []
        self.rows_box = W.VBox([], layout=wide())
        self.add_row = W.Button(description="add row", icon="plus", tooltip="add a config row", layout=left())
        self.add_row.on_click(lambda _: self.new_row())
        self.sweep = text_field(
            "sweep",
            "gamma = 0.001, 0.01, 0.1 (empty: no sweep)",
            tooltip="a one-variable sweep: the key and the values it takes, fixed before the runs "
            "(only the key when its config row lists them: old → [v1, v2])",
        )
        # A checkbox's label is one line: in a narrow panel it is cut with an ellipsis (the whole in its tooltip).
        parallel = "parallel (open even though another is PLANNED)"
        self.parallel = W.Checkbox(False, description=parallel, tooltip=parallel, indent=False, layout=fitting())
        force = "force (strict mode: log anyway)"
        self.force = W.Checkbox(  # shown in strict mode only
            False, description=force, tooltip=force, indent=False, layout=fitting(display="none")
        )
        self.submit = W.Button(description="Log hypothesis", button_style="primary", icon="pencil", layout=left())
        self.gates = W.HTML("", layout=wide())
        fields = (self.name, self.hypothesis, self.change, self.sweep, self.expected, self.baseline)
        for w in (*fields, self.parallel, self.force):
            w.observe(on_change, "value")
        self.new_row()
        config_label = W.HTML(
            "<div style='opacity:.7;line-height:1.4'>"
            f"config: key, old → new · new empty: unchanged · {ABSENT}: absent on that side</div>"
        )
        self.widget = W.VBox(
            [
                self.name,
                self.hypothesis,
                self.change,
                config_label,
                self.rows_box,
                self.add_row,
                self.sweep,
                self.expected,
                self.baseline,
                W.HBox([self.parallel, self.force], layout=wide(flex_flow="row wrap")),
                self.submit,
                self.gates,
            ],
            layout=wide(),
        )

    # -- the config rows -------------------------------------------------------------

    def new_row(self, key: str = "", old: str = "", new: str = "") -> ConfigRow:
        row = ConfigRow(self._on_change, self.remove_row)
        row.key.value, row.old.value, row.new.value = key, old, new
        self.rows.append(row)
        self.rows_box.children = [r.widget for r in self.rows]
        self._on_change(None)
        return row

    def remove_row(self, row: ConfigRow) -> None:
        if row in self.rows:
            self.rows.remove(row)
            self.rows_box.children = [r.widget for r in self.rows]
            close_tree(row.widget)
            self._on_change(None)

    def set_rows(self, rows) -> None:
        """Replace the config rows with ``(key, old, new)`` triples (or ``(key, value)``)."""
        for row in list(self.rows):
            self.rows.remove(row)
            close_tree(row.widget)
        self.rows_box.children = []
        for values in rows:
            self.new_row(*values)
        if not self.rows:
            self.new_row()

    def config(self) -> list[ConfigItem]:
        """The rows as config items, by the core's rule; InputError naming a malformed row."""
        return config_rows([row.values for row in self.rows])

    # -- the draft, its gates, logging it --------------------------------------------

    def draft(self) -> Draft:
        """The form as a :class:`Draft`, a sweep planned by the core; InputError for a malformed row or sweep."""
        draft = Draft(
            name=self.name.value.strip(),
            hypothesis=self.hypothesis.value.strip(),
            change=self.change.value.strip(),
            config=self.config(),
            expected=self.expected.value.strip(),
            baseline=self.baseline.value.strip(),
        )
        return plan_sweep(draft, self.sweep.value) if self.sweep.value.strip() else draft

    def gate_report(self):
        """(report or None, problem text or None) for the form as it is now."""
        try:
            draft = self.draft()
            if not draft.name:
                draft.name = "(unnamed)"  # the gates do not depend on the name
            report = self.session.journal().check(
                draft, parallel=self.parallel.value, strict=self.session.settings.strict, force=self.force.value
            )
        except JournalError as exc:
            return None, exc.words(WORDS)
        return report, None

    def gate_lines(self) -> list[str]:
        """The gates as plain text lines: ``✖`` refusals, ``⚠`` warnings, rules, or ``✓``."""
        report, problem = self.gate_report()
        lines = []
        if not self.name.value.strip():
            lines.append("· give the experiment a name")
        if not self.hypothesis.value.strip():
            lines.append("· write the hypothesis: what you expect to happen, and why")
        if problem:
            return lines + [f"✖ {problem}"]
        lines += [f"✖ refused: {r.words(WORDS)}" for r in report.refusals]
        lines += [marked(line) for line in render.gate_lines(report, WORDS)]
        if not report.refusals and not report.warnings:
            lines.append("✓ the gates pass")
        return lines

    def show_gates(self) -> None:
        """Redraw the gates under the form, and show ``force`` in strict mode only."""
        self.force.layout.display = None if self.session.settings.strict else "none"
        items = "".join(
            f"<div style='color:{GATE_COLORS.get(line[0], 'inherit')};{WRAP};margin:.15em 0'>{inert(line)}</div>"
            for line in self.gate_lines()
        )
        self.gates.value = f"<div class='{NO_MATH}' style='font-size:90%'>{items}</div>"

    def log(self) -> str:
        """Log the form as a PLANNED entry and clear it; the message to show. JournalError: nothing written."""
        logged = self.session.hypothesize(self.draft(), parallel=self.parallel.value, force=self.force.value)
        lines = [f"Logged PLANNED {render.named(logged.entry)}"]
        sweep = planned(logged.entry)
        if sweep is not None:
            lines.append(
                f"sweep {sweep.field_value}: run them in a cell ({sweep.key}=value beside the metrics each prints),"
                " then Result tab → Attach"
            )
        lines += [f"⚠ {w.words(WORDS)}" for w in logged.warnings]
        self.clear()
        return "\n".join(lines)

    def clear(self) -> None:
        for w in (self.name, self.hypothesis, self.change, self.sweep, self.expected, self.baseline):
            w.value = ""
        self.parallel.value = self.force.value = False
        self.set_rows([])
