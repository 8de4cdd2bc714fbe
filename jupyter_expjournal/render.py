"""Text and HTML views of entries, gates and reviews, shared by every face.

Text for terminals and logs; HTML for notebooks. All user text goes through
``html.escape``: a hypothesis is data, never markup. No face's controls are
named here: the ways out of a notice are worded by the ``words`` each face
passes in (its vocabulary), the neutral words without one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from itertools import groupby
from typing import TYPE_CHECKING

from .core.config import ABSENT
from .core.model import Entry, Lessons, Outcome, Review
from .core.notices import NEUTRAL, NEW_HYPOTHESIS

if TYPE_CHECKING:  # %load_ext imports this module: the analysis and the metrics come with a review
    from .core.analysis import Analysis
    from .core.gates import GateReport

STATUS_COLORS = {"PLANNED": "#b26b00", "COMPLETED": "#1a7f37", "ABANDONED": "#6e7781"}


def first_line(text: str, width: int = 100) -> str:
    """A value on one line (line breaks folded), cut to ``width`` with an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def named(entry: Entry) -> str:
    """``'SVC C=10' (2026-11-25 14:03, id 3f9a1c2e)``: an entry as a face confirms it was written, id to quote."""
    return f"'{entry.name}' ({entry.timestamp}{', id ' + entry.id if entry.id else ''})"


def attached(outcome: Outcome) -> str:
    """What a result attached, in a few words: ``cell [12]: 40 lines of text, 1 figure`` (or that it was nothing)."""
    where = outcome.source or "no cell"
    held = []
    lines = outcome.output.count("\n") + (1 if outcome.output and not outcome.output.endswith("\n") else 0)
    if outcome.output.strip():
        held.append(f"{lines:,} line{'s' if lines != 1 else ''} of text")
    if outcome.images:
        held.append(f"{len(outcome.images)} figure{'s' if len(outcome.images) != 1 else ''}")
    if outcome.error:
        held.append("the error")
    if not outcome.source:
        return "attached no cell's output: the outcome is what was typed"
    return f"attached {where}: {', '.join(held)}" if outcome.shown else f"attached {where}: it showed no output"


def first_line_of(pieces: Iterable[str], sep: str, width: int = 100) -> str:
    """``first_line(sep.join(pieces), width)``, joining only as many pieces as the line can show.

    A parameter changed 10,000 times lists 10,000 changes in one line cut at a
    hundred-odd characters. The line folded from a prefix of a text is a prefix
    of the line folded from the whole, so once a prefix folds to more than
    ``width`` characters the rest cannot change what is shown.
    """
    taken: list[str] = []
    size, check_at = 0, 2 * width
    for piece in pieces:
        taken.append(piece)
        size += len(piece) + len(sep)
        if size > check_at:  # fold at doubling sizes: whitespace-heavy pieces stay linear
            line = " ".join(sep.join(taken).split())
            if len(line) > width:
                return line[: width - 1] + "…"
            check_at = 2 * size
    return first_line(sep.join(taken), width)


def status_counts(counts: Mapping[str, int]) -> str:
    """``2 planned, 5 completed``: the statuses that have entries; "" when none has."""
    return ", ".join(f"{n} {status.lower()}" for status, n in counts.items() if n)


def facts(entry: Entry) -> list[tuple[str, str]]:
    """The (label, value) facts of an entry that a review shows, empty ones left out."""
    pairs = (
        ("hypothesis", entry.hypothesis),
        ("change", entry.change),
        ("expected", entry.expected),
        ("baseline", entry.baseline),
        ("actual", entry.summary_outcome()),
        ("delta", entry.delta),
        ("learning", entry.learning),
        ("next", entry.next),
    )
    return [(label, value) for label, value in pairs if value.strip()]


def entry_lines(entry: Entry) -> list[str]:
    """An entry as the text review shows it: a title line, then one line per fact."""
    rows = [f"[{entry.status or '?'}] {entry.name} ({entry.timestamp})"]
    rows.extend(f"    {label}: {first_line(value, 160)}" for label, value in facts(entry))
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


def review_views(review: Review, images: list[tuple[str, str]] = (),
                 words: Mapping[str, str] | None = None) -> tuple[str, str]:
    """(:func:`review_text`, :func:`review_html`) of a review, its analysis' lines made once for both."""
    lines = analysis_lines(review.analysis) if review.analysis is not None and review.entries else None
    return review_text(review, words, lines), review_html(review, images, words, lines)


def review_text(review: Review, words: Mapping[str, str] | None = None, lines: list[str] | None = None) -> str:
    """The review as text; ``lines``: its analysis' lines when the caller has them already."""
    counts = status_counts(review.counts)
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
        out.append(f"No entries yet: {(words or NEUTRAL).get(NEW_HYPOTHESIS, NEUTRAL[NEW_HYPOTHESIS])}.")
    if review.lessons.lessons or review.lessons.rules:
        out.append("")
        out.append(f"Lessons ({len(review.lessons.lessons)}) and rules ({len(review.lessons.rules)}):")
        out.extend(lessons_lines(review.lessons))
    if review.analysis is not None and review.entries:
        out.append("")
        out.extend(lines if lines is not None else analysis_lines(review.analysis))
    if review.reminders:
        out.append("")
        out.extend(f"! {r.words(words)}" for r in review.reminders)
    return "\n".join(out)


def _entry_html(entry: Entry) -> str:
    color = STATUS_COLORS.get(entry.status, "#57606a")
    rows = "".join(
        f"<tr><th style='text-align:left;padding-right:1em;vertical-align:top;font-weight:normal;opacity:.7'>{label}</th>"
        f"<td style='text-align:left'>{escape(first_line(value, 200))}</td></tr>"
        for label, value in facts(entry)
    )
    return (
        f"<div style='margin:.4em 0;padding:.3em .6em;border-left:3px solid {color}'>"
        f"<span style='color:{color};font-weight:bold;font-size:85%'>{escape(entry.status or '?')}</span> "
        f"<b>{escape(entry.name)}</b> <span style='opacity:.6'>{escape(entry.timestamp)}</span>"
        f"<table style='margin:.2em 0'>{rows}</table></div>"
    )


def review_html(review: Review, images: list[tuple[str, str]] = (), words: Mapping[str, str] | None = None,
                lines: list[str] | None = None) -> str:
    counts = status_counts(review.counts)
    parts = [
        "<div class='expjournal-review'>",
        f"<div><b>Journal</b> <code>{escape(str(review.directory / 'journal.md'))}</code> "
        f"({len(review.entries)} entries{': ' + escape(counts) if counts else ''})</div>",
    ]
    for reminder in review.reminders:
        parts.append(f"<div style='margin:.3em 0;color:#b26b00'>⚠ {escape(reminder.words(words))}</div>")
    if review.shown:
        parts.append("".join(_entry_html(e) for e in reversed(review.shown)))
    elif not review.entries:
        parts.append(f"<p>No entries yet: {escape((words or NEUTRAL).get(NEW_HYPOTHESIS, NEUTRAL[NEW_HYPOTHESIS]))}.</p>")
    if review.lessons.lessons or review.lessons.rules:
        items = "".join(f"<li>{escape(line.strip()[2:])}</li>" for line in lessons_lines(review.lessons))
        parts.append(f"<div><b>Lessons and rules</b><ul style='margin:.2em 0'>{items}</ul></div>")
    if review.analysis is not None and review.entries:
        parts.append(analysis_html(review.analysis, images, lines))
    parts.append("</div>")
    return "".join(parts)


def gate_lines(report: GateReport, words: Mapping[str, str] | None = None) -> list[str]:
    lines = [f"! {w.words(words)}" for w in report.warnings]
    lines.extend(f"rule: {first_line(r.text, 160)}" for r in report.rules)
    return lines


def short_review(entries: list[Entry], lessons: Lessons, n: int = 3) -> list[str]:
    """What a face shows before it logs a hypothesis: the last few entries and the rules."""
    lines = []
    recent = entries[-n:]
    if recent:
        lines.append("Recent:")
        for e in recent:
            outcome = e.delta or e.summary_outcome() or e.expected
            title = f"  [{e.status or '?'}] {e.name}"
            lines.append(f"{title}: {first_line(outcome, 90)}" if outcome else title)
    if lessons.rules:
        lines.append("Rules:")
        lines.extend(f"  - {first_line(r.text, 140)}" for r in lessons.rules[-5:])
    return lines


# -- analysis ------------------------------------------------------------------

def _ref(entry: Entry) -> str:
    return f"'{entry.name}' ({entry.timestamp})"


def analysis_lines(a: Analysis) -> list[str]:
    """The analysis as plain lines: what helped, calibration, repeats, untested, failures.

    The lines that grow with the journal (one per repeat, one per kind of failure
    naming each, a parameter's changes folded into one) are written in one pass
    over what the analysis holds: 10,000 entries take a few milliseconds.
    """
    from .core.metrics import format_change, format_number

    out = [f"Analysis of {len(a.entries)} experiment{'s' if len(a.entries) != 1 else ''}:"]
    best = a.helped_most
    if best:
        summary, effect = best
        old, new = next(((o, n) for e, o, n in summary.changes if e is effect.entry), (None, None))
        out.append(
            f"  helped most: {summary.key} {old} → {new} in {_ref(effect.entry)}: {effect.metric} {format_change(effect.change)}"
        )
    if a.parameters:
        out.append("  parameters:")
    for p in a.parameters:
        changes = first_line_of((f"{ABSENT if old is None else old} → {ABSENT if new is None else new}"
                                 for _, old, new in p.changes), ", ", 120)
        out.append(f"    {p.key}: changed {p.times_changed}× ({changes})")
        for metric in p.effects:
            b, w = p.best(metric), p.worst(metric)
            text = f"      {metric}: best {format_change(b.change)} in {_ref(b.entry)}"
            if w is not b:
                text += f", worst {format_change(w.change)} in {_ref(w.entry)}"
            out.append(text)
        v = p.verdicts()
        if any(v.values()):
            out.append(f"      vs expected: {v['better than expected']} better, {v['as expected']} as expected, "
                       f"{v['worse than expected']} worse")
    c = a.calibration
    if any(c.values()):
        out.append(
            f"  calibration: {c['better than expected']} better than expected, {c['as expected']} as expected, "
            f"{c['worse than expected']} worse than expected, {c['not compared']} not compared"
        )
    for metric, points in list(a.series.items())[:3]:
        if len(points) >= 2:
            values = " → ".join(format_number(v) for _, v in points[-12:])
            out.append(f"  {metric} over experiments: {values}")
    earlier_refs: dict[int, str] = {}  # a handful of first tries, each repeated many times
    for later, earlier in a.repeats:
        ref = earlier_refs.get(id(earlier))
        if ref is None:
            ref = earlier_refs[id(earlier)] = _ref(earlier)
        out.append(f"  repeat: '{later.name}' ({later.timestamp}) tried the change of {ref} again")
    if a.untested:
        out.append(f"  untested: {', '.join(a.untested)} (in configs, never the changed variable)")
    for kind, failures in a.failures.items():
        shown = (f"'{f.entry.name}' ({f.entry.timestamp}) [{first_line(f.entry.change, 60) or 'no change recorded'}]: "
                 f"{first_line(f.evidence, 80)}" for f in failures)  # _ref, written out: thousands of lines
        out.append(f"  failures, {kind}: " + "; ".join(shown))
    if a.abandoned:
        out.append(f"  abandoned: {a.abandoned}")
    for rule, keys in a.rules_ahead:
        out.append(f"  rule for {', '.join(keys)}: {first_line(rule.text, 140)}")
    return out


def analysis_html(a: Analysis, images: list[tuple[str, str]] = (), lines: list[str] | None = None) -> str:
    """The analysis as HTML; ``images`` are (title, base64 PNG) plots to embed; ``lines``: its text lines, if made."""
    lines = analysis_lines(a) if lines is None else lines
    body = lines[1:]
    texts = [line.strip() for line in body]
    joined = "\n".join(texts)
    # escape() maps each character on its own: one call escapes 10,000 lines joined, as it would each line
    texts = escape(joined).split("\n") if joined.count("\n") == len(texts) - 1 else [escape(t) for t in texts]
    indents = [len(line) - len(line.lstrip()) for line in body]
    parts, at = [], 0
    for indent, run in groupby(indents):  # a run of lines alike (a thousand repeats) is one join
        start = f"<div style='padding-left:{indent // 2 * 0.8}em'>"
        count = len(list(run))
        parts.append(start + f"</div>{start}".join(texts[at : at + count]) + "</div>")
        at += count
    items = "".join(parts)
    plots = "".join(
        f"<figure style='display:inline-block;margin:.3em'><img alt='{escape(t)}' src='data:image/png;base64,{b64}'/>"
        f"<figcaption style='font-size:85%;opacity:.7'>{escape(t)}</figcaption></figure>"
        for t, b64 in images
    )
    return f"<div class='expjournal-analysis'><b>{escape(lines[0])}</b>{items}{plots}</div>"
