"""The CLI words the core's refusals, warnings and reminders in its own vocabulary.

The core says what is wrong and names the ways out as actions; in a terminal a
way out is a subcommand or a flag, never a magic (``%result``, ``%%hypothesis``)
the person in front of a terminal does not have.
"""

import re

from jupyter_expjournal.core import notices
from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.model import Outcome

MAGIC = re.compile(r"%%?[a-z]")


def no_magic(*texts):
    for text in texts:
        assert not MAGIC.search(text), text


def one_line(err):
    assert err.count("\n") == 1 and err.startswith("jupyter expjournal: "), err


def test_every_way_out_has_cli_words():
    from jupyter_expjournal.cli.words import WORDS

    ways = {v for k, v in vars(notices).items() if k.isupper() and isinstance(v, str) and k != "NEUTRAL"
            and v in notices.NEUTRAL}
    assert set(WORDS) == ways == set(notices.NEUTRAL)
    no_magic(*WORDS.values())


def test_open_entry_refusal_names_the_cli_ways_out(run):
    assert run("hypothesis", "first", "--hypothesis", "h", "--baseline", "a = 1")[0] == 0
    before = (run.dir / "journal.md").read_bytes()
    code, out, err = run("hypothesis", "second", "--hypothesis", "h", "--baseline", "a = 1")
    assert code == 3 and out == ""
    one_line(err)
    assert "'first'" in err and "still PLANNED" in err
    assert "jupyter expjournal result --outcome" in err
    assert "jupyter expjournal result --abandon REASON" in err
    assert "--parallel" in err
    no_magic(out, err)
    assert (run.dir / "journal.md").read_bytes() == before


def test_several_open_refusal_asks_for_name(run):
    run("hypothesis", "first", "--hypothesis", "h", "--baseline", "a = 1")
    assert run("hypothesis", "second", "--hypothesis", "h", "--baseline", "a = 1", "--parallel")[0] == 0
    for argv in (["result", "--outcome", "a = 2"], ["result", "--abandon", "why"]):
        code, out, err = run(*argv)
        assert code == 3 and out == ""
        assert re.search(r"2 experiments are open \('first' id [0-9a-f]{8}, 'second' id [0-9a-f]{8}\)", err), err
        one_line(err)
        assert "--name NAME" in err
        no_magic(err)
    assert run("result", "--outcome", "a = 2", "--name", "first")[0] == 0


def test_no_open_entry_points_to_the_hypothesis_subcommand(run):
    code, out, err = run("result", "--outcome", "a = 2")
    assert code == 2 and out == "" and "no open experiment to complete" in err
    one_line(err)
    assert "jupyter expjournal hypothesis NAME" in err
    no_magic(err)
    code, out, err = run("result", "--abandon", "why")
    assert code == 2 and "jupyter expjournal hypothesis NAME" in err
    no_magic(err)
    assert not run.dir.exists()


def test_strict_mode_refusals_name_force(run):
    code, out, err = run("hypothesis", "x", "--hypothesis", "h", "--strict")
    assert code == 3 and out == "" and "no baseline recorded" in err and "(strict mode)" in err
    one_line(err)
    assert "add --force" in err
    no_magic(err)
    code, out, err = run("hypothesis", "x", "--hypothesis", "h", "--config", "lr: 1 → 2", "--config", "bs: 1 → 2", "--strict")
    assert code == 3 and err.count("add --force") == 2 and "2 variables change at once" in err
    one_line(err)
    no_magic(err)
    assert not run.dir.exists()
    code, out, err = run("hypothesis", "x", "--hypothesis", "h", "--strict", "--force")
    assert code == 0 and "! no baseline recorded" in out
    no_magic(out, err)


def test_warnings_reminders_and_the_empty_review(run):
    code, out, err = run("review")
    assert code == 0 and "No entries yet: log one first with jupyter expjournal hypothesis NAME." in out
    no_magic(out)
    code, out, err = run("hypothesis", "x", "--hypothesis", "h")
    assert code == 0 and "! no baseline recorded" in out
    no_magic(out, err)
    code, out, err = run("review")
    assert "'x' (" in out and "is still PLANNED: log its result first (jupyter expjournal result --outcome" in out
    assert "jupyter expjournal result --abandon REASON" in out
    no_magic(out)


def test_lessons_overdue_names_the_lesson_subcommand(run):
    journal = Journal(run.dir)
    for i in range(4):
        run("hypothesis", f"e{i}", "--hypothesis", "h", "--change", f"lr {i} → {i + 1}", "--baseline", "acc = 0.5")
        journal.complete(Outcome(summary="acc = 0.6", learning="l"))
    code, out, err = run("check")
    assert code == 1 and "4 experiments completed since the last lesson" in out
    assert "jupyter expjournal lesson" in out
    code, out, err = run("review")
    assert "4 experiments completed since the last lesson" in out and "jupyter expjournal lesson" in out
    no_magic(out, err)
