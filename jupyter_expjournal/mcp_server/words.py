"""The ways out of a refusal, a warning or a reminder, in an agent's words: the tools it can call.

The core says what is wrong and names the ways out as actions
(:mod:`jupyter_expjournal.core.notices`); each face words them as its own
controls. An agent's controls are this server's tools and their arguments, so
a refusal reads "call log_result ... or abandon_experiment ..., or pass
parallel=true", never a notebook magic or a CLI flag it does not have.
"""

from __future__ import annotations

from ..core.notices import ABANDON, ADD_LESSON, CHOOSE_ENTRY, FORCE, LOG_RESULT, NEW_HYPOTHESIS, PARALLEL, RETRO

#: The MCP vocabulary: a way out (a :mod:`~jupyter_expjournal.core.notices` name) -> the words for it.
WORDS = {
    LOG_RESULT: "call log_result with its outcome first",
    ABANDON: "call abandon_experiment with a reason",
    PARALLEL: "pass parallel=true to run experiments side by side",
    FORCE: "pass force=true to log it anyway",
    CHOOSE_ENTRY: "pass name= one of them (its id)",
    NEW_HYPOTHESIS: "call plan_experiment first",
    # No tool logs a run after the fact: what an agent can do for a run already done.
    RETRO: "for a run already done, call plan_experiment and then log_result, saying so in the hypothesis",
    ADD_LESSON: "call add_lesson (or add_rule for a NEVER/ALWAYS rule)",
}
