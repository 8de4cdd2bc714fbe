"""What an agent reads besides the tools: the server's instructions, the two files, and the loop as a prompt.

The discipline this project implements (DESIGN.md, the seed) was written for
agents: read the journal, write the hypothesis before running, log the result
before the next run, distill lessons. Here it is in the tools' own names, for
a client to show the model when it connects (``instructions``) or when a person
picks the prompt.
"""

from __future__ import annotations

#: URI, name and description of each resource (the text is read from the file at each read).
JOURNAL_URI, LESSONS_URI = "expjournal://journal.md", "expjournal://lessons.md"
RESOURCES = (
    (JOURNAL_URI, "journal.md",
     "experiments/journal.md: every experiment as it was planned and what came of it, append-only (read-only here: "
     "write through plan_experiment, log_result and abandon_experiment)"),
    (LESSONS_URI, "lessons.md",
     "experiments/lessons.md: the lessons distilled and the NEVER/ALWAYS rules (read-only here: write through "
     "add_lesson and add_rule)"),
)

INSTRUCTIONS = (
    "An ML experiment journal in plain Markdown (experiments/journal.md and lessons.md), shared with the people "
    "and notebooks of this project. No new experiment without logging the hypothesis first: call review, then "
    "plan_experiment before running anything, then log_result (or abandon_experiment) before the next one; "
    "every 3-5 experiments, add_lesson or add_rule. Refusals say which tool or argument opens the way."
)

PROMPT_NAME = "experiment_loop"
PROMPT_HELP = "The experiment loop of this journal: review, plan, run, log the result, distill lessons."

LOOP = """\
Keep this project's ML experiment journal as you work. Every experiment is a hypothesis tested: make the \
sequence visible and persistent, so that you learn from experiments instead of just running them.

1. Review first. Call review (or read the journal.md and lessons.md resources): what was tried, what worked, \
which rules apply. You should be able to say why the next experiment differs from the earlier ones.
2. No new experiment without logging the hypothesis first. Before you change a hyperparameter, swap a \
dataset, try an architecture or change a training recipe, call plan_experiment with:
   - name: a short name;
   - hypothesis: what you expect to happen and why;
   - change and config: exactly what is modified, one variable at a time (config: key → "old → new", \
and key → "value" for what stays);
   - expected: a specific metric target (eval_acc +0.02);
   - baseline: the current best metric to beat (eval_acc = 0.78): memory is unreliable.
   To try ONE variable at several values, plan one sweep, not one experiment per value: pass sweep \
("gamma=0.001,0.01,0.1", or {"key": "gamma", "values": [0.001, 0.01, 0.1]}), the values fixed before you run.
   Read the warnings it returns (several variables, no baseline, already tried, rules that apply) before you run.
3. Run the experiment.
4. Log the result before starting the next experiment: call log_result with the outcome (metrics written as \
name = value, so the Delta is computed against the baseline and the expectation), a one-sentence learning, \
and what to try next; attach figures with images. A sweep's outcome names each value beside its metrics, a line \
per run (gamma=0.001 accuracy=0.97), or pass its table: the entry gets the table, the best value and the curve. \
If the run is not worth finishing, call abandon_experiment with the reason.
5. Every 3-5 experiments, or when a pattern emerges, distill: add_lesson (context: lesson, and its source), \
or add_rule for a hard-won rule: NEVER X because Y, ALWAYS X when Y. A 200-entry journal is noise; lessons \
are signal.
6. Before closing a series, call check_journal and fix what it finds.

A refusal names its way out (the tool to call or the argument to pass): follow it, never edit journal.md by \
hand to get around a gate."""


def loop_prompt(goal: str = "") -> str:
    """The loop, with what the person wants to try when they said it."""
    return LOOP + (f"\n\nWhat to work on: {goal.strip()}" if goal and goal.strip() else "")
