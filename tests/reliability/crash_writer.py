"""The writer the crash test kills: a known sequence of journal writes, resumable from any state.

Experiment ``i`` is three writes: its hypothesis (an append to journal.md), its
result (a rewrite of journal.md) and its lesson (a rewrite of lessons.md). Every
byte is determined by ``i`` (fixed clock, fixed texts), so the test can compute
each state a writer may leave behind and demand that the files are exactly one.
Some entries are large (tens of kB, several pages), where a torn write would show.

Usage: ``python crash_writer.py FOLDER COUNT``: prints ``ready`` once the journal
is read, then does whatever writes remain.
"""

import sys
from datetime import datetime

from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.model import Draft, Outcome

NOW = datetime(2026, 1, 2, 3, 4)


def name(i: int) -> str:
    return f"exp {i:04d}"


def hypothesis(journal: Journal, i: int) -> None:
    big = "\n".join(f"line {k} of the long hypothesis of {name(i)}" for k in range(1500)) if i % 7 == 3 else ""
    draft = Draft(
        name=name(i),
        hypothesis=f"Hypothesis of {name(i)}: a rate of {i + 1} is better.\n{big}".strip(),
        change=f"rate {i} → {i + 1}",
        expected="acc +0.01",
        baseline="acc = 0.5",
        extra={"Provenance": f"id {i:08x}"},  # a fixed id: every byte is known
    )
    journal.hypothesize(draft, parallel=True, now=NOW)


def result(journal: Journal, i: int) -> None:
    output = "\n".join(f"step {k}: loss {1 / (k + 1):.4f}  ({name(i)})" for k in range(40 if i % 5 else 400))
    journal.complete(
        Outcome(output=f"{output}\nacc = 0.{i:04d}", learning=f"learned from {name(i)}", next=f"after {name(i)}",
                duration="1.0 s"),
        name=name(i),
    )


def lesson(journal: Journal, i: int) -> None:
    journal.add_lesson(f"lesson of {name(i)}", source=f"{name(i)}", date="2026-01-02")


STEPS = (hypothesis, result, lesson)


def run(folder: str, count: int, ready=lambda: None) -> None:
    journal = Journal(folder)
    entries = {e.name: e for e in journal.entries()}
    lessons = {lesson.text for lesson in journal.lessons().lessons}
    ready()
    for i in range(count):
        entry = entries.get(name(i))
        if entry is None:
            hypothesis(journal, i)
        if entry is None or entry.is_open:
            result(journal, i)
        if f"lesson of {name(i)}" not in lessons:
            lesson(journal, i)


if __name__ == "__main__":
    run(sys.argv[1], int(sys.argv[2]), lambda: print("ready", flush=True))
