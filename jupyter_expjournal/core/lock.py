"""The experiments folder's one inter-process lock, and the sweep of what killed writers left.

Every change to journal.md, lessons.md or assets/ happens under it. It is an
``flock`` (filelock's on Windows): the kernel drops it when its holder dies, so a
killed writer never leaves a stale lock behind; the temp files such a writer
may have left are swept by the next one to take the lock.
"""

from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: filelock's lock
    fcntl = None  # type: ignore[assignment]

from .errors import JournalError, describe_os_error

LOCK_TIMEOUT = 30.0
#: How often a writer waiting for the lock tries again.
POLL_SECONDS = 0.005


#: Temp files of :meth:`TextFile._temp_file` for the journal and lessons, and for figures in assets/.
_TEMP_FILE = re.compile(r"\.(?:journal|lessons)\.md\.[A-Za-z0-9_]{8}\.tmp")
_ASSET_TEMP_FILE = re.compile(r"\..+\.(?:png|jpg|svg)\.[A-Za-z0-9_]{8}\.tmp")


def _sweep_temp_files(directory: Path) -> None:
    """Remove temp files of writes whose writer was killed before its rename.

    Every write happens under the lock, so whoever has just taken it knows
    that any such file left in the folder (in assets/, or beside the target
    of a symlinked journal.md or lessons.md) belongs to a dead writer.
    """
    places = {(directory, _TEMP_FILE), (directory / "assets", _ASSET_TEMP_FILE)}
    for name in ("journal.md", "lessons.md"):
        link = directory / name
        if link.is_symlink():
            places.add((Path(os.path.realpath(link)).parent, _TEMP_FILE))
    stale = []
    for folder, pattern in places:
        try:
            with os.scandir(folder) as it:
                stale += [e.path for e in it if e.name.endswith(".tmp") and pattern.fullmatch(e.name)]
        except OSError:
            continue
    for path in stale:
        try:
            os.unlink(path)
        except OSError:
            pass


class DirLock:
    """The experiments folder's inter-process lock (re-entrant within a thread; threads exclude each other).

    A plain ``flock`` on the lock file, taken on a descriptor of each thread's
    own: 2 µs to take and give back, where filelock 4 took 110 µs (hundreds of
    Python calls) on every write. A lock file deleted or replaced while it was
    being taken (``git clean``, a user tidying up) is opened again, so two
    writers never hold locks on two different files. Without ``fcntl`` (Windows)
    it is filelock's.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._held = threading.local()  # .fd and .count of this thread's hold
        self._filelock = None

    def __enter__(self) -> DirLock:
        held = self._held
        count = getattr(held, "count", 0)
        if count:
            held.count = count + 1
            return self
        held.fd = self._take() if fcntl is not None else self._take_filelock()
        held.count = 1
        _sweep_temp_files(self.path.parent)
        return self

    def __exit__(self, *exc: object) -> None:
        held = self._held
        held.count -= 1
        if held.count:
            return
        fd, held.fd = held.fd, None
        if fd is None:
            self._filelock.release()
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def _take(self) -> int:
        """A descriptor of the lock file holding its ``flock``, waited for up to ``LOCK_TIMEOUT``."""
        path = str(self.path)
        deadline = None
        while True:
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            except OSError as exc:
                raise JournalError(describe_os_error(self.path, exc)) from None
            try:
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        now = time.monotonic()
                        deadline = deadline or now + LOCK_TIMEOUT
                        if now > deadline:
                            raise JournalError(f"the journal is locked by another writer ({self.path}) for more "
                                               f"than {LOCK_TIMEOUT:.0f} s") from None
                        time.sleep(POLL_SECONDS)
                if _same_file(fd, path):
                    fd, taken = None, fd
                    return taken
            except OSError as exc:
                raise JournalError(describe_os_error(self.path, exc)) from None
            finally:
                if fd is not None:
                    os.close(fd)

    def _take_filelock(self) -> None:
        """filelock's lock, where there is no ``fcntl``: held in ``self._filelock`` (no descriptor of ours)."""
        from filelock import FileLock, Timeout  # ~14 ms to import: only a write needs it

        if self._filelock is None:
            self._filelock = FileLock(str(self.path), timeout=LOCK_TIMEOUT)
        try:
            self._filelock.acquire()
        except Timeout:
            raise JournalError(
                f"the journal is locked by another writer ({self.path}) for more than {LOCK_TIMEOUT:.0f} s"
            ) from None
        except OSError as exc:
            raise JournalError(describe_os_error(self.path, exc)) from None
        return None


def _same_file(fd: int, path: str) -> bool:
    """Whether ``fd`` still is the file at ``path`` (not deleted or replaced since it was opened)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    here = os.fstat(fd)
    return (here.st_dev, here.st_ino) == (st.st_dev, st.st_ino)
