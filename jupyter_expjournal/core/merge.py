"""Three-way merges of journal.md and lessons.md, entry by entry: what git's merge driver runs.

Two people who log experiments on their own branches both append to the end
of journal.md, so a line-based merge sees two edits at one place and stops
with conflict markers, and git's ``union`` driver keeps both Status lines of
an entry completed on both sides. A journal is a list of entries, each with
an identity (:func:`~.identity.ref`: the id in its Provenance, else its
heading), so it merges as one:

- an entry is taken whole, byte for byte, from the side that changed it (a
  result logged, a hand edit); changed on both sides alike, once; changed
  differently on both sides, it is the one conflict, with markers around that
  entry alone;
- an entry removed on one side and untouched on the other stays removed;
- entries added on either side are all kept, after the entries both sides
  share, in time order (each side's own order kept: a merge of two sorted
  lists);
- an entry that one side only laid out anew with ``format`` (blank lines
  between fields, nothing a reader sees) and the other changed takes the
  other side's change, laid out as ``format`` lays it out;
- the text before the first entry (the preamble), and a byte-order mark,
  merge as lines do, with the caller's line merge (git's own, in the driver);
  a file where no version holds an entry is all preamble: a line merge, said
  in ``note``.

lessons.md merges by bullet: the lessons and rules either side added are kept
once each, in their sections; one removed on one side and untouched on the
other stays removed. Anything else changed on both sides is the caller's line
merge of the whole file. What cannot be read (not UTF-8) is for the caller to
merge as git would: :class:`Unreadable`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import JournalError
from .identity import ref
from .journal_format import parse_journal
from .lessons_format import add_bullet, parse_lessons
from .reformat import journal_formatted
from .text import newline_of

BOM = "\ufeff"
MARKER = 7  # git's conflict-marker-size

#: ``line_merge(base, ours, theirs)`` -> (merged text, whether it holds conflicts): git's three-way merge of lines.
LineMerge = Callable[[str, str, str], tuple[str, bool]]


class Unreadable(ValueError):
    """A version that this merge cannot read as text: the caller merges the files as git would."""


@dataclass
class Merged:
    """The merged text, and what it says about itself."""

    text: str
    conflicts: list[str] = field(default_factory=list)  # the entries (or "the preamble", "lessons.md") left with markers
    added: int = 0  # entries, lessons or rules taken from the other side
    note: str = ""  # how it was merged, when not entry by entry


def decode(data: bytes, what: str) -> str:
    """The text of one version, or :class:`Unreadable` naming it."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unreadable(f"{what} is not UTF-8 text (byte {exc.start})") from None


def simple(base: str, ours: str, theirs: str) -> str | None:
    """The merge when at most one side changed ``base``; None when both did, differently."""
    if ours == theirs or theirs == base:
        return ours
    if ours == base:
        return theirs
    return None


def markers(ours: str, theirs: str, newline: str, labels: tuple[str, str] = ("ours", "theirs"), size: int = MARKER) -> str:
    """Both versions between git's conflict markers (each ends its line first)."""
    def ended(text: str) -> str:
        return text if not text or text.endswith("\n") else text + newline

    return (f"{'<' * size} {labels[0]}{newline}{ended(ours)}{'=' * size}{newline}"
            f"{ended(theirs)}{'>' * size} {labels[1]}{newline}")


def _unmerged(base: str, ours: str, theirs: str) -> tuple[str, bool]:
    """The line merge used when the caller has none: both versions between markers."""
    done = simple(base, ours, theirs)
    if done is not None:
        return done, False
    return markers(ours, theirs, newline_of(ours) or "\n"), True


@dataclass
class _Chunk:
    key: tuple[str, int]  # (ref, which of the entries with that ref, in file order)
    stamp: str
    name: str
    text: str  # exactly as the file has it, the blank lines after it included

    @property
    def body(self) -> str:
        """What is compared: the entry without the blank lines after it (an append adds one to the last entry)."""
        return self.text.rstrip(" \t\r\n")


def _split(text: str) -> tuple[str, list[_Chunk]]:
    """The preamble, and each entry's exact text (its trailing blank lines included)."""
    entries = parse_journal(text)
    if not entries:
        return text, []
    seen: dict[str, int] = {}
    chunks = []
    for i, entry in enumerate(entries):
        start = entry.span[0]
        end = entries[i + 1].span[0] if i + 1 < len(entries) else len(text)
        key = ref(entry)
        seen[key] = seen.get(key, -1) + 1
        chunks.append(_Chunk((key, seen[key]), entry.timestamp, entry.name, text[start:end]))
    return text[: entries[0].span[0]], chunks


def _join(parts: list[str], newline: str) -> str:
    """Entries one after another, each separated from the next by a blank line (added only where one is missing)."""
    out: list[str] = []
    for part in parts:
        if out:
            last = out[-1]
            if not last.endswith("\n"):
                out[-1] = last = last + newline
            if not (last.endswith("\n\n") or last.endswith("\r\n\r\n")) and not part.startswith(("\n", "\r\n")):
                out[-1] = last + newline
        out.append(part)
    return "".join(out)


def _by_time(ours: list[_Chunk], theirs: list[_Chunk]) -> list[_Chunk]:
    """Both lists as one in time order, each keeping its own order (ours first at the same minute)."""
    out, i, j = [], 0, 0
    while i < len(ours) and j < len(theirs):
        if theirs[j].stamp < ours[i].stamp:
            out.append(theirs[j])
            j += 1
        else:
            out.append(ours[i])
            i += 1
    return out + ours[i:] + theirs[j:]


def _ended(chunk: _Chunk | None, newline: str) -> str:
    """An entry as it stands between conflict markers: its lines, no blank lines after them."""
    return chunk.body + newline if chunk is not None and chunk.body else ""


def _describe(chunk: _Chunk) -> str:
    key = chunk.key[0]
    return f"'{chunk.name}' ({key})" if not key.startswith(chunk.stamp) else f"'{chunk.name}' ({chunk.stamp})"


def _formatted(text: str) -> str | None:
    """``text`` as ``format`` lays it out; None when format would refuse it."""
    try:
        return journal_formatted(text)[0]
    except JournalError:
        return None


def _laid_out(b: _Chunk | None, o: _Chunk | None, t: _Chunk | None) -> str | None:
    """When one side only ran ``format`` on an entry the other side changed: the other side's entry, laid out alike.

    format changes the layout between fields and nothing a reader sees, so
    this is no conflict of content; None when it is one.
    """
    if b is None or o is None or t is None:
        return None
    laid = _formatted(b.text)
    if laid is None or laid == b.text:
        return None
    for formatted_side, other in ((o, t), (t, o)):
        if formatted_side.body == laid.rstrip(" \t\r\n"):
            return _formatted(other.text)
    return None


def merge_journal(base: str, ours: str, theirs: str, line_merge: LineMerge | None = None,
                  labels: tuple[str, str] = ("ours", "theirs"), size: int = MARKER) -> Merged:
    """journal.md merged entry by entry (see the module's docstring)."""
    marked = [t.startswith(BOM) for t in (base, ours, theirs)]
    bom = marked[1] if marked[1] != marked[0] else marked[2]  # the mark merges as a line would: the side that changed it
    base, ours, theirs = (t[1:] if t.startswith(BOM) else t for t in (base, ours, theirs))
    newline = newline_of(ours) or newline_of(theirs) or "\n"
    b_pre, b_chunks = _split(base)
    o_pre, o_chunks = _split(ours)
    t_pre, t_chunks = _split(theirs)
    b_map = {c.key: c for c in b_chunks}
    o_map = {c.key: c for c in o_chunks}
    t_map = {c.key: c for c in t_chunks}
    merged = Merged("")
    preamble, conflicted = (line_merge or _unmerged)(b_pre, o_pre, t_pre)
    if not (b_chunks or o_chunks or t_chunks):
        merged.note = "not a journal (no entries in any version): merged line by line"
    if conflicted:
        merged.conflicts.append("the preamble" if merged.note == "" else "the file (it holds no entries)")

    def both(o: _Chunk | None, t: _Chunk | None, b: _Chunk | None) -> str:
        """One entry from its three versions (None: not in that version)."""
        bodies = [c.body if c is not None else None for c in (b, o, t)]
        if bodies[1] == bodies[2] or bodies[2] == bodies[0]:
            return o.text if o is not None else ""
        if bodies[1] == bodies[0]:
            return t.text if t is not None else ""
        laid_out = _laid_out(b, o, t)
        if laid_out is not None:
            return laid_out
        merged.conflicts.append(_describe(o or t))
        return markers(_ended(o, newline), _ended(t, newline), newline, labels, size)

    # ours' entries up to the last one the base has too: each merged, in ours' order (one ours added among
    # them stays where ours put it)
    last_shared = max((i for i, c in enumerate(o_chunks) if c.key in b_map), default=-1)
    head = [both(c, t_map.get(c.key), b_map.get(c.key)) for c in o_chunks[: last_shared + 1]]
    for chunk in b_chunks:  # removed by ours: gone, unless theirs changed it (a conflict)
        if chunk.key not in o_map:
            head.append(both(None, t_map.get(chunk.key), chunk))
    # then what either side added, in time order
    ours_new = o_chunks[last_shared + 1 :]
    theirs_new = [c for c in t_chunks if c.key not in b_map and c.key not in o_map]
    tail = []
    for chunk in _by_time(ours_new, theirs_new):
        if o_map.get(chunk.key) is chunk:
            tail.append(both(chunk, t_map.get(chunk.key), None))  # added on both sides: once, or a conflict
        else:
            tail.append(chunk.text)
            merged.added += 1
    entries = _join([text for text in head + tail if text], newline)
    if entries and preamble and not preamble.endswith("\n"):
        preamble += newline
    if entries and preamble.strip() and not preamble.endswith(("\n\n", "\r\n\r\n")):
        preamble += newline
    merged.text = (BOM if bom else "") + preamble + entries
    return merged


def merge_lessons(base: str, ours: str, theirs: str, line_merge: LineMerge | None = None) -> Merged:
    """lessons.md merged bullet by bullet where only bullets changed; else by the line merge, said in ``note``."""
    done = simple(base, ours, theirs)
    if done is not None:
        return Merged(done)
    versions = [parse_lessons(t) for t in (base, ours, theirs)]

    def items(lessons) -> dict[str, tuple[str, tuple[int, int]]]:
        """Each bullet by its exact text: (its section, its span)."""
        out = {}
        for section, things in (("lessons", lessons.lessons), ("rules", lessons.rules)):
            for thing in things:
                out.setdefault(lessons.text[thing.span[0] : thing.span[1]], (section, thing.span))
        return out

    def skeleton(text: str, found: dict) -> str:
        """The file without its bullets: what must agree for a merge by bullet."""
        spans = sorted(span for _, span in found.values())
        out, at = [], 0
        for start, end in spans:
            out.append(text[at:start])
            at = end
        return "".join(out) + text[at:]

    b_items, o_items, t_items = (items(v) for v in versions)
    shapes = [skeleton(t, i) for t, i in ((base, b_items), (ours, o_items), (theirs, t_items))]
    if shapes[1] == shapes[0] or shapes[1] == shapes[2]:
        start, start_items, other_items = ours, o_items, t_items
    elif shapes[2] == shapes[0]:
        start, start_items, other_items = theirs, t_items, o_items
    else:
        text, conflicted = (line_merge or _unmerged)(base, ours, theirs)
        return Merged(text, ["lessons.md"] if conflicted else [],
                      note="merged line by line: both sides changed more than bullets")
    gone = sorted((span for bullet, (_, span) in start_items.items() if bullet in b_items and bullet not in other_items),
                  reverse=True)
    text = start
    for begin, end in gone:  # removed on the other side, untouched here
        text = text[:begin] + text[end:]
    newline = newline_of(start) or "\n"
    added = 0
    for bullet, (section, _) in other_items.items():
        if bullet not in start_items and bullet not in b_items:
            text = add_bullet(text, bullet if bullet.endswith("\n") else bullet + newline, section)
            added += 1
    return Merged(text, added=added)
