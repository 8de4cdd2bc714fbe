"""What one cell showed: its outputs as they arrive, under a byte cap, and as the notebook stores them.

The recorder (:mod:`.recorder`) feeds a :class:`CellRecord` while its cell
runs: stream text (:meth:`~CellRecord.write`), displays and results
(:meth:`~CellRecord.display`, :meth:`~CellRecord.result`, display updates)
and errors (:meth:`~CellRecord.fail`). Each call does the minimum, because
every cell the user runs pays for it: a MIME bundle is copied shallowly,
consecutive stream writes are collected and joined only when read, and
nothing is converted.

What the outputs *become* (the Actual outcome text, the images kept, the
error line) is not decided here: :meth:`~CellRecord.notebook_outputs` hands
them over in the notebook's own format (nbformat 4), and the core's
:func:`~jupyter_expjournal.core.outcome.from_notebook` decides, the same rule
that turns the outputs the sidebar posts into a result. So ``%result`` and
the sidebar attach the same thing for the same cell.

Nothing is dropped silently. Stream text over the budget leaves a marker
counting what was cut (:class:`~.tail.Tail`); a display, a result or a display
update over it leaves a short note in its place, naming what it was (its
MIME types, its size, the cap): the note is among
:meth:`~CellRecord.notebook_outputs`, so the journal entry says that a figure
was left out. Metrics printed only in the dropped text are still read
(:attr:`~CellRecord.dropped_metrics`), from the text as it is dropped.

Text written from another thread (the kernel's descriptor watcher, a user's
thread) is queued with :meth:`~CellRecord.arrive` and taken in, in order, by
the record's next intake or read: only one thread ever changes the outputs.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from threading import Lock
from typing import Any

from ..core.outcome import IMAGE_MIMES, clean_text, from_notebook
from .tail import Tail, cut_text, metric_stream, text_size

__all__ = ["Output", "CellRecord"]

#: Tracebacks can be huge (deep recursion, long chained exceptions); an entry
#: in a journal never needs more than this.
MAX_TRACEBACK_CHARS = 20_000

_NOTEBOOK_KIND = {"display": "display_data", "result": "execute_result"}

#: Held while a record makes its queue for other threads' text (the first text from any of them).
_ARRIVING = Lock()


@dataclass(slots=True)
class Output:
    """One output of a cell, as the front end would show it.

    ``kind`` is ``"stdout"``, ``"stderr"``, ``"display"``, ``"result"`` or
    ``"error"``.  ``data`` is a MIME bundle; stream outputs have only
    ``text/plain`` (consecutive writes to the same stream are coalesced into
    one output) and errors have ``text/plain`` = ``"EName: value\\n"``
    followed by the plain-text traceback.  Bundles are kept as given: images
    may be ``bytes`` or base64 ``str`` depending on who produced them (the
    core's outcome rule reads both).
    """

    kind: str
    data: dict
    ename: str | None = None
    evalue: str | None = None
    # Stream text still being appended to (joined lazily; see _seal).
    _chunks: list | None = field(default=None, init=False, repr=False, compare=False)
    # display_id from the publisher's ``transient`` dict, for update_display_data.
    _display_id: Any = field(default=None, init=False, repr=False, compare=False)
    # An error's traceback exactly as the shell sent it to the front end (the notebook's own lines).
    _traceback: list | None = field(default=None, init=False, repr=False, compare=False)
    # The last part of this stream once the cell's head budget ran out (see Tail).
    _tail: Tail | None = field(default=None, init=False, repr=False, compare=False)

    def _seal(self) -> None:
        """Materialise ``data["text/plain"]`` from pending stream chunks."""
        chunks = self._chunks
        if chunks:
            if len(chunks) > 1:
                chunks[:] = ["".join(chunks)]
            self.data["text/plain"] = chunks[0]

    def notebook(self, execution_count: int | None) -> dict:
        """This output as nbformat 4 stores it (values shared, not copied; raster images may be bytes)."""
        self._seal()
        kind = self.kind
        if kind == "stdout" or kind == "stderr":
            text = self.data.get("text/plain", "")
            if self._tail is not None:
                text = self._tail.after(text)
            return {"output_type": "stream", "name": kind, "text": text}
        if kind == "error":
            lines = self._traceback
            if lines is None:  # the text after the "EName: value" line, when the shell showed no traceback
                rest = self.data.get("text/plain", "").partition("\n")[2].rstrip("\n")
                lines = rest.split("\n") if rest else []
            return {"output_type": "error", "ename": self.ename or "", "evalue": self.evalue or "", "traceback": lines}
        out = {"output_type": _NOTEBOOK_KIND[kind], "data": self.data, "metadata": {}}
        if kind == "result":
            out["execution_count"] = execution_count
        return out


class CellRecord:
    """What one top-level cell execution printed, displayed, returned or raised.

    The cell keeps at most ``budget`` bytes (UTF-8 bytes of text, bytes or
    base64 characters of images): the first half of it for its outputs in
    order, then, per stream, the last quarter of what the stream went on to
    print (:class:`Tail`): the last line of a long log is usually the one that
    matters (the final metric). What is dropped is counted in ``truncated``,
    and a stream's text says where and how much was cut. An error is always
    kept, cut to its ``EName: value`` line when over budget.

    One is made for every cell the user runs, so making one is cheap: a plain
    class with slots (no dataclass machinery), and what only a cell with
    much output or with output from other threads needs (its tails, its queue)
    is made when first needed.
    """

    __slots__ = (
        "seq", "prompt", "cell_id", "source", "started", "budget", "duration", "outputs", "truncated", "finished",
        "result_value", "_used", "_open", "_tails", "_arrived", "_notes", "_lost",
    )

    def __init__(self, seq: int, prompt: int | None, cell_id: str | None, source: str, started: float,
                 budget: int = 2_000_000, duration: float = 0.0, outputs: list[Output] | None = None,
                 truncated: int = 0, finished: bool = False, result_value: Any = None) -> None:
        self.seq = seq  # the recorder's own 1-based sequence number
        self.prompt = prompt  # N as in ``In [N]``; None when the cell is not stored in history
        self.cell_id = cell_id  # ExecutionInfo.cell_id when the front end sends one
        self.source = source
        self.started = started  # time.time() at pre_run_cell
        self.budget = budget  # the recorder's max_cell_bytes
        self.duration = duration  # perf_counter seconds, set at post_run_cell
        self.outputs: list[Output] = [] if outputs is None else outputs
        self.truncated = truncated  # bytes dropped because of the budget
        self.finished = finished
        #: The cell's execute-result object (e.g. a dict of metrics). The recorder
        #: keeps it only on the most recently finished record, so the ring does not
        #: pin old, possibly huge, objects in memory.
        self.result_value = result_value
        self._used = 0  # bytes kept so far
        self._open: Output | None = None  # stream output still growing
        self._tails: dict | None = None  # stream -> its Tail, once the head is full
        # (kind, text) written from other threads, not taken in yet (a deque, made by the first: appended and
        # popped across threads)
        self._arrived: deque | None = None
        self._notes: list | None = None  # (position, note) of outputs left out
        self._lost: Any = None  # MetricStream of dropped displays' and results' text

    def __repr__(self) -> str:
        return (f"CellRecord(seq={self.seq}, prompt={self.prompt}, cell_id={self.cell_id!r}, "
                f"source={self.source[:60]!r}, outputs={len(self.outputs)}, truncated={self.truncated}, "
                f"finished={self.finished})")

    @property
    def error(self) -> Output | None:
        """The last error shown in this cell (normally the one that failed it)."""
        for out in reversed(self.outputs):
            if out.kind == "error":
                return out
        return None

    @property
    def is_empty(self) -> bool:
        """Whether the cell showed nothing at all: no stream text, no display, no result, no error."""
        self._take_arrived()
        if self.truncated or self._notes:
            return False
        for out in self.outputs:
            if out.kind != "stdout" and out.kind != "stderr":
                return False
            out._seal()
            if out.data.get("text/plain") or out._tail is not None:
                return False
        return True

    @property
    def left_out(self) -> list[str]:
        """The notes that stand where an output over the cap was left out (in :meth:`notebook_outputs` too)."""
        self._take_arrived()
        return [note for _, note in self._notes or ()]

    @property
    def dropped_metrics(self) -> dict[str, float]:
        """Metrics whose last value is in text the cap dropped: they override what the kept text says.

        Read from each stream's dropped middle as it was dropped (a name its
        kept tail shows again is left out: the tail's value is the later one),
        then from the text of displays and results left out. Empty, at no
        cost, for a cell that dropped nothing.
        """
        self._take_arrived()
        values: dict[str, float] = {}
        for tail in (self._tails or {}).values():
            values.update(tail.last_metrics(self.finished))
        if self._lost is not None:
            if self.finished:
                self._lost.close()
            values.update(self._lost.values)
        return values

    # -- what the cell showed, for the outcome rule ---------------------------------

    def notebook_outputs(self) -> list[dict]:
        """The outputs as the notebook stores them (nbformat 4), for the core to turn into an outcome.

        An output left out for size is a ``display_data`` whose text is the note naming it, in its place.
        """
        self._take_arrived()
        prompt = self.prompt
        outputs = [out.notebook(prompt) for out in self.outputs]
        for position, note in self._notes or ():
            outputs.insert(position, {"output_type": "display_data", "data": {"text/plain": note}, "metadata": {}})
        return outputs

    def text(self) -> str:
        """All the text of the cell, in order, as a person reading the notebook sees it (the core's rule)."""
        return from_notebook(self.notebook_outputs()).text

    def images(self) -> list[tuple[str, bytes | str]]:
        """``(mime, data)`` of each image the cell showed: PNG/JPEG as bytes, SVG as text (the core's rule)."""
        return from_notebook(self.notebook_outputs()).images

    # -- intake, while the cell runs ------------------------------------------------

    def arrive(self, kind: str, s) -> None:
        """Stream text written from another thread: queued, taken in order by the next intake or read."""
        arrived = self._arrived
        if arrived is None:
            with _ARRIVING:  # two threads' first texts: one queue
                arrived = self._arrived
                if arrived is None:
                    arrived = self._arrived = deque()
        arrived.append((kind, s))

    def _take_arrived(self) -> None:
        arrived = self._arrived
        while arrived:
            kind, s = arrived.popleft()
            self._write(kind, s)

    def write(self, kind: str, s) -> None:
        """Stream text (``kind`` is stdout or stderr), appended to the stream output it continues."""
        if self._arrived:
            self._take_arrived()
        self._write(kind, s)

    def _write(self, kind: str, s) -> None:
        if not isinstance(s, str):
            s = str(s)
        tails = self._tails
        if tails is not None and kind in tails:  # the head is full: the stream's last part is kept
            self.truncated += tails[kind].add(s)
            return
        size = text_size(s)
        room = self.budget // 2 - self._used
        rest = ""
        if size > room:
            head = cut_text(s, room) if room > 0 else ""
            s, rest = head, s[len(head) :]
            size = text_size(head)
        self._used += size
        out = self._open
        if out is None or out.kind != kind:
            if out is not None:
                out._seal()
                out._chunks = None
            out = Output(kind, {"text/plain": s})
            out._chunks = [s]
            self.outputs.append(out)
            self._open = out
        elif s:
            out._chunks.append(s)
        if rest:
            out._seal()
            if self._tails is None:
                self._tails = {}
            out._tail = self._tails[kind] = Tail(self.budget // 4, out.data["text/plain"])
            self.truncated += out._tail.add(rest)

    def close_stream(self) -> None:
        """End the stream output being written: the next write starts a new one."""
        if self._arrived:
            self._take_arrived()
        out = self._open
        if out is not None:
            out._seal()
            out._chunks = None
            self._open = None

    def display(self, data: dict, display_id=None) -> None:
        out = Output("display", dict(data))
        out._display_id = display_id
        self._add(out, _bundle_size(data))

    def result(self, format_dict: dict) -> None:
        self._add(Output("result", dict(format_dict)), _bundle_size(format_dict))

    def update(self, display_id, data: dict) -> None:
        """update_display_data: replace this cell's display with that id (other cells' are not its output)."""
        self._take_arrived()
        for i, out in enumerate(self.outputs):
            if out._display_id == display_id:
                new_size, old_size = _bundle_size(data), _bundle_size(out.data)
                room = self.budget // 2 - self._used
                if new_size - old_size > room:
                    self.truncated += new_size
                    shown = i
                    for position, _ in self._notes or ():  # where the notebook shows it, notes counted
                        shown += position <= shown
                    shown += 1
                    self._leave_out(data, new_size, room + old_size, f"an update of output {shown}",
                                    f"; output {shown} shows the version before it")
                else:
                    self._used += new_size - old_size
                    out.data = dict(data)

    def fail(self, evalue: BaseException, shown: list | None = None) -> None:
        """An error in this cell, with the traceback the shell ``shown`` to the front end if it showed one.

        The traceback counts towards the budget; past it only the ``EName: value`` line is kept, and a note says so.
        """
        self.close_stream()
        out = _format_error(evalue, shown)
        text = out.data["text/plain"]
        size = text_size(text)
        room = self.budget // 2 - self._used
        cut = 0
        if size > room:
            header = text.split("\n", 1)[0] + "\n"
            cut = size - len(header)
            self.truncated += cut
            out.data["text/plain"] = header
            out._traceback = None
            size = len(header)
        self._used += size
        self.outputs.append(out)
        if cut:
            self._note(f"[the traceback of output {self._position()} left out: {_size_text(cut)}, "
                       f"{self._over(room)}; its error line is kept]")

    def _add(self, out: Output, size: int) -> None:
        self.close_stream()
        room = self.budget // 2 - self._used
        if size > room:
            self.truncated += size
            self._leave_out(out.data, size, room, f"output {self._position() + 1}",
                            kind="result" if out.kind == "result" else "display")
            return
        self._used += size
        self.outputs.append(out)

    # -- what is left out for size is named, and its text read for metrics ---------------

    def _position(self) -> int:
        """How many outputs the notebook shows for this cell so far (notes stand for outputs left out)."""
        return len(self.outputs) + len(self._notes or ())

    def _note(self, note: str) -> None:
        if self._notes is None:
            self._notes = []
        self._notes.append((self._position(), note))

    def _over(self, room: int) -> str:
        """The cap an output went over, as a note says it (and what was left of it, when some was used)."""
        head = self.budget // 2
        keeps = f"a cell keeps {_size_text(head)} of outputs (max_cell_bytes = {self.budget:,})"
        return keeps if room >= head * 0.9 else f"{keeps}, {_size_text(max(room, 0))} were left"

    def _leave_out(self, data: dict, size: int, room: int, which: str, after: str = "", kind: str = "display") -> None:
        """Name an output (or update) left out for size in a note, in its place; read its text for metrics."""
        image = next((mime for mime in IMAGE_MIMES if mime in data), None)
        if image is not None:
            self._note(f"[{which} left out: {image} figure, {_size_text(_image_size(data[image], size))}, "
                       f"{self._over(room)}{after}]")
            return
        mimes = ", ".join(sorted((m for m in data if isinstance(m, str)), key=lambda m: m == "text/plain")) or "no data"
        self._note(f"[{which} left out: {kind} ({mimes}), {_size_text(size)}, {self._over(room)}{after}]")
        text = data.get("text/plain")
        if isinstance(text, str) and text:
            if len(text) > LEFT_OUT_READ:  # its last lines, from a line's start: a results table ends a display
                text = text[-LEFT_OUT_READ:]
                text = text[text.find("\n") + 1 :]
            if self._lost is None:
                self._lost = metric_stream()
            self._lost.feed(text if text.endswith("\n") else text + "\n")


#: How much of a display left out for size is read for metrics (a %review of 10,000 entries is 0.9 MB of text:
#: 130 ms to read whole, for metrics a display shows, if at all, in its last lines).
LEFT_OUT_READ = 64 * 1024


def _image_size(value, counted: int) -> int:
    """An image's own size in bytes: base64 text is three quarters of its length."""
    if isinstance(value, str):
        return len(value.rstrip("=\n")) * 3 // 4
    return counted if not isinstance(value, (bytes, bytearray)) else len(value)


def _size_text(n: int) -> str:
    """A byte count as a person reads it: 512 bytes, 84 kB, 4.2 MB."""
    if n < 1000:
        return f"{n} byte{'' if n == 1 else 's'}"
    if n < 999_500:
        return f"{n / 1000:.0f} kB"
    return f"{n / 1_000_000:.1f} MB"


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


def _format_error(evalue: BaseException, shown: list | None = None) -> Output:
    """An ``error`` Output: ``EName: value``, then the traceback as plain text.

    The traceback is the one the shell ``shown`` to the front end (what the
    notebook stores), else one formatted here with :mod:`traceback`; either
    way it is text now, as keeping ``evalue`` would pin its frames (and the
    big arrays they reference) in memory.
    """
    etype = type(evalue)
    ename = etype.__name__
    try:
        value_str = str(evalue)
    except Exception:  # a broken __str__ must not break recording
        value_str = f"<unprintable {ename} object>"
    if isinstance(shown, list) and all(isinstance(line, str) for line in shown):
        formatted = clean_text("\n".join(shown))
        formatted = formatted if not formatted or formatted.endswith("\n") else formatted + "\n"
    else:
        shown, formatted = None, _python_traceback(evalue)
    if len(formatted) > MAX_TRACEBACK_CHARS:
        shown = None  # the notebook's lines are cut too: the text below is what is kept
        head = MAX_TRACEBACK_CHARS // 5
        tail = MAX_TRACEBACK_CHARS - head
        formatted = (
            formatted[:head]
            + f"\n... [{len(formatted) - head - tail} characters of traceback omitted] ...\n"
            + formatted[-tail:]
        )
    header = f"{ename}: {value_str}\n" if value_str else ename + "\n"
    out = Output("error", {"text/plain": header + formatted}, ename, value_str)
    out._traceback = list(shown) if shown is not None else None
    return out


def _python_traceback(evalue: BaseException) -> str:
    import traceback

    etype = type(evalue)
    if etype.__name__ == "UsageError" and etype.__module__.startswith("IPython."):
        return ""  # IPython shows usage errors without a traceback
    # Drop the leading frames of IPython's own machinery (run_code's exec),
    # which IPython also hides in its tracebacks.
    tb = evalue.__traceback__
    while tb is not None and _is_ipython_frame(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    try:
        return "".join(traceback.format_exception(etype, evalue, tb))
    except Exception:
        return ""
