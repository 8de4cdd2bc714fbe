"""The kernel's own output streams, hooked for each cell: the text a notebook gets that never passes ``sys.stdout``.

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

Both end in that one ``write`` call, so that is where they are caught: for
each cell, ``write`` is hooked on the kernel's two OutStream *instances*
(:class:`KernelStream`). The hook calls the original first (the notebook gets
everything as before), then reports the text. The tee in front of a hooked
stream stays in place but reports nothing (its writes reach the hook anyway),
so nothing is recorded twice. IPython 9 assigns its own ``write`` on the same
instance around every cell (its history tee) and puts its own back after the
cell; the hook is put in front of whatever is there at each cell's start.

Text from the descriptors arrives late
--------------------------------------
The watcher thread reads the pipe when it gets the GIL, which may be after
the cell has finished (the last ``os.write`` of a cell typically is). Text
written during a cell must land in that cell, so at its end, and before
each display, result and traceback is recorded
(:meth:`KernelStreams.settle`), the recorder checks, cheaply, whether either
watcher thread ran since the last look (its CPU clock moved); only then it
writes one NUL byte into the descriptor and waits until the watcher hands it
over: the pipe is first in, first out, so all the cell wrote came before it.
The hook takes the NUL out of the text; the watcher also echoes it, raw, to
the kernel's original standard stream (ipykernel itself writes a NUL there to
stop the watcher), where terminals show nothing. A cell with no such output
pays two clock reads and two ``ioctl`` calls, none of which lets the GIL go.
Settling before a display also puts the text in the kernel's stream buffer
before ipykernel flushes it ahead of the display, so the notebook shows it
in order too. A Python ``print`` right after C code wrote to a descriptor
may still overtake that text (in the notebook as in the record): looking
at the pipe on every write would cost every print of every cell.

Under terminal IPython there is no OutStream and nothing forwards the
descriptors anywhere but to the terminal. The recorder leaves them alone:
pointing a terminal's descriptors at a pipe would break interactive programs
run from a cell (pagers, prompts, progress bars, colour detection), so such
output is not recorded there. Logging handlers bound to the terminal's streams
before the recorder started are handled by :mod:`.tee`'s proxies instead.

This module imports nothing from ipykernel: it recognises an OutStream by its
class's module and reads the watcher's attributes defensively, leaving out
the late-text wait when they are missing (older or newer ipykernel).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable

__all__ = ["KernelStream", "KernelStreams", "is_kernel_stream"]

#: How long the end of a cell waits at most for a watcher thread to hand over what the cell wrote.
SETTLE_SECONDS = 2.0

_log = logging.getLogger(__name__)
_MISSING = object()
_SENTINEL = "\0"

_cpu_clock = getattr(time, "pthread_getcpuclockid", None)  # Linux; not macOS (there only the pipe is looked at)


def is_kernel_stream(stream) -> bool:
    """Whether ``stream`` is an ipykernel OutStream (the object the notebook's stream messages come from)."""
    for cls in type(stream).__mro__:
        if cls.__name__ == "OutStream" and cls.__module__.startswith("ipykernel"):
            return True
    return False


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
    """One kernel OutStream (``kind`` is stdout or stderr): its ``write`` hook and its descriptor watcher.

    ``sink(kind, text)`` gets every text written to the stream while the hook
    is in place, from whichever thread wrote it (the watcher thread, for the
    descriptor's text).
    """

    __slots__ = (
        "stream", "kind", "sink", "hook", "inner", "previous", "thread", "pipe", "fd", "clock", "cpu", "owed", "arrived",
        "_read_lines",
    )

    def __init__(self, stream, kind: str, sink: Callable[[str, str], None]) -> None:
        self.stream = stream
        self.kind = kind
        self.sink = sink
        self.hook = None  # the write installed on the instance (made once), or None once removed
        self.inner = None  # what the hook calls: the ``write`` it was put in front of, this cell
        self.previous = _MISSING  # what the instance's own ``write`` was before the hook
        self.owed = 0  # NUL bytes sent through the pipe and not seen back yet
        self.arrived = threading.Event()
        self.cpu = 0
        self._read_lines = None  # (code, line numbers) of the watcher loop's reads, found the first time
        # The descriptor watcher (ipykernel's private attributes; any of them missing: no late-text wait).
        thread = getattr(stream, "watch_fd_thread", None)
        pipe, fd = getattr(stream, "_fid", None), getattr(stream, "_original_stdstream_fd", None)
        watching = (
            isinstance(thread, threading.Thread) and isinstance(pipe, int) and isinstance(fd, int)
            and getattr(stream, "_should_watch", False)
        )
        self.thread = thread if watching else None
        self.pipe, self.fd = pipe, fd
        self.clock = None
        if watching and _cpu_clock is not None and thread.ident is not None:
            try:
                self.clock = _cpu_clock(thread.ident)
                self.cpu = time.clock_gettime_ns(self.clock)
            except OSError:  # pragma: no cover - a thread that just ended
                self.clock = None

    @property
    def watching(self) -> bool:
        """Whether the descriptor's text comes through this stream (ipykernel's watcher thread is alive)."""
        return self.thread is not None and self.thread.is_alive()

    def install(self) -> None:
        """Put the hook in front of the instance's ``write`` unless it is there (IPython 9 puts its own back after each cell)."""
        stream = self.stream
        hook = self.hook
        current = stream.__dict__.get("write", _MISSING)
        if hook is None or current is not hook:
            self.previous = current
            self.inner = current if current is not _MISSING else stream.write
            if hook is None:
                hook = self.hook = self._make_hook()
            stream.write = hook

    def remove(self) -> None:
        """Take the hook out (when it is still the instance's ``write``); left in a chain, it only forwards."""
        hook, self.hook = self.hook, None
        stream = self.stream
        try:
            if hook is not None and stream.__dict__.get("write") is hook:
                if self.previous is _MISSING:
                    del stream.write
                else:
                    stream.write = self.previous
        except (AttributeError, TypeError):  # pragma: no cover - defensive
            pass
        self.previous = _MISSING

    def _make_hook(self):
        sink, kind = self.sink, self.kind

        def write(s, *args, **kwargs):
            mark = False
            if self.owed and s.__class__ is str and _SENTINEL in s:  # the end-of-cell mark, back from the pipe
                i = s.index(_SENTINEL)
                s, mark = s[:i] + s[i + 1 :], True
                self.owed -= 1
            try:
                n = self.inner(s, *args, **kwargs)
                if s and self.hook is write:
                    try:
                        sink(kind, s)
                    except Exception:  # pragma: no cover - recording never breaks a write
                        _log.debug("recording a kernel stream write failed", exc_info=True)
                return n
            finally:
                if mark:
                    self.arrived.set()

        return write

    # -- the end of a cell: what the cell wrote to the descriptor is handed over before it closes --

    def moved(self) -> bool:
        """Whether the watcher ran since the last look (its CPU clock stands still while it waits in its read)."""
        clock = self.clock
        if clock is None:
            return False
        try:
            now = time.clock_gettime_ns(clock)
        except OSError:
            self.clock = None
            return False
        if now == self.cpu:
            return False
        self.cpu = now  # rest() notes it again once the mark is through
        return True

    def send_mark(self) -> bool:
        """Write the NUL mark into the descriptor, when it still is the watched pipe and the hook gets its text."""
        if self.stream.__dict__.get("write") is not self.hook or not self.thread.is_alive():
            return False
        try:
            if os.fstat(self.fd).st_ino != os.fstat(self.pipe).st_ino:  # the cell pointed the descriptor elsewhere
                return False
            self.arrived.clear()
            self.owed += 1
            os.write(self.fd, _SENTINEL.encode())
        except OSError:
            return False
        return True

    def rest(self) -> None:
        """After the mark came back: note the watcher's clock once it is back at its read of the pipe.

        The watcher still echoes the mark and reads again after handing it
        over; were its clock noted before that, the next look would take it
        for new output, send another mark, and so on after every cell. So the
        GIL is let go (20 µs at a time, 2 ms at most) until the watcher's
        frame stands at its ``os.read`` line.
        """
        clock = self.clock
        if clock is None:
            return
        ident = self.thread.ident
        for _ in range(100):
            frame = sys._current_frames().get(ident)
            if frame is None or self._at_read(frame):
                break
            time.sleep(0.00002)
        try:
            self.cpu = time.clock_gettime_ns(clock)
        except OSError:
            self.clock = None

    def _at_read(self, frame) -> bool:
        """Whether the watcher thread's innermost frame is at a line of its loop that reads the pipe."""
        code = frame.f_code
        lines = self._read_lines
        if lines is None or lines[0] is not code:
            import dis

            found = {i.positions.lineno for i in dis.get_instructions(code) if i.argval == "read"}
            lines = self._read_lines = (code, found)
        return frame.f_lineno in lines[1]


class KernelStreams:
    """The kernel's stdout and stderr OutStreams, found again when ``sys.stdout``/``sys.stderr`` change.

    :meth:`install` before each cell returns the streams it hooked (the tee
    leaves those to the hooks); :meth:`settle` at the cell's end waits for the
    descriptors' late text; :meth:`remove` takes the hooks out.
    """

    def __init__(self, sink: Callable[[str, str], None], unwrap: Callable[[object], object]) -> None:
        self._sink = sink
        self._ready = None  # for each watched stream, whether bytes wait in its pipe (see _pipe_probe)
        self._hooks: tuple = ()  # the KernelStreams hooked for each cell
        self._watched: tuple = ()  # those whose descriptors are watched
        self._unwrap = unwrap  # the stream under the recorder's own stand-in for sys.stdout/sys.stderr
        self._seen: tuple = (None, None)  # sys.stdout and sys.stderr as they were last looked at
        self._out: KernelStream | None = None
        self._err: KernelStream | None = None
        self.hooked: tuple = ()  # the real streams the hooks report for

    def streams(self) -> list[KernelStream]:
        return [s for s in (self._out, self._err) if s is not None]


    def install(self) -> tuple:
        """Hook the kernel's streams for the cell about to run; the real streams hooked (usually the same tuple)."""
        seen = self._seen
        if sys.stdout is not seen[0] or sys.stderr is not seen[1]:
            self._refresh()
        for stream in self._hooks:
            stream.install()
        return self.hooked

    def _refresh(self) -> None:
        """sys.stdout or sys.stderr is another object than a cell ago (or the first time)."""
        self._seen = (sys.stdout, sys.stderr)
        out, err = self._unwrap(sys.stdout), self._unwrap(sys.stderr)
        kept = []
        for name, real, kind in (("_out", out, "stdout"), ("_err", err, "stderr")):
            known = getattr(self, name)
            if known is None or known.stream is not real:
                if known is not None:
                    known.remove()
                known = KernelStream(real, kind, self._sink) if is_kernel_stream(real) else None
                setattr(self, name, known)
            if known is not None:
                kept.append(real)
        self.hooked = tuple(kept)
        self._hooks = tuple(s for s in (self._out, self._err) if s is not None)
        self._watched = tuple(s for s in self._hooks if s.thread is not None)
        self._ready = _pipe_probe(tuple(s.pipe for s in self._watched)) if self._watched else None

    def settle(self, timeout: float = SETTLE_SECONDS) -> None:
        """Wait until what was written to descriptors 1 and 2 so far has come through the hooks (or ``timeout``).

        A descriptor may hold text not handed over yet when its watcher ran
        since the last look (the text woke it), or when bytes wait in its
        pipe (the watcher was not scheduled yet: after a child process wrote,
        the usual case). Neither look lets the GIL go.
        """
        watched = self._watched
        if not watched:
            return
        due = [s for s in watched if s.moved()]
        if len(due) < len(watched):
            ready = self._ready()
            if ready:
                due = [s for s, waiting in zip(watched, ready, strict=True) if waiting or s in due]
        if not due:
            return
        sent = [s for s in due if s.hook is not None and s.send_mark()]
        if sent:
            deadline = time.monotonic() + timeout
            for stream in sent:  # the GIL is released while waiting: the watcher threads run
                if stream.arrived.wait(max(0.0, deadline - time.monotonic())):
                    stream.rest()

    def remove(self) -> None:
        for stream in self.streams():
            stream.remove()
        self._out = self._err = None
        self._seen, self.hooked, self._hooks, self._watched, self._ready = (None, None), (), (), (), None
