"""``jupyter expjournal mcp``: the journal served to AI agents over MCP (stdio), the same gates as every face.

The server is a face of its own (:mod:`jupyter_expjournal.mcp_server`); no face
imports another, so the package starts it (as it hands the widget panel to the
magics). Without the ``mcp`` extra the server says how to install it, and the
command exits 2 before reading anything from standard input.
"""

from __future__ import annotations

import jupyter_expjournal

from ..core.journal import Journal


def cmd_mcp(journal: Journal, args) -> None:
    jupyter_expjournal.serve_mcp(journal.directory, strict=args.strict)
