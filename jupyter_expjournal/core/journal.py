"""The one API every face calls: open a journal, log, complete, abandon, learn, review.

A face (magics, widget, server, CLI) collects input, calls one method here, and
shows what comes back. Every method validates everything first and raises a
:class:`JournalError` before touching a file, so bad input never writes.
"""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path

from . import gates
from .amend import closed_entry, learned
from .assets import Assets
from .config import render_config
from .draft import Learned, refuse_non_text, refuse_result_fields, validate_name
from .errors import GateError, InputError, JournalError, describe_os_error
from .identity import identified, ref, resolve
from .index import index_of
from .journal_format import entry_chunk, extend_journal, extend_tail, parse_journal, result_block, tail_start
from .lessons_format import add_bullet, merge_bullets, parse_lessons, render_lesson, render_rule
from .location import find_experiments_dir
from .lock import DirLock
from .model import ABANDONED, COMPLETED, PLANNED, Draft, Entry, Lessons, Logged, Outcome, Review
from .notices import Notice
from .results import result_fields  # a sweep's table and best value, else the outcome's
from .snapshot import Snapshot
from .store import SETTLE_SECONDS, TextFile
from .text import Splice, canonical, newline_of

# analysis and metrics are imported where used: %load_ext needs neither (it must stay under 30 ms)


def now_stamp(now: datetime | None = None) -> str:
    return (now or datetime.now()).strftime("%Y-%m-%d %H:%M")


def _open_of(entries: list[Entry]) -> list[Entry]:
    """The open (PLANNED) entries of a parsed list, from its index (a write does not scan every entry)."""
    return list(index_of(entries).open)


def _warm(entries: list[Entry]) -> None:
    """Compute what every read asks of each entry (what the gates ask), so that a cached parse carries it;
    what only a review asks (the metrics measured, the analysis' facts) comes with the review's own save."""
    for entry in entries:
        _ = entry.status, entry.signature


def _refuse_non_text_outcome(outcome: Outcome) -> None:
    refuse_non_text({"outcome": outcome.summary, "learning": outcome.learning, "next step": outcome.next,
                "delta": outcome.delta, "duration": outcome.duration, "source": outcome.source})


class Journal:
    """One ``experiments/`` folder: journal.md, lessons.md and assets/."""

    def __init__(self, directory: str | os.PathLike) -> None:
        self.directory = Path(directory)
        self.lock = DirLock(self.directory / ".expjournal.lock")
        self.journal_file = TextFile(self.directory / "journal.md", self.lock, persist=True)
        self.lessons_file = TextFile(self.directory / "lessons.md", self.lock)
        self.assets_dir = self.directory / "assets"
        self.assets = Assets(self.assets_dir, self.lock, self.journal_file)
        self._review: tuple[tuple, Review] | None = None

    @classmethod
    def find(cls, start: str | os.PathLike | None = None, explicit: str | os.PathLike | None = None) -> Journal:
        """The journal for a working directory (see :mod:`.location`)."""
        return cls(find_experiments_dir(start, explicit))

    # -- reading -----------------------------------------------------------

    @property
    def journal_path(self) -> Path:
        return self.journal_file.path

    @property
    def lessons_path(self) -> Path:
        return self.lessons_file.path

    def entries(self, *, derived: bool = False) -> list[Entry]:
        """journal.md's entries; ``derived``: with what was derived from each (the analysis' facts, the
        parsed config) loaded from the parse cache, before a face asks it of every entry."""
        entries = self.journal_file.snapshot("entries", parse_journal, extend_journal).value
        if derived:
            self.journal_file.complete("entries")
        self.journal_file.save_parse("entries", _warm)  # once, after a full parse of a large journal
        return entries

    def parsed(self) -> tuple[str, list[Entry]]:
        """journal.md's text and its entries, parsed from that very text."""
        parsed = self.journal_file.parsed("entries", parse_journal, extend_journal)
        self.journal_file.save_parse("entries", _warm)  # once, after a full parse of a large journal
        return parsed

    def lessons(self) -> Lessons:
        return self.lessons_file.parsed("lessons", parse_lessons)[1]

    def open_entries(self) -> list[Entry]:
        return _open_of(self.entries())

    def lessons_mtime(self) -> float | None:
        try:
            return self.lessons_path.stat().st_mtime
        except OSError:
            return None

    def reminders(self, entries: list[Entry] | None = None) -> list[Notice]:
        entries = self.entries() if entries is None else entries
        out = []
        due = gates.lessons_reminder(gates.completed_since_lessons(entries, self.lessons(), self.lessons_mtime()))
        if due:
            out.append(due)
        out.extend(gates.still_open(entry) for entry in _open_of(entries))
        return out

    def resolve_open(self, name: str | None = None, preferred: str | None = None, entries: list[Entry] | None = None) -> Entry:
        """The open entry a result goes to: ``name`` as typed, else ``preferred`` (the id of the entry this
        face opened itself), else the only open one (:func:`~.identity.resolve` says how)."""
        entries = self.entries() if entries is None else entries
        return resolve(entries, _open_of(entries), name, preferred, self.journal_path.name)

    def to_dataframe(self):
        """One row per entry, config values and measured metrics as columns (needs pandas)."""
        from .export import dataframe

        return dataframe(self.entries())

    # -- writing -----------------------------------------------------------

    def check(self, draft: Draft, *, parallel: bool = False, strict: bool = False, force: bool = False) -> gates.GateReport:
        """Run the gates for a draft without writing (the sidebar shows these live)."""
        validate_name(draft.name)
        refuse_result_fields(draft)
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
        refuse_result_fields(draft)
        refuse_non_text({"hypothesis": draft.hypothesis, "change": draft.change, "expected outcome": draft.expected,
                    "baseline": draft.baseline, "config": render_config(draft.config), **draft.extra})
        if not canonical(draft.hypothesis):
            raise InputError(f"'{name}' has no hypothesis: write what you expect to happen and why")
        if not self.directory.is_dir():  # nothing to read: refuse before creating the folder
            self._refuse(gates.check_draft([], self.lessons(), draft, parallel=parallel, strict=strict, force=force))
            self._ensure_dir()
        with self.lock:  # the gates read the journal once, under the lock: what they see is what the append extends
            current = self.journal_file.snapshot("entries", parse_journal, extend_journal)
            entries = current.value
            report = self._refuse(
                gates.check_draft(entries, self.lessons(), draft, parallel=parallel, strict=strict, force=force)
            )
            fields = [
                ("Status", PLANNED),
                ("Hypothesis", draft.hypothesis),
                ("Change", draft.change or "; ".join(i.describe() for i in draft.changed)),
                ("Config", render_config(draft.config)),
                ("Expected outcome", draft.expected),
                ("Baseline", draft.baseline),
                *draft.extra.items(),
            ]
            fields = identified(fields, index_of(entries).ids, name=name)
            stamp = now_stamp(now)
            entry, after = self._append_entry(current, stamp, name, fields)
        return Logged(entry, report.warnings, report, entries=after)

    def complete(
        self,
        outcome: Outcome,
        *,
        name: str | None = None,
        preferred: str | None = None,
        result_value: object = None,
    ) -> Logged:
        """Mark the open entry COMPLETED and attach the outcome at its end."""
        _refuse_non_text_outcome(outcome)
        self._resolve_before_writing(name, preferred)
        with self.lock:
            assets: list[Path] = []
            committed = False
            try:
                if outcome.images:  # saved before the journal names them, named for the entry
                    assets = self.assets.save(self._resolve_settled(name, preferred), outcome.images)
                names = [p.name for p in assets]
                done, after = self._change_entry(
                    name, preferred, COMPLETED, lambda e: result_fields(e, outcome, result_value, names)
                )
                committed = True
            finally:
                if not committed:
                    self.assets.remove_unnamed(assets)
        return Logged(done, assets=assets, entries=after)

    def abandon(self, reason: str, *, name: str | None = None, preferred: str | None = None, learning: str = "") -> Logged:
        """Mark the open entry ABANDONED, saying why (an honest close)."""
        refuse_non_text({"reason": reason, "learning": learning})
        reason = canonical(reason or "")
        if not reason:
            raise InputError("say why the experiment is abandoned: a reason is needed")
        self._resolve_before_writing(name, preferred)
        with self.lock:
            fields = [("Actual outcome", f"Abandoned: {reason}"), ("Learning", learning)]
            done, after = self._change_entry(name, preferred, ABANDONED, lambda _e: fields)
        return Logged(done, entries=after)

    def add_learning(self, name: str, learning: str, next_: str = "") -> Logged:
        """Add the Learning and Next a closed entry lacks (:mod:`.amend`: one it has is refused, never replaced)."""
        fields = learned(learning, next_)
        self._ensure_dir()
        with self.lock:
            find = lambda entries: closed_entry(entries, name, fields, self.journal_path.name)  # noqa: E731
            done, after = self._rewrite_entry(find, None, lambda _e: fields)
        return Logged(done, entries=after)

    def _resolve_before_writing(self, name: str | None, preferred: str | None) -> None:
        """Refuse a result with no entry to go to before creating anything (the folder, its lock).

        Only when there is no folder yet: otherwise the entry is found under the
        lock, in the very text the result is spliced into (one read, not two).
        """
        if not self.directory.is_dir():
            self._resolve_settled(name, preferred)
        self._ensure_dir()

    def _resolve_settled(self, name: str | None, preferred: str | None) -> Entry:
        """:meth:`resolve_open`, looking again when the refusal came from a file another program was saving."""
        for _ in range(5):
            try:
                return self.resolve_open(name, preferred)
            except JournalError:
                seen = self.journal_file.read_bytes()
                time.sleep(SETTLE_SECONDS)
                if self.journal_file.read_bytes() == seen:
                    raise
        return self.resolve_open(name, preferred)

    def _change_entry(self, name: str | None, preferred: str | None, status: str, fields_for) -> tuple[Entry, list[Entry]]:
        """Set the open entry's status and add ``fields_for(entry)`` at its end, compare-and-swap.

        Under the lock. The entry is found again in the text being rewritten, so
        a hand edit saved meanwhile is kept and the result still lands in its entry.
        """
        return self._rewrite_entry(lambda entries: self.resolve_open(name, preferred, entries), status, fields_for)

    def _rewrite_entry(self, find, status: str | None, fields_for) -> tuple[Entry, list[Entry]]:
        """Set the Status of the entry ``find(entries)`` picks (None: keep its own) and add its fields, compare-and-swap."""
        changed: list = []

        def build(current: Snapshot) -> Splice:
            entries = current.value
            entry = find(entries)
            changed[:] = [entries, entry]
            start, end = entry.span
            block = result_block(current.slice(start, end), status or entry.status, fields_for(entry),
                                 newline_of(current.sample()), end == current.length)
            return Splice(start, end, block)

        written = self.journal_file.rewrite(build, key="entries", parse=parse_journal, extend=extend_journal)
        entries, entry = changed
        after = extend_tail(entries, written.tail(tail_start(entries, entry.index)), keep=entry.index)
        self.journal_file.remember("entries", written.with_value(after))
        return self._find_written(entry.timestamp, entry.name, prefer_index=entry.index, entries=after), after

    def retro(
        self,
        name: str,
        outcome: Outcome,
        *,
        hypothesis: str = "",
        result_value: object = None,
        now: datetime | None = None,
        provenance: str = "",
    ) -> Logged:
        """Log a run after the fact, marked as such: honest beats missing."""
        name = validate_name(name)
        refuse_non_text({"hypothesis": hypothesis, "provenance": provenance})
        _refuse_non_text_outcome(outcome)
        self._ensure_dir()
        with self.lock:
            current = self.journal_file.snapshot("entries", parse_journal, extend_journal)
            stamp = now_stamp(now)
            probe = Entry(stamp, name)
            assets: list[Path] = []
            committed = False
            try:
                assets = self.assets.save(probe, outcome.images)
                result = result_fields(probe, outcome, result_value, [p.name for p in assets])
                fields = [
                    ("Status", COMPLETED),
                    ("Logged", "retrospectively, after the run: no hypothesis was written first"),
                    ("Hypothesis", hypothesis),
                    ("Provenance", provenance),
                    *result,
                ]
                fields = identified(fields, index_of(current.value).ids, name=name)
                entry, after = self._append_entry(current, stamp, name, fields)
                committed = True
            finally:
                if not committed:
                    self.assets.remove_unnamed(assets)
        return Logged(entry, assets=assets, entries=after)

    def learn(self, request: Learned) -> str:
        """Write what :func:`~.draft.lesson_request` made of a face's options; returns the line written."""
        if request.kind == "lesson":
            return self.add_lesson(request.text, context=request.context, source=request.source)
        return self.add_rule(request.kind, request.text, reason=request.reason)

    def add_lesson(self, text: str, *, context: str = "", source: str = "", date: str | None = None) -> str:
        """Add a lesson bullet under ``## Lessons``; returns the line written."""
        refuse_non_text({"lesson": text, "context": context, "source": source})
        text = canonical(text or "")
        if not text:
            raise InputError("a lesson needs text (context: what you learned)")
        if context.strip():
            text = f"{canonical(context)}: {text}"
        bullet = render_lesson(date or datetime.now().strftime("%Y-%m-%d"), text, source)
        self._add_bullet(bullet, "lessons")
        return bullet.rstrip("\n")

    def add_rule(self, kind: str, action: str, *, reason: str = "", date: str | None = None) -> str:
        """Add a NEVER/ALWAYS rule under ``## Rules (hard-won)``."""
        refuse_non_text({"rule": action, "reason": reason})
        kind = kind.upper()
        if kind not in ("NEVER", "ALWAYS"):
            raise InputError(f"a rule is NEVER or ALWAYS, not {kind!r}")
        action = canonical(action or "")
        if not action:
            raise InputError(f"{'a' if kind == 'NEVER' else 'an'} {kind} rule needs what to"
                             f" {'avoid' if kind == 'NEVER' else 'do'}")
        connective = "because" if kind == "NEVER" else "when"
        bullet = render_rule(kind, action, reason, connective, date or datetime.now().strftime("%Y-%m-%d"))
        self._add_bullet(bullet, "rules")
        return bullet.rstrip("\n")

    def import_document(self, doc: object) -> tuple[int, int]:
        """Add the entries, lessons and rules of a JSON export that are not here yet.

        Idempotent: an entry whose id (else heading) is already in the journal, or a lesson
        or rule already in lessons.md, is skipped. Everything is validated before
        anything is written. Returns (entries added, lessons and rules added).
        """
        from .export import validate_document  # the JSON shapes: only an import needs them

        entries_in, lessons_in, rules_in = validate_document(doc)
        self._ensure_dir()
        with self.lock:
            text, entries = self.parsed()
            # the same entry: the same id, else (none) the same heading; two of a sweep share a heading, not an id
            have = {ref(e) for e in entries}
            new = [(t, n, f) for t, n, f in entries_in if ref(Entry(t, n, dict(f))) not in have]
            lessons_read = self.lessons_file.read()
            lessons_text, added_lessons = merge_bullets(lessons_read, self.lessons(), lessons_in, rules_in)
            chunk = ""
            for stamp, name, fields in new:
                chunk += entry_chunk(text + chunk, stamp, name, fields)
            if chunk:
                self.journal_file.append(chunk)
            if added_lessons:
                read = lessons_read

                def build(now: str) -> str:
                    if now != read:  # changed since it was read: add the same bullets to what is there now
                        raise JournalError(f"{self.lessons_path} changed during the import;"
                                           " nothing was added to it, import again")
                    return lessons_text

                self.lessons_file.rewrite(build)
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

        whole = param is None and since is None  # the analysis of every entry: what a fresh process may find kept
        entries = self.entries(derived=analysis and not whole or param is not None)
        lessons = self.lessons()
        key = (self.journal_file.identity(), self.lessons_file.identity(), n, all, param, since, analysis)
        if self._review is not None and self._review[0] == key:
            return self._review[1]
        chosen = narrow(entries, param=param, since=since)
        shown = chosen if all else chosen[-n:] if n > 0 else []
        counts = {status: 0 for status in (PLANNED, COMPLETED, ABANDONED)}
        for entry in entries:
            counts[entry.status] = counts.get(entry.status, 0) + 1
        result = Review(self.directory, entries, shown, _open_of(entries), lessons, self.reminders(entries), counts)
        if analysis:
            mtime = self.lessons_mtime()
            if whole:
                result.analysis = self._analysis_of_all(entries, lessons, mtime)
            else:
                result.analysis = analyze(self.entries(derived=True), lessons, lessons_mtime=mtime, param=param, since=since)
        if key == (self.journal_file.identity(), self.lessons_file.identity(), *key[2:]):
            self._review = (key, result)
        return result

    # -- internals -----------------------------------------------------------

    def _analysis_of_all(self, entries: list[Entry], lessons: Lessons, mtime: float | None):
        """The analysis of every entry, from the sums an earlier process kept when they still fit.

        They are kept for all entries but the last (which an append may
        continue), so they fit every later version that only grew: what is
        new is added to them. Made afresh (every entry's facts loaded), they are
        kept for the next process; and again when many entries were added since.
        """
        from .analysis import FACTS, Sums

        sums = self.journal_file.kept_beside("entries", "analysis", FACTS)
        fresh = not (isinstance(sums, Sums) and sums.fits(entries))
        if fresh:
            entries = self.entries(derived=True)
            sums = Sums()
        stable = len(entries) - 1
        if sums.count < stable:
            added = stable - sums.count
            sums.add(entries[sums.count : stable])
            if fresh or added > max(100, stable // 20):
                self.journal_file.keep_beside("entries", "analysis", FACTS, sums, stable, entries[stable].span[0])
        sums.add(entries[sums.count :])
        if fresh:  # every entry's facts were derived: keep them with the parse, for a narrowed review
            self.journal_file.save_parse("entries", _warm, derived=True)
        return sums.analysis(entries, lessons, mtime)

    @staticmethod
    def _refuse(report: gates.GateReport) -> gates.GateReport:
        if report.refusals:
            raise GateError(report.refusals)
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

    def _append_entry(self, current: Snapshot, stamp: str, name: str, fields: list[tuple[str, str]]) -> tuple[Entry, list[Entry]]:
        """Append an entry to journal.md as it is (``current``); the entry as written, and the entries after.

        Only the file's end is looked at (from its last entry on): the rest of
        an 8 MB journal is neither copied nor read again.
        """
        entries = current.value
        keep = len(entries) - 1  # the last entry is read again: the chunk follows it
        tail = current.tail(tail_start(entries, keep))
        chunk = entry_chunk(tail, stamp, name, fields, newline=newline_of(current.sample()) if current.length else "\n")
        after = extend_tail(entries, tail + chunk, keep)
        self.journal_file.append(chunk, after={"entries": (entries, after)})
        return self._find_written(stamp, name, entries=after), after

    def _find_written(self, stamp: str, name: str, prefer_index: int | None = None, entries: list[Entry] | None = None) -> Entry:
        """The entry just written, from ``entries`` (the parse of what was written), else the file now."""
        entries = self.entries() if entries is None else entries
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
            self.lessons_file.rewrite(lambda text: add_bullet(text, bullet, section))
