"""The agents' face: ``jupyter expjournal mcp`` start-up, and tool calls at 1,000 entries through the SDK's client.

Start-up is the wall time from spawning the server to its answer to
``initialize`` (JSON-RPC by hand on its pipes), against a process that only
imports the SDK's server and answers. Each tool call goes through the SDK's own stdio client to the
real server process and back, against the same call of the face's session
in-process on a copy of the same journal (the ratio is what the protocol, the
process boundary and the worker thread add).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import journals
from common import child_env, median, report, section, timed

ENTRIES = 1000
#: The floor of a start-up: a process that imports what the server imports of the SDK, then answers.
SDK_ONLY = [sys.executable, "-c", "import mcp.server, mcp.server.stdio; print('{}', flush=True)"]
INITIALIZE = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "0"}}}) + "\n"


def server_command(folder: Path) -> list[str]:
    return [sys.executable, "-m", "jupyter_expjournal", "mcp", "--dir", str(folder)]


def first_answer(command: list[str]) -> tuple[float, float | None]:
    """(wall seconds, CPU seconds of the process) from spawning ``command`` to the first line it writes back
    to an ``initialize``. The CPU time is what the start-up costs on a machine busy with other work."""
    t0 = time.perf_counter()
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               env=child_env())
    process.stdin.write(INITIALIZE.encode())
    process.stdin.flush()
    line = process.stdout.readline()
    elapsed = time.perf_counter() - t0
    cpu = cpu_seconds(process.pid)
    process.stdin.close()
    process.wait(timeout=60)
    if not line.startswith(b"{"):
        raise RuntimeError(f"no answer to initialize from {command}")
    return elapsed, cpu


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a running process (Linux /proc), None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


class Client:
    """The SDK's stdio client on one server process, driven from this thread (anyio's blocking portal)."""

    def __init__(self, folder: Path) -> None:
        import anyio.from_thread
        from mcp.client.session import ClientSession
        from mcp.client.stdio import StdioServerParameters, stdio_client

        self.stack = ExitStack()
        portal = self.stack.enter_context(anyio.from_thread.start_blocking_portal())
        command = server_command(folder)
        params = StdioServerParameters(command=command[0], args=command[1:], env=child_env())
        read, write = self.stack.enter_context(portal.wrap_async_context_manager(stdio_client(params)))
        self.session = self.stack.enter_context(portal.wrap_async_context_manager(ClientSession(read, write)))
        portal.call(self.session.initialize)
        self.portal = portal

    def call(self, tool: str, arguments: dict) -> str:
        result = self.portal.call(self.session.call_tool, tool, arguments)
        if result.is_error:
            raise RuntimeError(f"{tool}: {result.content[0].text}")
        return result.content[0].text

    def close(self) -> None:
        self.stack.close()


PLAN = {"name": "bench", "hypothesis": "h", "change": "lr 1e-4 → 2e-4", "expected": "accuracy +0.01",
        "baseline": "accuracy = 0.80"}
#: What each figure calls (the read-only tools leave the journal as it is).
CALLS = (
    ("list_entries", {}),
    ("list_entries", {"status": "completed", "text": "accuracy = 0.805"}),
    ("show_entry", {"name": "run 500"}),
    ("review", {"n": 5}),
    ("check_journal", {}),
)


def run(quick: bool = False) -> None:
    try:
        import mcp_types  # noqa: F401  (the SDK, 2.x)
    except ImportError:
        print("\nMCP server: the mcp extra is not installed here (pip install 'jupyter_expjournal[mcp]'), skipped")
        return
    from jupyter_expjournal.mcp_server.server import answer  # what the server runs for a call, minus the protocol
    from jupyter_expjournal.mcp_server.session import AgentSession

    section(f"MCP server (jupyter expjournal mcp): start-up, and tool calls at {ENTRIES:,} entries (the SDK's stdio client)")
    work = Path(tempfile.mkdtemp(prefix="bench-mcp-"))
    served = journals.write(work / "served" / "experiments", ENTRIES)
    local = journals.write(work / "local" / "experiments", ENTRIES)
    repeats = 3 if quick else 7

    first_answer(server_command(served))  # warm-up: bytecode compiled, files in the page cache
    starts, floors = [], []
    for _ in range(repeats):  # interleaved, so drift hits both alike
        starts.append(first_answer(server_command(served)))
        floors.append(first_answer(SDK_ONLY))
    report("server start-up: spawn to the answer to initialize", median(s[0] for s in starts),
           median(f[0] for f in floors), "process that only imports the SDK", target=1.0)
    if all(s[1] is not None for s in starts + floors):
        report("  the same, CPU time of the process", median(s[1] for s in starts), median(f[1] for f in floors),
               "CPU time of that process")

    client = Client(served)
    session = AgentSession(local)
    try:
        t0 = time.perf_counter()
        client.call("list_entries", {})
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        answer(session, "list_entries", {})
        report(f"  first list_entries after start ({ENTRIES:,} entries, cold)", cold, time.perf_counter() - t0,
               "the same call in-process, cold")
        n = 5 if quick else 15
        for tool, arguments in CALLS:
            over = median(timed(lambda t=tool, a=arguments: client.call(t, a), n))
            inside = median(timed(lambda t=tool, a=arguments: answer(session, t, a), n))
            shown = ", ".join(f"{k}={v!r}" for k, v in arguments.items())
            report(f"{tool}({shown}) at {ENTRIES:,} entries", over, inside, "same call in-process", target=0.050)
        plans, results, plans_in, results_in = [], [], [], []
        for _ in range(n):  # each round plans and completes one more entry, in both journals
            plans.append(median(timed(lambda: client.call("plan_experiment", PLAN), 1)))
            results.append(median(timed(lambda: client.call("log_result", {"outcome": "accuracy = 0.81"}), 1)))
            plans_in.append(median(timed(lambda: answer(session, "plan_experiment", PLAN), 1)))
            results_in.append(median(timed(lambda: answer(session, "log_result", {"outcome": "accuracy = 0.81"}), 1)))
        report(f"plan_experiment at {ENTRIES:,} entries", median(plans), median(plans_in), "same call in-process",
               target=0.050)
        report(f"log_result at {ENTRIES:,} entries", median(results), median(results_in), "same call in-process",
               target=0.050)
    finally:
        client.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    run("--quick" in sys.argv)
