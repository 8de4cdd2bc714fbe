"""The journal as an ipywidgets panel, for every notebook front end.

JupyterLab has the sidebar; classic Notebook 7, VS Code and Colab have
ipywidgets but no lab extension. This panel does what the sidebar does, with
standard ipywidgets 8 controls only (no front-end code to install): the entry
list with a filter and details, the hypothesis form with the gates shown live,
the result (the previous cell's outputs attached through the same recorder as
``%result``), abandon, lessons and rules, and the review.

It is a face like the magics: every action is one call of the
:class:`~jupyter_expjournal.kernel.session.KernelSession` (so a hypothesis logged here
is completed by ``%result`` and the other way round), the gates come from
``Journal.check``, and a :class:`JournalError` becomes one line in
``panel.status`` with nothing written. User text is shown in plain-text
widgets, or escaped with :func:`html.escape` where an ``HTML`` widget is needed.

The panel refreshes after each cell, and when any writer (another kernel, the
sidebar, a hand edit, ``git checkout``) changes ``journal.md`` or
``lessons.md``: a daemon thread compares the files' stat every second.

Examples
--------
::

    from jupyter_expjournal.widgets import panel
    p = panel()                    # loads the extension if needed, shows the panel
    p.form.name.value = "SVC C=10"
    p.form.submit.click()          # the same as clicking "Log hypothesis"
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from collections import OrderedDict
from html import escape
from pathlib import Path

import ipywidgets as W

import jupyter_expjournal.render as render
from ..core.config import ABSENT, ConfigItem, render_config
from ..core.draft import config_row
from ..core.errors import InputError, JournalError
from ..core.model import Draft, Entry, Outcome

__all__ = ["JournalPanel", "show_panel", "panel"]

_log = logging.getLogger(__name__)

#: Entries rendered at once; "show more" adds as many again.
PAGE = 50
#: Seconds between two looks at the files' stat.
POLL_SECONDS = 1.0
#: Entry rows kept built (expanded details included) across refreshes and filters.
ROW_CACHE = 300
#: Images larger than this are linked by name, not shown.
MAX_IMAGE_BYTES = 5_000_000
IMAGE_FORMATS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".gif": "gif", ".svg": "svg+xml"}

TAB_JOURNAL, TAB_HYPOTHESIS, TAB_RESULT, TAB_LESSON, TAB_REVIEW = range(5)
TAB_TITLES = ("Journal", "Hypothesis", "Result", "Lesson", "Review")

_WRAP = "white-space:pre-wrap;word-break:break-word;overflow-wrap:anywhere;line-height:1.4"
_MONO = {"config", "actual"}  # shown as written, in a fixed-width font
#: MathJax (3, and 2 as configured by JupyterLab) leaves these alone: user text is not LaTeX.
_NO_MATH = "mathjax_ignore tex2jax_ignore"
#: One panel per kernel session: showing it again adds a view of the same widgets.
_PANELS: "weakref.WeakKeyDictionary[object, JournalPanel]" = weakref.WeakKeyDictionary()


def _LEFT(**kwargs) -> W.Layout:
    """A button's layout: its natural width, at the left of a vertical box (not stretched)."""
    return W.Layout(width="auto", align_self="flex-start", **kwargs)


def _text(description: str, placeholder: str = "", **kwargs) -> W.Text:
    return W.Text(
        description=description,
        placeholder=placeholder,
        layout=W.Layout(width="100%"),
        style={"description_width": "90px"},
        **kwargs,
    )


def _badge(status: str) -> str:
    color = render.STATUS_COLORS.get(status, "#57606a")
    return (
        f"<span style='display:inline-block;min-width:6.5em;text-align:center;font-size:80%;font-weight:bold;"
        f"color:{color};border:1px solid {color};border-radius:3px;padding:0 .3em'>{escape(status or '?')}</span>"
    )


def inert(text: str) -> str:
    """User text as HTML that shows exactly that text: escaped, and never typeset as LaTeX.

    Escaping stops markup. A LaTeX typesetter may still sweep the page (JupyterLab's
    MathJax does, now and then, whatever class says to ignore a region), and it only
    pairs delimiters within one run of text: each ``$`` and ``\\`` in its own element
    cannot open or close math. The text and its copy-paste stay the same.
    """
    return escape(text).replace("$", "<span>$</span>").replace("\\", "<span>\\</span>")


def _no_math(html: str) -> str:
    """:func:`inert`'s delimiter split, for HTML built elsewhere (render.py) whose markup has no ``$`` or ``\\``."""
    return html.replace("$", "<span>$</span>").replace("\\", "<span>\\</span>")


def _plain(text: str, *, bold: bool = False) -> str:
    """User text as inert HTML, shown exactly: escaped, and not typeset as LaTeX.

    (``Label`` would escape too, but it runs the LaTeX typesetter: a name like
    ``lr $1e-3$`` would not read back as written.)
    """
    style = "display:block;overflow:hidden;text-overflow:ellipsis;white-space:nowrap"
    weight = ";font-weight:bold" if bold else ""
    return f"<span class='{_NO_MATH}' style='{style}{weight}' title='{escape(text)}'>{inert(text)}</span>"


def _shown_path(path: Path) -> str:
    """The journal's path, relative to the working directory when it is below it."""
    try:
        return os.path.relpath(path) if Path(os.getcwd()) in path.parents else str(path)
    except (OSError, ValueError):
        return str(path)


def _close_tree(widget: W.Widget) -> None:
    """Close a widget and every widget below it (ipywidgets closes one model at a time)."""
    for child in getattr(widget, "children", ()) or ():
        _close_tree(child)
    widget.close()


def walk(widget: W.Widget):
    """Every widget in a tree, the root first (tests use it to check every HTML value)."""
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from walk(child)


# -- the entry list -------------------------------------------------------------


def _haystack(entry: Entry) -> str:
    """What the filter matches, the same fields as the sidebar's filter."""
    return "\n".join(
        (entry.name, entry.hypothesis, entry.learning, entry.change, entry.next, entry.status, entry.timestamp)
    ).casefold()


def _row_key(entry: Entry, directory: Path) -> tuple:
    return (str(directory), entry.index, entry.heading, tuple(entry.fields.items()))


class EntryRow:
    """One entry in the list: status badge, name, time; details built when first opened."""

    def __init__(self, entry: Entry, directory: Path) -> None:
        self.entry = entry
        self.directory = directory
        self.badge = W.HTML(_badge(entry.status), layout=W.Layout(width="7.5em", flex="0 0 auto"))
        self.name = W.HTML(_plain(entry.name, bold=True), layout=W.Layout(flex="1 1 auto", width="auto", min_width="0"))
        self.time = W.HTML(_plain(entry.timestamp), layout=W.Layout(flex="0 0 auto", width="auto"))
        self.toggle = W.ToggleButton(
            value=False,
            description="details",
            icon="chevron-down",
            tooltip=f"details of '{entry.name}'",
            layout=W.Layout(width="90px", flex="0 0 auto"),
        )
        self.header = W.HBox(
            [self.badge, self.name, self.time, self.toggle], layout=W.Layout(width="100%", align_items="center")
        )
        self.details = W.VBox([], layout=W.Layout(display="none", width="100%", padding="0 0 .4em 1em"))
        self.widget = W.VBox([self.header, self.details], layout=W.Layout(width="100%", border_bottom="1px solid #ddd"))
        self.widget.add_class("expjournal-entry")  # a hook for UI tests and user CSS, no styling shipped
        self.toggle.observe(self._toggled, "value")

    def _toggled(self, change) -> None:
        if change["new"] and not self.details.children:
            self.details.children = self._build_details()
        self.details.layout.display = "flex" if change["new"] else "none"
        self.toggle.icon = "chevron-up" if change["new"] else "chevron-down"

    def _build_details(self) -> list[W.Widget]:
        e = self.entry
        known = {
            "status", "hypothesis", "change", "config", "expected outcome", "expected", "baseline",
            "actual outcome", "delta", "duration", "learning", "next",
        }  # fmt: skip
        rows = [
            ("name", e.name),
            ("hypothesis", e.hypothesis),
            ("change", e.change),
            ("config", render_config(e.config) if e.config else e.get("Config")),
            ("expected", e.expected),
            ("baseline", e.baseline),
            ("actual", e.actual),
            ("delta", e.delta),
            ("duration", e.duration),
            ("learning", e.learning),
            ("next", e.next),
            *((k, v) for k, v in e.fields.items() if k.strip().casefold() not in known),
        ]
        table = "".join(
            f"<tr><th style='text-align:left;vertical-align:top;font-weight:normal;opacity:.7;padding-right:1em'>"
            f"{escape(label)}</th><td style='text-align:left;{_WRAP}{';font-family:monospace' if label in _MONO else ''}'>"
            f"{inert(value)}</td></tr>"
            for label, value in rows
            if value.strip()
        )
        table = f"<table class='{_NO_MATH}' style='width:100%;table-layout:auto'>{table}</table>"
        out: list[W.Widget] = [W.HTML(table, layout=W.Layout(width="100%"))]
        out.extend(self._images())
        return out

    def _images(self) -> list[W.Widget]:
        out = []
        root = self.directory.resolve()
        for rel in self.entry.images:
            path = (self.directory / rel).resolve()
            fmt = IMAGE_FORMATS.get(path.suffix.lower())
            # Only files under the experiments folder: a link in a hand-edited
            # journal must not make the panel read (and send) any file it names.
            if fmt is None or root not in path.parents:
                continue
            try:
                if path.stat().st_size > MAX_IMAGE_BYTES:
                    out.append(W.HTML(_plain(f"{rel} (too large to show here)")))
                    continue
                data = path.read_bytes()
            except OSError:
                out.append(W.HTML(_plain(f"{rel} (missing)")))
                continue
            out.append(W.Image(value=data, format=fmt, layout=W.Layout(max_width="100%", width="auto")))
        return out


# -- the hypothesis form -----------------------------------------------------------


class ConfigRow:
    """One config row: key, old, new, and a button removing the row.

    ``new`` empty: the key is unchanged at ``old``. ``old`` empty: the key is
    added. ``(none)`` on either side: the key is absent on that side.
    """

    def __init__(self, on_change, on_remove) -> None:
        self.key = W.Text(placeholder="key", layout=W.Layout(width="30%"))
        self.old = W.Text(placeholder="old (or value)", layout=W.Layout(width="30%"))
        self.new = W.Text(placeholder="new (empty: unchanged)", layout=W.Layout(width="30%"))
        self.remove = W.Button(icon="times", tooltip="remove this row", layout=W.Layout(width="36px"))
        self.widget = W.HBox([self.key, self.old, self.new, self.remove], layout=W.Layout(width="100%"))
        for w in (self.key, self.old, self.new):
            w.observe(on_change, "value")
        self.remove.on_click(lambda _: on_remove(self))

    @property
    def values(self) -> tuple[str, str, str]:
        return self.key.value.strip(), self.old.value.strip(), self.new.value.strip()

    def item(self, number: int) -> ConfigItem | None:
        """The row as a :class:`ConfigItem` (None for an empty row); InputError if malformed."""
        key, old, new = self.values
        if not (key or old or new):
            return None
        where = f"config row {number}" + (f" ({key})" if key else "")
        if not key:
            raise InputError(f"{where} needs a key")
        old_v = None if old in ("", ABSENT) else old
        new_v = None if new == ABSENT else new
        if not new:
            if old_v is None:
                raise InputError(f"{where} needs a value: old (and new if it changes)")
            new_v = old_v  # new empty: unchanged
        return config_row(key, old_v, new_v, where)


class HypothesisForm:
    """The form logging a hypothesis, with the gates shown live under it."""

    def __init__(self, on_change) -> None:
        self._on_change = on_change
        self.name = _text("name", "SVC C=10")
        self.hypothesis = W.Textarea(
            description="hypothesis",
            placeholder="What you expect to happen, and why.",
            rows=3,
            layout=W.Layout(width="100%"),
            style={"description_width": "90px"},
        )
        self.change = _text("change", "C 1 → 10 (empty: from the config rows)")
        self.expected = _text("expected", "accuracy +0.01")
        self.baseline = _text("baseline", "accuracy = 0.95")
        self.rows: list[ConfigRow] = []
        self.rows_box = W.VBox([], layout=W.Layout(width="100%"))
        self.add_row = W.Button(description="add row", icon="plus", tooltip="add a config row", layout=_LEFT())
        self.add_row.on_click(lambda _: self.new_row())
        self.parallel = W.Checkbox(
            False, description="parallel (open even though another is PLANNED)", indent=False, layout=W.Layout(width="auto")
        )
        self.force = W.Checkbox(  # shown in strict mode only
            False, description="force (strict mode: log anyway)", indent=False, layout=W.Layout(width="auto", display="none")
        )
        self.submit = W.Button(description="Log hypothesis", button_style="primary", icon="pencil", layout=_LEFT())
        self.gates = W.HTML("", layout=W.Layout(width="100%"))
        for w in (self.name, self.hypothesis, self.change, self.expected, self.baseline, self.parallel, self.force):
            w.observe(on_change, "value")
        self.new_row()
        config_label = W.HTML("<span style='opacity:.7'>config: key, old → new (new empty: unchanged)</span>")
        self.widget = W.VBox(
            [
                self.name,
                self.hypothesis,
                self.change,
                config_label,
                self.rows_box,
                self.add_row,
                self.expected,
                self.baseline,
                W.HBox([self.parallel, self.force], layout=W.Layout(width="100%", flex_flow="row wrap")),
                self.submit,
                self.gates,
            ],
            layout=W.Layout(width="100%"),
        )

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
            _close_tree(row.widget)
            self._on_change(None)

    def set_rows(self, rows) -> None:
        """Replace the config rows with ``(key, old, new)`` triples (or ``(key, value)``)."""
        for row in list(self.rows):
            self.rows.remove(row)
            _close_tree(row.widget)
        self.rows_box.children = []
        for values in rows:
            self.new_row(*values)
        if not self.rows:
            self.new_row()

    def config(self) -> list[ConfigItem]:
        items = [row.item(i) for i, row in enumerate(self.rows, 1)]
        return [item for item in items if item is not None]

    def draft(self) -> Draft:
        """The form as a :class:`Draft`; InputError for a malformed config row."""
        return Draft(
            name=self.name.value.strip(),
            hypothesis=self.hypothesis.value.strip(),
            change=self.change.value.strip(),
            config=self.config(),
            expected=self.expected.value.strip(),
            baseline=self.baseline.value.strip(),
        )

    def clear(self) -> None:
        for w in (self.name, self.hypothesis, self.change, self.expected, self.baseline):
            w.value = ""
        self.parallel.value = self.force.value = False
        self.set_rows([])


# -- the panel ----------------------------------------------------------------------


class JournalPanel:
    """The experiment journal as a widget panel over one kernel's :class:`KernelSession`.

    ``panel.widget`` is the root container; every control is an attribute so a
    notebook or a test can drive it (set ``.value``, call ``.click()``).

    Parameters
    ----------
    session : KernelSession
        The kernel's session (``get_ipython()._expjournal.session``).
    poll_seconds : float
        How often the files' stat is compared, to notice other writers (0: never).

    Examples
    --------
    ::

        p = JournalPanel(get_ipython()._expjournal.session)
        display(p)
        p.form.name.value = "SVC C=10"
        p.form.hypothesis.value = "A larger C fits the digits more tightly."
        p.form.set_rows([("C", "1", "10"), ("kernel", "rbf")])
        p.form.baseline.value = "accuracy = 0.95"
        p.form.submit.click()
        # ... run the experiment in a cell, then:
        p.learning.value = "C matters less than gamma here"
        p.attach.click()
    """

    def __init__(self, session, *, poll_seconds: float = POLL_SECONDS) -> None:
        self.session = session
        self._lock = threading.RLock()
        self._seen: object = object()  # the files' stat at the last refresh
        self._entries: list[Entry] | None = None
        self._index: list[tuple[Entry, str]] = []  # (entry, haystack), in display order
        self._rows: OrderedDict[tuple, EntryRow] = OrderedDict()
        self._limit = PAGE
        self._closed = False
        self._message = ""
        self._shown_in: object = None  # the cell record during which the panel was last displayed
        #: The entries listed now (filter and "show more" applied), and their rows.
        self.shown_entries: list[Entry] = []
        self.shown_rows: list[EntryRow] = []

        # header and the one-line result
        self.title = W.HTML("", layout=W.Layout(width="100%"))
        self.status = W.HTML("", layout=W.Layout(width="100%"))

        # the journal tab
        self.filter = W.Text(
            placeholder="filter: name, hypothesis, learning, status…",
            layout=W.Layout(width="100%"),
        )
        self.count = W.Label("")
        self.entries_box = W.VBox([], layout=W.Layout(width="100%"))
        self.more = W.Button(description="show more", layout=_LEFT(display="none"))
        self.filter.observe(self._filtered, "value")
        self.more.on_click(self._show_more)
        journal_tab = W.VBox([self.filter, self.count, self.entries_box, self.more], layout=W.Layout(width="100%"))

        # the hypothesis tab
        self.form = HypothesisForm(self._form_changed)
        self.form.submit.on_click(self._action(self._submit))

        # the result tab
        self.target = W.Dropdown(
            options=[("no open experiment", "")],
            value="",
            description="experiment",
            layout=W.Layout(width="100%"),
            style={"description_width": "90px"},
        )
        self.attach_source = W.HTML("", layout=W.Layout(width="100%"))
        self.learning = _text("learning", "one sentence: what this taught you")
        self.next = _text("next", "what to try based on this result")
        self.attach = W.Button(
            description="Attach previous cell's outputs",
            button_style="success",
            icon="paperclip",
            tooltip="complete the experiment with the outputs of the last cell run (like %result)",
            layout=_LEFT(),
        )
        self.abandon_reason = _text("reason", "why it is abandoned (a data leak in the split, ...)")
        self.abandon = W.Button(description="Abandon", button_style="danger", icon="ban", layout=_LEFT())
        self.attach.on_click(self._action(self._attach))
        self.abandon.on_click(self._action(self._abandon))
        result_tab = W.VBox(
            [
                self.target,
                self.attach_source,
                self.learning,
                self.next,
                self.attach,
                W.HTML("<hr style='margin:.6em 0'>"),
                self.abandon_reason,
                self.abandon,
            ],
            layout=W.Layout(width="100%"),
        )

        # the lesson tab
        self.lesson_kind = W.ToggleButtons(options=["lesson", "NEVER", "ALWAYS"], style={"button_width": "80px"})
        self.lesson_text = W.Textarea(placeholder="context: what you learned", rows=2, layout=W.Layout(width="100%"))
        self.lesson_reason = _text("source", "where it came from: runs 3-5, a paper, ...")
        self.add_lesson = W.Button(description="Add lesson / rule", icon="plus", button_style="info", layout=_LEFT())
        self.lesson_kind.observe(self._kind_changed, "value")
        self.add_lesson.on_click(self._action(self._lesson))
        lesson_tab = W.VBox(
            [self.lesson_kind, self.lesson_text, self.lesson_reason, self.add_lesson], layout=W.Layout(width="100%")
        )

        # the review tab
        self.review = W.HTML("", layout=W.Layout(width="100%"))

        self.tabs = W.Tab(
            children=[journal_tab, self.form.widget, result_tab, lesson_tab, self.review],
            titles=TAB_TITLES,
            layout=W.Layout(width="100%"),
        )
        self.widget = W.VBox([self.title, self.status, self.tabs], layout=W.Layout(width="100%", max_width="100%"))
        self.widget.add_class("expjournal-panel")
        # The front end's LaTeX typesetter may sweep the page; nothing in the panel is math.
        for name in _NO_MATH.split():
            self.widget.add_class(name)

        with self._lock:
            self.refresh()
            self.tabs.selected_index = TAB_RESULT if self.target.value else TAB_HYPOTHESIS

        # Refresh after every cell: the magics may have written.
        self._hook = _WeakHook(self._after_cell, session.recorder.after_cell)
        session.recorder.after_cell.append(self._hook)
        # ... and when anyone else writes: a daemon thread compares the files' stat.
        self._stop = threading.Event()
        weakref.finalize(self, self._stop.set)
        self._thread: threading.Thread | None = None
        if poll_seconds > 0:
            self._thread = threading.Thread(
                target=_poll, args=(weakref.ref(self), poll_seconds, self._stop), name="expjournal-panel-poll", daemon=True
            )
            self._thread.start()

    # -- display --------------------------------------------------------------------

    def _ipython_display_(self) -> None:
        # show_panel() displays and returns the panel; as the last line of a cell the
        # return value would show it a second time, so it is not shown twice in one cell.
        current = self.session.recorder.current
        if current is not None and current is self._shown_in:
            return
        from IPython.display import display

        display(self.widget)
        self._shown_in = current

    def __repr__(self) -> str:
        return f"<JournalPanel {self._journal_path()}>"

    # -- reading ---------------------------------------------------------------------

    @property
    def message(self) -> str:
        """The last result or error, as plain text (what ``panel.status`` shows)."""
        return self._message

    def _journal_path(self) -> str:
        try:
            return str(self.session.journal().journal_path)
        except JournalError as exc:
            return str(exc)

    def _stat_key(self) -> tuple:
        journal = self.session.journal()
        key: list = [str(journal.directory)]
        for path in (journal.journal_path, journal.lessons_path):
            try:
                st = os.stat(path)
                key.append((st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
            except OSError as exc:
                key.append(exc.errno)
        return tuple(key)

    def changed(self) -> bool:
        """Whether the files changed since the last refresh (two stat calls)."""
        return self._stat_key() != self._seen

    def refresh(self, force: bool = False) -> None:
        """Re-read the journal and redraw what changed (cheap when nothing did)."""
        with self._lock:
            if self._closed:
                return
            try:
                key = self._stat_key()
                if force or key != self._seen:
                    journal = self.session.journal()
                    review = journal.review()
                    self._seen = key
                    self._show_journal(journal, review)
            except JournalError as exc:
                self._say(str(exc), error=True)
            self._update_gates()
            self._update_attach_source()
            self.form.force.layout.display = None if self.session.settings.strict else "none"

    def _show_journal(self, journal, review) -> None:
        entries = review.entries
        counts = ", ".join(f"{n} {s.lower()}" for s, n in review.counts.items() if n) or "no entries yet"
        self.title.value = (
            f"<div class='{_NO_MATH}' style='{_WRAP}'><b>Experiment journal</b> · {escape(counts)} · "
            f"<code style='font-size:85%;opacity:.75'>{inert(_shown_path(journal.journal_path))}</code></div>"
        )
        self.review.value = f"<div class='{_NO_MATH}'>{_no_math(render.review_html(review))}</div>"
        if entries is not self._entries:
            self._entries = entries
            ordered = [e for e in reversed(entries) if e.is_open] + [e for e in reversed(entries) if not e.is_open]
            self._index = [(e, _haystack(e)) for e in ordered]
            self._render_list()
        self._update_targets(review.open)

    def _render_list(self) -> None:
        words = self.filter.value.casefold().split()
        matches = [e for e, text in self._index if all(w in text for w in words)] if words else [e for e, _ in self._index]
        shown = matches[: self._limit]
        directory = self.session.journal().directory
        rows = []
        for entry in shown:
            key = _row_key(entry, directory)
            row = self._rows.get(key)
            if row is None:
                row = self._rows[key] = EntryRow(entry, directory)
            self._rows.move_to_end(key)
            rows.append(row)
        self.entries_box.children = [r.widget for r in rows]
        self.shown_entries = shown
        self.shown_rows = rows
        in_use = {id(r) for r in rows}
        while len(self._rows) > max(ROW_CACHE, len(rows)):
            key, row = next(iter(self._rows.items()))
            if id(row) in in_use:  # pragma: no cover - the oldest are never the ones just used
                break
            del self._rows[key]
            _close_tree(row.widget)
        total = len(self._index)
        showing = f"; showing {len(shown)}" if len(shown) < len(matches) else ""
        if not total:
            self.count.value = "No entries yet: log a hypothesis first."
        elif words:
            self.count.value = f"{len(matches)} of {total} entries match{showing}"
        else:
            self.count.value = f"{total} entr{'y' if total == 1 else 'ies'}, newest first, open ones on top{showing}"
        rest = len(matches) - len(shown)
        self.more.description = f"show {min(PAGE, rest)} more ({rest} not shown)"
        self.more.layout.display = None if rest > 0 else "none"

    def _update_targets(self, open_entries: list[Entry]) -> None:
        if not open_entries:
            self.target.options = [("no open experiment", "")]
            self.target.value = ""
            self.target.disabled = True
            return
        current = self.target.value
        mine = self.session.preferred()
        options = [(f"{e.name} ({e.timestamp})", e.name) for e in reversed(open_entries)]
        names = [value for _, value in options]
        default = next((e.name for e in open_entries if e.heading == mine), names[0])
        self.target.options = options
        self.target.value = current if current in names else default
        self.target.disabled = False

    def _update_attach_source(self) -> None:
        record = self.session.recorder.previous()
        if record is None:
            text = "attaches: nothing yet (run the experiment in a cell first)"
        else:
            first = next((line for line in record.source.splitlines() if line.strip()), "")
            prompt = f"cell [{record.prompt}]" if record.prompt is not None else "the last cell run"
            text = f"attaches: {prompt}: {render.first_line(first, 70)}"
        self.attach_source.value = _plain(text)

    # -- the gates, live -------------------------------------------------------------

    def gate_report(self):
        """(report or None, problem text or None) for the form as it is now."""
        form = self.form
        try:
            draft = form.draft()
            if not draft.name:
                draft.name = "(unnamed)"  # the gates do not depend on the name
            report = self.session.journal().check(
                draft, parallel=form.parallel.value, strict=self.session.settings.strict, force=form.force.value
            )
        except JournalError as exc:
            return None, str(exc)
        return report, None

    def gate_lines(self) -> list[str]:
        """The gates as plain text lines: ``✖`` refusals, ``⚠`` warnings, rules, or ``✓``."""
        report, problem = self.gate_report()
        lines = []
        if not self.form.name.value.strip():
            lines.append("· give the experiment a name")
        if not self.form.hypothesis.value.strip():
            lines.append("· write the hypothesis: what you expect to happen, and why")
        if problem:
            return lines + [f"✖ {problem}"]
        lines += [f"✖ refused: {r}" for r in report.refusals]
        lines += [f"⚠ {w}" for w in report.warnings]
        lines += [f"rule: {render.first_line(r.text, 200)}" for r in report.rules]
        if not report.refusals and not report.warnings:
            lines.append("✓ the gates pass")
        return lines

    def _update_gates(self) -> None:
        colors = {"✖": "#cf222e", "⚠": "#b26b00", "✓": "#1a7f37", "r": "#0969da"}
        items = "".join(
            f"<div style='color:{colors.get(line[0], 'inherit')};{_WRAP};margin:.15em 0'>{inert(line)}</div>"
            for line in self.gate_lines()
        )
        self.form.gates.value = f"<div class='{_NO_MATH}' style='font-size:90%'>{items}</div>"

    def _form_changed(self, _change) -> None:
        # Called on each keystroke: one gate check against the cached parse, no file read.
        if not hasattr(self, "form"):
            return  # the form is being built
        with self._lock:
            try:
                self._update_gates()
            except Exception:  # never break typing
                _log.debug("expjournal: gate update failed", exc_info=True)

    # -- actions ---------------------------------------------------------------------

    def _say(self, text: str, *, error: bool = False) -> None:
        self._message = f"✖ {text} (nothing was written)" if error else text
        color = "#cf222e" if error else "inherit"
        lines = "".join(f"<div>{inert(line)}</div>" for line in self._message.splitlines())
        self.status.value = f"<div class='{_NO_MATH}' style='color:{color};{_WRAP};margin:.2em 0'>{lines}</div>"

    def _action(self, method):
        """A button handler: one core call, its result or its error in ``status``."""

        def handler(_button=None) -> None:
            with self._lock:
                try:
                    method()
                except JournalError as exc:
                    self._say(str(exc), error=True)
                except Exception as exc:  # a bug: say so in the panel, keep the traceback in the log
                    _log.exception("expjournal: panel action failed")
                    self._say(f"unexpected error: {type(exc).__name__}: {exc}", error=True)
                self.refresh(force=True)

        return handler

    def _submit(self) -> None:
        form = self.form
        draft = form.draft()
        logged = self.session.hypothesize(draft, parallel=form.parallel.value, force=form.force.value)
        lines = [f"Logged PLANNED '{logged.entry.name}' ({logged.entry.timestamp})"]
        lines += [f"⚠ {w}" for w in logged.warnings]
        self._say("\n".join(lines))
        form.clear()
        self.tabs.selected_index = TAB_RESULT

    def _attach(self) -> None:
        outcome = Outcome(learning=self.learning.value.strip(), next=self.next.value.strip())
        record = self.session.record()
        logged = self.session.complete(outcome, record, name=self.target.value or None)
        done = logged.entry
        lines = [f"'{done.name}' {done.status}: {render.first_line(done.delta, 200)}"]
        lines += [f"saved {p.name}" for p in logged.assets]
        lines += [f"! {r}" for r in self.session.journal().reminders()]
        self._say("\n".join(lines))
        self.learning.value = self.next.value = ""
        self.tabs.selected_index = TAB_JOURNAL

    def _abandon(self) -> None:
        logged = self.session.abandon(
            self.abandon_reason.value, name=self.target.value or None, learning=self.learning.value.strip()
        )
        self._say(f"'{logged.entry.name}' ABANDONED: {render.first_line(self.abandon_reason.value, 160)}")
        self.abandon_reason.value = self.learning.value = self.next.value = ""
        self.tabs.selected_index = TAB_JOURNAL

    def _lesson(self) -> None:
        journal = self.session.journal()
        kind, text, reason = self.lesson_kind.value, self.lesson_text.value, self.lesson_reason.value.strip()
        if kind == "lesson":
            written = journal.add_lesson(text, source=reason)
        else:
            written = journal.add_rule(kind, text, reason=reason)
        self._say(f"Added to lessons.md: {written}")
        self.lesson_text.value = self.lesson_reason.value = ""

    def _kind_changed(self, change) -> None:
        self.lesson_reason.description = {"lesson": "source", "NEVER": "because", "ALWAYS": "when"}[change["new"]]
        self.lesson_reason.placeholder = {
            "lesson": "where it came from: runs 3-5, a paper, ...",
            "NEVER": "what goes wrong (the loss goes NaN)",
            "ALWAYS": "in which situation (comparing runs)",
        }[change["new"]]
        self.lesson_text.placeholder = "context: what you learned" if change["new"] == "lesson" else (
            f"what to {'avoid' if change['new'] == 'NEVER' else 'do'}"
        )

    def _filtered(self, _change) -> None:
        with self._lock:
            self._limit = PAGE
            self._render_list()

    def _show_more(self, _button=None) -> None:
        with self._lock:
            self._limit += PAGE
            self._render_list()

    def _after_cell(self, _record) -> None:
        self.refresh()

    # -- life ------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        # A widget closed from outside (panel.widget.close()) ends the panel too.
        return self._closed or self.widget.comm is None

    def close(self) -> None:
        """Stop watching the files and close every widget of the panel."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._stop.set()
            try:
                self.session.recorder.after_cell.remove(self._hook)
            except ValueError:
                pass
            for row in self._rows.values():
                _close_tree(row.widget)
            self._rows.clear()
            _close_tree(self.widget)
            if _PANELS.get(self.session) is self:
                del _PANELS[self.session]


class _WeakHook:
    """An ``after_cell`` callback that does not keep the panel alive; it drops itself when the panel is gone."""

    def __init__(self, method, hooks: list) -> None:
        self._method = weakref.WeakMethod(method)
        self._hooks = hooks

    def __call__(self, record) -> None:
        method = self._method()
        if method is None or method.__self__.closed:
            try:
                self._hooks.remove(self)
            except ValueError:
                pass
            return
        method(record)


def _poll(ref, seconds: float, stop: threading.Event) -> None:
    """Refresh the panel when the files' stat changes; end with the panel."""
    while not stop.wait(seconds):
        panel = ref()
        if panel is None:
            return
        try:
            if panel.closed:
                panel.close()
                return
            if panel.changed():
                panel.refresh()
        except Exception:  # a vanished folder, a permission change: try again next time
            _log.debug("expjournal: panel poll failed", exc_info=True)
        finally:
            del panel


# -- entry points ---------------------------------------------------------------------


def show_panel(session) -> JournalPanel:
    """Display the journal panel of a kernel session and return it.

    One panel per session: showing it again displays another view of the same
    widgets (they stay in sync) instead of starting a second one. This is what
    ``%review --widget`` calls.
    """
    from IPython.display import display

    existing = _PANELS.get(session)
    if existing is None or existing.closed:
        existing = _PANELS[session] = JournalPanel(session)
    existing._shown_in = None
    display(existing)
    return existing


def panel() -> JournalPanel:
    """Show the experiment-journal panel in the current notebook (any front end).

    Loads the extension first when it is not loaded, then displays the panel
    of this kernel's session: the same session the magics use, so a hypothesis
    logged in the panel is completed by ``%result`` and the other way round.

    Examples
    --------
    ::

        from jupyter_expjournal.widgets import panel
        p = panel()
        p.filter.value = "gamma"
    """
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        raise RuntimeError("jupyter_expjournal.widgets.panel() needs IPython: run it in a notebook")
    if "jupyter_expjournal" not in shell.extension_manager.loaded:
        shell.run_line_magic("load_ext", "jupyter_expjournal")
    magics = getattr(shell, "_expjournal", None)
    if magics is None or not magics.recorder.registered:
        shell.run_line_magic("reload_ext", "jupyter_expjournal")
        magics = shell._expjournal
    return show_panel(magics.session)
