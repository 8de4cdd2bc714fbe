"""The command line: ``jupyter expjournal ...`` (also ``python -m jupyter_expjournal``).

The seed's whole workflow without a notebook, for terminals, scripts, pre-commit
and CI, on the same core as the magics.

Exit codes: 0 done; 1 ``check`` found problems; 2 bad input or usage (nothing
written); 3 a gate refused (nothing written); 4 the journal cannot be read or
written (a message says why).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

import jupyter_expjournal.render as render
from ..core import export
from ..core.analysis import narrow
from ..core.checks import check_journal, check_lessons
from ..core.draft import parse_body, parse_config_lines
from ..core.errors import GateError, InputError, JournalError
from ..core.journal import Journal
from ..core.model import STATUSES, Draft, Outcome
from ..core.provenance import collect
from ..core.store import describe_os_error

EXIT_OK, EXIT_PROBLEMS, EXIT_INPUT, EXIT_GATE, EXIT_IO = 0, 1, 2, 3, 4


def _read(path: str) -> str:
    """Text from a file, or from standard input for ``-``."""
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None


def _entries(journal: Journal, args) -> list:
    entries = narrow(journal.entries(), param=getattr(args, "param", None), since=getattr(args, "since", None))
    if getattr(args, "status", None):
        entries = [e for e in entries if e.status == args.status.upper()]
    if getattr(args, "text", None):
        needle = args.text.casefold()
        entries = [e for e in entries if any(needle in v.casefold() for v in (e.name, *e.fields.values()))]
    return entries


# -- subcommands ----------------------------------------------------------------

def cmd_list(journal: Journal, args) -> int:
    entries = _entries(journal, args)
    if args.json:
        print(json.dumps([export.entry(e) for e in entries], ensure_ascii=False, indent=1))
        return EXIT_OK
    for e in entries:
        outcome = e.delta or e.summary_outcome() or e.expected
        print(f"{e.timestamp}  {e.status or '?':<9}  {e.name}" + (f"  — {render.first_line(outcome, 80)}" if outcome else ""))
    if not entries:
        print("no entries" + (" match" if any(getattr(args, k, None) for k in ("status", "since", "param", "text")) else ""))
    return EXIT_OK


def cmd_show(journal: Journal, args) -> int:
    name = " ".join(args.name)
    hits = [e for e in journal.entries() if e.name.casefold() == name.casefold() or e.heading == name]
    if not hits:
        raise InputError(f"no entry named {name!r}")
    text = journal.journal_file.read()
    for e in hits:
        print(text[e.span[0] : e.span[1]].rstrip())
    return EXIT_OK


def cmd_review(journal: Journal, args) -> int:
    print(render.review_text(journal.review(n=args.n, all=args.all, param=args.param, since=args.since)))
    return EXIT_OK


def cmd_lessons(journal: Journal, args) -> int:
    lessons = journal.lessons()
    lines = render.lessons_lines(lessons)
    print("\n".join(lines) if lines else "no lessons or rules yet")
    return EXIT_OK


def cmd_check(journal: Journal, args) -> int:
    text, entries = journal.parsed()
    problems = check_journal(text, entries, str(journal.journal_path))
    problems += check_lessons(journal.lessons_file.read(), journal.lessons(), entries, journal.lessons_mtime(), str(journal.lessons_path))
    for problem in problems:
        print(problem)
    n = len(problems)
    print(f"{len(entries)} entries checked: " + (f"{n} problem{'s' if n != 1 else ''}" if n else "no problems"), file=sys.stderr)
    return EXIT_PROBLEMS if problems else EXIT_OK


def cmd_export(journal: Journal, args) -> int:
    out = io.StringIO()
    if args.format == "json":
        json.dump(export.document(journal.entries(), journal.lessons()), out, ensure_ascii=False, indent=1)
        out.write("\n")
    elif args.format == "csv":
        rows = export.rows(journal.entries())
        columns = list(dict.fromkeys(k for row in rows for k in row))
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    else:
        out.write(journal.journal_file.read())
        lessons = journal.lessons_file.read()
        if lessons:
            out.write("\n" + lessons)
    if args.output and args.output != "-":
        try:
            Path(args.output).write_text(out.getvalue(), encoding="utf-8")
        except OSError as exc:
            raise JournalError(describe_os_error(Path(args.output), exc)) from None
    else:
        sys.stdout.write(out.getvalue())
    return EXIT_OK


def cmd_import(journal: Journal, args) -> int:
    try:
        doc = json.loads(_read(args.file))
    except json.JSONDecodeError as exc:
        raise InputError(f"{args.file} is not JSON: {exc}") from None
    entries, lessons = journal.import_document(doc)
    print(f"imported {entries} entries and {lessons} lessons/rules into {journal.directory}")
    return EXIT_OK


def cmd_hypothesis(journal: Journal, args) -> int:
    name = " ".join(args.name)
    if args.body:
        draft = parse_body(name, _read(args.body))
    else:
        config = parse_config_lines("\n".join(f"- {c}" for c in args.config)) if args.config else []
        draft = Draft(name, args.hypothesis or "", args.change or "", config, args.expected or "", args.baseline or "")
    draft.extra.setdefault("Provenance", collect(journal.directory.parent).describe())
    logged = journal.hypothesize(draft, parallel=args.parallel, strict=args.strict, force=args.force)
    for line in render.gate_lines(logged.report):
        print(line)
    print(f"logged PLANNED '{logged.entry.name}' ({logged.entry.timestamp}) in {journal.journal_path}")
    return EXIT_OK


IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}


def cmd_result(journal: Journal, args) -> int:
    name = " ".join(args.name) if args.name else None
    if args.abandon:
        logged = journal.abandon(args.abandon, name=name, learning=args.learning or "")
        print(f"'{logged.entry.name}' ABANDONED")
        return EXIT_OK
    images = []
    for path in args.image or []:
        mime = IMAGE_TYPES.get(Path(path).suffix.lower())
        if mime is None:
            raise InputError(f"--image {path}: only .png, .jpg and .svg files can be attached")
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise InputError(f"--image {path}: {exc.strerror}") from None
        images.append((mime, data.decode("utf-8", "replace") if mime == "image/svg+xml" else data))
    outcome = Outcome(
        summary=args.outcome or "",
        output=_read(args.output) if args.output else "",
        images=images,
        delta=args.delta or "",
        learning=args.learning or "",
        next=args.next or "",
        duration=args.duration or "",
        source=args.output if args.output and args.output != "-" else "",
    )
    if not (outcome.summary or outcome.output or images):
        raise InputError("a result needs --outcome TEXT, --output FILE (or - for standard input), or --image FILE")
    logged = journal.complete(outcome, name=name)
    print(f"'{logged.entry.name}' {logged.entry.status}: {render.first_line(logged.entry.delta, 200)}")
    return EXIT_OK


def cmd_lesson(journal: Journal, args) -> int:
    if args.never or args.always:
        if args.text:
            raise InputError("a rule takes its text after --never/--always")
        line = journal.add_rule("NEVER" if args.never else "ALWAYS", args.never or args.always, reason=args.because or args.when or "")
    else:
        line = journal.add_lesson(" ".join(args.text), context=args.context or "", source=args.source or "")
    print(line)
    return EXIT_OK


def cmd_mlflow_sync(journal: Journal, args) -> int:
    from ..mlflow_bridge import sync as mlflow_sync  # mlflow is imported only here: the rest of the CLI never needs it

    report = mlflow_sync.sync(journal, args.tracking_uri, args.experiment)
    print("\n".join(report.lines()))
    return EXIT_OK


# -- parser -----------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jupyter expjournal",
        description="The ML experiment journal (experiments/journal.md, lessons.md) from the command line.",
        epilog="Exit codes: 0 done; 1 check found problems; 2 bad input; 3 a gate refused; 4 journal unreadable/unwritable.",
    )
    parser.add_argument("--dir", help="the experiments folder (default: $EXPJOURNAL_DIR, else the nearest experiments/ up to the git root)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def filters(p):
        p.add_argument("--status", choices=[s.lower() for s in STATUSES] + list(STATUSES), help="only entries with this status")
        p.add_argument("--since", metavar="DATE", help="only entries from this date on (2026-11-25, or 2026-11)")
        p.add_argument("--param", metavar="NAME", help="only entries that changed this parameter")
        p.add_argument("--text", metavar="TEXT", help="only entries whose name or fields contain TEXT")

    p = sub.add_parser("list", help="one line per entry", description="List entries, newest last.")
    filters(p)
    p.add_argument("--json", action="store_true", help="every field, as JSON")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("show", help="one entry, as written", description="Print an entry exactly as it stands in journal.md.")
    p.add_argument("name", nargs="+", help="the entry's name (or its 'date — name' heading)")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("review", help="recent entries, lessons, reminders and the analysis", description="The same review as %review, as text.")
    p.add_argument("-n", type=int, default=5, help="recent entries to show (default 5)")
    p.add_argument("--all", action="store_true", help="show every entry")
    p.add_argument("--param", metavar="NAME", help="narrow to experiments that changed NAME")
    p.add_argument("--since", metavar="DATE", help="narrow to experiments from DATE on")
    p.set_defaults(func=cmd_review)

    p = sub.add_parser("lessons", help="the lessons and rules", description="Print lessons.md's lessons and rules.")
    p.set_defaults(func=cmd_lessons)

    p = sub.add_parser(
        "check",
        help="validate the journal (exit 1 on problems)",
        description="Check journal.md and lessons.md for the seed's mistakes: unreadable headings, no status, no hypothesis, "
        "several variables changed, no baseline, completed without a learning, lessons overdue. Exit 1 when any is found.",
    )
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("export", help="json, csv or markdown", description="Export the journal. JSON round-trips through 'import'.")
    p.add_argument("--format", choices=["json", "csv", "markdown"], default="json")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import", help="add entries from a JSON export", description="Add the entries, lessons and rules of a JSON export that are not in this journal yet.")
    p.add_argument("file", help="the JSON export (- for standard input)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("hypothesis", help="log a PLANNED experiment", description="Log a hypothesis before running the experiment; the same gates as %%hypothesis.")
    p.add_argument("name", nargs="+", help="the experiment's name")
    p.add_argument("--body", metavar="FILE", help="a %%hypothesis body (- for standard input) instead of the options below")
    p.add_argument("--hypothesis", metavar="TEXT", help="what you expect to happen and why")
    p.add_argument("--change", metavar="TEXT", help="e.g. 'lr 1e-3 → 3e-4'")
    p.add_argument("--config", metavar="'KEY: OLD → NEW'", action="append", help="a config row (repeat); 'KEY: VALUE' for unchanged")
    p.add_argument("--expected", metavar="TEXT", help="e.g. 'accuracy +0.01'")
    p.add_argument("--baseline", metavar="TEXT", help="e.g. 'accuracy = 0.95'")
    p.add_argument("--parallel", action="store_true", help="open it although another entry is PLANNED")
    p.add_argument("--strict", action="store_true", help="refuse several changed variables or no baseline")
    p.add_argument("--force", action="store_true", help="log despite --strict")
    p.set_defaults(func=cmd_hypothesis)

    p = sub.add_parser("result", help="complete (or abandon) the open experiment", description="Attach the outcome to the open experiment and mark it COMPLETED.")
    p.add_argument("--name", nargs="+", help="the open experiment (needed when several are open)")
    p.add_argument("--outcome", metavar="TEXT", help="the actual outcome in words")
    p.add_argument("--output", metavar="FILE", help="a log or output file to attach (- for standard input); metrics in it are compared")
    p.add_argument("--image", metavar="FILE", action="append", help="a .png/.jpg/.svg to attach (repeat)")
    p.add_argument("--delta", metavar="TEXT", help="the delta in words, where metrics do not compare")
    p.add_argument("--duration", metavar="TEXT", help="e.g. '2 h on 4 GPUs'")
    p.add_argument("--learning", metavar="TEXT", help="one sentence: what this taught you")
    p.add_argument("--next", metavar="TEXT", help="what to try next")
    p.add_argument("--abandon", metavar="REASON", help="close it as ABANDONED instead")
    p.set_defaults(func=cmd_result)

    p = sub.add_parser("lesson", help="add a lesson or a NEVER/ALWAYS rule", description="Add a lesson, or a rule, to lessons.md.")
    p.add_argument("text", nargs="*", help="the lesson, e.g. 'QLoRA: alpha/r matters more than rank.'")
    p.add_argument("--context", metavar="C")
    p.add_argument("--source", metavar="S")
    rule = p.add_mutually_exclusive_group()
    rule.add_argument("--never", metavar="X", help="a rule: NEVER X")
    rule.add_argument("--always", metavar="X", help="a rule: ALWAYS X")
    reason = p.add_mutually_exclusive_group()
    reason.add_argument("--because", metavar="Y")
    reason.add_argument("--when", metavar="Y")
    p.set_defaults(func=cmd_lesson)

    p = sub.add_parser(
        "mlflow-sync",
        help="mirror the journal to an MLflow tracking server",
        description="Create or update one MLflow run per journal entry: config as params, baseline/actual/delta metrics, "
        "status, hypothesis as the description, images as artifacts. Idempotent: runs already up to date are left alone. "
        "Needs mlflow (pip install 'jupyter_expjournal[mlflow]').",
    )
    p.add_argument("--tracking-uri", metavar="URI",
                   help="the tracking server, e.g. http://mlflow.example:5000 (default: $MLFLOW_TRACKING_URI)")
    p.add_argument("--experiment", metavar="NAME", help="the MLflow experiment, created if missing (default: the project folder's name)")
    p.add_argument("--dir", default=argparse.SUPPRESS, help="the experiments folder (as the --dir before the command)")
    p.set_defaults(func=cmd_mlflow_sync)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        journal = Journal.find(explicit=args.dir)
        return args.func(journal, args)
    except GateError as exc:
        print(f"jupyter expjournal: refused: {exc}", file=sys.stderr)
        return EXIT_GATE
    except InputError as exc:
        print(f"jupyter expjournal: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except JournalError as exc:
        print(f"jupyter expjournal: {exc}", file=sys.stderr)
        return EXIT_IO


if __name__ == "__main__":
    sys.exit(main())
