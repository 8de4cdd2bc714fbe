"""What the gates ask of every entry, kept for one parse and carried over when a write extends it.

A hypothesis asks three things of the whole journal (is an entry open? was
this change tried before? how many experiments completed since the last
lesson?), a result and the reminders ask two of them again. Each is a scan of
every entry: 10-20 ms per write at 10,000 entries, a hundred times the write.

Every write keeps the parse's leading entries, the very objects
(:func:`~.journal_format.extend_journal` keeps ``entries[:keep]`` and parses
what follows), so the index of the new list is the old index less the entries
after that shared prefix, plus the new ones: the cost of a write stays the
cost of the entries it changed. The shared prefix is found by identity, so a
list parsed afresh (a hand edit read back) simply gets a new index.
"""

from __future__ import annotations

import threading
import time
from bisect import bisect_left, insort
from datetime import datetime

from .model import COMPLETED, Entry


def entry_time(entry: Entry) -> datetime | None:
    """When the entry's heading says it started (None when its date is not one)."""
    try:  # the heading's forms are all ISO 8601: the C parser is ~30x faster than strptime
        return datetime.fromisoformat(entry.timestamp)
    except ValueError:
        pass
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(entry.timestamp, fmt)
        except ValueError:
            continue
    return None


def seconds_since(entry: Entry) -> float | None:
    """The wall time from the minute an entry's heading names to now: how long an entry opened elsewhere took."""
    started = entry_time(entry)
    return None if started is None else time.time() - started.timestamp()


class Index:
    """The open entries, the entries by change signature, the ids in use, and the completed entries' start times."""

    def __init__(self, entries: list[Entry], base: Index | None = None, keep: int = 0) -> None:
        self.entries = entries
        self._own: set[int] = set()  # ids of the signature lists this index made (the others are its base's)
        if base is None or keep == 0:
            self.open: list[Entry] = []
            self.by_signature: dict[object, list[Entry]] = {}
            self.completed: list[datetime] = []  # sorted
            self.undated = 0  # completed entries whose heading has no readable date
            self._ids: dict[str, int] | None = None  # see ids: made when first asked (a write asks, a read does not)
            for entry in entries:
                self._add(entry, sort=False)
            self.completed.sort()
            return
        self.open = [e for e in base.open if e.index < keep]
        self.by_signature = dict(base.by_signature)  # the lists are shared until this index changes one
        self.completed = list(base.completed)
        self.undated = base.undated
        self._ids = dict(base._ids) if base._ids is not None else None
        for entry in base.entries[keep:]:
            self._drop(entry)
        for entry in entries[keep:]:
            self._add(entry)

    def _mine(self, signature: object) -> list[Entry]:
        """This index's own list of the entries with ``signature`` (copied from the base's on first change)."""
        found = self.by_signature.get(signature)
        if found is None or id(found) not in self._own:
            found = self.by_signature[signature] = list(found or ())
            self._own.add(id(found))
        return found

    @property
    def ids(self) -> dict[str, int]:
        """Entry id -> how many entries carry it (a copied entry: two): what a new id must not be."""
        if self._ids is None:
            self._ids = {}
            for entry in self.entries:
                self._count_id(entry, 1)
        return self._ids

    def _count_id(self, entry: Entry, step: int) -> None:
        ids = self._ids
        if ids is not None and entry.id:
            left = ids.get(entry.id, 0) + step
            if left:
                ids[entry.id] = left
            else:
                del ids[entry.id]

    def _add(self, entry: Entry, sort: bool = True) -> None:
        self._count_id(entry, 1)
        if entry.is_open:
            self.open.append(entry)
        if entry.signature:
            self._mine(entry.signature).append(entry)
        if entry.status == COMPLETED:
            started = entry_time(entry)
            if started is None:
                self.undated += 1
            elif sort:
                insort(self.completed, started)
            else:
                self.completed.append(started)

    def _drop(self, entry: Entry) -> None:
        self._count_id(entry, -1)
        if entry.signature:
            same = self._mine(entry.signature)
            same[:] = [e for e in same if e is not entry]
            if not same:
                del self.by_signature[entry.signature]
                self._own.discard(id(same))
        if entry.status == COMPLETED:
            started = entry_time(entry)
            if started is None:
                self.undated -= 1
            else:
                del self.completed[bisect_left(self.completed, started)]

    def tried(self, signature: object) -> list[Entry]:
        """Entries whose change has this signature, in file order."""
        return list(self.by_signature.get(signature, ())) if signature else []

    def completed_since(self, since: datetime | None) -> int:
        """Completed entries that started at ``since`` or later (all of them when None)."""
        if since is None:
            return len(self.completed) + self.undated
        return len(self.completed) - bisect_left(self.completed, since)


_last: Index | None = None
_lock = threading.Lock()  # the server reads from several threads


def index_of(entries: list[Entry]) -> Index:
    """The :class:`Index` of a parsed entry list, extended from the last one asked for when they share a prefix."""
    global _last
    with _lock:
        last = _last
        if last is not None and last.entries is entries:
            return last
        made = Index(entries, last, _shared(last.entries, entries) if last is not None else 0)
        _last = made
        return made


def _shared(old: list[Entry], new: list[Entry]) -> int:
    """How many leading entries the two lists share (the same objects): a write keeps a prefix, never more."""
    lo, hi = 0, min(len(old), len(new))
    while lo < hi:  # new[i] is old[i] holds for i < k and fails from k on
        mid = (lo + hi) // 2
        if new[mid] is old[mid] and new[mid].index == mid:
            lo = mid + 1
        else:
            hi = mid
    return lo if lo == 0 or new[0] is old[0] else 0
