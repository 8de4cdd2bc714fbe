"""What every tab of the panel draws with: inert HTML for user text, badges, layouts, tree helpers.

User text reaches the page in ``HTML`` widgets only through :func:`inert` or
:func:`plain`: escaped, so no markup runs, and split around ``$`` and ``\\`` so
no LaTeX typesetter pairs delimiters (``Label`` would escape too, but it runs
the typesetter: a name like ``lr $1e-3$`` would not read back as written).
"""

from __future__ import annotations

import os
from html import escape
from pathlib import Path

import ipywidgets as W

import jupyter_expjournal.render as render

#: Long values wrap anywhere instead of widening the panel.
WRAP = "white-space:pre-wrap;word-break:break-word;overflow-wrap:anywhere;line-height:1.4"
#: MathJax (3, and 2 as configured by JupyterLab) leaves these alone: user text is not LaTeX.
NO_MATH = "mathjax_ignore tex2jax_ignore"


def wide(**kwargs) -> W.Layout:
    """As wide as the box it is in, never wider: ``width: 100%`` plus a control's own margin (2 px) sticks out
    of the box, and the box (the panel, a tab) clips it: the control's right border, the tab's frame are cut."""
    return W.Layout(width="auto", align_self="stretch", min_width="0", **kwargs)


def share(**kwargs) -> W.Layout:
    """A control sharing a row equally with its neighbours, shrinking with the panel (never wider than its share)."""
    return W.Layout(width="auto", flex="1 1 0%", min_width="0", **kwargs)


def fitting(**kwargs) -> W.Layout:
    """Its natural width while it fits, never wider than its box (a checkbox whose label would stick out)."""
    return W.Layout(width="auto", min_width="0", max_width="100%", **kwargs)


def left(**kwargs) -> W.Layout:
    """A button's layout: its natural width, at the left of a vertical box (not stretched)."""
    return W.Layout(width="auto", align_self="flex-start", **kwargs)


def text_field(description: str, placeholder: str = "", **kwargs) -> W.Text:
    """A labelled one-line field as wide as the panel, labels aligned across a tab."""
    return W.Text(
        description=description,
        placeholder=placeholder,
        layout=wide(),
        style={"description_width": "90px"},
        **kwargs,
    )


def badge(status: str) -> str:
    """An entry's status as a small coloured box, the colours of the review."""
    color = render.STATUS_COLORS.get(status, "#57606a")
    return (
        f"<span style='display:inline-block;min-width:6.5em;text-align:center;font-size:80%;font-weight:bold;"
        f"color:{color};border:1px solid {color};border-radius:3px;padding:0 .3em'>{escape(status or '?')}</span>"
    )


def inert(text: str) -> str:
    """User text as HTML that shows exactly that text: escaped, and never typeset as LaTeX.

    Escaping stops markup. A LaTeX typesetter may still sweep the page (JupyterLab's
    MathJax does, now and then, whatever class says to ignore a region), and it only
    pairs delimiters within one run of text: each ``$`` and ``\\`` in its own element
    cannot open or close math. The text and its copy-paste stay the same.
    """
    return escape(text).replace("$", "<span>$</span>").replace("\\", "<span>\\</span>")


def no_math(html: str) -> str:
    """:func:`inert`'s delimiter split, for HTML built elsewhere (render.py) whose markup has no ``$`` or ``\\``."""
    return html.replace("$", "<span>$</span>").replace("\\", "<span>\\</span>")


def plain(text: str, *, bold: bool = False) -> str:
    """User text on one line, cut with an ellipsis (the whole of it in the tooltip), shown exactly.

    As wide as the widget it is in, whose width comes from its layout (``wide()``): the
    text's own width counts for nothing (``width:0``), else the HTML widget's content,
    which never shrinks below what it holds, sticks out of a narrow panel uncut.
    """
    style = "display:block;width:0;min-width:100%;overflow:hidden;text-overflow:ellipsis;white-space:nowrap"
    weight = ";font-weight:bold" if bold else ""
    return f"<span class='{NO_MATH}' style='{style}{weight}' title='{escape(text)}'>{inert(text)}</span>"


def lines_html(lines: list[str], color: str = "inherit") -> str:
    """Plain text lines as one inert block of wrapped lines."""
    items = "".join(f"<div>{inert(line)}</div>" for line in lines)
    return f"<div class='{NO_MATH}' style='color:{color};{WRAP};margin:.2em 0'>{items}</div>"


def shown_path(path: Path) -> str:
    """The journal's path, relative to the working directory when it is below it."""
    try:
        return os.path.relpath(path) if Path(os.getcwd()) in path.parents else str(path)
    except (OSError, ValueError):
        return str(path)


def close_tree(widget: W.Widget) -> None:
    """Close a widget and every widget below it (ipywidgets closes one model at a time)."""
    for child in getattr(widget, "children", ()) or ():
        close_tree(child)
    widget.close()


def walk(widget: W.Widget):
    """Every widget in a tree, the root first (tests use it to check every HTML value)."""
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from walk(child)
