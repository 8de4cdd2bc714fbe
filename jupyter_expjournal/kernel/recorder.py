"""Per-cell output recorder: which cell is running, and where its outputs come from.

Why this exists
---------------
``%result`` attaches "the outputs of the previous cell" (or of the cell whose
prompt was ``In [N]``) to a journal entry.  IPython keeps something similar in
``history_manager.outputs``, but that dict is keyed by ``execution_count``,
which does not identify the cell reliably: under ipykernel 7 with IPython >=
9.8 the counter is bumped before the cell runs and outputs were measured under
the wrong key, and nbval runs every cell with ``store_history=False``, so the
counter never moves and all cells share one key.  So we record the outputs
ourselves, attributing them to the cell that is running *when they are
produced* rather than to a counter value.

How
---
* ``pre_run_cell`` opens a :class:`~.cell.CellRecord`; ``post_run_cell``
  closes it.  Silent executions never fire these events, and nested
  ``run_cell`` calls (``get_ipython().run_cell(...)`` inside a cell) are folded
  into the outer cell: their outputs appear in the outer cell of the notebook too.
* ``sys.stdout``/``sys.stderr`` are teed for the duration of a cell
  (:mod:`.tee`).  Writes made while the display hook, the display publisher or
  a traceback printer is active are *not* recorded as stream text: those are
  recorded from their structured source instead (terminal IPython prints
  results, ``display()`` text and tracebacks to stdout, which would otherwise
  be recorded twice).
* In a kernel, everything the notebook gets as stream text passes the
  kernel's own OutStream objects, which are tapped (:mod:`.descriptors`):
  that adds what child processes and C code write to file descriptors 1 and
  2 (ipykernel forwards it from a pipe, in a thread of its own) and what
  logging handlers made before ``%load_ext`` write. Text from other threads
  is queued on the record and taken in order by the cell's next output (or
  read); bytes still in the pipes before a display, a result or an error,
  or when a cell starts right after another, are waited for, and what the
  watcher hands over after the cell goes to it.  Under terminal
  IPython, logging handlers bound to the real streams before ``register`` are
  pointed at the tee's proxies instead.
* Execute results come from the display hook's ``write_format_data`` (present
  in both terminal IPython's ``DisplayHook`` and ipykernel's
  ``ZMQShellDisplayHook``); rich display from ``shell.display_pub.publish``
  (both wrapped by :mod:`.shell_patches`, with the traceback printers).
  matplotlib-inline flushes figures on ``post_execute``, which fires before
  ``post_run_cell``, so figures land in the cell that drew them.
* Errors: every traceback that is shown is recorded where it happens (so an
  error inside a nested cell, or one shown by a formatter, is not lost), as
  the shell's ``_showtraceback`` hands it to the front end (the notebook
  stores that very traceback); the cell's own
  ``error_before_exec``/``error_in_exec`` is recorded at ``post_run_cell`` if
  it was not shown already.

Per-cell cost matters (every cell the user runs pays it), so the event
handlers do the minimum; what the outputs become is decided only when they
are attached (:meth:`~.cell.CellRecord.notebook_outputs`). What the session
needs of every cell (its duration, for the entries it opened; whether it ran
long enough to nudge) is kept without a Python call per cell:
:meth:`OutputRecorder.time_cells` and ``long_cell``.

This module imports nothing from IPython, ipykernel or matplotlib: it only
uses the shell object it is given, so importing it is cheap and it works with
IPython 8 and 9 alike.
"""

from __future__ import annotations

import logging
import math
import sys
from array import array
from collections import deque
from collections.abc import Callable
from threading import get_ident
from time import perf_counter
from time import time as wall_time

# Absolute imports: this module is also loaded on its own, by file, to check that it imports nothing heavy.
from jupyter_expjournal.kernel.cell import CellRecord, Output
from jupyter_expjournal.kernel.descriptors import KernelStreams, is_kernel_stream
from jupyter_expjournal.kernel.shell_patches import ShellPatches
from jupyter_expjournal.kernel.tee import StreamTaps, real_stream

__all__ = ["Output", "CellRecord", "OutputRecorder"]

_log = logging.getLogger(__name__)

#: A cell that starts within this many seconds of the last one's end first waits for what is still in the
#: descriptors' pipes (it belongs to the last cell). Later, the watcher threads have had the CPU main left idle.
#: 5 ms was too short on a loaded machine (cells queued by Run All started 5-50 ms apart while the watcher
#: waited for a core, and a child's line went to the next cell).
BACK_TO_BACK = 0.05
#: The look at the pipes is a poll through ctypes whose code is cold at every cell (11-16 µs in a kernel:
#: most of the recorder's cost per cell). A cell shorter than ``SHORT_CELL`` (no child process runs that
#: fast) is looked after only when the next starts within ``SHORT_GAP``: the watchers then had longer
#: than the cell ran to take in what it wrote.
SHORT_CELL = 0.001
SHORT_GAP = 0.005


class OutputRecorder:
    """Records the outputs of each top-level cell run by ``shell``.

    ``records`` holds the last ``ring_size`` finished cells; ``current`` is the
    cell now running.  Each cell keeps at most ``max_cell_bytes`` (its
    record's ``budget``; see :class:`~.cell.CellRecord`).  Functions in ``after_cell``
    (the public way to follow the cells: the widget panel does) are called with
    each finished record; ``on_long_cell`` only with those that ran at least
    ``long_cell`` seconds, before them. Their exceptions are logged and
    swallowed, never shown as the user's error.
    """

    # Slots: the per-cell callbacks read a dozen of these with their code and data cold (see _pre_run_cell).
    __slots__ = (
        "shell", "ring_size", "max_cell_bytes", "records", "current", "after_cell", "long_cell", "on_long_cell",
        "_registered", "_seq", "_stack", "_t0", "_ended", "_look_within", "_shown_errors", "_value_holder",
        "_shell_patches", "_taps", "_kernel", "_main", "_pre_cb", "_post_cb", "_plain_out", "_plain_err", "_teed",
        "_durations", "_durations_base",
    )

    def __init__(self, shell, ring_size: int = 32, max_cell_bytes: int = 2_000_000) -> None:
        self.shell = shell
        self.ring_size = ring_size
        self.max_cell_bytes = max_cell_bytes
        self.records: deque[CellRecord] = deque(maxlen=ring_size)
        self.current: CellRecord | None = None
        self.after_cell: list[Callable[[CellRecord], None]] = []
        #: A finished cell that ran at least ``long_cell`` seconds is handed to ``on_long_cell`` (before the
        #: ``after_cell`` callbacks): the session's nudge, with no Python call for the other cells.
        self.long_cell = math.inf
        self.on_long_cell: Callable[[CellRecord], None] | None = None

        self._registered = False
        self._seq = 0
        self._stack: list = []  # ExecutionInfo of the cells now running, outermost first
        self._t0 = 0.0
        self._ended = 0.0  # perf_counter() when the last cell finished
        # A cell starting within this many seconds of the last one's end first settles the pipes (for the last
        # one): BACK_TO_BACK, or SHORT_GAP after a short cell; never before the first cell ended.
        self._look_within = -1.0
        self._shown_errors: list = []  # exceptions recorded as shown during this cell
        self._value_holder: CellRecord | None = None
        # The shell's display and traceback methods, wrapped: outputs recorded from their source.
        self._shell_patches = ShellPatches(shell, self._on_publish, self._on_result, self._on_traceback_shown)
        self._taps = StreamTaps(self.on_stream)
        self._kernel = KernelStreams(self.on_stream, real_stream)
        self._main = get_ident()  # the thread cells run in (set again at each cell)
        self._pre_cb = self._pre_run_cell
        self._post_cb = self._post_run_cell
        # sys.stdout and sys.stderr as the last cell found them when it had nothing to tap or tee: while they
        # stay, a cell does not look again (in a kernel, the kernel's streams, tapped once).
        self._plain_out = self._plain_err = None
        self._teed = False  # the tee is in front of a stream for this cell: put it back after
        self._durations: array | None = None  # each finished cell's duration, while timing (see time_cells)
        self._durations_base = 0  # the mark of the first of them

    # -- public -------------------------------------------------------------

    def register(self) -> None:
        """Start recording (connect to ``shell.events``).  Idempotent."""
        if self._registered:
            return
        self._registered = True
        self._shell_patches.start()
        kernel_streams = tuple(s for s in (real_stream(sys.stdout), real_stream(sys.stderr)) if is_kernel_stream(s))
        self._taps.bind_handlers(kernel_streams)
        self.shell.events.register("pre_run_cell", self._pre_cb)
        self.shell.events.register("post_run_cell", self._post_cb)

    def unregister(self) -> None:
        """Stop recording and put back everything we replaced.  Idempotent."""
        if not self._registered:
            return
        self._registered = False
        for event, cb in (("pre_run_cell", self._pre_cb), ("post_run_cell", self._post_cb)):
            try:
                self.shell.events.unregister(event, cb)
            except ValueError:
                pass
        self._taps.restore()
        self._taps.unbind_handlers()
        self._kernel.remove()
        self._plain_out = self._plain_err = None
        self._teed = False
        self._shell_patches.stop()
        self._stack.clear()
        self.current = None
        self._shown_errors.clear()

    @property
    def registered(self) -> bool:
        return self._registered

    def settle(self) -> None:
        """Take in what was written to descriptors 1 and 2 and still waits in their pipes (in a kernel).

        The recorder does so before each display, result and error, and when a
        cell starts right after another; what the descriptor watcher hands over
        after a cell goes to that cell anyway. Call this to read the last
        record complete the moment its cell ended (from an ``after_cell``
        callback): a child process's output may not have been read yet then.
        """
        self._settle()

    @property
    def kernel_streams(self) -> KernelStreams:
        """The kernel's own streams this recorder taps (none under terminal IPython)."""
        return self._kernel

    def previous(self) -> CellRecord | None:
        """The last finished cell (while a cell runs: the one before it)."""
        return self.records[-1] if self.records else None

    def by_prompt(self, n: int) -> CellRecord | None:
        """The most recent finished cell whose prompt was ``In [n]``."""
        for rec in reversed(self.records):
            if rec.prompt == n:
                return rec
        return None

    def since(self, t0: float) -> list[CellRecord]:
        """Finished cells that started at or after ``t0`` (a ``time.time()`` value)."""
        return [rec for rec in self.records if rec.started >= t0]

    # -- how long the cells ran: kept only while someone times them (the ring keeps only the last few) --

    def time_cells(self) -> int:
        """Keep each finished cell's duration from now on (if not kept already); the mark of the next cell to finish.

        :meth:`durations_since` that mark gives the seconds of each cell that
        finished since. An array of floats, appended at each cell's end: no
        Python call per cell, whatever reads them.
        """
        if self._durations is None:
            self._durations = array("d")
        return self._durations_base + len(self._durations)

    def durations_since(self, mark: int) -> list[float]:
        """The seconds each cell finished since ``mark`` (from :meth:`time_cells`) ran, in order."""
        durations = self._durations
        if durations is None:
            return []
        return durations[max(0, mark - self._durations_base) :].tolist()

    def forget_durations(self, before: int | None) -> None:
        """Drop the durations of the cells before mark ``before``; ``None``: stop keeping durations at all."""
        durations = self._durations
        if durations is None:
            return
        if before is None:
            self._durations_base += len(durations)
            self._durations = None
            return
        drop = min(len(durations), max(0, before - self._durations_base))
        del durations[:drop]
        self._durations_base += drop

    # -- events -------------------------------------------------------------

    def _pre_run_cell(self, info=None) -> None:
        # Every cell the user runs pays for this and for _post_run_cell, with their code and data cold (the
        # kernel's own work in between evicts them): each lookup, call and object made counts several times
        # what it does in a loop. So: nothing looked up twice, a decision made at the last cell's end read as
        # one number, the streams looked at again only when they changed.
        if info is not None and info.silent:
            return
        stack = self._stack
        stack.append(info)
        if len(stack) > 1:
            return  # nested run_cell: its outputs belong to the outer cell
        now = perf_counter()
        if now - self._ended < self._look_within:
            self._settle()  # no cell runs yet: what the pipes still hold goes to the last one
            now = perf_counter()  # the wait is the last cell's, not this one's
        self._t0 = now
        shell = self.shell
        patches = self._shell_patches
        if shell.display_pub is not patches.pub or shell.displayhook is not patches.hook:
            patches.patch_display()
        if info is None:
            prompt, cell_id, source = None, None, ""
        else:
            # The N of "In [N]".  IPython 8 bumps execution_count after the
            # cell, IPython 9 (9.18 measured, plain shell and ipykernel 7)
            # before pre_run_cell, so execution_count is N there and N + 1
            # here.  The display hook's prompt_count means "this cell" in
            # both; post_run_cell then takes ExecutionResult.execution_count.
            # prompt_count is a property reading a traitlet (four Python calls, a third of this callback's
            # time): the value is read where traitlets keeps it, when that was found to give the same.
            prompt = None
            if info.store_history:
                offset = patches.count_offset
                try:
                    prompt = patches.hook.prompt_count if offset is None else shell._trait_values["execution_count"] - offset
                except Exception:
                    pass
            cell_id, source = getattr(info, "cell_id", None), info.raw_cell
        self._seq = seq = self._seq + 1
        self.current = CellRecord(seq, prompt, cell_id, source, wall_time(), self.max_cell_bytes)
        patches.quiet = 0  # whatever a display hook left between cells (it counts only while a cell runs)
        patches.in_displayhook = False
        self._main = get_ident()
        if sys.stdout is not self._plain_out or sys.stderr is not self._plain_err:
            self._tap_streams()  # the streams changed since the last cell, or the tee is in front of them

    def _tap_streams(self) -> None:
        """Tap the kernel's streams and put the tee in front of the others; remember when there was nothing to do."""
        out, err = sys.stdout, sys.stderr
        self._teed = teed = self._taps.install(self._kernel.install())
        self._plain_out, self._plain_err = (None, None) if teed else (out, err)

    def _post_run_cell(self, result=None) -> None:
        # Colab calls post_run_cell callbacks with no argument: then there is no result to read.
        stack = self._stack
        if not stack:
            return
        if result is not None:
            info = result.info
            if info is not stack[-1]:
                # An empty cell fires post_run_cell without pre_run_cell; so does
                # the cell during which register() was called.
                return
        stack.pop()
        rec = self.current
        if rec is None:  # pragma: no cover - defensive
            stack.clear()
            return
        if result is not None:
            err = result.error_before_exec or result.error_in_exec
            if err is not None:
                try:
                    self._on_traceback_shown(err)
                except Exception:  # pragma: no cover - never leave the streams swapped
                    _log.debug("recording an error failed", exc_info=True)
        if stack:
            return  # end of a nested cell
        # The cell ended: its record goes in the ring.
        self._ended = ended = perf_counter()
        rec.duration = duration = ended - self._t0
        # A cell shorter than SHORT_CELL (no child process runs that fast) is looked after only when the
        # next starts within SHORT_GAP: the watchers then had longer than the cell ran.
        self._look_within = BACK_TO_BACK if duration >= SHORT_CELL else SHORT_GAP
        if self._teed:
            self._taps.restore()
        self.current = None
        if rec.outputs:  # a stream output may still be open (text queued from other threads is taken in when read)
            rec.close_stream()
        if self._shown_errors:
            self._shown_errors.clear()
        value = None
        if result is not None:
            if info is not None and info.store_history:
                count = result.execution_count
                if count is not None:
                    rec.prompt = count
            value = result.result
        holder = self._value_holder  # the one record that keeps its value
        if value is not None:
            rec.result_value = value
            if holder is not None:
                holder.result_value = None
            self._value_holder = rec
        elif holder is not None:
            holder.result_value = None
            self._value_holder = None
        rec.finished = True
        self.records.append(rec)
        durations = self._durations
        if durations is not None:
            durations.append(duration)
        if duration >= self.long_cell and self.on_long_cell is not None:
            self._call(self.on_long_cell, rec)
        if self.after_cell:
            for cb in tuple(self.after_cell):  # a callback may remove itself
                self._call(cb, rec)

    @staticmethod
    def _call(cb, rec: CellRecord) -> None:
        try:
            cb(rec)
        except Exception:
            _log.warning("jupyter_expjournal: after_cell callback %r failed", cb, exc_info=True)

    def _settle(self) -> None:
        try:
            self._kernel.settle()
        except Exception:  # pragma: no cover - never break the user's cell
            _log.debug("waiting for descriptor output failed", exc_info=True)

    # -- outputs, from the tee and the patched methods --------------------------

    def on_stream(self, kind: str, s) -> None:
        """A write to stdout/stderr (the tee's and the kernel taps' sink): the running cell's, unless IPython is printing.

        A write from another thread (the kernel's descriptor watcher, a thread
        of the user's) is queued on the record, which takes it in order. What
        the descriptor watcher hands over while no cell runs goes to the cell
        that ran last: the notebook shows it there (see :mod:`.descriptors`).
        """
        rec = self.current
        if rec is None:
            if self.records and self._registered and self._kernel.is_watcher(get_ident()):
                self.records[-1].arrive(kind, s)
            return
        if get_ident() != self._main:
            rec.arrive(kind, s)
        elif self._shell_patches.quiet <= 0:
            rec.write(kind, s)

    def _on_publish(self, data, kwargs) -> None:
        rec = self.current
        if not isinstance(data, dict) or rec is None:
            return
        self._settle()
        transient = kwargs.get("transient") or {}
        display_id = transient.get("display_id") if isinstance(transient, dict) else None
        if kwargs.get("update"):
            if display_id is not None:
                rec.update(display_id, data)
            return
        rec.display(data, display_id)

    def _on_result(self, format_dict) -> None:
        if isinstance(format_dict, dict) and self.current is not None:
            self._settle()
            self.current.result(format_dict)

    def _on_traceback_shown(self, evalue, shown=None) -> None:
        if self.current is None or not isinstance(evalue, BaseException):
            return
        for seen in self._shown_errors:
            if seen is evalue:
                return
        self._shown_errors.append(evalue)
        self._settle()
        self.current.fail(evalue, shown)
