"""The agents' face: ``jupyter expjournal mcp``, an MCP server over stdio on the official SDK (``mcp`` 2.x).

Built on the SDK's low-level :class:`mcp.server.Server` (constructor handlers:
``on_list_tools``, ``on_call_tool``, ...) and :func:`mcp.server.stdio.stdio_server`,
so that the tools' schemas and the check of their arguments come from one table
(:mod:`.tools`) and every bad argument gets one line naming it. Everything else
is the core's: :mod:`.session` calls it, :mod:`.words` words its ways out.

A call answers with text; a refusal or bad input is a tool error
(``isError``) whose text says why and how out, and nothing was written. Calls
run one at a time in a worker thread, so the event loop keeps reading the
client while a call waits for the folder's lock. While serving, the SDK points
file descriptor 1 at standard error: a stray print anywhere cannot corrupt the
protocol on standard output.

The SDK is imported here only, and only when the server starts: without the
``mcp`` extra, the command says how to install it.
"""

from __future__ import annotations

import os
import signal
import sys
from importlib import metadata

import jupyter_expjournal.mcp_server.loop as loop
import jupyter_expjournal.mcp_server.tools as tools

from ..core.errors import GateError, InputError, JournalError
from .session import AgentSession
from .words import WORDS

INSTALL = "the MCP server needs the mcp package (2.x): pip install 'jupyter_expjournal[mcp]'"


def sdk():
    """The SDK's pieces, or the one line that says how to get them (``mcp_types`` comes with 2.x only)."""
    try:
        import anyio
        import mcp_types
        from mcp.server import Server
        from mcp.server.stdio import stdio_server
    except ImportError:
        raise InputError(INSTALL) from None
    return anyio, mcp_types, Server, stdio_server


def serve(directory: str | os.PathLike, *, strict: bool = False) -> None:
    """Serve the journal of ``directory`` (an experiments folder) over stdio until the client closes it."""
    anyio, types, Server, stdio_server = sdk()
    session = AgentSession(directory, strict=strict)
    server = build(session, types, Server, anyio)

    async def run() -> None:
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())

    if sys.stdin.isatty():  # started by hand, not by a client: say what it is waiting for (never on stdout)
        print(f"jupyter expjournal mcp: serving {session.journal.journal_path} to an MCP client over stdio;"
              " configure your agent to start this command (Ctrl+C stops it)", file=sys.stderr)
    # Ctrl+C (or a client's SIGINT) ends the process at once, with no traceback: a worker thread blocked reading
    # stdin would hold an orderly shutdown until the next line. Safe: every write is atomic under a lock the
    # system releases with the process, as when a writer is killed (tests/reliability).
    signal.signal(signal.SIGINT, lambda signum, _frame: os._exit(128 + signum))
    anyio.run(run)


def answer(session: AgentSession, name: str, arguments: dict | None) -> tuple[str, bool]:
    """(text, is_error) of one tool call: the checked arguments through the session, a refusal worded."""
    try:
        checked = tools.check(name, arguments)  # first: it refuses a name that is no tool
        return getattr(session, name)(**checked), False
    except GateError as exc:
        return f"refused: {exc.words(WORDS)}; nothing was written", True
    except JournalError as exc:
        return exc.words(WORDS), True


def build(session: AgentSession, types, Server, anyio):
    """The SDK server whose handlers call ``session``: tools, the two files as resources, the loop as a prompt."""
    busy = anyio.Lock()  # one call at a time: the session (and a Journal) is used by one thread at once

    def text(value: str):
        return types.TextContent(type="text", text=value)

    listed = [
        types.Tool(name=t.name, description=t.help, input_schema=t.schema(),
                   annotations=types.ToolAnnotations(read_only_hint=t.read_only, destructive_hint=False,
                                                     idempotent_hint=t.read_only, open_world_hint=False))
        for t in tools.TOOLS
    ]

    async def list_tools(ctx, params):
        return types.ListToolsResult(tools=listed)

    async def call_tool(ctx, params):
        async with busy:
            said, failed = await anyio.to_thread.run_sync(answer, session, params.name, params.arguments)
        return types.CallToolResult(content=[text(said)], is_error=failed)

    files = {loop.JOURNAL_URI: session.journal_text, loop.LESSONS_URI: session.lessons_text}

    async def list_resources(ctx, params):
        return types.ListResourcesResult(resources=[
            types.Resource(uri=uri, name=name, description=help_, mime_type="text/markdown")
            for uri, name, help_ in loop.RESOURCES
        ])

    async def read_resource(ctx, params):
        uri = str(params.uri)
        if uri not in files:
            raise _not_found(types, f"no resource {uri!r}: the resources are {', '.join(files)}")
        async with busy:
            try:
                content = await anyio.to_thread.run_sync(files[uri])
            except JournalError as exc:
                raise _not_found(types, exc.words(WORDS)) from None
        return types.ReadResourceResult(contents=[types.TextResourceContents(uri=uri, text=content, mime_type="text/markdown")])

    prompt = types.Prompt(name=loop.PROMPT_NAME, description=loop.PROMPT_HELP, arguments=[
        types.PromptArgument(name="goal", description="what you want to try or improve (optional)", required=False)])

    async def list_prompts(ctx, params):
        return types.ListPromptsResult(prompts=[prompt])

    async def get_prompt(ctx, params):
        if params.name != loop.PROMPT_NAME:
            raise _not_found(types, f"no prompt {params.name!r}: the prompt is {loop.PROMPT_NAME}")
        goal = (params.arguments or {}).get("goal") or ""
        message = types.PromptMessage(role="user", content=text(loop.loop_prompt(goal)))
        return types.GetPromptResult(description=loop.PROMPT_HELP, messages=[message])

    return Server(
        "jupyter-expjournal",
        version=_version(),
        title="ML experiment journal",
        instructions=loop.INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_list_resources=list_resources,
        on_read_resource=read_resource,
        on_list_prompts=list_prompts,
        on_get_prompt=get_prompt,
    )


def _not_found(types, message: str):
    """A request for something this server does not have: the protocol's invalid-params error."""
    from mcp.shared.exceptions import MCPError

    return MCPError(code=types.INVALID_PARAMS, message=message)


def _version() -> str:
    try:
        return metadata.version("jupyter_expjournal")
    except metadata.PackageNotFoundError:  # a checkout on PYTHONPATH, not installed
        return ""
