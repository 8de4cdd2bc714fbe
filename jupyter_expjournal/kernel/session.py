"""What one kernel knows beyond the files, shared by the magics and the widget panel.

The files say which entries are open; only the kernel knows which one *it*
opened and when (so ``%result`` completes the right one and can time it), and
what its recent cells printed. Both faces in a kernel (magics and widget) go
through one :class:`KernelSession`, so a hypothesis logged from the panel is
completed by ``%result`` and the other way round.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from ..core.durations import describe_run, format_duration
from ..core.errors import InputError
from ..core.index import entry_time
from ..core.journal import Journal
from ..core.location import find_experiments_dir
from ..core.model import Draft, Logged, Outcome
from ..core.notices import RETRO, Notice
from ..core.outcome import cell_source, from_notebook
from ..core.provenance import collect, gpus
from .recorder import CellRecord, OutputRecorder


class KernelSession:
    """One kernel's journal state: the recorder, the entries it opened, its settings.

    ``settings`` is any object with ``directory``, ``strict``, ``nudge_seconds``,
    ``ring_size`` and ``max_cell_bytes`` attributes (the ``ExpJournal``
    configurable), read at each call so ``%journal`` changes take effect at once,
    and optionally ``words``: the face's vocabulary for the ways out it prints.
    """

    def __init__(self, shell, settings) -> None:
        self.shell = shell
        self.settings = settings
        self.recorder = OutputRecorder(shell, ring_size=settings.ring_size, max_cell_bytes=settings.max_cell_bytes)
        self.recorder.after_cell.append(self._nudge)
        #: heading -> time.time() when this kernel opened the entry; the last is "mine".
        self.opened: dict[str, float] = {}
        self._journals: dict[Path, Journal] = {}

    def journal(self) -> Journal:
        """The journal for the current working directory (re-found each call: cwd may move)."""
        path = find_experiments_dir(explicit=self.settings.directory or None)
        if path not in self._journals:
            self._journals[path] = Journal(path)
        return self._journals[path]

    def preferred(self) -> str | None:
        return next(reversed(self.opened), None)

    def status_line(self) -> str:
        journal = self.journal()
        entries = journal.entries()
        if not journal.journal_path.exists():
            return f"expjournal: journal will be created at {journal.journal_path} (no entries yet)"
        open_ = journal.open_entries()
        tail = "; open: " + ", ".join(f"'{e.name}'" for e in open_) if open_ else "; none open"
        return f"expjournal: {journal.journal_path}: {len(entries)} entries{tail}"

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
        if getattr(self.settings, "provenance", True) and "Provenance" not in draft.extra:
            draft.extra["Provenance"] = self.provenance()
        logged = self.journal().hypothesize(draft, parallel=parallel, strict=self.settings.strict, force=force)
        self.opened[logged.entry.heading] = time.time()
        return logged

    def record(self, cell: int | None = None, attach: bool = True) -> CellRecord | None:
        """The cell whose outputs a result attaches: prompt ``cell``, else the previous one."""
        if cell is not None:
            record = self.recorder.by_prompt(cell)
            if record is None:
                raise InputError(
                    f"no recorded output for cell [{cell}]: the journal keeps the last "
                    f"{self.settings.ring_size} cells run since %load_ext jupyter_expjournal"
                )
            return record
        return self.recorder.previous() if attach else None

    def complete(self, outcome: Outcome, record: CellRecord | None, *, name: str | None = None) -> Logged:
        """Complete the open entry (mine, or ``name``) with a cell's outputs and the timing."""
        journal = self.journal()
        entry = journal.resolve_open(name, self.preferred())
        start = self.opened.get(entry.heading)
        if start is None:
            started = entry_time(entry)
            start = started.timestamp() if started else None
        value = self._attach(outcome, record, start)
        logged = journal.complete(outcome, name=name, preferred=entry.heading, result_value=value)
        self.opened.pop(entry.heading, None)
        return logged

    def retro(self, name: str, outcome: Outcome, record: CellRecord | None) -> Logged:
        value = self._attach(outcome, record, None)
        return self.journal().retro(name, outcome, result_value=value)

    def abandon(self, reason: str, *, name: str | None = None, learning: str = "") -> Logged:
        logged = self.journal().abandon(reason, name=name, preferred=self.preferred(), learning=learning)
        self.opened.pop(logged.entry.heading, None)
        return logged

    # -- internals -----------------------------------------------------------

    def _attach(self, outcome: Outcome, record: CellRecord | None, start: float | None) -> object:
        """Fill ``outcome`` from the cell record and the time since ``start``; return the cell's value."""
        value = None
        if record is not None:
            # The core's rule on the outputs as the notebook stores them: what the sidebar posts for the same cell.
            shown = from_notebook(record.notebook_outputs())
            outcome.output, outcome.images, outcome.error = shown.text, shown.images, shown.error
            outcome.source = cell_source(record.prompt)
            value = record.result_value
        if start is not None:
            cells = self.recorder.since(start)
            wall = time.time() - start
            outcome.duration = describe_run(wall, [r.duration for r in cells], gpus())
        if record is None and not outcome.summary:
            raise InputError("no previous cell output to attach: run the experiment first, or give an outcome")
        return value

    def _nudge(self, record: CellRecord) -> None:
        limit = self.settings.nudge_seconds
        if not limit or record.duration < limit or self.journal().open_entries():
            return
        nudge = Notice(f"that cell ran {format_duration(record.duration)} with no open hypothesis", (RETRO,))
        print(f"expjournal: {nudge.words(getattr(self.settings, 'words', None))}")
