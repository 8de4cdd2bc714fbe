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
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from ..core.outcome import clean_text, cut_marker, from_notebook

__all__ = ["Output", "CellRecord"]

#: Tracebacks can be huge (deep recursion, long chained exceptions); an entry
#: in a journal never needs more than this.
MAX_TRACEBACK_CHARS = 20_000

_NOTEBOOK_KIND = {"display": "display_data", "result": "execute_result"}


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


@dataclass(slots=True, eq=False)
class CellRecord:
    """What one top-level cell execution printed, displayed, returned or raised.

    The cell keeps at most ``budget`` bytes (UTF-8 bytes of text, bytes or
    base64 characters of images): the first half of it for its outputs in
    order, then, per stream, the last quarter of what the stream went on to
    print (:class:`Tail`): the last line of a long log is usually the one that
    matters (the final metric). What is dropped is counted in ``truncated``,
    and a stream's text says where and how much was cut. An error is always
    kept, cut to its ``EName: value`` line when over budget.
    """

    seq: int  # the recorder's own 1-based sequence number
    prompt: int | None  # N as in ``In [N]``; None when the cell is not stored in history
    cell_id: str | None  # ExecutionInfo.cell_id when the front end sends one
    source: str
    started: float  # time.time() at pre_run_cell
    budget: int = 2_000_000  # the recorder's max_cell_bytes
    duration: float = 0.0  # perf_counter seconds, set at post_run_cell
    outputs: list[Output] = field(default_factory=list)
    truncated: int = 0  # bytes dropped because of the budget
    finished: bool = False
    #: The cell's execute-result object (e.g. a dict of metrics). The recorder
    #: keeps it only on the most recently finished record, so the ring does not
    #: pin old, possibly huge, objects in memory.
    result_value: Any = field(default=None, repr=False)
    _used: int = field(default=0, init=False, repr=False)  # bytes kept so far
    _open: Output | None = field(default=None, init=False, repr=False)  # stream output still growing
    _tails: dict = field(default_factory=dict, init=False, repr=False)  # stream -> its Tail, once the head is full

    @property
    def error(self) -> Output | None:
        """The last error shown in this cell (normally the one that failed it)."""
        for out in reversed(self.outputs):
            if out.kind == "error":
                return out
        return None

    # -- what the cell showed, for the outcome rule ---------------------------------

    def notebook_outputs(self) -> list[dict]:
        """The outputs as the notebook stores them (nbformat 4), for the core to turn into an outcome."""
        prompt = self.prompt
        return [out.notebook(prompt) for out in self.outputs]

    def text(self) -> str:
        """All the text of the cell, in order, as a person reading the notebook sees it (the core's rule)."""
        return from_notebook(self.notebook_outputs()).text

    def images(self) -> list[tuple[str, bytes | str]]:
        """``(mime, data)`` of each image the cell showed: PNG/JPEG as bytes, SVG as text (the core's rule)."""
        return from_notebook(self.notebook_outputs()).images

    # -- intake, while the cell runs ------------------------------------------------

    def write(self, kind: str, s) -> None:
        """Stream text (``kind`` is stdout or stderr), appended to the stream output it continues."""
        if not isinstance(s, str):
            s = str(s)
        tail = self._tails.get(kind)
        if tail is not None:  # the head is full: the stream's last part is kept
            self.truncated += tail.add(s)
            return
        size = _text_size(s)
        room = self.budget // 2 - self._used
        rest = ""
        if size > room:
            head = _cut_text(s, room) if room > 0 else ""
            s, rest = head, s[len(head) :]
            size = _text_size(head)
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
            out._tail = self._tails[kind] = Tail(self.budget // 4)
            self.truncated += out._tail.add(rest)

    def close_stream(self) -> None:
        """End the stream output being written: the next write starts a new one."""
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
        for out in self.outputs:
            if out._display_id == display_id:
                new_size, old_size = _bundle_size(data), _bundle_size(out.data)
                if new_size - old_size > self.budget // 2 - self._used:
                    self.truncated += new_size
                else:
                    self._used += new_size - old_size
                    out.data = dict(data)

    def fail(self, evalue: BaseException, shown: list | None = None) -> None:
        """An error in this cell, with the traceback the shell ``shown`` to the front end if it showed one.

        The traceback counts towards the budget; past it only the ``EName: value`` line is kept.
        """
        self.close_stream()
        out = _format_error(evalue, shown)
        text = out.data["text/plain"]
        size = _text_size(text)
        if size > self.budget // 2 - self._used:
            header = text.split("\n", 1)[0] + "\n"
            self.truncated += size - len(header)
            out.data["text/plain"] = header
            out._traceback = None
            size = len(header)
        self._used += size
        self.outputs.append(out)

    def _add(self, out: Output, size: int) -> None:
        if size > self.budget // 2 - self._used:
            self.truncated += size
            return
        self._used += size
        self.close_stream()
        self.outputs.append(out)


class Tail:
    """The last ``room`` bytes a stream printed after the cell's head budget ran out, and what it dropped.

    A ring of the chunks as written: adding one drops the oldest while the
    ring is over its room, the last of them cut to a line start, so the text
    kept is whole lines (but for a single line longer than the room). What was
    dropped is counted exactly, in lines and characters, for the marker that
    stands where it was (:func:`~jupyter_expjournal.core.outcome.cut_marker`).
    Memory stays bounded however long the cell prints.
    """

    __slots__ = ("room", "chunks", "size", "lines", "chars", "dropped_bytes", "at_line_start")

    def __init__(self, room: int) -> None:
        self.room = max(room, 1)
        self.chunks: deque[str] = deque()
        self.size = 0  # bytes kept
        self.lines = self.chars = self.dropped_bytes = 0  # dropped: newlines, characters, bytes
        self.at_line_start = True  # the text kept begins a line

    def add(self, s: str) -> int:
        """Keep ``s`` as the newest text; the bytes this dropped."""
        before = self.dropped_bytes
        chunks = self.chunks
        chunks.append(s)
        self.size += _text_size(s)
        while self.size > self.room:  # the oldest text goes, to the byte
            oldest = chunks[0]
            over, size = self.size - self.room, _text_size(oldest)
            if size <= over:
                chunks.popleft()
                self._drop(oldest, size)
            else:
                cut = _cut_text(oldest, over) if not oldest.isascii() else oldest[:over]
                cut = cut or oldest[:1]
                chunks[0] = oldest[len(cut) :]
                self._drop(cut, _text_size(cut))
        if not self.at_line_start:  # then the rest of a line cut in two, when a whole line follows it
            self._to_line_start()
        return self.dropped_bytes - before

    def _to_line_start(self) -> None:
        chunks, seen = self.chunks, 0
        for i, chunk in enumerate(chunks):
            newline = chunk.find("\n")
            if newline < 0:
                seen += 1
                continue
            if newline == len(chunk) - 1 and i == len(chunks) - 1:
                return  # the line's end is all that is kept: keep it, cut as it is
            for _ in range(seen):
                oldest = chunks.popleft()
                self._drop(oldest, _text_size(oldest))
            head = chunks[0]
            cut = head[: newline + 1]
            if len(cut) == len(head):
                chunks.popleft()
            else:
                chunks[0] = head[newline + 1 :]
            self._drop(cut, _text_size(cut))
            return

    def _drop(self, s: str, size: int) -> None:
        self.size -= size
        self.dropped_bytes += size
        self.lines += s.count("\n")
        self.chars += len(s)
        self.at_line_start = s.endswith("\n")

    def after(self, head: str) -> str:
        """``head`` (what the cell kept first), then the marker of what was cut, then this tail."""
        text = "".join(self.chunks)
        if not self.chars:
            return head + text
        lines, chars = self.lines, self.chars
        if head and not head.endswith("\n"):
            newline = head.rfind("\n")
            if newline >= 0:  # the head's last line, cut short, goes with the cut: whole lines on both sides
                chars += len(head) - newline - 1
                head = head[: newline + 1]
            else:  # one line longer than the head: shown in part, not counted as cut
                head, lines = head + "\n", max(lines - 1, 0)
        return f"{head}{cut_marker(lines, chars)}\n{text}"


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
