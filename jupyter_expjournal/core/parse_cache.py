"""A parse of a large journal kept on disk between processes, keyed by the bytes it was parsed from.

A fresh process (the CLI, a new kernel, the server's first request) would
otherwise parse 10,000 entries and analyse each again: about two seconds for
an 8 MB journal. The cache holds the parsed entries, with what the analysis
derived from each, beside a digest of the exact bytes they came from. It is
used only when the file's bytes have that digest, or start with bytes that
have it (then only the appended tail is parsed): never trusted over the file.

It lives in the user's cache folder (``$XDG_CACHE_HOME/jupyter_expjournal``, else
``~/.cache/jupyter_expjournal``, private to the user), not beside the journal,
so nothing of it is ever committed. ``EXPJOURNAL_CACHE=0`` turns it off. It
keeps the files of the :data:`KEEP` journals used last and drops the rest: a
user has a few large journals, but every temp folder of a test suite is one more.
Small journals are not cached (the store decides): parsing them is cheaper than the cache.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import tempfile
import time
from pathlib import Path

#: Bumped whenever the parsed objects change shape: an old cache is then ignored.
VERSION = 2
ENV_VAR = "EXPJOURNAL_CACHE"
#: Files the folder keeps (the most recently used); an older one is only a miss the next time.
KEEP = 32
#: A temp file older than this is a save that was killed half-way.
STALE_TEMP_SECONDS = 600


def enabled() -> bool:
    return os.environ.get(ENV_VAR, "1") not in ("0", "off", "no", "false")


def folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "jupyter_expjournal"


def _file_for(path: Path) -> Path:
    key = hashlib.sha1(os.fsencode(os.path.realpath(path))).hexdigest()[:20]
    return folder() / f"{key}.pickle"


def digest(data: bytes | memoryview) -> bytes:
    return hashlib.sha1(data).digest()


def load(path: Path, data: bytes) -> tuple[int, object, bool] | None:
    """(how many leading bytes of ``data`` the cached value was parsed from, the value, whether
    it carries the analysis' facts), or None.

    The count is ``len(data)`` for an exact match; smaller when the file grew
    since (an append): the caller extends the value by the rest.
    """
    if not enabled():
        return None
    try:
        with open(_file_for(path), "rb") as fh:
            head = pickle.load(fh)
            if not isinstance(head, tuple) or len(head) != 4 or head[0] != VERSION:
                return None
            _, size, sha, derived = head
            if not isinstance(size, int) or size > len(data) or digest(memoryview(data)[:size]) != sha:
                return None
            paused = gc.isenabled()
            gc.disable()  # tens of thousands of small objects: the collector would triple the time
            try:
                value = pickle.load(fh)
                # They live as long as the journal is unchanged: out of the collector's sight, or its
                # next full pass walks them all (60 ms at 10,000 entries). thaw() gives them back.
                gc.freeze()
            finally:
                if paused:
                    gc.enable()
    except Exception:  # a missing, partial, foreign or stale cache is only a miss
        return None
    try:
        os.utime(_file_for(path))  # used: the pruning keeps the journals used last
    except OSError:
        pass
    return size, value, bool(derived)


def thaw() -> None:
    """Give what :func:`load` hid from the garbage collector back to it (a parse it loaded is being dropped)."""
    gc.unfreeze()


def save(path: Path, data: bytes, value: object, derived: bool = False) -> None:
    """Keep ``value``, parsed from ``data``, for the next process; never fails the caller."""
    if not enabled():
        return
    target = _file_for(path)
    tmp = None
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            pickle.dump((VERSION, len(data), digest(data), derived), fh, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)
        tmp = None
        prune(target.parent)
    except Exception:  # a full disk or a read-only home: the next process parses, that is all
        pass
    finally:
        if tmp is not None:
            _unlink(tmp)


def prune(directory: Path) -> None:
    """Keep the :data:`KEEP` files used last in the cache folder, and no temp file of a killed save."""
    now = time.time()
    kept = []
    with os.scandir(directory) as it:
        for item in it:
            try:
                mtime = item.stat().st_mtime
            except OSError:
                continue
            if item.name.endswith(".tmp"):
                if now - mtime > STALE_TEMP_SECONDS:
                    _unlink(item.path)
            elif item.is_file():
                kept.append((mtime, item.path))
    kept.sort(reverse=True)
    for _mtime, old in kept[KEEP:]:
        _unlink(old)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
