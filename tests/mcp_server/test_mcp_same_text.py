"""What an MCP client writes reads exactly like what the magics write.

The same experiments (a plan, its result, an abandoned plan, a lesson, a rule)
through ``%%hypothesis`` / ``%result`` / ``%lesson`` in a real IPython shell and
through the MCP tools, each in its own folder: the files are the same text but
for what names a moment or a place (heading times, dates, ids, Provenance,
Duration), masked as the conformance test masks them. And the Delta an agent's
outcome gets is the one ``%result`` computes from a cell that printed the same.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from conformance_support import Hypothesis, Row, body_of, bullet, disk_text
from mcp_client import Agent

from jupyter_expjournal.core.journal import Journal

#: One experiment, said to each face in its own syntax (the conformance test's face-neutral input).
SVC = Hypothesis("SVC C=10", "A larger C fits the digits data more tightly, so accuracy should rise.", "C 1 → 10",
                 (Row("C", "1", "10"), Row("kernel", "rbf", "rbf")), "accuracy +0.01", "accuracy = 0.95")
GAMMA = Hypothesis("SVC gamma=scale", "gamma scale adapts to the features.", "gamma 0.01 → scale",
                   expected="accuracy +0.01", baseline="accuracy = 0.97")


def plan(h: Hypothesis, **more) -> dict:
    """The hypothesis as plan_experiment's arguments: config rows as key → 'old → new' / 'value'."""
    config = {r.key: bullet(r).split(": ", 1)[1] for r in h.rows}
    return {"name": h.name, "hypothesis": h.hypothesis, "change": h.change, "config": config, "expected": h.expected,
            "baseline": h.baseline, **more}


@pytest.fixture(scope="module")
def agent(tmp_path_factory):
    agent = Agent(tmp_path_factory.mktemp("agent") / "experiments")
    yield agent
    agent.close()


def test_the_files_an_agent_writes_read_like_the_magics(ip, journal, agent):
    ip.run_cell_magic("hypothesis", SVC.name, body_of(SVC))
    ip.run_line_magic("result", "--no-output --outcome accuracy = 0.97 on the test split "
                      "--delta accuracy +0.02 vs expected +0.01: better than expected "
                      "--learning C matters less than gamma here. --next sweep gamma")
    ip.run_cell_magic("hypothesis", GAMMA.name, body_of(GAMMA))
    ip.run_line_magic("result", '--abandon "the split leaked"')
    ip.run_line_magic("lesson", "C matters less than gamma for RBF SVMs. --context SVC --source runs 1-2")
    ip.run_line_magic("lesson", "--never tune C before gamma --because gamma sets the scale")
    ip.run_line_magic("lesson", "--always scale the features --when using an RBF kernel")

    agent.ok("plan_experiment", plan(SVC))
    agent.ok("log_result", {"outcome": "accuracy = 0.97 on the test split",
                            "delta": "accuracy +0.02 vs expected +0.01: better than expected",
                            "learning": "C matters less than gamma here.", "next": "sweep gamma"})
    agent.ok("plan_experiment", plan(GAMMA))
    agent.ok("abandon_experiment", {"reason": "the split leaked"})
    agent.ok("add_lesson", {"text": "C matters less than gamma for RBF SVMs.", "context": "SVC", "source": "runs 1-2"})
    agent.ok("add_rule", {"kind": "NEVER", "text": "tune C before gamma", "reason": "gamma sets the scale"})
    agent.ok("add_rule", {"kind": "ALWAYS", "text": "scale the features", "reason": "using an RBF kernel"})

    magics, mcp = disk_text(journal.directory), disk_text(agent.folder)
    assert "**Status**: COMPLETED" in magics and "**Status**: ABANDONED" in magics
    assert mcp == magics
    assert "NEVER tune C before gamma because gamma sets the scale" in mcp and "=== lessons.md" in mcp
    assert all(e.id for e in Journal(agent.folder).entries())  # the ids were masked, not missing


def test_the_delta_of_an_outcome_is_the_one_result_computes_from_the_same_output(ip, journal, agent):
    c100 = replace(SVC, name="SVC C=100", change="C 10 → 100", rows=(Row("C", "10", "100"),))
    ip.run_cell_magic("hypothesis", c100.name, body_of(c100))
    ip.run_cell("print('accuracy = 0.93')", store_history=True)
    ip.run_line_magic("result", "")
    agent.ok("plan_experiment", plan(c100, parallel=True))
    agent.ok("log_result", {"outcome": "accuracy = 0.93"})
    by_magics, by_agent = Journal(journal.directory).entries()[-1], Journal(agent.folder).entries()[-1]
    assert by_agent.delta == by_magics.delta == "accuracy -0.02 vs expected +0.01: worse than expected"
