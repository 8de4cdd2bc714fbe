"""The answer of ``GET journal`` kept on disk between server processes, keyed by the bytes it was made from.

A freshly started server used to answer its first ``GET journal`` of 10,000
entries in about a second: the parse comes from the core's cache, but each
entry's JSON was made again in every process. So the answer is kept in the
core's cache folder (:func:`~jupyter_expjournal.core.parse_cache.folder`, off
with ``EXPJOURNAL_CACHE=0``), one file per experiments folder, with the JSON
of each entry in it for the next build.

A kept answer is sent only when what it was made from is what the files say
now (:class:`Source`): a digest of the exact bytes of journal.md and lessons.md
(read every time: stat never proves "unchanged"), whether journal.md exists,
lessons.md's mtime and the time zone (the lessons reminder counts from them),
the folder and its path from the server root, the answer's
``SHAPE_VERSION`` and a digest of the core's and the server's source (a new
version of the code makes a new answer). Anything else is a miss: the answer is built as
before, then kept again, in a thread of its own once the request is answered.
A missing, partial, foreign or damaged file is only a miss, and a folder that
cannot be written only means the next process builds again; no request fails
for this cache.

**Image links.** Whether an entry lists an image depends on where its link
leads (:func:`~jupyter_expjournal.core.outcome.linked_file` follows symbolic
links), which the journal's bytes do not say. A link changes where it leads
only when a folder on its way changes its entries (a symlink made, removed or
renamed there), and that changes the folder's stat (mtime and ctime). So each
entry's JSON is kept with the stat of the folders its image links pass
through (``assets/`` for the figures the journal writes), and an answer or
entry JSON is used again only while they are unchanged. Not seen: a change in a
folder outside the experiments folder that a symlink of the way leads to.

**The entries' JSON.** A miss in a process that has no entry JSON of its own
yet (the first build after a start) uses the kept JSON of each entry whose
parsed value is the same (:func:`value_key`: every compared field of
:class:`~jupyter_expjournal.core.model.Entry`, its index and span included):
after an append only the new entries are exported.

Bounded: one file per experiments folder, replaced atomically (temp file +
``os.replace``), and the cache folder's own rule (:func:`~jupyter_expjournal.core.parse_cache.prune`:
the files used last are kept, the others go).
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import hashlib
import logging
import os
import pickle
import tempfile
import threading
import time
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from operator import attrgetter
from pathlib import Path

from ..core import parse_cache
from ..core.journal import Journal
from ..core.model import Entry
from ..core.store import PERSIST_FROM, fingerprint

#: Bumped when the file's layout changes; its first bytes say which layout it has (3: each Part names its metrics;
#: 4: entries carry "sweep" and compare "points", so no answer kept before them is read back; 5: each point's "best").
FORMAT = 5
MAGIC = b"EXJ-ANS" + bytes([FORMAT])
SUFFIX = ".answer"
#: The first read of a kept file: its header and, for a small journal, the whole answer.
_FIRST_READ = 1 << 16

log = logging.getLogger(__name__)

#: One kept entry JSON: (value key, JSON start, JSON end in the answer, parameters, folders, metrics).
#: ``parameters`` are (config key, JSON of its item in export.parameters); ``folders`` are
#: (folder relative to the experiments folder, its fingerprint when the JSON was made); ``metrics``
#: the names of the metrics its compare row holds (the answer's columns are counted from them).
Part = tuple[bytes, int, int, tuple[tuple[str, str], ...], tuple[tuple[str, object], ...], tuple[str, ...]]

_value = attrgetter(*(f.name for f in dataclasses.fields(Entry) if f.compare))


def value_key(entry: Entry) -> bytes:
    """A digest of what makes an Entry equal to another: entries with the same key export the same JSON."""
    return hashlib.sha1(repr(_value(entry)).encode("utf-8", "surrogatepass")).digest()


@functools.cache
def _code() -> bytes:
    """A digest of the core's and the server's source: the answer is what this very code makes."""
    digest = hashlib.sha1()
    package = Path(__file__).resolve().parents[1]
    for path in sorted([*package.glob("core/**/*.py"), *package.glob("server/**/*.py")]):
        digest.update(os.fsencode(path.relative_to(package)) + b"\0" + path.read_bytes())
    return digest.digest()


def _read(path: Path) -> bytes | None:
    try:
        with open(path, "rb", buffering=0) as fh:  # fewer system calls than a buffered file
            return fh.read()
    except FileNotFoundError:
        return None


@dataclasses.dataclass(frozen=True)
class Source:
    """What an answer is made from, as the files say now; ``key`` must equal a kept answer's."""

    directory: Path
    key: tuple
    size: int  # of journal.md: small journals are not kept (they build faster than a cache loads)

    @classmethod
    def read(cls, journal: Journal, relative: str, shape: bytes) -> Source | None:
        """Both files read and hashed now; None when the cache is off or a file cannot be read."""
        if not parse_cache.enabled():
            return None
        try:
            text, lessons = _read(journal.journal_path), _read(journal.lessons_path)
            mtime = journal.lessons_mtime()
            code = _code()
        except OSError:  # the build reports it in its own words
            return None
        digests = tuple(None if data is None else parse_cache.digest(data) for data in (text, lessons))
        key = (FORMAT, shape, code, str(journal.directory), relative, *digests, mtime, time.timezone, time.tzname)
        return cls(Path(journal.directory), key, len(text or b""))

    def same_now(self, journal: Journal, relative: str, shape: bytes) -> bool:
        return Source.read(journal, relative, shape) == self


def file_for(directory: Path) -> Path:
    """The one file that keeps the answer of the experiments folder ``directory``."""
    name = hashlib.sha1(os.fsencode(os.path.realpath(directory))).hexdigest()[:20]
    return parse_cache.folder() / f"{name}{SUFFIX}"


def link_folders(link: str) -> list[str]:
    """The folders (relative to the experiments folder, "" for itself) an image link passes through."""
    names = [name for name in link.split("/")[:-1] if name not in ("", ".")]
    return ["/".join(names[: i + 1]) for i in range(len(names))] or [""]


def folder_state(directory: Path, name: str, states: dict) -> object:
    """What stat says of a folder of :func:`link_folders` (links followed): it changes with its entries.

    ``states`` keeps what was read, so that one build reads each folder once.
    """
    if name not in states:
        try:
            states[name] = fingerprint(directory / name)
        except OSError as exc:
            states[name] = ("error", exc.errno)
    return states[name]


def folders_unchanged(directory: Path, folders, states: dict) -> bool:
    """Whether each (folder, state) of ``folders`` still holds."""
    return all(folder_state(directory, name, states) == seen for name, seen in folders)


def _header(fd: int) -> tuple[tuple, bytes, int]:
    """The kept file's header, the bytes read so far, and where the answer starts; raises if it is not one.

    The header is (key, folders, the answer's size and CRC-32, the entries' index's size and CRC-32).
    The file is read with a few plain reads: a fresh server's first request comes while the
    server's own start-up still runs, and each system call may wait that long for Python's lock.
    """
    first = os.read(fd, _FIRST_READ)
    if first[: len(MAGIC)] != MAGIC:
        raise ValueError("not a kept answer")
    at = len(MAGIC) + 8 + int.from_bytes(first[len(MAGIC) : len(MAGIC) + 8], "little")
    if at > len(first):
        first += _read_at(fd, len(first), at - len(first))
    head = pickle.loads(first[len(MAGIC) + 8 : at])
    if not isinstance(head, tuple) or len(head) != 6 or not isinstance(head[0], tuple):
        raise ValueError("not a kept answer")
    return head, first, at


def _read_at(fd: int, at: int, size: int) -> bytes:
    os.lseek(fd, at, os.SEEK_SET)
    data = os.read(fd, size)
    if len(data) != size:
        raise ValueError("a kept file cut short")
    return data


def _checked(data: bytes, crc: int) -> bytes:
    if zlib.crc32(data) != crc:
        raise ValueError("a damaged kept file")
    return data


def _open(path: Path) -> int:
    return os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))


def load(source: Source) -> bytes | None:
    """The kept answer made from exactly ``source``, or None."""
    path = file_for(source.directory)
    try:
        fd = _open(path)
        try:
            (key, folders, size, crc, _, _), first, at = _header(fd)
            if key != source.key or not folders_unchanged(source.directory, folders, {}):
                return None
            answer = first[at : at + size] if at + size <= len(first) else _read_at(fd, at, size)
        finally:
            os.close(fd)
        answer = _checked(answer, crc)
    except Exception:  # missing, partial, foreign, damaged: a miss
        return None
    later(_touch, path)
    return answer


def _touch(path: Path) -> None:
    """Used: the cache folder keeps the files used last."""
    try:
        os.utime(path)
    except OSError:
        pass


def parts(source: Source) -> dict[bytes, tuple[str, tuple, tuple, tuple]]:
    """The kept JSON of each entry by :func:`value_key` (whatever the files were): (JSON, parameters, folders, metrics).

    Only JSON made by this very code for this folder is given (the key's first four items).
    """
    try:
        fd = _open(file_for(source.directory))
        try:
            (made_from, _, size, crc, index_size, index_crc), _, at = _header(fd)
            if made_from[:4] != source.key[:4]:
                return {}
            answer = _checked(_read_at(fd, at, size), crc)
            index = _checked(_read_at(fd, at + size, index_size), index_crc)
        finally:
            os.close(fd)
        paused = gc.isenabled()
        gc.disable()  # tens of thousands of small tuples
        try:
            return {key: (answer[start:end].decode("ascii"), parameters, folders, metrics)
                    for key, start, end, parameters, folders, metrics in pickle.loads(index)}
        finally:
            if paused:
                gc.enable()
    except Exception:
        return {}


_SAVER = ThreadPoolExecutor(1, thread_name_prefix="expjournal-keep")
_pending: list[Future] = []
_mutex = threading.Lock()  # reader threads of several folders hand work over at once


def later(call, *args: object) -> None:
    """``call(*args)`` in the cache's own thread, after what was handed to it before."""
    with _mutex:
        _pending[:] = [f for f in _pending if not f.done()]
        _pending.append(_SAVER.submit(call, *args))


def save_later(source: Source, answer: bytes, index, check) -> None:
    """Keep ``answer`` (made from ``source``) for the next process, in the cache's thread.

    ``index`` is called there and gives the :data:`Part` of each entry;
    ``check()`` must still be true there (the files were not changed while the
    answer was built), else nothing is kept.
    """
    if source.size >= PERSIST_FROM:
        later(_save, source, answer, index, check)


def wait() -> None:
    """Until everything handed to the cache's thread so far is done."""
    with _mutex:
        pending = list(_pending)
    for future in pending:
        future.result()


def _save(source: Source, answer: bytes, index, check) -> None:
    target = file_for(source.directory)
    tmp = None
    try:
        if not check():
            return
        parts = index()
        folders = tuple(sorted({folder for part in parts for folder in part[4]}, key=repr))
        packed = pickle.dumps(parts, protocol=pickle.HIGHEST_PROTOCOL)
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=target.parent)
        head = pickle.dumps((source.key, folders, len(answer), zlib.crc32(answer), len(packed), zlib.crc32(packed)),
                            protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(fd, "wb") as fh:
            for data in (MAGIC, len(head).to_bytes(8, "little"), head, answer, packed):
                fh.write(data)
        os.replace(tmp, target)
        tmp = None
        parse_cache.prune(target.parent)
    except Exception as exc:  # a full disk, a read-only home: the next process builds, that is all
        log.debug("expjournal: the answer of %s was not kept: %s", source.directory, exc)
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
