"""The kernel's own output streams, tapped: the text a notebook gets that never passes ``sys.stdout``.

Why this exists
---------------
The recorder's stand-ins for ``sys.stdout``/``sys.stderr`` (:mod:`.tee`) see
what Python code prints. Two kinds of text reach the notebook without them:

* **Output written straight to file descriptor 1 or 2**: a child process
  (``subprocess.run``, ``os.system``), a C extension's ``printf``,
  ``os.write(1, ...)``. ipykernel (>= 6, its ``capture_fd_output`` setting,
  on by default on Linux and macOS) points descriptors 1 and 2 at a pipe and
  runs one thread per stream (``OutStream.watch_fd_thread``) that reads the
  pipe and calls ``OutStream.write`` with the text, which sends it to the
  notebook.
* **Writes to the OutStream object itself**, through a reference taken before
  the recorder was registered: a ``logging.StreamHandler()`` or
  ``logging.basicConfig()`` run before ``%load_ext jupyter_expjournal`` holds
  the OutStream that was ``sys.stderr`` then.

Both end in ``OutStream.write``, which hands every text to the stream's
``echo`` first (ipykernel's own way to copy a kernel's output to a terminal;
``None`` unless the kernel was started not quiet). So each kernel stream's
``echo`` is a :class:`Tap` while the recorder is registered: it passes the
text on to the echo it replaced, if any, then reports it. That is one
attribute, set once, that nothing else touches (IPython 9 reassigns the
stream's ``write`` around every cell, for its history, and would undo a hook
there). The tee in front of a tapped stream stays in place but reports
nothing (its writes reach the tap), so nothing is recorded twice.

Text from the descriptors comes from another thread
---------------------------------------------------
The watcher reads the pipe when it is scheduled and holds the GIL, so what a
cell wrote to a descriptor may reach the tap after text the cell printed
later, or after the cell's end. Two things keep it in its cell:

* What the watcher hands over while no cell runs goes to the cell that ran
  last (:meth:`KernelStreams.is_watcher`): the notebook shows it there too,
  since ipykernel sends it under that cell's request until the next comes.
  A watcher that read the pipe and waits for the GIL gets it as soon as the
  cell ends, long before the next cell can start.
* Bytes still in a pipe before a display, a result or a traceback is
  recorded, or when a cell starts right after another (the watcher was not
  scheduled yet: after a child process wrote, the usual case), are waited
  for (:meth:`KernelStreams.settle`): one NUL byte is written into the
  descriptor, and the recorder waits until the watcher hands it over; the
  pipe is first in, first out, so what came before it has been handed over
  too. For that wait the stream's ``write`` is hooked, to take the NUL out
  before the notebook gets it; the watcher also copies it, raw, to the
  kernel's original standard stream (ipykernel itself writes a NUL there to
  stop the watcher), where terminals show nothing. Settling before a display
  also puts the text in the kernel's buffer before ipykernel flushes it
  ahead of the display, so the notebook shows it in order too.

A cell pays nothing for this unless it displays something or starts right
after another: then one ``poll`` of both pipes, made through
:class:`ctypes.PyDLL` so that it keeps the GIL (see :func:`_pipe_probe`). A
Python ``print`` right after C code wrote to a descriptor may still overtake
that text, in the notebook as in the record.

Under terminal IPython there is no OutStream and nothing forwards the
descriptors anywhere but to the terminal. The recorder leaves them alone:
pointing a terminal's descriptors at a pipe would break interactive programs
run from a cell (pagers, prompts, progress bars, colour detection), so such
output is not recorded there. Logging handlers bound to the terminal's streams
before the recorder started are handled by :mod:`.tee`'s proxies instead.

This module imports nothing from ipykernel: it recognises an OutStream by its
class's module and reads the watcher's attributes defensively, leaving out
the wait for the pipe when they are missing (older or newer ipykernel).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable

__all__ = ["KernelStream", "KernelStreams", "Tap", "is_kernel_stream"]

#: How long a cell waits at most for a watcher thread to hand over what it wrote to a descriptor.
SETTLE_SECONDS = 2.0

_log = logging.getLogger(__name__)
_MISSING = object()
_SENTINEL = "\0"


def is_kernel_stream(stream) -> bool:
    """Whether ``stream`` is an ipykernel OutStream (the object the notebook's stream messages come from)."""
    for cls in type(stream).__mro__:
        if cls.__name__ == "OutStream" and cls.__module__.startswith("ipykernel"):
            return True
    return False


class Tap:
    """A kernel stream's ``echo`` while the recorder is registered: every text written to the stream, reported.

    ``OutStream.write`` calls ``echo.write(text)`` before it buffers the text
    for the notebook, from whichever thread wrote; ``_flush`` calls
    ``echo.flush()``. The echo the tap replaced (a terminal, for a kernel
    started not quiet) still gets both.
    """

    __slots__ = ("previous", "sink", "kind", "live")

    def __init__(self, previous, sink: Callable[[str, str], None], kind: str) -> None:
        self.previous = previous
        self.sink = sink
        self.kind = kind
        self.live = True

    def write(self, s):
        previous = self.previous
        if previous is not None:
            previous.write(s)
        if self.live and s:
            try:
                self.sink(self.kind, s)
            except Exception:  # pragma: no cover - recording never breaks a write
                _log.debug("recording a kernel stream write failed", exc_info=True)
        return len(s)

    def flush(self) -> None:
        if self.previous is not None:
            self.previous.flush()

    def __getattr__(self, name):  # anything else an echo is asked for, the echo it replaced answers
        previous = object.__getattribute__(self, "previous")
        if previous is None:
            raise AttributeError(name)
        return getattr(previous, name)


def _pipe_probe(pipes: tuple):
    """A function ``ready()``: for each of ``pipes`` (descriptors), whether bytes wait in it; ``()`` when none.

    One ``poll`` with no timeout for all of them. Python's own ``select`` and
    ``fcntl.ioctl`` let the GIL go during the call; at the end of a cell
    ipykernel's threads are waiting for it, and getting it back costs tens of
    µs. So the C ``poll`` is called through :class:`ctypes.PyDLL`, which keeps
    the GIL (ipykernel has loaded ctypes already), with its arguments made
    once; ``select.poll`` only where that fails. Made when a kernel stream
    with a descriptor watcher is first seen: terminal IPython never pays for it.
    """
    import select

    pollin, count = select.POLLIN, len(pipes)
    try:
        import ctypes

        class PollFd(ctypes.Structure):
            _fields_ = [("fd", ctypes.c_int), ("events", ctypes.c_short), ("revents", ctypes.c_short)]

        poll = ctypes.PyDLL(None).poll
        fds = (PollFd * count)(*[PollFd(pipe, pollin, 0) for pipe in pipes])
    except (ImportError, AttributeError, OSError, TypeError):  # pragma: no cover - no C library to call
        poller = select.poll()
        for pipe in pipes:
            poller.register(pipe, pollin)

        def ready() -> tuple | list:
            found = {fd for fd, events in poller.poll(0) if events & pollin}
            return [pipe in found for pipe in pipes] if found else ()

        return ready

    def ready() -> tuple | list:
        if poll(fds, count, 0) <= 0:
            return ()
        return [bool(fd.revents & pollin) for fd in fds]

    return ready


class KernelStream:
    """One kernel OutStream (``kind`` is stdout or stderr): its :class:`Tap` and its descriptor watcher."""

    __slots__ = ("stream", "kind", "tap", "thread", "pipe", "fd", "owed", "arrived", "strip", "previous")

    def __init__(self, stream, kind: str, sink: Callable[[str, str], None]) -> None:
        self.stream = stream
        self.kind = kind
        self.tap = Tap(getattr(stream, "echo", None), sink, kind)
        self.owed = 0  # NUL marks written into the pipe and not seen back yet
        self.arrived = threading.Event()
        self.strip = None  # the write hook that takes marks out, while a mark is on its way
        self.previous = _MISSING  # the instance's own ``write`` before that hook
        # The descriptor watcher (ipykernel's private attributes; any of them missing: no wait for the pipe).
        thread = getattr(stream, "watch_fd_thread", None)
        pipe = getattr(stream, "_fid", None)
        fd = getattr(stream, "_original_stdstream_fd", 1 if kind == "stdout" else 2)  # ipykernel 6.0 keeps no number
        watching = (
            isinstance(thread, threading.Thread) and isinstance(pipe, int) and isinstance(fd, int)
            and getattr(stream, "_should_watch", False)
        )
        self.thread = thread if watching else None
        self.pipe, self.fd = pipe, fd

    @property
    def watching(self) -> bool:
        """Whether the descriptor's text comes through this stream (ipykernel's watcher thread is alive)."""
        return self.thread is not None and self.thread.is_alive()

    @property
    def tapped(self) -> bool:
        return getattr(self.stream, "echo", None) is self.tap

    def install(self) -> None:
        """Make the tap the stream's echo (again, if something replaced it)."""
        stream = self.stream
        echo = getattr(stream, "echo", None)
        if echo is not self.tap:
            self.tap.previous = echo
            self.tap.live = True
            try:
                stream.echo = self.tap
            except (AttributeError, TypeError):  # pragma: no cover - a stream that keeps no echo
                pass

    def remove(self) -> None:
        """Put the echo back (when the tap still is the stream's echo); a tap left in a chain only forwards."""
        self.tap.live = False
        self._unhook()
        try:
            if getattr(self.stream, "echo", None) is self.tap:
                self.stream.echo = self.tap.previous
        except (AttributeError, TypeError):  # pragma: no cover - defensive
            pass

    # -- a mark through the pipe: what was written before it has been handed over once it is back --

    def send_mark(self) -> bool:
        """Write the NUL mark into the descriptor, when it still is the watched pipe (the hook takes it out again)."""
        if not self.tapped or not self.thread.is_alive():
            return False
        try:
            if os.fstat(self.fd).st_ino != os.fstat(self.pipe).st_ino:  # the cell pointed the descriptor elsewhere
                return False
            self._hook()
            self.arrived.clear()
            self.owed += 1
            os.write(self.fd, _SENTINEL.encode())
        except OSError:
            self._unhook()
            return False
        return True

    def _hook(self) -> None:
        """Hook the instance's ``write``, where the watcher hands its text over, to take the mark out of it."""
        stream = self.stream
        current = stream.__dict__.get("write", _MISSING)
        if self.strip is not None and current is self.strip:
            return
        inner = current if current is not _MISSING else stream.write

        def write(s, *args, **kwargs):
            mark = False
            if self.owed and s.__class__ is str and _SENTINEL in s:
                i = s.index(_SENTINEL)
                s, mark = s[:i] + s[i + 1 :], True
                self.owed -= 1
            try:
                return inner(s, *args, **kwargs)
            finally:
                if mark:
                    self.arrived.set()

        self.previous, self.strip = current, write
        stream.write = write

    def _unhook(self) -> None:
        strip, self.strip = self.strip, None
        stream = self.stream
        try:
            if strip is not None and stream.__dict__.get("write") is strip:
                if self.previous is _MISSING:
                    del stream.write
                else:
                    stream.write = self.previous
        except (AttributeError, TypeError):  # pragma: no cover - defensive
            pass
        self.previous = _MISSING


class KernelStreams:
    """The kernel's stdout and stderr OutStreams, found again when ``sys.stdout``/``sys.stderr`` change.

    :meth:`install` before each cell (re)taps them and returns the real
    streams tapped (the tee leaves those to the taps); :meth:`settle` waits
    for text still in the pipes; :meth:`remove` takes the taps out.
    """

    def __init__(self, sink: Callable[[str, str], None], unwrap: Callable[[object], object]) -> None:
        self._sink = sink
        self._unwrap = unwrap  # the stream under the recorder's own stand-in for sys.stdout/sys.stderr
        self._seen: tuple = (None, None)  # sys.stdout and sys.stderr as they were last looked at
        self._out: KernelStream | None = None
        self._err: KernelStream | None = None
        self._streams: tuple = ()  # the KernelStreams tapped
        self._watched: tuple = ()  # those whose descriptors are watched
        self._watchers: tuple = ()  # their watcher threads' idents
        self._ready = None  # for each watched stream, whether bytes wait in its pipe (see _pipe_probe)
        self.hooked: tuple = ()  # the real streams the taps report for

    def streams(self) -> list[KernelStream]:
        return list(self._streams)

    def install(self) -> tuple:
        """Tap the kernel's streams (once: again only if sys.stdout or sys.stderr changed); the real streams tapped."""
        seen = self._seen
        if sys.stdout is not seen[0] or sys.stderr is not seen[1]:
            self._refresh()
        return self.hooked

    def _refresh(self) -> None:
        """sys.stdout or sys.stderr is another object than a cell ago (or the first time)."""
        self._seen = (sys.stdout, sys.stderr)
        out, err = self._unwrap(sys.stdout), self._unwrap(sys.stderr)
        for name, real, kind in (("_out", out, "stdout"), ("_err", err, "stderr")):
            known = getattr(self, name)
            if known is None or known.stream is not real:
                if known is not None:
                    known.remove()
                known = KernelStream(real, kind, self._sink) if is_kernel_stream(real) else None
                setattr(self, name, known)
                if known is not None:
                    known.install()
        self._streams = tuple(s for s in (self._out, self._err) if s is not None)
        self.hooked = tuple(s.stream for s in self._streams)
        self._watched = tuple(s for s in self._streams if s.thread is not None)
        self._watchers = tuple(s.thread.ident for s in self._watched)
        self._ready = _pipe_probe(tuple(s.pipe for s in self._watched)) if self._watched else None

    def is_watcher(self, ident: int) -> bool:
        """Whether the thread ``ident`` is one of ipykernel's descriptor watchers."""
        return ident in self._watchers

    def settle(self, timeout: float = SETTLE_SECONDS) -> None:
        """Wait until the bytes waiting in the pipes of descriptors 1 and 2 have come through the taps (or ``timeout``).

        Bytes wait when the watcher was not scheduled yet since they were
        written (after a child process wrote, the usual case). The look keeps
        the GIL; the wait lets it go, so that the watcher threads run.
        """
        if not self._watched:
            return
        ready = self._ready()
        if not ready:
            return
        sent = [s for s, waiting in zip(self._watched, ready, strict=True) if waiting and s.send_mark()]
        deadline = time.monotonic() + timeout
        for stream in sent:
            stream.arrived.wait(max(0.0, deadline - time.monotonic()))
            if not stream.owed:  # a mark still on its way keeps the hook that takes it out
                stream._unhook()

    def remove(self) -> None:
        for stream in self._streams:
            stream.remove()
        self._out = self._err = None
        self._seen, self.hooked, self._streams, self._watched, self._watchers, self._ready = (None, None), (), (), (), (), None
