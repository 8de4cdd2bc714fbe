"""Byte-preserving reader and writer for journal.md and lessons.md.

The Markdown files belong to the user: they read them, edit them by hand and
commit them. So the reader never normalises a file, and the writer only ever
(a) appends a new entry or lesson, or (b) splices new text into one entry. Every
byte outside that splice (text before the first entry, unknown ``**Fields**``,
blank lines, CRLF endings, code fences, a missing final newline) stays as it was.

User text is escaped on write so that reading gives back exactly what was
written: a value line that starts with ``#``, ``**``, a backslash, or an
unclosed code fence gets one leading backslash, which the reader removes. Lines
inside a balanced code fence are left alone, so pasted code stays code.
"""

from __future__ import annotations

import re
from typing import Iterator

from .model import ABSENT, ConfigItem, Entry, Lesson, Lessons, Rule

HEADING = re.compile(r"### (\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?)[ \t]+(?:—|–|--?)[ \t]+(.*?)[ \t]*")
FIELD = re.compile(r"\*\*([^*\r\n]+?)\*\*:(?: |\t)?(.*)", re.S)
FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")
ARROW = re.compile(r"\s*(?:→|->)\s*")
#: Lines of user text that would read as structure (or as an escape) at the start of a line.
NEEDS_ESCAPE = re.compile(r"[\\#]")

__all__ = [
    "parse_journal",
    "extend_journal",
    "parse_config",
    "parse_change",
    "parse_lessons",
    "render_entry",
    "splice_result",
    "add_bullet",
    "render_fields",
    "render_lesson",
    "render_rule",
    "escape",
    "unescape",
    "canonical",
    "newline_of",
]


# -- lines -----------------------------------------------------------------

def iter_lines(text: str) -> Iterator[tuple[int, str, str]]:
    """Yield (offset, line without its ending, the ending) splitting on ``\\n`` only.

    ``str.splitlines`` would also split on form feeds, ``\\x85`` and U+2028,
    which are user text, not line breaks.
    """
    pos, n = 0, len(text)
    while pos < n:
        nl = text.find("\n", pos)
        if nl < 0:
            yield pos, text[pos:], ""
            return
        if nl > pos and text[nl - 1] == "\r":
            yield pos, text[pos : nl - 1], "\r\n"
        else:
            yield pos, text[pos:nl], "\n"
        pos = nl + 1


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


class _Fences:
    """CommonMark fence tracking: a fence closes with the same char, at least as long."""

    def __init__(self) -> None:
        self.open: str | None = None

    def feed(self, line: str) -> bool:
        """Take a line; return True if it is inside (or opens/closes) a fence."""
        # a fence line starts with a backtick, a tilde or a space: most lines are settled without the regex
        m = FENCE.fullmatch(line) if line[:1] in _FENCE_FIRST else None
        if self.open is not None:
            if m and m.group(1)[0] == self.open[0] and len(m.group(1)) >= len(self.open) and not m.group(2).strip():
                self.open = None
            return True
        if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
            self.open = m.group(1)
            return True
        return False


def _closed_fence_lines(lines: list[str]) -> set[int]:
    """Indexes of lines that belong to a fence that also closes within ``lines``."""
    inside: set[int] = set()
    fences = _Fences()
    start = None
    for i, line in enumerate(lines):
        was_open = fences.open is not None
        fences.feed(line)
        if not was_open and fences.open is not None:
            start = i
        elif was_open and fences.open is None:
            inside.update(range(start, i + 1))
    return inside


def escape(value: str) -> str:
    """Escape the continuation lines of a canonical value (the first line is safe)."""
    lines = value.split("\n")
    fenced = _closed_fence_lines(lines[1:])
    out = lines[:1]
    for i, line in enumerate(lines[1:]):
        if i not in fenced and (NEEDS_ESCAPE.match(line) or FIELD.fullmatch(line) or FENCE.fullmatch(line)):
            line = "\\" + line
        out.append(line)
    return "\n".join(out)


def unescape(raw: str) -> str:
    """Undo :func:`escape`: drop one backslash from unfenced continuation lines."""
    lines = raw.split("\n")
    fences = _Fences()
    out = lines[:1]
    for line in lines[1:]:
        if not fences.feed(line) and line.startswith("\\"):
            line = line[1:]
        out.append(line)
    return "\n".join(out)


# -- journal.md ------------------------------------------------------------

def parse_journal(text: str) -> list[Entry]:
    """Read every ``### date — name`` entry; everything else is left to the file."""
    entries: list[Entry] = []
    fences = _Fences()
    current: Entry | None = None
    field_name: str | None = None
    field_lines: list[str] = []

    def close_field() -> None:
        if current is not None and field_name is not None:
            current.fields[field_name] = _field_value(field_lines)

    for offset, line, _end in iter_lines(text):
        if fences.feed(line):
            if field_name is not None:
                field_lines.append(line)
            continue
        heading = HEADING.fullmatch(line) if line.startswith("### ") else None
        if heading:
            close_field()
            if current is not None:
                current.span = (current.span[0], offset)
            current = Entry(heading.group(1), heading.group(2), span=(offset, len(text)), index=len(entries))
            entries.append(current)
            field_name, field_lines = None, []
            continue
        if current is None:
            continue
        m = FIELD.fullmatch(line) if line.startswith("**") else None
        if m:
            close_field()
            field_name, field_lines = m.group(1).strip(), [m.group(2)]
        elif field_name is not None:
            field_lines.append(line)
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
    start = entries[keep].span[0] if keep < len(entries) else entries[-1].span[1]
    tail = parse_journal(text[start:])
    for entry in tail:
        entry.span = (entry.span[0] + start, entry.span[1] + start)
        entry.index += keep
    return entries[:keep] + tail


def _field_value(lines: list[str]) -> str:
    if len(lines) == 1 and "\r" not in lines[0]:  # most values: what canonical(unescape(...)) gives, cheaply
        return lines[0].rstrip()
    return canonical(unescape("\n".join(lines)))


def parse_config(value: str) -> list[ConfigItem]:
    """Read ``- key: old → new`` / ``- key: value (unchanged)`` bullets."""
    items = []
    for line in value.split("\n"):
        m = re.fullmatch(r"\s*[-*+]\s+(.+?):(?:\s+(.*?))?\s*", line)
        if not m:
            continue
        key, rest = m.group(1).strip(), (m.group(2) or "")
        if rest.endswith("(unchanged)"):
            items.append(ConfigItem.same(key, rest[: -len("(unchanged)")].rstrip()))
            continue
        parts = ARROW.split(rest, maxsplit=1)
        if len(parts) == 2:
            old, new = (None if p.strip() == ABSENT else p.strip() for p in parts)
            items.append(ConfigItem.change(key, old, new))
        else:
            items.append(ConfigItem.same(key, rest))
    return items


def parse_change(text: str) -> list[ConfigItem]:
    """Read a Change field such as ``lr 1e-3 → 3e-4`` or ``C: 1 -> 10, gamma: a -> b``."""
    items = []
    for part in re.split(r"[;,]\s+|\n", text):
        m = re.fullmatch(r"\s*([\w.\-/\[\]]+)\s*:?\s+(.+?)\s*(?:→|->)\s*(.+?)\s*", part)
        if m:
            old = None if m.group(2) == ABSENT else m.group(2)
            new = None if m.group(3) == ABSENT else m.group(3)
            items.append(ConfigItem.change(m.group(1), old, new))
    return items


def render_config(items: list[ConfigItem]) -> str:
    lines = []
    for item in items:
        if item.changed:
            old = ABSENT if item.old is None else item.old
            new = ABSENT if item.new is None else item.new
            lines.append(f"- {item.key}: {old} → {new}")
        else:
            lines.append(f"- {item.key}: {item.value} (unchanged)")
    return "\n".join(lines)


def render_fields(fields: list[tuple[str, str]], newline: str = "\n") -> str:
    """``**Name**: value`` lines for each non-empty value, each ending in ``newline``."""
    out = []
    for name, value in fields:
        value = canonical(value)
        if not value:
            continue
        if name == "Config":
            out.append(f"**{name}**:\n{value}")
        else:
            out.append(f"**{name}**: {escape(value)}")
    return "".join(chunk.replace("\n", newline) + newline for chunk in out)


def render_entry(timestamp: str, name: str, fields: list[tuple[str, str]], newline: str = "\n") -> str:
    """A whole new entry: heading line and fields."""
    return f"### {timestamp} — {name}{newline}" + render_fields(fields, newline)


# -- lessons.md ------------------------------------------------------------

LESSON = re.compile(r"(\d{4}-\d{2}-\d{2})[ \t]+(.*)", re.S)
RULE = re.compile(
    r"(NEVER|ALWAYS)\s+(.*?)(?:\s+(because|when)\s+(.*?))?\.?\s+Learned:\s*(\S*)\s*",
    re.S,
)
SOURCE = " Source: "


def parse_lessons(text: str) -> Lessons:
    """Lessons and rules, wherever their bullets sit under ``## Lessons`` / ``## Rules``."""
    result = Lessons(text=text)
    section = ""
    item: list = []  # [start, lines]

    def close_item(end: int) -> None:
        if not item:
            return
        start, lines = item
        body = canonical(unescape("\n".join(lines)))
        span = (start, end)
        if section.startswith("rule"):
            m = RULE.fullmatch(body)
            if m:
                result.rules.append(Rule(m.group(1), m.group(2), m.group(4) or "", m.group(3) or "", m.group(5), span))
            else:
                kind, _, rest = body.partition(" ")
                if kind in ("NEVER", "ALWAYS"):
                    result.rules.append(Rule(kind, rest, span=span))
        elif section.startswith("lesson"):
            m = LESSON.fullmatch(body)
            date, rest = (m.group(1), m.group(2)) if m else ("", body)
            lesson_text, sep, source = rest.rpartition(SOURCE)
            if not sep:
                lesson_text, source = rest, ""
            result.lessons.append(Lesson(date, lesson_text.strip(), source.strip(), span))
        item.clear()

    fences = _Fences()
    for offset, line, end in iter_lines(text):
        if fences.feed(line):
            if item:
                item[1].append(line)
            continue
        if line.startswith("## "):
            close_item(offset)
            section = line[3:].strip().lower()
        elif line.startswith("- ") or line.startswith("* "):
            close_item(offset)
            item.extend([offset, [line[2:]]])
        elif item and (line.startswith("  ") or line == ""):
            item[1].append(line[2:])
        else:
            close_item(offset)
    close_item(len(text))
    # An item's span ends after its last non-blank line, not at the next blank.
    for thing in (*result.lessons, *result.rules):
        start, end = thing.span
        body = text[start:end]
        stripped = body.rstrip("\r\n ")
        thing.span = (start, start + len(stripped) + _line_end_len(body, len(stripped)))
    return result


def _line_end_len(body: str, at: int) -> int:
    if body.startswith("\r\n", at):
        return 2
    return 1 if body.startswith("\n", at) else 0


def _bullet(text: str, newline: str) -> str:
    value = escape(canonical(text))
    first, *rest = value.split("\n")
    lines = [f"- {first}"] + [f"  {line}" if line else "" for line in rest]
    return newline.join(lines) + newline


def render_lesson(date: str, text: str, source: str = "", newline: str = "\n") -> str:
    body = canonical(text)
    if source.strip():
        body = f"{body}{SOURCE}{canonical(source)}"
    return _bullet(f"{date} {body}", newline)


def render_rule(kind: str, action: str, reason: str = "", connective: str = "because", date: str = "", newline: str = "\n") -> str:
    sentence = f"{kind} {canonical(action)}"
    if reason.strip():
        sentence += f" {connective} {canonical(reason)}"
    return _bullet(f"{sentence.rstrip('.')}. Learned: {date}", newline)


# -- edits -----------------------------------------------------------------

def _content_end(text: str, start: int, end: int) -> int:
    """Offset just after the last non-blank line in text[start:end] (its line ending included)."""
    last = start
    for offset, line, nl in iter_lines(text[start:end]):
        if line.strip():
            last = start + offset + len(line) + len(nl)
    return last


def splice_result(text: str, entry: Entry, status: str, fields: list[tuple[str, str]]) -> str:
    """Set an entry's Status in place and add ``fields`` at the end of that entry only."""
    newline = newline_of(text)
    start, end = entry.span
    block = text[start:end]
    status_done = False
    pieces: list[str] = []
    fences = _Fences()
    for offset, line, nl in iter_lines(block):
        if not fences.feed(line) and not status_done:
            m = FIELD.fullmatch(line)
            if m and m.group(1).strip().casefold() == "status":
                prefix = line[: len(line) - len(m.group(2))]
                line = prefix.rstrip() + " " + status
                status_done = True
        pieces.append(line + nl)
    block = "".join(pieces)
    if not status_done:  # a hand-written entry without a Status: add one under the heading
        heading_end = block.find("\n") + 1 or len(block)
        if heading_end == len(block) and not block.endswith("\n"):
            block += newline
            heading_end = len(block)
        block = block[:heading_end] + f"**Status**: {status}{newline}" + block[heading_end:]
    cut = _content_end(block, 0, len(block))
    head, tail = block[:cut], block[cut:]
    missing_final_newline = not head.endswith("\n")
    if missing_final_newline:
        head += newline
    # A hand edit may have left a code fence open to the end of the file: close
    # it, or the fields we add would be read as code and the result lost.
    added = _close_fence(head, newline) + render_fields(fields, newline)
    if missing_final_newline and end == len(text) and not tail:
        added = added[: -len(newline)]
    return "".join((text[:start], head, added, tail, text[end:]))  # one copy of a large journal, not four


def add_bullet(text: str, bullet: str, section: str) -> str:
    """Add a rendered bullet at the end of the ``## Lessons`` or ``## Rules`` section.

    ``section`` is "lessons" or "rules". A missing section is created (Lessons
    before Rules, as the seed orders them).
    """
    newline = newline_of(text) if text else "\n"
    bullet = bullet.replace("\r\n", "\n").replace("\n", newline)
    headings: list[tuple[str, int]] = []
    fences = _Fences()
    for offset, line, _nl in iter_lines(text):
        if not fences.feed(line) and line.startswith("## "):
            headings.append((line[3:].strip().lower(), offset))
    for i, (title, offset) in enumerate(headings):
        if title.startswith(section[:-1]):
            end = headings[i + 1][1] if i + 1 < len(headings) else len(text)
            cut = _content_end(text, offset, end)
            head = text[:cut] if text[:cut].endswith("\n") else text[:cut] + newline
            return head + _close_fence(head, newline) + bullet + text[cut:]
    title = "## Lessons" if section == "lessons" else "## Rules (hard-won)"
    block = f"{title}{newline}{bullet}"
    if section == "lessons":
        for other, offset in headings:
            if other.startswith("rule"):
                return text[:offset] + block + newline + text[offset:]
    if text and not text.endswith("\n"):
        text += newline
    text += _close_fence(text, newline)
    if text.strip():
        text += newline
    return text + block


def _close_fence(text: str, newline: str) -> str:
    """A closing fence line if ``text`` ends inside an unclosed code fence (a hand edit).

    Whatever is added after such a text would be read as code; a fence open at
    the insertion point always runs to the end of the file, so closing it there
    changes nothing before it.
    """
    fences = _Fences()
    for _offset, line, _nl in iter_lines(text):
        fences.feed(line)
    return fences.open[0] * len(fences.open) + newline if fences.open else ""
