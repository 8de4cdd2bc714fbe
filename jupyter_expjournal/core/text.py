"""Plain-text mechanics shared by the two file formats: lines, code fences, escaping.

The Markdown files belong to the user, so nothing here normalises anything: lines
split on ``\\n`` only, a file's own line ending is kept, and the escaping that
lets any user text round-trip is undone exactly by the reader.

User text is escaped on write so that reading gives back exactly what was
written: a value line that starts with ``#``, ``**``, a backslash, or an
unclosed code fence gets one leading backslash, which the reader removes. Lines
inside a balanced code fence are left alone, so pasted code stays code. So do a
line of only ``-`` or ``=`` (a renderer would make the line above it a heading)
and a field line indented right after a list item (the reader takes that as a
field an editor indented: see :func:`indented_field`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

FIELD = re.compile(r"\*\*([^*\r\n]+?)\*\*:(?: |\t)?(.*)", re.S)
FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")
#: Lines of user text that would read as structure (or as an escape) at the start of a line.
NEEDS_ESCAPE = re.compile(r"[\\#]")
#: A line that opens an HTML comment (CommonMark HTML block 2): it runs to the first line holding ``-->``.
COMMENT = re.compile(r" {0,3}<!--")
#: A setext underline: under a line of text, CommonMark makes that text a heading (``=`` h1, ``-`` h2).
SETEXT = re.compile(r" {0,3}(?:=+|-+)[ \t]*")
#: A list item's first line (``- x``, ``* x``, ``+ x``, ``1. x``, ``1) x``), at any indentation.
BULLET = re.compile(r"[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
#: A UTF-16 surrogate on its own in a Python string (bytes decoded with ``surrogateescape``): UTF-8 has no
#: encoding for it.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
#: What a list item's line can start with: most lines are settled by their first character.
BULLET_FIRST = frozenset("-*+ \t0123456789")
BOM = "\ufeff"


@dataclass(frozen=True)
class Splice:
    """``text[:start] + piece + text[end:]``: one part of a large text replaced.

    A result changes one entry of a journal that may hold 10,000; kept apart,
    the store writes the change without encoding the other 8 MB again.
    """

    start: int
    end: int
    piece: str

    def apply(self, text: str) -> str:
        return "".join((text[: self.start], self.piece, text[self.end :]))


def iter_lines(text: str) -> Iterator[tuple[int, str, str]]:
    """Yield (offset, line without its ending, the ending) splitting on ``\\n`` only.

    ``str.splitlines`` would also split on form feeds, ``\\x85`` and U+2028,
    which are user text, not line breaks. A byte-order mark at the start of
    the file belongs to no line (editors on Windows write one): it is kept in
    the file, and the first line is read without it. (One ``str.split`` in C,
    then a walk over its pieces: a third faster than finding each line end,
    on the 340,000 lines of a 10,000-entry journal.)
    """
    pos = 1 if text.startswith(BOM) else 0
    pieces = (text[pos:] if pos else text).split("\n")
    last = pieces.pop()  # what follows the last line break: '' when the text ends with one
    for piece in pieces:
        if piece[-1:] == "\r":
            yield pos, piece[:-1], "\r\n"
        else:
            yield pos, piece, "\n"
        pos += len(piece) + 1
    if last:
        yield pos, last, ""


def newline_of(text: str) -> str:
    """The file's own line ending, so that what we add matches what is there.

    Judged from the head and tail of a large file: a journal's style is set by
    whoever started it, and scanning megabytes on every append would cost more
    than the append.
    """
    if len(text) > 1 << 17:
        text = text[: 1 << 16] + text[-(1 << 16) :]
    if "\r" not in text:
        return "\n"
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"


def canonical(value: str) -> str:
    """The form a value takes in the journal: ``\\n`` line ends, no blank edges.

    Leading blank lines and trailing white space carry no meaning in Markdown and
    cannot survive the file format, so they are dropped before writing. Reading
    a written value gives back exactly ``canonical(value)``.
    """
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    lines = value.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(lines).rstrip()


_FENCE_FIRST = frozenset("`~ ")
_COMMENT_FIRST = frozenset("< ")


class Fences:
    """CommonMark block tracking for what is not structure: code fences, and HTML comments.

    A fence closes with the same char, at least as long; a comment at the
    first line holding ``-->``. Nothing inside either is a heading, a field or
    a bullet: an entry commented out by hand is not an entry.
    """

    def __init__(self) -> None:
        self.open: str | None = None  # the open fence's marker
        self.comment = False  # inside an HTML comment

    def feed(self, line: str) -> bool:
        """Take a line; return True if it is inside (or opens/closes) a fence or a comment."""
        if self.comment:
            if "-->" in line:
                self.comment = False
            return True
        # a fence line starts with a backtick, a tilde or a space: most lines are settled without the regex
        m = FENCE.fullmatch(line) if line[:1] in _FENCE_FIRST else None
        if self.open is None and line[:1] in _COMMENT_FIRST and COMMENT.match(line):
            self.comment = "-->" not in line[line.index("<!--") + 4 :]
            return True
        if self.open is not None:
            if m and m.group(1)[0] == self.open[0] and len(m.group(1)) >= len(self.open) and not m.group(2).strip():
                self.open = None
            return True
        if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
            self.open = m.group(1)
            return True
        return False


def closed_fence_lines(lines: list[str]) -> set[int]:
    """Indexes of lines that belong to a fence that also closes within ``lines``."""
    inside: set[int] = set()
    fences = Fences()
    start = None
    for i, line in enumerate(lines):
        was_open = fences.open is not None
        fences.feed(line)
        if not was_open and fences.open is not None:
            start = i
        elif was_open and fences.open is None:
            inside.update(range(start, i + 1))
    return inside


def is_bullet(line: str) -> bool:
    """``line`` starts a list item (outside a fence: the caller knows)."""
    return line[:1] in BULLET_FIRST and BULLET.match(line) is not None


def indented_field(line: str, after_list: bool) -> re.Match | None:
    """The ``**Field**:`` match of a field line indented right after a list item, else None.

    JupyterLab's editor (and VS Code's) indents the line after a bullet to
    continue the item; a person who then types a field there means a field, not
    more of the item. ``after_list`` says the line before was a list item (or
    such a field): the reader takes the line as its own field, ``check`` names
    it (a renderer puts it inside the item), ``format`` takes the indentation
    away. Anywhere else an indented ``**x**:`` line is text of the value.
    """
    if not after_list or line[:1] not in " \t":
        return None
    return FIELD.fullmatch(line.lstrip(" \t"))


def escape(value: str) -> str:
    """Escape the continuation lines of a canonical value (the first line is safe).

    The first line follows ``**Name**: ``, so it starts no block and is no list
    item; a line inside a fence that closes within the value stays as it is.
    """
    lines = value.split("\n")
    fenced = closed_fence_lines(lines[1:])
    out = lines[:1]
    after_list = False  # the line before (as written) is a list item outside a fence
    for i, line in enumerate(lines[1:]):
        if i in fenced:
            after_list = False
        elif (NEEDS_ESCAPE.match(line) or FIELD.fullmatch(line) or FENCE.fullmatch(line) or COMMENT.match(line)
              or SETEXT.fullmatch(line) or indented_field(line, after_list)):
            line = "\\" + line
            after_list = False
        else:
            after_list = is_bullet(line)
        out.append(line)
    return "\n".join(out)


def unescape(raw: str) -> str:
    """Undo :func:`escape`: drop one backslash from unfenced continuation lines."""
    lines = raw.split("\n")
    fences = Fences()
    out = lines[:1]
    for line in lines[1:]:
        if not fences.feed(line) and line.startswith("\\"):
            line = line[1:]
        out.append(line)
    return "\n".join(out)


def content_end(text: str, start: int, end: int) -> int:
    """Offset just after the last non-blank line in text[start:end] (its line ending included)."""
    last = start
    for offset, line, nl in iter_lines(text[start:end]):
        if line.strip():
            last = start + offset + len(line) + len(nl)
    return last


def close_fence(text: str, newline: str) -> str:
    """A closing line if ``text`` ends inside an unclosed code fence or HTML comment (a hand edit).

    Whatever is added after such a text would be read as code (or be hidden);
    a fence or comment open at the insertion point always runs to the end of
    the file, so closing it there changes nothing before it.
    """
    fences = Fences()
    for _offset, line, _nl in iter_lines(text):
        fences.feed(line)
    if fences.comment:
        return "-->" + newline
    return fences.open[0] * len(fences.open) + newline if fences.open else ""
