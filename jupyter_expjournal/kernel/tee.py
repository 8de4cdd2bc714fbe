"""The stream tee: ``sys.stdout``/``sys.stderr`` stand-ins that forward every write and report it.

While a cell runs, the recorder puts a proxy in front of each stream; the
proxy writes to the real stream first (the user sees everything as usual),
then hands the text to the recorder. After the cell the real streams are put
back, unless the cell replaced ``sys.stdout`` itself: its choice is left alone.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

__all__ = ["StreamTaps"]


class _TeeStream:
    """Stand-in for ``sys.stdout``/``sys.stderr`` while a cell runs.

    Forwards every write to the real stream first, then reports it; every
    other attribute is forwarded to the real stream.  It deliberately has a
    ``__dict__``: IPython 9's own history tee (``InteractiveShell._tee``)
    assigns ``stream.write`` on whatever ``sys.stdout`` is when a nested
    ``run_cell`` starts, and that assignment must land on the proxy.

    A proxy can outlive its cell (``logging.basicConfig()`` in a cell keeps a
    reference to ``sys.stderr``).  It then keeps forwarding, and reports only
    while it is installed for a running cell.
    """

    def __init__(self, real, sink: Callable[[str, str], None], kind: str) -> None:
        self._real = real
        self._sink = sink
        self._kind = kind
        self._live = False

    def write(self, s):
        n = self._real.write(s)
        if self._live and s:
            self._sink(self._kind, s)
        return n

    def writelines(self, lines):
        lines = list(lines)
        self._real.writelines(lines)
        if self._live:
            s = "".join(line for line in lines if isinstance(line, str))
            if s:
                self._sink(self._kind, s)

    def __getattr__(self, name):
        # Only called for attributes not found on the proxy itself.
        if name == "_real":  # half-built copy (copy.copy, pickle): no recursion
            raise AttributeError(name)
        return getattr(self._real, name)

    def __repr__(self) -> str:
        return f"<expjournal tee of {self._real!r}>"


class StreamTaps:
    """One recorder's two proxies: :meth:`install` before a cell, :meth:`restore` after it.

    ``sink(kind, text)`` receives every write (``kind`` is ``"stdout"`` or
    ``"stderr"``) made while the proxies are installed.
    """

    def __init__(self, sink: Callable[[str, str], None]) -> None:
        self._sink = sink
        self._out: _TeeStream | None = None
        self._err: _TeeStream | None = None

    def install(self) -> None:
        # Written out for both streams: this runs before every cell.
        out = sys.stdout
        if out is not None and out.__class__ is not _TeeStream:
            proxy = self._out
            if proxy is None or proxy._real is not out:  # made once, while the stream stays the same
                proxy = self._out = _TeeStream(out, self._sink, "stdout")
            proxy._live = True
            sys.stdout = proxy
        elif out is self._out:
            out._live = True
        err = sys.stderr
        if err is not None and err.__class__ is not _TeeStream:
            proxy = self._err
            if proxy is None or proxy._real is not err:
                proxy = self._err = _TeeStream(err, self._sink, "stderr")
            proxy._live = True
            sys.stderr = proxy
        elif err is self._err:
            err._live = True

    def restore(self) -> None:
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
