"""Safe file access: one lock, atomic rewrites, single-write appends, a parse cache.

Several kernels (and a Jupyter server) may write the same journal at once, and
any of them may be killed mid-write. So every change happens under an
inter-process file lock, a rewrite goes through a temp file + fsync +
``os.replace`` (readers see the old file or the new one, never half of one),
and an append is one ``write`` of the whole entry to an ``O_APPEND`` descriptor.
The lock is an ``flock``: the kernel drops it when its holder dies, so a killed
writer never leaves a stale lock behind.
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from . import files, lease, unchanged
from .errors import JournalError, describe_os_error
from .lock import DirLock
from .snapshot import Snapshot
from .text import Splice
from .watch import Watch

T = TypeVar("T")

#: Files at least this large keep their parse on disk between processes (:mod:`.parse_cache`);
#: smaller ones parse faster than a cache loads.
PERSIST_FROM = 256 * 1024
#: The page size: a write within one page is whole or not at all, even when its process is killed.
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
#: How long a refused rewrite waits to see whether the file was being saved by another program.
SETTLE_SECONDS = 0.01


def fingerprint(path: Path) -> tuple | None:
    """What stat says about a file: (device, inode, size, mtime, ctime); None when it does not exist.

    The one "has this file changed" test of every face (the parse cache, the
    server's ETag, the panel's poll). Raises OSError for any other stat failure.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class Changed(Exception):
    """The file changed between the read a rewrite was built from and the rewrite: build it again."""


class TextFile:
    """One UTF-8 Markdown file, read and written whole, with a parse cache keyed by content.

    The file is the truth. A cached parse is used only when the file holds
    the bytes it was parsed from, or extends them (an append by anyone): stat
    can say a file changed, never that it did not (an in-place edit that keeps
    size and mtime, a coarse-timestamp file system). So a read compares the
    bytes (8 MB in 1-2 ms), unless the kernel's watch of the file proves that
    no one touched it since they were last compared or written (:mod:`.watch`).
    A rewrite is a compare-and-swap against the bytes it was built from
    (:meth:`rewrite`).

    A symlinked file is written through to its target, so a journal or
    lessons file shared by a link stays shared.
    """

    def __init__(self, path: Path, lock: DirLock, *, persist: bool = False) -> None:
        self.path = Path(path)
        self.lock = lock
        self._cache: dict[str, Snapshot] = {}
        #: Keep large parses on disk for the next process (:mod:`.parse_cache`).
        self.persist = persist
        self._costly: set[str] = set()  # keys whose value took a parse worth keeping on disk
        self._saved_derived: set[str] = set()  # keys kept on disk with the analysis' facts
        self._frozen: set[str] = set()  # keys whose value parse_cache.load hid from the garbage collector
        self._rest: dict[str, Callable[[], None]] = {}  # keys whose value waits for the rest of its state
        self._watch: Watch | None = None  # made at the first read of a large file (:mod:`.watch`)

    def identity(self) -> tuple | None:
        """The file's :func:`fingerprint` (None when it does not exist): it proves "changed" only."""
        try:
            return fingerprint(self.path)
        except OSError as exc:
            raise JournalError(f"cannot read {self.path}: {exc.strerror}") from None

    @property
    def target(self) -> Path:
        """The file the path names, links followed: what a write replaces."""
        return Path(os.path.realpath(self.path))

    def read(self) -> str:
        """The file's text exactly as stored ('' when it does not exist yet)."""
        return self._decode(self._read_bytes(), 0)

    def read_bytes(self) -> bytes:
        """The file's bytes exactly as stored (b'' when it does not exist yet)."""
        return self._read_bytes()

    def _read_bytes(self) -> bytes:
        if self.path.is_dir():
            raise JournalError(f"cannot read {self.path}: it is a directory")
        try:
            return lease.read(self.path)
        except FileNotFoundError:
            return b""
        except OSError as exc:
            raise JournalError(f"cannot read {self.path}: {exc.strerror}") from None

    def _decode(self, data: bytes, offset: int) -> str:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JournalError(
                f"{self.path} is not UTF-8 text (bad byte at offset {offset + exc.start}); fix or move it, nothing was written"
            ) from None

    def parsed(
        self,
        key: str,
        parse: Callable[[str], T],
        extend: Callable[[T, str], T] | None = None,
    ) -> tuple[str, T]:
        """(text, parse(text)) of the file as it is now, reusing the last parse when the bytes allow.

        When the file only grew (the old bytes are still a prefix, as after an
        append by any process), ``extend(old_value, new_text)`` updates the old
        parse from the tail instead of parsing everything again: a journal of
        10,000 entries costs a new entry no more than one of 10.
        """
        found = self.snapshot(key, parse, extend)
        return found.text, found.value  # type: ignore[return-value]

    def snapshot(self, key: str, parse: Callable[[str], object], extend: Callable | None = None) -> Snapshot:
        """:meth:`parsed`, as the cache's :class:`~.snapshot.Snapshot` of the file now: its text is
        joined only if asked for (an append needs only its end)."""
        hit = self._cache.get(key)
        if hit is None or hit.size < PERSIST_FROM:
            return self._snapshot(key, self._read_bytes(), parse, extend)
        watch = self._watch = self._watch or Watch(self.path)
        if watch.quiet(hit):  # left alone since its bytes were last proven: the kernel says so
            return hit
        token = watch.begin()
        found = hit if self._holds(hit) else self._snapshot(key, self._read_bytes(), parse, extend)
        watch.prove(token, found)
        return found

    def _holds(self, hit: Snapshot) -> bool:
        """Whether the file holds exactly ``hit``'s bytes (:func:`.unchanged.holds`)."""
        return unchanged.holds(self.path, hit)

    def _snapshot(self, key: str, data: bytes, parse: Callable[[str], object], extend: Callable | None) -> Snapshot:
        hit = self._cache.get(key)
        if hit is not None and hit.matches(data):
            return hit
        if extend is not None and hit is not None and hit.starts(data):
            text = hit.text + self._decode(data[hit.size :], hit.size)
            value = extend(hit.value, text)
        else:
            if key in self._frozen:  # the parse loaded from disk is dropped: the collector may have it back
                self._frozen.discard(key)
                from . import parse_cache  # only a parse loaded from disk is frozen

                parse_cache.thaw()
            self._rest.pop(key, None)
            found = self._from_disk(key, data, extend) if self.persist and len(data) >= PERSIST_FROM else None
            if found is not None:
                text, value = found
            else:
                text = self._decode(data, 0)
                value = parse(text)
                self._costly.add(key)
        found = self._cache[key] = Snapshot(data, text, value)
        return found

    def _from_disk(self, key: str, data: bytes, extend: Callable | None) -> tuple[str, object] | None:
        """The parse of ``data`` from the on-disk cache: exact, or extended by an appended tail."""
        from . import parse_cache  # pickle and hashlib: only a large journal needs them

        found = parse_cache.load(self.path, data)
        if found is None:
            return None
        size, value, derived, rest = found
        if size != len(data) and extend is None:
            parse_cache.thaw()
            return None
        self._frozen.add(key)
        if rest is not None:
            self._rest[key] = rest
        text = self._decode(data, 0)
        if derived:  # what is on disk already carries the analysis' facts
            self._saved_derived.add(key)
        if size == len(data):
            return text, value
        if len(data) - size > size // 20:  # a long tail parsed again by every process: keep the new whole
            self._costly.add(key)
        return text, extend(value, text)

    def complete(self, key: str) -> None:
        """Load the rest of the value under ``key`` that the on-disk cache kept apart (see
        :func:`.parse_cache.save`): before every entry is asked for what was derived from it."""
        rest = self._rest.pop(key, None)
        if rest is not None:
            rest()

    def kept_beside(self, key: str, name: str, tag: str) -> object:
        """What :meth:`keep_beside` kept for the value under ``key``, made from a text the file starts
        with now (as the last read found it), or None."""
        hit = self._cache.get(key)
        if not self.persist or hit is None or hit.size < PERSIST_FROM:
            return None
        from . import parse_cache

        return parse_cache.load_beside(self.path, name, tag, hit.data, hit.value)

    def keep_beside(self, key: str, name: str, tag: str, value: object, count: int, upto: int) -> None:
        """Keep ``value`` on disk for the next process: it was made from the first ``count`` items of the
        value under ``key``, the parse of the text before character ``upto``."""
        hit = self._cache.get(key)
        if not self.persist or hit is None or hit.size < PERSIST_FROM:
            return
        from . import parse_cache

        size = hit.size - len(hit.tail(upto).encode("utf-8"))
        parse_cache.save_beside(self.path, name, tag, memoryview(hit.data)[:size], hit.value[:count], value)

    def save_parse(self, key: str, warm: Callable[[object], None] | None = None, *, derived: bool = False) -> None:
        """Keep the parse under ``key`` on disk for the next process, when it was worth keeping.

        It is, after a full parse of a large file, or when ``derived`` says the
        value now carries the analysis' facts and what is on disk does not.
        ``warm(value)`` first computes what should travel with it.
        """
        hit = self._cache.get(key)
        if not self.persist or hit is None or hit.size < PERSIST_FROM:
            return
        if key not in self._costly and not (derived and key not in self._saved_derived):
            return
        from . import parse_cache

        self.complete(key)  # what is kept apart on disk goes back in before the whole is kept again
        data, value = hit.data, hit.value
        if warm is not None:
            warm(value)
        parse_cache.save(self.path, data, value, derived or key in self._saved_derived)
        self._costly.discard(key)
        if derived:
            self._saved_derived.add(key)

    def remember(self, key: str, written: Snapshot) -> None:
        """Seed the cache with what we just wrote, parsed by the writer who knows what changed.
        Used only while the file still holds these bytes (every read compares them)."""
        self._cache[key] = written

    def rewrite(
        self,
        build: Callable[..., str | Splice],
        *,
        key: str | None = None,
        parse: Callable[[str], object] | None = None,
        extend: Callable | None = None,
        attempts: int = 20,
    ) -> Snapshot:
        """Replace the file with ``build(text)`` of its current text, never overwriting what it did not see.

        Call under the lock. With ``parse``, ``build`` gets the cache's
        :class:`~.snapshot.Snapshot` of the file (its text, and its parse cached
        under ``key``), else the text. The bytes ``build``
        saw are compared with the file just before the atomic replace, under a
        read lease (:mod:`.lease`) that holds off a writer that does not take
        the lock (an editor saving in place); one that opened the old file as
        it was replaced has its bytes put back, and the rewrite is built again
        from them. ``build``
        may raise to refuse, and may return a :class:`~.text.Splice` of the text
        rather than all of it (then only the changed part is encoded, and the
        rest of the text is not copied). Returns a snapshot of what was written.
        """
        for _ in range(attempts):
            before = self._read_bytes()
            try:
                if parse is not None and key is not None:
                    current = self._snapshot(key, before, parse, extend)
                    built = build(current)
                else:
                    current = Snapshot(before, self._decode(before, 0))
                    built = build(current.text)
            except JournalError:
                if self._settled(before):
                    raise
                continue  # refused what another program was half-way through saving: look again
            written = current.rebuilt(before, built)
            try:
                self._swap(before, written.data, proves=written)
            except Changed:
                time.sleep(SETTLE_SECONDS)  # let the other program finish its save
                continue
            return written
        raise self._kept_changing()

    def _kept_changing(self) -> JournalError:
        return JournalError(
            f"{self.path} kept changing while being written (another program is saving it?); nothing was written, try again"
        )

    def _settled(self, seen: bytes) -> bool:
        """Whether the file still holds ``seen`` a moment later (no in-place save was under way)."""
        time.sleep(SETTLE_SECONDS)
        return self._read_bytes() == seen

    def replace(self, text: str) -> None:
        """Write the whole file atomically: temp file, fsync, rename, fsync the folder."""
        self.replace_bytes(text.encode("utf-8"))

    def replace_bytes(self, data: bytes) -> None:
        """Write ``data`` as the whole file (a new file, or one the caller does not need to compare)."""
        tmp = self._temp_file(data)
        try:
            os.replace(tmp, self.target)
            tmp = None
            files.fsync_dir(self.target.parent)
        except OSError as exc:
            raise JournalError(describe_os_error(self.path, exc)) from None
        finally:
            files.unlink(tmp)

    def _swap(self, expected: bytes, data: bytes, proves: Snapshot | None = None) -> None:
        """``os.replace`` the file with ``data`` if it still holds ``expected``; raise :class:`Changed` if not.

        The new file is written (and fsynced, the slow part) before the lease is
        taken: an editor's save that starts while we hold it waits on us, and
        when we let go its open goes to the file it looked up, the old one. So
        the lease is held only to compare and rename, and a save that began to
        wait meanwhile is let through before the rename, and the rewrite built
        again on it. The new file is watched before it is renamed in: then the
        watch proves ``proves`` (the snapshot of ``data``) if no one touched it."""
        target = self.target
        tmp = self._temp_file(data)
        claim = self._watch.swapping(tmp) if self._watch is not None else None
        try:
            try:
                old = os.open(target, os.O_RDONLY)
            except FileNotFoundError:
                if expected:
                    raise Changed from None
                os.replace(tmp, target)
                tmp = None
                files.fsync_dir(target.parent)
                return
            try:
                self._swap_open(old, expected, data, tmp)
                tmp = None
            finally:
                files.close(old)
        except OSError as exc:
            raise JournalError(describe_os_error(self.path, exc)) from None
        finally:
            files.unlink(tmp)
        if claim is not None:
            self._watch.swapped(claim, proves)

    def _swap_open(self, old: int, expected: bytes, data: bytes, tmp: str) -> None:
        """:meth:`_swap` with the file open as ``old`` and the new one written as ``tmp`` (renamed in, or Changed)."""
        target = self.target
        # No in-place writer can open it until we let go; one that has it open now (mid-save) is let
        # finish first; one left open for good is not waited for (then stat is checked instead).
        held = lease.hold_within(old) or None
        seen = os.fstat(old)
        if lease.read_fd(old) != expected:
            raise Changed
        if held and lease.breaking(old):  # a save began while we compared: let it land, and build on it
            lease.release(old)
            raise Changed
        os.replace(tmp, target)
        calm = False
        if held:
            wrote = lease.watch_swap(old)
            if wrote:
                calm = bool(lease.hold_within(old, lease.WAIT_SECONDS))  # until its save is done
        else:  # no leases here: stat says whether a writer holding the old file wrote into it
            now = os.fstat(old)
            wrote = (now.st_size, now.st_mtime_ns, now.st_ctime_ns) != (seen.st_size, seen.st_mtime_ns, seen.st_ctime_ns)
        if wrote:  # the writer's bytes went into the file we replaced: they are the newest, put them back
            theirs = lease.read_fd(old) if calm else lease.settled(old)  # held: their save is over
            if calm:
                lease.release(old)
            if theirs != expected:
                self._swap(data, theirs)
                raise Changed
        files.fsync_dir(target.parent)

    def _temp_file(self, data: bytes) -> str:
        """``data`` written and fsynced to a temp file beside the target, with the target's mode."""
        target = self.target
        fd, tmp = None, None
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=target.parent)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
            try:
                os.chmod(tmp, os.stat(target).st_mode & 0o7777)
            except FileNotFoundError:
                os.chmod(tmp, 0o644)
            files.close(fd)
            fd = None
            done, tmp = tmp, None
            return done
        except OSError as exc:
            raise JournalError(describe_os_error(self.path, exc)) from None
        finally:
            files.close(fd)
            files.unlink(tmp)

    def _append_by_replace(self, data: bytes) -> int:
        """The file with ``data`` at its end, swapped in whole; the size it had before."""
        for _ in range(20):
            old = self._read_bytes()
            try:
                self._swap(old, old + data)
            except Changed:
                time.sleep(SETTLE_SECONDS)  # another program is saving it: let it finish
                continue
            return len(old)
        raise self._kept_changing()

    def append(self, text: str, after: dict[str, tuple[object, object]] | None = None) -> None:
        """Add text at the end, whole or not at all, then fsync.

        A ``write`` to an O_APPEND file within one page is not split by a process
        kill and costs the same at 10 entries as at 10,000. Linux looks for a
        fatal signal between the pages of a longer write (a SIGKILL can leave
        part of it), so an append that would cross a page boundary is an atomic
        replace instead. ``after`` maps cache keys to (the parse the caller read,
        the parse after the append): the cache takes the new parse if it still
        holds that very one, of the bytes the append went after. An in-place
        save under way, or one that opens the file as the append begins, is
        waited for, and the write is made under a write lease where one can be
        had (:func:`.lease.open_alone`)."""
        data = text.encode("utf-8")
        try:
            fd, alone = lease.open_alone(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise JournalError(describe_os_error(self.path, exc)) from None
        claim = None
        try:
            size = os.fstat(fd).st_size
            if size % PAGE + len(data) > PAGE:
                files.close(fd)
                fd = None
                size = self._append_by_replace(data)
            else:
                claim = self._watch.appending() if alone and self._watch is not None else None
                written = os.write(fd, data)
                if written != len(data):  # a full disk mid-write: put the file back as it was
                    os.ftruncate(fd, os.fstat(fd).st_size - written)
                    raise OSError(errno.ENOSPC, "short write")
                os.fsync(fd)
                lease.wrote(fd)
        except OSError as exc:
            raise JournalError(describe_os_error(self.path, exc)) from None
        finally:
            if claim is None or sys.exc_info()[0] is not None:  # a claimed append that went well: closed below
                files.close(fd)
        grown = None
        for key, (base, value) in (after or {}).items():
            hit = self._cache.get(key)
            if hit is not None and hit.value is base and hit.size == size:  # the bytes of the parse the caller read
                self._cache[key] = grown = hit.appended(data, text, value)
        if claim is not None:
            self._watch.appended(claim, fd, grown)  # closes fd: the lease keeps others out until then
