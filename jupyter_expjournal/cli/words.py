"""The command line's words for the core's ways out: what a person at a terminal types next.

The core says what is wrong and names the ways out as actions
(:mod:`jupyter_expjournal.core.notices`); each face words them in its own
vocabulary. This is the one place the CLI does, so every refusal, warning and
reminder it prints names a subcommand or a flag, never a notebook magic.
"""

from __future__ import annotations

from ..core import notices

#: The CLI vocabulary: a way out (a :mod:`~jupyter_expjournal.core.notices` name) -> the words for it.
WORDS = {
    notices.LOG_RESULT: "log its result first (jupyter expjournal result --outcome ...)",
    notices.ABANDON: "close it with jupyter expjournal result --abandon REASON",
    notices.PARALLEL: "add --parallel to run experiments side by side",
    notices.FORCE: "add --force to log it anyway",
    notices.CHOOSE_ENTRY: "choose one with --name NAME",
    notices.NEW_HYPOTHESIS: "log one first with jupyter expjournal hypothesis NAME",
    # The CLI has no retrospective entry: what it can do for a run already done.
    notices.RETRO: "record a run already done the same way: hypothesis, then result",
    notices.ADD_LESSON: "add one with jupyter expjournal lesson TEXT, or a rule with lesson --never/--always ...",
}
