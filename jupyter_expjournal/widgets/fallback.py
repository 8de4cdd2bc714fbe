"""What the panel's output carries for front ends that cannot draw it: the review, as text and HTML.

A widget's display data is a bundle of MIME types. A front end with a widget
manager (JupyterLab, Notebook 7, VS Code, Colab) draws the
``application/vnd.jupyter.widget-view+json`` view; one without (a notebook
exported to HTML, GitHub's viewer, nbviewer, a kernel's terminal console)
shows the richest type it knows. So the panel's bundle carries the review
beside the view: whoever cannot use the panel still sees the journal.

A front end that has a widget manager but draws nothing picks the view all the
same, so for the one known case, VS Code with ipywidgets 8.1.9
(microsoft/vscode-jupyter#17504: a widget renders nothing, no error), the
review is also shown as an output of its own, with a line saying how to get
the panel back. The ``widgets`` extra excludes that version (pyproject.toml).
"""

from __future__ import annotations

import os
from html import escape

import jupyter_expjournal.render as render

from ..core.model import Review
from .common import NO_MATH, no_math

#: Front ends that pick the widget view and draw nothing: (front end, ipywidgets version) -> where it is tracked.
BLANK_VIEWS = {("VS Code", "8.1.9"): "microsoft/vscode-jupyter#17504"}

#: The first line of the review shown where the panel is not drawn.
INSTEAD = "The journal panel (ipywidgets) is not drawn here; the review instead:"


def front_end(environ=os.environ, namespace=None) -> str:
    """The front end this kernel runs under, where it says so: "VS Code", else "".

    A kernel VS Code started inherits its variables; one it reaches through a Jupyter
    server does not, but VS Code sets ``__vsc_ipynb_file__`` in the kernel's namespace.
    """
    if "VSCODE_PID" in environ or "VSCODE_CWD" in environ or environ.get("TERM_PROGRAM") == "vscode":
        return "VS Code"
    if namespace and "__vsc_ipynb_file__" in namespace:
        return "VS Code"
    return ""


def blank_view(version: str, environ=os.environ, namespace=None) -> str:
    """Why the panel would show nothing here (the issue tracking it), or ""."""
    where = front_end(environ, namespace)
    issue = BLANK_VIEWS.get((where, version))
    if not issue:
        return ""
    return (f"{where} draws no widget with ipywidgets {version} ({issue}): "
            "pip install 'ipywidgets!=8.1.9' and restart the kernel to get the panel")


def review_bundle(review: Review, note: str = INSTEAD) -> dict[str, str]:
    """The review as ``text/plain`` and ``text/html`` (neutral words: no panel control to name), under ``note``."""
    text = render.review_text(review)
    html = render.review_html(review)
    return {
        "text/plain": f"{note}\n\n{text}",
        "text/html": f"<div class='{NO_MATH}'><div style='opacity:.75;margin-bottom:.3em'>{escape(note)}</div>"
        f"{no_math(html)}</div>",
    }


def with_fallback(view: dict, review: Review) -> dict:
    """A widget's display bundle (``Widget._repr_mimebundle_()``) carrying the review too."""
    return {**review_bundle(review), **{k: v for k, v in view.items() if k != "text/plain"}}
