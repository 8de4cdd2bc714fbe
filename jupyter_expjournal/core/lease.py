"""Holding off in-place writers while a file is swapped: Linux read leases.

An editor that saves in place (open, truncate, write) takes no lock, so the
store cannot exclude it; but the kernel can. While we hold a read lease on the
file, any other process's open of it for writing waits (until we let go, at most
``/proc/sys/fs/lease-break-time``), and a lease cannot be had at all while the
file is open for writing. So: take the lease, compare, rename the new file in,
and if someone's open of the old file was waiting meanwhile (the lease is being
broken), wait for them to close it and put their bytes back; they wrote into
the file the name no longer points at.

A lease break is announced by a signal (SIGIO, whose default is to end the
process), so each leased descriptor is set to signal SIGURG instead, which
every process ignores unless it asked for it. Where leases are not to be had
(not Linux, a file owned by someone else, a file system without them) the
functions say so and the store falls back to comparing what stat says.
"""

from __future__ import annotations

import errno
import os
import signal
import time

try:
    import fcntl
except ImportError:  # not POSIX
    fcntl = None  # type: ignore[assignment]

#: How long to wait for an in-place writer that opened the file as we swapped it to close it.
WAIT_SECONDS = 5.0
#: How long to wait for a writer that has the file open before a swap (past this it is taken
#: for a descriptor left open, and the swap goes on checking stat instead).
BUSY_SECONDS = 1.0

#: The signal a lease break sends (see above).
BREAK_SIGNAL = signal.SIGURG

_SETLEASE = getattr(fcntl, "F_SETLEASE", None)
_UNAVAILABLE = {errno.EACCES, errno.EPERM, errno.EINVAL, errno.ENOLCK, errno.ENOSYS, errno.EOPNOTSUPP}


def hold(fd: int) -> bool | None:
    """Take a read lease on ``fd`` (open read-only): True if held, False while
    another descriptor has the file open for writing, None where leases are not to be had."""
    return _take(fd, fcntl.F_RDLCK) if _SETLEASE is not None else None


def no_writer(fd: int) -> bool | None:
    """Whether no one has the file open for writing now (:func:`hold`, let go at once)."""
    held = hold(fd)
    if held:
        release(fd)
    return held


def hold_alone(fd: int) -> bool | None:
    """Take a write lease on ``fd``: True only if no other descriptor has the file open at all (False while
    one has; None where leases are not to be had). From then on any other open waits (at most the
    lease-break time) until ``fd`` is closed, and shows (:func:`alone` is then False)."""
    return _take(fd, fcntl.F_WRLCK) if _SETLEASE is not None else None


def _take(fd: int, kind: int) -> bool | None:
    try:
        fcntl.fcntl(fd, fcntl.F_SETSIG, BREAK_SIGNAL)
        fcntl.fcntl(fd, _SETLEASE, kind)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EBUSY):
            return False
        if exc.errno in _UNAVAILABLE:
            return None
        raise
    return True


def open_alone(path, flags: int, mode: int = 0o644) -> tuple[int, bool | None]:
    """``os.open(path, flags, mode)`` for an append, under a write lease when one can be had: (descriptor, True);
    else (descriptor, False) or, where there are no leases, (descriptor, None).

    An editor saving in place opens the file, reads it, then writes it back: an
    append that goes in between is written over. So the append waits for
    anyone writing (:func:`after_writers`), then takes the lease, which holds
    only while no one else has the file open; one that opened it in between is
    waited for in turn. While the lease is held, any other open waits until the
    descriptor is closed, and then sees what was appended. Readers that keep the
    file open (``less``, ``tail -f``) write nothing over it: they are not waited for."""
    for _ in range(3):
        after_writers(path)
        fd = os.open(path, flags, mode)
        try:
            held = hold_alone(fd)
        except OSError:
            os.close(fd)
            raise
        if held is not False:
            return fd, held
        os.close(fd)
        if not _writing(path):
            break
    return os.open(path, flags, mode), False


def _writing(path) -> bool:
    """Whether someone has the file open for writing now (a read lease cannot be had)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        return no_writer(fd) is False
    finally:
        os.close(fd)


def alone(fd: int) -> bool:
    """Whether the write lease of :func:`hold_alone` still holds (no one tried to open the file since)."""
    try:
        return fcntl.fcntl(fd, fcntl.F_GETLEASE) == fcntl.F_WRLCK
    except OSError:
        return False


def breaking(fd: int) -> bool:
    """Whether another process is waiting to open the leased file for writing."""
    return fcntl.fcntl(fd, fcntl.F_GETLEASE) == fcntl.F_UNLCK


def release(fd: int) -> None:
    """Let go of the lease (a waiting opener goes on)."""
    try:
        fcntl.fcntl(fd, _SETLEASE, fcntl.F_UNLCK)
    except OSError:
        pass


def hold_within(fd: int, timeout: float = BUSY_SECONDS) -> bool | None:
    """:func:`hold`, tried again until no one has the file open for writing or ``timeout`` has passed:
    True (held: the save under way has ended), False (still open for writing), None (no leases here).

    A file that stayed open for writing a whole ``timeout`` (a descriptor left open: no save lasts
    that long) is not waited for again by this process until it has been seen closed or has
    changed, so that every read of it does not stall. (Its inode number alone does not name it: a
    file made later may get the same number, and its saves must be waited for.)"""
    held = hold(fd)
    if held is not False:
        if _left_open:
            _left_open.pop(_identity(fd)[0], None)
        return held
    key, changed = _identity(fd)
    if _left_open.get(key) == changed:
        return False
    deadline = time.monotonic() + timeout
    while (held := hold(fd)) is False and time.monotonic() < deadline:
        time.sleep(0.001)
    if held is False:
        _left_open[key] = _identity(fd)[1]
    return held


def wrote(fd: int) -> None:
    """The store wrote through ``fd``: a file left open by someone else stays known as such (its change was ours)."""
    if _left_open:
        key, changed = _identity(fd)
        if key in _left_open:
            _left_open[key] = changed


#: Files (device, inode) seen open for writing through a whole wait, with their ctime then: not waited for
#: again until seen closed, or changed by someone else.
_left_open: dict[tuple[int, int], int] = {}


def _identity(fd: int) -> tuple[tuple[int, int], int]:
    st = os.fstat(fd)
    return (st.st_dev, st.st_ino), st.st_ctime_ns


def after_writers(path) -> None:
    """Wait (at most ``BUSY_SECONDS``) until no one has the file open for writing: an append lands
    after an in-place save under way, not in the middle of it (where the rest of the save would
    write over it)."""
    if _SETLEASE is None:
        return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return  # not there yet, or unreadable: the append says why
    try:
        hold_within(fd)
    finally:
        os.close(fd)


def watch_swap(fd: int) -> bool:
    """After the rename, with the lease held: whether a writer opened the old
    file meanwhile (it writes where the name no longer points). Lets go of the
    lease; an open that was still on its way to the old file is caught by
    looking once more for a writer."""
    if breaking(fd):
        release(fd)
        return True
    release(fd)
    return no_writer(fd) is False


def read(path) -> bytes:
    """The file's bytes as one writer left them: read under a lease, so an
    in-place save is not caught half-way (truncated, or half written)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        hold_within(fd)  # open for writing now: let the save finish (one left open for good is not waited for)
        return read_fd(fd)
    finally:
        os.close(fd)


def read_fd(fd: int) -> bytes:
    """The whole file behind ``fd``, from its start (one read when the size holds still)."""
    size = os.fstat(fd).st_size
    data = os.pread(fd, size + 1, 0)
    if len(data) <= size:
        return data
    chunks, offset = [data], len(data)  # it grew meanwhile: read on to its end
    while chunk := os.pread(fd, 1 << 20, offset):
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def settled(fd: int, pause: float = 0.01) -> bytes:
    """The file behind ``fd`` once two reads ``pause`` apart agree (where no lease
    said the writer is done, it may be half-way through)."""
    data = read_fd(fd)
    for _ in range(100):
        time.sleep(pause)
        again = read_fd(fd)
        if again == data:
            break
        data = again
    return data
