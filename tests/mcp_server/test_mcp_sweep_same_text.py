"""A sweep through the agents' face writes the files the CLI writes: the entry, its table, its curve, byte for byte.

The same two sweeps (one completed from printed lines, one from a table) through
``jupyter expjournal hypothesis --sweep`` / ``result --outcome`` / ``result --table``
(in-process) and through the real MCP server (plan_experiment's ``sweep``,
log_result's outcome and ``table``), each in its own folder. What names a moment or
a place (heading times, ids, Provenance, Duration's value, the assets' time stamp)
is masked as the conformance test masks it; the curves are compared by size and digest.
"""

from __future__ import annotations

import contextlib
import io

import pytest
from conformance_support import disk_text
from mcp_client import Agent

from jupyter_expjournal.cli import main as cli_main

pytest.importorskip("matplotlib")

HYPOTHESIS, EXPECTED, BASELINE = "A smaller gamma smooths the RBF kernel.", "accuracy +0.005", "accuracy = 0.9889"
LINES = "gamma=0.0001 accuracy=0.9711\ngamma=0.001 accuracy=0.9956\ngamma=0.01 accuracy=0.86"
ROWS = [
    {"gamma": 0.0001, "accuracy": 0.9711, "f1": 0.97},
    {"gamma": 0.001, "accuracy": 0.9956, "f1": 0.995},
    {"gamma": 0.01, "accuracy": 0.86, "f1": 0.85},
    {"gamma": 0.5, "accuracy": 0.2, "f1": 0.1},
]
CSV = "gamma,accuracy,f1\n0.0001,0.9711,0.97\n0.001,0.9956,0.995\n0.01,0.86,0.85\n0.5,0.2,0.1\n"


def cli(*args: str) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        assert cli_main(list(args)) in (0, None)


def test_a_sweep_through_the_agent_is_the_cli_s_byte_for_byte(tmp_path):
    folders = {face: tmp_path / face / "experiments" for face in ("cli", "mcp")}
    where = ("--dir", str(folders["cli"]))
    plan = (
        "--hypothesis",
        HYPOTHESIS,
        "--config",
        "gamma: scale",
        "--config",
        "C: 1",
        "--expected",
        EXPECTED,
        "--baseline",
        BASELINE,
    )
    cli("hypothesis", "gamma sweep", *where, *plan, "--sweep", "gamma=0.0001,0.001,0.01")
    cli(
        "result",
        *where,
        "--outcome",
        LINES,
        "--learning",
        "1e-3 is best",
        "--next",
        "sweep C at gamma=1e-3",
        "--duration",
        "2 min",
    )
    table = tmp_path / "sweep.csv"
    table.write_text(CSV)
    cli("hypothesis", "gamma sweep 2", *where, *plan, "--sweep", "gamma=0.0001,0.001,0.01,0.1")
    cli("result", *where, "--table", str(table), "--outcome", "digits, 5-fold", "--duration", "2 min")

    agent = Agent(folders["mcp"])
    try:
        plan = {"hypothesis": HYPOTHESIS, "config": {"gamma": "scale", "C": "1"}, "expected": EXPECTED, "baseline": BASELINE}
        agent.ok("plan_experiment", {"name": "gamma sweep", **plan, "sweep": "gamma=0.0001,0.001,0.01"})
        agent.ok("log_result", {"outcome": LINES, "learning": "1e-3 is best", "next": "sweep C at gamma=1e-3"})
        agent.ok(
            "plan_experiment", {"name": "gamma sweep 2", **plan, "sweep": {"key": "gamma", "values": [0.0001, 0.001, 0.01, 0.1]}}
        )
        agent.ok("log_result", {"outcome": "digits, 5-fold", "table": ROWS})
    finally:
        agent.close()

    texts = {face: disk_text(folder, cells=True) for face, folder in folders.items()}
    assert texts["cli"].count("png\n<") == 2 and "| **0.001** | **0.9956** | **0.995** |" in texts["cli"]
    assert "Run, not planned: gamma=0.5" in texts["cli"] and "**Duration**: <time>" in texts["cli"]
    assert texts["mcp"] == texts["cli"]
