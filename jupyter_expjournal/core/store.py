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
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .errors import JournalError

T = TypeVar("T")

LOCK_TIMEOUT = 30.0


def describe_os_error(path: Path, exc: OSError) -> str:
    reason = {
        errno.ENOSPC: "the disk is full",
        errno.EACCES: "permission denied",
        errno.EROFS: "the file system is read-only",
        errno.EISDIR: "it is a directory",
        errno.ENOTDIR: "a parent is not a directory",
    }.get(exc.errno, exc.strerror or str(exc))
    return f"cannot write {path}: {reason}"


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


class TextFile:
    """One UTF-8 Markdown file, read and written whole, with a parse cache.

    The cache is keyed by the file's identity (device, inode, size, mtime), so a
    hand edit, another kernel's write or a ``git checkout`` is noticed at the
    next read and nothing stale is ever served.
    """

    def __init__(self, path: Path, lock: DirLock) -> None:
        self.path = Path(path)
        self.lock = lock
        self._cache: dict[str, tuple[tuple, bytes, str, object]] = {}

    def identity(self) -> tuple | None:
        """The file's :func:`fingerprint` (None when it does not exist)."""
        try:
            return fingerprint(self.path)
        except OSError as exc:
            raise JournalError(f"cannot read {self.path}: {exc.strerror}") from None

    def read(self) -> str:
        """The file's text exactly as stored ('' when it does not exist yet)."""
        return self._decode(self._read_bytes(), 0)

    def _read_bytes(self) -> bytes:
        if self.path.is_dir():
            raise JournalError(f"cannot read {self.path}: it is a directory")
        try:
            return self.path.read_bytes()
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
        """(text, parse(text)), reusing the last parse while the file is unchanged.

        When the file only grew (same inode, old bytes still a prefix, as after
        an append by any process), ``extend(old_value, new_text)`` updates the
        old parse from the tail instead of parsing everything again: a journal
        of 10,000 entries costs a new entry no more than one of 10.
        """
        ident = self.identity()
        hit = self._cache.get(key)
        if hit is not None and ident is not None and hit[0] == ident:
            return hit[2], hit[3]  # type: ignore[return-value]
        data = self._read_bytes()
        if extend is not None and hit is not None and ident is not None and hit[0][:2] == ident[:2] and len(data) > len(hit[1]) and data.startswith(hit[1]):
            text = hit[2] + self._decode(data[len(hit[1]) :], len(hit[1]))
            value = extend(hit[3], text)
        else:
            text = self._decode(data, 0)
            value = parse(text)
        if ident is not None and ident == self.identity():
            self._cache[key] = (ident, data, text, value)
        return text, value

    def replace(self, text: str) -> None:
        """Write the whole file atomically: temp file, fsync, rename, fsync the folder."""
        self.replace_bytes(text.encode("utf-8"))

    def remember(self, key: str, text: str, value: object, data: bytes | None = None) -> None:
        """Seed the cache with what we just wrote (``data``: its bytes, if the caller has them),
        parsed by the writer who knows what changed."""
        ident = self.identity()
        if ident is not None:
            self._cache[key] = (ident, text.encode("utf-8") if data is None else data, text, value)

    def replace_bytes(self, data: bytes) -> None:
        directory = self.path.parent
        fd, tmp = None, None
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=directory)
            with os.fdopen(fd, "wb") as fh:
                fd = None
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.chmod(tmp, os.stat(self.path).st_mode & 0o7777)
            except FileNotFoundError:
                os.chmod(tmp, 0o644)
            os.replace(tmp, self.path)
            tmp = None
            _fsync_dir(directory)
        except OSError as exc:
            raise JournalError(describe_os_error(self.path, exc)) from None
        finally:
            if fd is not None:
                os.close(fd)
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass

    def append(self, text: str, extend: dict[str, Callable] | None = None) -> None:
        """Add text at the end in one ``write`` call, then fsync.

        One write to an O_APPEND file is not split by a process kill, and costs
        the same at 10 entries as at 10,000, unlike a rewrite. ``extend`` maps
        cache keys to ``extend(old_value, new_text)``: a cached parse of the file
        as it was just before is carried forward without reading the file back.
        """
        data = text.encode("utf-8")
        before = self.identity() if extend else None
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise JournalError(describe_os_error(self.path, exc)) from None
        try:
            written = os.write(fd, data)
            if written != len(data):  # a full disk mid-write: put the file back as it was
                os.ftruncate(fd, os.fstat(fd).st_size - written)
                raise OSError(errno.ENOSPC, "short write")
            os.fsync(fd)
        except OSError as exc:
            raise JournalError(describe_os_error(self.path, exc)) from None
        finally:
            os.close(fd)
        for key, fn in (extend or {}).items():
            hit = self._cache.get(key)
            if hit is not None and before is not None and hit[0] == before:
                new_text = hit[2] + text
                self.remember(key, new_text, fn(hit[3], new_text), hit[1] + data)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


#: Temp files of :meth:`TextFile.replace_bytes` for the journal and lessons.
_TEMP_FILE = re.compile(r"\.(?:journal|lessons)\.md\.[A-Za-z0-9_]{8}\.tmp")


def _sweep_temp_files(directory: Path) -> None:
    """Remove temp files of rewrites whose writer was killed before its rename.

    Every rewrite happens under the lock, so whoever has just taken it knows
    that any such file left in the folder belongs to a dead writer.
    """
    try:
        with os.scandir(directory) as it:
            stale = [e.path for e in it if e.name.endswith(".tmp") and _TEMP_FILE.fullmatch(e.name)]
    except OSError:
        return
    for path in stale:
        try:
            os.unlink(path)
        except OSError:
            pass


class DirLock:
    """The experiments folder's inter-process lock (re-entrant within a process)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._filelock = None

    @property
    def _lock(self):
        # filelock costs ~14 ms to import: only a write needs it, not %load_ext or a read
        if self._filelock is None:
            from filelock import FileLock

            self._filelock = FileLock(str(self.path), timeout=LOCK_TIMEOUT)
        return self._filelock

    def __enter__(self) -> DirLock:
        from filelock import Timeout

        try:
            self._lock.acquire()
        except Timeout:
            raise JournalError(
                f"the journal is locked by another writer ({self.path}) for more than {LOCK_TIMEOUT:.0f} s"
            ) from None
        except OSError as exc:
            raise JournalError(describe_os_error(self.path, exc)) from None
        if self._lock.lock_counter == 1:
            _sweep_temp_files(self.path.parent)
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()
