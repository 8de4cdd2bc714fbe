"""The agents' face: ``jupyter expjournal mcp``, an MCP server over stdio (the ``mcp`` extra).

:mod:`.server` wires the official SDK (2.x) to :mod:`.session`, which calls the
core as every face does; :mod:`.tools` is the tools' contract (names, arguments,
schemas), :mod:`.words` the ways out in tool names, :mod:`.loop` the
instructions, resources and prompt. Nothing is imported here: the CLI starts
the server through :func:`jupyter_expjournal.serve_mcp`.
"""
