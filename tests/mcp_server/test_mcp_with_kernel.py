"""An agent and a notebook kernel writing one journal at the same time: nothing lost, each result in its own entry.

A real IPython kernel (ipykernel, through jupyter_client as a notebook front end
drives it) runs ``%%hypothesis`` / a cell / ``%result`` while the agent runs
plan_experiment / log_result through the MCP server, both with ``parallel``: the
lock and the compare-and-swap writes keep every byte, and entry identity sends
each result to the entry its own face opened.
"""

from __future__ import annotations

import threading

import pytest
from mcp_client import Agent, server_env

from jupyter_expjournal.core.journal import Journal

jupyter_client = pytest.importorskip("jupyter_client")

ROUNDS = 6


class Kernel:
    def __init__(self, cwd) -> None:
        self.manager, self.client = jupyter_client.manager.start_new_kernel(kernel_name="python3", cwd=str(cwd),
                                                                            env=server_env())

    def ok(self, code: str) -> str:
        shown: list[str] = []

        def hook(msg) -> None:
            if msg["msg_type"] == "stream":
                shown.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                shown.append(f"{msg['content']['ename']}: {msg['content']['evalue']}")

        reply = self.client.execute_interactive(code, timeout=120, output_hook=hook)
        assert reply["content"]["status"] == "ok" and "Error" not in "".join(shown), "".join(shown)
        return "".join(shown)

    def stop(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


def test_an_agent_and_a_kernel_write_the_same_journal_at_once(tmp_path):
    folder = tmp_path / "experiments"
    kernel = Kernel(tmp_path)
    agent = Agent(folder)
    failures: list[BaseException] = []
    started = threading.Event()  # the kernel's first entry is open: the agent starts beside it

    def agent_loop() -> None:
        try:
            started.wait(timeout=120)
            for i in range(ROUNDS):
                agent.ok("plan_experiment", {"name": f"agent {i}", "hypothesis": "an agent's run", "change": f"lr {i} → {i + 1}",
                                             "expected": "accuracy +0.01", "baseline": "accuracy = 0.50", "parallel": True})
                agent.ok("log_result", {"outcome": f"accuracy = 0.6{i}", "learning": f"agent learning {i}"})
            agent.ok("add_lesson", {"text": "the agent's lesson", "context": "agents"})
        except BaseException as exc:  # noqa: B036 - reported by the main thread
            failures.append(exc)

    try:
        kernel.ok(f"%load_ext jupyter_expjournal\n%journal --dir {folder}")
        thread = threading.Thread(target=agent_loop)
        thread.start()
        for i in range(ROUNDS):
            kernel.ok(f"%%hypothesis kernel {i} --parallel\nA kernel's run.\nchange: depth {i} → {i + 1}\n"
                      "expected: accuracy +0.01\nbaseline: accuracy = 0.50")
            started.set()
            kernel.ok(f"print('accuracy = 0.7{i}')")
            kernel.ok(f"%result --learning kernel learning {i}")
        kernel.ok("%lesson kernels: the kernel's lesson")
        thread.join(timeout=300)
        assert not thread.is_alive()
        assert not failures, failures
    finally:
        agent.close()
        kernel.stop()

    journal = Journal(folder)
    entries = journal.entries()
    by_name = {e.name: e for e in entries}
    assert len(entries) == 2 * ROUNDS and len(by_name) == 2 * ROUNDS  # none lost, none twice
    for i in range(ROUNDS):
        mine, theirs = by_name[f"agent {i}"], by_name[f"kernel {i}"]
        assert (mine.status, mine.actual, mine.learning) == ("COMPLETED", f"accuracy = 0.6{i}", f"agent learning {i}")
        assert mine.delta.startswith("accuracy +0.1")  # 0.6i against the baseline 0.50
        assert theirs.status == "COMPLETED" and theirs.learning == f"kernel learning {i}"
        assert f"accuracy = 0.7{i}" in theirs.actual and f"accuracy = 0.6{i}" not in theirs.actual
    assert sorted(lesson.text for lesson in journal.lessons().lessons) == ["agents: the agent's lesson",
                                                                          "kernels: the kernel's lesson"]
    assert len({e.id for e in entries}) == 2 * ROUNDS
    order = [e.name for e in entries]
    assert order.index("kernel 0") < order.index("agent 0") < order.index(f"kernel {ROUNDS - 1}")  # side by side
