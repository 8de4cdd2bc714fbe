"""``jupyter expjournal format [--check]``: older entries rewritten into the form that renders.

The diff comes first, on standard output, as ``git diff`` shows one; then the
files are written (journal.md and lessons.md, under the folder's lock, as a
compare-and-swap rewrite). With ``--check`` nothing is written: the diff is
shown and the exit code is 1 when anything would change (for CI and
pre-commit), so ``format --check`` is also the way to look before writing.
What changes and what never does is the core's rule (:mod:`..core.reformat`).
"""

from __future__ import annotations

import sys

import jupyter_expjournal.render as render

from ..core.journal import Journal
from ..core.reformat import reformat


def cmd_format(journal: Journal, args) -> bool:
    """Show the diff, then write it (or, with ``--check``, only show it); True when ``--check`` found changes."""
    shown = reformat(journal, write=False)
    for result in shown:
        sys.stdout.write(result.diff())
    sys.stdout.flush()  # seen before the write waits for the folder's lock
    results = shown
    if not args.check and any(r.changed for r in shown):
        results = reformat(journal, write=True)  # built again under the lock, from the files as they are then
        for before, result in zip(shown, results):
            if (result.before, result.after) != (before.before, before.after):
                print(f"{result.path} was saved meanwhile: what was written instead:", file=sys.stderr)
                sys.stdout.write(result.diff())
    changed = [r for r in results if r.changed]
    for r in changed:
        what = render.entries_count(r.touched) if r.path == journal.journal_path else render.plural(
            r.touched, "lesson or rule", "lessons and rules")
        print(f"{r.path}: {what} {'would be reformatted' if args.check else 'reformatted'}", file=sys.stderr)
    if not changed:
        print("nothing to reformat: every entry is in the form that renders", file=sys.stderr)
    elif args.check:
        print("run 'jupyter expjournal format' to write these changes", file=sys.stderr)
    return bool(changed) and args.check
