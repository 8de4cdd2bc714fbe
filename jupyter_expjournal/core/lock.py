"""The experiments folder's one inter-process lock, and the sweep of what killed writers left.

Every change to journal.md, lessons.md or assets/ happens under it. It is an
``flock`` (through filelock): the kernel drops it when its holder dies, so a
killed writer never leaves a stale lock behind; the temp files such a writer
may have left are swept by the next one to take the lock.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .errors import JournalError, describe_os_error

LOCK_TIMEOUT = 30.0


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
