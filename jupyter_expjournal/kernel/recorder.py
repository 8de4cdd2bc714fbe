"""Per-cell output recorder.

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
* ``pre_run_cell`` opens a :class:`CellRecord`; ``post_run_cell`` closes it.
  Silent executions never fire these events, and nested ``run_cell`` calls
  (``get_ipython().run_cell(...)`` inside a cell) are folded into the outer
  cell: their outputs appear in the outer cell of the notebook too.
* ``sys.stdout``/``sys.stderr`` are replaced for the duration of a cell by a
  thin proxy that forwards every write to the real stream and records it.
  Writes made while the display hook, the display publisher or a traceback
  printer is active are *not* recorded as stream text: those are recorded
  from their structured source instead (terminal IPython prints results,
  ``display()`` text and tracebacks to stdout, which would otherwise be
  recorded twice).
* Execute results come from the display hook's ``write_format_data`` (present
  in both terminal IPython's ``DisplayHook`` and ipykernel's
  ``ZMQShellDisplayHook``); rich display from ``shell.display_pub.publish``.
  matplotlib-inline flushes figures on ``post_execute``, which fires before
  ``post_run_cell``, so figures land in the cell that drew them.
* Errors: every traceback that is shown is recorded where it happens (so an
  error inside a nested cell, or one shown by a formatter, is not lost) and
  the cell's own ``error_before_exec``/``error_in_exec`` is recorded at
  ``post_run_cell`` if it was not shown already.  Tracebacks are formatted
  as plain text with :mod:`traceback` (no ANSI) when the error happens and
  capped: errors are rare, and keeping the exception object instead would
  pin its frames (and the big arrays they reference) in memory.

Per-cell cost matters (every cell the user runs pays it), so the event
handlers do the minimum: no deep copies (a MIME bundle is copied shallowly),
no formatting.  Stream chunks are joined when the next output arrives or the
cell ends; ``text()``/``images()`` work lazily.

This module imports nothing from IPython, ipykernel or matplotlib: it only
uses the shell object it is given, so importing it is cheap and it works with
IPython 8 and 9 alike.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable

__all__ = ["Output", "CellRecord", "OutputRecorder"]

_log = logging.getLogger(__name__)

_STREAMS = ("stdout", "stderr")
_IMAGE_MIMES = ("image/png", "image/jpeg", "image/svg+xml")
# Tracebacks can be huge (deep recursion, long chained exceptions); an entry
# in a journal never needs more than this.
_MAX_TRACEBACK_CHARS = 20_000
_ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07")
_MISSING = object()


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------


@dataclass(slots=True)
class Output:
    """One output of a cell, as the front end would show it.

    ``kind`` is ``"stdout"``, ``"stderr"``, ``"display"``, ``"result"`` or
    ``"error"``.  ``data`` is a MIME bundle; stream outputs have only
    ``text/plain`` (consecutive writes to the same stream are coalesced into
    one output) and errors have ``text/plain`` = ``"EName: value\\n"``
    followed by the plain-text traceback.  Bundles are kept as given: images
    may be ``bytes`` or base64 ``str`` depending on who produced them;
    :meth:`CellRecord.images` normalises that.
    """

    kind: str
    data: dict
    ename: str | None = None
    evalue: str | None = None
    # Stream text still being appended to (joined lazily; see _seal).
    _chunks: list | None = field(default=None, init=False, repr=False, compare=False)
    # display_id from the publisher's ``transient`` dict, for update_display_data.
    _display_id: Any = field(default=None, init=False, repr=False, compare=False)

    def _seal(self) -> None:
        """Materialise ``data["text/plain"]`` from pending stream chunks."""
        chunks = self._chunks
        if chunks:
            if len(chunks) > 1:
                chunks[:] = ["".join(chunks)]
            self.data["text/plain"] = chunks[0]


@dataclass(slots=True, eq=False)
class CellRecord:
    """What one top-level cell execution printed, displayed, returned or raised."""

    seq: int  # the recorder's own 1-based sequence number
    prompt: int | None  # N as in ``In [N]``; None when the cell is not stored in history
    cell_id: str | None  # ExecutionInfo.cell_id when the front end sends one
    source: str
    started: float  # time.time() at pre_run_cell
    duration: float = 0.0  # perf_counter seconds, set at post_run_cell
    outputs: list[Output] = field(default_factory=list)
    truncated: int = 0  # bytes dropped because of the per-cell cap
    finished: bool = False
    # Python object of the cell's execute result.  Only the most recently
    # finished record keeps it (see OutputRecorder._finish) so the ring does
    # not pin old, possibly huge, objects in memory.
    _value: Any = field(default=None, init=False, repr=False)

    @property
    def error(self) -> Output | None:
        """The last error shown in this cell (normally the one that failed it)."""
        for out in reversed(self.outputs):
            if out.kind == "error":
                return out
        return None

    @property
    def result_value(self) -> Any:
        """The cell's execute-result object (e.g. a dict of metrics), if still held."""
        return self._value

    def text(self) -> str:
        """All the text of the cell, in order, as a person reading the notebook sees it.

        stdout/stderr, the ``text/plain`` of results and displays, and errors.
        A display that carries an image is left out: its ``text/plain`` is a
        placeholder (``<Figure size 400x250 with 1 Axes>``), and the image
        itself is attached. Each output starts on its own line (front ends show them as separate
        blocks); carriage-return progress bars are collapsed to their last
        state and ANSI colour codes are removed.
        """
        parts = []
        for out in self.outputs:
            out._seal()
            t = out.data.get("text/plain")
            if not isinstance(t, str) or not t:
                continue
            if out.kind in ("display", "result") and any(m in out.data for m in _IMAGE_MIMES):
                continue
            parts.append(t if t.endswith("\n") else t + "\n")
        text = "".join(parts)
        if "\x1b" in text:
            text = _ANSI_RE.sub("", text)
        if "\r" in text:
            text = _collapse_cr(text)
        return text

    def images(self) -> list[tuple[str, bytes | str]]:
        """``(mime, data)`` for each image shown by the cell, in order.

        One image per output: a bundle carrying several image formats of the
        same figure yields only the first of PNG, JPEG, SVG.  PNG/JPEG data
        is returned as ``bytes`` (base64 strings are decoded), SVG as ``str``.
        """
        found: list[tuple[str, bytes | str]] = []
        for out in self.outputs:
            if out.kind != "display" and out.kind != "result":
                continue
            data = out.data
            for mime in _IMAGE_MIMES:
                value = data.get(mime)
                if value is None:
                    continue
                if mime == "image/svg+xml":
                    if isinstance(value, (bytes, bytearray)):
                        value = bytes(value).decode("utf-8", "replace")
                elif isinstance(value, str):
                    import base64

                    value = base64.b64decode(value)
                elif isinstance(value, (bytearray, memoryview)):
                    value = bytes(value)
                found.append((mime, value))
                break
        return found


def _collapse_cr(text: str) -> str:
    r"""Keep only what follows the last ``\r`` on each line (like a terminal)."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if "\r" in line:
            line = line.rstrip("\r")  # a CRLF line ending is not an overwrite
            lines[i] = line[line.rfind("\r") + 1 :]
    return "\n".join(lines)


def _text_size(s: str) -> int:
    return len(s) if s.isascii() else len(s.encode("utf-8", "replace"))


def _cut_text(s: str, room: int) -> str:
    """The longest prefix of ``s`` that fits in ``room`` UTF-8 bytes."""
    if s.isascii():
        return s[:room]
    return s.encode("utf-8", "replace")[:room].decode("utf-8", "ignore")


def _bundle_size(data: dict) -> int:
    size = 0
    for value in data.values():
        if isinstance(value, str):
            size += len(value)
        elif isinstance(value, (bytes, bytearray)):
            size += len(value)
    return size


def _is_ipython_frame(filename: str) -> bool:
    return "/IPython/" in filename or "\\IPython\\" in filename


def _format_error(evalue: BaseException) -> Output:
    """An ``error`` Output with a plain traceback; keeps no reference to ``evalue``."""
    import traceback

    etype = type(evalue)
    ename = etype.__name__
    try:
        value_str = str(evalue)
    except Exception:  # a broken __str__ must not break recording
        value_str = "<unprintable %s object>" % ename
    # Drop the leading frames of IPython's own machinery (run_code's exec),
    # which IPython also hides in its tracebacks.
    tb = evalue.__traceback__
    while tb is not None and _is_ipython_frame(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    if ename == "UsageError" and etype.__module__.startswith("IPython."):
        formatted = ""  # IPython shows usage errors without a traceback
    else:
        try:
            formatted = "".join(traceback.format_exception(etype, evalue, tb))
        except Exception:
            formatted = ""
    if len(formatted) > _MAX_TRACEBACK_CHARS:
        head = _MAX_TRACEBACK_CHARS // 5
        tail = _MAX_TRACEBACK_CHARS - head
        formatted = (
            formatted[:head]
            + "\n... [%d characters of traceback omitted] ...\n" % (len(formatted) - head - tail)
            + formatted[-tail:]
        )
    header = "%s: %s\n" % (ename, value_str) if value_str else ename + "\n"
    text = header + formatted
    if "\x1b" in text:
        text = _ANSI_RE.sub("", text)
    return Output("error", {"text/plain": text}, ename, value_str)


# ---------------------------------------------------------------------------
# Stream proxy
# ---------------------------------------------------------------------------


class _TeeStream:
    """Stand-in for ``sys.stdout``/``sys.stderr`` while a cell runs.

    Forwards every write to the real stream first, then records it; every
    other attribute is forwarded to the real stream.  It deliberately has a
    ``__dict__``: IPython 9's own history tee (``InteractiveShell._tee``)
    assigns ``stream.write`` on whatever ``sys.stdout`` is when a nested
    ``run_cell`` starts, and that assignment must land on the proxy.

    A proxy can outlive its cell (``logging.basicConfig()`` in a cell keeps a
    reference to ``sys.stderr``).  It then keeps forwarding, and records only
    while it is the recorder's installed proxy for a running cell.
    """

    def __init__(self, real, recorder: OutputRecorder, kind: str) -> None:
        self._real = real
        self._rec = recorder
        self._kind = kind
        self._live = False

    def write(self, s):
        n = self._real.write(s)
        if self._live and s:
            self._rec._on_stream(self._kind, s)
        return n

    def writelines(self, lines):
        lines = list(lines)
        self._real.writelines(lines)
        if self._live:
            s = "".join(line for line in lines if isinstance(line, str))
            if s:
                self._rec._on_stream(self._kind, s)

    def __getattr__(self, name):
        # Only called for attributes not found on the proxy itself.
        if name == "_real":  # half-built copy (copy.copy, pickle): no recursion
            raise AttributeError(name)
        return getattr(self._real, name)

    def __repr__(self) -> str:
        return "<expjournal tee of %r>" % (self._real,)


# ---------------------------------------------------------------------------
# Recorder
# ---------------------------------------------------------------------------


class OutputRecorder:
    """Records the outputs of each top-level cell run by ``shell``.

    ``records`` holds the last ``ring_size`` finished cells; ``current`` is the
    cell now running.  Each cell keeps at most ``max_cell_bytes`` (UTF-8
    bytes of text, bytes or base64 characters of images); the excess is
    counted in ``CellRecord.truncated``.  An error is always recorded, cut to
    its ``EName: value`` line when over budget.  Functions in ``after_cell``
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
        self._used = 0  # bytes recorded for the current cell
        self._open: Output | None = None  # stream Output still being appended to
        self._t0 = 0.0
        self._shown_errors: list = []  # exceptions recorded as shown during this cell
        self._value_holder: CellRecord | None = None
        self._patches: list = []  # (obj, name, previous instance attr or _MISSING, wrapper)
        self._patched: set = set()  # (id(obj), name) patched in this generation
        self._pub = None  # display publisher / display hook we wrapped
        self._hook = None
        self._out: _TeeStream | None = None
        self._err: _TeeStream | None = None
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
        self._restore_streams()
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
        self._open = None
        self._quiet = 0
        self._in_displayhook = False
        self._shown_errors.clear()

    @property
    def registered(self) -> bool:
        return self._registered

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
        shell = self.shell
        if info is not None and info.store_history:
            # The N of "In [N]".  IPython 8 bumps execution_count after the
            # cell, IPython 9 (9.18 measured, plain shell and ipykernel 7)
            # before pre_run_cell, so execution_count is N there and N + 1
            # here.  The display hook's prompt_count means "this cell" in
            # both; post_run_cell then takes ExecutionResult.execution_count.
            try:
                prompt = shell.displayhook.prompt_count
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
        )
        self._used = 0
        self._open = None
        self._quiet = 0
        self._in_displayhook = False
        if shell.display_pub is not self._pub or shell.displayhook is not self._hook:
            self._patch_display()
        self._install_streams()
        self._t0 = time.perf_counter()

    def _post_run_cell(self, result=None) -> None:
        stack = self._stack
        if not stack:
            return
        if result is not None and getattr(result, "info", None) is not stack[-1]:
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
        self._finish(rec, result)

    def _finish(self, rec: CellRecord, result) -> None:
        rec.duration = time.perf_counter() - self._t0
        self._restore_streams()
        self.current = None
        self._close_open()
        self._shown_errors.clear()
        self._quiet = 0
        self._in_displayhook = False
        if result is not None:
            info = getattr(result, "info", None)
            count = getattr(result, "execution_count", None)
            if info is not None and info.store_history and count is not None:
                rec.prompt = count
            value = getattr(result, "result", None)
            if value is not None:
                rec._value = value
        holder = self._value_holder
        if holder is not None and holder is not rec:
            holder._value = None
        self._value_holder = rec if rec._value is not None else None
        rec.finished = True
        self.records.append(rec)
        if self.after_cell:
            for cb in list(self.after_cell):
                try:
                    cb(rec)
                except Exception:
                    _log.warning("jupyter_expjournal: after_cell callback %r failed", cb, exc_info=True)

    # -- streams ------------------------------------------------------------

    def _install_streams(self) -> None:
        out = sys.stdout
        if out is not None and out.__class__ is not _TeeStream:
            proxy = self._out
            if proxy is None or proxy._real is not out:
                proxy = self._out = _TeeStream(out, self, "stdout")
            proxy._live = True
            sys.stdout = proxy
        elif out is self._out:
            out._live = True
        err = sys.stderr
        if err is not None and err.__class__ is not _TeeStream:
            proxy = self._err
            if proxy is None or proxy._real is not err:
                proxy = self._err = _TeeStream(err, self, "stderr")
            proxy._live = True
            sys.stderr = proxy
        elif err is self._err:
            err._live = True

    def _restore_streams(self) -> None:
        proxy = self._out
        if proxy is not None:
            proxy._live = False
            if sys.stdout is proxy:
                sys.stdout = proxy._real
            # else: the cell replaced sys.stdout itself; leave its choice alone.
        proxy = self._err
        if proxy is not None:
            proxy._live = False
            if sys.stderr is proxy:
                sys.stderr = proxy._real

    def _on_stream(self, kind: str, s) -> None:
        rec = self.current
        if rec is None or self._quiet > 0:
            return
        if not isinstance(s, str):
            s = str(s)
        size = _text_size(s)
        room = self.max_cell_bytes - self._used
        if size > room:
            if room <= 0:
                rec.truncated += size
                return
            rec.truncated += size - room
            s = _cut_text(s, room)
            size = room
        self._used += size
        out = self._open
        if out is not None and out.kind == kind:
            out._chunks.append(s)
            return
        if out is not None:
            out._seal()
            out._chunks = None
        out = Output(kind, {"text/plain": s})
        out._chunks = [s]
        rec.outputs.append(out)
        self._open = out

    def _close_open(self) -> None:
        out = self._open
        if out is not None:
            out._seal()
            out._chunks = None
            self._open = None

    # -- structured outputs -------------------------------------------------

    def _add(self, out: Output, size: int) -> bool:
        rec = self.current
        if rec is None:
            return False
        if size > self.max_cell_bytes - self._used:
            rec.truncated += size
            return False
        self._used += size
        self._close_open()
        rec.outputs.append(out)
        return True

    def _on_publish(self, data, kwargs) -> None:
        if not isinstance(data, dict) or self.current is None:
            return
        transient = kwargs.get("transient") or {}
        display_id = transient.get("display_id") if isinstance(transient, dict) else None
        if kwargs.get("update"):
            # update_display_data: replace the output with that display_id if
            # it was shown by this cell; updates of older cells' displays are
            # not this cell's output.
            if display_id is None:
                return
            for out in self.current.outputs:
                if out._display_id == display_id:
                    new_size, old_size = _bundle_size(data), _bundle_size(out.data)
                    if new_size - old_size > self.max_cell_bytes - self._used:
                        self.current.truncated += new_size
                    else:
                        self._used += new_size - old_size
                        out.data = dict(data)
            return
        out = Output("display", dict(data))
        out._display_id = display_id
        self._add(out, _bundle_size(data))

    def _on_result(self, format_dict) -> None:
        if isinstance(format_dict, dict) and self.current is not None:
            self._add(Output("result", dict(format_dict)), _bundle_size(format_dict))

    def _on_traceback_shown(self, evalue) -> None:
        if self.current is None or not isinstance(evalue, BaseException):
            return
        for seen in self._shown_errors:
            if seen is evalue:
                return
        self._shown_errors.append(evalue)
        self._close_open()
        out = _format_error(evalue)
        # Errors are always recorded, but their tracebacks count towards the
        # cell's budget: past it only the "EName: value" line is kept.
        rec = self.current
        text = out.data["text/plain"]
        size = _text_size(text)
        if size > self.max_cell_bytes - self._used:
            header = text.split("\n", 1)[0] + "\n"
            rec.truncated += size - len(header)
            out.data["text/plain"] = header
            size = len(header)
        self._used += size
        rec.outputs.append(out)

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
                    try:
                        self._on_traceback_shown(evalue)
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
