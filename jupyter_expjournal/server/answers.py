"""The answer of ``GET journal``: the core's export of the whole journal, kept per entry between changes.

A sidebar polls the journal; every change (a kernel's ``%%hypothesis``, a
result) makes the next GET answer the whole journal again. At 10,000 entries
exporting each entry and writing the JSON took 0.4 s per change. But an append
changes one entry: the core's parse keeps the :class:`~jupyter_expjournal.core.model.Entry`
objects of the unchanged entries before it (``extend_journal``; a rewrite keeps
those before the entry it changes), and an Entry is never changed once parsed.
So each entry's JSON is kept with the Entry object it was made from, and is
used again only for that very object at the same place (same ``index`` and
``span``); anything else (a hand edit reparsed, an entry moved) is exported
afresh. The answer is these JSON texts joined into what ``json.dumps`` of
:func:`~jupyter_expjournal.core.export.review` writes, byte for byte.

A freshly started server has none of this in memory; its first answer comes
from the one kept on disk by an earlier process (:mod:`.answer_cache`), used
only when the files' bytes are those it was made from. Its first build uses
the kept JSON of each entry whose parsed value is the same.

An entry's images are the links to files of its experiments folder
(:func:`~jupyter_expjournal.core.outcome.linked_file`); they are checked when the
entry's JSON is made. Like the ETag, the answer in memory follows journal.md and
lessons.md: a link in assets/ changed later is seen when its entry changes, or
by the next process (the kept answer notes the stat of the folders the links
pass through, see :mod:`.answer_cache`).

Everything here runs in a reader thread (see :mod:`.workers`), one build per
folder at a time; the answer is kept on disk in a thread of its own.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from pathlib import Path

from jupyter_server.utils import url_path_join

from ..core import export
from ..core.compare import metric_columns
from ..core.journal import Journal
from ..core.model import Entry
from ..core.outcome import linked_file
from ..core.store import fingerprint
from .answer_cache import Part, Source, folder_state, folders_unchanged, later, link_folders, save_later, value_key
from .answer_cache import load as load_kept
from .answer_cache import parts as kept_parts

#: Part of every ETag and of a kept answer's key, so that a change of the JSON shape invalidates old ones.
# 3: entries carry "compare" and "search_terms", the answer "metric_names"; 4: "sweep", compare "points";
# 5: each point's "best"
SHAPE_VERSION = b"5"
#: Seconds after a kept answer was sent before the journal is read to recall its entries' JSON: the
#: read holds Python's lock for a while (unpickling the parse), and the answer's bytes go out meanwhile.
RECALL_AFTER = 1.0


def etag(journal: Journal) -> str:
    """The ETag of a journal's answer: the store's fingerprint of its two files, nothing read."""
    digest = hashlib.blake2b(digest_size=12)
    digest.update(SHAPE_VERSION + b"\0" + os.fsencode(journal.directory))
    for path in (journal.journal_path, journal.lessons_path):
        try:
            digest.update(f"|{fingerprint(path)}".encode())
        except OSError as exc:
            digest.update(f"|error {exc.errno}".encode())
    return f'"{digest.hexdigest()}"'


class _Json(str):
    """JSON text, put into the answer as it is."""


def _dumps(data: dict) -> tuple[str, dict[str, int]]:
    """``json.dumps(data)``, with :class:`_Json` values written as they are; and where each value starts."""
    pieces, starts, at = [], {}, 1
    for key, value in data.items():
        head, text = f"{json.dumps(key)}: ", value if isinstance(value, _Json) else json.dumps(value)
        starts[key] = at + len(head)
        pieces.append(head + text)
        at += len(head) + len(text) + 2
    return "{" + ", ".join(pieces) + "}", starts


def _array(items: list[str]) -> _Json:
    return _Json("[" + ", ".join(items) + "]")


@dataclass
class _Kept:
    """One entry's part of the answer, as made from ``entry`` (the object, at that index and span)."""

    entry: Entry
    index: int
    span: tuple[int, int]
    json: str
    parameters: tuple[tuple[str, str], ...]  # (config key, JSON of this entry's item in export.parameters)
    folders: tuple[tuple[str, object], ...]  # (folder, its state before the links were checked): see answer_cache
    metrics: tuple[str, ...]  # the names of its compare row's metrics: the answer's columns, without reading the entry again
    key: bytes | None = None  # value_key(entry), once asked

    @classmethod
    def make(cls, entry: Entry, directory: Path, states: dict) -> _Kept:
        data = export.entry(entry)
        folders: tuple = ()
        if data["images"]:  # only the entry's own files are shown (the core's rule)
            # the folders' states are read before the links are checked: a change in between is then seen
            names = sorted({name for link in data["images"] for name in link_folders(link)})
            folders = tuple((name, folder_state(directory, name, states)) for name in names)
            data["images"] = [link for link in data["images"] if linked_file(directory, link) is not None]
        parameters = tuple((key, json.dumps(item)) for key, items in export.parameters([entry]).items() for item in items)
        return cls(entry, entry.index, entry.span, json.dumps(data), parameters, folders, tuple(data["compare"]["metrics"]))

    def fits(self, entry: Entry) -> bool:
        return self.entry is entry and self.index == entry.index and self.span == entry.span

    def value(self) -> bytes:
        if self.key is None:
            self.key = value_key(self.entry)
        return self.key


def _from_disk(source: Source, entries: list[Entry], states: dict) -> dict[int, _Kept]:
    """The entry JSON kept on disk, for each of ``entries`` with the same value (and folders unchanged)."""
    kept = kept_parts(source)
    out: dict[int, _Kept] = {}
    if kept:
        for entry in entries:
            key = value_key(entry)
            hit = kept.get(key)
            if hit is not None and folders_unchanged(source.directory, hit[2], states):
                out[id(entry)] = _Kept(entry, entry.index, entry.span, hit[0], hit[1], hit[2], hit[3], key)
    return out


class Answers:
    """One folder's last answer, with the JSON of each entry it held."""

    def __init__(self) -> None:
        self.last: tuple[str, bytes] | None = None  # (ETag, answer): a client without the ETag gets it unbuilt
        self._kept: dict[int, _Kept] = {}  # by id() of the Entry; each holds its Entry, so the id stays its own

    def answer(self, journal: Journal, relative: str, tag: str, alone: AbstractContextManager) -> bytes:
        """The JSON of ``GET journal`` for ``journal`` (whose folder is ``relative`` to the root), as bytes.

        ``alone`` is held while the journal is read (see :meth:`.workers.Workers.alone`);
        the entries' JSON is made from the Entry objects read, which no one changes.
        """
        if self.last is not None and self.last[0] == tag:
            return self.last[1]
        source = Source.read(journal, relative, SHAPE_VERSION)
        answer = load_kept(source) if source is not None else None
        if answer is not None:
            self.last = (tag, answer)
            if not self._kept:  # the next build (after an append) should not have to wait for this
                later(self._recall, journal, source, alone)
            return answer
        with alone:
            review = journal.review(all=True, analysis=False)
        states: dict = {}  # each folder's state, read once per build
        old = self._kept or (_from_disk(source, review.entries, states) if source is not None else {})
        kept: dict[int, _Kept] = {}

        def part(entry: Entry) -> _Kept:
            hit = kept.get(id(entry)) or old.get(id(entry))
            if hit is None or not hit.fits(entry):
                hit = _Kept.make(entry, journal.directory, states)
            kept[id(entry)] = hit
            return hit

        entries = [part(e) for e in review.entries]
        opened = [part(e) for e in review.open]
        self._kept = kept  # only the entries of this answer: nothing outlives its journal text
        parameters: dict[str, list[str]] = {}
        for item in entries:
            for key, value in item.parameters:
                parameters.setdefault(key, []).append(value)
        # everything but the entries from the core's own export (the entries' lists left empty) ...
        data = export.review(replace(review, entries=[], open=[]))
        # ... the compare table's columns from every entry's (kept with its JSON: no entry is read again) ...
        data.update(export.metric_summary(metric_columns(item.metrics for item in entries)))
        # ... and the entries' lists from the JSON kept per entry
        data.update(
            entries=_array([item.json for item in entries]),
            open=_array([item.json for item in opened]),
            parameters=_Json("{" + ", ".join(f"{json.dumps(key)}: {_array(v)}" for key, v in parameters.items()) + "}"),
        )
        data.update(
            journal_path=url_path_join(relative, "journal.md"),
            lessons_path=url_path_join(relative, "lessons.md"),
            directory_relative=relative,
            exists=journal.journal_path.is_file(),
        )
        text, starts = _dumps(data)
        answer = text.encode("utf-8")
        self.last = (tag, answer)
        if source is not None and len(answer) == len(text):  # JSON is ASCII: each entry's place is the same in bytes

            def index() -> list[Part]:
                out, at = [], starts["entries"] + 1  # after the '[' of the entries' list
                for item in entries:
                    out.append((item.value(), at, at + len(item.json), item.parameters, item.folders, item.metrics))
                    at += len(item.json) + 2
                return out

            save_later(source, answer, index, lambda: source.same_now(journal, relative, SHAPE_VERSION))
        return answer

    def _recall(self, journal: Journal, source: Source, alone: AbstractContextManager) -> None:
        """After a kept answer was sent: the journal read, and the kept JSON of its entries held in memory.

        Without this the first build after a start (the next change) would
        export every entry again. A build racing this one only loses time: an
        entry's JSON is used only for the Entry object it is held with.
        """
        time.sleep(RECALL_AFTER)
        try:
            with alone:
                review = journal.review(all=True, analysis=False)
            recalled = _from_disk(source, review.entries, {})
        except Exception:  # the next build reads the journal and says what is wrong
            return
        if not self._kept:
            self._kept = recalled
