"""The Review tab: the review every face shows (``%review``, the sidebar), as HTML, its ways out in the panel's words."""

from __future__ import annotations

import ipywidgets as W

import jupyter_expjournal.render as render

from ..core.model import Review
from .common import NO_MATH, no_math
from .words import WORDS


class ReviewTab:
    """The counts, reminders, entries, lessons and rules of the journal."""

    def __init__(self) -> None:
        self.widget = W.HTML("", layout=W.Layout(width="100%"))

    def show(self, review: Review) -> None:
        self.widget.value = f"<div class='{NO_MATH}'>{no_math(render.review_html(review, words=WORDS))}</div>"
