"""The Review tab: the review every face shows (``%review``, the sidebar), as HTML, its ways out in the panel's words.

With the analysis' plots (:mod:`jupyter_expjournal.plots`, when matplotlib is
there), drawn when the tab is opened: a plot costs a tenth of a second, and the
panel refreshes after every cell that changed the journal.
"""

from __future__ import annotations

import ipywidgets as W

import jupyter_expjournal.render as render

from ..core.model import Review
from .common import NO_MATH, no_math
from .words import WORDS

#: The review wraps within the tab (long hypotheses, the journal's path) and its plots shrink to it; its lines
#: are spaced as text (an HTML widget's own line height is a control's, 28 px: the analysis read one line a row).
FIT = "white-space:normal;overflow-wrap:anywhere;word-break:break-word;max-width:100%;line-height:1.4"
#: ... but a field's label (hypothesis, baseline) stays whole: its value wraps, not "hypoth / esis" (a style
#: element is the only way to reach the review's own cells; scoped to the tab's class, it touches nothing else).
LABELS = f"<style>.{__name__.replace('.', '-')} th {{overflow-wrap:normal;word-break:normal}}</style>"


class ReviewTab:
    """The counts, reminders, entries, lessons and rules of the journal, and the analysis with its plots."""

    def __init__(self) -> None:
        self.widget = W.HTML("", layout=W.Layout(width="auto", align_self="stretch"))
        self.widget.add_class(__name__.replace(".", "-"))
        self.review: Review | None = None
        self.visible = False  # whether the tab is the one shown: then a new review is drawn at once
        self._drawn: Review | None = None

    def show(self, review: Review) -> None:
        """Show ``review``: at once as HTML; its plots too when the tab is in sight, else when it is opened."""
        self.review = review
        if self.visible:
            self.draw()
        elif review is not self._drawn:
            self._set(review, [])
            self._drawn = None  # drawn without its plots

    def watch(self, tabs: W.Tab, index: int) -> None:
        """Draw the plots when ``tabs`` selects this tab (at ``index``)."""
        tabs.observe(lambda change: self.opened(change["new"] == index), "selected_index")

    def opened(self, visible: bool) -> None:
        """The tab was selected (or left): draw the plots not drawn yet."""
        self.visible = visible
        if visible:
            self.draw()

    def draw(self) -> None:
        """The review as HTML with the analysis' plots (once per review: the core keeps one while the files stay)."""
        review = self.review
        if review is None or review is self._drawn:
            return
        from jupyter_expjournal.plots import analysis_plots

        self._set(review, analysis_plots(review.analysis) if review.analysis is not None and review.entries else [])
        self._drawn = review

    def _set(self, review: Review, images: list[tuple[str, str]]) -> None:
        html = no_math(render.review_html(review, images, WORDS))
        self.widget.value = f"{LABELS}<div class='{NO_MATH}' style='{FIT}'>{html}</div>"
