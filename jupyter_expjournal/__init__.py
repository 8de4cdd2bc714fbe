"""jupyter_expjournal: an ML experiment journal in plain Markdown, kept from notebooks.

``%load_ext jupyter_expjournal`` registers the magics and the output recorder.
Importing the package is cheap on purpose: nothing heavy (widgets, tornado,
pandas, matplotlib) is imported until a face that needs it is used.
"""

__version__ = "0.1.0"



def load(path=None):
    """The journal as objects, for analysis: ``load().entries()``, ``load().to_dataframe()``.

    ``path`` may be the experiments folder, its journal.md, or a project folder
    holding ``experiments/``; by default the journal the magics would use here.
    """
    from .core.journal import Journal
    from .core.location import named_dir

    return Journal.find() if path is None else Journal(named_dir(path))


def __getattr__(name: str):
    # The Python API (jupyter_expjournal.Journal.find().entries()), imported on first use.
    if name == "Journal":
        from .core.journal import Journal

        return Journal
    raise AttributeError(f"module 'jupyter_expjournal' has no attribute {name!r}")


def load_ipython_extension(ipython) -> None:
    """Register the magics and start recording cell outputs; print one status line."""
    from .kernel.magics import register

    print(register(ipython, show_panel=_show_panel).status_line())


def unload_ipython_extension(ipython) -> None:
    """Stop recording; the magics stay registered (IPython has no way to drop them)."""
    from .kernel.magics import unregister

    unregister(ipython)


def _show_panel(session):
    """``%review --widget``: the widget panel, a face of its own, imported only when asked for."""
    from .widgets import show_panel

    return show_panel(session)


def serve_mcp(directory, *, strict: bool = False) -> None:
    """``jupyter expjournal mcp``: the agents' face (MCP over stdio), which the CLI starts through the package
    so that no face imports another; the SDK is imported only here, when the server starts."""
    from .mcp_server.server import serve

    serve(directory, strict=strict)


def _jupyter_labextension_paths() -> list[dict]:
    """Where the built JupyterLab sidebar lives inside the package."""
    return [{"src": "labextension", "dest": "jupyter-expjournal"}]


def _jupyter_server_extension_points() -> list[dict]:
    """The REST API the sidebar talks to (enabled on install by jupyter-config/)."""
    return [{"module": "jupyter_expjournal"}]


def _load_jupyter_server_extension(server_app) -> None:
    """Register the ``/expjournal/api/`` routes; tornado is imported only here."""
    from .server.handlers import setup_handlers

    setup_handlers(server_app.web_app, server_app)
