"""What the core tells a person, as data: a sentence plus the ways out, named by no face.

A refusal, a warning or a reminder is a :class:`Notice`: a face-neutral sentence
("experiment 'x' is still PLANNED"), which gate said it, which entries it is
about, and the ways out as action names (:data:`LOG_RESULT`, :data:`ABANDON`,
...). Each face words the ways out in its own vocabulary: magic options in a
notebook, subcommands and flags in a terminal, buttons in the sidebar and the
panel, tool names for an agent. So the core never names a control that the
person in front of another face does not have.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# -- ways out: what a person can do next ------------------------------------------------

#: Complete the open entry with its result.
LOG_RESULT = "log-result"
#: Close the open entry as ABANDONED, saying why.
ABANDON = "abandon"
#: Open this experiment although another is still PLANNED.
PARALLEL = "parallel"
#: Log despite strict mode.
FORCE = "force"
#: Say which of several open experiments is meant.
CHOOSE_ENTRY = "choose-entry"
#: Log a hypothesis before the run.
NEW_HYPOTHESIS = "new-hypothesis"
#: Record a run that had no hypothesis, after the fact.
RETRO = "retro"
#: Distill a lesson or a NEVER/ALWAYS rule.
ADD_LESSON = "add-lesson"

#: The ways out in words that name no face's controls: what ``str(notice)`` says.
NEUTRAL = {
    LOG_RESULT: "log its result first",
    ABANDON: "abandon it with a reason",
    PARALLEL: "open this one in parallel",
    FORCE: "force it to log anyway",
    CHOOSE_ENTRY: "name the experiment meant",
    NEW_HYPOTHESIS: "log a hypothesis first",
    RETRO: "record the run after the fact, marked retrospective",
    ADD_LESSON: "distill a lesson or a NEVER/ALWAYS rule",
}

# -- gates: which rule spoke --------------------------------------------------------------

OPEN_ENTRY = "open-entry"  # a result is logged before the next experiment
ONE_VARIABLE = "one-variable"  # one variable per experiment
BASELINE = "baseline"  # record the baseline
REPEAT = "repeat"  # review before the next experiment: this change was tried
WHICH_ENTRY = "which-entry"  # several open, none chosen
LESSONS_DUE = "lessons-due"  # distill lessons every few experiments


@dataclass(frozen=True)
class Notice:
    """One thing the core says: ``text``, then the ways out in the face's own words."""

    text: str
    ways_out: tuple[str, ...] = ()
    gate: str = ""
    entries: tuple[str, ...] = ()  # the entries it is about, as identity.ref names them (id, else heading)

    def words(self, vocabulary: Mapping[str, str] | None = None) -> str:
        """The notice as one sentence, its ways out worded by ``vocabulary`` (a face's)."""
        if not self.ways_out:
            return self.text
        vocabulary = vocabulary or NEUTRAL
        ways = [vocabulary.get(way) or NEUTRAL[way] for way in self.ways_out]
        return f"{self.text}: {join_or(ways)}"

    def __str__(self) -> str:
        return self.words()

    def __contains__(self, text: str) -> bool:
        """``"no baseline" in notice``: a notice reads as its neutral sentence."""
        return text in self.words()

    def to_json(self) -> dict:
        """The notice for a front end that words it itself (the sidebar)."""
        return {"gate": self.gate, "text": self.text, "ways_out": list(self.ways_out), "entries": list(self.entries),
                "message": self.words()}


def join_or(items: list[str]) -> str:
    """``a``, ``a or b``, ``a, or b, or c``: ways out read as alternatives."""
    if len(items) <= 2:
        return " or ".join(items)
    return ", or ".join(items)
