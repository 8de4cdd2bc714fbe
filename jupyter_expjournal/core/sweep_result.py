"""The result of a sweep: a table of value → metrics, the best value, its Delta, the curve's data.

A completed sweep reads as one entry:

    **Actual outcome**: gamma sweep, 4 of 4 planned values run: best accuracy 0.9922 at gamma=0.001 (peaked)

    | gamma | accuracy |
    | --- | --- |
    | 0.0001 | 0.9555 |
    | **0.001** | **0.9922** |
    ...

    **Delta**: accuracy best 0.9922 at gamma=0.001: +0.0033 vs expected +0.005: worse than expected

The table is GitHub-flavoured Markdown (a blank line before it, so it renders
as a table wherever the journal is read) and is read back by
:func:`.sweep_evidence.points_in`; planned values with no result and values run that were never
planned are said under it. The Delta is :func:`.metrics.compare` of the best
point, "best" in the metric's own direction (:func:`.metrics.is_lower_better`).
The last line names the best point's metrics, so the entry *measures* what its
best run measured (the compare table, the review's series). The first metric
column is the one the sweep is judged by: the first one the expectation (else
the baseline) names, else the first one the runs named.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from .errors import InputError
from .metrics import compare, format_delta, format_number, is_lower_better, parse_expected, parse_metrics
from .metrics.names import word_tail
from .model import Entry, Outcome
from .outcome import cut_output, fenced, figure_links
from .outcome import result_fields as plain_result_fields
from .sweep import Sweep, is_number, planned, value_key
from .sweep_points import Point, csv_rows, from_text, from_value, table_points

#: At most this many metric columns in the table (the rest are named under it).
MAX_COLUMNS = 6
#: The values span decades (largest / smallest at least this): the curve's x axis is logarithmic.
LOG_RATIO = 100.0
#: A curve whose values differ by less than this share of the largest is flat.
FLAT = 0.01
#: The last line of a sweep's outcome.
BEST_LINE = "Best: "


@dataclass(frozen=True)
class Curve:
    """The curve's data: ``metric`` against the swept value, in the values' order (numbers: ascending)."""

    key: str
    metric: str
    labels: list[str]
    ys: list[float | None]
    xs: list[float] | None  # None: the values are not all numbers (drawn one after another, by label)
    log: bool
    best: int  # index of the best point in labels
    lower_is_better: bool

    @property
    def shape(self) -> str:
        """``rising``, ``falling``, ``peaked`` (best inside the range), ``flat``; ``unordered`` for values that
        are not numbers; ``one point`` when only one has the metric."""
        known = [(i, y) for i, y in enumerate(self.ys) if y is not None and math.isfinite(y)]
        if len(known) < 2:
            return "one point"
        if self.xs is None:
            return "unordered"
        ys = [y for _, y in known]
        if max(ys) - min(ys) <= FLAT * max(abs(y) for y in ys) + 1e-12:
            return "flat"
        sign = -1 if self.lower_is_better else 1
        best = max(range(len(ys)), key=lambda i: sign * ys[i])
        if 0 < best < len(ys) - 1:
            return "peaked"
        return "rising" if ys[-1] > ys[0] else "falling"

    @property
    def at_edge(self) -> bool:
        """The best value is the smallest or the largest swept: the best may lie beyond the range."""
        return self.xs is not None and self.best in (0, len(self.labels) - 1) and self.shape in ("rising", "falling")


@dataclass
class SweepResult:
    """What a sweep's runs gave, against what it planned."""

    sweep: Sweep
    points: list[Point]  # planned values first (in the planned order, as planned spelled them), then the others
    unplanned: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # the metrics of the table, the one judged first
    hidden: list[str] = field(default_factory=list)  # metrics measured, left out of the table
    best: int = 0

    @property
    def metric(self) -> str:
        return self.columns[0]

    @property
    def best_point(self) -> Point:
        return self.points[self.best]

    def curve(self) -> Curve:
        """The curve's data, numbers in ascending order (or as planned when the values are not numbers)."""
        order = list(range(len(self.points)))
        numeric = all(is_number(value) for value, _ in self.points)
        if numeric:
            order.sort(key=lambda i: value_key(self.points[i][0]))
        labels = [self.points[i][0] for i in order]
        ys = [self.points[i][1].get(self.metric) for i in order]
        xs = [float(value_key(label)) for label in labels] if numeric else None
        positive = xs is not None and all(x > 0 for x in xs)
        log = positive and max(xs) / min(xs) >= LOG_RATIO
        return Curve(self.sweep.key, self.metric, labels, ys, xs, log, order.index(self.best), is_lower_better(self.metric))


def result_of(entry: Entry, outcome: Outcome, result_value: object = None) -> SweepResult | None:
    """The result of ``entry``'s sweep from a run's outcome and result value, or None (no sweep, no point).

    A returned value (a dict, rows, a frame, a CSV table's rows) is read
    first; the printed output (else the outcome typed) when it holds no point,
    or more of the planned values than the value does.
    """
    sweep = planned(entry)
    if sweep is None:
        return None
    named = _named_metrics(entry)
    returned = from_value(result_value, sweep.key, named[0] if len(named) == 1 else "score") if result_value is not None else []
    printed = from_text(outcome.output, sweep.key) or from_text(outcome.summary, sweep.key)
    # a value that names none of the planned values (a cell ending in a dict of metrics) is not the sweep's table
    planned_in = [sum(sweep.index(value) is not None for value, _ in found) for found in (returned, printed)]
    points = returned if returned and planned_in[0] >= planned_in[1] else printed or returned
    if not points:
        return None
    return against_plan(sweep, points, entry)


def table_rows(entry: Entry, text: str, where: str) -> list[dict[str, object]]:
    """The rows of a table file (CSV) given as ``entry``'s result, checked: the entry planned a sweep, the
    table has its key's column and a metric beside it. Bad: InputError naming the file. Pass them on as
    the result value."""
    _planned_for_table(entry, where)
    return given_rows(entry, csv_rows(text, where), where)


def rows_given(entry: Entry, table: list[dict[str, object]] | str, where: str) -> list[dict[str, object]]:
    """A sweep's table as a JSON face takes it (rows, or CSV text as a file holds it), checked by
    :func:`given_rows` or :func:`table_rows`."""
    return table_rows(entry, table, where) if isinstance(table, str) else given_rows(entry, table, where)


def given_rows(entry: Entry, rows: list[dict[str, object]], where: str) -> list[dict[str, object]]:
    """Rows a face was given as ``entry``'s sweep table (a JSON list of ``{KEY: value, metric: number}``), checked
    as :func:`table_rows` checks a CSV file's. Bad: InputError naming ``where``. Pass them on as the result value."""
    key = _planned_for_table(entry, where).key
    if not rows:
        raise InputError(f"{where} is empty: it needs a row per value (the key, then the metrics)")
    table_points(rows, key, where)
    return rows


def _planned_for_table(entry: Entry, where: str) -> Sweep:
    sweep = planned(entry)
    if sweep is None:
        raise InputError(f"'{entry.name}' planned no sweep: {where} is a table of values, the result of a sweep "
                         "(plan one with the key it varies and its values)")
    return sweep


def _named_metrics(entry: Entry) -> list[str]:
    """The metrics the expectation and the baseline name, expectation first."""
    names = [e.metric for e in parse_expected(entry.expected).values()] + list(parse_metrics(entry.baseline))
    return list(dict.fromkeys(names))


def against_plan(sweep: Sweep, points: list[Point], entry: Entry) -> SweepResult:
    """The points (each with a metric at least) against the plan: planned values first, in the planned order and
    spelling, then those never planned; the planned values with no point; the columns, the judged metric first."""
    ranked: list[tuple[int, Point]] = []
    unplanned: list[str] = []
    for value, metrics in points:
        at = sweep.index(value)
        if at is None:
            unplanned.append(value)
            ranked.append((len(sweep.values) + len(unplanned), (value, metrics)))
        else:
            ranked.append((at, (sweep.values[at], metrics)))
    ranked.sort(key=lambda item: item[0])
    ordered = [point for _, point in ranked]
    run = {value_key(value) for value, _ in ordered}
    missing = [value for value in sweep.values if value_key(value) not in run]
    names = list(dict.fromkeys(name for _, metrics in ordered for name in metrics))
    judged = _judged(names, _named_metrics(entry))
    rest = [n for n in names if n != judged]
    mentioned = {m.casefold() for m in _named_metrics(entry)}
    rest.sort(key=lambda n: n.casefold() not in mentioned)  # stable: mentioned first, then as the runs named them
    columns = [judged, *rest][:MAX_COLUMNS]
    result = SweepResult(sweep, ordered, unplanned, missing, columns, [*rest][MAX_COLUMNS - 1 :])
    result.best = _best(ordered, judged)
    return result


def _judged(names: list[str], named: list[str]) -> str:
    """The metric a sweep is judged by: the first the expectation (else the baseline) names, found as compare finds it."""
    for wanted in named:
        for name in names:
            if name.casefold() == wanted.casefold():
                return name
        longer = [name for name in names if word_tail(name, wanted)]
        if len(longer) == 1:
            return longer[0]
    return names[0]


def _best(points: list[Point], metric: str) -> int:
    sign = -1 if is_lower_better(metric) else 1
    scored = [(sign * m[metric], i) for i, (_, m) in enumerate(points) if metric in m and not math.isnan(m[metric])]
    return max(scored, key=lambda s: (s[0], -s[1]))[1] if scored else 0


# -- written into the entry ------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|")


def table(result: SweepResult) -> str:
    """The GFM table: the key's values, then each metric; the best row in bold, values not planned marked."""
    head = [_cell(result.sweep.key), *(_cell(c) for c in result.columns)]
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join("---" for _ in head) + " |"]
    unplanned = {value_key(v) for v in result.unplanned}
    for i, (value, metrics) in enumerate(result.points):
        label = _cell(value) + (" (not planned)" if value_key(value) in unplanned else "")
        cells = [label, *(format_number(metrics[c]) if c in metrics else "" for c in result.columns)]
        if i == result.best:
            cells = [f"**{c}**" if c else c for c in cells]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary(result: SweepResult) -> str:
    """The outcome's first line: how many values ran, the best and the curve's shape."""
    key, (value, metrics) = result.sweep.key, result.best_point
    planned_run = len(result.sweep.values) - len(result.missing)
    text = f"{key} sweep, {planned_run} of {len(result.sweep.values)} planned values run"
    if result.unplanned:
        text += f" (and {len(result.unplanned)} not planned)"
    if result.metric in metrics:
        curve = result.curve()
        text += f": best {result.metric} {format_number(metrics[result.metric])} at {key}={value} ({curve.shape}"
        text += f", best at the edge of the range: it may lie beyond {value})" if curve.at_edge else ")"
    return text


def delta(result: SweepResult, entry: Entry) -> str:
    """``accuracy best 0.9922 at gamma=0.001: +0.0033 vs expected +0.005: worse than expected`` (and any other
    metric of the best point the baseline or expectation names)."""
    value, metrics = result.best_point
    head = f"{result.metric} best {format_number(metrics[result.metric])} at {result.sweep.key}={value}"
    deltas = compare(entry.baseline, entry.expected, metrics)
    own = [d for d in deltas if d.metric.casefold() == result.metric.casefold() or word_tail(result.metric, d.metric)]
    clauses = [head]
    if own:
        said = format_delta(own[:1])
        clauses = [f"{head}: {said[len(own[0].metric) + 1 :]}" if said.startswith(own[0].metric + " ") else f"{head}: {said}"]
    others = format_delta([d for d in deltas if d not in own[:1]])
    return "; ".join(clauses + ([others] if others else []))


def fields(result: SweepResult, entry: Entry, outcome: Outcome, asset_names: list[str]) -> list[tuple[str, str]]:
    """The fields a sweep's result adds: the outcome with its table, the Delta, and the rest as typed."""
    error = f"Error: {outcome.error.splitlines()[0]}".replace("\x00", "\u2400") if outcome.error else ""
    parts = [p for p in (outcome.summary.strip(), summary(result), error) if p]  # a loop an error stopped: said
    parts = ["\n".join(parts), table(result)]
    notes = []
    if result.hidden:
        notes.append("Also measured (not in the table): " + ", ".join(result.hidden))
    if result.missing:
        notes.append(f"Planned, no result: {', '.join(f'{result.sweep.key}={v}' for v in result.missing)}")
    if result.unplanned:
        notes.append(f"Run, not planned: {', '.join(f'{result.sweep.key}={v}' for v in result.unplanned)}")
    if notes:
        parts.append("\n\n".join(notes))
    parts.extend(figure_links(outcome, asset_names))
    if outcome.output.strip():
        label = f"Output of {outcome.source}:" if outcome.source else "Output:"
        parts.append(label + "\n" + fenced(cut_output(outcome.output.replace("\x00", "\u2400"))))
    value, metrics = result.best_point
    best = ", ".join(f"{k} = {v:.6g}" for k, v in metrics.items())
    parts.append(f"{BEST_LINE}{result.sweep.key} = {value}, {best}")
    return [
        ("Actual outcome", "\n\n".join(parts)),
        ("Delta", outcome.delta.strip() or delta(result, entry)),
        ("Duration", outcome.duration),
        ("Learning", outcome.learning),
        ("Next", outcome.next),
    ]


def result_fields(entry: Entry, outcome: Outcome, result_value: object, asset_names: list[str]) -> list[tuple[str, str]]:
    """The fields any result adds: a sweep's (:func:`fields`) for an entry that planned one and whose run
    named its points, else :func:`.outcome.result_fields`' (a sweep whose points were not found says so)."""
    result = result_of(entry, outcome, result_value)
    if result is not None:
        return fields(result, entry, outcome, asset_names)
    plain = plain_result_fields(entry, outcome, result_value, asset_names)
    sweep = planned(entry)
    if sweep is not None and not outcome.delta.strip():
        found = dict(plain)
        note = (f"no point of the {sweep.key} sweep was found: print {sweep.key}=value beside each run's metrics, "
                f"return {{value: metrics}} or a table with a {sweep.key} column")
        found["Delta"] = f"{found['Delta']} ({note})"
        return list(found.items())
    return plain


def with_curve(outcome: Outcome, png: bytes, curve: Curve) -> Outcome:
    """The outcome with the curve's image added, captioned (the face drew it: the core draws nothing)."""
    caption = f"{curve.key} sweep: {curve.metric} against {curve.key}"
    captions = list(outcome.captions) + [""] * (len(outcome.images) - len(outcome.captions))
    return replace(outcome, images=[*outcome.images, ("image/png", png)], captions=[*captions, caption])
