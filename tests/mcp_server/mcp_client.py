"""An agent for the tests: the SDK's own stdio client talking to the real server process.

``Agent(folder)`` starts ``python -m jupyter_expjournal mcp --dir FOLDER`` the way
an MCP client does (a subprocess, JSON-RPC over its stdin and stdout), through
:func:`mcp.client.stdio.stdio_client` and :class:`mcp.client.session.ClientSession`,
and gives the tests plain calls: ``agent.call("plan_experiment", {...})`` returns
a :class:`Said` (the text and whether it is a tool error). The client's event
loop runs in a thread (anyio's blocking portal), so the tests stay synchronous
and one server serves a whole module.
"""

from __future__ import annotations

import os
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import anyio.from_thread
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from testkit import tree

#: This checkout, for the server process to import (wherever the tests run from).
ROOT = Path(__file__).resolve().parents[2]


def server_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "EXPJOURNAL_DIR"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return env


def server_command(folder: str | os.PathLike, *options: str) -> list[str]:
    return [sys.executable, "-m", "jupyter_expjournal", "mcp", "--dir", str(folder), *options]


@dataclass
class Said:
    text: str
    error: bool

    def __str__(self) -> str:
        return self.text


class Agent:
    """One client session with one server process, until :meth:`close`."""

    def __init__(self, folder: str | os.PathLike, *options: str, cwd: str | os.PathLike | None = None) -> None:
        self.folder = Path(folder)
        self.errlog = tempfile.TemporaryFile("w+", encoding="utf-8")  # the server's stderr
        self.stack = ExitStack()
        self.portal = self.stack.enter_context(anyio.from_thread.start_blocking_portal())
        command = server_command(folder, *options)
        params = StdioServerParameters(command=command[0], args=command[1:], env=server_env(), cwd=cwd)
        read, write = self.stack.enter_context(self.portal.wrap_async_context_manager(stdio_client(params, self.errlog)))
        self.session = self.stack.enter_context(self.portal.wrap_async_context_manager(ClientSession(read, write)))
        self.initialized = self.portal.call(self.session.initialize)

    def call(self, tool: str, arguments: dict | None = None) -> Said:
        result = self.portal.call(self.session.call_tool, tool, arguments or {})
        return Said("\n".join(c.text for c in result.content if c.type == "text"), bool(result.is_error))

    def ok(self, tool: str, arguments: dict | None = None) -> str:
        said = self.call(tool, arguments)
        assert not said.error, said.text
        return said.text

    def refused(self, tool: str, arguments: dict | None = None) -> str:
        said = self.call(tool, arguments)
        assert said.error, said.text
        return said.text

    def request(self, method, *args):
        """Any other client request (list_tools, read_resource, get_prompt ...), as the SDK returns it."""
        return self.portal.call(method, *args)

    def stderr(self) -> str:
        self.errlog.seek(0)
        return self.errlog.read()

    def close(self) -> None:
        self.stack.close()
        self.errlog.close()


def refused_untouched(agent: Agent, tool: str, arguments: dict) -> str:
    """The tool's error text, having checked that it is one line and that nothing changed on disk."""
    before = tree(agent.folder)
    said = agent.refused(tool, arguments)
    assert "\n" not in said, said
    assert tree(agent.folder) == before
    return said
