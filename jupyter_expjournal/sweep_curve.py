"""A sweep's curve as a PNG: the judged metric against the swept value, the best point marked.

The data (which points, in which order, on a log axis or not, which is best)
is the core's (:meth:`.core.sweep_result.SweepResult.curve`); this module only
draws it. matplotlib is optional and imported only here, only when a curve is
asked for; ``pyplot`` is never touched (a ``Figure`` drawn by the Agg canvas),
so the user's backend and open figures are left alone. Where the image is saved
and how the entry links it is the core's too (:func:`.core.sweep_result.with_curve`,
then the journal's assets).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from .core.model import Entry, Outcome
from .core.sweep import planned

if TYPE_CHECKING:
    from .core.sweep_result import Curve, SweepResult


def draw(curve: Curve) -> bytes | None:
    """The curve as PNG bytes; None without matplotlib or with fewer than two points to draw."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        return None
    known = [(i, y) for i, y in enumerate(curve.ys) if y is not None]
    if len(known) < 2:
        return None
    fig = Figure(figsize=(5.0, 3.2), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    xs = curve.xs if curve.xs is not None else list(range(len(curve.labels)))
    ax.plot([xs[i] for i, _ in known], [y for _, y in known], marker="o")
    if curve.ys[curve.best] is not None:
        best_x, best_y = xs[curve.best], curve.ys[curve.best]
        ax.plot([best_x], [best_y], marker="*", markersize=14, linestyle="none",
                label=f"best: {curve.key}={curve.labels[curve.best]}")
        ax.legend(fontsize=8, loc="best")
    if curve.log:
        ax.set_xscale("log")
    if curve.xs is None or len(curve.labels) <= 12:
        ax.set_xticks(xs, curve.labels, fontsize=8, rotation=30 if curve.xs is None else 0)
        ax.minorticks_off()
    ax.set_xlabel(curve.key + (" (log scale)" if curve.log else ""))
    ax.set_ylabel(curve.metric)
    ax.set_title(f"{curve.metric} against {curve.key} ({curve.shape})", fontsize=10)
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def attach(outcome: Outcome, result: SweepResult | None) -> Outcome:
    """The outcome with the sweep's curve among its images (unchanged when there is no curve to draw)."""
    if result is None:
        return outcome
    from .core.sweep_result import with_curve

    curve = result.curve()
    png = draw(curve)
    return with_curve(outcome, png, curve) if png else outcome


def attach_for(entry: Entry, outcome: Outcome, result_value: object = None) -> Outcome:
    """The outcome of ``entry``'s run with its sweep's curve among its images (unchanged for any other entry).

    Every face calls it for every result: for an entry that planned no sweep it
    looks at the entry's fields only (the metrics package and matplotlib are
    imported for a sweep's curve alone)."""
    if planned(entry) is None:
        return outcome
    from .core.sweep_result import result_of

    return attach(outcome, result_of(entry, outcome, result_value))
