"""The journal as an ipywidgets panel, for every notebook front end (see :mod:`.journal_panel`)."""

from .journal_panel import JournalPanel, panel, show_panel

__all__ = ["JournalPanel", "panel", "show_panel"]
