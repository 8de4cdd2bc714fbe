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
  ``ZMQShellDisplayHook``); rich display from ``shell.display_pub.publish``.
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
are attached (:meth:`~.cell.CellRecord.notebook_outputs`).

This module imports nothing from IPython, ipykernel or matplotlib: it only
uses the shell object it is given, so importing it is cheap and it works with
IPython 8 and 9 alike.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import deque
from collections.abc import Callable
from threading import get_ident

# Absolute imports: this module is also loaded on its own, by file, to check that it imports nothing heavy.
from jupyter_expjournal.kernel.cell import CellRecord, Output
from jupyter_expjournal.kernel.descriptors import KernelStreams, is_kernel_stream
from jupyter_expjournal.kernel.tee import StreamTaps, real_stream

__all__ = ["Output", "CellRecord", "OutputRecorder"]

_log = logging.getLogger(__name__)

_MISSING = object()

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
    are called with each finished record; their exceptions are logged and
    swallowed, never shown as the user's error.
    """

    def __init__(self, shell, ring_size: int = 32, max_cell_bytes: int = 2_000_000) -> None:
        self.shell = shell
        self.ring_size = ring_size
        self.max_cell_bytes = max_cell_bytes
        self.records: deque[CellRecord] = deque(maxlen=ring_size)
        self.current: CellRecord | None = None
        self.after_cell: list[Callable[[CellRecord], None]] = []

        self._registered = False
        # Bumped by register/unregister; wrappers installed under an older
        # generation become pure pass-throughs (they may still sit in a chain
        # if someone wrapped the same method after us).
        self._gen = 0
        self._seq = 0
        self._stack: list = []  # ExecutionInfo of the cells now running, outermost first
        self._quiet = 0  # >0 while a display hook / publisher / traceback printer writes
        self._in_displayhook = False
        self._t0 = 0.0
        self._ended = 0.0  # perf_counter() when the last cell finished
        self._shown_errors: list = []  # exceptions recorded as shown during this cell
        self._value_holder: CellRecord | None = None
        self._patches: list = []  # (obj, name, previous instance attr or _MISSING, wrapper)
        self._patched: set = set()  # (id(obj), name) patched in this generation
        self._pub = None  # display publisher / display hook we wrapped
        self._hook = None
        self._taps = StreamTaps(self.on_stream)
        self._kernel = KernelStreams(self.on_stream, real_stream)
        self._main = get_ident()  # the thread cells run in (set again at each cell)
        self._pre_cb = self._pre_run_cell
        self._post_cb = self._post_run_cell

    # -- public -------------------------------------------------------------

    def register(self) -> None:
        """Start recording (connect to ``shell.events``).  Idempotent."""
        if self._registered:
            return
        self._gen += 1
        self._registered = True
        self._patch_shell()
        self._patch_display()
        kernel_streams = tuple(s for s in (real_stream(sys.stdout), real_stream(sys.stderr)) if is_kernel_stream(s))
        self._taps.bind_handlers(kernel_streams)
        self.shell.events.register("pre_run_cell", self._pre_cb)
        self.shell.events.register("post_run_cell", self._post_cb)

    def unregister(self) -> None:
        """Stop recording and put back everything we replaced.  Idempotent."""
        if not self._registered:
            return
        self._registered = False
        self._gen += 1
        for event, cb in (("pre_run_cell", self._pre_cb), ("post_run_cell", self._post_cb)):
            try:
                self.shell.events.unregister(event, cb)
            except ValueError:
                pass
        self._taps.restore()
        self._taps.unbind_handlers()
        self._kernel.remove()
        for obj, name, previous, wrapper in reversed(self._patches):
            try:
                if vars(obj).get(name) is wrapper:
                    if previous is _MISSING:
                        delattr(obj, name)
                    else:
                        setattr(obj, name, previous)
                # else: someone wrapped over us; our wrapper is now inert.
            except Exception:  # pragma: no cover - defensive
                pass
        self._patches.clear()
        self._patched.clear()
        self._pub = self._hook = None
        self._stack.clear()
        self.current = None
        self._quiet = 0
        self._in_displayhook = False
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

    # -- events -------------------------------------------------------------

    def _pre_run_cell(self, info=None) -> None:
        if info is not None and info.silent:
            return
        stack = self._stack
        stack.append(info)
        if len(stack) > 1:
            return  # nested run_cell: its outputs belong to the outer cell
        gap = time.perf_counter() - self._ended
        if gap < BACK_TO_BACK and self.records and (gap < SHORT_GAP or self.records[-1].duration >= SHORT_CELL):
            self._settle()  # no cell runs yet: what the pipes still hold goes to the last one
        shell = self.shell
        if shell.display_pub is not self._pub or shell.displayhook is not self._hook:
            self._patch_display()
        if info is not None and info.store_history:
            # The N of "In [N]".  IPython 8 bumps execution_count after the
            # cell, IPython 9 (9.18 measured, plain shell and ipykernel 7)
            # before pre_run_cell, so execution_count is N there and N + 1
            # here.  The display hook's prompt_count means "this cell" in
            # both; post_run_cell then takes ExecutionResult.execution_count.
            try:
                prompt = self._hook.prompt_count
            except Exception:
                prompt = None
        else:
            prompt = None
        self._seq += 1
        self.current = CellRecord(
            self._seq,
            prompt,
            getattr(info, "cell_id", None),
            info.raw_cell if info is not None else "",
            time.time(),
            self.max_cell_bytes,
        )
        self._quiet = 0
        self._in_displayhook = False
        self._main = get_ident()
        self._taps.install(self._kernel.install())
        self._t0 = time.perf_counter()

    def _post_run_cell(self, result=None) -> None:
        # Colab calls post_run_cell callbacks with no argument: then there is no result to read.
        stack = self._stack
        if not stack:
            return
        info = getattr(result, "info", None) if result is not None else None
        if result is not None and info is not stack[-1]:
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
        self._finish(rec, result, info)

    def _settle(self) -> None:
        try:
            self._kernel.settle()
        except Exception:  # pragma: no cover - never break the user's cell
            _log.debug("waiting for descriptor output failed", exc_info=True)

    def _finish(self, rec: CellRecord, result, info) -> None:
        """The cell ``rec`` ended (``result`` is its ExecutionResult, or None): its record goes in the ring."""
        self._ended = ended = time.perf_counter()
        rec.duration = ended - self._t0
        self._taps.restore()
        self.current = None
        rec.close_stream()
        if self._shown_errors:
            self._shown_errors.clear()
        self._quiet = 0
        self._in_displayhook = False
        if result is not None:
            if info is not None and info.store_history:
                count = getattr(result, "execution_count", None)
                if count is not None:
                    rec.prompt = count
            value = getattr(result, "result", None)
            if value is not None:
                rec.result_value = value
        holder = self._value_holder
        if rec.result_value is not None:
            if holder is not None:
                holder.result_value = None
            self._value_holder = rec
        elif holder is not None:
            holder.result_value = None
            self._value_holder = None
        rec.finished = True
        self.records.append(rec)
        for cb in tuple(self.after_cell):  # a callback may remove itself
            try:
                cb(rec)
            except Exception:
                _log.warning("jupyter_expjournal: after_cell callback %r failed", cb, exc_info=True)

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
        elif self._quiet <= 0:
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

    # -- patching -----------------------------------------------------------

    def _patch(self, obj, name: str, make) -> None:
        key = (id(obj), name)
        if key in self._patched:
            return
        try:
            original = getattr(obj, name)
            previous = vars(obj).get(name, _MISSING)
        except (AttributeError, TypeError):
            return
        wrapper = make(original, self._gen)
        try:
            setattr(obj, name, wrapper)
        except (AttributeError, TypeError):
            return
        self._patched.add(key)
        self._patches.append((obj, name, previous, wrapper))

    def _patch_shell(self) -> None:
        shell = self.shell

        def quiet(original, gen):
            # showtraceback/showsyntaxerror print via _showtraceback, or
            # straight to a stream (exception groups, usage errors).
            def wrapper(*args, **kwargs):
                if self._gen != gen:
                    return original(*args, **kwargs)
                self._quiet += 1
                try:
                    return original(*args, **kwargs)
                finally:
                    self._quiet -= 1

            return wrapper

        def show(original, gen):
            def _showtraceback(*args, **kwargs):
                if self._gen == gen:
                    evalue = args[1] if len(args) > 1 else kwargs.get("evalue")
                    stb = args[2] if len(args) > 2 else kwargs.get("stb")  # the traceback the front end gets
                    try:
                        self._on_traceback_shown(evalue, stb)
                    except Exception:  # pragma: no cover - never break the user's cell
                        _log.debug("recording a traceback failed", exc_info=True)
                    self._quiet += 1
                    try:
                        return original(*args, **kwargs)
                    finally:
                        self._quiet -= 1
                return original(*args, **kwargs)

            return _showtraceback

        self._patch(shell, "showtraceback", quiet)
        self._patch(shell, "showsyntaxerror", quiet)
        self._patch(shell, "_showtraceback", show)

    def _patch_display(self) -> None:
        shell = self.shell
        pub = shell.display_pub
        hook = shell.displayhook

        def publish(original, gen):
            def publish(*args, **kwargs):
                if self._gen != gen:
                    return original(*args, **kwargs)
                try:
                    self._on_publish(args[0] if args else kwargs.get("data"), kwargs)
                except Exception:  # pragma: no cover - never break the user's cell
                    _log.debug("recording a display failed", exc_info=True)
                self._quiet += 1  # terminal IPython prints text/plain to stdout
                try:
                    return original(*args, **kwargs)
                finally:
                    self._quiet -= 1

            return publish

        def write_format_data(original, gen):
            def write_format_data(*args, **kwargs):
                if self._gen != gen:
                    return original(*args, **kwargs)
                try:
                    self._on_result(args[0] if args else kwargs.get("format_dict"))
                except Exception:  # pragma: no cover - never break the user's cell
                    _log.debug("recording a result failed", exc_info=True)
                self._quiet += 1
                try:
                    return original(*args, **kwargs)
                finally:
                    self._quiet -= 1

            return write_format_data

        # The terminal display hook writes "Out[N]: " in write_output_prompt
        # and separators in finish_displayhook: silence the whole span.
        def start(original, gen):
            def start_displayhook(*args, **kwargs):
                if self._gen == gen and not self._in_displayhook:
                    self._in_displayhook = True
                    self._quiet += 1
                return original(*args, **kwargs)

            return start_displayhook

        def finish(original, gen):
            def finish_displayhook(*args, **kwargs):
                try:
                    return original(*args, **kwargs)
                finally:
                    if self._gen == gen and self._in_displayhook:
                        self._in_displayhook = False
                        self._quiet = max(0, self._quiet - 1)

            return finish_displayhook

        if pub is not None:
            self._patch(pub, "publish", publish)
        if hook is not None:
            self._patch(hook, "write_format_data", write_format_data)
            self._patch(hook, "start_displayhook", start)
            self._patch(hook, "finish_displayhook", finish)
        self._pub = pub
        self._hook = hook
