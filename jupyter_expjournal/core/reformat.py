"""``jupyter expjournal format``: older entries put into the form that renders, nothing else touched.

Entries written before the journal rendered well (the seed's compact form, a
field an editor indented under a list item) read fine but render badly: field
lines run together in one paragraph and a field after a list joins its last
item. The writer never rewrites them behind the user's back (see
:mod:`.journal_format`); this is the rewrite a person asks for. It changes only
the layout between fields, which the reader ignores:

- a blank line goes before a field line that follows a non-blank line (not
  right under the entry's heading), and before an entry's heading that does (a
  heading right under ``<details>`` or ``<div>`` is raw text of that HTML block);
- a field line indented right after a list item loses its indentation;
- in lessons.md, a line of text that the reader already takes as no part of
  the list item above it, but that a renderer would take in, gets a blank line
  before it (when it follows the item's text) and loses its indentation (a tab,
  or two spaces after a line of spaces, continues the item when rendered).

Every other byte stays: user text, unknown fields, comments, fences, line
endings (an inserted blank line takes the ending of the line before it), a
byte-order mark, a missing final newline. The result is parsed again and must
give the same entries (names, fields, values), lessons and rules, or nothing is
written. Written under the folder's lock as a compare-and-swap rewrite of the
store, like every other rewrite.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import JournalError
from .journal_format import parse_journal
from .lessons_format import parse_lessons
from .text import BOM, Fences, is_bullet, iter_lines


@dataclass(frozen=True)
class Reformatted:
    """One file before and after ``format``; ``touched``: how many entries (or lessons and rules) changed."""

    path: Path
    before: str
    after: str
    touched: int = 0

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        """A unified diff of the change, as ``git diff`` shows one ('' when nothing changes)."""
        name = self.path.name
        lines = difflib.unified_diff(_lines(self.before), _lines(self.after), f"a/{name}", f"b/{name}")
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def _lines(text: str) -> list[str]:
    """Lines with their endings, split on ``\\n`` only (a form feed is text)."""
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text)


def _previous_line(text: str, offset: int) -> tuple[int, str]:
    """(start, text with its ending) of the line before the one starting at ``offset`` (> 0)."""
    start = text.rfind("\n", 0, offset - 1) + 1
    if start == 0 and text.startswith(BOM):  # the mark belongs to no line
        start = 1
    return start, text[start:offset]


def journal_formatted(text: str) -> tuple[str, int]:
    """journal.md's ``text`` in the rendering form, and how many entries changed."""
    starts: list[tuple[int, int]] = []
    entries = parse_journal(text, starts)
    headings = [e.span[0] for e in entries]
    pieces: list[str] = []
    pos = 0
    touched: set[int] = set()
    entry = 0
    # an entry's heading too: right under a line of HTML (``<details>``) it would be raw text of that HTML block
    for offset, indent in sorted(starts + [(h, -1) for h in headings if h > 0]):
        while entry + 1 < len(headings) and headings[entry + 1] <= offset:
            entry += 1
        start, before = _previous_line(text, offset)
        heading, indent = indent < 0, max(indent, 0)
        if before.strip() and (heading or start != headings[entry]):  # the first field stays right under the heading
            pieces += [text[pos:offset], "\r\n" if before.endswith("\r\n") else "\n"]
            pos = offset
            touched.add(entry)
        if indent:
            pieces.append(text[pos:offset])
            pos = offset + indent
            touched.add(entry)
    pieces.append(text[pos:])
    after = "".join(pieces)
    if after != text:
        _same_entries(entries, parse_journal(after))
    return after, len(touched)


def _same_entries(before: list, after: list) -> None:
    def read(entries: list) -> list:
        return [(e.timestamp, e.name, list(e.fields.items()), e.repeated) for e in entries]

    old, new = read(before), read(after)
    if old != new:
        which = next((b for b, a in zip(old, new) if a != b), old[-1] if old else ("", "", [], []))
        raise JournalError(f"format would change what the entry '{which[0]} — {which[1]}' reads as;"
                           " nothing was written (please report this)")


def lessons_formatted(text: str) -> tuple[str, int]:
    """lessons.md's ``text`` in the rendering form, and how many lessons and rules changed.

    The reader ends a lesson at the first line that is neither indented by two
    spaces nor empty; a renderer goes on: a line of text right after the item's
    text joins it (a lazy continuation line), and one indented two columns or
    more (a tab) continues the item even after a blank line. Such a line gets a
    blank line before it, and loses its indentation, so that it renders as what
    the reader reads: text after the list.
    """
    pieces: list[str] = []
    pos = 0
    touched = 0
    item = False  # the reader's item is open: a bullet, then lines indented by two spaces or empty
    in_list = False  # a renderer is still inside the last item: a line indented two columns continues it
    text_before = False  # the line before is non-blank text of the item: a line of text after it joins it
    fences = Fences()
    for offset, line, _nl in iter_lines(text):
        if fences.feed(line):  # the reader keeps a fence in an open item; a renderer, only one indented into it
            in_list = in_list and _columns(line) >= 2
            text_before = False
            continue
        if line.startswith("## "):
            item = in_list = text_before = False
        elif line.startswith(("- ", "* ")):
            item = in_list = text_before = True
        elif item and (line.startswith("  ") or line == ""):
            text_before = bool(line.strip())
        elif not line.strip():  # blank to a renderer (spaces); the end of the item to the reader
            item = text_before = False
        elif in_list and not _ATX_HEADING.match(line):
            # the reader ends the item here; a renderer would make this line part of it
            indent = len(line) - len(line.lstrip(" \t"))
            strip = _columns(line) >= 2 and _plain(line[indent:])
            if text_before:
                _, before = _previous_line(text, offset)
                pieces += [text[pos:offset], "\r\n" if before.endswith("\r\n") else "\n"]
                pos = offset
            if strip:
                pieces.append(text[pos:offset])
                pos = offset + indent
            touched += text_before or strip
            item = in_list = text_before = False
        else:
            item = in_list = text_before = False
    pieces.append(text[pos:])
    after = "".join(pieces)
    if after != text:
        old, new = parse_lessons(text), parse_lessons(after)
        if _lessons_read(old) != _lessons_read(new):
            raise JournalError("format would change what a lesson or rule reads as; nothing was written (please report this)")
    return after, touched


#: An ATX heading: it ends a list item, so the line before it needs no blank line.
_ATX_HEADING = re.compile(r" {0,3}#{1,6}(?:[ \t]|$)")


def _columns(line: str) -> int:
    """How many columns of indentation ``line`` has (a tab to the next multiple of 4, as CommonMark counts)."""
    width = 0
    for char in line:
        if char == " ":
            width += 1
        elif char == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def _plain(text: str) -> bool:
    """``text`` starts a plain line once its indentation is gone (no bullet, fence, heading, quote, HTML or table)."""
    return bool(text) and text[0] not in "#-*+`~<>|=" and not is_bullet(text)


def _lessons_read(lessons) -> tuple[list, list]:
    return ([(x.date, x.text, x.source) for x in lessons.lessons],
            [(r.kind, r.action, r.reason, r.connective, r.date) for r in lessons.rules])


def reformat(journal, *, write: bool) -> list[Reformatted]:
    """``journal``'s journal.md and lessons.md in the rendering form, each written when ``write``.

    ``journal`` is a :class:`~.journal.Journal`. A file already in that form,
    or missing, is not touched. Under the lock, the rewrite is built from the
    file as it is then (a hand edit saved meanwhile is kept, and formatted too).
    """
    results = []
    for file, formatted in ((journal.journal_file, journal_formatted), (journal.lessons_file, lessons_formatted)):
        text = file.read()
        after, touched = formatted(text)
        if after == text or not write:
            results.append(Reformatted(file.path, text, after, touched))
            continue
        seen: list = []

        def build(now: str, formatted=formatted, seen=seen) -> str:
            seen[:] = [now, *formatted(now)]
            return seen[1]

        with journal.lock:
            file.rewrite(build)
        results.append(Reformatted(file.path, *seen))
    return results
