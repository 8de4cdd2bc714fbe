"""Text and HTML views of entries, gates and reviews, shared by every face.

Text for terminals and logs; HTML for notebooks. All user text goes through
``html.escape``: a hypothesis is data, never markup.
"""

from __future__ import annotations

from html import escape

from .core.gates import GateReport
from .core.journal import Review
from .core.model import Entry, Lessons

STATUS_COLORS = {"PLANNED": "#b26b00", "COMPLETED": "#1a7f37", "ABANDONED": "#6e7781"}


def first_line(text: str, width: int = 100) -> str:
    """A value on one line (line breaks folded), cut to ``width`` with an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def entry_lines(entry: Entry) -> list[str]:
    """The facts of one entry that a review shows, as (label, value) text lines."""
    rows = [f"[{entry.status or '?'}] {entry.name} ({entry.timestamp})"]
    for label, value in (
        ("hypothesis", entry.hypothesis),
        ("change", entry.change),
        ("expected", entry.expected),
        ("baseline", entry.baseline),
        ("actual", entry.summary_outcome()),
        ("delta", entry.delta),
        ("learning", entry.learning),
        ("next", entry.next),
    ):
        if value.strip():
            rows.append(f"    {label}: {first_line(value, 160)}")
    return rows


def lessons_lines(lessons: Lessons, limit: int | None = None) -> list[str]:
    rows = []
    items = lessons.lessons[-limit:] if limit else lessons.lessons
    for lesson in items:
        source = f" (source: {first_line(lesson.source, 60)})" if lesson.source else ""
        rows.append(f"  - {lesson.date} {first_line(lesson.text, 140)}{source}")
    rules = lessons.rules[-limit:] if limit else lessons.rules
    for rule in rules:
        rows.append(f"  - {first_line(rule.text, 140)}")
    return rows


def review_text(review: Review) -> str:
    counts = ", ".join(f"{n} {s.lower()}" for s, n in review.counts.items() if n)
    out = [f"Journal: {review.directory / 'journal.md'} ({len(review.entries)} entries{': ' + counts if counts else ''})"]
    if review.open:
        out.append("")
        out.append("Open experiments:")
        out.extend(f"  - {e.name} ({e.timestamp})" for e in review.open)
    if review.shown:
        out.append("")
        out.append(f"Last {len(review.shown)} entries:" if len(review.shown) < len(review.entries) else "Entries:")
        for entry in review.shown:
            out.extend("  " + line for line in entry_lines(entry))
    elif not review.entries:
        out.append("No entries yet: start with %%hypothesis NAME.")
    if review.lessons.lessons or review.lessons.rules:
        out.append("")
        out.append(f"Lessons ({len(review.lessons.lessons)}) and rules ({len(review.lessons.rules)}):")
        out.extend(lessons_lines(review.lessons))
    if review.reminders:
        out.append("")
        out.extend(f"! {r}" for r in review.reminders)
    return "\n".join(out)


def _entry_html(entry: Entry) -> str:
    color = STATUS_COLORS.get(entry.status, "#57606a")
    rows = "".join(
        f"<tr><th style='text-align:left;padding-right:1em;vertical-align:top;font-weight:normal;opacity:.7'>{label}</th>"
        f"<td style='text-align:left'>{escape(first_line(value, 200))}</td></tr>"
        for label, value in (
            ("hypothesis", entry.hypothesis),
            ("change", entry.change),
            ("expected", entry.expected),
            ("baseline", entry.baseline),
            ("actual", entry.summary_outcome()),
            ("delta", entry.delta),
            ("learning", entry.learning),
            ("next", entry.next),
        )
        if value.strip()
    )
    return (
        "<div style='margin:.4em 0;padding:.3em .6em;border-left:3px solid %s'>"
        "<span style='color:%s;font-weight:bold;font-size:85%%'>%s</span> <b>%s</b> "
        "<span style='opacity:.6'>%s</span><table style='margin:.2em 0'>%s</table></div>"
        % (color, color, escape(entry.status or "?"), escape(entry.name), escape(entry.timestamp), rows)
    )


def review_html(review: Review) -> str:
    counts = ", ".join(f"{n} {s.lower()}" for s, n in review.counts.items() if n)
    parts = [
        "<div class='expjournal-review'>",
        f"<div><b>Journal</b> <code>{escape(str(review.directory / 'journal.md'))}</code> "
        f"({len(review.entries)} entries{': ' + escape(counts) if counts else ''})</div>",
    ]
    for reminder in review.reminders:
        parts.append(f"<div style='margin:.3em 0;color:#b26b00'>⚠ {escape(reminder)}</div>")
    if review.shown:
        parts.append("".join(_entry_html(e) for e in reversed(review.shown)))
    elif not review.entries:
        parts.append("<p>No entries yet: start with <code>%%hypothesis NAME</code>.</p>")
    if review.lessons.lessons or review.lessons.rules:
        items = "".join(f"<li>{escape(line.strip()[2:])}</li>" for line in lessons_lines(review.lessons))
        parts.append(f"<div><b>Lessons and rules</b><ul style='margin:.2em 0'>{items}</ul></div>")
    parts.append("</div>")
    return "".join(parts)


def gate_lines(report: GateReport) -> list[str]:
    lines = [f"! {w}" for w in report.warnings]
    lines.extend(f"rule: {first_line(r.text, 160)}" for r in report.rules)
    return lines


def short_review(entries: list[Entry], lessons: Lessons, n: int = 3) -> list[str]:
    """What ``%%hypothesis`` shows before logging: the last few entries and the rules."""
    lines = []
    recent = entries[-n:]
    if recent:
        lines.append("Recent:")
        for e in recent:
            outcome = e.delta or e.summary_outcome() or e.expected
            lines.append(f"  [{e.status or '?'}] {e.name}: {first_line(outcome, 90)}" if outcome else f"  [{e.status or '?'}] {e.name}")
    if lessons.rules:
        lines.append("Rules:")
        lines.extend(f"  - {first_line(r.text, 140)}" for r in lessons.rules[-5:])
    return lines
