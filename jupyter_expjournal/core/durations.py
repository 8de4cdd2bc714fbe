"""How long a run took, in the Duration field's words, and back.

``3 min 12 s wall from hypothesis to result; 41.2 s executing 5 cells; 0.11 GPU h
(2 × A100)``: written by every face that completes an entry (each knows a
different part: the kernel its cells, the server the entry's start), read back
by the MLflow bridge for a run's end time.
"""

from __future__ import annotations

import re

from .provenance import gpu_summary

_UNITS = {"d": 86400, "day": 86400, "days": 86400, "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600,
          "hours": 3600, "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60, "s": 1, "sec": 1,
          "secs": 1, "second": 1, "seconds": 1}  # fmt: skip


def format_duration(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, sec = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {sec:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def describe_duration(wall: float | None, executing: float | None = None, cells: int | None = None) -> str:
    """``12 min 03 s wall from hypothesis to result; 41.2 s executing 5 cells``."""
    parts = []
    if wall is not None:
        parts.append(f"{format_duration(wall)} wall from hypothesis to result")
    if executing is not None:
        parts.append(f"{format_duration(executing)} executing {cells} cell{'s' if cells != 1 else ''}")
    return "; ".join(parts)




def describe_run(wall: float | None, cell_seconds: list[float] | None = None, gpus: list[str] | None = None) -> str:
    """The Duration of a run: wall time, the cells executed for it (when known), GPU hours (with GPUs)."""
    if cell_seconds is None:
        text = describe_duration(wall)
    else:
        text = describe_duration(wall, sum(cell_seconds), len(cell_seconds))
    if gpus and wall is not None:  # GPU hours: what a run really cost
        text += f"; {wall / 3600 * len(gpus):.2f} GPU h ({gpu_summary(gpus)})"
    return text


def duration_seconds(text: str) -> float | None:
    """The wall time a Duration field states (its first clause): ``3 min 12 s wall ...`` → 192."""
    clause = text.split(";")[0]
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\b", clause)
    seconds = [float(n) * _UNITS[u.lower()] for n, u in parts if u.lower() in _UNITS]
    return sum(seconds) if seconds else None
