"""The IPython face: ``%%hypothesis``, ``%result``, ``%review``, ``%lesson``, ``%journal``.

Each magic declares its options once (:mod:`.options`: the ``magic_arguments``
parser, so ``%result?`` is its help page, and where each value ends), calls one
method of :class:`~jupyter_expjournal.core.journal.Journal`, and prints what came
back. A :class:`JournalError` becomes one ``UsageError`` line: the core raised it
before writing, so the files are untouched. The core names no control of any
face: its ways out are worded here, once, in :data:`WORDS`.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_cell_magic, line_magic, magics_class
from traitlets import Bool, Float, Int, Unicode

from ..core.draft import diff_configs, lesson_request, parse_body, parse_result_body
from ..core.errors import InputError, JournalError
from ..core.journal import Journal
from ..core.location import ENV_VAR, named_dir
from ..core.model import Outcome
from ..core.notices import ABANDON, ADD_LESSON, CHOOSE_ENTRY, FORCE, LOG_RESULT, NEW_HYPOTHESIS, PARALLEL, RETRO
from ..core.sweep import plan_sweep
from .options import Options, flag, text, value
from .session import KernelSession

#: The core's ways out in the words of a notebook: every refusal, warning and reminder the magics show.
WORDS = {
    LOG_RESULT: "log its result first (%result)",
    ABANDON: 'close it with %result --abandon "reason"',
    PARALLEL: "add --parallel to run experiments side by side",
    FORCE: "--force logs it anyway",
    CHOOSE_ENTRY: "choose one with --name NAME",
    NEW_HYPOTHESIS: "log one first with %%hypothesis NAME",
    RETRO: "record a run after the fact with %result --retro NAME",
    ADD_LESSON: '%lesson "context: lesson" --source "...", or %lesson --never/--always ...',
}

HYPOTHESIS = Options(
    value("--config", "VAR", "A dict in the notebook holding the new config."),
    value("--base", "VAR", "A dict holding the old config; Change and Config are diffed from the two."),
    text("--sweep", "KEY[=V1,V2,...]", "A one-variable sweep of KEY, one entry for all its runs: its config row "
         "lists the values (- KEY: old → [v1, v2, v3]), or give them here (KEY=v1,v2,v3)."),
    flag("--parallel", "Open this experiment even though another is still PLANNED."),
    flag("--force", "Log even where strict mode would refuse (several variables, no baseline)."),
    positional=("name", "The experiment's name: the rest of the line."),
)
RESULT = Options(
    value("--cell", "N", "Attach the outputs of the cell whose prompt was [N] (default: the previous cell).", type=int),
    text("--name", "NAME", "Complete this open experiment (default: the one this kernel opened)."),
    text("--outcome", "TEXT", "The actual outcome in words (default: metrics found in the output)."),
    text("--learning", "TEXT", "One sentence: what this taught you."),
    text("--next", "TEXT", "What to try based on this result."),
    text("--delta", "TEXT", "The delta in words, where metrics could not be compared."),
    text("--abandon", "REASON", "Close the experiment as ABANDONED, saying why."),
    text("--retro", "NAME", "Log a run that had no hypothesis, after the fact (marked retrospective)."),
    value("--table", "FILE", "A sweep's result as a CSV table: a column for the key swept, one per metric."),
    flag("--no-output", "Attach no cell output."),
)
REVIEW = Options(
    value("-n", "N", "How many recent entries to show (default 5).", type=int, default=5),
    flag("--all", "Show every entry."),
    value("--param", "NAME", "Only experiments that changed this parameter."),
    value("--since", "DATE", "Only experiments from this date on (2026-11-25, or 2026-11)."),
    flag("--plot", "Add plots (a metric over experiments, effect per parameter); needs matplotlib."),
    flag("--widget", "Show the interactive panel (ipywidgets) instead."),
    flag("--table", "Show the compare table instead: entries as rows, what each changed (old → new), "
         "each metric with its change from the baseline, the status."),
    value("--status", "STATUS", "--table: only entries of this status (planned, completed, abandoned; "
          "several: completed,abandoned)."),
    text("--where", "KEY=VALUE", "--table: only entries whose config has KEY=VALUE (several: --where C=10 kernel=rbf)."),
    text("--search", "TEXT", "--table: only entries holding every word of TEXT, outcomes and metrics included "
         "(--search accuracy = 0.975)."),
    value("--sort", "BY", "--table: rows by time (the default) or by a metric, best first (a loss: lowest first)."),
    flag("--reverse", "--table: the other way round."),
)
#: The options that choose the rows of ``%review --table``.
TABLE_OPTIONS = ("status", "where", "search", "sort", "reverse")
LESSON = Options(
    text("--context", "C", "What the lesson is about (written before the lesson)."),
    text("--source", "S", "Where it came from: experiments, a correction, a paper."),
    text("--never", "X", "Add a rule: NEVER X ..."),
    text("--always", "X", "Add a rule: ALWAYS X ..."),
    text("--because", "Y", "... because Y (for --never)."),
    text("--when", "Y", "... when Y (for --always)."),
    positional=("text", "The lesson, e.g. 'QLoRA: alpha/r ratio matters more than rank.'"),
)
JOURNAL = Options(
    text("--dir", "PATH", "Use this experiments folder (or the project folder holding it) from now on ('auto' to search again)."),
    value("--strict", "{on,off}", "Strict mode: refuse several changed variables or a missing baseline.", choices=["on", "off"]),
    value("--nudge", "SECONDS", "Nudge after a cell this long with no open hypothesis (0: never).", type=float),
)


def _render():
    """The text and HTML views (html, the analysis' wording): imported at the first magic that shows one,
    not when the extension loads."""
    import jupyter_expjournal.render as render

    return render


def _clear_errors(method):
    """Turn a JournalError into one UsageError line (no traceback)."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except JournalError as exc:
            raise UsageError(exc.words(WORDS)) from None

    return wrapper


def _display(text: str, html: str) -> None:
    from IPython.display import display

    display({"text/plain": text, "text/html": html}, raw=True)


@magics_class
class ExpJournal(Magics):
    """Experiment-journal magics; configure with ``c.ExpJournal.<trait>`` in ipython_config.py."""

    directory = Unicode(
        "",
        help=f"The experiments folder (holding journal.md). Empty: ${ENV_VAR}, else the nearest "
        "experiments/ folder up to the git root, else one created at the git root or here.",
    ).tag(config=True)
    strict = Bool(False, help="Refuse (not just warn) a hypothesis with several changed variables or no baseline.").tag(
        config=True
    )
    nudge_seconds = Float(
        60.0, help="A cell running longer than this with no open hypothesis gets a one-line nudge (0: never)."
    ).tag(config=True)
    provenance = Bool(
        True, help="Record where each hypothesis came from: notebook and cell, git commit, package versions, host, GPUs."
    ).tag(config=True)
    ring_size = Int(32, help="How many recent cells' outputs are kept for %result.").tag(config=True)
    max_cell_bytes = Int(2_000_000, help="Output bytes kept per cell; more is cut.").tag(config=True)

    #: The ways out, worded for a notebook (the session's nudge reads them too).
    words = WORDS

    def __init__(self, shell=None, **kwargs):
        super().__init__(shell=shell, **kwargs)
        self.session = KernelSession(shell, self)
        #: Shows the widget panel for ``%review --widget``: the package wires it in
        #: (:func:`register`), so that this face never imports another.
        self.show_panel = None

    @property
    def recorder(self):
        return self.session.recorder

    def current(self) -> Journal:
        return self.session.journal()

    def status_line(self) -> str:
        try:
            return self.session.status_line()
        except JournalError as exc:
            return f"expjournal: {exc}"

    def _variable(self, name: str, option: str):
        if name not in self.shell.user_ns:
            raise InputError(f"{option}: no variable named {name!r} in the notebook")
        return self.shell.user_ns[name]

    # -- magics ------------------------------------------------------------

    @HYPOTHESIS
    @cell_magic
    @_clear_errors
    def hypothesis(self, line, cell):
        """Log a PLANNED experiment before any of its code runs.

        The cell body holds the hypothesis (its first free text, or a
        ``hypothesis:`` line) and the fields ``change:``, ``config:`` (bullets
        ``- key: old → new`` or ``- key: value``), ``expected:`` and
        ``baseline:``. The journal's own ``**Field**: value`` form works too.

        ``--sweep KEY`` plans a one-variable sweep, one entry: KEY's config row
        lists the values (``- gamma: scale → [0.01, 0.1, 1]``), or ``--sweep
        KEY=v1,v2,v3`` does; ``%result`` makes the table of value → metrics,
        the best value's Delta and the curve (``%result --table FILE``: a CSV).

        Gates: refused while another entry is PLANNED (use ``--parallel``);
        warns when several variables change or no baseline is given (refuses in
        strict mode unless ``--force``) and when the same change was tried.

        Examples
        --------
        ::

            %%hypothesis SVC C=10
            A larger C fits the digits data more tightly, so accuracy should rise.
            change: C 1 → 10
            config:
            - C: 1 → 10
            - kernel: rbf
            expected: accuracy +0.01
            baseline: accuracy = 0.95

            %%hypothesis gamma sweep --sweep gamma
            gamma sets how far one image reaches: accuracy should peak between the decades.
            config:
            - gamma: scale → [0.001, 0.01, 0.1, 1]
            expected: accuracy +0.005
            baseline: accuracy = 0.9833

            %%hypothesis deeper trees --config params --base best_params
            Deeper trees capture the interactions the shallow ones miss.
            expected: f1 +0.02
            baseline: f1 = 0.91
        """
        args, texts = HYPOTHESIS.parse(line)
        name = texts[""]
        if not name:
            raise InputError("%%hypothesis needs a name: %%hypothesis NAME, then the hypothesis in the cell body")
        draft = parse_body(name, cell or "")
        if args.base and not args.config:
            raise InputError("--base needs --config: the two dicts are diffed")
        if args.config:
            if draft.config:
                raise InputError("give the config either as config: bullets or with --config, not both")
            new = self._variable(texts["config"], "--config")
            base = self._variable(texts["base"], "--base") if args.base else new
            try:
                draft.config = diff_configs(new, base)
            except InputError as exc:
                raise InputError(f"--config {args.config} / --base {args.base or args.config}: {exc}") from None
        if args.sweep:
            draft = plan_sweep(draft, texts["sweep"])
        journal = self.current()
        logged = self.session.hypothesize(draft, parallel=args.parallel, force=args.force)
        preview = _render().short_review(logged.entries[: logged.entry.index], journal.lessons())  # as the gates saw it
        for line_shown in preview + _render().gate_lines(logged.report, WORDS):
            print(line_shown)
        print(f"Logged PLANNED {_render().named(logged.entry)} in {journal.journal_path}")

    @RESULT
    @line_cell_magic
    @_clear_errors
    def result(self, line, cell=None):
        """Complete the open experiment with the previous cell's outputs.

        Text output (stdout, stderr, results) goes into Actual outcome in a fenced
        block, images are saved under ``experiments/assets/`` and linked, an
        error is recorded as the outcome. Metrics written as ``name = 0.81``,
        ``name: 0.81`` or ``name=81%`` (or a dict result) are compared with the
        baseline and the expected outcome into Delta. Duration is the wall time
        since the hypothesis and the time spent executing cells in between.

        As a cell magic, the body holds ``outcome:``, ``learning:``, ``next:``
        and ``delta:`` lines.

        Examples
        --------
        ::

            %result --learning C matters less than gamma here --next sweep gamma
            %result --cell 12 --learning "..." --next "..."
            %result --abandon "data leak found in the split"
            %result --retro quick lr probe --learning "lr 1e-2 diverges"
            %result --table sweep.csv --learning "gamma 1e-3 is best"

            %%result
            learning: C matters less than gamma here.
            next: sweep gamma over 1e-4..1e-2
        """
        args, texts = RESULT.parse(line)
        fields = parse_result_body(cell) if cell is not None else {}
        session = self.session
        name = texts.get("name") or None
        if args.abandon:
            logged = session.abandon(texts["abandon"], name=name, learning=texts.get("learning", ""))
            print(f"'{logged.entry.name}' ABANDONED in {session.journal().journal_path}")
            return
        outcome = Outcome(
            summary=texts.get("outcome") or fields.get("outcome", ""),
            delta=texts.get("delta") or fields.get("delta", ""),
            learning=texts.get("learning") or fields.get("learning", ""),
            next=texts.get("next") or fields.get("next", ""),
        )
        if args.table and args.retro:
            raise InputError("--table is a sweep's result: a run logged after the fact planned no sweep")
        table = session.table_file(texts["table"], name, f"--table {texts['table']}") if args.table else None
        record = session.record(args.cell, attach=not args.no_output)
        if args.retro:
            logged = session.retro(texts["retro"], outcome, record)
        else:
            logged = session.complete(outcome, record, name=name, table=table)
        journal = session.journal()
        done = logged.entry
        print(f"'{done.name}' {done.status}: {_render().first_line(done.delta, 200)}")
        said = _render().attached(outcome)
        empty = outcome.source and not outcome.shown
        print(f"! {said}" if empty else f"  {said}")  # a cell that showed nothing is worth a second look
        for path in logged.assets:
            print(f"  saved {path}")
        for reminder in journal.reminders(logged.entries):
            print(f"! {reminder.words(WORDS)}")

    @REVIEW
    @line_magic
    @_clear_errors
    def review(self, line):
        """Review the journal before the next experiment: what was tried, what worked, what next.

        Shows the open experiments, the last N entries (name, status,
        hypothesis, expected vs actual, delta, learning), lessons and rules,
        reminders (lessons due, an entry still open), and an analysis of the
        whole journal: per parameter how often it changed and its measured
        effect on each metric (best, worst, vs expectation), calibration of
        expectations, repeated changes, config keys never tested, and runs
        that broke (out of memory, NaN, diverging loss, crash). Rich HTML in a
        notebook, clean text in a terminal.

        Examples
        --------
        ::

            %review
            %review -n 10 --plot
            %review --param learning_rate --since 2026-11
            %review --widget
            %review --table --all
            %review --table --status completed --where kernel=rbf --sort accuracy -n 10
            %review --table --search accuracy = 0.975
        """
        args, texts = REVIEW.parse(line)
        if args.n < 0:
            raise InputError(f"-n must be 0 or more, not {args.n}")
        from ..core.analysis import check_since  # the analysis stays unimported until a review needs it

        since = check_since(texts.get("since"))  # before --widget too: a bad date is refused either way
        chosen = [f"--{name}" for name in TABLE_OPTIONS if getattr(args, name)]
        if chosen and not args.table:
            raise InputError(f"{', '.join(chosen)} choose the rows of the compare table: add --table")
        if args.table:
            self._review_table(args, texts, since)
            return
        if args.widget:
            if self.show_panel is None:
                raise InputError("the panel is not available in this kernel")
            self.show_panel(self.session)
            return
        review = self.current().review(n=args.n, all=args.all, param=texts.get("param"), since=since)
        images, note = [], ""
        if args.plot:
            from ..plots import analysis_plots, no_plots

            images = analysis_plots(review.analysis) if review.analysis is not None else []
            note = "" if images else no_plots(review.analysis)
        # The core returns the same Review while the files are unchanged: render it once
        # (rendering the analysis of 10,000 entries takes ~100 ms).
        cached = getattr(self, "_rendered", None)
        if cached is not None and cached[0] is review and not images:
            text, html = cached[1]
        else:
            text, html = _render().review_views(review, images, WORDS)
            self._rendered = (review, (text, html))
        if note:
            from html import escape

            text, html = f"{text}\n\n({note})", f"{html}<div style='opacity:.7'>({escape(note)})</div>"
        _display(text, html)

    def _review_table(self, args, texts: dict, since: str | None) -> None:
        """``%review --table``: the core's compare table, as text and HTML in one display."""
        from ..core.compare import select

        table = select(
            self.current().entries(),
            status=texts.get("status"),
            params=texts.get("where", "").split(),
            text=texts.get("search"),
            param=texts.get("param"),
            since=since,
            sort=texts.get("sort") or None,
            reverse=args.reverse,
            limit=None if args.all else args.n,
        )
        _display(*_render().compare_views(table))

    @LESSON
    @line_cell_magic
    @_clear_errors
    def lesson(self, line, cell=None):
        """Distill a lesson, or a hard-won NEVER/ALWAYS rule, into lessons.md.

        As a cell magic the body is the lesson text (any quotes, several lines).

        Examples
        --------
        ::

            %lesson QLoRA: alpha/r ratio matters more than rank. --source runs 3-5
            %lesson --never train in fp16 without loss scaling --because the loss goes NaN
            %lesson --always pin the eval seed --when comparing runs
        """
        _, texts = LESSON.parse(line)
        lesson = texts[""]
        if cell is not None:
            lesson = f"{lesson}\n{cell}".strip() if lesson else cell
        options = {k: texts.get(k, "") for k in ("context", "source", "never", "always", "because", "when")}
        request = lesson_request(lesson, **options)
        journal = self.current()
        print(f"{journal.lessons_path}: {journal.learn(request)}")

    @JOURNAL
    @line_magic
    @_clear_errors
    def journal(self, line):
        """Where the journal is and its state; point it elsewhere or switch strict mode.

        The folder is, in order: ``%journal --dir``, ``c.ExpJournal.directory``,
        ``$EXPJOURNAL_DIR``, the nearest ``experiments/`` folder walking up to the
        git root, else a new one at the git root (or here, outside git).

        Examples
        --------
        ::

            %journal
            %journal --dir ../shared-experiments
            %journal --strict on
        """
        args, texts = JOURNAL.parse(line)
        if args.dir:
            chosen = texts["dir"]
            self.directory = "" if chosen == "auto" else str(named_dir(chosen))
            if self.directory and Path(self.directory).exists() and not Path(self.directory).is_dir():
                bad, self.directory = self.directory, ""
                raise InputError(f"--dir: {bad} is not a folder")
        if args.strict:
            self.strict = args.strict == "on"
        if args.nudge is not None:
            if args.nudge < 0:
                raise InputError("--nudge takes seconds, 0 or more")
            self.nudge_seconds = args.nudge
        journal = self.current()
        review = journal.review(n=0)
        where = (
            "%journal --dir / c.ExpJournal.directory"
            if self.directory
            else f"${ENV_VAR}" if os.environ.get(ENV_VAR) else "the nearest experiments/ folder"
        )
        counts = _render().status_counts(review.counts) or "no entries"
        lines = [
            f"journal: {journal.journal_path} ({counts})",
            f"lessons: {journal.lessons_path} ({_render().plural(len(review.lessons.lessons), 'lesson')}, "
            f"{_render().plural(len(review.lessons.rules), 'rule')})",
            f"chosen by: {where}",
            f"strict: {'on' if self.strict else 'off'}; nudge after {self.nudge_seconds:g} s",
        ]
        lines.extend(f"open: '{e.name}' ({e.timestamp})" for e in review.open)
        print("\n".join(lines))


def register(shell, show_panel=None) -> ExpJournal:
    """Register the magics in ``shell`` (once) and start recording cell outputs.

    ``show_panel(session)`` is what ``%review --widget`` calls.
    """
    magics = getattr(shell, "_expjournal", None)
    if magics is None:
        magics = ExpJournal(shell=shell)
        shell.register_magics(magics)
        shell._expjournal = magics
    magics.show_panel = show_panel
    magics.recorder.register()
    return magics


def unregister(shell) -> None:
    """Stop recording; the magics stay registered (IPython has no way to drop them)."""
    magics = getattr(shell, "_expjournal", None)
    if magics is not None:
        magics.recorder.unregister()
