"""Pictures of the analysis, where a picture says more: a metric over experiments, effect per parameter.

matplotlib is optional and imported only here, only when a plot is asked for;
``pyplot`` is never touched, so the user's backend and open figures are left alone.
"""

from __future__ import annotations

import base64
import io

from .core.analysis import Analysis


def analysis_plots(a: Analysis, max_metrics: int = 3) -> list[tuple[str, str]]:
    """(title, base64 PNG) pairs; empty when matplotlib is not installed or nothing is measured."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return []
    plots = []
    metrics = sorted(a.series, key=lambda m: -len(a.series[m]))[:max_metrics]
    for metric in metrics:
        points = a.series[metric]
        if len(points) < 2:
            continue
        fig = Figure(figsize=(4.2, 2.4), dpi=100)
        ax = fig.subplots()
        ax.plot(range(1, len(points) + 1), [v for _, v in points], marker="o")
        ax.set_xlabel("experiment")
        ax.set_ylabel(metric)
        ax.set_title(f"{metric} over experiments", fontsize=10)
        ax.set_xticks(range(1, len(points) + 1))
        fig.tight_layout()
        plots.append((f"{metric} over experiments", _png(fig)))
    gains = []
    for summary in a.parameters:
        for metric in summary.effects:
            best = summary.best(metric)
            if best is not None:
                gains.append((f"{summary.key} ({metric})", best.gain))
    if gains:
        fig = Figure(figsize=(4.2, 0.5 + 0.35 * len(gains)), dpi=100)
        ax = fig.subplots()
        labels = [g[0] for g in gains]
        values = [g[1] for g in gains]
        ax.barh(labels, values, color=["#1a7f37" if v > 0 else "#cf222e" for v in values])
        ax.axvline(0, color="#57606a", linewidth=0.8)
        ax.set_title("best gain over baseline, per parameter", fontsize=9)
        fig.tight_layout()
        plots.append(("best effect per parameter", _png(fig)))
    return plots


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return base64.b64encode(buf.getvalue()).decode("ascii")
