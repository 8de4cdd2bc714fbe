"""The one API every face calls: open a journal, log, complete, abandon, learn, review.

A face (magics, widget, server, CLI) collects input, calls one method here, and
shows what comes back. Every method validates everything first and raises a
:class:`JournalError` before touching a file, so bad input never writes.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from . import gates, markdown
from .errors import GateError, InputError, JournalError
from .location import find_experiments_dir
from .model import ABANDONED, COMPLETED, PLANNED, Draft, Entry, Lessons, Outcome, normalize_key
from .store import DirLock, TextFile, describe_os_error

if TYPE_CHECKING:
    from .analysis import Analysis

# analysis and metrics are imported where used: %load_ext needs neither (it must stay under 30 ms)

#: Captured output longer than this is cut in the middle, with a marker.
MAX_OUTPUT_LINES = 60
MAX_OUTPUT_CHARS = 8000
IMAGE_EXT = {"image/png": "png", "image/jpeg": "jpg", "image/svg+xml": "svg"}


@dataclass
class Logged:
    """What a write did: the entry as now in the file, and what the gates said."""

    entry: Entry
    warnings: list[str] = field(default_factory=list)
    report: gates.GateReport | None = None
    assets: list[Path] = field(default_factory=list)


@dataclass
class Review:
    """Everything ``%review`` shows, computed once for every face."""

    directory: Path
    entries: list[Entry]
    shown: list[Entry]
    open: list[Entry]
    lessons: Lessons
    reminders: list[str]
    counts: dict[str, int]
    analysis: Analysis | None = None


def now_stamp(now: datetime | None = None) -> str:
    return (now or datetime.now()).strftime("%Y-%m-%d %H:%M")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "entry"


def cut_output(text: str, max_lines: int = MAX_OUTPUT_LINES, max_chars: int = MAX_OUTPUT_CHARS) -> str:
    """Keep the head and tail of long output, saying how much was cut between."""
    lines = text.rstrip("\n").split("\n")
    if len(lines) <= max_lines and len(text) <= max_chars:
        return text.rstrip("\n")
    head_n, tail_n = (max_lines * 2) // 3, max_lines // 3
    head, tail = lines[:head_n], lines[-tail_n:] if tail_n else []
    while len("\n".join(head + tail)) > max_chars and (len(head) > 1 or len(tail) > 1):
        if len(head) >= len(tail):
            head = head[:-1]
        else:
            tail = tail[1:]
    body = "\n".join(head + tail)
    if len(body) > max_chars:  # a few enormous lines
        head = [("\n".join(head))[: max_chars // 2]]
        tail = [("\n".join(tail))[-max_chars // 2 :]] if tail else []
    kept = len("\n".join(head)) + len("\n".join(tail))
    cut_lines = len(lines) - len(head) - len(tail)
    marker = f"[… {cut_lines:,} lines, {len(text) - kept:,} characters cut …]"
    return "\n".join(head + [marker] + tail)


def fenced(text: str) -> str:
    """A code fence that no backtick run inside ``text`` can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}text\n{text}\n{ticks}"


def format_duration(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, sec = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {sec:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def describe_duration(wall: float | None, executing: float | None = None, cells: int | None = None) -> str:
    """``12 min 03 s wall from hypothesis to result; 41.2 s executing 5 cells``."""
    parts = []
    if wall is not None:
        parts.append(f"{format_duration(wall)} wall from hypothesis to result")
    if executing is not None:
        parts.append(f"{format_duration(executing)} executing {cells} cell{'s' if cells != 1 else ''}")
    return "; ".join(parts)


def _validate_document(doc: object):
    """Check a JSON export's shape; raise InputError naming the first thing wrong."""
    if not isinstance(doc, dict) or doc.get("format") != "jupyter_expjournal":
        raise InputError("not a jupyter_expjournal export (expected a JSON object with \"format\": \"jupyter_expjournal\")")
    def strings(item, keys, where):
        if not isinstance(item, dict):
            raise InputError(f"{where} is not an object")
        out = []
        for key in keys:
            value = item.get(key, "")
            if value is None:
                value = ""
            if not isinstance(value, str):
                raise InputError(f"{where}.{key} is not text")
            out.append(value)
        return out
    entries = []
    for i, item in enumerate(doc.get("entries") or []):
        stamp, name = strings(item, ("timestamp", "name"), f"entries[{i}]")
        if not markdown.HEADING.fullmatch(f"### {stamp} — x"):
            raise InputError(f"entries[{i}].timestamp {stamp!r} is not YYYY-MM-DD HH:MM")
        fields = item.get("fields")
        if not isinstance(fields, list) or not all(
            isinstance(f, list) and len(f) == 2 and all(isinstance(x, str) for x in f) for f in fields
        ):
            raise InputError(f"entries[{i}].fields must be a list of [name, value] pairs of text")
        for key, _ in fields:
            if not key.strip() or "*" in key or "\n" in key:
                raise InputError(f"entries[{i}] has a field name {key!r} that cannot be written")
        entries.append((stamp, validate_name(name), [tuple(f) for f in fields]))
    lessons = [tuple(strings(item, ("date", "text", "source"), f"lessons[{i}]")) for i, item in enumerate(doc.get("lessons") or [])]
    rules = []
    for i, item in enumerate(doc.get("rules") or []):
        kind, action, reason, connective, date = strings(item, ("kind", "action", "reason", "connective", "date"), f"rules[{i}]")
        if kind not in ("NEVER", "ALWAYS"):
            raise InputError(f"rules[{i}].kind must be NEVER or ALWAYS")
        rules.append((kind, action, reason, connective, date))
    return entries, lessons, rules


def refuse_nul(values: dict[str, str]) -> None:
    """A NUL byte makes the journal a binary file for git, grep and editors: refuse it."""
    for label, value in values.items():
        if value and "\x00" in value:
            raise InputError(f"the {label} contains a NUL byte: the journal is plain text; nothing was written")


def validate_name(name: str) -> str:
    refuse_nul({"name": name})
    name = (name or "").strip()
    if not name:
        raise InputError("an experiment needs a name: %%hypothesis NAME")
    if "\n" in name or "\r" in name:
        raise InputError("the experiment name must be one line")
    return name


#: (entries list, its open entries) for the last parsed list: a result looks for the open
#: entries four times (kernel, before and under the lock, reminders) in the same list.
_open_index: tuple[list, list] | None = None


def _open_of(entries: list[Entry]) -> list[Entry]:
    global _open_index
    cached = _open_index
    if cached is None or cached[0] is not entries:
        cached = _open_index = (entries, [e for e in entries if e.is_open])
    return list(cached[1])


def _refuse_nul_outcome(outcome: Outcome) -> None:
    refuse_nul({"outcome": outcome.summary, "learning": outcome.learning, "next step": outcome.next,
                "delta": outcome.delta, "duration": outcome.duration, "source": outcome.source})


class Journal:
    """One ``experiments/`` folder: journal.md, lessons.md and assets/."""

    def __init__(self, directory: str | os.PathLike) -> None:
        self.directory = Path(directory)
        self.lock = DirLock(self.directory / ".expjournal.lock")
        self.journal_file = TextFile(self.directory / "journal.md", self.lock)
        self.lessons_file = TextFile(self.directory / "lessons.md", self.lock)
        self.assets_dir = self.directory / "assets"
        self._review: tuple[tuple, Review] | None = None

    @classmethod
    def find(cls, start: str | os.PathLike | None = None, explicit: str | os.PathLike | None = None) -> "Journal":
        """The journal for a working directory (see :mod:`.location`)."""
        return cls(find_experiments_dir(start, explicit))

    # -- reading -----------------------------------------------------------

    @property
    def journal_path(self) -> Path:
        return self.journal_file.path

    @property
    def lessons_path(self) -> Path:
        return self.lessons_file.path

    def entries(self) -> list[Entry]:
        return self._parsed_journal()[1]

    def _parsed_journal(self) -> tuple[str, list[Entry]]:
        return self.journal_file.parsed("entries", markdown.parse_journal, markdown.extend_journal)

    def lessons(self) -> Lessons:
        return self.lessons_file.parsed("lessons", markdown.parse_lessons)[1]

    def open_entries(self) -> list[Entry]:
        return _open_of(self.entries())

    def lessons_mtime(self) -> float | None:
        try:
            return self.lessons_path.stat().st_mtime
        except OSError:
            return None

    def reminders(self, entries: list[Entry] | None = None) -> list[str]:
        entries = self.entries() if entries is None else entries
        out = []
        due = gates.lessons_reminder(gates.completed_since_lessons(entries, self.lessons(), self.lessons_mtime()))
        if due:
            out.append(due)
        for entry in _open_of(entries):
            out.append(f"'{entry.name}' ({entry.timestamp}) is still PLANNED: log its result with %result or %result --abandon")
        return out

    def resolve_open(self, name: str | None = None, preferred: str | None = None, entries: list[Entry] | None = None) -> Entry:
        """The open entry a result goes to.

        ``name`` picks by name; else ``preferred`` (the heading this kernel
        opened) if still open; else the only open entry; several open asks.
        """
        entries = self.entries() if entries is None else entries
        planned = _open_of(entries)
        if name:
            hits = [e for e in planned if normalize_key(e.name) == normalize_key(name)]
            if not hits:
                listing = ", ".join(f"'{e.name}'" for e in planned) or "none"
                raise InputError(f"no open experiment named '{name}' (open: {listing})")
            return hits[-1]
        if preferred:
            hits = [e for e in planned if e.heading == preferred]
            if hits:
                return hits[-1]
        if len(planned) == 1:
            return planned[0]
        if not planned:
            raise InputError(
                "no open experiment to complete: log one first with %%hypothesis, "
                "or record a run after the fact with %result --retro NAME"
            )
        listing = ", ".join(f"'{e.name}'" for e in planned)
        raise GateError(f"{len(planned)} experiments are open ({listing}): choose one with --name NAME")

    def to_dataframe(self):
        """One row per entry, config values and measured metrics as columns (needs pandas)."""
        try:
            import pandas as pd
        except ImportError:
            raise JournalError("to_dataframe needs pandas: pip install pandas") from None
        from .export import rows

        return pd.DataFrame(rows(self.entries()))

    # -- writing -----------------------------------------------------------

    def check(self, draft: Draft, *, parallel: bool = False, strict: bool = False, force: bool = False) -> gates.GateReport:
        """Run the gates for a draft without writing (the sidebar shows these live)."""
        validate_name(draft.name)
        return gates.check_draft(self.entries(), self.lessons(), draft, parallel=parallel, strict=strict, force=force)

    def hypothesize(
        self,
        draft: Draft,
        *,
        parallel: bool = False,
        strict: bool = False,
        force: bool = False,
        now: datetime | None = None,
    ) -> Logged:
        """Append a PLANNED entry, if the gates allow it."""
        name = validate_name(draft.name)
        refuse_nul({"hypothesis": draft.hypothesis, "change": draft.change, "expected outcome": draft.expected,
                    "baseline": draft.baseline, "config": markdown.render_config(draft.config), **draft.extra})
        if not markdown.canonical(draft.hypothesis):
            raise InputError(f"'{name}' has no hypothesis: write what you expect to happen and why")
        seen = self.entries()
        report = self._refuse(gates.check_draft(seen, self.lessons(), draft, parallel=parallel, strict=strict, force=force))
        self._ensure_dir()
        with self.lock:
            text, entries = self._parsed_journal()
            if entries is not seen:  # another writer got in between: check again
                report = self._refuse(gates.check_draft(entries, self.lessons(), draft, parallel=parallel, strict=strict, force=force))
            fields = [
                ("Status", PLANNED),
                ("Hypothesis", draft.hypothesis),
                ("Change", draft.change or "; ".join(i.describe() for i in draft.changed)),
                ("Config", markdown.render_config(draft.config)),
                ("Expected outcome", draft.expected),
                ("Baseline", draft.baseline),
                *draft.extra.items(),
            ]
            stamp = now_stamp(now)
            self._append_entry(text, stamp, name, fields)
            entry = self._find_written(stamp, name)
        return Logged(entry, report.warnings, report)

    def complete(
        self,
        outcome: Outcome,
        *,
        name: str | None = None,
        preferred: str | None = None,
        result_value: object = None,
    ) -> Logged:
        """Mark the open entry COMPLETED and attach the outcome at its end."""
        _refuse_nul_outcome(outcome)
        self.resolve_open(name, preferred)  # refuse before creating anything
        self._ensure_dir()
        with self.lock:
            text, entries = self._parsed_journal()
            entry = self.resolve_open(name, preferred, entries)
            assets: list[Path] = []
            try:
                fields, assets = self._result_fields(entry, outcome, result_value)
                self._rewrite(text, entries, entry, markdown.splice_result(text, entry, COMPLETED, fields))
            except BaseException:
                self._remove(assets)
                raise
            done = self._find_written(entry.timestamp, entry.name, prefer_index=entry.index)
        return Logged(done, assets=assets)

    def abandon(self, reason: str, *, name: str | None = None, preferred: str | None = None, learning: str = "") -> Logged:
        """Mark the open entry ABANDONED, saying why (an honest close)."""
        refuse_nul({"reason": reason, "learning": learning})
        reason = markdown.canonical(reason or "")
        if not reason:
            raise InputError("say why the experiment is abandoned: %result --abandon \"reason\"")
        self.resolve_open(name, preferred)
        self._ensure_dir()
        with self.lock:
            text, entries = self._parsed_journal()
            entry = self.resolve_open(name, preferred, entries)
            fields = [("Actual outcome", f"Abandoned: {reason}"), ("Learning", learning)]
            self._rewrite(text, entries, entry, markdown.splice_result(text, entry, ABANDONED, fields))
            done = self._find_written(entry.timestamp, entry.name, prefer_index=entry.index)
        return Logged(done)

    def retro(
        self,
        name: str,
        outcome: Outcome,
        *,
        hypothesis: str = "",
        result_value: object = None,
        now: datetime | None = None,
    ) -> Logged:
        """Log a run after the fact, marked as such: honest beats missing."""
        name = validate_name(name)
        refuse_nul({"hypothesis": hypothesis})
        _refuse_nul_outcome(outcome)
        self._ensure_dir()
        with self.lock:
            text, _ = self._parsed_journal()
            stamp = now_stamp(now)
            probe = Entry(stamp, name)
            assets: list[Path] = []
            try:
                result, assets = self._result_fields(probe, outcome, result_value)
                fields = [
                    ("Status", COMPLETED),
                    ("Logged", "retrospectively, after the run: no hypothesis was written first"),
                    ("Hypothesis", hypothesis),
                    *result,
                ]
                self._append_entry(text, stamp, name, fields)
            except BaseException:
                self._remove(assets)
                raise
            entry = self._find_written(stamp, name)
        return Logged(entry, assets=assets)

    def add_lesson(self, text: str, *, context: str = "", source: str = "", date: str | None = None) -> str:
        """Add a lesson bullet under ``## Lessons``; returns the line written."""
        refuse_nul({"lesson": text, "context": context, "source": source})
        text = markdown.canonical(text or "")
        if not text:
            raise InputError("a lesson needs text: %lesson \"context: what you learned\"")
        if context.strip():
            text = f"{markdown.canonical(context)}: {text}"
        bullet = markdown.render_lesson(date or datetime.now().strftime("%Y-%m-%d"), text, source)
        self._add_bullet(bullet, "lessons")
        return bullet.rstrip("\n")

    def add_rule(self, kind: str, action: str, *, reason: str = "", date: str | None = None) -> str:
        """Add a NEVER/ALWAYS rule under ``## Rules (hard-won)``."""
        refuse_nul({"rule": action, "reason": reason})
        kind = kind.upper()
        if kind not in ("NEVER", "ALWAYS"):
            raise InputError(f"a rule is NEVER or ALWAYS, not {kind!r}")
        action = markdown.canonical(action or "")
        if not action:
            raise InputError(f"a {kind} rule needs what to {'avoid' if kind == 'NEVER' else 'do'}")
        connective = "because" if kind == "NEVER" else "when"
        bullet = markdown.render_rule(kind, action, reason, connective, date or datetime.now().strftime("%Y-%m-%d"))
        self._add_bullet(bullet, "rules")
        return bullet.rstrip("\n")

    def import_document(self, doc: object) -> tuple[int, int]:
        """Add the entries, lessons and rules of a JSON export that are not here yet.

        Idempotent: an entry whose heading is already in the journal, or a lesson
        or rule already in lessons.md, is skipped. Everything is validated before
        anything is written. Returns (entries added, lessons and rules added).
        """
        entries_in, lessons_in, rules_in = _validate_document(doc)
        self._ensure_dir()
        with self.lock:
            text, entries = self._parsed_journal()
            have = {e.heading for e in entries}
            new = [(t, n, f) for t, n, f in entries_in if Entry(t, n).heading not in have]
            lessons_text = self.lessons_file.read()
            known = self.lessons()
            lesson_keys = {(l.date, l.text, l.source) for l in known.lessons}
            rule_keys = {(r.kind, r.action, r.reason, r.date) for r in known.rules}
            added_lessons = 0
            for date, body, source in lessons_in:
                if (date, markdown.canonical(body), markdown.canonical(source)) not in lesson_keys:
                    lessons_text = markdown.add_bullet(lessons_text, markdown.render_lesson(date, body, source), "lessons")
                    added_lessons += 1
            for kind, action, reason, connective, date in rules_in:
                if (kind, markdown.canonical(action), markdown.canonical(reason), date) not in rule_keys:
                    bullet = markdown.render_rule(kind, action, reason, connective or "because", date)
                    lessons_text = markdown.add_bullet(lessons_text, bullet, "rules")
                    added_lessons += 1
            chunk = ""
            for stamp, name, fields in new:
                chunk += self._entry_chunk(text + chunk, stamp, name, fields)
            if chunk:
                self.journal_file.append(chunk)
            if added_lessons:
                self.lessons_file.replace(lessons_text)
        return len(new), added_lessons

    # -- review --------------------------------------------------------------

    def review(
        self,
        n: int = 5,
        all: bool = False,
        *,
        param: str | None = None,
        since: str | None = None,
        analysis: bool = True,
    ) -> Review:
        """What a review shows; ``param`` and ``since`` narrow the entries and the analysis.

        The last answer is kept while journal.md and lessons.md are unchanged (same
        identity): the analysis is O(entries), and a notebook reviews often.
        """
        from .analysis import analyze, narrow

        entries = self.entries()
        lessons = self.lessons()
        key = (self.journal_file._identity(), self.lessons_file._identity(), n, all, param, since, analysis)
        if self._review is not None and self._review[0] == key:
            return self._review[1]
        chosen = narrow(entries, param=param, since=since)
        shown = chosen if all else chosen[-n:] if n > 0 else []
        counts = {status: 0 for status in (PLANNED, COMPLETED, ABANDONED)}
        for entry in entries:
            counts[entry.status] = counts.get(entry.status, 0) + 1
        result = Review(self.directory, entries, shown, [e for e in entries if e.is_open], lessons, self.reminders(entries), counts)
        if analysis:
            result.analysis = analyze(entries, lessons, lessons_mtime=self.lessons_mtime(), param=param, since=since)
        if key == (self.journal_file._identity(), self.lessons_file._identity(), *key[2:]):
            self._review = (key, result)
        return result

    # -- internals -----------------------------------------------------------

    @staticmethod
    def _refuse(report: gates.GateReport) -> gates.GateReport:
        if report.refusals:
            raise GateError("; ".join(report.refusals))
        return report

    def _ensure_dir(self) -> None:
        if self.directory.exists() and not self.directory.is_dir():
            raise JournalError(f"{self.directory} exists and is not a folder")
        if self.journal_path.is_dir():
            raise JournalError(f"cannot write {self.journal_path}: it is a directory")
        if not self.directory.exists():
            try:
                self.directory.mkdir(parents=True)
                (self.directory / ".gitignore").write_text(".expjournal.lock\n", encoding="utf-8")
            except OSError as exc:
                raise JournalError(describe_os_error(self.directory, exc)) from None

    def _rewrite(self, text: str, entries: list[Entry], changed: Entry, new_text: str) -> None:
        """Replace the journal after one entry changed; re-parse only from that entry on."""
        data = new_text.encode("utf-8")  # once: encoding a large journal costs as much as writing it
        self.journal_file.replace_bytes(data)
        self.journal_file.remember("entries", new_text, markdown.extend_journal(entries, new_text, keep=changed.index), data)

    def _append_entry(self, text: str, stamp: str, name: str, fields: list[tuple[str, str]]) -> None:
        chunk = self._entry_chunk(text, stamp, name, fields)
        self.journal_file.append(chunk, extend={"entries": markdown.extend_journal})

    @staticmethod
    def _entry_chunk(text: str, stamp: str, name: str, fields: list[tuple[str, str]]) -> str:
        """What appending an entry to ``text`` adds: separation in the file's style, then the entry."""
        newline = markdown.newline_of(text) if text else "\n"
        lead = ""
        if text and not text.endswith("\n"):
            lead = newline
        if text and not text.isspace() and not text.endswith(("\n\n", "\r\n\r\n")):  # = text.strip(), without copying it
            lead += newline
        if not text:
            lead = f"# Experiment journal{newline}{newline}"
        return lead + markdown.render_entry(stamp, name, fields, newline)

    def _find_written(self, stamp: str, name: str, prefer_index: int | None = None) -> Entry:
        entries = self.entries()
        if prefer_index is not None and prefer_index < len(entries):
            candidate = entries[prefer_index]
            if candidate.timestamp == stamp and candidate.name == name:
                return candidate
        for entry in reversed(entries):
            if entry.timestamp == stamp and entry.name == name:
                return entry
        raise JournalError(f"the entry '{name}' was written but cannot be read back from {self.journal_path}")

    def _add_bullet(self, bullet: str, section: str) -> None:
        self._ensure_dir()
        with self.lock:
            text = self.lessons_file.read()
            self.lessons_file.replace(markdown.add_bullet(text, bullet, section))

    def _result_fields(self, entry: Entry, outcome: Outcome, result_value: object) -> tuple[list[tuple[str, str]], list[Path]]:
        from .metrics import compare, format_delta, metrics_from_value, parse_metrics

        metrics = dict(outcome.metrics)
        if not metrics:
            if result_value is not None:
                metrics.update(metrics_from_value(result_value))
            metrics = {**parse_metrics(outcome.output), **metrics}
        summary = outcome.summary.strip()
        if not summary and outcome.error:
            summary = f"Error: {outcome.error.splitlines()[0]}"
        if not summary and metrics:
            summary = ", ".join(f"{k} = {v:.6g}" for k, v in metrics.items())
        if not summary and (outcome.output or outcome.images):
            summary = f"see the output of {outcome.source or 'the cell'} below"
        parts = [summary]
        if outcome.output.strip():
            label = f"Output of {outcome.source}:" if outcome.source else "Output:"
            # NUL bytes in captured output are shown as the NUL symbol, not refused
            parts.append(label + "\n" + fenced(cut_output(outcome.output.replace("\x00", "\u2400"))))
        assets = self._save_images(entry, outcome.images)
        alt = re.sub(r"[\[\]]", "", outcome.source or "output")
        for i, path in enumerate(assets, 1):
            parts.append(f"![{alt} figure {i}](assets/{path.name})")
        delta = outcome.delta.strip()
        if not delta:
            deltas = compare(entry.baseline, entry.expected, metrics)
            delta = format_delta(deltas) or (
                "not computed: no metric of the baseline or expected outcome was found in the output "
                "(set it with --delta)"
            )
        fields = [
            ("Actual outcome", "\n".join(p for p in parts if p)),
            ("Delta", delta),
            ("Duration", outcome.duration),
            ("Learning", outcome.learning),
            ("Next", outcome.next),
        ]
        return fields, assets

    def _save_images(self, entry: Entry, images: list[tuple[str, bytes | str]]) -> list[Path]:
        if not images:
            return []
        saved: list[Path] = []
        stem = f"{re.sub(r'[^0-9]', '', entry.timestamp)[:12]}-{slug(entry.name)}"
        try:
            self.assets_dir.mkdir(parents=True, exist_ok=True)
            for mime, data in images:
                ext = IMAGE_EXT.get(mime)
                if ext is None:
                    continue
                k = 1
                while (path := self.assets_dir / f"{stem}-{k}.{ext}").exists():
                    k += 1
                raw = data.encode("utf-8") if isinstance(data, str) else data
                TextFile(path, self.lock).replace_bytes(raw)
                saved.append(path)
        except BaseException:
            self._remove(saved)
            raise
        return saved

    @staticmethod
    def _remove(paths: list[Path]) -> None:
        for path in paths:
            try:
                path.unlink()
            except OSError:
                pass
