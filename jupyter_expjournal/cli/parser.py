"""The command line's grammar: ``jupyter expjournal [--dir DIR] COMMAND [options]``.

Only the shape of the input lives here: which subcommands and options there are,
their help. What the values mean (a lesson's options together, a ``--since``
date, an image) is the core's to decide, so argparse checks nothing the core
checks too, and the CLI refuses exactly what the magics and the REST API refuse.

Global options (``--dir``) go before or after the subcommand: people type
``jupyter expjournal list --dir X`` as often as ``jupyter expjournal --dir X list``.
"""

from __future__ import annotations

import argparse

from ..core.model import STATUSES

EPILOG = "Exit codes: 0 done; 1 check found problems; 2 bad input; 3 a gate refused; 4 journal unreadable/unwritable."
DIR_HELP = ("the project folder, its experiments/ folder or its journal.md "
            "(default: $EXPJOURNAL_DIR, else the nearest experiments/ up to the git root)")


def global_options(parser: argparse.ArgumentParser, *, default) -> None:
    """The options every subcommand takes too. After the subcommand they default to SUPPRESS,
    so one not given there leaves the value given before it; one given there wins."""
    parser.add_argument("--dir", metavar="DIR", default=default, help=DIR_HELP)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jupyter expjournal",
        description="The ML experiment journal (experiments/journal.md, lessons.md) from the command line.",
        epilog=EPILOG,
    )
    global_options(parser, default=None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, **kwargs) -> argparse.ArgumentParser:
        p = sub.add_parser(name, **kwargs)
        global_options(p, default=argparse.SUPPRESS)
        return p

    p = command("list", help="one line per entry", description="List entries, newest last.")
    p.add_argument("--status", choices=[s.lower() for s in STATUSES] + list(STATUSES), help="only entries with this status")
    p.add_argument("--since", metavar="DATE", help="only entries from this date on (2026-11-25, or 2026-11)")
    p.add_argument("--param", metavar="NAME", help="only entries that changed this parameter")
    p.add_argument("--text", metavar="TEXT",
                   help="only entries whose name, time, status, fields, metrics or config hold every word of TEXT "
                   "('accuracy = 0.975')")
    p.add_argument("--where", metavar="KEY=VALUE", action="append", help="only entries whose config has KEY=VALUE (repeat)")
    p.add_argument("--table", action="store_true",
                   help="the compare table: what each entry changed (old → new), each metric and its delta, the status")
    p.add_argument("--sort", metavar="BY", help="order by time (the default) or by a metric, best first")
    p.add_argument("--reverse", action="store_true", help="the other way round")
    p.add_argument("--json", action="store_true", help="every field, as JSON")

    p = command("show", help="one entry, as written", description="Print an entry exactly as it stands in journal.md.")
    p.add_argument("name", nargs="+", help="the entry's id (its Provenance line starts: id 3f9a1c2e), name or heading")

    p = command("review", help="recent entries, lessons, reminders and the analysis",
                description="The same review as in a notebook, as text.")
    p.add_argument("-n", type=int, default=5, help="recent entries to show (default 5)")
    p.add_argument("--all", action="store_true", help="show every entry")
    p.add_argument("--param", metavar="NAME", help="narrow to experiments that changed NAME")
    p.add_argument("--since", metavar="DATE", help="narrow to experiments from DATE on")

    command("lessons", help="the lessons and rules", description="Print lessons.md's lessons and rules.")

    command(
        "check",
        help="validate the journal (exit 1 on problems)",
        description="Check journal.md and lessons.md for the seed's mistakes: unreadable headings, no status, no hypothesis, "
        "several variables changed, no baseline, completed without a learning, lessons overdue. Exit 1 when any is found.",
    )

    p = command("format", help="rewrite older entries into the form that renders (diff first)",
                description="Put entries written in the older compact form (fields on consecutive lines, a field indented "
                "under a list item) into the form that renders on GitHub, in JupyterLab and VS Code: a blank line between "
                "fields. Only that layout changes; every entry reads the same. Prints a unified diff, then writes "
                "journal.md and lessons.md.")
    p.add_argument("--check", action="store_true", help="only print the diff, write nothing; exit 1 if anything would change")

    p = command("export", help="json, csv or markdown", description="Export the journal. JSON round-trips through 'import'.")
    p.add_argument("--format", choices=["json", "csv", "markdown"], default="json")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")

    p = command("import", help="add entries from a JSON export",
                description="Add the entries, lessons and rules of a JSON export that are not in this journal yet.")
    p.add_argument("file", help="the JSON export (- for standard input)")

    p = command("hypothesis", help="log a PLANNED experiment",
                description="Log a hypothesis before running the experiment; the same gates as in a notebook.")
    p.add_argument("name", nargs="+", help="the experiment's name")
    p.add_argument("--body", metavar="FILE", help="a body instead of the options below (- for standard input): the hypothesis, "
                   "then 'change:', 'config:', 'expected:', 'baseline:' lines")
    p.add_argument("--hypothesis", metavar="TEXT", help="what you expect to happen and why")
    p.add_argument("--change", metavar="TEXT", help="e.g. 'lr 1e-3 → 3e-4'")
    p.add_argument("--config", metavar="'KEY: OLD → NEW'", action="append",
                   help="a config row (repeat); 'KEY: VALUE' for unchanged")
    p.add_argument("--expected", metavar="TEXT", help="e.g. 'accuracy +0.01'")
    p.add_argument("--baseline", metavar="TEXT", help="e.g. 'accuracy = 0.95'")
    p.add_argument("--sweep", metavar="KEY[=V1,V2,...]", action="append",
                   help="a one-variable sweep of KEY, one entry for all its runs: its --config row lists the values "
                   "('KEY: OLD → [V1, V2, V3]'), or give them here (KEY=V1,V2,V3)")
    p.add_argument("--parallel", action="store_true", help="open it although another entry is PLANNED")
    p.add_argument("--strict", action="store_true", help="refuse several changed variables or no baseline")
    p.add_argument("--force", action="store_true", help="log despite --strict")

    p = command("result", help="complete (or abandon) the open experiment",
                description="Attach the outcome to the open experiment and mark it COMPLETED.")
    p.add_argument("--name", nargs="+", help="the open experiment, by id, name or heading (needed when several are open)")
    p.add_argument("--outcome", metavar="TEXT", help="the actual outcome in words")
    p.add_argument("--output", metavar="FILE",
                   help="a log or output file to attach (- for standard input); metrics in it are compared")
    p.add_argument("--image", metavar="FILE", action="append", help="a .png/.jpg/.svg to attach (repeat)")
    p.add_argument("--table", metavar="FILE",
                   help="a sweep's result as a CSV table: a column for the key swept, one per metric")
    p.add_argument("--delta", metavar="TEXT", help="the delta in words, where metrics do not compare")
    p.add_argument("--duration", metavar="TEXT", help="e.g. '2 h on 4 GPUs'")
    p.add_argument("--learning", metavar="TEXT", help="one sentence: what this taught you")
    p.add_argument("--next", metavar="TEXT", help="what to try next")
    p.add_argument("--abandon", metavar="REASON", help="close it as ABANDONED instead")

    p = command("lesson", help="add a lesson or a NEVER/ALWAYS rule",
                description="Add a lesson (TEXT, --context, --source), or a rule (--never X --because Y, --always X --when Y), "
                "to lessons.md.")
    p.add_argument("text", nargs="*", help="the lesson, e.g. 'QLoRA: alpha/r matters more than rank.'")
    p.add_argument("--context", metavar="C", help="a lesson's context, e.g. 'QLoRA'")
    p.add_argument("--source", metavar="S", help="where a lesson comes from, e.g. 'runs 3-5'")
    p.add_argument("--never", metavar="X", help="a rule: NEVER X")
    p.add_argument("--always", metavar="X", help="a rule: ALWAYS X")
    p.add_argument("--because", metavar="Y", help="a NEVER rule's reason")
    p.add_argument("--when", metavar="Y", help="an ALWAYS rule's condition")

    p = command(
        "mlflow-sync",
        help="mirror the journal to an MLflow tracking server",
        description="Create or update one MLflow run per journal entry: config as params, baseline/actual/delta metrics, "
        "status, hypothesis as the description, images of the experiments folder as artifacts. Idempotent: runs already "
        "up to date are left alone. Needs mlflow (pip install 'jupyter_expjournal[mlflow]').",
    )
    p.add_argument("--tracking-uri", metavar="URI",
                   help="the tracking server, e.g. http://mlflow.example:5000 (default: $MLFLOW_TRACKING_URI)")
    p.add_argument("--experiment", metavar="NAME",
                   help="the MLflow experiment, created if missing (default: the project folder's name)")

    p = command("mcp", help="serve the journal to AI agents (MCP over stdio)",
                description="An MCP server over standard input and output for AI agents (Claude Code, VS Code, Cursor, "
                "jupyter-ai): tools plan_experiment, log_result, abandon_experiment, add_lesson, add_rule, review, "
                "list_entries, show_entry, check_journal, with the same gates as a notebook; the journal and the lessons "
                "as resources. Needs the mcp extra (pip install 'jupyter_expjournal[mcp]').")
    p.add_argument("--strict", action="store_true",
                   help="refuse several changed variables or no baseline (force=true logs anyway)")

    p = command("merge-driver", help="git's merge driver for journal.md and lessons.md (git-setup registers it)",
                description="Merge THEIRS into OURS (written in place) entry by entry, as git calls a merge driver "
                "(%O %A %B %P). Exit 0: merged; 1: an entry changed differently on both sides (markers around it).")
    p.add_argument("base", help="the common ancestor's version (%%O)")
    p.add_argument("ours", help="our version, where the result goes (%%A)")
    p.add_argument("theirs", help="their version (%%B)")
    p.add_argument("path", nargs="?", help="the file's path in the repository (%%P), for messages")
    p.add_argument("--marker-size", type=int, metavar="N", help="conflict marker length (%%L, default 7)")
    command("git-setup", help="let git merge the journal entry by entry",
            description="Register the merge driver for this repository: journal.md and lessons.md in .gitattributes, "
            "the driver in .git/config. Idempotent; says what it changed.")
    return parser
