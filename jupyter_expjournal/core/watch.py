"""Whether a file has been left alone since its bytes were last proven: the kernel says, through inotify.

Every read of a cached journal compares the file with the cache, 8 MB in
1.5-2 ms: most of a ``%%hypothesis`` at 10,000 entries. Stat cannot stand in
for that comparison (an in-place edit that keeps size and mtime fools it);
the kernel can. Once the file was compared (or read) and found equal to a
snapshot, a watch on its inode records every later open, write, truncation,
attribute change, rename or deletion, whoever makes it. So the file still
holds the snapshot's bytes when:

- nothing but opens was recorded since (a write makes an event: ``write``,
  ``truncate`` and ``fallocate`` a modification, any descriptor opened for
  writing an open and a close-after-write; a shared writable mapping keeps the
  file open for writing until it is unmapped);
- no one has it open for writing now (a read lease can be had: one that wrote
  through a mapping and has not let go yet would otherwise go unseen); and
- the name still leads to the watched inode.

A watch is started only where it can be trusted: Linux, a local file system
(ext4, xfs, btrfs, tmpfs, f2fs: not NFS, FUSE, 9p or overlay, whose files may
be changed by another machine or layer the watch cannot see), a file whose
lease can be taken, and only in the process that started it (a forked child
must not read the parent's events). Elsewhere :meth:`Watch.quiet` is simply
False and the store compares, as it always did.

The store's own writes make events too; it claims them: an append is written
under a write lease (no one else can open the file meanwhile) and expects
exactly its open, its write and its close; a swap watches the new file before
renaming it in and expects exactly its own look and the rename. Anything else
seen means "not proven", and the next read compares again.
"""

from __future__ import annotations

import ctypes
import os
import struct
import threading
import weakref

from . import lease

try:
    import fcntl
except ImportError:  # not POSIX
    fcntl = None  # type: ignore[assignment]

OPEN = 0x20
MODIFY = 0x02
ATTRIB = 0x04
CLOSE_WRITE = 0x08
MOVE_SELF = 0x800
DELETE_SELF = 0x400
IGNORED = 0x8000
OVERFLOW = 0x4000
#: What the watch records: anything that can change the bytes, or the inode the name leads to.
MASK = OPEN | MODIFY | ATTRIB | CLOSE_WRITE | MOVE_SELF | DELETE_SELF
_NONBLOCK, _CLOEXEC = 0o4000, 0o2000000
_EVENT = struct.Struct("iIII")  # wd, mask, cookie, length of the name that follows

#: Local file systems (statfs f_type), whose every change goes through this kernel's VFS.
LOCAL = {0xEF53: "ext4", 0x58465342: "xfs", 0x9123683E: "btrfs", 0x01021994: "tmpfs", 0xF2F52010: "f2fs"}


def _libc():
    if not hasattr(os, "fork") or fcntl is None or not hasattr(fcntl, "F_SETLEASE"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.inotify_init1, libc.inotify_add_watch, libc.statfs  # noqa: B018 - all three, or no watch
    except (OSError, AttributeError):
        return None
    return libc


_LIBC = _libc()


def local(path) -> bool:
    """Whether ``path`` lies on a file system every change of which this kernel sees (:data:`LOCAL`)."""
    buffer = ctypes.create_string_buffer(256)  # struct statfs is 120 bytes on 64-bit Linux; f_type comes first
    if _LIBC is None or _LIBC.statfs(os.fsencode(path), buffer) != 0:
        return False
    return struct.unpack_from("l", buffer)[0] in LOCAL


def _close_in(fd: int, pid: int) -> None:
    """Close the watch's descriptor, in the process that made it."""
    if os.getpid() == pid:
        try:
            os.close(fd)
        except OSError:
            pass


class Watch:
    """One file's watch: :meth:`begin` and :meth:`prove` around a comparison, :meth:`quiet` before the next
    read, and the store's own writes claimed (:meth:`appending`/:meth:`appended`, :meth:`swapping`/:meth:`swapped`).

    What was recorded since the last judgment is kept in order (``_log``); every
    judgment that finds a change forgets the proof and starts a new epoch, so a
    claim begun before it (in another thread) cannot prove anything.
    """

    def __init__(self, path) -> None:
        self.path = os.fspath(path)
        self._mutex = threading.Lock()
        self._fd: int | None = None
        self._pid = 0
        self._wd: int | None = None
        self._ident: tuple[int, int] | None = None  # (device, inode) watched
        self._proven = None  # the snapshot the file held when last proven (None: not proven)
        self._log: list[int] = []  # what was recorded for the watched inode since the last judgment
        self._epoch = 0

    # -- proving and asking ---------------------------------------------------------

    def begin(self) -> int | None:
        """Before the file is read or compared to prove a snapshot: watch its inode from now on. A token for
        :meth:`prove`, or None where no watch can be trusted."""
        with self._mutex:
            self._restart()
            if not self._ready():
                return None
            try:
                st = os.stat(self.path)
            except OSError:
                return None
            if (st.st_dev, st.st_ino) != self._ident and not self._follow(self.path, st):
                return None
            self._drain()
            self._log.clear()
            return self._epoch

    def prove(self, token: int | None, snapshot) -> None:
        """The file was found to hold ``snapshot``'s bytes after :meth:`begin` gave ``token``: it is proven if
        only opens were recorded since and no one has it open for writing now."""
        with self._mutex:
            if token is not None and token == self._epoch and self._calm(always_look=True):
                self._proven = snapshot

    def quiet(self, snapshot) -> bool:
        """Whether the file still holds ``snapshot``'s bytes, by the watch alone (no read)."""
        with self._mutex:
            proven = self._proven
            if proven is None or self._pid != os.getpid() or not proven.same_bytes(snapshot):
                return False
            if not self._calm():
                self._restart()
                return False
            return True

    # -- the store's own writes ---------------------------------------------------------

    def appending(self) -> tuple | None:
        """The store is about to append through a descriptor it holds a write lease on (no one else has the file
        open, and no one can open it until that descriptor is closed): a token for :meth:`appended` if the file is
        proven and what came before the lease was opens only, else None (the append is not claimed)."""
        with self._mutex:
            if self._proven is None or self._pid != os.getpid():
                return None
            if not self._calm(look=False):  # what came before the lease: opens (of readers) only
                self._restart()
                return None
            return (self._epoch, self._proven)

    def appended(self, token: tuple | None, fd: int, snapshot) -> None:
        """After the append through ``fd``: closes ``fd`` (whose lease kept everyone else out, so the close is
        recorded before anyone else's open), then proves ``snapshot`` if the lease was never broken and what was
        recorded is exactly the store's own write and close."""
        kept = token is not None and lease.alone(fd)
        os.close(fd)  # not under the mutex: another thread's look may be waiting on this lease
        with self._mutex:
            if not kept or token[0] != self._epoch or token[1] is not self._proven:
                return
            self._drain()
            ours = self._log == [MODIFY, CLOSE_WRITE]
            self._restart()
            if ours:
                self._proven = snapshot

    def swapping(self, tmp: str) -> int | None:
        """The store is about to rename ``tmp`` (written, fsynced and closed) over the file: watch ``tmp``'s inode
        from now on. A token for :meth:`swapped`, or None (the swap is not claimed)."""
        with self._mutex:
            self._restart()
            if not self._ready():
                return None
            try:
                st = os.stat(tmp)
            except OSError:
                return None
            if not self._follow(tmp, st):
                return None
            self._drain()
            self._log.clear()
            return self._epoch

    def swapped(self, token: int | None, snapshot) -> None:
        """After the rename: prove ``snapshot`` if the new inode saw only opens and the rename, the name leads
        to it, and no one has it open for writing now."""
        with self._mutex:
            if token is None or token != self._epoch:
                return
            self._drain()
            if self._log[-1:] == [MOVE_SELF]:
                self._log.pop()
                if self._calm(always_look=True):
                    self._proven = snapshot
                    return
            self._restart()

    # -- inside ---------------------------------------------------------------------

    def _restart(self) -> None:
        """Forget the proof and what was recorded; claims begun before are void."""
        self._proven = None
        self._log.clear()
        self._epoch += 1

    def _ready(self) -> bool:
        """The inotify descriptor, made in this process (a child's copy of a parent's is never read)."""
        if _LIBC is None:
            return False
        if self._fd is not None and self._pid == os.getpid():
            return True
        self._fd = self._wd = self._ident = None
        fd = _LIBC.inotify_init1(_NONBLOCK | _CLOEXEC)
        if fd < 0:  # no instances left (fs.inotify.max_user_instances): compare instead
            return False
        self._fd, self._pid = fd, os.getpid()
        # A user has few instances (128 by default) and editors need theirs: one per watch, given back with it.
        weakref.finalize(self, _close_in, fd, self._pid)
        return True

    def _follow(self, path: str, st: os.stat_result) -> bool:
        """Watch the inode ``path`` leads to (``st`` says which); False if it cannot be trusted."""
        if not local(path):
            return False
        wd = _LIBC.inotify_add_watch(self._fd, os.fsencode(path), MASK)
        if wd < 0:
            return False
        try:
            now = os.stat(path)
        except OSError:
            return False
        if (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino):
            return False  # replaced between the two looks: the next begin tries again
        if self._wd is not None and self._wd != wd:
            _LIBC.inotify_rm_watch(self._fd, self._wd)
        self._wd, self._ident = wd, (st.st_dev, st.st_ino)
        return True

    def _drain(self) -> None:
        """What was recorded for the watched inode since the last drain, onto ``_log`` (an overflow, or a
        descriptor that cannot be read, as :data:`OVERFLOW`: a change)."""
        while True:
            try:
                data = os.read(self._fd, 65536)
            except BlockingIOError:
                return
            except InterruptedError:
                continue
            except OSError:
                self._log.append(OVERFLOW)
                return
            at = 0
            while at + _EVENT.size <= len(data):
                wd, mask, _cookie, length = _EVENT.unpack_from(data, at)
                at += _EVENT.size + length
                if mask & OVERFLOW:
                    self._log.append(OVERFLOW)
                elif wd == self._wd:
                    self._log.append(mask & MASK or IGNORED)

    def _calm(self, look: bool = True, always_look: bool = False) -> bool:
        """Whether what was recorded leaves the bytes as they were: opens only (then, with ``look``, no one
        may have the file open for writing now), and the name still leads to the watched inode."""
        if self._pid != os.getpid():
            return False
        self._drain()
        log = self._log
        if any(mask != OPEN for mask in log):
            return False
        opened = bool(log)
        log.clear()
        if not look or not (opened or always_look):
            try:
                st = os.stat(self.path)
            except OSError:
                return False
            return (st.st_dev, st.st_ino) == self._ident
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:
            return False
        try:
            st = os.fstat(fd)
            if (st.st_dev, st.st_ino) != self._ident:
                return False
            return bool(lease.no_writer(fd))  # someone opened it since: no one may still have it open for writing
        except OSError:
            return False
        finally:
            os.close(fd)
