"""What may be added to an entry after it was closed: the Learning and Next a one-click result left out.

A result attached in one click (the sidebar's cell toolbar) completes the
entry with its outputs alone; what it taught comes a moment later. Only the
fields the entry lacks are added: one it has is refused, never replaced, since
the journal's text is changed by hand, not behind the person's back.
"""

from __future__ import annotations

from .draft import refuse_non_text
from .errors import InputError
from .identity import matching
from .model import Entry
from .text import canonical


def learned(learning: str, next_: str) -> list[tuple[str, str]]:
    """The fields to add, as written (``canonical``); an InputError when both are empty."""
    refuse_non_text({"learning": learning, "next": next_})
    fields = [("Learning", canonical(learning or "")), ("Next", canonical(next_ or ""))]
    if not any(value for _, value in fields):
        raise InputError("a learning or a next step is needed")
    return fields


def closed_entry(entries: list[Entry], selector: str, fields: list[tuple[str, str]], where: str) -> Entry:
    """The one closed entry ``selector`` names (:func:`~.identity.matching`) that lacks each of ``fields``."""
    hits = matching(entries, selector)
    if not hits:
        raise InputError(f"no entry '{selector.strip()}' in {where}")
    if len(hits) > 1:
        raise InputError(f"{len(hits)} entries match '{selector.strip()}': name one by its id")
    entry = hits[0]
    if entry.is_open:
        raise InputError(f"'{entry.name}' is still {entry.status}: its result brings the learning")
    for field, value in fields:
        if value and entry.get(field):
            raise InputError(f"'{entry.name}' already has a {field}: change it in {where}")
    return entry
