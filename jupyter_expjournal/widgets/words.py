"""The ways out of a refusal, a warning or a reminder, in the panel's own words.

The core says what is wrong and names the ways out as actions
(:mod:`~jupyter_expjournal.core.notices`); each face words them as its own
controls. Here that is the panel's tabs, buttons and tick boxes: someone in
VS Code or Colab with only this panel has no use for ``%result --abandon``.
Every message, gate line and reminder the panel shows is worded with
:data:`WORDS`.
"""

from __future__ import annotations

from ..core.notices import ABANDON, ADD_LESSON, CHOOSE_ENTRY, FORCE, LOG_RESULT, NEW_HYPOTHESIS, PARALLEL, RETRO

WORDS = {
    LOG_RESULT: "log its result first (Result tab → Attach)",
    ABANDON: "abandon it (Result tab → Abandon, with a reason)",
    PARALLEL: "tick 'parallel' to run experiments side by side",
    FORCE: "tick 'force' to log it anyway",
    CHOOSE_ENTRY: "choose it under 'experiment' in the Result tab",
    NEW_HYPOTHESIS: "log one first in the Hypothesis tab",
    RETRO: "log the run without one (Result tab → After the fact, with a name)",
    ADD_LESSON: "add a lesson or rule in the Lesson tab",
}
