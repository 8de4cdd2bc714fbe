"""Text and HTML views of entries, gates and reviews, shared by every face.

Text for terminals and logs; HTML for notebooks. All user text goes through
``html.escape``: a hypothesis is data, never markup. No face's controls are
named here: the ways out of a notice are worded by the ``words`` each face
passes in (its vocabulary), the neutral words without one.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from html import escape
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING

from .core.config import ABSENT
from .core.model import Entry, Lessons, Outcome, Review
from .core.notices import NEUTRAL, NEW_HYPOTHESIS

if TYPE_CHECKING:  # %load_ext imports this module: the analysis and the metrics come with a review
    from .core.analysis import Analysis
    from .core.compare import Table
    from .core.gates import GateReport

STATUS_COLORS = {"PLANNED": "#b26b00", "COMPLETED": "#1a7f37", "ABANDONED": "#6e7781"}


def plural(n: int, one: str, many: str | None = None) -> str:
    """``1 entry``, ``2 entries``, ``0 entries``: a count with its noun agreeing."""
    return f"{n} {one if n == 1 else many or one + 's'}"


def entries_count(n: int) -> str:
    return plural(n, "entry", "entries")


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
    """An entry as the text review shows it: a title line, then one line per fact (its figures named)."""
    rows = [f"[{entry.status or '?'}] {entry.name} ({entry.timestamp})"]
    rows.extend(f"    {label}: {first_line(value, 160)}" for label, value in facts(entry))
    if entry.images:
        rows.append(f"    {plural(len(entry.images), 'figure')}: {first_line(', '.join(entry.images), 160)}")
    return rows


#: A figure file larger than this is named in a review, not embedded (a notebook stores what it shows).
MAX_FIGURE_BYTES = 2_000_000


def figures_html(directory: Path, entry: Entry) -> str:
    """The entry's figures as thumbnails, read from its experiments folder only (the core's rule for linked files)."""
    from .core.outcome import IMAGE_FILE_TYPES, linked_file

    out = []
    for link in entry.images:
        mime = IMAGE_FILE_TYPES.get(Path(link).suffix.lower())
        path = linked_file(Path(directory), link)
        if mime is None or path is None:
            continue
        try:
            if path.stat().st_size > MAX_FIGURE_BYTES:
                out.append(f"<span style='opacity:.7'>{escape(link)} (too large to show here)</span>")
                continue
            data = base64.b64encode(path.read_bytes()).decode("ascii")
        except OSError:
            out.append(f"<span style='opacity:.7'>{escape(link)} (missing)</span>")
            continue
        out.append(f"<img alt='{escape(link)}' title='{escape(link)}' src='data:{mime};base64,{data}' "
                   "style='max-width:240px;max-height:180px;margin:.2em .4em .2em 0;border:1px solid rgba(128,128,128,.3)'/>")
    return f"<div class='expjournal-figures'>{''.join(out)}</div>" if out else ""


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
    out = [f"Journal: {review.directory / 'journal.md'} ({entries_count(len(review.entries))}{': ' + counts if counts else ''})"]
    if review.open:
        out.append("")
        out.append("Open experiments:")
        out.extend(f"  - {e.name} ({e.timestamp})" for e in review.open)
    if review.shown:
        out.append("")
        last = f"Last {entries_count(len(review.shown))}:" if len(review.shown) > 1 else "Last entry:"
        out.append(last if len(review.shown) < len(review.entries) else "Entries:")
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


def _entry_html(entry: Entry, directory: Path | None = None) -> str:
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
        f"<table style='margin:.2em 0'>{rows}</table>{figures_html(directory, entry) if directory else ''}</div>"
    )


def review_html(review: Review, images: list[tuple[str, str]] = (), words: Mapping[str, str] | None = None,
                lines: list[str] | None = None) -> str:
    counts = status_counts(review.counts)
    parts = [
        "<div class='expjournal-review'>",
        f"<div><b>Journal</b> <code>{escape(str(review.directory / 'journal.md'))}</code> "
        f"({entries_count(len(review.entries))}{': ' + escape(counts) if counts else ''})</div>",
    ]
    for reminder in review.reminders:
        parts.append(f"<div style='margin:.3em 0;color:#b26b00'>⚠ {escape(reminder.words(words))}</div>")
    if review.shown:
        parts.append("".join(_entry_html(e, review.directory) for e in reversed(review.shown)))
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


#: How many of a list that grows with the journal (repeats, one kind of failure) the review names: the newest,
#: after a count of all. A review of 10,000 entries was 2.4 MB of repeats, saved into the notebook at every run.
NAMED_AT_MOST = 10


def analysis_lines(a: Analysis) -> list[str]:
    """The analysis as plain lines: what helped, calibration, repeats, untested, failures.

    What grows with the journal is counted, and its newest :data:`NAMED_AT_MOST`
    named (a parameter's changes are folded into one line): a review is read by
    a person, or an agent with a budget, and stays a screen long at any size.
    """
    from .core.metrics import format_change, format_number

    out = [f"Analysis of {plural(len(a.entries), 'experiment')}:"]
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
    for sweep in a.sweeps:  # each point evidence for its parameter: the best value, the curve's shape
        out.append(f"  sweep in {_ref(sweep.entry)}: {sweep.describe()}")
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
    if len(a.repeats) > NAMED_AT_MOST:
        out.append(f"  repeats: {len(a.repeats):,} experiments tried a change tried before; the newest {NAMED_AT_MOST}:")
    for later, earlier in a.repeats[-NAMED_AT_MOST:]:
        out.append(f"  repeat: {_ref(later)} tried the change of {_ref(earlier)} again")
    if a.untested:
        out.append(f"  untested: {', '.join(a.untested)} (in configs, never the changed variable)")
    for kind, failures in a.failures.items():
        shown = "; ".join(f"{_ref(f.entry)} [{first_line(f.entry.change, 60) or 'no change recorded'}]: "
                          f"{first_line(f.evidence, 80)}" for f in failures[-NAMED_AT_MOST:])
        more = f" ({len(failures):,} in all; the newest {NAMED_AT_MOST})" if len(failures) > NAMED_AT_MOST else ""
        out.append(f"  failures, {kind}{more}: {shown}")
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
        f"<figure style='display:inline-block;margin:.3em;max-width:100%'>"
        f"<img alt='{escape(t)}' src='data:image/png;base64,{b64}' style='max-width:100%'/>"
        f"<figcaption style='font-size:85%;opacity:.7'>{escape(t)}</figcaption></figure>"
        for t, b64 in images
    )
    return f"<div class='expjournal-analysis'><b>{escape(lines[0])}</b>{items}{plots}</div>"


# -- the compare table -------------------------------------------------------------

#: How a column head says a metric's direction: higher better ↑, lower better ↓.
ARROWS = {True: "↑", False: "↓"}


def _changed_text(items) -> str:
    return "; ".join(item.describe() for item in items)


def _cells(table: Table):
    """(entry, id or '', changed, {metric: (value text, delta text, gain sign)}) per row: both views show these."""
    from .core.compare import shown_delta, shown_value

    better = table.higher_is_better
    for row in table.rows:
        metrics = {}
        for name in table.metrics:
            value, delta = row.metrics.get(name), row.delta.get(name)
            gain = 0 if delta is None or delta != delta or delta == 0 else (1 if (delta > 0) == better[name] else -1)
            metrics[name] = (shown_value(value), shown_delta(delta), gain)
        yield row.entry, row.entry.id, _changed_text(row.changed), metrics


def _points(row, table: Table) -> list[tuple[str, list[str]]]:
    """A sweep's row expanded: ``gamma=0.01`` and each metric's value, per point (none for any other row)."""
    if not row.points:
        return []
    from .core.compare import shown_value
    from .core.sweep import planned

    key = planned(row.entry).key
    return [(f"{key}={value}" + (" (best)" if value == row.best else ""),
             [shown_value(found.get(name)) for name in table.metrics]) for value, found in row.points]


def compare_text(table: Table, width: int = 32) -> str:
    """The compare table as aligned text: one line per entry, ``value (delta)`` per metric, heads with ↑/↓."""
    if not table.rows:
        return "no entries match"
    head = ["id", "entry", "time", "status", "changed"] + [f"{m} {ARROWS[table.higher_is_better[m]]}" for m in table.metrics]
    body = []
    for row, (entry, ident, changed, metrics) in zip(table.rows, _cells(table)):
        cells = [ident or "-", first_line(entry.name, width), entry.timestamp, entry.status or "?"]
        cells.append(first_line(changed, 40) or "-")
        cells += [f"{v} ({d})" if d else v or "-" for v, d, _ in metrics.values()]
        body.append(cells)
        body += [["", f"  {label}", "", "", "", *(v or "-" for v in values)] for label, values in _points(row, table)]
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in [head, *body]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + f"\n({entries_count(len(table.rows))}; delta: change from the entry's baseline)"


def compare_html(table: Table) -> str:
    """The compare table as an HTML table: status in its colour, each delta green when it is a gain, red when a loss."""
    if not table.rows:
        return "<div class='expjournal-compare'><i>no entries match</i></div>"
    cell = "padding:.15em .6em;text-align:left;vertical-align:top;border-bottom:1px solid rgba(128,128,128,.25)"
    heads = ["entry", "time", "status", "changed"] + [f"{m} {ARROWS[table.higher_is_better[m]]}" for m in table.metrics]
    titles = [""] * 4 + ["higher is better" if table.higher_is_better[m] else "lower is better" for m in table.metrics]
    head = "".join(f"<th style='{cell}' title='{t}'>{escape(h)}</th>" for h, t in zip(heads, titles))
    rows = []
    for row, (entry, ident, changed, metrics) in zip(table.rows, _cells(table)):
        color = STATUS_COLORS.get(entry.status, "#57606a")
        name = escape(entry.name) + (f" <code style='opacity:.6;font-size:85%'>{ident}</code>" if ident else "")
        status = f"<span style='color:{color};font-weight:bold'>{escape(entry.status or '?')}</span>"
        tds = [name, escape(entry.timestamp), status, escape(changed)]
        for value, delta, gain in metrics.values():
            shade = {1: "color:#1a7f37", -1: "color:#cf222e"}.get(gain, "")
            tds.append(escape(value) + (f" <span style='{shade}'>({escape(delta)})</span>" if delta else ""))
        rows.append("<tr>" + "".join(f"<td style='{cell}'>{td}</td>" for td in tds) + "</tr>")
        for label, values in _points(row, table):  # a sweep's points under its row, which shows the best one
            tds = [f"&nbsp;&nbsp;{escape(label)}", "", "", "", *(escape(v) for v in values)]
            rows.append("<tr style='opacity:.75'>" + "".join(f"<td style='{cell}'>{td}</td>" for td in tds) + "</tr>")
    return (
        "<div class='expjournal-compare' style='overflow-x:auto'><table style='border-collapse:collapse;font-size:90%'>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f"<div style='opacity:.7;font-size:85%'>{entries_count(len(table.rows))}; "
        "in brackets: the change from the entry's baseline</div></div>"
    )


def compare_views(table: Table) -> tuple[str, str]:
    """(:func:`compare_text`, :func:`compare_html`): what a notebook displays, both in one bundle."""
    return compare_text(table), compare_html(table)
