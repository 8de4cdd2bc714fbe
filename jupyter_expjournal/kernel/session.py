"""What one kernel knows beyond the files, shared by the magics and the widget panel.

The files say which entries are open; only the kernel knows which one *it*
opened and when (so ``%result`` completes the right one and can time it), and
what its recent cells printed. Both faces in a kernel (magics and widget) go
through one :class:`KernelSession`, so a hypothesis logged from the panel is
completed by ``%result`` and the other way round.
"""

from __future__ import annotations

import math
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import jupyter_expjournal.render as render
import jupyter_expjournal.sweep_curve as sweep_curve

from ..core.durations import describe_run, format_duration
from ..core.errors import InputError
from ..core.identity import ref
from ..core.index import seconds_since
from ..core.journal import Journal
from ..core.location import find_experiments_dir
from ..core.model import Draft, Entry, Logged, Outcome
from ..core.notices import RETRO, Notice
from ..core.outcome import cell_source, from_notebook
from ..core.provenance import collect, gpus
from .recorder import CellRecord, OutputRecorder

#: A line of the journal's own magics that only talk to the journal (a ``%%hypothesis`` cell opens a run: not skipped).
_TALK = re.compile(r"\s*%{1,2}(?:result|review|journal|lesson)\b")


def _journal_talk(source: str) -> bool:
    """A cell that only spoke to the journal (a ``%result`` refused, a ``%review``): not the run a result attaches."""
    lines = [line for line in source.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        return False
    if re.match(r"\s*%%(?:result|lesson)\b", lines[0]):
        return True
    return all(_TALK.match(line) for line in lines)


@dataclass
class Opened:
    """An entry this kernel opened: when, from which cell, and from which of the recorder's timed cells on."""

    start: float  # time.time() at the hypothesis
    cell: CellRecord | None  # the cell that ran the hypothesis (not counted as running the experiment)
    first: int = 0  # the recorder's mark (OutputRecorder.time_cells) when it was opened


class KernelSession:
    """One kernel's journal state: the recorder, the entries it opened, its settings.

    ``settings`` is any object with ``directory``, ``strict``, ``nudge_seconds``,
    ``ring_size`` and ``max_cell_bytes`` attributes (the ``ExpJournal``
    configurable), read at each call so ``%journal`` changes take effect at once,
    and optionally ``words``: the face's vocabulary for the ways out it prints.
    ``nudge_seconds`` is the exception, as it would be read after every cell:
    when ``settings`` can be observed (traitlets' ``observe``), it is read when it
    changes, and the recorder compares each cell's duration with it; else a
    cell's end reads it.
    """

    def __init__(self, shell, settings) -> None:
        self.shell = shell
        self.settings = settings
        self.recorder = OutputRecorder(shell, ring_size=settings.ring_size, max_cell_bytes=settings.max_cell_bytes)
        self.recorder.on_long_cell = self._long_cell
        observe = getattr(settings, "observe", None)
        if callable(observe):
            observe(self._nudge_changed, names="nudge_seconds")
            self._nudge_changed({"new": settings.nudge_seconds})
        else:
            self.recorder.long_cell = 0.0  # every cell: _long_cell reads the setting
        #: (experiments folder, entry id) -> what this kernel ran for an entry it opened; in each
        #: folder (``%journal --dir`` may switch) the last opened is "mine".
        self.opened: dict[tuple[Path, str], Opened] = {}
        self._journals: dict[Path, Journal] = {}
        self._found: tuple[tuple, Journal] | None = None  # (the cell, settings and cwd it was found for, the journal)

    def journal(self) -> Journal:
        """The journal for the current working directory: found again for each cell (cwd may move), once
        per cell (a magic asks several times; walking up the folders is a dozen system calls each time)."""
        key = (self.recorder.current, self.settings.directory, os.getcwd())
        if key[0] is not None and self._found is not None and self._found[0] == key:
            return self._found[1]
        path = find_experiments_dir(explicit=self.settings.directory or None)
        if path not in self._journals:
            self._journals[path] = Journal(path)
        found = self._journals[path]
        self._found = (key, found)
        return found

    def preferred(self) -> str | None:
        """The id of the entry this kernel opened last in the current journal and has not closed."""
        here = self.journal().directory
        return next((key for folder, key in reversed(self.opened) if folder == here), None)

    def status_line(self) -> str:
        journal = self.journal()
        entries = journal.entries()
        if not journal.journal_path.exists():
            return f"expjournal: journal will be created at {journal.journal_path} (no entries yet)"
        open_ = journal.open_entries()
        tail = "; open: " + ", ".join(f"'{e.name}'" for e in open_) if open_ else "; none open"
        return f"expjournal: {journal.journal_path}: {render.entries_count(len(entries))}{tail}"

    # -- actions -------------------------------------------------------------

    def notebook_path(self) -> str:
        """The notebook this kernel runs, when the front end says (JupyterLab, VS Code)."""
        ns = getattr(self.shell, "user_ns", {}) or {}
        path = os.environ.get("JPY_SESSION_NAME") or ns.get("__vsc_ipynb_file__") or ns.get("__session__") or ""
        if not isinstance(path, str) or not path:
            return ""
        try:
            return os.path.relpath(path) if os.path.isabs(path) else path
        except ValueError:
            return path

    def provenance(self) -> str:
        current = self.recorder.current
        cells = [current.cell_id] if current is not None and current.cell_id else []
        return collect(notebook=self.notebook_path(), cells=cells).describe()

    def hypothesize(self, draft: Draft, *, parallel: bool = False, force: bool = False) -> Logged:
        if "Provenance" not in draft.extra:
            draft.extra["Provenance"] = self._provenance_if_kept()
        logged = self.journal().hypothesize(draft, parallel=parallel, strict=self.settings.strict, force=force)
        self.opened[self._mine(logged.entry)] = Opened(time.time(), self.recorder.current, self.recorder.time_cells())
        return logged

    def record(self, cell: int | None = None, attach: bool = True) -> CellRecord | None:
        """The cell whose outputs a result attaches: prompt ``cell``, else the last that ran more than journal magics.

        A ``%result`` refused (which entry?) and retried with ``--name``, or a
        ``%review`` run before the result, is not the experiment's output.
        """
        if cell is not None:
            record = self.recorder.by_prompt(cell)
            if record is None:
                raise InputError(
                    f"no recorded output for cell [{cell}]: the journal keeps the last "
                    f"{self.settings.ring_size} cells run since %load_ext jupyter_expjournal"
                )
            return record
        if not attach:
            return None
        for record in reversed(self.recorder.records):  # the experiment's cell, not the journal talk after it
            if not _journal_talk(record.source):
                return record
        return None

    def table_file(self, path: str, name: str | None, label: str) -> list[dict]:
        """A sweep's CSV table file (``%result --table FILE``, the panel's ``table``), checked against the open
        entry (mine, or ``name``) by the core's rule; ``label`` names it in the face's words when it cannot be read."""
        from ..core.sweep_result import table_rows  # the metrics package: only for a sweep's table

        try:
            text = Path(path).expanduser().read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{label}: cannot read it ({getattr(exc, 'strerror', None) or exc})") from None
        return table_rows(self.journal().resolve_open(name, self.preferred()), text, path)

    def complete(self, outcome: Outcome, record: CellRecord | None, *, name: str | None = None,
                 table: list | None = None) -> Logged:
        """Complete the open entry (mine, or ``name``) with a cell's outputs and the timing; ``table``: a sweep's
        rows (``%result --table``), its result instead of the cell's value. A sweep gets its curve."""
        journal = self.journal()
        entry = journal.resolve_open(name, self.preferred())
        value = self._attach(outcome, record, self.opened.get(self._mine(entry)), entry, table)
        outcome = sweep_curve.attach_for(entry, outcome, value)  # a sweep's curve, saved and linked
        logged = journal.complete(outcome, name=ref(entry), result_value=value)
        self._closed(logged)
        return logged

    def retro(self, name: str, outcome: Outcome, record: CellRecord | None) -> Logged:
        value = self._attach(outcome, record, None, None)
        return self.journal().retro(name, outcome, result_value=value, provenance=self._provenance_if_kept())

    def abandon(self, reason: str, *, name: str | None = None, learning: str = "") -> Logged:
        logged = self.journal().abandon(reason, name=name, preferred=self.preferred(), learning=learning)
        self._closed(logged)
        return logged

    # -- internals -----------------------------------------------------------

    def _attach(self, outcome: Outcome, record: CellRecord | None, opened: Opened | None, entry: Entry | None,
                given: object = None) -> object:
        """Fill ``outcome`` from the cell record and the time the entry took; return the cell's value.

        An entry this kernel opened is timed from its own record: the wall time
        since the hypothesis and the cells run since (renames and hand edits of
        the heading change nothing). One opened elsewhere is timed from its
        heading; which cells ran for it is not known here, so none are counted.
        """
        value = given  # a sweep's table: the result, whatever the cell returned
        if record is not None:
            # The core's rule on the outputs as the notebook stores them: what the sidebar posts for the same cell.
            shown = from_notebook(record.notebook_outputs())
            outcome.output, outcome.images, outcome.error = shown.text, shown.images, shown.error
            outcome.cut_metrics = record.dropped_metrics  # read from what the capture cut: no metric is lost
            outcome.source = cell_source(record.prompt)
            value = record.result_value if given is None else given
        if opened is not None:
            outcome.duration = describe_run(time.time() - opened.start, self._cell_seconds(opened), gpus())
        elif entry is not None:
            wall = seconds_since(entry)
            if wall is not None:
                outcome.duration = describe_run(wall, None, gpus())
        if record is None and not outcome.summary and given is None:
            raise InputError("no previous cell output to attach: run the experiment first, or give an outcome")
        if record is not None and not (outcome.shown or value is not None):
            if not outcome.summary:  # an entry COMPLETED with an empty outcome says nothing
                raise InputError(f"{outcome.source} showed no output to attach and no outcome was given:"
                                 " run the experiment first, pick the cell that showed its output, or give an outcome")
        return value

    def _provenance_if_kept(self) -> str:
        """This kernel's Provenance line, or '' when turned off (the core still gives the entry its id)."""
        return self.provenance() if getattr(self.settings, "provenance", True) else ""

    def _closed(self, logged: Logged) -> None:
        """Forget the entry just closed, and those of mine closed elsewhere: a person named another instead."""
        self.opened.pop(self._mine(logged.entry), None)
        here = self.journal()
        still = {ref(e) for e in here.open_entries()}
        for folder, key in [mine for mine in self.opened if mine[0] == here.directory and mine[1] not in still]:
            del self.opened[folder, key]
        # The durations of cells no open entry counts are not needed any more (none kept with none open).
        self.recorder.forget_durations(min((o.first for o in self.opened.values()), default=None))

    def _mine(self, entry: Entry) -> tuple[Path, str]:
        """How :attr:`opened` knows ``entry``: the current journal's folder and the entry's id."""
        return self.journal().directory, ref(entry)

    def _cell_seconds(self, opened: Opened) -> list[float]:
        """How long each cell finished since ``opened`` ran, but the cell that opened it."""
        seconds = self.recorder.durations_since(opened.first)
        if opened.cell is not None and opened.cell.finished and seconds:
            # The cell that opened the entry was running then: it is the first to finish since.
            del seconds[0]
        return seconds

    def _nudge_changed(self, change) -> None:
        limit = change["new"]
        self.recorder.long_cell = limit if limit and limit > 0 else math.inf

    def _long_cell(self, record: CellRecord) -> None:
        """A cell ran at least ``nudge_seconds`` (the recorder compares; without observable settings, every cell)."""
        limit = self.settings.nudge_seconds
        if limit and record.duration >= limit:
            self._nudge(record)

    def _nudge(self, record: CellRecord) -> None:
        if self.journal().open_entries():
            return
        nudge = Notice(f"that cell ran {format_duration(record.duration)} with no open hypothesis", (RETRO,))
        print(f"expjournal: {nudge.words(getattr(self.settings, 'words', None))}")
