"""The seed's gates, as pure checks over the journal and a draft.

Each check returns what it found; the journal decides whether that refuses the
action or only warns (strict mode turns the warnings about variables and
baselines into refusals). Keeping them pure lets every face show the same gate
texts, and lets the sidebar show them before anything is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from . import notices
from .identity import ref
from .index import index_of
from .model import Draft, Entry, Lessons, Rule, change_signature, normalize_key
from .notices import Notice
from .sweep import swept_keys

#: Completed entries after the last lesson that make a lessons reminder.
LESSONS_EVERY = 4


@dataclass
class GateReport:
    """What the gates say about a draft, before anything is written."""

    refusals: list[Notice] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)
    repeats: list[Entry] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)


def open_entry_refusal(entries: list[Entry]) -> Notice | None:
    """The seed: a result is logged before the next experiment starts."""
    planned = index_of(entries).open
    if not planned:
        return None
    names = ", ".join(f"'{e.name}' ({e.timestamp})" for e in planned)
    return Notice(
        f"experiment {names} is still PLANNED",
        (notices.LOG_RESULT, notices.ABANDON, notices.PARALLEL),
        notices.OPEN_ENTRY,
        tuple(ref(e) for e in planned),
    )


def still_open(entry: Entry) -> Notice:
    """The reminder that an entry waits for its result."""
    return Notice(f"'{entry.name}' ({entry.timestamp}) is still PLANNED", (notices.LOG_RESULT, notices.ABANDON),
                  notices.OPEN_ENTRY, (ref(entry),))


def too_many_variables(draft: Draft) -> Notice | None:
    changed = draft.changed
    if len(changed) <= 1:
        return None
    keys = ", ".join(item.key for item in changed)
    return Notice(
        f"{len(changed)} variables change at once ({keys}): one variable per experiment, or the result cannot be attributed",
        gate=notices.ONE_VARIABLE,
    )


def several_swept(draft: Draft) -> Notice | None:
    """A sweep over two keys at once (two config rows listing values): several variables, as the seed means it."""
    keys = swept_keys(draft.config)
    if len(keys) <= 1:
        return None
    return Notice(
        f"a sweep over {len(keys)} keys at once ({', '.join(keys)}): {len(keys)} variables change, and no point can be"
        " attributed to one of them; sweep one key, then the other",
        gate=notices.ONE_VARIABLE,
    )


def missing_baseline(draft: Draft) -> Notice | None:
    if draft.baseline.strip():
        return None
    return Notice("no baseline recorded: write down the current best metric (accuracy = 0.95), memory is unreliable",
                  gate=notices.BASELINE)


def repeats_of(entries: list[Entry], draft: Draft) -> list[Entry]:
    """Earlier entries that already tried the draft's change (signatures are cached per entry)."""
    return index_of(entries).tried(change_signature(draft.changed, draft.change))


def rules_about(rules: list[Rule], keys: list[str]) -> list[Rule]:
    """Rules whose text names one of the keys (the variables about to change)."""
    wanted = [normalize_key(k) for k in keys if k.strip()]
    hits = []
    for rule in rules:
        text = normalize_key(rule.text)
        if any(re.search(rf"(?<![\w]){re.escape(k)}(?![\w])", text) for k in wanted):
            hits.append(rule)
    return hits


def completed_since_lessons(entries: list[Entry], lessons: Lessons, lessons_mtime: float | None) -> int:
    """Completed entries started after lessons.md last changed (or its newest dated item)."""
    marks = [datetime.fromtimestamp(lessons_mtime)] if lessons_mtime else []
    for item in (*lessons.lessons, *lessons.rules):
        try:
            marks.append(datetime.strptime(item.date, "%Y-%m-%d"))
        except ValueError:
            pass
    return index_of(entries).completed_since(max(marks) if marks else None)


def lessons_reminder(count: int, every: int = LESSONS_EVERY) -> Notice | None:
    if count < every:
        return None
    return Notice(f"{count} experiments completed since the last lesson: distill what they taught",
                  (notices.ADD_LESSON,), notices.LESSONS_DUE)


def check_draft(entries: list[Entry], lessons: Lessons, draft: Draft, *, parallel: bool, strict: bool, force: bool) -> GateReport:
    """Run every gate for a new hypothesis."""
    report = GateReport()
    if not parallel:
        refusal = open_entry_refusal(entries)
        if refusal:
            report.refusals.append(refusal)
    for problem in (several_swept(draft) or too_many_variables(draft), missing_baseline(draft)):
        if problem is None:
            continue
        if strict and not force:
            report.refusals.append(Notice(problem.text + " (strict mode)", (notices.FORCE,), problem.gate))
        else:
            report.warnings.append(problem)
    report.repeats = repeats_of(entries, draft)
    for entry in report.repeats[-3:]:
        outcome = entry.summary_outcome() or entry.delta or "no result logged"
        report.warnings.append(Notice(
            f"this change was already tried in '{entry.name}' ({entry.timestamp}, {entry.status or 'no status'}): {outcome}",
            gate=notices.REPEAT, entries=(ref(entry),),
        ))
    keys = [item.key for item in draft.changed] or [draft.change.split(" ")[0]]
    report.rules = rules_about(lessons.rules, keys)
    return report
