"""A completed sweep read back from its entry: its table's points, and what they say about the parameter.

The review treats each point of a sweep as evidence for its parameter's
effect: the best value, and the curve's shape (rising, falling, peaked, flat).
Everything is read from the entry's text, the table :func:`.sweep_result.table`
wrote, so an entry written by another version, face or hand reads alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .metrics import format_number
from .model import COMPLETED, Entry
from .sweep import planned
from .sweep_points import Point
from .sweep_result import Curve, SweepResult, against_plan


def points_in(entry: Entry) -> list[Point]:
    """The points a completed sweep's table holds (the metrics in its columns, the judged one first)."""
    return points_and_best(entry)[0]


def points_and_best(entry: Entry) -> tuple[list[Point], str | None]:
    """:func:`points_in`, and the value whose row the table marks as the best (in bold), or None."""
    sweep = planned(entry)
    return ([], None) if sweep is None else _read(entry.actual, sweep.key)


_ROW = re.compile(r"\|(.*)\|")


def read_table(text: str, key: str) -> list[Point]:
    """The rows of the table :func:`table` wrote (its first header cell is ``key``)."""
    return _read(text, key)[0]


def _read(text: str, key: str) -> tuple[list[Point], str | None]:
    """The table's points, and the value of the row it writes in bold (the best), if any."""
    lines = text.split("\n")
    for i, line in enumerate(lines[:-1]):
        head = _cells(line)
        if head and head[0].casefold() == key.casefold() and set(lines[i + 1].replace("|", "").split()) == {"---"}:
            points, best = [], None
            for row in lines[i + 2 :]:
                cells = _cells(row)
                if cells is None:
                    break
                value = cells[0].strip("*").removesuffix(" (not planned)")
                if best is None and cells[0].startswith("**") and cells[0].endswith("**"):
                    best = value
                metrics = {}
                for name, cell in zip(head[1:], cells[1:]):
                    try:
                        metrics[name] = float(cell.strip("*"))
                    except ValueError:
                        continue
                points.append((value, metrics))
            return points, best
    return [], None


def _cells(line: str) -> list[str] | None:
    found = _ROW.fullmatch(line.strip())
    if not found:
        return None
    cells = re.split(r"(?<!\\)\|", found.group(1))
    return [c.strip().replace("\\|", "|").replace("\\\\", "\\") for c in cells]


# -- evidence for the review -------------------------------------------------------------


@dataclass(frozen=True)
class SweepEvidence:
    """A completed sweep as evidence for its parameter's effect: every point, the best value, the curve's shape."""

    entry: Entry
    result: SweepResult

    @property
    def key(self) -> str:
        return self.result.sweep.key

    @property
    def metric(self) -> str:
        return self.result.metric

    @property
    def best_value(self) -> str:
        return self.result.best_point[0]

    @property
    def best(self) -> float | None:
        return self.result.best_point[1].get(self.metric)

    @property
    def curve(self) -> Curve:
        return self.result.curve()

    @property
    def shape(self) -> str:
        return self.curve.shape

    def describe(self) -> str:
        """``gamma (accuracy, 4 points): best 0.9922 at gamma=0.001, peaked`` (and a hint at an edge)."""
        text = (f"{self.key} ({self.metric}, {len(self.result.points)} points): best "
                f"{format_number(self.best) if self.best is not None else '?'} at {self.key}={self.best_value}, {self.shape}")
        if self.curve.at_edge:
            text += f": the best is at the edge of the range, it may lie beyond {self.best_value}"
        return text


def evidence(entry: Entry) -> SweepEvidence | None:
    """What a completed sweep's table says, read back from the entry (None for any other entry)."""
    if entry.status != COMPLETED:
        return None
    sweep = planned(entry)
    points = read_table(entry.actual, sweep.key) if sweep is not None else []
    points = [(value, metrics) for value, metrics in points if metrics]
    if not points:
        return None
    return SweepEvidence(entry, against_plan(sweep, points, entry))


def sweeps_of(entries: list[Entry]) -> list[SweepEvidence]:
    """The evidence of every completed sweep among ``entries``, in order."""
    return [found for entry in entries if (found := evidence(entry)) is not None]
