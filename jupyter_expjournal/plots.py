"""Pictures of the analysis, where a picture says more: a metric over experiments, effect per parameter.

matplotlib is optional and imported only here, only when a plot is asked for;
``pyplot`` is never touched, so the user's backend and open figures are left alone.
Every point and bar is named by its entry: "experiment 3" means nothing a week later.
"""

from __future__ import annotations

import base64
import io

from .core.analysis import Analysis

#: At most this many entry names under a metric's line (evenly spread); every point is still drawn.
MAX_TICKS = 12
#: An entry's name under a point, cut to this many characters.
LABEL_WIDTH = 18


def label(name: str, width: int = LABEL_WIDTH) -> str:
    """An entry's name as a tick label: one line, cut with an ellipsis."""
    line = " ".join(name.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def analysis_figures(a: Analysis, max_metrics: int = 3) -> list[tuple[str, object]]:
    """(title, matplotlib Figure) pairs; empty when matplotlib is not installed or nothing is measured."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return []
    figures = []
    metrics = sorted(a.series, key=lambda m: -len(a.series[m]))[:max_metrics]
    for metric in metrics:
        points = a.series[metric]
        if len(points) < 2:
            continue
        fig = Figure(figsize=(max(4.2, min(9.0, 0.55 * len(points))), 2.9), dpi=100)
        ax = fig.subplots()
        xs = range(1, len(points) + 1)
        ax.plot(xs, [v for _, v in points], marker="o")
        step = max(1, -(-len(points) // MAX_TICKS))  # ceil: at most MAX_TICKS names
        ticks = list(xs)[::-step][::-1]  # the latest entry always named
        ax.set_xticks(ticks, [label(points[t - 1][0].name) for t in ticks], rotation=30, ha="right", fontsize=8)
        ax.set_ylabel(metric)
        ax.set_title(f"{metric} over experiments", fontsize=10)
        fig.tight_layout()
        figures.append((f"{metric} over experiments", fig))
    gains = []
    for summary in a.parameters:
        for metric in summary.effects:
            best = summary.best(metric)
            if best is not None:
                gains.append((f"{summary.key} ({metric}): {label(best.entry.name, 24)}", best.gain))
    if gains:
        fig = Figure(figsize=(4.8, 0.6 + 0.35 * len(gains)), dpi=100)
        ax = fig.subplots()
        labels = [g[0] for g in gains]
        values = [g[1] for g in gains]
        ax.barh(labels, values, color=["#1a7f37" if v > 0 else "#cf222e" for v in values])
        ax.axvline(0, color="#57606a", linewidth=0.8)
        ax.tick_params(axis="y", labelsize=8)
        ax.set_title("best gain over baseline, per parameter (its entry)", fontsize=9)
        fig.tight_layout()
        figures.append(("best effect per parameter", fig))
    return figures


def analysis_plots(a: Analysis, max_metrics: int = 3) -> list[tuple[str, str]]:
    """(title, base64 PNG) pairs of :func:`analysis_figures`: what the HTML views embed."""
    return [(title, _png(fig)) for title, fig in analysis_figures(a, max_metrics)]


def no_plots(a: Analysis | None) -> str:
    """Why a review asked for plots shows none: said, rather than showing nothing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return "no plots: they need matplotlib (pip install matplotlib)"
    return "no plots yet: a metric needs two completed experiments that measured it, or a change measured against its baseline"


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return base64.b64encode(buf.getvalue()).decode("ascii")
