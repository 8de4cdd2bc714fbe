"""The stream tee: ``sys.stdout``/``sys.stderr`` stand-ins that forward every write and report it.

While a cell runs, the recorder puts a proxy in front of each stream; the
proxy writes to the real stream first (the user sees everything as usual),
then hands the text to the recorder. After the cell the real streams are put
back, unless the cell replaced ``sys.stdout`` itself: its choice is left alone.

A stream the kernel's taps already report (:mod:`.descriptors`: ipykernel's
OutStream, whose ``echo`` is tapped) gets no proxy: its writes reach the tap
and are recorded there once, and a kernel's cell pays for no swap. Logging
handlers that were given a real stream before the recorder started
(``logging.basicConfig()`` before ``%load_ext``) write past any
``sys.stderr`` proxy; :meth:`StreamTaps.bind_handlers` points them at the
proxy of their stream (it reports only while a cell runs), and
:meth:`StreamTaps.unbind_handlers` points them back.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

__all__ = ["StreamTaps", "real_stream"]

_log = logging.getLogger(__name__)


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
            try:
                self._sink(self._kind, s)
            except Exception:  # pragma: no cover - recording never breaks a print
                _log.debug("recording a write failed", exc_info=True)
        return n

    def writelines(self, lines):
        lines = list(lines)
        self._real.writelines(lines)
        if self._live:
            s = "".join(line for line in lines if isinstance(line, str))
            if s:
                try:
                    self._sink(self._kind, s)
                except Exception:  # pragma: no cover - recording never breaks a print
                    _log.debug("recording a write failed", exc_info=True)

    def __getattr__(self, name):
        # Only called for attributes not found on the proxy itself.
        if name == "_real":  # half-built copy (copy.copy, pickle): no recursion
            raise AttributeError(name)
        return getattr(self._real, name)

    def __repr__(self) -> str:
        return f"<expjournal tee of {self._real!r}>"


def real_stream(stream):
    """The stream under any of the recorders' proxies (itself when it is none)."""
    while stream.__class__ is _TeeStream:
        stream = stream._real
    return stream


class StreamTaps:
    """One recorder's two proxies: :meth:`install` before a cell, :meth:`restore` after it (when it reported).

    ``sink(kind, text)`` receives every write (``kind`` is ``"stdout"`` or
    ``"stderr"``) made while the proxies are installed.
    """

    def __init__(self, sink: Callable[[str, str], None]) -> None:
        self._sink = sink
        self._out: _TeeStream | None = None
        self._err: _TeeStream | None = None
        self._bound: list = []  # (handler, real stream, proxy) re-pointed by bind_handlers

    def install(self, hooked: tuple = ()) -> bool:
        """Put the proxies in, but none before a stream in ``hooked`` (the kernel's taps report those).

        Whether a proxy now reports (then :meth:`restore` after the cell); when
        none does, there is nothing to put back.
        """
        # Written out for both streams: this runs before every cell with a stream the taps do not report.
        out = sys.stdout
        if out is not None and out not in hooked:
            if out.__class__ is not _TeeStream:
                proxy = self._out
                if proxy is None or proxy._real is not out:  # made once, while the stream stays the same
                    proxy = self._out = _TeeStream(out, self._sink, "stdout")
                proxy._live = True
                sys.stdout = proxy
            elif out is self._out:
                out._live = out._real not in hooked
        err = sys.stderr
        if err is not None and err not in hooked:
            if err.__class__ is not _TeeStream:
                proxy = self._err
                if proxy is None or proxy._real is not err:
                    proxy = self._err = _TeeStream(err, self._sink, "stderr")
                proxy._live = True
                sys.stderr = proxy
            elif err is self._err:
                err._live = err._real not in hooked
        return (self._out is not None and self._out._live) or (self._err is not None and self._err._live)

    def proxy(self, real, kind: str) -> _TeeStream:
        """The proxy :meth:`install` puts in front of ``real`` (made now if the stream is new)."""
        name = "_out" if kind == "stdout" else "_err"
        proxy = getattr(self, name)
        if proxy is None or proxy._real is not real:
            proxy = _TeeStream(real, self._sink, kind)
            setattr(self, name, proxy)
        return proxy

    def bind_handlers(self, hooked: tuple = ()) -> None:
        """Point the logging handlers that write to the real sys.stdout/sys.stderr at their proxies.

        Handlers on a stream in ``hooked`` are left alone: the kernel's tap sees their writes.
        """
        streams = [(real_stream(s), kind) for s, kind in ((sys.stdout, "stdout"), (sys.stderr, "stderr"))]
        for handler in _stream_handlers():
            for real, kind in streams:
                if handler.stream is real and real is not None and real not in hooked:
                    proxy = self.proxy(real, kind)
                    handler.stream = proxy
                    self._bound.append((handler, real, proxy))

    def unbind_handlers(self) -> None:
        """Point the handlers :meth:`bind_handlers` moved back at their streams (unless moved again since)."""
        for handler, real, proxy in self._bound:
            if handler.stream is proxy:
                handler.stream = real
        self._bound.clear()

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


def _stream_handlers() -> list[logging.StreamHandler]:
    """Every StreamHandler of the root logger and of every logger made so far."""
    loggers = [logging.getLogger()]
    loggers += [lg for lg in list(logging.Logger.manager.loggerDict.values()) if isinstance(lg, logging.Logger)]
    found, seen = [], set()
    for lg in loggers:
        for handler in list(lg.handlers):
            if isinstance(handler, logging.StreamHandler) and id(handler) not in seen:
                seen.add(id(handler))
                found.append(handler)
    return found
