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

import copyreg
import gc
import hashlib
import io
import os
import pickle
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from . import files

#: Bumped whenever the parsed objects change shape, or the reader reads some text differently
#: (6: a field indented after a list item is a field): an old cache is then ignored.
VERSION = 6
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


def load(path: Path, data: bytes) -> tuple[int, object, bool, Callable[[], None] | None] | None:
    """(how many leading bytes of ``data`` the cached value was parsed from, the value, whether
    it carries the analysis' facts, a call that loads the rest of it), or None.

    The count is ``len(data)`` for an exact match; smaller when the file grew
    since (an append): the caller extends the value by the rest. A list of
    objects that split their state (see :func:`save`) comes back with the light
    part only; the last item, when called, adds the rest to those very objects.
    """
    if not enabled():
        return None
    try:
        with open(_file_for(path), "rb") as fh:
            head = pickle.load(fh)
            if not isinstance(head, tuple) or len(head) != 5 or head[0] != VERSION:
                return None
            _, size, sha, derived, layered = head
            if not isinstance(size, int) or size > len(data) or digest(memoryview(data)[:size]) != sha:
                return None
            value = _unpickled(fh)
            rest = fh.read() if layered else b""
    except Exception:  # a missing, partial, foreign or stale cache is only a miss
        return None
    try:
        os.utime(_file_for(path))  # used: the pruning keeps the journals used last
    except OSError:
        pass
    return size, value, bool(derived), (lambda: _join(value, rest)) if rest else None


def _unpickled(fh, objects: list | None = None) -> object:
    """The next value of ``fh``, its references to ``objects`` (by index) resolved."""
    paused = gc.isenabled()
    gc.disable()  # tens of thousands of small objects: the collector would triple the time
    try:
        if objects is None:
            value = pickle.Unpickler(fh).load()
        else:
            global _referred
            with _references:
                placeholder, _referred = _referred, objects.__getitem__
                try:
                    value = pickle.Unpickler(fh).load()
                finally:
                    _referred = placeholder
        # They live as long as the journal is unchanged: out of the collector's sight, or its
        # next full pass walks them all (60 ms at 10,000 entries). thaw() gives them back.
        gc.freeze()
    finally:
        if paused:
            gc.enable()
    return value


def _join(objects: list, rest: bytes) -> None:
    """Give each object the heavy part of its state, kept apart by :func:`save`."""
    try:
        heavy = _unpickled(io.BytesIO(rest), objects)
    except Exception:  # damaged: each object computes what it lacks itself
        return
    for obj, state in zip(objects, heavy):
        obj.join_state(state)


def _beside_file(path: Path, name: str) -> Path:
    return _file_for(path).with_suffix(f".{name}.pickle")


def save_beside(path: Path, name: str, tag: str, prefix: bytes | memoryview, objects: list, value: object) -> None:
    """Keep ``value``, made from ``objects`` (the parse of the bytes ``prefix``), for the next process
    reading a file that starts with those bytes; its references to ``objects`` are kept by index.

    A file of its own: made from the entries but the last (an append may continue
    that one), it stays true for every later version of the journal that only
    grew, and the next process adds what is new to it.
    """
    if not enabled():
        return

    def write(fh) -> None:
        pickle.dump((VERSION, tag, len(prefix), digest(prefix), len(objects)), fh, protocol=pickle.HIGHEST_PROTOCOL)
        _Referring(fh, objects).dump(value)

    _keep(_beside_file(path, name), write)


def load_beside(path: Path, name: str, tag: str, data: bytes, objects: list) -> object:
    """What :func:`save_beside` kept for bytes that ``data`` starts with, whose parse begins with
    ``objects``' first ones (the caller checks where they end), or None."""
    if not enabled():
        return None
    try:
        with open(_beside_file(path, name), "rb") as fh:
            head = pickle.load(fh)
            version, kept_tag, size, sha, count = head
            if (version, kept_tag) != (VERSION, tag) or size > len(data) or count > len(objects):
                return None
            if digest(memoryview(data)[:size]) != sha:
                return None
            return _unpickled(fh, objects[:count])
    except Exception:
        return None


def thaw() -> None:
    """Give what :func:`load` hid from the garbage collector back to it (a parse it loaded is being dropped)."""
    gc.unfreeze()


def save(path: Path, data: bytes, value: object, derived: bool = False) -> None:
    """Keep ``value``, parsed from ``data``, for the next process; never fails the caller.

    A list of objects with ``split_state()`` (the parsed entries) is kept in two
    parts: the light state of each, loaded at once (what listing the journal
    needs), and the rest (what was derived from each: the analysis' facts),
    loaded only when asked for, with ``join_state(rest)``.
    """
    if not enabled():
        return

    def write(fh) -> None:
        layered = isinstance(value, list) and bool(value) and all(hasattr(obj, "split_state") for obj in value)
        pickle.dump((VERSION, len(data), digest(data), derived, layered), fh, protocol=pickle.HIGHEST_PROTOCOL)
        if layered:
            light, heavy = zip(*(obj.split_state() for obj in value))
            pickle.dump(list(light), fh, protocol=pickle.HIGHEST_PROTOCOL)
            _Referring(fh, value).dump(list(heavy))
        else:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)

    _keep(_file_for(path), write)


def _keep(target: Path, write: Callable) -> None:
    """``write(fh)`` to a temp file swapped in as ``target``, then the folder pruned; never fails the caller
    (a full disk or a read-only home: the next process parses, that is all)."""
    tmp = None
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, target)
        tmp = None
        prune(target.parent)
    except Exception:
        pass
    finally:
        if tmp is not None:
            files.unlink(tmp)


class _Referring(pickle.Pickler):
    """Pickles a value with each reference to one of ``objects`` written as ``_referred(index)``.

    Through the dispatch table, looked up in C for each object's type: a
    ``persistent_id`` method would be a Python call for every object pickled
    (the analysis of 10,000 entries: 100,000 of them, 60 ms). Loading calls
    ``_referred`` for each reference: :func:`_unpickled` makes it the list's own
    ``__getitem__`` meanwhile, a C call, under :data:`_references` (pickle finds
    it by its name in this module, at dump and at load alike).
    """

    def __init__(self, fh, objects: list) -> None:
        super().__init__(fh, protocol=pickle.HIGHEST_PROTOCOL)
        index = {id(obj): i for i, obj in enumerate(objects)}

        def reduce(obj):
            at = index.get(id(obj))
            return (_referred, (at,)) if at is not None else obj.__reduce_ex__(pickle.HIGHEST_PROTOCOL)

        self.dispatch_table = {**copyreg.dispatch_table, **{kind: reduce for kind in {type(obj) for obj in objects}}}

    def dump(self, obj) -> None:
        with _references:
            super().dump(obj)


#: Held while ``_referred`` is what a dump writes or a load resolves.
_references = threading.Lock()


def _referred(at: int) -> object:
    raise LookupError("a reference to a parsed object read outside a load of the cache")


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
                    files.unlink(item.path)
            elif item.is_file():
                kept.append((mtime, item.path))
    kept.sort(reverse=True)
    for _mtime, old in kept[KEEP:]:
        files.unlink(old)
