"""The command line: ``jupyter expjournal ...`` (also ``python -m jupyter_expjournal``).

The seed's whole workflow without a notebook, for terminals, scripts, pre-commit
and CI, on the same core as the magics. :mod:`.parser` holds the grammar,
:mod:`.commands` the subcommands, :mod:`.words` the CLI's words for the core's
ways out; here the journal is found and errors become exit codes, each with one
line on standard error.

Exit codes: 0 done; 1 ``check`` found problems; 2 bad input or usage (nothing
written); 3 a gate refused (nothing written); 4 the journal cannot be read or
written (a message says why).
"""

from __future__ import annotations

import sys

from ..core.errors import GateError, InputError, JournalError
from ..core.journal import Journal
from .commands import COMMANDS
from .parser import build_parser
from .words import WORDS

EXIT_OK, EXIT_PROBLEMS, EXIT_INPUT, EXIT_GATE, EXIT_IO = 0, 1, 2, 3, 4
PROG = "jupyter expjournal"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        journal = Journal.find(explicit=args.dir)  # the project folder, experiments/ or journal.md (core.location.named_dir)
        problems = COMMANDS[args.command](journal, args)
    except GateError as exc:
        print(f"{PROG}: refused: {exc.words(WORDS)}", file=sys.stderr)
        return EXIT_GATE
    except InputError as exc:
        print(f"{PROG}: {exc.words(WORDS)}", file=sys.stderr)
        return EXIT_INPUT
    except JournalError as exc:
        print(f"{PROG}: {exc.words(WORDS)}", file=sys.stderr)
        return EXIT_IO
    return EXIT_PROBLEMS if problems else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
