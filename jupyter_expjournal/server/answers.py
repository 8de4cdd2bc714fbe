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

An entry's images are the links to files of its experiments folder
(:func:`~jupyter_expjournal.core.outcome.linked_file`); they are checked when the
entry's JSON is made. Like the ETag, the answer follows journal.md and
lessons.md: a link in assets/ changed later is seen when its entry changes.

Everything here runs in a reader thread (see :mod:`.workers`), one build per
folder at a time.
"""

from __future__ import annotations

import hashlib
import json
import os
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace

from jupyter_server.utils import url_path_join

from ..core import export
from ..core.journal import Journal
from ..core.model import Entry
from ..core.outcome import linked_file
from ..core.store import fingerprint

#: Part of every ETag, so that a change of the JSON shape invalidates old ones.
SHAPE_VERSION = b"2"


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


def _dumps(value: object) -> str:
    """``json.dumps(value)``, with :class:`_Json` parts of a top-level dict written as they are."""
    if isinstance(value, _Json):
        return value
    if isinstance(value, dict) and any(isinstance(v, _Json) for v in value.values()):
        return "{" + ", ".join(f"{json.dumps(key)}: {_dumps(v)}" for key, v in value.items()) + "}"
    return json.dumps(value)


def _array(items: list[str]) -> _Json:
    return _Json("[" + ", ".join(items) + "]")


@dataclass
class _Kept:
    """One entry's part of the answer, as made from ``entry`` (the object, at that index and span)."""

    entry: Entry
    index: int
    span: tuple[int, int]
    json: str
    parameters: list[tuple[str, str]]  # (config key, JSON of this entry's item in export.parameters)

    @classmethod
    def make(cls, entry: Entry, directory) -> _Kept:
        data = export.entry(entry)
        if data["images"]:  # only the entry's own files are shown (the core's rule)
            data["images"] = [link for link in data["images"] if linked_file(directory, link) is not None]
        parameters = [(key, json.dumps(item)) for key, items in export.parameters([entry]).items() for item in items]
        return cls(entry, entry.index, entry.span, json.dumps(data), parameters)

    def fits(self, entry: Entry) -> bool:
        return self.entry is entry and self.index == entry.index and self.span == entry.span


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
        with alone:
            review = journal.review(all=True, analysis=False)
        old, kept = self._kept, {}

        def part(entry: Entry) -> _Kept:
            hit = kept.get(id(entry)) or old.get(id(entry))
            if hit is None or not hit.fits(entry):
                hit = _Kept.make(entry, journal.directory)
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
        answer = _dumps(data).encode("utf-8")
        self.last = (tag, answer)
        return answer
