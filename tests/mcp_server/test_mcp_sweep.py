"""A sweep through the agents' face: plan_experiment's ``sweep``, log_result's outcome lines or ``table``, the curve.

One real server process for the module (``agent``, tests/mcp_server/conftest.py),
driven by the SDK's own stdio client. Each test closes what it opened, so the next
one starts with no open experiment. Every refusal is one line naming the argument
that was wrong, and nothing on disk changes.
"""

from __future__ import annotations

import contextlib
import io
import re

import pytest
from mcp_client import refused_untouched

from jupyter_expjournal.cli import main as cli
from jupyter_expjournal.core.journal import Journal
from jupyter_expjournal.core.sweep_evidence import points_in

pytest.importorskip("matplotlib")  # the curve is drawn by matplotlib, as in every face

PLAN = {
    "name": "gamma sweep",
    "hypothesis": "A smaller gamma smooths the RBF kernel.",
    "config": {"gamma": "scale", "C": "1"},
    "expected": "accuracy +0.005",
    "baseline": "accuracy = 0.9889",
}
LINES = "gamma=0.0001 accuracy=0.9711\ngamma=0.001 accuracy=0.9956\ngamma=0.01 accuracy=0.8600"
ROWS = [{"gamma": 0.0001, "accuracy": 0.9711}, {"gamma": 0.001, "accuracy": 0.9956}, {"gamma": 0.01, "accuracy": 0.86}]
BEST = "accuracy best 0.9956 at gamma=0.001: +0.0067 vs expected +0.005: better than expected"


def journal_text(agent) -> str:
    return (agent.folder / "journal.md").read_text(encoding="utf-8")


def curve_of(agent) -> str:
    """The last entry's one image: a PNG under experiments/assets/, linked from the entry."""
    entry = Journal(agent.folder).entries()[-1]
    [link] = entry.images
    assert link.startswith("assets/") and link.endswith(".png")
    assert (agent.folder / link).read_bytes().startswith(b"\x89PNG")
    assert f"![gamma sweep: accuracy against gamma]({link})" in entry.actual
    return link


def test_the_schemas_say_how_to_sweep(agent):
    tools = {t.name: t for t in agent.request(agent.session.list_tools).tools}
    plan, log = tools["plan_experiment"], tools["log_result"]
    shapes = plan.input_schema["properties"]["sweep"]["anyOf"]
    assert {"type": "string"} in shapes
    assert {"key", "values"} == set(next(s for s in shapes if s.get("type") == "object")["properties"])
    assert "gamma=0.001,0.01,0.1" in plan.input_schema["properties"]["sweep"]["description"]
    assert "ONE variable at several values" in plan.description and "pass sweep" in plan.description
    rows = log.input_schema["properties"]["table"]
    assert [s["type"] for s in rows["anyOf"]] == ["string", "array"] and "CSV" in rows["description"]
    assert "sweep" in log.description and "curve" in log.description
    prompt = agent.request(agent.session.get_prompt, "experiment_loop", {})
    assert "plan one sweep, not one experiment per value" in prompt.messages[0].content.text


def test_a_sweep_planned_by_a_spec_and_completed_from_printed_lines(agent):
    said = agent.ok("plan_experiment", {**PLAN, "sweep": "gamma=0.0001,0.001,0.01"})
    assert said.splitlines()[-1].startswith("a sweep of gamma over 0.0001, 0.001, 0.01: run each value now")
    assert "call log_result" in said.splitlines()[-1]
    text = journal_text(agent)
    assert "- gamma: scale → [0.0001, 0.001, 0.01]\n" in text and "**Sweep**: gamma = 0.0001, 0.001, 0.01\n" in text

    said = agent.ok("log_result", {"outcome": LINES, "learning": "1e-3 is best"})
    lines = said.splitlines()
    assert lines[0] == f"'gamma sweep' COMPLETED: Delta: {BEST}"
    assert lines[1] == "sweep of gamma (accuracy, 3 points): best 0.9956 at gamma=0.001, peaked"
    link = curve_of(agent)
    assert any(line.startswith("saved ") and line.endswith(link.split("/")[-1]) for line in lines)
    entry = Journal(agent.folder).entries()[-1]
    assert [v for v, _ in points_in(entry)] == ["0.0001", "0.001", "0.01"]
    assert "| **0.001** | **0.9956** |" in entry.actual and entry.delta == BEST


def test_a_sweep_planned_by_an_object_and_completed_with_a_table_of_rows(agent):
    said = agent.ok(
        "plan_experiment", {**PLAN, "name": "gamma sweep 2", "sweep": {"key": "gamma", "values": [0.0001, 0.001, 0.01, 0.1]}}
    )
    assert "a sweep of gamma over 0.0001, 0.001, 0.01, 0.1" in said
    assert "- gamma: scale → [0.0001, 0.001, 0.01, 0.1]\n" in journal_text(agent)
    rows = [*ROWS, {"gamma": 0.5, "accuracy": 0.2}]
    said = agent.ok("log_result", {"outcome": "", "table": rows})
    assert "! planned, no result: gamma=0.1" in said and "! run, not planned: gamma=0.5" in said
    entry = Journal(agent.folder).entries()[-1]
    assert entry.status == "COMPLETED" and entry.delta == BEST
    assert "Planned, no result: gamma=0.1" in entry.actual and "Run, not planned: gamma=0.5" in entry.actual
    curve_of(agent)
    assert "logged gamma=0.5, which its sweep never planned" in agent.ok("check_journal")


def test_a_sweep_of_the_key_whose_config_row_lists_the_values_completed_with_csv_text(agent):
    plan = {**PLAN, "name": "gamma sweep 3", "config": {"gamma": "scale → [0.0001, 0.001, 0.01]", "C": "1"}}
    agent.ok("plan_experiment", {**plan, "sweep": "gamma"})
    assert "**Sweep**: gamma = 0.0001, 0.001, 0.01\n" in journal_text(agent)
    said = agent.ok(
        "log_result", {"outcome": "digits, 5-fold", "table": "gamma,accuracy\n0.0001,0.9711\n0.001,0.9956\n0.01,0.86\n"}
    )
    assert said.startswith(f"'gamma sweep 3' COMPLETED: Delta: {BEST}")
    assert Journal(agent.folder).entries()[-1].actual.startswith("digits, 5-fold\ngamma sweep, 3 of 3 planned values run")
    curve_of(agent)


def test_the_review_and_the_list_name_each_sweeps_best_value_and_shape(agent):
    review = agent.ok("review")
    sweeps = [line for line in review.splitlines() if line.startswith("  sweep in ")]
    assert [re.sub(r" \(\d{4}-\d\d-\d\d \d\d:\d\d\)", "", line) for line in sweeps] == [
        "  sweep in 'gamma sweep': gamma (accuracy, 3 points): best 0.9956 at gamma=0.001, peaked",
        "  sweep in 'gamma sweep 2': gamma (accuracy, 4 points): best 0.9956 at gamma=0.001, peaked",
        "  sweep in 'gamma sweep 3': gamma (accuracy, 3 points): best 0.9956 at gamma=0.001, peaked",
    ]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        cli(["--dir", str(agent.folder), "review"])
    assert sweeps == [line for line in out.getvalue().splitlines() if line.startswith("  sweep in ")]  # as the CLI's
    listed = agent.ok("list_entries", {"text": "gamma"}).splitlines()
    assert len(listed) == 3 and all("sweep of gamma (accuracy, " in line and "peaked" in line for line in listed)
    assert "best 0.9956 at gamma=0.001" in listed[0]


@pytest.mark.parametrize(
    "sweep, says",
    [
        (["gamma=0.001,0.01", "C=1,10"], "a sweep varies one key, not several (gamma, C)"),
        ("gamma,C", "a sweep varies one key, not 'gamma,C'"),
        ("gamma=0.001", "the sweep of 'gamma' has one value (0.001)"),
        ({"key": "gamma", "values": [0.001]}, "the sweep of 'gamma' has one value (0.001)"),
        ({"key": "gamma", "values": ["0.001,0.01", "0.1"]}, "the sweep of 'gamma' cannot hold the value '0.001,0.01'"),
        ("delta", "the sweep names 'delta', which is not in the config"),
        ("gamma", "the config row of 'gamma' holds no list of values"),
        ("gamma=0.001,0.001", "lists 0.001 twice"),
        ([], "a sweep names the key it varies"),
        (5, 'must be \'KEY=v1,v2,...\' or {"key": KEY, "values": [v1, v2, ...]}, not 5'),
        ({"key": "gamma", "vals": [1, 2]}, 'no "vals"'),
        ({"values": [1, 2]}, "its 'key' must be a string"),
        ({"key": "gamma", "values": [True, False]}, "'values' must be a list of numbers or strings"),
    ],
)
def test_a_bad_sweep_is_one_error_naming_sweep_and_writes_nothing(agent, sweep, says):
    said = refused_untouched(agent, "plan_experiment", {**PLAN, "name": "bad sweep", "sweep": sweep})
    assert said.startswith("plan_experiment: 'sweep'") and says in said, said


def test_an_empty_sweep_string_is_not_said(agent):
    agent.ok("plan_experiment", {**PLAN, "name": "C 1 → 10", "config": {"C": "1 → 10"}, "sweep": ""})
    assert "Sweep" not in Journal(agent.folder).entries()[-1].fields
    said = refused_untouched(agent, "log_result", {"outcome": "accuracy = 0.99", "table": ROWS})
    assert said == (
        "'C 1 → 10' planned no sweep: log_result's 'table' is a table of values, the result of a sweep "
        "(plan one with the key it varies and its values)"
    )
    agent.ok("abandon_experiment", {"reason": "not a sweep"})


@pytest.mark.parametrize(
    "table, says",
    [
        ([{"C": 1, "accuracy": 0.9}], "log_result's 'table' has no column 'gamma' (the key swept): its columns are C, accuracy"),
        ("gamma,note\n0.001,fine\n", "log_result's 'table' holds no number beside 'gamma'"),
        ([], "log_result's 'table' is empty"),
        ("gamma,accuracy\n", "log_result's 'table' has a header row and no rows"),
        (5, "log_result: 'table' must be a list of rows"),
        ([{"gamma": 0.001, "accuracy": {"top1": 0.9}}], "log_result: 'table': the cell \"accuracy\" of a row must be"),
    ],
)
def test_a_bad_table_is_one_error_naming_table_and_writes_nothing(agent, table, says):
    if not any(e.is_open for e in Journal(agent.folder).entries()):
        agent.ok("plan_experiment", {**PLAN, "name": "gamma sweep 4", "sweep": "gamma=0.001,0.01"})
    said = refused_untouched(agent, "log_result", {"outcome": "", "table": table})
    assert says in said and "table" in said, said


def test_the_open_sweep_is_still_open_after_bad_tables(agent):
    [entry] = [e for e in Journal(agent.folder).entries() if e.is_open]
    assert entry.name == "gamma sweep 4"
    said = refused_untouched(agent, "log_result", {"outcome": ""})
    assert said == "log_result: 'outcome' is empty: say what actually happened (metrics as name = value)"
    agent.ok("abandon_experiment", {"reason": "tables tested"})
