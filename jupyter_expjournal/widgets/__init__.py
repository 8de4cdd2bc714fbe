"""The journal as an ipywidgets panel, for every notebook front end (see :mod:`.journal_panel`).

ipywidgets is an extra (``pip install 'jupyter_expjournal[widgets]'``): the
magics, the CLI and the JupyterLab sidebar need none of it. Without it, this
package says so in one line naming the extra, instead of a bare
``ModuleNotFoundError``; ``%review --widget`` shows that line.
"""

from ..core.errors import JournalError

#: How to get the panel, said wherever it is asked for without ipywidgets.
INSTALL_HINT = "the panel needs ipywidgets, an extra: pip install 'jupyter_expjournal[widgets]', then restart the kernel"


class WidgetsMissing(JournalError, ModuleNotFoundError):
    """ipywidgets is not installed: the one-line hint, as the error every face shows and as an ImportError."""

    def __init__(self) -> None:
        super().__init__(INSTALL_HINT)
        self.name = "ipywidgets"


try:
    import ipywidgets  # noqa: F401
except ModuleNotFoundError as exc:
    if exc.name != "ipywidgets":
        raise
    raise WidgetsMissing() from None

from .journal_panel import JournalPanel, panel, show_panel  # noqa: E402

__all__ = ["INSTALL_HINT", "JournalPanel", "WidgetsMissing", "panel", "show_panel"]
