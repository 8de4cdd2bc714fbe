"""Where the REST API's file work runs: in threads, so that the server's event loop never waits.

Tornado serves every request of the Jupyter server (kernels, contents, the
notebook's own) on one event loop. A handler that waits there for the
journal's lock (a kernel may hold it for seconds), parses 10,000 entries or
exports them stalls all of them: a POST waiting for the lock once held an
unrelated ``GET /api/status`` for 11.6 s. So every call that touches a file
runs in a thread, and the loop only awaits it.

Reads (``GET journal``, ``POST check``, reading a request, git for a
Provenance) run in a pool of reader threads; they take no file lock (the core
reads without one). Writes run in a pool of writer threads, one at a time per
experiments folder. The core's caches are made for one thread, so the threads
of this server take turns using one folder's Journal (:meth:`Workers.alone`):
never a read while a write of that folder is in the core, and never two reads.
A write waiting for the journal's lock holds up no read.

A write waits at most :data:`WRITE_WAIT` seconds to start, for the writes of
this server ahead of it and then for the journal's lock (held by a kernel, the
command line, another server). If it has not started by then the client is
answered 503 (:class:`Busy`) and **the write never happens**: the writer thread
still waits for the lock in the core (up to its ``core.lock.LOCK_TIMEOUT``), and when it
gets it, it sees that it was given up and releases it without writing. A write
that has started (it holds the lock) is never abandoned: its client waits for
it and hears how it went. So a client told 503 can retry without fear of a
double entry, and a folder is never left half-written by a request that gave up.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from functools import partial
from typing import TypeVar

from ..core.journal import Journal

T = TypeVar("T")

#: How long a write may wait to start (for the lock) before its client is answered 503.
WRITE_WAIT = 5.0
#: What that 503 says.
LOCKED = "the journal is locked by another writer; try again"

log = logging.getLogger(__name__)


class Busy(Exception):
    """The write did not start within :data:`WRITE_WAIT`: nothing was written, and nothing will be."""


class _Ticket:
    """One write's state, shared by its writer thread and the handler waiting for it."""

    WAITING, STARTED, GIVEN_UP = "waiting", "started", "given up"

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self.state = self.WAITING

    def run(self, journal: Journal, alone: threading.Lock, call: Callable[[], T]) -> T | None:
        """In the writer thread: take the folder's lock, then ``call()`` unless the handler gave up meanwhile."""
        # The core's lock is re-entrant in a thread: the core takes it again inside ``call``.
        # A folder that does not exist yet has no lock to wait for: the write starts at once
        # (the core creates the folder, then takes the lock as it always does).
        with journal.lock if journal.directory.is_dir() else nullcontext():
            with self._mutex:
                if self.state == self.GIVEN_UP:
                    return None
                self.state = self.STARTED
            with alone:  # the journal's lock first: a write waiting for it holds up no read
                return call()

    def give_up(self) -> bool:
        """On the loop, when the wait is over: True if the write had not started (and now never will)."""
        with self._mutex:
            if self.state == self.STARTED:
                return False
            self.state = self.GIVEN_UP
            return True


def _retrieve(future: asyncio.Future) -> None:
    """A write given up may still fail in its thread (the lock timed out in the core): log it, quietly."""
    if not future.cancelled() and future.exception() is not None:
        log.info("expjournal: a write given up ended with: %s", future.exception())


#: The threads, one set per process (each server's queues are its own: they belong to its event loop).
#: A writer thread given up waits in the core for the lock (up to its ``core.lock.LOCK_TIMEOUT``), so at worst a
#: server that stops just then takes that long to exit.
_READERS = ThreadPoolExecutor(4, thread_name_prefix="expjournal-read")
_WRITERS = ThreadPoolExecutor(4, thread_name_prefix="expjournal-write")


class Workers:
    """One server's use of the threads: reads, and the queue of writes of each folder."""

    def __init__(self, wait: float = WRITE_WAIT) -> None:
        self.wait = wait
        self._queues: dict[str, asyncio.Lock] = {}  # the writes of each folder, one at a time
        self._builds: dict[str, asyncio.Lock] = {}  # the GET answers of each folder, one at a time
        self._alone: dict[str, threading.Lock] = {}
        self._mutex = threading.Lock()

    async def read(self, call: Callable[..., T], *args: object) -> T:
        """``call(*args)`` in a reader thread."""
        return await asyncio.get_running_loop().run_in_executor(_READERS, partial(call, *args))

    def alone(self, journal: Journal) -> threading.Lock:
        """Held by a thread while it calls ``journal``: one thread at a time uses a folder's Journal.

        The core's caches (the parse kept per file, the last review) are plain
        attributes written by whoever reads, made for one thread. A read racing
        a write of the same Journal could pair one version's bytes with another's
        parse in that cache (an append seeding it after a read refreshed it), so
        reads and writes of a folder take turns. A write holds this only once it
        holds the journal's lock, for as long as the core's call takes.
        """
        with self._mutex:
            return self._alone.setdefault(str(journal.directory), threading.Lock())

    def one_at_a_time(self, directory: str) -> asyncio.Lock:
        """The folder's lock for building its GET answer: a second GET waits and gets the first one's answer."""
        return self._builds.setdefault(directory, asyncio.Lock())

    async def write(self, journal: Journal, call: Callable[[], T]) -> T:
        """``call()`` in a writer thread under the folder's lock; :class:`Busy` if it cannot start in time."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait
        queue = self._queues.setdefault(str(journal.directory), asyncio.Lock())
        try:
            await asyncio.wait_for(queue.acquire(), self.wait)
        except asyncio.TimeoutError:
            raise Busy from None
        ticket = _Ticket()
        try:
            future = loop.run_in_executor(_WRITERS, ticket.run, journal, self.alone(journal), call)
        except BaseException:
            queue.release()
            raise
        # the queue is held until the thread is done, not until this handler stops waiting
        future.add_done_callback(lambda _: queue.release())
        # a write whose turn came at the very end still gets a moment to take a free lock
        done, _ = await asyncio.wait({future}, timeout=max(0.1, deadline - loop.time()))
        if not done and ticket.give_up():
            future.add_done_callback(_retrieve)
            raise Busy
        return await future
