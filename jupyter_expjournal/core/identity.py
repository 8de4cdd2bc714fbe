"""Which entry is which: a short id each entry carries, and the one rule that finds entries by what a person typed.

A heading (``2026-11-25 14:03 — seed sweep``) is not an identity: two
notebooks of one sweep open entries with the same name in the same minute, a
person renames an entry by hand, an entry is copied as a template. So every
entry the core writes carries an id, readable and short like a git commit
(``id 3f9a1c2e``), at the start of its Provenance line, where a person can see
and quote it. A kernel, the sidebar and the CLI find their entry again by it;
a heading is only a fallback for entries written by hand or before ids.

:func:`matching` is the one rule for what a selector (``--name``, the REST
``name``/``id``/``heading``) names: an id first, then the heading, then the
name, case and spacing ignored. Several matches are for the caller to refuse
with a question, never to settle by taking the last.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Collection

from . import notices
from .errors import GateError, InputError
from .model import Entry, normalize_key
from .notices import Notice

#: How an id is written at the start of the Provenance value: ``id`` and 8 hex digits.
ID_PREFIX = "id "
_ID = re.compile(r"(?:id\s+|#)?([0-9a-f]{8})")


def new_id(taken: Collection[str] = ()) -> str:
    """A fresh id: 8 random hex digits (32 bits), none of ``taken``."""
    while True:
        made = secrets.token_hex(4)
        if made not in taken:
            return made


def with_id(provenance: str, made: str) -> str:
    """The Provenance value carrying ``made`` first: ``id 3f9a1c2e; <the rest>``."""
    rest = provenance.strip()
    return f"{ID_PREFIX}{made}; {rest}" if rest else f"{ID_PREFIX}{made}"


def ref(entry: Entry) -> str:
    """What finds ``entry`` again: its id, else (written by hand) its heading."""
    return entry.id or entry.heading


def describe(entry: Entry) -> str:
    """``'seed sweep' id 3f9a1c2e``, or with its time when it has no id: how a question lists it."""
    return f"'{entry.name}' {ID_PREFIX}{entry.id}" if entry.id else f"'{entry.name}' ({entry.timestamp})"


def as_id(selector: str) -> str:
    """The id a selector spells (``3f9a1c2e``, ``id 3f9a1c2e``, ``#3f9a1c2e``), or ''."""
    found = _ID.fullmatch(selector.strip())
    return found.group(1) if found else ""


def matching(entries: list[Entry], selector: str) -> list[Entry]:
    """The entries ``selector`` names, in file order: by id, else by heading, else by name."""
    wanted = as_id(selector)
    if wanted:
        hits = [e for e in entries if e.id == wanted]
        if hits:
            return hits
    text = selector.strip()
    hits = [e for e in entries if e.heading == text]
    if hits:
        return hits
    key = normalize_key(text)
    return [e for e in entries if normalize_key(e.name) == key]


def identified(fields: list[tuple[str, str]], taken: Collection[str], *, name: str) -> list[tuple[str, str]]:
    """``fields`` of a new entry with an id: the Provenance line's own when it gives a free one, else a fresh one.

    A Provenance given without an id gets one put first; with none at all, one
    is added (``**Provenance**: id 3f9a1c2e``). An id given that another entry
    already carries is refused: two entries with one id could not be told apart.
    """
    out = list(fields)
    at = next((i for i, (key, _) in enumerate(out) if normalize_key(key) == "provenance"), None)
    value = out[at][1] if at is not None else ""
    given = Entry("", "", {"Provenance": value}).id
    if given and given in taken:
        raise InputError(f"'{name}': {ID_PREFIX}{given} is already another entry's: give a new one, or none and one is made")
    if given:
        return out
    made = with_id(value, new_id(taken))
    if at is None:
        out.append(("Provenance", made))
    else:
        out[at] = (out[at][0], made)
    return out


def resolve(entries: list[Entry], planned: list[Entry], name: str | None, preferred: str | None, where: str) -> Entry:
    """The open entry (of ``planned``, the open ones of ``entries``) a result or an abandon goes to.

    ``name`` is what a person typed to pick one: an id, a heading or a name
    (:func:`matching`); several open entries matching it asks which. Else
    ``preferred``, the id of the entry this face opened itself: when it was
    closed elsewhere (or is gone from ``where``), no other entry is completed
    in its place without being named. Else the only open entry; several open asks.
    """
    if name:
        found = _one(planned, name, f"open experiments match '{name.strip()}'")
        if found is not None:
            return found
        closed = matching(entries, name)
        listing = ", ".join(describe(e) for e in planned) or "none"
        if closed:
            raise InputError(f"{describe(closed[-1])} is not open: it is {closed[-1].status or 'without a status'}"
                             f" (open: {listing})")
        raise InputError(f"no open experiment named '{name}' (open: {listing})")
    if preferred:
        found = _one(planned, preferred, f"open experiments have the heading '{preferred}'")
        if found is not None:
            return found
        mine = matching(entries, preferred)
        said = (f"{describe(mine[-1])}, the experiment opened here, was closed elsewhere (it is {mine[-1].status})"
                if mine else f"the experiment opened here ({ID_PREFIX}{preferred}) is no longer in {where}")
        if not planned:
            raise InputError(Notice(f"{said}; no experiment is open", (notices.NEW_HYPOTHESIS, notices.RETRO)))
        raise GateError(_which(planned, f"{said}; another is completed only when named"))
    if len(planned) == 1:
        return planned[0]
    if not planned:
        raise InputError(Notice("no open experiment to complete", (notices.NEW_HYPOTHESIS, notices.RETRO)))
    raise GateError(_which(planned, f"{len(planned)} experiments are open"))


def _one(planned: list[Entry], selector: str, several: str) -> Entry | None:
    """The one open entry ``selector`` names, None for none; several: the question which (``N <several>``)."""
    hits = matching(planned, selector)
    if len(hits) > 1:
        raise GateError(_which(hits, f"{len(hits)} {several}"))
    return hits[0] if hits else None


def _which(entries: list[Entry], said: str) -> Notice:
    """The question asked when it is not told which open entry is meant: each listed as it can be named."""
    listing = ", ".join(describe(e) for e in entries)
    return Notice(f"{said} ({listing})", (notices.CHOOSE_ENTRY,), notices.WHICH_ENTRY, tuple(ref(e) for e in entries))
