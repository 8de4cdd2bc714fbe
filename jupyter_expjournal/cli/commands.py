"""The subcommands: each reads its arguments, calls the core, prints what comes back.

No rule lives here. Which lesson options go together, what a ``--since`` date
or an image file must be, what a ``--text`` filter searches: the core decides,
as it does for the magics and the REST API. What the core says is worded with
the CLI's vocabulary (:mod:`.words`). A command returns True when it found
problems (``check``); errors are raised, and :mod:`.main` turns them into exit codes.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import jupyter_expjournal.render as render
import jupyter_expjournal.sweep_curve as sweep_curve

from ..core import compare, export
from ..core.checks import check_journal, check_lessons
from ..core.draft import lesson_request, parse_body, parse_config_lines
from ..core.errors import InputError, JournalError, describe_os_error
from ..core.identity import matching, ref
from ..core.journal import Journal
from ..core.model import Draft, Outcome
from ..core.outcome import read_image_file
from ..core.provenance import collect
from ..core.sweep import plan_sweep
from ..core.sweep_result import table_rows
from .agent import cmd_mcp
from .git_merge import cmd_git_setup, cmd_merge_driver
from .reformat import cmd_format
from .words import WORDS


def read_text(path: str) -> str:
    """Text from a file, or from standard input for ``-``."""
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None


def read_image(path: str) -> tuple[str, bytes | str]:
    """An ``--image`` file as the core checks it: a known type whose bytes are that type."""
    return read_image_file(path, f"--image {path}")


def cmd_list(journal: Journal, args) -> None:
    how = dict(status=args.status, params=args.where or (), text=args.text, param=args.param, since=args.since,
               sort=args.sort, reverse=args.reverse)  # the core's selection: the same in every face
    if args.table:
        table = compare.select(journal.entries(), **how)
        entries = [row.entry for row in table.rows]
    else:
        entries = compare.choose(journal.entries(), **how)  # no compare rows for a list
    if args.json:
        print(json.dumps([export.entry(e) for e in entries], ensure_ascii=False, indent=1))
        return
    if args.table and entries:
        print(render.compare_text(table))
        return
    for e in entries:
        outcome = e.delta or e.summary_outcome() or e.expected
        print(f"{e.timestamp}  {e.status or '?':<9}  {e.name}" + (f"  — {render.first_line(outcome, 80)}" if outcome else ""))
    if not entries:
        print("no entries" + (" match" if any((args.status, args.since, args.param, args.text, args.where)) else ""))


def cmd_show(journal: Journal, args) -> None:
    name = " ".join(args.name)
    text, entries = journal.parsed()
    hits = matching(entries, name)  # every entry it names: an id, a heading, or a name several may share
    if not hits:
        raise InputError(f"no entry named {name!r}")
    for e in hits:
        print(text[e.span[0] : e.span[1]].rstrip())


def cmd_review(journal: Journal, args) -> None:
    print(render.review_text(journal.review(n=args.n, all=args.all, param=args.param, since=args.since), WORDS))


def cmd_lessons(journal: Journal, args) -> None:
    lines = render.lessons_lines(journal.lessons())
    print("\n".join(lines) if lines else "no lessons or rules yet")


def cmd_check(journal: Journal, args) -> bool:
    text, entries = journal.parsed()
    problems = check_journal(text, entries, str(journal.journal_path))
    problems += check_lessons(journal.lessons_file.read(), journal.lessons(), entries, journal.lessons_mtime(),
                              str(journal.lessons_path))
    for problem in problems:
        print(problem.words(WORDS))
    n = len(problems)
    print(f"{render.entries_count(len(entries))} checked: " + (render.plural(n, "problem") if n else "no problems"),
          file=sys.stderr)
    return bool(problems)


def cmd_export(journal: Journal, args) -> None:
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


def cmd_import(journal: Journal, args) -> None:
    try:
        doc = json.loads(read_text(args.file))
    except json.JSONDecodeError as exc:
        raise InputError(f"{args.file} is not JSON: {exc}") from None
    entries, lessons = journal.import_document(doc)
    print(f"imported {render.entries_count(entries)} and {lessons} lessons/rules into {journal.directory}")


def cmd_hypothesis(journal: Journal, args) -> None:
    name = " ".join(args.name)
    if args.body:
        draft = parse_body(name, read_text(args.body))
    else:
        config = parse_config_lines("\n".join(f"- {c}" for c in args.config)) if args.config else []
        draft = Draft(name, args.hypothesis or "", args.change or "", config, args.expected or "", args.baseline or "")
    if args.sweep:
        draft = plan_sweep(draft, args.sweep)
    draft.extra.setdefault("Provenance", collect(journal.directory.parent).describe())
    logged = journal.hypothesize(draft, parallel=args.parallel, strict=args.strict, force=args.force)
    for line in render.gate_lines(logged.report, WORDS):
        print(line)
    print(f"logged PLANNED {render.named(logged.entry)} in {journal.journal_path}")


def cmd_result(journal: Journal, args) -> None:
    name = " ".join(args.name) if args.name else None
    if args.abandon:
        logged = journal.abandon(args.abandon, name=name, learning=args.learning or "")
        print(f"'{logged.entry.name}' ABANDONED")
        return
    images = [read_image(path) for path in args.image or []]
    entry = table = None
    if args.table:  # checked against the open entry's sweep before anything is written
        entry = journal.resolve_open(name)
        table = table_rows(entry, read_text(args.table), args.table)
    outcome = Outcome(
        summary=args.outcome or "",
        output=read_text(args.output) if args.output else "",
        images=images,
        delta=args.delta or "",
        learning=args.learning or "",
        next=args.next or "",
        duration=args.duration or "",
        source=args.output if args.output and args.output != "-" else f"table {args.table}" if args.table else "",
    )
    if not (outcome.summary or outcome.output or images or table):
        raise InputError("a result needs --outcome TEXT, --output FILE (or - for standard input), --table FILE "
                         "or --image FILE")
    entry = entry or journal.resolve_open(name)
    outcome = sweep_curve.attach_for(entry, outcome, table)  # a sweep's curve, saved and linked with the result
    logged = journal.complete(outcome, name=ref(entry), result_value=table)
    print(f"'{logged.entry.name}' {logged.entry.status}: {render.first_line(logged.entry.delta, 200)}")


def cmd_lesson(journal: Journal, args) -> None:
    request = lesson_request(" ".join(args.text), context=args.context or "", source=args.source or "",
                             never=args.never or "", always=args.always or "", because=args.because or "",
                             when=args.when or "")
    print(journal.learn(request))


def cmd_mlflow_sync(journal: Journal, args) -> None:
    from ..mlflow_bridge.sync import sync  # mlflow is imported only here: the rest of the CLI never needs it

    report = sync(journal, args.tracking_uri, args.experiment)
    print("\n".join(report.lines()))


#: Subcommand name -> what runs it.
COMMANDS = {
    "list": cmd_list,
    "show": cmd_show,
    "review": cmd_review,
    "lessons": cmd_lessons,
    "check": cmd_check,
    "format": cmd_format,
    "export": cmd_export,
    "import": cmd_import,
    "hypothesis": cmd_hypothesis,
    "result": cmd_result,
    "lesson": cmd_lesson,
    "mlflow-sync": cmd_mlflow_sync,
    "mcp": cmd_mcp,
    "merge-driver": cmd_merge_driver,
    "git-setup": cmd_git_setup,
}
