"""The journal as an ipywidgets panel, for every notebook front end: the tabs put together, kept live.

JupyterLab has the sidebar; classic Notebook 7, VS Code and Colab have
ipywidgets but no lab extension. This panel does what the sidebar does, with
standard ipywidgets 8 controls only (no front-end code to install), one module
per tab: the entry list with a filter and details (:mod:`.journal_tab`), the
hypothesis form with the gates shown live (:mod:`.hypothesis_tab`), the result,
abandon and after-the-fact runs (:mod:`.result_tab`), lessons and rules
(:mod:`.lesson_tab`), and the review (:mod:`.review_tab`).

It is a face like the magics: every action is one call of the
:class:`~jupyter_expjournal.kernel.session.KernelSession` (so a hypothesis logged here
is completed by ``%result`` and the other way round), the gates come from
``Journal.check``, and a :class:`JournalError` becomes one line in
``panel.status`` with nothing written, its ways out worded as the panel's own
controls (:mod:`.words`). User text is shown in plain-text widgets, or made
inert (:mod:`.common`) where an ``HTML`` widget is needed.

The panel refreshes after each cell, and when any writer (another kernel, the
sidebar, a hand edit, ``git checkout``) changes ``journal.md`` or
``lessons.md``: a daemon thread compares the files' fingerprints every second.

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
import threading
import weakref
from html import escape

import ipywidgets as W

from ..core.errors import JournalError
from ..core.model import Entry
from ..core.store import fingerprint
from ..render import status_counts
from .common import NO_MATH, WRAP, close_tree, inert, lines_html, shown_path, walk, wide
from .fallback import INSTEAD, blank_view, review_bundle, with_fallback
from .hypothesis_tab import HypothesisForm
from .journal_tab import PAGE, EntryRow, JournalTab
from .lesson_tab import LessonTab
from .result_tab import ResultTab
from .review_tab import ReviewTab
from .words import WORDS

__all__ = ["JournalPanel", "show_panel", "panel", "walk", "PAGE"]

_log = logging.getLogger(__name__)

#: Seconds between two looks at the files' fingerprints.
POLL_SECONDS = 1.0

TAB_JOURNAL, TAB_HYPOTHESIS, TAB_RESULT, TAB_LESSON, TAB_REVIEW = range(5)
TAB_TITLES = ("Journal", "Hypothesis", "Result", "Lesson", "Review")

#: One panel per kernel session: showing it again adds a view of the same widgets.
_PANELS: weakref.WeakKeyDictionary[object, JournalPanel] = weakref.WeakKeyDictionary()


def _fingerprint(path) -> object:
    """The store's fingerprint of a file, or the errno that stat failed with (a change too)."""
    try:
        return fingerprint(path)
    except OSError as exc:
        return exc.errno


class JournalPanel:
    """The experiment journal as a widget panel over one kernel's :class:`KernelSession`.

    ``panel.widget`` is the root container; every control is an attribute so a
    notebook or a test can drive it (set ``.value``, call ``.click()``). Each tab
    is an object of its own (``panel.journal_tab``, ``panel.form``,
    ``panel.result_tab``, ``panel.lesson_tab``, ``panel.review_tab``); the
    controls used most are attributes of the panel too (``panel.filter``,
    ``panel.attach``, ``panel.learning``, ...).

    Parameters
    ----------
    session : KernelSession
        The kernel's session (``get_ipython()._expjournal.session``).
    poll_seconds : float
        How often the files' fingerprints are compared, to notice other writers (0: never).

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
        self._seen: object = object()  # the files' fingerprints at the last refresh
        self._closed = False
        self._message = ""
        self._shown_in: object = None  # the cell record during which the panel was last displayed

        # header and the one-line result
        self.title = W.HTML("", layout=wide())
        self.status = W.HTML("", layout=wide())

        self.journal_tab = JournalTab(self._lock)
        self.filter, self.count = self.journal_tab.filter, self.journal_tab.count
        self.entries_box, self.more = self.journal_tab.entries_box, self.journal_tab.more

        self.form = HypothesisForm(session, self._form_changed)
        self.form.submit.on_click(self._action(self._submit))

        self.result_tab = tab = ResultTab(session)
        self.target, self.attach_source, self.learning, self.next = tab.target, tab.attach_source, tab.learning, tab.next
        self.attach, self.abandon_reason, self.abandon = tab.attach, tab.abandon_reason, tab.abandon
        self.retro_name, self.retro, self.table = tab.retro_name, tab.retro, tab.table
        self.attach.on_click(self._action(self._attach))
        self.abandon.on_click(self._action(self._abandon))
        self.retro.on_click(self._action(self._retro))

        self.lesson_tab = LessonTab(session)
        self.lesson_kind, self.lesson_text = self.lesson_tab.kind, self.lesson_tab.text
        self.lesson_reason, self.add_lesson = self.lesson_tab.reason, self.lesson_tab.add
        self.add_lesson.on_click(self._action(self._lesson))

        self.review_tab = ReviewTab()
        self.review = self.review_tab.widget

        self.tabs = W.Tab(
            children=[self.journal_tab.widget, self.form.widget, tab.widget, self.lesson_tab.widget, self.review],
            titles=TAB_TITLES,
            layout=wide(),
        )
        self.review_tab.watch(self.tabs, TAB_REVIEW)
        self.widget = W.VBox([self.title, self.status, self.tabs], layout=W.Layout(width="100%", max_width="100%"))
        self.widget.add_class("expjournal-panel")
        # The front end's LaTeX typesetter may sweep the page; nothing in the panel is math.
        for name in NO_MATH.split():
            self.widget.add_class(name)

        with self._lock:
            self.refresh()
            self.tabs.selected_index = TAB_RESULT if self.target.value else TAB_HYPOTHESIS

        # Refresh after every cell: the magics may have written.
        self._hook = _WeakHook(self._after_cell, session.recorder.after_cell)
        session.recorder.after_cell.append(self._hook)
        # ... and when anyone else writes: a daemon thread compares the files' fingerprints.
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

        # The view, and the review for whoever cannot draw it (see .fallback); where the
        # front end is known to draw nothing, the review as an output of its own too.
        view = self.widget._repr_mimebundle_()
        try:
            review = self.session.journal().review()
        except JournalError:  # the panel's status line says what is wrong
            display(view, raw=True)
        else:
            blank = blank_view(W.__version__, namespace=getattr(self.session.shell, "user_ns", None))
            if blank:
                display(review_bundle(review, f"{blank}. {INSTEAD}"), raw=True)
            display(with_fallback(view, review), raw=True)
        self._shown_in = current

    def __repr__(self) -> str:
        return f"<JournalPanel {self._journal_path()}>"

    # -- reading ---------------------------------------------------------------------

    @property
    def message(self) -> str:
        """The last result or error, as plain text (what ``panel.status`` shows)."""
        return self._message

    @property
    def shown_entries(self) -> list[Entry]:
        """The entries listed now (filter and "show more" applied)."""
        return self.journal_tab.shown_entries

    @property
    def shown_rows(self) -> list[EntryRow]:
        """The rows of :attr:`shown_entries`."""
        return self.journal_tab.shown_rows

    def _journal_path(self) -> str:
        try:
            return str(self.session.journal().journal_path)
        except JournalError as exc:
            return str(exc)

    def _files_key(self) -> tuple:
        journal = self.session.journal()
        return (str(journal.directory), _fingerprint(journal.journal_path), _fingerprint(journal.lessons_path))

    def changed(self) -> bool:
        """Whether the files changed since the last refresh (two stat calls)."""
        return self._files_key() != self._seen

    def refresh(self, force: bool = False) -> None:
        """Re-read the journal and redraw what changed (cheap when nothing did)."""
        with self._lock:
            if self._closed:
                return
            try:
                key = self._files_key()
                if force or key != self._seen:
                    journal = self.session.journal()
                    review = journal.review()
                    self._seen = key
                    self._show_journal(journal, review)
            except JournalError as exc:
                self._say(exc.words(WORDS), error=True)
            self.form.show_gates()
            self.result_tab.show_source()

    def _show_journal(self, journal, review) -> None:
        counts = status_counts(review.counts) or "no entries yet"
        self.title.value = (
            f"<div class='{NO_MATH}' style='{WRAP}'><b>Experiment journal</b> · {escape(counts)} · "
            f"<code style='font-size:85%;opacity:.75'>{inert(shown_path(journal.journal_path))}</code></div>"
        )
        self.review_tab.show(review)
        self.journal_tab.show(review.entries, journal.directory)
        self.result_tab.show_open(review.open)

    # -- the gates, live -------------------------------------------------------------

    def gate_report(self):
        """(report or None, problem text or None) for the form as it is now."""
        return self.form.gate_report()

    def gate_lines(self) -> list[str]:
        """The gates as plain text lines: ``✖`` refusals, ``⚠`` warnings, rules, or ``✓``."""
        return self.form.gate_lines()

    def _form_changed(self, _change) -> None:
        # Called on each keystroke: one gate check against the cached parse, no file read.
        if not hasattr(self, "form"):
            return  # the form is being built
        with self._lock:
            try:
                self.form.show_gates()
            except Exception:  # never break typing
                _log.debug("expjournal: gate update failed", exc_info=True)

    # -- actions ---------------------------------------------------------------------

    def _say(self, text: str, *, error: bool = False) -> None:
        self._message = f"✖ {text} (nothing was written)" if error else text
        self.status.value = lines_html(self._message.splitlines(), "#cf222e" if error else "inherit")

    def _action(self, method):
        """A button handler: one core call, its result or its error in ``status``."""

        def handler(_button=None) -> None:
            with self._lock:
                try:
                    method()
                except JournalError as exc:
                    self._say(exc.words(WORDS), error=True)
                except Exception as exc:  # a bug: say so in the panel, keep the traceback in the log
                    _log.exception("expjournal: panel action failed")
                    self._say(f"unexpected error: {type(exc).__name__}: {exc}", error=True)
                self.refresh(force=True)

        return handler

    def _submit(self) -> None:
        self._say(self.form.log())
        self.tabs.selected_index = TAB_RESULT

    def _attach(self) -> None:
        self._say(self.result_tab.complete())
        self.tabs.selected_index = TAB_JOURNAL

    def _abandon(self) -> None:
        self._say(self.result_tab.close_abandoned())
        self.tabs.selected_index = TAB_JOURNAL

    def _retro(self) -> None:
        self._say(self.result_tab.log_retro())
        self.tabs.selected_index = TAB_JOURNAL

    def _lesson(self) -> None:
        self._say(self.lesson_tab.learn())

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
            self.journal_tab.close()
            close_tree(self.widget)
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
    """Refresh the panel when the files' fingerprints change; end with the panel."""
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
