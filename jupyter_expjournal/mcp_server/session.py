"""What the agents' face does for each tool: the core call, then the answer in words an agent reads.

One :class:`AgentSession` per server process (one client). Each tool method
takes the arguments :func:`.tools.check` let through, calls the same
:class:`~jupyter_expjournal.core.journal.Journal` method the magics, the CLI and
the sidebar call, and returns the text shown to the model: what was written,
with the warnings, the rules that apply and the reminders worded with
:data:`.words.WORDS`, so the agent reads them as a person would. A refusal is the core's :class:`JournalError`, raised before
anything is written; :mod:`.server` turns it into a tool error.

Like a kernel, the session remembers which entries *it* planned, so that
``log_result`` with no name completes its own experiment, not one a notebook
opened beside it (:func:`~jupyter_expjournal.core.identity.resolve` decides).
No SDK import here: the tools run the same in-process (the benchmarks do).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import jupyter_expjournal.render as render
import jupyter_expjournal.sweep_curve as sweep_curve

from ..core import compare
from ..core.checks import check_journal, check_lessons
from ..core.draft import parse_config_lines
from ..core.durations import describe_run
from ..core.errors import InputError
from ..core.identity import matching, ref
from ..core.index import seconds_since
from ..core.journal import Journal
from ..core.model import Draft, Entry, Logged, Outcome
from ..core.notices import LESSONS_DUE
from ..core.outcome import inside, output_metrics, read_image_file
from ..core.provenance import collect
from ..core.sweep import of_draft, plan_sweep, spec_of
from ..core.sweep_evidence import evidence
from ..core.sweep_result import rows_given
from .words import WORDS


def config_items(config: dict[str, str]):
    """``{"lora_r": "32 → 64", "lora_alpha": "64"}`` as config rows, read as the body's ``config:`` bullets are."""
    items = []
    for key, value in config.items():
        if "\n" in key or "\r" in key or "\n" in value or "\r" in value:
            raise InputError(f"config {key!r}: a config row is one line, key and value")
        row = parse_config_lines(f"- {key}: {value}")
        if len(row) != 1 or row[0].key != key.strip():
            raise InputError(f"config key {key!r} cannot be written as a config line: a key is one line without ': '")
        items.extend(row)
    return items


def swept(draft: Draft, sweep: str | dict | list) -> Draft:
    """The draft of the sweep ``sweep`` names (a spec, a {key, values} object, or a list of them, which the core
    refuses as several keys), through the core's :func:`~jupyter_expjournal.core.sweep.plan_sweep`."""
    try:
        specs = [s if isinstance(s, str) else spec_of(s["key"], s["values"])
                 for s in (sweep if isinstance(sweep, list) else [sweep])]
        return plan_sweep(draft, specs)
    except InputError as exc:
        raise InputError(f"plan_experiment: 'sweep': {exc}") from None


class AgentSession:
    """The journal of one experiments folder, as one agent connection uses it."""

    def __init__(self, directory: str | os.PathLike, *, strict: bool = False) -> None:
        self.journal = Journal(directory)
        self.strict = strict
        #: The project: the folder holding experiments/ (images are taken from inside it, relative paths from it).
        self.project = self.journal.directory.parent
        #: The entries this session planned and has not closed (id -> time.time() at the plan), the last one "mine".
        self.opened: dict[str, float] = {}

    # -- the loop --------------------------------------------------------------------------

    def plan_experiment(self, name: str, hypothesis: str, change: str, config: dict, expected: str, baseline: str,
                        parallel: bool, force: bool, sweep: str | dict | list | None) -> str:
        if not expected.strip():  # required by the contract: an empty one would log a plan with no target
            raise InputError("plan_experiment: 'expected' is empty: the expected outcome, a metric target if you have"
                             " one (eval_acc +0.02)")
        draft = Draft(name, hypothesis, change, config_items(config), expected, baseline)
        if sweep is not None and sweep != "":  # an empty string is "not said", as for every string argument
            draft = swept(draft, sweep)
        draft.extra["Provenance"] = collect(self.project).describe()
        logged = self.journal.hypothesize(draft, parallel=parallel, strict=self.strict, force=force)
        self.opened[ref(logged.entry)] = time.time()
        lessons = self.journal.lessons()
        lines = render.short_review(logged.entries[: logged.entry.index], lessons)  # what the gates saw
        lines += render.gate_lines(logged.report, WORDS)
        # lessons due before another run; the entry just opened is no reminder to the agent that opened it
        lines += [f"! {r.words(WORDS)}" for r in self.journal.reminders(logged.entries) if r.gate == LESSONS_DUE]
        lines.append(f"logged PLANNED {render.named(logged.entry)} in {self.journal.journal_path}")
        plan = of_draft(draft)
        if plan is not None:
            lines.append(f"a sweep of {plan.key} over {', '.join(plan.values)}: run each value now, printing "
                         f"{plan.key}=value beside its metrics; then call log_result with those lines as the outcome "
                         "or with table (or abandon_experiment)")
        else:
            lines.append("run the experiment now; then call log_result (or abandon_experiment)")
        return "\n".join(lines)

    def log_result(self, outcome: str, learning: str, next: str, name: str, delta: str, images: list[str],
                   table: str | list | None) -> str:
        table = None if table == "" else table  # an empty string is "not said"
        if not outcome.strip() and table is None:
            raise InputError("log_result: 'outcome' is empty: say what actually happened (metrics as name = value)")
        result = Outcome(summary=outcome, metrics=output_metrics(outcome), images=[self._image(p) for p in images],
                         delta=delta, learning=learning, next=next)
        entry = self.journal.resolve_open(name or None, self._preferred())
        rows = None
        if table is not None:  # checked against the entry's sweep, by the core's rule, before anything is written
            rows = rows_given(entry, table, "log_result's 'table'")
        result.duration = self._duration(entry, self.opened.get(ref(entry)))
        result = sweep_curve.attach_for(entry, result, rows)  # a sweep's curve, saved and linked with the result
        logged = self.journal.complete(result, name=ref(entry), result_value=rows)
        self._closed(logged)
        done = logged.entry
        lines = [f"'{done.name}' {done.status}: Delta: {render.first_line(done.delta, 200)}"]
        found = evidence(done)
        if found is not None:  # the best value and the curve's shape, as the review says them
            lines.append(f"sweep of {found.describe()}")
            if found.result.missing:
                lines.append(f"! planned, no result: {', '.join(f'{found.key}={v}' for v in found.result.missing)}")
            if found.result.unplanned:
                lines.append(f"! run, not planned: {', '.join(f'{found.key}={v}' for v in found.result.unplanned)}")
        lines.extend(f"saved {path}" for path in logged.assets)
        reminders = self.journal.reminders(logged.entries)
        lines.extend(f"! {r.words(WORDS)}" for r in reminders)
        return "\n".join(lines)

    def abandon_experiment(self, reason: str, name: str) -> str:
        logged = self.journal.abandon(reason, name=name or None, preferred=self._preferred())
        self._closed(logged)
        return f"'{logged.entry.name}' ABANDONED in {self.journal.journal_path}"

    def add_lesson(self, text: str, context: str, source: str) -> str:
        line = self.journal.add_lesson(text, context=context, source=source)
        return f"{self.journal.lessons_path}: {line}"

    def add_rule(self, kind: str, text: str, reason: str) -> str:
        if text.strip() and not reason.strip():  # required by the contract: a rule says why (an empty text: the core's)
            raise InputError("add_rule: 'reason' is empty: NEVER: because what; ALWAYS: when")
        line = self.journal.add_rule(kind, text, reason=reason)
        return f"{self.journal.lessons_path}: {line}"

    # -- reading ---------------------------------------------------------------------------

    def review(self, n: int | None) -> str:
        review = self.journal.review(n=5 if n is None else n)
        return render.review_text(review, WORDS)

    def list_entries(self, status: str, text: str) -> str:
        entries = compare.choose(self.journal.entries(), status=status or None, text=text or None)
        lines = [_line(e) for e in entries]
        if not entries:
            lines = ["no entries match" if status or text else "no entries yet: call plan_experiment to log the first"]
        return "\n".join(lines)

    def show_entry(self, name: str) -> str:
        text, entries = self.journal.parsed()
        hits = matching(entries, name)  # every entry it names: an id, a heading, or a name several may share
        if not hits:
            raise InputError(f"no entry named {name.strip()!r} in {self.journal.journal_path}: list_entries shows them")
        return "\n\n".join(text[e.span[0] : e.span[1]].rstrip() for e in hits)

    def check_journal(self) -> str:
        text, entries = self.journal.parsed()
        problems = check_journal(text, entries, str(self.journal.journal_path))
        problems += check_lessons(self.journal.lessons_file.read(), self.journal.lessons(), entries,
                                  self.journal.lessons_mtime(), str(self.journal.lessons_path))
        n = len(problems)
        summary = f"{render.entries_count(len(entries))} checked: " + (render.plural(n, "problem") if n else "no problems")
        return "\n".join([*(p.words(WORDS) for p in problems), summary])

    # -- resources ---------------------------------------------------------------------------

    def journal_text(self) -> str:
        return self.journal.journal_file.read()

    def lessons_text(self) -> str:
        return self.journal.lessons_file.read()

    # -- internals -------------------------------------------------------------------------

    def _preferred(self) -> str | None:
        return next(reversed(self.opened), None)

    def _closed(self, logged: Logged) -> None:
        """Forget the entry just closed, and those of mine closed elsewhere meanwhile."""
        still = {ref(e) for e in logged.entries if e.is_open}
        self.opened = {key: t for key, t in self.opened.items() if key != ref(logged.entry) and key in still}

    @staticmethod
    def _duration(entry: Entry, planned: float | None) -> str:
        """The wall time since this session planned it, else since the entry's heading (the minute it names).
        Which cells ran for it an agent does not know, so it says none."""
        if planned is not None:
            return describe_run(time.time() - planned, None, [])
        return describe_run(seconds_since(entry), None, [])

    def _image(self, path: str) -> tuple[str, bytes | str]:
        """An ``images`` path as the core checks an image file, refused unless it is a file inside the project."""
        where = f"log_result: image {path!r}"
        if not path.strip():
            raise InputError(f"{where} is an empty path: give a file inside the project")
        if "\x00" in path:
            raise InputError(f"{where} contains a NUL byte: no file is named so")
        given = Path(os.path.expanduser(path))
        resolved = (given if given.is_absolute() else self.project / given).resolve()
        if not inside(self.project, resolved):
            raise InputError(f"{where} is outside the project ({self.project.resolve()}): only files inside it are attached")
        return read_image_file(resolved, where)


def _line(e: Entry) -> str:
    found = evidence(e)  # a sweep: its best value and the curve's shape, as the review says them
    outcome = f"sweep of {found.describe()}" if found is not None else e.delta or e.summary_outcome() or e.expected
    head = f"{e.id or '-':<8}  {e.timestamp}  {e.status or '?':<9}  {e.name}"
    return head + (f"  — {render.first_line(outcome, 80)}" if outcome else "")

