"""journal.md: read every ``### date — name`` entry, write new ones, splice a result into one.

The reader never normalises a file, and the writer only ever (a) appends a new
entry or (b) splices new text into one entry. Every byte outside that splice
(text before the first entry, unknown ``**Fields**``, blank lines, CRLF endings,
code fences, a missing final newline) stays as it was. Each parsed
:class:`~.model.Entry` remembers its span in the file, so one entry can change
in place. (``jupyter expjournal format`` is the one rewrite of other bytes a
person asks for: :mod:`.reformat`.)

How it renders. Most people read the journal rendered (GitHub, JupyterLab's
preview, VS Code), so the writer puts **a blank line between two fields**: each
field is its own paragraph, and a list (Config, or one in a value) is always
followed by a blank line, so no field after it joins its last item as a lazy
continuation line. A blank line is the one separator that every editor keeps
(two trailing spaces, Markdown's other hard break, are trimmed by editors and
pre-commit hooks), that reads as plainly as the seed's form, and that every
earlier version of this reader already reads (blank edges of a value were
always dropped): a team on mixed versions reads one file alike. A trailing
backslash would be visible in the raw text and read into values by older
versions. The heading keeps its first field right under it, as in the seed.
Lines within one value are still one Markdown paragraph (joined when
rendered), as in any Markdown file.

The reader reads the seed's compact form and every earlier shape too: a field
line needs no blank line before it, and one indented right after a list item
(as JupyterLab's editor leaves it) is read as its own field.
"""

from __future__ import annotations

import re
import sys

from .model import Entry
from .text import (
    BULLET_FIRST,
    FIELD,
    Fences,
    Splice,
    canonical,
    close_fence,
    content_end,
    escape,
    indented_field,
    is_bullet,
    iter_lines,
    newline_of,
    unescape,
)

HEADING = re.compile(r"### (\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?)[ \t]+(?:—|–|--?)[ \t]+(.*?)[ \t]*")


def parse_journal(text: str, starts: list[tuple[int, int]] | None = None) -> list[Entry]:
    """Read every ``### date — name`` entry; everything else is left to the file.

    A field starts at a ``**Name**:`` line, or at one indented right after a
    list item (:func:`~.text.indented_field`: an editor's indentation), and runs
    to the next field or heading. ``starts``, when given, collects (offset,
    indentation) of every field line read, for ``check`` and ``format``.
    """
    entries: list[Entry] = []
    fences = Fences()
    current: Entry | None = None
    field_name: str | None = None
    field_lines: list[str] = []
    after_list = False  # the line before is a list item (or a field indented after one), outside a fence

    def close_field() -> None:
        if current is not None and field_name is not None:
            if field_name in current.fields:  # the first is read (and changed by a result); check names the rest
                current.repeated.append(field_name)
            else:
                current.fields[field_name] = _field_value(field_lines)

    for offset, line, _end in iter_lines(text):
        if not line:  # a blank line (one between two fields, in the form written): what the lines below do with it
            if field_name is not None:
                field_lines.append(line)
            after_list = False
            continue
        if fences.feed(line):
            if field_name is not None:
                field_lines.append(line)
            after_list = False
            continue
        heading = HEADING.fullmatch(line) if line.startswith("### ") else None
        if heading:
            close_field()
            if current is not None:
                current.span = (current.span[0], offset)
            current = Entry(heading.group(1), heading.group(2), span=(offset, len(text)), index=len(entries))
            entries.append(current)
            field_name, field_lines, after_list = None, [], False
            continue
        if current is None:
            continue
        if line.startswith("**"):
            m = FIELD.fullmatch(line)
        else:  # the first-character tests keep the calls off most lines (a parse of 10,000 entries)
            m = indented_field(line, True) if after_list and line[:1] in " \t" else None
        if m:
            close_field()
            # interned: 10,000 entries share a dozen names (and a cached parse stores each once)
            field_name, field_lines = sys.intern(m.group(1).strip()), [m.group(2)]
            after_list = m.string is not line  # an indented field: a next one indented alike is a field too
            if starts is not None:
                starts.append((offset, len(line) - len(m.string)))
        else:
            if field_name is not None:
                field_lines.append(line)
            after_list = line[:1] in BULLET_FIRST and is_bullet(line)
    close_field()
    return entries


def extend_journal(entries: list[Entry], text: str, keep: int | None = None) -> list[Entry]:
    """Entries of ``text``, given ``entries`` parsed from an older version of it.

    The first ``keep`` entries (default: all but the last, which an append may
    have continued) must be unchanged in ``text``; only what follows them is
    parsed again. That is exact: an entry heading is only ever read outside a
    code fence, so parsing can restart at one.
    """
    keep = len(entries) - 1 if keep is None else keep
    if keep <= 0 or not entries:
        return parse_journal(text)
    return extend_tail(entries, text[tail_start(entries, keep) :], keep)


def tail_start(entries: list[Entry], keep: int) -> int:
    """Where the text after the first ``keep`` entries begins (what :func:`extend_tail` reads)."""
    if not entries:
        return 0
    keep = max(0, keep)
    return entries[keep].span[0] if keep < len(entries) else entries[-1].span[1]


def extend_tail(entries: list[Entry], tail: str, keep: int) -> list[Entry]:
    """:func:`extend_journal` given only ``tail``, the text from :func:`tail_start` on: the first
    ``keep`` entries are kept, what follows is read from ``tail`` (an 8 MB journal is not sliced)."""
    keep = max(0, min(keep, len(entries)))
    start = tail_start(entries, keep)
    tail_entries = parse_journal(tail)
    for entry in tail_entries:
        entry.span = (entry.span[0] + start, entry.span[1] + start)
        entry.index += keep
    return entries[:keep] + tail_entries


def _field_value(lines: list[str]) -> str:
    while len(lines) > 1 and not lines[-1]:  # the blank line after a field: canonical() would drop it
        lines.pop()
    if len(lines) == 1 and "\r" not in lines[0]:  # most values: what canonical(unescape(...)) gives, cheaply
        return lines[0].rstrip()
    return canonical(unescape("\n".join(lines)))


def render_fields(fields: list[tuple[str, str]], newline: str = "\n") -> str:
    """``**Name**: value`` for each non-empty value, a blank line between two, ending in ``newline``.

    A paragraph per field: see the module's docstring for why a blank line.
    """
    out = []
    for name, value in fields:
        value = canonical(value)
        if not value:
            continue
        if name == "Config":
            out.append(f"**{name}**:\n{value}")
        else:
            out.append(f"**{name}**: {escape(value)}")
    return (newline * 2).join(chunk.replace("\n", newline) for chunk in out) + newline if out else ""


def render_entry(timestamp: str, name: str, fields: list[tuple[str, str]], newline: str = "\n") -> str:
    """A whole new entry: heading line and fields."""
    return f"### {timestamp} — {name}{newline}" + render_fields(fields, newline)


def entry_chunk(
    text: str, stamp: str, name: str, fields: list[tuple[str, str]], last_start: int = 0, newline: str | None = None
) -> str:
    """What appending an entry to ``text`` adds: separation in the file's style, then the entry.

    A code fence or HTML comment that a hand edit left open at the end is
    closed first, or the new entry would be read as code (or hidden). Only
    the last entry is scanned for it (``last_start``): an earlier open fence
    would have swallowed the headings after it. ``text`` may be only the end
    of the file from its last entry on, when ``newline`` gives the file's own.
    """
    newline = newline or (newline_of(text) if text else "\n")
    if not text:
        return f"# Experiment journal{newline}{newline}" + render_entry(stamp, name, fields, newline)
    lead = "" if text.endswith("\n") else newline
    closer = close_fence(text[last_start:] + lead, newline)
    if closer:
        lead += closer
    if closer or (not text.isspace() and not text.endswith(("\n\n", "\r\n\r\n"))):  # = text.strip(), without copying it
        lead += newline
    return lead + render_entry(stamp, name, fields, newline)


def splice_result(text: str, entry: Entry, status: str, fields: list[tuple[str, str]]) -> str:
    """Set an entry's Status in place and add ``fields`` at the end of that entry only."""
    return result_splice(text, entry, status, fields).apply(text)


def result_splice(text: str, entry: Entry, status: str, fields: list[tuple[str, str]]) -> Splice:
    """:func:`splice_result` as the one part of ``text`` it replaces: the entry's own span."""
    start, end = entry.span
    return Splice(start, end, result_block(text[start:end], status, fields, newline_of(text), end == len(text)))


def result_block(block: str, status: str, fields: list[tuple[str, str]], newline: str, last: bool) -> str:
    """An entry's text (``block``) with its Status set and ``fields`` added at its end.

    ``newline`` is the file's line ending; ``last`` says the entry ends the file
    (then a missing final newline stays missing).
    """
    status_done = False
    pieces: list[str] = []
    fences = Fences()
    for _offset, line, nl in iter_lines(block):
        if not fences.feed(line) and not status_done:
            m = FIELD.fullmatch(line)
            if m and m.group(1).strip().casefold() == "status":
                value = m.group(2).strip()
                word = value.split()[0] if value else ""
                prefix = line[: len(line) - len(m.group(2))]
                line = prefix.rstrip() + " " + status + value[len(word) :]  # a note after the word stays
                status_done = True
        pieces.append(line + nl)
    block = "".join(pieces)
    if not status_done:  # a hand-written entry without a Status: add one under the heading
        heading_end = block.find("\n") + 1 or len(block)
        if heading_end == len(block) and not block.endswith("\n"):
            block += newline
            heading_end = len(block)
        block = block[:heading_end] + f"**Status**: {status}{newline}" + block[heading_end:]
    cut = _before_outer_closers(block, content_end(block, 0, len(block)))
    head, tail = block[:cut], block[cut:]
    missing_final_newline = not head.endswith("\n")
    if missing_final_newline:
        head += newline
    # A hand edit may have left a code fence open to the end of the file: close
    # it, or the fields we add would be read as code and the result lost. A
    # blank line first, after the entry's own last line (an entry written in the
    # compact form may end in a list, which would take the field in).
    rendered = render_fields(fields, newline)
    added = close_fence(head, newline) + (newline + rendered if rendered else "")
    if missing_final_newline and last and not tail:
        added = added[: -len(newline)]
    return "".join((head, added, tail))


#: HTML block tags a person wraps entries in (``<details>`` to fold old ones away).
_OPEN_TAG = re.compile(r"\s*<(details|div|section|blockquote)(?:\s[^>]*)?>", re.I)
_CLOSE_TAG = re.compile(r"\s*</(details|div|section|blockquote)>\s*", re.I)


def _fields_in(rest: str) -> bool:
    """``rest`` holds a ``**Field**:`` line (outside code fences): the entry goes on in it."""
    fences = Fences()
    return any(not fences.feed(line) and FIELD.fullmatch(line) for _offset, line, _nl in iter_lines(rest))


def _before_outer_closers(block: str, cut: int) -> int:
    """Where a result's fields go: the end of the entry's own block.

    A closing tag with no opening tag in the entry and no field of the entry
    after it (``</details>`` of a ``<details>`` that wraps the entry, opened
    before its heading) ends the entry's own block: the fields go before it,
    after the entry's last line. One with fields after it is text a field holds.
    Otherwise ``cut``, the end of the entry's content.
    """
    depth: dict[str, int] = {}
    fences = Fences()
    for offset, line, _nl in iter_lines(block[:cut]):
        if fences.feed(line):
            continue
        closing = _CLOSE_TAG.fullmatch(line)
        if closing:
            tag = closing.group(1).lower()
            if not depth.get(tag):
                if not _fields_in(block[offset:cut]):  # the wrapper's end: no field of the entry follows it
                    return content_end(block, 0, offset)
                continue  # text of a field (a pasted ``</div>``) with the entry's fields going on after it
            depth[tag] -= 1
            continue
        opening = _OPEN_TAG.match(line)
        if opening and f"</{opening.group(1).lower()}>" not in line.lower():
            tag = opening.group(1).lower()
            depth[tag] = depth.get(tag, 0) + 1
    return cut
