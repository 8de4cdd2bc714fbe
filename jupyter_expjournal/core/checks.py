"""``check``: does the journal follow the seed's discipline? For pre-commit and CI.

Each problem names the entry (or line) and what is wrong, so a failing check in
CI reads like a reviewer's comment, not a parser error.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from . import gates
from .journal_format import parse_journal
from .model import ABANDONED, COMPLETED, PLANNED, STATUSES, Draft, Entry, Lessons
from .notices import Notice
from .sweep_evidence import sweeps_of
from .text import BOM, FIELD, Fences, iter_lines


@dataclass(frozen=True)
class Problem:
    where: str  # "journal.md:12" or "lessons.md:3"
    entry: str  # the entry heading, or "" for file-level problems
    message: str
    notice: Notice | None = field(default=None, compare=False)  # when the core said it as a Notice: a face words it

    def __str__(self) -> str:
        return self.words()

    def words(self, vocabulary: Mapping[str, str] | None = None) -> str:
        """The problem, its ways out (if any) in a face's words."""
        about = f" '{self.entry}'" if self.entry else ""
        message = self.notice.words(vocabulary) if self.notice is not None and vocabulary is not None else self.message
        return f"{self.where}:{about} {message}"


_counted = threading.local()  # (text, offset, its line) last counted, in this thread


def _line_no(text: str, offset: int) -> int:
    """The line ``offset`` is on, counted on from the offset asked last when it is further on in the same text.

    A check asks entry after entry, in file order: one pass over the file, not
    one count from the top per entry (1,000 entries took 0.3 s that way).
    """
    last = getattr(_counted, "last", None)
    if last is not None and last[0] is text and last[1] <= offset:
        line = last[2] + text.count("\n", last[1], offset)
    else:
        line = text.count("\n", 0, offset) + 1
    _counted.last = (text, offset, line)
    return line


#: A line that may be a field indented after a list item: most journals hold none, and need no second parse.
_MAYBE_INDENTED = re.compile(r"\n[ \t]+\*\*[^*\r\n]+?\*\*:")


def _indented_fields(text: str, entries: list[Entry], name: str) -> list[Problem]:
    """Field lines indented right after a list item: read as fields, rendered inside the item."""
    if not _MAYBE_INDENTED.search(text):
        return []
    starts: list[tuple[int, int]] = []
    parse_journal(text, starts)
    problems = []
    heads = [e.span[0] for e in entries]
    for offset, indent in starts:
        if indent:
            entry = entries[bisect.bisect_right(heads, offset) - 1] if heads and heads[0] <= offset else None
            end = text.find("\n", offset)
            field = FIELD.fullmatch(text[offset + indent : end if end >= 0 else len(text)].rstrip("\r"))
            label = f"**{field.group(1).strip()}**" if field else "a field"
            problems.append(Problem(f"{name}:{_line_no(text, offset)}", entry.heading if entry else "",
                                    f"{label} is indented under a list item: it is read as a field of its own, but"
                                    " Markdown shows it inside the item; remove the indentation and leave a blank line"
                                    " before it"))
    return problems


#: A line git's conflict markers begin (any marker size): a merge left an entry in two versions.
_MARKERS = re.compile(r"^(?:<{7,} |<{7,}$|={7,}$|>{7,} |>{7,}$|\|{7,} |\|{7,}$)", re.M)


def _conflict_markers(text: str, entries: list[Entry], name: str) -> list[Problem]:
    """Each entry a merge left between conflict markers (journal.md's merge driver puts them around one entry)."""
    if "\n<<<<<<<" not in text and not text.startswith("<<<<<<<"):
        return []
    problems, named = [], set()
    heads = [e.span[0] for e in entries]
    fences = Fences()
    for offset, line, _nl in iter_lines(text):
        if fences.feed(line) or not line.startswith("<<<<<<<") or not _MARKERS.match(line):
            continue
        after = bisect.bisect_left(heads, offset)  # the entry the markers open before
        entry = entries[after] if after < len(entries) else (entries[-1] if entries else None)
        heading = entry.heading if entry else ""
        if heading not in named:
            named.add(heading)
            problems.append(Problem(f"{name}:{_line_no(text, offset)}", heading,
                                    "is between conflict markers (<<<<<<< ... >>>>>>>) left by a merge: keep one version"
                                    " and delete the marker lines"))
    return problems


def _sweep_points(text: str, entries: list[Entry], name: str) -> list[Problem]:
    """Points of a completed sweep whose values its plan never listed (run after the values were fixed)."""
    problems = []
    for found in sweeps_of(entries):
        if found.result.unplanned:
            key, plan = found.key, ", ".join(found.result.sweep.values)
            values = ", ".join(f"{key}={v}" for v in found.result.unplanned)
            problems.append(Problem(f"{name}:{_line_no(text, found.entry.span[0])}", found.entry.heading,
                                    f"logged {values}, which its sweep never planned (planned: {plan}): the values"
                                    " of a sweep are fixed before it runs; plan a new sweep for the others"))
    return problems


def check_journal(text: str, entries: list[Entry], name: str = "journal.md") -> list[Problem]:
    """The seed's mistakes, entry by entry, and headings the reader could not take as entries."""
    try:
        return _check_journal(text, entries, name)
    finally:
        _counted.last = None  # the line count keeps no journal text alive


#: How a line starts that can open or close a code fence or an HTML comment (what :class:`Fences` tracks), or be a
#: heading or a field without a colon; every other line leaves the tracker as it was and is no problem.
_MATTERS = r" {0,3}(?:```|~~~|<!--)|### |\*\*[^*\n]+\*\*[^\S\n]"
_MATTERS_AFTER_NEWLINE = re.compile(rf"\n(?:{_MATTERS})")  # a literal first character: the fast search of re
_MATTERS_HERE = re.compile(_MATTERS)


def _lines_that_matter(text: str) -> Iterator[tuple[int, str]]:
    """(offset, line) of each line that :data:`_MATTERS` or that holds ``-->`` (a comment's end), in file order.

    Finding them is a search in C; walking all 34,000 lines of a 1,000-entry journal through the fence
    tracker was most of a check (the MCP tool's 50 ms). Lines are cut as :func:`iter_lines` cuts them.
    """
    pos = 1 if text.startswith(BOM) else 0
    first_end = text.find("\n")
    found = {m.start() + 1 for m in _MATTERS_AFTER_NEWLINE.finditer(text)}
    if _MATTERS_HERE.match(text, pos, first_end if first_end >= 0 else len(text)):
        found.add(pos)
    end = text.find("-->", pos)
    while end >= 0:
        found.add(max(text.rfind("\n", 0, end) + 1, pos))
        after = text.find("\n", end)
        end = text.find("-->", after) if after >= 0 else -1
    for offset in sorted(found):
        stop = text.find("\n", offset)
        line = text[offset : len(text) if stop < 0 else stop]
        yield offset, line[:-1] if line.endswith("\r") else line


def _check_journal(text: str, entries: list[Entry], name: str) -> list[Problem]:
    problems = []
    fences = Fences()
    starts = {e.span[0] for e in entries}
    for offset, line in _lines_that_matter(text):
        if fences.feed(line):
            continue
        if line.startswith("### ") and offset not in starts:
            problems.append(Problem(f"{name}:{_line_no(text, offset)}", "",
                                    f"heading {line!r} is not read as an entry (expected '### YYYY-MM-DD HH:MM — name')"))
        elif line.startswith("**") and not FIELD.fullmatch(line) and re.match(r"\*\*[^*]+\*\*\s", line):
            problems.append(Problem(f"{name}:{_line_no(text, offset)}", "",
                                    f"{line[:40]!r} looks like a field but has no colon after the name"))
    problems += _indented_fields(text, entries, name)
    problems += _conflict_markers(text, entries, name)
    problems += _sweep_points(text, entries, name)
    first_with: dict[str, Entry] = {}
    for entry in entries:
        where = f"{name}:{_line_no(text, entry.span[0])}"

        def say(msg: str, where: str = where, heading: str = entry.heading) -> None:
            problems.append(Problem(where, heading, msg))

        if entry.id:
            earlier = first_with.setdefault(entry.id, entry)
            if earlier is not entry:  # a copied entry: a result could not tell the two apart
                say(f"has the id {entry.id} of '{earlier.name}' ({earlier.timestamp}): give it a new one"
                    " (8 hex digits after 'id ' in its **Provenance**) or remove it")
        for field_name in dict.fromkeys(entry.repeated):
            say(f"has more than one **{field_name}** line: the first is read, the others are ignored")
        status = entry.status
        if not status:
            say("has no **Status**")
        elif status not in STATUSES:
            say(f"has an unknown status {status!r} (PLANNED, COMPLETED or ABANDONED)")
        if entry.get("Logged").startswith("retrospectively"):
            say("was logged after the run: no hypothesis was written first")
        elif not entry.hypothesis.strip():
            say("has no hypothesis")
        draft = Draft(entry.name, entry.hypothesis, entry.change, entry.config, entry.expected, entry.baseline)
        many = gates.several_swept(draft) or gates.too_many_variables(draft)
        if many:
            say(str(many))
        if status in (PLANNED, COMPLETED) and gates.missing_baseline(draft):
            say("records no baseline")
        if status == COMPLETED:
            if not entry.learning.strip():
                say("is COMPLETED without a learning")
            if not entry.actual.strip():
                say("is COMPLETED without an actual outcome")
        if status == ABANDONED and not entry.actual.strip():
            say("is ABANDONED without saying why")
    return problems


def check_lessons(
    text: str,
    lessons: Lessons,
    entries: list[Entry],
    lessons_mtime: float | None,
    name: str = "lessons.md",
) -> list[Problem]:
    """Malformed lessons and rules, and lessons not distilled for too long."""
    problems = []
    for lesson in lessons.lessons:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", lesson.date):
            problems.append(Problem(f"{name}:{_line_no(text, lesson.span[0])}", "",
                                    f"lesson {lesson.text[:40]!r} has no date (- YYYY-MM-DD context: lesson)"))
    for rule in lessons.rules:
        if not rule.date:
            problems.append(Problem(f"{name}:{_line_no(text, rule.span[0])}", "",
                                    f"rule {rule.text[:40]!r} has no 'Learned: YYYY-MM-DD'"))
    due = gates.lessons_reminder(gates.completed_since_lessons(entries, lessons, lessons_mtime))
    if due:
        problems.append(Problem(name, "", str(due), due))
    return problems
