"""Every refusal and every bad argument: a tool error that says why and the way out in tool names; nothing written.

One server for the module (``agent``); a second one in strict mode for the
strict gate. Entries opened by someone else are opened through the CLI, in-process,
on the same folder: another face of the same journal.
"""

from __future__ import annotations

import re

import pytest
from mcp_client import Agent, refused_untouched

from jupyter_expjournal.cli import main as cli
from jupyter_expjournal.core.journal import Journal

PLAN = {"name": "lr 3e-4", "hypothesis": "A lower lr steadies training.", "change": "lr 1e-3 → 3e-4",
        "expected": "loss -0.05", "baseline": "loss = 0.40"}


def opened_elsewhere(agent, name: str) -> str:
    """An entry opened by another face (the CLI) in the same journal; its id."""
    assert cli(["--dir", str(agent.folder), "hypothesis", name, "--hypothesis", "h", "--baseline", "b", "--parallel"]) == 0
    return Journal(agent.folder).entries()[-1].id


def test_no_open_experiment_to_complete(agent):
    said = refused_untouched(agent, "log_result", {"outcome": "loss = 0.3"})
    assert said == ("no open experiment to complete: call plan_experiment first or for a run already done, call"
                    " plan_experiment and then log_result, saying so in the hypothesis")
    assert not agent.folder.exists()  # not even the folder


def test_the_open_entry_gate_names_the_tools_that_open_the_way(agent):
    agent.ok("plan_experiment", PLAN)
    said = refused_untouched(agent, "plan_experiment", {**PLAN, "name": "lr 1e-4"})
    assert re.fullmatch(
        r"refused: experiment 'lr 3e-4' \(\d{4}-\d\d-\d\d \d\d:\d\d\) is still PLANNED: call log_result with its outcome"
        r" first, or call abandon_experiment with a reason, or pass parallel=true to run experiments side by side;"
        r" nothing was written", said)
    assert "%result" not in said and "--" not in said  # no notebook magic, no CLI flag
    agent.ok("plan_experiment", {**PLAN, "name": "lr 1e-4", "parallel": True})
    # two open, both planned here: the last one is this session's own
    assert agent.ok("log_result", {"outcome": "loss = 0.38"}).startswith("'lr 1e-4' COMPLETED")
    assert agent.ok("log_result", {"outcome": "loss = 0.36"}).startswith("'lr 3e-4' COMPLETED")


def test_several_open_elsewhere_asks_which(agent):
    first, second = opened_elsewhere(agent, "batch 64"), opened_elsewhere(agent, "batch 128")
    said = refused_untouched(agent, "log_result", {"outcome": "loss = 0.3"})
    assert said.startswith("refused: 2 experiments are open (") and said.endswith(
        "): pass name= one of them (its id); nothing was written")
    assert first in said and second in said
    assert agent.ok("log_result", {"outcome": "loss = 0.3", "name": second}).startswith("'batch 128' COMPLETED")
    said = refused_untouched(agent, "abandon_experiment", {"reason": "r", "name": "batch 128"})
    assert said == f"'batch 128' id {second} is not open: it is COMPLETED (open: 'batch 64' id {first})"
    assert agent.ok("abandon_experiment", {"reason": "superseded", "name": first}).startswith("'batch 64' ABANDONED")


def test_an_entry_closed_elsewhere_is_not_replaced_by_another(agent):
    agent.ok("plan_experiment", {**PLAN, "name": "dropout 0.1"})
    assert cli(["--dir", str(agent.folder), "result", "--name", "dropout", "0.1", "--outcome", "closed by hand"]) == 0
    other = opened_elsewhere(agent, "someone else's")
    said = refused_untouched(agent, "log_result", {"outcome": "loss = 0.3"})
    assert re.fullmatch(rf"refused: 'dropout 0.1' id [0-9a-f]{{8}}, the experiment opened here, was closed elsewhere"
                        rf" \(it is COMPLETED\); another is completed only when named \('someone else's' id {other}\):"
                        r" pass name= one of them \(its id\); nothing was written", said)
    agent.ok("abandon_experiment", {"reason": "cleanup", "name": other})


def test_abandon_needs_a_reason(agent):
    agent.ok("plan_experiment", {**PLAN, "name": "warmup"})
    assert refused_untouched(agent, "abandon_experiment", {"reason": "  "}) == (
        "say why the experiment is abandoned: a reason is needed")
    agent.ok("abandon_experiment", {"reason": "no time"})


@pytest.mark.parametrize("tool, arguments, says", [
    # wrong types
    ("plan_experiment", {**PLAN, "parallel": "yes"}, "plan_experiment: 'parallel' must be true or false, not \"yes\""),
    ("plan_experiment", {**PLAN, "name": 5}, "plan_experiment: 'name' must be a string, not 5"),
    ("plan_experiment", {**PLAN, "config": ["lr: 1e-3 → 3e-4"]},
     "plan_experiment: 'config' must be an object of key → value strings, not [\"lr: 1e-3 → 3e-4\"]"),
    ("plan_experiment", {**PLAN, "config": {"lr": 0.001}},
     "plan_experiment: 'config': the value of \"lr\" must be a string ('old → new' or 'value'), not 0.001"),
    ("log_result", {"outcome": "x", "images": "plot.png"}, "log_result: 'images' must be a list of strings, not \"plot.png\""),
    ("review", {"n": "5"}, "review: 'n' must be a whole number, 0 or more, not \"5\""),
    ("review", {"n": -1}, "review: 'n' must be a whole number, 0 or more, not -1"),
    ("review", {"n": True}, "review: 'n' must be a whole number, 0 or more, not true"),
    # missing, unknown
    ("plan_experiment", {"name": "x", "hypothesis": "h"}, "plan_experiment: 'expected' is missing: the expected outcome"),
    ("plan_experiment", {**PLAN, "hypotesis": "typo"}, "plan_experiment: no argument \"hypotesis\" (it takes name, "
     "hypothesis, change, config, expected, baseline, parallel, force, sweep)"),
    ("check_journal", {"verbose": True}, "check_journal: no argument \"verbose\" (it takes none)"),
    ("delete_journal", {}, "no tool named \"delete_journal\": the tools are plan_experiment, log_result,"),
    # what the values mean: the core's rules, in the core's words
    ("plan_experiment", {**PLAN, "hypothesis": "   "}, "'lr 3e-4' has no hypothesis: write what you expect to happen and why"),
    ("plan_experiment", {**PLAN, "name": ""}, "an experiment needs a name"),
    ("plan_experiment", {**PLAN, "name": "two\nlines"}, "the experiment name must be one line"),
    ("plan_experiment", {**PLAN, "hypothesis": "nul \x00 byte"}, "the hypothesis contains a NUL byte"),
    ("plan_experiment", {**PLAN, "config": {"lr": "(none) → (none)"}}, "config line 'lr' (lr) needs an old or a new value"),
    ("plan_experiment", {**PLAN, "config": {"lr": "1e-3\n3e-4"}}, "config 'lr': a config row is one line, key and value"),
    ("plan_experiment", {**PLAN, "config": {"a: b": "1"}}, "config key 'a: b' cannot be written as a config line"),
    ("add_rule", {"kind": "SOMETIMES", "text": "x", "reason": "y"},
     "add_rule: 'kind' must be NEVER or ALWAYS, not \"SOMETIMES\""),
    ("add_rule", {"kind": "NEVER", "text": " ", "reason": "y"}, "a NEVER rule needs what to avoid"),
    ("add_lesson", {"text": ""}, "a lesson needs text"),
    ("add_rule", {"kind": "NEVER", "text": "x", "reason": " "}, "add_rule: 'reason' is empty: NEVER: because what"),
    ("plan_experiment", {**PLAN, "expected": "  "}, "plan_experiment: 'expected' is empty: the expected outcome"),
    ("log_result", {"outcome": "x", "images": ["a\x00.png"]}, "log_result: image 'a\\x00.png' contains a NUL byte"),
    ("log_result", {"outcome": "x", "images": [""]}, "log_result: image '' is an empty path"),
    ("log_result", {"outcome": ""}, "log_result: 'outcome' is empty: say what actually happened"),
    ("list_entries", {"status": "done"}, "status 'done' is not one of planned, completed, abandoned"),
    ("show_entry", {"name": "no such thing"}, "no entry named 'no such thing' in "),
])
def test_bad_arguments_get_one_clear_error_and_write_nothing(agent, tool, arguments, says):
    assert says in refused_untouched(agent, tool, arguments)


def test_strict_mode_refuses_what_it_warns_about_until_forced(project):
    strict = Agent(project / "strict-experiments", "--strict")
    try:
        said = refused_untouched(strict, "plan_experiment", {**PLAN, "baseline": ""})
        assert said == ("refused: no baseline recorded: write down the current best metric (accuracy = 0.95), memory is"
                        " unreliable (strict mode): pass force=true to log it anyway; nothing was written")
        assert "logged PLANNED" in strict.ok("plan_experiment", {**PLAN, "baseline": "", "force": True})
    finally:
        strict.close()
